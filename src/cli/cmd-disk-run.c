/* cmd-disk-run.c: scan, the dry run and apply on a disk image TARGET
 * (cmd-disk.c says how): its Windows installations found, each staged
 * and run as a folder TARGET, the overlay written and committed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd-disk-int.h"
#include "json.h"
#include "place.h"
#include "stage.h"
#include "undo.h"
#include "winpath.h"

struct disk_run {
	const struct cmd_run *r;
	const struct cmd_target *t;
	char *stage;		/* the private folder of the run */
	char *overlay;		/* the overlay written, or NULL */
	struct place *pl;
	struct machine *m;
	size_t nm;
	char *abs;		/* the image's absolute path, for qemu */
	char before[65], after[65];	/* the image's SHA-256 */
	int write;		/* apply into the image (or --overlay) */
	char *why;		/* who holds the image open, or NULL */
	int guard;		/* stage_guard's, for the staging folder */
	pid_t guard_pid;
	size_t changed;		/* machines written into the overlay */
	size_t late;		/* of those, failed after: none was */
	int closed;		/* the place is closed */
};

/* The Windows installations of the image: every file system (or the one
 * T names) that holds a Windows folder. */
static int
find_machines(struct disk_run *dr, struct diag *d)
{
	const struct cmd_target *t = dr->t;
	const struct place_ops *o = dr->pl->ops;
	struct place_volume *v = NULL;
	size_t nv = 0, i;
	char *seen = NULL;
	size_t nseen = 0;
	FILE *sf = open_memstream(&seen, &nseen);
	int found = 0, r = -1;

	if (sf == NULL || o->volumes(dr->pl, &v, &nv, d) < 0)
		goto out;
	if ((dr->m = calloc(nv + 1, sizeof *dr->m)) == NULL) {
		diag_oom(d);
		goto out;
	}
	for (i = 0; i < nv; i++) {
		struct machine *m;
		int has;

		fprintf(sf, "%s'%s' (%s)", i ? ", " : "", v[i].device,
		    v[i].type);
		if (t->disk_device != NULL &&
		    strcmp(t->disk_device, v[i].device) != 0)
			continue;
		found = 1;
		if (!cmd_disk_is_fs(v[i].type))
			continue;
		if (o->mount(dr->pl, v[i].device, 0, d) < 0)
			goto out;
		has = stage_has_windows(dr->pl, d);
		if (has < 0)
			goto out;
		m = &dr->m[dr->nm];
		if (has && (m->device = strdup(v[i].device)) == NULL) {
			diag_oom(d);
			goto out;
		}
		if (has) {
			m->hibernated = stage_hibernated(dr->pl);
			diag_init(&m->d);
			dr->nm++;
		}
		if (o->umount(dr->pl, d) < 0)
			goto out;
	}
	fflush(sf);
	if (t->disk_device != NULL && !found) {
		diag_error(d, NULL, 0, "'%s' has no file system '%s' (it has "
		    "%s)", t->disk, t->disk_device, nv ? seen : "none");
		goto out;
	}
	if (dr->nm == 0) {
		diag_error(d, NULL, 0, "no Windows installation on '%s' (its "
		    "file systems: %s)", t->name, nv ? seen : "none");
		goto out;
	}
	r = 0;
out:
	if (sf != NULL)
		fclose(sf);
	free(seen);
	place_volumes_free(v, nv);
	return r;
}

/* The names of machine K. */
static int
name_machine(struct disk_run *dr, size_t k, struct diag *d)
{
	const struct cmd_target *t = dr->t;
	const struct cmd_args *a = dr->r->a;
	struct machine *m = &dr->m[k];
	int dev = dr->nm > 1 || t->disk_device != NULL;
	const char *img = dr->overlay && a->overlay ? a->overlay : t->disk;

	if ((dr->nm > 1 ? asprintf(&m->name, "%s:%s", t->disk, m->device) :
	    asprintf(&m->name, "%s", t->name)) < 0)
		m->name = NULL;
	if ((dev ? asprintf(&m->shown, "%s:%s:", img, m->device) :
	    asprintf(&m->shown, "%s:", img)) < 0)
		m->shown = NULL;
	img = dr->overlay && a->overlay ? dr->overlay : dr->abs;
	if ((dev ? asprintf(&m->abs_shown, "%s:%s:", img, m->device) :
	    asprintf(&m->abs_shown, "%s:", img)) < 0)
		m->abs_shown = NULL;
	if (asprintf(&m->root, "%s/m%03zu", dr->stage, k + 1) < 0)
		m->root = NULL;
	if (m->name == NULL || m->shown == NULL || m->abs_shown == NULL ||
	    m->root == NULL)
		return diag_oom(d);
	return 0;
}

