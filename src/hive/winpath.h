/* winpath.h: Windows paths of file actions (%SystemRoot%\System32\x.dll)
 * resolved inside a Windows folder copied to this machine.
 *
 * NTFS keeps the letter case a file was created with, and Windows ignores
 * it: "system32" and "System32" are the same folder.  A copied image can
 * hold symbolic links planted to lead outside it; none is followed.
 */
#ifndef KBFIX_WINPATH_H
#define KBFIX_WINPATH_H

#include "diag.h"

/* Resolve WINPATH, which starts with %SystemRoot% or %windir%, inside
 * WINDIR.  Each element is matched case-insensitively; "." and "..",
 * and symbolic links anywhere on the way, are refused with a message
 * naming them.  On success returns 0, *OUT is the path on this machine
 * (caller frees) and *EXISTS says whether the file is there (when an
 * element is missing, *OUT spells the rest as WINPATH does).  -1 with D. */
int winpath_resolve(const char *windir, const char *winpath, char **out,
    int *exists, struct diag *d);

/* The same for REL, elements separated by '\\' or '/', inside the folder
 * BASE (no %SystemRoot% in front): how kbfix finds System32\config and the
 * users' profiles in a copied volume.  REL "" is BASE itself.  BASE "."
 * gives paths without "./" in front. */
int winpath_lookup(const char *base, const char *rel, char **out,
    int *exists, struct diag *d);

/* BASE joined with NAME by one '/', without a "./" in front when BASE is
 * ".".  Returns a new string the caller frees, NULL when out of memory. */
char *winpath_join(const char *base, const char *name);

/* PATH, a path inside WINDIR as winpath_resolve spells it, written back
 * as "%SystemRoot%\System32\x.dll"; NULL when PATH is not below WINDIR
 * (or out of memory).  Caller frees. */
char *winpath_from_host(const char *windir, const char *path);

#endif
