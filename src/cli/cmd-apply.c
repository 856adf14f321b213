/* cmd-apply.c: kbfix apply [ID...] [TARGET...]
 *
 * Plans as the dry run does, on hives locked for the whole run, prints the
 * plan, then carries it out through the safe write (apply.h): temporary
 * file beside each hive, checked, backup, undo file, rename; then the file
 * changes.  With --output DIR nothing of the target is written: the new
 * files go to DIR.  Exit 0 when done or nothing to do, 2 on any trouble
 * (the target is then as it was).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applied.h"
#include "cmd.h"
#include "plancount.h"
#include "plan.h"

struct replan_arg {
	struct remedy **rs;
	size_t nrs;
	const struct plan_options *po;
};

static int
replan(void *arg, const struct target *after, struct plan **out,
    struct diag *d)
{
	struct replan_arg *r = arg;

	return plan_compute(r->rs, r->nrs, after, r->po, out, d);
}

/* Entries a remedy would move out of a value to no hive (Q256211 without
 * any user's NTUSER.DAT takes the network folders out of the system PATH
 * and adds them to no user's): lost to every user but through the undo
 * file.  Refused, each named, unless --drop-moved.  Returns 0 or -1. */
static int
drops_check(const struct plan *p, struct diag *d)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < p->nentries; i++) {
		const struct plan_entry *e = &p->entries[i];

		if (e->drops == NULL || e->nchanges == 0)
			continue;
		diag_error(d, NULL, 0, "%s: the entries it moves %s: give the "
		    "users' hives (or the Windows volume), or --drop-moved to "
		    "drop them (the undo file keeps them)", e->remedy->id,
		    e->drops);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static int
apply_target(const struct cmd_run *r, const struct cmd_target *t, FILE *out,
    struct cmd_outcome *o, struct diag *d)
{
	const struct cmd_args *a = r->a;
	struct cmd_machine m;
	struct plan_options po;
	struct replan_arg ra;
	struct cmd_write_opts w;
	struct plan *p = NULL;

	o->rc = EXIT_TROUBLE;
	o->nchanges = 0;
	if (cmd_machine_open(a, t, r->rs, r->nrs, 1, &m, d) < 0)
		goto out;
	cmd_audit_inputs(r->audit, t->name, m.locked.hives, m.locked.recs,
	    m.locked.n);
	if (a->nids == 0 &&
	    cmd_hives_check(r->rs, r->nrs, m.t.hives, m.t.nhives, d) < 0)
		goto out;
	po.control_set = a->control_set;
	po.hold_unseen = a->nids == 0;
	if (plan_compute(r->rs, r->nrs, &m.t, &po, &p, d) < 0 ||
	    applied_mark(p, m.t.hives, m.t.nhives, d) < 0)
		goto out;
	cmd_audit_verdicts(r->audit, t->name, p);
	if (cmd_user_hives_alone(p, m.t.hives, m.t.nhives, "apply", d) < 0)
		goto out;
	if (a->nids && cmd_named_refused(p, d) < 0)
		goto out;
	if (a->nids == 0 && cmd_plan_check(p, d) < 0)
		goto out;
	if (!a->drop_moved && drops_check(p, d) < 0)
		goto out;
	/* A read-only mount is refused before the plan is shown. */
	if (t->output == NULL && cmd_writable_check(p, a, d) < 0)
		goto out;
	if (!a->quiet) {
		FILE *df = cmd_diff_begin(out, a, RENDER_DIFF);

		if (df == NULL) {
			diag_oom(d);
			goto out;
		}
		if (render_plan_flags(df, p, RENDER_DIFF, a->vflags, d) < 0) {
			cmd_diff_end(df, out);
			goto out;
		}
		cmd_plan_held(df, p, RENDER_DIFF);
		/* Nothing to do: each remedy says why, as the dry run. */
		if (plan_nchanges(p) == 0)
			cmd_plan_reasons(df, p, cmd_plan_shown(p), 0);
		if (cmd_diff_end(df, out) < 0) {
			diag_error(d, NULL, 0, "cannot write the output");
			goto out;
		}
	}
	if (plan_nchanges(p) == 0) {
		if (!a->quiet)
			fprintf(out, "kbfix: nothing to do\n");
		o->rc = EXIT_NOTHING;
		goto out;
	}
	if (!a->quiet)
		fprintf(out, "\n");
	fflush(out);
	ra.rs = r->rs;
	ra.nrs = r->nrs;
	ra.po = &po;
	w.im = m.im;
	w.output = t->output;
	w.audit = r->audit;
	w.name = t->name;
	w.out = out;
	w.no_files_undo = 0;
	o->rc = cmd_write(p, &m.t, replan, &ra, a, &w, d);
	if (o->rc == EXIT_NOTHING)
		o->nchanges = plan_count_items(p, NULL);
out:
	fflush(out);
	plan_free(p);
	cmd_machine_close(&m);
	return o->rc;
}

int
cmd_apply(int argc, char **argv)
{
	struct cmd_args a;
	struct diag d;

	diag_init(&d);
	/* apply takes no --each (cmd-options.c): the hive files given
	 * together are one machine, whose undo files belong together, and
	 * several hives named alike would collide in one --output folder.
	 * Several machines (folders) may be written side by side with -j:
	 * each has its own files, its own locks and its own worker, whose
	 * signal handler cleans up after it alone.  Nor --format: its plan
	 * is a diff; a record for programs is --audit FILE. */
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	return cmd_drive(&a, CMD_APPLY, "apply", apply_target, &d);
out:
	diag_print(&d, stderr);
	diag_free(&d);
	cmd_args_free(&a);
	return EXIT_TROUBLE;
}
