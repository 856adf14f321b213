/* cmd-write.c: what apply and undo share: locking and opening the hives,
 * refusing dirty ones, and the safe write with its report. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "txlog.h"

/* Why the hive at HV must not be edited as it is, or NULL.  Caller frees. */
static char *
dirty_reason(const struct hive *hv, struct diag *d)
{
	struct txlog_state st;
	char *why = NULL, *logs = NULL;
	size_t i;

	if (txlog_inspect(hv->path, &st, d) < 0)
		return strdup("its transaction logs cannot be read");
	for (i = 0; st.pending && i < st.nfiles; i++) {
		char *nl;

		if (st.files[i].stale)
			continue;
		if (asprintf(&nl, "%s%s'%s'", logs ? logs : "", logs ? ", " :
		    "", st.files[i].path) < 0)
			break;
		free(logs);
		logs = nl;
	}
	if (regf_is_dirty(&hv->hdr) && logs != NULL) {
		if (asprintf(&why, "its sequence numbers differ (%u and %u) "
		    "and its logs %s hold changes it does not have",
		    (unsigned)hv->hdr.seq1, (unsigned)hv->hdr.seq2, logs) < 0)
			why = NULL;
	} else if (regf_is_dirty(&hv->hdr)) {
		if (asprintf(&why, "its sequence numbers differ (%u and %u): "
		    "it was not closed cleanly and its logs are missing",
		    (unsigned)hv->hdr.seq1, (unsigned)hv->hdr.seq2) < 0)
			why = NULL;
	} else if (logs != NULL) {
		if (asprintf(&why, "its logs %s hold changes it does not have",
		    logs) < 0)
			why = NULL;
	}
	free(logs);
	txlog_state_free(&st);
	return why;
}

int
cmd_hives_open(char *const *paths, size_t n, const struct cmd_args *a,
    struct cmd_hives *h, struct diag *d)
{
	size_t i;
	int bad = 0;

	memset(h, 0, sizeof *h);
	h->hives = calloc(n + 1, sizeof *h->hives);
	h->locks = calloc(n + 1, sizeof *h->locks);
	if (h->hives == NULL || h->locks == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		cmd_hives_release(h);
		return -1;
	}
	lock_signals_install();
	for (i = 0; i < n; i++) {
		struct hive *hv;
		char *why;

		/* The lock first: what is planned on is what is written. */
		if (lock_acquire(paths[i], &h->locks[h->nlocks], d) < 0) {
			bad = 1;
			continue;
		}
		h->nlocks++;
		if (apply_clean_stale(paths[i], d) < 0) {
			bad = 1;
			continue;
		}
		if (hive_open(paths[i], 0, &hv, d) < 0) {
			bad = 1;
			continue;
		}
		h->hives[h->n++] = hv;
		if ((why = dirty_reason(hv, d)) == NULL)
			continue;
		if (a->ignore_logs)
			diag_warning(d, NULL, 0, "'%s' is dirty: %s; "
			    "--ignore-logs: editing the stale file, what the "
			    "logs hold is lost", paths[i], why);
		else {
			diag_error(d, NULL, 0, "'%s' is dirty: %s; editing it "
			    "as it is would lose them: replay them first "
			    "('kbfix recover %s -o FILE'), or pass "
			    "--ignore-logs to edit the stale file anyway",
			    paths[i], why, paths[i]);
			bad = 1;
		}
		free(why);
	}
	if (bad) {
		cmd_hives_release(h);
		return -1;
	}
	return 0;
}

void
cmd_hives_release(struct cmd_hives *h)
{
	size_t i;

	for (i = 0; h->hives && i < h->n; i++)
		hive_close(h->hives[i]);
	for (i = 0; h->locks && i < h->nlocks; i++)
		lock_release(&h->locks[i]);
	free(h->hives);
	free(h->locks);
	memset(h, 0, sizeof *h);
}

int
cmd_write(const struct plan *p, const struct target *t,
    apply_replan_fn replan, void *arg, const struct cmd_args *a,
    struct diag *d)
{
	struct apply_options o;
	struct apply_job *j = NULL;
	size_t i, k;
	int rc = EXIT_TROUBLE;

	memset(&o, 0, sizeof o);
	o.backup_dir = a->backup_dir;
	o.no_backup = a->no_backup;
	o.tool = PACKAGE_STRING;
	if (apply_prepare(p, t, replan, arg, &j, d) < 0 ||
	    apply_commit(j, p, &o, d) < 0) {
		diag_error(d, NULL, 0, "nothing was changed");
		goto out;
	}
	for (i = 0; i < j->nfiles; i++) {
		const struct apply_file *f = &j->files[i];

		printf("kbfix: '%s': %zu change%s made\n", f->orig->path,
		    f->nchanges, f->nchanges == 1 ? "" : "s");
		if (f->backup)
			printf("kbfix: '%s': backup '%s'\n", f->orig->path,
			    f->backup);
		printf("kbfix: '%s': undo file '%s'\n", f->orig->path,
		    f->undo);
		for (k = 0; k < f->nlogs; k++)
			printf("kbfix: '%s': log '%s' moved to '%s'\n",
			    f->orig->path, f->logs[k], f->moved_logs[k]);
	}
	rc = EXIT_NOTHING;
out:
	apply_job_free(j);
	return rc;
}
