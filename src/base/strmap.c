/* strmap.c: a map from strings to numbers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "strmap.h"

static size_t
slot(const struct strmap *m, const char *k)
{
	size_t h = 5381, i;
	const char *p;

	for (p = k; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (i = h & (m->size - 1); m->keys[i] != NULL &&
	    strcmp(m->keys[i], k) != 0; i = (i + 1) & (m->size - 1))
		;
	return i;
}

size_t
strmap_get(const struct strmap *m, const char *k)
{
	size_t i;

	if (m->size == 0 || k == NULL)
		return STRMAP_NONE;
	i = slot(m, k);
	return m->keys[i] ? m->vals[i] : STRMAP_NONE;
}

int
strmap_put(struct strmap *m, char *k, size_t v)
{
	size_t i;

	if (k == NULL)
		return -1;
	if ((m->n + 1) * 2 >= m->size) {
		struct strmap nm = { NULL, NULL, m->size ? m->size * 2 : 64, 0 };

		nm.keys = calloc(nm.size, sizeof *nm.keys);
		nm.vals = calloc(nm.size, sizeof *nm.vals);
		if (nm.keys == NULL || nm.vals == NULL) {
			free(nm.keys);
			free(nm.vals);
			free(k);
			return -1;
		}
		for (i = 0; i < m->size; i++)
			if (m->keys[i] != NULL) {
				size_t s = slot(&nm, m->keys[i]);

				nm.keys[s] = m->keys[i];
				nm.vals[s] = m->vals[i];
				nm.n++;
			}
		free(m->keys);
		free(m->vals);
		*m = nm;
	}
	i = slot(m, k);
	if (m->keys[i] != NULL)
		free(k);
	else {
		m->keys[i] = k;
		m->n++;
	}
	m->vals[i] = v;
	return 0;
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->size; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

char *
strmap_id(int kind, const void *tag, char *const *key, size_t n,
    const char *name)
{
	char *buf = NULL, *f;
	size_t len = 0, i;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return NULL;
	fprintf(m, "%c%p", kind, tag);
	for (i = 0; i <= n; i++) {
		if (i == n && name == NULL)
			break;
		if ((f = names_fold(i < n ? key[i] : name)) == NULL) {
			fclose(m);
			free(buf);
			return NULL;
		}
		fprintf(m, "%c%zu:%s", i < n ? '\\' : '|', strlen(f), f);
		free(f);
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
