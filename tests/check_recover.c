/* check_recover.c: the replay of a dirty hive into a private temporary
 * file (what scan, the dry run and apply plan on), the writing of a new
 * recovered hive, on a copy of the real Server 2022 Amcache.hve. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recover.h"
#include "regf.h"
#include "testutil.h"

static const char *const amcache[] = { "Amcache.hve", "Amcache.hve.LOG1",
    "Amcache.hve.LOG2", NULL };

static char *base;		/* a folder for each test ... */
static char *tmpdir;		/* ... holding its $TMPDIR, empty at first */

/* A new empty folder in BASE, outside $TMPDIR; caller frees. */
static char *
newdir(void)
{
	char *p = tu_path(base, "d-XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(p));
	return p;
}

/* Files in DIR, "." and ".." left out. */
static int
nfiles(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

/* A new folder holding a copy of the Amcache case; caller frees. */
static char *
unpack(void)
{
	char *dir = newdir();
	const char *const *n;

	for (n = amcache; *n != NULL; n++) {
		char *src = NULL, *dst = tu_path(dir, *n);

		ck_assert_int_ge(asprintf(&src, "%s/hives-real/"
		    "server2022-amcache-dirty/%s.xz", tu_shared(), *n), 0);
		tu_unxz(src, dst);
		free(src);
		free(dst);
	}
	return dir;
}

static void
setup(void)
{
	base = tu_tmpdir();
	tmpdir = tu_path(base, "t");
	ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
	ck_assert_int_eq(setenv("TMPDIR", tmpdir, 1), 0);
}

static void
teardown(void)
{
	unsetenv("TMPDIR");
	tu_rmrf(base);
	free(tmpdir);
	free(base);
}

START_TEST(test_temp_dirty)
{
	char *dir = unpack(), *hive = tu_path(dir, "Amcache.hve");
	char *ref = tu_path(dir, "ref"), *prefix = NULL;
	struct recovery r;
	struct regf_header h;
	struct stat sb;
	struct diag d;

	tu_copy(hive, ref);
	diag_init(&d);
	ck_assert_int_eq(recover_temp(hive, &r, &d), 1);
	ck_assert_uint_eq(d.n, 0);
	/* In $TMPDIR, private, named after the hive. */
	ck_assert_ptr_nonnull(r.path);
	ck_assert_int_ge(asprintf(&prefix, "%s/kbfix-Amcache.hve-", tmpdir),
	    0);
	ck_assert_int_eq(strncmp(r.path, prefix, strlen(prefix)), 0);
	ck_assert_int_eq(stat(r.path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(nfiles(tmpdir), 1);
	ck_assert_int_eq(regf_header_read(r.path, &h, &d), 0);
	ck_assert_uint_eq(h.seq1, 9);
	ck_assert_uint_eq(h.seq2, 9);
	ck_assert_int_eq(r.st.dirty, 1);
	ck_assert_int_eq(r.st.pending, 1);
	ck_assert_uint_eq(r.st.seq_after, 9);
	ck_assert_uint_eq(recover_next_seq(&r.st), 10);
	/* The evidence: read only, nothing new beside it. */
	ck_assert(tu_same_file(hive, ref));
	ck_assert_int_eq(nfiles(dir), 4);
	recover_free(&r);
	ck_assert_int_eq(nfiles(tmpdir), 0);
	ck_assert_ptr_null(r.path);
	recover_free(&r);	/* twice is harmless */
	diag_free(&d);
	free(prefix);
	free(ref);
	free(hive);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* A clean hive needs nothing: no file anywhere. */
START_TEST(test_temp_clean)
{
	char *dir = unpack(), *hive = tu_path(dir, "Amcache.hve");
	char *out = tu_path(dir, "clean"), *p, *q;
	unsigned char *img;
	size_t len;
	struct recovery r;
	struct txlog_state st;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(recover_image(hive, 0, &img, &len, &st, &d), 0);
	ck_assert_int_eq(recover_write(out, img, len, hive, &d), 0);
	free(img);
	txlog_state_free(&st);
	/* The recovered hive with the old logs beside it: they are stale. */
	p = tu_path(dir, "clean.LOG1");
	q = tu_path(dir, "Amcache.hve.LOG1");
	ck_assert_int_eq(rename(q, p), 0);
	free(p);
	free(q);
	ck_assert_int_eq(recover_temp(out, &r, &d), 0);
	ck_assert_ptr_null(r.path);
	ck_assert_int_eq(r.st.dirty, 0);
	ck_assert_uint_eq(r.st.nfiles, 1);
	ck_assert_int_eq(r.st.files[0].stale, 1);
	ck_assert_int_eq(nfiles(tmpdir), 0);
	ck_assert_uint_eq(d.n, 0);
	recover_free(&r);
	diag_free(&d);
	free(out);
	free(hive);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(test_hive_open)
{
	char *dir = unpack(), *hive = tu_path(dir, "Amcache.hve");
	struct recovery r;
	struct hive *hv;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(recover_hive_open(hive, 0, 0, &r, &hv, &d), 0);
	ck_assert_ptr_nonnull(r.path);
	/* The user's name, the replayed content. */
	ck_assert_str_eq(hv->path, hive);
	ck_assert_uint_eq(hv->hdr.seq1, 9);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_int_eq(d.items[0].level, DIAG_NOTE);
	ck_assert_ptr_nonnull(strstr(d.items[0].msg, "is dirty: replayed 5 "
	    "entries (28 pages) from 'Amcache.hve.LOG1' and 2 entries (11 "
	    "pages) from 'Amcache.hve.LOG2', sequence numbers 4/3 -> 9/9; "
	    "planning on the recovered hive"));
	hive_close(hv);
	recover_free(&r);
	ck_assert_int_eq(nfiles(tmpdir), 0);
	diag_free(&d);

	/* --ignore-logs: the stale file, a warning, no temporary file. */
	diag_init(&d);
	ck_assert_int_eq(recover_hive_open(hive, 1, 0, &r, &hv, &d), 0);
	ck_assert_ptr_null(r.path);
	ck_assert_uint_eq(hv->hdr.seq1, 4);
	ck_assert_uint_eq(d.nwarnings, 1);
	ck_assert_int_eq(nfiles(tmpdir), 0);
	hive_close(hv);
	recover_free(&r);
	diag_free(&d);
	free(hive);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(test_write)
{
	char *dir = newdir(), *out = tu_path(dir, "OUT");
	char *junk = tu_path(dir, "junk"), *back;
	static const unsigned char img[] = "not a hive";
	struct diag d;
	struct stat sb;
	size_t len;
	mode_t old = umask(027);

	diag_init(&d);
	ck_assert_int_eq(recover_write(out, img, sizeof img, NULL, &d), 0);
	ck_assert_int_eq(stat(out, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0640);
	back = tu_read(out, &len);
	ck_assert_uint_eq(len, sizeof img);
	ck_assert_int_eq(memcmp(back, img, len), 0);
	free(back);
	/* Never over an existing file. */
	ck_assert_int_eq(recover_write(out, (const unsigned char *)"x", 1,
	    NULL, &d), -1);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(d.items[0].msg, "exists: not replaced"));
	back = tu_read(out, &len);
	ck_assert_uint_eq(len, sizeof img);
	free(back);
	/* Checked as a hive: refused, nothing left. */
	ck_assert_int_eq(recover_write(junk, img, sizeof img, "HIVE", &d), -1);
	ck_assert_uint_eq(d.nerrors, 2);
	ck_assert_ptr_nonnull(strstr(d.items[1].msg, "the hive replayed from "
	    "'HIVE' and its logs does not hold together"));
	ck_assert_int_eq(nfiles(dir), 1);
	umask(old);
	diag_free(&d);
	free(junk);
	free(out);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* Damage before the end: refused for planning, kept by RECOVER_SALVAGE. */
START_TEST(test_damaged)
{
	char *dir = unpack(), *hive = tu_path(dir, "Amcache.hve");
	char *log = tu_path(dir, "Amcache.hve.LOG2");
	unsigned char *img = NULL;
	size_t len;
	struct recovery r;
	struct txlog_state st;
	struct diag d;

	/* Cut LOG2 inside its second entry, entry 9. */
	ck_assert_int_eq(truncate(log, 0xa000 + 0x100), 0);
	diag_init(&d);
	ck_assert_int_eq(recover_temp(hive, &r, &d), -1);
	ck_assert_ptr_null(r.path);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(d.items[0].msg, "Amcache.hve.LOG2' is "
	    "damaged: entry 9 at offset 0xa000: truncated"));
	ck_assert_int_eq(nfiles(tmpdir), 0);
	diag_free(&d);

	diag_init(&d);
	ck_assert_int_eq(recover_image(hive, RECOVER_SALVAGE, &img, &len,
	    &st, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_uint_eq(d.nwarnings, 1);
	ck_assert_uint_eq(st.seq_after, 8);
	ck_assert_ptr_eq(recover_damaged(&st), &st.files[1]);
	free(img);
	txlog_state_free(&st);
	diag_free(&d);
	free(log);
	free(hive);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

static Suite *
recover_suite(void)
{
	Suite *s = suite_create("recover");
	TCase *tc = tcase_create("amcache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_temp_dirty);
	tcase_add_test(tc, test_temp_clean);
	tcase_add_test(tc, test_hive_open);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_damaged);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tu_need_shared();
	return tu_run_suite(recover_suite());
}
