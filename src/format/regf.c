/* regf.c: the raw registry file format, below hivex.
 *
 * Format facts used here, checked against libyal's "Windows NT Registry
 * File (REGF) format" document, libregf's and hivex's sources, and the
 * bytes of a real XP SP3 SYSTEM hive (version 1.5):
 *
 *  - Base block: 4096 bytes.  "regf" @0, seq1 @4, seq2 @8, FILETIME @12,
 *    major @20, minor @24, file type @28 (0 primary, 1 old log, 6 new
 *    log), format @32 (1), root cell offset @36, hive bins data size @40,
 *    clustering factor @44 (1), file name @48 (64 bytes of UTF-16LE, the
 *    last part of the path Windows loaded the hive from), checksum @508.
 *  - Checksum: XOR of the 127 little-endian u32 words at 0..507; Windows
 *    stores 1 for a XOR of 0 and 0xFFFFFFFE for 0xFFFFFFFF.  hivex (1.3.23)
 *    both writes and checks the plain XOR: a hive holding a special-cased
 *    checksum is refused by hivex_open ("bad checksum in hive header").
 *  - Every cell offset (root, subkey lists, vk data, ...) is relative to
 *    the first hive bin, i.e. file offset minus 4096.
 *  - Hive bin: 32-byte header ("hbin", its own offset relative to 4096
 *    @4, its size @8, a multiple of 4096, reserved @12..19, FILETIME @20
 *    (only in the first bin), spare @28), then cells up to its end.  A
 *    cell never crosses a bin; a bin larger than 4096 holds a big cell.
 *  - Cell: i32 size (including the 4 bytes of the size itself) then data.
 *    Negative = allocated, positive = free.  Windows and hivex keep sizes
 *    8-aligned; hivex only rejects sizes that are not 4-aligned.
 *  - vk: "vk" @0, name length u16 @2, data length u32 @4 (bit 31 set:
 *    data inline in the offset field, at most 4 bytes), data offset @8,
 *    type @12, flags @16 (1 = ASCII name), name @20.  Offsets here are
 *    within the cell data, i.e. after the 4-byte size.
 *  - Big data (Windows: CM_KEY_VALUE_BIG = 0x3fd8 = 16344, used when the
 *    hive version is >= 1.4, HSYS_WHISTLER_BETA1): a value longer than
 *    16344 bytes points at a "db" cell: "db" @0, number of segments u16
 *    @2, segment list offset u32 @4, 4 bytes of padding (cell of 16
 *    bytes).  The list cell holds u32 offsets of the segment cells; each
 *    segment but the last carries 16344 data bytes.  A full segment cell
 *    is 16344 + 4 (size) = 16348, rounded to 16352: its last 4 bytes are
 *    padding.  Readers differ on how much of a segment they take:
 *    libregf takes min(cell size - 4, 16344), hivex takes cell size - 8
 *    (it skips the padding) and both clamp to the data length.  So every
 *    segment but the last must be exactly a 16352-byte cell, and the last
 *    one is given at least 4 bytes of padding (round8(rest + 8)) or hivex
 *    reads it 4 bytes short.
 *  - Windows (ReactOS CmpIsKeyValueBig: Version >= HSYS_WHISTLER_BETA1,
 *    16344 < length < 0x80000000) reads and writes "db" records from
 *    version 1.4 on.  libregf 20201007 and reglookup only from 1.5: in a
 *    1.5 hive libregf takes the data cell of every value longer than 16344
 *    bytes as a "db" record and fails on hivex's single big cells
 *    (regfexport exits 1); in a 1.4 hive both call a db value corrupt.
 *    We follow Windows; 1.4 was only written by Windows XP beta 1.
 *  - hivex 1.3.23 reads "db" values whole in any version, but every
 *    hivex_node_set_value(s) on their key writes them back as one cell,
 *    freeing the db cell and leaking its list and segments (they stay
 *    allocated, unreachable).  hivex_commit bumps seq1 and sets seq2 to
 *    it, and writes the plain XOR as checksum.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "names.h"
#include "regf.h"

#define BIN_HEADER_SIZE		32
#define SEGMENT_CELL_SIZE	16352	/* 4 + 16344 + 4 padding */
#define DB_CELL_SIZE		16	/* 4 + "db" + u16 + u32 + 4 padding */
#define VK_FIXED_SIZE		20	/* cell data before the name */
#define NK_FIXED_SIZE		76
#define SK_FIXED_SIZE		20	/* before the security descriptor */
#define OFFSET_NONE		0xFFFFFFFFu

/* FILETIME of 1970-01-01: 100 ns intervals since 1601-01-01. */
#define FILETIME_UNIX_EPOCH	116444736000000000ULL

static void
put64(unsigned char *p, uint64_t v)
{
	regf_put32(p, (uint32_t)v);
	regf_put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t
filetime_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return FILETIME_UNIX_EPOCH;
	return FILETIME_UNIX_EPOCH + (uint64_t)ts.tv_sec * 10000000ULL +
	    (uint64_t)ts.tv_nsec / 100;
}

/* The base block's timestamp of a hive written: now, or SOURCE_DATE_EPOCH
 * when set (as apply names its backups), so that the same run on the same
 * hive writes the same bytes.  Not the root key's time of a new hive
 * (regf_write_empty): two hives made anew from the same source differ by
 * it, as two machines' hives do (tests/cli_undo.sh counts on that, also
 * in a package build, which sets SOURCE_DATE_EPOCH). */
