/* testutil.c: small helpers shared by the Check suites. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hivex.h>

#include "diag.h"
#include "hive.h"

#include "diag.h"
#include "regf.h"
#include "regtext.h"
#include "remedy.h"
#include "testutil.h"

const char *
tu_shared(void)
{
	const char *s = getenv("KBFIX_SHARED");
	struct stat st;

	if (s == NULL || stat(s, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return s;
}

void
tu_need_shared(void)
{
	if (tu_shared() != NULL)
		return;
	if (getenv("CI") != NULL) {
		fprintf(stderr, "../shared is missing (KBFIX_SHARED)\n");
		exit(EXIT_FAILURE);
	}
	fprintf(stderr, "skipped: ../shared is missing (KBFIX_SHARED)\n");
	exit(77);
}

int
tu_have_shared(const char *what)
{
	if (tu_shared() != NULL)
		return 1;
	if (getenv("CI") != NULL) {
		fprintf(stderr, "../shared is missing (KBFIX_SHARED), needed "
		    "for %s\n", what);
		exit(EXIT_FAILURE);
	}
	fprintf(stderr, "skipped: %s: ../shared is missing (KBFIX_SHARED)\n",
	    what);
	return 0;
}

char *
tu_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p = NULL;

	if (t == NULL || *t == '\0')
		t = "/tmp";
	ck_assert_int_ge(asprintf(&p, "%s/kbfix-test-XXXXXX", t), 0);
	ck_assert_msg(mkdtemp(p) != NULL, "mkdtemp: %s", strerror(errno));
	return p;
}

void
tu_rmrf(const char *path)
{
	char *cmd = NULL;

	if (path == NULL)
		return;
	if (asprintf(&cmd, "rm -rf '%s'", path) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove '%s'\n", path);
	}
	free(cmd);
}

char *
tu_path(const char *dir, const char *name)
{
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

void
tu_unxz(const char *src, const char *dst)
{
	char *cmd = NULL;

	ck_assert_int_ge(asprintf(&cmd, "xz -dc '%s' > '%s'", src, dst), 0);
	ck_assert_msg(system(cmd) == 0, "cannot decompress '%s'", src);
	free(cmd);
}

void
tu_put(const char *dir, const char *rel, const char *text)
{
	char *p = tu_path(dir, rel), *s;
	FILE *f;

	for (s = p + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0777);
		*s = '/';
	}
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

void
tu_copy(const char *src, const char *dst)
{
	char *cmd = NULL;

	ck_assert_int_ge(asprintf(&cmd, "cp -- '%s' '%s'", src, dst), 0);
	ck_assert_msg(system(cmd) == 0, "cannot copy '%s'", src);
	free(cmd);
}

char *
tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			char *nb = realloc(buf, cap + 65536 + 1);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int
tu_run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t n = 0;
	FILE *m;
	char chunk[8192];
	size_t r;
	int st;

	ck_assert_msg(p != NULL, "popen '%s'", cmd);
	m = open_memstream(&buf, &n);
	while ((r = fread(chunk, 1, sizeof chunk, p)) > 0)
		fwrite(chunk, 1, r, m);
	fclose(m);
	st = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
tu_same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *da = tu_read(a, &la), *db = tu_read(b, &lb);
	int same = da && db && la == lb && memcmp(da, db, la) == 0;

	free(da);
	free(db);
	return same;
}

/* Merge REG into the hive at PATH and commit it there. */
static void
merge(const char *path, const char *prefix, const char *reg, uint32_t seq,
    uint64_t from)
{
	struct diag d;
	struct regfile *rf = NULL;
	hive_h *h;
	char *msg = NULL;
	size_t len = 0;
	FILE *f;

	if (prefix == NULL)
		prefix = "HKEY_LOCAL_MACHINE\\SYSTEM";
	diag_init(&d);
	h = hivex_open(path, HIVEX_OPEN_WRITE);
	ck_assert_msg(h != NULL, "hivex_open '%s': %s", path, strerror(errno));
	if (regfile_parse(reg, strlen(reg), "test.reg", &rf, &d) == 0 &&
	    regfile_apply(h, rf, prefix, "test.reg", &d) == 0 &&
	    hivex_commit(h, path, 0) == -1)
		diag_error(&d, NULL, 0, "hivex_commit '%s': %s", path,
		    strerror(errno));
	hivex_close(h);
	regfile_free(rf);
	if (d.nerrors == 0)
		regf_finish(path, seq, from, &d);
	if (d.nerrors) {
		f = open_memstream(&msg, &len);
		diag_print(&d, f);
		fclose(f);
	}
	diag_free(&d);
	ck_assert_msg(msg == NULL, "cannot build '%s':\n%s", path, msg);
}

