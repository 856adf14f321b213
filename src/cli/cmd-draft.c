/* cmd-draft.c: kbfix draft [-o DIR [--force]] ARTICLE...  |
 *              kbfix draft --stats DIR
 *
 * Prints the remedy draft of each article (or writes DIR/ID.xml, never
 * over an existing file unless --force: a remedy an author has reviewed
 * and edited is not lost to a second run), or runs over a folder of
 * articles and tells how many gave a complete draft, a partial one, or
 * none, and why.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "article.h"
#include "cmd.h"
#include "diag.h"
#include "draft.h"
#include "paths.h"
#include "remedy.h"

static void
usage(void)
{
	cmd_usage_fail(CMDB_DRAFT, "draft takes [-o DIR [--force]] "
	    "ARTICLE..., or --stats DIR");
}

/* Read the whole of PATH (at most ARTICLE_MAX_BYTES + 1 bytes: more is an
 * error the parser reports). */
static char *
slurp(const char *path, size_t *len, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	buf = malloc((size_t)ARTICLE_MAX_BYTES + 2);
	if (buf == NULL) {
		fclose(f);
		diag_oom(d);
		return NULL;
	}
	n = fread(buf, 1, (size_t)ARTICLE_MAX_BYTES + 1, f);
	if (ferror(f)) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Article file -> draft.  NULL with messages in D on trouble. */
static struct draft *
draft_file(const char *path, struct article **ap, struct diag *d)
{
	struct article *a = NULL;
	struct draft *dr = NULL;
	size_t len = 0;
	char *buf;

	*ap = NULL;
	if ((buf = slurp(path, &len, d)) == NULL)
		return NULL;
	if (article_parse(buf, len, path, &a, d) == 0 &&
	    draft_make(a, &dr, d) == 0)
		*ap = a;
	else
		article_free(a);
	free(buf);
	return dr;
}

/* Nonzero if XML is a valid remedy: the loader's schema and semantic
 * checks when the schema is found (SCHEMA non-NULL), else well-formed
 * XML, parsed without network, DTD or entity expansion. */
static int
xml_ok(const char *xml, const char *name, const char *schema)
{
	xmlDocPtr doc;

	if (schema != NULL) {
		struct remedy *r = NULL;
		struct diag d;
		int ok;

		diag_init(&d);
		ok = remedy_load_memory(xml, strlen(xml), name, schema, &r,
		    &d) == 0 && remedy_check(r, &d) == 0;
		remedy_free(r);
		diag_free(&d);
		return ok;
	}
	doc = xmlReadMemory(xml, (int)strlen(xml), name, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return 0;
	xmlFreeDoc(doc);
	return 1;
}

/* Write XML to DIR/ID.xml: a new file, created exclusively (an existing
 * file, or a symbolic link, there is an error); with FORCE, a temporary
 * file beside it renamed over it.  Returns 0 or -1 with D. */
static int
write_file(const char *dir, const char *id, const char *xml, int force,
    struct diag *d)
{
	char *path = NULL, *tmp = NULL;
	const char *p;
	FILE *f = NULL;
	int fd, rc = -1;

	/* The ID names the file: a plain name, never a path. */
	for (p = id; *p; p++)
		if (!(*p >= '0' && *p <= '9') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= 'a' && *p <= 'z') && *p != '_' && *p != '-')
			break;
	if (*id == '\0' || *p != '\0')
		return diag_error(d, NULL, 0,
		    "'%s' is not a remedy ID to name a file "
		    "after", id);
	if (asprintf(&path, "%s/%s.xml", dir, id) < 0 || (force &&
	    asprintf(&tmp, "%s/%s.xml.kbfix-tmp-XXXXXX", dir, id) < 0)) {
		free(path);
		return diag_oom(d);
	}
	fd = force ? mkstemp(tmp) : open(path, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		diag_error(d, NULL, 0, "'%s' exists: kbfix draft does not "
		    "overwrite it (--force does)", path);
	else if (fd < 0)
		diag_error(d, NULL, 0, "cannot create '%s': %s", force ? tmp :
		    path, strerror(errno));
	if (fd < 0)
		goto out;
	if (force)
		(void)fchmod(fd, 0644);
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		diag_oom(d);
		goto out;
	}
	rc = fputs(xml, f) == EOF || fflush(f) == EOF ||
	    (force && fsync(fileno(f)) < 0) ? -1 : 0;
	if (fclose(f) == EOF)
		rc = -1;
	if (rc == 0 && force && rename(tmp, path) < 0)
		rc = -1;
	if (rc == -1)
		diag_error(d, NULL, 0, "cannot write '%s': %s", path,
		    strerror(errno));
out:
	if (tmp != NULL && (rc < 0 || !force))
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* One line of the table by reason: a status and a reason, counted. */
struct why {
	enum draft_status status;
	char *reason;
	size_t n;
};

/* By status (complete, partial, none, advisory), then the most frequent
 * reason first, then by name. */
static int
by_count(const void *x, const void *y)
{
	const struct why *a = x, *b = y;

	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->reason, b->reason);
}

/* Count DR under its status and reason in *W (*NW entries).  Returns 0,
 * or -1 on out-of-memory. */
static int
count_why(struct why **w, size_t *nw, const struct draft *dr)
{
	const char *r = dr->category ? dr->category : "";
	struct why *nv;
	size_t k;

	for (k = 0; k < *nw; k++) {
		if ((*w)[k].status == dr->status &&
		    strcmp((*w)[k].reason, r) == 0) {
			(*w)[k].n++;
			return 0;
		}
	}
	if ((nv = realloc(*w, (*nw + 1) * sizeof(*nv))) == NULL)
		return -1;
	*w = nv;
	if ((nv[*nw].reason = strdup(r)) == NULL)
		return -1;
	nv[*nw].status = dr->status;
	nv[*nw].n = 1;
	(*nw)++;
	return 0;
}

static int
stats(const char *dir)
{
	struct diag d;
	DIR *dp;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i, count[4] = { 0 }, invalid = 0, total = 0;
	struct why *whys = NULL;
	size_t nwhys = 0;
	int rc = EXIT_NOTHING;
	char *schema = paths_schema();
	struct stat st;

	diag_init(&d);
	if (schema != NULL && stat(schema, &st) != 0) {
		free(schema);
		schema = NULL;
	}
	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr, "kbfix: error: cannot open '%s': %s\n", dir,
		    strerror(errno));
		free(schema);
		return EXIT_TROUBLE;
	}
	while ((e = readdir(dp)) != NULL) {
		size_t l = strlen(e->d_name);
		char **nn;

		if (l < 4 || (strcmp(e->d_name + l - 3, ".md") != 0 &&
		    strcmp(e->d_name + l - 4, ".txt") != 0))
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*nn))) == NULL)
			break;
		names = nn;
		if ((names[n] = strdup(e->d_name)) != NULL)
			n++;
	}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	printf("%-10s %-9s %7s %8s  %s\n", "article", "status", "actions",
	    "comments", "reason");
	for (i = 0; i < n; i++) {
		char *path = NULL;
		struct article *a = NULL;
		struct draft *dr;
		const char *why;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			break;
		dr = draft_file(path, &a, &d);
		total++;
		if (dr == NULL) {
			printf("%-10s %-9s %7s %8s  %s\n", names[i], "error",
			    "-", "-", "cannot read or parse");
			rc = EXIT_TROUBLE;
			free(path);
			continue;
		}
		why = dr->reason ? dr->reason : "";
		if (dr->xml != NULL && !xml_ok(dr->xml, names[i], schema)) {
			invalid++;
			why = "INVALID XML";
		}
		printf("%-10s %-9s %7zu %8zu  %s\n", a->number,
		    draft_status_name(dr->status), dr->nactions,
		    dr->nuntranslated, why);
		count[dr->status]++;
		if (dr->status != DRAFT_COMPLETE &&
		    count_why(&whys, &nwhys, dr) == -1) {
			fprintf(stderr, "kbfix: error: out of memory\n");
			rc = EXIT_TROUBLE;
		}
		draft_free(dr);
		article_free(a);
		free(path);
	}
	printf("\n");
	for (i = 0; i < 4; i++)
		printf("%-9s %4zu  %5.1f%%\n", draft_status_name(i), count[i],
		    total ? 100.0 * (double)count[i] / (double)total : 0.0);
	printf("%-9s %4zu\n", "total", total);
	printf("%-9s %4zu  (%s)\n", "invalid", invalid, schema ?
	    "checked by the remedy loader" : "well-formedness only: no "
	    "schema found");
	/* Why not complete: the first step each draft could not take. */
	if (nwhys > 0) {
		qsort(whys, nwhys, sizeof(*whys), by_count);
		printf("\nnot complete, by reason (the first step left as a "
		    "comment):\n");
	}
	for (i = 0; i < nwhys; i++) {
		printf("  %-9s %4zu  %s\n", draft_status_name(whys[i].status),
		    whys[i].n, whys[i].reason);
		free(whys[i].reason);
	}
	free(whys);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d.n > 0) {
		fflush(stdout);
		diag_print(&d, stderr);
	}
	diag_free(&d);
	free(schema);
	return invalid > 0 ? EXIT_TROUBLE : rc;
}

