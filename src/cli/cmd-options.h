/* cmd-options.h: the commands and the options each one takes, in one
 * table (cmd-options.c), from which the option parser of scan, the dry
 * run, apply and undo, the usage ("kbfix --help") and each command's help
 * ("kbfix help COMMAND", "kbfix COMMAND --help") are all made.
 *
 * An option is a row of that table: its name, an alias, its argument, the
 * commands that take it, where cmd_args_parse stores it and a line of
 * help.  Giving an option to one more command is adding that command to
 * its row; an option no command of the row takes is an error naming it.
 * The commands with options of their own (draft, recover, validate...)
 * parse them themselves: their rows only describe them.
 */
#ifndef KBFIX_CMD_OPTIONS_H
#define KBFIX_CMD_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

struct cmd_args;

/* The commands, one bit each, as the table's rows name them. */
#define CMDB_LIST	(1u << 0)
#define CMDB_SHOW	(1u << 1)
#define CMDB_SCAN	(1u << 2)
#define CMDB_DRY_RUN	(1u << 3)	/* kbfix --dry-run, apply --dry-run */
#define CMDB_APPLY	(1u << 4)
#define CMDB_UNDO	(1u << 5)
#define CMDB_RECOVER	(1u << 6)
#define CMDB_DRAFT	(1u << 7)
#define CMDB_VALIDATE	(1u << 8)
#define CMDB_HELP	(1u << 9)
#define CMDB_CHECK	(1u << 10)

/* The bit of command NAME ("scan"; "--dry-run" and "-n" are the dry run),
 * or 0 when there is no such command. */
unsigned cmd_bit(const char *name);

/* The command ARGV[0] runs: NAME's, but for "apply" with -n or --dry-run
 * among its options, the dry run. */
unsigned cmd_bit_of(int argc, char **argv);

/* Parse the options of command CMD in ARGV[1..ARGC) into A (cmd.h),
 * storing the other arguments, in order, in POS (room for ARGC) and their
 * number in *NPOS.  "--" ends the options; "--name=VALUE" and "-jN" give
 * an option its argument too.  An option CMD does not take, or a bad
 * argument, is an error in D, with a hint at the command's help.
 * Returns 0 or -1. */
int cmd_opts_parse(unsigned cmd, int argc, char **argv, struct cmd_args *a,
    char **pos, size_t *npos, struct diag *d);

/* The error for an option S that command CMD does not take: which
 * commands do, or that none does, with a hint at CMD's help. */
void cmd_opt_refuse(unsigned cmd, const char *s, struct diag *d);

/* The same, printed on standard error at once: for the commands that
 * print their own errors. */
void cmd_opt_fail(unsigned cmd, const char *s);

/* A usage error of CMD in D: the message, then "; see 'kbfix CMD --help'"
 * on the same line. */
void cmd_usage_error(struct diag *d, unsigned cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print "kbfix: error: MSG; see 'kbfix CMD --help'" on standard error:
 * for the commands that print their own errors. */
void cmd_usage_fail(unsigned cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether -h or --help is among the options of ARGV (the arguments of
 * options CMD takes are skipped over). */
int cmd_help_asked(unsigned cmd, int argc, char **argv);

/* The usage of every command (kbfix --help, kbfix help), to F. */
void cmd_usage_all(FILE *f);

/* The usage, what it does and every option of command CMD, to F. */
void cmd_usage_one(FILE *f, unsigned cmd);

/* kbfix help [COMMAND]. */
int cmd_help(int argc, char **argv);

#endif
