/* check_valuetext.c: the diff's notation of values, and its parser.
 *
 * The notation must be exact: every value printed parses back to its type
 * and bytes (so two values never print the same).  Checked on the
 * documented examples, on every value of every fixture .reg, on every
 * value of the real hives, on all short data over an alphabet that hits
 * every special case, and on random data. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "regtext.h"
#include "testutil.h"
#include "valuetext.h"

#define U VALUETEXT_UTF8

/* Format (TYPE, DATA, LEN) with FLAGS, parse it back, and require the same
 * type and bytes; also that the text holds no control character but the
 * newlines of continued lines, and nothing past ASCII without
 * VALUETEXT_UTF8.  Returns the text (caller frees). */
static char *
round_trip(uint32_t type, const void *data, size_t len, unsigned flags)
{
	char *t = valuetext_format(type, data, len, flags);
	unsigned char *back = NULL;
	const char *err = NULL;
	size_t blen = 0, pos = 0, i;
	uint32_t btype = 0;

	/* No ck_assert in the loops: each one writes to Check's pipe. */
	if (t == NULL)
		ck_abort_msg("out of memory");
	for (i = 0; t[i] != '\0'; i++) {
		unsigned char c = (unsigned char)t[i];

		if ((c < 0x20 && !(c == '\n' && i > 0 && t[i - 1] == '\\')) ||
		    c == 0x7f)
			ck_abort_msg("control character in '%s'", t);
		if (c >= 0x80 && !(flags & U))
			ck_abort_msg("not ASCII: '%s'", t);
	}
	if (valuetext_parse(t, strlen(t), &btype, &back, &blen, &err,
	    &pos) != 0)
		ck_abort_msg("'%s' does not parse: %s at %zu", t, err, pos);
	if (btype != type || blen != len ||
	    (len != 0 && memcmp(back, data, len) != 0))
		ck_abort_msg("'%s' (type %lx, %zu bytes) parses back as type "
		    "%lx, %zu bytes", t, (unsigned long)type, len,
		    (unsigned long)btype, blen);
	free(back);
	return t;
}

/* ---------------------------------------------------------------- examples */

struct example {
	uint32_t type;
	const char *data;	/* bytes */
	size_t len;
	const char *ascii;	/* the text without VALUETEXT_UTF8 */
	const char *utf8;	/* with it (NULL: the same) */
};

#define B(s) s, sizeof s - 1

