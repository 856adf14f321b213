/* cmd-progress.c: the progress line of a run over many targets.
 *
 * As git does: on a terminal, once the run has lasted a moment
 * (KBFIX_PROGRESS_DELAY seconds, default 1, so that short runs stay
 * quiet), one line on standard error says how far the run is, rewritten
 * in place with a carriage return.  It is erased before anything else is
 * printed, so that the report reads the same as without it.  --progress
 * shows it even when standard error is not a terminal (and without the
 * delay's default: the caller may still set one), --no-progress never.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

/* What each target is doing now ("opening 'vm.qcow2'"), for the line: a
 * slot per target in memory shared with the worker processes (made before
 * they are forked), written by whichever process works on the target. */
#define DOING_LEN 72
static char (*doing)[DOING_LEN];
static size_t ndoing;
static size_t doing_self = (size_t)-1;	/* the target this process is on */
static struct cmd_progress *doing_line;	/* drawn by this process */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
cmd_progress_start(struct cmd_progress *p, const struct cmd_args *a,
    size_t total)
{
	const char *s = getenv("KBFIX_PROGRESS_DELAY");
	char *end;
	double delay;

	memset(p, 0, sizeof *p);
	p->total = total;
	p->start = now();
	p->delay = 1.0;
	if (s != NULL && *s != '\0') {
		delay = strtod(s, &end);
		if (*end == '\0' && delay >= 0 && delay < 3600)
			p->delay = delay;
	} else if (a->progress > 0)
		p->delay = 0;
	if (a->progress > 0 || (a->progress < 0 && !a->quiet && total > 1 &&
	    isatty(STDERR_FILENO)))
		p->f = stderr;
}

/* The line itself.  "\r" goes back to the start of the line, "\033[K"
 * erases what a longer earlier line left to the right (ECMA-48 EL). */
static void
draw(struct cmd_progress *p)
{
	long sec = (long)(now() - p->start);
	size_t i, shown;

	fprintf(p->f, "\rkbfix: %zu of %zu target%s done", p->done, p->total,
	    p->total == 1 ? "" : "s");
	if (p->running > 0)
		fprintf(p->f, ", %zu running", p->running);
	if (p->failed > 0)
		fprintf(p->f, ", %zu with trouble", p->failed);
	fprintf(p->f, " (%ld:%02ld)", sec / 60, sec % 60);
	for (i = 0, shown = 0; doing != NULL && i < ndoing; i++) {
		char text[DOING_LEN];

		memcpy(text, doing[i], sizeof text);
		text[DOING_LEN - 1] = '\0';	/* a worker may be writing it */
		if (text[0] == '\0')
			continue;
		if (shown++ == 2) {
			fputs(", ...", p->f);
			break;
		}
		fprintf(p->f, "%s%s", shown == 1 ? ": " : ", ", text);
	}
	fputs("\033[K", p->f);
	fflush(p->f);
	p->shown = 1;
	p->drawn = now();
}

void
cmd_progress_update(struct cmd_progress *p, size_t done, size_t running,
    size_t failed)
{
	double t;

	if (p->f == NULL)
		return;
	p->done = done;
	p->running = running;
	p->failed = failed;
	t = now();
	if (t - p->start < p->delay)
		return;
	/* Redraw on every step, but no more than ten times a second. */
	if (p->shown && t - p->drawn < 0.1 && done < p->total)
		return;
	draw(p);
}

int
cmd_progress_wait(const struct cmd_progress *p)
{
	double left;

	if (p->f == NULL)
		return -1;
	left = p->shown ? 1.0 : p->delay - (now() - p->start);
	if (left < 0)
		left = 0;
	return (int)(left * 1000) + 1;
}

void
cmd_progress_tick(struct cmd_progress *p)
{
	if (p->f != NULL && now() - p->start >= p->delay)
		draw(p);
}

void
cmd_progress_clear(struct cmd_progress *p)
{
	if (p->f == NULL || !p->shown)
		return;
	fputs("\r\033[K", p->f);
	fflush(p->f);
	p->shown = 0;
}

void
cmd_progress_share(struct cmd_progress *p, size_t ntargets)
{
	void *m;

	if (p->f == NULL || ntargets == 0)
		return;
	m = mmap(NULL, ntargets * DOING_LEN, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return;	/* the line says less */
	doing = m;
	ndoing = ntargets;
	doing_line = p;
}

void
cmd_progress_unshare(void)
{
	if (doing != NULL)
		munmap(doing, ndoing * DOING_LEN);
	doing = NULL;
	ndoing = 0;
	doing_self = (size_t)-1;
	doing_line = NULL;
}

void
cmd_progress_working(size_t i, int worker)
{
	doing_self = i;
	if (worker)
		doing_line = NULL;	/* the parent draws it */
}

void
cmd_progress_doing(const char *what)
{
	if (doing == NULL || doing_self >= ndoing)
		return;
	snprintf(doing[doing_self], DOING_LEN, "%s", what ? what : "");
	/* What follows is slow (a disk image is opened): say it now, delay
	 * or not, as nothing redraws the line meanwhile. */
	if (doing_line != NULL && doing_line->f != NULL && what != NULL)
		draw(doing_line);
}
