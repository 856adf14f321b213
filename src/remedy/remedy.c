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
#include "regfile.h"
#include "remedy.h"

#define REMEDY_NS		"urn:kbfix:remedy:1"
#define REMEDY_MAX_FILE		(1024 * 1024)	/* bytes of a remedy file */
#define REMEDY_MAX_STRING	(64 * 1024)	/* bytes of one attribute/text */
#define REMEDY_MAX_DEPTH	32		/* nesting of conditions */
#define REMEDY_MAX_NAME		255		/* registry key name, in chars */

#define TYPE_ANY_STRING		0xFFFFFFFFu

/* ------------------------------------------------------------------ */
/* UTF-8 */

/* ------------------------------------------------------------------ */
/* value types and data */

static const struct {
	const char *name;
	uint32_t type;
} type_names[] = {
	{ "none", REG_NONE },
	{ "sz", REG_SZ },
	{ "expand-sz", REG_EXPAND_SZ },
	{ "binary", REG_BINARY },
	{ "dword", REG_DWORD },
	{ "dword-be", REG_DWORD_BIG_ENDIAN },
	{ "link", REG_LINK },
	{ "multi-sz", REG_MULTI_SZ },
	{ "qword", REG_QWORD },
};

/* The names the articles and regedit use, which authors copy from them:
 * taken in any case, as kbfix's own names are. */
static const struct {
	const char *name;
	uint32_t type;
} type_aliases[] = {
	{ "REG_NONE", REG_NONE },
	{ "REG_SZ", REG_SZ },
	{ "REG_EXPAND_SZ", REG_EXPAND_SZ },
	{ "REG_BINARY", REG_BINARY },
	{ "REG_DWORD", REG_DWORD },
	{ "REG_DWORD_LITTLE_ENDIAN", REG_DWORD },
	{ "REG_DWORD_BIG_ENDIAN", REG_DWORD_BIG_ENDIAN },
	{ "REG_LINK", REG_LINK },
	{ "REG_MULTI_SZ", REG_MULTI_SZ },
	{ "REG_RESOURCE_LIST", 8 },
	{ "REG_FULL_RESOURCE_DESCRIPTOR", 9 },
	{ "REG_RESOURCE_REQUIREMENTS_LIST", 10 },
	{ "REG_QWORD", REG_QWORD },
	{ "REG_QWORD_LITTLE_ENDIAN", REG_QWORD },
};

int
rvalue_type_parse(const char *name, uint32_t *type)
{
	size_t i, n;
	uint32_t t;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
		if (strcasecmp(name, type_names[i].name) == 0) {
			*type = type_names[i].type;
			return 0;
		}
	}
	for (i = 0; i < sizeof type_aliases / sizeof type_aliases[0]; i++) {
		if (strcasecmp(name, type_aliases[i].name) == 0) {
			*type = type_aliases[i].type;
			return 0;
		}
	}
	/* "0x" and 1..8 hex digits, as the schema's pattern says. */
	if (name[0] != '0' || name[1] != 'x')
		return -1;
	n = strlen(name + 2);
	if (n < 1 || n > 8 || strspn(name + 2, "0123456789abcdefABCDEF") != n)
		return -1;
	t = 0;
	for (i = 2; name[i] != '\0'; i++) {
		int c = (unsigned char)name[i];
		t = (t << 4) | (uint32_t)(isdigit(c) ? c - '0' :
		    tolower(c) - 'a' + 10);
	}
	*type = t;
	return 0;
}

/* Name of TYPE for messages; static storage or BUF. */
static const char *
type_name(uint32_t type, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	snprintf(buf, len, "0x%x", type);
	return buf;
}

/* Append code point C as UTF-16LE to OUT (room checked by the caller:
 * four bytes at most). */
static size_t
utf16_put(unsigned char *out, uint32_t c)
{
	if (c >= 0x10000) {
		uint32_t hi, lo;

		c -= 0x10000;
		hi = 0xD800 | (c >> 10);
		lo = 0xDC00 | (c & 0x3FF);
		out[0] = hi & 0xFF;
		out[1] = hi >> 8;
		out[2] = lo & 0xFF;
		out[3] = lo >> 8;
		return 4;
	}
	out[0] = c & 0xFF;
	out[1] = c >> 8;
	return 2;
}