static uint64_t
filetime_stamp(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	if (sde != NULL && *sde != '\0' && strlen(sde) < 19 &&
	    strspn(sde, "0123456789") == strlen(sde))
		return FILETIME_UNIX_EPOCH +
		    (uint64_t)strtoll(sde, NULL, 10) * 10000000ULL;
	return filetime_now();
}

/* The plain XOR of the base block words, as hivex computes it. */
static uint32_t
xor_words(const unsigned char *base)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < 508; i += 4)
		sum ^= regf_get32(base + i);
	return sum;
}

uint32_t
regf_checksum(const unsigned char *base)
{
	uint32_t sum = xor_words(base);

	if (sum == 0)
		return 1;
	if (sum == 0xFFFFFFFFu)
		return 0xFFFFFFFEu;
	return sum;
}

/* UTF-16LE (N bytes, stops at a NUL unit) to UTF-8 in OUT (OUTSZ >= 1).
 * Unpaired surrogates become U+FFFD.  Truncates at a character boundary. */
static void
utf16le_to_utf8(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	size_t i = 0, o = 0;

	while (i + 1 < n) {
		uint32_t c = regf_get16(in + i);
		char buf[4];
		size_t k;

		i += 2;
		if (c == 0)
			break;
		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n &&
		    regf_get16(in + i) >= 0xDC00 &&
		    regf_get16(in + i) <= 0xDFFF) {
			c = 0x10000 + ((c - 0xD800) << 10) +
			    (regf_get16(in + i) - 0xDC00);
			i += 2;
		} else if (c >= 0xD800 && c <= 0xDFFF)
			c = 0xFFFD;
		k = names_utf8_put(c, buf);
		if (o + k >= outsz)
			break;
		memcpy(out + o, buf, k);
		o += k;
	}
	out[o] = '\0';
}

/* UTF-8 S to at most MAXUNITS UTF-16LE units in OUT.  Returns the number
 * of bytes written, or -1 if S is not valid UTF-8 or too long. */
static long
utf8_to_utf16le(const char *s, unsigned char *out, size_t maxunits)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t units = 0;

	while (*p) {
		uint32_t c;
		size_t n = names_utf8_get(p, strlen((const char *)p), &c);

		if (n == 0)
			return -1;
		p += n;
		if (c >= 0x10000) {
			if (units + 2 > maxunits)
				return -1;
			c -= 0x10000;
			regf_put16(out + 2 * units++, (uint16_t)(0xD800 + (c >> 10)));
			regf_put16(out + 2 * units++, (uint16_t)(0xDC00 + (c & 0x3FF)));
		} else {
			if (units + 1 > maxunits)
				return -1;
			regf_put16(out + 2 * units++, (uint16_t)c);
		}
	}
	return (long)(units * 2);
}

/* The checks of a base block.  FILE_SIZE is that of the whole file; when
 * HIVEX_SUM is set, a stored checksum equal to the plain XOR is accepted
 * too (what hivex_commit writes). */
static int
parse_base(const unsigned char *buf, size_t len, uint64_t file_size,
    const char *name, int hivex_sum, struct regf_header *h, struct diag *d)
{
	uint64_t bins_end;

	memset(h, 0, sizeof *h);
	h->file_size = file_size;
	if (len == 0)
		return diag_error(d, NULL, 0,
		    "'%s': empty file, not a registry hive",
		    name);
	if (len < 4 || memcmp(buf, "regf", 4) != 0)
		return diag_error(d, NULL, 0,
		    "'%s': not a registry hive (no 'regf' signature)", name);
	if (len < REGF_BASE_BLOCK_SIZE)
		return diag_error(d, NULL, 0, "'%s': truncated base block",
		    name);
	h->seq1 = regf_get32(buf + 4);
	h->seq2 = regf_get32(buf + 8);
	h->timestamp = regf_get64(buf + 12);
	h->major = regf_get32(buf + 20);
	h->minor = regf_get32(buf + 24);
	h->file_type = regf_get32(buf + 28);
	h->file_format = regf_get32(buf + 32);
	h->root_offset = regf_get32(buf + 36);
	h->bins_size = regf_get32(buf + 40);
	h->checksum = regf_get32(buf + 508);
	h->checksum_computed = regf_checksum(buf);
	utf16le_to_utf8(buf + 48, 64, h->file_name, sizeof h->file_name);

	if (h->checksum != h->checksum_computed &&
	    !(hivex_sum && h->checksum == xor_words(buf)))
		return diag_error(d, NULL, 0, "'%s': bad base block checksum "
		    "(stored 0x%08x, computed 0x%08x)", name, h->checksum,
		    h->checksum_computed);
	if (h->file_type != 0)
		return diag_error(d, NULL, 0,
		    "'%s': a transaction log (file type "
		    "%u), not a primary hive", name, h->file_type);
	if (h->major != 1)
		return diag_error(d, NULL, 0,
		    "'%s': unsupported hive version %u.%u",
		    name, h->major, h->minor);
	if (h->bins_size == 0 || h->bins_size % 4096 != 0)
		return diag_error(d, NULL, 0, "'%s': bad hive bins size 0x%x "
		    "(not a positive multiple of 4096)", name, h->bins_size);
	bins_end = (uint64_t)REGF_BASE_BLOCK_SIZE + h->bins_size;
	if (bins_end > file_size)
		return diag_error(d, NULL, 0,
		    "'%s': hive bins size past the end of "
		    "the file (bins end at %llu, file is %llu bytes)", name,
		    (unsigned long long)bins_end,
		    (unsigned long long)file_size);
	if ((uint64_t)h->root_offset + REGF_BASE_BLOCK_SIZE + 4 > bins_end)
		return diag_error(d, NULL, 0,
		    "'%s': root key offset 0x%x past the "
		    "hive bins", name, h->root_offset);
	return 0;
}

