/* draft-blocks.c: the blocks that state values without a sentence: .reg
 * snippets, "Value Name:" fields, values as Regedt32 displays them. */
#include "config.h"

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
		name = draft_strndup(line + 1, (size_t)(eq - line - 1));
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
			data = draft_strndup(v + 1, strlen(v) - 2);
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

/* "Value Name: X" / "Data Type: REG_DWORD" / "Data: 1" blocks. */
int
draft_do_fields(struct state *st, struct item *it)
{
	char *copy = strdup(it->text), *line, *save = NULL;
	char *name = NULL, *datatext = NULL, *keyname = NULL;
	const char *type = NULL, *note = NULL;
	int nf = 0, bad = 0, rc = 0, typed;
	char *data = NULL;

	if (copy == NULL) {
		st->oom = 1;
		return 0;
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *v;

		if (strncasecmp(line, "Value Name:", 11) == 0) {
			v = draft_trim(line + 11);
			draft_set_str(&name, strdup(v));
			nf++;
		} else if (strncasecmp(line, "Data Type:", 10) == 0 ||
		    strncasecmp(line, "Data Type =", 11) == 0) {
			v = draft_trim(line + 11);
			type = draft_type_name(v);
			if (type == NULL)
				bad = 1;
			nf++;
		} else if (strncasecmp(line, "Data:", 5) == 0 ||
		    strncasecmp(line, "Value:", 6) == 0) {
			char *par;

			v = draft_trim(line + (line[0] == 'D' ||
			    line[0] == 'd' ? 5 : 6));
			/* "1000 (Default = 100)", "150 (decimal)" */
			if ((par = strchr(v, '(')) != NULL)
				*par = '\0';
			draft_set_str(&datatext, strdup(draft_trim(v)));
			nf++;
		} else if (strncasecmp(line, "Key Name:", 9) == 0) {
			draft_set_str(&keyname, strdup(draft_trim(line + 9)));
			nf++;
		} else if (strncasecmp(line, "Class:", 6) == 0) {
			nf++;
		}
	}
	free(copy);
	if (nf == 0)
		goto out;
	rc = -1;
	if (bad || st->key == NULL)
		goto out;
	if (keyname != NULL && name == NULL && datatext == NULL) {
		struct act a = { 0 };

		if (*keyname == '\0' || draft_placeholder(keyname))
			goto out;
		a.kind = A_CREATE_KEY;
		if (asprintf(&a.path, "%s\\%s", st->key, keyname) < 0)
			a.path = NULL;
		a.line = it->line;
		draft_add_hive(st, st->key_hive);
		draft_emit_act(st, &a);
		/* Values added next go under the new key. */
		draft_set_str(&st->key,
		    a.path ? strdup(st->acts[st->nacts - 1].path) : NULL);
		rc = 1;
		goto out;
	}
	if (name == NULL || datatext == NULL || *name == '\0' ||
	    draft_placeholder(name) || *datatext == '\0' ||
	    draft_rx_match(&st->rx, RX_NOTVALUE, datatext, NULL))
		goto out;
	/* A block that writes the type adds the value if it is missing;
	 * one that gives only name and data ("click Modify to change the
	 * following entry", Q164073) changes a value that is there. */
	typed = type != NULL;
	if (draft_parse_data(datatext, type, &type, &data, &note) == -1)
		goto out;
	draft_set_value_act(st, st->key, st->key_hive, name, type, data,
	    st->create || typed, note, it->line);
	rc = 1;
out:
	free(name);
	free(datatext);
	free(keyname);
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
