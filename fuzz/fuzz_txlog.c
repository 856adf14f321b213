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

static char dir[] = "/tmp/kbfix-fuzz-txlog-XXXXXX";
static char hive[64], log1[64], log2[64];
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

static void
setup(void)
{
	struct diag d;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(hive, sizeof hive, "%s/SYSTEM", dir);
	snprintf(log1, sizeof log1, "%s/SYSTEM.LOG1", dir);
	snprintf(log2, sizeof log2, "%s/SYSTEM.LOG2", dir);
	diag_init(&d);
	if (regf_write_empty(hive, "ROOT", &d) < 0)
		abort();
	diag_free(&d);
	if ((f = fopen(hive, "rb")) == NULL)
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
	if (put_file(hive, empty, empty_len) < 0 ||
	    put_file(log1, data, n) < 0)
		abort();
	unlink(log2);
	if (size > n && put_file(log2, data + n, size - n) < 0)
		abort();

	diag_init(&d);
	memset(&st, 0, sizeof st);
	txlog_inspect(hive, &st, &d);
	txlog_state_free(&st);
	memset(&st, 0, sizeof st);
	if (txlog_recover(hive, &img, &imglen, &st, &d) == 0) {
		struct regf_header h;

		/* What recover hands on must itself read as a hive. */
		regf_header_parse(img, imglen, "recovered", &h, &d);
		free(img);
	}
	txlog_state_free(&st);
	diag_free(&d);
	return 0;
}
