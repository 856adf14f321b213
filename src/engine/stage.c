/* stage.c: a volume of a place copied for the pipeline, and written back
 * (stage.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "image.h"
#include "names.h"
#include "stage.h"
#include "winpath.h"

/* ---------------------------------------------------------------- want */

static int
want_add(struct stage_want *w, const char *file)
{
	char **nv;
	size_t i;

	for (i = 0; i < w->nfiles; i++)
		if (names_equal(w->files[i], file))
			return 0;
	if ((nv = realloc(w->files, (w->nfiles + 2) * sizeof *nv)) == NULL)
		return -1;
	w->files = nv;
	if ((nv[w->nfiles] = strdup(file)) == NULL)
		return -1;
	nv[++w->nfiles] = NULL;
	return 0;
}

static int
want_cond(struct stage_want *w, const struct cond *c)
{
	size_t i;

	if (c->kind == COND_FILE_EXISTS && c->file != NULL &&
	    want_add(w, c->file) < 0)
		return -1;
	for (i = 0; i < c->nchildren; i++)
		if (want_cond(w, &c->children[i]) < 0)
			return -1;
	return 0;
}

int
stage_want_remedies(struct remedy *const *rs, size_t nrs,
    struct stage_want *w, struct diag *d)
{
	size_t i, k;

	for (i = 0; i < nrs; i++) {
		if (want_cond(w, &rs[i]->when) < 0)
			goto oom;
		for (k = 0; k < rs[i]->nactions; k++) {
			const struct action *a = &rs[i]->actions[k];
			const char *b;
			char *to;

			if ((a->kind != ACT_RENAME_FILE &&
			    a->kind != ACT_DELETE_FILE) || a->file == NULL)
				continue;
			if (want_add(w, a->file) < 0)
				goto oom;
			if (a->kind != ACT_RENAME_FILE || a->to == NULL)
				continue;
			/* The new name, in the same folder. */
			b = strrchr(a->file, '\\');
			if (asprintf(&to, "%.*s\\%s", b ? (int)(b - a->file) :
			    0, a->file, a->to) < 0)
				goto oom;
			k = want_add(w, to) < 0 ? (size_t)-1 : k;
			free(to);
			if (k == (size_t)-1)
				goto oom;
		}
	}
	return 0;
oom:
	return diag_oom(d);
}

