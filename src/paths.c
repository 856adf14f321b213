/* paths.c: locating the data directory.
 *
 * The quick start runs src/kbfix from the build tree before anything is
 * installed, so the binary must find remedies/ in the source tree then; an
 * installed binary uses $(pkgdatadir).  We tell the two apart by comparing
 * /proc/self/exe with the build tree's path, which configure recorded.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

const char *
paths_datadir(void)
{
	static char exe[PATH_MAX];
	const char *env = getenv("KBFIX_DATADIR");
	ssize_t n;

	if (env != NULL && *env != '\0')
		return env;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		size_t bl = strlen(KBFIX_BUILDDIR);
		exe[n] = '\0';
		if (strncmp(exe, KBFIX_BUILDDIR, bl) == 0 &&
		    exe[bl] == '/' && access(KBFIX_SRCDIR "/remedies", F_OK) == 0)
			return KBFIX_SRCDIR;
	}
	return KBFIX_DATADIR;
}

char *
paths_remedy_dir(void)
{
	const char *env = getenv("KBFIX_REMEDY_DIR");
	char *s = NULL;

	if (env != NULL && *env != '\0')
		return strdup(env);
	if (asprintf(&s, "%s/remedies", paths_datadir()) < 0)
		return NULL;
	return s;
}

char *
paths_schema(void)
{
	char *s = NULL;

	if (asprintf(&s, "%s/remedies/remedy.xsd", paths_datadir()) < 0)
		return NULL;
	return s;
}
