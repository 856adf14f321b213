/* cmd-check.c: kbfix check [--format json] HIVE...
 *
 * The structure check of every hive, as a command of its own, as fsck is
 * for a file system: for each HIVE its kind, format version and sequence
 * numbers (clean or dirty, and whether logs beside it hold newer
 * entries), its keys and values (as reglookup counts them: every key and
 * value reached from the root), the kinds of subkey list it uses, its
 * big-data values and its free space; for a hive whose logs hold newer
 * entries, the same counts with the logs replayed (in memory).  Exit 0
 * when every hive is healthy, 2 with one line per problem otherwise: a
 * base block or a structure kbfix refuses (regfcheck.h), subkeys out of
 * the order Windows finds them in, a dirty hive whose logs cannot bring
 * it up to date.  Nothing but the hives and their logs is read, and
 * nothing is written.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hivex.h>

#include "cmd.h"
#include "json.h"
#include "paths.h"
#include "regf.h"
#include "regfcheck.h"
#include "txlog.h"

/* What was found in one hive. */
struct report {
	const char *path;
	struct regf_header hdr;
	int header_ok;
	enum hive_kind kind;
	int structure_ok;
	struct regfcheck_stats st;
	struct txlog_state logs;
	int logs_ok;
	int replayed;		/* the logs were replayed ... */
	int replay_ok;		/* ... into a hive that holds together */
	struct regfcheck_stats rst;
	uint32_t rseq;
	struct diag problems;	/* one line each */
};

/* Check the LEN bytes at B, the hive PATH (or its replay, when REPLAY is
 * set), into *ST; problems into R. */
static int
check_image(struct report *r, const unsigned char *b, size_t len, int replay,
    struct regfcheck_stats *st)
{
	struct diag d;
	int ok;

	diag_init(&d);
	ok = regf_check_ex(b, len, r->path, NULL, &d, NULL, st) == 0;
	if (!ok && d.n > 0)
		diag_error(&r->problems, NULL, 0, "%s%s", d.items[0].msg,
		    replay ? " (with its logs replayed)" : "");
	if (ok && st->unsorted > 0)
		diag_error(&r->problems, NULL, 0, "'%s': %s%zu key%s whose "
		    "subkeys are out of the order Windows finds them in (first "
		    "'%s': '%s' listed before '%s'): Windows will not find "
		    "some of them", r->path, replay ? "with its logs replayed, "
		    : "", st->unsorted, st->unsorted == 1 ? "" : "s",
		    st->unsorted_key, st->unsorted_a, st->unsorted_b);
	diag_free(&d);
	return ok;
}

/* The file at PATH mapped read-only; NULL with a problem in R. */
static unsigned char *
map_hive(struct report *r, size_t *len)
{
	struct stat sb;
	void *p;
	int fd = open(r->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb) < 0) {
		diag_error(&r->problems, NULL, 0, "cannot open '%s': %s",
		    r->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*len = (size_t)sb.st_size;
	p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		diag_error(&r->problems, NULL, 0, "cannot read '%s': %s",
		    r->path, strerror(errno));
		return NULL;
	}
	return p;
}

static void
check_one(struct report *r)
{
	unsigned char *b = NULL, *img = NULL;
	size_t len = 0, ilen = 0, i;
	struct txlog_state rs;
	struct diag ld;

	memset(&rs, 0, sizeof rs);
	diag_init(&ld);
	if (regf_header_read(r->path, &r->hdr, &r->problems) < 0)
		return;
	r->header_ok = 1;
	if ((b = map_hive(r, &len)) == NULL)
		return;
	if (len != r->hdr.file_size) {
		diag_error(&r->problems, NULL, 0, "'%s': changed while being "
		    "read", r->path);
		goto out;
	}
	r->structure_ok = check_image(r, b, len, 0, &r->st);
	/* Its pages are let go before hivex maps the file again. */
	munmap(b, len);
	b = NULL;
	if (r->structure_ok) {
		/* The kind, from the root's subkeys, by hivex: the
		 * structure is sound. */
		hive_h *h = hivex_open(r->path, 0);

		if (h != NULL) {
			r->kind = hive_detect(h, hivex_root(h),
			    r->hdr.file_name);
			hivex_close(h);
		}
	}
	r->logs_ok = txlog_inspect(r->path, &r->logs, &ld) == 0;
	if (!r->logs_ok || (!r->logs.dirty && !r->logs.pending))
		goto out;
	/* Logs with newer entries, or a dirty hive: replay them in memory,
	 * as scan and apply do, and check the result. */
	r->replayed = 1;
	if (recover_image(r->path, 0, &img, &ilen, &rs, &ld) < 0)
		goto out;
	r->rseq = rs.seq_after;
	r->replay_ok = check_image(r, img, ilen, 1, &r->rst);
out:
	/* The errors only: the warnings and notes of the logs' reading say
	 * the same for the commands that plan, and name their options. */
	for (i = 0; i < ld.n; i++)
		if (ld.items[i].level == DIAG_ERROR)
			diag_error(&r->problems, ld.items[i].file,
			    ld.items[i].line, "%s", ld.items[i].msg);
	diag_free(&ld);
	txlog_state_free(&rs);
	free(img);
	if (b != NULL)
		munmap(b, len);
}

