/* cmd-write.c: what apply and undo share: locking and opening the hives
 * (dirty ones on the replay of their logs), and the safe write with its
 * report. */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cmd.h"
#include "json.h"
#include "plancount.h"

int
cmd_hives_open(char *const *paths, size_t n, const struct cmd_args *a,
    struct cmd_hives *h, struct diag *d)
{
	size_t i;
	int bad = 0;

	memset(h, 0, sizeof *h);
	h->hives = calloc(n + 1, sizeof *h->hives);
	h->recs = calloc(n + 1, sizeof *h->recs);
	h->locks = calloc(n + 1, sizeof *h->locks);
	if (h->hives == NULL || h->recs == NULL || h->locks == NULL) {
		diag_oom(d);
		cmd_hives_release(h);
		return -1;
	}
	lock_signals_install();
	for (i = 0; i < n; i++) {
		struct hive *hv;

		/* The lock first: what is planned on is what is written. */
		if (lock_acquire(paths[i], &h->locks[h->nlocks], d) < 0) {
			bad = 1;
			continue;
		}
		h->nlocks++;
		if (a->output == NULL && apply_clean_stale(paths[i], d) < 0) {
			bad = 1;
			continue;
		}
		if (recover_hive_open(paths[i], a->ignore_logs, 0,
		    &h->recs[h->n], &hv, d) < 0) {
			bad = 1;
			continue;
		}
		h->hives[h->n++] = hv;
		/* What is planned on is the file locked: the backup is made
		 * from the lock's descriptor, and the path must still name
		 * it at each rename (apply.c). */
		hv->lock = &h->locks[h->nlocks - 1];
		if ((strcmp(hv->file, hv->path) == 0 &&
		    (hv->checked.st_dev != hv->lock->st.st_dev ||
		    hv->checked.st_ino != hv->lock->st.st_ino)) ||
		    lock_same(hv->lock, d) < 0) {
			diag_error(d, NULL, 0, "'%s' was replaced while kbfix "
			    "opened it: run again", paths[i]);
			bad = 1;
		}
	}
	if (!bad && cmd_one_machine(h->hives, h->n, d) < 0)
		bad = 1;
	if (bad) {
		cmd_hives_release(h);
		return -1;
	}
	return 0;
}

void
cmd_hives_release(struct cmd_hives *h)
{
	size_t i;

	for (i = 0; h->hives && i < h->n; i++) {
		hive_close(h->hives[i]);
		recover_free(&h->recs[i]);
	}
	for (i = 0; h->locks && i < h->nlocks; i++)
		lock_release(&h->locks[i]);
	free(h->hives);
	free(h->recs);
	free(h->locks);
	memset(h, 0, sizeof *h);
}

/* --output: the place of PATH in the output folder. */
static char *
output_path(void *arg, const char *path, struct diag *d)
{
	const struct cmd_write_opts *w = arg;
	char *rel = image_rel(w->im, path), *s;

	if (rel == NULL) {
		diag_error(d, NULL, 0, "'%s' is outside the target: it has no "
		    "place in the output folder", path);
		return NULL;
	}
	if (asprintf(&s, "%s/%s", w->output, rel) < 0) {
		diag_oom(d);
		s = NULL;
	}
	free(rel);
	return s;
}

