/* cmd-plan.c: kbfix scan TARGET...  |  kbfix [apply] --dry-run TARGET...
 *
 * Both open the hives read-only, compute the plan and print it: scan one
 * line per remedy saying whether and why it applies, the dry run the
 * changes themselves (--format json: one JSON line per target for both).
 * Nothing is written.  Exit 1 when something would change, 0 when
 * nothing would.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applied.h"
#include "cmd.h"
#include "plancount.h"
#include "regtext.h"
#include "plan.h"

static int
plan_target(const struct cmd_run *r, const struct cmd_target *t, FILE *out,
    struct cmd_outcome *o, struct diag *d)
{
	const struct cmd_args *a = r->a;
	struct cmd_machine m;
	struct plan_options po;
	struct plan *p = NULL;
	struct render_info info;
	size_t i;

	o->rc = EXIT_TROUBLE;
	o->nchanges = 0;
	memset(&info, 0, sizeof info);
	info.command = r->mode == CMD_SCAN ? "scan" : "dry-run";
	info.target = t->name;
	if (cmd_machine_open(a, t, r->rs, r->nrs, 0, &m, d) < 0)
		goto out;
	cmd_audit_inputs(r->audit, t->name, m.hives, m.recs, m.nhives);
	/* A remedy named is refused by name when its hive is missing
	 * (cmd_named_refused); the whole library refuses a hive none of
	 * its remedies works on. */
	if (a->nids == 0 &&
	    cmd_hives_check(r->rs, r->nrs, m.t.hives, m.t.nhives, d) < 0)
		goto out;
	info.windir = m.t.windir;
	info.hives = m.t.hives;
	info.nhives = m.t.nhives;
	po.control_set = a->control_set;
	po.hold_unseen = a->nids == 0;
	/* "done" where an apply of kbfix is why a remedy no longer
	 * applies (applied.h). */
	if (plan_compute(r->rs, r->nrs, &m.t, &po, &p, d) == 0 &&
	    applied_mark(p, m.t.hives, m.t.nhives, d) >= 0)
		cmd_audit_verdicts(r->audit, t->name, p);
	if (p == NULL ||
	    (a->nids == 0 && (cmd_user_hives_alone(p, m.t.hives, m.t.nhives,
	    r->mode == CMD_SCAN ? "scan" : "--dry-run", d) < 0 ||
	    cmd_plan_check(p, d) < 0)))
		goto out;
	/* A draft or a remedy without its hive named on the command line is
	 * an error; those met while running the whole library are only
	 * reported. */
	if (r->mode == CMD_DRY_RUN && a->nids &&
	    (cmd_user_hives_alone(p, m.t.hives, m.t.nhives, "--dry-run",
	    d) < 0 || cmd_named_refused(p, d) < 0))
		goto out;
	if (a->quiet)
		;	/* -q: the exit status tells */
	else if (a->format == RENDER_JSON) {
		if (render_json(out, p, &info, d) < 0)
			goto out;
	} else if (r->mode == CMD_SCAN) {
		/* A reason quotes what the hive holds: one line each, names
		 * escaped (regtext.h). */
		for (i = 0; i < p->nentries; i++) {
			char *why = regfile_escape(p->entries[i].reason ?
			    p->entries[i].reason : "", 0);

			fprintf(out, "%-10s %-15s %s\n",
			    p->entries[i].remedy->id,
			    plan_status_name(p->entries[i].status),
			    why ? why : "");
			free(why);
		}
	} else {
		FILE *df = cmd_diff_begin(out, a, a->format);

		if (df == NULL) {
			diag_oom(d);
			goto out;
		}
		if (render_plan_flags(df, p, a->format, a->vflags, d) < 0) {
			cmd_diff_end(df, out);
			goto out;
		}
		cmd_plan_held(df, p, a->format);
		/* A remedy asked for by name that changes nothing says why,
		 * so that an empty dry run is never mistaken for a fix; with
		 * nothing to do at all, every remedy considered does. */
		if (a->format == RENDER_DIFF && (a->nids ||
		    plan_nchanges(p) == 0))
			cmd_plan_reasons(df, p, cmd_plan_shown(p),
			    plan_nchanges(p) == 0);
		if (cmd_diff_end(df, out) < 0) {
			diag_error(d, NULL, 0, "cannot write the output");
			goto out;
		}
	}
	if (fflush(out) != 0) {
		diag_error(d, NULL, 0, "cannot write the output");
		goto out;
	}
	o->rc = plan_nchanges(p) ? EXIT_PENDING : EXIT_NOTHING;
	o->nchanges = plan_count_items(p, NULL);
out:
	if (o->rc == EXIT_TROUBLE && a->format == RENDER_JSON && !a->quiet)
		render_json_failure(out, &info, d);
	plan_free(p);
	cmd_machine_close(&m);
	return o->rc;
}

void
cmd_plan_held(FILE *f, const struct plan *p, enum render_format fmt)
{
	size_t i, n = 0;

	/* A diff with no change at all gives each remedy's status and
	 * reason (cmd_plan_reasons), possible ones included. */
	if (fmt == RENDER_JSON || (fmt == RENDER_DIFF &&
	    plan_nchanges(p) == 0))
		return;
	for (i = 0; i < p->nentries; i++) {
		if (p->entries[i].status != ENTRY_POSSIBLE)
			continue;
		fprintf(f, "%s%s", n++ ? ", " : fmt == RENDER_REG ?
		    "; not planned: " : "# not planned: ",
		    p->entries[i].remedy->id);
	}
	if (n)
		fprintf(f, " (possible: %s cannot be seen offline; 'kbfix "
		    "scan' says why; name %s to apply %s)\n",
		    n > 1 ? "their symptoms" : "its symptom",
		    n > 1 ? "them" : "it", n > 1 ? "them" : "it");
}

static int
run(int argc, char **argv, enum cmd_mode mode)
{
	struct cmd_args a;
	struct diag d;

	diag_init(&d);
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	return cmd_drive(&a, mode, mode == CMD_SCAN ? "scan" : "dry-run",
	    plan_target, &d);
out:
	diag_print(&d, stderr);
	diag_free(&d);
	cmd_args_free(&a);
	return EXIT_TROUBLE;
}

int
cmd_scan(int argc, char **argv)
{
	return run(argc, argv, CMD_SCAN);
}

int
cmd_dry_run(int argc, char **argv)
{
	return run(argc, argv, CMD_DRY_RUN);
}
