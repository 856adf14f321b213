/* plancount.c: the keys, values and files a plan touches (plancount.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plancount.h"

/* The items touched so far, each "HIVE\x1fKEY\x1fVALUE" (or with no value
 * part for a key), to be sorted and counted once each. */
struct items {
	char **v;
	size_t n, cap;
	int oom;
};

static void
add(struct items *it, const struct hive *hv, const char *key,
    const char *value)
{
	char *s;

	if (it->oom)
		return;
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 64;
		char **nv = realloc(it->v, cap * sizeof *nv);

		if (nv == NULL) {
			it->oom = 1;
			return;
		}
		it->v = nv;
		it->cap = cap;
	}
	if (asprintf(&s, "%p\x1f%s%s%s", (const void *)hv, key,
	    value ? "\x1f" : "", value ? value : "") < 0) {
		it->oom = 1;
		return;
	}
	it->v[it->n++] = s;
}

/* KEY (its text PATH) and everything below it. */
static void
add_tree(struct items *it, const struct hive *hv, hive_node_h node,
    const char *path, int depth)
{
	const struct hive_subkeys *sk;
	struct diag quiet;
	hive_value_h *vals;
	size_t i, nv;

	add(it, hv, path, NULL);
	/* The structure check refused nesting past 512 levels. */
	if (node == 0 || depth > 512)
		return;
	if ((vals = hivex_node_values(hv->h, node)) != NULL) {
		for (nv = 0; vals[nv] != 0; nv++) {
			char *name = hivex_value_key(hv->h, vals[nv]);
			char num[32];

			/* A name hivex cannot read is still a value. */
			snprintf(num, sizeof num, "\x1e%zu", nv);
			add(it, hv, path, name ? name : num);
			free(name);
		}
		free(vals);
	}
	diag_init(&quiet);
	if (hive_subkeys(hv, node, &sk, &quiet) == 0) {
		for (i = 0; i < sk->n; i++) {
			char *sub;

			if (asprintf(&sub, "%s\\%s", path, sk->names[i]) < 0) {
				it->oom = 1;
				break;
			}
			add_tree(it, hv, sk->nodes[i], sub, depth + 1);
			free(sub);
		}
	}
	diag_free(&quiet);
}

static int
cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

size_t
plan_count_items(const struct plan *p, const struct hive *hv)
{
	struct items it = { NULL, 0, 0, 0 };
	size_t i, k, n = 0, files = 0;

	for (i = 0; i < p->nentries; i++)
		for (k = 0; k < p->entries[i].nchanges; k++) {
			const struct change *c = &p->entries[i].changes[k];
			char *path;

			if (c->hive == NULL) {
				files += hv == NULL;
				continue;
			}
			if (hv != NULL && c->hive != hv)
				continue;
			if ((path = plan_key_text(c->hive, c->key, c->nkey)) ==
			    NULL) {
				it.oom = 1;
				break;
			}
			if (c->kind == CHANGE_DELETE_KEY)
				add_tree(&it, c->hive, c->node, path, 0);
			else if (c->kind == CHANGE_CREATE_KEY)
				add(&it, c->hive, path, NULL);
			else
				add(&it, c->hive, path, c->name);
			free(path);
		}
	if (it.oom) {
		/* Short of memory: the changes themselves. */
		for (i = 0; i < it.n; i++)
			free(it.v[i]);
		free(it.v);
		n = 0;
		for (i = 0; i < p->nentries; i++)
			for (k = 0; k < p->entries[i].nchanges; k++)
				n += hv == NULL ||
				    p->entries[i].changes[k].hive == hv;
		return n;
	}
	if (it.n > 1)
		qsort(it.v, it.n, sizeof *it.v, cmp);
	for (i = 0; i < it.n; i++) {
		if (i == 0 || cmp(&it.v[i - 1], &it.v[i]) != 0)
			n++;
	}
	for (i = 0; i < it.n; i++)
		free(it.v[i]);
	free(it.v);
	return n + files;
}