/* Run FN on machine K: stage it, run, and for apply write its changes
 * into the image's overlay. */
static void
run_machine(struct disk_run *dr, size_t k, cmd_target_fn fn)
{
	const struct cmd_run *r = dr->r;
	const struct cmd_args *a = r->a;
	const struct place_ops *o = dr->pl->ops;
	struct machine *m = &dr->m[k];
	struct stage_want want;
	struct stage_snap *snap = NULL, *bsnap = NULL, *osnap = NULL;
	struct cmd_target in;
	struct cmd_run rr;
	char *audit = NULL;
	FILE *fo;
	int write = dr->overlay != NULL;

	memset(&want, 0, sizeof want);
	memset(&in, 0, sizeof in);
	m->o.rc = EXIT_TROUBLE;
	cmd_hives_wanted(r->rs, r->nrs, want.hives);
	if (stage_want_remedies(r->rs, r->nrs, &want, &m->d) < 0)
		goto out;
	if (o->mount(dr->pl, m->device, 0, &m->d) < 0)
		goto out;
	if (stage_volume(dr->pl, &want, m->root, &m->d) < 0) {
		o->umount(dr->pl, &m->d);
		goto out;
	}
	if (o->umount(dr->pl, &m->d) < 0)
		goto out;
	if (m->hibernated && write) {
		diag_error(&m->d, NULL, 0, "'%s' is hibernated: Windows would "
		    "resume from hiberfil.sys and overwrite any change; start "
		    "it and shut it down fully (not hibernate; with fast "
		    "startup off, or with \"shutdown /s /t 0\"), then run "
		    "kbfix again, or write remediated copies elsewhere with "
		    "--output DIR", m->name);
		goto out;
	}
	if (m->hibernated)
		diag_warning(&m->d, NULL, 0, "'%s' is hibernated: what Windows "
		    "had not written yet is missing, and apply will refuse to "
		    "write to it", m->name);
	if (write && stage_snap_take(m->root, &snap, &m->d) < 0)
		goto out;
	if (a->backup_dir != NULL && access(a->backup_dir, F_OK) == 0 &&
	    stage_snap_take(a->backup_dir, &bsnap, &m->d) < 0)
		goto out;
	in.name = m->name;
	in.folder = m->root;
	if (dr->t->output != NULL) {
		if (dr->nm == 1)
			in.output = strdup(dr->t->output);
		else {
			const char *dev = strrchr(m->device, '/');

			if (asprintf(&in.output, "%s/%s", dr->t->output,
			    dev ? dev + 1 : m->device) < 0)
				in.output = NULL;
		}
		if (in.output == NULL) {
			diag_error(&m->d, NULL, 0, "out of memory");
			goto out;
		}
		if (access(in.output, F_OK) == 0 &&
		    stage_snap_take(in.output, &osnap, &m->d) < 0)
			goto out;
	}
	rr = *r;
	rr.audit = NULL;
	if (r->audit != NULL) {
		if (asprintf(&audit, "%s/audit-%03zu.jsonl", dr->stage, k + 1) <
		    0) {
			audit = NULL;
			diag_error(&m->d, NULL, 0, "out of memory");
			goto out;
		}
		if (audit_open(audit, &rr.audit, &m->d) < 0)
			goto out;
		m->audit = audit;
		audit = NULL;
	}
	if ((fo = open_memstream(&m->text, &m->ntext)) == NULL) {
		diag_error(&m->d, NULL, 0, "out of memory");
		audit_close(rr.audit, &m->d);
		goto out;
	}
	fn(&rr, &in, fo, &m->o, &m->d);
	if (fclose(fo) != 0) {
		m->o.rc = EXIT_TROUBLE;
		diag_error(&m->d, NULL, 0, "out of memory");
	}
	if (audit_close(rr.audit, &m->d) < 0)
		m->o.rc = EXIT_TROUBLE;
	/* Also with nothing to do: apply removed what an interrupted run
	 * left (and said so). */
	if (r->mode != CMD_APPLY || m->o.rc != EXIT_NOTHING)
		goto out;
	if (write && m->o.nchanges == 0 &&
	    stage_unchanged(m->root, snap, &m->d) != 0)
		goto out;
	/* The undo files name the hives as they are in the image. */
	if (cmd_disk_respell_undo_files(m, m->root, snap, &m->d) < 0 ||
	    cmd_disk_respell_undo_files(m, a->backup_dir, bsnap, &m->d) < 0 ||
	    cmd_disk_respell_undo_files(m, in.output, osnap, &m->d) < 0) {
		m->late = 1;
		goto out;
	}
	if (write) {
		size_t nw = 0;

		if (o->mount(dr->pl, m->device, 1, &m->d) < 0) {
			diag_error(&m->d, NULL, 0, "cannot write to '%s'; "
			    "if Windows left it hibernated or not shut down "
			    "cleanly (fast startup), start it and shut it down "
			    "fully, or write remediated copies elsewhere with "
			    "--output DIR", m->name);
			m->late = 1;
			goto out;
		}
		if (stage_commit(dr->pl, m->root, snap, &nw, &m->d) < 0)
			m->late = 1;
		m->changed = nw > 0 || m->late;
		if (o->umount(dr->pl, &m->d) < 0)
			m->late = 1;
	}
out:
	stage_snap_free(snap);
	stage_snap_free(bsnap);
	stage_snap_free(osnap);
	stage_want_free(&want);
	free(in.output);
	free(audit);
}

