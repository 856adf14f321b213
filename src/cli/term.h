/* term.h: what the diff looks like on a terminal: colour, the way git
 * does it, and the character set the values are shown in. */
#ifndef KBFIX_TERM_H
#define KBFIX_TERM_H

#include <stdio.h>

enum term_color { TERM_COLOR_AUTO, TERM_COLOR_ALWAYS, TERM_COLOR_NEVER };

/* --color=WHEN: "auto", "always" or "never" as a term_color; -1 for
 * anything else. */
int term_color_parse(const char *when);

/* Whether output to file descriptor FD is coloured: ALWAYS, NEVER, or
 * AUTO: FD is a terminal, NO_COLOR is unset or empty
 * (https://no-color.org), and TERM is set and not "dumb". */
int term_color_wanted(enum term_color when, int fd);

/* A stream that writes to OUT what it is given, each line coloured by its
 * first character: '-' red, '+' green, '#' dim, any other as it is (the
 * escape sequences are the only bytes added: without them the text is
 * the plain one).  fclose it to flush it into OUT, which stays open.
 * NULL on out-of-memory. */
FILE *term_color_open(FILE *out);

/* Nonzero when the locale (LC_ALL, LC_CTYPE, LANG, as setlocale reads
 * them) uses UTF-8.  The process's locale is left as it was, "C": kbfix
 * compares names itself and wants no locale in its way. */
int term_utf8(void);

/* The width of the terminal on FD in columns; when FD is no terminal,
 * $COLUMNS, or else 80. */
size_t term_width(int fd);

/* Write TEXT to F, its lines broken at spaces to end at column WIDTH at
 * most (a word longer than that stands alone), then a newline.  F is at
 * column COL; each line starts at column INDENT (after spaces, when COL
 * is short of it) plus its own leading spaces, which a line it is broken
 * into keeps.  A line that fits is written as it is. */
void term_wrap(FILE *f, const char *text, size_t col, size_t indent,
    size_t width);

#endif
