/* draft-blocks.c: the blocks that state values without a sentence: .reg
 * snippets, "Value Name:" fields, values as Regedt32 displays them. */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft-int.h"

/* The "[KEY]" line of a .reg snippet at LINES[*I] (of N), as a new
 * string: the key between the brackets, exactly as written.  An article
 * wraps a long one over lines; they join only where the wrap is at a
 * separator ("...\Tcpip" then "\Parameters]"): a wrap elsewhere may have
 * eaten a space or cut a word, and the line is not read (NULL, *BAD set).
 * *I is left on the line that closes the bracket. */
static char *
reg_header(char **lines, size_t n, size_t *i, int *bad)
{
	struct dbuf b = { 0 };
	char *close;

	dbuf_add(&b, lines[*i] + 1);
	while (!b.oom && strchr(b.s, ']') == NULL) {
		size_t l = strlen(b.s);

		while (l > 0 && b.s[l - 1] == ' ')
			b.s[--l] = '\0';
		b.len = l;
		if (*i + 1 >= n || (l > 0 && b.s[l - 1] != '\\' &&
		    lines[*i + 1][0] != '\\')) {
			*bad = 1;
			free(b.s);
			return NULL;
		}
		dbuf_add(&b, lines[++*i]);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	close = strchr(b.s, ']');
	if (close[1] != '\0' && strspn(close + 1, " ") != strlen(close + 1))
		*bad = 1;
	*close = '\0';
	return b.s;
}

/* A .reg snippet ("[HKEY_...]", "\"Name\"=dword:00000002").  1 if
 * translated, 2 for [sections] only (their values follow), -1 if a line
 * cannot be read, 0 if the item is no snippet.  A snippet is drafted
 * whole or not at all: one line the drafter cannot read, and none of its
 * values is. */
int
draft_do_regfile(struct state *st, struct item *it)
{
	char *copy = strdup(it->text), *lines[ITEM_MAX], *line, *save = NULL;
	/* A snippet cut by blank lines keeps its [section] (Q166476). */
	char *key = st->regkey ? strdup(st->regkey) : NULL;
	const char *hive = st->reghive;
	struct act acts[ACTIONS_MAX];
	const char *hives[ACTIONS_MAX];
	size_t nacts = 0, n = 0, i;
	int bad = 0, any = 0, sections = 0;

	if (copy == NULL) {
		st->oom = 1;
		free(key);
		return 0;
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL && n < ITEM_MAX;
	    line = strtok_r(NULL, "\n", &save))
		lines[n++] = line;
	for (i = 0; i < n; i++) {
		char *eq, *name, *v, *data = NULL;
		const char *type = NULL;

		line = lines[i];
		if (strcasecmp(line, "REGEDIT") == 0 ||
		    strcasecmp(line, "REGEDIT4") == 0 ||
		    strncasecmp(line, "Windows Registry Editor", 23) == 0)
			continue;
		if (line[0] == '[') {
			char *k;
			struct path p;

			free(key);
			key = NULL;
			/* "[SITECTRLCT2SRCSITE]" is an .ini section. */
			if (draft_root_at(line, line + 1) < 0) {
				bad = 1;
				continue;
			}
			any = 1;
			sections++;
			if ((k = reg_header(lines, n, &i, &bad)) == NULL)
				continue;
			if (draft_path_reg(k, &p) == -1)
				st->oom = 1;
			else if (p.hive != NULL && p.nelems > 0) {
				key = strdup(p.text);
				hive = p.hive;
				draft_review_path(st, &p);
			} else
				bad = 1;
			draft_path_free(&p);
			free(k);
			continue;
		}
		if (line[0] == '"' && strstr(line, "\"=") != NULL)
			any = 1;
		if (line[0] != '"' || key == NULL ||
		    (eq = strstr(line, "\"=")) == NULL || eq == line) {
			bad = 1;
			continue;
		}
		name = strndup(line + 1, (size_t)(eq - line - 1));
		v = eq + 2;
		if (name == NULL || strchr(name, '\\') != NULL) {
			free(name);
			bad = 1;
			continue;
		}
		if (strncasecmp(v, "dword:", 6) == 0 && strlen(v + 6) == 8 &&
		    strspn(v + 6, "0123456789abcdefABCDEF") == 8) {
			if (asprintf(&data, "0x%s", v + 6) < 0)
				data = NULL;
			type = "dword";
		} else if (v[0] == '"' && strlen(v) >= 2 &&
		    v[strlen(v) - 1] == '"' &&
		    strchr(v + 1, '\\') == NULL) {
			data = strndup(v + 1, strlen(v) - 2);
			type = "sz";
		}
		if (type == NULL || nacts >= ACTIONS_MAX) {
			bad = 1;
			free(name);
			continue;
		}
		memset(&acts[nacts], 0, sizeof(acts[nacts]));
		acts[nacts].kind = A_SET_VALUE;
		acts[nacts].path = strdup(key);
		acts[nacts].name = name;
		acts[nacts].type = type;
		acts[nacts].data = data;
		acts[nacts].create = 1;
		acts[nacts].line = it->line;
		hives[nacts++] = hive;
	}
	for (i = 0; i < nacts; i++) {
		if (bad) {
			free(acts[i].path);
			free(acts[i].name);
			free(acts[i].data);
			continue;
		}
		draft_add_hive(st, hives[i]);
		draft_emit_act(st, &acts[i]);
	}
	draft_set_str(&st->regkey, key);
	st->reghive = hive;
	free(copy);
	if (nacts > 0 && !bad)
		st->regfile = 1;
	if (any && bad)
		return draft_fail(st, W_REGFILE);
	if (nacts == 0 && sections > 0)
		return 2;
	return nacts > 0;
}

/* A "Value Name:" block, read. */
struct fields {
	char *name;		/* Value Name: */
	char *data;		/* Data:, Value: (without "(Default = 100)") */
	char *keyname;		/* Key Name: */
	const char *type;	/* Data Type: */
	int n;			/* field lines */
	int bad;		/* a type the drafter does not know */
};

/* The fields of IT's lines into F (zeroed first); -1 on out-of-memory. */
static int
fields_read(const struct item *it, struct fields *f)
{
	char *copy = strdup(it->text), *line, *save = NULL, *v;

	memset(f, 0, sizeof(*f));
	if (copy == NULL)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncasecmp(line, "Value Name:", 11) == 0) {
			draft_set_str(&f->name, strdup(draft_trim(line + 11)));
			f->n++;
		} else if (strncasecmp(line, "Data Type:", 10) == 0 ||
		    strncasecmp(line, "Data Type =", 11) == 0) {
			v = draft_trim(line + (line[9] == ':' ? 10 : 11));
			if ((f->type = draft_type_name(v)) == NULL)
				f->bad = 1;
			f->n++;
		} else if (strncasecmp(line, "Data:", 5) == 0 ||
		    strncasecmp(line, "Value:", 6) == 0) {
			v = draft_trim(line + (line[0] == 'D' ||
			    line[0] == 'd' ? 5 : 6));
			/* "1000 (Default = 100)", "150 (decimal)" */
			if ((line = strchr(v, '(')) != NULL)
				*line = '\0';
			draft_set_str(&f->data, strdup(draft_trim(v)));
			f->n++;
		} else if (strncasecmp(line, "Key Name:", 9) == 0) {
			draft_set_str(&f->keyname,
			    strdup(draft_trim(line + 9)));
			f->n++;
		} else if (strncasecmp(line, "Class:", 6) == 0) {
			f->n++;
		}
	}
	free(copy);
	return 0;
}

