/* cmd-run.c: the TARGETs of a run, one machine each, worked on in turn
 * (or by -j N worker processes) with a summary at the end; opening one machine; the audit log's
 * records of the run itself. */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "fileio.h"
#include "json.h"

/* ---------------------------------------------------------------- targets */

/* PATH made absolute with every link resolved, also when its last
 * elements do not exist yet (an output folder to be made).  NULL when
 * that cannot be known (a ".." after a missing element).  Caller frees. */
static char *
real_path(const char *path)
{
	char *r = realpath(path, NULL), *copy, *dir, *base, *up, *s;

	if (r != NULL || errno != ENOENT)
		return r;
	if ((copy = strdup(path)) == NULL)
		return NULL;
	base = basename(copy);
	if (strcmp(base, "..") == 0 || strcmp(base, ".") == 0 ||
	    strcmp(base, "/") == 0) {
		free(copy);
		return NULL;
	}
	base = strdup(base);
	free(copy);
	if (base == NULL || (copy = strdup(path)) == NULL) {
		free(base);
		return NULL;
	}
	dir = dirname(copy);
	up = real_path(dir);
	s = NULL;
	if (up != NULL && asprintf(&s, "%s%s%s", up, strcmp(up, "/") ?
	    "/" : "", base) < 0)
		s = NULL;
	free(up);
	free(copy);
	free(base);
	return s;
}

/* Is the path A inside B (or B itself)?  Both absolute and resolved. */
static int
inside(const char *a, const char *b)
{
	size_t l = strlen(b);

	if (strcmp(b, "/") == 0)
		return 1;
	return strncmp(a, b, l) == 0 && (a[l] == '\0' || a[l] == '/');
}

/* The last element of a TARGET, for its subfolder of the output folder. */
static char *
target_base(const char *name)
{
	char *copy = strdup(name), *b, *r;
	size_t l;

	if (copy == NULL)
		return NULL;
	while ((l = strlen(copy)) > 1 && copy[l - 1] == '/')
		copy[l - 1] = '\0';
	b = basename(copy);
	r = strcmp(b, ".") == 0 || strcmp(b, "..") == 0 || strcmp(b, "/") == 0 ?
	    NULL : strdup(b);
	free(copy);
	return r;
}

int
cmd_targets_make(const struct cmd_args *a, struct cmd_targets *ts,
    struct diag *d)
{
	static char dot[] = ".";
	char *out_real = NULL, *audit_real = NULL;
	size_t i, j, nfiles = 0;
	int bad = 0;

