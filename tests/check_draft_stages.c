/* check_draft_stages.c: the drafter's stages one at a time, through its
 * private header: the sentence forms and their named groups, the path
 * reader, the items and their flat text.  (check_draft.c drafts whole
 * articles.) */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "draft-int.h"
#include "testutil.h"

/* ------------------------------------------------------------ forms */

START_TEST(test_rx_named_groups)
{
	struct rxset r;
	struct rxm m;
	char *s;
	int quoted;

	ck_assert_int_eq(draft_rx_compile(&r), 0);
	ck_assert(draft_rx_match(&r, RX_DELSUB, "delete the subkeys that "
	    "start with \"Foo\" under the @1@ key", &m));
	s = draft_cap(&m, "prefix");
	ck_assert_str_eq(s, "Foo");
	free(s);
	ck_assert(draft_has(&m, "path"));
	ck_assert_int_eq(draft_cap_path(&m, "path"), 1);
	/* The form's other way: no path in the sentence. */
	ck_assert(draft_rx_match(&r, RX_DELSUB, "delete the subkeys that "
	    "start with \"Foo\" from the following key", &m));
	ck_assert(!draft_has(&m, "path"));
	ck_assert_int_eq(draft_cap_path(&m, "path"), -1);
	ck_assert_ptr_null(r.bad);

	/* A name bare or quoted. */
	ck_assert(draft_rx_match(&r, RX_SET_NAMED, "set the \"Max MIF Size\" "
	    "value to 5", &m));
	s = draft_cap_name(&m, "name", &quoted);
	ck_assert_str_eq(s, "Max MIF Size");
	ck_assert_int_eq(quoted, 1);
	free(s);
	ck_assert(draft_rx_match(&r, RX_SET_NAMED, "set the Start value to 4",
	    &m));
	s = draft_cap_name(&m, "name", &quoted);
	ck_assert_str_eq(s, "Start");
	ck_assert_int_eq(quoted, 0);
	free(s);
	s = draft_cap(&m, "data");
	ck_assert_str_eq(s, "4");
	free(s);

	/* A group the form has not is the drafter's mistake, remembered. */
	s = draft_cap(&m, "prefix");
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_str_eq(r.bad, "prefix");
	draft_rx_free(&r);
}
END_TEST

/* ------------------------------------------------------------ paths */

/* The path whose root is at the first "HKEY_" or "HKLM" of TEXT. */
static void
scan(const char *text, struct path *p)
{
	const char *s = strstr(text, "HKEY_");
	int ri;

	if (s == NULL)
		s = strstr(text, "HKLM");
	ck_assert_ptr_nonnull(s);
	ri = draft_root_at(text, s);
	ck_assert_int_ge(ri, 0);
	ck_assert_int_eq(draft_path_scan(text, (size_t)(s - text), ri, NULL,
	    p), 0);
}