int
draft_is_fields(const struct item *it)
{
	const char *s = it->text;

	for (;;) {
		if (strncasecmp(s, "Value Name:", 11) == 0 ||
		    strncasecmp(s, "Key Name:", 9) == 0)
			return 1;
		if ((s = strchr(s, '\n')) == NULL)
			return 0;
		s++;
	}
}

/* What the step that introduces IT's block says to do: the words of IT
 * before the block, else the step before it ("Delete the following
 * object:", "Add the following:", "modify the following registry
 * entry:").  A_SET_VALUE, A_DELETE_VALUE, or -1 when it says neither, or
 * both. */
static int
fields_op(struct state *st, const struct item *it)
{
	const char *f = it->flat, *lead = NULL, *s, *e;
	char *own = NULL;
	int set, del;

	e = strcasestr(f, "value name:");
	s = strcasestr(f, "key name:");
	if (e == NULL || (s != NULL && s < e))
		e = s;
	for (s = f; e != NULL && s < e; s++)
		if (isalpha((unsigned char)*s))
			break;
	if (e != NULL && s < e)
		lead = own = strndup(f, (size_t)(e - f));
	else if (st->lead != NULL)
		lead = st->lead->flat;
	if (lead == NULL)
		return -1;
	set = draft_rx_match(&st->rx, RX_FIELDS_SET, lead, NULL);
	del = draft_rx_match(&st->rx, RX_FIELDS_DELETE, lead, NULL);
	free(own);
	return set == del ? -1 : set ? A_SET_VALUE : A_DELETE_VALUE;
}

