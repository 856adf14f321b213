/* regfcheck.c: check a hive's cells and key tree before hivex reads it.
 *
 * Layout facts (offsets in a cell count from its 4-byte size field; cell
 * offsets stored in the file count from the first hive bin, file offset
 * 4096), from the regf specification and hivex's lib/hivex-internal.h:
 *   hive bin: "hbin", its own offset (4), its size (8), cells from 32;
 *   cell: int32 size, negative when allocated, a multiple of 4 (Windows
 *     uses 8) and at least 8 (hivex refuses smaller);
 *   nk: "nk" (4), flags (6; 0x20 = name stored as Latin-1, else UTF-16LE),
 *     subkey count (0x18), subkey list (0x20), value count (0x28), value
 *     list (0x2C), name length in bytes (0x4C), name (0x50);
 *   vk: "vk" (4), name length (6), data length (8; top bit = the data sits
 *     in the next field itself, at most 4 bytes), data offset (0x0C), type
 *     (0x10), flags (0x14; 1 = name stored as Latin-1), name (0x18);
 *   lf, lh: count (6), then 8-byte entries (offset, hash) from 8;
 *   li: count (6), then 4-byte offsets of nk cells from 8;
 *   ri: count (6), then 4-byte offsets of lf, lh or li lists from 8;
 *   value list: no signature, 4-byte vk offsets from 4;
 *   db: "db" (4), segment count (6), offset of the segment list (8), whose
 *     cell holds 4-byte segment offsets from 4.  hivex uses a db record
 *     when the data length does not fit in the data cell.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "keylist.h"
#include "names.h"
#include "regf.h"
#include "regfcheck.h"

#define BINS_START	4096

struct frame {
	size_t nk;		/* file offset of the key's cell */
	size_t kids;		/* its subkeys: c->kids[kids..kids+nkids) */
	size_t nkids, next;
};

struct chk {
	const unsigned char *b;
	size_t len;		/* file size */
	size_t end;		/* end of the hive bins */
	const char *name;
	struct diag *d;
	/* Four bits per 8 bytes of the file (no two cells start within 8
	 * bytes: a cell is 8 bytes at least), so that one cache line
	 * answers every question about a cell: an allocated cell starts
	 * at the slot (MAP_USED0) or 4 bytes into it (MAP_USED4), the key
	 * there was reached from the root or a key uses the cell as its
	 * security cell (MAP_KEY), a key uses it as a list, value or data
	 * (MAP_REACH). */
	unsigned char *map;
	size_t maplen;
	/* The cells of the key being checked that MAP_REACH marked, and
	 * those it found marked already: a key may list one value twice
	 * (hivex met such hives), only two keys sharing a cell count. */
	size_t *mine, *again;
	size_t nmine, minecap, nagain, againcap;
	size_t *shared;		/* cells used by more than one key */
	size_t nshared, sharedcap;
	int oom;
	/* The subkeys of the keys on the current path, each frame's after
	 * its parent's: a depth-first walk frees them in the order it
	 * allocates them. */
	size_t *kids;
	size_t nkids, kidcap;
	struct frame stack[REGF_MAX_DEPTH + 1];
	size_t depth;		/* frames in use - 1 */
	enum regfcheck_refusal why;	/* what was refused (regfcheck.h) */
	struct regfcheck_stats *st;	/* counts, or NULL */
};

#define MAP_USED0	1u
#define MAP_USED4	2u
#define MAP_KEY		4u
#define MAP_REACH	8u
#define MAP_SET(c, off, bit) \
	((c)->map[(off) / 16] |= (unsigned char)((bit) << ((off) / 8 % 2 * 4)))
#define MAP_TST(c, off, bit) \
	((c)->map[(off) / 16] >> ((off) / 8 % 2 * 4) & (bit))
#define MAP_USED(off)	((off) % 8 ? MAP_USED4 : MAP_USED0)

/* LEN zeroed bytes for a map over a whole hive.  Hives reach hundreds of
 * megabytes and their maps tens: on huge pages where the system allows,
 * since faulting them in 4 KB at a time costs more than the check. */
