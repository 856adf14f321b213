/* cmd.h: subcommands.  Each lives in its own src/cmd-NAME.c; they are the
 * only code that prints results and chooses the exit code.  cmd-common.c
 * holds what several of them share: the option parser of the commands
 * that plan and loading remedies; cmd-run.c the targets of a run and
 * opening each machine's hives; cmd-write.c the safe write of apply and
 * undo.
 */
#ifndef KBFIX_CMD_H
#define KBFIX_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "apply.h"
#include "audit.h"
#include "cmd-options.h"
#include "diag.h"
#include "hive.h"
#include "image.h"
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
	char **argv;		/* the whole command line, for the audit log */
	int argc;
	char **ids;		/* remedy IDs or remedy files, borrowed */
	size_t nids;
	char **targets;		/* hive files and folders, borrowed */
	size_t ntargets;
	const char *control_set;	/* default "current" */
	enum render_format format;	/* default RENDER_DIFF */
	int dry_run;
	const char *backup_dir;		/* --backup-dir DIR, or NULL */
	int no_backup;			/* --no-backup */
	int ignore_logs;		/* --ignore-logs */
	int force;			/* --force (undo): over conflicts */
	int drop_moved;			/* --drop-moved (apply): entries a
					 * remedy moves out of a list may
					 * reach no hive */
	int quiet;			/* -q */
	const char *output;		/* --output DIR, or NULL */
	const char *audit;		/* --audit FILE, or NULL */
	int each;			/* --each: a machine per hive file */
	int jobs;			/* -j N: targets worked on at
					 * once (scan, dry run); default 1 */
	int progress;			/* --progress 1, --no-progress 0,
					 * default -1: on a terminal */
	int color;			/* --color[=WHEN], decided: the diff
					 * on standard output in colour */
	unsigned vflags;		/* how the diff shows values
					 * (valuetext.h), from the locale */
	unsigned cmd;			/* the command (cmd-options.h) */
	int color_when;			/* --color[=WHEN], as given */
	const char *image_format;	/* --image-format FMT, or NULL:
					 * detected (cmd-disk.c) */
	const char *overlay;		/* --overlay NEW.qcow2, or NULL */
};

/* Parse ARGV[1..ARGC) (ARGV[0] is the subcommand) into A, with the
 * options that command takes (cmd-options.h).  An argument that names a
 * remedy (an ID as cmd_remedy_id reads it, or a file ending in .xml) is
 * an ID, any other a TARGET.  Problems go to D; returns 0 or -1.  Free A
 * with cmd_args_free (the strings stay ARGV's). */
int cmd_args_parse(int argc, char **argv, struct cmd_args *a,
    struct diag *d);
void cmd_args_free(struct cmd_args *a);

/* Whether ARG is a remedy ID as people write it: Q267971, q267971,
 * KB267971, kb267971 or 267971 (a prefixed one may end in "-SUFFIX", as
 * Q256211-path).  If so, and ID is not NULL, the ID as the library names
 * its files, "Q267971", goes to ID (SIZE bytes). */
int cmd_remedy_id(const char *arg, char *id, size_t size);

/* qsort's comparison of two strings (char *), by strcmp. */
int cmd_cmp_str(const void *a, const void *b);

/* The file of the library folder DIR that remedy ID ARG names (its "Q"
 * spelling, or else its "KB" one), which exists; NULL when there is none
 * (or on out-of-memory).  Caller frees. */
char *cmd_remedy_file(const char *dir, const char *arg);

/* The stream a plan in format FMT goes to: OUT, or for a diff with
 * A->color a colouring stream on it (term.h).  Close it with cmd_diff_end,
 * which flushes it into OUT; returns 0, or -1 when it cannot be written.
 * NULL on out-of-memory. */
FILE *cmd_diff_begin(FILE *out, const struct cmd_args *a,
    enum render_format fmt);
int cmd_diff_end(FILE *s, FILE *out);

