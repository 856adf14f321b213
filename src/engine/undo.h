/* undo.h: the undo files apply writes, read back, checked, and the plans
 * that carry them out.
 *
 * An undo file is a .reg file ("Windows Registry Editor Version 5.00")
 * that puts back every key and value a plan removed or changed, with
 * their types and data, and removes what it created.  `kbfix undo` reads
 * it back as a plan (undo_plan), so that undoing goes through the same
 * dry run, safe write and checks as applying.  Names .reg text cannot
 * hold are in kbfix lines (regtext.h), which other readers skip.
 *
 * An undo file is checked like a hive: it says what it is bound to and
 * ends with a checksum of everything before its last line.
 *
 *     Windows Registry Editor Version 5.00
 *
 *     ; Undo file of kbfix 0.1, 20261123T101500Z.      (comments for
 *     ; ...                                              people)
 *     ; kbfix-undo: hive 1
 *     ; kbfix-hive: "SYSTEM"             the hive's file name
 *     ; kbfix-hive-kind: SYSTEM
 *     ; kbfix-hive-sha256: 3a7b...       the hive after the apply
 *     ; kbfix-hive-root-time: 1324...    its root key's time (FILETIME)
 *     ; kbfix-remedy: Q267971            each remedy it undoes
 *
 *     ; kbfix-left-key: "HKEY_LOCAL_MACHINE" "SYSTEM" ... "Environment"
 *     ; kbfix-left-value: "Path"=hex(2):...     what the apply left there
 *     [HKEY_LOCAL_MACHINE\SYSTEM\...\Environment]
 *     "Path"=hex(2):...                         what it restores
 *     ...
 *     ; kbfix-end: sha256 9f2c...        SHA-256 of the bytes before
 *                                        this line, which ends the file
 *
 * Each entry (the undo of one change) is its kbfix-left lines, what the
 * apply left where the entry writes, then its .reg lines:
 *  - a value set or deleted: the key (or "-" and the key, when the apply
 *    left no such key) and the value as the apply left it ("name"=- for
 *    none), then the value as it was;
 *  - a key deleted: "-" and the key (the apply left none), then the key
 *    and everything below it as it was;
 *  - a key created: the key and everything the apply left below it, each
 *    key with all its values, then [-key].  Here the list is complete:
 *    a key or value below it that the list lacks is a conflict too.
 * Entries come last change first; a value changed twice is restored once.
 *
 * The undo file of file changes (rename-file, delete-file), one per run
 * and Windows folder, has no keys:
 *
 *     ; kbfix-undo: files 1
 *     ; kbfix-backup-dir: "/srv/backups"     only with --backup-dir
 *     ; kbfix-move: "%SystemRoot%\System32\Nmperf.dll.kbfix-...bak"
 *         "%SystemRoot%\System32\Nmperf.dll" sha256 5e1d...   (one line)
 *     ; kbfix-end: sha256 ...
 *
 * Each kbfix-move line moves a file back, from where the change put it
 * (FROM) to where it was (TO); the SHA-256 is that of the file at FROM as
 * the apply left it.  TO is always "%SystemRoot%\..." and FROM either that
 * or "%BackupDir%\NAME.kbfix-STAMP.bak" (a backup of a deleted file in
 * the --backup-dir the apply recorded): paths relative to the Windows
 * folder `kbfix undo` is given, never absolute, never with "." or "..",
 * resolved below it without following a symbolic link (winpath.h), so
 * that an undo file moves nothing in or out of the machine but kbfix's
 * own backups.  The paths are quoted as names in kbfix lines.
 *
 * An undo manifest names the undo files of one apply (every hive of the
 * machine, and its files), for `kbfix undo` to carry out together, all
 * or none, as the apply was made:
 *
 *     ; kbfix-undo: apply 1
 *     ; kbfix-root: "/mnt/xp"                   the folder they are below
 *     ; kbfix-backup-dir: "/srv/backups"         only with --backup-dir
 *     ; kbfix-part: "WINDOWS\\system32\\config\\SYSTEM"
 *         "WINDOWS\\system32\\config\\SYSTEM.kbfix-...-undo.reg"
 *     ; kbfix-part: "WINDOWS" "WINDOWS\\kbfix-...-files-undo.reg"
 *     ; kbfix-end: sha256 ...
 *
 * Each kbfix-part line (one line) names what an undo file puts back (a
 * hive, or the Windows folder of a files undo file) and the undo file,
 * as undo_part says; `kbfix undo MANIFEST FOLDER` finds them below FOLDER
 * instead of the root (the volume mounted elsewhere), without following
 * a symbolic link.  Each undo file is then checked as when it is given
 * alone.
 */