static const struct example examples[] = {
	{ REG_SZ, B("a\0b\0c\0\0\0"), "\"abc\"", NULL },
	{ REG_SZ, B("a\0b\0c\0"), "\"abc\" (no NUL)", NULL },
	{ REG_SZ, B(""), "\"\" (no NUL)", NULL },
	{ REG_SZ, B("\0\0"), "\"\"", NULL },
	{ REG_SZ, B("a\0\0\0b\0\0\0"), "\"a\\0b\"", NULL },
	{ REG_SZ, B("a\0b\0c\0\0\0\0\0"), "\"abc\\0\"", NULL },
	{ REG_SZ, B("a\0b"), "hex(1):61,00,62", NULL },
	{ REG_SZ, B("\xe9\0\0\0"), "\"\\u{e9}\"", "\"\xc3\xa9\"" },
	{ REG_SZ, B("\x3d\xd8" "A\0\0\0"), "\"\\u{d83d}A\"", NULL },
	{ REG_SZ, B("\x00\xdc\x3d\xd8\0\0"), "\"\\u{dc00}\\u{d83d}\"", NULL },
	{ REG_SZ, B("\x3d\xd8\x00\xde\0\0"), "\"\\u{1f600}\"",
	    "\"\xf0\x9f\x98\x80\"" },
	{ REG_SZ, B("\x1b\0[\0\0\0"), "\"\\u{1b}[\"", NULL },
	{ REG_SZ, B("\t\0\n\0\r\0\x7f\0\0\0"), "\"\\t\\n\\r\\u{7f}\"", NULL },
	{ REG_SZ, B("\"\0\\\0\0\0"), "\"\\\"\\\\\"", NULL },
	{ REG_SZ, B("\x2e\x20\0\0"), "\"\\u{202e}\"", NULL },
	{ REG_SZ, B("\xa0\0\0\0"), "\"\\u{a0}\"", NULL },
	{ REG_SZ, B("\x42\x04\0\0"), "\"\\u{442}\"", "\"\xd1\x82\"" },
	{ REG_EXPAND_SZ, B("%\0x\0%\0\0\0"), "expand_sz:\"%x%\"", NULL },
	{ REG_EXPAND_SZ, B("%\0x\0"), "expand_sz:\"%x\" (no NUL)", NULL },
	{ REG_MULTI_SZ, B("a\0\0\0b\0\0\0\0\0"), "multi_sz:\"a\",\"b\"", NULL },
	{ REG_MULTI_SZ, B("\0\0"), "multi_sz:", NULL },
	{ REG_MULTI_SZ, B("\0\0\0\0"), "multi_sz:\"\"", NULL },
	{ REG_MULTI_SZ, B("a\0\0\0"), "multi_sz:\"a\" (no final NUL)", NULL },
	{ REG_MULTI_SZ, B("a\0"), "multi_sz:\"a\" (no NUL)", NULL },
	{ REG_MULTI_SZ, B("a\0\0\0b\0"), "multi_sz:\"a\",\"b\" (no NUL)",
	    NULL },
	{ REG_MULTI_SZ, B("a\0\0\0\0\0b\0\0\0\0\0"),
	    "multi_sz:\"a\",\"\",\"b\"", NULL },
	{ REG_MULTI_SZ, B(""), "hex(7):", NULL },
	{ REG_MULTI_SZ, B("a\0\0"), "hex(7):61,00,00", NULL },
	{ REG_MULTI_SZ,
	    B("\\\0D\0e\0v\0i\0c\0e\0\\\0N\0d\0i\0s\0W\0a\0n\0I\0p\0\0\0"
	    "\\\0D\0e\0v\0i\0c\0e\0\\\0N\0d\0i\0s\0W\0a\0n\0I\0p\0x\0"
	    "\0\0\\\0D\0e\0v\0i\0c\0e\0\\\0N\0d\0i\0s\0W\0a\0n\0\0\0\0\0"),
	    "multi_sz:\"\\\\Device\\\\NdisWanIp\",\\\n"
	    "  \"\\\\Device\\\\NdisWanIpx\",\\\n"
	    "  \"\\\\Device\\\\NdisWan\"", NULL },
	{ REG_DWORD, B("\3\0\0\0"), "dword:00000003", NULL },
	{ REG_DWORD, B("\x0a\0\0\0"), "dword:0000000a (10)", NULL },
	{ REG_DWORD, B("\xd0\x07\0\0"), "dword:000007d0 (2000)", NULL },
	{ REG_DWORD, B("\xff\xff\xff\xff"), "dword:ffffffff (4294967295)",
	    NULL },
	{ REG_DWORD, B("\1\2\3"), "hex(4):01,02,03", NULL },
	{ REG_DWORD_BIG_ENDIAN, B("\0\0\0\3"), "hex(5):00,00,00,03", NULL },
	{ REG_QWORD, B("\xe8\3\0\0\0\0\0\0"), "qword:00000000000003e8 (1000)",
	    NULL },
	{ REG_QWORD, B("\1\0\0\0\0\0\0\0"), "qword:0000000000000001", NULL },
	{ REG_QWORD, B("\1\0\0\0"), "hex(b):01,00,00,00", NULL },
	{ REG_BINARY, B(""), "hex:", NULL },
	{ REG_BINARY, B("\x3c\x8a\x1f\x5a\0\x7e\0\0\0\0\0\0\0\1\2\3\4\5\6"),
	    "hex:3c,8a,1f,5a,00,7e,00,00,00,00,00,00,00,01,02,03,\\\n"
	    "  04,05,06", NULL },
	{ REG_NONE, B(""), "hex(0):", NULL },
	{ REG_NONE, B("a\0\0\0"), "hex(0):61,00,00,00", NULL },
	{ REG_LINK, B("\\\0R\0"), "hex(6):5c,00,52,00", NULL },
	{ 0xffff0012, B("a\0\0\0"), "hex(ffff0012):61,00,00,00", NULL },
	{ 0x20001, B("\1"), "hex(20001):01", NULL },
};

START_TEST(test_examples)
{
	const struct example *e = &examples[_i];
	char *a = round_trip(e->type, e->data, e->len, 0);
	char *u = round_trip(e->type, e->data, e->len, U);

	ck_assert_str_eq(a, e->ascii);
	ck_assert_str_eq(u, e->utf8 ? e->utf8 : e->ascii);
	free(a);
	free(u);
}
END_TEST

