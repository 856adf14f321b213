/* check_regfile.c: the .reg parser, writer and merge. */
#include "config.h"

#include <check.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regtext.h"
#include "remedy.h"
#include "testutil.h"

#define HDR "Windows Registry Editor Version 5.00\n\n"

static struct regfile *
parse_ok(const char *text)
{
	struct regfile *rf = NULL;
	struct diag d;

	diag_init(&d);
	if (regfile_parse(text, strlen(text), "t.reg", &rf, &d) != 0) {
		ck_abort_msg("parse failed: %s:%ld: %s", d.n ? d.items[0].file :
		    "", d.n ? d.items[0].line : 0L, d.n ? d.items[0].msg : "");
	}
	ck_assert_uint_eq(d.n, 0);
	diag_free(&d);
	return rf;
}

/* The messages of a failing parse, one "line: msg\n" each. */
static char *
parse_errors(const char *text, size_t len)
{
	struct regfile *rf = NULL;
	struct diag d;
	char *buf = NULL;
	size_t n = 0, i;
	FILE *f;

	diag_init(&d);
	ck_assert_int_eq(regfile_parse(text, len, "t.reg", &rf, &d), -1);
	ck_assert_ptr_null(rf);
	f = open_memstream(&buf, &n);
	for (i = 0; i < d.n; i++) {
		ck_assert_str_eq(d.items[i].file, "t.reg");
		fprintf(f, "%ld: %s\n", d.items[i].line, d.items[i].msg);
	}
	fclose(f);
	ck_assert_uint_eq(d.nerrors, d.n);
	diag_free(&d);
	return buf;
}

static void
assert_bytes(const struct regfile_value *v, uint32_t type, const void *data,
    size_t len)
{
	ck_assert_uint_eq(v->type, type);
	ck_assert_uint_eq(v->len, len);
	ck_assert_int_eq(v->delete, 0);
	if (len)
		ck_assert_mem_eq(v->data, data, len);
}

static char *
to_utf16(const char *s, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
	size_t inleft = strlen(s), outleft = inleft * 2 + 2;
	char *out = malloc(outleft + 2), *op = out + 2;
	char *in = (char *)s;

	ck_assert(cd != (iconv_t)-1);
	out[0] = (char)0xff;
	out[1] = (char)0xfe;
	ck_assert(iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1);
	iconv_close(cd);
	*outlen = op - out;
	return out;
}

static const char SAMPLE[] =
    HDR
    "; a comment\n"
    "  ; an indented comment\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\A]\n"
    "\"Str\"=\"C:\\\\dir \\\"q\\\" Caf\xc3\xa9\"\n"
    "@=\"default\"\n"
    "\"Empty\"=\"\"\n"
    "\"Gone\"=-\n"
    "\"Dw\"=dword:0000abcd\n"
    "\"Bin\"=hex:01,02,ff\n"
    "\"None\"=hex(0):\n"
    "\"Exp\"=hex(2):25,00,41,00,25,00,00,00\n"
    "\"Multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\n"
    "\"Q\"=hex(b):01,00,00,00,00,00,00,00\n"
    "\"Odd\"=hex(ffff0012):aa,bb,cc\n"
    "\"Wrap\"=hex:00,01,02,\\\n"
    "  03,04,\\\n"
    "  05\n"
    "\n"
    "[-HKEY_LOCAL_MACHINE\\SYSTEM\\B\\C]\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\D]\n";

static void
check_sample(const struct regfile *rf)
{
	const struct regfile_key *k;
	static const unsigned char str[] = "C\0:\0\\\0d\0i\0r\0 \0\"\0q\0\"\0"
	    " \0C\0a\0f\0\xe9\0\0";

	ck_assert_uint_eq(rf->nkeys, 3);
	k = &rf->keys[0];
	ck_assert_str_eq(k->path, "HKEY_LOCAL_MACHINE\\SYSTEM\\A");
	ck_assert_int_eq(k->delete, 0);
	ck_assert_int_eq(k->line, 5);
	ck_assert_uint_eq(k->nvalues, 12);
	ck_assert_str_eq(k->values[0].name, "Str");
	ck_assert_int_eq(k->values[0].line, 6);
	assert_bytes(&k->values[0], REG_SZ, str, sizeof str);
	ck_assert_str_eq(k->values[1].name, "");
	assert_bytes(&k->values[1], REG_SZ, "d\0e\0f\0a\0u\0l\0t\0\0", 16);
	assert_bytes(&k->values[2], REG_SZ, "\0", 2);
	ck_assert_str_eq(k->values[3].name, "Gone");
	ck_assert_int_eq(k->values[3].delete, 1);
	assert_bytes(&k->values[4], REG_DWORD, "\xcd\xab\0\0", 4);
	assert_bytes(&k->values[5], REG_BINARY, "\x01\x02\xff", 3);
	assert_bytes(&k->values[6], REG_NONE, "", 0);
	assert_bytes(&k->values[7], REG_EXPAND_SZ, "%\0A\0%\0\0", 8);
	assert_bytes(&k->values[8], REG_MULTI_SZ, "a\0\0\0b\0\0\0\0", 10);
	assert_bytes(&k->values[9], REG_QWORD, "\1\0\0\0\0\0\0", 8);
	assert_bytes(&k->values[10], 0xffff0012, "\xaa\xbb\xcc", 3);
	ck_assert_str_eq(k->values[11].name, "Wrap");
	ck_assert_int_eq(k->values[11].line, 17);
	assert_bytes(&k->values[11], REG_BINARY, "\0\1\2\3\4\5", 6);
	k = &rf->keys[1];
	ck_assert_str_eq(k->path, "HKEY_LOCAL_MACHINE\\SYSTEM\\B\\C");
	ck_assert_int_eq(k->delete, 1);
	ck_assert_int_eq(k->line, 21);
	ck_assert_uint_eq(k->nvalues, 0);
	ck_assert_int_eq(rf->keys[2].line, 22);
}

