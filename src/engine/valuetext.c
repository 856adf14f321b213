/* valuetext.c: registry values as the dry run's diff shows them, and back
 * (valuetext.h; the notation is documented in docs/diff-format.md). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "regtext.h"
#include "valuetext.h"

#define HEX_ROW 16	/* bytes per line of hex, as hexdump shows them */
#define LIST_WRAP 64	/* a list wider than this: one string a line */
#define LONG_TEXT 48	/* characters from which a string is "long" */
#define CONTEXT 16	/* characters shown each side of a change */
#define LCS_CELLS 1000000	/* the most a list diff may cost; past it, a
				 * changed stretch is shown as all removed,
				 * then all added (a hostile hive can hold
				 * lists of a hundred thousand entries) */

/* ---------------------------------------------------------------- buffers */

struct sb {
	char *p;
	size_t n, cap;
	int oom;
};

static void
sb_put(struct sb *b, const void *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *np;

		while (cap < b->n + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_puts(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* The string built in B, or NULL (and B freed) on out-of-memory. */
static char *
sb_done(struct sb *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	if (b->p == NULL)
		return strdup("");
	return b->p;
}

struct ranges {
	size_t (*v)[2];		/* [start, end) in UTF-16 units */
	size_t n, cap;
};

static int
ranges_add(struct ranges *r, size_t start, size_t end)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		size_t (*nv)[2] = realloc(r->v, cap * sizeof *nv);

		if (nv == NULL)
			return -1;
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n][0] = start;
	r->v[r->n][1] = end;
	r->n++;
	return 0;
}

/* ---------------------------------------------------------------- text */

static uint32_t
unit(const unsigned char *b, size_t i)
{
	return (uint32_t)b[2 * i] | (uint32_t)b[2 * i + 1] << 8;
}

/* The code point at unit I of B (units up to END): a surrogate pair is
 * one, an unpaired surrogate stands for itself.  Returns the units used. */
static size_t
next_cp(const unsigned char *b, size_t i, size_t end, uint32_t *cp)
{
	uint32_t c = unit(b, i), lo;

	if (c >= 0xd800 && c < 0xdc00 && i + 1 < end) {
		lo = unit(b, i + 1);
		if (lo >= 0xdc00 && lo < 0xe000) {
			*cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			return 2;
		}
	}
	*cp = c;
	return 1;
}

/* Characters that would not show as themselves on a terminal: controls
 * (an escape sequence in a hostile hive must not reach the terminal),
 * spaces other than U+0020, invisible and direction-changing characters
 * (a path must not look like another), unpaired surrogates and
 * noncharacters; and everything past ASCII when the output is not
 * UTF-8. */
static int
hidden(uint32_t c, unsigned flags)
{
	static const uint32_t ranges[][2] = {
		{ 0x7f, 0xa0 },		/* DEL, C1 controls, no-break space */
		{ 0xad, 0xad },		/* soft hyphen */
		{ 0x34f, 0x34f },	/* combining grapheme joiner */
		{ 0x61c, 0x61c },	/* Arabic letter mark */
		{ 0x115f, 0x1160 },	/* Hangul fillers */
		{ 0x1680, 0x1680 },	/* Ogham space */
		{ 0x17b4, 0x17b5 },
		{ 0x180b, 0x180f },	/* Mongolian selectors, vowel sep. */
		{ 0x2000, 0x200f },	/* spaces, zero widths, LRM, RLM */
		{ 0x2028, 0x202f },	/* separators, bidi embeddings */
		{ 0x205f, 0x206f },	/* space, invisible operators, isolates */
		{ 0x3000, 0x3000 },	/* ideographic space */
		{ 0x3164, 0x3164 },	/* Hangul filler */
		{ 0xd800, 0xdfff },	/* unpaired surrogates */
		{ 0xfdd0, 0xfdef },	/* noncharacters */
		{ 0xfe00, 0xfe0f },	/* variation selectors */
		{ 0xfeff, 0xfeff },	/* zero-width no-break space */
		{ 0xffa0, 0xffa0 },	/* halfwidth Hangul filler */
		{ 0xfff0, 0xfffb },	/* interlinear annotations */
		{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
		{ 0x1d173, 0x1d17a },	/* musical format controls */
		{ 0xe0000, 0xe0fff },	/* tags, variation selectors */
	};
	size_t i;

	if (c < 0x20 || c == 0x7f)
		return 1;
	if (c < 0x7f)
		return 0;
	if (!(flags & VALUETEXT_UTF8))
		return 1;
	if ((c & 0xfffe) == 0xfffe)
		return 1;
	for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return 1;
	return 0;
}

/* Code point C as it shows inside quotes, into OUT; returns its length. */
static size_t
cp_token(uint32_t c, unsigned flags, char out[16])
{
	const char *e = NULL;

	switch (c) {
	case '\\':
		e = "\\\\";
		break;
	case '"':
		e = "\\\"";
		break;
	case 0:
		e = "\\0";
		break;
	case '\t':
		e = "\\t";
		break;
	case '\n':
		e = "\\n";
		break;
	case '\r':
		e = "\\r";
		break;
	}
	if (e != NULL) {
		memcpy(out, e, 3);
		return 2;
	}
	if (hidden(c, flags))
		return (size_t)snprintf(out, 16, "\\u{%lx}", (unsigned long)c);
	return names_utf8_put(c, out);
}

/* Units [FROM, TO) of B, quoted. */
static void
put_quoted(struct sb *o, const unsigned char *b, size_t from, size_t to,
    unsigned flags)
{
	char t[16];
	uint32_t c;
	size_t i;

	sb_put(o, "\"", 1);
	for (i = from; i < to;) {
		i += next_cp(b, i, to, &c);
		sb_put(o, t, cp_token(c, flags, t));
	}
	sb_put(o, "\"", 1);
}

/* How a REG_MULTI_SZ ends. */
enum ending {
	END_LIST,	/* the empty string that closes the list */
	END_STRING,	/* the last string's NUL, no list NUL */
	END_NONE,	/* the last string has no NUL */
};

/* The strings of a REG_MULTI_SZ of N units (N > 0) into R, and how it
 * ends.  Every unit but the NULs ending strings and the list belongs to
 * a string, so the strings and the ending give back the data. */
static int
split_multi(const unsigned char *b, size_t n, struct ranges *r,
    enum ending *ending)
{
	size_t end, i, start = 0;

	if (unit(b, n - 1) != 0) {
		*ending = END_NONE;
		end = n;
	} else if (n == 1) {
		*ending = END_LIST;	/* the empty list */
		end = 0;
	} else if (unit(b, n - 2) == 0) {
		*ending = END_LIST;
		end = n - 1;
	} else {
		*ending = END_STRING;
		end = n;
	}
	for (i = 0; i < end; i++) {
		if (unit(b, i) != 0)
			continue;
		if (ranges_add(r, start, i) < 0)
			return -1;
		start = i + 1;
	}
	if (*ending == END_NONE && ranges_add(r, start, end) < 0)
		return -1;
	return 0;
}

static void
put_hex(struct sb *o, uint32_t type, const unsigned char *b, size_t len)
{
	static const char xd[] = "0123456789abcdef";
	char t[24];
	size_t i;

	if (type == REG_BINARY)
		sb_puts(o, "hex:");
	else {
		snprintf(t, sizeof t, "hex(%lx):", (unsigned long)type);
		sb_puts(o, t);
	}
	for (i = 0; i < len; i++) {
		if (i)
			sb_puts(o, i % HEX_ROW ? "," : ",\\\n  ");
		t[0] = xd[b[i] >> 4];
		t[1] = xd[b[i] & 15];
		sb_put(o, t, 2);
	}
}

static int
put_multi(struct sb *o, const unsigned char *b, size_t n, unsigned flags)
{
	struct ranges r = { NULL, 0, 0 };
	enum ending ending;
	size_t i, start = o->n;
	int wrap = 0;

	if (split_multi(b, n, &r, &ending) < 0)
		return -1;
again:
	sb_puts(o, "multi_sz:");
	for (i = 0; i < r.n; i++) {
		if (i)
			sb_puts(o, wrap ? ",\\\n  " : ",");
		put_quoted(o, b, r.v[i][0], r.v[i][1], flags);
	}
	/* Too long for one line: one string a line. */
	if (!wrap && r.n > 1 && o->n - start > LIST_WRAP) {
		o->n = start;
		wrap = 1;
		goto again;
	}
	if (ending == END_STRING)
		sb_puts(o, " (no final NUL)");
	else if (ending == END_NONE)
		sb_puts(o, " (no NUL)");
	free(r.v);
	return 0;
}

static int
put_value(struct sb *o, uint32_t type, const unsigned char *b, size_t len,
    unsigned flags)
{
	char t[64];

	if ((type == REG_SZ || type == REG_EXPAND_SZ) && len % 2 == 0) {
		size_t n = len / 2;
		int nul = n > 0 && unit(b, n - 1) == 0;

		if (type == REG_EXPAND_SZ)
			sb_puts(o, "expand_sz:");
		put_quoted(o, b, 0, nul ? n - 1 : n, flags);
		if (!nul)
			sb_puts(o, " (no NUL)");
		return 0;
	}
	/* Empty data is hex(7): as in a .reg file: a list has at least the
	 * NUL that ends it. */
	if (type == REG_MULTI_SZ && len % 2 == 0 && len > 0)
		return put_multi(o, b, len / 2, flags);
	if (type == REG_DWORD && len == 4) {
		unsigned long v = (unsigned long)b[0] |
		    (unsigned long)b[1] << 8 | (unsigned long)b[2] << 16 |
		    (unsigned long)b[3] << 24;

		snprintf(t, sizeof t, v < 10 ? "dword:%08lx" :
		    "dword:%08lx (%lu)", v, v);
		sb_puts(o, t);
		return 0;
	}
	if (type == REG_QWORD && len == 8) {
		unsigned long long v = 0;
		int i;

		for (i = 7; i >= 0; i--)
			v = v << 8 | b[i];
		snprintf(t, sizeof t, v < 10 ? "qword:%016llx" :
		    "qword:%016llx (%llu)", v, v);
		sb_puts(o, t);
		return 0;
	}
	put_hex(o, type, b, len);
	return 0;
}

char *
valuetext_format(uint32_t type, const void *data, size_t len,
    unsigned flags)
{
	struct sb o = { NULL, 0, 0, 0 };

	if (put_value(&o, type, data, len, flags) < 0)
		o.oom = 1;
	return sb_done(&o);
}

/* ---------------------------------------------------------------- parse */

struct rd {
	const char *s;
	size_t n, i;
	const char *err;
	size_t errpos;
};

static int
fail(struct rd *r, const char *msg)
{
	if (r->err == NULL) {
		r->err = msg;
		r->errpos = r->i;
	}
	return -1;
}

/* Consume literal LIT if the text goes on with it. */
static int
at(struct rd *r, const char *lit)
{
	size_t l = strlen(lit);

	if (r->n - r->i < l || memcmp(r->s + r->i, lit, l) != 0)
		return 0;
	r->i += l;
	return 1;
}

/* After a comma: a line continued (backslash, newline, indentation). */
static void
skip_cont(struct rd *r)
{
	if (at(r, "\\\n"))
		while (r->i < r->n && r->s[r->i] == ' ')
			r->i++;
}

/* The value of hexadecimal digit C, or -1. */
static int
hexval(char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c != '\0' ? strchr(digits, c | 0x20) : NULL;

	return p != NULL && isxdigit((unsigned char)c) ? (int)(p - digits) : -1;
}

/* MIN to MAX hex digits into *V. */
static int
hexnum(struct rd *r, int min, int max, unsigned long long *v)
{
	int k = 0, h;

	*v = 0;
	while (k < max && r->i < r->n && (h = hexval(r->s[r->i])) >= 0) {
		*v = *v << 4 | (unsigned)h;
		r->i++;
		k++;
	}
	if (k < min)
		return fail(r, "expected hexadecimal digits");
	return 0;
}

static void
put_unit(struct sb *o, uint32_t u)
{
	char t[2];

	t[0] = (char)(u & 0xff);
	t[1] = (char)(u >> 8);
	sb_put(o, t, 2);
}

static void
put_cp_utf16(struct sb *o, uint32_t c)
{
	if (c >= 0x10000) {
		c -= 0x10000;
		put_unit(o, 0xd800 + (c >> 10));
		put_unit(o, 0xdc00 + (c & 0x3ff));
	} else
		put_unit(o, c);
}

static int
parse_quoted(struct rd *r, struct sb *o)
{
	unsigned long long v;
	uint32_t c;
	size_t k;

	if (!at(r, "\""))
		return fail(r, "expected '\"'");
	for (;;) {
		if (r->i >= r->n)
			return fail(r, "string not closed");
		c = (unsigned char)r->s[r->i];
		if (c == '"') {
			r->i++;
			return 0;
		}
		if (c == '\\') {
			r->i++;
			if (r->i >= r->n)
				return fail(r, "string not closed");
			switch (r->s[r->i++]) {
			case '\\':
				c = '\\';
				break;
			case '"':
				c = '"';
				break;
			case '0':
				c = 0;
				break;
			case 't':
				c = '\t';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 'u':
				if (!at(r, "{") || hexnum(r, 1, 6, &v) < 0 ||
				    !at(r, "}"))
					return fail(r, "bad \\u{HEX} escape");
				if (v > 0x10ffff)
					return fail(r, "\\u{HEX} past U+10FFFF");
				c = (uint32_t)v;
				break;
			default:
				r->i--;
				return fail(r, "unknown escape");
			}
		} else if (c < 0x20 || c == 0x7f) {
			return fail(r, "control character in a string");
		} else {
			k = names_utf8_get((const unsigned char *)r->s + r->i,
			    r->n - r->i, &c);
			if (k == 0)
				return fail(r, "not UTF-8");
			r->i += k;
		}
		put_cp_utf16(o, c);
	}
}

static int
parse_multi(struct rd *r, struct sb *o)
{
	if (r->i == r->n) {
		put_unit(o, 0);		/* the empty list */
		return 0;
	}
	for (;;) {
		if (parse_quoted(r, o) < 0)
			return -1;
		put_unit(o, 0);
		if (!at(r, ","))
			break;
		skip_cont(r);
	}
	if (at(r, " (no final NUL)"))
		return 0;
	if (at(r, " (no NUL)")) {
		o->n -= 2;
		return 0;
	}
	put_unit(o, 0);
	return 0;
}

/* " (DECIMAL)" after a number, which must say V. */
static int
parse_decimal(struct rd *r, unsigned long long v)
{
	unsigned long long d = 0;
	size_t k = 0;

	if (!at(r, " ("))
		return 0;
	while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9') {
		unsigned dig = (unsigned)(r->s[r->i] - '0');

		if (d > (~0ULL - dig) / 10)
			return fail(r, "decimal too large");
		d = d * 10 + dig;
		r->i++;
		k++;
	}
	if (k == 0 || !at(r, ")"))
		return fail(r, "expected (DECIMAL)");
	if (d != v)
		return fail(r, "the decimal differs from the hexadecimal");
	return 0;
}

static int
parse_hex(struct rd *r, struct sb *o)
{
	unsigned long long v;
	char c;

	if (r->i == r->n)
		return 0;
	for (;;) {
		if (r->n - r->i < 2 || hexval(r->s[r->i]) < 0 ||
		    hexval(r->s[r->i + 1]) < 0)
			return fail(r, "expected a byte (two hexadecimal "
			    "digits)");
		if (hexnum(r, 2, 2, &v) < 0)
			return -1;
		c = (char)v;
		sb_put(o, &c, 1);
		if (!at(r, ","))
			return 0;
		skip_cont(r);
	}
}

/* dword: or qword: (N bytes, 2N hex digits, then the decimal). */
static int
parse_number(struct rd *r, int n, struct sb *o)
{
	unsigned long long v;
	int i;

	if (hexnum(r, 2 * n, 2 * n, &v) < 0 || parse_decimal(r, v) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char c = (char)(v >> (8 * i));

		sb_put(o, &c, 1);
	}
	return 0;
}

static int
parse_value(struct rd *r, uint32_t *type, struct sb *o)
{
	unsigned long long v;

	if (at(r, "dword:")) {
		*type = REG_DWORD;
		return parse_number(r, 4, o);
	}
	if (at(r, "qword:")) {
		*type = REG_QWORD;
		return parse_number(r, 8, o);
	}
	if (at(r, "hex:")) {
		*type = REG_BINARY;
		return parse_hex(r, o);
	}
	if (at(r, "hex(")) {
		if (hexnum(r, 1, 8, &v) < 0 || !at(r, "):"))
			return fail(r, "expected hex(TYPE):");
		*type = (uint32_t)v;
		return parse_hex(r, o);
	}
	if (at(r, "multi_sz:")) {
		*type = REG_MULTI_SZ;
		return parse_multi(r, o);
	}
	*type = at(r, "expand_sz:") ? REG_EXPAND_SZ : REG_SZ;
	if (parse_quoted(r, o) < 0)
		return -1;
	if (!at(r, " (no NUL)"))
		put_unit(o, 0);
	return 0;
}

int
valuetext_parse(const char *text, size_t len, uint32_t *type,
    unsigned char **data, size_t *dlen, const char **err, size_t *errpos)
{
	struct rd r = { text, len, 0, NULL, 0 };
	struct sb o = { NULL, 0, 0, 0 };

	*data = NULL;
	*dlen = 0;
	if (parse_value(&r, type, &o) == 0 && r.i != r.n)
		fail(&r, "unexpected text after the value");
	if (o.oom && r.err == NULL)
		fail(&r, "out of memory");
	if (r.err != NULL) {
		free(o.p);
		*err = r.err;
		*errpos = r.errpos;
		return -1;
	}
	if (o.p == NULL && (o.p = malloc(1)) == NULL) {
		*err = "out of memory";
		*errpos = 0;
		return -1;
	}
	*data = (unsigned char *)o.p;
	*dlen = o.n;
	return 0;
}

/* ---------------------------------------------------------------- diff */

/* NAME as a .reg file quotes it (regtext.c: the one place that escapes
 * value names), followed by '='. */
static char *
name_part(const char *name)
{
	char *line = regfile_format_value(name, REG_NONE, NULL, 0, 0);
	char *eq = line ? strrchr(line, '=') : NULL;

	if (eq == NULL) {
		free(line);
		return NULL;
	}
	eq[1] = '\0';
	return line;
}

int
valuetext_line(FILE *f, char prefix, const char *name,
    const struct rvalue *v, unsigned flags)
{
	char *np = name_part(name);
	char *val = np ? valuetext_format(v->type, v->data, v->len, flags) :
	    NULL;
	const char *p;

	if (val == NULL) {
		free(np);
		return -1;
	}
	fputc(prefix, f);
	fputs(np, f);
	for (p = val; *p != '\0'; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fputc(prefix, f);
	}
	fputc('\n', f);
	free(np);
	free(val);
	return 0;
}

/* The entries of a list value: ranges of units of its data. */
struct list {
	const unsigned char *b;
	struct ranges r;
};

/* V split into entries: a REG_MULTI_SZ's strings, or a string's text
 * split at SEP (UTF-16 units).  Returns 1, 0 when V is no such list, -1
 * on out-of-memory. */
static int
list_split(const struct rvalue *v, const unsigned char *sep, size_t nsep,
    struct list *l)
{
	enum ending ending;
	size_t n = v->len / 2, i, start = 0;

	memset(l, 0, sizeof *l);
	l->b = v->data;
	if (v->len % 2 != 0 || n == 0)
		return 0;
	if (v->type == REG_MULTI_SZ)
		return split_multi(v->data, n, &l->r, &ending) < 0 ? -1 : 1;
	if ((v->type != REG_SZ && v->type != REG_EXPAND_SZ) || nsep == 0)
		return 0;
	if (unit(v->data, n - 1) == 0)
		n--;
	for (i = 0; i + nsep <= n; i++) {
		if (memcmp(v->data + 2 * i, sep, 2 * nsep) != 0)
			continue;
		if (ranges_add(&l->r, start, i) < 0)
			return -1;
		start = i + nsep;
		i += nsep - 1;
	}
	return ranges_add(&l->r, start, n) < 0 ? -1 : 1;
}

static int
entry_eq(const struct list *a, size_t i, const struct list *b, size_t j)
{
	size_t la = a->r.v[i][1] - a->r.v[i][0];

	return la == b->r.v[j][1] - b->r.v[j][0] && memcmp(a->b +
	    2 * a->r.v[i][0], b->b + 2 * b->r.v[j][0], 2 * la) == 0;
}

/* One entry line: MARK, indentation, the entry quoted. */
static int
entry_line(FILE *f, char mark, const struct list *l, size_t k,
    unsigned flags)
{
	struct sb o = { NULL, 0, 0, 0 };
	char *s;

	put_quoted(&o, l->b, l->r.v[k][0], l->r.v[k][1], flags);
	if ((s = sb_done(&o)) == NULL)
		return -1;
	fprintf(f, "%c    %s\n", mark, s);
	free(s);
	return 0;
}

/* The edit script from A to B: OPS[k] is '-' (an entry of A removed), '+'
 * (one of B added) or '=' (kept), in order.  A longest common
 * subsequence between the common head and tail, when that costs at most
 * LCS_CELLS. */
static char *
list_script(const struct list *a, const struct list *b, size_t *nops)
{
	size_t na = a->r.n, nb = b->r.n, p = 0, s = 0, i, j, k = 0, ma, mb;
	uint32_t *t = NULL;
	char *ops = malloc(na + nb + 1);

	if (ops == NULL)
		return NULL;
	while (p < na && p < nb && entry_eq(a, p, b, p))
		p++;
	while (s < na - p && s < nb - p &&
	    entry_eq(a, na - 1 - s, b, nb - 1 - s))
		s++;
	ma = na - p - s;
	mb = nb - p - s;
	memset(ops, '=', p);
	k = p;
	if (ma && mb && (ma + 1) * (mb + 1) <= LCS_CELLS)
		t = calloc((ma + 1) * (mb + 1), sizeof *t);
	if (t != NULL) {
		/* T[i][j]: the LCS of A's middle from I and B's from J. */
		for (i = ma; i-- > 0;)
			for (j = mb; j-- > 0;)
				t[i * (mb + 1) + j] =
				    entry_eq(a, p + i, b, p + j) ?
				    t[(i + 1) * (mb + 1) + j + 1] + 1 :
				    t[(i + 1) * (mb + 1) + j] >
				    t[i * (mb + 1) + j + 1] ?
				    t[(i + 1) * (mb + 1) + j] :
				    t[i * (mb + 1) + j + 1];
		for (i = 0, j = 0; i < ma || j < mb;) {
			if (i < ma && j < mb && entry_eq(a, p + i, b, p + j)) {
				ops[k++] = '=';
				i++;
				j++;
			} else if (j == mb || (i < ma &&
			    t[(i + 1) * (mb + 1) + j] >=
			    t[i * (mb + 1) + j + 1])) {
				ops[k++] = '-';
				i++;
			} else {
				ops[k++] = '+';
				j++;
			}
		}
		free(t);
	} else {
		memset(ops + k, '-', ma);
		k += ma;
		memset(ops + k, '+', mb);
		k += mb;
	}
	memset(ops + k, '=', s);
	k += s;
	*nops = k;
	return ops;
}

static int
list_diff(FILE *f, const char *qname, const struct list *a,
    const struct list *b, const unsigned char *sep, size_t nsep,
    unsigned flags)
{
	size_t nops, k, i = 0, j = 0, nrem = 0, nadd = 0;
	char *ops = list_script(a, b, &nops);
	int rc = 0;

	if (ops == NULL)
		return -1;
	for (k = 0; k < nops; k++) {
		nrem += ops[k] == '-';
		nadd += ops[k] == '+';
	}
	if (nrem + nadd == 0) {
		free(ops);
		return 0;
	}
	fprintf(f, "#   entries of %s", qname);
	if (nsep) {
		struct sb o = { NULL, 0, 0, 0 };
		char *s;

		/* The separator, quoted as the entries are. */
		put_quoted(&o, sep, 0, nsep, flags);
		if ((s = sb_done(&o)) == NULL) {
			free(ops);
			return -1;
		}
		fprintf(f, " separated by %s", s);
		free(s);
	}
	fputs(":", f);
	if (nrem)
		fprintf(f, " %zu removed%s", nrem, nadd ? "," : "");
	if (nadd)
		fprintf(f, " %zu added", nadd);
	fputc('\n', f);
	for (k = 0; k < nops && rc == 0; k++) {
		if (ops[k] == '=') {
			i++;
			j++;
		} else if (ops[k] == '-')
			rc = entry_line(f, '-', a, i++, flags);
		else
			rc = entry_line(f, '+', b, j++, flags);
	}
	free(ops);
	return rc;
}

/* The text of a string value as tokens: what each character shows as. */
struct toks {
	struct sb s;		/* the tokens, one after the other */
	size_t *at;		/* token K is s.p[at[K] .. at[K + 1]) */
	uint32_t *cp;		/* ... and shows character CP[K] */
	size_t n;
};

static int
toks_make(const struct rvalue *v, unsigned flags, struct toks *t)
{
	size_t n = v->len / 2, i;
	char buf[16];
	uint32_t c;

	memset(t, 0, sizeof *t);
	if (n > 0 && unit(v->data, n - 1) == 0)
		n--;
	if ((t->at = malloc((n + 1) * sizeof *t->at)) == NULL ||
	    (t->cp = malloc((n + 1) * sizeof *t->cp)) == NULL)
		return -1;
	for (i = 0; i < n;) {
		i += next_cp(v->data, i, n, &c);
		t->cp[t->n] = c;
		t->at[t->n++] = t->s.n;
		sb_put(&t->s, buf, cp_token(c, flags, buf));
	}
	t->at[t->n] = t->s.n;
	return t->s.oom ? -1 : 0;
}

static void
toks_free(struct toks *t)
{
	free(t->s.p);
	free(t->at);
	free(t->cp);
}

static int
tok_eq(const struct toks *a, size_t i, const struct toks *b, size_t j)
{
	size_t la = a->at[i + 1] - a->at[i];

	return la == b->at[j + 1] - b->at[j] &&
	    memcmp(a->s.p + a->at[i], b->s.p + b->at[j], la) == 0;
}

/* Where an excerpt is best cut: before or after these. */
static int
boundary(uint32_t c)
{
	return c == ' ' || c == ';' || c == ',' || c == '\\' || c == '/' ||
	    c == '=' || c == ':';
}

/* Tokens [FROM, TO) of T as an excerpt line: "..." where it is cut, the
 * quote where the text starts or ends. */
static void
excerpt_line(FILE *f, char mark, const struct toks *t, size_t from,
    size_t to)
{
	fprintf(f, "%c    %s", mark, from ? "..." : "\"");
	fwrite(t->s.p + t->at[from], 1, t->at[to] - t->at[from], f);
	fprintf(f, "%s\n", to < t->n ? "..." : "\"");
}

static int
excerpt(FILE *f, const char *qname, const struct rvalue *old,
    const struct rvalue *new, unsigned flags)
{
	struct toks a, b;
	size_t p = 0, s = 0, from, tail, k;
	int rc = -1;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	if (toks_make(old, flags, &a) < 0 || toks_make(new, flags, &b) < 0)
		goto out;
	rc = 0;
	while (p < a.n && p < b.n && tok_eq(&a, p, &b, p))
		p++;
	while (s < a.n - p && s < b.n - p &&
	    tok_eq(&a, a.n - 1 - s, &b, b.n - 1 - s))
		s++;
	/* Worth it when the lines are long and most of them is the same. */
	if ((a.n < LONG_TEXT && b.n < LONG_TEXT) ||
	    (p <= CONTEXT && s <= CONTEXT) || (p + s == a.n && p + s == b.n))
		goto out;
	/* CONTEXT characters each side, a few more to cut at a boundary
	 * rather than inside a word.  The tail is common to both. */
	from = p > CONTEXT ? p - CONTEXT : 0;
	for (k = from; k + 8 > from; k--)
		if (k == 0 || boundary(a.cp[k - 1])) {
			from = k;
			break;
		}
	tail = s > CONTEXT ? s - CONTEXT : 0;
	for (k = tail; k + 8 > tail; k--)
		if (k == 0 || boundary(a.cp[a.n - k])) {
			tail = k;
			break;
		}
	if (from == 0 && tail == 0)
		goto out;	/* nothing left out: the lines say it all */
	fprintf(f, "#   the change inside %s:\n", qname);
	excerpt_line(f, '-', &a, from, a.n - tail);
	excerpt_line(f, '+', &b, from, b.n - tail);
out:
	toks_free(&a);
	toks_free(&b);
	return rc;
}

/* SEP (UTF-8, at most 8 characters: remedy.h) as UTF-16 units into U
 * (room for 16); returns their number, 0 if SEP is NULL or not UTF-8. */
static size_t
sep_units(const char *sep, unsigned char u[32])
{
	size_t nu = 0, at = 0, l = sep ? strlen(sep) : 0, n;
	uint32_t c;

	while (at < l) {
		n = names_utf8_get((const unsigned char *)sep + at, l - at, &c);
		if (n == 0 || nu + (c >= 0x10000 ? 2 : 1) > 16)
			return 0;
		if (c >= 0x10000) {
			c -= 0x10000;
			u[2 * nu] = (unsigned char)((0xd800 + (c >> 10)) & 0xff);
			u[2 * nu + 1] = (unsigned char)((0xd800 + (c >> 10)) >> 8);
			nu++;
			c = 0xdc00 + (c & 0x3ff);
		}
		u[2 * nu] = (unsigned char)(c & 0xff);
		u[2 * nu + 1] = (unsigned char)(c >> 8);
		nu++;
		at += n;
	}
	return nu;
}

int
valuetext_inside(FILE *f, const char *name, const struct rvalue *old,
    const struct rvalue *new, const char *sep, unsigned flags)
{
	unsigned char u[32];
	size_t nu = 0;
	struct list a, b;
	char *qname;
	int rc = 0, ra, rb;

	if (old != NULL && old->type != new->type)
		return 0;
	if ((qname = name_part(name)) == NULL)
		return -1;
	qname[strlen(qname) - 1] = '\0';	/* without its '=' */
	if (new->type != REG_MULTI_SZ)
		nu = sep_units(sep, u);
	if (old == NULL) {
		/* A list created: every entry is new. */
		memset(&a, 0, sizeof a);
		ra = nu ? 1 : 0;
	} else
		ra = list_split(old, u, nu, &a);
	rb = list_split(new, u, nu, &b);
	if (ra < 0 || rb < 0)
		rc = -1;
	else if (ra && rb)
		rc = list_diff(f, qname, &a, &b, u, nu, flags);
	else if (old != NULL && (old->type == REG_SZ ||
	    old->type == REG_EXPAND_SZ) && old->len % 2 == 0 &&
	    new->len % 2 == 0)
		rc = excerpt(f, qname, old, new, flags);
	free(a.r.v);
	free(b.r.v);
	free(qname);
	return rc;
}
