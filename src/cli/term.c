/* term.c: colour and character set of the diff (term.h). */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

size_t
term_width(int fd)
{
	struct winsize ws;
	const char *s;
	char *end;
	long n;

	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < 20 ? 20 : ws.ws_col;
	if ((s = getenv("COLUMNS")) != NULL && *s != '\0') {
		n = strtol(s, &end, 10);
		if (*end == '\0' && n >= 20 && n <= 1000)
			return (size_t)n;
	}
	return 80;
}

/* Columns of the N bytes at S: UTF-8 continuation bytes take none. */
static size_t
columns(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* One line of N bytes at S, F at column COL, broken lines at LI. */
static void
wrap_line(FILE *f, const char *s, size_t n, size_t col, size_t li,
    size_t width)
{
	while (n > 0 && col + columns(s, n) > width) {
		size_t i, cut = 0, c = col;

		/* The last space before the line is full. */
		for (i = 0; i < n && (c < width || s[i] == ' '); i++) {
			if (s[i] == ' ' && i > 0 && s[i - 1] != ' ')
				cut = i;
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				c++;
		}
		/* A word longer than a line: up to its end. */
		if (cut == 0) {
			cut = i;
			while (cut < n && s[cut] != ' ')
				cut++;
			if (cut == n)
				break;
		}
		fwrite(s, 1, cut, f);
		while (cut < n && s[cut] == ' ')
			cut++;
		s += cut;
		n -= cut;
		if (n == 0)
			break;
		fprintf(f, "\n%*s", (int)li, "");
		col = li;
	}
	fwrite(s, 1, n, f);
}

/* A line of a table, or drawn: three spaces in a row inside it. */
static int
table_line(const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		run = s[i] == ' ' ? run + 1 : 0;
		if (run >= 3 && i + 1 < n)
			return 1;
	}
	return 0;
}

void
term_wrap(FILE *f, const char *text, size_t col, size_t indent,
    size_t width)
{
	struct line { const char *s; size_t len, lead; } *v;
	size_t n = 1, i, k, m;
	const char *p;

	for (p = text; *p; p++)
		n += *p == '\n';
	if ((v = calloc(n, sizeof *v)) == NULL)
		return;
	/* The lines; a last newline ends the last line, and no more. */
	for (p = text, n = 0;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (nl == NULL && len == 0 && n > 0)
			break;
		v[n].s = p;
		v[n].len = len;
		v[n].lead = strspn(p, " ");
		if (v[n].lead > len)
			v[n].lead = len;
		n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	for (i = 0; i < n; i = k) {
		size_t lead = v[i].lead, at, c;
		int fits = 1;

		k = i + 1;
		if (v[i].len == lead) {
			fputc('\n', f);
			col = 0;
			continue;
		}
		/* A paragraph: the lines that follow with the same indent,
		 * none empty nor part of a table.  Written as it is when it
		 * fits; else its lines are joined and broken anew, so that a
		 * narrow terminal gets no long line and short one in turn. */
		if (!table_line(v[i].s, v[i].len))
			while (k < n && v[k].lead == lead && v[k].len > lead &&
			    !table_line(v[k].s, v[k].len))
				k++;
		at = col > indent + lead ? col : indent + lead;
		for (m = i; m < k; m++)
			if ((m == i ? at : indent + lead) +
			    columns(v[m].s + lead, v[m].len - lead) > width)
				fits = 0;
		fprintf(f, "%*s", (int)(at - col), "");
		if (fits || k == i + 1) {
			for (m = i; m < k; m++) {
				if (m > i)
					fprintf(f, "%*s", (int)(indent + lead),
					    "");
				wrap_line(f, v[m].s + lead, v[m].len - lead,
				    m == i ? at : indent + lead, indent + lead,
				    width);
				fputc('\n', f);
			}
		} else {
			char *para;
			size_t len = 0;

			for (m = i; m < k; m++)
				len += v[m].len + 1;
			if ((para = malloc(len)) == NULL)
				break;
			for (m = i, c = 0; m < k; m++) {
				if (c > 0)
					para[c++] = ' ';
				memcpy(para + c, v[m].s + lead, v[m].len - lead);
				c += v[m].len - lead;
			}
			wrap_line(f, para, c, at, indent + lead, width);
			fputc('\n', f);
			free(para);
		}
		col = 0;
	}
	free(v);
}