START_TEST(test_syntax)
{
	struct regfile *rf = parse_ok(SAMPLE);

	check_sample(rf);
	regfile_free(rf);
}
END_TEST

/* regedit's own output: UTF-16LE, BOM, CRLF. */
START_TEST(test_utf16_crlf)
{
	char *crlf = malloc(2 * sizeof SAMPLE), *u16;
	struct regfile *rf = NULL;
	struct diag d;
	size_t i, o = 0, len;

	for (i = 0; SAMPLE[i]; i++) {
		if (SAMPLE[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = SAMPLE[i];
	}
	crlf[o] = '\0';
	rf = parse_ok(crlf);
	check_sample(rf);
	regfile_free(rf);

	u16 = to_utf16(crlf, &len);
	diag_init(&d);
	ck_assert_int_eq(regfile_parse(u16, len, "t.reg", &rf, &d), 0);
	check_sample(rf);
	regfile_free(rf);
	diag_free(&d);
	free(u16);
	free(crlf);
}
END_TEST

START_TEST(test_regedit4)
{
	struct regfile *rf = parse_ok("\xef\xbb\xbfREGEDIT4\n\n[HKEY_CURRENT_USER"
	    "\\X]\n\"a\"=dword:1\n");

	ck_assert_uint_eq(rf->nkeys, 1);
	assert_bytes(&rf->keys[0].values[0], REG_DWORD, "\1\0\0\0", 4);
	regfile_free(rf);
}
END_TEST

START_TEST(test_errors)
{
	static const char text[] =
	    HDR					/* 1, 2 */
	    "\"early\"=\"x\"\n"			/* 3 */
	    "[HKEY_CURRENT_USER\\A\n"		/* 4 */
	    "[]\n"				/* 5 */
	    "[HKEY_CURRENT_USER\\B]\n"		/* 6 */
	    "\"a\"=\"unterminated\n"		/* 7 */
	    "\"b\"=\"bad \\n escape\"\n"	/* 8 */
	    "\"c\"\"d\"\n"			/* 9 */
	    "\"e\"=dword:123456789\n"		/* 10 */
	    "\"f\"=dword:xyz\n"			/* 11 */
	    "\"g\"=hex:01,zz\n"			/* 12 */
	    "\"h\"=hex(12345678):01\n"		/* 13 */
	    "\"i\"=hex(1x):01\n"		/* 14 */
	    "\"j\"=qword:1\n"			/* 15 */
	    "\"k\"=\"x\" trailing\n"		/* 16 */
	    "junk\n"				/* 17 */
	    "\"l\"=hex:01 02\n"			/* 18 */
	    "[-HKEY_CURRENT_USER\\C]\n"		/* 19 */
	    "\"m\"=dword:1\n"			/* 20 */
	    "[HKEY_CURRENT_USER\\D]\n"		/* 21 */
	    "\"n\"=hex:0,1,\\\n"		/* 22 */
	    "  100\n"				/* 23 */
	    "[HKEY_CURRENT_USER\\E\\\\F]\n";	/* 24 */
	char *s = parse_errors(text, sizeof text - 1);

	ck_assert_str_eq(s,
	    "3: value outside a key\n"
	    "4: unterminated key name: '[HKEY_CURRENT_USER\\A'\n"
	    "5: empty key name\n"
	    "7: unterminated string\n"
	    "8: unknown escape '\\n' in string\n"
	    "9: expected '=' after value name\n"
	    "10: invalid dword '123456789'\n"
	    "11: invalid dword 'xyz'\n"
	    "12: invalid byte 'zz' in hex data\n"
	    "14: invalid type in 'hex(1x):01'\n"
	    "15: unrecognised value data 'qword:1'\n"
	    "16: unexpected text after string: ' trailing'\n"
	    "17: unexpected text 'junk'\n"
	    "18: expected ',' in hex data at '02'\n"
	    "20: value in a deleted key\n"
	    "22: invalid byte '100' in hex data\n"
	    "24: empty key name in 'HKEY_CURRENT_USER\\E\\\\F'\n");
	free(s);
}
END_TEST

START_TEST(test_header)
{
	char *s;

	s = parse_errors("", 0);
	ck_assert_str_eq(s, "1: missing header 'Windows Registry Editor "
	    "Version 5.00'\n");
	free(s);
	s = parse_errors("\n[HKEY_CURRENT_USER\\A]\n", 23);
	ck_assert_str_eq(s, "2: missing header 'Windows Registry Editor "
	    "Version 5.00'\n");
	free(s);
}
END_TEST

START_TEST(test_hostile_bytes)
{
	static const char nul[] = HDR "[HKEY_CURRENT_USER\\A]\n\"a\"=\"x\0y\"\n"
	    "\"b\"=\"\xc3\x28\"\n\"c\"=\"\xed\xa0\x80\"\n\"d\"=\"\xc0\xaf\"\n";
	static const unsigned char u16[] = {
		0xff, 0xfe, 'R', 0, 'E', 0, 'G', 0, 'E', 0, 'D', 0, 'I', 0,
		'T', 0, '4', 0, '\n', 0, '[', 0, 'X', 0, ']', 0, '\n', 0,
		'"', 0, 'a', 0, '"', 0, '=', 0, '"', 0, 0x00, 0xd8, '"', 0,
		'\n', 0, 0x41
	};
	char *s;

	s = parse_errors(nul, sizeof nul - 1);
	ck_assert_str_eq(s,
	    "4: NUL byte in line\n"
	    "5: invalid UTF-8 text\n"
	    "6: invalid UTF-8 text\n"
	    "7: invalid UTF-8 text\n");
	free(s);
	s = parse_errors((const char *)u16, sizeof u16);
	ck_assert_str_eq(s,
	    "3: invalid UTF-16 text (unpaired surrogate)\n"
	    "4: odd number of bytes in UTF-16 text, last byte ignored\n");
	free(s);
}
END_TEST

START_TEST(test_enormous)
{
	size_t n = 20 * 1024 * 1024, i;
	char *big = malloc(n + 200), *p;
	struct regfile *rf;
	char *s;

	/* A 20 MB string value parses, a 20 MB junk line is one error. */
	p = big + sprintf(big, HDR "[HKEY_CURRENT_USER\\A]\n\"a\"=\"");
	memset(p, 'x', n);
	strcpy(p + n, "\"\n");
	rf = parse_ok(big);
	ck_assert_uint_eq(rf->keys[0].values[0].len, 2 * n + 2);
	regfile_free(rf);
	p[-1] = 'y';
	s = parse_errors(big, strlen(big));
	ck_assert_str_eq(s, "4: unrecognised value data 'yxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxx...'\n");
	free(s);
	/* Thousands of errors: capped. */
	p = big + sprintf(big, HDR);
	for (i = 0; i < 5000; i++)
		p += sprintf(p, "junk\n");
	s = parse_errors(big, strlen(big));
	ck_assert_int_eq(strstr(s, "102: too many errors, giving up\n") != NULL,
	    1);
	free(s);
	free(big);
}
END_TEST

/* Mutations of a valid file must give 0 or -1, never a crash or a hang
 * (the sanitizer build turns overreads into failures). */
START_TEST(test_mutations)
{
	unsigned long seed = 12345;
	size_t len = sizeof SAMPLE - 1, u16len, i, k;
	char *u16 = to_utf16(SAMPLE, &u16len);
	char *buf = malloc(u16len + 1);
	int round;

	for (round = 0; round < 4000; round++) {
		const char *src = round % 2 ? u16 : SAMPLE;
		size_t n = round % 2 ? u16len : len;
		struct regfile *rf = NULL;
		struct diag d;

		memcpy(buf, src, n);
		for (k = 0; k < 1 + (size_t)round % 5; k++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			i = (seed >> 33) % n;
			buf[i] = (char)(seed >> 13);
		}
		seed = seed * 6364136223846793005UL + 1;
		if (round % 7 == 0)
			n = (seed >> 33) % n;	/* truncated */
		diag_init(&d);
		if (regfile_parse(buf, n, "t.reg", &rf, &d) == 0) {
			ck_assert_uint_eq(d.nerrors, 0);
			regfile_free(rf);
		} else
			ck_assert_uint_gt(d.nerrors, 0);
		diag_free(&d);
	}
	free(buf);
	free(u16);
}
END_TEST

static void
assert_format(const char *name, uint32_t type, const void *data, size_t len,
    const char *want)
{
	char *s = regfile_format_value(name, type, data, len, 0);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, want);
	free(s);
}

START_TEST(test_format)
{
	assert_format("", REG_SZ, "a\0\0", 4, "@=\"a\"");
	assert_format("A\\\"B", REG_SZ, "\\\0\"\0\xe9\0\0", 8,
	    "\"A\\\\\\\"B\"=\"\\\\\\\"\xc3\xa9\"");
	assert_format("s", REG_SZ, "\0", 2, "\"s\"=\"\"");
	assert_format("s", REG_SZ, "", 0, "\"s\"=hex(1):");
	assert_format("s", REG_SZ, "a\0", 2, "\"s\"=hex(1):61,00");
	assert_format("s", REG_SZ, "a\0\0\0\0", 5, "\"s\"=hex(1):61,00,00,00,00");
	assert_format("s", REG_SZ, "a\0\0\0b\0\0\0", 8,
	    "\"s\"=hex(1):61,00,00,00,62,00,00,00");
	assert_format("s", REG_SZ, "\n\0\0", 4, "\"s\"=hex(1):0a,00,00,00");
	assert_format("s", REG_SZ, "\x3d\xd8\x00\xde\0", 6,
	    "\"s\"=\"\xf0\x9f\x98\x80\"");
	assert_format("s", REG_SZ, "\x00\xd8\0", 4, "\"s\"=hex(1):00,d8,00,00");
	assert_format("e", REG_EXPAND_SZ, "%\0\0", 4, "\"e\"=hex(2):25,00,00,00");
	assert_format("d", REG_DWORD, "\x78\x56\x34\x12", 4,
	    "\"d\"=dword:12345678");
	assert_format("d", REG_DWORD, "\x78\x56\x34", 3, "\"d\"=hex(4):78,56,34");
	assert_format("b", REG_BINARY, "", 0, "\"b\"=hex:");
	assert_format("b", REG_BINARY, "\x01\xff", 2, "\"b\"=hex:01,ff");
	assert_format("n", REG_NONE, "\x01", 1, "\"n\"=hex(0):01");
	assert_format("q", REG_QWORD, "\1\0\0\0\0\0\0\0", 8,
	    "\"q\"=hex(b):01,00,00,00,00,00,00,00");
	assert_format("x", 0xffff0012, "\1", 1, "\"x\"=hex(ffff0012):01");
}
END_TEST

/* REGFILE_ASCII_SZ: a string beyond printable ASCII as hex(1), for readers
 * that do not take UTF-8 .reg files; ASCII strings stay text. */
START_TEST(test_format_ascii)
{
	static const struct {
		const char *data;
		size_t len;
		const char *want;
	} cases[] = {
		{ "a\0b\0\0", 6, "\"s\"=\"ab\"" },
		{ "\0", 2, "\"s\"=\"\"" },
		{ "~\0\0", 4, "\"s\"=\"~\"" },
		{ "\xe9\0\0", 4, "\"s\"=hex(1):e9,00,00,00" },
		{ "\x15\x26\0", 4, "\"s\"=hex(1):15,26,00,00" },
		{ "\x7f\0\0", 4, "\"s\"=hex(1):7f,00,00,00" },
		{ "\t\0\0", 4, "\"s\"=hex(1):09,00,00,00" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = regfile_format_value("s", REG_SZ, cases[i].data,
		    cases[i].len, REGFILE_ASCII_SZ);

		ck_assert_ptr_nonnull(s);
		ck_assert_str_eq(s, cases[i].want);
		free(s);
	}
}
END_TEST

/* parse(format(x)) == x for every type and awkward data. */
START_TEST(test_round_trip)
{
	static const struct {
		uint32_t type;
		const char *data;
		size_t len;
	} cases[] = {
		{ REG_SZ, "a\0b\0\0", 6 },
		{ REG_SZ, "a\0b\0", 4 },
		{ REG_SZ, "a\0b\0\0", 5 },
		{ REG_SZ, "a\0\0\0b\0\0", 8 },
		{ REG_SZ, "\x00\xdc\0", 4 },
		{ REG_SZ, "\x00\xd8\x00\xdc\0", 6 },
		{ REG_SZ, "\r\0\0", 4 },
		{ REG_SZ, "\"\0\\\0\0", 6 },
		{ REG_SZ, "", 0 },
		{ REG_EXPAND_SZ, "%\0\0", 4 },
		{ REG_EXPAND_SZ, "%", 1 },
		{ REG_BINARY, "", 0 },
		{ REG_BINARY, "\0\1\2", 3 },
		{ REG_DWORD, "\1\2\3\4", 4 },
		{ REG_DWORD, "\1\2\3\4\5", 5 },
		{ REG_DWORD, "", 0 },
		{ REG_DWORD_BIG_ENDIAN, "\1\2\3\4", 4 },
		{ REG_LINK, "a\0", 2 },
		{ REG_MULTI_SZ, "a\0\0\0\0", 6 },
		{ REG_QWORD, "\1\2\3\4\5\6\7\10", 8 },
		{ REG_NONE, "", 0 },
		{ 0xffff0012, "\xff", 1 },
		{ 0x20001, "\1\2", 2 },
	};
	static const char *names[] = { "", "N", "a\\b\"c", "Caf\xc3\xa9",
	    "=", "@" };
	size_t i, j;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (j = 0; j < sizeof names / sizeof names[0]; j++) {
			char *line = regfile_format_value(names[j],
			    cases[i].type, cases[i].data, cases[i].len, 0);
			char *text = NULL;
			struct regfile *rf;

			ck_assert_ptr_nonnull(line);
			ck_assert_ptr_null(strchr(line, '\n'));
			ck_assert_int_ge(asprintf(&text, HDR "[HKEY_CURRENT_USER"
			    "\\K]\n%s\n", line), 0);
			rf = parse_ok(text);
			ck_assert_uint_eq(rf->keys[0].nvalues, 1);
			ck_assert_str_eq(rf->keys[0].values[0].name, names[j]);
			assert_bytes(&rf->keys[0].values[0], cases[i].type,
			    cases[i].data, cases[i].len);
			regfile_free(rf);
			free(text);
			free(line);
		}
}
END_TEST

/* ---------------------------------------------------------------- apply */

static char *tmp;

static void
apply_text(const char *hive, const char *out, const char *text,
    const char *prefix, int want)
{
	struct regfile *rf = parse_ok(text);
	struct diag d;
	hive_h *h;

	h = hivex_open(hive, HIVEX_OPEN_WRITE);
	ck_assert_ptr_nonnull(h);
	diag_init(&d);
	ck_assert_int_eq(regfile_apply(h, rf, prefix, "t.reg", &d), want);
	if (want == 0)
		ck_assert_uint_eq(d.n, 0);
	else
		ck_assert_uint_gt(d.nerrors, 0);
	if (want == 0)
		ck_assert_int_eq(hivex_commit(h, out, 0), 0);
	hivex_close(h);
	diag_free(&d);
	regfile_free(rf);
}

/* reglookup's view of HIVE, sorted, without the key times. */
static char *
lookup(const char *hive, const char *filter)
{
	char *cmd = NULL, *out = NULL;

	ck_assert_int_ge(asprintf(&cmd, "reglookup '%s' | sed 's/,[^,]*$//' | "
	    "%s | LC_ALL=C sort", hive, filter), 0);
	ck_assert_int_eq(tu_run(cmd, &out), 0);
	free(cmd);
	return out;
}

static char *
diff_lines(const char *a, const char *b, const char *opt)
{
	char *pa = tu_path(tmp, "a.txt"), *pb = tu_path(tmp, "b.txt");
	char *cmd = NULL, *out = NULL;
	FILE *f;

	f = fopen(pa, "w");
	fputs(a, f);
	fclose(f);
	f = fopen(pb, "w");
	fputs(b, f);
	fclose(f);
	ck_assert_int_ge(asprintf(&cmd, "LC_ALL=C comm %s '%s' '%s'", opt, pa,
	    pb), 0);
	ck_assert_int_eq(tu_run(cmd, &out), 0);
	free(cmd);
	free(pa);
	free(pb);
	return out;
}

static const char APPLY[] =
    HDR
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\W32Time]\n"
    "\"displayname\"=\"Zeit\"\n"
    "\"ObjectName\"=\"NT AUTHORITY\\\\LocalService\"\n"
    "\"Group\"=-\n"
    "\"NoSuchValue\"=-\n"
    "\"NewValue\"=dword:0000abcd\n"
    "\n"
    "[hkey_local_machine\\system\\controlset001\\services\\KbfixTest\\Sub]\n"
    "@=\"def\"\n"
    "\"Bin\"=hex:01,02,03\n"
    "\"Multi\"=hex(7):61,00,00,00,00,00\n"
    "\"Odd\"=hex(ffff0012):aa,bb,cc,dd,ee\n"
    "\"Be\"=hex(5):00,00,00,01\n"
    "\n"
    "[-HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\W32Time]\n"
    "[-HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\NoSuchKey]\n";

START_TEST(test_apply_xp)
{
	char *src, *hive = tu_path(tmp, "SYSTEM"), *out = tu_path(tmp, "OUT");
	char *out2 = tu_path(tmp, "OUT2");
	char *before, *after, *added, *removed, *want;
	hive_h *h;
	hive_node_h n;
	hive_value_h v;
	hive_type t;
	size_t len;
	char *data;

	ck_assert_int_ge(asprintf(&src, "%s/hives-real/xp-sp3/SYSTEM.xz",
	    tu_shared()), 0);
	tu_unxz(src, hive);
	apply_text(hive, out, APPLY, "HKEY_LOCAL_MACHINE\\SYSTEM", 0);

	before = lookup(hive, "cat");
	after = lookup(out, "cat");
	added = diff_lines(before, after, "-13");
	ck_assert_str_eq(added,
	    "/ControlSet001/Services/KbfixTest,KEY,\n"
	    "/ControlSet001/Services/KbfixTest/Sub,KEY,\n"
	    "/ControlSet001/Services/KbfixTest/Sub/,SZ,def\n"
	    "/ControlSet001/Services/KbfixTest/Sub/Be,DWORD_BE,0x00000001\n"
	    "/ControlSet001/Services/KbfixTest/Sub/Bin,BINARY,%01%02%03\n"
	    "/ControlSet001/Services/KbfixTest/Sub/Multi,MULTI_SZ,a\n"
	    "/ControlSet001/Services/KbfixTest/Sub/Odd,0xFFFF0012,%AA%BB%CC%DD%EE\n"
	    "/ControlSet001/Services/W32Time/DisplayName,SZ,Zeit\n"
	    "/ControlSet001/Services/W32Time/NewValue,DWORD,0x0000ABCD\n"
	    "/ControlSet001/Services/W32Time/Objectname,SZ,NT AUTHORITY\\LocalService\n");
	removed = diff_lines(before, after, "-23");
	{
		char *cmd = NULL;
		ck_assert_int_ge(asprintf(&cmd, "{ reglookup '%s' | "
		    "sed 's/,[^,]*$//' | grep -E "
		    "'^/ControlSet002/Services/W32Time(/|,)'; "
		    "printf '%%s\\n' '/ControlSet001/Services/W32Time/"
		    "DisplayName,SZ,Windows Time' '/ControlSet001/Services/"
		    "W32Time/Group,SZ,' '/ControlSet001/Services/W32Time/"
		    "Objectname,SZ,LocalSystem'; } | LC_ALL=C sort", hive), 0);
		ck_assert_int_eq(tu_run(cmd, &want), 0);
		free(cmd);
	}
	ck_assert_int_gt(strlen(want), 1000);
	ck_assert_str_eq(removed, want);
	free(before);
	free(after);
	free(added);
	free(removed);
	free(want);

	/* A second merge into the new key keeps the other values' types and
	 * bytes, and a mixed-case path finds the existing keys. */
	apply_text(out, out2, HDR "[HKEY_LOCAL_MACHINE\\SYSTEM\\CONTROLSET001\\"
	    "Services\\kbfixtest\\SUB]\n\"bin\"=-\n\"MULTI\"=\"x\"\n",
	    "HKEY_LOCAL_MACHINE\\SYSTEM", 0);
	after = lookup(out2, "grep KbfixTest");
	ck_assert_str_eq(after,
	    "/ControlSet001/Services/KbfixTest,KEY,\n"
	    "/ControlSet001/Services/KbfixTest/Sub,KEY,\n"
	    "/ControlSet001/Services/KbfixTest/Sub/,SZ,def\n"
	    "/ControlSet001/Services/KbfixTest/Sub/Be,DWORD_BE,0x00000001\n"
	    "/ControlSet001/Services/KbfixTest/Sub/Multi,SZ,x\n"
	    "/ControlSet001/Services/KbfixTest/Sub/Odd,0xFFFF0012,%AA%BB%CC%DD%EE\n");
	free(after);
	h = hivex_open(out2, 0);
	ck_assert_ptr_nonnull(h);
	n = hivex_node_get_child(h, hivex_root(h), "ControlSet001");
	n = hivex_node_get_child(h, n, "Services");
	n = hivex_node_get_child(h, n, "KbfixTest");
	n = hivex_node_get_child(h, n, "Sub");
	ck_assert_uint_ne(n, 0);
	v = hivex_node_get_value(h, n, "Odd");
	data = hivex_value_value(h, v, &t, &len);
	ck_assert_uint_eq((uint32_t)t, 0xffff0012);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(data, "\xaa\xbb\xcc\xdd\xee", 5);
	free(data);
	hivex_close(h);

	/* Outside the prefix, and the root: errors, nothing applied. */
	apply_text(out, out2, HDR "[HKEY_CURRENT_USER\\X]\n",
	    "HKEY_LOCAL_MACHINE\\SYSTEM", -1);
	apply_text(out, out2, HDR "[HKEY_LOCAL_MACHINE\\SYSTEMX]\n",
	    "HKEY_LOCAL_MACHINE\\SYSTEM", -1);
	apply_text(out, out2, HDR "[-HKEY_LOCAL_MACHINE\\SYSTEM]\n",
	    "HKEY_LOCAL_MACHINE\\SYSTEM", -1);

	free(src);
	free(hive);
	free(out);
	free(out2);
}
END_TEST

/* Key and value names outside ASCII are found case-insensitively, as
 * Windows does (hivex_node_get_child only folds ASCII). */
START_TEST(test_apply_unicode_case)
{
	char *src, *hive = tu_path(tmp, "SYSTEM"), *out = tu_path(tmp, "OUT");
	char *out2 = tu_path(tmp, "OUT2"), *after;

	ck_assert_int_ge(asprintf(&src, "%s/hives-real/xp-sp3/SYSTEM.xz",
	    tu_shared()), 0);
	tu_unxz(src, hive);
	apply_text(hive, out, HDR "[HKEY_LOCAL_MACHINE\\SYSTEM\\Caf\xc3\xa9]\n"
	    "\"\xc3\xa9t\xc3\xa9\"=\"a\"\n", "HKEY_LOCAL_MACHINE\\SYSTEM", 0);
	apply_text(out, out2, HDR "[HKEY_LOCAL_MACHINE\\SYSTEM\\CAF\xc3\x89]\n"
	    "\"\xc3\x89T\xc3\x89\"=\"b\"\n", "HKEY_LOCAL_MACHINE\\SYSTEM", 0);
	after = lookup(out2, "grep -i '^/caf'");
	/* reglookup quotes non-ASCII as %XX of Latin-1. */
	ck_assert_str_eq(after, "/Caf%E9,KEY,\n/Caf%E9/%E9t%E9,SZ,b\n");
	free(after);
	free(src);
	free(hive);
	free(out);
	free(out2);
}
END_TEST

/* The names a hostile hive can hold, each a name Windows allows (but the
 * first: '\' in a key name, which only a crafted hive has). */
static const char *const hostile[] = {
	"x]\n[-HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001]\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n\"Current\"=dword:00000007\n;",
	"Line1\nLine2", "cr\rlf", "[", "]", "\"", ";", "=", "@", "\\",
	"tab\tbell\a\x1b[31m", "\x7f", "\xc2\x85nel", "\xe2\x80\xa8ls",
	"\xe2\x80\xaertl", "Caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
	"\\u000a", "trailing\\", " lead and trail ", "\"quoted\"",
	"Windows Registry Editor Version 5.00", "-", "=-", "a\"=-",
};

/* NAME of N characters: 'a' repeated, or 'x' plus emoji for outside-BMP
 * counting. */
static char *
long_name(size_t n, int wide)
{
	char *s = malloc(n * 4 + 1), *p = s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (wide && i + 1 < n) {
			p = stpcpy(p, "\xf0\x9f\x98\x80");	/* 2 units */
			i++;
		} else
			*p++ = 'a';
	}
	*p = '\0';
	return s;
}

