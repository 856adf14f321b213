/* check_plan.c: the planner on the fixture hives.
 *
 * Q267971 deletes exactly the SMSPerfCountersfor* service keys of the
 * chosen control set, whatever their letter case, and nothing else;
 * Q317061 sets DriveLetter to an empty REG_SZ under the name the hive
 * spells it with.  The expected keys are found here by walking the hive
 * with hivex itself, then checked against the names of
 * tests/fixtures/system.reg.
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

static struct remedy *
load_text(const char *text, const char *name)
{
	char *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	struct remedy *r = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_msg(remedy_load_memory(text, strlen(text), name, schema, &r,
	    &d) == 0, "%s: %s", name, d.n ? d.items[0].msg : "?");
	diag_free(&d);
	free(schema);
	return r;
}

static struct hive *
open_fixture(const char *rel)
{
	char *p = tu_fixture(rel);
	struct hive *hv = tu_hive_open(p);

	free(p);
	return hv;
}

/* The SOFTWARE hive of the SYSTEM fixtures' machine, an SMS 2.0 SP2 site
 * server (Q267971 reads its service pack there); opened once. */
static struct hive *
software_sms(void)
{
	static struct hive *sw;

	if (sw == NULL)
		sw = open_fixture("software-sms/SOFTWARE");
	return sw;
}

/* Plan the remedies IDS (NULL-terminated) on HV with control set CS; a
 * SYSTEM hive is planned with the SOFTWARE hive of its machine. */
static struct plan *
plan_ids(struct hive *hv, const char *const *ids, const char *cs,
    struct remedy ***rs_out, size_t *nrs)
{
	struct remedy **rs;
	struct hive *hives[2] = { hv, NULL };
	struct target t = { hives, 1, NULL };
	struct plan_options o = { cs, 0 };
	struct plan *p = NULL;
	struct diag d;
	size_t n;

	if (hv->kind == HIVE_SYSTEM) {
		hives[1] = software_sms();
		t.nhives = 2;
	}
	for (n = 0; ids[n]; n++)
		;
	rs = calloc(n + 1, sizeof *rs);
	ck_assert_ptr_nonnull(rs);
	for (n = 0; ids[n]; n++)
		rs[n] = tu_remedy(ids[n]);
	diag_init(&d);
	ck_assert_msg(plan_compute(rs, n, &t, &o, &p, &d) == 0,
	    "plan_compute: %s", d.n ? d.items[0].msg : "?");
	ck_assert_uint_eq(d.nerrors, 0);
	diag_free(&d);
	ck_assert_uint_eq(p->nentries, n);
	*rs_out = rs;
	*nrs = n;
	return p;
}

static void
remedies_free(struct remedy **rs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		remedy_free(rs[i]);
	free(rs);
}

/* One remedy ID on HV: its plan. */
#define PLAN1(hv, id, cs, rs, nrs) \
	plan_ids((hv), (const char *const[]){ (id), NULL }, (cs), &(rs), &(nrs))

static void
strings_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The delete-key changes of E under CS are exactly the prefixed services
 * of CS, in hive order, each with its node. */
static size_t
check_deletes(const struct plan_entry *e, const struct hive *hv,
    const char *cs, size_t from)
{
	size_t n, i;
	char **want = tu_services_prefixed(hv, cs, PREFIX, &n);

	ck_assert_uint_ge(e->nchanges, from + n);
	for (i = 0; i < n; i++) {
		const struct change *ch = &e->changes[from + i];
		char *path[] = { (char *)cs, "Services", want[i] };

		ck_assert_int_eq(ch->kind, CHANGE_DELETE_KEY);
		ck_assert_ptr_eq(ch->hive, hv);
		ck_assert_uint_eq(ch->nkey, 3);
		ck_assert_str_eq(ch->key[0], cs);
		ck_assert_str_eq(ch->key[1], "Services");
		/* Spelled as the hive spells it. */
		ck_assert_str_eq(ch->key[2], want[i]);
		ck_assert_uint_eq(ch->node, hive_lookup(hv, hv->root, path, 3));
	}
	strings_free(want, n);
	return n;
}