#ifndef KBFIX_UNDO_H
#define KBFIX_UNDO_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "hive.h"
#include "plan.h"
#include "regtext.h"

/* The largest undo file kbfix writes, and so reads. */
#define UNDO_MAX_SIZE	(256UL * 1024 * 1024)

/* One file move of a files undo file. */
struct undo_move {
	char *from;	/* NULL: deleted from an output folder's copy, with
			 * nothing to move back (written as a comment) */
	char *to;
	char sha256[65];	/* FROM's content as the apply left it ("" when
				 * FROM is NULL) */
	long line;	/* in the undo file, when read back */
};

/* One undo file of an undo manifest: what it puts back, a hive or (for a
 * files undo file) the Windows folder, and the undo file itself; as
 * written in the manifest: paths below its root, elements separated by
 * '\\', never absolute, never "." or "..", or for the undo file
 * "%BackupDir%\\NAME", an undo file kbfix made in the --backup-dir the
 * apply recorded. */
struct undo_part {
	char *target;
	char *undo;
	long line;	/* in the manifest, when read back */
};

/* An undo file, read back and checked. */
struct undo_file {
	int plain;		/* a .reg file without the kbfix-undo line: its
				 * keys and values only, none of the checks */
	int files;		/* a files undo file (moves), else a hive's */
	char *hive;		/* the hive's file name (hive undo files) */
	enum hive_kind kind;
	char sha256[65];	/* the hive after the apply */
	int64_t root_time;	/* its root key's time (kbfix-hive-root-time) */
	int has_root_time;
	struct regfile *rf;	/* the entries (hive undo files) */
	struct undo_move *moves;	/* files undo files */
	size_t nmoves;
	char *backup_dir;	/* files undo files and manifests:
				 * --backup-dir, or NULL */
	int manifest;		/* an undo manifest: the undo files of one
				 * apply, carried out together */
	char *root;		/* manifests: the folder, absolute, its parts
				 * are below (the TARGET folder; the folder
				 * holding the hive files; the output folder) */
	struct undo_part *parts;	/* manifests */
	size_t nparts;
	char **remedies;	/* the remedies whose changes it undoes
				 * (kbfix-remedy lines) */
	size_t nremedies;
};

/* The entries of the undo file of the changes of P on ORIG (the hive the
 * plan was made on) that gave AFTER (the new file, read-only): the model
 * undo_write writes and undo_verify compares with what it reads back.
 * Returns 0 and *OUT (regfile_free) or -1 with D. */
int undo_model(const struct plan *p, const struct hive *orig,
    const struct hive *after, struct regfile **out, struct diag *d);

/* Write to F the undo file SELF (its own path, for the "Apply it with"
 * line of its header) of model RF for ORIG's changes by P (naming its
 * remedies); DEST is where the changed hive goes (ORIG's path, or its
 * copy in an output folder), SHA256 its SHA-256.  TOOL ("kbfix 0.1") and
 * STAMP (UTC) go in its header.  A file that would be larger than
 * UNDO_MAX_SIZE is refused.  Returns 0 or -1 with D. */
int undo_write(FILE *f, const char *self, const struct regfile *rf,
    const struct plan *p, const struct hive *orig, const char *dest,
    const char *sha256, const char *tool, const char *stamp,
    struct diag *d);

/* Write to F the undo file of the N file moves M made by P in the Windows
 * folder WINDIR (named in its header); BACKUP_DIR is the --backup-dir
 * that FROM paths "%BackupDir%\..." are in, or NULL.  Returns 0 or -1
 * with D. */
int undo_write_files(FILE *f, const char *self, const struct plan *p,
    const struct undo_move *m, size_t n, const char *windir,
    const char *backup_dir, const char *tool, const char *stamp,
    struct diag *d);

