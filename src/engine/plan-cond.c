/* plan-cond.c: the conditions of a remedy, evaluated on the hives (and the
 * Windows folder) of a target, each with the reason it holds or not.
 * Reads only. */
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

/* Each eval_* gives an enum truth (plan-int.h) and leaves in c->why the
 * reason it found. */

static char *
shown_path(struct ctx *c, struct hive *hv, const struct rpath *p)
{
	/* The path as the user will find it: CurrentControlSet mapped. */
	char **e;
	char *s;
	size_t i;

	if (hv == NULL)
		return xstrdup(p->text);
	e = calloc(p->nelems + 1, sizeof *e);
	if (e == NULL)
		return NULL;
	for (i = 0; i < p->nelems; i++)
		e[i] = p->elems[i];
	if (is_ccs(p) && c->cs)
		e[0] = (char *)c->cs->name;
	s = plan_key_text(hv, e, p->nelems);
	free(e);
	return s;
}

static enum truth
eval_key_exists(struct ctx *c, const struct cond *k)
{
	size_t total = 0;
	int any_hive = 0;
	char *shown = NULL;

	FOR_EACH_HIVE(c, k->path.hive, hv, {
		struct matches m;

		any_hive = 1;
		if (expand(c, hv, &k->path, &m) < 0)
			return -2;
		total += m.n;
		matches_free(&m);
		if (shown == NULL)
			shown = shown_path(c, hv, &k->path);
	});
	if (!any_hive) {
		set_why(c, "no %s hive to look in for '%s'",
		    hive_kind_name(k->path.hive), k->path.text);
		return 0;
	}
	if (names_is_pattern(k->path.text) && total == 0)
		set_why(c, "no key matches '%s'", shown ? shown : k->path.text);
	else if (names_is_pattern(k->path.text))
		set_why(c, "%zu key%s match%s '%s'", total,
		    total == 1 ? "" : "s", total == 1 ? "es" : "",
		    shown ? shown : k->path.text);
	else
		set_why(c, "'%s' %s", shown ? shown : k->path.text,
		    total ? "exists" : "does not exist");
	free(shown);
	return total > 0;
}

/* What key M of HV holds, the plan's changes included: *NVALS values and
 * *NKEYS subkeys.  -1 on a read error. */
static int
key_contents(struct ctx *c, struct hive *hv, const struct match *m,
    size_t *nvals, size_t *nkeys)
{
	*nvals = *nkeys = 0;
	if (m->node != 0) {
		const struct hive_subkeys *kids;
		struct hive_value *vals;
		size_t nv, i;
		char **sub;

		if (hive_values(hv, m->node, &vals, &nv, c->d) < 0)
			return -1;
		for (i = 0; i < nv; i++) {
			const struct rvalue *pv = NULL;

			if (overlay_value(c, hv, m->elems, m->n, vals[i].name,
			    &pv) >= 0)
				(*nvals)++;
		}
		hive_values_free(vals, nv);
		if (hive_subkeys(hv, m->node, &kids, c->d) < 0)
			return -1;
		sub = calloc(m->n + 1, sizeof *sub);
		if (sub == NULL)
			return -1;
		memcpy(sub, m->elems, m->n * sizeof *sub);
		for (i = 0; i < kids->n; i++) {
			sub[m->n] = kids->names[i];
			if (overlay_key(c, hv, sub, m->n + 1) >= 0)
				(*nkeys)++;
		}
		free(sub);
	}
	/* Values the plan sets in it and keys it creates below it. */
	FOR_EACH_CHANGE(c, ch, {
		if (ch->hive != hv || !same_prefix(m->elems, m->n, ch->key,
		    ch->nkey))
			continue;
		if (ch->kind == CHANGE_SET_VALUE && ch->nkey == m->n &&
		    !ch->had_old)
			(*nvals)++;
		else if (ch->kind == CHANGE_CREATE_KEY &&
		    ch->nkey == m->n + 1)
			(*nkeys)++;
	});
	return 0;
}

