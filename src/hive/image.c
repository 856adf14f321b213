/* image.c: the hives and the Windows folder of one machine. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hive.h"
#include "image.h"
#include "names.h"
#include "recover.h"
#include "winpath.h"

/* The hives of System32\config, in the order they are listed. */
static const enum hive_kind config_kinds[] = {
	HIVE_SYSTEM, HIVE_SOFTWARE, HIVE_SAM, HIVE_SECURITY, HIVE_DEFAULT,
	HIVE_COMPONENTS,
};

/* The folders holding the users' profiles, below the volume: NT 4.0 kept
 * them in %SystemRoot%\Profiles (found through ProfileList). */
static const char *const profile_dirs[] = {
	"Documents and Settings", "Users",
};

struct ictx {
	struct image *im;
	const char *folder;	/* as given */
	struct diag *d;
	dev_t *devs;		/* the hives found so far, to skip a profile
				 * found twice */
	ino_t *inos;
};

const char *
image_hive_file_name(enum hive_kind k)
{
	switch (k) {
	case HIVE_NTUSER:
		return "NTUSER.DAT";
	case HIVE_USRCLASS:
		return "UsrClass.dat";
	case HIVE_AMCACHE:
		return "Amcache.hve";
	default:
		return hive_kind_name(k);
	}
}

static int
add_hive(struct ictx *c, const char *path, const char *rel)
{
	struct image *im = c->im;
	char **nh, **nr;
	dev_t *nd;
	ino_t *ni;
	struct stat st;
	size_t i;

	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof st);
	for (i = 0; i < im->nhives; i++)
		if (st.st_ino != 0 && c->inos[i] == st.st_ino &&
		    c->devs[i] == st.st_dev)
			return 0;
	nh = realloc(im->hives, (im->nhives + 2) * sizeof *nh);
	if (nh != NULL)
		im->hives = nh;
	nr = realloc(im->rel, (im->nhives + 2) * sizeof *nr);
	if (nr != NULL)
		im->rel = nr;
	nd = realloc(c->devs, (im->nhives + 1) * sizeof *nd);
	if (nd != NULL)
		c->devs = nd;
	ni = realloc(c->inos, (im->nhives + 1) * sizeof *ni);
	if (ni != NULL)
		c->inos = ni;
	if (nh == NULL || nr == NULL || nd == NULL || ni == NULL)
		goto oom;
	nh[im->nhives] = strdup(path);
	nr[im->nhives] = strdup(rel);
	if (nh[im->nhives] == NULL || nr[im->nhives] == NULL) {
		free(nh[im->nhives]);
		free(nr[im->nhives]);
		goto oom;
	}
	nd[im->nhives] = st.st_dev;
	ni[im->nhives] = st.st_ino;
	im->nhives++;
	nh[im->nhives] = nr[im->nhives] = NULL;
	return 0;
oom:
	return diag_oom(c->d);
}

/* PATH below the folder, for --output. */
static const char *
below(const struct ictx *c, const char *path)
{
	size_t l = strlen(c->folder);

	if (strcmp(c->folder, ".") == 0)
		return path;
	if (strncmp(path, c->folder, l) == 0 && path[l] == '/')
		return path + l + 1;
	if (l && c->folder[l - 1] == '/' && strncmp(path, c->folder, l) == 0)
		return path + l;
	return path;
}

/* Look REL up below BASE (winpath_lookup) and, when it is a regular file,
 * add it.  A symbolic link or ".." on the way is an error: a planted link
 * must not make kbfix read or write outside the folder. */
