/* faultshim.c: an LD_PRELOAD library that breaks kbfix's write path on
 * purpose, for tests/cli_safety.sh.
 *
 *   KBFIX_FAULT=mkstemp        creating the temporary file fails (EACCES)
 *   KBFIX_FAULT=enospc         writing the temporary file fails (ENOSPC)
 *   KBFIX_FAULT=fsync          fsync of the temporary file fails (EIO)
 *   KBFIX_FAULT=corrupt:NAME   a key name NAME in the temporary file gets
 *                              its last letter changed just before its
 *                              fsync: verification must catch it
 *   KBFIX_FAULT=backup         the backup can be neither linked nor copied
 *   KBFIX_FAULT=rename         renaming the temporary file fails (EIO)
 *   KBFIX_FAULT=rename:N       the Nth rename(2) or renameat2(2) of the
 *                              process fails (EIO), whatever it renames:
 *                              the second hive, the file after them...
 *   KBFIX_FAULT=wait-backup:PATH  once a backup (".kbfix-" and ".bak") is
 *                              made, create PATH.ready and wait until
 *                              PATH.go exists: a test swaps the hive then
 *   KBFIX_FAULT=full:NAME:N    a disk that fills up: writes to a file
 *                              whose path holds NAME succeed for N bytes
 *                              in all, the one crossing N in part, the
 *                              next fail (ENOSPC)
 *   KBFIX_FAULT=kill:fsync     SIGKILL at the temporary file's fsync
 *   KBFIX_FAULT=kill:rename    SIGKILL just before the rename
 *   KBFIX_FAULT=term:fsync     SIGTERM at the fsync (kbfix's handler runs)
 *   KBFIX_FAULT=term:rename    SIGTERM just before the rename
 *   KBFIX_FAULT=wait:PATH      at the fsync, create PATH.ready and wait
 *                              (60 s at most) until PATH.go exists
 *
 * Only files whose names hold ".kbfix-" (kbfix's temporary files, backups
 * and undo files) are affected, so the hive and everything else behave;
 * but for rename:N and full:NAME:N.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tracked[1024];	/* fds open on a ".kbfix-tmp-" file */
static int backups[1024];	/* fds open on a backup being made */
static int filling[1024];	/* fds open on the full:NAME: file */
static long long written;	/* to it so far */

static const char *
fault(void)
{
	const char *f = getenv("KBFIX_FAULT");

	return f ? f : "";
}

static int
is(const char *op)
{
	return strcmp(fault(), op) == 0;
}

static int
is_tmp(const char *path)
{
	return path != NULL && strstr(path, ".kbfix-tmp-") != NULL;
}

/* full:NAME:N: NAME (into BUF), and N. */
static long long
full_limit(char *buf, size_t size)
{
	const char *f = fault(), *c;

	if (strncmp(f, "full:", 5) != 0 || (c = strrchr(f + 5, ':')) == NULL)
		return -1;
	snprintf(buf, size, "%.*s", (int)(c - f - 5), f + 5);
	return atoll(c + 1);
}

static int
is_backup(const char *path)
{
	return path != NULL && strstr(path, ".kbfix-") != NULL &&
	    strstr(path, ".bak") != NULL;
}

static void
track(int fd, const char *path)
{
	char name[4096];

	if (fd >= 0 && fd < 1024) {
		tracked[fd] = is_tmp(path);
		backups[fd] = is_backup(path);
		filling[fd] = path != NULL && full_limit(name,
		    sizeof name) >= 0 && strstr(path, name) != NULL;
	}
}

static int
is_tracked(int fd)
{
	return fd >= 0 && fd < 1024 && tracked[fd];
}

/* kill:STEP and term:STEP */
static void
maybe_die(const char *step)
{
	const char *f = fault();

	if (strncmp(f, "kill:", 5) == 0 && strcmp(f + 5, step) == 0)
		raise(SIGKILL);
	if (strncmp(f, "term:", 5) == 0 && strcmp(f + 5, step) == 0)
		raise(SIGTERM);
}

#define REAL(name) \
	static __typeof__(name) *real_##name; \
	if (real_##name == NULL) \
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static int
open_common(const char *path, int flags, mode_t mode, int at, int dirfd,
    int is64)
{
	int fd;

	if (is("backup") && (flags & O_CREAT) && path != NULL &&
	    strstr(path, ".kbfix-") && strstr(path, ".bak")) {
		errno = ENOSPC;
		return -1;
	}
	if (at) {
		REAL(openat);
		fd = real_openat(dirfd, path, flags, mode);
	} else if (is64) {
		REAL(open64);
		fd = real_open64(path, flags, mode);
	} else {
		REAL(open);
		fd = real_open(path, flags, mode);
	}
	track(fd, path);
	return fd;
}

int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return open_common(path, flags, mode, 0, 0, 0);
}

int
open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return open_common(path, flags, mode, 0, 0, 1);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return open_common(path, flags, mode, 1, dirfd, 0);
}

