/* names.c: case-insensitive comparison and globbing of registry names. */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "names.h"

/* Decode one UTF-8 sequence at *S; invalid bytes decode as themselves
 * (0xDC80 + byte, like Python's surrogateescape) so that any name still
 * compares equal to itself only. */
static uint32_t
next_cp(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t c = p[0];
	int n, i;

	if (c < 0x80) {
		*s = p + 1;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 1;
		c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2;
		c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3;
		c &= 0x07;
	} else {
		*s = p + 1;
		return 0xDC00 + p[0];
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*s = p + 1;
			return 0xDC00 + p[0];
		}
		c = (c << 6) | (p[i] & 0x3F);
	}
	*s = p + n + 1;
	return c;
}

static locale_t
utf8_locale(void)
{
	static locale_t loc;
	static int tried;

	if (!tried) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

/* Windows upcases UTF-16 code units; outside the BMP nothing changes.
 * Its table (Microsoft's published "Windows 8 Upper Case Mapping Table")
 * maps a letter only when it is the lowercase of its uppercase: dotless
 * i, long s, micro sign, final sigma and the titlecase digraphs stay
 * themselves, where Unicode's simple mapping (towupper) gives I, S, MU,
 * SIGMA, DZ.  So "ıntel" is not "INTEL" to Windows, nor here. */
static uint32_t
fold(uint32_t c)
{
	locale_t loc;
	wint_t u;

	if (c < 0x80)
		return (c >= 'a' && c <= 'z') ? c - 32 : c;
	if (c > 0xFFFF)
		return c;
	loc = utf8_locale();
	if (loc == (locale_t)0)
		return c;
	u = towupper_l((wint_t)c, loc);
	if (u != (wint_t)c && towlower_l(u, loc) != (wint_t)c)
		return c;
	return (uint32_t)u;
}

uint16_t
names_upcase_unit(uint16_t u)
{
	uint32_t c = fold(u);

	return c > 0xFFFF ? u : (uint16_t)c;
}

int
names_equal(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *q) {
		if (*p < 0x80 && *q < 0x80) {
			if (fold(*p) != fold(*q))
				return 0;
			p++;
			q++;
			continue;
		}
		if (fold(next_cp(&p)) != fold(next_cp(&q)))
			return 0;
	}
	return *p == '\0' && *q == '\0';
}

/* The next UTF-16 code unit of the UTF-8 name at *S, upcased; *LOW holds
 * the low surrogate of a character beyond the BMP until its turn.  0 at
 * the end. */
static uint32_t
next_unit(const unsigned char **s, uint32_t *low)
{
	uint32_t c;

	if (*low != 0) {
		c = *low;
		*low = 0;
		return c;
	}
	if (**s == '\0')
		return 0;
	c = next_cp(s);
	if (c >= 0x10000) {
		*low = 0xDC00 + ((c - 0x10000) & 0x3FF);
		return 0xD800 + ((c - 0x10000) >> 10);
	}
	return names_upcase_unit((uint16_t)c);
}

int
names_order(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	uint32_t lp = 0, lq = 0;

	for (;;) {
		uint32_t x = next_unit(&p, &lp), y = next_unit(&q, &lq);

		if (x != y || x == 0)
			return x < y ? -1 : x > y;
	}
}

int
names_prefix(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na > nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!names_equal(a[i], b[i]))
			return 0;
	return 1;
}

int
names_is_pattern(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

/* Decode S into folded code points; *N gets the count.  Caller frees. */
static uint32_t *
decode(const char *s, size_t *n)
{
	size_t len = strlen(s), i = 0;
	uint32_t *v = malloc((len + 1) * sizeof *v);
	const unsigned char *p = (const unsigned char *)s;

	if (v == NULL)
		return NULL;
	while (*p)
		v[i++] = fold(next_cp(&p));
	*n = i;
	return v;
}

/* names_match on two ASCII strings: the same walk on the bytes, with no
 * decoding and no allocation.  A glob over Services runs it on thousands
 * of names. */
static int
match_ascii(const unsigned char *p, const unsigned char *s)
{
	const unsigned char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (*p == '?' || (*p != '\0' && fold(*p) == fold(*s))) {
			p++;
			s++;
		} else if (*p == '*') {
			star_p = p++;
			star_s = s;
		} else if (star_p != NULL) {
			p = star_p + 1;
			s = ++star_s;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static int
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int
names_match(const char *pattern, const char *name)
{
	size_t np, nn, pi = 0, ni = 0, star_p = (size_t)-1, star_n = 0;
	uint32_t *p, *s;
	int ok = 0;

	if (is_ascii(pattern) && is_ascii(name))
		return match_ascii((const unsigned char *)pattern,
		    (const unsigned char *)name);
	p = decode(pattern, &np);
	s = decode(name, &nn);
	if (p == NULL || s == NULL)
		goto out;
	/* The classic two-pointer glob: on a mismatch after a '*', retry
	 * from one character further; linear-times-linear at worst. */
	while (ni < nn) {
		if (pi < np && (p[pi] == '?' || p[pi] == s[ni])) {
			pi++;
			ni++;
		} else if (pi < np && p[pi] == '*') {
			star_p = pi++;
			star_n = ni;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			ni = ++star_n;
		} else
			goto out;
	}
	while (pi < np && p[pi] == '*')
		pi++;
	ok = pi == np;
out:
	free(p);
	free(s);
	return ok;
}

char *
names_fold(const char *name)
{
	size_t len = strlen(name), o = 0;
	const unsigned char *p = (const unsigned char *)name;
	char *s = malloc(len * 2 + 4);

	if (s == NULL)
		return NULL;
	while (*p) {
		o += names_utf8_put(fold(next_cp(&p)), s + o);
		if (o + 4 > len * 2 + 4)
			break;
	}
	s[o] = '\0';
	return s;
}

size_t
names_utf8_get(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

size_t
names_utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

int
names_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
