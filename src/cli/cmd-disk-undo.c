/* cmd-disk-undo.c: kbfix undo in a disk image (cmd-disk.c says how): the
 * undo files and what they put back staged from the image, kbfix undo run
 * on the staging folder, and what it wrote put back into the image. */
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

/* ARG as a place in a disk image: "IMAGE" (*PATH NULL), "IMAGE:/path",
 * "IMAGE:DEVICE" or "IMAGE:DEVICE:/path" (DEVICE starts with /dev/).
 * Returns 1 with *IMG, *DEV, *PATH (caller frees; DEV and PATH may be
 * NULL) and *FMT; 0 when ARG is not in a disk image; -1 out of memory. */
static int
image_place(const struct cmd_args *a, const char *arg, char **img,
    const char **fmt, char **dev, char **path)
{
	struct stat st;
	const char *c;

	*img = *dev = *path = NULL;
	if (stat(arg, &st) == 0) {
		if ((*fmt = cmd_disk_format_of(a, arg)) == NULL)
			return 0;
		return (*img = strdup(arg)) == NULL ? -1 : 1;
	}
	for (c = strchr(arg, ':'); c != NULL; c = strchr(c + 1, ':')) {
		char *pre = strndup(arg, (size_t)(c - arg));
		const char *rest = c + 1, *e;

		if (pre == NULL)
			return -1;
		if ((*fmt = cmd_disk_format_of(a, pre)) == NULL) {
			free(pre);
			continue;
		}
		*img = pre;
		if (strncmp(rest, "/dev/", 5) == 0) {
			e = strstr(rest, ":/");
			*dev = e ? strndup(rest, (size_t)(e - rest)) :
			    strdup(rest);
			if (*dev == NULL)
				return -1;
			rest = e ? e + 1 : NULL;
		}
		if (rest != NULL && (*path = strdup(rest)) == NULL)
			return -1;
		return 1;
	}
	return 0;
}

/* One undo file and what it undoes. */
struct undo_pair {
	char *undo;		/* on this machine, or NULL */
	char *gundo;		/* in the image, or NULL */
	char *gtarget;		/* the hive, or the Windows folder */
	int files;		/* an undo file of file changes */
	int manifest;		/* an undo manifest: GTARGET is NULL */
};

/* The hive an undo file beside it undoes ("NTUSER.DAT.kbfix-STAMP-undo.reg"
 * undoes "NTUSER.DAT" in the same folder), or the Windows folder an undo
 * file of file changes is in ("kbfix-STAMP-files-undo.reg").  NULL when
 * the name says neither. */
static char *
undone_by(const char *gundo, int *files)
{
	const char *b = strrchr(gundo, '/'), *k;

	b = b ? b + 1 : gundo;
	*files = 0;
	if (strncmp(b, "kbfix-", 6) == 0 && strlen(b) > 21 &&
	    strcmp(b + strlen(b) - 15, "-files-undo.reg") == 0) {
		*files = 1;
		return b == gundo + 1 ? strdup("/") :
		    strndup(gundo, (size_t)(b - gundo - 1));
	}
	if ((k = strstr(b, ".kbfix-")) == NULL || k == b ||
	    strlen(k) < 9 || strcmp(k + strlen(k) - 9, "-undo.reg") != 0)
		return NULL;
	return strndup(gundo, (size_t)(k - gundo));
}

/* Is the file PATH named as apply names an undo manifest,
 * "kbfix-STAMP[-N]-undo.reg" (not "...-files-undo.reg")? */
static int
manifest_named(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t l;

	b = b ? b + 1 : path;
	l = strlen(b);
	return strncmp(b, "kbfix-", 6) == 0 && l > 6 + 9 &&
	    strcmp(b + l - 9, "-undo.reg") == 0 &&
	    (l < 15 || strcmp(b + l - 15, "-files-undo.reg") != 0);
}

/* A part of an undo manifest (undo.h: "a\\b" below its root) as a path
 * of the volume ("/a/b"); NULL for one in %BackupDir% (on this machine)
 * or out of memory (*OOM set). */
static char *
part_path(const char *part, int *oom)
{
	char *s, *c;

	*oom = 0;
	if (strncmp(part, "%BackupDir%\\", 12) == 0)
		return NULL;
	if (asprintf(&s, "/%s", part) < 0) {
		*oom = 1;
		return NULL;
	}
	for (c = s; *c; c++)
		if (*c == '\\')
			*c = '/';
	return s;
}