/* A regfile of keys named by ELEMS under HKEY_LOCAL_MACHINE\SYSTEM, each
 * with a value of each hostile name. */
static struct regfile *
hostile_model(void)
{
	struct regfile *rf = calloc(1, sizeof *rf);
	size_t nh = sizeof hostile / sizeof hostile[0], i, j;

	rf->keys = calloc(nh * 3 + 2, sizeof *rf->keys);
	for (i = 0; i < nh * 3 + 2; i++) {
		struct regfile_key *k = &rf->keys[rf->nkeys++];
		const char *leaf = i < nh ? hostile[i] : i < 2 * nh ? "Plain" :
		    i < 3 * nh ? "Left" : i == 3 * nh ? "Long" : "Gone";

		k->nelems = 4;
		k->elems = calloc(4, sizeof *k->elems);
		k->elems[0] = strdup("HKEY_LOCAL_MACHINE");
		k->elems[1] = strdup("SYSTEM");
		k->elems[2] = strdup(i < nh ? "Hostile" : "Sub");
		k->elems[3] = i == 3 * nh ? long_name(255, 1) : strdup(leaf);
		k->path = regfile_key_show(NULL, k->elems, 4);
		k->left = i >= 2 * nh && i < 3 * nh;
		k->delete = i == 3 * nh + 1;
		if (k->delete)
			continue;
		k->values = calloc(nh + 2, sizeof *k->values);
		for (j = 0; j < nh + 2; j++) {
			struct regfile_value *v = &k->values[k->nvalues++];
			size_t t = (i + j) % 5;

			v->name = j < nh ? strdup(hostile[(i + j) % nh]) :
			    j == nh ? strdup("") : long_name(16383, 1);
			v->delete = t == 4;
			v->type = t == 0 ? REG_SZ : t == 1 ? REG_EXPAND_SZ :
			    t == 2 ? REG_DWORD : 0xffff0012;
			v->len = t == 2 ? 4 : 6;
			v->data = malloc(6);
			memcpy(v->data, t == 0 ? "\xe9\0\n\0\0\0" : "a\0b\0\0\0",
			    6);
		}
	}
	return rf;
}

