/* cmd-plan.c: kbfix scan TARGET...  |  kbfix [apply] --dry-run TARGET...
 *
 * Both open the hives read-only, compute the plan and print it: scan one
 * line per remedy saying whether and why it applies, the dry run the
 * changes themselves.  Nothing is written.  Exit 1 when something would
 * change, 0 when nothing would.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "plan.h"
#include "recover.h"

static int
run(int argc, char **argv, int scan)
{
	struct cmd_args a;
	struct remedy **rs = NULL;
	struct hive **hives = NULL;
	struct recovery *recs = NULL;
	char **paths = NULL;
	size_t nrs = 0, np = 0, nh = 0, i;
	struct target t = { NULL, 0, NULL };
	struct plan_options po;
	struct plan *p = NULL;
	struct diag d;
	int rc = EXIT_TROUBLE, bad = 0;

	diag_init(&d);
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	if (cmd_remedies_load(a.ids, a.nids, &rs, &nrs, &d) < 0)
		goto out;
	if (cmd_hive_paths(&a, rs, nrs, &paths, &np, &d) < 0)
		goto out;
	if ((hives = calloc(np + 1, sizeof *hives)) == NULL ||
	    (recs = calloc(np + 1, sizeof *recs)) == NULL) {
		diag_error(&d, NULL, 0, "out of memory");
		goto out;
	}
	/* Open them all, so that every bad file is reported at once.  A
	 * dirty hive is planned on its logs' replay, in a temporary file. */
	for (i = 0; i < np; i++) {
		if (recover_hive_open(paths[i], a.ignore_logs, 0, &recs[nh],
		    &hives[nh], &d) == 0)
			nh++;
		else
			bad = 1;
	}
	/* A remedy named is refused by name when its hive is missing
	 * (cmd_named_refused); the whole library refuses a hive none of
	 * its remedies works on. */
	if (bad || (a.nids == 0 &&
	    cmd_hives_check(rs, nrs, hives, nh, &d) < 0))
		goto out;
	t.hives = hives;
	t.nhives = nh;
	po.control_set = a.control_set;
	if (plan_compute(rs, nrs, &t, &po, &p, &d) < 0 ||
	    (a.nids == 0 && cmd_plan_check(p, &d) < 0))
		goto out;
	if (scan) {
		for (i = 0; i < p->nentries; i++)
			printf("%-10s %-15s %s\n", p->entries[i].remedy->id,
			    plan_status_name(p->entries[i].status),
			    p->entries[i].reason ? p->entries[i].reason : "");
	} else {
		/* A draft named on the command line is an error; drafts met
		 * while running the whole library are only reported. */
		if (a.nids && cmd_named_refused(p, &d) < 0)
			goto out;
		if (render_plan(stdout, p, a.format, &d) < 0)
			goto out;
		/* A remedy asked for by name that changes nothing says why,
		 * so that an empty dry run is never mistaken for a fix. */
		for (i = 0; a.nids && a.format == RENDER_DIFF &&
		    i < p->nentries; i++) {
			const struct plan_entry *e = &p->entries[i];

			if (e->nchanges || e->status == ENTRY_ADVISORY ||
			    e->status == ENTRY_NEEDS_FOLDER)
				continue;
			printf("# %s: %s: %s\n", e->remedy->id,
			    plan_status_name(e->status),
			    e->reason ? e->reason : "");
		}
	}
	if (fflush(stdout) != 0) {
		diag_error(&d, NULL, 0, "cannot write the output");
		goto out;
	}
	rc = plan_nchanges(p) ? EXIT_PENDING : EXIT_NOTHING;
out:
	diag_print(&d, stderr);
	diag_free(&d);
	plan_free(p);
	cmd_remedies_free(rs, nrs);
	for (i = 0; i < nh; i++) {
		hive_close(hives[i]);
		recover_free(&recs[i]);
	}
	free(hives);
	free(recs);
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
