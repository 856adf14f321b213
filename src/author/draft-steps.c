/* draft-steps.c: one item of the procedure, from its paths and sentences
 * to an action, a comment for the author, or nothing. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft-int.h"

/* Items that only set the context for the next ones: 1, or 3 when the
 * whole item is one such sentence (it may then hold a verb of change:
 * "Rename the new value to X"), -1 when it names a key that is not the
 * one located. */
static int
do_context(struct state *st, struct item *it)
{
	const char *f = it->flat;
	struct rxm m;
	int r = 0, quoted;

	if (draft_rx_match(&st->rx, RX_VALUE_IN_KEY, f, &m)) {
		char *n = draft_cap_name(&m, "name", &quoted);

		draft_value_set1(st, n ? strdup(draft_trim(n)) : NULL);
		free(n);
		r = 1;
	} else if (draft_rx_match(&st->rx, RX_FOLLOWING_VALUE, f, &m)) {
		draft_want(st, WANT_VALUE, NULL, NULL);
		r = 1;
	} else if (draft_rx_match(&st->rx, RX_SELECT_VALUE, f, &m)) {
		char *n = draft_cap_name(&m, "name", &quoted);

		draft_value_set1(st, n ? strdup(draft_trim(n)) : NULL);
		free(n);
		r = 3;
	} else if (draft_rx_match(&st->rx, RX_SELECT_ENTRY, f, &m)) {
		char *n = draft_cap(&m, "name");

		draft_value_set1(st, n ? strdup(draft_trim(n)) : NULL);
		free(n);
		r = 3;
	} else if (draft_rx_match(&st->rx, RX_EDIT_TYPE, f, &m)) {
		char *t = draft_cap(&m, "type");

		st->edit_type = draft_type_name(t);
		free(t);
		r = 3;
	} else if (draft_rx_match(&st->rx, RX_NEW_VALUE, f, &m)) {
		char *t = draft_cap(&m, "type");

		st->edit_type = draft_type_name(t);
		st->create = 1;
		free(t);
		r = 1;
	} else if (draft_rx_match(&st->rx, RX_RENAME_NEW, f, &m)) {
		draft_value_set1(st, draft_cap(&m, "name"));
		r = 3;
	} else if (draft_rx_match(&st->rx, RX_SELECT_VALUES, f, &m)) {
		char *list = draft_cap(&m, "names"), *names[VALUES_MAX];
		size_t n = list ?
		    draft_split_names(list, names, VALUES_MAX) : 0, k;

		free(list);
		draft_values_clear(st);
		for (k = 0; k < n; k++) {
			/* "the value for the .exe and/or .com interpreter":
			 * a word after the names only after extensions. */
			if (draft_has(&m, "word") && names[k][0] != '.')
				r = draft_fail(st, W_NAME);
			draft_value_add(st, names[k]);
		}
		if (n == 0)
			r = draft_fail(st, W_NAME);
		if (r == 0)
			r = 3;
		else
			draft_values_clear(st);
	} else if (draft_rx_match(&st->rx, RX_ADDKEY_MENU, f, &m)) {
		draft_want(st, WANT_NEWKEY, NULL, NULL);
		r = 3;
	} else if (draft_rx_match(&st->rx, RX_CLICK_KEY, f, &m)) {
		/* "In the left pane, click the Parameters key to select
		 * it": the key just located, or a step not understood. */
		char *n = draft_cap_name(&m, "name", &quoted);
		const char *last = st->key ? strrchr(st->key, '\\') : NULL;

		if (n != NULL && last != NULL &&
		    strcasecmp(draft_trim(n), last + 1) == 0)
			r = 3;
		else
			r = draft_fail(st, W_KEYNAME);
		free(n);
	} else if (draft_rx_match(&st->rx, RX_NOISE, f, &m)) {
		r = 3;
	}
	if (r < 0)
		return r;
	if (draft_rx_match(&st->rx, RX_FOLLOWING_KEY, f, NULL))
		r = 1;
	if (draft_rx_match(&st->rx, RX_ADD_FOLLOWING, f, NULL)) {
		st->create = 1;
		r = r ? r : 1;
	}
	return r;
}

