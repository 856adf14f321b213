/* fuzz_regfile.c: libFuzzer harness for the .reg parser.
 *
 * Every value parsed is formatted back, as the dry run and undo files
 * do. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "regfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct regfile *rf = NULL;
	struct diag d;
	size_t i, j;

	diag_init(&d);
	if (regfile_parse((const char *)data, size, "fuzz.reg", &rf, &d) == 0) {
		for (i = 0; i < rf->nkeys; i++)
			for (j = 0; j < rf->keys[i].nvalues; j++) {
				const struct regfile_value *v =
				    &rf->keys[i].values[j];

				free(regfile_format_value(v->name, v->type,
				    v->data, v->len, j % 2 ? REGFILE_ASCII_SZ :
				    0));
			}
		regfile_free(rf);
	}
	diag_free(&d);
	return 0;
}