void
stage_want_free(struct stage_want *w)
{
	size_t i;

	for (i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	free(w->files);
	w->files = NULL;
	w->nfiles = 0;
}

/* ---------------------------------------------------------------- mirror */

struct listing {
	char *dir;
	struct place_entry *e;
	size_t n;
};

struct mirror {
	struct place *p;
	const char *root;
	struct diag *d;
	struct listing *ls;	/* folders listed so far */
	size_t nls;
	uint64_t *inos;		/* files copied so far, by inode ... */
	char **local;		/* ... and where */
	size_t nfiles;
};

static char *
join(const char *dir, const char *name)
{
	char *s;

	if (asprintf(&s, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "",
	    name) < 0)
		return NULL;
	return s;
}

/* The local path of PATH on the volume. */
static char *
local_of(const struct mirror *m, const char *path)
{
	char *s;

	if (asprintf(&s, "%s%s", m->root, strcmp(path, "/") ? path : "") < 0)
		return NULL;
	return s;
}

static int
oom(struct mirror *m)
{
	return diag_oom(m->d);
}

/* The entries of folder DIR (listed once). */
static int
m_list(struct mirror *m, const char *dir, struct place_entry **e, size_t *n)
{
	struct listing *nl;
	size_t i;

	for (i = 0; i < m->nls; i++)
		if (strcmp(m->ls[i].dir, dir) == 0) {
			*e = m->ls[i].e;
			*n = m->ls[i].n;
			return 0;
		}
	if ((nl = realloc(m->ls, (m->nls + 1) * sizeof *nl)) == NULL)
		return oom(m);
	m->ls = nl;
	nl = &m->ls[m->nls];
	memset(nl, 0, sizeof *nl);
	if ((nl->dir = strdup(dir)) == NULL)
		return oom(m);
	if (m->p->ops->list(m->p, dir, &nl->e, &nl->n, m->d) < 0) {
		free(nl->dir);
		return -1;
	}
	m->nls++;
	*e = nl->e;
	*n = nl->n;
	return 0;
}

/* The folder PATH of the volume, made in the mirror. */
static int
m_mkdir(struct mirror *m, const char *path)
{
	char *l = local_of(m, path);
	int r = 0;

	if (l == NULL)
		return oom(m);
	if (mkdir(l, 0700) < 0 && errno != EEXIST) {
		diag_error(m->d, NULL, 0, "cannot make '%s': %s", l,
		    strerror(errno));
		r = -1;
	}
	free(l);
	return r;
}

/* The symbolic link PATH, copied as a link (never followed). */
static int
m_link(struct mirror *m, const char *path)
{
	char *l = local_of(m, path), *to;
	struct stat st;
	int r = 0;

	if (l == NULL)
		return oom(m);
	if (lstat(l, &st) == 0) {
		free(l);
		return 0;
	}
	if ((to = m->p->ops->readlink(m->p, path, m->d)) == NULL) {
		free(l);
		return -1;
	}
	if (symlink(to, l) < 0) {
		diag_error(m->d, NULL, 0, "cannot make '%s': %s", l,
		    strerror(errno));
		r = -1;
	}
	free(to);
	free(l);
	return r;
}

/* An empty file in place of PATH, whose name alone counts. */
static int
m_name(struct mirror *m, const char *path)
{
	char *l = local_of(m, path);
	int fd;

	if (l == NULL)
		return oom(m);
	fd = open(l, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST) {
		diag_error(m->d, NULL, 0, "cannot make '%s': %s", l,
		    strerror(errno));
		free(l);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	free(l);
	return 0;
}

/* The local copy of the file of inode INO, or NULL. */
static const char *
m_copied(const struct mirror *m, uint64_t ino)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		if (m->inos[i] == ino)
			return m->local[i];
	return NULL;
}

/* The file PATH (inode INO), copied; a file copied already under another
 * name gets a hard link to its copy, as on the volume. */
static int
m_file(struct mirror *m, const char *path, uint64_t ino)
{
	char *l = local_of(m, path), **nl;
	const char *had = m_copied(m, ino);
	uint64_t *ni;
	struct stat st;

	if (l == NULL)
		return oom(m);
	if (lstat(l, &st) == 0) {
		free(l);
		return 0;
	}
	if (had != NULL ? link(had, l) < 0 :
	    m->p->ops->get(m->p, path, l, m->d) < 0) {
		if (had != NULL)
			diag_error(m->d, NULL, 0, "cannot make '%s': %s", l,
			    strerror(errno));
		free(l);
		return -1;
	}
	if (had != NULL) {
		free(l);
		return 0;
	}
	ni = realloc(m->inos, (m->nfiles + 1) * sizeof *ni);
	if (ni != NULL)
		m->inos = ni;
	nl = realloc(m->local, (m->nfiles + 1) * sizeof *nl);
	if (nl != NULL)
		m->local = nl;
	if (ni == NULL || nl == NULL) {
		free(l);
		return oom(m);
	}
	ni[m->nfiles] = ino;
	nl[m->nfiles++] = l;
	return 0;
}

/* Does NAME start with PREFIX followed by ".kbfix-"?  (kbfix names its
 * backups, undo files and temporary files that way, after the file's own
 * spelling.) */
static int
kbfix_name_of(const char *name, const char *prefix)
{
	size_t l = strlen(prefix);

	return strncmp(name, prefix, l) == 0 &&
	    strncmp(name + l, ".kbfix-", 7) == 0;
}

/* Is NAME an undo file's ("...-undo.reg")? */
static int
undo_name(const char *name)
{
	size_t l = strlen(name);

	return l > 9 && strcmp(name + l - 9, "-undo.reg") == 0;
}

/* Entry E of folder DIR (listed as ES[0..N)), a hive or a file a remedy
 * names: copied, with (HIVE) its logs, and the names of kbfix's files
 * beside it. */
static int
m_entry(struct mirror *m, const char *dir, const struct place_entry *e,
    const struct place_entry *es, size_t n, int hive)
{
	static const char *const logs[] = { ".LOG", ".LOG1", ".LOG2" };
	char *path = join(dir, e->name);
	size_t i, k;
	int r = 0;

	if (path == NULL)
		return oom(m);
	switch (e->type) {
	case 'l':
		r = m_link(m, path);
		break;
	case 'd':
		r = m_mkdir(m, path);
		break;
	case 'f':
		r = m_file(m, path, e->ino);
		break;
	default:
		break;
	}
	free(path);
	if (r < 0 || e->type != 'f')
		return r;
	for (i = 0; i < n && r == 0; i++) {
		const struct place_entry *s = &es[i];
		int log = 0;

		for (k = 0; hive && k < 3; k++) {
			char *ln;

			if (asprintf(&ln, "%s%s", e->name, logs[k]) < 0)
				return oom(m);
			log |= names_equal(s->name, ln);
			free(ln);
		}
		if (!log && !kbfix_name_of(s->name, e->name))
			continue;
		if ((path = join(dir, s->name)) == NULL)
			return oom(m);
		if (s->type == 'l')
			r = m_link(m, path);
		else if (s->type == 'f' && (log || s->ino == e->ino ||
		    undo_name(s->name)))
			/* A log, or a backup that is the hive itself (the
			 * run that made it was killed before its rename):
			 * apply recognizes it by its inode; or an undo file,
			 * which scan reads to say "done" (applied.h). */
			r = m_file(m, path, s->ino);
		else if (s->type == 'f')
			r = m_name(m, path);
		free(path);
	}
	return r;
}

/* Split a Windows path into its elements (caller frees the vector and
 * its strings); "." or ".." ends it early (the run refuses the path and
 * says so). */
static char **
elements(const char *rel, size_t *n)
{
	char *copy = strdup(rel), *e, *save = NULL, **v;
	size_t k = 0;

	*n = 0;
	if (copy == NULL)
		return NULL;
	if ((v = calloc(strlen(rel) + 1, sizeof *v)) == NULL) {
		free(copy);
		return NULL;
	}
	for (e = strtok_r(copy, "\\/", &save); e != NULL;
	    e = strtok_r(NULL, "\\/", &save)) {
		if (strcmp(e, ".") == 0 || strcmp(e, "..") == 0)
			break;
		if ((v[k] = strdup(e)) == NULL) {
			while (k > 0)
				free(v[--k]);
			free(v);
			free(copy);
			return NULL;
		}
		k++;
	}
	free(copy);
	*n = k;
	return v;
}

static void
elements_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

typedef int (*at_fn)(struct mirror *m, const char *dir, void *arg);

/* Walk from folder DIR down the elements EL[I..N), each matched in any
 * letter case (every match: the run picks one as it does on a folder);
 * folders are made in the mirror, links copied and not followed, and FN
 * is called in each folder reached. */
static int
walk(struct mirror *m, const char *dir, char *const *el, size_t i, size_t n,
    at_fn fn, void *arg)
{
	struct place_entry *es;
	size_t ne, k;
	int r = 0;

	if (i == n)
		return fn(m, dir, arg);
	if (m_list(m, dir, &es, &ne) < 0)
		return -1;
	for (k = 0; k < ne && r == 0; k++) {
		char *path;

		if (!names_equal(es[k].name, el[i]))
			continue;
		if ((path = join(dir, es[k].name)) == NULL)
			return oom(m);
		if (es[k].type == 'd') {
			r = m_mkdir(m, path);
			if (r == 0)
				r = walk(m, path, el, i + 1, n, fn, arg);
		} else if (es[k].type == 'l')
			r = m_link(m, path);
		else if (es[k].type == 'f')
			/* Where a folder should be: the run says so. */
			r = m_name(m, path);
		free(path);
	}
	return r;
}

/* In folder DIR, the entries named NAME (any case), as hives or files. */
static int
at_named(struct mirror *m, const char *dir, const char *name, int hive)
{
	struct place_entry *es;
	size_t ne, k;
	int r = 0;

	if (m_list(m, dir, &es, &ne) < 0)
		return -1;
	for (k = 0; k < ne && r == 0; k++)
		if (names_equal(es[k].name, name))
			r = m_entry(m, dir, &es[k], es, ne, hive);
	return r;
}

struct hives_arg {
	const struct stage_want *w;
};

/* System32\config: the hives wanted, and SOFTWARE for ProfileList. */
static int
at_config(struct mirror *m, const char *dir, void *arg)
{
	const struct stage_want *w = ((struct hives_arg *)arg)->w;
	int k, r = 0;

	for (k = 1; k < HIVE__COUNT && r == 0; k++) {
		if (k == HIVE_NTUSER || (!w->hives[k] && !(k == HIVE_SOFTWARE &&
		    w->hives[HIVE_NTUSER])))
			continue;
		r = at_named(m, dir, image_hive_file_name(k), 1);
	}
	return r;
}

static int
at_profile(struct mirror *m, const char *dir, void *arg)
{
	(void)arg;
	return at_named(m, dir, "NTUSER.DAT", 1);
}

struct file_arg {
	const char *name;
};

static int
at_file(struct mirror *m, const char *dir, void *arg)
{
	return at_named(m, dir, ((struct file_arg *)arg)->name, 0);
}

/* The %SystemRoot% path FILE below the Windows folder WINDIR. */
static int
stage_file(struct mirror *m, const char *windir, const char *file)
{
	const char *rest = NULL;
	struct file_arg fa;
	char **el;
	size_t n;
	int r;

	if (image_profile_base(file, 0, &rest) != IMAGE_BASE_WINDIR)
		return 0;	/* the run refuses it */
	if ((el = elements(rest, &n)) == NULL)
		return oom(m);
	if (n == 0) {
		elements_free(el, n);
		return 0;
	}
	fa.name = el[n - 1];
	r = walk(m, windir, el, 0, n - 1, at_file, &fa);
	elements_free(el, n);
	return r;
}

/* Every profile in the folders of profiles at the volume's root. */
static int
stage_profiles(struct mirror *m)
{
	static const char *const dirs[] = { "Documents and Settings", "Users" };
	struct place_entry *es, *ps;
	size_t ne, np, i, k, j;
	int r = 0;

	if (m_list(m, "/", &es, &ne) < 0)
		return -1;
	for (i = 0; i < 2 && r == 0; i++)
		for (k = 0; k < ne && r == 0; k++) {
			char *pd;

			if (!names_equal(es[k].name, dirs[i]))
				continue;
			if ((pd = join("/", es[k].name)) == NULL)
				return oom(m);
			if (es[k].type == 'l')
				r = m_link(m, pd);
			else if (es[k].type == 'd' &&
			    (r = m_mkdir(m, pd)) == 0 &&
			    (r = m_list(m, pd, &ps, &np)) == 0)
				for (j = 0; j < np && r == 0; j++) {
					char *p = join(pd, ps[j].name);

					if (p == NULL) {
						free(pd);
						return oom(m);
					}
					if (ps[j].type == 'l')
						r = m_link(m, p);
					else if (ps[j].type == 'd' &&
					    (r = m_mkdir(m, p)) == 0)
						r = at_profile(m, p, NULL);
					free(p);
				}
			free(pd);
		}
	return r;
}

struct plist_arg {
	struct mirror *m;
	const char *windir;
};

/* One entry of ProfileList: its folder on this volume, as image.c finds
 * it. */
static int
profile_listed(void *arg, const char *sid, const char *path, char sysdrive)
{
	struct plist_arg *pa = arg;
	const char *rest = NULL, *base;
	char **el;
	size_t n;
	int r;

	(void)sid;
	switch (image_profile_base(path, sysdrive, &rest)) {
	case IMAGE_BASE_VOLUME:
		base = "/";
		break;
	case IMAGE_BASE_WINDIR:
		base = pa->windir;
		break;
	default:
		return 0;
	}
	if ((el = elements(rest, &n)) == NULL)
		return oom(pa->m);
	r = walk(pa->m, base, el, 0, n, at_profile, NULL);
	elements_free(el, n);
	return r;
}

/* The local copy of the SOFTWARE hive of the Windows folder WINDIR, found
 * as image.c finds it, or NULL. */
static char *
find_software(struct mirror *m, const char *windir)
{
	char *lw = local_of(m, windir), *sw = NULL;
	struct diag tmp;
	struct stat st;
	int exists = 0;

	if (lw == NULL)
		return NULL;
	diag_init(&tmp);
	if (winpath_lookup(lw, "System32\\config\\SOFTWARE", &sw, &exists,
	    &tmp) < 0 || !exists || lstat(sw, &st) < 0 || !S_ISREG(st.st_mode)) {
		free(sw);
		sw = NULL;
	}
	diag_free(&tmp);
	free(lw);
	return sw;
}

int
stage_has_windows(struct place *p, struct diag *d)
{
	struct place_entry *es = NULL, *ws = NULL;
	size_t ne = 0, nw, i, k;
	int found = 0;

	if (p->ops->list(p, "/", &es, &ne, d) < 0)
		return -1;
	for (i = 0; i < ne && !found; i++) {
		char *w;

		if (!names_equal(es[i].name, "Windows") &&
		    !names_equal(es[i].name, "WINNT"))
			continue;
		if (es[i].type == 'l') {
			found = 1;
			break;
		}
		if (es[i].type != 'd' || (w = join("/", es[i].name)) == NULL)
			continue;
		if (p->ops->list(p, w, &ws, &nw, d) < 0) {
			free(w);
			place_entries_free(es, ne);
			return -1;
		}
		for (k = 0; k < nw; k++)
			if (names_equal(ws[k].name, "System32") &&
			    ws[k].type == 'd')
				found = 1;
		place_entries_free(ws, nw);
		free(w);
	}
	place_entries_free(es, ne);
	return found;
}

int
stage_hibernated(struct place *p)
{
	struct place_entry *es = NULL;
	size_t ne = 0, i, got = 0;
	char buf[4];
	struct diag tmp;
	int r = 0;

	diag_init(&tmp);
	if (p->ops->list(p, "/", &es, &ne, &tmp) == 0)
		for (i = 0; i < ne; i++) {
			char *f;

			if (!names_equal(es[i].name, "hiberfil.sys") ||
			    es[i].type != 'f' || (f = join("/", es[i].name)) ==
			    NULL)
				continue;
			if (p->ops->head(p, f, buf, sizeof buf, &got,
			    &tmp) == 0 && got == 4 &&
			    (memcmp(buf, "hibr", 4) == 0 ||
			    memcmp(buf, "HIBR", 4) == 0))
				r = 1;
			free(f);
		}
	place_entries_free(es, ne);
	diag_free(&tmp);
	return r;
}

static void
mirror_free(struct mirror *m)
{
	size_t i;

	for (i = 0; i < m->nls; i++) {
		free(m->ls[i].dir);
		place_entries_free(m->ls[i].e, m->ls[i].n);
	}
	free(m->ls);
	for (i = 0; i < m->nfiles; i++)
		free(m->local[i]);
	free(m->local);
	free(m->inos);
}

int
stage_volume(struct place *p, const struct stage_want *w, const char *root,
    struct diag *d)
{
	static char *const config[] = { "System32", "config" };
	struct mirror m;
	struct hives_arg ha;
	struct place_entry *es;
	size_t ne, i, k;
	int r = -1;

	memset(&m, 0, sizeof m);
	m.p = p;
	m.root = root;
	m.d = d;
	ha.w = w;
	if (mkdir(root, 0700) < 0)
		return diag_error(d, NULL, 0, "cannot make '%s': %s", root,
		    strerror(errno));
	if (m_list(&m, "/", &es, &ne) < 0)
		goto out;
	for (i = 0; i < ne; i++) {
		struct place_entry *ws;
		size_t nw;
		char *wd;
		int sys = 0;

		if (!names_equal(es[i].name, "Windows") &&
		    !names_equal(es[i].name, "WINNT"))
			continue;
		if ((wd = join("/", es[i].name)) == NULL) {
			oom(&m);
			goto out;
		}
		if (es[i].type == 'l') {
			k = m_link(&m, wd);
			free(wd);
			if (k != 0)
				goto out;
			continue;
		}
		if (es[i].type != 'd' || m_list(&m, wd, &ws, &nw) < 0) {
			free(wd);
			if (es[i].type != 'd')
				continue;
			goto out;
		}
		for (k = 0; k < nw; k++)
			sys |= names_equal(ws[k].name, "System32") &&
			    ws[k].type == 'd';
		/* A "Windows" without System32 is not one. */
		if (!sys) {
			free(wd);
			continue;
		}
		if (m_mkdir(&m, wd) < 0 || walk(&m, wd, config, 0, 2, at_config,
		    &ha) < 0) {
			free(wd);
			goto out;
		}
		/* The undo file of file changes goes in the Windows folder
		 * ("kbfix-STAMP-files-undo.reg"). */
		for (k = 0; k < nw; k++) {
			char *f;

			if (strncmp(ws[k].name, "kbfix-", 6) != 0 ||
			    ws[k].type != 'f')
				continue;
			if ((f = join(wd, ws[k].name)) == NULL ||
			    m_name(&m, f) < 0) {
				free(f);
				free(wd);
				goto out;
			}
			free(f);
		}
		for (k = 0; k < w->nfiles; k++)
			if (stage_file(&m, wd, w->files[k]) < 0) {
				free(wd);
				goto out;
			}
		/* Profiles that only ProfileList names. */
		if (w->hives[HIVE_NTUSER]) {
			struct plist_arg pa;
			char *sw = find_software(&m, wd);

			pa.m = &m;
			pa.windir = wd;
			k = sw != NULL &&
			    image_profile_list(sw, profile_listed, &pa) < 0;
			free(sw);
			if (k) {
				free(wd);
				goto out;
			}
		}
		free(wd);
	}
	if (w->hives[HIVE_NTUSER] && stage_profiles(&m) < 0)
		goto out;
	r = 0;
out:
	mirror_free(&m);
	return r;
}

struct path_arg {
	const char *name;
	int hive;
};

static int
at_path(struct mirror *m, const char *dir, void *arg)
{
	struct path_arg *pa = arg;

	return at_named(m, dir, pa->name, pa->hive);
}

int
stage_path(struct place *p, const char *root, const char *path, int hive,
    struct diag *d)
{
	struct mirror m;
	struct path_arg pa;
	struct stat st;
	char **el;
	size_t n;
	int r = -1;

	memset(&m, 0, sizeof m);
	m.p = p;
	m.root = root;
	m.d = d;
	if (stat(root, &st) < 0 && mkdir(root, 0700) < 0)
		return diag_error(d, NULL, 0, "cannot make '%s': %s", root,
		    strerror(errno));
	if ((el = elements(path, &n)) == NULL)
		return oom(&m);
	if (n > 0) {
		pa.name = el[n - 1];
		pa.hive = hive;
		r = walk(&m, "/", el, 0, n - 1, at_path, &pa);
	} else
		r = 0;
	elements_free(el, n);
	mirror_free(&m);
	return r;
}

/* ---------------------------------------------------------------- snapshot */

struct snap_entry {
	char *path;		/* below the staging folder, from "/" */
	char type;		/* 'f', 'd', 'l', '?' */
	uint64_t ino, size;
	struct timespec mtime;
};

struct stage_snap {
	struct snap_entry *v;
	size_t n, cap;
	size_t rootlen;
	int failed;
};

/* nftw has no argument for its callback. */
static struct stage_snap *snap_now;

static int
snap_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct stage_snap *s = snap_now;
	struct snap_entry *e;

	(void)flag;
	(void)f;
	if (strlen(path) <= s->rootlen)
		return 0;	/* the folder itself */
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct snap_entry *nv = realloc(s->v, cap * sizeof *nv);

		if (nv == NULL) {
			s->failed = 1;
			return 1;
		}
		s->v = nv;
		s->cap = cap;
	}
	e = &s->v[s->n];
	if ((e->path = strdup(path + s->rootlen)) == NULL) {
		s->failed = 1;
		return 1;
	}
	e->type = S_ISREG(st->st_mode) ? 'f' : S_ISDIR(st->st_mode) ? 'd' :
	    S_ISLNK(st->st_mode) ? 'l' : '?';
	e->ino = (uint64_t)st->st_ino;
	e->size = (uint64_t)st->st_size;
	e->mtime = st->st_mtim;
	s->n++;
	return 0;
}

