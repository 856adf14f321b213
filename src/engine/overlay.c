/* overlay.c: the changes of a plan so far, indexed by what they touch. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "overlay.h"
#include "strmap.h"

struct overlay {
	const struct plan *p;
	struct strmap at;	/* what a change touches -> its number + 1 */
	size_t e, k;		/* the next change to index */
	size_t n;		/* changes indexed */
	struct place {
		size_t e, k;
	} *at_n;		/* where each change is, by number; CAP */
	size_t cap;
};

struct overlay *
overlay_new(const struct plan *p)
{
	struct overlay *o = calloc(1, sizeof *o);

	if (o != NULL)
		o->p = p;
	return o;
}

void
overlay_free(struct overlay *o)
{
	if (o == NULL)
		return;
	strmap_free(&o->at);
	free(o->at_n);
	free(o);
}

/* Index every change of the plan before its last one, in plan order.
 * -1 when out of memory. */
static int
update(struct overlay *o)
{
	const struct plan *p = o->p;
	size_t le, lk;

	for (le = p->nentries; le-- > 0;)
		if (p->entries[le].nchanges > 0)
			break;
	if (le == (size_t)-1)
		return 0;
	lk = p->entries[le].nchanges - 1;
	while (o->e < le || (o->e == le && o->k < lk)) {
		const struct change *c;
		char *id = NULL;

		if (o->k >= p->entries[o->e].nchanges) {
			o->e++;
			o->k = 0;
			continue;
		}
		c = &p->entries[o->e].changes[o->k];
		if (o->n == o->cap) {
			size_t ncap = o->cap ? o->cap * 2 : 64;
			struct place *nv = realloc(o->at_n, ncap * sizeof *nv);

			if (nv == NULL)
				return -1;
			o->at_n = nv;
			o->cap = ncap;
		}
		/* The change is found again by its place: the entry's array
		 * moves as it grows. */
		o->at_n[o->n].e = o->e;
		o->at_n[o->n].k = o->k;
		if (c->hive != NULL && c->kind == CHANGE_DELETE_KEY)
			id = strmap_id('d', c->hive, c->key, c->nkey, NULL);
		else if (c->hive != NULL && c->kind == CHANGE_CREATE_KEY)
			id = strmap_id('c', c->hive, c->key, c->nkey, NULL);
		else if (c->hive != NULL && (c->kind == CHANGE_SET_VALUE ||
		    c->kind == CHANGE_DELETE_VALUE))
			id = strmap_id('v', c->hive, c->key, c->nkey, c->name);
		else {
			o->n++;
			o->k++;
			continue;
		}
		if (strmap_put(&o->at, id, o->n + 1) < 0)
			return -1;
		o->n++;
		o->k++;
	}
	return 0;
}

/* The number + 1 of the last indexed change touching ID (0: none);
 * (size_t)-1 when out of memory. */
static size_t
lookup(struct overlay *o, char *id)
{
	size_t r;

	if (id == NULL)
		return (size_t)-1;
	r = strmap_get(&o->at, id);
	free(id);
	return r == STRMAP_NONE ? 0 : r;
}

/* The last indexed deletion of key ELEMS[0..N) or of a parent (number + 1;
 * 0: none; (size_t)-1: out of memory). */
static size_t
deleted_at(struct overlay *o, const struct hive *hv, char *const *elems,
    size_t n)
{
	size_t i, best = 0, r;

	for (i = 1; i <= n; i++) {
		if ((r = lookup(o, strmap_id('d', hv, elems, i, NULL))) ==
		    (size_t)-1)
			return r;
		if (r > best)
			best = r;
	}
	return best;
}

#define same_prefix names_prefix

/* The changes not indexed yet (the last), each one after the other over
 * ST, as the plan makes them. */
#define FOR_EACH_NEW(o, ch, ...)					\
	do {								\
		size_t e_ = (o)->e, k_ = (o)->k;			\
		for (; e_ < (o)->p->nentries; e_++, k_ = 0)		\
			for (; k_ < (o)->p->entries[e_].nchanges; k_++) { \
				const struct change *ch =		\
				    &(o)->p->entries[e_].changes[k_];	\
				__VA_ARGS__				\
			}						\
	} while (0)

int
overlay_key_state(struct overlay *o, const struct hive *hv,
    char *const *elems, size_t n)
{
	size_t d, c;
	int st;

	if (update(o) < 0)
		return -2;
	if ((d = deleted_at(o, hv, elems, n)) == (size_t)-1 ||
	    (c = lookup(o, strmap_id('c', hv, elems, n, NULL))) == (size_t)-1)
		return -2;
	st = c > d ? 1 : d > 0 ? -1 : 0;
	FOR_EACH_NEW(o, ch, {
		if (ch->hive != hv)
			continue;
		if (ch->kind == CHANGE_DELETE_KEY &&
		    same_prefix(ch->key, ch->nkey, elems, n))
			st = -1;
		else if (ch->kind == CHANGE_CREATE_KEY && ch->nkey == n &&
		    same_prefix(ch->key, n, elems, n))
			st = 1;
	});
	return st;
}

int
overlay_value_state(struct overlay *o, const struct hive *hv,
    char *const *elems, size_t n, const char *name, const struct rvalue **v)
{
	size_t d, s;
	int st = 0;

	if (update(o) < 0)
		return -2;
	if ((d = deleted_at(o, hv, elems, n)) == (size_t)-1 ||
	    (s = lookup(o, strmap_id('v', hv, elems, n, name))) == (size_t)-1)
		return -2;
	if (s > d) {
		const struct change *c =
		    &o->p->entries[o->at_n[s - 1].e].changes[o->at_n[s - 1].k];

		st = c->kind == CHANGE_SET_VALUE ? 1 : -1;
		if (st == 1)
			*v = &c->new;
	} else if (d > 0)
		st = -1;
	FOR_EACH_NEW(o, ch, {
		if (ch->hive != hv)
			continue;
		if (ch->kind == CHANGE_DELETE_KEY &&
		    same_prefix(ch->key, ch->nkey, elems, n)) {
			st = -1;
		} else if ((ch->kind == CHANGE_SET_VALUE ||
		    ch->kind == CHANGE_DELETE_VALUE) && ch->nkey == n &&
		    same_prefix(ch->key, n, elems, n) &&
		    names_equal(ch->name, name)) {
			st = ch->kind == CHANGE_SET_VALUE ? 1 : -1;
			if (st == 1)
				*v = &ch->new;
		}
	});
	return st;
}
