/* regtext.c: .reg files, read, written and merged into a hive (text; the
 * binary hive format is regf.c).
 *
 * Format facts (regedit 5, Windows XP to 11):
 *  - regedit writes UTF-16LE with a BOM and CRLF line ends; hand-written
 *    files are often UTF-8 with LF.  "REGEDIT4" files are ANSI.
 *  - strings ("name"="text") are stored as UTF-16LE with one NUL unit at
 *    the end; only \\ and \" are escapes.
 *  - regedit wraps hex data near column 80: the line ends in "\" and the
 *    next line starts with two spaces.  Only hex data is ever wrapped.
 *  - hex(N) takes N in hex, any 32-bit type (hex(ffff0012) is real:
 *    Windows 8+ DriverDatabase properties).
 *
 * hivex facts (1.3.23) that shape regfile_apply:
 *  - hivex_node_get_child folds ASCII case only ("cafÉ" misses "Café"):
 *    keys and values are looked up here with a Unicode-aware compare.
 *  - hivex_node_set_value matches names case-insensitively but stores the
 *    caller's spelling; Windows keeps the existing name.  So values are
 *    read, edited and set back with hivex_node_set_values.
 *  - hivex_node_add_child gives the new key its parent's timestamp (never
 *    the current time) and computes the "lh" hash of its name over UTF-8
 *    bytes taken as signed chars, where Windows hashes upcased UTF-16
 *    units: a non-ASCII key name created by hivex has a hash Windows
 *    would not compute.
 *  - hivex_node_set_values writes every value of the key as one cell,
 *    big-data ("db") ones included: run regf_finish after hivex_commit.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "names.h"
#include "regtext.h"

#include "regtext-int.h"

/* Bounds against hostile input: a bigger file is refused, and parsing
 * stops after this many errors. */
#define REGFILE_MAX_SIZE	(256UL * 1024 * 1024)
#define REGFILE_MAX_ERRORS	100

static const char HEADER5[] = "Windows Registry Editor Version 5.00";
static const char HEADER4[] = "REGEDIT4";

struct parser {
	const char *name;
	struct diag *d;
	struct regfile *rf;
	size_t capkeys;
	size_t capvalues;	/* of the last key */
	long nerrors;
};

