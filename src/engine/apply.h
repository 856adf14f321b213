/* apply.h: carry out a plan on the hive files, never in place.
 *
 * Two stages, so that a run on several hives (SYSTEM and a user's
 * NTUSER.DAT) changes all of them or none:
 *
 *   apply_prepare  for each hive the plan touches: execute its changes on a
 *                  copy in memory (hivex), commit the copy to a temporary
 *                  file beside the hive, finish it (regf_finish: big-data
 *                  records, sequence numbers, checksum), fsync it, re-open
 *                  it, check that nothing outside the plan differs
 *                  (verify_unchanged) and that planning again on the new
 *                  files finds nothing left to do.  The originals are not
 *                  touched.
 *   apply_commit   for each hive: keep the original's bytes as a backup
 *                  (from the descriptor of the hive's lock: the file
 *                  planned on), write the undo file beside it and read
 *                  it back, then, checking right before each that the
 *                  hive's path still names the file planned on
 *                  (lock_same), rename every temporary file over its
 *                  hive and fsync the folders; then the file changes
 *                  (rename-file, delete-file); last, one undo manifest
 *                  naming every undo file of the job, so that `kbfix
 *                  undo` puts them all back together (undo.h).
 *
 * The hives go first and the files after them: a run stopped in between
 * (power loss) leaves at worst a file that nothing refers to any more,
 * never a registry that refers to a file already gone (a boot-start
 * driver whose file is missing stops Windows from starting).  A file is
 * renamed only where no file of that name exists, and a deleted file is
 * moved to the backup place (beside it, or --backup-dir), never removed;
 * one more undo file, in the Windows folder or --backup-dir, lists these
 * moves for `kbfix undo` (undo.h).
 *
 * With an output folder (--output) nothing of the target is written: the
 * new hives, and copies of renamed files under their new names, go to
 * the output folder under the same relative paths, with their undo files
 * and no backups (the target is the original).  A deleted file is then
 * only left out, and the audit log and undo file say so.
 *
 * The caller holds the hives' locks (lock.h) from before planning until
 * apply_commit has returned.
 */
#ifndef KBFIX_APPLY_H
#define KBFIX_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "hive.h"
#include "plan.h"

struct apply_job;

struct apply_options {
	const char *backup_dir;	/* NULL: beside each hive */
	int no_backup;		/* no copy of the original (the undo file is
				 * still written) */
	const char *stamp;	/* names backups and undo files; NULL: the
				 * current UTC time, 20261123T101500Z */
	const char *tool;	/* "kbfix 0.1", written in undo files */
	/* Called by apply_commit once the backups and undo files are made,
	 * before the first rename: -1 (with D) stops the commit, and
	 * nothing is changed (cmd-write.c writes the audit log's records
	 * there).  NULL: nothing. */
	int (*before_rename)(void *arg, const struct apply_job *j,
	    struct diag *d);
	void *before_arg;
	int no_files_undo;	/* no undo file of the file changes: they put
				 * back what a files undo file moved, and an
				 * undo file names no file outside the Windows
				 * folder but kbfix's backups (undo.h) */
	/* The undo manifest (undo.h): the folder its parts are below (the
	 * machine's folder, the folder holding its hive files, the output
	 * folder), and the folder it goes in.  NULL: none. */
	const char *manifest_root;
	const char *manifest_dir;
	/* --output: where the new content of the file at PATH goes (a new
	 * string), or NULL with D when it has no place there.  NULL: in
	 * place. */
	char *(*output)(void *arg, const char *path, struct diag *d);
	void *output_arg;
};

/* One hive being rewritten. */
struct apply_file {
	struct hive *orig;	/* borrowed: the hive the plan was made on */
	char *dest;		/* where the new hive goes: ORIG's path, or
				 * its place in the output folder */
	uint32_t seq;		/* sequence number the new file carries */
	char *tmp;		/* the new content, beside the original */
	struct hive *after;	/* TMP, opened read-only */
	char **logs;		/* transaction logs beside the hive that hold
				 * data newer than it (kept with the backup) */
	size_t nlogs;
	char *backup;		/* set by apply_commit; NULL with no_backup */
	char *undo;		/* set by apply_commit */
	char sha_after[65];	/* set by apply_commit: the SHA-256 of TMP,
				 * the new hive */
	char **moved_logs;	/* set by apply_commit: where LOGS went */
	size_t nchanges;
};

/* One file change being made. */
struct apply_move {
	const struct change *c;	/* borrowed from the plan */
	char *from;		/* the file (C->file) */
	char *to;		/* where it goes: C->to; for a deletion, the
				 * backup (set by apply_commit); with an output
				 * folder, the copy there (NULL for a
				 * deletion) */
	int done;
};

struct apply_job {
	struct apply_file *files;
	size_t nfiles;
	struct apply_move *moves;
	size_t nmoves;
	char *windir;		/* the target's Windows folder, or NULL */
	char *files_undo;	/* set by apply_commit: the undo file of the
				 * moves, or NULL */
	char *manifest;		/* set by apply_commit: the undo manifest
				 * naming every undo file of the job, or
				 * NULL */
	char **made_dirs;	/* folders made in the output folder, removed
				 * again if nothing is committed */
	size_t nmade;
	int output;		/* there is an output folder */
	int committed;
};

/* Plan again on AFTER (the target with every rewritten hive in place of
 * its original): *OUT is the new plan (apply_prepare frees it).  Returns 0
 * or -1 with D. */
typedef int (*apply_replan_fn)(void *arg, const struct target *after,
    struct plan **out, struct diag *d);

/* Remove the temporary files of HIVE_PATH ("NAME.kbfix-tmp-XXXXXX" beside
 * it) that a kbfix killed before its rename left behind (SIGKILL and power
 * loss cannot be caught), and backups beside it that are the hive itself
 * (same inode: killed between the backup and the rename) with their undo
 * files.  Only with the hive's lock held: then no other
 * kbfix is using them.  Each removal is a note in D.  Returns 0 or -1. */
int apply_clean_stale(const char *hive_path, struct diag *d);

/* Stage one (see above).  T is the target P was computed on; REPLAN is
 * called once on the rewritten target and must find nothing left but the
 * file changes of P (files are not touched before apply_commit).  The
 * files to rename or delete must be there, and the new names free.
 * O->output says where the new files go (the other options are
 * apply_commit's).  Returns 0 and *OUT (caller frees with apply_job_free),
 * or -1 with D and nothing left on disk. */
int apply_prepare(const struct plan *p, const struct target *t,
    const struct apply_options *o, apply_replan_fn replan, void *arg,
    struct apply_job **out, struct diag *d);

/* Stage two (see above).  On error every hive already replaced and every
 * file already moved is put back, backups and undo files made by this call
 * are removed, -1 is returned with D, and the originals are
 * byte-identical.  O->output must be the one given to apply_prepare. */
int apply_commit(struct apply_job *j, const struct plan *p,
    const struct apply_options *o, struct diag *d);

/* Close the rewritten hives, remove temporary files that were not renamed
 * into place, free J.  NULL is allowed. */
void apply_job_free(struct apply_job *j);

#endif