static unsigned char *
map_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (len >= 2u << 20)
		(void)madvise(p, len, MADV_HUGEPAGE);
#endif
	return p;
}

/* The size of the allocated cell at stored offset REL, or 0 if no
 * allocated cell starts there.  *ABS gets its file offset. */
static size_t
cell_at(const struct chk *c, uint32_t rel, size_t *abs)
{
	size_t off = (size_t)rel + BINS_START;

	if (rel >= c->end || off >= c->end || off % 4 != 0 ||
	    !MAP_TST(c, off, MAP_USED(off)))
		return 0;
	*abs = off;
	return (size_t)-(int32_t)regf_get32(c->b + off);
}

/* Append X to *V (N used of *CAP); on failure note it in C. */
static void
push(struct chk *c, size_t **v, size_t *n, size_t *cap, size_t x)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		size_t *nv = realloc(*v, ncap * sizeof *nv);

		if (nv == NULL) {
			c->oom = 1;
			return;
		}
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = x;
}

/* The key being checked uses the cell at OFF (not a key): a list, a
 * value or its data. */
static void
reach(struct chk *c, size_t off)
{
	if (MAP_TST(c, off, MAP_KEY))
		push(c, &c->shared, &c->nshared, &c->sharedcap, off);
	else if (MAP_TST(c, off, MAP_REACH))
		push(c, &c->again, &c->nagain, &c->againcap, off);
	else {
		MAP_SET(c, off, MAP_REACH);
		push(c, &c->mine, &c->nmine, &c->minecap, off);
	}
}

int
regfcheck_cmp_off(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/* The key checked is done: the cells it found marked that it did not
 * mark itself are shared with another key. */
static void
reach_done(struct chk *c)
{
	size_t i;

	if (c->nagain > 0) {
		if (c->nmine > 1)
			qsort(c->mine, c->nmine, sizeof *c->mine,
			    regfcheck_cmp_off);
		for (i = 0; i < c->nagain; i++)
			if (c->nmine == 0 || bsearch(&c->again[i], c->mine,
			    c->nmine, sizeof *c->mine,
			    regfcheck_cmp_off) == NULL)
				push(c, &c->shared, &c->nshared,
				    &c->sharedcap, c->again[i]);
	}
	c->nmine = c->nagain = 0;
}

static int
has_sig(const struct chk *c, size_t off, const char *sig)
{
	return c->b[off + 4] == (unsigned char)sig[0] &&
	    c->b[off + 5] == (unsigned char)sig[1];
}

/* Nonzero if the N bytes at P are UTF-16LE that iconv converts: an even
 * length and no unpaired surrogate. */
static int
utf16_ok(const unsigned char *p, size_t n)
{
	size_t i;

	if (n % 2 != 0)
		return 0;
	for (i = 0; i < n; i += 2) {
		unsigned u = regf_get16(p + i);

		if (u >= 0xDC00 && u < 0xE000)
			return 0;
		if (u >= 0xD800 && u < 0xDC00) {
			unsigned lo;

			if (i + 2 >= n)
				return 0;
			lo = regf_get16(p + i + 2);
			if (lo < 0xDC00 || lo >= 0xE000)
				return 0;
			i += 2;
		}
	}
	return 1;
}

/* A stored name as UTF-8 for messages, into OUT (SIZE bytes); anything
 * undecodable becomes '?'. */
static void
name_text(const unsigned char *p, size_t n, int latin1, char *out,
    size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < size; i += latin1 ? 1 : 2) {
		uint32_t ch;

		if (latin1)
			ch = p[i];
		else if (i + 1 < n)
			ch = regf_get16(p + i);
		else
			ch = '?';
		if (ch == 0 || (ch >= 0xD800 && ch < 0xE000))
			ch = '?';
		o += names_utf8_put(ch, out + o);
	}
	out[o] = '\0';
}

