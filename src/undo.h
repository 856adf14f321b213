/* undo.h: the undo file apply writes, and the plan that carries it out.
 *
 * An undo file is a .reg file ("Windows Registry Editor Version 5.00")
 * that puts back every key and value a plan removed or changed, with
 * their types and data, and removes what it created.  `kbfix undo` reads
 * it back as a plan (undo_plan), so that undoing goes through the same
 * dry run, safe write and checks as applying.
 */
#ifndef KBFIX_UNDO_H
#define KBFIX_UNDO_H

#include <stdio.h>

#include "diag.h"
#include "hive.h"
#include "plan.h"
#include "regfile.h"

/* Write to F the undo file of the changes of P on HV, which must still be
 * the hive the plan was made on.  TOOL ("kbfix 0.1") and STAMP (UTC) go in
 * its header.  Changes are undone in reverse order; a value changed twice
 * is restored once, to what it was before the first change.  Returns 0 or
 * -1 with D. */
int undo_write(FILE *f, const struct plan *p, const struct hive *hv,
    const char *tool, const char *stamp, struct diag *d);

/* The plan that makes HV hold what RF (an undo file, or any .reg file of
 * HV's root; NAME for messages) says: keys deleted, keys and values
 * created or set, values deleted.  Nothing the hive already holds is
 * planned, so the plan of a file already applied is empty.  Returns 0 and
 * *OUT (caller frees with plan_free) or -1 with D. */
int undo_plan(const struct regfile *rf, const char *name, struct hive *hv,
    struct plan **out, struct diag *d);

#endif
