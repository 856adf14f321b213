/* apply.c: a plan carried out on temporary files, checked, then renamed
 * into place with a backup and an undo file. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "apply.h"
#include "audit.h"
#include "hivewrite.h"
#include "lock.h"
#include "paths.h"
#include "regf.h"
#include "recover.h"
#include "regtext.h"
#include "txlog.h"
#include "undo.h"
#include "verify.h"
#include "winpath.h"

/* ---------------------------------------------------------------- files */

/* The folder of PATH, with a trailing slash, or "" for a bare file name
 * (so that the names kbfix prints are as relative as the user's). */
static char *
dir_of(const char *path)
{
	char *copy, *dir;

	if (strchr(path, '/') == NULL)
		return strdup("");
	if ((copy = strdup(path)) == NULL)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&dir, "%s%s", dir, strcmp(dir, "/") ? "/" : "") < 0)
		dir = NULL;
	free(copy);
	return dir;
}

/* DIR ("" or ending in '/'), as given by the user with --backup-dir. */
static char *
dir_slash(const char *dir)
{
	char *s;
	size_t n = strlen(dir);

	if (asprintf(&s, "%s%s", dir, n && dir[n - 1] != '/' ? "/" : "") < 0)
		return NULL;
	return s;
}

static char *
base_of(const char *path)
{
	char *copy = strdup(path), *base;

	if (copy == NULL)
		return NULL;
	base = strdup(basename(copy));
	free(copy);
	return base;
}

/* fsync PATH (a file or a folder). */
static int
sync_path(const char *path, int dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	int r, e;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	/* Some file systems cannot sync a folder: that is not a failure
	 * of ours. */
	if (r < 0 && dir && (errno == EINVAL || errno == EROFS))
		return 0;
	return r;
}

/* Copy the file open at IN (from its start) to the new file TO (created
 * exclusively), fsynced, with IN's permissions. */
static int
copy_fd(int in, const char *to)
{
	char buf[1 << 16];
	int out, e;
	ssize_t n;
	off_t off = 0;
	struct stat st;

	if (fstat(in, &st) < 0)
		st.st_mode = 0600;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    st.st_mode & 0777)) < 0)
		return -1;
	while ((n = pread(in, buf, sizeof buf, off)) > 0) {
		char *p = buf;

		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0)
				goto fail;
			p += w;
			n -= w;
			off += w;
		}
	}
	if (n < 0 || fsync(out) < 0)
		goto fail;
	if (close(out) < 0) {
		e = errno;
		unlink(to);
		errno = e;
		return -1;
	}
	return 0;
fail:
	e = errno;
	close(out);
	unlink(to);
	errno = e;
	return -1;
}

/* Copy FROM to the new file TO (created exclusively), fsynced, with FROM's
 * permissions.  Used for a backup in a folder on another file system,
 * where link(2) cannot, and for the copies of the output folder. */
static int
copy_file(const char *from, const char *to)
{
	int in, r, e;

	if ((in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	r = copy_fd(in, to);
	e = errno;
	close(in);
	errno = e;
	return r;
}

/* Keep the bytes of FROM under the new name TO: a hard link when possible
 * (instant, and the original inode with its times is what is kept), else
 * a copy.  EEXIST when TO exists. */
static int
keep_file(const char *from, const char *to)
{
	if (link(from, to) == 0)
		return 0;
	if (errno == EEXIST)
		return -1;
	/* EXDEV (another file system), EPERM (no hard links there) ... */
	return copy_file(from, to);
}

/* Keep the bytes of the hive HV under the new name TO: those of the file
 * its lock holds, the one planned on, whatever its path names now (a
 * program other than kbfix may have moved another file there).  A hard
 * link to that very inode when possible, else a copy read from the
 * lock's descriptor.  EEXIST when TO exists. */
static int
keep_hive(const struct hive *hv, const char *to)
{
	char self[64];

	if (hv->lock == NULL)
		return keep_file(hv->path, to);
	snprintf(self, sizeof self, "/proc/self/fd/%d", hv->lock->fd);
	if (linkat(AT_FDCWD, self, AT_FDCWD, to, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == EEXIST)
		return -1;
	/* No /proc, another file system, no hard links there ... */
	return copy_fd(hv->lock->fd, to);
}

/* Rename FROM to TO, never replacing a file at TO (EEXIST then).  Across
 * file systems (--backup-dir elsewhere) a copy, fsynced, then FROM
 * removed. */
static int
move_noreplace(const char *from, const char *to)
{
	struct stat st;
	int e;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
		/* A file system that cannot (some FUSE ones): a hard link
		 * does not replace either. */
		if (link(from, to) == 0) {
			if (unlink(from) == 0)
				return 0;
			e = errno;
			unlink(to);
			errno = e;
			return -1;
		}
		if (errno == EEXIST || errno == EXDEV)
			return -1;
		/* No hard links there either (FAT): check, then rename.
		 * Another program could create TO in between; kbfix holds
		 * the hives' locks, not the folder's. */
		if (lstat(to, &st) == 0) {
			errno = EEXIST;
			return -1;
		}
		return rename(from, to);
	}
	if (errno != EXDEV)
		return -1;
	if (copy_file(from, to) < 0)
		return -1;
	if (unlink(from) < 0) {
		e = errno;
		unlink(to);
		errno = e;
		return -1;
	}
	return 0;
}

/* Make the folder DIR and its missing parents (in the output folder),
 * recording each one made in J so that a failure removes it again. */
static int
make_dirs(struct apply_job *j, const char *dir, struct diag *d)
{
	return paths_make_dirs(dir, &j->made_dirs, &j->nmade, d);
}

/* ---------------------------------------------------------------- stage 1 */

int
apply_clean_stale(const char *hive_path, struct diag *d)
{
	char *dir = dir_of(hive_path), *base = base_of(hive_path), *pre = NULL;
	DIR *dp = NULL;
	struct dirent *de;
	struct stat hst;
	size_t bl;
	int r = -1;

	if (dir == NULL || base == NULL || asprintf(&pre, "%s.kbfix-tmp-",
	    base) < 0) {
		pre = NULL;
		diag_error(d, NULL, 0, "out of memory");
		goto out;
	}
	if ((dp = opendir(*dir ? dir : ".")) == NULL) {
		diag_error(d, NULL, 0, "cannot read the folder of '%s': %s",
		    hive_path, strerror(errno));
		goto out;
	}
	if (stat(hive_path, &hst) < 0) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", hive_path,
		    strerror(errno));
		goto out;
	}
	bl = strlen(base);
	while ((de = readdir(dp)) != NULL) {
		const char *nm = de->d_name;
		size_t l = strlen(nm);
		struct stat st;
		char *p, *u;

		if (asprintf(&p, "%s%s", dir, nm) < 0)
			continue;
		if (strncmp(nm, pre, strlen(pre)) == 0) {
			if (unlink(p) == 0)
				diag_note(d, NULL, 0, "removed '%s', left by "
				    "an interrupted kbfix", p);
		} else if (strncmp(nm, base, bl) == 0 &&
		    strncmp(nm + bl, ".kbfix-", 7) == 0 && l > 4 &&
		    strcmp(nm + l - 4, ".bak") == 0 && lstat(p, &st) == 0 &&
		    S_ISREG(st.st_mode) && st.st_ino == hst.st_ino &&
		    st.st_dev == hst.st_dev) {
			/* A backup that is the hive itself (the same inode):
			 * a run killed between making it and the rename.
			 * It keeps nothing; its undo file undoes nothing. */
			if (unlink(p) == 0)
				diag_note(d, NULL, 0, "removed '%s', left by "
				    "an interrupted kbfix", p);
			if (asprintf(&u, "%.*s-undo.reg", (int)(strlen(p) - 4),
			    p) >= 0) {
				if (unlink(u) == 0)
					diag_note(d, NULL, 0, "removed '%s', "
					    "left by an interrupted kbfix", u);
				free(u);
			}
		}
		free(p);
	}
	r = 0;
out:
	if (dp != NULL)
		closedir(dp);
	free(pre);
	free(dir);
	free(base);
	return r;
}

