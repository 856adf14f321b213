/* diag.h: diagnostics collected by the stages, printed by the commands.
 *
 * Stage functions never print: they append to a struct diag and return -1
 * (or a count of errors): "return diag_error(d, file, line, ...);", and
 * "return diag_oom(d);" when memory ran out.  Only the subcommand files
 * print a diag and pick the exit code.  Messages follow git's style:
 * lowercase, subject quoted.
 */
#ifndef KBFIX_DIAG_H
#define KBFIX_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag_item {
	enum diag_level level;
	char *file;		/* may be NULL */
	long line;		/* 0: no line */
	char *msg;
};

struct diag {
	struct diag_item *items;
	size_t n, cap;
	size_t nerrors, nwarnings;
};

/* Initialise an empty diag; release it with diag_free. */
void diag_init(struct diag *d);

/* Append a message.  FILE is copied (may be NULL); LINE 0 means none.
 * Never fails: on out-of-memory the message is "out of memory", or is
 * dropped but still counted. */
void diag_add(struct diag *d, enum diag_level level, const char *file,
    long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* An error, as diag_add makes it; returns -1, so that a stage function
 * fails with "return diag_error(d, ...);". */
int diag_error(struct diag *d, const char *file, long line,
    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* diag_error with the arguments of FMT in AP, for the wrappers of a stage
 * that count or hold back their errors.  Returns -1. */
int diag_verror(struct diag *d, const char *file, long line, const char *fmt,
    va_list ap)
    __attribute__((format(printf, 4, 0)));

/* The one way to say that memory ran out: the error "out of memory"
 * (no file, no line); returns -1 as diag_error does. */
int diag_oom(struct diag *d);

#define diag_warning(d, file, line, ...) \
	diag_add((d), DIAG_WARNING, (file), (line), __VA_ARGS__)
#define diag_note(d, file, line, ...) \
	diag_add((d), DIAG_NOTE, (file), (line), __VA_ARGS__)

/* Move every item of SRC to the end of DST; SRC is left empty. */
void diag_move(struct diag *dst, struct diag *src);

/* Write each item as one line: "file:line: error: msg", "file: warning: msg",
 * or "kbfix: error: msg" when there is no file.  Used by commands only. */
void diag_print(const struct diag *d, FILE *f);

/* Release the items; D itself is the caller's. */
void diag_free(struct diag *d);

#endif
