/* check_draft.c: unit tests of the remedy drafter and of kbfix draft. */
#include "config.h"

#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "article.h"
#include "cmd.h"
#include "draft.h"
#include "remedy.h"
#include "testutil.h"

/* ------------------------------------------------------------ helpers */

/* The schema of the remedy branch, when it is in the tree. */
static xmlSchemaPtr schema;

static void
schema_load(void)
{
	char *path = NULL;
	xmlSchemaParserCtxtPtr pc;
	struct stat st;

	if (asprintf(&path, "%s/remedies/remedy.xsd", KBFIX_SRCDIR) < 0)
		return;
	if (stat(path, &st) == 0 &&
	    (pc = xmlSchemaNewParserCtxt(path)) != NULL) {
		schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	free(path);
}

/* Nonzero if XML is well-formed and, when the schema is there, valid. */
static int
xml_valid(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	int ok = doc != NULL;

	if (ok && schema != NULL) {
		xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);

		ok = vc != NULL && xmlSchemaValidateDoc(vc, doc) == 0;
		xmlSchemaFreeValidCtxt(vc);
	}
	xmlFreeDoc(doc);
	return ok;
}

static char *
schema_path(void)
{
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/remedies/remedy.xsd", KBFIX_SRCDIR),
	    0);
	return p;
}

/* Load XML with the project's loader (schema and semantic checks). */
static struct remedy *
load_xml(const char *xml, const char *name)
{
	struct remedy *r = NULL;
	struct diag d;
	char *xsd = schema_path();
	char *msgs = NULL;
	size_t mlen = 0;
	FILE *f;

	diag_init(&d);
	if (remedy_load_memory(xml, strlen(xml), name, xsd, &r, &d) == 0)
		remedy_check(r, &d);
	f = open_memstream(&msgs, &mlen);
	diag_print(&d, f);
	fclose(f);
	ck_assert_msg(r != NULL && d.nerrors == 0, "%s:\n%s\n%s", name, msgs,
	    xml);
	free(msgs);
	diag_free(&d);
	free(xsd);
	return r;
}

/* A purpose-written article in the plain form around WORKAROUND text. */
static char *
article_text(const char *workaround)
{
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s,
	    "DOCUMENT:Q900001  01-JAN-2001  [test]\n"
	    "TITLE   :Test: A Thing Fails\n"
	    "PRODUCT :Test Product\n"
	    "\n"
	    "SYMPTOMS\n"
	    "========\n"
	    "\n"
	    "A thing fails.\n"
	    "\n"
	    "WORKAROUND\n"
	    "==========\n"
	    "\n"
	    "%s\n"
	    "\n"
	    "STATUS\n"
	    "======\n"
	    "\n"
	    "Confirmed.\n", workaround), 0);
	return s;
}

