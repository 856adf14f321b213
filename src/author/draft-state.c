/* draft-state.c: what the drafter knows as it reads the items (the key
 * located, the values selected) and the actions it has drafted. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft-int.h"

void
draft_set_str(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

void
draft_values_clear(struct state *st)
{
	size_t i;

	for (i = 0; i < st->nvalues; i++)
		free(st->values[i]);
	st->nvalues = 0;
}

/* Select the one value NAME (owned; NULL selects none). */
void
draft_value_set1(struct state *st, char *name)
{
	draft_values_clear(st);
	if (name != NULL)
		st->values[st->nvalues++] = name;
}

void
draft_value_add(struct state *st, char *name)
{
	if (name == NULL) {
		st->oom = 1;
		return;
	}
	if (st->nvalues < VALUES_MAX)
		st->values[st->nvalues++] = name;
	else
		free(name);
}

/* The one selected value, or NULL when none or several are selected. */
const char *
draft_value1(const struct state *st)
{
	return st->nvalues == 1 ? st->values[0] : NULL;
}

/* Note why the current item cannot be translated (the first reason
 * found wins) and return -1, the "untranslated" result. */
int
draft_fail(struct state *st, const char *why)
{
	if (st->why == NULL)
		st->why = why;
	return -1;
}

void
draft_add_hive(struct state *st, const char *h)
{
	size_t i;

	for (i = 0; i < st->nhives; i++)
		if (strcmp(st->hives[i], h) == 0)
			return;
	if (st->nhives < 8)
		st->hives[st->nhives++] = h;
}

static int
act_same(const struct act *x, const struct act *y)
{
	return x->kind == y->kind &&
	    strcasecmp(x->path, y->path) == 0 &&
	    ((x->name == NULL && y->name == NULL) ||
	    (x->name && y->name && strcasecmp(x->name, y->name) == 0)) &&
	    ((x->data == NULL && y->data == NULL) ||
	    (x->data && y->data && (strcmp(x->data, y->data) == 0 ||
	    (x->type && y->type && strcmp(x->type, "dword") == 0 &&
	    strcmp(y->type, "dword") == 0 &&
	    strtoul(x->data, NULL, 0) == strtoul(y->data, NULL, 0)))));
}

void
draft_emit_act(struct state *st, struct act *a)
{
	size_t i;

	for (i = 0; i < st->nacts; i++) {
		if (act_same(&st->acts[i], a)) {
			free(a->path);
			free(a->name);
			free(a->data);
			free(a->to);
			return;
		}
	}
	if (st->nacts >= ACTIONS_MAX) {
		free(a->path);
		free(a->name);
		free(a->data);
		free(a->to);
		return;
	}
	if (a->path == NULL || (a->kind != A_RENAME_FILE &&
	    a->kind != A_DELETE_KEY && a->kind != A_CREATE_KEY &&
	    a->name == NULL)) {
		st->oom = 1;
		free(a->path);
		free(a->name);
		free(a->data);
		free(a->to);
		return;
	}
	st->acts[st->nacts++] = *a;
	draft_write_act(st, a);
}

/* Registry data as written -> type and data, or -1 if it is not one
 * exact datum.  *NOTE gets a review note when the type is inferred. */