/* The disk image an undo manifest on this machine (PATH, one apply on an
 * image wrote in --backup-dir) undoes: its root names the volume as
 * "/srv/vm.qcow2:/" or "/srv/vm.qcow2:/dev/sda2:/".  1 with *ARG (the
 * image, or IMAGE:DEVICE; caller frees), 0 when PATH is no such
 * manifest, -1 out of memory. */
static int
manifest_image(const struct cmd_args *a, const char *path, char **arg)
{
	struct undo_file *u = NULL;
	struct diag quiet;
	char *img = NULL, *dev = NULL, *in = NULL;
	const char *fmt;
	size_t l;
	int r = 0;

	*arg = NULL;
	if (!manifest_named(path) || access(path, R_OK) < 0)
		return 0;
	diag_init(&quiet);
	if (undo_read(path, &u, &quiet) == 0 && u->manifest &&
	    (l = strlen(u->root)) > 2 && strcmp(u->root + l - 2, ":/") == 0) {
		if ((*arg = strndup(u->root, l - 2)) == NULL)
			r = -1;
		else if ((r = image_place(a, *arg, &img, &fmt, &dev,
		    &in)) <= 0 ||
		    in != NULL) {
			free(*arg);
			*arg = NULL;
			r = r < 0 ? -1 : 0;
		}
	}
	diag_free(&quiet);
	undo_file_free(u);
	free(img);
	free(dev);
	free(in);
	return r;
}

/* U for the undo manifest ARG: in the image IMG ("IMAGE:/path", or
 * "IMAGE:DEVICE:/path": then *DEV), or on this machine (read here: the
 * parts in the image tell which file system it undoes).  Returns 0, or -1
 * with D. */
static int
manifest_pair(const struct cmd_args *a, const char *arg, const char *img,
    char **dev, struct undo_pair *u, struct diag *d)
{
	struct undo_file *mf = NULL;
	char *ui = NULL, *ud = NULL, *up = NULL;
	const char *uf;
	size_t i;
	int r = image_place(a, arg, &ui, &uf, &ud, &up), oom = 0;

	u->manifest = 1;
	if (r < 0)
		goto oom;
	if (r > 0) {
		if (strcmp(ui, img) != 0 || up == NULL ||
		    (ud && *dev && strcmp(ud, *dev) != 0)) {
			diag_error(d, NULL, 0, "'%s' is not a file of '%s'",
			    arg, img);
			r = -1;
		} else if (ud != NULL && *dev == NULL) {
			*dev = ud;
			ud = NULL;
		}
		free(ui);
		free(ud);
		if (r < 0) {
			free(up);
			return -1;
		}
		u->gundo = up;
		if ((u->gtarget = strdup(up)) == NULL)
			goto oom;
		return 0;
	}
	if ((u->undo = strdup(arg)) == NULL)
		goto oom;
	if (undo_read(arg, &mf, d) < 0)
		return -1;
	if (!mf->manifest) {
		diag_error(d, NULL, 0, "'%s' is not an undo manifest",
		    arg);
		undo_file_free(mf);
		return -1;
	}
	for (i = 0; i < mf->nparts && u->gtarget == NULL && !oom; i++)
		u->gtarget = part_path(mf->parts[i].target, &oom);
	undo_file_free(mf);
	if (oom)
		goto oom;
	if (u->gtarget == NULL)
		return diag_error(d, NULL, 0, "'%s' names no file of '%s'", arg,
		    img);
	return 0;
oom:
	return diag_oom(d);
}

/* Is there an entry PATH on the volume mounted in P? */
static int
has_path(struct place *p, const char *path)
{
	char *copy = strdup(path), *slash;
	struct place_entry *es = NULL;
	struct diag tmp;
	size_t n = 0, i;
	int r = 0;

	if (copy == NULL || (slash = strrchr(copy, '/')) == NULL) {
		free(copy);
		return 0;
	}
	*slash = '\0';
	diag_init(&tmp);
	if (p->ops->list(p, *copy ? copy : "/", &es, &n, &tmp) == 0)
		for (i = 0; i < n; i++)
			if (strcmp(es[i].name, slash + 1) == 0)
				r = 1;
	place_entries_free(es, n);
	diag_free(&tmp);
	free(copy);
	return r;
}

