/* check_names.c: names compared and matched as Windows compares them.
 *
 * The expected results follow Microsoft's published upper case mapping
 * table (the one Windows uses for registry and file names): one UTF-16
 * code unit at a time, 1:1, no special casing.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "testutil.h"

/* names_fold of S, freed here. */
static void
fold_is(const char *s, const char *want)
{
	char *f = names_fold(s);

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(strcmp(f, want) == 0, "names_fold(\"%s\") = \"%s\", "
	    "want \"%s\"", s, f, want);
	free(f);
}

START_TEST(test_equal_ascii)
{
	ck_assert(names_equal("Services", "Services"));
	ck_assert(names_equal("Services", "SERVICES"));
	ck_assert(names_equal("services", "SeRvIcEs"));
	/* The two spellings of the article itself. */
	ck_assert(names_equal("SMSPerfCountersFor", "SMSPerfCountersfor"));
	ck_assert(names_equal("CurrentControlSet", "currentcontrolset"));
	ck_assert(names_equal("", ""));
	ck_assert(!names_equal("Services", "Service"));
	ck_assert(!names_equal("Service", "Services"));
	ck_assert(!names_equal("", "a"));
	ck_assert(!names_equal("a", ""));
	/* Only letters fold: '@' (0x40) is not '`' (0x60), '[' not '{'. */
	ck_assert(!names_equal("@", "`"));
	ck_assert(!names_equal("[", "{"));
	ck_assert(!names_equal("a b", "a_b"));
	/* Backslash and wildcards are ordinary characters here. */
	ck_assert(names_equal("a\\b*?", "A\\B*?"));
	ck_assert(!names_equal("a*", "abc"));
}
END_TEST

START_TEST(test_equal_non_ascii)
{
	/* Latin-1 and beyond fold as Windows does. */
	ck_assert(names_equal("\xc3\xa4", "\xc3\x84"));		/* ä Ä */
	ck_assert(names_equal("Caf\xc3\xa9", "CAF\xc3\x89"));	/* Café */
	ck_assert(names_equal("\xc3\xbf", "\xc5\xb8"));		/* ÿ Ÿ */
	/* да ДА */
	ck_assert(names_equal("\xd0\xb4\xd0\xb0", "\xd0\x94\xd0\x90"));
	ck_assert(names_equal("\xcf\x83", "\xce\xa3"));		/* σ Σ */
	ck_assert(!names_equal("\xc3\xa4", "a"));		/* ä a */
	ck_assert(!names_equal("\xc3\x84", "A"));		/* Ä A */
	/* ß has no one-letter uppercase: it is neither SS nor ẞ. */
	ck_assert(names_equal("Stra\xc3\x9f" "e", "STRA\xc3\x9f" "E"));
	ck_assert(!names_equal("Stra\xc3\x9f" "e", "STRASSE"));
	ck_assert(!names_equal("\xc3\x9f", "ss"));
	ck_assert(!names_equal("\xc3\x9f", "\xe1\xba\x9e"));	/* ß ẞ */
	/* Turkish: dotless ı and dotted İ are letters of their own;
	 * Windows maps neither to I (Unicode's simple mapping of ı is I). */
	ck_assert(!names_equal("\xc4\xb1", "I"));		/* ı I */
	ck_assert(!names_equal("\xc4\xb1", "i"));		/* ı i */
	ck_assert(!names_equal("\xc4\xb0", "i"));		/* İ i */
	ck_assert(!names_equal("\xc4\xb0", "I"));		/* İ I */
	ck_assert(names_equal("\xc4\xb1ntel", "\xc4\xb1NTEL"));
	ck_assert(!names_equal("\xc4\xb1ntel", "INTEL"));
	ck_assert(names_equal("i", "I"));
	/* Nor long s, micro sign, final sigma: 1:1 mappings only. */
	ck_assert(!names_equal("\xc5\xbf", "S"));		/* ſ S */
	ck_assert(!names_equal("\xc2\xb5", "\xce\x9c"));	/* µ Μ */
	ck_assert(!names_equal("\xcf\x82", "\xce\xa3"));	/* ς Σ */
	/* Outside the BMP nothing folds (UTF-16 code units). */
	ck_assert(!names_equal("\xf0\x90\x90\xa8", "\xf0\x90\x90\x80"));
	ck_assert(names_equal("\xf0\x90\x90\xa8", "\xf0\x90\x90\xa8"));
	/* Mixed: one multi-byte letter among ASCII ones. */
	ck_assert(names_equal("Na\xc3\xafve", "NA\xc3\x8fVE"));	/* Naïve */
	ck_assert(!names_equal("Na\xc3\xafve", "Naive"));
}
END_TEST

