/* draft.h: a first remedy draft from a KB article's procedure.
 *
 * The drafter reads the procedure section the article parser chose
 * (WORKAROUND, else a RESOLUTION naming registry keys), splits it into
 * steps and recognises the registry and file changes it states.  It is
 * conservative: a step it does not understand exactly is kept as an XML
 * comment for the author, never guessed into an action.  The remedy it
 * writes carries draft="true" on its root, which apply refuses.
 */
#ifndef KBFIX_DRAFT_H
#define KBFIX_DRAFT_H

#include <stddef.h>

#include "article.h"
#include "diag.h"

enum draft_status {
	DRAFT_COMPLETE,		/* every step of the procedure translated */
	DRAFT_PARTIAL,		/* actions, plus steps left as comments */
	DRAFT_NONE,		/* no draft: see reason */
	DRAFT_ADVISORY,		/* no workaround: an advisory remedy */
};

struct draft {
	enum draft_status status;
	char *reason;		/* one line: why partial, none or advisory;
				 * NULL when complete */
	char *category;		/* the reason without counts and line
				 * numbers, for grouping; NULL when
				 * complete */
	char *xml;		/* the remedy document (UTF-8, ends with a
				 * newline); NULL when status is DRAFT_NONE */
	size_t nactions;	/* actions written */
	size_t nuntranslated;	/* steps kept as comments for the author */
	int restart;		/* the procedure restarts the machine or a
				 * service */
};

/* Draft a remedy from article A.  On success *OUT is a new draft the
 * caller frees with draft_free, and 0 is returned; an article that gives
 * no draft still succeeds, with status DRAFT_NONE and a reason.  -1 (with a
 * message in D) only on out-of-memory, or on a mistake in the drafter
 * itself (a sentence form read by a group it has not). */
int draft_make(const struct article *a, struct draft **out, struct diag *d);

/* "complete", "partial", "none", "advisory".  Static storage. */
const char *draft_status_name(enum draft_status s);

/* Free DR and everything it owns.  NULL is allowed. */
void draft_free(struct draft *dr);

#endif