/* Delete what the block names: the value, or the key (under the key
 * located). */
static int
fields_delete(struct state *st, struct item *it, const struct fields *f)
{
	char *path = NULL;

	if (f->name != NULL) {
		if (*f->name == '\0' || draft_placeholder(f->name))
			return draft_fail(st, W_NAME);
		draft_simple_act(st, A_DELETE_VALUE, st->key, st->key_hive,
		    f->name, it->line, 0);
		return 1;
	}
	if (f->keyname == NULL || *f->keyname == '\0' ||
	    draft_placeholder(f->keyname) ||
	    strpbrk(f->keyname, "\\/*?") != NULL)
		return draft_fail(st, W_NAME);
	if (asprintf(&path, "%s\\%s", st->key, f->keyname) < 0) {
		st->oom = 1;
		return -1;
	}
	draft_simple_act(st, A_DELETE_KEY, path, st->key_hive, NULL, it->line,
	    0);
	free(path);
	return 1;
}

/* Add or change what the block names: the key ("Key Name:"), then the
 * values that follow go under it; or the value. */
static int
fields_set(struct state *st, struct item *it, const struct fields *f)
{
	const char *type = f->type, *note = NULL;
	char *data = NULL, *path = NULL;

	if (f->keyname != NULL && f->name == NULL && f->data == NULL) {
		if (*f->keyname == '\0' || draft_placeholder(f->keyname))
			return -1;
		if (asprintf(&path, "%s\\%s", st->key, f->keyname) < 0) {
			st->oom = 1;
			return -1;
		}
		draft_simple_act(st, A_CREATE_KEY, path, st->key_hive, NULL,
		    it->line, 0);
		/* Values added next go under the new key. */
		draft_set_str(&st->key, path);
		return 1;
	}
	if (f->name == NULL || f->data == NULL || *f->name == '\0' ||
	    draft_placeholder(f->name) || *f->data == '\0' ||
	    draft_rx_match(&st->rx, RX_NOTVALUE, f->data, NULL))
		return -1;
	if (draft_parse_data(f->data, type, &type, &data, &note) == -1)
		return -1;
	/* A block that writes the type adds the value if it is missing;
	 * one that gives only name and data ("click Modify to change the
	 * following entry", Q164073) changes a value that is there. */
	draft_set_value_act(st, st->key, st->key_hive, f->name, type, data,
	    st->create || f->type != NULL, note, it->line);
	return 1;
}

/* "Value Name: X" / "Data Type: REG_DWORD" / "Data: 1" blocks, and "Key
 * Name: X": 1 if translated, 0 if the item holds no field, -1 if it cannot
 * be.  The block does what the step that introduces it says (see
 * fields_op): a block that no step introduces with a change, or one that
 * says to delete, is no value to set. */
int
draft_do_fields(struct state *st, struct item *it)
{
	struct fields f;
	int rc = -1, op;

	if (fields_read(it, &f) == -1) {
		st->oom = 1;
		return 0;
	}
	if (f.n == 0)
		rc = 0;
	else if (f.bad || st->key == NULL ||
	    (f.name == NULL && f.keyname == NULL))
		rc = -1;
	else if ((op = fields_op(st, it)) == -1)
		rc = draft_fail(st, W_FIELDS_OP);
	else if (op == A_DELETE_VALUE)
		rc = fields_delete(st, it, &f);
	else
		rc = fields_set(st, it, &f);
	free(f.name);
	free(f.data);
	free(f.keyname);
	return rc;
}