static void
key_name(const struct chk *c, size_t nk, char *out, size_t size)
{
	size_t cl = (size_t)-(int32_t)regf_get32(c->b + nk), n;

	if (cl < 0x50) {
		snprintf(out, size, "?");
		return;
	}
	n = regf_get16(c->b + nk + 0x4C);
	if (0x50 + n > cl)
		n = cl > 0x50 ? cl - 0x50 : 0;
	name_text(c->b + nk + 0x50, n, regf_get16(c->b + nk + 6) & 0x20, out,
	    size);
}

/* The path of the key on stack level DEPTH, below the root, for messages:
 * "ControlSet001\Services\Foo", "(root)"; long paths keep their first
 * three and last two elements. */
static char *
path_text(const struct chk *c, size_t depth)
{
	const size_t size = 6 * 260 + 16;
	char *s = malloc(size), *q = s;
	size_t i;

	if (s == NULL)
		return NULL;
	if (depth == 0) {
		snprintf(s, size, "(root)");
		return s;
	}
	*q = '\0';
	for (i = 1; i <= depth; i++) {
		if (depth > 6 && i == 4) {
			q += snprintf(q, size - (size_t)(q - s), "\\...");
			i = depth - 2;
			continue;
		}
		if (q != s)
			*q++ = '\\';
		key_name(c, c->stack[i].nk, q, 256);
		q += strlen(q);
	}
	return s;
}

/* Report a problem of the key on stack level DEPTH. */
static int
key_error(struct chk *c, size_t depth, const char *what)
{
	char *p = path_text(c, depth);

	diag_error(c->d, NULL, 0, "'%s': corrupt hive: key '%s': %s", c->name,
	    p ? p : "?", what);
	free(p);
	return -1;
}

/* The hive bins and the cells in them; marks the allocated cells. */
static int
check_bins(struct chk *c)
{
	size_t off = BINS_START;

	while (off < c->end) {
		size_t size, cell, bin_end;

		if (c->end - off < 32 || memcmp(c->b + off, "hbin", 4) != 0)
			return diag_error(c->d, NULL, 0,
			    "'%s': corrupt hive: no hive "
			    "bin at offset 0x%zx", c->name, off);
		if (regf_get32(c->b + off + 4) != off - BINS_START) {
			c->why = REGFCHECK_BIN_OFFSET;
			return diag_error(c->d, NULL, 0,
			    "'%s': corrupt hive: the hive "
			    "bin at offset 0x%zx says it is at 0x%zx", c->name,
			    off, (size_t)regf_get32(c->b + off + 4) +
			    BINS_START);
		}
		size = regf_get32(c->b + off + 8);
		if (size < 4096 || size % 4096 != 0 || size > c->end - off) {
			if (size % 4096 == 0 && size > c->end - off)
				c->why = REGFCHECK_BIN_PAST_END;
			return diag_error(c->d, NULL, 0,
			    "'%s': corrupt hive: the hive "
			    "bin at offset 0x%zx has a bad size (0x%zx)", c->name,
			    off, size);
		}
		bin_end = off + size;
		for (cell = off + 32; cell < bin_end; ) {
			int32_t raw;
			size_t cl;

			if (bin_end - cell < 4) {
				c->why = REGFCHECK_CELL_PAST_BIN;
				return diag_error(c->d, NULL, 0,
				    "'%s': corrupt hive: "
				    "cell at offset 0x%zx runs past the end of "
				    "its hive bin", c->name, cell);
			}
			raw = (int32_t)regf_get32(c->b + cell);
			cl = raw < 0 ? (size_t)0 - (size_t)(int64_t)raw :
			    (size_t)raw;
			if (cl < 8 || cl % 4 != 0 || raw == INT32_MIN) {
				/* The most negative size has no positive
				 * counterpart: hivex takes it as a size past
				 * every bin. */
				if (raw == INT32_MIN)
					c->why = REGFCHECK_CELL_PAST_BIN;
				return diag_error(c->d, NULL, 0,
				    "'%s': corrupt hive: "
				    "cell at offset 0x%zx has a bad size (%ld)",
				    c->name, cell, (long)raw);
			}
			if (cl > bin_end - cell) {
				c->why = REGFCHECK_CELL_PAST_BIN;
				return diag_error(c->d, NULL, 0,
				    "'%s': corrupt hive: "
				    "cell at offset 0x%zx runs past the end of "
				    "its hive bin", c->name, cell);
			}
			if (raw < 0)
				MAP_SET(c, cell, MAP_USED(cell));
			if (c->st != NULL && raw < 0) {
				c->st->used_cells++;
				c->st->used_bytes += cl;
			} else if (c->st != NULL) {
				c->st->free_cells++;
				c->st->free_bytes += cl;
			}
			cell += cl;
		}
		off = bin_end;
		if (c->st != NULL)
			c->st->bins++;
	}
	return 0;
}

