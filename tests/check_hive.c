/* check_hive.c: the hive layer: opening with clear errors, recognising the
 * kind of hive, Windows-style name lookups, values, and the mapping of
 * --control-set to ControlSet00N.
 *
 * Works on the fixture hives (built by make check from tests/fixtures)
 * and on small hives built here from .reg text for the error cases.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hive.h"
#include "remedy.h"
#include "testutil.h"

static struct hive *
open_ok(const char *path)
{
	struct hive *hv = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_msg(hive_open(path, 0, &hv, &d) == 0, "cannot open '%s': %s",
	    path, d.n ? d.items[0].msg : "?");
	ck_assert_uint_eq(d.nerrors, 0);
	diag_free(&d);
	return hv;
}

static struct hive *
open_fixture(const char *rel)
{
	char *p = tu_fixture(rel);
	struct hive *hv = open_ok(p);

	free(p);
	return hv;
}

/* hive_open of PATH fails with one error whose text holds WANT. */
static void
open_fails(const char *path, const char *want)
{
	struct hive *hv = (struct hive *)1;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(hive_open(path, 0, &hv, &d), -1);
	ck_assert_ptr_null(hv);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_msg(strstr(d.items[0].msg, want) != NULL,
	    "'%s': message \"%s\" lacks \"%s\"", path, d.items[0].msg, want);
	/* The message names the file. */
	ck_assert_msg(strstr(d.items[0].msg, path) != NULL ||
	    (d.items[0].file && strcmp(d.items[0].file, path) == 0),
	    "message \"%s\" does not name '%s'", d.items[0].msg, path);
	diag_free(&d);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* ------------------------------------------------------------------ */

START_TEST(test_open_errors)
{
	char *dir = tu_tmpdir(), *p, *sys = tu_fixture("system/SYSTEM");
	unsigned char *buf;
	size_t len;

	p = tu_path(dir, "NOPE");
	open_fails(p, "cannot open");
	free(p);

	p = tu_path(dir, "empty");
	write_file(p, "", 0);
	open_fails(p, "empty file");
	free(p);

	p = tu_path(dir, "text");
	write_file(p, "Windows Registry Editor Version 5.00\r\n", 38);
	open_fails(p, "not a registry hive");
	free(p);

	open_fails(dir, "directory");

	/* A real hive cut inside its base block, and one with a byte of the
	 * base block changed (its checksum no longer holds). */
	buf = (unsigned char *)tu_read(sys, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_gt(len, 8192);
	p = tu_path(dir, "cut");
	write_file(p, buf, 1000);
	open_fails(p, "truncated");
	free(p);
	p = tu_path(dir, "flipped");
	buf[100] ^= 0x55;
	write_file(p, buf, len);
	open_fails(p, "checksum");
	free(p);
	buf[100] ^= 0x55;
	/* Hive bins that claim more than the file holds. */
	p = tu_path(dir, "short");
	write_file(p, buf, len - 4096);
	open_fails(p, "past the end");
	free(p);

	free(buf);
	free(sys);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(test_open_fixture)
{
	struct hive *hv = open_fixture("system/SYSTEM");

	ck_assert_int_eq(hv->kind, HIVE_SYSTEM);
	ck_assert_int_eq(hv->writable, 0);
	ck_assert_uint_ne(hv->root, 0);
	/* Select of tests/fixtures/system.reg. */
	ck_assert_uint_eq(hv->cs_current, 2);
	ck_assert_uint_eq(hv->cs_default, 2);
	ck_assert_uint_eq(hv->cs_lkg, 1);
	ck_assert_uint_eq(hv->cs_failed, 0);
	ck_assert_uint_eq(hv->hdr.seq1, hv->hdr.seq2);
	hive_close(hv);
}
END_TEST

START_TEST(test_detect)
{
	static const struct {
		const char *rel;
		enum hive_kind kind;
	} t[] = {
		{ "system/SYSTEM", HIVE_SYSTEM },
		{ "system-clean/SYSTEM", HIVE_SYSTEM },
		{ "system-alpha/SYSTEM", HIVE_SYSTEM },
		{ "system-sms12/SYSTEM", HIVE_SYSTEM },
		{ "ntuser/NTUSER.DAT", HIVE_NTUSER },
		{ "ntuser-path/NTUSER.DAT", HIVE_NTUSER },
		{ "software/SOFTWARE", HIVE_SOFTWARE },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct hive *hv = open_fixture(t[i].rel);

		ck_assert_msg(hv->kind == t[i].kind, "%s: kind %s, want %s",
		    t[i].rel, hive_kind_name(hv->kind),
		    hive_kind_name(t[i].kind));
		/* From the content: the embedded file name is only a
		 * tiebreaker between a user's hive and DEFAULT. */
		if (t[i].kind == HIVE_NTUSER) {
			ck_assert_int_eq(hive_detect(hv->h, hv->root,
			    "\\SystemRoot\\System32\\Config\\DEFAULT"),
			    HIVE_DEFAULT);
			ck_assert_int_eq(hive_detect(hv->h, hv->root,
			    "\\??\\C:\\Documents and Settings\\pat\\"
			    "NTUSER.DAT"),
			    HIVE_NTUSER);
			ck_assert_int_eq(hive_detect(hv->h, hv->root, NULL),
			    HIVE_NTUSER);
		} else {
			ck_assert_int_eq(hive_detect(hv->h, hv->root,
			    "\\SystemRoot\\System32\\Config\\DEFAULT"),
			    t[i].kind);
		}
		hive_close(hv);
	}
}
END_TEST

/* Kinds recognised from small hives built here; the file is named
 * "hive" so that its name tells nothing. */
START_TEST(test_detect_built)
{
	static const struct {
		const char *reg;
		enum hive_kind kind;
	} t[] = {
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\SAM\\Domains\\Account]\n",
		    HIVE_SAM },
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\Policy]\n"
		  "[HKEY_LOCAL_MACHINE\\SYSTEM\\RXACT]\n", HIVE_SECURITY },
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\Microsoft]\n"
		  "[HKEY_LOCAL_MACHINE\\SYSTEM\\Classes]\n", HIVE_SOFTWARE },
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\Local Settings]\n",
		    HIVE_USRCLASS },
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\Root\\"
		  "InventoryApplicationFile]\n",
		    HIVE_AMCACHE },
		/* A SYSTEM hive that lost its Select is still one. */
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services]\n",
		    HIVE_SYSTEM },
		/* Select alone, or Microsoft alone, says nothing. */
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n", HIVE_UNKNOWN },
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\Microsoft]\n", HIVE_UNKNOWN },
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\Software]\n", HIVE_UNKNOWN },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *dir = tu_tmpdir(), *p = tu_path(dir, "hive"), *reg;
		struct hive *hv;

		ck_assert_int_ge(asprintf(&reg, "Windows Registry Editor "
		    "Version 5.00\n\n%s", t[i].reg), 0);
		tu_mkhive(p, NULL, NULL, reg);
		hv = open_ok(p);
		ck_assert_msg(hv->kind == t[i].kind, "%s: kind %s, want %s",
		    t[i].reg, hive_kind_name(hv->kind),
		    hive_kind_name(t[i].kind));
		hive_close(hv);
		free(reg);
		free(p);
		tu_rmrf(dir);
		free(dir);
	}
}
END_TEST

