/* check_plan_xp.c: the planner and the dry run on a real hive.
 *
 * The SYSTEM hive of a Windows XP SP3 machine from ../shared/hives-real/
 * xp-sp3 (BitCurator's bcc-dfa-sample-data, CC-BY-4.0; Select\Current=1,
 * LastKnownGood=2, 263 services) is decompressed into a temporary folder,
 * never changed in place.  The keys the remedies look for are added to the
 * copy here, as an SMS 2.0 site server with Exchange 2000 would have had
 * them; the rest of the hive is what the machine held.  The machine came
 * without its SOFTWARE hive: a small one says what Q267971 reads there,
 * Windows XP and SMS 2.0 at Service Pack 4.
 *
 * Skipped (exit 77) without ../shared, unless $CI is set.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive.h"
#include "plan.h"
#include "remedy.h"
#include "testutil.h"

#define PREFIX	"SMSPerfCountersFor"
#define SVC	"[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\"

/* The SMS 2.0 keys of the article in three letter cases, each with the
 * subkeys and values SMS creates; two decoys; the SMS Executive of an SMS
 * 2.0 site server and Exchange 2000's EXIFS drive letter.  ControlSet002
 * (last known good) gets one more SMSPerf key and the SMS Executive, so
 * that planning the current set must leave it alone. */
static const char keys_reg[] =
    "Windows Registry Editor Version 5.00\n\n"
    SVC "SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL]\n"
    "\"Type\"=dword:00000010\n\"Start\"=dword:00000003\n\n"
    SVC "SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL\\Performance]\n"
    "\"Library\"=\"C:\\\\SMS\\\\bin\\\\i386\\\\SMSPERF.dll\"\n"
    "\"First Counter\"=dword:000007d0\n\n"
    SVC "SMSPerfCountersforD:_SMSLOGON_I386_SMSPERF.DLL]\n"
    "\"Type\"=dword:00000010\n\n"
    SVC "SMSPerfCountersforD:_SMSLOGON_I386_SMSPERF.DLL\\Linkage]\n"
    "\"Export\"=hex(7):41,00,00,00,00,00\n\n"
    SVC "smsperfcountersfore:_sms_bin_i386_smsperf.dll]\n"
    "\"Type\"=dword:00000010\n\n"
    SVC "SMSPerfCounters]\n\"Type\"=dword:00000010\n\n"
    SVC "OldSMSPerfCountersForX]\n\"Type\"=dword:00000010\n\n"
    SVC "EXIFS\\Parameters]\n\"DriveLetter\"=\"M\"\n"
    "\"IoThreads\"=dword:00000004\n\n"
    SVC "SMS_EXECUTIVE]\n"
    "\"ImagePath\"=\"C:\\\\SMS\\\\bin\\\\i386\\\\smsexec.exe\"\n\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\"
    "SMSPerfCountersForZ:_SMS_BIN_I386_SMSPERF.DLL]\n"
    "\"Type\"=dword:00000010\n\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\SMS_EXECUTIVE]\n"
    "\"ImagePath\"=\"C:\\\\SMS\\\\bin\\\\i386\\\\smsexec.exe\"\n";

/* The SOFTWARE hive beside it. */
static const char software_reg[] =
    "Windows Registry Editor Version 5.00\n\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt]\n\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\n"
    "\"CurrentVersion\"=\"5.1\"\n\"CurrentBuildNumber\"=\"2600\"\n\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\Setup]\n"
    "\"Full Version\"=\"2.00.1493.4000\"\n";

static char *dir, *hive_path, *software_path;
static struct hive *software;

/* A fresh copy of the XP SYSTEM hive, with the keys added. */
static void
setup(void)
{
	char *xz = tu_path(tu_shared(), "hives-real/xp-sp3/SYSTEM.xz");

	dir = tu_tmpdir();
	hive_path = tu_path(dir, "SYSTEM");
	tu_unxz(xz, hive_path);
	free(xz);
	software_path = tu_path(dir, "SOFTWARE");
	tu_mkhive(software_path,
	    "CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}",
	    "HKEY_LOCAL_MACHINE\\SOFTWARE", software_reg);
	software = tu_hive_open(software_path);
}

static void
teardown(void)
{
	hive_close(software);
	tu_rmrf(dir);
	free(dir);
	free(hive_path);
	free(software_path);
}