/* The name of value cell VK for a message, in OUT (SIZE bytes).  Only
 * spelled out when there is a message to give: checking values is most of
 * the walk. */
static const char *
value_name(const struct chk *c, size_t vk, char *out, size_t size)
{
	name_text(c->b + vk + 0x18, regf_get16(c->b + vk + 6),
	    regf_get16(c->b + vk + 0x14) & 1, out, size);
	return out;
}

/* Check value cell VK (the I-th of key at DEPTH). */
static int
check_value(struct chk *c, size_t depth, size_t vk, size_t cl, uint32_t i)
{
	char what[600], vn[260];
	size_t n, dabs = 0, dl;
	uint32_t len, dofs;
	int latin1;

	if (cl < 0x18 || 0x18 + (size_t)regf_get16(c->b + vk + 6) > cl) {
		snprintf(what, sizeof what, "the name of value %u runs past "
		    "its cell", i + 1);
		return key_error(c, depth, what);
	}
	n = regf_get16(c->b + vk + 6);
	len = regf_get32(c->b + vk + 8);
	dofs = regf_get32(c->b + vk + 0x0C);
	latin1 = regf_get16(c->b + vk + 0x14) & 1;
	if (!latin1 && !utf16_ok(c->b + vk + 0x18, n)) {
		snprintf(what, sizeof what, "the name of value %u is not "
		    "valid UTF-16", i + 1);
		return key_error(c, depth, what);
	}
	if (len & 0x80000000u) {
		if ((len & 0x7FFFFFFF) > 4) {
			snprintf(what, sizeof what, "value '%s' holds %u bytes "
			    "inline (at most 4 fit)",
			    value_name(c, vk, vn, sizeof vn), len & 0x7FFFFFFF);
			return key_error(c, depth, what);
		}
		return 0;
	}
	if (len == 0)
		return 0;
	if ((dl = cell_at(c, dofs, &dabs)) == 0) {
		snprintf(what, sizeof what, "the data of value '%s' (%u bytes)"
		    " is not in a cell", value_name(c, vk, vn, sizeof vn),
		    len);
		return key_error(c, depth, what);
	}
	reach(c, dabs);
	if (len <= dl - 4)
		return 0;
	if (c->st != NULL)
		c->st->bigdata++;
	/* Longer than its cell: only a big-data record may hold it. */
	if (!has_sig(c, dabs, "db") || dl < 12) {
		if (has_sig(c, dabs, "db"))
			c->why = REGFCHECK_BIG_DATA;
		snprintf(what, sizeof what, "value '%s' claims %u bytes of "
		    "data, its cell holds %zu",
		    value_name(c, vk, vn, sizeof vn), len, dl - 4);
		return key_error(c, depth, what);
	}
	{
		uint16_t nseg = regf_get16(c->b + dabs + 6);
		size_t labs = 0;
		size_t ll = cell_at(c, regf_get32(c->b + dabs + 8), &labs);
		size_t room = 0;
		uint32_t k;

		if (ll == 0 || 4 + (size_t)nseg * 4 > ll) {
			if (ll != 0)
				c->why = REGFCHECK_BIG_DATA;
			snprintf(what, sizeof what, "the segment list of value"
			    " '%s' is not a cell of %u segments",
			    value_name(c, vk, vn, sizeof vn), nseg);
			return key_error(c, depth, what);
		}
		reach(c, labs);
		for (k = 0; k < nseg; k++) {
			size_t sabs, sl;

			sl = cell_at(c, regf_get32(c->b + labs + 4 + 4 * k),
			    &sabs);
			if (sl == 0) {
				snprintf(what, sizeof what, "segment %u of "
				    "value '%s' is not a cell", k + 1,
				    value_name(c, vk, vn, sizeof vn));
				return key_error(c, depth, what);
			}
			reach(c, sabs);
			room += sl - 4;
		}
		/* Each segment's cell holds its share of the data (Windows:
		 * 16,344 bytes, the last one less). */
		if (room < len) {
			c->why = REGFCHECK_BIG_DATA;
			snprintf(what, sizeof what, "value '%s' claims %u bytes "
			    "of data, its big-data segments hold %zu",
			    value_name(c, vk, vn, sizeof vn), len, room);
			return key_error(c, depth, what);
		}
	}
	return 0;
}

