/* keylist.c: subkey lists of every kind, read and changed on a hive's
 * bytes (keylist.h).
 *
 * Layouts (offsets in a cell count from its 4-byte size field, negative
 * while the cell is allocated; stored cell offsets count from file offset
 * 4096):
 *   nk: "nk" 4, flags 6 (0x20: name stored in Latin-1, else UTF-16LE),
 *     parent 0x14, subkey count 0x18, subkey list 0x20, value count 0x28,
 *     value list 0x2C, security cell 0x30, class name 0x34, name length
 *     0x4C, name 0x50;
 *   lf, lh: count 6, 8-byte entries (key, hint or hash) from 8;
 *   li: count 6, 4-byte key offsets from 8;
 *   ri: count 6, 4-byte leaf offsets from 8;
 *   vk: data length 8 (top bit: the data sits in the offset field), data
 *     offset 0x0C; db: segment count 6, segment list 8 (4-byte offsets
 *     from 4);
 *   sk: next 8, previous 0x0C, reference count 0x10.
 *
 * Facts from Windows' own code (as ReactOS reproduces it, cmindex.c and
 * cmname.c) checked against the real hives of ../shared/hives-real
 * (tests/check_lists.c computes every stored hash and hint again):
 *  - names compare by UTF-16 code unit, each upcased (a Latin-1 name's
 *    bytes are its units), then by length;
 *  - an lh hash is h * 37 + upcased unit over the name; an lf hint is the
 *    name's first four units as bytes, all zero if one is above 0xFF;
 *  - Windows frees an index when its key's last subkey goes, and takes an
 *    emptied leaf out of its ri.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keylist.h"
#include "names.h"
#include "regf.h"

#define BINS		4096
#define NONE		0xFFFFFFFFu
#define NK_NAME		0x50

/* The size of the allocated cell at file offset ABS, 0 if none is
 * there. */
static size_t
cell(const unsigned char *b, size_t end, size_t abs)
{
	int32_t raw;
	size_t size;

	if (end < BINS + 40 || abs < BINS + 32 || abs % 4 != 0 ||
	    abs > end - 8)
		return 0;
	raw = (int32_t)regf_get32(b + abs);
	if (raw >= 0 || raw == INT32_MIN)
		return 0;
	size = (size_t)-(int64_t)raw;
	return size < 8 || size > end - abs ? 0 : size;
}

/* The cell at stored offset REL: its size, *ABS its file offset. */
static size_t
cell_rel(const unsigned char *b, size_t end, uint32_t rel, size_t *abs)
{
	if (rel == NONE || rel > end)
		return 0;
	*abs = (size_t)rel + BINS;
	return cell(b, end, *abs);
}

static int
sig(const unsigned char *b, size_t abs, const char *s)
{
	return b[abs + 4] == (unsigned char)s[0] &&
	    b[abs + 5] == (unsigned char)s[1];
}

/* Free the allocated cell at ABS: its size turns positive.  A cell
 * already free is left as it is. */
static void
cell_free(unsigned char *b, size_t end, size_t abs)
{
	size_t size = cell(b, end, abs);

	if (size != 0)
		regf_put32(b + abs, (uint32_t)size);
}

/* The name of the key cell at NK. */
struct name {
	const unsigned char *p;
	size_t units;
	int latin1;
};

static int
nk_name(const unsigned char *b, size_t end, size_t nk, struct name *nm)
{
	size_t cl = cell(b, end, nk), n;

	if (cl < NK_NAME || !sig(b, nk, "nk"))
		return -1;
	n = regf_get16(b + nk + 0x4C);
	if (NK_NAME + n > cl)
		return -1;
	nm->p = b + nk + NK_NAME;
	nm->latin1 = (regf_get16(b + nk + 6) & 0x20) != 0;
	nm->units = nm->latin1 ? n : n / 2;
	return 0;
}

static uint16_t
unit(const struct name *nm, size_t i)
{
	return nm->latin1 ? nm->p[i] : regf_get16(nm->p + 2 * i);
}

static int
name_cmp(const struct name *x, const struct name *y)
{
	size_t i, n = x->units < y->units ? x->units : y->units;

	for (i = 0; i < n; i++) {
		uint16_t a = unit(x, i), c = unit(y, i);

		if (a != c) {
			a = names_upcase_unit(a);
			c = names_upcase_unit(c);
			if (a != c)
				return a < c ? -1 : 1;
		}
	}
	return x->units < y->units ? -1 : x->units > y->units;
}

