/* recover.c: dirty hives: their transaction logs replayed into a file.
 *
 * The evidence is only ever read: a replay goes to a private temporary
 * file (planning) or to a new file the user named (kbfix recover), and
 * both are written whole before anyone sees them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "paths.h"
#include "recover.h"
#include "tree.h"

const struct txlog_file *
recover_damaged(const struct txlog_state *st)
{
	size_t i;

	for (i = 0; i < st->nfiles; i++)
		if (st->files[i].damaged)
			return &st->files[i];
	return NULL;
}

/* The later of two sequence numbers, in serial order. */
static uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0 ? b : a;
}

uint32_t
recover_next_seq(const struct txlog_state *st)
{
	uint32_t m = seq_max(seq_max(st->seq_before, st->seq_before2),
	    st->seq_after);
	size_t i;

	/* 0 and 0: no valid entry, not a number to compare. */
	for (i = 0; i < st->nfiles; i++)
		if (st->files[i].first_seq != 0 || st->files[i].last_seq != 0)
			m = seq_max(m, seq_max(st->files[i].first_seq,
			    st->files[i].last_seq));
	return m + 1;
}

/* The verdict on a replay: see recover_image. */
static int
judge(const char *hive_path, int flags, const struct txlog_state *st,
    struct diag *d)
{
	const struct txlog_file *bad = recover_damaged(st);

	if (!st->dirty)
		return 0;
	if (!st->pending) {
		if (bad != NULL)
			diag_error(d, NULL, 0, "'%s' is damaged: %s", bad->path,
			    bad->stopped ? bad->stopped : "unreadable");
		if (st->nfiles == 0)
			diag_error(d, NULL, 0, "'%s' is dirty (sequence numbers "
			    "%u/%u) and no transaction log (.LOG1, .LOG2, .LOG) "
			    "is beside it: its latest changes are missing",
			    hive_path, st->seq_before, st->seq_before2);
		else
			diag_error(d, NULL, 0, "'%s' is dirty (sequence numbers "
			    "%u/%u) but no log beside it holds its newer "
			    "changes", hive_path, st->seq_before,
			    st->seq_before2);
		if (!(flags & RECOVER_SALVAGE))
			diag_note(d, NULL, 0, "--ignore-logs works on '%s' as "
			    "it is, without the changes Windows last made",
			    hive_path);
		return -1;
	}
	if (bad == NULL)
		return 0;
	if (flags & RECOVER_SALVAGE) {
		diag_warning(d, NULL, 0, "'%s' is damaged: %s: the replay "
		    "stopped there, at sequence number %u; later changes are "
		    "lost", bad->path, bad->stopped ? bad->stopped :
		    "unreadable", st->seq_after);
		return 0;
	}
	/* Windows would load the entries before the damage and drop the
	 * rest; planning (and applying) on that silently is not ours to
	 * decide: the user salvages it with kbfix recover, knowingly. */
	diag_error(d, NULL, 0, "'%s' is damaged: %s: the changes of '%s' from "
	    "there on cannot be replayed", bad->path, bad->stopped ?
	    bad->stopped : "unreadable", hive_path);
	diag_note(d, NULL, 0, "'kbfix recover %s -o FILE' keeps the changes "
	    "before the damage; --ignore-logs works on '%s' as it is",
	    hive_path, hive_path);
	return -1;
}

int
recover_image(const char *hive_path, int flags, unsigned char **img,
    size_t *len, struct txlog_state *st, struct diag *d)
{
	struct diag q;
	int rc;

	*img = NULL;
	*len = 0;
	/* txlog_recover's only warning, a dirty hive with nothing to
	 * replay, becomes judge's error: keep its diagnostics apart. */
	diag_init(&q);
	rc = txlog_recover(hive_path, img, len, st, &q);
	if (rc < 0) {
		diag_move(d, &q);
		diag_free(&q);
		return -1;
	}
	diag_free(&q);
	if (judge(hive_path, flags, st, d) < 0) {
		free(*img);
		*img = NULL;
		*len = 0;
		txlog_state_free(st);
		return -1;
	}
	return 0;
}

static int
walk_nothing(const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, const struct hive_value *vals, size_t nvals, void *arg)
{
	(void)hv, (void)node, (void)path, (void)n, (void)vals, (void)nvals;
	(void)arg;
	return 0;
}

