/* undo.c: write undo files; read .reg files back as plans. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "names.h"
#include "winpath.h"
#include "render.h"
#include "undo.h"

/* ---------------------------------------------------------------- write */

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

/* Did a change before C (in plan order) already touch what C touches?  The
 * first one holds the state before apply; later ones are skipped. */
static int
touched_before(const struct plan *p, const struct change *c,
    const struct hive *hv)
{
	size_t i, j;

	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++) {
			const struct change *o = &p->entries[i].changes[j];

			if (o == c)
				return 0;
			if (o->hive != hv)
				continue;
			if ((c->kind == CHANGE_SET_VALUE ||
			    c->kind == CHANGE_DELETE_VALUE) &&
			    (o->kind == CHANGE_SET_VALUE ||
			    o->kind == CHANGE_DELETE_VALUE) &&
			    same_elems(o->key, o->nkey, c->key, c->nkey) &&
			    names_equal(o->name, c->name))
				return 1;
			/* A value set in a key the plan created goes with the
			 * key. */
			if (c->kind == CHANGE_SET_VALUE && !c->had_old &&
			    o->kind == CHANGE_CREATE_KEY &&
			    o->nkey <= c->nkey &&
			    same_elems(o->key, o->nkey, c->key, o->nkey))
				return 1;
		}
	return 0;
}

static int
put_value(FILE *f, const char *key, const char *name, const struct rvalue *v,
    int del)
{
	char *line = regfile_format_value(name, del ? REG_NONE : v->type,
	    del ? NULL : v->data, del ? 0 : v->len, 0);
	char *eq;

	if (line == NULL)
		return -1;
	if (del) {
		/* "name"=- : reuse the quoting of the name. */
		eq = strrchr(line, '=');
		eq[1] = '-';
		eq[2] = '\0';
	}
	fprintf(f, "[%s]\n%s\n\n", key, line);
	free(line);
	return 0;
}

int
undo_write(FILE *f, const struct plan *p, const struct hive *hv,
    const char *dest, const char *tool, const char *stamp, struct diag *d)
{
	size_t i, j;

	fprintf(f, "Windows Registry Editor Version 5.00\n\n");
	fprintf(f, "; Undo file of %s, %s.\n", tool ? tool : "kbfix",
	    stamp ? stamp : "");
	fprintf(f, "; It restores what was changed in the %s hive '%s' by:\n",
	    hive_kind_name(hv->kind), hv->path);
	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++)
			if (p->entries[i].changes[j].hive == hv) {
				fprintf(f, ";   %s %s\n",
				    p->entries[i].remedy->id,
				    p->entries[i].remedy->title ?
				    p->entries[i].remedy->title : "");
				break;
			}
	if (dest != NULL && strcmp(dest, hv->path) != 0)
		fprintf(f, "; The changed copy is '%s'.\n", dest);
	fprintf(f, "; Apply it with: kbfix undo THIS-FILE '%s'\n\n",
	    dest ? dest : hv->path);
	/* Last change first. */
	for (i = p->nentries; i-- > 0;) {
		const struct plan_entry *e = &p->entries[i];

		for (j = e->nchanges; j-- > 0;) {
			const struct change *c = &e->changes[j];
			char *k;
			int r = 0;

			/* File changes have their own undo file. */
			if (c->hive != hv)
				continue;
			if (touched_before(p, c, hv))
				continue;
			if ((k = plan_key_text(hv, c->key, c->nkey)) == NULL)
				goto oom;
			switch (c->kind) {
			case CHANGE_CREATE_KEY:
				fprintf(f, "[-%s]\n\n", k);
				break;
			case CHANGE_DELETE_KEY:
				r = render_subtree(f, hv, c->node, c->key,
				    c->nkey, "", d);
				fputc('\n', f);
				break;
			case CHANGE_SET_VALUE:
			case CHANGE_DELETE_VALUE:
				r = put_value(f, k, c->name, &c->old,
				    !c->had_old);
				break;
			default:
				break;
			}
			free(k);
			if (r < 0) {
				if (d->nerrors == 0)
					goto oom;
				return -1;
			}
		}
	}
	if (ferror(f)) {
		diag_error(d, NULL, 0, "cannot write the undo file: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
oom:
	diag_error(d, NULL, 0, "out of memory");
	return -1;
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
};

static void
elems_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

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
 * parent), 1 created, 0 nothing. */