static int
cmp_snap(const void *a, const void *b)
{
	return strcmp(((const struct snap_entry *)a)->path,
	    ((const struct snap_entry *)b)->path);
}

int
stage_snap_take(const char *root, struct stage_snap **out, struct diag *d)
{
	struct stage_snap *s = calloc(1, sizeof *s);
	int r;

	*out = NULL;
	if (s == NULL)
		return diag_oom(d);
	s->rootlen = strlen(root);
	snap_now = s;
	r = nftw(root, snap_one, 16, FTW_PHYS);
	snap_now = NULL;
	if (r != 0 || s->failed) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", root,
		    s->failed ? "out of memory" : strerror(errno));
		stage_snap_free(s);
		return -1;
	}
	qsort(s->v, s->n, sizeof *s->v, cmp_snap);
	*out = s;
	return 0;
}

void
stage_snap_free(struct stage_snap *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s);
}

static const struct snap_entry *
snap_find(const struct stage_snap *s, const char *path)
{
	struct snap_entry key;

	key.path = (char *)path;
	return s->n ? bsearch(&key, s->v, s->n, sizeof *s->v, cmp_snap) :
	    NULL;
}

size_t
stage_snap_count(const struct stage_snap *s)
{
	return s->n;
}

const char *
stage_snap_path(const struct stage_snap *s, size_t i)
{
	return s->v[i].path;
}

