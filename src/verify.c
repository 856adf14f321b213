/* verify.c: compare a hive with its rewritten copy, outside the plan. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "tree.h"
#include "verify.h"

struct kid {
	char *fold;
	char *name;
	hive_node_h node;
};

struct vctx {
	const struct hive *a, *b;
	const struct change **ch;	/* the plan's changes on A */
	size_t nch;
	struct diag *d;
	char *path[TREE_MAX_DEPTH + 1];
};

static int
key_is(const struct change *c, char *const *path, size_t n)
{
	size_t i;

	if (c->nkey != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!names_equal(c->key[i], path[i]))
			return 0;
	return 1;
}

/* Is there a change of KIND on key PATH (and value NAME)? */
static int
planned(const struct vctx *v, enum change_kind kind, char *const *path,
    size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < v->nch; i++) {
		const struct change *c = v->ch[i];

		if (c->kind != kind || !key_is(c, path, n))
			continue;
		if (name == NULL || names_equal(c->name, name))
			return 1;
	}
	return 0;
}

static int
value_planned(const struct vctx *v, char *const *path, size_t n,
    const char *name)
{
	return planned(v, CHANGE_SET_VALUE, path, n, name) ||
	    planned(v, CHANGE_DELETE_VALUE, path, n, name);
}

static int
cmp_kid(const void *x, const void *y)
{
	return strcmp(((const struct kid *)x)->fold,
	    ((const struct kid *)y)->fold);
}

static void
kids_free(struct kid *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(k[i].fold);
		free(k[i].name);
	}
	free(k);
}

static int
kids_read(const struct hive *hv, hive_node_h node, struct kid **out,
    size_t *n, struct diag *d)
{
	hive_node_h *v = hivex_node_children(hv->h, node);
	struct kid *k;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	if (v == NULL) {
		diag_error(d, hv->path, 0, "corrupt subkey list: %s",
		    strerror(errno));
		return -1;
	}
	for (cnt = 0; v[cnt] != 0; cnt++)
		;
	k = calloc(cnt ? cnt : 1, sizeof *k);
	if (k == NULL) {
		free(v);
		return -1;
	}
	for (i = 0; i < cnt; i++) {
		k[i].node = v[i];
		k[i].name = hivex_node_name(hv->h, v[i]);
		k[i].fold = k[i].name ? names_fold(k[i].name) : NULL;
		if (k[i].fold == NULL) {
			kids_free(k, i + 1);
			free(v);
			diag_error(d, hv->path, 0, "corrupt key name");
			return -1;
		}
	}
	free(v);
	qsort(k, cnt, sizeof *k, cmp_kid);
	*out = k;
	*n = cnt;
	return 0;
}

static void
differ(struct vctx *v, size_t n, const char *what)
{
	char *k = plan_key_text(v->a, v->path, n);

	diag_error(v->d, v->b->path, 0, "verification failed: %s in '%s'",
	    what, k ? k : "?");
	free(k);
}

static int
cmp_values(struct vctx *v, hive_node_h na, hive_node_h nb, size_t n)
{
	struct hive_value *va = NULL, *vb = NULL;
	size_t ca = 0, cb = 0, i, j;
	int r = -1;

	if (hive_values(v->a, na, &va, &ca, v->d) < 0 ||
	    hive_values(v->b, nb, &vb, &cb, v->d) < 0)
		goto out;
	for (i = 0; i < ca; i++) {
		if (value_planned(v, v->path, n, va[i].name))
			continue;
		for (j = 0; j < cb; j++)
			if (names_equal(va[i].name, vb[j].name))
				break;
		if (j == cb || strcmp(va[i].name, vb[j].name) != 0 ||
		    va[i].type != vb[j].type || va[i].len != vb[j].len ||
		    (va[i].len && memcmp(va[i].data, vb[j].data,
		    va[i].len) != 0)) {
			char *w = NULL;

			if (asprintf(&w, "value '%s' %s", va[i].name,
			    j == cb ? "is missing" : "differs") < 0)
				w = NULL;
			differ(v, n, w ? w : "a value differs");
			free(w);
			goto out;
		}
	}
	for (j = 0; j < cb; j++) {
		if (value_planned(v, v->path, n, vb[j].name))
			continue;
		for (i = 0; i < ca; i++)
			if (names_equal(va[i].name, vb[j].name))
				break;
		if (i == ca) {
			char *w = NULL;

			if (asprintf(&w, "unexpected value '%s'",
			    vb[j].name) < 0)
				w = NULL;
			differ(v, n, w ? w : "an unexpected value");
			free(w);
			goto out;
		}
	}
	r = 0;
out:
	hive_values_free(va, ca);
	hive_values_free(vb, cb);
	return r;
}

static int
cmp_rec(struct vctx *v, hive_node_h na, hive_node_h nb, size_t n)
{
	struct kid *ka = NULL, *kb = NULL;
	size_t ca = 0, cb = 0, i = 0, j = 0;
	int r = -1;

	if (n > TREE_MAX_DEPTH) {
		diag_error(v->d, v->a->path, 0,
		    "corrupt hive: keys nested deeper than %d levels",
		    TREE_MAX_DEPTH);
		return -1;
	}
	if (cmp_values(v, na, nb, n) < 0)
		return -1;
	if (kids_read(v->a, na, &ka, &ca, v->d) < 0 ||
	    kids_read(v->b, nb, &kb, &cb, v->d) < 0)
		goto out;
	while (i < ca || j < cb) {
		int c = i == ca ? 1 : j == cb ? -1 :
		    strcmp(ka[i].fold, kb[j].fold);

		if (c < 0) {
			v->path[n] = ka[i].name;
			if (!planned(v, CHANGE_DELETE_KEY, v->path, n + 1,
			    NULL)) {
				differ(v, n + 1, "key is missing");
				goto out;
			}
			i++;
		} else if (c > 0) {
			v->path[n] = kb[j].name;
			if (!planned(v, CHANGE_CREATE_KEY, v->path, n + 1,
			    NULL)) {
				differ(v, n + 1, "unexpected key");
				goto out;
			}
			j++;
		} else {
			v->path[n] = ka[i].name;
			if (strcmp(ka[i].name, kb[j].name) != 0) {
				differ(v, n + 1, "key name spelling changed");
				goto out;
			}
			if (planned(v, CHANGE_DELETE_KEY, v->path, n + 1,
			    NULL)) {
				differ(v, n + 1, "key was not deleted");
				goto out;
			}
			if (cmp_rec(v, ka[i].node, kb[j].node, n + 1) < 0)
				goto out;
			i++;
			j++;
		}
	}
	r = 0;
out:
	kids_free(ka, ca);
	kids_free(kb, cb);
	return r;
}

int
verify_unchanged(const struct hive *before, const struct hive *after,
    const struct plan *p, struct diag *d)
{
	struct vctx *v = calloc(1, sizeof *v);
	size_t i, j, n = 0;
	int r;

	if (v == NULL)
		return -1;
	v->a = before;
	v->b = after;
	v->d = d;
	v->ch = calloc(plan_nchanges(p) + 1, sizeof *v->ch);
	if (v->ch == NULL) {
		free(v);
		return -1;
	}
	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++)
			if (p->entries[i].changes[j].hive == before)
				v->ch[n++] = &p->entries[i].changes[j];
	v->nch = n;
	r = cmp_rec(v, before->root, after->root, 0);
	free(v->ch);
	free(v);
	return r;
}