static const char *
kind_text(enum hive_kind k)
{
	return k == HIVE_UNKNOWN ? NULL : hive_kind_name(k);
}

/* "2 lf, 1 ri (of 9 li)" */
static void
print_lists(FILE *f, const struct regfcheck_stats *st)
{
	const char *sep = "";

	if (st->lf)
		fprintf(f, "%s%zu lf", sep, st->lf), sep = ", ";
	if (st->lh)
		fprintf(f, "%s%zu lh", sep, st->lh), sep = ", ";
	if (st->li)
		fprintf(f, "%s%zu li", sep, st->li), sep = ", ";
	if (st->ri) {
		const char *s2 = "";

		fprintf(f, "%s%zu ri (of", sep, st->ri);
		if (st->ri_lf)
			fprintf(f, "%s %zu lf", s2, st->ri_lf), s2 = ",";
		if (st->ri_lh)
			fprintf(f, "%s %zu lh", s2, st->ri_lh), s2 = ",";
		if (st->ri_li)
			fprintf(f, "%s %zu li", s2, st->ri_li);
		fputc(')', f);
		sep = ", ";
	}
	if (*sep == '\0')
		fputs("none", f);
}

static void
print_counts(FILE *f, const struct regfcheck_stats *st)
{
	fprintf(f, "%zu key%s, %zu value%s (%zu in big-data records)",
	    st->keys, st->keys == 1 ? "" : "s", st->values,
	    st->values == 1 ? "" : "s", st->bigdata);
}

static void
print_logs(FILE *f, const struct txlog_state *ls)
{
	size_t i;

	for (i = 0; i < ls->nfiles; i++) {
		const struct txlog_file *lf = &ls->files[i];

		fprintf(f, "%s'%s' ", i ? ", " : "", paths_base_name(lf->path));
		if (lf->format == 0)
			fputs("unreadable", f);
		else if (lf->format == 1)
			fputs("old format", f);
		else if (lf->first_seq == 0 && lf->last_seq == 0)
			fputs("no valid entry", f);
		else if (lf->first_seq == lf->last_seq)
			fprintf(f, "entry %u", lf->first_seq);
		else
			fprintf(f, "entries %u..%u", lf->first_seq,
			    lf->last_seq);
		if (lf->stale)
			fputs(" (older than the hive)", f);
	}
}

static void
print_text(FILE *f, const struct report *r)
{
	const char *k = kind_text(r->kind);

	fprintf(f, "'%s': ", r->path);
	if (!r->header_ok) {
		fputs("not read as a hive (below)\n", f);
		return;
	}
	if (k != NULL)	/* "an NTUSER hive": the article as the name is said */
		fprintf(f, "%s %s hive", k[0] == 'N' ? "an" : "a", k);
	else if (r->structure_ok)
		fputs("a hive of no kind kbfix knows", f);
	else
		fputs("a hive", f);
	fprintf(f, ", format %u.%u, %s (sequence numbers %u/%u)\n",
	    r->hdr.major, r->hdr.minor, r->hdr.seq1 != r->hdr.seq2 ?
	    "dirty" : "clean", r->hdr.seq1, r->hdr.seq2);
	if (r->logs_ok && r->logs.nfiles > 0) {
		fputs("  logs: ", f);
		print_logs(f, &r->logs);
		fprintf(f, "%s\n", r->logs.pending ? "; they hold entries "
		    "newer than the hive" : "");
	}
	if (r->structure_ok) {
		fputs("  ", f);
		print_counts(f, &r->st);
		fprintf(f, "%s\n", r->replayed ? " in the file as it is" : "");
		fputs("  subkey lists: ", f);
		print_lists(f, &r->st);
		fprintf(f, "\n  %llu bytes: hive bins of %u bytes in %zu "
		    "bin%s, %llu bytes free in %zu cell%s\n",
		    (unsigned long long)r->hdr.file_size, r->hdr.bins_size,
		    r->st.bins, r->st.bins == 1 ? "" : "s", r->st.free_bytes,
		    r->st.free_cells, r->st.free_cells == 1 ? "" : "s");
	}
	if (r->replay_ok) {
		fprintf(f, "  with its logs replayed (sequence numbers %u/%u): ",
		    r->rseq, r->rseq);
		print_counts(f, &r->rst);
		fputc('\n', f);
	}
	if (r->problems.nerrors == 0)
		fputs("  no damage found\n", f);
	else
		fprintf(f, "  %zu problem%s (below)\n", r->problems.nerrors,
		    r->problems.nerrors == 1 ? "" : "s");
}