int
keylist_cmp(const unsigned char *b, size_t end, size_t nk1, size_t nk2)
{
	struct name x, y;

	if (nk_name(b, end, nk1, &x) < 0 || nk_name(b, end, nk2, &y) < 0)
		return 0;
	return name_cmp(&x, &y);
}

static uint32_t
lh_hash(const struct name *nm)
{
	uint32_t h = 0;
	size_t i;

	for (i = 0; i < nm->units; i++)
		h = h * 37 + names_upcase_unit(unit(nm, i));
	return h;
}

static void
lf_hint(const struct name *nm, unsigned char out[4])
{
	size_t i;

	memset(out, 0, 4);
	for (i = 0; i < 4 && i < nm->units; i++) {
		uint16_t u = unit(nm, i);

		if (u > 0xFF) {
			memset(out, 0, 4);
			return;
		}
		out[i] = (unsigned char)u;
	}
}

uint32_t
keylist_lh_hash(const unsigned char *name, size_t len, int latin1)
{
	struct name nm = { name, latin1 ? len : len / 2, latin1 };

	return lh_hash(&nm);
}

void
keylist_lf_hint(const unsigned char *name, size_t len, int latin1,
    unsigned char out[4])
{
	struct name nm = { name, latin1 ? len : len / 2, latin1 };

	lf_hint(&nm, out);
}

/* ------------------------------------------------------------ lists */

struct leaf {
	size_t abs;		/* the leaf cell */
	size_t n;		/* its entries */
	size_t w;		/* bytes per entry: 8, or 4 for li */
	int kind;		/* 'f', 'h', 'i' */
};

struct list {
	size_t ri;		/* the ri cell, 0 when the list is one leaf */
	struct leaf *leaves;
	size_t nleaves;
	size_t total;		/* entries in all leaves */
};

static void
list_free(struct list *l)
{
	free(l->leaves);
	memset(l, 0, sizeof *l);
}

static int
leaf_read(const unsigned char *b, size_t end, size_t abs, struct leaf *lf)
{
	size_t cl = cell(b, end, abs);

	if (cl < 8)
		return -1;
	if (sig(b, abs, "lf") || sig(b, abs, "lh")) {
		lf->kind = b[abs + 5];
		lf->w = 8;
	} else if (sig(b, abs, "li")) {
		lf->kind = 'i';
		lf->w = 4;
	} else
		return -1;
	lf->abs = abs;
	lf->n = regf_get16(b + abs + 6);
	return 8 + lf->n * lf->w > cl ? -1 : 0;
}

/* The subkey list of key NK; its leaves must hold exactly its subkey
 * count.  A key without subkeys has no leaves. */
static int
list_read(const unsigned char *b, size_t end, size_t nk, struct list *l)
{
	size_t cl = cell(b, end, nk), labs = 0, ll, k;
	uint32_t count;

	memset(l, 0, sizeof *l);
	if (cl < NK_NAME || !sig(b, nk, "nk"))
		return -1;
	count = regf_get32(b + nk + 0x18);
	if (count == 0)
		return 0;
	if ((ll = cell_rel(b, end, regf_get32(b + nk + 0x20), &labs)) < 8)
		return -1;
	if (sig(b, labs, "ri")) {
		size_t n = regf_get16(b + labs + 6);

		if (8 + 4 * n > ll)
			return -1;
		l->ri = labs;
		if ((l->leaves = calloc(n + 1, sizeof *l->leaves)) == NULL)
			return -1;
		for (k = 0; k < n; k++) {
			size_t sabs;

			if (cell_rel(b, end, regf_get32(b + labs + 8 + 4 * k),
			    &sabs) == 0 || leaf_read(b, end, sabs,
			    &l->leaves[k]) < 0)
				goto bad;
			l->total += l->leaves[k].n;
		}
		l->nleaves = n;
	} else {
		if ((l->leaves = calloc(1, sizeof *l->leaves)) == NULL ||
		    leaf_read(b, end, labs, &l->leaves[0]) < 0)
			goto bad;
		l->nleaves = 1;
		l->total = l->leaves[0].n;
	}
	if (l->total != count)
		goto bad;
	return 0;
bad:
	list_free(l);
	return -1;
}

