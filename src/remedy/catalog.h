/* catalog.h: finding remedies in the library.
 *
 * kbfix list takes words and options to find the remedy for the problem
 * in front of the user: "kbfix list iis" (a product, by name or by its
 * initials), "kbfix list --hive SOFTWARE", "kbfix list browser master"
 * (words of the title or the symptom).  This is the matching, apart from
 * the printing in cmd-list.c.
 */
#ifndef KBFIX_CATALOG_H
#define KBFIX_CATALOG_H

#include <stddef.h>

#include "hivekind.h"
#include "remedy.h"

struct catalog_filter {
	enum hive_kind hive;	/* HIVE_UNKNOWN: any */
	const char *product;	/* NULL: any */
	char *const *words;	/* every one must match; borrowed */
	size_t nwords;
};

/* The initials of a product's name, as people call it: "Microsoft
 * Internet Information Server versions 1.0, 2.0" gives "IIS", "Microsoft
 * Systems Management Server version 2.0 SP3" "SMS".  The capitalised
 * words after "Microsoft", up to the first that is not (a version, "for",
 * "version").  NULL when there are fewer than two such words or no
 * memory.  Caller frees. */
char *catalog_initials(const char *product);

/* Nonzero if R names a product that WORD (any letter case) is part of,
 * or whose initials it is. */
int catalog_product_matches(const struct remedy *r, const char *word);

/* Nonzero if R passes F: it names F's hive; F's product matches one of
 * its products; and each word is part (in any letter case) of its ID,
 * title, symptom or summary, or matches a product. */
int catalog_match(const struct remedy *r, const struct catalog_filter *f);

#endif
