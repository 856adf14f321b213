/* regtext-write.c: .reg text written: names escaped or refused, values
 * in regedit's forms (regtext.h has the rules). */
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
		    REGFILE_MAX_VALUE_NAME)
			return diag_error(d, NULL, 0,
			    "a value of '%s' has a name of "
			    "%zu characters: Windows allows %d at most",
			    k->path, regfile_name_units(k->values[i].name),
			    REGFILE_MAX_VALUE_NAME);
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

			if (line == NULL)
				return diag_oom(d);
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
	if (ferror(f))
		return diag_error(d, NULL, 0, "cannot write: %s",
		    strerror(errno));
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
