/* check_lists.c: the four kinds of subkey list Windows writes (lf, lh, li
 * and ri of them), read and changed.
 *
 * Works on the two real hives of ../shared/hives-real whose keys use li
 * lists (win8-usrclass: an ri of li lists and an li list directly under a
 * key; many-subkeys: 5,000 subkeys under an ri of nine li lists), and on
 * small hives tests/mkhive gives lists of every kind (--list).  Changes
 * go through apply's write path (apply_prepare, apply_commit) as a .reg
 * file read as a plan, as `kbfix undo` reads one: many-subkeys is of no
 * kind a remedy names, so the test takes it for a SOFTWARE hive.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hivex.h>

#include "apply.h"
#include "hive.h"
#include "hivewrite.h"
#include "keylist.h"
#include "regf.h"
#include "regtext.h"
#include "testutil.h"
#include "txlog.h"
#include "undo.h"
#include "verify.h"

#define SW	"HKEY_LOCAL_MACHINE\\SOFTWARE"
#define HDR	"Windows Registry Editor Version 5.00\n\n"

/* hives-real/CASE/FILE.xz decompressed into DIR; a new string. */
static char *
real_hive(const char *dir, const char *cas, const char *file)
{
	char *src = NULL, *dst = tu_path(dir, file);

	ck_assert_int_ge(asprintf(&src, "%s/hives-real/%s/%s.xz", tu_shared(),
	    cas, file), 0);
	tu_unxz(src, dst);
	free(src);
	return dst;
}

/* The key at PATH ("A\B") of HV, which must exist. */
static hive_node_h
key_at(const struct hive *hv, const char *path)
{
	char *copy = strdup(path), *elems[16], *s, *save = NULL;
	size_t n = 0;
	hive_node_h node;

	for (s = strtok_r(copy, "\\", &save); s != NULL && n < 16;
	    s = strtok_r(NULL, "\\", &save))
		elems[n++] = s;
	node = hive_lookup(hv, hv->root, elems, n);
	ck_assert_msg(node != 0, "no key '%s'", path);
	free(copy);
	return node;
}

/* The subkeys of KEY in HV as kbfix reads them: COUNT of them, the same
 * as hivex's own count. */
static void
subkeys_are(const struct hive *hv, const char *key, size_t count)
{
	const struct hive_subkeys *sk;
	hive_node_h node = key_at(hv, key);
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(hive_subkeys(hv, node, &sk, &d), 0);
	diag_free(&d);
	ck_assert_int_eq(sk->bad_name, 0);
	ck_assert_uint_eq(sk->n, count);
	ck_assert_uint_eq(hivex_node_nr_children(hv->h, node), count);
}

/* Windows' hives with li lists, directly and inside ri, open: the
 * structure check accepts what hivex reads. */
