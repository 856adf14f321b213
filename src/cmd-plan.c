/* cmd-plan.c: kbfix scan TARGET...  |  kbfix [apply] --dry-run TARGET...
 *
 * Both open the hives read-only, compute the plan and print it: scan one
 * line per remedy saying whether and why it applies, the dry run the
 * changes themselves.  Nothing is written.  Exit 1 when something would
 * change, 0 when nothing would.
 *
 * The TARGETs are the hives of one machine, or with --each each TARGET is
 * a machine of its own (a fleet's SYSTEM hives): every machine is planned
 * and reported on its own, in the order given, and the exit code is the
 * worst of them.  -j N plans N machines at once in worker processes; a
 * machine's output is kept until the machines before it are printed.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "plan.h"
#include "recover.h"

/* The worse of two exit codes: trouble, then changes pending. */
static int
worst(int a, int b)
{
	return a > b ? a : b;
}

/* Plan one machine, the hives PATHS[0..NP), and print the result to OUT;
 * problems go to D.  LABEL names the machine when there are several
 * (scan: a prefix on every line; dry run: a heading), or is NULL.
 * Returns the exit code. */
static int
plan_machine(const struct cmd_args *a, struct remedy **rs, size_t nrs,
    char *const *paths, size_t np, int scan, const char *label, FILE *out,
    struct diag *d)
{
	struct hive **hives = NULL;
	struct recovery *recs = NULL;
	size_t nh = 0, i;
	struct target t = { NULL, 0, NULL };
	struct plan_options po;
	struct plan *p = NULL;
	int rc = EXIT_TROUBLE, bad = 0;

	if ((hives = calloc(np + 1, sizeof *hives)) == NULL ||
	    (recs = calloc(np + 1, sizeof *recs)) == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		goto out;
	}
	/* Open them all, so that every bad file is reported at once.  A
	 * dirty hive is planned on its logs' replay, in a temporary file. */
	for (i = 0; i < np; i++) {
		if (recover_hive_open(paths[i], a->ignore_logs, 0, &recs[nh],
		    &hives[nh], d) == 0)
			nh++;
		else
			bad = 1;
	}
	if (!bad && cmd_one_machine(hives, nh, d) < 0)
		bad = 1;
	if (bad)
		goto out;
	t.hives = hives;
	t.nhives = nh;
	po.control_set = a->control_set;
	if (plan_compute(rs, nrs, &t, &po, &p, d) < 0)
		goto out;
	if (scan) {
		for (i = 0; i < p->nentries; i++)
			fprintf(out, "%s%s%-10s %-15s %s\n", label ? label : "",
			    label ? ": " : "", p->entries[i].remedy->id,
			    plan_status_name(p->entries[i].status),
			    p->entries[i].reason ? p->entries[i].reason : "");
	} else {
		/* A draft named on the command line is an error; drafts met
		 * while running the whole library are only reported. */
		if (a->nids && cmd_named_refused(p, d) < 0)
			goto out;
		if (label)
			fprintf(out, "# machine '%s'\n", label);
		if (render_plan(out, p, a->format, d) < 0)
			goto out;
		/* A remedy asked for by name that changes nothing says why,
		 * so that an empty dry run is never mistaken for a fix. */
		for (i = 0; a->nids && a->format == RENDER_DIFF &&
		    i < p->nentries; i++) {
			const struct plan_entry *e = &p->entries[i];

			if (e->nchanges || e->status == ENTRY_ADVISORY ||
			    e->status == ENTRY_NEEDS_FOLDER)
				continue;
			fprintf(out, "# %s: %s: %s\n", e->remedy->id,
			    plan_status_name(e->status),
			    e->reason ? e->reason : "");
		}
	}
	if (fflush(out) != 0 || ferror(out)) {
		diag_error(d, NULL, 0, "cannot write the output");
		goto out;
	}
	rc = plan_nchanges(p) ? EXIT_PENDING : EXIT_NOTHING;
out:
	plan_free(p);
	for (i = 0; i < nh; i++) {
		hive_close(hives[i]);
		recover_free(&recs[i]);
	}
	free(hives);
	free(recs);
	return rc;
}

/* ------------------------------------------------------------ -j N
 *
 * N worker processes, forked once, each planning one machine at a time:
 * the parent hands out TARGET indexes on a pipe per worker and gets back,
 * on another, the exit code and what the machine printed on standard
 * output and error, which it keeps until every machine before has been
 * printed.  A worker per TARGET would repeat the fork and the copy-on-write
 * of the loaded remedies for every hive, which costs as much as a fifth of
 * planning a 35 MB hive.
 */

struct result {
	int done, rc;
	char *out, *err;	/* what it printed */
	size_t nout, nerr;
};