/* No change of P names key NAME (any letter case) anywhere. */
static void
untouched(const struct plan *p, const char *name)
{
	size_t i, j, k;

	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++) {
			const struct change *ch = &p->entries[i].changes[j];

			for (k = 0; k < ch->nkey; k++)
				ck_assert_msg(strcasecmp(ch->key[k], name) != 0,
				    "'%s' is touched", name);
		}
}

/* ------------------------------------------------------------------ */

START_TEST(test_q267971_current)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	struct remedy **rs;
	size_t nrs, n;
	struct plan *p = PLAN1(hv, "Q267971", NULL, rs, nrs);
	const struct plan_entry *e = &p->entries[0];

	ck_assert_int_eq(e->status, ENTRY_APPLIES);
	ck_assert_str_eq(e->control_sets, "ControlSet002 (current)");
	n = check_deletes(e, hv, "ControlSet002", 0);
	ck_assert_uint_eq(e->nchanges, n);
	/* The three spellings of tests/fixtures/system.reg, the article's
	 * own "SMSPerfCountersfor" among them. */
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(e->changes[0].key[2],
	    "SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL");
	ck_assert_str_eq(e->changes[1].key[2],
	    "SMSPerfCountersforD:_SMSLOGON_I386_SMSPERF.DLL");
	ck_assert_str_eq(e->changes[2].key[2],
	    "SMSPERFCOUNTERSFORE:_SMS_BIN_I386_SMSPERF.DLL");
	/* The decoys and the other control set survive. */
	untouched(p, "SMSPerfCounters");
	untouched(p, "OldSMSPerfCountersForX");
	untouched(p, "ControlSet001");
	ck_assert_str_eq(e->reason, "3 keys match 'HKEY_LOCAL_MACHINE\\SYSTEM"
	    "\\ControlSet002\\Services\\SMSPerfCountersfor*'"
	    "; 'ImagePath' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\"
	    "Services\\SMS_EXECUTIVE' is \"C:\\SMS\\bin\\i386\\smsexec.exe\", "
	    "which matches '*\\bin\\i386\\smsexec.exe'; 'Full Version' of "
	    "'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\Setup' is "
	    "\"2.00.1493.2000\", which matches '2.00.1493.*'");
	ck_assert_uint_eq(e->nnotes, 0);
	ck_assert_uint_eq(plan_nchanges(p), 3);
	ck_assert(plan_touches(p, hv));
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);
}
END_TEST

START_TEST(test_q267971_control_sets)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	struct remedy **rs;
	size_t nrs, n;
	struct plan *p;
	const struct plan_entry *e;

	/* All: ControlSet001 first, then ControlSet002. */
	p = PLAN1(hv, "Q267971", "all", rs, nrs);
	e = &p->entries[0];
	ck_assert_int_eq(e->status, ENTRY_APPLIES);
	ck_assert_str_eq(e->control_sets, "ControlSet001, ControlSet002 (all)");
	n = check_deletes(e, hv, "ControlSet001", 0);
	ck_assert_uint_eq(n, 3);
	/* ControlSet001 spells the third one in lower case. */
	ck_assert_str_eq(e->changes[2].key[2],
	    "smsperfcountersfore:_sms_bin_i386_smsperf.dll");
	n += check_deletes(e, hv, "ControlSet002", n);
	ck_assert_uint_eq(e->nchanges, 6);
	ck_assert_uint_eq(n, 6);
	untouched(p, "SMSPerfCounters");
	untouched(p, "OldSMSPerfCountersForX");
	ck_assert_str_eq(e->reason, "3 keys match 'HKEY_LOCAL_MACHINE\\SYSTEM"
	    "\\ControlSet001\\Services\\SMSPerfCountersfor*'"
	    "; 'ImagePath' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\"
	    "Services\\SMS_EXECUTIVE' is \"C:\\SMS\\bin\\i386\\smsexec.exe\", "
	    "which matches '*\\bin\\i386\\smsexec.exe'; 'Full Version' of "
	    "'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\Setup' is "
	    "\"2.00.1493.2000\", which matches '2.00.1493.*'"
	    "; the conditions also hold in ControlSet002");
	plan_free(p);
	remedies_free(rs, nrs);

	/* A number, and the Select names. */
	p = PLAN1(hv, "Q267971", "1", rs, nrs);
	e = &p->entries[0];
	ck_assert_str_eq(e->control_sets, "ControlSet001 (chosen)");
	ck_assert_uint_eq(check_deletes(e, hv, "ControlSet001", 0), 3);
	ck_assert_uint_eq(e->nchanges, 3);
	untouched(p, "ControlSet002");
	plan_free(p);
	remedies_free(rs, nrs);

	p = PLAN1(hv, "Q267971", "lkg", rs, nrs);
	e = &p->entries[0];
	ck_assert_str_eq(e->control_sets, "ControlSet001 (last known good)");
	ck_assert_uint_eq(check_deletes(e, hv, "ControlSet001", 0), 3);
	plan_free(p);
	remedies_free(rs, nrs);

	p = PLAN1(hv, "Q267971", "default", rs, nrs);
	e = &p->entries[0];
	ck_assert_str_eq(e->control_sets, "ControlSet002 (default)");
	ck_assert_uint_eq(check_deletes(e, hv, "ControlSet002", 0), 3);
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);
}
END_TEST

