/* overlay.h: the changes of a plan so far, indexed by what they touch.
 *
 * Planning asks, for each key and value it reads, what the changes
 * planned before say of it (a later action sees the effect of an earlier
 * one).  Walking every change for each question costs O(n^2) for a
 * remedy of n changes; 4,000 values set in one key took seconds.  The
 * index answers in O(1): each change is indexed once, by its key (and
 * value name) upcased as Windows compares names.  The change being made
 * last is not indexed yet (its fields may still be filled in): it is
 * looked at as it is.
 */
#ifndef KBFIX_OVERLAY_H
#define KBFIX_OVERLAY_H

#include "plan.h"

struct overlay;

/* A new index, empty: it indexes P's changes as they come.  NULL when out
 * of memory.  Free with overlay_free (NULL allowed). */
struct overlay *overlay_new(const struct plan *p);
void overlay_free(struct overlay *o);

/* What the changes of the plan so far say of key ELEMS[0..N) of HV: -1
 * deleted (it or a parent), 1 created, 0 nothing; -2 out of memory. */
int overlay_key_state(struct overlay *o, const struct hive *hv,
    char *const *elems, size_t n);

/* ... of its value NAME: -1 deleted (or its key), 1 set (*V points at the
 * value planned), 0 nothing; -2 out of memory. */
int overlay_value_state(struct overlay *o, const struct hive *hv,
    char *const *elems, size_t n, const char *name, const struct rvalue **v);

#endif
