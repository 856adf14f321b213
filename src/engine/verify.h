/* verify.h: the written hive differs from the original exactly by the
 * plan.
 *
 * hivex (1.3.23) edits a hive in memory and writes all of it back: a
 * cell it frees only has the sign of its size flipped, every new cell
 * goes into hive bins appended after the old ones, and an edit changes
 * in place only the keys it is about (their counts and list offsets, the
 * lists it shortens, the reference counts of security cells).  So the
 * new file is the original's bytes but for a few cells, plus new bins.
 * The check costs a read of both files and the keys the plan touches,
 * not a walk of both trees:
 *
 *  1. the cells of the keys the plan touches are collected in the
 *     original: every key holding a changed value, the parent of every
 *     key created or deleted, every key under a deleted one, with their
 *     value lists, values, data, subkey lists, class names (of deleted
 *     keys) and security cells;
 *  2. both files are compared over the original's hive bins; every byte
 *     that differs must be in a base block field a write changes
 *     (sequence numbers, time stamp, bins size, checksum), in a cell free
 *     in the original, in a cell of step 1 (of a key kept: in its counts,
 *     list offsets and size hints only; of a security cell: in its
 *     reference count and list links only, or freed when no key is left
 *     to use it), and not in a cell the original's keys share
 *     (hive.h: shared);
 *  3. each touched key kept is compared by name: its values not in the
 *     plan the same bytes, those in the plan as the plan leaves them; its
 *     subkeys the same keys at the same offsets, less those the plan
 *     deletes, plus those it creates, which hold only what the plan puts
 *     in them.
 *
 * Why that is enough: the root is where it was (its offset is not a field
 * a write may change); a key the plan does not touch keeps all its cells
 * byte for byte, so its values, name and subkeys (by offset) are the
 * original's, and so on down; a touched key's subkeys are checked by
 * offset in step 3.  hive_open ran the structure check (regfcheck.h) on
 * the new file, so every cell reached from the root there is sound.
 */
#ifndef KBFIX_VERIFY_H
#define KBFIX_VERIFY_H

#include "diag.h"
#include "hive.h"
#include "plan.h"

/* Check AFTER (the new file, opened with hive_open) against BEFORE (the
 * hive P was planned on), as above.  Returns 0, or -1 with D naming the
 * first unexpected difference. */
int verify_unchanged(const struct hive *before, const struct hive *after,
    const struct plan *p, struct diag *d);

#endif