static void
perr(struct parser *p, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr(struct parser *p, long line, const char *fmt, ...)
{
	va_list ap;

	p->nerrors++;
	if (p->nerrors > REGFILE_MAX_ERRORS)
		return;
	if (p->nerrors == REGFILE_MAX_ERRORS) {
		diag_error(p->d, p->name, line, "too many errors, giving up");
		return;
	}
	va_start(ap, fmt);
	diag_verror(p->d, p->name, line, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- text */

/* UTF-16LE bytes (after the BOM) to UTF-8.  Unpaired surrogates become
 * U+FFFD and an error on their line; NUL units are kept (the line parser
 * reports them).  Returns a new buffer or NULL on out-of-memory. */
static char *
utf16_to_utf8(struct parser *p, const unsigned char *s, size_t n,
    size_t *outlen)
{
	char *out;
	size_t i, o = 0;
	long line = 1, badline = 0;

	int odd = n % 2;

	n -= odd;
	/* Each unit gives at most 3 bytes (a pair gives 4 for 2 units). */
	out = malloc(n / 2 * 3 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i += 2) {
		unsigned long c = s[i] | (s[i + 1] << 8);

		if (c >= 0xd800 && c <= 0xdbff && i + 3 < n) {
			unsigned long c2 = s[i + 2] | (s[i + 3] << 8);
			if (c2 >= 0xdc00 && c2 <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (c2 - 0xdc00);
				i += 2;
			}
		}
		if (c >= 0xd800 && c <= 0xdfff) {
			if (badline != line)
				perr(p, line, "invalid UTF-16 text "
				    "(unpaired surrogate)");
			badline = line;
			c = 0xfffd;
		}
		if (c == '\n')
			line++;
		o += names_utf8_put(c, out + o);
	}
	if (odd)
		perr(p, line, "odd number of bytes in UTF-16 text, last byte "
		    "ignored");
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* Append the UTF-16LE form of UTF-8 text S (already validated) to BUF. */
static size_t
utf8_to_utf16(const char *s, size_t n, unsigned char *buf)
{
	size_t i = 0, o = 0, k;
	uint32_t c;

	while (i < n) {
		k = names_utf8_get((const unsigned char *)s + i, n - i, &c);
		if (k == 0) {		/* not reached: lines are checked */
			c = 0xfffd;
			k = 1;
		}
		i += k;
		if (c >= 0x10000) {
			c -= 0x10000;
			buf[o++] = (0xd800 | (c >> 10)) & 0xff;
			buf[o++] = (0xd800 | (c >> 10)) >> 8;
			buf[o++] = (0xdc00 | (c & 0x3ff)) & 0xff;
			buf[o++] = (0xdc00 | (c & 0x3ff)) >> 8;
		} else {
			buf[o++] = c & 0xff;
			buf[o++] = c >> 8;
		}
	}
	return o;
}

/* ---------------------------------------------------------------- parse */

int
is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* S (N bytes) quoted for a message: at most 40 bytes, cut on a character
 * boundary.  Returns a static buffer. */
static const char *
excerpt(const char *s, size_t n)
{
	static char buf[64];
	size_t i = 0, k;
	uint32_t c;

	while (i < n && i < 40) {
		k = names_utf8_get((const unsigned char *)s + i, n - i, &c);
		if (k == 0 || i + k > 40 || c < 0x20)
			break;
		i += k;
	}
	memcpy(buf, s, i);
	snprintf(buf + i, sizeof buf - i, "%s", i < n ? "..." : "");
	return buf;
}

void
regfile_elems_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

#define elems_free regfile_elems_free

/* A new key of ELEMS[0..N) (taken over, freed on error), shown as PATH
 * (PN bytes) in messages, or as regfile_key_show writes ELEMS when PATH
 * is NULL.  Names past Windows' limit are refused.  Returns the key, or
 * NULL with a message. */
static struct regfile_key *
add_key(struct parser *p, const char *path, size_t pn, char **elems,
    size_t n, int del, int left, long line)
{
	struct regfile *rf = p->rf;
	struct regfile_key *k;
	size_t i;

	for (i = 0; i < n; i++)
		if (regfile_name_units(elems[i]) > REGFILE_MAX_KEY_NAME) {
			char *e = regfile_escape(elems[i], 0);

			perr(p, line, "key name '%.40s...' has %zu characters: "
			    "Windows allows %d at most", e ? e : "?",
			    regfile_name_units(elems[i]), REGFILE_MAX_KEY_NAME);
			free(e);
			elems_free(elems, n);
			return NULL;
		}
	if (rf->nkeys == p->capkeys) {
		size_t ncap = p->capkeys ? p->capkeys * 2 : 16;
		k = realloc(rf->keys, ncap * sizeof *k);
		if (k == NULL)
			goto oom;
		rf->keys = k;
		p->capkeys = ncap;
	}
	k = &rf->keys[rf->nkeys];
	memset(k, 0, sizeof *k);
	k->path = path ? strndup(path, pn) : regfile_key_show(NULL, elems, n);
	if (k->path == NULL)
		goto oom;
	k->elems = elems;
	k->nelems = n;
	k->delete = del;
	k->left = left;
	k->line = line;
	rf->nkeys++;
	p->capvalues = 0;
	return k;
oom:
	perr(p, line, "out of memory");
	elems_free(elems, n);
	return NULL;
}

static struct regfile_value *
add_value(struct parser *p)
{
	struct regfile_key *k = &p->rf->keys[p->rf->nkeys - 1];
	struct regfile_value *v;

	if (k->nvalues == p->capvalues) {
		size_t ncap = p->capvalues ? p->capvalues * 2 : 8;
		v = realloc(k->values, ncap * sizeof *v);
		if (v == NULL)
			return NULL;
		k->values = v;
		p->capvalues = ncap;
	}
	v = &k->values[k->nvalues++];
	memset(v, 0, sizeof *v);
	return v;
}

/* Parse a quoted string at S[0] == '"'.  Unescaped text goes to *OUT (new
 * string, *OUTLEN bytes); returns the bytes consumed, or 0 on error (with
 * a message). */
static size_t
parse_quoted(struct parser *p, long line, const char *s, size_t n,
    char **out, size_t *outlen)
{
	char *buf;
	size_t i, o = 0;

	buf = malloc(n + 1);
	if (buf == NULL) {
		perr(p, line, "out of memory");
		return 0;
	}
	for (i = 1; i < n; i++) {
		if (s[i] == '"') {
			buf[o] = '\0';
			*out = buf;
			*outlen = o;
			return i + 1;
		}
		if (s[i] == '\\') {
			if (i + 1 < n && (s[i + 1] == '\\' || s[i + 1] == '"')) {
				buf[o++] = s[++i];
				continue;
			}
			if (i + 1 < n)
				perr(p, line, "unknown escape '\\%s' in string",
				    excerpt(s + i + 1, 1));
			else
				perr(p, line, "unterminated string");
			free(buf);
			return 0;
		}
		buf[o++] = s[i];
	}
	perr(p, line, "unterminated string");
	free(buf);
	return 0;
}

static int
only_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_space(s[i]))
			return 0;
	return 1;
}

/* Comma-separated hex bytes (whitespace allowed around each, a trailing
 * comma tolerated). */
static int
parse_hex_bytes(struct parser *p, long line, const char *s, size_t n,
    struct regfile_value *v)
{
	unsigned char *data;
	size_t i = 0, o = 0;

	data = malloc(n / 2 + 1);
	if (data == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	while (i < n) {
		size_t start;
		int hi, lo;

		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && s[i] != ',' && !is_space(s[i]))
			i++;
		hi = names_hexval(s[start]);
		lo = i - start == 2 ? names_hexval(s[start + 1]) : 0;
		if (i - start == 1) {
			lo = hi;
			hi = 0;
		}
		if (i - start == 0 || i - start > 2 || hi < 0 || lo < 0) {
			perr(p, line, "invalid byte '%s' in hex data",
			    excerpt(s + start, i - start ? i - start : 1));
			free(data);
			return -1;
		}
		data[o++] = hi << 4 | lo;
		while (i < n && is_space(s[i]))
			i++;
		if (i < n) {
			if (s[i] != ',') {
				perr(p, line, "expected ',' in hex data at "
				    "'%s'", excerpt(s + i, n - i));
				free(data);
				return -1;
			}
			i++;
		}
	}
	v->data = data;
	v->len = o;
	return 0;
}

/* The data after '=' of a value line. */
static int
parse_data(struct parser *p, long line, const char *s, size_t n,
    struct regfile_value *v)
{
	size_t i, k;
	unsigned long type;

	while (n > 0 && is_space(s[n - 1]))
		n--;
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	if (n == 1 && s[0] == '-') {
		v->delete = 1;
		return 0;
	}
	if (n > 0 && s[0] == '"') {
		char *text;
		size_t tlen;

		k = parse_quoted(p, line, s, n, &text, &tlen);
		if (k == 0)
			return -1;
		if (!only_space(s + k, n - k)) {
			perr(p, line, "unexpected text after string: '%s'",
			    excerpt(s + k, n - k));
			free(text);
			return -1;
		}
		/* At most 2 bytes per UTF-8 byte, plus the NUL. */
		v->data = malloc(tlen * 2 + 2);
		if (v->data == NULL) {
			free(text);
			perr(p, line, "out of memory");
			return -1;
		}
		v->len = utf8_to_utf16(text, tlen, v->data);
		v->data[v->len++] = 0;
		v->data[v->len++] = 0;
		v->type = hive_t_REG_SZ;
		free(text);
		return 0;
	}
	if (n >= 6 && strncasecmp(s, "dword:", 6) == 0) {
		unsigned long x = 0;

		for (i = 6; i < n && names_hexval(s[i]) >= 0; i++)
			x = x << 4 | names_hexval(s[i]);
		if (i == 6 || i > 14 || i != n) {
			perr(p, line, "invalid dword '%s'",
			    excerpt(s + 6, n - 6));
			return -1;
		}
		v->data = malloc(4);
		if (v->data == NULL) {
			perr(p, line, "out of memory");
			return -1;
		}
		v->data[0] = x & 0xff;
		v->data[1] = (x >> 8) & 0xff;
		v->data[2] = (x >> 16) & 0xff;
		v->data[3] = (x >> 24) & 0xff;
		v->len = 4;
		v->type = hive_t_REG_DWORD;
		return 0;
	}
	if (n >= 4 && strncasecmp(s, "hex:", 4) == 0) {
		v->type = hive_t_REG_BINARY;
		return parse_hex_bytes(p, line, s + 4, n - 4, v);
	}
	if (n >= 4 && strncasecmp(s, "hex(", 4) == 0) {
		type = 0;
		for (i = 4; i < n && names_hexval(s[i]) >= 0; i++)
			type = type << 4 | names_hexval(s[i]);
		if (i == 4 || i > 12 || i + 1 >= n || s[i] != ')' ||
		    s[i + 1] != ':') {
			perr(p, line, "invalid type in '%s'", excerpt(s, n));
			return -1;
		}
		v->type = type;
		return parse_hex_bytes(p, line, s + i + 2, n - i - 2, v);
	}
	perr(p, line, "unrecognised value data '%s'", excerpt(s, n));
	return -1;
}

static size_t parse_xquoted(struct parser *p, long line, const char *s,
    size_t n, char **out);
static void parse_xkey(struct parser *p, long line, const char *s, size_t n,
    int left);

/* A value line: "name"=data or @=data (KIND 0); the value of a
 * kbfix-value line (1) or a kbfix-left-value line (2), whose name takes
 * the escapes of kbfix lines. */
static void
parse_value_kind(struct parser *p, long line, const char *s, size_t n,
    int kind)
{
	struct regfile_value *v;
	struct regfile_key *key;
	char *name = NULL;
	size_t k, nlen;

	if (p->rf->nkeys == 0) {
		perr(p, line, "value outside a key");
		return;
	}
	key = &p->rf->keys[p->rf->nkeys - 1];
	if (s[0] == '@') {
		name = strdup("");
		k = 1;
		if (name == NULL) {
			perr(p, line, "out of memory");
			return;
		}
	} else if (kind != 0) {
		if (s[0] != '"') {
			perr(p, line, "expected a quoted value name at '%s'",
			    excerpt(s, n));
			return;
		}
		if ((k = parse_xquoted(p, line, s, n, &name)) == 0)
			return;
	} else {
		k = parse_quoted(p, line, s, n, &name, &nlen);
		if (k == 0)
			return;
	}
	while (k < n && is_space(s[k]))
		k++;
	if (k == n || s[k] != '=') {
		perr(p, line, "expected '=' after value name");
		free(name);
		return;
	}
	if ((kind == 2) != (key->left != 0)) {
		perr(p, line, kind == 2 ? "kbfix-left-value line after a key "
		    "that is not a kbfix-left-key" : "value line after a "
		    "kbfix-left-key line");
		free(name);
		return;
	}
	if (key->delete) {
		perr(p, line, "value in a deleted key");
		free(name);
		return;
	}
	if (regfile_name_units(name) > REGFILE_MAX_VALUE_NAME) {
		perr(p, line, "value name of %zu characters: Windows allows %d "
		    "at most", regfile_name_units(name), REGFILE_MAX_VALUE_NAME);
		free(name);
		return;
	}
	v = add_value(p);
	if (v == NULL) {
		perr(p, line, "out of memory");
		free(name);
		return;
	}
	v->name = name;
	v->line = line;
	if (parse_data(p, line, s + k + 1, n - k - 1, v) == -1) {
		/* Drop the value: the caller gets no half-parsed data. */
		free(v->name);
		free(v->data);
		key->nvalues--;
	}
}

static void
parse_value(struct parser *p, long line, const char *s, size_t n)
{
	parse_value_kind(p, line, s, n, 0);
}

/* A "; kbfix-TAG: ..." line (regtext.h).  Tags other than these four
 * belong to undo files (undo.h) and are comments here. */
static void
parse_kbfix(struct parser *p, long line, const char *s, size_t n)
{
	static const struct {
		const char *tag;
		int key, left;
	} tags[] = {
		{ "; kbfix-key:", 1, 0 },
		{ "; kbfix-left-key:", 1, 1 },
		{ "; kbfix-value:", 0, 0 },
		{ "; kbfix-left-value:", 0, 1 },
	};
	size_t i, l;

	for (i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		l = strlen(tags[i].tag);
		if (n < l || memcmp(s, tags[i].tag, l) != 0)
			continue;
		s += l;
		n -= l;
		if (tags[i].key) {
			parse_xkey(p, line, s, n, tags[i].left);
			return;
		}
		while (n > 0 && is_space(*s)) {
			s++;
			n--;
		}
		if (n == 0) {
			perr(p, line, "empty kbfix value line");
			return;
		}
		parse_value_kind(p, line, s, n, tags[i].left ? 2 : 1);
		return;
	}
}

static void
parse_key(struct parser *p, long line, const char *s, size_t n)
{
	char **elems = NULL;
	size_t ne = 0;
	const char *e, *start, *end;
	int del = 0;

	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n < 2 || s[n - 1] != ']') {
		perr(p, line, "unterminated key name: '%s'", excerpt(s, n));
		return;
	}
	s++;
	n -= 2;
	if (n > 0 && s[0] == '-') {
		del = 1;
		s++;
		n--;
	}
	if (n == 0) {
		perr(p, line, "empty key name");
		return;
	}
	/* Key names hold no '\': it separates them. */
	for (start = s, end = s + n; ; s = e + 1) {
		char **nv;

		for (e = s; e < end && *e != '\\'; e++)
			;
		if (e == s) {
			perr(p, line, "empty key name in '%s'",
			    excerpt(start, n));
			elems_free(elems, ne);
			return;
		}
		if ((nv = realloc(elems, (ne + 1) * sizeof *nv)) == NULL ||
		    (nv[ne] = strndup(s, (size_t)(e - s))) == NULL) {
			elems_free(nv ? nv : elems, ne);
			perr(p, line, "out of memory");
			return;
		}
		elems = nv;
		ne++;
		if (e == end)
			break;
	}
	add_key(p, start, n, elems, ne, del, 0, line);
}

size_t
regfile_unquote(const char *s, size_t n, char **out, char *err,
    size_t errsize)
{
	char *buf, *o;
	size_t i;

	*out = NULL;
	if (n == 0 || s[0] != '"') {
		snprintf(err, errsize, "expected a quoted name at '%s'",
		    excerpt(s, n));
		return 0;
	}
	/* An escape never gives more bytes than it takes. */
	if ((o = buf = malloc(n + 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return 0;
	}
	for (i = 1; i < n && s[i] != '"'; i++) {
		unsigned long u = 0, lo = 0;
		int k;

		if (s[i] != '\\') {
			*o++ = s[i];
			continue;
		}
		if (i + 1 < n && (s[i + 1] == '\\' || s[i + 1] == '"')) {
			*o++ = s[++i];
			continue;
		}
		if (i + 1 >= n || s[i + 1] != 'u')
			goto bad_escape;
		for (k = 0; k < 4; k++) {
			if (i + 2 + k >= n || names_hexval(s[i + 2 + k]) < 0)
				goto bad_escape;
			u = u << 4 | (unsigned long)names_hexval(s[i + 2 + k]);
		}
		i += 5;
		/* A high surrogate takes the low one escaped after it. */
		if (u >= 0xd800 && u <= 0xdbff && i + 6 < n &&
		    s[i + 1] == '\\' && s[i + 2] == 'u') {
			for (k = 0; k < 4 && names_hexval(s[i + 3 + k]) >= 0; k++)
				lo = lo << 4 | (unsigned long)names_hexval(s[i + 3 + k]);
			if (k == 4 && lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			}
		}
		if (u == 0) {
			snprintf(err, errsize, "'\\u0000' (NUL) in a name");
			free(buf);
			return 0;
		}
		if (u >= 0xd800 && u <= 0xdfff) {
			snprintf(err, errsize, "unpaired surrogate '\\u%04lx' "
			    "in a name: kbfix cannot hold it", u);
			free(buf);
			return 0;
		}
		o += names_utf8_put((uint32_t)u, o);
	}
	if (i >= n) {
		snprintf(err, errsize, "unterminated string");
		free(buf);
		return 0;
	}
	*o = '\0';
	*out = buf;
	return i + 1;
bad_escape:
	snprintf(err, errsize, "unknown escape '\\%s' in a name: kbfix lines "
	    "take \\\\, \\\" and \\uXXXX",
	    excerpt(s + i + 1, i + 1 < n ? 1 : 0));
	free(buf);
	return 0;
}

/* regfile_unquote with its message in P. */
static size_t
parse_xquoted(struct parser *p, long line, const char *s, size_t n,
    char **out)
{
	char err[200];
	size_t k = regfile_unquote(s, n, out, err, sizeof err);

	if (k == 0)
		perr(p, line, "%s", err);
	return k;
}

/* The elements of a kbfix-key or kbfix-left-key line: [-]"e" "e"... */
static void
parse_xkey(struct parser *p, long line, const char *s, size_t n, int left)
{
	char **elems = NULL, *e;
	size_t ne = 0, k;
	int del = 0;

	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	if (n > 0 && *s == '-') {
		del = 1;
		s++;
		n--;
	}
	while (n > 0) {
		char **nv;

		if (*s != '"') {
			perr(p, line, "expected a quoted key name at '%s'",
			    excerpt(s, n));
			elems_free(elems, ne);
			return;
		}
		if ((k = parse_xquoted(p, line, s, n, &e)) == 0) {
			elems_free(elems, ne);
			return;
		}
		if (*e == '\0' || (nv = realloc(elems, (ne + 1) *
		    sizeof *nv)) == NULL) {
			perr(p, line, *e ? "out of memory" : "empty key name");
			free(e);
			elems_free(elems, ne);
			return;
		}
		elems = nv;
		elems[ne++] = e;
		s += k;
		n -= k;
		if (n > 0 && !is_space(*s)) {
			perr(p, line, "expected a space between key names at "
			    "'%s'", excerpt(s, n));
			elems_free(elems, ne);
			return;
		}
		while (n > 0 && is_space(*s)) {
			s++;
			n--;
		}
	}
	if (ne == 0) {
		perr(p, line, "empty key name");
		return;
	}
	add_key(p, NULL, 0, elems, ne, del, left, line);
}

/* Nonzero if line S (N bytes, trailing blanks removed) is a value whose
 * data is hex and which ends in a continuation backslash. */
static int
continues(const char *s, size_t n)
{
	const char *eq = NULL;
	size_t i;

	if (n == 0 || s[n - 1] != '\\')
		return 0;
	if (s[0] == '@')
		eq = s + 1;
	else if (s[0] == '"') {
		for (i = 1; i < n; i++) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == '"')
				break;
		}
		if (i >= n)
			return 0;
		eq = s + i + 1;
	} else
		return 0;
	while (eq < s + n && is_space(*eq))
		eq++;
	if (eq == s + n || *eq != '=')
		return 0;
	eq++;
	while (eq < s + n && is_space(*eq))
		eq++;
	return (size_t)(s + n - eq) >= 3 && strncasecmp(eq, "hex", 3) == 0;
}

/* Check one physical line: NUL bytes and invalid UTF-8 are errors. */
static int
check_line(struct parser *p, long line, const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t c;

	if (memchr(s, '\0', n) != NULL) {
		perr(p, line, "NUL byte in line");
		return -1;
	}
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		k = names_utf8_get((const unsigned char *)s + i, n - i, &c);
		if (k == 0) {
			perr(p, line, "invalid UTF-8 text");
			return -1;
		}
		i += k;
	}
	return 0;
}