/* A control set that cannot be resolved makes the plan fail, naming the
 * file. */
START_TEST(test_control_set_errors)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	struct hive *hives[1] = { hv };
	struct target t = { hives, 1, NULL };
	struct remedy *r = tu_remedy("Q267971");
	struct plan_options o = { "failed", 0 };
	struct plan *p = (struct plan *)1;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(plan_compute(&r, 1, &t, &o, &p, &d), -1);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_str_eq(d.items[0].file, hv->path);
	ck_assert_str_eq(d.items[0].msg,
	    "Select\\Failed is missing or 0: no usable control set");
	diag_free(&d);
	o.control_set = "7";
	diag_init(&d);
	ck_assert_int_eq(plan_compute(&r, 1, &t, &o, &p, &d), -1);
	ck_assert_str_eq(d.items[0].msg, "ControlSet007 does not exist");
	diag_free(&d);
	remedy_free(r);
	hive_close(hv);
}
END_TEST

START_TEST(test_q317061)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	struct remedy **rs;
	size_t nrs;
	struct plan *p = PLAN1(hv, "Q317061", NULL, rs, nrs);
	const struct plan_entry *e = &p->entries[0];
	const struct change *ch;

	ck_assert_int_eq(e->status, ENTRY_APPLIES);
	ck_assert_str_eq(e->control_sets, "ControlSet002 (current)");
	ck_assert_uint_eq(e->nchanges, 1);
	ch = &e->changes[0];
	ck_assert_int_eq(ch->kind, CHANGE_SET_VALUE);
	ck_assert_uint_eq(ch->nkey, 4);
	ck_assert_str_eq(ch->key[0], "ControlSet002");
	ck_assert_str_eq(ch->key[2], "EXIFS");
	ck_assert_str_eq(ch->key[3], "Parameters");
	ck_assert_str_eq(ch->name, "DriveLetter");
	/* From "M" to an empty REG_SZ: one UTF-16 NUL, not deleted, not
	 * another type. */
	ck_assert_int_eq(ch->had_old, 1);
	ck_assert_uint_eq(ch->old.type, REG_SZ);
	ck_assert_uint_eq(ch->old.len, 4);
	ck_assert_mem_eq(ch->old.data, "M\0\0", 4);
	ck_assert_uint_eq(ch->new.type, REG_SZ);
	ck_assert_uint_eq(ch->new.len, 2);
	ck_assert_mem_eq(ch->new.data, "\0\0", 2);
	ck_assert_str_eq(e->reason, "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002"
	    "\\Services\\EXIFS\\Parameters' has a value 'DriveLetter'; "
	    "'DriveLetter' of 'HKEY_LOCAL_MACHINE"
	    "\\SYSTEM\\ControlSet002\\Services\\EXIFS\\Parameters' is \"M\"; "
	    "the remedy wants it blank; 'ImagePath' of 'HKEY_LOCAL_MACHINE\\"
	    "SYSTEM\\ControlSet002\\Services\\SMS_EXECUTIVE' is \"C:\\SMS\\"
	    "bin\\i386\\smsexec.exe\", which matches '*\\bin\\i386\\smsexec.exe'");
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);
}
END_TEST

