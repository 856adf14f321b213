/* check_catalog.c: finding remedies: a product's initials, and the match
 * of words, a product and a hive against remedies of the library. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "remedy.h"
#include "testutil.h"

START_TEST(test_initials)
{
	static const struct {
		const char *product, *want;
	} t[] = {
		{ "Microsoft Internet Information Server versions 1.0, 2.0", "IIS" },
		{ "Microsoft Internet Information Services version 5.0", "IIS" },
		{ "Microsoft Systems Management Server version 2.0 SP3", "SMS" },
		{ "Microsoft Systems Management Server 2.0 SP2", "SMS" },
		{ "Microsoft Active Server Pages, version 1.0", "ASP" },
		{ "Microsoft Internet Explorer version 3.01 for Windows NT 4.0", "IE" },
		{ "Internet Information Server", "IIS" },
		{ "Microsoft Index Server version 1.1", "IS" },
		/* One capitalised word: no initials. */
		{ "Microsoft Exchange 2000 Server", NULL },
		{ "kbfix test suite", NULL },
		{ "", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *got = catalog_initials(t[i].product);

		if (t[i].want == NULL)
			ck_assert_msg(got == NULL, "%s: '%s', want none",
			    t[i].product, got);
		else
			ck_assert_msg(got != NULL && strcmp(got, t[i].want) == 0,
			    "%s: '%s', want '%s'", t[i].product, got ? got : "-",
			    t[i].want);
		free(got);
	}
}
END_TEST

/* A remedy of PRODUCT on HIVES, as a file would have it. */
static struct remedy *
remedy_of(const char *id, const char *title, const char *product,
    const char *hives, const char *path)
{
	char *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd"), *x = NULL;
	struct remedy *r = NULL;
	struct diag d;

	ck_assert_int_ge(asprintf(&x, "<?xml version=\"1.0\"?>\n<remedy "
	    "xmlns=\"urn:kbfix:remedy:1\" id=\"%s\"><title>%s</title>"
	    "<article number=\"%s\"><product>%s</product><symptom>Clients "
	    "hang on SSL pages.</symptom><workaround>w</workaround></article>"
	    "<summary>Disables keep-alives.</summary>%s<actions><delete-key "
	    "path=\"%s\"/></actions></remedy>\n", id, title, id, product,
	    hives, path), 0);
	diag_init(&d);
	ck_assert_msg(remedy_load_memory(x, strlen(x), id, schema, &r, &d) == 0,
	    "%s", d.n ? d.items[0].msg : "?");
	diag_free(&d);
	free(x);
	free(schema);
	return r;
}

/* Does R pass the filter of hive H, product PRODUCT, words W1 and W2 (any
 * may be none)? */
static int
match(const struct remedy *r, enum hive_kind h, const char *product,
    const char *w1, const char *w2)
{
	char *words[2];
	struct catalog_filter f = { h, product, words, 0 };

	if (w1)
		words[f.nwords++] = (char *)w1;
	if (w2)
		words[f.nwords++] = (char *)w2;
	return catalog_match(r, &f);
}

START_TEST(test_match)
{
	struct remedy *iis = remedy_of("Q9200001", "Netscape Clients Hang",
	    "Microsoft Internet Information Server version 1.0",
	    "<hive name=\"SYSTEM\"/><hive name=\"SOFTWARE\"/>",
	    "HKLM\\SOFTWARE\\Vendor\\Cache");
	struct remedy *sms = remedy_of("Q9200002", "Exchange Drive",
	    "Microsoft Systems Management Server 2.0", "<hive name=\"SYSTEM\"/>",
	    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\X");

	/* Nothing asked: everything. */
	ck_assert(match(iis, HIVE_UNKNOWN, NULL, NULL, NULL));
	/* A product by its initials or part of its name, any case. */
	ck_assert(match(iis, HIVE_UNKNOWN, NULL, "iis", NULL));
	ck_assert(!match(sms, HIVE_UNKNOWN, NULL, "iis", NULL));
	ck_assert(match(sms, HIVE_UNKNOWN, NULL, "SMS", NULL));
	ck_assert(match(sms, HIVE_UNKNOWN, NULL, "management", NULL));
	ck_assert(match(iis, HIVE_UNKNOWN, "IIS", NULL, NULL));
	ck_assert(!match(iis, HIVE_UNKNOWN, "sms", NULL, NULL));
	/* --product looks at products only, not the title. */
	ck_assert(match(iis, HIVE_UNKNOWN, NULL, "netscape", NULL));
	ck_assert(!match(iis, HIVE_UNKNOWN, "netscape", NULL, NULL));
	/* Words of the title, the symptom, the summary, the ID. */
	ck_assert(match(sms, HIVE_UNKNOWN, NULL, "exchange", NULL));
	ck_assert(match(sms, HIVE_UNKNOWN, NULL, "ssl pages", NULL));
	ck_assert(match(iis, HIVE_UNKNOWN, NULL, "keep-alives", NULL));
	ck_assert(match(iis, HIVE_UNKNOWN, NULL, "q9200001", NULL));
	ck_assert(!match(sms, HIVE_UNKNOWN, NULL, "q9200001", NULL));
	/* Every word must match. */
	ck_assert(match(sms, HIVE_UNKNOWN, NULL, "sms", "exchange"));
	ck_assert(!match(sms, HIVE_UNKNOWN, NULL, "sms", "netscape"));
	/* The hives it names. */
	ck_assert(match(iis, HIVE_SOFTWARE, NULL, NULL, NULL));
	ck_assert(!match(sms, HIVE_SOFTWARE, NULL, NULL, NULL));
	ck_assert(match(sms, HIVE_SYSTEM, "sms", "exchange", NULL));
	ck_assert(!match(sms, HIVE_NTUSER, NULL, NULL, NULL));
	remedy_free(iis);
	remedy_free(sms);
}
END_TEST

static Suite *
catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_initials);
	tcase_add_test(tc, test_match);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(catalog_suite());
}
