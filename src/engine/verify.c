/* verify.c: a rewritten hive against its original, outside the plan
 * (verify.h).
 *
 * Cell layouts used here (offsets within a cell, from its 4-byte size;
 * stored cell offsets count from the first hive bin, file offset 4096):
 *   nk: subkey count 0x18, subkey list 0x20, value count 0x28, value list
 *     0x2C, security cell 0x30, class name 0x34, longest subkey name
 *     0x38 (16 bits), longest value name 0x40, longest data 0x44;
 *   vk: data length 0x08 (top bit: data inline), data offset 0x0C;
 *   db: segment count 0x06, segment list 0x08;
 *   lf, lh: count 0x06, 8-byte entries (key, hash) from 0x08; li: count
 *     0x06, 4-byte key offsets from 0x08; ri: count 0x06, 4-byte offsets
 *     of lf, lh or li lists from 0x08;
 *   sk: next 0x08, previous 0x0C, reference count 0x10.
 * What hivex 1.3.23 (lib/write.c) changes in place: hivex_node_add_child
 * the parent's subkey count, list offset and longest name, and the
 * reference count of the parent's sk (the new key shares it);
 * hivex_node_delete_child the parent's count and one lf/lh list (the
 * entry removed in place), and for the keys deleted the sizes of all their
 * cells (freed), and their sk's count (freed at 0, its neighbours
 * relinked); hivex_node_set_values the key's value count, list offset and
 * longest name and data, and frees the old value cells.  What kbfix does
 * beside it (hivewrite.h) stays within the same fields and cells: a key
 * deleted from an li list frees the cells hivex would and changes the
 * parent's count, list offset, leaf and ri list; a key given a new
 * subkey has the entries of its lists put in order.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "names.h"
#include "strmap.h"
#include "regf.h"
#include "verify.h"

#define BINS_START	4096
#define CHUNK		(1u << 20)	/* read from each file at once */
#define NONE		0xFFFFFFFFu
#define NK_FIXED	0x50

/* What may change in a cell of the original. */
enum own {
	OWN_CELL,	/* anything: a touched key's list, value or data */
	OWN_NK_GONE,	/* anything: a key deleted */
	OWN_NK_KEPT,	/* a touched key kept: counts, list offsets,
			 * size hints */
	OWN_SK,		/* a touched key's security cell: count and
			 * links; freed when its count reaches 0 */
	OWN_SK_LINKS,	/* a neighbour of a deleted key's one: links */
};

struct owned {
	uint64_t off;		/* file offset of the cell */
	enum own kind;
};

/* A key of the original that the plan touches and keeps. */
struct kept {
	hive_node_h node;
	char *const *path;	/* borrowed from a change */
	size_t n;
};

struct vctx {
	const struct hive *b, *a;	/* before, after */
	int fb, fa;
	uint64_t end;		/* end of the original's hive bins */
	const struct change **ch;	/* the plan's changes on B */
	size_t nch;
	struct owned *own;
	size_t nown, owncap;
	struct kept *kept;
	size_t nkept, keptcap;
	uint64_t *gone;		/* keys the plan deletes, sorted */
	size_t ngone, gonecap;
	uint64_t *bins;		/* the original's hive bins read so far */
	size_t nbins, bincap;
	uint64_t binsend;	/* where the last of them ends */
	unsigned char *bin;	/* the bytes of bins[curbin] */
	size_t curbin, binlen, bincap2;
	int havebin;
	struct diag *d;
	char *path[REGF_MAX_DEPTH + 1];
};

/* Make room for one more element in *V (N used of *CAP). */
static int
grow(void *v, size_t *cap, size_t n, size_t size)
{
	void **pv = v, *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 64;
	if ((nv = realloc(*pv, ncap * size)) == NULL)
		return -1;
	*pv = nv;
	*cap = ncap;
	return 0;
}

static int
oom(struct vctx *v)
{
	return diag_oom(v->d);
}

/* ------------------------------------------------------------ messages */

/* The path of key NODE of the original, found through its parents. */
static char *
key_text(const struct vctx *v, hive_node_h node)
{
	char *elems[REGF_MAX_DEPTH + 1] = { NULL }, *s;
	size_t n = 0, i;

	while (node != 0 && node != v->b->root && n <= REGF_MAX_DEPTH) {
		if ((elems[n] = hivex_node_name(v->b->h, node)) == NULL)
			break;
		n++;
		node = hivex_node_parent(v->b->h, node);
	}
	for (i = 0; i < n / 2; i++) {
		char *t = elems[i];

		elems[i] = elems[n - 1 - i];
		elems[n - 1 - i] = t;
	}
	s = node == v->b->root ? plan_key_text(v->b, elems, n) : NULL;
	for (i = 0; i < n; i++)
		free(elems[i]);
	return s;
}

/* The byte at LO of the original's cell at C changed and may not: say
 * what the cell is. */
