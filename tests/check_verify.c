/* check_verify.c: verify_unchanged lets the plan's changes through and
 * catches any other.
 *
 * Each test builds a small SYSTEM hive, plans on it a remedy that sets,
 * creates and deletes values, creates a key and deletes a key with one
 * below it, and writes the plan into a copy as apply does (the plan's .reg
 * merged by regfile_apply, hivex_commit, regf_finish of the new bins).
 * Then a few bytes of the copy are changed where the plan has no business,
 * or more is merged into it, and the check must name the difference.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hive.h"
#include "plan.h"
#include "remedy.h"
#include "render.h"
#include "testutil.h"
#include "verify.h"

#define CS	"HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services"
#define CCS	"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services"

static const char hive_reg[] =
    "Windows Registry Editor Version 5.00\n\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
    "\"Current\"=dword:00000001\n\n"
    "[" CS "\\Keep]\n"
    "\"ImagePath\"=\"system32\\\\drivers\\\\keep.sys\"\n"
    "\"Start\"=dword:00000003\n\n"
    "[" CS "\\Keep\\Parameters]\n"
    "\"Level\"=dword:00000002\n\n"
    "[" CS "\\Edit]\n"
    "\"Mode\"=\"old\"\n"
    "\"Stale\"=dword:00000001\n"
    "\"Same\"=\"unchanged\"\n\n"
    "[" CS "\\Edit\\Old]\n"
    "\"X\"=dword:00000001\n\n"
    "[" CS "\\Edit\\Old\\Deeper]\n"
    "\"Y\"=\"y\"\n";

static const char remedy_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"VERIFY\">\n"
    "  <title>Edits the Edit service</title>\n"
    "  <article number=\"Q999999\" modified=\"01-JAN-2024\">\n"
    "    <product>kbfix tests</product>\n"
    "    <symptom>None.</symptom>\n"
    "  </article>\n"
    "  <summary>Every kind of registry change, on one key.</summary>\n"
    "  <hive name=\"SYSTEM\"/>\n"
    "  <actions>\n"
    "    <set-value path=\"" CCS "\\Edit\" name=\"Mode\" type=\"sz\" "
    "data=\"new\"/>\n"
    "    <set-value path=\"" CCS "\\Edit\" name=\"Added\" type=\"dword\" "
    "data=\"5\" create=\"true\"/>\n"
    "    <delete-value path=\"" CCS "\\Edit\" name=\"Stale\"/>\n"
    "    <delete-key path=\"" CCS "\\Edit\\Old\"/>\n"
    "    <create-key path=\"" CCS "\\Edit\\New\"/>\n"
    "    <set-value path=\"" CCS "\\Edit\\New\" name=\"Made\" "
    "type=\"dword\" data=\"7\" create=\"true\"/>\n"
    "  </actions>\n"
    "</remedy>\n";

struct fx {
	char *dir, *orig, *copy;
	struct hive *before;
	struct remedy *r;
	struct plan *p;
	char *reg;		/* the plan as a .reg file */
};

/* Plan the remedy on F->before and render the plan as .reg. */
static void
plan(struct fx *f)
{
	struct hive *hives[1];
	struct target t;
	struct plan_options o = { NULL, 0 };
	struct diag d;
	size_t len = 0;
	FILE *m;

	plan_free(f->p);
	free(f->reg);
	f->reg = NULL;
	hives[0] = f->before;
	t.hives = hives;
	t.nhives = 1;
	t.windir = NULL;
	diag_init(&d);
	ck_assert_msg(plan_compute(&f->r, 1, &t, &o, &f->p, &d) == 0,
	    "plan: %s", d.n ? d.items[0].msg : "?");
	ck_assert_int_eq(f->p->entries[0].status, ENTRY_APPLIES);
	m = open_memstream(&f->reg, &len);
	ck_assert_int_eq(render_plan(m, f->p, RENDER_REG, &d), 0);
	fclose(m);
	diag_free(&d);
}

