/* hivewrite.c: a plan's changes executed on a copy of a hive, by hivex
 * and kbfix (hivewrite.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "hivewrite.h"
#include "keylist.h"
#include "names.h"
#include "regf.h"

/* A key of the .reg as elements below the root. */
struct rkey {
	char *buf;		/* the elements, NUL-separated */
	char **elems;
	size_t n;
	int ok;			/* under the prefix, no empty element */
};

static void
rkeys_free(struct rkey *k, size_t n)
{
	size_t i;

	for (i = 0; k != NULL && i < n; i++) {
		free(k[i].buf);
		free(k[i].elems);
	}
	free(k);
}

/* PATH below PREFIX, split; K->ok stays 0 when PATH is not under PREFIX
 * or has an empty element (regfile_apply says so). */
static int
rkey_split(const char *path, const char *prefix, struct rkey *k)
{
	size_t pl = strlen(prefix), i, n = 1;
	char *head, *s;
	int eq;

	memset(k, 0, sizeof *k);
	if (strlen(path) < pl || (path[pl] != '\0' && path[pl] != '\\'))
		return 0;
	if ((head = strndup(path, pl)) == NULL)
		return -1;
	eq = names_equal(head, prefix);
	free(head);
	if (!eq)
		return 0;
	path += pl;
	if (*path == '\\')
		path++;
	if ((k->buf = strdup(path)) == NULL)
		return -1;
	for (s = k->buf; *s; s++)
		if (*s == '\\')
			n++;
	if ((k->elems = calloc(n + 1, sizeof *k->elems)) == NULL)
		return -1;
	if (*k->buf == '\0') {
		k->ok = 1;
		return 0;
	}
	k->elems[k->n++] = k->buf;
	for (s = k->buf; *s; s++)
		if (*s == '\\') {
			*s = '\0';
			k->elems[k->n++] = s + 1;
		}
	for (i = 0; i < k->n; i++)
		if (*k->elems[i] == '\0')
			return 0;
	k->ok = 1;
	return 0;
}

/* Is A at or under B? */
static int
at_or_under(const struct rkey *a, const struct rkey *b)
{
	size_t i;

	if (a->n < b->n)
		return 0;
	for (i = 0; i < b->n; i++)
		if (!names_equal(a->elems[i], b->elems[i]))
			return 0;
	return 1;
}

/* The file at PATH mapped: *LEN its size.  Writable (shared) with RW. */
static unsigned char *
map_file(const char *path, int rw, size_t *len, struct diag *d)
{
	struct stat st;
	void *p;
	int fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*len = (size_t)st.st_size;
	p = *len < REGF_BASE_BLOCK_SIZE ? MAP_FAILED : mmap(NULL, *len,
	    rw ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    *len < REGF_BASE_BLOCK_SIZE ? "too short" :
		    strerror(errno));
		return NULL;
	}
	return p;
}

/* The end of the hive bins of the file B (LEN bytes), or 0. */
static size_t
bins_end(const unsigned char *b, size_t len)
{
	uint64_t end = REGF_BASE_BLOCK_SIZE + (uint64_t)regf_get32(b + 40);

	return end > len ? 0 : (size_t)end;
}

/* Copy the file FROM to the existing file TO, through the kernel
 * (copy_file_range): the original's pages are not read into this
 * process, which holds one copy of a hive at a time (hive.h:
 * hive_release). */
static int
copy_to(const char *from, const char *to, struct diag *d)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, r = -1, plain = 0;
	struct stat st;
	off_t left;

	if (in < 0 || fstat(in, &st) < 0) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", from,
		    strerror(errno));
		goto out;
	}
	if ((out = open(to, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", to,
		    strerror(errno));
		goto out;
	}
	for (left = st.st_size; left > 0; ) {
		ssize_t n = plain ? -1 : copy_file_range(in, NULL, out, NULL,
		    (size_t)left, 0);

		if (n < 0 && errno == EINTR)
			continue;
		/* A file system or kernel without it: read and write. */
		if (n < 0 && (plain || errno == ENOSYS || errno == EXDEV ||
		    errno == EOPNOTSUPP || errno == EINVAL)) {
			char buf[65536];

			plain = 1;
			if ((n = read(in, buf, sizeof buf)) < 0 &&
			    errno == EINTR)
				continue;
			if (n > 0 && fileio_write_all(out, buf, (size_t)n) < 0)
				n = -1;
		}
		if (n <= 0) {
			diag_error(d, NULL, 0, "cannot write '%s': %s", to,
			    n == 0 ? "short copy" : strerror(errno));
			goto out;
		}
		left -= n;
	}
	r = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && r == 0) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", to,
		    strerror(errno));
		r = -1;
	}
	return r;
}

/* The keys of RF that kbfix deletes itself (PRE[i] set; their nodes in
 * NODE[i], parents in PARENT[i]) and those nothing is left to do for (a
 * key deleted below one of those: SKIP[i]).  B is HV's file. */