/* The key action a wait asks for on the path P: KIND on P, or on its
 * subkey SUB (with STAR, "*", the subkeys that start with SUB). */
static void
want_act(struct state *st, struct item *it, const struct path *p,
    enum akind kind, const char *sub, const char *star)
{
	struct act a = { 0 };

	a.kind = kind;
	if (asprintf(&a.path, "%s%s%s%s", p->text, sub ? "\\" : "",
	    sub ? sub : "", star) < 0)
		a.path = NULL;
	a.line = it->line;
	draft_add_hive(st, p->hive);
	draft_emit_act(st, &a);
	st->pending = NULL;
}

/* The path P for the wait of "delete the following keys:", "remove the
 * X key under the following location", "create the following key:",
 * "delete the subkeys that start with X from the following key": 1 if
 * it was taken, 0 if nothing waits for a key, -1 if it cannot be. */
static int
want_key(struct state *st, struct item *it, const struct path *p)
{
	switch (st->want) {
	case WANT_DELKEYS:
	case WANT_DELKEY:
	case WANT_CREATEKEYS:
	case WANT_DELSUB:
		break;
	default:
		return 0;
	}
	if (p->hive == NULL)
		return draft_fail(st, p->why);
	switch (st->want) {
	case WANT_DELKEYS:
		if (p->nelems < 2)
			return draft_fail(st, W_SHORT);
		want_act(st, it, p, A_DELETE_KEY, NULL, "");
		return 1;
	case WANT_CREATEKEYS:
		draft_set_key(st, p, 0);
		want_act(st, it, p, A_CREATE_KEY, NULL, "");
		return 1;
	default:
		want_act(st, it, p, A_DELETE_KEY, st->want_name,
		    st->want == WANT_DELSUB ? "*" : "");
		st->want = WANT_NOTHING;
		draft_set_str(&st->want_name, NULL);
		return 1;
	}
}

/* The item's paths, for an item made of paths only, or for paths that
 * follow "the following key" in the same item. */
static int
do_paths(struct state *st, struct item *it, int only)
{
	size_t k;
	int used = 0, r;

	for (k = 0; k < it->npaths; k++) {
		const struct path *p = &it->paths[k];

		if (p->nelems == 0)
			continue;
		if ((r = want_key(st, it, p)) != 0) {
			if (r < 0)
				return r;
			used = 1;
			continue;
		}
		if (p->hive == NULL) {
			draft_set_key(st, p, 0);
			return draft_fail(st, p->why);
		}
		draft_set_key(st, p, st->want == WANT_VALUE || p->colon);
		if (st->want == WANT_VALUE)
			st->want = WANT_NOTHING;
		if (st->want == WANT_SET) {
			st->want = WANT_NOTHING;
			st->pending = NULL;
			draft_set_value_act(st, st->key, st->key_hive,
			    st->set_name, st->set_type, st->set_data,
			    st->set_create, st->set_note, it->line);
			st->set_data = NULL;
			draft_set_str(&st->set_name, NULL);
			used = 1;
		}
		if (!only)
			used = used ? used : 2;
	}
	return used;
}

/* Nonzero if the flat text is paths and punctuation only. */
static int
paths_only(const struct item *it)
{
	const char *s;

	if (it->npaths == 0)
		return 0;
	for (s = it->flat; *s != '\0'; s++) {
		if (*s == '@') {
			s++;
			while (isdigit((unsigned char)*s))
				s++;
			if (*s != '@')
				return 0;
			continue;
		}
		if (!strchr(" .:\\", *s) && strncasecmp(s, "and", 3) != 0)
			return 0;
		if (strncasecmp(s, "and", 3) == 0)
			s += 2;
	}
	return 1;
}