/* Add the nk cells of the leaf list at LABS (LL bytes) to F's subkeys: an
 * lf or lh list (8-byte entries, offset and hash) or an li list (4-byte
 * entries, offsets only). */
static int
add_leaf(struct chk *c, size_t depth, struct frame *f, size_t labs,
    size_t ll, uint32_t want)
{
	char what[200];
	size_t n = regf_get16(c->b + labs + 6), k;
	size_t w = has_sig(c, labs, "li") ? 4 : 8;

	if (8 + n * w > ll) {
		snprintf(what, sizeof what, "its subkey list at offset 0x%zx "
		    "is shorter than its %zu entries", labs, n);
		return key_error(c, depth, what);
	}
	for (k = 0; k < n; k++) {
		size_t kabs, kl;

		if (f->nkids >= want) {
			snprintf(what, sizeof what, "its subkey lists hold "
			    "more than its %u subkeys", want);
			return key_error(c, depth, what);
		}
		kl = cell_at(c, regf_get32(c->b + labs + 8 + w * k), &kabs);
		if (kl == 0 || !has_sig(c, kabs, "nk")) {
			snprintf(what, sizeof what, "subkey %zu is not a key "
			    "cell", f->nkids + 1);
			return key_error(c, depth, what);
		}
		c->kids[f->kids + f->nkids++] = kabs;
	}
	return 0;
}

/* Is the cell at ABS a leaf list: lf, lh or li? */
static int
is_leaf(const struct chk *c, size_t abs)
{
	return has_sig(c, abs, "lf") || has_sig(c, abs, "lh") ||
	    has_sig(c, abs, "li");
}

/* Count a leaf of kind K ('f', 'h', 'i'), in an ri list or not. */
static void
count_leaf(struct regfcheck_stats *st, int k, int in_ri)
{
	if (k == 'f')
		(*(in_ri ? &st->ri_lf : &st->lf))++;
	else if (k == 'h')
		(*(in_ri ? &st->ri_lh : &st->lh))++;
	else
		(*(in_ri ? &st->ri_li : &st->li))++;
}

/* Are the subkeys of F, the key at DEPTH, in the order Windows finds
 * them in?  Noted in the counts, the first such key spelled out. */
static void
check_order(struct chk *c, size_t depth, const struct frame *f)
{
	const size_t *k = c->kids + f->kids;
	size_t i;

	for (i = 1; i < f->nkids; i++)
		if (keylist_cmp(c->b, c->end, k[i - 1], k[i]) > 0)
			break;
	if (i >= f->nkids)
		return;
	if (c->st->unsorted++ == 0) {
		char *p = path_text(c, depth);

		snprintf(c->st->unsorted_key, sizeof c->st->unsorted_key,
		    "%s", p ? p : "?");
		free(p);
		key_name(c, k[i - 1], c->st->unsorted_a,
		    sizeof c->st->unsorted_a);
		key_name(c, k[i], c->st->unsorted_b, sizeof c->st->unsorted_b);
	}
}

/* Check the key cell of stack level DEPTH (already in c->stack) and
 * collect its subkeys. */
