/* undo-int.h: what the files of undo share (undo.c: the model and the
 * undo file written, and the files of a folder; undo-read.c: an undo file
 * read back; undo-plan.c: an undo file as a plan, checked against the
 * hive and verified after).  Not for use outside them: undo.h is the API. */
#ifndef KBFIX_UNDO_INT_H
#define KBFIX_UNDO_INT_H

#include "undo.h"

#define elems_free regfile_elems_free

/* What a change touches (strmap_id), in one hive. */
#define touch_id(kind, key, n, name) strmap_id(kind, NULL, key, n, name)

/* undo.c */
int same_elems(char *const *a, size_t na, char *const *b, size_t nb);
char **root_elems(enum hive_kind kind, size_t *n);
char *const *below_root(const struct regfile_key *k, enum hive_kind kind,
    size_t *n, const char *name, struct diag *d);
const char *base_name(const char *path);

/* undo-read.c */
int rooted(const char *path, const char *root);

/* undo-plan.c */
struct plan *undo_plan_one(const struct remedy *r, struct diag *d);

#endif