static enum truth
eval_key_empty(struct ctx *c, const struct cond *k)
{
	size_t total = 0, empty = 0, nvals = 0, nkeys = 0;
	int any_hive = 0;
	char *shown = NULL;

	FOR_EACH_HIVE(c, k->path.hive, hv, {
		struct matches m;
		size_t j, v, s;

		any_hive = 1;
		if (expand(c, hv, &k->path, &m) < 0)
			goto fail;
		for (j = 0; j < m.n; j++) {
			if (key_contents(c, hv, &m.v[j], &v, &s) < 0) {
				matches_free(&m);
				c->failed = 1;
				goto fail;
			}
			if (v == 0 && s == 0)
				empty++;
			else if (total == empty) {
				nvals = v;
				nkeys = s;
			}
			total++;
		}
		matches_free(&m);
		if (shown == NULL)
			shown = shown_path(c, hv, &k->path);
	});
	if (!any_hive)
		set_why(c, "no %s hive to look in for '%s'",
		    hive_kind_name(k->path.hive), k->path.text);
	else if (names_is_pattern(k->path.text))
		set_why(c, "%zu of the %zu keys matching '%s' %s empty", empty,
		    total, shown ? shown : k->path.text,
		    empty == 1 ? "is" : "are");
	else if (total == 0)
		set_why(c, "'%s' does not exist", shown ? shown : k->path.text);
	else if (empty)
		set_why(c, "'%s' exists and is empty", shown ? shown :
		    k->path.text);
	else
		set_why(c, "'%s' holds %zu value%s and %zu subkey%s", shown ?
		    shown : k->path.text, nvals, nvals == 1 ? "" : "s", nkeys,
		    nkeys == 1 ? "" : "s");
	free(shown);
	return empty > 0;
fail:
	free(shown);
	return -2;
}

/* The strings of a REG_MULTI_SZ joined by '\n', up to the empty string
 * that ends the list (or the data's end); NULL if not valid UTF-16. */
static char *
multi_sz_text(const struct hive_value *v)
{
	size_t i = 0, j, n = v->len / 2, len = 0;
	char *out = strdup(""), *part, *grown;

	while (out != NULL && i < n) {
		struct hive_value one = { NULL, REG_SZ, NULL, 0 };

		for (j = i; j < n && (v->data[2 * j] | v->data[2 * j + 1]); j++)
			;
		if (j == i)
			break;
		one.data = v->data + 2 * i;
		one.len = (j - i) * 2;
		part = hive_value_text(&one);
		grown = part ? realloc(out, len + strlen(part) + 2) : NULL;
		if (grown == NULL) {
			free(part);
			free(out);
			return NULL;
		}
		out = grown;
		if (len)
			out[len++] = '\n';
		memcpy(out + len, part, strlen(part) + 1);
		len += strlen(part);
		free(part);
		i = j + 1;
	}
	return out;
}

/* Text of a value for comparisons: strings decoded, the strings of a
 * multi-sz one per line, DWORDs and QWORDs in decimal. */
static char *
value_text(const struct hive_value *v)
{
	char *s = hive_value_text(v);
	unsigned long long x = 0;
	size_t i;

	if (s != NULL)
		return s;
	if (v->type == REG_MULTI_SZ)
		return multi_sz_text(v);
	if ((v->type == REG_DWORD && v->len == 4) ||
	    (v->type == REG_QWORD && v->len == 8)) {
		for (i = v->len; i > 0; i--)
			x = x << 8 | v->data[i - 1];
		if (asprintf(&s, "%llu", x) < 0)
			s = NULL;
	}
	return s;
}

static int
is_string_type(uint32_t t)
{
	return t == REG_SZ || t == REG_EXPAND_SZ || t == REG_LINK ||
	    t == REG_MULTI_SZ;
}

/* Strings compare as text up to their first NUL (regedit and the Windows
 * API ignore what follows), against the data as the remedy wrote it; a
 * multi-sz as its strings one per line.  Other types compare type and
 * bytes. */
static int
value_equal(const struct hive_value *v, const struct cond *k)
{
	const struct rvalue *want = &k->value;

	if (want->type == 0xFFFFFFFFu || (is_string_type(v->type) &&
	    want->type == v->type)) {
		char *a;
		int eq;

		if (!is_string_type(v->type) || k->text == NULL)
			return 0;
		a = value_text(v);
		eq = a != NULL && strcmp(a, k->text) == 0;
		free(a);
		return eq;
	}
	return v->type == want->type && v->len == want->len &&
	    (v->len == 0 || memcmp(v->data, want->data, v->len) == 0);
}

