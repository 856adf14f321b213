/* draft-items.c: the procedure cut into items, and each item's paths
 * found. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft-int.h"

void
draft_item_free(struct item *it)
{
	size_t i;

	free(it->text);
	free(it->indent);
	free(it->flat);
	for (i = 0; i < it->npaths; i++)
		draft_path_free(&it->paths[i]);
	memset(it, 0, sizeof(*it));
}

/* Length of a step marker at S ("12. ", "a. ", "IV. ", "- "), 0 if
 * none. */
static size_t
marker_len(const char *s)
{
	size_t i = 0;

	if (s[0] == '-' && s[1] == ' ')
		return 2;
	while (isdigit((unsigned char)s[i]) && i < 3)
		i++;
	if (i == 0 && islower((unsigned char)s[0]) && s[1] == '.')
		i = 1;
	if (i == 0)
		while (s[i] == 'I' || s[i] == 'V' || s[i] == 'X')
			i++;
	if (i > 0 && i <= 4 && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ')
		return i + 2;
	return 0;
}

static int
is_dash_rule(const char *s)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (*s == '-') {
		s++;
		n++;
	}
	return *s == '\0' && n >= 3;
}

static int
starts_item(const char *t)
{
	return marker_len(t) > 0 || strncasecmp(t, "NOTE:", 5) == 0 ||
	    strncasecmp(t, "WARNING:", 8) == 0 ||
	    strncasecmp(t, "IMPORTANT:", 10) == 0 ||
	    strncasecmp(t, "CAUTION:", 8) == 0 ||
	    strcasecmp(t, "-or-") == 0 || strcasecmp(t, "-and-") == 0;
}

/* Cut the procedure's lines into items. */
int
draft_items_split(const struct article *a, const struct article_section *sec,
    struct item **out, size_t *nout)
{
	struct item *v = NULL;
	size_t n = 0, i, end = sec->first + sec->n;

	*out = NULL;
	*nout = 0;
	for (i = sec->first; i < end; i++) {
		const char *raw = a->lines[i].text, *t = raw;
		int ind = 0, newitem;
		struct item *it;
		struct dbuf b = { 0 };

		while (*t == ' ') {
			t++;
			ind++;
		}
		if (*t == '\0' || is_dash_rule(t))
			continue;
		newitem = n == 0 || a->lines[i - 1].text[0] == '\0' ||
		    is_dash_rule(a->lines[i - 1].text) || starts_item(t) ||
		    v[n - 1].heading;
		/* A line underlined with dashes is a heading of its own. */
		if (i + 1 < end && is_dash_rule(a->lines[i + 1].text))
			newitem = 1;
		if (!newitem && strlen(v[n - 1].text) > ITEM_MAX)
			newitem = 1;
		if (newitem) {
			struct item *nv = realloc(v, (n + 1) * sizeof(*nv));

			if (nv == NULL)
				goto oom;
			v = nv;
			memset(&v[n], 0, sizeof(v[n]));
			v[n].line = a->lines[i].no;
			/* "- " bullets list notes as often as steps. */
			v[n].numbered = marker_len(t) > 0 && t[0] != '-';
			v[n].heading = i + 1 < end &&
			    is_dash_rule(a->lines[i + 1].text);
			n++;
		}
		it = &v[n - 1];
		{
			int *ni = realloc(it->indent,
			    (it->nlines + 1) * sizeof(*ni));

			if (ni == NULL)
				goto oom;
			it->indent = ni;
			ni[it->nlines++] = ind;
		}
		if (it->text != NULL) {
			dbuf_add(&b, it->text);
			dbuf_addc(&b, '\n');
		}
		dbuf_add(&b, t);
		if (b.oom) {
			free(b.s);
			goto oom;
		}
		free(it->text);
		it->text = b.s;
	}
	*out = v;
	*nout = n;
	return 0;
oom:
	for (i = 0; i < n; i++)
		draft_item_free(&v[i]);
	free(v);
	return -1;
}

