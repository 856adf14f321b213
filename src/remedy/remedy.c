/* remedy.c: load remedy files (XML) into struct remedy, and check them.
 *
 * A remedy file is untrusted input as far as the parser is concerned (it
 * may come from anyone's pull request or a downloaded library), so:
 *   - the bytes are checked before libxml2 sees them: size cap, no NUL,
 *     strict UTF-8 (libxml2's own messages for these are obscure);
 *   - any DOCTYPE stops the parser at once, from a SAX hook, before the
 *     internal subset is read: no DTD means no entity declarations, hence
 *     no external entities and no entity-expansion bombs.  The parse never
 *     uses XML_PARSE_NOENT, DTDLOAD, DTDATTR, and always NONET, and an
 *     external entity loader that refuses everything is installed while
 *     the document is parsed, in case some path slipped through;
 *   - every libxml2 message goes through our structured handler into the
 *     diag, never to stderr; the previous handlers are put back after.
 *
 * Validation happens in three layers, all of which report into the same
 * diag so that an author sees every problem at once:
 *   1. the XSD (remedies/remedy.xsd): structure, attribute names and
 *      enumerations;
 *   2. conversion to struct remedy: registry paths, data that must fit its
 *      type, and again element/attribute names.  libxml2's validator stops
 *      looking inside an element after the first content error in it, so
 *      the converter repeats the name checks to catch what it skipped;
 *      such "covered" errors are dropped when the schema already reported
 *      an error on the same line, to avoid saying the same thing twice;
 *   3. remedy_check(): semantics no schema can express.
 */
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
/* conversion helpers */

/* An error the schema checks too: kept aside, and reported only if the
 * schema said nothing on that line (see the top of the file). */
static void
covered_error(struct loader *ld, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
covered_error(struct loader *ld, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(&ld->covered, ld->name, line, fmt, ap);
	va_end(ap);
}

static void
flush_covered(struct loader *ld)
{
	size_t i, j;

	for (i = 0; i < ld->covered.n; i++) {
		struct diag_item *it = &ld->covered.items[i];
		int seen = 0;

		for (j = 0; j < ld->nslines && !seen; j++)
			if (ld->slines[j] == it->line)
				seen = 1;
		if (!seen)
			diag_add(ld->d, it->level, it->file, it->line, "%s",
			    it->msg);
	}
	diag_free(&ld->covered);
	diag_init(&ld->covered);
}

static int
is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, REMEDY_NS) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

static long
line_of(const xmlNode *n)
{
	return xmlGetLineNo(n);
}

/* Check N's attributes against SPEC: space-separated names, a trailing
 * '!' marks a required one.  Unknown and missing ones are covered errors.
 * Returns 0 if all required attributes are there. */
static int
check_attrs(struct loader *ld, xmlNode *n, const char *spec)
{
	char name[32];
	const char *s, *e;
	xmlAttr *a;
	int ok = 0;

	for (a = n->properties; a != NULL; a = a->next) {
		size_t al = strlen((const char *)a->name);
		int known = 0;

		if (a->ns == NULL) {
			for (s = spec; *s && !known; s = *e ? e + 1 : e) {
				e = strchr(s, ' ');
				if (e == NULL)
					e = s + strlen(s);
				if ((size_t)(e - s) >= al &&
				    strncmp(s, (const char *)a->name, al) == 0 &&
				    (s + al == e || (s[al] == '!' &&
				    s + al + 1 == e)))
					known = 1;
			}
		}
		if (!known)
			covered_error(ld, line_of(n),
			    "unknown attribute '%s' on <%s>", a->name,
			    node_name(n));
	}
	for (s = spec; *s; s = *e ? e + 1 : e) {
		size_t l;

		e = strchr(s, ' ');
		if (e == NULL)
			e = s + strlen(s);
		l = (size_t)(e - s);
		if (l == 0 || s[l - 1] != '!' || l >= sizeof name)
			continue;
		memcpy(name, s, l - 1);
		name[l - 1] = '\0';
		if (xmlHasNsProp(n, (const xmlChar *)name, NULL) == NULL) {
			covered_error(ld, line_of(n),
			    "missing attribute '%s' on <%s>", name,
			    node_name(n));
			ok = -1;
		}
	}
	return ok;
}

/* The value of attribute NAME (no namespace), or NULL. */
static char *
attr(struct loader *ld, xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *r;

	if (v == NULL)
		return NULL;
	r = ld_strdup(ld, (const char *)v);
	xmlFree(v);
	return r;
}