/* A glob against a value's text; a multi-sz matches when one of its
 * strings does. */
static int
value_matches(const struct hive_value *v, const char *pattern)
{
	char *t = value_text(v), *line, *save = NULL;
	int hit = 0;

	if (t == NULL)
		return 0;
	if (v->type != REG_MULTI_SZ)
		hit = names_match(pattern, t);
	else
		for (line = strtok_r(t, "\n", &save); line && !hit;
		    line = strtok_r(NULL, "\n", &save))
			hit = names_match(pattern, line);
	free(t);
	return hit;
}

/* TEXT as the reasons show data: "blank" for the empty string (the
 * articles' word), else quoted.  Caller frees. */
static char *
shown_data(const char *text)
{
	char *s = NULL;

	if (*text == '\0')
		return strdup("blank");
	if (asprintf(&s, "\"%s\"", text) < 0)
		return NULL;
	return s;
}

/* A type as remedies write it (type="multi-sz"), for reasons. */
static const char *
type_word(uint32_t t, char buf[16])
{
	static const char *const names[] = { "none", "sz", "expand-sz",
	    "binary", "dword", "dword-be", "link", "multi-sz" };

	if (t < sizeof names / sizeof names[0])
		return names[t];
	if (t == REG_QWORD)
		return "qword";
	snprintf(buf, 16, "0x%x", (unsigned)t);
	return buf;
}

/* The reason of a value condition that never saw the value: no hive, no
 * key, or no such value.  Returns 1 when it set one. */
static int
why_unreached(struct ctx *c, const struct cond *k, int any_hive, int any_key,
    int found, const char *shown)
{
	if (!any_hive)
		set_why(c, "no %s hive to look in for '%s'",
		    hive_kind_name(k->path.hive), k->path.text);
	else if (!any_key)
		set_why(c, "'%s' does not exist", shown ? shown : k->path.text);
	else if (!found)
		set_why(c, "'%s' has no value '%s'",
		    shown ? shown : k->path.text, k->name);
	else
		return 0;
	return 1;
}