	memset(ts, 0, sizeof *ts);
	if ((ts->v = calloc(a->ntargets + 1, sizeof *ts->v)) == NULL ||
	    (ts->files = calloc(a->ntargets + 1, sizeof *ts->files)) == NULL)
		goto oom;
	/* The hive files together are one machine. */
	for (i = 0; i < a->ntargets; i++) {
		struct stat st;
		int r;

		if (stat(a->targets[i], &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		if ((r = cmd_disk_target(a, a->targets[i], NULL, d)) < 0) {
			cmd_targets_free(ts);
			return -1;
		}
		if (r == 0)
			ts->files[nfiles++] = a->targets[i];
	}
	/* With --each, a fleet's hives: every file a machine of its own. */
	for (i = 0; i < nfiles; i += a->each ? 1 : nfiles) {
		struct cmd_target *t = &ts->v[ts->n++];

		t->name = ts->files[i];
		t->files = &ts->files[i];
		t->nfiles = a->each ? 1 : nfiles;
	}
	for (i = 0; i < a->ntargets; i++) {
		struct stat st;
		int r;

		if (stat(a->targets[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			ts->v[ts->n].name = a->targets[i];
			ts->v[ts->n++].folder = a->targets[i];
			continue;
		}
		/* Disk images, each a target of its own. */
		if ((r = cmd_disk_target(a, a->targets[i], &ts->v[ts->n],
		    d)) < 0) {
			cmd_targets_free(ts);
			return -1;
		}
		if (r > 0)
			ts->n++;
	}
	if (a->ntargets == 0) {
		ts->v[0].name = dot;
		ts->v[0].folder = dot;
		ts->n = 1;
	}
	if (a->overlay != NULL && (ts->n != 1 || ts->v[0].disk == NULL)) {
		diag_error(d, NULL, 0, "--overlay NEW.qcow2 is for one disk "
		    "image TARGET");
		cmd_targets_free(ts);
		return -1;
	}
	if (a->output == NULL)
		return 0;
	if ((out_real = real_path(a->output)) == NULL) {
		diag_error(d, NULL, 0, "cannot place the output folder '%s': "
		    "%s", a->output, strerror(errno));
		cmd_targets_free(ts);
		return -1;
	}
	if (a->audit != NULL && (audit_real = real_path(a->audit)) == NULL) {
		diag_error(d, NULL, 0, "cannot place the audit log '%s': %s",
		    a->audit, strerror(errno));
		free(out_real);
		cmd_targets_free(ts);
		return -1;
	}
	for (i = 0; i < ts->n; i++) {
		struct cmd_target *t = &ts->v[i];
		char *tr, *b;

		/* Nothing may be written under a folder TARGET. */
		if (t->folder != NULL && (tr = real_path(t->folder)) != NULL) {
			if (inside(out_real, tr)) {
				diag_error(d, NULL, 0, "the output folder '%s' "
				    "is inside the target '%s', which kbfix must "
				    "not write to", a->output, t->folder);
				bad = 1;
			}
			if (audit_real != NULL && inside(audit_real, tr)) {
				diag_error(d, NULL, 0, "the audit log '%s' is "
				    "inside the target '%s', which kbfix must "
				    "not write to", a->audit, t->folder);
				bad = 1;
			}
			free(tr);
		}
		if (ts->n == 1 || (t->folder == NULL && t->disk == NULL)) {
			if ((t->output = strdup(a->output)) == NULL)
				goto oom;
			continue;
		}
		if ((b = target_base(t->folder ? t->folder : t->name)) ==
		    NULL) {
			diag_error(d, NULL, 0, "'%s' has no name for its "
			    "subfolder of the output folder: give it as a "
			    "path that ends with one", t->name);
			bad = 1;
			continue;
		}
		if (asprintf(&t->output, "%s/%s", a->output, b) < 0) {
			free(b);
			t->output = NULL;
			goto oom;
		}
		free(b);
		for (j = 0; j < i; j++)
			if ((ts->v[j].folder != NULL || ts->v[j].disk != NULL) &&
			    ts->v[j].output &&
			    strcmp(ts->v[j].output, t->output) == 0) {
				diag_error(d, NULL, 0, "'%s' and '%s' would both "
				    "write to '%s'", ts->v[j].name, t->name,
				    t->output);
				bad = 1;
			}
	}
	free(out_real);
	free(audit_real);
	if (bad) {
		cmd_targets_free(ts);
		return -1;
	}
	return 0;
oom:
	free(out_real);
	free(audit_real);
	cmd_targets_free(ts);
	return diag_oom(d);
}

void
cmd_targets_free(struct cmd_targets *ts)
{
	size_t i;

	for (i = 0; ts->v != NULL && i < ts->n; i++) {
		free(ts->v[i].output);
		free(ts->v[i].disk);
		free(ts->v[i].disk_device);
	}
	free(ts->v);
	free(ts->files);
	memset(ts, 0, sizeof *ts);
}

/* ---------------------------------------------------------------- machine */

int
cmd_machine_open(const struct cmd_args *a, const struct cmd_target *t,
    struct remedy *const *rs, size_t nrs, int lock, struct cmd_machine *m,
    struct diag *d)
{
	int want[HIVE__COUNT];
	size_t i;
	int bad = 0;

	memset(m, 0, sizeof *m);
	/* An argument that is no remedy names a TARGET: one that is not
	 * there may have been meant as a remedy (KB-267971, Q267971.XML.bak);
	 * say what it was taken for. */
	for (i = 0; i < t->nfiles; i++) {
		struct stat st;

		if (lstat(t->files[i], &st) < 0 && errno == ENOENT) {
			diag_error(d, NULL, 0, "'%s' is neither a remedy ID "
			    "(Q267971, KB267971, 267971), a remedy file (.xml) "
			    "nor a TARGET (no file or folder has that name)",
			    t->files[i]);
			bad = 1;
		}
	}
	/* Apply locks nothing then; scan and the dry run still open the
	 * others, so that every bad file is reported at once. */
	if (bad && lock)
		return -1;
	cmd_hives_wanted(rs, nrs, want);
	if (t->folder != NULL ? image_find(t->folder, want, &m->im, d) < 0 :
	    image_from_files(t->files, t->nfiles, &m->im, d) < 0)
		return -1;
	m->t.windir = m->im->windir;
	if (lock) {
		if (cmd_hives_open(m->im->hives, m->im->nhives, a, &m->locked,
		    d) < 0) {
			cmd_machine_close(m);
			return -1;
		}
		m->t.hives = m->locked.hives;
		m->t.nhives = m->locked.n;
		return 0;
	}
	if ((m->hives = calloc(m->im->nhives + 1, sizeof *m->hives)) == NULL ||
	    (m->recs = calloc(m->im->nhives + 1, sizeof *m->recs)) == NULL) {
		diag_oom(d);
		cmd_machine_close(m);
		return -1;
	}
	/* Open them all, so that every bad file is reported at once.  A
	 * dirty hive is planned on its logs' replay, in a temporary file. */
	for (i = 0; i < m->im->nhives; i++) {
		struct stat st;

		if (t->folder == NULL && lstat(m->im->hives[i], &st) < 0 &&
		    errno == ENOENT)
			continue;	/* said above */
		if (recover_hive_open(m->im->hives[i], a->ignore_logs, 0,
		    &m->recs[m->nhives], &m->hives[m->nhives], d) == 0)
			m->nhives++;
		else
			bad = 1;
	}
	if (bad || cmd_one_machine(m->hives, m->nhives, d) < 0) {
		cmd_machine_close(m);
		return -1;
	}
	m->t.hives = m->hives;
	m->t.nhives = m->nhives;
	return 0;
}

void
cmd_machine_close(struct cmd_machine *m)
{
	size_t i;

	for (i = 0; i < m->nhives; i++) {
		hive_close(m->hives[i]);
		recover_free(&m->recs[i]);
	}
	free(m->hives);
	free(m->recs);
	cmd_hives_release(&m->locked);
	image_free(m->im);
	memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- audit */

void
cmd_audit_start(struct audit *au, const struct cmd_args *a,
    const char *command, struct remedy *const *rs, size_t nrs)
{
	FILE *f;
	size_t i;
	int k;

	if (au == NULL)
		return;
	if ((f = audit_begin(au, "start", NULL)) != NULL) {
		fprintf(f, ",\"audit_version\":%d,\"tool\":\"%s\","
		    "\"version\":\"%s\",\"command\":", AUDIT_VERSION,
		    PACKAGE_NAME, PACKAGE_VERSION);
		json_string(f, command);
		fputs(",\"argv\":[", f);
		for (k = 0; k < a->argc; k++) {
			if (k)
				fputc(',', f);
			json_string(f, a->argv[k]);
		}
		fputc(']', f);
		cmd_audit_context(f, a);
		audit_end(au, f);
	}
	for (i = 0; i < nrs; i++) {
		if ((f = audit_begin(au, "remedy", NULL)) == NULL)
			continue;
		fputs(",\"id\":", f);
		json_string(f, rs[i]->id);
		fputs(",\"title\":", f);
		json_string(f, rs[i]->title);
		fputs(",\"file\":", f);
		json_string(f, rs[i]->file);
		cmd_audit_abs(f, "abs_file", rs[i]->file);
		fputs(",\"sha256\":", f);
		json_hex(f, rs[i]->sha256, sizeof rs[i]->sha256);
		audit_end(au, f);
	}
}

void
cmd_audit_end(struct audit *au, int rc)
{
	FILE *f = audit_begin(au, "end", NULL);

	if (f == NULL)
		return;
	fprintf(f, ",\"exit\":%d", rc);
	audit_end(au, f);
}

void
cmd_audit_result(struct audit *au, const char *name,
    const struct cmd_outcome *o, const struct diag *d)
{
	FILE *f = audit_begin(au, "result", name);
	size_t i;
	int first = 1;

	if (f == NULL)
		return;
	fprintf(f, ",\"exit\":%d,\"changes\":%zu,\"errors\":[", o->rc,
	    o->nchanges);
	for (i = 0; i < d->n; i++) {
		if (d->items[i].level != DIAG_ERROR)
			continue;
		if (!first)
			fputc(',', f);
		first = 0;
		json_string(f, d->items[i].msg);
	}
	fputc(']', f);
	audit_end(au, f);
}

/* ---------------------------------------------------------------- run */

static const char *
outcome_text(enum cmd_mode mode, const struct cmd_outcome *o)
{
	if (o->rc == EXIT_TROUBLE)
		return "error";
	if (mode == CMD_APPLY)
		return o->nchanges ? "changed" : "nothing to do";
	return o->rc == EXIT_PENDING ? "changes pending" : "nothing to do";
}

/* Is standard output JSON or .reg, which takes no headings? */
static int
machine_output(const struct cmd_run *r)
{
	return r->a->format != RENDER_DIFF && r->mode != CMD_APPLY;
}

/* Text output heads each of several targets' output. */
static void
target_head(const struct cmd_run *r, size_t i, const char *name)
{
	/* scan -q and the dry run's -q print nothing at all. */
	if (r->several && !machine_output(r) &&
	    !(r->a->quiet && r->mode != CMD_APPLY))
		printf("%s==> %s <==\n", i ? "\n" : "", name);
}

/* ------------------------------------------------------------ -j N
 *
 * N worker processes, forked once, each working on one target at a time:
 * the parent hands out target indexes on a pipe per worker and gets back,
 * on another, the outcome, what the target printed and its messages,
 * which it keeps until every target before has been shown, so that the
 * output, the audit log's results and the summary are those of a run
 * without -j.  A worker per target would repeat the fork and the
 * copy-on-write of the loaded remedies for every hive, which costs as much
 * as a fifth of planning a 35 MB hive.
 */

struct result {
	int done;
	struct cmd_outcome o;
	char *out;		/* what it printed */
	size_t nout;
	struct diag d;		/* its messages */
};

struct worker {
	pid_t pid;		/* 0: none */
	int task, res;		/* pipes: indexes out, results in */
	size_t busy;		/* the target it works on, or (size_t)-1 */
};

/* What a worker sends for each target, then NOUT bytes of output and
 * NDIAG messages, each a struct msg_head, its file and its text. */
struct result_head {
	size_t index;
	struct cmd_outcome o;
	size_t nout, ndiag;
};

struct msg_head {
	enum diag_level level;
	long line;
	size_t nfile;		/* (size_t)-1: no file */
	size_t nmsg;
};

/* Read exactly LEN bytes; 0 at a clean end of file before any, -1 on an
 * error or a short message, 1 when read. */
static int
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

/* A string of LEN bytes from FD, NUL-terminated (caller frees), or NULL. */
static char *
read_string(int fd, size_t len)
{
	char *s;

	if (len == (size_t)-1 || (s = malloc(len + 1)) == NULL)
		return NULL;
	if (read_all(fd, s, len) != 1) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

/* Run FN on T, or on each machine of T when it is a disk image. */
static int
run_target(const struct cmd_run *r, const struct cmd_target *t,
    cmd_target_fn fn, FILE *out, struct cmd_outcome *o, struct diag *d)
{
	if (t->disk != NULL)
		return cmd_disk_run(r, t, fn, out, o, d);
	return fn(r, t, out, o, d);
}

/* A worker's life: run FN on each target index read from TASK and send
 * the result on RES, until the parent closes TASK. */
static void
worker_main(const struct cmd_run *r, const struct cmd_targets *ts,
    cmd_target_fn fn, int task, int res)
{
	size_t idx, i;

	while (read_all(task, &idx, sizeof idx) == 1 && idx < ts->n) {
		struct result_head h;
		struct diag d;
		char *out = NULL;
		size_t nout = 0;
		FILE *fo = open_memstream(&out, &nout);

		if (fo == NULL)
			_exit(EXIT_TROUBLE);
		cmd_progress_working(idx, 1);
		diag_init(&d);
		memset(&h, 0, sizeof h);
		run_target(r, &ts->v[idx], fn, fo, &h.o, &d);
		if (fclose(fo) != 0)
			_exit(EXIT_TROUBLE);
		h.index = idx;
		h.nout = nout;
		h.ndiag = d.n;
		if (fileio_write_all(res, &h, sizeof h) < 0 ||
		    fileio_write_all(res, out, nout) < 0)
			_exit(EXIT_TROUBLE);
		for (i = 0; i < d.n; i++) {
			const struct diag_item *it = &d.items[i];
			struct msg_head m;

			memset(&m, 0, sizeof m);
			m.level = it->level;
			m.line = it->line;
			m.nfile = it->file ? strlen(it->file) : (size_t)-1;
			m.nmsg = it->msg ? strlen(it->msg) : 0;
			if (fileio_write_all(res, &m, sizeof m) < 0 ||
			    (it->file && fileio_write_all(res, it->file,
			    m.nfile) < 0) || fileio_write_all(res,
			    it->msg ? it->msg : "", m.nmsg) < 0)
				_exit(EXIT_TROUBLE);
		}
		diag_free(&d);
		free(out);
	}
	_exit(0);
}

/* Read the rest of a result whose head is H from FD into RS.  Returns 0
 * or -1. */
static int
result_read(int fd, const struct result_head *h, struct result *rs)
{
	size_t i;

	rs->o = h->o;
	rs->nout = h->nout;
	if ((rs->out = read_string(fd, h->nout)) == NULL)
		return -1;
	for (i = 0; i < h->ndiag; i++) {
		struct msg_head m;
		char *file = NULL, *msg;

		if (read_all(fd, &m, sizeof m) != 1)
			return -1;
		if (m.nfile != (size_t)-1 &&
		    (file = read_string(fd, m.nfile)) == NULL)
			return -1;
		if ((msg = read_string(fd, m.nmsg)) == NULL) {
			free(file);
			return -1;
		}
		diag_add(&rs->d, m.level, file, m.line, "%s", msg);
		free(file);
		free(msg);
	}
	return 0;
}

/* Start a worker in W.  Returns 0 or -1 with errno. */
static int
worker_start(struct worker *w, const struct cmd_run *r,
    const struct cmd_targets *ts, cmd_target_fn fn, struct worker *all,
    size_t n)
{
	int tp[2], rp[2];
	size_t i;

	if (pipe(tp) < 0)
		return -1;
	if (pipe(rp) < 0) {
		close(tp[0]);
		close(tp[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	w->pid = fork();
	if (w->pid < 0) {
		close(tp[0]);
		close(tp[1]);
		close(rp[0]);
		close(rp[1]);
		w->pid = 0;
		return -1;
	}
	if (w->pid == 0) {
		/* The other workers' pipes are theirs: holding their task
		 * pipes open would keep them from ever seeing the end. */
		for (i = 0; i < n; i++) {
			if (&all[i] == w || all[i].pid == 0)
				continue;
			if (all[i].task >= 0)
				close(all[i].task);
			close(all[i].res);
		}
		close(tp[1]);
		close(rp[0]);
		worker_main(r, ts, fn, tp[0], rp[1]);
	}
	close(tp[0]);
	close(rp[1]);
	w->task = tp[1];
	w->res = rp[0];
	w->busy = (size_t)-1;
	return 0;
}

/* Hand W the next target, or tell it to stop when none is left. */
static void
worker_feed(struct worker *w, size_t *next, size_t n)
{
	if (*next < n && fileio_write_all(w->task, next, sizeof *next) == 0) {
		w->busy = (*next)++;
		return;
	}
	close(w->task);
	w->task = -1;
	w->busy = (size_t)-1;
}

/* The target W worked on is lost: its worker died.  Stop W. */
static void
worker_lost(struct worker *w, const struct cmd_targets *ts,
    struct result *res)
{
	if (w->busy != (size_t)-1) {
		struct result *rs = &res[w->busy];

		free(rs->out);
		rs->out = NULL;
		rs->nout = 0;
		rs->o.rc = EXIT_TROUBLE;
		rs->o.nchanges = 0;
		diag_error(&rs->d, ts->v[w->busy].name, 0, "the job working "
		    "on it ended unexpectedly");
		rs->done = 1;
	}
	if (w->task >= 0)
		close(w->task);
	close(w->res);
	waitpid(w->pid, NULL, 0);
	w->pid = 0;
}

/* Print the results from *SHOWN on that are done and every one before
 * is, in target order, and record them in the audit log. */
static void
show_done(const struct cmd_run *r, const struct cmd_targets *ts,
    struct result *res, size_t *shown, struct cmd_progress *pg)
{
	if (*shown < ts->n && res[*shown].done)
		cmd_progress_clear(pg);
	for (; *shown < ts->n && res[*shown].done; (*shown)++) {
		struct result *rs = &res[*shown];

		target_head(r, *shown, ts->v[*shown].name);
		fwrite(rs->out, 1, rs->nout, stdout);
		fflush(stdout);
		diag_print(&rs->d, stderr);
		cmd_audit_result(r->audit, ts->v[*shown].name, &rs->o, &rs->d);
		free(rs->out);
		rs->out = NULL;
		diag_free(&rs->d);
	}
}

/* Tell PG how far the run is: RUNNING targets are being worked on. */
static void
show_progress(struct cmd_progress *pg, const struct cmd_targets *ts,
    const struct result *res, size_t running)
{
	size_t i, done = 0, failed = 0;

	if (pg->f == NULL)
		return;
	for (i = 0; i < ts->n; i++)
		if (res[i].done) {
			done++;
			if (res[i].o.rc == EXIT_TROUBLE)
				failed++;
		}
	cmd_progress_update(pg, done, running, failed);
}

/* Run FN on the targets of TS in NW workers; RES[i] gets each result.
 * Targets no worker could be started for are results of trouble. */
static void
run_workers(const struct cmd_run *r, const struct cmd_targets *ts,
    cmd_target_fn fn, size_t nw, struct result *res, struct cmd_progress *pg)
{
	struct worker *wv = calloc(nw, sizeof *wv);
	struct pollfd *pv = calloc(nw, sizeof *pv);
	size_t next = 0, shown = 0, live = 0, i;
	void (*old_pipe)(int);
	int err = 0;

	if (wv == NULL || pv == NULL) {
		free(wv);
		free(pv);
		err = ENOMEM;
		goto left;
	}
	/* A worker that dies leaves a pipe nobody reads: that is an error
	 * to report, not a signal to die of. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < nw; i++) {
		if (worker_start(&wv[i], r, ts, fn, wv, nw) < 0) {
			err = errno;
			continue;
		}
		live++;
		worker_feed(&wv[i], &next, ts->n);
	}
	show_progress(pg, ts, res, live);
	while (shown < ts->n && live > 0) {
		size_t np = 0, busy = 0;
		int ready;

		for (i = 0; i < nw; i++) {
			if (wv[i].pid == 0)
				continue;
			pv[np].fd = wv[i].res;
			pv[np].events = POLLIN;
			pv[np].revents = 0;
			np++;
		}
		/* With a progress line, wake up to move its clock. */
		if ((ready = poll(pv, np, cmd_progress_wait(pg))) < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (ready == 0) {
			cmd_progress_tick(pg);
			continue;
		}
		for (i = 0, np = 0; i < nw; i++) {
			struct worker *w = &wv[i];
			struct result_head h;

			if (w->pid == 0)
				continue;
			if (pv[np++].revents == 0)
				continue;
			if (read_all(w->res, &h, sizeof h) == 1 &&
			    h.index == w->busy && h.index < ts->n &&
			    result_read(w->res, &h, &res[h.index]) == 0) {
				res[h.index].done = 1;
				worker_feed(w, &next, ts->n);
				continue;
			}
			/* The worker ended: normally, once told to stop; else
			 * it died, and its target is trouble. */
			worker_lost(w, ts, res);
			live--;
			/* Replace a dead worker while there is work left. */
			if (next < ts->n && worker_start(w, r, ts, fn, wv,
			    nw) == 0) {
				live++;
				worker_feed(w, &next, ts->n);
			}
		}
		show_done(r, ts, res, &shown, pg);
		for (i = 0; i < nw; i++)
			if (wv[i].pid != 0 && wv[i].busy != (size_t)-1)
				busy++;
		show_progress(pg, ts, res, busy);
	}
	for (i = 0; i < nw; i++)
		if (wv[i].pid != 0)
			worker_lost(&wv[i], ts, res);
	signal(SIGPIPE, old_pipe);
	free(wv);
	free(pv);
left:
	/* Targets never worked on: no worker could be started or waited
	 * for. */
	for (i = 0; i < ts->n; i++) {
		if (res[i].done)
			continue;
		res[i].o.rc = EXIT_TROUBLE;
		diag_error(&res[i].d, ts->v[i].name, 0, "not worked on: %s",
		    strerror(err ? err : EIO));
		res[i].done = 1;
	}
	show_done(r, ts, res, &shown, pg);
}

int
cmd_run_all(const struct cmd_run *r, const struct cmd_targets *ts,
    cmd_target_fn fn)
{
	struct result *res = calloc(ts->n + 1, sizeof *res);
	int machine_out = machine_output(r);
	FILE *sum = machine_out ? stderr : stdout;
	size_t i, w = 6, nw, shown = 0;
	int worst = EXIT_NOTHING;
	struct cmd_progress pg;

	if (res == NULL) {
		fprintf(stderr, "kbfix: error: out of memory\n");
		return EXIT_TROUBLE;
	}
	for (i = 0; i < ts->n; i++)
		diag_init(&res[i].d);
	nw = r->a->jobs > 1 ? (size_t)r->a->jobs : 1;
	if (nw > ts->n)
		nw = ts->n;
	cmd_progress_start(&pg, r->a, ts->n);
	/* A disk image takes seconds to open: the line says so, even for
	 * one. */
	if (pg.f == NULL && ts->n == 1 && ts->v[0].disk != NULL &&
	    r->a->progress < 0 && !r->a->quiet && isatty(STDERR_FILENO))
		pg.f = stderr;
	cmd_progress_share(&pg, ts->n);
	if (nw > 1) {
		fflush(stdout);
		run_workers(r, ts, fn, nw, res, &pg);
	} else if (pg.f != NULL) {
		/* One target at a time, each printed once done, so that the
		 * progress line stays up while it is worked on. */
		for (i = 0; i < ts->n; i++) {
			struct result *rs = &res[i];
			FILE *fo = open_memstream(&rs->out, &rs->nout);

			show_progress(&pg, ts, res, 1);
			cmd_progress_working(i, 0);
			if (fo == NULL) {
				rs->o.rc = EXIT_TROUBLE;
				diag_oom(&rs->d);
			} else {
				run_target(r, &ts->v[i], fn, fo, &rs->o,
				    &rs->d);
				if (fclose(fo) != 0) {
					rs->o.rc = EXIT_TROUBLE;
					diag_oom(&rs->d);
				}
			}
			rs->done = 1;
			show_done(r, ts, res, &shown, &pg);
		}
	} else {
		for (i = 0; i < ts->n; i++) {
			struct result *rs = &res[i];

			target_head(r, i, ts->v[i].name);
			fflush(stdout);
			run_target(r, &ts->v[i], fn, stdout, &rs->o, &rs->d);
			fflush(stdout);
			diag_print(&rs->d, stderr);
			cmd_audit_result(r->audit, ts->v[i].name, &rs->o,
			    &rs->d);
			diag_free(&rs->d);
		}
	}
	for (i = 0; i < ts->n; i++) {
		if (res[i].o.rc > worst)
			worst = res[i].o.rc;
		if (strlen(ts->v[i].name) > w)
			w = strlen(ts->v[i].name);
	}
	cmd_progress_clear(&pg);
	cmd_progress_unshare();
	if (ts->n > 1 && !(r->a->quiet && r->mode != CMD_APPLY)) {
		fprintf(sum, "%s%-*s  %-15s  %s\n", machine_out ? "" : "\n",
		    (int)w, "TARGET", "RESULT", "CHANGES");
		for (i = 0; i < ts->n; i++) {
			fprintf(sum, "%-*s  %-15s  ", (int)w, ts->v[i].name,
			    outcome_text(r->mode, &res[i].o));
			if (res[i].o.rc == EXIT_TROUBLE)
				fprintf(sum, "-\n");
			else
				fprintf(sum, "%zu\n", res[i].o.nchanges);
		}
		fprintf(sum, "kbfix: %zu targets, exit %d\n", ts->n, worst);
	}
	fflush(sum);
	free(res);
	return worst;
}

int
cmd_drive(struct cmd_args *a, enum cmd_mode mode, const char *verb,
    cmd_target_fn fn, struct diag *d)
{
	struct cmd_targets ts = { 0 };
	struct cmd_run r;
	int rc = EXIT_TROUBLE;

	memset(&r, 0, sizeof r);
	r.mode = mode;
	r.a = a;
	if (cmd_remedies_load(a->ids, a->nids, &r.rs, &r.nrs, d) < 0)
		goto out;
	if (cmd_targets_make(a, &ts, d) < 0)
		goto out;
	if (a->audit != NULL && audit_open(a->audit, &r.audit, d) < 0)
		goto out;
	r.several = ts.n > 1;
	cmd_audit_start(r.audit, a, verb, r.rs, r.nrs);
	diag_print(d, stderr);
	diag_free(d);
	diag_init(d);
	rc = cmd_run_all(&r, &ts, fn);
	cmd_audit_end(r.audit, rc);
out:
	/* An apply that made its changes synced their records first
	 * (cmd_write): exit 2 would say they were not made. */
	if (mode == CMD_APPLY && rc != EXIT_TROUBLE)
		(void)audit_close_late(r.audit, d);
	else if (audit_close(r.audit, d) < 0)
		rc = EXIT_TROUBLE;
	diag_print(d, stderr);
	diag_free(d);
	cmd_targets_free(&ts);
	cmd_remedies_free(r.rs, r.nrs);
	cmd_args_free(a);
	return rc;
}
