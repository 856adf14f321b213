/* paths.c: locating the data directory.
 *
 * The quick start runs src/kbfix from the build tree before anything is
 * installed, so the binary must find remedies/ in the source tree then; an
 * installed binary uses $(pkgdatadir).  We tell the two apart by comparing
 * /proc/self/exe with the build tree's path, which configure recorded.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int
paths_make_dirs(const char *dir, char ***made, size_t *nmade,
    struct diag *d)
{
	char *p = strdup(dir), *s;
	struct stat st;
	int r = 0;

	if (p == NULL)
		return diag_oom(d);
	for (s = p + (*p != '\0'); r == 0; s++) {
		int end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (*p != '\0' && stat(p, &st) < 0) {
			char **nv = realloc(*made, (*nmade + 1) * sizeof *nv);
			int ours;

			if (nv != NULL)
				*made = nv;
			ours = mkdir(p, 0777) == 0;
			/* Another process (an apply -j worker) may have
			 * made it since: then it is there, not ours. */
			if (!ours && !(errno == EEXIST && stat(p, &st) == 0 &&
			    S_ISDIR(st.st_mode))) {
				diag_error(d, NULL, 0, "cannot make the folder "
				    "'%s': %s", p, strerror(errno));
				r = -1;
			} else if (!ours)
				;
			else if (nv == NULL ||
			    (nv[*nmade] = strdup(p)) == NULL) {
				diag_oom(d);
				r = -1;
			} else
				(*nmade)++;
		} else if (*p != '\0' && !S_ISDIR(st.st_mode)) {
			diag_error(d, NULL, 0, "'%s' is not a folder", p);
			r = -1;
		}
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return r;
}

const char *
paths_base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}