static int
refuse_cell(struct vctx *v, uint64_t c, uint64_t lo)
{
	unsigned char h[8];
	char *what = NULL;

	if (fileio_pread_all(v->fb, h, sizeof h, c) != (ssize_t)sizeof h)
		memset(h, 0, sizeof h);
	if (memcmp(h + 4, "nk", 2) == 0) {
		char *k = key_text(v, (hive_node_h)c);

		if (k == NULL)
			what = strdup("a key");
		else if (asprintf(&what, "key '%s'", k) < 0)
			what = NULL;
		free(k);
	} else if (memcmp(h + 4, "vk", 2) == 0) {
		char *name = hivex_value_key(v->b->h, (hive_value_h)c);

		if (name != NULL && asprintf(&what, "value '%s'", name) < 0)
			what = NULL;
		free(name);
	} else if (memcmp(h + 4, "sk", 2) == 0)
		what = strdup("a security descriptor");
	else if (memcmp(h + 4, "lf", 2) == 0 || memcmp(h + 4, "lh", 2) == 0 ||
	    memcmp(h + 4, "ri", 2) == 0 || memcmp(h + 4, "li", 2) == 0)
		what = strdup("a subkey list");
	diag_error(v->d, v->a->path, 0, "verification failed: %s (the cell "
	    "at offset 0x%llx, changed at 0x%llx) differs outside the plan",
	    what ? what : "a value list or value data",
	    (unsigned long long)c, (unsigned long long)lo);
	free(what);
	return -1;
}

/* A difference found by walking a key that the plan touches. */
static void
differ(struct vctx *v, size_t n, const char *what, const char *name)
{
	char *k = plan_key_text(v->b, v->path, n);

	if (name != NULL)
		diag_error(v->d, v->a->path, 0, "verification failed: value "
		    "'%s' %s in '%s'", name, what, k ? k : "?");
	else
		diag_error(v->d, v->a->path, 0, "verification failed: %s in "
		    "'%s'", what, k ? k : "?");
	free(k);
}

/* ------------------------------------------------------------ step 1 */

static int
own_add(struct vctx *v, uint64_t off, enum own kind)
{
	if (grow(&v->own, &v->owncap, v->nown, sizeof *v->own) < 0)
		return oom(v);
	v->own[v->nown].off = off;
	v->own[v->nown].kind = kind;
	v->nown++;
	return 0;
}

/* The allocated cell of the original at stored offset REL: *ABS its file
 * offset, *LEN its size.  hive_open checked the original's structure;
 * this keeps the reads inside its hive bins all the same. */
static int
cell_of(struct vctx *v, uint32_t rel, uint64_t *abs, uint32_t *len)
{
	unsigned char s[4];
	uint64_t off = (uint64_t)rel + BINS_START;
	int32_t raw;

	if (rel == NONE || off % 4 != 0 || off + 8 > v->end ||
	    fileio_pread_all(v->fb, s, sizeof s, off) != (ssize_t)sizeof s)
		return -1;
	raw = (int32_t)regf_get32(s);
	if (raw > -8 || raw == INT32_MIN ||
	    (uint64_t)-(int64_t)raw > v->end - off)
		return -1;
	*abs = off;
	*len = (uint32_t)-raw;
	return 0;
}

/* The first N bytes of the original's cell at ABS (N <= its size), in a
 * new buffer. */
static unsigned char *
cell_read(struct vctx *v, uint64_t abs, size_t n)
{
	unsigned char *p = malloc(n ? n : 1);

	if (p != NULL && fileio_pread_all(v->fb, p, n, abs) != (ssize_t)n) {
		free(p);
		p = NULL;
	}
	return p;
}

static int
unreadable(struct vctx *v, uint64_t off)
{
	return diag_error(v->d, v->b->path, 0,
	    "verification failed: cannot read "
	    "the cell at offset 0x%llx of the original",
	    (unsigned long long)off);
}

/* Note the original's cell at stored offset REL, named by the cell at
 * FROM, as one that may change as KIND. */
static int
own_rel(struct vctx *v, uint32_t rel, enum own kind, uint64_t from)
{
	uint64_t abs;
	uint32_t len;

	if (cell_of(v, rel, &abs, &len) < 0)
		return unreadable(v, from);
	return own_add(v, abs, kind);
}

/* The cells of the value at stored offset REL. */
static int
own_value(struct vctx *v, uint32_t rel)
{
	unsigned char *h = NULL, *l = NULL;
	uint64_t abs, dabs, labs;
	uint32_t len, dlen, llen, dl, k, nseg;
	int r = -1;

	if (cell_of(v, rel, &abs, &len) < 0 || len < 0x18 ||
	    (h = cell_read(v, abs, 0x18)) == NULL)
		return unreadable(v, (uint64_t)rel + BINS_START);
	if (own_add(v, abs, OWN_CELL) < 0)
		goto out;
	dl = regf_get32(h + 8);
	if (dl & 0x80000000u || dl == 0) {
		r = 0;
		goto out;
	}
	if (cell_of(v, regf_get32(h + 0x0C), &dabs, &dlen) < 0) {
		r = unreadable(v, abs);
		goto out;
	}
	if (own_add(v, dabs, OWN_CELL) < 0)
		goto out;
	if (dl <= dlen - 4) {
		r = 0;
		goto out;
	}
	/* Longer than its cell: a big-data record (regfcheck.h). */
	free(h);
	if (dlen < 12 || (h = cell_read(v, dabs, 12)) == NULL ||
	    memcmp(h + 4, "db", 2) != 0 ||
	    cell_of(v, regf_get32(h + 8), &labs, &llen) < 0 ||
	    4 + 4 * (uint64_t)(nseg = regf_get16(h + 6)) > llen ||
	    (l = cell_read(v, labs, 4 + 4 * (size_t)nseg)) == NULL) {
		r = unreadable(v, dabs);
		goto out;
	}
	if (own_add(v, labs, OWN_CELL) < 0)
		goto out;
	for (k = 0; k < nseg; k++)
		if (own_rel(v, regf_get32(l + 4 + 4 * k), OWN_CELL, labs) < 0)
			goto out;
	r = 0;
out:
	free(h);
	free(l);
	return r;
}

