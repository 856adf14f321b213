/* stage.h: a volume of a place (place.h) copied into a private folder of
 * this machine for the pipeline, and the pipeline's changes written back.
 *
 * The staging folder mirrors the volume's root: only what a folder TARGET
 * run looks at, with the volume's own spelling of every name.  For each
 * Windows folder ("Windows" or "WINNT" in any case, holding System32):
 * the hives of System32\config the remedies need (SOFTWARE too when they
 * need the users, for ProfileList), each with its transaction logs; every
 * profile's NTUSER.DAT and logs under "Documents and Settings" and
 * "Users" and wherever ProfileList puts them on the volume; the files the
 * remedies name (%SystemRoot%\...) and the names they would rename them
 * to.  Beside each of those, the names of kbfix's own files (backups, undo
 * files, temporary files left by an interrupted run) as empty files, so
 * that apply picks the same free names as on the volume itself; a hive's
 * undo files whole (scan reads them to tell a remedy kbfix applied,
 * applied.h); and a backup that is the hive itself (an interrupted run) as
 * a hard link to it.  Symbolic links are copied as links, never followed.  image_find
 * then runs on the staging folder with its own rules: the staging folder
 * holds no more than it needs, and everything it would look at.
 *
 * After apply has worked on the staging folder (with all its checks),
 * stage_commit compares it with its state before (stage_snap) and makes
 * the same changes on the volume: new content goes to a temporary name in
 * its folder ("NAME.kbfix-tmp-XXXXXX"), is read back (SHA-256), then
 * renamed into place; a file that got a second name (a backup is a hard
 * link to the original) gets it there too; a file gone (a log moved to the
 * backup, a stale temporary file) is removed last.
 */
#ifndef KBFIX_STAGE_H
#define KBFIX_STAGE_H

#include <stddef.h>
#include <sys/types.h>

#include "diag.h"
#include "hivekind.h"
#include "place.h"
#include "remedy.h"

/* What a run looks at: hive kinds and %SystemRoot% paths. */
struct stage_want {
	int hives[HIVE__COUNT];
	char **files;		/* "%SystemRoot%\System32\x.dll", ... */
	size_t nfiles;
};

/* WANT for remedies RS: their hives and every file their conditions and
 * actions name (a rename's new name included).  Returns 0 (free with
 * stage_want_free) or -1 with D. */
int stage_want_remedies(struct remedy *const *rs, size_t nrs,
    struct stage_want *w, struct diag *d);
void stage_want_free(struct stage_want *w);

/* Does the volume mounted in P hold a Windows folder at its root (or an
 * entry of that name that is a symbolic link, which the run will
 * refuse)?  1, 0, or -1 with D. */
int stage_has_windows(struct place *p, struct diag *d);

/* Is the Windows on the volume mounted in P hibernated (hiberfil.sys at
 * its root starting with "hibr" or "HIBR")?  1 or 0. */
int stage_hibernated(struct place *p);

/* Copy into the folder ROOT (made here, must not exist) what a run of
 * WANT looks at on the volume mounted in P (see above).  Returns 0 or -1
 * with D. */
int stage_volume(struct place *p, const struct stage_want *w,
    const char *root, struct diag *d);

/* Copy the file PATH of the volume mounted in P into the folder ROOT at
 * the same place below it, with its folders (made as needed).  HIVE: a
 * hive, with its logs and the names of kbfix's files beside it.  A
 * missing file is not an error (the run says what is missing); a symbolic
 * link on the way is copied as a link and ends the walk.  Returns 0 or -1
 * with D. */
int stage_path(struct place *p, const char *root, const char *path,
    int hive, struct diag *d);

/* The state of a staging folder: every entry below it. */
struct stage_snap;

/* Returns 0 and *OUT (stage_snap_free), or -1 with D. */
int stage_snap_take(const char *root, struct stage_snap **out,
    struct diag *d);
void stage_snap_free(struct stage_snap *s);

/* The entries of S, sorted by path: their number, the path of entry I
 * below the folder (starting with "/"), whether it is a regular file, and
 * whether S has PATH. */
size_t stage_snap_count(const struct stage_snap *s);
const char *stage_snap_path(const struct stage_snap *s, size_t i);
int stage_snap_is_file(const struct stage_snap *s, size_t i);
int stage_snap_has(const struct stage_snap *s, const char *path);

/* Is the staging folder ROOT as it was in BEFORE?  1 yes, 0 no, -1 with
 * D. */
int stage_unchanged(const char *root, const struct stage_snap *before,
    struct diag *d);

/* Make on the volume mounted for writing in P the changes made to the
 * staging folder ROOT since BEFORE (see above).  *NWRITTEN counts the
 * operations done on the volume.  Returns 0, or -1 with D (the volume may
 * then hold part of them: the caller throws the overlay away). */
int stage_commit(struct place *p, const char *root,
    const struct stage_snap *before, size_t *nwritten, struct diag *d);

/* Remove the folder ROOT and everything below it (links not followed). */
void stage_remove(const char *root);

/* A process that removes the folder ROOT when this one ends, however it
 * ends (a signal, SIGKILL): copies of a machine's hives must not stay in
 * $TMPDIR.  Returns a descriptor and *PID for stage_unguard, called once
 * ROOT is removed, or -1 (no guard: a fork failed). */
int stage_guard(const char *root, pid_t *pid);
void stage_unguard(int fd, pid_t pid);

#endif