static void
json_counts(FILE *f, const struct regfcheck_stats *st)
{
	fprintf(f, "\"keys\":%zu,\"values\":%zu,\"bigdata\":%zu,"
	    "\"lists\":{\"lf\":%zu,\"lh\":%zu,\"li\":%zu,\"ri\":%zu,"
	    "\"ri_lf\":%zu,\"ri_lh\":%zu,\"ri_li\":%zu},\"bins\":%zu,"
	    "\"free_bytes\":%llu,\"free_cells\":%zu,\"unsorted\":%zu",
	    st->keys, st->values, st->bigdata, st->lf, st->lh, st->li,
	    st->ri, st->ri_lf, st->ri_lh, st->ri_li, st->bins,
	    st->free_bytes, st->free_cells, st->unsorted);
}

static void
print_json(FILE *f, const struct report *r)
{
	size_t i;

	fputs("{\"format\":\"kbfix-check\",\"version\":1,\"hive\":", f);
	json_string(f, r->path);
	if (r->header_ok) {
		fputs(",\"kind\":", f);
		json_string(f, kind_text(r->kind));
		fprintf(f, ",\"version\":\"%u.%u\",\"sequence\":[%u,%u],"
		    "\"dirty\":%s,\"size\":%llu,\"bins_size\":%u",
		    r->hdr.major, r->hdr.minor, r->hdr.seq1, r->hdr.seq2,
		    r->hdr.seq1 != r->hdr.seq2 ? "true" : "false",
		    (unsigned long long)r->hdr.file_size, r->hdr.bins_size);
	}
	if (r->logs_ok) {
		fputs(",\"logs\":[", f);
		for (i = 0; i < r->logs.nfiles; i++) {
			const struct txlog_file *lf = &r->logs.files[i];

			fprintf(f, "%s{\"file\":", i ? "," : "");
			json_string(f, lf->path);
			fprintf(f, ",\"format\":%s,\"first\":%u,\"last\":%u,"
			    "\"stale\":%s}", lf->format == 1 ? "\"old\"" :
			    lf->format == 6 ? "\"new\"" : "null",
			    lf->first_seq, lf->last_seq,
			    lf->stale ? "true" : "false");
		}
		fprintf(f, "],\"logs_newer\":%s",
		    r->logs.pending ? "true" : "false");
	}
	if (r->structure_ok) {
		fputc(',', f);
		json_counts(f, &r->st);
	}
	if (r->replay_ok) {
		fprintf(f, ",\"replayed\":{\"sequence\":%u,", r->rseq);
		json_counts(f, &r->rst);
		fputc('}', f);
	}
	fputs(",\"problems\":[", f);
	for (i = 0; i < r->problems.n; i++) {
		if (i)
			fputc(',', f);
		json_string(f, r->problems.items[i].msg);
	}
	fprintf(f, "],\"healthy\":%s}\n",
	    r->problems.nerrors == 0 ? "true" : "false");
}

int
cmd_check(int argc, char **argv)
{
	char **hives;
	size_t nh = 0, i;
	int json = 0, opts = 1, rc = EXIT_NOTHING;
	struct diag d;

	diag_init(&d);
	if ((hives = calloc((size_t)argc + 1, sizeof *hives)) == NULL) {
		fprintf(stderr, "kbfix: error: out of memory\n");
		return EXIT_TROUBLE;
	}
	for (i = 1; i < (size_t)argc; i++) {
		const char *s = argv[i];

		if (opts && strcmp(s, "--") == 0)
			opts = 0;
		else if (opts && strcmp(s, "--format") == 0) {
			if (i + 1 >= (size_t)argc) {
				cmd_usage_error(&d, CMDB_CHECK, "option "
				    "'--format' needs an argument (text or "
				    "json)");
				break;
			}
			s = argv[++i];
			if (strcmp(s, "json") == 0)
				json = 1;
			else if (strcmp(s, "text") == 0)
				json = 0;
			else
				diag_error(&d, NULL, 0, "unknown format '%s' "
				    "(text or json)", s);
		} else if (opts && s[0] == '-' && s[1] != '\0')
			cmd_opt_refuse(CMDB_CHECK, s, &d);
		else
			hives[nh++] = argv[i];
	}
	if (d.nerrors == 0 && nh == 0)
		cmd_usage_error(&d, CMDB_CHECK, "check takes the hives to "
		    "check");
	if (d.nerrors > 0) {
		diag_print(&d, stderr);
		diag_free(&d);
		free(hives);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < nh; i++) {
		struct report r;

		memset(&r, 0, sizeof r);
		r.path = hives[i];
		diag_init(&r.problems);
		check_one(&r);
		if (json)
			print_json(stdout, &r);
		else
			print_text(stdout, &r);
		/* The report first, then its problems: a line each. */
		fflush(stdout);
		diag_print(&r.problems, stderr);
		if (r.problems.nerrors > 0)
			rc = EXIT_TROUBLE;
		txlog_state_free(&r.logs);
		diag_free(&r.problems);
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "kbfix: error: cannot write the output\n");
		rc = EXIT_TROUBLE;
	}
	diag_free(&d);
	free(hives);
	return rc;
}
