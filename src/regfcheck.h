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

#endif
