/* render.h: a plan as text: the dry run's diff, a .reg file, JSON. */
#ifndef KBFIX_RENDER_H
#define KBFIX_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "plan.h"

enum render_format {
	RENDER_DIFF,	/* lines with '-' and '+', grouped by remedy, values
			 * in valuetext.h's notation (docs/diff-format.md) */
	RENDER_REG,	/* a "Windows Registry Editor Version 5.00" file */
	RENDER_JSON,	/* documented in docs/json-format.md */
};

/* Write plan P to F in format FMT.  A deleted key is shown with every
 * subkey and value it holds, read from its hive (that is what the user is
 * about to lose).  Returns 0, or -1 with D if a hive cannot be read or F
 * fails. */
int render_plan(FILE *f, const struct plan *p, enum render_format fmt,
    struct diag *d);
/* render_plan, the diff's values shown with VFLAGS (valuetext.h:
 * VALUETEXT_UTF8); render_plan is this with 0. */
int render_plan_flags(FILE *f, const struct plan *p, enum render_format fmt,
    unsigned vflags, struct diag *d);

/* The version of the JSON structure (docs/json-format.md): raised when a
 * member changes meaning or goes away, not when one is added. */
#define RENDER_JSON_VERSION 1

/* Where a plan was computed, for its JSON rendering. */
struct render_info {
	const char *command;	/* "scan", "dry-run", "undo-dry-run" */
	const char *target;	/* the TARGET as given */
	const char *windir;	/* the Windows folder, or NULL */
	struct hive *const *hives;	/* the hives planned on */
	size_t nhives;
};

/* Plan P as one JSON object on one line (JSON Lines: a run on several
 * TARGETs writes one line each), with INFO (may be NULL).  Returns 0 or -1
 * with D. */
int render_json(FILE *f, const struct plan *p, const struct render_info *info,
    struct diag *d);

/* The line of a TARGET that could not be planned: INFO and the errors of
 * ERRS, with "exit": 2. */
void render_json_failure(FILE *f, const struct render_info *info,
    const struct diag *errs);

/* One change as a JSON object (the "changes" members of render_json; the
 * audit log's "change" records).  A deleted key lists what it holds when
 * SUBTREE is nonzero.  Returns 0 or -1 with D. */
int render_json_change(FILE *f, const struct change *c, int subtree,
    struct diag *d);

/* A registry value as a JSON object: type, raw bytes, and its text when
 * it is a string. */
void render_json_value(FILE *f, uint32_t type, const void *data, size_t len);

/* Write the key of HV at NODE, PATH[0..N) and all below it, as .reg text
 * lines each preceded by PREFIX ("-" for the diff, "" for a .reg file).
 * Returns 0 or -1 with D. */
int render_subtree(FILE *f, const struct hive *hv, hive_node_h node,
    char *const *path, size_t n, const char *prefix, struct diag *d);

#endif