static int own_key(struct vctx *, uint64_t, int, size_t);

/* The subkey list at stored offset REL of a key at DEPTH; the subkeys
 * too when GONE.  INDEX: REL is in an ri list (which holds no other). */
static int
own_list(struct vctx *v, uint32_t rel, int gone, size_t depth, int index)
{
	unsigned char *l;
	uint64_t abs;
	uint32_t len, n, k;
	int r = 0;

	if (cell_of(v, rel, &abs, &len) < 0 || len < 8 ||
	    (l = cell_read(v, abs, len)) == NULL)
		return unreadable(v, (uint64_t)rel + BINS_START);
	if (own_add(v, abs, OWN_CELL) < 0) {
		free(l);
		return -1;
	}
	n = regf_get16(l + 6);
	if ((memcmp(l + 4, "lf", 2) == 0 || memcmp(l + 4, "lh", 2) == 0) &&
	    8 + 8 * (uint64_t)n <= len) {
		for (k = 0; gone && r == 0 && k < n; k++)
			r = own_key(v, (uint64_t)regf_get32(l + 8 + 8 * k) +
			    BINS_START, 1, depth + 1);
	} else if (memcmp(l + 4, "li", 2) == 0 && 8 + 4 * (uint64_t)n <= len) {
		for (k = 0; gone && r == 0 && k < n; k++)
			r = own_key(v, (uint64_t)regf_get32(l + 8 + 4 * k) +
			    BINS_START, 1, depth + 1);
	} else if (!index && memcmp(l + 4, "ri", 2) == 0 &&
	    8 + 4 * (uint64_t)n <= len) {
		for (k = 0; r == 0 && k < n; k++)
			r = own_list(v, regf_get32(l + 8 + 4 * k), gone,
			    depth, 1);
	} else
		r = unreadable(v, abs);
	free(l);
	return r;
}

/* The cells of the original's key at NK (a file offset); with GONE, a key
 * the plan deletes, and every key below it. */