/* The "name" attribute of a value: at most 16,383 characters (UTF-16
 * code units), as Windows allows. */
static char *
value_name(struct loader *ld, xmlNode *n)
{
	char *v = attr(ld, n, "name");

	if (v != NULL && regfile_name_units(v) > REGFILE_MAX_VALUE_NAME)
		covered_error(ld, line_of(n), "value name of %zu characters: "
		    "Windows allows %d at most", regfile_name_units(v),
		    REGFILE_MAX_VALUE_NAME);
	return v;
}

/* A true/false attribute; DEF when absent. */
static int
attr_bool(struct loader *ld, xmlNode *n, const char *name, int def)
{
	char *v = attr(ld, n, name);
	int r = def;

	if (v == NULL)
		return def;
	if (strcmp(v, "true") == 0)
		r = 1;
	else if (strcmp(v, "false") == 0)
		r = 0;
	else
		covered_error(ld, line_of(n), "bad value '%s' for attribute "
		    "'%s' (use true or false)", v, name);
	free(v);
	return r;
}

static void
unexpected(struct loader *ld, xmlNode *n, const xmlNode *parent)
{
	if (n->type == XML_ELEMENT_NODE)
		covered_error(ld, line_of(n), "unexpected element <%s> in <%s>",
		    node_name(n), node_name(parent));
}

/* Text content of N, with a covered error for any child element. */
static char *
text_of(struct loader *ld, xmlNode *n)
{
	xmlNode *c;
	xmlChar *t;
	char *r;

	for (c = n->children; c != NULL; c = c->next)
		unexpected(ld, c, n);
	check_attrs(ld, n, "");
	t = xmlNodeGetContent(n);
	if (t == NULL)
		return ld_strdup(ld, "");
	r = ld_strdup(ld, (const char *)t);
	xmlFree(t);
	return r;
}

/* Squeeze runs of white space to one space, trim both ends: for text
 * shown as one paragraph (title, product, summary, warning). */
static char *
squeeze(char *s)
{
	char *o = s, *i = s;

	if (s == NULL)
		return NULL;
	while (*i) {
		if (isspace((unsigned char)*i)) {
			while (isspace((unsigned char)*i))
				i++;
			if (o != s && *i)
				*o++ = ' ';
			continue;
		}
		*o++ = *i++;
	}
	*o = '\0';
	return s;
}

/* For text kept as written (symptom, workaround, advisory): drop leading
 * and trailing blank lines, trailing blanks of each line, and the
 * indentation common to all non-blank lines, so that the text does not
 * depend on how deep the element sits in the file. */
static char *
dedent(char *s)
{
	size_t indent = (size_t)-1, n, o;
	char *p, *start, *end, *r;

	if (s == NULL)
		return NULL;
	/* Common indentation: compare each line's leading blanks with the
	 * first non-blank line's, character by character. */
	start = NULL;
	for (p = s; *p; ) {
		char *l = p;
		size_t k = 0;

		while (l[k] == ' ' || l[k] == '\t')
			k++;
		if (l[k] != '\n' && l[k] != '\0') {
			if (start == NULL) {
				start = l;
				indent = k;
			} else {
				size_t m = 0;
				while (m < indent && m < k && l[m] == start[m])
					m++;
				indent = m;
			}
		}
		p = strchr(l, '\n');
		if (p == NULL)
			break;
		p++;
	}
	if (start == NULL) {
		s[0] = '\0';
		return s;
	}
	/* Start at the first non-blank line; end after the last one. */
	p = start;
	end = s + strlen(s);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - p);
	r = malloc(n + 1);
	if (r == NULL)
		return s;	/* keep the text as it was */
	o = 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end, *q = p;
		size_t k = 0;

		while (k < indent && q < le && (*q == ' ' || *q == '\t')) {
			q++;
			k++;
		}
		while (le > q && (le[-1] == ' ' || le[-1] == '\t' ||
		    le[-1] == '\r'))
			le--;
		memcpy(r + o, q, (size_t)(le - q));
		o += (size_t)(le - q);
		if (nl == NULL)
			break;
		r[o++] = '\n';
		p = nl + 1;
	}
	r[o] = '\0';
	free(s);
	return r;
}

static int
grow(struct loader *ld, void **arr, size_t n, size_t size)
{
	void *na;

	/* Grow by one; arrays here are short. */
	na = realloc(*arr, (n + 1) * size);
	if (na == NULL) {
		ld_oom(ld);
		return -1;
	}
	*arr = na;
	memset((char *)na + n * size, 0, size);
	return 0;
}