/* The write handle: the structure check is made again unless the file is
 * the one checked; the read handle's pages can be let go and read again. */
START_TEST(test_reopen_write)
{
	char *dir = tu_tmpdir(), *p = tu_path(dir, "SYSTEM");
	struct hive *hv, *w = NULL;
	struct hive_value v;
	struct timespec ts[2];
	hive_node_h sel;
	struct diag d;
	int fd, n;

	tu_mkhive(p, NULL, NULL, "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
	    "\"Current\"=dword:00000001\n");
	hv = open_ok(p);
	diag_init(&d);
	ck_assert_int_eq(hive_reopen_write(hv, &w, &d), 0);
	ck_assert(w->writable);
	hive_close(w);
	/* After hive_release, hivex reads the pages again. */
	hive_release(hv);
	sel = hive_child(hv, hv->root, "Select");
	ck_assert_uint_ne(sel, 0);
	ck_assert_int_eq(hive_value_get(hv, sel, "Current", &v, &d), 1);
	ck_assert_uint_eq(v.len, 4);
	ck_assert_uint_eq(v.data[0], 1);
	hive_value_clear(&v);
	/* The root key's subkey count made wrong: a changed file (its time
	 * set apart, whatever the clock's granularity) is checked again. */
	ck_assert_int_ge(fd = open(p, O_RDWR), 0);
	n = 1000;
	ck_assert_int_eq(pwrite(fd, &n, 4, (off_t)hv->root + 0x18), 4);
	close(fd);
	ts[0].tv_sec = ts[1].tv_sec = hv->checked.st_mtim.tv_sec - 10;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	ck_assert_int_eq(hive_reopen_write(hv, &w, &d), -1);
	ck_assert_ptr_null(w);
	ck_assert_msg(strstr(d.items[0].msg, "corrupt hive") != NULL, "%s",
	    d.items[0].msg);
	diag_free(&d);
	hive_close(hv);
	tu_rmrf(dir);
	free(dir);
	free(p);
}
END_TEST