static int
own_key(struct vctx *v, uint64_t nk, int gone, size_t depth)
{
	unsigned char *k = NULL, *l = NULL;
	uint64_t abs, sabs;
	uint32_t len, slen, n, i;
	int r = -1;

	if (depth > REGF_MAX_DEPTH || nk < BINS_START ||
	    cell_of(v, (uint32_t)(nk - BINS_START), &abs, &len) < 0 ||
	    len < NK_FIXED || (k = cell_read(v, abs, NK_FIXED)) == NULL ||
	    memcmp(k + 4, "nk", 2) != 0) {
		free(k);
		return unreadable(v, nk);
	}
	if (own_add(v, abs, gone ? OWN_NK_GONE : OWN_NK_KEPT) < 0)
		goto out;
	if ((n = regf_get32(k + 0x28)) > 0) {
		if (cell_of(v, regf_get32(k + 0x2C), &abs, &len) < 0 ||
		    4 + 4 * (uint64_t)n > len ||
		    (l = cell_read(v, abs, 4 + 4 * (size_t)n)) == NULL) {
			r = unreadable(v, nk);
			goto out;
		}
		if (own_add(v, abs, OWN_CELL) < 0)
			goto out;
		for (i = 0; i < n; i++)
			if (own_value(v, regf_get32(l + 4 + 4 * i)) < 0)
				goto out;
	}
	if (regf_get32(k + 0x18) > 0 &&
	    own_list(v, regf_get32(k + 0x20), gone, depth, 0) < 0)
		goto out;
	/* hivex frees the class name of a key it deletes only. */
	if (gone && regf_get32(k + 0x34) != NONE &&
	    own_rel(v, regf_get32(k + 0x34), OWN_CELL, nk) < 0)
		goto out;
	if (regf_get32(k + 0x30) != NONE) {
		free(l);
		l = NULL;
		if (cell_of(v, regf_get32(k + 0x30), &sabs, &slen) < 0 ||
		    slen < 20 || (l = cell_read(v, sabs, 20)) == NULL ||
		    memcmp(l + 4, "sk", 2) != 0) {
			r = unreadable(v, nk);
			goto out;
		}
		if (own_add(v, sabs, OWN_SK) < 0)
			goto out;
		/* A security cell freed is taken out of the list of them:
		 * its neighbours' links change. */
		for (i = 0; gone && i < 2; i++)
			if (own_rel(v, regf_get32(l + 8 + 4 * i), OWN_SK_LINKS,
			    sabs) < 0)
				goto out;
	}
	r = 0;
out:
	free(k);
	free(l);
	return r;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static int
cmp_owned(const void *x, const void *y)
{
	const struct owned *a = x, *b = y;

	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

static int
cmp_kept(const void *x, const void *y)
{
	const struct kept *a = x, *b = y;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return a->node < b->node ? -1 : a->node > b->node;
}

static int
is_gone(const struct vctx *v, uint64_t node)
{
	return v->ngone > 0 && bsearch(&node, v->gone, v->ngone,
	    sizeof *v->gone, cmp_u64) != NULL;
}

/* The first entry of V->own for the cell at OFF, or NULL. */
static const struct owned *
owned_at(const struct vctx *v, uint64_t off)
{
	size_t lo = 0, hi = v->nown;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->own[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->nown && v->own[lo].off == off ? &v->own[lo] : NULL;
}

/* Is the cell at OFF noted as KIND? */
static int
owned_as(const struct vctx *v, uint64_t off, enum own kind)
{
	const struct owned *o;

	for (o = owned_at(v, off); o != NULL && o < v->own + v->nown &&
	    o->off == off; o++)
		if (o->kind == kind)
			return 1;
	return 0;
}

static int
kept_add(struct vctx *v, hive_node_h node, char *const *path, size_t n)
{
	if (grow(&v->kept, &v->keptcap, v->nkept, sizeof *v->kept) < 0)
		return oom(v);
	v->kept[v->nkept].node = node;
	v->kept[v->nkept].path = path;
	v->kept[v->nkept].n = n;
	v->nkept++;
	return 0;
}

/* Step 1: the keys the plan touches, and their cells. */
static int
collect(struct vctx *v)
{
	size_t i, k;

	for (i = 0; i < v->nch; i++) {
		const struct change *c = v->ch[i];
		hive_node_h node;

		switch (c->kind) {
		case CHANGE_SET_VALUE:
		case CHANGE_DELETE_VALUE:
			node = hive_lookup(v->b, v->b->root, c->key, c->nkey);
			if (node != 0 && kept_add(v, node, c->key, c->nkey) < 0)
				return -1;
			break;
		case CHANGE_DELETE_KEY:
			if (grow(&v->gone, &v->gonecap, v->ngone,
			    sizeof *v->gone) < 0)
				return oom(v);
			v->gone[v->ngone++] = c->node;
			/* FALLTHROUGH */
		case CHANGE_CREATE_KEY:
			if (c->nkey == 0)
				break;
			node = hive_lookup(v->b, v->b->root, c->key,
			    c->nkey - 1);
			if (node != 0 && kept_add(v, node, c->key,
			    c->nkey - 1) < 0)
				return -1;
			break;
		default:
			break;
		}
	}
	/* qsort and bsearch want an array even of nothing: an empty list
	 * here is NULL, so each is called only on a list that has items. */
	if (v->ngone > 1)
		qsort(v->gone, v->ngone, sizeof *v->gone, cmp_u64);
	for (i = 0; i < v->ngone; i++)
		if ((i == 0 || v->gone[i] != v->gone[i - 1]) &&
		    own_key(v, v->gone[i], 1, 0) < 0)
			return -1;
	if (v->nown > 1)
		qsort(v->own, v->nown, sizeof *v->own, cmp_owned);
	/* A key below one deleted is deleted; each kept key once (sorted,
	 * the same key is next to itself). */
	if (v->nkept > 1)
		qsort(v->kept, v->nkept, sizeof *v->kept, cmp_kept);
	for (i = k = 0; i < v->nkept; i++) {
		if (owned_as(v, v->kept[i].node, OWN_NK_GONE))
			continue;
		if (k == 0 || v->kept[k - 1].node != v->kept[i].node)
			v->kept[k++] = v->kept[i];
	}
	v->nkept = k;
	for (i = 0; i < v->nkept; i++)
		if (own_key(v, v->kept[i].node, 0, 0) < 0)
			return -1;
	if (v->nown > 1)
		qsort(v->own, v->nown, sizeof *v->own, cmp_owned);
	return 0;
}

/* ------------------------------------------------------------ step 2 */

/* May byte R of a cell of KIND change? */
static int
field_ok(enum own kind, uint64_t r)
{
	switch (kind) {
	case OWN_CELL:
	case OWN_NK_GONE:
		return 1;
	case OWN_NK_KEPT:
		return (r >= 0x18 && r < 0x1C) || (r >= 0x20 && r < 0x24) ||
		    (r >= 0x28 && r < 0x30) || (r >= 0x38 && r < 0x3A) ||
		    (r >= 0x40 && r < 0x48);
	case OWN_SK:
		return r >= 8 && r < 20;
	case OWN_SK_LINKS:
		return r >= 8 && r < 16;
	}
	return 0;
}

/* Bytes [LO, HI) of the original's allocated cell at C (size field RAW)
 * differ in the new file: allowed? */
static int
cell_change_ok(struct vctx *v, uint64_t c, int32_t raw, uint64_t lo,
    uint64_t hi)
{
	const struct owned *o = owned_at(v, c), *end = v->own + v->nown;
	uint64_t x;

	if (hive_cell_shared(v->b, c))
		return diag_error(v->d, v->a->path, 0,
		    "verification failed: the cell "
		    "at offset 0x%llx, which more than one key of the "
		    "original uses, changed: kbfix cannot tell what else "
		    "changed with it", (unsigned long long)c);
	for (x = lo; o != NULL && x < hi; x++) {
		const struct owned *e;

		for (e = o; e < end && e->off == c; e++) {
			if (field_ok(e->kind, x - c))
				break;
			/* A security cell no key uses any more is freed. */
			if (e->kind == OWN_SK && x - c < 4) {
				unsigned char s[20];

				if (fileio_pread_all(v->fa, s, sizeof s, c) ==
				    (ssize_t)sizeof s &&
				    regf_get32(s) == (uint32_t)-(int64_t)raw &&
				    regf_get32(s + 16) == 0)
					break;
			}
		}
		if (e == end || e->off != c)
			break;
	}
	if (o != NULL && x == hi)
		return 0;
	return refuse_cell(v, c, x);
}

/* The original's hive bin holding OFF, in V->bin. */
static int
load_bin(struct vctx *v, uint64_t off)
{
	size_t lo = 0, hi = v->nbins, len;
	uint64_t start;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->bins[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return unreadable(v, off);
	lo--;
	if (v->havebin && v->curbin == lo)
		return 0;
	start = v->bins[lo];
	len = (size_t)((lo + 1 < v->nbins ? v->bins[lo + 1] : v->binsend) -
	    start);
	if (len > v->bincap2) {
		unsigned char *nb = realloc(v->bin, len);

		if (nb == NULL)
			return oom(v);
		v->bin = nb;
		v->bincap2 = len;
	}
	v->havebin = 0;
	if (fileio_pread_all(v->fb, v->bin, len, start) != (ssize_t)len)
		return unreadable(v, start);
	v->curbin = lo;
	v->binlen = len;
	v->havebin = 1;
	return 0;
}

/* May bytes [LO, HI) of the base block change? */
static int
base_ok(struct vctx *v, uint64_t lo, uint64_t hi)
{
	uint64_t x;

	for (x = lo; x < hi; x++)
		if (!((x >= 4 && x < 20) || (x >= 40 && x < 44) ||
		    (x >= 508 && x < 512)))
			return diag_error(v->d, v->a->path, 0,
			    "verification failed: "
			    "the base block differs at offset 0x%llx",
			    (unsigned long long)x);
	return 0;
}

/* Bytes [LO, HI) of the original's hive bins differ in the new file. */
static int
change_ok(struct vctx *v, uint64_t lo, uint64_t hi)
{
	if (lo < BINS_START) {
		uint64_t e = hi < BINS_START ? hi : BINS_START;

		if (base_ok(v, lo, e) < 0)
			return -1;
		lo = e;
	}
	while (lo < hi) {
		uint64_t bin, c, bend, cend, piece;
		int32_t raw = 0;
		uint32_t size = 0;

		if (load_bin(v, lo) < 0)
			return -1;
		bin = v->bins[v->curbin];
		bend = bin + v->binlen;
		if (lo < bin + 32)
			return diag_error(v->d, v->a->path, 0,
			    "verification failed: "
			    "the header of the hive bin at offset 0x%llx "
			    "differs", (unsigned long long)bin);
		for (c = bin + 32; c < bend; c += size) {
			raw = (int32_t)regf_get32(v->bin + (c - bin));
			size = raw < 0 ? (uint32_t)-(int64_t)raw :
			    (uint32_t)raw;
			if (size < 8 || size % 4 != 0 || raw == INT32_MIN ||
			    size > bend - c)
				return unreadable(v, c);
			if (lo < c + size)
				break;
		}
		cend = c + size;
		piece = hi < cend ? hi : cend;
		if (raw < 0 && cell_change_ok(v, c, raw, lo, piece) < 0)
			return -1;
		/* A cell free in the original belongs to no key: hivex may
		 * write anything there. */
		lo = piece;
	}
	return 0;
}

/* Step 2: both files over the original's hive bins. */
static int
compare_files(struct vctx *v)
{
	unsigned char *pb = malloc(CHUNK), *pa = malloc(CHUNK);
	uint64_t off, next = BINS_START;
	size_t n, i, j;
	int r = -1;

	if (pb == NULL || pa == NULL) {
		r = oom(v);
		goto out;
	}
	for (off = 0; off < v->end; off += n) {
		n = v->end - off < CHUNK ? (size_t)(v->end - off) : CHUNK;
		if (fileio_pread_all(v->fb, pb, n, off) != (ssize_t)n) {
			diag_error(v->d, NULL, 0, "cannot read '%s': %s",
			    v->b->file, strerror(errno ? errno : EIO));
			goto out;
		}
		if (fileio_pread_all(v->fa, pa, n, off) != (ssize_t)n) {
			diag_error(v->d, v->a->path, 0, "verification failed: "
			    "shorter than the original's hive bins");
			goto out;
		}
		if (off == 0 && (regf_get32(pb + 40) != v->end - BINS_START ||
		    regf_get32(pa + 40) < regf_get32(pb + 40))) {
			diag_error(v->d, v->a->path, 0, "verification failed: "
			    "%s", regf_get32(pb + 40) != v->end - BINS_START ?
			    "the original changed while being read" :
			    "fewer hive bins than the original");
			goto out;
		}
		/* Hive bins start on 4 KB boundaries, and so do chunks: a
		 * bin header is never cut in two. */
		while (next < off + n) {
			const unsigned char *h = pb + (next - off);
			uint32_t size = regf_get32(h + 8);

			if (memcmp(h, "hbin", 4) != 0 || size < 4096 ||
			    size % 4096 != 0 || size > v->end - next) {
				r = unreadable(v, next);
				goto out;
			}
			if (grow(&v->bins, &v->bincap, v->nbins,
			    sizeof *v->bins) < 0) {
				r = oom(v);
				goto out;
			}
			v->bins[v->nbins++] = next;
			next += size;
			v->binsend = next;
		}
		if (memcmp(pb, pa, n) == 0)
			continue;
		for (i = 0; i < n; i = j) {
			while (i < n) {
				if (i % 64 == 0 && n - i >= 64 &&
				    memcmp(pb + i, pa + i, 64) == 0) {
					i += 64;
					continue;
				}
				if (pb[i] != pa[i])
					break;
				i++;
			}
			if (i == n)
				break;
			for (j = i + 1; j < n && pb[j] != pa[j]; j++)
				;
			if (change_ok(v, off + i, off + j) < 0)
				goto out;
		}
	}
	r = 0;
out:
	free(pb);
	free(pa);
	return r;
}

/* ------------------------------------------------------------ step 3 */

static int
key_is(const struct change *c, char *const *path, size_t n)
{
	size_t i;

	if (c->nkey != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!names_equal(c->key[i], path[i]))
			return 0;
	return 1;
}

/* The values of one key, found by name (as Windows compares names) in
 * O(1): a key holding n values the plan sets is checked in O(n). */
struct byname {
	struct strmap m;	/* name -> index + 1 */
};

static char *
name_id(const char *name)
{
	return strmap_id('v', NULL, NULL, 0, name);
}

/* The first of V[0..N) named NAME: its index, N when none, -1 when out
 * of memory. */
static long
byname_find(const struct byname *b, const char *name, size_t n)
{
	char *id = name_id(name);
	size_t r;

	if (id == NULL)
		return -1;
	r = strmap_get(&b->m, id);
	free(id);
	return r == STRMAP_NONE ? (long)n : (long)(r - 1);
}

/* Index V[0..N) by name, the first of equal names winning. */
static int
byname_make(struct byname *b, const struct hive_value *v, size_t n)
{
	size_t i;

	memset(b, 0, sizeof *b);
	for (i = n; i-- > 0;)
		if (strmap_put(&b->m, name_id(v[i].name), i + 1) < 0)
			return -1;
	return 0;
}

/* The last change of the plan to each value of key PATH[0..N): name ->
 * index in V->ch + 1. */
static int
final_values(const struct vctx *v, size_t n, struct strmap *m)
{
	size_t i;

	memset(m, 0, sizeof *m);
	for (i = 0; i < v->nch; i++) {
		const struct change *c = v->ch[i];

		if ((c->kind == CHANGE_SET_VALUE ||
		    c->kind == CHANGE_DELETE_VALUE) && key_is(c, v->path, n) &&
		    strmap_put(m, name_id(c->name), i + 1) < 0)
			return -1;
	}
	return 0;
}

/* The last change of the plan to value NAME (FINAL: final_values), NULL
 * if none; *OOM set when out of memory. */
static const struct change *
final_value(const struct vctx *v, const struct strmap *final,
    const char *name, int *oom)
{
	char *id = name_id(name);
	size_t r;

	if (id == NULL) {
		*oom = 1;
		return NULL;
	}
	r = strmap_get(final, id);
	free(id);
	return r == STRMAP_NONE ? NULL : v->ch[r - 1];
}

/* Does X hold what change C sets? */
static int
holds(const struct hive_value *x, const struct change *c)
{
	return c->kind == CHANGE_SET_VALUE && strcmp(x->name, c->name) == 0 &&
	    x->type == c->new.type && x->len == c->new.len &&
	    (x->len == 0 || memcmp(x->data, c->new.data, x->len) == 0);
}

/* Every value the plan sets on key PATH[0..N) is in VB (NB of them, BB
 * their index). */
static int
all_set(struct vctx *v, size_t n, const struct strmap *final,
    const struct byname *bb, size_t nb)
{
	size_t i;
	long j;
	int oom = 0;

	for (i = 0; i < v->nch; i++) {
		const struct change *c = v->ch[i];

		if (c->kind != CHANGE_SET_VALUE || !key_is(c, v->path, n) ||
		    final_value(v, final, c->name, &oom) != c)
			continue;
		if ((j = byname_find(bb, c->name, nb)) < 0 || oom)
			return -2;
		if ((size_t)j == nb) {
			differ(v, n, "was not set", c->name);
			return -1;
		}
	}
	return oom ? -2 : 0;
}

/* The values of key PATH[0..N): NA in the original (NULL: a key the plan
 * creates), NB in the new file. */
static int
cmp_values(struct vctx *v, hive_node_h na, hive_node_h nb, size_t n)
{
	struct hive_value *va = NULL, *vb = NULL;
	struct byname ba, bb;
	struct strmap final;
	size_t ca = 0, cb = 0, i, j;
	long f;
	int r = -1, oom = 0;

	memset(&ba, 0, sizeof ba);
	memset(&bb, 0, sizeof bb);
	memset(&final, 0, sizeof final);
	if ((na != 0 && hive_values(v->b, na, &va, &ca, v->d) < 0) ||
	    hive_values(v->a, nb, &vb, &cb, v->d) < 0)
		goto out;
	if (byname_make(&ba, va, ca) < 0 || byname_make(&bb, vb, cb) < 0 ||
	    final_values(v, n, &final) < 0)
		goto oom;
	for (i = 0; i < ca; i++) {
		const struct change *c = final_value(v, &final, va[i].name,
		    &oom);

		if ((f = byname_find(&bb, va[i].name, cb)) < 0 || oom)
			goto oom;
		j = (size_t)f;
		if (c == NULL && (j == cb || strcmp(va[i].name,
		    vb[j].name) != 0 || va[i].type != vb[j].type ||
		    va[i].len != vb[j].len || (va[i].len &&
		    memcmp(va[i].data, vb[j].data, va[i].len) != 0))) {
			differ(v, n, j == cb ? "is missing" : "differs",
			    va[i].name);
			goto out;
		}
		if (c != NULL && c->kind == CHANGE_DELETE_VALUE && j < cb) {
			differ(v, n, "was not deleted", va[i].name);
			goto out;
		}
	}
	for (j = 0; j < cb; j++) {
		const struct change *c = final_value(v, &final, vb[j].name,
		    &oom);

		if ((f = byname_find(&ba, vb[j].name, ca)) < 0 || oom)
			goto oom;
		if (c == NULL && (size_t)f == ca) {
			differ(v, n, "is unexpected", vb[j].name);
			goto out;
		}
		if (c != NULL && !holds(&vb[j], c)) {
			differ(v, n, c->kind == CHANGE_SET_VALUE ? "does not "
			    "hold what the plan sets" : "was not deleted",
			    vb[j].name);
			goto out;
		}
	}
	if ((r = all_set(v, n, &final, &bb, cb)) == -2)
		goto oom;
	goto out;
oom:
	diag_oom(v->d);
	r = -1;
out:
	strmap_free(&ba.m);
	strmap_free(&bb.m);
	strmap_free(&final);
	hive_values_free(va, ca);
	hive_values_free(vb, cb);
	return r;
}

/* Is key PATH[0..N) one the plan creates? */
static const struct change *
created(const struct vctx *v, size_t n)
{
	size_t i;

	for (i = 0; i < v->nch; i++)
		if (v->ch[i]->kind == CHANGE_CREATE_KEY &&
		    key_is(v->ch[i], v->path, n))
			return v->ch[i];
	return NULL;
}

/* Are the subkeys K in the order Windows keeps them?  *AT gets the first
 * out of place. */
static int
in_order(const struct hive_subkeys *k, size_t *at)
{
	size_t i;

	for (i = 1; i < k->n; i++)
		if (names_order(k->names[i - 1], k->names[i]) > 0) {
			*at = i;
			return 0;
		}
	return 1;
}

/* Windows finds a subkey by binary search: the subkeys KB of key
 * PATH[0..N) in the new file must be in its order, as those of the
 * original were (KA; NULL for a key the plan creates).  A list already
 * out of order (hivex misplaces names beyond ASCII) may stay so. */
static int
check_order(struct vctx *v, const struct hive_subkeys *ka,
    const struct hive_subkeys *kb, size_t n)
{
	char what[600];
	size_t at;

	if ((ka != NULL && !in_order(ka, &at)) || in_order(kb, &at))
		return 0;
	snprintf(what, sizeof what, "subkeys out of Windows' order ('%s' "
	    "listed before '%s')", kb->names[at - 1], kb->names[at]);
	differ(v, n, what, NULL);
	return -1;
}

/* Key PATH[N - 1], at NB in the new file, is one the plan creates: it
 * holds nothing the plan does not put there. */
static int
cmp_created(struct vctx *v, hive_node_h nb, size_t n)
{
	const struct hive_subkeys *kb;
	size_t i;

	if (n > REGF_MAX_DEPTH)
		return diag_error(v->d, v->a->path, 0,
		    "corrupt hive: keys nested "
		    "deeper than %d levels", REGF_MAX_DEPTH);
	if (cmp_values(v, 0, nb, n) < 0 || hive_subkeys(v->a, nb, &kb,
	    v->d) < 0)
		return -1;
	if (kb->bad_name) {
		differ(v, n, "corrupt subkey name", NULL);
		return -1;
	}
	if (check_order(v, NULL, kb, n) < 0)
		return -1;
	for (i = 0; i < kb->n; i++) {
		v->path[n] = kb->names[i];
		if (created(v, n + 1) == NULL) {
			differ(v, n + 1, "unexpected key", NULL);
			return -1;
		}
		if (cmp_created(v, kb->nodes[i], n + 1) < 0)
			return -1;
	}
	return 0;
}

struct slot {
	hive_node_h node;
	size_t i;
};

static int
cmp_slot(const void *x, const void *y)
{
	const struct slot *a = x, *b = y;

	return a->node < b->node ? -1 : a->node > b->node;
}

/* The subkeys of key PATH[0..N), at NODE in both files. */
static int
cmp_kids(struct vctx *v, hive_node_h node, size_t n)
{
	const struct hive_subkeys *ka, *kb;
	struct slot *s = NULL, key, *hit;
	unsigned char *seen = NULL;
	size_t i, j;
	int r = -1;

	if (n >= REGF_MAX_DEPTH)
		return 0;
	if (hive_subkeys(v->b, node, &ka, v->d) < 0 ||
	    hive_subkeys(v->a, node, &kb, v->d) < 0)
		return -1;
	if (ka->bad_name || kb->bad_name) {
		differ(v, n, "corrupt subkey name", NULL);
		return -1;
	}
	if (check_order(v, ka, kb, n) < 0)
		return -1;
	s = malloc((kb->n + 1) * sizeof *s);
	seen = calloc(kb->n + 1, 1);
	if (s == NULL || seen == NULL) {
		r = oom(v);
		goto out;
	}
	for (i = 0; i < kb->n; i++) {
		s[i].node = kb->nodes[i];
		s[i].i = i;
	}
	if (kb->n > 1)
		qsort(s, kb->n, sizeof *s, cmp_slot);
	for (i = 0; i < ka->n; i++) {
		key.node = ka->nodes[i];
		hit = kb->n > 0 ? bsearch(&key, s, kb->n, sizeof *s,
		    cmp_slot) : NULL;
		v->path[n] = ka->names[i];
		if (is_gone(v, ka->nodes[i])) {
			if (hit != NULL) {
				differ(v, n + 1, "key was not deleted", NULL);
				goto out;
			}
			continue;
		}
		if (hit == NULL) {
			differ(v, n + 1, "key is missing", NULL);
			goto out;
		}
		if (strcmp(ka->names[i], kb->names[hit->i]) != 0) {
			differ(v, n + 1, "key name spelling changed", NULL);
			goto out;
		}
		seen[hit->i] = 1;
	}
	for (j = 0; j < kb->n; j++) {
		if (seen[j])
			continue;
		v->path[n] = kb->names[j];
		for (i = 0; i < ka->n; i++)
			if (!is_gone(v, ka->nodes[i]) &&
			    names_equal(ka->names[i], kb->names[j]))
				break;
		if (i < ka->n || created(v, n + 1) == NULL) {
			differ(v, n + 1, "unexpected key", NULL);
			goto out;
		}
		if (cmp_created(v, kb->nodes[j], n + 1) < 0)
			goto out;
	}
	r = 0;
out:
	free(s);
	free(seen);
	return r;
}

/* Step 3: each touched key kept, parents first. */
static int
cmp_kept_keys(struct vctx *v)
{
	size_t i, k;

	for (i = 0; i < v->nkept; i++) {
		const struct kept *t = &v->kept[i];

		for (k = 0; k < t->n; k++)
			v->path[k] = t->path[k];
		if (cmp_values(v, t->node, t->node, t->n) < 0 ||
		    cmp_kids(v, t->node, t->n) < 0)
			return -1;
	}
	return 0;
}

int
verify_unchanged(const struct hive *before, const struct hive *after,
    const struct plan *p, struct diag *d)
{
	struct vctx *v = calloc(1, sizeof *v);
	size_t i, j, n = 0;
	int r = -1;

	if (v == NULL)
		return diag_oom(d);
	v->b = before;
	v->a = after;
	v->d = d;
	v->fb = v->fa = -1;
	v->end = BINS_START + (uint64_t)before->hdr.bins_size;
	if ((v->ch = calloc(plan_nchanges(p) + 1, sizeof *v->ch)) == NULL) {
		oom(v);
		goto out;
	}
	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++)
			if (p->entries[i].changes[j].hive == before)
				v->ch[n++] = &p->entries[i].changes[j];
	v->nch = n;
	if ((v->fb = open(before->file, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (v->fa = open(after->file, O_RDONLY | O_CLOEXEC)) < 0) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", v->fb < 0 ?
		    before->file : after->file, strerror(errno));
		goto out;
	}
	if (collect(v) == 0 && compare_files(v) == 0 && cmp_kept_keys(v) == 0)
		r = 0;
out:
	if (v->fb >= 0)
		close(v->fb);
	if (v->fa >= 0)
		close(v->fa);
	free(v->ch);
	free(v->own);
	free(v->kept);
	free(v->gone);
	free(v->bins);
	free(v->bin);
	free(v);
	return r;
}
