/* txlog.h: registry transaction logs (.LOG, .LOG1, .LOG2) and their replay.
 *
 * Windows 8 and later write changes to the logs first ("new" format: base
 * block file type 6, then HvLE entries) and reconcile the primary file
 * later; older Windows writes the "old" format (file type 1: a DIRT bitmap
 * and the dirty pages).  A hive whose logs hold entries newer than its
 * primary file is stale without them.
 */
#ifndef KBFIX_TXLOG_H
#define KBFIX_TXLOG_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct txlog_file {
	char *path;		/* the log file found beside the hive */
	int format;		/* 1 old (DIRT), 6 new (HvLE), 0 unreadable */
	uint32_t first_seq, last_seq;	/* entries found valid, 0 if none */
	size_t entries_applied;
	size_t pages_applied;
	int stale;		/* older than the hive: ignored */
	char *stopped;		/* why reading stopped early, or NULL */
	int damaged;		/* the replay stopped here on damage (a
				 * truncated or corrupt entry, a sequence
				 * gap) that may hide newer changes; STOPPED
				 * says where.  A log's normal end (an old
				 * entry, unwritten space) is not damage. */
};

struct txlog_state {
	struct txlog_file *files;	/* LOG, LOG1, LOG2 as found */
	size_t nfiles;
	int dirty;		/* the hive's sequence numbers differ or its
				 * base block checksum is wrong */
	int pending;		/* some log holds data newer than the hive */
	uint32_t seq_before;	/* the hive's sequence numbers before */
	uint32_t seq_before2;	/* (primary, secondary) ... */
	uint32_t seq_after;	/* ... and after a replay (both equal) */
	uint32_t bins_after;	/* hive bins size after a replay */
};

/* Find the logs beside HIVE_PATH (HIVE.LOG, .LOG1, .LOG2 in any letter
 * case) and read them without changing anything.  Fills *ST (caller frees
 * with txlog_state_free).  Returns 0, or -1 with a message in D when a log
 * is unreadable in a way that makes the hive's state unknown. */
int txlog_inspect(const char *hive_path, struct txlog_state *st,
    struct diag *d);

/* Replay the logs of HIVE_PATH in memory, entries ordered by sequence
 * number across both files as Windows does, stopping at the first invalid
 * one.  On success *OUT is a malloc'd recovered hive image of *OUTLEN
 * bytes (equal sequence numbers, right checksum; caller frees) and ST says
 * what was applied; 0 is returned.  -1 with D on error.  Nothing on disk
 * is written. */
int txlog_recover(const char *hive_path, unsigned char **out, size_t *outlen,
    struct txlog_state *st, struct diag *d);

void txlog_state_free(struct txlog_state *st);

/* The Marvin32 hash of N bytes at P with the seed of registry logs, as an
 * HvLE entry stores its two hashes (the tests build logs with it). */
uint64_t txlog_marvin32(const unsigned char *p, size_t n);

#endif