/* The name of NODE as stored; caller frees. */
static char *
name_of(const struct hive *hv, hive_node_h node)
{
	char *n = hivex_node_name(hv->h, node);

	ck_assert_ptr_nonnull(n);
	return n;
}

START_TEST(test_child_case)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	hive_node_h cs, sv, n;
	char *s;

	ck_assert_uint_ne(hive_child(hv, hv->root, "Select"), 0);
	ck_assert_uint_eq(hive_child(hv, hv->root, "select"),
	    hive_child(hv, hv->root, "SELECT"));
	cs = hive_child(hv, hv->root, "controlset002");
	ck_assert_uint_ne(cs, 0);
	s = name_of(hv, cs);
	ck_assert_str_eq(s, "ControlSet002");
	free(s);
	sv = hive_child(hv, cs, "SERVICES");
	ck_assert_uint_ne(sv, 0);
	/* Non-ASCII names fold too: "Café" found as "CAFÉ". */
	n = hive_child(hv, sv, "CAF\xc3\x89");
	ck_assert_uint_ne(n, 0);
	s = name_of(hv, n);
	ck_assert_str_eq(s, "Caf\xc3\xa9");
	free(s);
	ck_assert_uint_eq(hive_child(hv, sv, "Cafe"), 0);
	/* Each letter case of the SMSPerfCounters keys is one key. */
	n = hive_child(hv, sv,
	    "smsperfcountersfore:_sms_bin_i386_smsperf.dll");
	ck_assert_uint_ne(n, 0);
	s = name_of(hv, n);
	ck_assert_str_eq(s, "SMSPERFCOUNTERSFORE:_SMS_BIN_I386_SMSPERF.DLL");
	free(s);
	/* Exact names only: no prefix match, no wildcard. */
	ck_assert_uint_eq(hive_child(hv, sv, "SMSPerfCounter"), 0);
	ck_assert_uint_eq(hive_child(hv, sv, "SMSPerfCountersFor*"), 0);
	ck_assert_uint_eq(hive_child(hv, hv->root, "ControlSet003"), 0);
	ck_assert_uint_eq(hive_child(hv, hv->root, "CurrentControlSet"), 0);
	hive_close(hv);
}
END_TEST

START_TEST(test_lookup)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	char *p1[] = { "controlset002", "services", "exifs", "PARAMETERS" };
	char *p2[] = { "ControlSet002", "Services", "NoSuchService",
	    "Parameters" };
	char *p3[] = { "ControlSet001", "Control", "Session Manager",
	    "Environment" };
	hive_node_h n;
	char *s;

	n = hive_lookup(hv, hv->root, p1, 4);
	ck_assert_uint_ne(n, 0);
	s = name_of(hv, n);
	ck_assert_str_eq(s, "Parameters");
	free(s);
	ck_assert_uint_eq(hive_lookup(hv, hv->root, p2, 4), 0);
	ck_assert_uint_eq(hive_lookup(hv, hv->root, p2, 2),
	    hive_lookup(hv, hv->root, p1, 2));
	ck_assert_uint_ne(hive_lookup(hv, hv->root, p3, 4), 0);
	/* Zero elements: where it started. */
	ck_assert_uint_eq(hive_lookup(hv, hv->root, p1, 0), hv->root);
	/* From a key other than the root. */
	n = hive_lookup(hv, hv->root, p1, 2);
	ck_assert_uint_eq(hive_lookup(hv, n, p1 + 2, 2),
	    hive_lookup(hv, hv->root, p1, 4));
	hive_close(hv);
}
END_TEST