static void
setup(struct fx *f)
{
	char *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	struct diag d;

	memset(f, 0, sizeof *f);
	f->dir = tu_tmpdir();
	f->orig = tu_path(f->dir, "SYSTEM");
	f->copy = tu_path(f->dir, "NEW");
	tu_mkhive(f->orig, NULL, NULL, hive_reg);
	f->before = tu_hive_open(f->orig);
	diag_init(&d);
	ck_assert_msg(remedy_load_memory(remedy_xml, strlen(remedy_xml),
	    "VERIFY.xml", schema, &f->r, &d) == 0, "remedy: %s",
	    d.n ? d.items[0].msg : "?");
	diag_free(&d);
	free(schema);
	plan(f);
	ck_assert_uint_eq(f->p->entries[0].nchanges, 6);
	tu_copy(f->orig, f->copy);
}

/* The original was changed: open it again, plan again. */
static void
reopen(struct fx *f)
{
	hive_close(f->before);
	f->before = tu_hive_open(f->orig);
	plan(f);
	tu_copy(f->orig, f->copy);
}

static void
teardown(struct fx *f)
{
	plan_free(f->p);
	remedy_free(f->r);
	hive_close(f->before);
	free(f->reg);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f->orig);
	free(f->copy);
}

/* Write the plan into the copy, as apply does. */
static void
write_plan(struct fx *f)
{
	tu_reg_merge(f->copy, NULL, f->reg);
}

/* verify_unchanged on the copy: 0, or -1 with a message holding WANT. */
static void
expect(struct fx *f, const char *want)
{
	struct hive *after = tu_hive_open(f->copy);
	struct diag d;
	int r;

	diag_init(&d);
	r = verify_unchanged(f->before, after, f->p, &d);
	if (want == NULL)
		ck_assert_msg(r == 0, "verify: %s", d.n ? d.items[0].msg : "?");
	else {
		ck_assert_msg(r == -1, "verify passed; wanted '%s'", want);
		ck_assert_uint_ge(d.nerrors, 1);
		ck_assert_msg(strstr(d.items[0].msg, want) != NULL,
		    "message \"%s\" lacks \"%s\"", d.items[0].msg, want);
	}
	diag_free(&d);
	hive_close(after);
}

/* The node of PATH (below the root, '\\'-separated) in FILE, by hivex. */
static hive_node_h
node_of(const char *file, const char *path)
{
	hive_h *h = hivex_open(file, 0);
	char *copy = strdup(path), *save = NULL, *e;
	hive_node_h n;

	ck_assert_ptr_nonnull(h);
	n = hivex_root(h);
	for (e = strtok_r(copy, "\\", &save); e != NULL && n != 0;
	    e = strtok_r(NULL, "\\", &save))
		n = hivex_node_get_child(h, n, e);
	ck_assert_msg(n != 0, "no key '%s' in '%s'", path, file);
	hivex_close(h);
	free(copy);
	return n;
}

/* The value NAME of key PATH in FILE: its vk cell. */
static hive_value_h
value_of(const char *file, const char *path, const char *name)
{
	hive_node_h n = node_of(file, path);
	hive_h *h = hivex_open(file, 0);
	hive_value_h v;

	ck_assert_ptr_nonnull(h);
	v = hivex_node_get_value(h, n, name);
	ck_assert_msg(v != 0, "no value '%s' in '%s'", name, path);
	hivex_close(h);
	return v;
}

/* The data cell of value NAME of key PATH in FILE. */
static uint64_t
data_cell_of(const char *file, const char *path, const char *name)
{
	hive_value_h v = value_of(file, path, name), cell;
	hive_h *h = hivex_open(file, 0);
	size_t len = 0;

	ck_assert_ptr_nonnull(h);
	cell = hivex_value_data_cell_offset(h, v, &len);
	hivex_close(h);
	ck_assert_uint_gt(cell, 0);
	return cell;
}

static uint32_t
peek32(const char *file, uint64_t off)
{
	unsigned char b[4];
	int fd = open(file, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, b, 4, (off_t)off), 4);
	close(fd);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/* Store the 32-bit little-endian X at OFF of FILE. */
static void
poke32(const char *file, uint64_t off, uint32_t x)
{
	unsigned char b[4];
	int fd = open(file, O_WRONLY);

	b[0] = x & 0xFF;
	b[1] = x >> 8 & 0xFF;
	b[2] = x >> 16 & 0xFF;
	b[3] = x >> 24;
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, b, 4, (off_t)off), 4);
	close(fd);
}

/* The plan written into the copy, then the .reg lines BODY merged into
 * it: the check must say WANT. */