START_TEST(test_real_li)
{
	char *dir = tu_tmpdir();
	char *ms = real_hive(dir, "many-subkeys", "ManySubkeysHive");
	char *uc = real_hive(dir, "win8-usrclass", "UsrClass.dat");
	struct hive *hv;

	hv = tu_hive_open(ms);
	subkeys_are(hv, "key_with_many_subkeys", 5000);
	hive_close(hv);
	hv = tu_hive_open(uc);
	subkeys_are(hv, "ActivatableClasses\\CLSID", 2716);
	subkeys_are(hv, "ActivatableClasses\\Package\\"
	    "Microsoft.BingSports_3.0.2.233_x64__8wekyb3d8bbwe\\"
	    "ActivatableClassId", 544);
	hive_close(hv);
	free(ms);
	free(uc);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* Every lf and lh entry of the hive at PATH holds the hint or hash that
 * keylist computes for its key: *NF and *NH count them, *NWIDE those of
 * keys named beyond ASCII. */
static void
hashes_match(const char *path, size_t *nf, size_t *nh, size_t *nwide)
{
	size_t len, off, size, c, cs, k;
	unsigned char *b = (unsigned char *)tu_read(path, &len);
	size_t end;

	ck_assert_ptr_nonnull(b);
	end = 4096 + (size_t)regf_get32(b + 40);
	ck_assert_uint_le(end, len);
	*nf = *nh = *nwide = 0;
	for (off = 4096; off < end; off += size) {
		size = regf_get32(b + off + 8);
		for (c = off + 32; c < off + size; c += cs) {
			int32_t raw = (int32_t)regf_get32(b + c);
			size_t n;

			cs = raw < 0 ? (size_t)-(int64_t)raw : (size_t)raw;
			ck_assert_uint_ge(cs, 8);
			if (raw > 0 || b[c + 4] != 'l' ||
			    (b[c + 5] != 'f' && b[c + 5] != 'h'))
				continue;
			n = regf_get16(b + c + 6);
			for (k = 0; k < n; k++) {
				const unsigned char *e = b + c + 8 + 8 * k;
				size_t nk = regf_get32(e) + 4096, nl, i;
				int latin1 = (regf_get16(b + nk + 6) & 0x20) != 0;
				unsigned char hint[4];

				nl = regf_get16(b + nk + 0x4C);
				for (i = 0; i < nl; i++)
					if (b[nk + 0x50 + i] >= 0x80 ||
					    (!latin1 && i % 2 && b[nk + 0x50 + i]))
						break;
				if (i < nl)
					(*nwide)++;
				if (b[c + 5] == 'h') {
					ck_assert_msg(regf_get32(e + 4) ==
					    keylist_lh_hash(b + nk + 0x50, nl,
					    latin1), "%s: lh hash of the key at "
					    "0x%zx", path, nk);
					(*nh)++;
				} else {
					keylist_lf_hint(b + nk + 0x50, nl,
					    latin1, hint);
					ck_assert_msg(memcmp(e + 4, hint, 4) == 0,
					    "%s: lf hint of the key at 0x%zx",
					    path, nk);
					(*nf)++;
				}
			}
		}
	}
	free(b);
}

/* The hashes and hints Windows stored in the real hives are what keylist
 * computes: the same upcasing, the same rule for a name beyond Latin-1. */
START_TEST(test_real_hashes)
{
	static const char *const cases[][2] = {
		{ "xp-sp3", "SYSTEM" },
		{ "xp-sp3", "NTUSER.DAT" },
		{ "win8-usrclass", "UsrClass.dat" },
		{ "win10-1709-system-dirty", "SYSTEM" },
		{ "win10-ntuser-dirty", "NTUSER.DAT" },
		{ "server2022-amcache-dirty", "Amcache.hve" },
	};
	char *dir = tu_tmpdir();
	size_t i, nf = 0, nh = 0, nw = 0;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *p = real_hive(dir, cases[i][0], cases[i][1]);
		size_t f, h, w;

		hashes_match(p, &f, &h, &w);
		nf += f;
		nh += h;
		nw += w;
		unlink(p);
		free(p);
	}
	/* Enough of each to mean something, names beyond ASCII too. */
	ck_assert_uint_gt(nf, 1000);
	ck_assert_uint_gt(nh, 10000);
	ck_assert_uint_gt(nw, 0);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------ writing */

struct rp {
	const struct regfile *rf;
	enum hive_kind kind;
};

/* undo_plan of the keys of RF: an undo file without its header. */
static int
plan_reg(const struct regfile *rf, struct hive *hv, struct plan **out,
    struct diag *d)
{
	struct undo_file u;

	memset(&u, 0, sizeof u);
	u.rf = (struct regfile *)rf;
	return undo_plan(&u, "t.reg", hv, out, d);
}

static int
replan(void *arg, const struct target *after, struct plan **out,
    struct diag *d)
{
	struct rp *r = arg;

	if (r->kind != HIVE_UNKNOWN)
		after->hives[0]->kind = r->kind;
	return plan_reg(r->rf, after->hives[0], out, d);
}

/* Merge the .reg text REG into the hive at PATH through apply's write
 * path, the hive taken as KIND (HIVE_UNKNOWN: as it is).  NCHANGES
 * changes are planned.  Returns the undo file apply wrote (a new
 * string). */
static char *
write_reg(const char *path, enum hive_kind kind, const char *reg,
    size_t nchanges)
{
	struct apply_options o = { NULL };
	struct regfile *rf = NULL;
	struct apply_job *j = NULL;
	struct hive *hv = tu_hive_open(path), *hives[1];
	struct target t = { hives, 1, NULL };
	struct plan *p = NULL;
	struct rp ra;
	struct diag d;
	char *undo;

	hives[0] = hv;
	if (kind != HIVE_UNKNOWN)
		hv->kind = kind;
	o.stamp = "20260101T000000Z";
	o.tool = "kbfix test";
	diag_init(&d);
	ck_assert_int_eq(regfile_parse(reg, strlen(reg), "t.reg", &rf, &d), 0);
	ck_assert_msg(plan_reg(rf, hv, &p, &d) == 0, "plan: %s",
	    d.n ? d.items[0].msg : "?");
	ck_assert_uint_eq(plan_nchanges(p), nchanges);
	ra.rf = rf;
	ra.kind = kind;
	ck_assert_msg(apply_prepare(p, &t, &o, replan, &ra, &j, &d) == 0,
	    "apply_prepare: %s", d.n ? d.items[0].msg : "?");
	ck_assert_msg(apply_commit(j, p, &o, &d) == 0, "apply_commit: %s",
	    d.n ? d.items[d.n - 1].msg : "?");
	ck_assert_uint_eq(d.nerrors, 0);
	undo = strdup(j->files[0].undo);
	apply_job_free(j);
	plan_free(p);
	regfile_free(rf);
	hive_close(hv);
	diag_free(&d);
	return undo;
}

/* The undo file UNDO put through the same path. */
static void
undo_with(const char *path, enum hive_kind kind, const char *undo,
    size_t nchanges)
{
	char *text = tu_read(undo, NULL), *u2;

	ck_assert_ptr_nonnull(text);
	u2 = write_reg(path, kind, text, nchanges);
	free(u2);
	free(text);
}

static char *export(const char *path);

/* The undo file UNDO (freed here, N changes planned) brings the export of
 * the hive at PATH back to E0. */
static void
undo_back(const char *path, enum hive_kind kind, char *undo, size_t n,
    const char *e0)
{
	char *e;

	undo_with(path, kind, undo, n);
	free(undo);
	e = export(path);
	ck_assert_str_eq(e, e0);
	free(e);
}

/* reglookup's export of PATH without the times of keys (a key made again
 * takes its parent's). */
static char *
export(const char *path)
{
	char *cmd = NULL, *out = NULL;

	ck_assert_int_ge(asprintf(&cmd, "reglookup '%s' 2>/dev/null | "
	    "sed 's/,[^,]*$//'", path), 0);
	ck_assert_int_eq(tu_run(cmd, &out), 0);
	free(cmd);
	return out;
}

/* A before B differ by exactly the lines of key KEY ("/A/B" as reglookup
 * writes it) and those below it, which A has and B has not (or, with
 * GONE unset, B has and A has not). */
static void
differ_by(const char *a, const char *b, const char *key, int gone)
{
	const char *more = gone ? a : b, *less = gone ? b : a;
	char *want = malloc(strlen(more) + 1), *w = want;
	size_t kl = strlen(key), n = 0;
	const char *s = more;

	while (*s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s + 1) : strlen(s);

		if (strncmp(s, key, kl) == 0 && (s[kl] == ',' ||
		    s[kl] == '/'))
			n++;
		else {
			memcpy(w, s, len);
			w += len;
		}
		s += len;
	}
	*w = '\0';
	ck_assert_uint_gt(n, 0);
	ck_assert_str_eq(want, less);
	free(want);
}

