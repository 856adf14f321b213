/* draft-xml.c: the remedy document the drafter writes. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft-int.h"

/* Text escaped for element content or a double-quoted attribute. */
static void
dbuf_xml(struct dbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': dbuf_add(b, "&lt;"); break;
		case '>': dbuf_add(b, "&gt;"); break;
		case '&': dbuf_add(b, "&amp;"); break;
		case '"': dbuf_add(b, "&quot;"); break;
		default: dbuf_addc(b, *s); break;
		}
	}
}

/* Text inside an XML comment: "--" is not allowed there, nor a final
 * '-'. */
static void
dbuf_comment(struct dbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		dbuf_addc(b, *s);
		if (*s == '-' && (s[1] == '-' || s[1] == '\0'))
			dbuf_addc(b, ' ');
	}
}

/* The XML of the action A just drafted, with its review notes, into the
 * body. */
void
draft_write_act(struct state *st, const struct act *a)
{
	struct dbuf *b = &st->body;
	size_t i;

	if (a->note != NULL) {
		dbuf_add(b, "    <!-- review: ");
		dbuf_comment(b, a->note);
		dbuf_add(b, " -->\n");
	}
	for (i = 0; i < st->nreviews; i++) {
		size_t l = strlen(st->reviews[i].path), j;

		/* each note once */
		for (j = 0; j < i; j++)
			if (st->reviews[j].note == st->reviews[i].note &&
			    strncasecmp(a->path, st->reviews[j].path,
			    strlen(st->reviews[j].path)) == 0)
				break;
		if (j < i)
			continue;
		if (strncasecmp(a->path, st->reviews[i].path, l) == 0 &&
		    (a->path[l] == '\0' || a->path[l] == '\\')) {
			dbuf_add(b, "    <!-- review: ");
			dbuf_comment(b, st->reviews[i].note);
			dbuf_add(b, " -->\n");
		}
	}
	switch (a->kind) {
	case A_DELETE_KEY:
		dbuf_add(b, "    <delete-key path=\"");
		dbuf_xml(b, a->path);
		dbuf_add(b, "\"/>\n");
		break;
	case A_CREATE_KEY:
		dbuf_add(b, "    <create-key path=\"");
		dbuf_xml(b, a->path);
		dbuf_add(b, "\"/>\n");
		break;
	case A_DELETE_VALUE:
		dbuf_add(b, "    <delete-value path=\"");
		dbuf_xml(b, a->path);
		dbuf_add(b, "\" name=\"");
		dbuf_xml(b, a->name);
		dbuf_add(b, "\"/>\n");
		break;
	case A_SET_VALUE:
		dbuf_add(b, "    <set-value path=\"");
		dbuf_xml(b, a->path);
		dbuf_add(b, "\" name=\"");
		dbuf_xml(b, a->name);
		dbuf_printf(b, "\" type=\"%s\" data=\"", a->type);
		dbuf_xml(b, a->data ? a->data : "");
		dbuf_printf(b, "\"%s/>\n", a->create ? " create=\"true\"" : "");
		break;
	case A_RENAME_FILE:
		dbuf_add(b, "    <rename-file path=\"");
		dbuf_xml(b, a->path);
		dbuf_add(b, "\" to=\"");
		dbuf_xml(b, a->to ? a->to : "");
		dbuf_add(b, "\"/>\n");
		break;
	}
}

/* The item as a comment: WHAT FILE:LINE: WHY, then its text. */
void
draft_comment_item(struct state *st, const struct item *it, const char *what,
    const char *why)
{
	struct dbuf *b = &st->body;
	const char *s;

	const char *base = strrchr(st->a->name, '/');

	/* The base name only: drafts get committed, machine paths must
	 * not. */
	base = base ? base + 1 : st->a->name;
	dbuf_printf(b, "    <!-- %s %s:%ld:", what, base, it->line);
	if (why != NULL) {
		dbuf_addc(b, ' ');
		dbuf_comment(b, why);
	}
	dbuf_addc(b, '\n');
	dbuf_add(b, "         ");
	for (s = it->text; *s != '\0'; s++) {
		if (*s == '\n')
			dbuf_add(b, "\n         ");
		else {
			dbuf_addc(b, *s);
			if (*s == '-' && (s[1] == '-' || s[1] == '\0' ||
			    s[1] == '\n'))
				dbuf_addc(b, ' ');
		}
	}
	dbuf_add(b, " -->\n");
}

void
draft_text_element(struct dbuf *b, const char *el, const char *text, int indent)
{
	const char *s;

	dbuf_printf(b, "%*s<%s>\n%*s", indent, "", el, indent + 2, "");
	for (s = text; *s != '\0'; s++) {
		if (*s == '\n')
			dbuf_printf(b, "\n%*s", s[1] == '\n' ? 0 : indent + 2,
			    "");
		else if (*s == '<')
			dbuf_add(b, "&lt;");
		else if (*s == '>')
			dbuf_add(b, "&gt;");
		else if (*s == '&')
			dbuf_add(b, "&amp;");
		else
			dbuf_addc(b, *s);
	}
	dbuf_printf(b, "\n%*s</%s>\n", indent, "", el);
}