START_TEST(test_equal_invalid_utf8)
{
	/* Bytes that are not UTF-8 still compare equal to themselves only. */
	ck_assert(names_equal("a\xff", "A\xff"));
	ck_assert(!names_equal("a\xff", "a\xfe"));
	ck_assert(!names_equal("\xc3", "\xc3\xa4"));
	ck_assert(!names_equal("\xc3(", "\xc3)"));
}
END_TEST

START_TEST(test_fold)
{
	fold_is("", "");
	fold_is("SMSPerfCountersfor", "SMSPERFCOUNTERSFOR");
	fold_is("controlset002", "CONTROLSET002");
	fold_is("C:\\Tools;%SystemRoot%", "C:\\TOOLS;%SYSTEMROOT%");
	fold_is("caf\xc3\xa9", "CAF\xc3\x89");
	fold_is("\xc3\xa4\xc3\xb6\xc3\xbc", "\xc3\x84\xc3\x96\xc3\x9c");
	fold_is("stra\xc3\x9f" "e", "STRA\xc3\x9f" "E");	/* ß stays */
	fold_is("\xc4\xb1", "\xc4\xb1");			/* ı stays */
	fold_is("i\xc4\xb0", "I\xc4\xb0");			/* İ stays */
	fold_is("\xc3\xbf", "\xc5\xb8");	/* ÿ (2 bytes) -> Ÿ (2 bytes) */
	/* A fold that grows the UTF-8: ɐ (2 bytes) -> Ɐ (3 bytes). */
	fold_is("\xc9\x90\xc9\x90\xc9\x90",
	    "\xe2\xb1\xaf\xe2\xb1\xaf\xe2\xb1\xaf");
	fold_is("\xf0\x9f\x98\x80x", "\xf0\x9f\x98\x80X");	/* emoji */
	/* names_equal and names_fold agree. */
	{
		const char *v[] = { "Caf\xc3\xa9", "\xc4\xb1", "\xc3\x9f",
		    "SMSPerfCountersfor", "\xd0\xb4\xd0\xb0" };
		size_t i;

		for (i = 0; i < sizeof v / sizeof v[0]; i++) {
			char *f = names_fold(v[i]);

			ck_assert(names_equal(v[i], f));
			free(f);
		}
	}
}
END_TEST

/* The order Windows keeps subkeys in: upcased UTF-16 units, then length. */
START_TEST(test_order)
{
	ck_assert_int_lt(names_order("AB", "A_B"), 0);	/* '_' above 'B' */
	ck_assert_int_lt(names_order("a_b", "B"), 0);
	ck_assert_int_eq(names_order("abc", "ABC"), 0);
	ck_assert_int_lt(names_order("A", "AB"), 0);
	ck_assert_int_gt(names_order("AB", "A"), 0);
	ck_assert_int_eq(names_order("", ""), 0);
	/* é is É (U+00C9) upcased, below Ê (U+00CA); its UTF-8 bytes
	 * (C3 A9) are above Ê's (C3 8A). */
	ck_assert_int_lt(names_order("\xc3\xa9", "\xc3\x8a"), 0);
	ck_assert_int_eq(names_order("caf\xc3\xa9", "CAF\xc3\x89"), 0);
	/* Beyond the BMP a name is compared by its surrogates, below
	 * U+E000..U+FFFF: U+10000 before U+FF21. */
	ck_assert_int_lt(names_order("\xf0\x90\x80\x80", "\xef\xbc\xa1"), 0);
	/* Dotless i is no I to Windows. */
	ck_assert_int_gt(names_order("\xc4\xb1", "I"), 0);
}
END_TEST

START_TEST(test_match_literal)
{
	ck_assert(names_match("Services", "services"));
	ck_assert(names_match("", ""));
	ck_assert(!names_match("", "a"));
	ck_assert(!names_match("a", ""));
	ck_assert(!names_match("Service", "Services"));
	ck_assert(names_match("CAF\xc3\x89", "caf\xc3\xa9"));
	ck_assert(!names_match("\xc4\xb1*", "Intel"));
}
END_TEST