int
draft_parse_data(const char *w, const char *typed, const char **type,
    char **data, const char **note)
{
	size_t n = strlen(w);
	char *e;

	*note = NULL;
	if (n >= 2 && w[0] == '"' && w[n - 1] == '"') {
		if (typed != NULL && strcmp(typed, "dword") == 0) {
			unsigned long v;

			errno = 0;
			v = strtoul(w + 1, &e, 0);
			if (e == w + 1 || *e != '"' || v > 0xffffffffUL)
				return -1;
		}
		*data = strndup(w + 1, n - 2);
		*type = typed ? typed : "sz";
		if (typed == NULL)
			*note = "type sz inferred from quoted data";
		return *data ? 0 : -1;
	}
	if (n > 0 && (w[n - 1] == '.' || w[n - 1] == ':'))
		n--;
	if (n == 0)
		return -1;
	if (isdigit((unsigned char)w[0])) {
		char *num = strndup(w, n);
		unsigned long long v;

		if (num == NULL)
			return -1;
		errno = 0;
		v = strtoull(num, &e, 0);
		if (*e != '\0' || v > 0xffffffffULL || (typed != NULL &&
		    strcmp(typed, "dword") != 0 && strcmp(typed, "sz") != 0)) {
			free(num);
			return -1;
		}
		*data = num;
		*type = typed ? typed : "dword";
		if (typed == NULL)
			*note = "type dword inferred from numeric data";
		return 0;
	}
	/* A bare word ("No", "IP") is data only for a string type. */
	{
		size_t i;

		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)w[i]) && w[i] != '_' &&
			    w[i] != '-')
				return -1;
		if (typed != NULL && strcmp(typed, "sz") != 0 &&
		    strcmp(typed, "expand-sz") != 0)
			return -1;
		*data = strndup(w, n);
		*type = typed ? typed : "sz";
		if (typed == NULL)
			*note = "type sz inferred from a word as data";
		return *data ? 0 : -1;
	}
}

const char *
draft_type_name(const char *reg)
{
	if (reg == NULL || *reg == '\0')
		return NULL;
	if (strcasecmp(reg, "reg_sz") == 0 || strcasecmp(reg, "string") == 0)
		return "sz";
	if (strcasecmp(reg, "reg_expand_sz") == 0)
		return "expand-sz";
	if (strcasecmp(reg, "reg_multi_sz") == 0)
		return "multi-sz";
	if (strcasecmp(reg, "reg_dword") == 0 || strcasecmp(reg, "dword") == 0)
		return "dword";
	if (strcasecmp(reg, "reg_binary") == 0)
		return "binary";
	return NULL;
}

/* Set the current key from a usable path; VALUE_LAST: its last element is
 * a value name. */
void
draft_set_key(struct state *st, const struct path *p, int value_last)
{
	if (p->hive == NULL || p->nelems < 1) {
		draft_set_str(&st->key, NULL);
		st->key_hive = NULL;
		return;
	}
	if (value_last && p->nelems >= 2) {
		char *k = strdup(p->text), *bs;

		if (k != NULL && (bs = strrchr(k, '\\')) != NULL)
			*bs = '\0';
		draft_set_str(&st->key, k);
		draft_value_set1(st, strdup(p->last));
	} else {
		draft_set_str(&st->key, strdup(p->text));
		/* "Locate the Slow Net Threshold Speed value under the
		 * following key: ...\Slow Net Threshold Speed" */
		if (draft_value1(st) != NULL && p->nelems >= 2 &&
		    strcasecmp(draft_value1(st), p->last) == 0) {
			char *bs = strrchr(st->key, '\\');

			if (bs != NULL)
				*bs = '\0';
		}
	}
	st->key_hive = p->hive;
	st->saw_path = 1;
	if (st->key == NULL)
		st->oom = 1;
}

int
draft_set_value_act(struct state *st, const char *path, const char *hive,
    const char *name, const char *type, char *data, int create,
    const char *note, long line)
{
	struct act a = { 0 };

	a.kind = A_SET_VALUE;
	a.path = strdup(path);
	a.name = strdup(name);
	a.type = type;
	a.data = data;
	a.create = create;
	a.note = note;
	a.line = line;
	draft_add_hive(st, hive);
	draft_emit_act(st, &a);
	return 1;
}

/* Emit a key or value action (NAME NULL for a key) on PATH. */
void
draft_simple_act(struct state *st, enum akind kind, const char *path,
    const char *hive, const char *name, long line, int cond)
{
	struct act a = { 0 };

	a.kind = kind;
	a.path = strdup(path);
	a.name = name ? strdup(name) : NULL;
	a.line = line;
	a.cond = cond;
	draft_add_hive(st, hive);
	draft_emit_act(st, &a);
}

