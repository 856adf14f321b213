/* draft-sentences.c: the sentence forms that state a change. */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft-int.h"

/* The key a sentence means: the path its group "path" matched, else the
 * current key. */
static const char *
key_for(struct state *st, struct item *it, const struct rxm *m,
    const char **hive)
{
	if (draft_has(m, "path")) {
		long k = draft_cap_path(m, "path");

		if (k >= 0 && (size_t)k < it->npaths) {
			*hive = it->paths[k].hive;
			if (it->paths[k].hive == NULL)
				draft_fail(st, it->paths[k].why);
			return it->paths[k].hive ? it->paths[k].text : NULL;
		}
		draft_fail(st, W_NOKEY);
		return NULL;
	}
	*hive = st->key_hive;
	if (st->key == NULL)
		draft_fail(st, W_NOKEY);
	return st->key;
}

/* Nonzero if S starts a purpose clause after a datum: "Set its value to
 * 1 to stop the Pragma: no-cache headers" (Q304637). */
static int
purpose(const char *s)
{
	static const char *verbs[] = { "stop", "prevent", "disable", "enable",
	    "turn", "force", "allow", "make", "hide", "show", "avoid", "keep" };
	size_t i, l;

	if (strncasecmp(s, " to ", 4) != 0)
		return 0;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		l = strlen(verbs[i]);
		if (strncasecmp(s + 4, verbs[i], l) == 0 && s[4 + l] == ' ')
			return 1;
	}
	return 0;
}

/* The sentence from the match's end to the next ". " (for the words that
 * make data inexact: "or", "depending", ...), and the datum itself (the
 * group "data"). */
static int
tail_is_exact(struct state *st, const struct rxm *m)
{
	const char *flat = m->s, *s = flat + m->g[0].rm_eo;
	const char *e = strstr(s, ". ");
	char *t;
	int ok;

	/* The datum ends the clause: "to 4.", "to 2 (the default is 1)",
	 * "to No under the ...", not "to 10 MB". */
	if (!(*s == '\0' || *s == '.' || *s == ',' || *s == ';' ||
	    strncmp(s, " (", 2) == 0 || strncasecmp(s, " under ", 7) == 0 ||
	    strncasecmp(s, " in the ", 8) == 0 ||
	    strncasecmp(s, " and ", 5) == 0 || purpose(s)))
		return 0;
	/* "For example, if you want to change ..." is no step. */
	if (strncasecmp(flat, "for example", 11) == 0 ||
	    strcasestr(flat, "if you want to") != NULL)
		return 0;

	/* "(the default is 1)" and "(decimal)" say nothing of the data. */
	t = strndup(s, e ? (size_t)(e - s) : strlen(s));
	if (t == NULL)
		return 0;
	{
		char *p = strchr(t, '(');

		if (p != NULL)
			*p = '\0';
	}
	ok = !draft_rx_match(&st->rx, RX_NOTVALUE, t, NULL);
	free(t);
	if (ok) {
		char *d = draft_cap(m, "data");

		ok = d != NULL && !draft_rx_match(&st->rx, RX_NOTVALUE, d,
		    NULL);
		free(d);
	}
	return ok;
}

/* rx_match for the form a step is translated by: the span it matched is
 * kept, to look for another change in the rest of the step. */
static int
rx_form(struct state *st, enum rx k, const char *f, struct rxm *m)
{
	if (!draft_rx_match(&st->rx, k, f, m))
		return 0;
	st->span_so = (size_t)m->g[0].rm_so;
	st->span_eo = (size_t)m->g[0].rm_eo;
	return 1;
}

/* The type the form matched writes in its group NAME ("REG_DWORD",
 * "string"), as a remedy type; NULL if none. */
static const char *
form_type(const struct rxm *m, const char *name)
{
	char *t = draft_cap(m, name);
	const char *type = draft_type_name(t);

	free(t);
	return type;
}

/* The datum of the form matched (its group "data"), when it is exactly
 * one and written as a number, a word or a quoted string: 0, *DATA (new)
 * and *TYPE (typed as *TYPE says when it is not NULL; *NOTE if the type
 * is inferred), else -1 with the reason noted. */
