/* regfile.c: .reg files, read, written and merged into a hive.
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
#include "regfile.h"
#include "remedy.h"

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

static struct regfile_key *
add_key(struct parser *p, const char *path, size_t n, int del, long line)
{
	struct regfile *rf = p->rf;
	struct regfile_key *k;

	if (rf->nkeys == p->capkeys) {
		size_t ncap = p->capkeys ? p->capkeys * 2 : 16;
		k = realloc(rf->keys, ncap * sizeof *k);
		if (k == NULL)
			return NULL;
		rf->keys = k;
		p->capkeys = ncap;
	}
	k = &rf->keys[rf->nkeys];
	memset(k, 0, sizeof *k);
	k->path = strndup(path, n);
	if (k->path == NULL)
		return NULL;
	k->delete = del;
	k->line = line;
	rf->nkeys++;
	p->capvalues = 0;
	return k;
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
		v->type = REG_SZ;
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
		v->type = REG_DWORD;
		return 0;
	}
	if (n >= 4 && strncasecmp(s, "hex:", 4) == 0) {
		v->type = REG_BINARY;
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

/* A value line: "name"=data or @=data. */
static void
parse_value(struct parser *p, long line, const char *s, size_t n)
{
	struct regfile_value *v;
	char *name = NULL;
	size_t k, nlen;

	if (p->rf->nkeys == 0) {
		perr(p, line, "value outside a key");
		return;
	}
	if (s[0] == '@') {
		name = strdup("");
		k = 1;
		if (name == NULL) {
			perr(p, line, "out of memory");
			return;
		}
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
	if (p->rf->keys[p->rf->nkeys - 1].delete) {
		perr(p, line, "value in a deleted key");
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
		p->rf->keys[p->rf->nkeys - 1].nvalues--;
	}
}

static void
parse_key(struct parser *p, long line, const char *s, size_t n)
{
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
	if (add_key(p, s, n, del, line) == NULL)
		perr(p, line, "out of memory");
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
		if (s[0] == ';')
			continue;
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
	}
	free(rf->keys);
	free(rf);
}

/* ---------------------------------------------------------------- format */

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

