/* keylist.h: a key's subkeys, in every kind of list Windows writes, read
 * and changed in a hive file held in memory.
 *
 * Windows indexes the subkeys of a key in four kinds of list: "lf" and
 * "lh" leaves (an offset and a hash of the name per entry), "li" leaves
 * (offsets only) and "ri", an index of leaves for a key with many
 * subkeys (its leaves may be of different kinds).  It finds a subkey by
 * binary search, so every key's entries, read leaf after leaf, must be in
 * its order: names compared by UTF-16 code unit, each upcased, a name
 * before every longer name it begins.
 *
 * hivex (1.3.23) reads every kind, inserts into lf, lh and li leaves, but
 * unlinks a deleted key only from an lf or lh leaf (ENOTSUP otherwise,
 * after freeing the key's cells), and places a new key by comparing the
 * UTF-8 bytes of the names with ASCII letters upcased: beyond ASCII its
 * order is not Windows' ("é", C3 A9, goes after "Ê", C3 8A, where Windows
 * compares the units upcased, U+00C9 and U+00CA).  This module does what
 * hivex cannot, on the bytes of the file.
 *
 * Every function takes the file's bytes B up to END, the end of its hive
 * bins, and file offsets of cells (stored offsets count from the first
 * hive bin, file offset 4096).  Whatever it reads is checked to lie in an
 * allocated cell inside END: -1 means a cell that is not what it should
 * be, and B may then have been changed in part.
 */
#ifndef KBFIX_KEYLIST_H
#define KBFIX_KEYLIST_H

#include <stddef.h>
#include <stdint.h>

/* Compare the names of the key cells at NK1 and NK2 as Windows orders
 * subkeys: <0, 0 or >0 (0 also when a name cannot be read). */
int keylist_cmp(const unsigned char *b, size_t end, size_t nk1, size_t nk2);

/* The hash Windows stores beside a key in an lh leaf: for each UTF-16
 * code unit of the name (each byte of a name stored in Latin-1), h = h *
 * 37 + the unit upcased. */
uint32_t keylist_lh_hash(const unsigned char *name, size_t len, int latin1);

/* The 4-byte hint Windows stores beside a key in an lf leaf: the first
 * four characters of the name as bytes, zero-padded; all zeros when one
 * of them is above U+00FF. */
void keylist_lf_hint(const unsigned char *name, size_t len, int latin1,
    unsigned char out[4]);

/* The kind of the leaf of key PARENT that lists the key cell at CHILD:
 * 'f', 'h' or 'i' (lf, lh, li), or 0 when none does or the list cannot be
 * read. */
int keylist_leaf_kind(const unsigned char *b, size_t end, size_t parent,
    size_t child);

/* The subkey cells of key NK in stored order, read leaf after leaf: *OUT
 * (caller frees) gets *N file offsets.  Returns 0 or -1 (the list cannot
 * be read, or does not hold exactly the key's subkey count). */
int keylist_keys(const unsigned char *b, size_t end, size_t nk,
    size_t **out, size_t *n);

/* Nonzero if the subkeys of key NK, read leaf after leaf, are in
 * Windows' order (a key without subkeys is).  -1 if its list cannot be
 * read. */
int keylist_sorted(const unsigned char *b, size_t end, size_t nk);

/* Put the subkeys of key NK in Windows' order (a stable sort: keys whose
 * names compare equal keep their order), each leaf keeping its kind and
 * its number of entries, the hash or hint of each entry of an lf or lh
 * leaf computed for the key now there.  Nothing is written when they are
 * in order already.  *MOVED (may be NULL) is set when entries moved.
 * Returns 0 or -1. */
int keylist_sort(unsigned char *b, size_t end, size_t nk, int *moved);

/* Sort (keylist_sort) every key that lists a subkey in a leaf list cell
 * at or after file offset FROM, as hivex writes the leaves it inserts
 * into: the key is found through the parent field of the leaf's first
 * subkey, and sorted only if its list does hold that leaf.  *NSORTED (may
 * be NULL) counts the keys whose entries moved.  Returns 0 or -1. */
int keylist_sort_from(unsigned char *b, size_t end, size_t from,
    size_t *nsorted);

/* Delete the key at CHILD, a subkey of key PARENT, as Windows does: every
 * cell of CHILD and of the keys below it freed (values, their data and
 * big-data records, value and subkey lists, class names, the keys; each
 * security cell's reference count decremented, and the cell taken out of
 * the list of security cells and freed when no key uses it any more),
 * CHILD's entry taken out of PARENT's leaf, a leaf left empty taken out
 * of its ri list and freed, PARENT's subkey count decremented, and an
 * empty list freed and PARENT's list offset set to none.  A freed cell
 * keeps its bytes (only its size turns positive), as hivex and Windows
 * leave them.  Returns 0 or -1 (CHILD is not PARENT's subkey, or a cell
 * below it is not what it should be). */
int keylist_delete(unsigned char *b, size_t end, size_t parent,
    size_t child);

#endif
