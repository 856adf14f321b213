/* regfset: set a 32-bit little-endian field of a hive's base block and
 * store the checksum that makes the block valid again, for tests that
 * need a hive with, say, differing sequence numbers.
 *
 *   regfset FILE OFFSET VALUE      (OFFSET < 508; numbers in C syntax)
 *
 * Exit status: 0 done, 2 trouble.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "regf.h"

int
main(int argc, char **argv)
{
	unsigned char b[REGF_BASE_BLOCK_SIZE];
	unsigned long off, val;
	uint32_t sum;
	int fd, i;

	if (argc != 4) {
		fprintf(stderr, "usage: regfset FILE OFFSET VALUE\n");
		return 2;
	}
	off = strtoul(argv[2], NULL, 0);
	val = strtoul(argv[3], NULL, 0);
	if (off > 504 || (fd = open(argv[1], O_RDWR)) < 0 ||
	    pread(fd, b, sizeof b, 0) != (ssize_t)sizeof b) {
		fprintf(stderr, "regfset: cannot use '%s'\n", argv[1]);
		return 2;
	}
	for (i = 0; i < 4; i++)
		b[off + i] = (unsigned char)(val >> (8 * i));
	sum = regf_checksum(b);
	for (i = 0; i < 4; i++)
		b[508 + i] = (unsigned char)(sum >> (8 * i));
	if (pwrite(fd, b, sizeof b, 0) != (ssize_t)sizeof b || close(fd) < 0) {
		fprintf(stderr, "regfset: cannot write '%s'\n", argv[1]);
		return 2;
	}
	return 0;
}
