/* cmd-undo.c: kbfix undo [--dry-run] [--force] UNDOFILE HIVE|FOLDER  |
 *             kbfix undo MANIFEST [FOLDER]  |  kbfix undo FOLDER
 *
 * Puts back what an apply changed, from the undo file it wrote.  The file
 * is checked first (undo.h: whole, unaltered, written for this hive),
 * then read as a plan, so undoing has the same dry run, safe write,
 * backup and checks as applying; applying it twice finds nothing to do
 * the second time.  What no longer holds what the apply left is refused,
 * each conflict named, unless --force.  The undo file of file changes
 * (undo.h) is given with the Windows folder, or the volume holding it,
 * instead of a hive.  An undo manifest puts back every hive and file of
 * one apply together (cmd-undo-all.c); a folder given alone, the one its
 * newest manifest undoes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "plancount.h"
#include "json.h"
#include "regtext.h"
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

/* The undo file NAME given alone, with the hive or folder TARGET: its
 * plan P on T (a hive locked in H, or the Windows folder of IM).
 * Returns 0 or -1 with D. */
static int
undo_one(const struct cmd_args *a, const struct undo_file *u,
    const char *name, const char *target, struct cmd_hives *h,
    struct image **im, struct target *t, struct plan **p, struct diag *d)
{
	struct stat st;
	int folder;
	char sha[65];

	/* A .reg file without the header is bound to nothing: it may be
	 * another machine's, or an undo file stripped of its checks.  It is
	 * merged only when asked for. */
	if (u->plain && !a->force)
		return diag_error(d, NULL, 0,
		    "'%s' is not an undo file of kbfix (it "
		    "has no '; kbfix-undo:' line), so nothing binds it to "
		    "'%s'; give --force to merge it as a .reg file", name,
		    target);
	if (u->plain)
		diag_note(d, NULL, 0, "'%s' is not an undo file of kbfix (it "
		    "has no '; kbfix-undo:' line): its keys and values are "
		    "merged as those of a .reg file, without the checks of an "
		    "undo file", name);
	folder = stat(target, &st) == 0 && S_ISDIR(st.st_mode);
	if (folder && !u->files)
		return diag_error(d, NULL, 0,
		    "'%s' restores keys and values of a "
		    "hive: give the hive, not the folder '%s'", name, target);
	if (!folder && u->files)
		return diag_error(d, NULL, 0, "'%s' puts back files: give the "
		    "Windows folder, or the volume holding it, not '%s'",
		    name, target);
	if (folder) {
		int want[HIVE__COUNT] = { 0 };

		if (image_find(target, want, im, d) < 0)
			return -1;
		if ((*im)->windir == NULL)
			return diag_error(d, NULL, 0,
			    "'%s' holds no Windows folder",
			    target);
		t->windir = (*im)->windir;
		return undo_moves_plan(u, name, (*im)->windir, a->force, p, d);
	}
	if (image_from_files((char *const *)&target, 1, im, d) < 0 ||
	    cmd_hives_open((char *const *)&target, 1, a, h, d) < 0)
		return -1;
	t->hives = h->hives;
	t->nhives = h->n;
	if (undo_check_hive(u, name, h->hives[0], a->force, d) < 0 ||
	    undo_plan(u, name, h->hives[0], p, d) < 0)
		return -1;
	/* Nothing to do is said first: a file already undone no longer
	 * matches what the apply left. */
	if (plan_nchanges(*p) > 0) {
		if (audit_sha256_file(h->hives[0]->path, sha) < 0)
			sha[0] = '\0';
		if (undo_check(u, name, h->hives[0], sha, *p, a->force, d) < 0)
			return -1;
	}
	return 0;
}

/* Does the file at PATH start as .reg text does (undo files and
 * manifests do)?  Unreadable: yes, for undo_read to say why. */
static int
reg_text(const char *path)
{
	static const char head[] = "Windows Registry Editor Version 5.00";
	char buf[sizeof head];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 1;
	n = fread(buf, 1, sizeof head - 1, f);
	fclose(f);
	return n == sizeof head - 1 && memcmp(buf, head, n) == 0;
}

/* The audit log's record of an undo file read: its path and SHA-256. */
static void
audit_undo_file(struct audit *au, const char *target, const char *path)
{
	FILE *f;

	if ((f = audit_begin(au, "undo-file", target)) == NULL)
		return;
	fputs(",\"path\":", f);
	json_string(f, path);
	audit_put_sha256(f, "sha256", path);
	audit_end(au, f);
}

/* The undo file *FILE and the hive or folder *TARGET (NULL: the undo
 * file is to say) that undo's arguments A give; *FOUND, the caller's to
 * free, the manifest found in a folder given alone. */
