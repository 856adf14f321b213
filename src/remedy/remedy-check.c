/* remedy-check.c: the checks of a loaded remedy that no schema can
 * express (remedy_check; remedy.c's top comment has the three layers). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <nettle/sha2.h>
#include <nettle/version.h>

#include "names.h"
#include "remedy-int.h"
/* ------------------------------------------------------------------ */
/* semantic checks */

/* The lines whose paths are in a hive no <hive> names, kept for one
 * message per hive, at the <hive> line. */
#define CK_LINES 4

struct checker {
	const struct remedy *r;
	struct diag *d;
	int errs;
	size_t nforeign[HIVE__COUNT];	/* such paths, per hive */
	long foreign[HIVE__COUNT][CK_LINES];	/* the first lines */
	char **saved;		/* names saved by <remove save=""> so far */
	size_t nsaved;
	int schema_checked;	/* the XSD ran: do not repeat its checks */
};

static void
ck_error(struct checker *c, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ck_error(struct checker *c, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(c->d, c->r->file, line, fmt, ap);
	va_end(ap);
	c->errs++;
}

static int
has_hive(const struct remedy *r, enum hive_kind h)
{
	size_t i;

	for (i = 0; i < r->nhives; i++)
		if (r->hives[i] == h)
			return 1;
	return 0;
}

static void foreign_use(struct checker *c, enum hive_kind h, long line);

static void
check_path_hive(struct checker *c, const struct rpath *p, long line)
{
	if (p->text == NULL || p->hive == HIVE_UNKNOWN)
		return;		/* not parsed: reported by the loader */
	if (!has_hive(c->r, p->hive))
		foreign_use(c, p->hive, line);
}

/* LINE reads hive H, which no <hive> names. */
static void
foreign_use(struct checker *c, enum hive_kind h, long line)
{
	size_t n = c->nforeign[h];

	if (n > 0 && c->foreign[h][n < CK_LINES ? n - 1 : CK_LINES - 1] ==
	    line)
		return;
	if (n < CK_LINES)
		c->foreign[h][n] = line;
	c->nforeign[h]++;
}

/* One error per hive used but not named: at the <hive> line, which is the
 * line to change, naming the lines that use it. */
static void
foreign_report(struct checker *c)
{
	size_t h, i, n;

	for (h = 0; h < HIVE__COUNT; h++) {
		char lines[96] = "";
		size_t o = 0;

		if ((n = c->nforeign[h]) == 0)
			continue;
		for (i = 0; i < n && i < CK_LINES && o < sizeof lines; i++)
			o += (size_t)snprintf(lines + o, sizeof lines - o,
			    "%s%ld", i == 0 ? "" : i + 1 == n ? " and " : ", ",
			    c->foreign[h][i]);
		if (n > CK_LINES && o < sizeof lines)
			snprintf(lines + o, sizeof lines - o, " and %zu more",
			    n - CK_LINES);
		ck_error(c, c->r->hives_line ? c->r->hives_line : c->r->line,
		    "no <hive> names hive %s, which line%s %s read%s: add "
		    "<hive name=\"%s\"/>", hive_kind_name((enum hive_kind)h),
		    n == 1 ? "" : "s", lines, n == 1 ? "s" : "",
		    hive_kind_name((enum hive_kind)h));
	}
}

/* A pattern made of wildcards alone matches every name below its parent:
 * Services\* would hit every service of the machine. */
static void
check_path_patterns(struct checker *c, const struct rpath *p, long line)
{
	size_t i;

	for (i = 0; i < p->nelems; i++) {
		if (p->elems[i][strspn(p->elems[i], "*?")] != '\0')
			continue;
		ck_error(c, line, "pattern '%s' in path '%s' is only "
		    "wildcards: it could match every subkey", p->elems[i],
		    p->text);
	}
}

static int
path_has_pattern(const struct rpath *p)
{
	size_t i;

	for (i = 0; i < p->nelems; i++)
		if (rpath_elem_is_pattern(p->elems[i]))
			return 1;
	return 0;
}

static void
check_value(struct checker *c, const struct rvalue *v, long line)
{
	size_t want = 0;
	char tb[16];

	if (v->type == TYPE_ANY_STRING)
		return;
	if (v->len > 0 && v->data == NULL) {
		ck_error(c, line, "value has a length but no data");
		return;
	}
	switch (v->type) {
	case REG_DWORD:
	case REG_DWORD_BIG_ENDIAN:
		want = 4;
		break;
	case REG_QWORD:
		want = 8;
		break;
	case REG_SZ:
	case REG_EXPAND_SZ:
	case REG_MULTI_SZ:
		if (v->len < 2 || v->len % 2 != 0 || v->data[v->len - 1] ||
		    v->data[v->len - 2])
			ck_error(c, line, "value of type %s must be UTF-16LE "
			    "ending with a NUL", type_name(v->type, tb,
			    sizeof tb));
		return;
	case REG_LINK:
		if (v->len % 2 != 0)
			ck_error(c, line, "value of type link must be UTF-16LE");
		return;
	default:
		return;
	}
	if (v->data != NULL && v->len != want)
		ck_error(c, line, "value of type %s must be %zu bytes long, "
		    "not %zu", type_name(v->type, tb, sizeof tb), want, v->len);
}

/* File paths are resolved under the Windows folder of the volume being
 * repaired; anything that could step out of it is refused. */
static void
check_file(struct checker *c, const char *f, long line)
{
	static const char *const bases[] = { "%SystemRoot%", "%windir%" };
	const char *rest = NULL, *s, *e;
	size_t i, l;

	if (f == NULL)
		return;
	for (i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		l = strlen(bases[i]);
		if (strncasecmp(f, bases[i], l) == 0 &&
		    (f[l] == '\\' || f[l] == '\0'))
			rest = f + l;
	}
	if (rest == NULL) {
		ck_error(c, line, "file path '%s' must start with "
		    "%%SystemRoot%% or %%windir%%", f);
		return;
	}
	if (*rest == '\0' || rest[1] == '\0') {
		ck_error(c, line, "file path '%s' must name a file below "
		    "%%SystemRoot%%", f);
		return;
	}
	for (s = rest + 1; ; s = e + 1) {
		e = strchr(s, '\\');
		l = e ? (size_t)(e - s) : strlen(s);
		if (l == 0 || (l == 1 && s[0] == '.') ||
		    (l == 2 && s[0] == '.' && s[1] == '.') ||
		    memchr(s, '/', l) || memchr(s, ':', l) ||
		    memchr(s, '%', l)) {
			ck_error(c, line, "file path '%s' must not hold empty, "
			    "'.' or '..' parts, '/', ':' or '%%'", f);
			return;
		}
		if (e == NULL)
			break;
	}
}

static void
check_cond(struct checker *c, const struct cond *k)
{
	size_t i;

	switch (k->kind) {
	case COND_ALL:
	case COND_ANY:
	case COND_NOT:
		if (k->kind == COND_NOT && k->nchildren != 1)
			ck_error(c, k->line, "<not> takes exactly one "
			    "condition");
		for (i = 0; i < k->nchildren; i++)
			check_cond(c, &k->children[i]);
		break;
	case COND_KEY_EXISTS:
	case COND_KEY_EMPTY:
	case COND_VALUE_EXISTS:
	case COND_VALUE_MATCHES:
		check_path_hive(c, &k->path, k->line);
		break;
	case COND_VALUE_EQUALS:
		check_path_hive(c, &k->path, k->line);
		check_value(c, &k->value, k->line);
		break;
	case COND_LIST_CONTAINS:
		check_path_hive(c, &k->path, k->line);
		if (!c->schema_checked && (k->separator == NULL ||
		    *k->separator == '\0'))
			ck_error(c, k->line, "<list-contains> needs a "
			    "separator");
		if (k->match == MATCH_GLOB && k->pattern == NULL)
			ck_error(c, k->line, "<list-contains> needs a pattern "
			    "(or match=\"network\")");
		if (k->match == MATCH_NETWORK && k->pattern != NULL)
			ck_error(c, k->line, "<list-contains match=\"network\"> "
			    "takes no pattern");
		break;
	case COND_FILE_EXISTS:
		check_file(c, k->file, k->line);
		break;
	case COND_ARCHITECTURE:
		/* Read from SYSTEM's Session Manager\Environment. */
		if (!has_hive(c->r, HIVE_SYSTEM))
			foreign_use(c, HIVE_SYSTEM, k->line);
		break;
	}
}

static int
saved_has(struct checker *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsaved; i++)
		if (strcmp(c->saved[i], name) == 0)
			return 1;
	return 0;
}

