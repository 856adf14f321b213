/* check_when.c: the conditions that tell when a remedy applies.
 *
 * - A remedy whose conditions read a hive that was not given (its
 *   <hive> not optional) is undecided, not false: it is "missing hive"
 *   and its reason says what the hives given show, unless those already
 *   rule it out, when it is "not applicable" with their reason.  Nothing
 *   is planned without the hive.
 * - <key-empty> holds for a key without values and subkeys, the plan's
 *   own changes included.
 * - <list-contains> and <edit-list> on a REG_MULTI_SZ: its strings are the
 *   entries; a multi-sz not stored as kbfix would write it back is left
 *   as it is, with a note.
 *
 * The hives are built here from .reg text, one small machine per test.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive.h"
#include "plan.h"
#include "remedy.h"
#include "testutil.h"

#define REG	"Windows Registry Editor Version 5.00\n\n"
#define SYS	"[HKEY_LOCAL_MACHINE\\SYSTEM\\"
#define SVC	SYS "ControlSet001\\Services\\"

/* A SYSTEM hive with IIS's W3SVC, and keys of each kind for key-empty. */
static const char sys_reg[] = REG
    SYS "Select]\n\"Current\"=dword:00000001\n\n"
    SVC "W3SVC]\n\"ImagePath\"=\"C:\\\\WINNT\\\\System32\\\\inetsrv\\\\"
    "inetinfo.exe\"\n\n"
    SVC "W3SVC\\Parameters]\n\"MaxConnections\"=dword:000003e8\n\n"
    SVC "Empty]\n\n"
    SVC "OneValue]\n\"X\"=dword:00000001\n\n"
    SVC "OneKey\\Sub]\n\n"
    SVC "Lists]\n"
    "\"Multi\"=hex(7):41,00,00,00,42,00,00,00,00,00\n"
    "\"Unended\"=hex(7):41,00,00,00,42,00,00,00\n";

/* The same machine after the article's change. */
static const char sys_done_reg[] = REG
    SVC "W3SVC\\Parameters]\n\"SslNoKeepAlive\"=dword:00000001\n";

static const char soft_reg[] = REG
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt]\n\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\n"
    "\"CurrentVersion\"=\"4.0\"\n";

static const char soft51_reg[] = REG
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt]\n\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\n"
    "\"CurrentVersion\"=\"5.1\"\n";

static const char user_reg[] = REG
    "[HKEY_CURRENT_USER\\Software\\Microsoft]\n\n"
    "[HKEY_CURRENT_USER\\Environment]\n\"TEMP\"=\"C:\\\\TEMP\"\n";

#define HEAD(id) "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"" id "\">\n" \
    "<title>t</title><article number=\"" id "\"><product>p</product>" \
    "<symptom>s</symptom><workaround>w</workaround></article>" \
    "<summary>s</summary>\n"

#define W3SVC	"HKLM\\SYSTEM\\CurrentControlSet\\Services\\W3SVC"
#define NTVER	"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"

/* IIS on Windows NT 4.0 whose SslNoKeepAlive is not set yet: the product
 * needs SOFTWARE, the symptom and the change SYSTEM. */
static const char iis_nt4[] = HEAD("Q9100001")
    "<hive name=\"SYSTEM\"/><hive name=\"SOFTWARE\"/>\n<when>"
    "<value-matches path=\"" W3SVC "\" name=\"ImagePath\" "
    "pattern=\"*\\inetinfo.exe\"/>"
    "<value-equals path=\"" NTVER "\" name=\"CurrentVersion\" data=\"4.0\"/>"
    "<not><value-exists path=\"" W3SVC "\\Parameters\" "
    "name=\"SslNoKeepAlive\"/></not></when>\n"
    "<actions><set-value path=\"" W3SVC "\\Parameters\" "
    "name=\"SslNoKeepAlive\" type=\"dword\" data=\"1\" create=\"true\"/>"
    "</actions></remedy>\n";

