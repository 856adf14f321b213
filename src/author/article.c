/* article.c: read a KB article in its page or plain-text form. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"

/* Raw line of the file, before any cleaning. */
struct rawline {
	const char *p;
	size_t len;
};

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 if none. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong three-byte forms and surrogates are not characters XML
	 * accepts; refuse them as well. */
	if (len == 3 && c == 0xe0 && s[1] < 0xa0)
		return 0;
	if (len == 3 && c == 0xed && s[1] >= 0xa0)
		return 0;
	if (len == 4 && c == 0xf0 && s[1] < 0x90)
		return 0;
	if (len == 4 && c == 0xf4 && s[1] >= 0x90)
		return 0;
	return len;
}

/* A copy of N bytes of S where tabs become spaces, other control bytes and
 * bytes that are not UTF-8 become '?', and trailing blanks are dropped:
 * every line can then be written into XML as it is.  Old KB text is
 * Windows-1252 at times (a middle dot written 0xB7); '?' keeps the column
 * count. */
static char *
clean_line(const char *s, size_t n)
{
	char *r = malloc(n + 1);
	size_t i = 0, o = 0, k;

	if (r == NULL)
		return NULL;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t') {
			r[o++] = ' ';
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			r[o++] = '?';
			i++;
		} else if ((k = utf8_seq((const unsigned char *)s + i,
		    n - i)) == 0) {
			r[o++] = '?';
			i++;
		} else {
			memcpy(r + o, s + i, k);
			o += k;
			i += k;
		}
	}
	while (o > 0 && r[o - 1] == ' ')
		o--;
	r[o] = '\0';
	return r;
}

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Nonzero if S (trimmed) is made of C only, at least MIN of them. */
static int
is_rule(const char *s, char c, size_t min)
{
	size_t n = 0;

	s = skip_blanks(s);
	while (*s == c) {
		s++;
		n++;
	}
	s = skip_blanks(s);
	return *s == '\0' && n >= min;
}

/* A section heading: upper-case words, e.g. "MORE INFORMATION". */
static int
is_heading_text(const char *s)
{
	int letters = 0;

	s = skip_blanks(s);
	for (; *s != '\0'; s++) {
		if (isupper((unsigned char)*s))
			letters++;
		else if (*s != ' ' && *s != '/' && *s != '&' && *s != '-')
			return 0;
	}
	return letters >= 3;
}

/* Decode the few HTML entities the page titles use (&quot; &lt; &gt;
 * &amp; &#NN;), in place. */
static void
decode_entities(char *s)
{
	static const struct { const char *ent; char c; } tab[] = {
		{ "&quot;", '"' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&amp;", '&' }, { "&apos;", '\'' },
	};
	char *r = s, *w = s;
	size_t i;

	while (*r != '\0') {
		int done = 0;

		if (*r == '&') {
			for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
				size_t l = strlen(tab[i].ent);

				if (strncmp(r, tab[i].ent, l) == 0) {
					*w++ = tab[i].c;
					r += l;
					done = 1;
					break;
				}
			}
			if (!done && r[1] == '#' && isdigit((unsigned char)r[2])) {
				long v = 0;
				char *q = r + 2;

				while (isdigit((unsigned char)*q) && v < 1000)
					v = v * 10 + (*q++ - '0');
				if (*q == ';' && v >= 0x20 && v < 0x7f) {
					*w++ = (char)v;
					r = q + 1;
					done = 1;
				}
			}
		}
		if (!done)
			*w++ = *r++;
	}
	*w = '\0';
}

static char *
trim_dup(const char *s)
{
	const char *e;

	s = skip_blanks(s);
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return strndup(s, (size_t)(e - s));
}

/* "Q267971: Title" -> "Title"; N receives "Q267971" when present. */
static char *
split_title(const char *t, char **number)
{
	const char *p = t;

	if ((*p == 'Q' || *p == 'q') && isdigit((unsigned char)p[1])) {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == ':') {
			if (*number == NULL)
				*number = strndup(t, (size_t)(p - t));
			return trim_dup(p + 1);
		}
	}
	return trim_dup(t);
}

static int
add_product(struct article *a, const char *s)
{
	char **np;
	char *p;

	p = trim_dup(s);
	if (p == NULL)
		return -1;
	if (*p == '\0' || a->nproducts >= 64) {
		free(p);
		return 0;
	}
	np = realloc(a->products, (a->nproducts + 1) * sizeof(*np));
	if (np == NULL) {
		free(p);
		return -1;
	}
	a->products = np;
	a->products[a->nproducts++] = p;
	return 0;
}