static struct draft *
draft_of(const char *text, const char *name)
{
	struct article *a = NULL;
	struct draft *dr = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(article_parse(text, strlen(text), name, &a, &d), 0);
	ck_assert_int_eq(draft_make(a, &dr, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	article_free(a);
	diag_free(&d);
	if (dr->xml != NULL)
		ck_assert_msg(xml_valid(dr->xml), "invalid draft:\n%s",
		    dr->xml);
	return dr;
}

static struct draft *
draft_wk(const char *workaround)
{
	char *t = article_text(workaround);
	struct draft *dr = draft_of(t, "t.txt");

	free(t);
	return dr;
}

/* The lines of the draft's <actions> that are elements (comments
 * dropped), each trimmed and ended with '\n'. */
static char *
actions_of(const struct draft *dr)
{
	const char *s, *e;
	char *out = calloc(1, 1);
	size_t len = 0;
	int in = 0, comment = 0;

	ck_assert_ptr_nonnull(dr->xml);
	for (s = dr->xml; *s != '\0'; s = *e ? e + 1 : e) {
		const char *t = s;
		size_t n;

		e = strchr(s, '\n');
		if (e == NULL)
			e = s + strlen(s);
		while (*t == ' ')
			t++;
		n = (size_t)(e - t);
		if (comment) {
			if (n >= 3 && strncmp(e - 3, "-->", 3) == 0)
				comment = 0;
			continue;
		}
		if (strncmp(t, "<!--", 4) == 0) {
			comment = !(n >= 3 && strncmp(e - 3, "-->", 3) == 0);
			continue;
		}
		if (strncmp(t, "<actions>", 9) == 0) {
			in = 1;
			continue;
		}
		if (strncmp(t, "</actions>", 10) == 0)
			in = 0;
		if (!in)
			continue;
		out = realloc(out, len + n + 2);
		memcpy(out + len, t, n);
		len += n;
		out[len++] = '\n';
		out[len] = '\0';
	}
	return out;
}

#define CK_ACTIONS(dr, expect) do {					\
	char *acts_ = actions_of(dr);					\
	ck_assert_str_eq(acts_, expect);				\
	free(acts_);							\
} while (0)

/* ---------------------------------------------------- recognised verbs */

START_TEST(test_delete_subkeys)
{
	struct draft *dr = draft_wk(
	    "Use Registry Editor to delete the subkeys that start with "
	    "\"FooBar\" from the\nfollowing key:\n"
	    "\n"
	    "  HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\\n");

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	ck_assert_ptr_null(dr->reason);
	CK_ACTIONS(dr, "<delete-key path=\"HKEY_LOCAL_MACHINE\\System\\"
	    "CurrentControlSet\\Services\\FooBar*\"/>\n");
	ck_assert_ptr_nonnull(strstr(dr->xml, "<hive name=\"SYSTEM\"/>"));
	ck_assert_ptr_nonnull(strstr(dr->xml,
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"Q900001\" "
	    "draft=\"true\">"));
	draft_free(dr);
}
END_TEST

START_TEST(test_delete_keys)
{
	struct draft *dr = draft_wk(
	    "Use the Registry Editor to remove the following keys:\n"
	    "\n"
	    "   HKEY_LOCAL_MACHINE\\Software\\Microsoft\\InetMgr\n"
	    "   HKLM\\Software\\Microsoft\\InetStp\n");

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr,
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\Software\\Microsoft\\"
	    "InetMgr\"/>\n"
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\Software\\Microsoft\\"
	    "InetStp\"/>\n");
	draft_free(dr);
}
END_TEST

START_TEST(test_delete_value)
{
	struct draft *dr = draft_wk(
	    "1. Start Registry Editor (Regedt32.exe).\n"
	    "\n"
	    "2. Navigate to the following registry key:\n"
	    "\n"
	    "  HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\LSA\n"
	    "\n"
	    "3. Select the RestrictAnonymous value.\n"
	    "\n"
	    "4. On the Edit menu, click Delete.\n"
	    "\n"
	    "5. Quit Registry Editor, and then restart the computer.\n");

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<delete-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Control\\LSA\" name=\"RestrictAnonymous\"/>\n");
	draft_free(dr);

	dr = draft_wk(
	    "1. Locate and click the Foo value in the following registry "
	    "key:\n"
	    "\n"
	    "  HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\App\n"
	    "\n"
	    "2. Delete the value.\n");
	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<delete-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\"
	    "Vendor\\App\" name=\"Foo\"/>\n");
	draft_free(dr);
}
END_TEST

START_TEST(test_blank)
{
	struct draft *dr = draft_wk(
	    "1. Start Registry Editor (Regedt32.exe).\n"
	    "\n"
	    "2. Locate and then click the following registry value:\n"
	    "\n"
	    "  HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\EXIFS"
	    "\\Parameters\\DriveLetter\n"
	    "\n"
	    "3. Change the data value to be blank (remove the \"M\" and do "
	    "not leave a space).\n"
	    "\n"
	    "4. Restart the server.\n"
	    "\n"
	    "NOTE: If you hide the drive, Outlook Web Access may not function "
	    "properly.\n");

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	ck_assert_int_eq(dr->restart, 1);
	CK_ACTIONS(dr, "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Services\\EXIFS\\Parameters\" "
	    "name=\"DriveLetter\" type=\"sz\" data=\"\"/>\n");
	ck_assert_ptr_nonnull(strstr(dr->xml, "  <restart/>\n"));
	ck_assert_ptr_nonnull(strstr(dr->xml, "<warning>\n    If you hide the "
	    "drive, Outlook Web Access may not function properly.\n"
	    "  </warning>"));
	draft_free(dr);
}
END_TEST