static int
form_data(struct state *st, const struct rxm *m, const char **type,
    char **data, const char **note)
{
	char *w;
	int rc;

	if (!tail_is_exact(st, m))
		return draft_fail(st, W_INEXACT);
	if ((w = draft_cap(m, "data")) == NULL)
		return draft_fail(st, W_DATA);
	rc = draft_parse_data(w, *type, type, data, note);
	free(w);
	return rc == -1 ? draft_fail(st, W_DATA) : 0;
}

/* The value the form matched names (group "name") and its datum (see
 * form_data): 0, *NAME (new) and *DATA (new), else -1 with the reason
 * noted. */
static int
form_value(struct state *st, const struct rxm *m, char **name,
    const char **type, char **data, const char **note)
{
	int quoted;

	if ((*name = draft_cap_name(m, "name", &quoted)) == NULL) {
		st->oom = 1;
		return -1;
	}
	/* The name part must be a name, not a clause.  ERE matches are
	 * longest: "Max MIF Size registry value" gives "... registry". */
	if (draft_clean_name(*name, quoted, type) == -1) {
		free(*name);
		return draft_fail(st, W_NAME);
	}
	if (form_data(st, m, type, data, note) == -1) {
		free(*name);
		return -1;
	}
	return 0;
}

/* A set-value whose key comes later ("... in the following key:"): IT
 * waits with NAME and DATA, which the state now owns. */
static int
set_later(struct state *st, struct item *it, char *name, const char *type,
    char *data, const char *note, int create)
{
	draft_want(st, WANT_SET, NULL, it);
	draft_set_str(&st->set_name, name);
	draft_set_str(&st->set_data, data);
	st->set_type = type;
	st->set_note = note;
	st->set_create = create;
	return 2;
}

/* "add the following REG_DWORD value with the name X. Set its value to
 * 1", "place the value X as a REG_DWORD and give it a value of 0": the
 * key is the item's one path, a key named before ("Under the
 * W3SVC/Parameters, ..." when it ends the key located), the key located,
 * or the one that follows. */
static int
do_add_value(struct state *st, struct item *it, struct rxm *m)
{
	const char *f = it->flat, *type = NULL, *t2 = NULL, *note;
	struct rxm lm;
	char *name, *lead, *data = NULL;
	int rc;

	type = form_type(m, "type");
	t2 = form_type(m, "type_as");
	if (type != NULL && t2 != NULL && strcmp(type, t2) != 0)
		return draft_fail(st, W_DATA);
	if (type == NULL)
		type = t2;
	if (form_value(st, m, &name, &type, &data, &note) == -1)
		return -1;
	lead = strndup(f, (size_t)m->g[0].rm_so);
	if (lead == NULL || !draft_rx_match(&st->rx, RX_LEAD, lead, &lm)) {
		rc = draft_fail(st, W_UNKNOWN);
	} else if (draft_has(&lm, "path") || it->npaths == 1) {
		const struct path *p = &it->paths[draft_has(&lm, "path") ?
		    draft_cap_path(&lm, "path") : 0];

		if ((size_t)(p - it->paths) >= it->npaths || p->hive == NULL)
			rc = draft_fail(st, p->why ? p->why : W_NOKEY);
		else {
			draft_set_key(st, p, 0);
			rc = draft_set_value_act(st, p->text, p->hive, name,
			    type, data, 1, note, it->line);
			data = NULL;
		}
	} else if (it->npaths > 1) {
		rc = draft_fail(st, W_NOKEY);
	} else if (draft_has(&lm, "partial")) {
		char *part = draft_cap(&lm, "partial");

		if (part != NULL && draft_key_ends_with(st->key, part)) {
			rc = draft_set_value_act(st, st->key, st->key_hive,
			    name, type, data, 1, note, it->line);
			data = NULL;
		} else
			rc = draft_fail(st, W_KEYNAME);
		free(part);
	} else if (st->key != NULL) {
		rc = draft_set_value_act(st, st->key, st->key_hive, name, type,
		    data, 1, note, it->line);
		data = NULL;
	} else {
		/* The key follows. */
		rc = set_later(st, it, name, type, data, note, 1);
		name = data = NULL;
	}
	free(lead);
	free(name);
	free(data);
	return rc;
}

/* If values for .exe and/or .com exist in X, delete them.  The
 * condition goes into <when> (see draft_write_remedy). */