/* Load the remedies named by IDS (an ID from the library, or a path), or
 * the whole library when NIDS is 0.  *OUT is an array of *N remedies the
 * caller frees with cmd_remedies_free.  Every problem of every file goes
 * to D; returns -1 if any. */
int cmd_remedies_load(char *const *ids, size_t nids, struct remedy ***out,
    size_t *n, struct diag *d);
void cmd_remedies_free(struct remedy **rs, size_t n);

/* Free a NULL-terminated array of strings and the strings. */
void cmd_strings_free(char **v);

/* When the whole library runs (no remedy named: cmd_named_refused covers
 * those), refuse a hive that no remedy of RS works on (a SOFTWARE hive
 * given to remedies of the SYSTEM hive is a mistake, not "nothing to do"):
 * one line per such hive in D.  Returns 0 or -1. */
int cmd_hives_check(struct remedy *const *rs, size_t nrs,
    struct hive *const *hives, size_t nh, struct diag *d);

/* The remedies of plan P that the whole library holds back (possible:
 * their symptoms cannot be seen in a hive, plan.h), said in one comment
 * line of format FMT on F ("# ..." for a diff, "; ..." for .reg), so that
 * a dry run or apply without them is never mistaken for one that covered
 * them.  Nothing when there is none, for JSON (its status says it), and
 * for a diff that changes nothing (cmd_plan_reasons says it there). */
void cmd_plan_held(FILE *f, const struct plan *p, enum render_format fmt);

/* Refuse plan P when no remedy could be checked for want of its hives
 * (an NTUSER.DAT given alone to remedies that need SYSTEM is a mistake,
 * not "nothing to do").  Returns 0, or -1 with D. */
int cmd_plan_check(const struct plan *p, struct diag *d);
/* When every remedy of plan P misses a hive and the hives HV given are
 * users' hives only (NTUSER.DAT, UsrClass.dat) that some of them change:
 * one error in D saying that they need the machine's SYSTEM hive too, and
 * how to give both (VERB: "scan", "--dry-run", "apply", for the example
 * command line).  Returns -1 if it said so, else 0. */
int cmd_user_hives_alone(const struct plan *p, struct hive *const *hv,
    size_t n, const char *verb, struct diag *d);

/* The outcome of the remedies of plan P that change nothing, as diff
 * comments (docs/diff-format.md), one line each: "# ID: STATUS: REASON",
 * to F (those render_plan shows already, advisories and remedies that
 * need the Windows folder, left out), after a blank line when SEP.  With
 * NOTHING, a last line says that there is nothing to do. */
void cmd_plan_reasons(FILE *f, const struct plan *p, int sep, int nothing);
/* Whether render_plan shows anything of plan P in a diff. */
int cmd_plan_shown(const struct plan *p);

/* The N hives HV must be one machine's: two of a kind a machine has only
 * one of (two SYSTEM hives) are an error in D, with a hint at --each.
 * Returns 0 or -1. */
int cmd_one_machine(struct hive *const *hv, size_t n, struct diag *d);

/* One machine of a run (image.h): every hive file TARGET together (each
 * one alone with --each), or one folder TARGET.  Without TARGETs, the
 * current directory is a folder TARGET. */
struct cmd_target {
	const char *name;	/* for messages and the summary */
	const char *folder;	/* the folder, or NULL for hive files */
	char *const *files;	/* the hive files, borrowed from cmd_args */
	size_t nfiles;
	char *output;		/* where its remediated copies go (--output
				 * DIR, or DIR/NAME when there are several
				 * targets), or NULL */
	char *disk;		/* a disk image (cmd-disk.c): its file, or
				 * NULL */
	const char *disk_format;	/* its format ("qcow2", "raw" ...) */
	char *disk_device;	/* IMAGE:DEVICE: only that file system, or
				 * NULL */
};

struct cmd_targets {
	struct cmd_target *v;
	size_t n;
	char **files;		/* the hive file TARGETs */
};

