/* plancount.h: how many keys, values and files a plan changes, counted
 * the same way for apply and for its undo.
 *
 * A plan's changes are not a measure people can compare: deleting a key
 * is one change that takes every key and value below it, while its undo
 * creates each of them, one change each.  So what kbfix reports as "N
 * changes" is the number of keys, values and files created, deleted, set,
 * renamed or moved: a key deleted counts itself and everything below it,
 * and a key or value that several changes touch counts once.  Undoing an
 * apply touches exactly what the apply touched, and says the same number.
 */
#ifndef KBFIX_PLANCOUNT_H
#define KBFIX_PLANCOUNT_H

#include <stddef.h>

#include "plan.h"

/* The keys, values and files the changes of P touch: on hive HV only, or
 * everywhere (files included) when HV is NULL.  The keys below a key
 * deleted are read from its hive.  A key that cannot be read counts
 * once, itself. */
size_t plan_count_items(const struct plan *p, const struct hive *hv);

#endif
