/* check_remedy.c: unit tests of the remedy loader, paths, values, checks. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlerror.h>
#include <libxml/globals.h>

#include "remedy.h"
#include "testutil.h"

static char *
schema(void)
{
	return tu_path(tu_srcdir(), "remedies/remedy.xsd");
}

static char *
seed_path(const char *id)
{
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/remedies/%s.xml", tu_srcdir(), id), 0);
	return p;
}

static char *
printed(const struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	diag_print(d, f);
	fclose(f);
	return buf;
}

/* Load the seed ID; fails the test on any message. */
static struct remedy *
load_seed(const char *id)
{
	struct remedy *r = NULL;
	struct diag d;
	char *p = seed_path(id), *s = schema(), *out;

	diag_init(&d);
	ck_assert_int_eq(remedy_load(p, s, &r, &d), 0);
	out = printed(&d);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->file, p);
	diag_free(&d);
	free(p);
	free(s);
	return r;
}

/* Load XML from memory as "t.xml"; returns the printed diagnostics (the
 * caller frees them) and the return code in *RC. */
static char *
load_str_len(const char *xml, size_t len, int *rc, struct remedy **out)
{
	struct remedy *r = NULL;
	struct diag d;
	char *s = schema(), *msgs;

	diag_init(&d);
	*rc = remedy_load_memory(xml, len, "t.xml", s, &r, &d);
	msgs = printed(&d);
	if (*rc == 0) {
		ck_assert_ptr_nonnull(r);
		ck_assert_uint_eq(d.nerrors, 0);
	} else {
		ck_assert_int_eq(*rc, -1);
		ck_assert_ptr_null(r);
		ck_assert_uint_gt(d.nerrors, 0);
	}
	if (out != NULL)
		*out = r;
	else
		remedy_free(r);
	diag_free(&d);
	free(s);
	return msgs;
}

static char *
load_str(const char *xml, int *rc, struct remedy **out)
{
	return load_str_len(xml, strlen(xml), rc, out);
}

/* A complete remedy whose line 7 starts with BODY (after the hive). */
#define HEAD \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"T1\">\n" \
	"  <title>t</title>\n" \
	"  <article number=\"Q1\"><product>p</product><symptom>s</symptom></article>\n" \
	"  <summary>s</summary>\n" \
	"  <hive name=\"SYSTEM\"/>\n"

static char *
with_body(const char *body)
{
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s, HEAD "%s</remedy>\n", body), 0);
	return s;
}

/* Expect BODY to fail with exactly MSGS. */
static void
expect_body(const char *body, const char *msgs)
{
	char *x = with_body(body), *got;
	int rc;

	got = load_str(x, &rc, NULL);
	ck_assert_str_eq(got, msgs);
	ck_assert_int_eq(rc, msgs[0] ? -1 : 0);
	free(got);
	free(x);
}

