/* undo-read.c: undo files read back (docs/undo-format.md). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "names.h"
#include "overlay.h"
#include "strmap.h"
#include "tree.h"
#include "undo.h"
#include "winpath.h"

#include "undo-int.h"
/* ---------------------------------------------------------------- read */

void
undo_file_free(struct undo_file *u)
{
	size_t i;

	if (u == NULL)
		return;
	free(u->hive);
	regfile_free(u->rf);
	for (i = 0; i < u->nmoves; i++) {
		free(u->moves[i].from);
		free(u->moves[i].to);
	}
	free(u->moves);
	free(u->backup_dir);
	for (i = 0; i < u->nparts; i++) {
		free(u->parts[i].target);
		free(u->parts[i].undo);
	}
	free(u->parts);
	free(u->root);
	for (i = 0; i < u->nremedies; i++)
		free(u->remedies[i]);
	free(u->remedies);
	free(u);
}

static int
is_sha256(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

/* Does line S (N bytes) start with TAG?  *REST is then what follows. */
static int
tagged(const char *s, size_t n, const char *tag, const char **rest,
    size_t *rn)
{
	size_t l = strlen(tag);

	if (n < l || memcmp(s, tag, l) != 0)
		return 0;
	*rest = s + l;
	*rn = n - l;
	return 1;
}

/* One quoted path of a kbfix-move line at *S (spaces before it
 * skipped); *S and *N move past it. */
static char *
move_path(const char **s, size_t *n, char *err, size_t errsize)
{
	char *out;
	size_t k;

	while (*n > 0 && **s == ' ') {
		(*s)++;
		(*n)--;
	}
	if ((k = regfile_unquote(*s, *n, &out, err, errsize)) == 0)
		return NULL;
	*s += k;
	*n -= k;
	return out;
}

/* Does PATH start with ROOT and a '\', as Windows compares names? */
int
rooted(const char *path, const char *root)
{
	size_t l = strlen(root);
	char *head;
	int eq;

	if (strlen(path) <= l + 1 || path[l] != '\\')
		return 0;
	if ((head = strndup(path, l)) == NULL)
		return 0;
	eq = names_equal(head, root);
	free(head);
	return eq;
}

/* Nonzero if NAME is a backup kbfix makes of a deleted file:
 * "NAME.kbfix-STAMP.bak" or "NAME.kbfix-STAMP-N.bak", one element. */
static int
backup_name(const char *name)
{
	const char *k = strstr(name, ".kbfix-");
	size_t n = strlen(name);

	return k != NULL && k != name && n > 4 &&
	    strcmp(name + n - 4, ".bak") == 0 && strpbrk(name, "\\/") == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* A kbfix-move line after its tag: "FROM" "TO" sha256 HEX. */
static int
parse_move(struct undo_file *u, const char *s, size_t n, long line,
    const char *name, struct diag *d)
{
	struct undo_move mv, *nv;
	char err[200];

	memset(&mv, 0, sizeof mv);
	mv.line = line;
	if ((mv.from = move_path(&s, &n, err, sizeof err)) == NULL ||
	    (mv.to = move_path(&s, &n, err, sizeof err)) == NULL) {
		free(mv.from);
		return diag_error(d, name, line, "bad kbfix-move line: %s",
		    err);
	}
	if (n != 72 || memcmp(s, " sha256 ", 8) != 0 ||
	    !is_sha256(s + 8, 64)) {
		diag_error(d, name, line, "bad kbfix-move line: want \"FROM\" "
		    "\"TO\" sha256 HEX");
		goto fail;
	}
	memcpy(mv.sha256, s + 8, 64);
	/* Moves stay inside the machine (undo.h). */
	if (!rooted(mv.to, "%SystemRoot%")) {
		char *e = regfile_escape(mv.to, 0);

		diag_error(d, name, line, "'%s' is not a path in the Windows "
		    "folder (%%SystemRoot%%\\...): kbfix-move puts files back "
		    "only there", e ? e : "?");
		free(e);
		goto fail;
	}
	if (!rooted(mv.from, "%SystemRoot%") && !(rooted(mv.from,
	    "%BackupDir%") && backup_name(mv.from + 12))) {
		char *e = regfile_escape(mv.from, 0);

		diag_error(d, name, line, "'%s' is neither a path in the "
		    "Windows folder (%%SystemRoot%%\\...) nor a backup kbfix "
		    "made (%%BackupDir%%\\NAME.kbfix-STAMP.bak)", e ? e : "?");
		free(e);
		goto fail;
	}
	if ((nv = realloc(u->moves, (u->nmoves + 1) * sizeof *nv)) == NULL) {
		diag_oom(d);
		goto fail;
	}
	u->moves = nv;
	nv[u->nmoves++] = mv;
	return 0;
fail:
	free(mv.from);
	free(mv.to);
	return -1;
}

/* Is P, a path of a manifest's part, below its root: elements split by
 * '\\', none empty, "." or "..", not absolute? */
static int
part_path_ok(const char *p)
{
	const char *e;

	if (*p == '\0' || *p == '/' || *p == '\\')
		return 0;
	for (;;) {
		size_t l;

		e = strchr(p, '\\');
		l = e ? (size_t)(e - p) : strlen(p);
		if (l == 0 || (l == 1 && p[0] == '.') ||
		    (l == 2 && p[0] == '.' && p[1] == '.') ||
		    memchr(p, '/', l) != NULL)
			return 0;
		if (e == NULL)
			return 1;
		p = e + 1;
	}
}

/* An undo file kbfix makes, one element: "NAME.kbfix-STAMP-undo.reg",
 * "kbfix-STAMP-files-undo.reg" (with "-N" before "-undo" or "-files"). */
static int
undo_name(const char *name)
{
	size_t n = strlen(name);

	return strstr(name, "kbfix-") != NULL && n > 9 &&
	    strcmp(name + n - 9, "-undo.reg") == 0 &&
	    strpbrk(name, "\\/") == NULL;
}

/* A kbfix-part line after its tag: "TARGET" "UNDO". */
static int
parse_part(struct undo_file *u, const char *s, size_t n, long line,
    const char *name, struct diag *d)
{
	struct undo_part pt, *nv;
	char err[200];

	memset(&pt, 0, sizeof pt);
	pt.line = line;
	if ((pt.target = move_path(&s, &n, err, sizeof err)) == NULL ||
	    (pt.undo = move_path(&s, &n, err, sizeof err)) == NULL || n != 0) {
		diag_error(d, name, line, "bad kbfix-part line: %s", pt.undo ?
		    "want \"TARGET\" \"UNDOFILE\"" : err);
		goto fail;
	}
	/* What it names stays below the root (undo.h). */
	if (!part_path_ok(pt.target) || !(part_path_ok(pt.undo) ||
	    (rooted(pt.undo, "%BackupDir%") &&
	    undo_name(pt.undo + 12)))) {
		char *e = regfile_escape(part_path_ok(pt.target) ? pt.undo :
		    pt.target, 0);

		diag_error(d, name, line, "'%s' is not a path below the "
		    "manifest's root (nor an undo file in %%BackupDir%%)",
		    e ? e : "?");
		free(e);
		goto fail;
	}
	if ((nv = realloc(u->parts, (u->nparts + 1) * sizeof *nv)) == NULL) {
		diag_oom(d);
		goto fail;
	}
	u->parts = nv;
	nv[u->nparts++] = pt;
	return 0;
fail:
	free(pt.target);
	free(pt.undo);
	return -1;
}

/* One "; kbfix-..." line of the header or a move.  Returns 0 or -1. */
static int
parse_tag(struct undo_file *u, const char *s, size_t n, long line,
    const char *name, int *version, struct diag *d)
{
	const char *r;
	size_t rn;
	char err[200];

	if (tagged(s, n, "; kbfix-undo: ", &r, &rn)) {
		if (rn == 6 && memcmp(r, "hive 1", 6) == 0)
			u->files = 0;
		else if (rn == 7 && memcmp(r, "files 1", 7) == 0)
			u->files = 1;
		else if (rn == 7 && memcmp(r, "apply 1", 7) == 0)
			u->manifest = 1;
		else {
			return diag_error(d, name, line,
			    "an undo file of another "
			    "version of kbfix ('%.*s')", (int)(rn < 20 ? rn :
			    20), r);
		}
		*version = 1;
	} else if (tagged(s, n, "; kbfix-hive: ", &r, &rn)) {
		free(u->hive);
		if (regfile_unquote(r, rn, &u->hive, err, sizeof err) != rn)
			return diag_error(d, name, line,
			    "bad kbfix-hive line: %s",
			    u->hive ? "text after the name" : err);
	} else if (tagged(s, n, "; kbfix-hive-kind: ", &r, &rn)) {
		char kind[32];

		snprintf(kind, sizeof kind, "%.*s", (int)(rn < 31 ? rn : 31),
		    r);
		if ((u->kind = hive_kind_parse(kind)) == HIVE_UNKNOWN)
			return diag_error(d, name, line,
			    "unknown hive kind '%s'",
			    kind);
	} else if (tagged(s, n, "; kbfix-hive-sha256: ", &r, &rn)) {
		if (!is_sha256(r, rn))
			return diag_error(d, name, line,
			    "bad kbfix-hive-sha256 line");
		memcpy(u->sha256, r, 64);
	} else if (tagged(s, n, "; kbfix-hive-root-time: ", &r, &rn)) {
		char num[24], *end;

		snprintf(num, sizeof num, "%.*s", (int)(rn < 23 ? rn : 23), r);
		errno = 0;
		u->root_time = strtoll(num, &end, 10);
		if (rn == 0 || rn > 22 || *end != '\0' || errno != 0)
			return diag_error(d, name, line,
			    "bad kbfix-hive-root-time "
			    "line");
		u->has_root_time = 1;
	} else if (tagged(s, n, "; kbfix-backup-dir: ", &r, &rn)) {
		free(u->backup_dir);
		if (regfile_unquote(r, rn, &u->backup_dir, err, sizeof err) !=
		    rn || u->backup_dir[0] != '/')
			return diag_error(d, name, line,
			    "bad kbfix-backup-dir line: "
			    "%s", u->backup_dir ? "want an absolute path" :
			    err);
	} else if (tagged(s, n, "; kbfix-move: ", &r, &rn)) {
		return parse_move(u, r, rn, line, name, d);
	} else if (tagged(s, n, "; kbfix-root: ", &r, &rn)) {
		free(u->root);
		if (regfile_unquote(r, rn, &u->root, err, sizeof err) != rn ||
		    u->root[0] != '/')
			return diag_error(d, name, line,
			    "bad kbfix-root line: %s",
			    u->root ? "want an absolute path" : err);
	} else if (tagged(s, n, "; kbfix-part: ", &r, &rn)) {
		return parse_part(u, r, rn, line, name, d);
	} else if (tagged(s, n, "; kbfix-remedy: ", &r, &rn)) {
		char *id = NULL, **nv;

		if (regfile_unquote(r, rn, &id, err, sizeof err) != rn) {
			free(id);
			return diag_error(d, name, line,
			    "bad kbfix-remedy line");
		}
		if ((nv = realloc(u->remedies, (u->nremedies + 1) *
		    sizeof *nv)) == NULL) {
			free(id);
			return diag_oom(d);
		}
		u->remedies = nv;
		nv[u->nremedies++] = id;
	}
	return 0;
}

int
undo_parse(const char *text, size_t len, const char *name,
    struct undo_file **out, struct diag *d)
{
	struct undo_file *u = calloc(1, sizeof *u);
	const char *s = text, *end = text + len, *last = NULL;
	long line = 0, endline = 0;
	int version = 0, bad = 0;
	char hex[65];

	*out = NULL;
	if (u == NULL)
		return diag_oom(d);
	/* First what it is and whether it is whole, then what it says. */
	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((e ? e : end) - s);

		line++;
		last = s;
		if (n >= 14 && memcmp(s, "; kbfix-undo: ", 14) == 0)
			version = 1;
		if (n >= 13 && memcmp(s, "; kbfix-end: ", 13) == 0 &&
		    endline == 0)
			endline = line;
		if (e == NULL)
			last = NULL;	/* no line end: cut short */
		s = e ? e + 1 : end;
	}
	if (version == 0) {
		/* A .reg file of the hive's root, written by hand or by
		 * another tool: its keys and values, without the checks of
		 * an undo file (the caller says so). */
		u->plain = 1;
		if (regfile_parse(text, len, name, &u->rf, d) < 0)
			goto fail;
		*out = u;
		return 0;
	}
	/* The last line: "; kbfix-end: sha256 HEX" over what comes
	 * before it. */
	if (last == NULL || endline == 0) {
		diag_error(d, name, 0, "the undo file is cut short: it does not "
		    "end with its '; kbfix-end:' line");
		goto fail;
	}
	if (endline != line || (size_t)(end - last) != 13 + 7 + 64 + 1 ||
	    memcmp(last, "; kbfix-end: sha256 ", 20) != 0 ||
	    !is_sha256(last + 20, 64)) {
		diag_error(d, name, endline, "the undo file has been altered: "
		    "its '; kbfix-end:' line is not its last, or malformed");
		goto fail;
	}
	audit_sha256_buf(text, (size_t)(last - text), hex);
	if (memcmp(hex, last + 20, 64) != 0) {
		diag_error(d, name, 0, "the undo file has been altered since "
		    "kbfix wrote it: its checksum (the '; kbfix-end:' line) "
		    "does not match");
		goto fail;
	}
	version = 0;
	for (s = text, line = 0; s < last; ) {
		const char *e = memchr(s, '\n', (size_t)(last - s));
		size_t n = (size_t)(e - s);

		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > 8 && memcmp(s, "; kbfix-", 8) == 0 &&
		    parse_tag(u, s, n, line, name, &version, d) < 0)
			bad = 1;
		s = e + 1;
	}
	if (bad)
		goto fail;
	if (u->manifest) {
		size_t i;

		if (u->root == NULL || u->nparts == 0 || u->files) {
			diag_error(d, name, 0, "the undo manifest lacks its "
			    "kbfix-root or kbfix-part lines");
			goto fail;
		}
		for (i = 0; u->backup_dir == NULL && i < u->nparts; i++)
			if (rooted(u->parts[i].undo, "%BackupDir%")) {
				diag_error(d, name, u->parts[i].line,
				    "%%BackupDir%% without a kbfix-backup-dir "
				    "line");
				goto fail;
			}
		*out = u;
		return 0;
	}
	if (!u->files && (u->hive == NULL || u->kind == HIVE_UNKNOWN ||
	    u->sha256[0] == '\0' || !u->has_root_time)) {
		diag_error(d, name, 0, "the undo file lacks its kbfix-hive, "
		    "kbfix-hive-kind, kbfix-hive-sha256 or "
		    "kbfix-hive-root-time line");
		goto fail;
	}
	if (regfile_parse(text, len, name, &u->rf, d) < 0)
		goto fail;
	if (u->files && u->rf->nkeys > 0) {
		diag_error(d, name, u->rf->keys[0].line, "an undo file of "
		    "file changes holds no keys");
		goto fail;
	}
	if (u->files && u->backup_dir == NULL) {
		size_t i;

		for (i = 0; i < u->nmoves; i++)
			if (rooted(u->moves[i].from, "%BackupDir%")) {
				diag_error(d, name, u->moves[i].line,
				    "%%BackupDir%% without a kbfix-backup-dir "
				    "line");
				goto fail;
			}
	}
	*out = u;
	return 0;
fail:
	undo_file_free(u);
	return -1;
}

int
undo_read(const char *path, struct undo_file **out, struct diag *d)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd, r;

	*out = NULL;
	/* Non-blocking: a FIFO must not hang the open. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		diag_error(d, NULL, 0, "'%s' is not a regular file: not an "
		    "undo file", path);
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > UNDO_MAX_SIZE) {
		diag_error(d, NULL, 0, "'%s' is larger than any undo file kbfix "
		    "writes (%lld bytes, at most %lu)", path,
		    (long long)st.st_size, UNDO_MAX_SIZE);
		close(fd);
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		diag_error(d, NULL, 0, "cannot read '%s': out of memory", path);
		close(fd);
		return -1;
	}
	while (n < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + n, (size_t)st.st_size - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			diag_error(d, NULL, 0, "cannot read '%s': %s", path,
			    k < 0 ? strerror(errno) : "it shrank while read");
			free(buf);
			close(fd);
			return -1;
		}
		n += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	r = undo_parse(buf, n, path, out, d);
	free(buf);
	return r;
}