int
regf_header_parse(const unsigned char *buf, size_t len, const char *name,
    struct regf_header *h, struct diag *d)
{
	return parse_base(buf, len, len, name, 0, h, d);
}

/* Open PATH (FLAGS as open(2)), refuse what is not a regular file, give
 * its size.  Returns the fd or -1 with D. */
static int
open_hive(const char *path, int flags, uint64_t *size, struct diag *d)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK so that a FIFO is refused below instead of hanging
	 * the open; it changes nothing for a regular file. */
	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1) {
		diag_error(d, NULL, 0, "cannot stat '%s': %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		diag_error(d, NULL, 0, "'%s': is a directory, not a registry "
		    "hive", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_error(d, NULL, 0, "'%s': not a regular file", path);
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* Read LEN bytes at OFF; returns the count read (short at end of file)
 * or -1 with D. */
static ssize_t
read_at(int fd, unsigned char *buf, size_t len, uint64_t off,
    const char *path, struct diag *d)
{
	ssize_t r = fileio_pread_all(fd, buf, len, off);

	if (r < 0)
		return diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    strerror(errno));
	return r;
}

static int
write_at(int fd, const unsigned char *buf, size_t len, uint64_t off,
    const char *path, struct diag *d)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pwrite(fd, buf + done, len - done,
		    (off_t)(off + done));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return diag_error(d, NULL, 0, "cannot write '%s': %s",
			    path,
			    r == 0 ? "short write" : strerror(errno));
		done += (size_t)r;
	}
	return 0;
}

int
regf_header_read(const char *path, struct regf_header *h, struct diag *d)
{
	unsigned char buf[REGF_BASE_BLOCK_SIZE];
	uint64_t size;
	ssize_t n;
	int fd;

	memset(h, 0, sizeof *h);
	if ((fd = open_hive(path, O_RDONLY, &size, d)) == -1)
		return -1;
	/* Only the base block: hives reach hundreds of megabytes. */
	n = read_at(fd, buf, sizeof buf, 0, path, d);
	close(fd);
	if (n < 0)
		return -1;
	return parse_base(buf, (size_t)n, size, path, 0, h, d);
}

int
regf_is_dirty(const struct regf_header *h)
{
	return h->seq1 != h->seq2;
}

/* ------------------------------------------------------------ empty hive */

/* Self-relative security descriptor of the root key: owner
 * BUILTIN\Administrators, group SYSTEM, a protected DACL giving full
 * control (KEY_ALL_ACCESS 0xF003F) to Administrators and SYSTEM and read
 * (KEY_READ 0x20019) to Everyone, each ACE inherited by subkeys
 * (CONTAINER_INHERIT_ACE). */
static const unsigned char root_sd[] = {
	/* revision 1, sbz1, control SE_SELF_RELATIVE|SE_DACL_PROTECTED|
	 * SE_DACL_PRESENT (0x9004) */
	0x01, 0x00, 0x04, 0x90,
	0x5c, 0x00, 0x00, 0x00,		/* owner @92 */
	0x6c, 0x00, 0x00, 0x00,		/* group @108 */
	0x00, 0x00, 0x00, 0x00,		/* no SACL */
	0x14, 0x00, 0x00, 0x00,		/* DACL @20 */
	/* ACL: revision 2, sbz1, size 72, 3 ACEs, sbz2 */
	0x02, 0x00, 0x48, 0x00, 0x03, 0x00, 0x00, 0x00,
	/* ACCESS_ALLOWED, CONTAINER_INHERIT, size 24, KEY_ALL_ACCESS,
	 * S-1-5-32-544 */
	0x00, 0x02, 0x18, 0x00, 0x3f, 0x00, 0x0f, 0x00,
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x20, 0x00, 0x00, 0x00, 0x20, 0x02, 0x00, 0x00,
	/* ACCESS_ALLOWED, CONTAINER_INHERIT, size 20, KEY_ALL_ACCESS,
	 * S-1-5-18 */
	0x00, 0x02, 0x14, 0x00, 0x3f, 0x00, 0x0f, 0x00,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x12, 0x00, 0x00, 0x00,
	/* ACCESS_ALLOWED, CONTAINER_INHERIT, size 20, KEY_READ, S-1-1-0 */
	0x00, 0x02, 0x14, 0x00, 0x19, 0x00, 0x02, 0x00,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00,
	/* owner S-1-5-32-544 */
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x20, 0x00, 0x00, 0x00, 0x20, 0x02, 0x00, 0x00,
	/* group S-1-5-18 */
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x12, 0x00, 0x00, 0x00,
};

