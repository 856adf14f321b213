/* hivexwalk.c: hivex's own reading of a whole hive (hivexwalk.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hivex.h>

#include "diag.h"
#include "hivexwalk.h"
#include "regf.h"

extern char **environ;

#define BIT_SET(m, off)	((m)[(off) / 32] |= (unsigned char)(1u << ((off) / 4 % 8)))
#define BIT_CLR(m, off)	((m)[(off) / 32] &= (unsigned char)~(1u << ((off) / 4 % 8)))
#define BIT_TST(m, off)	((m)[(off) / 32] & (1u << ((off) / 4 % 8)))

struct frame {
	hive_node_h node;
	hive_node_h *kids;
	size_t next;
};

/* Read key NODE's name and values through hivex; 0 or -1 with W->why. */
static int
read_key(hive_h *h, hive_node_h node, struct hivexwalk *w)
{
	hive_value_h *vals;
	char *name = hivex_node_name(h, node);
	size_t i;

	if (name == NULL) {
		snprintf(w->why, sizeof w->why, "the name of the key at 0x%zx:"
		    " %s", (size_t)node, strerror(errno));
		return -1;
	}
	free(name);
	if ((vals = hivex_node_values(h, node)) == NULL) {
		snprintf(w->why, sizeof w->why, "the values of the key at "
		    "0x%zx: %s", (size_t)node, strerror(errno));
		return -1;
	}
	for (i = 0; vals[i] != 0; i++) {
		hive_type t;
		size_t len = 0;
		char *k = hivex_value_key(h, vals[i]), *data;

		if (k == NULL) {
			snprintf(w->why, sizeof w->why, "the name of the value "
			    "at 0x%zx: %s", (size_t)vals[i], strerror(errno));
			free(vals);
			return -1;
		}
		free(k);
		if ((data = hivex_value_value(h, vals[i], &t, &len)) == NULL) {
			snprintf(w->why, sizeof w->why, "the data of the value "
			    "at 0x%zx: %s", (size_t)vals[i], strerror(errno));
			free(vals);
			return -1;
		}
		free(data);
		w->values++;
	}
	free(vals);
	w->keys++;
	return 0;
}

/* Depth first, each key read once, a key listed again on its own path a
 * loop. */
static void walk1(hive_h *, size_t, struct hivexwalk *, struct frame **,
    size_t *, unsigned char *, unsigned char *);

/* The walk itself, in the child.  Everything is freed again: the child
 * may run under valgrind, which counts what is not. */
static void
walk(const char *path, struct hivexwalk *w)
{
	struct frame *st = NULL;
	size_t n = 0, i;
	unsigned char *seen, *onpath;
	struct stat sb;
	hive_h *h = hivex_open(path, 0);

	if (h == NULL) {
		snprintf(w->why, sizeof w->why, "hivex_open: %s",
		    strerror(errno));
		return;
	}
	if (stat(path, &sb) < 0) {
		snprintf(w->why, sizeof w->why, "stat: %s", strerror(errno));
		hivex_close(h);
		return;
	}
	seen = calloc((size_t)sb.st_size / 32 + 1, 1);
	onpath = calloc((size_t)sb.st_size / 32 + 1, 1);
	if (seen != NULL && onpath != NULL)
		walk1(h, (size_t)sb.st_size, w, &st, &n, seen, onpath);
	for (i = 0; i < n; i++)
		free(st[i].kids);
	free(st);
	free(seen);
	free(onpath);
	hivex_close(h);
}

static void
walk1(hive_h *h, size_t size, struct hivexwalk *w, struct frame **stp,
    size_t *np, unsigned char *seen, unsigned char *onpath)
{
	size_t cap = 64;
	hive_node_h root = hivex_root(h);

	if (root == 0 || root >= size) {
		snprintf(w->why, sizeof w->why, "no root key");
		return;
	}
	if ((*stp = calloc(cap, sizeof **stp)) == NULL ||
	    read_key(h, root, w) < 0)
		return;
	(*stp)[0].node = root;
	*np = 1;
	BIT_SET(seen, root);
	BIT_SET(onpath, root);
	while (*np > 0) {
		struct frame *f = &(*stp)[*np - 1];
		hive_node_h kid;

		if (f->kids == NULL &&
		    (f->kids = hivex_node_children(h, f->node)) == NULL) {
			snprintf(w->why, sizeof w->why, "the subkeys of the key "
			    "at 0x%zx: %s", (size_t)f->node, strerror(errno));
			return;
		}
		if ((kid = f->kids[f->next]) == 0) {
			BIT_CLR(onpath, f->node);
			free(f->kids);
			f->kids = NULL;
			(*np)--;
			continue;
		}
		f->next++;
		if (kid >= size) {
			snprintf(w->why, sizeof w->why, "a subkey past the end "
			    "of the file");
			return;
		}
		if (BIT_TST(onpath, kid)) {
			snprintf(w->why, sizeof w->why, "the key at 0x%zx lists "
			    "its own ancestor at 0x%zx (a loop)",
			    (size_t)f->node, (size_t)kid);
			return;
		}
		if (BIT_TST(seen, kid)) {
			w->twice = 1;
			continue;
		}
		BIT_SET(seen, kid);
		if (read_key(h, kid, w) < 0)
			return;
		if (*np == cap) {
			struct frame *ns = realloc(*stp, 2 * cap * sizeof *ns);

			if (ns == NULL)
				return;
			*stp = ns;
			cap *= 2;
		}
		(*stp)[*np].node = kid;
		(*stp)[*np].kids = NULL;
		(*stp)[*np].next = 0;
		(*np)++;
		BIT_SET(onpath, kid);
	}
	w->whole = 1;
}