static int
choose(const struct hive *hv, const unsigned char *b, size_t end,
    const struct regfile *rf, struct rkey *k, unsigned char *pre,
    unsigned char *skip, hive_node_h *node, hive_node_h *parent)
{
	size_t i, j, npre = 0;

	for (i = 0; i < rf->nkeys; i++) {
		if (!rf->keys[i].delete || !k[i].ok || k[i].n == 0)
			continue;
		for (j = 0; j < i; j++)
			if (pre[j] && at_or_under(&k[i], &k[j]))
				break;
		if (j < i) {
			skip[i] = 1;	/* gone with an earlier one */
			continue;
		}
		node[i] = hive_lookup(hv, hv->root, k[i].elems, k[i].n);
		parent[i] = hive_lookup(hv, hv->root, k[i].elems, k[i].n - 1);
		if (node[i] == 0 || parent[i] == 0 ||
		    keylist_leaf_kind(b, end, parent[i], node[i]) != 'i')
			continue;
		for (j = 0; j < i; j++)
			if (at_or_under(&k[j], &k[i]))
				break;
		if (j == i) {
			pre[i] = 1;
			npre++;
		}
	}
	return (int)npre;
}

/* Delete the keys chosen on TMP, a copy of HV's file (whose hive bins
 * end at END).  The pages written are the file's in the page cache: the
 * caller fsyncs TMP once hivex has written it anew. */
static int
delete_early(const struct hive *hv, size_t end, const struct regfile *rf,
    const unsigned char *pre, const hive_node_h *node,
    const hive_node_h *parent, const char *tmp, struct diag *d)
{
	unsigned char *c;
	size_t clen, i;
	int r = 0;

	if (copy_to(hv->file, tmp, d) < 0 ||
	    (c = map_file(tmp, 1, &clen, d)) == NULL)
		return -1;
	if (end > clen) {
		munmap(c, clen);
		return diag_error(d, NULL, 0,
		    "'%s': changed while being copied",
		    hv->path);
	}
	for (i = 0; r == 0 && i < rf->nkeys; i++)
		if (pre[i] && keylist_delete(c, end, parent[i], node[i]) < 0) {
			diag_error(d, hv->path, rf->keys[i].line, "cannot "
			    "delete key '%s': a cell under it is not what it "
			    "should be", rf->keys[i].path);
			r = -1;
		}
	munmap(c, clen);
	return r;
}

/* Put in Windows' order the subkeys of every key hivex gave one, in the
 * file TMP that it wrote after FROM (fsync'd by the caller). */
static int
sort_new(const char *tmp, size_t from, const char *name, struct diag *d)
{
	unsigned char *c;
	size_t len, end;
	int r = 0;

	if ((c = map_file(tmp, 1, &len, d)) == NULL)
		return -1;
	if ((end = bins_end(c, len)) == 0 ||
	    keylist_sort_from(c, end, from, NULL) < 0) {
		diag_error(d, name, 0, "the new file's subkey lists cannot be "
		    "read back");
		r = -1;
	}
	munmap(c, len);
	return r;
}

int
hivewrite_execute(const struct hive *hv, const struct regfile *rf,
    const char *prefix, const char *tmp, struct diag *d)
{
	struct rkey *k = NULL;
	unsigned char *pre = NULL, *skip = NULL, *b = NULL;
	hive_node_h *node = NULL, *parent = NULL;
	struct regfile rest = { NULL, 0 };
	struct hive *w = NULL;
	size_t len = 0, end, i, n = rf->nkeys + 1;
	int npre, r = -1;

	if ((k = calloc(n, sizeof *k)) == NULL ||
	    (pre = calloc(n, 1)) == NULL || (skip = calloc(n, 1)) == NULL ||
	    (node = calloc(n, sizeof *node)) == NULL ||
	    (parent = calloc(n, sizeof *parent)) == NULL ||
	    (rest.keys = calloc(n, sizeof *rest.keys)) == NULL)
		goto oom;
	for (i = 0; i < rf->nkeys; i++)
		if (rkey_split(rf->keys[i].path, prefix, &k[i]) < 0)
			goto oom;
	/* Only the lists of the keys deleted are read here. */
	if ((b = map_file(hv->file, 0, &len, d)) == NULL)
		goto out;
	if ((end = bins_end(b, len)) == 0) {
		diag_error(d, hv->path, 0, "hive bins size past the end of the "
		    "file");
		goto out;
	}
	npre = choose(hv, b, end, rf, k, pre, skip, node, parent);
	if (npre > 0) {
		if (delete_early(hv, end, rf, pre, node, parent, tmp, d) < 0 ||
		    hive_open(tmp, HIVE_OPEN_WRITE, &w, d) < 0)
			goto out;
	} else if (hive_reopen_write(hv, &w, d) < 0)
		goto out;
	/* Either way the write handle has read the whole file into memory
	 * (only here, never for planning): what was planned on, the replay
	 * of a dirty hive's logs when there was one. */
	munmap(b, len);
	b = NULL;
	for (i = 0; i < rf->nkeys; i++)
		if (!pre[i] && !skip[i])
			rest.keys[rest.nkeys++] = rf->keys[i];
	if (regfile_apply(w->h, &rest, prefix, hv->path, d) < 0)
		goto out;
	if (hivex_commit(w->h, tmp, 0) < 0) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	hive_close(w);
	w = NULL;
	/* hivex writes every cell it makes after the original's hive
	 * bins (regf.h: regf_finish). */
	r = sort_new(tmp, REGF_BASE_BLOCK_SIZE + (size_t)hv->hdr.bins_size,
	    hv->path, d);
	goto out;
oom:
	diag_oom(d);
out:
	if (b != NULL)
		munmap(b, len);
	hive_close(w);
	rkeys_free(k, rf->nkeys);
	free(pre);
	free(skip);
	free(node);
	free(parent);
	free(rest.keys);
	return r;
}
