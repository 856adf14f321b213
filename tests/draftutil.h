/* draftutil.h: helpers shared by the drafter's test suites
 * (tests/check_draft.c, tests/check_draft_corpus.c). */
#ifndef KBFIX_DRAFTUTIL_H
#define KBFIX_DRAFTUTIL_H

#include "draft.h"
#include "remedy.h"

/* Load remedies/remedy.xsd of the source tree, if it is there; free it
 * at the end. */
void dt_schema_load(void);
void dt_schema_free(void);

/* Nonzero if XML is well-formed and, when the schema is loaded, valid. */
int dt_xml_valid(const char *xml);

/* remedies/remedy.xsd of the source tree, as a new string. */
char *dt_schema_path(void);

/* XML loaded and checked by the project's loader (remedy_load_memory and
 * remedy_check); the test fails with the loader's messages otherwise.
 * The caller frees the remedy. */
struct remedy *dt_load_xml(const char *xml, const char *name);

/* The draft of the article TEXT (NAME for messages); the test fails if
 * the article does not parse or the draft is not valid XML.  The caller
 * frees it with draft_free. */
struct draft *dt_draft_of(const char *text, const char *name);

/* The element lines of the draft's <actions> (comments dropped), each
 * trimmed and ended with a newline; the caller frees. */
char *dt_actions_of(const struct draft *dr);

#define CK_ACTIONS(dr, expect) do {					\
	char *acts_ = dt_actions_of(dr);				\
	ck_assert_str_eq(acts_, expect);				\
	free(acts_);							\
} while (0)

#endif