/* Parse an unsigned decimal or 0x-hex number no larger than MAX. */
static int
parse_number(const char *s, uint64_t max, uint64_t *out, const char **err)
{
	uint64_t v = 0;
	int base = 10, any = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s != '\0'; s++) {
		int c = (unsigned char)*s, dv;

		if (c == ' ' || c == '\t')
			break;
		if (isdigit(c))
			dv = c - '0';
		else if (base == 16 && isxdigit(c))
			dv = tolower(c) - 'a' + 10;
		else {
			*err = "not a number";
			return -1;
		}
		if (v > (max - (uint64_t)dv) / (uint64_t)base) {
			*err = "number out of range";
			return -1;
		}
		v = v * (uint64_t)base + (uint64_t)dv;
		any = 1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (!any || *s != '\0') {
		*err = "not a number";
		return -1;
	}
	*out = v;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
rvalue_encode(uint32_t type, const char *text, struct rvalue *v,
    const char **err)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), i, o;
	unsigned char *buf;
	uint64_t num;

	memset(v, 0, sizeof *v);
	v->type = type;
	switch (type) {
	case REG_SZ:
	case REG_EXPAND_SZ:
	case REG_LINK:
	case REG_MULTI_SZ:
		/* Each UTF-8 byte gives at most two UTF-16 bytes; plus the
		 * NULs (one per string and the list's). */
		buf = malloc(2 * n + 4);
		if (buf == NULL) {
			*err = "out of memory";
			return -1;
		}
		o = 0;
		for (i = 0; i < n;) {
			uint32_t c;
			size_t l = names_utf8_get(s + i, n - i, &c);

			if (l == 0) {
				free(buf);
				*err = "invalid UTF-8";
				return -1;
			}
			if (type == REG_MULTI_SZ && c == '\n') {
				if (i == 0 || s[i - 1] == '\n' || i + 1 == n) {
					free(buf);
					*err = "empty string in multi-sz "
					    "(it would end the list)";
					return -1;
				}
				c = 0;
			}
			o += utf16_put(buf + o, c);
			i += l;
		}
		/* REG_LINK targets are counted strings that Windows stores
		 * without a NUL (CurrentControlSet's SymbolicLinkValue). */
		if (type != REG_LINK) {
			buf[o++] = 0;
			buf[o++] = 0;
		}
		/* A multi-sz ends with an empty string; with no strings at
		 * all it is the single NUL already written. */
		if (type == REG_MULTI_SZ && n > 0) {
			buf[o++] = 0;
			buf[o++] = 0;
		}
		v->data = buf;
		v->len = o;
		return 0;
	case REG_DWORD:
	case REG_DWORD_BIG_ENDIAN:
	case REG_QWORD:
		if (parse_number(text, type == REG_QWORD ? UINT64_MAX :
		    UINT32_MAX, &num, err) == -1)
			return -1;
		v->len = type == REG_QWORD ? 8 : 4;
		v->data = malloc(v->len);
		if (v->data == NULL) {
			*err = "out of memory";
			return -1;
		}
		for (i = 0; i < v->len; i++) {
			size_t k = type == REG_DWORD_BIG_ENDIAN ? 3 - i : i;
			v->data[k] = (num >> (8 * i)) & 0xFF;
		}
		return 0;
	default:
		/* Hex bytes: "01 02 ff", "01,02,ff" or "0102ff". */
		buf = malloc(n / 2 + 1);
		if (buf == NULL) {
			*err = "out of memory";
			return -1;
		}
		o = 0;
		for (i = 0; i < n;) {
			size_t run = 0;

			if (s[i] == ' ' || s[i] == ',' || s[i] == '\t' ||
			    s[i] == '\n' || s[i] == '\r') {
				i++;
				continue;
			}
			while (i + run < n && hexval(s[i + run]) >= 0)
				run++;
			/* "0g" is not hex, whatever the count of digits. */
			if (run == 0 || (i + run < n &&
			    strchr(" ,\t\n\r", s[i + run]) == NULL)) {
				free(buf);
				*err = "not hex bytes";
				return -1;
			}
			if (run % 2 != 0) {
				free(buf);
				*err = "odd number of hex digits";
				return -1;
			}
			for (; run > 0; run -= 2, i += 2)
				buf[o++] = (unsigned char)(hexval(s[i]) << 4 |
				    hexval(s[i + 1]));
		}
		v->data = buf;
		v->len = o;
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* registry paths */

static const struct {
	const char *root;
	enum hive_kind hive;
} roots[] = {
	{ "HKEY_LOCAL_MACHINE\\SYSTEM", HIVE_SYSTEM },
	{ "HKLM\\SYSTEM", HIVE_SYSTEM },
	{ "HKEY_LOCAL_MACHINE\\SOFTWARE", HIVE_SOFTWARE },
	{ "HKLM\\SOFTWARE", HIVE_SOFTWARE },
	{ "HKEY_LOCAL_MACHINE\\SAM", HIVE_SAM },
	{ "HKLM\\SAM", HIVE_SAM },
	{ "HKEY_LOCAL_MACHINE\\SECURITY", HIVE_SECURITY },
	{ "HKLM\\SECURITY", HIVE_SECURITY },
	{ "HKEY_CURRENT_USER", HIVE_NTUSER },
	{ "HKCU", HIVE_NTUSER },
	{ "HKEY_USERS\\.DEFAULT", HIVE_DEFAULT },
	{ "HKU\\.DEFAULT", HIVE_DEFAULT },
};

void
rpath_free(struct rpath *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nelems; i++)
		free(p->elems[i]);
	free(p->elems);
	free(p->text);
	memset(p, 0, sizeof *p);
}