static void
put_quoted(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' || s[i] == '"')
			fputc('\\', f);
		fputc(s[i], f);
	}
	fputc('"', f);
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
		put_quoted(f, name, strlen(name));
	fputc('=', f);
	if (type == REG_SZ && is_text(b, len) &&
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
	} else if (type == REG_DWORD && len == 4) {
		fprintf(f, "dword:%08lx", (unsigned long)b[0] |
		    (unsigned long)b[1] << 8 | (unsigned long)b[2] << 16 |
		    (unsigned long)b[3] << 24);
	} else {
		if (type == REG_BINARY)
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

struct vals {
	hive_set_value *v;
	size_t n, cap;
};

static void
vals_free(struct vals *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++) {
		free(vs->v[i].key);
		free(vs->v[i].value);
	}
	free(vs->v);
	memset(vs, 0, sizeof *vs);
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
	for (i = 0; hv[i] != 0; i++)
		;
	vs->cap = i + 1;
	vs->v = calloc(vs->cap, sizeof *vs->v);
	if (vs->v == NULL) {
		free(hv);
		return -1;
	}
	for (i = 0; hv[i] != 0; i++) {
		hive_set_value *sv = &vs->v[i];
		hive_type t;

		sv->key = hivex_value_key(h, hv[i]);
		if (sv->key == NULL)
			goto fail;
		sv->value = hivex_value_value(h, hv[i], &t, &sv->len);
		if (sv->value == NULL) {
			free(sv->key);
			goto fail;
		}
		sv->t = t;
		vs->n++;
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
	char *copy;
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (names_equal(vs->v[i].key, rv->name)) {
			sv = &vs->v[i];
			break;
		}
	if (rv->delete) {
		if (sv == NULL)
			return 0;
		free(sv->key);
		free(sv->value);
		memmove(sv, sv + 1, (vs->n - i - 1) * sizeof *sv);
		vs->n--;
		return 0;
	}
	copy = malloc(rv->len ? rv->len : 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, rv->data, rv->len);
	if (sv == NULL) {
		if (vs->n == vs->cap) {
			size_t ncap = vs->cap ? vs->cap * 2 : 8;
			hive_set_value *nv = realloc(vs->v, ncap * sizeof *nv);
			if (nv == NULL) {
				free(copy);
				return -1;
			}
			vs->v = nv;
			vs->cap = ncap;
		}
		sv = &vs->v[vs->n];
		sv->key = strdup(rv->name);
		if (sv->key == NULL) {
			free(copy);
			return -1;
		}
		vs->n++;
	} else
		free(sv->value);	/* the name keeps its spelling */
	sv->value = copy;
	sv->len = rv->len;
	sv->t = rv->type;
	return 0;
}

/* The path of K below PREFIX, or NULL (with a message) when K is outside
 * it.  "" is the root. */
static const char *
strip_prefix(const struct regfile_key *k, const char *prefix,
    const char *name, struct diag *d)
{
	size_t n = strlen(prefix);
	char *head;
	int eq;

	if (strlen(k->path) >= n && (k->path[n] == '\0' ||
	    k->path[n] == '\\')) {
		head = strndup(k->path, n);
		if (head == NULL) {
			diag_error(d, name, k->line, "out of memory");
			return NULL;
		}
		eq = names_equal(head, prefix);
		free(head);
		if (eq)
			return k->path[n] ? k->path + n + 1 : k->path + n;
	}
	diag_error(d, name, k->line, "key '%s' is not under '%s'", k->path,
	    prefix);
	return NULL;
}

/* Walk REL ("A\B\C") from the root; create missing keys if CREATE.
 * *OUT is 0 when a key is missing and not created. */
static int
walk(hive_h *h, const char *rel, int create, hive_node_h *out,
    const struct regfile_key *k, const char *name, struct diag *d)
{
	hive_node_h node = hivex_root(h), child;
	const char *s = rel, *e;
	char *part;

	*out = 0;
	if (node == 0) {
		diag_error(d, name, k->line, "cannot read the root key: %s",
		    strerror(errno));
		return -1;
	}
	while (*s != '\0') {
		e = strchr(s, '\\');
		if (e == NULL)
			e = s + strlen(s);
		if (e == s) {
			diag_error(d, name, k->line, "empty key name in '%s'",
			    k->path);
			return -1;
		}
		part = strndup(s, e - s);
		if (part == NULL) {
			diag_error(d, name, k->line, "out of memory");
			return -1;
		}
		if (find_child(h, node, part, &child) == -1) {
			diag_error(d, name, k->line, "cannot read key '%s': %s",
			    k->path, strerror(errno));
			free(part);
			return -1;
		}
		if (child == 0 && !create) {
			free(part);
			return 0;
		}
		if (child == 0) {
			child = hivex_node_add_child(h, node, part);
			if (child == 0) {
				diag_error(d, name, k->line, "cannot create "
				    "key '%s' in '%s': %s", part, k->path,
				    strerror(errno));
				free(part);
				return -1;
			}
		}
		free(part);
		node = child;
		s = *e ? e + 1 : e;
	}
	*out = node;
	return 0;
}

static int
apply_key(hive_h *h, const struct regfile_key *k, const char *prefix,
    const char *name, struct diag *d)
{
	const char *rel;
	hive_node_h node;
	struct vals vs;
	size_t i;

	rel = strip_prefix(k, prefix, name, d);
	if (rel == NULL)
		return -1;
	if (k->delete) {
		if (*rel == '\0') {
			diag_error(d, name, k->line, "cannot delete the root "
			    "key '%s'", k->path);
			return -1;
		}
		if (walk(h, rel, 0, &node, k, name, d) == -1)
			return -1;
		if (node != 0 && hivex_node_delete_child(h, node) == -1) {
			diag_error(d, name, k->line, "cannot delete key "
			    "'%s': %s", k->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (walk(h, rel, 1, &node, k, name, d) == -1)
		return -1;
	if (k->nvalues == 0)
		return 0;
	if (vals_read(h, node, &vs) == -1) {
		diag_error(d, name, k->line, "cannot read the values of '%s': "
		    "%s", k->path, strerror(errno));
		return -1;
	}
	for (i = 0; i < k->nvalues; i++) {
		if (vals_set(&vs, &k->values[i]) == -1) {
			diag_error(d, name, k->values[i].line,
			    "out of memory");
			vals_free(&vs);
			return -1;
		}
	}
	if (hivex_node_set_values(h, node, vs.n, vs.v, 0) == -1) {
		diag_error(d, name, k->line, "cannot set the values of '%s': "
		    "%s", k->path, strerror(errno));
		vals_free(&vs);
		return -1;
	}
	vals_free(&vs);
	return 0;
}

int
regfile_apply(hive_h *h, const struct regfile *rf, const char *prefix,
    const char *name, struct diag *d)
{
	size_t i;
	int r = 0;

	for (i = 0; i < rf->nkeys; i++)
		if (apply_key(h, &rf->keys[i], prefix, name, d) == -1)
			r = -1;
	return r;
}