/* What open() and openat() become under -D_FORTIFY_SOURCE when the flags
 * are not known at compile time (Debian's build flags): without these, a
 * hardened kbfix's fds escape the shim. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);

int
__open_2(const char *path, int flags)
{
	return open_common(path, flags, 0, 0, 0, 0);
}

int
__open64_2(const char *path, int flags)
{
	return open_common(path, flags, 0, 0, 0, 1);
}

int
__openat_2(int dirfd, const char *path, int flags)
{
	return open_common(path, flags, 0, 1, dirfd, 0);
}

int
mkstemp(char *tmpl)
{
	int fd;

	REAL(mkstemp);
	if (is("mkstemp") && is_tmp(tmpl)) {
		errno = EACCES;
		return -1;
	}
	fd = real_mkstemp(tmpl);
	track(fd, tmpl);
	return fd;
}

int
mkstemp64(char *tmpl)
{
	return mkstemp(tmpl);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	char name[4096];
	long long limit;
	ssize_t w;

	REAL(write);
	if (is("enospc") && is_tracked(fd)) {
		errno = ENOSPC;
		return -1;
	}
	if (fd >= 0 && fd < 1024 && filling[fd] &&
	    (limit = full_limit(name, sizeof name)) >= 0) {
		if (written >= limit) {
			errno = ENOSPC;
			return -1;
		}
		if ((long long)n > limit - written)
			n = (size_t)(limit - written);
		w = real_write(fd, buf, n);
		if (w > 0)
			written += w;
		return w;
	}
	return real_write(fd, buf, n);
}

/* corrupt:NAME: change the last letter of the first NAME in the file. */
static void
corrupt(int fd, const char *name)
{
	struct stat st;
	char *buf, *p, self[64];
	size_t n = strlen(name);

	/* kbfix opened it read-only to sync it: open it again to write. */
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	REAL(open);
	if ((fd = real_open(self, O_RDWR)) < 0)
		return;
	if (fstat(fd, &st) < 0 || (buf = malloc((size_t)st.st_size)) == NULL) {
		close(fd);
		return;
	}
	if (pread(fd, buf, (size_t)st.st_size, 0) == st.st_size &&
	    (p = memmem(buf, (size_t)st.st_size, name, n)) != NULL) {
		p[n - 1] ^= 0x01;
		(void)pwrite(fd, p + n - 1, 1, (p + n - 1) - buf);
	}
	free(buf);
	close(fd);
}

static void
wait_for(const char *path)
{
	char ready[4096], go[4096];
	struct stat st;
	int i, fd;

	snprintf(ready, sizeof ready, "%s.ready", path);
	snprintf(go, sizeof go, "%s.go", path);
	REAL(open);
	fd = real_open(ready, O_WRONLY | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
	for (i = 0; i < 600 && stat(go, &st) < 0; i++)
		usleep(100000);
}

int
fsync(int fd)
{
	REAL(fsync);
	if (is_tracked(fd)) {
		const char *f = fault();

		maybe_die("fsync");
		if (is("fsync")) {
			errno = EIO;
			return -1;
		}
		if (strncmp(f, "corrupt:", 8) == 0)
			corrupt(fd, f + 8);
		if (strncmp(f, "wait:", 5) == 0)
			wait_for(f + 5);
	}
	if (fd >= 0 && fd < 1024 && backups[fd] &&
	    strncmp(fault(), "wait-backup:", 12) == 0) {
		int r = real_fsync(fd);

		wait_for(fault() + 12);
		return r;
	}
	return real_fsync(fd);
}

int
close(int fd)
{
	REAL(close);
	if (fd >= 0 && fd < 1024)
		tracked[fd] = backups[fd] = filling[fd] = 0;
	return real_close(fd);
}

int
link(const char *from, const char *to)
{
	REAL(link);
	if (is("backup") && to != NULL && strstr(to, ".kbfix-")) {
		errno = EXDEV;
		return -1;
	}
	return real_link(from, to);
}

int
linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	int r;

	REAL(linkat);
	if (is("backup") && to != NULL && strstr(to, ".kbfix-")) {
		errno = EXDEV;
		return -1;
	}
	r = real_linkat(fromfd, from, tofd, to, flags);
	if (r == 0 && is_backup(to) &&
	    strncmp(fault(), "wait-backup:", 12) == 0)
		wait_for(fault() + 12);
	return r;
}

/* rename:N: is this the Nth rename of the process? */
static int
nth_rename(void)
{
	static int count;
	const char *f = fault();

	if (strncmp(f, "rename:", 7) != 0)
		return 0;
	return ++count == atoi(f + 7);
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to,
    unsigned int flags)
{
	REAL(renameat2);
	if (nth_rename()) {
		errno = EIO;
		return -1;
	}
	return real_renameat2(fromfd, from, tofd, to, flags);
}

int
rename(const char *from, const char *to)
{
	REAL(rename);
	if (nth_rename()) {
		errno = EIO;
		return -1;
	}
	if (is_tmp(from)) {
		maybe_die("rename");
		if (is("rename")) {
			errno = EIO;
			return -1;
		}
	}
	return real_rename(from, to);
}