/* Parse the path attribute of N into P; an error names the path. */
static void
path_of(struct loader *ld, xmlNode *n, struct rpath *p)
{
	char *t = attr(ld, n, "path");
	const char *err;

	memset(p, 0, sizeof *p);
	if (t == NULL)
		return;		/* missing: a covered error already */
	if (rpath_parse(t, p, &err) == -1)
		diag_error(ld->d, ld->name, line_of(n), "bad path '%s': %s",
		    t, err);
	free(t);
}

/* Parse a type attribute; a bad name is a covered error. */
static int
type_of(struct loader *ld, xmlNode *n, const char *aname, uint32_t *type)
{
	char *t = attr(ld, n, aname);
	int r;

	if (t == NULL)
		return -1;
	r = rvalue_type_parse(t, type);
	if (r == -1)
		covered_error(ld, line_of(n), "unknown value type '%s' (sz, "
		    "expand-sz, multi-sz, dword, qword, binary, none, dword-be, "
		    "link, 0xN for another, or REG_SZ, REG_DWORD...: any case)",
		    t);
	free(t);
	return r;
}

/* Encode DATA as TYPE into V; errors name the data. */
static void
encode_of(struct loader *ld, xmlNode *n, uint32_t type, const char *data,
    struct rvalue *v)
{
	const char *err;
	char tb[16];

	if (rvalue_encode(type, data, v, &err) == -1) {
		diag_error(ld->d, ld->name, line_of(n),
		    "bad data '%s' for type %s: %s", data,
		    type_name(type, tb, sizeof tb), err);
		memset(v, 0, sizeof *v);
	}
}

/* ------------------------------------------------------------------ */
/* conditions */

static void cond_clear(struct cond *c);

static void convert_cond(struct loader *ld, xmlNode *n, struct cond *c,
    int depth);

static void
convert_cond_list(struct loader *ld, xmlNode *n, struct cond *c, int depth)
{
	xmlNode *k;

	for (k = n->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (grow(ld, (void **)&c->children, c->nchildren,
		    sizeof *c->children) == -1)
			return;
		convert_cond(ld, k, &c->children[c->nchildren], depth + 1);
		c->nchildren++;
	}
}

