/* cmd-options.c: the commands, the options each one takes, the parser
 * of those options, and the help made from them (cmd-options.h). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd-options.h"
#include "term.h"

/* ---------------------------------------------------------------- commands */

static const struct command {
	const char *name;	/* as typed */
	unsigned bit;
	const char *args;	/* its other arguments, for the usage */
	const char *what;	/* what it does, one paragraph */
} commands[] = {
	{ "list", CMDB_LIST, "[WORD...]",
	    "List the remedies of the library: ID, the hives each needs, the "
	    "article's title; with WORDs, --product or --hive, those that "
	    "match them all (words of the ID, title, symptom, summary or a "
	    "product, or a product's initials).  Exit 1 when none does." },
	{ "show", CMDB_SHOW, "ID...",
	    "Show what each remedy does and why: products, hives, the "
	    "article's symptom, the conditions, the changes, warnings, and "
	    "the WORKAROUND it encodes." },
	{ "scan", CMDB_SCAN, "[ID...] [TARGET...]",
	    "Say for each remedy (every one of the library when none is "
	    "named) whether it applies to each machine given, and why, one "
	    "line each: \"done\" for one an apply of kbfix made, whose undo "
	    "file is beside the hive.  Exit 1 when one applies, 0 when none "
	    "does." },
	{ "--dry-run", CMDB_DRY_RUN, "[ID...] [TARGET...]",
	    "Print the plan: every change apply would make, as a diff to "
	    "read (docs/diff-format.md); write nothing.  'kbfix apply -n' "
	    "is the same.  Exit 1 when there are changes, 0 when there are "
	    "none." },
	{ "apply", CMDB_APPLY, "[ID...] [TARGET...]",
	    "Print the plan, then carry it out safely: each hive locked, "
	    "written to a temporary file, checked, kept as a backup, with "
	    "an undo file, then renamed into place; an undo manifest names "
	    "every undo file, for one undo of it all.  On any trouble "
	    "nothing is changed and the exit status is 2." },
	{ "undo", CMDB_UNDO, "UNDOFILE|MANIFEST [HIVE|FOLDER]",
	    "Put back what an apply changed, through the same safe write: "
	    "all of it, every hive and file together or none, from the undo "
	    "manifest it wrote (given alone, or with the FOLDER where the "
	    "machine is now; a FOLDER alone: its newest manifest); or one "
	    "hive from its undo file, given with the HIVE (the undo file of "
	    "file changes with the Windows FOLDER).  In a disk image, files "
	    "are named IMAGE:/PATH: its manifest given alone, or undo files "
	    "and then the IMAGE." },
	{ "recover", CMDB_RECOVER, "HIVE",
	    "Replay the transaction logs of a dirty hive and write the "
	    "recovered hive to the new file OUT; the hive and its logs are "
	    "only read." },
	{ "check", CMDB_CHECK, "HIVE...",
	    "Check the structure of each hive file, as fsck checks a file "
	    "system: what kbfix checks before it reads a hive, reported in "
	    "full.  Exit 2 when a hive is damaged." },
	{ "draft", CMDB_DRAFT, "ARTICLE...",
	    "Write a first remedy draft from each KB article (text or "
	    "Markdown), or count the drafts of a folder of articles." },
	{ "validate", CMDB_VALIDATE, "[FILE|ID...]",
	    "Check remedy files (the whole library when none is given) for "
	    "their authors: the schema, the semantics, and the library's "
	    "rules." },
	{ "help", CMDB_HELP, "[COMMAND]",
	    "Print the usage of every command, or the usage and options of "
	    "one (as 'kbfix COMMAND --help' does)." },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* ---------------------------------------------------------------- options */

enum opt_kind {
	OPT_OWN,	/* the command parses it itself */
	OPT_INT,	/* an int of struct cmd_args set to VAL */
	OPT_STR,	/* a const char * of struct cmd_args: the argument */
	OPT_FN,		/* FN checks and stores the argument */
};

/* Row flags. */
#define OPT_REQUIRED	1u	/* shown without brackets in the usage */
#define OPT_ALONE	2u	/* a form of the command of its own */

struct opt;
typedef int (*opt_fn)(struct cmd_args *a, const struct opt *o,
    const char *arg, struct diag *d);

struct opt {
	const char *name;	/* "--backup-dir", "-j" */
	const char *alias;	/* another name, or NULL */
	const char *arg;	/* its argument: "DIR", "diff|reg|json" (the
				 * values it takes), "[=WHEN]" (an optional
				 * one, attached), or NULL: none */
	unsigned cmds;		/* the commands that take it */
	enum opt_kind kind;
	size_t off;		/* OPT_INT, OPT_STR: where in cmd_args */
	int val;		/* OPT_INT: the value set */
	opt_fn fn;		/* OPT_FN */
	unsigned flags;
	const char *help;	/* one line or so */
};

static int opt_format(struct cmd_args *, const struct opt *, const char *,
    struct diag *);
static int opt_control_set(struct cmd_args *, const struct opt *,
    const char *, struct diag *);
static int opt_jobs(struct cmd_args *, const struct opt *, const char *,
    struct diag *);
static int opt_color(struct cmd_args *, const struct opt *, const char *,
    struct diag *);
static int opt_image_format(struct cmd_args *, const struct opt *,
    const char *, struct diag *);

#define INT(f, v)	OPT_INT, offsetof(struct cmd_args, f), (v), NULL
#define STR(f)		OPT_STR, offsetof(struct cmd_args, f), 0, NULL
#define FN(f)		OPT_FN, 0, 0, (f)
#define OWN		OPT_OWN, 0, 0, NULL

#define SC	CMDB_SCAN
#define DR	CMDB_DRY_RUN
#define AP	CMDB_APPLY
#define UN	CMDB_UNDO

/* Every option of every command, in the order the usage lists them.  A
 * name may have a row per group of commands, with the argument and help
 * it has for them. */
static const struct opt opts[] = {
	{ "--dry-run", "-n", NULL, DR | AP | UN, INT(dry_run, 1), 0,
	    "show what would change; write nothing" },
	{ "-q", "--quiet", NULL, SC | DR, INT(quiet, 1), 0,
	    "print nothing: the exit status tells" },
	{ "-q", "--quiet", NULL, AP | UN, INT(quiet, 1), 0,
	    "print only what to keep: the backups and undo files" },
	{ "-q", "--quiet", NULL, CMDB_VALIDATE, OWN, 0,
	    "do not list the valid files" },
	{ "--format", NULL, "json", SC, FN(opt_format), 0,
	    "one JSON line per TARGET (docs/json-format.md)" },
	{ "--format", NULL, "diff|reg|json", DR, FN(opt_format), 0,
	    "the plan as a diff (the default), a .reg file regedit can "
	    "merge, or JSON" },
	{ "--format", NULL, "diff|reg|json", UN, FN(opt_format), 0,
	    "with -n: the changes as a diff (the default), a .reg file or "
	    "JSON" },
	{ "--control-set", NULL, "CS", SC | DR | AP, FN(opt_control_set), 0,
	    "the ControlSet00N that CurrentControlSet means: current (the "
	    "default), default, lkg, failed, all, or a number" },
	{ "--backup-dir", NULL, "DIR", AP | UN, STR(backup_dir), 0,
	    "keep the backups and undo files in DIR, not beside the hives" },
	{ "--no-backup", NULL, NULL, AP | UN, INT(no_backup, 1), 0,
	    "keep no backup of the original" },
	{ "--drop-moved", NULL, NULL, AP, INT(drop_moved, 1), 0,
	    "let a remedy move list entries to no hive (Q256211 without a "
	    "user's NTUSER.DAT); the undo file keeps them" },
	{ "--force", NULL, NULL, UN, INT(force, 1), 0,
	    "undo over what changed since the apply, each a warning" },
	{ "--output", NULL, "DIR", AP | UN, STR(output), 0,
	    "write the new hives and files to DIR; nothing under the "
	    "TARGET" },
	{ "--overlay", NULL, "NEW.qcow2", AP | UN, STR(overlay), 0,
	    "on one disk image: write the changes into a new qcow2 overlay "
	    "of it; the image keeps every byte" },
	{ "--audit", NULL, "FILE", SC | DR | AP | UN, STR(audit), 0,
	    "append a record of the run to FILE, as JSON lines" },
	{ "--ignore-logs", NULL, NULL, SC | DR | AP | UN, INT(ignore_logs, 1),
	    0, "take a dirty hive as it is, not the replay of its logs" },
	{ "--each", NULL, NULL, SC | DR, INT(each, 1), 0,
	    "each hive file TARGET is a machine of its own" },
	{ "--image-format", NULL, "FMT", SC | DR | AP | UN,
	    FN(opt_image_format), 0,
	    "a TARGET that is not a hive is a disk image of format FMT (raw, "
	    "qcow2, vmdk, vhdx, vpc, vdi, qed, parallels), not the one its "
	    "first bytes say" },
	{ "-j", NULL, "N", SC | DR | AP, FN(opt_jobs), 0,
	    "work on N machines at once (1 to 256)" },
	{ "--progress", NULL, NULL, SC | DR | AP, INT(progress, 1), 0,
	    "show the progress line of several TARGETs, terminal or not" },
	{ "--no-progress", NULL, NULL, SC | DR | AP, INT(progress, 0), 0,
	    "never show the progress line" },
	{ "--color", NULL, "[=WHEN]", DR | AP | UN, FN(opt_color), 0,
	    "colour the diff: auto (the default: on a terminal), always or "
	    "never" },
	{ "--hive", NULL, "HIVE", CMDB_LIST, OWN, 0,
	    "only the remedies of HIVE (SYSTEM, SOFTWARE, NTUSER...)" },
	{ "--product", NULL, "NAME", CMDB_LIST, OWN, 0,
	    "only the remedies of a product NAME names (words or initials)" },
	{ "--format", NULL, "text|md", CMDB_LIST, OWN, 0,
	    "one line a remedy (the default), or the Markdown catalogue" },
	{ "--format", NULL, "text|json", CMDB_CHECK, OWN, 0,
	    "a report per hive for people (the default), or a JSON line" },
	{ "-o", "--output", "OUT", CMDB_RECOVER, OWN, OPT_REQUIRED,
	    "the new file to write the recovered hive to" },
	{ "-o", NULL, "DIR", CMDB_DRAFT, OWN, 0,
	    "write each draft to DIR/ID.xml (DIR is made if need be)" },
	{ "--force", NULL, NULL, CMDB_DRAFT, OWN, 0,
	    "with -o: replace a file of DIR (never, without it)" },
	{ "--stats", NULL, "DIR", CMDB_DRAFT, OWN, OPT_ALONE,
	    "draft every article of DIR and count the drafts by status and "
	    "reason" },
	{ "--tests", NULL, "DIR", CMDB_VALIDATE, OWN, 0,
	    "require a test of each remedy in DIR (a file named ID-* or "
	    "ID.*)" },
};

#define NOPTS (sizeof opts / sizeof opts[0])

/* ---------------------------------------------------------------- lookup */

static const struct command *
command_of(unsigned bit)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].bit == bit)
			return &commands[i];
	return NULL;
}