static enum truth
eval_value(struct ctx *c, const struct cond *k)
{
	int any_hive = 0, any_key = 0, found = 0, holds = 0;
	char *shown = NULL, *seen = NULL, tb1[16], tb2[16];
	uint32_t seen_type = 0;

	FOR_EACH_HIVE(c, k->path.hive, hv, {
		struct matches m;
		size_t j;

		any_hive = 1;
		if (expand(c, hv, &k->path, &m) < 0)
			return T_ERROR;
		if (m.n)
			any_key = 1;
		if (shown == NULL)
			shown = shown_path(c, hv, &k->path);
		for (j = 0; j < m.n && !holds; j++) {
			struct hive_value v;
			int r = read_value(c, hv, &m.v[j], k->name, &v);

			if (r < 0) {
				matches_free(&m);
				free(shown);
				free(seen);
				return T_ERROR;
			}
			if (r == 0)
				continue;
			found = 1;
			if (k->kind == COND_VALUE_EXISTS)
				holds = 1;
			else if (k->kind == COND_VALUE_EQUALS)
				holds = value_equal(&v, k);
			else
				holds = value_matches(&v, k->pattern);
			if (seen == NULL || holds) {
				free(seen);
				seen = value_text(&v);
				seen_type = v.type;
			}
			hive_value_clear(&v);
		}
		matches_free(&m);
	});
	/* Each reason is a plain statement of fact, so that it reads right
	 * under <not> too: 'DriveLetter' of '...' is "M", not "". */
	if (why_unreached(c, k, any_hive, any_key, found, shown))
		;
	else if (k->kind == COND_VALUE_EXISTS)
		set_why(c, "'%s' has a value '%s'",
		    shown ? shown : k->path.text, k->name);
	else if (k->kind == COND_VALUE_EQUALS && !holds &&
	    k->value.type != 0xFFFFFFFFu && seen_type != k->value.type)
		set_why(c, "'%s' of '%s' is of type %s, not %s", k->name,
		    shown ? shown : k->path.text, type_word(seen_type, tb1),
		    type_word(k->value.type, tb2));
	else if (seen && k->kind == COND_VALUE_MATCHES)
		set_why(c, "'%s' of '%s' is \"%s\", which %s '%s'", k->name,
		    shown ? shown : k->path.text, seen,
		    holds ? "matches" : "does not match", k->pattern);
	else if (k->kind == COND_VALUE_EQUALS && k->text != NULL &&
	    (seen != NULL || holds)) {
		/* Data as the articles speak of it: "blank" for the empty
		 * string, else quoted; under <not> (the usual "not done
		 * yet" guard) the reason says what the remedy wants. */
		char *sd = seen ? shown_data(seen) : NULL;
		char *wd = shown_data(k->text);
		const char *where = shown ? shown : k->path.text;

		if (holds && c->in_not)
			set_why(c, "'%s' of '%s' is already %s", k->name, where,
			    wd ? wd : "as the remedy wants");
		else if (holds)
			set_why(c, "'%s' of '%s' is %s", k->name, where,
			    wd ? wd : "the data looked for");
		else if (c->in_not)
			set_why(c, "'%s' of '%s' is %s; the remedy wants it %s",
			    k->name, where, sd ? sd : "not text",
			    wd ? wd : "changed");
		else
			set_why(c, "'%s' of '%s' is %s, not %s", k->name, where,
			    sd ? sd : "not text", wd ? wd : "the data looked for");
		free(sd);
		free(wd);
	}
	else if (seen)
		set_why(c, "'%s' of '%s' is \"%s\"%s", k->name,
		    shown ? shown : k->path.text, seen, holds ? "" :
		    ", of another type than the one looked for");
	else
		set_why(c, "'%s' of '%s' %s", k->name,
		    shown ? shown : k->path.text, k->kind == COND_VALUE_MATCHES ?
		    (holds ? "matches" : "does not match") :
		    (holds ? "holds the data looked for" :
		    "does not hold the data looked for"));
	free(shown);
	free(seen);
	return holds;
}


/* MountedDevices once per remedy: -1 not read yet, 0 absent, 1 read.  The
 * note is what the article's test needs when it is missing. */
int
network_drives(struct ctx *c, int drives[26])
{
	int have = local_drives(c, drives) == 0;

	if (!have)
		entry_note(c->entry, "SYSTEM\\MountedDevices is absent: only "
		    "UNC entries are treated as network entries");
	return have;
}

/* The text of a list value and, in *SEP, what separates its entries: a
 * string value's text with the remedy's separator, or a multi-sz's
 * strings, one per line.  NULL if V holds no text. */
char *
list_text(const struct hive_value *v, const char **sep)
{
	if (v->type != REG_MULTI_SZ)
		return hive_value_text(v);
	*sep = "\n";
	return multi_sz_text(v);
}

