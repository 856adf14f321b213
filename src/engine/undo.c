/* undo.c: undo files written, read back, checked, and read as plans. */
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

/* ---------------------------------------------------------------- common */

#define elems_free regfile_elems_free

static int
same_elems(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!names_equal(a[i], b[i]))
			return 0;
	return 1;
}

/* What a change touches (strmap_id), in one hive. */
#define touch_id(kind, key, n, name) strmap_id(kind, NULL, key, n, name)

/* The elements of ROOT ("HKEY_LOCAL_MACHINE\SYSTEM"), *N of them. */
static char **
root_elems(enum hive_kind kind, size_t *n)
{
	const char *root = hive_kind_reg_root(kind), *s, *e;
	char **v;

	*n = 0;
	if (root == NULL)
		root = "HKEY_LOCAL_MACHINE\\UNKNOWN";
	if ((v = calloc(strlen(root) + 1, sizeof *v)) == NULL)
		return NULL;
	for (s = root; ; s = e + 1) {
		if ((e = strchr(s, '\\')) == NULL)
			e = s + strlen(s);
		if ((v[(*n)++] = strndup(s, (size_t)(e - s))) == NULL) {
			elems_free(v, *n);
			return NULL;
		}
		if (*e == '\0')
			break;
	}
	return v;
}

/* The elements of K below the root of a hive of KIND, or NULL (with a
 * message, unless out of memory) when K is not in such a hive. */
static char *const *
below_root(const struct regfile_key *k, enum hive_kind kind, size_t *n,
    const char *name, struct diag *d)
{
	size_t nr, i;
	char **r = root_elems(kind, &nr);
	int under = r != NULL && k->nelems >= nr;

	for (i = 0; under && i < nr; i++)
		under = names_equal(r[i], k->elems[i]);
	elems_free(r, nr);
	if (r == NULL) {
		diag_error(d, name, k->line, "out of memory");
		return NULL;
	}
	if (!under) {
		diag_error(d, name, k->line, "key '%s' is not in a %s hive",
		    k->path, hive_kind_name(kind));
		return NULL;
	}
	*n = k->nelems - nr;
	return k->elems + nr;
}

/* ---------------------------------------------------------------- model */

/* The entries of the undo file being made. */
struct mctx {
	struct regfile *rf;
	size_t cap;
	char **root;
	size_t nroot;
	int left;		/* keys made now are kbfix-left keys */
	struct diag *d;
};

/* A new key of the model: the root's elements and KEY[0..N), room for
 * NVALS values.  NULL when out of memory. */
static struct regfile_key *
mkey(struct mctx *m, char *const *key, size_t n, int del, size_t nvals)
{
	struct regfile_key *k;
	size_t i;

	if (m->rf->nkeys == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 16;

		if ((k = realloc(m->rf->keys, ncap * sizeof *k)) == NULL)
			return NULL;
		m->rf->keys = k;
		m->cap = ncap;
	}
	k = &m->rf->keys[m->rf->nkeys];
	memset(k, 0, sizeof *k);
	if ((k->elems = calloc(m->nroot + n + 1, sizeof *k->elems)) == NULL ||
	    (k->values = calloc(nvals + 1, sizeof *k->values)) == NULL) {
		free(k->elems);
		return NULL;
	}
	m->rf->nkeys++;
	for (i = 0; i < m->nroot + n; i++) {
		k->elems[i] = strdup(i < m->nroot ? m->root[i] :
		    key[i - m->nroot]);
		if (k->elems[i] == NULL)
			return NULL;
		k->nelems++;
	}
	k->delete = del;
	k->left = m->left;
	if ((k->path = regfile_key_show(NULL, k->elems, k->nelems)) == NULL)
		return NULL;
	return k;
}

static int
mvalue(struct regfile_key *k, const char *name, uint32_t type,
    const void *data, size_t len, int del)
{
	struct regfile_value *v = &k->values[k->nvalues];

	memset(v, 0, sizeof *v);
	if ((v->name = strdup(name)) == NULL)
		return -1;
	k->nvalues++;
	v->delete = del;
	if (del)
		return 0;
	v->type = type;
	v->len = len;
	if ((v->data = malloc(len ? len : 1)) == NULL)
		return -1;
	if (len)
		memcpy(v->data, data, len);
	return 0;
}

/* tree_fn: each key with its values, into the model. */
static int
msub(const struct hive *hv, hive_node_h node, char *const *path, size_t n,
    const struct hive_value *vals, size_t nvals, void *arg)
{
	struct mctx *m = arg;
	struct regfile_key *k = mkey(m, path, n, 0, nvals);
	size_t i;

	(void)hv;
	(void)node;
	if (k == NULL)
		return 1;
	for (i = 0; i < nvals; i++)
		if (mvalue(k, vals[i].name, vals[i].type, vals[i].data,
		    vals[i].len, 0) < 0)
			return 1;
	return 0;
}

/* The key KEY[0..N) of HV and everything below it into the model, or,
 * when there is no such key, a deleted key. */
static int
msubtree(struct mctx *m, const struct hive *hv, hive_node_h node,
    char *const *key, size_t n)
{
	int r;

	if (node == 0)
		return mkey(m, key, n, 1, 0) ? 0 : -1;
	r = tree_walk(hv, node, key, n, msub, m, m->d);
	if (r > 0 || (r < 0 && m->d->nerrors == 0))
		return -1;
	return r < 0 ? -2 : 0;
}

/* Which changes of P on HV the undo file restores: the first (in plan
 * order) to touch a value; a value set in a key the plan created goes
 * with the key.  FIRST[i] for the i-th change of P (all hives), in plan
 * order.  Returns 0 or -1 (out of memory). */
static int
first_changes(const struct plan *p, const struct hive *hv,
    unsigned char *first)
{
	struct strmap seen = { NULL, NULL, 0, 0 };
	size_t i, j, k, idx = 0;
	int r = -1;

	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++, idx++) {
			const struct change *c = &p->entries[i].changes[j];
			char *id;

			first[idx] = c->hive == hv;
			if (c->hive != hv)
				continue;
			if (c->kind == CHANGE_CREATE_KEY) {
				if (strmap_put(&seen, touch_id('k', c->key,
				    c->nkey, NULL), 0) < 0)
					goto out;
				continue;
			}
			if (c->kind != CHANGE_SET_VALUE &&
			    c->kind != CHANGE_DELETE_VALUE)
				continue;
			for (k = 1; c->kind == CHANGE_SET_VALUE &&
			    !c->had_old && k <= c->nkey && first[idx]; k++) {
				if ((id = touch_id('k', c->key, k, NULL)) ==
				    NULL)
					goto out;
				if (strmap_get(&seen, id) != STRMAP_NONE)
					first[idx] = 0;
				free(id);
			}
			if ((id = touch_id('v', c->key, c->nkey, c->name)) ==
			    NULL)
				goto out;
			if (strmap_get(&seen, id) != STRMAP_NONE) {
				first[idx] = 0;
				free(id);
			} else if (strmap_put(&seen, id, 0) < 0)
				goto out;
		}
	r = 0;
