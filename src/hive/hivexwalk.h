/* hivexwalk.h: hivex's own reading of a whole hive, the witness kbfix's
 * structure check is held to.
 *
 * Real input is the test of truth: a hive Windows wrote and hivex reads
 * is never refused.  The differential test (tests/cli_hivediff.sh, over
 * every hive the tests have) and the hive fuzzer (fuzz/fuzz_hive.c) ask,
 * for each hive kbfix refuses, whether hivex reads it whole: every key
 * and value reached through hivex's own calls (hivex_node_children,
 * hivex_node_name, hivex_node_values, hivex_value_key, hivex_value_value),
 * no subkey list looping back to a key on its path.  If it does, the
 * refusal must be one of the hostile shapes of regfcheck.h.
 *
 * hivex trusts a hive's cells to end where they say (regfcheck.h), so a
 * hive kbfix refuses may crash it: the walk runs in a child process, and a
 * crash or a walk that outlasts its time counts as hivex not reading it.
 */
#ifndef KBFIX_HIVEXWALK_H
#define KBFIX_HIVEXWALK_H

#include <stddef.h>

#include "regfcheck.h"

struct hivexwalk {
	int whole;		/* hivex read every key and value */
	int twice;		/* some key is listed twice (read once here) */
	size_t keys, values;	/* read */
	char why[256];		/* when not whole: what hivex did not read */
};

/* Walk the hive file PATH through hivex, in a child process given
 * TIMEOUT seconds, into *W.  The child is a fork of this process, or the
 * program $KBFIX_HIVEXWALK when set (tests/hivediff: "--walk TIMEOUT
 * PATH" runs hivexwalk_run), whose start does not cost a copy of a
 * sanitized fuzzer's pages.  Returns 0, or -1 when no child could be made
 * (W->why says so). */
int hivexwalk_read(const char *path, unsigned timeout, struct hivexwalk *w);

/* The child's part: walk PATH within TIMEOUT seconds, write the struct
 * hivexwalk to FD, and _exit (a crash exits too).  Never returns. */
void hivexwalk_run(const char *path, unsigned timeout, int fd)
    __attribute__((noreturn));

/* The verdicts of kbfix (regf_header_parse, then regf_check_ex) and of
 * hivex (hivexwalk_read) on the hive file PATH. */
struct hivexwalk_verdict {
	enum regfcheck_refusal why;	/* kbfix's: REGFCHECK_ACCEPTED, or
					 * what it refused */
	char kbfix[512];		/* kbfix's message when it refuses */
	int walked;			/* hivex was asked (always, or when
					 * kbfix refuses) */
	struct hivexwalk hivex;
	int agree;			/* kbfix accepts, or hivex does not
					 * read it whole, or the refusal is a
					 * hostile shape */
};

/* Compare the two on PATH into *V; hivex is asked only when kbfix refuses
 * the hive for no hostile shape, or ALWAYS.  Returns 0 when they agree,
 * -1 when hivex reads the hive whole and kbfix refuses it for no hostile
 * shape, or when the file cannot be read (V->kbfix says so) or hivex
 * not asked (V->walked unset, V->hivex.why says why). */
int hivexwalk_compare(const char *path, int always,
    struct hivexwalk_verdict *v);

/* One line for V: "kbfix accepts it; hivex reads it whole (N keys, M
 * values)", "kbfix refuses it (...): MESSAGE; hivex ...".  Into BUF of
 * SIZE bytes; returns BUF. */
char *hivexwalk_text(const struct hivexwalk_verdict *v, char *buf,
    size_t size);

#endif