/* "A, B" -> two products.  Product names carry no commas in the
 * archive. */
static int
add_products(struct article *a, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int rc = 0;

	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		if (add_product(a, tok) == -1)
			rc = -1;
	free(copy);
	return rc;
}

/* If S starts with FIELD (e.g. "Article:"), the trimmed rest, else NULL. */
static const char *
field(const char *s, const char *name)
{
	size_t l = strlen(name);

	s = skip_blanks(s);
	if (strncasecmp(s, name, l) != 0)
		return NULL;
	return skip_blanks(s + l);
}

static int
valid_number(const char *s)
{
	size_t i;

	if (s == NULL || (s[0] != 'Q' && s[0] != 'q'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return i >= 2 && i <= 12;
}

static char *
first_token(const char *s)
{
	const char *e;

	s = skip_blanks(s);
	e = s;
	while (*e != '\0' && *e != ' ' && *e != '\t')
		e++;
	return strndup(s, (size_t)(e - s));
}

const struct article_section *
article_section(const struct article *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nsections; i++)
		if (strcasecmp(a->sections[i].name, name) == 0)
			return &a->sections[i];
	return NULL;
}

char *
article_section_text(const struct article *a, const struct article_section *s)
{
	size_t i, first = s->first, last = s->first + s->n, len = 0;
	char *r, *w;

	while (first < last && a->lines[first].text[0] == '\0')
		first++;
	while (last > first && a->lines[last - 1].text[0] == '\0')
		last--;
	for (i = first; i < last; i++)
		len += strlen(a->lines[i].text) + 1;
	r = malloc(len + 1);
	if (r == NULL)
		return NULL;
	w = r;
	for (i = first; i < last; i++) {
		size_t l = strlen(a->lines[i].text);

		memcpy(w, a->lines[i].text, l);
		w += l;
		if (i + 1 < last)
			*w++ = '\n';
	}
	*w = '\0';
	return r;
}

/* Nonzero if the section names a registry root: then its text is a
 * registry procedure even when not headed WORKAROUND. */
static int
section_names_registry(const struct article *a, const struct article_section *s)
{
	size_t i;

	for (i = s->first; i < s->first + s->n; i++) {
		const char *t = a->lines[i].text;

		if (strcasestr(t, "HKEY_") != NULL ||
		    strcasestr(t, "HKLM\\") != NULL ||
		    strcasestr(t, "HKCU\\") != NULL)
			return 1;
	}
	return 0;
}

static void
choose_procedure(struct article *a)
{
	static const char *fallback[] = { "RESOLUTION", "MORE INFORMATION" };
	const struct article_section *s;
	size_t i;

	if ((s = article_section(a, "WORKAROUND")) != NULL) {
		a->procedure = s;
		a->has_workaround = 1;
		return;
	}
	for (i = 0; i < sizeof(fallback) / sizeof(fallback[0]); i++) {
		s = article_section(a, fallback[i]);
		if (s != NULL && section_names_registry(a, s)) {
			a->procedure = s;
			return;
		}
	}
}

void
article_free(struct article *a)
{
	size_t i;

	if (a == NULL)
		return;
	free(a->name);
	free(a->number);
	free(a->title);
	free(a->modified);
	for (i = 0; i < a->nproducts; i++)
		free(a->products[i]);
	free(a->products);
	free(a->symptom);
	for (i = 0; i < a->nlines; i++)
		free(a->lines[i].text);
	free(a->lines);
	for (i = 0; i < a->nsections; i++)
		free(a->sections[i].name);
	free(a->sections);
	free(a);
}

/* Split BUF into raw lines ("\n" or "\r\n"; a NUL byte is just a byte). */
static struct rawline *
split_lines(const char *buf, size_t len, size_t *n)
{
	struct rawline *l;
	size_t cap = 1, i, start = 0, k = 0;

	for (i = 0; i < len; i++)
		if (buf[i] == '\n')
			cap++;
	if (cap > ARTICLE_MAX_LINES)
		return NULL;
	l = calloc(cap, sizeof(*l));
	if (l == NULL)
		return NULL;
	for (i = 0; i <= len; i++) {
		if (i == len || buf[i] == '\n') {
			size_t e = i;

			if (i == len && start == len)
				break;
			if (e > start && buf[e - 1] == '\r')
				e--;
			l[k].p = buf + start;
			l[k].len = e - start;
			k++;
			start = i + 1;
		}
	}
	*n = k;
	return l;
}

static int
push_line(struct article *a, long no, char *text)
{
	struct article_line *nl;

	if (text == NULL)
		return -1;
	nl = realloc(a->lines, (a->nlines + 1) * sizeof(*nl));
	if (nl == NULL) {
		free(text);
		return -1;
	}
	a->lines = nl;
	a->lines[a->nlines].no = no;
	a->lines[a->nlines].text = text;
	a->nlines++;
	return 0;
}

static int
push_section(struct article *a, const char *name, long line)
{
	struct article_section *ns;
	char *nm = trim_dup(name);

	if (nm == NULL)
		return -1;
	ns = realloc(a->sections, (a->nsections + 1) * sizeof(*ns));
	if (ns == NULL) {
		free(nm);
		return -1;
	}
	a->sections = ns;
	ns[a->nsections].name = nm;
	ns[a->nsections].line = line;
	ns[a->nsections].first = a->nlines;
	ns[a->nsections].n = 0;
	a->nsections++;
	return 0;
}

/* The header of the article in CL (NRAW lines): the page form's front
 * matter (PAGE), then the fields, or the plain form's DOCUMENT: lines, up
 * to the first section heading.  Returns the index of the body's first
 * line; *OOM set on out-of-memory. */
/* The list after "The information in this article applies to:" in CL
 * from line I: "- Microsoft Systems Management Server version 2.0", one
 * product and its versions an item, which the Product(s) field has
 * without the versions.  Each item, trimmed, into A's products (those of
 * the field dropped when there are any).  Returns the line after it. */
static size_t
read_applies_to(struct article *a, char **cl, size_t nraw, size_t i,
    int *oom)
{
	size_t n = 0, k;

	for (; i < nraw && cl[i] != NULL && !*oom; i++) {
		const char *t = skip_blanks(cl[i]);

		if (*t == '\0' && n == 0)
			continue;
		if (t[0] != '-' || t[1] != ' ')
			break;
		if (n++ == 0) {
			/* The items replace the field's names. */
			for (k = 0; k < a->nproducts; k++)
				free(a->products[k]);
			a->nproducts = 0;
		}
		if (add_product(a, t + 2) == -1)
			*oom = 1;
	}
	return i;
}

static size_t
read_header(struct article *a, char **cl, size_t nraw, int page, int *oom)
{
	size_t i;

	i = 0;
	if (page && !*oom) {
		for (i = 1; i < nraw && cl[i] != NULL; i++) {
			const char *v;

			if (strcmp(cl[i], "---") == 0) {
				i++;
				break;
			}
			if ((v = field(cl[i], "title:")) != NULL &&
			    a->title == NULL) {
				char *t = trim_dup(v);
				size_t tl;

				if (t == NULL) {
					*oom = 1;
					break;
				}
				tl = strlen(t);
				if (tl >= 2 && t[0] == '"' && t[tl - 1] == '"') {
					memmove(t, t + 1, tl - 2);
					t[tl - 2] = '\0';
				}
				decode_entities(t);
				a->title = split_title(t, &a->number);
				free(t);
			}
		}
	}
	for (; i < nraw && !*oom && cl[i] != NULL; i++) {
		const char *v, *s = cl[i];

		if (is_heading_text(s) && i + 1 < nraw && cl[i + 1] != NULL &&
		    is_rule(cl[i + 1], '=', 3))
			break;
		if ((v = field(s, "Article:")) != NULL) {
			char *num = first_token(v);

			if (valid_number(num)) {
				free(a->number);
				a->number = num;
			} else
				free(num);
		} else if ((v = field(s, "DOCUMENT:")) != NULL) {
			char *num = first_token(v);

			if (valid_number(num) && a->number == NULL)
				a->number = num;
			else
				free(num);
			while (*v != '\0' && *v != ' ')
				v++;
			if (a->modified == NULL && *skip_blanks(v) != '\0' &&
			    *skip_blanks(v) != '[')
				a->modified = first_token(v);
		} else if ((v = field(s, "TITLE   :")) != NULL ||
		    (v = field(s, "TITLE:")) != NULL) {
			if (a->title == NULL)
				a->title = split_title(v, &a->number);
		} else if ((v = field(s, "Product(s):")) != NULL ||
		    (v = field(s, "PRODUCT :")) != NULL ||
		    (v = field(s, "PRODUCT:")) != NULL) {
			if (a->nproducts == 0 && add_products(a, v) == -1)
				*oom = 1;
		} else if ((v = field(s, "Last Modified:")) != NULL) {
			if (a->modified == NULL && *v != '\0')
				a->modified = first_token(v);
		} else if (strcasecmp(skip_blanks(s), "The information in this "
		    "article applies to:") == 0) {
			i = read_applies_to(a, cl, nraw, i + 1, oom) - 1;
		} else if (strncmp(s, "## ", 3) == 0 && a->title == NULL) {
			a->title = split_title(s + 3, &a->number);
		}
	}
	return i;
}

/* The sections of the body, from line BODY of CL (NRAW lines) to the
 * keyword rule; *OOM set on out-of-memory. */
static void
read_sections(struct article *a, char **cl, size_t nraw, size_t body,
    int *oom)
{
	size_t i;
	int ended = 0;

	for (i = body; i < nraw && !*oom && !ended && cl[i] != NULL; i++) {
		const char *s = cl[i];

		if (strncmp(skip_blanks(s), "{% ", 3) == 0)
			continue;
		/* The keyword rule starts the line; a rule inside the text
		 * (under a stack trace's column titles) is indented. */
		if (a->nsections > 0 && ((s[0] == '=' && is_rule(s, '=', 40)) ||
		    field(s, "Additional query words:") != NULL)) {
			ended = 1;
			break;
		}
		if (is_heading_text(s) && i + 1 < nraw && cl[i + 1] != NULL &&
		    is_rule(cl[i + 1], '=', 3)) {
			if (push_section(a, s, (long)i + 1) == -1)
				*oom = 1;
			i++;	/* the underline */
			continue;
		}
		if (a->nsections == 0)
			continue;
		if (push_line(a, (long)i + 1, strdup(s)) == -1)
			*oom = 1;
		else
			a->sections[a->nsections - 1].n++;
	}
}

int
article_parse(const char *text, size_t len, const char *name,
    struct article **out, struct diag *d)
{
	struct article *a;
	struct rawline *raw = NULL;
	size_t nraw = 0, i, body = 0;
	int page = 0, oom = 0;
	char **cl = NULL;

	*out = NULL;
	if (len > ARTICLE_MAX_BYTES)
		return diag_error(d, name, 0, "article is larger than %d bytes",
		    ARTICLE_MAX_BYTES);
	raw = split_lines(text, len, &nraw);
	if (raw == NULL && len > 0)
		return diag_error(d, name, 0, "article has too many lines or "
		    "memory is exhausted");
	a = calloc(1, sizeof(*a));
	cl = calloc(nraw + 1, sizeof(*cl));
	if (a == NULL || cl == NULL || (a->name = strdup(name)) == NULL) {
		diag_oom(d);
		free(raw);
		free(cl);
		article_free(a);
		return -1;
	}
	for (i = 0; i < nraw; i++) {
		const char *p = raw[i].p;
		size_t n = raw[i].len;

		/* The page form indents its whole body by one tab. */
		if (page && n > 0 && p[0] == '\t') {
			p++;
			n--;
		}
		if ((cl[i] = clean_line(p, n)) == NULL) {
			oom = 1;
			break;
		}
		if (i == 0 && strcmp(cl[0], "---") == 0)
			page = 1;
	}

	/* Header: front matter and fields, or DOCUMENT: lines. */
	if (!oom)
		body = read_header(a, cl, nraw, page, &oom);
	/* Body: sections until the keyword rule. */
	if (!oom)
		read_sections(a, cl, nraw, body, &oom);
	for (i = 0; i < nraw; i++)
		free(cl[i]);
	free(cl);
	free(raw);
	if (oom) {
		diag_oom(d);
		article_free(a);
		return -1;
	}
	if (!valid_number(a->number)) {
		diag_error(d, name, 0, "not a KB article: no article number");
		article_free(a);
		return -1;
	}
	if (a->title == NULL && (a->title = strdup("")) == NULL) {
		article_free(a);
		return -1;
	}
	{
		const struct article_section *s = article_section(a, "SYMPTOMS");

		if (s == NULL)
			s = article_section(a, "SYMPTOM");
		if (s == NULL)
			s = article_section(a, "SUMMARY");
		if (s != NULL && (a->symptom = article_section_text(a, s)) ==
		    NULL) {
			article_free(a);
			return -1;
		}
	}
	choose_procedure(a);
	*out = a;
	return 0;
}
