/* check_draft.c: the drafter's sentence forms, each with an article
 * written for the purpose, and the forms it must not take. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"
#include "draft.h"
#include "remedy.h"
#include "draftutil.h"
#include "testutil.h"

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
draft_wk(const char *workaround)
{
	char *t = article_text(workaround);
	struct draft *dr = dt_draft_of(t, "t.txt");

	free(t);
	return dr;
}

static void check_none(const char *, const char *);

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

/* The key named in the sentence itself ("under the HKLM\...\Vendor
 * key"): the step is drafted there and then, so that the rest of the
 * sentence is read too (a restart; another change, which keeps the step
 * for the author). */
START_TEST(test_delete_subkeys_inline)
{
	struct draft *dr = draft_wk(
	    "Delete the subkeys that start with \"Foo\" under the "
	    "HKLM\\SOFTWARE\\Vendor key, and then\nrestart the computer.\n");

	ck_assert_int_eq(dr->status, DRAFT_COMPLETE);
	CK_ACTIONS(dr, "<delete-key path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\"
	    "Vendor\\Foo*\"/>\n");
	ck_assert_int_eq(dr->restart, 1);
	draft_free(dr);

	dr = draft_wk("Delete the subkeys that start with \"Foo\" from the "
	    "HKLM\\SOFTWARE\\Vendor key. Then\nset the Bar value to 1.\n");
	ck_assert_int_eq(dr->status, DRAFT_PARTIAL);
	CK_ACTIONS(dr, "<delete-key path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\"
	    "Vendor\\Foo*\"/>\n");
	ck_assert_str_eq(dr->reason, "1 step left as comments (first at line "
	    "13: registry step not understood: the step states more changes "
	    "than the one drafted)");
	draft_free(dr);

	/* A path ending a sentence leaves the sentence its full stop. */
	dr = draft_wk("Delete the subkeys that start with \"Foo\" from "
	    "HKLM\\SOFTWARE\\Vendor. Then set\nthe Bar value to 1.\n");
	ck_assert_int_eq(dr->status, DRAFT_PARTIAL);
	ck_assert_uint_eq(dr->nactions, 1);
	draft_free(dr);
	dr = draft_wk("Set the Foo value to 1 under HKLM\\SOFTWARE\\Vendor. "
	    "Then delete\nthe Bar value.\n");
	ck_assert_int_eq(dr->status, DRAFT_PARTIAL);
	ck_assert_uint_eq(dr->nactions, 1);
	draft_free(dr);
	/* The key of "the following key:" never comes. */
	check_none("1. Delete the subkeys that start with \"Foo\" from the "
	    "following key:\n\n2. Restart the computer.\n",
	    "1 registry step not understood (first at line 13: the key the "
	    "step speaks of never follows)");
	/* A key that is no hive file. */
	check_none("Delete the subkeys that start with \"Foo\" in the "
	    "HKEY_CLASSES_ROOT\\Foo key.\n",
	    "1 registry step not understood (first at line 13: "
	    "HKEY_CLASSES_ROOT is not a hive file)");
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

/* Q152589's steps: a value added to a service's Parameters. */
static const char ADD_SSL_NO_KEEP_ALIVE[] =
	"1. With Registry Editor, go to the following registry key\n"
	"\n"
	"     HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\"
	"W3SVC\\Parameters\n"
	"\n"
	"2. Click Add Value on the Edit menu. Add the following:\n"
	"\n"
	"     Value Name: SslNoKeepAlive\n"
	"     Data Type:  REG_DWORD\n"
	"     Data:    1\n";

START_TEST(test_add_value)
{
	struct draft *dr = draft_wk(ADD_SSL_NO_KEEP_ALIVE);

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
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Control\\ContentIndex\" name=\"EventLogFlags\" type=\"dword\" "
	    "data=\"0x00000000\" create=\"true\"/>\n"
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Control\\ContentIndex\" name=\"Name\" type=\"sz\" "
	    "data=\"a b\" create=\"true\"/>\n");
	draft_free(dr);
}
END_TEST

/* A value deleted, nothing created. */
#define DELETE_FOO \
	"1. Locate and click the Foo value in the following registry key:\n" \
	"\n" \
	"  HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\App\n" \
	"\n" \
	"2. Delete the value.\n"

/* A draft that creates keys or values checks, in <when>, that the key of
 * the product it writes for exists (a service's, a vendor's product), so
 * that it creates nothing on other machines; where there is no such key,
 * a comment tells the author to write the <when>. */
START_TEST(test_create_needs_when)
{
	struct draft *dr = draft_wk(ADD_SSL_NO_KEEP_ALIVE);

	ck_assert_ptr_nonnull(strstr(dr->xml, "  <when>\n"));
	ck_assert_ptr_nonnull(strstr(dr->xml, "    <key-exists path=\""
	    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\"
	    "W3SVC\"/>\n  </when>\n"));
	ck_assert_ptr_null(strstr(dr->xml, "write a <when>"));
	draft_free(dr);

	/* Under Software: the vendor's product. */
	dr = draft_wk(
	    "Add the following registry setting:\n"
	    "\n"
	    "  REGEDIT4\n"
	    "  [HKEY_LOCAL_MACHINE\\SOFTWARE\\Acme\\Widget\\Settings]\n"
	    "  \"Level\"=dword:00000001\n");
	ck_assert_ptr_nonnull(strstr(dr->xml, "    <key-exists path=\""
	    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Acme\\Widget\"/>\n"));
	draft_free(dr);

	/* A key every Windows has says nothing: the comment. */
	dr = draft_wk(
	    "Add the following registry setting:\n"
	    "\n"
	    "  REGEDIT4\n"
	    "  [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control]\n"
	    "  \"Level\"=dword:00000001\n");
	ck_assert_ptr_null(strstr(dr->xml, "  <when>\n"));
	ck_assert_ptr_nonnull(strstr(dr->xml, "<!-- review: this draft "
	    "creates keys or values: write a <when> that checks that the "
	    "product the article is about is installed"));
	draft_free(dr);

	/* Nothing created: no <when> asked for. */
	dr = draft_wk(DELETE_FOO);
	ck_assert_ptr_null(strstr(dr->xml, "  <when>\n"));
	ck_assert_ptr_null(strstr(dr->xml, "write a <when>"));
	draft_free(dr);
}
END_TEST

