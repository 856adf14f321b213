/* cmd-audit.c: the audit log's records of where a run was made and what
 * it read (docs/json-format.md), for the examiner who must hand in what
 * was done to a copy of the evidence: the first record says who ran
 * kbfix where, on which library; then every hive and log read, with its
 * SHA-256, changed or not, and each remedy's verdict on each target. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "json.h"
#include "paths.h"
#include "regtext.h"

/* PATH made absolute: resolved when it exists, else joined to the
 * working folder.  Caller frees; NULL on out-of-memory. */
static char *
absolute(const char *path)
{
	char *r = realpath(path, NULL), *cwd;

	if (r != NULL || path[0] == '/')
		return r ? r : strdup(path);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return strdup(path);
	if (asprintf(&r, "%s/%s", cwd, path) < 0)
		r = NULL;
	free(cwd);
	return r;
}

/* The checksum of the remedy library DIR: the SHA-256 of what
 * "sha256sum *.xml" prints there, the files in C order, so that
 *     (cd DIR && LC_ALL=C sha256sum *.xml) | sha256sum
 * gives it too.  Returns 0 and *N, the number of remedy files, or -1. */
static int
library_sha256(const char *dir, char hex[65], size_t *n)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL, **nn, *buf = NULL;
	size_t len = 0, i;
	FILE *m;
	int r = -1;

	*n = 0;
	if (dp == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l <= 4 || strcmp(de->d_name + l - 4, ".xml") != 0)
			continue;
		if ((nn = realloc(names, (*n + 1) * sizeof *nn)) == NULL)
			goto out;
		names = nn;
		if ((names[*n] = strdup(de->d_name)) == NULL)
			goto out;
		(*n)++;
	}
	if (*n > 0)
		qsort(names, *n, sizeof *names, cmd_cmp_str);
	if ((m = open_memstream(&buf, &len)) == NULL)
		goto out;
	for (i = 0; i < *n; i++) {
		char *p = NULL, h[65];

		if (asprintf(&p, "%s/%s", dir, names[i]) < 0)
			break;
		if (audit_sha256_file(p, h) < 0) {
			free(p);
			break;
		}
		free(p);
		fprintf(m, "%s  %s\n", h, names[i]);
	}
	if (fclose(m) == 0 && i == *n) {
		audit_sha256_buf(buf, len, hex);
		r = 0;
	}
out:
	closedir(dp);
	for (i = 0; names != NULL && i < *n; i++)
		free(names[i]);
	free(names);
	free(buf);
	return r;
}

void
cmd_audit_abs(FILE *f, const char *name, const char *path)
{
	char *a = path ? absolute(path) : NULL;

	fprintf(f, ",\"%s\":", name);
	json_string(f, a ? a : path);
	free(a);
}

void
cmd_audit_context(FILE *f, const struct cmd_args *a)
{
	char host[HOST_NAME_MAX + 1] = "", hex[65];
	char *cwd = getcwd(NULL, 0), *dir = paths_remedy_dir();
	char *schema = paths_schema();
	struct passwd *pw = getpwuid(geteuid());
	size_t i, n;

	if (gethostname(host, sizeof host - 1) < 0)
		host[0] = '\0';
	fputs(",\"cwd\":", f);
	json_string(f, cwd);
	fputs(",\"host\":", f);
	json_string(f, host[0] ? host : NULL);
	fputs(",\"user\":", f);
	json_string(f, pw ? pw->pw_name : NULL);
	fprintf(f, ",\"uid\":%lu", (unsigned long)geteuid());
	/* The library every run reads from, named or not. */
	fputs(",\"library\":{", f);
	fputs("\"path\":", f);
	if (dir != NULL) {
		char *ad = absolute(dir);

		json_string(f, ad ? ad : dir);
		free(ad);
	} else
		json_string(f, NULL);
	if (dir != NULL && library_sha256(dir, hex, &n) == 0)
		fprintf(f, ",\"sha256\":\"%s\",\"remedies\":%zu", hex, n);
	else
		fputs(",\"sha256\":null,\"remedies\":null", f);
	cmd_audit_abs(f, "schema", schema);
	if (schema != NULL)
		audit_put_sha256(f, "schema_sha256", schema);
	fputc('}', f);
	/* Every path of the command line, absolute. */
	fputs(",\"targets\":[", f);
	for (i = 0; i < a->ntargets; i++) {
		char *t = absolute(a->targets[i]);

		if (i)
			fputc(',', f);
		json_string(f, t ? t : a->targets[i]);
		free(t);
	}
	fputc(']', f);
	if (a->output)
		cmd_audit_abs(f, "output", a->output);
	if (a->backup_dir)
		cmd_audit_abs(f, "backup_dir", a->backup_dir);
	if (a->audit)
		cmd_audit_abs(f, "audit", a->audit);
	free(cwd);
	free(dir);
	free(schema);
}

/* One "input" record: a file ROLE ("hive", "log") read for TARGET. */
static void
put_input(struct audit *au, const char *target, const char *role,
    const char *path, enum hive_kind kind)
{
	FILE *f = audit_begin(au, "input", target);
	struct stat st;

	if (f == NULL)
		return;
	fprintf(f, ",\"role\":\"%s\"", role);
	if (kind != HIVE_UNKNOWN || strcmp(role, "hive") == 0)
		fprintf(f, ",\"hive_kind\":\"%s\"", hive_kind_name(kind));
	fputs(",\"path\":", f);
	json_string(f, path);
	cmd_audit_abs(f, "abs_path", path);
	if (stat(path, &st) == 0)
		fprintf(f, ",\"size\":%lld", (long long)st.st_size);
	audit_put_sha256(f, "sha256", path);
	audit_end(au, f);
}

void
cmd_audit_inputs(struct audit *au, const char *target,
    struct hive *const *hives, const struct recovery *recs, size_t n)
{
	size_t i, k;

	if (au == NULL)
		return;
	for (i = 0; i < n; i++) {
		put_input(au, target, "hive", hives[i]->path, hives[i]->kind);
		/* The logs found beside it, replayed or not: they were
		 * read. */
		for (k = 0; recs != NULL && k < recs[i].st.nfiles; k++)
			put_input(au, target, "log", recs[i].st.files[k].path,
			    HIVE_UNKNOWN);
	}
}

void
cmd_audit_verdicts(struct audit *au, const char *target,
    const struct plan *p)
{
	size_t i;

	for (i = 0; au != NULL && p != NULL && i < p->nentries; i++) {
		const struct plan_entry *e = &p->entries[i];
		FILE *f = audit_begin(au, "verdict", target);

		if (f == NULL)
			continue;
		fputs(",\"remedy\":", f);
		json_string(f, e->remedy->id);
		fputs(",\"status\":", f);
		json_string(f, plan_status_name(e->status));
		fputs(",\"reason\":", f);
		json_string(f, e->reason);
		fprintf(f, ",\"changes\":%zu", e->nchanges);
		if (e->control_sets != NULL) {
			fputs(",\"control_sets\":", f);
			json_string(f, e->control_sets);
		}
		audit_end(au, f);
	}
}