unsigned
cmd_bit(const char *name)
{
	size_t i;

	if (strcmp(name, "-n") == 0)
		return CMDB_DRY_RUN;
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].bit;
	return 0;
}

/* "scan"; "the dry run" for the dry run, whose name is an option. */
static const char *
label(unsigned bit)
{
	const struct command *c = command_of(bit);

	if (bit == CMDB_DRY_RUN)
		return "the dry run";
	return c ? c->name : "kbfix";
}

/* How to ask for CMD's help. */
static const char *
hint(unsigned cmd)
{
	static char buf[64];
	const struct command *c = command_of(cmd);

	if (c == NULL)
		return "kbfix --help";
	snprintf(buf, sizeof buf, "kbfix %s --help", c->name);
	return buf;
}

/* Does the option word S (up to its '=', if any) name option O? */
static int
names(const struct opt *o, const char *s, size_t len)
{
	return (strlen(o->name) == len && strncmp(o->name, s, len) == 0) ||
	    (o->alias != NULL && strlen(o->alias) == len &&
	    strncmp(o->alias, s, len) == 0);
}

/* The length of the name in option word S: "--format=json" has 8, "-j4"
 * 2. */
static size_t
name_len(const char *s)
{
	const char *eq;

	if (s[1] != '-')
		return s[1] ? 2 : 1;
	eq = strchr(s, '=');
	return eq ? (size_t)(eq - s) : strlen(s);
}

