/* cmd-common.c: what the planning subcommands share: their options and
 * the remedy library. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "paths.h"
#include "plan.h"
#include "regtext.h"
#include "term.h"
#include "valuetext.h"

int
cmd_remedy_id(const char *arg, char *id, size_t size)
{
	size_t p = 0, n, l = strlen(arg);

	if (arg[0] == 'Q' || arg[0] == 'q')
		p = 1;
	else if (strncasecmp(arg, "KB", 2) == 0)
		p = 2;
	n = strspn(arg + p, "0123456789");
	if (n == 0)
		return 0;
	/* A suffix only after a prefix: a TARGET folder may well be named
	 * "2024-01". */
	if (p + n != l && (p == 0 || arg[p + n] != '-' || p + n + 1 == l ||
	    strspn(arg + p + n + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") != l - p - n - 1))
		return 0;
	if (id != NULL && snprintf(id, size, "Q%s", arg + p) >= (int)size)
		return 0;
	return 1;
}

char *
cmd_remedy_file(const char *dir, const char *arg)
{
	char id[72], *p = NULL;
	struct stat st;

	if (!cmd_remedy_id(arg, id, sizeof id))
		return NULL;
	if (asprintf(&p, "%s/%s.xml", dir, id) < 0)
		return NULL;
	if (stat(p, &st) == 0)
		return p;
	free(p);
	/* An article numbered KB... may be filed so. */
	if (asprintf(&p, "%s/KB%s.xml", dir, id + 1) < 0)
		return NULL;
	if (stat(p, &st) == 0)
		return p;
	free(p);
	return NULL;
}

/* An argument names a remedy when it is an ID or a remedy file.  Anything
 * else is a TARGET: a hive named "Q123" in the current directory must be
 * written "./Q123". */
static int
is_remedy_arg(const char *s)
{
	size_t l = strlen(s);

	return cmd_remedy_id(s, NULL, 0) ||
	    (l > 4 && strcasecmp(s + l - 4, ".xml") == 0);
}

int
cmd_args_parse(int argc, char **argv, struct cmd_args *a, struct diag *d)
{
	size_t i, npos = 0;
	int bad = 0;

	memset(a, 0, sizeof *a);
	a->argv = argv;
	a->argc = argc;
	a->cmd = cmd_bit_of(argc, argv);
	a->control_set = "current";
	a->format = RENDER_DIFF;
	a->jobs = 1;
	a->progress = -1;
	a->color_when = TERM_COLOR_AUTO;
	a->ids = calloc((size_t)argc + 1, sizeof *a->ids);
	a->targets = calloc((size_t)argc + 1, sizeof *a->targets);
	if (a->ids == NULL || a->targets == NULL)
		return diag_oom(d);
	if (cmd_opts_parse(a->cmd, argc, argv, a, a->targets, &npos, d) < 0)
		bad = 1;
	for (i = 0; i < npos; i++) {
		char *s = a->targets[i];

		/* undo's arguments are files, whatever their names. */
		if (a->cmd != CMDB_UNDO && is_remedy_arg(s))
			a->ids[a->nids++] = s;
		else
			a->targets[a->ntargets++] = s;
	}
	/* Decided here, before any worker is forked: a worker's output goes
	 * through a pipe, never to the terminal itself. */
	a->color = term_color_wanted(a->color_when, STDOUT_FILENO);
	a->vflags = term_utf8() ? VALUETEXT_UTF8 : 0;
	if (a->output != NULL && a->backup_dir != NULL) {
		diag_error(d, NULL, 0, "--backup-dir has no use with --output: "
		    "the target itself is the original");
		bad = 1;
	}
	if (a->overlay != NULL && a->output != NULL) {
		diag_error(d, NULL, 0, "--overlay and --output both say where "
		    "the changes go: give one");
		bad = 1;
	}
	if (a->no_backup && a->backup_dir != NULL) {
		diag_error(d, NULL, 0,
		    "--no-backup and --backup-dir contradict each other");
		bad = 1;
	}
	return bad ? -1 : 0;
}

FILE *
cmd_diff_begin(FILE *out, const struct cmd_args *a, enum render_format fmt)
{
	return a->color && fmt == RENDER_DIFF ? term_color_open(out) : out;
}

int
cmd_diff_end(FILE *s, FILE *out)
{
	if (s != out && s != NULL && fclose(s) != 0)
		return -1;
	return ferror(out) ? -1 : 0;
}

void
cmd_args_free(struct cmd_args *a)
{
	free(a->ids);
	free(a->targets);
	a->ids = a->targets = NULL;
}

int
cmd_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a copy of S to the NULL-terminated vector *V of *N strings. */
static int
strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof **v);

	if (nv == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	nv[++*n] = NULL;
	return 0;
}

void
cmd_strings_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
cmd_remedies_load(char *const *ids, size_t nids, struct remedy ***out,
    size_t *n, struct diag *d)
{
	char *dir = paths_remedy_dir(), *schema = paths_schema();
	char **files = NULL;
	size_t nf = 0, i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (dir == NULL || schema == NULL) {
		diag_oom(d);
		rc = -1;
		goto done;
	}
	if (nids == 0) {
		DIR *dp = opendir(dir);
		struct dirent *de;

		if (dp == NULL) {
			diag_error(d, NULL, 0, "cannot open remedy library"
			    " '%s'", dir);
			rc = -1;
			goto done;
		}
		while ((de = readdir(dp)) != NULL) {
			size_t l = strlen(de->d_name);
			char *p;

			if (l <= 4 || strcmp(de->d_name + l - 4, ".xml") != 0)
				continue;
			if (asprintf(&p, "%s/%s", dir, de->d_name) < 0 ||
			    strv_add(&files, &nf, p) < 0) {
				closedir(dp);
				diag_oom(d);
				rc = -1;
				goto done;
			}
			free(p);
		}
		closedir(dp);
		if (nf)
			qsort(files, nf, sizeof *files, cmd_cmp_str);
	} else {
		for (i = 0; i < nids; i++) {
			char *p = NULL;
			int r;

			if (strchr(ids[i], '/') || (strlen(ids[i]) > 4 &&
			    strcasecmp(ids[i] + strlen(ids[i]) - 4, ".xml") == 0))
				r = strv_add(&files, &nf, ids[i]);
			else if ((p = cmd_remedy_file(dir, ids[i])) != NULL) {
				r = strv_add(&files, &nf, p);
				free(p);
			} else if (cmd_remedy_id(ids[i], NULL, 0)) {
				diag_error(d, NULL, 0, "no remedy '%s' in the "
				    "library '%s'", ids[i], dir);
				rc = -1;
				r = 0;
			} else {
				diag_error(d, NULL, 0, "'%s' is no remedy: not "
				    "an ID (Q267971, KB267971 or 267971), nor a "
				    "remedy file (a path, or a name ending in "
				    ".xml)", ids[i]);
				rc = -1;
				r = 0;
			}
			if (r < 0) {
				diag_oom(d);
				rc = -1;
				goto done;
			}
		}
		if (rc < 0)
			goto done;
	}
	if ((*out = calloc(nf + 1, sizeof **out)) == NULL) {
		diag_oom(d);
		rc = -1;
		goto done;
	}
	for (i = 0; i < nf; i++) {
		struct remedy *r = NULL;

		/* Load them all, so every broken file is reported. */
		if (remedy_load(files[i], schema, &r, d) < 0) {
			rc = -1;
			continue;
		}
		(*out)[(*n)++] = r;
	}
	if (rc < 0) {
		cmd_remedies_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
done:
	cmd_strings_free(files);
	free(dir);
	free(schema);
	return rc;
}

void
cmd_remedies_free(struct remedy **rs, size_t n)
{
	size_t i;

	for (i = 0; rs != NULL && i < n; i++)
		remedy_free(rs[i]);
	free(rs);
}

void
cmd_hives_wanted(struct remedy *const *rs, size_t nrs, int want[HIVE__COUNT])
{
	size_t i, j;

	memset(want, 0, HIVE__COUNT * sizeof *want);
	for (i = 0; i < nrs; i++)
		for (j = 0; j < rs[i]->nhives; j++)
			want[rs[i]->hives[j]] = 1;
}

/* "SYSTEM" or "SYSTEM, NTUSER": the kinds of hive the remedies RS name
 * (required ones only when REQUIRED), into BUF. */
static void
kinds_text(struct remedy *const *rs, size_t nrs, int required, char *buf,
    size_t size)
{
	int want[HIVE__COUNT] = { 0 };
	size_t i, j, o = 0;

	for (i = 0; i < nrs; i++)
		for (j = 0; j < rs[i]->nhives; j++)
			if (!required || !rs[i]->hive_optional[j])
				want[rs[i]->hives[j]] = 1;
	buf[0] = '\0';
	for (j = 1; j < HIVE__COUNT && o < size; j++)
		if (want[j])
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
			    o ? ", " : "", hive_kind_name(j));
}

int
cmd_hives_check(struct remedy *const *rs, size_t nrs,
    struct hive *const *hives, size_t nh, struct diag *d)
{
	char kinds[128];
	size_t i, j, k;
	int rc = 0;

	if (nrs == 0)
		return 0;
	kinds_text(rs, nrs, 0, kinds, sizeof kinds);
	for (i = 0; i < nh; i++) {
		int used = 0;

		for (j = 0; j < nrs && !used; j++)
			for (k = 0; k < rs[j]->nhives; k++)
				if (rs[j]->hives[k] == hives[i]->kind)
					used = 1;
		if (used)
			continue;
		if (hives[i]->kind == HIVE_UNKNOWN)
			diag_error(d, NULL, 0, "'%s' is no hive kbfix knows "
			    "(none of the keys of a SYSTEM, SOFTWARE or user "
			    "hive under its root); the remedies work on %s",
			    hives[i]->path, kinds);
		else
			diag_error(d, NULL, 0, "'%s' is a hive of kind %s; the "
			    "remedies work on %s", hives[i]->path,
			    hive_kind_name(hives[i]->kind), kinds);
		rc = -1;
	}
	return rc;
}

int
cmd_plan_check(const struct plan *p, struct diag *d)
{
	const struct plan_entry *first = NULL;
	size_t i, missing = 0;

	for (i = 0; i < p->nentries; i++) {
		if (p->entries[i].status != ENTRY_MISSING_HIVE)
			continue;
		if (missing++ == 0)
			first = &p->entries[i];
	}
	if (first == NULL || missing != p->nentries)
		return 0;
	return diag_error(d, NULL, 0,
	    "no remedy can run on the hives given: %s %s%s",
	    first->remedy->id, first->reason,
	    missing > 1 ? " (as do the others)" : "");
}

int
cmd_user_hives_alone(const struct plan *p, struct hive *const *hv, size_t n,
    const char *verb, struct diag *d)
{
	const struct plan_entry *first = NULL;
	const struct hive *user = NULL;
	char others[128] = "";
	size_t i, j, o = 0;

	for (i = 0; i < n; i++) {
		if (hv[i]->kind != HIVE_NTUSER && hv[i]->kind != HIVE_USRCLASS)
			return 0;
		if (user == NULL)
			user = hv[i];
	}
	for (i = 0; i < p->nentries; i++)
		if (p->entries[i].status != ENTRY_MISSING_HIVE)
			return 0;
	if (user == NULL)
		return 0;
	/* The remedies that change a hive given: those are the ones the
	 * user came for. */
	for (i = 0; i < p->nentries; i++) {
		const struct remedy *r = p->entries[i].remedy;

		for (j = 0; j < r->nhives && r->hives[j] != user->kind; j++)
			;
		if (j == r->nhives)
			continue;
		if (first == NULL)
			first = &p->entries[i];
		else if (o < sizeof others)
			o += (size_t)snprintf(others + o, sizeof others - o,
			    "%s%s", o ? ", " : " (as do ", r->id);
	}
	if (first == NULL)
		return 0;
	if (o >= sizeof others)
		snprintf(others + sizeof others - 6, 6, "...");
	return diag_error(d, NULL, 0,
	    "'%s' is a user's hive (%s): %s changes it, "
	    "but %s%s%s; give the machine's SYSTEM hive with it, as one "
	    "machine ('kbfix %s SYSTEM %s', SYSTEM being "
	    "Windows\\System32\\config\\SYSTEM of the same Windows), or "
	    "the Windows volume that holds both", user->path,
	    hive_kind_name(user->kind), first->remedy->id, first->reason,
	    others, o ? ")" : "", verb, user->path);
}

int
cmd_named_refused(const struct plan *p, struct diag *d)
{
	size_t i;
	int r = 0;

	for (i = 0; i < p->nentries; i++) {
		const struct plan_entry *e = &p->entries[i];

		if (e->status == ENTRY_DRAFT) {
			diag_error(d, e->remedy->file, e->remedy->line, "%s",
			    e->reason);
			r = -1;
		} else if (e->status == ENTRY_MISSING_HIVE) {
			diag_error(d, NULL, 0, "%s %s", e->remedy->id,
			    e->reason);
			r = -1;
		}
	}
	return r;
}

int
cmd_plan_shown(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nentries; i++)
		if (p->entries[i].nchanges ||
		    p->entries[i].status == ENTRY_ADVISORY ||
		    p->entries[i].status == ENTRY_NEEDS_FOLDER)
			return 1;
	return 0;
}

