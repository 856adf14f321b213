/* fuzz_regfile.c: libFuzzer harness for the .reg parser.
 *
 * Every value parsed is formatted back, as undo files do, and in the dry
 * run's notation, which must parse back to the same type and bytes
 * (valuetext.h); each value is also diffed against the one before it. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regtext.h"
#include "valuetext.h"

/* The diff's notation of (TYPE, DATA, LEN) parses back to it. */
static void
round_trip(uint32_t type, const unsigned char *data, size_t len,
    unsigned flags)
{
	char *t = valuetext_format(type, data, len, flags);
	unsigned char *back = NULL;
	const char *err;
	size_t blen, pos;
	uint32_t btype;

	if (t == NULL)
		return;
	if (valuetext_parse(t, strlen(t), &btype, &back, &blen, &err,
	    &pos) != 0 || btype != type || blen != len ||
	    (len && memcmp(back, data, len) != 0))
		abort();
	free(back);
	free(t);
}

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
				round_trip(v->type, v->data, v->len, 0);
				round_trip(v->type, v->data, v->len,
				    VALUETEXT_UTF8);
				if (j > 0) {
					const struct regfile_value *p =
					    &rf->keys[i].values[j - 1];
					struct rvalue o = { p->type, p->data,
					    p->len };
					struct rvalue n = { v->type, v->data,
					    v->len };
					FILE *f = fopen("/dev/null", "w");

					if (f != NULL) {
						valuetext_inside(f, v->name, &o,
						    &n, j % 2 ? ";" : NULL,
						    VALUETEXT_UTF8);
						fclose(f);
					}
				}
			}
		regfile_free(rf);
	}
	diag_free(&d);
	return 0;
}
