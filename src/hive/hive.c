/* hive.c: a thin layer over hivex. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hive.h"
#include "names.h"
#include "regfcheck.h"

/* Map PATH read-only and run regf_check on it: hivex is only given hives
 * whose reachable structure it reads safely (see regfcheck.h).  SIZE is
 * the file size regf_header_read saw; ST gets the file's status. */
static int
check_structure(const char *path, uint64_t size, struct regfcheck_shared *sh,
    struct stat *st, struct diag *d)
{
	void *map;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
	/* A file that shrinks under a mapping faults on access. */
	if (fstat(fd, st) == -1 || (uint64_t)st->st_size != size) {
		diag_error(d, NULL, 0, "'%s': changed while being read", path);
		close(fd);
		return -1;
	}
	/* regf_check reads every page: map them all at once rather than
	 * one fault at a time. */
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
	    fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    strerror(errno));
	rc = regf_check(map, (size_t)size, path, sh, d);
	munmap(map, (size_t)size);
	return rc;
}

/* ------------------------------------------------------------------ */
/* subkey lists, read once
 *
 * hivex has no index of a key's subkeys by name: hivex_node_get_child
 * lists them all and converts every name (through iconv) to compare it.
 * Under Services, with thousands of subkeys, each lookup then costs as
 * much as all the rest of a remedy, and every remedy looks up several
 * paths there.  So each subkey list is read once, with its names, and
 * indexed by the names folded as hivex folds them (strcasecmp: ASCII
 * letters only); lookups give exactly what hivex_node_get_child gave.
 */

struct kids {
	hive_node_h parent;
	struct hive_subkeys sk;
	int list_errno;		/* hivex_node_children failed: its errno */
	uint32_t *slots;	/* index + 1 into sk, 0 empty; power of 2 */
	size_t nslots;
};

/* The values of a key that has many, indexed by their upcased names:
 * a remedy or an undo file setting n values in one key looks each one up
 * (planning, verifying, checking), and a scan of the list for each would
 * cost O(n^2). */
struct vindex {
	hive_node_h node;
	size_t nslots;		/* a power of 2, more than twice the values */
	char **fold;		/* names_fold of each slot's name, or NULL */
	hive_value_h *vh;
};

#define VINDEX_MIN	32	/* fewer values: a scan is as quick */

struct hive_cache {
	struct kids **v;	/* open addressing on the parent's offset */
	size_t cap, n;
	struct kids **loose;	/* writable hive: listings not reused */
	size_t nloose;
	struct vindex **vi;	/* read-only hive: open addressing on the
				 * key's offset */
	size_t vcap, vn;
};

static void
vindex_free(struct vindex *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nslots; i++)
		free(x->fold[i]);
	free(x->fold);
	free(x->vh);
	free(x);
}

static void
kids_free(struct kids *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->sk.n; i++)
		free(k->sk.names[i]);
	free(k->sk.names);
	free(k->sk.nodes);
	free(k->slots);
	free(k);
}

static void
cache_free(struct hive_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++)
		kids_free(c->v[i]);
	for (i = 0; i < c->nloose; i++)
		kids_free(c->loose[i]);
	for (i = 0; i < c->vcap; i++)
		vindex_free(c->vi[i]);
	free(c->v);
	free(c->loose);
	free(c->vi);
	free(c);
}

static uint32_t
ascii_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		h = (h ^ ch) * 16777619u;
	}
	return h;
}

static size_t
parent_slot(hive_node_h node, size_t cap)
{
	return ((size_t)node >> 3) * 2654435761u & (cap - 1);
}

