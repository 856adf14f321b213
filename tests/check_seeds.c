/* check_seeds.c: each of the five seed remedies does what its article
 * says, and each action of the test remedies in tests/actions does what
 * docs/remedy-format.md says, at the level of the plan (what the dry run
 * shows and apply would do), on the fixture hives and on copies changed by
 * the test.
 *
 * The plan is read directly (struct plan), so these tests see the types
 * and bytes of the values, not only their rendering.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hivex.h>

#include "hive.h"
#include "plan.h"
#include "remedy.h"
#include "testutil.h"

static const char *
env_or(const char *name, const char *def)
{
	const char *s = getenv(name);

	return s != NULL && *s != '\0' ? s : def;
}

/* One planning run: the remedy, the hives, the plan. */
struct run {
	struct remedy *r;
	struct hive *hv[4];
	size_t nh;
	struct plan *p;
	const struct plan_entry *e;
	struct diag d;
};

/* Plan remedy ID (or tests/actions/NAME.xml) on the hive files given (NULL-terminated), with WINDIR
 * (may be NULL) and control set CS (NULL: current).  Fails the test on
 * any error. */
static void
run_plan(struct run *u, const char *id, const char *windir, const char *cs,
    ...)
{
	const char *src = env_or("top_srcdir", KBFIX_SRCDIR);
	char *file = NULL, *schema = NULL;
	struct target t;
	struct plan_options o = { cs, 0 };
	const char *h;
	va_list ap;

	memset(u, 0, sizeof *u);
	diag_init(&u->d);
	/* An ID with a '/' is a file below the source tree: the test
	 * remedies of tests/actions. */
	ck_assert_int_ge(strchr(id, '/') != NULL ? asprintf(&file, "%s/%s",
	    src, id) : asprintf(&file, "%s/remedies/%s.xml", src, id), 0);
	ck_assert_int_ge(asprintf(&schema, "%s/remedies/remedy.xsd", src), 0);
	ck_assert_int_eq(remedy_load(file, schema, &u->r, &u->d), 0);
	va_start(ap, cs);
	while ((h = va_arg(ap, const char *)) != NULL) {
		ck_assert_uint_lt(u->nh, 4);
		ck_assert_msg(hive_open(h, 0, &u->hv[u->nh], &u->d) == 0,
		    "cannot open '%s'", h);
		u->nh++;
	}
	va_end(ap);
	t.hives = u->hv;
	t.nhives = u->nh;
	t.windir = (char *)windir;
	ck_assert_int_eq(plan_compute(&u->r, 1, &t, &o, &u->p, &u->d), 0);
	ck_assert_uint_eq(u->d.nerrors, 0);
	ck_assert_uint_eq(u->p->nentries, 1);
	u->e = &u->p->entries[0];
	free(file);
	free(schema);
}

/* The same for a remedy given as XML: an advisory with conditions COND
 * on SYSTEM, so that its status says whether they hold. */
static void
run_cond(struct run *u, const char *cond, const char *hive)
{
	const char *src = env_or("top_srcdir", KBFIX_SRCDIR);
	char *schema = NULL, *xml = NULL;
	struct target t;
	struct plan_options o = { NULL, 0 };

	memset(u, 0, sizeof *u);
	diag_init(&u->d);
	ck_assert_int_ge(asprintf(&schema, "%s/remedies/remedy.xsd", src), 0);
	ck_assert_int_ge(asprintf(&xml,
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"T\"><title>t</title>"
	    "<article number=\"Q1\"><product>p</product><symptom>s</symptom>"
	    "</article><summary>s</summary><hive name=\"SYSTEM\"/>"
	    "<when>%s</when><advisory>a</advisory></remedy>", cond), 0);
	ck_assert_int_eq(remedy_load_memory(xml, strlen(xml), "t.xml", schema,
	    &u->r, &u->d), 0);
	ck_assert_int_eq(hive_open(hive, 0, &u->hv[0], &u->d), 0);
	u->nh = 1;
	t.hives = u->hv;
	t.nhives = 1;
	t.windir = NULL;
	ck_assert_int_eq(plan_compute(&u->r, 1, &t, &o, &u->p, &u->d), 0);
	u->e = &u->p->entries[0];
	free(schema);
	free(xml);
}

static void
run_free(struct run *u)
{
	size_t i;

	plan_free(u->p);
	for (i = 0; i < u->nh; i++)
		hive_close(u->hv[i]);
	remedy_free(u->r);
	diag_free(&u->d);
}

/* A string value's text (UTF-8), from its stored UTF-16LE. */
static char *
text_of(const struct rvalue *v)
{
	struct hive_value hv = { NULL, v->type, v->data, v->len };
	char *s = hive_value_text(&hv);

	ck_assert_ptr_nonnull(s);
	return s;
}

static void
assert_text(const struct rvalue *v, uint32_t type, const char *want)
{
	char *s = text_of(v);

	ck_assert_uint_eq(v->type, type);
	ck_assert_str_eq(s, want);
	free(s);
}