static size_t
round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

int
regf_write_empty(const char *path, const char *root_name, struct diag *d)
{
	unsigned char img[2 * 4096];
	unsigned char name16[2 * 255];
	unsigned char *base = img, *bin = img + 4096, *nk, *sk;
	const char *slash;
	size_t namelen, nk_size, sk_size, off;
	uint64_t now = filetime_now();
	uint16_t flags;
	long n16;
	int fd, ascii = 1;
	const unsigned char *p;

	if (root_name == NULL || *root_name == '\0' ||
	    strchr(root_name, '\\') != NULL)
		return diag_error(d, NULL, 0, "bad root key name '%s'",
		    root_name ? root_name : "");
	for (p = (const unsigned char *)root_name; *p; p++)
		if (*p >= 0x80)
			ascii = 0;
	/* A key name is at most 255 characters.  ASCII names are stored as
	 * bytes (KEY_COMP_NAME), others as UTF-16LE. */
	if (ascii) {
		namelen = strlen(root_name);
		if (namelen > 255)
			namelen = SIZE_MAX;
	} else {
		n16 = utf8_to_utf16le(root_name, name16, 255);
		namelen = n16 < 0 ? SIZE_MAX : (size_t)n16;
	}
	if (namelen == SIZE_MAX)
		return diag_error(d, NULL, 0,
		    "bad root key name '%s' (not UTF-8, or "
		    "longer than 255 characters)", root_name);

	memset(img, 0, sizeof img);

	/* Base block. */
	memcpy(base, "regf", 4);
	regf_put32(base + 4, 1);
	regf_put32(base + 8, 1);
	put64(base + 12, now);
	regf_put32(base + 20, 1);
	regf_put32(base + 24, 5);
	regf_put32(base + 28, 0);
	regf_put32(base + 32, 1);
	regf_put32(base + 36, BIN_HEADER_SIZE);
	regf_put32(base + 40, 4096);
	regf_put32(base + 44, 1);
	/* File name: the last part of PATH, at most 31 UTF-16 units so that
	 * a NUL ends it.  An unconvertible name is left empty. */
	slash = strrchr(path, '/');
	if (utf8_to_utf16le(slash ? slash + 1 : path, base + 48, 31) < 0)
		memset(base + 48, 0, 64);

	/* Hive bin header. */
	memcpy(bin, "hbin", 4);
	regf_put32(bin + 4, 0);
	regf_put32(bin + 8, 4096);
	put64(bin + 20, now);

	/* Root key. */
	off = BIN_HEADER_SIZE;
	nk = bin + off;
	nk_size = round8(4 + NK_FIXED_SIZE + namelen);
	sk_size = round8(4 + SK_FIXED_SIZE + sizeof root_sd);
	regf_put32(nk, (uint32_t)-(int32_t)nk_size);
	nk += 4;
	memcpy(nk, "nk", 2);
	/* KEY_HIVE_ENTRY | KEY_NO_DELETE, KEY_COMP_NAME for a byte name. */
	flags = 0x0004 | 0x0008 | (ascii ? 0x0020 : 0);
	regf_put16(nk + 2, flags);
	put64(nk + 4, now);
	regf_put32(nk + 16, OFFSET_NONE);	/* parent: none */
	regf_put32(nk + 28, OFFSET_NONE);	/* subkey list */
	regf_put32(nk + 32, OFFSET_NONE);	/* volatile subkey list */
	regf_put32(nk + 40, OFFSET_NONE);	/* value list */
	regf_put32(nk + 44, (uint32_t)(off + nk_size));	/* sk */
	regf_put32(nk + 48, OFFSET_NONE);	/* class name */
	regf_put16(nk + 72, (uint16_t)namelen);
	memcpy(nk + 76, ascii ? (const unsigned char *)root_name : name16,
	    namelen);

	/* Its security cell, alone in the sk list: flink and blink point at
	 * itself.  hivex_node_add_child copies the parent's sk offset into
	 * every new key and bumps this refcount (it fails without it). */
	off += nk_size;
	sk = bin + off;
	regf_put32(sk, (uint32_t)-(int32_t)sk_size);
	sk += 4;
	memcpy(sk, "sk", 2);
	regf_put32(sk + 4, (uint32_t)off);
	regf_put32(sk + 8, (uint32_t)off);
	regf_put32(sk + 12, 1);
	regf_put32(sk + 16, sizeof root_sd);
	memcpy(sk + 20, root_sd, sizeof root_sd);

	/* The rest of the bin: one free cell. */
	off += sk_size;
	regf_put32(bin + off, (uint32_t)(4096 - off));

	regf_put32(base + 508, regf_checksum(base));

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd == -1)
		return diag_error(d, NULL, 0, "cannot create '%s': %s", path,
		    strerror(errno));
	if (write_at(fd, img, sizeof img, 0, path, d) == -1) {
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) == -1) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", path,
		    strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ finishing */

/* A value whose data sits in one cell and must move to big data. */
enum bigval_state { BV_SKIP, BV_CONVERT, BV_FOLLOW };

struct bigval {
	uint32_t vk;		/* file offset of the vk cell */
	uint32_t cell;		/* data offset, relative to 4096 */
	uint32_t len;		/* data length */
	uint32_t db;		/* file offset of its new db cell */
	enum bigval_state state;	/* BV_FOLLOW: shares the cell of the
					 * entry before it */
};

