/* cmd-validate.c: kbfix validate [-q] [--tests DIR] [FILE|ID...]
 *
 * Checks remedy files for authors: the schema, the semantic checks, and
 * the library's rules (validate.h).  Every file is checked and every
 * problem reported, as FILE:LINE: error: MSG, before the exit status says
 * whether any failed.  Without FILE, the whole library is checked.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "paths.h"
#include "validate.h"

/* The .xml files of the library folder DIR, sorted; NULL-terminated. */
static char **
library_files(const char *dir, struct diag *d)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **v = NULL, **nv;
	size_t n = 0;

	if (dp == NULL) {
		diag_error(d, NULL, 0, "cannot open remedy library '%s'", dir);
		return NULL;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l <= 4 || strcmp(de->d_name + l - 4, ".xml") != 0)
			continue;
		nv = realloc(v, (n + 2) * sizeof *v);
		if (nv == NULL)
			goto oom;
		v = nv;
		if (asprintf(&v[n], "%s/%s", dir, de->d_name) < 0)
			goto oom;
		v[++n] = NULL;
	}
	closedir(dp);
	if (v == NULL)
		v = calloc(1, sizeof *v);
	else
		qsort(v, n, sizeof *v, cmd_cmp_str);
	return v;
oom:
	closedir(dp);
	if (v != NULL)
		v[n] = NULL;
	cmd_strings_free(v);
	diag_oom(d);
	return NULL;
}

/* An argument is a file when it has a '/' or ends in .xml; otherwise it is
 * an ID of the library (Q256211). */
static char *
file_of(const char *arg, const char *dir)
{
	size_t l = strlen(arg);
	char *p = NULL;

	if (strchr(arg, '/') != NULL ||
	    (l > 4 && strcasecmp(arg + l - 4, ".xml") == 0))
		return strdup(arg);
	/* Q267971, KB267971, 267971...: the library's file, if there is
	 * one; else the name as given, which validate says it cannot open. */
	if ((p = cmd_remedy_file(dir, arg)) != NULL)
		return p;
	if (asprintf(&p, "%s/%s.xml", dir, arg) < 0)
		return NULL;
	return p;
}

/* The loader reports by layer (bytes, schema, conversion, semantics); an
 * author reads a file top to bottom, so sort by line, keeping the order of
 * messages on one line (insertion sort: stable, and the lists are short). */
static void
sort_by_line(struct diag *d)
{
	size_t i, j;

	for (i = 1; i < d->n; i++) {
		struct diag_item it = d->items[i];

		for (j = i; j > 0 && d->items[j - 1].line > it.line; j--)
			d->items[j] = d->items[j - 1];
		d->items[j] = it;
	}
}

int
cmd_validate(int argc, char **argv)
{
	struct validate_options o = { NULL, NULL, NULL };
	char *dir = paths_remedy_dir(), *schema = paths_schema();
	char **files = NULL;
	size_t nbad = 0, nfiles = 0, i;
	int quiet = 0, c, rc = EXIT_TROUBLE;
	struct diag d;

	diag_init(&d);
	for (c = 1; c < argc && argv[c][0] == '-' && argv[c][1] != '\0'; c++) {
		if (strcmp(argv[c], "--") == 0) {
			c++;
			break;
		} else if (strcmp(argv[c], "-q") == 0 ||
		    strcmp(argv[c], "--quiet") == 0)
			quiet = 1;
		else if (strcmp(argv[c], "--tests") == 0 && c + 1 < argc)
			o.tests_dir = argv[++c];
		else if (strcmp(argv[c], "--tests") == 0) {
			cmd_usage_error(&d, CMDB_VALIDATE, "option '--tests' "
			    "needs an argument (DIR)");
			goto out;
		} else {
			cmd_opt_refuse(CMDB_VALIDATE, argv[c], &d);
			goto out;
		}
	}
	if (dir == NULL || schema == NULL) {
		diag_oom(&d);
		goto out;
	}
	o.schema = schema;
	o.library = dir;
	if (c == argc)
		files = library_files(dir, &d);
	else if ((files = calloc((size_t)(argc - c) + 1, sizeof *files)) !=
	    NULL) {
		for (i = 0; c + (int)i < argc; i++)
			if ((files[i] = file_of(argv[c + i], dir)) == NULL)
				break;
		if (c + (int)i < argc) {
			cmd_strings_free(files);
			files = NULL;
		}
	}
	if (files == NULL) {
		if (d.n == 0)
			diag_oom(&d);
		goto out;
	}
	/* Each file's messages are printed as soon as it is checked, so a
	 * long run shows its progress; the verdict waits for them all. */
	for (i = 0; files[i] != NULL; i++) {
		struct diag fd;

		diag_init(&fd);
		nfiles++;
		if (validate_file(files[i], &o, &fd) > 0)
			nbad++;
		else if (!quiet)
			printf("%s: valid\n", files[i]);
		fflush(stdout);
		sort_by_line(&fd);
		diag_print(&fd, stderr);
		diag_free(&fd);
	}
	if (nbad > 0)
		diag_error(&d, NULL, 0, "%zu of %zu remedy file%s invalid",
		    nbad, nfiles, nfiles == 1 ? "" : "s");
	rc = nbad ? EXIT_TROUBLE : EXIT_NOTHING;
out:
	diag_print(&d, stderr);
	diag_free(&d);
	cmd_strings_free(files);
	free(dir);
	free(schema);
	return rc;
}