/* The value keeps the letter case of its name, and the keys theirs. */
START_TEST(test_q317061_spelling)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "SYSTEM");
	struct hive *hv;
	struct remedy **rs;
	size_t nrs;
	struct plan *p;
	const struct change *ch;

	tu_mkhive(path, NULL, NULL, "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
	    "\"Current\"=dword:00000001\n\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\services\\exifs\\"
	    "PARAMETERS]\n"
	    "\"IoThreads\"=dword:00000004\n"
	    "\"driveLETTER\"=\"X\"\n\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\services\\"
	    "sms_executive]\n\"imagepath\"=\"c:\\\\sms\\\\BIN\\\\ALPHA\\\\"
	    "SMSEXEC.EXE\"\n");
	hv = tu_hive_open(path);
	p = PLAN1(hv, "Q317061", NULL, rs, nrs);
	ck_assert_int_eq(p->entries[0].status, ENTRY_APPLIES);
	ck_assert_uint_eq(p->entries[0].nchanges, 1);
	ch = &p->entries[0].changes[0];
	ck_assert_str_eq(ch->name, "driveLETTER");
	ck_assert_str_eq(ch->key[1], "services");
	ck_assert_str_eq(ch->key[2], "exifs");
	ck_assert_str_eq(ch->key[3], "PARAMETERS");
	ck_assert_mem_eq(ch->old.data, "X\0\0", 4);
	/* The reason speaks the remedy's spelling; the change the hive's. */
	ck_assert_str_eq(p->entries[0].reason, "'HKEY_LOCAL_MACHINE\\SYSTEM"
	    "\\ControlSet001\\Services\\EXIFS\\Parameters' has a value "
	    "'DriveLetter'; 'DriveLetter' of "
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\EXIFS\\"
	    "Parameters' is \"X\"; the remedy wants it blank; 'ImagePath' of "
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\"
	    "SMS_EXECUTIVE' is \"c:\\sms\\BIN\\ALPHA\\SMSEXEC.EXE\", which "
	    "matches '*\\bin\\alpha\\smsexec.exe'");
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);
	tu_rmrf(dir);
	free(dir);
	free(path);
}
END_TEST

/* Q317061 where there is nothing to do, and why. */
START_TEST(test_q317061_not_applicable)
{
	static const struct {
		const char *body, *reason;
	} t[] = {
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\EXIFS"
		  "\\Parameters]\n\"DriveLetter\"=\"\"\n",
		  "'DriveLetter' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001"
		  "\\Services\\EXIFS\\Parameters' is already blank" },
		/* Stored as a bare zero-length REG_SZ: blank too. */
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\EXIFS"
		  "\\Parameters]\n\"DriveLetter\"=hex(1):\n",
		  "'DriveLetter' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001"
		  "\\Services\\EXIFS\\Parameters' is already blank" },
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\EXIFS"
		  "\\Parameters]\n\"IoThreads\"=dword:00000004\n",
		  "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\EXIFS"
		  "\\Parameters' has no value 'DriveLetter'" },
		{ "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\Tcpip]"
		  "\n",
		  "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\EXIFS"
		  "\\Parameters' does not exist" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *dir = tu_tmpdir(), *path = tu_path(dir, "SYSTEM"), *reg;
		struct hive *hv;
		struct remedy **rs;
		size_t nrs;
		struct plan *p;

		ck_assert_int_ge(asprintf(&reg, "Windows Registry Editor "
		    "Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
		    "\"Current\"=dword:00000001\n\n%s", t[i].body), 0);
		tu_mkhive(path, NULL, NULL, reg);
		hv = tu_hive_open(path);
		p = PLAN1(hv, "Q317061", NULL, rs, nrs);
		ck_assert_int_eq(p->entries[0].status, ENTRY_NOT_APPLICABLE);
		ck_assert_uint_eq(p->entries[0].nchanges, 0);
		ck_assert_str_eq(p->entries[0].reason, t[i].reason);
		plan_free(p);
		remedies_free(rs, nrs);
		hive_close(hv);
		tu_rmrf(dir);
		free(dir);
		free(path);
		free(reg);
	}
}
END_TEST