static int
bigval_cmp(const void *a, const void *b)
{
	const struct bigval *x = a, *y = b;

	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;	/* longest first */
	return 0;
}

/* The hive bins regf_finish looks at: the file's bytes [START, END), in
 * P.  The bitmap BM has a bit per 4 bytes from START: an allocated cell
 * starts there. */
struct region {
	unsigned char *p;
	uint32_t start, end;
	unsigned char *bm;
};

#define AT(r, off)	((r)->p + ((off) - (r)->start))
#define BIT_SET(r, off)	((r)->bm[((off) - (r)->start) >> 5] |= \
	(unsigned char)(1u << ((((off) - (r)->start) >> 2) & 7)))
#define BIT_CLR(r, off)	((r)->bm[((off) - (r)->start) >> 5] &= \
	(unsigned char)~(1u << ((((off) - (r)->start) >> 2) & 7)))
#define BIT_TST(r, off)	((r)->bm[((off) - (r)->start) >> 5] & \
	(1u << ((((off) - (r)->start) >> 2) & 7)))

/* Is OFF the start of an allocated cell of R? */
static int
in_region(const struct region *r, uint32_t off)
{
	return off >= r->start && off < r->end && off % 4 == 0 &&
	    BIT_TST(r, off);
}

/* Size of the cell at P (positive), *ALLOC set if allocated. */
static uint32_t
cell_size(const unsigned char *p, int *alloc)
{
	int32_t s = (int32_t)regf_get32(p);

	*alloc = s < 0;
	if (s == INT32_MIN)
		return 0;
	return (uint32_t)(s < 0 ? -s : s);
}

/* Walk the hive bins of R, mark allocated cell starts, and collect the
 * single-cell values longer than the big-data threshold in *VALS.
 * Returns 0 or -1 with D. */
static int
scan_bins(struct region *r, struct bigval **vals, size_t *nvals,
    const char *path, struct diag *d)
{
	struct bigval *v = NULL;
	size_t n = 0, cap = 0;
	uint32_t off, size, c, cs;
	int alloc;

	for (off = r->start; off < r->end; off += size) {
		if (r->end - off < BIN_HEADER_SIZE ||
		    memcmp(AT(r, off), "hbin", 4) != 0) {
			diag_error(d, NULL, 0, "'%s': no hive bin at 0x%x",
			    path, off);
			goto fail;
		}
		size = regf_get32(AT(r, off) + 8);
		if (size < 4096 || size % 4096 != 0 || size > r->end - off) {
			diag_error(d, NULL, 0, "'%s': bad size 0x%x of the "
			    "hive bin at 0x%x", path, size, off);
			goto fail;
		}
		if (regf_get32(AT(r, off) + 4) != off - REGF_BASE_BLOCK_SIZE) {
			diag_error(d, NULL, 0, "'%s': hive bin at 0x%x gives "
			    "its offset as 0x%x", path, off,
			    regf_get32(AT(r, off) + 4));
			goto fail;
		}
		for (c = off + BIN_HEADER_SIZE; c < off + size; c += cs) {
			if (off + size - c < 8) {
				diag_error(d, NULL, 0, "'%s': cell at 0x%x "
				    "runs past its hive bin", path, c);
				goto fail;
			}
			cs = cell_size(AT(r, c), &alloc);
			if (cs < 8 || cs % 4 != 0 || cs > off + size - c) {
				diag_error(d, NULL, 0, "'%s': bad cell size "
				    "at 0x%x", path, c);
				goto fail;
			}
			if (!alloc)
				continue;
			BIT_SET(r, c);
			if (cs >= 4 + VK_FIXED_SIZE &&
			    memcmp(AT(r, c) + 4, "vk", 2) == 0) {
				uint32_t len = regf_get32(AT(r, c) + 8);

				if (len & 0x80000000u ||
				    len <= REGF_BIGDATA_THRESHOLD)
					continue;
				if (n == cap) {
					size_t ncap = cap ? cap * 2 : 16;
					struct bigval *nv = realloc(v,
					    ncap * sizeof *nv);
					if (nv == NULL) {
						diag_oom(d);
						goto fail;
					}
					v = nv;
					cap = ncap;
				}
				v[n].vk = c;
				v[n].len = len;
				v[n].cell = regf_get32(AT(r, c) + 12);
				v[n].db = 0;
				v[n].state = BV_SKIP;
				n++;
			}
		}
	}
	*vals = v;
	*nvals = n;
	return 0;
fail:
	free(v);
	return -1;
}

/* The name of the key cell at NK: in R, or read from FD when NK is below
 * R (a key hivex did not write, in a list it did).  *NM points at the
 * stored name (into R or SCRATCH, 65535 bytes), *NL is its length in
 * bytes, *COMP set for a Latin-1 name.  Returns 0, or -1 if NK is no key
 * cell whose name fits in it. */