START_TEST(test_change_start)
{
	struct draft *dr = draft_wk(
	    "1. Start Registry Editor (Regedt32.exe).\n"
	    "\n"
	    "2. Find the following registry key:\n"
	    "\n"
	    "     HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\"
	    "rchelp\n"
	    "\n"
	    "3. Change the Start value to 4. This disables the service, "
	    "which prevents it\n   from loading during startup.\n"
	    "\n"
	    "4. Quit Registry Editor.\n");

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Services\\rchelp\" name=\"Start\" "
	    "type=\"dword\" data=\"4\"/>\n");
	/* The type is inferred: the author is told. */
	ck_assert_ptr_nonnull(strstr(dr->xml, "<!-- review: type dword "
	    "inferred from numeric data -->"));
	draft_free(dr);

	/* Type written, "from ... to", value named in quotes. */
	dr = draft_wk(
	    "Go to the following key in the registry:\n"
	    "\n"
	    "  HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\Sites\n"
	    "\n"
	    "Set the \"Default RC Protocol\" (REG_SZ) value to \"IP\".\n"
	    "\n"
	    "Change the Maximum Sendings value from 0 to 5.\n"
	    "\n"
	    "Set the Start value (reg_dword) to 2 (the default is 1).\n");
	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr,
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\"
	    "Sites\" name=\"Default RC Protocol\" type=\"sz\" data=\"IP\"/>\n"
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\"
	    "Sites\" name=\"Maximum Sendings\" type=\"dword\" data=\"5\"/>\n"
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\"
	    "Sites\" name=\"Start\" type=\"dword\" data=\"2\"/>\n");
	draft_free(dr);

	/* The key after the sentence. */
	dr = draft_wk(
	    "Set the IsDomainMaster value to No under the\n"
	    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Browser"
	    "\\Parameters registry\nkey.\n");
	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Services\\Browser\\Parameters\" "
	    "name=\"IsDomainMaster\" type=\"sz\" data=\"No\"/>\n");
	draft_free(dr);
}
END_TEST

START_TEST(test_add_value)
{
	struct draft *dr = draft_wk(
	    "1. With Registry Editor, go to the following registry key\n"
	    "\n"
	    "     HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\"
	    "W3SVC\\Parameters\n"
	    "\n"
	    "2. Click Add Value on the Edit menu. Add the following:\n"
	    "\n"
	    "     Value Name: SslNoKeepAlive\n"
	    "     Data Type:  REG_DWORD\n"
	    "     Data:    1\n");

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Services\\W3SVC\\Parameters\" "
	    "name=\"SslNoKeepAlive\" type=\"dword\" data=\"1\" "
	    "create=\"true\"/>\n");
	draft_free(dr);

	/* A .reg snippet. */
	dr = draft_wk(
	    "Add the following registry setting:\n"
	    "\n"
	    "  REGEDIT4\n"
	    "  [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\"
	    "ContentIndex]\n"
	    "  \"EventLogFlags\"=dword:00000000\n"
	    "  \"Name\"=\"a b\"\n");
	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr,
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\"
	    "Control\\ContentIndex\" name=\"EventLogFlags\" type=\"dword\" "
	    "data=\"0x00000000\" create=\"true\"/>\n"
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\"
	    "Control\\ContentIndex\" name=\"Name\" type=\"sz\" "
	    "data=\"a b\" create=\"true\"/>\n");
	draft_free(dr);
}
END_TEST

START_TEST(test_rename_file)
{
	struct draft *dr = draft_wk(
	    "To work around this issue, rename or remove the Nmperf.dll file "
	    "from the\n%SystemRoot%\\System32 folder. This procedure removes "
	    "the counter object.\n");

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<rename-file path=\"%SystemRoot%\\System32\\"
	    "Nmperf.dll\" to=\"Nmperf.dll.disabled-by-kbfix-Q900001\"/>\n");
	draft_free(dr);
}
END_TEST

