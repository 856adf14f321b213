/* cmd-apply.c: kbfix apply [ID...] [TARGET...]
 *
 * Plans as the dry run does, on hives locked for the whole run, prints the
 * plan, then carries it out through the safe write (apply.h): temporary
 * file beside each hive, checked, backup, undo file, rename.  Exit 0 when
 * done or nothing to do, 2 on any trouble (the hives are then as they
 * were).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "plan.h"

struct replan_arg {
	struct remedy **rs;
	size_t nrs;
	const struct plan_options *po;
};

static int
replan(void *arg, const struct target *after, size_t *nchanges,
    struct diag *d)
{
	struct replan_arg *r = arg;
	struct plan *p = NULL;

	if (plan_compute(r->rs, r->nrs, after, r->po, &p, d) < 0)
		return -1;
	*nchanges = plan_nchanges(p);
	plan_free(p);
	return 0;
}

int
cmd_apply(int argc, char **argv)
{
	struct cmd_args a;
	struct cmd_hives h = { 0 };
	struct remedy **rs = NULL;
	char **paths = NULL;
	size_t nrs = 0, np = 0;
	struct target t = { NULL, 0, NULL };
	struct plan_options po;
	struct replan_arg ra;
	struct plan *p = NULL;
	struct diag d;
	int rc = EXIT_TROUBLE;

	diag_init(&d);
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	if (cmd_remedies_load(a.ids, a.nids, &rs, &nrs, &d) < 0)
		goto out;
	if (cmd_hive_paths(&a, rs, nrs, &paths, &np, &d) < 0)
		goto out;
	if (cmd_hives_open(paths, np, &a, &h, &d) < 0)
		goto out;
	t.hives = h.hives;
	t.nhives = h.n;
	po.control_set = a.control_set;
	if (plan_compute(rs, nrs, &t, &po, &p, &d) < 0)
		goto out;
	if (a.nids && cmd_named_refused(p, &d) < 0)
		goto out;
	if (!a.quiet && render_plan(stdout, p, RENDER_DIFF, &d) < 0)
		goto out;
	if (plan_nchanges(p) == 0) {
		if (!a.quiet)
			printf("kbfix: nothing to do\n");
		rc = EXIT_NOTHING;
		goto out;
	}
	if (!a.quiet)
		printf("\n");
	fflush(stdout);
	ra.rs = rs;
	ra.nrs = nrs;
	ra.po = &po;
	rc = cmd_write(p, &t, replan, &ra, &a, &d);
out:
	fflush(stdout);
	diag_print(&d, stderr);
	diag_free(&d);
	plan_free(p);
	cmd_hives_release(&h);
	cmd_remedies_free(rs, nrs);
	cmd_strings_free(paths);
	cmd_args_free(&a);
	return rc;
}