static int
check_key_cells(struct chk *c, size_t depth)
{
	struct frame *f = &c->stack[depth];
	size_t nk = f->nk, cl = (size_t)-(int32_t)regf_get32(c->b + nk);
	size_t n, labs = 0, ll;
	uint32_t nsub, nval, i;
	char what[200];

	if (cl < 0x50 || 0x50 + (size_t)regf_get16(c->b + nk + 0x4C) > cl)
		return key_error(c, depth, "its name runs past its cell");
	n = regf_get16(c->b + nk + 0x4C);
	if (!(regf_get16(c->b + nk + 6) & 0x20) &&
	    !utf16_ok(c->b + nk + 0x50, n))
		return key_error(c, depth, "its name is not valid UTF-16");
	nval = regf_get32(c->b + nk + 0x28);
	if (c->st != NULL) {
		c->st->keys++;
		c->st->values += nval;
	}
	if (nval > REGFCHECK_MAX_VALUES) {
		snprintf(what, sizeof what, "%u values, more than kbfix reads"
		    " (%d)", nval, REGFCHECK_MAX_VALUES);
		return key_error(c, depth, what);
	}
	if (nval > 0) {
		ll = cell_at(c, regf_get32(c->b + nk + 0x2C), &labs);
		if (ll == 0 || 4 + (size_t)nval * 4 > ll) {
			snprintf(what, sizeof what, "its value list is not a "
			    "cell of %u values", nval);
			return key_error(c, depth, what);
		}
		reach(c, labs);
		for (i = 0; i < nval; i++) {
			size_t vabs, vl;

			vl = cell_at(c, regf_get32(c->b + labs + 4 + 4 * i),
			    &vabs);
			if (vl == 0 || !has_sig(c, vabs, "vk")) {
				snprintf(what, sizeof what, "value %u is not a "
				    "value cell", i + 1);
				return key_error(c, depth, what);
			}
			reach(c, vabs);
			if (check_value(c, depth, vabs, vl, i) < 0)
				return -1;
		}
	}
	nsub = regf_get32(c->b + nk + 0x18);
	if (nsub == 0)
		return 0;
	if (nsub > REGFCHECK_MAX_SUBKEYS) {
		snprintf(what, sizeof what, "%u subkeys, more than kbfix reads"
		    " (%d)", nsub, REGFCHECK_MAX_SUBKEYS);
		return key_error(c, depth, what);
	}
	if (depth >= REGF_MAX_DEPTH) {
		char *p = path_text(c, depth);

		c->why = REGFCHECK_TOO_DEEP;
		diag_error(c->d, NULL, 0, "'%s': corrupt hive: keys nested "
		    "deeper than %d levels (under '%s')", c->name,
		    REGF_MAX_DEPTH, p ? p : "?");
		free(p);
		return -1;
	}
	ll = cell_at(c, regf_get32(c->b + nk + 0x20), &labs);
	if (ll == 0)
		return key_error(c, depth, "its subkey list is not a cell");
	reach(c, labs);
	if (c->kidcap - c->nkids < nsub) {
		size_t ncap = c->kidcap ? c->kidcap : 1024;
		size_t *nv;

		while (ncap - c->nkids < nsub)
			ncap *= 2;
		if ((nv = realloc(c->kids, ncap * sizeof *nv)) == NULL)
			return diag_oom(c->d);
		c->kids = nv;
		c->kidcap = ncap;
	}
	f->kids = c->nkids;
	c->nkids += nsub;
	/* Windows writes four kinds of subkey list: lf and lh (offset and
	 * hash), li (offsets only: NT 3.x and 4.0, and still written by XP,
	 * 7 and 8, directly under a key and as the parts of an ri), and ri,
	 * an index of such leaves for a key with many subkeys.  An ri holds
	 * leaves only: Windows never nests one ri in another (its index is
	 * one level deep by design), so an ri inside an ri is refused here,
	 * though hivex follows it (regfcheck.h: hostile shapes). */
	if (is_leaf(c, labs)) {
		if (c->st != NULL)
			count_leaf(c->st, c->b[labs + 5], 0);
		if (add_leaf(c, depth, f, labs, ll, nsub) < 0)
			return -1;
	} else if (has_sig(c, labs, "ri")) {
		size_t k, nl = regf_get16(c->b + labs + 6);

		if (8 + nl * 4 > ll)
			return key_error(c, depth, "its subkey index is "
			    "shorter than its entries");
		if (c->st != NULL)
			c->st->ri++;
		for (k = 0; k < nl; k++) {
			size_t sabs, sl;

			sl = cell_at(c, regf_get32(c->b + labs + 8 + 4 * k),
			    &sabs);
			if (sl != 0 && has_sig(c, sabs, "ri"))
				c->why = REGFCHECK_INDEX_IN_INDEX;
			if (sl == 0 || !is_leaf(c, sabs))
				return key_error(c, depth, "its subkey index "
				    "points at something other than an lf, lh "
				    "or li list");
			reach(c, sabs);
			if (c->st != NULL)
				count_leaf(c->st, c->b[sabs + 5], 1);
			if (add_leaf(c, depth, f, sabs, sl, nsub) < 0)
				return -1;
		}
	} else {
		snprintf(what, sizeof what, "its subkey list has an unknown "
		    "type ('%c%c')", c->b[labs + 4] >= 0x20 &&
		    c->b[labs + 4] < 0x7F ? c->b[labs + 4] : '?',
		    c->b[labs + 5] >= 0x20 && c->b[labs + 5] < 0x7F ?
		    c->b[labs + 5] : '?');
		return key_error(c, depth, what);
	}
	if (f->nkids != nsub) {
		snprintf(what, sizeof what, "it counts %u subkeys, its lists "
		    "hold %zu", nsub, f->nkids);
		return key_error(c, depth, what);
	}
	if (c->st != NULL)
		check_order(c, depth, f);
	return 0;
}