/* The machines of A's TARGETs, in the order given (the hive files first
 * when they are mixed with folders and disk images; with A->each, every
 * hive file is a machine of its own, in the order given).  Checks
 * --output: never inside a folder TARGET, one subfolder per target when
 * there are several.
 * Returns 0 (free with cmd_targets_free) or -1 with D. */
int cmd_targets_make(const struct cmd_args *a, struct cmd_targets *ts,
    struct diag *d);
void cmd_targets_free(struct cmd_targets *ts);

/* Which hives the remedies RS need: WANT[kind] set for each. */
void cmd_hives_wanted(struct remedy *const *rs, size_t nrs,
    int want[HIVE__COUNT]);

enum cmd_mode { CMD_SCAN, CMD_DRY_RUN, CMD_APPLY };

/* What every target of a run shares. */
struct cmd_run {
	enum cmd_mode mode;
	const struct cmd_args *a;
	struct remedy **rs;
	size_t nrs;
	struct audit *audit;	/* --audit, or NULL */
	int several;		/* more than one target */
};

/* The progress line of a run over many targets (cmd-progress.c). */
struct cmd_progress {
	FILE *f;		/* stderr, or NULL: no progress line */
	size_t total, done, running, failed;
	double start, delay, drawn;
	int shown;		/* a line is on the screen */
};

/* Decide from A (--progress, --no-progress, -q) and standard error being a
 * terminal whether a run over TOTAL targets shows a progress line, and
 * start its clock.  Owns nothing: there is nothing to free. */
void cmd_progress_start(struct cmd_progress *p, const struct cmd_args *a,
    size_t total);
/* DONE targets are finished (FAILED of them with trouble), RUNNING are
 * being worked on: redraw the line, once the delay has passed. */
void cmd_progress_update(struct cmd_progress *p, size_t done,
    size_t running, size_t failed);
/* Redraw the line as it is (its clock moves), once the delay has passed. */
void cmd_progress_tick(struct cmd_progress *p);
/* Milliseconds to wait for before the next tick, or -1: no line. */
int cmd_progress_wait(const struct cmd_progress *p);
/* Erase the line, before printing anything else or at the end. */
void cmd_progress_clear(struct cmd_progress *p);
/* The line also says what each of the NTARGETS targets is doing
 * (cmd_progress_doing): call before the workers are forked, and
 * cmd_progress_unshare at the end. */
void cmd_progress_share(struct cmd_progress *p, size_t ntargets);
void cmd_progress_unshare(void);
/* This process now works on target I (in a WORKER process: the parent
 * draws the line). */
void cmd_progress_working(size_t i, int worker);
/* What the target this process works on is doing now, for the progress
 * line ("opening 'vm.qcow2'"); NULL when that is over.  Nothing without a
 * line. */
void cmd_progress_doing(const char *what);

/* How one target went, for the summary. */
struct cmd_outcome {
	int rc;			/* its exit code */
	size_t nchanges;	/* planned (scan, dry run) or made (apply) */
};

/* Work on one target T: find its hives, plan, print to OUT, and for apply
 * write.  Messages go to D.  Touches no state shared with other targets
 * but the audit log (whole lines) and the signal handler's list of
 * temporary files, so targets can be run side by side.  Returns the
 * target's exit code (also in O->rc). */
typedef int (*cmd_target_fn)(const struct cmd_run *r,
    const struct cmd_target *t, FILE *out, struct cmd_outcome *o,
    struct diag *d);

/* Run FN on every target of TS, each one's output and messages printed
 * once it is done, in TARGET order; one target's failure does not stop
 * the others.  With R->a->jobs > 1, FN runs in that many forked worker
 * processes, each given one target at a time.  With several targets, each output starts with "==> NAME <=="
 * (text formats) and a summary table closes the run (on stdout, or on
 * stderr when stdout is JSON or .reg).  Returns the worst exit code. */
int cmd_run_all(const struct cmd_run *r, const struct cmd_targets *ts,
    cmd_target_fn fn);