/* Read the subkeys of PARENT.  NULL only when out of memory. */
static struct kids *
kids_read(const struct hive *hv, hive_node_h parent)
{
	struct kids *k = calloc(1, sizeof *k);
	hive_node_h *v;
	size_t total, i;

	if (k == NULL)
		return NULL;
	k->parent = parent;
	errno = 0;
	v = hivex_node_children(hv->h, parent);
	if (v == NULL) {
		k->list_errno = errno ? errno : EINVAL;
		return k;
	}
	k->sk.nodes = v;
	for (total = 0; v[total] != 0; total++)
		;
	k->sk.names = calloc(total ? total : 1, sizeof *k->sk.names);
	for (k->nslots = 8; k->nslots < 2 * total; k->nslots *= 2)
		;
	k->slots = calloc(k->nslots, sizeof *k->slots);
	if (k->sk.names == NULL || k->slots == NULL)
		goto oom;
	for (i = 0; i < total; i++) {
		char *name = hivex_node_name(hv->h, v[i]);
		size_t j;

		if (name == NULL) {
			/* hivex_node_get_child stops at the first name it
			 * cannot read, and so does this list. */
			k->sk.bad_name = 1;
			break;
		}
		k->sk.names[i] = name;
		k->sk.n = i + 1;
		/* The first of equal names wins, as in a scan. */
		for (j = ascii_hash(name) & (k->nslots - 1); k->slots[j] != 0;
		    j = (j + 1) & (k->nslots - 1))
			if (strcasecmp(k->sk.names[k->slots[j] - 1], name) == 0)
				break;
		if (k->slots[j] == 0)
			k->slots[j] = (uint32_t)i + 1;
	}
	return k;
oom:
	kids_free(k);
	return NULL;
}

/* The cached listing of PARENT, read now if needed.  NULL only when out of
 * memory. */
static struct kids *
kids_get(const struct hive *hv, hive_node_h parent)
{
	struct hive_cache *c = hv->cache;
	struct kids *k;
	size_t i;

	if (hv->writable) {
		struct kids **nv;

		/* Subkeys may have been added since: read afresh, and keep
		 * the listing until hive_close, as callers borrow it. */
		if ((k = kids_read(hv, parent)) == NULL)
			return NULL;
		nv = realloc(c->loose, (c->nloose + 1) * sizeof *nv);
		if (nv == NULL) {
			kids_free(k);
			return NULL;
		}
		c->loose = nv;
		nv[c->nloose++] = k;
		return k;
	}
	if (c->cap) {
		for (i = parent_slot(parent, c->cap); c->v[i] != NULL;
		    i = (i + 1) & (c->cap - 1))
			if (c->v[i]->parent == parent)
				return c->v[i];
	}
	if (2 * (c->n + 1) > c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 64, j;
		struct kids **nv = calloc(ncap, sizeof *nv);

		if (nv == NULL)
			return NULL;
		for (j = 0; j < c->cap; j++) {
			if (c->v[j] == NULL)
				continue;
			for (i = parent_slot(c->v[j]->parent, ncap);
			    nv[i] != NULL; i = (i + 1) & (ncap - 1))
				;
			nv[i] = c->v[j];
		}
		free(c->v);
		c->v = nv;
		c->cap = ncap;
	}
	if ((k = kids_read(hv, parent)) == NULL)
		return NULL;
	for (i = parent_slot(parent, c->cap); c->v[i] != NULL;
	    i = (i + 1) & (c->cap - 1))
		;
	c->v[i] = k;
	c->n++;
	return k;
}

int
hive_subkeys(const struct hive *hv, hive_node_h parent,
    const struct hive_subkeys **out, struct diag *d)
{
	struct kids *k = kids_get(hv, parent);

	*out = NULL;
	if (k == NULL) {
		diag_oom(d);
		errno = ENOMEM;
		return -1;
	}
	if (k->list_errno) {
		diag_error(d, hv->path, 0, "corrupt subkey list at offset "
		    "0x%zx: %s", (size_t)parent, strerror(k->list_errno));
		errno = k->list_errno;
		return -1;
	}
	*out = &k->sk;
	return 0;
}

/* The same file, unchanged since A was taken: the same inode, size, and
 * modification and change times. */
static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* hive_open; with CHECKED, the structure check is skipped when the file
 * is still the one it describes. */
static int
open_hive(const char *path, int flags, const struct stat *checked,
    struct hive **out, struct diag *d)
{
	struct hive *hv;
	struct regfcheck_shared sh = { NULL, 0 };
	struct stat st;
	int hflags = 0;