/* The key cell of entry I of leaf LF. */
static size_t
entry_key(const unsigned char *b, const struct leaf *lf, size_t i)
{
	return (size_t)regf_get32(b + lf->abs + 8 + lf->w * i) + BINS;
}

int
keylist_leaf_kind(const unsigned char *b, size_t end, size_t parent,
    size_t child)
{
	struct list l;
	size_t i, k;
	int kind = 0;

	if (list_read(b, end, parent, &l) < 0)
		return 0;
	for (i = 0; i < l.nleaves && kind == 0; i++)
		for (k = 0; k < l.leaves[i].n; k++)
			if (entry_key(b, &l.leaves[i], k) == child) {
				kind = l.leaves[i].kind;
				break;
			}
	list_free(&l);
	return kind;
}

int
keylist_keys(const unsigned char *b, size_t end, size_t nk, size_t **out,
    size_t *n)
{
	struct list l;
	size_t i, k;

	*out = NULL;
	*n = 0;
	if (list_read(b, end, nk, &l) < 0)
		return -1;
	if ((*out = malloc((l.total + 1) * sizeof **out)) == NULL) {
		list_free(&l);
		return -1;
	}
	for (i = 0; i < l.nleaves; i++)
		for (k = 0; k < l.leaves[i].n; k++)
			(*out)[(*n)++] = entry_key(b, &l.leaves[i], k);
	list_free(&l);
	return 0;
}

/* ------------------------------------------------------------ order */

struct ent {
	size_t nk;
	size_t at;		/* its place before sorting */
	struct name nm;
};

static int
ent_cmp(const void *x, const void *y)
{
	const struct ent *a = x, *c = y;
	int r = name_cmp(&a->nm, &c->nm);

	if (r != 0)
		return r;
	return a->at < c->at ? -1 : a->at > c->at;
}

/* The entries of L, in stored order, names read; NULL on a key cell that
 * cannot be read (or out of memory). */
static struct ent *
entries(const unsigned char *b, size_t end, const struct list *l)
{
	struct ent *e = calloc(l->total + 1, sizeof *e);
	size_t i, k, n = 0;

	if (e == NULL)
		return NULL;
	for (i = 0; i < l->nleaves; i++)
		for (k = 0; k < l->leaves[i].n; k++, n++) {
			e[n].nk = entry_key(b, &l->leaves[i], k);
			e[n].at = n;
			if (nk_name(b, end, e[n].nk, &e[n].nm) < 0) {
				free(e);
				return NULL;
			}
		}
	return e;
}

int
keylist_sorted(const unsigned char *b, size_t end, size_t nk)
{
	struct list l;
	struct ent *e;
	size_t i;
	int r = 1;

	if (list_read(b, end, nk, &l) < 0)
		return -1;
	if (l.total == 0) {
		list_free(&l);
		return 1;
	}
	if ((e = entries(b, end, &l)) == NULL)
		r = -1;
	for (i = 1; r == 1 && i < l.total; i++)
		if (name_cmp(&e[i - 1].nm, &e[i].nm) > 0)
			r = 0;
	free(e);
	list_free(&l);
	return r;
}

int
keylist_sort(unsigned char *b, size_t end, size_t nk, int *moved)
{
	struct list l;
	struct ent *e;
	size_t i, k, n;

	if (moved != NULL)
		*moved = 0;
	if (list_read(b, end, nk, &l) < 0)
		return -1;
	if (l.total == 0) {
		list_free(&l);
		return 0;
	}
	if ((e = entries(b, end, &l)) == NULL) {
		list_free(&l);
		return -1;
	}
	if (l.total > 1)
		qsort(e, l.total, sizeof *e, ent_cmp);
	for (i = 0; i < l.total && e[i].at == i; i++)
		;
	if (i < l.total) {
		/* Each leaf keeps its kind and its count; the hash or hint
		 * goes with the key that is now in the entry. */
		for (i = n = 0; i < l.nleaves; i++) {
			const struct leaf *lf = &l.leaves[i];

			for (k = 0; k < lf->n; k++, n++) {
				unsigned char *p = b + lf->abs + 8 + lf->w * k;

				regf_put32(p, (uint32_t)(e[n].nk - BINS));
				if (lf->kind == 'h')
					regf_put32(p + 4, lh_hash(&e[n].nm));
				else if (lf->kind == 'f')
					lf_hint(&e[n].nm, p + 4);
			}
		}
		if (moved != NULL)
			*moved = 1;
	}
	free(e);
	list_free(&l);
	return 0;
}