void
draft_add_cond(struct state *st, const char *path, const char *name)
{
	size_t i;

	for (i = 0; i < st->nconds; i++)
		if (strcasecmp(st->conds[i].path, path) == 0 &&
		    ((name == NULL && st->conds[i].name == NULL) ||
		    (name != NULL && st->conds[i].name != NULL &&
		    strcasecmp(st->conds[i].name, name) == 0)))
			return;
	if (st->nconds >= ACTIONS_MAX)
		return;
	st->conds[st->nconds].path = strdup(path);
	st->conds[st->nconds].name = name ? strdup(name) : NULL;
	if (st->conds[st->nconds].path == NULL ||
	    (name != NULL && st->conds[st->nconds].name == NULL))
		st->oom = 1;
	st->nconds++;
}

/* Words the name slot of a sentence catches that are no value name:
 * "remove the registry value ...", "set the new value to ...". */
int
draft_not_a_name(const char *n)
{
	static const char *words[] = { "registry", "following", "string",
	    "dword", "data", "new", "default", "same", "key", "entry",
	    "this", "that", "its", "binary" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(n, words[i]) == 0)
			return 1;
	return strncasecmp(n, "reg_", 4) == 0;
}

/* Nonzero if a name caught by a sentence is a description rather than a
 * name: "Delete the incorrect domain name key", "the corresponding
 * package ID". */
static int
vague_name(const char *n)
{
	static const char *words[] = { "incorrect", "correct", "appropriate",
	    "corresponding", "proper", "your", "that", "which", "each",
	    "every", "all", "any", "following", "preceding", "above", "below",
	    "missing", "extraneous", "redundant", "specific", "relevant",
	    "old", "the", "a", "an", "this", "these", "those", "its", "their",
	    "registry", "value", "values", "key", "keys", "subkey", "entry" };
	const char *s = n;

	while (*s != '\0') {
		size_t l = strcspn(s, " "), i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i]) == l &&
			    strncasecmp(s, words[i], l) == 0)
				return 1;
		s += l;
		while (*s == ' ')
			s++;
	}
	return 0;
}

/* Trim a value name a sentence caught.  A bare one loses a trailing
 * " registry" and a type word ("the Start DWORD value": Start, and *TYPE
 * becomes dword unless the sentence typed it otherwise) and a full stop.
 * Returns 0, or -1 if what is left is no plain name. */
int
draft_clean_name(char *name, int quoted, const char **type)
{
	static const struct {
		const char *w;
		const char *t;
	} tw[] = {
		{ " registry", NULL }, { " reg_dword", "dword" },
		{ " dword", "dword" }, { " reg_sz", "sz" }, { " string", "sz" },
		{ " reg_expand_sz", "expand-sz" },
		{ " reg_multi_sz", "multi-sz" }, { " reg_binary", "binary" },
		{ " binary", "binary" },
	};
	char *t = draft_trim(name);
	size_t nl, i;
	int again = 1;

	memmove(name, t, strlen(t) + 1);
	if (quoted)
		return *name == '\0' || strlen(name) > 255 ||
		    draft_placeholder(name) ? -1 : 0;
	while (again) {
		again = 0;
		nl = strlen(name);
		while (nl > 0 && (name[nl - 1] == '.' || name[nl - 1] == ','))
			name[--nl] = '\0';
		for (i = 0; i < sizeof(tw) / sizeof(tw[0]); i++) {
			size_t wl = strlen(tw[i].w);

			if (nl <= wl ||
			    strcasecmp(name + nl - wl, tw[i].w) != 0)
				continue;
			if (tw[i].t != NULL) {
				if (*type != NULL &&
				    strcmp(*type, tw[i].t) != 0)
					return -1;
				*type = tw[i].t;
			}
			name[nl - wl] = '\0';
			again = 1;
			break;
		}
	}
	if (*name == '\0' || strlen(name) > 64 || draft_placeholder(name) ||
	    draft_not_a_name(name) || strncasecmp(name, "value of", 8) == 0 ||
	    strncasecmp(name, "data", 4) == 0 ||
	    strcasestr(name, " the ") != NULL || vague_name(name))
		return -1;
	return 0;
}

/* Split "X and/or Y", "X, Y and Z" into at most MAX names (quotes
 * removed; each new, the caller frees).  Returns the count, 0 if a part is
 * no plain name. */