/* ------------------------------------------------------------ path forms */

static void
check_path_form(const char *written, const char *key)
{
	char *wk = NULL, *expect = NULL;
	struct draft *dr;

	ck_assert_int_ge(asprintf(&wk, "1. Locate the following key:\n\n%s\n"
	    "\n2. Change the Foo value to 1.\n", written), 0);
	ck_assert_int_ge(asprintf(&expect, "<set-value path=\"%s\" "
	    "name=\"Foo\" type=\"dword\" data=\"1\"/>\n", key), 0);
	dr = draft_wk(wk);
	ck_assert_msg(dr->status == DRAFT_COMPLETE, "%s: %s", written,
	    dr->reason);
	CK_ACTIONS(dr, expect);
	draft_free(dr);
	free(wk);
	free(expect);
}

START_TEST(test_path_forms)
{
	const char *k = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\"
	    "Client Services\\Remote Control";

	/* one line */
	check_path_form("  HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\"
	    "Client Services\\Remote Control", k);
	/* wrapped before a separator */
	check_path_form("  HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\"
	    "Client Services\n  \\Remote Control", k);
	/* wrapped at a space inside a name */
	check_path_form("  HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\"
	    "Client Services\\Remote\n  Control", k);
	/* one element per line */
	check_path_form("HKEY_LOCAL_MACHINE\\ \n   \\SOFTWARE\n    \\Microsoft"
	    "\n     \\SMS\n      \\Client Services\n       \\Remote Control", k);
	/* stray spaces */
	check_path_form("  HKEY_LOCAL_MACHINE \\SOFTWARE\\Microsoft\\ SMS\\"
	    "Client Services\\Remote Control\\", k);
	/* case, abbreviation, slashes */
	check_path_form("  Hkey_Local_Machine\\SOFTWARE\\Microsoft\\SMS\\"
	    "Client Services\\Remote Control", k);
	check_path_form("  HKLM\\SOFTWARE\\Microsoft\\SMS\\Client Services\\"
	    "Remote Control", k);
	check_path_form("  HKEY_LOCAL_MACHINE/SOFTWARE/Microsoft/SMS/"
	    "Client Services/Remote Control.", k);
	/* from a subtree */
	check_path_form("From the HKEY_LOCAL_MACHINE subtree, go to the "
	    "following key:\n\n  \\SOFTWARE\\Microsoft\\SMS\\Client Services"
	    "\\Remote Control", k);
	/* regedit's tree, indented */
	check_path_form("  HKEY_LOCAL_MACHINE\n     SOFTWARE\n        Microsoft"
	    "\n           SMS\n              Services", "HKEY_LOCAL_MACHINE\\"
	    "SOFTWARE\\Microsoft\\SMS\\Services");
	/* HKCU */
	check_path_form("  HKEY_CURRENT_USER\\Environment",
	    "HKEY_CURRENT_USER\\Environment");
}
END_TEST

/* ------------------------------------------------ must NOT be recognised */

static void
check_none(const char *wk, const char *reason)
{
	struct draft *dr = draft_wk(wk);

	ck_assert_msg(dr->status == DRAFT_NONE, "%s: got %s", wk,
	    draft_status_name(dr->status));
	ck_assert_ptr_null(dr->xml);
	ck_assert_uint_eq(dr->nactions, 0);
	ck_assert_str_eq(dr->reason, reason);
	draft_free(dr);
}

