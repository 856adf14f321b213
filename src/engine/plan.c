/* plan.c: remedies + hives -> the ordered list of concrete changes.
 *
 * Reads only.  Each remedy is evaluated once per chosen control set (its
 * paths that start with CurrentControlSet then mean that set); actions read
 * the hive through the changes already planned, so that repeating an
 * action, or planning again after apply, finds nothing left to do.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "overlay.h"
#include "plan.h"
#include "winpath.h"

/* Deepest key path kbfix follows: Windows allows 512 levels. */
#define MAX_DEPTH 512

/* A list of strings, for saved list entries. */
struct strlist {
	char **v;
	size_t n;
};

struct saved {
	char *name;
	struct strlist entries;
};

/* One key found by a path: its node (0 for a key that only the plan
 * creates) and the spelling of each element. */
struct match {
	hive_node_h node;
	char **elems;
	size_t n;
};

struct matches {
	struct match *v;
	size_t n;
};

/* State of planning one remedy. */
struct ctx {
	struct plan *plan;
	struct plan_entry *entry;
	const struct target *t;
	const struct remedy *r;
	const struct control_set *cs;	/* NULL when not a SYSTEM remedy */
	struct saved *saved;
	size_t nsaved;
	struct diag *d;
	int failed;			/* a hive read failed */
	char *why;			/* reason of the last condition */
	int in_not;			/* evaluating the child of a <not>:
					 * phrase the reason for it */
	int needs_folder;
	struct overlay *ov;		/* the plan so far, indexed */
	unsigned missing;		/* HIVE_BIT of each hive the remedy
					 * needs that was not given: its
					 * conditions are undecided (-1) */
};

#define HIVE_BIT(k)	(1u << (unsigned)(k))