static int
do_if_values(struct state *st, struct item *it, struct rxm *m)
{
	const char *hive, *key;
	char *list = draft_cap(m, "names"), *names[VALUES_MAX];
	size_t n, k;

	key = key_for(st, it, m, &hive);
	if (list == NULL || key == NULL) {
		free(list);
		return -1;
	}
	n = draft_split_names(list, names, VALUES_MAX);
	free(list);
	if (n == 0)
		return draft_fail(st, W_NAME);
	for (k = 0; k < n; k++) {
		draft_simple_act(st, A_DELETE_VALUE, key, hive, names[k],
		    it->line, 1);
		draft_add_cond(st, key, names[k]);
		free(names[k]);
	}
	return 1;
}

/* If the X key exists, delete it. */
static int
do_if_key(struct state *st, struct item *it, struct rxm *m)
{
	const char *hive, *key;

	if ((key = key_for(st, it, m, &hive)) == NULL)
		return -1;
	if (strchr(key, '\\') == strrchr(key, '\\'))
		return draft_fail(st, W_SHORT);
	draft_simple_act(st, A_DELETE_KEY, key, hive, NULL, it->line, 1);
	draft_add_cond(st, key, NULL);
	return 1;
}

/* delete the subkeys that start with "X" from the following key */
static int
do_delsub(struct state *st, struct item *it, struct rxm *m)
{
	const char *hive, *key;
	char *prefix = draft_cap(m, "prefix");

	if (prefix == NULL || *prefix == '\0' ||
	    strpbrk(prefix, "\\/*?<>") != NULL) {
		free(prefix);
		return draft_fail(st, W_NAME);
	}
	if (draft_has(m, "path")) {
		key = key_for(st, it, m, &hive);
		if (key == NULL) {
			free(prefix);
			return -1;
		}
		{
			struct act a = { 0 };

			a.kind = A_DELETE_KEY;
			if (asprintf(&a.path, "%s\\%s*", key, prefix) < 0)
				a.path = NULL;
			a.line = it->line;
			draft_add_hive(st, hive);
			draft_emit_act(st, &a);
		}
		free(prefix);
		return 1;
	}
	draft_want(st, WANT_DELSUB, prefix, it);
	/* The key may follow in the same item. */
	return 2;
}

/* delete the @0@ key */
static int
do_delkey_inline(struct state *st, struct item *it, struct rxm *m)
{
	const char *f = it->flat, *hive, *key;
	struct act a = { 0 };

	key = key_for(st, it, m, &hive);
	if (key == NULL)
		return -1;
	if (strstr(f, " or ") != NULL || strcasestr(f, "either"))
		return draft_fail(st, W_CHOICE);
	a.kind = A_DELETE_KEY;
	a.path = strdup(key);
	a.line = it->line;
	draft_add_hive(st, hive);
	draft_emit_act(st, &a);
	return 1;
}

/* "delete the following keys:", "create the following key:": they
 * follow. */
static int
do_following_keys(struct state *st, struct item *it, struct rxm *m)
{
	draft_want(st, m->rx == RX_DELKEYS ? WANT_DELKEYS : WANT_CREATEKEYS,
	    NULL, it);
	return 2;
}

/* The name of a key the form names (its group "name"), as a new string:
 * a plain name, no path or pattern.  NULL with the reason noted, or on
 * out-of-memory. */
static char *
key_name(struct state *st, const struct rxm *m)
{
	const char *type = NULL;
	int quoted;
	char *name = draft_cap_name(m, "name", &quoted);

	if (name == NULL) {
		st->oom = 1;
		return NULL;
	}
	if (draft_clean_name(name, quoted, &type) == -1 || type != NULL ||
	    strpbrk(name, "\\/*?") != NULL) {
		free(name);
		draft_fail(st, W_NAME);
		return NULL;
	}
	return name;
}

/* remove the Software Inventory Agent key under the following location;
 * Open X and remove the Y key; delete the Y key */