/* Conditions on SYSTEM, a change on SOFTWARE. */
static const char change_soft[] = HEAD("Q9100002")
    "<hive name=\"SYSTEM\"/><hive name=\"SOFTWARE\"/>\n<when>"
    "<key-exists path=\"" W3SVC "\"/></when>\n"
    "<actions><set-value path=\"" NTVER "\" name=\"X\" type=\"dword\" "
    "data=\"1\" create=\"true\"/></actions></remedy>\n";

/* The same conditions with SOFTWARE optional: as before, a condition on
 * an optional hive that is not given is false. */
static const char optional_soft[] = HEAD("Q9100003")
    "<hive name=\"SYSTEM\"/><hive name=\"SOFTWARE\" optional=\"true\"/>\n"
    "<when><key-exists path=\"" W3SVC "\"/>"
    "<value-equals path=\"" NTVER "\" name=\"CurrentVersion\" data=\"4.0\"/>"
    "</when>\n<actions><set-value path=\"" W3SVC "\\Parameters\" "
    "name=\"SslNoKeepAlive\" type=\"dword\" data=\"1\" create=\"true\"/>"
    "</actions></remedy>\n";

static struct remedy *
load_text(const char *text)
{
	char *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	struct remedy *r = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_msg(remedy_load_memory(text, strlen(text), "t.xml", schema,
	    &r, &d) == 0, "%s", d.n ? d.items[0].msg : "?");
	ck_assert_int_eq(remedy_check(r, &d), 0);
	diag_free(&d);
	free(schema);
	return r;
}

/* A machine: the hives built from the .reg texts given (NULL: not
 * given), in a fresh folder. */
struct machine {
	char *dir;
	struct hive *hv[3];
	size_t n;
};

static void
machine_add(struct machine *m, const char *name, const char *prefix,
    const char *root, const char *reg, const char *extra)
{
	char *p = tu_path(m->dir, name);

	tu_mkhive(p, root, prefix, reg);
	if (extra != NULL)
		tu_reg_merge(p, prefix, extra);
	m->hv[m->n++] = tu_hive_open(p);
	free(p);
}

static void
machine_open(struct machine *m, const char *sys_extra, const char *soft,
    int with_sys, int with_user)
{
	memset(m, 0, sizeof *m);
	m->dir = tu_tmpdir();
	if (with_sys)
		machine_add(m, "SYSTEM", NULL, NULL, sys_reg, sys_extra);
	if (soft != NULL)
		machine_add(m, "SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE",
		    "CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}",
		    soft, NULL);
	if (with_user)
		machine_add(m, "NTUSER.DAT", "HKEY_CURRENT_USER",
		    "CMI-CreateHive{D43B12B8-09B5-40DB-B4F6-F6DFEB78DAEC}",
		    user_reg, NULL);
}

static void
machine_close(struct machine *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		hive_close(m->hv[i]);
	tu_rmrf(m->dir);
	free(m->dir);
}

/* The plan of the remedies TEXTS (NULL-terminated) on M.  The caller
 * frees the plan and the remedies in *RS. */
static struct plan *
plan_on(struct machine *m, const char *const *texts, struct remedy **rs,
    size_t *nrs)
{
	struct target t = { m->hv, m->n, NULL };
	struct plan *p = NULL;
	struct diag d;
	size_t n;

	for (n = 0; texts[n]; n++)
		rs[n] = load_text(texts[n]);
	*nrs = n;
	diag_init(&d);
	ck_assert_msg(plan_compute(rs, n, &t, NULL, &p, &d) == 0, "%s",
	    d.n ? d.items[0].msg : "?");
	diag_free(&d);
	return p;
}

static void
plan_done(struct plan *p, struct remedy **rs, size_t n)
{
	size_t i;

	plan_free(p);
	for (i = 0; i < n; i++)
		remedy_free(rs[i]);
}

/* Status and reason of the one remedy TEXT on M (LABEL names the case in
 * messages). */