START_TEST(test_clean_twin)
{
	struct hive *hv = open_fixture("system-clean/SYSTEM");
	static const char *const ids[] = { "Q267971", "Q317061", NULL };
	struct remedy **rs;
	size_t nrs;
	struct plan *p;

	p = plan_ids(hv, ids, NULL, &rs, &nrs);
	ck_assert_uint_eq(plan_nchanges(p), 0);
	ck_assert(!plan_touches(p, hv));
	ck_assert_int_eq(p->entries[0].status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(p->entries[0].reason, "no key matches "
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\"
	    "SMSPerfCountersfor*'");
	ck_assert_int_eq(p->entries[1].status, ENTRY_NOT_APPLICABLE);
	ck_assert_str_eq(p->entries[1].reason, "'DriveLetter' of "
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\EXIFS\\"
	    "Parameters' is already blank");
	plan_free(p);
	remedies_free(rs, nrs);
	/* In every control set. */
	p = plan_ids(hv, ids, "all", &rs, &nrs);
	ck_assert_uint_eq(plan_nchanges(p), 0);
	ck_assert_int_eq(p->entries[0].status, ENTRY_NOT_APPLICABLE);
	ck_assert_int_eq(p->entries[1].status, ENTRY_NOT_APPLICABLE);
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);
}
END_TEST

/* Both remedies together: entries in the order given, planning reads
 * only. */
START_TEST(test_both_read_only)
{
	char *dir = tu_tmpdir(), *copy = tu_path(dir, "SYSTEM");
	char *orig = tu_fixture("system/SYSTEM");
	static const char *const ids[] = { "Q317061", "Q267971", NULL };
	struct hive *hv;
	struct remedy **rs;
	size_t nrs;
	struct plan *p;

	tu_copy(orig, copy);
	hv = tu_hive_open(copy);
	p = plan_ids(hv, ids, "all", &rs, &nrs);
	ck_assert_str_eq(p->entries[0].remedy->id, "Q317061");
	ck_assert_str_eq(p->entries[1].remedy->id, "Q267971");
	ck_assert_uint_eq(p->entries[0].nchanges, 2);
	ck_assert_uint_eq(p->entries[1].nchanges, 6);
	ck_assert_uint_eq(plan_nchanges(p), 8);
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);
	ck_assert(tu_same_file(orig, copy));
	tu_rmrf(dir);
	free(dir);
	free(copy);
	free(orig);
}
END_TEST

/* The status of every remedy of the library on the fixtures. */
START_TEST(test_statuses)
{
	static const char *const all[] = { "Q195936", "Q256211", "Q267971",
	    "Q268499", "Q317061", NULL };
	static const struct {
		const char *hive;
		enum entry_status st[5];
	} t[] = {
		{ "system/SYSTEM", { ENTRY_NOT_APPLICABLE, ENTRY_APPLIES,
		    ENTRY_APPLIES, ENTRY_NOT_APPLICABLE, ENTRY_APPLIES } },
		{ "system-clean/SYSTEM", { ENTRY_NOT_APPLICABLE,
		    ENTRY_NOT_APPLICABLE,
		    ENTRY_NOT_APPLICABLE, ENTRY_NOT_APPLICABLE,
		    ENTRY_NOT_APPLICABLE } },
		/* SMS 1.2, not the SMS 2.0 of Q267971 and Q317061. */
		{ "system-sms12/SYSTEM", { ENTRY_ADVISORY, ENTRY_APPLIES,
		    ENTRY_NOT_APPLICABLE, ENTRY_NOT_APPLICABLE,
		    ENTRY_NOT_APPLICABLE } },
		{ "system-alpha/SYSTEM", { ENTRY_NOT_APPLICABLE, ENTRY_APPLIES,
		    ENTRY_APPLIES, ENTRY_NEEDS_FOLDER, ENTRY_APPLIES } },
		{ "ntuser/NTUSER.DAT", { ENTRY_MISSING_HIVE,
		    ENTRY_MISSING_HIVE, ENTRY_MISSING_HIVE,
		    ENTRY_MISSING_HIVE, ENTRY_MISSING_HIVE } },
	};
	size_t i, j;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct hive *hv = open_fixture(t[i].hive);
		struct remedy **rs;
		size_t nrs;
		struct plan *p = plan_ids(hv, all, NULL, &rs, &nrs);

		for (j = 0; j < 5; j++) {
			const struct plan_entry *e = &p->entries[j];

			ck_assert_msg(e->status == t[i].st[j],
			    "%s on %s: %s (%s), want %s", all[j], t[i].hive,
			    plan_status_name(e->status), e->reason,
			    plan_status_name(t[i].st[j]));
			ck_assert_ptr_nonnull(e->reason);
			ck_assert_uint_gt(strlen(e->reason), 0);
			/* Changes exactly when it applies. */
			ck_assert_int_eq(e->nchanges > 0,
			    e->status == ENTRY_APPLIES);
		}
		plan_free(p);
		remedies_free(rs, nrs);
		hive_close(hv);
	}
}
END_TEST