static int
undo_args(const struct cmd_args *a, const char **file, const char **target,
    char **found, struct diag *d)
{
	struct stat st;

	/* Both arguments are files: "SYSTEM.kbfix-...-undo.reg" is not a
	 * remedy even though the parser may take a name for one. */
	if (a->ntargets < 1 || a->ntargets > 2) {
		cmd_usage_error(d, a->cmd, "undo takes an undo file and the "
		    "hive or folder it undoes, or an undo manifest (%zu "
		    "argument%s given)", a->ntargets, a->ntargets == 1 ? "" :
		    "s");
		return -1;
	}
	if (!a->dry_run && a->format != RENDER_DIFF) {
		cmd_usage_error(d, a->cmd, "undo shows its changes as a diff; "
		    "--format is for its dry run (-n)");
		return -1;
	}
	/* kbfix undo FOLDER: the newest undo manifest apply left there. */
	*file = a->targets[0];
	*target = a->ntargets == 2 ? a->targets[1] : NULL;
	if (a->ntargets == 1 && stat(*file, &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((*found = cmd_undo_find_manifest(*file, d)) == NULL)
			return -1;
		diag_note(d, NULL, 0, "undoing the apply of '%s'", *found);
		*target = *file;
		*file = *found;
	}
	if (*target == NULL && !reg_text(*file)) {
		cmd_usage_error(d, a->cmd, "'%s' is neither an undo manifest "
		    "nor a folder: undo takes an undo file and the hive or "
		    "folder it undoes, or the undo manifest of an apply (or the "
		    "folder it is in)", *file);
		return -1;
	}
	return 0;
}

/* Show the changes of undo plan P (a diff, or its dry run's --format). */
static int
undo_show(const struct cmd_args *a, const struct plan *p, struct diag *d)
{
	enum render_format fmt = a->dry_run ? a->format : RENDER_DIFF;
	FILE *df = cmd_diff_begin(stdout, a, fmt);

	if (df == NULL)
		return diag_oom(d);
	if (render_plan_flags(df, p, fmt, a->vflags, d) < 0) {
		cmd_diff_end(df, stdout);
		return -1;
	}
	if (cmd_diff_end(df, stdout) < 0)
		return diag_error(d, NULL, 0, "cannot write the output");
	return 0;
}

int
cmd_undo(int argc, char **argv)
{
	struct cmd_args a;
	struct cmd_hives h = { 0 };
	struct cmd_undo_all ua;
	struct image *im = NULL;
	struct undo_file *u = NULL;
	struct audit *au = NULL;
	struct target t = { NULL, 0, NULL };
	struct replan_arg ra;
	struct cmd_write_opts w;
	struct plan *p = NULL;
	struct diag d;
	struct stat st;
	char *found = NULL;
	const char *file = NULL, *target = NULL;
	size_t i;
	int rc = EXIT_TROUBLE, all = 0;

	memset(&ua, 0, sizeof ua);
	diag_init(&d);
	/* An undo file or a target inside a disk image (cmd-disk.c). */
	if (cmd_disk_undo(argc, argv, &rc))
		return rc;
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	if (undo_args(&a, &file, &target, &found, &d) < 0)
		goto out;
	if (a.audit != NULL) {
		if (audit_open(a.audit, &au, &d) < 0)
			goto out;
		cmd_audit_start(au, &a, "undo", NULL, 0);
		audit_undo_file(au, target ? target : file, file);
	}
	if (undo_read(file, &u, &d) < 0)
		goto out;
	if (u->manifest) {
		if (target != NULL && (stat(target, &st) < 0 ||
		    !S_ISDIR(st.st_mode))) {
			diag_error(&d, NULL, 0, "'%s' is an undo manifest: give "
			    "it alone, or with the folder where the machine is "
			    "now, not '%s'", file, target);
			goto out;
		}
		if (cmd_undo_all(&a, file, u, target, &ua, &d) < 0)
			goto out;
		all = 1;
		for (i = 0; i < ua.n; i++)
			audit_undo_file(au, ua.targets[i], ua.names[i]);
		cmd_audit_inputs(au, target ? target : u->root, ua.h.hives,
		    ua.h.recs, ua.h.n);
		p = ua.p;
		t = ua.t;
		im = ua.im;
		if (target == NULL)
			target = u->root;
	} else if (target == NULL) {
		diag_error(&d, NULL, 0, "'%s' is the undo file of one %s: give "
		    "the %s it undoes with it (or give the undo manifest of "
		    "the apply)", file, u->files ? "Windows folder" : "hive",
		    u->files ? "folder" : "hive");
		goto out;
	} else {
		rc = undo_one(&a, u, file, target, &h, &im, &t, &p, &d);
		cmd_audit_inputs(au, target, h.hives, h.recs, h.n);
		if (rc < 0) {
			rc = EXIT_TROUBLE;
			goto out;
		}
		rc = EXIT_TROUBLE;
	}
	if (!a.dry_run && cmd_writable_check(p, &a, &d) < 0)
		goto out;
	if (!a.quiet && undo_show(&a, p, &d) < 0)
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
	ra.u = u;
	ra.name = file;
	ra.force = a.force;
	w.im = im;
	w.output = a.output;
	w.audit = au;
	w.name = target;
	w.out = stdout;
	/* Files put back from their backups are not moved there again by
	 * an undo file: to make the change again, apply the remedy. */
	w.no_files_undo = 1;
	rc = all ? cmd_write(p, &t, cmd_undo_all_replan, &ua, &a, &w, &d) :
	    cmd_write(p, &t, replan, &ra, &a, &w, &d);
out:
	if (au != NULL) {
		struct cmd_outcome o;

		o.rc = rc;
		o.nchanges = rc == EXIT_TROUBLE || p == NULL ? 0 :
		    plan_count_items(p, NULL);
		cmd_audit_result(au, target ? target : file, &o, &d);
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
	if (all)
		cmd_undo_all_free(&ua);
	else {
		plan_free(p);
		cmd_hives_release(&h);
		image_free(im);
	}
	undo_file_free(u);
	free(found);
	cmd_args_free(&a);
	return rc;
}
