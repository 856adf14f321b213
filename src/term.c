/* term.c: colour and character set of the diff (term.h). */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "term.h"

/* git's colours: red and green, and its reset. */
#define RED	"\033[31m"
#define GREEN	"\033[32m"
#define DIM	"\033[2m"
#define RESET	"\033[m"

int
term_color_parse(const char *when)
{
	if (strcmp(when, "auto") == 0)
		return TERM_COLOR_AUTO;
	if (strcmp(when, "always") == 0)
		return TERM_COLOR_ALWAYS;
	if (strcmp(when, "never") == 0)
		return TERM_COLOR_NEVER;
	return -1;
}

int
term_color_wanted(enum term_color when, int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (when != TERM_COLOR_AUTO)
		return when == TERM_COLOR_ALWAYS;
	return isatty(fd) && (nc == NULL || *nc == '\0') && term != NULL &&
	    strcmp(term, "dumb") != 0;
}

struct colorer {
	FILE *out;
	int bol;		/* at the start of a line */
	int on;			/* this line is coloured */
};

static ssize_t
colorer_write(void *cookie, const char *buf, size_t n)
{
	struct colorer *c = cookie;
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		if (c->bol) {
			const char *code = buf[i] == '-' ? RED :
			    buf[i] == '+' ? GREEN : buf[i] == '#' ? DIM : NULL;

			c->bol = 0;
			if (code != NULL) {
				fputs(code, c->out);
				c->on = 1;
			}
		}
		if (buf[i] != '\n')
			continue;
		/* The reset before the newline, as git puts it: a pager
		 * or a terminal that cuts the line keeps no colour. */
		fwrite(buf + from, 1, i - from, c->out);
		from = i + 1;
		if (c->on)
			fputs(RESET, c->out);
		fputc('\n', c->out);
		c->on = 0;
		c->bol = 1;
	}
	fwrite(buf + from, 1, n - from, c->out);
	return ferror(c->out) ? -1 : (ssize_t)n;
}

static int
colorer_close(void *cookie)
{
	struct colorer *c = cookie;
	int r = 0;

	if (c->on)
		fputs(RESET, c->out);
	if (ferror(c->out))
		r = EOF;
	free(c);
	return r;
}

FILE *
term_color_open(FILE *out)
{
	static const cookie_io_functions_t io = {
		NULL, colorer_write, NULL, colorer_close,
	};
	struct colorer *c = calloc(1, sizeof *c);
	FILE *f;

	if (c == NULL)
		return NULL;
	c->out = out;
	c->bol = 1;
	if ((f = fopencookie(c, "w", io)) == NULL)
		free(c);
	return f;
}

int
term_utf8(void)
{
	int r = 0;

	if (setlocale(LC_CTYPE, "") != NULL)
		r = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	setlocale(LC_CTYPE, "C");
	return r;
}