START_TEST(test_path_scan)
{
	struct path p;

	/* In a sentence a path ends at a space ... */
	scan("set it under HKLM\\SOFTWARE\\Vendor\\Old App now", &p);
	ck_assert_str_eq(p.text, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Old");
	ck_assert_int_eq(p.cut, 0);
	ck_assert_str_eq(p.hive, "SOFTWARE");
	draft_path_free(&p);
	/* ... and when more of it follows, it is cut short. */
	scan("set it under HKLM\\SOFTWARE\\Microsoft\\Windows\n"
	    "NT\\CurrentVersion key", &p);
	ck_assert_str_eq(p.text, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\"
	    "Windows");
	ck_assert_int_eq(p.cut, 1);
	draft_path_free(&p);
	scan("under HKLM/SOFTWARE/Microsoft/Windows NT/CurrentVersion", &p);
	ck_assert_int_eq(p.cut, 1);
	draft_path_free(&p);
	/* Another path is no more of it. */
	scan("delete HKLM\\SOFTWARE\\A and\nHKLM\\SOFTWARE\\B", &p);
	ck_assert_int_eq(p.cut, 0);
	draft_path_free(&p);

	/* Alone on its lines: wrapped at a separator or inside a name. */
	scan("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Lanman"
	    "Server\n\\Parameters", &p);
	ck_assert_str_eq(p.text, "HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Services\\LanmanServer\\Parameters");
	ck_assert_uint_eq(p.nelems, 5);
	draft_path_free(&p);
	scan("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\"
	    "CurrentVersion\\Image File\nExecution Options", &p);
	ck_assert_str_eq(p.last, "Image File Execution Options");
	ck_assert_int_eq(p.cut, 0);
	draft_path_free(&p);
	scan("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Class\n"
	    "{4D36E972-E325-11CE-BFC1-08002BE10318}\\0001", &p);
	ck_assert_int_eq(p.cut, 1);
	draft_path_free(&p);

	/* SYSTEM's ControlSet001 is read as CurrentControlSet. */
	scan("HKLM\\SYSTEM\\ControlSet001\\Services", &p);
	ck_assert_str_eq(p.text, "HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Services");
	ck_assert_int_eq(p.ccs, 1);
	draft_path_free(&p);
}
END_TEST

START_TEST(test_path_reg)
{
	static const char *bad[] = {
		"HKEY_LOCAL_MACHINE\\SOFTWARE\\Foo\\",
		"HKEY_LOCAL_MACHINE\\SOFTWARE\\\\Foo",
		"SITECTRLCT2SRCSITE",
		"-HKEY_LOCAL_MACHINE\\SOFTWARE\\Foo",
		"HKEY_CLASSES_ROOT\\.pdf",
		"HKEY_LOCAL_MACHINE\\SOFTWARE\\<sitecode>",
	};
	struct path p;
	size_t i;

	ck_assert_int_eq(draft_path_reg("HKEY_LOCAL_MACHINE\\SOFTWARE\\"
	    "Microsoft\\Windows NT\\CurrentVersion", &p), 0);
	ck_assert_str_eq(p.text, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\"
	    "Windows NT\\CurrentVersion");
	ck_assert_str_eq(p.hive, "SOFTWARE");
	ck_assert_uint_eq(p.nelems, 4);
	draft_path_free(&p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(draft_path_reg(bad[i], &p), 0);
		ck_assert_msg(p.hive == NULL, "%s", bad[i]);
		ck_assert_ptr_nonnull(p.why);
		draft_path_free(&p);
	}
}
END_TEST

/* ------------------------------------------------------------ items */

static struct article *
article_of(const char *workaround)
{
	struct article *a = NULL;
	struct diag d;
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s, "DOCUMENT:Q900001  01-JAN-2001  [t]\n"
	    "TITLE   :Test\n\nWORKAROUND\n==========\n\n%s\n", workaround), 0);
	diag_init(&d);
	ck_assert_int_eq(article_parse(s, strlen(s), "t.txt", &a, &d), 0);
	diag_free(&d);
	free(s);
	ck_assert_ptr_nonnull(a->procedure);
	return a;
}

START_TEST(test_items)
{
	struct article *a = article_of(
	    "1. Locate the following key:\n\n"
	    "     HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\"
	    "CurrentVersion\n\n"
	    "2. Set the Foo value to 1 under the HKLM\\SOFTWARE\\Microsoft\\"
	    "Windows\n   NT\\CurrentVersion key.\n\n"
	    "3. Set the Bar value to 1 under the HKLM\\SOFTWARE\\Vendor\\Old\n"
	    "   App\\Settings key.\n");
	struct item *items;
	size_t n, i;

	ck_assert_int_eq(draft_items_split(a, a->procedure, &items, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(items[0].numbered, 1);
	ck_assert_int_eq(items[1].numbered, 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(draft_item_scan(&items[i], NULL), 0);
	ck_assert_str_eq(items[0].flat, "Locate the following key:");
	ck_assert_str_eq(items[1].flat, "@0@");
	ck_assert_int_eq(items[1].paths[0].block, 1);
	ck_assert_str_eq(items[2].flat, "Set the Foo value to 1 under the @0@ "
	    "NT\\CurrentVersion key.");
	ck_assert_int_eq(items[2].paths[0].cut, 1);

	/* The path written alone completes the one cut in step 2; step 3's
	 * is written nowhere whole. */
	ck_assert_int_eq(draft_paths_complete(items, n), 0);
	ck_assert_str_eq(items[2].flat, "Set the Foo value to 1 under the @0@ "
	    "key.");
	ck_assert_str_eq(items[2].paths[0].text, "HKEY_LOCAL_MACHINE\\SOFTWARE"
	    "\\Microsoft\\Windows NT\\CurrentVersion");
	ck_assert_str_eq(items[2].paths[0].hive, "SOFTWARE");
	ck_assert_uint_eq(items[2].paths[0].nelems, 4);
	ck_assert_ptr_null(items[3].paths[0].hive);
	ck_assert_str_eq(items[3].paths[0].why, W_CUT);
	for (i = 0; i < n; i++)
		draft_item_free(&items[i]);
	free(items);
	article_free(a);
}
END_TEST

static Suite *
stages_suite(void)
{
	Suite *s = suite_create("draft_stages");
	TCase *tc = tcase_create("stages");

	tcase_add_test(tc, test_rx_named_groups);
	tcase_add_test(tc, test_path_scan);
	tcase_add_test(tc, test_path_reg);
	tcase_add_test(tc, test_items);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(stages_suite());
}