static struct plan *
plan_of(struct hive *hv, const char *id, const char *cs, struct remedy **r)
{
	char *p = NULL, *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	struct hive *hives[2] = { hv, NULL };
	struct target t = { hives, 1, NULL };
	struct plan_options o = { cs, 0 };
	struct plan *pl = NULL;
	struct diag d;

	/* The SYSTEM hive with the machine's SOFTWARE. */
	if (hv->kind == HIVE_SYSTEM) {
		hives[1] = software;
		t.nhives = 2;
	}
	ck_assert_int_ge(asprintf(&p, "%s/remedies/%s.xml", tu_srcdir(), id), 0);
	diag_init(&d);
	ck_assert_int_eq(remedy_load(p, schema, r, &d), 0);
	ck_assert_msg(plan_compute(r, 1, &t, &o, &pl, &d) == 0, "%s: %s", id,
	    d.n ? d.items[0].msg : "?");
	diag_free(&d);
	free(p);
	free(schema);
	return pl;
}

/* The changes of E from FROM on are the deletions of exactly the
 * prefixed services of CS; returns how many. */
static size_t
deletes_are(const struct plan_entry *e, const struct hive *hv,
    const char *cs, size_t from)
{
	size_t n, i;
	char **want = tu_services_prefixed(hv, cs, PREFIX, &n);

	ck_assert_uint_ge(e->nchanges, from + n);
	for (i = 0; i < n; i++) {
		const struct change *ch = &e->changes[from + i];

		ck_assert_int_eq(ch->kind, CHANGE_DELETE_KEY);
		ck_assert_uint_eq(ch->nkey, 3);
		ck_assert_str_eq(ch->key[0], cs);
		ck_assert_str_eq(ch->key[2], want[i]);
		free(want[i]);
	}
	free(want);
	return n;
}