/* The image's own record: how it was opened, its SHA-256 before and after,
 * the overlay written. */
static void
audit_image(struct disk_run *dr)
{
	const struct cmd_args *a = dr->r->a;
	FILE *f = audit_begin(dr->r->audit, "image", dr->t->name);
	char ov[65];
	size_t i;

	if (f == NULL)
		return;
	fputs(",\"path\":", f);
	json_string(f, dr->t->disk);
	fputs(",\"format\":", f);
	json_string(f, dr->t->disk_format);
	fprintf(f, ",\"access\":\"%s\"", dr->overlay == NULL ? "read-only" :
	    a->overlay ? "overlay" : "in place");
	fprintf(f, dr->before[0] ? ",\"sha256_before\":\"%s\"" :
	    ",\"sha256_before\":null", dr->before);
	fprintf(f, dr->after[0] ? ",\"sha256_after\":\"%s\"" :
	    ",\"sha256_after\":null", dr->after);
	fputs(",\"overlay\":", f);
	json_string(f, dr->overlay && a->overlay ? a->overlay : NULL);
	if (dr->overlay && a->overlay && access(a->overlay, F_OK) == 0 &&
	    audit_sha256_file(a->overlay, ov) == 0)
		fprintf(f, ",\"overlay_sha256\":\"%s\"", ov);
	else
		fputs(",\"overlay_sha256\":null", f);
	fputs(",\"machines\":[", f);
	for (i = 0; i < dr->nm; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		json_string(f, dr->m[i].name);
		fputs(",\"device\":", f);
		json_string(f, dr->m[i].device);
		fputc('}', f);
	}
	fputc(']', f);
	audit_end(dr->r->audit, f);
}

static void
machines_free(struct disk_run *dr)
{
	size_t i;

	for (i = 0; dr->m != NULL && i < dr->nm; i++)
		cmd_disk_machine_free(&dr->m[i]);
	free(dr->m);
}

/* The image of DR (dr->abs) opened: refused when another process writes it and
 * this run would; its staging folder made, and for apply the overlay the
 * appliance writes into.  Returns 0, or -1 with D. */