static char *
write_text(const struct regfile *rf)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct diag d;

	diag_init(&d);
	fputs(HDR, f);
	ck_assert_int_eq(regfile_write(f, rf, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	diag_free(&d);
	fclose(f);
	return buf;
}

/* Every name a hostile hive can hold is written so that kbfix reads it
 * back exactly; every line other readers take for a key or a value holds
 * only plain names; nothing breaks a line. */
START_TEST(test_write_hostile)
{
	struct regfile *rf = hostile_model(), *back;
	char *text = write_text(rf), *line, *save = NULL, *copy;
	size_t where, lines = 0;

	back = parse_ok(text);
	if (!regfile_equal(rf, back, &where))
		ck_abort_msg("key %zu differs: '%s'", where,
		    rf->keys[where].path);
	/* Each key is a line of its own, each value too. */
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lines++;
		if (line[0] == '[' || line[0] == '"' || line[0] == '@') {
			/* a key or a value other readers see: printable
			 * ASCII only */
			char *p;

			for (p = line; *p; p++)
				ck_assert(*p >= 0x20 && *p <= 0x7e);
			ck_assert(line[0] != '[' || line[strlen(line) - 1] ==
			    ']');
		} else
			ck_assert(line[0] == ';' || strcmp(line, HDR) == 0 ||
			    strncmp(line, "Windows Registry", 16) == 0);
	}
	ck_assert_uint_gt(lines, 3 * (sizeof hostile / sizeof hostile[0]) *
	    (sizeof hostile / sizeof hostile[0]));
	free(copy);
	regfile_free(back);
	regfile_free(rf);
	free(text);
}
END_TEST

