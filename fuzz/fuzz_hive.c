/* fuzz_hive.c: libFuzzer harness for reading a hive: open, the bounded
 * tree walk over every key and value, and the plan of every remedy of the
 * library on it, rendered in both text formats; what "kbfix scan" and
 * "kbfix --dry-run" do with a hive they are given.
 *
 * The input is the hive file, written to a temporary folder (hivex opens
 * files, not memory) with its base block checksum made right.
 *
 * And the differential assertion (hivexwalk.h): a hive kbfix refuses that
 * hivex reads whole must be one of the hostile shapes of regfcheck.h;
 * any other aborts, with both verdicts.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "hive.h"
#include "hivexwalk.h"
#include "plan.h"
#include "regf.h"
#include "regtext.h"
#include "render.h"
#include "tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static char path[300];
static struct remedy **rs;
static size_t nrs;
static FILE *devnull;

/* Leave no temporary files behind (make check replays this). */
static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
	cmd_remedies_free(rs, nrs);
	if (devnull != NULL)
		fclose(devnull);
}

static void
setup(void)
{
	const char *t = getenv("TMPDIR");
	struct diag d;

	snprintf(dir, sizeof dir, "%s/kbfix-fuzz-hive-XXXXXX",
	    t != NULL && *t != '\0' ? t : P_tmpdir);
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(path, sizeof path, "%s/SYSTEM", dir);
	setenv("KBFIX_DATADIR", KBFIX_SRCDIR, 1);
	/* hivex's walk in a process of its own that does not start as a
	 * copy of this one (hivexwalk.h): cheaper by far than a fork of a
	 * sanitized fuzzer. */
	if (access(KBFIX_BUILDDIR "/tests/hivediff", X_OK) == 0)
		setenv("KBFIX_HIVEXWALK", KBFIX_BUILDDIR "/tests/hivediff", 0);
	diag_init(&d);
	if (cmd_remedies_load(NULL, 0, &rs, &nrs, &d) < 0) {
		diag_print(&d, stderr);
		abort();
	}
	diag_free(&d);
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
}

/* Everything a walk reads, turned into text as the renderers do. */
static int
visit(const struct hive *hv, hive_node_h node, char *const *p, size_t n,
    const struct hive_value *vals, size_t nvals, void *arg)
{
	size_t i;

	for (i = 0; i < nvals; i++) {
		free(regfile_format_value(vals[i].name, vals[i].type,
		    vals[i].data, vals[i].len, i % 2 ? REGFILE_ASCII_SZ : 0));
		free(hive_value_text(&vals[i]));
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[] = { "current", "all" };
	struct hive *hv = NULL;
	struct diag d;
	FILE *f;
	size_t i;

	if (rs == NULL)
		setup();
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	/* Inputs of a base block and more get a right checksum, so that
	 * mutations reach the hive bins instead of stopping there. */
	if (size >= REGF_BASE_BLOCK_SIZE) {
		unsigned char sum[4];
		uint32_t c = regf_checksum(data);

		sum[0] = c & 0xFF;
		sum[1] = c >> 8 & 0xFF;
		sum[2] = c >> 16 & 0xFF;
		sum[3] = c >> 24 & 0xFF;
		if (fwrite(data, 1, 508, f) != 508 || fwrite(sum, 1, 4, f) != 4 ||
		    fwrite(data + 512, 1, size - 512, f) != size - 512)
			abort();
	} else if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();

	diag_init(&d);
	if (hive_open(path, 0, &hv, &d) < 0) {
		struct hivexwalk_verdict v;
		char line[1200];

		/* Without a base block and a bin hivex reads nothing. */
		if (size < REGF_BASE_BLOCK_SIZE + 32 || memcmp(data, "regf", 4))
			goto out;
		/* Only a verdict of hivex's counts: a process that could
		 * not be started is none. */
		if (hivexwalk_compare(path, 0, &v) < 0 && v.walked) {
			fprintf(stderr, "differential test: %s\n",
			    hivexwalk_text(&v, line, sizeof line));
			abort();
		}
		goto out;
	}
	(void)tree_walk(hv, hv->root, NULL, 0, visit, NULL, &d);
	for (i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		struct target t = { &hv, 1, NULL };
		struct plan_options o = { sets[i], (int)(i % 2) };
		struct plan *p = NULL;

		if (plan_compute(rs, nrs, &t, &o, &p, &d) == 0) {
			render_plan(devnull, p, RENDER_DIFF, &d);
			render_plan(devnull, p, RENDER_REG, &d);
		}
		plan_free(p);
	}
out:
	hive_close(hv);
	diag_free(&d);
	return 0;
}
