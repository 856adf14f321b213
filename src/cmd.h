/* cmd.h: subcommands.  Each lives in its own src/cmd-NAME.c; they are the
 * only code that prints results and chooses the exit code.  cmd-common.c
 * holds what several of them share: the option parser of the commands
 * that plan, loading remedies and finding the hives.
 */
#ifndef KBFIX_CMD_H
#define KBFIX_CMD_H

#include <stddef.h>

#include "apply.h"
#include "diag.h"
#include "hive.h"
#include "lock.h"
#include "plan.h"
#include "recover.h"
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

/* The N hives HV must be one machine's: two of a kind a machine has only
 * one of (two SYSTEM hives) are an error in D, with a hint at --each.
 * Returns 0 or -1. */
int cmd_one_machine(struct hive *const *hv, size_t n, struct diag *d);

/* The remedies named on the command line must each be usable: a draft, or
 * one whose hive was not given, is an error (when the whole library runs,
 * they are only reported).  Returns 0, or -1 with every such remedy in
 * D. */
int cmd_named_refused(const struct plan *p, struct diag *d);

/* The hives a writing command works on, locked and opened read-only. */
struct cmd_hives {
	struct hive **hives;
	struct recovery *recs;	/* per hive: the replay of its logs */
	size_t n;
	struct lock *locks;
	size_t nlocks;
};

/* Lock and open PATHS for apply or undo: each must be a regular file that
 * no other kbfix is working on.  A dirty hive (sequence numbers that
 * differ, or logs beside it holding newer data) is opened on the replay
 * of its logs (recover.h), with a note; with A->ignore_logs, as it is,
 * with a warning.  They must be one machine's (cmd_one_machine), and
 * --each and -j are refused.  Every problem goes to D; returns 0 or -1 (H
 * is then released).  Release with cmd_hives_release. */
int cmd_hives_open(char *const *paths, size_t n, const struct cmd_args *a,
    struct cmd_hives *h, struct diag *d);
void cmd_hives_release(struct cmd_hives *h);

/* Carry out P on T (apply.h): prepare, commit, then print where the
 * backups and undo files went.  REPLAN must find nothing left on the new
 * files.  Returns an exit code; messages go to D. */
int cmd_write(const struct plan *p, const struct target *t,
    apply_replan_fn replan, void *arg, const struct cmd_args *a,
    struct diag *d);

/* The subcommands: ARGV[0] is the subcommand's name.  Each returns an exit
 * code. */
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_dry_run(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_undo(int argc, char **argv);
int cmd_draft(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_validate(int argc, char **argv);

#endif