out:
	strmap_free(&seen);
	return r;
}

/* The undo entry of change C (undo.h): kbfix-left lines from AFTER, then
 * what ORIG held. */
static int
model_change(struct mctx *m, const struct change *c, const struct hive *orig,
    const struct hive *after)
{
	hive_node_h an = hive_lookup(after, after->root, c->key, c->nkey);
	struct regfile_key *k;
	struct hive_value v;
	int r;

	m->left = 1;
	switch (c->kind) {
	case CHANGE_CREATE_KEY:
		if ((r = msubtree(m, after, an, c->key, c->nkey)) < 0)
			return r;
		m->left = 0;
		return mkey(m, c->key, c->nkey, 1, 0) ? 0 : -1;
	case CHANGE_DELETE_KEY:
		if ((r = msubtree(m, after, an, c->key, c->nkey)) < 0)
			return r;
		m->left = 0;
		return msubtree(m, orig, c->node, c->key, c->nkey);
	case CHANGE_SET_VALUE:
	case CHANGE_DELETE_VALUE:
		if ((k = mkey(m, c->key, c->nkey, an == 0, 1)) == NULL)
			return -1;
		if (an != 0) {
			if ((r = hive_value_get(after, an, c->name, &v,
			    m->d)) < 0)
				return -2;
			r = mvalue(k, c->name, v.type, v.data, v.len, r == 0);
			hive_value_clear(&v);
			if (r < 0)
				return -1;
		}
		m->left = 0;
		if ((k = mkey(m, c->key, c->nkey, 0, 1)) == NULL)
			return -1;
		return mvalue(k, c->name, c->old.type, c->old.data,
		    c->old.len, !c->had_old);
	default:
		return 0;
	}
}

int
undo_model(const struct plan *p, const struct hive *orig,
    const struct hive *after, struct regfile **out, struct diag *d)
{
	struct mctx m;
	unsigned char *first = NULL;
	size_t i, j, n = 0, idx;
	int r = -1;

	*out = NULL;
	memset(&m, 0, sizeof m);
	m.d = d;
	for (i = 0; i < p->nentries; i++)
		n += p->entries[i].nchanges;
	if ((m.rf = calloc(1, sizeof *m.rf)) == NULL ||
	    (first = calloc(n + 1, 1)) == NULL ||
	    (m.root = root_elems(orig->kind, &m.nroot)) == NULL ||
	    first_changes(p, orig, first) < 0)
		goto oom;
	/* Last change first. */
	idx = n;
	for (i = p->nentries; i-- > 0;)
		for (j = p->entries[i].nchanges; j-- > 0;) {
			idx--;
			if (!first[idx])
				continue;
			if ((r = model_change(&m, &p->entries[i].changes[j],
			    orig, after)) == -2)
				goto out;
			if (r < 0)
				goto oom;
		}
	*out = m.rf;
	m.rf = NULL;
	r = 0;
	goto out;
oom:
	diag_error(d, NULL, 0, "out of memory");
	r = -1;
out:
	regfile_free(m.rf);
	elems_free(m.root, m.nroot);
	free(first);
	return r < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- write */

/* The file name of PATH. */
static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The remedies of P with changes on HV (NULL: file changes), one comment
 * line each. */
static void
put_remedies(FILE *f, const struct plan *p, const struct hive *hv)
{
	size_t i, j;

	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++)
			if (p->entries[i].changes[j].hive == hv) {
				regfile_put_comment(f, "  %s %s",
				    p->entries[i].remedy->id,
				    p->entries[i].remedy->title ?
				    p->entries[i].remedy->title : "");
				break;
			}
}

/* A kbfix-remedy line for each remedy of P with changes on HV (NULL:
 * file changes): what scan reads to say that a remedy is done. */
static void
put_remedy_ids(FILE *f, const struct plan *p, const struct hive *hv)
{
	size_t i, j;

	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++)
			if (p->entries[i].changes[j].hive == hv) {
				fputs("; kbfix-remedy: ", f);
				regfile_put_quoted(f, p->entries[i].remedy->id);
				fputc('\n', f);
				break;
			}
}

/* Write the text of BUF (LEN bytes) and its kbfix-end line to F. */
static int
put_ended(FILE *f, char *buf, size_t len, const char *what,
    struct diag *d)
{
	char hex[65];