	*out = NULL;
	hv = calloc(1, sizeof *hv);
	if (hv == NULL || (hv->path = strdup(path)) == NULL ||
	    (hv->file = strdup(path)) == NULL ||
	    (hv->cache = calloc(1, sizeof *hv->cache)) == NULL) {
		if (hv != NULL) {
			free(hv->path);
			free(hv->file);
		}
		free(hv);
		return diag_oom(d);
	}
	if (regf_header_read(path, &hv->hdr, d) < 0)
		goto fail;
	if (checked != NULL && stat(path, &st) == 0 &&
	    same_file(&st, checked) &&
	    (uint64_t)st.st_size == hv->hdr.file_size)
		hv->checked = *checked;
	else if (check_structure(path, hv->hdr.file_size, &sh, &hv->checked,
	    d) < 0)
		goto fail;
	hv->shared = sh.cells;
	hv->nshared = sh.n;
	if (flags & HIVE_OPEN_WRITE)
		hflags |= HIVEX_OPEN_WRITE;
	hv->writable = (flags & HIVE_OPEN_WRITE) != 0;
	hv->h = hivex_open(path, hflags);
	if (hv->h == NULL) {
		diag_error(d, path, 0, "cannot open hive: %s", strerror(errno));
		goto fail;
	}
	hv->root = hivex_root(hv->h);
	if (hv->root == 0) {
		diag_error(d, path, 0, "cannot open hive: no root key");
		goto fail;
	}
	hv->kind = hive_detect(hv->h, hv->root, hv->hdr.file_name);
	if (hv->kind == HIVE_SYSTEM) {
		hive_node_h sel = hive_child(hv, hv->root, "Select");
		static const char *const names[] = {
			"Current", "Default", "LastKnownGood", "Failed"
		};
		unsigned int *slots[] = {
			&hv->cs_current, &hv->cs_default, &hv->cs_lkg,
			&hv->cs_failed
		};
		size_t i;

		for (i = 0; sel != 0 && i < 4; i++) {
			struct hive_value v;
			struct diag quiet;

			diag_init(&quiet);
			if (hive_value_get(hv, sel, names[i], &v, &quiet) == 1) {
				if (v.type == hive_t_REG_DWORD && v.len >= 4)
					*slots[i] = v.data[0] | v.data[1] << 8 |
					    v.data[2] << 16 |
					    (unsigned int)v.data[3] << 24;
				hive_value_clear(&v);
			}
			diag_free(&quiet);
		}
	}
	*out = hv;
	return 0;
fail:
	hive_close(hv);
	return -1;
}

int
hive_open(const char *path, int flags, struct hive **out, struct diag *d)
{
	return open_hive(path, flags, NULL, out, d);
}

int
hive_reopen_write(const struct hive *hv, struct hive **out, struct diag *d)
{
	return open_hive(hv->file, HIVE_OPEN_WRITE, &hv->checked, out, d);
}

