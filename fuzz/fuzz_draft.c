/* fuzz_draft.c: libFuzzer harness for the drafter: what "kbfix draft
 * ARTICLE" does, without the files.  The input is a KB article; its draft
 * goes through the remedy loader, as draft checks it.  (Slow: the drafter
 * compiles its patterns per article; fuzz_article.c covers the parser
 * alone, fast.) */
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

	diag_init(&d);
	if (article_parse((const char *)data, size, "fuzz.md", &a, &d) == 0) {
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