static void
convert_cond(struct loader *ld, xmlNode *n, struct cond *c, int depth)
{
	uint32_t type;
	char *data;

	c->line = line_of(n);
	c->kind = COND_ALL;
	if (depth > REMEDY_MAX_DEPTH) {
		diag_error(ld->d, ld->name, c->line, "conditions nested "
		    "deeper than %d levels", REMEDY_MAX_DEPTH);
		return;
	}
	if (is_el(n, "all") || is_el(n, "any") || is_el(n, "not")) {
		c->kind = is_el(n, "all") ? COND_ALL : is_el(n, "any") ?
		    COND_ANY : COND_NOT;
		check_attrs(ld, n, "");
		convert_cond_list(ld, n, c, depth);
	} else if (is_el(n, "key-exists")) {
		c->kind = COND_KEY_EXISTS;
		check_attrs(ld, n, "path!");
		path_of(ld, n, &c->path);
	} else if (is_el(n, "key-empty")) {
		c->kind = COND_KEY_EMPTY;
		check_attrs(ld, n, "path!");
		path_of(ld, n, &c->path);
	} else if (is_el(n, "value-exists")) {
		c->kind = COND_VALUE_EXISTS;
		check_attrs(ld, n, "path! name!");
		path_of(ld, n, &c->path);
		c->name = value_name(ld, n);
	} else if (is_el(n, "value-equals")) {
		c->kind = COND_VALUE_EQUALS;
		check_attrs(ld, n, "path! name! type data!");
		path_of(ld, n, &c->path);
		c->name = value_name(ld, n);
		data = attr(ld, n, "data");
		if (data == NULL)
			return;
		c->text = data;
		if (xmlHasNsProp(n, (const xmlChar *)"type", NULL) == NULL) {
			/* Compared as text with any string type; the bytes
			 * are those of an sz, for callers that want them. */
			encode_of(ld, n, REG_SZ, data, &c->value);
			c->value.type = TYPE_ANY_STRING;
		} else if (type_of(ld, n, "type", &type) == 0)
			encode_of(ld, n, type, data, &c->value);
	} else if (is_el(n, "value-matches")) {
		c->kind = COND_VALUE_MATCHES;
		check_attrs(ld, n, "path! name! pattern!");
		path_of(ld, n, &c->path);
		c->name = value_name(ld, n);
		c->pattern = attr(ld, n, "pattern");
	} else if (is_el(n, "list-contains")) {
		c->kind = COND_LIST_CONTAINS;
		check_attrs(ld, n, "path! name! separator match pattern");
		path_of(ld, n, &c->path);
		c->name = value_name(ld, n);
		c->separator = attr(ld, n, "separator");
		if (c->separator == NULL)
			c->separator = ld_strdup(ld, ";");
		c->match = MATCH_GLOB;
		data = attr(ld, n, "match");
		if (data != NULL && strcmp(data, "network") == 0)
			c->match = MATCH_NETWORK;
		c->pattern = attr(ld, n, "pattern");
		/* An unknown match is reported here; read it the way that
		 * raises no second error about the pattern. */
		if (data != NULL && strcmp(data, "network") != 0 &&
		    strcmp(data, "glob") != 0) {
			covered_error(ld, c->line, "bad match '%s' (use glob "
			    "or network)", data);
			c->match = c->pattern ? MATCH_GLOB : MATCH_NETWORK;
		}
		free(data);
	} else if (is_el(n, "file-exists")) {
		c->kind = COND_FILE_EXISTS;
		check_attrs(ld, n, "path!");
		c->file = attr(ld, n, "path");
	} else if (is_el(n, "architecture")) {
		static const char *const archs[] = { "x86", "alpha", "mips",
		    "ppc", "ia64", "amd64" };
		size_t i;

		c->kind = COND_ARCHITECTURE;
		check_attrs(ld, n, "is!");
		c->arch = attr(ld, n, "is");
		if (c->arch == NULL)
			return;
		for (i = 0; i < sizeof archs / sizeof archs[0]; i++)
			if (strcmp(c->arch, archs[i]) == 0)
				return;
		covered_error(ld, c->line, "unknown architecture '%s'",
		    c->arch);
	} else {
		/* Unknown: kept as an empty <all>, which holds. */
		covered_error(ld, c->line, "unknown condition <%s>",
		    node_name(n));
	}
}

/* ------------------------------------------------------------------ */
/* actions */

static void
convert_set_value(struct loader *ld, xmlNode *n, struct action *a)
{
	uint32_t type;
	char *data, *joined = NULL;
	size_t jl = 0;
	xmlNode *k;
	int nstrings = 0, ok = 1;

	check_attrs(ld, n, "path! name! type! data create");
	path_of(ld, n, &a->path);
	a->name = value_name(ld, n);
	a->create = attr_bool(ld, n, "create", 0);
	data = attr(ld, n, "data");

	/* <string> children: the strings of a multi-sz, joined by '\n' as
	 * rvalue_encode wants them. */
	for (k = n->children; k != NULL; k = k->next) {
		char *s, *nj;
		size_t sl;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!is_el(k, "string")) {
			unexpected(ld, k, n);
			continue;
		}
		s = text_of(ld, k);
		if (s == NULL)
			break;
		nstrings++;
		if (*s == '\0' || strchr(s, '\n') != NULL) {
			diag_error(ld->d, ld->name, line_of(k), "a multi-sz "
			    "string must not be empty or hold a line break");
			ok = 0;
		}
		sl = strlen(s);
		nj = realloc(joined, jl + sl + 2);
		if (nj == NULL) {
			free(s);
			ld_oom(ld);
			ok = 0;
			break;
		}
		joined = nj;
		if (jl > 0)
			joined[jl++] = '\n';
		memcpy(joined + jl, s, sl + 1);
		jl += sl;
		free(s);
	}

	if (type_of(ld, n, "type", &type) == 0) {
		if (nstrings > 0 && data != NULL) {
			diag_error(ld->d, ld->name, a->line, "<set-value> takes "
			    "a data attribute or <string> elements, not both");
		} else if (nstrings > 0 && type != REG_MULTI_SZ) {
			diag_error(ld->d, ld->name, a->line, "<string> "
			    "elements need type=\"multi-sz\"");
		} else if (nstrings == 0 && data == NULL) {
			diag_error(ld->d, ld->name, a->line, "<set-value> needs "
			    "a data attribute (or <string> elements for "
			    "multi-sz)");
		} else if (ok) {
			a->text = nstrings > 0 ? joined : data;
			if (nstrings > 0)
				joined = NULL;
			else
				data = NULL;
			encode_of(ld, n, type, a->text, &a->value);
		}
	}
	free(joined);
	free(data);
}

