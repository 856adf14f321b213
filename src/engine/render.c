/* render.c: a plan as text. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "regtext.h"
#include "render.h"
#include "tree.h"
#include "valuetext.h"

struct subtree_arg {
	FILE *f;
	const char *prefix;
	int first;
	int diff;		/* values in the diff's notation (valuetext.h) */
	unsigned vflags;	/* ... with these flags */
};

/* A change's key as people read it: every name on one line, escaped
 * where it needs it (regfile_key_show). */
static char *
show_key(const struct hive *hv, char *const *key, size_t n)
{
	const char *root = hive_kind_reg_root(hv ? hv->kind : HIVE_UNKNOWN);

	return regfile_key_show(root ? root : "HKEY_LOCAL_MACHINE\\UNKNOWN",
	    key, n);
}

/* TEXT (a path, a reason naming what a hive holds) escaped for a line of
 * its own; NULL when out of memory. */
static char *
show_text(const char *text)
{
	return regfile_escape(text ? text : "", 0);
}

static int
subtree_key(const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, const struct hive_value *vals, size_t nvals, void *arg)
{
	struct subtree_arg *a = arg;
	char *k = show_key(hv, path, n);
	size_t i;

	if (k == NULL)
		return -1;
	fprintf(a->f, "%s[%s]\n", a->prefix, k);
	free(k);
	for (i = 0; i < nvals; i++) {
		struct rvalue v = { vals[i].type, vals[i].data, vals[i].len };
		char *line;

		if (a->diff) {
			if (valuetext_line(a->f, a->prefix[0], vals[i].name, &v,
			    a->vflags) < 0)
				return -1;
			continue;
		}
		line = regfile_format_value(vals[i].name, vals[i].type,
		    vals[i].data, vals[i].len, 0);
		if (line == NULL)
			return -1;
		fprintf(a->f, "%s%s\n", a->prefix, line);
		free(line);
	}
	return 0;
}

static int
subtree(FILE *f, const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, const char *prefix, int diff, unsigned vflags, struct diag *d)
{
	struct subtree_arg a = { f, prefix, 1, diff, vflags };
	int r = tree_walk(hv, node, path, n, subtree_key, &a, d);

	if (r > 0 || (r < 0 && d->nerrors == 0))
		return diag_oom(d);
	return r;
}

int
render_subtree(FILE *f, const struct hive *hv, hive_node_h node,
    char *const *path, size_t n, const char *prefix, struct diag *d)
{
	return subtree(f, hv, node, path, n, prefix, 0, 0, d);
}

static int
same_key(const struct change *a, const struct change *b)
{
	size_t i;

	if (a == NULL || b == NULL || a->hive != b->hive ||
	    a->nkey != b->nkey)
		return 0;
	for (i = 0; i < a->nkey; i++)
		if (strcmp(a->key[i], b->key[i]) != 0)
			return 0;
	return 1;
}

static int
value_line(FILE *f, const char *prefix, const char *name,
    const struct rvalue *v, unsigned flags)
{
	char *line = regfile_format_value(name, v->type, v->data, v->len,
	    flags);

	if (line == NULL)
		return -1;
	fprintf(f, "%s%s\n", prefix, line);
	free(line);
	return 0;
}

