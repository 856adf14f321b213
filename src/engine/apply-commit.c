/* apply-commit.c: stage 2 of apply: the originals kept (backups, logs,
 * the undo file and the manifest), the checked temporary files renamed
 * into place, the files of a folder moved (apply.h). */
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
	diag_oom(d);
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
	return diag_oom(d);
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
	diag_oom(d);
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
	diag_oom(d);
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
	if (j->windir == NULL)
		return diag_error(d, NULL, 0,
		    "file changes without a Windows folder");
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
	diag_oom(d);
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
	    move_noreplace(m->from, m->to) < 0)
		return diag_error(d, NULL, 0, "cannot %s '%s' to '%s': %s",
		    j->output ? "copy" : "move", m->from, m->to,
		    strerror(errno));
	m->done = 1;
	if (sync_dir_of(m->to, d) < 0)
		return -1;
	if (!j->output && sync_dir_of(m->from, d) < 0)
		return -1;
	return 0;
}

/* Undo what apply_commit did before it failed: the files moved go back,
 * the first DONE hives are put back from their backups, the backups and
 * undo files made are removed. */
static void
roll_back(struct apply_job *j, size_t done, struct diag *d)
{
	size_t k;

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
	roll_back(j, done, d);
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
