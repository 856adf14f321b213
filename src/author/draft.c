/* draft.c: turn a KB article's procedure into a remedy draft.
 *
 * The procedure is cut into items (a numbered step, a paragraph, an
 * indented block); registry paths are found in each item however the KB
 * wrote them (one line, wrapped, one element per line, slashes, stray
 * spaces, "From the HKEY_LOCAL_MACHINE subtree, go to \SYSTEM\...");
 * a path cut short inside a sentence is completed only from the same path
 * written alone elsewhere in the procedure.  Then each item is matched
 * against the sentence forms the KB uses for a change (and the steps of
 * Regedit and Regedt32 that only locate a key or a value).  An item that
 * states a change the drafter cannot translate exactly becomes an XML
 * comment that says why: the draft is then "partial".  Nothing is ever
 * inferred beyond the type of a bare number (dword) or of blank, quoted or
 * one-word data (sz), the default value behind Regedt32's "<No Name>" and
 * the root behind the misprint "HKEY_LOCAL_MACHINESYSTEM", and those are
 * marked for review.  Where the article offers methods to choose from, a
 * method that is no registry change is left aside as a comment.
 *
 * Each stage has a file of its own (src/draft-*.c, listed in
 * draft-int.h); this one runs them in order and gives the verdict.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft-int.h"

const char *
draft_status_name(enum draft_status s)
{
	switch (s) {
	case DRAFT_COMPLETE: return "complete";
	case DRAFT_PARTIAL: return "partial";
	case DRAFT_NONE: return "none";
	case DRAFT_ADVISORY: return "advisory";
	}
	return "?";
}

void
draft_free(struct draft *dr)
{
	if (dr == NULL)
		return;
	free(dr->reason);
	free(dr->category);
	free(dr->xml);
	free(dr);
}

/* Scan every item first: a path cut short in a sentence is completed
 * from the same path written alone further on.  -1 on out-of-memory. */
static int
scan_items(struct state *st, struct item *items, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (draft_item_scan(it, st->subtree) == -1)
			return -1;
		for (k = 0; k < it->npaths; k++)
			draft_review_path(st, &it->paths[k]);
		if (st->oom)
			return -1;
		/* "From the HKEY_LOCAL_MACHINE subtree, go to ..." */
		if (it->npaths > 0 && it->paths[0].nelems == 0 &&
		    strncasecmp(it->text + it->paths[0].end, " subtree", 8) ==
		    0)
			draft_set_str(&st->subtree, strdup(it->paths[0].text));
	}
	return draft_paths_complete(items, n);
}

/* Why there is no draft. */
static int
verdict_none(struct state *st, struct draft *dr)
{
	if (st->nregsteps > 0) {
		if (asprintf(&dr->reason, "%zu registry step%s not understood "
		    "(first at line %ld: %s)", st->nregsteps,
		    st->nregsteps == 1 ? "" : "s", st->first_reg_line,
		    st->first_reg_why) < 0 ||
		    asprintf(&dr->category, "registry step not understood: %s",
		    st->first_reg_why) < 0)
			return -1;
	} else {
		if (st->saw_path) {
			dr->reason = strdup("a registry key is named but no "
			    "change to it is stated as a step");
		} else if (st->offline != NULL) {
			if (asprintf(&dr->reason, "not doable offline: %s",
			    st->offline) < 0)
				dr->reason = NULL;
		} else
			dr->reason = strdup(st->a->procedure == NULL ?
			    "no workaround" : "no registry or file step");
		if (dr->reason == NULL ||
		    (dr->category = strdup(dr->reason)) == NULL)
			return -1;
	}
	return 0;
}

/* The status of DR and why: from what the items gave (ST).  *PROC (the
 * procedure's text) and *ADVISORY are what the remedy will quote.  -1 on
 * out-of-memory. */