static hive_node_h
key(const struct hive *hv, const char *a, const char *b, const char *c,
    const char *e)
{
	char *v[] = { (char *)a, (char *)b, (char *)c, (char *)e };
	size_t n = e ? 4 : c ? 3 : 2;
	hive_node_h k = hive_lookup(hv, hv->root, v, n);

	ck_assert_msg(k != 0, "no key %s\\%s\\%s", a, b, c ? c : "");
	return k;
}

/* V holds TYPE and the LEN bytes DATA. */
static void
value_is(const struct hive_value *v, const char *name, uint32_t type,
    const void *data, size_t len)
{
	ck_assert_str_eq(v->name, name);
	ck_assert_uint_eq(v->type, type);
	ck_assert_uint_eq(v->len, len);
	if (len)
		ck_assert_mem_eq(v->data, data, len);
}

START_TEST(test_value_get)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	hive_node_h par = key(hv, "ControlSet002", "Services", "EXIFS",
	    "Parameters");
	hive_node_h cfg = key(hv, "ControlSet001", "Services", "W32Time",
	    "Config");
	hive_node_h cafe = key(hv, "ControlSet001", "Services",
	    "Caf\xc3\xa9", NULL);
	struct hive_value v;
	struct diag d;
	char *t;

	diag_init(&d);
	/* Found whatever the spelling asked; the name comes back as
	 * stored. */
	ck_assert_int_eq(hive_value_get(hv, par, "driveletter", &v, &d), 1);
	value_is(&v, "DriveLetter", REG_SZ, "M\0\0", 4);
	t = hive_value_text(&v);
	ck_assert_str_eq(t, "M");
	free(t);
	hive_value_clear(&v);
	ck_assert_ptr_null(v.name);
	ck_assert_int_eq(hive_value_get(hv, par, "IOTHREADS", &v, &d), 1);
	value_is(&v, "IoThreads", REG_DWORD, "\x04\0\0\0", 4);
	ck_assert_ptr_null(hive_value_text(&v));	/* not a string */
	hive_value_clear(&v);
	ck_assert_int_eq(hive_value_get(hv, par, "DriveLetters", &v, &d), 0);
	ck_assert_ptr_null(v.name);
	ck_assert_int_eq(hive_value_get(hv, par, "", &v, &d), 0);
	/* Every type as stored, odd ones included. */
	ck_assert_int_eq(hive_value_get(hv, cfg, "LastSyncTime", &v, &d), 1);
	value_is(&v, "LastSyncTime", REG_QWORD,
	    "\x78\x56\x34\x12\x3c\x5a\xbf\x01", 8);
	hive_value_clear(&v);
	ck_assert_int_eq(hive_value_get(hv, cfg, "reserved", &v, &d), 1);
	value_is(&v, "Reserved", REG_NONE, "", 0);
	hive_value_clear(&v);
	ck_assert_int_eq(hive_value_get(hv, cfg, "ClockRateBE", &v, &d), 1);
	value_is(&v, "ClockRateBE", REG_DWORD_BIG_ENDIAN, "\x00\x02\x62\x5a",
	    4);
	hive_value_clear(&v);
	ck_assert_int_eq(hive_value_get(hv, cfg, "DeviceProperty", &v, &d),
	    1);
	value_is(&v, "DeviceProperty", 0xFFFF0012u,
	    "\x01\0\0\0\x02\0\0\0\xff", 9);
	hive_value_clear(&v);
	/* A DWORD of three bytes is passed on as it is. */
	ck_assert_int_eq(hive_value_get(hv, cfg, "Odd", &v, &d), 1);
	value_is(&v, "Odd", REG_DWORD, "\x01\x02\x03", 3);
	hive_value_clear(&v);
	/* Non-ASCII value name and data. */
	ck_assert_int_eq(hive_value_get(hv, cafe, "NA\xc3\x8fVE", &v, &d), 1);
	ck_assert_str_eq(v.name, "Na\xc3\xafve");
	t = hive_value_text(&v);
	ck_assert_str_eq(t,
	    "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x82\xac");
	free(t);
	hive_value_clear(&v);
	ck_assert_uint_eq(d.nerrors, 0);
	diag_free(&d);
	hive_close(hv);
}
END_TEST