static int
key_overlay(const struct uctx *u, char *const *key, size_t n)
{
	size_t i;
	int st = 0;

	for (i = 0; i < u->e->nchanges; i++) {
		const struct change *c = &u->e->changes[i];

		if (c->kind == CHANGE_DELETE_KEY && c->nkey <= n &&
		    same_elems(c->key, c->nkey, key, c->nkey))
			st = -1;
		else if (c->kind == CHANGE_CREATE_KEY &&
		    same_elems(c->key, c->nkey, key, n))
			st = 1;
	}
	return st;
}

/* Split the .reg path of K below HV's root into elements.  Returns the
 * count, or -1 with D. */
static int
split_path(struct uctx *u, const struct regfile_key *k, char ***out)
{
	const char *root = hive_kind_reg_root(u->hv->kind);
	size_t rl = root ? strlen(root) : 0, n = 0;
	const char *s, *e;
	char **v = NULL;

	char *head;
	int under;

	*out = NULL;
	head = root && strlen(k->path) >= rl ? strndup(k->path, rl) : NULL;
	under = head != NULL && names_equal(head, root) &&
	    (k->path[rl] == '\0' || k->path[rl] == '\\');
	free(head);
	if (!under) {
		diag_error(u->d, u->name, k->line, "key '%s' is not in the %s"
		    " hive '%s'", k->path, hive_kind_name(u->hv->kind),
		    u->hv->path);
		return -1;
	}
	for (s = k->path + rl; *s == '\\'; s = e) {
		char **nv;

		s++;
		e = strchr(s, '\\');
		if (e == NULL)
			e = s + strlen(s);
		if (e == s) {
			diag_error(u->d, u->name, k->line, "empty key name in "
			    "'%s'", k->path);
			elems_free(v, n);
			return -1;
		}
		if ((nv = realloc(v, (n + 2) * sizeof *nv)) == NULL ||
		    (nv[n] = strndup(s, (size_t)(e - s))) == NULL) {
			elems_free(nv ? nv : v, n);
			diag_error(u->d, u->name, k->line, "out of memory");
			return -1;
		}
		v = nv;
		n++;
	}
	*out = v;
	return (int)n;
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
	size_t i;
	int ov = key_overlay(u, key, n), r = 0;

	memset(out, 0, sizeof *out);
	if (ov == 0 && node != 0 &&
	    (r = hive_value_get(u->hv, node, name, out, u->d)) < 0)
		return -1;
	if (ov != 0)
		r = 0;
	for (i = 0; i < u->e->nchanges; i++) {
		const struct change *c = &u->e->changes[i];

		if ((c->kind != CHANGE_SET_VALUE &&
		    c->kind != CHANGE_DELETE_VALUE) ||
		    !same_elems(c->key, c->nkey, key, n) ||
		    !names_equal(c->name, name))
			continue;
		hive_value_clear(out);
		memset(out, 0, sizeof *out);
		r = 0;
		if (c->kind == CHANGE_SET_VALUE) {
			out->name = strdup(c->name);
			out->type = c->new.type;
			out->len = c->new.len;
			out->data = malloc(c->new.len ? c->new.len : 1);
			if (out->name == NULL || out->data == NULL)
				return -1;
			memcpy(out->data, c->new.data, c->new.len);
			r = 1;
		}
	}
	return r;
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
	char **key = NULL;
	int n = split_path(u, k, &key);
	hive_node_h node;
	size_t i;
	int r = -1;

	if (n < 0)
		return -1;
	node = resolve(u, key, (size_t)n);
	if (k->delete) {
		if (n == 0) {
			diag_error(u->d, u->name, k->line, "cannot delete the "
			    "root key");
			goto out;
		}
		if (key_overlay(u, key, (size_t)n) != 0) {
			diag_error(u->d, u->name, k->line, "'%s' is created "
			    "or deleted twice", k->path);
			goto out;
		}
		if (node != 0) {
			struct change *c = add_change(u, CHANGE_DELETE_KEY,
			    key, (size_t)n, k->line);

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

		for (i = 0; i < (size_t)n; i++) {
			int ov = key_overlay(u, key, i + 1);

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
		int have = value_now(u, node, key, (size_t)n, v->name, &cur);

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
		    CHANGE_SET_VALUE, key, (size_t)n, v->line);
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
out:
	elems_free(key, n < 0 ? 0 : (size_t)n);
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
undo_plan(const struct regfile *rf, const char *name, struct hive *hv,
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
	for (i = 0; i < rf->nkeys; i++)
		if (plan_key(&u, &rf->keys[i]) < 0)
			r = -1;
	if (r < 0) {
		plan_free(p);
		return -1;
	}
	u.e->status = u.e->nchanges ? ENTRY_APPLIES : ENTRY_DONE;
	*out = p;
	return 0;
}

/* ---------------------------------------------------------------- files */

static void
put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int
undo_write_files(FILE *f, const struct plan *p, const struct undo_move *m,
    size_t n, const char *windir, const char *tool, const char *stamp,
    struct diag *d)
{
	size_t i, j;

	fprintf(f, "Windows Registry Editor Version 5.00\n\n");
	fprintf(f, "; Undo file of %s, %s.\n", tool ? tool : "kbfix",
	    stamp ? stamp : "");
	fprintf(f, "; It puts back the files changed in the Windows folder "
	    "'%s' by:\n", windir);
	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++)
			if (p->entries[i].changes[j].hive == NULL) {
				fprintf(f, ";   %s %s\n",
				    p->entries[i].remedy->id,
				    p->entries[i].remedy->title ?
				    p->entries[i].remedy->title : "");
				break;
			}
	fprintf(f, "; Apply it with: kbfix undo THIS-FILE '%s'\n", windir);
	fprintf(f, "; Each kbfix-move line moves a file back, from where the "
	    "change put it to\n; where it was; %%SystemRoot%% is the Windows "
	    "folder kbfix undo is given.\n\n");
	/* Last change first. */
	for (i = n; i-- > 0;) {
		if (m[i].from == NULL) {
			fprintf(f, "; deleted from this copy, not moved: ");
			put_quoted(f, m[i].to);
			fputs("\n", f);
			continue;
		}
		fputs("; kbfix-move: ", f);
		put_quoted(f, m[i].from);
		fputc(' ', f);
		put_quoted(f, m[i].to);
		fputc('\n', f);
	}
	if (ferror(f)) {
		diag_error(d, NULL, 0, "cannot write the undo file: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
undo_moves_free(struct undo_move *m, size_t n)
{
	size_t i;

	for (i = 0; m != NULL && i < n; i++) {
		free(m[i].from);
		free(m[i].to);
	}
	free(m);
}

/* One quoted string at *S (spaces before it skipped); *S moves past it. */
static char *
get_quoted(const char **s, const char *end)
{
	const char *p = *s;
	char *out, *o;

	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '"')
		return NULL;
	p++;
	if ((out = malloc((size_t)(end - p) + 1)) == NULL)
		return NULL;
	for (o = out; p < end && *p != '"'; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		*o++ = *p;
	}
	if (p >= end || o == out) {
		free(out);
		return NULL;
	}
	*o = '\0';
	*s = p + 1;
	return out;
}

int
undo_moves_parse(const char *text, size_t len, const char *name,
    struct undo_move **out, size_t *n, struct diag *d)
{
	static const char tag[] = "; kbfix-move:";
	const char *s = text, *end = text + len;
	long line = 0;
	int bad = 0;

	*out = NULL;
	*n = 0;
	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		const char *le = e ? e : end;
		struct undo_move mv = { NULL, NULL, 0 };
		struct undo_move *nv;

		line++;
		if (le > s && le[-1] == '\r')
			le--;
		if ((size_t)(le - s) >= sizeof tag - 1 &&
		    memcmp(s, tag, sizeof tag - 1) == 0) {
			const char *q = s + sizeof tag - 1;

			mv.line = line;
			mv.from = get_quoted(&q, le);
			mv.to = mv.from ? get_quoted(&q, le) : NULL;
			while (q < le && *q == ' ')
				q++;
			if (mv.from == NULL || mv.to == NULL || q != le) {
				diag_error(d, name, line, "bad kbfix-move line: "
				    "want ; kbfix-move: \"FROM\" \"TO\"");
				free(mv.from);
				free(mv.to);
				bad = 1;
			} else if ((nv = realloc(*out, (*n + 1) *
			    sizeof *nv)) == NULL) {
				free(mv.from);
				free(mv.to);
				diag_error(d, name, line, "out of memory");
				bad = 1;
				break;
			} else {
				*out = nv;
				nv[(*n)++] = mv;
			}
		}
		s = e ? e + 1 : end;
	}
	if (bad) {
		undo_moves_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

static char undo_files_id[] = "undo";
static char undo_files_title[] = "move the files of an undo file back";
static struct remedy undo_files_remedy = { .id = undo_files_id,
    .title = undo_files_title };

/* Where P (a kbfix-move path) is on this machine; *EXISTS as it is. */
static int
move_place(const char *windir, const char *p, const char *name, long line,
    char **out, int *exists, struct diag *d)
{
	struct stat st;

	if (p[0] == '%') {
		if (winpath_resolve(windir, p, out, exists, d) < 0) {
			diag_error(d, name, line, "cannot place '%s' in '%s'",
			    p, windir);
			return -1;
		}
		return 0;
	}
	if (p[0] != '/') {
		diag_error(d, name, line, "'%s' is neither %%SystemRoot%%\\... "
		    "nor an absolute path", p);
		return -1;
	}
	if ((*out = strdup(p)) == NULL) {
		diag_error(d, name, line, "out of memory");
		return -1;
	}
	*exists = lstat(p, &st) == 0;
	if (*exists && !S_ISREG(st.st_mode)) {
		diag_error(d, name, line, "'%s' is not a regular file", p);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
undo_moves_plan(const struct undo_move *m, size_t n, const char *name,
    const char *windir, struct plan **out, struct diag *d)
{
	struct plan *p = plan_one(&undo_files_remedy, d);
	struct plan_entry *e;
	size_t i;
	int bad = 0;

	*out = NULL;
	if (p == NULL)
		return -1;
	e = &p->entries[0];
	for (i = 0; i < n; i++) {
		char *from = NULL, *to = NULL;
		int fe = 0, te = 0;
		struct change *nv, *c;

		if (m[i].from == NULL)
			continue;
		if (move_place(windir, m[i].from, name, m[i].line, &from, &fe,
		    d) < 0 || move_place(windir, m[i].to, name, m[i].line, &to,
		    &te, d) < 0) {
			free(from);
			bad = 1;
			continue;
		}
		if (fe && te)
			diag_error(d, name, m[i].line, "both '%s' and '%s' "
			    "exist: kbfix does not overwrite either", from, to);
		else if (!fe && !te)
			diag_error(d, name, m[i].line, "'%s' is gone: '%s' "
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
		c->winfile = strdup(m[i].to);
		c->line = m[i].line;
	}
	if (bad) {
		plan_free(p);
		return -1;
	}
	e->status = e->nchanges ? ENTRY_APPLIES : ENTRY_DONE;
	*out = p;
	return 0;
}