/* Read the hive at PATH whole with hivex, every key and value: a replay
 * must give a hive that holds together.  Learned on the real Server 2022
 * Amcache (dirty 4/3, log entries 3..9): its primary file already holds
 * pages written after entry 5, so the hive replayed up to entry 3, 4 or 5
 * only (logs damaged after them) has subkey lists pointing into cells of
 * another generation.  Only a replay that goes far enough is consistent,
 * and nothing in the logs says how far that is: hence this check.  On
 * failure D names HIVE_PATH, the hive the replay came from. */
static int
image_check(const char *path, const char *hive_path, struct diag *d)
{
	struct diag q;
	struct hive *hv = NULL;
	int rc;

	diag_init(&q);
	rc = hive_open(path, 0, &hv, &q);
	if (rc == 0)
		rc = tree_walk(hv, hv->root, NULL, 0, walk_nothing, NULL, &q);
	hive_close(hv);
	if (rc != 0)
		diag_error(d, NULL, 0, "the hive replayed from '%s' and its "
		    "logs does not hold together (%s): nothing written",
		    hive_path, q.n > 0 ? q.items[0].msg : "unreadable");
	diag_free(&q);
	return rc != 0 ? -1 : 0;
}

int
recover_temp(const char *hive_path, struct recovery *r, struct diag *d)
{
	const char *tmp = getenv("TMPDIR");
	unsigned char *img = NULL;
	size_t len = 0;
	char *path = NULL;
	int fd = -1;

	memset(r, 0, sizeof *r);
	/* Cheap first: a clean hive is not read beyond its base block. */
	if (txlog_inspect(hive_path, &r->st, d) < 0)
		return -1;
	if (!r->st.dirty)
		return 0;
	txlog_state_free(&r->st);
	if (recover_image(hive_path, 0, &img, &len, &r->st, d) < 0)
		return -1;
	if (!r->st.dirty) {
		/* Reconciled between the two reads: nothing to replay. */
		free(img);
		return 0;
	}
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (asprintf(&path, "%s/kbfix-%s-XXXXXX", tmp,
	    paths_base_name(hive_path)) < 0) {
		path = NULL;
		diag_oom(d);
		goto fail;
	}
	if ((fd = mkstemp(path)) < 0) {
		diag_error(d, NULL, 0, "cannot create a temporary file in "
		    "'%s': %s", tmp, strerror(errno));
		goto fail;
	}
	if (fileio_write_all(fd, img, len) < 0 || close(fd) < 0) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", path,
		    strerror(errno));
		fd = -1;
		unlink(path);
		goto fail;
	}
	free(img);
	img = NULL;
	if (image_check(path, hive_path, d) < 0) {
		unlink(path);
		goto fail;
	}
	r->path = path;
	return 1;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(path);
	free(img);
	txlog_state_free(&r->st);
	return -1;
}

int
recover_hive_open(const char *hive_path, int ignore_logs, int flags,
    struct recovery *r, struct hive **hv, struct diag *d)
{
	char *name, *sum;

	*hv = NULL;
	memset(r, 0, sizeof *r);
	if (ignore_logs) {
		if (hive_open(hive_path, flags, hv, d) < 0)
			return -1;
		if (regf_is_dirty(&(*hv)->hdr))
			diag_warning(d, NULL, 0, "'%s' is dirty (sequence "
			    "numbers %u/%u): --ignore-logs works on the file "
			    "as it is, without the changes in its logs",
			    hive_path, (*hv)->hdr.seq1, (*hv)->hdr.seq2);
		return 0;
	}
	if (recover_temp(hive_path, r, d) < 0)
		return -1;
	if (r->path == NULL) {
		/* Clean: R holds only what the logs said; a caller frees the
		 * recoveries of the hives that opened, not of this one. */
		if (hive_open(hive_path, flags, hv, d) < 0) {
			recover_free(r);
			return -1;
		}
		return 0;
	}
	if (hive_open(r->path, flags, hv, d) < 0)
		goto fail;
	if ((name = strdup(hive_path)) == NULL ||
	    (sum = recover_summary(&r->st)) == NULL) {
		free(name);
		diag_oom(d);
		goto fail;
	}
	free((*hv)->path);
	(*hv)->path = name;
	diag_note(d, NULL, 0, "'%s' is dirty: %s; planning on the recovered "
	    "hive", hive_path, sum);
	free(sum);
	return 0;
fail:
	hive_close(*hv);
	*hv = NULL;
	recover_free(r);
	return -1;
}