struct worker {
	pid_t pid;		/* 0: none */
	int task, res;		/* pipes: indexes out, results in */
	size_t busy;		/* the TARGET it plans, or (size_t)-1 */
};

/* The message a worker sends for each TARGET, then OUT and ERR bytes. */
struct result_head {
	size_t index;
	int rc;
	size_t nout, nerr;
};

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly LEN bytes; 0 at a clean end of file before any, -1 on an
 * error or a short message. */
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

/* A worker's life: plan each TARGET index read from TASK, send the result
 * on RES, until the parent closes TASK. */
static void
worker_main(const struct cmd_args *a, struct remedy **rs, size_t nrs,
    char *const *paths, int scan, int task, int res)
{
	size_t idx;

	while (read_all(task, &idx, sizeof idx) == 1) {
		struct result_head h;
		struct diag d;
		char *out = NULL, *err = NULL;
		size_t nout = 0, nerr = 0;
		FILE *fo = open_memstream(&out, &nout);
		FILE *fe = open_memstream(&err, &nerr);

		diag_init(&d);
		if (fo == NULL || fe == NULL)
			_exit(EXIT_TROUBLE);
		h.rc = plan_machine(a, rs, nrs, &paths[idx], 1, scan,
		    paths[idx], fo, &d);
		diag_print(&d, fe);
		diag_free(&d);
		if (fclose(fo) != 0 || fclose(fe) != 0)
			_exit(EXIT_TROUBLE);
		h.index = idx;
		h.nout = nout;
		h.nerr = nerr;
		if (write_all(res, &h, sizeof h) < 0 ||
		    write_all(res, out, nout) < 0 ||
		    write_all(res, err, nerr) < 0)
			_exit(EXIT_TROUBLE);
		free(out);
		free(err);
	}
	_exit(0);
}

/* Start a worker in W.  Returns 0 or -1 with errno. */
static int
worker_start(struct worker *w, const struct cmd_args *a, struct remedy **rs,
    size_t nrs, char *const *paths, int scan, struct worker *all, size_t n)
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
			close(all[i].task);
			close(all[i].res);
		}
		close(tp[1]);
		close(rp[0]);
		worker_main(a, rs, nrs, paths, scan, tp[0], rp[1]);
	}
	close(tp[0]);
	close(rp[1]);
	w->task = tp[1];
	w->res = rp[0];
	w->busy = (size_t)-1;
	return 0;
}

/* Hand W the next TARGET, or tell it to stop when none is left. */
static void
worker_feed(struct worker *w, size_t *next, size_t nm)
{
	if (*next < nm && write_all(w->task, next, sizeof *next) == 0) {
		w->busy = (*next)++;
		return;
	}
	close(w->task);
	w->task = -1;
	w->busy = (size_t)-1;
}

/* Plan the NM machines of one TARGET each with A->jobs workers and print
 * them in TARGET order.  Returns the worst exit code. */