static int
key_name_at(const struct region *r, int fd, uint32_t nk,
    unsigned char *scratch, const unsigned char **nm, uint32_t *nl, int *comp)
{
	unsigned char h[0x50];
	const unsigned char *p;
	uint32_t ncs;
	int alloc;

	if (nk >= r->start) {
		if (!in_region(r, nk) || nk > r->end - 0x50)
			return -1;
		p = AT(r, nk);
	} else {
		if (nk < REGF_BASE_BLOCK_SIZE || nk % 4 != 0 ||
		    pread(fd, h, sizeof h, nk) != (ssize_t)sizeof h)
			return -1;
		p = h;
	}
	ncs = cell_size(p, &alloc);
	if (!alloc || memcmp(p + 4, "nk", 2) != 0)
		return -1;
	*comp = (regf_get16(p + 6) & 0x20) != 0;
	*nl = regf_get16(p + 4 + 0x48);
	if (0x50 + *nl > ncs || (!*comp && *nl % 2))
		return -1;
	if (nk >= r->start) {
		if (*nl > r->end - nk - 0x50)
			return -1;
		*nm = p + 0x50;
	} else {
		if (pread(fd, scratch, *nl, nk + 0x50) != (ssize_t)*nl)
			return -1;
		*nm = scratch;
	}
	return 0;
}

/* hivex hashes the name of a key it adds to an lh list over the name's
 * UTF-8 bytes, each taken as a signed char and upcased in ASCII only.
 * Windows hashes the UTF-16 code units, each upcased: for a name outside
 * ASCII ("Café") the two differ, and Windows, which compares the hash
 * before the name, would not find the key.  Every lh entry (of the lists
 * in R: hivex writes every list it changes anew) whose hash is hivex's and
 * not Windows' is given Windows' hash; entries Windows wrote are left
 * alone. */