/* The elements of HV's root and KEY[0..N): a regfile_key's path. */
static int
key_elems(const struct hive *hv, char *const *key, size_t n,
    struct regfile_key *k)
{
	const char *root = hive_kind_reg_root(hv->kind), *s, *e;
	size_t nr = 1, i;

	if (root == NULL)
		root = "HKEY_LOCAL_MACHINE\\UNKNOWN";
	for (s = root; *s; s++)
		nr += *s == '\\';
	if ((k->elems = calloc(nr + n + 1, sizeof *k->elems)) == NULL)
		return -1;
	for (s = root; ; s = e + 1) {
		if ((e = strchr(s, '\\')) == NULL)
			e = s + strlen(s);
		if ((k->elems[k->nelems++] = strndup(s, (size_t)(e - s))) ==
		    NULL)
			return -1;
		if (*e == '\0')
			break;
	}
	for (i = 0; i < n; i++)
		if ((k->elems[k->nelems++] = strdup(key[i])) == NULL)
			return -1;
	k->path = plan_key_text(hv, key, n);
	return k->path ? 0 : -1;
}

static int
same_key_elems(const struct change *a, const struct change *b)
{
	size_t i;

	if (a->nkey != b->nkey)
		return 0;
	for (i = 0; i < a->nkey; i++)
		if (strcmp(a->key[i], b->key[i]) != 0)
			return 0;
	return 1;
}

/* The changes of P on HV as an in-memory .reg file, in plan order.  The
 * same execution path as `kbfix undo` and as the --format reg output.
 * Value changes one after the other in one key go in one key of the
 * file, which regfile_apply writes in one hivex_node_set_values: n values
 * set in a key cost O(n), not O(n^2) (regtext.c). */
static int
plan_regfile(const struct plan *p, const struct hive *hv, struct regfile **out,
    size_t *nchanges, struct diag *d)
{
	struct regfile *rf = calloc(1, sizeof *rf);
	const struct change *prev = NULL;
	size_t i, j, n = 0;

	*out = NULL;
	*nchanges = 0;
	if (rf == NULL)
		goto oom;
	for (i = 0; i < p->nentries; i++)
		n += p->entries[i].nchanges;
	if ((rf->keys = calloc(n + 1, sizeof *rf->keys)) == NULL)
		goto oom;
	for (i = 0; i < p->nentries; i++) {
		const struct plan_entry *e = &p->entries[i];

		for (j = 0; j < e->nchanges; j++) {
			const struct change *c = &e->changes[j];
			int value = c->kind == CHANGE_SET_VALUE ||
			    c->kind == CHANGE_DELETE_VALUE;
			struct regfile_key *k;
			struct regfile_value *v;

			if (c->hive != hv)
				continue;
			(*nchanges)++;
			if (value && prev != NULL && same_key_elems(prev, c)) {
				k = &rf->keys[rf->nkeys - 1];
			} else {
				size_t m = j + 1, nv = value;

				/* Room for the value changes that follow in
				 * this key. */
				for (; m < e->nchanges && e->changes[m].hive ==
				    hv && (e->changes[m].kind ==
				    CHANGE_SET_VALUE || e->changes[m].kind ==
				    CHANGE_DELETE_VALUE) && same_key_elems(c,
				    &e->changes[m]); m++)
					nv++;
				k = &rf->keys[rf->nkeys++];
				k->line = c->line;
				if (key_elems(hv, c->key, c->nkey, k) < 0)
					goto oom;
				if (c->kind == CHANGE_DELETE_KEY)
					k->delete = 1;
				if ((k->values = calloc(nv + 1, sizeof *v)) ==
				    NULL)
					goto oom;
			}
			prev = value || c->kind == CHANGE_CREATE_KEY ? c : NULL;
			if (!value)
				continue;
			v = &k->values[k->nvalues++];
			v->line = c->line;
			if ((v->name = strdup(c->name)) == NULL)
				goto oom;
			if (c->kind == CHANGE_DELETE_VALUE) {
				v->delete = 1;
				continue;
			}
			v->type = c->new.type;
			v->len = c->new.len;
			if ((v->data = malloc(v->len ? v->len : 1)) == NULL)
				goto oom;
			if (v->len)
				memcpy(v->data, c->new.data, v->len);
		}
		prev = NULL;
	}
	*out = rf;
	return 0;
oom:
	regfile_free(rf);
	diag_error(d, hv->path, 0, "out of memory");
	return -1;
}

/* The sequence number the new file carries (recover_next_seq: above the
 * hive's own and every log entry's, so that Windows never replays old
 * entries over kbfix's changes), and the logs that hold data newer than
 * the hive file (they go with the backup). */
