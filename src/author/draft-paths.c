/* draft-paths.c: registry paths, however the KB wrote them. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft-int.h"

static const struct {
	const char *tok;
	const char *root;
} roots[] = {
	{ "HKEY_LOCAL_MACHINE", "HKEY_LOCAL_MACHINE" },
	{ "HKEY_CURRENT_USER", "HKEY_CURRENT_USER" },
	{ "HKEY_CLASSES_ROOT", "HKEY_CLASSES_ROOT" },
	{ "HKEY_USERS", "HKEY_USERS" },
	{ "HKLM", "HKEY_LOCAL_MACHINE" },
	{ "HKCU", "HKEY_CURRENT_USER" },
	{ "HKCR", "HKEY_CLASSES_ROOT" },
	{ "HKU", "HKEY_USERS" },
};

/* The root token at S, or -1.  It must stand alone as a word: the KB's
 * "HKEY_LOCAL_MACHINESYSTEM" typo is not a path here (see root_glued). */
int
draft_root_at(const char *text, const char *s)
{
	size_t i, l;

	if (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
		return -1;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		l = strlen(roots[i].tok);
		if (strncasecmp(s, roots[i].tok, l) == 0 &&
		    !isalnum((unsigned char)s[l]) && s[l] != '_')
			return (int)i;
	}
	return -1;
}

/* Q183769 prints "HKEY_LOCAL_MACHINESYSTEM\currentcontrolset\...": the
 * long root run together with a hive name and followed by a separator is
 * read as the path it plainly is (and the action says so for review).
 * Returns the index of HKEY_LOCAL_MACHINE in roots[], or -1. */
int
draft_root_glued(const char *text, const char *s)
{
	static const char *hives[] = { "SYSTEM", "SOFTWARE" };
	size_t i, l = strlen(roots[0].tok);

	if (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
		return -1;
	if (strncasecmp(s, roots[0].tok, l) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		size_t h = strlen(hives[i]);

		if (strncasecmp(s + l, hives[i], h) == 0 &&
		    (s[l + h] == '\\' || s[l + h] == '/'))
			return 0;
	}
	return -1;
}

int
draft_at_line_start(const char *text, const char *s)
{
	while (s > text && (s[-1] == ' ' || s[-1] == '['))
		s--;
	return s == text || s[-1] == '\n';
}

/* Nonzero if the line at S can be the wrapped rest of a path written alone
 * on its line: KB text wraps long paths at a space ("...\Client
 * Services\n\Remote Control\Parameters", "...\Max\nMIF Size"). */
static int
wrap_continues(const char *s)
{
	const char *e = strchr(s, '\n');
	size_t n = e ? (size_t)(e - s) : strlen(s), i;
	int bs = 0;

	if (n == 0 || n > 48 || !isalnum((unsigned char)s[0]))
		return 0;
	if ((n == 3 && strncasecmp(s, "and", 3) == 0) ||
	    (n == 2 && strncasecmp(s, "or", 2) == 0))
		return 0;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strncasecmp(s, roots[i].tok, strlen(roots[i].tok)) == 0)
			return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == ':' || s[i] == '=' || s[i] == '"' || s[i] == '(')
			return 0;
		if (s[i] == '.' && i + 1 < n && s[i + 1] == ' ')
			return 0;
		if (s[i] == '\\')
			bs = 1;
	}
	/* A sentence ends with '.'; a wrapped path ends with a name (or
	 * with "\." in "...\Installation Properties\."). */
	if (s[n - 1] == '.' && !bs)
		return 0;
	/* "1. ..." is a step, not a name. */
	for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
		;
	if (i > 0 && i < n && (s[i] == '.' || s[i] == ')'))
		return 0;
	return 1;
}