START_TEST(test_not_recognised)
{
	check_none("1. Stop the Remote Control agent.\n\n"
	    "2. Open the Sms.ini file in a text editor such as Notepad.\n\n"
	    "3. Change Default Protocol from NetBIOS to IP.\n",
	    "not doable offline: it edits an .ini file");
	check_none("To work around this problem, edit the Win.ini file on "
	    "the client.\n", "not doable offline: it edits an .ini file");
	check_none("Restart the Server service.\n",
	    "no registry or file step");
	check_none("Run Regedit to view the following key:\n\n"
	    "  HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\Setup\n",
	    "a registry key is named but no change to it is stated as a "
	    "step");
	check_none("1. Locate the following key:\n\n"
	    "  HKLM\\SOFTWARE\\Microsoft\\SMS\n\n"
	    "2. Change the Threshold value to a value appropriate for your "
	    "network.\n",
	    "1 registry step not understood (first at line 17)");
	check_none("Locate the following key:\n\n"
	    "  HKLM\\SOFTWARE\\Microsoft\\SMS\\Sites\\<sitecode>\n\n"
	    "Change the Role value to 1.\n",
	    "2 registry steps not understood (first at line 15)");
	check_none("The value is in HKLM\\SOFTWARE\\Foo. For example, if you "
	    "want to change the Max value to 10, enter 10.\n",
	    "1 registry step not understood (first at line 13)");
	check_none("Delete either the string value OFF2KNT_RUN or IENT_RUN "
	    "under the HKLM\\SOFTWARE\\Run key.\n",
	    "1 registry step not understood (first at line 13)");
	check_none("Set the MaxTokenSize value in "
	    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa to a decimal value "
	    "of less than 50,000.\n",
	    "1 registry step not understood (first at line 13)");
	/* HKEY_CLASSES_ROOT is no hive file. */
	check_none("Delete the HKEY_CLASSES_ROOT\\.pdf\\PersistentHandler "
	    "registry key.\n",
	    "1 registry step not understood (first at line 13)");
}
END_TEST

/* Part translated, the rest kept as comments, escaped. */
START_TEST(test_partial)
{
	struct draft *dr = draft_wk(
	    "1. Uninstall the client by using the 20clicln.bat tool -- "
	    "obtain it first.\n\n"
	    "2. Use Registry Editor to delete the following registry key:\n\n"
	    "  HKEY_LOCAL_MACHINE\\System\\CUrrentControlSet\\Services\\"
	    "Wuser32\n\n"
	    "3. Set the \"A&B\" (REG_SZ) value to \"x&y\" under the "
	    "HKLM\\SOFTWARE\\V<1> key.\n");

	ck_assert_int_eq(dr->status, DRAFT_PARTIAL);
	ck_assert_uint_eq(dr->nactions, 1);
	ck_assert_uint_eq(dr->nuntranslated, 2);
	ck_assert_str_eq(dr->reason, "2 steps left as comments (first at "
	    "line 13)");
	CK_ACTIONS(dr, "<delete-key path=\"HKEY_LOCAL_MACHINE\\System\\"
	    "CUrrentControlSet\\Services\\Wuser32\"/>\n");
	ck_assert_ptr_nonnull(strstr(dr->xml, "<!-- untranslated t.txt:13:\n"
	    "         1. Uninstall the client by using the 20clicln.bat tool "
	    "- - obtain it first. -->"));
	ck_assert_ptr_nonnull(strstr(dr->xml, "\"A&B\" (REG_SZ) value"));
	draft_free(dr);

	dr = draft_wk("Set the \"A&B\" (REG_SZ) value to \"x&y\" under the "
	    "HKLM\\SOFTWARE\\V key.\n");
	CK_ACTIONS(dr, "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\V\" "
	    "name=\"A&amp;B\" type=\"sz\" data=\"x&amp;y\"/>\n");
	draft_free(dr);
}
END_TEST

/* ------------------------------------------------------------ seeds */

static struct draft *
draft_seed(const char *name)
{
	char *path = tu_path(tu_shared(), name), *buf;
	struct draft *dr;

	buf = tu_read(path, NULL);
	ck_assert_ptr_nonnull(buf);
	dr = draft_of(buf, name);
	free(buf);
	free(path);
	return dr;
}