size_t
draft_split_names(const char *list, char **out, size_t max)
{
	static const char *seps[] = { ", and/or ", " and/or ", ", and ",
	    " and ", ", or ", " or ", ", " };
	const char *s = list;
	size_t n = 0, i;

	while (*s != '\0' && n < max) {
		const char *e = NULL;
		size_t sl = 0, l;

		for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
			const char *x = strcasestr(s, seps[i]);

			if (x != NULL && (e == NULL || x < e)) {
				e = x;
				sl = strlen(seps[i]);
			}
		}
		l = e ? (size_t)(e - s) : strlen(s);
		if (l >= 2 && s[0] == '"' && s[l - 1] == '"')
			out[n] = strndup(s + 1, l - 2);
		else
			out[n] = strndup(s, l);
		if (out[n] == NULL || *out[n] == '\0' ||
		    draft_placeholder(out[n]) || draft_not_a_name(out[n])) {
			free(out[n]);
			break;
		}
		n++;
		if (e == NULL) {
			s += l;
			break;
		}
		s = e + sl;
	}
	if (*s != '\0') {
		for (i = 0; i < n; i++)
			free(out[i]);
		return 0;
	}
	return n;
}

/* Nonzero if PARTIAL ("W3SVC/Parameters") names the last elements of KEY,
 * compared case-insensitively. */
int
draft_key_ends_with(const char *key, const char *partial)
{
	char *p = strdup(partial), *q;
	const char *k;
	size_t pl, kl;
	int ok;

	if (p == NULL || key == NULL) {
		free(p);
		return 0;
	}
	for (q = p; *q != '\0'; q++)
		if (*q == '/')
			*q = '\\';
	q = draft_trim(p);
	pl = strlen(q);
	kl = strlen(key);
	k = key + (kl >= pl ? kl - pl : 0);
	ok = pl > 0 && kl > pl && k[-1] == '\\' && strcasecmp(k, q) == 0;
	free(p);
	return ok;
}

static void
review(struct state *st, const char *path, const char *note)
{
	size_t i;

	for (i = 0; i < st->nreviews; i++)
		if (strcasecmp(st->reviews[i].path, path) == 0 &&
		    st->reviews[i].note == note)
			return;
	if (st->nreviews >= sizeof(st->reviews) / sizeof(st->reviews[0]))
		return;
	if ((st->reviews[st->nreviews].path = strdup(path)) == NULL) {
		st->oom = 1;
		return;
	}
	st->reviews[st->nreviews++].note = note;
}

void
draft_review_path(struct state *st, const struct path *p)
{
	if (p->hive == NULL)
		return;
	if (p->glued)
		review(st, p->text, "the article runs the root and the hive "
		    "together (HKEY_LOCAL_MACHINESYSTEM)");
	if (p->ccs)
		review(st, p->text, "the article names a ControlSetNNN, as "
		    "a .reg file exported on a running machine does: drafted "
		    "as CurrentControlSet, the one Select\\Current names");
}

void
draft_want(struct state *st, enum want w, char *name, struct item *it)
{
	if (st->want != WANT_NOTHING)
		draft_drop_pending(st);
	st->want = w;
	draft_set_str(&st->want_name, name);
	if (it != NULL)
		st->pending = it;
}

void
draft_state_free(struct state *st)
{
	size_t i;

	draft_rx_free(&st->rx);
	for (i = 0; i < st->nacts; i++) {
		free(st->acts[i].path);
		free(st->acts[i].name);
		free(st->acts[i].data);
		free(st->acts[i].to);
	}
	free(st->key);
	draft_values_clear(st);
	free(st->want_name);
	free(st->set_name);
	free(st->set_data);
	free(st->subtree);
	free(st->regkey);
	for (i = 0; i < st->nreviews; i++)
		free(st->reviews[i].path);
	for (i = 0; i < st->nconds; i++) {
		free(st->conds[i].path);
		free(st->conds[i].name);
	}
	free(st->body.s);
	free(st->warnings.s);
}
