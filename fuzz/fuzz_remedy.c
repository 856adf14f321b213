/* fuzz_remedy.c: libFuzzer harness for the remedy loader.
 *
 * The input is a remedy file's bytes, loaded with the real schema and
 * checked with remedy_check, as kbfix does for every remedy it runs. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "remedy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct remedy *r = NULL;
	struct diag d;

	diag_init(&d);
	if (remedy_load_memory((const char *)data, size, "fuzz.xml",
	    KBFIX_SRCDIR "/remedies/remedy.xsd", &r, &d) == 0)
		remedy_check(r, &d);
	remedy_free(r);
	diag_free(&d);
	return 0;
}