static int
do_delkey_named(struct state *st, struct item *it, struct rxm *m)
{
	const char *f = it->flat, *hive, *key;
	char *name, *path = NULL;
	int rc = 1;

	if ((name = key_name(st, m)) == NULL)
		return -1;
	if (strstr(f, " or ") != NULL || strcasestr(f, "either")) {
		free(name);
		return draft_fail(st, W_CHOICE);
	}
	if (draft_has(m, "path")) {
		if ((key = key_for(st, it, m, &hive)) == NULL)
			rc = -1;
		else if (asprintf(&path, "%s\\%s", key, name) < 0)
			path = NULL;
	} else if (draft_has(m, "following") ||
	    strncasecmp(draft_at(m, "tail"), " from", 5) == 0) {
		/* The key follows. */
		draft_want(st, WANT_DELKEY, name, it);
		return 2;
	} else if (it->npaths == 1 && it->paths[0].hive != NULL &&
	    strstr(f, "@0@") < f + m->g[0].rm_so) {
		/* "Open X and remove the Y registry key." */
		hive = it->paths[0].hive;
		if (asprintf(&path, "%s\\%s", it->paths[0].text, name) < 0)
			path = NULL;
	} else if (it->npaths == 1) {
		rc = draft_fail(st, it->paths[0].why ? it->paths[0].why :
		    W_NOKEY);
	} else if (it->npaths == 0 && st->key != NULL &&
	    strrchr(st->key, '\\') != NULL &&
	    strcasecmp(strrchr(st->key, '\\') + 1, name) == 0) {
		/* The key just located, by its last name. */
		hive = st->key_hive;
		path = strdup(st->key);
	} else
		rc = draft_fail(st, W_KEYNAME);
	if (rc == 1) {
		if (path == NULL)
			st->oom = 1;
		else
			draft_simple_act(st, A_DELETE_KEY, path, hive, NULL,
			    it->line, 0);
	}
	free(path);
	free(name);
	return rc;
}

/* "On the Edit menu, click Add Key." then "In the Key Name box, type
 * "Lana" (without the quotation marks)." */
static int
do_keyname_type(struct state *st, struct item *it, struct rxm *m)
{
	char *name, *path = NULL;

	if (st->want != WANT_NEWKEY || st->key == NULL)
		return draft_fail(st, W_NOKEY);
	if ((name = key_name(st, m)) == NULL)
		return -1;
	st->want = WANT_NOTHING;
	if (asprintf(&path, "%s\\%s", st->key, name) < 0) {
		free(name);
		st->oom = 1;
		return -1;
	}
	free(name);
	draft_simple_act(st, A_CREATE_KEY, path, st->key_hive, NULL,
	    it->line, 0);
	/* Values added next go under the new key. */
	draft_set_str(&st->key, path);
	return 1;
}

/* change the data value to be blank */
static int
do_blank(struct state *st, struct item *it, struct rxm *m)
{
	if (st->key == NULL || draft_value1(st) == NULL)
		return draft_fail(st, W_NOVALUE);
	return draft_set_value_act(st, st->key, st->key_hive,
	    draft_value1(st), "sz", strdup(""), 0, NULL, it->line);
}

/* change the value of HKEY_...\Name to 1 */
static int
do_set_path(struct state *st, struct item *it, struct rxm *m)
{
	long k = draft_cap_path(m, "path");
	const struct path *p;
	char *data = NULL, *kp, *bs;
	const char *type, *note;

	if (k < 0 || (size_t)k >= it->npaths)
		return draft_fail(st, W_NOKEY);
	p = &it->paths[k];
	if (p->hive == NULL)
		return draft_fail(st, p->why);
	if (p->nelems < 2)
		return draft_fail(st, W_NOVALUE);
	type = NULL;
	if (form_data(st, m, &type, &data, &note) == -1)
		return -1;
	kp = strdup(p->text);
	if (kp == NULL || (bs = strrchr(kp, '\\')) == NULL) {
		free(kp);
		free(data);
		return -1;
	}
	*bs = '\0';
	draft_set_value_act(st, kp, p->hive, p->last, type, data, 0, note,
	    it->line);
	free(kp);
	return 1;
}

/* change the Start value to 4; set the "X" (REG_SZ) value to "IP" */
static int
do_set_named(struct state *st, struct item *it, struct rxm *m)
{
	char *name, *data = NULL;
	const char *type, *note;
	const char *rest = it->flat + m->g[0].rm_eo;
	int pathidx = -1;

	type = form_type(m, "type");
	if (form_value(st, m, &name, &type, &data, &note) == -1)
		return -1;
	/* Where: "under the @0@", "in the following key". */
	{
		struct rxm wm;

		if (draft_rx_match(&st->rx, RX_WHERE, rest, &wm))
			pathidx = (int)draft_cap_path(&wm, "path");
	}
	if (pathidx >= 0 && (size_t)pathidx < it->npaths) {
		const struct path *p = &it->paths[pathidx];

		if (p->hive == NULL) {
			free(name);
			free(data);
			return draft_fail(st, p->why);
		}
		draft_set_value_act(st, p->text, p->hive, name, type, data, 0,
		    note, it->line);
		free(name);
		return 1;
	}
	if (strcasestr(rest, "the following") != NULL ||
	    (it->npaths > 0 && strstr(rest, "@") != NULL)) {
		/* The key comes next. */
		return set_later(st, it, name, type, data, note, 0);
	}
	if (st->key == NULL) {
		free(name);
		free(data);
		return draft_fail(st, W_NOKEY);
	}
	draft_set_value_act(st, st->key, st->key_hive, name, type, data, 0,
	    note, it->line);
	free(name);
	return 1;
}