START_TEST(test_reasons)
{
	static const char *const all[] = { "Q195936", "Q256211", "Q267971",
	    "Q268499", "Q317061", NULL };
	struct hive *hv;
	struct remedy **rs;
	size_t nrs;
	struct plan *p;

	hv = open_fixture("ntuser/NTUSER.DAT");
	p = plan_ids(hv, all + 2, NULL, &rs, &nrs);
	ck_assert_str_eq(p->entries[0].reason,
	    "needs the SYSTEM and SOFTWARE hives, which were not given");
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);

	hv = open_fixture("system-clean/SYSTEM");
	p = plan_ids(hv, all, NULL, &rs, &nrs);
	ck_assert_str_eq(p->entries[0].reason, "'HKEY_LOCAL_MACHINE\\SYSTEM"
	    "\\ControlSet002\\Services\\SMS_EXECUTIVE' does not exist");
	ck_assert_str_eq(p->entries[1].reason, "'Path' of "
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Control\\Session "
	    "Manager\\Environment' holds no network entry (no UNC path, no "
	    "drive letter that MountedDevices does not list)");
	ck_assert_str_eq(p->entries[3].reason,
	    "PROCESSOR_ARCHITECTURE is 'x86', not 'alpha'");
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);

	hv = open_fixture("system-alpha/SYSTEM");
	p = plan_ids(hv, all + 3, NULL, &rs, &nrs);
	ck_assert_str_eq(p->entries[0].reason, "PROCESSOR_ARCHITECTURE is "
	    "'alpha'; 'ImagePath' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "ControlSet002\\Services\\CLISVC' is \"C:\\WINNT\\MS\\SMS\\CORE\\"
	    "BIN\\CLISVCL.EXE\", which matches '*\\MS\\SMS\\Core\\Bin\\"
	    "Clisvcl.exe'; whether '%SystemRoot%\\System32\\Nmperf.dll' exists "
	    "can only be seen in the Windows folder, and only hives were given");
	plan_free(p);
	remedies_free(rs, nrs);
	hive_close(hv);
}
END_TEST

/* A remedy whose symptom no hive shows (<unseen>): when the whole library
 * runs (hold_unseen), only possible, with no change, no note and no
 * entries to drop, and its reason says what cannot be seen; named, it
 * applies as any other. */