/* Drop a word or two the KB printed twice: "set the set the
 * IsDomainMaster value to No" (Q318232), "the the".  Only words of
 * letters: "1 1" or "@0@ @0@" stay. */
static void
undouble(char *s)
{
	size_t k;

	for (k = 1; k <= 2; k++) {
		char *p = s;

		while (*p != '\0') {
			char *a = p, *b = p;
			size_t w, alpha = 1;

			/* the k words at a, then b at the word after them */
			for (w = 0; w < k && *b != '\0'; w++) {
				while (*b != '\0' && *b != ' ') {
					if (!isalpha((unsigned char)*b))
						alpha = 0;
					b++;
				}
				if (*b == ' ')
					b++;
				else
					w = k + 1;
			}
			if (w == k && alpha && b > a &&
			    strncasecmp(a, b, (size_t)(b - a)) == 0 &&
			    (b[b - a] == '\0' || b[b - a - 1] == ' ')) {
				memmove(b, b + (b - a),
				    strlen(b + (b - a)) + 1);
				continue;
			}
			while (*p != '\0' && *p != ' ')
				p++;
			if (*p == ' ')
				p++;
		}
	}
}

/* Find the item's paths and build its flat text. */
int
draft_item_scan(struct item *it, const char *subtree)
{
	const char *t = it->text;
	size_t i = 0, len = strlen(t);
	struct dbuf f = { 0 };
	int r;

	while (i < len) {
		struct path *p = &it->paths[it->npaths];
		int ri = draft_root_at(t, t + i);
		int got = 0;

		if (it->npaths < PATHS_MAX && ri >= 0) {
			if ((r = draft_path_tree(it, i, ri, p)) < 0)
				goto oom;
			if (r == 0 && draft_path_scan(t, i, ri, NULL, p) == -1)
				goto oom;
			got = 1;
		} else if (it->npaths < PATHS_MAX &&
		    (ri = draft_root_glued(t, t + i)) >= 0) {
			if (draft_path_scan(t, i, ri, NULL, p) == -1)
				goto oom;
			p->glued = 1;
			got = 1;
		} else if (it->npaths < PATHS_MAX && subtree != NULL &&
		    draft_at_line_start(t, t + i) && (t[i] == '\\' ||
		    strncasecmp(t + i, "SYSTEM\\", 7) == 0 ||
		    strncasecmp(t + i, "SOFTWARE\\", 9) == 0 ||
		    strncasecmp(t + i, "System/", 7) == 0) &&
		    (i == 0 || t[i - 1] == '\n')) {
			/* "From the HKEY_LOCAL_MACHINE subtree, go to the
			 * following key:" then "\SOFTWARE\..." alone. */
			if (draft_path_scan(t, i, -1, subtree, p) == -1)
				goto oom;
			got = 1;
		}
		if (got) {
			if (p->end <= i)
				p->end = i + 1;
			/* The full stop a path ends its sentence with is the
			 * sentence's: "... from @0@. Then set ..." is two. */
			dbuf_printf(&f, "@%zu@%s", it->npaths, p->end > 0 &&
			    t[p->end - 1] == '.' && !p->colon ? "." : "");
			i = p->end;
			it->npaths++;
			continue;
		}
		if (t[i] == '\n' || t[i] == ' ') {
			if (f.len > 0 && f.s[f.len - 1] != ' ')
				dbuf_addc(&f, ' ');
		} else
			dbuf_addc(&f, t[i]);
		i++;
	}
	if (f.oom)
		goto oom;
	if (f.s == NULL && (f.s = strdup("")) == NULL)
		goto oom;
	{
		char *s = draft_trim(f.s);
		size_t m = marker_len(s);

		it->flat = strdup(s + m);
		free(f.s);
		if (it->flat == NULL)
			return -1;
		undouble(it->flat);
	}
	return 0;
oom:
	free(f.s);
	return -1;
}