START_TEST(test_match_star)
{
	const char *pat = "SMSPerfCountersfor*";

	/* Every letter case the article and real machines use. */
	ck_assert(names_match(pat,
	    "SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL"));
	ck_assert(names_match(pat,
	    "SMSPerfCountersforD:_SMSLOGON_I386_SMSPERF.DLL"));
	ck_assert(names_match(pat,
	    "SMSPERFCOUNTERSFORE:_SMS_BIN_I386_SMSPERF.DLL"));
	ck_assert(names_match(pat,
	    "smsperfcountersfore:_sms_bin_i386_smsperf.dll"));
	ck_assert(names_match(pat, "SMSPerfCountersFor"));	/* * = "" */
	/* The decoys. */
	ck_assert(!names_match(pat, "SMSPerfCounters"));
	ck_assert(!names_match(pat, "SMSPerfCountersFo"));
	ck_assert(!names_match(pat, "OldSMSPerfCountersForX"));
	ck_assert(!names_match(pat, " SMSPerfCountersForX"));
	/* Star anywhere, several stars. */
	ck_assert(names_match("*", ""));
	ck_assert(names_match("*", "anything"));
	ck_assert(names_match("**", "x"));
	ck_assert(names_match("*SMSPerf*", "OldSMSPerfCountersForX"));
	ck_assert(names_match("*.dll", "SMSPERF.DLL"));
	ck_assert(!names_match("*.dll", "SMSPERF.DLL.bak"));
	ck_assert(names_match("a*b*c", "aXXbYYc"));
	ck_assert(names_match("a*b*c", "abc"));
	ck_assert(!names_match("a*b*c", "acb"));
	ck_assert(names_match("a*c", "abcabc"));	/* retry after a miss */
	ck_assert(!names_match("a*c", "abcab"));
	/* A star matches a run of multi-byte letters as letters. */
	ck_assert(names_match("Caf*", "CAF\xc3\x89"));
	ck_assert(names_match("*\xc3\xa9", "CAF\xc3\x89"));
	/* Backslash is an ordinary character, not an escape. */
	ck_assert(names_match("a\\*", "A\\b"));
	ck_assert(!names_match("a\\*", "ab"));
}
END_TEST

START_TEST(test_match_question)
{
	ck_assert(names_match("ControlSet00?", "ControlSet002"));
	ck_assert(names_match("ControlSet00?", "controlset001"));
	ck_assert(!names_match("ControlSet00?", "ControlSet0010"));
	ck_assert(!names_match("ControlSet00?", "ControlSet00"));
	ck_assert(!names_match("?", ""));
	/* '?' is one letter, not one byte. */
	ck_assert(names_match("Caf?", "Caf\xc3\xa9"));
	ck_assert(names_match("?", "\xf0\x9f\x98\x80"));
	ck_assert(!names_match("??", "\xc3\xa9"));
	ck_assert(names_match("?*?", "ab"));
	ck_assert(!names_match("?*?", "a"));
}
END_TEST

START_TEST(test_match_hostile)
{
	/* Many stars against a long name that nearly matches: quadratic at
	 * worst, so this finishes at once rather than in exponential time. */
	char pat[200], name[4001];
	size_t i;

	for (i = 0; i < 99; i++) {
		pat[2 * i] = '*';
		pat[2 * i + 1] = 'a';
	}
	pat[198] = 'b';
	pat[199] = '\0';
	memset(name, 'a', 4000);
	name[4000] = '\0';
	ck_assert(!names_match(pat, name));
	name[3999] = 'b';
	ck_assert(names_match(pat, name));
}
END_TEST

START_TEST(test_is_pattern)
{
	ck_assert(names_is_pattern("SMSPerfCountersfor*"));
	ck_assert(names_is_pattern("ControlSet00?"));
	ck_assert(!names_is_pattern("Services"));
	ck_assert(!names_is_pattern(""));
}
END_TEST

static Suite *
names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_equal_ascii);
	tcase_add_test(tc, test_equal_non_ascii);
	tcase_add_test(tc, test_equal_invalid_utf8);
	tcase_add_test(tc, test_fold);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_match_literal);
	tcase_add_test(tc, test_match_star);
	tcase_add_test(tc, test_match_question);
	tcase_add_test(tc, test_match_hostile);
	tcase_add_test(tc, test_is_pattern);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(names_suite());
}