/* Placeholders the KB writes in place of a real name. */
int
draft_placeholder(const char *e)
{
	static const char *words[] = { "servername", "sitecode",
	    "computername", "site code", "xxx", "ccs" };
	size_t i;

	if (strpbrk(e, "<>*?%\"[]") != NULL)
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(e, words[i]) == 0)
			return 1;
	return 0;
}

void
draft_path_free(struct path *p)
{
	free(p->text);
	free(p->last);
	memset(p, 0, sizeof(*p));
}

/* Fill P's canonical text and hive from ROOT and the elements. */
static int
path_finish(struct path *p, const char *root, char **el, size_t n)
{
	struct dbuf b = { 0 };
	size_t i;

	p->nelems = n;
	p->hive = NULL;
	p->why = NULL;
	/* A .reg file exported on a running machine names the control set
	 * it runs, "ControlSet001", where the article means the current
	 * one: offline, CurrentControlSet is the one Select\Current
	 * names (and the action says so for review). */
	p->ccs = n >= 2 && strcasecmp(root, "HKEY_LOCAL_MACHINE") == 0 &&
	    strcasecmp(el[0], "SYSTEM") == 0 && strlen(el[1]) == 13 &&
	    strncasecmp(el[1], "ControlSet", 10) == 0 &&
	    strspn(el[1] + 10, "0123456789") == 3;
	dbuf_add(&b, root);
	for (i = 0; i < n; i++) {
		dbuf_addc(&b, '\\');
		dbuf_add(&b, i == 1 && p->ccs ? "CurrentControlSet" : el[i]);
	}
	if (b.oom) {
		free(b.s);
		return -1;
	}
	p->text = b.s;
	p->last = n > 0 ? strdup(n == 2 && p->ccs ? "CurrentControlSet" :
	    el[n - 1]) : strdup("");
	if (p->last == NULL)
		return -1;
	if (strcmp(root, "HKEY_LOCAL_MACHINE") == 0) {
		static const char *h[] = { "SYSTEM", "SOFTWARE", "SAM",
		    "SECURITY" };

		for (i = 0; n > 0 && i < 4; i++)
			if (strcasecmp(el[0], h[i]) == 0)
				p->hive = h[i];
		if (p->hive == NULL)
			p->why = "the path names no hive below "
			    "HKEY_LOCAL_MACHINE";
	} else if (strcmp(root, "HKEY_CURRENT_USER") == 0) {
		p->hive = "NTUSER";
	} else if (strcmp(root, "HKEY_USERS") == 0) {
		if (n > 0 && strcasecmp(el[0], ".DEFAULT") == 0)
			p->hive = "DEFAULT";
		else
			p->why = "HKEY_USERS path is not .DEFAULT";
	} else
		p->why = "HKEY_CLASSES_ROOT is not a hive file";
	for (i = 0; i < n && p->hive != NULL; i++) {
		if (draft_placeholder(el[i]) || strlen(el[i]) > 255) {
			p->hive = NULL;
			p->why = "the path holds a placeholder";
		}
	}
	return 0;
}

/* Nonzero if the text at S, right after a path that stopped at a space
 * or a line break, is more of the path: a word that holds a separator
 * ("...\Windows" then "NT\CurrentVersion"; '/' too if the path is written
 * with slashes) or a key name in braces ("...\Class" then "{4D36E972-...}").
 * Where the path goes on is then not known: did the wrap eat a space? */
static int
goes_on(const char *text, const char *s, int slash)
{
	size_t n;

	while (*s == ' ')
		s++;
	if (*s == '\n')
		s++;
	while (*s == ' ')
		s++;
	n = strcspn(s, " \n");
	if (n == 0)
		return 0;
	/* Another path: "HKLM\A and\nHKLM\B", "(HKEY_CURRENT_USER\...)". */
	if (*s == '(' || *s == '"')
		s++;
	if (draft_root_at(text, s) >= 0 || draft_root_glued(text, s) >= 0)
		return 0;
	return *s == '{' || memchr(s, '\\', n) != NULL ||
	    (slash && memchr(s, '/', n) != NULL);
}