static const struct opt *
find(unsigned cmd, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if ((opts[i].cmds & cmd) && names(&opts[i], s, len))
			return &opts[i];
	return NULL;
}

/* Does option O take its argument as the next word? */
static int
takes_next(const struct opt *o)
{
	return o->arg != NULL && o->arg[0] != '[';
}

void
cmd_opt_refuse(unsigned cmd, const char *s, struct diag *d)
{
	size_t len = name_len(s), i, n = 0, k;
	unsigned who = 0;
	char list[256] = "";
	size_t o = 0;

	for (i = 0; i < NOPTS; i++)
		if (names(&opts[i], s, len))
			who |= opts[i].cmds;
	if (who == 0) {
		cmd_usage_error(d, cmd, "unknown option '%.*s'", (int)len, s);
		return;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (who & commands[i].bit)
			n++;
	for (i = 0, k = 0; i < NCOMMANDS && o < sizeof list; i++) {
		if (!(who & commands[i].bit))
			continue;
		k++;
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
		    k == 1 ? "" : k == n ? " and " : ", ",
		    label(commands[i].bit));
	}
	cmd_usage_error(d, cmd, "%s takes no option '%.*s' (%s %s it)",
	    label(cmd), (int)len, s, list, n == 1 ? "takes" : "take");
}