START_TEST(test_value_big)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	hive_node_h perf = key(hv, "ControlSet001", "Services",
	    "SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL", "Performance");
	struct hive_value v;
	struct diag d;

	diag_init(&d);
	/* 40,000 bytes: stored in a big-data record, read whole. */
	ck_assert_int_eq(hive_value_get(hv, perf, "counter layout", &v, &d),
	    1);
	ck_assert_str_eq(v.name, "Counter Layout");
	ck_assert_uint_eq(v.type, REG_BINARY);
	ck_assert_uint_eq(v.len, 40000);
	hive_value_clear(&v);
	diag_free(&d);
	hive_close(hv);
}
END_TEST

START_TEST(test_values)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	hive_node_h par = key(hv, "ControlSet002", "Services", "EXIFS",
	    "Parameters");
	hive_node_h sv = key(hv, "ControlSet002", "Services", NULL, NULL);
	struct hive_value *v;
	struct diag d;
	size_t n;
	char *t;

	diag_init(&d);
	ck_assert_int_eq(hive_values(hv, par, &v, &n, &d), 0);
	/* In stored order, as tests/fixtures/system.reg lists them. */
	ck_assert_uint_eq(n, 3);
	value_is(&v[0], "DriveLetter", REG_SZ, "M\0\0", 4);
	value_is(&v[1], "IoThreads", REG_DWORD, "\x04\0\0\0", 4);
	ck_assert_str_eq(v[2].name, "Mode");
	ck_assert_uint_eq(v[2].type, REG_SZ);
	t = hive_value_text(&v[2]);
	ck_assert_str_eq(t, "Exchange");
	free(t);
	hive_values_free(v, n);
	/* A key without values. */
	ck_assert_int_eq(hive_values(hv, sv, &v, &n, &d), 0);
	ck_assert_uint_eq(n, 0);
	hive_values_free(v, n);
	ck_assert_uint_eq(d.nerrors, 0);
	diag_free(&d);
	hive_close(hv);
}
END_TEST