static int
disk_open(struct disk_run *dr, struct diag *d)
{
	const struct cmd_args *a = dr->r->a;
	const struct cmd_target *t = dr->t;
	char doing[80];
	int used;

	if ((used = place_disk_in_use(dr->abs, t->disk_format, &dr->why,
	    d)) < 0)
		return -1;
	if (used && dr->write)
		return diag_error(d, NULL, 0, "'%s' is open for writing in "
		    "another process (%s): kbfix does not write to it; stop "
		    "that process (a running virtual machine?), or write the "
		    "changes elsewhere with --overlay NEW.qcow2 or --output "
		    "DIR", t->disk, dr->why ? dr->why : "locked");
	if (used)
		diag_warning(d, NULL, 0, "'%s' is open for writing in another "
		    "process (%s): reading it as it is now", t->disk,
		    dr->why ? dr->why : "locked");
	if ((dr->stage = cmd_disk_stage_make(d)) == NULL)
		return -1;
	dr->guard = stage_guard(dr->stage, &dr->guard_pid);
	if (dr->r->audit != NULL && audit_sha256_file(dr->abs, dr->before) < 0)
		dr->before[0] = '\0';
	if (dr->write) {
		if (a->overlay != NULL)
			dr->overlay = cmd_disk_abs_new(a->overlay);
		else if (asprintf(&dr->overlay, "%s/overlay.qcow2",
		    dr->stage) < 0)
			dr->overlay = NULL;
		if (dr->overlay == NULL)
			return diag_oom(d);
		if (place_disk_overlay(dr->abs, t->disk_format, dr->overlay,
		    d) < 0) {
			free(dr->overlay);
			dr->overlay = NULL;
			return -1;
		}
		/* A signal before the end removes it. */
		lock_signals_install();
		lock_temp_add(dr->overlay);
	}
	snprintf(doing, sizeof doing, "opening '%s'", t->name);
	cmd_progress_doing(doing);
	return place_disk_open(dr->abs, t->disk_format, dr->write ?
	    PLACE_OVERLAY : PLACE_READ, dr->overlay, t->name, &dr->pl, d);
}

/* The place closed, and for apply the overlay committed into the image
 * when every machine written to it was written whole (dr->late counts
 * what failed after a machine was written: then none is). */
static void
disk_write(struct disk_run *dr, struct diag *d)
{
	const struct cmd_run *r = dr->r;
	char doing[80];
	size_t i;

	for (i = 0; i < dr->nm; i++) {
		dr->changed += dr->m[i].changed;
		dr->late += dr->m[i].late && dr->m[i].changed;
	}
	if (dr->changed) {
		snprintf(doing, sizeof doing, "writing '%s'", dr->t->name);
		cmd_progress_doing(doing);
	}
	dr->closed = 1;
	if (dr->pl->ops->close(dr->pl, d) < 0 && dr->changed)
		dr->late++;
	dr->pl = NULL;
	/* The records of what goes into the image are in the log, synced,
	 * before the image is written (as apply's are before its first
	 * rename): a record that cannot be written stops it. */
	if (dr->write && dr->changed && r->audit != NULL) {
		for (i = 0; i < dr->nm; i++) {
			if (dr->late && dr->m[i].changed)
				dr->m[i].late = 1;
			cmd_disk_show_audit(&dr->m[i], r->audit, d);
		}
		if (!dr->late && audit_sync(r->audit, d) < 0)
			dr->late++;
	}
	if (dr->write && dr->changed && !dr->late && r->a->overlay == NULL &&
	    place_disk_commit(dr->overlay, d) < 0)
		dr->late++;
	if (dr->late)
		for (i = 0; i < dr->nm; i++)
			if (dr->m[i].changed)
				dr->m[i].late = 1;
}

/* Each machine's output, messages and records, in the image's names, and
 * the worst of their outcomes into O. */
static void
disk_show(struct disk_run *dr, int text, FILE *out, struct cmd_outcome *o,
    struct diag *d)
{
	const struct cmd_run *r = dr->r;
	const struct cmd_target *t = dr->t;
	size_t i;