/* Read the path whose root token is at TEXT+START (ROOTIDX into roots[];
 * -1 when DEFROOT supplies the root for a path written from a subtree).
 * Fills P; returns 0, or -1 on out-of-memory. */
int
draft_path_scan(const char *text, size_t start, int rootidx,
    const char *defroot, struct path *p)
{
	const char *s = text + start, *q;
	const char *root;
	char *el[64];
	size_t nel = 0, i;
	struct dbuf cur = { 0 };
	int block, bracket = 0, rc = -1, ws = 0, slash = 0;

	memset(p, 0, sizeof(*p));
	/* A path alone on its line may hold spaces ("Client Services");
	 * one that only happens to start a wrapped sentence line may not
	 * ("...\Parameters registry\nkey"). */
	block = draft_at_line_start(text, s);
	if (block) {
		const char *l = s;

		while (l > text && l[-1] != '\n')
			l--;
		if (l > text && !(l - 1 > text && l[-2] == ':'))
			block = 0;
	}
	if (block && s > text && s[-1] == '[')
		bracket = 1;
	if (rootidx >= 0) {
		root = roots[rootidx].root;
		q = s + strlen(roots[rootidx].tok);
	} else {
		root = defroot;
		q = s;
	}
	for (;;) {
		char c = *q;

		if (c == '\\' || c == '/') {
			slash |= c == '/';
			if (cur.len > 0 && nel < 64) {
				char *t = draft_trim(cur.s);

				if (*t != '\0' && (el[nel] = strdup(t)) != NULL)
					nel++;
			}
			cur.len = 0;
			if (cur.s)
				cur.s[0] = '\0';
			q++;
			while (*q == ' ')
				q++;
			if (*q == '\n' && q[1] != '\0' && q[1] != '\n') {
				q++;
				while (*q == ' ')
					q++;
			}
			continue;
		}
		if (c == ' ') {
			const char *r = q;

			while (*r == ' ')
				r++;
			if (*r == '\\' || *r == '/') {
				q = r;
				continue;
			}
			if (*r == '\n' || *r == '\0') {
				q = r;
				continue;
			}
			if (block && !bracket && cur.len > 0) {
				dbuf_addc(&cur, ' ');
				q = r;
				continue;
			}
			ws = 1;
			break;
		}
		if (c == '\n') {
			const char *r = q + 1;

			while (*r == ' ')
				r++;
			if (*r == '\\' || *r == '/') {
				q = r;
				continue;
			}
			if (block && !bracket && cur.len > 0 &&
			    wrap_continues(r)) {
				dbuf_addc(&cur, ' ');
				q = r;
				continue;
			}
			ws = 1;
			break;
		}
		if (c == '\0' || c == '"' || c == ']' || c == '(' ||
		    c == ')' || c == ',' || c == ';')
			break;
		if ((c == '.' || c == ':') && (q[1] == ' ' || q[1] == '\n' ||
		    q[1] == '\0' || q[1] == ')')) {
			if (c == ':')
				p->colon = 1;
			q++;
			break;
		}
		dbuf_addc(&cur, c);
		q++;
	}
	if (cur.len > 0 && nel < 64) {
		char *t = draft_trim(cur.s);

		if (*t != '\0' && (el[nel] = strdup(t)) != NULL)
			nel++;
	}
	/* Cut short: see goes_on; a .reg key's bracket never closed. */
	p->cut = (ws && goes_on(text, q, slash)) || (bracket && *q != ']');
	if (bracket && *q == ']')
		q++;
	p->start = start;
	p->block = block;
	p->end = (size_t)(q - text);
	if (!cur.oom && path_finish(p, root, el, nel) == 0)
		rc = 0;
	for (i = 0; i < nel; i++)
		free(el[i]);
	free(cur.s);
	return rc;
}

