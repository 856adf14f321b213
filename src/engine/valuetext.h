/* valuetext.h: registry values as the dry run's diff shows them, and back.
 *
 * The diff is for people: strings as text, numbers also in decimal, bytes
 * in rows of 16.  It must still be exact: two different values (type and
 * bytes) never print the same, and valuetext_parse gives back the type
 * and bytes of what valuetext_format printed.  The notation is documented
 * in docs/diff-format.md:
 *
 *   "text"                       REG_SZ: UTF-16LE text and one NUL
 *   expand_sz:"text"             REG_EXPAND_SZ
 *   multi_sz:"a","b"             REG_MULTI_SZ: each string and its NUL,
 *                                then the NUL that ends the list
 *   "text" (no NUL)              a string without its terminating NUL
 *   multi_sz:"a" (no final NUL)  a list without the NUL that ends it
 *   dword:000007d0 (2000)        REG_DWORD, 4 bytes (decimal from 10 on)
 *   qword:00000000000007d0 (2000)  REG_QWORD, 8 bytes
 *   hex:3c,8a,...                REG_BINARY, and any other data, as
 *   hex(N):...                   type N (hexadecimal) and bytes
 *
 * Inside quotes: \\ \" \0 (NUL) \t \n \r and \u{HEX} for every other
 * character that would not show as itself (controls, invisible and
 * direction-changing characters, unpaired surrogates; everything past
 * ASCII unless VALUETEXT_UTF8).  Long lists and hex continue on lines of
 * their own after ",\" (a .reg file's continuation).
 */
#ifndef KBFIX_VALUETEXT_H
#define KBFIX_VALUETEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "remedy.h"

/* valuetext_format's FLAGS. */
#define VALUETEXT_UTF8 1	/* characters past ASCII as themselves (the
				 * output is UTF-8), not as \u{HEX} */

/* The notation of a value's data (what follows "name=" in the diff), as a
 * new string the caller frees; NULL on out-of-memory.  It holds "\n"
 * where it continues on another line (",\\\n  "). */
char *valuetext_format(uint32_t type, const void *data, size_t len,
    unsigned flags);

/* Parse TEXT[0..LEN), the notation as valuetext_format writes it (without
 * the diff's first column), into *TYPE, *DATA and *DLEN (*DATA is a new
 * buffer the caller frees, never NULL on success).  Returns 0, or -1 with
 * *ERR (a static message) and *ERRPOS (the offset in TEXT where it went
 * wrong). */
int valuetext_parse(const char *text, size_t len, uint32_t *type,
    unsigned char **data, size_t *dlen, const char **err, size_t *errpos);

/* The diff line of value NAME ("" is the default value, @) holding V:
 * PREFIX ('-' or '+'), the name as a .reg file quotes it, '=', the
 * notation; every continuation line starts with PREFIX too.  Returns 0,
 * or -1 on out-of-memory. */
int valuetext_line(FILE *f, char prefix, const char *name,
    const struct rvalue *v, unsigned flags);

/* What changed inside value NAME, set from OLD to NEW, below their two
 * lines: for a list (REG_MULTI_SZ, or a string split at SEP, the
 * separator of an edit-list, when SEP is not NULL), a comment line and
 * each entry removed ('-') and added ('+') on a line of its own; for a
 * long string changed in a small part, that part with some context, old
 * above new.  Nothing when neither applies.  OLD may be NULL (a value
 * created) when SEP is given: its entries are all added.  Returns 0, or
 * -1 on out-of-memory. */
int valuetext_inside(FILE *f, const char *name, const struct rvalue *old,
    const struct rvalue *new, const char *sep, unsigned flags);

#endif
