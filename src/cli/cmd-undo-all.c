/* cmd-undo-all.c: kbfix undo MANIFEST [FOLDER]  |  kbfix undo FOLDER
 *
 * The undo of a whole apply: the undo manifest it wrote (undo.h) names an
 * undo file for each hive it changed and one for its file changes.  Each
 * is read and checked as when it is given alone, their plans are made one
 * plan on the machine's hives, and that plan goes through the same safe
 * write as apply's: every hive and file is put back, or, on any failure,
 * none is.  The parts are found below FOLDER (the volume or folder where
 * the machine is now), or below the root the manifest records, never
 * through a symbolic link.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "undo.h"
#include "winpath.h"

/* Is NAME an undo manifest's name, "kbfix-STAMP[-N]-undo.reg" (not a
 * files undo file)?  Its stamp and number then go to *STAMP and *N. */
static int
manifest_name(const char *name, const char **stamp, long *n)
{
	size_t l = strlen(name);
	const char *dash;
	char *end;

	if (strncmp(name, "kbfix-", 6) != 0 || l < 6 + 16 + 9 ||
	    strcmp(name + l - 9, "-undo.reg") != 0 ||
	    (l > 15 && strcmp(name + l - 15, "-files-undo.reg") == 0))
		return 0;
	*stamp = name + 6;
	*n = 1;
	dash = strchr(name + 6, '-');
	if (dash != NULL && dash < name + l - 9) {
		*n = strtol(dash + 1, &end, 10);
		if (end != name + l - 9 || *n < 2)
			return 0;
	}
	return 1;
}

/* The newest undo manifest in FOLDER, or in its Windows folder: a new
 * path, or NULL (with D when there is none). */
char *
cmd_undo_find_manifest(const char *folder, struct diag *d)
{
	int want[HIVE__COUNT] = { 0 };
	struct image *im = NULL;
	const char *dirs[2];
	char *best = NULL, bstamp[32] = "";
	long bn = 0;
	size_t i;
	struct diag quiet;

	diag_init(&quiet);
	dirs[0] = folder;
	dirs[1] = image_find(folder, want, &im, &quiet) == 0 ? im->windir :
	    NULL;
	diag_free(&quiet);
	for (i = 0; i < 2; i++) {
		DIR *dp;
		struct dirent *de;

		if (dirs[i] == NULL || (dp = opendir(dirs[i])) == NULL)
			continue;
		while ((de = readdir(dp)) != NULL) {
			const char *stamp;
			long n;
			int c;

			if (!manifest_name(de->d_name, &stamp, &n))
				continue;
			c = strncmp(stamp, bstamp, 16);
			if (best != NULL && (c < 0 || (c == 0 && n <= bn)))
				continue;
			free(best);
			best = winpath_join(dirs[i], de->d_name);
			snprintf(bstamp, sizeof bstamp, "%.16s", stamp);
			bn = n;
		}
		closedir(dp);
	}
	image_free(im);
	if (best == NULL)
		diag_error(d, NULL, 0, "'%s' holds no undo manifest "
		    "(kbfix-STAMP-undo.reg, written by apply in the Windows "
		    "folder, or in --backup-dir: then give it)", folder);
	return best;
}

/* Move the entries of FROM to the end of INTO; FROM is freed. */
static int
plan_take(struct plan *into, struct plan *from)
{
	struct plan_entry *ne;

	if (from->nentries > 0) {
		ne = realloc(into->entries, (into->nentries + from->nentries) *
		    sizeof *ne);
		if (ne == NULL)
			return -1;
		into->entries = ne;
		memcpy(ne + into->nentries, from->entries, from->nentries *
		    sizeof *ne);
		into->nentries += from->nentries;
		from->nentries = 0;
	}
	plan_free(from);
	return 0;
}

/* The plan of every part on the target T (the hives as cmd_undo_all
 * opened them, or as apply_prepare rewrote them), in the order of the
 * manifest.  FORCE_MOVES: undo_moves_plan's force (the files are not
 * there to check once the hives are replaced). */
static int
all_plan(const struct cmd_undo_all *ua, const struct target *t,
    int force_moves, struct plan **out, struct diag *d)
{
	struct plan *all = calloc(1, sizeof *all), *p;
	size_t i;

	*out = NULL;
	if (all == NULL)
		return diag_oom(d);
	for (i = 0; i < ua->n; i++) {
		const struct undo_file *u = ua->undos[i];

		p = NULL;
		if ((u->files ? undo_moves_plan(u, ua->names[i], t->windir,
		    force_moves, &p, d) : undo_plan(u, ua->names[i],
		    t->hives[ua->hive_of[i]], &p, d)) < 0) {
			plan_free(all);
			return -1;
		}
		if (plan_take(all, p) < 0) {
			plan_free(all);
			return diag_oom(d);
		}
	}
	*out = all;
	return 0;
}

int
cmd_undo_all_replan(void *arg, const struct target *after, struct plan **out,
    struct diag *d)
{
	return all_plan(arg, after, 1, out, d);
}

/* The part's path P (undo.h: below BASE, or "%BackupDir%\NAME") on this
 * machine.  NULL with D. */
static char *
part_place(const struct undo_file *m, const char *base, const char *p,
    int *exists, struct diag *d)
{
	char *out = NULL;

	if (strncmp(p, "%BackupDir%\\", 12) == 0) {
		struct stat st;

		if ((out = winpath_join(m->backup_dir, p + 12)) == NULL) {
			diag_oom(d);
			return NULL;
		}
		*exists = lstat(out, &st) == 0;
		return out;
	}
	if (winpath_lookup(base, p, &out, exists, d) < 0)
		return NULL;
	return out;
}

