/* plan-act.c: the actions of a remedy, turned into changes on the hives
 * and files of a target, each read through the changes already planned so
 * that an action repeated, or planned again after apply, finds nothing
 * left to do.  Reads only. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "overlay.h"
#include "plan.h"
#include "winpath.h"

#include "plan-int.h"
/* ------------------------------------------------------------------ */
/* actions */

static struct change *
new_change(struct ctx *c, enum change_kind kind, struct hive *hv,
    char *const *key, size_t nkey, long line)
{
	struct plan_entry *e = c->entry;
	struct change *nv, *ch;

	nv = realloc(e->changes, (e->nchanges + 1) * sizeof *nv);
	if (nv == NULL)
		return NULL;
	e->changes = nv;
	ch = &nv[e->nchanges];
	memset(ch, 0, sizeof *ch);
	ch->kind = kind;
	ch->hive = hv;
	ch->line = line;
	if (key != NULL) {
		if ((ch->key = dup_elems(key, nkey)) == NULL)
			return NULL;
		ch->nkey = nkey;
	}
	e->nchanges++;
	return ch;
}

/* Make sure the key of M exists, planning CREATE_KEY for each missing
 * level.  M->elems are spelled as the hive has them where it has them. */
static int
ensure_key(struct ctx *c, struct hive *hv, char *const *elems, size_t n,
    long line)
{
	hive_node_h node = hv->root;
	size_t i;

	for (i = 0; i < n; i++) {
		hive_node_h kid = node ? hive_child(hv, node, elems[i]) : 0;
		int ov = overlay_key(c, hv, elems, i + 1);

		if (kid != 0 && ov >= 0) {
			node = kid;
			continue;
		}
		node = 0;
		if (ov > 0)
			continue;
		if (new_change(c, CHANGE_CREATE_KEY, hv, elems, i + 1,
		    line) == NULL)
			return -1;
	}
	return 0;
}

/* Elements of path P with CurrentControlSet mapped, for keys to create. */
static char **
mapped_elems(struct ctx *c, const struct rpath *p)
{
	char **e = dup_elems(p->elems, p->nelems);

	if (e != NULL && is_ccs(p) && c->cs != NULL) {
		free(e[0]);
		e[0] = strdup(c->cs->name);
		if (e[0] == NULL) {
			free_elems(e, p->nelems);
			return NULL;
		}
	}
	return e;
}

/* Plan setting value NAME of the key of M to (TYPE, DATA, LEN), unless it
 * already holds exactly that.  The value keeps the spelling of its name. */
static int
plan_set(struct ctx *c, struct hive *hv, const struct match *m,
    const char *name, uint32_t type, const unsigned char *data, size_t len,
    long line)
{
	struct hive_value cur;
	struct change *ch;
	int r = read_value(c, hv, m, name, &cur);

	if (r < 0)
		return -1;
	if (r == 1 && cur.type == type && cur.len == len &&
	    (len == 0 || memcmp(cur.data, data, len) == 0)) {
		hive_value_clear(&cur);
		return 0;
	}
	ch = new_change(c, CHANGE_SET_VALUE, hv, m->elems, m->n, line);
	if (ch == NULL)
		goto oom;
	ch->node = m->node;
	ch->name = strdup(r == 1 ? cur.name : name);
	if (ch->name == NULL)
		goto oom;
	if (r == 1) {
		ch->had_old = 1;
		if (rvalue_copy(&ch->old, cur.type, cur.data, cur.len) < 0)
			goto oom;
	}
	if (rvalue_copy(&ch->new, type, data, len) < 0)
		goto oom;
	hive_value_clear(&cur);
	return 0;
oom:
	hive_value_clear(&cur);
	return -1;
}