START_TEST(test_text_encode)
{
	static const char *const t[] = { "", "M", "C:\\Tools",
	    "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x82\xac",
	    "\xf0\x9f\x98\x80" };
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct hive_value v = { NULL, REG_SZ, NULL, 0 };
		char *back;

		ck_assert_int_eq(hive_text_encode(t[i], &v.data, &v.len), 0);
		/* UTF-16LE and one NUL. */
		ck_assert_uint_ge(v.len, 2);
		ck_assert_uint_eq(v.data[v.len - 1], 0);
		ck_assert_uint_eq(v.data[v.len - 2], 0);
		back = hive_value_text(&v);
		ck_assert_str_eq(back, t[i]);
		free(back);
		free(v.data);
	}
	{
		unsigned char *data = NULL;
		size_t len = 0;

		ck_assert_int_eq(hive_text_encode("", &data, &len), 0);
		ck_assert_uint_eq(len, 2);
		free(data);
		/* The surrogate pair of U+1F600. */
		ck_assert_int_eq(hive_text_encode("\xf0\x9f\x98\x80", &data,
		    &len), 0);
		ck_assert_uint_eq(len, 6);
		ck_assert_mem_eq(data, "\x3d\xd8\x00\xde\0\0", 6);
		free(data);
		ck_assert_int_eq(hive_text_encode("\xff", &data, &len), -1);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* control sets */

/* hive_control_sets of SPEC on HV gives the sets NUMS (0-terminated) with
 * LABEL. */
static void
sets_are(const struct hive *hv, const char *spec, const unsigned *nums,
    const char *label)
{
	struct control_set *cs;
	struct diag d;
	size_t n, i;

	diag_init(&d);
	ck_assert_msg(hive_control_sets(hv, spec, &cs, &n, &d) == 0,
	    "'%s': %s", spec, d.n ? d.items[0].msg : "?");
	for (i = 0; nums[i]; i++) {
		char want[16];

		ck_assert_msg(i < n, "'%s': %zu sets, want more", spec, n);
		snprintf(want, sizeof want, "ControlSet%03u", nums[i]);
		ck_assert_uint_eq(cs[i].num, nums[i]);
		ck_assert_str_eq(cs[i].name, want);
		ck_assert_str_eq(cs[i].label, label);
	}
	ck_assert_uint_eq(n, i);
	ck_assert_uint_eq(d.nerrors, 0);
	free(cs);
	diag_free(&d);
}

/* hive_control_sets of SPEC fails with one error naming the file and
 * saying WANT. */
static void
sets_fail(const struct hive *hv, const char *spec, const char *want)
{
	struct control_set *cs = (struct control_set *)1;
	struct diag d;
	size_t n = 7;

	diag_init(&d);
	ck_assert_int_eq(hive_control_sets(hv, spec, &cs, &n, &d), -1);
	ck_assert_ptr_null(cs);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_ptr_nonnull(d.items[0].file);
	ck_assert_str_eq(d.items[0].file, hv->path);
	ck_assert_msg(strstr(d.items[0].msg, want) != NULL,
	    "'%s': message \"%s\" lacks \"%s\"", spec, d.items[0].msg, want);
	diag_free(&d);
}

START_TEST(test_control_sets)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	static const unsigned one[] = { 1, 0 }, two[] = { 2, 0 },
	    both[] = { 1, 2, 0 };

	/* Select: Current=2 Default=2 LastKnownGood=1 Failed=0. */
	sets_are(hv, "current", two, "current");
	sets_are(hv, "default", two, "default");
	sets_are(hv, "lkg", one, "last known good");
	sets_are(hv, "all", both, "all");
	sets_are(hv, "1", one, "chosen");
	sets_are(hv, "2", two, "chosen");
	sets_are(hv, "002", two, "chosen");
	sets_fail(hv, "failed", "Select\\Failed is missing or 0");
	sets_fail(hv, "3", "ControlSet003 does not exist");
	hive_close(hv);
}
END_TEST

START_TEST(test_control_set_spec)
{
	ck_assert(hive_control_set_spec_ok("current"));
	ck_assert(hive_control_set_spec_ok("default"));
	ck_assert(hive_control_set_spec_ok("lkg"));
	ck_assert(hive_control_set_spec_ok("failed"));
	ck_assert(hive_control_set_spec_ok("all"));
	ck_assert(hive_control_set_spec_ok("1"));
	ck_assert(hive_control_set_spec_ok("999"));
	ck_assert(!hive_control_set_spec_ok("0"));
	ck_assert(!hive_control_set_spec_ok("1000"));
	ck_assert(!hive_control_set_spec_ok("-1"));
	ck_assert(!hive_control_set_spec_ok(""));
	ck_assert(!hive_control_set_spec_ok("2x"));
	ck_assert(!hive_control_set_spec_ok("Current"));
	ck_assert(!hive_control_set_spec_ok("ControlSet002"));
	ck_assert(!hive_control_set_spec_ok("lastknowngood"));
}
END_TEST

START_TEST(test_control_sets_not_system)
{
	struct hive *hv = open_fixture("ntuser/NTUSER.DAT");

	sets_fail(hv, "current", "not a SYSTEM hive");
	sets_fail(hv, "all", "not a SYSTEM hive");
	sets_fail(hv, "1", "not a SYSTEM hive");
	hive_close(hv);
	hv = open_fixture("software/SOFTWARE");
	sets_fail(hv, "current", "not a SYSTEM hive (it looks like SOFTWARE)");
	hive_close(hv);
}
END_TEST

