/* hive.h: a thin layer over hivex: open with clear errors, recognise the
 * kind of hive from its content, look names up as Windows does, read
 * values, and map CurrentControlSet to ControlSet00N.
 */
#ifndef KBFIX_HIVE_H
#define KBFIX_HIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <hivex.h>

#include "diag.h"
#include "hivekind.h"
#include "regf.h"

struct hive_cache;
struct lock;

struct hive {
	char *path;		/* the user's file, as named in messages */
	char *file;		/* the file hivex opened: PATH, or the replay
				 * of its logs (recover.h) */
	hive_h *h;
	hive_node_h root;
	enum hive_kind kind;	/* from the content, never the file name */
	struct regf_header hdr;
	int writable;
	struct hive_cache *cache;	/* subkey lists read so far (hive.c) */
	size_t *shared;		/* cells more than one key uses, sorted
				 * (regfcheck.h); none on a write handle */
	size_t nshared;
	struct stat checked;	/* FILE as the structure check saw it */
	/* SYSTEM hives: the Select values, 0 when absent or not a DWORD. */
	unsigned int cs_current, cs_default, cs_lkg, cs_failed;
	const struct lock *lock;	/* apply and undo: PATH's lock
					 * (lock.h), which holds the file
					 * planned on; else NULL */
};

/* A value read from a hive. */
struct hive_value {
	char *name;		/* UTF-8 as stored; "" is the default value */
	uint32_t type;
	unsigned char *data;	/* raw bytes as stored */
	size_t len;
};

#define HIVE_OPEN_WRITE	1	/* read the whole file into memory for edits */

/* Open the hive at PATH.  The base block is checked first (regf_header_read)
 * so that a file that is not a hive, a truncated or corrupt one gets one
 * clear line in D; then hivex opens it (read-only: mmap, cheap; with
 * HIVE_OPEN_WRITE: read into memory).  Returns 0 and *OUT (caller frees
 * with hive_close) or -1. */
int hive_open(const char *path, int flags, struct hive **out, struct diag *d);
void hive_close(struct hive *hv);

/* Open HV's file again for writing (HIVE_OPEN_WRITE), as hive_open.  The
 * structure check is not made again when the file is still the one HV
 * checked (same inode, size, modification and change times): hive_open
 * already trusts the file not to change between its check and hivex's
 * read, and apply holds the hive's lock (lock.h) throughout. */
int hive_reopen_write(const struct hive *hv, struct hive **out,
    struct diag *d);

/* Let go of the pages of HV's file that hivex has read into this process
 * (a read-only hive is mapped, and hivex_open reads all of it): they leave
 * the process's resident memory, stay in the page cache, and come back
 * when hivex reads them again.  Apply calls it before reading the hive
 * whole for writing, so that it holds one copy of a hive at a time. */
void hive_release(const struct hive *hv);

/* Recognise the kind of hive from the root's subkeys.  FILE_NAME is the
 * base block's embedded name (a tiebreaker between NTUSER and DEFAULT);
 * may be NULL. */
enum hive_kind hive_detect(hive_h *h, hive_node_h root, const char *file_name);

/* Nonzero if the cell at file offset OFF is one that more than one key
 * of HV uses (regfcheck.h: regfcheck_shared). */
int hive_cell_shared(const struct hive *hv, size_t off);

/* The child of PARENT named NAME compared as Windows does, or 0. */
hive_node_h hive_child(const struct hive *hv, hive_node_h parent,
    const char *name);

/* The subkeys of a key with their names, in stored order. */
struct hive_subkeys {
	hive_node_h *nodes;
	char **names;		/* as hivex_node_name gives them */
	size_t n;		/* subkeys before the first unreadable name */
	int bad_name;		/* the subkey at N has an unreadable name */
};

/* The subkeys of PARENT.  Read once per key and kept until hive_close on a
 * read-only hive (a remedy's glob and the lookups of several remedies
 * under Services then list its thousands of subkeys once, not once per
 * lookup); read afresh on a writable one.  *OUT is borrowed: valid until
 * hive_close.  Returns 0, or -1 with D and errno set when the subkey list
 * is corrupt. */
int hive_subkeys(const struct hive *hv, hive_node_h parent,
    const struct hive_subkeys **out, struct diag *d);

/* Follow N literal ELEMS from FROM; 0 if some element is missing. */
hive_node_h hive_lookup(const struct hive *hv, hive_node_h from,
    char *const *elems, size_t n);

/* Read the value NAME of NODE ("" = default value).  Returns 1 and fills V
 * (free with hive_value_clear), 0 if there is no such value, -1 with D on a
 * corrupt value. */
int hive_value_get(const struct hive *hv, hive_node_h node, const char *name,
    struct hive_value *v, struct diag *d);

/* Read every value of NODE in stored order: *OUT has *N entries, freed with
 * hive_values_free.  Returns 0 or -1 with D. */
int hive_values(const struct hive *hv, hive_node_h node,
    struct hive_value **out, size_t *n, struct diag *d);

void hive_value_clear(struct hive_value *v);
void hive_values_free(struct hive_value *v, size_t n);

/* A value's data as text: REG_SZ/EXPAND_SZ/LINK decoded from UTF-16LE up to
 * the first NUL; NULL if the type is not a string type or the data is not
 * valid UTF-16.  Caller frees. */
char *hive_value_text(const struct hive_value *v);

/* UTF-8 TEXT as a string value's data: UTF-16LE plus a NUL.  Returns 0 and
 * fills *DATA (caller frees) and *LEN, or -1 if TEXT is not UTF-8. */
int hive_text_encode(const char *text, unsigned char **data, size_t *len);

/* A control set chosen by --control-set. */
struct control_set {
	unsigned int num;	/* N of ControlSet00N */
	char name[16];		/* "ControlSet002" */
	char label[32];		/* "current", "current, default", "all" ... */
};

/* Resolve SPEC ("current", "default", "lkg", "failed", "all", or a number)
 * on the SYSTEM hive HV.  *OUT gets *N sets (caller frees *OUT).  Errors
 * with the file named: not a SYSTEM hive, no Select key, Select\Current
 * missing or 0, a ControlSet00N that does not exist.  Returns 0 or -1. */
int hive_control_sets(const struct hive *hv, const char *spec,
    struct control_set **out, size_t *n, struct diag *d);

/* Nonzero if SPEC is a valid --control-set argument. */
int hive_control_set_spec_ok(const char *spec);

#endif