static int
act_delete_key(struct ctx *c, const struct action *a)
{
	FOR_EACH_HIVE(c, a->path.hive, hv, {
		struct matches m;
		size_t j;

		if (expand(c, hv, &a->path, &m) < 0)
			return -1;
		for (j = 0; j < m.n; j++) {
			struct change *ch;

			if (m.v[j].node == 0 || m.v[j].n == 0)
				continue;
			ch = new_change(c, CHANGE_DELETE_KEY, hv, m.v[j].elems,
			    m.v[j].n, a->line);
			if (ch == NULL) {
				matches_free(&m);
				return -1;
			}
			ch->node = m.v[j].node;
		}
		matches_free(&m);
	});
	return 0;
}

static int
act_delete_value(struct ctx *c, const struct action *a)
{
	FOR_EACH_HIVE(c, a->path.hive, hv, {
		struct matches m;
		size_t j;

		if (expand(c, hv, &a->path, &m) < 0)
			return -1;
		for (j = 0; j < m.n; j++) {
			struct hive_value cur;
			struct change *ch;
			int r = read_value(c, hv, &m.v[j], a->name, &cur);

			if (r < 0) {
				matches_free(&m);
				return -1;
			}
			if (r == 0)
				continue;
			ch = new_change(c, CHANGE_DELETE_VALUE, hv,
			    m.v[j].elems, m.v[j].n, a->line);
			if (ch == NULL || (ch->name = strdup(cur.name)) ==
			    NULL || rvalue_copy(&ch->old, cur.type, cur.data,
			    cur.len) < 0) {
				hive_value_clear(&cur);
				matches_free(&m);
				return -1;
			}
			ch->node = m.v[j].node;
			ch->had_old = 1;
			hive_value_clear(&cur);
		}
		matches_free(&m);
	});
	return 0;
}

static int
act_create_key(struct ctx *c, const struct action *a)
{
	char **e = mapped_elems(c, &a->path);
	int r = 0;

	if (e == NULL)
		return -1;
	FOR_EACH_HIVE(c, a->path.hive, hv, {
		if (ensure_key(c, hv, e, a->path.nelems, a->line) < 0)
			r = -1;
	});
	free_elems(e, a->path.nelems);
	return r;
}

static int
act_set_value(struct ctx *c, const struct action *a)
{
	FOR_EACH_HIVE(c, a->path.hive, hv, {
		struct matches m;
		size_t j;

		if (expand(c, hv, &a->path, &m) < 0)
			return -1;
		if (m.n == 0 && a->create &&
		    !names_is_pattern(a->path.text)) {
			char **e = mapped_elems(c, &a->path);
			struct match one = { 0, e, a->path.nelems };

			if (e == NULL || ensure_key(c, hv, e, one.n,
			    a->line) < 0 || plan_set(c, hv, &one, a->name,
			    a->value.type, a->value.data, a->value.len,
			    a->line) < 0) {
				if (e)
					free_elems(e, one.n);
				return -1;
			}
			free_elems(e, one.n);
		}
		for (j = 0; j < m.n; j++) {
			if (!a->create) {
				struct hive_value cur;
				int r = read_value(c, hv, &m.v[j], a->name,
				    &cur);

				if (r < 0) {
					matches_free(&m);
					return -1;
				}
				hive_value_clear(&cur);
				if (r == 0)
					continue;
			}
			if (plan_set(c, hv, &m.v[j], a->name, a->value.type,
			    a->value.data, a->value.len, a->line) < 0) {
				matches_free(&m);
				return -1;
			}
		}
		matches_free(&m);
	});
	return 0;
}

static struct saved *
saved_get(struct ctx *c, const char *name, int create)
{
	struct saved *nv;
	size_t i;

	for (i = 0; i < c->nsaved; i++)
		if (strcmp(c->saved[i].name, name) == 0)
			return &c->saved[i];
	if (!create)
		return NULL;
	nv = realloc(c->saved, (c->nsaved + 1) * sizeof *nv);
	if (nv == NULL)
		return NULL;
	c->saved = nv;
	memset(&nv[c->nsaved], 0, sizeof nv[c->nsaved]);
	if ((nv[c->nsaved].name = strdup(name)) == NULL)
		return NULL;
	return &nv[c->nsaved++];
}