static void
convert_edit_list(struct loader *ld, xmlNode *n, struct action *a)
{
	xmlNode *k;
	char *s;
	uint32_t t;

	check_attrs(ld, n, "path! name! separator create-type create");
	path_of(ld, n, &a->path);
	a->name = value_name(ld, n);
	a->create = attr_bool(ld, n, "create", 0);
	a->separator = attr(ld, n, "separator");
	if (a->separator == NULL)
		a->separator = ld_strdup(ld, ";");
	a->create_type = REG_EXPAND_SZ;
	s = attr(ld, n, "create-type");
	if (s != NULL) {
		if (rvalue_type_parse(s, &t) == 0 && (t == REG_SZ ||
		    t == REG_EXPAND_SZ))
			a->create_type = t;
		else
			covered_error(ld, a->line, "bad create-type '%s' (use "
			    "sz or expand-sz, or REG_SZ or REG_EXPAND_SZ)", s);
		free(s);
	}

	for (k = n->children; k != NULL; k = k->next) {
		struct list_op *op;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!is_el(k, "remove") && !is_el(k, "append")) {
			unexpected(ld, k, n);
			continue;
		}
		if (grow(ld, (void **)&a->ops, a->nops, sizeof *a->ops) == -1)
			return;
		op = &a->ops[a->nops++];
		op->line = line_of(k);
		if (is_el(k, "remove")) {
			op->kind = LIST_REMOVE;
			check_attrs(ld, k, "match pattern save");
			op->match = MATCH_GLOB;
			s = attr(ld, k, "match");
			if (s != NULL && strcmp(s, "network") == 0)
				op->match = MATCH_NETWORK;
			else if (s != NULL && strcmp(s, "glob") != 0)
				covered_error(ld, op->line, "bad match '%s' "
				    "(use glob or network)", s);
			free(s);
			op->pattern = attr(ld, k, "pattern");
			op->save = attr(ld, k, "save");
		} else {
			op->kind = LIST_APPEND;
			check_attrs(ld, k, "entry from");
			op->entry = attr(ld, k, "entry");
			op->from = attr(ld, k, "from");
		}
	}
}

static void
convert_action(struct loader *ld, xmlNode *n, struct action *a)
{
	a->line = line_of(n);
	if (is_el(n, "delete-key") || is_el(n, "create-key")) {
		a->kind = is_el(n, "delete-key") ? ACT_DELETE_KEY :
		    ACT_CREATE_KEY;
		check_attrs(ld, n, "path!");
		path_of(ld, n, &a->path);
	} else if (is_el(n, "delete-value")) {
		a->kind = ACT_DELETE_VALUE;
		check_attrs(ld, n, "path! name!");
		path_of(ld, n, &a->path);
		a->name = value_name(ld, n);
	} else if (is_el(n, "set-value")) {
		a->kind = ACT_SET_VALUE;
		convert_set_value(ld, n, a);
	} else if (is_el(n, "edit-list")) {
		a->kind = ACT_EDIT_LIST;
		convert_edit_list(ld, n, a);
	} else if (is_el(n, "rename-file")) {
		a->kind = ACT_RENAME_FILE;
		check_attrs(ld, n, "path! to!");
		a->file = attr(ld, n, "path");
		a->to = attr(ld, n, "to");
	} else if (is_el(n, "delete-file")) {
		a->kind = ACT_DELETE_FILE;
		check_attrs(ld, n, "path!");
		a->file = attr(ld, n, "path");
	}
}

static void
convert_actions(struct loader *ld, xmlNode *n, struct remedy *r)
{
	static const char *const kinds[] = { "delete-key", "delete-value",
	    "create-key", "set-value", "edit-list", "rename-file",
	    "delete-file" };
	xmlNode *k;
	size_t i;

	check_attrs(ld, n, "");
	for (k = n->children; k != NULL; k = k->next) {
		int known = 0;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			if (is_el(k, kinds[i]))
				known = 1;
		if (!known) {
			unexpected(ld, k, n);
			continue;
		}
		if (grow(ld, (void **)&r->actions, r->nactions,
		    sizeof *r->actions) == -1)
			return;
		convert_action(ld, k, &r->actions[r->nactions++]);
	}
}

/* ------------------------------------------------------------------ */
/* the document */