static void
expect(const char *label, struct machine *m, const char *text,
    enum entry_status st, const char *reason)
{
	const char *texts[] = { text, NULL };
	struct remedy *rs[1];
	size_t n;
	struct plan *p = plan_on(m, texts, rs, &n);
	const struct plan_entry *e = &p->entries[0];

	ck_assert_msg(e->status == st, "%s: status %s (%s), want %s", label,
	    plan_status_name(e->status), e->reason, plan_status_name(st));
	ck_assert_msg(strcmp(e->reason, reason) == 0, "%s: reason '%s', want "
	    "'%s'", label, e->reason, reason);
	ck_assert_int_eq(e->nchanges > 0, st == ENTRY_APPLIES);
	plan_done(p, rs, n);
}

#define KEY	"'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\"
#define SHOWN_IMAGE "'ImagePath' of " KEY "W3SVC' is " \
    "\"C:\\WINNT\\System32\\inetsrv\\inetinfo.exe\", which matches " \
    "'*\\inetinfo.exe'"
#define SHOWN_VER "'CurrentVersion' of 'HKEY_LOCAL_MACHINE\\SOFTWARE\\" \
    "Microsoft\\Windows NT\\CurrentVersion'"

/* ------------------------------------------------------------------ */

/* The machines of the tests below: which hives they have, built from
 * which .reg texts. */
struct case_ {
	const char *what;
	const char *remedy;
	int with_sys;		/* sys_reg, plus SYS_EXTRA */
	const char *sys_extra;
	const char *soft;	/* NULL: no SOFTWARE */
	int with_user;
	enum entry_status st;
	const char *reason;
};

static const struct case_ missing_cases[] = {
	{ "both hives", iis_nt4, 1, NULL, soft_reg, 0, ENTRY_APPLIES,
	    SHOWN_IMAGE "; " SHOWN_VER " is \"4.0\"; " KEY "W3SVC\\Parameters' "
	    "has no value 'SslNoKeepAlive'" },
	{ "another Windows", iis_nt4, 1, NULL, soft51_reg, 0,
	    ENTRY_NOT_APPLICABLE, SHOWN_VER " is \"5.1\", not \"4.0\"" },
	/* SYSTEM alone: the product needs SOFTWARE to be told. */
	{ "SYSTEM alone", iis_nt4, 1, NULL, NULL, 0, ENTRY_MISSING_HIVE,
	    "needs the SOFTWARE hive, which was not given, to tell whether it "
	    "applies; the hives given show: " SHOWN_IMAGE "; " KEY "W3SVC\\"
	    "Parameters' has no value 'SslNoKeepAlive'" },
	/* The symptom is gone: SYSTEM alone says so. */
	{ "SYSTEM alone, done", iis_nt4, 1, sys_done_reg, NULL, 0,
	    ENTRY_NOT_APPLICABLE, KEY "W3SVC\\Parameters' has a value "
	    "'SslNoKeepAlive'" },
	/* SOFTWARE alone: its own conditions decide, or SYSTEM is needed. */
	{ "SOFTWARE alone", iis_nt4, 0, NULL, soft_reg, 0, ENTRY_MISSING_HIVE,
	    "needs the SYSTEM hive, which was not given, to tell whether it "
	    "applies; the hives given show: " SHOWN_VER " is \"4.0\"" },
	{ "SOFTWARE alone, another Windows", iis_nt4, 0, NULL, soft51_reg, 0,
	    ENTRY_NOT_APPLICABLE, SHOWN_VER " is \"5.1\", not \"4.0\"" },
	/* A user's hive alone: both are needed, and nothing is shown. */
	{ "a user alone", iis_nt4, 0, NULL, NULL, 1, ENTRY_MISSING_HIVE,
	    "needs the SYSTEM and SOFTWARE hives, which were not given" },
	/* The conditions hold without SOFTWARE; the change is made there. */
	{ "for the changes", change_soft, 1, NULL, NULL, 0, ENTRY_MISSING_HIVE,
	    "needs the SOFTWARE hive, which was not given, for its changes; "
	    "the hives given show: " KEY "W3SVC' exists" },
	{ "for the changes, given", change_soft, 1, NULL, soft_reg, 0,
	    ENTRY_APPLIES, KEY "W3SVC' exists" },
	/* An optional hive that is not given: its conditions are false. */
	{ "optional", optional_soft, 1, NULL, NULL, 0, ENTRY_NOT_APPLICABLE,
	    "no SOFTWARE hive to look in for '" NTVER "'" },
};