/* Why a step that changes nothing in the registry cannot be done on an
 * offline hive. */
static const char *
offline_reason(struct state *st, const char *f)
{
	if (draft_rx_match(&st->rx, RX_OFFLINE_INI, f, NULL))
		return "it edits an .ini file";
	if (draft_rx_match(&st->rx, RX_OFFLINE_SCRIPT, f, NULL))
		return "it edits a logon script";
	if (draft_rx_match(&st->rx, RX_OFFLINE_CONSOLE, f, NULL))
		return "it uses a management console or Control Panel";
	if (draft_rx_match(&st->rx, RX_OFFLINE_PROGRAM, f, NULL))
		return "it runs or installs a program";
	if (draft_rx_match(&st->rx, RX_OFFLINE_SERVICE, f, NULL))
		return "it restarts a service";
	return NULL;
}

/* Why a registry step matched no sentence form, as far as its words
 * tell: for the author and for the counts of --stats. */
static const char *
why_unknown(struct state *st, const struct item *it)
{
	const char *f = it->flat;

	if (strpbrk(it->text, "<>") != NULL || strcasestr(f, "xxx") != NULL)
		return "the step holds a placeholder";
	if (draft_rx_match(&st->rx, RX_CHECK, f, NULL))
		return "a check, not a change";
	if (strcasestr(f, "permission") != NULL)
		return "a permission, not a value";
	if (strcasestr(f, " or ") != NULL || strcasestr(f, "either") != NULL)
		return W_CHOICE;
	if (draft_rx_match(&st->rx, RX_NOTVALUE, f, NULL))
		return W_INEXACT;
	if (!draft_rx_match(&st->rx, RX_CHANGE_VERB, f, NULL))
		return "text about the registry that states no change";
	return W_UNKNOWN;
}

static void
untranslated(struct state *st, struct item *it, int regstep)
{
	const char *why = regstep ? (st->why ? st->why :
	    why_unknown(st, it)) : offline_reason(st, it->flat);

	st->nuntranslated++;
	if (st->first_untranslated == 0) {
		st->first_untranslated = it->line;
		st->first_reg = regstep;
		st->first_why = why;
	}
	if (regstep) {
		st->nregsteps++;
		if (st->first_reg_line == 0) {
			st->first_reg_line = it->line;
			st->first_reg_why = why;
		}
	}
	draft_comment_item(st, it, "untranslated", why);
}

/* Nonzero if the sentences of F around the span the form matched state
 * another change: one form is drafted per step. */
static int
other_change(struct state *st, const char *f)
{
	size_t so = st->span_so, eo = st->span_eo, len = strlen(f), i;
	const char *e;
	char *rest;
	int found = 0;

	/* The sentence the span starts in, and the one it ends in. */
	for (i = so; i > 0; i--)
		if (f[i - 1] == ' ' && i >= 2 && f[i - 2] == '.')
			break;
	so = i;
	e = strstr(f + eo, ". ");
	eo = e ? (size_t)(e - f) + 2 : len;
	if ((rest = malloc(len + 2)) == NULL) {
		st->oom = 1;
		return 0;
	}
	/* The other sentences, one by one. */
	memcpy(rest, f, so);
	rest[so] = '\0';
	for (i = 0; i < 2 && !found; i++) {
		char *sent, *save = NULL, *t;

		if (i == 1) {
			memcpy(rest, f + eo, len - eo);
			rest[len - eo] = '\0';
		}
		for (t = rest; (t = strstr(t, ". ")) != NULL; t++)
			t[1] = '\n';
		for (sent = strtok_r(rest, "\n", &save); sent != NULL &&
		    !found; sent = strtok_r(NULL, "\n", &save))
			found = draft_rx_match(&st->rx, RX_CHANGE_VERB, sent,
			    NULL) &&
			    !draft_rx_match(&st->rx, RX_RESTART_ANY, sent,
			    NULL) &&
			    !draft_rx_match(&st->rx, RX_SERVICE, sent, NULL) &&
			    !draft_rx_match(&st->rx, RX_NAV_END, sent, NULL);
	}
	free(rest);
	return found;
}

