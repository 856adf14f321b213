/* lock.c: hive locks and cleanup of temporary files on signals. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"

int
lock_acquire(const char *path, struct lock *l, struct diag *d)
{
	struct stat st, st2;
	int fd;

	l->fd = -1;
	l->path = NULL;
	if (lstat(path, &st) < 0)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return diag_error(d, NULL, 0, "'%s' is not a regular file%s",
		    path,
		    S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			diag_error(d, NULL, 0,
			    "'%s' is being changed by another kbfix: try again "
			    "when it has finished", path);
		else
			diag_error(d, NULL, 0, "cannot lock '%s': %s", path,
			    strerror(e));
		return -1;
	}
	/* The other kbfix may have renamed a new file into place between
	 * our open and our lock: then we hold a lock on its backup. */
	if (fstat(fd, &st) < 0 || stat(path, &st2) < 0 ||
	    st.st_ino != st2.st_ino || st.st_dev != st2.st_dev) {
		close(fd);
		return diag_error(d, NULL, 0,
		    "'%s' was replaced by another kbfix while opening it: "
		    "run again", path);
	}
	l->fd = fd;
	l->path = strdup(path);
	l->st = st;
	return 0;
}

int
lock_same(const struct lock *l, struct diag *d)
{
	struct stat st;

	if (lstat(l->path, &st) < 0)
		return diag_error(d, NULL, 0,
		    "'%s' is gone since kbfix planned on it: "
		    "%s", l->path, strerror(errno));
	if (st.st_dev != l->st.st_dev || st.st_ino != l->st.st_ino)
		return diag_error(d, NULL, 0,
		    "'%s' is another file than the one kbfix "
		    "planned on: something moved a file onto it", l->path);
	if (st.st_size != l->st.st_size ||
	    st.st_mtim.tv_sec != l->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != l->st.st_mtim.tv_nsec)
		return diag_error(d, NULL, 0,
		    "'%s' has been written to since kbfix "
		    "planned on it", l->path);
	return 0;
}

void
lock_release(struct lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}

#define MAX_TEMPS 64
static char *temps[MAX_TEMPS];
static volatile sig_atomic_t ntemps_busy;

void
lock_temp_add(const char *path)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++) {
		if (temps[i] == NULL) {
			char *p = strdup(path);

			ntemps_busy = 1;
			temps[i] = p;
			ntemps_busy = 0;
			return;
		}
	}
}

void
lock_temp_forget(const char *path)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++) {
		if (temps[i] != NULL && strcmp(temps[i], path) == 0) {
			char *p = temps[i];

			ntemps_busy = 1;
			temps[i] = NULL;
			ntemps_busy = 0;
			free(p);
			return;
		}
	}
}

static void
on_signal(int sig)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++)
		if (temps[i] != NULL)
			unlink(temps[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
lock_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
