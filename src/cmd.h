/* cmd.h: subcommands.  Each lives in its own src/cmd-NAME.c; they are the
 * only code that prints results and chooses the exit code.  cmd-common.c
 * holds what several of them share: the option parser of the commands
 * that plan, loading remedies and finding the hives.
 */
#ifndef KBFIX_CMD_H
#define KBFIX_CMD_H

#include <stddef.h>

#include "diag.h"
#include "hive.h"
#include "remedy.h"
#include "render.h"

/* Exit codes, as diff(1). */
#define EXIT_NOTHING	0	/* nothing to do, or done */
#define EXIT_PENDING	1	/* changes pending */
#define EXIT_TROUBLE	2	/* trouble: bad input, I/O error, usage */

/* The options shared by scan, the dry run, apply and undo. */
struct cmd_args {
	char **ids;		/* remedy IDs or remedy files, borrowed */
	size_t nids;
	char **targets;		/* hive files, borrowed */
	size_t ntargets;
	const char *control_set;	/* default "current" */
	enum render_format format;	/* default RENDER_DIFF */
	int dry_run;
	const char *backup_dir;		/* --backup-dir DIR, or NULL */
	int no_backup;			/* --no-backup */
	int ignore_logs;		/* --ignore-logs */
	int quiet;			/* -q */
	int each;			/* --each: a machine per TARGET */
	int jobs;			/* -j N: machines planned at once;
					 * default 1 */
};

/* Parse ARGV[1..ARGC) (ARGV[0] is the subcommand) into A.  An argument
 * that names a remedy (an ID such as Q267971, or a file ending in .xml)
 * is an ID, any other a TARGET.  Problems go to D; returns 0 or -1.
 * Free A with cmd_args_free (the strings stay ARGV's). */
int cmd_args_parse(int argc, char **argv, struct cmd_args *a,
    struct diag *d);
void cmd_args_free(struct cmd_args *a);

/* Load the remedies named by IDS (an ID from the library, or a path), or
 * the whole library when NIDS is 0.  *OUT is an array of *N remedies the
 * caller frees with cmd_remedies_free.  Every problem of every file goes
 * to D; returns -1 if any. */
int cmd_remedies_load(char *const *ids, size_t nids, struct remedy ***out,
    size_t *n, struct diag *d);
void cmd_remedies_free(struct remedy **rs, size_t n);

/* The hive files to work on: A's TARGETs, or, when there are none, the
 * files of the current directory named as the hives the remedies RS need
 * (SYSTEM, SOFTWARE, NTUSER.DAT ... in any letter case), so that
 * "cd Windows/System32/config && kbfix apply Q267971" works.  *OUT is a
 * NULL-terminated array of new strings (caller frees with
 * cmd_strings_free).  Returns 0, or -1 with D when nothing is found. */
int cmd_hive_paths(const struct cmd_args *a, struct remedy *const *rs,
    size_t nrs, char ***out, size_t *n, struct diag *d);
void cmd_strings_free(char **v);

/* The subcommands: ARGV[0] is the subcommand's name.  Each returns an exit
 * code. */
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_dry_run(int argc, char **argv);
int cmd_draft(int argc, char **argv);

#endif