static void
merge_expect(const char *body, const char *want)
{
	struct fx f;
	char *reg;

	ck_assert_int_ge(asprintf(&reg, "Windows Registry Editor Version "
	    "5.00\n\n%s", body), 0);
	setup(&f);
	write_plan(&f);
	tu_reg_merge(f.copy, NULL, reg);
	expect(&f, want);
	teardown(&f);
	free(reg);
}

/* Add 1 to the byte at OFF of FILE. */
static void
bump(const char *file, uint64_t off)
{
	unsigned char b;
	int fd = open(file, O_RDWR);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &b, 1, (off_t)off), 1);
	b++;
	ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

#define SVC	"ControlSet001\\Services"

START_TEST(test_plan_passes)
{
	struct fx f;

	setup(&f);
	write_plan(&f);
	expect(&f, NULL);
	teardown(&f);
}
END_TEST

/* Nothing written: the plan's changes are missing. */
START_TEST(test_plan_missing)
{
	struct fx f;

	setup(&f);
	expect(&f, "value 'Stale' was not deleted in 'HKEY_LOCAL_MACHINE"
	    "\\SYSTEM\\ControlSet001\\Services\\Edit'");
	teardown(&f);
}
END_TEST

/* A key the plan does not touch: a value's data inline in its cell. */
START_TEST(test_untouched_value)
{
	struct fx f;
	hive_value_h v;

	setup(&f);
	write_plan(&f);
	v = value_of(f.copy, SVC "\\Keep", "Start");
	bump(f.copy, v + 0x0C);
	expect(&f, "value 'Start' (the cell at offset");
	teardown(&f);
}
END_TEST

/* ... the data of a value, in a cell of its own. */
START_TEST(test_untouched_data)
{
	struct fx f;

	setup(&f);
	write_plan(&f);
	bump(f.copy, data_cell_of(f.copy, SVC "\\Keep", "ImagePath") + 4);
	expect(&f, "a value list or value data (the cell at offset");
	teardown(&f);
}
END_TEST

/* A key's name, whether the plan touches the key or not. */
START_TEST(test_key_name)
{
	static const char *const keys[] = { "Keep\\Parameters", "Edit" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct fx f;
		char *path, *want;

		ck_assert_int_ge(asprintf(&path, SVC "\\%s", keys[i]), 0);
		ck_assert_int_ge(asprintf(&want, "key 'HKEY_LOCAL_MACHINE"
		    "\\SYSTEM\\%s' (the cell at offset", path), 0);
		setup(&f);
		write_plan(&f);
		bump(f.copy, node_of(f.copy, path) + 0x50);
		expect(&f, want);
		teardown(&f);
		free(path);
		free(want);
	}
}
END_TEST

/* A key the plan does not touch: the cells it points at, its subkey list
 * (a hash Windows looks keys up by) and its security cell past the
 * reference count and links (the keys share it with those the plan
 * touches). */
