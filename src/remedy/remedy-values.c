/* remedy-values.c: a remedy's values (type names, data written as text
 * and encoded as the registry stores it) and registry paths. */
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
const char *
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
			while (i + run < n && names_hexval(s[i + run]) >= 0)
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
				buf[o++] = (unsigned char)(names_hexval(s[i]) << 4 |
				    names_hexval(s[i + 1]));
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
