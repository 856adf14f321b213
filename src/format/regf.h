/* regf.h: the raw registry file format, below hivex.
 *
 * hivex reads and edits hives but leaves some of the format to its caller:
 * it cannot create a hive, its base block checksum misses two special
 * cases, it does not bump the sequence numbers, and it writes values longer
 * than 16,344 bytes as one cell where Windows (hive version 1.4 and later)
 * uses big-data ("db") records.  This module does those parts on the file.
 *
 * Offsets are in the file; the hive bins start at 4096.
 */
#ifndef KBFIX_REGF_H
#define KBFIX_REGF_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define REGF_BASE_BLOCK_SIZE	4096
#define REGF_BIGDATA_THRESHOLD	16344	/* longest value stored in one cell */
#define REGF_MAX_DEPTH		512	/* Windows' own limit of key nesting */

/* The format's little-endian fields, wherever they sit in memory. */
static inline uint16_t
regf_get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
regf_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
regf_get64(const unsigned char *p)
{
	return (uint64_t)regf_get32(p) | (uint64_t)regf_get32(p + 4) << 32;
}

static inline void
regf_put16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static inline void
regf_put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

struct regf_header {
	uint32_t seq1;			/* primary sequence number, offset 4 */
	uint32_t seq2;			/* secondary sequence number, offset 8 */
	uint64_t timestamp;		/* FILETIME, offset 12 */
	uint32_t major, minor;		/* offsets 20, 24 */
	uint32_t file_type;		/* offset 28: 0 primary, 1 log (old),
					 * 6 log (new) */
	uint32_t file_format;		/* offset 32: 1 = direct memory load */
	uint32_t root_offset;		/* offset 36, relative to 4096 */
	uint32_t bins_size;		/* offset 40 */
	uint32_t checksum;		/* offset 508, as stored */
	uint32_t checksum_computed;	/* regf_checksum of the block */
	char file_name[128];		/* offset 48: UTF-16LE, 64 bytes, as UTF-8 */
	uint64_t file_size;		/* of the file read */
};

/* Checksum of a 4096-byte base block as Windows computes it: XOR of the
 * 127 little-endian words before offset 508, where 0 is stored as 1 and
 * 0xFFFFFFFF as 0xFFFFFFFE. */
uint32_t regf_checksum(const unsigned char *base);

/* Read and decode the base block of PATH.  Returns 0, or -1 with a one-line
 * reason in D ("'PATH': not a registry hive (no 'regf' signature)", "...:
 * truncated base block", "...: bad base block checksum", "...: hive bins
 * size past the end of the file").  A hive whose seq1 != seq2 is NOT an
 * error here: see regf_is_dirty. */
int regf_header_read(const char *path, struct regf_header *h, struct diag *d);

/* Decode a base block already in memory (LEN >= 4096). Same checks. */
int regf_header_parse(const unsigned char *buf, size_t len, const char *name,
    struct regf_header *h, struct diag *d);

/* Nonzero when the primary and secondary sequence numbers differ. */
int regf_is_dirty(const struct regf_header *h);

/* Write at PATH (created, must not exist) a minimal empty hive: base block
 * with checksum, one 4096-byte hive bin holding the root key named
 * ROOT_NAME and one security record, version 1.5.  hivex opens it for
 * writing.  Returns 0, or -1 with a message in D. */
int regf_write_empty(const char *path, const char *root_name, struct diag *d);

/* Finish a hive hivex has just committed at PATH, so that Windows and the
 * strict parsers (libregf, yarp) load it:
 *  - every value longer than REGF_BIGDATA_THRESHOLD stored as one cell is
 *    moved into a big-data record (version >= 1.4; older versions keep
 *    the single cell, as Windows did);
 *  - both sequence numbers set to SEQ (the caller passes one above the
 *    original's), the hive bins size checked against the file, the
 *    checksum recomputed with its special cases;
 *  - a fresh timestamp, moved by 100 ns if needed so that the plain XOR
 *    is never 0 or 0xFFFFFFFF (hivex, which checks the plain XOR, then
 *    still opens the result).
 * The stored checksum may be hivex's plain XOR.  Old single data cells
 * are freed and zeroed.  No fsync: the caller's business.
 * Only the cells from the file offset FROM on are looked at (lists, values
 * and their data; lists there may name keys anywhere) and only the hive
 * bins from there are read: hivex 1.3.23 writes every cell it makes in
 * hive bins it appends, so apply passes the end of the original's bins,
 * and leaves what hivex did not write as it was.  0: every cell.
 * Works on the file in place: call it on the temporary file, never on the
 * original.  Returns 0, or -1 with a message in D (the file is then not to
 * be used). */
int regf_finish(const char *path, uint32_t seq, uint64_t from,
    struct diag *d);

#endif
