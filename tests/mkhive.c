/* mkhive: build a registry hive from .reg files, for the test fixtures.
 *
 *   mkhive [--root NAME] [--prefix PREFIX] [--list KEY=KIND]... OUT IN.reg...
 *
 * hivex cannot create a hive: regf_write_empty writes an empty one (root
 * key NAME, default "$$$PROTO.HIV"), each IN.reg is merged into it with
 * regfile_apply (keys under PREFIX, default HKEY_LOCAL_MACHINE\SYSTEM),
 * hivex commits it, regf_finish converts long values to big-data records
 * and sets the sequence numbers to 1, and the result is renamed to OUT.
 * The work file is OUT's name in a temporary folder beside OUT, because
 * regf_write_empty records the file's name in the base block (as Windows
 * does: "SYSTEM"), and "SYSTEM.tmp" would be a lie.
 *
 * Every key's subkeys are then put in the order Windows keeps them
 * (keylist_sort_from; hivex misplaces names beyond ASCII), and each
 * --list gives the subkeys of KEY (a path below the root, elements
 * separated by '\\') the kind of list named, in cells of a hive bin
 * appended for them, as Windows writes for many subkeys or wrote in older
 * versions:
 *   lf, lh, li        one leaf of that kind;
 *   ri:KINDS:N        an ri list of leaves of at most N subkeys each,
 *                     their kinds taken in turn from KINDS, a comma-
 *                     separated list of lf, lh and li ("ri:li:3",
 *                     "ri:lh,li,lf:2").
 * The old list's cells are freed.
 *
 * The output is not byte-for-byte reproducible: regf_write_empty stamps
 * the root key with the current time (hivex gives every new key its
 * parent's time, so all keys carry it) and regf_finish stamps the base
 * block.  Compare fixture hives logically (reglookup, hivexregedit
 * --export), never with cmp.
 *
 * Exit status: 0 done, 2 trouble (messages on standard error).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <hivex.h>

#include "diag.h"
#include "keylist.h"
#include "regf.h"
#include "regtext.h"

#define BINS	4096
#define NONE	0xFFFFFFFFu

static void
usage(void)
{
	fprintf(stderr, "usage: mkhive [--root NAME] [--prefix PREFIX] "
	    "[--list KEY=KIND]... OUT IN.reg...\n");
	exit(2);
}

/* ------------------------------------------------------------ lists */

/* The hive being given new lists: the file's bytes up to the end of its
 * hive bins, then the bin of new cells. */
struct img {
	unsigned char *b;
	size_t end;		/* end of the original bins */
	unsigned char *nb;	/* the new bin, from END */
	size_t used, cap;
};

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

/* A new allocated cell of SIZE bytes (a multiple of 8) with signature
 * SIG; its file offset. */
static size_t
new_cell(struct img *im, size_t size, const char *sig)
{
	size_t off;

	if (im->used + size > im->cap) {
		size_t ncap = im->cap ? im->cap : 4096;
		unsigned char *n;

		while (im->used + size > ncap)
			ncap *= 2;
		if ((n = realloc(im->nb, ncap)) == NULL) {
			fprintf(stderr, "mkhive: out of memory\n");
			exit(2);
		}
		memset(n + im->cap, 0, ncap - im->cap);
		im->nb = n;
		im->cap = ncap;
	}
	if (im->used == 0)
		im->used = 32;		/* the bin's header */
	off = im->used;
	regf_put32(im->nb + off, (uint32_t)-(int32_t)size);
	memcpy(im->nb + off + 4, sig, 2);
	im->used += size;
	return im->end + off;
}

static unsigned char *
at(struct img *im, size_t off)
{
	return off >= im->end ? im->nb + (off - im->end) : im->b + off;
}

