/* fuzz_replay.c: run a libFuzzer harness of fuzz/ on files, without
 * libFuzzer, so that make check feeds every crash the fuzzers found (kept
 * under tests/fuzz/NAME/) and the seed corpus to the same entry point.
 *
 *   replay_NAME FILE...
 *
 * A crash or a sanitizer report fails the run; otherwise it prints how
 * many inputs it replayed and exits 0.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *buf = NULL;
		size_t len = 0, cap = 0, n;

		if (f == NULL) {
			fprintf(stderr, "replay: cannot open '%s'\n", argv[i]);
			return 2;
		}
		do {
			if (len == cap) {
				unsigned char *nb;

				cap = cap ? cap * 2 : 65536;
				if ((nb = realloc(buf, cap)) == NULL) {
					fprintf(stderr, "replay: out of memory\n");
					return 2;
				}
				buf = nb;
			}
			n = fread(buf + len, 1, cap - len, f);
			len += n;
		} while (n > 0);
		fclose(f);
		/* A copy of exactly LEN bytes, so that reading past the input
		 * is caught by ASan and valgrind as libFuzzer would. */
		{
			unsigned char *exact = malloc(len ? len : 1);

			if (exact == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				return 2;
			}
			if (len)
				memcpy(exact, buf, len);
			free(buf);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
		}
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
