/* check_txlog.c: transaction log replay, checked on real dirty hives
 * (counts by reglookup, an independent parser), on logs damaged on
 * purpose, and on an old-format (DIRT) log built here from the spec. */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "regf.h"
#include "testutil.h"
#include "txlog.h"

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
set32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static char *fmtstr(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *
fmtstr(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(rc, 0);
	return s;
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "cannot create '%s'", path);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Decompress hives-real/CASE/ *.xz into DIR. */
static void
unpack(const char *dir, const char *kase, const char *const *names)
{
	for (; *names != NULL; names++) {
		char *src = NULL, *dst = tu_path(dir, *names);

		ck_assert_int_ge(asprintf(&src, "%s/hives-real/%s/%s.xz",
		    tu_shared(), kase, *names), 0);
		tu_unxz(src, dst);
		free(src);
		free(dst);
	}
}

/* reglookup -i prints a "PATH,TYPE,VALUE,MTIME" header, then one line per
 * key (type KEY) or value (any other type); commas inside names are
 * escaped (%2C), so the second field is the type. */
static void
count(const char *hive, long *keys, long *vals)
{
	char *cmd = NULL, *out = NULL, *line, *save = NULL;
	int first = 1;

	ck_assert_int_ge(asprintf(&cmd, "reglookup -i '%s' 2>/dev/null",
	    hive), 0);
	ck_assert_int_eq(tu_run(cmd, &out), 0);
	*keys = *vals = 0;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *c = strchr(line, ',');

		if (first) {
			ck_assert_str_eq(line, "PATH,TYPE,VALUE,MTIME");
			first = 0;
			continue;
		}
		ck_assert_msg(c != NULL, "odd line '%s'", line);
		if (strncmp(c + 1, "KEY,", 4) == 0)
			(*keys)++;
		else
			(*vals)++;
	}
	free(out);
	free(cmd);
}

/* Run CMD (freed here); its exit status. */
static int
run_ok(char *cmd)
{
	int rc = tu_run(cmd, NULL);

	free(cmd);
	return rc;
}

/* Check the recovered image: equal sequence numbers SEQ, hive bins size
 * matching its length, right checksum. */
static void
check_image(const unsigned char *img, size_t len, uint32_t seq)
{
	ck_assert_uint_ge(len, 4096);
	ck_assert_int_eq(memcmp(img, "regf", 4), 0);
	ck_assert_uint_eq(get32(img + 4), seq);
	ck_assert_uint_eq(get32(img + 8), seq);
	ck_assert_uint_eq(get32(img + 28), 0);
	ck_assert_uint_eq(get32(img + 40), len - 4096);
	ck_assert_uint_eq(get32(img + 508), regf_checksum(img));
}

static const struct txlog_file *
file_named(const struct txlog_state *st, const char *suffix)
{
	size_t i, n = strlen(suffix);

	for (i = 0; i < st->nfiles; i++) {
		size_t l = strlen(st->files[i].path);

		if (l >= n && strcmp(st->files[i].path + l - n, suffix) == 0)
			return &st->files[i];
	}
	ck_abort_msg("no log ending in '%s'", suffix);
	return NULL;
}

static void
check_file(const struct txlog_file *f, uint32_t first, uint32_t last,
    size_t applied, int stale)
{
	ck_assert_int_eq(f->format, 6);
	ck_assert_uint_eq(f->first_seq, first);
	ck_assert_uint_eq(f->last_seq, last);
	ck_assert_uint_eq(f->entries_applied, applied);
	ck_assert_int_eq(f->stale, stale);
}

/* Recover HIVE into OUT; check the image, the counts, that the witnesses
 * open it, and that a second recovery (same logs beside it, now stale;
 * then no logs) changes nothing. */