START_TEST(test_hold_unseen)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	struct hive *hives[2] = { hv, software_sms() };
	struct target t = { hives, 2, NULL };
	struct plan_options o = { NULL, 0 };
	static const char *const ids[] = { "Q256211", "Q317061", NULL };
	struct remedy *rs[2];
	struct plan *p;
	struct diag d;
	const char *end = "; the symptom (Smsapm32.exe not stopping when the "
	    "software distribution agent is upgraded, on clients before SMS "
	    "2.0 SP2, whose service pack is not in their hives) cannot be "
	    "seen offline: apply it by name if the machine shows it";
	size_t i;

	for (i = 0; i < 2; i++)
		rs[i] = tu_remedy(ids[i]);
	ck_assert_ptr_nonnull(rs[0]->unseen);
	ck_assert_ptr_null(rs[1]->unseen);
	diag_init(&d);
	/* Named. */
	ck_assert_int_eq(plan_compute(rs, 2, &t, &o, &p, &d), 0);
	ck_assert_int_eq(p->entries[0].status, ENTRY_APPLIES);
	ck_assert_uint_eq(p->entries[0].nchanges, 1);
	ck_assert_ptr_nonnull(p->entries[0].drops);
	ck_assert_uint_eq(p->entries[0].nnotes, 1);
	ck_assert_ptr_null(strstr(p->entries[0].reason, "cannot be seen"));
	plan_free(p);
	/* The whole library. */
	o.hold_unseen = 1;
	ck_assert_int_eq(plan_compute(rs, 2, &t, &o, &p, &d), 0);
	ck_assert_int_eq(p->entries[0].status, ENTRY_POSSIBLE);
	ck_assert_str_eq(plan_status_name(ENTRY_POSSIBLE), "possible");
	ck_assert_uint_eq(p->entries[0].nchanges, 0);
	ck_assert_ptr_null(p->entries[0].changes);
	ck_assert_uint_eq(p->entries[0].nnotes, 0);
	ck_assert_ptr_null(p->entries[0].drops);
	ck_assert_uint_ge(strlen(p->entries[0].reason), strlen(end));
	ck_assert_str_eq(p->entries[0].reason + strlen(p->entries[0].reason) -
	    strlen(end), end);
	ck_assert_int_eq(strncmp(p->entries[0].reason, "'ImagePath' of ", 15),
	    0);
	/* The others are planned as before. */
	ck_assert_int_eq(p->entries[1].status, ENTRY_APPLIES);
	ck_assert_uint_eq(p->entries[1].nchanges, 1);
	ck_assert_uint_eq(plan_nchanges(p), 1);
	ck_assert(plan_touches(p, hv));
	plan_free(p);
	ck_assert_uint_eq(d.nerrors, 0);
	diag_free(&d);
	for (i = 0; i < 2; i++)
		remedy_free(rs[i]);
	hive_close(hv);
}
END_TEST

/* What a held remedy would have changed is not seen by the remedies
 * planned after it: B, which asks for the value A sets, finds it missing
 * when A is held, and done when A is planned.  Statuses other than
 * "applies" are never held. */
START_TEST(test_hold_unseen_order)
{
	static const char head[] =
	    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"%s\"><title>t</title>"
	    "<article number=\"Q1\"><product>p</product><symptom>s</symptom>"
	    "<workaround>w</workaround></article><summary>s</summary>%s"
	    "<hive name=\"SYSTEM\"/><when>%s</when><actions><set-value "
	    "path=\"HKLM\\SYSTEM\\CurrentControlSet\\Services\\EXIFS\\"
	    "Parameters\" name=\"%s\" type=\"dword\" data=\"1\" "
	    "create=\"true\"/></actions></remedy>";
	char *xa = NULL, *xb = NULL, *xc = NULL;
	struct hive *hv = open_fixture("system/SYSTEM");
	struct hive *hives[1] = { hv };
	struct target t = { hives, 1, NULL };
	struct plan_options o = { NULL, 1 };
	struct remedy *rs[3];
	struct plan *p;
	struct diag d;

	ck_assert_int_ge(asprintf(&xa, head, "A", "<unseen>u</unseen>",
	    "<key-exists path=\"HKLM\\SYSTEM\\CurrentControlSet\\Services\\"
	    "EXIFS\"/>", "Held"), 0);
	ck_assert_int_ge(asprintf(&xb, head, "B", "",
	    "<value-exists path=\"HKLM\\SYSTEM\\CurrentControlSet\\Services\\"
	    "EXIFS\\Parameters\" name=\"Held\"/>", "Seen"), 0);
	/* Not applicable: nothing to hold. */
	ck_assert_int_ge(asprintf(&xc, head, "C", "<unseen>u</unseen>",
	    "<key-exists path=\"HKLM\\SYSTEM\\CurrentControlSet\\Services\\"
	    "Nope\"/>", "Other"), 0);
	rs[0] = load_text(xa, "a.xml");
	rs[1] = load_text(xb, "b.xml");
	rs[2] = load_text(xc, "c.xml");
	diag_init(&d);
	ck_assert_int_eq(plan_compute(rs, 3, &t, &o, &p, &d), 0);
	ck_assert_int_eq(p->entries[0].status, ENTRY_POSSIBLE);
	ck_assert_str_eq(p->entries[0].reason, "'HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "ControlSet002\\Services\\EXIFS' exists; the symptom (u) cannot "
	    "be seen offline: apply it by name if the machine shows it");
	ck_assert_int_eq(p->entries[1].status, ENTRY_NOT_APPLICABLE);
	ck_assert_int_eq(p->entries[2].status, ENTRY_NOT_APPLICABLE);
	ck_assert_uint_eq(plan_nchanges(p), 0);
	plan_free(p);
	o.hold_unseen = 0;
	ck_assert_int_eq(plan_compute(rs, 3, &t, &o, &p, &d), 0);
	ck_assert_int_eq(p->entries[0].status, ENTRY_APPLIES);
	ck_assert_int_eq(p->entries[1].status, ENTRY_APPLIES);
	ck_assert_uint_eq(plan_nchanges(p), 2);
	plan_free(p);
	diag_free(&d);
	remedy_free(rs[0]);
	remedy_free(rs[1]);
	remedy_free(rs[2]);
	hive_close(hv);
	free(xa);
	free(xb);
	free(xc);
}
END_TEST