	for (i = 0; i < dr->nm; i++) {
		struct machine *m = &dr->m[i];

		if (m->late) {
			m->o.rc = EXIT_TROUBLE;
			m->o.nchanges = 0;
			diag_error(&m->d, NULL, 0, "nothing was changed in "
			    "'%s'", t->disk);
		}
		cmd_disk_show_machine(m, out, !text, text && dr->nm > 1,
		    i == 0);
		cmd_disk_show_messages(m, d);
		if (r->audit != NULL && !m->audit_shown)
			cmd_disk_show_audit(m, r->audit, d);
		if (m->o.rc > o->rc || i == 0)
			o->rc = m->o.rc;
		o->nchanges += m->o.nchanges;
	}
	if (dr->write && r->a->overlay != NULL && !dr->late && text &&
	    dr->changed)
		fprintf(out, "kbfix: '%s': changes written to the overlay '%s' "
		    "('%s' is unchanged)\n", t->name, r->a->overlay, t->disk);
}

/* What the run leaves: the place closed, a JSON line for an image that
 * could not be looked at, the overlay removed unless it is the user's and
 * holds a whole run, the image's audit record, the staging folder. */
static void
disk_close(struct disk_run *dr, int text, FILE *out, struct cmd_outcome *o,
    struct diag *d)
{
	const struct cmd_run *r = dr->r;

	if (!dr->closed && dr->pl != NULL)
		dr->pl->ops->close(dr->pl, d);
	cmd_progress_doing(NULL);
	if (!text && dr->nm == 0) {
		struct render_info info;

		memset(&info, 0, sizeof info);
		info.command = r->mode == CMD_SCAN ? "scan" : "dry-run";
		info.target = dr->t->name;
		render_json_failure(out, &info, d);
	}
	if (dr->overlay != NULL) {
		if (r->a->overlay == NULL || o->rc == EXIT_TROUBLE || dr->late)
			unlink(dr->overlay);
		lock_temp_forget(dr->overlay);
	}
	if (r->audit != NULL && dr->stage != NULL) {
		if (audit_sha256_file(dr->abs, dr->after) < 0)
			dr->after[0] = '\0';
		audit_image(dr);
	}
	free(dr->why);
	free(dr->abs);
	stage_remove(dr->stage);
	stage_unguard(dr->guard, dr->guard_pid);
	machines_free(dr);
	free(dr->overlay);
	free(dr->stage);
	fflush(out);
}

int
cmd_disk_run(const struct cmd_run *r, const struct cmd_target *t,
    cmd_target_fn fn, FILE *out, struct cmd_outcome *o, struct diag *d)
{
	const struct cmd_args *a = r->a;
	int text = a->format == RENDER_DIFF || r->mode == CMD_APPLY;
	struct disk_run dr;
	char doing[80];
	size_t i;

	memset(&dr, 0, sizeof dr);
	dr.r = r;
	dr.t = t;
	dr.write = r->mode == CMD_APPLY && a->output == NULL;
	dr.guard = -1;
	o->rc = EXIT_TROUBLE;
	o->nchanges = 0;
	if (r->mode != CMD_APPLY && a->overlay != NULL) {
		diag_error(d, NULL, 0, "--overlay is for apply: %s writes "
		    "nothing", r->mode == CMD_SCAN ? "scan" : "the dry run");
		return o->rc;
	}
	/* qemu takes "name:" in front of a path for a protocol: every path
	 * it is given is absolute. */
	if ((dr.abs = realpath(t->disk, NULL)) == NULL) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", t->disk,
		    strerror(errno));
		return o->rc;
	}
	if (disk_open(&dr, d) < 0 || find_machines(&dr, d) < 0)
		goto out;
	for (i = 0; i < dr.nm; i++)
		if (name_machine(&dr, i, d) < 0)
			goto out;
	for (i = 0; i < dr.nm; i++) {
		snprintf(doing, sizeof doing, "reading '%s'", dr.m[i].name);
		cmd_progress_doing(doing);
		run_machine(&dr, i, fn);
	}
	disk_write(&dr, d);
	disk_show(&dr, text, out, o, d);
out:
	disk_close(&dr, text, out, o, d);
	return o->rc;
}
