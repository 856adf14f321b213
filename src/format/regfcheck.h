/* regfcheck.h: the structure of a hive checked before hivex reads it.
 *
 * hivex checks each cell it reads against a table of cell starts, but not
 * that a cell ends inside the file, nor the length of an index-root ("ri")
 * list or of a big-data ("db") block list, so a hostile hive can make it
 * read past the end of its mapping.  It follows subkey lists wherever they
 * point (a list naming an ancestor makes every recursive walk endless),
 * and several of its lookups (hivex_node_get_child, hivex_node_get_value)
 * answer "not found" when a name or list is unreadable, which would turn a
 * corrupt key into a missing one.  kbfix therefore checks, once, when a
 * hive is opened, that everything reachable from the root is what hivex
 * can read: every key reached once, no deeper than Windows allows.
 */
#ifndef KBFIX_REGFCHECK_H
#define KBFIX_REGFCHECK_H

#include <stddef.h>

#include "diag.h"

/* hivex's own limits (1.3.23, lib/hivex-internal.h): a key with more
 * subkeys or values, or a value with more data, is refused by hivex. */
#define REGFCHECK_MAX_SUBKEYS	70000
#define REGFCHECK_MAX_VALUES	110000

/* The cells that more than one key uses: a list, value or data cell
 * reached from two keys, a key's cell used as a list, value or data too, a
 * security cell used as one.  Windows writes no such thing; a key that
 * lists one value twice shares nothing.  Offsets in the file, sorted. */
struct regfcheck_shared {
	size_t *cells;
	size_t n;
};

/* The order of those offsets: qsort's and bsearch's comparison of two
 * size_t. */
int regfcheck_cmp_off(const void *x, const void *y);

/* What regf_check refused.  The differential test (tests/cli_hivediff.sh)
 * and the hive fuzzer (fuzz/fuzz_hive.c) hold the check to this list
 * through hivexwalk.h: when hivex reads a hive whole (every key and value
 * reached through its calls, no subkey list looping back), kbfix must
 * accept it, unless it refuses one of the hostile shapes below.  Each
 * says why hivex's acceptance is not enough; none of them is written by
 * Windows, and the real hives of ../shared/hives-real hold none. */
enum regfcheck_refusal {
	REGFCHECK_ACCEPTED = 0,
	/* Anything else: a structure hivex cannot read either (a cell that
	 * is not what it is named as, a list shorter than its count...).
	 * A disagreement here is a bug of the check. */
	REGFCHECK_CORRUPT,
	/* The base block (regf_header_parse, and the bins size again
	 * here): the file type of a transaction log, a hive bins size that
	 * is no multiple of 4096 or runs past the end of the file (a cut
	 * copy), a checksum without Windows' special cases.  hivex reads
	 * none of these fields but the checksum, which it computes
	 * without the special cases; it reads a cut copy's bins as far as
	 * the file goes, and hivex_commit writes the size back as it found
	 * it.  Windows takes such a base block as damaged and recovers the
	 * hive from its logs. */
	REGFCHECK_BASE_BLOCK,
	/* A hive bin that gives another offset than its own: the mark of a
	 * file pieced together from pieces of others (a carved or damaged
	 * copy).  The bins' own offsets are what Windows and libregf go
	 * by; hivex ignores them, so the file reads differently in each. */
	REGFCHECK_BIN_OFFSET,
	/* A hive bin whose size runs past the end of the hive bins: hivex
	 * reads the cells in it to its end, past the bins and the file. */
	REGFCHECK_BIN_PAST_END,
	/* A cell whose size runs past the end of its hive bin (or the
	 * most negative size, which has no positive one): hivex checks
	 * the start of each cell it reads, never its end, so the cell's
	 * last fields are read from the next bin or past the file's
	 * mapping (a crash, or a read of another process's leftovers). */
	REGFCHECK_CELL_PAST_BIN,
	/* A key listed twice: under two parents, or twice under one.
	 * hivex reads it once per listing, so a chain of such keys makes
	 * every walk exponential, and a change made to it through one
	 * parent is a change under the other, which the plan never saw
	 * (verify.h compares only the keys a plan touches). */
	REGFCHECK_KEY_TWICE,
	/* Keys nested deeper than Windows' limit of 512 levels: Windows
	 * refuses to load such a hive, and every recursive walk (hivex's
	 * hivex_visit among them) runs out of stack on a deep enough one. */
	REGFCHECK_TOO_DEEP,
	/* A big-data value whose segment list is shorter than its count of
	 * segments, or whose segments hold less than the value's length:
	 * hivex reads segment offsets past the list's cell, and gives what
	 * the segments hold as the whole value, shorter than the length
	 * the value claims and without an error, where Windows reads the
	 * length claimed.  The value read would not be the value stored:
	 * a dry run would show, and an undo file restore, another one. */
	REGFCHECK_BIG_DATA,
	/* An ri list inside an ri list: Windows' index is one level deep
	 * by design and it never writes one; hivex follows ri lists into
	 * each other (unbounded until CVE-2021-3622), and its writes
	 * (insert_subkey) do not handle the nesting. */
	REGFCHECK_INDEX_IN_INDEX,
};

/* A name for a refusal: "corrupt", "bin offset", ... (static). */
const char *regf_refusal_name(enum regfcheck_refusal why);

/* Check the LEN bytes of the hive file BUF, whose base block was already
 * checked by regf_header_parse (hive bins size inside LEN).  Checked:
 *  - every hive bin: signature, its own offset, size; every cell: size,
 *    inside its bin;
 *  - from the root, every key reachable: an "nk" cell of the right size
 *    with a readable name (valid UTF-16 when not stored as Latin-1);
 *    its value list and each value ("vk", readable name, data inside its
 *    cell or a well-formed big-data record); its subkey list (lf, lh or
 *    li, or an ri of such lists, kinds mixed: what Windows writes)
 *    holding exactly the subkey count;
 *  - no key reached twice (a list that loops back to an ancestor, or a
 *    key listed under two parents), no key deeper than 512 levels.
 * Returns 0, or -1 with one line in D naming NAME and, where known, the
 * key by its path.  On success, SH (unless NULL) gets the shared cells
 * (regfcheck_shared; the caller frees SH->cells), which are not an error:
 * hivex reads them, only a change in one is not the change of one key. */
int regf_check(const unsigned char *buf, size_t len, const char *name,
    struct regfcheck_shared *sh, struct diag *d);

/* What the check counts on its way (kbfix check). */
struct regfcheck_stats {
	size_t keys, values;	/* reached from the root, as reglookup
				 * counts them */
	size_t bigdata;		/* values held in big-data records */
	size_t lf, lh, li;	/* keys whose list is one leaf of a kind */
	size_t ri;		/* keys whose list is an ri ... */
	size_t ri_lf, ri_lh, ri_li;	/* ... and the leaves in them */
	size_t bins;
	size_t used_cells, free_cells;
	unsigned long long used_bytes, free_bytes;
	/* Keys whose subkeys are out of the order Windows finds them in
	 * (keylist.h), and the first: its path, the two names. */
	size_t unsorted;
	char unsorted_key[1600], unsorted_a[300], unsorted_b[300];
};

/* regf_check; *WHY (may be NULL) says what it refused
 * (REGFCHECK_ACCEPTED when it returns 0); ST (may be NULL) gets the
 * counts, the order of every key's subkeys checked too (which costs a
 * comparison of names per subkey). */
int regf_check_ex(const unsigned char *buf, size_t len, const char *name,
    struct regfcheck_shared *sh, struct diag *d,
    enum regfcheck_refusal *why, struct regfcheck_stats *st);

#endif