static int
valid_modified(const char *m)
{
	return m != NULL && strlen(m) == 11 && isdigit((unsigned char)m[0]) &&
	    isdigit((unsigned char)m[1]) && m[2] == '-' &&
	    isupper((unsigned char)m[3]) && isupper((unsigned char)m[4]) &&
	    isupper((unsigned char)m[5]) && m[6] == '-' &&
	    strspn(m + 7, "0123456789") == 4;
}

int
draft_blank(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* Does PATH lie at or below KEY (element by element, in any case)? */
static int
at_or_below(const char *path, const char *key)
{
	size_t l = strlen(key);

	return strncasecmp(path, key, l) == 0 &&
	    (path[l] == '\0' || path[l] == '\\');
}

/* The first N elements of PATH (N >= 1), or NULL. */
static char *
first_elems(const char *path, size_t n)
{
	const char *p = path;

	while (n > 0 && (p = strchr(p, '\\')) != NULL && --n > 0)
		p++;
	return p == NULL ? strdup(path) : strndup(path, (size_t)(p - path));
}

static size_t
nelems(const char *path)
{
	size_t n = 1;

	for (; *path; path++)
		n += *path == '\\';
	return n;
}

/* Keys every Windows has: no sign of a product. */
static const char *const everywhere[] = {
	"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control",
	"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services",
	"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Enum",
	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows",
	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT",
	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes",
	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies",
	"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows",
	"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT",
	"HKEY_CURRENT_USER\\Software\\Policies",
	"HKEY_CURRENT_USER\\Control Panel",
	"HKEY_CURRENT_USER\\Environment",
};

/* The key of the product an action that creates (A) writes for: a
 * service's key (Services\NAME), a vendor's product under Software
 * (Software\VENDOR\PRODUCT), or else the key the value goes in (the
 * parent of a key created).  NULL when there is none, or when the draft
 * itself creates that key: a <when> on it would never hold. */
static char *
product_key(const struct state *st, const struct act *a)
{
	size_t n = nelems(a->path), k = 0, i;
	int setv = a->kind == A_SET_VALUE;
	char *key, *e[5] = { NULL };
	const char *p = a->path;

	for (i = 0; i < 5 && p != NULL; i++) {
		const char *q = strchr(p, '\\');

		e[i] = q ? strndup(p, (size_t)(q - p)) : strdup(p);
		p = q ? q + 1 : NULL;
	}
	if (n >= 5 && e[1] && e[3] && strcasecmp(e[1], "SYSTEM") == 0 &&
	    strcasecmp(e[3], "Services") == 0)
		k = 5;
	else if (n >= 4 && e[1] && strcasecmp(e[1], "SOFTWARE") == 0)
		k = 4;
	if (k == 0 || (!setv && n == k))
		k = setv ? n : n - 1;
	/* Keys every machine has say nothing: a hive's root, and
	 * CurrentControlSet in SYSTEM. */
	if (k < 3 || (k < 4 && e[1] && strcasecmp(e[1], "SYSTEM") == 0))
		k = 0;
	for (i = 0; i < 5; i++)
		free(e[i]);
	if (k == 0)
		return NULL;
	if ((key = first_elems(a->path, k)) == NULL)
		return NULL;
	for (i = 0; i < sizeof everywhere / sizeof everywhere[0]; i++)
		if (strcasecmp(key, everywhere[i]) == 0) {
			free(key);
			return NULL;
		}
	for (i = 0; i < st->nacts; i++)
		if (st->acts[i].kind == A_CREATE_KEY &&
		    at_or_below(key, st->acts[i].path)) {
			free(key);
			return NULL;
		}
	return key;
}

/* The conditions the article states ("If values for .exe and/or .com
 * exist ..."), as <when>: only when every action is one the condition
 * governs, since <when> decides for the whole remedy; else a note for
 * the author.  A draft that creates keys or values also checks that the
 * product the article is about is there (the key it writes for), or
 * tells the author to: otherwise it would create them on every machine. */
static void
write_when(struct state *st, struct dbuf *b)
{
	size_t i, all = st->nacts > 0;
	const char *ind = st->nconds > 1 ? "      " : "    ";
	const struct act *cr = NULL;
	char *prod = NULL;

	for (i = 0; i < st->nacts && cr == NULL; i++)
		if (st->acts[i].kind == A_CREATE_KEY ||
		    (st->acts[i].kind == A_SET_VALUE && st->acts[i].create))
			cr = &st->acts[i];
	if (cr != NULL && (prod = product_key(st, cr)) == NULL)
		dbuf_add(b, "  <!-- review: this draft creates keys or values: "
		    "write a <when> that checks that the product the article "
		    "is about is installed (a key of it exists), or the remedy "
		    "creates them on every machine -->\n");
	for (i = 0; i < st->nacts; i++)
		if (!st->acts[i].cond)
			all = 0;
	if (st->nconds > 0 && !all)
		dbuf_add(b, "  <!-- review: the article makes some steps "
		    "conditional (\"if ... exists\"); no <when> is drafted "
		    "for them -->\n");
	if (prod == NULL && (st->nconds == 0 || !all))
		return;
	dbuf_add(b, "  <when>\n");
	if (prod != NULL) {
		dbuf_add(b, "    <!-- review: the key of the product the article "
		    "is about, so that\n         what this remedy creates is "
		    "made only where it is installed -->\n"
		    "    <key-exists path=\"");
		dbuf_xml(b, prod);
		dbuf_add(b, "\"/>\n");
		free(prod);
	}
	if (st->nconds > 0 && all) {
		if (st->nconds > 1)
			dbuf_add(b, "    <any>\n");
		for (i = 0; i < st->nconds; i++) {
			dbuf_printf(b, "%s<%s path=\"", ind, st->conds[i].name ?
			    "value-exists" : "key-exists");
			dbuf_xml(b, st->conds[i].path);
			if (st->conds[i].name != NULL) {
				dbuf_add(b, "\" name=\"");
				dbuf_xml(b, st->conds[i].name);
			}
			dbuf_add(b, "\"/>\n");
		}
		if (st->nconds > 1)
			dbuf_add(b, "    </any>\n");
	}
	dbuf_add(b, "  </when>\n");
}

char *
draft_write_remedy(struct state *st, struct draft *dr, const char *procedure,
    const char *advisory)
{
	const struct article *a = st->a;
	struct dbuf b = { 0 };
	size_t i;

	dbuf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	dbuf_printf(&b, "<!-- Draft of a remedy from %s (kbfix draft, status "
	    "%s", a->number, draft_status_name(dr->status));
	if (dr->reason != NULL) {
		dbuf_add(&b, ": ");
		dbuf_comment(&b, dr->reason);
	}
	dbuf_add(&b, ").\n     Review every action against the article, then "
	    "remove draft=\"true\". -->\n");
	dbuf_add(&b, "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"");
	dbuf_xml(&b, a->number);
	dbuf_add(&b, "\" draft=\"true\">\n");
	dbuf_add(&b, "  <title>");
	dbuf_xml(&b, draft_blank(a->title) ? a->number : a->title);
	dbuf_add(&b, "</title>\n");
	dbuf_add(&b, "  <article number=\"");
	dbuf_xml(&b, a->number);
	dbuf_add(&b, "\"");
	if (valid_modified(a->modified)) {
		dbuf_add(&b, " modified=\"");
		dbuf_xml(&b, a->modified);
		dbuf_add(&b, "\"");
	}
	dbuf_add(&b, ">\n");
	for (i = 0; i < a->nproducts; i++) {
		dbuf_add(&b, "    <product>");
		dbuf_xml(&b, a->products[i]);
		dbuf_add(&b, "</product>\n");
	}
	if (a->nproducts == 0)
		dbuf_add(&b, "    <!-- the article names no product -->\n"
		    "    <product>unknown</product>\n");
	draft_text_element(&b, "symptom", draft_blank(a->symptom) ?
	    "(none given)" : a->symptom, 4);
	if (!draft_blank(procedure))
		draft_text_element(&b, "workaround", procedure, 4);
	dbuf_add(&b, "  </article>\n");
	{
		struct dbuf s = { 0 };

		if (st->nacts == 0)
			dbuf_printf(&s, "Tells what %s says; changes nothing.",
			    a->number);
		else
			dbuf_printf(&s, "Draft: the %zu change%s that %s's "
			    "%s states.", st->nacts, st->nacts == 1 ? "" : "s",
			    a->number, a->procedure ? a->procedure->name :
			    "article");
		draft_text_element(&b, "summary", s.s ? s.s : "draft", 2);
		free(s.s);
	}
	if (st->warnings.s != NULL)
		dbuf_add(&b, st->warnings.s);
	if (st->restart)
		dbuf_add(&b, "  <restart/>\n");
	if (st->nhives == 0) {
		/* A file change or an advisory names no hive, but the schema
		 * wants one: SYSTEM, as the curated remedies do (the
		 * conditions usually look for a service there). */
		dbuf_add(&b, "  <!-- review: no hive is named by the article "
		    "-->\n  <hive name=\"SYSTEM\"/>\n");
	}
	for (i = 0; i < st->nhives; i++)
		dbuf_printf(&b, "  <hive name=\"%s\"/>\n", st->hives[i]);
	write_when(st, &b);
	if (st->nacts > 0) {
		dbuf_add(&b, "  <actions>\n");
		if (st->body.s != NULL)
			dbuf_add(&b, st->body.s);
		dbuf_add(&b, "  </actions>\n");
	} else if (st->body.s != NULL) {
		dbuf_add(&b, st->body.s);
	}
	if (advisory != NULL)
		draft_text_element(&b, "advisory", advisory, 2);
	dbuf_add(&b, "</remedy>\n");
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