static enum truth
eval_list(struct ctx *c, const struct cond *k)
{
	const char *sep0 = k->separator ? k->separator : ";", *sep = sep0;
	int any_hive = 0, any_key = 0, found = 0, have_drives = -1, r;
	int drives[26];
	struct strlist hits = { NULL, 0 };
	char *shown = NULL, *list = NULL;

	FOR_EACH_HIVE(c, k->path.hive, hv, {
		struct matches m;
		size_t j, e;

		any_hive = 1;
		if (expand(c, hv, &k->path, &m) < 0)
			goto fail;
		if (m.n)
			any_key = 1;
		if (shown == NULL)
			shown = shown_path(c, hv, &k->path);
		for (j = 0; j < m.n; j++) {
			struct hive_value v;
			struct strlist items;
			char *t;

			r = read_value(c, hv, &m.v[j], k->name, &v);

			sep = sep0;
			if (r < 0) {
				matches_free(&m);
				goto fail;
			}
			if (r == 0)
				continue;
			found = 1;
			t = list_text(&v, &sep);
			hive_value_clear(&v);
			if (t == NULL)
				continue;
			if (split_list(t, sep, &items) < 0) {
				free(t);
				matches_free(&m);
				goto oom;
			}
			free(t);
			if (k->match == MATCH_NETWORK && have_drives == -1)
				have_drives = network_drives(c, drives);
			for (e = 0; e < items.n; e++) {
				int hit = k->match == MATCH_NETWORK ?
				    is_network_entry(items.v[e], drives,
				    have_drives) : names_match(k->pattern,
				    items.v[e]);

				if (hit && !strlist_has(&hits, items.v[e]) &&
				    strlist_add(&hits, items.v[e]) < 0) {
					strlist_free(&items);
					matches_free(&m);
					goto oom;
				}
			}
			strlist_free(&items);
		}
		matches_free(&m);
	});
	if (why_unreached(c, k, any_hive, any_key, found, shown))
		;
	else if (hits.n > 0) {
		list = join_list(&hits, "', '");
		if (k->match == MATCH_NETWORK)
			set_why(c, "'%s' of '%s' holds %s network entr%s: '%s'",
			    k->name, shown ? shown : k->path.text,
			    hits.n == 1 ? "a" : "these", hits.n == 1 ? "y" :
			    "ies", list ? list : "?");
		else
			set_why(c, "'%s' of '%s' holds %s matching '%s': "
			    "'%s'", k->name, shown ? shown : k->path.text,
			    hits.n == 1 ? "an entry" : "entries", k->pattern,
			    list ? list : "?");
	} else if (k->match == MATCH_NETWORK)
		set_why(c, "'%s' of '%s' holds no network entry (%s)", k->name,
		    shown ? shown : k->path.text, have_drives == 0 ?
		    "no UNC path; without MountedDevices, drive letters count "
		    "as local" : "no UNC path, no drive letter that "
		    "MountedDevices does not list");
	else
		set_why(c, "'%s' of '%s' holds no entry matching '%s'",
		    k->name, shown ? shown : k->path.text, k->pattern);
	r = found && hits.n > 0;
	free(list);
	free(shown);
	strlist_free(&hits);
	return r;
oom:
	diag_oom(c->d);
	c->failed = 1;
fail:
	free(shown);
	strlist_free(&hits);
	return T_ERROR;
}

static enum truth
eval_file(struct ctx *c, const struct cond *k)
{
	char *path = NULL;
	int exists = 0;

	if (c->t->windir == NULL) {
		c->needs_folder = 1;
		set_why(c, "whether '%s' exists can only be seen in the "
		    "Windows folder, and only hives were given", k->file);
		return T_UNKNOWN;
	}
	if (winpath_resolve(c->t->windir, k->file, &path, &exists, c->d) < 0)
		return T_ERROR;
	set_why(c, "'%s' %s", path, exists ? "exists" : "does not exist");
	free(path);
	return exists;
}

