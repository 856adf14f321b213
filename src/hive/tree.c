/* tree.c: bounded, cycle-safe walks. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

/* Offsets of the keys on the current path: a key that is its own
 * ancestor is a cycle.  The path is at most TREE_MAX_DEPTH deep, so a
 * linear check per key stays cheap. */
struct walk {
	const struct hive *hv;
	tree_fn fn;
	void *arg;
	struct diag *d;
	hive_node_h stack[TREE_MAX_DEPTH + 1];
	char *path[TREE_MAX_DEPTH + 1];
};

static int
walk_rec(struct walk *w, hive_node_h node, size_t depth)
{
	struct hive_value *vals = NULL;
	size_t nvals = 0, i;
	hive_node_h *kids;
	int r;

	for (i = 0; i < depth; i++) {
		if (w->stack[i] == node)
			return diag_error(w->d, w->hv->path, 0,
			    "corrupt hive: key at offset 0x%zx is its own "
			    "ancestor", (size_t)node);
	}
	w->stack[depth] = node;
	if (hive_values(w->hv, node, &vals, &nvals, w->d) < 0)
		return -1;
	r = w->fn(w->hv, node, w->path, depth, vals, nvals, w->arg);
	hive_values_free(vals, nvals);
	if (r != 0)
		return r;
	kids = hivex_node_children(w->hv->h, node);
	if (kids == NULL)
		return diag_error(w->d, w->hv->path, 0,
		    "corrupt subkey list at offset 0x%zx: %s", (size_t)node,
		    strerror(errno));
	if (kids[0] != 0 && depth >= TREE_MAX_DEPTH) {
		free(kids);
		return diag_error(w->d, w->hv->path, 0,
		    "corrupt hive: keys nested deeper than %d levels",
		    TREE_MAX_DEPTH);
	}
	for (i = 0; kids[i] != 0 && r == 0; i++) {
		char *name = hivex_node_name(w->hv->h, kids[i]);

		if (name == NULL) {
			diag_error(w->d, w->hv->path, 0,
			    "corrupt key name at offset 0x%zx",
			    (size_t)kids[i]);
			r = -1;
			break;
		}
		w->path[depth] = name;
		r = walk_rec(w, kids[i], depth + 1);
		free(name);
	}
	free(kids);
	return r;
}

int
tree_walk(const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, tree_fn fn, void *arg, struct diag *d)
{
	struct walk *w;
	size_t i;
	int r;

	if (n > TREE_MAX_DEPTH)
		return diag_error(d, hv->path, 0,
		    "corrupt hive: keys nested deeper than %d levels",
		    TREE_MAX_DEPTH);
	w = calloc(1, sizeof *w);
	if (w == NULL)
		return diag_oom(d);
	w->hv = hv;
	w->fn = fn;
	w->arg = arg;
	w->d = d;
	for (i = 0; i < n; i++)
		w->path[i] = path[i];
	/* Ancestors above NODE are not on the stack: the walk starts at
	 * depth N with empty slots, which no real offset equals. */
	r = walk_rec(w, node, n);
	free(w);
	return r;
}