/* The drive letters SYSTEM\MountedDevices lists as local volumes
 * ("\DosDevices\C:"), as a 26-entry table; -1 when there is no
 * MountedDevices key, which the caller reports. */
int
local_drives(struct ctx *c, int drives[26])
{
	struct hive *hv = find_hive(c->t, HIVE_SYSTEM, 0);
	hive_node_h md;
	hive_value_h *vals;
	size_t i;

	memset(drives, 0, 26 * sizeof *drives);
	if (hv == NULL)
		return -1;
	md = hive_child(hv, hv->root, "MountedDevices");
	if (md == 0 || overlay_key(c, hv, (char *[]){ "MountedDevices" },
	    1) < 0)
		return -1;
	vals = hivex_node_values(hv->h, md);
	if (vals == NULL)
		return -1;
	for (i = 0; vals[i] != 0; i++) {
		char *k = hivex_value_key(hv->h, vals[i]);

		if (k != NULL && strlen(k) == 14 &&
		    strncasecmp(k, "\\DosDevices\\", 12) == 0 &&
		    isalpha((unsigned char)k[12]) && k[13] == ':')
			drives[toupper((unsigned char)k[12]) - 'A'] = 1;
		free(k);
	}
	free(vals);
	return 0;
}

/* A PATH entry that reaches the network: a UNC path, or a drive letter
 * that is not a local volume. */
int
is_network_entry(const char *e, const int drives[26], int have_drives)
{
	while (*e == ' ' || *e == '"')
		e++;
	if (e[0] == '\\' && e[1] == '\\')
		return 1;
	if (have_drives && isalpha((unsigned char)e[0]) && e[1] == ':')
		return !drives[toupper((unsigned char)e[0]) - 'A'];
	return 0;
}

int
split_list(const char *text, const char *sep, struct strlist *out)
{
	size_t sl = strlen(sep);
	const char *p = text, *q;

	memset(out, 0, sizeof *out);
	if (*text == '\0')
		return 0;
	for (;;) {
		char *piece;

		q = sl ? strstr(p, sep) : NULL;
		piece = q ? strndup(p, (size_t)(q - p)) : strdup(p);
		if (piece == NULL)
			return -1;
		if (strlist_add(out, piece) < 0) {
			free(piece);
			return -1;
		}
		free(piece);
		if (q == NULL)
			break;
		p = q + sl;
	}
	return 0;
}

char *
join_list(const struct strlist *l, const char *sep)
{
	size_t len = 1, i;
	char *s, *p;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + strlen(sep);
	s = malloc(len);
	if (s == NULL)
		return NULL;
	p = s;
	*p = '\0';
	for (i = 0; i < l->n; i++) {
		if (i)
			p = stpcpy(p, sep);
		p = stpcpy(p, l->v[i]);
	}
	return s;
}

/* Nonzero if the multi-sz V is stored exactly as its strings TEXT (one
 * per line) are written back: each string with its NUL, and one NUL
 * after the last.  One stored otherwise (no final NUL, an empty string
 * inside, bytes after the end) would lose bytes if rewritten: it is left
 * as it is. */
static int
multi_sz_canonical(const struct hive_value *v, const char *text)
{
	struct rvalue w;
	const char *err;
	int same;

	if (rvalue_encode(REG_MULTI_SZ, text, &w, &err) < 0)
		return 0;
	same = w.len == v->len && memcmp(w.data, v->data, v->len) == 0;
	free(w.data);
	return same;
}