START_TEST(test_missing_hive)
{
	const struct case_ *c = &missing_cases[_i];
	struct machine m;

	machine_open(&m, c->sys_extra, c->soft, c->with_sys, c->with_user);
	expect(c->what, &m, c->remedy, c->st, c->reason);
	machine_close(&m);
}
END_TEST

/* Nothing is planned for a remedy that misses a hive it needs. */
START_TEST(test_missing_not_planned)
{
	const char *texts[] = { iis_nt4, change_soft, NULL };
	struct remedy *rs[2];
	struct machine m;
	struct plan *p;
	size_t n;

	machine_open(&m, NULL, NULL, 1, 0);
	p = plan_on(&m, texts, rs, &n);
	ck_assert_uint_eq(plan_nchanges(p), 0);
	ck_assert_int_eq(p->entries[0].status, ENTRY_MISSING_HIVE);
	ck_assert_int_eq(p->entries[1].status, ENTRY_MISSING_HIVE);
	plan_done(p, rs, n);
	machine_close(&m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* <key-empty> */

#define SVCS	"HKLM\\SYSTEM\\CurrentControlSet\\Services\\"

static char *
key_empty(const char *id, const char *path, const char *actions)
{
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s, "<?xml version=\"1.0\"?>\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"%s\"><title>t</title>"
	    "<article number=\"Q9100010\"><product>p</product><symptom>s"
	    "</symptom><workaround>w</workaround></article><summary>s"
	    "</summary><hive name=\"SYSTEM\"/><when><key-empty path=\"%s\"/>"
	    "</when><actions>%s</actions></remedy>\n", id, path, actions), 0);
	return s;
}

#define DEL(p)	"<delete-key path=\"" p "\"/>"

START_TEST(test_key_empty)
{
	static const struct {
		const char *path;
		enum entry_status st;
		const char *reason;
	} t[] = {
		{ SVCS "Empty", ENTRY_APPLIES, KEY "Empty' exists and is empty" },
		{ SVCS "OneValue", ENTRY_NOT_APPLICABLE,
		    KEY "OneValue' holds 1 value and 0 subkeys" },
		{ SVCS "OneKey", ENTRY_NOT_APPLICABLE,
		    KEY "OneKey' holds 0 values and 1 subkey" },
		{ SVCS "OneKey\\Sub", ENTRY_APPLIES,
		    KEY "OneKey\\Sub' exists and is empty" },
		{ SVCS "Missing", ENTRY_NOT_APPLICABLE,
		    KEY "Missing' does not exist" },
		{ SVCS "One*", ENTRY_NOT_APPLICABLE,
		    "0 of the 2 keys matching " KEY "One*' are empty" },
		{ SVCS "*ty", ENTRY_APPLIES,
		    "1 of the 1 keys matching " KEY "*ty' is empty" },
	};
	struct machine m;
	size_t i;

	machine_open(&m, NULL, NULL, 1, 0);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *r = key_empty("Q9100010", t[i].path,
		    DEL(SVCS "OneKey\\Sub"));

		expect(t[i].path, &m, r, t[i].st, t[i].reason);
		free(r);
	}
	machine_close(&m);
}
END_TEST

/* What the remedies planned before counts: a value deleted empties a
 * key, a key created or a value set fills one. */