/* A SYSTEM hive built from BODY (.reg lines after the header). */
static struct hive *
built(const char *dir, const char *body)
{
	char *p = tu_path(dir, "SYSTEM"), *reg;
	struct hive *hv;

	ck_assert_int_ge(asprintf(&reg, "Windows Registry Editor Version "
	    "5.00\n\n%s", body), 0);
	tu_mkhive(p, NULL, NULL, reg);
	hv = open_ok(p);
	ck_assert_int_eq(hv->kind, HIVE_SYSTEM);
	free(reg);
	free(p);
	return hv;
}

#define SETS \
	"[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services]\n\n" \
	"[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services]\n\n"

START_TEST(test_control_sets_errors)
{
	char *dir;
	struct hive *hv;
	static const unsigned one[] = { 1, 0 }, three[] = { 3, 0 },
	    all[] = { 1, 2, 0 };

	/* No Select at all. */
	dir = tu_tmpdir();
	hv = built(dir, SETS);
	sets_fail(hv, "current", "no Select key");
	sets_fail(hv, "lkg", "no Select key");
	/* A number or "all" needs no Select. */
	sets_are(hv, "1", one, "chosen");
	sets_are(hv, "all", all, "all");
	hive_close(hv);
	tu_rmrf(dir);
	free(dir);

	/* Select without Current. */
	dir = tu_tmpdir();
	hv = built(dir, SETS "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
	    "\"Default\"=dword:00000001\n\"LastKnownGood\"=dword:00000002\n");
	sets_fail(hv, "current", "Select\\Current is missing or 0");
	sets_are(hv, "default", one, "default");
	hive_close(hv);
	tu_rmrf(dir);
	free(dir);

	/* Current = 0. */
	dir = tu_tmpdir();
	hv = built(dir, SETS "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
	    "\"Current\"=dword:00000000\n\"Default\"=dword:00000001\n");
	sets_fail(hv, "current", "Select\\Current is missing or 0");
	hive_close(hv);
	tu_rmrf(dir);
	free(dir);

	/* Current is not a DWORD: as good as missing. */
	dir = tu_tmpdir();
	hv = built(dir, SETS "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
	    "\"Current\"=\"2\"\n");
	sets_fail(hv, "current", "Select\\Current is missing or 0");
	hive_close(hv);
	tu_rmrf(dir);
	free(dir);

	/* Current points at a ControlSet00N that is not there. */
	dir = tu_tmpdir();
	hv = built(dir, SETS "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
	    "\"Current\"=dword:00000003\n\"Default\"=dword:00000003\n"
	    "\"LastKnownGood\"=dword:00000004\n\"Failed\"=dword:00000001\n");
	sets_fail(hv, "current",
	    "ControlSet003 does not exist (Select points at it)");
	sets_fail(hv, "lkg", "ControlSet004 does not exist");
	sets_fail(hv, "4", "ControlSet004 does not exist");
	sets_are(hv, "failed", one, "failed");
	hive_close(hv);
	tu_rmrf(dir);
	free(dir);

	/* Control sets found by "all" in any letter case, only
	 * ControlSet + three digits, in hive order. */
	dir = tu_tmpdir();
	hv = built(dir, "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
	    "\"Current\"=dword:00000003\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\controlset003]\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet01]\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet0001]\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet000]\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSetABC]\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet]\n");
	sets_are(hv, "all", three, "all");
	sets_are(hv, "current", three, "current");
	hive_close(hv);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

static Suite *
hive_suite(void)
{
	Suite *s = suite_create("hive");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_open_fixture);
	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_detect_built);
	tcase_add_test(tc, test_reopen_write);
	tcase_add_test(tc, test_child_case);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_value_get);
	tcase_add_test(tc, test_value_big);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_text_encode);
	tcase_add_test(tc, test_control_sets);
	tcase_add_test(tc, test_control_set_spec);
	tcase_add_test(tc, test_control_sets_not_system);
	tcase_add_test(tc, test_control_sets_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(hive_suite());
}
