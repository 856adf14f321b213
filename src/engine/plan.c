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

#include "plan-int.h"
/* ------------------------------------------------------------------ */
/* small helpers */

char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int
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

void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (names_equal(l->v[i], s))
			return 1;
	return 0;
}

void
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

void
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

void
free_elems(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char **
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

void
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

int
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

/* What the plan says of key ELEMS: -1 deleted, 1 created, 0 nothing
 * (overlay.h: in O(1), so that n changes are planned in O(n)). */
int
overlay_key(struct ctx *c, const struct hive *hv, char *const *elems,
    size_t n)
{
	int st;

	if (c->ov == NULL && (c->ov = overlay_new(c->plan)) == NULL)
		st = -2;
	else
		st = overlay_key_state(c->ov, hv, elems, n);
	if (st == -2) {
		diag_oom(c->d);
		c->failed = 1;
		return 0;
	}
	return st;
}

/* What the plan says of value NAME of key ELEMS: -1 deleted (or its key),
 * 1 set (*V points at the planned value), 0 nothing. */
int
overlay_value(struct ctx *c, const struct hive *hv, char *const *elems,
    size_t n, const char *name, const struct rvalue **v)
{
	int st;

	if (c->ov == NULL && (c->ov = overlay_new(c->plan)) == NULL)
		st = -2;
	else
		st = overlay_value_state(c->ov, hv, elems, n, name, v);
	if (st == -2) {
		diag_oom(c->d);
		c->failed = 1;
		return 0;
	}
	return st;
}

/* The current state of a value, hive and plan together.  Returns 1 and
 * fills OUT (type, data copied; name as stored), 0 if absent, -1 on a
 * read error. */
int
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

struct hive *
find_hive(const struct target *t, enum hive_kind k, size_t from)
{
	size_t i;

	for (i = from; i < t->nhives; i++)
		if (t->hives[i]->kind == k)
			return t->hives[i];
	return NULL;
}

/* Nonzero if the remedy's path means CurrentControlSet. */
int
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
int
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

/* The control sets a remedy was planned for, as its entry names them:
 * "ControlSet001 (current), ..." (NULL when out of memory). */
static char *
control_sets_text(const struct control_set *sets, size_t nsets)
{
	/* One line per set would repeat the same label. */
	int all = nsets > 1 && strcmp(sets[0].label, "all") == 0;
	size_t i, len = 0, at = 0;
	char *s;

	for (i = 0; i < nsets; i++)
		len += strlen(sets[i].name) + strlen(sets[i].label) + 6;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < nsets; i++) {
		if (all)
			at += (size_t)snprintf(s + at, len + 1 - at, "%s%s",
			    i ? ", " : "", sets[i].name);
		else
			at += (size_t)snprintf(s + at, len + 1 - at,
			    "%s%s (%s)", i ? ", " : "", sets[i].name,
			    sets[i].label);
	}
	if (all)
		snprintf(s + at, len + 1 - at, " (all)");
	return s;
}

/* The status and reason of entry E of remedy R once its conditions were
 * evaluated in every control set: HOLDS_ANY sets where they hold,
 * UNKNOWN when one needed the Windows folder, UNDECIDED (missing_verdict)
 * when a hive was missing; WHY and WHY_NOT the reasons found. */
static void
entry_verdict(struct ctx *c, struct plan_entry *e, const struct remedy *r,
    int holds_any, int unknown, int undecided, const char *why,
    const char *why_not)
{
	if (c->missing && undecided)
		missing_verdict(e, c->missing, undecided, why);
	else if (c->missing) {
		e->status = ENTRY_NOT_APPLICABLE;
		set_reason(e, "%s", why_not ? why_not :
		    "conditions do not hold");
	} else if (holds_any) {
		if (c->needs_folder && e->nchanges == 0) {
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
			if (c->needs_folder)
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
	if (has_file_actions(r) && c->t->windir == NULL &&
	    e->status == ENTRY_APPLIES)
		entry_note(e, "its file actions need the Windows folder, "
		    "and only hives were given");
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
		enum truth h;

		c.cs = nsets ? &sets[i] : NULL;
		free(c.why);
		c.why = NULL;
		h = eval(&c, &r->when);
		if (h == T_ERROR) {
			c.failed = 1;
			break;
		}
		if (r->when.nchildren == 0)
			set_why(&c, "no conditions");
		if (c.missing && h != T_FALSE) {
			/* Undecided, or decided without the hive its
			 * changes need: nothing is planned. */
			if (undecided == 0 || (h == T_TRUE && undecided < 0)) {
				free(why);
				why = c.why && r->when.nchildren ?
				    strdup(c.why) : NULL;
				undecided = h == T_TRUE ? 1 : -1;
			}
			continue;
		}
		if (h == T_FALSE) {
			if (why_not == NULL)
				why_not = c.why ? strdup(c.why) : NULL;
			continue;
		}
		if (h == T_UNKNOWN) {
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
	if (nsets)
		e->control_sets = control_sets_text(sets, nsets);
	entry_verdict(&c, e, r, holds_any, unknown, undecided, why, why_not);
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
	    "", e->remedy->unseen) < 0)
		return diag_oom(d);
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
	return diag_oom(d);
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