static enum truth
eval_arch(struct ctx *c, const struct cond *k)
{
	struct hive *hv = find_hive(c->t, HIVE_SYSTEM, 0);
	char *elems[] = { "CurrentControlSet", "Control", "Session Manager",
	    "Environment" };
	struct rpath p = { HIVE_SYSTEM, elems, 4, NULL };
	struct matches m;
	struct hive_value v;
	char *arch = NULL, *q;
	int r, holds;

	if (hv == NULL) {
		set_why(c, "the architecture needs the SYSTEM hive");
		return T_FALSE;
	}
	p.text = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment";
	if (expand(c, hv, &p, &m) < 0)
		return T_ERROR;
	r = m.n ? read_value(c, hv, &m.v[0], "PROCESSOR_ARCHITECTURE", &v) : 0;
	matches_free(&m);
	if (r < 0)
		return T_ERROR;
	if (r == 0) {
		set_why(c, "PROCESSOR_ARCHITECTURE is not set");
		return T_FALSE;
	}
	arch = hive_value_text(&v);
	hive_value_clear(&v);
	if (arch == NULL) {
		set_why(c, "PROCESSOR_ARCHITECTURE is not a string");
		return T_FALSE;
	}
	for (q = arch; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	holds = strcmp(arch, k->arch) == 0;
	set_why(c, "PROCESSOR_ARCHITECTURE is '%s'%s%s%s", arch,
	    holds ? "" : ", not '", holds ? "" : k->arch, holds ? "" : "'");
	free(arch);
	return holds;
}

/* A condition on a hive the remedy needs and that was not given is
 * neither true nor false: it is undecided, and says nothing (the reason
 * of the remedy names the hive).  Nonzero for such a condition. */
static int
on_missing_hive(struct ctx *c, const struct cond *k)
{
	enum hive_kind h;

	switch (k->kind) {
	case COND_ALL:
	case COND_ANY:
	case COND_NOT:
	case COND_FILE_EXISTS:
		return 0;
	case COND_ARCHITECTURE:
		h = HIVE_SYSTEM;
		break;
	default:
		h = k->path.hive;
		break;
	}
	if (!(c->missing & HIVE_BIT(h)))
		return 0;
	free(c->why);
	c->why = NULL;
	return 1;
}

/* Nonzero if WHY is already one of the "; "-separated parts of ACC: the
 * children of a group often say the same thing (three patterns of one
 * ImagePath that is not there), which the reason says once. */
static int
reason_has(const char *acc, const char *why)
{
	size_t n = strlen(why);
	const char *p;

	for (p = acc; p != NULL; p = strstr(p, "; ")) {
		if (p != acc)
			p += 2;
		if (strncmp(p, why, n) == 0 && (p[n] == '\0' ||
		    strncmp(p + n, "; ", 2) == 0))
			return 1;
	}
	return 0;
}

enum truth
eval(struct ctx *c, const struct cond *k)
{
	size_t i;
	enum truth r;
	int unknown = 0;
	char *acc;

	if (on_missing_hive(c, k))
		return T_UNKNOWN;
	switch (k->kind) {
	case COND_ALL:
	case COND_ANY:
		/* The reason of an <all> that holds (or an <any> that does
		 * not) is every child's reason, joined; otherwise it is the
		 * reason of the child that decided. */
		acc = NULL;
		for (i = 0; i < k->nchildren; i++) {
			r = eval(c, &k->children[i]);
			if (r == T_ERROR || r == (k->kind == COND_ALL ? T_FALSE : T_TRUE)) {
				free(acc);
				return r;
			}
			if (r == T_UNKNOWN)
				unknown = 1;
			if (c->why != NULL && (acc == NULL ||
			    !reason_has(acc, c->why))) {
				char *j = NULL;

				if (asprintf(&j, "%s%s%s", acc ? acc : "",
				    acc ? "; " : "", c->why) < 0)
					j = NULL;
				free(acc);
				acc = j;
			}
		}
		if (acc != NULL) {
			free(c->why);
			c->why = acc;
		}
		if (unknown)
			return T_UNKNOWN;
		return k->kind == COND_ALL;
	case COND_NOT:
		/* The child's reason is a statement of fact that explains
		 * the negation as well. */
		if (k->nchildren == 0)
			return T_TRUE;
		/* A leaf condition states the fact it found, which explains
		 * its negation as well; only a group needs "not:". */
		if (k->children[0].nchildren == 0 &&
		    k->children[0].kind != COND_ALL &&
		    k->children[0].kind != COND_ANY &&
		    k->children[0].kind != COND_NOT) {
			int saved = c->in_not;

			c->in_not = 1;
			r = eval(c, &k->children[0]);
			c->in_not = saved;
			return r == T_FALSE || r == T_TRUE ? !r : r;
		}
		r = eval(c, &k->children[0]);
		if (r == T_FALSE || r == T_TRUE)
			return !r;
		return r;
	case COND_KEY_EXISTS:
		return eval_key_exists(c, k);
	case COND_KEY_EMPTY:
		return eval_key_empty(c, k);
	case COND_VALUE_EXISTS:
	case COND_VALUE_EQUALS:
	case COND_VALUE_MATCHES:
		return eval_value(c, k);
	case COND_LIST_CONTAINS:
		return eval_list(c, k);
	case COND_FILE_EXISTS:
		return eval_file(c, k);
	case COND_ARCHITECTURE:
		return eval_arch(c, k);
	}
	return T_ERROR;
}
