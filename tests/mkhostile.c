/* mkhostile: make a damaged or hostile copy of a fixture hive, for
 * tests/cli_hostile.sh.
 *
 *   mkhostile IN OUT KIND [ARG...]
 *
 * IN is read with hivex (read-only) to find the cells to damage; the bytes
 * of IN are patched in memory and written to OUT.  The base block checksum
 * is recomputed afterwards (regf_checksum), except for KIND "checksum", so
 * that each hive is wrong in exactly one way.  KEY arguments are paths
 * below the root, elements separated by '\'.
 *
 * Layout used (offsets in a cell count from its 4-byte size field; offsets
 * stored in the file count from the first hive bin, file offset 4096;
 * hivex's node and value handles are file offsets of the cells):
 *   base block: checksum at 508 (XOR of the 127 words before it), hive
 *     bins size at 40;
 *   hive bin: "hbin" at 0;
 *   nk: flags at 6 (0x20: name in Latin-1), subkey count at 0x18, subkey
 *     list at 0x20, name length at 0x4C, name at 0x50;
 *   lf/lh list: count at 6, 8-byte entries (offset, hash) from 8;
 *   vk: name length at 6, data length at 8 (top bit: data inline in the
 *     next field), data offset at 0x0C, flags at 0x14 (1: name in
 *     Latin-1), name at 0x18.
 *
 * KIND:
 *   checksum              the stored checksum off by one
 *   bins-past-eof         hive bins size 64 KiB past the end of the file
 *   no-hbin               the second hive bin's "hbin" signature garbled
 *   cell-past-bin KEY     KEY's cell size claims 1 MiB (past its bin)
 *   truncate-fixed N      only the first N bytes (a multiple of 4096) with
 *                         the hive bins size saying so: a consistent
 *                         header over a hive whose cells point past it
 *   loop KEY              KEY's first subkey entry points at KEY's parent
 *   shared KEY OTHER      KEY's first subkey entry points at OTHER
 *   deep KEY N            N nested subkeys "d" added under KEY (hivex
 *                         write and commit: nothing patched)
 *   bad-utf16-key KEY     KEY's name rewritten as UTF-16 starting with an
 *                         unpaired surrogate (0xD800)
 *   bad-utf16-value KEY V the same for value V of KEY
 *   value-past-end KEY V  V's data offset points past the end of the file
 *   value-too-long KEY V  V's data length claims 2 GiB, its cell is small
 *   inline-too-long KEY V V's data length says 200 bytes held inline
 *   value-length KEY V N  V's data length set to N (V is not inline: for
 *                         a big-data value, its segments stay as they are)
 *   dword KEY V N         the DWORD value V (data inline) set to N, e.g.
 *                         Select\Current to a missing control set or 0
 *   index-in-index KEY    KEY's list (an ri list) put inside another ri
 *                         list, made of the first free cell of 16 bytes
 *                         or more: ri -> ri -> leaves
 *   li-twice KEY          KEY's list (an li leaf) lists its first
 *                         subkey again in place of its second
 *   swap-subkeys KEY      the first two entries of KEY's list (an lf or
 *                         lh leaf) swapped: out of Windows' order
 *
 * Exit status: 0 done, 2 trouble (messages on standard error).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "diag.h"
#include "regf.h"

static unsigned char *buf;
static size_t len;
static hive_h *h;

/* "mkhostile: WHAT 'ARG'" and exit 2. */
static void die(const char *what, const char *arg)
    __attribute__((noreturn));

static void
die(const char *what, const char *arg)
{
	fprintf(stderr, "mkhostile: %s '%s'\n", what, arg);
	exit(2);
}

static uint32_t
get32(size_t off)
{
	if (off + 4 > len)
		die("offset past the end of", "the input");
	return buf[off] | buf[off + 1] << 8 | buf[off + 2] << 16 |
	    (uint32_t)buf[off + 3] << 24;
}

static void
put16(size_t off, unsigned v)
{
	buf[off] = v & 0xFF;
	buf[off + 1] = v >> 8 & 0xFF;
}

static void
put32(size_t off, uint32_t v)
{
	if (off + 4 > len)
		die("offset past the end of", "the input");
	buf[off] = v & 0xFF;
	buf[off + 1] = v >> 8 & 0xFF;
	buf[off + 2] = v >> 16 & 0xFF;
	buf[off + 3] = v >> 24 & 0xFF;
}