/* Is the folder of PATH on a read-only file system? */
static int
read_only(const char *path)
{
	char *copy = strdup(path), *dir;
	struct statvfs sv;
	int r = 0;

	if (copy == NULL)
		return 0;
	dir = dirname(copy);
	if (statvfs(dir, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		r = 1;
	else if (access(dir, W_OK) < 0 && errno == EROFS)
		r = 1;
	free(copy);
	return r;
}

int
cmd_writable_check(const struct plan *p, const struct cmd_args *a,
    struct diag *d)
{
	const char *verb = a->cmd == CMDB_UNDO ? "undo" : "apply";
	size_t i, k;

	if (a->output != NULL)
		return 0;
	/* Once, for the first: the others are on the same mount, as a
	 * rule, and the remedy is the same for all. */
	for (i = 0; i < p->nentries; i++)
		for (k = 0; k < p->entries[i].nchanges; k++) {
			const struct change *c = &p->entries[i].changes[k];
			const char *path = c->hive ? c->hive->path : c->file;

			if (read_only(path))
				return diag_error(d, NULL, 0,
				    "'%s' is on a read-only "
				    "file system, and %s writes beside it: "
				    "nothing was changed; to treat it as "
				    "evidence, write remediated copies elsewhere "
				    "with --output DIR", path, verb);
		}
	if (a->backup_dir != NULL) {
		char *f;

		if (asprintf(&f, "%s/x", a->backup_dir) >= 0) {
			int ro = read_only(f);

			free(f);
			if (ro)
				return diag_error(d, NULL, 0,
				    "the backup folder '%s' "
				    "is on a read-only file system: nothing was "
				    "changed", a->backup_dir);
		}
	}
	return 0;
}

/* The SHA-256 of each file before the commit, for the audit log. */
struct hashes {
	char (*hive)[65];	/* of each hive of the job */
	char (*log)[65];	/* of each log of each hive, in turn */
	char (*move)[65];	/* of each moved file */
};

static void
hash_before(const struct apply_job *j, struct hashes *h)
{
	size_t i, k, nlogs = 0, l = 0;

	for (i = 0; i < j->nfiles; i++)
		nlogs += j->files[i].nlogs;
	h->hive = calloc(j->nfiles + 1, sizeof *h->hive);
	h->log = calloc(nlogs + 1, sizeof *h->log);
	h->move = calloc(j->nmoves + 1, sizeof *h->move);
	for (i = 0; h->hive && i < j->nfiles; i++)
		if (audit_sha256_file(j->files[i].orig->path,
		    h->hive[i]) < 0)
			h->hive[i][0] = '\0';
	for (i = 0; h->log && i < j->nfiles; i++)
		for (k = 0; k < j->files[i].nlogs; k++, l++)
			if (audit_sha256_file(j->files[i].logs[k],
			    h->log[l]) < 0)
				h->log[l][0] = '\0';
	for (i = 0; h->move && i < j->nmoves; i++)
		if (audit_sha256_file(j->moves[i].from, h->move[i]) < 0)
			h->move[i][0] = '\0';
}

static void
put_hash(FILE *f, const char *name, const char *hex)
{
	fprintf(f, ",\"%s\":", name);
	if (hex != NULL && *hex)
		fprintf(f, "\"%s\"", hex);
	else
		fputs("null", f);
}

static void
put_path(FILE *f, const char *name, const char *path)
{
	fprintf(f, ",\"%s\":", name);
	json_string(f, path);
}

/* The audit record of a file kbfix wrote that was not there: ROLE, its
 * path and SHA-256. */
static void
audit_written(const struct cmd_write_opts *w, const char *role,
    const char *path)
{
	FILE *f = audit_begin(w->audit, "file", w->name);

	if (f == NULL)
		return;
	fprintf(f, ",\"role\":\"%s\"", role);
	put_path(f, "path", NULL);
	put_hash(f, "sha256_before", NULL);
	put_path(f, "written", path);
	audit_put_sha256(f, "sha256_after", path);
	audit_end(w->audit, f);
}

/* The audit records of a job about to be committed: every file touched,
 * with its SHA-256 before and after (that of the temporary file that
 * becomes the hive, of the file that is moved), then every change. */
static void
audit_job(const struct cmd_write_opts *w, const struct apply_job *j,
    const struct plan *p, const struct hashes *h, int no_backup,
    struct diag *d)
{
	size_t i, k, l;
	FILE *f;

	for (i = 0; i < j->nfiles; i++) {
		const struct apply_file *af = &j->files[i];

		if ((f = audit_begin(w->audit, "file", w->name)) == NULL)
			continue;
		fputs(",\"role\":\"hive\"", f);
		fprintf(f, ",\"hive_kind\":\"%s\"",
		    hive_kind_name(af->orig->kind));
		put_path(f, "path", af->orig->path);
		put_hash(f, "sha256_before", h->hive ? h->hive[i] : NULL);
		put_path(f, "written", af->dest);
		put_hash(f, "sha256_after", af->sha_after);
		fprintf(f, ",\"changes\":%zu", af->nchanges);
		/* With --no-backup the backup goes once the hives are in
		 * place. */
		put_path(f, "backup", no_backup ? NULL : af->backup);
		if (af->backup && !no_backup)
			audit_put_sha256(f, "backup_sha256", af->backup);
		put_path(f, "undo_file", af->undo);
		audit_end(w->audit, f);
		audit_written(w, "undo-file", af->undo);
	}
	/* The logs of a dirty hive went with its backup (apply.h): taken
	 * away from beside the new hive, kept whole. */
	for (i = 0, l = 0; i < j->nfiles; i++)
		for (k = 0; k < j->files[i].nlogs; k++, l++) {
			const struct apply_file *af = &j->files[i];

			if (af->moved_logs == NULL ||
			    af->moved_logs[k] == NULL || (f =
			    audit_begin(w->audit, "file", w->name)) == NULL)
				continue;
			fputs(",\"role\":\"log\"", f);
			put_path(f, "path", af->logs[k]);
			put_hash(f, "sha256_before", h->log ? h->log[l] : NULL);
			put_path(f, "written", NULL);
			put_hash(f, "sha256_after", NULL);
			put_path(f, "backup", af->moved_logs[k]);
			audit_put_sha256(f, "backup_sha256", af->moved_logs[k]);
			audit_end(w->audit, f);
		}
	for (i = 0; i < j->nmoves; i++) {
		const struct apply_move *m = &j->moves[i];
		int del = m->c->kind == CHANGE_DELETE_FILE;

		if ((f = audit_begin(w->audit, "file", w->name)) == NULL)
			continue;
		fprintf(f, ",\"role\":\"file\",\"action\":\"%s\"",
		    del ? "delete-file" : "rename-file");
		put_path(f, "path", m->from);
		put_hash(f, "sha256_before", h->move ? h->move[i] : NULL);
		/* A file deleted in place is kept as its backup; from an
		 * output folder's copy it is only left out. */
		put_path(f, "written", del ? NULL : m->to);
		if (del)
			put_hash(f, "sha256_after", NULL);
		else
			audit_put_sha256(f, "sha256_after", m->from);
		put_path(f, "backup", del ? m->to : NULL);
		if (del && m->to)
			audit_put_sha256(f, "backup_sha256", m->from);
		audit_end(w->audit, f);
	}
	if (j->files_undo != NULL)
		audit_written(w, "undo-file", j->files_undo);

	for (i = 0; i < p->nentries; i++)
		for (k = 0; k < p->entries[i].nchanges; k++) {
			if ((f = audit_begin(w->audit, "change", w->name)) ==
			    NULL)
				continue;
			fputs(",\"remedy\":", f);
			json_string(f, p->entries[i].remedy->id);
			fputs(",\"change\":", f);
			if (render_json_change(f, &p->entries[i].changes[k], 1,
			    d) < 0)
				fputs("null", f);
			audit_end(w->audit, f);
		}
}

/* apply_commit's hook before the first rename: the audit records of what
 * is about to be done, synced; a record that cannot be written stops the
 * commit, so that exit 2 always means "as it was". */
struct before_arg {
	const struct cmd_write_opts *w;
	const struct plan *p;
	const struct hashes *h;
	int no_backup;
};

static int
before_rename(void *arg, const struct apply_job *j, struct diag *d)
{
	struct before_arg *b = arg;

	audit_job(b->w, j, b->p, b->h, b->no_backup, d);
	return audit_sync(b->w->audit, d);
}

/* The folder, resolved, that holds the N hives HV: the deepest one their
 * folders share.  NULL with D. */
static char *
common_dir(struct hive *const *hv, size_t n, struct diag *d)
{
	char *c = NULL, *copy, *r;
	size_t i, l;

	for (i = 0; i < n; i++) {
		if ((copy = strdup(hv[i]->path)) == NULL)
			goto oom;
		r = realpath(dirname(copy), NULL);
		free(copy);
		if (r == NULL) {
			diag_error(d, NULL, 0, "cannot find the folder of '%s': "
			    "%s", hv[i]->path, strerror(errno));
			free(c);
			return NULL;
		}
		if (c == NULL) {
			c = r;
			continue;
		}
		/* Cut C back to a folder R is in. */
		for (;;) {
			l = strlen(c);
			if (strncmp(r, c, l) == 0 && (r[l] == '\0' ||
			    r[l] == '/' || l == 1))
				break;
			*strrchr(c, '/') = '\0';
			if (*c == '\0') {
				c[0] = '/';	/* C held at least "/x" */
				c[1] = '\0';
			}
		}
		free(r);
	}
	return c;
oom:
	free(c);
	diag_oom(d);
	return NULL;
}

int
cmd_write(const struct plan *p, const struct target *t,
    apply_replan_fn replan, void *arg, const struct cmd_args *a,
    const struct cmd_write_opts *w, struct diag *d)
{
	struct apply_options o;
	struct apply_job *j = NULL;
	struct hashes h = { NULL, NULL, NULL };
	size_t *counts = NULL;
	char *common = NULL, *firstdir = NULL;
	struct before_arg b;
	FILE *out = w->out;
	size_t i, k;
	int rc = EXIT_TROUBLE;

	memset(&o, 0, sizeof o);
	o.backup_dir = a->backup_dir;
	o.no_backup = a->no_backup;
	o.tool = PACKAGE_STRING;
	o.no_files_undo = w->no_files_undo;
	if (w->output != NULL) {
		o.output = output_path;
		o.output_arg = (void *)w;
	} else if (cmd_writable_check(p, a, d) < 0)
		return EXIT_TROUBLE;
	/* Counted on the hives as planned on, before they are replaced. */
	if ((counts = calloc(t->nhives + 1, sizeof *counts)) == NULL) {
		diag_oom(d);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < t->nhives; i++)
		counts[i] = plan_count_items(p, t->hives[i]);
	/* The undo manifest: in the output folder, --backup-dir, the Windows
	 * folder, or beside the first hive; naming the undo files below
	 * the output folder, the folder TARGET or the hives' folder. */
	if (w->output != NULL)
		o.manifest_root = o.manifest_dir = w->output;
	else if (w->im != NULL && w->im->root != NULL) {
		o.manifest_root = w->im->root;
		o.manifest_dir = w->im->windir ? w->im->windir : w->im->root;
	} else if (t->nhives > 0) {
		char *first = strdup(t->hives[0]->path);

		if ((common = common_dir(t->hives, t->nhives, d)) == NULL ||
		    first == NULL) {
			free(first);
			goto out;
		}
		firstdir = strdup(dirname(first));
		free(first);
		if (firstdir == NULL) {
			diag_oom(d);
			goto out;
		}
		o.manifest_root = common;
		o.manifest_dir = firstdir;
	}
	if (a->backup_dir != NULL && w->output == NULL && o.manifest_root)
		o.manifest_dir = a->backup_dir;
	if (apply_prepare(p, t, &o, replan, arg, &j, d) < 0) {
		diag_error(d, NULL, 0, "nothing was changed");
		goto out;
	}
	if (w->audit != NULL) {
		hash_before(j, &h);
		b.w = w;
		b.p = p;
		b.h = &h;
		b.no_backup = a->no_backup;
		o.before_rename = before_rename;
		o.before_arg = &b;
	}
	if (apply_commit(j, p, &o, d) < 0) {
		diag_error(d, NULL, 0, "nothing was changed");
		goto out;
	}
	for (i = 0; i < j->nfiles; i++) {
		const struct apply_file *f = &j->files[i];
		size_t n = f->nchanges;

		for (k = 0; k < t->nhives; k++)
			if (t->hives[k] == f->orig)
				n = counts[k];
		fprintf(out, "kbfix: '%s': %zu change%s made\n", f->orig->path,
		    n, n == 1 ? "" : "s");
		if (strcmp(f->dest, f->orig->path) != 0)
			fprintf(out, "kbfix: '%s': written to '%s'\n",
			    f->orig->path, f->dest);
		if (f->backup)
			fprintf(out, "kbfix: '%s': backup '%s'\n",
			    f->orig->path, f->backup);
		fprintf(out, "kbfix: '%s': undo file '%s'\n", f->orig->path,
		    f->undo);
		for (k = 0; k < f->nlogs && f->moved_logs; k++)
			fprintf(out, "kbfix: '%s': log '%s' moved to '%s'\n",
			    f->orig->path, f->logs[k], f->moved_logs[k]);
	}
	for (i = 0; i < j->nmoves; i++) {
		const struct apply_move *m = &j->moves[i];

		if (m->c->kind == CHANGE_DELETE_FILE && m->to != NULL)
			fprintf(out, "kbfix: '%s': deleted, kept as '%s'\n",
			    m->from, m->to);
		else if (m->c->kind == CHANGE_DELETE_FILE)
			fprintf(out, "kbfix: '%s': left out of the output "
			    "folder\n", m->from);
		else if (j->output)
			fprintf(out, "kbfix: '%s': copied as '%s'\n", m->from,
			    m->to);
		else
			fprintf(out, "kbfix: '%s': renamed to '%s'\n", m->from,
			    m->to);
	}
	if (j->files_undo != NULL)
		fprintf(out, "kbfix: undo file of the file changes '%s'\n",
		    j->files_undo);
	if (j->manifest != NULL)
		fprintf(out, "kbfix: undo manifest '%s' (kbfix undo '%s' puts "
		    "it all back)\n", j->manifest, j->manifest);
	/* Written once all is in place (apply.h): its record comes after
	 * the others, as the result does. */
	if (j->manifest != NULL)
		audit_written(w, "undo-manifest", j->manifest);
	rc = EXIT_NOTHING;
out:
	free(common);
	free(firstdir);
	free(counts);
	free(h.hive);
	free(h.log);
	free(h.move);
	apply_job_free(j);
	return rc;
}