/* regfexport, an independent parser, reads PATH whole. */
static void
regfexport_ok(const char *path)
{
	char *cmd = NULL;

	ck_assert_int_ge(asprintf(&cmd, "regfexport '%s' > /dev/null 2>&1",
	    path), 0);
	ck_assert_msg(tu_run(cmd, NULL) == 0, "regfexport fails on '%s'",
	    path);
	free(cmd);
}

/* The file at PATH: the subkeys of KEY are in Windows' order, N of them,
 * and the one named CHILD (if not NULL) sits in a leaf of kind LEAF. */
static void
list_is(const char *path, const char *key, size_t n, const char *child,
    int leaf)
{
	struct hive *hv = tu_hive_open(path);
	size_t len, end;
	unsigned char *b = (unsigned char *)tu_read(path, &len);
	hive_node_h node = key_at(hv, key);

	end = 4096 + (size_t)regf_get32(b + 40);
	ck_assert_int_eq(keylist_sorted(b, end, node), 1);
	ck_assert_uint_eq(regf_get32(b + node + 0x18), n);
	if (child != NULL) {
		char *p = NULL;

		ck_assert_int_ge(asprintf(&p, "%s\\%s", key, child), 0);
		ck_assert_int_eq(keylist_leaf_kind(b, end, node, key_at(hv, p)),
		    leaf);
		free(p);
	}
	subkeys_are(hv, key, n);
	free(b);
	hive_close(hv);
}

/* REG written into the hive at PATH (taken as KIND; N changes planned):
 * reglookup's export changes by exactly key KEY ("/A/B", as reglookup
 * writes it) and what is below it, gone or made as GONE says; regfexport
 * reads the result; the subkeys of PARENT are then COUNT, in Windows'
 * order, and CHILD (if not NULL) sits in a leaf of kind LEAF; the undo
 * file brings the export back. */
static void
round_trip(const char *path, enum hive_kind kind, const char *reg, size_t n,
    const char *key, int gone, const char *parent, size_t count,
    const char *child, int leaf)
{
	char *e0 = export(path), *e1, *undo;

	undo = write_reg(path, kind, reg, n);
	e1 = export(path);
	differ_by(e0, e1, key, gone);
	regfexport_ok(path);
	list_is(path, parent, count, child, leaf);
	undo_back(path, kind, undo, n, e0);
	free(e0);
	free(e1);
}

/* Deleting a key listed in an li leaf inside an ri, and creating one
 * there, on the real hive of 5,000 subkeys: reglookup sees exactly that
 * key go and come, regfexport reads every result, the list stays an ri
 * of li leaves in Windows' order with the right counts, and each undo
 * file brings the export back. */