static void
recover_and_check(const char *dir, const char *hive, const char *log1,
    const char *log2, struct txlog_state *st, uint32_t seq, long keys,
    long vals)
{
	struct diag d;
	unsigned char *img = NULL, *img2 = NULL;
	size_t len = 0, len2 = 0;
	char *path = tu_path(dir, hive), *dir2 = tu_tmpdir(), *out, *p;
	struct txlog_state st2;
	long k, v;

	diag_init(&d);
	ck_assert_int_eq(txlog_recover(path, &img, &len, st, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_uint_eq(d.nwarnings, 0);
	ck_assert_int_eq(st->pending, 1);
	ck_assert_uint_eq(st->seq_after, seq);
	check_image(img, len, seq);
	ck_assert_uint_eq(st->bins_after, len - 4096);

	/* The recovered hive, alone then with the old logs beside it. */
	out = tu_path(dir2, hive);
	write_file(out, img, len);
	count(out, &k, &v);
	ck_assert_int_eq(k, keys);
	ck_assert_int_eq(v, vals);
	ck_assert_int_eq(run_ok(fmtstr("hivexregedit --export '%s' '\\' "
	    ">/dev/null 2>&1", out)), 0);
	ck_assert_int_eq(run_ok(fmtstr("regfinfo '%s' >/dev/null 2>&1",
	    out)), 0);
	ck_assert_int_eq(txlog_recover(out, &img2, &len2, &st2, &d), 0);
	ck_assert_int_eq(st2.pending, 0);
	ck_assert_uint_eq(st2.nfiles, 0);
	ck_assert(len2 == len && memcmp(img, img2, len) == 0);
	free(img2);
	txlog_state_free(&st2);
	p = tu_path(dir, log1);
	free(out);
	out = tu_path(dir2, log1);
	tu_copy(p, out);
	free(p);
	free(out);
	p = tu_path(dir, log2);
	out = tu_path(dir2, log2);
	tu_copy(p, out);
	free(p);
	free(out);
	out = tu_path(dir2, hive);
	ck_assert_int_eq(txlog_inspect(out, &st2, &d), 0);
	ck_assert_int_eq(st2.pending, 0);
	ck_assert_uint_eq(st2.nfiles, 2);
	ck_assert_int_eq(st2.files[0].stale, 1);
	ck_assert_int_eq(st2.files[1].stale, 1);
	txlog_state_free(&st2);
	ck_assert_int_eq(txlog_recover(out, &img2, &len2, &st2, &d), 0);
	ck_assert_int_eq(st2.pending, 0);
	ck_assert(len2 == len && memcmp(img, img2, len) == 0);
	ck_assert_uint_eq(d.nerrors + d.nwarnings, 0);
	txlog_state_free(&st2);

	free(img2);
	free(img);
	free(out);
	free(path);
	tu_rmrf(dir2);
	free(dir2);
	diag_free(&d);
}

START_TEST(test_system)
{
	static const char *const names[] = { "SYSTEM", "SYSTEM.LOG1",
	    "SYSTEM.LOG2", NULL };
	char *dir = tu_tmpdir(), *p = tu_path(dir, "SYSTEM");
	struct txlog_state st;
	long k, v;

	unpack(dir, "win10-1709-system-dirty", names);
	count(p, &k, &v);
	ck_assert_int_eq(k, 33123);
	ck_assert_int_eq(v, 74957);
	recover_and_check(dir, "SYSTEM", "SYSTEM.LOG1", "SYSTEM.LOG2", &st,
	    2130, 35595, 78901);
	ck_assert_uint_eq(st.seq_before, 1622);
	ck_assert_uint_eq(st.seq_before2, 1621);
	check_file(file_named(&st, ".LOG1"), 2107, 2110, 4, 0);
	check_file(file_named(&st, ".LOG2"), 2111, 2130, 20, 0);
	txlog_state_free(&st);
	free(p);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(test_ntuser)
{
	static const char *const names[] = { "NTUSER.DAT", "NTUSER.DAT.LOG1",
	    "NTUSER.DAT.LOG2", NULL };
	char *dir = tu_tmpdir(), *p = tu_path(dir, "NTUSER.DAT");
	struct txlog_state st;
	long k, v;

	unpack(dir, "win10-ntuser-dirty", names);
	count(p, &k, &v);
	ck_assert_int_eq(k, 2590);
	ck_assert_int_eq(v, 4119);
	recover_and_check(dir, "NTUSER.DAT", "NTUSER.DAT.LOG1",
	    "NTUSER.DAT.LOG2", &st, 588, 3105, 4695);
	check_file(file_named(&st, ".LOG1"), 566, 588, 23, 0);
	/* The stale entry 562 is older than the hive: not applied. */
	check_file(file_named(&st, ".LOG2"), 562, 562, 0, 1);
	txlog_state_free(&st);
	free(p);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

static const char *const amcache[] = { "Amcache.hve", "Amcache.hve.LOG1",
    "Amcache.hve.LOG2", NULL };

START_TEST(test_amcache)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "Amcache.hve");
	struct txlog_state st;
	struct diag d;
	long k, v;

	unpack(dir, "server2022-amcache-dirty", amcache);
	count(p, &k, &v);
	ck_assert_int_eq(k, 264);
	ck_assert_int_eq(v, 6556);
	diag_init(&d);
	ck_assert_int_eq(txlog_inspect(p, &st, &d), 0);
	ck_assert_int_eq(st.pending, 1);
	ck_assert_uint_eq(st.seq_after, 9);
	txlog_state_free(&st);
	diag_free(&d);
	recover_and_check(dir, "Amcache.hve", "Amcache.hve.LOG1",
	    "Amcache.hve.LOG2", &st, 9, 270, 6658);
	check_file(file_named(&st, ".LOG1"), 3, 7, 5, 0);
	check_file(file_named(&st, ".LOG2"), 8, 9, 2, 0);
	ck_assert_ptr_null(file_named(&st, ".LOG1")->stopped);
	txlog_state_free(&st);
	free(p);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* Logs in another letter case are found too. */
START_TEST(test_letter_case)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "Amcache.hve");
	char *a, *b;
	struct txlog_state st;
	struct diag d;

	unpack(dir, "server2022-amcache-dirty", amcache);
	a = tu_path(dir, "Amcache.hve.LOG1");
	b = tu_path(dir, "amcache.HVE.log1");
	ck_assert_int_eq(rename(a, b), 0);
	free(a);
	free(b);
	diag_init(&d);
	ck_assert_int_eq(txlog_inspect(p, &st, &d), 0);
	ck_assert_uint_eq(st.nfiles, 2);
	check_file(file_named(&st, "amcache.HVE.log1"), 3, 7, 5, 0);
	ck_assert_uint_eq(st.seq_after, 9);
	txlog_state_free(&st);
	diag_free(&d);
	free(p);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* Offset of the K-th HvLE entry of a log (walking the size fields). */
static size_t
entry_at(const unsigned char *log, size_t len, int k)
{
	size_t off = 512;

	for (; k > 0; k--) {
		ck_assert_uint_le(off + 8, len);
		ck_assert_int_eq(memcmp(log + off, "HvLE", 4), 0);
		off += get32(log + off + 4);
	}
	ck_assert_int_eq(memcmp(log + off, "HvLE", 4), 0);
	return off;
}

static uint32_t trunc_size;	/* size of the entry cut by TRUNCATE */

enum damage { TRUNCATE, FLIP_PAGE, BAD_SIGNATURE, BAD_BASE };

/* Damage entry K (0-based) of the amcache log WHICH, replay, and return
 * the state; *IMGLEN gets the recovered size, -1 on refusal. */
static int
damaged(const char *which, int k, enum damage how, struct txlog_state *st,
    struct diag *d, size_t *at)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "Amcache.hve"), *lp;
	unsigned char *log, *img = NULL;
	size_t len, off, ilen;
	int rc;

	unpack(dir, "server2022-amcache-dirty", amcache);
	lp = tu_path(dir, which);
	log = (unsigned char *)tu_read(lp, &len);
	ck_assert_ptr_nonnull(log);
	off = entry_at(log, len, k);
	*at = off;
	switch (how) {
	case TRUNCATE:
		/* In the middle of the entry's page data. */
		trunc_size = get32(log + off + 4);
		len = off + trunc_size / 2;
		break;
	case FLIP_PAGE:
		/* A byte of the entry's first page data. */
		log[off + 40 + 8 * get32(log + off + 20) + 100] ^= 0x20;
		break;
	case BAD_SIGNATURE:
		log[off + 3] = 'X';
		break;
	case BAD_BASE:
		log[1] = 'X';
		break;
	}
	write_file(lp, log, len);
	rc = txlog_recover(p, &img, &ilen, st, d);
	if (rc == 0)
		check_image(img, ilen, st->seq_after);
	free(img);
	free(log);
	free(lp);
	free(p);
	tu_rmrf(dir);
	free(dir);
	return rc;
}

