/* cmd-undo.c: kbfix undo [--dry-run] [--force] UNDOFILE HIVE|FOLDER
 *
 * Puts back what an apply changed, from the undo file it wrote.  The file
 * is checked first (undo.h: whole, unaltered, written for this hive),
 * then read as a plan, so undoing has the same dry run, safe write,
 * backup and checks as applying; applying it twice finds nothing to do
 * the second time.  What no longer holds what the apply left is refused,
 * each conflict named, unless --force.  The undo file of file changes
 * (undo.h) is given with the Windows folder, or the volume holding it,
 * instead of a hive.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "json.h"
#include "regfile.h"
#include "undo.h"

struct replan_arg {
	const struct undo_file *u;
	const char *name;
	int force;
};

static int
replan(void *arg, const struct target *after, struct plan **out,
    struct diag *d)
{
	struct replan_arg *r = arg;

	if (r->u->files)
		return undo_moves_plan(r->u, r->name, after->windir, 1, out,
		    d);
	return undo_plan(r->u, r->name, after->hives[0], out, d);
}

int
cmd_undo(int argc, char **argv)
{
	struct cmd_args a;
	struct cmd_hives h = { 0 };
	struct image *im = NULL;
	struct undo_file *u = NULL;
	struct audit *au = NULL;
	struct target t = { NULL, 0, NULL };
	struct replan_arg ra;
	struct cmd_write_opts w;
	struct plan *p = NULL;
	struct diag d;
	struct stat st;
	int rc = EXIT_TROUBLE, folder;

	diag_init(&d);
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	if (a.each || a.jobs != 1) {
		diag_error(&d, NULL, 0, "--each and -j are for scan and the dry "
		    "run: undo works on one hive or folder");
		goto out;
	}
	if (a.drop_moved) {
		diag_error(&d, NULL, 0, "--drop-moved is for apply");
		goto out;
	}
	/* Both arguments are files: "SYSTEM.kbfix-...-undo.reg" is not a
	 * remedy even though the parser may take a name for one. */
	if (a.nids + a.ntargets != 2 || a.nids != 0) {
		diag_error(&d, NULL, 0, "usage: kbfix undo [--dry-run] "
		    "[--force] [--backup-dir DIR | --no-backup] [--output DIR] "
		    "[--audit FILE] UNDOFILE HIVE|FOLDER");
		goto out;
	}
	if (a.audit != NULL) {
		FILE *f;

		if (audit_open(a.audit, &au, &d) < 0)
			goto out;
		cmd_audit_start(au, &a, "undo", NULL, 0);
		if ((f = audit_begin(au, "undo-file", a.targets[1])) != NULL) {
			fputs(",\"path\":", f);
			json_string(f, a.targets[0]);
			audit_put_sha256(f, "sha256", a.targets[0]);
			audit_end(au, f);
		}
	}
	if (undo_read(a.targets[0], &u, &d) < 0)
		goto out;
	/* A .reg file without the header is bound to nothing: it may be
	 * another machine's, or an undo file stripped of its checks.  It is
	 * merged only when asked for. */
	if (u->plain && !a.force) {
		diag_error(&d, NULL, 0, "'%s' is not an undo file of kbfix (it "
		    "has no '; kbfix-undo:' line), so nothing binds it to "
		    "'%s'; give --force to merge it as a .reg file",
		    a.targets[0], a.targets[1]);
		goto out;
	}
	if (u->plain)
		diag_note(&d, NULL, 0, "'%s' is not an undo file of kbfix (it "
		    "has no '; kbfix-undo:' line): its keys and values are "
		    "merged as those of a .reg file, without the checks of an "
		    "undo file", a.targets[0]);
	folder = stat(a.targets[1], &st) == 0 && S_ISDIR(st.st_mode);
	if (folder && !u->files) {
		diag_error(&d, NULL, 0, "'%s' restores keys and values of a "
		    "hive: give the hive, not the folder '%s'", a.targets[0],
		    a.targets[1]);
		goto out;
	}
	if (!folder && u->files) {
		diag_error(&d, NULL, 0, "'%s' puts back files: give the "
		    "Windows folder, or the volume holding it, not '%s'",
		    a.targets[0], a.targets[1]);
		goto out;
	}
	if (folder) {
		int want[HIVE__COUNT] = { 0 };

		if (image_find(a.targets[1], want, &im, &d) < 0)
			goto out;
		if (im->windir == NULL) {
			diag_error(&d, NULL, 0, "'%s' holds no Windows folder",
			    a.targets[1]);
			goto out;
		}
		t.windir = im->windir;
		if (undo_moves_plan(u, a.targets[0], im->windir, a.force, &p,
		    &d) < 0)
			goto out;
	} else {
		char sha[65];

		if (image_from_files(&a.targets[1], 1, &im, &d) < 0)
			goto out;
		if (cmd_hives_open(&a.targets[1], 1, &a, &h, &d) < 0)
			goto out;
		t.hives = h.hives;
		t.nhives = h.n;
		if (undo_check_hive(u, a.targets[0], h.hives[0], a.force,
		    &d) < 0 || undo_plan(u, a.targets[0], h.hives[0], &p,
		    &d) < 0)
			goto out;
		/* Nothing to do is said first: a file already undone no
		 * longer matches what the apply left. */
		if (plan_nchanges(p) > 0) {
			if (audit_sha256_file(h.hives[0]->path, sha) < 0)
				sha[0] = '\0';
			if (undo_check(u, a.targets[0], h.hives[0], sha, p,
			    a.force, &d) < 0)
				goto out;
		}
	}
	if (!a.quiet) {
		enum render_format fmt = a.dry_run ? a.format : RENDER_DIFF;
		FILE *df = cmd_diff_begin(stdout, &a, fmt);

		if (df == NULL) {
			diag_error(&d, NULL, 0, "out of memory");
			goto out;
		}
		if (render_plan_flags(df, p, fmt, a.vflags, &d) < 0) {
			cmd_diff_end(df, stdout);
			goto out;
		}
		if (cmd_diff_end(df, stdout) < 0) {
			diag_error(&d, NULL, 0, "cannot write the output");
			goto out;
		}
	}
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
	ra.u = u;
	ra.name = a.targets[0];
	ra.force = a.force;
	w.im = im;
	w.output = a.output;
	w.audit = au;
	w.name = a.targets[1];
	w.out = stdout;
	/* Files put back from their backups are not moved there again by
	 * an undo file: to make the change again, apply the remedy. */
	w.no_files_undo = 1;
	rc = cmd_write(p, &t, replan, &ra, &a, &w, &d);
out:
	if (au != NULL) {
		struct cmd_outcome o;

		o.rc = rc;
		o.nchanges = rc == EXIT_TROUBLE ? 0 : plan_nchanges(p);
		cmd_audit_result(au, a.targets[1], &o, &d);
		cmd_audit_end(au, rc);
	}
	fflush(stdout);
	/* An undo that made its changes synced their records first. */
	if (rc != EXIT_TROUBLE && !a.dry_run)
		(void)audit_close_late(au, &d);
	else if (audit_close(au, &d) < 0)
		rc = EXIT_TROUBLE;
	diag_print(&d, stderr);
	diag_free(&d);
	plan_free(p);
	cmd_hives_release(&h);
	image_free(im);
	undo_file_free(u);
	cmd_args_free(&a);
	return rc;
}
