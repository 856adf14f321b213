/* draftutil.c: helpers shared by the drafter's test suites. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "article.h"
#include "draft.h"
#include "remedy.h"
#include "draftutil.h"
#include "testutil.h"

/* The schema of the remedy language, when it is in the tree. */
static xmlSchemaPtr schema;


void
dt_schema_load(void)
{
	char *path = NULL;
	xmlSchemaParserCtxtPtr pc;
	struct stat st;

	/* Called from main(), outside a test: no ck_assert here. */
	if (asprintf(&path, "%s/remedies/remedy.xsd", tu_srcdir()) < 0)
		return;
	if (stat(path, &st) == 0 &&
	    (pc = xmlSchemaNewParserCtxt(path)) != NULL) {
		schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	free(path);
}

/* Nonzero if XML is well-formed and, when the schema is there, valid. */
int
dt_xml_valid(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	int ok = doc != NULL;

	if (ok && schema != NULL) {
		xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);

		ok = vc != NULL && xmlSchemaValidateDoc(vc, doc) == 0;
		xmlSchemaFreeValidCtxt(vc);
	}
	xmlFreeDoc(doc);
	return ok;
}

char *
dt_schema_path(void)
{
	return tu_path(tu_srcdir(), "remedies/remedy.xsd");
}

/* Load XML with the project's loader (schema and semantic checks);
 * fails the test with the loader's messages if it does not load. */
struct remedy *
dt_load_xml(const char *xml, const char *name)
{
	struct remedy *r = NULL;
	struct diag d;
	char *xsd = dt_schema_path();
	char *msgs = NULL;
	size_t mlen = 0;
	FILE *f;

	diag_init(&d);
	if (remedy_load_memory(xml, strlen(xml), name, xsd, &r, &d) == 0)
		remedy_check(r, &d);
	f = open_memstream(&msgs, &mlen);
	diag_print(&d, f);
	fclose(f);
	ck_assert_msg(r != NULL && d.nerrors == 0, "%s:\n%s\n%s", name, msgs,
	    xml);
	free(msgs);
	diag_free(&d);
	free(xsd);
	return r;
}


struct draft *
dt_draft_of(const char *text, const char *name)
{
	struct article *a = NULL;
	struct draft *dr = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(article_parse(text, strlen(text), name, &a, &d), 0);
	ck_assert_int_eq(draft_make(a, &dr, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	article_free(a);
	diag_free(&d);
	if (dr->xml != NULL)
		ck_assert_msg(dt_xml_valid(dr->xml), "invalid draft:\n%s",
		    dr->xml);
	return dr;
}


/* The lines of the draft's <actions> that are elements (comments
 * dropped), each trimmed and ended with '\n'. */
char *
dt_actions_of(const struct draft *dr)
{
	const char *s, *e;
	char *out = calloc(1, 1);
	size_t len = 0;
	int in = 0, comment = 0;

	ck_assert_ptr_nonnull(dr->xml);
	for (s = dr->xml; *s != '\0'; s = *e ? e + 1 : e) {
		const char *t = s;
		size_t n;

		e = strchr(s, '\n');
		if (e == NULL)
			e = s + strlen(s);
		while (*t == ' ')
			t++;
		n = (size_t)(e - t);
		if (comment) {
			if (n >= 3 && strncmp(e - 3, "-->", 3) == 0)
				comment = 0;
			continue;
		}
		if (strncmp(t, "<!--", 4) == 0) {
			comment = !(n >= 3 && strncmp(e - 3, "-->", 3) == 0);
			continue;
		}
		if (strncmp(t, "<actions>", 9) == 0) {
			in = 1;
			continue;
		}
		if (strncmp(t, "</actions>", 10) == 0)
			in = 0;
		if (!in)
			continue;
		out = realloc(out, len + n + 2);
		memcpy(out + len, t, n);
		len += n;
		out[len++] = '\n';
		out[len] = '\0';
	}
	return out;
}

void
dt_schema_free(void)
{
	if (schema != NULL)
		xmlSchemaFree(schema);
	schema = NULL;
}