/* ---------------------------------------------------------------- parser */

static const char *const bad_texts[] = {
	"", "\"abc", "\"a\\q\"", "\"a\" junk", "\"a\" (no nul)",
	"\"\\u{110000}\"", "\"\\u{}\"", "\"\\u{41\"", "\"\x01\"",
	"\"\xff\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "dword:123",
	"dword:0000000a (11)", "dword:0000000a ()", "dword:0000000a (10",
	"dword:000000001", "qword:00", "hex:1", "hex:zz", "hex:01,",
	"hex:01 ", "hex(:01", "hex(123456789):01", "hex(1)01",
	"multi_sz:\"a\",", "multi_sz:\"a\" (no final nul)",
	"multi_sz: (no NUL)", "expand_sz:", "expand_sz:abc", "REG_SZ:\"a\"",
	"\"a\"\n", "hex:01,\\\n", "multi_sz:\"a\",\\\n  ",
};

START_TEST(test_parse_errors)
{
	const char *t = bad_texts[_i];
	unsigned char *data = (unsigned char *)"x";
	const char *err = NULL;
	size_t len = 7, pos = 99;
	uint32_t type;

	ck_assert_msg(valuetext_parse(t, strlen(t), &type, &data, &len, &err,
	    &pos) == -1, "'%s' parsed", t);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(data);
	ck_assert_uint_le(pos, strlen(t));
}
END_TEST

/* Forms the printer never writes, which the parser reads all the same. */
START_TEST(test_parse_lenient)
{
	static const struct {
		const char *text;
		uint32_t type;
		const char *data;
		size_t len;
	} c[] = {
		{ "\"\\u{41}\xc3\xa9\"", REG_SZ, B("A\0\xe9\0\0\0") },
		{ "\"\\u{d83d}\\u{de00}\"", REG_SZ, B("\x3d\xd8\x00\xde\0\0") },
		{ "dword:0000000A", REG_DWORD, B("\x0a\0\0\0") },
		{ "dword:0000000a", REG_DWORD, B("\x0a\0\0\0") },
		{ "hex(3):01", REG_BINARY, B("\1") },
		{ "hex:01,\\\n02", REG_BINARY, B("\1\2") },
		{ "multi_sz:\"\" (no final NUL)", REG_MULTI_SZ, B("\0\0") },
	};
	unsigned char *data;
	const char *err;
	size_t len, pos, i;
	uint32_t type;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		ck_assert_msg(valuetext_parse(c[i].text, strlen(c[i].text),
		    &type, &data, &len, &err, &pos) == 0, "'%s': %s",
		    c[i].text, err);
		ck_assert_uint_eq(type, c[i].type);
		ck_assert_uint_eq(len, c[i].len);
		ck_assert_mem_eq(data, c[i].data, len);
		free(data);
	}
}
END_TEST

/* ---------------------------------------------------------------- corpora */

/* Every string of up to 4 bytes over an alphabet that makes NULs, ASCII,
 * quotes, backslashes, controls, Latin-1, both halves of surrogates and
 * noncharacters, as every type that has a form of its own. */
START_TEST(test_exhaustive)
{
	static const unsigned char abc[] = {
		0x00, 0x01, 0x0a, 0x22, 0x5c, 0x41, 0xd8, 0xdc, 0xff, 0xe9,
	};
	static const uint32_t types[] = {
		REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD,
		REG_MULTI_SZ, REG_QWORD, 0xffff0012,
	};
	const size_t na = sizeof abc;
	unsigned char d[4];
	size_t len, k, t, n = 0;
	unsigned long idx, max;

	for (len = 0; len <= 4; len++) {
		for (max = 1, k = 0; k < len; k++)
			max *= na;
		for (idx = 0; idx < max; idx++) {
			unsigned long x = idx;

			for (k = 0; k < len; k++, x /= na)
				d[k] = abc[x % na];
			for (t = 0; t < sizeof types / sizeof types[0]; t++) {
				free(round_trip(types[t], d, len, 0));
				free(round_trip(types[t], d, len, U));
				n += 2;
			}
		}
	}
	ck_assert_uint_gt(n, 170000);
}
END_TEST

