/* tree.h: a bounded, cycle-safe walk of a key and everything below it.
 *
 * A hostile or damaged hive can hold subkey lists that point back at a
 * parent, or nest deeper than Windows allows; hivex follows what it is
 * given.  Every walk kbfix makes goes through here.
 */
#ifndef KBFIX_TREE_H
#define KBFIX_TREE_H

#include "hive.h"

#define TREE_MAX_DEPTH	REGF_MAX_DEPTH

/* Called for each key, parents before children, children in stored
 * order: PATH holds N elements below the hive root as spelled in the hive,
 * VALS the key's NVALS values.  Return 0 to go on, nonzero to stop the walk
 * (tree_walk then returns that number). */
typedef int (*tree_fn)(const struct hive *hv, hive_node_h node,
    char *const *path, size_t n, const struct hive_value *vals,
    size_t nvals, void *arg);

/* Walk NODE, whose path is PATH[0..N), and all below it.  Returns 0, the
 * callback's nonzero value, or -1 with D when the hive is corrupt (a
 * cycle, nesting past TREE_MAX_DEPTH, an unreadable list). */
int tree_walk(const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, tree_fn fn, void *arg, struct diag *d);

#endif