START_TEST(test_key_empty_plan)
{
	char *empties = key_empty("Q9100011", SVCS "OneValue",
	    DEL(SVCS "OneValue"));
	char *fills = key_empty("Q9100012", SVCS "Empty", DEL(SVCS "Empty"));
	char *after_create = key_empty("Q9100013", SVCS "New",
	    "<set-value path=\"" SVCS "New\" name=\"Z\" type=\"dword\" "
	    "data=\"1\" create=\"true\"/>");
	const char *texts[] = {
	    HEAD("Q9100014") "<hive name=\"SYSTEM\"/><actions>"
	    "<delete-value path=\"" SVCS "OneValue\" name=\"X\"/>"
	    "<set-value path=\"" SVCS "Empty\" name=\"Y\" type=\"sz\" data=\"y\"/>"
	    "<set-value path=\"" SVCS "Empty\" name=\"Y\" type=\"sz\" data=\"y\" "
	    "create=\"true\"/><create-key path=\"" SVCS "New\"/>"
	    "</actions></remedy>\n", empties, fills, after_create, NULL };
	struct remedy *rs[4];
	struct machine m;
	struct plan *p;
	size_t n;

	machine_open(&m, NULL, NULL, 1, 0);
	p = plan_on(&m, texts, rs, &n);
	ck_assert_int_eq(p->entries[0].status, ENTRY_APPLIES);
	ck_assert_str_eq(p->entries[1].reason, KEY "OneValue' exists and is "
	    "empty");
	ck_assert_int_eq(p->entries[1].status, ENTRY_APPLIES);
	ck_assert_str_eq(p->entries[2].reason, KEY "Empty' holds 1 value and "
	    "0 subkeys");
	ck_assert_int_eq(p->entries[2].status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(p->entries[3].reason, KEY "New' exists and is empty");
	ck_assert_int_eq(p->entries[3].status, ENTRY_APPLIES);
	plan_done(p, rs, n);
	machine_close(&m);
	free(empties);
	free(fills);
	free(after_create);
}
END_TEST

START_TEST(test_key_empty_load)
{
	static const char bad[] = HEAD("Q9100015") "<hive name=\"SYSTEM\"/>"
	    "<when><key-empty/><key-empty path=\"HKLM\\SOFTWARE\\X\"/></when>"
	    "<actions><delete-key path=\"" SVCS "X\"/></actions></remedy>\n";
	char *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	struct remedy *r = NULL;
	struct diag d;
	size_t i;
	int path_missing = 0;

	diag_init(&d);
	ck_assert_int_eq(remedy_load_memory(bad, strlen(bad), "bad.xml",
	    schema, &r, &d), -1);
	for (i = 0; i < d.n; i++)
		if (strstr(d.items[i].msg, "'key-empty': The attribute 'path' "
		    "is required"))
			path_missing = 1;
	ck_assert_msg(path_missing, "%s", d.n ? d.items[0].msg : "?");
	diag_free(&d);
	free(schema);
}
END_TEST

/* ------------------------------------------------------------------ */
/* lists in a REG_MULTI_SZ */

static char *
multi(const char *id, const char *name, const char *when, const char *ops)
{
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s, "<?xml version=\"1.0\"?>\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"%s\"><title>t</title>"
	    "<article number=\"Q9100020\"><product>p</product><symptom>s"
	    "</symptom><workaround>w</workaround></article><summary>s"
	    "</summary><hive name=\"SYSTEM\"/><when>%s</when><actions>"
	    "<edit-list path=\"" SVCS "Lists\" name=\"%s\">%s</edit-list>"
	    "</actions></remedy>\n", id, when, name, ops), 0);
	return s;
}

