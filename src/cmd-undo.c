/* cmd-undo.c: kbfix undo [--dry-run] UNDOFILE HIVE|FOLDER
 *
 * Puts back what an apply changed, from the undo file it wrote (any .reg
 * file of the hive's root works the same).  The file is read as a plan,
 * so undoing has the same dry run, safe write, backup and checks as
 * applying; applying it twice finds nothing to do the second time.  The
 * undo file of file changes (undo.h) is given with the Windows folder, or
 * the volume holding it, instead of a hive.
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
	const struct regfile *rf;
	const struct undo_move *moves;
	size_t nmoves;
	const char *name;
};

static int
replan(void *arg, const struct target *after, struct plan **out,
    struct diag *d)
{
	struct replan_arg *r = arg;

	if (r->nmoves)
		return undo_moves_plan(r->moves, r->nmoves, r->name,
		    after->windir, out, d);
	return undo_plan(r->rf, r->name, after->hives[0], out, d);
}

/* The whole file, NUL-terminated, or NULL with D. */
static char *
read_all(const char *path, size_t *len, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL) {
		diag_error(d, NULL, 0, "cannot open '%s'", path);
		return NULL;
	}
	do {
		char *nb;

		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				diag_error(d, NULL, 0, "out of memory");
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 65536, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		diag_error(d, NULL, 0, "cannot read '%s'", path);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int
cmd_undo(int argc, char **argv)
{
	struct cmd_args a;
	struct cmd_hives h = { 0 };
	struct image *im = NULL;
	struct regfile *rf = NULL;
	struct undo_move *moves = NULL;
	struct audit *au = NULL;
	size_t nmoves = 0, len = 0;
	char *text = NULL;
	struct target t = { NULL, 0, NULL };
	struct replan_arg ra;
	struct cmd_write_opts w;
	struct plan *p = NULL;
	struct diag d;
	struct stat st;
	int rc = EXIT_TROUBLE, folder;

	diag_init(&d);
	/* An undo file or a target inside a disk image (cmd-disk.c). */
	if (cmd_disk_undo(argc, argv, &rc))
		return rc;
	if (cmd_args_parse(argc, argv, &a, &d) < 0)
		goto out;
	if (a.each || a.jobs != 1) {
		diag_error(&d, NULL, 0, "--each and -j are for scan and the dry "
		    "run: undo works on one hive or folder");
		goto out;
	}
	/* Both arguments are files: "SYSTEM.kbfix-...-undo.reg" is not a
	 * remedy even though the parser may take a name for one. */
	if (a.nids + a.ntargets != 2 || a.nids != 0) {
		diag_error(&d, NULL, 0, "usage: kbfix undo [--dry-run] "
		    "[--backup-dir DIR | --no-backup] [--output DIR] "
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
	if ((text = read_all(a.targets[0], &len, &d)) == NULL)
		goto out;
	if (regfile_parse(text, len, a.targets[0], &rf, &d) < 0 ||
	    undo_moves_parse(text, len, a.targets[0], &moves, &nmoves,
	    &d) < 0)
		goto out;
	folder = stat(a.targets[1], &st) == 0 && S_ISDIR(st.st_mode);
	if (folder && rf->nkeys) {
		diag_error(&d, NULL, 0, "'%s' restores keys and values of a "
		    "hive: give the hive, not the folder '%s'", a.targets[0],
		    a.targets[1]);
		goto out;
	}
	if (!folder && nmoves) {
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
		if (undo_moves_plan(moves, nmoves, a.targets[0], im->windir,
		    &p, &d) < 0)
			goto out;
	} else {
		if (image_from_files(&a.targets[1], 1, &im, &d) < 0)
			goto out;
		if (cmd_hives_open(&a.targets[1], 1, &a, &h, &d) < 0)
			goto out;
		t.hives = h.hives;
		t.nhives = h.n;
		if (undo_plan(rf, a.targets[0], h.hives[0], &p, &d) < 0)
			goto out;
	}
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
	ra.moves = moves;
	ra.nmoves = nmoves;
	ra.name = a.targets[0];
	w.im = im;
	w.output = a.output;
	w.audit = au;
	w.name = a.targets[1];
	w.out = stdout;
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
	if (audit_close(au, &d) < 0)
		rc = EXIT_TROUBLE;
	diag_print(&d, stderr);
	diag_free(&d);
	plan_free(p);
	cmd_hives_release(&h);
	image_free(im);
	regfile_free(rf);
	undo_moves_free(moves, nmoves);
	free(text);
	cmd_args_free(&a);
	return rc;
}
