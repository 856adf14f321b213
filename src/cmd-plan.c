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
 * worst of them.  -j N plans N machines at once, each in a child process
 * whose output is kept until the machines before it are printed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "plan.h"
#include "recover.h"

/* Kinds of hive a machine has one of: two of them cannot be one machine. */
static int
single_kind(enum hive_kind k)
{
	return k != HIVE_UNKNOWN && k != HIVE_NTUSER && k != HIVE_USRCLASS;
}

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
	size_t nh = 0, i, j;
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
	/* Two SYSTEM hives are two machines: planning one of them as if the
	 * other were not there would report on half of what was asked. */
	for (i = 0; i < nh && !bad; i++) {
		for (j = 0; j < i; j++) {
			if (single_kind(hives[i]->kind) &&
			    hives[i]->kind == hives[j]->kind) {
				diag_error(d, NULL, 0, "'%s' and '%s' are both "
				    "%s hives, which one machine cannot have "
				    "(add --each to plan each TARGET as a "
				    "machine of its own)", hives[j]->path,
				    hives[i]->path,
				    hive_kind_name(hives[i]->kind));
				bad = 1;
				break;
			}
		}
	}
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

/* Copy what a child wrote to F onto TO, and close F. */
static void
drain(FILE *f, FILE *to)
{
	char buf[8192];
	size_t n;

	rewind(f);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, to);
	fclose(f);
	fflush(to);
}

struct job {
	pid_t pid;		/* 0: not started or finished */
	FILE *out, *err;	/* what it printed, kept for its turn */
	int done, rc;
};

/* Plan the NM machines of one TARGET each, JOBS at a time, each in a
 * child process.  The children write into unnamed temporary files, which
 * are copied out in TARGET order as soon as every machine before has been
 * printed.  Returns the worst exit code. */
static int
plan_parallel(const struct cmd_args *a, struct remedy **rs, size_t nrs,
    char *const *paths, size_t nm, int scan, struct diag *d)
{
	struct job *jv = calloc(nm, sizeof *jv);
	size_t next = 0, shown = 0, running = 0, i;
	int rc = EXIT_NOTHING;

	if (jv == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		return EXIT_TROUBLE;
	}
	while (shown < nm) {
		while (running < (size_t)a->jobs && next < nm) {
			struct job *j = &jv[next];

			j->out = tmpfile();
			j->err = tmpfile();
			fflush(stdout);
			fflush(stderr);
			if (j->out == NULL || j->err == NULL ||
			    (j->pid = fork()) == -1) {
				diag_error(d, NULL, 0, "cannot start a job for "
				    "'%s': %s", paths[next], strerror(errno));
				if (j->out)
					fclose(j->out);
				if (j->err)
					fclose(j->err);
				j->out = j->err = NULL;
				j->pid = 0;
				j->done = 1;
				j->rc = EXIT_TROUBLE;
				next++;
				continue;
			}
			if (j->pid == 0) {
				struct diag cd;
				int r;

				diag_init(&cd);
				r = plan_machine(a, rs, nrs, &paths[next], 1,
				    scan, paths[next], j->out, &cd);
				diag_print(&cd, j->err);
				fflush(j->err);
				/* _exit: the parent's stdio buffers and exit
				 * handlers are the parent's. */
				_exit(r);
			}
			next++;
			running++;
		}
		if (running > 0) {
			int st;
			pid_t pid = waitpid(-1, &st, 0);

			if (pid == -1) {
				if (errno == EINTR)
					continue;
				diag_error(d, NULL, 0, "cannot wait for a job: "
				    "%s", strerror(errno));
				break;
			}
			for (i = 0; i < nm; i++) {
				if (jv[i].pid != pid)
					continue;
				jv[i].pid = 0;
				jv[i].done = 1;
				jv[i].rc = WIFEXITED(st) ? WEXITSTATUS(st) :
				    EXIT_TROUBLE;
				if (!WIFEXITED(st))
					diag_error(d, paths[i], 0, "the job "
					    "planning it was killed by signal "
					    "%d", WTERMSIG(st));
				running--;
				break;
			}
		}
		for (; shown < nm && jv[shown].done; shown++) {
			if (jv[shown].out != NULL) {
				if (shown > 0 && !scan)
					fputc('\n', stdout);
				drain(jv[shown].out, stdout);
				drain(jv[shown].err, stderr);
			}
			rc = worst(rc, jv[shown].rc);
		}
	}
	/* Only after a failed wait: do not leave children behind. */
	for (i = 0; i < nm; i++) {
		if (jv[i].pid > 0) {
			waitpid(jv[i].pid, NULL, 0);
			rc = EXIT_TROUBLE;
		}
		if (jv[i].out && !jv[i].done)
			fclose(jv[i].out);
		if (jv[i].err && !jv[i].done)
			fclose(jv[i].err);
	}
	free(jv);
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
