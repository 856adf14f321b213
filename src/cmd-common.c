/* cmd-common.c: what the planning subcommands share: their options and
 * the remedy library. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd.h"
#include "paths.h"
#include "plan.h"

/* An argument names a remedy when it is an ID (Q followed by digits, as KB
 * numbers are written) or a remedy file.  Anything else is a TARGET: a hive
 * named "Q123" in the current directory must be written "./Q123". */
static int
is_remedy_arg(const char *s)
{
	size_t l = strlen(s);

	if ((s[0] == 'Q' || s[0] == 'q') && l > 1 &&
	    strspn(s + 1, "0123456789") == l - 1)
		return 1;
	return l > 4 && strcasecmp(s + l - 4, ".xml") == 0;
}

static int
need_arg(int argc, char **argv, int i, struct diag *d)
{
	if (i + 1 < argc)
		return 1;
	diag_error(d, NULL, 0, "option '%s' needs an argument", argv[i]);
	return 0;
}

int
cmd_args_parse(int argc, char **argv, struct cmd_args *a, struct diag *d)
{
	int i, bad = 0, opts = 1;

	memset(a, 0, sizeof *a);
	a->argv = argv;
	a->argc = argc;
	a->control_set = "current";
	a->format = RENDER_DIFF;
	a->jobs = 1;
	a->progress = -1;
	a->ids = calloc((size_t)argc + 1, sizeof *a->ids);
	a->targets = calloc((size_t)argc + 1, sizeof *a->targets);
	if (a->ids == NULL || a->targets == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		return -1;
	}
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (opts && strcmp(s, "--") == 0)
			opts = 0;
		else if (opts && strcmp(s, "--dry-run") == 0)
			a->dry_run = 1;
		else if (opts && strcmp(s, "--no-backup") == 0)
			a->no_backup = 1;
		else if (opts && strcmp(s, "--ignore-logs") == 0)
			a->ignore_logs = 1;
		else if (opts && (strcmp(s, "-q") == 0 ||
		    strcmp(s, "--quiet") == 0))
			a->quiet = 1;
		else if (opts && strcmp(s, "--progress") == 0)
			a->progress = 1;
		else if (opts && strcmp(s, "--no-progress") == 0)
			a->progress = 0;
		else if (opts && strcmp(s, "--each") == 0)
			a->each = 1;
		else if (opts && strncmp(s, "-j", 2) == 0) {
			const char *v = s + 2;
			char *end;
			long n;

			if (*v == '\0') {
				if (!need_arg(argc, argv, i, d)) {
					bad = 1;
					break;
				}
				v = argv[++i];
			}
			n = strtol(v, &end, 10);
			if (*v == '\0' || *end != '\0' || n < 1 || n > 256) {
				diag_error(d, NULL, 0, "bad -j '%s' (a number of"
				    " jobs from 1 to 256)", v);
				bad = 1;
			} else
				a->jobs = (int)n;
		}
		else if (opts && strcmp(s, "--control-set") == 0) {
			if (!need_arg(argc, argv, i, d)) {
				bad = 1;
				break;
			}
			a->control_set = argv[++i];
			if (!hive_control_set_spec_ok(a->control_set)) {
				diag_error(d, NULL, 0, "bad --control-set '%s'"
				    " (current, default, lkg, failed, all or a"
				    " number)", a->control_set);
				bad = 1;
			}
		} else if (opts && strcmp(s, "--format") == 0) {
			if (!need_arg(argc, argv, i, d)) {
				bad = 1;
				break;
			}
			s = argv[++i];
			if (strcmp(s, "diff") == 0)
				a->format = RENDER_DIFF;
			else if (strcmp(s, "reg") == 0)
				a->format = RENDER_REG;
			else if (strcmp(s, "json") == 0)
				a->format = RENDER_JSON;
			else {
				diag_error(d, NULL, 0, "unknown format '%s'"
				    " (diff, reg or json)", s);
				bad = 1;
			}
		} else if (opts && strcmp(s, "--backup-dir") == 0) {
			if (!need_arg(argc, argv, i, d)) {
				bad = 1;
				break;
			}
			a->backup_dir = argv[++i];
		} else if (opts && strcmp(s, "--image-format") == 0) {
			if (!need_arg(argc, argv, i, d)) {
				bad = 1;
				break;
			}
			a->image_format = argv[++i];
			if (!cmd_disk_format_ok(a->image_format)) {
				diag_error(d, NULL, 0, "unknown disk image format"
				    " '%s' (raw, qcow2, vmdk, vhdx, vpc, vdi, qed,"
				    " parallels)", a->image_format);
				bad = 1;
			}
		} else if (opts && strcmp(s, "--overlay") == 0) {
			if (!need_arg(argc, argv, i, d)) {
				bad = 1;
				break;
			}
			a->overlay = argv[++i];
		} else if (opts && (strcmp(s, "--output") == 0 ||
		    strcmp(s, "--audit") == 0)) {
			if (!need_arg(argc, argv, i, d)) {
				bad = 1;
				break;
			}
			if (s[2] == 'o')
				a->output = argv[++i];
			else
				a->audit = argv[++i];
		} else if (opts && s[0] == '-' && s[1] != '\0') {
			diag_error(d, NULL, 0, "unknown option '%s'", s);
			bad = 1;
		} else if (is_remedy_arg(s))
			a->ids[a->nids++] = argv[i];
		else
			a->targets[a->ntargets++] = argv[i];
	}
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

