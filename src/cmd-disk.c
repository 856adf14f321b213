/* cmd-disk.c: disk images as TARGETs (raw, qcow2, vmdk, vhdx ...).
 *
 * An image is opened once (place.h: one libguestfs appliance), every file
 * system on it is looked at, and each that holds a Windows folder is a
 * machine.  What a run looks at is copied into a private staging folder
 * (stage.h) and the run itself is the one of folder TARGETs, on that
 * folder, with every guarantee it has (locks, checks, verification,
 * backups, undo files).  The paths it prints, its messages, its audit
 * records and the undo files it writes name the staging folder: they are
 * rewritten to name the image ("vm.qcow2:/Windows/System32/config/SYSTEM",
 * "vm.qcow2:/dev/sda2:/Windows/..." when it holds several installations).
 *
 * apply never writes into the image while it works: the appliance writes
 * into a qcow2 overlay whose backing file is the image, and only when
 * every machine of the image has been written there, read back and
 * synced, and the appliance has stopped cleanly, is the overlay committed
 * into the image (qemu-img commit: the few clusters that changed).  So a
 * failure anywhere before (an upload, a rename, the appliance dying)
 * leaves the image byte for byte as it was.  --overlay NEW.qcow2 keeps
 * that overlay instead of committing it; --output DIR opens the image
 * read-only and writes the new files under DIR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "json.h"
#include "place.h"
#include "regfile.h"
#include "stage.h"
#include "undo.h"
#include "winpath.h"

static const char *const formats[] = {
	"raw", "qcow2", "vmdk", "vhdx", "vpc", "vdi", "qed", "parallels",
	NULL
};

int
cmd_disk_format_ok(const char *fmt)
{
	size_t i;

	for (i = 0; formats[i] != NULL; i++)
		if (strcmp(formats[i], fmt) == 0)
			return 1;
	return 0;
}

/* The format of the disk image at PATH (--image-format, or found from its
 * first bytes), or NULL when it is not one: a hive never is. */
static const char *
disk_format(const struct cmd_args *a, const char *path)
{
	char magic[4];
	struct stat st;
	int fd;

	if (stat(path, &st) < 0 || (!S_ISREG(st.st_mode) &&
	    !S_ISBLK(st.st_mode)))
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
	    memcmp(magic, "regf", 4) == 0) {
		close(fd);
		return NULL;
	}
	close(fd);
	return a->image_format ? a->image_format : place_disk_format(path);
}

int
cmd_disk_target(const struct cmd_args *a, const char *arg,
    struct cmd_target *t, struct diag *d)
{
	const char *fmt = NULL, *c;
	char *img = NULL, *dev = NULL;
	struct stat st;

	if (stat(arg, &st) == 0) {
		if ((fmt = disk_format(a, arg)) == NULL)
			return 0;
		if ((img = strdup(arg)) == NULL)
			goto oom;
	} else {
		/* IMAGE:DEVICE, one file system of the image. */
		for (c = strstr(arg, ":/dev/"); c != NULL && img == NULL;
		    c = strstr(c + 1, ":/dev/")) {
			char *pre = strndup(arg, (size_t)(c - arg));

			if (pre == NULL)
				goto oom;
			if ((fmt = disk_format(a, pre)) == NULL) {
				free(pre);
				continue;
			}
			img = pre;
			if ((dev = strdup(c + 1)) == NULL)
				goto oom;
		}
		if (img == NULL)
			return 0;
	}
	if (t == NULL) {
		free(img);
		free(dev);
		return 1;
	}
	memset(t, 0, sizeof *t);
	t->name = arg;
	t->disk = img;
	t->disk_format = fmt;
	t->disk_device = dev;
	return 1;
oom:
	free(img);
	free(dev);
	diag_error(d, NULL, 0, "out of memory");
	return -1;
}

/* ---------------------------------------------------------------- names */

/* S (LEN bytes) with every occurrence of the FL bytes FROM replaced by
 * the TL bytes TO; with ROOT, FROM is a staging folder (FROM/x, or FROM
 * alone for its root, which becomes TO/).  Returns a new string of *N
 * bytes (caller frees), or NULL. */
static char *
replace(const char *s, size_t len, const char *from, size_t fl,
    const char *to, size_t tl, int root, size_t *n)
{
	size_t i = 0;
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);

	if (f == NULL)
		return NULL;
	while (i < len) {
		const char *hit = fl ? memmem(s + i, len - i, from, fl) : NULL;

		if (hit == NULL) {
			fwrite(s + i, 1, len - i, f);
			break;
		}
		fwrite(s + i, 1, (size_t)(hit - (s + i)), f);
		fwrite(to, 1, tl, f);
		i = (size_t)(hit - s) + fl;
		/* The root alone is the volume's root. */
		if (root && (i >= len || s[i] != '/'))
			fputc('/', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*n = blen;
	return buf;
}

/* S with every occurrence of FROM (a staging folder: FROM/x, or FROM
 * alone for its root) spelled TO/x.  Returns a new string of *N bytes
 * (caller frees), or NULL. */
static char *
respell(const char *s, size_t len, const char *from, const char *to,
    size_t *n)
{
	return replace(s, len, from, strlen(from), to, strlen(to), 1, n);
}

/* S written as a JSON string, without its quotes.  Caller frees. */
static char *
json_inner(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	json_string(f, s);
	if (fclose(f) != 0 || len < 2) {
		free(buf);
		return NULL;
	}
	memmove(buf, buf + 1, len - 2);
	buf[len - 2] = '\0';
	return buf;
}

/* ---------------------------------------------------------------- run */

/* One Windows installation of the image. */
struct machine {
	char *device;
	char *name;		/* in the run: the target, or IMAGE:DEVICE */
	char *shown;		/* its files are shown as SHOWN/path: "IMAGE:"
				 * or "IMAGE:DEVICE:" (the overlay's name for
				 * --overlay) */
	char *abs_shown;	/* SHOWN with the image's absolute path: the
				 * root an undo manifest records */
	char *root;		/* its staging folder */
	int hibernated;
	struct cmd_outcome o;
	char *text;		/* what the run printed */
	size_t ntext;
	struct diag d;
	char *audit;		/* its private audit log, or NULL */
	char **hashes;		/* pairs: a file's SHA-256 in the audit log,
				 * and after the names in it were respelled */
	size_t nhashes;
	int changed;		/* written into the image's overlay */
	int late;		/* failed after it was: nothing was changed */
	int audit_shown;	/* its records are in the run's log */
};

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
};

