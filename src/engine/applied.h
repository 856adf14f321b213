/* applied.h: "done", not "not applicable": the remedies kbfix itself has
 * applied to a hive.
 *
 * After an apply a remedy's conditions usually no longer hold (the keys it
 * deleted are gone), which alone reads as "never broken".  What tells the
 * two apart is the undo file the apply left beside the hive: it names the
 * remedies it undoes (kbfix-remedy lines, undo.h), and while what the
 * apply left is still there (no conflict: undo_check), those remedies are
 * done.  An undo file elsewhere (--backup-dir) is not looked for.
 */
#ifndef KBFIX_APPLIED_H
#define KBFIX_APPLIED_H

#include <stddef.h>

#include "diag.h"
#include "hive.h"
#include "plan.h"

/* The entries of P that are not applicable, or missing their folder,
 * whose remedy an undo file beside one of the N hives HV names, and whose
 * changes there still hold: made ENTRY_DONE, the reason saying which
 * undo file says so.  Undo files that cannot be read or do not hold are
 * passed over.  Returns the number of entries changed, or -1 with D on
 * out-of-memory. */
int applied_mark(struct plan *p, struct hive *const *hv, size_t n,
    struct diag *d);

#endif