int
cmd_draft(int argc, char **argv)
{
	const char *outdir = NULL;
	struct diag d;
	int i, rc = EXIT_NOTHING, force = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stats") == 0) {
			if (i + 2 != argc) {
				usage();
				return EXIT_TROUBLE;
			}
			return stats(argv[i + 1]);
		} else if (strcmp(argv[i], "-o") == 0) {
			if (i + 1 >= argc) {
				usage();
				return EXIT_TROUBLE;
			}
			outdir = argv[++i];
		} else if (strcmp(argv[i], "--force") == 0) {
			force = 1;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cmd_opt_fail(CMDB_DRAFT, argv[i]);
			return EXIT_TROUBLE;
		} else
			break;
	}
	if (i >= argc || (force && outdir == NULL)) {
		usage();
		return EXIT_TROUBLE;
	}
	diag_init(&d);
	if (outdir != NULL) {
		char **made = NULL;
		size_t nmade = 0;

		/* -o DIR is made when it does not exist yet. */
		rc = paths_make_dirs(outdir, &made, &nmade, &d) < 0 ?
		    EXIT_TROUBLE : EXIT_NOTHING;
		while (nmade > 0)
			free(made[--nmade]);
		free(made);
		if (rc == EXIT_TROUBLE) {
			diag_print(&d, stderr);
			diag_free(&d);
			return rc;
		}
	}
	for (; i < argc; i++) {
		struct article *a = NULL;
		struct draft *dr = draft_file(argv[i], &a, &d);

		if (dr == NULL) {
			rc = EXIT_TROUBLE;
			continue;
		}
		if (dr->status == DRAFT_NONE && dr->xml == NULL) {
			fprintf(stderr, "kbfix: %s: no draft: %s\n",
			    a->number, dr->reason);
		} else if (outdir != NULL) {
			if (write_file(outdir, a->number, dr->xml, force,
			    &d) == -1)
				rc = EXIT_TROUBLE;
			else
				fprintf(stderr, "kbfix: %s: %s.xml: %s%s%s\n",
				    a->number, a->number,
				    draft_status_name(dr->status),
				    dr->reason ? ": " : "",
				    dr->reason ? dr->reason : "");
		} else {
			fputs(dr->xml, stdout);
		}
		draft_free(dr);
		article_free(a);
	}
	fflush(stdout);
	diag_print(&d, stderr);
	diag_free(&d);
	return rc;
}
