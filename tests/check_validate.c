/* check_validate.c: the library rules of "kbfix validate" (validate.c). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remedy.h"
#include "testutil.h"
#include "validate.h"

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

/* A remedy with root attributes ROOT, article number NUMBER, and either
 * an action (with or without a workaround) or an advisory. */
static char *
doc(const char *root, const char *number, int actions, int workaround)
{
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s,
	    "<?xml version=\"1.0\"?>\n"
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" %s>\n"
	    "  <title>t</title>\n"
	    "  <article number=\"%s\"><product>p</product>"
	    "<symptom>s</symptom>%s</article>\n"
	    "  <summary>s</summary>\n"
	    "  <hive name=\"SYSTEM\"/>\n"
	    "%s"
	    "</remedy>\n", root, number,
	    workaround ? "<workaround>w</workaround>" : "",
	    actions ? "  <actions><delete-value path=\"HKLM\\SYSTEM\\A\" "
	    "name=\"v\"/></actions>\n" : "  <advisory>a</advisory>\n"), 0);
	return s;
}

/* Load XML as if from file NAME and apply the library rules with
 * TESTS_DIR; returns the printed messages (caller frees). */
static const char *library;	/* validate_options.library of rules() */

static char *
rules(const char *xml, const char *name, const char *tests_dir, int *nerr)
{
	struct validate_options o;
	struct remedy *r = NULL;
	struct diag d;
	char *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd"), *out;

	o.schema = schema;
	o.tests_dir = tests_dir;
	o.library = library;
	diag_init(&d);
	ck_assert_int_eq(remedy_load_memory(xml, strlen(xml), name, schema,
	    &r, &d), 0);
	*nerr = validate_remedy(r, &o, &d);
	ck_assert_int_eq(*nerr, (int)d.nerrors);
	out = printed(&d);
	remedy_free(r);
	diag_free(&d);
	free(schema);
	return out;
}

static void
expect(const char *root, const char *number, int actions, int workaround,
    const char *name, const char *tests_dir, const char *want)
{
	char *x = doc(root, number, actions, workaround), *got;
	int n;

	got = rules(x, name, tests_dir, &n);
	ck_assert_str_eq(got, want);
	free(got);
	free(x);
}

/* The five seeds are valid, and each has a test in tests/seeds. */
START_TEST(test_seeds_valid)
{
	static const char *const ids[] = { "Q195936", "Q256211", "Q267971",
	    "Q268499", "Q317061" };
	struct validate_options o;
	char *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	char *tests = tu_path(tu_srcdir(), "tests/seeds");
	size_t i;

	o.schema = schema;
	o.tests_dir = tests;
	o.library = NULL;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct diag d;
		char *p = NULL, *out;

		ck_assert_int_ge(asprintf(&p, "%s/remedies/%s.xml", tu_srcdir(),
		    ids[i]), 0);
		diag_init(&d);
		ck_assert_int_eq(validate_file(p, &o, &d), 0);
		out = printed(&d);
		ck_assert_str_eq(out, "");
		free(out);
		diag_free(&d);
		free(p);
	}
	free(schema);
	free(tests);
}
END_TEST

START_TEST(test_id_and_file_name)
{
	expect("id=\"Q1\"", "Q1", 1, 1, "lib/Q1.xml", NULL, "");
	expect("id=\"Q1\"", "Q1", 1, 1, "Q1.XML", NULL, "");
	expect("id=\"Q1\"", "Q1", 1, 1, "lib/Q2.xml", NULL,
	    "lib/Q2.xml:2: error: id 'Q1' is not the file's name 'Q2' "
	    "(without .xml)\n");
	/* Letter case counts: "kbfix show Q1" opens Q1.xml. */
	expect("id=\"Q1\"", "Q1", 1, 1, "q1.xml", NULL,
	    "q1.xml:2: error: id 'Q1' is not the file's name 'q1' "
	    "(without .xml)\n");
	expect("id=\"Q1\"", "Q1", 1, 1, "lib/Q1.xml.bak", NULL,
	    "lib/Q1.xml.bak:2: error: id 'Q1' is not the file's name "
	    "'Q1.xml.bak' (without .xml)\n");
}
END_TEST

/* Only the library's files must be named after their id: a file being
 * written elsewhere may be named as its author likes. */
START_TEST(test_name_outside_library)
{
	char *lib = tu_path(tu_srcdir(), "remedies");
	char *in = tu_path(tu_srcdir(), "remedies/Q2.xml");
	char *out = tu_path(tu_srcdir(), "tests/validate/Q2.xml");
	char *want = NULL;

	library = lib;
	expect("id=\"Q1\"", "Q1", 1, 1, out, NULL, "");
	expect("id=\"Q1\"", "Q1", 1, 1, "my-draft.xml", NULL, "");
	ck_assert_int_ge(asprintf(&want, "%s:2: error: id 'Q1' is not the "
	    "file's name 'Q2' (without .xml)\n", in), 0);
	expect("id=\"Q1\"", "Q1", 1, 1, in, NULL, want);
	library = NULL;
	free(want);
	free(lib);
	free(in);
	free(out);
}
END_TEST

