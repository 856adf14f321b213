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
	char *msg = NULL;

	p->nerrors++;
	if (p->nerrors > REGFILE_MAX_ERRORS)
		return;
	if (p->nerrors == REGFILE_MAX_ERRORS) {
		diag_error(p->d, p->name, line, "too many errors, giving up");
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diag_error(p->d, p->name, line, "%s", msg ? msg : "out of memory");
	free(msg);
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

static int
is_space(int c)
{
	return c == ' ' || c == '\t';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
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
	strcpy(buf + i, i < n ? "..." : "");
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
		hi = hexval(s[start]);
		lo = i - start == 2 ? hexval(s[start + 1]) : 0;
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

		for (i = 6; i < n && hexval(s[i]) >= 0; i++)
			x = x << 4 | hexval(s[i]);
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
		for (i = 4; i < n && hexval(s[i]) >= 0; i++)
			type = type << 4 | hexval(s[i]);
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
			if (i + 2 + k >= n || hexval(s[i + 2 + k]) < 0)
				goto bad_escape;
			u = u << 4 | (unsigned long)hexval(s[i + 2 + k]);
		}
		i += 5;
		/* A high surrogate takes the low one escaped after it. */
		if (u >= 0xd800 && u <= 0xdbff && i + 6 < n &&
		    s[i + 1] == '\\' && s[i + 2] == 'u') {
			for (k = 0; k < 4 && hexval(s[i + 3 + k]) >= 0; k++)
				lo = lo << 4 | (unsigned long)hexval(s[i + 3 + k]);
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
	if (p.rf == NULL) {
		diag_error(d, name, 0, "out of memory");
		return -1;
	}
	if (len >= 2 && (unsigned char)text[0] == 0xff &&
	    (unsigned char)text[1] == 0xfe) {
		conv = utf16_to_utf8(&p, (const unsigned char *)text + 2,
		    len - 2, &len);
		if (conv == NULL) {
			diag_error(d, name, 0, "out of memory");
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
	if (f == NULL) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
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

/* ---------------------------------------------------------------- format */

/* Characters written "\uXXXX" in names: C0, DEL and C1 controls, and
 * those that break or reorder a line on a screen. */
static int
escaped_cp(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	    c == 0x2029 || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0xfeff;
}

/* S escaped (regtext.h); with QUOTE, '\' and '"' too.  A byte that is
 * not UTF-8 (never in a name: hivex gives UTF-8; in a path, it may) is
 * written "\xHH", which no reader takes for a character. */
static void
put_escaped(FILE *f, const char *s, int quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	uint32_t c;

	while (i < n) {
		if (p[i] < 0x80) {
			c = p[i];
			k = 1;
		} else if ((k = names_utf8_get(p + i, n - i, &c)) == 0) {
			fprintf(f, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (quote && (c == '\\' || c == '"'))
			fputc('\\', f);
		if (escaped_cp(c))
			fprintf(f, "\\u%04lx", (unsigned long)c);
		else
			fwrite(p + i, 1, k, f);
		i += k;
	}
}

void
regfile_put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	put_escaped(f, s, 1);
	fputc('"', f);
}

#define put_quoted regfile_put_quoted

size_t
regfile_name_units(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t n = 0;

	/* A lead byte of 4 starts a character outside the BMP: 2 units. */
	for (; *p; p++)
		if ((*p & 0xc0) != 0x80)
			n += *p >= 0xf0 ? 2 : 1;
	return n;
}

int
regfile_name_plain(const char *name, int key)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p > 0x7e || (key && *p == '\\'))
			return 0;
	return !key || (*name != '\0' &&
	    strstr(name, "Windows Registry Editor Version") == NULL);
}

char *
regfile_escape(const char *name, int quote)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	put_escaped(f, name, quote);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Does key name E need quotes to be shown unambiguously? */
static int
show_quoted(const char *e)
{
	const unsigned char *p = (const unsigned char *)e;
	size_t n = strlen(e), i = 0, k;
	uint32_t c;

	if (*p == '"' || *p == '\0')
		return 1;
	while (i < n) {
		if ((k = names_utf8_get(p + i, n - i, &c)) == 0 ||
		    c == '\\' || escaped_cp(c))
			return 1;
		i += k;
	}
	return 0;
}

char *
regfile_key_show(const char *root, char *const *elems, size_t n)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	if (root != NULL)
		fputs(root, f);
	for (i = 0; i < n; i++) {
		if (i > 0 || root != NULL)
			fputc('\\', f);
		if (show_quoted(elems[i]))
			put_quoted(f, elems[i]);
		else
			fputs(elems[i], f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void
regfile_put_comment(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL, *esc;
	size_t n;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	esc = text ? regfile_escape(text, 0) : NULL;
	free(text);
	if (esc == NULL) {
		fputs(";\n", f);	/* out of memory: f reports it */
		return;
	}
	/* hivexregedit joins a line ending in '\' (and blanks) with the
	 * next: that line would vanish into the comment. */
	n = strlen(esc);
	while (n > 0 && is_space(esc[n - 1]))
		n--;
	if (n > 0 && esc[n - 1] == '\\')
		fprintf(f, "; %.*s\\u005c\n", (int)(n - 1), esc);
	else
		fprintf(f, "; %.*s\n", (int)n, esc);
	free(esc);
}

/* Is the UTF-16LE text B (with its NUL) printable ASCII only? */
static int
is_ascii(const unsigned char *b, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 2)
		if (b[i + 1] != 0 || b[i] < 0x20 || b[i] > 0x7e)
			return 0;
	return 1;
}

/* Nonzero when DATA is UTF-16LE text with exactly one NUL, at the end, no
 * unpaired surrogate and no line end (which would break the line).  Only
 * then does "text" give the same bytes back. */
static int
is_text(const unsigned char *data, size_t len)
{
	size_t i;

	if (len < 2 || len % 2 || data[len - 2] != 0 || data[len - 1] != 0)
		return 0;
	for (i = 0; i + 2 < len; i += 2) {
		unsigned c = data[i] | data[i + 1] << 8;
		if (c == 0 || c == '\r' || c == '\n')
			return 0;
		if (c >= 0xdc00 && c <= 0xdfff)
			return 0;
		if (c >= 0xd800 && c <= 0xdbff) {
			unsigned c2;
			if (i + 4 >= len)
				return 0;
			c2 = data[i + 2] | data[i + 3] << 8;
			if (c2 < 0xdc00 || c2 > 0xdfff)
				return 0;
			i += 2;
		}
	}
	return 1;
}

char *
regfile_format_value(const char *name, uint32_t type, const void *data,
    size_t len, unsigned flags)
{
	const unsigned char *b = data;
	char *buf = NULL;
	size_t blen = 0, i;
	FILE *f;

	f = open_memstream(&buf, &blen);
	if (f == NULL)
		return NULL;
	if (name[0] == '\0')
		fputc('@', f);
	else
		put_quoted(f, name);
	fputc('=', f);
	if (flags & REGFILE_DELETE) {
		fputc('-', f);
	} else if (type == hive_t_REG_SZ && is_text(b, len) &&
	    (!(flags & REGFILE_ASCII_SZ) || is_ascii(b, len))) {
		char u[4];
		size_t k;

		fputc('"', f);
		for (i = 0; i + 2 < len; i += 2) {
			unsigned long c = b[i] | b[i + 1] << 8;
			if (c >= 0xd800 && c <= 0xdbff) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    ((b[i + 2] | b[i + 3] << 8) - 0xdc00);
				i += 2;
			}
			k = names_utf8_put(c, u);
			if (c == '\\' || c == '"')
				fputc('\\', f);
			fwrite(u, 1, k, f);
		}
		fputc('"', f);
	} else if (type == hive_t_REG_DWORD && len == 4) {
		fprintf(f, "dword:%08lx", (unsigned long)b[0] |
		    (unsigned long)b[1] << 8 | (unsigned long)b[2] << 16 |
		    (unsigned long)b[3] << 24);
	} else {
		if (type == hive_t_REG_BINARY)
			fputs("hex:", f);
		else
			fprintf(f, "hex(%lx):", (unsigned long)type);
		for (i = 0; i < len; i++)
			fprintf(f, i ? ",%02x" : "%02x", b[i]);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}


/* The elements of a key line of a kbfix line: [-]"e" "e"... */
static void
put_xkey(FILE *f, const struct regfile_key *k)
{
	size_t i;

	if (k->delete)
		fputc('-', f);
	for (i = 0; i < k->nelems; i++) {
		if (i)
			fputc(' ', f);
		put_quoted(f, k->elems[i]);
	}
}

/* Refuse a name Windows would: the undo file kbfix writes is one it
 * reads back. */
static int
check_limits(const struct regfile_key *k, struct diag *d)
{
	size_t i;
	char *e;

	for (i = 0; i < k->nelems; i++)
		if (regfile_name_units(k->elems[i]) > REGFILE_MAX_KEY_NAME) {
			e = regfile_key_show(NULL, k->elems, i + 1);
			diag_error(d, NULL, 0, "key '%s' has a name of %zu "
			    "characters: Windows allows %d at most", e ? e :
			    "?", regfile_name_units(k->elems[i]),
			    REGFILE_MAX_KEY_NAME);
			free(e);
			return -1;
		}
	for (i = 0; i < k->nvalues; i++)
		if (regfile_name_units(k->values[i].name) >
		    REGFILE_MAX_VALUE_NAME) {
			diag_error(d, NULL, 0, "a value of '%s' has a name of "
			    "%zu characters: Windows allows %d at most",
			    k->path, regfile_name_units(k->values[i].name),
			    REGFILE_MAX_VALUE_NAME);
			return -1;
		}
	return 0;
}

int
regfile_write(FILE *f, const struct regfile *rf, struct diag *d)
{
	size_t i, j;

	for (i = 0; i < rf->nkeys; i++) {
		const struct regfile_key *k = &rf->keys[i];
		int plain = !k->left;

		if (check_limits(k, d) < 0)
			return -1;
		for (j = 0; plain && j < k->nelems; j++)
			plain = regfile_name_plain(k->elems[j], 1);
		if (k->left) {
			fputs("; kbfix-left-key: ", f);
			put_xkey(f, k);
		} else if (plain) {
			fputs(k->delete ? "[-" : "[", f);
			for (j = 0; j < k->nelems; j++)
				fprintf(f, "%s%s", j ? "\\" : "", k->elems[j]);
			fputc(']', f);
		} else {
			fputs("; kbfix-key: ", f);
			put_xkey(f, k);
		}
		fputc('\n', f);
		for (j = 0; j < k->nvalues; j++) {
			const struct regfile_value *v = &k->values[j];
			char *line = regfile_format_value(v->name, v->type,
			    v->data, v->len, REGFILE_ASCII_SZ |
			    (v->delete ? REGFILE_DELETE : 0));

			if (line == NULL) {
				diag_error(d, NULL, 0, "out of memory");
				return -1;
			}
			/* Once a value needs a kbfix line, those after it
			 * take one too (regtext.h). */
			if (plain && !regfile_name_plain(v->name, 0))
				plain = 0;
			fprintf(f, "%s%s\n", k->left ? "; kbfix-left-value: " :
			    plain ? "" : "; kbfix-value: ", line);
			free(line);
		}
		fputc('\n', f);
	}
	if (ferror(f)) {
		diag_error(d, NULL, 0, "cannot write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
same_value(const struct regfile_value *a, const struct regfile_value *b)
{
	return strcmp(a->name, b->name) == 0 && a->delete == b->delete &&
	    (a->delete || (a->type == b->type && a->len == b->len &&
	    (a->len == 0 || memcmp(a->data, b->data, a->len) == 0)));
}

int
regfile_equal(const struct regfile *a, const struct regfile *b,
    size_t *where)
{
	size_t i, j;

	*where = 0;
	for (i = 0; i < a->nkeys && i < b->nkeys; i++) {
		const struct regfile_key *x = &a->keys[i];
		const struct regfile_key *y = &b->keys[i];

		*where = i;
		if (x->delete != y->delete ||
		    x->left != y->left || x->nelems != y->nelems ||
		    x->nvalues != y->nvalues)
			return 0;
		for (j = 0; j < x->nelems; j++)
			if (strcmp(x->elems[j], y->elems[j]) != 0)
				return 0;
		for (j = 0; j < x->nvalues; j++)
			if (!same_value(&x->values[j], &y->values[j]))
				return 0;
	}
	*where = i;
	if (a->nkeys != b->nkeys)
		return 0;
	*where = 0;
	return 1;
}

/* ---------------------------------------------------------------- apply */

/* The child of NODE named NAME as Windows finds it (case-insensitive), 0
 * if there is none, or -1 with errno. */
static int
find_child(hive_h *h, hive_node_h node, const char *name, hive_node_h *out)
{
	hive_node_h *kids;
	size_t i;

	*out = 0;
	kids = hivex_node_children(h, node);
	if (kids == NULL)
		return -1;
	for (i = 0; kids[i] != 0; i++) {
		char *kn = hivex_node_name(h, kids[i]);
		int eq;

		if (kn == NULL) {
			free(kids);
			return -1;
		}
		eq = names_equal(kn, name);
		free(kn);
		if (eq) {
			*out = kids[i];
			break;
		}
	}
	free(kids);
	return 0;
}

/* The values of one key being edited, kept until they are written back
 * in one hivex_node_set_values: hivex writes every value of the key anew
 * on each call and never reuses the cells it frees, so n changes to a
 * key's values made one call each would cost O(n^2) in time and file
 * size (4,000 values set one by one grew a hive by 298 MB).  Names are
 * found through a hash of their upcased spelling; a deleted value keeps
 * its slot (KEY NULL) until the values are written. */
struct vals {
	hive_set_value *v;
	char **fold;		/* names_fold of each name */
	size_t n, cap;
	size_t *tab;		/* index + 1 of V, 0 for a free slot */
	size_t tabsize;		/* a power of 2, more than twice N */
};

static void
vals_free(struct vals *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++) {
		free(vs->v[i].key);
		free(vs->v[i].value);
		free(vs->fold[i]);
	}
	free(vs->v);
	free(vs->fold);
	free(vs->tab);
	memset(vs, 0, sizeof *vs);
}

static size_t
hash_name(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The slot of FOLD in VS's table: the one holding it, or the free one
 * where it goes. */
static size_t
vals_slot(const struct vals *vs, const char *fold)
{
	size_t m = vs->tabsize - 1, i = hash_name(fold) & m;

	while (vs->tab[i] != 0 && strcmp(vs->fold[vs->tab[i] - 1], fold) != 0)
		i = (i + 1) & m;
	return i;
}

/* Room for one more value: the arrays, and the table rebuilt larger when
 * it is half full. */
static int
vals_grow(struct vals *vs)
{
	size_t i;

	if (vs->n == vs->cap) {
		size_t ncap = vs->cap ? vs->cap * 2 : 16;
		hive_set_value *nv = realloc(vs->v, ncap * sizeof *nv);
		char **nf;

		if (nv == NULL)
			return -1;
		vs->v = nv;
		if ((nf = realloc(vs->fold, ncap * sizeof *nf)) == NULL)
			return -1;
		vs->fold = nf;
		vs->cap = ncap;
	}
	if ((vs->n + 1) * 2 >= vs->tabsize) {
		size_t nsize = vs->tabsize ? vs->tabsize * 2 : 32;
		size_t *nt = calloc(nsize, sizeof *nt);

		if (nt == NULL)
			return -1;
		free(vs->tab);
		vs->tab = nt;
		vs->tabsize = nsize;
		for (i = 0; i < vs->n; i++)
			vs->tab[vals_slot(vs, vs->fold[i])] = i + 1;
	}
	return 0;
}

/* Add NAME (taken over) with VALUE (taken over) at the end.  Returns 0,
 * or -1 (both freed). */
static int
vals_add(struct vals *vs, char *name, char *value, size_t len, hive_type t)
{
	char *fold = names_fold(name);

	if (fold == NULL || vals_grow(vs) < 0) {
		free(fold);
		free(name);
		free(value);
		return -1;
	}
	vs->v[vs->n].key = name;
	vs->v[vs->n].value = value;
	vs->v[vs->n].len = len;
	vs->v[vs->n].t = t;
	vs->fold[vs->n] = fold;
	vs->tab[vals_slot(vs, fold)] = vs->n + 1;
	vs->n++;
	return 0;
}

/* Every value of NODE, name, type and bytes as they are. */
static int
vals_read(hive_h *h, hive_node_h node, struct vals *vs)
{
	hive_value_h *hv;
	size_t i;

	memset(vs, 0, sizeof *vs);
	hv = hivex_node_values(h, node);
	if (hv == NULL)
		return -1;
	for (i = 0; hv[i] != 0; i++) {
		hive_type t;
		size_t len;
		char *key = hivex_value_key(h, hv[i]), *value;

		if (key == NULL)
			goto fail;
		value = hivex_value_value(h, hv[i], &t, &len);
		if (value == NULL) {
			free(key);
			goto fail;
		}
		if (vals_add(vs, key, value, len, t) < 0)
			goto fail;
	}
	free(hv);
	return 0;
fail:
	free(hv);
	vals_free(vs);
	return -1;
}

static int
vals_set(struct vals *vs, const struct regfile_value *rv)
{
	hive_set_value *sv = NULL;
	char *copy, *fold = names_fold(rv->name);
	size_t i;

	if (fold == NULL || vals_grow(vs) < 0) {
		free(fold);
		return -1;
	}
	i = vals_slot(vs, fold);
	free(fold);
	if (vs->tab[i] != 0)
		sv = &vs->v[vs->tab[i] - 1];
	if (rv->delete) {
		if (sv == NULL || sv->key == NULL)
			return 0;
		/* The slot stays, for a set of the same name after. */
		free(sv->key);
		free(sv->value);
		sv->key = sv->value = NULL;
		return 0;
	}
	copy = malloc(rv->len ? rv->len : 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, rv->data, rv->len);
	if (sv == NULL) {
		char *name = strdup(rv->name);

		if (name == NULL) {
			free(copy);
			return -1;
		}
		return vals_add(vs, name, copy, rv->len, rv->type);
	}
	/* A name being set again keeps the spelling the hive has: a
	 * deleted one takes the new spelling, as Windows would. */
	if (sv->key == NULL && (sv->key = strdup(rv->name)) == NULL) {
		free(copy);
		return -1;
	}
	free(sv->value);
	sv->value = copy;
	sv->len = rv->len;
	sv->t = rv->type;
	return 0;
}

/* Write VS as NODE's values: one hivex_node_set_values for them all. */
static int
vals_write(hive_h *h, hive_node_h node, struct vals *vs)
{
	size_t i, o = 0;

	/* The deleted ones leave: the others keep their order. */
	for (i = 0; i < vs->n; i++)
		if (vs->v[i].key != NULL) {
			hive_set_value tmp = vs->v[i];
			char *f = vs->fold[i];

			vs->v[i] = vs->v[o];
			vs->fold[i] = vs->fold[o];
			vs->v[o] = tmp;
			vs->fold[o] = f;
			o++;
		}
	return hivex_node_set_values(h, node, o, vs->v, 0);
}

/* The elements of K below PREFIX (split at '\'), or -1 (with a message)
 * when K is outside it.  Returns the count of PREFIX's elements. */
static long
strip_prefix(const struct regfile_key *k, const char *prefix,
    const char *name, struct diag *d)
{
	const char *s = prefix, *e;
	size_t i = 0;

	for (; *s != '\0'; s = *e ? e + 1 : e, i++) {
		char *head;
		int eq;

		e = strchr(s, '\\');
		if (e == NULL)
			e = s + strlen(s);
		if (i >= k->nelems)
			break;
		if ((head = strndup(s, (size_t)(e - s))) == NULL) {
			diag_error(d, name, k->line, "out of memory");
			return -1;
		}
		eq = names_equal(head, k->elems[i]);
		free(head);
		if (!eq)
			break;
	}
	if (*s == '\0')
		return (long)i;
	diag_error(d, name, k->line, "key '%s' is not under '%s'", k->path,
	    prefix);
	return -1;
}

/* Walk ELEMS[0..N) from the root; create missing keys if CREATE.  *OUT
 * is 0 when a key is missing and not created. */
static int
walk(hive_h *h, char *const *elems, size_t n, int create, hive_node_h *out,
    const struct regfile_key *k, const char *name, struct diag *d)
{
	hive_node_h node = hivex_root(h), child;
	size_t i;

	*out = 0;
	if (node == 0) {
		diag_error(d, name, k->line, "cannot read the root key: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (find_child(h, node, elems[i], &child) == -1) {
			diag_error(d, name, k->line, "cannot read key '%s': %s",
			    k->path, strerror(errno));
			return -1;
		}
		if (child == 0 && !create)
			return 0;
		if (child == 0) {
			child = hivex_node_add_child(h, node, elems[i]);
			if (child == 0) {
				char *e = regfile_escape(elems[i], 0);

				diag_error(d, name, k->line, "cannot create "
				    "key '%s' in '%s': %s", e ? e : "?",
				    k->path, strerror(errno));
				free(e);
				return -1;
			}
		}
		node = child;
	}
	*out = node;
	return 0;
}

/* The key whose values are being edited (struct vals). */
struct pending {
	hive_node_h node;	/* 0: none */
	struct vals vs;
	const struct regfile_key *k;
};

static int
flush(hive_h *h, struct pending *pd, const char *name, struct diag *d)
{
	int r = 0;

	if (pd->node == 0)
		return 0;
	if (vals_write(h, pd->node, &pd->vs) == -1) {
		diag_error(d, name, pd->k->line, "cannot set the values of "
		    "'%s': %s", pd->k->path, strerror(errno));
		r = -1;
	}
	vals_free(&pd->vs);
	pd->node = 0;
	return r;
}

static int
apply_key(hive_h *h, const struct regfile_key *k, const char *prefix,
    struct pending *pd, const char *name, struct diag *d)
{
	long skip;
	hive_node_h node;
	size_t i;

	if (k->left)
		return 0;	/* what the hive holds, not a change */
	if ((skip = strip_prefix(k, prefix, name, d)) < 0)
		return -1;
	if (k->delete) {
		if ((size_t)skip == k->nelems) {
			diag_error(d, name, k->line, "cannot delete the root "
			    "key '%s'", k->path);
			return -1;
		}
		/* The values of a key being edited go first: it may be
		 * below this one. */
		if (flush(h, pd, name, d) < 0)
			return -1;
		if (walk(h, k->elems + skip, k->nelems - (size_t)skip, 0,
		    &node, k, name, d) == -1)
			return -1;
		if (node != 0 && hivex_node_delete_child(h, node) == -1) {
			diag_error(d, name, k->line, "cannot delete key "
			    "'%s': %s", k->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (walk(h, k->elems + skip, k->nelems - (size_t)skip, 1, &node, k,
	    name, d) == -1)
		return -1;
	if (k->nvalues == 0)
		return 0;
	if (pd->node != node && flush(h, pd, name, d) < 0)
		return -1;
	if (pd->node == 0) {
		if (vals_read(h, node, &pd->vs) == -1) {
			diag_error(d, name, k->line, "cannot read the values "
			    "of '%s': %s", k->path, strerror(errno));
			return -1;
		}
		pd->node = node;
	}
	pd->k = k;
	for (i = 0; i < k->nvalues; i++)
		if (vals_set(&pd->vs, &k->values[i]) == -1) {
			diag_error(d, name, k->values[i].line,
			    "out of memory");
			return -1;
		}
	return 0;
}

int
regfile_apply(hive_h *h, const struct regfile *rf, const char *prefix,
    const char *name, struct diag *d)
{
	struct pending pd;
	size_t i;
	int r = 0;

	memset(&pd, 0, sizeof pd);
	/* Consecutive keys that are the same key (an undo file writes one
	 * block per value) share one write of its values. */
	for (i = 0; i < rf->nkeys; i++)
		if (apply_key(h, &rf->keys[i], prefix, &pd, name, d) == -1) {
			r = -1;
			break;
		}
	if (flush(h, &pd, name, d) < 0)
		r = -1;
	vals_free(&pd.vs);
	return r;
}