int
cmd_undo_all(const struct cmd_args *a, const char *name,
    const struct undo_file *m, const char *folder, struct cmd_undo_all *ua,
    struct diag *d)
{
	const char *base = folder ? folder : m->root;
	char **hives = NULL;
	size_t i, nh = 0, nf = 0;
	struct plan *p = NULL;
	int bad = 0, exists;
	char sha[65];

	memset(ua, 0, sizeof *ua);
	ua->n = m->nparts;
	if ((ua->undos = calloc(ua->n + 1, sizeof *ua->undos)) == NULL ||
	    (ua->names = calloc(ua->n + 1, sizeof *ua->names)) == NULL ||
	    (ua->targets = calloc(ua->n + 1, sizeof *ua->targets)) == NULL ||
	    (ua->hive_of = calloc(ua->n + 1, sizeof *ua->hive_of)) == NULL ||
	    (hives = calloc(ua->n + 1, sizeof *hives)) == NULL) {
		diag_oom(d);
		goto fail;
	}
	/* Every part found and read, each problem said, before any hive is
	 * locked. */
	for (i = 0; i < ua->n; i++) {
		const struct undo_part *pt = &m->parts[i];
		struct stat st;

		if ((ua->targets[i] = part_place(m, base, pt->target, &exists,
		    d)) == NULL || (ua->names[i] = part_place(m, base, pt->undo,
		    &exists, d)) == NULL) {
			bad = 1;
			continue;
		}
		if (undo_read(ua->names[i], &ua->undos[i], d) < 0) {
			bad = 1;
			continue;
		}
		if (ua->undos[i]->plain || ua->undos[i]->manifest) {
			diag_error(d, name, pt->line, "'%s' is not %s undo file "
			    "of kbfix", ua->names[i], ua->undos[i]->manifest ?
			    "a hive's or files'" : "an");
			bad = 1;
			continue;
		}
		if (stat(ua->targets[i], &st) < 0 ||
		    S_ISDIR(st.st_mode) != ua->undos[i]->files) {
			diag_error(d, name, pt->line, "'%s' is not the %s that "
			    "'%s' puts back", ua->targets[i],
			    ua->undos[i]->files ? "Windows folder" : "hive",
			    ua->names[i]);
			bad = 1;
			continue;
		}
		if (ua->undos[i]->files) {
			if (nf++ > 0) {
				diag_error(d, name, pt->line, "two undo files "
				    "of file changes in one manifest");
				bad = 1;
			}
			ua->windir = ua->targets[i];
		} else {
			ua->hive_of[i] = nh;
			hives[nh++] = ua->targets[i];
		}
	}
	if (bad)
		goto fail;
	if (image_from_files(hives, nh, &ua->im, d) < 0)
		goto fail;
	/* --output lays out the files below it as apply --output does:
	 * by their paths below the root. */
	for (i = 0; i < ua->n; i++) {
		char *r, *s;

		if (ua->undos[i]->files)
			continue;
		if ((r = strdup(m->parts[i].target)) == NULL) {
			diag_oom(d);
			goto fail;
		}
		for (s = r; *s; s++)
			if (*s == '\\')
				*s = '/';
		free(ua->im->rel[ua->hive_of[i]]);
		ua->im->rel[ua->hive_of[i]] = r;
	}
	if ((ua->im->root = strdup(base)) == NULL ||
	    (ua->windir && (ua->im->windir = strdup(ua->windir)) == NULL)) {
		diag_oom(d);
		goto fail;
	}
	if (nh > 0 && cmd_hives_open(hives, nh, a, &ua->h, d) < 0)
		goto fail;
	ua->t.hives = ua->h.hives;
	ua->t.nhives = ua->h.n;
	ua->t.windir = ua->im->windir;
	for (i = 0; i < ua->n; i++)
		if (!ua->undos[i]->files && undo_check_hive(ua->undos[i],
		    ua->names[i], ua->h.hives[ua->hive_of[i]], a->force, d) < 0)
			bad = 1;
	if (bad || all_plan(ua, &ua->t, a->force, &p, d) < 0)
		goto fail;
	/* A hive whose part has something to do is checked against what the
	 * apply left, as a lone undo file is. */
	for (i = 0; i < ua->n; i++) {
		struct hive *hv;
		struct plan *one = NULL;

		if (ua->undos[i]->files)
			continue;
		hv = ua->h.hives[ua->hive_of[i]];
		if (undo_plan(ua->undos[i], ua->names[i], hv, &one, d) < 0) {
			bad = 1;
			continue;
		}
		if (plan_nchanges(one) > 0) {
			if (audit_sha256_file(hv->path, sha) < 0)
				sha[0] = '\0';
			if (undo_check(ua->undos[i], ua->names[i], hv, sha, one,
			    a->force, d) < 0)
				bad = 1;
		}
		plan_free(one);
	}
	if (bad)
		goto fail;
	ua->p = p;
	free(hives);
	return 0;
fail:
	plan_free(p);
	free(hives);
	cmd_undo_all_free(ua);
	return -1;
}

void
cmd_undo_all_free(struct cmd_undo_all *ua)
{
	size_t i;

	for (i = 0; i < ua->n; i++) {
		if (ua->undos)
			undo_file_free(ua->undos[i]);
		if (ua->names)
			free(ua->names[i]);
		if (ua->targets)
			free(ua->targets[i]);
	}
	free(ua->undos);
	free(ua->names);
	free(ua->targets);
	free(ua->hive_of);
	plan_free(ua->p);
	cmd_hives_release(&ua->h);
	image_free(ua->im);
	memset(ua, 0, sizeof *ua);
}