/* ------------------------------------------------------------ disk images
 * (cmd-disk.c) */

/* Is FMT a disk image format --image-format takes? */
int cmd_disk_format_ok(const char *fmt);

/* Is the TARGET ARG a disk image ("vm.qcow2", or "vm.qcow2:/dev/sda2" for
 * one file system of it)?  Its format is A->image_format, or found from
 * its first bytes (place.h); a hive file is never one.  Returns 1 and,
 * when T is not NULL, fills T's name and disk fields (free with
 * cmd_targets_free); 0 when it is not a disk image; -1 with D (out of
 * memory). */
int cmd_disk_target(const struct cmd_args *a, const char *arg,
    struct cmd_target *t, struct diag *d);

/* Work on the disk image T as FN works on a folder: start its appliance
 * once, find every Windows installation on it (each is a machine, named
 * T's name, or "IMAGE:DEVICE" when there are several), copy what the run
 * looks at into a private folder (stage.h), run FN there with the paths
 * it prints named inside the image ("IMAGE:/Windows/..."), and for apply
 * write what changed into the image (through an overlay committed at the
 * end, or into --overlay NEW.qcow2) or to --output.  Same contract as a
 * cmd_target_fn. */
int cmd_disk_run(const struct cmd_run *r, const struct cmd_target *t,
    cmd_target_fn fn, FILE *out, struct cmd_outcome *o, struct diag *d);

/* kbfix undo when one of its two arguments is inside a disk image
 * ("IMAGE:/path", "IMAGE:DEVICE:/path"): 1 when so (and *RC is the exit
 * code), 0 when neither is (cmd_undo goes on as for files). */
int cmd_disk_undo(int argc, char **argv, int *rc);

/* The whole of scan, the dry run and apply once A is parsed and checked:
 * load the remedies, make the targets, open the audit log, run FN on every
 * target (cmd_run_all), close the log, print D (which may hold messages
 * already) and free everything, A included.  VERB names the run in the
 * audit log.  Returns the exit code. */
int cmd_drive(struct cmd_args *a, enum cmd_mode mode, const char *verb,
    cmd_target_fn fn, struct diag *d);

/* Record the start of a run in the audit log: the tool, the command line
 * and each remedy's ID and SHA-256. */
void cmd_audit_start(struct audit *au, const struct cmd_args *a,
    const char *command, struct remedy *const *rs, size_t nrs);
void cmd_audit_end(struct audit *au, int rc);

/* The members of the audit log's first record that say where the run was
 * made (cmd-audit.c): the working folder, host, user, the remedy library
 * (its absolute path, its checksum: what "sha256sum *.xml | sha256sum"
 * prints there, the files in C order) and the schema's SHA-256, and the
 * TARGETs and path options of A made absolute. */
void cmd_audit_context(FILE *f, const struct cmd_args *a);

/* ,"NAME":"PATH made absolute" to F. */
void cmd_audit_abs(FILE *f, const char *name, const char *path);

/* An "input" record for each of the N hives HV read for TARGET, and for
 * each transaction log found beside one (RECS, per hive, or NULL), with
 * its SHA-256, changed or not. */
void cmd_audit_inputs(struct audit *au, const char *target,
    struct hive *const *hv, const struct recovery *recs, size_t n);

/* A "verdict" record for each remedy of plan P on TARGET: its status,
 * reason and number of changes. */
void cmd_audit_verdicts(struct audit *au, const char *target,
    const struct plan *p);

/* How target NAME went, with the errors of D, in the audit log. */
void cmd_audit_result(struct audit *au, const char *name,
    const struct cmd_outcome *o, const struct diag *d);

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
 * with a warning.  They must be one machine's (cmd_one_machine).
 * Temporary files of an interrupted kbfix beside them are removed, unless
 * A->output (nothing beside them is written then).  Every problem goes
 * to D; returns 0 or -1 (H is then released).  Release with
 * cmd_hives_release. */