int
keylist_sort_from(unsigned char *b, size_t end, size_t from, size_t *nsorted)
{
	size_t off = from < BINS ? BINS : from, size, c, cs, *done = NULL;
	size_t ndone = 0, cap = 0, i;
	int r = -1;

	if (nsorted != NULL)
		*nsorted = 0;
	for (; off < end; off += size) {
		if (end - off < 32 || memcmp(b + off, "hbin", 4) != 0)
			goto out;
		size = regf_get32(b + off + 8);
		if (size < 4096 || size % 4096 != 0 || size > end - off)
			goto out;
		for (c = off + 32; c < off + size; c += cs) {
			int32_t raw = (int32_t)regf_get32(b + c);
			struct leaf lf;
			struct list l;
			size_t kid, parent, j;
			int holds = 0, moved;

			if (off + size - c < 8 || raw == INT32_MIN)
				goto out;
			cs = raw < 0 ? (size_t)-(int64_t)raw : (size_t)raw;
			if (cs < 8 || cs % 4 != 0 || cs > off + size - c)
				goto out;
			if (raw > 0 || leaf_read(b, end, c, &lf) < 0 ||
			    lf.n == 0)
				continue;
			/* The key whose list this leaf is part of: the
			 * parent of its first key, if its list holds it. */
			kid = entry_key(b, &lf, 0);
			if (cell(b, end, kid) < NK_NAME || !sig(b, kid, "nk"))
				continue;
			parent = (size_t)regf_get32(b + kid + 0x14) + BINS;
			for (i = 0; i < ndone && done[i] != parent; i++)
				;
			if (i < ndone || list_read(b, end, parent, &l) < 0)
				continue;
			for (j = 0; j < l.nleaves; j++)
				if (l.leaves[j].abs == c)
					holds = 1;
			list_free(&l);
			if (!holds)
				continue;
			if (ndone == cap) {
				size_t ncap = cap ? 2 * cap : 16;
				size_t *nd = realloc(done, ncap * sizeof *nd);

				if (nd == NULL)
					goto out;
				done = nd;
				cap = ncap;
			}
			done[ndone++] = parent;
			if (keylist_sort(b, end, parent, &moved) < 0)
				goto out;
			if (moved && nsorted != NULL)
				(*nsorted)++;
		}
	}
	r = 0;
out:
	free(done);
	return r;
}

/* ------------------------------------------------------------ delete */

/* Free the value cell at VK and its data. */
static int
free_value(unsigned char *b, size_t end, size_t vk)
{
	size_t vl = cell(b, end, vk), dabs, dl, labs, ll, k;
	uint32_t len;

	if (vl < 0x18 || !sig(b, vk, "vk"))
		return -1;
	len = regf_get32(b + vk + 8);
	if (!(len & 0x80000000u) && len > 0 &&
	    (dl = cell_rel(b, end, regf_get32(b + vk + 0x0C), &dabs)) != 0) {
		/* Longer than its cell: a big-data record, its segment
		 * list and segments go too. */
		if (len > dl - 4 && dl >= 12 && sig(b, dabs, "db") &&
		    (ll = cell_rel(b, end, regf_get32(b + dabs + 8),
		    &labs)) != 0) {
			size_t nseg = regf_get16(b + dabs + 6);

			if (4 + 4 * nseg > ll)
				return -1;
			for (k = 0; k < nseg; k++) {
				size_t sabs;

				if (cell_rel(b, end, regf_get32(b + labs + 4 +
				    4 * k), &sabs) != 0)
					cell_free(b, end, sabs);
			}
			cell_free(b, end, labs);
		}
		cell_free(b, end, dabs);
	}
	cell_free(b, end, vk);
	return 0;
}