static int
edit_one(struct ctx *c, const struct action *a, struct hive *hv,
    const struct match *m, int creating)
{
	const char *sep = a->separator ? a->separator : ";";
	struct hive_value cur;
	struct strlist items = { NULL, 0 };
	char *text = NULL, *joined = NULL;
	uint32_t type;
	int drives[26], have_drives = -1, r, rc = -1;
	size_t i, j, n0;

	r = creating ? 0 : read_value(c, hv, m, a->name, &cur);
	if (r < 0)
		return -1;
	if (r == 0) {
		memset(&cur, 0, sizeof cur);
		if (!a->create)
			return 0;
		type = a->create_type ? a->create_type : REG_EXPAND_SZ;
		text = strdup("");
	} else {
		type = cur.type;
		text = list_text(&cur, &sep);
		if (text != NULL && type == REG_MULTI_SZ &&
		    !multi_sz_canonical(&cur, text)) {
			free(text);
			text = NULL;
		}
		if (text == NULL) {
			char *k = plan_key_text(hv, m->elems, m->n);

			entry_note(c->entry, "'%s' value '%s' is not a valid "
			    "string: left as it is", k ? k : "?", cur.name);
			free(k);
			hive_value_clear(&cur);
			return 0;
		}
	}
	if (text == NULL || split_list(text, sep, &items) < 0)
		goto out;
	for (j = 0; j < a->nops; j++) {
		const struct list_op *op = &a->ops[j];
		struct saved *sv = NULL;

		if (op->kind == LIST_REMOVE) {
			if (op->save && (sv = saved_get(c, op->save, 1)) ==
			    NULL)
				goto out;
			if (op->match == MATCH_NETWORK && have_drives == -1)
				have_drives = network_drives(c, drives);
			for (i = 0; i < items.n;) {
				int hit = op->match == MATCH_NETWORK ?
				    is_network_entry(items.v[i], drives,
				    have_drives) :
				    names_match(op->pattern, items.v[i]);

				if (!hit) {
					i++;
					continue;
				}
				if (sv && !strlist_has(&sv->entries,
				    items.v[i]) && strlist_add(&sv->entries,
				    items.v[i]) < 0)
					goto out;
				free(items.v[i]);
				memmove(&items.v[i], &items.v[i + 1],
				    (items.n - i - 1) * sizeof *items.v);
				items.n--;
			}
		} else {
			struct strlist one = { NULL, 0 };
			const struct strlist *add = &one;

			if (op->from) {
				sv = saved_get(c, op->from, 0);
				if (sv == NULL)
					continue;
				add = &sv->entries;
			} else if (op->entry && strlist_add(&one, op->entry) < 0)
				goto out;
			for (i = 0; i < add->n; i++) {
				if (!strlist_has(&items, add->v[i]) &&
				    strlist_add(&items, add->v[i]) < 0) {
					strlist_free(&one);
					goto out;
				}
			}
			strlist_free(&one);
		}
	}
	joined = join_list(&items, sep);
	if (joined == NULL)
		goto out;
	if (strcmp(joined, text) != 0 || (r == 0 && items.n > 0)) {
		unsigned char *data;
		size_t len;

		if (r == 0 && items.n == 0) {
			rc = 0;
			goto out;
		}
		if (type == REG_MULTI_SZ) {
			struct rvalue v;
			const char *err;

			if (rvalue_encode(REG_MULTI_SZ, joined, &v, &err) < 0)
				goto out;
			data = v.data;
			len = v.len;
		} else if (hive_text_encode(joined, &data, &len) < 0)
			goto out;
		if (r == 0 && ensure_key(c, hv, m->elems, m->n, a->line) < 0) {
			free(data);
			goto out;
		}
		/* A string value that is not NUL-terminated as stored keeps
		 * its form: only the text changes. */
		n0 = c->entry->nchanges;
		rc = plan_set(c, hv, m, r ? cur.name : a->name, type, data,
		    len, a->line);
		if (rc == 0 && c->entry->nchanges > n0)
			c->entry->changes[n0].list_sep = sep;
		free(data);
		goto out;
	}
	rc = 0;
out:
	if (r == 1)
		hive_value_clear(&cur);
	strlist_free(&items);
	free(text);
	free(joined);
	return rc;
}