void
recover_free(struct recovery *r)
{
	if (r == NULL)
		return;
	if (r->path != NULL)
		unlink(r->path);
	free(r->path);
	r->path = NULL;
	txlog_state_free(&r->st);
}

int
recover_write(const char *out, const unsigned char *img, size_t len,
    const char *check, struct diag *d)
{
	const char *slash = strrchr(out, '/');
	char *dir, *tmp = NULL;
	struct stat sb;
	mode_t mask;
	int fd = -1, dfd, rc = -1;

	if (lstat(out, &sb) == 0)
		return diag_error(d, NULL, 0, "'%s' exists: not replaced", out);
	dir = slash ? strndup(out, slash == out ? 1 : (size_t)(slash - out)) :
	    strdup(".");
	if (dir == NULL || asprintf(&tmp, "%s/.%s.kbfix-XXXXXX", dir,
	    paths_base_name(out)) < 0) {
		tmp = NULL;
		diag_oom(d);
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		diag_error(d, NULL, 0, "cannot create a file in '%s': %s", dir,
		    strerror(errno));
		goto out;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || fileio_write_all(fd, img, len) < 0 ||
	    fsync(fd) < 0) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		diag_error(d, NULL, 0, "cannot write '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (check != NULL && image_check(tmp, check, d) < 0)
		goto out;
	/* link, unlike rename, never replaces OUT should it have appeared
	 * since the check above.  File systems without hard links (vfat,
	 * some network mounts) get the check-then-rename. */
	if (link(tmp, out) < 0) {
		if (errno == EEXIST) {
			diag_error(d, NULL, 0, "'%s' exists: not replaced",
			    out);
			goto out;
		}
		if (errno != EPERM && errno != ENOTSUP && errno != ENOSYS &&
		    errno != EOPNOTSUPP && errno != EMLINK) {
			diag_error(d, NULL, 0, "cannot create '%s': %s", out,
			    strerror(errno));
			goto out;
		}
		if (lstat(out, &sb) == 0) {
			diag_error(d, NULL, 0, "'%s' exists: not replaced",
			    out);
			goto out;
		}
		if (rename(tmp, out) < 0) {
			diag_error(d, NULL, 0, "cannot create '%s': %s", out,
			    strerror(errno));
			goto out;
		}
	}
	/* The new name is durable only once its folder is. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);	/* after link: OUT keeps the data */
	free(tmp);
	free(dir);
	return rc;
}

char *
recover_summary(const struct txlog_state *st)
{
	char *s = NULL;
	size_t n = 0, i, k = 0, nused = 0;
	FILE *f;

	if ((f = open_memstream(&s, &n)) == NULL)
		return NULL;
	for (i = 0; i < st->nfiles; i++)
		nused += st->files[i].entries_applied > 0;
	fputs("replayed ", f);
	for (i = 0; i < st->nfiles; i++) {
		const struct txlog_file *lf = &st->files[i];

		if (lf->entries_applied == 0)
			continue;
		if (k > 0)
			fputs(k + 1 == nused ? " and " : ", ", f);
		k++;
		/* The old format has no entries, only dirty pages. */
		if (lf->format == 1)
			fprintf(f, "%zu page%s from '%s'", lf->pages_applied,
			    lf->pages_applied == 1 ? "" : "s",
			    paths_base_name(lf->path));
		else
			fprintf(f, "%zu entr%s (%zu page%s) from '%s'",
			    lf->entries_applied, lf->entries_applied == 1 ?
			    "y" : "ies", lf->pages_applied,
			    lf->pages_applied == 1 ? "" : "s",
			    paths_base_name(lf->path));
	}
	if (k == 0)
		fputs("nothing", f);
	fprintf(f, ", sequence numbers %u/%u -> %u/%u", st->seq_before,
	    st->seq_before2, st->seq_after, st->seq_after);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}
