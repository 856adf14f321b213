/* kbfix.c: main, global options and the table of subcommands. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hive.h"
#include "paths.h"
#include "plan.h"
#include "remedy.h"
#include "render.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: kbfix list\n"
	    "       kbfix scan [--control-set CS] HIVE...\n"
	    "       kbfix --dry-run [--format diff|reg] [--control-set CS] [ID...] HIVE...\n"
	    "       kbfix draft [-o DIR] [--stats DIR] ARTICLE...\n"
	    "       kbfix --version\n");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load the library, or the remedies named by IDS (an ID or a path). */
static int
load_remedies(char **ids, size_t nids, struct remedy ***out, size_t *n,
    struct diag *d)
{
	char *dir = paths_remedy_dir(), *schema = paths_schema();
	char **files = NULL;
	size_t nf = 0, i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (nids == 0) {
		DIR *dp = opendir(dir);
		struct dirent *de;

		if (dp == NULL) {
			diag_error(d, NULL, 0, "cannot open '%s'", dir);
			rc = -1;
			goto done;
		}
		while ((de = readdir(dp)) != NULL) {
			size_t l = strlen(de->d_name);

			if (l > 4 && strcmp(de->d_name + l - 4, ".xml") == 0) {
				files = realloc(files, (nf + 1) * sizeof *files);
				if (asprintf(&files[nf], "%s/%s", dir,
				    de->d_name) < 0)
					files[nf] = NULL;
				nf++;
			}
		}
		closedir(dp);
		qsort(files, nf, sizeof *files, cmp_str);
	} else {
		for (i = 0; i < nids; i++) {
			files = realloc(files, (nf + 1) * sizeof *files);
			if (strchr(ids[i], '/') || strstr(ids[i], ".xml"))
				files[nf] = strdup(ids[i]);
			else if (asprintf(&files[nf], "%s/%s.xml", dir,
			    ids[i]) < 0)
				files[nf] = NULL;
			nf++;
		}
	}
	*out = calloc(nf + 1, sizeof **out);
	for (i = 0; i < nf; i++) {
		struct remedy *r = NULL;

		if (files[i] == NULL || remedy_load(files[i], schema, &r,
		    d) < 0) {
			rc = -1;
			continue;
		}
		(*out)[(*n)++] = r;
	}
done:
	for (i = 0; i < nf; i++)
		free(files[i]);
	free(files);
	free(dir);
	free(schema);
	return rc;
}

static int
cmd_list(void)
{
	struct remedy **rs;
	size_t n, i, j;
	struct diag d;

	diag_init(&d);
	if (load_remedies(NULL, 0, &rs, &n, &d) < 0) {
		diag_print(&d, stderr);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < n; i++) {
		printf("%-10s ", rs[i]->id);
		for (j = 0; j < rs[i]->nhives; j++)
			printf("%s%s", j ? "," : "",
			    hive_kind_name(rs[i]->hives[j]));
		printf("  %s\n", rs[i]->title ? rs[i]->title : "");
		remedy_free(rs[i]);
	}
	free(rs);
	diag_free(&d);
	return EXIT_NOTHING;
}

/* scan and the dry run: load, open read-only, plan, print. */
static int
cmd_plan(int argc, char **argv, int scan)
{
	const char *cs = "current";
	enum render_format fmt = RENDER_DIFF;
	char **ids = calloc(argc + 1, sizeof *ids);
	struct hive **hives = calloc(argc + 1, sizeof *hives);
	size_t nids = 0, nh = 0, n = 0, i;
	struct remedy **rs = NULL;
	struct target t = { NULL, 0, NULL };
	struct plan_options po;
	struct plan *p = NULL;
	struct diag d;
	int rc = EXIT_TROUBLE, bad = 0;

	diag_init(&d);
	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			continue;
		if (strcmp(argv[i], "--control-set") == 0 && i + 1 < (size_t)argc)
			cs = argv[++i];
		else if (strcmp(argv[i], "--format") == 0 && i + 1 < (size_t)argc) {
			i++;
			if (strcmp(argv[i], "reg") == 0)
				fmt = RENDER_REG;
			else if (strcmp(argv[i], "diff") != 0) {
				diag_error(&d, NULL, 0, "unknown format '%s'",
				    argv[i]);
				bad = 1;
			}
		} else if (argv[i][0] == '-') {
			diag_error(&d, NULL, 0, "unknown option '%s'", argv[i]);
			bad = 1;
		} else if (strncmp(argv[i], "Q", 1) == 0 && strchr(argv[i],
		    '/') == NULL && strchr(argv[i], '.') == NULL)
			ids[nids++] = argv[i];
		else if (strstr(argv[i], ".xml") != NULL)
			ids[nids++] = argv[i];
		else if (hive_open(argv[i], 0, &hives[nh], &d) == 0)
			nh++;
		else
			bad = 1;
	}
	if (!hive_control_set_spec_ok(cs)) {
		diag_error(&d, NULL, 0, "bad --control-set '%s'", cs);
		bad = 1;
	}
	if (nh == 0 && !bad) {
		diag_error(&d, NULL, 0, "no hive given");
		bad = 1;
	}
	if (bad || load_remedies(ids, nids, &rs, &n, &d) < 0)
		goto out;
	t.hives = hives;
	t.nhives = nh;
	po.control_set = cs;
	if (plan_compute(rs, n, &t, &po, &p, &d) < 0)
		goto out;
	if (scan) {
		for (i = 0; i < p->nentries; i++)
			printf("%-10s %-15s %s\n", p->entries[i].remedy->id,
			    plan_status_name(p->entries[i].status),
			    p->entries[i].reason ? p->entries[i].reason : "");
	} else {
		for (i = 0; i < p->nentries; i++)
			if (p->entries[i].status == ENTRY_DRAFT && nids) {
				diag_error(&d, p->entries[i].remedy->file, 0,
				    "%s", p->entries[i].reason);
				goto out;
			}
		if (render_plan(stdout, p, fmt, &d) < 0)
			goto out;
	}
	rc = plan_nchanges(p) ? EXIT_PENDING : EXIT_NOTHING;
out:
	diag_print(&d, stderr);
	diag_free(&d);
	plan_free(p);
	for (i = 0; i < n; i++)
		remedy_free(rs[i]);
	free(rs);
	for (i = 0; i < nh; i++)
		hive_close(hives[i]);
	free(hives);
	free(ids);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("kbfix %s\n", PACKAGE_VERSION);
		return EXIT_NOTHING;
	}
	if (strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_NOTHING;
	}
	if (strcmp(argv[1], "list") == 0)
		return cmd_list();
	if (strcmp(argv[1], "draft") == 0)
		return cmd_draft(argc - 1, argv + 1);
	if (strcmp(argv[1], "scan") == 0)
		return cmd_plan(argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "--dry-run") == 0)
		return cmd_plan(argc, argv, 0);
	if (strcmp(argv[1], "apply") == 0 && argc > 2 &&
	    strcmp(argv[2], "--dry-run") == 0)
		return cmd_plan(argc - 1, argv + 1, 0);
	fprintf(stderr, "kbfix: error: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_TROUBLE;
}
