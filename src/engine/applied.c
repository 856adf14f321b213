/* applied.c: the remedies kbfix applied to a hive, from its undo files
 * (applied.h). */
#include "config.h"

#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applied.h"
#include "undo.h"

static void
strings_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* The undo files beside the hive at PATH ("NAME.kbfix-...-undo.reg"),
 * newest first (the stamp sorts by time); NULL-terminated, *N of them.
 * NULL on out-of-memory or when the folder cannot be read. */
static char **
undo_files_of(const char *path, size_t *n)
{
	char *c1 = strdup(path), *c2 = strdup(path), *dir, *base, *pre = NULL;
	char **v = NULL, **nv;
	DIR *dp = NULL;
	struct dirent *de;

	*n = 0;
	if (c1 == NULL || c2 == NULL)
		goto out;
	dir = dirname(c1);
	base = basename(c2);
	if (asprintf(&pre, "%s.kbfix-", base) < 0) {
		pre = NULL;
		goto out;
	}
	if ((dp = opendir(dir)) == NULL)
		goto out;
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);

		if (strncmp(de->d_name, pre, strlen(pre)) != 0 || l < 9 ||
		    strcmp(de->d_name + l - 9, "-undo.reg") != 0)
			continue;
		if ((nv = realloc(v, (*n + 2) * sizeof *v)) == NULL)
			break;
		v = nv;
		/* As relative as the hive's path: no "./" in front. */
		if ((strcmp(dir, ".") == 0 && strchr(path, '/') == NULL ?
		    (v[*n] = strdup(de->d_name)) == NULL :
		    asprintf(&v[*n], "%s/%s", dir, de->d_name) < 0))
			break;
		v[++*n] = NULL;
	}
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_desc);
out:
	if (dp != NULL)
		closedir(dp);
	free(c1);
	free(c2);
	free(pre);
	return v;
}

/* Does U, read from NAME, still hold on HV: written for it, and what the
 * apply left still there (undoing it would change something, without a
 * conflict)? */
static int
holds(const struct undo_file *u, const char *name, struct hive *hv)
{
	struct diag quiet;
	struct plan *p = NULL;
	const char *b = strrchr(hv->path, '/');
	int r = 0;

	if (u->plain || u->files || u->manifest || u->nremedies == 0 ||
	    u->kind != hv->kind || strcmp(u->hive, b ? b + 1 : hv->path) != 0)
		return 0;
	diag_init(&quiet);
	if (undo_plan(u, name, hv, &p, &quiet) == 0 &&
	    plan_nchanges(p) > 0 &&
	    undo_check(u, name, hv, NULL, p, 0, &quiet) == 0)
		r = 1;
	plan_free(p);
	diag_free(&quiet);
	return r;
}

int
applied_mark(struct plan *p, struct hive *const *hv, size_t n,
    struct diag *d)
{
	size_t h, i, k, e, nf;
	int marked = 0;

	for (h = 0; h < n; h++) {
		char **files = undo_files_of(hv[h]->path, &nf);

		for (i = 0; files != NULL && i < nf; i++) {
			struct undo_file *u = NULL;
			struct diag quiet;

			diag_init(&quiet);
			if (undo_read(files[i], &u, &quiet) < 0 ||
			    !holds(u, files[i], hv[h])) {
				undo_file_free(u);
				diag_free(&quiet);
				continue;
			}
			diag_free(&quiet);
			for (e = 0; e < p->nentries; e++) {
				struct plan_entry *pe = &p->entries[e];
				char *why = NULL;

				if (pe->status != ENTRY_NOT_APPLICABLE)
					continue;
				for (k = 0; k < u->nremedies; k++)
					if (strcmp(u->remedies[k],
					    pe->remedy->id) == 0)
						break;
				if (k == u->nremedies)
					continue;
				if (asprintf(&why, "applied by kbfix ('%s' undoes "
				    "it); %s", files[i], pe->reason ?
				    pe->reason : "nothing is left to change") <
				    0) {
					diag_oom(d);
					undo_file_free(u);
					strings_free(files);
					return -1;
				}
				free(pe->reason);
				pe->reason = why;
				pe->status = ENTRY_DONE;
				marked++;
			}
			undo_file_free(u);
		}
		strings_free(files);
	}
	return marked;
}
