/* check_article.c: unit tests of the KB article parser. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "testutil.h"

static struct article *
parse_seed(const char *name)
{
	char *path = tu_path(tu_shared(), name), *buf;
	struct article *a = NULL;
	struct diag d;
	size_t len;

	diag_init(&d);
	buf = tu_read(path, &len);
	ck_assert_msg(buf != NULL, "cannot read %s", path);
	ck_assert_int_eq(article_parse(buf, len, name, &a, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	diag_free(&d);
	free(buf);
	free(path);
	return a;
}

static struct article *
parse_str(const char *s, struct diag *d)
{
	struct article *a = NULL;

	article_parse(s, strlen(s), "t.txt", &a, d);
	return a;
}

static char *
proc_text(const struct article *a)
{
	ck_assert_ptr_nonnull(a->procedure);
	return article_section_text(a, a->procedure);
}

START_TEST(test_seed_267971)
{
	struct article *a = parse_seed("seeds/Q267971.txt");
	char *t;

	ck_assert_str_eq(a->number, "Q267971");
	ck_assert_str_eq(a->title,
	    "SMS: The Library for Smsperf.dll Could Not Be Opened");
	ck_assert_str_eq(a->modified, "11-JUN-2002");
	/* From "applies to:", with the versions the Product(s) field has
	 * not. */
	ck_assert_uint_eq(a->nproducts, 1);
	ck_assert_str_eq(a->products[0], "Microsoft Systems Management Server "
	    "versions 2.0 SP2, 2.0 SP3");
	ck_assert_int_eq(a->has_workaround, 1);
	ck_assert_str_eq(a->procedure->name, "WORKAROUND");
	ck_assert_uint_eq(a->nsections, 4);
	ck_assert_str_eq(a->sections[0].name, "SYMPTOMS");
	ck_assert_str_eq(a->sections[3].name, "MORE INFORMATION");
	ck_assert_int_eq(a->procedure->line, 57);
	t = proc_text(a);
	ck_assert_str_eq(t,
	    "WARNING: If you use Registry Editor incorrectly, you may cause "
	    "serious problems\n"
	    "that may require you to reinstall your operating system. "
	    "Microsoft cannot\n"
	    "guarantee that you can solve problems that result from using "
	    "Registry Editor\n"
	    "incorrectly. Use Registry Editor at your own risk.\n"
	    "\n"
	    "Use Registry Editor on the server that is generating the error "
	    "message to delete\n"
	    "the subkeys that start with \"SMSPerfCountersfor\" from the "
	    "following key:\n"
	    "\n"
	    "  HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\");
	free(t);
	ck_assert(strncmp(a->symptom, "After you install Microsoft Systems "
	    "Management Server version 2.0 Service Pack 2\n(SP2), periodically",
	    90) == 0);
	/* Line numbers are the file's. */
	ck_assert_int_eq(a->lines[a->procedure->first + 7].no, 66);
	article_free(a);
}
END_TEST

START_TEST(test_seed_317061)
{
	struct article *a = parse_seed("seeds/Q317061.txt");

	ck_assert_str_eq(a->number, "Q317061");
	ck_assert_str_eq(a->title,
	    "Software Distribution May Not Work with Exchange 2000 Server");
	ck_assert_str_eq(a->modified, "06-AUG-2002");
	ck_assert_str_eq(a->procedure->name, "WORKAROUND");
	ck_assert_ptr_nonnull(article_section(a, "RESOLUTION"));
	ck_assert_ptr_nonnull(article_section(a, "status"));
	ck_assert_str_eq(a->symptom,
	    "If you distribute a package to a Systems Management Server (SMS) "
	    "2.0 site in\n"
	    "which the site server and Microsoft Exchange 2000 Server are "
	    "installed on the\n"
	    "same computer, the package may not arrive at the distribution "
	    "points for that\n"
	    "site.");
	article_free(a);
}
END_TEST

START_TEST(test_seed_268499)
{
	struct article *a = parse_seed("seeds/Q268499.txt");

	ck_assert_str_eq(a->number, "Q268499");
	ck_assert_str_eq(a->title,
	    "SMS: Software Distribution Does Not Function on Alpha Platform");
	ck_assert_str_eq(a->modified, "19-NOV-2000");
	ck_assert_str_eq(a->procedure->name, "WORKAROUND");
	ck_assert_uint_eq(a->nsections, 4);
	article_free(a);
}
END_TEST

START_TEST(test_seed_256211)
{
	struct article *a = parse_seed("seeds/Q256211.txt");
	char *t;

	ck_assert_str_eq(a->number, "Q256211");
	ck_assert_str_eq(a->title, "SMS: Smsapm32.exe Does Not Stop When "
	    "Client Agent Is Upgraded");
	ck_assert_str_eq(a->modified, "25-JUN-2000");
	ck_assert_uint_eq(a->nsections, 6);
	t = proc_text(a);
	ck_assert_str_eq(t, "To work around this behavior, place the network "
	    "drive or UNC path in the user's\npath environment variable by "
	    "using the \"PATH =\" statement in the user's logon\nscript.");
	free(t);
	article_free(a);
}
END_TEST

/* The plain DOCUMENT: form, with no WORKAROUND. */
START_TEST(test_seed_195936)
{
	struct article *a = parse_seed("seeds/Q195936.txt");

	ck_assert_str_eq(a->number, "Q195936");
	ck_assert_str_eq(a->title,
	    "SMS: Pkg. Distribution Fails If Updating of Master Pkg. Fails");
	ck_assert_str_eq(a->modified, "20-MAY-2002");
	ck_assert_uint_eq(a->nproducts, 1);
	ck_assert_str_eq(a->products[0], "Microsoft Systems Management Server "
	    "version 1.2");
	ck_assert_int_eq(a->has_workaround, 0);
	/* No section names a registry key: no procedure. */
	ck_assert_ptr_null(a->procedure);
	ck_assert_uint_eq(a->nsections, 4);
	ck_assert_str_eq(a->sections[1].name, "RESOLUTION");
	ck_assert(strncmp(a->symptom, "When Despooler fails", 20) == 0);
	article_free(a);
}
END_TEST