START_TEST(test_untouched_cells)
{
	static const struct {
		unsigned field, at;	/* the cell at nk+FIELD, byte AT */
		const char *sig, *want;
	} t[] = {
		{ 0x20, 12, "lh", "a subkey list (the cell at offset" },
		{ 0x30, 26, "sk", "a security descriptor (the cell at offset" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct fx f;
		uint64_t cell;

		setup(&f);
		write_plan(&f);
		cell = (uint64_t)peek32(f.copy, node_of(f.copy, SVC "\\Keep") +
		    t[i].field) + 4096;
		ck_assert_uint_eq(peek32(f.copy, cell + 4) & 0xFFFF,
		    (uint32_t)t[i].sig[0] | (uint32_t)t[i].sig[1] << 8);
		bump(f.copy, cell + t[i].at);
		expect(&f, t[i].want);
		teardown(&f);
	}
}
END_TEST

/* ... and a key added under it. */
START_TEST(test_untouched_new_key)
{
	merge_expect("[" CS "\\Keep\\Intruder]\n", "key 'HKEY_LOCAL_MACHINE"
	    "\\SYSTEM\\ControlSet001\\Services\\Keep' (the cell at offset");
}
END_TEST

/* A key the plan touches holds what the plan sets, and its other values
 * as they were. */
START_TEST(test_touched_values)
{
	struct fx f;

	setup(&f);
	write_plan(&f);
	bump(f.copy, data_cell_of(f.copy, SVC "\\Edit", "Mode") + 4);
	expect(&f, "value 'Mode' does not hold what the plan sets in "
	    "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\Edit'");
	teardown(&f);
	merge_expect("[" CS "\\Edit]\n\"Same\"=\"changed\"\n",
	    "value 'Same' differs in");
	merge_expect("[" CS "\\Edit]\n\"Stale\"=dword:00000001\n",
	    "value 'Stale' was not deleted");
}
END_TEST

/* ... has the subkeys it had, less those deleted, plus those created,
 * which hold only what the plan puts there. */
START_TEST(test_touched_kids)
{
	static const struct {
		const char *reg, *want;
	} t[] = {
		{ "[" CS "\\Edit\\Other]\n", "unexpected key in "
		  "'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\Edit"
		  "\\Other'" },
		{ "[" CS "\\Edit\\New]\n\"Extra\"=dword:00000001\n",
		  "value 'Extra' is unexpected in" },
		{ "[" CS "\\Edit\\New\\Below]\n", "unexpected key in" },
		{ "[" CS "\\Edit\\Old]\n", "unexpected key in" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		merge_expect(t[i].reg, t[i].want);
}
END_TEST

/* The key the plan deletes must be gone. */
START_TEST(test_not_deleted)
{
	struct fx f;
	char *cut, *end;

	setup(&f);
	/* The plan without its delete-key, "[-...]". */
	cut = strstr(f.reg, "\n[-");
	ck_assert_ptr_nonnull(cut);
	end = strchr(cut + 1, '\n');
	memmove(cut + 1, end + 1, strlen(end + 1) + 1);
	write_plan(&f);
	expect(&f, "key was not deleted in 'HKEY_LOCAL_MACHINE\\SYSTEM"
	    "\\ControlSet001\\Services\\Edit\\Old'");
	teardown(&f);
}
END_TEST

/* The base block: only the fields a write changes. */
START_TEST(test_base_block)
{
	struct fx f;

	setup(&f);
	write_plan(&f);
	bump(f.copy, 600);	/* past the checksummed part */
	expect(&f, "the base block differs at offset 0x258");
	teardown(&f);
}
END_TEST

/* Two keys sharing a cell: regf_check finds it, and a change in it is
 * refused, since it changes the key the plan does not touch too.  A key
 * listing one of its values twice shares nothing. */
START_TEST(test_shared)
{
	struct fx f;
	hive_value_h keep, same;
	hive_node_h edit;
	uint64_t list;

	setup(&f);
	ck_assert_uint_eq(f.before->nshared, 0);
	/* Keep's ImagePath reads its 8 bytes of data from the cell of the
	 * key Edit, which the plan touches. */
	keep = value_of(f.orig, SVC "\\Keep", "ImagePath");
	edit = node_of(f.orig, SVC "\\Edit");
	poke32(f.orig, keep + 0x0C, (uint32_t)edit - 4096);
	poke32(f.orig, keep + 0x08, 8);
	reopen(&f);
	ck_assert_uint_eq(f.before->nshared, 1);
	ck_assert(hive_cell_shared(f.before, (size_t)edit));
	write_plan(&f);
	expect(&f, "which more than one key of the original uses, changed");
	teardown(&f);

	setup(&f);
	/* Edit lists Same three times: no cell shared with another key. */
	edit = node_of(f.orig, SVC "\\Edit");
	same = value_of(f.orig, SVC "\\Edit", "Same");
	list = (uint64_t)peek32(f.orig, edit + 0x2C) + 4096;
	poke32(f.orig, list + 4, (uint32_t)same - 4096);
	poke32(f.orig, list + 8, (uint32_t)same - 4096);
	reopen(&f);
	ck_assert_uint_eq(f.before->nshared, 0);
	teardown(&f);
}
END_TEST

static Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_plan_passes);
	tcase_add_test(tc, test_plan_missing);
	tcase_add_test(tc, test_untouched_value);
	tcase_add_test(tc, test_untouched_data);
	tcase_add_test(tc, test_key_name);
	tcase_add_test(tc, test_untouched_cells);
	tcase_add_test(tc, test_untouched_new_key);
	tcase_add_test(tc, test_touched_values);
	tcase_add_test(tc, test_touched_kids);
	tcase_add_test(tc, test_not_deleted);
	tcase_add_test(tc, test_base_block);
	tcase_add_test(tc, test_shared);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(verify_suite());
}
