/* cmd.h: subcommands.  Each lives in its own src/cmd-NAME.c; they are the
 * only code that prints results and chooses the exit code. */
#ifndef KBFIX_CMD_H
#define KBFIX_CMD_H

/* Exit codes, as diff(1). */
#define EXIT_NOTHING	0	/* nothing to do, or done */
#define EXIT_PENDING	1	/* changes pending */
#define EXIT_TROUBLE	2	/* trouble: bad input, I/O error, usage */

#endif