static void
assert_path(const struct rpath *p, enum hive_kind h, size_t n, ...)
{
	va_list ap;
	size_t i;

	ck_assert_int_eq(p->hive, h);
	ck_assert_uint_eq(p->nelems, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(p->elems[i], va_arg(ap, const char *));
	va_end(ap);
}

static void
assert_bytes(const struct rvalue *v, const char *bytes, size_t n)
{
	ck_assert_uint_eq(v->len, n);
	if (n > 0)
		ck_assert_mem_eq(v->data, bytes, n);
}

/* ------------------------------------------------------------ seeds */

START_TEST(test_seed_q267971)
{
	struct remedy *r = load_seed("Q267971");
	char *cmd = NULL, *out = NULL, hex[65], *p = seed_path("Q267971");
	size_t i;

	ck_assert_str_eq(r->id, "Q267971");
	ck_assert_str_eq(r->article, "Q267971");
	ck_assert_str_eq(r->modified, "11-JUN-2002");
	ck_assert_str_eq(r->title,
	    "SMS: The Library for Smsperf.dll Could Not Be Opened");
	ck_assert_uint_eq(r->nproducts, 2);
	ck_assert_str_eq(r->products[0],
	    "Microsoft Systems Management Server 2.0 SP2");
	ck_assert_str_eq(r->products[1],
	    "Microsoft Systems Management Server 2.0 SP3");
	ck_assert_int_eq(r->draft, 0);
	ck_assert_int_eq(r->restart, 0);
	ck_assert_uint_eq(r->nwarnings, 0);
	ck_assert_ptr_null(r->advisory);
	ck_assert_uint_eq(r->nhives, 2);
	ck_assert_int_eq(r->hives[0], HIVE_SYSTEM);
	ck_assert_int_eq(r->hive_optional[0], 0);
	/* Its service pack is read there, so it is not optional either. */
	ck_assert_int_eq(r->hives[1], HIVE_SOFTWARE);
	ck_assert_int_eq(r->hive_optional[1], 0);
	ck_assert_ptr_nonnull(strstr(r->symptom,
	    "\n  The library file \"<Drive>:\\SMS\\bin\\i386\\SMSPERF.dll\""));
	/* The article's text, dedented, with its trailing backslash. */
	ck_assert_ptr_nonnull(strstr(r->workaround,
	    "from the following key:\n\n"
	    "  HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\"));
	ck_assert_int_eq(strncmp(r->workaround, "WARNING: If you use", 19), 0);

	/* The stale keys, on an SMS 2.0 site server, at SP2 or later. */
	ck_assert_int_eq(r->when.kind, COND_ALL);
	ck_assert_uint_eq(r->when.nchildren, 3);
	ck_assert_int_eq(r->when.children[0].kind, COND_KEY_EXISTS);
	assert_path(&r->when.children[0].path, HIVE_SYSTEM, 3,
	    "CurrentControlSet", "Services", "SMSPerfCountersfor*");
	ck_assert_int_eq(r->when.children[1].kind, COND_ANY);
	ck_assert_uint_eq(r->when.children[1].nchildren, 2);
	ck_assert_int_eq(r->when.children[1].children[0].kind,
	    COND_VALUE_MATCHES);
	assert_path(&r->when.children[1].children[0].path, HIVE_SYSTEM, 3,
	    "CurrentControlSet", "Services", "SMS_EXECUTIVE");
	ck_assert_str_eq(r->when.children[1].children[0].pattern,
	    "*\\bin\\i386\\smsexec.exe");
	ck_assert_int_eq(r->when.children[2].kind, COND_VALUE_MATCHES);
	assert_path(&r->when.children[2].path, HIVE_SOFTWARE, 3,
	    "Microsoft", "SMS", "Setup");
	ck_assert_str_eq(r->when.children[2].name, "Full Version");
	ck_assert_str_eq(r->when.children[2].pattern, "2.00.1493.*");

	ck_assert_uint_eq(r->nactions, 1);
	ck_assert_int_eq(r->actions[0].kind, ACT_DELETE_KEY);
	ck_assert_int_eq(r->actions[0].line, 69);
	assert_path(&r->actions[0].path, HIVE_SYSTEM, 3,
	    "CurrentControlSet", "Services", "SMSPerfCountersfor*");
	ck_assert_str_eq(r->actions[0].path.text, "HKEY_LOCAL_MACHINE\\SYSTEM"
	    "\\CurrentControlSet\\Services\\SMSPerfCountersfor*");
	ck_assert(!rpath_elem_is_pattern(r->actions[0].path.elems[1]));
	ck_assert(rpath_elem_is_pattern(r->actions[0].path.elems[2]));

	/* sha256sum is the witness for the digest. */
	ck_assert_int_ge(asprintf(&cmd, "sha256sum '%s'", p), 0);
	ck_assert_int_eq(tu_run(cmd, &out), 0);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->sha256[i]);
	ck_assert_int_eq(strncmp(out, hex, 64), 0);
	free(cmd);
	free(out);
	free(p);
	remedy_free(r);
}
END_TEST

START_TEST(test_seed_q317061)
{
	struct remedy *r = load_seed("Q317061");
	const struct cond *c;
	const struct action *a;

	ck_assert_str_eq(r->id, "Q317061");
	ck_assert_str_eq(r->modified, "06-AUG-2002");
	ck_assert_int_eq(r->restart, 1);
	ck_assert_uint_eq(r->nwarnings, 1);
	ck_assert_str_eq(r->warnings[0], "Microsoft Outlook Web Access (OWA) "
	    "may not function properly while the Exchange 2000 IFS drive is "
	    "hidden.");
	ck_assert_uint_eq(r->nhives, 1);
	ck_assert_int_eq(r->hives[0], HIVE_SYSTEM);
	ck_assert_ptr_nonnull(strstr(r->workaround, "4. Restart the server."));

	ck_assert_uint_eq(r->when.nchildren, 3);
	c = &r->when.children[0];
	ck_assert_int_eq(c->kind, COND_VALUE_EXISTS);
	ck_assert_int_eq(c->line, 53);
	ck_assert_str_eq(c->name, "DriveLetter");
	assert_path(&c->path, HIVE_SYSTEM, 4, "CurrentControlSet", "Services",
	    "EXIFS", "Parameters");
	c = &r->when.children[1];
	ck_assert_int_eq(c->kind, COND_NOT);
	ck_assert_uint_eq(c->nchildren, 1);
	c = &c->children[0];
	ck_assert_int_eq(c->kind, COND_VALUE_EQUALS);
	ck_assert_str_eq(c->name, "DriveLetter");
	ck_assert_uint_eq(c->value.type, 0xFFFFFFFFu);
	ck_assert_str_eq(c->text, "");
	assert_bytes(&c->value, "\0\0", 2);
	/* An SMS 2.0 site server: its Executive runs from SMS\bin\i386 or
	 * SMS\bin\alpha. */
	c = &r->when.children[2];
	ck_assert_int_eq(c->kind, COND_ANY);
	ck_assert_uint_eq(c->nchildren, 2);
	ck_assert_int_eq(c->children[0].kind, COND_VALUE_MATCHES);
	ck_assert_str_eq(c->children[0].name, "ImagePath");
	ck_assert_str_eq(c->children[0].pattern, "*\\bin\\i386\\smsexec.exe");
	assert_path(&c->children[0].path, HIVE_SYSTEM, 3, "CurrentControlSet",
	    "Services", "SMS_EXECUTIVE");
	ck_assert_str_eq(c->children[1].pattern, "*\\bin\\alpha\\smsexec.exe");

	ck_assert_uint_eq(r->nactions, 1);
	a = &r->actions[0];
	ck_assert_int_eq(a->kind, ACT_SET_VALUE);
	ck_assert_int_eq(a->line, 67);
	ck_assert_str_eq(a->name, "DriveLetter");
	ck_assert_int_eq(a->create, 0);
	assert_path(&a->path, HIVE_SYSTEM, 4, "CurrentControlSet", "Services",
	    "EXIFS", "Parameters");
	ck_assert_uint_eq(a->value.type, REG_SZ);
	/* An empty REG_SZ is exactly its UTF-16 NUL. */
	assert_bytes(&a->value, "\0\0", 2);
	remedy_free(r);
}
END_TEST

START_TEST(test_seed_q256211)
{
	struct remedy *r = load_seed("Q256211");
	const struct action *a;

	ck_assert_uint_eq(r->nhives, 2);
	ck_assert_int_eq(r->hives[0], HIVE_SYSTEM);
	ck_assert_int_eq(r->hive_optional[0], 0);
	ck_assert_int_eq(r->hives[1], HIVE_NTUSER);
	ck_assert_int_eq(r->hive_optional[1], 1);
	ck_assert_str_eq(r->workaround, "To work around this behavior, place "
	    "the network drive or UNC path in the user's\npath environment "
	    "variable by using the \"PATH =\" statement in the user's logon\n"
	    "script.");
	ck_assert_ptr_nonnull(r->advisory);
	/* An SMS 2.0 client, a network folder in its system PATH. */
	ck_assert_uint_eq(r->when.nchildren, 2);
	ck_assert_int_eq(r->when.children[0].kind, COND_VALUE_MATCHES);
	assert_path(&r->when.children[0].path, HIVE_SYSTEM, 3,
	    "CurrentControlSet", "Services", "CLISVC");
	ck_assert_str_eq(r->when.children[0].name, "ImagePath");
	ck_assert_str_eq(r->when.children[0].pattern,
	    "*\\MS\\SMS\\Core\\Bin\\Clisvcl.exe");
	ck_assert_int_eq(r->when.children[1].kind, COND_LIST_CONTAINS);
	assert_path(&r->when.children[1].path, HIVE_SYSTEM, 4,
	    "CurrentControlSet", "Control", "Session Manager", "Environment");
	ck_assert_str_eq(r->when.children[1].name, "Path");
	ck_assert_str_eq(r->when.children[1].separator, ";");
	ck_assert_int_eq(r->when.children[1].match, MATCH_NETWORK);
	ck_assert_ptr_null(r->when.children[1].pattern);
	ck_assert_uint_eq(r->nactions, 2);

	a = &r->actions[0];
	ck_assert_int_eq(a->kind, ACT_EDIT_LIST);
	assert_path(&a->path, HIVE_SYSTEM, 4, "CurrentControlSet", "Control",
	    "Session Manager", "Environment");
	ck_assert_str_eq(a->name, "Path");
	ck_assert_str_eq(a->separator, ";");
	ck_assert_int_eq(a->create, 0);
	ck_assert_uint_eq(a->create_type, REG_EXPAND_SZ);
	ck_assert_uint_eq(a->nops, 1);
	ck_assert_int_eq(a->ops[0].kind, LIST_REMOVE);
	ck_assert_int_eq(a->ops[0].match, MATCH_NETWORK);
	ck_assert_ptr_null(a->ops[0].pattern);
	ck_assert_str_eq(a->ops[0].save, "moved");

	a = &r->actions[1];
	ck_assert_int_eq(a->kind, ACT_EDIT_LIST);
	assert_path(&a->path, HIVE_NTUSER, 1, "Environment");
	ck_assert_str_eq(a->name, "Path");
	ck_assert_int_eq(a->create, 1);
	ck_assert_uint_eq(a->create_type, REG_EXPAND_SZ);
	ck_assert_uint_eq(a->nops, 1);
	ck_assert_int_eq(a->ops[0].kind, LIST_APPEND);
	ck_assert_str_eq(a->ops[0].from, "moved");
	ck_assert_ptr_null(a->ops[0].entry);
	remedy_free(r);
}
END_TEST

START_TEST(test_seed_q268499)
{
	struct remedy *r = load_seed("Q268499");
	const struct action *a;

	/* An Alpha-based SMS 2.0 client with Nmperf.dll. */
	ck_assert_uint_eq(r->when.nchildren, 3);
	ck_assert_int_eq(r->when.children[0].kind, COND_ARCHITECTURE);
	ck_assert_str_eq(r->when.children[0].arch, "alpha");
	ck_assert_int_eq(r->when.children[1].kind, COND_VALUE_MATCHES);
	assert_path(&r->when.children[1].path, HIVE_SYSTEM, 3,
	    "CurrentControlSet", "Services", "CLISVC");
	ck_assert_int_eq(r->when.children[2].kind, COND_FILE_EXISTS);
	ck_assert_str_eq(r->when.children[2].file,
	    "%SystemRoot%\\System32\\Nmperf.dll");
	ck_assert_uint_eq(r->nactions, 1);
	a = &r->actions[0];
	ck_assert_int_eq(a->kind, ACT_RENAME_FILE);
	ck_assert_str_eq(a->file, "%SystemRoot%\\System32\\Nmperf.dll");
	ck_assert_str_eq(a->to, "Nmperf.dll.disabled-by-kbfix-Q268499");
	ck_assert_ptr_nonnull(strstr(r->workaround, "rename or remove the "
	    "Nmperf.dll file"));
	remedy_free(r);
}
END_TEST

START_TEST(test_seed_q195936)
{
	struct remedy *r = load_seed("Q195936");

	ck_assert_uint_eq(r->nactions, 0);
	ck_assert_ptr_null(r->workaround);
	ck_assert_str_eq(r->products[0],
	    "Microsoft Systems Management Server 1.2");
	ck_assert_ptr_nonnull(r->advisory);
	ck_assert_ptr_nonnull(strstr(r->advisory, "there is no offline "
	    "workaround"));
	ck_assert_ptr_nonnull(strstr(r->advisory, "   9/28/98   4:23pm      "
	    "254,400 Smsinst.dll (Intel)\n"));
	ck_assert_uint_eq(r->when.nchildren, 1);
	ck_assert_int_eq(r->when.children[0].kind, COND_VALUE_MATCHES);
	assert_path(&r->when.children[0].path, HIVE_SYSTEM, 3,
	    "CurrentControlSet", "Services", "SMS_EXECUTIVE");
	ck_assert_str_eq(r->when.children[0].name, "ImagePath");
	ck_assert_str_eq(r->when.children[0].pattern, "*\\site.srv\\*");
	remedy_free(r);
}
END_TEST

/* Every file of the library loads without a message, its id is its base
 * name, and xmllint agrees with the schema when it is installed. */
START_TEST(test_library_validates)
{
	char *dir = tu_path(tu_srcdir(), "remedies"), *s = schema();
	DIR *dh = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(dh);
	while ((e = readdir(dh)) != NULL) {
		size_t l = strlen(e->d_name);
		struct remedy *r = NULL;
		struct diag d;
		char *p, *msgs, *cmd = NULL;

		if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0)
			continue;
		p = tu_path(dir, e->d_name);
		diag_init(&d);
		ck_assert_msg(remedy_load(p, s, &r, &d) == 0, "%s", p);
		msgs = printed(&d);
		ck_assert_str_eq(msgs, "");
		ck_assert_int_eq(strncmp(r->id, e->d_name, l - 4), 0);
		ck_assert_uint_eq(strlen(r->id), l - 4);
		ck_assert_int_eq(remedy_check(r, &d), 0);
		if (tu_run("command -v xmllint >/dev/null", NULL) == 0) {
			ck_assert_int_ge(asprintf(&cmd, "xmllint --noout "
			    "--schema '%s' '%s' 2>/dev/null", s, p), 0);
			ck_assert_msg(tu_run(cmd, NULL) == 0, "xmllint: %s", p);
			free(cmd);
		}
		free(msgs);
		remedy_free(r);
		diag_free(&d);
		free(p);
		n++;
	}
	closedir(dh);
	ck_assert_int_ge(n, 5);
	free(dir);
	free(s);
}
END_TEST

/* ------------------------------------------------------------ paths */

START_TEST(test_rpath_roots)
{
	static const struct {
		const char *text;
		enum hive_kind hive;
	} ok[] = {
		{ "HKLM\\SYSTEM\\A", HIVE_SYSTEM },
		{ "HKEY_LOCAL_MACHINE\\System\\A", HIVE_SYSTEM },
		{ "hklm\\system\\A", HIVE_SYSTEM },
		{ "HKLM\\SOFTWARE\\A", HIVE_SOFTWARE },
		{ "HKEY_LOCAL_MACHINE\\SOFTWARE\\A", HIVE_SOFTWARE },
		{ "HKLM\\SAM\\A", HIVE_SAM },
		{ "HKEY_LOCAL_MACHINE\\SAM\\A", HIVE_SAM },
		{ "HKLM\\SECURITY\\A", HIVE_SECURITY },
		{ "HKEY_LOCAL_MACHINE\\SECURITY\\A", HIVE_SECURITY },
		{ "HKCU\\A", HIVE_NTUSER },
		{ "HKEY_CURRENT_USER\\A", HIVE_NTUSER },
		{ "HKU\\.DEFAULT\\A", HIVE_DEFAULT },
		{ "HKEY_USERS\\.DEFAULT\\A", HIVE_DEFAULT },
	};
	struct rpath p;
	const char *err;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ck_assert_msg(rpath_parse(ok[i].text, &p, &err) == 0, "%s",
		    ok[i].text);
		assert_path(&p, ok[i].hive, 1, "A");
		ck_assert_str_eq(p.text, ok[i].text);
		rpath_free(&p);
	}
}
END_TEST