/* The key at PATH below the root of IM, or 0. */
static size_t
find_key(struct img *im, const char *path)
{
	size_t nk = (size_t)regf_get32(im->b + 36) + BINS;
	char *copy = strdup(path), *e, *save = NULL;

	for (e = strtok_r(copy, "\\", &save); e != NULL && nk != 0;
	    e = strtok_r(NULL, "\\", &save)) {
		size_t *kids, n, i, found = 0;

		if (keylist_keys(im->b, im->end, nk, &kids, &n) < 0)
			break;
		for (i = 0; i < n && !found; i++) {
			const unsigned char *c = im->b + kids[i];
			size_t nl = regf_get16(c + 0x4C);

			if ((regf_get16(c + 6) & 0x20) && nl == strlen(e) &&
			    strncasecmp((const char *)c + 0x50, e, nl) == 0)
				found = kids[i];
		}
		free(kids);
		nk = found;
	}
	free(copy);
	return nk;
}

/* Free the list cells of key NK. */
static void
free_list(struct img *im, size_t nk)
{
	size_t top = (size_t)regf_get32(im->b + nk + 0x20) + BINS, i;
	unsigned char *c;

	if (regf_get32(im->b + nk + 0x20) == NONE)
		return;
	c = at(im, top);
	if (memcmp(c + 4, "ri", 2) == 0)
		for (i = 0; i < regf_get16(c + 6); i++) {
			unsigned char *l = at(im, (size_t)regf_get32(c + 8 +
			    4 * i) + BINS);

			regf_put32(l, (uint32_t)-(int32_t)regf_get32(l));
		}
	regf_put32(c, (uint32_t)-(int32_t)regf_get32(c));
}

/* A leaf of kind K ("lf", "lh", "li") listing the N keys at KIDS. */
static size_t
new_leaf(struct img *im, const char *k, const size_t *kids, size_t n)
{
	size_t w = k[1] == 'i' ? 4 : 8, i;
	size_t off = new_cell(im, (8 + w * n + 7) & ~(size_t)7, k);
	unsigned char *c = at(im, off);

	put16(c + 6, (unsigned)n);
	for (i = 0; i < n; i++) {
		unsigned char *e = c + 8 + w * i, *nk = im->b + kids[i];
		size_t nl = regf_get16(nk + 0x4C);
		int latin1 = (regf_get16(nk + 6) & 0x20) != 0;

		regf_put32(e, (uint32_t)(kids[i] - BINS));
		if (k[1] == 'h')
			regf_put32(e + 4, keylist_lh_hash(nk + 0x50, nl,
			    latin1));
		else if (k[1] == 'f')
			keylist_lf_hint(nk + 0x50, nl, latin1, e + 4);
	}
	return off;
}

static int
kind_ok(const char *k)
{
	return strcmp(k, "lf") == 0 || strcmp(k, "lh") == 0 ||
	    strcmp(k, "li") == 0;
}

/* The key SPEC (KEY=KIND) names, or 0 with D. */
static size_t
spec_key(struct img *im, const char *spec, struct diag *d)
{
	char *copy = strdup(spec), *eq = strchr(copy, '=');
	size_t nk = 0;

	if (eq == NULL)
		diag_error(d, NULL, 0, "--list: bad list '%s' (KEY=lf|lh|li|"
		    "ri:KINDS:N)", spec);
	else {
		*eq = '\0';
		if ((nk = find_key(im, copy)) == 0)
			diag_error(d, NULL, 0, "--list: no key '%s'", copy);
	}
	free(copy);
	return nk;
}