int cmd_hives_open(char *const *paths, size_t n, const struct cmd_args *a,
    struct cmd_hives *h, struct diag *d);
void cmd_hives_release(struct cmd_hives *h);

/* One machine opened: its image, and its hives (locked for apply). */
struct cmd_machine {
	struct image *im;
	struct hive **hives;	/* read-only opens (scan, dry run) */
	struct recovery *recs;	/* per hive: the replay of its logs */
	size_t nhives;
	struct cmd_hives locked;
	struct target t;
};

/* Open the machine of T: find its hives (those the remedies RS need) and
 * open them, read-only, or locked for writing (cmd_hives_open) when LOCK;
 * a dirty one, either way, on the replay of its logs (recover.h) unless
 * A->ignore_logs.  Returns 0 (cmd_machine_close) or -1 with D. */
int cmd_machine_open(const struct cmd_args *a, const struct cmd_target *t,
    struct remedy *const *rs, size_t nrs, int lock, struct cmd_machine *m,
    struct diag *d);
void cmd_machine_close(struct cmd_machine *m);

/* How cmd_write reports and where it writes. */
struct cmd_write_opts {
	const struct image *im;	/* the machine, for --output paths */
	const char *output;	/* the target's output folder, or NULL */
	struct audit *audit;	/* or NULL */
	const char *name;	/* the target, for the audit log */
	FILE *out;		/* the report */
	int no_files_undo;	/* apply_options.no_files_undo */
};

/* Without --output (A), apply and undo write beside each hive and file
 * the plan P changes: on a read-only mount (evidence, as it should be),
 * one error in D that says so and how to work on it, before anything is
 * printed or written.  Returns 0 or -1. */
int cmd_writable_check(const struct plan *p, const struct cmd_args *a,
    struct diag *d);

/* Carry out P on T (apply.h): prepare, commit, then print where the
 * backups and undo files went, and record the files and changes in the
 * audit log.  REPLAN must find nothing left on the new files but the file
 * changes.  Without an output folder, a target on a read-only file system
 * is refused first.  Returns an exit code; messages go to D. */
int cmd_write(const struct plan *p, const struct target *t,
    apply_replan_fn replan, void *arg, const struct cmd_args *a,
    const struct cmd_write_opts *w, struct diag *d);

struct undo_file;

/* The undo of a whole apply from its undo manifest (cmd-undo-all.c): each
 * part's undo file read and checked, the hives locked, one plan. */
struct cmd_undo_all {
	struct undo_file **undos;	/* per part */
	char **names;		/* each part's undo file on this machine */
	char **targets;		/* what it puts back: a hive, or the
				 * Windows folder */
	size_t *hive_of;	/* a hive part's index in T's hives */
	size_t n;
	const char *windir;	/* the files part's folder, or NULL */
	struct cmd_hives h;
	struct image *im;	/* the machine, for --output */
	struct target t;
	struct plan *p;		/* every part's plan, in manifest order */
};

/* Prepare the undo of manifest M (read from NAME), its parts below FOLDER
 * (or M's root when NULL), for A: each part found (no symbolic link on
 * the way), read and checked as a lone undo file is (A->force), the hives
 * locked and opened, and UA->p their one plan.  Returns 0
 * (cmd_undo_all_free) or -1 with D, UA then freed. */
int cmd_undo_all(const struct cmd_args *a, const char *name,
    const struct undo_file *m, const char *folder, struct cmd_undo_all *ua,
    struct diag *d);
/* apply_replan_fn of a cmd_undo_all (ARG). */
int cmd_undo_all_replan(void *arg, const struct target *after,
    struct plan **out, struct diag *d);
void cmd_undo_all_free(struct cmd_undo_all *ua);

/* The newest undo manifest apply wrote in FOLDER or its Windows folder: a
 * new string, or NULL with D. */
char *cmd_undo_find_manifest(const char *folder, struct diag *d);

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
int cmd_check(int argc, char **argv);
int cmd_validate(int argc, char **argv);

#endif
