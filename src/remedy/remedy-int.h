/* remedy-int.h: what the files of the remedy loader share (remedy-values.c:
 * value types, data and registry paths; remedy-xml.c: libxml2 set up and
 * its messages, the checks of the bytes; remedy.c: conversion of the
 * document into struct remedy; remedy-check.c: the semantic checks).  Not
 * for use outside them: remedy.h is the API. */
#ifndef KBFIX_REMEDY_INT_H
#define KBFIX_REMEDY_INT_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "diag.h"
#include "regtext.h"
#include "remedy.h"

#define REMEDY_NS		"urn:kbfix:remedy:1"
#define REMEDY_MAX_FILE		(1024 * 1024)	/* bytes of a remedy file */
#define REMEDY_MAX_STRING	(64 * 1024)	/* bytes of one attribute/text */
#define REMEDY_MAX_DEPTH	32		/* nesting of conditions */
#define REMEDY_MAX_NAME		255		/* registry key name, in chars */

#define TYPE_ANY_STRING		0xFFFFFFFFu

/* ------------------------------------------------------------------ */
/* the loader's state */

struct loader {
	const char *name;		/* file name for messages */
	const unsigned char *buf;
	size_t len;
	struct diag *d;
	int schema_used;		/* the XSD ran: covered checks may be
					 * silent where it spoke */
	long *slines;			/* lines the schema reported on */
	size_t nslines, slcap;
	struct diag covered;		/* converter errors the schema may
					 * have reported already */
	int dtd;			/* a DOCTYPE was seen */
	int oom;
	/* line tracking of start tags (see start_element) */
	size_t scan_pos;
	long scan_line;
	char *generic;			/* text of libxml2's generic errors */
	size_t generic_len;
};

/* libxml2's error handlers as they were before the loader set its own. */
struct saved_handlers {
	xmlGenericErrorFunc gen;
	void *genctx;
	xmlStructuredErrorFunc st;
	void *stctx;
};

/* remedy-values.c */
const char *type_name(uint32_t type, char *buf, size_t len);

/* remedy-xml.c */
void ld_oom(struct loader *ld);
char *ld_strdup(struct loader *ld, const char *s);
char *one_line(const char *m);
void on_structured(void *ctx, xmlErrorPtr e);
xmlParserInputPtr refuse_entity_loader(const char *url, const char *id,
    xmlParserCtxtPtr ctxt);
void handlers_push(struct loader *ld, struct saved_handlers *s);
void handlers_pop(const struct saved_handlers *s);
void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid);
void refuse_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *pid, const xmlChar *sid, xmlChar *content);
void start_element(void *ctx, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri, int nns, const xmlChar **nss,
    int nattrs, int ndefaulted, const xmlChar **attrs);
int check_bytes(struct loader *ld);
const char *node_name(const xmlNode *n);
int check_lengths(struct loader *ld, xmlNode *n);

/* remedy-check.c */
int check_remedy(const struct remedy *r, struct diag *d,
    int schema_checked);

#endif