START_TEST(test_untouched_hive)
{
	/* As it came from the machine: a SYSTEM hive, nothing to do for
	 * these two remedies. */
	struct hive *hv = tu_hive_open(hive_path);
	struct remedy *r;
	struct plan *p;

	ck_assert_int_eq(hv->kind, HIVE_SYSTEM);
	ck_assert_uint_eq(hv->cs_current, 1);
	ck_assert_uint_eq(hv->cs_default, 1);
	ck_assert_uint_eq(hv->cs_lkg, 2);
	ck_assert_uint_eq(hv->cs_failed, 0);
	ck_assert(!regf_is_dirty(&hv->hdr));
	p = plan_of(hv, "Q267971", NULL, &r);
	ck_assert_int_eq(p->entries[0].status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(p->entries[0].reason, "no key matches "
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\"
	    "SMSPerfCountersfor*'");
	plan_free(p);
	remedy_free(r);
	p = plan_of(hv, "Q317061", NULL, &r);
	ck_assert_int_eq(p->entries[0].status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(p->entries[0].reason, "'HKEY_LOCAL_MACHINE\\SYSTEM"
	    "\\ControlSet001\\Services\\EXIFS\\Parameters' does not exist");
	plan_free(p);
	remedy_free(r);
	hive_close(hv);
}
END_TEST

/* The user's hive of the same machine is told apart by its content, and
 * the SYSTEM remedies do not run on it. */
START_TEST(test_ntuser)
{
	char *xz = tu_path(tu_shared(), "hives-real/xp-sp3/NTUSER.DAT.xz");
	char *path = tu_path(dir, "NTUSER.DAT");
	struct hive *hv;
	struct remedy *r;
	struct plan *p;

	tu_unxz(xz, path);
	hv = tu_hive_open(path);
	ck_assert_int_eq(hv->kind, HIVE_NTUSER);
	p = plan_of(hv, "Q267971", NULL, &r);
	ck_assert_int_eq(p->entries[0].status, ENTRY_MISSING_HIVE);
	ck_assert_uint_eq(p->entries[0].nchanges, 0);
	plan_free(p);
	remedy_free(r);
	hive_close(hv);
	free(path);
	free(xz);
}
END_TEST

START_TEST(test_q267971)
{
	struct hive *hv;
	struct remedy *r;
	struct plan *p;
	const struct plan_entry *e;
	size_t n, i;

	tu_reg_merge(hive_path, NULL, keys_reg);
	hv = tu_hive_open(hive_path);
	ck_assert_uint_eq(hv->cs_current, 1);
	/* The current control set, from Select. */
	p = plan_of(hv, "Q267971", NULL, &r);
	e = &p->entries[0];
	ck_assert_int_eq(e->status, ENTRY_APPLIES);
	ck_assert_str_eq(e->control_sets, "ControlSet001 (current)");
	n = deletes_are(e, hv, "ControlSet001", 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(e->nchanges, 3);
	for (i = 0; i < e->nchanges; i++) {
		ck_assert_str_ne(e->changes[i].key[2], "SMSPerfCounters");
		ck_assert_str_ne(e->changes[i].key[2],
		    "OldSMSPerfCountersForX");
	}
	plan_free(p);
	remedy_free(r);
	/* All: the key of ControlSet002 too. */
	p = plan_of(hv, "Q267971", "all", &r);
	e = &p->entries[0];
	ck_assert_str_eq(e->control_sets, "ControlSet001, ControlSet002 (all)");
	n = deletes_are(e, hv, "ControlSet001", 0);
	n += deletes_are(e, hv, "ControlSet002", n);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(e->nchanges, 4);
	plan_free(p);
	remedy_free(r);
	hive_close(hv);
}
END_TEST

START_TEST(test_q317061)
{
	struct hive *hv;
	struct remedy *r;
	struct plan *p;
	const struct change *ch;

	tu_reg_merge(hive_path, NULL, keys_reg);
	hv = tu_hive_open(hive_path);
	p = plan_of(hv, "Q317061", NULL, &r);
	ck_assert_int_eq(p->entries[0].status, ENTRY_APPLIES);
	ck_assert_uint_eq(p->entries[0].nchanges, 1);
	ch = &p->entries[0].changes[0];
	ck_assert_int_eq(ch->kind, CHANGE_SET_VALUE);
	ck_assert_str_eq(ch->key[0], "ControlSet001");
	ck_assert_str_eq(ch->name, "DriveLetter");
	ck_assert_uint_eq(ch->old.type, REG_SZ);
	ck_assert_mem_eq(ch->old.data, "M\0\0", 4);
	ck_assert_uint_eq(ch->new.type, REG_SZ);
	ck_assert_uint_eq(ch->new.len, 2);
	plan_free(p);
	remedy_free(r);
	/* ControlSet002 has no EXIFS: nothing there. */
	p = plan_of(hv, "Q317061", "2", &r);
	ck_assert_int_eq(p->entries[0].status, ENTRY_NOT_APPLICABLE);
	plan_free(p);
	remedy_free(r);
	hive_close(hv);
}
END_TEST

/* The command line's dry run on the copy: exit 1, the changes printed,
 * nothing written. */
START_TEST(test_dry_run)
{
	const char *kbfix = getenv("KBFIX");
	char *saved = tu_path(dir, "SYSTEM.before"), *cmd = NULL, *out = NULL;
	int rc;

	ck_assert_msg(kbfix != NULL, "$KBFIX is not set");
	tu_reg_merge(hive_path, NULL, keys_reg);
	tu_copy(hive_path, saved);
	ck_assert_int_ge(asprintf(&cmd, "cd '%s' && '%s' --dry-run Q267971 "
	    "Q317061 SYSTEM SOFTWARE 2>&1", dir, kbfix), 0);
	/* Exit 1: changes pending. */
	rc = tu_run(cmd, &out);
	ck_assert_int_eq(rc, 1);
	ck_assert(tu_same_file(hive_path, saved));
	ck_assert_msg(strstr(out, "# hive 'SYSTEM' (SYSTEM), ControlSet001 "
	    "(current)\n-[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\"
	    "SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL]\n-\"Type\"="
	    "dword:00000010 (16)\n") != NULL, "%s", out);
	ck_assert(strstr(out, "-[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\"
	    "Services\\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL\\"
	    "Performance]\n-\"Library\"=\"C:\\\\SMS\\\\bin\\\\i386\\\\"
	    "SMSPERF.dll\"\n") != NULL);
	ck_assert(strstr(out, "-[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\"
	    "Services\\smsperfcountersfore:_sms_bin_i386_smsperf.dll]\n") !=
	    NULL);
	ck_assert(strstr(out, " [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\"
	    "Services\\EXIFS\\Parameters]\n-\"DriveLetter\"=\"M\"\n"
	    "+\"DriveLetter\"=\"\"\n") != NULL);
	ck_assert(strstr(out, "ControlSet002") == NULL);
	ck_assert(strstr(out, "OldSMSPerfCountersForX") == NULL);
	ck_assert(strstr(out, "SMSPerfCounters]") == NULL);
	free(out);
	free(cmd);
	/* No file but the three. */
	ck_assert_int_ge(asprintf(&cmd, "ls -A '%s'", dir), 0);
	ck_assert_int_eq(tu_run(cmd, &out), 0);
	ck_assert_str_eq(out, "SOFTWARE\nSYSTEM\nSYSTEM.before\n");
	free(out);
	free(cmd);
	free(saved);
}
END_TEST

static Suite *
xp_suite(void)
{
	Suite *s = suite_create("plan_xp");
	TCase *tc = tcase_create("xp-sp3");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_untouched_hive);
	tcase_add_test(tc, test_ntuser);
	tcase_add_test(tc, test_q267971);
	tcase_add_test(tc, test_q317061);
	tcase_add_test(tc, test_dry_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tu_need_shared();
	return tu_run_suite(xp_suite());
}