/* TEXT (several lines) as comment lines "#   ...". */
static void
comment_lines(FILE *f, const char *text)
{
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		fprintf(f, "#%s%.*s\n", nl > p ? "   " : "", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

static int
render_diff_entry(FILE *f, const struct plan_entry *e, unsigned vflags,
    struct diag *d)
{
	const struct change *prev = NULL;
	const struct hive *cur_hive = NULL;
	size_t i;

	fprintf(f, "# %s: %s\n", e->remedy->id, e->remedy->title ?
	    e->remedy->title : "");
	/* Notes and reasons quote what the hive holds: one line each. */
	for (i = 0; i < e->nnotes; i++) {
		char *t = show_text(e->notes[i]);

		if (t == NULL)
			return -1;
		fprintf(f, "# note: %s\n", t);
		free(t);
	}
	/* What the remedy cannot do offline is said, not left out: a
	 * dry run that prints nothing would look like "nothing to fix". */
	if (e->status == ENTRY_NEEDS_FOLDER || e->status == ENTRY_ADVISORY) {
		char *t = show_text(e->reason);

		if (t == NULL)
			return -1;
		fprintf(f, "# %s: %s\n", e->status == ENTRY_ADVISORY ?
		    "advisory" : "needs the Windows folder", t);
		free(t);
		if (e->status == ENTRY_NEEDS_FOLDER)
			return 0;
		if (e->remedy->advisory != NULL)
			comment_lines(f, e->remedy->advisory);
		fprintf(f, "# no change: this remedy is an advisory; kbfix "
		    "changes nothing for it\n");
		return 0;
	}
	if (e->remedy->advisory != NULL) {
		fprintf(f, "# advisory:\n");
		comment_lines(f, e->remedy->advisory);
	}
	for (i = 0; i < e->nchanges; i++) {
		const struct change *ch = &e->changes[i];
		char *k;

		if (ch->hive != NULL && ch->hive != cur_hive) {
			char *t = show_text(ch->hive->path);

			if (t == NULL)
				return -1;
			cur_hive = ch->hive;
			fprintf(f, "# hive '%s' (%s)%s%s\n", t,
			    hive_kind_name(ch->hive->kind),
			    ch->hive->kind == HIVE_SYSTEM &&
			    e->control_sets ? ", " : "",
			    ch->hive->kind == HIVE_SYSTEM &&
			    e->control_sets ? e->control_sets : "");
			free(t);
		}
		switch (ch->kind) {
		case CHANGE_DELETE_KEY:
			if (subtree(f, ch->hive, ch->node, ch->key, ch->nkey,
			    "-", 1, vflags, d) < 0)
				return -1;
			prev = NULL;
			continue;
		case CHANGE_CREATE_KEY:
			if ((k = show_key(ch->hive, ch->key, ch->nkey)) ==
			    NULL)
				return -1;
			fprintf(f, "+[%s]\n", k);
			free(k);
			prev = ch;
			continue;
		case CHANGE_SET_VALUE:
		case CHANGE_DELETE_VALUE:
			if (!same_key(prev, ch)) {
				if ((k = show_key(ch->hive, ch->key,
				    ch->nkey)) == NULL)
					return -1;
				fprintf(f, " [%s]\n", k);
				free(k);
			}
			if (ch->had_old && valuetext_line(f, '-', ch->name,
			    &ch->old, vflags) < 0)
				return -1;
			if (ch->kind == CHANGE_SET_VALUE && valuetext_line(f,
			    '+', ch->name, &ch->new, vflags) < 0)
				return -1;
			if (ch->kind == CHANGE_SET_VALUE && (ch->had_old ||
			    ch->list_sep) && valuetext_inside(f, ch->name,
			    ch->had_old ? &ch->old : NULL, &ch->new,
			    ch->list_sep, vflags) < 0)
				return -1;
			prev = ch;
			continue;
		case CHANGE_RENAME_FILE:
		case CHANGE_DELETE_FILE:
			if ((k = show_text(ch->file)) == NULL)
				return -1;
			fprintf(f, "-file '%s'\n", k);
			free(k);
			if (ch->kind == CHANGE_RENAME_FILE) {
				if ((k = show_text(ch->to)) == NULL)
					return -1;
				fprintf(f, "+file '%s'\n", k);
				free(k);
			}
			prev = NULL;
			continue;
		}
	}
	return 0;
}

/* The name of every key and value --format reg would write must read
 * back as itself in regedit, hivexregedit and kbfix (regtext.h): each
 * one that would not is an error in D.  Nothing is written then. */
static int
reg_names_check(const struct plan *p, struct diag *d)
{
	size_t i, j, k;
	int bad = 0;

	for (i = 0; i < p->nentries; i++)
		for (j = 0; j < p->entries[i].nchanges; j++) {
			const struct change *c = &p->entries[i].changes[j];
			int kp = 1;
			char *ks, *vs;

			if (c->hive == NULL)
				continue;
			for (k = 0; k < c->nkey && kp; k++)
				kp = regfile_name_plain(c->key[k], 1);
			if (kp && (c->name == NULL ||
			    regfile_name_plain(c->name, 0)))
				continue;
			ks = show_key(c->hive, c->key, c->nkey);
			vs = c->name ? regfile_escape(c->name, 0) : NULL;
			if (!kp)
				diag_error(d, NULL, 0, "--format reg: the key "
				    "'%s' has a name .reg text cannot hold: "
				    "regedit, hivexregedit and kbfix read "
				    "alike only printable ASCII; see the "
				    "change with --format json", ks ? ks : "?");
			else
				diag_error(d, NULL, 0, "--format reg: the value "
				    "'%s' of '%s' has a name .reg text cannot "
				    "hold: regedit, hivexregedit and kbfix "
				    "read alike only printable ASCII; see the "
				    "change with --format json", vs ? vs : "?",
				    ks ? ks : "?");
			free(ks);
			free(vs);
			bad = 1;
		}
	return bad ? -1 : 0;
}

static int
render_reg_entry(FILE *f, const struct plan_entry *e)
{
	const struct change *prev = NULL;
	size_t i;

	regfile_put_comment(f, "%s: %s", e->remedy->id, e->remedy->title ?
	    e->remedy->title : "");
	for (i = 0; i < e->nchanges; i++) {
		const struct change *ch = &e->changes[i];
		char *k = NULL;

		/* reg_names_check made sure every name is plain. */
		if (ch->hive != NULL &&
		    (k = plan_key_text(ch->hive, ch->key, ch->nkey)) == NULL)
			return -1;
		switch (ch->kind) {
		case CHANGE_DELETE_KEY:
			fprintf(f, "%s[-%s]\n\n", prev ? "\n" : "", k);
			prev = NULL;
			break;
		case CHANGE_CREATE_KEY:
			/* The section stays open: the values set next in the
			 * new key go under this one header. */
			fprintf(f, "%s[%s]\n", prev ? "\n" : "", k);
			prev = ch;
			break;
		case CHANGE_SET_VALUE:
		case CHANGE_DELETE_VALUE:
			if (!same_key(prev, ch))
				fprintf(f, "%s[%s]\n", prev ? "\n" : "", k);
			if (ch->kind == CHANGE_SET_VALUE) {
				/* A .reg file goes to other readers
				 * (hivexregedit, regedit): strings beyond
				 * ASCII as hex(1), which they all read. */
				if (value_line(f, "", ch->name, &ch->new,
				    REGFILE_ASCII_SZ) < 0) {
					free(k);
					return -1;
				}
			} else if (value_line(f, "", ch->name, &ch->old,
			    REGFILE_DELETE) < 0) {
				free(k);
				return -1;
			}
			prev = ch;
			break;
		case CHANGE_RENAME_FILE:
			if (prev)
				fputc('\n', f);
			regfile_put_comment(f, "not expressible in .reg: rename "
			    "'%s' to '%s'", ch->file, ch->to);
			fputc('\n', f);
			prev = NULL;
			break;
		case CHANGE_DELETE_FILE:
			if (prev)
				fputc('\n', f);
			regfile_put_comment(f, "not expressible in .reg: delete "
			    "'%s'", ch->file);
			fputc('\n', f);
			prev = NULL;
			break;
		}
		free(k);
	}
	if (prev)
		fputc('\n', f);
	return 0;
}

int
render_plan(FILE *f, const struct plan *p, enum render_format fmt,
    struct diag *d)
{
	return render_plan_flags(f, p, fmt, 0, d);
}

int
render_plan_flags(FILE *f, const struct plan *p, enum render_format fmt,
    unsigned vflags, struct diag *d)
{
	size_t i;
	int first = 1;

	if (fmt == RENDER_JSON)
		return render_json(f, p, NULL, d);
	if (fmt == RENDER_REG && reg_names_check(p, d) < 0)
		return -1;
	if (fmt == RENDER_REG)
		fprintf(f, "Windows Registry Editor Version 5.00\n\n");
	for (i = 0; i < p->nentries; i++) {
		const struct plan_entry *e = &p->entries[i];
		int r;

		if (e->nchanges == 0 && e->status != ENTRY_ADVISORY &&
		    e->status != ENTRY_NEEDS_FOLDER)
			continue;
		if (fmt == RENDER_REG) {
			if (e->nchanges == 0) {
				regfile_put_comment(f, "%s: %s: no change",
				    e->remedy->id, plan_status_name(e->status));
				fputc('\n', f);
				continue;
			}
			r = render_reg_entry(f, e);
		} else {
			if (!first)
				fputc('\n', f);
			r = render_diff_entry(f, e, vflags, d);
		}
		first = 0;
		if (r < 0) {
			if (d->nerrors == 0)
				diag_oom(d);
			return -1;
		}
	}
	if (ferror(f))
		return diag_error(d, NULL, 0, "cannot write output: %s",
		    strerror(errno));
	return 0;
}

/* ---------------------------------------------------------------- json */

static const char *
json_status(enum entry_status s)
{
	switch (s) {
	case ENTRY_APPLIES:
		return "applies";
	case ENTRY_DONE:
		return "done";
	case ENTRY_NOT_APPLICABLE:
		return "not-applicable";
	case ENTRY_MISSING_HIVE:
		return "missing-hive";
	case ENTRY_NEEDS_FOLDER:
		return "needs-folder";
	case ENTRY_ADVISORY:
		return "advisory";
	case ENTRY_DRAFT:
		return "draft";
	case ENTRY_POSSIBLE:
		return "possible";
	}
	return "unknown";
}

static const char *
json_kind(enum change_kind k)
{
	switch (k) {
	case CHANGE_DELETE_KEY:
		return "delete-key";
	case CHANGE_CREATE_KEY:
		return "create-key";
	case CHANGE_SET_VALUE:
		return "set-value";
	case CHANGE_DELETE_VALUE:
		return "delete-value";
	case CHANGE_RENAME_FILE:
		return "rename-file";
	case CHANGE_DELETE_FILE:
		return "delete-file";
	}
	return "unknown";
}

static const char *const type_names[] = {
	"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
	"REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ",
	"REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR",
	"REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
};

void
render_json_value(FILE *f, uint32_t type, const void *data, size_t len)
{
	const unsigned char *p = data;
	struct hive_value v = { NULL, type, (unsigned char *)p, len };
	char *text;

	fputs("{\"type\":", f);
	if (type < sizeof type_names / sizeof type_names[0])
		fprintf(f, "\"%s\"", type_names[type]);
	else
		fprintf(f, "\"0x%08lx\"", (unsigned long)type);
	fprintf(f, ",\"type_code\":%lu,\"hex\":", (unsigned long)type);
	json_hex(f, data, len);
	if ((text = hive_value_text(&v)) != NULL) {
		fputs(",\"text\":", f);
		json_string(f, text);
		free(text);
	} else if (type == REG_MULTI_SZ && len % 2 == 0) {
		size_t i, start = 0;
		int first = 1, ok = 1;

		/* Strings up to the empty one that ends the list. */
		for (i = 0; i + 1 < len && ok; i += 2) {
			struct hive_value one = { NULL, REG_SZ, NULL, 0 };
			char *s;

			if (p[i] != 0 || p[i + 1] != 0)
				continue;
			if (i == start)
				break;
			one.data = (unsigned char *)p + start;
			one.len = i + 2 - start;
			if ((s = hive_value_text(&one)) == NULL) {
				ok = 0;
				break;
			}
			fputs(first ? ",\"strings\":[" : ",", f);
			json_string(f, s);
			free(s);
			first = 0;
			start = i + 2;
		}
		if (!first)
			fputc(']', f);
		else if (ok)
			fputs(",\"strings\":[]", f);
	} else if (type == REG_DWORD && len == 4) {
		fprintf(f, ",\"dword\":%lu", (unsigned long)p[0] |
		    (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
		    (unsigned long)p[3] << 24);
	} else if (type == REG_QWORD && len == 8) {
		unsigned long long q = 0;
		int i;

		/* As a string: a JSON number past 2^53 loses digits in most
		 * parsers. */
		for (i = 7; i >= 0; i--)
			q = q << 8 | p[i];
		fprintf(f, ",\"qword\":\"%llu\"", q);
	}
	fputc('}', f);
}

struct json_tree {
	FILE *f;
	int first;
};

static int
json_tree_key(const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, const struct hive_value *vals, size_t nvals, void *arg)
{
	struct json_tree *a = arg;
	char *k = plan_key_text(hv, path, n);
	size_t i;

	if (k == NULL)
		return -1;
	fputs(a->first ? "{\"key\":" : ",{\"key\":", a->f);
	a->first = 0;
	json_string(a->f, k);
	free(k);
	fputs(",\"values\":[", a->f);
	for (i = 0; i < nvals; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", a->f);
		json_string(a->f, vals[i].name);
		fputs(",\"value\":", a->f);
		render_json_value(a->f, vals[i].type, vals[i].data,
		    vals[i].len);
		fputc('}', a->f);
	}
	fputs("]}", a->f);
	return 0;
}

int
render_json_change(FILE *f, const struct change *c, int subtree,
    struct diag *d)
{
	char *k;

	fputs("{\"kind\":", f);
	fprintf(f, "\"%s\"", json_kind(c->kind));
	if (c->hive != NULL) {
		fputs(",\"hive\":", f);
		json_string(f, c->hive->path);
		fprintf(f, ",\"hive_kind\":\"%s\",\"key\":",
		    hive_kind_name(c->hive->kind));
		if ((k = plan_key_text(c->hive, c->key, c->nkey)) == NULL)
			return diag_oom(d);
		json_string(f, k);
		free(k);
	}
	if (c->kind == CHANGE_SET_VALUE || c->kind == CHANGE_DELETE_VALUE) {
		fputs(",\"name\":", f);
		json_string(f, c->name);
		fputs(",\"old\":", f);
		if (c->had_old)
			render_json_value(f, c->old.type, c->old.data,
			    c->old.len);
		else
			fputs("null", f);
		if (c->kind == CHANGE_SET_VALUE) {
			fputs(",\"new\":", f);
			render_json_value(f, c->new.type, c->new.data,
			    c->new.len);
		}
	}
	if (c->kind == CHANGE_RENAME_FILE || c->kind == CHANGE_DELETE_FILE) {
		fputs(",\"file\":", f);
		json_string(f, c->file);
		if (c->winfile != NULL) {
			fputs(",\"windows_path\":", f);
			json_string(f, c->winfile);
		}
		if (c->kind == CHANGE_RENAME_FILE) {
			fputs(",\"to\":", f);
			json_string(f, c->to);
		}
	}
	if (c->line)
		fprintf(f, ",\"line\":%ld", c->line);
	if (c->kind == CHANGE_DELETE_KEY && subtree) {
		struct json_tree a = { f, 1 };
		int r;

		fputs(",\"deleted\":[", f);
		r = tree_walk(c->hive, c->node, c->key, c->nkey, json_tree_key,
		    &a, d);
		if (r != 0) {
			if (d->nerrors == 0)
				diag_oom(d);
			return -1;
		}
		fputc(']', f);
	}
	fputc('}', f);
	return 0;
}

static void
json_head(FILE *f, const struct render_info *info)
{
	size_t i;

	fprintf(f, "{\"format\":\"kbfix-plan\",\"version\":%d,\"tool\":",
	    RENDER_JSON_VERSION);
	json_string(f, PACKAGE_STRING);
	if (info == NULL)
		return;
	fputs(",\"command\":", f);
	json_string(f, info->command);
	fputs(",\"target\":", f);
	json_string(f, info->target);
	fputs(",\"windir\":", f);
	json_string(f, info->windir);
	fputs(",\"hives\":[", f);
	for (i = 0; i < info->nhives; i++) {
		fputs(i ? ",{\"path\":" : "{\"path\":", f);
		json_string(f, info->hives[i]->path);
		fprintf(f, ",\"kind\":\"%s\"}",
		    hive_kind_name(info->hives[i]->kind));
	}
	fputc(']', f);
}

int
render_json(FILE *f, const struct plan *p, const struct render_info *info,
    struct diag *d)
{
	size_t i, j, k, n = 0;

	json_head(f, info);
	fputs(",\"entries\":[", f);
	for (i = 0; i < p->nentries; i++) {
		const struct plan_entry *e = &p->entries[i];
		const struct remedy *r = e->remedy;

		fputs(i ? ",{\"id\":" : "{\"id\":", f);
		json_string(f, r->id);
		fputs(",\"title\":", f);
		json_string(f, r->title);
		fputs(",\"file\":", f);
		json_string(f, r->file);
		if (r->file != NULL) {
			fputs(",\"sha256\":", f);
			json_hex(f, r->sha256, sizeof r->sha256);
		}
		fprintf(f, ",\"status\":\"%s\",\"reason\":",
		    json_status(e->status));
		json_string(f, e->reason);
		fputs(",\"control_sets\":", f);
		json_string(f, e->control_sets);
		fputs(",\"notes\":[", f);
		for (j = 0; j < e->nnotes; j++) {
			if (j)
				fputc(',', f);
			json_string(f, e->notes[j]);
		}
		fputs("],\"advisory\":", f);
		json_string(f, e->status == ENTRY_ADVISORY ? r->advisory :
		    NULL);
		fputs(",\"changes\":[", f);
		for (k = 0; k < e->nchanges; k++) {
			if (k)
				fputc(',', f);
			if (render_json_change(f, &e->changes[k], 1, d) < 0)
				return -1;
		}
		fputs("]}", f);
		n += e->nchanges;
	}
	fprintf(f, "],\"changes\":%zu,\"exit\":%d}\n", n, n ? 1 : 0);
	if (ferror(f))
		return diag_error(d, NULL, 0, "cannot write output: %s",
		    strerror(errno));
	return 0;
}

void
render_json_failure(FILE *f, const struct render_info *info,
    const struct diag *errs)
{
	size_t i;
	int first = 1;

	json_head(f, info);
	fputs(",\"errors\":[", f);
	for (i = 0; errs != NULL && i < errs->n; i++) {
		if (errs->items[i].level != DIAG_ERROR)
			continue;
		if (!first)
			fputc(',', f);
		first = 0;
		if (errs->items[i].file != NULL) {
			char *m;

			/* As diag_print writes it: "file:line: msg". */
			if (errs->items[i].line ? asprintf(&m, "%s:%ld: %s",
			    errs->items[i].file, errs->items[i].line,
			    errs->items[i].msg) < 0 : asprintf(&m, "%s: %s",
			    errs->items[i].file, errs->items[i].msg) < 0)
				m = NULL;
			json_string(f, m ? m : errs->items[i].msg);
			free(m);
		} else
			json_string(f, errs->items[i].msg);
	}
	fputs("],\"exit\":2}\n", f);
}
