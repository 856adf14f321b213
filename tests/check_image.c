/* check_image.c: unit tests of finding a machine in a folder (image.c),
 * case-insensitive lookups that never leave it (winpath.c) and the JSON
 * writer (json.c). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "json.h"
#include "testutil.h"
#include "winpath.h"

static int
has_error(const struct diag *d, const char *part)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strstr(d->items[i].msg, part) != NULL)
			return 1;
	return 0;
}

START_TEST(test_lookup_case)
{
	char *dir = tu_tmpdir(), *out = NULL, *want;
	struct diag d;
	int exists;

	tu_put(dir, "WINNT/system32/DRIVERS/Tcpip.SYS", "x");
	diag_init(&d);
	ck_assert_int_eq(winpath_resolve(dir, "%SystemRoot%\\..", &out,
	    &exists, &d), -1);
	ck_assert(has_error(&d, "'..' is not allowed"));
	ck_assert_int_eq(winpath_lookup(dir,
	    "winnt\\System32\\drivers\\tcpip.sys", &out, &exists, &d), 0);
	ck_assert_int_eq(exists, 1);
	want = tu_path(dir, "WINNT/system32/DRIVERS/Tcpip.SYS");
	ck_assert_str_eq(out, want);
	free(want);
	free(out);
	/* A missing element: the rest spelled as asked. */
	ck_assert_int_eq(winpath_lookup(dir, "WinNT/Profiles/Kim", &out,
	    &exists, &d), 0);
	ck_assert_int_eq(exists, 0);
	want = tu_path(dir, "WINNT/Profiles/Kim");
	ck_assert_str_eq(out, want);
	free(want);
	free(out);
	ck_assert_uint_eq(d.nerrors, 1);
	diag_free(&d);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(test_lookup_links)
{
	char *dir = tu_tmpdir(), *out = NULL, *p, *q;
	struct diag d;
	int exists;

	tu_put(dir, "outside/secret", "x");
	tu_put(dir, "vol/Windows/System32/keep", "x");
	p = tu_path(dir, "vol/Windows/System32/config");
	q = tu_path(dir, "outside");
	ck_assert_int_eq(symlink(q, p), 0);
	free(p);
	free(q);
	diag_init(&d);
	q = tu_path(dir, "vol/Windows");
	ck_assert_int_eq(winpath_resolve(q, "%SystemRoot%\\System32\\config"
	    "\\secret", &out, &exists, &d), -1);
	ck_assert_ptr_null(out);
	ck_assert(has_error(&d, "is a symbolic link: not followed"));
	ck_assert(has_error(&d, "System32/config'"));
	diag_free(&d);
	/* Back to a path from inside. */
	p = tu_path(q, "System32/keep");
	out = winpath_from_host(q, p);
	ck_assert_str_eq(out, "%SystemRoot%\\System32\\keep");
	free(out);
	ck_assert_ptr_null(winpath_from_host(q, dir));
	free(p);
	free(q);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(test_find_volume)
{
	char *dir = tu_tmpdir(), *sw, *sp;
	int want[HIVE__COUNT] = { 0 };
	struct image *im = NULL;
	struct diag d;
	size_t i;

	tu_put(dir, "WinNT/SYSTEM32/Config/system", "x");
	tu_put(dir, "Documents and Settings/Pat/ntuser.dat", "x");
	tu_put(dir, "Documents and Settings/Lee/NTUSER.DAT", "x");
	tu_put(dir, "Documents and Settings/All Users/Desktop/x", "x");
	tu_put(dir, "Program Files/x", "x");
	/* The fixture's ProfileList names %systemroot%\system32\config\
	 * systemprofile, found only through it. */
	sw = tu_path(dir, "WinNT/SYSTEM32/Config/SOFTWARE");
	tu_copy(KBFIX_BUILDDIR "/tests/hives/software/SOFTWARE", sw);
	tu_put(dir, "WinNT/SYSTEM32/Config/SystemProfile/NTUSER.DAT", "x");
	want[HIVE_SYSTEM] = want[HIVE_NTUSER] = 1;
	diag_init(&d);
	ck_assert_int_eq(image_find(dir, want, &im, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	sp = tu_path(dir, "WinNT");
	ck_assert_str_eq(im->windir, sp);
	free(sp);
	/* SOFTWARE was read for its ProfileList only. */
	ck_assert_uint_eq(im->nhives, 4);
	ck_assert_str_eq(im->rel[0], "WinNT/SYSTEM32/Config/system");
	ck_assert_str_eq(im->rel[1], "Documents and Settings/Lee/NTUSER.DAT");
	ck_assert_str_eq(im->rel[2], "Documents and Settings/Pat/ntuser.dat");
	ck_assert_str_eq(im->rel[3],
	    "WinNT/SYSTEM32/Config/SystemProfile/NTUSER.DAT");
	for (i = 0; i < im->nhives; i++) {
		char *r = image_rel(im, im->hives[i]);

		ck_assert_str_eq(r, im->rel[i]);
		free(r);
	}
	image_free(im);
	diag_free(&d);
	free(sw);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(test_find_refused)
{
	char *dir = tu_tmpdir(), *a, *b;
	int want[HIVE__COUNT] = { 0 };
	struct image *im = NULL;
	struct diag d;

	want[HIVE_SYSTEM] = 1;
	/* Two Windows folders: which machine is meant? */
	tu_put(dir, "two/Windows/System32/config/SYSTEM", "x");
	tu_put(dir, "two/WINNT/system32/config/SYSTEM", "x");
	a = tu_path(dir, "two");
	diag_init(&d);
	ck_assert_int_eq(image_find(a, want, &im, &d), -1);
	ck_assert_ptr_null(im);
	ck_assert(has_error(&d, "holds two Windows folders"));
	diag_free(&d);
	free(a);
	/* A hive that is a link out of the folder. */
	tu_put(dir, "outside/SYSTEM", "x");
	tu_put(dir, "link/Windows/System32/config/SOFTWARE", "x");
	a = tu_path(dir, "outside/SYSTEM");
	b = tu_path(dir, "link/Windows/System32/config/SYSTEM");
	ck_assert_int_eq(symlink(a, b), 0);
	free(a);
	free(b);
	a = tu_path(dir, "link");
	diag_init(&d);
	ck_assert_int_eq(image_find(a, want, &im, &d), -1);
	ck_assert(has_error(&d, "config/SYSTEM' is a symbolic link"));
	diag_free(&d);
	free(a);
	/* Nothing at all. */
	tu_put(dir, "empty/readme.txt", "x");
	a = tu_path(dir, "empty");
	diag_init(&d);
	ck_assert_int_eq(image_find(a, want, &im, &d), -1);
	ck_assert(has_error(&d, "holds no Windows folder"));
	diag_free(&d);
	free(a);
	/* A folder of hives, copied off a machine. */
	tu_put(dir, "hives/system", "x");
	a = tu_path(dir, "hives");
	diag_init(&d);
	ck_assert_int_eq(image_find(a, want, &im, &d), 0);
	ck_assert_ptr_null(im->windir);
	ck_assert_uint_eq(im->nhives, 1);
	ck_assert_str_eq(im->rel[0], "system");
	image_free(im);
	diag_free(&d);
	free(a);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(test_files_rel)
{
	char *files[] = { "./m1/SYSTEM", "../elsewhere/NTUSER.DAT", "/abs/SOFTWARE" };
	struct image *im = NULL;
	struct diag d;
	char *r;

	diag_init(&d);
	ck_assert_int_eq(image_from_files(files, 3, &im, &d), 0);
	ck_assert_str_eq(im->rel[0], "m1/SYSTEM");
	ck_assert_str_eq(im->rel[1], "NTUSER.DAT");
	ck_assert_str_eq(im->rel[2], "SOFTWARE");
	ck_assert_ptr_null(im->windir);
	ck_assert_ptr_null(image_rel(im, "m1/other"));
	r = image_rel(im, "/abs/SOFTWARE");
	ck_assert_str_eq(r, "SOFTWARE");
	free(r);
	image_free(im);
	diag_free(&d);
}
END_TEST

static char *
json_of(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_string_n(f, s, n);
	fclose(f);
	return buf;
}

START_TEST(test_json_string)
{
	char *s;

	s = json_of("C:\\Program Files\t\"x\"\n", 21);
	ck_assert_str_eq(s, "\"C:\\\\Program Files\\t\\\"x\\\"\\n\"");
	free(s);
	/* UTF-8 as it is; a stray byte as its Latin-1 reading; NUL. */
	s = json_of("\xc3\xa9t\xe9\x00z", 6);
	ck_assert_str_eq(s, "\"\xc3\xa9t\\u00e9\\u0000z\"");
	free(s);
	/* Overlong and surrogate forms are not valid UTF-8. */
	s = json_of("\xc0\xaf\xed\xa0\x80", 5);
	ck_assert_str_eq(s, "\"\\u00c0\\u00af\\u00ed\\u00a0\\u0080\"");
	free(s);
}
END_TEST

static Suite *
image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lookup_case);
	tcase_add_test(tc, test_lookup_links);
	tcase_add_test(tc, test_find_volume);
	tcase_add_test(tc, test_find_refused);
	tcase_add_test(tc, test_files_rel);
	tcase_add_test(tc, test_json_string);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(image_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
