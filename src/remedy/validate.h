/* validate.h: the checks of "kbfix validate", for remedy authors.
 *
 * Loading a remedy (remedy_load) already runs the schema and the semantic
 * checks (remedy_check).  A remedy meant for a library must also be named
 * and numbered consistently and come with tests; validate_file adds those
 * rules, which apply and the dry run do not need.
 */
#ifndef KBFIX_VALIDATE_H
#define KBFIX_VALIDATE_H

#include "diag.h"
#include "remedy.h"

struct validate_options {
	const char *schema;	/* path of remedy.xsd */
	const char *tests_dir;	/* NULL, or a folder that must hold a test
				 * of each remedy: a file named ID.* or ID-*
				 * (golden output, a script), not a .xml */
	const char *library;	/* the library folder: only the files in it
				 * must be named after their id; NULL: every
				 * file must */
};

/* Check the remedy file PATH: everything remedy_load checks, then
 *   - the id is the file's name without ".xml", for a file of the
 *     library (O->library), which finds "kbfix show ID" by its name;
 *   - an id written as an article number (Q123, KB123, optionally with a
 *     "-suffix") is the number of its <article>;
 *   - a remedy with actions quotes the WORKAROUND it encodes;
 *   - with O->tests_dir, a test of the remedy is there.
 * A draft gets a warning.  Every problem goes to D as PATH:LINE: error:
 * MSG.  Returns the number of errors added (0: valid). */
int validate_file(const char *path, const struct validate_options *o,
    struct diag *d);

/* The rules above other than loading, on a remedy already loaded from
 * R->file.  Returns the number of errors added. */
int validate_remedy(const struct remedy *r, const struct validate_options *o,
    struct diag *d);

#endif
