/* strmap.h: a map from strings to numbers (open addressing), for the
 * checks and lookups that go over every change of a plan: with it, a plan
 * of n changes costs O(n) to check, not O(n^2). */
#ifndef KBFIX_STRMAP_H
#define KBFIX_STRMAP_H

#include <stddef.h>

struct strmap {
	char **keys;
	size_t *vals;
	size_t size, n;		/* SIZE a power of 2, more than twice N */
};

#define STRMAP_NONE ((size_t)-1)

/* The number of K, or STRMAP_NONE when K is not in M (or is NULL). */
size_t strmap_get(const struct strmap *m, const char *k);

/* Map K (taken over: freed when M is) to V, replacing the number of a K
 * already there.  Returns 0, or -1 when K is NULL or out of memory (K is
 * then freed). */
int strmap_put(struct strmap *m, char *k, size_t v);

/* Free the keys and the map; M is empty again. */
void strmap_free(struct strmap *m);

/* What a change touches as one key of a map, names compared as Windows
 * compares them: KIND (a letter), TAG (a pointer that tells hives apart,
 * or NULL), the key KEY[0..N) and NAME (NULL for a key).  Each element
 * is upcased and written with its length, so that no name passes for
 * two.  A new string, NULL when out of memory. */
char *strmap_id(int kind, const void *tag, char *const *key, size_t n,
    const char *name);

#endif