static int
new_seq(struct apply_file *f, struct diag *d)
{
	struct txlog_state st;
	uint32_t seq;
	size_t i;

	if (txlog_inspect(f->orig->path, &st, d) < 0)
		return -1;
	for (i = 0; st.pending && i < st.nfiles; i++) {
		char **nl;

		if (st.files[i].stale)
			continue;
		nl = realloc(f->logs, (f->nlogs + 1) * sizeof *nl);
		if (nl == NULL || (nl[f->nlogs] = strdup(st.files[i].path)) ==
		    NULL) {
			if (nl != NULL)
				f->logs = nl;
			txlog_state_free(&st);
			diag_error(d, NULL, 0, "out of memory");
			return -1;
		}
		f->logs = nl;
		f->nlogs++;
	}
	seq = recover_next_seq(&st);
	txlog_state_free(&st);
	/* The replay, when there was one, may be numbered higher still. */
	if (f->orig->hdr.seq1 >= seq || f->orig->hdr.seq2 >= seq)
		seq = (f->orig->hdr.seq1 > f->orig->hdr.seq2 ?
		    f->orig->hdr.seq1 : f->orig->hdr.seq2) + 1;
	f->seq = seq;
	return 0;
}

/* Write F's new content to a temporary file beside the original. */
static int
write_temp(struct apply_file *f, const struct plan *p, struct diag *d)
{
	struct regfile *rf = NULL;
	struct stat st;
	char *dir = NULL, *base = NULL;
	int fd, r = -1;

	if (new_seq(f, d) < 0)
		return -1;
	if (plan_regfile(p, f->orig, &rf, &f->nchanges, d) < 0)
		return -1;
	if ((dir = dir_of(f->dest)) == NULL ||
	    (base = base_of(f->dest)) == NULL ||
	    asprintf(&f->tmp, "%s%s.kbfix-tmp-XXXXXX", dir, base) < 0) {
		f->tmp = NULL;
		diag_error(d, NULL, 0, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(f->tmp)) < 0) {
		diag_error(d, NULL, 0, "cannot create a temporary file in "
		    "'%s': %s", *dir ? dir : ".", strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		goto out;
	}
	lock_temp_add(f->tmp);
	/* The new hive gets the original's permissions (and owner, when
	 * allowed) rather than mkstemp's 0600. */
	if (stat(f->orig->path, &st) == 0) {
		(void)fchmod(fd, st.st_mode & 07777);
		if (fchown(fd, st.st_uid, st.st_gid) < 0) {
			/* not root: the file stays ours */
		}
	}
	close(fd);
	/* hivex makes the changes in memory and writes them there; kbfix
	 * does around it what hivex cannot (hivewrite.h). */
	if (hivewrite_execute(f->orig, rf, hive_kind_reg_root(f->orig->kind),
	    f->tmp, d) < 0)
		goto out;
#ifdef __GLIBC__
	/* hivex leaves megabytes freed in the heap (hivex_node_delete_child
	 * copies the whole cell bitmap): give them back before the new file
	 * is read. */
	malloc_trim(0);
#endif
	/* hivex wrote its new cells after the original's bins: only they
	 * need finishing.  (hivex 1.3.23 never reuses a cell it frees;
	 * check_regf's test_hivex_appends fails on a hivex that does.) */
	if (regf_finish(f->tmp, f->seq, REGF_BASE_BLOCK_SIZE +
	    (uint64_t)f->orig->hdr.bins_size, d) < 0)
		goto out;
	if (sync_path(f->tmp, 0) < 0) {
		diag_error(d, NULL, 0, "cannot sync '%s': %s", f->tmp,
		    strerror(errno));
		goto out;
	}
	r = 0;
out:
	regfile_free(rf);
	free(dir);
	free(base);
	return r;
}

static void
remove_temp(struct apply_file *f)
{
	if (f->tmp == NULL)
		return;
	unlink(f->tmp);
	lock_temp_forget(f->tmp);
	free(f->tmp);
	f->tmp = NULL;
}

static int
same_move(const struct change *a, const struct change *b)
{
	return a->kind == b->kind && a->file && b->file &&
	    strcmp(a->file, b->file) == 0 && (a->to == NULL) == (b->to == NULL) &&
	    (a->to == NULL || strcmp(a->to, b->to) == 0);
}

/* The file changes of P, checked: each file still there, a regular file;
 * each new name free. */
static int
prepare_moves(struct apply_job *j, const struct plan *p,
    const struct apply_options *o, struct diag *d)
{
	size_t i, k, n = 0;
	struct stat st;

	for (i = 0; i < p->nentries; i++)
		for (k = 0; k < p->entries[i].nchanges; k++)
			if (p->entries[i].changes[k].hive == NULL)
				n++;
	if (n == 0)
		return 0;
	if ((j->moves = calloc(n, sizeof *j->moves)) == NULL)
		goto oom;
	for (i = 0; i < p->nentries; i++)
		for (k = 0; k < p->entries[i].nchanges; k++) {
			const struct change *c = &p->entries[i].changes[k];
			struct apply_move *m = &j->moves[j->nmoves];

			if (c->hive != NULL)
				continue;
			m->c = c;
			if ((m->from = strdup(c->file)) == NULL)
				goto oom;
			j->nmoves++;
			if (lstat(m->from, &st) < 0 || !S_ISREG(st.st_mode)) {
				diag_error(d, NULL, 0, "'%s' %s", m->from,
				    errno == ENOENT ? "is gone" : "is not a "
				    "regular file: not touched");
				return -1;
			}
			if (c->kind == CHANGE_DELETE_FILE && !o->output)
				continue;	/* named by apply_commit */
			if (c->kind == CHANGE_DELETE_FILE)
				continue;	/* only left out of the copy */
			m->to = o->output ? o->output(o->output_arg, c->to, d) :
			    strdup(c->to);
			if (m->to == NULL) {
				if (d->nerrors == 0)
					goto oom;
				return -1;
			}
			if (lstat(m->to, &st) == 0) {
				diag_error(d, NULL, 0, "'%s' exists: kbfix does "
				    "not overwrite it", m->to);
				return -1;
			}
			if (o->output) {
				char *dir = dir_of(m->to);

				if (dir == NULL)
					goto oom;
				if (*dir && make_dirs(j, dir, d) < 0) {
					free(dir);
					return -1;
				}
				free(dir);
			}
		}
	return 0;
oom:
	diag_error(d, NULL, 0, "out of memory");
	return -1;
}

int
apply_prepare(const struct plan *p, const struct target *t,
    const struct apply_options *o, apply_replan_fn replan, void *arg,
    struct apply_job **out, struct diag *d)
{
	struct apply_job *j = calloc(1, sizeof *j);
	struct target after = *t;
	struct plan *left = NULL;
	size_t i, k, e, n;

	*out = NULL;
	after.hives = NULL;
	if (j == NULL || (j->files = calloc(t->nhives + 1,
	    sizeof *j->files)) == NULL)
		goto oom;
	j->output = o->output != NULL;
	if (t->windir != NULL && (j->windir = strdup(t->windir)) == NULL)
		goto oom;
	for (i = 0; i < t->nhives; i++) {
		struct apply_file *f;
		struct stat st;

		if (!plan_touches(p, t->hives[i]))
			continue;
		f = &j->files[j->nfiles++];
		f->orig = t->hives[i];
		f->dest = o->output ? o->output(o->output_arg, f->orig->path,
		    d) : strdup(f->orig->path);
		if (f->dest == NULL) {
			if (d->nerrors == 0)
				goto oom;
			goto fail;
		}
		if (o->output) {
			char *dir;

			if (lstat(f->dest, &st) == 0) {
				diag_error(d, NULL, 0, "'%s' exists: kbfix does "
				    "not overwrite files in the output folder",
				    f->dest);
				goto fail;
			}
			if ((dir = dir_of(f->dest)) == NULL)
				goto oom;
			if (*dir && make_dirs(j, dir, d) < 0) {
				free(dir);
				goto fail;
			}
			free(dir);
		}
	}
	if (prepare_moves(j, p, o, d) < 0)
		goto fail;
	/* The hives were read whole to be planned on: let their pages go,
	 * so that each write below holds one copy of a hive in memory. */
	for (i = 0; i < t->nhives; i++)
		hive_release(t->hives[i]);
	for (i = 0; i < j->nfiles; i++) {
		struct apply_file *f = &j->files[i];

		if (write_temp(f, p, d) < 0)
			goto fail;
		if (hive_open(f->tmp, 0, &f->after, d) < 0) {
			diag_error(d, NULL, 0, "'%s': the new file does not "
			    "read back as a hive", f->orig->path);
			goto fail;
		}
		if (verify_unchanged(f->orig, f->after, p, d) < 0) {
			diag_error(d, NULL, 0, "'%s': the new file differs "
			    "from the original outside the plan; nothing was "
			    "changed", f->orig->path);
			goto fail;
		}
		hive_release(f->after);
	}
	/* Plan again on the new files: nothing must be left but the file
	 * changes, which apply_commit makes. */
	if ((after.hives = calloc(t->nhives + 1, sizeof *after.hives)) ==
	    NULL)
		goto oom;
	for (i = 0; i < t->nhives; i++) {
		after.hives[i] = t->hives[i];
		for (k = 0; k < j->nfiles; k++)
			if (j->files[k].orig == t->hives[i])
				after.hives[i] = j->files[k].after;
	}
	if (replan(arg, &after, &left, d) < 0)
		goto fail;
	n = 0;
	for (e = 0; e < left->nentries; e++)
		for (k = 0; k < left->entries[e].nchanges; k++) {
			const struct change *c = &left->entries[e].changes[k];

			for (i = 0; i < j->nmoves; i++)
				if (same_move(c, j->moves[i].c))
					break;
			if (i == j->nmoves)
				n++;
		}
	plan_free(left);
	if (n != 0) {
		diag_error(d, NULL, 0, "after the changes, planning again "
		    "still finds %zu to make; nothing was changed", n);
		goto fail;
	}
	free(after.hives);
	*out = j;
	return 0;
oom:
	diag_error(d, NULL, 0, "out of memory");
fail:
	free(after.hives);
	apply_job_free(j);
	return -1;
}

/* ---------------------------------------------------------------- stage 2 */

/* The UTC time that names backups and undo files: now, or
 * SOURCE_DATE_EPOCH when set (the reproducible-builds convention), which
 * the golden-file tests use to get the same names on every run. */
static char *
now_stamp(char *buf, size_t n)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t now = time(NULL);
	struct tm tm;

	if (sde != NULL && *sde != '\0' && strspn(sde, "0123456789") ==
	    strlen(sde))
		now = (time_t)strtoll(sde, NULL, 10);

	gmtime_r(&now, &tm);
	strftime(buf, n, "%Y%m%dT%H%M%SZ", &tm);
	return buf;
}

