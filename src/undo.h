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
 * the hive the plan was made on; DEST is where the changed hive goes (HV's
 * path, or its copy in an output folder).  TOOL ("kbfix 0.1") and STAMP
 * (UTC) go in its header.  Changes are undone in reverse order; a value
 * changed twice is restored once, to what it was before the first change.
 * File changes are not in it (undo_write_files).  Returns 0 or -1 with
 * D. */
int undo_write(FILE *f, const struct plan *p, const struct hive *hv,
    const char *dest, const char *tool, const char *stamp, struct diag *d);

/* File changes (rename-file, delete-file) have an undo file of their own,
 * one per run and Windows folder.  It is a .reg file without keys, so any
 * .reg reader takes it; kbfix reads the lines
 *
 *     ; kbfix-move: "FROM" "TO"
 *
 * each moving a file back from FROM, where the change put it, to TO, where
 * it was.  A path starting with %SystemRoot% is inside the Windows folder
 * `kbfix undo` is given (so the volume can be mounted elsewhere); any other
 * is an absolute path on this machine (a backup in --backup-dir).  Inside
 * the quotes '\' and '"' are escaped with '\', as in .reg strings. */
struct undo_move {
	char *from;	/* NULL: deleted from an output folder's copy, with
			 * nothing to move back (written as a comment) */
	char *to;
	long line;	/* in the undo file, when read back */
};

/* Write to F the undo file of the N file moves M made by P in the Windows
 * folder WINDIR (named in its header).  Returns 0 or -1 with D. */
int undo_write_files(FILE *f, const struct plan *p, const struct undo_move *m,
    size_t n, const char *windir, const char *tool, const char *stamp,
    struct diag *d);

/* The kbfix-move lines of TEXT (LEN bytes, the file NAME).  *OUT has *N
 * moves (caller frees with undo_moves_free).  Returns 0 or -1 with D
 * ("NAME:LINE: error: ..."). */
int undo_moves_parse(const char *text, size_t len, const char *name,
    struct undo_move **out, size_t *n, struct diag *d);
void undo_moves_free(struct undo_move *m, size_t n);

/* The plan that moves the files of M back, in the Windows folder WINDIR:
 * a CHANGE_RENAME_FILE for each file still at FROM.  One already back
 * (TO there, FROM gone) is skipped, so a second undo finds nothing; both
 * there, or neither, is an error.  Returns 0 and *OUT (plan_free) or -1
 * with D. */
int undo_moves_plan(const struct undo_move *m, size_t n, const char *name,
    const char *windir, struct plan **out, struct diag *d);

/* The plan that makes HV hold what RF (an undo file, or any .reg file of
 * HV's root; NAME for messages) says: keys deleted, keys and values
 * created or set, values deleted.  Nothing the hive already holds is
 * planned, so the plan of a file already applied is empty.  Returns 0 and
 * *OUT (caller frees with plan_free) or -1 with D. */
int undo_plan(const struct regfile *rf, const char *name, struct hive *hv,
    struct plan **out, struct diag *d);

#endif
