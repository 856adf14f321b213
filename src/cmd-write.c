/* cmd-write.c: what apply and undo share: locking and opening the hives
 * (dirty ones on the replay of their logs), and the safe write with its
 * report. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int
cmd_hives_open(char *const *paths, size_t n, const struct cmd_args *a,
    struct cmd_hives *h, struct diag *d)
{
	size_t i;
	int bad = 0;

	memset(h, 0, sizeof *h);
	if (a->each || a->jobs != 1) {
		diag_error(d, NULL, 0, "--each and -j are for scan and the dry "
		    "run: apply and undo work on one machine's hives");
		return -1;
	}
	h->hives = calloc(n + 1, sizeof *h->hives);
	h->recs = calloc(n + 1, sizeof *h->recs);
	h->locks = calloc(n + 1, sizeof *h->locks);
	if (h->hives == NULL || h->recs == NULL || h->locks == NULL) {
		diag_error(d, NULL, 0, "out of memory");
		cmd_hives_release(h);
		return -1;
	}
	lock_signals_install();
	for (i = 0; i < n; i++) {
		struct hive *hv;

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
		if (recover_hive_open(paths[i], a->ignore_logs, 0,
		    &h->recs[h->n], &hv, d) < 0) {
			bad = 1;
			continue;
		}
		h->hives[h->n++] = hv;
	}
	if (!bad && cmd_one_machine(h->hives, h->n, d) < 0)
		bad = 1;
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

	for (i = 0; h->hives && i < h->n; i++) {
		hive_close(h->hives[i]);
		recover_free(&h->recs[i]);
	}
	for (i = 0; h->locks && i < h->nlocks; i++)
		lock_release(&h->locks[i]);
	free(h->hives);
	free(h->recs);
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