START_TEST(test_seeds)
{
	struct draft *dr;

	dr = draft_seed("seeds/Q267971.txt");
	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<delete-key path=\"HKEY_LOCAL_MACHINE\\System\\"
	    "CurrentControlSet\\Services\\SMSPerfCountersfor*\"/>\n");
	draft_free(dr);

	dr = draft_seed("seeds/Q317061.txt");
	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Services\\EXIFS\\Parameters\" "
	    "name=\"DriveLetter\" type=\"sz\" data=\"\"/>\n");
	draft_free(dr);

	dr = draft_seed("seeds/Q268499.txt");
	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<rename-file path=\"%SystemRoot%\\System32\\"
	    "Nmperf.dll\" to=\"Nmperf.dll.disabled-by-kbfix-Q268499\"/>\n");
	draft_free(dr);

	/* The PATH step is flagged, nothing invented. */
	dr = draft_seed("seeds/Q256211.txt");
	ck_assert_int_eq(dr->status, DRAFT_PARTIAL);
	ck_assert_uint_eq(dr->nactions, 0);
	ck_assert_str_eq(dr->reason,
	    "the PATH step needs review; no action drafted");
	ck_assert_ptr_nonnull(strstr(dr->xml, "<!-- REVIEW (a PATH step"));
	ck_assert_ptr_null(strstr(dr->xml, "<actions>"));
	draft_free(dr);

	dr = draft_seed("seeds/Q195936.txt");
	ck_assert_int_eq(dr->status, DRAFT_ADVISORY);
	ck_assert_uint_eq(dr->nactions, 0);
	ck_assert_ptr_nonnull(strstr(dr->xml, "<advisory>\n    A supported "
	    "fix that corrects this problem"));
	ck_assert_ptr_null(strstr(dr->xml, "<actions>"));
	draft_free(dr);
}
END_TEST

/* The draft, once its mark is removed, has the curated remedy's actions:
 * same kind, hive and path (case-insensitive, as Windows looks keys up),
 * name, type and data bytes. */
static void
check_same_actions(const char *seed, const char *curated)
{
	struct draft *dr = draft_seed(seed);
	char *xml, *mark, *path = NULL, *xsd = schema_path();
	struct remedy *got, *want = NULL;
	struct diag d;
	size_t i, k;

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	xml = strdup(dr->xml);
	mark = strstr(strstr(xml, "<remedy "), " draft=\"true\"");
	ck_assert_ptr_nonnull(mark);
	memmove(mark, mark + 13, strlen(mark + 13) + 1);
	got = load_xml(xml, seed);
	ck_assert_int_eq(got->draft, 0);
	diag_init(&d);
	ck_assert_int_ge(asprintf(&path, "%s/remedies/%s", KBFIX_SRCDIR,
	    curated), 0);
	ck_assert_int_eq(remedy_load(path, xsd, &want, &d), 0);
	ck_assert_uint_eq(got->nactions, want->nactions);
	for (i = 0; i < got->nactions; i++) {
		const struct action *g = &got->actions[i], *w = &want->actions[i];

		ck_assert_int_eq(g->kind, w->kind);
		ck_assert_int_eq(g->path.hive, w->path.hive);
		ck_assert_uint_eq(g->path.nelems, w->path.nelems);
		for (k = 0; k < g->path.nelems; k++)
			ck_assert_msg(strcasecmp(g->path.elems[k],
			    w->path.elems[k]) == 0, "%s: '%s' != '%s'", seed,
			    g->path.elems[k], w->path.elems[k]);
		if (w->name == NULL)
			ck_assert_ptr_null(g->name);
		else
			ck_assert_str_eq(g->name, w->name);
		ck_assert_uint_eq(g->value.type, w->value.type);
		ck_assert_uint_eq(g->value.len, w->value.len);
		if (w->value.len > 0)
			ck_assert(memcmp(g->value.data, w->value.data,
			    w->value.len) == 0);
		ck_assert_int_eq(g->create, w->create);
		if (w->file != NULL)
			ck_assert_str_eq(g->file, w->file);
		if (w->to != NULL)
			ck_assert_str_eq(g->to, w->to);
	}
	remedy_free(got);
	remedy_free(want);
	diag_free(&d);
	free(path);
	free(xsd);
	free(xml);
	draft_free(dr);
}

START_TEST(test_same_as_curated)
{
	check_same_actions("seeds/Q267971.txt", "Q267971.xml");
	check_same_actions("seeds/Q317061.txt", "Q317061.xml");
	check_same_actions("seeds/Q268499.txt", "Q268499.xml");
}
END_TEST

/* ------------------------------------------------------------ kb-sample */

/* Every attribute value VALUE of the draft's actions named ATTR appears
 * in the article (case-insensitive, whitespace-insensitive): a draft
 * never changes something the article does not name. */