START_TEST(test_real_many_subkeys)
{
	char *dir = tu_tmpdir();
	char *ms = real_hive(dir, "many-subkeys", "ManySubkeysHive");

	list_is(ms, "key_with_many_subkeys", 5000, "100", 'i');
	round_trip(ms, HIVE_SOFTWARE, HDR "[-" SW
	    "\\key_with_many_subkeys\\100]\n", 1,
	    "/key_with_many_subkeys/100", 1, "key_with_many_subkeys", 4999,
	    "1000", 'i');
	list_is(ms, "key_with_many_subkeys", 5000, "100", 'i');
	round_trip(ms, HIVE_SOFTWARE, HDR "[" SW
	    "\\key_with_many_subkeys\\100a]\n", 1,
	    "/key_with_many_subkeys/100a", 0, "key_with_many_subkeys", 5001,
	    "100a", 'i');
	list_is(ms, "key_with_many_subkeys", 5000, NULL, 0);
	free(ms);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------ fixtures */

static const char fixture_reg[] =
    HDR
    "[" SW "\\Direct\\AB]\n\n"
    "[" SW "\\Direct\\AC]\n\n"
    "[" SW "\\Direct\\B]\n\n"
    "[" SW "\\Direct\\\xc3\x8a]\n\n"
    "[" SW "\\Direct\\Big]\n"
    "\"Text\"=\"some text\"\n"
    "\"Num\"=dword:00000007\n\n"
    "[" SW "\\Direct\\Big\\Sub]\n"
    "\"v\"=hex:01,02,03,04,05,06,07,08,09\n\n"
    "[" SW "\\Index\\K00]\n\n[" SW "\\Index\\K01]\n\n[" SW "\\Index\\K02]\n\n"
    "[" SW "\\Index\\K03]\n\"v\"=\"three\"\n\n"
    "[" SW "\\Index\\K04]\n\n[" SW "\\Index\\K05]\n\n[" SW "\\Index\\K06]\n\n"
    "[" SW "\\Index\\K07]\n\n[" SW "\\Index\\K08]\n\n[" SW "\\Index\\K09]\n\n"
    "[" SW "\\Mixed\\M00]\n\n[" SW "\\Mixed\\M01]\n\n[" SW "\\Mixed\\M02]\n\n"
    "[" SW "\\Mixed\\M03]\n\n[" SW "\\Mixed\\M04]\n\n[" SW "\\Mixed\\M05]\n\n"
    "[" SW "\\Lonely\\Only]\n\"x\"=dword:00000001\n\n";

/* The fixture above as a hive at DIR/SOFTWARE: Direct's subkeys in one li
 * leaf, Index's in an ri of li leaves of 3, Mixed's in an ri of an lh, an
 * li and an lf leaf of 2, Lonely's one subkey in an li leaf. */
static char *
fixture(const char *dir)
{
	char *reg = tu_path(dir, "fixture.reg"), *hive = tu_path(dir,
	    "SOFTWARE"), *cmd = NULL;
	FILE *f = fopen(reg, "w");

	ck_assert_ptr_nonnull(f);
	fputs(fixture_reg, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_ge(asprintf(&cmd, "'%s/tests/mkhive' --prefix "
	    "'HKEY_LOCAL_MACHINE\\SOFTWARE' --list Direct=li --list "
	    "Index=ri:li:3 --list Mixed=ri:lh,li,lf:2 --list Lonely=li "
	    "'%s' '%s'", tu_builddir(), hive, reg), 0);
	ck_assert_int_eq(tu_run(cmd, NULL), 0);
	free(cmd);
	free(reg);
	return hive;
}

/* Nonzero if the cell at OFF of the file at PATH is free. */
static int
cell_is_free(const char *path, size_t off)
{
	size_t len;
	unsigned char *b = (unsigned char *)tu_read(path, &len);
	int r;

	ck_assert_ptr_nonnull(b);
	ck_assert_uint_lt(off + 4, len);
	r = (int32_t)regf_get32(b + off) > 0;
	free(b);
	return r;
}

/* The file offset of the key at PATH of the hive at FILE. */
static size_t
offset_of(const char *file, const char *path)
{
	struct hive *hv = tu_hive_open(file);
	size_t off = key_at(hv, path);

	hive_close(hv);
	return off;
}

/* mkhive writes each kind of list asked for, in Windows' order. */
START_TEST(test_mkhive_lists)
{
	char *dir = tu_tmpdir(), *h = fixture(dir);

	list_is(h, "Direct", 5, "Big", 'i');
	list_is(h, "Index", 10, "K04", 'i');
	list_is(h, "Mixed", 6, "M00", 'h');
	list_is(h, "Mixed", 6, "M03", 'i');
	list_is(h, "Mixed", 6, "M05", 'f');
	list_is(h, "Lonely", 1, "Only", 'i');
	regfexport_ok(h);
	free(h);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* Deleting keys listed in li leaves, each way it can go: from a leaf
 * directly under the key (a key with values and a subkey: every cell of
 * both freed), the whole middle leaf of an ri (which leaves the ri), from
 * the li leaf of a mixed ri beside one from its lh leaf (hivex's), the
 * last subkey of a key (its list freed).  One plan; undo restores it. */
START_TEST(test_delete_li)
{
	char *dir = tu_tmpdir(), *h = fixture(dir), *e0 = export(h), *e1;
	char *undo;
	size_t big = offset_of(h, "Direct\\Big");
	size_t sub = offset_of(h, "Direct\\Big\\Sub");
	size_t only = offset_of(h, "Lonely\\Only");
	struct hive *hv;
	unsigned char *b;

	undo = write_reg(h, HIVE_SOFTWARE, HDR
	    "[-" SW "\\Direct\\Big]\n\n"
	    "[-" SW "\\Index\\K03]\n\n[-" SW "\\Index\\K04]\n\n"
	    "[-" SW "\\Index\\K05]\n\n"
	    "[-" SW "\\Mixed\\M02]\n\n[-" SW "\\Mixed\\M00]\n\n"
	    "[-" SW "\\Lonely\\Only]\n", 7);
	e1 = export(h);
	regfexport_ok(h);
	list_is(h, "Direct", 4, "AC", 'i');
	list_is(h, "Index", 7, "K06", 'i');
	list_is(h, "Mixed", 4, "M03", 'i');
	list_is(h, "Lonely", 0, NULL, 0);
	ck_assert(cell_is_free(h, big));
	ck_assert(cell_is_free(h, sub));
	ck_assert(cell_is_free(h, only));
	hv = tu_hive_open(h);
	/* Lonely's list is gone with its last subkey. */
	b = (unsigned char *)tu_read(h, NULL);
	ck_assert_uint_eq(regf_get32(b + key_at(hv, "Lonely") + 0x20),
	    0xFFFFFFFFu);
	free(b);
	hive_close(hv);
	ck_assert_ptr_null(strstr(e1, "/Direct/Big"));
	ck_assert_ptr_null(strstr(e1, "/Index/K04"));
	ck_assert_ptr_nonnull(strstr(e1, "/Index/K06"));
	undo_back(h, HIVE_SOFTWARE, undo, 13, e0);
	list_is(h, "Direct", 5, "Big", 'i');
	free(e0);
	free(e1);
	free(h);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* Creating keys under li-indexed keys, with a name hivex would misplace
 * ("é" after "Ê": it compares UTF-8 bytes, Windows upcased UTF-16
 * units): the lists come out in Windows' order, still li leaves. */
START_TEST(test_create_li)
{
	char *dir = tu_tmpdir(), *h = fixture(dir), *e0 = export(h), *e1;
	char *undo;

	undo = write_reg(h, HIVE_SOFTWARE, HDR
	    "[" SW "\\Direct\\\xc3\xa9]\n\"n\"=dword:00000001\n\n"
	    "[" SW "\\Index\\K0_]\n\n"
	    "[" SW "\\Mixed\\M0_\\Below]\n", 5);
	e1 = export(h);
	ck_assert_ptr_nonnull(strstr(e1, "/Index/K0_,KEY,"));
	ck_assert_ptr_nonnull(strstr(e1, "/Mixed/M0_/Below,KEY,"));
	regfexport_ok(h);
	list_is(h, "Direct", 6, "\xc3\xa9", 'i');
	list_is(h, "Index", 11, "K0_", 'i');
	list_is(h, "Mixed", 7, NULL, 0);
	undo_back(h, HIVE_SOFTWARE, undo, 4, e0);
	free(e0);
	free(e1);
	free(h);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* A key deleted from an li leaf beside a key created in the same leaf;
 * then a key whose deletion comes after a change below it, which stays
 * with hivex, which refuses it: nothing is written. */
START_TEST(test_delete_order)
{
	char *dir = tu_tmpdir(), *h = fixture(dir), *e0, *e1, *undo;
	struct apply_options o = { NULL };
	struct regfile *rf = NULL;
	struct apply_job *j = NULL;
	struct hive *hv, *hives[1];
	struct target t = { hives, 1, NULL };
	struct plan *p = NULL;
	struct rp ra;
	struct diag d;
	static const char bad[] = HDR
	    "[" SW "\\Index\\K07\\New]\n\n[-" SW "\\Index\\K07]\n";

	undo = write_reg(h, HIVE_SOFTWARE, HDR
	    "[" SW "\\Index\\K03a]\n\n[-" SW "\\Index\\K03]\n\n"
	    "[-" SW "\\Index\\K02]\n", 3);
	e0 = export(h);
	ck_assert_ptr_null(strstr(e0, "/Index/K03,"));
	ck_assert_ptr_null(strstr(e0, "/Index/K02,"));
	ck_assert_ptr_nonnull(strstr(e0, "/Index/K03a,"));
	list_is(h, "Index", 9, "K03a", 'i');
	free(undo);

	hv = tu_hive_open(h);
	hives[0] = hv;
	hv->kind = HIVE_SOFTWARE;
	diag_init(&d);
	ck_assert_int_eq(regfile_parse(bad, strlen(bad), "t.reg", &rf, &d), 0);
	ck_assert_int_eq(plan_reg(rf, hv, &p, &d), 0);
	ra.rf = rf;
	ra.kind = HIVE_SOFTWARE;
	ck_assert_int_eq(apply_prepare(p, &t, &o, replan, &ra, &j, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.items[0].msg, "cannot delete key"));
	diag_free(&d);
	plan_free(p);
	regfile_free(rf);
	hive_close(hv);
	e1 = export(h);
	ck_assert_str_eq(e1, e0);
	free(e0);
	free(e1);
	free(h);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

/* The .reg REG written into a copy of the fixture as apply writes it
 * (hivewrite_execute, regf_finish), MUTATE'd, then checked against the
 * original and the plan: verify_unchanged must pass (WANT NULL) or say
 * WANT. */
static void
verify_case(const char *reg, void (*mutate)(const char *copy,
    struct hive *before), const char *want)
{
	char *dir = tu_tmpdir(), *h = fixture(dir), *copy = tu_path(dir, "NEW");
	struct regfile *rf = NULL;
	struct hive *before = tu_hive_open(h), *after;
	struct plan *p = NULL;
	struct diag d;
	int r;

	before->kind = HIVE_SOFTWARE;
	tu_copy(h, copy);
	diag_init(&d);
	ck_assert_int_eq(regfile_parse(reg, strlen(reg), "t.reg", &rf, &d), 0);
	ck_assert_int_eq(plan_reg(rf, before, &p, &d), 0);
	ck_assert_msg(hivewrite_execute(before, rf, SW, copy, &d) == 0,
	    "hivewrite: %s", d.n ? d.items[0].msg : "?");
	ck_assert_int_eq(regf_finish(copy, before->hdr.seq1 + 1, 4096 +
	    (uint64_t)before->hdr.bins_size, &d), 0);
	if (mutate != NULL)
		mutate(copy, before);
	after = tu_hive_open(copy);
	r = verify_unchanged(before, after, p, &d);
	if (want == NULL)
		ck_assert_msg(r == 0, "verify: %s", d.n ? d.items[0].msg : "?");
	else {
		ck_assert_msg(r == -1, "verify passed; wanted '%s'", want);
		ck_assert_msg(strstr(d.items[0].msg, want) != NULL,
		    "message \"%s\" lacks \"%s\"", d.items[0].msg, want);
	}
	diag_free(&d);
	hive_close(after);
	hive_close(before);
	plan_free(p);
	regfile_free(rf);
	free(copy);
	free(h);
	tu_rmrf(dir);
	free(dir);
}

/* The first leaf of key KEY in FILE (an li leaf, or the first of an ri):
 * its file offset. */
static size_t
first_leaf(const char *file, struct hive *hv, const char *key)
{
	unsigned char *b = (unsigned char *)tu_read(file, NULL);
	size_t nk = key_at(hv, key);
	size_t l = (size_t)regf_get32(b + nk + 0x20) + 4096;

	if (b[l + 4] == 'r')
		l = (size_t)regf_get32(b + l + 8) + 4096;
	free(b);
	return l;
}

static void
patch32(const char *file, size_t off, uint32_t v)
{
	FILE *f = fopen(file, "r+b");
	unsigned char b[4];

	ck_assert_ptr_nonnull(f);
	regf_put32(b, v);
	ck_assert_int_eq(fseek(f, (long)off, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(b, 1, 4, f), 4);
	ck_assert_int_eq(fclose(f), 0);
}

static uint32_t
peek32(const char *file, size_t off)
{
	unsigned char *b = (unsigned char *)tu_read(file, NULL);
	uint32_t v = regf_get32(b + off);

	free(b);
	return v;
}

/* Swap the first two entries of KEY's first leaf (4-byte li entries). */
static void
swap_first(const char *copy, struct hive *before, const char *key)
{
	size_t l = first_leaf(copy, before, key);
	uint32_t a = peek32(copy, l + 8), c = peek32(copy, l + 12);

	patch32(copy, l + 8, c);
	patch32(copy, l + 12, a);
}

static void
swap_direct(const char *copy, struct hive *before)
{
	swap_first(copy, before, "Direct");
}

static void
swap_index(const char *copy, struct hive *before)
{
	swap_first(copy, before, "Index");
}

/* Drop Direct's first subkey (AB) from its li leaf too. */
static void
drop_direct(const char *copy, struct hive *before)
{
	size_t l = first_leaf(copy, before, "Direct"), nk = key_at(before,
	    "Direct"), n = peek32(copy, l + 4) >> 16, i;

	for (i = 0; i + 1 < n; i++)
		patch32(copy, l + 8 + 4 * i, peek32(copy, l + 12 + 4 * i));
	patch32(copy, l + 4, (peek32(copy, l + 4) & 0xFFFF) |
	    (uint32_t)(n - 1) << 16);
	patch32(copy, nk + 0x18, peek32(copy, nk + 0x18) - 1);
}

#define LI_PLAN	HDR "[-" SW "\\Direct\\Big]\n\n[" SW "\\Direct\\\xc3\xa9]\n"

/* What kbfix does beside hivex under li-indexed keys is checked as what
 * hivex does: the result of the plan passes; a list of a touched key put
 * out of Windows' order, a subkey dropped with the one deleted, a list
 * of a key the plan does not touch changed, are each refused. */
START_TEST(test_verify_li)
{
	verify_case(LI_PLAN, NULL, NULL);
	verify_case(LI_PLAN, swap_direct, "subkeys out of Windows' order "
	    "('AC' listed before 'AB') in 'HKEY_LOCAL_MACHINE\\SOFTWARE"
	    "\\Direct'");
	verify_case(LI_PLAN, drop_direct, "key is missing in "
	    "'HKEY_LOCAL_MACHINE\\SOFTWARE\\Direct\\AB'");
	verify_case(LI_PLAN, swap_index, "verification failed: a subkey list");
}
END_TEST

/* ------------------------------------------------------------ dirty */

static void
put_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* The kbfix command line run in folder DIR with ARGS; its exit status,
 * *OUT its standard output (freed by the caller). */
static int
kbfix_in(const char *dir, const char *args, char **out)
{
	const char *k = getenv("KBFIX");
	char *cmd = NULL;
	int r;

	ck_assert_int_ge(asprintf(&cmd, "cd '%s' && '%s%s' %s 2>/dev/null",
	    dir, k ? k : tu_builddir(), k ? "" : "/src/kbfix", args), 0);
	r = tu_run(cmd, out);
	free(cmd);
	return r;
}

/* A SYSTEM hive whose Services is an ri of li leaves, made dirty: the
 * primary is the fixture's bytes, its logs hold what was changed since
 * (a service deleted from an li leaf, one added to one).  Replayed from a
 * new-format log (HvLE entries) or an old-format one (a dirty-page
 * vector), it gives the changed hive byte for byte; kbfix plans on it as
 * on the changed hive, and applies Q267971 (keys deleted from li leaves)
 * as there. */
START_TEST(test_dirty_li)
{
	char *dir = tu_tmpdir(), *fix = tu_fixture("system-li/SYSTEM");
	char *fin = tu_path(dir, "final"), *fh = tu_path(fin, "SYSTEM");
	/* Q267971 reads the site server's service pack in SOFTWARE. */
	char *sw = tu_fixture("software-sms/SOFTWARE"), *swc;
	char *undo, *want = NULL, *wantl;
	unsigned char *t0, *t1;
	size_t l0, l1, b0, b1, off, k, fmt, nsvc;
	struct hive *hv0;
	uint32_t s;

	ck_assert_int_eq(mkdir(fin, 0700), 0);
	tu_copy(fix, fh);
	swc = tu_path(fin, "SOFTWARE");
	tu_copy(sw, swc);
	free(swc);
	undo = write_reg(fh, HIVE_UNKNOWN, HDR
	    "[-HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\Dhcp]\n\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\LogOnly]\n"
	    "\"Start\"=dword:00000004\n", 3);
	unlink(undo);
	free(undo);
	t0 = (unsigned char *)tu_read(fix, &l0);
	t1 = (unsigned char *)tu_read(fh, &l1);
	b0 = regf_get32(t0 + 40);
	b1 = regf_get32(t1 + 40);
	ck_assert_uint_gt(b1, b0);
	s = regf_get32(t0 + 8) + 1;
	/* After the log's change (one service deleted, one added) and
	 * Q267971: the fixture's services but its SMSPerfCountersFor keys. */
	hv0 = tu_hive_open(fix);
	{
		hive_node_h *ch = hivex_node_children(hv0->h,
		    key_at(hv0, "ControlSet002\\Services"));

		ck_assert_ptr_nonnull(ch);
		for (nsvc = 0, k = 0; ch[k] != 0; k++) {
			char *nm = hivex_node_name(hv0->h, ch[k]);

			if (strncasecmp(nm, "SMSPerfCountersFor", 18) != 0)
				nsvc++;
			free(nm);
		}
		free(ch);
	}
	hive_close(hv0);
	ck_assert_int_eq(kbfix_in(fin, "--dry-run Q267971 SYSTEM SOFTWARE",
	    &want), 1);
	ck_assert_ptr_nonnull(strstr(want, "SMSPerfCountersForC"));

	for (fmt = 0; fmt < 2; fmt++) {
		char *sub = tu_path(dir, fmt ? "old" : "new");
		char *hv = tu_path(sub, "SYSTEM");
		char *lp = tu_path(sub, fmt ? "SYSTEM.LOG" : "SYSTEM.LOG1");
		unsigned char *p = malloc(4096 + b0), *log, *img = NULL;
		unsigned char dirty[4096];
		size_t np = 0, loglen, ilen;
		struct txlog_state st;
		struct diag d;
		char *got = NULL, *la, *lb;

		ck_assert_int_eq(mkdir(sub, 0700), 0);
		swc = tu_path(sub, "SOFTWARE");
		tu_copy(sw, swc);
		free(swc);
		/* The primary: the fixture, its first sequence number one
		 * above the second (a write begun, never finished). */
		memcpy(p, t0, 4096 + b0);
		regf_put32(p + 4, s + 1);
		regf_put32(p + 8, s);
		regf_put32(p + 508, regf_checksum(p));
		put_file(hv, p, 4096 + b0);
		/* The 4096-byte pages of the bins the change wrote. */
		for (off = 0; off < b1 && np < sizeof dirty; off += 4096)
			if (off >= b0 || memcmp(t0 + 4096 + off,
			    t1 + 4096 + off, 4096) != 0)
				dirty[np++] = (unsigned char)(off / 4096);
		ck_assert_uint_gt(np, 1);
		ck_assert_uint_lt(b1 / 4096, 256);
		if (fmt == 0) {
			/* New format: base block sector (file type 6), then
			 * one HvLE entry of sequence number S: header, page
			 * references, pages; hash-1 over what follows the
			 * header, hash-2 over its first 32 bytes. */
			size_t es = (40 + 8 * np + 4096 * np + 511) / 512 * 512;
			unsigned char *e;

			loglen = 512 + es;
			log = calloc(1, loglen);
			memcpy(log, p, 512);
			regf_put32(log + 4, s);
			regf_put32(log + 8, s);
			regf_put32(log + 28, 6);
			regf_put32(log + 508, regf_checksum(log));
			e = log + 512;
			memcpy(e, "HvLE", 4);
			regf_put32(e + 4, (uint32_t)es);
			regf_put32(e + 12, s);
			regf_put32(e + 16, (uint32_t)b1);
			regf_put32(e + 20, (uint32_t)np);
			for (k = 0; k < np; k++) {
				regf_put32(e + 40 + 8 * k, dirty[k] * 4096u);
				regf_put32(e + 44 + 8 * k, 4096);
				memcpy(e + 40 + 8 * np + 4096 * k,
				    t1 + 4096 + dirty[k] * 4096u, 4096);
			}
			regf_put32(e + 24, (uint32_t)txlog_marvin32(e + 40,
			    es - 40));
			regf_put32(e + 28, (uint32_t)(txlog_marvin32(e + 40,
			    es - 40) >> 32));
			regf_put32(e + 32, (uint32_t)txlog_marvin32(e, 32));
			regf_put32(e + 36, (uint32_t)(txlog_marvin32(e, 32) >>
			    32));
		} else {
			/* Old format: base block sector (file type 1, the
			 * new bins size), "DIRT" and a bit per 512-byte page
			 * of the bins, then the dirty pages in bit order. */
			size_t vlen = b1 / 4096, at = (512 + 4 + vlen + 511) /
			    512 * 512;

			loglen = at + 4096 * np;
			log = calloc(1, loglen);
			memcpy(log, p, 512);
			regf_put32(log + 4, s + 1);
			regf_put32(log + 8, s + 1);
			regf_put32(log + 28, 1);
			regf_put32(log + 40, (uint32_t)b1);
			regf_put32(log + 508, regf_checksum(log));
			memcpy(log + 512, "DIRT", 4);
			for (k = 0; k < np; k++) {
				log[516 + dirty[k]] = 0xFF;
				memcpy(log + at + 4096 * k,
				    t1 + 4096 + dirty[k] * 4096u, 4096);
			}
		}
		put_file(lp, log, loglen);

		diag_init(&d);
		ck_assert_msg(txlog_recover(hv, &img, &ilen, &st, &d) == 0,
		    "replay: %s", d.n ? d.items[0].msg : "?");
		ck_assert_int_eq(st.pending, 1);
		ck_assert_uint_eq(ilen, 4096 + b1);
		ck_assert_msg(memcmp(img + 4096, t1 + 4096, b1) == 0,
		    "the replay is not the changed hive");
		free(img);
		txlog_state_free(&st);
		diag_free(&d);

		/* Planned on the replay: the plan of the changed hive. */
		ck_assert_int_eq(kbfix_in(sub, "--dry-run Q267971 SYSTEM "
		    "SOFTWARE", &got), 1);
		ck_assert_str_eq(got, want);
		free(got);
		ck_assert_int_eq(kbfix_in(sub, "check SYSTEM", NULL), 0);
		/* Applied there as on the changed hive. */
		ck_assert_int_eq(kbfix_in(sub, "apply Q267971 SYSTEM SOFTWARE",
		    NULL), 0);
		la = export(hv);
		if (fmt == 0) {
			char *cp = tu_path(dir, "final-applied");

			ck_assert_int_eq(mkdir(cp, 0700), 0);
			free(cp);
			swc = tu_path(dir, "final-applied/SOFTWARE");
			tu_copy(sw, swc);
			free(swc);
			cp = tu_path(dir, "final-applied/SYSTEM");
			tu_copy(fh, cp);
			ck_assert_int_eq(kbfix_in(dir, "apply Q267971 "
			    "final-applied/SYSTEM final-applied/SOFTWARE",
			    NULL), 0);
			wantl = export(cp);
			free(cp);
		}
		lb = wantl;
		ck_assert_str_eq(la, lb);
		ck_assert_ptr_null(strstr(la,
		    "ControlSet002/Services/SMSPerfCountersFor"));
		ck_assert_ptr_null(strstr(la, "ControlSet002/Services/Dhcp"));
		ck_assert_ptr_nonnull(strstr(la, "ControlSet002/Services/LogOnly"));
		list_is(hv, "ControlSet002\\Services", nsvc, "LogOnly", 'i');
		free(la);
		free(log);
		free(p);
		free(hv);
		free(lp);
		free(sub);
	}
	free(wantl);
	free(want);
	free(sw);
	free(t0);
	free(t1);
	free(fix);
	free(fh);
	free(fin);
	tu_rmrf(dir);
	free(dir);
}
END_TEST

static Suite *
lists_suite(void)
{
	Suite *s = suite_create("lists");
	TCase *tc = tcase_create("core");

	/* These three read real hives of ../shared. */
	if (tu_have_shared("test_real_li, test_real_hashes, "
	    "test_real_many_subkeys")) {
		TCase *tr = tcase_create("real");

		tcase_add_test(tr, test_real_li);
		tcase_add_test(tr, test_real_hashes);
		tcase_add_test(tr, test_real_many_subkeys);
		suite_add_tcase(s, tr);
	}
	tcase_add_test(tc, test_mkhive_lists);
	tcase_add_test(tc, test_delete_li);
	tcase_add_test(tc, test_create_li);
	tcase_add_test(tc, test_delete_order);
	tcase_add_test(tc, test_verify_li);
	tcase_add_test(tc, test_dirty_li);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(lists_suite());
}