int
rpath_elem_is_pattern(const char *e)
{
	return strpbrk(e, "*?") != NULL;
}

int
rpath_parse(const char *text, struct rpath *p, const char **err)
{
	const char *rest = NULL, *s, *e;
	size_t i, rl, n;

	memset(p, 0, sizeof *p);
	for (i = 0; i < sizeof roots / sizeof roots[0]; i++) {
		rl = strlen(roots[i].root);
		if (strncasecmp(text, roots[i].root, rl) == 0 &&
		    (text[rl] == '\0' || text[rl] == '\\')) {
			p->hive = roots[i].hive;
			rest = text + rl;
			break;
		}
	}
	if (rest == NULL) {
		*err = "unknown root key (use HKLM\\SYSTEM, HKLM\\SOFTWARE, "
		    "HKLM\\SAM, HKLM\\SECURITY, HKCU or HKU\\.DEFAULT)";
		return -1;
	}
	/* Count the elements first; a single trailing backslash is allowed
	 * because the articles write keys that way ("...\Services\"). */
	if (*rest == '\\')
		rest++;
	n = 0;
	for (s = rest; *s != '\0'; s = *e ? e + 1 : e) {
		e = strchr(s, '\\');
		if (e == NULL)
			e = s + strlen(s);
		if (e == s) {
			*err = "empty key name (two backslashes in a row)";
			return -1;
		}
		/* Windows' limit is in UTF-16 code units, not bytes. */
		if (e - s > REMEDY_MAX_NAME) {
			char *el = strndup(s, (size_t)(e - s));
			size_t u = el ? regfile_name_units(el) : 0;

			free(el);
			if (u > REMEDY_MAX_NAME) {
				*err = "key name longer than 255 characters: "
				    "Windows allows 255 at most";
				return -1;
			}
		}
		n++;
		if (*e == '\\' && e[1] == '\0')
			break;
	}
	p->text = strdup(text);
	p->elems = calloc(n ? n : 1, sizeof *p->elems);
	if (p->text == NULL || p->elems == NULL) {
		rpath_free(p);
		*err = "out of memory";
		return -1;
	}
	for (s = rest; p->nelems < n; s = e + 1) {
		e = strchr(s, '\\');
		if (e == NULL)
			e = s + strlen(s);
		p->elems[p->nelems] = strndup(s, (size_t)(e - s));
		if (p->elems[p->nelems] == NULL) {
			rpath_free(p);
			*err = "out of memory";
			return -1;
		}
		p->nelems++;
	}
	return 0;
}

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

static void
ld_oom(struct loader *ld)
{
	if (!ld->oom)
		diag_error(ld->d, ld->name, 0, "out of memory");
	ld->oom = 1;
}

static char *
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
static char *
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

static void
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

static xmlParserInputPtr
refuse_entity_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;
}