/* A RESOLUTION naming a key is the procedure when there is no
 * WORKAROUND; entities in the page title are decoded; CRLF ends lines. */
START_TEST(test_resolution_fallback)
{
	struct diag d;
	struct article *a;

	diag_init(&d);
	a = parse_str("---\r\ntitle: \"Q900002: Err &quot;x&quot; &lt;y&gt;\"\r\n"
	    "---\r\n\r\n\tArticle: Q900002\r\n\tProduct(s): A, B\r\n"
	    "\tLast Modified: 01-FEB-2001\r\n\t\r\n\tSYMPTOMS\r\n\t========"
	    "\r\n\t\r\n\tIt fails.\r\n\t\r\n\tRESOLUTION\r\n\t==========\r\n"
	    "\t\r\n\tDelete HKLM\\SOFTWARE\\Foo.\r\n", &d);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->title, "Err \"x\" <y>");
	ck_assert_uint_eq(a->nproducts, 2);
	ck_assert_str_eq(a->products[1], "B");
	ck_assert_str_eq(a->symptom, "It fails.");
	ck_assert_int_eq(a->has_workaround, 0);
	ck_assert_str_eq(a->procedure->name, "RESOLUTION");
	ck_assert_str_eq(a->lines[a->procedure->first + 1].text,
	    "Delete HKLM\\SOFTWARE\\Foo.");
	article_free(a);
	/* The list after "applies to:" names each product with its
	 * versions: those are the products. */
	a = parse_str("\tArticle: Q900003\n\tProduct(s): A\n\t\n"
	    "\tThe information in this article applies to:\n\t\n"
	    "\t- A versions 1.0, 2.0 \n\t- B version 3.0\n\t----------\n"
	    "\t\n\tSYMPTOMS\n\t========\n\t\n\tIt fails.\n", &d);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->nproducts, 2);
	ck_assert_str_eq(a->products[0], "A versions 1.0, 2.0");
	ck_assert_str_eq(a->products[1], "B version 3.0");
	article_free(a);
	diag_free(&d);
}
END_TEST

/* Hostile input: no crash, a message, or a harmless article. */
START_TEST(test_hostile)
{
	struct diag d;
	struct article *a;
	char *big;
	size_t i;
	static const char bin[] = "DOCUMENT:Q1 \x01\xff\xfe\x80\n"
	    "SYMPTOMS\n========\n\xc3\x28\x00zz\n";

	diag_init(&d);
	ck_assert_ptr_null(parse_str("", &d));
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_str_eq(d.items[0].msg, "not a KB article: no article number");
	ck_assert_ptr_null(parse_str("---\n---\n", &d));
	ck_assert_ptr_null(parse_str("---\ntitle: \"Q: x\"", &d));
	ck_assert_ptr_null(parse_str("DOCUMENT:Q12x34", &d));
	a = NULL;
	ck_assert_int_eq(article_parse(bin, sizeof(bin) - 1, "b", &a, &d), 0);
	ck_assert_str_eq(a->number, "Q1");
	/* Bad UTF-8 and control bytes are replaced. */
	ck_assert_str_eq(a->symptom, "?(?zz");
	article_free(a);
	/* Headings with nothing after them, underline at the end. */
	a = parse_str("DOCUMENT:Q5\nWORKAROUND\n==========", &d);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->procedure->n, 0);
	free(article_section_text(a, a->procedure));
	article_free(a);
	/* Too big. */
	big = malloc(ARTICLE_MAX_BYTES + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, '\n', ARTICLE_MAX_BYTES + 1);
	a = NULL;
	ck_assert_int_eq(article_parse(big, ARTICLE_MAX_BYTES + 1, "big", &a,
	    &d), -1);
	ck_assert_ptr_null(a);
	/* One long line, many headings. */
	for (i = 0; i < ARTICLE_MAX_BYTES; i++)
		big[i] = "ABC\n===\n"[i % 8];
	memcpy(big, "DOCUMENT:Q7\n\n\n\n\n", 16);
	ck_assert_int_eq(article_parse(big, ARTICLE_MAX_BYTES / 2, "h", &a,
	    &d), -1);
	ck_assert_str_eq(d.items[d.n - 1].msg,
	    "article has too many lines or memory is exhausted");
	ck_assert_int_eq(article_parse(big, 150000, "h", &a, &d), 0);
	ck_assert_uint_eq(a->nsections, 18748);
	article_free(a);
	free(big);
	diag_free(&d);
}
END_TEST

static Suite *
article_suite(void)
{
	Suite *s = suite_create("article");
	TCase *tc2 = tcase_create("core");

	/* The seed articles are in ../shared. */
	if (tu_have_shared("the seed articles (test_seed_*)")) {
		TCase *tc = tcase_create("seeds");

		tcase_add_test(tc, test_seed_267971);
		tcase_add_test(tc, test_seed_317061);
		tcase_add_test(tc, test_seed_268499);
		tcase_add_test(tc, test_seed_256211);
		tcase_add_test(tc, test_seed_195936);
		suite_add_tcase(s, tc);
	}
	tcase_add_test(tc2, test_resolution_fallback);
	tcase_add_test(tc2, test_hostile);
	suite_add_tcase(s, tc2);
	return s;
}

int
main(void)
{
	return tu_run_suite(article_suite());
}
