/* diag.c: collected diagnostics. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof *d);
}

static void
diag_vadd(struct diag *d, enum diag_level level, const char *file, long line,
    const char *fmt, va_list ap)
{
	struct diag_item *it;
	char *msg = NULL;

	if (level == DIAG_ERROR)
		d->nerrors++;
	else if (level == DIAG_WARNING)
		d->nwarnings++;

	/* Out of memory: say so in place of the message, or drop it. */
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = strdup("out of memory");
	if (msg == NULL)
		return;

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 8;
		struct diag_item *ni = realloc(d->items, ncap * sizeof *ni);
		if (ni == NULL) {
			free(msg);
			return;
		}
		d->items = ni;
		d->cap = ncap;
	}
	it = &d->items[d->n];
	it->level = level;
	it->file = file ? strdup(file) : NULL;
	it->line = line;
	it->msg = msg;
	d->n++;
}

void
diag_add(struct diag *d, enum diag_level level, const char *file, long line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, level, file, line, fmt, ap);
	va_end(ap);
}

int
diag_error(struct diag *d, const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, DIAG_ERROR, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

int
diag_verror(struct diag *d, const char *file, long line, const char *fmt,
    va_list ap)
{
	diag_vadd(d, DIAG_ERROR, file, line, fmt, ap);
	return -1;
}

int
diag_oom(struct diag *d)
{
	return diag_error(d, NULL, 0, "out of memory");
}

void
diag_move(struct diag *dst, struct diag *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		struct diag_item *it = &src->items[i];
		diag_add(dst, it->level, it->file, it->line, "%s", it->msg);
	}
	diag_free(src);
	diag_init(src);
}

static const char *
level_name(enum diag_level l)
{
	switch (l) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

void
diag_print(const struct diag *d, FILE *f)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->items[i];
		if (it->file && it->line > 0)
			fprintf(f, "%s:%ld: %s: %s\n", it->file, it->line,
			    level_name(it->level), it->msg);
		else if (it->file)
			fprintf(f, "%s: %s: %s\n", it->file,
			    level_name(it->level), it->msg);
		else
			fprintf(f, "kbfix: %s: %s\n", level_name(it->level),
			    it->msg);
	}
}

void
diag_free(struct diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	memset(d, 0, sizeof *d);
}