/* Values as Regedt32 displays them, one a line: "Default0:REG_DWORD:0",
 * "DisableMemoryCache: REG_DWORD: 1", "<No Name>:REG_DWORD:0x7" (the
 * default value), or "REG_DWORD: 1" alone after a path that ends with the
 * value's name and a colon (Q160582).  The item must be only such lines.
 * 1 if translated, 0 if the item holds none, -1 if it cannot be. */
int
draft_do_display(struct state *st, struct item *it)
{
	char *copy, *line, *save = NULL;
	size_t nlines = 0, nok = 0, nv = 0, i;
	struct rxm m;
	int bad = 0, quoted;
	struct {
		char *name;
		const char *type;
		char *data;
		const char *note;
	} v[ACTIONS_MAX];

	if (strchr(it->text, ':') == NULL || strcasestr(it->text, "reg_") ==
	    NULL)
		return 0;
	if ((copy = strdup(it->text)) == NULL) {
		st->oom = 1;
		return 0;
	}
	/* Check every line first: nothing is drafted from a mixed item. */
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		nlines++;
		if (draft_rx_match(&st->rx, RX_DISPLAY, line, &m) ||
		    (it->nlines == 1 &&
		    draft_rx_match(&st->rx, RX_TYPE_COLON, line, &m)))
			nok++;
	}
	free(copy);
	if (nok == 0)
		return 0;
	if (nok != nlines)
		return draft_fail(st, W_FIELDS);
	if (st->key == NULL)
		return draft_fail(st, W_NOKEY);
	if ((copy = strdup(it->text)) == NULL) {
		st->oom = 1;
		return 0;
	}
	save = NULL;
	/* Read every line before drafting any: a block is taken whole. */
	for (line = strtok_r(copy, "\n", &save); line != NULL && !bad;
	    line = strtok_r(NULL, "\n", &save)) {
		char *name, *t, *w, *data = NULL;
		const char *type, *note, *dnote = NULL;

		if (draft_rx_match(&st->rx, RX_DISPLAY, line, &m)) {
			if (strncasecmp(line, "<no name>", 9) == 0) {
				name = strdup("");
				dnote = "<No Name> is how Regedt32 shows the "
				    "default value";
			} else
				name = draft_cap_name(&m, "name", &quoted);
			t = draft_cap(&m, "type");
			w = draft_cap(&m, "data");
		} else {
			draft_rx_match(&st->rx, RX_TYPE_COLON, line, &m);
			name = draft_value1(st) ? strdup(draft_value1(st)) :
			    NULL;
			if (name == NULL) {
				bad = draft_fail(st, W_NOVALUE);
				break;
			}
			t = draft_cap(&m, "type");
			w = draft_cap(&m, "data");
		}
		type = draft_type_name(t);
		free(t);
		/* "The value is .pl: REG_SZ: ..." is a sentence. */
		if (name != NULL && *name != '\0' &&
		    draft_clean_name(name, 0, &type) == -1)
			bad = draft_fail(st, W_NAME);
		else if (w == NULL || type == NULL ||
		    draft_parse_data(draft_trim(w), type, &type, &data, &note)
		    == -1)
			bad = draft_fail(st, W_DATA);
		else if (nv < ACTIONS_MAX) {
			v[nv].name = name;
			v[nv].type = type;
			v[nv].data = data;
			v[nv].note = dnote;
			nv++;
			name = NULL;
		} else {
			free(data);
			bad = draft_fail(st, W_FIELDS);
		}
		free(w);
		free(name);
	}
	for (i = 0; i < nv; i++) {
		if (!bad)
			draft_set_value_act(st, st->key, st->key_hive,
			    v[i].name, v[i].type, v[i].data, 1, v[i].note,
			    it->line);
		else
			free(v[i].data);
		free(v[i].name);
	}
	free(copy);
	return bad ? -1 : 1;
}
