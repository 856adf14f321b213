/* kbfix.c: main, global options and the table of subcommands. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("kbfix %s\n", PACKAGE_VERSION);
		return EXIT_NOTHING;
	}
	fprintf(stderr, "usage: kbfix COMMAND [ARGS]\n");
	return EXIT_TROUBLE;
}