static int
fix_lh_hashes(struct region *r, int fd, const char *path, struct diag *d)
{
	uint32_t off, size, c, cs, i, cnt;
	unsigned char *scratch = NULL;
	int alloc, rc = -1;

	for (off = r->start; off < r->end; off += size) {
		size = regf_get32(AT(r, off) + 8);
		for (c = off + BIN_HEADER_SIZE; c < off + size; c += cs) {
			int changed = 0;

			cs = cell_size(AT(r, c), &alloc);
			if (!alloc || cs < 8 || memcmp(AT(r, c) + 4, "lh", 2))
				continue;
			cnt = regf_get16(AT(r, c) + 6);
			if (8 + 8 * cnt > cs)
				continue;	/* hivex refuses it anyway */
			if (scratch == NULL &&
			    (scratch = malloc(UINT16_MAX)) == NULL) {
				diag_oom(d);
				goto out;
			}
			for (i = 0; i < cnt; i++) {
				unsigned char *e = AT(r, c) + 8 + 8 * i;
				uint32_t nk = regf_get32(e) +
				    REGF_BASE_BLOCK_SIZE;
				uint32_t win = 0, hx = 0, nl, k;
				const unsigned char *nm;
				int comp, ascii = 1;

				if (nk < REGF_BASE_BLOCK_SIZE || key_name_at(r,
				    fd, nk, scratch, &nm, &nl, &comp) < 0)
					continue;
				for (k = 0; k < (comp ? nl : nl / 2); k++) {
					uint32_t cp = comp ? nm[k] :
					    regf_get16(nm + 2 * k);
					char u8[4];
					size_t m, q;

					if (cp >= 0x80)
						ascii = 0;
					win = win * 37 +
					    names_upcase_unit((uint16_t)cp);
					/* A surrogate pair is one code point
					 * in UTF-8. */
					if (!comp && cp >= 0xD800 &&
					    cp < 0xDC00 && k + 1 < nl / 2) {
						uint32_t lo = regf_get16(nm +
						    2 * (k + 1));

						if (lo >= 0xDC00 && lo < 0xE000) {
							win = win * 37 + lo;
							cp = 0x10000 +
							    ((cp - 0xD800) << 10) +
							    (lo - 0xDC00);
							k++;
						}
					}
					m = names_utf8_put(cp, u8);
					for (q = 0; q < m; q++) {
						int b = (signed char)u8[q];

						if (b >= 'a' && b <= 'z')
							b -= 32;
						hx = hx * 37 + (uint32_t)b;
					}
				}
				if (ascii || regf_get32(e + 4) != hx ||
				    hx == win)
					continue;
				regf_put32(e + 4, win);
				changed = 1;
			}
			if (changed && write_at(fd, AT(r, c), cs, c, path,
			    d) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	free(scratch);
	return rc;
}

/* Mark the values of VALS (sorted by data cell) that regf_finish turns
 * into big-data records: those whose data hivex wrote into region RG in
 * one cell over REGF_BIGDATA_THRESHOLD.  *NEED grows by the bytes their
 * records take, *NCONV by their number. */
static int
choose_bigvals(struct region *rg, struct bigval *vals, size_t nvals,
    uint32_t bins_end, uint64_t *need, size_t *nconv, const char *path,
    struct diag *d)
{
	size_t i;

	for (i = 0; i < nvals; i++) {
		uint32_t cell = vals[i].cell, cs, nseg, rest;
		int alloc;

		vals[i].state = BV_SKIP;
		if (i > 0 && vals[i - 1].cell == cell) {
			vals[i].state = BV_FOLLOW;
			continue;
		}
		/* A new value whose data hivex did not write (it writes
		 * both together): not ours to move. */
		if ((uint64_t)cell + REGF_BASE_BLOCK_SIZE < rg->start)
			continue;
		if (cell % 4 != 0 ||
		    cell > bins_end - REGF_BASE_BLOCK_SIZE - 8 ||
		    !in_region(rg, cell + REGF_BASE_BLOCK_SIZE)) {
			diag_warning(d, NULL, 0, "'%s': value at 0x%x points "
			    "at no data cell, left as is", path, vals[i].vk);
			continue;
		}
		cs = cell_size(AT(rg, cell + REGF_BASE_BLOCK_SIZE), &alloc);
		if (cs - 4 < vals[i].len) {
			/* Already a db record, or a corrupt value whose
			 * data length is longer than its cell. */
			if (memcmp(AT(rg, cell + REGF_BASE_BLOCK_SIZE) + 4,
			    "db", 2) != 0)
				diag_warning(d, NULL, 0, "'%s': value at 0x%x "
				    "is longer than its data cell, left as is",
				    path, vals[i].vk);
			continue;
		}
		nseg = (vals[i].len + REGF_BIGDATA_THRESHOLD - 1) /
		    REGF_BIGDATA_THRESHOLD;
		if (nseg > UINT16_MAX)
			return diag_error(d, NULL, 0,
			    "'%s': value at 0x%x too long "
			    "for a big-data record (%u bytes)", path,
			    vals[i].vk, vals[i].len);
		rest = vals[i].len - (nseg - 1) * REGF_BIGDATA_THRESHOLD;
		vals[i].state = BV_CONVERT;
		*need += (uint64_t)(nseg - 1) * SEGMENT_CELL_SIZE +
		    round8(rest + 8) + round8(4 + 4 * (size_t)nseg) +
		    DB_CELL_SIZE;
		(*nconv)++;
	}

	return 0;
}

/* Append a bin to the hive open on FD (bins ending at BINS_END) with a
 * big-data record for each value of VALS marked BV_CONVERT, NEED bytes of
 * cells in all; free and zero the cells they leave, in region RG, and
 * point each value at its record.  *NEW_END is the end of the bins. */
static int
write_bigdata(struct region *rg, int fd, struct bigval *vals, size_t nvals,
    uint32_t bins_end, uint64_t need, uint32_t *new_end, const char *path,
    struct diag *d)
{
	unsigned char *nb = NULL;
	uint64_t nbsize;
	uint32_t cur, rel;
	size_t i, j;

	
	nbsize = (BIN_HEADER_SIZE + need + 4095) / 4096 * 4096;
	if (nbsize > UINT32_MAX - bins_end || nbsize > SIZE_MAX) {
		diag_error(d, NULL, 0, "'%s': hive too large", path);
		goto fail;
	}
	*new_end = bins_end + (uint32_t)nbsize;
	nb = calloc(1, (size_t)nbsize);
	if (nb == NULL) {
		diag_oom(d);
		goto fail;
	}
	memcpy(nb, "hbin", 4);
	regf_put32(nb + 4, bins_end - REGF_BASE_BLOCK_SIZE);
	regf_put32(nb + 8, (uint32_t)nbsize);
	cur = BIN_HEADER_SIZE;	/* within nb */

	for (i = 0; i < nvals; i++) {
		uint32_t len = vals[i].len, cell, cs, nseg, k, list;
		unsigned char *data;
		int alloc;

		if (vals[i].state != BV_CONVERT)
			continue;
		cell = vals[i].cell + REGF_BASE_BLOCK_SIZE;
		data = AT(rg, cell) + 4;
		nseg = (len + REGF_BIGDATA_THRESHOLD - 1) /
		    REGF_BIGDATA_THRESHOLD;
		/* Segment list first, then the segments. */
		list = cur;
		cs = (uint32_t)round8(4 + 4 * (size_t)nseg);
		regf_put32(nb + list, (uint32_t)-(int32_t)cs);
		cur += cs;
		for (k = 0; k < nseg; k++) {
			uint32_t part = len - k * REGF_BIGDATA_THRESHOLD;

			if (part > REGF_BIGDATA_THRESHOLD)
				part = REGF_BIGDATA_THRESHOLD;
			cs = k + 1 < nseg ? SEGMENT_CELL_SIZE :
			    (uint32_t)round8(part + 8);
			regf_put32(nb + cur, (uint32_t)-(int32_t)cs);
			memcpy(nb + cur + 4,
			    data + (size_t)k * REGF_BIGDATA_THRESHOLD,
			    part);
			rel = bins_end - REGF_BASE_BLOCK_SIZE + cur;
			regf_put32(nb + list + 4 + 4 * k, rel);
			cur += cs;
		}
		regf_put32(nb + cur, (uint32_t)-DB_CELL_SIZE);
		memcpy(nb + cur + 4, "db", 2);
		regf_put16(nb + cur + 6, (uint16_t)nseg);
		regf_put32(nb + cur + 8,
		    bins_end - REGF_BASE_BLOCK_SIZE + list);
		vals[i].db = bins_end + cur;
		cur += DB_CELL_SIZE;

		/* Free the old cell (positive size) and zero it:
		 * hivex leaves freed data readable, and this copy
		 * now lives in the segments. */
		cs = cell_size(AT(rg, cell), &alloc);
		regf_put32(AT(rg, cell), cs);
		memset(AT(rg, cell) + 4, 0, cs - 4);
		BIT_CLR(rg, cell);
		if (write_at(fd, AT(rg, cell), cs, cell, path,
		    d) == -1)
			goto fail;
	}
	if (cur < nbsize)
		regf_put32(nb + cur, (uint32_t)nbsize - cur);

	/* Point every vk at its record; the length stays. */
	for (i = 0; i < nvals; i++) {
		unsigned char f[4];

		for (j = i; vals[j].state == BV_FOLLOW; j--)
			;
		if (vals[j].state != BV_CONVERT)
			continue;
		regf_put32(f, vals[j].db - REGF_BASE_BLOCK_SIZE);
		if (write_at(fd, f, 4, (uint64_t)vals[i].vk + 12,
		    path, d) == -1)
			goto fail;
	}
	if (write_at(fd, nb, (size_t)nbsize, bins_end, path, d) == -1)
		goto fail;
	free(nb);
	return 0;
fail:
	free(nb);
	return -1;
}

/* Write the base block BASE of the hive open on FD: sequence numbers SEQ,
 * bins ending at NEW_END, a fresh timestamp, the checksum. */
static int
write_base(int fd, unsigned char *base, uint32_t seq, uint32_t new_end,
    const char *path, struct diag *d)
{
	uint64_t ts;

	/* Base block.  A fresh timestamp, as Windows writes one with every
	 * flush; nudged by 100 ns while the plain XOR would be 0 or
	 * 0xFFFFFFFF, so that the checksum needs no special case and hivex
	 * (which checks the plain XOR) still opens the hive. */
	regf_put32(base + 4, seq);
	regf_put32(base + 8, seq);
	regf_put32(base + 40, new_end - REGF_BASE_BLOCK_SIZE);
	ts = filetime_stamp();
	for (;;) {
		uint32_t x;

		put64(base + 12, ts);
		x = xor_words(base);
		if (x != 0 && x != 0xFFFFFFFFu)
			break;
		ts++;
	}
	regf_put32(base + 508, regf_checksum(base));
	if (write_at(fd, base, 512, 0, path, d) == -1)
		return -1;
	return 0;
}

int
regf_finish(const char *path, uint32_t seq, uint64_t from, struct diag *d)
{
	struct regf_header h;
	struct region rg;
	unsigned char base[REGF_BASE_BLOCK_SIZE];
	struct bigval *vals = NULL;
	size_t nvals = 0, nconv = 0;
	uint64_t fsize, need = 0;
	uint32_t bins_end, new_end;
	ssize_t n;
	int fd, rc = -1;

	memset(&rg, 0, sizeof rg);
	if ((fd = open_hive(path, O_RDWR, &fsize, d)) == -1)
		return -1;
	if ((n = read_at(fd, base, sizeof base, 0, path, d)) < 0)
		goto out;
	if (parse_base(base, (size_t)n, fsize, path, 1, &h, d) == -1)
		goto out;
	if (h.bins_size > UINT32_MAX - REGF_BASE_BLOCK_SIZE) {
		diag_error(d, NULL, 0, "'%s': hive too large", path);
		goto out;
	}
	bins_end = REGF_BASE_BLOCK_SIZE + h.bins_size;

	/* Only the bins from FROM: hivex wrote its new cells there, and the
	 * rest, the original's, is left as it was (verify.h). */
	rg.start = from < REGF_BASE_BLOCK_SIZE ? REGF_BASE_BLOCK_SIZE :
	    from > bins_end ? bins_end : (uint32_t)from;
	rg.end = bins_end;
	rg.p = malloc(rg.end - rg.start + 1);
	rg.bm = calloc((rg.end - rg.start) / 32 + 1, 1);
	if (rg.p == NULL || rg.bm == NULL) {
		diag_error(d, NULL, 0, "out of memory reading '%s'", path);
		goto out;
	}
	if ((n = read_at(fd, rg.p, rg.end - rg.start, rg.start, path,
	    d)) < 0)
		goto out;
	if (n != (ssize_t)(rg.end - rg.start)) {
		diag_error(d, NULL, 0, "cannot read '%s': short read", path);
		goto out;
	}
	if (scan_bins(&rg, &vals, &nvals, path, d) == -1)
		goto out;
	if (fix_lh_hashes(&rg, fd, path, d) == -1)
		goto out;

	/* Windows writes big data from version 1.4 on; below, one big
	 * cell is what it wrote too. */
	if (h.minor < 4)
		nvals = 0;

	/* Sort by data cell so that values sharing one cell (only in a
	 * corrupt hive) share one db record, sized for the longest. */
	if (nvals > 0)
		qsort(vals, nvals, sizeof *vals, bigval_cmp);
	if (choose_bigvals(&rg, vals, nvals, bins_end, &need, &nconv, path,
	    d) == -1)
		goto out;
	new_end = bins_end;
	if (nconv > 0 && write_bigdata(&rg, fd, vals, nvals, bins_end, need,
	    &new_end, path, d) == -1)
		goto out;
	if (write_base(fd, base, seq, new_end, path, d) == -1)
		goto out;
	rc = 0;
out:
	if (close(fd) == -1 && rc == 0) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", path,
		    strerror(errno));
		rc = -1;
	}
	free(rg.p);
	free(rg.bm);
	free(vals);
	return rc;
}
