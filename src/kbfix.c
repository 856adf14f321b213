/* kbfix.c: main and the table of subcommands. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: kbfix list\n"
	    "       kbfix show ID...\n"
	    "       kbfix scan [--format json] [--control-set CS] [--ignore-logs]\n"
	    "                  [--audit FILE] [--each] [-j N] [--[no-]progress]\n"
	    "                  [ID...] [TARGET...]\n"
	    "       kbfix --dry-run [--format diff|reg|json] [--control-set CS]\n"
	    "                  [--ignore-logs] [--audit FILE] [--each] [-j N]\n"
	    "                  [--[no-]progress] [ID...] [TARGET...]\n"
	    "       kbfix apply [--backup-dir DIR | --no-backup]\n"
	    "                  [--output DIR | --overlay NEW.qcow2] [--audit FILE]\n"
	    "                  [--ignore-logs] [-q] [--control-set CS] [-j N]\n"
	    "                  [--[no-]progress] [ID...] [TARGET...]\n"
	    "       kbfix undo [--dry-run] [--backup-dir DIR | --no-backup] [--output DIR]\n"
	    "                  [--audit FILE] UNDOFILE HIVE|FOLDER\n"
	    "       kbfix undo [options] UNDOFILE... IMAGE[:DEVICE][:/PATH]\n"
	    "       kbfix recover HIVE -o OUT\n"
	    "       kbfix draft [-o DIR] ARTICLE... | kbfix draft --stats DIR\n"
	    "       kbfix validate [-q] [--tests DIR] [FILE|ID...]\n"
	    "       kbfix --help | --version\n"
	    "A TARGET is a hive file (the files given together are one machine, or\n"
	    "each its own with --each) or a folder (one machine each): a volume\n"
	    "holding Windows or WINNT, a Windows folder, or a folder of hive files;\n"
	    "or a disk image (raw, qcow2, vmdk, vhdx ...: --image-format FMT), each\n"
	    "Windows installation on it a machine.\n"
	    "-j N: work on N machines at once.\n"
	    "See kbfix(1).\n");
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "scan", cmd_scan },
	{ "apply", cmd_apply },
	{ "undo", cmd_undo },
	{ "draft", cmd_draft },
	{ "recover", cmd_recover },
	{ "validate", cmd_validate },
};

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("kbfix %s\n", PACKAGE_VERSION);
		return EXIT_NOTHING;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_NOTHING;
	}
	/* "kbfix --dry-run ..." is "kbfix apply --dry-run ...". */
	if (strcmp(argv[1], "--dry-run") == 0)
		return cmd_dry_run(argc, argv);
	if (strcmp(argv[1], "apply") == 0) {
		for (i = 2; i < (size_t)argc; i++)
			if (strcmp(argv[i], "--dry-run") == 0)
				return cmd_dry_run(argc - 1, argv + 1);
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kbfix: error: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_TROUBLE;
}
