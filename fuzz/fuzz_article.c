/* fuzz_article.c: libFuzzer harness for the KB article parser: every
 * section's text and the lookup the drafter starts with. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "article.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct article *a = NULL;
	struct diag d;
	size_t i;

	diag_init(&d);
	if (article_parse((const char *)data, size, "fuzz.md", &a, &d) == 0) {
		for (i = 0; i < a->nsections; i++)
			free(article_section_text(a, &a->sections[i]));
		(void)article_section(a, "WORKAROUND");
		article_free(a);
	}
	diag_free(&d);
	return 0;
}