static int
find_hive(struct ictx *c, const char *base, const char *rel)
{
	char *path = NULL;
	int exists = 0, r = 0;
	struct stat st;

	if (winpath_lookup(base, rel, &path, &exists, c->d) < 0)
		return -1;
	if (exists && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		r = add_hive(c, path, below(c, path));
	else if (exists)
		diag_warning(c->d, NULL, 0, "'%s' is not a regular file: "
		    "skipped", path);
	free(path);
	return r;
}

/* Does a symbolic link at depth DEPTH below the folder, pointing at TO,
 * lead out of it?  Absolute links always do: the volume's root is not
 * this machine's. */
static int
link_leaves(const char *to, int depth)
{
	char *copy, *e, *save = NULL;
	int out = 0;

	if (to[0] == '/')
		return 1;
	if ((copy = strdup(to)) == NULL)
		return 1;
	for (e = strtok_r(copy, "/", &save); e != NULL && !out;
	    e = strtok_r(NULL, "/", &save)) {
		if (strcmp(e, "..") == 0)
			out = --depth < 0;
		else if (strcmp(e, ".") != 0)
			depth++;
	}
	free(copy);
	return out;
}

/* A symbolic link met while looking for profiles: not followed.  One that
 * leads out of the folder is a warning; one inside it (Vista and later
 * keep "Documents and Settings" as a junction to "Users") a note. */
static void
link_met(struct ictx *c, const char *path)
{
	char to[4096];
	ssize_t n = readlink(path, to, sizeof to - 1);
	const char *rel = below(c, path), *s;
	int depth = 0;

	for (s = rel; *s; s++)
		if (*s == '/')
			depth++;
	if (n < 0)
		n = 0;
	to[n] = '\0';
	if (link_leaves(to, depth))
		diag_warning(c->d, NULL, 0, "'%s' is a symbolic link leading "
		    "out of '%s' (to '%s'): not followed", path, c->folder,
		    to);
	else
		diag_note(c->d, NULL, 0, "'%s' is a symbolic link (to '%s'): "
		    "not followed", path, to);
}

/* Move the messages of SRC to D, errors as warnings (prefixed with WHAT
 * when not NULL): problems of one profile that do not stop the others. */
static void
demote(struct diag *d, struct diag *src, const char *what)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		struct diag_item *it = &src->items[i];

		diag_add(d, it->level == DIAG_ERROR ? DIAG_WARNING : it->level,
		    it->file, it->line, "%s%s%s", what ? what : "",
		    what ? ": " : "", it->msg);
	}
	diag_free(src);
	diag_init(src);
}