/* Random types and data, the UTF-16 ones made mostly of units that decode
 * to something (so that long texts, not only hex, are exercised). */
START_TEST(test_random)
{
	static const uint16_t units[] = {
		0, 0, 'a', 'Z', ' ', '\\', '"', ';', 0x1b, 0xe9, 0x442, 0x4e2d,
		0x202e, 0xd83d, 0xde00, 0xdc00, 0xfeff, 0xffff, 0xfffd,
	};
	unsigned char d[300];
	unsigned long seed = 12345;
	size_t i, k, len;

	for (i = 0; i < 40000; i++) {
		uint32_t type;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		type = (uint32_t)(seed >> 33) % 13;
		if (type == 12)
			type = 0xffff0012;
		len = (size_t)(seed >> 20) % sizeof d;
		for (k = 0; k + 1 < len; k += 2) {
			uint16_t u;

			seed = seed * 6364136223846793005UL + 1;
			u = units[(seed >> 40) % (sizeof units /
			    sizeof units[0])];
			d[k] = (unsigned char)u;
			d[k + 1] = (unsigned char)(u >> 8);
		}
		if (k < len)
			d[k] = (unsigned char)(seed >> 13);
		free(round_trip(type, d, len, 0));
		free(round_trip(type, d, len, U));
	}
}
END_TEST

/* Every value of every fixture .reg under DIR; returns how many. */
static size_t
fixtures_in(const char *dir, int types[16], int *odd)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_msg(dp != NULL, "cannot open '%s'", dir);
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name), i, j;
		struct regfile *rf = NULL;
		struct diag d;
		char *p;

		if (l < 5 || strcmp(de->d_name + l - 4, ".reg") != 0)
			continue;
		p = tu_path(dir, de->d_name);
		diag_init(&d);
		ck_assert_msg(regfile_parse_file(p, &rf, &d) == 0,
		    "cannot parse '%s'", p);
		for (i = 0; i < rf->nkeys; i++) {
			for (j = 0; j < rf->keys[i].nvalues; j++) {
				const struct regfile_value *v =
				    &rf->keys[i].values[j];

				if (v->delete)
					continue;
				free(round_trip(v->type, v->data, v->len, 0));
				free(round_trip(v->type, v->data, v->len, U));
				types[v->type < 15 ? v->type : 15] = 1;
				if (v->type > 11)
					*odd = 1;
				n++;
			}
		}
		regfile_free(rf);
		diag_free(&d);
		free(p);
	}
	closedir(dp);
	return n;
}

START_TEST(test_fixtures)
{
	int types[16] = { 0 }, odd = 0;
	char *dir = tu_path(tu_srcdir(), "tests/fixtures");
	size_t n = fixtures_in(dir, types, &odd);

	free(dir);
	/* The fixtures hold every standard type that has a form of its own
	 * and a type past them. */
	ck_assert_uint_gt(n, 300);
	ck_assert(types[REG_NONE] && types[REG_SZ] && types[REG_EXPAND_SZ] &&
	    types[REG_BINARY] && types[REG_DWORD] && types[REG_MULTI_SZ] &&
	    types[REG_QWORD] && odd);
}
END_TEST

/* Every value of the hive at PATH; returns how many. */
static size_t
hive_values_all(const char *path)
{
	hive_h *h = hivex_open(path, 0);
	hive_node_h *stack;
	size_t n = 0, sp = 0, cap = 1024, i, j;

	ck_assert_msg(h != NULL, "hivex cannot open '%s'", path);
	stack = malloc(cap * sizeof *stack);
	ck_assert_ptr_nonnull(stack);
	stack[sp++] = hivex_root(h);
	while (sp > 0) {
		hive_node_h node = stack[--sp], *kids = hivex_node_children(h,
		    node);
		hive_value_h *vals = hivex_node_values(h, node);

		for (i = 0; vals != NULL && vals[i] != 0; i++) {
			hive_type t;
			size_t len;
			char *data = hivex_value_value(h, vals[i], &t, &len);

			if (data == NULL)
				continue;
			free(round_trip((uint32_t)t, data, len, 0));
			free(round_trip((uint32_t)t, data, len, U));
			free(data);
			n++;
		}
		for (j = 0; kids != NULL && kids[j] != 0; j++) {
			if (sp == cap) {
				cap *= 2;
				stack = realloc(stack, cap * sizeof *stack);
				ck_assert_ptr_nonnull(stack);
			}
			stack[sp++] = kids[j];
		}
		free(kids);
		free(vals);
	}
	free(stack);
	hivex_close(h);
	return n;
}