/* WANT is freed here. */
static void
check_stopped(const struct txlog_file *f, char *want)
{
	ck_assert_ptr_nonnull(f->stopped);
	ck_assert_str_eq(f->stopped, want);
	free(want);
}

START_TEST(test_truncated)
{
	struct txlog_state st;
	struct diag d;
	size_t at;

	diag_init(&d);
	/* LOG1 cut inside entry 5: 3 and 4 replayed, LOG2 (8..) cannot
	 * follow. */
	ck_assert_int_eq(damaged("Amcache.hve.LOG1", 2, TRUNCATE, &st, &d,
	    &at), 0);
	ck_assert_uint_eq(st.seq_after, 4);
	ck_assert_uint_eq(file_named(&st, ".LOG1")->entries_applied, 2);
	ck_assert_uint_eq(file_named(&st, ".LOG1")->last_seq, 4);
	check_stopped(file_named(&st, ".LOG1"),
	    fmtstr("entry 5 at offset 0x%zx: truncated (0x%x bytes, the "
	    "file ends 0x%x bytes after it)", at, trunc_size,
	    trunc_size / 2));
	ck_assert_uint_eq(file_named(&st, ".LOG2")->entries_applied, 0);
	ck_assert_ptr_nonnull(file_named(&st, ".LOG2")->stopped);
	txlog_state_free(&st);
	diag_free(&d);
}
END_TEST

