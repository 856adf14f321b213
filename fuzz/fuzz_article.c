/* fuzz_article.c: libFuzzer harness for the KB article parser and the
 * drafter behind it: what "kbfix draft ARTICLE" does, without the files.
 * A draft's XML goes through the remedy loader, as draft checks it. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "draft.h"
#include "remedy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct article *a = NULL;
	struct draft *dr = NULL;
	struct diag d;
	size_t i;

	diag_init(&d);
	if (article_parse((const char *)data, size, "fuzz.md", &a, &d) == 0) {
		for (i = 0; i < a->nsections; i++)
			free(article_section_text(a, &a->sections[i]));
		(void)article_section(a, "WORKAROUND");
		if (draft_make(a, &dr, &d) == 0 && dr->xml != NULL) {
			struct remedy *r = NULL;

			if (remedy_load_memory(dr->xml, strlen(dr->xml),
			    "draft.xml", KBFIX_SRCDIR "/remedies/remedy.xsd",
			    &r, &d) == 0)
				remedy_check(r, &d);
			remedy_free(r);
		}
		draft_free(dr);
		article_free(a);
	}
	diag_free(&d);
	return 0;
}