START_TEST(test_real_hives)
{
	static const char *const hives[] = {
		"xp-sp3/SYSTEM", "xp-sp3/NTUSER.DAT",
		"win10-1709-system-dirty/SYSTEM",
		"win10-ntuser-dirty/NTUSER.DAT",
		"server2022-amcache-dirty/Amcache.hve",
		"win8-usrclass/UsrClass.dat",
	};
	char *tmp, *src, *dst;
	size_t i, n = 0;

	if (tu_shared() == NULL) {
		ck_assert_msg(getenv("CI") == NULL, "../shared is missing");
		return;
	}
	tmp = tu_tmpdir();
	for (i = 0; i < sizeof hives / sizeof hives[0]; i++) {
		ck_assert_int_ge(asprintf(&src, "%s/hives-real/%s.xz",
		    tu_shared(), hives[i]), 0);
		dst = tu_path(tmp, "hive");
		tu_unxz(src, dst);
		n += hive_values_all(dst);
		remove(dst);
		free(src);
		free(dst);
	}
	tu_rmrf(tmp);
	free(tmp);
	/* The primary files alone (hivex reads no logs). */
	ck_assert_uint_gt(n, 100000);
}
END_TEST

/* ---------------------------------------------------------------- diff */

static char *
capture_line(char prefix, const char *name, uint32_t type, const char *data,
    size_t len, unsigned flags)
{
	struct rvalue v = { type, (unsigned char *)data, len };
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	ck_assert_int_eq(valuetext_line(f, prefix, name, &v, flags), 0);
	fclose(f);
	return buf;
}

START_TEST(test_line)
{
	char *s;

	s = capture_line('-', "Path", REG_EXPAND_SZ, B("C\0:\0\\\0\0\0"), 0);
	ck_assert_str_eq(s, "-\"Path\"=expand_sz:\"C:\\\\\"\n");
	free(s);
	s = capture_line('+', "", REG_DWORD, B("\x10\0\0\0"), 0);
	ck_assert_str_eq(s, "+@=dword:00000010 (16)\n");
	free(s);
	s = capture_line('+', "a\"b", REG_BINARY,
	    B("0123456789abcdefXY"), 0);
	ck_assert_str_eq(s, "+\"a\\\"b\"=hex:30,31,32,33,34,35,36,37,38,39,"
	    "61,62,63,64,65,66,\\\n+  58,59\n");
	free(s);
}
END_TEST

static char *
capture_inside(uint32_t type, const char *od, size_t ol, const char *nd,
    size_t nl, const char *sep)
{
	struct rvalue o = { type, (unsigned char *)od, ol };
	struct rvalue n = { type, (unsigned char *)nd, nl };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(valuetext_inside(f, "V", &o, &n, sep, 0), 0);
	fclose(f);
	return buf;
}

/* UTF-8 TEXT as UTF-16LE with a NUL, into a new buffer. */
static char *
u16(const char *text, size_t *len)
{
	size_t n = strlen(text), i;
	char *b = calloc(2 * n + 2, 1);

	ck_assert_ptr_nonnull(b);
	for (i = 0; i < n; i++)
		b[2 * i] = text[i];
	*len = 2 * n + 2;
	return b;
}

START_TEST(test_inside_path)
{
	size_t ol, nl;
	char *o = u16("%SystemRoot%\\system32;\\\\server\\share\\bin;Z:\\apps;"
	    "C:\\Tools", &ol);
	char *n = u16("%SystemRoot%\\system32;C:\\Tools;D:\\new", &nl);
	char *s = capture_inside(REG_EXPAND_SZ, o, ol, n, nl, ";");

	ck_assert_str_eq(s, "#   entries of \"V\" separated by \";\": "
	    "2 removed, 1 added\n"
	    "-    \"\\\\\\\\server\\\\share\\\\bin\"\n"
	    "-    \"Z:\\\\apps\"\n"
	    "+    \"D:\\\\new\"\n");
	free(s);
	/* Without the separator of an edit-list, a string is no list; and
	 * an excerpt would leave nothing out here. */
	s = capture_inside(REG_EXPAND_SZ, o, ol, n, nl, NULL);
	ck_assert_str_eq(s, "");
	free(s);
	free(o);
	free(n);
}
END_TEST