START_TEST(test_bad_hash)
{
	struct txlog_state st;
	struct diag d;
	size_t at;

	diag_init(&d);
	ck_assert_int_eq(damaged("Amcache.hve.LOG1", 1, FLIP_PAGE, &st, &d,
	    &at), 0);
	ck_assert_uint_eq(st.seq_after, 3);
	ck_assert_uint_eq(file_named(&st, ".LOG1")->entries_applied, 1);
	check_stopped(file_named(&st, ".LOG1"),
	    fmtstr("entry 4 at offset 0x%zx: bad hash", at));
	ck_assert_uint_eq(file_named(&st, ".LOG2")->entries_applied, 0);
	txlog_state_free(&st);

	/* Damage in LOG2: all of LOG1 and nothing of LOG2. */
	ck_assert_int_eq(damaged("Amcache.hve.LOG2", 1, FLIP_PAGE, &st, &d,
	    &at), 0);
	ck_assert_uint_eq(st.seq_after, 8);
	ck_assert_uint_eq(file_named(&st, ".LOG1")->entries_applied, 5);
	ck_assert_uint_eq(file_named(&st, ".LOG2")->entries_applied, 1);
	check_stopped(file_named(&st, ".LOG2"),
	    fmtstr("entry 9 at offset 0x%zx: bad hash", at));
	txlog_state_free(&st);
	ck_assert_uint_eq(d.nerrors + d.nwarnings, 0);
	diag_free(&d);
}
END_TEST