static int
in_article(const char *hay, const char *needle)
{
	const char *h;

	for (h = hay; *h != '\0'; h++) {
		const char *a = h, *b = needle;

		while (*a != '\0' && *b != '\0') {
			if (*b == ' ' || *b == '\\' || *b == '/') {
				b++;
				continue;
			}
			if (*a == ' ' || *a == '\n' || *a == '\t' ||
			    *a == '\\' || *a == '/') {
				a++;
				continue;
			}
			if (tolower((unsigned char)*a) !=
			    tolower((unsigned char)*b))
				break;
			a++;
			b++;
		}
		if (*b == '\0')
			return 1;
	}
	return 0;
}

static void
check_stated(const char *article, const char *xml, const char *file)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", "UTF-8",
	    XML_PARSE_NONET);
	xmlNodePtr root, n, act;

	ck_assert_ptr_nonnull(doc);
	root = xmlDocGetRootElement(doc);
	for (n = root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "actions") != 0)
			continue;
		for (act = n->children; act != NULL; act = act->next) {
			static const char *attrs[] = { "name", "data" };
			size_t i;
			xmlChar *p;

			if (act->type != XML_ELEMENT_NODE)
				continue;
			p = xmlGetProp(act, (const xmlChar *)"path");
			if (p != NULL) {
				/* the last element of the path, minus a
				 * pattern's '*' */
				char *last = strrchr((char *)p, '\\'), *star;

				last = last ? last + 1 : (char *)p;
				if ((star = strchr(last, '*')) != NULL)
					*star = '\0';
				ck_assert_msg(in_article(article, last),
				    "%s: path element '%s' not in the article",
				    file, last);
				xmlFree(p);
			}
			for (i = 0; i < 2; i++) {
				xmlChar *v = xmlGetProp(act,
				    (const xmlChar *)attrs[i]);
				const char *s = (const char *)v;

				if (v != NULL && strncmp(s, "0x", 2) == 0)
					s += 2;
				while (v != NULL && *s == '0' && s[1] != '\0')
					s++;
				if (v != NULL)
					ck_assert_msg(in_article(article, s),
					    "%s: %s '%s' not in the article",
					    file, attrs[i], s);
				xmlFree(v);
			}
		}
	}
	xmlFreeDoc(doc);
}

START_TEST(test_kb_sample)
{
	char *dir = tu_path(tu_shared(), "kb-sample");
	DIR *dp = opendir(dir);
	struct dirent *e;
	size_t n = 0, count[4] = { 0 };

	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp)) != NULL) {
		char *path, *buf;
		struct draft *dr;

		if (strstr(e->d_name, ".md") == NULL)
			continue;
		path = tu_path(dir, e->d_name);
		buf = tu_read(path, NULL);
		ck_assert_ptr_nonnull(buf);
		dr = draft_of(buf, e->d_name);	/* checks validity */
		count[dr->status]++;
		n++;
		if (dr->status == DRAFT_NONE)
			ck_assert_ptr_nonnull(dr->reason);
		else {
			struct remedy *r = load_xml(dr->xml, e->d_name);

			ck_assert_int_eq(r->draft, 1);
			ck_assert_uint_eq(r->nactions, dr->nactions);
			remedy_free(r);
			check_stated(buf, dr->xml, e->d_name);
		}
		draft_free(dr);
		free(buf);
		free(path);
	}
	closedir(dp);
	free(dir);
	ck_assert_uint_eq(n, 98);
	/* The issue asks for 60% complete; the drafter reaches far less
	 * while staying exact (see the report).  This floor guards against
	 * regressions only. */
	ck_assert_uint_ge(count[DRAFT_COMPLETE], 10);
	ck_assert_uint_ge(count[DRAFT_COMPLETE] + count[DRAFT_PARTIAL], 18);
}
END_TEST

/* ------------------------------------------------------------ command */

