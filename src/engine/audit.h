/* audit.h: the audit log of --audit FILE, for the forensic examiner who
 * must show what was done to a copy of the evidence.
 *
 * JSON Lines: one object per line, appended, each written by a single
 * write(2) so that lines of kbfix runs sharing a log never interleave,
 * and taken back (truncated off) when the disk fills up in the middle of
 * one, so that the log holds whole lines only.  apply writes the records
 * of what it changes, and syncs them (audit_sync), before the first hive
 * is replaced; a record that could not be written stops it then.
 * Every record has "event" and "time" (UTC); the records and their
 * members are documented in docs/json-format.md.
 */
#ifndef KBFIX_AUDIT_H
#define KBFIX_AUDIT_H

#include <stdio.h>

#include "diag.h"

#define AUDIT_VERSION 1

struct audit;

/* Open PATH for appending (created 0600 if missing).  Returns 0 and *OUT
 * (audit_close) or -1 with D. */
int audit_open(const char *path, struct audit **out, struct diag *d);

/* Close A; -1 with D if a record could not be written.  NULL is
 * allowed.  audit_close_late says it as a warning: for a run that made
 * its changes (audit_sync succeeded before them), only its last records
 * are missing. */
int audit_close(struct audit *a, struct diag *d);
int audit_close_late(struct audit *a, struct diag *d);

/* Room kept in the log by audit_sync for the records after it. */
#define AUDIT_RESERVE	65536

/* Sync the records written so far to disk.  -1 with D if one of them
 * could not be written, or the sync fails: a run must then change
 * nothing.  NULL is allowed. */
int audit_sync(struct audit *a, struct diag *d);

/* Start a record: returns a stream holding {"event":EVENT,"time":...
 * and, when TARGET is not NULL, "target":TARGET.  The caller writes more
 * members (each starting with ',') and ends it with audit_end, which
 * closes the object and writes the line.  NULL on out-of-memory (the
 * record is then lost, and audit_close reports it). */
FILE *audit_begin(struct audit *a, const char *event, const char *target);
void audit_end(struct audit *a, FILE *rec);

/* Append LINE (LEN bytes: one whole record, as another audit log holds
 * it; a newline is added when it has none) to A. */
void audit_append(struct audit *a, const char *line, size_t len);

/* The SHA-256 of the file at PATH as 64 hex digits and a NUL in HEX.
 * Returns 0, or -1 (errno set) if it cannot be read. */
int audit_sha256_file(const char *path, char hex[65]);

/* The SHA-256 of the N bytes at BUF as 64 hex digits and a NUL in HEX. */
void audit_sha256_buf(const void *buf, size_t n, char hex[65]);

/* Write ,"NAME":"hex" (or null when PATH cannot be read) to F. */
void audit_put_sha256(FILE *f, const char *name, const char *path);

#endif