START_TEST(test_rpath_forms)
{
	static const char *const bad[] = {
		"HKLM\\FOO\\A", "HKLM", "HKLM\\", "HKLM\\SYSTEMX\\A",
		"HKEY_LOCAL_MACHINEX\\SYSTEM", "HKCUX\\A", "HKU\\S-1-5-18",
		"HKCR\\.txt", "", "\\SYSTEM\\A", "SYSTEM\\A",
	};
	static const char unknown[] = "unknown root key (use HKLM\\SYSTEM, "
	    "HKLM\\SOFTWARE, HKLM\\SAM, HKLM\\SECURITY, HKCU or HKU\\.DEFAULT)";
	struct rpath p;
	const char *err;
	char longname[600];
	size_t i;

	/* The hive root itself, with or without a trailing backslash. */
	ck_assert_int_eq(rpath_parse("HKLM\\SYSTEM", &p, &err), 0);
	assert_path(&p, HIVE_SYSTEM, 0);
	rpath_free(&p);
	ck_assert_int_eq(rpath_parse("HKCU\\", &p, &err), 0);
	assert_path(&p, HIVE_NTUSER, 0);
	rpath_free(&p);
	/* A trailing backslash as the articles write it. */
	ck_assert_int_eq(rpath_parse("HKEY_LOCAL_MACHINE\\System\\"
	    "CurrentControlSet\\Services\\", &p, &err), 0);
	assert_path(&p, HIVE_SYSTEM, 2, "CurrentControlSet", "Services");
	rpath_free(&p);
	/* Spaces and dots are part of names. */
	ck_assert_int_eq(rpath_parse("HKLM\\SYSTEM\\Session Manager\\a.b ",
	    &p, &err), 0);
	assert_path(&p, HIVE_SYSTEM, 2, "Session Manager", "a.b ");
	rpath_free(&p);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(rpath_parse(bad[i], &p, &err) == -1, "%s", bad[i]);
		ck_assert_str_eq(err, unknown);
		ck_assert_ptr_null(p.elems);
	}
	ck_assert_int_eq(rpath_parse("HKLM\\SYSTEM\\A\\\\B", &p, &err), -1);
	ck_assert_str_eq(err, "empty key name (two backslashes in a row)");
	ck_assert_int_eq(rpath_parse("HKLM\\SYSTEM\\\\A", &p, &err), -1);
	ck_assert_int_eq(rpath_parse("HKLM\\SYSTEM\\A\\\\", &p, &err), -1);
	ck_assert_str_eq(err, "empty key name (two backslashes in a row)");
	memset(longname, 'k', sizeof longname);
	memcpy(longname, "HKCU\\", 5);
	longname[5 + 256] = '\0';
	ck_assert_int_eq(rpath_parse(longname, &p, &err), -1);
	ck_assert_str_eq(err, "key name longer than 255 characters: Windows "
	    "allows 255 at most");
	longname[5 + 255] = '\0';
	ck_assert_int_eq(rpath_parse(longname, &p, &err), 0);
	rpath_free(&p);
	/* The limit is in characters (UTF-16 code units), not bytes: 255
	 * letters of two bytes each are a name Windows takes. */
	for (i = 0; i < 256; i++)
		memcpy(longname + 5 + 2 * i, "\xc3\xa9", 2);
	longname[5 + 2 * 255] = '\0';
	ck_assert_int_eq(rpath_parse(longname, &p, &err), 0);
	rpath_free(&p);
	longname[5 + 2 * 255] = '\xc3';
	longname[5 + 2 * 256] = '\0';
	ck_assert_int_eq(rpath_parse(longname, &p, &err), -1);

	ck_assert(rpath_elem_is_pattern("a*"));
	ck_assert(rpath_elem_is_pattern("?"));
	ck_assert(!rpath_elem_is_pattern("[a]"));
	ck_assert(!rpath_elem_is_pattern("Services"));
}
END_TEST