void
cmd_plan_reasons(FILE *f, const struct plan *p, int sep, int nothing)
{
	size_t i;
	char *why;

	for (i = 0; i < p->nentries; i++) {
		const struct plan_entry *e = &p->entries[i];

		if (e->nchanges || e->status == ENTRY_ADVISORY ||
		    e->status == ENTRY_NEEDS_FOLDER)
			continue;
		/* A reason quotes what the hive holds: one line, names
		 * escaped (regtext.h). */
		why = regfile_escape(e->reason ? e->reason : "", 0);
		if (sep)
			fputc('\n', f);
		sep = 0;
		fprintf(f, "# %s: %s: %s\n", e->remedy->id,
		    plan_status_name(e->status), why ? why : "");
		free(why);
	}
	if (nothing)
		fprintf(f, "%s# nothing to do\n", sep ? "\n" : "");
}

/* Kinds of hive a machine has one of; users have one NTUSER.DAT and one
 * UsrClass.dat each. */
static int
single_kind(enum hive_kind k)
{
	return k != HIVE_UNKNOWN && k != HIVE_NTUSER && k != HIVE_USRCLASS;
}

int
cmd_one_machine(struct hive *const *hv, size_t n, struct diag *d)
{
	size_t i, j;

	/* Planning one of two SYSTEM hives as if the other were not there
	 * would report on half of what was asked. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (single_kind(hv[i]->kind) &&
			    hv[i]->kind == hv[j]->kind)
				return diag_error(d, NULL, 0,
				    "'%s' and '%s' are both "
				    "%s hives, which one machine cannot have "
				    "(scan and the dry run take --each to plan "
				    "each TARGET as a machine of its own)",
				    hv[j]->path, hv[i]->path,
				    hive_kind_name(hv[i]->kind));
		}
	}
	return 0;
}
