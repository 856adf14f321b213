/* remedy-xml.c: the loader's dealings with libxml2: its messages made
 * one-line diagnostics, the DOCTYPE and external entities refused, and the
 * bytes and lengths checked before and after it parses (remedy.c's top
 * comment says why). */
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
void
ld_oom(struct loader *ld)
{
	if (!ld->oom)
		diag_oom(ld->d);
	ld->oom = 1;
}

char *
ld_strdup(struct loader *ld, const char *s)
{
	char *r;

	if (s == NULL)
		return NULL;
	r = strdup(s);
	if (r == NULL)
		ld_oom(ld);
	return r;
}

/* Rewrite libxml2's message on one line: newlines become spaces, runs of
 * blanks are squeezed, the trailing newline goes, and our namespace is
 * dropped from "{urn:kbfix:remedy:1}title" so the names read as written. */
char *
one_line(const char *m)
{
	static const char ns[] = "{" REMEDY_NS "}";
	size_t n = strlen(m), o = 0, i;
	char *r = malloc(n + 1);

	if (r == NULL)
		return NULL;
	for (i = 0; i < n;) {
		if (strncmp(m + i, ns, sizeof ns - 1) == 0) {
			i += sizeof ns - 1;
			continue;
		}
		if (isspace((unsigned char)m[i])) {
			if (o > 0 && r[o - 1] != ' ')
				r[o++] = ' ';
			i++;
			continue;
		}
		r[o++] = m[i++];
	}
	while (o > 0 && r[o - 1] == ' ')
		o--;
	r[o] = '\0';
	return r;
}

void
on_structured(void *ctx, xmlErrorPtr e)
{
	struct loader *ld = ctx;
	const char *file;
	char *msg;

	if (e == NULL || e->level == XML_ERR_NONE)
		return;
	file = e->file != NULL ? e->file : ld->name;
	msg = one_line(e->message != NULL ? e->message : "unknown error");
	if (msg == NULL) {
		ld_oom(ld);
		return;
	}
	if (e->domain == XML_FROM_SCHEMASV && e->line > 0) {
		if (ld->nslines == ld->slcap) {
			size_t nc = ld->slcap ? 2 * ld->slcap : 16;
			long *nl = realloc(ld->slines, nc * sizeof *nl);
			if (nl != NULL) {
				ld->slines = nl;
				ld->slcap = nc;
			}
		}
		if (ld->nslines < ld->slcap)
			ld->slines[ld->nslines++] = e->line;
	}
	diag_add(ld->d, e->level == XML_ERR_WARNING ? DIAG_WARNING :
	    DIAG_ERROR, file, e->line, "%s", msg);
	free(msg);
}

/* libxml2 still sends a few messages through the generic handler (in
 * pieces, printf style); keep them instead of letting them reach stderr. */
static void
on_generic(void *ctx, const char *fmt, ...)
{
	struct loader *ld = ctx;
	va_list ap;
	char *s = NULL, *n;
	int l;

	va_start(ap, fmt);
	l = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (l <= 0)
		return;
	n = realloc(ld->generic, ld->generic_len + (size_t)l + 1);
	if (n != NULL) {
		memcpy(n + ld->generic_len, s, (size_t)l + 1);
		ld->generic = n;
		ld->generic_len += (size_t)l;
	}
	free(s);
}

xmlParserInputPtr
refuse_entity_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;
}

void
handlers_push(struct loader *ld, struct saved_handlers *s)
{
	s->gen = xmlGenericError;
	s->genctx = xmlGenericErrorContext;
	s->st = xmlStructuredError;
	s->stctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(ld, on_generic);
	xmlSetStructuredErrorFunc(ld, on_structured);
}

void
handlers_pop(const struct saved_handlers *s)
{
	xmlSetStructuredErrorFunc(s->stctx, s->st);
	xmlSetGenericErrorFunc(s->genctx, s->gen);
}

/* ------------------------------------------------------------------ */
/* parsing */

void
refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct loader *ld = ctxt->_private;

	if (!ld->dtd)
		diag_error(ld->d, ld->name, xmlSAX2GetLineNumber(ctxt),
		    "DTD not allowed");
	ld->dtd = 1;
	/* Stops before the internal subset is read: no entity is ever
	 * declared, let alone expanded or fetched. */
	xmlStopParser(ctxt);
}

void
refuse_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *pid, const xmlChar *sid, xmlChar *content)
{
	refuse_dtd(ctx, name, pid, sid);
}

/* libxml2 gives an element the line where its start tag ends; authors
 * expect the line of its '<'.  When the SAX callback runs, the parser
 * stands inside the start tag (at its '>' or "/>"), and a start tag cannot
 * hold a literal '<', so the last '<' before that point opens it.  Start
 * tags come in document order, so one forward scan counts the lines. */