void
cmd_opt_fail(unsigned cmd, const char *s)
{
	struct diag d;

	diag_init(&d);
	cmd_opt_refuse(cmd, s, &d);
	diag_print(&d, stderr);
	diag_free(&d);
}

/* The usage error of CMD, FMT and AP, into D. */
static void
usage_verror(struct diag *d, unsigned cmd, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	diag_error(d, NULL, 0, "%s; see '%s'", msg ? msg : "out of memory",
	    hint(cmd));
	free(msg);
}

void
cmd_usage_error(struct diag *d, unsigned cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	usage_verror(d, cmd, fmt, ap);
	va_end(ap);
}

void
cmd_usage_fail(unsigned cmd, const char *fmt, ...)
{
	va_list ap;
	struct diag d;

	diag_init(&d);
	va_start(ap, fmt);
	usage_verror(&d, cmd, fmt, ap);
	va_end(ap);
	diag_print(&d, stderr);
	diag_free(&d);
}

/* Call FN on each option word of ARGV[1..ARGC) that command CMD takes,
 * until it returns nonzero; the arguments of options are stepped over.
 * Returns what FN returned, or 0. */
static int
each_option(unsigned cmd, int argc, char **argv,
    int (*fn)(const char *s, void *arg), void *arg)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		const struct opt *o;

		if (strcmp(s, "--") == 0)
			return 0;
		if (s[0] != '-' || s[1] == '\0')
			continue;
		if ((r = fn(s, arg)) != 0)
			return r;
		o = find(cmd, s, name_len(s));
		if (o != NULL && takes_next(o) && (s[1] == '-' ?
		    strchr(s, '=') == NULL : s[2] == '\0'))
			i++;
	}
	return 0;
}