START_TEST(test_bad_signature)
{
	struct txlog_state st;
	struct diag d;
	size_t at;

	diag_init(&d);
	/* The first entry of LOG1 unreadable: LOG2 must not be applied over
	 * the hole (entries 3..7 are unknown). */
	ck_assert_int_eq(damaged("Amcache.hve.LOG1", 0, BAD_SIGNATURE, &st,
	    &d, &at), 0);
	ck_assert_int_eq(st.pending, 0);
	ck_assert_uint_eq(st.seq_after, 4);
	check_stopped(file_named(&st, ".LOG1"),
	    fmtstr("entry at offset 0x%zx: no 'HvLE' signature", at));
	check_stopped(file_named(&st, ".LOG2"),
	    fmtstr("entry 8 at offset 0x%x: sequence gap (expected 3)", 0x200));
	ck_assert_uint_eq(d.nwarnings, 1);
	txlog_state_free(&st);
	diag_free(&d);

	/* A log whose base block is unreadable: refused. */
	diag_init(&d);
	ck_assert_int_eq(damaged("Amcache.hve.LOG2", 0, BAD_BASE, &st, &d,
	    &at), -1);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(d.items[0].msg,
	    "Amcache.hve.LOG2': no 'regf' signature: cannot tell whether it "
	    "holds changes newer than the hive"));
	ck_assert_uint_eq(st.nfiles, 0);
	diag_free(&d);
}
END_TEST

/* Random byte changes in the log headers and entry headers: never a
 * crash (run under --enable-sanitizers too), always a valid image or a
 * refusal. */
START_TEST(test_hostile)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "Amcache.hve"), *lp;
	unsigned char *orig, *log;
	size_t len, i;
	unsigned seed = 12345;

	unpack(dir, "server2022-amcache-dirty", amcache);
	lp = tu_path(dir, "Amcache.hve.LOG1");
	orig = (unsigned char *)tu_read(lp, &len);
	ck_assert_ptr_nonnull(orig);
	log = malloc(len);
	for (i = 0; i < 60; i++) {
		struct txlog_state st;
		struct diag d;
		unsigned char *img = NULL;
		size_t ilen, pos;
		int j;

		memcpy(log, orig, len);
		for (j = 0; j < 4; j++) {
			seed = seed * 1103515245 + 12345;
			/* Base block or the first entries' headers. */
			pos = (seed >> 8) % 2 ? (seed >> 9) % 512 :
			    512 + (seed >> 9) % 96;
			log[pos] = seed >> 20;
		}
		write_file(lp, log, i % 7 == 0 ? len / 3 : len);
		diag_init(&d);
		if (txlog_recover(p, &img, &ilen, &st, &d) == 0) {
			check_image(img, ilen, st.seq_after);
			ck_assert_uint_le(ilen, 4096 + 0x80000000ul);
			txlog_state_free(&st);
		} else
			ck_assert_uint_ge(d.nerrors, 1);
		free(img);
		diag_free(&d);
	}
	free(log);
	free(orig);
	free(lp);
	free(p);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* Old format: no real sample exists, so build one from the spec ("Old
 * format": base block sector with file type 1, "DIRT" + one bit per
 * 512-byte page of the hive bins at offset 512, then the dirty pages from
 * the next sector boundary, in bit order) and check that the replay gives
 * the changed hive byte for byte, grown by one 4096-byte block. */
