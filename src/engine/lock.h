/* lock.h: one kbfix at a time on a hive, and no stray files on a signal.
 *
 * The lock is flock(2) on the hive file itself, taken before planning and
 * held until the new file has replaced it.  Every writer of the hive, its
 * logs and its backups holds it, so it covers them all.  A process that
 * opened the old file before the rename and locks it after finds that the
 * path now names another file: it must re-open (lock_acquire checks).
 */
#ifndef KBFIX_LOCK_H
#define KBFIX_LOCK_H

#include <sys/stat.h>

#include "diag.h"

struct lock {
	int fd;
	char *path;
	struct stat st;		/* the file locked, when it was locked */
};

/* Lock PATH, which must be a regular file.  Returns 0 (release with
 * lock_release), or -1 with D: not a regular file, or "'PATH' is being
 * changed by another kbfix". */
int lock_acquire(const char *path, struct lock *l, struct diag *d);
void lock_release(struct lock *l);

/* Does L's path still name the file L locked, as it was (device, inode,
 * size, modification time)?  The lock only keeps other kbfix away: any
 * other program can move a file onto the path, or write to it.  Returns
 * 0, or -1 with D naming the path. */
int lock_same(const struct lock *l, struct diag *d);

/* Temporary files to remove if SIGINT, SIGTERM or SIGHUP arrives before
 * they are renamed into place: lock_temp_add once created,
 * lock_temp_forget once renamed or removed.  The handler only unlinks
 * (async-signal-safe), then re-raises the signal. */
void lock_temp_add(const char *path);
void lock_temp_forget(const char *path);
void lock_signals_install(void);

#endif