/* check_key_cells, and which cells the key shares with others.  Security
 * cells are shared by design (hivex does not read them; their reference
 * counts change with the keys that use them): only one that a list or
 * value uses too is noted. */
static int
check_key(struct chk *c, size_t depth)
{
	size_t nk = c->stack[depth].nk, sk;
	int r = check_key_cells(c, depth);

	if (r == 0 && cell_at(c, regf_get32(c->b + nk + 0x30), &sk) != 0) {
		if (has_sig(c, sk, "nk") || MAP_TST(c, sk, MAP_REACH))
			push(c, &c->shared, &c->nshared, &c->sharedcap, sk);
		else
			MAP_SET(c, sk, MAP_KEY);
	}
	reach_done(c);
	if (r == 0 && c->oom) {
		diag_oom(c->d);
		r = -1;
	}
	return r;
}

/* Depth-first over the key tree, without recursion. */
static int
walk(struct chk *c, size_t root)
{
	c->depth = 0;
	c->stack[0].nk = root;
	MAP_SET(c, root, MAP_KEY);
	if (check_key(c, 0) < 0)
		return -1;
	for (;;) {
		struct frame *f = &c->stack[c->depth];
		size_t kid;

		if (f->next == f->nkids) {
			c->nkids = f->kids;
			if (c->depth == 0)
				return 0;
			c->depth--;
			continue;
		}
		kid = c->kids[f->kids + f->next++];
		if (MAP_TST(c, kid, MAP_KEY)) {
			char *p = path_text(c, c->depth), an[260];
			size_t i;
			int loop = 0;

			/* Reached before: on the current path it is a
			 * loop, elsewhere a key with two parents. */
			for (i = 0; i <= c->depth; i++)
				if (c->stack[i].nk == kid)
					loop = 1;
			key_name(c, kid, an, sizeof an);
			if (!loop)
				c->why = REGFCHECK_KEY_TWICE;
			if (loop)
				diag_error(c->d, NULL, 0, "'%s': corrupt hive: "
				    "key '%s' lists its own ancestor '%s' as a "
				    "subkey", c->name, p ? p : "?", an);
			else
				diag_error(c->d, NULL, 0, "'%s': corrupt hive: "
				    "key '%s' lists '%s', a subkey of another "
				    "key", c->name, p ? p : "?", an);
			free(p);
			return -1;
		}
		/* A key whose cell a list or a value uses too. */
		if (MAP_TST(c, kid, MAP_REACH))
			push(c, &c->shared, &c->nshared, &c->sharedcap, kid);
		MAP_SET(c, kid, MAP_KEY);
		c->depth++;
		c->stack[c->depth].nk = kid;
		c->stack[c->depth].kids = c->nkids;
		c->stack[c->depth].nkids = c->stack[c->depth].next = 0;
		if (check_key(c, c->depth) < 0)
			return -1;
	}
}