static int
add_string(struct loader *ld, char ***arr, size_t *n, char *s)
{
	if (s == NULL)
		return -1;
	if (grow(ld, (void **)arr, *n, sizeof **arr) == -1) {
		free(s);
		return -1;
	}
	(*arr)[(*n)++] = s;
	return 0;
}

/* Store S in *DST unless already set (a covered "twice" error then). */
static void
set_once(struct loader *ld, xmlNode *n, char **dst, char *s)
{
	if (*dst != NULL) {
		covered_error(ld, line_of(n), "<%s> given twice",
		    node_name(n));
		free(s);
		return;
	}
	*dst = s;
}

static void
convert_article(struct loader *ld, xmlNode *n, struct remedy *r)
{
	xmlNode *k;

	check_attrs(ld, n, "number! modified");
	set_once(ld, n, &r->article, attr(ld, n, "number"));
	/* A second <article> is an error set_once reports; its attribute
	 * must not leak the first one's. */
	free(r->modified);
	r->modified = attr(ld, n, "modified");
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(k, "product"))
			add_string(ld, &r->products, &r->nproducts,
			    squeeze(text_of(ld, k)));
		else if (is_el(k, "symptom"))
			set_once(ld, k, &r->symptom, dedent(text_of(ld, k)));
		else if (is_el(k, "workaround"))
			set_once(ld, k, &r->workaround,
			    dedent(text_of(ld, k)));
		else
			unexpected(ld, k, n);
	}
}

static void
convert_hive(struct loader *ld, xmlNode *n, struct remedy *r)
{
	static const enum hive_kind ok[] = { HIVE_SYSTEM, HIVE_SOFTWARE,
	    HIVE_SAM, HIVE_SECURITY, HIVE_NTUSER, HIVE_DEFAULT };
	enum hive_kind h = HIVE_UNKNOWN;
	char *name;
	size_t i;
	int opt;

	check_attrs(ld, n, "name! optional");
	if (r->hives_line == 0)
		r->hives_line = line_of(n);
	opt = attr_bool(ld, n, "optional", 0);
	name = attr(ld, n, "name");
	if (name == NULL)
		return;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(name, hive_kind_name(ok[i])) == 0)
			h = ok[i];
	if (h == HIVE_UNKNOWN) {
		covered_error(ld, line_of(n), "unknown hive '%s'", name);
		free(name);
		return;
	}
	free(name);
	if (grow(ld, (void **)&r->hives, r->nhives, sizeof *r->hives) == -1 ||
	    grow(ld, (void **)&r->hive_optional, r->nhives,
	    sizeof *r->hive_optional) == -1)
		return;
	r->hives[r->nhives] = h;
	r->hive_optional[r->nhives] = opt;
	r->nhives++;
}

static void
convert_remedy(struct loader *ld, xmlNode *root, struct remedy *r)
{
	xmlNode *k;

	r->line = line_of(root);
	r->when.kind = COND_ALL;
	r->when.line = r->line;
	if (!is_el(root, "remedy")) {
		covered_error(ld, r->line, "root element must be <remedy "
		    "xmlns=\"%s\">", REMEDY_NS);
		return;
	}
	check_attrs(ld, root, "id! draft");
	r->id = attr(ld, root, "id");
	r->draft = attr_bool(ld, root, "draft", 0);
	for (k = root->children; k != NULL && !ld->oom; k = k->next) {
		if (k->type == XML_TEXT_NODE) {
			const char *t = (const char *)k->content;
			while (t && *t && isspace((unsigned char)*t))
				t++;
			if (t && *t)
				covered_error(ld, line_of(root), "text not "
				    "allowed in <remedy>");
			continue;
		}
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(k, "title"))
			set_once(ld, k, &r->title, squeeze(text_of(ld, k)));
		else if (is_el(k, "article"))
			convert_article(ld, k, r);
		else if (is_el(k, "summary"))
			set_once(ld, k, &r->summary, squeeze(text_of(ld, k)));
		else if (is_el(k, "warning"))
			add_string(ld, &r->warnings, &r->nwarnings,
			    squeeze(text_of(ld, k)));
		else if (is_el(k, "restart")) {
			free(text_of(ld, k));
			r->restart = 1;
		} else if (is_el(k, "unseen")) {
			r->unseen_line = line_of(k);
			set_once(ld, k, &r->unseen, squeeze(text_of(ld, k)));
		} else if (is_el(k, "hive"))
			convert_hive(ld, k, r);
		else if (is_el(k, "when")) {
			r->when.line = line_of(k);
			check_attrs(ld, k, "");
			convert_cond_list(ld, k, &r->when, 0);
		} else if (is_el(k, "actions"))
			convert_actions(ld, k, r);
		else if (is_el(k, "advisory"))
			set_once(ld, k, &r->advisory, dedent(text_of(ld, k)));
		else
			unexpected(ld, k, root);
	}
}


