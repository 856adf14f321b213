/* undo.c: the model of an undo file, the undo file written, and the files
 * of a folder moved back (undo-read.c reads undo files, undo-plan.c makes
 * them plans). */
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
/* ---------------------------------------------------------------- common */


int
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


/* The elements of ROOT ("HKEY_LOCAL_MACHINE\SYSTEM"), *N of them. */
char **
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
char *const *
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
		diag_oom(d);
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
	diag_oom(d);
	r = -1;
out:
	regfile_free(m.rf);
	elems_free(m.root, m.nroot);
	free(first);
	return r < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- write */

/* The file name of PATH. */
const char *
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

	if (len > UNDO_MAX_SIZE - 128)
		return diag_error(d, NULL, 0,
		    "the undo file of %s would be larger "
		    "than %lu bytes, the most kbfix writes (and reads)", what,
		    UNDO_MAX_SIZE);
	audit_sha256_buf(buf, len, hex);
	fwrite(buf, 1, len, f);
	fprintf(f, "; kbfix-end: sha256 %s\n", hex);
	if (ferror(f))
		return diag_error(d, NULL, 0, "cannot write the undo file: %s",
		    strerror(errno));
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
		diag_oom(d);
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
		diag_oom(d);
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
	struct plan *p = undo_plan_one(&undo_files_remedy, d);
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
			diag_oom(d);
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