START_TEST(test_multi_sz)
{
	char *r = multi("Q9100020", "Multi", "<not><list-contains path=\""
	    SVCS "Lists\" name=\"Multi\" pattern=\"c\"/></not>"
	    "<list-contains path=\"" SVCS "Lists\" name=\"Multi\" "
	    "pattern=\"a\"/>", "<remove pattern=\"A\"/>"
	    "<append entry=\"Software\\Microsoft\\SMS\"/><append entry=\"b\"/>");
	const char *texts[] = { r, NULL };
	/* B, Software\Microsoft\SMS, and the empty string that ends it. */
	static const unsigned char want[] = { 'B', 0, 0, 0, 'S', 0, 'o', 0,
	    'f', 0, 't', 0, 'w', 0, 'a', 0, 'r', 0, 'e', 0, '\\', 0, 'M', 0,
	    'i', 0, 'c', 0, 'r', 0, 'o', 0, 's', 0, 'o', 0, 'f', 0, 't', 0,
	    '\\', 0, 'S', 0, 'M', 0, 'S', 0, 0, 0, 0, 0 };
	struct remedy *rs[1];
	struct machine m;
	struct plan *p;
	const struct change *ch;
	size_t n;

	machine_open(&m, NULL, NULL, 1, 0);
	p = plan_on(&m, texts, rs, &n);
	ck_assert_int_eq(p->entries[0].status, ENTRY_APPLIES);
	ck_assert_str_eq(p->entries[0].reason, "'Multi' of " KEY "Lists' "
	    "holds no entry matching 'c'; 'Multi' of " KEY "Lists' holds an "
	    "entry matching 'a': 'A'");
	ck_assert_uint_eq(p->entries[0].nchanges, 1);
	ch = &p->entries[0].changes[0];
	ck_assert_int_eq(ch->kind, CHANGE_SET_VALUE);
	ck_assert_uint_eq(ch->new.type, REG_MULTI_SZ);
	ck_assert_uint_eq(ch->new.len, sizeof want);
	ck_assert(memcmp(ch->new.data, want, sizeof want) == 0);
	plan_done(p, rs, n);
	machine_close(&m);
	free(r);
}
END_TEST

/* A multi-sz without its final empty string would lose bytes if written
 * back from its strings: it is left as it is, and the plan says so. */
START_TEST(test_multi_sz_unended)
{
	char *r = multi("Q9100021", "Unended", "<list-contains path=\"" SVCS
	    "Lists\" name=\"Unended\" pattern=\"b\"/>", "<remove pattern=\"b\"/>");
	const char *texts[] = { r, NULL };
	struct remedy *rs[1];
	struct machine m;
	struct plan *p;
	size_t n;

	machine_open(&m, NULL, NULL, 1, 0);
	p = plan_on(&m, texts, rs, &n);
	ck_assert_uint_eq(p->entries[0].nchanges, 0);
	ck_assert_int_eq(p->entries[0].status, ENTRY_DONE);
	ck_assert_uint_eq(p->entries[0].nnotes, 1);
	ck_assert_ptr_nonnull(strstr(p->entries[0].notes[0], "value 'Unended' "
	    "is not a valid string: left as it is"));
	plan_done(p, rs, n);
	machine_close(&m);
	free(r);
}
END_TEST

static Suite *
when_suite(void)
{
	Suite *s = suite_create("when");
	TCase *tc = tcase_create("missing hive");
	TCase *ke = tcase_create("key-empty");
	TCase *ms = tcase_create("multi-sz");

	tcase_add_loop_test(tc, test_missing_hive, 0,
	    sizeof missing_cases / sizeof missing_cases[0]);
	tcase_add_test(tc, test_missing_not_planned);
	suite_add_tcase(s, tc);
	tcase_add_test(ke, test_key_empty);
	tcase_add_test(ke, test_key_empty_plan);
	tcase_add_test(ke, test_key_empty_load);
	suite_add_tcase(s, ke);
	tcase_add_test(ms, test_multi_sz);
	tcase_add_test(ms, test_multi_sz_unended);
	suite_add_tcase(s, ms);
	return s;
}

int
main(void)
{
	return tu_run_suite(when_suite());
}
