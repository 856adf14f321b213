/* check_diag.c: unit tests of the diagnostics collector. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "testutil.h"

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

START_TEST(test_format)
{
	struct diag d;
	char *s;

	diag_init(&d);
	diag_error(&d, "r.xml", 12, "unknown type '%s'", "sz2");
	diag_warning(&d, "SYSTEM", 0, "hive is dirty");
	diag_error(&d, NULL, 0, "cannot open '%s'", "x");
	ck_assert_uint_eq(d.nerrors, 2);
	ck_assert_uint_eq(d.nwarnings, 1);
	s = printed(&d);
	ck_assert_str_eq(s,
	    "r.xml:12: error: unknown type 'sz2'\n"
	    "SYSTEM: warning: hive is dirty\n"
	    "kbfix: error: cannot open 'x'\n");
	free(s);
	diag_free(&d);
}
END_TEST

START_TEST(test_move)
{
	struct diag a, b;

	diag_init(&a);
	diag_init(&b);
	diag_error(&b, "f", 1, "one");
	diag_note(&b, "f", 2, "two");
	diag_move(&a, &b);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_uint_eq(a.nerrors, 1);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(b.nerrors, 0);
	ck_assert_str_eq(a.items[1].msg, "two");
	diag_free(&a);
	diag_free(&b);
}
END_TEST

static Suite *
diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_move);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(diag_suite());
}