/* The key of a .reg "[KEY]" line: KEY exactly as written, every
 * character between two separators part of a name, spaces too ("Windows
 * NT").  Fills P (its hive NULL, and why, if the key is no usable path);
 * -1 on out-of-memory. */
int
draft_path_reg(const char *key, struct path *p)
{
	int ri = draft_root_at(key, key), rc;
	const char *s, *e;
	char *el[64];
	size_t nel = 0, i;

	memset(p, 0, sizeof(*p));
	p->why = "a .reg key that is no registry path";
	if (ri < 0)
		return 0;
	s = key + strlen(roots[ri].tok);
	while (*s == '\\') {
		e = s + 1 + strcspn(s + 1, "\\");
		/* "\\" or a trailing '\': not a key regedit would read as
		 * the article means it. */
		if (e == s + 1 || nel == 64)
			break;
		if ((el[nel] = strndup(s + 1, (size_t)(e - s - 1))) ==
		    NULL) {
			for (i = 0; i < nel; i++)
				free(el[i]);
			return -1;
		}
		nel++;
		s = e;
	}
	if (*s != '\0') {
		for (i = 0; i < nel; i++)
			free(el[i]);
		return 0;
	}
	rc = path_finish(p, roots[ri].root, el, nel);
	for (i = 0; i < nel; i++)
		free(el[i]);
	return rc;
}

/* The tree form of Q191742: a root alone on its line, then one element
 * per line, each indented deeper than the one before. */
int
draft_path_tree(struct item *it, size_t start, int rootidx, struct path *p)
{
	const char *text = it->text, *s = text + start;
	char *el[64];
	size_t nel = 0, li = 0, i;
	const char *q;
	int lastind, rc;

	for (q = text; q < s; q++)
		if (*q == '\n')
			li++;
	s += strlen(roots[rootidx].tok);
	if (*s != '\n' || !draft_at_line_start(text, text + start))
		return 0;
	lastind = it->indent[li];
	q = s + 1;
	li++;
	while (li < it->nlines && nel < 64) {
		const char *e = strchr(q, '\n');
		size_t n = e ? (size_t)(e - q) : strlen(q);

		if (it->indent[li] <= lastind || n == 0 ||
		    memchr(q, ' ', n) != NULL || memchr(q, '.', n) != NULL ||
		    memchr(q, ':', n) != NULL)
			break;
		if ((el[nel] = strndup(q, n)) == NULL)
			break;
		nel++;
		lastind = it->indent[li];
		li++;
		q = e ? e + 1 : q + n;
	}
	if (nel < 2) {
		for (i = 0; i < nel; i++)
			free(el[i]);
		return 0;
	}
	memset(p, 0, sizeof(*p));
	p->start = start;
	p->block = 1;
	p->end = (size_t)(q - text);
	if (p->end > 0 && text[p->end - 1] == '\n')
		p->end--;
	rc = path_finish(p, roots[rootidx].root, el, nel);
	for (i = 0; i < nel; i++)
		free(el[i]);
	return rc == 0 ? 1 : -1;
}

/* "NOTE: The above registry key is one path; it has been wrapped for
 * readability": a line left in the item of the path written alone before
 * the note, right after the path, is the rest of the path that could not
 * be joined ("...\Control\Class" then "{4D36E972-...}\0001"), unless it is
 * something else (a "Value Name:" line, a .reg line, another path). */
static void
note_one_path(struct item *prev)
{
	struct path *p;
	const char *s;
	size_t n;

	if (prev->npaths == 0)
		return;
	p = &prev->paths[prev->npaths - 1];
	if (!p->block)
		return;
	for (s = prev->text + p->end; *s == ' ' || *s == '\n'; s++)
		;
	n = strcspn(s, "\n");
	if (n == 0 || memchr(s, ':', n) != NULL || memchr(s, '=', n) != NULL ||
	    *s == '"' || *s == '[' || draft_root_at(prev->text, s) >= 0)
		return;
	p->cut = 1;
}

