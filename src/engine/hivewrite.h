/* hivewrite.h: a plan's changes to one hive executed on a copy of it, by
 * hivex and, where hivex cannot, by kbfix (keylist.h).
 *
 * hivex merges the changes in memory (regfile_apply) and writes the copy.
 * Around it:
 *  - before: a key deleted whose parent lists it in an li leaf (directly,
 *    or in an ri list) is deleted by keylist_delete on the copy, which
 *    hivex then reads instead of the original.  hivex would free the
 *    key's cells and then fail (ENOTSUP) to unlink it.  Only a key of the
 *    original that no earlier change of the list is at or under: moved
 *    before those, its deletion would come out the same only if nothing
 *    before it touched it.  (The others stay with hivex, which refuses
 *    them: the run stops with a message, nothing written.)
 *  - after: every key hivex gave a new subkey gets its subkeys in the
 *    order Windows keeps them (keylist_sort_from over the cells hivex
 *    wrote after the original's hive bins), since hivex misplaces a new
 *    key named beyond ASCII (keylist.h).
 * verify_unchanged then checks the result as it checks hivex's own
 * changes: both kinds of change stay inside the keys the plan touches.
 */
#ifndef KBFIX_HIVEWRITE_H
#define KBFIX_HIVEWRITE_H

#include "diag.h"
#include "hive.h"
#include "regtext.h"

/* Execute RF (keys under PREFIX, as regfile_apply takes them) on the hive
 * HV was opened on (HV->file), as above, and write the result at TMP (a
 * file that exists; it is overwritten).  Messages name HV->path.  Returns
 * 0, or -1 with D (TMP is then not to be used). */
int hivewrite_execute(const struct hive *hv, const struct regfile *rf,
    const char *prefix, const char *tmp, struct diag *d);

#endif