/* PATH, a file to be made, as an absolute path (its folder resolved). */
static char *
abs_new(const char *path)
{
	const char *b = strrchr(path, '/');
	char *dir, *real, *s;

	if (path[0] == '/')
		return strdup(path);
	dir = b ? strndup(path, (size_t)(b - path)) : strdup(".");
	real = dir ? realpath(*dir ? dir : "/", NULL) : NULL;
	if (real == NULL || asprintf(&s, "%s/%s", strcmp(real, "/") ? real :
	    "", b ? b + 1 : path) < 0)
		s = NULL;
	free(dir);
	free(real);
	return s;
}

/* A private folder under $TMPDIR (or /tmp), never beside the image. */
static char *
make_stage(struct diag *d)
{
	const char *tmp = getenv("TMPDIR");
	char *s, *real;

	/* Its name is written into text and JSON before it is respelled:
	 * it must need no quoting in either. */
	if (tmp == NULL || *tmp != '/' ||
	    strspn(tmp, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._-+") != strlen(tmp))
		tmp = "/tmp";
	if (asprintf(&s, "%s/kbfix-image-XXXXXX", tmp) < 0) {
		diag_error(d, NULL, 0, "out of memory");
		return NULL;
	}
	if (mkdtemp(s) == NULL) {
		diag_error(d, NULL, 0, "cannot make a folder in '%s': %s", tmp,
		    strerror(errno));
		free(s);
		return NULL;
	}
	/* Resolved, as the run names what it finds there (an undo
	 * manifest's root, the audit log's absolute paths): each is
	 * respelled by this name. */
	if ((real = realpath(s, NULL)) != NULL && strspn(real,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._-+") == strlen(real)) {
		free(s);
		return real;
	}
	free(real);
	return s;
}

static int
is_fs(const char *type)
{
	return strcmp(type, "ntfs") == 0 || strcmp(type, "vfat") == 0 ||
	    strcmp(type, "msdos") == 0 || strcmp(type, "fat") == 0;
}

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
		diag_error(d, NULL, 0, "out of memory");
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
		if (!is_fs(v[i].type))
			continue;
		if (o->mount(dr->pl, v[i].device, 0, d) < 0)
			goto out;
		has = stage_has_windows(dr->pl, d);
		if (has < 0)
			goto out;
		m = &dr->m[dr->nm];
		if (has && (m->device = strdup(v[i].device)) == NULL) {
			diag_error(d, NULL, 0, "out of memory");
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
	    m->root == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		return -1;
	}
	return 0;
}

/* The whole file PATH (caller frees), or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb"), *m;
	char buf[8192], *s = NULL;
	size_t k;

	*len = 0;
	if (f == NULL)
		return NULL;
	if ((m = open_memstream(&s, len)) == NULL) {
		fclose(f);
		return NULL;
	}
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, k, m);
	fclose(f);
	if (fclose(m) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* The start of a kbfix-root line naming PATH or a folder below it:
 * "\n; kbfix-root: \"PATH" (a new string of *N bytes, caller frees), or
 * NULL. */
static char *
root_line(const char *path, size_t *n)
{
	char *s = NULL;
	FILE *f = open_memstream(&s, n);

	if (f == NULL)
		return NULL;
	fputs("\n; kbfix-root: ", f);
	regfile_put_quoted(f, path);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	s[--*n] = '\0';	/* the closing quote: more may follow */
	return s;
}

/* TEXT (LEN bytes), an undo file or manifest kbfix just wrote in M's
 * staging folder, with the names in the image: a manifest's root (the
 * staging folder, or a folder below it for a hive undone alone) named by
 * the image's absolute path, as kbfix-root must be absolute
 * ("/srv/vm.qcow2:/", "/srv/vm.qcow2:/Windows/System32/config"), every
 * other name as printed; then its checksum, the kbfix-end line, made
 * again over what it now holds (only when it held before: never one that
 * does not match).  Returns a new string of *N bytes (caller frees), or
 * NULL. */
static char *
respell_undo(const struct machine *m, const char *text, size_t len,
    size_t *n)
{
	static const char end[] = "; kbfix-end: sha256 ";
	const size_t elen = sizeof end - 1 + 64 + 1;
	char *from, *to, *step = NULL, *out;
	size_t fl = 0, tl = 0, sl = 0;
	char hex[65];
	int ended;

	/* Ends with its checksum, and it matches. */
	ended = len > elen && text[len - elen - 1] == '\n' &&
	    memcmp(text + len - elen, end, sizeof end - 1) == 0;
	if (ended) {
		audit_sha256_buf(text, len - elen, hex);
		ended = memcmp(hex, text + len - elen + sizeof end - 1, 64) ==
		    0;
	}
	from = root_line(m->root, &fl);
	to = root_line(m->abs_shown, &tl);
	if (from != NULL && to != NULL)
		step = replace(text, len, from, fl, to, tl, 1, &sl);
	free(from);
	free(to);
	if (step == NULL)
		return NULL;
	out = respell(step, sl, m->root, m->shown, n);
	free(step);
	if (out == NULL || !ended || *n <= elen)
		return out;
	audit_sha256_buf(out, *n - elen, hex);
	memcpy(out + *n - elen + sizeof end - 1, hex, 64);
	return out;
}

/* Respell the names of M's staging folder in the file PATH (an undo file
 * just written), keeping what the audit log said of it. */
static int
respell_file(struct machine *m, const char *path, struct diag *d)
{
	char before[65], after[65], *text = NULL, *out = NULL, *tmp = NULL;
	char **nh;
	size_t len = 0, n = 0;
	int fd, r = -1;

	if (audit_sha256_file(path, before) < 0 ||
	    (text = slurp(path, &len)) == NULL) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (memmem(text, len, m->root, strlen(m->root)) == NULL) {
		free(text);
		return 0;
	}
	if ((out = respell_undo(m, text, len, &n)) == NULL)
		goto oom;
	/* Beside it, then renamed over it: never a half-written undo
	 * file. */
	if (asprintf(&tmp, "%s.kbfix-tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		goto oom;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		diag_error(d, NULL, 0, "cannot write beside '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	if (write(fd, out, n) != (ssize_t)n || fsync(fd) < 0) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		diag_error(d, NULL, 0, "cannot rename '%s': %s", tmp,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (audit_sha256_file(path, after) < 0)
		after[0] = '\0';
	if ((nh = realloc(m->hashes, (m->nhashes + 2) * sizeof *nh)) == NULL)
		goto oom;
	m->hashes = nh;
	nh[m->nhashes] = strdup(before);
	nh[m->nhashes + 1] = strdup(after);
	m->nhashes += 2;
	r = 0;
	goto out;
oom:
	diag_error(d, NULL, 0, "out of memory");
out:
	free(tmp);
	free(text);
	free(out);
	return r;
}

/* The undo files the run wrote below FOLDER since BEFORE (NULL: the folder
 * did not exist), respelled. */
static int
respell_undo_files(struct machine *m, const char *folder,
    const struct stage_snap *before, struct diag *d)
{
	struct stage_snap *now = NULL;
	size_t i;
	int r = 0;

	if (folder == NULL || access(folder, F_OK) < 0)
		return 0;
	if (stage_snap_take(folder, &now, d) < 0)
		return -1;
	for (i = 0; i < stage_snap_count(now) && r == 0; i++) {
		const char *p = stage_snap_path(now, i);
		size_t l = strlen(p);
		char *full;

		if (l < 9 || strcmp(p + l - 9, "-undo.reg") != 0 ||
		    !stage_snap_is_file(now, i) ||
		    (before != NULL && stage_snap_has(before, p)))
			continue;
		if (asprintf(&full, "%s%s", folder, p) < 0) {
			diag_error(d, NULL, 0, "out of memory");
			r = -1;
			break;
		}
		r = respell_file(m, full, d);
		free(full);
	}
	stage_snap_free(now);
	return r;
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
	if (respell_undo_files(m, m->root, snap, &m->d) < 0 ||
	    respell_undo_files(m, a->backup_dir, bsnap, &m->d) < 0 ||
	    respell_undo_files(m, in.output, osnap, &m->d) < 0) {
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

/* Lines of TEXT that are apply's report of what it wrote ("kbfix: '...':
 * 3 changes made"), left out when the image was not written after all. */
static size_t
drop_report(char *text, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (text + i)) + 1 : len - i;

		if (strncmp(text + i, "kbfix: ", l < 7 ? l : 7) != 0 || l < 7) {
			memmove(text + o, text + i, l);
			o += l;
		}
		i += l;
	}
	return o;
}

/* Print machine M's output to OUT with its names respelled. */
static void
show_machine(struct machine *m, FILE *out, int json, int heading, int first)
{
	char *to = json ? json_inner(m->shown) : strdup(m->shown);
	char *s;
	size_t n = 0;

	if (m->late)
		m->ntext = drop_report(m->text, m->ntext);
	if (heading)
		fprintf(out, "%s==> %s <==\n", first ? "" : "\n", m->name);
	if (to != NULL && m->text != NULL &&
	    (s = respell(m->text, m->ntext, m->root, to, &n)) != NULL) {
		fwrite(s, 1, n, out);
		free(s);
	} else if (m->text != NULL)
		fwrite(m->text, 1, m->ntext, out);
	free(to);
}

/* Move M's messages to D, respelled. */
static void
show_messages(struct machine *m, struct diag *d)
{
	size_t i, n;

	for (i = 0; i < m->d.n; i++) {
		struct diag_item *it = &m->d.items[i];
		char *msg = it->msg ? respell(it->msg, strlen(it->msg), m->root,
		    m->shown, &n) : NULL;
		char *file = it->file ? respell(it->file, strlen(it->file),
		    m->root, m->shown, &n) : NULL;

		diag_add(d, it->level, file ? file : it->file, it->line, "%s",
		    msg ? msg : it->msg ? it->msg : "");
		free(msg);
		free(file);
	}
}

/* M's audit records into the run's log, respelled; without the files and
 * changes when the image was not written after all. */
static void
show_audit(struct machine *m, struct audit *au, struct diag *d)
{
	char *to = json_inner(m->shown), *abs = json_inner(m->abs_shown);
	char *afrom = NULL, *ato = NULL, *line = NULL;
	size_t cap = 0, i;
	ssize_t len;
	FILE *f = NULL;

	/* "abs_path" (an input record's) is the file's in the image by the
	 * image's absolute path. */
	if (abs != NULL && (asprintf(&afrom, "\"abs_path\":\"%s", m->root) < 0 ||
	    asprintf(&ato, "\"abs_path\":\"%s", abs) < 0))
		afrom = ato = NULL;
	if (m->audit == NULL || to == NULL || afrom == NULL || ato == NULL ||
	    (f = fopen(m->audit, "r")) == NULL) {
		free(to);
		free(abs);
		free(afrom);
		free(ato);
		if (m->audit != NULL)
			diag_error(d, NULL, 0, "cannot read the records of "
			    "'%s'", m->name);
		return;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		size_t n = 0;
		char *s, *line_s;

		if (m->late && (strncmp(line, "{\"event\":\"file\"", 15) == 0 ||
		    strncmp(line, "{\"event\":\"change\"", 17) == 0))
			continue;
		/* The run's own records are the caller's. */
		if (strncmp(line, "{\"event\":\"start\"", 16) == 0 ||
		    strncmp(line, "{\"event\":\"end\"", 14) == 0 ||
		    strncmp(line, "{\"event\":\"result\"", 17) == 0)
			continue;
		if ((s = respell(line, (size_t)len, afrom, ato, &n)) == NULL)
			continue;
		line_s = s;
		s = respell(line_s, n, m->root, to, &n);
		free(line_s);
		if (s == NULL)
			continue;
		/* Undo files were respelled after the log said what they
		 * held. */
		for (i = 0; i + 1 < m->nhashes; i += 2) {
			char *p;

			if (m->hashes[i] == NULL || m->hashes[i + 1] == NULL)
				continue;
			while ((p = memmem(s, n, m->hashes[i], 64)) != NULL)
				memcpy(p, m->hashes[i + 1], 64);
		}
		audit_append(au, s, n);
		free(s);
	}
	free(line);
	fclose(f);
	free(to);
	free(abs);
	free(afrom);
	free(ato);
	m->audit_shown = 1;
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
	size_t i, k;

	for (i = 0; dr->m != NULL && i < dr->nm; i++) {
		struct machine *m = &dr->m[i];

		free(m->device);
		free(m->name);
		free(m->shown);
		free(m->abs_shown);
		free(m->root);
		free(m->text);
		diag_free(&m->d);
		free(m->audit);
		for (k = 0; k < m->nhashes; k++)
			free(m->hashes[k]);
		free(m->hashes);
	}
	free(dr->m);
}

int
cmd_disk_run(const struct cmd_run *r, const struct cmd_target *t,
    cmd_target_fn fn, FILE *out, struct cmd_outcome *o, struct diag *d)
{
	const struct cmd_args *a = r->a;
	int write = r->mode == CMD_APPLY && a->output == NULL;
	int text = a->format == RENDER_DIFF || r->mode == CMD_APPLY;
	struct disk_run dr;
	char *why = NULL, doing[80];
	size_t i, changed = 0, late = 0;
	int used, closed = 0, guard = -1;
	pid_t guard_pid = 0;

	memset(&dr, 0, sizeof dr);
	dr.r = r;
	dr.t = t;
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
	if ((used = place_disk_in_use(dr.abs, t->disk_format, &why, d)) < 0)
		goto out;
	if (used && write) {
		diag_error(d, NULL, 0, "'%s' is open for writing in another "
		    "process (%s): kbfix does not write to it; stop that "
		    "process (a running virtual machine?), or write the "
		    "changes elsewhere with --overlay NEW.qcow2 or --output "
		    "DIR", t->disk, why ? why : "locked");
		goto out;
	}
	if (used)
		diag_warning(d, NULL, 0, "'%s' is open for writing in another "
		    "process (%s): reading it as it is now", t->disk,
		    why ? why : "locked");
	if ((dr.stage = make_stage(d)) == NULL)
		goto out;
	guard = stage_guard(dr.stage, &guard_pid);
	if (r->audit != NULL && audit_sha256_file(dr.abs, dr.before) < 0)
		dr.before[0] = '\0';
	if (write) {
		if (a->overlay != NULL)
			dr.overlay = abs_new(a->overlay);
		else if (asprintf(&dr.overlay, "%s/overlay.qcow2", dr.stage) <
		    0)
			dr.overlay = NULL;
		if (dr.overlay == NULL) {
			diag_error(d, NULL, 0, "out of memory");
			goto out;
		}
		if (place_disk_overlay(dr.abs, t->disk_format, dr.overlay,
		    d) < 0) {
			free(dr.overlay);
			dr.overlay = NULL;
			goto out;
		}
		/* A signal before the end removes it. */
		lock_signals_install();
		lock_temp_add(dr.overlay);
	}
	snprintf(doing, sizeof doing, "opening '%s'", t->name);
	cmd_progress_doing(doing);
	if (place_disk_open(dr.abs, t->disk_format, write ? PLACE_OVERLAY :
	    PLACE_READ, dr.overlay, t->name, &dr.pl, d) < 0)
		goto out;
	if (find_machines(&dr, d) < 0)
		goto out;
	for (i = 0; i < dr.nm; i++)
		if (name_machine(&dr, i, d) < 0)
			goto out;
	for (i = 0; i < dr.nm; i++) {
		snprintf(doing, sizeof doing, "reading '%s'", dr.m[i].name);
		cmd_progress_doing(doing);
		run_machine(&dr, i, fn);
	}
	/* The image is written only if every machine written to its
	 * overlay was written whole. */
	for (i = 0; i < dr.nm; i++) {
		changed += dr.m[i].changed;
		late += dr.m[i].late && dr.m[i].changed;
	}
	if (changed) {
		snprintf(doing, sizeof doing, "writing '%s'", t->name);
		cmd_progress_doing(doing);
	}
	closed = 1;
	if (dr.pl->ops->close(dr.pl, d) < 0 && changed)
		late++;
	dr.pl = NULL;
	/* The records of what goes into the image are in the log, synced,
	 * before the image is written (as apply's are before its first
	 * rename): a record that cannot be written stops it. */
	if (write && changed && r->audit != NULL) {
		for (i = 0; i < dr.nm; i++) {
			if (late && dr.m[i].changed)
				dr.m[i].late = 1;
			show_audit(&dr.m[i], r->audit, d);
		}
		if (!late && audit_sync(r->audit, d) < 0)
			late++;
	}
	if (write && changed && !late && a->overlay == NULL &&
	    place_disk_commit(dr.overlay, d) < 0)
		late++;
	if (late)
		for (i = 0; i < dr.nm; i++)
			if (dr.m[i].changed)
				dr.m[i].late = 1;
	for (i = 0; i < dr.nm; i++) {
		struct machine *m = &dr.m[i];

		if (m->late) {
			m->o.rc = EXIT_TROUBLE;
			m->o.nchanges = 0;
			diag_error(&m->d, NULL, 0, "nothing was changed in "
			    "'%s'", t->disk);
		}
		show_machine(m, out, !text, text && dr.nm > 1, i == 0);
		show_messages(m, d);
		if (r->audit != NULL && !m->audit_shown)
			show_audit(m, r->audit, d);
		if (m->o.rc > o->rc || i == 0)
			o->rc = m->o.rc;
		o->nchanges += m->o.nchanges;
	}
	if (write && a->overlay != NULL && !late && text && changed)
		fprintf(out, "kbfix: '%s': changes written to the overlay '%s' "
		    "('%s' is unchanged)\n", t->name, a->overlay, t->disk);
out:
	if (!closed && dr.pl != NULL)
		dr.pl->ops->close(dr.pl, d);
	cmd_progress_doing(NULL);
	/* JSON: a line for the image that could not be looked at. */
	if (!text && dr.nm == 0) {
		struct render_info info;

		memset(&info, 0, sizeof info);
		info.command = r->mode == CMD_SCAN ? "scan" : "dry-run";
		info.target = t->name;
		render_json_failure(out, &info, d);
	}
	if (dr.overlay != NULL) {
		/* The overlay stays only when it is the user's and holds a
		 * whole run. */
		if (a->overlay == NULL || o->rc == EXIT_TROUBLE || late)
			unlink(dr.overlay);
		lock_temp_forget(dr.overlay);
	}
	if (r->audit != NULL && dr.stage != NULL) {
		if (audit_sha256_file(dr.abs, dr.after) < 0)
			dr.after[0] = '\0';
		audit_image(&dr);
	}
	free(why);
	free(dr.abs);
	stage_remove(dr.stage);
	stage_unguard(guard, guard_pid);
	machines_free(&dr);
	free(dr.overlay);
	free(dr.stage);
	fflush(out);
	return o->rc;
}

/* ---------------------------------------------------------------- undo */

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
		if ((*fmt = disk_format(a, arg)) == NULL)
			return 0;
		return (*img = strdup(arg)) == NULL ? -1 : 1;
	}
	for (c = strchr(arg, ':'); c != NULL; c = strchr(c + 1, ':')) {
		char *pre = strndup(arg, (size_t)(c - arg));
		const char *rest = c + 1, *e;

		if (pre == NULL)
			return -1;
		if ((*fmt = disk_format(a, pre)) == NULL) {
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
		else if ((r = image_place(a, *arg, &img, &fmt, &dev, &in)) <= 0 ||
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
	if (u->gtarget == NULL) {
		diag_error(d, NULL, 0, "'%s' names no file of '%s'", arg,
		    img);
		return -1;
	}
	return 0;
oom:
	diag_error(d, NULL, 0, "out of memory");
	return -1;
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

		if (!is_fs(v[i].type))
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
	char *text = slurp(local, &len), *sys;
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
			diag_error(d, NULL, 0, "out of memory");
			return -1;
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
		diag_error(d, NULL, 0, "out of memory");
	return r;
}

int
cmd_disk_undo(int argc, char **argv, int *rc)
{
	struct cmd_args a;
	struct diag d;
	struct undo_pair *pv = NULL;
	struct place *pl = NULL;
	struct stage_snap *snap = NULL;
	struct machine m;
	struct audit *au = NULL;
	char *img = NULL, *dev = NULL, *tpath = NULL, *stage = NULL;
	char *overlay = NULL, *out = NULL, *err = NULL, *audit = NULL;
	char *abs = NULL, *mimg = NULL;
	const char *fmt = NULL, *last;
	size_t np = 0, nundo, i, k;
	int any = 0, write, used, late = 0, closed = 0, worst = EXIT_NOTHING;
	int guard = -1;
	pid_t guard_pid = 0;
	char *why = NULL;

	*rc = EXIT_TROUBLE;
	diag_init(&d);
	memset(&m, 0, sizeof m);
	diag_init(&m.d);
	if (cmd_args_parse(argc, argv, &a, &d) < 0) {
		diag_free(&d);
		cmd_args_free(&a);
		return 0;	/* cmd_undo says why */
	}
	/* Is any argument in a disk image?  Or is the one argument an undo
	 * manifest of this machine (in --backup-dir) whose root is one? */
	for (i = 0; i < a.ntargets && !any; i++) {
		char *x, *y, *z;
		const char *f;
		int r = image_place(&a, a.targets[i], &x, &f, &y, &z);

		any = r != 0;
		free(x);
		free(y);
		free(z);
	}
	if (!any && a.ntargets == 1 &&
	    (any = manifest_image(&a, a.targets[0], &mimg)) < 0) {
		diag_error(&d, NULL, 0, "out of memory");
		goto out;
	}
	if (!any && a.overlay != NULL) {
		diag_error(&d, NULL, 0, "--overlay NEW.qcow2 is for an undo in "
		    "a disk image: none is given");
		goto out;
	}
	if (!any) {
		diag_free(&d);
		cmd_args_free(&a);
		return 0;
	}
	write = !a.dry_run && a.output == NULL;
	if (a.nids != 0 || a.ntargets < 1 || a.each || a.jobs != 1) {
		diag_error(&d, NULL, 0, "usage: kbfix undo [--dry-run] "
		    "[--backup-dir DIR | --no-backup] [--output DIR | "
		    "--overlay NEW.qcow2] [--audit FILE] UNDOFILE... "
		    "IMAGE[:DEVICE][:/PATH] | kbfix undo [options] "
		    "IMAGE[:DEVICE]:/MANIFEST [IMAGE[:DEVICE]]");
		goto out;
	}
	/* The image: the last argument; or, given alone, the undo file in
	 * it, or the image a manifest of this machine names. */
	last = a.ntargets > 1 ? a.targets[a.ntargets - 1] : mimg ? mimg :
	    a.targets[0];
	nundo = a.ntargets > 1 ? a.ntargets - 1 : 1;
	if (image_place(&a, last, &img, &fmt, &dev, &tpath) <= 0) {
		diag_error(&d, NULL, 0, "'%s' is not a disk image: give the "
		    "image (or the hive in it, as IMAGE:/PATH) last", last);
		goto out;
	}
	if (a.ntargets == 1 && mimg == NULL) {
		if (tpath == NULL) {
			diag_error(&d, NULL, 0, "'%s' is a disk image: give "
			    "the undo manifest apply wrote in it, as apply "
			    "named it ('%s:/WINDOWS/kbfix-STAMP-undo.reg'), or "
			    "undo files and then the image", last, img);
			goto out;
		}
		/* The one argument is the undo file. */
		free(tpath);
		tpath = NULL;
	}
	if (a.overlay != NULL && !write) {
		diag_error(&d, NULL, 0, "--overlay is for an undo that writes");
		goto out;
	}
	if ((pv = calloc(nundo, sizeof *pv)) == NULL)
		goto oom;
	/* Each undo file, and what it undoes. */
	for (i = 0; i < nundo; i++) {
		struct undo_pair *u = &pv[np++];
		char *ui = NULL, *ud = NULL, *up = NULL;
		const char *uf;
		int r = image_place(&a, a.targets[i], &ui, &uf, &ud, &up);

		if (r < 0)
			goto oom;
		/* An undo manifest: the whole of one apply, alone. */
		if (manifest_named(r > 0 && up != NULL ? up : a.targets[i])) {
			free(ui);
			free(ud);
			free(up);
			if (nundo > 1 || tpath != NULL) {
				diag_error(&d, NULL, 0, "'%s' is an undo "
				    "manifest: it puts back a whole apply; give "
				    "it alone, or with the image", a.targets[i]);
				goto out;
			}
			if (manifest_pair(&a, a.targets[i], img, &dev, u,
			    &d) < 0)
				goto out;
			continue;
		}
		if (r > 0 && (strcmp(ui, img) != 0 || up == NULL ||
		    (ud && dev && strcmp(ud, dev) != 0))) {
			diag_error(&d, NULL, 0, "'%s' is not a file of '%s'",
			    a.targets[i], a.targets[a.ntargets - 1]);
			free(ui);
			free(ud);
			free(up);
			goto out;
		}
		if (r > 0 && ud != NULL && dev == NULL)
			dev = strdup(ud);
		free(ui);
		free(ud);
		if (r > 0) {
			u->gundo = up;
			u->gtarget = undone_by(up, &u->files);
			if (tpath != NULL && a.ntargets == 2) {
				free(u->gtarget);
				u->gtarget = strdup(tpath);
				u->files = 0;
			}
		} else {
			u->undo = strdup(a.targets[i]);
			u->gtarget = tpath ? strdup(tpath) : NULL;
			u->files = strstr(a.targets[i], "-files-undo.reg") !=
			    NULL;
			if (tpath == NULL || a.ntargets != 2) {
				diag_error(&d, NULL, 0, "'%s' is not in the "
				    "image: give the hive (or Windows folder) it "
				    "undoes as IMAGE:/PATH", a.targets[i]);
				goto out;
			}
		}
		if (u->gtarget == NULL) {
			diag_error(&d, NULL, 0, "'%s': which hive it undoes is "
			    "not in its name: give it as IMAGE:/PATH",
			    a.targets[i]);
			goto out;
		}
	}
	if (a.output != NULL && np > 1) {
		diag_error(&d, NULL, 0, "--output takes one undo file at a time "
		    "from a disk image");
		goto out;
	}
	if ((abs = realpath(img, NULL)) == NULL) {
		diag_error(&d, NULL, 0, "cannot open '%s': %s", img,
		    strerror(errno));
		goto out;
	}
	if ((used = place_disk_in_use(abs, fmt, &why, &d)) < 0)
		goto out;
	if (used && write) {
		diag_error(&d, NULL, 0, "'%s' is open for writing in another "
		    "process (%s): kbfix does not write to it", img,
		    why ? why : "locked");
		goto out;
	}
	if ((stage = make_stage(&d)) == NULL)
		goto out;
	guard = stage_guard(stage, &guard_pid);
	if (write) {
		if ((overlay = a.overlay ? abs_new(a.overlay) : NULL) == NULL &&
		    asprintf(&overlay, "%s/overlay.qcow2", stage) < 0) {
			overlay = NULL;
			goto oom;
		}
		if (place_disk_overlay(abs, fmt, overlay, &d) < 0) {
			free(overlay);
			overlay = NULL;
			goto out;
		}
		lock_signals_install();
		lock_temp_add(overlay);
	}
	if (place_disk_open(abs, fmt, write ? PLACE_OVERLAY : PLACE_READ,
	    overlay, img, &pl, &d) < 0)
		goto out;
	if ((m.device = undo_device(pl, dev, pv[0].gtarget, img, &d)) ==
	    NULL)
		goto out;
	{
		struct place_volume *v = NULL;
		size_t nv = 0, nw = 0;
		const char *shown = overlay && a.overlay ? a.overlay : img;

		/* The machine's name as apply wrote it: with the device when
		 * the image holds several Windows. */
		if (pl->ops->volumes(pl, &v, &nv, &d) < 0)
			goto out;
		for (i = 0; i < nv; i++) {
			struct diag tmp;

			diag_init(&tmp);
			if (is_fs(v[i].type) && pl->ops->mount(pl, v[i].device,
			    0, &tmp) == 0 && stage_has_windows(pl, &tmp) > 0)
				nw++;
			diag_free(&tmp);
		}
		place_volumes_free(v, nv);
		if ((nw > 1 || dev != NULL ? asprintf(&m.shown, "%s:%s:", shown,
		    m.device) : asprintf(&m.shown, "%s:", shown)) < 0)
			m.shown = NULL;
		shown = overlay && a.overlay ? overlay : abs;
		if ((nw > 1 || dev != NULL ? asprintf(&m.abs_shown, "%s:%s:",
		    shown, m.device) : asprintf(&m.abs_shown, "%s:", shown)) <
		    0)
			m.abs_shown = NULL;
		if (m.shown == NULL || m.abs_shown == NULL ||
		    asprintf(&m.root, "%s/m001", stage) < 0)
			goto oom;
	}
	if (pl->ops->mount(pl, m.device, 0, &d) < 0)
		goto out;
	if (mkdir(m.root, 0700) < 0) {
		diag_error(&d, NULL, 0, "cannot make '%s': %s", m.root,
		    strerror(errno));
		goto out;
	}
	for (i = 0; i < np; i++) {
		struct undo_pair *u = &pv[i];

		if (u->manifest) {
			if (stage_manifest(pl, m.root, u, &d) < 0)
				goto out;
			continue;
		}
		if (u->gundo != NULL && stage_path(pl, m.root, u->gundo, 0,
		    &d) < 0)
			goto out;
		if (u->gundo != NULL && asprintf(&u->undo, "%s%s", m.root,
		    u->gundo) < 0)
			goto oom;
		if (u->files) {
			if (stage_moves(pl, m.root, u->gtarget, u->undo, &d) < 0)
				goto out;
		} else if (stage_path(pl, m.root, u->gtarget, 1, &d) < 0)
			goto out;
	}
	if (pl->ops->umount(pl, &d) < 0)
		goto out;
	if (write && stage_snap_take(m.root, &snap, &d) < 0)
		goto out;
	if (asprintf(&out, "%s/undo.out", stage) < 0 ||
	    asprintf(&err, "%s/undo.err", stage) < 0)
		goto oom;
	if (a.audit != NULL) {
		if (audit_open(a.audit, &au, &d) < 0)
			goto out;
		cmd_audit_start(au, &a, "undo", NULL, 0);
		if (asprintf(&audit, "%s/audit.jsonl", stage) < 0)
			goto oom;
		m.audit = audit;
		audit = NULL;
	}
	/* Each undo file through kbfix undo on the staging folder, as on
	 * files of this machine. */
	for (i = 0; i < np; i++) {
		struct undo_pair *u = &pv[i];
		/* Room for every option below, and a NULL. */
		char **av = calloc(24, sizeof *av), *t = NULL;
		int ac = 0, r;

		/* A manifest's parts are below the staging folder, as below
		 * a folder where the volume is mounted now. */
		if (av == NULL || (u->manifest ? (t = strdup(m.root)) == NULL :
		    asprintf(&t, "%s%s", m.root, u->gtarget) < 0)) {
			free(av);
			goto oom;
		}
		av[ac++] = argv[0];
		if (a.dry_run)
			av[ac++] = "--dry-run";
		if (a.force)
			av[ac++] = "--force";
		if (a.ignore_logs)
			av[ac++] = "--ignore-logs";
		if (a.no_backup)
			av[ac++] = "--no-backup";
		if (a.quiet)
			av[ac++] = "-q";
		if (a.backup_dir) {
			av[ac++] = "--backup-dir";
			av[ac++] = (char *)a.backup_dir;
		}
		if (a.output) {
			av[ac++] = "--output";
			av[ac++] = (char *)a.output;
		}
		if (m.audit) {
			av[ac++] = "--audit";
			av[ac++] = m.audit;
		}
		if (a.format != RENDER_DIFF) {
			av[ac++] = "--format";
			av[ac++] = a.format == RENDER_REG ? "reg" : "json";
		}
		av[ac++] = "--";
		av[ac++] = u->undo;
		av[ac++] = t;
		r = captured(cmd_undo, ac, av, out, err);
		free(t);
		free(av);
		if (r < 0) {
			diag_error(&d, NULL, 0, "cannot write in '%s'", stage);
			goto out;
		}
		if (r > worst)
			worst = r;
	}
	/* Into the image only when every one went through. */
	if (write && worst == EXIT_NOTHING) {
		size_t nw = 0;

		if (respell_undo_files(&m, m.root, snap, &m.d) < 0 ||
		    respell_undo_files(&m, a.backup_dir, NULL, &m.d) < 0 ||
		    pl->ops->mount(pl, m.device, 1, &m.d) < 0 ||
		    stage_commit(pl, m.root, snap, &nw, &m.d) < 0 ||
		    pl->ops->umount(pl, &m.d) < 0)
			late = 1;
		m.changed = nw > 0;
	}
	closed = 1;
	if (pl->ops->close(pl, &m.d) < 0 && m.changed)
		late = 1;
	pl = NULL;
	if (write && m.changed && !late && a.overlay == NULL &&
	    place_disk_commit(overlay, &m.d) < 0)
		late = 1;
	if (late) {
		worst = EXIT_TROUBLE;
		diag_error(&m.d, NULL, 0, "nothing was changed in '%s'", img);
	}
	m.late = late;
	/* What undo printed, in the image's names. */
	{
		size_t n = 0;
		char *s;

		m.text = slurp(out, &m.ntext);
		show_machine(&m, stdout, a.format == RENDER_JSON, 0, 1);
		s = slurp(err, &n);
		if (s != NULL) {
			char *t = respell(s, n, m.root, m.shown, &k);

			fwrite(t ? t : s, 1, t ? k : n, stderr);
			free(t);
			free(s);
		}
	}
	*rc = worst;
	goto out;
oom:
	diag_error(&d, NULL, 0, "out of memory");
out:
	if (!closed && pl != NULL)
		pl->ops->close(pl, &d);
	if (overlay != NULL) {
		if (a.overlay == NULL || *rc == EXIT_TROUBLE)
			unlink(overlay);
		lock_temp_forget(overlay);
	}
	if (au != NULL) {
		struct cmd_outcome o;

		if (m.audit != NULL) {
			m.late = late;
			show_audit(&m, au, &d);
		}
		o.rc = *rc;
		o.nchanges = 0;
		cmd_audit_result(au, a.targets[a.ntargets - 1], &o, &m.d);
		cmd_audit_end(au, *rc);
		if (audit_close(au, &d) < 0)
			*rc = EXIT_TROUBLE;
	}
	show_messages(&m, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	for (i = 0; pv != NULL && i < np; i++) {
		free(pv[i].undo);
		free(pv[i].gundo);
		free(pv[i].gtarget);
	}
	free(pv);
	stage_snap_free(snap);
	if (stage != NULL)
		stage_remove(stage);
	stage_unguard(guard, guard_pid);
	free(stage);
	free(overlay);
	free(out);
	free(err);
	free(audit);
	free(img);
	free(abs);
	free(dev);
	free(tpath);
	free(mimg);
	free(why);
	free(m.device);
	free(m.shown);
	free(m.abs_shown);
	free(m.root);
	free(m.text);
	free(m.audit);
	for (i = 0; i < m.nhashes; i++)
		free(m.hashes[i]);
	free(m.hashes);
	diag_free(&m.d);
	cmd_args_free(&a);
	return 1;
}
