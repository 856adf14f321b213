/* undo-plan.c: an undo file read as a plan for the hive it was made for,
 * checked against what the hive holds now, and verified after apply. */
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
	diag_oom(u->d);
	r = -1;
out:
	elems_free(key, n);
	return r;
}

/* A new plan of one entry, for R; NULL (with D) when out of memory. */
struct plan *
undo_plan_one(const struct remedy *r, struct diag *d)
{
	struct plan *p = calloc(1, sizeof *p);

	if (p == NULL || (p->entries = calloc(1, sizeof *p->entries)) ==
	    NULL) {
		free(p);
		diag_oom(d);
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
	struct plan *p = undo_plan_one(&undo_remedy, d);
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
		return diag_oom(d);
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
				diag_oom(c->d);
			return -1;
		}
	}
	return 0;
oom:
	strmap_free(&c->listed);
	return diag_oom(c->d);
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
	if ((e = entries_of(u->rf, &n)) == NULL)
		return diag_oom(d);
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
	if (u->files)
		return diag_error(d, NULL, 0,
		    "'%s' puts back files: give the Windows "
		    "folder, or the volume holding it, not '%s'", name,
		    hv->path);
	if (u->kind != hv->kind)
		return diag_error(d, NULL, 0,
		    "'%s' was written for a %s hive; '%s' is "
		    "a %s hive", name, hive_kind_name(u->kind), hv->path,
		    hive_kind_name(hv->kind));
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
	diag_oom(d);
bad:
	diag_error(d, NULL, 0, "the undo file of '%s' cannot be trusted: "
	    "nothing was changed", orig->path);
out:
	strmap_free(&qs);
	plan_free(q);
	undo_file_free(u);
	return r;
}