/* ------------------------------------------------------------ values */

static void
expect_encode(uint32_t type, const char *text, const char *bytes, size_t n)
{
	struct rvalue v;
	const char *err = NULL;

	ck_assert_msg(rvalue_encode(type, text, &v, &err) == 0, "%u '%s': %s",
	    type, text, err ? err : "");
	ck_assert_uint_eq(v.type, type);
	assert_bytes(&v, bytes, n);
	free(v.data);
}

static void
expect_encode_err(uint32_t type, const char *text, const char *msg)
{
	struct rvalue v;
	const char *err = NULL;

	ck_assert_msg(rvalue_encode(type, text, &v, &err) == -1, "%u '%s'",
	    type, text);
	ck_assert_str_eq(err, msg);
	ck_assert_ptr_null(v.data);
}

START_TEST(test_rvalue_encode)
{
	expect_encode(REG_SZ, "", "\0\0", 2);
	expect_encode(REG_SZ, "M", "M\0\0\0", 4);
	expect_encode(REG_EXPAND_SZ, "%a%\xc3\xa9",
	    "%\0a\0%\0\xe9\0\0\0", 10);
	/* U+1F600 takes a surrogate pair. */
	expect_encode(REG_SZ, "\xf0\x9f\x98\x80", "\x3d\xd8\x00\xde\0\0", 6);
	expect_encode(REG_LINK, "ab", "a\0b\0", 4);
	expect_encode(REG_MULTI_SZ, "a\nbc", "a\0\0\0b\0c\0\0\0\0\0", 12);
	expect_encode(REG_MULTI_SZ, "a", "a\0\0\0\0\0", 6);
	expect_encode(REG_MULTI_SZ, "", "\0\0", 2);
	expect_encode(REG_DWORD, "1", "\1\0\0\0", 4);
	expect_encode(REG_DWORD, "0x12345678", "\x78\x56\x34\x12", 4);
	expect_encode(REG_DWORD, "4294967295", "\xff\xff\xff\xff", 4);
	expect_encode(REG_DWORD, " 0XfF ", "\xff\0\0\0", 4);
	expect_encode(REG_DWORD_BIG_ENDIAN, "1", "\0\0\0\1", 4);
	expect_encode(REG_QWORD, "0x0102030405060708",
	    "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
	expect_encode(REG_QWORD, "18446744073709551615",
	    "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	expect_encode(REG_BINARY, "01 02 ff", "\x01\x02\xff", 3);
	expect_encode(REG_BINARY, "01,02,FF", "\x01\x02\xff", 3);
	expect_encode(REG_BINARY, "0102ff", "\x01\x02\xff", 3);
	expect_encode(REG_BINARY, "", "", 0);
	expect_encode(REG_NONE, "00", "\0", 1);
	expect_encode(0xFFFF0012u, "ab cd", "\xab\xcd", 2);

	expect_encode_err(REG_SZ, "\xff", "invalid UTF-8");
	expect_encode_err(REG_SZ, "\xed\xa0\x80", "invalid UTF-8");
	expect_encode_err(REG_SZ, "\xc0\xaf", "invalid UTF-8");
	expect_encode_err(REG_MULTI_SZ, "a\n\nb",
	    "empty string in multi-sz (it would end the list)");
	expect_encode_err(REG_MULTI_SZ, "a\n",
	    "empty string in multi-sz (it would end the list)");
	expect_encode_err(REG_DWORD, "12x", "not a number");
	expect_encode_err(REG_DWORD, "", "not a number");
	expect_encode_err(REG_DWORD, "-1", "not a number");
	expect_encode_err(REG_DWORD, "0x", "not a number");
	expect_encode_err(REG_DWORD, "4294967296", "number out of range");
	expect_encode_err(REG_DWORD, "0x100000000", "number out of range");
	expect_encode_err(REG_QWORD, "18446744073709551616",
	    "number out of range");
	expect_encode_err(REG_BINARY, "012", "odd number of hex digits");
	expect_encode_err(REG_BINARY, "zz", "not hex bytes");
	expect_encode_err(REG_BINARY, "0g", "not hex bytes");
	expect_encode_err(REG_BINARY, "01 0g", "not hex bytes");
}
END_TEST

START_TEST(test_rvalue_type_parse)
{
	static const struct {
		const char *name;
		uint32_t type;
	} ok[] = {
		{ "none", 0 }, { "sz", 1 }, { "expand-sz", 2 },
		{ "binary", 3 }, { "dword", 4 }, { "dword-be", 5 },
		{ "link", 6 }, { "multi-sz", 7 }, { "qword", 11 },
		{ "0x0", 0 }, { "0xFFFF0012", 0xFFFF0012u },
		{ "0xffffffff", 0xFFFFFFFFu }, { "0x20001", 0x20001 },
		/* As the articles write them, in any case. */
		{ "SZ", 1 }, { "Dword", 4 }, { "REG_SZ", 1 }, { "reg_sz", 1 },
		{ "REG_EXPAND_SZ", 2 }, { "Reg_Binary", 3 },
		{ "REG_DWORD", 4 }, { "reg_dword", 4 }, { "REG_MULTI_SZ", 7 },
		{ "REG_QWORD", 11 }, { "REG_NONE", 0 },
		{ "REG_DWORD_BIG_ENDIAN", 5 }, { "REG_LINK", 6 },
	};
	static const char *const bad[] = { "dword ", "reg_sz ", "REG_WORD",
		"REG_", "REG_SZ_", "0x", "0x123456789", "0xg", "12", "",
		"0X1" };
	uint32_t t;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ck_assert_msg(rvalue_type_parse(ok[i].name, &t) == 0, "%s",
		    ok[i].name);
		ck_assert_uint_eq(t, ok[i].type);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(rvalue_type_parse(bad[i], &t) == -1, "%s",
		    bad[i]);
}
END_TEST

/* ------------------------------------------------------------ errors */

START_TEST(test_minimal_ok)
{
	struct remedy *r;
	char *x = with_body("<actions>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"\" type=\"multi-sz\">\n"
	    "    <string>one</string>\n"
	    "    <string>two</string>\n"
	    "  </set-value>\n"
	    "  <edit-list path=\"HKLM\\SYSTEM\\A\" name=\"L\" separator=\",\">\n"
	    "    <remove pattern=\"*x*\"/><append entry=\"y\"/>\n"
	    "  </edit-list>\n"
	    "</actions>\n"), *got;
	int rc;

	got = load_str(x, &rc, &r);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(r->id, "T1");
	ck_assert_int_eq(r->line, 2);
	ck_assert_uint_eq(r->when.nchildren, 0);
	ck_assert_uint_eq(r->nactions, 2);
	ck_assert_int_eq(r->actions[0].line, 8);
	ck_assert_str_eq(r->actions[0].name, "");
	ck_assert_str_eq(r->actions[0].text, "one\ntwo");
	assert_bytes(&r->actions[0].value, "o\0n\0e\0\0\0t\0w\0o\0\0\0\0\0",
	    18);
	ck_assert_str_eq(r->actions[1].separator, ",");
	ck_assert_int_eq(r->actions[1].ops[0].match, MATCH_GLOB);
	ck_assert_str_eq(r->actions[1].ops[0].pattern, "*x*");
	ck_assert_int_eq(r->actions[1].ops[0].line, 13);
	ck_assert_str_eq(r->actions[1].ops[1].entry, "y");
	remedy_free(r);
	free(got);
	free(x);
}
END_TEST

/* <unseen>: one paragraph of text, after <restart/> and before <hive>;
 * only a remedy with actions may have it. */
#define U_HEAD(w) \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"T1\">\n" \
	"  <title>t</title>\n" \
	"  <article number=\"Q1\"><product>p</product><symptom>s</symptom>" \
	w "</article>\n" \
	"  <summary>s</summary>\n"
#define U_HIVE "  <hive name=\"SYSTEM\"/>\n"
#define U_ACTIONS \
	"  <actions><delete-value path=\"HKLM\\SYSTEM\\A\" name=\"B\"/>" \
	"</actions>\n</remedy>\n"
START_TEST(test_unseen)
{
	static const char ok[] = U_HEAD("<workaround>w</workaround>")
	    "  <restart/>\n"
	    "  <unseen>\n"
	    "    clients that hang\n"
	    "    now and then\n"
	    "  </unseen>\n" U_HIVE U_ACTIONS;
	static const char advisory[] = U_HEAD("")
	    "  <unseen>u</unseen>\n" U_HIVE
	    "  <advisory>a</advisory>\n"
	    "</remedy>\n";
	static const char late[] = U_HEAD("<workaround>w</workaround>")
	    U_HIVE "  <unseen>u</unseen>\n" U_ACTIONS;
	struct remedy *r;
	char *got;
	int rc;

	got = load_str(ok, &rc, &r);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(r->unseen, "clients that hang now and then");
	ck_assert_int_eq(r->unseen_line, 7);
	ck_assert_int_eq(r->restart, 1);
	remedy_free(r);
	free(got);

	got = load_str(advisory, &rc, NULL);
	ck_assert_str_eq(got, "t.xml:6: error: <unseen> needs <actions>: an "
	    "advisory changes nothing, and its text says when it matters\n");
	ck_assert_int_eq(rc, -1);
	free(got);

	got = load_str(late, &rc, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(got, "t.xml:7: error: Element 'unseen': "
	    "This element is not expected."));
	free(got);

	/* The library's: Q152589's symptom is a client's. */
	r = load_seed("Q152589");
	ck_assert_str_eq(r->unseen, "Netscape Navigator 2.01 clients that "
	    "seem to hang on SSL pages with graphics");
	remedy_free(r);
	r = load_seed("Q317061");
	ck_assert_ptr_null(r->unseen);
	remedy_free(r);
}
END_TEST

START_TEST(test_unknown_element)
{
	expect_body("<actions>\n"
	    "  <delete-keys path=\"HKLM\\SYSTEM\\A\"/>\n"
	    "</actions>\n",
	    "t.xml:8: error: Element 'delete-keys': This element is not "
	    "expected. Expected is one of ( delete-key, delete-value, "
	    "create-key, set-value, edit-list, rename-file, delete-file ).\n");
}
END_TEST

/* libxml2 stops validating the rest of an element after a content error;
 * the loader still reports what follows. */
START_TEST(test_errors_after_content_error)
{
	expect_body("<restrat/>\n"
	    "<actions>\n"
	    "  <delete-key path=\"HKLM\\SYSTEM\\A\" nmae=\"x\"/>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"sz2\" data=\"1\"/>\n"
	    "</actions>\n",
	    "t.xml:7: error: Element 'restrat': This element is not expected. "
	    "Expected is one of ( hive, when, actions, advisory ).\n"
	    "t.xml:9: error: unknown attribute 'nmae' on <delete-key>\n"
	    "t.xml:10: error: unknown value type 'sz2' (sz, expand-sz, "
	    "multi-sz, dword, qword, binary, none, dword-be, link, 0xN for "
	    "another, or REG_SZ, REG_DWORD...: any case)\n");
}
END_TEST

START_TEST(test_missing_attribute)
{
	expect_body("<actions>\n"
	    "  <delete-key/>\n"
	    "</actions>\n",
	    "t.xml:8: error: Element 'delete-key': The attribute 'path' is "
	    "required but missing.\n");
}
END_TEST

START_TEST(test_bad_type_name)
{
	/* The schema takes any name: the loader says which there are. */
	expect_body("<actions>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"REG_WORD\"\n"
	    "             data=\"1\"/>\n"
	    "</actions>\n",
	    "t.xml:8: error: unknown value type 'REG_WORD' (sz, expand-sz, "
	    "multi-sz, dword, qword, binary, none, dword-be, link, 0xN for "
	    "another, or REG_SZ, REG_DWORD...: any case)\n");
	/* The articles' names are kbfix's too. */
	expect_body("<actions>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"REG_SZ\"\n"
	    "             data=\"1\"/>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"y\" type=\"reg_dword\"\n"
	    "             data=\"1\"/>\n"
	    "  <edit-list path=\"HKLM\\SYSTEM\\A\" name=\"P\" create=\"true\"\n"
	    "             create-type=\"REG_SZ\"><append entry=\"a\"/></edit-list>\n"
	    "</actions>\n", "");
}
END_TEST

START_TEST(test_bad_data)
{
	expect_body("<actions>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"dword\" data=\"12x\"/>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"dword\" data=\"0x100000000\"/>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"binary\" data=\"0 1\"/>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"sz\">\n"
	    "    <string>a</string>\n"
	    "  </set-value>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"sz\"/>\n"
	    "</actions>\n",
	    "t.xml:8: error: bad data '12x' for type dword: not a number\n"
	    "t.xml:9: error: bad data '0x100000000' for type dword: number out "
	    "of range\n"
	    "t.xml:10: error: bad data '0 1' for type binary: odd number of hex "
	    "digits\n"
	    "t.xml:11: error: <string> elements need type=\"multi-sz\"\n"
	    "t.xml:14: error: <set-value> needs a data attribute (or <string> "
	    "elements for multi-sz)\n");
}
END_TEST

START_TEST(test_semantic_errors)
{
	expect_body("<when>\n"
	    "  <key-exists path=\"HKCU\\Software\\X\"/>\n"
	    "  <file-exists path=\"C:\\WINNT\\x.dll\"/>\n"
	    "</when>\n"
	    "<actions>\n"
	    "  <edit-list path=\"HKLM\\SYSTEM\\A\" name=\"P\"><append from=\"moved\"/></edit-list>\n"
	    "  <rename-file path=\"%SystemRoot%\\x.dll\" to=\"..\\x.dll\"/>\n"
	    "  <delete-file path=\"%windir%\\..\\boot.ini\"/>\n"
	    "  <create-key path=\"HKLM\\SYSTEM\\A*\"/>\n"
	    "  <delete-key path=\"HKLM\\SYSTEM\"/>\n"
	    "  <delete-key path=\"hklm\\system\\CurrentControlSet\\Services\\?*\"/>\n"
	    "  <edit-list path=\"HKLM\\SYSTEM\\A\" name=\"P\">\n"
	    "    <remove match=\"network\" pattern=\"x\"/>\n"
	    "    <remove/>\n"
	    "    <append entry=\"a;b\" from=\"x\"/>\n"
	    "    <append entry=\"a;b\"/>\n"
	    "  </edit-list>\n"
	    "</actions>\n",
	    "t.xml:9: error: file path 'C:\\WINNT\\x.dll' must start with "
	    "%SystemRoot% or %windir%\n"
	    "t.xml:12: error: <append from=\"moved\"> has no earlier <remove "
	    "save=\"moved\">\n"
	    "t.xml:13: error: new name '..\\x.dll' must be a file name, "
	    "without a path separator\n"
	    "t.xml:14: error: file path '%windir%\\..\\boot.ini' must not hold "
	    "empty, '.' or '..' parts, '/', ':' or '%'\n"
	    "t.xml:15: error: cannot create keys from a path with wildcards "
	    "'HKLM\\SYSTEM\\A*'\n"
	    "t.xml:16: error: cannot delete the root key of hive SYSTEM\n"
	    "t.xml:17: error: pattern '?*' in path 'hklm\\system\\"
	    "CurrentControlSet\\Services\\?*' is only wildcards: it could "
	    "match every subkey\n"
	    "t.xml:19: error: <remove match=\"network\"> takes no pattern\n"
	    "t.xml:20: error: <remove> needs a pattern (or match=\"network\")\n"
	    "t.xml:21: error: <append> needs either entry or from\n"
	    "t.xml:22: error: entry 'a;b' is empty or holds the separator ';'\n"
	    "t.xml:6: error: no <hive> names hive NTUSER, which line 8 "
	    "reads: add <hive name=\"NTUSER\"/>\n");
}
END_TEST

/* Value names past Windows' limit (16,383 characters) are refused, in
 * conditions and actions; at the limit they are taken. */
START_TEST(test_value_name_limit)
{
	char *name = malloc(16385), *body, *got;
	int rc;

	memset(name, 'v', 16384);
	name[16384] = '\0';
	ck_assert_int_ge(asprintf(&body, "<when>\n"
	    "  <value-exists path=\"HKLM\\SYSTEM\\A\" name=\"%s\"/>\n"
	    "</when>\n<actions>\n"
	    "  <delete-value path=\"HKLM\\SYSTEM\\A\" name=\"%s\"/>\n"
	    "</actions>\n", name, name), 0);
	expect_body(body, "t.xml:8: error: value name of 16384 characters: "
	    "Windows allows 16383 at most\n"
	    "t.xml:11: error: value name of 16384 characters: Windows allows "
	    "16383 at most\n");
	free(body);
	name[16383] = '\0';
	ck_assert_int_ge(asprintf(&body, "<actions>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"%s\" type=\"sz\" "
	    "data=\"x\" create=\"true\"/>\n</actions>\n", name), 0);
	got = with_body(body);
	free(body);
	body = load_str(got, &rc, NULL);
	ck_assert_int_eq(rc, 0);
	free(body);
	free(got);
	free(name);
}
END_TEST

START_TEST(test_list_contains)
{
	struct remedy *r = NULL;
	char *x = with_body("<when>\n"
	    "  <list-contains path=\"HKLM\\SYSTEM\\A\" name=\"P\" "
	    "match=\"network\"/>\n"
	    "  <list-contains path=\"HKLM\\SYSTEM\\A\" name=\"P\" "
	    "separator=\",\" pattern=\"C:\\*\"/>\n"
	    "</when>\n<advisory>a</advisory>\n"), *got;
	int rc;

	got = load_str(x, &rc, &r);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(r->when.nchildren, 2);
	ck_assert_int_eq(r->when.children[0].kind, COND_LIST_CONTAINS);
	ck_assert_int_eq(r->when.children[0].match, MATCH_NETWORK);
	ck_assert_str_eq(r->when.children[0].separator, ";");
	ck_assert_ptr_null(r->when.children[0].pattern);
	ck_assert_int_eq(r->when.children[1].match, MATCH_GLOB);
	ck_assert_str_eq(r->when.children[1].separator, ",");
	ck_assert_str_eq(r->when.children[1].pattern, "C:\\*");
	assert_path(&r->when.children[1].path, HIVE_SYSTEM, 1, "A");
	remedy_free(r);
	free(got);
	free(x);

	expect_body("<when>\n"
	    "  <list-contains path=\"HKLM\\SYSTEM\\A\" name=\"P\"/>\n"
	    "  <list-contains path=\"HKLM\\SYSTEM\\A\" name=\"P\" "
	    "match=\"network\" pattern=\"x\"/>\n"
	    "  <list-contains path=\"HKCU\\A\" name=\"P\" pattern=\"x\"/>\n"
	    "</when>\n<advisory>a</advisory>\n",
	    "t.xml:8: error: <list-contains> needs a pattern (or "
	    "match=\"network\")\n"
	    "t.xml:9: error: <list-contains match=\"network\"> takes no "
	    "pattern\n"
	    "t.xml:6: error: no <hive> names hive NTUSER, which line 10 "
	    "reads: add <hive name=\"NTUSER\"/>\n");
	expect_body("<when>\n"
	    "  <list-contains path=\"HKLM\\SYSTEM\\A\" name=\"P\" "
	    "match=\"unc\" separator=\"\"/>\n"
	    "</when>\n<advisory>a</advisory>\n",
	    "t.xml:8: error: Element 'list-contains', attribute 'match': "
	    "[facet 'enumeration'] The value 'unc' is not an element of the "
	    "set {'glob', 'network'}.\n"
	    "t.xml:8: error: Element 'list-contains', attribute 'separator': "
	    "[facet 'minLength'] The value '' has a length of '0'; this "
	    "underruns the allowed minimum length of '1'.\n");
}
END_TEST

START_TEST(test_architecture_needs_system)
{
	const char *x = "<?xml version=\"1.0\"?>\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"T2\">\n"
	    "  <title>t</title>\n"
	    "  <article number=\"Q1\"><product>p</product><symptom>s</symptom></article>\n"
	    "  <summary>s</summary>\n"
	    "  <hive name=\"SOFTWARE\"/>\n"
	    "  <hive name=\"SOFTWARE\"/>\n"
	    "  <when><architecture is=\"alpha\"/></when>\n"
	    "  <advisory>a</advisory>\n"
	    "</remedy>\n";
	char *got;
	int rc;

	got = load_str(x, &rc, NULL);
	ck_assert_str_eq(got,
	    "t.xml:2: error: hive SOFTWARE is named twice\n"
	    "t.xml:6: error: no <hive> names hive SYSTEM, which line 8 "
	    "reads: add <hive name=\"SYSTEM\"/>\n");
	free(got);
}
END_TEST

/* Three mistakes in three places, found by three different layers. */
START_TEST(test_three_mistakes)
{
	const char *x =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"T3\">\n"
	    "  <title>Three mistakes</title>\n"
	    "  <article number=\"Q1\">\n"
	    "    <product>p</product>\n"
	    "    <symptom>s</symptom>\n"
	    "  </article>\n"
	    "  <summary>s</summary>\n"
	    "  <hive name=\"SYSTEM\"/>\n"
	    "  <actions>\n"
	    "    <delete-value path=\"HKLM\\SYSTEM\\A\" name=\"x\"/>\n"
	    "    <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"sz2\" data=\"1\"/>\n"
	    "    <delete-key path=\"HKLM\\SYSTEM\\B\"/>\n"
	    "    <create-key path=\"HKLM\\SYSTEM\\C\"/>\n"
	    "    <delete-key path=\"HKLM\\SYSTME\\D\"/>\n"
	    "    <delete-value path=\"HKLM\\SYSTEM\\A\" name=\"y\"/>\n"
	    "    <delete-value path=\"HKLM\\SYSTEM\\A\" name=\"z\"/>\n"
	    "    <delete-key path=\"HKLM\\SYSTEM\\CurrentControlSet\\Services\\*\"/>\n"
	    "  </actions>\n"
	    "</remedy>\n";
	struct remedy *r = NULL;
	struct diag d;
	char *s = schema(), *got;

	diag_init(&d);
	ck_assert_int_eq(remedy_load_memory(x, strlen(x), "three.xml", s, &r,
	    &d), -1);
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(d.nerrors, 3);
	ck_assert_uint_eq(d.n, 3);
	/* Found by different layers, each in turn: sorted by line, as kbfix
	 * validate prints them. */
	{
		size_t i, j;

		for (i = 1; i < d.n; i++) {
			struct diag_item it = d.items[i];

			for (j = i; j > 0 && d.items[j - 1].line > it.line; j--)
				d.items[j] = d.items[j - 1];
			d.items[j] = it;
		}
	}
	ck_assert_int_eq(d.items[0].line, 12);
	ck_assert_int_eq(d.items[1].line, 15);
	ck_assert_int_eq(d.items[2].line, 18);
	got = printed(&d);
	ck_assert_str_eq(got,
	    "three.xml:12: error: unknown value type 'sz2' (sz, expand-sz, "
	    "multi-sz, dword, qword, binary, none, dword-be, link, 0xN for "
	    "another, or REG_SZ, REG_DWORD...: any case)\n"
	    "three.xml:15: error: bad path 'HKLM\\SYSTME\\D': unknown root key "
	    "(use HKLM\\SYSTEM, HKLM\\SOFTWARE, HKLM\\SAM, HKLM\\SECURITY, "
	    "HKCU or HKU\\.DEFAULT)\n"
	    "three.xml:18: error: pattern '*' in path 'HKLM\\SYSTEM\\"
	    "CurrentControlSet\\Services\\*' is only wildcards: it could "
	    "match every subkey\n");
	free(got);
	diag_free(&d);
	free(s);
}
END_TEST

/* ------------------------------------------------------------ hostile */

START_TEST(test_doctype_external_entity)
{
	char *dir = tu_tmpdir(), *secret = tu_path(dir, "secret.txt");
	char *x = NULL, *x2 = NULL, *got;
	struct remedy *r = NULL;
	FILE *f = fopen(secret, "w");
	int rc;

	ck_assert_ptr_nonnull(f);
	fputs("KBFIX-SECRET-7f3a", f);
	fclose(f);
	/* Otherwise valid: were the entity expanded, the title would carry
	 * the file's content out. */
	ck_assert_int_ge(asprintf(&x, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE remedy [<!ENTITY x SYSTEM \"file://%s\">]>\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"a\">\n"
	    "  <title>&x;</title>\n"
	    "  <article number=\"Q1\"><product>p</product><symptom>s</symptom></article>\n"
	    "  <summary>s</summary>\n"
	    "  <hive name=\"SYSTEM\"/>\n"
	    "  <advisory>a</advisory>\n"
	    "</remedy>\n", secret), 0);
	got = load_str(x, &rc, &r);
	if (r != NULL)
		ck_assert_ptr_null(strstr(r->title, "KBFIX-SECRET"));
	ck_assert_ptr_null(strstr(got, "KBFIX-SECRET"));
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(got, "t.xml:2: error: DTD not allowed\n");
	free(got);

	/* An external DTD and a parameter entity: refused the same way. */
	ck_assert_int_ge(asprintf(&x2, "<?xml version=\"1.0\"?>\n\n"
	    "<!DOCTYPE remedy SYSTEM \"file://%s\" [<!ENTITY %% p SYSTEM "
	    "\"file://%s\"> %%p;]>\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"a\"/>\n", secret,
	    secret), 0);
	got = load_str(x2, &rc, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(got, "t.xml:3: error: DTD not allowed\n");
	free(got);
	tu_rmrf(dir);
	free(dir);
	free(secret);
	free(x);
	free(x2);
}
END_TEST

START_TEST(test_entity_bomb)
{
	char *x = NULL, *p;
	char *got;
	size_t cap = 4096;
	int i, rc;

	x = malloc(cap);
	ck_assert_ptr_nonnull(x);
	p = x + sprintf(x, "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n"
	    "<!ENTITY l0 \"lol\">\n");
	for (i = 1; i < 10; i++)
		p += sprintf(p, "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;"
		    "&l%d;&l%d;&l%d;&l%d;\">\n", i, i - 1, i - 1, i - 1, i - 1,
		    i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	sprintf(p, "]>\n<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"&l9;\"/>\n");
	got = load_str(x, &rc, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(got, "t.xml:2: error: DTD not allowed\n");
	free(got);
	free(x);
}
END_TEST

START_TEST(test_bad_bytes)
{
	static const char utf[] = "<?xml version=\"1.0\"?>\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\"\n"
	    "  id=\"a\xc3\x28\"/>\n";
	static const char nul[] = "<?xml version=\"1.0\"?>\n\n\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"a\0\"/>\n";
	char *got;
	int rc;

	got = load_str_len(utf, sizeof utf - 1, &rc, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(got, "t.xml:3: error: invalid UTF-8 (byte 0xc3)\n");
	free(got);
	got = load_str_len(nul, sizeof nul - 1, &rc, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(got, "t.xml:4: error: NUL byte in file\n");
	free(got);
}
END_TEST

START_TEST(test_oversized)
{
	size_t n = 70000;
	char *big = malloc(n + 1), *x = NULL, *got, *huge;
	int rc;

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', n);
	big[n] = '\0';
	ck_assert_int_ge(asprintf(&x, HEAD "<actions>\n"
	    "  <set-value path=\"HKLM\\SYSTEM\\A\" name=\"x\" type=\"sz\"\n"
	    "     data=\"%s\"/>\n</actions>\n</remedy>\n", big), 0);
	got = load_str(x, &rc, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(got, "t.xml:8: error: attribute 'data' of "
	    "<set-value> is too long (70000 bytes, limit 65536)\n");
	free(got);
	free(x);

	ck_assert_int_ge(asprintf(&x, HEAD "<advisory>%s</advisory>\n"
	    "</remedy>\n", big), 0);
	got = load_str(x, &rc, NULL);
	ck_assert_str_eq(got, "t.xml:7: error: text of <advisory> is too "
	    "long (70000 bytes, limit 65536)\n");
	free(got);
	free(x);

	huge = calloc(1, 1024 * 1024 + 2);
	ck_assert_ptr_nonnull(huge);
	memset(huge, ' ', 1024 * 1024 + 1);
	got = load_str(huge, &rc, NULL);
	ck_assert_str_eq(got, "t.xml: error: file too large (1048577 bytes, "
	    "limit 1048576)\n");
	free(got);
	free(huge);
	free(big);
}
END_TEST

START_TEST(test_not_well_formed)
{
	char *got;
	int rc;

	got = load_str("<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"a\">\n"
	    "<title>&undefined;</title></remedy>", &rc, NULL);
	ck_assert_str_eq(got, "t.xml:2: error: Entity 'undefined' not "
	    "defined\n");
	free(got);
	got = load_str("", &rc, NULL);
	ck_assert_str_eq(got, "t.xml:1: error: Document is empty\n");
	free(got);
	got = load_str("<r id=\"a\"/>", &rc, NULL);
	ck_assert_str_eq(got, "t.xml:1: error: Element 'r': No matching "
	    "global declaration available for the validation root.\n");
	free(got);
}
END_TEST

/* Nothing reaches stderr, and the caller's libxml2 handlers survive. */
static void
my_handler(void *ctx, xmlErrorPtr e)
{
}

START_TEST(test_quiet_and_scoped)
{
	char *dir = tu_tmpdir(), *errf = tu_path(dir, "stderr"), *got, *text;
	int saved = dup(2), fd, rc, mine = 0;

	xmlSetStructuredErrorFunc(&mine, my_handler);
	fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	dup2(fd, 2);
	close(fd);
	got = load_str("<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"a\"><t", &rc,
	    NULL);
	free(got);
	got = load_str("<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"a\"><x/>"
	    "</remedy>", &rc, NULL);
	free(got);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert(xmlStructuredError == my_handler);
	ck_assert_ptr_eq(xmlStructuredErrorContext, &mine);
	xmlSetStructuredErrorFunc(NULL, NULL);
	text = tu_read(errf, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "");
	free(text);
	tu_rmrf(dir);
	free(dir);
	free(errf);
}
END_TEST

/* remedy_check on a remedy built by hand (as a planner test would). */
START_TEST(test_check_by_hand)
{
	struct remedy r;
	struct action a;
	struct diag d;
	enum hive_kind h = HIVE_SYSTEM;
	int opt = 0;
	unsigned char three[3] = { 1, 2, 3 };
	const char *err;
	char *got;

	memset(&r, 0, sizeof r);
	memset(&a, 0, sizeof a);
	r.id = "bad id";
	r.file = "x.xml";
	r.line = 1;
	r.hives = &h;
	r.hive_optional = &opt;
	r.nhives = 1;
	r.actions = &a;
	r.nactions = 1;
	a.kind = ACT_SET_VALUE;
	a.line = 5;
	ck_assert_int_eq(rpath_parse("HKLM\\SYSTEM\\A", &a.path, &err), 0);
	a.value.type = REG_DWORD;
	a.value.data = three;
	a.value.len = 3;
	diag_init(&d);
	ck_assert_int_eq(remedy_check(&r, &d), 2);
	got = printed(&d);
	ck_assert_str_eq(got,
	    "x.xml:1: error: id 'bad id' must match [A-Za-z0-9_.-]+\n"
	    "x.xml:5: error: value of type dword must be 4 bytes long, not 3\n");
	free(got);
	diag_free(&d);
	rpath_free(&a.path);
	remedy_free(NULL);
}
END_TEST

START_TEST(test_load_file_errors)
{
	struct remedy *r = (struct remedy *)1;
	struct diag d;
	char *s = schema(), *got, *dir = tu_tmpdir(), *want = NULL;

	diag_init(&d);
	ck_assert_int_eq(remedy_load("/nonexistent/x.xml", s, &r, &d), -1);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(remedy_load(dir, s, &r, &d), -1);
	ck_assert_int_eq(remedy_load(s, "/nonexistent/remedy.xsd", &r, &d), -1);
	got = printed(&d);
	ck_assert_ptr_nonnull(strstr(got, "kbfix: error: cannot open "
	    "'/nonexistent/x.xml': No such file or directory\n"));
	ck_assert_int_ge(asprintf(&want, "kbfix: error: cannot read '%s': "
	    "not a regular file\n", dir), 0);
	ck_assert_ptr_nonnull(strstr(got, want));
	free(want);
	ck_assert_ptr_nonnull(strstr(got, "/nonexistent/remedy.xsd: error: "
	    "cannot open schema '/nonexistent/remedy.xsd': No such file or "
	    "directory\n"));
	free(got);
	diag_free(&d);
	tu_rmrf(dir);
	free(dir);
	free(s);
}
END_TEST

static Suite *
remedy_suite(void)
{
	Suite *s = suite_create("remedy");
	TCase *tc = tcase_create("seeds");

	tcase_add_test(tc, test_seed_q267971);
	tcase_add_test(tc, test_seed_q317061);
	tcase_add_test(tc, test_seed_q256211);
	tcase_add_test(tc, test_seed_q268499);
	tcase_add_test(tc, test_seed_q195936);
	tcase_add_test(tc, test_library_validates);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths and values");
	tcase_add_test(tc, test_rpath_roots);
	tcase_add_test(tc, test_rpath_forms);
	tcase_add_test(tc, test_rvalue_encode);
	tcase_add_test(tc, test_rvalue_type_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_minimal_ok);
	tcase_add_test(tc, test_unknown_element);
	tcase_add_test(tc, test_unseen);
	tcase_add_test(tc, test_errors_after_content_error);
	tcase_add_test(tc, test_missing_attribute);
	tcase_add_test(tc, test_bad_type_name);
	tcase_add_test(tc, test_bad_data);
	tcase_add_test(tc, test_semantic_errors);
	tcase_add_test(tc, test_value_name_limit);
	tcase_add_test(tc, test_list_contains);
	tcase_add_test(tc, test_architecture_needs_system);
	tcase_add_test(tc, test_three_mistakes);
	tcase_add_test(tc, test_check_by_hand);
	tcase_add_test(tc, test_load_file_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, test_doctype_external_entity);
	tcase_add_test(tc, test_entity_bomb);
	tcase_add_test(tc, test_bad_bytes);
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_not_well_formed);
	tcase_add_test(tc, test_quiet_and_scoped);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(remedy_suite());
}
