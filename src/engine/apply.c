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

#include "apply-int.h"
/* ---------------------------------------------------------------- files */

/* The folder of PATH, with a trailing slash, or "" for a bare file name
 * (so that the names kbfix prints are as relative as the user's). */
char *
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
char *
dir_slash(const char *dir)
{
	char *s;
	size_t n = strlen(dir);

	if (asprintf(&s, "%s%s", dir, n && dir[n - 1] != '/' ? "/" : "") < 0)
		return NULL;
	return s;
}

char *
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
int
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
int
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
int
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
int
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
int
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
int
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
		diag_oom(d);
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
	return diag_oom(d);
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
			return diag_oom(d);
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
		diag_oom(d);
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

void
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
			if (lstat(m->from, &st) < 0 || !S_ISREG(st.st_mode))
				return diag_error(d, NULL, 0, "'%s' %s",
				    m->from,
				    errno == ENOENT ? "is gone" : "is not a "
				    "regular file: not touched");
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
			if (lstat(m->to, &st) == 0)
				return diag_error(d, NULL, 0,
				    "'%s' exists: kbfix does "
				    "not overwrite it", m->to);
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
	return diag_oom(d);
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
	diag_oom(d);
fail:
	free(after.hives);
	apply_job_free(j);
	return -1;
}