/* A draft is never planned. */
START_TEST(test_draft)
{
	char *path = tu_path(tu_srcdir(), "remedies/Q267971.xml");
	char *text = tu_read(path, NULL), *at, *draft;
	struct hive *hv = open_fixture("system/SYSTEM");
	struct hive *hives[1] = { hv };
	struct target t = { hives, 1, NULL };
	struct plan *p;
	struct remedy *r;
	struct diag d;

	ck_assert_ptr_nonnull(text);
	at = strstr(text, "id=\"Q267971\"");
	ck_assert_ptr_nonnull(at);
	ck_assert_int_ge(asprintf(&draft, "%.*s draft=\"true\"%s",
	    (int)(at - text + 12), text, at + 12), 0);
	r = load_text(draft, "draft.xml");
	ck_assert_int_eq(r->draft, 1);
	diag_init(&d);
	ck_assert_int_eq(plan_compute(&r, 1, &t, NULL, &p, &d), 0);
	ck_assert_int_eq(p->entries[0].status, ENTRY_DRAFT);
	ck_assert_uint_eq(p->entries[0].nchanges, 0);
	plan_free(p);
	diag_free(&d);
	remedy_free(r);
	hive_close(hv);
	free(draft);
	free(text);
	free(path);
}
END_TEST

START_TEST(test_key_text)
{
	struct hive *hv = open_fixture("system/SYSTEM");
	char *k[] = { "ControlSet002", "Services" };
	char *s = plan_key_text(hv, k, 2);

	ck_assert_str_eq(s, "HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\"
	    "Services");
	free(s);
	s = plan_key_text(hv, k, 0);
	ck_assert_str_eq(s, "HKEY_LOCAL_MACHINE\\SYSTEM");
	free(s);
	hive_close(hv);
	hv = open_fixture("ntuser/NTUSER.DAT");
	k[0] = "Environment";
	s = plan_key_text(hv, k, 1);
	ck_assert_str_eq(s, "HKEY_CURRENT_USER\\Environment");
	free(s);
	hive_close(hv);
}
END_TEST

static Suite *
plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_q267971_current);
	tcase_add_test(tc, test_q267971_control_sets);
	tcase_add_test(tc, test_control_set_errors);
	tcase_add_test(tc, test_q317061);
	tcase_add_test(tc, test_q317061_spelling);
	tcase_add_test(tc, test_q317061_not_applicable);
	tcase_add_test(tc, test_clean_twin);
	tcase_add_test(tc, test_both_read_only);
	tcase_add_test(tc, test_statuses);
	tcase_add_test(tc, test_reasons);
	tcase_add_test(tc, test_draft);
	tcase_add_test(tc, test_hold_unseen);
	tcase_add_test(tc, test_hold_unseen_order);
	tcase_add_test(tc, test_key_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(plan_suite());
}
