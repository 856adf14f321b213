/* cmd-run.c: the TARGETs of a run, one machine each, worked on in turn
 * with a summary at the end; opening one machine; the audit log's
 * records of the run itself. */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "json.h"

/* ---------------------------------------------------------------- targets */

/* PATH made absolute with every link resolved, also when its last
 * elements do not exist yet (an output folder to be made).  NULL when
 * that cannot be known (a ".." after a missing element).  Caller frees. */
static char *
real_path(const char *path)
{
	char *r = realpath(path, NULL), *copy, *dir, *base, *up, *s;

	if (r != NULL || errno != ENOENT)
		return r;
	if ((copy = strdup(path)) == NULL)
		return NULL;
	base = basename(copy);
	if (strcmp(base, "..") == 0 || strcmp(base, ".") == 0 ||
	    strcmp(base, "/") == 0) {
		free(copy);
		return NULL;
	}
	base = strdup(base);
	free(copy);
	if (base == NULL || (copy = strdup(path)) == NULL) {
		free(base);
		return NULL;
	}
	dir = dirname(copy);
	up = real_path(dir);
	s = NULL;
	if (up != NULL && asprintf(&s, "%s%s%s", up, strcmp(up, "/") ?
	    "/" : "", base) < 0)
		s = NULL;
	free(up);
	free(copy);
	free(base);
	return s;
}

/* Is the path A inside B (or B itself)?  Both absolute and resolved. */
static int
inside(const char *a, const char *b)
{
	size_t l = strlen(b);

	if (strcmp(b, "/") == 0)
		return 1;
	return strncmp(a, b, l) == 0 && (a[l] == '\0' || a[l] == '/');
}

/* The last element of a TARGET, for its subfolder of the output folder. */
static char *
target_base(const char *name)
{
	char *copy = strdup(name), *b, *r;
	size_t l;

	if (copy == NULL)
		return NULL;
	while ((l = strlen(copy)) > 1 && copy[l - 1] == '/')
		copy[l - 1] = '\0';
	b = basename(copy);
	r = strcmp(b, ".") == 0 || strcmp(b, "..") == 0 || strcmp(b, "/") == 0 ?
	    NULL : strdup(b);
	free(copy);
	return r;
}

int
cmd_targets_make(const struct cmd_args *a, struct cmd_targets *ts,
    struct diag *d)
{
	static char dot[] = ".";
	char *out_real = NULL, *audit_real = NULL;
	size_t i, j, nfiles = 0;
	int bad = 0;

