/* txlog.c: read the transaction logs of a hive and replay them in memory.
 *
 * Format facts below come from Maxim Suhanov's "Windows registry file
 * format specification" (msuhanov/regf, section "Format of transaction log
 * files", cited as [spec: ...]) and from his yarp library (RegistryFile.py,
 * the reference recovery code, cited as [yarp]).  All numbers are little
 * endian.  Every offset and length read from a log is checked against the
 * buffer before use: logs come from damaged or hostile machines.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <sys/stat.h>

#include "regf.h"
#include "txlog.h"

#define PRIMARY_BASE	4096	/* base block of a primary; bins follow */
/* [spec: Old format, Base block] a log keeps only the first sector of the
 * base block (Clustering factor * 512 bytes; yarp and Windows use 512),
 * and what follows starts at the second sector. */
#define LOG_BASE	512
#define SECTOR		512
#define HBIN_ALIGN	4096
/* Hive bins size cap: a hostile entry must not make us allocate more. */
#define MAX_BINS	0x80000000u
/* A log holds at most a few copies of the hive; refuse absurd files. */
#define MAX_LOG		((off_t)MAX_BINS)
/* [spec: New format, Log entries] the fixed part of an HvLE entry. */
#define ENTRY_HDR	40
/* [spec: New format, Notes 3] Marvin32 seed "82 EF 4D 88 7A 4E 55 C5": the
 * bytes of the number 0x82EF4D887A4E55C5 written most significant first
 * (low state word 0x7A4E55C5).  Read little-endian instead, no hash of the
 * real logs matches: checked on Windows 10 and Server 2022 logs. */
#define MARVIN_SEED	0x82EF4D887A4E55C5ull

#define FILE_TYPE_PRIMARY	0
#define FILE_TYPE_LOG_OLD	1	/* [spec: Old format, Base block] */
#define FILE_TYPE_LOG_VERYOLD	2	/* [yarp] FILE_TYPE_LOG_VERYOLD */
#define FILE_TYPE_LOG_NEW	6	/* [spec: New format, Base block] */

/* One valid HvLE entry of a log. */
struct entry {
	size_t off;		/* in the log file */
	uint32_t size;
	uint32_t flags;		/* copy of the base block's Flags (144) */
	uint32_t seq;
	uint32_t bins_size;
	uint32_t npages;
};

/* How reading a log's entries ended. */
enum log_end {
	END_CLEAN,	/* end of file or zero-filled rest */
	END_REMNANT,	/* garbage or an older entry: the normal end */
	END_DAMAGED	/* truncated, bad hash, bad fields: state unknown */
};

struct log {
	struct txlog_file *f;	/* its public record in the state */
	unsigned char *buf;
	size_t len;
	int valid;		/* base block usable */
	int badbase;		/* not empty, but no usable base block */
	uint32_t seq1, seq2, bins_size, flags, type;
	uint64_t stamp;
	struct entry *ents;	/* new format: the valid chain */
	size_t nents;
	enum log_end end;
};

static const char *suffixes[] = { ".LOG", ".LOG1", ".LOG2" };
#define NSUFFIXES (sizeof suffixes / sizeof suffixes[0])

/* Serial-number order of sequence numbers (they may wrap). */
static int
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static uint32_t
rotl(uint32_t x, int n)
{
	return x << n | x >> (32 - n);
}

static void
marvin_mix(uint32_t *lo, uint32_t *hi, uint32_t v)
{
	*lo += v;
	*hi ^= *lo;
	*lo = rotl(*lo, 20) + *hi;
	*hi = rotl(*hi, 9) ^ *lo;
	*lo = rotl(*lo, 27) + *hi;
	*hi = rotl(*hi, 19);
}

/* Marvin32 as in CoreCLR's Marvin.cs / SymCrypt marvin32.c: each 32-bit
 * word is added and mixed, the 0-3 byte tail is padded with 0x80 above it,
 * then one more round with 0.  The log stores the 64-bit state, low word
 * first [yarp: Marvin32 returns (hi << 32) | lo]. */
