/* render.h: a plan as text: the dry run's diff, a .reg file, JSON. */
#ifndef KBFIX_RENDER_H
#define KBFIX_RENDER_H

#include <stdio.h>

#include "diag.h"
#include "plan.h"

enum render_format {
	RENDER_DIFF,	/* .reg lines with '-' and '+', grouped by remedy */
	RENDER_REG,	/* a "Windows Registry Editor Version 5.00" file */
	RENDER_JSON,	/* documented in docs/json-format.md */
};

/* Write plan P to F in format FMT.  A deleted key is shown with every
 * subkey and value it holds, read from its hive (that is what the user is
 * about to lose).  Returns 0, or -1 with D if a hive cannot be read or F
 * fails. */
int render_plan(FILE *f, const struct plan *p, enum render_format fmt,
    struct diag *d);

/* Write the key of HV at NODE, PATH[0..N) and all below it, as .reg text
 * lines each preceded by PREFIX ("-" for the diff, "" for a .reg file).
 * Returns 0 or -1 with D. */
int render_subtree(FILE *f, const struct hive *hv, hive_node_h node,
    char *const *path, size_t n, const char *prefix, struct diag *d);

#endif
