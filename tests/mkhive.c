/* mkhive: build a registry hive from .reg files, for the test fixtures.
 *
 *   mkhive [--root NAME] [--prefix PREFIX] OUT IN.reg...
 *
 * hivex cannot create a hive: regf_write_empty writes an empty one (root
 * key NAME, default "$$$PROTO.HIV"), each IN.reg is merged into it with
 * regfile_apply (keys under PREFIX, default HKEY_LOCAL_MACHINE\SYSTEM),
 * hivex commits it, regf_finish converts long values to big-data records
 * and sets the sequence numbers to 1, and the result is renamed to OUT.
 * The work file is OUT's name in a temporary folder beside OUT, because
 * regf_write_empty records the file's name in the base block (as Windows
 * does: "SYSTEM"), and "SYSTEM.tmp" would be a lie.
 *
 * The output is not byte-for-byte reproducible: regf_write_empty stamps
 * the root key with the current time (hivex gives every new key its
 * parent's time, so all keys carry it) and regf_finish stamps the base
 * block.  Compare fixture hives logically (reglookup, hivexregedit
 * --export), never with cmp.
 *
 * Exit status: 0 done, 2 trouble (messages on standard error).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hivex.h>

#include "diag.h"
#include "regf.h"
#include "regfile.h"

static void
usage(void)
{
	fprintf(stderr, "usage: mkhive [--root NAME] [--prefix PREFIX] OUT "
	    "IN.reg...\n");
	exit(2);
}

static int
build(const char *tmp, const char *root, const char *prefix, char **in,
    int nin, struct diag *d)
{
	hive_h *h;
	struct regfile *rf;
	int i, r = 0;

	if (regf_write_empty(tmp, root, d) == -1)
		return -1;
	h = hivex_open(tmp, HIVEX_OPEN_WRITE);
	if (h == NULL) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", tmp,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < nin; i++) {
		if (regfile_parse_file(in[i], &rf, d) == -1) {
			r = -1;
			continue;
		}
		if (regfile_apply(h, rf, prefix, in[i], d) == -1)
			r = -1;
		regfile_free(rf);
	}
	if (r == 0 && hivex_commit(h, tmp, 0) == -1) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", tmp,
		    strerror(errno));
		r = -1;
	}
	hivex_close(h);
	if (r == 0 && regf_finish(tmp, 1, 0, d) == -1)
		r = -1;
	return r;
}

int
main(int argc, char **argv)
{
	const char *root = "$$$PROTO.HIV";
	const char *prefix = "HKEY_LOCAL_MACHINE\\SYSTEM";
	const char *out;
	char *tmp = NULL, *dir = NULL, *d1, *d2;
	struct diag d;
	int i = 1, r;

	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--root") == 0)
			root = argv[i + 1];
		else if (strcmp(argv[i], "--prefix") == 0)
			prefix = argv[i + 1];
		else
			usage();
		i += 2;
	}
	if (argc - i < 2)
		usage();
	out = argv[i++];
	d1 = strdup(out);
	d2 = strdup(out);
	if (d1 == NULL || d2 == NULL ||
	    asprintf(&dir, "%s/.mkhive-XXXXXX", dirname(d1)) < 0) {
		fprintf(stderr, "mkhive: out of memory\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "mkhive: cannot create '%s': %s\n", dir,
		    strerror(errno));
		return 2;
	}
	if (asprintf(&tmp, "%s/%s", dir, basename(d2)) < 0) {
		fprintf(stderr, "mkhive: out of memory\n");
		rmdir(dir);
		return 2;
	}
	diag_init(&d);
	r = build(tmp, root, prefix, argv + i, argc - i, &d);
	if (r == 0 && rename(tmp, out) == -1) {
		diag_error(&d, NULL, 0, "cannot rename '%s' to '%s': %s", tmp,
		    out, strerror(errno));
		r = -1;
	}
	if (r == -1)
		unlink(tmp);
	rmdir(dir);
	diag_print(&d, stderr);
	diag_free(&d);
	free(tmp);
	free(dir);
	free(d1);
	free(d2);
	return r == 0 ? 0 : 2;
}
