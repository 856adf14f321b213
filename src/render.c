/* render.c: a plan as text. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "regfile.h"
#include "render.h"
#include "tree.h"

struct subtree_arg {
	FILE *f;
	const char *prefix;
	int first;
};

static int
subtree_key(const struct hive *hv, hive_node_h node, char *const *path,
    size_t n, const struct hive_value *vals, size_t nvals, void *arg)
{
	struct subtree_arg *a = arg;
	char *k = plan_key_text(hv, path, n);
	size_t i;

	if (k == NULL)
		return -1;
	fprintf(a->f, "%s[%s]\n", a->prefix, k);
	free(k);
	for (i = 0; i < nvals; i++) {
		char *line = regfile_format_value(vals[i].name, vals[i].type,
		    vals[i].data, vals[i].len);

		if (line == NULL)
			return -1;
		fprintf(a->f, "%s%s\n", a->prefix, line);
		free(line);
	}
	return 0;
}

int
render_subtree(FILE *f, const struct hive *hv, hive_node_h node,
    char *const *path, size_t n, const char *prefix, struct diag *d)
{
	struct subtree_arg a = { f, prefix, 1 };
	int r = tree_walk(hv, node, path, n, subtree_key, &a, d);

	if (r > 0 || (r < 0 && d->nerrors == 0)) {
		diag_error(d, NULL, 0, "out of memory");
		return -1;
	}
	return r;
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
    const struct rvalue *v)
{
	char *line = regfile_format_value(name, v->type, v->data, v->len);

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
render_diff_entry(FILE *f, const struct plan_entry *e, struct diag *d)
{
	const struct change *prev = NULL;
	const struct hive *cur_hive = NULL;
	size_t i;

	fprintf(f, "# %s: %s\n", e->remedy->id, e->remedy->title ?
	    e->remedy->title : "");
	for (i = 0; i < e->nnotes; i++)
		fprintf(f, "# note: %s\n", e->notes[i]);
	/* What the remedy cannot do offline is said, not left out: a
	 * dry run that prints nothing would look like "nothing to fix". */
	if (e->status == ENTRY_NEEDS_FOLDER) {
		fprintf(f, "# needs the Windows folder: %s\n", e->reason ?
		    e->reason : "");
		return 0;
	}
	if (e->status == ENTRY_ADVISORY) {
		fprintf(f, "# advisory: %s\n", e->reason ? e->reason : "");
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
			cur_hive = ch->hive;
			fprintf(f, "# hive '%s' (%s)%s%s\n", ch->hive->path,
			    hive_kind_name(ch->hive->kind),
			    ch->hive->kind == HIVE_SYSTEM &&
			    e->control_sets ? ", " : "",
			    ch->hive->kind == HIVE_SYSTEM &&
			    e->control_sets ? e->control_sets : "");
		}
		switch (ch->kind) {
		case CHANGE_DELETE_KEY:
			if (render_subtree(f, ch->hive, ch->node, ch->key,
			    ch->nkey, "-", d) < 0)
				return -1;
			prev = NULL;
			continue;
		case CHANGE_CREATE_KEY:
			if ((k = plan_key_text(ch->hive, ch->key, ch->nkey)) ==
			    NULL)
				return -1;
			fprintf(f, "+[%s]\n", k);
			free(k);
			prev = ch;
			continue;
		case CHANGE_SET_VALUE:
		case CHANGE_DELETE_VALUE:
			if (!same_key(prev, ch)) {
				if ((k = plan_key_text(ch->hive, ch->key,
				    ch->nkey)) == NULL)
					return -1;
				fprintf(f, " [%s]\n", k);
				free(k);
			}
			if (ch->had_old &&
			    value_line(f, "-", ch->name, &ch->old) < 0)
				return -1;
			if (ch->kind == CHANGE_SET_VALUE &&
			    value_line(f, "+", ch->name, &ch->new) < 0)
				return -1;
			prev = ch;
			continue;
		case CHANGE_RENAME_FILE:
			fprintf(f, "-file '%s'\n+file '%s'\n", ch->file,
			    ch->to);
			prev = NULL;
			continue;
		case CHANGE_DELETE_FILE:
			fprintf(f, "-file '%s'\n", ch->file);
			prev = NULL;
			continue;
		}
	}
	return 0;
}

static int
render_reg_entry(FILE *f, const struct plan_entry *e)
{
	const struct change *prev = NULL;
	size_t i;

	fprintf(f, "; %s: %s\n", e->remedy->id, e->remedy->title ?
	    e->remedy->title : "");
	for (i = 0; i < e->nchanges; i++) {
		const struct change *ch = &e->changes[i];
		char *k = NULL;

		if (ch->hive != NULL &&
		    (k = plan_key_text(ch->hive, ch->key, ch->nkey)) == NULL)
			return -1;
		switch (ch->kind) {
		case CHANGE_DELETE_KEY:
			fprintf(f, "[-%s]\n\n", k);
			prev = NULL;
			break;
		case CHANGE_CREATE_KEY:
			fprintf(f, "[%s]\n\n", k);
			prev = NULL;
			break;
		case CHANGE_SET_VALUE:
		case CHANGE_DELETE_VALUE:
			if (!same_key(prev, ch))
				fprintf(f, "%s[%s]\n", prev ? "\n" : "", k);
			if (ch->kind == CHANGE_SET_VALUE) {
				if (value_line(f, "", ch->name, &ch->new) < 0) {
					free(k);
					return -1;
				}
			} else {
				char *line = regfile_format_value(ch->name,
				    REG_NONE, NULL, 0);
				char *eq = line ? strrchr(line, '=') : NULL;

				/* "name"=- deletes it: reuse the quoting. */
				if (eq == NULL) {
					free(line);
					free(k);
					return -1;
				}
				eq[1] = '\0';
				fprintf(f, "%s-\n", line);
				free(line);
			}
			prev = ch;
			break;
		case CHANGE_RENAME_FILE:
			if (prev)
				fputc('\n', f);
			fprintf(f, "; not expressible in .reg: rename '%s' to "
			    "'%s'\n\n", ch->file, ch->to);
			prev = NULL;
			break;
		case CHANGE_DELETE_FILE:
			if (prev)
				fputc('\n', f);
			fprintf(f, "; not expressible in .reg: delete '%s'\n\n",
			    ch->file);
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
	size_t i;
	int first = 1;

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
				fprintf(f, "; %s: %s: no change\n\n",
				    e->remedy->id, plan_status_name(e->status));
				continue;
			}
			r = render_reg_entry(f, e);
		} else {
			if (!first)
				fputc('\n', f);
			r = render_diff_entry(f, e, d);
		}
		first = 0;
		if (r < 0) {
			if (d->nerrors == 0)
				diag_error(d, NULL, 0, "out of memory");
			return -1;
		}
	}
	if (ferror(f)) {
		diag_error(d, NULL, 0, "cannot write output: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}
