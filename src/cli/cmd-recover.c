/* cmd-recover.c: kbfix recover HIVE -o OUT
 *
 * Replays the transaction logs beside HIVE and writes the recovered,
 * consistent hive (equal sequence numbers, right checksum) to the new file
 * OUT; HIVE and its logs are only read.  What was applied from which log
 * goes to standard output.
 *
 * A clean hive has nothing to replay: OUT is then a byte-for-byte copy, so
 * that "kbfix recover HIVE -o OUT && kbfix apply ... OUT" works whatever
 * state HIVE is in, and recovering a recovered hive changes nothing.
 * Damaged logs: the entries before the damage are applied and a warning
 * says where the replay stopped (exit 0), provided the result holds
 * together (recover_write reads it back whole; a replay stopped early can
 * leave a hive mixing generations of cells).  When nothing usable is left
 * (the first entry needed is damaged, a log's base block unreadable, no
 * log at all, or a result that does not hold together), nothing is
 * written and the exit code is 2.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "paths.h"
#include "recover.h"

/* One line per log found: what became of it. */
static void
report_logs(FILE *f, const struct txlog_state *st)
{
	size_t i;

	for (i = 0; i < st->nfiles; i++) {
		const struct txlog_file *lf = &st->files[i];
		const char *name = paths_base_name(lf->path);

		if (lf->format == 0) {
			fprintf(f, "  '%s': unreadable (%s), ignored\n", name,
			    lf->stopped ? lf->stopped : "empty");
			continue;
		}
		if (lf->format == 1)
			fprintf(f, "  '%s': old format (dirty pages)", name);
		else if (lf->first_seq == 0 && lf->last_seq == 0)
			fprintf(f, "  '%s': no valid entry", name);
		else if (lf->first_seq == lf->last_seq)
			fprintf(f, "  '%s': entry %u", name, lf->first_seq);
		else
			fprintf(f, "  '%s': entries %u..%u", name,
			    lf->first_seq, lf->last_seq);
		if (lf->stale)
			fputs(", older than the hive: not applied\n", f);
		else if (lf->entries_applied > 0 && lf->format == 1)
			fprintf(f, ", applied %zu page%s\n", lf->pages_applied,
			    lf->pages_applied == 1 ? "" : "s");
		else if (lf->entries_applied > 0)
			fprintf(f, ", applied %zu (%zu page%s)\n",
			    lf->entries_applied, lf->pages_applied,
			    lf->pages_applied == 1 ? "" : "s");
		else
			fputs(", none applied\n", f);
		/* A log's normal end (unwritten space, an old entry) is not
		 * worth a line; damage and skipped logs are. */
		if (lf->stopped != NULL && (lf->damaged ||
		    (lf->entries_applied == 0 && !lf->stale)))
			fprintf(f, "    stopped: %s\n", lf->stopped);
	}
}

int
cmd_recover(int argc, char **argv)
{
	const char *hive = NULL, *out = NULL;
	unsigned char *img = NULL;
	size_t len = 0;
	struct txlog_state st;
	struct stat sb;
	struct diag d;
	int i, opts = 1, rc = EXIT_TROUBLE;
	char *sum;

	memset(&st, 0, sizeof st);
	diag_init(&d);
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (opts && strcmp(s, "--") == 0)
			opts = 0;
		else if (opts && (strcmp(s, "-o") == 0 ||
		    strcmp(s, "--output") == 0)) {
			if (i + 1 >= argc) {
				cmd_usage_error(&d, CMDB_RECOVER, "option '%s' "
				    "needs an argument (OUT)", s);
				goto out;
			}
			out = argv[++i];
		} else if (opts && s[0] == '-' && s[1] != '\0') {
			cmd_opt_refuse(CMDB_RECOVER, s, &d);
			goto out;
		} else if (hive == NULL)
			hive = s;
		else {
			cmd_usage_error(&d, CMDB_RECOVER, "recover takes one "
			    "hive ('%s' and '%s' given)", hive, s);
			goto out;
		}
	}
	if (hive == NULL || out == NULL) {
		cmd_usage_error(&d, CMDB_RECOVER, "recover takes a HIVE and "
		    "-o OUT (OUT a new file: the hive itself is never "
		    "written)");
		goto out;
	}
	/* Checked again, race-free, when OUT is created; this saves a
	 * replay whose result could not be written. */
	if (lstat(out, &sb) == 0) {
		diag_error(&d, NULL, 0, "'%s' exists: not replaced", out);
		goto out;
	}
	if (recover_image(hive, RECOVER_SALVAGE, &img, &len, &st, &d) < 0)
		goto out;
	if (!st.dirty)
		printf("'%s' is clean (sequence numbers %u/%u): nothing to "
		    "replay\n", hive, st.seq_before, st.seq_before2);
	else
		printf("'%s' is dirty (sequence numbers %u/%u)\n", hive,
		    st.seq_before, st.seq_before2);
	report_logs(stdout, &st);
	if (recover_write(out, img, len, st.dirty ? hive : NULL, &d) < 0)
		goto out;
	if (st.dirty) {
		if ((sum = recover_summary(&st)) == NULL) {
			diag_oom(&d);
			goto out;
		}
		printf("%s\n", sum);
		free(sum);
		printf("wrote '%s' (%zu bytes)\n", out, len);
	} else
		printf("wrote a copy to '%s' (%zu bytes)\n", out, len);
	if (fflush(stdout) != 0) {
		diag_error(&d, NULL, 0, "cannot write the output");
		goto out;
	}
	rc = EXIT_NOTHING;
out:
	diag_print(&d, stderr);
	diag_free(&d);
	txlog_state_free(&st);
	free(img);
	return rc;
}