static void
sha256_of(const void *buf, size_t len, unsigned char out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, len, buf);
#if NETTLE_VERSION_MAJOR >= 4
	sha256_digest(&c, out);
#else
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
#endif
}

/* The parsed schema, kept for the whole process: parsing remedy.xsd costs
 * far more than validating a remedy with it (about 2 ms against 0.1), and
 * a run loads every remedy of the library.  Keyed by path; a schema that
 * fails to parse is not kept, so its errors are reported each time.  Never
 * freed: it lives as long as the program. */
static xmlSchemaPtr
schema_get(const char *path, struct loader *ld)
{
	static char *cached_path;
	static xmlSchemaPtr cached;
	xmlSchemaParserCtxtPtr spc;
	xmlSchemaPtr schema = NULL;
	char *p;

	if (cached != NULL && strcmp(cached_path, path) == 0)
		return cached;
	spc = xmlSchemaNewParserCtxt(path);
	if (spc != NULL) {
		xmlSchemaSetParserStructuredErrors(spc, on_structured, ld);
		schema = xmlSchemaParse(spc);
		xmlSchemaFreeParserCtxt(spc);
	}
	if (schema == NULL)
		return NULL;
	if ((p = strdup(path)) == NULL) {
		xmlSchemaFree(schema);
		ld_oom(ld);
		return NULL;
	}
	if (cached != NULL) {
		xmlSchemaFree(cached);
		free(cached_path);
	}
	cached = schema;
	cached_path = p;
	return cached;
}

/* Parse and validate the document with the handlers in place. */
static int
load_doc(struct loader *ld, const char *schema_path, struct remedy *r)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlSchemaPtr schema = NULL;
	xmlSchemaValidCtxtPtr vc = NULL;
	xmlExternalEntityLoader old_loader;
	xmlDocPtr doc = NULL;
	xmlNode *root;
	size_t before = ld->d->nerrors;
	int fd;

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL || ctxt->sax == NULL) {
		ld_oom(ld);
		goto out;
	}
	ctxt->_private = ld;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->sax->externalSubset = refuse_dtd;
	ctxt->sax->entityDecl = refuse_entity_decl;
	ctxt->sax->startElementNs = start_element;
	ld->scan_pos = 0;
	ld->scan_line = 1;
	/* The check_bytes() pass made the input strict UTF-8 without NUL,
	 * so no other encoding can be autodetected; IGNORE_ENC keeps a
	 * declaration from switching to one. */
	old_loader = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(refuse_entity_loader);
	doc = xmlCtxtReadMemory(ctxt, (const char *)ld->buf, (int)ld->len,
	    ld->name, NULL, XML_PARSE_NONET | XML_PARSE_IGNORE_ENC |
	    XML_PARSE_NOCDATA | XML_PARSE_NOXINCNODE);
	xmlSetExternalEntityLoader(old_loader);
	if (ld->dtd || doc == NULL || !ctxt->wellFormed) {
		if (ld->d->nerrors == before)
			diag_error(ld->d, ld->name, 0, "cannot parse the "
			    "document");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL) {
		diag_error(ld->d, ld->name, 0, "no root element");
		goto out;
	}
	if (check_lengths(ld, root) > 0)
		goto out;

	/* Opened by hand first for a plain message when it is missing. */
	fd = open(schema_path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		diag_error(ld->d, schema_path, 0, "cannot open schema '%s': %s",
		    schema_path, strerror(errno));
		goto out;
	}
	close(fd);
	schema = schema_get(schema_path, ld);
	if (schema == NULL) {
		diag_error(ld->d, schema_path, 0, "cannot load schema '%s'",
		    schema_path);
		goto out;
	}
	vc = xmlSchemaNewValidCtxt(schema);
	if (vc == NULL) {
		ld_oom(ld);
		goto out;
	}
	xmlSchemaSetValidStructuredErrors(vc, on_structured, ld);
	ld->schema_used = 1;
	if (xmlSchemaValidateDoc(vc, doc) != 0 && ld->d->nerrors == before)
		diag_error(ld->d, ld->name, 0, "the document does not match "
		    "the schema");

	convert_remedy(ld, root, r);
	flush_covered(ld);
	if (!ld->oom)
		check_remedy(r, ld->d, 1);
