/* cmd-undo.c: kbfix undo [--dry-run] UNDOFILE HIVE
 *
 * Puts back what an apply changed, from the undo file it wrote (any .reg
 * file of the hive's root works the same).  The file is read as a plan,
 * so undoing has the same dry run, safe write, backup and checks as
 * applying; applying it twice finds nothing to do the second time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "regfile.h"
#include "undo.h"

struct replan_arg {
	const struct regfile *rf;
	const char *name;
};

static int
replan(void *arg, const struct target *after, size_t *nchanges,
    struct diag *d)
{
	struct replan_arg *r = arg;
	struct plan *p = NULL;

	if (undo_plan(r->rf, r->name, after->hives[0], &p, d) < 0)
		return -1;
	*nchanges = plan_nchanges(p);
	plan_free(p);
	return 0;
}

int
cmd_undo(int argc, char **argv)
{
	struct cmd_args a;
	struct cmd_hives h = { 0 };
	struct regfile *rf = NULL;
	struct target t = { NULL, 0, NULL };
	struct replan_arg ra;
	struct plan *p = NULL;
	struct diag d;
	int rc = EXIT_TROUBLE;

	diag_init(&d);
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	/* Both arguments are files: "SYSTEM.kbfix-...-undo.reg" is not a
	 * remedy even though the parser may take a name for one. */
	if (a.nids + a.ntargets != 2 || a.nids != 0) {
		diag_error(&d, NULL, 0, "usage: kbfix undo [--dry-run] "
		    "[--backup-dir DIR] [--no-backup] UNDOFILE HIVE");
		goto out;
	}
	if (regfile_parse_file(a.targets[0], &rf, &d) < 0)
		goto out;
	if (cmd_hives_open(&a.targets[1], 1, &a, &h, &d) < 0)
		goto out;
	t.hives = h.hives;
	t.nhives = h.n;
	if (undo_plan(rf, a.targets[0], h.hives[0], &p, &d) < 0)
		goto out;
	if (!a.quiet && render_plan(stdout, p, a.dry_run ? a.format :
	    RENDER_DIFF, &d) < 0)
		goto out;
	if (plan_nchanges(p) == 0) {
		if (!a.quiet && !a.dry_run)
			printf("kbfix: nothing to do\n");
		rc = EXIT_NOTHING;
		goto out;
	}
	if (a.dry_run) {
		rc = EXIT_PENDING;
		goto out;
	}
	if (!a.quiet)
		printf("\n");
	fflush(stdout);
	ra.rf = rf;
	ra.name = a.targets[0];
	rc = cmd_write(p, &t, replan, &ra, &a, &d);
out:
	fflush(stdout);
	diag_print(&d, stderr);
	diag_free(&d);
	plan_free(p);
	cmd_hives_release(&h);
	regfile_free(rf);
	cmd_args_free(&a);
	return rc;
}