START_TEST(test_inside_multi)
{
	char *s = capture_inside(REG_MULTI_SZ, B("a\0\0\0b\0\0\0c\0\0\0\0\0"),
	    B("a\0\0\0c\0\0\0d\0\0\0\0\0"), NULL);

	ck_assert_str_eq(s, "#   entries of \"V\": 1 removed, 1 added\n"
	    "-    \"b\"\n+    \"d\"\n");
	free(s);
	/* The same strings, ended differently: no entry moved. */
	s = capture_inside(REG_MULTI_SZ, B("a\0\0\0b\0\0\0\0\0"),
	    B("a\0\0\0b\0\0\0"), NULL);
	ck_assert_str_eq(s, "");
	free(s);
	/* One string for another. */
	s = capture_inside(REG_MULTI_SZ, B("a\0\0\0\0\0"), B("b\0\0\0\0\0"),
	    NULL);
	ck_assert_str_eq(s, "#   entries of \"V\": 1 removed, 1 added\n"
	    "-    \"a\"\n+    \"b\"\n");
	free(s);
}
END_TEST

START_TEST(test_inside_long)
{
	size_t ol, nl;
	char *o = u16("C:\\Program Files\\Vendor\\Product 7.2\\bin\\service.exe"
	    " -k netsvcs -p --log C:\\Windows\\Temp\\service.log", &ol);
	char *n = u16("C:\\Program Files\\Vendor\\Product 7.2\\bin\\service.exe"
	    " -k localsvcs -p --log C:\\Windows\\Temp\\service.log", &nl);
	char *s = capture_inside(REG_SZ, o, ol, n, nl, NULL);

	ck_assert_str_eq(s, "#   the change inside \"V\":\n"
	    "-    ...bin\\\\service.exe -k netsvcs -p --log C:...\n"
	    "+    ...bin\\\\service.exe -k localsvcs -p --log C:...\n");
	free(s);
	free(o);
	free(n);
	/* Short strings: the two lines say it all. */
	s = capture_inside(REG_SZ, B("M\0\0\0"), B("\0\0"), NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* Lists too long for a longest common subsequence within LCS_CELLS: the
 * changed stretch is shown as all removed, then all added. */
START_TEST(test_inside_huge)
{
	enum { N = 1500 };
	char *o = malloc(N * 4 + 2), *n = malloc(N * 4 + 2), *s, *p;
	size_t i, lines = 0;

	ck_assert(o != NULL && n != NULL);
	for (i = 0; i < N; i++) {
		o[4 * i] = (char)('A' + i % 26);
		n[4 * i] = (char)('a' + i % 26);
		o[4 * i + 1] = n[4 * i + 1] = 0;
		o[4 * i + 2] = n[4 * i + 2] = 0;
		o[4 * i + 3] = n[4 * i + 3] = 0;
	}
	o[4 * N] = o[4 * N + 1] = n[4 * N] = n[4 * N + 1] = 0;
	s = capture_inside(REG_MULTI_SZ, o, 4 * N + 2, n, 4 * N + 2, NULL);
	ck_assert_msg(strncmp(s, "#   entries of \"V\": 1500 removed, 1500 "
	    "added\n-    \"A\"\n", 50) == 0, "%.80s", s);
	for (p = s; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 1 + 2 * N);
	ck_assert_ptr_nonnull(strstr(s, "-    \"R\"\n+    \"a\"\n"));
	free(s);
	free(o);
	free(n);
}
END_TEST

static Suite *
valuetext_suite(void)
{
	Suite *s = suite_create("valuetext");
	TCase *tc = tcase_create("notation");

	tcase_add_loop_test(tc, test_examples, 0,
	    sizeof examples / sizeof examples[0]);
	tcase_add_loop_test(tc, test_parse_errors, 0,
	    sizeof bad_texts / sizeof bad_texts[0]);
	tcase_add_test(tc, test_parse_lenient);
	tcase_add_test(tc, test_exhaustive);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_fixtures);
	tcase_add_test(tc, test_real_hives);
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_inside_path);
	tcase_add_test(tc, test_inside_multi);
	tcase_add_test(tc, test_inside_long);
	tcase_add_test(tc, test_inside_huge);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(valuetext_suite());
}
