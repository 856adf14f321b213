/* validate.c: library rules for remedy files (see validate.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "validate.h"

/* The length of the article number that starts ID ("Q256211" in
 * "Q256211-path"), or 0 when ID does not start with one. */
static size_t
id_number_len(const char *id)
{
	size_t p = 0, n;

	if (strncasecmp(id, "KB", 2) == 0)
		p = 2;
	else if (id[0] == 'Q' || id[0] == 'q')
		p = 1;
	else
		return 0;
	n = strspn(id + p, "0123456789");
	if (n == 0 || (id[p + n] != '\0' && id[p + n] != '-'))
		return 0;
	return p + n;
}

/* Digits of an article number without its prefix and leading zeros:
 * "Q0256211", "KB256211" and "Q256211" are the same article. */
static const char *
number_digits(const char *s, size_t len, size_t *n)
{
	size_t p = strncasecmp(s, "KB", 2) == 0 ? 2 : 1;

	while (p < len && s[p] == '0')
		p++;
	*n = len - p;
	return s + p;
}

static int
is_dir_in(const char *dir, const char *name)
{
	struct stat st;
	char *p = NULL;
	int r;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return 0;
	r = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return r;
}

static int
has_test(const char *dir, const char *id, struct diag *d, const char *file,
    int *err)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	size_t l = strlen(id);
	int found = 0;

	if (dp == NULL) {
		diag_error(d, file, 0, "cannot open the tests folder '%s': %s",
		    dir, strerror(errno));
		*err = 1;
		return 0;
	}
	/* Any file but a remedy (the remedy file itself is no test), or a
	 * folder named after the remedy (tests/remedies/ID/, its fixture
	 * machines). */
	while (!found && (de = readdir(dp)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (strncmp(de->d_name, id, l) == 0 &&
		    (de->d_name[l] == '.' || de->d_name[l] == '-') &&
		    (nl < 4 || strcasecmp(de->d_name + nl - 4, ".xml") != 0))
			found = 1;
		else if (strcmp(de->d_name, id) == 0)
			found = is_dir_in(dir, de->d_name);
	}
	closedir(dp);
	return found;
}

/* Is FILE in the library folder of O (or is there no telling)? */
static int
in_library(const char *file, const struct validate_options *o)
{
	char *lib, *copy, *dir;
	int r;

	if (o == NULL || o->library == NULL)
		return 1;
	if ((copy = strdup(file)) == NULL)
		return 1;
	dir = realpath(dirname(copy), NULL);
	lib = realpath(o->library, NULL);
	r = dir == NULL || lib == NULL || strcmp(dir, lib) == 0;
	free(dir);
	free(lib);
	free(copy);
	return r;
}

int
validate_remedy(const struct remedy *r, const struct validate_options *o,
    struct diag *d)
{
	const char *base, *file = r->file;
	size_t before = d->nerrors, bl, il, an, bn;
	const char *ad, *bd;
	int err = 0;

	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	bl = strlen(base);
	if (bl > 4 && strcasecmp(base + bl - 4, ".xml") == 0)
		bl -= 4;
	/* The library finds "kbfix show Q256211" by its file name; a file
	 * elsewhere (a draft being written) may be named as its author
	 * likes. */
	if (r->id != NULL && in_library(file, o) && (strlen(r->id) != bl ||
	    strncmp(r->id, base, bl) != 0))
		diag_error(d, file, r->line, "id '%s' is not the file's name "
		    "'%.*s' (without .xml)", r->id, (int)bl, base);
	il = r->id ? id_number_len(r->id) : 0;
	if (il > 0 && r->article != NULL) {
		ad = number_digits(r->id, il, &an);
		bd = number_digits(r->article, strlen(r->article), &bn);
		if (an != bn || strncmp(ad, bd, an) != 0)
			diag_error(d, file, r->line, "id '%s' names article "
			    "%.*s, but <article number=\"%s\">", r->id,
			    (int)il, r->id, r->article);
	}
	if (r->nactions > 0 && r->workaround == NULL)
		diag_error(d, file, r->line, "a remedy with actions must quote "
		    "the WORKAROUND it encodes in <workaround>");
	if (r->draft)
		diag_warning(d, file, r->line, "is a draft (draft=\"true\"): "
		    "apply refuses it until it is reviewed");
	if (o != NULL && o->tests_dir != NULL && r->id != NULL &&
	    !has_test(o->tests_dir, r->id, d, file, &err) && !err)
		diag_error(d, file, r->line, "no test of remedy '%s' in '%s' "
		    "(a file named %s-* or %s.*, not .xml)", r->id,
		    o->tests_dir, r->id, r->id);
	return (int)(d->nerrors - before);
}

int
validate_file(const char *path, const struct validate_options *o,
    struct diag *d)
{
	struct remedy *r = NULL;
	size_t before = d->nerrors;

	if (remedy_load(path, o->schema, &r, d) == 0) {
		validate_remedy(r, o, d);
		remedy_free(r);
	}
	return (int)(d->nerrors - before);
}