static int
is_help(const char *s, void *arg)
{
	(void)arg;
	return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

static int
is_dry_run(const char *s, void *arg)
{
	(void)arg;
	return strcmp(s, "-n") == 0 || strcmp(s, "--dry-run") == 0;
}

int
cmd_help_asked(unsigned cmd, int argc, char **argv)
{
	return each_option(cmd, argc, argv, is_help, NULL);
}

unsigned
cmd_bit_of(int argc, char **argv)
{
	unsigned bit = argc > 0 ? cmd_bit(argv[0]) : 0;

	if (bit == CMDB_APPLY && each_option(bit, argc, argv, is_dry_run, NULL))
		return CMDB_DRY_RUN;
	return bit;
}

/* ---------------------------------------------------------------- parsing */

static int
opt_format(struct cmd_args *a, const struct opt *o, const char *v,
    struct diag *d)
{
	size_t l = strlen(v);
	const char *p = o->arg;

	/* One of the values the row lists. */
	while (p != NULL) {
		if (strncmp(p, v, l) == 0 && (p[l] == '|' || p[l] == '\0'))
			break;
		p = strchr(p, '|');
		p = p ? p + 1 : NULL;
	}
	if (p == NULL) {
		char alts[64];
		size_t i, k = 0, n = 0;

		/* "diff|reg|json" as "diff, reg or json". */
		for (i = 0; o->arg[i] != '\0'; i++)
			n += o->arg[i] == '|';
		for (i = 0; o->arg[i] != '\0' && k + 5 < sizeof alts; i++) {
			if (o->arg[i] != '|') {
				alts[k++] = o->arg[i];
				continue;
			}
			const char *sep = --n ? ", " : " or ";

			memcpy(alts + k, sep, strlen(sep));
			k += strlen(sep);
		}
		alts[k] = '\0';
		return diag_error(d, NULL, 0,
		    "unknown format '%s' for %s (%s)", v,
		    label(a->cmd), alts);
	}
	a->format = strcmp(v, "json") == 0 ? RENDER_JSON :
	    strcmp(v, "reg") == 0 ? RENDER_REG : RENDER_DIFF;
	return 0;
}

static int
opt_control_set(struct cmd_args *a, const struct opt *o, const char *v,
    struct diag *d)
{
	(void)o;
	a->control_set = v;
	if (hive_control_set_spec_ok(v))
		return 0;
	return diag_error(d, NULL, 0,
	    "bad --control-set '%s' (current, default, lkg,"
	    " failed, all or a number)", v);
}

static int
opt_jobs(struct cmd_args *a, const struct opt *o, const char *v,
    struct diag *d)
{
	char *end;
	long n;

	(void)o;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 1 || n > 256)
		return diag_error(d, NULL, 0,
		    "bad -j '%s' (a number of jobs from 1 to"
		    " 256)", v);
	a->jobs = (int)n;
	return 0;
}

static int
opt_color(struct cmd_args *a, const struct opt *o, const char *v,
    struct diag *d)
{
	int c = v == NULL ? TERM_COLOR_ALWAYS : term_color_parse(v);

	(void)o;
	if (c < 0)
		return diag_error(d, NULL, 0,
		    "bad --color '%s' (auto, always or "
		    "never)", v);
	a->color_when = c;
	return 0;
}

static int
opt_image_format(struct cmd_args *a, const struct opt *o, const char *v,
    struct diag *d)
{
	(void)o;
	a->image_format = v;
	if (cmd_disk_format_ok(v))
		return 0;
	diag_error(d, NULL, 0, "unknown disk image format '%s' (raw, qcow2, "
	    "vmdk, vhdx, vpc, vdi, qed, parallels)", v);
	return -1;
}