/* The article's notes are warnings for the author to keep or drop; a
 * note that introduces what follows stays a comment. */
START_TEST(test_notes_are_warnings)
{
	struct draft *dr = draft_wk(
	    "NOTE: The following is the full path to the registry key:\n"
	    "\n"
	    DELETE_FOO
	    "\n"
	    "NOTE: All users can then start the service.\n"
	    "\n"
	    "Notes:\n"
	    "\n"
	    " - Disabling it slows every page.\n"
	    " - It takes effect at the next start.\n");

	ck_assert_ptr_nonnull(strstr(dr->xml, "  <warning>\n    All users can "
	    "then start the service.\n  </warning>\n"));
	ck_assert_ptr_nonnull(strstr(dr->xml, "  <warning>\n    Disabling it "
	    "slows every page.\n  </warning>\n"));
	ck_assert_ptr_nonnull(strstr(dr->xml, "  <warning>\n    It takes "
	    "effect at the next start.\n  </warning>\n"));
	ck_assert_ptr_null(strstr(dr->xml, "<warning>\n    The following"));
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
	    "1 registry step not understood (first at line 17: the data is "
	    "not one exact value)");
	check_none("Locate the following key:\n\n"
	    "  HKLM\\SOFTWARE\\Microsoft\\SMS\\Sites\\<sitecode>\n\n"
	    "Change the Role value to 1.\n",
	    "2 registry steps not understood (first at line 15: the "
	    "path holds a placeholder)");
	check_none("The value is in HKLM\\SOFTWARE\\Foo. For example, if you "
	    "want to change the Max value to 10, enter 10.\n",
	    "1 registry step not understood (first at line 13: the "
	    "data is not one exact value)");
	check_none("Delete either the string value OFF2KNT_RUN or IENT_RUN "
	    "under the HKLM\\SOFTWARE\\Run key.\n",
	    "1 registry step not understood (first at line 13: the step "
	    "leaves a choice (either, or))");
	check_none("Set the MaxTokenSize value in "
	    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa to a decimal value "
	    "of less than 50,000.\n",
	    "1 registry step not understood (first at line 13: the "
	    "data is not one exact value)");
	/* HKEY_CLASSES_ROOT is no hive file. */
	check_none("Delete the HKEY_CLASSES_ROOT\\.pdf\\PersistentHandler "
	    "registry key.\n",
	    "1 registry step not understood (first at line 13: "
	    "HKEY_CLASSES_ROOT is not a hive file)");
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
	    "line 13: step not doable offline: it runs or installs a "
	    "program)");
	CK_ACTIONS(dr, "<delete-key path=\"HKEY_LOCAL_MACHINE\\System\\"
	    "CUrrentControlSet\\Services\\Wuser32\"/>\n");
	ck_assert_ptr_nonnull(strstr(dr->xml, "<!-- untranslated t.txt:13: "
	    "it runs or installs a program\n"
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

/* ------------------------------------------------ more sentence forms */

/* A draft that must be complete, with ACTIONS as its action lines. */
static struct draft *
check_complete(const char *wk, const char *actions)
{
	struct draft *dr = draft_wk(wk);

	ck_assert_msg(dr->status == DRAFT_COMPLETE, "%s: got %s: %s", wk,
	    draft_status_name(dr->status), dr->reason);
	CK_ACTIONS(dr, actions);
	return dr;
}

#define SMS	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS"
#define W3	"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\" \
		    "W3SVC\\Parameters"

/* "set the set the X value": a word printed twice. */
START_TEST(test_doubled_words)
{
	struct draft *dr = check_complete(
	    "To work around this issue, set the set the IsDomainMaster value "
	    "to No under the\n"
	    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Browser"
	    "\\Parameters registry\nkey, and then restart the Computer "
	    "Browser service.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet"
	    "\\Services\\Browser\\Parameters\" name=\"IsDomainMaster\" "
	    "type=\"sz\" data=\"No\"/>\n");

	/* The restart in the same sentence is seen. */
	ck_assert_int_eq(dr->restart, 1);
	draft_free(dr);
}
END_TEST

/* "from its current setting (usually 3) to 5"; types written as words. */
START_TEST(test_from_and_type_words)
{
	struct draft *dr = check_complete(
	    "To work around this issue, edit the following registry key:\n\n"
	    "  HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Kbstuff"
	    "\n\n"
	    "Change the TAG value from its current setting (usually 3) to 5, "
	    "and then restart\nthe computer to restore normal functionality.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet"
	    "\\Services\\Kbstuff\" name=\"TAG\" type=\"dword\" data=\"5\"/>\n");

	ck_assert_int_eq(dr->restart, 1);
	draft_free(dr);

	dr = check_complete(
	    "1. Locate the following key:\n\n  " SMS "\n\n"
	    "2. Set the Start DWORD value to 2.\n\n"
	    "3. Set the Mode string value to Fast.\n\n"
	    "4. Change the Retries REG_DWORD value from the default to 4.\n",
	    "<set-value path=\"" SMS "\" name=\"Start\" type=\"dword\" "
	    "data=\"2\"/>\n"
	    "<set-value path=\"" SMS "\" name=\"Mode\" type=\"sz\" "
	    "data=\"Fast\"/>\n"
	    "<set-value path=\"" SMS "\" name=\"Retries\" type=\"dword\" "
	    "data=\"4\"/>\n");
	/* The types were written: nothing inferred. */
	ck_assert_ptr_null(strstr(dr->xml, "inferred"));
	draft_free(dr);

	/* A word that is no type stays in the name; "DWORD" alone is no
	 * name. */
	check_none("1. Locate the following key:\n\n  " SMS "\n\n"
	    "2. Set the DWORD value to 2.\n",
	    "1 registry step not understood (first at line 17: the name is "
	    "not a plain name)");
}
END_TEST

/* Data stated without a verb of change. */
START_TEST(test_stated_data)
{
	struct draft *dr = check_complete(
	    "With version 1.2, a registry option was introduced. The registry "
	    "entry is located at:\n\n"
	    "  " SMS "\\Components\\SMS_Despooler\n\n"
	    "The \"Use Forced Disconnect\" parameter should have a value of "
	    "1.\n",
	    "<set-value path=\"" SMS "\\Components\\SMS_Despooler\" "
	    "name=\"Use Forced Disconnect\" type=\"dword\" data=\"1\"/>\n");

	draft_free(dr);
	dr = check_complete(
	    "1. Locate the Default Impersonation Level value under the "
	    "following key in the\n   registry:\n\n"
	    "  HKEY_LOCAL_MACHINE\\Software\\Microsoft\\WBEM\\Scripting\n\n"
	    "2. Verify that the REG_DWORD value is set to 0x3.\n\n"
	    "3. Ensure that the Enabled value is set to 1.\n\n"
	    "4. Select the Retries value.\n\n"
	    "5. Set it to 5.\n\n"
	    "6. Select the Mode value.\n\n"
	    "7. Enter a value of 2.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\Software\\Microsoft\\WBEM"
	    "\\Scripting\" name=\"Default Impersonation Level\" "
	    "type=\"dword\" data=\"0x3\"/>\n"
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\Software\\Microsoft\\WBEM"
	    "\\Scripting\" name=\"Enabled\" type=\"dword\" data=\"1\"/>\n"
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\Software\\Microsoft\\WBEM"
	    "\\Scripting\" name=\"Retries\" type=\"dword\" data=\"5\"/>\n"
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\Software\\Microsoft\\WBEM"
	    "\\Scripting\" name=\"Mode\" type=\"dword\" data=\"2\"/>\n");
	draft_free(dr);

	/* "The default value is 0" states nothing to change; "should be at
	 * least 1" is no exact datum. */
	check_none("The value is under the following key:\n\n  " SMS "\n\n"
	    "The default value is 0.\n",
	    "a registry key is named but no change to it is stated as a "
	    "step");
	check_none("The value is under the following key:\n\n  " SMS "\n\n"
	    "The MaximumLoad setting should be at least 1.\n",
	    "1 registry step not understood (first at line 17: the data is "
	    "not one exact value)");
}
END_TEST

START_TEST(test_add_value_forms)
{
	/* The key after the sentence, written with slashes. */
	struct draft *dr = check_complete(
	    "1. In the registry, add the following REG_DWORD value with the "
	    "name\n   CookieStopNoCache. Set its value to 1 to stop the "
	    "Pragma: no-cache headers.\n\n"
	    "  HKEY_LOCAL_MACHINE/Software/Flicks Software/AuthentiX/1.0/"
	    "AuthentiXConfig\n\n"
	    "2. Use Control Panel to stop and restart the IIS Admin Service "
	    "(if you are\n   running IIS 4.0) or the World Wide Web "
	    "Publishing Service (if you are running IIS 3.0).\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\Software\\Flicks Software"
	    "\\AuthentiX\\1.0\\AuthentiXConfig\" name=\"CookieStopNoCache\" "
	    "type=\"dword\" data=\"1\" create=\"true\"/>\n");

	ck_assert_int_eq(dr->restart, 1);
	draft_free(dr);

	/* The key named by its last elements, as the key located. */
	dr = check_complete(
	    "NOTE: The following is the full path to the registry key:\n\n"
	    W3 "\n\n"
	    "Under the W3SVC/Parameters, place the value CreateProcessAsUser "
	    "as a REG_DWORD\nand give it a value of 0.\n",
	    "<set-value path=\"" W3 "\" name=\"CreateProcessAsUser\" "
	    "type=\"dword\" data=\"0\" create=\"true\"/>\n");
	draft_free(dr);

	dr = check_complete(
	    "1. Locate the following key:\n\n  " SMS "\n\n"
	    "2. Create a DWORD value named Retries and set its value to 3.\n",
	    "<set-value path=\"" SMS "\" name=\"Retries\" type=\"dword\" "
	    "data=\"3\" create=\"true\"/>\n");
	draft_free(dr);

	/* Not the key located: nothing is drafted. */
	check_none("NOTE: The following is the full path to the registry key:"
	    "\n\n" W3 "\n\n"
	    "Under the W3SVC/Performance, place the value X as a REG_DWORD\n"
	    "and give it a value of 0.\n",
	    "1 registry step not understood (first at line 17: the key "
	    "named is not the key located)");
	/* No data: the site's own zone name. */
	check_none("1. Navigate to " SMS "\\Identification.\n\n"
	    "2. Add a new value called \"AppleTalk Zone Name\" (without the "
	    "quotation marks),\n   and make the Data Type REG_SZ. Add the "
	    "correct AppleTalk zone name for the\n   value.\n",
	    "1 registry step not understood (first at line 15: the data is "
	    "not one exact value)");
	/* The key never follows. */
	check_none("Add the following REG_DWORD value with the name Foo. Set "
	    "its value to 1.\n",
	    "1 registry step not understood (first at line 13: the key the "
	    "step speaks of never follows)");
}
END_TEST

START_TEST(test_delete_named_key)
{
	struct draft *dr = check_complete(
	    "To work around this issue, manually remove the Software Inventory "
	    "Agent key under\nthe following location:\n\n"
	    "  " SMS "\\Client\\Client Components\n",
	    "<delete-key path=\"" SMS "\\Client\\Client Components\\Software "
	    "Inventory Agent\"/>\n");

	draft_free(dr);
	dr = check_complete(
	    "1. In the registry, remove the WBEM key from:\n\n"
	    "  HKEY_LOCAL_MACHINE\\Software\\Microsoft\n\n"
	    "2. Delete the Cache key under the HKLM\\SOFTWARE\\Vendor\\App "
	    "key.\n\n"
	    "3. Create the following registry key:\n\n"
	    "  HKLM\\SOFTWARE\\Vendor\\App\\Settings\n",
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\Software\\Microsoft\\WBEM"
	    "\"/>\n"
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\App\\"
	    "Cache\"/>\n"
	    "<create-key path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\App\\"
	    "Settings\"/>\n");
	draft_free(dr);

	/* "Delete the following registry keys: A and B". */
	dr = check_complete(
	    "Delete the following registry keys on the server:\n\n"
	    "  HKLM\\software\\Microsoft\\MSDTC\n\n  and\n\n"
	    "  HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSDTC\n",
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\software\\Microsoft\\MSDTC"
	    "\"/>\n"
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet"
	    "\\Services\\MSDTC\"/>\n");
	draft_free(dr);

	/* A description, not a name. */
	check_none("1. Click the following registry location:\n\n"
	    "  " SMS "\\Components\\SMS_NT_LOGON_SERVER_MANAGER\\DOMAINS\n\n"
	    "2. Delete the incorrect domain name key.\n",
	    "1 registry step not understood (first at line 17: the name is "
	    "not a plain name)");
	/* HKEY_CLASSES_ROOT is no hive file. */
	check_none("Open hkey_classes_root\\.pdf and remove the "
	    "PersistentHandler registry key.\n",
	    "1 registry step not understood (first at line 13: "
	    "HKEY_CLASSES_ROOT is not a hive file)");
	/* "Delete the following keys:" and none follows. */
	check_none("Delete the following registry keys:\n\n"
	    "Then restart the computer.\n",
	    "1 registry step not understood (first at line 13: the key the "
	    "step speaks of never follows)");
}
END_TEST

/* "If values for X and/or Y exist in K, delete them" and its steps; the
 * path of the sentence is cut at "Script", the path written alone gives
 * "Script Map". */
START_TEST(test_if_exists)
{
	struct draft *dr = check_complete(
	    "If values for .exe and/or .com exist in HKEY_LOCAL_MACHINE/"
	    "System/\nCurrentControlSet/Services/W3SVC/Parameters/Script Map "
	    "delete them using the\nfollowing steps:\n\n"
	    "1. Start the Registry Editor (using Start, Run, Regedt32.exe)."
	    "\n\n"
	    "2. Locate the Script Map key at the following location:\n\n"
	    "  HKEY_LOCAL_MACHINE/System/CurrentControlSet/Services/W3SVC/ \n"
	    "  Parameters/Script Map.\n\n"
	    "3. Select the value for the .exe and/or .com interpreter.\n\n"
	    "4. Click Delete on the Edit menu.\n\n"
	    "5. When the value is removed, close the Registry Editor by "
	    "selecting Registry,\n  Exit.\n",
	    "<delete-value path=\"HKEY_LOCAL_MACHINE\\System\\"
	    "CurrentControlSet\\Services\\W3SVC\\Parameters\\Script Map\" "
	    "name=\".exe\"/>\n"
	    "<delete-value path=\"HKEY_LOCAL_MACHINE\\System\\"
	    "CurrentControlSet\\Services\\W3SVC\\Parameters\\Script Map\" "
	    "name=\".com\"/>\n");

	ck_assert_ptr_nonnull(strstr(dr->xml, "  <when>\n    <any>\n"
	    "      <value-exists path=\"HKEY_LOCAL_MACHINE\\System\\"
	    "CurrentControlSet\\Services\\W3SVC\\Parameters\\Script Map\" "
	    "name=\".exe\"/>\n"));
	draft_free(dr);

	dr = check_complete(
	    "If the HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Old key exists, "
	    "delete it.\n",
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Old\"/>"
	    "\n");
	ck_assert_ptr_nonnull(strstr(dr->xml, "  <when>\n    <key-exists "
	    "path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Old\"/>\n"
	    "  </when>\n"));
	draft_free(dr);

	/* <when> decides for the whole remedy: with an action the condition
	 * does not govern, it is left to the author. */
	dr = check_complete(
	    "If the HKLM\\SOFTWARE\\Vendor\\Old key exists, delete it.\n\n"
	    "Set the Mode value to 1 under the HKLM\\SOFTWARE\\Vendor key.\n",
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Old\"/>"
	    "\n"
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\" "
	    "name=\"Mode\" type=\"dword\" data=\"1\"/>\n");
	ck_assert_ptr_null(strstr(dr->xml, "  <when>\n"));
	ck_assert_ptr_nonnull(strstr(dr->xml, "no <when> is drafted"));
	draft_free(dr);

	/* A path with a space in a sentence that the article never writes
	 * alone stays cut: nothing is drafted on a guess. */
	check_none("Delete the HKLM\\SOFTWARE\\Vendor\\Old App registry key.\n",
	    "1 registry step not understood (first at line 13: no known "
	    "sentence form)");
	/* Only file extensions take a word after them. */
	check_none("1. Locate the following key:\n\n  " SMS "\n\n"
	    "2. Select the value for the Foo and/or Bar interpreter.\n\n"
	    "3. Click Delete on the Edit menu.\n",
	    "2 registry steps not understood (first at line 17: the name is "
	    "not a plain name)");
}
END_TEST

/* Values as Regedt32 shows them, and keys added with Add Key. */
START_TEST(test_display_forms)
{
	struct draft *dr = check_complete(
	    "1. Navigate to the following key:\n\n"
	    "     " SMS "\\Components\\SightNT\n\n"
	    "2. On the Edit menu, click Add Key.\n\n"
	    "3. In the Key Name box, type \"Lana\" (without the quotation "
	    "marks).\n\n"
	    "4. Select the newly-created key (Lana). On the Edit Menu, Click "
	    "Add Value. The\n   following are the default values for the "
	    "Lana registry key:\n\n"
	    "     <No Name>:REG_DWORD:0x7\n"
	    "     Default0:REG_DWORD:0\n"
	    "     Default1 : REG_SZ : On\n",
	    "<create-key path=\"" SMS "\\Components\\SightNT\\Lana\"/>\n"
	    "<set-value path=\"" SMS "\\Components\\SightNT\\Lana\" name=\"\" "
	    "type=\"dword\" data=\"0x7\" create=\"true\"/>\n"
	    "<set-value path=\"" SMS "\\Components\\SightNT\\Lana\" "
	    "name=\"Default0\" type=\"dword\" data=\"0\" create=\"true\"/>\n"
	    "<set-value path=\"" SMS "\\Components\\SightNT\\Lana\" "
	    "name=\"Default1\" type=\"sz\" data=\"On\" create=\"true\"/>\n");

	ck_assert_ptr_nonnull(strstr(dr->xml, "<!-- review: <No Name> is how "
	    "Regedt32 shows the default value -->"));
	draft_free(dr);

	/* A value path ending with a colon, then "REG_DWORD: 1"; a path one
	 * element per line. */
	dr = check_complete(
	    "Turn off keep-alives by using regedit and the following entry:\n\n"
	    "HKEY_LOCAL_MACHINE\\ \n"
	    "          \\System\n"
	    "           \\CurrentControlSet\n"
	    "            \\Services\n"
	    "             \\W3SVC\n"
	    "              \\Parameters\n"
	    "               \\SslNoKeepAlive:\n\n"
	    "REG_DWORD: 1\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\"
	    "Services\\W3SVC\\Parameters\" name=\"SslNoKeepAlive\" "
	    "type=\"dword\" data=\"1\" create=\"true\"/>\n");
	draft_free(dr);

	dr = check_complete(
	    "You must add a value to the registry:\n\n"
	    "  HKLM\\System\\CurrentControlSet\\Services\\Inetinfo\\Parameters"
	    "\n\n"
	    "DisableMemoryCache: REG_DWORD: 1\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\"
	    "Services\\Inetinfo\\Parameters\" name=\"DisableMemoryCache\" "
	    "type=\"dword\" data=\"1\" create=\"true\"/>\n");
	draft_free(dr);

	/* Inside a sentence the form is not taken: where Perl lives is the
	 * reader's. */
	check_none("Edit the registry to add the script map entries under the "
	    "following key:\n\n"
	    "  " W3 "\\Script Map\n\n"
	    "The value is .pl: REG_SZ: C:\\perl\\bin\\perl.exe %s.\n",
	    "1 registry step not understood (first at line 17: the name is "
	    "not a plain name)");
	/* A block with a line that is not of the form: nothing from it. */
	check_none("You must add these values to the registry:\n\n"
	    "  " W3 "\n\n"
	    "  Default0:REG_DWORD:0\n"
	    "  Default1:REG_DWORD:<your Lana>\n",
	    "1 registry step not understood (first at line 17: the data is "
	    "not written as a number, word or quoted string)");
}
END_TEST

/* Regedit's own steps, a misprinted root, a .reg snippet cut by blank
 * lines. */
START_TEST(test_regedit_steps)
{
	struct draft *dr = check_complete(
	    "1. On the Start menu, click Run. In the Open box, type "
	    "\"regedit\" (without the\n   quotation marks). Click OK.\n\n"
	    "2. In the left pane, click the plus sign (+) to the left of each "
	    "of the\n   following items (in order):\n\n"
	    "   HKEY_LOCAL_MACHINE\n"
	    "      SYSTEM\n"
	    "         CurrentControlSet\n"
	    "            Services\n"
	    "               InetInfo\n"
	    "                  Parameters\n\n"
	    "3. In the left pane, click the Parameters key to select it.\n\n"
	    "4. On the Edit menu, click New and then point to DWORD Value.\n\n"
	    "5. In the right pane, a new value named \"New Value #1\" appears."
	    "\n\n"
	    "6. Rename the new value to DisableMemoryCache.\n\n"
	    "7. Double-click the value DisableMemoryCache. A dialog box "
	    "appears. Change the\n   Value Data to 1.\n\n"
	    "8. Click OK.\n\n"
	    "9. On the Registry menu, click Exit.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Services\\InetInfo\\Parameters\" name=\"DisableMemoryCache\" "
	    "type=\"dword\" data=\"1\" create=\"true\"/>\n");

	draft_free(dr);
	/* Clicking a key that is not the one located is no context. */
	check_none("1. Find the following key:\n\n  " W3 "\n\n"
	    "2. In the left pane, click the Performance key to select it.\n",
	    "1 registry step not understood (first at line 17: the key named "
	    "is not the key located)");

	dr = check_complete(
	    "1. Start the Registry Editor (Regedt32.exe).\n\n"
	    "2. Set the NtfsDisable8dot3NameCreation value to 1 in the "
	    "following registry\n  key:\n\n"
	    "     HKEY_LOCAL_MACHINESYSTEM\\currentcontrolset\\control\\"
	    "filesystem\\ \n\n"
	    "3. Restart the computer.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\currentcontrolset\\"
	    "control\\filesystem\" name=\"NtfsDisable8dot3NameCreation\" "
	    "type=\"dword\" data=\"1\"/>\n");
	ck_assert_ptr_nonnull(strstr(dr->xml, "<!-- review: the article runs "
	    "the root and the hive together"));
	draft_free(dr);
	/* Only a hive name may be glued to the root. */
	check_none("Set the Foo value to 1 in the following registry key:\n\n"
	    "     HKEY_LOCAL_MACHINESYSTEMS\\Vendor\n",
	    "1 registry step not understood (first at line 13: the key the "
	    "step speaks of never follows)");

	dr = check_complete(
	    "If you want stop the event, add the following registry setting:"
	    "\n\n"
	    "  REGEDIT4\n\n"
	    "  [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\"
	    "ContentIndex]\n\n"
	    "  \"EventLogFlags\"=dword:00000000\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Control\\ContentIndex\" name=\"EventLogFlags\" type=\"dword\" "
	    "data=\"0x00000000\" create=\"true\"/>\n");
	draft_free(dr);

	/* The value of a key under HKEY_CURRENT_USER. */
	dr = check_complete(
	    "Delete the Foo value under the HKEY_CURRENT_USER\\Software\\"
	    "Vendor key.\n",
	    "<delete-value path=\"HKEY_CURRENT_USER\\Software\\Vendor\" "
	    "name=\"Foo\"/>\n");
	ck_assert_ptr_nonnull(strstr(dr->xml, "<hive name=\"NTUSER\"/>"));
	draft_free(dr);
}
END_TEST

/* Methods to choose from; the service pack before the workaround. */
START_TEST(test_alternatives)
{
	struct draft *dr = check_complete(
	    "To work around this problem, do either of the following:\n\n"
	    "- Reinstall the Administrator tool if the computer is not the "
	    "site server.\n\n"
	    "  -or-\n\n"
	    "- Manually add the missing registry key. To do this, perform the "
	    "steps in the\n  \"Adding the Key\" section of this article, "
	    "below.\n\n"
	    "Adding the Key\n"
	    "--------------\n\n"
	    "1. Navigate to the following key:\n\n"
	    "     " SMS "\\Components\n\n"
	    "2. Create the following key:\n\n"
	    "     " SMS "\\Components\\SightNT\n",
	    "<create-key path=\"" SMS "\\Components\\SightNT\"/>\n");

	ck_assert_ptr_nonnull(strstr(dr->xml, "<!-- alternative not drafted "
	    "from t.txt:15: it runs or installs a program\n"));
	draft_free(dr);

	/* Without methods to choose from, the same step is a step. */
	dr = draft_wk("To work around this problem:\n\n"
	    "- Reinstall the Administrator tool.\n\n"
	    "- Create the following key:\n\n"
	    "     " SMS "\\Components\\SightNT\n");
	ck_assert_int_eq(dr->status, DRAFT_PARTIAL);
	draft_free(dr);

	/* No method drafted: the alternatives are what the article says. */
	check_none("Use one of the following methods:\n\n"
	    "- Reinstall the Administrator tool.\n\n"
	    "- Apply the latest service pack.\n",
	    "not doable offline: it runs or installs a program");

	dr = check_complete(
	    "To resolve this problem, obtain the latest service pack for "
	    "Systems Management\nServer version 2.0.\n\n"
	    "To work around this problem:\n\n"
	    "1. Start Registry Editor (Regedt32.exe).\n\n"
	    "2. Locate and click the Start value in the following registry "
	    "key:\n\n"
	    "  HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\"
	    "Idisw2km\n\n"
	    "3. On the Edit menu, click DWORD, type \"3\" (without the "
	    "quotation marks), and\n  then click OK.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\"
	    "Services\\Idisw2km\" name=\"Start\" type=\"dword\" data=\"3\"/>"
	    "\n");
	draft_free(dr);
	/* Two changes in one step: the first is drafted, the step stays
	 * for the author. */
	dr = draft_wk("1. Find the following registry key:\n\n"
	    "     " SMS "\\Client Services\\Remote Control\\Parameters\n\n"
	    "2. Change the \"CommandLine\" value from \"-IP\" (IP Sockets) "
	    "to \"-L0\" (Lana 0). To\n   permanently override the site-wide "
	    "setting, set the \"Override Site\n   CommandLine\" value under "
	    "the Remote Control key to a value of \"1\" as well.\n");
	ck_assert_int_eq(dr->status, DRAFT_PARTIAL);
	ck_assert_uint_eq(dr->nactions, 1);
	ck_assert_str_eq(dr->reason, "1 step left as comments (first at line "
	    "17: registry step not understood: the step states more changes "
	    "than the one drafted)");
	draft_free(dr);
	/* A service pack as a numbered step is a step. */
	dr = draft_wk("1. Obtain the latest service pack.\n\n"
	    "2. Delete the following key:\n\n"
	    "     " SMS "\\Components\\SightNT\n");
	ck_assert_int_eq(dr->status, DRAFT_PARTIAL);
	draft_free(dr);
}
END_TEST

/* ------------------------------------------ never a wrong change */

#define WRAPPED	"1 registry step not understood (first at line 13: the " \
		    "key path goes on past a space or a line break, and how " \
		    "is not known)"

/* A key path wrapped or cut inside a sentence is never drafted as its
 * first part: it goes on, and where it ends is not known (a space? no
 * space?) unless the article writes the same path alone elsewhere. */
START_TEST(test_wrapped_path_in_prose)
{
	struct draft *dr;

	check_none("Set the Foo value to 1 under the HKEY_LOCAL_MACHINE\\"
	    "SOFTWARE\\Microsoft\\Windows\nNT\\CurrentVersion\\Winlogon key.\n",
	    WRAPPED);
	check_none("Set the Foo value to 1 under the HKEY_LOCAL_MACHINE\\"
	    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\nkey.\n",
	    WRAPPED);
	check_none("Delete the HKLM\\SOFTWARE\\Microsoft\\Windows\n"
	    "NT\\CurrentVersion\\Foo registry key.\n", WRAPPED);
	/* The same path written alone: the sentence's is that one. */
	dr = check_complete(
	    "1. Locate the following key:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\"
	    "CurrentVersion\\Winlogon\n\n"
	    "2. Set the Foo value to 1 under the HKEY_LOCAL_MACHINE\\SOFTWARE\\"
	    "Microsoft\\Windows\n   NT\\CurrentVersion\\Winlogon key.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\"
	    "Windows NT\\CurrentVersion\\Winlogon\" name=\"Foo\" "
	    "type=\"dword\" data=\"1\"/>\n");
	draft_free(dr);
	/* What follows a path in a sentence is not always more of it. */
	dr = check_complete("Set the Foo value to 1 under the HKLM\\SOFTWARE\\"
	    "Vendor key, and\nthen restart the computer.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\" "
	    "name=\"Foo\" type=\"dword\" data=\"1\"/>\n");
	draft_free(dr);
}
END_TEST

/* A key path written alone on its lines, wrapped: joined where the wrap is
 * at a separator or inside a name, never drafted as its first line when
 * the rest cannot be joined (with or without the article's "NOTE: The
 * above registry key is one path"). */
START_TEST(test_wrapped_path_block)
{
	struct draft *dr;

	check_none("1. Locate the following key:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\"
	    "Class\n"
	    "     {4D36E972-E325-11CE-BFC1-08002BE10318}\\0001\n\n"
	    "2. Change the Foo value to 1.\n",
	    "2 registry steps not understood (first at line 15: the key path "
	    "goes on past a space or a line break, and how is not known)");
	check_none("1. Locate the following key:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Settings for\n"
	    "     Windows (Legacy)\n\n"
	    "   NOTE: The above registry key is one path; it has been wrapped "
	    "for readability.\n\n"
	    "2. Change the Foo value to 1.\n",
	    "2 registry steps not understood (first at line 15: the key path "
	    "goes on past a space or a line break, and how is not known)");
	/* Wrapped at a separator, or at a space inside a name, with the
	 * note: one path. */
	dr = check_complete("1. Locate the following key:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\"
	    "LanmanServer\n     \\Parameters\n\n"
	    "   NOTE: The above registry key is one path; it has been wrapped "
	    "for readability.\n\n"
	    "2. Change the Foo value to 1.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Services\\LanmanServer\\Parameters\" name=\"Foo\" type=\"dword\" "
	    "data=\"1\"/>\n");
	draft_free(dr);
	dr = check_complete("1. Locate the following key:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\"
	    "CurrentVersion\\Image File\n     Execution Options\\App.exe\n\n"
	    "   NOTE: The above registry key is one path; it has been wrapped "
	    "for readability.\n\n"
	    "2. Change the Foo value to 1.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\"
	    "Windows NT\\CurrentVersion\\Image File Execution Options\\"
	    "App.exe\" name=\"Foo\" type=\"dword\" data=\"1\"/>\n");
	draft_free(dr);
}
END_TEST

/* A .reg snippet's [key] wrapped over two lines; a snippet is drafted
 * whole or not at all. */
START_TEST(test_wrapped_reg_header)
{
	struct draft *dr = check_complete("Add the following registry "
	    "setting:\n\n"
	    "  REGEDIT4\n\n"
	    "  [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\"
	    "Tcpip\n"
	    "  \\Parameters]\n"
	    "  \"EnableFoo\"=dword:00000001\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Services\\Tcpip\\Parameters\" name=\"EnableFoo\" type=\"dword\" "
	    "data=\"0x00000001\" create=\"true\"/>\n");

	draft_free(dr);
	dr = check_complete("Add the following registry setting:\n\n"
	    "  [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\\n"
	    "  Tcpip\\Parameters]\n"
	    "  \"EnableFoo\"=dword:00000001\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Services\\Tcpip\\Parameters\" name=\"EnableFoo\" type=\"dword\" "
	    "data=\"0x00000001\" create=\"true\"/>\n");
	draft_free(dr);
	/* Spaces are part of a .reg key's names. */
	dr = check_complete("Add the following registry setting:\n\n"
	    "  [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\"
	    "CurrentVersion\\Winlogon]\n"
	    "  \"Foo\"=dword:00000001\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\"
	    "Windows NT\\CurrentVersion\\Winlogon\" name=\"Foo\" "
	    "type=\"dword\" data=\"0x00000001\" create=\"true\"/>\n");
	draft_free(dr);
	/* Wrapped elsewhere than at a separator: a space, or a word cut? */
	check_none("Add the following registry setting:\n\n"
	    "  [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\"
	    "CurrentVersion\\Image File\n"
	    "  Execution Options\\App.exe]\n"
	    "  \"Debugger\"=\"ntsd\"\n",
	    "1 registry step not understood (first at line 15: a .reg line "
	    "the drafter cannot read)");
	/* One line it cannot read, and the snippet is not drafted. */
	check_none("Add the following registry setting:\n\n"
	    "  [HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]\n"
	    "  \"Mode\"=dword:00000001\n"
	    "  \"Path\"=hex(2):25,00,53,00,00,00\n",
	    "1 registry step not understood (first at line 15: a .reg line "
	    "the drafter cannot read)");
}
END_TEST

/* A .reg file exported on a running machine names its control set,
 * ControlSet001; the article means the current one. */
START_TEST(test_control_set)
{
	struct draft *dr = check_complete("Add the following registry "
	    "setting:\n\n"
	    "  [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\Foo]\n"
	    "  \"Start\"=dword:00000004\n\n"
	    "Then delete the HKLM\\SYSTEM\\ControlSet001\\Services\\Bar key.\n",
	    "<set-value path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Services\\Foo\" name=\"Start\" type=\"dword\" data=\"0x00000004\" "
	    "create=\"true\"/>\n"
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"
	    "Services\\Bar\"/>\n");

	ck_assert_ptr_nonnull(strstr(dr->xml, "    <!-- review: the article "
	    "names a ControlSetNNN, as a .reg file exported on a running "
	    "machine does: drafted as CurrentControlSet, the one "
	    "Select\\Current names -->\n    <set-value"));
	draft_free(dr);
	/* Only SYSTEM's control sets. */
	dr = check_complete("Delete the HKLM\\SOFTWARE\\ControlSet001\\Foo "
	    "key.\n",
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\ControlSet001\\"
	    "Foo\"/>\n");
	ck_assert_ptr_null(strstr(dr->xml, "ControlSetNNN"));
	draft_free(dr);
}
END_TEST

/* A "Value Name:" block does what the step that introduces it says:
 * delete, add, change; a block no step introduces with a change is no
 * action. */
START_TEST(test_fields_operation)
{
	struct draft *dr = check_complete(
	    "1. Locate the following key in the registry:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\Client\n\n"
	    "2. Delete the following object:\n\n"
	    "     Value Name: DisableFoo\n"
	    "     Data Type: REG_DWORD\n"
	    "     Value: 1\n",
	    "<delete-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\"
	    "Exchange\\Client\" name=\"DisableFoo\"/>\n");

	draft_free(dr);
	dr = check_complete(
	    "1. Locate the following key in the registry:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\n\n"
	    "2. Remove the following value:\n"
	    "     Value Name: Foo\n",
	    "<delete-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\" "
	    "name=\"Foo\"/>\n");
	draft_free(dr);
	/* The intro before the key, as Q182712 writes it. */
	dr = check_complete(
	    "To turn it off, remove the following registry entry:\n\n"
	    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\n\n"
	    "Value Name: Foo\n"
	    "Data Type: REG_SZ\n",
	    "<delete-value path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\" "
	    "name=\"Foo\"/>\n");
	draft_free(dr);
	/* A key, to delete under the key located. */
	dr = check_complete(
	    "1. Locate the following key in the registry:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\n\n"
	    "2. Delete the following object:\n\n"
	    "     Key Name: Cache\n",
	    "<delete-key path=\"HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\"
	    "Cache\"/>\n");
	draft_free(dr);
	/* Nothing says what to do with the value. */
	check_none("The cache is set by the following value:\n\n"
	    "  HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\n\n"
	    "  Value Name: Foo\n"
	    "  Data Type: REG_DWORD\n"
	    "  Data: 1\n",
	    "1 registry step not understood (first at line 17: the step does "
	    "not say what to do with the value)");
	check_none("1. Locate the following key:\n\n"
	    "  HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\n\n"
	    "2. Delete or change the following value:\n\n"
	    "  Value Name: Foo\n"
	    "  Data: 1\n",
	    "1 registry step not understood (first at line 19: the step does "
	    "not say what to do with the value)");
}
END_TEST

static Suite *
draft_suite(void)
{
	Suite *s = suite_create("draft");
	TCase *tc = tcase_create("phrases");

	tcase_add_test(tc, test_delete_subkeys);
	tcase_add_test(tc, test_delete_subkeys_inline);
	tcase_add_test(tc, test_delete_keys);
	tcase_add_test(tc, test_delete_value);
	tcase_add_test(tc, test_blank);
	tcase_add_test(tc, test_change_start);
	tcase_add_test(tc, test_add_value);
	tcase_add_test(tc, test_create_needs_when);
	tcase_add_test(tc, test_notes_are_warnings);
	tcase_add_test(tc, test_rename_file);
	tcase_add_test(tc, test_path_forms);
	tcase_add_test(tc, test_not_recognised);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc, test_doubled_words);
	tcase_add_test(tc, test_from_and_type_words);
	tcase_add_test(tc, test_stated_data);
	tcase_add_test(tc, test_add_value_forms);
	tcase_add_test(tc, test_delete_named_key);
	tcase_add_test(tc, test_if_exists);
	tcase_add_test(tc, test_display_forms);
	tcase_add_test(tc, test_regedit_steps);
	tcase_add_test(tc, test_alternatives);
	tcase_add_test(tc, test_wrapped_path_in_prose);
	tcase_add_test(tc, test_wrapped_path_block);
	tcase_add_test(tc, test_wrapped_reg_header);
	tcase_add_test(tc, test_control_set);
	tcase_add_test(tc, test_fields_operation);
	suite_add_tcase(s, tc);
	return s;
}

/* Purpose-written articles only: no ../shared needed (the articles of
 * ../shared are in check_draft_corpus.c). */
int
main(void)
{
	int rc;

	dt_schema_load();
	rc = tu_run_suite(draft_suite());
	dt_schema_free();
	return rc;
}