/* Names past Windows' limits: refused when written and when read. */
START_TEST(test_limits)
{
	struct regfile *rf = hostile_model();
	char *big = long_name(256, 0), *text = NULL, *s;
	struct diag d;
	FILE *f;
	size_t n = 0;

	free(rf->keys[0].elems[3]);
	rf->keys[0].elems[3] = big;
	diag_init(&d);
	f = open_memstream(&text, &n);
	ck_assert_int_eq(regfile_write(f, rf, &d), -1);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(d.items[0].msg, "has a name of 256 "
	    "characters: Windows allows 255 at most"));
	diag_free(&d);
	free(text);
	regfile_free(rf);

	big = long_name(256, 0);
	ck_assert_int_ge(asprintf(&text, HDR "[HKEY_CURRENT_USER\\%s]\n"
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"%s\"\n", big, big), 0);
	s = parse_errors(text, strlen(text));
	ck_assert_ptr_nonnull(strstr(s, "3: key name 'aaaa"));
	ck_assert_ptr_nonnull(strstr(s, "4: key name 'aaaa"));
	ck_assert_ptr_nonnull(strstr(s, "has 256 characters: Windows allows "
	    "255 at most"));
	free(s);
	free(text);
	free(big);
	big = long_name(16384, 1);
	ck_assert_int_ge(asprintf(&text, HDR "[HKEY_CURRENT_USER\\K]\n"
	    "; kbfix-value: \"%s\"=dword:00000001\n", big), 0);
	s = parse_errors(text, strlen(text));
	ck_assert_str_eq(s, "4: value name of 16384 characters: Windows "
	    "allows 16383 at most\n");
	free(s);
	free(text);
	free(big);
	/* At the limits: read. */
	big = long_name(16383, 0);
	s = long_name(255, 1);
	ck_assert_int_ge(asprintf(&text, HDR "[HKEY_CURRENT_USER\\%s]\n"
	    "\"%s\"=dword:00000001\n", s, big), 0);
	regfile_free(parse_ok(text));
	free(text);
	free(s);
	free(big);
}
END_TEST

