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
 *
 * This file: which TARGETs are disk images, and what the run and undo
 * share (cmd-disk-int.h): the names of the staging folder respelled as
 * the image's, in output, messages, undo files and audit records.
 * cmd-disk-run.c runs scan, the dry run and apply on an image;
 * cmd-disk-undo.c runs undo in one.
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
#include "cmd-disk-int.h"
#include "json.h"
#include "place.h"
#include "regtext.h"
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
const char *
cmd_disk_format_of(const struct cmd_args *a, const char *path)
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
		if ((fmt = cmd_disk_format_of(a, arg)) == NULL)
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
			if ((fmt = cmd_disk_format_of(a, pre)) == NULL) {
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
	return diag_oom(d);
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
char *
cmd_disk_respell(const char *s, size_t len, const char *from, const char *to,
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

/* PATH, a file to be made, as an absolute path (its folder resolved). */
char *
cmd_disk_abs_new(const char *path)
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
char *
cmd_disk_stage_make(struct diag *d)
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
		diag_oom(d);
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

int
cmd_disk_is_fs(const char *type)
{
	return strcmp(type, "ntfs") == 0 || strcmp(type, "vfat") == 0 ||
	    strcmp(type, "msdos") == 0 || strcmp(type, "fat") == 0;
}

/* The whole file PATH (caller frees), or NULL. */
char *
cmd_disk_slurp(const char *path, size_t *len)
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
	out = cmd_disk_respell(step, sl, m->root, m->shown, n);
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
	    (text = cmd_disk_slurp(path, &len)) == NULL)
		return diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    strerror(errno));
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
	diag_oom(d);
out:
	free(tmp);
	free(text);
	free(out);
	return r;
}

/* The undo files the run wrote below FOLDER since BEFORE (NULL: the folder
 * did not exist), respelled. */
int
cmd_disk_respell_undo_files(struct machine *m, const char *folder,
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
			diag_oom(d);
			r = -1;
			break;
		}
		r = respell_file(m, full, d);
		free(full);
	}
	stage_snap_free(now);
	return r;
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
void
cmd_disk_show_machine(struct machine *m, FILE *out, int json, int heading,
    int first)
{
	char *to = json ? json_inner(m->shown) : strdup(m->shown);
	char *s;
	size_t n = 0;

	if (m->late)
		m->ntext = drop_report(m->text, m->ntext);
	if (heading)
		fprintf(out, "%s==> %s <==\n", first ? "" : "\n", m->name);
	if (to != NULL && m->text != NULL &&
	    (s = cmd_disk_respell(m->text, m->ntext, m->root, to,
	    &n)) != NULL) {
		fwrite(s, 1, n, out);
		free(s);
	} else if (m->text != NULL)
		fwrite(m->text, 1, m->ntext, out);
	free(to);
}

/* Move M's messages to D, respelled. */
void
cmd_disk_show_messages(struct machine *m, struct diag *d)
{
	size_t i, n;

	for (i = 0; i < m->d.n; i++) {
		struct diag_item *it = &m->d.items[i];
		char *msg = it->msg ? cmd_disk_respell(it->msg,
		    strlen(it->msg), m->root, m->shown, &n) : NULL;
		char *file = it->file ? cmd_disk_respell(it->file,
		    strlen(it->file), m->root, m->shown, &n) : NULL;

		diag_add(d, it->level, file ? file : it->file, it->line, "%s",
		    msg ? msg : it->msg ? it->msg : "");
		free(msg);
		free(file);
	}
}

/* M's audit records into the run's log, respelled; without the files and
 * changes when the image was not written after all. */
void
cmd_disk_show_audit(struct machine *m, struct audit *au, struct diag *d)
{
	char *to = json_inner(m->shown), *abs = json_inner(m->abs_shown);
	char *afrom = NULL, *ato = NULL, *line = NULL;
	size_t cap = 0, i;
	ssize_t len;
	FILE *f = NULL;

	/* "abs_path" (an input record's) is the file's in the image by the
	 * image's absolute path. */
	if (abs != NULL && (asprintf(&afrom, "\"abs_path\":\"%s",
	    m->root) < 0 || asprintf(&ato, "\"abs_path\":\"%s", abs) < 0))
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
		if ((s = cmd_disk_respell(line, (size_t)len, afrom, ato,
		    &n)) == NULL)
			continue;
		line_s = s;
		s = cmd_disk_respell(line_s, n, m->root, to, &n);
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

/* Free what M holds (not M). */
void
cmd_disk_machine_free(struct machine *m)
{
	size_t k;

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