/* A want whose key or keys never came: its item stays a comment. */
void
draft_drop_pending(struct state *st)
{
	if (st->pending != NULL) {
		st->why = W_PENDING;
		untranslated(st, st->pending, 1);
	}
	st->pending = NULL;
	st->want = WANT_NOTHING;
	draft_set_str(&st->want_name, NULL);
}

/* TEXT, a note of the article, as a <warning>; the first says that the
 * author decides. */
static void
note_warning(struct state *st, const char *text)
{
	if (st->warnings.s == NULL)
		dbuf_add(&st->warnings, "  <!-- review: the notes of the article, "
		    "as warnings: keep those the user must know -->\n");
	draft_text_element(&st->warnings, "warning", text, 2);
}

/* Items that are no step: boilerplate, "-or-", notes and warnings, the
 * fix the workaround stands in for.  1 if IT is one (and dealt with). */
static int
item_aside(struct state *st, struct item *it)
{
	const char *f = it->flat;

	if (strcasecmp(f, "-or-") == 0) {
		st->alts = 1;
		return 1;
	}
	/* "Delete the following keys: A and B", each on its own lines. */
	if (*f == '\0' || it->heading || strcasecmp(f, "-and-") == 0 ||
	    strcasecmp(f, "and") == 0)
		return 1;
	if (draft_rx_match(&st->rx, RX_BOILER, f, NULL))
		return 1;
	/* "Use one of the following methods:" */
	if (draft_rx_match(&st->rx, RX_ALTS, f, NULL))
		st->alts = 1;
	/* A note of the article ("NOTE: ... OWA may not function
	 * properly", the items under "Notes:") is for the user to know, not
	 * a step: a <warning>, for the author to keep or drop.  A note that
	 * introduces what follows ("NOTE: The following is the full path
	 * ...:") stays a comment. */
	if (strncasecmp(f, "NOTE:", 5) == 0 ||
	    strncasecmp(f, "NOTES:", 6) == 0 ||
	    strncasecmp(f, "CAUTION:", 8) == 0 ||
	    strncasecmp(f, "WARNING:", 8) == 0 ||
	    strncasecmp(f, "IMPORTANT:", 10) == 0) {
		const char *t = strchr(it->text, ':') + 1;

		while (*t == ' ' || *t == '\n')
			t++;
		st->in_notes = *t == '\0';
		if (*t != '\0' && (f[strlen(f) - 1] != ':' ||
		    draft_rx_match(&st->rx, RX_WARNS, f, NULL)))
			note_warning(st, t);
		else if (*t != '\0')
			draft_comment_item(st, it, "note from", NULL);
		return 1;
	}
	if (st->in_notes && it->text[0] == '-' && !it->heading) {
		const char *t = it->text + 1;

		while (*t == ' ')
			t++;
		note_warning(st, t);
		return 1;
	}
	st->in_notes = 0;
	/* "To resolve this problem, obtain the latest service pack" before
	 * the workaround: the fix it works around, not a step of it. */
	if (!it->numbered && draft_rx_match(&st->rx, RX_ALT_FIX, f, NULL)) {
		draft_comment_item(st, it, "note from", NULL);
		return 1;
	}
	return 0;
}

/* The item as a step: a PATH step, a .reg snippet, paths, a sentence
 * form, the context it sets, a block of values.  1 if it was dealt with,
 * 0 if it is none of those. */