out:
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return ld->d->nerrors == before ? 0 : -1;
}

int
remedy_load_memory(const char *buf, size_t len, const char *name,
    const char *schema_path, struct remedy **out, struct diag *d)
{
	struct saved_handlers saved;
	struct loader ld;
	struct remedy *r;
	size_t before = d->nerrors;

	*out = NULL;
	memset(&ld, 0, sizeof ld);
	ld.name = name;
	ld.buf = (const unsigned char *)buf;
	ld.len = len;
	ld.d = d;
	diag_init(&ld.covered);

	if (len > REMEDY_MAX_FILE)
		return diag_error(d, name, 0,
		    "file too large (%zu bytes, limit %d)",
		    len, REMEDY_MAX_FILE);
	if (check_bytes(&ld) == -1)
		return -1;
	r = calloc(1, sizeof *r);
	if (r == NULL || (r->file = strdup(name)) == NULL) {
		free(r);
		return diag_oom(d);
	}
	sha256_of(buf, len, r->sha256);

	xmlInitParser();
	handlers_push(&ld, &saved);
	load_doc(&ld, schema_path, r);
	handlers_pop(&saved);

	if (ld.generic != NULL) {
		char *m = one_line(ld.generic);
		if (m != NULL && *m != '\0')
			diag_warning(d, name, 0, "libxml2: %s", m);
		free(m);
		free(ld.generic);
	}
	diag_free(&ld.covered);
	free(ld.slines);
	if (d->nerrors != before) {
		remedy_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int
remedy_load(const char *path, const char *schema_path, struct remedy **out,
    struct diag *d)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	*out = NULL;
	/* O_NONBLOCK: a FIFO named like a remedy must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1) {
		diag_error(d, NULL, 0, "cannot read '%s': %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_error(d, NULL, 0, "cannot read '%s': not a regular file",
		    path);
		close(fd);
		return -1;
	}
	if (st.st_size > REMEDY_MAX_FILE) {
		diag_error(d, path, 0, "file too large (%lld bytes, limit %d)",
		    (long long)st.st_size, REMEDY_MAX_FILE);
		close(fd);
		return -1;
	}
	/* One byte more than the limit, in case the file grew meanwhile. */
	buf = malloc(REMEDY_MAX_FILE + 2);
	if (buf == NULL) {
		close(fd);
		return diag_oom(d);
	}
	while (len <= REMEDY_MAX_FILE) {
		n = read(fd, buf + len, REMEDY_MAX_FILE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			diag_error(d, NULL, 0, "cannot read '%s': %s", path,
			    strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	r = remedy_load_memory(buf, len, path, schema_path, out, d);
	free(buf);
	return r;
}

/* ------------------------------------------------------------------ */
/* freeing */

static void
cond_clear(struct cond *c)
{
	size_t i;

	rpath_free(&c->path);
	free(c->name);
	free(c->value.data);
	free(c->text);
	free(c->pattern);
	free(c->separator);
	free(c->file);
	free(c->arch);
	for (i = 0; i < c->nchildren; i++)
		cond_clear(&c->children[i]);
	free(c->children);
	memset(c, 0, sizeof *c);
}

static void
action_clear(struct action *a)
{
	size_t i;

	rpath_free(&a->path);
	free(a->name);
	free(a->value.data);
	free(a->text);
	free(a->separator);
	for (i = 0; i < a->nops; i++) {
		free(a->ops[i].pattern);
		free(a->ops[i].save);
		free(a->ops[i].entry);
		free(a->ops[i].from);
	}
	free(a->ops);
	free(a->file);
	free(a->to);
}

void
remedy_free(struct remedy *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->id);
	free(r->file);
	free(r->title);
	free(r->article);
	free(r->modified);
	for (i = 0; i < r->nproducts; i++)
		free(r->products[i]);
	free(r->products);
	free(r->symptom);
	free(r->workaround);
	free(r->summary);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	free(r->advisory);
	free(r->unseen);
	free(r->hives);
	free(r->hive_optional);
	cond_clear(&r->when);
	for (i = 0; i < r->nactions; i++)
		action_clear(&r->actions[i]);
	free(r->actions);
	free(r);
}
