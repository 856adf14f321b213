/* check_place.c: unit tests of disk images without an appliance: the
 * formats told from an image's first bytes (place-guestfs.c), and the
 * staging of a volume and the writing back of apply's changes (stage.c),
 * through a place whose volume is a folder of this machine (the same
 * operations as libguestfs's, made with system calls). */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "hivekind.h"
#include "image.h"
#include "place.h"
#include "stage.h"
#include "testutil.h"

/* ------------------------------------------------------------ a folder place */

struct fplace {
	struct place p;
	char *root;		/* the volume */
	int mounted;
	size_t calls;		/* operations that write */
};

static char *
fpath(struct place *p, const char *path)
{
	return tu_path(((struct fplace *)p)->root, path[0] == '/' ? path + 1 :
	    path);
}

static int
f_volumes(struct place *p, struct place_volume **out, size_t *n,
    struct diag *d)
{
	(void)p;
	(void)d;
	*out = calloc(1, sizeof **out);
	(*out)->device = strdup("/dev/sda1");
	(*out)->type = strdup("ntfs");
	*n = 1;
	return 0;
}

static int
f_mount(struct place *p, const char *dev, int w, struct diag *d)
{
	(void)dev;
	(void)w;
	(void)d;
	((struct fplace *)p)->mounted = 1;
	return 0;
}

static int
f_umount(struct place *p, struct diag *d)
{
	(void)d;
	((struct fplace *)p)->mounted = 0;
	return 0;
}

static int
cmp_pe(const void *a, const void *b)
{
	return strcmp(((const struct place_entry *)a)->name,
	    ((const struct place_entry *)b)->name);
}

static int
f_list(struct place *p, const char *dir, struct place_entry **out, size_t *n,
    struct diag *d)
{
	char *f = fpath(p, dir);
	DIR *dp = opendir(f);
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (dp == NULL) {
		diag_error(d, NULL, 0, "cannot list '%s'", dir);
		free(f);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		struct stat st;
		char *e;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		e = tu_path(f, de->d_name);
		ck_assert_int_eq(lstat(e, &st), 0);
		free(e);
		*out = realloc(*out, (*n + 1) * sizeof **out);
		(*out)[*n].name = strdup(de->d_name);
		(*out)[*n].type = S_ISREG(st.st_mode) ? 'f' :
		    S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : '?';
		(*out)[*n].size = (uint64_t)st.st_size;
		(*out)[*n].ino = (uint64_t)st.st_ino;
		(*n)++;
	}
	closedir(dp);
	free(f);
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_pe);
	return 0;
}

static char *
f_readlink(struct place *p, const char *path, struct diag *d)
{
	char *f = fpath(p, path), buf[4096];
	ssize_t n = readlink(f, buf, sizeof buf - 1);

	free(f);
	if (n < 0) {
		diag_error(d, NULL, 0, "readlink '%s'", path);
		return NULL;
	}
	buf[n] = '\0';
	return strdup(buf);
}

static int
f_head(struct place *p, const char *path, void *buf, size_t n, size_t *got,
    struct diag *d)
{
	char *f = fpath(p, path);
	int fd = open(f, O_RDONLY);
	ssize_t r;

	free(f);
	(void)d;
	if (fd < 0)
		return -1;
	r = read(fd, buf, n);
	close(fd);
	*got = r > 0 ? (size_t)r : 0;
	return 0;
}

static int
f_get(struct place *p, const char *path, const char *local, struct diag *d)
{
	char *f = fpath(p, path);

	(void)d;
	tu_copy(f, local);
	free(f);
	return 0;
}

static int
f_put(struct place *p, const char *local, const char *path, struct diag *d)
{
	char *f = fpath(p, path);
	struct stat st;
	int r = 0;

	((struct fplace *)p)->calls++;
	if (lstat(f, &st) == 0) {
		diag_error(d, NULL, 0, "'%s' exists", path);
		r = -1;
	} else
		tu_copy(local, f);
	free(f);
	return r;
}

/* FN on the volume's paths FROM (and TO), as a write of the place. */
static int
on2(struct place *p, int (*fn)(const char *, const char *), const char *from,
    const char *to, struct diag *d)
{
	char *a = fpath(p, from), *b = fpath(p, to);
	int r = fn(a, b);

	((struct fplace *)p)->calls++;
	if (r < 0)
		diag_error(d, NULL, 0, "'%s' to '%s': %s", from, to,
		    strerror(errno));
	free(a);
	free(b);
	return r;
}

static int
f_rename(struct place *p, const char *from, const char *to, struct diag *d)
{
	return on2(p, rename, from, to, d);
}