/* Flush, fsync and close the undo file U written at PATH.  Returns 0, or
 * -1 with D. */
static int
close_synced(FILE *u, const char *path, struct diag *d)
{
	int r = fflush(u) != 0 || fsync(fileno(u)) < 0 ? -1 : 0;

	if (fclose(u) != 0)
		r = -1;
	if (r < 0)
		diag_error(d, NULL, 0, "cannot write the undo file '%s': %s",
		    path, strerror(errno));
	return r;
}

/* Remove F's backup and undo file (made by this run, not yet needed). */
static void
drop_kept(struct apply_file *f)
{
	if (f->undo) {
		unlink(f->undo);
		lock_temp_forget(f->undo);
	}
	if (f->backup) {
		unlink(f->backup);
		lock_temp_forget(f->backup);
	}
	free(f->undo);
	free(f->backup);
	f->undo = f->backup = NULL;
}

/* Backup and undo file of F, named after STAMP in DIR; "-2", "-3"... when
 * an earlier run of the same second left its own. */
static int
keep_original(struct apply_file *f, const struct plan *p,
    const struct apply_options *o, const char *stamp, struct diag *d)
{
	char *dir = o->backup_dir ? dir_slash(o->backup_dir) :
	    dir_of(f->dest);
	char *base = base_of(f->dest);
	char *stem = NULL, *sha = f->sha_after;
	struct regfile *model = NULL;
	int n, r = -1;
	FILE *u = NULL;
	int fd = -1;

	if (dir == NULL || base == NULL)
		goto oom;
	for (n = 1; n < 1000; n++) {
		free(stem);
		stem = NULL;
		if ((n == 1 ? asprintf(&stem, "%s%s.kbfix-%s", dir, base,
		    stamp) : asprintf(&stem, "%s%s.kbfix-%s-%d", dir, base,
		    stamp, n)) < 0) {
			stem = NULL;
			goto oom;
		}
		free(f->backup);
		free(f->undo);
		f->backup = NULL;
		if (asprintf(&f->undo, "%s-undo.reg", stem) < 0) {
			f->undo = NULL;
			goto oom;
		}
		if (!o->no_backup && asprintf(&f->backup, "%s.bak", stem) < 0) {
			f->backup = NULL;
			goto oom;
		}
		/* The undo file is claimed first: it is made in every
		 * case. */
		fd = open(f->undo, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0) {
			diag_error(d, NULL, 0, "cannot create the undo file "
			    "'%s': %s", f->undo, strerror(errno));
			free(f->undo);
			f->undo = NULL;
			goto out;
		}
		if (f->backup == NULL)
			break;
		if (keep_hive(f->orig, f->backup) == 0)
			break;
		if (errno != EEXIST) {
			diag_error(d, NULL, 0, "cannot keep a backup of '%s' "
			    "as '%s': %s", f->orig->path, f->backup,
			    strerror(errno));
			free(f->backup);
			f->backup = NULL;
			goto out;
		}
		close(fd);
		fd = -1;
		unlink(f->undo);
	}
	if (fd < 0) {
		diag_error(d, NULL, 0, "cannot find a free backup name for "
		    "'%s' in '%s'", f->orig->path, dir);
		free(f->undo);
		free(f->backup);
		f->undo = f->backup = NULL;
		goto out;
	}
	/* Until the hive is replaced, an interrupted run removes them. */
	lock_temp_add(f->undo);
	if (f->backup)
		lock_temp_add(f->backup);
	if ((u = fdopen(fd, "w")) == NULL)
		goto oom;
	fd = -1;
	/* The undo file binds itself to the new hive (its SHA-256), and is
	 * read back and checked against the plan before any rename. */
	if (audit_sha256_file(f->tmp, sha) < 0) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", f->tmp,
		    strerror(errno));
		goto out;
	}
	if (undo_model(p, f->orig, f->after, &model, d) < 0 ||
	    undo_write(u, f->undo, model, p, f->orig, f->dest, sha, o->tool,
	    stamp, d) < 0)
		goto out;
	r = close_synced(u, f->undo, d);
	u = NULL;
	if (r == 0 && undo_verify(f->undo, model, p, f->orig, f->after, sha,
	    d) < 0)
		r = -1;
	goto out;