static int
verdict(struct state *st, struct draft *dr, char **proc, char **advisory)
{
	const struct article *a = st->a;
	int rc;

	/* Alternatives left aside count only when no method was taken. */
	if (st->nacts == 0 && st->nalts > 0) {
		st->nuntranslated += st->nalts;
		if (st->first_untranslated == 0) {
			st->first_untranslated = st->first_alt;
			st->first_why = "an alternative that is no registry "
			    "change";
		}
	}
	dr->nactions = st->nacts;
	dr->nuntranslated = st->nuntranslated;
	dr->restart = st->restart;

	if (st->nacts > 0 && st->nuntranslated == 0) {
		dr->status = DRAFT_COMPLETE;
	} else if (st->nacts > 0) {
		dr->status = DRAFT_PARTIAL;
		if (st->first_reg)
			rc = asprintf(&dr->category, "registry step not "
			    "understood: %s", st->first_why);
		else if (st->path_step && st->first_why != NULL &&
		    strncmp(st->first_why, "the PATH", 8) == 0)
			rc = asprintf(&dr->category, "%s", st->first_why);
		else if (st->first_why != NULL)
			rc = asprintf(&dr->category, "step not doable "
			    "offline: %s", st->first_why);
		else
			rc = asprintf(&dr->category, "step that is no "
			    "registry or file change");
		if (rc < 0 || asprintf(&dr->reason, "%zu step%s left as "
		    "comments (first at line %ld: %s)", st->nuntranslated,
		    st->nuntranslated == 1 ? "" : "s", st->first_untranslated,
		    dr->category) < 0)
			return -1;
	} else if (st->path_step) {
		dr->status = DRAFT_PARTIAL;
		if ((dr->reason = strdup("the PATH step needs review; "
		    "no action drafted")) == NULL ||
		    (dr->category = strdup("the PATH step needs review")) ==
		    NULL)
			return -1;
		if ((*advisory = strdup(*proc)) == NULL)
			return -1;
	} else if (!a->has_workaround && st->nregsteps == 0) {
		const struct article_section *s;

		dr->status = DRAFT_ADVISORY;
		if ((dr->reason = strdup("the article has no workaround")) ==
		    NULL || (dr->category = strdup(dr->reason)) == NULL)
			return -1;
		s = article_section(a, "RESOLUTION");
		if (s == NULL)
			s = a->procedure;
		*advisory = s ? article_section_text(a, s) :
		    strdup(draft_blank(a->title) ? a->number : a->title);
		if (*advisory == NULL)
			return -1;
		/* The advisory repeats the resolution: no need for the
		 * untranslated comments of a procedure it is not. */
		free(st->body.s);
		memset(&st->body, 0, sizeof(st->body));
		free(*proc);
		*proc = NULL;
	} else {
		dr->status = DRAFT_NONE;
		return verdict_none(st, dr);
	}
	return 0;
}

int
draft_make(const struct article *a, struct draft **out, struct diag *d)
{
	struct state st;
	struct draft *dr;
	struct item *items = NULL;
	size_t nitems = 0, i;
	char *proc = NULL, *advisory = NULL;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	st.a = a;
	dr = calloc(1, sizeof(*dr));
	if (dr == NULL || draft_rx_compile(&st.rx) == -1)
		goto oom;
	if (a->procedure != NULL) {
		if ((proc = article_section_text(a, a->procedure)) == NULL)
			goto oom;
		if (draft_items_split(a, a->procedure, &items, &nitems) == -1)
			goto oom;
	}
	if (scan_items(&st, items, nitems) == -1)
		goto oom;
	for (i = 0; i < nitems && !st.oom; i++)
		draft_do_item(&st, &items[i]);
	/* A "the following key" that never came. */
	if (st.pending != NULL)
		draft_drop_pending(&st);
	if (st.oom || st.body.oom || st.warnings.oom)
		goto oom;
	if (st.rx.bad != NULL) {
		/* A handler asked for a group its form has not (draft-rx.c):
		 * a mistake in kbfix, reported as one. */
		diag_error(d, a->name, 0, "internal error: the drafter asks "
		    "for a group '%s' that its sentence form has not",
		    st.rx.bad);
		goto fail;
	}
	if (verdict(&st, dr, &proc, &advisory) == -1)
		goto oom;
	if (dr->status != DRAFT_NONE &&
	    (dr->xml = draft_write_remedy(&st, dr, proc, advisory)) == NULL)
		goto oom;
	for (i = 0; i < nitems; i++)
		draft_item_free(&items[i]);
	free(items);
	free(proc);
	free(advisory);
	draft_state_free(&st);
	*out = dr;
	return 0;
oom:
	diag_oom(d);
fail:
	for (i = 0; i < nitems; i++)
		draft_item_free(&items[i]);
	free(items);
	free(proc);
	free(advisory);
	draft_state_free(&st);
	draft_free(dr);
	return -1;
}