static int
plan_parallel(const struct cmd_args *a, struct remedy **rs, size_t nrs,
    char *const *paths, size_t nm, int scan, struct diag *d)
{
	size_t nw = (size_t)a->jobs < nm ? (size_t)a->jobs : nm;
	struct result *res = calloc(nm, sizeof *res);
	struct worker *wv = calloc(nw, sizeof *wv);
	struct pollfd *pv = calloc(nw, sizeof *pv);
	size_t next = 0, shown = 0, live = 0, i;
	int rc = EXIT_NOTHING;
	void (*old_pipe)(int);

	if (res == NULL || wv == NULL || pv == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		free(res);
		free(wv);
		free(pv);
		return EXIT_TROUBLE;
	}
	/* A worker that dies leaves a pipe nobody reads: that is an error
	 * to report, not a signal to die of. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < nw; i++) {
		if (worker_start(&wv[i], a, rs, nrs, paths, scan, wv, nw) < 0) {
			diag_error(d, NULL, 0, "cannot start a job: %s",
			    strerror(errno));
			continue;
		}
		live++;
		worker_feed(&wv[i], &next, nm);
	}
	while (shown < nm && live > 0) {
		size_t np = 0;

		for (i = 0; i < nw; i++) {
			if (wv[i].pid == 0)
				continue;
			pv[np].fd = wv[i].res;
			pv[np].events = POLLIN;
			pv[np].revents = 0;
			np++;
		}
		if (poll(pv, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			diag_error(d, NULL, 0, "cannot wait for the jobs: %s",
			    strerror(errno));
			break;
		}
		for (i = 0, np = 0; i < nw; i++) {
			struct worker *w = &wv[i];
			struct result_head h;
			struct result *r;
			int got;

			if (w->pid == 0)
				continue;
			if (pv[np++].revents == 0)
				continue;
			got = read_all(w->res, &h, sizeof h);
			if (got == 1 && h.index == w->busy && h.index < nm) {
				r = &res[h.index];
				r->out = malloc(h.nout + 1);
				r->err = malloc(h.nerr + 1);
				if (r->out == NULL || r->err == NULL ||
				    read_all(w->res, r->out, h.nout) < 0 ||
				    read_all(w->res, r->err, h.nerr) < 0)
					got = -1;
				r->nout = h.nout;
				r->nerr = h.nerr;
				r->rc = h.rc;
				r->done = 1;
				if (got == 1) {
					worker_feed(w, &next, nm);
					continue;
				}
			}
			/* The worker ended: normally, once told to stop; else
			 * it died, and the machine it planned is trouble. */
			if (w->busy != (size_t)-1) {
				r = &res[w->busy];
				free(r->out);
				free(r->err);
				r->out = r->err = NULL;
				r->nout = r->nerr = 0;
				r->done = 1;
				r->rc = EXIT_TROUBLE;
				diag_error(d, paths[w->busy], 0, "the job "
				    "planning it ended unexpectedly");
			}
			if (w->task >= 0)
				close(w->task);
			close(w->res);
			waitpid(w->pid, NULL, 0);
			w->pid = 0;
			live--;
			/* Replace a dead worker while there is work left. */
			if (next < nm && worker_start(w, a, rs, nrs, paths,
			    scan, wv, nw) == 0) {
				live++;
				worker_feed(w, &next, nm);
			}
		}
		for (; shown < nm && res[shown].done; shown++) {
			if (shown > 0 && !scan)
				fputc('\n', stdout);
			fwrite(res[shown].out, 1, res[shown].nout, stdout);
			fflush(stdout);
			fwrite(res[shown].err, 1, res[shown].nerr, stderr);
			fflush(stderr);
			free(res[shown].out);
			free(res[shown].err);
			rc = worst(rc, res[shown].rc);
		}
		if (ferror(stdout)) {
			diag_error(d, NULL, 0, "cannot write the output");
			rc = EXIT_TROUBLE;
			break;
		}
	}
	if (shown < nm && !ferror(stdout)) {
		diag_error(d, NULL, 0, "%zu of %zu TARGETs were not planned",
		    nm - shown, nm);
		rc = EXIT_TROUBLE;
	}
	for (i = 0; i < nw; i++) {
		if (wv[i].pid == 0)
			continue;
		if (wv[i].task >= 0)
			close(wv[i].task);
		close(wv[i].res);
		waitpid(wv[i].pid, NULL, 0);
	}
	signal(SIGPIPE, old_pipe);
	for (i = shown; i < nm; i++) {
		free(res[i].out);
		free(res[i].err);
	}
	free(res);
	free(wv);
	free(pv);
	return rc;
}

static int
run(int argc, char **argv, int scan)
{
	struct cmd_args a;
	struct remedy **rs = NULL;
	char **paths = NULL;
	size_t nrs = 0, np = 0, i;
	struct diag d;
	int rc = EXIT_TROUBLE;

	diag_init(&d);
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	if (cmd_remedies_load(a.ids, a.nids, &rs, &nrs, &d) < 0)
		goto out;
	if (cmd_hive_paths(&a, rs, nrs, &paths, &np, &d) < 0)
		goto out;
	if (!a.each || np == 1) {
		rc = plan_machine(&a, rs, nrs, paths, np, scan, NULL, stdout,
		    &d);
		goto out;
	}
	if (!scan && a.format == RENDER_REG) {
		diag_error(&d, NULL, 0, "--format reg shows one machine: with "
		    "--each, give one TARGET");
		goto out;
	}
	if (a.jobs > 1) {
		rc = plan_parallel(&a, rs, nrs, paths, np, scan, &d);
		goto out;
	}
	rc = EXIT_NOTHING;
	for (i = 0; i < np; i++) {
		struct diag md;

		diag_init(&md);
		if (i > 0 && !scan)
			fputc('\n', stdout);
		rc = worst(rc, plan_machine(&a, rs, nrs, &paths[i], 1, scan,
		    paths[i], stdout, &md));
		fflush(stdout);
		diag_print(&md, stderr);
		diag_free(&md);
	}
out:
	diag_print(&d, stderr);
	diag_free(&d);
	cmd_remedies_free(rs, nrs);
	cmd_strings_free(paths);
	cmd_args_free(&a);
	return rc;
}

int
cmd_scan(int argc, char **argv)
{
	return run(argc, argv, 1);
}

int
cmd_dry_run(int argc, char **argv)
{
	return run(argc, argv, 0);
}
