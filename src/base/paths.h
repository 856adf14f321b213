/* paths.h: where kbfix finds its remedy library and schema; folders it
 * makes. */
#ifndef KBFIX_PATHS_H
#define KBFIX_PATHS_H

#include <stddef.h>

#include "diag.h"

/* The data directory: $KBFIX_DATADIR if set; the source tree when the
 * running binary is the uninstalled one of the build tree; else the
 * installed $(pkgdatadir).  Static storage. */
const char *paths_datadir(void);

/* The remedy library folder: $KBFIX_REMEDY_DIR if set, else
 * DATADIR/remedies.  Returns a newly allocated string the caller frees. */
char *paths_remedy_dir(void);

/* The remedy schema: DATADIR/remedies/remedy.xsd (it ships beside the
 * remedies it describes).  Caller frees. */
char *paths_schema(void);

/* Make the folder DIR and its missing parents (as mkdir -p), appending a
 * copy of the path of each one made to *MADE, *NMADE of them, so that the
 * caller can remove them again; the caller frees the strings and the
 * array.  Returns 0, or -1 with D (a part that is not a folder, one that
 * cannot be made). */
int paths_make_dirs(const char *dir, char ***made, size_t *nmade,
    struct diag *d);

/* The last component of PATH, after its last '/' (borrowed from PATH). */
const char *paths_base_name(const char *path);

#endif