static int
item_step(struct state *st, struct item *it)
{
	const char *f = it->flat;
	int r, rf, rc, rp;

	if (draft_rx_match(&st->rx, RX_PATH_STEP, f, NULL)) {
		st->path_step = 1;
		st->nuntranslated++;
		if (st->first_untranslated == 0) {
			st->first_untranslated = it->line;
			st->first_why = "the PATH step needs review";
		}
		draft_comment_item(st, it,
		    "REVIEW (a PATH step: an <edit-list> of "
		    "the Path value may express it)", NULL);
		return 1;
	}
	if (strcasecmp(f, "REGEDIT4") == 0 || strcasecmp(f, "REGEDIT") == 0)
		return 1;
	if (strchr(it->text, '[') != NULL || strstr(it->text, "\"=") != NULL) {
		rf = draft_do_regfile(st, it);
		if (rf > 0)
			return 1;
		if (rf < 0) {
			untranslated(st, it, 1);
			return 1;
		}
	}
	if (st->regfile && draft_rx_match(&st->rx, RX_REGFILE, f, NULL))
		return 1;

	/* Paths first: they set the key the sentences speak of. */
	if (paths_only(it)) {
		rp = do_paths(st, it, 1);
		if (rp < 0)
			untranslated(st, it, 1);
		return 1;
	}
	/* "Delete the following keys:" takes the paths that follow it, up
	 * to the first item that is no path. */
	if (st->want == WANT_DELKEYS || st->want == WANT_CREATEKEYS)
		draft_drop_pending(st);
	/* A "Value Name:" block, and the step that introduces it when they
	 * are one item: a path it names first, then the block. */
	if (draft_is_fields(it)) {
		rp = it->npaths > 0 ? do_paths(st, it, 0) : 0;
		if (rp < 0 || draft_do_fields(st, it) != 1)
			untranslated(st, it, 1);
		return 1;
	}

	st->span_so = 0;
	st->span_eo = strlen(f);
	r = draft_do_sentences(st, it);
	if (r == 1 && other_change(st, f)) {
		/* "Change X to "-L0". To permanently override ..., set Y
		 * to "1" as well.": the first is drafted, the step stays. */
		st->why = "the step states more changes than the one drafted";
		untranslated(st, it, 1);
		return 1;
	}
	if (r == 2) {
		/* the key or keys follow in this item or the next ones */
		rp = do_paths(st, it, 0);
		if (rp > 0 && (st->want == WANT_DELKEYS ||
		    st->want == WANT_CREATEKEYS))
			st->want = WANT_NOTHING;
		if (rp > 0 && other_change(st, f)) {
			st->why = "the step states more changes than the one "
			    "drafted";
			rp = -1;
		}
		if (rp < 0)
			untranslated(st, it, 1);
		return 1;
	}
	if (r == 1) {
		/* "..., and then restart the Computer Browser service." */
		if (draft_rx_match(&st->rx, RX_RESTART_ANY, f, NULL))
			st->restart = 1;
		return 1;
	}
	if (r == -1) {
		untranslated(st, it, 1);
		return 1;
	}
	rc = do_context(st, it);
	if (rc < 0) {
		untranslated(st, it, 1);
		return 1;
	}
	if (rc == 3 && it->npaths == 0)
		return 1;
	rp = do_paths(st, it, 0);
	if (rp < 0) {
		untranslated(st, it, 1);
		return 1;
	}
	rf = draft_do_display(st, it);
	if (rf == 0)
		rf = draft_do_fields(st, it);
	if (rf == 1)
		return 1;
	if (rf == -1) {
		untranslated(st, it, 1);
		return 1;
	}
	/* A key named in a sentence that also asks for a change the forms
	 * above did not take ("Delete either A or B under the ... key") is
	 * no mere context. */
	if ((rc || rp > 0) && (f[strlen(f) - 1] == ':' ||
	    !draft_rx_match(&st->rx, RX_CHANGE_VERB, f, NULL)))
		return 1;
	if (rc || rp > 0) {
		untranslated(st, it, 1);
		return 1;
	}
	return 0;
}