static void
crashed(int sig)
{
	(void)sig;
	_exit(3);
}

void
hivexwalk_run(const char *path, unsigned timeout, int fd)
{
	struct hivexwalk w;
	struct sigaction sa;
	const char *p = (const char *)&w;
	size_t done = 0;

	memset(&w, 0, sizeof w);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crashed;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	alarm(timeout);
	walk(path, &w);
	while (done < sizeof w) {
		ssize_t r = write(fd, p + done, sizeof w - done);

		if (r <= 0)
			_exit(2);
		done += (size_t)r;
	}
	_exit(0);
}

int
hivexwalk_read(const char *path, unsigned timeout, struct hivexwalk *w)
{
	const char *helper = getenv("KBFIX_HIVEXWALK");
	int fds[2], status;
	size_t got = 0;
	pid_t pid;

	memset(w, 0, sizeof *w);
	/* Nothing buffered is written twice, whatever the child's exit
	 * flushes (valgrind's does). */
	fflush(NULL);
	if (pipe(fds) < 0) {
		snprintf(w->why, sizeof w->why, "pipe: %s", strerror(errno));
		return -1;
	}
	if (helper != NULL && *helper != '\0') {
		/* A process of its own, whose start does not copy this
		 * one's pages (a sanitizer's are many). */
		posix_spawn_file_actions_t fa;
		char t[16], *argv[5];
		int e;

		snprintf(t, sizeof t, "%u", timeout);
		argv[0] = (char *)helper;
		argv[1] = (char *)"--walk";
		argv[2] = t;
		argv[3] = (char *)path;
		argv[4] = NULL;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		posix_spawn_file_actions_addclose(&fa, fds[0]);
		e = posix_spawn(&pid, helper, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		if (e != 0)
			pid = -1;
		errno = e;
	} else if ((pid = fork()) == 0) {
		close(fds[0]);
		hivexwalk_run(path, timeout, fds[1]);
	}
	if (pid < 0) {
		snprintf(w->why, sizeof w->why, "cannot start a process: %s",
		    strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	close(fds[1]);
	while (got < sizeof *w) {
		ssize_t r = read(fds[0], (char *)w + got, sizeof *w - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof *w || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		memset(w, 0, sizeof *w);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
			snprintf(w->why, sizeof w->why, "not done after %u s",
			    timeout);
		else
			snprintf(w->why, sizeof w->why, "hivex crashed");
	}
	w->why[sizeof w->why - 1] = '\0';
	return 0;
}

/* The whole file at PATH; NULL with errno. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *b;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || (b = malloc((size_t)st.st_size + 1)) ==
	    NULL) {
		close(fd);
		return NULL;
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, b + done, (size_t)st.st_size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	close(fd);
	*len = done;
	return b;
}

int
hivexwalk_compare(const char *path, int always, struct hivexwalk_verdict *v)
{
	struct regf_header h;
	struct diag d;
	unsigned char *b;
	size_t len = 0;

	memset(v, 0, sizeof *v);
	if ((b = slurp(path, &len)) == NULL) {
		v->why = REGFCHECK_CORRUPT;
		snprintf(v->kbfix, sizeof v->kbfix, "cannot read '%s': %s",
		    path, strerror(errno));
		return -1;
	}
	diag_init(&d);
	if (regf_header_parse(b, len, path, &h, &d) < 0)
		v->why = REGFCHECK_BASE_BLOCK;
	else
		(void)regf_check_ex(b, len, path, NULL, &d, &v->why, NULL);
	if (d.n > 0)
		snprintf(v->kbfix, sizeof v->kbfix, "%s", d.items[0].msg);
	diag_free(&d);
	free(b);
	/* Only a refusal for no hostile shape needs hivex's word. */
	if (always || v->why == REGFCHECK_CORRUPT) {
		/* Thirty seconds covers hivex's walk of the largest real
		 * hive many times over. */
		if (hivexwalk_read(path, 30, &v->hivex) < 0)
			return -1;
		v->walked = 1;
	}
	v->agree = v->why == REGFCHECK_ACCEPTED || !v->hivex.whole ||
	    v->why != REGFCHECK_CORRUPT;
	return v->agree ? 0 : -1;
}

char *
hivexwalk_text(const struct hivexwalk_verdict *v, char *buf, size_t size)
{
	char hx[400];

	if (!v->walked && v->hivex.why[0] != '\0')
		snprintf(hx, sizeof hx, "hivex could not be asked (%s)",
		    v->hivex.why);
	else if (!v->walked)
		snprintf(hx, sizeof hx, "hivex not asked");
	else if (v->hivex.whole)
		snprintf(hx, sizeof hx, "hivex reads it whole (%zu keys, %zu "
		    "values%s)", v->hivex.keys, v->hivex.values,
		    v->hivex.twice ? ", a key listed twice" : "");
	else
		snprintf(hx, sizeof hx, "hivex does not read it whole (%s)",
		    v->hivex.why);
	if (v->why == REGFCHECK_ACCEPTED)
		snprintf(buf, size, "kbfix accepts it; %s", hx);
	else
		snprintf(buf, size, "kbfix refuses it (%s): %s; %s",
		    regf_refusal_name(v->why), v->kbfix, hx);
	return buf;
}