/* One key fewer uses the security cell at stored offset REL. */
static int
sk_release(unsigned char *b, size_t end, uint32_t rel)
{
	size_t sk, sl = cell_rel(b, end, rel, &sk), prev, next;
	uint32_t refs;

	if (sl < 20 || !sig(b, sk, "sk"))
		return -1;
	refs = regf_get32(b + sk + 0x10);
	if (refs == 0)
		return -1;
	regf_put32(b + sk + 0x10, --refs);
	if (refs > 0)
		return 0;
	/* No key left: out of the ring of security cells, then freed. */
	next = (size_t)regf_get32(b + sk + 8) + BINS;
	prev = (size_t)regf_get32(b + sk + 0x0C) + BINS;
	if (next != sk && prev != sk) {
		if (cell(b, end, next) < 20 || !sig(b, next, "sk") ||
		    cell(b, end, prev) < 20 || !sig(b, prev, "sk"))
			return -1;
		regf_put32(b + prev + 8, (uint32_t)(next - BINS));
		regf_put32(b + next + 0x0C, (uint32_t)(prev - BINS));
	}
	cell_free(b, end, sk);
	return 0;
}

/* Free every cell of the key at NK and below, DEPTH levels under the key
 * deleted. */
static int
free_key(unsigned char *b, size_t end, size_t nk, size_t depth)
{
	struct list l;
	size_t i, k, labs, ll, n, cabs;
	uint32_t rel;

	if (depth > REGF_MAX_DEPTH || list_read(b, end, nk, &l) < 0)
		return -1;
	for (i = 0; i < l.nleaves; i++) {
		for (k = 0; k < l.leaves[i].n; k++)
			if (free_key(b, end, entry_key(b, &l.leaves[i], k),
			    depth + 1) < 0) {
				list_free(&l);
				return -1;
			}
		cell_free(b, end, l.leaves[i].abs);
	}
	if (l.ri != 0)
		cell_free(b, end, l.ri);
	list_free(&l);
	if ((n = regf_get32(b + nk + 0x28)) > 0) {
		ll = cell_rel(b, end, regf_get32(b + nk + 0x2C), &labs);
		if (ll == 0 || 4 + 4 * (uint64_t)n > ll)
			return -1;
		for (i = 0; i < n; i++) {
			size_t vk;

			if (cell_rel(b, end, regf_get32(b + labs + 4 + 4 * i),
			    &vk) != 0 && free_value(b, end, vk) < 0)
				return -1;
		}
		cell_free(b, end, labs);
	}
	if ((rel = regf_get32(b + nk + 0x34)) != NONE &&
	    cell_rel(b, end, rel, &cabs) != 0)
		cell_free(b, end, cabs);
	if ((rel = regf_get32(b + nk + 0x30)) != NONE &&
	    sk_release(b, end, rel) < 0)
		return -1;
	cell_free(b, end, nk);
	return 0;
}

int
keylist_delete(unsigned char *b, size_t end, size_t parent, size_t child)
{
	struct list l;
	struct leaf *lf = NULL;
	size_t i, k = 0, j;
	int r = -1;

	if (list_read(b, end, parent, &l) < 0)
		return -1;
	for (i = 0; i < l.nleaves && lf == NULL; i++)
		for (k = 0; k < l.leaves[i].n; k++)
			if (entry_key(b, &l.leaves[i], k) == child) {
				lf = &l.leaves[i];
				break;
			}
	if (lf == NULL || free_key(b, end, child, 0) < 0)
		goto out;
	i = (size_t)(lf - l.leaves);
	memmove(b + lf->abs + 8 + lf->w * k, b + lf->abs + 8 + lf->w * (k + 1),
	    lf->w * (lf->n - k - 1));
	regf_put16(b + lf->abs + 6, (uint16_t)(lf->n - 1));
	if (l.total == 1) {
		/* The last subkey: the whole list goes. */
		for (j = 0; j < l.nleaves; j++)
			cell_free(b, end, l.leaves[j].abs);
		if (l.ri != 0)
			cell_free(b, end, l.ri);
		regf_put32(b + parent + 0x20, NONE);
	} else if (lf->n == 1) {
		/* An empty leaf (an ri's, as the key has more subkeys)
		 * leaves its ri. */
		cell_free(b, end, lf->abs);
		for (j = i; j + 1 < l.nleaves; j++)
			memcpy(b + l.ri + 8 + 4 * j, b + l.ri + 8 + 4 * (j + 1),
			    4);
		regf_put16(b + l.ri + 6, (uint16_t)(l.nleaves - 1));
	}
	regf_put32(b + parent + 0x18, (uint32_t)(l.total - 1));
	r = 0;
out:
	list_free(&l);
	return r;
}
