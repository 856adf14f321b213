/* names.h: key and value names compared as Windows compares them.
 *
 * Windows compares names case-insensitively by upcasing each UTF-16 code
 * unit; the KB articles themselves write "SMSPerfCountersFor" and
 * "SMSPerfCountersfor" for the same keys.  hivex's own lookups fold ASCII
 * only, so kbfix does its own comparisons.
 */
#ifndef KBFIX_NAMES_H
#define KBFIX_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Nonzero if the UTF-8 names A and B are equal ignoring case. */
int names_equal(const char *a, const char *b);

/* Compare the UTF-8 names A and B in the order Windows keeps the subkeys
 * of a key (it finds them by binary search): UTF-16 code unit by code
 * unit, each upcased, a name before every longer name it begins.  <0, 0
 * (names_equal) or >0.  "A_B" comes after "AB": '_' is above 'A'. */
int names_order(const char *a, const char *b);

/* Nonzero if NAME matches the glob PATTERN ignoring case: '*' matches any
 * run of characters, '?' one character; no other magic (backslash is an
 * ordinary character, as in key names).  Runs in O(len(pattern) *
 * len(name)) at worst: no backtracking blow-up on hostile patterns. */
int names_match(const char *pattern, const char *name);

/* NAME upcased as Windows compares it, as a new UTF-8 string (caller
 * frees); NULL on out-of-memory. */
char *names_fold(const char *name);

/* Decode one strict UTF-8 character from S (at most N bytes): returns its
 * length and stores the code point in *CP, or 0 when the bytes are not
 * valid UTF-8 (overlong forms, surrogates and values past U+10FFFF are
 * refused). */
size_t names_utf8_get(const unsigned char *s, size_t n, uint32_t *cp);

/* Write code point C as UTF-8 at OUT (room for 4 bytes); returns the
 * number of bytes written. */
size_t names_utf8_put(uint32_t c, char *out);

/* The UTF-16 code unit U upcased as Windows upcases names (the lh hash of
 * a key name is computed on these). */
uint16_t names_upcase_unit(uint16_t u);

/* Nonzero if the key A[0..NA) is B[0..NB) or a key above it, each name
 * compared as names_equal does. */
int names_prefix(char *const *a, size_t na, char *const *b, size_t nb);

/* Nonzero if S holds '*' or '?'. */
int names_is_pattern(const char *s);

/* The value of the hexadecimal digit C (either case), or -1. */
int names_hexval(int c);

#endif