START_TEST(test_kbfix_lines)
{
	struct regfile *rf;
	char *s;
	static const char errs[] =
	    HDR					/* 1, 2 */
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"a\\qb\"\n"	/* 3 */
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"a\\u000\"\n"	/* 4 */
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"\\u0000\"\n"	/* 5 */
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"\\ud800x\"\n"	/* 6 */
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"\\udc00\"\n"	/* 7 */
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"\"\n"		/* 8 */
	    "; kbfix-key: \"HKEY_CURRENT_USER\"\"x\"\n"		/* 9 */
	    "; kbfix-key: HKEY_CURRENT_USER\n"			/* 10 */
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"open\n"	/* 11 */
	    "; kbfix-key:\n"					/* 12 */
	    "; kbfix-left-key: \"HKEY_CURRENT_USER\" \"L\"\n"	/* 13 */
	    "\"v\"=dword:00000001\n"				/* 14 */
	    "; kbfix-value: \"v\"=dword:00000001\n"		/* 15 */
	    "[HKEY_CURRENT_USER\\K]\n"				/* 16 */
	    "; kbfix-left-value: \"v\"=-\n"			/* 17 */
	    "; kbfix-value: v=dword:00000001\n"			/* 18 */
	    "; kbfix-value:\n"					/* 19 */
	    "\"w\\u000a\"=dword:00000001\n";			/* 20 */

	s = parse_errors(errs, sizeof errs - 1);
	ck_assert_str_eq(s,
	    "3: unknown escape '\\q' in a name: kbfix lines take \\\\, \\\" "
	    "and \\uXXXX\n"
	    "4: unknown escape '\\u' in a name: kbfix lines take \\\\, \\\" "
	    "and \\uXXXX\n"
	    "5: '\\u0000' (NUL) in a name\n"
	    "6: unpaired surrogate '\\ud800' in a name: kbfix cannot hold "
	    "it\n"
	    "7: unpaired surrogate '\\udc00' in a name: kbfix cannot hold "
	    "it\n"
	    "8: empty key name\n"
	    "9: expected a space between key names at '\"x\"'\n"
	    "10: expected a quoted key name at 'HKEY_CURRENT_USER'\n"
	    "11: unterminated string\n"
	    "12: empty key name\n"
	    "14: value line after a kbfix-left-key line\n"
	    "15: value line after a kbfix-left-key line\n"
	    "17: kbfix-left-value line after a key that is not a "
	    "kbfix-left-key\n"
	    "18: expected a quoted value name at 'v=dword:00000001'\n"
	    "19: empty kbfix value line\n"
	    "20: unknown escape '\\u' in string\n");
	free(s);

	rf = parse_ok(HDR
	    "; kbfix-key: \"HKEY_CURRENT_USER\" \"a\\\\b\" \"\\\"\\u000a\\ud83d"
	    "\\ude00\xc3\xa9\"\n"
	    "\"plain\"=dword:00000001\n"
	    "; kbfix-value: \"x\\u0009y\"=-\n"
	    "; kbfix-value: @=\"d\"\n"
	    "; kbfix-left-key: -\"HKEY_CURRENT_USER\" \"Gone\"\n"
	    "; kbfix-other: ignored\n"
	    "; kbfix-key: -\"HKEY_CURRENT_USER\" \"x\"\n");
	ck_assert_uint_eq(rf->nkeys, 3);
	ck_assert_uint_eq(rf->keys[0].nelems, 3);
	ck_assert_str_eq(rf->keys[0].elems[1], "a\\b");
	ck_assert_str_eq(rf->keys[0].elems[2],
	    "\"\n\xf0\x9f\x98\x80\xc3\xa9");
	ck_assert_str_eq(rf->keys[0].path, "HKEY_CURRENT_USER\\\"a\\\\b\"\\"
	    "\"\\\"\\u000a\xf0\x9f\x98\x80\xc3\xa9\"");
	ck_assert_uint_eq(rf->keys[0].nvalues, 3);
	ck_assert_str_eq(rf->keys[0].values[1].name, "x\ty");
	ck_assert_int_eq(rf->keys[0].values[1].delete, 1);
	ck_assert_str_eq(rf->keys[0].values[2].name, "");
	ck_assert_int_eq(rf->keys[1].left, 1);
	ck_assert_int_eq(rf->keys[1].delete, 1);
	ck_assert_int_eq(rf->keys[2].left, 0);
	ck_assert_int_eq(rf->keys[2].delete, 1);
	regfile_free(rf);
}
END_TEST

