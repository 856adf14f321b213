/* cmd.h: subcommands.  Each lives in its own src/cmd-NAME.c; they are the
 * only code that prints results and chooses the exit code. */
#ifndef KBFIX_CMD_H
#define KBFIX_CMD_H

/* Exit codes, as diff(1). */
#define EXIT_NOTHING	0	/* nothing to do, or done */
#define EXIT_PENDING	1	/* changes pending */
#define EXIT_TROUBLE	2	/* trouble: bad input, I/O error, usage */

/* kbfix draft [-o DIR] ARTICLE... | kbfix draft --stats DIR: remedy
 * drafts from KB articles (argv[0] is "draft").  Returns an exit code. */
int cmd_draft(int argc, char **argv);

#endif
