/* fuzz_txlog.c: libFuzzer harness for the transaction-log reader.
 *
 * Input: 4 bytes (little endian) giving the hive's secondary sequence
 * number S, 4 bytes giving the length N of SYSTEM.LOG1, then N bytes of
 * LOG1 and the rest as SYSTEM.LOG2 (absent when empty).  The hive beside
 * them is an empty one written by regf_write_empty, made dirty (primary
 * sequence S + 1), so that entries from S on apply.  Both txlog_inspect
 * and txlog_recover run, as kbfix does before planning and on recover.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "regf.h"
#include "txlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static char hive_path[300], log1_path[300], log2_path[300];
static unsigned char *empty;	/* the empty hive's bytes */
static size_t empty_len;

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xFF;
	p[1] = v >> 8 & 0xFF;
	p[2] = v >> 16 & 0xFF;
	p[3] = v >> 24 & 0xFF;
}

static int
put_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	if (len && fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* Leave no temporary files behind (make check replays this). */
static void
cleanup(void)
{
	unlink(hive_path);
	unlink(log1_path);
	unlink(log2_path);
	rmdir(dir);
	free(empty);
}

static void
setup(void)
{
	const char *t = getenv("TMPDIR");
	struct diag d;
	FILE *f;

	snprintf(dir, sizeof dir, "%s/kbfix-fuzz-txlog-XXXXXX",
	    t != NULL && *t != '\0' ? t : P_tmpdir);
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(hive_path, sizeof hive_path, "%s/SYSTEM", dir);
	snprintf(log1_path, sizeof log1_path, "%s/SYSTEM.LOG1", dir);
	snprintf(log2_path, sizeof log2_path, "%s/SYSTEM.LOG2", dir);
	diag_init(&d);
	if (regf_write_empty(hive_path, "ROOT", &d) < 0)
		abort();
	diag_free(&d);
	if ((f = fopen(hive_path, "rb")) == NULL)
		abort();
	fseek(f, 0, SEEK_END);
	empty_len = (size_t)ftell(f);
	rewind(f);
	if ((empty = malloc(empty_len)) == NULL ||
	    fread(empty, 1, empty_len, f) != empty_len)
		abort();
	fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct txlog_state st;
	struct diag d;
	unsigned char *img = NULL;
	size_t imglen = 0, n;
	uint32_t seq;

	if (empty == NULL)
		setup();
	if (size < 8)
		return 0;
	seq = data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24;
	n = data[4] | data[5] << 8 | data[6] << 16 | (size_t)data[7] << 24;
	data += 8;
	size -= 8;
	if (n > size)
		n = size;
	put32(empty + 4, seq + 1);
	put32(empty + 8, seq);
	put32(empty + 508, regf_checksum(empty));
	if (put_file(hive_path, empty, empty_len) < 0 ||
	    put_file(log1_path, data, n) < 0)
		abort();
	unlink(log2_path);
	if (size > n && put_file(log2_path, data + n, size - n) < 0)
		abort();

	diag_init(&d);
	memset(&st, 0, sizeof st);
	txlog_inspect(hive_path, &st, &d);
	txlog_state_free(&st);
	memset(&st, 0, sizeof st);
	if (txlog_recover(hive_path, &img, &imglen, &st, &d) == 0) {
		struct regf_header h;

		/* What recover hands on must itself read as a hive. */
		regf_header_parse(img, imglen, "recovered", &h, &d);
		free(img);
	}
	txlog_state_free(&st);
	diag_free(&d);
	return 0;
}