int
stage_snap_is_file(const struct stage_snap *s, size_t i)
{
	return s->v[i].type == 'f';
}

int
stage_snap_has(const struct stage_snap *s, const char *path)
{
	return snap_find(s, path) != NULL;
}

/* A path of BEFORE holding the file of inode INO, or NULL. */
static const struct snap_entry *
snap_ino(const struct stage_snap *s, uint64_t ino)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].type == 'f' && s->v[i].ino == ino)
			return &s->v[i];
	return NULL;
}

int
stage_unchanged(const char *root, const struct stage_snap *before,
    struct diag *d)
{
	struct stage_snap *now = NULL;
	size_t i;
	int same;

	if (stage_snap_take(root, &now, d) < 0)
		return -1;
	same = now->n == before->n;
	for (i = 0; same && i < now->n; i++) {
		const struct snap_entry *a = &now->v[i], *b = &before->v[i];

		same = strcmp(a->path, b->path) == 0 && a->type == b->type &&
		    a->ino == b->ino && a->size == b->size &&
		    a->mtime.tv_sec == b->mtime.tv_sec &&
		    a->mtime.tv_nsec == b->mtime.tv_nsec;
	}
	stage_snap_free(now);
	return same;
}

/* ---------------------------------------------------------------- commit */

/* One file written through a temporary name. */
struct put {
	const char *path;	/* on the volume */
	char *tmp;		/* the temporary name beside it */
	int replace;		/* PATH exists: replaced by the rename */
};