/* Next physical line of TEXT from *POS: start and length without the
 * line end (LF or CRLF).  Returns 0 at the end. */
static int
next_line(const char *text, size_t len, size_t *pos, const char **s,
    size_t *n)
{
	const char *nl;
	size_t start = *pos;

	if (start >= len)
		return 0;
	nl = memchr(text + start, '\n', len - start);
	*s = text + start;
	*n = nl ? (size_t)(nl - *s) : len - start;
	*pos = start + *n + (nl != NULL);
	if (*n > 0 && (*s)[*n - 1] == '\r')
		(*n)--;
	return 1;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

static void
parse_text(struct parser *p, const char *text, size_t len)
{
	size_t pos = 0, n, cn;
	const char *s, *cs;
	long line = 0, first;
	int seen_header = 0, bad;
	char *buf = NULL;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (next_line(text, len, &pos, &s, &n)) {
		line++;
		if (check_line(p, line, s, n) == -1)
			continue;
		trim(&s, &n);
		if (n == 0)
			continue;
		if (!seen_header) {
			if ((n == sizeof HEADER5 - 1 &&
			    memcmp(s, HEADER5, n) == 0) ||
			    (n == sizeof HEADER4 - 1 &&
			    memcmp(s, HEADER4, n) == 0)) {
				seen_header = 1;
				continue;
			}
			perr(p, line, "missing header '%s'", HEADER5);
			return;
		}
		if (s[0] == ';') {
			if (n > 8 && memcmp(s, "; kbfix-", 8) == 0)
				parse_kbfix(p, line, s, n);
			continue;
		}
		if (s[0] == '[') {
			parse_key(p, line, s, n);
			continue;
		}
		if (s[0] != '"' && s[0] != '@') {
			perr(p, line, "unexpected text '%s'", excerpt(s, n));
			continue;
		}
		if (!continues(s, n)) {
			parse_value(p, line, s, n);
			continue;
		}
		/* Join the continuation lines into BUF.  Its size is bounded
		 * by the input's. */
		first = line;
		free(buf);
		buf = malloc(len - (s - text) + 1);
		if (buf == NULL) {
			perr(p, line, "out of memory");
			return;
		}
		memcpy(buf, s, n - 1);
		cn = n - 1;
		bad = 0;
		while (next_line(text, len, &pos, &cs, &n)) {
			line++;
			if (check_line(p, line, cs, n) == -1) {
				bad = 1;
				break;
			}
			trim(&cs, &n);
			if (n > 0 && cs[n - 1] == '\\') {
				memcpy(buf + cn, cs, n - 1);
				cn += n - 1;
				continue;
			}
			memcpy(buf + cn, cs, n);
			cn += n;
			break;
		}
		if (!bad)
			parse_value(p, first, buf, cn);
	}
	free(buf);
	if (!seen_header)
		perr(p, line ? line : 1, "missing header '%s'", HEADER5);
}

int
regfile_parse(const char *text, size_t len, const char *name,
    struct regfile **out, struct diag *d)
{
	struct parser p;
	char *conv = NULL;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.name = name;
	p.d = d;
	p.rf = calloc(1, sizeof *p.rf);
	if (p.rf == NULL)
		return diag_oom(d);
	if (len >= 2 && (unsigned char)text[0] == 0xff &&
	    (unsigned char)text[1] == 0xfe) {
		conv = utf16_to_utf8(&p, (const unsigned char *)text + 2,
		    len - 2, &len);
		if (conv == NULL) {
			diag_oom(d);
			regfile_free(p.rf);
			return -1;
		}
		text = conv;
	}
	parse_text(&p, text, len);
	free(conv);
	if (p.nerrors > 0) {
		regfile_free(p.rf);
		return -1;
	}
	*out = p.rf;
	return 0;
}

int
regfile_parse_file(const char *path, struct regfile **out, struct diag *d)
{
	FILE *f;
	struct stat st;
	char *buf;
	size_t n;
	int r;

	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode)) {
		diag_error(d, NULL, 0, "cannot read '%s': not a file", path);
		fclose(f);
		return -1;
	}
	if ((unsigned long long)st.st_size > REGFILE_MAX_SIZE) {
		diag_error(d, NULL, 0, "cannot read '%s': larger than %lu "
		    "bytes", path, REGFILE_MAX_SIZE);
		fclose(f);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		diag_error(d, NULL, 0, "cannot read '%s': out of memory", path);
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    strerror(errno));
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	r = regfile_parse(buf, n, path, out, d);
	free(buf);
	return r;
}

void
regfile_free(struct regfile *rf)
{
	size_t i, j;

	if (rf == NULL)
		return;
	for (i = 0; i < rf->nkeys; i++) {
		struct regfile_key *k = &rf->keys[i];
		for (j = 0; j < k->nvalues; j++) {
			free(k->values[j].name);
			free(k->values[j].data);
		}
		free(k->values);
		free(k->path);
		elems_free(k->elems, k->nelems);
	}
	free(rf->keys);
	free(rf);
}
