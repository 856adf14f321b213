/* hive.c: a thin layer over hivex. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive.h"
#include "names.h"
#include "remedy.h"

int
hive_open(const char *path, int flags, struct hive **out, struct diag *d)
{
	struct hive *hv;
	int hflags = 0;

	*out = NULL;
	hv = calloc(1, sizeof *hv);
	if (hv == NULL || (hv->path = strdup(path)) == NULL ||
	    (hv->file = strdup(path)) == NULL) {
		if (hv != NULL)
			free(hv->path);
		free(hv);
		diag_error(d, NULL, 0, "out of memory");
		return -1;
	}
	if (regf_header_read(path, &hv->hdr, d) < 0)
		goto fail;
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
				if (v.type == REG_DWORD && v.len >= 4)
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

void
hive_close(struct hive *hv)
{
	if (hv == NULL)
		return;
	if (hv->h)
		hivex_close(hv->h);
	free(hv->path);
	free(hv->file);
	free(hv);
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
	/* hivex folds ASCII case itself and is faster at it. */
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
	if (v->name == NULL) {
		diag_error(d, hv->path, 0,
		    "corrupt value name at offset 0x%zx", (size_t)vh);
		return -1;
	}
	data = hivex_value_value(hv->h, vh, &t, &len);
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

int
hive_value_get(const struct hive *hv, hive_node_h node, const char *name,
    struct hive_value *v, struct diag *d)
{
	hive_value_h *vals;
	size_t i;
	int r = 0;

	memset(v, 0, sizeof *v);
	vals = hivex_node_values(hv->h, node);
	if (vals == NULL) {
		diag_error(d, hv->path, 0, "corrupt value list: %s",
		    strerror(errno));
		return -1;
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
	if (vals == NULL) {
		diag_error(d, hv->path, 0, "corrupt value list: %s",
		    strerror(errno));
		return -1;
	}
	for (cnt = 0; vals[cnt] != 0; cnt++)
		;
	v = calloc(cnt ? cnt : 1, sizeof *v);
	if (v == NULL) {
		free(vals);
		diag_error(d, NULL, 0, "out of memory");
		return -1;
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

	if (v->type != REG_SZ && v->type != REG_EXPAND_SZ &&
	    v->type != REG_LINK)
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
	if (hv->kind != HIVE_SYSTEM) {
		diag_error(d, hv->path, 0,
		    "not a SYSTEM hive (it looks like %s): no control sets",
		    hive_kind_name(hv->kind));
		return -1;
	}
	if (strcmp(spec, "all") == 0) {
		hive_node_h *kids = hivex_node_children(hv->h, hv->root);
		size_t i;

		if (kids == NULL) {
			diag_error(d, hv->path, 0, "corrupt root key: %s",
			    strerror(errno));
			return -1;
		}
		for (i = 0; kids[i] != 0; i++) {
			char *kn = hivex_node_name(hv->h, kids[i]);
			unsigned int k;

			if (kn != NULL && is_control_set_name(kn, &k) &&
			    add_set(out, n, k, "all") < 0) {
				free(kn);
				free(kids);
				diag_error(d, NULL, 0, "out of memory");
				return -1;
			}
			free(kn);
		}
		free(kids);
		if (*n == 0) {
			diag_error(d, hv->path, 0,
			    "no ControlSet00N key in this SYSTEM hive");
			return -1;
		}
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
		if (hive_child(hv, hv->root, want) == 0) {
			diag_error(d, hv->path, 0, "%s does not exist%s", want,
			    strcmp(label, "chosen") ? " (Select points at it)" :
			    "");
			return -1;
		}
	}
	if (add_set(out, n, num, label) < 0) {
		diag_error(d, NULL, 0, "out of memory");
		return -1;
	}
	return 0;
}