/* "NAME.kbfix-tmp-XXXXXX" beside PATH, XXXXXX random. */
static char *
tmp_name(const char *path)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[6];
	char suffix[7];
	char *s;
	size_t i;

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		for (i = 0; i < sizeof rnd; i++)
			rnd[i] = (unsigned char)rand();
	for (i = 0; i < sizeof rnd; i++)
		suffix[i] = set[rnd[i] % (sizeof set - 1)];
	suffix[6] = '\0';
	if (asprintf(&s, "%s.kbfix-tmp-%s", path, suffix) < 0)
		return NULL;
	return s;
}

int
stage_commit(struct place *p, const char *root,
    const struct stage_snap *before, size_t *nwritten, struct diag *d)
{
	const struct place_ops *o = p->ops;
	struct stage_snap *after = NULL;
	struct put *puts = NULL;
	size_t i, np = 0;
	int r = -1;

	*nwritten = 0;
	if (stage_snap_take(root, &after, d) < 0)
		return -1;
	if ((puts = calloc(after->n + 1, sizeof *puts)) == NULL) {
		diag_oom(d);
		goto out;
	}
	/* What changed, and that it is only what apply makes: new files and
	 * new names of files; folders are never removed nor links made. */
	for (i = 0; i < after->n; i++) {
		const struct snap_entry *a = &after->v[i];
		const struct snap_entry *b = snap_find(before, a->path);

		if (b != NULL && b->type != a->type) {
			diag_error(d, NULL, 0, "'%s': '%s' changed kind: not "
			    "written", p->name, a->path);
			goto out;
		}
		if (a->type == 'd' && b == NULL) {
			if (o->mkdir(p, a->path, d) < 0)
				goto out;
			(*nwritten)++;
		} else if (a->type != 'f' && b == NULL) {
			diag_error(d, NULL, 0, "'%s': '%s' is new and not a "
			    "file: not written", p->name, a->path);
			goto out;
		}
		if (a->type != 'f')
			continue;
		if (b != NULL && b->ino == a->ino && b->size == a->size &&
		    b->mtime.tv_sec == a->mtime.tv_sec &&
		    b->mtime.tv_nsec == a->mtime.tv_nsec)
			continue;	/* untouched */
		if (b == NULL || b->ino != a->ino) {
			const struct snap_entry *q = snap_ino(before, a->ino);

			/* A second name for a file of the volume (a backup,
			 * a log kept with it, a file moved). */
			if (q != NULL && b == NULL) {
				if (o->link(p, q->path, a->path, d) < 0)
					goto out;
				(*nwritten)++;
				continue;
			}
		}
		puts[np].path = a->path;
		puts[np].replace = b != NULL;
		if ((puts[np].tmp = tmp_name(a->path)) == NULL) {
			diag_oom(d);
			goto out;
		}
		np++;
	}
	/* New content: written beside its place, read back. */
	for (i = 0; i < np; i++) {
		char *local, want[65], got[65];

		if (asprintf(&local, "%s%s", root, puts[i].path) < 0) {
			diag_oom(d);
			goto out;
		}
		if (audit_sha256_file(local, want) < 0) {
			diag_error(d, NULL, 0, "cannot read '%s': %s", local,
			    strerror(errno));
			free(local);
			goto out;
		}
		if (o->put(p, local, puts[i].tmp, d) < 0) {
			free(local);
			goto out;
		}
		free(local);
		(*nwritten)++;
		if (o->sha256(p, puts[i].tmp, got, d) < 0)
			goto out;
		if (strcmp(want, got) != 0) {
			diag_error(d, NULL, 0, "'%s': '%s' reads back "
			    "differently from what was written", p->name,
			    puts[i].tmp);
			goto out;
		}
	}
	/* Into place: new files first (the undo files before the hives they
	 * undo), then the files replaced. */
	for (i = 0; i < np; i++) {
		if (puts[i].replace)
			continue;
		if (o->link(p, puts[i].tmp, puts[i].path, d) < 0 ||
		    o->remove(p, puts[i].tmp, d) < 0)
			goto out;
	}
	for (i = 0; i < np; i++) {
		if (!puts[i].replace)
			continue;
		if (o->rename(p, puts[i].tmp, puts[i].path, d) < 0)
			goto out;
	}
	/* Last, the names gone: a log moved to the backup, a file renamed,
	 * a temporary file an interrupted run left. */
	for (i = 0; i < before->n; i++) {
		const struct snap_entry *b = &before->v[i];

		if (b->type == 'd' || snap_find(after, b->path) != NULL)
			continue;
		if (o->remove(p, b->path, d) < 0)
			goto out;
		(*nwritten)++;
	}
	if (o->sync(p, d) < 0)
		goto out;
	r = 0;
out:
	for (i = 0; puts != NULL && i < np; i++)
		free(puts[i].tmp);
	free(puts);
	stage_snap_free(after);
	return r;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
stage_remove(const char *root)
{
	if (root != NULL)
		nftw(root, rm_one, 16, FTW_PHYS | FTW_DEPTH);
}

int
stage_guard(const char *root, pid_t *pid)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if ((*pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (*pid == 0) {
		int fd;

		/* Out of the way of ^C, holding nothing of the parent's
		 * (locks, the image, the other guards' pipes); a program of
		 * its own, so that nothing of kbfix's memory stays behind
		 * it.  rm does not follow the copied links. */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		if (dup2(fds[0], 0) < 0)
			_exit(127);
		for (fd = 3; fd < 1024; fd++)
			close(fd);
		execl("/bin/sh", "sh", "-c",
		    "cat > /dev/null; exec rm -rf -- \"$0\"", root,
		    (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	return fds[1];
}

void
stage_unguard(int fd, pid_t pid)
{
	if (fd < 0)
		return;
	close(fd);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