oom:
	diag_error(d, NULL, 0, "out of memory");
out:
	if (u != NULL)
		fclose(u);	/* on error: the file is removed below */
	if (fd >= 0)
		close(fd);
	if (r < 0)
		drop_kept(f);
	regfile_free(model);
	free(stem);
	free(dir);
	free(base);
	return r;
}

/* Logs that hold data the new hive does not have (--ignore-logs) go with
 * the backup: Windows must not replay them over the new file, and they
 * must not be lost. */
static int
keep_logs(struct apply_file *f, const struct apply_options *o,
    const char *stamp, struct diag *d)
{
	size_t i;

	if (f->nlogs == 0)
		return 0;
	if ((f->moved_logs = calloc(f->nlogs, sizeof *f->moved_logs)) == NULL)
		goto oom;
	for (i = 0; i < f->nlogs; i++) {
		char *dir = o->backup_dir ? dir_slash(o->backup_dir) :
		    dir_of(f->logs[i]);
		char *base = base_of(f->logs[i]);
		int r;

		r = dir == NULL || base == NULL ? -1 :
		    asprintf(&f->moved_logs[i], "%s%s.kbfix-%s", dir, base,
		    stamp);
		free(dir);
		free(base);
		if (r < 0) {
			f->moved_logs[i] = NULL;
			goto oom;
		}
		if (keep_file(f->logs[i], f->moved_logs[i]) < 0) {
			diag_error(d, NULL, 0, "cannot keep the log '%s' as "
			    "'%s': %s", f->logs[i], f->moved_logs[i],
			    strerror(errno));
			free(f->moved_logs[i]);
			f->moved_logs[i] = NULL;
			return -1;
		}
	}
	return 0;
oom:
	diag_error(d, NULL, 0, "out of memory");
	return -1;
}

static void
unkeep(struct apply_file *f)
{
	size_t i;

	drop_kept(f);
	for (i = 0; f->moved_logs && i < f->nlogs; i++) {
		if (f->moved_logs[i])
			unlink(f->moved_logs[i]);
		free(f->moved_logs[i]);
	}
	free(f->moved_logs);
	f->moved_logs = NULL;
}

/* Create the new file WHERE "kbfix-" STAMP SUFFIX, or with "-2", "-3"
 * ... after STAMP when that name is taken (a second run within the
 * second).  Returns its descriptor and *PATH (caller frees), or -1 with
 * errno, *PATH the last name tried (NULL: out of memory). */
