/* image.h: one machine to work on, found from the TARGETs.
 *
 * A machine is given either as its hive files (every file TARGET of the
 * command line together), or as one folder TARGET, which is one of:
 *   - a copied or mounted volume holding a Windows folder: "Windows", or
 *     "WINNT" for NT 4.0 and 2000, in any letter case.  The hives are in
 *     its System32\config, the users' NTUSER.DAT in the profiles under
 *     "Documents and Settings" and "Users", and wherever SOFTWARE's
 *     ProfileList puts them on that volume;
 *   - a Windows folder itself (it holds System32): the same, without the
 *     profiles, which are outside it;
 *   - any other folder: the hive files directly in it, by name (SYSTEM,
 *     SOFTWARE, NTUSER.DAT ... in any letter case), as in
 *     Windows\System32\config or a folder of hives copied off a machine.
 * Every name is looked up as Windows does (any letter case), and nothing
 * leads out of the folder: symbolic links below it are never followed and
 * ".." is refused (winpath.h); the messages name them.
 */
#ifndef KBFIX_IMAGE_H
#define KBFIX_IMAGE_H

#include <stddef.h>

#include "diag.h"
#include "hivekind.h"

struct image {
	char *root;		/* the folder; NULL for hive files */
	char *windir;		/* its Windows folder (for %SystemRoot%), or
				 * NULL */
	char **hives;		/* the hive files found, NULL-terminated */
	char **rel;		/* each hive's path below ROOT as spelled on
				 * disk, or, for hive files, as given (its base
				 * name when given with ".." or from "/") */
	size_t nhives;
};

/* Find in FOLDER the hives of the kinds WANT[kind] asks for (all of them
 * for HIVE_NTUSER: one per user) and the Windows folder.  Problems that
 * leave the machine usable (a profile that is a symbolic link, a
 * ProfileList entry on another volume) are warnings or notes in D.
 * Returns 0 and *OUT (caller frees with image_free), or -1 with D: no
 * Windows folder and no hive, two Windows folders, a hive that is a
 * symbolic link. */
int image_find(const char *folder, const int want[HIVE__COUNT],
    struct image **out, struct diag *d);

/* The machine made of the hive files FILES[0..N) (copied).  Returns 0 and
 * *OUT, or -1 with D (out of memory only: the files are opened later). */
int image_from_files(char *const *files, size_t n, struct image **out,
    struct diag *d);

/* PATH, a hive of IM or a file below its folder, as a path below it (for
 * --output: DIR/that).  NULL if PATH is neither.  Caller frees. */
char *image_rel(const struct image *im, const char *path);

/* The name a hive of kind K has in System32\config or a profile
 * ("NTUSER.DAT", "SYSTEM" ...).  Static storage. */
const char *image_hive_file_name(enum hive_kind k);

void image_free(struct image *im);

/* Call FN for each profile that the SOFTWARE hive at SOFTWARE lists in
 * ProfileList (read on the replay of its logs when it is dirty): the
 * profile's SID, its ProfileImagePath as Windows wrote it, and the letter
 * of the drive Windows was installed on (from SystemRoot; 'C' when it
 * says none).  Stops at FN's first nonzero return and returns it; 0 when
 * SOFTWARE cannot be read or lists nothing (planning reports a bad hive). */
int image_profile_list(const char *software, int (*fn)(void *arg,
    const char *sid, const char *path, char sysdrive), void *arg);

/* Where the ProfileImagePath PATH lies: on the volume Windows was
 * installed on (%SystemDrive%\..., or the drive letter SYSDRIVE), in its
 * Windows folder (%SystemRoot%, %windir%), or elsewhere; *REST gets the
 * rest of PATH, below that. */
enum image_base { IMAGE_BASE_VOLUME, IMAGE_BASE_WINDIR, IMAGE_BASE_NONE };
enum image_base image_profile_base(const char *path, char sysdrive,
    const char **rest);

#endif