const char *
regf_refusal_name(enum regfcheck_refusal why)
{
	switch (why) {
	case REGFCHECK_ACCEPTED:
		return "accepted";
	case REGFCHECK_CORRUPT:
		break;
	case REGFCHECK_BASE_BLOCK:
		return "base block";
	case REGFCHECK_BIN_OFFSET:
		return "bin offset";
	case REGFCHECK_BIN_PAST_END:
		return "bin past end";
	case REGFCHECK_CELL_PAST_BIN:
		return "cell past bin";
	case REGFCHECK_KEY_TWICE:
		return "key twice";
	case REGFCHECK_TOO_DEEP:
		return "too deep";
	case REGFCHECK_BIG_DATA:
		return "big data";
	case REGFCHECK_INDEX_IN_INDEX:
		return "index in index";
	}
	return "corrupt";
}

int
regf_check(const unsigned char *buf, size_t len, const char *name,
    struct regfcheck_shared *sh, struct diag *d)
{
	return regf_check_ex(buf, len, name, sh, d, NULL, NULL);
}

int
regf_check_ex(const unsigned char *buf, size_t len, const char *name,
    struct regfcheck_shared *sh, struct diag *d,
    enum regfcheck_refusal *why, struct regfcheck_stats *st)
{
	struct chk *c;
	size_t root = 0, i, n;
	int rc = -1;

	if (why != NULL)
		*why = REGFCHECK_CORRUPT;
	if (st != NULL)
		memset(st, 0, sizeof *st);
	if (sh != NULL) {
		sh->cells = NULL;
		sh->n = 0;
	}

	if (len < BINS_START)
		return diag_error(d, NULL, 0, "'%s': truncated base block",
		    name);
	if ((c = calloc(1, sizeof *c)) == NULL)
		goto oom;
	c->b = buf;
	c->len = len;
	c->end = BINS_START + (size_t)regf_get32(buf + 40);
	if (c->end > len || c->end < BINS_START) {
		if (why != NULL)
			*why = REGFCHECK_BASE_BLOCK;
		diag_error(d, NULL, 0, "'%s': hive bins size past the end of "
		    "the file", name);
		free(c);
		return -1;
	}
	c->name = name;
	c->d = d;
	c->why = REGFCHECK_CORRUPT;
	c->st = st;
	c->maplen = c->end / 16 + 1;
	if ((c->map = map_alloc(c->maplen)) == NULL)
		goto oom;
	if (check_bins(c) < 0)
		goto out;
	if (cell_at(c, regf_get32(buf + 36), &root) == 0 ||
	    !has_sig(c, root, "nk")) {
		diag_error(d, NULL, 0, "'%s': corrupt hive: no root key at "
		    "offset 0x%zx", name,
		    (size_t)regf_get32(buf + 36) + BINS_START);
		goto out;
	}
	rc = walk(c, root);
	if (rc == 0 && sh != NULL && c->nshared > 0) {
		qsort(c->shared, c->nshared, sizeof *c->shared,
		    regfcheck_cmp_off);
		for (i = n = 0; i < c->nshared; i++)
			if (n == 0 || c->shared[n - 1] != c->shared[i])
				c->shared[n++] = c->shared[i];
		sh->cells = c->shared;
		sh->n = n;
		c->shared = NULL;
	}
out:
	if (c != NULL) {
		if (why != NULL)
			*why = rc == 0 ? REGFCHECK_ACCEPTED : c->why;
		if (c->map != NULL)
			munmap(c->map, c->maplen);
		free(c->kids);
		free(c->mine);
		free(c->again);
		free(c->shared);
		free(c);
	}
	return rc;
oom:
	diag_oom(d);
	goto out;
}