/* The node at KEY ('\'-separated, below the root). */
static hive_node_h
node_at(const char *key)
{
	char *copy = strdup(key), *e, *save = NULL;
	hive_node_h n = hivex_root(h);

	for (e = strtok_r(copy, "\\", &save); e != NULL && n != 0;
	    e = strtok_r(NULL, "\\", &save))
		n = hivex_node_get_child(h, n, e);
	free(copy);
	if (n == 0)
		die("no key", key);
	return n;
}

static hive_value_h
value_at(const char *key, const char *name)
{
	hive_value_h v = hivex_node_get_value(h, node_at(key), name);

	if (v == 0)
		die("no value", name);
	return v;
}

/* Rewrite the N-byte name at OFF as UTF-16LE starting with an unpaired
 * high surrogate; returns the new length in bytes (even). */
static size_t
bad_utf16(size_t off, size_t n)
{
	size_t i;

	n &= ~(size_t)1;
	if (n < 2)
		die("name too short:", "the input");
	for (i = 0; i < n; i += 2)
		put16(off + i, i == 0 ? 0xD800 : 'X');
	return n;
}

static void
read_in(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		die("cannot read", path);
	rewind(f);
	len = (size_t)n;
	if ((buf = malloc(len)) == NULL || fread(buf, 1, len, f) != len)
		die("cannot read", path);
	fclose(f);
}

static void
write_out(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		die("cannot write", path);
}

/* KEY with N nested subkeys "d" added, committed to OUT by hivex. */
static void
deep(const char *in, const char *out, const char *key, long n)
{
	hive_node_h node;
	struct diag d;
	long i;

	hivex_close(h);
	if ((h = hivex_open(in, HIVEX_OPEN_WRITE)) == NULL)
		die("cannot open", in);
	node = node_at(key);
	for (i = 0; i < n; i++)
		if ((node = hivex_node_add_child(h, node, "d")) == 0)
			die("cannot add a key:", strerror(errno));
	if (hivex_commit(h, out, 0) != 0)
		die("cannot commit", out);
	hivex_close(h);
	/* Sequence numbers and the checksum's special cases, as mkhive. */
	diag_init(&d);
	if (regf_finish(out, 1, 0, &d) < 0) {
		diag_print(&d, stderr);
		exit(2);
	}
	diag_free(&d);
}

