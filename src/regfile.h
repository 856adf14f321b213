/* regfile.h: .reg files ("Windows Registry Editor Version 5.00").
 *
 * kbfix reads them (test fixtures, undo files) and writes them (dry run
 * --format reg, undo files).  The text form of a value is the one regedit
 * writes: "name"="text", dword:0000abcd, hex:.., hex(2):.., hex(7):..,
 * hex(b):.., hex(0):.., hex(ffff0012):.., "name"=- for a deletion.
 */
#ifndef KBFIX_REGFILE_H
#define KBFIX_REGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#include <hivex.h>

struct regfile_value {
	char *name;		/* UTF-8; "" is the default value (@) */
	uint32_t type;
	unsigned char *data;	/* as stored in a hive */
	size_t len;
	int delete;		/* "name"=- */
	long line;
};

struct regfile_key {
	char *path;		/* as written between the brackets */
	int delete;		/* [-path] */
	struct regfile_value *values;
	size_t nvalues;
	long line;
};

struct regfile {
	struct regfile_key *keys;
	size_t nkeys;
};

/* Parse TEXT (UTF-8, or UTF-16LE with a BOM as regedit writes it).  NAME is
 * used in messages.  All errors are added to D as NAME:LINE: error: ...
 * Returns 0 and *OUT (caller frees with regfile_free), or -1. */
int regfile_parse(const char *text, size_t len, const char *name,
    struct regfile **out, struct diag *d);
int regfile_parse_file(const char *path, struct regfile **out,
    struct diag *d);
void regfile_free(struct regfile *rf);

/* regfile_format_value's FLAGS. */
#define REGFILE_ASCII_SZ 1	/* a REG_SZ beyond ASCII as hex(1) */

/* The .reg text of one value, without newline: "Name"="data" or
 * "Name"=hex(2):... .  A string type is written as text only if its data
 * is exactly valid UTF-16 text plus one NUL, so that parsing the line back
 * gives the same bytes; otherwise hex(N).  The text is UTF-8, which kbfix
 * reads back but other readers may not: hivexregedit --merge takes the
 * bytes of a .reg string as Latin-1, and regedit takes a file without BOM
 * in the ANSI code page.  With REGFILE_ASCII_SZ, a string holding anything
 * but printable ASCII is written as hex(1), which every reader takes as
 * UTF-16LE bytes.  Never wraps lines.  Returns a new string the caller
 * frees, NULL on out-of-memory. */
char *regfile_format_value(const char *name, uint32_t type,
    const void *data, size_t len, unsigned flags);

/* Merge RF into the hive open for writing in H, as regedit would: keys
 * created as needed, [-key] deletes a subtree, "v"=- deletes a value, a
 * value set keeps the spelling of an existing value's name.  PREFIX is the
 * root the .reg paths start with (e.g. "HKEY_LOCAL_MACHINE\\SYSTEM"), which
 * is stripped; a key outside it is an error.  Returns 0 or -1 with D. */
int regfile_apply(hive_h *h, const struct regfile *rf, const char *prefix,
    const char *name, struct diag *d);

#endif