/* An item that is no step the drafter knows: navigation in Regedit, a
 * restart, an introduction, a note, or a step left as a comment. */
static void
item_other(struct state *st, struct item *it)
{
	const char *f = it->flat;
	int mentions_reg, isstep;

	mentions_reg = it->npaths > 0 || strcasestr(f, "registry") != NULL ||
	    strcasestr(f, "reg_") != NULL || strcasestr(f, "regedt") != NULL;
	isstep = it->numbered ||
	    draft_rx_match(&st->rx, RX_IMPERATIVE, f, NULL) || it->npaths > 0;
	if (draft_rx_match(&st->rx, RX_NAV_RUN, f, NULL))
		return;
	if (draft_rx_match(&st->rx, RX_NAV_START, f, NULL) && strlen(f) < 100 &&
	    !draft_rx_match(&st->rx, RX_IMPERATIVE, f + 5, NULL))
		return;
	if (draft_rx_match(&st->rx, RX_NAV_START, f, NULL) && strlen(f) < 60)
		return;
	if (draft_rx_match(&st->rx, RX_NAV_END, f, NULL) && strlen(f) < 120)
		return;
	if (draft_rx_match(&st->rx, RX_RESTART, f, NULL) && strlen(f) < 80) {
		st->restart = 1;
		return;
	}
	if (draft_rx_match(&st->rx, RX_SERVICE, f, NULL) && strlen(f) < 250) {
		/* Offline, the services are stopped; they start again
		 * when the machine boots. */
		st->restart = 1;
		return;
	}
	/* "... by doing the following:", "... change the following
	 * entry:": what follows is the step. */
	if (f[strlen(f) - 1] == ':' && it->npaths == 0 &&
	    strcasestr(f, "following") != NULL && strlen(f) < 200 &&
	    offline_reason(st, f) == NULL)
		return;
	if (!it->numbered && it->npaths == 0 && strlen(f) < 300 &&
	    draft_rx_match(&st->rx, RX_INTRO, f, NULL) &&
	    offline_reason(st, f) == NULL)
		return;
	/* "Q288239 SMS: How to Obtain ...": a reference. */
	if (!it->numbered && draft_rx_match(&st->rx, RX_REFERENCE, f, NULL))
		return;
	if (!it->numbered && draft_rx_match(&st->rx, RX_INTRO, f, NULL) &&
	    !mentions_reg && strlen(f) < 200 && !isstep &&
	    offline_reason(st, f) == NULL)
		return;
	/* "To do this, perform the steps in the "Adding Lana Registry Key"
	 * section of this article": the steps are drafted there. */
	if (it->npaths == 0 && draft_rx_match(&st->rx, RX_POINTER, f, NULL)) {
		draft_comment_item(st, it, "note from", NULL);
		return;
	}
	if (!isstep && !mentions_reg && offline_reason(st, f) == NULL) {
		draft_comment_item(st, it, "note from", NULL);
		return;
	}
	/* Where the article offers methods to choose from, a method that
	 * changes no registry ("- Reinstall the ... tool") is one the
	 * draft does not take: kept for the author, and the draft is
	 * complete only if it took another method whole. */
	if (st->alts && it->text[0] == '-' && !mentions_reg) {
		if (st->offline == NULL)
			st->offline = offline_reason(st, f);
		st->nalts++;
		if (st->first_alt == 0)
			st->first_alt = it->line;
		draft_comment_item(st, it, "alternative not drafted from",
		    offline_reason(st, f));
		return;
	}
	if (!mentions_reg && st->offline == NULL)
		st->offline = offline_reason(st, f);
	untranslated(st, it, mentions_reg);
}

void
draft_do_item(struct state *st, struct item *it)
{
	st->why = NULL;
	if (item_aside(st, it))
		return;
	if (!item_step(st, it))
		item_other(st, it);
	if (!paths_only(it) && !draft_is_fields(it))
		st->lead = it;
}
