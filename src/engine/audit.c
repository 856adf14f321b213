/* audit.c: the audit log (JSON Lines). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>
#include <nettle/version.h>

#include "audit.h"
#include "json.h"

struct audit {
	int fd;
	char *path;
	char *buf;	/* the record being built (open_memstream) */
	size_t len;
	int failed;	/* a record was lost */
	int err;	/* its errno */
	int reported;	/* the loss is in a message already */
};

int
audit_open(const char *path, struct audit **out, struct diag *d)
{
	struct audit *a = calloc(1, sizeof *a);

	*out = NULL;
	if (a == NULL || (a->path = strdup(path)) == NULL) {
		free(a);
		return diag_oom(d);
	}
	a->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (a->fd < 0) {
		diag_error(d, NULL, 0, "cannot open the audit log '%s': %s",
		    path, strerror(errno));
		free(a->path);
		free(a);
		return -1;
	}
	*out = a;
	return 0;
}

/* fsync the log; a file that cannot be (a pipe, /dev/null) is no
 * failure. */
static void
sync_log(struct audit *a)
{
	if (fsync(a->fd) < 0 && errno != EINVAL && errno != EROFS &&
	    !a->failed) {
		a->failed = 1;
		a->err = errno;
	}
}

static int
close_log(struct audit *a, int late, struct diag *d)
{
	int r = 0;

	if (a == NULL)
		return 0;
	sync_log(a);
	if (close(a->fd) < 0 && !a->failed) {
		a->failed = 1;
		a->err = errno;
	}
	if (a->failed && late && !a->reported)
		diag_warning(d, NULL, 0, "cannot write the audit log '%s': %s: "
		    "it lacks the last records of the run (what the run "
		    "changed, it changed)", a->path, a->err ?
		    strerror(a->err) : "out of memory");
	else if (a->failed && !a->reported)
		diag_error(d, NULL, 0, "cannot write the audit log '%s': %s",
		    a->path, a->err ? strerror(a->err) : "out of memory");
	if (a->failed)
		r = -1;
	free(a->path);
	free(a);
	return r;
}

int
audit_close(struct audit *a, struct diag *d)
{
	return close_log(a, 0, d);
}

int
audit_close_late(struct audit *a, struct diag *d)
{
	return close_log(a, 1, d);
}

int
audit_sync(struct audit *a, struct diag *d)
{
	struct stat st;

	if (a == NULL)
		return 0;
	sync_log(a);
	if (a->failed) {
		if (!a->reported)
			diag_error(d, NULL, 0, "cannot write the audit log "
			    "'%s': %s", a->path, a->err ? strerror(a->err) :
			    "out of memory");
		a->reported = 1;
		return -1;
	}
	/* Room for the records still to come, reserved where the file
	 * system can: a full disk then cuts none of them. */
	if (fstat(a->fd, &st) == 0 && S_ISREG(st.st_mode))
		(void)fallocate(a->fd, FALLOC_FL_KEEP_SIZE, st.st_size,
		    AUDIT_RESERVE);
	return 0;
}

FILE *
audit_begin(struct audit *a, const char *event, const char *target)
{
	FILE *f;

	if (a == NULL)
		return NULL;
	a->buf = NULL;
	a->len = 0;
	if ((f = open_memstream(&a->buf, &a->len)) == NULL) {
		a->failed = 1;
		return NULL;
	}
	fputs("{\"event\":", f);
	json_string(f, event);
	fputs(",\"time\":", f);
	json_time(f, time(NULL));
	if (target != NULL) {
		fputs(",\"target\":", f);
		json_string(f, target);
	}
	return f;
}

void
audit_end(struct audit *a, FILE *rec)
{
	const char *p;
	size_t left;
	off_t start = -1;
	struct stat st;

	if (a == NULL || rec == NULL)
		return;
	fputs("}\n", rec);
	if (fclose(rec) != 0) {
		a->failed = 1;
		free(a->buf);
		a->buf = NULL;
		return;
	}
	/* One write: O_APPEND puts it whole at the end. */
	for (p = a->buf, left = a->len; left > 0;) {
		ssize_t w = write(a->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			a->failed = 1;
			a->err = w < 0 ? errno : EIO;
			break;
		}
		if (p == a->buf)
			start = lseek(a->fd, 0, SEEK_CUR) - w;
		p += w;
		left -= (size_t)w;
	}
	/* A disk that filled up mid-record: the cut line would read as a
	 * record of its own (or not read at all).  Take it back, unless
	 * something was appended after it. */
	if (left > 0 && p != a->buf && start >= 0 && fstat(a->fd, &st) == 0 &&
	    st.st_size == start + (off_t)(p - a->buf))
		(void)ftruncate(a->fd, start);
	free(a->buf);
	a->buf = NULL;
}

static void
sha256_hex(struct sha256_ctx *c, char hex[65])
{
	unsigned char dig[SHA256_DIGEST_SIZE];
	int i;

#if NETTLE_VERSION_MAJOR >= 4
	sha256_digest(c, dig);
#else
	sha256_digest(c, SHA256_DIGEST_SIZE, dig);
#endif
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
}

void
audit_sha256_buf(const void *buf, size_t n, char hex[65])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, buf);
	sha256_hex(&c, hex);
}

int
audit_sha256_file(const char *path, char hex[65])
{
	struct sha256_ctx c;
	unsigned char buf[1 << 16];
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	sha256_init(&c);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sha256_update(&c, (size_t)n, buf);
	e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	sha256_hex(&c, hex);
	return 0;
}

void
audit_put_sha256(FILE *f, const char *name, const char *path)
{
	char hex[65];

	fprintf(f, ",\"%s\":", name);
	if (path != NULL && audit_sha256_file(path, hex) == 0)
		fprintf(f, "\"%s\"", hex);
	else
		fputs("null", f);
}

void
audit_append(struct audit *a, const char *line, size_t len)
{
	FILE *f;

	if (a == NULL)
		return;
	while (len > 0 && line[len - 1] == '\n')
		len--;
	if (len == 0 || line[len - 1] != '}') {
		a->failed = 1;	/* not a record */
		return;
	}
	a->buf = NULL;
	a->len = 0;
	if ((f = open_memstream(&a->buf, &a->len)) == NULL) {
		a->failed = 1;
		return;
	}
	/* audit_end closes it with its "}" and writes it in one write. */
	fwrite(line, 1, len - 1, f);
	audit_end(a, f);
}
