/* article.h: a Microsoft KB article, as found in the KB archives.
 *
 * Two forms exist and both are read:
 *   - the web page: a "---" front matter (title: "Qnnn: Title"), then a body
 *     whose every line starts with one tab, with "Article:", "Product(s):",
 *     "Last Modified:" fields before the sections;
 *   - the plain text: "DOCUMENT:Qnnn  DD-MMM-YYYY  [tag]", "TITLE   :...",
 *     "PRODUCT :..." header lines, then the sections unindented.
 * Sections are an upper-case heading underlined with '=' (SYMPTOMS, CAUSE,
 * RESOLUTION, WORKAROUND, STATUS, MORE INFORMATION); the body ends at
 * "Additional query words:" or at the long '=' rule before the keywords.
 */
#ifndef KBFIX_ARTICLE_H
#define KBFIX_ARTICLE_H

#include <stddef.h>

#include "diag.h"

/* Limits that keep a hostile article cheap to read. */
#define ARTICLE_MAX_BYTES	(4 * 1024 * 1024)
#define ARTICLE_MAX_LINES	100000

/* One line of the body: the page form's leading tab removed, no newline,
 * control bytes and invalid UTF-8 replaced (so any line can go into XML). */
struct article_line {
	long no;		/* 1-based line number in the file */
	char *text;
};

/* A section: its heading and the lines after the '=' underline, up to the
 * next heading (lines index into article.lines). */
struct article_section {
	char *name;		/* "WORKAROUND", as written, trimmed */
	long line;		/* line of the heading */
	size_t first;		/* index of its first line in article.lines */
	size_t n;		/* number of lines */
};

struct article {
	char *name;		/* as given to article_parse, for messages */
	char *number;		/* "Q267971" */
	char *title;		/* without the "Qnnn: " prefix, entities decoded */
	char *modified;		/* "11-JUN-2002", or NULL */
	char **products;
	size_t nproducts;
	char *symptom;		/* SYMPTOMS (or SUMMARY) text, NULL if none */
	struct article_line *lines;
	size_t nlines;
	struct article_section *sections;
	size_t nsections;
	/* The section holding the procedure: WORKAROUND when there is one,
	 * else RESOLUTION or MORE INFORMATION when it names a registry key
	 * (many articles put the registry change there); NULL if none.
	 * Points into sections. */
	const struct article_section *procedure;
	int has_workaround;	/* a WORKAROUND section exists */
};

/* Parse the LEN bytes of TEXT (need not be NUL-terminated); NAME is used
 * in messages.  On success *OUT is a new article the caller frees with
 * article_free, and 0 is returned.  On error (no article number, too big)
 * -1 with a message in D, and *OUT is NULL. */
int article_parse(const char *text, size_t len, const char *name,
    struct article **out, struct diag *d);

/* The text of the section's lines joined with '\n' (leading and trailing
 * blank lines dropped).  Newly allocated, the caller frees; NULL on
 * out-of-memory. */
char *article_section_text(const struct article *a,
    const struct article_section *s);

/* The section called NAME (case-insensitive), or NULL. */
const struct article_section *article_section(const struct article *a,
    const char *name);

/* Free A and everything it owns.  NULL is allowed. */
void article_free(struct article *a);

#endif