static int
f_link(struct place *p, const char *from, const char *to, struct diag *d)
{
	return on2(p, link, from, to, d);
}

static int
rm_path(const char *a, const char *b)
{
	(void)b;
	return unlink(a);
}

static int
mk_path(const char *a, const char *b)
{
	(void)b;
	return mkdir(a, 0777);
}

static int
f_remove(struct place *p, const char *path, struct diag *d)
{
	return on2(p, rm_path, path, path, d);
}

static int
f_mkdir(struct place *p, const char *path, struct diag *d)
{
	return on2(p, mk_path, path, path, d);
}

static int
f_sha256(struct place *p, const char *path, char hex[65], struct diag *d)
{
	char *f = fpath(p, path);
	int r = audit_sha256_file(f, hex);

	if (r < 0)
		diag_error(d, NULL, 0, "sha256 '%s'", path);
	free(f);
	return r;
}

static int
f_sync(struct place *p, struct diag *d)
{
	(void)p;
	(void)d;
	return 0;
}

static int
f_close(struct place *p, struct diag *d)
{
	(void)d;
	free(((struct fplace *)p)->root);
	free(p->name);
	free(p);
	return 0;
}

static const struct place_ops folder_ops = {
	f_volumes, f_mount, f_umount, f_list, f_readlink, f_head, f_get,
	f_put, f_rename, f_link, f_remove, f_mkdir, f_sha256, f_sync, f_close,
};

static struct place *
folder_place(const char *root)
{
	struct fplace *fp = calloc(1, sizeof *fp);

	fp->p.ops = &folder_ops;
	fp->p.name = strdup("test.img");
	fp->root = strdup(root);
	return &fp->p;
}

/* ------------------------------------------------------------ helpers */

static void
put_hive(const char *dir, const char *rel, const char *fixture)
{
	char *src = tu_fixture(fixture), *p = tu_path(dir, rel);

	tu_put(dir, rel, "");
	tu_copy(src, p);
	free(src);
	free(p);
}

/* Is DIR/REL's content TEXT? */
static int
holds(const char *dir, const char *rel, const char *text)
{
	char *p = tu_path(dir, rel), *s = tu_read(p, NULL);
	int r = s != NULL && strcmp(s, text) == 0;

	free(s);
	free(p);
	return r;
}