START_TEST(test_names_text)
{
	char *s;
	const char *elems[] = { "HKEY_CURRENT_USER", "a b", "x\\y", "\"q",
	    "n\nl", "Caf\xc3\xa9" };
	FILE *f;
	size_t n = 0;

	ck_assert_int_eq(regfile_name_plain("a b ~!@#$%^&*()[]{};:'\"=,.<>/?",
	    0), 1);
	ck_assert_int_eq(regfile_name_plain("a\\b", 0), 1);
	ck_assert_int_eq(regfile_name_plain("a\\b", 1), 0);
	ck_assert_int_eq(regfile_name_plain("", 0), 1);
	ck_assert_int_eq(regfile_name_plain("", 1), 0);
	ck_assert_int_eq(regfile_name_plain("a\nb", 0), 0);
	ck_assert_int_eq(regfile_name_plain("\x7f", 0), 0);
	ck_assert_int_eq(regfile_name_plain("Caf\xc3\xa9", 0), 0);
	ck_assert_int_eq(regfile_name_plain("x Windows Registry Editor "
	    "Version", 1), 0);
	ck_assert_int_eq(regfile_name_plain("x Windows Registry Editor "
	    "Version", 0), 1);
	ck_assert_uint_eq(regfile_name_units("a\xc3\xa9\xe2\x82\xac"
	    "\xf0\x9f\x98\x80"), 5);
	s = regfile_escape("a\\\"\n\x01\x7f\xc2\x85\xe2\x80\xa8\xef\xbb\xbf"
	    "\xc3\xa9\xff", 1);
	ck_assert_str_eq(s, "a\\\\\\\"\\u000a\\u0001\\u007f\\u0085\\u2028"
	    "\\ufeff\xc3\xa9\\xff");
	free(s);
	s = regfile_escape("a\\\"\n", 0);
	ck_assert_str_eq(s, "a\\\"\\u000a");
	free(s);
	s = regfile_key_show(NULL, (char *const *)elems, 6);
	ck_assert_str_eq(s, "HKEY_CURRENT_USER\\a b\\\"x\\\\y\"\\\"\\\"q\"\\"
	    "\"n\\u000al\"\\Caf\xc3\xa9");
	free(s);
	s = regfile_key_show("HKEY_LOCAL_MACHINE\\SYSTEM",
	    (char *const *)elems + 1, 1);
	ck_assert_str_eq(s, "HKEY_LOCAL_MACHINE\\SYSTEM\\a b");
	free(s);
	s = NULL;
	f = open_memstream(&s, &n);
	regfile_put_comment(f, "title %s", "with\n[-HKEY_CURRENT_USER]");
	regfile_put_comment(f, "ends in %s", "C:\\ ");
	fclose(f);
	ck_assert_str_eq(s, "; title with\\u000a[-HKEY_CURRENT_USER]\n"
	    "; ends in C:\\u005c\n");
	free(s);
}
END_TEST

static void
setup(void)
{
	tmp = tu_tmpdir();
}

static void
teardown(void)
{
	tu_rmrf(tmp);
	free(tmp);
	tmp = NULL;
}

static Suite *
regfile_suite(void)
{
	Suite *s = suite_create("regfile");
	TCase *tc = tcase_create("parse");
	TCase *ta;

	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_utf16_crlf);
	tcase_add_test(tc, test_regedit4);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_hostile_bytes);
	tcase_add_test(tc, test_enormous);
	tcase_add_test(tc, test_mutations);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_ascii);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_write_hostile);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_kbfix_lines);
	tcase_add_test(tc, test_names_text);
	suite_add_tcase(s, tc);
	/* Only these two need the real hives. */
	if (tu_have_shared("test_apply_xp, test_apply_unicode_case")) {
		ta = tcase_create("apply");
		tcase_add_checked_fixture(ta, setup, teardown);
		tcase_add_test(ta, test_apply_xp);
		tcase_add_test(ta, test_apply_unicode_case);
		suite_add_tcase(s, ta);
	}
	return s;
}

int
main(void)
{
	return tu_run_suite(regfile_suite());
}