	memset(ts, 0, sizeof *ts);
	if ((ts->v = calloc(a->ntargets + 1, sizeof *ts->v)) == NULL ||
	    (ts->files = calloc(a->ntargets + 1, sizeof *ts->files)) == NULL)
		goto oom;
	/* The hive files together are one machine. */
	for (i = 0; i < a->ntargets; i++) {
		struct stat st;

		if (stat(a->targets[i], &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		ts->files[nfiles++] = a->targets[i];
	}
	if (nfiles) {
		struct cmd_target *t = &ts->v[ts->n++];

		t->name = ts->files[0];
		t->files = ts->files;
		t->nfiles = nfiles;
	}
	for (i = 0; i < a->ntargets; i++) {
		struct stat st;

		if (stat(a->targets[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		ts->v[ts->n].name = a->targets[i];
		ts->v[ts->n++].folder = a->targets[i];
	}
	if (a->ntargets == 0) {
		ts->v[0].name = dot;
		ts->v[0].folder = dot;
		ts->n = 1;
	}
	if (a->output == NULL)
		return 0;
	if ((out_real = real_path(a->output)) == NULL) {
		diag_error(d, NULL, 0, "cannot place the output folder '%s': "
		    "%s", a->output, strerror(errno));
		cmd_targets_free(ts);
		return -1;
	}
	if (a->audit != NULL && (audit_real = real_path(a->audit)) == NULL) {
		diag_error(d, NULL, 0, "cannot place the audit log '%s': %s",
		    a->audit, strerror(errno));
		free(out_real);
		cmd_targets_free(ts);
		return -1;
	}
	for (i = 0; i < ts->n; i++) {
		struct cmd_target *t = &ts->v[i];
		char *tr, *b;

		/* Nothing may be written under a folder TARGET. */
		if (t->folder != NULL && (tr = real_path(t->folder)) != NULL) {
			if (inside(out_real, tr)) {
				diag_error(d, NULL, 0, "the output folder '%s' "
				    "is inside the target '%s', which kbfix must "
				    "not write to", a->output, t->folder);
				bad = 1;
			}
			if (audit_real != NULL && inside(audit_real, tr)) {
				diag_error(d, NULL, 0, "the audit log '%s' is "
				    "inside the target '%s', which kbfix must "
				    "not write to", a->audit, t->folder);
				bad = 1;
			}
			free(tr);
		}
		if (ts->n == 1 || t->folder == NULL) {
			if ((t->output = strdup(a->output)) == NULL)
				goto oom;
			continue;
		}
		if ((b = target_base(t->folder)) == NULL) {
			diag_error(d, NULL, 0, "'%s' has no name for its "
			    "subfolder of the output folder: give it as a "
			    "path that ends with one", t->folder);
			bad = 1;
			continue;
		}
		if (asprintf(&t->output, "%s/%s", a->output, b) < 0) {
			free(b);
			t->output = NULL;
			goto oom;
		}
		free(b);
		for (j = 0; j < i; j++)
			if (ts->v[j].folder != NULL && ts->v[j].output &&
			    strcmp(ts->v[j].output, t->output) == 0) {
				diag_error(d, NULL, 0, "'%s' and '%s' would both "
				    "write to '%s'", ts->v[j].folder, t->folder,
				    t->output);
				bad = 1;
			}
	}
	free(out_real);
	free(audit_real);
	if (bad) {
		cmd_targets_free(ts);
		return -1;
	}
	return 0;
oom:
	free(out_real);
	free(audit_real);
	cmd_targets_free(ts);
	diag_error(d, NULL, 0, "out of memory");
	return -1;
}

void
cmd_targets_free(struct cmd_targets *ts)
{
	size_t i;

	for (i = 0; ts->v != NULL && i < ts->n; i++)
		free(ts->v[i].output);
	free(ts->v);
	free(ts->files);
	memset(ts, 0, sizeof *ts);
}

/* ---------------------------------------------------------------- machine */

int
cmd_machine_open(const struct cmd_args *a, const struct cmd_target *t,
    struct remedy *const *rs, size_t nrs, int lock, struct cmd_machine *m,
    struct diag *d)
{
	int want[HIVE__COUNT];
	size_t i;
	int bad = 0;

	memset(m, 0, sizeof *m);
	cmd_hives_wanted(rs, nrs, want);
	if (t->folder != NULL ? image_find(t->folder, want, &m->im, d) < 0 :
	    image_from_files(t->files, t->nfiles, &m->im, d) < 0)
		return -1;
	m->t.windir = m->im->windir;
	if (lock) {
		if (cmd_hives_open(m->im->hives, m->im->nhives, a, &m->locked,
		    d) < 0) {
			cmd_machine_close(m);
			return -1;
		}
		m->t.hives = m->locked.hives;
		m->t.nhives = m->locked.n;
		return 0;
	}
	if ((m->hives = calloc(m->im->nhives + 1, sizeof *m->hives)) == NULL ||
	    (m->recs = calloc(m->im->nhives + 1, sizeof *m->recs)) == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		cmd_machine_close(m);
		return -1;
	}
	/* Open them all, so that every bad file is reported at once.  A
	 * dirty hive is planned on its logs' replay, in a temporary file. */
	for (i = 0; i < m->im->nhives; i++) {
		if (recover_hive_open(m->im->hives[i], a->ignore_logs, 0,
		    &m->recs[m->nhives], &m->hives[m->nhives], d) == 0)
			m->nhives++;
		else
			bad = 1;
	}
	if (bad) {
		cmd_machine_close(m);
		return -1;
	}
	m->t.hives = m->hives;
	m->t.nhives = m->nhives;
	return 0;
}

void
cmd_machine_close(struct cmd_machine *m)
{
	size_t i;

	for (i = 0; i < m->nhives; i++) {
		hive_close(m->hives[i]);
		recover_free(&m->recs[i]);
	}
	free(m->hives);
	free(m->recs);
	cmd_hives_release(&m->locked);
	image_free(m->im);
	memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- audit */

void
cmd_audit_start(struct audit *au, const struct cmd_args *a,
    const char *command, struct remedy *const *rs, size_t nrs)
{
	FILE *f;
	size_t i;
	int k;

	if (au == NULL)
		return;
	if ((f = audit_begin(au, "start", NULL)) != NULL) {
		fprintf(f, ",\"audit_version\":%d,\"tool\":\"%s\","
		    "\"version\":\"%s\",\"command\":", AUDIT_VERSION,
		    PACKAGE_NAME, PACKAGE_VERSION);
		json_string(f, command);
		fputs(",\"argv\":[", f);
		for (k = 0; k < a->argc; k++) {
			if (k)
				fputc(',', f);
			json_string(f, a->argv[k]);
		}
		fputc(']', f);
		audit_end(au, f);
	}
	for (i = 0; i < nrs; i++) {
		if ((f = audit_begin(au, "remedy", NULL)) == NULL)
			continue;
		fputs(",\"id\":", f);
		json_string(f, rs[i]->id);
		fputs(",\"title\":", f);
		json_string(f, rs[i]->title);
		fputs(",\"file\":", f);
		json_string(f, rs[i]->file);
		fputs(",\"sha256\":", f);
		json_hex(f, rs[i]->sha256, sizeof rs[i]->sha256);
		audit_end(au, f);
	}
}

void
cmd_audit_end(struct audit *au, int rc)
{
	FILE *f = audit_begin(au, "end", NULL);

	if (f == NULL)
		return;
	fprintf(f, ",\"exit\":%d", rc);
	audit_end(au, f);
}

void
cmd_audit_result(struct audit *au, const char *name,
    const struct cmd_outcome *o, const struct diag *d)
{
	FILE *f = audit_begin(au, "result", name);
	size_t i;
	int first = 1;

	if (f == NULL)
		return;
	fprintf(f, ",\"exit\":%d,\"changes\":%zu,\"errors\":[", o->rc,
	    o->nchanges);
	for (i = 0; i < d->n; i++) {
		if (d->items[i].level != DIAG_ERROR)
			continue;
		if (!first)
			fputc(',', f);
		first = 0;
		json_string(f, d->items[i].msg);
	}
	fputc(']', f);
	audit_end(au, f);
}

/* ---------------------------------------------------------------- run */

static const char *
outcome_text(enum cmd_mode mode, const struct cmd_outcome *o)
{
	if (o->rc == EXIT_TROUBLE)
		return "error";
	if (mode == CMD_APPLY)
		return o->nchanges ? "changed" : "nothing to do";
	return o->rc == EXIT_PENDING ? "changes pending" : "nothing to do";
}

int
cmd_run_all(const struct cmd_run *r, const struct cmd_targets *ts,
    cmd_target_fn fn)
{
	struct cmd_outcome *res = calloc(ts->n + 1, sizeof *res);
	int machine_out = r->a->format != RENDER_DIFF && r->mode != CMD_APPLY;
	FILE *sum = machine_out ? stderr : stdout;
	size_t i, w = 6;
	int worst = EXIT_NOTHING;

	if (res == NULL) {
		fprintf(stderr, "kbfix: error: out of memory\n");
		return EXIT_TROUBLE;
	}
	for (i = 0; i < ts->n; i++) {
		struct diag d;

		diag_init(&d);
		if (r->several && !machine_out)
			printf("%s==> %s <==\n", i ? "\n" : "", ts->v[i].name);
		fflush(stdout);
		fn(r, &ts->v[i], stdout, &res[i], &d);
		fflush(stdout);
		diag_print(&d, stderr);
		cmd_audit_result(r->audit, ts->v[i].name, &res[i], &d);
		diag_free(&d);
		if (res[i].rc > worst)
			worst = res[i].rc;
		if (strlen(ts->v[i].name) > w)
			w = strlen(ts->v[i].name);
	}
	if (ts->n > 1) {
		fprintf(sum, "%s%-*s  %-15s  %s\n", machine_out ? "" : "\n",
		    (int)w, "TARGET", "RESULT", "CHANGES");
		for (i = 0; i < ts->n; i++) {
			fprintf(sum, "%-*s  %-15s  ", (int)w, ts->v[i].name,
			    outcome_text(r->mode, &res[i]));
			if (res[i].rc == EXIT_TROUBLE)
				fprintf(sum, "-\n");
			else
				fprintf(sum, "%zu\n", res[i].nchanges);
		}
		fprintf(sum, "kbfix: %zu targets, exit %d\n", ts->n, worst);
	}
	fflush(sum);
	free(res);
	return worst;
}