void
tu_mkhive(const char *path, const char *root, const char *prefix,
    const char *reg)
{
	struct diag d;
	int r;

	diag_init(&d);
	r = regf_write_empty(path, root ? root : "$$$PROTO.HIV", &d);
	diag_free(&d);
	ck_assert_msg(r == 0, "regf_write_empty '%s' failed", path);
	merge(path, prefix, reg, 1, 0);
}

void
tu_reg_merge(const char *path, const char *prefix, const char *reg)
{
	struct regf_header h;
	struct diag d;
	int r;

	diag_init(&d);
	r = regf_header_read(path, &h, &d);
	diag_free(&d);
	ck_assert_msg(r == 0, "'%s' is not a hive", path);
	merge(path, prefix, reg, (h.seq1 > h.seq2 ? h.seq1 : h.seq2) + 1,
	    REGF_BASE_BLOCK_SIZE + (uint64_t)h.bins_size);
}

int
tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static const char *
env_dir(const char *var, const char *def)
{
	const char *s = getenv(var);

	return s != NULL && *s != '\0' ? s : def;
}

const char *
tu_srcdir(void)
{
	return env_dir("top_srcdir", KBFIX_SRCDIR);
}

const char *
tu_builddir(void)
{
	return env_dir("top_builddir", KBFIX_BUILDDIR);
}

char *
tu_fixture(const char *rel)
{
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/tests/hives/%s", tu_builddir(),
	    rel), 0);
	return p;
}

struct hive *
tu_hive_open(const char *path)
{
	struct hive *hv = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_msg(hive_open(path, 0, &hv, &d) == 0, "'%s': %s", path,
	    d.n ? d.items[0].msg : "?");
	diag_free(&d);
	return hv;
}

struct remedy *
tu_remedy(const char *id)
{
	char *p = NULL, *schema = tu_path(tu_srcdir(), "remedies/remedy.xsd");
	struct remedy *r = NULL;
	struct diag d;

	ck_assert_int_ge(asprintf(&p, "%s/remedies/%s.xml", tu_srcdir(), id), 0);
	diag_init(&d);
	ck_assert_msg(remedy_load(p, schema, &r, &d) == 0, "%s: %s", p,
	    d.n ? d.items[0].msg : "?");
	diag_free(&d);
	free(p);
	free(schema);
	return r;
}

char **
tu_services_prefixed(const struct hive *hv, const char *cs,
    const char *prefix, size_t *n)
{
	char *path[] = { (char *)cs, "Services" };
	hive_node_h sv = hive_lookup(hv, hv->root, path, 2), *kids;
	char **out;
	size_t i;

	ck_assert_uint_ne(sv, 0);
	kids = hivex_node_children(hv->h, sv);
	ck_assert_ptr_nonnull(kids);
	for (i = 0; kids[i]; i++)
		;
	out = calloc(i + 1, sizeof *out);
	ck_assert_ptr_nonnull(out);
	*n = 0;
	for (i = 0; kids[i]; i++) {
		char *name = hivex_node_name(hv->h, kids[i]);

		ck_assert_ptr_nonnull(name);
		if (strncasecmp(name, prefix, strlen(prefix)) == 0)
			out[(*n)++] = name;
		else
			free(name);
	}
	free(kids);
	return out;
}