static int
act_edit_list(struct ctx *c, const struct action *a)
{
	int any_hive = 0;

	FOR_EACH_HIVE(c, a->path.hive, hv, {
		struct matches m;
		size_t j;

		any_hive = 1;
		if (expand(c, hv, &a->path, &m) < 0)
			return -1;
		if (m.n == 0 && a->create &&
		    !names_is_pattern(a->path.text)) {
			char **e = mapped_elems(c, &a->path);
			struct match one = { 0, e, a->path.nelems };
			int r;

			if (e == NULL)
				return -1;
			r = edit_one(c, a, hv, &one, 1);
			free_elems(e, one.n);
			if (r < 0)
				return -1;
		}
		for (j = 0; j < m.n; j++) {
			if (edit_one(c, a, hv, &m.v[j], 0) < 0) {
				matches_free(&m);
				return -1;
			}
		}
		matches_free(&m);
	});
	if (!any_hive) {
		size_t j;

		for (j = 0; j < a->nops; j++) {
			struct saved *sv;
			char *l;

			if (a->ops[j].kind != LIST_APPEND || !a->ops[j].from)
				continue;

			sv = saved_get(c, a->ops[j].from, 0);
			if (sv == NULL || sv->entries.n == 0)
				continue;
			/* Name them: they leave the hive that is given and
			 * reach no other, so the user must carry them; apply
			 * refuses to drop them unless told (cmd-apply.c). */
			l = join_list(&sv->entries, "', '");
			entry_note(c->entry, "no %s hive given: the entries "
			    "removed ('%s') are not added to '%s' of '%s'",
			    hive_kind_name(a->path.hive), l ? l : "?",
			    a->name, a->path.text);
			if (c->entry->drops == NULL && l != NULL)
				set_text(&c->entry->drops, "'%s' reach no %s "
				    "hive", l, hive_kind_name(a->path.hive));
			free(l);
		}
	}
	return 0;
}

static int
act_file(struct ctx *c, const struct action *a)
{
	char *path = NULL, *to = NULL, *slash;
	int exists = 0;
	struct change *ch;
	size_t j;

	if (c->t->windir == NULL) {
		c->needs_folder = 1;
		return 0;
	}
	if (winpath_resolve(c->t->windir, a->file, &path, &exists, c->d) < 0) {
		c->failed = 1;
		return 0;
	}
	/* Already planned by another control set's pass? */
	for (j = 0; j < c->entry->nchanges; j++) {
		if (c->entry->changes[j].file &&
		    strcmp(c->entry->changes[j].file, path) == 0)
			exists = 0;
	}
	if (!exists) {
		free(path);
		return 0;
	}
	ch = new_change(c, a->kind == ACT_RENAME_FILE ? CHANGE_RENAME_FILE :
	    CHANGE_DELETE_FILE, NULL, NULL, 0, a->line);
	if (ch == NULL)
		goto oom;
	ch->file = path;
	ch->winfile = strdup(a->file);
	if (a->kind == ACT_RENAME_FILE) {
		slash = strrchr(path, '/');
		if (asprintf(&to, "%.*s/%s", (int)(slash - path), path,
		    a->to) < 0)
			goto oom;
		ch->to = to;
	}
	return 0;
oom:
	return -1;
}

int
run_actions(struct ctx *c)
{
	size_t i;
	int r = 0;

	for (i = 0; i < c->r->nactions && r == 0 && !c->failed; i++) {
		const struct action *a = &c->r->actions[i];

		switch (a->kind) {
		case ACT_DELETE_KEY:
			r = act_delete_key(c, a);
			break;
		case ACT_DELETE_VALUE:
			r = act_delete_value(c, a);
			break;
		case ACT_CREATE_KEY:
			r = act_create_key(c, a);
			break;
		case ACT_SET_VALUE:
			r = act_set_value(c, a);
			break;
		case ACT_EDIT_LIST:
			r = act_edit_list(c, a);
			break;
		case ACT_RENAME_FILE:
		case ACT_DELETE_FILE:
			r = act_file(c, a);
			break;
		}
	}
	if (r < 0 && !c->failed) {
		diag_oom(c->d);
		c->failed = 1;
	}
	return c->failed ? -1 : 0;
}