static int
create_numbered(const char *where, const char *stamp, const char *suffix,
    char **path)
{
	int k, fd = -1;

	*path = NULL;
	for (k = 1; k < 1000; k++) {
		free(*path);
		if ((k == 1 ? asprintf(path, "%skbfix-%s%s", where, stamp,
		    suffix) : asprintf(path, "%skbfix-%s-%d%s", where, stamp, k,
		    suffix)) < 0) {
			*path = NULL;
			return -1;
		}
		fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	return fd;
}

/* PATH (its folder exists) as a manifest writes it below ROOT (absolute,
 * resolved): "a\\b", or "%BackupDir%\\NAME" when it is in BACKUP
 * (resolved, or NULL).  NULL with D when it is in neither. */
static char *
manifest_path(const char *root, const char *backup, const char *path,
    struct diag *d)
{
	char *dir = dir_of(path), *base = base_of(path), *real = NULL, *r = NULL;
	size_t l = strlen(root), i;

	if (dir == NULL || base == NULL)
		goto oom;
	if ((real = realpath(*dir ? dir : ".", NULL)) == NULL) {
		diag_error(d, NULL, 0, "cannot find the folder of '%s': %s",
		    path, strerror(errno));
		goto out;
	}
	if (backup != NULL && strcmp(real, backup) == 0) {
		if (asprintf(&r, "%%BackupDir%%\\%s", base) < 0)
			goto oom;
	} else if (strcmp(real, root) == 0) {
		if ((r = strdup(base)) == NULL)
			goto oom;
	} else if (strncmp(real, root, l) == 0 && (real[l] == '/' ||
	    strcmp(root, "/") == 0)) {
		if (asprintf(&r, "%s\\%s", real + l + (real[l] == '/'),
		    base) < 0)
			goto oom;
		for (i = 0; r[i] != '\0'; i++)
			if (r[i] == '/')
				r[i] = '\\';
	} else
		diag_error(d, NULL, 0, "'%s' is not below '%s': the undo "
		    "manifest cannot name it", path, root);
	goto out;
oom:
	diag_error(d, NULL, 0, "out of memory");
out:
	free(dir);
	free(base);
	free(real);
	return r;
}

/* The undo manifest of J (undo.h) in O->manifest_dir, naming each undo
 * file of the job below O->manifest_root. */
static int
keep_manifest(struct apply_job *j, const struct plan *p,
    const struct apply_options *o, const char *stamp, struct diag *d)
{
	struct undo_part *parts = NULL;
	char *root = NULL, *bk = NULL, *where = NULL, *path = NULL, *win;
	size_t n = 0, i;
	int fd = -1, r = -1;
	FILE *u = NULL;

	if (o->manifest_root == NULL || (j->nfiles == 0 &&
	    j->files_undo == NULL))
		return 0;
	if ((root = realpath(o->manifest_root, NULL)) == NULL) {
		diag_error(d, NULL, 0, "cannot find '%s': %s", o->manifest_root,
		    strerror(errno));
		goto out;
	}
	if (o->backup_dir != NULL && !j->output &&
	    (bk = realpath(o->backup_dir, NULL)) == NULL) {
		diag_error(d, NULL, 0, "cannot find the backup folder '%s': %s",
		    o->backup_dir, strerror(errno));
		goto out;
	}
	if ((parts = calloc(j->nfiles + 1, sizeof *parts)) == NULL)
		goto oom;
	for (i = 0; i < j->nfiles; i++, n++)
		if ((parts[n].target = manifest_path(root, NULL, j->files[i].dest,
		    d)) == NULL || (parts[n].undo = manifest_path(root, bk,
		    j->files[i].undo, d)) == NULL)
			goto out;
	if (j->files_undo != NULL) {
		/* The Windows folder: the one the files undo file is for. */
		if ((win = j->output ? o->output(o->output_arg, j->windir, d) :
		    strdup(j->windir)) == NULL)
			goto out;
		path = NULL;
		if (asprintf(&path, "%s/x", win) < 0)
			path = NULL;
		free(win);
		if (path == NULL)
			goto oom;
		parts[n].target = manifest_path(root, NULL, path, d);
		free(path);
		path = NULL;
		if (parts[n].target == NULL)
			goto out;
		/* "a\x" -> "a": the folder itself. */
		*strrchr(parts[n].target, '\\') = '\0';
		if ((parts[n++].undo = manifest_path(root, bk, j->files_undo,
		    d)) == NULL)
			goto out;
	}
	/* As relative as the user's paths: no "./" in front. */
	if ((where = strcmp(o->manifest_dir, ".") == 0 ? strdup("") :
	    dir_slash(o->manifest_dir)) == NULL)
		goto oom;
	if ((fd = create_numbered(where, stamp, "-undo.reg", &path)) < 0) {
		if (path == NULL)
			goto oom;
		diag_error(d, NULL, 0, "cannot create the undo manifest '%s': "
		    "%s", path, strerror(errno));
		goto out;
	}
	j->manifest = path;
	path = NULL;
	lock_temp_add(j->manifest);
	if ((u = fdopen(fd, "w")) == NULL)
		goto oom;
	fd = -1;
	if (undo_write_manifest(u, j->manifest, p, parts, n, root, bk, o->tool,
	    stamp, d) < 0)
		goto out;
	r = close_synced(u, j->manifest, d);
	u = NULL;
	goto out;
oom:
	diag_error(d, NULL, 0, "out of memory");
out:
	if (u != NULL)
		fclose(u);
	if (fd >= 0)
		close(fd);
	if (r < 0 && j->manifest != NULL) {
		unlink(j->manifest);
		lock_temp_forget(j->manifest);
		free(j->manifest);
		j->manifest = NULL;
	}
	for (i = 0; parts != NULL && i < j->nfiles + 1; i++) {
		free(parts[i].target);
		free(parts[i].undo);
	}
	free(parts);
	free(root);
	free(bk);
	free(where);
	free(path);
	return r;
}

/* Is one of SIGS pending? */
static int
interrupted(const sigset_t *sigs)
{
	sigset_t pend;
	int s;

	if (sigpending(&pend) < 0)
		return 0;
	for (s = 1; s < NSIG; s++)
		if (sigismember(sigs, s) == 1 && sigismember(&pend, s) == 1)
			return 1;
	return 0;
}

/* Where a moved file is, as the files undo file writes it (undo.h):
 * "%SystemRoot%\..." inside the Windows folder WINDIR, or
 * "%BackupDir%\NAME" for a backup in --backup-dir; NULL (with D) for
 * any other place, which an undo file cannot name. */
static char *
undo_place(const char *windir, const char *path, const char *backup_dir,
    struct diag *d)
{
	char *s = winpath_from_host(windir, path), *dir, *base;

	if (s != NULL || backup_dir == NULL)
		goto out;
	dir = dir_of(path);
	base = base_of(path);
	if (dir != NULL && base != NULL && strcmp(dir, backup_dir) == 0 &&
	    asprintf(&s, "%%BackupDir%%\\%s", base) < 0)
		s = NULL;
	free(dir);
	free(base);
out:
	if (s == NULL)
		diag_error(d, NULL, 0, "'%s' is neither in the Windows folder "
		    "'%s' nor in the backup folder: an undo file cannot name "
		    "it", path, windir);
	return s;
}

/* The backup of a deleted file: NAME.kbfix-STAMP.bak beside it or in
 * --backup-dir ("-2", "-3"... when taken). */
static int
name_deleted(struct apply_move *m, const struct apply_options *o,
    const char *stamp, struct diag *d)
{
	char *dir = o->backup_dir ? dir_slash(o->backup_dir) : dir_of(m->from);
	char *base = base_of(m->from);
	struct stat st;
	int n, r = -1;

	for (n = 1; dir != NULL && base != NULL && n < 1000; n++) {
		free(m->to);
		if ((n == 1 ? asprintf(&m->to, "%s%s.kbfix-%s.bak", dir, base,
		    stamp) : asprintf(&m->to, "%s%s.kbfix-%s-%d.bak", dir, base,
		    stamp, n)) < 0) {
			m->to = NULL;
			break;
		}
		if (lstat(m->to, &st) < 0 && errno == ENOENT) {
			r = 0;
			break;
		}
	}
	if (r < 0) {
		diag_error(d, NULL, 0, "cannot find a backup name for '%s'",
		    m->from);
		free(m->to);
		m->to = NULL;
	}
	free(dir);
	free(base);
	return r;
}

/* The undo file of the file changes (undo.h), in the output folder's
 * Windows folder, --backup-dir or the Windows folder.  Deleted files get
 * their backup names first: the undo file names them. */
static int
keep_moves(struct apply_job *j, const struct plan *p,
    const struct apply_options *o, const char *stamp, struct diag *d)
{
	struct undo_move *um = NULL;
	char *where = NULL, *outwin = NULL, *path = NULL, *bdir = NULL;
	char *breal = NULL;
	size_t i, n = 0;
	int fd = -1, r = -1;
	FILE *u = NULL;

	if (j->nmoves == 0 || o->no_files_undo)
		return 0;
	if (j->windir == NULL) {
		diag_error(d, NULL, 0, "file changes without a Windows folder");
		return -1;
	}
	if (j->output) {
		if ((outwin = o->output(o->output_arg, j->windir, d)) == NULL)
			goto out;
		if (make_dirs(j, outwin, d) < 0)
			goto out;
		where = dir_slash(outwin);
	} else
		where = dir_slash(o->backup_dir ? o->backup_dir : j->windir);
	if (where == NULL || (um = calloc(j->nmoves, sizeof *um)) == NULL)
		goto oom;
	/* Backups of deleted files in --backup-dir are named in the undo
	 * file from there (undo.h), a folder it records absolute. */
	if (o->backup_dir != NULL && !j->output) {
		if ((breal = realpath(o->backup_dir, NULL)) == NULL) {
			diag_error(d, NULL, 0, "cannot find the backup folder "
			    "'%s': %s", o->backup_dir, strerror(errno));
			goto out;
		}
		if ((bdir = dir_slash(o->backup_dir)) == NULL)
			goto oom;
	}
	for (i = 0; i < j->nmoves; i++) {
		struct apply_move *m = &j->moves[i];

		if (m->c->kind == CHANGE_DELETE_FILE && !j->output &&
		    name_deleted(m, o, stamp, d) < 0)
			goto out;
		if ((um[n].to = undo_place(j->windir, m->from, NULL, d)) ==
		    NULL)
			goto out;
		n++;
		if (m->to != NULL && (um[n - 1].from = undo_place(j->output ?
		    outwin : j->windir, m->to, bdir, d)) == NULL)
			goto out;
		/* The file is what it is now wherever the move puts it. */
		if (m->to != NULL && audit_sha256_file(m->from,
		    um[n - 1].sha256) < 0) {
			diag_error(d, NULL, 0, "cannot read '%s': %s", m->from,
			    strerror(errno));
			goto out;
		}
	}
	if ((fd = create_numbered(where, stamp, "-files-undo.reg", &path)) <
	    0) {
		if (path == NULL)
			goto oom;
		diag_error(d, NULL, 0, "cannot create the undo file '%s': %s",
		    path, strerror(errno));
		goto out;
	}
	j->files_undo = path;
	path = NULL;
	lock_temp_add(j->files_undo);
	if ((u = fdopen(fd, "w")) == NULL)
		goto oom;
	fd = -1;
	if (undo_write_files(u, j->files_undo, p, um, n, j->output ? outwin :
	    j->windir, breal, o->tool, stamp, d) < 0)
		goto out;
	r = close_synced(u, j->files_undo, d);
	u = NULL;
	if (r == 0 && undo_verify_files(j->files_undo, um, n, d) < 0)
		r = -1;
	goto out;
oom:
	diag_error(d, NULL, 0, "out of memory");
out:
	if (u != NULL)
		fclose(u);	/* on error: the file is removed below */
	if (fd >= 0)
		close(fd);
	if (r < 0 && j->files_undo != NULL) {
		unlink(j->files_undo);
		lock_temp_forget(j->files_undo);
		free(j->files_undo);
		j->files_undo = NULL;
	}
	for (i = 0; um != NULL && i < n; i++) {
		free(um[i].from);
		free(um[i].to);
	}
	free(um);
	free(breal);
	free(bdir);
	free(path);
	free(where);
	free(outwin);
	return r;
}

/* fsync the folder of PATH. */
static int
sync_dir_of(const char *path, struct diag *d)
{
	char *dir = dir_of(path);

	if (dir == NULL || sync_path(*dir ? dir : ".", 1) < 0) {
		diag_error(d, NULL, 0, "cannot sync the folder of '%s': %s",
		    path, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	return 0;
}

/* Make the file change M: a rename or a move to the backup place, or,
 * with an output folder, a copy under the new name there. */
static int
do_move(struct apply_job *j, struct apply_move *m, struct diag *d)
{
	if (m->to == NULL)	/* a deletion, with an output folder */
		return 0;
	if (j->output ? copy_file(m->from, m->to) < 0 :
	    move_noreplace(m->from, m->to) < 0) {
		diag_error(d, NULL, 0, "cannot %s '%s' to '%s': %s",
		    j->output ? "copy" : "move", m->from, m->to,
		    strerror(errno));
		return -1;
	}
	m->done = 1;
	if (sync_dir_of(m->to, d) < 0)
		return -1;
	if (!j->output && sync_dir_of(m->from, d) < 0)
		return -1;
	return 0;
}

int
apply_commit(struct apply_job *j, const struct plan *p,
    const struct apply_options *o, struct diag *d)
{
	char buf[32];
	const char *stamp = o->stamp ? o->stamp : now_stamp(buf, sizeof buf);
	struct apply_options keep = *o;
	sigset_t sigs, old;
	size_t i, k, done = 0;
	int blocked = 0;

	/* Backups and undo files of every hive first: a failure here
	 * leaves every hive as it was.  The backup is made even with
	 * --no-backup, and removed only once every hive is in place: until
	 * then it is what a failed rename is rolled back from.  With an
	 * output folder the target is the backup: the undo file goes beside
	 * the new file. */
	keep.no_backup = j->output;
	if (j->output)
		keep.backup_dir = NULL;
	/* A --backup-dir that does not exist yet is made (and removed again
	 * if the run fails). */
	if (o->backup_dir != NULL && *o->backup_dir != '\0' && !j->output &&
	    make_dirs(j, o->backup_dir, d) < 0)
		goto fail;
	for (i = 0; i < j->nfiles; i++)
		if (keep_original(&j->files[i], p, &keep, stamp, d) < 0 ||
		    (!j->output && keep_logs(&j->files[i], o, stamp, d) < 0))
			goto fail;
	if (keep_moves(j, p, o, stamp, d) < 0)
		goto fail;
	if (o->before_rename != NULL && o->before_rename(o->before_arg, j,
	    d) < 0)
		goto fail;
	/* From the first rename to the last, SIGINT, SIGTERM and SIGHUP
	 * wait: one arriving meanwhile rolls every hive back, then is
	 * delivered; the handler then removes the temporary files. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	blocked = 1;
	for (i = 0; i < j->nfiles; i++) {
		struct apply_file *f = &j->files[i];

		/* The path must still name the file planned on, unchanged,
		 * right up to its rename: the backup is of that file. */
		if (!j->output && f->orig->lock != NULL &&
		    lock_same(f->orig->lock, d) < 0) {
			diag_error(d, NULL, 0, "'%s' not replaced",
			    f->orig->path);
			goto fail;
		}
		if (j->output ? move_noreplace(f->tmp, f->dest) < 0 :
		    rename(f->tmp, f->dest) < 0) {
			diag_error(d, NULL, 0, "cannot rename '%s' to '%s': %s",
			    f->tmp, f->dest, strerror(errno));
			goto fail;
		}
		lock_temp_forget(f->tmp);
		done = i + 1;
		if (sync_dir_of(f->dest, d) < 0)
			goto fail;
	}
	/* The files after the hives (apply.h). */
	for (i = 0; i < j->nmoves; i++)
		if (do_move(j, &j->moves[i], d) < 0)
			goto fail;
	if (interrupted(&sigs)) {
		diag_error(d, NULL, 0, "interrupted");
		goto fail;
	}
	/* The logs go last: until the new hive is in place they still
	 * belong to the old one. */
	for (i = 0; i < j->nfiles; i++) {
		struct apply_file *f = &j->files[i];

		for (k = 0; !j->output && k < f->nlogs; k++)
			if (unlink(f->logs[k]) < 0)
				diag_warning(d, NULL, 0, "cannot remove the log "
				    "'%s' (kept as '%s'): %s", f->logs[k],
				    f->moved_logs[k], strerror(errno));
		lock_temp_forget(f->undo);
		if (f->backup != NULL)
			lock_temp_forget(f->backup);
		if (o->no_backup && f->backup != NULL) {
			unlink(f->backup);
			free(f->backup);
			f->backup = NULL;
		}
	}
	if (j->files_undo != NULL)
		lock_temp_forget(j->files_undo);
	j->committed = 1;
	/* The manifest last, once every hive and file is in place: it names
	 * what is done, never what a run stopped before doing.  Each undo
	 * file serves on its own without it. */
	{
		struct diag md;

		diag_init(&md);
		if (keep_manifest(j, p, o, stamp, &md) < 0)
			for (k = 0; k < md.n; k++)
				diag_warning(d, NULL, 0, "%s; no undo manifest: "
				    "undo each hive with its undo file",
				    md.items[k].msg);
		diag_free(&md);
		if (j->manifest != NULL)
			lock_temp_forget(j->manifest);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
fail:
	/* The files moved go back first, then the hives already replaced,
	 * from their backups; the temporary names are free again and serve
	 * for the way back. */
	for (k = j->nmoves; k-- > 0;) {
		struct apply_move *m = &j->moves[k];

		if (!m->done)
			continue;
		if (j->output ? unlink(m->to) < 0 :
		    move_noreplace(m->to, m->from) < 0)
			diag_error(d, NULL, 0, "could not put '%s' back: it is "
			    "'%s'", m->from, m->to);
		m->done = 0;
	}
	for (k = 0; k < done; k++) {
		struct apply_file *f = &j->files[k];

		if (j->output) {
			unlink(f->dest);
		} else if (keep_file(f->backup, f->tmp) < 0 ||
		    rename(f->tmp, f->orig->path) < 0) {
			unlink(f->tmp);
			diag_error(d, NULL, 0, "could not put '%s' back: its "
			    "original is '%s'", f->orig->path, f->backup);
			/* Keep that backup and its undo file. */
			free(f->backup);
			free(f->undo);
			f->backup = f->undo = NULL;
		}
		free(f->tmp);
		f->tmp = NULL;
	}
	for (k = 0; k < j->nfiles; k++)
		unkeep(&j->files[k]);
	if (j->files_undo != NULL) {
		unlink(j->files_undo);
		lock_temp_forget(j->files_undo);
		free(j->files_undo);
		j->files_undo = NULL;
	}
	if (blocked)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return -1;
}

void
apply_job_free(struct apply_job *j)
{
	size_t i, k;

	if (j == NULL)
		return;
	for (i = 0; i < j->nfiles; i++) {
		struct apply_file *f = &j->files[i];

		hive_close(f->after);
		if (!j->committed)
			remove_temp(f);
		free(f->tmp);
		for (k = 0; k < f->nlogs; k++) {
			free(f->logs[k]);
			if (f->moved_logs)
				free(f->moved_logs[k]);
		}
		free(f->logs);
		free(f->moved_logs);
		free(f->backup);
		free(f->undo);
		free(f->dest);
	}
	for (i = 0; i < j->nmoves; i++) {
		free(j->moves[i].from);
		free(j->moves[i].to);
	}
	/* Folders made in the output folder for nothing: the newest
	 * first; rmdir leaves any that is not empty. */
	for (i = j->nmade; i-- > 0;) {
		if (!j->committed)
			rmdir(j->made_dirs[i]);
		free(j->made_dirs[i]);
	}
	free(j->made_dirs);
	free(j->moves);
	free(j->windir);
	free(j->files_undo);
	free(j->manifest);
	free(j->files);
	free(j);
}