	if (len > UNDO_MAX_SIZE - 128) {
		diag_error(d, NULL, 0, "the undo file of %s would be larger "
		    "than %lu bytes, the most kbfix writes (and reads)", what,
		    UNDO_MAX_SIZE);
		return -1;
	}
	audit_sha256_buf(buf, len, hex);
	fwrite(buf, 1, len, f);
	fprintf(f, "; kbfix-end: sha256 %s\n", hex);
	if (ferror(f)) {
		diag_error(d, NULL, 0, "cannot write the undo file: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* A memory stream for the text of an undo file (*BUF, *LEN), its first
 * lines written: the .reg header and "Undo WHAT of TOOL, STAMP.".  NULL
 * with D. */
static FILE *
text_begin(char **buf, size_t *len, const char *what, const char *tool,
    const char *stamp, struct diag *d)
{
	FILE *m = open_memstream(buf, len);

	if (m == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		return NULL;
	}
	fprintf(m, "Windows Registry Editor Version 5.00\n\n");
	regfile_put_comment(m, "Undo %s of %s, %s.", what, tool ? tool :
	    "kbfix", stamp ? stamp : "");
	return m;
}

/* Close M, the stream of text_begin, and write its text to F with its
 * kbfix-end line (put_ended: WHAT for messages); *BUF freed.  Returns 0
 * or -1 with D. */
static int
text_end(FILE *m, FILE *f, char **buf, size_t *len, const char *what,
    struct diag *d)
{
	int r = -1;

	if (fclose(m) != 0)
		diag_error(d, NULL, 0, "out of memory");
	else
		r = put_ended(f, *buf, *len, what, d);
	free(*buf);
	*buf = NULL;
	return r;
}

int
undo_write(FILE *f, const char *self, const struct regfile *rf,
    const struct plan *p, const struct hive *orig, const char *dest,
    const char *sha256, const char *tool, const char *stamp,
    struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = text_begin(&buf, &len, "file", tool, stamp, d);

	if (m == NULL)
		return -1;
	if (dest == NULL)
		dest = orig->path;
	regfile_put_comment(m, "It restores what was changed in the %s hive "
	    "'%s' by:", hive_kind_name(orig->kind), orig->path);
	put_remedies(m, p, orig);
	if (strcmp(dest, orig->path) != 0)
		regfile_put_comment(m, "The changed copy is '%s'.", dest);
	regfile_put_comment(m, "Apply it with: kbfix undo '%s' '%s'", self,
	    dest);
	regfile_put_comment(m, "Lines \"; kbfix-...\" are for kbfix: what the "
	    "apply left, and names .reg text cannot hold; the last one is a "
	    "checksum.");
	fputs("; kbfix-undo: hive 1\n; kbfix-hive: ", m);
	regfile_put_quoted(m, base_name(dest));
	fprintf(m, "\n; kbfix-hive-kind: %s\n; kbfix-hive-sha256: %s\n"
	    "; kbfix-hive-root-time: %" PRId64 "\n",
	    hive_kind_name(orig->kind), sha256,
	    hivex_node_timestamp(orig->h, orig->root));
	put_remedy_ids(m, p, orig);
	fputc('\n', m);
	if (regfile_write(m, rf, d) < 0) {
		fclose(m);
		free(buf);
		return -1;
	}
	return text_end(m, f, &buf, &len, orig->path, d);
}

int
undo_write_files(FILE *f, const char *self, const struct plan *p,
    const struct undo_move *mv, size_t n, const char *windir,
    const char *backup_dir, const char *tool, const char *stamp,
    struct diag *d)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *m = text_begin(&buf, &len, "file", tool, stamp, d);

	if (m == NULL)
		return -1;
	regfile_put_comment(m, "It puts back the files changed in the Windows "
	    "folder '%s' by:", windir);
	put_remedies(m, p, NULL);
	regfile_put_comment(m, "Apply it with: kbfix undo '%s' '%s'", self,
	    windir);
	regfile_put_comment(m, "Each kbfix-move line moves a file back, from "
	    "where the change put it to where it was; %%SystemRoot%% is the "
	    "Windows folder kbfix undo is given%s.", backup_dir ? ", "
	    "%BackupDir% the folder of kbfix-backup-dir" : "");
	fputs("; kbfix-undo: files 1\n", m);
	put_remedy_ids(m, p, NULL);
	if (backup_dir != NULL) {
		fputs("; kbfix-backup-dir: ", m);
		regfile_put_quoted(m, backup_dir);
		fputc('\n', m);
	}
	fputc('\n', m);
	/* Last change first. */
	for (i = n; i-- > 0;) {
		if (mv[i].from == NULL) {
			fputs("; deleted from this copy, not moved: ", m);
			regfile_put_quoted(m, mv[i].to);
			fputc('\n', m);
			continue;
		}
		fputs("; kbfix-move: ", m);
		regfile_put_quoted(m, mv[i].from);
		fputc(' ', m);
		regfile_put_quoted(m, mv[i].to);
		fprintf(m, " sha256 %s\n", mv[i].sha256);
	}
	return text_end(m, f, &buf, &len, windir, d);
}

int
undo_write_manifest(FILE *f, const char *self, const struct plan *p,
    const struct undo_part *parts, size_t n, const char *root,
    const char *backup_dir, const char *tool, const char *stamp,
    struct diag *d)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *m = text_begin(&buf, &len, "manifest", tool, stamp, d);

	if (m == NULL)
		return -1;
	regfile_put_comment(m, "It names the undo files of one apply, below "
	    "'%s', by:", root);
	for (i = 0; i < p->nentries; i++)
		if (p->entries[i].nchanges > 0)
			regfile_put_comment(m, "  %s %s",
			    p->entries[i].remedy->id,
			    p->entries[i].remedy->title ?
			    p->entries[i].remedy->title : "");
	regfile_put_comment(m, "Apply it with: kbfix undo '%s' (or, the folder "
	    "mounted elsewhere: kbfix undo '%s' FOLDER)", self, self);
	regfile_put_comment(m, "It puts every hive and file back together, or "
	    "none; each kbfix-part line names what one undo file puts back "
	    "and the undo file, below the root (or in %%BackupDir%%).");
	fputs("; kbfix-undo: apply 1\n; kbfix-root: ", m);
	regfile_put_quoted(m, root);
	fputc('\n', m);
	if (backup_dir != NULL) {
		fputs("; kbfix-backup-dir: ", m);
		regfile_put_quoted(m, backup_dir);
		fputc('\n', m);
	}
	fputc('\n', m);
	for (i = 0; i < n; i++) {
		fputs("; kbfix-part: ", m);
		regfile_put_quoted(m, parts[i].target);
		fputc(' ', m);
		regfile_put_quoted(m, parts[i].undo);
		fputc('\n', m);
	}
	return text_end(m, f, &buf, &len, root, d);
}

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
static int
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
		diag_error(d, name, line, "bad kbfix-move line: %s", err);
		return -1;
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
		diag_error(d, name, line, "out of memory");
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
		diag_error(d, name, line, "out of memory");
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
			diag_error(d, name, line, "an undo file of another "
			    "version of kbfix ('%.*s')", (int)(rn < 20 ? rn :
			    20), r);
			return -1;
		}
		*version = 1;
	} else if (tagged(s, n, "; kbfix-hive: ", &r, &rn)) {
		free(u->hive);
		if (regfile_unquote(r, rn, &u->hive, err, sizeof err) != rn) {
			diag_error(d, name, line, "bad kbfix-hive line: %s",
			    u->hive ? "text after the name" : err);
			return -1;
		}
	} else if (tagged(s, n, "; kbfix-hive-kind: ", &r, &rn)) {
		char kind[32];

		snprintf(kind, sizeof kind, "%.*s", (int)(rn < 31 ? rn : 31),
		    r);
		if ((u->kind = hive_kind_parse(kind)) == HIVE_UNKNOWN) {
			diag_error(d, name, line, "unknown hive kind '%s'",
			    kind);
			return -1;
		}
	} else if (tagged(s, n, "; kbfix-hive-sha256: ", &r, &rn)) {
		if (!is_sha256(r, rn)) {
			diag_error(d, name, line, "bad kbfix-hive-sha256 line");
			return -1;
		}
		memcpy(u->sha256, r, 64);
	} else if (tagged(s, n, "; kbfix-hive-root-time: ", &r, &rn)) {
		char num[24], *end;

		snprintf(num, sizeof num, "%.*s", (int)(rn < 23 ? rn : 23), r);
		errno = 0;
		u->root_time = strtoll(num, &end, 10);
		if (rn == 0 || rn > 22 || *end != '\0' || errno != 0) {
			diag_error(d, name, line, "bad kbfix-hive-root-time "
			    "line");
			return -1;
		}
		u->has_root_time = 1;
	} else if (tagged(s, n, "; kbfix-backup-dir: ", &r, &rn)) {
		free(u->backup_dir);
		if (regfile_unquote(r, rn, &u->backup_dir, err, sizeof err) !=
		    rn || u->backup_dir[0] != '/') {
			diag_error(d, name, line, "bad kbfix-backup-dir line: "
			    "%s", u->backup_dir ? "want an absolute path" :
			    err);
			return -1;
		}
	} else if (tagged(s, n, "; kbfix-move: ", &r, &rn)) {
		return parse_move(u, r, rn, line, name, d);
	} else if (tagged(s, n, "; kbfix-root: ", &r, &rn)) {
		free(u->root);
		if (regfile_unquote(r, rn, &u->root, err, sizeof err) != rn ||
		    u->root[0] != '/') {
			diag_error(d, name, line, "bad kbfix-root line: %s",
			    u->root ? "want an absolute path" : err);
			return -1;
		}
	} else if (tagged(s, n, "; kbfix-part: ", &r, &rn)) {
		return parse_part(u, r, rn, line, name, d);
	} else if (tagged(s, n, "; kbfix-remedy: ", &r, &rn)) {
		char *id = NULL, **nv;

		if (regfile_unquote(r, rn, &id, err, sizeof err) != rn) {
			free(id);
			diag_error(d, name, line, "bad kbfix-remedy line");
			return -1;
		}
		if ((nv = realloc(u->remedies, (u->nremedies + 1) *
		    sizeof *nv)) == NULL) {
			free(id);
			diag_error(d, name, line, "out of memory");
			return -1;
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
	if (u == NULL) {
		diag_error(d, name, 0, "out of memory");
		return -1;
	}
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
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
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

/* ---------------------------------------------------------------- plan */

static char undo_id[] = "undo";
static char undo_title[] = "restore the keys and values of a .reg file";
static struct remedy undo_remedy = { .id = undo_id, .title = undo_title };

struct uctx {
	struct hive *hv;
	struct plan_entry *e;
	const char *name;
	struct diag *d;
	struct overlay *ov;	/* the changes so far, indexed */
};

static struct change *
add_change(struct uctx *u, enum change_kind kind, char *const *key,
    size_t nkey, long line)
{
	struct change *nv, *c;
	size_t i;

	nv = realloc(u->e->changes, (u->e->nchanges + 1) * sizeof *nv);
	if (nv == NULL)
		return NULL;
	u->e->changes = nv;
	c = &nv[u->e->nchanges];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->hive = u->hv;
	c->line = line;
	if ((c->key = calloc(nkey + 1, sizeof *c->key)) == NULL)
		return NULL;
	for (i = 0; i < nkey; i++)
		if ((c->key[i] = strdup(key[i])) == NULL) {
			elems_free(c->key, i);
			c->key = NULL;
			return NULL;
		}
	c->nkey = nkey;
	u->e->nchanges++;
	return c;
}

/* What the changes so far say of key KEY[0..N): -1 deleted (it or a
 * parent), 1 created, 0 nothing; -2 out of memory (overlay.h: O(1)). */
static int
key_overlay(const struct uctx *u, char *const *key, size_t n)
{
	return overlay_key_state(u->ov, u->hv, key, n);
}

/* Resolve KEY in the hive: the node (0 if missing) and, for each level
 * that exists, its name as stored (so changes carry the hive's
 * spelling). */
static hive_node_h
resolve(struct uctx *u, char **key, size_t n)
{
	hive_node_h node = u->hv->root;
	size_t i;

	for (i = 0; i < n && node != 0; i++) {
		node = hive_child(u->hv, node, key[i]);
		if (node != 0) {
			char *stored = hivex_node_name(u->hv->h, node);

			if (stored != NULL) {
				free(key[i]);
				key[i] = stored;
			}
		}
	}
	return node;
}

/* The value NAME of KEY now, the changes so far over the hive. */
static int
value_now(struct uctx *u, hive_node_h node, char *const *key, size_t n,
    const char *name, struct hive_value *out)
{
	const struct rvalue *pv = NULL;
	int ov = overlay_value_state(u->ov, u->hv, key, n, name, &pv);
	int ok = key_overlay(u, key, n);

	memset(out, 0, sizeof *out);
	if (ov == -2 || ok == -2)
		return -1;
	if (ov == 1) {
		out->name = strdup(name);
		out->type = pv->type;
		out->len = pv->len;
		out->data = malloc(pv->len ? pv->len : 1);
		if (out->name == NULL || out->data == NULL)
			return -1;
		memcpy(out->data, pv->data, pv->len);
		return 1;
	}
	/* Deleted, or in a key the changes delete or create: none. */
	if (ov == -1 || ok != 0 || node == 0)
		return 0;
	return hive_value_get(u->hv, node, name, out, u->d);
}

static int
copy_rvalue(struct rvalue *dst, uint32_t type, const void *data, size_t len)
{
	dst->type = type;
	dst->len = len;
	if ((dst->data = malloc(len ? len : 1)) == NULL)
		return -1;
	if (len)
		memcpy(dst->data, data, len);
	return 0;
}

static int
plan_key(struct uctx *u, const struct regfile_key *k)
{
	char *const *rel;
	char **key = NULL;
	hive_node_h node;
	size_t i, n = 0;
	int r = -1;

	if ((rel = below_root(k, u->hv->kind, &n, u->name, u->d)) == NULL)
		return -1;
	if ((key = calloc(n + 1, sizeof *key)) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if ((key[i] = strdup(rel[i])) == NULL)
			goto oom;
	node = resolve(u, key, n);
	if (k->delete) {
		if (n == 0) {
			diag_error(u->d, u->name, k->line, "cannot delete the "
			    "root key");
			goto out;
		}
		if ((r = key_overlay(u, key, n)) == -2)
			goto oom;
		if (r != 0) {
			r = -1;
			diag_error(u->d, u->name, k->line, "'%s' is created "
			    "or deleted twice", k->path);
			goto out;
		}
		if (node != 0) {
			struct change *c = add_change(u, CHANGE_DELETE_KEY,
			    key, n, k->line);

			if (c == NULL)
				goto oom;
			c->node = node;
		}
		r = 0;
		goto out;
	}
	/* Every missing level is created, from the top. */
	{
		hive_node_h at = u->hv->root;

		for (i = 0; i < n; i++) {
			int ov = key_overlay(u, key, i + 1);

			if (ov == -2)
				goto oom;
			at = at ? hive_child(u->hv, at, key[i]) : 0;
			if (ov > 0 || (at != 0 && ov == 0))
				continue;
			if (add_change(u, CHANGE_CREATE_KEY, key, i + 1,
			    k->line) == NULL)
				goto oom;
		}
	}
	for (i = 0; i < k->nvalues; i++) {
		const struct regfile_value *v = &k->values[i];
		struct hive_value cur;
		struct change *c;
		int have = value_now(u, node, key, n, v->name, &cur);

		if (have < 0) {
			hive_value_clear(&cur);
			if (u->d->nerrors == 0)
				goto oom;
			goto out;
		}
		if (v->delete ? !have : (have && cur.type == v->type &&
		    cur.len == v->len && (v->len == 0 ||
		    memcmp(cur.data, v->data, v->len) == 0))) {
			hive_value_clear(&cur);
			continue;
		}
		c = add_change(u, v->delete ? CHANGE_DELETE_VALUE :
		    CHANGE_SET_VALUE, key, n, v->line);
		if (c == NULL || (c->name = strdup(have ? cur.name :
		    v->name)) == NULL) {
			hive_value_clear(&cur);
			goto oom;
		}
		c->node = node;
		if (have) {
			c->had_old = 1;
			if (copy_rvalue(&c->old, cur.type, cur.data,
			    cur.len) < 0) {
				hive_value_clear(&cur);
				goto oom;
			}
		}
		hive_value_clear(&cur);
		if (!v->delete && copy_rvalue(&c->new, v->type, v->data,
		    v->len) < 0)
			goto oom;
	}
	r = 0;
	goto out;
oom:
	diag_error(u->d, u->name, k->line, "out of memory");
	r = -1;
out:
	elems_free(key, n);
	return r;
}

/* A new plan of one entry, for R; NULL (with D) when out of memory. */
static struct plan *
plan_one(const struct remedy *r, struct diag *d)
{
	struct plan *p = calloc(1, sizeof *p);

	if (p == NULL || (p->entries = calloc(1, sizeof *p->entries)) ==
	    NULL) {
		free(p);
		diag_error(d, NULL, 0, "out of memory");
		return NULL;
	}
	p->nentries = 1;
	p->entries[0].remedy = r;
	return p;
}

int
undo_plan(const struct undo_file *uf, const char *name, struct hive *hv,
    struct plan **out, struct diag *d)
{
	struct plan *p = plan_one(&undo_remedy, d);
	struct uctx u;
	size_t i;
	int r = 0;

	*out = NULL;
	if (p == NULL)
		return -1;
	u.hv = hv;
	u.e = &p->entries[0];
	u.name = name;
	u.d = d;
	if ((u.ov = overlay_new(p)) == NULL) {
		plan_free(p);
		diag_error(d, NULL, 0, "out of memory");
		return -1;
	}
	for (i = 0; uf->rf != NULL && i < uf->rf->nkeys; i++)
		if (!uf->rf->keys[i].left && plan_key(&u, &uf->rf->keys[i]) < 0)
			r = -1;
	overlay_free(u.ov);
	if (r < 0) {
		plan_free(p);
		return -1;
	}
	u.e->status = u.e->nchanges ? ENTRY_APPLIES : ENTRY_DONE;
	*out = p;
	return 0;
}

/* ---------------------------------------------------------------- check */

/* One entry of an undo file: keys [L0, R0) are its kbfix-left keys,
 * [R0, R1) what it restores, on lines [LINE0, LINE1). */
struct entry {
	size_t l0, r0, r1;
	long line0, line1;
	int touched;		/* the plan writes something of it */
};

/* The entries of RF, in order.  *N of them; NULL when out of memory. */
static struct entry *
entries_of(const struct regfile *rf, size_t *n)
{
	struct entry *v = calloc(rf->nkeys + 1, sizeof *v);
	size_t i = 0;

	*n = 0;
	if (v == NULL)
		return NULL;
	while (i < rf->nkeys) {
		struct entry *e = &v[(*n)++];

		e->l0 = i;
		while (i < rf->nkeys && rf->keys[i].left)
			i++;
		e->r0 = i;
		while (i < rf->nkeys && !rf->keys[i].left)
			i++;
		e->r1 = i;
		e->line0 = e->r0 < e->r1 ? rf->keys[e->r0].line : LONG_MAX;
		e->line1 = i < rf->nkeys ? rf->keys[i].line : LONG_MAX;
	}
	return v;
}

struct conflicts {
	const struct undo_file *u;
	struct hive *hv;
	const char *name;
	int force;
	struct diag *d;
	size_t n;
	struct strmap listed;	/* the keys of a created key's list */
	size_t entry_l0, entry_r0;
};

#define MAX_CONFLICTS	50

static void
conflict(struct conflicts *c, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
conflict(struct conflicts *c, long line, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	c->n++;
	if (c->n > MAX_CONFLICTS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (c->n == MAX_CONFLICTS)
		diag_error(c->d, c->name, line, "more conflicts: not listed");
	else if (c->force)
		diag_warning(c->d, c->name, line, "%s: undone anyway (--force)",
		    msg ? msg : "out of memory");
	else
		diag_error(c->d, c->name, line, "%s: not undone (--force "
		    "undoes it anyway)", msg ? msg : "out of memory");
	free(msg);
}

/* Key K of the undo file in the hive, shown; NULL when out of memory. */
static hive_node_h
find_key(struct conflicts *c, const struct regfile_key *k, int *bad)
{
	size_t n;
	char *const *rel = below_root(k, c->hv->kind, &n, c->name, c->d);

	if (rel == NULL) {
		*bad = 1;
		return 0;
	}
	return hive_lookup(c->hv, c->hv->root, rel, n);
}

/* tree_fn over what a key the apply created holds now: each key and
 * value must be in the entry's list. */
static int
check_created(const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, const struct hive_value *vals, size_t nvals, void *arg)
{
	struct conflicts *c = arg;
	const struct regfile_key *lk;
	char *id = touch_id('k', path, n, NULL), *show;
	size_t at, i, j;

	(void)node;
	if (id == NULL)
		return 1;
	at = strmap_get(&c->listed, id);
	free(id);
	if (at == STRMAP_NONE) {
		show = regfile_key_show(hive_kind_reg_root(hv->kind), path, n);
		conflict(c, c->u->rf->keys[c->entry_r0].line, "'%s' was not "
		    "made by the apply", show ? show : "?");
		free(show);
		return 0;
	}
	lk = &c->u->rf->keys[at];
	for (i = 0; i < nvals; i++) {
		if ((id = touch_id('v', path, n, vals[i].name)) == NULL)
			return 1;
		j = strmap_get(&c->listed, id);
		free(id);
		if (j == STRMAP_NONE) {
			char *vn = regfile_escape(vals[i].name, 0);

			conflict(c, lk->line, "'%s' holds a value '%s' the "
			    "apply did not make", lk->path, vn ? vn : "?");
			free(vn);
		}
	}
	return 0;
}

/* The conflicts of entry E: what no longer holds of what the apply
 * left.  Returns 0, or -1 on a damaged hive or out of memory (D). */
static int
entry_conflicts(struct conflicts *c, const struct entry *e)
{
	const struct regfile *rf = c->u->rf;
	size_t i, j;
	int bad = 0;

	for (i = e->l0; i < e->r0; i++) {
		const struct regfile_key *k = &rf->keys[i];
		hive_node_h node = find_key(c, k, &bad);

		if (bad)
			return -1;
		if (k->delete) {
			if (node != 0)
				conflict(c, k->line, "'%s' exists, and the "
				    "apply left no such key", k->path);
			continue;
		}
		if (node == 0) {
			conflict(c, k->line, "'%s' is gone, and the apply left "
			    "it", k->path);
			continue;
		}
		for (j = 0; j < k->nvalues; j++) {
			const struct regfile_value *v = &k->values[j];
			struct hive_value cur;
			int have = hive_value_get(c->hv, node, v->name, &cur,
			    c->d);
			char *vn;

			if (have < 0)
				return -1;
			vn = regfile_escape(v->name, 0);
			if (v->delete && have)
				conflict(c, v->line, "'%s' has a value '%s', and "
				    "the apply left none", k->path, vn ? vn :
				    "?");
			else if (!v->delete && !have)
				conflict(c, v->line, "the value '%s' of '%s' is "
				    "gone, and the apply left it", vn ? vn :
				    "?", k->path);
			else if (!v->delete && (cur.type != v->type ||
			    cur.len != v->len || (v->len && memcmp(cur.data,
			    v->data, v->len) != 0)))
				conflict(c, v->line, "the value '%s' of '%s' is "
				    "no longer what the apply left there",
				    vn ? vn : "?", k->path);
			free(vn);
			hive_value_clear(&cur);
		}
	}
	/* A key the apply created: its list is complete (undo.h). */
	if (e->r1 == e->r0 + 1 && rf->keys[e->r0].delete && e->r0 > e->l0 &&
	    !rf->keys[e->l0].delete && same_elems(rf->keys[e->l0].elems,
	    rf->keys[e->l0].nelems, rf->keys[e->r0].elems,
	    rf->keys[e->r0].nelems)) {
		hive_node_h node = find_key(c, &rf->keys[e->l0], &bad);
		size_t n, nr;
		char **r = root_elems(c->hv->kind, &nr);
		int w;

		if (bad || r == NULL) {
			elems_free(r, nr);
			return -1;
		}
		elems_free(r, nr);
		if (node == 0)
			return 0;
		strmap_free(&c->listed);
		for (i = e->l0; i < e->r0; i++) {
			const struct regfile_key *k = &rf->keys[i];

			if (k->delete)
				continue;
			if (strmap_put(&c->listed, touch_id('k', k->elems + nr,
			    k->nelems - nr, NULL), i) < 0)
				goto oom;
			for (j = 0; j < k->nvalues; j++)
				if (strmap_put(&c->listed, touch_id('v',
				    k->elems + nr, k->nelems - nr,
				    k->values[j].name), i) < 0)
					goto oom;
		}
		c->entry_r0 = e->r0;
		n = rf->keys[e->l0].nelems - nr;
		w = tree_walk(c->hv, node, rf->keys[e->l0].elems + nr, n,
		    check_created, c, c->d);
		strmap_free(&c->listed);
		if (w != 0) {
			if (w > 0)
				diag_error(c->d, NULL, 0, "out of memory");
			return -1;
		}
	}
	return 0;
oom:
	strmap_free(&c->listed);
	diag_error(c->d, NULL, 0, "out of memory");
	return -1;
}

/* Mark the entries of E[0..N) that plan P writes: its changes carry the
 * lines of the undo file. */
static void
mark_touched(struct entry *e, size_t n, const struct plan *p)
{
	size_t i, j, lo, hi;

	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++) {
			long line = p->entries[i].changes[j].line;

			for (lo = 0, hi = n; lo < hi;) {
				size_t mid = lo + (hi - lo) / 2;

				if (e[mid].line1 <= line)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < n && line >= e[lo].line0)
				e[lo].touched = 1;
		}
}

/* The conflicts of the entries P writes, as messages in D (warnings with
 * FORCE).  Returns their number, or -1 with D. */
static long
count_conflicts(const struct undo_file *u, const char *name, struct hive *hv,
    const struct plan *p, int force, struct diag *d)
{
	struct conflicts c;
	struct entry *e;
	size_t n, i;

	memset(&c, 0, sizeof c);
	c.u = u;
	c.hv = hv;
	c.name = name;
	c.force = force;
	c.d = d;
	if ((e = entries_of(u->rf, &n)) == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		return -1;
	}
	mark_touched(e, n, p);
	for (i = 0; i < n; i++)
		if (e[i].touched && entry_conflicts(&c, &e[i]) < 0) {
			free(e);
			return -1;
		}
	free(e);
	return (long)c.n;
}

int
undo_check_hive(const struct undo_file *u, const char *name,
    const struct hive *hv, int force, struct diag *d)
{
	const char *base = base_name(hv->path);

	if (u->plain)
		return 0;
	if (u->files) {
		diag_error(d, NULL, 0, "'%s' puts back files: give the Windows "
		    "folder, or the volume holding it, not '%s'", name,
		    hv->path);
		return -1;
	}
	if (u->kind != hv->kind) {
		diag_error(d, NULL, 0, "'%s' was written for a %s hive; '%s' is "
		    "a %s hive", name, hive_kind_name(u->kind), hv->path,
		    hive_kind_name(hv->kind));
		return -1;
	}
	if (!names_equal(u->hive, base)) {
		char *e = regfile_escape(u->hive, 0);

		if (force)
			diag_warning(d, NULL, 0, "'%s' was written for the "
			    "hive '%s', not '%s': undone anyway (--force)",
			    name, e ? e : "?", base);
		else
			diag_error(d, NULL, 0, "'%s' was written for the hive "
			    "'%s', not '%s' (--force if it is that hive under "
			    "another name)", name, e ? e : "?", base);
		free(e);
		if (!force)
			return -1;
	}
	return 0;
}

int
undo_check(const struct undo_file *u, const char *name, struct hive *hv,
    const char *sha256, const struct plan *p, int force, struct diag *d)
{
	long n;
	int64_t t;
	int other;

	if (u->plain)
		return 0;
	if (sha256 != NULL && strcmp(sha256, u->sha256) == 0)
		return 0;	/* the hive as the apply left it */
	/* kbfix and hivex never change a key's time: a hive whose root
	 * key's time is not the one recorded is another hive, or one that
	 * Windows has written since. */
	t = hivex_node_timestamp(hv->h, hv->root);
	other = t != u->root_time;
	if ((n = count_conflicts(u, name, hv, p, force, d)) < 0)
		return -1;
	if (other) {
		if (force)
			diag_warning(d, NULL, 0, "'%s' is not the hive '%s' "
			    "was written for, or Windows has written to it "
			    "since: undone anyway (--force)", hv->path, name);
		else
			diag_error(d, NULL, 0, "'%s' is not the hive '%s' "
			    "was written for, or Windows has written to it "
			    "since (its root key's time is not the one "
			    "recorded): --force undoes it anyway", hv->path,
			    name);
	} else if (n == 0)
		diag_note(d, NULL, 0, "'%s' has changed since the apply; what "
		    "'%s' restores still holds what the apply left", hv->path,
		    name);
	return (n > 0 || other) && !force ? -1 : 0;
}

/* ---------------------------------------------------------------- verify */

/* Change C in a few words, for a message; NULL when out of memory. */
static char *
show_change(const struct change *c)
{
	static const char *const what[] = {
		[CHANGE_DELETE_KEY] = "delete the key",
		[CHANGE_CREATE_KEY] = "create the key",
		[CHANGE_SET_VALUE] = "set a value of",
		[CHANGE_DELETE_VALUE] = "delete a value of",
		[CHANGE_RENAME_FILE] = "rename", [CHANGE_DELETE_FILE] = "delete",
	};
	char *k = regfile_key_show(hive_kind_reg_root(c->hive ? c->hive->kind :
	    HIVE_UNKNOWN), c->key, c->nkey), *v = NULL, *s;

	if (k == NULL || (c->name != NULL &&
	    (v = regfile_escape(c->name, 0)) == NULL)) {
		free(k);
		return NULL;
	}
	if (asprintf(&s, "%s '%s'%s%s%s", what[c->kind], k, v ? ": '" : "",
	    v ? v : "", v ? "'" : "") < 0)
		s = NULL;
	free(k);
	free(v);
	return s;
}

/* The value NAME of KEY[0..N) in HV: 1 with *V, 0 if none, -1 with D. */
static int
value_at(const struct hive *hv, char *const *key, size_t n, const char *name,
    struct hive_value *v, struct diag *d)
{
	hive_node_h node = hive_lookup(hv, hv->root, key, n);

	memset(v, 0, sizeof *v);
	return node ? hive_value_get(hv, node, name, v, d) : 0;
}

static int
same_data(const struct hive_value *v, const struct rvalue *r)
{
	return v->type == r->type && v->len == r->len &&
	    (r->len == 0 || memcmp(v->data, r->data, r->len) == 0);
}

/* Does change C of an undo plan on the new hive lead where ORIG was? */
static int
leads_back(const struct change *c, const struct hive *orig, struct diag *d)
{
	struct hive_value v;
	int r;

	switch (c->kind) {
	case CHANGE_CREATE_KEY:
		return hive_lookup(orig, orig->root, c->key, c->nkey) != 0;
	case CHANGE_DELETE_KEY:
		return hive_lookup(orig, orig->root, c->key, c->nkey) == 0;
	case CHANGE_SET_VALUE:
	case CHANGE_DELETE_VALUE:
		if ((r = value_at(orig, c->key, c->nkey, c->name, &v, d)) < 0)
			return -1;
		r = c->kind == CHANGE_DELETE_VALUE ? r == 0 :
		    r == 1 && same_data(&v, &c->new);
		hive_value_clear(&v);
		return r;
	default:
		return 1;
	}
}

struct covered {
	const struct strmap *q;
	const struct hive *after;
	int missing;
};

/* tree_fn over a key the plan deleted, as ORIG held it: the undo plan
 * makes each key and value again. */
static int
check_recreated(const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, const struct hive_value *vals, size_t nvals, void *arg)
{
	struct covered *cv = arg;
	char *id = touch_id('c', path, n, NULL);
	size_t i;

	(void)hv;
	(void)node;
	if (id == NULL)
		return 1;
	if (strmap_get(cv->q, id) == STRMAP_NONE)
		cv->missing = 1;
	free(id);
	for (i = 0; i < nvals && !cv->missing; i++) {
		if ((id = touch_id('s', path, n, vals[i].name)) == NULL)
			return 1;
		if (strmap_get(cv->q, id) == STRMAP_NONE)
			cv->missing = 1;
		free(id);
	}
	return cv->missing ? 2 : 0;
}

/* Is the change C of the forward plan undone by the undo plan, whose
 * changes are in Q?  ORIG before, AFTER after the forward plan. */
static int
undone(const struct change *c, const struct strmap *q, const struct hive *orig,
    const struct hive *after, struct diag *d)
{
	struct hive_value a, o;
	char *id;
	size_t k;
	int ra, ro, r = 0;

	switch (c->kind) {
	case CHANGE_CREATE_KEY:
		if (hive_lookup(after, after->root, c->key, c->nkey) == 0)
			return 1;
		for (k = 1; k <= c->nkey && r == 0; k++) {
			if ((id = touch_id('d', c->key, k, NULL)) == NULL)
				return -1;
			r = strmap_get(q, id) != STRMAP_NONE;
			free(id);
		}
		return r;
	case CHANGE_DELETE_KEY: {
		struct covered cv = { q, after, 0 };
		int w = tree_walk(orig, c->node, c->key, c->nkey,
		    check_recreated, &cv, d);

		if (w < 0 || w == 1)
			return -1;
		return !cv.missing;
	}
	case CHANGE_SET_VALUE:
	case CHANGE_DELETE_VALUE:
		if ((ra = value_at(after, c->key, c->nkey, c->name, &a,
		    d)) < 0)
			return -1;
		if ((ro = value_at(orig, c->key, c->nkey, c->name, &o,
		    d)) < 0) {
			hive_value_clear(&a);
			return -1;
		}
		/* Nothing to undo where the apply left what was there. */
		r = ra == ro && (ra == 0 || (a.type == o.type &&
		    a.len == o.len && (a.len == 0 || memcmp(a.data, o.data,
		    a.len) == 0)));
		hive_value_clear(&a);
		hive_value_clear(&o);
		if (r)
			return 1;
		if ((id = touch_id(ro ? 's' : 'x', c->key, c->nkey,
		    c->name)) == NULL)
			return -1;
		r = strmap_get(q, id) != STRMAP_NONE;
		free(id);
		/* A value the apply made goes with a key the undo
		 * deletes. */
		for (k = 1; !ro && k <= c->nkey && r == 0; k++) {
			if ((id = touch_id('d', c->key, k, NULL)) == NULL)
				return -1;
			r = strmap_get(q, id) != STRMAP_NONE;
			free(id);
		}
		return r;
	default:
		return 1;
	}
}

static const int change_letter[] = {
	[CHANGE_DELETE_KEY] = 'd', [CHANGE_CREATE_KEY] = 'c',
	[CHANGE_SET_VALUE] = 's', [CHANGE_DELETE_VALUE] = 'x',
	[CHANGE_RENAME_FILE] = 'r', [CHANGE_DELETE_FILE] = 'f',
};

int
undo_verify(const char *path, const struct regfile *model,
    const struct plan *p, const struct hive *orig, const struct hive *after,
    const char *sha256, struct diag *d)
{
	struct undo_file *u = NULL;
	struct plan *q = NULL;
	struct strmap qs = { NULL, NULL, 0, 0 };
	size_t where, i, j;
	int r = -1, ok;

	if (undo_read(path, &u, d) < 0)
		goto bad;
	if (!regfile_equal(model, u->rf, &where)) {
		diag_error(d, NULL, 0, "'%s' does not read back as written: "
		    "its entry for '%s' differs", path, where < model->nkeys ?
		    model->keys[where].path : "(the end)");
		goto bad;
	}
	if (u->plain || u->files || u->kind != orig->kind || strcmp(u->sha256,
	    sha256) != 0) {
		diag_error(d, NULL, 0, "'%s' does not read back as written: "
		    "its header differs", path);
		goto bad;
	}
	/* On the new hive: no conflict, and each change leads back to the
	 * original. */
	if (undo_plan(u, path, (struct hive *)after, &q, d) < 0 ||
	    count_conflicts(u, path, (struct hive *)after, q, 0, d) != 0)
		goto bad;
	for (i = 0; i < q->nentries; i++)
		for (j = 0; j < q->entries[i].nchanges; j++) {
			const struct change *c = &q->entries[i].changes[j];
			char *s;

			if ((ok = leads_back(c, orig, d)) < 0)
				goto bad;
			if (!ok) {
				s = show_change(c);
				diag_error(d, NULL, 0, "'%s' would not give "
				    "the original back: %s", path, s ? s :
				    "?");
				free(s);
				goto bad;
			}
			if (strmap_put(&qs, touch_id(change_letter[c->kind],
			    c->key, c->nkey, c->kind == CHANGE_SET_VALUE ||
			    c->kind == CHANGE_DELETE_VALUE ? c->name : NULL),
			    0) < 0)
				goto oom;
		}
	/* And every change of the plan is undone. */
	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++) {
			const struct change *c = &p->entries[i].changes[j];
			char *s;

			if (c->hive != orig)
				continue;
			if ((ok = undone(c, &qs, orig, after, d)) < 0)
				goto bad;
			if (!ok) {
				s = show_change(c);
				diag_error(d, NULL, 0, "'%s' does not undo a "
				    "change: %s", path, s ? s : "?");
				free(s);
				goto bad;
			}
		}
	r = 0;
	goto out;
oom:
	diag_error(d, NULL, 0, "out of memory");
bad:
	diag_error(d, NULL, 0, "the undo file of '%s' cannot be trusted: "
	    "nothing was changed", orig->path);
out:
	strmap_free(&qs);
	plan_free(q);
	undo_file_free(u);
	return r;
}

/* ---------------------------------------------------------------- files */

int
undo_verify_files(const char *path, const struct undo_move *m, size_t n,
    struct diag *d)
{
	struct undo_file *u = NULL;
	size_t i, k = 0;
	int r = -1;

	if (undo_read(path, &u, d) < 0)
		goto out;
	if (!u->files)
		goto differs;
	/* Written last move first. */
	for (i = n; i-- > 0;) {
		if (m[i].from == NULL)
			continue;
		if (k >= u->nmoves || strcmp(u->moves[k].from, m[i].from) != 0 ||
		    strcmp(u->moves[k].to, m[i].to) != 0 ||
		    strcmp(u->moves[k].sha256, m[i].sha256) != 0)
			goto differs;
		k++;
	}
	if (k != u->nmoves)
		goto differs;
	r = 0;
	goto out;
differs:
	diag_error(d, NULL, 0, "'%s' does not read back as written", path);
out:
	if (r < 0)
		diag_error(d, NULL, 0, "the undo file of the file changes cannot "
		    "be trusted: nothing was changed");
	undo_file_free(u);
	return r;
}

static char undo_files_id[] = "undo";
static char undo_files_title[] = "move the files of an undo file back";
static struct remedy undo_files_remedy = { .id = undo_files_id,
    .title = undo_files_title };

/* Where P (a kbfix-move path) is on this machine, found below the
 * Windows folder WINDIR or the backup folder without following a link;
 * *EXISTS as it is. */
static int
move_place(const struct undo_file *u, const char *windir, const char *p,
    const char *name, long line, char **out, int *exists, struct diag *d)
{
	struct stat st;
	int r;

	if (rooted(p, "%BackupDir%"))
		r = winpath_lookup(u->backup_dir, p + 12, out, exists, d);
	else
		r = winpath_resolve(windir, p, out, exists, d);
	if (r < 0)
		return -1;	/* the message names the path and why */
	if (*exists && (lstat(*out, &st) < 0 || !S_ISREG(st.st_mode))) {
		diag_error(d, name, line, "'%s' is not a regular file", *out);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
undo_moves_plan(const struct undo_file *u, const char *name,
    const char *windir, int force, struct plan **out, struct diag *d)
{
	struct plan *p = plan_one(&undo_files_remedy, d);
	struct plan_entry *e;
	size_t i;
	int bad = 0;

	*out = NULL;
	if (p == NULL)
		return -1;
	e = &p->entries[0];
	for (i = 0; i < u->nmoves; i++) {
		const struct undo_move *m = &u->moves[i];
		char *from = NULL, *to = NULL, hex[65];
		int fe = 0, te = 0;
		struct change *nv, *c;

		if (move_place(u, windir, m->from, name, m->line, &from, &fe,
		    d) < 0 || move_place(u, windir, m->to, name, m->line, &to,
		    &te, d) < 0) {
			free(from);
			bad = 1;
			continue;
		}
		if (fe && te)
			diag_error(d, name, m->line, "both '%s' and '%s' "
			    "exist: kbfix does not overwrite either", from, to);
		else if (!fe && !te)
			diag_error(d, name, m->line, "'%s' is gone: '%s' "
			    "cannot be put back", from, to);
		if (fe == te) {
			bad = 1;
			free(from);
			free(to);
			continue;
		}
		if (!fe) {	/* already back */
			free(from);
			free(to);
			continue;
		}
		if (audit_sha256_file(from, hex) < 0) {
			diag_error(d, name, m->line, "cannot read '%s': %s",
			    from, strerror(errno));
			bad = 1;
		} else if (strcmp(hex, m->sha256) != 0) {
			if (force)
				diag_warning(d, name, m->line, "'%s' is no "
				    "longer what the apply left there: put "
				    "back anyway (--force)", from);
			else {
				diag_error(d, name, m->line, "'%s' is no longer "
				    "what the apply left there: not put back "
				    "(--force puts it back anyway)", from);
				bad = 1;
			}
		}
		if ((nv = realloc(e->changes, (e->nchanges + 1) *
		    sizeof *nv)) == NULL) {
			free(from);
			free(to);
			diag_error(d, NULL, 0, "out of memory");
			bad = 1;
			break;
		}
		e->changes = nv;
		c = &nv[e->nchanges++];
		memset(c, 0, sizeof *c);
		c->kind = CHANGE_RENAME_FILE;
		c->file = from;
		c->to = to;
		c->winfile = strdup(m->to);
		c->line = m->line;
	}
	if (bad) {
		plan_free(p);
		return -1;
	}
	e->status = e->nchanges ? ENTRY_APPLIES : ENTRY_DONE;
	*out = p;
	return 0;
}