/* SPEC is KEY=KIND, KEY at NK: give it that list. */
static int
relist(struct img *im, const char *spec, size_t nk, struct diag *d)
{
	char *copy = strdup(spec), *eq = strchr(copy, '=');
	char *kinds[16], *s, *save = NULL;
	size_t *kids = NULL, n, nkinds = 0, per = 0, top, i;
	int r = -1;

	*eq++ = '\0';
	if (keylist_keys(im->b, im->end, nk, &kids, &n) < 0 || n == 0) {
		diag_error(d, NULL, 0, "--list: key '%s' has no subkeys to "
		    "list", copy);
		goto out;
	}
	if (kind_ok(eq)) {
		top = new_leaf(im, eq, kids, n);
	} else if (strncmp(eq, "ri:", 3) == 0) {
		char *colon = strrchr(eq + 3, ':');

		if (colon == NULL || (per = strtoul(colon + 1, NULL, 10)) == 0)
			goto bad;
		*colon = '\0';
		for (s = strtok_r(eq + 3, ",", &save); s != NULL && nkinds < 16;
		    s = strtok_r(NULL, ",", &save)) {
			if (!kind_ok(s))
				goto bad;
			kinds[nkinds++] = s;
		}
		if (nkinds == 0)
			goto bad;
		{
			size_t nleaves = (n + per - 1) / per;
			size_t *leaves = calloc(nleaves, sizeof *leaves);
			unsigned char *c;

			for (i = 0; i < nleaves; i++)
				leaves[i] = new_leaf(im, kinds[i % nkinds],
				    kids + i * per, i + 1 < nleaves ? per :
				    n - i * per);
			top = new_cell(im, (8 + 4 * nleaves + 7) & ~(size_t)7,
			    "ri");
			c = at(im, top);
			put16(c + 6, (unsigned)nleaves);
			for (i = 0; i < nleaves; i++)
				regf_put32(c + 8 + 4 * i,
				    (uint32_t)(leaves[i] - BINS));
			free(leaves);
		}
	} else
		goto bad;
	free_list(im, nk);
	regf_put32(im->b + nk + 0x20, (uint32_t)(top - BINS));
	r = 0;
	goto out;
bad:
	diag_error(d, NULL, 0, "--list: bad list '%s' (KEY=lf|lh|li|"
	    "ri:KINDS:N)", spec);
out:
	free(kids);
	free(copy);
	return r;
}

/* Put every key's subkeys of the hive at PATH in Windows' order, then
 * give the keys of SPECS their lists. */
static int
lists(const char *path, char **specs, int nspecs, struct diag *d)
{
	struct img im = { NULL, 0, NULL, 0, 0 };
	size_t len, *nks = NULL;
	FILE *f = fopen(path, "r+b");
	int i, r = -1;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = (size_t)ftell(f)) < BINS || fseek(f, 0, SEEK_SET) != 0 ||
	    (im.b = malloc(len)) == NULL || fread(im.b, 1, len, f) != len) {
		diag_error(d, NULL, 0, "cannot read '%s'", path);
		goto out;
	}
	im.end = BINS + (size_t)regf_get32(im.b + 40);
	if (im.end > len || keylist_sort_from(im.b, im.end, 0, NULL) < 0) {
		diag_error(d, NULL, 0, "'%s': cannot sort its lists", path);
		goto out;
	}
	/* Every key found before any list moves to the new bin. */
	if ((nks = calloc((size_t)nspecs + 1, sizeof *nks)) == NULL)
		goto out;
	for (i = 0; i < nspecs; i++)
		if ((nks[i] = spec_key(&im, specs[i], d)) == 0)
			goto out;
	for (i = 0; i < nspecs; i++)
		if (relist(&im, specs[i], nks[i], d) < 0)
			goto out;
	if (im.used > 0) {
		size_t size = (im.used + 4095) / 4096 * 4096;

		if (size > im.cap) {
			unsigned char *n = realloc(im.nb, size);

			if (n == NULL)
				goto out;
			memset(n + im.cap, 0, size - im.cap);
			im.nb = n;
			im.cap = size;
		}
		memcpy(im.nb, "hbin", 4);
		regf_put32(im.nb + 4, (uint32_t)(im.end - BINS));
		regf_put32(im.nb + 8, (uint32_t)size);
		if (size > im.used)
			regf_put32(im.nb + im.used, (uint32_t)(size - im.used));
		regf_put32(im.b + 40, (uint32_t)(im.end + size - BINS));
		regf_put32(im.b + 508, regf_checksum(im.b));
		/* The new bin replaces whatever followed the bins. */
		if (fseek(f, (long)im.end, SEEK_SET) != 0 ||
		    fwrite(im.nb, 1, size, f) != size)
			goto werr;
		if (ftruncate(fileno(f), (off_t)(im.end + size)) != 0)
			goto werr;
	}
	if (fseek(f, 0, SEEK_SET) != 0 || fwrite(im.b, 1, im.end, f) != im.end)
		goto werr;
	r = 0;
	goto out;