static int
exists(const char *dir, const char *rel)
{
	char *p = tu_path(dir, rel);
	struct stat st;
	int r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static off_t
size_of(const char *dir, const char *rel)
{
	char *p = tu_path(dir, rel);
	struct stat st;

	ck_assert_msg(lstat(p, &st) == 0, "no '%s'", rel);
	free(p);
	return st.st_size;
}

/* ------------------------------------------------------------ formats */

START_TEST(test_formats)
{
	char *dir = tu_tmpdir(), *p, *cmd, *out = NULL;
	static const char *const fmts[] = { "qcow2", "vmdk", "vhdx", "vpc",
	    "vdi", "qed", "raw", NULL };
	unsigned char sector[512];
	size_t i;
	FILE *f;

	for (i = 0; fmts[i] != NULL; i++) {
		p = tu_path(dir, fmts[i]);
		ck_assert_int_ge(asprintf(&cmd, "qemu-img create -q -f %s '%s' "
		    "4M", fmts[i], p), 0);
		ck_assert_msg(tu_run(cmd, &out) == 0, "%s: %s", cmd, out);
		free(out);
		free(cmd);
		/* A raw image is known by a partition table. */
		if (strcmp(fmts[i], "raw") == 0)
			ck_assert_ptr_null(place_disk_format(p));
		else
			ck_assert_str_eq(place_disk_format(p), fmts[i]);
		free(p);
	}
	/* Raw: an MBR (or a boot sector), a GPT header. */
	p = tu_path(dir, "mbr");
	memset(sector, 0, sizeof sector);
	sector[510] = 0x55;
	sector[511] = 0xaa;
	f = fopen(p, "w");
	fwrite(sector, 1, sizeof sector, f);
	fwrite(sector, 1, sizeof sector, f);
	fclose(f);
	ck_assert_str_eq(place_disk_format(p), "raw");
	free(p);
	/* A fixed VHD: raw, then the footer. */
	p = tu_path(dir, "fixed.vhd");
	memset(sector, 0, sizeof sector);
	f = fopen(p, "w");
	fwrite(sector, 1, sizeof sector, f);
	fwrite(sector, 1, sizeof sector, f);
	memcpy(sector, "conectix", 8);
	fwrite(sector, 1, sizeof sector, f);
	fclose(f);
	ck_assert_str_eq(place_disk_format(p), "vpc");
	free(p);
	/* Not images: a hive, text, a short file, a missing one. */
	p = tu_fixture("system/SYSTEM");
	ck_assert_ptr_null(place_disk_format(p));
	free(p);
	tu_put(dir, "text", "not an image, nor long enough to be one\n");
	p = tu_path(dir, "text");
	ck_assert_ptr_null(place_disk_format(p));
	free(p);
	p = tu_path(dir, "missing");
	ck_assert_ptr_null(place_disk_format(p));
	free(p);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------ staging */

/* A volume as Windows leaves one, with what kbfix must copy and what it
 * must not. */
static char *
make_volume(void)
{
	char *v = tu_tmpdir(), *p;

	put_hive(v, "Windows/System32/config/SYSTEM", "system-alpha/SYSTEM");
	put_hive(v, "Windows/System32/config/SOFTWARE", "software/SOFTWARE");
	tu_put(v, "Windows/System32/config/SYSTEM.LOG1", "log");
	tu_put(v, "Windows/System32/config/system.log2", "log2");
	tu_put(v, "Windows/System32/config/SAM", "not wanted");
	tu_put(v, "Windows/System32/config/SYSTEM.kbfix-20250101T000000Z.bak",
	    "an old backup");
	tu_put(v, "Windows/System32/config/SYSTEM.kbfix-tmp-abcdef", "stale");
	tu_put(v, "Windows/System32/config/SYSTEM.kbfix-20250101T000000Z-undo.reg",
	    "an old undo file");
	tu_put(v, "Windows/System32/config/RegBack/SYSTEM", "not this one");
	tu_put(v, "Windows/System32/NMPERF.DLL", "counters");
	tu_put(v, "Windows/System32/drivers/etc/hosts", "not looked at");
	tu_put(v, "Windows/kbfix-20250101T000000Z-files-undo.reg", "old undo");
	put_hive(v, "Users/pat/NTUSER.DAT", "ntuser/NTUSER.DAT");
	tu_put(v, "Users/pat/ntuser.dat.LOG1", "pat's log");
	tu_put(v, "Users/pat/Documents/letter.txt", "private");
	tu_put(v, "Users/Public/desktop.ini", "x");
	/* A profile planted as a link out of the volume. */
	p = tu_path(v, "Users/evil");
	ck_assert_int_eq(symlink("/etc", p), 0);
	free(p);
	/* A backup that is the hive itself: a run killed before its
	 * rename. */
	p = tu_path(v, "Users/pat/NTUSER.DAT");
	{
		char *q = tu_path(v,
		    "Users/pat/NTUSER.DAT.kbfix-20250101T000000Z.bak");

		ck_assert_int_eq(link(p, q), 0);
		free(q);
	}
	free(p);
	return v;
}

/* A volume, its place, and its staging folder ROOT (made by
 * stage_volume with the hives of WANT). */
struct staged {
	char *v, *dir, *root;
	struct place *pl;
	struct stage_want w;
	struct diag d;
};

static void
staged_open(struct staged *f, int ntuser)
{
	memset(f, 0, sizeof *f);
	f->v = make_volume();
	f->dir = tu_tmpdir();
	f->root = tu_path(f->dir, "vol");
	f->pl = folder_place(f->v);
	diag_init(&f->d);
	f->w.hives[HIVE_SYSTEM] = 1;
	f->w.hives[HIVE_NTUSER] = ntuser;
	ck_assert_int_eq(stage_volume(f->pl, &f->w, f->root, &f->d), 0);
}

static void
staged_close(struct staged *f)
{
	stage_want_free(&f->w);
	f->pl->ops->close(f->pl, &f->d);
	diag_free(&f->d);
	tu_rmrf(f->dir);
	tu_rmrf(f->v);
	free(f->root);
	free(f->dir);
	free(f->v);
}

START_TEST(test_stage_volume)
{
	char *v = make_volume(), *dir = tu_tmpdir(), *root, *p, *q;
	struct place *pl = folder_place(v);
	struct stage_want w;
	struct image *im1 = NULL, *im2 = NULL;
	struct remedy *r = NULL;
	struct diag d;
	struct stat a, b;
	size_t i;

	memset(&w, 0, sizeof w);
	diag_init(&d);
	w.hives[HIVE_SYSTEM] = 1;
	w.hives[HIVE_NTUSER] = 1;
	p = tu_path(tu_srcdir(), "remedies/Q268499.xml");
	q = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	ck_assert_int_eq(remedy_load(p, q, &r, &d), 0);
	free(p);
	free(q);
	ck_assert_int_eq(stage_want_remedies(&r, 1, &w, &d), 0);
	ck_assert_uint_eq(w.nfiles, 2);	/* Nmperf.dll and its new name */
	ck_assert_int_eq(stage_has_windows(pl, &d), 1);
	ck_assert_int_eq(stage_hibernated(pl), 0);
	root = tu_path(dir, "vol");
	ck_assert_int_eq(stage_volume(pl, &w, root, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	/* The hives, SOFTWARE for ProfileList, the logs in any case. */
	ck_assert_int_eq(size_of(root, "Windows/System32/config/SYSTEM"),
	    size_of(v, "Windows/System32/config/SYSTEM"));
	ck_assert(exists(root, "Windows/System32/config/SOFTWARE"));
	ck_assert_int_eq(size_of(root, "Windows/System32/config/SYSTEM.LOG1"),
	    3);
	ck_assert_int_eq(size_of(root, "Windows/System32/config/system.log2"),
	    4);
	ck_assert_int_eq(size_of(root, "Users/pat/ntuser.dat.LOG1"), 9);
	ck_assert(exists(root, "Windows/System32/NMPERF.DLL"));
	/* kbfix's names, empty; the backup that is the hive, the hive. */
	ck_assert_int_eq(size_of(root,
	    "Windows/System32/config/SYSTEM.kbfix-20250101T000000Z.bak"), 0);
	ck_assert_int_eq(size_of(root,
	    "Windows/System32/config/SYSTEM.kbfix-tmp-abcdef"), 0);
	ck_assert_int_eq(size_of(root,
	    "Windows/kbfix-20250101T000000Z-files-undo.reg"), 0);
	/* A hive's undo file whole: scan reads it to say "done". */
	ck_assert(holds(root,
	    "Windows/System32/config/SYSTEM.kbfix-20250101T000000Z-undo.reg",
	    "an old undo file"));
	p = tu_path(root, "Users/pat/NTUSER.DAT");
	q = tu_path(root, "Users/pat/NTUSER.DAT.kbfix-20250101T000000Z.bak");
	ck_assert_int_eq(stat(p, &a), 0);
	ck_assert_int_eq(stat(q, &b), 0);
	ck_assert(a.st_ino == b.st_ino);
	free(p);
	free(q);
	/* The link, as a link. */
	p = tu_path(root, "Users/evil");
	ck_assert_int_eq(lstat(p, &a), 0);
	ck_assert(S_ISLNK(a.st_mode));
	free(p);
	/* Nothing else. */
	ck_assert(!exists(root, "Windows/System32/config/SAM"));
	ck_assert(!exists(root, "Windows/System32/config/RegBack"));
	ck_assert(!exists(root, "Windows/System32/drivers"));
	ck_assert(!exists(root, "Users/pat/Documents"));
	ck_assert(!exists(root, "Users/Public/desktop.ini"));
	/* image_find finds the same on both. */
	{
		int want[HIVE__COUNT] = { 0 };
		struct diag d1, d2;

		want[HIVE_SYSTEM] = want[HIVE_NTUSER] = 1;
		diag_init(&d1);
		diag_init(&d2);
		ck_assert_int_eq(image_find(v, want, &im1, &d1), 0);
		ck_assert_int_eq(image_find(root, want, &im2, &d2), 0);
		ck_assert_uint_eq(im1->nhives, im2->nhives);
		for (i = 0; i < im1->nhives; i++)
			ck_assert_str_eq(im1->rel[i], im2->rel[i]);
		ck_assert_uint_eq(d1.n, d2.n);
		diag_free(&d1);
		diag_free(&d2);
	}
	image_free(im1);
	image_free(im2);
	remedy_free(r);
	stage_want_free(&w);
	pl->ops->close(pl, &d);
	diag_free(&d);
	free(root);
	tu_rmrf(dir);
	tu_rmrf(v);
	free(dir);
	free(v);
}
END_TEST

/* What apply does to a staged folder (as apply.c does it), written back
 * to the volume. */
START_TEST(test_commit)
{
	struct staged f;
	struct stage_snap *snap = NULL;
	struct stat a, b;
	char *root, *v, *p, *q;
	size_t nw = 0;

	staged_open(&f, 1);
	root = f.root;
	v = f.v;
	ck_assert_int_eq(stage_snap_take(root, &snap, &f.d), 0);
	/* The backup, a hard link; a new hive renamed over the old; the
	 * undo file; a log moved with the backup; a stale file removed. */
	p = tu_path(root, "Windows/System32/config/SYSTEM");
	q = tu_path(root, "Windows/System32/config/SYSTEM.kbfix-S.bak");
	ck_assert_int_eq(link(p, q), 0);
	free(q);
	tu_put(root, "Windows/System32/config/SYSTEM.kbfix-tmp-new", "new hive");
	q = tu_path(root, "Windows/System32/config/SYSTEM.kbfix-tmp-new");
	ck_assert_int_eq(rename(q, p), 0);
	free(q);
	free(p);
	tu_put(root, "Windows/System32/config/SYSTEM.kbfix-S-undo.reg", "undo");
	p = tu_path(root, "Windows/System32/config/SYSTEM.LOG1");
	q = tu_path(root, "Windows/System32/config/SYSTEM.LOG1.kbfix-S");
	ck_assert_int_eq(link(p, q), 0);
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	free(q);
	p = tu_path(root, "Windows/System32/config/SYSTEM.kbfix-tmp-abcdef");
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	ck_assert_int_eq(stage_commit(f.pl, root, snap, &nw, &f.d), 0);
	ck_assert_uint_eq(f.d.nerrors, 0);
	ck_assert_uint_gt(nw, 0);
	/* The volume now. */
	ck_assert(holds(v, "Windows/System32/config/SYSTEM", "new hive"));
	ck_assert_int_eq(size_of(v, "Windows/System32/config/SYSTEM.kbfix-S.bak"),
	    size_of(root, "Windows/System32/config/SYSTEM.kbfix-S.bak"));
	ck_assert(holds(v, "Windows/System32/config/SYSTEM.kbfix-S-undo.reg",
	    "undo"));
	ck_assert(!exists(v, "Windows/System32/config/SYSTEM.LOG1"));
	ck_assert(holds(v, "Windows/System32/config/SYSTEM.LOG1.kbfix-S",
	    "log"));
	ck_assert(!exists(v, "Windows/System32/config/SYSTEM.kbfix-tmp-abcdef"));
	/* Untouched: the old backup, the other hives, no temporary file. */
	ck_assert_int_eq(size_of(v,
	    "Windows/System32/config/SYSTEM.kbfix-20250101T000000Z.bak"), 13);
	p = tu_path(v, "Users/pat/NTUSER.DAT");
	q = tu_path(v, "Users/pat/NTUSER.DAT.kbfix-20250101T000000Z.bak");
	ck_assert_int_eq(stat(p, &a), 0);
	ck_assert_int_eq(stat(q, &b), 0);
	ck_assert(a.st_ino == b.st_ino);
	free(p);
	free(q);
	{
		char *cmd, *out = NULL;

		ck_assert_int_ge(asprintf(&cmd, "find '%s' -name '*kbfix-tmp*'",
		    v), 0);
		ck_assert_int_eq(tu_run(cmd, &out), 0);
		ck_assert_str_eq(out, "");
		free(out);
		free(cmd);
	}
	/* Nothing changed since: nothing written. */
	stage_snap_free(snap);
	ck_assert_int_eq(stage_snap_take(root, &snap, &f.d), 0);
	ck_assert_int_eq(stage_commit(f.pl, root, snap, &nw, &f.d), 0);
	ck_assert_uint_eq(nw, 0);
	stage_snap_free(snap);
	staged_close(&f);
}
END_TEST

/* A write that fails leaves the rest undone and says so. */
START_TEST(test_commit_refuses)
{
	struct staged f;
	struct stage_snap *snap = NULL;
	size_t nw = 0;

	staged_open(&f, 0);
	ck_assert_int_eq(stage_snap_take(f.root, &snap, &f.d), 0);
	/* A new name that the volume already holds, unknown to the copy:
	 * never overwritten. */
	tu_put(f.root, "Windows/System32/config/SYSTEM.new", "mine");
	tu_put(f.v, "Windows/System32/config/SYSTEM.new", "theirs");
	ck_assert_int_eq(stage_commit(f.pl, f.root, snap, &nw, &f.d), -1);
	ck_assert_uint_eq(f.d.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(f.d.items[0].msg, "exists"));
	ck_assert(holds(f.v, "Windows/System32/config/SYSTEM.new", "theirs"));
	stage_snap_free(snap);
	staged_close(&f);
}
END_TEST

static Suite *
place_suite(void)
{
	Suite *s = suite_create("place");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_formats);
	tcase_add_test(tc, test_stage_volume);
	tcase_add_test(tc, test_commit);
	tcase_add_test(tc, test_commit_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(place_suite());
}