/* The data stated (group "data" of M) for the value NAME (OWN: NAME when
 * it is the caller's to free) of the current key. */
static int
state_value(struct state *st, struct item *it, struct rxm *m,
    const char *name, char *own, const char *type, int create)
{
	const char *note;
	char *data = NULL;

	if (st->key == NULL) {
		free(own);
		return draft_fail(st, W_NOKEY);
	}
	if (form_data(st, m, &type, &data, &note) == -1) {
		free(own);
		return -1;
	}
	draft_set_value_act(st, st->key, st->key_hive, name, type, data, create,
	    note, it->line);
	free(own);
	return 1;
}

/* The "Use Forced Disconnect" parameter should have a value of 1;
 * ensure that the Enabled value is set to 1. */
static int
do_state_named(struct state *st, struct item *it, struct rxm *m)
{
	const char *type = m->rx == RX_SHOULD ? form_type(m, "type") : NULL;
	char *own;
	int quoted;

	own = draft_cap_name(m, "name", &quoted);
	if (own == NULL || draft_clean_name(own, quoted, &type) == -1) {
		free(own);
		return draft_fail(st, W_NAME);
	}
	return state_value(st, it, m, own, own, type, 0);
}

/* Verify that the REG_DWORD value is set to 0x3; (Regedit's dialog)
 * enter a value of 1: the value selected. */
static int
do_state_selected(struct state *st, struct item *it, struct rxm *m)
{
	const char *name = draft_value1(st);

	if (name == NULL)
		return draft_fail(st, W_NOVALUE);
	if (m->rx == RX_ENTER_VALUE)
		return state_value(st, it, m, name, NULL, st->edit_type,
		    st->create);
	return state_value(st, it, m, name, NULL, form_type(m, "type"), 0);
}

/* On the Edit menu, click DWORD, type "3", and then click OK. */
static int
do_type_data(struct state *st, struct item *it, struct rxm *m)
{
	char *w = draft_cap(m, "data"), *data = NULL;
	const char *type = form_type(m, "type"), *note;

	if (st->key == NULL || draft_value1(st) == NULL || w == NULL) {
		free(w);
		return draft_fail(st, W_NOVALUE);
	}
	if (draft_parse_data(w, type, &type, &data, &note) == -1) {
		free(w);
		return draft_fail(st, W_DATA);
	}
	free(w);
	return draft_set_value_act(st, st->key, st->key_hive,
	    draft_value1(st), type, data, st->create, NULL, it->line);
}

/* The selected value's data: "Change the data to 150", "Set it to 5". */
static int
do_set_selected(struct state *st, struct item *it, struct rxm *m)
{
	char *data = NULL;
	const char *type = st->edit_type, *note;

	if (st->key == NULL || draft_value1(st) == NULL)
		return draft_fail(st, W_NOVALUE);
	if (form_data(st, m, &type, &data, &note) == -1)
		return -1;
	return draft_set_value_act(st, st->key, st->key_hive,
	    draft_value1(st), type, data, st->create, note, it->line);
}

/* delete the Foo value under the @0@ key */
static int
do_delval_named(struct state *st, struct item *it, struct rxm *m)
{
	const char *f = it->flat, *hive, *key;
	int quoted;
	char *name = draft_cap_name(m, "name", &quoted);
	struct act a = { 0 };

	if (name == NULL)
		return -1;
	key = key_for(st, it, m, &hive);
	if (key == NULL || strstr(f, " or ") != NULL ||
	    strcasestr(f, "either") != NULL ||
	    strcasestr(f, "value from") != NULL || draft_placeholder(name) ||
	    draft_not_a_name(draft_trim(name))) {
		free(name);
		return draft_fail(st, key == NULL ? W_NOKEY : W_NAME);
	}
	a.kind = A_DELETE_VALUE;
	a.path = strdup(key);
	a.name = strdup(draft_trim(name));
	a.line = it->line;
	free(name);
	draft_add_hive(st, hive);
	draft_emit_act(st, &a);
	return 1;
}