START_TEST(test_article_number)
{
	/* Q and KB name the same article; a suffix names a second remedy of
	 * one article; an id that is no number is not compared. */
	expect("id=\"Q256211\"", "KB256211", 1, 1, "Q256211.xml", NULL, "");
	expect("id=\"KB256211\"", "Q256211", 1, 1, "KB256211.xml", NULL, "");
	expect("id=\"Q256211-user\"", "Q256211", 1, 1, "Q256211-user.xml",
	    NULL, "");
	expect("id=\"local-fix\"", "Q256211", 1, 1, "local-fix.xml", NULL, "");
	expect("id=\"Q0256211\"", "Q256211", 1, 1, "Q0256211.xml", NULL, "");
	expect("id=\"Q256212\"", "Q256211", 1, 1, "Q256212.xml", NULL,
	    "Q256212.xml:2: error: id 'Q256212' names article Q256212, but "
	    "<article number=\"Q256211\">\n");
	expect("id=\"Q2562-x\"", "Q256211", 1, 1, "Q2562-x.xml", NULL,
	    "Q2562-x.xml:2: error: id 'Q2562-x' names article Q2562, but "
	    "<article number=\"Q256211\">\n");
	/* "Q12a" is not a number followed by a suffix. */
	expect("id=\"Q12a\"", "Q256211", 1, 1, "Q12a.xml", NULL, "");
}
END_TEST

START_TEST(test_workaround_and_draft)
{
	/* An advisory need not quote a workaround: the article may have
	 * none (Q195936). */
	expect("id=\"Q1\"", "Q1", 0, 0, "Q1.xml", NULL, "");
	expect("id=\"Q1\"", "Q1", 1, 0, "Q1.xml", NULL,
	    "Q1.xml:2: error: a remedy with actions must quote the "
	    "WORKAROUND it encodes in <workaround>\n");
	expect("id=\"Q1\" draft=\"true\"", "Q1", 1, 1, "Q1.xml", NULL,
	    "Q1.xml:2: warning: is a draft (draft=\"true\"): apply refuses "
	    "it until it is reviewed\n");
}
END_TEST

START_TEST(test_tests_dir)
{
	char *dir = tu_tmpdir(), *f, *missing = tu_path(dir, "none");
	char *want = NULL;
	FILE *fp;

	ck_assert_int_ge(asprintf(&want, "Q1.xml:2: error: no test of remedy "
	    "'Q1' in '%s' (a file named Q1-* or Q1.*, not .xml)\n", dir), 0);
	expect("id=\"Q1\"", "Q1", 1, 1, "Q1.xml", dir, want);
	/* The remedy file itself, or another remedy, is not a test; nor is
	 * a file of a remedy whose id merely starts the same. */
	f = tu_path(dir, "Q1.xml");
	fp = fopen(f, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	free(f);
	f = tu_path(dir, "Q12-system.out");
	fp = fopen(f, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	free(f);
	expect("id=\"Q1\"", "Q1", 1, 1, "Q1.xml", dir, want);
	f = tu_path(dir, "Q1-system.out");
	fp = fopen(f, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	free(f);
	expect("id=\"Q1\"", "Q1", 1, 1, "Q1.xml", dir, "");
	free(want);

	ck_assert_int_ge(asprintf(&want, "Q1.xml: error: cannot open the "
	    "tests folder '%s': No such file or directory\n", missing), 0);
	expect("id=\"Q1\"", "Q1", 1, 1, "Q1.xml", missing, want);
	free(want);
	free(missing);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* validate_file reports the loader's errors, all of them, and adds the
 * library rules only to a file that loads. */
START_TEST(test_file_errors)
{
	struct validate_options o;
	char *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	char *p = tu_path(tu_srcdir(), "tests/validate/Q1000001.xml"), *out;
	struct diag d;

	o.schema = schema;
	o.tests_dir = NULL;
	o.library = NULL;
	diag_init(&d);
	ck_assert_int_eq(validate_file(p, &o, &d), 3);
	ck_assert_uint_eq(d.n, 3);
	ck_assert_int_eq(d.items[0].line, 20);
	ck_assert_int_eq(d.items[1].line, 18);
	ck_assert_int_eq(d.items[2].line, 13);
	diag_free(&d);
	free(p);

	p = tu_path(tu_srcdir(), "tests/validate/missing.xml");
	diag_init(&d);
	ck_assert_int_eq(validate_file(p, &o, &d), 1);
	out = printed(&d);
	ck_assert_ptr_nonnull(strstr(out, "cannot open '"));
	free(out);
	diag_free(&d);
	free(p);
	free(schema);
}
END_TEST

static Suite *
validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_seeds_valid);
	tcase_add_test(tc, test_id_and_file_name);
	tcase_add_test(tc, test_name_outside_library);
	tcase_add_test(tc, test_article_number);
	tcase_add_test(tc, test_workaround_and_draft);
	tcase_add_test(tc, test_tests_dir);
	tcase_add_test(tc, test_file_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(validate_suite());
}