void
hive_release(const struct hive *hv)
{
	struct stat st;
	char line[512];
	FILE *f;

	if (stat(hv->file, &st) < 0 || (f = fopen("/proc/self/maps", "re")) ==
	    NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long lo, hi, ino;
		unsigned int maj, min;

		if (sscanf(line, "%lx-%lx %*s %*s %x:%x %lu", &lo, &hi, &maj,
		    &min, &ino) == 5 && ino == (unsigned long)st.st_ino &&
		    maj == major(st.st_dev) && min == minor(st.st_dev))
			(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
		/* A line longer than LINE: skip the rest of it. */
		while (strchr(line, '\n') == NULL &&
		    fgets(line, sizeof line, f) != NULL)
			;
	}
	fclose(f);
}

void
hive_close(struct hive *hv)
{
	if (hv == NULL)
		return;
	cache_free(hv->cache);
	free(hv->shared);
	if (hv->h)
		hivex_close(hv->h);
	free(hv->path);
	free(hv->file);
	free(hv);
}

int
hive_cell_shared(const struct hive *hv, size_t off)
{
	return hv->nshared > 0 && bsearch(&off, hv->shared, hv->nshared,
	    sizeof *hv->shared, regfcheck_cmp_off) != NULL;
}

/* Does the root hold a child with this name? (ASCII names only here) */
static int
has(hive_h *h, hive_node_h root, const char *name)
{
	errno = 0;
	return hivex_node_get_child(h, root, name) != 0;
}

enum hive_kind
hive_detect(hive_h *h, hive_node_h root, const char *file_name)
{
	hive_node_h n;

	/* No other hive has control sets.  Select is not required, so that
	 * a SYSTEM hive that lost it is told so ("no Select key") rather
	 * than called unknown. */
	if (has(h, root, "ControlSet001") || has(h, root, "ControlSet002") ||
	    has(h, root, "ControlSet003"))
		return HIVE_SYSTEM;
	if ((n = hivex_node_get_child(h, root, "SAM")) != 0 &&
	    hivex_node_get_child(h, n, "Domains") != 0)
		return HIVE_SAM;
	if (has(h, root, "Policy") && (has(h, root, "RXACT") ||
	    has(h, root, "Cache") || has(h, root, "SAM")))
		return HIVE_SECURITY;
	if (has(h, root, "CanonicalData") && has(h, root, "DerivedData"))
		return HIVE_COMPONENTS;
	if ((n = hivex_node_get_child(h, root, "Root")) != 0 &&
	    (hivex_node_get_child(h, n, "InventoryApplicationFile") ||
	    hivex_node_get_child(h, n, "File") ||
	    hivex_node_get_child(h, n, "Programs")))
		return HIVE_AMCACHE;
	if (has(h, root, "Microsoft") && (has(h, root, "Classes") ||
	    has(h, root, "Policies") || has(h, root, "Clients")))
		return HIVE_SOFTWARE;
	if (has(h, root, "Software") && (has(h, root, "Environment") ||
	    has(h, root, "Control Panel") || has(h, root, "Console") ||
	    has(h, root, "Keyboard Layout"))) {
		size_t l = file_name ? strlen(file_name) : 0;

		/* config\DEFAULT looks like a user's hive; the base block
		 * remembers the name Windows loaded it from. */
		if (l >= 8 && names_equal(file_name + l - 8, "\\DEFAULT"))
			return HIVE_DEFAULT;
		return HIVE_NTUSER;
	}
	if (has(h, root, "Local Settings") || has(h, root, "CLSID"))
		return HIVE_USRCLASS;
	return HIVE_UNKNOWN;
}

hive_node_h
hive_child(const struct hive *hv, hive_node_h parent, const char *name)
{
	hive_node_h *kids, found = 0;
	size_t i;
	int ascii = 1;
	const char *p;

	for (p = name; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
	if (!hv->writable) {
		struct kids *k = kids_get(hv, parent);

		/* Out of memory: look the slow way below. */
		if (k != NULL && k->list_errno)
			return 0;
		if (k != NULL && ascii) {
			/* As hivex_node_get_child: strcasecmp, first match,
			 * nothing past an unreadable name. */
			for (i = ascii_hash(name) & (k->nslots - 1);
			    k->slots[i] != 0; i = (i + 1) & (k->nslots - 1))
				if (strcasecmp(k->sk.names[k->slots[i] - 1],
				    name) == 0)
					return k->sk.nodes[k->slots[i] - 1];
			return 0;
		}
		if (k != NULL) {
			/* Unreadable names are skipped here, as below. */
			for (i = 0; i < k->sk.n; i++)
				if (names_equal(k->sk.names[i], name))
					return k->sk.nodes[i];
			if (!k->sk.bad_name)
				return 0;
		}
	}
	/* hivex folds ASCII case itself. */
	if (ascii) {
		errno = 0;
		return hivex_node_get_child(hv->h, parent, name);
	}
	kids = hivex_node_children(hv->h, parent);
	if (kids == NULL)
		return 0;
	for (i = 0; kids[i] != 0 && found == 0; i++) {
		char *kn = hivex_node_name(hv->h, kids[i]);

		if (kn != NULL && names_equal(kn, name))
			found = kids[i];
		free(kn);
	}
	free(kids);
	return found;
}

hive_node_h
hive_lookup(const struct hive *hv, hive_node_h from, char *const *elems,
    size_t n)
{
	size_t i;

	for (i = 0; i < n && from != 0; i++)
		from = hive_child(hv, from, elems[i]);
	return from;
}

static int
read_value(const struct hive *hv, hive_value_h vh, struct hive_value *v,
    struct diag *d)
{
	hive_type t;
	size_t len;
	char *data;

	memset(v, 0, sizeof *v);
	v->name = hivex_value_key(hv->h, vh);
	if (v->name == NULL)
		return diag_error(d, hv->path, 0,
		    "corrupt value name at offset 0x%zx", (size_t)vh);
	len = 0;
	data = hivex_value_value(hv->h, vh, &t, &len);
	if (data == NULL && errno == ERANGE) {
		/* hivex refuses values over 8,000,000 bytes (its
		 * HIVEX_MAX_VALUE_LEN); regf_check saw the data is there. */
		diag_error(d, hv->path, 0, "value '%s' is too large to read "
		    "(%zu bytes)", v->name, len);
		free(v->name);
		v->name = NULL;
		return -1;
	}
	if (data == NULL) {
		diag_error(d, hv->path, 0, "corrupt data of value '%s': %s",
		    v->name, strerror(errno));
		free(v->name);
		v->name = NULL;
		return -1;
	}
	v->type = (uint32_t)t;
	v->data = (unsigned char *)data;
	v->len = len;
	return 0;
}

static size_t
fold_slot(const char *fold, size_t nslots)
{
	size_t h = 5381;

	for (; *fold; fold++)
		h = h * 33 + (unsigned char)*fold;
	return h & (nslots - 1);
}

/* The index of NODE's values made before, or NULL. */
static struct vindex *
vindex_find(const struct hive *hv, hive_node_h node)
{
	struct hive_cache *c = hv->cache;
	size_t i;

	for (i = c->vcap ? parent_slot(node, c->vcap) : 0; c->vcap &&
	    c->vi[i] != NULL; i = (i + 1) & (c->vcap - 1))
		if (c->vi[i]->node == node)
			return c->vi[i];
	return NULL;
}

/* The index of NODE's N values VALS (a read-only hive's, N >=
 * VINDEX_MIN), made now; NULL when out of memory. */
static struct vindex *
vindex_make(const struct hive *hv, hive_node_h node, const hive_value_h *vals,
    size_t n)
{
	struct hive_cache *c = hv->cache;
	struct vindex *x;
	size_t i, j;

	if (2 * (c->vn + 1) > c->vcap) {
		size_t ncap = c->vcap ? 2 * c->vcap : 16;
		struct vindex **nv = calloc(ncap, sizeof *nv);

		if (nv == NULL)
			return NULL;
		for (j = 0; j < c->vcap; j++) {
			if (c->vi[j] == NULL)
				continue;
			for (i = parent_slot(c->vi[j]->node, ncap);
			    nv[i] != NULL; i = (i + 1) & (ncap - 1))
				;
			nv[i] = c->vi[j];
		}
		free(c->vi);
		c->vi = nv;
		c->vcap = ncap;
	}
	if ((x = calloc(1, sizeof *x)) == NULL)
		return NULL;
	x->node = node;
	for (x->nslots = 64; x->nslots < 2 * n; x->nslots *= 2)
		;
	x->fold = calloc(x->nslots, sizeof *x->fold);
	x->vh = calloc(x->nslots, sizeof *x->vh);
	if (x->fold == NULL || x->vh == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		char *k = hivex_value_key(hv->h, vals[i]), *f;

		/* A name that cannot be read is skipped, as by a scan. */
		if (k == NULL)
			continue;
		f = names_fold(k);
		free(k);
		if (f == NULL)
			goto oom;
		/* The first of equal names wins, as in a scan. */
		for (j = fold_slot(f, x->nslots); x->fold[j] != NULL &&
		    strcmp(x->fold[j], f) != 0; j = (j + 1) & (x->nslots - 1))
			;
		if (x->fold[j] != NULL) {
			free(f);
			continue;
		}
		x->fold[j] = f;
		x->vh[j] = vals[i];
	}
	for (i = parent_slot(node, c->vcap); c->vi[i] != NULL;
	    i = (i + 1) & (c->vcap - 1))
		;
	c->vi[i] = x;
	c->vn++;
	return x;
oom:
	vindex_free(x);
	return NULL;
}

int
hive_value_get(const struct hive *hv, hive_node_h node, const char *name,
    struct hive_value *v, struct diag *d)
{
	hive_value_h *vals = NULL;
	struct vindex *x = hv->writable ? NULL : vindex_find(hv, node);
	size_t i, n;
	int r = 0;

	memset(v, 0, sizeof *v);
	/* A key with many values is indexed once (struct vindex): the
	 * list is not even read again. */
	if (x == NULL) {
		vals = hivex_node_values(hv->h, node);
		if (vals == NULL)
			return diag_error(d, hv->path, 0,
			    "corrupt value list: %s",
			    strerror(errno));
		for (n = 0; vals[n] != 0; n++)
			;
		if (!hv->writable && n >= VINDEX_MIN &&
		    (x = vindex_make(hv, node, vals, n)) == NULL) {
			free(vals);
			return diag_oom(d);
		}
	}
	if (x != NULL) {
		char *f = names_fold(name);

		if (f == NULL) {
			free(vals);
			return diag_oom(d);
		}
		for (i = fold_slot(f, x->nslots); x->fold[i] != NULL &&
		    strcmp(x->fold[i], f) != 0; i = (i + 1) & (x->nslots - 1))
			;
		if (x->fold[i] != NULL)
			r = read_value(hv, x->vh[i], v, d) < 0 ? -1 : 1;
		free(f);
		free(vals);
		return r;
	}
	for (i = 0; vals[i] != 0; i++) {
		char *k = hivex_value_key(hv->h, vals[i]);
		int eq = k != NULL && names_equal(k, name);

		free(k);
		if (eq) {
			r = read_value(hv, vals[i], v, d) < 0 ? -1 : 1;
			break;
		}
	}
	free(vals);
	return r;
}

int
hive_values(const struct hive *hv, hive_node_h node, struct hive_value **out,
    size_t *n, struct diag *d)
{
	hive_value_h *vals;
	struct hive_value *v;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	vals = hivex_node_values(hv->h, node);
	if (vals == NULL)
		return diag_error(d, hv->path, 0, "corrupt value list: %s",
		    strerror(errno));
	for (cnt = 0; vals[cnt] != 0; cnt++)
		;
	v = calloc(cnt ? cnt : 1, sizeof *v);
	if (v == NULL) {
		free(vals);
		return diag_oom(d);
	}
	for (i = 0; i < cnt; i++) {
		if (read_value(hv, vals[i], &v[i], d) < 0) {
			hive_values_free(v, i);
			free(vals);
			return -1;
		}
	}
	free(vals);
	*out = v;
	*n = cnt;
	return 0;
}

void
hive_value_clear(struct hive_value *v)
{
	free(v->name);
	free(v->data);
	memset(v, 0, sizeof *v);
}

void
hive_values_free(struct hive_value *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		hive_value_clear(&v[i]);
	free(v);
}

char *
hive_value_text(const struct hive_value *v)
{
	size_t i, n = v->len / 2, o = 0;
	char *s;

	if (v->type != hive_t_REG_SZ && v->type != hive_t_REG_EXPAND_SZ &&
	    v->type != hive_t_REG_LINK)
		return NULL;
	s = malloc(n * 3 + 1);
	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		uint32_t c = v->data[2 * i] | v->data[2 * i + 1] << 8;

		if (c == 0)
			break;
		if (c >= 0xD800 && c < 0xDC00) {
			uint32_t lo;

			if (i + 1 >= n)
				goto bad;
			lo = v->data[2 * i + 2] | v->data[2 * i + 3] << 8;
			if (lo < 0xDC00 || lo >= 0xE000)
				goto bad;
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			i++;
		} else if (c >= 0xDC00 && c < 0xE000)
			goto bad;
		o += names_utf8_put(c, s + o);
	}
	s[o] = '\0';
	return s;
bad:
	free(s);
	return NULL;
}

int
hive_text_encode(const char *text, unsigned char **data, size_t *len)
{
	size_t n = strlen(text), o = 0;
	const unsigned char *p = (const unsigned char *)text;
	unsigned char *out = malloc(n * 2 + 2);

	if (out == NULL)
		return -1;
	while (*p) {
		uint32_t c;
		int k, i;

		if (*p < 0x80) {
			c = *p;
			k = 0;
		} else if ((*p & 0xE0) == 0xC0) {
			c = *p & 0x1F;
			k = 1;
		} else if ((*p & 0xF0) == 0xE0) {
			c = *p & 0x0F;
			k = 2;
		} else if ((*p & 0xF8) == 0xF0) {
			c = *p & 0x07;
			k = 3;
		} else
			goto bad;
		for (i = 1; i <= k; i++) {
			if ((p[i] & 0xC0) != 0x80)
				goto bad;
			c = c << 6 | (p[i] & 0x3F);
		}
		p += k + 1;
		if (c >= 0x10000) {
			uint32_t hi = 0xD800 + ((c - 0x10000) >> 10);
			uint32_t lo = 0xDC00 + ((c - 0x10000) & 0x3FF);

			out[o++] = hi & 0xFF;
			out[o++] = hi >> 8;
			c = lo;
		}
		out[o++] = c & 0xFF;
		out[o++] = c >> 8 & 0xFF;
	}
	out[o++] = 0;
	out[o++] = 0;
	*data = out;
	*len = o;
	return 0;
bad:
	free(out);
	return -1;
}

int
hive_control_set_spec_ok(const char *spec)
{
	char *end;
	long n;

	if (strcmp(spec, "current") == 0 || strcmp(spec, "default") == 0 ||
	    strcmp(spec, "lkg") == 0 || strcmp(spec, "failed") == 0 ||
	    strcmp(spec, "all") == 0)
		return 1;
	n = strtol(spec, &end, 10);
	return *spec != '\0' && *end == '\0' && n >= 1 && n <= 999;
}

static int
add_set(struct control_set **v, size_t *n, unsigned int num,
    const char *label)
{
	struct control_set *nv;
	size_t i;

	for (i = 0; i < *n; i++) {
		if ((*v)[i].num == num)
			return 0;
	}
	nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (nv == NULL)
		return -1;
	*v = nv;
	nv[*n].num = num;
	snprintf(nv[*n].name, sizeof nv[*n].name, "ControlSet%03u", num);
	snprintf(nv[*n].label, sizeof nv[*n].label, "%s", label);
	(*n)++;
	return 0;
}

/* "ControlSet" and three digits, in any letter case. */
static int
is_control_set_name(const char *kn, unsigned int *num)
{
	char head[11];

	if (strlen(kn) != 13 || kn[10] < '0' || kn[10] > '9' ||
	    kn[11] < '0' || kn[11] > '9' || kn[12] < '0' || kn[12] > '9')
		return 0;
	memcpy(head, kn, 10);
	head[10] = '\0';
	if (!names_equal(head, "ControlSet"))
		return 0;
	*num = (unsigned int)((kn[10] - '0') * 100 + (kn[11] - '0') * 10 +
	    (kn[12] - '0'));
	return *num > 0;
}

int
hive_control_sets(const struct hive *hv, const char *spec,
    struct control_set **out, size_t *n, struct diag *d)
{
	unsigned int num = 0;
	const char *label = spec;

	*out = NULL;
	*n = 0;
	if (hv->kind != HIVE_SYSTEM)
		return diag_error(d, hv->path, 0,
		    "not a SYSTEM hive (it looks like %s): no control sets",
		    hive_kind_name(hv->kind));
	if (strcmp(spec, "all") == 0) {
		hive_node_h *kids = hivex_node_children(hv->h, hv->root);
		size_t i;

		if (kids == NULL)
			return diag_error(d, hv->path, 0,
			    "corrupt root key: %s",
			    strerror(errno));
		for (i = 0; kids[i] != 0; i++) {
			char *kn = hivex_node_name(hv->h, kids[i]);
			unsigned int k;

			if (kn != NULL && is_control_set_name(kn, &k) &&
			    add_set(out, n, k, "all") < 0) {
				free(kn);
				free(kids);
				return diag_oom(d);
			}
			free(kn);
		}
		free(kids);
		if (*n == 0)
			return diag_error(d, hv->path, 0,
			    "no ControlSet00N key in this SYSTEM hive");
		return 0;
	}
	if (strcmp(spec, "current") == 0)
		num = hv->cs_current;
	else if (strcmp(spec, "default") == 0)
		num = hv->cs_default;
	else if (strcmp(spec, "lkg") == 0) {
		num = hv->cs_lkg;
		label = "last known good";
	} else if (strcmp(spec, "failed") == 0)
		num = hv->cs_failed;
	else {
		num = (unsigned int)strtoul(spec, NULL, 10);
		label = "chosen";
	}
	if (num == 0 || num > 999) {
		static const char *const vn[] = { "Current", "Default",
		    "LastKnownGood", "Failed" };
		const char *which = strcmp(spec, "current") == 0 ? vn[0] :
		    strcmp(spec, "default") == 0 ? vn[1] :
		    strcmp(spec, "lkg") == 0 ? vn[2] : vn[3];

		if (hive_child(hv, hv->root, "Select") == 0)
			diag_error(d, hv->path, 0,
			    "no Select key: cannot tell which control set is %s",
			    spec);
		else
			diag_error(d, hv->path, 0,
			    "Select\\%s is missing or 0: no usable control set",
			    which);
		return -1;
	}
	{
		char want[16];

		snprintf(want, sizeof want, "ControlSet%03u", num);
		if (hive_child(hv, hv->root, want) == 0)
			return diag_error(d, hv->path, 0,
			    "%s does not exist%s", want,
			    strcmp(label, "chosen") ? " (Select points at it)" :
			    "");
	}
	if (add_set(out, n, num, label) < 0)
		return diag_oom(d);
	return 0;
}
