/* kbfix.c: main and the table of subcommands (their usage and options:
 * cmd-options.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"

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
	{ "check", cmd_check },
	{ "validate", cmd_validate },
	{ "help", cmd_help },
};

int
main(int argc, char **argv)
{
	unsigned bit;
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: kbfix COMMAND [ARGUMENT...]; 'kbfix help' "
		    "lists the commands\n");
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("kbfix %s\n", PACKAGE_VERSION);
		return EXIT_NOTHING;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_usage_all(stdout);
		return EXIT_NOTHING;
	}
	/* "kbfix COMMAND ... --help" is "kbfix help COMMAND"; "kbfix -n" and
	 * "kbfix apply -n ..." are "kbfix --dry-run ...". */
	bit = cmd_bit_of(argc - 1, argv + 1);
	if (bit != 0 && cmd_help_asked(bit, argc - 1, argv + 1)) {
		cmd_usage_one(stdout, bit);
		return fflush(stdout) == 0 ? EXIT_NOTHING : EXIT_TROUBLE;
	}
	if (bit == CMDB_DRY_RUN)
		return cmd_dry_run(argc - 1, argv + 1);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kbfix: error: unknown command '%s'; 'kbfix help' "
	    "lists the commands\n", argv[1]);
	return EXIT_TROUBLE;
}