void
start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nss, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct loader *ld = ctxt->_private;
	long at = xmlByteConsumed(ctxt);
	size_t lt;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nns, nss, nattrs,
	    ndefaulted, attrs);
	if (ctxt->node == NULL || at <= 0 || (size_t)at > ld->len)
		return;
	lt = (size_t)at;
	while (lt > ld->scan_pos && ld->buf[lt - 1] != '<')
		lt--;
	if (lt == ld->scan_pos)
		return;
	for (; ld->scan_pos < lt; ld->scan_pos++)
		if (ld->buf[ld->scan_pos] == '\n')
			ld->scan_line++;
	if (ld->scan_line <= 65535)
		ctxt->node->line = (unsigned short)ld->scan_line;
}

/* The encoding named by the XML declaration at the start of BUF (after a
 * UTF-8 byte-order mark), into OUT; 0 if there is none. */
static int
declared_encoding(const unsigned char *buf, size_t len, char *out,
    size_t size)
{
	const unsigned char *p = buf, *end, *e;
	size_t n;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	end = buf + len;
	if (end - p < 5 || memcmp(p, "<?xml", 5) != 0)
		return 0;
	for (e = p; e + 1 < end && !(e[0] == '?' && e[1] == '>'); e++)
		;
	for (; p + 8 < e; p++) {
		unsigned char q;

		if (memcmp(p, "encoding", 8) != 0)
			continue;
		for (p += 8; p < e && (*p == ' ' || *p == '=' || *p == '\t' ||
		    *p == '\r' || *p == '\n'); p++)
			;
		if (p >= e || (*p != '"' && *p != '\''))
			return 0;
		q = *p++;
		for (n = 0; p + n < e && p[n] != q; n++)
			;
		if (n >= size)
			n = size - 1;
		memcpy(out, p, n);
		out[n] = '\0';
		return 1;
	}
	return 0;
}

/* Check the raw bytes: UTF-8 and said so (a UTF-16 file, or a declaration
 * of another encoding, is refused by name rather than by its first odd
 * byte; XML_PARSE_IGNORE_ENC would otherwise read a Latin-1 declaration
 * as UTF-8), no NUL, strict UTF-8. */
int
check_bytes(struct loader *ld)
{
	size_t i;
	long line = 1;
	char enc[64];

	if (ld->len >= 2 && ((ld->buf[0] == 0xFF && ld->buf[1] == 0xFE) ||
	    (ld->buf[0] == 0xFE && ld->buf[1] == 0xFF)))
		return diag_error(ld->d, ld->name, 1,
		    "UTF-16 text (it starts with a "
		    "byte-order mark): remedy files must be UTF-8");
	if (declared_encoding(ld->buf, ld->len, enc, sizeof enc) &&
	    strcasecmp(enc, "UTF-8") != 0) {
		for (i = 0; enc[i] != '\0'; i++)
			if ((unsigned char)enc[i] < 0x20 ||
			    (unsigned char)enc[i] >= 0x7F)
				enc[i] = '?';
		return diag_error(ld->d, ld->name, 1,
		    "declared encoding '%s': remedy "
		    "files must be UTF-8", enc);
	}
	for (i = 0; i < ld->len;) {
		uint32_t c;
		size_t l;

		if (ld->buf[i] == '\n')
			line++;
		if (ld->buf[i] == 0)
			return diag_error(ld->d, ld->name, line,
			    "NUL byte in file");
		l = names_utf8_get(ld->buf + i, ld->len - i, &c);
		if (l == 0)
			return diag_error(ld->d, ld->name, line,
			    "invalid UTF-8 (byte 0x%02x)", ld->buf[i]);
		i += l;
	}
	return 0;
}

const char *
node_name(const xmlNode *n)
{
	return (const char *)n->name;
}

/* Refuse attributes and text longer than REMEDY_MAX_STRING.  Returns the
 * number of errors. */
int
check_lengths(struct loader *ld, xmlNode *n)
{
	int errs = 0;

	for (; n != NULL; n = n->next) {
		xmlAttr *a;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			size_t l = n->content ? strlen((char *)n->content) : 0;
			if (l > REMEDY_MAX_STRING) {
				diag_error(ld->d, ld->name, n->parent ?
				    xmlGetLineNo(n->parent) : 0,
				    "text of <%s> is too long (%zu bytes, "
				    "limit %d)", n->parent ?
				    node_name(n->parent) : "?", l,
				    REMEDY_MAX_STRING);
				errs++;
			}
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a != NULL; a = a->next) {
			xmlNode *t;
			size_t l = 0;

			for (t = a->children; t != NULL; t = t->next)
				if (t->content)
					l += strlen((char *)t->content);
			if (l > REMEDY_MAX_STRING) {
				diag_error(ld->d, ld->name, xmlGetLineNo(n),
				    "attribute '%s' of <%s> is too long "
				    "(%zu bytes, limit %d)", a->name,
				    node_name(n), l, REMEDY_MAX_STRING);
				errs++;
			}
		}
		errs += check_lengths(ld, n->children);
	}
	return errs;
}
