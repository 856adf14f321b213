/* catalog.c: finding remedies in the library (see catalog.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"

/* Nonzero if NEEDLE is part of HAY, in any letter case (ASCII). */
static int
contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (hay == NULL)
		return 0;
	if (n == 0)
		return 1;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

char *
catalog_initials(const char *product)
{
	const char *p = product;
	char *out = malloc(strlen(product) + 1);
	size_t n = 0;

	if (out == NULL)
		return NULL;
	while (*p) {
		const char *w = p, *q;
		size_t len;
		int digit = 0;

		while (*p && *p != ' ' && *p != ',')
			p++;
		len = (size_t)(p - w);
		while (*p == ' ' || *p == ',')
			p++;
		if (len == 0)
			continue;
		for (q = w; q < w + len; q++)
			if (isdigit((unsigned char)*q))
				digit = 1;
		if (n == 0 && len == 9 && strncmp(w, "Microsoft", 9) == 0)
			continue;
		if (digit || !isupper((unsigned char)*w))
			break;
		out[n++] = *w;
	}
	out[n] = '\0';
	if (n < 2) {
		free(out);
		return NULL;
	}
	return out;
}

int
catalog_product_matches(const struct remedy *r, const char *word)
{
	size_t i;

	for (i = 0; i < r->nproducts; i++) {
		char *in;
		int hit;

		if (contains(r->products[i], word))
			return 1;
		in = catalog_initials(r->products[i]);
		hit = in != NULL && strcasecmp(in, word) == 0;
		free(in);
		if (hit)
			return 1;
	}
	return 0;
}

int
catalog_match(const struct remedy *r, const struct catalog_filter *f)
{
	size_t i;

	if (f->hive != HIVE_UNKNOWN) {
		int has = 0;

		for (i = 0; i < r->nhives; i++)
			if (r->hives[i] == f->hive)
				has = 1;
		if (!has)
			return 0;
	}
	if (f->product != NULL && !catalog_product_matches(r, f->product))
		return 0;
	for (i = 0; i < f->nwords; i++) {
		const char *w = f->words[i];

		if (!contains(r->id, w) && !contains(r->title, w) &&
		    !contains(r->symptom, w) && !contains(r->summary, w) &&
		    !catalog_product_matches(r, w))
			return 0;
	}
	return 1;
}
