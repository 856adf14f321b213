/* recover.h: dirty hives: their transaction logs replayed into a file.
 *
 * txlog.c replays the logs in memory; this module puts the result on disk
 * without ever writing beside the evidence: into a private temporary file
 * for the commands that plan (scan, the dry run, apply), or into a new
 * file the user named for "kbfix recover".
 *
 * Typical use by a command that plans or applies:
 *
 *	struct recovery r;
 *	struct hive *hv;
 *
 *	if (recover_hive_open(path, a.ignore_logs, 0, &r, &hv, d) < 0)
 *		fail;			// D says why; nothing was written
 *	... plan on hv ...
 *	hive_close(hv);
 *	recover_free(&r);		// unlinks the temporary file
 *
 * or, to handle the file itself, recover_temp and hive_open on r.path.
 */
#ifndef KBFIX_RECOVER_H
#define KBFIX_RECOVER_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "hive.h"
#include "txlog.h"

struct recovery {
	char *path;		/* the recovered hive, a temporary file of
				 * mode 0600 under $TMPDIR or /tmp; NULL when
				 * the hive needed no replay */
	struct txlog_state st;	/* the logs found and what was applied */
};

/* Replay HIVE_PATH's logs in memory (txlog_recover) and judge the result.
 * *IMG (caller frees) gets the recovered image of *LEN bytes, or the file
 * itself when the hive is clean; *ST what was found and applied (caller
 * frees with txlog_state_free).  Returns 0, or -1 with D (nothing to free)
 * when the hive or a log cannot be read, when the hive is dirty and no log
 * holds its newer changes (none beside it, all stale, or the first one
 * needed damaged), and, unless FLAGS has RECOVER_SALVAGE, when the replay
 * stopped on damage that may hide newer changes.  With RECOVER_SALVAGE
 * such a replay is kept, with a warning in D saying where it stopped. */
#define RECOVER_SALVAGE	1
int recover_image(const char *hive_path, int flags, unsigned char **img,
    size_t *len, struct txlog_state *st, struct diag *d);

/* Prepare HIVE_PATH for planning.  A clean hive (equal sequence numbers,
 * right checksum) needs nothing: R->path is NULL and 0 is returned (its
 * logs, if any, are stale and ignored).  A dirty hive has its logs
 * replayed into a new temporary file, R->path, which is then read back
 * whole with hivex (see recover_write), and 1 is returned; the hive and
 * its logs are only read.  -1 with D (R empty, no file left) when the hive
 * or a log cannot be read, when the replay stops on damage that may hide
 * newer changes (kbfix never plans on a half-replayed hive; "kbfix
 * recover" salvages what comes before the damage), when the hive is dirty
 * but no log holds its newer changes (missing or all stale), and when the
 * result does not hold together.  R->st says what was found in every case
 * but -1.  The caller releases R with recover_free, which also removes the
 * temporary file; it must keep R until it has closed the hive opened on
 * R->path. */
int recover_temp(const char *hive_path, struct recovery *r, struct diag *d);

/* Open the hive at HIVE_PATH for planning or applying, as the commands
 * do: hive_open with FLAGS on the replay of its logs when it is dirty
 * (recover_temp), with a note in D saying what was replayed, or on the
 * file itself when it is clean.  With IGNORE_LOGS (--ignore-logs) the file
 * is opened as it is, with a warning when it is dirty.  (*HV)->path is
 * HIVE_PATH even when the content comes from R->path, so that messages
 * and plans name the user's file.  Returns 0, or -1 with D (nothing to
 * free).  The caller closes *HV, then calls recover_free(R). */
int recover_hive_open(const char *hive_path, int ignore_logs, int flags,
    struct recovery *r, struct hive **hv, struct diag *d);

/* Remove R's temporary file (if any) and free R.  R may be zeroed or
 * already freed. */
void recover_free(struct recovery *r);

/* Write the hive image IMG of LEN bytes to OUT, which must not exist: into
 * a new temporary file beside OUT (same folder, so the final step stays
 * within one file system), fsync'd, then linked to OUT, which fails rather
 * than replace a file created meanwhile, and the folder fsync'd.  OUT gets
 * mode 0666 less the umask.  With CHECK (the path of the hive IMG was
 * replayed from, for messages) the file is first read whole with hivex and
 * refused if it does not hold together.  Returns 0, or -1 with D and
 * nothing left behind. */
int recover_write(const char *out, const unsigned char *img, size_t len,
    const char *check, struct diag *d);

/* One line saying what a replay applied, for a note:
 * "replayed 4 entries (10 pages) from 'SYSTEM.LOG1' and 20 entries (305
 * pages) from 'SYSTEM.LOG2', sequence numbers 1622/1621 -> 2130/2130".
 * Log files are named without their folder.  Caller frees; NULL on out of
 * memory. */
char *recover_summary(const struct txlog_state *st);

/* The sequence number apply gives the hive it writes (both fields): one
 * above every number of ST, the hive's own and every log entry's, stale
 * ones included (serial order: they may wrap).  A clean hive whose
 * number is above all its logs' is one Windows never replays them over:
 * it replays only a dirty hive, and then only entries from its secondary
 * sequence number on. */
uint32_t recover_next_seq(const struct txlog_state *st);

/* The log where the replay of ST stopped on damage, or NULL.  Borrowed
 * from ST. */
const struct txlog_file *recover_damaged(const struct txlog_state *st);

#endif