static uint64_t
marvin32(const unsigned char *p, size_t n, uint64_t seed)
{
	uint32_t lo = (uint32_t)seed, hi = (uint32_t)(seed >> 32);
	uint32_t fin = 0x80;

	for (; n >= 4; p += 4, n -= 4)
		marvin_mix(&lo, &hi, regf_get32(p));
	switch (n) {
	case 3:
		fin = fin << 8 | p[2];
		/* FALLTHROUGH */
	case 2:
		fin = fin << 8 | p[1];
		/* FALLTHROUGH */
	case 1:
		fin = fin << 8 | p[0];
		break;
	}
	marvin_mix(&lo, &hi, fin);
	marvin_mix(&lo, &hi, 0);
	return (uint64_t)hi << 32 | lo;
}

uint64_t
txlog_marvin32(const unsigned char *p, size_t n)
{
	return marvin32(p, n, MARVIN_SEED);
}

static int
all_zero(const unsigned char *p, size_t n)
{
	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	return n == 0;
}

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* Read at most MAX bytes of PATH.  A longer file is an error unless
 * PREFIX is set (then only its first MAX bytes are read).  Returns 0, or -1
 * with a message in D. */
static int
read_file(const char *path, off_t max, int prefix, unsigned char **bufp,
    size_t *lenp, struct diag *d)
{
	FILE *f;
	struct stat sb;
	unsigned char *buf;
	size_t want, got;
	int fd;

	*bufp = NULL;
	*lenp = 0;
	/* O_NONBLOCK: a FIFO planted where a hive or log is expected must
	 * not hang the open; it is refused just below. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || (f = fdopen(fd, "rb")) == NULL) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		diag_error(d, NULL, 0, "cannot read '%s': not a regular file",
		    path);
		fclose(f);
		return -1;
	}
	if (sb.st_size > max && !prefix) {
		diag_error(d, NULL, 0, "cannot read '%s': too large "
		    "(%lld bytes)", path, (long long)sb.st_size);
		fclose(f);
		return -1;
	}
	want = (size_t)(sb.st_size > max ? max : sb.st_size);
	if ((buf = malloc(want ? want : 1)) == NULL) {
		diag_error(d, NULL, 0, "cannot read '%s': out of memory", path);
		fclose(f);
		return -1;
	}
	got = fread(buf, 1, want, f);
	if (got != want || ferror(f)) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    ferror(f) ? strerror(errno) : "file shrank while read");
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*bufp = buf;
	*lenp = got;
	return 0;
}

/* Find HIVE.LOG, .LOG1, .LOG2 beside HIVE_PATH in any letter case.  When
 * several spellings exist, the smallest name in byte order wins, so that
 * the choice does not depend on readdir's order. */
static int
find_logs(const char *hive_path, struct txlog_state *st, struct diag *d)
{
	const char *slash = strrchr(hive_path, '/');
	const char *base = slash ? slash + 1 : hive_path;
	size_t blen = strlen(base), i;
	char *dir, *best[NSUFFIXES] = { NULL };
	DIR *dp;
	struct dirent *de;

	dir = slash ? strndup(hive_path, slash - hive_path + (slash ==
	    hive_path)) : strdup(".");
	if (dir == NULL)
		return diag_oom(d);
	if ((dp = opendir(dir)) == NULL) {
		diag_error(d, NULL, 0, "cannot list '%s': %s", dir,
		    strerror(errno));
		free(dir);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *n = de->d_name;

		if (strlen(n) <= blen || strncasecmp(n, base, blen) != 0)
			continue;
		for (i = 0; i < NSUFFIXES; i++) {
			if (strcasecmp(n + blen, suffixes[i]) != 0)
				continue;
			if (best[i] == NULL || strcmp(n, best[i]) < 0) {
				free(best[i]);
				best[i] = strdup(n);
			}
		}
	}
	closedir(dp);
	st->files = calloc(NSUFFIXES, sizeof *st->files);
	if (st->files == NULL)
		goto nomem;
	for (i = 0; i < NSUFFIXES; i++) {
		struct txlog_file *f;

		if (best[i] == NULL)
			continue;
		f = &st->files[st->nfiles++];
		/* Named as the hive was: "SYSTEM.LOG1", not "./SYSTEM.LOG1". */
		f->path = slash ? xasprintf("%s/%s", dir, best[i]) :
		    strdup(best[i]);
		if (f->path == NULL)
			goto nomem;
	}
	for (i = 0; i < NSUFFIXES; i++)
		free(best[i]);
	free(dir);
	return 0;
nomem:
	for (i = 0; i < NSUFFIXES; i++)
		free(best[i]);
	free(dir);
	return diag_oom(d);
}

static void
log_stop(struct log *l, enum log_end end, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	l->end = end;
	if (l->f->stopped != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	l->f->stopped = s;
}

/* Decode the partial base block at the start of a log.  [spec: Old format,
 * Base block, Notes 2]: a log is valid when its base block is (signature,
 * checksum, file type) and its two sequence numbers are equal. */
static void
log_parse_base(struct log *l)
{
	const unsigned char *b = l->buf;

	if (l->len == 0) {
		log_stop(l, END_CLEAN, "empty file");
		return;
	}
	l->badbase = 1;
	if (l->len < LOG_BASE) {
		log_stop(l, END_DAMAGED, "truncated base block");
		return;
	}
	if (memcmp(b, "regf", 4) != 0) {
		log_stop(l, END_DAMAGED, "no 'regf' signature");
		return;
	}
	if (regf_checksum(b) != regf_get32(b + 508)) {
		log_stop(l, END_DAMAGED, "bad base block checksum");
		return;
	}
	l->seq1 = regf_get32(b + 4);
	l->seq2 = regf_get32(b + 8);
	l->stamp = regf_get64(b + 12);
	l->type = regf_get32(b + 28);
	l->bins_size = regf_get32(b + 40);
	l->flags = regf_get32(b + 144);
	if (l->type != FILE_TYPE_LOG_OLD && l->type != FILE_TYPE_LOG_VERYOLD &&
	    l->type != FILE_TYPE_LOG_NEW) {
		log_stop(l, END_DAMAGED, "not a transaction log (file type %u)",
		    l->type);
		return;
	}
	if (l->seq1 != l->seq2) {
		log_stop(l, END_DAMAGED, "base block not written to the end "
		    "(sequence numbers %u/%u)", l->seq1, l->seq2);
		return;
	}
	if (l->bins_size % HBIN_ALIGN != 0 || l->bins_size > MAX_BINS) {
		log_stop(l, END_DAMAGED, "bad hive bins size 0x%x",
		    l->bins_size);
		return;
	}
	l->badbase = 0;
	l->valid = 1;
	l->f->format = l->type == FILE_TYPE_LOG_NEW ? 6 : 1;
}

/* Check one HvLE entry at OFF.  Returns 1 and fills *E when it is valid
 * and carries sequence number WANT; else 0 after log_stop. */
static int
entry_parse(struct log *l, size_t off, uint32_t want, struct entry *e)
{
	const unsigned char *p = l->buf + off;
	size_t room = l->len - off, data, i;
	uint64_t sum;

	if (all_zero(p, room)) {
		l->end = END_CLEAN;
		return 0;
	}
	/* [spec: New format, Log entries] signature, size, flags, sequence
	 * number, hive bins size, dirty pages count, hash-1, hash-2, then
	 * the page references (offset, size) and the pages, no gaps. */
	if (room < ENTRY_HDR || memcmp(p, "HvLE", 4) != 0) {
		/* Space never written, or the tail of an older entry partly
		 * overwritten: how a log normally ends. */
		log_stop(l, END_REMNANT, "entry at offset 0x%zx: no 'HvLE' "
		    "signature", off);
		return 0;
	}
	e->off = off;
	e->size = regf_get32(p + 4);
	e->flags = regf_get32(p + 8);
	e->seq = regf_get32(p + 12);
	e->bins_size = regf_get32(p + 16);
	e->npages = regf_get32(p + 20);
	/* [yarp: LogEntry] each entry is a multiple of 512 bytes. */
	if (e->size < ENTRY_HDR || e->size % SECTOR != 0) {
		log_stop(l, END_DAMAGED, "entry %u at offset 0x%zx: bad size "
		    "0x%x", e->seq, off, e->size);
		return 0;
	}
	if (e->size > room) {
		log_stop(l, END_DAMAGED, "entry %u at offset 0x%zx: truncated "
		    "(0x%x bytes, the file ends 0x%zx bytes after it)", e->seq,
		    off, e->size, room);
		return 0;
	}
	/* [spec: New format, Notes 1-2] hash-1 covers the entry from offset
	 * 40 to its end, hash-2 its first 32 bytes (hash-1 included). */
	if (marvin32(p, 32, MARVIN_SEED) != regf_get64(p + 32) ||
	    marvin32(p + ENTRY_HDR, e->size - ENTRY_HDR, MARVIN_SEED) !=
	    regf_get64(p + 24)) {
		log_stop(l, END_DAMAGED, "entry %u at offset 0x%zx: bad hash",
		    e->seq, off);
		return 0;
	}
	if (e->seq != want) {
		/* An older entry left from the previous use of the file is
		 * the normal end; a jump forward means entries are missing. */
		log_stop(l, seq_lt(e->seq, want) ? END_REMNANT : END_DAMAGED,
		    "entry %u at offset 0x%zx: sequence gap (expected %u)",
		    e->seq, off, want);
		return 0;
	}
	/* [spec: New format, Notes 8] a hive bins size that is not a
	 * multiple of 4096 stops recovery. */
	if (e->bins_size == 0 || e->bins_size % HBIN_ALIGN != 0 ||
	    e->bins_size > MAX_BINS) {
		log_stop(l, END_DAMAGED, "entry %u at offset 0x%zx: bad hive "
		    "bins size 0x%x", e->seq, off, e->bins_size);
		return 0;
	}
	data = e->size - ENTRY_HDR;
	if (e->npages == 0 || e->npages > data / 8) {
		log_stop(l, END_DAMAGED, "entry %u at offset 0x%zx: bad dirty "
		    "pages count %u", e->seq, off, e->npages);
		return 0;
	}
	sum = (uint64_t)e->npages * 8;
	for (i = 0; i < e->npages; i++) {
		uint32_t po = regf_get32(p + ENTRY_HDR + 8 * i);
		uint32_t ps = regf_get32(p + ENTRY_HDR + 8 * i + 4);

		sum += ps;
		if (ps == 0 || (uint64_t)po + ps > e->bins_size ||
		    sum > data) {
			log_stop(l, END_DAMAGED, "entry %u at offset 0x%zx: "
			    "dirty page %zu (0x%x bytes at 0x%x) out of "
			    "bounds", e->seq, off, i, ps, po);
			return 0;
		}
	}
	return 1;
}

/* Collect the chain of valid entries of a new-format log: [yarp:
 * NewLogFile.log_entries] it starts at the base block's sequence number
 * and goes up by one (wrapping) until the first invalid entry. */
static int
log_parse_entries(struct log *l, struct diag *d)
{
	size_t off = LOG_BASE, cap = 0;
	uint32_t want = l->seq1;
	struct entry e;

	l->end = END_CLEAN;
	while (off < l->len && entry_parse(l, off, want, &e)) {
		if (l->nents == cap) {
			struct entry *n;

			cap = cap ? 2 * cap : 16;
			if ((n = realloc(l->ents, cap * sizeof *n)) == NULL)
				return diag_oom(d);
			l->ents = n;
		}
		l->ents[l->nents++] = e;
		off += e.size;
		want++;
	}
	if (l->nents > 0) {
		l->f->first_seq = l->ents[0].seq;
		l->f->last_seq = l->ents[l->nents - 1].seq;
	}
	return 0;
}

/* The hive image being rebuilt. */
struct image {
	unsigned char *buf;
	size_t cap;
	uint32_t bins_size;
};

/* Make room for BINS bytes of hive bins; new space is zero. */
static int
image_grow(struct image *im, uint32_t bins, struct diag *d)
{
	size_t need = PRIMARY_BASE + (size_t)bins;
	unsigned char *n;

	if (need <= im->cap)
		return 0;
	if ((n = realloc(im->buf, need)) == NULL)
		return diag_error(d, NULL, 0,
		    "out of memory for a hive of %zu bytes",
		    need);
	memset(n + im->cap, 0, need - im->cap);
	im->buf = n;
	im->cap = need;
	return 0;
}

/* Write the dirty pages of entry E of log L.  entry_parse checked that
 * they lie in the entry and within its hive bins size. */
static int
image_apply_entry(struct image *im, const struct log *l,
    const struct entry *e, struct diag *d)
{
	const unsigned char *p = l->buf + e->off;
	size_t src = ENTRY_HDR + (size_t)e->npages * 8, i;

	/* [spec: New format, Notes 9] the hive grows (or shrinks) to the
	 * entry's hive bins size. */
	if (image_grow(im, e->bins_size, d) != 0)
		return -1;
	if (e->bins_size > im->bins_size)
		memset(im->buf + PRIMARY_BASE + im->bins_size, 0,
		    e->bins_size - im->bins_size);
	im->bins_size = e->bins_size;
	for (i = 0; i < e->npages; i++) {
		uint32_t po = regf_get32(p + ENTRY_HDR + 8 * i);
		uint32_t ps = regf_get32(p + ENTRY_HDR + 8 * i + 4);

		memcpy(im->buf + PRIMARY_BASE + po, p + src, ps);
		src += ps;
	}
	return 0;
}

struct primary {
	unsigned char *buf;
	size_t len;
	int valid;		/* base block checksum right */
	uint32_t seq1, seq2, bins_size;
	uint64_t stamp;
};

/* The new format: order the entries of all logs by sequence number, as
 * Windows does [yarp: apply_new_log_files].  The log whose base block has
 * the lower sequence number (serial order) comes first.  Entries older
 * than the hive's secondary sequence number are already in the primary
 * and are skipped [spec: New format, Notes 5]; the first entry applied may
 * be far above it (a partial reconcile leaves such a gap, see msuhanov's
 * "Missing log entries for a dirty primary file"), but after it each entry
 * must carry the next number, even across files [spec: Notes 7]; a log
 * must not be followed past damage whose entries could matter. */
static int
replay_new(struct primary *pr, struct log *logs, size_t nlogs,
    struct image *im, struct txlog_state *st, struct diag *d)
{
	struct log *ord[NSUFFIXES];
	size_t n = 0, i, j;
	uint32_t want = pr->seq2, last = 0;
	int have_last = 0, halted = 0;
	const char *halt_by = NULL;
	uint32_t flags = 0;

	for (i = 0; i < nlogs; i++)
		if (logs[i].valid && logs[i].type == FILE_TYPE_LOG_NEW)
			ord[n++] = &logs[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && seq_lt(ord[j]->seq1, ord[j - 1]->seq1);
		    j--) {
			struct log *t = ord[j];

			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	if (!pr->valid && n > 0) {
		/* [spec: New format, Notes 6; yarp] a primary base block
		 * with a bad checksum is replaced by the newest log's, whose
		 * entries are then all applied. */
		for (i = 0; i + 1 < n; i++)
			ord[i]->f->stale = 1;
		ord[0] = ord[n - 1];
		n = 1;
		want = ord[0]->seq1;
	}
	for (i = 0; i < n; i++) {
		struct log *l = ord[i];
		uint32_t end = l->seq1 + (uint32_t)l->nents;
		int any = 0;

		if (halted) {
			if (l->nents > 0 && !seq_lt(l->ents[l->nents - 1].seq,
			    want)) {
				free(l->f->stopped);
				l->f->stopped = xasprintf("not applied: '%s' "
				    "is damaged before it", halt_by);
			} else
				l->f->stale = 1;
			continue;
		}
		for (j = 0; j < l->nents; j++) {
			const struct entry *e = &l->ents[j];

			if (!have_last && seq_lt(e->seq, want))
				continue;	/* already in the primary */
			if (have_last && e->seq != last + 1) {
				if (!seq_lt(last, e->seq))
					continue;	/* already applied */
				free(l->f->stopped);
				l->f->stopped = xasprintf("entry %u at offset "
				    "0x%zx: sequence gap (expected %u)",
				    e->seq, e->off, last + 1);
				l->f->damaged = 1;
				halted = 1;
				halt_by = l->f->path;
				break;
			}
			if (im != NULL && image_apply_entry(im, l, e, d) != 0)
				return -1;
			last = e->seq;
			have_last = 1;
			any = 1;
			flags = e->flags;
			l->f->entries_applied++;
			l->f->pages_applied += e->npages;
		}
		if (halted)
			continue;
		if (!any && l->end != END_DAMAGED && seq_lt(end, want))
			l->f->stale = 1;
		/* Damage hides entries that may follow: stop here, unless
		 * the damage is in entries older than the hive. */
		if (l->end == END_DAMAGED && (have_last || !seq_lt(end,
		    want))) {
			l->f->damaged = 1;
			halted = 1;
			halt_by = l->f->path;
		}
		/* A log that ends cleanly at or past the hive's number fixes
		 * where the next log must start. */
		if (!have_last && !seq_lt(end, want) &&
		    l->end != END_DAMAGED) {
			last = end - 1;
			have_last = 1;
		}
	}
	for (i = 0; i < n; i++)
		if (ord[i]->f->entries_applied > 0)
			st->pending = 1;
	if (st->pending) {
		st->seq_after = last;
		if (im != NULL) {
			unsigned char *b = im->buf;

			/* [spec: New format, Notes 11; yarp:
			 * LogEntryFlagsToBaseBlockFlags] bit 0 of the base
			 * block's Flags (KTM locked) follows the last entry. */
			regf_put32(b + 144, (regf_get32(b + 144) & ~1u) | (flags & 1));
		}
	}
	return 0;
}

/* The old format [spec: Old format]: one log, base block then the "DIRT"
 * dirty vector at 512 (one bit per 512-byte page of the hive bins, bins
 * size / 512 bits), then the dirty pages from the next sector boundary,
 * one per set bit, in bit order.  The newest applicable log is used
 * [yarp: recover_auto]: applicable when its last written timestamp is not
 * older than the primary's [spec: Old format, Base block, Notes 3]. */
static int
replay_old(struct primary *pr, struct log *logs, size_t nlogs,
    struct image *im, struct txlog_state *st, struct diag *d)
{
	struct log *l = NULL;
	size_t i, vlen, pages_at, bit, k = 0;
	const unsigned char *v;

	for (i = 0; i < nlogs; i++) {
		struct log *c = &logs[i];

		if (!c->valid || c->type == FILE_TYPE_LOG_NEW)
			continue;
		if (c->stamp < pr->stamp) {
			c->f->stale = 1;
			continue;
		}
		if (l != NULL && c->stamp < l->stamp) {
			c->f->stale = 1;
			continue;
		}
		if (l != NULL)
			l->f->stale = 1;
		l = c;
	}
	if (l == NULL)
		return 0;
	vlen = l->bins_size / 4096;	/* bytes: bins size / 512 bits */
	pages_at = (LOG_BASE + 4 + vlen + SECTOR - 1) / SECTOR * SECTOR;
	if (l->len < LOG_BASE + 4 + vlen ||
	    memcmp(l->buf + LOG_BASE, "DIRT", 4) != 0) {
		free(l->f->stopped);
		l->f->stopped = xasprintf("offset 0x%x: no 'DIRT' dirty "
		    "vector", LOG_BASE);
		return diag_error(d, NULL, 0,
		    "'%s': no 'DIRT' dirty vector: cannot "
		    "tell what it holds", l->f->path);
	}
	v = l->buf + LOG_BASE + 4;
	if (im != NULL) {
		if (image_grow(im, l->bins_size, d) != 0)
			return -1;
		if (l->bins_size > im->bins_size)
			memset(im->buf + PRIMARY_BASE + im->bins_size, 0,
			    l->bins_size - im->bins_size);
		im->bins_size = l->bins_size;
	}
	for (bit = 0; bit < vlen * 8; bit++) {
		size_t src;

		if ((v[bit / 8] >> (bit % 8) & 1) == 0)
			continue;
		src = pages_at + k * SECTOR;
		if (src > l->len || l->len - src < SECTOR) {
			free(l->f->stopped);
			l->f->stopped = xasprintf("page %zu at offset 0x%zx: "
			    "truncated", k, src);
			l->f->damaged = 1;
			break;
		}
		if (im != NULL)
			memcpy(im->buf + PRIMARY_BASE + bit * SECTOR,
			    l->buf + src, SECTOR);
		k++;
	}
	/* [spec: Dirty pages] Windows also checks each dirty hive bin and
	 * stops at a bad one; we do not (see the report). */
	l->f->pages_applied = k;
	l->f->entries_applied = k > 0;
	l->f->first_seq = l->f->last_seq = l->seq1;
	if (k > 0) {
		st->pending = 1;
		st->seq_after = pr->valid ? pr->seq1 : l->seq1;
	}
	return 0;
}

static void
logs_free(struct log *logs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(logs[i].buf);
		free(logs[i].ents);
	}
}

/* Check the base block of the primary file read into PR and note what
 * it says (sequence numbers, size, timestamp, checksum valid). */
static int
primary_parse(const char *hive_path, struct primary *pr, struct diag *d)
{
	const unsigned char *b;

	b = pr->buf;
	/* The same messages, in the same order, as regf_header_parse. */
	if (pr->len == 0)
		return diag_error(d, NULL, 0,
		    "'%s': empty file, not a registry hive",
		    hive_path);
	if (pr->len < 4 || memcmp(b, "regf", 4) != 0)
		return diag_error(d, NULL, 0,
		    "'%s': not a registry hive (no 'regf' "
		    "signature)", hive_path);
	if (pr->len < PRIMARY_BASE)
		return diag_error(d, NULL, 0, "'%s': truncated base block",
		    hive_path);
	if (regf_get32(b + 28) != FILE_TYPE_PRIMARY)
		return diag_error(d, NULL, 0,
		    "'%s': not a primary hive file (file "
		    "type %u: a transaction log?)", hive_path, regf_get32(b + 28));
	pr->valid = regf_checksum(b) == regf_get32(b + 508);
	pr->seq1 = regf_get32(b + 4);
	pr->seq2 = regf_get32(b + 8);
	pr->bins_size = regf_get32(b + 40);
	pr->stamp = regf_get64(b + 12);
	if (!pr->valid && pr->len >= PRIMARY_BASE + 28 &&
	    memcmp(b + PRIMARY_BASE, "hbin", 4) == 0)
		pr->stamp = regf_get64(b + PRIMARY_BASE + 20);	/* [spec: Notes 3] */
	return 0;
}

/* Read and parse the logs of the hive at HIVE_PATH (st->files, found
 * here) into LOGS, *NLOGS of them; *NEWFMT set when one is in the new
 * format.  A DIRTY hive whose changes cannot be told is refused. */
static int
read_logs(const char *hive_path, const struct primary *pr, int dirty,
    struct log *logs, size_t *nlogs, int *newfmt, struct txlog_state *st,
    struct diag *d)
{
	size_t i;

	if (find_logs(hive_path, st, d) != 0)
		return -1;
	for (i = 0; i < st->nfiles; i++) {
		struct log *l = &logs[(*nlogs)++];

		l->f = &st->files[i];
		if (read_file(l->f->path, MAX_LOG, 0, &l->buf, &l->len, d) != 0)
			return -1;
		log_parse_base(l);
		if (l->valid && l->type == FILE_TYPE_LOG_NEW) {
			*newfmt = 1;
			if (log_parse_entries(l, d) != 0)
				return -1;
		}
		if (!dirty && l->valid)
			l->f->stale = 1;
	}
	if (dirty) {
		for (i = 0; i < *nlogs; i++) {
			if (!logs[i].badbase)
				continue;
			return diag_error(d, NULL, 0,
			    "'%s': %s: cannot tell whether "
			    "it holds changes newer than the hive",
			    logs[i].f->path, logs[i].f->stopped);
		}
		if (!pr->valid) {
			for (i = 0; i < *nlogs && !logs[i].valid; i++)
				;
			if (i == *nlogs)
				return diag_error(d, NULL, 0,
				    "'%s': bad base block "
				    "checksum and no valid log to recover it "
				    "from", hive_path);
		}
	}
	return 0;
}

static int
txlog_run(const char *hive_path, int build, unsigned char **out,
    size_t *outlen, struct txlog_state *st, struct diag *d)
{
	struct primary pr;
	struct log logs[NSUFFIXES];
	struct image im = { NULL, 0, 0 };
	size_t i, nlogs = 0;
	int dirty, newfmt = 0, rc = -1;

	memset(st, 0, sizeof *st);
	memset(&pr, 0, sizeof pr);
	memset(logs, 0, sizeof logs);
	if (out != NULL) {
		*out = NULL;
		*outlen = 0;
	}
	/* Inspecting needs the base block and the first hive bin's header
	 * only; a replay needs the whole file. */
	if (read_file(hive_path, build ? (off_t)PRIMARY_BASE + MAX_BINS :
	    PRIMARY_BASE + 32, !build, &pr.buf, &pr.len, d) != 0)
		return -1;
	if (primary_parse(hive_path, &pr, d) != 0)
		goto out;
	st->seq_before = pr.seq1;
	st->seq_before2 = pr.seq2;
	st->seq_after = pr.seq1;
	st->bins_after = pr.bins_size;
	/* [spec: Dirty state of a hive] dirty: sequence numbers differ or
	 * the checksum is wrong.  A clean hive ignores its logs. */
	dirty = !pr.valid || pr.seq1 != pr.seq2;
	st->dirty = dirty;

	if (read_logs(hive_path, &pr, dirty, logs, &nlogs, &newfmt, st,
	    d) != 0)
		goto out;
	if (build) {
		size_t have = pr.len - PRIMARY_BASE;

		if (pr.bins_size > MAX_BINS || pr.bins_size % HBIN_ALIGN) {
			if (dirty) {
				diag_error(d, NULL, 0, "'%s': bad hive bins "
				    "size 0x%x", hive_path, pr.bins_size);
				goto out;
			}
		}
		if (!dirty) {
			/* Nothing to replay: the image is the file itself,
			 * so that recovering twice changes nothing. */
			*out = pr.buf;
			*outlen = pr.len;
			pr.buf = NULL;
			rc = 0;
			goto out;
		}
		im.bins_size = pr.bins_size;
		if (image_grow(&im, pr.bins_size, d) != 0)
			goto out;
		memcpy(im.buf, pr.buf, PRIMARY_BASE);
		memcpy(im.buf + PRIMARY_BASE, pr.buf + PRIMARY_BASE,
		    have < pr.bins_size ? have : pr.bins_size);
	}
	if (dirty) {
		struct log *src = NULL;

		if (newfmt) {
			if (replay_new(&pr, logs, nlogs, build ? &im : NULL, st,
			    d) != 0)
				goto out;
			if (!pr.valid)
				for (i = 0; i < nlogs; i++)
					if (logs[i].valid &&
					    logs[i].type == FILE_TYPE_LOG_NEW &&
					    !logs[i].f->stale)
						src = &logs[i];
		} else {
			if (replay_old(&pr, logs, nlogs, build ? &im : NULL, st,
			    d) != 0)
				goto out;
			for (i = 0; i < nlogs; i++)
				if (logs[i].valid && !logs[i].f->stale)
					src = &logs[i];
		}
		if (build && !pr.valid) {
			if (src == NULL) {
				diag_error(d, NULL, 0, "'%s': bad base block "
				    "checksum and no log to recover it from",
				    hive_path);
				goto out;
			}
			/* [spec: Old format, Base block, Notes 4] the base
			 * block is recovered from the log. */
			memset(im.buf, 0, PRIMARY_BASE);
			memcpy(im.buf, src->buf, LOG_BASE);
			regf_put32(im.buf + 28, FILE_TYPE_PRIMARY);
		}
		if (!st->pending)
			diag_warning(d, NULL, 0, "'%s' is dirty (sequence "
			    "numbers %u/%u) but no log holds newer changes",
			    hive_path, pr.seq1, pr.seq2);
	}
	if (build) {
		/* The recovered base block: both sequence numbers set to the
		 * last entry applied, the hive bins size it gave, a primary
		 * file type and the checksum with its special cases. */
		regf_put32(im.buf + 4, st->seq_after);
		regf_put32(im.buf + 8, st->seq_after);
		regf_put32(im.buf + 40, im.bins_size);
		regf_put32(im.buf + 508, regf_checksum(im.buf));
		st->bins_after = im.bins_size;
		*out = im.buf;
		*outlen = PRIMARY_BASE + (size_t)im.bins_size;
		im.buf = NULL;
	}
	rc = 0;
out:
	free(im.buf);
	free(pr.buf);
	logs_free(logs, nlogs);
	if (rc != 0)
		txlog_state_free(st);
	return rc;
}

int
txlog_inspect(const char *hive_path, struct txlog_state *st, struct diag *d)
{
	return txlog_run(hive_path, 0, NULL, NULL, st, d);
}

int
txlog_recover(const char *hive_path, unsigned char **out, size_t *outlen,
    struct txlog_state *st, struct diag *d)
{
	return txlog_run(hive_path, 1, out, outlen, st, d);
}

void
txlog_state_free(struct txlog_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nfiles; i++) {
		free(st->files[i].path);
		free(st->files[i].stopped);
	}
	free(st->files);
	memset(st, 0, sizeof *st);
}