/* The length of the longest part of B after its first PL bytes that W
 * spells out (separators '\' or '/', case ignored) up to the end of an
 * element of B and the end of a word of W; 0 if none. */
static size_t
spelled(const char *b, size_t pl, const char *w)
{
	size_t j, best = 0;

	for (j = 0; ; j++) {
		char x = b[pl + j], y = w[j];

		if ((x == '\\' || x == '\0') && (y == '\0' || y == ' ' ||
		    y == ',' || y == '.' || y == ';' || y == ')'))
			best = j;
		if (x == '\0' || y == '\0')
			break;
		if (x == '\\' ? (y != '\\' && y != '/') :
		    tolower((unsigned char)x) != tolower((unsigned char)y))
			break;
	}
	return best;
}

/* Make P the path TEXT (a canonical path: root, then elements separated
 * by '\'), keeping where it was written.  -1 on out-of-memory. */
static int
path_reset(struct path *p, char *text)
{
	struct path q = *p;
	char *el[64], *s, *e;
	size_t nel = 0;
	int rc;

	s = strchr(text, '\\');
	*s = '\0';
	while (s != NULL && nel < 64) {
		e = strchr(s + 1, '\\');
		if (e != NULL)
			*e = '\0';
		el[nel++] = s + 1;
		s = e;
	}
	q.text = q.last = NULL;
	rc = path_finish(&q, text, el, nel);
	if (rc == 0) {
		draft_path_free(p);
		*p = q;
	} else {
		free(q.text);
		free(q.last);
	}
	return rc;
}

/* A path inside a sentence ends at the first space: "exist in
 * HKEY_LOCAL_MACHINE/.../Parameters/Script Map delete them" gives
 * ".../Script", and "under the HKLM\...\Windows NT\CurrentVersion key"
 * gives "...\Windows" and a path cut short.  When the same procedure
 * writes the path alone on its lines, where spaces are part of names, and
 * that path continues the cut one with the next words of the sentence,
 * the words join the path.  Nothing is joined on a guess: the article
 * writes the longer path.  A path still cut short after that is unusable:
 * the step that names it stays a comment. */
int
draft_paths_complete(struct item *items, size_t n)
{
	size_t i, j, k, q;

	for (i = 1; i < n; i++)
		if (strcasestr(items[i].text, "is one path") != NULL)
			note_one_path(&items[i - 1]);
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];

		for (k = 0; k < it->npaths; k++) {
			struct path *p = &it->paths[k];
			char tag[32], *at, *w, *t;
			const char *best = NULL;
			size_t bestlen = 0, pl = strlen(p->text), l;

			if ((p->block && !p->cut) || p->hive == NULL)
				continue;
			snprintf(tag, sizeof(tag), "@%zu@", k);
			if ((at = strstr(it->flat, tag)) == NULL)
				continue;
			w = at + strlen(tag);
			for (j = 0; j < n; j++) {
				for (q = 0; q < items[j].npaths; q++) {
					const struct path *b =
					    &items[j].paths[q];

					if (!b->block || b->hive == NULL ||
					    b->cut || strncasecmp(b->text,
					    p->text, pl) != 0 ||
					    b->text[pl] != ' ')
						continue;
					l = spelled(b->text, pl, w);
					if (l > bestlen) {
						best = b->text;
						bestlen = l;
					}
				}
			}
			if (best == NULL)
				continue;
			if ((t = strndup(best, pl + bestlen)) == NULL ||
			    path_reset(p, t) == -1) {
				free(t);
				return -1;
			}
			free(t);
			memmove(w, w + bestlen, strlen(w + bestlen) + 1);
			p->cut = goes_on(it->flat, w, 0);
		}
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < items[i].npaths; k++) {
			struct path *p = &items[i].paths[k];

			if (p->cut && p->hive != NULL) {
				p->hive = NULL;
				p->why = W_CUT;
			}
		}
	}
	return 0;
}