/* ------------------------------------------------------------------ */
/* small helpers */

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
strlist_add(struct strlist *l, const char *s)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);

	if (nv == NULL)
		return -1;
	l->v = nv;
	if ((nv[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (names_equal(l->v[i], s))
			return 1;
	return 0;
}

/* Replace the string in *SLOT with a formatted one (NULL on
 * out-of-memory: a missing reason is better than a failed plan). */
static void
set_text(char **slot, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_text(char **slot, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(*slot);
	*slot = s;
}

#define set_why(c, ...)		set_text(&(c)->why, __VA_ARGS__)
#define set_reason(e, ...)	set_text(&(e)->reason, __VA_ARGS__)

static void
entry_note(struct plan_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
entry_note(struct plan_entry *e, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	char **nv;
	size_t i;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	for (i = 0; i < e->nnotes; i++) {
		if (strcmp(e->notes[i], s) == 0) {
			free(s);
			return;
		}
	}
	nv = realloc(e->notes, (e->nnotes + 1) * sizeof *nv);
	if (nv == NULL) {
		free(s);
		return;
	}
	e->notes = nv;
	nv[e->nnotes++] = s;
}

static void
free_elems(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **
dup_elems(char *const *v, size_t n)
{
	char **o = calloc(n ? n : 1, sizeof *o);
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o[i] = strdup(v[i])) == NULL) {
			free_elems(o, i);
			return NULL;
		}
	}
	return o;
}

static void
matches_free(struct matches *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free_elems(m->v[i].elems, m->v[i].n);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static int
matches_add(struct matches *m, hive_node_h node, char *const *elems,
    size_t n)
{
	struct match *nv = realloc(m->v, (m->n + 1) * sizeof *nv);

	if (nv == NULL)
		return -1;
	m->v = nv;
	nv[m->n].node = node;
	nv[m->n].n = n;
	if ((nv[m->n].elems = dup_elems(elems, n)) == NULL)
		return -1;
	m->n++;
	return 0;
}

static int
rvalue_copy(struct rvalue *dst, uint32_t type, const void *data, size_t len)
{
	dst->type = type;
	dst->len = len;
	dst->data = malloc(len ? len : 1);
	if (dst->data == NULL)
		return -1;
	if (len)
		memcpy(dst->data, data, len);
	return 0;
}

char *
plan_key_text(const struct hive *hv, char *const *key, size_t nkey)
{
	const char *root = hive_kind_reg_root(hv ? hv->kind : HIVE_UNKNOWN);
	size_t len, i;
	char *s, *p;

	if (root == NULL)
		root = "HKEY_LOCAL_MACHINE\\UNKNOWN";
	len = strlen(root) + 1;
	for (i = 0; i < nkey; i++)
		len += strlen(key[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	p = stpcpy(s, root);
	for (i = 0; i < nkey; i++) {
		*p++ = '\\';
		p = stpcpy(p, key[i]);
	}
	return s;
}

const char *
plan_status_name(enum entry_status s)
{
	switch (s) {
	case ENTRY_APPLIES:
		return "applies";
	case ENTRY_DONE:
		return "done";
	case ENTRY_NOT_APPLICABLE:
		return "not applicable";
	case ENTRY_MISSING_HIVE:
		return "missing hive";
	case ENTRY_NEEDS_FOLDER:
		return "needs folder";
	case ENTRY_ADVISORY:
		return "advisory";
	case ENTRY_DRAFT:
		return "draft";
	case ENTRY_POSSIBLE:
		return "possible";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* the plan as an overlay on the hive */

#define same_prefix names_prefix

/* Walk every change planned so far, in order, including the entry being
 * built. */
#define FOR_EACH_CHANGE(c, ch, ...)					\
	do {								\
		size_t e_, k_;						\
		for (e_ = 0; e_ < (c)->plan->nentries; e_++) {		\
			struct plan_entry *pe_ = &(c)->plan->entries[e_]; \
			for (k_ = 0; k_ < pe_->nchanges; k_++) {	\
				const struct change *ch = &pe_->changes[k_]; \
				__VA_ARGS__				\
			}						\
		}							\
	} while (0)

/* What the plan says of key ELEMS: -1 deleted, 1 created, 0 nothing
 * (overlay.h: in O(1), so that n changes are planned in O(n)). */
static int
overlay_key(struct ctx *c, const struct hive *hv, char *const *elems,
    size_t n)
{
	int st;

	if (c->ov == NULL && (c->ov = overlay_new(c->plan)) == NULL)
		st = -2;
	else
		st = overlay_key_state(c->ov, hv, elems, n);
	if (st == -2) {
		diag_error(c->d, NULL, 0, "out of memory");
		c->failed = 1;
		return 0;
	}
	return st;
}

/* What the plan says of value NAME of key ELEMS: -1 deleted (or its key),
 * 1 set (*V points at the planned value), 0 nothing. */
static int
overlay_value(struct ctx *c, const struct hive *hv, char *const *elems,
    size_t n, const char *name, const struct rvalue **v)
{
	int st;

	if (c->ov == NULL && (c->ov = overlay_new(c->plan)) == NULL)
		st = -2;
	else
		st = overlay_value_state(c->ov, hv, elems, n, name, v);
	if (st == -2) {
		diag_error(c->d, NULL, 0, "out of memory");
		c->failed = 1;
		return 0;
	}
	return st;
}

/* The current state of a value, hive and plan together.  Returns 1 and
 * fills OUT (type, data copied; name as stored), 0 if absent, -1 on a
 * read error. */
static int
read_value(struct ctx *c, struct hive *hv, const struct match *m,
    const char *name, struct hive_value *out)
{
	const struct rvalue *pv = NULL;
	int st = overlay_value(c, hv, m->elems, m->n, name, &pv);

	memset(out, 0, sizeof *out);
	if (st < 0)
		return 0;
	if (st > 0) {
		if ((out->name = strdup(name)) == NULL)
			return -1;
		/* Keep the spelling the value has in the hive, if any. */
		if (m->node != 0) {
			struct hive_value hvv;
			struct diag quiet;

			diag_init(&quiet);
			if (hive_value_get(hv, m->node, name, &hvv, &quiet) == 1) {
				free(out->name);
				out->name = hvv.name;
				hvv.name = NULL;
				hive_value_clear(&hvv);
			}
			diag_free(&quiet);
		}
		out->type = pv->type;
		out->len = pv->len;
		out->data = malloc(pv->len ? pv->len : 1);
		if (out->data == NULL)
			return -1;
		memcpy(out->data, pv->data, pv->len);
		return 1;
	}
	if (m->node == 0)
		return 0;
	st = hive_value_get(hv, m->node, name, out, c->d);
	if (st < 0)
		c->failed = 1;
	return st;
}

/* ------------------------------------------------------------------ */
/* path expansion */

static struct hive *
find_hive(const struct target *t, enum hive_kind k, size_t from)
{
	size_t i;

	for (i = from; i < t->nhives; i++)
		if (t->hives[i]->kind == k)
			return t->hives[i];
	return NULL;
}

/* Nonzero if the remedy's path means CurrentControlSet. */
static int
is_ccs(const struct rpath *p)
{
	return p->hive == HIVE_SYSTEM && p->nelems > 0 &&
	    names_equal(p->elems[0], "CurrentControlSet");
}

static int
expand_rec(struct ctx *c, struct hive *hv, hive_node_h node,
    const struct rpath *p, size_t i, char **acc, struct matches *out)
{
	const char *want;
	int r = 0;

	if (i == p->nelems) {
		if (overlay_key(c, hv, acc, i) < 0)
			return 0;
		return matches_add(out, node, acc, i);
	}
	if (i >= MAX_DEPTH)
		return 0;
	want = p->elems[i];
	if (i == 0 && is_ccs(p) && c->cs != NULL)
		want = c->cs->name;
	if (!names_is_pattern(want)) {
		hive_node_h kid = node ? hive_child(hv, node, want) : 0;
		char *kn = NULL;

		if (kid != 0) {
			kn = hivex_node_name(hv->h, kid);
			if (kn == NULL) {
				diag_error(c->d, hv->path, 0,
				    "corrupt key name under '%s'", p->text);
				c->failed = 1;
				return -1;
			}
		} else {
			/* Not in the hive: a key the plan creates still
			 * counts. */
			acc[i] = (char *)want;
			if (overlay_key(c, hv, acc, i + 1) <= 0)
				return 0;
			return expand_rec(c, hv, 0, p, i + 1, acc, out);
		}
		acc[i] = kn;
		r = expand_rec(c, hv, kid, p, i + 1, acc, out);
		free(kn);
		return r;
	}
	if (node == 0)
		return 0;
	{
		const struct hive_subkeys *kids;
		struct diag quiet;
		size_t k;

		diag_init(&quiet);
		r = hive_subkeys(hv, node, &kids, &quiet);
		diag_free(&quiet);
		if (r < 0) {
			diag_error(c->d, hv->path, 0,
			    "corrupt subkey list under '%s': %s", p->text,
			    strerror(errno));
			c->failed = 1;
			return -1;
		}
		for (k = 0; k < kids->n && r == 0; k++) {
			if (names_match(want, kids->names[k])) {
				acc[i] = kids->names[k];
				r = expand_rec(c, hv, kids->nodes[k], p, i + 1, acc,
				    out);
			}
		}
		if (r == 0 && kids->bad_name) {
			diag_error(c->d, hv->path, 0,
			    "corrupt key name under '%s'", p->text);
			c->failed = 1;
			r = -1;
		}
	}
	return r;
}

/* Every existing key of HV that P names (planned creations included,
 * planned deletions excluded), in hive order.  -1 on a read error. */
static int
expand(struct ctx *c, struct hive *hv, const struct rpath *p,
    struct matches *out)
{
	char **acc;
	int r;

	memset(out, 0, sizeof *out);
	if (p->nelems > MAX_DEPTH)
		return 0;
	acc = calloc(p->nelems + 1, sizeof *acc);
	if (acc == NULL)
		return -1;
	r = expand_rec(c, hv, hv->root, p, 0, acc, out);
	free(acc);
	if (r < 0)
		matches_free(out);
	return r;
}

/* The hives of the target that hold paths of kind K: SYSTEM has one, a
 * machine may have several users' NTUSER.DAT. */
#define FOR_EACH_HIVE(c, k, hv, ...)					\
	do {								\
		size_t i_;						\
		for (i_ = 0; i_ < (c)->t->nhives; i_++) {		\
			struct hive *hv = (c)->t->hives[i_];		\
			if (hv->kind != (k))				\
				continue;				\
			__VA_ARGS__					\
		}							\
	} while (0)

/* ------------------------------------------------------------------ */
/* conditions: 1 holds, 0 does not, -1 unknown here (needs the Windows
 * folder), -2 error */

static int eval(struct ctx *c, const struct cond *k);

static char *
shown_path(struct ctx *c, struct hive *hv, const struct rpath *p)
{
	/* The path as the user will find it: CurrentControlSet mapped. */
	char **e;
	char *s;
	size_t i;

	if (hv == NULL)
		return xstrdup(p->text);
	e = calloc(p->nelems + 1, sizeof *e);
	if (e == NULL)
		return NULL;
	for (i = 0; i < p->nelems; i++)
		e[i] = p->elems[i];
	if (is_ccs(p) && c->cs)
		e[0] = (char *)c->cs->name;
	s = plan_key_text(hv, e, p->nelems);
	free(e);
	return s;
}

static int
eval_key_exists(struct ctx *c, const struct cond *k)
{
	size_t total = 0;
	int any_hive = 0;
	char *shown = NULL;

	FOR_EACH_HIVE(c, k->path.hive, hv, {
		struct matches m;

		any_hive = 1;
		if (expand(c, hv, &k->path, &m) < 0)
			return -2;
		total += m.n;
		matches_free(&m);
		if (shown == NULL)
			shown = shown_path(c, hv, &k->path);
	});
	if (!any_hive) {
		set_why(c, "no %s hive to look in for '%s'",
		    hive_kind_name(k->path.hive), k->path.text);
		return 0;
	}
	if (names_is_pattern(k->path.text) && total == 0)
		set_why(c, "no key matches '%s'", shown ? shown : k->path.text);
	else if (names_is_pattern(k->path.text))
		set_why(c, "%zu key%s match%s '%s'", total,
		    total == 1 ? "" : "s", total == 1 ? "es" : "",
		    shown ? shown : k->path.text);
	else
		set_why(c, "'%s' %s", shown ? shown : k->path.text,
		    total ? "exists" : "does not exist");
	free(shown);
	return total > 0;
}

/* What key M of HV holds, the plan's changes included: *NVALS values and
 * *NKEYS subkeys.  -1 on a read error. */
static int
key_contents(struct ctx *c, struct hive *hv, const struct match *m,
    size_t *nvals, size_t *nkeys)
{
	*nvals = *nkeys = 0;
	if (m->node != 0) {
		const struct hive_subkeys *kids;
		struct hive_value *vals;
		size_t nv, i;
		char **sub;

		if (hive_values(hv, m->node, &vals, &nv, c->d) < 0)
			return -1;
		for (i = 0; i < nv; i++) {
			const struct rvalue *pv = NULL;

			if (overlay_value(c, hv, m->elems, m->n, vals[i].name,
			    &pv) >= 0)
				(*nvals)++;
		}
		hive_values_free(vals, nv);
		if (hive_subkeys(hv, m->node, &kids, c->d) < 0)
			return -1;
		sub = calloc(m->n + 1, sizeof *sub);
		if (sub == NULL)
			return -1;
		memcpy(sub, m->elems, m->n * sizeof *sub);
		for (i = 0; i < kids->n; i++) {
			sub[m->n] = kids->names[i];
			if (overlay_key(c, hv, sub, m->n + 1) >= 0)
				(*nkeys)++;
		}
		free(sub);
	}
	/* Values the plan sets in it and keys it creates below it. */
	FOR_EACH_CHANGE(c, ch, {
		if (ch->hive != hv || !same_prefix(m->elems, m->n, ch->key,
		    ch->nkey))
			continue;
		if (ch->kind == CHANGE_SET_VALUE && ch->nkey == m->n &&
		    !ch->had_old)
			(*nvals)++;
		else if (ch->kind == CHANGE_CREATE_KEY &&
		    ch->nkey == m->n + 1)
			(*nkeys)++;
	});
	return 0;
}

static int
eval_key_empty(struct ctx *c, const struct cond *k)
{
	size_t total = 0, empty = 0, nvals = 0, nkeys = 0;
	int any_hive = 0;
	char *shown = NULL;

	FOR_EACH_HIVE(c, k->path.hive, hv, {
		struct matches m;
		size_t j, v, s;

		any_hive = 1;
		if (expand(c, hv, &k->path, &m) < 0)
			goto fail;
		for (j = 0; j < m.n; j++) {
			if (key_contents(c, hv, &m.v[j], &v, &s) < 0) {
				matches_free(&m);
				c->failed = 1;
				goto fail;
			}
			if (v == 0 && s == 0)
				empty++;
			else if (total == empty) {
				nvals = v;
				nkeys = s;
			}
			total++;
		}
		matches_free(&m);
		if (shown == NULL)
			shown = shown_path(c, hv, &k->path);
	});
	if (!any_hive)
		set_why(c, "no %s hive to look in for '%s'",
		    hive_kind_name(k->path.hive), k->path.text);
	else if (names_is_pattern(k->path.text))
		set_why(c, "%zu of the %zu keys matching '%s' %s empty", empty,
		    total, shown ? shown : k->path.text,
		    empty == 1 ? "is" : "are");
	else if (total == 0)
		set_why(c, "'%s' does not exist", shown ? shown : k->path.text);
	else if (empty)
		set_why(c, "'%s' exists and is empty", shown ? shown :
		    k->path.text);
	else
		set_why(c, "'%s' holds %zu value%s and %zu subkey%s", shown ?
		    shown : k->path.text, nvals, nvals == 1 ? "" : "s", nkeys,
		    nkeys == 1 ? "" : "s");
	free(shown);
	return empty > 0;
fail:
	free(shown);
	return -2;
}

/* The strings of a REG_MULTI_SZ joined by '\n', up to the empty string
 * that ends the list (or the data's end); NULL if not valid UTF-16. */
static char *
multi_sz_text(const struct hive_value *v)
{
	size_t i = 0, j, n = v->len / 2, len = 0;
	char *out = strdup(""), *part, *grown;

	while (out != NULL && i < n) {
		struct hive_value one = { NULL, REG_SZ, NULL, 0 };

		for (j = i; j < n && (v->data[2 * j] | v->data[2 * j + 1]); j++)
			;
		if (j == i)
			break;
		one.data = v->data + 2 * i;
		one.len = (j - i) * 2;
		part = hive_value_text(&one);
		grown = part ? realloc(out, len + strlen(part) + 2) : NULL;
		if (grown == NULL) {
			free(part);
			free(out);
			return NULL;
		}
		out = grown;
		if (len)
			out[len++] = '\n';
		strcpy(out + len, part);
		len += strlen(part);
		free(part);
		i = j + 1;
	}
	return out;
}

/* Text of a value for comparisons: strings decoded, the strings of a
 * multi-sz one per line, DWORDs and QWORDs in decimal. */
static char *
value_text(const struct hive_value *v)
{
	char *s = hive_value_text(v);
	unsigned long long x = 0;
	size_t i;

	if (s != NULL)
		return s;
	if (v->type == REG_MULTI_SZ)
		return multi_sz_text(v);
	if ((v->type == REG_DWORD && v->len == 4) ||
	    (v->type == REG_QWORD && v->len == 8)) {
		for (i = v->len; i > 0; i--)
			x = x << 8 | v->data[i - 1];
		if (asprintf(&s, "%llu", x) < 0)
			s = NULL;
	}
	return s;
}

static int
is_string_type(uint32_t t)
{
	return t == REG_SZ || t == REG_EXPAND_SZ || t == REG_LINK ||
	    t == REG_MULTI_SZ;
}

/* Strings compare as text up to their first NUL (regedit and the Windows
 * API ignore what follows), against the data as the remedy wrote it; a
 * multi-sz as its strings one per line.  Other types compare type and
 * bytes. */
static int
value_equal(const struct hive_value *v, const struct cond *k)
{
	const struct rvalue *want = &k->value;

	if (want->type == 0xFFFFFFFFu || (is_string_type(v->type) &&
	    want->type == v->type)) {
		char *a;
		int eq;

		if (!is_string_type(v->type) || k->text == NULL)
			return 0;
		a = value_text(v);
		eq = a != NULL && strcmp(a, k->text) == 0;
		free(a);
		return eq;
	}
	return v->type == want->type && v->len == want->len &&
	    (v->len == 0 || memcmp(v->data, want->data, v->len) == 0);
}

/* A glob against a value's text; a multi-sz matches when one of its
 * strings does. */
static int
value_matches(const struct hive_value *v, const char *pattern)
{
	char *t = value_text(v), *line, *save = NULL;
	int hit = 0;

	if (t == NULL)
		return 0;
	if (v->type != REG_MULTI_SZ)
		hit = names_match(pattern, t);
	else
		for (line = strtok_r(t, "\n", &save); line && !hit;
		    line = strtok_r(NULL, "\n", &save))
			hit = names_match(pattern, line);
	free(t);
	return hit;
}

/* TEXT as the reasons show data: "blank" for the empty string (the
 * articles' word), else quoted.  Caller frees. */
static char *
shown_data(const char *text)
{
	char *s = NULL;

	if (*text == '\0')
		return strdup("blank");
	if (asprintf(&s, "\"%s\"", text) < 0)
		return NULL;
	return s;
}

/* A type as remedies write it (type="multi-sz"), for reasons. */
static const char *
type_word(uint32_t t, char buf[16])
{
	static const char *const names[] = { "none", "sz", "expand-sz",
	    "binary", "dword", "dword-be", "link", "multi-sz" };

	if (t < sizeof names / sizeof names[0])
		return names[t];
	if (t == REG_QWORD)
		return "qword";
	snprintf(buf, 16, "0x%x", (unsigned)t);
	return buf;
}

/* The reason of a value condition that never saw the value: no hive, no
 * key, or no such value.  Returns 1 when it set one. */
static int
why_unreached(struct ctx *c, const struct cond *k, int any_hive, int any_key,
    int found, const char *shown)
{
	if (!any_hive)
		set_why(c, "no %s hive to look in for '%s'",
		    hive_kind_name(k->path.hive), k->path.text);
	else if (!any_key)
		set_why(c, "'%s' does not exist", shown ? shown : k->path.text);
	else if (!found)
		set_why(c, "'%s' has no value '%s'",
		    shown ? shown : k->path.text, k->name);
	else
		return 0;
	return 1;
}

static int
eval_value(struct ctx *c, const struct cond *k)
{
	int any_hive = 0, any_key = 0, found = 0, holds = 0;
	char *shown = NULL, *seen = NULL, tb1[16], tb2[16];
	uint32_t seen_type = 0;

	FOR_EACH_HIVE(c, k->path.hive, hv, {
		struct matches m;
		size_t j;

		any_hive = 1;
		if (expand(c, hv, &k->path, &m) < 0)
			return -2;
		if (m.n)
			any_key = 1;
		if (shown == NULL)
			shown = shown_path(c, hv, &k->path);
		for (j = 0; j < m.n && !holds; j++) {
			struct hive_value v;
			int r = read_value(c, hv, &m.v[j], k->name, &v);

			if (r < 0) {
				matches_free(&m);
				free(shown);
				free(seen);
				return -2;
			}
			if (r == 0)
				continue;
			found = 1;
			if (k->kind == COND_VALUE_EXISTS)
				holds = 1;
			else if (k->kind == COND_VALUE_EQUALS)
				holds = value_equal(&v, k);
			else
				holds = value_matches(&v, k->pattern);
			if (seen == NULL || holds) {
				free(seen);
				seen = value_text(&v);
				seen_type = v.type;
			}
			hive_value_clear(&v);
		}
		matches_free(&m);
	});
	/* Each reason is a plain statement of fact, so that it reads right
	 * under <not> too: 'DriveLetter' of '...' is "M", not "". */
	if (why_unreached(c, k, any_hive, any_key, found, shown))
		;
	else if (k->kind == COND_VALUE_EXISTS)
		set_why(c, "'%s' has a value '%s'",
		    shown ? shown : k->path.text, k->name);
	else if (k->kind == COND_VALUE_EQUALS && !holds &&
	    k->value.type != 0xFFFFFFFFu && seen_type != k->value.type)
		set_why(c, "'%s' of '%s' is of type %s, not %s", k->name,
		    shown ? shown : k->path.text, type_word(seen_type, tb1),
		    type_word(k->value.type, tb2));
	else if (seen && k->kind == COND_VALUE_MATCHES)
		set_why(c, "'%s' of '%s' is \"%s\", which %s '%s'", k->name,
		    shown ? shown : k->path.text, seen,
		    holds ? "matches" : "does not match", k->pattern);
	else if (k->kind == COND_VALUE_EQUALS && k->text != NULL &&
	    (seen != NULL || holds)) {
		/* Data as the articles speak of it: "blank" for the empty
		 * string, else quoted; under <not> (the usual "not done
		 * yet" guard) the reason says what the remedy wants. */
		char *sd = seen ? shown_data(seen) : NULL;
		char *wd = shown_data(k->text);
		const char *where = shown ? shown : k->path.text;

		if (holds && c->in_not)
			set_why(c, "'%s' of '%s' is already %s", k->name, where,
			    wd ? wd : "as the remedy wants");
		else if (holds)
			set_why(c, "'%s' of '%s' is %s", k->name, where,
			    wd ? wd : "the data looked for");
		else if (c->in_not)
			set_why(c, "'%s' of '%s' is %s; the remedy wants it %s",
			    k->name, where, sd ? sd : "not text",
			    wd ? wd : "changed");
		else
			set_why(c, "'%s' of '%s' is %s, not %s", k->name, where,
			    sd ? sd : "not text", wd ? wd : "the data looked for");
		free(sd);
		free(wd);
	}
	else if (seen)
		set_why(c, "'%s' of '%s' is \"%s\"%s", k->name,
		    shown ? shown : k->path.text, seen, holds ? "" :
		    ", of another type than the one looked for");
	else
		set_why(c, "'%s' of '%s' %s", k->name,
		    shown ? shown : k->path.text, k->kind == COND_VALUE_MATCHES ?
		    (holds ? "matches" : "does not match") :
		    (holds ? "holds the data looked for" :
		    "does not hold the data looked for"));
	free(shown);
	free(seen);
	return holds;
}

static int local_drives(struct ctx *c, int drives[26]);
static int is_network_entry(const char *e, const int drives[26],
    int have_drives);
static int split_list(const char *text, const char *sep,
    struct strlist *out);
static char *join_list(const struct strlist *l, const char *sep);

/* MountedDevices once per remedy: -1 not read yet, 0 absent, 1 read.  The
 * note is what the article's test needs when it is missing. */
static int
network_drives(struct ctx *c, int drives[26])
{
	int have = local_drives(c, drives) == 0;

	if (!have)
		entry_note(c->entry, "SYSTEM\\MountedDevices is absent: only "
		    "UNC entries are treated as network entries");
	return have;
}

/* The text of a list value and, in *SEP, what separates its entries: a
 * string value's text with the remedy's separator, or a multi-sz's
 * strings, one per line.  NULL if V holds no text. */
static char *
list_text(const struct hive_value *v, const char **sep)
{
	if (v->type != REG_MULTI_SZ)
		return hive_value_text(v);
	*sep = "\n";
	return multi_sz_text(v);
}

static int
eval_list(struct ctx *c, const struct cond *k)
{
	const char *sep0 = k->separator ? k->separator : ";", *sep = sep0;
	int any_hive = 0, any_key = 0, found = 0, have_drives = -1, r;
	int drives[26];
	struct strlist hits = { NULL, 0 };
	char *shown = NULL, *list = NULL;

	FOR_EACH_HIVE(c, k->path.hive, hv, {
		struct matches m;
		size_t j, e;

		any_hive = 1;
		if (expand(c, hv, &k->path, &m) < 0)
			goto fail;
		if (m.n)
			any_key = 1;
		if (shown == NULL)
			shown = shown_path(c, hv, &k->path);
		for (j = 0; j < m.n; j++) {
			struct hive_value v;
			struct strlist items;
			char *t;

			r = read_value(c, hv, &m.v[j], k->name, &v);

			sep = sep0;
			if (r < 0) {
				matches_free(&m);
				goto fail;
			}
			if (r == 0)
				continue;
			found = 1;
			t = list_text(&v, &sep);
			hive_value_clear(&v);
			if (t == NULL)
				continue;
			if (split_list(t, sep, &items) < 0) {
				free(t);
				matches_free(&m);
				goto oom;
			}
			free(t);
			if (k->match == MATCH_NETWORK && have_drives == -1)
				have_drives = network_drives(c, drives);
			for (e = 0; e < items.n; e++) {
				int hit = k->match == MATCH_NETWORK ?
				    is_network_entry(items.v[e], drives,
				    have_drives) : names_match(k->pattern,
				    items.v[e]);

				if (hit && !strlist_has(&hits, items.v[e]) &&
				    strlist_add(&hits, items.v[e]) < 0) {
					strlist_free(&items);
					matches_free(&m);
					goto oom;
				}
			}
			strlist_free(&items);
		}
		matches_free(&m);
	});
	if (why_unreached(c, k, any_hive, any_key, found, shown))
		;
	else if (hits.n > 0) {
		list = join_list(&hits, "', '");
		if (k->match == MATCH_NETWORK)
			set_why(c, "'%s' of '%s' holds %s network entr%s: '%s'",
			    k->name, shown ? shown : k->path.text,
			    hits.n == 1 ? "a" : "these", hits.n == 1 ? "y" :
			    "ies", list ? list : "?");
		else
			set_why(c, "'%s' of '%s' holds %s matching '%s': "
			    "'%s'", k->name, shown ? shown : k->path.text,
			    hits.n == 1 ? "an entry" : "entries", k->pattern,
			    list ? list : "?");
	} else if (k->match == MATCH_NETWORK)
		set_why(c, "'%s' of '%s' holds no network entry (%s)", k->name,
		    shown ? shown : k->path.text, have_drives == 0 ?
		    "no UNC path; without MountedDevices, drive letters count "
		    "as local" : "no UNC path, no drive letter that "
		    "MountedDevices does not list");
	else
		set_why(c, "'%s' of '%s' holds no entry matching '%s'",
		    k->name, shown ? shown : k->path.text, k->pattern);
	r = found && hits.n > 0;
	free(list);
	free(shown);
	strlist_free(&hits);
	return r;
oom:
	diag_error(c->d, c->r->file, k->line, "out of memory");
	c->failed = 1;
fail:
	free(shown);
	strlist_free(&hits);
	return -2;
}

static int
eval_file(struct ctx *c, const struct cond *k)
{
	char *path = NULL;
	int exists = 0;

	if (c->t->windir == NULL) {
		c->needs_folder = 1;
		set_why(c, "whether '%s' exists can only be seen in the "
		    "Windows folder, and only hives were given", k->file);
		return -1;
	}
	if (winpath_resolve(c->t->windir, k->file, &path, &exists, c->d) < 0)
		return -2;
	set_why(c, "'%s' %s", path, exists ? "exists" : "does not exist");
	free(path);
	return exists;
}

static int
eval_arch(struct ctx *c, const struct cond *k)
{
	struct hive *hv = find_hive(c->t, HIVE_SYSTEM, 0);
	char *elems[] = { "CurrentControlSet", "Control", "Session Manager",
	    "Environment" };
	struct rpath p = { HIVE_SYSTEM, elems, 4, NULL };
	struct matches m;
	struct hive_value v;
	char *arch = NULL, *q;
	int r, holds;

	if (hv == NULL) {
		set_why(c, "the architecture needs the SYSTEM hive");
		return 0;
	}
	p.text = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment";
	if (expand(c, hv, &p, &m) < 0)
		return -2;
	r = m.n ? read_value(c, hv, &m.v[0], "PROCESSOR_ARCHITECTURE", &v) : 0;
	matches_free(&m);
	if (r < 0)
		return -2;
	if (r == 0) {
		set_why(c, "PROCESSOR_ARCHITECTURE is not set");
		return 0;
	}
	arch = hive_value_text(&v);
	hive_value_clear(&v);
	if (arch == NULL) {
		set_why(c, "PROCESSOR_ARCHITECTURE is not a string");
		return 0;
	}
	for (q = arch; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	holds = strcmp(arch, k->arch) == 0;
	set_why(c, "PROCESSOR_ARCHITECTURE is '%s'%s%s%s", arch,
	    holds ? "" : ", not '", holds ? "" : k->arch, holds ? "" : "'");
	free(arch);
	return holds;
}

/* A condition on a hive the remedy needs and that was not given is
 * neither true nor false: it is undecided, and says nothing (the reason
 * of the remedy names the hive).  Nonzero for such a condition. */
static int
on_missing_hive(struct ctx *c, const struct cond *k)
{
	enum hive_kind h;

	switch (k->kind) {
	case COND_ALL:
	case COND_ANY:
	case COND_NOT:
	case COND_FILE_EXISTS:
		return 0;
	case COND_ARCHITECTURE:
		h = HIVE_SYSTEM;
		break;
	default:
		h = k->path.hive;
		break;
	}
	if (!(c->missing & HIVE_BIT(h)))
		return 0;
	free(c->why);
	c->why = NULL;
	return 1;
}

/* Nonzero if WHY is already one of the "; "-separated parts of ACC: the
 * children of a group often say the same thing (three patterns of one
 * ImagePath that is not there), which the reason says once. */
static int
reason_has(const char *acc, const char *why)
{
	size_t n = strlen(why);
	const char *p;

	for (p = acc; p != NULL; p = strstr(p, "; ")) {
		if (p != acc)
			p += 2;
		if (strncmp(p, why, n) == 0 && (p[n] == '\0' ||
		    strncmp(p + n, "; ", 2) == 0))
			return 1;
	}
	return 0;
}

static int
eval(struct ctx *c, const struct cond *k)
{
	size_t i;
	int r, unknown = 0;
	char *acc;

	if (on_missing_hive(c, k))
		return -1;
	switch (k->kind) {
	case COND_ALL:
	case COND_ANY:
		/* The reason of an <all> that holds (or an <any> that does
		 * not) is every child's reason, joined; otherwise it is the
		 * reason of the child that decided. */
		acc = NULL;
		for (i = 0; i < k->nchildren; i++) {
			r = eval(c, &k->children[i]);
			if (r == -2 || r == (k->kind == COND_ALL ? 0 : 1)) {
				free(acc);
				return r;
			}
			if (r == -1)
				unknown = 1;
			if (c->why != NULL && (acc == NULL ||
			    !reason_has(acc, c->why))) {
				char *j = NULL;

				if (asprintf(&j, "%s%s%s", acc ? acc : "",
				    acc ? "; " : "", c->why) < 0)
					j = NULL;
				free(acc);
				acc = j;
			}
		}
		if (acc != NULL) {
			free(c->why);
			c->why = acc;
		}
		if (unknown)
			return -1;
		return k->kind == COND_ALL;
	case COND_NOT:
		/* The child's reason is a statement of fact that explains
		 * the negation as well. */
		if (k->nchildren == 0)
			return 1;
		/* A leaf condition states the fact it found, which explains
		 * its negation as well; only a group needs "not:". */
		if (k->children[0].nchildren == 0 &&
		    k->children[0].kind != COND_ALL &&
		    k->children[0].kind != COND_ANY &&
		    k->children[0].kind != COND_NOT) {
			int saved = c->in_not;

			c->in_not = 1;
			r = eval(c, &k->children[0]);
			c->in_not = saved;
			return r == 0 || r == 1 ? !r : r;
		}
		r = eval(c, &k->children[0]);
		if (r == 0 || r == 1)
			return !r;
		return r;
	case COND_KEY_EXISTS:
		return eval_key_exists(c, k);
	case COND_KEY_EMPTY:
		return eval_key_empty(c, k);
	case COND_VALUE_EXISTS:
	case COND_VALUE_EQUALS:
	case COND_VALUE_MATCHES:
		return eval_value(c, k);
	case COND_LIST_CONTAINS:
		return eval_list(c, k);
	case COND_FILE_EXISTS:
		return eval_file(c, k);
	case COND_ARCHITECTURE:
		return eval_arch(c, k);
	}
	return -2;
}

/* ------------------------------------------------------------------ */
/* actions */

static struct change *
new_change(struct ctx *c, enum change_kind kind, struct hive *hv,
    char *const *key, size_t nkey, long line)
{
	struct plan_entry *e = c->entry;
	struct change *nv, *ch;

	nv = realloc(e->changes, (e->nchanges + 1) * sizeof *nv);
	if (nv == NULL)
		return NULL;
	e->changes = nv;
	ch = &nv[e->nchanges];
	memset(ch, 0, sizeof *ch);
	ch->kind = kind;
	ch->hive = hv;
	ch->line = line;
	if (key != NULL) {
		if ((ch->key = dup_elems(key, nkey)) == NULL)
			return NULL;
		ch->nkey = nkey;
	}
	e->nchanges++;
	return ch;
}

/* Make sure the key of M exists, planning CREATE_KEY for each missing
 * level.  M->elems are spelled as the hive has them where it has them. */
static int
ensure_key(struct ctx *c, struct hive *hv, char *const *elems, size_t n,
    long line)
{
	hive_node_h node = hv->root;
	size_t i;

	for (i = 0; i < n; i++) {
		hive_node_h kid = node ? hive_child(hv, node, elems[i]) : 0;
		int ov = overlay_key(c, hv, elems, i + 1);

		if (kid != 0 && ov >= 0) {
			node = kid;
			continue;
		}
		node = 0;
		if (ov > 0)
			continue;
		if (new_change(c, CHANGE_CREATE_KEY, hv, elems, i + 1,
		    line) == NULL)
			return -1;
	}
	return 0;
}

/* Elements of path P with CurrentControlSet mapped, for keys to create. */
static char **
mapped_elems(struct ctx *c, const struct rpath *p)
{
	char **e = dup_elems(p->elems, p->nelems);

	if (e != NULL && is_ccs(p) && c->cs != NULL) {
		free(e[0]);
		e[0] = strdup(c->cs->name);
		if (e[0] == NULL) {
			free_elems(e, p->nelems);
			return NULL;
		}
	}
	return e;
}

/* Plan setting value NAME of the key of M to (TYPE, DATA, LEN), unless it
 * already holds exactly that.  The value keeps the spelling of its name. */
static int
plan_set(struct ctx *c, struct hive *hv, const struct match *m,
    const char *name, uint32_t type, const unsigned char *data, size_t len,
    long line)
{
	struct hive_value cur;
	struct change *ch;
	int r = read_value(c, hv, m, name, &cur);

	if (r < 0)
		return -1;
	if (r == 1 && cur.type == type && cur.len == len &&
	    (len == 0 || memcmp(cur.data, data, len) == 0)) {
		hive_value_clear(&cur);
		return 0;
	}
	ch = new_change(c, CHANGE_SET_VALUE, hv, m->elems, m->n, line);
	if (ch == NULL)
		goto oom;
	ch->node = m->node;
	ch->name = strdup(r == 1 ? cur.name : name);
	if (ch->name == NULL)
		goto oom;
	if (r == 1) {
		ch->had_old = 1;
		if (rvalue_copy(&ch->old, cur.type, cur.data, cur.len) < 0)
			goto oom;
	}
	if (rvalue_copy(&ch->new, type, data, len) < 0)
		goto oom;
	hive_value_clear(&cur);
	return 0;
oom:
	hive_value_clear(&cur);
	return -1;
}

static int
act_delete_key(struct ctx *c, const struct action *a)
{
	FOR_EACH_HIVE(c, a->path.hive, hv, {
		struct matches m;
		size_t j;

		if (expand(c, hv, &a->path, &m) < 0)
			return -1;
		for (j = 0; j < m.n; j++) {
			struct change *ch;

			if (m.v[j].node == 0 || m.v[j].n == 0)
				continue;
			ch = new_change(c, CHANGE_DELETE_KEY, hv, m.v[j].elems,
			    m.v[j].n, a->line);
			if (ch == NULL) {
				matches_free(&m);
				return -1;
			}
			ch->node = m.v[j].node;
		}
		matches_free(&m);
	});
	return 0;
}

static int
act_delete_value(struct ctx *c, const struct action *a)
{
	FOR_EACH_HIVE(c, a->path.hive, hv, {
		struct matches m;
		size_t j;

		if (expand(c, hv, &a->path, &m) < 0)
			return -1;
		for (j = 0; j < m.n; j++) {
			struct hive_value cur;
			struct change *ch;
			int r = read_value(c, hv, &m.v[j], a->name, &cur);

			if (r < 0) {
				matches_free(&m);
				return -1;
			}
			if (r == 0)
				continue;
			ch = new_change(c, CHANGE_DELETE_VALUE, hv,
			    m.v[j].elems, m.v[j].n, a->line);
			if (ch == NULL || (ch->name = strdup(cur.name)) ==
			    NULL || rvalue_copy(&ch->old, cur.type, cur.data,
			    cur.len) < 0) {
				hive_value_clear(&cur);
				matches_free(&m);
				return -1;
			}
			ch->node = m.v[j].node;
			ch->had_old = 1;
			hive_value_clear(&cur);
		}
		matches_free(&m);
	});
	return 0;
}

static int
act_create_key(struct ctx *c, const struct action *a)
{
	char **e = mapped_elems(c, &a->path);
	int r = 0;

	if (e == NULL)
		return -1;
	FOR_EACH_HIVE(c, a->path.hive, hv, {
		if (ensure_key(c, hv, e, a->path.nelems, a->line) < 0)
			r = -1;
	});
	free_elems(e, a->path.nelems);
	return r;
}

static int
act_set_value(struct ctx *c, const struct action *a)
{
	FOR_EACH_HIVE(c, a->path.hive, hv, {
		struct matches m;
		size_t j;

		if (expand(c, hv, &a->path, &m) < 0)
			return -1;
		if (m.n == 0 && a->create &&
		    !names_is_pattern(a->path.text)) {
			char **e = mapped_elems(c, &a->path);
			struct match one = { 0, e, a->path.nelems };

			if (e == NULL || ensure_key(c, hv, e, one.n,
			    a->line) < 0 || plan_set(c, hv, &one, a->name,
			    a->value.type, a->value.data, a->value.len,
			    a->line) < 0) {
				if (e)
					free_elems(e, one.n);
				return -1;
			}
			free_elems(e, one.n);
		}
		for (j = 0; j < m.n; j++) {
			if (!a->create) {
				struct hive_value cur;
				int r = read_value(c, hv, &m.v[j], a->name,
				    &cur);

				if (r < 0) {
					matches_free(&m);
					return -1;
				}
				hive_value_clear(&cur);
				if (r == 0)
					continue;
			}
			if (plan_set(c, hv, &m.v[j], a->name, a->value.type,
			    a->value.data, a->value.len, a->line) < 0) {
				matches_free(&m);
				return -1;
			}
		}
		matches_free(&m);
	});
	return 0;
}

static struct saved *
saved_get(struct ctx *c, const char *name, int create)
{
	struct saved *nv;
	size_t i;

	for (i = 0; i < c->nsaved; i++)
		if (strcmp(c->saved[i].name, name) == 0)
			return &c->saved[i];
	if (!create)
		return NULL;
	nv = realloc(c->saved, (c->nsaved + 1) * sizeof *nv);
	if (nv == NULL)
		return NULL;
	c->saved = nv;
	memset(&nv[c->nsaved], 0, sizeof nv[c->nsaved]);
	if ((nv[c->nsaved].name = strdup(name)) == NULL)
		return NULL;
	return &nv[c->nsaved++];
}

/* The drive letters SYSTEM\MountedDevices lists as local volumes
 * ("\DosDevices\C:"), as a 26-entry table; -1 when there is no
 * MountedDevices key, which the caller reports. */
static int
local_drives(struct ctx *c, int drives[26])
{
	struct hive *hv = find_hive(c->t, HIVE_SYSTEM, 0);
	hive_node_h md;
	hive_value_h *vals;
	size_t i;

	memset(drives, 0, 26 * sizeof *drives);
	if (hv == NULL)
		return -1;
	md = hive_child(hv, hv->root, "MountedDevices");
	if (md == 0 || overlay_key(c, hv, (char *[]){ "MountedDevices" },
	    1) < 0)
		return -1;
	vals = hivex_node_values(hv->h, md);
	if (vals == NULL)
		return -1;
	for (i = 0; vals[i] != 0; i++) {
		char *k = hivex_value_key(hv->h, vals[i]);

		if (k != NULL && strlen(k) == 14 &&
		    strncasecmp(k, "\\DosDevices\\", 12) == 0 &&
		    isalpha((unsigned char)k[12]) && k[13] == ':')
			drives[toupper((unsigned char)k[12]) - 'A'] = 1;
		free(k);
	}
	free(vals);
	return 0;
}

/* A PATH entry that reaches the network: a UNC path, or a drive letter
 * that is not a local volume. */
static int
is_network_entry(const char *e, const int drives[26], int have_drives)
{
	while (*e == ' ' || *e == '"')
		e++;
	if (e[0] == '\\' && e[1] == '\\')
		return 1;
	if (have_drives && isalpha((unsigned char)e[0]) && e[1] == ':')
		return !drives[toupper((unsigned char)e[0]) - 'A'];
	return 0;
}

static int
split_list(const char *text, const char *sep, struct strlist *out)
{
	size_t sl = strlen(sep);
	const char *p = text, *q;

	memset(out, 0, sizeof *out);
	if (*text == '\0')
		return 0;
	for (;;) {
		char *piece;

		q = sl ? strstr(p, sep) : NULL;
		piece = q ? strndup(p, (size_t)(q - p)) : strdup(p);
		if (piece == NULL)
			return -1;
		if (strlist_add(out, piece) < 0) {
			free(piece);
			return -1;
		}
		free(piece);
		if (q == NULL)
			break;
		p = q + sl;
	}
	return 0;
}

static char *
join_list(const struct strlist *l, const char *sep)
{
	size_t len = 1, i;
	char *s, *p;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + strlen(sep);
	s = malloc(len);
	if (s == NULL)
		return NULL;
	p = s;
	*p = '\0';
	for (i = 0; i < l->n; i++) {
		if (i)
			p = stpcpy(p, sep);
		p = stpcpy(p, l->v[i]);
	}
	return s;
}

/* Nonzero if the multi-sz V is stored exactly as its strings TEXT (one
 * per line) are written back: each string with its NUL, and one NUL
 * after the last.  One stored otherwise (no final NUL, an empty string
 * inside, bytes after the end) would lose bytes if rewritten: it is left
 * as it is. */
static int
multi_sz_canonical(const struct hive_value *v, const char *text)
{
	struct rvalue w;
	const char *err;
	int same;

	if (rvalue_encode(REG_MULTI_SZ, text, &w, &err) < 0)
		return 0;
	same = w.len == v->len && memcmp(w.data, v->data, v->len) == 0;
	free(w.data);
	return same;
}

static int
edit_one(struct ctx *c, const struct action *a, struct hive *hv,
    const struct match *m, int creating)
{
	const char *sep = a->separator ? a->separator : ";";
	struct hive_value cur;
	struct strlist items = { NULL, 0 };
	char *text = NULL, *joined = NULL;
	uint32_t type;
	int drives[26], have_drives = -1, r, rc = -1;
	size_t i, j, n0;

	r = creating ? 0 : read_value(c, hv, m, a->name, &cur);
	if (r < 0)
		return -1;
	if (r == 0) {
		memset(&cur, 0, sizeof cur);
		if (!a->create)
			return 0;
		type = a->create_type ? a->create_type : REG_EXPAND_SZ;
		text = strdup("");
	} else {
		type = cur.type;
		text = list_text(&cur, &sep);
		if (text != NULL && type == REG_MULTI_SZ &&
		    !multi_sz_canonical(&cur, text)) {
			free(text);
			text = NULL;
		}
		if (text == NULL) {
			char *k = plan_key_text(hv, m->elems, m->n);

			entry_note(c->entry, "'%s' value '%s' is not a valid "
			    "string: left as it is", k ? k : "?", cur.name);
			free(k);
			hive_value_clear(&cur);
			return 0;
		}
	}
	if (text == NULL || split_list(text, sep, &items) < 0)
		goto out;
	for (j = 0; j < a->nops; j++) {
		const struct list_op *op = &a->ops[j];
		struct saved *sv = NULL;

		if (op->kind == LIST_REMOVE) {
			if (op->save && (sv = saved_get(c, op->save, 1)) ==
			    NULL)
				goto out;
			if (op->match == MATCH_NETWORK && have_drives == -1)
				have_drives = network_drives(c, drives);
			for (i = 0; i < items.n;) {
				int hit = op->match == MATCH_NETWORK ?
				    is_network_entry(items.v[i], drives,
				    have_drives) :
				    names_match(op->pattern, items.v[i]);

				if (!hit) {
					i++;
					continue;
				}
				if (sv && !strlist_has(&sv->entries,
				    items.v[i]) && strlist_add(&sv->entries,
				    items.v[i]) < 0)
					goto out;
				free(items.v[i]);
				memmove(&items.v[i], &items.v[i + 1],
				    (items.n - i - 1) * sizeof *items.v);
				items.n--;
			}
		} else {
			struct strlist one = { NULL, 0 };
			const struct strlist *add = &one;

			if (op->from) {
				sv = saved_get(c, op->from, 0);
				if (sv == NULL)
					continue;
				add = &sv->entries;
			} else if (op->entry && strlist_add(&one, op->entry) < 0)
				goto out;
			for (i = 0; i < add->n; i++) {
				if (!strlist_has(&items, add->v[i]) &&
				    strlist_add(&items, add->v[i]) < 0) {
					strlist_free(&one);
					goto out;
				}
			}
			strlist_free(&one);
		}
	}
	joined = join_list(&items, sep);
	if (joined == NULL)
		goto out;
	if (strcmp(joined, text) != 0 || (r == 0 && items.n > 0)) {
		unsigned char *data;
		size_t len;

		if (r == 0 && items.n == 0) {
			rc = 0;
			goto out;
		}
		if (type == REG_MULTI_SZ) {
			struct rvalue v;
			const char *err;

			if (rvalue_encode(REG_MULTI_SZ, joined, &v, &err) < 0)
				goto out;
			data = v.data;
			len = v.len;
		} else if (hive_text_encode(joined, &data, &len) < 0)
			goto out;
		if (r == 0 && ensure_key(c, hv, m->elems, m->n, a->line) < 0) {
			free(data);
			goto out;
		}
		/* A string value that is not NUL-terminated as stored keeps
		 * its form: only the text changes. */
		n0 = c->entry->nchanges;
		rc = plan_set(c, hv, m, r ? cur.name : a->name, type, data,
		    len, a->line);
		if (rc == 0 && c->entry->nchanges > n0)
			c->entry->changes[n0].list_sep = sep;
		free(data);
		goto out;
	}
	rc = 0;
out:
	if (r == 1)
		hive_value_clear(&cur);
	strlist_free(&items);
	free(text);
	free(joined);
	return rc;
}

static int
act_edit_list(struct ctx *c, const struct action *a)
{
	int any_hive = 0;

	FOR_EACH_HIVE(c, a->path.hive, hv, {
		struct matches m;
		size_t j;

		any_hive = 1;
		if (expand(c, hv, &a->path, &m) < 0)
			return -1;
		if (m.n == 0 && a->create &&
		    !names_is_pattern(a->path.text)) {
			char **e = mapped_elems(c, &a->path);
			struct match one = { 0, e, a->path.nelems };
			int r;

			if (e == NULL)
				return -1;
			r = edit_one(c, a, hv, &one, 1);
			free_elems(e, one.n);
			if (r < 0)
				return -1;
		}
		for (j = 0; j < m.n; j++) {
			if (edit_one(c, a, hv, &m.v[j], 0) < 0) {
				matches_free(&m);
				return -1;
			}
		}
		matches_free(&m);
	});
	if (!any_hive) {
		size_t j;

		for (j = 0; j < a->nops; j++) {
			struct saved *sv;
			char *l;

			if (a->ops[j].kind != LIST_APPEND || !a->ops[j].from)
				continue;

			sv = saved_get(c, a->ops[j].from, 0);
			if (sv == NULL || sv->entries.n == 0)
				continue;
			/* Name them: they leave the hive that is given and
			 * reach no other, so the user must carry them; apply
			 * refuses to drop them unless told (cmd-apply.c). */
			l = join_list(&sv->entries, "', '");
			entry_note(c->entry, "no %s hive given: the entries "
			    "removed ('%s') are not added to '%s' of '%s'",
			    hive_kind_name(a->path.hive), l ? l : "?",
			    a->name, a->path.text);
			if (c->entry->drops == NULL && l != NULL)
				set_text(&c->entry->drops, "'%s' reach no %s "
				    "hive", l, hive_kind_name(a->path.hive));
			free(l);
		}
	}
	return 0;
}

static int
act_file(struct ctx *c, const struct action *a)
{
	char *path = NULL, *to = NULL, *slash;
	int exists = 0;
	struct change *ch;
	size_t j;

	if (c->t->windir == NULL) {
		c->needs_folder = 1;
		return 0;
	}
	if (winpath_resolve(c->t->windir, a->file, &path, &exists, c->d) < 0) {
		c->failed = 1;
		return 0;
	}
	/* Already planned by another control set's pass? */
	for (j = 0; j < c->entry->nchanges; j++) {
		if (c->entry->changes[j].file &&
		    strcmp(c->entry->changes[j].file, path) == 0)
			exists = 0;
	}
	if (!exists) {
		free(path);
		return 0;
	}
	ch = new_change(c, a->kind == ACT_RENAME_FILE ? CHANGE_RENAME_FILE :
	    CHANGE_DELETE_FILE, NULL, NULL, 0, a->line);
	if (ch == NULL)
		goto oom;
	ch->file = path;
	ch->winfile = strdup(a->file);
	if (a->kind == ACT_RENAME_FILE) {
		slash = strrchr(path, '/');
		if (asprintf(&to, "%.*s/%s", (int)(slash - path), path,
		    a->to) < 0)
			goto oom;
		ch->to = to;
	}
	return 0;
oom:
	return -1;
}

static int
run_actions(struct ctx *c)
{
	size_t i;
	int r = 0;

	for (i = 0; i < c->r->nactions && r == 0 && !c->failed; i++) {
		const struct action *a = &c->r->actions[i];

		switch (a->kind) {
		case ACT_DELETE_KEY:
			r = act_delete_key(c, a);
			break;
		case ACT_DELETE_VALUE:
			r = act_delete_value(c, a);
			break;
		case ACT_CREATE_KEY:
			r = act_create_key(c, a);
			break;
		case ACT_SET_VALUE:
			r = act_set_value(c, a);
			break;
		case ACT_EDIT_LIST:
			r = act_edit_list(c, a);
			break;
		case ACT_RENAME_FILE:
		case ACT_DELETE_FILE:
			r = act_file(c, a);
			break;
		}
	}
	if (r < 0 && !c->failed) {
		diag_error(c->d, c->r->file, 0, "out of memory");
		c->failed = 1;
	}
	return c->failed ? -1 : 0;
}

/* ------------------------------------------------------------------ */

static int
uses_ccs_cond(const struct cond *k)
{
	size_t i;

	if (k->kind == COND_ARCHITECTURE || is_ccs(&k->path))
		return 1;
	for (i = 0; i < k->nchildren; i++)
		if (uses_ccs_cond(&k->children[i]))
			return 1;
	return 0;
}

static int
uses_ccs(const struct remedy *r)
{
	size_t i;

	if (uses_ccs_cond(&r->when))
		return 1;
	for (i = 0; i < r->nactions; i++)
		if (is_ccs(&r->actions[i].path))
			return 1;
	return 0;
}

static int
has_file_actions(const struct remedy *r)
{
	size_t i;

	for (i = 0; i < r->nactions; i++)
		if (r->actions[i].kind == ACT_RENAME_FILE ||
		    r->actions[i].kind == ACT_DELETE_FILE)
			return 1;
	return 0;
}

/* HIVE_BIT of each hive R needs (not optional) that T lacks. */
static unsigned
missing_hives(const struct remedy *r, const struct target *t)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; i < r->nhives; i++)
		if (!r->hive_optional[i] && find_hive(t, r->hives[i], 0) ==
		    NULL)
			m |= HIVE_BIT(r->hives[i]);
	return m;
}

/* The verdict of a remedy whose MISSING hives were not given and whose
 * conditions the hives given do not rule out: it needs them, and says
 * what the hives given show (WHY, may be NULL).  UNDECIDED is 1 when the
 * conditions hold without them (only the changes need them), -1 when
 * they cannot be told without them. */
static void
missing_verdict(struct plan_entry *e, unsigned missing, int undecided,
    const char *why)
{
	char names[64] = "";
	size_t n = 0;
	int k;

	for (k = 0; k < HIVE__COUNT; k++) {
		if (!(missing & HIVE_BIT(k)))
			continue;
		if (n++)
			strncat(names, " and ", sizeof names - strlen(names) -
			    1);
		strncat(names, hive_kind_name((enum hive_kind)k),
		    sizeof names - strlen(names) - 1);
	}
	e->status = ENTRY_MISSING_HIVE;
	if (why == NULL)
		set_reason(e, "needs the %s hive%s, which %s not given", names,
		    n > 1 ? "s" : "", n > 1 ? "were" : "was");
	else
		set_reason(e, "needs the %s hive%s, which %s not given, %s; "
		    "the hives given show: %s", names, n > 1 ? "s" : "",
		    n > 1 ? "were" : "was", undecided > 0 ? "for its changes" :
		    "to tell whether it applies", why);
}

static int
plan_one(struct plan *p, struct plan_entry *e, const struct remedy *r,
    const struct target *t, const struct plan_options *o, struct diag *d)
{
	struct ctx c;
	struct control_set *sets = NULL;
	size_t nsets = 0, i, j;
	int holds_any = 0, unknown = 0, rc = 0, undecided = 0;
	char *why_not = NULL, *why = NULL;

	e->remedy = r;
	if (r->draft) {
		e->status = ENTRY_DRAFT;
		set_reason(e, "is a draft (draft=\"true\"): review it and "
		    "remove the mark before use");
		return 0;
	}
	memset(&c, 0, sizeof c);
	c.plan = p;
	c.entry = e;
	c.t = t;
	c.r = r;
	c.d = d;
	c.missing = missing_hives(r, t);
	if (uses_ccs(r)) {
		struct hive *sys = find_hive(t, HIVE_SYSTEM, 0);

		if (sys == NULL && !(c.missing & HIVE_BIT(HIVE_SYSTEM))) {
			e->status = ENTRY_MISSING_HIVE;
			set_reason(e, "needs the SYSTEM hive, which was not "
			    "given");
			return 0;
		}
		if (sys != NULL && hive_control_sets(sys, o &&
		    o->control_set ? o->control_set : "current", &sets,
		    &nsets, d) < 0)
			return -1;
	}
	for (i = 0; i < (nsets ? nsets : 1) && !c.failed; i++) {
		int h;

		c.cs = nsets ? &sets[i] : NULL;
		free(c.why);
		c.why = NULL;
		h = eval(&c, &r->when);
		if (h == -2) {
			c.failed = 1;
			break;
		}
		if (r->when.nchildren == 0)
			set_why(&c, "no conditions");
		if (c.missing && h != 0) {
			/* Undecided, or decided without the hive its
			 * changes need: nothing is planned. */
			if (undecided == 0 || (h == 1 && undecided < 0)) {
				free(why);
				why = c.why && r->when.nchildren ?
				    strdup(c.why) : NULL;
				undecided = h == 1 ? 1 : -1;
			}
			continue;
		}
		if (h == 0) {
			if (why_not == NULL)
				why_not = c.why ? strdup(c.why) : NULL;
			continue;
		}
		if (h == -1) {
			unknown = 1;
			if (why_not == NULL)
				why_not = c.why ? strdup(c.why) : NULL;
			continue;
		}
		/* The reason is the first set's; the others where the
		 * conditions hold too are named after it. */
		if (why == NULL)
			why = c.why ? strdup(c.why) : NULL;
		else {
			char *w = why;

			why = NULL;
			set_text(&why, "%s%s %s", w, holds_any > 1 ? "," :
			    "; the conditions also hold in", c.cs->name);
			free(w);
		}
		holds_any++;
		if (run_actions(&c) < 0)
			break;
	}
	if (c.failed) {
		rc = -1;
		goto out;
	}
	if (nsets) {
		size_t len = 0;
		char *s;

		for (i = 0; i < nsets; i++)
			len += strlen(sets[i].name) + strlen(sets[i].label) + 6;
		s = malloc(len + 1);
		if (s != NULL) {
			char *q = s;

			for (i = 0; i < nsets; i++)
				q += sprintf(q, "%s%s (%s)", i ? ", " : "",
				    sets[i].name, sets[i].label);
			/* One line per set would repeat the same label. */
			if (nsets > 1 && strcmp(sets[0].label, "all") == 0) {
				q = s;
				for (i = 0; i < nsets; i++)
					q += sprintf(q, "%s%s", i ? ", " : "",
					    sets[i].name);
				strcpy(q, " (all)");
			}
			e->control_sets = s;
		}
	}
	if (c.missing && undecided)
		missing_verdict(e, c.missing, undecided, why);
	else if (c.missing) {
		e->status = ENTRY_NOT_APPLICABLE;
		set_reason(e, "%s", why_not ? why_not :
		    "conditions do not hold");
	} else if (holds_any) {
		if (c.needs_folder && e->nchanges == 0) {
			e->status = ENTRY_NEEDS_FOLDER;
			set_reason(e, "%s%sits file actions need the Windows "
			    "folder, and only hives were given", why ? why : "",
			    why ? "; " : "");
		} else if (e->nchanges > 0) {
			e->status = ENTRY_APPLIES;
			set_reason(e, "%s", why ? why : "conditions hold");
			/* Scan says what apply would refuse. */
			if (e->drops != NULL) {
				char *w = e->reason;

				e->reason = NULL;
				set_reason(e, "%s; the entries it moves %s: "
				    "apply drops them only with --drop-moved",
				    w ? w : "", e->drops);
				free(w);
			}
			if (c.needs_folder)
				entry_note(e, "its file actions need the Windows "
				    "folder, and only hives were given");
		} else if (r->advisory != NULL && r->nactions == 0) {
			e->status = ENTRY_ADVISORY;
			set_reason(e, "%s", why ? why : "detected");
		} else {
			e->status = ENTRY_DONE;
			set_reason(e, "%s; nothing is left to change",
			    why ? why : "the conditions hold");
		}
	} else if (unknown) {
		e->status = ENTRY_NEEDS_FOLDER;
		set_reason(e, "%s", why_not ? why_not : "needs the Windows folder");
	} else {
		e->status = ENTRY_NOT_APPLICABLE;
		set_reason(e, "%s", why_not ? why_not : "conditions do not hold");
	}
	if (has_file_actions(r) && t->windir == NULL &&
	    e->status == ENTRY_APPLIES)
		entry_note(e, "its file actions need the Windows folder, "
		    "and only hives were given");
out:
	for (j = 0; j < c.nsaved; j++) {
		free(c.saved[j].name);
		strlist_free(&c.saved[j].entries);
	}
	free(c.saved);
	overlay_free(c.ov);
	free(c.why);
	free(why);
	free(why_not);
	free(sets);
	return rc;
}

static void change_clear(struct change *ch);

/* A remedy whose symptom no hive shows (<unseen>) and that would apply is
 * only possible when the whole library runs: a scan of a fleet would
 * report it on every machine of its product, and apply would make its
 * change there.  Its changes go (before the next remedy is planned, so
 * that none sees them), and its reason says what cannot be seen. */
static int
hold_unseen(struct plan_entry *e, struct diag *d)
{
	char *why = NULL;
	size_t i;

	if (e->status != ENTRY_APPLIES || e->remedy->unseen == NULL)
		return 0;
	if (asprintf(&why, "%s; the symptom (%s) cannot be seen offline: "
	    "apply it by name if the machine shows it", e->reason ? e->reason :
	    "", e->remedy->unseen) < 0) {
		diag_error(d, NULL, 0, "out of memory");
		return -1;
	}
	free(e->reason);
	e->reason = why;
	for (i = 0; i < e->nchanges; i++)
		change_clear(&e->changes[i]);
	free(e->changes);
	e->changes = NULL;
	e->nchanges = 0;
	for (i = 0; i < e->nnotes; i++)
		free(e->notes[i]);
	free(e->notes);
	e->notes = NULL;
	e->nnotes = 0;
	free(e->drops);
	e->drops = NULL;
	e->status = ENTRY_POSSIBLE;
	return 0;
}

int
plan_compute(struct remedy *const *remedies, size_t nremedies,
    const struct target *t, const struct plan_options *o, struct plan **out,
    struct diag *d)
{
	struct plan *p;
	size_t i;

	*out = NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		goto oom;
	p->entries = calloc(nremedies ? nremedies : 1, sizeof *p->entries);
	if (p->entries == NULL)
		goto oom;
	for (i = 0; i < nremedies; i++) {
		p->nentries = i + 1;
		if (plan_one(p, &p->entries[i], remedies[i], t, o, d) < 0 ||
		    (o != NULL && o->hold_unseen &&
		    hold_unseen(&p->entries[i], d) < 0)) {
			plan_free(p);
			return -1;
		}
	}
	*out = p;
	return 0;
oom:
	free(p);
	diag_error(d, NULL, 0, "out of memory");
	return -1;
}

size_t
plan_nchanges(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; p && i < p->nentries; i++)
		n += p->entries[i].nchanges;
	return n;
}

int
plan_touches(const struct plan *p, const struct hive *hv)
{
	size_t i, j;

	for (i = 0; p && i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++)
			if (p->entries[i].changes[j].hive == hv)
				return 1;
	return 0;
}

static void
change_clear(struct change *ch)
{
	free_elems(ch->key, ch->nkey);
	free(ch->name);
	free(ch->old.data);
	free(ch->new.data);
	free(ch->file);
	free(ch->to);
	free(ch->winfile);
}

void
plan_free(struct plan *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->nentries; i++) {
		struct plan_entry *e = &p->entries[i];

		for (j = 0; j < e->nchanges; j++)
			change_clear(&e->changes[j]);
		free(e->changes);
		for (j = 0; j < e->nnotes; j++)
			free(e->notes[j]);
		free(e->notes);
		free(e->reason);
		free(e->control_sets);
		free(e->drops);
	}
	free(p->entries);
	free(p);
}