static int
cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every NTUSER.DAT of the profiles in the folder DIR (sorted by name). */
static int
scan_profiles(struct ictx *c, const char *dir)
{
	struct dirent **list = NULL;
	int n, i, r = 0;

	if ((n = scandir(dir, &list, NULL, cmp_name)) < 0) {
		diag_warning(c->d, NULL, 0, "cannot read '%s': %s", dir,
		    strerror(errno));
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *nm = list[i]->d_name;
		char *p = NULL, *hive = NULL;
		int exists;
		struct stat st;
		struct diag tmp;

		if (r < 0 || strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		if ((p = winpath_join(dir, nm)) == NULL) {
			diag_oom(c->d);
			r = -1;
			continue;
		}
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
			if (S_ISLNK(st.st_mode))
				link_met(c, p);
			free(p);
			continue;
		}
		/* A profile without NTUSER.DAT (All Users) is no user; a
		 * broken one (NTUSER.DAT a planted link) is not a reason to
		 * give up the machine. */
		diag_init(&tmp);
		if (winpath_lookup(p, "NTUSER.DAT", &hive, &exists, &tmp) < 0)
			exists = 0;
		demote(c->d, &tmp, NULL);
		diag_free(&tmp);
		if (exists && lstat(hive, &st) == 0 && S_ISREG(st.st_mode))
			r = add_hive(c, hive, below(c, hive));
		free(hive);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return r;
}

/* Does TEXT start with VAR (case-insensitive, as Windows expands
 * environment variables)?  Returns its length or 0. */
static size_t
starts_with_var(const char *text, const char *var)
{
	size_t l = strlen(var);

	return strncasecmp(text, var, l) == 0 ? l : 0;
}

enum image_base
image_profile_base(const char *path, char sysdrive, const char **rest)
{
	size_t l;

	if ((l = starts_with_var(path, "%SystemDrive%")) != 0) {
		*rest = path + l;
		return IMAGE_BASE_VOLUME;
	}
	if ((l = starts_with_var(path, "%SystemRoot%")) != 0 ||
	    (l = starts_with_var(path, "%windir%")) != 0) {
		*rest = path + l;
		return IMAGE_BASE_WINDIR;
	}
	if (isalpha((unsigned char)path[0]) && path[1] == ':' &&
	    toupper((unsigned char)path[0]) == sysdrive) {
		*rest = path + 2;
		return IMAGE_BASE_VOLUME;
	}
	*rest = path;
	return IMAGE_BASE_NONE;
}

/* One entry of ProfileList: the profile folder PATH (ProfileImagePath, an
 * expandable string as Windows wrote it) on this volume.  Profiles on
 * another volume, or spelled with variables kbfix cannot know, are notes. */
static int
profile_from_list(void *arg, const char *sid, const char *path,
    char sysdrive)
{
	struct ictx *c = arg;
	const char *base = NULL, *rest = NULL;
	char *rel = NULL, *hive = NULL, *what = NULL;
	struct diag tmp;
	struct stat st;
	int exists = 0, r = 0;

	switch (image_profile_base(path, sysdrive, &rest)) {
	case IMAGE_BASE_VOLUME:
		base = c->im->root;
		break;
	case IMAGE_BASE_WINDIR:
		base = c->im->windir;
		break;
	case IMAGE_BASE_NONE:
		break;
	}
	/* A Windows folder given alone: the volume around it is not ours. */
	if (base == c->im->root && strcmp(c->im->root, c->im->windir) == 0)
		base = NULL;
	if (base == NULL) {
		diag_note(c->d, NULL, 0, "ProfileList: the profile of %s "
		    "('%s') is not in '%s': not searched", sid, path,
		    c->folder);
		return 0;
	}
	if (asprintf(&rel, "%s\\NTUSER.DAT", rest) < 0 ||
	    asprintf(&what, "ProfileList entry %s", sid) < 0) {
		free(rel);
		return diag_oom(c->d);
	}
	diag_init(&tmp);
	if (winpath_lookup(base, rel, &hive, &exists, &tmp) < 0)
		exists = 0;
	demote(c->d, &tmp, what);
	if (exists && lstat(hive, &st) == 0 && S_ISREG(st.st_mode))
		r = add_hive(c, hive, below(c, hive));
	free(hive);
	free(rel);
	free(what);
	return r;
}

/* The text of value NAME of NODE, or NULL. */
static char *
value_text(struct hive *hv, hive_node_h node, const char *name)
{
	struct hive_value v;
	struct diag tmp;
	char *s = NULL;

	diag_init(&tmp);
	if (hive_value_get(hv, node, name, &v, &tmp) == 1) {
		s = hive_value_text(&v);
		hive_value_clear(&v);
	}
	diag_free(&tmp);
	return s;
}

/* The profiles SOFTWARE's ProfileList names (Windows NT 4.0 kept them in
 * %SystemRoot%\Profiles, later versions where the user chose).  A dirty
 * SOFTWARE is read on the replay of its logs, as planning reads it: a
 * profile made just before the machine stopped may be listed only there.
 * When the replay fails, the file as it is (planning then reports why, or
 * works on it too with --ignore-logs). */
int
image_profile_list(const char *software, int (*fn)(void *arg,
    const char *sid, const char *path, char sysdrive), void *arg)
{
	static char *const cv[] = { "Microsoft", "Windows NT",
	    "CurrentVersion" };
	struct hive *hv = NULL;
	struct recovery rec;
	struct diag tmp;
	hive_node_h cvn, list, *kids = NULL;
	char *sysroot;
	char sysdrive = 'C';
	size_t i;
	int r = 0;

	memset(&rec, 0, sizeof rec);
	diag_init(&tmp);
	if (recover_hive_open(software, 0, 0, &rec, &hv, &tmp) < 0 &&
	    hive_open(software, 0, &hv, &tmp) < 0) {
		/* Planning opens it again and reports it then. */
		diag_free(&tmp);
		return 0;
	}
	diag_free(&tmp);
	cvn = hive_lookup(hv, hv->root, cv, 3);
	list = cvn ? hive_child(hv, cvn, "ProfileList") : 0;
	if (list == 0)
		goto out;
	/* The drive Windows was installed on is this volume. */
	if ((sysroot = value_text(hv, cvn, "SystemRoot")) != NULL) {
		if (isalpha((unsigned char)sysroot[0]) && sysroot[1] == ':')
			sysdrive = (char)toupper((unsigned char)sysroot[0]);
		free(sysroot);
	}
	kids = hivex_node_children(hv->h, list);
	for (i = 0; kids != NULL && kids[i] != 0 && r == 0; i++) {
		char *sid = hivex_node_name(hv->h, kids[i]);
		char *path = value_text(hv, kids[i], "ProfileImagePath");

		if (sid != NULL && path != NULL)
			r = fn(arg, sid, path, sysdrive);
		free(sid);
		free(path);
	}
out:
	free(kids);
	hive_close(hv);
	recover_free(&rec);
	return r;
}

/* Is there a folder named NAME (any case) in DIR?  *OUT gets its path. */
static int
has_folder(const char *dir, const char *name, char **out)
{
	struct diag tmp;
	struct stat st;
	int exists = 0;

	*out = NULL;
	diag_init(&tmp);
	if (winpath_lookup(dir, name, out, &exists, &tmp) < 0)
		exists = 0;
	diag_free(&tmp);
	if (exists && lstat(*out, &st) == 0 && S_ISDIR(st.st_mode))
		return 1;
	free(*out);
	*out = NULL;
	return 0;
}

/* The Windows folder of the volume at FOLDER: an entry named "Windows" or
 * "WINNT" in any case that holds System32.  Sets c->im->windir (NULL when
 * there is none); -1 with D when there are two (a dual-boot volume) or
 * one is a symbolic link. */
static int
find_windir(struct ictx *c)
{
	struct dirent **list = NULL;
	char *found = NULL, *p, *sys;
	int n, i, r = 0;

	if ((n = scandir(c->folder, &list, NULL, cmp_name)) < 0)
		return diag_error(c->d, NULL, 0, "cannot read '%s': %s",
		    c->folder,
		    strerror(errno));
	for (i = 0; i < n; i++) {
		const char *nm = list[i]->d_name;
		struct stat st;

		if (!names_equal(nm, "Windows") && !names_equal(nm, "WINNT"))
			continue;
		if ((p = winpath_join(c->folder, nm)) == NULL) {
			r = -1;
			diag_oom(c->d);
			break;
		}
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
			diag_error(c->d, NULL, 0, "'%s' is a symbolic link: "
			    "not followed", p);
			r = -1;
			free(p);
			continue;
		}
		if (!has_folder(p, "System32", &sys)) {
			free(p);
			continue;
		}
		free(sys);
		if (found != NULL) {
			diag_error(c->d, NULL, 0, "'%s' holds two Windows "
			    "folders, '%s' and '%s': give the one to work on "
			    "as TARGET", c->folder, found, p);
			free(p);
			r = -1;
			continue;
		}
		found = p;
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	if (r < 0) {
		free(found);
		return -1;
	}
	if (found == NULL && has_folder(c->folder, "System32", &sys)) {
		/* The Windows folder itself. */
		free(sys);
		found = strdup(c->folder);
		if (found == NULL)
			return diag_oom(c->d);
	}
	c->im->windir = found;
	return 0;
}

int
image_find(const char *folder, const int want[HIVE__COUNT],
    struct image **out, struct diag *d)
{
	struct ictx c;
	struct image *im = calloc(1, sizeof *im);
	size_t i, nerr = d->nerrors;
	int any = 0, r = -1;

	*out = NULL;
	memset(&c, 0, sizeof c);
	if (im == NULL || (im->root = strdup(folder)) == NULL) {
		free(im);
		return diag_oom(d);
	}
	c.im = im;
	c.folder = folder;
	c.d = d;
	for (i = 1; i < HIVE__COUNT; i++)
		any |= want[i];
	if (find_windir(&c) < 0)
		goto out;
	if (im->windir == NULL) {
		/* A folder of hive files. */
		for (i = 1; i < HIVE__COUNT; i++)
			if (want[i] && find_hive(&c, folder,
			    image_hive_file_name(i)) < 0)
				goto out;
		if (im->nhives == 0 && any) {
			diag_error(d, NULL, 0, "%s%s%s holds no Windows folder "
			    "and none of the hives the remedies need",
			    strcmp(folder, ".") ? "'" : "",
			    strcmp(folder, ".") ? folder : "the current "
			    "directory", strcmp(folder, ".") ? "'" : "");
			goto out;
		}
		r = 0;
		goto out;
	}
	for (i = 0; i < sizeof config_kinds / sizeof config_kinds[0]; i++) {
		enum hive_kind k = config_kinds[i];
		char *rel;

		if (!want[k] && !(k == HIVE_SOFTWARE && want[HIVE_NTUSER]))
			continue;
		if (asprintf(&rel, "System32\\config\\%s",
		    image_hive_file_name(k)) < 0) {
			diag_oom(d);
			goto out;
		}
		if (find_hive(&c, im->windir, rel) < 0) {
			free(rel);
			goto out;
		}
		free(rel);
	}
	if (want[HIVE_NTUSER]) {
		size_t nconfig = im->nhives;
		char *sw = NULL;

		for (i = 0; strcmp(im->windir, folder) != 0 && i < 2; i++) {
			char *pd;

			if (!has_folder(folder, profile_dirs[i], &pd)) {
				struct stat st;

				if ((pd = winpath_join(folder,
				    profile_dirs[i])) != NULL &&
				    lstat(pd, &st) == 0 && S_ISLNK(st.st_mode))
					link_met(&c, pd);
				free(pd);
				continue;
			}
			r = scan_profiles(&c, pd);
			free(pd);
			if (r < 0)
				goto out;
		}
		r = -1;
		/* SOFTWARE was looked for too, for its ProfileList. */
		for (i = 0; i < nconfig; i++) {
			const char *b = strrchr(im->hives[i], '/');

			if (names_equal(b ? b + 1 : im->hives[i], "SOFTWARE"))
				sw = im->hives[i];
		}
		if (sw != NULL &&
		    image_profile_list(sw, profile_from_list, &c) < 0)
			goto out;
		/* ... and is dropped again when no remedy needs it. */
		if (sw != NULL && !want[HIVE_SOFTWARE]) {
			for (i = 0; im->hives[i] != sw; i++)
				;
			free(im->hives[i]);
			free(im->rel[i]);
			memmove(&im->hives[i], &im->hives[i + 1],
			    (im->nhives - i) * sizeof *im->hives);
			memmove(&im->rel[i], &im->rel[i + 1],
			    (im->nhives - i) * sizeof *im->rel);
			im->nhives--;
		}
	}
	if (im->nhives == 0 && any) {
		diag_error(d, NULL, 0, "none of the hives the remedies need "
		    "is in '%s'", im->windir);
		goto out;
	}
	r = d->nerrors > nerr ? -1 : 0;
out:
	free(c.devs);
	free(c.inos);
	if (r < 0) {
		image_free(im);
		return -1;
	}
	*out = im;
	return 0;
}

int
image_from_files(char *const *files, size_t n, struct image **out,
    struct diag *d)
{
	struct image *im = calloc(1, sizeof *im);
	size_t i;

	*out = NULL;
	if (im == NULL || (im->hives = calloc(n + 1, sizeof *im->hives)) ==
	    NULL || (im->rel = calloc(n + 1, sizeof *im->rel)) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		const char *f = files[i], *b = strrchr(f, '/');
		int plain = f[0] != '/' && strcmp(f, "..") != 0 &&
		    strncmp(f, "../", 3) != 0 && strstr(f, "/../") == NULL &&
		    (strlen(f) < 3 || strcmp(f + strlen(f) - 3, "/..") != 0);

		if ((im->hives[i] = strdup(f)) == NULL)
			goto oom;
		im->nhives++;
		while (plain && strncmp(f, "./", 2) == 0)
			f += 2;
		if ((im->rel[i] = strdup(plain ? f : b ? b + 1 : f)) == NULL)
			goto oom;
	}
	*out = im;
	return 0;
oom:
	image_free(im);
	return diag_oom(d);
}

char *
image_rel(const struct image *im, const char *path)
{
	struct ictx c;
	size_t i;

	for (i = 0; i < im->nhives; i++)
		if (strcmp(im->hives[i], path) == 0)
			return strdup(im->rel[i]);
	if (im->root == NULL)
		return NULL;
	memset(&c, 0, sizeof c);
	c.folder = im->root;
	if (below(&c, path) == path && strcmp(im->root, ".") != 0)
		return NULL;
	return strdup(below(&c, path));
}

void
image_free(struct image *im)
{
	size_t i;

	if (im == NULL)
		return;
	for (i = 0; i < im->nhives; i++) {
		free(im->hives[i]);
		if (im->rel)
			free(im->rel[i]);
	}
	free(im->hives);
	free(im->rel);
	free(im->windir);
	free(im->root);
	free(im);
}