/* The file system of the image that holds PATH: DEV when given, else the
 * only one that has it. */
static char *
undo_device(struct place *p, const char *dev, const char *path,
    const char *name, struct diag *d)
{
	struct place_volume *v = NULL;
	size_t nv = 0, i;
	char *found = NULL;
	int n = 0;

	if (dev != NULL)
		return strdup(dev);
	if (p->ops->volumes(p, &v, &nv, d) < 0)
		return NULL;
	for (i = 0; i < nv; i++) {
		struct diag tmp;

		if (!cmd_disk_is_fs(v[i].type))
			continue;
		diag_init(&tmp);
		if (p->ops->mount(p, v[i].device, 0, &tmp) == 0 &&
		    has_path(p, path)) {
			n++;
			if (found == NULL)
				found = strdup(v[i].device);
		}
		diag_free(&tmp);
	}
	p->ops->umount(p, d);
	place_volumes_free(v, nv);
	if (n == 1)
		return found;
	if (n == 0)
		diag_error(d, NULL, 0, "'%s' is not in '%s'", path, name);
	else
		diag_error(d, NULL, 0, "'%s' is on several file systems of "
		    "'%s': name one, as '%s:/dev/sdaN:%s'", path, name, name,
		    path);
	free(found);
	return NULL;
}

/* Run FN(ARG) with its standard output and error going to OUT and ERR
 * (files), as cmd_undo prints them. */