static void
check_list(struct checker *c, const struct action *a)
{
	size_t i;
	char tb[16];

	if (a->separator == NULL || *a->separator == '\0')
		ck_error(c, a->line, "<edit-list> needs a separator");
	if (a->create_type != REG_SZ && a->create_type != REG_EXPAND_SZ)
		ck_error(c, a->line, "create-type %s is not a string type "
		    "(use sz or expand-sz)", type_name(a->create_type, tb,
		    sizeof tb));
	if (a->nops == 0)
		ck_error(c, a->line, "<edit-list> has nothing to do");
	for (i = 0; i < a->nops; i++) {
		const struct list_op *op = &a->ops[i];
		char **ns;

		if (op->kind == LIST_REMOVE && op->match == MATCH_GLOB &&
		    op->pattern == NULL)
			ck_error(c, op->line, "<remove> needs a pattern (or "
			    "match=\"network\")");
		if (op->kind == LIST_REMOVE && op->match == MATCH_NETWORK &&
		    op->pattern != NULL)
			ck_error(c, op->line, "<remove match=\"network\"> "
			    "takes no pattern");
		if (op->kind == LIST_APPEND &&
		    (op->entry == NULL) == (op->from == NULL)) {
			ck_error(c, op->line, "<append> needs either entry or "
			    "from");
			continue;
		}
		if (op->kind == LIST_APPEND && op->entry != NULL &&
		    (*op->entry == '\0' || (a->separator != NULL &&
		    *a->separator != '\0' &&
		    strstr(op->entry, a->separator) != NULL)))
			ck_error(c, op->line, "entry '%s' is empty or holds "
			    "the separator '%s'", op->entry,
			    a->separator ? a->separator : "");
		if (op->kind == LIST_REMOVE && op->save != NULL &&
		    !saved_has(c, op->save)) {
			ns = realloc(c->saved, (c->nsaved + 1) * sizeof *ns);
			if (ns == NULL)
				continue;
			c->saved = ns;
			c->saved[c->nsaved++] = op->save;
		}
		if (op->kind == LIST_APPEND && op->from != NULL &&
		    !saved_has(c, op->from))
			ck_error(c, op->line, "<append from=\"%s\"> has no "
			    "earlier <remove save=\"%s\">", op->from,
			    op->from);
	}
}