struct saved_handlers {
	xmlGenericErrorFunc gen;
	void *genctx;
	xmlStructuredErrorFunc st;
	void *stctx;
};

static void
handlers_push(struct loader *ld, struct saved_handlers *s)
{
	s->gen = xmlGenericError;
	s->genctx = xmlGenericErrorContext;
	s->st = xmlStructuredError;
	s->stctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(ld, on_generic);
	xmlSetStructuredErrorFunc(ld, on_structured);
}

static void
handlers_pop(const struct saved_handlers *s)
{
	xmlSetStructuredErrorFunc(s->stctx, s->st);
	xmlSetGenericErrorFunc(s->genctx, s->gen);
}

/* ------------------------------------------------------------------ */
/* parsing */

static void
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

static void
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
static void
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
static int
check_bytes(struct loader *ld)
{
	size_t i;
	long line = 1;
	char enc[64];

	if (ld->len >= 2 && ((ld->buf[0] == 0xFF && ld->buf[1] == 0xFE) ||
	    (ld->buf[0] == 0xFE && ld->buf[1] == 0xFF))) {
		diag_error(ld->d, ld->name, 1, "UTF-16 text (it starts with a "
		    "byte-order mark): remedy files must be UTF-8");
		return -1;
	}
	if (declared_encoding(ld->buf, ld->len, enc, sizeof enc) &&
	    strcasecmp(enc, "UTF-8") != 0) {
		for (i = 0; enc[i] != '\0'; i++)
			if ((unsigned char)enc[i] < 0x20 ||
			    (unsigned char)enc[i] >= 0x7F)
				enc[i] = '?';
		diag_error(ld->d, ld->name, 1, "declared encoding '%s': remedy "
		    "files must be UTF-8", enc);
		return -1;
	}
	for (i = 0; i < ld->len;) {
		uint32_t c;
		size_t l;

		if (ld->buf[i] == '\n')
			line++;
		if (ld->buf[i] == 0) {
			diag_error(ld->d, ld->name, line, "NUL byte in file");
			return -1;
		}
		l = names_utf8_get(ld->buf + i, ld->len - i, &c);
		if (l == 0) {
			diag_error(ld->d, ld->name, line,
			    "invalid UTF-8 (byte 0x%02x)", ld->buf[i]);
			return -1;
		}
		i += l;
	}
	return 0;
}

static const char *
node_name(const xmlNode *n)
{
	return (const char *)n->name;
}

/* Refuse attributes and text longer than REMEDY_MAX_STRING.  Returns the
 * number of errors. */
static int
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
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL) {
		ld_oom(ld);
		return;
	}
	diag_error(&ld->covered, ld->name, line, "%s", msg);
	free(msg);
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

