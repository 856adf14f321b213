/* paths.h: where kbfix finds its remedy library and schema. */
#ifndef KBFIX_PATHS_H
#define KBFIX_PATHS_H

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

#endif