/* "Select the value for the .exe and/or .com interpreter", then "Click
 * Delete": each selected value goes. */
static int
do_delval_selected(struct state *st, struct item *it, struct rxm *m)
{
	size_t k;

	if (st->key == NULL || st->nvalues == 0)
		return draft_fail(st, W_NOVALUE);
	for (k = 0; k < st->nvalues; k++) {
		struct act a = { 0 };

		a.kind = A_DELETE_VALUE;
		a.path = strdup(st->key);
		a.name = strdup(st->values[k]);
		a.line = it->line;
		draft_add_hive(st, st->key_hive);
		draft_emit_act(st, &a);
	}
	return 1;
}

/* rename or remove the Nmperf.dll file from the %SystemRoot%\System32
 * folder */
static int
do_file(struct state *st, struct item *it, struct rxm *m)
{
	char *file = draft_cap(m, "file"), *dir = draft_cap(m, "dir");
	struct act a = { 0 };
	size_t dl;

	if (file == NULL || dir == NULL || strpbrk(dir, "<>*?\"") ||
	    strpbrk(file, "<>*?\"\\/")) {
		free(file);
		free(dir);
		return draft_fail(st, W_NAME);
	}
	dl = strlen(dir);
	while (dl > 0 && dir[dl - 1] == '\\')
		dir[--dl] = '\0';
	a.kind = A_RENAME_FILE;
	if (asprintf(&a.path, "%s\\%s", dir, file) < 0)
		a.path = NULL;
	/* The article leaves the new name open ("rename or remove"):
	 * renaming keeps the file for an undo. */
	if (asprintf(&a.to, "%s.disabled-by-kbfix-%s", file,
	    st->a->number) < 0)
		a.to = NULL;
	a.line = it->line;
	a.note = "the article does not name the new file name";
	free(file);
	free(dir);
	draft_emit_act(st, &a);
	return 1;
}

/* The sentence forms that change something, in the order they are tried:
 * the first that matches the item decides.  Its handler gets the match
 * and returns 1 if the item was translated, 2 if the key it speaks of
 * follows (in the item or the next ones), -1 if it states a change that
 * cannot be translated. */
static const struct {
	enum rx rx;
	int (*handler)(struct state *, struct item *, struct rxm *);
} forms[] = {
	/* If ... exist, delete them: before the plain verbs. */
	{ RX_IF_VALUES, do_if_values },
	{ RX_IF_KEY, do_if_key },
	{ RX_DELSUB, do_delsub },
	{ RX_DELKEY_INLINE, do_delkey_inline },
	{ RX_DELKEYS, do_following_keys },
	{ RX_DELKEY_NAMED, do_delkey_named },
	{ RX_CREATEKEYS, do_following_keys },
	{ RX_KEYNAME_TYPE, do_keyname_type },
	{ RX_BLANK, do_blank },
	{ RX_ADD_VALUE, do_add_value },
	{ RX_SET_PATH, do_set_path },
	{ RX_SET_NAMED, do_set_named },
	{ RX_SET_NAMED_TYPEFIRST, do_set_named },
	/* Data stated without a verb of change, or with "enter". */
	{ RX_SHOULD, do_state_named },
	{ RX_VERIFY_IT, do_state_selected },
	{ RX_VERIFY_NAMED, do_state_named },
	{ RX_ENTER_VALUE, do_state_selected },
	{ RX_TYPE_DATA, do_type_data },
	{ RX_DATA_TO, do_set_selected },
	{ RX_SET_IT, do_set_selected },
	{ RX_DELVAL_NAMED, do_delval_named },
	{ RX_DELVAL_IT, do_delval_selected },
	{ RX_EDIT_DELETE, do_delval_selected },
	{ RX_FILE, do_file },
};

/* The sentence forms that change something.  Returns 1 if the item was
 * translated, 2 if the key it speaks of follows, -1 if it states a change
 * that could not be translated, 0 if it is no change. */
int
draft_do_sentences(struct state *st, struct item *it)
{
	struct rxm m;
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (rx_form(st, forms[i].rx, it->flat, &m))
			return forms[i].handler(st, it, &m);
	return 0;
}