int
cmd_opts_parse(unsigned cmd, int argc, char **argv, struct cmd_args *a,
    char **pos, size_t *npos, struct diag *d)
{
	int i, bad = 0, opts_on = 1;

	*npos = 0;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i], *v = NULL;
		const struct opt *o;
		size_t len;

		if (!opts_on || s[0] != '-' || s[1] == '\0') {
			pos[(*npos)++] = argv[i];
			continue;
		}
		if (strcmp(s, "--") == 0) {
			opts_on = 0;
			continue;
		}
		len = name_len(s);
		if ((o = find(cmd, s, len)) == NULL || o->kind == OPT_OWN) {
			cmd_opt_refuse(cmd, s, d);
			bad = 1;
			continue;
		}
		if (s[len] != '\0')
			v = s[len] == '=' ? s + len + 1 : s + len;
		if (o->arg == NULL && v != NULL) {
			cmd_usage_error(d, cmd, "option '%.*s' takes no "
			    "argument ('%s')", (int)len, s, s);
			bad = 1;
			continue;
		}
		if (takes_next(o) && v == NULL) {
			if (i + 1 >= argc) {
				cmd_usage_error(d, cmd, "option '%s' needs an "
				    "argument (%s)", s, o->arg);
				bad = 1;
				break;
			}
			v = argv[++i];
		}
		switch (o->kind) {
		case OPT_INT:
			*(int *)(void *)((char *)a + o->off) = o->val;
			break;
		case OPT_STR:
			*(const char **)(void *)((char *)a + o->off) = v;
			break;
		case OPT_FN:
			if (o->fn(a, o, v, d) < 0)
				bad = 1;
			break;
		case OPT_OWN:
			break;
		}
	}
	return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- help */

/* The usage of option O: "[--format diff|reg|json]". */
static void
opt_usage(const struct opt *o, char *buf, size_t size)
{
	const char *open = o->flags & OPT_REQUIRED ? "" : "[";
	const char *close = o->flags & OPT_REQUIRED ? "" : "]";
	const char *arg = o->arg ? o->arg : "";

	/* The short alias of a long option is shown too: [-n | --dry-run]. */
	if (o->alias != NULL && strlen(o->alias) < strlen(o->name))
		snprintf(buf, size, "%s%s | %s%s%s%s", open, o->alias, o->name,
		    o->arg && takes_next(o) ? " " : "", arg, close);
	else
		snprintf(buf, size, "%s%s%s%s%s", open, o->name,
		    o->arg && takes_next(o) ? " " : "", arg, close);
}

/* Words to F at column *COL, wrapped at WIDTH to column INDENT. */
static void
put_word(FILE *f, const char *w, size_t *col, size_t indent, size_t width)
{
	size_t l = strlen(w);

	/* At INDENT a line has just begun: no space before the word. */
	if (*col > indent && *col + 1 + l > width) {
		fprintf(f, "\n%*s", (int)indent, "");
		*col = indent;
	} else if (*col != indent) {
		fputc(' ', f);
		(*col)++;
	}
	fputs(w, f);
	*col += l;
}

/* The usage lines of command C, the first after PREFIX ("usage: " or
 * its width in spaces). */