/* Run cmd_draft with stdout and stderr in files; returns the exit code. */
static int
run_cmd(int argc, char **argv, char **out, char **err)
{
	char *dir = tu_tmpdir(), *o = tu_path(dir, "out"),
	    *e = tu_path(dir, "err");
	int so = dup(1), se = dup(2), fo, fe, rc;

	fflush(stdout);
	fflush(stderr);
	fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert(fo >= 0 && fe >= 0);
	dup2(fo, 1);
	dup2(fe, 2);
	rc = cmd_draft(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(fo);
	close(fe);
	close(so);
	close(se);
	*out = tu_read(o, NULL);
	*err = tu_read(e, NULL);
	tu_rmrf(dir);
	free(dir);
	free(o);
	free(e);
	return rc;
}

START_TEST(test_cmd)
{
	char *out, *err, *tmp = tu_tmpdir(), *seed, *xml, *p;
	char *argv1[] = { "draft", "/nonexistent/Q1.txt", NULL };
	char *argv3[] = { "draft", "-x", NULL };

	ck_assert_int_eq(run_cmd(2, argv1, &out, &err), EXIT_TROUBLE);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "kbfix: error: cannot open "
	    "'/nonexistent/Q1.txt': No such file or directory\n");
	free(out);
	free(err);

	ck_assert_int_eq(run_cmd(2, argv3, &out, &err), EXIT_TROUBLE);
	ck_assert_ptr_nonnull(strstr(err, "usage: kbfix draft"));
	free(out);
	free(err);

	seed = tu_path(tu_shared(), "seeds/Q267971.txt");
	{
		char *argv2[] = { "draft", seed, NULL };

		ck_assert_int_eq(run_cmd(2, argv2, &out, &err), EXIT_NOTHING);
		ck_assert_ptr_nonnull(strstr(out, "<delete-key path="));
		ck_assert_str_eq(err, "");
		free(out);
		free(err);
	}
	{
		char *argv4[] = { "draft", "-o", tmp, seed, NULL };

		ck_assert_int_eq(run_cmd(4, argv4, &out, &err), EXIT_NOTHING);
		ck_assert_str_eq(out, "");
		ck_assert_str_eq(err, "kbfix: Q267971: Q267971.xml: "
		    "complete\n");
		p = tu_path(tmp, "Q267971.xml");
		xml = tu_read(p, NULL);
		ck_assert_ptr_nonnull(xml);
		ck_assert(xml_valid(xml));
		free(xml);
		free(p);
		free(out);
		free(err);
	}
	free(seed);
	{
		char *sample = tu_path(tu_shared(), "kb-sample");
		char *argv5[] = { "draft", "--stats", sample, NULL };

		ck_assert_int_eq(run_cmd(3, argv5, &out, &err), EXIT_NOTHING);
		ck_assert(strncmp(out, "article    status    actions "
		    "comments  reason\nQ130184 ", 45) == 0);
		ck_assert_ptr_nonnull(strstr(out, "\nQ267971    complete        "
		    "1        0  \n"));
		ck_assert_ptr_nonnull(strstr(out, "\ntotal       98\n"));
		ck_assert_ptr_nonnull(strstr(out, "\ninvalid      0  (checked "
		    "by the remedy loader)\n"));
		free(out);
		free(err);
		free(sample);
	}
	tu_rmrf(tmp);
	free(tmp);
}
END_TEST

static Suite *
draft_suite(void)
{
	Suite *s = suite_create("draft");
	TCase *tc = tcase_create("phrases");
	TCase *tc2 = tcase_create("shared");

	tcase_add_test(tc, test_delete_subkeys);
	tcase_add_test(tc, test_delete_keys);
	tcase_add_test(tc, test_delete_value);
	tcase_add_test(tc, test_blank);
	tcase_add_test(tc, test_change_start);
	tcase_add_test(tc, test_add_value);
	tcase_add_test(tc, test_rename_file);
	tcase_add_test(tc, test_path_forms);
	tcase_add_test(tc, test_not_recognised);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc2, test_seeds);
	tcase_add_test(tc2, test_same_as_curated);
	tcase_add_test(tc2, test_kb_sample);
	tcase_add_test(tc2, test_cmd);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tc2);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	tu_need_shared();
	schema_load();
	sr = srunner_create(draft_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (schema != NULL)
		xmlSchemaFree(schema);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