static int check_remedy(const struct remedy *r, struct diag *d,
    int schema_checked);

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

	if (len > REMEDY_MAX_FILE) {
		diag_error(d, name, 0, "file too large (%zu bytes, limit %d)",
		    len, REMEDY_MAX_FILE);
		return -1;
	}
	if (check_bytes(&ld) == -1)
		return -1;
	r = calloc(1, sizeof *r);
	if (r == NULL || (r->file = strdup(name)) == NULL) {
		free(r);
		diag_error(d, name, 0, "out of memory");
		return -1;
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
	if (fd == -1) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
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
		diag_error(d, path, 0, "out of memory");
		return -1;
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
/* semantic checks */

/* The lines whose paths are in a hive no <hive> names, kept for one
 * message per hive, at the <hive> line. */
#define CK_LINES 4

struct checker {
	const struct remedy *r;
	struct diag *d;
	int errs;
	size_t nforeign[HIVE__COUNT];	/* such paths, per hive */
	long foreign[HIVE__COUNT][CK_LINES];	/* the first lines */
	char **saved;		/* names saved by <remove save=""> so far */
	size_t nsaved;
	int schema_checked;	/* the XSD ran: do not repeat its checks */
};

static void
ck_error(struct checker *c, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ck_error(struct checker *c, long line, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diag_error(c->d, c->r->file, line, "%s", msg ? msg : "out of memory");
	free(msg);
	c->errs++;
}

static int
has_hive(const struct remedy *r, enum hive_kind h)
{
	size_t i;

	for (i = 0; i < r->nhives; i++)
		if (r->hives[i] == h)
			return 1;
	return 0;
}

static void foreign_use(struct checker *c, enum hive_kind h, long line);

static void
check_path_hive(struct checker *c, const struct rpath *p, long line)
{
	if (p->text == NULL || p->hive == HIVE_UNKNOWN)
		return;		/* not parsed: reported by the loader */
	if (!has_hive(c->r, p->hive))
		foreign_use(c, p->hive, line);
}

/* LINE reads hive H, which no <hive> names. */
static void
foreign_use(struct checker *c, enum hive_kind h, long line)
{
	size_t n = c->nforeign[h];

	if (n > 0 && c->foreign[h][n < CK_LINES ? n - 1 : CK_LINES - 1] ==
	    line)
		return;
	if (n < CK_LINES)
		c->foreign[h][n] = line;
	c->nforeign[h]++;
}

/* One error per hive used but not named: at the <hive> line, which is the
 * line to change, naming the lines that use it. */
static void
foreign_report(struct checker *c)
{
	size_t h, i, n;

	for (h = 0; h < HIVE__COUNT; h++) {
		char lines[96] = "";
		size_t o = 0;

		if ((n = c->nforeign[h]) == 0)
			continue;
		for (i = 0; i < n && i < CK_LINES && o < sizeof lines; i++)
			o += (size_t)snprintf(lines + o, sizeof lines - o,
			    "%s%ld", i == 0 ? "" : i + 1 == n ? " and " : ", ",
			    c->foreign[h][i]);
		if (n > CK_LINES && o < sizeof lines)
			snprintf(lines + o, sizeof lines - o, " and %zu more",
			    n - CK_LINES);
		ck_error(c, c->r->hives_line ? c->r->hives_line : c->r->line,
		    "no <hive> names hive %s, which line%s %s read%s: add "
		    "<hive name=\"%s\"/>", hive_kind_name((enum hive_kind)h),
		    n == 1 ? "" : "s", lines, n == 1 ? "s" : "",
		    hive_kind_name((enum hive_kind)h));
	}
}

/* A pattern made of wildcards alone matches every name below its parent:
 * Services\* would hit every service of the machine. */
static void
check_path_patterns(struct checker *c, const struct rpath *p, long line)
{
	size_t i;

	for (i = 0; i < p->nelems; i++) {
		if (p->elems[i][strspn(p->elems[i], "*?")] != '\0')
			continue;
		ck_error(c, line, "pattern '%s' in path '%s' is only "
		    "wildcards: it could match every subkey", p->elems[i],
		    p->text);
	}
}

static int
path_has_pattern(const struct rpath *p)
{
	size_t i;

	for (i = 0; i < p->nelems; i++)
		if (rpath_elem_is_pattern(p->elems[i]))
			return 1;
	return 0;
}

static void
check_value(struct checker *c, const struct rvalue *v, long line)
{
	size_t want = 0;
	char tb[16];

	if (v->type == TYPE_ANY_STRING)
		return;
	if (v->len > 0 && v->data == NULL) {
		ck_error(c, line, "value has a length but no data");
		return;
	}
	switch (v->type) {
	case REG_DWORD:
	case REG_DWORD_BIG_ENDIAN:
		want = 4;
		break;
	case REG_QWORD:
		want = 8;
		break;
	case REG_SZ:
	case REG_EXPAND_SZ:
	case REG_MULTI_SZ:
		if (v->len < 2 || v->len % 2 != 0 || v->data[v->len - 1] ||
		    v->data[v->len - 2])
			ck_error(c, line, "value of type %s must be UTF-16LE "
			    "ending with a NUL", type_name(v->type, tb,
			    sizeof tb));
		return;
	case REG_LINK:
		if (v->len % 2 != 0)
			ck_error(c, line, "value of type link must be UTF-16LE");
		return;
	default:
		return;
	}
	if (v->data != NULL && v->len != want)
		ck_error(c, line, "value of type %s must be %zu bytes long, "
		    "not %zu", type_name(v->type, tb, sizeof tb), want, v->len);
}

/* File paths are resolved under the Windows folder of the volume being
 * repaired; anything that could step out of it is refused. */
static void
check_file(struct checker *c, const char *f, long line)
{
	static const char *const bases[] = { "%SystemRoot%", "%windir%" };
	const char *rest = NULL, *s, *e;
	size_t i, l;

	if (f == NULL)
		return;
	for (i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		l = strlen(bases[i]);
		if (strncasecmp(f, bases[i], l) == 0 &&
		    (f[l] == '\\' || f[l] == '\0'))
			rest = f + l;
	}
	if (rest == NULL) {
		ck_error(c, line, "file path '%s' must start with "
		    "%%SystemRoot%% or %%windir%%", f);
		return;
	}
	if (*rest == '\0' || rest[1] == '\0') {
		ck_error(c, line, "file path '%s' must name a file below "
		    "%%SystemRoot%%", f);
		return;
	}
	for (s = rest + 1; ; s = e + 1) {
		e = strchr(s, '\\');
		l = e ? (size_t)(e - s) : strlen(s);
		if (l == 0 || (l == 1 && s[0] == '.') ||
		    (l == 2 && s[0] == '.' && s[1] == '.') ||
		    memchr(s, '/', l) || memchr(s, ':', l) ||
		    memchr(s, '%', l)) {
			ck_error(c, line, "file path '%s' must not hold empty, "
			    "'.' or '..' parts, '/', ':' or '%%'", f);
			return;
		}
		if (e == NULL)
			break;
	}
}

static void
check_cond(struct checker *c, const struct cond *k)
{
	size_t i;

	switch (k->kind) {
	case COND_ALL:
	case COND_ANY:
	case COND_NOT:
		if (k->kind == COND_NOT && k->nchildren != 1)
			ck_error(c, k->line, "<not> takes exactly one "
			    "condition");
		for (i = 0; i < k->nchildren; i++)
			check_cond(c, &k->children[i]);
		break;
	case COND_KEY_EXISTS:
	case COND_KEY_EMPTY:
	case COND_VALUE_EXISTS:
	case COND_VALUE_MATCHES:
		check_path_hive(c, &k->path, k->line);
		break;
	case COND_VALUE_EQUALS:
		check_path_hive(c, &k->path, k->line);
		check_value(c, &k->value, k->line);
		break;
	case COND_LIST_CONTAINS:
		check_path_hive(c, &k->path, k->line);
		if (!c->schema_checked && (k->separator == NULL ||
		    *k->separator == '\0'))
			ck_error(c, k->line, "<list-contains> needs a "
			    "separator");
		if (k->match == MATCH_GLOB && k->pattern == NULL)
			ck_error(c, k->line, "<list-contains> needs a pattern "
			    "(or match=\"network\")");
		if (k->match == MATCH_NETWORK && k->pattern != NULL)
			ck_error(c, k->line, "<list-contains match=\"network\"> "
			    "takes no pattern");
		break;
	case COND_FILE_EXISTS:
		check_file(c, k->file, k->line);
		break;
	case COND_ARCHITECTURE:
		/* Read from SYSTEM's Session Manager\Environment. */
		if (!has_hive(c->r, HIVE_SYSTEM))
			foreign_use(c, HIVE_SYSTEM, k->line);
		break;
	}
}

static int
saved_has(struct checker *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsaved; i++)
		if (strcmp(c->saved[i], name) == 0)
			return 1;
	return 0;
}

static void
check_list(struct checker *c, const struct action *a)
{
	size_t i;
	char tb[16];

	if (a->separator == NULL || *a->separator == '\0')
		ck_error(c, a->line, "<edit-list> needs a separator");
	if (a->create_type != REG_SZ && a->create_type != REG_EXPAND_SZ)
		ck_error(c, a->line, "create-type %s is not a string type "
		    "(use sz or expand-sz)", type_name(a->create_type, tb,
		    sizeof tb));
	if (a->nops == 0)
		ck_error(c, a->line, "<edit-list> has nothing to do");
	for (i = 0; i < a->nops; i++) {
		const struct list_op *op = &a->ops[i];
		char **ns;

		if (op->kind == LIST_REMOVE && op->match == MATCH_GLOB &&
		    op->pattern == NULL)
			ck_error(c, op->line, "<remove> needs a pattern (or "
			    "match=\"network\")");
		if (op->kind == LIST_REMOVE && op->match == MATCH_NETWORK &&
		    op->pattern != NULL)
			ck_error(c, op->line, "<remove match=\"network\"> "
			    "takes no pattern");
		if (op->kind == LIST_APPEND &&
		    (op->entry == NULL) == (op->from == NULL)) {
			ck_error(c, op->line, "<append> needs either entry or "
			    "from");
			continue;
		}
		if (op->kind == LIST_APPEND && op->entry != NULL &&
		    (*op->entry == '\0' || (a->separator != NULL &&
		    *a->separator != '\0' &&
		    strstr(op->entry, a->separator) != NULL)))
			ck_error(c, op->line, "entry '%s' is empty or holds "
			    "the separator '%s'", op->entry,
			    a->separator ? a->separator : "");
		if (op->kind == LIST_REMOVE && op->save != NULL &&
		    !saved_has(c, op->save)) {
			ns = realloc(c->saved, (c->nsaved + 1) * sizeof *ns);
			if (ns == NULL)
				continue;
			c->saved = ns;
			c->saved[c->nsaved++] = op->save;
		}
		if (op->kind == LIST_APPEND && op->from != NULL &&
		    !saved_has(c, op->from))
			ck_error(c, op->line, "<append from=\"%s\"> has no "
			    "earlier <remove save=\"%s\">", op->from,
			    op->from);
	}
}

static void
check_action(struct checker *c, const struct action *a)
{
	const char *t;

	switch (a->kind) {
	case ACT_DELETE_KEY:
	case ACT_CREATE_KEY:
	case ACT_DELETE_VALUE:
	case ACT_SET_VALUE:
	case ACT_EDIT_LIST:
		check_path_hive(c, &a->path, a->line);
		check_path_patterns(c, &a->path, a->line);
		if (a->path.text == NULL)
			break;
		if (a->kind == ACT_DELETE_KEY && a->path.nelems == 0)
			ck_error(c, a->line, "cannot delete the root key of "
			    "hive %s", hive_kind_name(a->path.hive));
		if ((a->kind == ACT_CREATE_KEY || a->create) &&
		    path_has_pattern(&a->path))
			ck_error(c, a->line, "cannot create keys from a "
			    "path with wildcards '%s'", a->path.text);
		if (a->kind == ACT_SET_VALUE)
			check_value(c, &a->value, a->line);
		if (a->kind == ACT_EDIT_LIST)
			check_list(c, a);
		break;
	case ACT_RENAME_FILE:
		check_file(c, a->file, a->line);
		t = a->to;
		if (t == NULL)
			break;
		if (*t == '\0' || strcmp(t, ".") == 0 || strcmp(t, "..") == 0 ||
		    strpbrk(t, "\\/:%") != NULL)
			ck_error(c, a->line, "new name '%s' must be a file "
			    "name, without a path separator", t);
		break;
	case ACT_DELETE_FILE:
		check_file(c, a->file, a->line);
		break;
	}
}

static int
valid_id(const char *id)
{
	return id != NULL && *id != '\0' && strlen(id) <= 64 &&
	    strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == strlen(id);
}

static int
check_remedy(const struct remedy *r, struct diag *d, int schema_checked)
{
	struct checker c;
	size_t i, j;

	memset(&c, 0, sizeof c);
	c.r = r;
	c.d = d;
	c.schema_checked = schema_checked;
	/* What the schema checks already is not repeated after it ran. */
	if (!schema_checked && !valid_id(r->id))
		ck_error(&c, r->line, "id '%s' must match [A-Za-z0-9_.-]+",
		    r->id ? r->id : "");
	for (i = 0; i < r->nhives; i++)
		for (j = 0; j < i; j++)
			if (r->hives[i] == r->hives[j])
				ck_error(&c, r->line, "hive %s is named twice",
				    hive_kind_name(r->hives[i]));
	check_cond(&c, &r->when);
	for (i = 0; i < r->nactions; i++)
		check_action(&c, &r->actions[i]);
	/* Only a change can be held back: an advisory changes nothing, and
	 * its text already says what the machine must show. */
	if (r->unseen != NULL && r->nactions == 0)
		ck_error(&c, r->unseen_line, "<unseen> needs <actions>: an "
		    "advisory changes nothing, and its text says when it "
		    "matters");
	foreign_report(&c);
	free(c.saved);
	return c.errs;
}

int
remedy_check(const struct remedy *r, struct diag *d)
{
	return check_remedy(r, d, 0);
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
