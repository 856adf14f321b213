/* check_lists.c: the four kinds of subkey list Windows writes (lf, lh, li
 * and ri of them), read and changed.
 *
 * Works on the two real hives of ../shared/hives-real whose keys use li
 * lists (win8-usrclass: an ri of li lists and an li list directly under a
 * key; many-subkeys: 5,000 subkeys under an ri of nine li lists).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "hive.h"
#include "testutil.h"

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

static struct hive *
open_ok(const char *path)
{
	struct hive *hv = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_msg(hive_open(path, 0, &hv, &d) == 0, "cannot open '%s': %s",
	    path, d.n ? d.items[0].msg : "?");
	diag_free(&d);
	return hv;
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

	hv = open_ok(ms);
	subkeys_are(hv, "key_with_many_subkeys", 5000);
	hive_close(hv);
	hv = open_ok(uc);
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

static Suite *
lists_suite(void)
{
	Suite *s = suite_create("lists");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_real_li);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tu_need_shared();
	return tu_run_suite(lists_suite());
}