static void
assert_key(const struct change *ch, size_t n, ...)
{
	va_list ap;
	size_t i;

	ck_assert_uint_eq(ch->nkey, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(ch->key[i], va_arg(ap, const char *));
	va_end(ap);
}

static int
has_note(const struct plan_entry *e, const char *part)
{
	size_t i;

	for (i = 0; i < e->nnotes; i++)
		if (strstr(e->notes[i], part) != NULL)
			return 1;
	return 0;
}

/* ------------------------------------------------- hives changed by tests */

/* Open a copy of a hive for writing, change it, commit. */
static hive_h *
edit_open(const char *path)
{
	hive_h *h = hivex_open(path, HIVEX_OPEN_WRITE);

	ck_assert_msg(h != NULL, "hivex_open '%s'", path);
	return h;
}

static void
edit_commit(hive_h *h, const char *path)
{
	ck_assert_int_eq(hivex_commit(h, path, 0), 0);
	ck_assert_int_eq(hivex_close(h), 0);
}

static hive_node_h
edit_find(hive_h *h, const char *const *elems)
{
	hive_node_h n = hivex_root(h);

	for (; *elems != NULL; elems++) {
		n = hivex_node_get_child(h, n, *elems);
		ck_assert_msg(n != 0, "no key '%s'", *elems);
	}
	return n;
}

/* Set value NAME of the key ELEMS to TEXT as a string of TYPE, keeping the
 * key's other values (hivex_node_set_value replaces one value only). */
static void
edit_set_text(hive_h *h, const char *const *elems, const char *name,
    uint32_t type, const char *text)
{
	hive_node_h n = edit_find(h, elems);
	unsigned char *data;
	size_t len;
	hive_set_value v;

	ck_assert_int_eq(hive_text_encode(text, &data, &len), 0);
	v.key = (char *)name;
	v.t = type;
	v.len = len;
	v.value = (char *)data;
	ck_assert_int_eq(hivex_node_set_value(h, n, &v, 0), 0);
	free(data);
}

static const char *const sys_env2[] = { "ControlSet002", "Control",
    "Session Manager", "Environment", NULL };

/* ------------------------------------------------------------- Q256211 */

static const char *const sys_path_before =
    "%SystemRoot%\\system32;%SystemRoot%;\\\\server\\share\\bin;Z:\\apps;"
    "C:\\Tools";
static const char *const sys_path_after =
    "%SystemRoot%\\system32;%SystemRoot%;C:\\Tools";

/* The system PATH change: network entries out, the others in order, the
 * type kept. */
static void
assert_system_path(const struct change *ch, uint32_t type, const char *after)
{
	ck_assert_int_eq(ch->kind, CHANGE_SET_VALUE);
	ck_assert_int_eq(ch->hive->kind, HIVE_SYSTEM);
	assert_key(ch, 4, "ControlSet002", "Control", "Session Manager",
	    "Environment");
	ck_assert_str_eq(ch->name, "Path");
	ck_assert_int_eq(ch->had_old, 1);
	assert_text(&ch->old, type, sys_path_before);
	assert_text(&ch->new, type, after);
}

START_TEST(test_q256211_system_only)
{
	struct run u;
	char *sys = tu_fixture("system/SYSTEM");

	run_plan(&u, "Q256211", NULL, NULL, sys, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_ptr_nonnull(strstr(u.e->reason, "network entries: "
	    "'\\\\server\\share\\bin', 'Z:\\apps'"));
	ck_assert_uint_eq(u.e->nchanges, 1);
	assert_system_path(&u.e->changes[0], REG_EXPAND_SZ, sys_path_after);
	/* The entries that leave the system PATH and reach no user are
	 * named, so that the user can carry them to the logon scripts. */
	ck_assert(has_note(u.e, "no NTUSER hive given: the entries removed "
	    "('\\\\server\\share\\bin', 'Z:\\apps') are not added"));
	run_free(&u);
	free(sys);
}
END_TEST

START_TEST(test_q256211_user_without_path)
{
	struct run u;
	char *sys = tu_fixture("system/SYSTEM"), *nt = tu_fixture("ntuser/NTUSER.DAT");
	const struct change *ch;

	run_plan(&u, "Q256211", NULL, NULL, sys, nt, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u.e->nnotes, 0);
	ck_assert_uint_eq(u.e->nchanges, 2);
	assert_system_path(&u.e->changes[0], REG_EXPAND_SZ, sys_path_after);
	/* Environment exists: only the value is created, as REG_EXPAND_SZ. */
	ch = &u.e->changes[1];
	ck_assert_int_eq(ch->kind, CHANGE_SET_VALUE);
	ck_assert_int_eq(ch->hive->kind, HIVE_NTUSER);
	assert_key(ch, 1, "Environment");
	ck_assert_str_eq(ch->name, "Path");
	ck_assert_int_eq(ch->had_old, 0);
	assert_text(&ch->new, REG_EXPAND_SZ, "\\\\server\\share\\bin;Z:\\apps");
	run_free(&u);
	free(sys);
	free(nt);
}
END_TEST

START_TEST(test_q256211_user_with_path)
{
	struct run u;
	char *sys = tu_fixture("system/SYSTEM");
	char *nt = tu_fixture("ntuser-path/NTUSER.DAT");
	const struct change *ch;

	/* The order of the hives on the command line does not matter. */
	run_plan(&u, "Q256211", NULL, NULL, nt, sys, NULL);
	ck_assert_uint_eq(u.e->nchanges, 2);
	assert_system_path(&u.e->changes[0], REG_EXPAND_SZ, sys_path_after);
	ch = &u.e->changes[1];
	ck_assert_int_eq(ch->hive->kind, HIVE_NTUSER);
	ck_assert_int_eq(ch->had_old, 1);
	assert_text(&ch->old, REG_EXPAND_SZ, "C:\\bin");
	assert_text(&ch->new, REG_EXPAND_SZ,
	    "C:\\bin;\\\\server\\share\\bin;Z:\\apps");
	run_free(&u);
	free(sys);
	free(nt);
}
END_TEST

/* An entry the user's Path holds already (in another letter case) is not
 * added a second time; with --control-set all, both control sets give the
 * same entries, and each reaches the user once. */
START_TEST(test_q256211_never_twice)
{
	static const char *const env[] = { "Environment", NULL };
	struct run u;
	char *tmp = tu_tmpdir(), *sys = tu_fixture("system/SYSTEM");
	char *nt = tu_path(tmp, "NTUSER.DAT");
	char *src = tu_fixture("ntuser-path/NTUSER.DAT");
	const struct change *ch;
	hive_h *h;

	tu_copy(src, nt);
	h = edit_open(nt);
	edit_set_text(h, env, "Path", REG_SZ, "C:\\bin;z:\\APPS");
	edit_commit(h, nt);

	/* Each control set is planned in turn: ControlSet001's entries go
	 * to the user, ControlSet002's are there already. */
	run_plan(&u, "Q256211", NULL, "all", sys, nt, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u.e->nchanges, 3);
	ck_assert_int_eq(u.e->changes[0].hive->kind, HIVE_SYSTEM);
	ck_assert_str_eq(u.e->changes[0].key[0], "ControlSet001");
	ck_assert_int_eq(u.e->changes[2].hive->kind, HIVE_SYSTEM);
	ck_assert_str_eq(u.e->changes[2].key[0], "ControlSet002");
	ch = &u.e->changes[1];
	ck_assert_int_eq(ch->hive->kind, HIVE_NTUSER);
	/* The user's value is REG_SZ here: it stays REG_SZ. */
	assert_text(&ch->old, REG_SZ, "C:\\bin;z:\\APPS");
	assert_text(&ch->new, REG_SZ, "C:\\bin;z:\\APPS;\\\\server\\share\\bin");
	run_free(&u);

	/* The plan is the fixed point: planning the result again finds
	 * nothing, which is what apply checks after writing. */
	h = edit_open(nt);
	edit_set_text(h, env, "Path", REG_SZ,
	    "C:\\bin;z:\\APPS;\\\\server\\share\\bin");
	edit_commit(h, nt);
	run_plan(&u, "Q256211", NULL, "all", sys, nt, NULL);
	ck_assert_uint_eq(u.e->nchanges, 2);
	ck_assert_int_eq(u.e->changes[0].hive->kind, HIVE_SYSTEM);
	ck_assert_int_eq(u.e->changes[1].hive->kind, HIVE_SYSTEM);
	run_free(&u);

	tu_rmrf(tmp);
	free(tmp);
	free(sys);
	free(nt);
	free(src);
}
END_TEST

/* The system Path is REG_SZ on this machine: the edited value stays
 * REG_SZ. */
START_TEST(test_q256211_keeps_type)
{
	struct run u;
	char *tmp = tu_tmpdir(), *sys = tu_path(tmp, "SYSTEM");
	char *src = tu_fixture("system/SYSTEM");
	hive_h *h;

	tu_copy(src, sys);
	h = edit_open(sys);
	edit_set_text(h, sys_env2, "Path", REG_SZ, sys_path_before);
	edit_commit(h, sys);
	run_plan(&u, "Q256211", NULL, NULL, sys, NULL);
	ck_assert_uint_eq(u.e->nchanges, 1);
	assert_system_path(&u.e->changes[0], REG_SZ, sys_path_after);
	run_free(&u);
	tu_rmrf(tmp);
	free(tmp);
	free(sys);
	free(src);
}
END_TEST

/* Without SYSTEM\MountedDevices no drive letter can be told apart from a
 * network drive: the plan says so and moves the UNC entries alone. */
START_TEST(test_q256211_no_mounted_devices)
{
	static const char *const md[] = { "MountedDevices", NULL };
	struct run u;
	char *tmp = tu_tmpdir(), *sys = tu_path(tmp, "SYSTEM");
	char *src = tu_fixture("system/SYSTEM"), *nt = tu_fixture("ntuser/NTUSER.DAT");
	hive_h *h;

	tu_copy(src, sys);
	h = edit_open(sys);
	ck_assert_int_eq(hivex_node_delete_child(h, edit_find(h, md)), 0);
	edit_commit(h, sys);

	run_plan(&u, "Q256211", NULL, NULL, sys, nt, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert(has_note(u.e, "MountedDevices is absent: only UNC entries "
	    "are treated as network entries"));
	ck_assert_uint_eq(u.e->nchanges, 2);
	assert_system_path(&u.e->changes[0], REG_EXPAND_SZ,
	    "%SystemRoot%\\system32;%SystemRoot%;Z:\\apps;C:\\Tools");
	assert_text(&u.e->changes[1].new, REG_EXPAND_SZ,
	    "\\\\server\\share\\bin");
	run_free(&u);

	/* A Path whose only outsider is a drive letter: nothing to do, and
	 * the reason says why. */
	h = edit_open(sys);
	edit_set_text(h, sys_env2, "Path", REG_EXPAND_SZ,
	    "%SystemRoot%\\system32;Z:\\apps");
	edit_commit(h, sys);
	run_plan(&u, "Q256211", NULL, NULL, sys, nt, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_ptr_nonnull(strstr(u.e->reason, "holds no network entry "
	    "(no UNC path; without MountedDevices, drive letters count as "
	    "local)"));
	ck_assert_uint_eq(u.e->nchanges, 0);
	run_free(&u);

	tu_rmrf(tmp);
	free(tmp);
	free(sys);
	free(src);
	free(nt);
}
END_TEST

START_TEST(test_q256211_clean)
{
	struct run u;
	char *sys = tu_fixture("system-clean/SYSTEM");
	char *nt = tu_fixture("ntuser/NTUSER.DAT");

	run_plan(&u, "Q256211", NULL, NULL, sys, nt, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(u.e->reason, "'Path' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "ControlSet002\\Control\\Session Manager\\Environment' holds no "
	    "network entry (no UNC path, no drive letter that MountedDevices "
	    "does not list)");
	ck_assert_uint_eq(u.e->nchanges, 0);
	run_free(&u);

	/* The user's hive alone: the remedy reads the system PATH. */
	run_plan(&u, "Q256211", NULL, NULL, nt, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_MISSING_HIVE);
	ck_assert_uint_eq(u.e->nchanges, 0);
	run_free(&u);
	free(sys);
	free(nt);
}
END_TEST

/* The real XP SYSTEM: no SMS client, no network entry in its Path, so not
 * applicable; still not applicable once the test adds a UNC path and a
 * drive letter that MountedDevices (A: C: D: E:) does not list, for the
 * machine is no SMS client; applicable once the test makes it one too. */
START_TEST(test_q256211_real_xp)
{
	static const char *const env1[] = { "ControlSet001", "Control",
	    "Session Manager", "Environment", NULL };
	static const char *const svc1[] = { "ControlSet001", "Services",
	    NULL };
	static const char *const clisvc1[] = { "ControlSet001", "Services",
	    "CLISVC", NULL };
	struct run u;
	char *tmp, *sys, *xz = NULL, *was;
	const char *shared = tu_shared();
	hive_h *h;
	hive_node_h n;
	hive_value_h vh;

	if (shared == NULL) {
		ck_assert_msg(getenv("CI") == NULL, "../shared is missing");
		return;
	}
	tmp = tu_tmpdir();
	sys = tu_path(tmp, "SYSTEM");
	ck_assert_int_ge(asprintf(&xz, "%s/hives-real/xp-sp3/SYSTEM.xz",
	    shared), 0);
	tu_unxz(xz, sys);
	run_plan(&u, "Q256211", NULL, NULL, sys, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(u.e->reason, "'HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "ControlSet001\\Services\\CLISVC' does not exist");
	run_free(&u);

	h = edit_open(sys);
	n = edit_find(h, env1);
	vh = hivex_node_get_value(h, n, "Path");
	ck_assert(vh != 0);
	was = hivex_value_string(h, vh);
	ck_assert_ptr_nonnull(was);
	{
		char *now = NULL;

		ck_assert_int_ge(asprintf(&now, "\\\\fs1\\tools;%s;X:\\bin;"
		    "d:\\local", was), 0);
		edit_set_text(h, env1, "Path", REG_EXPAND_SZ, now);
		free(now);
	}
	edit_commit(h, sys);
	run_plan(&u, "Q256211", NULL, NULL, sys, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_uint_eq(u.e->nchanges, 0);
	run_free(&u);

	/* The SMS 2.0 client's service. */
	h = edit_open(sys);
	ck_assert(hivex_node_add_child(h, edit_find(h, svc1), "CLISVC") != 0);
	edit_set_text(h, clisvc1, "ImagePath", REG_EXPAND_SZ,
	    "%SystemRoot%\\MS\\SMS\\Core\\Bin\\Clisvcl.exe");
	edit_commit(h, sys);
	run_plan(&u, "Q256211", NULL, NULL, sys, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u.e->nchanges, 1);
	{
		char *want = NULL;

		ck_assert_int_ge(asprintf(&want, "%s;d:\\local", was), 0);
		assert_text(&u.e->changes[0].new, REG_EXPAND_SZ, want);
		free(want);
	}
	ck_assert(has_note(u.e, "('\\\\fs1\\tools', 'X:\\bin')"));
	run_free(&u);
	free(was);
	tu_rmrf(tmp);
	free(tmp);
	free(sys);
	free(xz);
}
END_TEST

/* ------------------------------------------------------------- Q268499 */

/* A Windows folder with System32\NMPERF.DLL (the case differs from the
 * article's, as on a real NTFS copy). */
static char *
windows_folder(int with_file)
{
	char *tmp = tu_tmpdir(), *s32 = tu_path(tmp, "System32"), *f;
	FILE *fp;

	ck_assert_int_eq(mkdir(s32, 0755), 0);
	if (with_file) {
		f = tu_path(s32, "NMPERF.DLL");
		fp = fopen(f, "w");
		ck_assert_ptr_nonnull(fp);
		fputs("MZ", fp);
		fclose(fp);
		free(f);
	}
	free(s32);
	return tmp;
}

START_TEST(test_q268499_hive_alone)
{
	struct run u;
	char *x86 = tu_fixture("system/SYSTEM");
	char *alpha = tu_fixture("system-alpha/SYSTEM");

	run_plan(&u, "Q268499", NULL, NULL, x86, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(u.e->reason, "PROCESSOR_ARCHITECTURE is 'x86', not "
	    "'alpha'");
	run_free(&u);

	/* On an Alpha, whether the file is there cannot be known from the
	 * hive: the plan says what it needs instead of guessing. */
	run_plan(&u, "Q268499", NULL, NULL, alpha, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NEEDS_FOLDER);
	ck_assert_uint_eq(u.e->nchanges, 0);
	ck_assert_str_eq(u.e->reason, "PROCESSOR_ARCHITECTURE is 'alpha'; "
	    "'ImagePath' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\"
	    "Services\\CLISVC' is \"C:\\WINNT\\MS\\SMS\\CORE\\BIN\\"
	    "CLISVCL.EXE\", which matches '*\\MS\\SMS\\Core\\Bin\\"
	    "Clisvcl.exe'; whether '%SystemRoot%\\System32\\Nmperf.dll' "
	    "exists can only be seen in the Windows folder, and only hives "
	    "were given");
	run_free(&u);
	free(x86);
	free(alpha);
}
END_TEST

START_TEST(test_q268499_with_folder)
{
	struct run u;
	char *alpha = tu_fixture("system-alpha/SYSTEM");
	char *x86 = tu_fixture("system/SYSTEM");
	char *win = windows_folder(1), *empty = windows_folder(0);
	char *want = NULL;

	run_plan(&u, "Q268499", win, NULL, alpha, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u.e->nchanges, 1);
	ck_assert_int_eq(u.e->changes[0].kind, CHANGE_RENAME_FILE);
	ck_assert_int_ge(asprintf(&want, "%s/System32/NMPERF.DLL", win), 0);
	ck_assert_str_eq(u.e->changes[0].file, want);
	free(want);
	/* A name that says why, beside the file: renaming it back undoes
	 * the change. */
	ck_assert_int_ge(asprintf(&want, "%s/System32/"
	    "Nmperf.dll.disabled-by-kbfix-Q268499", win), 0);
	ck_assert_str_eq(u.e->changes[0].to, want);
	free(want);
	run_free(&u);

	run_plan(&u, "Q268499", win, NULL, x86, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_uint_eq(u.e->nchanges, 0);
	run_free(&u);

	run_plan(&u, "Q268499", empty, NULL, alpha, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_ptr_nonnull(strstr(u.e->reason, "does not exist"));
	ck_assert_uint_eq(u.e->nchanges, 0);
	run_free(&u);

	tu_rmrf(win);
	tu_rmrf(empty);
	free(win);
	free(empty);
	free(alpha);
	free(x86);
}
END_TEST

/* ------------------------------------------------------------- Q195936 */

START_TEST(test_q195936_advisory)
{
	struct run u;
	char *sms12 = tu_fixture("system-sms12/SYSTEM");
	char *plain = tu_fixture("system/SYSTEM");

	run_plan(&u, "Q195936", NULL, NULL, sms12, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_ADVISORY);
	ck_assert_uint_eq(u.e->nchanges, 0);
	ck_assert_ptr_nonnull(strstr(u.e->reason, "is \"C:\\SMS\\site.srv\\"
	    "x86.bin\\smsexec.exe\", which matches"));
	ck_assert_ptr_nonnull(strstr(u.e->remedy->advisory,
	    "there is no offline workaround"));
	ck_assert_ptr_nonnull(strstr(u.e->remedy->advisory, "Smsinst.dll"));
	run_free(&u);

	run_plan(&u, "Q195936", NULL, NULL, plain, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_uint_eq(u.e->nchanges, 0);
	run_free(&u);
	free(sms12);
	free(plain);
}
END_TEST

/* -------------------------------------------------- Q267971, Q317061 */

START_TEST(test_q267971_keys)
{
	struct run u;
	char *sys = tu_fixture("system/SYSTEM");
	char *sw = tu_fixture("software-sms/SOFTWARE");
	char *sw_xp = tu_fixture("software/SOFTWARE");
	size_t i;

	/* The site server's service pack is in SOFTWARE: without it, the
	 * remedy cannot tell; on a SOFTWARE hive without SMS\Setup (the XP
	 * fixture), it is no SMS 2.0 SP2 site server. */
	run_plan(&u, "Q267971", NULL, NULL, sys, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_MISSING_HIVE);
	ck_assert_ptr_nonnull(strstr(u.e->reason, "needs the SOFTWARE hive"));
	run_free(&u);
	run_plan(&u, "Q267971", NULL, NULL, sys, sw_xp, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_ptr_nonnull(strstr(u.e->reason, "'HKEY_LOCAL_MACHINE\\"
	    "SOFTWARE\\Microsoft\\SMS\\Setup' does not exist"));
	run_free(&u);

	run_plan(&u, "Q267971", NULL, NULL, sys, sw, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u.e->nchanges, 3);
	for (i = 0; i < 3; i++) {
		const struct change *ch = &u.e->changes[i];

		ck_assert_int_eq(ch->kind, CHANGE_DELETE_KEY);
		ck_assert_uint_eq(ch->nkey, 3);
		ck_assert_str_eq(ch->key[0], "ControlSet002");
		ck_assert_str_eq(ch->key[1], "Services");
		ck_assert_int_eq(strncasecmp(ch->key[2], "SMSPerfCountersFor",
		    18), 0);
	}
	run_free(&u);
	free(sys);
	free(sw);
	free(sw_xp);
}
END_TEST

START_TEST(test_q317061_drive_letter)
{
	struct run u;
	char *sys = tu_fixture("system/SYSTEM");
	const struct change *ch;

	run_plan(&u, "Q317061", NULL, NULL, sys, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u.e->nchanges, 1);
	ch = &u.e->changes[0];
	ck_assert_int_eq(ch->kind, CHANGE_SET_VALUE);
	assert_key(ch, 4, "ControlSet002", "Services", "EXIFS", "Parameters");
	ck_assert_str_eq(ch->name, "DriveLetter");
	assert_text(&ch->old, REG_SZ, "M");
	/* Blank, not deleted, not a space: an empty REG_SZ is one NUL. */
	ck_assert_uint_eq(ch->new.type, REG_SZ);
	ck_assert_uint_eq(ch->new.len, 2);
	ck_assert_mem_eq(ch->new.data, "\0\0", 2);
	run_free(&u);
	free(sys);
}
END_TEST

/* ------------------------------------------- conditions on value types */

#define SVC "HKLM\\SYSTEM\\CurrentControlSet\\Services\\"

/* Condition COND holds on the fixture (1) or not (0); the reason must
 * hold WHY. */
static void
expect_cond(const char *cond, int holds, const char *why)
{
	struct run u;
	char *sys = tu_fixture("system/SYSTEM");

	run_cond(&u, cond, sys);
	ck_assert_msg(u.e->status == (holds ? ENTRY_ADVISORY :
	    ENTRY_NOT_APPLICABLE), "%s: %s", cond, u.e->reason);
	ck_assert_msg(strstr(u.e->reason, why) != NULL, "%s: reason '%s'",
	    cond, u.e->reason);
	run_free(&u);
	free(sys);
}

/* A multi-sz is its strings one per line; a QWORD its decimal number;
 * string data compare case-sensitively, names and globs do not. */
START_TEST(test_value_types)
{
	expect_cond("<value-matches path=\"" SVC "Dhcp\" "
	    "name=\"DependOnService\" pattern=\"afd\"/>", 1,
	    "'DependOnService' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002"
	    "\\Services\\Dhcp' is \"Tcpip\nAfd\nNetBT\", which matches 'afd'");
	expect_cond("<value-matches path=\"" SVC "Dhcp\" "
	    "name=\"DependOnService\" pattern=\"Afd*\"/>", 1, "matches");
	expect_cond("<value-matches path=\"" SVC "Dhcp\" "
	    "name=\"DependOnService\" pattern=\"Tcp\"/>", 0,
	    "does not match 'Tcp'");
	expect_cond("<value-equals path=\"" SVC "Dhcp\" "
	    "name=\"DependOnService\" data=\"Tcpip&#10;Afd&#10;NetBT\"/>",
	    1, "is \"Tcpip\nAfd\nNetBT\"");
	expect_cond("<value-equals path=\"" SVC "Dhcp\" "
	    "name=\"DependOnService\" type=\"multi-sz\" "
	    "data=\"Tcpip&#10;Afd&#10;NetBT\"/>", 1, "NetBT");
	expect_cond("<value-equals path=\"" SVC "Dhcp\" "
	    "name=\"DependOnService\" type=\"sz\" "
	    "data=\"Tcpip&#10;Afd&#10;NetBT\"/>", 0,
	    "Dhcp' is of type multi-sz, not sz");
	expect_cond("<value-matches path=\"" SVC "W32Time\\Config\" "
	    "name=\"lastsynctime\" pattern=\"125918528639620728\"/>", 1,
	    "is \"125918528639620728\"");
	expect_cond("<value-equals path=\"" SVC "W32Time\\Config\" "
	    "name=\"LastSyncTime\" type=\"qword\" "
	    "data=\"0x01bf5a3c12345678\"/>", 1, "LastSyncTime");
	expect_cond("<value-equals path=\"" SVC "EXIFS\\Parameters\" "
	    "name=\"DriveLetter\" data=\"m\"/>", 0,
	    "'DriveLetter' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002"
	    "\\Services\\EXIFS\\Parameters' is \"M\", not \"m\"");
	expect_cond("<value-exists path=\"" SVC "Nothing\" name=\"x\"/>", 0,
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\"
	    "Nothing' does not exist");
	/* <all> that holds gives every reason; <any> that fails too. */
	expect_cond("<all><key-exists path=\"" SVC "Dhcp\"/>"
	    "<key-exists path=\"" SVC "Tcpip\"/></all>", 1,
	    "Dhcp' exists; 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\"
	    "Services\\Tcpip' exists");
	expect_cond("<any><key-exists path=\"" SVC "A\"/>"
	    "<key-exists path=\"" SVC "B\"/></any>", 0,
	    "A' does not exist; 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002"
	    "\\Services\\B' does not exist");
	expect_cond("<not><key-exists path=\"" SVC "A\"/></not>", 1,
	    "Services\\A' does not exist");
	expect_cond("<list-contains path=\"" SVC "Dhcp\" name=\"ImagePath\" "
	    "separator=\" \" pattern=\"-K\"/>", 1,
	    "holds an entry matching '-K': '-k'");
}
END_TEST

/* ------------------------------------- each action (tests/actions) */

#define ACTION(n) "tests/actions/Q90000" #n ".xml"

/* The set-value change of value NAME in U's plan. */
static const struct change *
set_of(const struct run *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->e->nchanges; i++)
		if (u->e->changes[i].kind == CHANGE_SET_VALUE &&
		    strcmp(u->e->changes[i].name, name) == 0)
			return &u->e->changes[i];
	ck_abort_msg("no change of value '%s'", name);
	return NULL;
}

static void
assert_new(const struct change *ch, uint32_t type, const void *data,
    size_t len)
{
	ck_assert_uint_eq(ch->new.type, type);
	ck_assert_uint_eq(ch->new.len, len);
	ck_assert_mem_eq(ch->new.data, data, len);
}

/* Plan the test remedy FILE on the SYSTEM fixture: it must apply, with N
 * changes. */
static void
run_applies(struct run *u, const char *file, size_t n)
{
	char *sys = tu_fixture("system/SYSTEM");

	run_plan(u, file, NULL, NULL, sys, NULL);
	free(sys);
	ck_assert_int_eq(u->e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u->e->nchanges, n);
}

/* delete-value: the names as the hive spells them, the old data kept for
 * the undo file; a value that is not there is no change. */
START_TEST(test_action_delete_value)
{
	struct run u;
	const struct change *ch;

	run_applies(&u, ACTION(01), 2);
	ch = &u.e->changes[0];
	ck_assert_int_eq(ch->kind, CHANGE_DELETE_VALUE);
	assert_key(ch, 4, "ControlSet002", "Services", "Tcpip", "Parameters");
	ck_assert_str_eq(ch->name, "NV Hostname");
	ck_assert_int_eq(ch->had_old, 1);
	assert_text(&ch->old, REG_SZ, "KBFIX-SRV01");
	ch = &u.e->changes[1];
	ck_assert_int_eq(ch->kind, CHANGE_DELETE_VALUE);
	ck_assert_str_eq(ch->name, "SearchList");
	assert_text(&ch->old, REG_SZ, "");
	run_free(&u);
}
END_TEST

/* create-key: the missing parent first, then the key; an existing key
 * (written in another case, with a trailing '\') is no change. */
START_TEST(test_action_create_key)
{
	struct run u;

	run_applies(&u, ACTION(02), 2);
	ck_assert_int_eq(u.e->changes[0].kind, CHANGE_CREATE_KEY);
	assert_key(&u.e->changes[0], 3, "ControlSet002", "Services",
	    "KbfixTest");
	ck_assert_int_eq(u.e->changes[1].kind, CHANGE_CREATE_KEY);
	assert_key(&u.e->changes[1], 4, "ControlSet002", "Services",
	    "KbfixTest", "Parameters");
	run_free(&u);
}
END_TEST

/* set-value: the bytes of every type as Windows stores them. */
START_TEST(test_action_set_value_types)
{
	struct run u;
	const struct change *ch;
	/* "Café ☕": é is U+00E9, ☕ U+2615. */
	static const unsigned char sz[] = { 'C', 0, 'a', 0, 'f', 0, 0xe9, 0,
	    ' ', 0, 0x15, 0x26, 0, 0 };
	static const unsigned char multi[] = { 'T', 0, 'c', 0, 'p', 0, 'i', 0,
	    'p', 0, 0, 0, 'A', 0, 'f', 0, 'd', 0, 0, 0, 0, 0 };
	static const unsigned char link[] = { '\\', 0, 'R', 0, 'e', 0, 'g',
	    0, 'i', 0, 's', 0, 't', 0, 'r', 0, 'y', 0 };

	run_applies(&u, ACTION(03), 13);
	/* The new key, its eleven values, Tcpip's Start; Type already
	 * holds 1 and NotThere is not created. */
	ck_assert_int_eq(u.e->changes[0].kind, CHANGE_CREATE_KEY);
	assert_key(&u.e->changes[0], 3, "ControlSet002", "Services",
	    "KbfixTypes");
	assert_new(set_of(&u, ""), REG_SZ, "d\0e\0f\0a\0u\0l\0t\0\0", 16);
	assert_new(set_of(&u, "Sz"), REG_SZ, sz, sizeof sz);
	assert_text(&set_of(&u, "ExpandSz")->new, REG_EXPAND_SZ,
	    "%SystemRoot%\\System32\\x.exe");
	assert_new(set_of(&u, "MultiSz"), REG_MULTI_SZ, multi, sizeof multi);
	/* A link has no NUL. */
	ch = set_of(&u, "Link");
	ck_assert_uint_eq(ch->new.type, REG_LINK);
	ck_assert_uint_eq(ch->new.len, 2 * strlen("\\Registry\\Machine\\"
	    "System\\ControlSet001"));
	ck_assert_mem_eq(ch->new.data, link, sizeof link);
	assert_new(set_of(&u, "Dword"), REG_DWORD, "\0\0\0\x80", 4);
	assert_new(set_of(&u, "DwordBe"), REG_DWORD_BIG_ENDIAN, "\0\0\0\1",
	    4);
	assert_new(set_of(&u, "Qword"), REG_QWORD,
	    "\x78\x56\x34\x12\x3c\x5a\xbf\x01", 8);
	assert_new(set_of(&u, "Binary"), REG_BINARY, "\1\0\x14\x80", 4);
	assert_new(set_of(&u, "None"), REG_NONE, "", 0);
	assert_new(set_of(&u, "Prop"), 0xffff0012, "\1\0\0\0", 4);
	/* An existing value keeps its spelling ("start" in the remedy). */
	ch = set_of(&u, "Start");
	assert_key(ch, 3, "ControlSet002", "Services", "Tcpip");
	ck_assert_int_eq(ch->had_old, 1);
	assert_new(ch, REG_DWORD, "\4\0\0\0", 4);
	ck_assert_mem_eq(ch->old.data, "\1\0\0\0", 4);
	run_free(&u);
}
END_TEST

/* delete-key: a plain key and a pattern, in the current control set
 * only; the decoys whose names hold the pattern elsewhere stay. */
START_TEST(test_action_delete_key)
{
	struct run u;

	run_applies(&u, ACTION(04), 2);
	ck_assert_int_eq(u.e->changes[0].kind, CHANGE_DELETE_KEY);
	assert_key(&u.e->changes[0], 3, "ControlSet002", "Services", "Dhcp");
	ck_assert_int_eq(u.e->changes[1].kind, CHANGE_DELETE_KEY);
	assert_key(&u.e->changes[1], 3, "ControlSet002", "Services",
	    "OldSMSPerfCountersForX");
	run_free(&u);
}
END_TEST

/* edit-list: removes by glob keep the order and the type; an entry
 * already there (".com" against ".COM") is not appended twice. */
START_TEST(test_action_edit_list)
{
	struct run u;
	char *sys = tu_fixture("system/SYSTEM");
	char *user = tu_fixture("ntuser/NTUSER.DAT");
	const struct change *ch;

	run_plan(&u, ACTION(05), NULL, NULL, sys, user, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u.e->nchanges, 3);
	ch = set_of(&u, "PATHEXT");
	assert_text(&ch->old, REG_SZ, ".COM;.EXE;.BAT;.CMD");
	assert_text(&ch->new, REG_SZ, ".COM;.EXE;.VBS");
	ch = &u.e->changes[2];
	ck_assert_int_eq(ch->kind, CHANGE_SET_VALUE);
	ck_assert_int_eq(ch->had_old, 0);
	assert_key(ch, 1, "Environment");
	assert_text(&ch->new, REG_EXPAND_SZ, "\\\\server\\share\\bin;Z:\\apps");
	run_free(&u);
	free(sys);
	free(user);
}
END_TEST

/* rename-file and delete-file: paths found whatever their case; a file
 * that is not there is no change; the hive alone cannot tell. */
START_TEST(test_action_files)
{
	struct run u;
	char *alpha = tu_fixture("system-alpha/SYSTEM");
	char *win = windows_folder(1), *want = NULL, *f;
	FILE *fp;

	f = tu_path(win, "System32/obsolete.dll");
	fp = fopen(f, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	run_plan(&u, ACTION(06), win, NULL, alpha, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_uint_eq(u.e->nchanges, 2);
	ck_assert_int_eq(u.e->changes[0].kind, CHANGE_RENAME_FILE);
	ck_assert_int_ge(asprintf(&want, "%s/System32/NMPERF.DLL", win), 0);
	ck_assert_str_eq(u.e->changes[0].file, want);
	free(want);
	ck_assert_int_ge(asprintf(&want, "%s/System32/Nmperf.dll.disabled",
	    win), 0);
	ck_assert_str_eq(u.e->changes[0].to, want);
	free(want);
	ck_assert_int_eq(u.e->changes[1].kind, CHANGE_DELETE_FILE);
	ck_assert_str_eq(u.e->changes[1].file, f);
	ck_assert_str_eq(u.e->changes[1].winfile,
	    "%windir%\\system32\\Obsolete.dll");
	run_free(&u);

	run_plan(&u, ACTION(06), NULL, NULL, alpha, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NEEDS_FOLDER);
	ck_assert_uint_eq(u.e->nchanges, 0);
	run_free(&u);
	tu_rmrf(win);
	free(win);
	free(f);
	free(alpha);
}
END_TEST

/* file-exists and architecture, true and false. */
/* The children of a group that say the same thing say it once: three
 * patterns of an ImagePath that is not there. */
START_TEST(test_cond_reason_once)
{
	struct run u;
	char *sys = tu_fixture("system-clean/SYSTEM");

	run_cond(&u, "<any>"
	    "<value-matches path=\"" SVC "SMS_EXECUTIVE\" name=\"ImagePath\" "
	    "pattern=\"*\\site.srv\\*\"/>"
	    "<value-matches path=\"" SVC "SMS_EXECUTIVE\" name=\"ImagePath\" "
	    "pattern=\"*\\bin\\i386\\smsexec.exe\"/>"
	    "<key-exists path=\"" SVC "SMS_EXECUTIVE\"/>"
	    "<key-exists path=\"" SVC "EXIFS\\Nope\"/></any>", sys);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(u.e->reason, "'HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "ControlSet002\\Services\\SMS_EXECUTIVE' does not exist; "
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\EXIFS\\"
	    "Nope' does not exist");
	run_free(&u);
	free(sys);
}
END_TEST

START_TEST(test_cond_file_architecture)
{
	struct run u;
	char *alpha = tu_fixture("system-alpha/SYSTEM");
	char *x86 = tu_fixture("system/SYSTEM");
	char *win = windows_folder(1), *empty = windows_folder(0);

	run_plan(&u, ACTION(18), win, NULL, alpha, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_ptr_nonnull(strstr(u.e->reason, "NMPERF.DLL' exists"));
	run_free(&u);
	run_plan(&u, ACTION(18), empty, NULL, alpha, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_ptr_nonnull(strstr(u.e->reason, "Nmperf.dll' does not "
	    "exist"));
	run_free(&u);
	run_plan(&u, ACTION(19), NULL, NULL, x86, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_APPLIES);
	ck_assert_str_eq(u.e->reason, "PROCESSOR_ARCHITECTURE is 'x86'");
	run_free(&u);
	run_plan(&u, ACTION(19), NULL, NULL, alpha, NULL);
	ck_assert_int_eq(u.e->status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(u.e->reason, "PROCESSOR_ARCHITECTURE is 'alpha', "
	    "not 'x86'");
	run_free(&u);
	tu_rmrf(win);
	tu_rmrf(empty);
	free(win);
	free(empty);
	free(alpha);
	free(x86);
}
END_TEST

static Suite *
seeds_suite(void)
{
	Suite *s = suite_create("seeds");
	TCase *tc = tcase_create("Q256211");

	tcase_add_test(tc, test_q256211_system_only);
	tcase_add_test(tc, test_q256211_user_without_path);
	tcase_add_test(tc, test_q256211_user_with_path);
	tcase_add_test(tc, test_q256211_never_twice);
	tcase_add_test(tc, test_q256211_keeps_type);
	tcase_add_test(tc, test_q256211_no_mounted_devices);
	tcase_add_test(tc, test_q256211_clean);
	tcase_add_test(tc, test_q256211_real_xp);
	suite_add_tcase(s, tc);

	tc = tcase_create("Q268499");
	tcase_add_test(tc, test_q268499_hive_alone);
	tcase_add_test(tc, test_q268499_with_folder);
	suite_add_tcase(s, tc);

	tc = tcase_create("Q195936");
	tcase_add_test(tc, test_q195936_advisory);
	suite_add_tcase(s, tc);

	tc = tcase_create("Q267971 Q317061");
	tcase_add_test(tc, test_q267971_keys);
	tcase_add_test(tc, test_q317061_drive_letter);
	suite_add_tcase(s, tc);

	tc = tcase_create("actions");
	tcase_add_test(tc, test_action_delete_value);
	tcase_add_test(tc, test_action_create_key);
	tcase_add_test(tc, test_action_set_value_types);
	tcase_add_test(tc, test_action_delete_key);
	tcase_add_test(tc, test_action_edit_list);
	tcase_add_test(tc, test_action_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("conditions");
	tcase_add_test(tc, test_value_types);
	tcase_add_test(tc, test_cond_file_architecture);
	tcase_add_test(tc, test_cond_reason_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(seeds_suite());
}