werr:
	diag_error(d, NULL, 0, "cannot write '%s'", path);
out:
	if (f != NULL && fclose(f) != 0 && r == 0) {
		diag_error(d, NULL, 0, "cannot write '%s'", path);
		r = -1;
	}
	free(im.b);
	free(im.nb);
	free(nks);
	return r;
}

static int
build(const char *tmp, const char *root, const char *prefix, char **in,
    int nin, char **specs, int nspecs, struct diag *d)
{
	hive_h *h;
	struct regfile *rf;
	int i, r = 0;

	if (regf_write_empty(tmp, root, d) == -1)
		return -1;
	h = hivex_open(tmp, HIVEX_OPEN_WRITE);
	if (h == NULL) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", tmp,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < nin; i++) {
		if (regfile_parse_file(in[i], &rf, d) == -1) {
			r = -1;
			continue;
		}
		if (regfile_apply(h, rf, prefix, in[i], d) == -1)
			r = -1;
		regfile_free(rf);
	}
	if (r == 0 && hivex_commit(h, tmp, 0) == -1) {
		diag_error(d, NULL, 0, "cannot write '%s': %s", tmp,
		    strerror(errno));
		r = -1;
	}
	hivex_close(h);
	if (r == 0 && lists(tmp, specs, nspecs, d) == -1)
		r = -1;
	if (r == 0 && regf_finish(tmp, 1, 0, d) == -1)
		r = -1;
	return r;
}

int
main(int argc, char **argv)
{
	const char *root = "$$$PROTO.HIV";
	const char *prefix = "HKEY_LOCAL_MACHINE\\SYSTEM";
	const char *out;
	char *tmp = NULL, *dir = NULL, *d1, *d2, **specs;
	struct diag d;
	int i = 1, r, nspecs = 0;

	if ((specs = calloc((size_t)argc, sizeof *specs)) == NULL)
		return 2;

	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--root") == 0)
			root = argv[i + 1];
		else if (strcmp(argv[i], "--prefix") == 0)
			prefix = argv[i + 1];
		else if (strcmp(argv[i], "--list") == 0)
			specs[nspecs++] = argv[i + 1];
		else
			usage();
		i += 2;
	}
	if (argc - i < 2)
		usage();
	out = argv[i++];
	d1 = strdup(out);
	d2 = strdup(out);
	if (d1 == NULL || d2 == NULL ||
	    asprintf(&dir, "%s/.mkhive-XXXXXX", dirname(d1)) < 0) {
		fprintf(stderr, "mkhive: out of memory\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "mkhive: cannot create '%s': %s\n", dir,
		    strerror(errno));
		return 2;
	}
	if (asprintf(&tmp, "%s/%s", dir, basename(d2)) < 0) {
		fprintf(stderr, "mkhive: out of memory\n");
		rmdir(dir);
		return 2;
	}
	diag_init(&d);
	r = build(tmp, root, prefix, argv + i, argc - i, specs, nspecs, &d);
	if (r == 0 && rename(tmp, out) == -1) {
		diag_error(&d, NULL, 0, "cannot rename '%s' to '%s': %s", tmp,
		    out, strerror(errno));
		r = -1;
	}
	if (r == -1)
		unlink(tmp);
	rmdir(dir);
	diag_print(&d, stderr);
	diag_free(&d);
	free(tmp);
	free(dir);
	free(d1);
	free(d2);
	free(specs);
	return r == 0 ? 0 : 2;
}
