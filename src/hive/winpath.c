/* winpath.c: Windows paths inside a copied Windows folder. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "winpath.h"

/* The entry of DIRFD named NAME ignoring case; the spelling on disk is
 * copied to FOUND.  Returns 1, 0 if none, -1 on error. */
static int
find_entry(int dirfd, const char *name, char *found, size_t sz)
{
	int fd = dup(dirfd);
	DIR *dir;
	struct dirent *de;
	int r = 0;

	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -1;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		if (names_equal(de->d_name, name)) {
			snprintf(found, sz, "%s", de->d_name);
			r = 1;
			break;
		}
	}
	closedir(dir);
	return r;
}

char *
winpath_join(const char *base, const char *name)
{
	char *s;

	if (strcmp(base, ".") == 0)
		return strdup(name);
	if (asprintf(&s, "%s%s%s", base, *base && base[strlen(base) - 1] ==
	    '/' ? "" : "/", name) < 0)
		return NULL;
	return s;
}

/* The work of winpath_lookup; SHOWN names the path in messages. */
static int
lookup(const char *base, const char *rel, const char *shown, char **out,
    int *exists, struct diag *d)
{
	char *copy = NULL, *elem, *save = NULL, *path = NULL;
	int dirfd = -1, missing = 0;

	*out = NULL;
	*exists = 0;
	dirfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", base,
		    strerror(errno));
	copy = strdup(rel);
	path = strdup(base);
	if (copy == NULL || path == NULL)
		goto oom;
	*exists = 1;
	for (elem = strtok_r(copy, "\\/", &save); elem != NULL;
	    elem = strtok_r(NULL, "\\/", &save)) {
		char found[256];
		char *np = NULL;
		struct stat st;
		int r;

		if (strcmp(elem, ".") == 0 || strcmp(elem, "..") == 0) {
			diag_error(d, NULL, 0,
			    "'%s': '%s' is not allowed in a file path",
			    shown, elem);
			goto fail;
		}
		if (missing) {
			r = 0;
		} else if ((r = find_entry(dirfd, elem, found,
		    sizeof found)) < 0) {
			diag_error(d, NULL, 0, "cannot read '%s': %s", path,
			    strerror(errno));
			goto fail;
		}
		if ((np = winpath_join(path, r ? found : elem)) == NULL)
			goto oom;
		free(path);
		path = np;
		if (r == 0) {
			missing = 1;
			continue;
		}
		if (fstatat(dirfd, found, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			diag_error(d, NULL, 0, "cannot stat '%s': %s", path,
			    strerror(errno));
			goto fail;
		}
		if (S_ISLNK(st.st_mode)) {
			diag_error(d, NULL, 0,
			    "'%s' is a symbolic link: not followed", path);
			goto fail;
		}
		if (S_ISDIR(st.st_mode)) {
			int nfd = openat(dirfd, found, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);

			if (nfd < 0) {
				diag_error(d, NULL, 0, "cannot open '%s': %s",
				    path, strerror(errno));
				goto fail;
			}
			close(dirfd);
			dirfd = nfd;
		} else {
			/* A file: it must be the last element. */
			if (strtok_r(NULL, "\\/", &save) != NULL) {
				diag_error(d, NULL, 0,
				    "'%s': '%s' is not a folder", shown,
				    path);
				goto fail;
			}
			break;
		}
	}
	if (missing)
		*exists = 0;
	close(dirfd);
	free(copy);
	*out = path;
	return 0;
oom:
	diag_oom(d);
fail:
	*exists = 0;
	if (dirfd >= 0)
		close(dirfd);
	free(copy);
	free(path);
	return -1;
}

int
winpath_lookup(const char *base, const char *rel, char **out, int *exists,
    struct diag *d)
{
	return lookup(base, rel, rel, out, exists, d);
}

/* The length of the %SystemRoot% or %windir% WINPATH starts with, or 0. */
static size_t
root_len(const char *winpath)
{
	static const char *const roots[] = { "%SystemRoot%", "%windir%" };
	size_t i;

	for (i = 0; i < 2; i++) {
		size_t l = strlen(roots[i]);
		char head[16];

		if (strlen(winpath) >= l) {
			memcpy(head, winpath, l);
			head[l] = '\0';
			if (names_equal(head, roots[i]) &&
			    (winpath[l] == '\0' || winpath[l] == '\\' ||
			    winpath[l] == '/'))
				return l;
		}
	}
	return 0;
}

int
winpath_resolve(const char *windir, const char *winpath, char **out,
    int *exists, struct diag *d)
{
	size_t l = root_len(winpath);

	*out = NULL;
	*exists = 0;
	if (l == 0)
		return diag_error(d, NULL, 0,
		    "'%s': file paths must start with %%SystemRoot%%", winpath);
	return lookup(windir, winpath + l, winpath, out, exists, d);
}

char *
winpath_from_host(const char *windir, const char *path)
{
	char *prefix, *s, *q;

	if ((prefix = winpath_join(windir, "")) == NULL)
		return NULL;
	if (strncmp(path, prefix, strlen(prefix)) != 0 ||
	    path[strlen(prefix)] == '\0') {
		free(prefix);
		return NULL;
	}
	if (asprintf(&s, "%%SystemRoot%%\\%s", path + strlen(prefix)) < 0)
		s = NULL;
	free(prefix);
	for (q = s; q && *q; q++)
		if (*q == '/')
			*q = '\\';
	return s;
}