void
cmd_args_free(struct cmd_args *a)
{
	free(a->ids);
	free(a->targets);
	a->ids = a->targets = NULL;
}

static int
cmp_str(const void *a, const void *b)
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
		diag_error(d, NULL, 0, "out of memory");
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
				diag_error(d, NULL, 0, "out of memory");
				rc = -1;
				goto done;
			}
			free(p);
		}
		closedir(dp);
		if (nf)
			qsort(files, nf, sizeof *files, cmp_str);
	} else {
		for (i = 0; i < nids; i++) {
			char *p = NULL;
			int r;

			if (strchr(ids[i], '/') || (strlen(ids[i]) > 4 &&
			    strcasecmp(ids[i] + strlen(ids[i]) - 4, ".xml") == 0))
				r = strv_add(&files, &nf, ids[i]);
			else {
				char up[64];
				size_t k;

				/* IDs are upper case in the library. */
				for (k = 0; ids[i][k] && k + 1 < sizeof up; k++)
					up[k] = ids[i][k] == 'q' ? 'Q' :
					    ids[i][k];
				up[k] = '\0';
				r = asprintf(&p, "%s/%s.xml", dir, up) < 0 ? -1 :
				    strv_add(&files, &nf, p);
				if (r == 0) {
					struct stat st;

					if (stat(p, &st) < 0) {
						diag_error(d, NULL, 0, "no"
						    " remedy '%s' in the"
						    " library '%s'", ids[i],
						    dir);
						rc = -1;
					}
				}
				free(p);
			}
			if (r < 0) {
				diag_error(d, NULL, 0, "out of memory");
				rc = -1;
				goto done;
			}
		}
		if (rc < 0)
			goto done;
	}
	if ((*out = calloc(nf + 1, sizeof **out)) == NULL) {
		diag_error(d, NULL, 0, "out of memory");
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
	diag_error(d, NULL, 0, "no remedy can run on the hives given: %s %s%s",
	    first->remedy->id, first->reason,
	    missing > 1 ? " (as do the others)" : "");
	return -1;
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
			    hv[i]->kind == hv[j]->kind) {
				diag_error(d, NULL, 0, "'%s' and '%s' are both "
				    "%s hives, which one machine cannot have "
				    "(scan and the dry run take --each to plan "
				    "each TARGET as a machine of its own)",
				    hv[j]->path, hv[i]->path,
				    hive_kind_name(hv[i]->kind));
				return -1;
			}
		}
	}
	return 0;
}
