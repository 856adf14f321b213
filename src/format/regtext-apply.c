/* regtext-apply.c: a parsed .reg file merged into a hive through hivex
 * (test fixtures, undo files). */
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
		if ((head = strndup(s, (size_t)(e - s))) == NULL)
			return diag_oom(d);
		eq = names_equal(head, k->elems[i]);
		free(head);
		if (!eq)
			break;
	}
	if (*s == '\0')
		return (long)i;
	return diag_error(d, name, k->line, "key '%s' is not under '%s'",
	    k->path,
	    prefix);
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
	if (node == 0)
		return diag_error(d, name, k->line,
		    "cannot read the root key: %s",
		    strerror(errno));
	for (i = 0; i < n; i++) {
		if (find_child(h, node, elems[i], &child) == -1)
			return diag_error(d, name, k->line,
			    "cannot read key '%s': %s",
			    k->path, strerror(errno));
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
		if ((size_t)skip == k->nelems)
			return diag_error(d, name, k->line,
			    "cannot delete the root "
			    "key '%s'", k->path);
		/* The values of a key being edited go first: it may be
		 * below this one. */
		if (flush(h, pd, name, d) < 0)
			return -1;
		if (walk(h, k->elems + skip, k->nelems - (size_t)skip, 0,
		    &node, k, name, d) == -1)
			return -1;
		if (node != 0 && hivex_node_delete_child(h, node) == -1)
			return diag_error(d, name, k->line, "cannot delete key "
			    "'%s': %s", k->path, strerror(errno));
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
		if (vals_read(h, node, &pd->vs) == -1)
			return diag_error(d, name, k->line,
			    "cannot read the values "
			    "of '%s': %s", k->path, strerror(errno));
		pd->node = node;
	}
	pd->k = k;
	for (i = 0; i < k->nvalues; i++)
		if (vals_set(&pd->vs, &k->values[i]) == -1)
			return diag_oom(d);
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