static void
usage_of(FILE *f, const struct command *c, const char *prefix)
{
	char w[128], *args, *tok, *save = NULL;
	size_t col, indent, i;
	const size_t width = 79;

	col = (size_t)fprintf(f, "%skbfix %s", prefix, c->name);
	indent = col + 1;
	/* "kbfix --help | --version" is no command of the table. */
	for (i = 0; i < NOPTS; i++) {
		if (!(opts[i].cmds & c->bit) || (opts[i].flags & OPT_ALONE) ||
		    strcmp(opts[i].name, c->name) == 0)
			continue;
		opt_usage(&opts[i], w, sizeof w);
		/* An alternative stays with its option: "[-n" "|" ... */
		put_word(f, w, &col, indent, width);
	}
	if ((args = strdup(c->args)) != NULL) {
		for (tok = strtok_r(args, " ", &save); tok != NULL;
		    tok = strtok_r(NULL, " ", &save))
			put_word(f, tok, &col, indent, width);
		free(args);
	}
	fputc('\n', f);
	for (i = 0; i < NOPTS; i++) {
		if (!(opts[i].cmds & c->bit) || !(opts[i].flags & OPT_ALONE))
			continue;
		opt_usage(&opts[i], w, sizeof w);
		/* Its brackets off: it is the whole form. */
		w[strlen(w) - 1] = '\0';
		fprintf(f, "%*skbfix %s %s\n", (int)strlen(prefix), "",
		    c->name, w + 1);
	}
}

void
cmd_usage_all(FILE *f)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		usage_of(f, &commands[i], i ? "       " : "usage: ");
	fprintf(f,
	    "       kbfix --help | --version\n"
	    "A TARGET is a hive file (the files given together are one "
	    "machine, or\n"
	    "each its own with --each) or a folder (one machine each): a "
	    "volume\n"
	    "holding Windows or WINNT, a Windows folder, or a folder of hive "
	    "files;\n"
	    "or a disk image (raw, qcow2, vmdk, vhdx ...: --image-format FMT), "
	    "each\n"
	    "Windows installation on it a machine.\n"
	    "An ID is Q267971, KB267971 or 267971; a remedy FILE ends in "
	    ".xml.\n"
	    "'kbfix help COMMAND' (or 'kbfix COMMAND --help') explains its "
	    "options.\n"
	    "See kbfix(1).\n");
}

void
cmd_usage_one(FILE *f, unsigned cmd)
{
	const struct command *c = command_of(cmd);
	size_t width = term_width(fileno(f)), i;
	char w[128];
	int any = 0;

	if (c == NULL)
		return;
	if (width > 79)
		width = 79;
	usage_of(f, c, "usage: ");
	fputc('\n', f);
	term_wrap(f, c->what, 0, 0, width);
	for (i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];
		int n;

		if (!(o->cmds & cmd) || strcmp(o->name, c->name) == 0)
			continue;
		if (!any++)
			fprintf(f, "\nOptions:\n");
		if (o->alias != NULL)
			snprintf(w, sizeof w, "%s, %s", strlen(o->alias) <
			    strlen(o->name) ? o->alias : o->name,
			    strlen(o->alias) < strlen(o->name) ? o->name :
			    o->alias);
		else
			snprintf(w, sizeof w, "%s", o->name);
		n = fprintf(f, "  %s%s%s", w, o->arg && takes_next(o) ?
		    " " : "", o->arg ? o->arg : "");
		if (n > 25) {
			fputc('\n', f);
			n = 0;
		}
		fprintf(f, "%*s", 26 - n, "");
		term_wrap(f, o->help, 26, 26, width);
	}
	fprintf(f, "\nSee kbfix(1).\n");
}

int
cmd_help(int argc, char **argv)
{
	unsigned bit;

	if (argc < 2) {
		cmd_usage_all(stdout);
		return EXIT_NOTHING;
	}
	if (argc > 2) {
		cmd_usage_fail(CMDB_HELP, "help takes one command ('%s' and "
		    "'%s' given)", argv[1], argv[2]);
		return EXIT_TROUBLE;
	}
	if ((bit = cmd_bit(argv[1])) == 0) {
		fprintf(stderr, "kbfix: error: unknown command '%s'; 'kbfix "
		    "help' lists the commands\n", argv[1]);
		return EXIT_TROUBLE;
	}
	cmd_usage_one(stdout, bit);
	return fflush(stdout) == 0 ? EXIT_NOTHING : EXIT_TROUBLE;
}