/* Write to F the undo manifest SELF of one apply by P: its N undo files
 * PARTS (as undo_part says they are written), below ROOT (absolute), the
 * backup folder BACKUP_DIR (absolute) of those in "%BackupDir%", or
 * NULL.  `kbfix undo SELF` carries them out together (cmd-undo.c).
 * Returns 0 or -1 with D. */
int undo_write_manifest(FILE *f, const char *self, const struct plan *p,
    const struct undo_part *parts, size_t n, const char *root,
    const char *backup_dir, const char *tool, const char *stamp,
    struct diag *d);

/* Parse the undo file TEXT (LEN bytes; NAME for messages): its header,
 * its last line and checksum, then its entries or moves.  One cut short,
 * or whose checksum does not match, is refused with one message.  A text
 * without the kbfix-undo line is a .reg file of the hive's root (PLAIN):
 * its keys and values are read, and undo_check_hive and undo_check pass
 * it (the caller says it is not an undo file).  Returns 0 and *OUT
 * (undo_file_free) or -1 with D. */
int undo_parse(const char *text, size_t len, const char *name,
    struct undo_file **out, struct diag *d);

/* Read and parse the undo file at PATH: a regular file of at most
 * UNDO_MAX_SIZE bytes.  Returns 0 and *OUT or -1 with D. */
int undo_read(const char *path, struct undo_file **out, struct diag *d);
void undo_file_free(struct undo_file *u);

/* Read back the hive undo file just written at PATH and check it: the
 * entries as MODEL holds them, name for name and byte for byte; bound to
 * AFTER (the hive it restores, SHA256 its SHA-256); no conflict on AFTER;
 * each change its plan makes on AFTER gives back what ORIG holds; and
 * each change of P on ORIG is undone.  Returns 0, or -1 with D naming
 * what differs. */
int undo_verify(const char *path, const struct regfile *model,
    const struct plan *p, const struct hive *orig, const struct hive *after,
    const char *sha256, struct diag *d);

/* The same for a files undo file: its moves are the N of M. */
int undo_verify_files(const char *path, const struct undo_move *m, size_t n,
    struct diag *d);

/* Check that U (read from the file NAME) was written for a hive of HV's
 * kind and file name (with FORCE, another name is a warning).  Returns 0,
 * or -1 with D. */
int undo_check_hive(const struct undo_file *u, const char *name,
    const struct hive *hv, int force, struct diag *d);

/* Check that U may be carried out on HV, which undo_check_hive accepted:
 * the hive as the apply left it (its SHA-256 is SHA256; "" if unknown)
 * may be.  Otherwise each entry P (undo_plan's plan of U on HV) writes is
 * checked against what the apply left there: each one that no longer
 * holds is a conflict, one message each; and a hive whose root key's time
 * is not the one recorded is another machine's, or one Windows has
 * written since (kbfix never changes a key's time): refused too.  With
 * FORCE these are warnings.  Returns 0, or -1 with D. */
int undo_check(const struct undo_file *u, const char *name, struct hive *hv,
    const char *sha256, const struct plan *p, int force, struct diag *d);

/* The plan that makes HV hold what U's entries restore (NAME for
 * messages): keys deleted, keys and values created or set, values
 * deleted.  Nothing the hive already holds is planned, so the plan of a
 * file already applied is empty.  Each change's line is that of its .reg
 * line in the file.  Returns 0 and *OUT (plan_free) or -1 with D. */
int undo_plan(const struct undo_file *u, const char *name, struct hive *hv,
    struct plan **out, struct diag *d);

/* The plan that moves the files of U back, in the Windows folder WINDIR:
 * a CHANGE_RENAME_FILE for each file still at FROM.  One already back
 * (TO there, FROM gone) is skipped, so a second undo finds nothing; both
 * there, or neither, is an error, and so is a file at FROM whose content
 * is not what the apply left (unless FORCE: then a warning).  Returns 0
 * and *OUT (plan_free) or -1 with D. */
int undo_moves_plan(const struct undo_file *u, const char *name,
    const char *windir, int force, struct plan **out, struct diag *d);

#endif