static void
check_action(struct checker *c, const struct action *a)
{
	const char *t;

	switch (a->kind) {
	case ACT_DELETE_KEY:
	case ACT_CREATE_KEY:
	case ACT_DELETE_VALUE:
	case ACT_SET_VALUE:
	case ACT_EDIT_LIST:
		check_path_hive(c, &a->path, a->line);
		check_path_patterns(c, &a->path, a->line);
		if (a->path.text == NULL)
			break;
		if (a->kind == ACT_DELETE_KEY && a->path.nelems == 0)
			ck_error(c, a->line, "cannot delete the root key of "
			    "hive %s", hive_kind_name(a->path.hive));
		if ((a->kind == ACT_CREATE_KEY || a->create) &&
		    path_has_pattern(&a->path))
			ck_error(c, a->line, "cannot create keys from a "
			    "path with wildcards '%s'", a->path.text);
		if (a->kind == ACT_SET_VALUE)
			check_value(c, &a->value, a->line);
		if (a->kind == ACT_EDIT_LIST)
			check_list(c, a);
		break;
	case ACT_RENAME_FILE:
		check_file(c, a->file, a->line);
		t = a->to;
		if (t == NULL)
			break;
		if (*t == '\0' || strcmp(t, ".") == 0 || strcmp(t, "..") == 0 ||
		    strpbrk(t, "\\/:%") != NULL)
			ck_error(c, a->line, "new name '%s' must be a file "
			    "name, without a path separator", t);
		break;
	case ACT_DELETE_FILE:
		check_file(c, a->file, a->line);
		break;
	}
}

static int
valid_id(const char *id)
{
	return id != NULL && *id != '\0' && strlen(id) <= 64 &&
	    strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == strlen(id);
}

int
check_remedy(const struct remedy *r, struct diag *d, int schema_checked)
{
	struct checker c;
	size_t i, j;

	memset(&c, 0, sizeof c);
	c.r = r;
	c.d = d;
	c.schema_checked = schema_checked;
	/* What the schema checks already is not repeated after it ran. */
	if (!schema_checked && !valid_id(r->id))
		ck_error(&c, r->line, "id '%s' must match [A-Za-z0-9_.-]+",
		    r->id ? r->id : "");
	for (i = 0; i < r->nhives; i++)
		for (j = 0; j < i; j++)
			if (r->hives[i] == r->hives[j])
				ck_error(&c, r->line, "hive %s is named twice",
				    hive_kind_name(r->hives[i]));
	check_cond(&c, &r->when);
	for (i = 0; i < r->nactions; i++)
		check_action(&c, &r->actions[i]);
	/* Only a change can be held back: an advisory changes nothing, and
	 * its text already says what the machine must show. */
	if (r->unseen != NULL && r->nactions == 0)
		ck_error(&c, r->unseen_line, "<unseen> needs <actions>: an "
		    "advisory changes nothing, and its text says when it "
		    "matters");
	foreign_report(&c);
	free(c.saved);
	return c.errs;
}

int
remedy_check(const struct remedy *r, struct diag *d)
{
	return check_remedy(r, d, 0);
}