int
main(int argc, char **argv)
{
	const char *in, *out, *kind;
	int fix_sum = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: mkhostile IN OUT KIND [ARG...]\n");
		return 2;
	}
	in = argv[1];
	out = argv[2];
	kind = argv[3];
	read_in(in);
	if ((h = hivex_open(in, 0)) == NULL)
		die("cannot open with hivex", in);

	if (strcmp(kind, "checksum") == 0) {
		put32(508, regf_checksum(buf) + 1);
		fix_sum = 0;
	} else if (strcmp(kind, "bins-past-eof") == 0) {
		put32(40, (uint32_t)(len - 4096 + 0x10000));
	} else if (strcmp(kind, "no-hbin") == 0) {
		size_t second = 4096 + get32(4096 + 8);

		if (second >= len)
			die("has one hive bin only", in);
		memcpy(buf + second, "hbix", 4);
	} else if (strcmp(kind, "cell-past-bin") == 0 && argc == 5) {
		put32(node_at(argv[4]), (uint32_t)-0x100000);
	} else if (strcmp(kind, "truncate-fixed") == 0 && argc == 5) {
		size_t n = strtoul(argv[4], NULL, 0);

		if (n % 4096 != 0 || n < 8192 || n >= len)
			die("bad size", argv[4]);
		len = n;
		put32(40, (uint32_t)(n - 4096));
	} else if ((strcmp(kind, "loop") == 0 && argc == 5) ||
	    (strcmp(kind, "shared") == 0 && argc == 6)) {
		hive_node_h n = node_at(argv[4]), to;
		size_t list;

		to = argc == 6 ? node_at(argv[5]) : hivex_node_parent(h, n);
		if (get32(n + 0x18) == 0)
			die("key has no subkeys", argv[4]);
		list = get32(n + 0x20) + 4096;
		if (buf[list + 4] != 'l' ||
		    (buf[list + 5] != 'f' && buf[list + 5] != 'h'))
			die("key has no lf/lh list", argv[4]);
		put32(list + 8, (uint32_t)(to - 4096));
	} else if (strcmp(kind, "deep") == 0 && argc == 6) {
		deep(in, out, argv[4], strtol(argv[5], NULL, 10));
		free(buf);
		return 0;
	} else if (strcmp(kind, "bad-utf16-key") == 0 && argc == 5) {
		hive_node_h n = node_at(argv[4]);
		size_t nl = buf[n + 0x4C] | buf[n + 0x4D] << 8;

		put16(n + 6, (buf[n + 6] | buf[n + 7] << 8) & ~0x20u);
		put16(n + 0x4C, (unsigned)bad_utf16(n + 0x50, nl));
	} else if (strcmp(kind, "bad-utf16-value") == 0 && argc == 6) {
		hive_value_h v = value_at(argv[4], argv[5]);
		size_t nl = buf[v + 6] | buf[v + 7] << 8;

		put16(v + 0x14, (buf[v + 0x14] | buf[v + 0x15] << 8) & ~1u);
		put16(v + 6, (unsigned)bad_utf16(v + 0x18, nl));
	} else if (strcmp(kind, "value-past-end") == 0 && argc == 6) {
		hive_value_h v = value_at(argv[4], argv[5]);

		if (get32(v + 8) & 0x80000000u)
			die("value is inline", argv[5]);
		put32(v + 0x0C, (uint32_t)(len - 4096 + 0x1000));
	} else if (strcmp(kind, "value-too-long") == 0 && argc == 6) {
		hive_value_h v = value_at(argv[4], argv[5]);

		if (get32(v + 8) & 0x80000000u)
			die("value is inline", argv[5]);
		put32(v + 8, 0x7FFFFFF0u);
	} else if (strcmp(kind, "value-length") == 0 && argc == 7) {
		hive_value_h v = value_at(argv[4], argv[5]);

		if (get32(v + 8) & 0x80000000u)
			die("value is inline", argv[5]);
		put32(v + 8, (uint32_t)strtoul(argv[6], NULL, 0) & 0x7FFFFFFF);
	} else if (strcmp(kind, "inline-too-long") == 0 && argc == 6) {
		put32(value_at(argv[4], argv[5]) + 8, 0x80000000u | 200);
	} else if (strcmp(kind, "dword") == 0 && argc == 7) {
		hive_value_h v = value_at(argv[4], argv[5]);

		if (get32(v + 8) != 0x80000004u)
			die("value is not an inline DWORD", argv[5]);
		put32(v + 0x0C, (uint32_t)strtoul(argv[6], NULL, 0));
	} else if (strcmp(kind, "index-in-index") == 0 && argc == 5) {
		hive_node_h n = node_at(argv[4]);
		size_t ri = get32(n + 0x20) + 4096, c, size;

		if (memcmp(buf + ri + 4, "ri", 2) != 0)
			die("key has no ri list", argv[4]);
		/* The first free cell big enough, in any bin. */
		for (c = 4096 + 32; c + 16 <= len; c += size) {
			int32_t raw = (int32_t)get32(c);

			if (memcmp(buf + c, "hbin", 4) == 0) {
				size = 32;
				continue;
			}
			size = (size_t)(raw < 0 ? -(int64_t)raw : raw);
			if (size < 8)
				die("bad cell in", in);
			if (raw >= 16)
				break;
		}
		if (c + 16 > len)
			die("no free cell of 16 bytes in", in);
		if (size > 16 + 8) {
			/* Split: the rest stays free. */
			put32(c + 16, (uint32_t)(size - 16));
			size = 16;
		}
		put32(c, (uint32_t)-(int32_t)size);
		memcpy(buf + c + 4, "ri", 2);
		put16(c + 6, 1);
		put32(c + 8, (uint32_t)(ri - 4096));
		put32(n + 0x20, (uint32_t)(c - 4096));
	} else if (strcmp(kind, "li-twice") == 0 && argc == 5) {
		hive_node_h n = node_at(argv[4]);
		size_t li = get32(n + 0x20) + 4096;
		unsigned cnt = buf[li + 6] | buf[li + 7] << 8;

		if (memcmp(buf + li + 4, "li", 2) != 0 || cnt < 2)
			die("key has no li leaf of two subkeys", argv[4]);
		put32(li + 8 + 4, get32(li + 8));
	} else if (strcmp(kind, "swap-subkeys") == 0 && argc == 5) {
		hive_node_h n = node_at(argv[4]);
		size_t l = get32(n + 0x20) + 4096;
		unsigned char e[8];

		if (buf[l + 4] != 'l' || (buf[l + 5] != 'f' &&
		    buf[l + 5] != 'h') || (buf[l + 6] | buf[l + 7] << 8) < 2)
			die("key has no lf/lh leaf of two subkeys", argv[4]);
		memcpy(e, buf + l + 8, 8);
		memmove(buf + l + 8, buf + l + 16, 8);
		memcpy(buf + l + 16, e, 8);
	} else {
		die("unknown kind or wrong arguments:", kind);
	}
	hivex_close(h);
	if (fix_sum)
		put32(508, regf_checksum(buf));
	write_out(out);
	free(buf);
	return 0;
}