START_TEST(test_old_format)
{
	static const char *const names[] = { "NTUSER.DAT", NULL };
	char *dir = tu_tmpdir(), *src = tu_path(dir, "NTUSER.DAT");
	char *sub = NULL, *hive, *logp;
	unsigned char *t, *prim, *log, *img = NULL;
	size_t tlen, plen, loglen, ilen, vlen, pages, k, blk;
	uint32_t bins, seq;
	/* 4096-byte blocks of the hive bins written only to the log. */
	size_t dirty[3] = { 1, 3, 0 };
	struct txlog_state st;
	struct diag d;

	unpack(dir, "xp-sp3", names);
	t = (unsigned char *)tu_read(src, &tlen);
	ck_assert_ptr_nonnull(t);
	bins = get32(t + 40);
	ck_assert_uint_ge(tlen, 4096 + bins);
	tlen = 4096 + bins;
	seq = get32(t + 4) + 1;
	dirty[2] = bins / 4096 - 1;	/* the last block: the hive grew */
	/* T, the hive Windows had in memory: a few bytes changed in the
	 * dirty blocks, sequence numbers one above. */
	for (k = 0; k < 3; k++)
		t[4096 + dirty[k] * 4096 + 600] ^= 0x5A;
	set32(t + 4, seq);
	set32(t + 8, seq);
	set32(t + 508, regf_checksum(t));

	/* The primary on disk: the write stopped after the base block's
	 * first sequence number, dirty blocks hold older bytes, the last
	 * block not written at all. */
	plen = tlen - 4096;
	prim = malloc(plen);
	memcpy(prim, t, plen);
	for (k = 0; k < 2; k++)
		memset(prim + 4096 + dirty[k] * 4096, 0xA5, 4096);
	set32(prim + 8, seq - 1);
	set32(prim + 40, bins - 4096);
	set32(prim + 508, regf_checksum(prim));

	vlen = bins / 4096;
	pages = 3 * 8;
	loglen = (512 + 4 + vlen + 511) / 512 * 512 + pages * 512;
	log = calloc(1, loglen);
	memcpy(log, t, 512);
	set32(log + 28, 1);
	set32(log + 508, regf_checksum(log));
	memcpy(log + 512, "DIRT", 4);
	for (k = 0; k < 3; k++)
		log[516 + dirty[k]] = 0xFF;	/* 8 pages = one block */
	/* Pages in bit order: blocks 1, 3, last. */
	for (k = 0, blk = 0; blk < bins / 4096; blk++) {
		if (log[516 + blk] == 0)
			continue;
		memcpy(log + (512 + 4 + vlen + 511) / 512 * 512 + k * 4096,
		    t + 4096 + blk * 4096, 4096);
		k++;
	}
	ck_assert_uint_eq(k, 3);

	ck_assert_int_ge(asprintf(&sub, "%s/old", dir), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	hive = tu_path(sub, "ntuser.dat");
	logp = tu_path(sub, "ntuser.dat.LOG");
	write_file(hive, prim, plen);
	write_file(logp, log, loglen);
	diag_init(&d);
	ck_assert_int_eq(txlog_recover(hive, &img, &ilen, &st, &d), 0);
	ck_assert_uint_eq(d.nerrors + d.nwarnings, 0);
	ck_assert_int_eq(st.pending, 1);
	ck_assert_uint_eq(st.nfiles, 1);
	ck_assert_int_eq(st.files[0].format, 1);
	ck_assert_uint_eq(st.files[0].pages_applied, pages);
	ck_assert_uint_eq(st.seq_after, seq);
	ck_assert_uint_eq(ilen, tlen);
	ck_assert_msg(memcmp(img, t, tlen) == 0, "not the changed hive");
	free(img);
	txlog_state_free(&st);

	/* The same log, older than the hive: stale, nothing applied. */
	set32(log + 12, get32(log + 12) - 1);
	set32(log + 508, regf_checksum(log));
	write_file(logp, log, loglen);
	ck_assert_int_eq(txlog_inspect(hive, &st, &d), 0);
	ck_assert_int_eq(st.pending, 0);
	ck_assert_int_eq(st.files[0].stale, 1);
	txlog_state_free(&st);

	diag_free(&d);
	free(log);
	free(prim);
	free(t);
	free(hive);
	free(logp);
	free(sub);
	free(src);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

static Suite *
txlog_suite(void)
{
	Suite *s = suite_create("txlog");
	TCase *tc = tcase_create("real");
	TCase *td = tcase_create("damaged");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_system);
	tcase_add_test(tc, test_ntuser);
	tcase_add_test(tc, test_amcache);
	tcase_add_test(tc, test_letter_case);
	tcase_add_test(tc, test_old_format);
	suite_add_tcase(s, tc);
	tcase_set_timeout(td, 300);
	tcase_add_test(td, test_truncated);
	tcase_add_test(td, test_bad_hash);
	tcase_add_test(td, test_bad_signature);
	tcase_add_test(td, test_hostile);
	suite_add_tcase(s, td);
	return s;
}

int
main(void)
{
	tu_need_shared();
	return tu_run_suite(txlog_suite());
}
