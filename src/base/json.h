/* json.h: the JSON kbfix writes: plans (--format json) and the audit log
 * (--audit).  Only writing, one value at a time onto a stdio stream; the
 * structure itself is documented in docs/json-format.md. */
#ifndef KBFIX_JSON_H
#define KBFIX_JSON_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* S as a JSON string, or null when S is NULL.  Valid UTF-8 is written as
 * it is (control characters, '"' and '\\' escaped); a byte that is not
 * part of valid UTF-8 (a file name from a damaged volume) is written as
 * \u00XX, its Latin-1 reading, so the output always parses. */
void json_string(FILE *f, const char *s);

/* The first LEN bytes of S as a JSON string (S may hold NULs, which are
 * written as \u0000). */
void json_string_n(FILE *f, const char *s, size_t len);

/* DATA as a string of lowercase hex digits, two per byte. */
void json_hex(FILE *f, const void *data, size_t len);

/* T as a JSON string in UTC, "2026-11-23T10:15:00Z". */
void json_time(FILE *f, time_t t);

#endif