static int
captured(int (*fn)(int, char **), int argc, char **argv, const char *out,
    const char *err)
{
	int so, se, fo, fe, rc;

	fflush(stdout);
	fflush(stderr);
	if ((fo = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) < 0)
		return -1;
	if ((fe = open(err, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) < 0) {
		close(fo);
		return -1;
	}
	so = dup(1);
	se = dup(2);
	dup2(fo, 1);
	dup2(fe, 2);
	close(fo);
	close(fe);
	rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	return rc;
}

/* The files an undo file of file changes moves, staged below the Windows
 * folder WINDIR of the image. */
static int
stage_moves(struct place *p, const char *root, const char *windir,
    const char *local, struct diag *d)
{
	struct undo_file *u = NULL;
	struct diag quiet;
	size_t len = 0, i;
	char *text = cmd_disk_slurp(local, &len), *sys;
	int r;

	if (text == NULL)
		return 0;	/* undo reports it */
	/* One that is not whole, or not of file changes, is undo's to
	 * refuse: nothing more to stage. */
	diag_init(&quiet);
	r = undo_parse(text, len, local, &u, &quiet);
	diag_free(&quiet);
	if (r < 0 || !u->files) {
		undo_file_free(u);
		free(text);
		return 0;
	}
	/* The Windows folder must look like one. */
	if (asprintf(&sys, "%s/System32", windir) < 0)
		r = -1;
	else {
		if (stage_path(p, root, sys, 0, d) < 0)
			r = -1;
		free(sys);
	}
	for (i = 0; i < u->nmoves && r == 0; i++) {
		const char *which[2] = { u->moves[i].from, u->moves[i].to };
		int k;

		for (k = 0; k < 2 && r == 0; k++) {
			char *g, *s;

			if (which[k] == NULL || strncasecmp(which[k],
			    "%SystemRoot%", 12) != 0)
				continue;
			if ((g = strdup(which[k] + 12)) == NULL) {
				r = -1;
				break;
			}
			for (s = g; *s; s++)
				if (*s == '\\')
					*s = '/';
			if (asprintf(&s, "%s%s", windir, g) < 0)
				r = -1;
			else {
				r = stage_path(p, root, s, 0, d);
				free(s);
			}
			free(g);
		}
	}
	undo_file_free(u);
	free(text);
	return r;
}

/* The undo manifest U (in the image: staged here first; or on this
 * machine, in the --backup-dir of the apply) and every part it names,
 * staged below ROOT: each undo file in the image, and what it puts back
 * (a hive with its logs, or the files a files undo file moves).  A
 * manifest that cannot be read stages nothing more: kbfix undo, run on
 * ROOT, says why. */
static int
stage_manifest(struct place *p, const char *root, struct undo_pair *u,
    struct diag *d)
{
	struct undo_file *mf = NULL;
	struct diag quiet;
	size_t i;
	int r = 0, oom = 0;

	if (u->gundo != NULL) {
		if (stage_path(p, root, u->gundo, 0, d) < 0)
			return -1;
		if (asprintf(&u->undo, "%s%s", root, u->gundo) < 0) {
			u->undo = NULL;
			return diag_oom(d);
		}
	}
	diag_init(&quiet);
	if (undo_read(u->undo, &mf, &quiet) < 0 || !mf->manifest) {
		diag_free(&quiet);
		undo_file_free(mf);
		return 0;
	}
	diag_free(&quiet);
	for (i = 0; i < mf->nparts && r == 0; i++) {
		const struct undo_part *pt = &mf->parts[i];
		char *target = part_path(pt->target, &oom), *in = NULL;
		char *local = NULL;
		size_t l;

		if (target == NULL) {
			r = oom ? -1 : 0;
			continue;
		}
		if ((in = part_path(pt->undo, &oom)) != NULL) {
			if (stage_path(p, root, in, 0, d) < 0)
				r = -1;
			else if (asprintf(&local, "%s%s", root, in) < 0) {
				local = NULL;
				oom = 1;
				r = -1;
			}
		} else if (oom)
			r = -1;
		else if (mf->backup_dir != NULL &&
		    (local = winpath_join(mf->backup_dir, pt->undo + 12)) ==
		    NULL) {
			oom = 1;
			r = -1;
		}
		l = strlen(pt->undo);
		if (r == 0 && l > 15 &&
		    strcmp(pt->undo + l - 15, "-files-undo.reg") == 0) {
			if (local != NULL)
				r = stage_moves(p, root, target, local, d);
		} else if (r == 0)
			r = stage_path(p, root, target, 1, d);
		free(target);
		free(in);
		free(local);
	}
	undo_file_free(mf);
	if (oom)
		diag_oom(d);
	return r;
}

/* An undo in a disk image: what cmd_disk_undo works with. */
struct disk_undo {
	struct cmd_args a;
	struct diag d;
	struct undo_pair *pv;	/* the undo files, and what each undoes */
	size_t np, nundo;
	struct place *pl;
	struct stage_snap *snap;	/* the staging folder before undo */
	struct machine m;
	struct audit *au;
	char *img, *dev, *tpath;	/* the image, as image_place */
	const char *fmt;
	char *mimg;		/* the image a manifest of this machine names */
	char *abs;		/* the image's absolute path, for qemu */
	char *why;		/* who holds the image open, or NULL */
	char *stage, *overlay;
	char *out, *err;	/* what kbfix undo printed */
	int write, late, closed, worst, guard;
	pid_t guard_pid;
};

/* Is any argument in a disk image?  Or is the one argument an undo
 * manifest of this machine (in --backup-dir) whose root is one?  1 yes,
 * 0 no, -1 with U's diag. */
static int
disk_undo_in_image(struct disk_undo *u)
{
	size_t i;
	int any = 0;

	for (i = 0; i < u->a.ntargets && !any; i++) {
		char *x, *y, *z;
		const char *f;
		int r = image_place(&u->a, u->a.targets[i], &x, &f, &y, &z);

		any = r != 0;
		free(x);
		free(y);
		free(z);
	}
	if (!any && u->a.ntargets == 1 &&
	    (any = manifest_image(&u->a, u->a.targets[0], &u->mimg)) < 0)
		return diag_oom(&u->d);
	if (!any && u->a.overlay != NULL)
		return diag_error(&u->d, NULL, 0, "--overlay NEW.qcow2 is for "
		    "an undo in a disk image: none is given");
	return any;
}

/* The image: the last argument; or, given alone, the undo file in it, or
 * the image a manifest of this machine names.  Returns 0, or -1 with U's
 * diag. */
static int
disk_undo_image(struct disk_undo *u)
{
	const struct cmd_args *a = &u->a;
	const char *last;

	if (a->nids != 0 || a->ntargets < 1 || a->each || a->jobs != 1)
		return diag_error(&u->d, NULL, 0, "usage: kbfix undo "
		    "[--dry-run] [--backup-dir DIR | --no-backup] [--output "
		    "DIR | --overlay NEW.qcow2] [--audit FILE] UNDOFILE... "
		    "IMAGE[:DEVICE][:/PATH] | kbfix undo [options] "
		    "IMAGE[:DEVICE]:/MANIFEST [IMAGE[:DEVICE]]");
	last = a->ntargets > 1 ? a->targets[a->ntargets - 1] : u->mimg ?
	    u->mimg : a->targets[0];
	u->nundo = a->ntargets > 1 ? a->ntargets - 1 : 1;
	if (image_place(a, last, &u->img, &u->fmt, &u->dev, &u->tpath) <= 0)
		return diag_error(&u->d, NULL, 0, "'%s' is not a disk image: "
		    "give the image (or the hive in it, as IMAGE:/PATH) last",
		    last);
	if (a->ntargets == 1 && u->mimg == NULL) {
		if (u->tpath == NULL)
			return diag_error(&u->d, NULL, 0, "'%s' is a disk "
			    "image: give the undo manifest apply wrote in it, "
			    "as apply named it "
			    "('%s:/WINDOWS/kbfix-STAMP-undo.reg'), or undo "
			    "files and then the image", last, u->img);
		/* The one argument is the undo file. */
		free(u->tpath);
		u->tpath = NULL;
	}
	if (a->overlay != NULL && !u->write)
		return diag_error(&u->d, NULL, 0, "--overlay is for an undo "
		    "that writes");
	return 0;
}

/* Undo file I (argument I): where it is and what it undoes, into P.
 * Returns 0, or -1 with U's diag. */
static int
disk_undo_pair(struct disk_undo *u, size_t i, struct undo_pair *p)
{
	const struct cmd_args *a = &u->a;
	const char *arg = a->targets[i];
	char *ui = NULL, *ud = NULL, *up = NULL;
	const char *uf;
	int r = image_place(a, arg, &ui, &uf, &ud, &up);

	if (r < 0)
		return diag_oom(&u->d);
	/* An undo manifest: the whole of one apply, alone. */
	if (manifest_named(r > 0 && up != NULL ? up : arg)) {
		free(ui);
		free(ud);
		free(up);
		if (u->nundo > 1 || u->tpath != NULL)
			return diag_error(&u->d, NULL, 0, "'%s' is an undo "
			    "manifest: it puts back a whole apply; give it "
			    "alone, or with the image", arg);
		return manifest_pair(a, arg, u->img, &u->dev, p, &u->d);
	}
	if (r > 0 && (strcmp(ui, u->img) != 0 || up == NULL ||
	    (ud && u->dev && strcmp(ud, u->dev) != 0))) {
		free(ui);
		free(ud);
		free(up);
		return diag_error(&u->d, NULL, 0, "'%s' is not a file of '%s'",
		    arg, a->targets[a->ntargets - 1]);
	}
	if (r > 0 && ud != NULL && u->dev == NULL)
		u->dev = strdup(ud);
	free(ui);
	free(ud);
	if (r > 0) {
		p->gundo = up;
		p->gtarget = undone_by(up, &p->files);
		if (u->tpath != NULL && a->ntargets == 2) {
			free(p->gtarget);
			p->gtarget = strdup(u->tpath);
			p->files = 0;
		}
	} else {
		p->undo = strdup(arg);
		p->gtarget = u->tpath ? strdup(u->tpath) : NULL;
		p->files = strstr(arg, "-files-undo.reg") != NULL;
		if (u->tpath == NULL || a->ntargets != 2)
			return diag_error(&u->d, NULL, 0, "'%s' is not in the "
			    "image: give the hive (or Windows folder) it "
			    "undoes as IMAGE:/PATH", arg);
	}
	if (p->gtarget == NULL)
		return diag_error(&u->d, NULL, 0, "'%s': which hive it undoes "
		    "is not in its name: give it as IMAGE:/PATH", arg);
	return 0;
}

/* The names of the machine the undo is on, as apply wrote them: with the
 * device when the image holds several Windows.  Returns 0, or -1 with
 * U's diag. */
static int
disk_undo_names(struct disk_undo *u)
{
	struct machine *m = &u->m;
	struct place *pl = u->pl;
	struct place_volume *v = NULL;
	size_t nv = 0, nw = 0, i;
	const char *shown = u->overlay && u->a.overlay ? u->a.overlay :
	    u->img;

	if (pl->ops->volumes(pl, &v, &nv, &u->d) < 0)
		return -1;
	for (i = 0; i < nv; i++) {
		struct diag tmp;

		diag_init(&tmp);
		if (cmd_disk_is_fs(v[i].type) && pl->ops->mount(pl,
		    v[i].device, 0, &tmp) == 0 && stage_has_windows(pl,
		    &tmp) > 0)
			nw++;
		diag_free(&tmp);
	}
	place_volumes_free(v, nv);
	if ((nw > 1 || u->dev != NULL ? asprintf(&m->shown, "%s:%s:", shown,
	    m->device) : asprintf(&m->shown, "%s:", shown)) < 0)
		m->shown = NULL;
	shown = u->overlay && u->a.overlay ? u->overlay : u->abs;
	if ((nw > 1 || u->dev != NULL ? asprintf(&m->abs_shown, "%s:%s:",
	    shown, m->device) : asprintf(&m->abs_shown, "%s:", shown)) < 0)
		m->abs_shown = NULL;
	if (m->shown == NULL || m->abs_shown == NULL ||
	    asprintf(&m->root, "%s/m001", u->stage) < 0)
		return diag_oom(&u->d);
	return 0;
}

/* The image opened (refused when another process writes it and this
 * undo would), its staging folder made, for an undo that writes the
 * overlay the appliance writes into, and the file system the undo is on
 * named.  Returns 0, or -1 with U's diag. */
static int
disk_undo_open(struct disk_undo *u)
{
	int used;

	if ((u->abs = realpath(u->img, NULL)) == NULL)
		return diag_error(&u->d, NULL, 0, "cannot open '%s': %s",
		    u->img, strerror(errno));
	if ((used = place_disk_in_use(u->abs, u->fmt, &u->why, &u->d)) < 0)
		return -1;
	if (used && u->write)
		return diag_error(&u->d, NULL, 0, "'%s' is open for writing in "
		    "another process (%s): kbfix does not write to it", u->img,
		    u->why ? u->why : "locked");
	if ((u->stage = cmd_disk_stage_make(&u->d)) == NULL)
		return -1;
	u->guard = stage_guard(u->stage, &u->guard_pid);
	if (u->write) {
		if ((u->overlay = u->a.overlay ?
		    cmd_disk_abs_new(u->a.overlay) : NULL) == NULL &&
		    asprintf(&u->overlay, "%s/overlay.qcow2", u->stage) < 0) {
			u->overlay = NULL;
			return diag_oom(&u->d);
		}
		if (place_disk_overlay(u->abs, u->fmt, u->overlay, &u->d) < 0) {
			free(u->overlay);
			u->overlay = NULL;
			return -1;
		}
		lock_signals_install();
		lock_temp_add(u->overlay);
	}
	if (place_disk_open(u->abs, u->fmt, u->write ? PLACE_OVERLAY :
	    PLACE_READ, u->overlay, u->img, &u->pl, &u->d) < 0)
		return -1;
	if ((u->m.device = undo_device(u->pl, u->dev, u->pv[0].gtarget,
	    u->img, &u->d)) == NULL)
		return -1;
	return disk_undo_names(u);
}

/* Each undo file and what it puts back, staged below the machine's
 * staging folder; then the files undo prints to, and the audit log.
 * Returns 0, or -1 with U's diag. */
static int
disk_undo_stage(struct disk_undo *u)
{
	struct machine *m = &u->m;
	struct place *pl = u->pl;
	size_t i;

	if (pl->ops->mount(pl, m->device, 0, &u->d) < 0)
		return -1;
	if (mkdir(m->root, 0700) < 0)
		return diag_error(&u->d, NULL, 0, "cannot make '%s': %s",
		    m->root, strerror(errno));
	for (i = 0; i < u->np; i++) {
		struct undo_pair *p = &u->pv[i];

		if (p->manifest) {
			if (stage_manifest(pl, m->root, p, &u->d) < 0)
				return -1;
			continue;
		}
		if (p->gundo != NULL && stage_path(pl, m->root, p->gundo, 0,
		    &u->d) < 0)
			return -1;
		if (p->gundo != NULL && asprintf(&p->undo, "%s%s", m->root,
		    p->gundo) < 0)
			return diag_oom(&u->d);
		if (p->files) {
			if (stage_moves(pl, m->root, p->gtarget, p->undo,
			    &u->d) < 0)
				return -1;
		} else if (stage_path(pl, m->root, p->gtarget, 1, &u->d) < 0)
			return -1;
	}
	if (pl->ops->umount(pl, &u->d) < 0)
		return -1;
	if (u->write && stage_snap_take(m->root, &u->snap, &u->d) < 0)
		return -1;
	if (asprintf(&u->out, "%s/undo.out", u->stage) < 0 ||
	    asprintf(&u->err, "%s/undo.err", u->stage) < 0)
		return diag_oom(&u->d);
	if (u->a.audit != NULL) {
		if (audit_open(u->a.audit, &u->au, &u->d) < 0)
			return -1;
		cmd_audit_start(u->au, &u->a, "undo", NULL, 0);
		if (asprintf(&m->audit, "%s/audit.jsonl", u->stage) < 0) {
			m->audit = NULL;
			return diag_oom(&u->d);
		}
	}
	return 0;
}

/* kbfix undo's arguments for the undo file P, into AV (room for 24):
 * U's options, then P's undo file and T, what it undoes.  Returns their
 * count. */
static int
disk_undo_argv(const struct disk_undo *u, const struct undo_pair *p,
    char *argv0, char *t, char **av)
{
	const struct cmd_args *a = &u->a;
	int ac = 0;

	av[ac++] = argv0;
	if (a->dry_run)
		av[ac++] = "--dry-run";
	if (a->force)
		av[ac++] = "--force";
	if (a->ignore_logs)
		av[ac++] = "--ignore-logs";
	if (a->no_backup)
		av[ac++] = "--no-backup";
	if (a->quiet)
		av[ac++] = "-q";
	if (a->backup_dir) {
		av[ac++] = "--backup-dir";
		av[ac++] = (char *)a->backup_dir;
	}
	if (a->output) {
		av[ac++] = "--output";
		av[ac++] = (char *)a->output;
	}
	if (u->m.audit) {
		av[ac++] = "--audit";
		av[ac++] = u->m.audit;
	}
	if (a->format != RENDER_DIFF) {
		av[ac++] = "--format";
		av[ac++] = a->format == RENDER_REG ? "reg" : "json";
	}
	av[ac++] = "--";
	av[ac++] = p->undo;
	av[ac++] = t;
	return ac;
}

/* Each undo file through kbfix undo on the staging folder, as on files
 * of this machine; u->worst is the worst exit.  Returns 0, or -1 with U's
 * diag. */
static int
disk_undo_run(struct disk_undo *u, char *argv0)
{
	size_t i;

	for (i = 0; i < u->np; i++) {
		struct undo_pair *p = &u->pv[i];
		/* Room for every option disk_undo_argv gives, and a NULL. */
		char **av = calloc(24, sizeof *av), *t = NULL;
		int ac, r;

		/* A manifest's parts are below the staging folder, as below
		 * a folder where the volume is mounted now. */
		if (av == NULL || (p->manifest ? (t = strdup(u->m.root)) ==
		    NULL : asprintf(&t, "%s%s", u->m.root, p->gtarget) < 0)) {
			free(av);
			return diag_oom(&u->d);
		}
		ac = disk_undo_argv(u, p, argv0, t, av);
		r = captured(cmd_undo, ac, av, u->out, u->err);
		free(t);
		free(av);
		if (r < 0)
			return diag_error(&u->d, NULL, 0,
			    "cannot write in '%s'", u->stage);
		if (r > u->worst)
			u->worst = r;
	}
	return 0;
}

/* What undo wrote, into the image only when every undo file went
 * through; then what undo printed, in the image's names. */
static void
disk_undo_write(struct disk_undo *u)
{
	struct machine *m = &u->m;
	struct place *pl = u->pl;
	size_t n = 0, k;
	char *s;

	if (u->write && u->worst == EXIT_NOTHING) {
		size_t nw = 0;

		if (cmd_disk_respell_undo_files(m, m->root, u->snap,
		    &m->d) < 0 ||
		    cmd_disk_respell_undo_files(m, u->a.backup_dir, NULL,
		    &m->d) < 0 ||
		    pl->ops->mount(pl, m->device, 1, &m->d) < 0 ||
		    stage_commit(pl, m->root, u->snap, &nw, &m->d) < 0 ||
		    pl->ops->umount(pl, &m->d) < 0)
			u->late = 1;
		m->changed = nw > 0;
	}
	u->closed = 1;
	if (pl->ops->close(pl, &m->d) < 0 && m->changed)
		u->late = 1;
	u->pl = NULL;
	if (u->write && m->changed && !u->late && u->a.overlay == NULL &&
	    place_disk_commit(u->overlay, &m->d) < 0)
		u->late = 1;
	if (u->late) {
		u->worst = EXIT_TROUBLE;
		diag_error(&m->d, NULL, 0, "nothing was changed in '%s'",
		    u->img);
	}
	m->late = u->late;
	m->text = cmd_disk_slurp(u->out, &m->ntext);
	cmd_disk_show_machine(m, stdout, u->a.format == RENDER_JSON, 0, 1);
	if ((s = cmd_disk_slurp(u->err, &n)) != NULL) {
		char *t = cmd_disk_respell(s, n, m->root, m->shown, &k);

		fwrite(t ? t : s, 1, t ? k : n, stderr);
		free(t);
		free(s);
	}
}

/* The end of an undo in an image, its exit code RC: the place closed,
 * the overlay removed unless it is the user's and RC is not trouble, the
 * audit records, the messages printed, everything freed.  Returns the
 * exit code. */
static int
disk_undo_end(struct disk_undo *u, int rc)
{
	size_t i;

	if (!u->closed && u->pl != NULL)
		u->pl->ops->close(u->pl, &u->d);
	if (u->overlay != NULL) {
		if (u->a.overlay == NULL || rc == EXIT_TROUBLE)
			unlink(u->overlay);
		lock_temp_forget(u->overlay);
	}
	if (u->au != NULL) {
		struct cmd_outcome o;

		if (u->m.audit != NULL) {
			u->m.late = u->late;
			cmd_disk_show_audit(&u->m, u->au, &u->d);
		}
		o.rc = rc;
		o.nchanges = 0;
		cmd_audit_result(u->au, u->a.targets[u->a.ntargets - 1], &o,
		    &u->m.d);
		cmd_audit_end(u->au, rc);
		if (audit_close(u->au, &u->d) < 0)
			rc = EXIT_TROUBLE;
	}
	cmd_disk_show_messages(&u->m, &u->d);
	diag_print(&u->d, stderr);
	diag_free(&u->d);
	for (i = 0; u->pv != NULL && i < u->np; i++) {
		free(u->pv[i].undo);
		free(u->pv[i].gundo);
		free(u->pv[i].gtarget);
	}
	free(u->pv);
	stage_snap_free(u->snap);
	if (u->stage != NULL)
		stage_remove(u->stage);
	stage_unguard(u->guard, u->guard_pid);
	free(u->stage);
	free(u->overlay);
	free(u->out);
	free(u->err);
	free(u->img);
	free(u->abs);
	free(u->dev);
	free(u->tpath);
	free(u->mimg);
	free(u->why);
	cmd_disk_machine_free(&u->m);
	cmd_args_free(&u->a);
	return rc;
}

int
cmd_disk_undo(int argc, char **argv, int *rc)
{
	struct disk_undo u;
	size_t i;
	int any;

	*rc = EXIT_TROUBLE;
	memset(&u, 0, sizeof u);
	u.guard = -1;
	u.worst = EXIT_NOTHING;
	diag_init(&u.d);
	diag_init(&u.m.d);
	if (cmd_args_parse(argc, argv, &u.a, &u.d) < 0) {
		diag_free(&u.d);
		cmd_args_free(&u.a);
		return 0;	/* cmd_undo says why */
	}
	if ((any = disk_undo_in_image(&u)) == 0) {
		diag_free(&u.d);
		cmd_args_free(&u.a);
		return 0;
	}
	u.write = !u.a.dry_run && u.a.output == NULL;
	if (any < 0 || disk_undo_image(&u) < 0)
		goto out;
	if ((u.pv = calloc(u.nundo, sizeof *u.pv)) == NULL) {
		diag_oom(&u.d);
		goto out;
	}
	for (i = 0; i < u.nundo; i++) {
		u.np++;
		if (disk_undo_pair(&u, i, &u.pv[i]) < 0)
			goto out;
	}
	if (u.a.output != NULL && u.np > 1) {
		diag_error(&u.d, NULL, 0, "--output takes one undo file at a "
		    "time from a disk image");
		goto out;
	}
	if (disk_undo_open(&u) < 0 || disk_undo_stage(&u) < 0 ||
	    disk_undo_run(&u, argv[0]) < 0)
		goto out;
	disk_undo_write(&u);
	*rc = u.worst;
out:
	*rc = disk_undo_end(&u, *rc);
	return 1;
}
