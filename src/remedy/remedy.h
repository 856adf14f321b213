/* remedy.h: a remedy file, loaded and validated.
 *
 * A remedy encodes one KB article's WORKAROUND.  The XML language is
 * documented in docs/remedy-format.md and checked by remedies/remedy.xsd;
 * this header is its in-memory form.  Every element keeps the line it was
 * written on so that later stages can report "file:line: error: ...".
 *
 * Registry paths are written as the article writes them, from a root key:
 *   HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\EXIFS   (or HKLM\...)
 *   HKEY_LOCAL_MACHINE\SOFTWARE\...
 *   HKEY_CURRENT_USER\Environment                                (or HKCU\...)
 * The loader splits them into the hive they live in and the elements below
 * that hive's root.  "CurrentControlSet" is kept as written; the planner maps
 * it to ControlSet00N.  An element holding '*' or '?' is a pattern, matched
 * case-insensitively against key names; any other element is looked up
 * case-insensitively, as Windows does.
 */
#ifndef KBFIX_REMEDY_H
#define KBFIX_REMEDY_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "hivekind.h"

/* Registry value types (winnt.h numbering).  Any other 32-bit number is a
 * legal type too: real hives hold 0xFFFF0012 and friends. */
#define REG_NONE		0
#define REG_SZ			1
#define REG_EXPAND_SZ		2
#define REG_BINARY		3
#define REG_DWORD		4
#define REG_DWORD_BIG_ENDIAN	5
#define REG_LINK		6
#define REG_MULTI_SZ		7
#define REG_QWORD		11

struct rpath {
	enum hive_kind hive;	/* from the root written */
	char **elems;		/* below the hive root, UTF-8; may hold * ? */
	size_t nelems;
	char *text;		/* as written, for messages */
};

/* A value as stored in a hive: strings are UTF-16LE with their NUL. */
struct rvalue {
	uint32_t type;
	unsigned char *data;
	size_t len;
};

enum list_match {
	MATCH_GLOB,		/* entry matches PATTERN (glob, case-insens.) */
	MATCH_NETWORK,		/* UNC (\\server\share) or a drive letter that
				 * SYSTEM\MountedDevices does not list */
};

enum cond_kind {
	COND_ALL,		/* <when>, <all>: every child holds */
	COND_ANY,		/* <any>: one child holds */
	COND_NOT,		/* <not>: its one child does not hold */
	COND_KEY_EXISTS,	/* <key-exists path=""/> */
	COND_VALUE_EXISTS,	/* <value-exists path="" name=""/> */
	COND_VALUE_EQUALS,	/* <value-equals path="" name="" type="" data=""/> */
	COND_VALUE_MATCHES,	/* <value-matches path="" name="" pattern=""/> */
	COND_LIST_CONTAINS,	/* <list-contains path="" name="" separator=";"
				 * match="glob|network" pattern=""/> */
	COND_FILE_EXISTS,	/* <file-exists path="%SystemRoot%\..."/> */
	COND_ARCHITECTURE,	/* <architecture is="alpha"/> */
	COND_KEY_EMPTY,		/* <key-empty path=""/>: the key exists and
				 * holds no value and no subkey */
};

struct cond {
	enum cond_kind kind;
	long line;
	struct rpath path;	/* key and value conditions */
	char *name;		/* value name; "" is the default value */
	struct rvalue value;	/* COND_VALUE_EQUALS; type 0xFFFFFFFF: any
				 * string type, compared as text */
	char *text;		/* COND_VALUE_EQUALS: the data attribute as
				 * written (UTF-8), for text compares and
				 * messages */
	char *pattern;		/* COND_VALUE_MATCHES: glob, case-insensitive,
				 * against the value's text; COND_LIST_CONTAINS
				 * with MATCH_GLOB: against each entry */
	char *separator;	/* COND_LIST_CONTAINS: default ";" */
	enum list_match match;	/* COND_LIST_CONTAINS */
	char *file;		/* COND_FILE_EXISTS, as written */
	char *arch;		/* COND_ARCHITECTURE: lowercase, e.g. "alpha",
				 * "x86", "amd64", "mips", "ppc", "ia64" */
	struct cond *children;
	size_t nchildren;
};

enum action_kind {
	ACT_DELETE_KEY,		/* <delete-key path=""/>; last elements may be
				 * patterns */
	ACT_DELETE_VALUE,	/* <delete-value path="" name=""/> */
	ACT_CREATE_KEY,		/* <create-key path=""/> */
	ACT_SET_VALUE,		/* <set-value path="" name="" type="" data=""/> */
	ACT_EDIT_LIST,		/* <edit-list path="" name="" separator=";"> */
	ACT_RENAME_FILE,	/* <rename-file path="" to=""/> */
	ACT_DELETE_FILE,	/* <delete-file path=""/> */
};

enum list_op_kind {
	LIST_REMOVE,		/* <remove match="glob|network" pattern=""
				 * save="VAR"/> */
	LIST_APPEND,		/* <append entry=""/> or <append from="VAR"/> */
};

struct list_op {
	enum list_op_kind kind;
	long line;
	enum list_match match;	/* LIST_REMOVE */
	char *pattern;		/* LIST_REMOVE with MATCH_GLOB */
	char *save;		/* LIST_REMOVE: keep removed entries under this
				 * name for a later <append from=""> (may be
				 * NULL) */
	char *entry;		/* LIST_APPEND: a literal entry, or NULL */
	char *from;		/* LIST_APPEND: a saved name, or NULL */
};

struct action {
	enum action_kind kind;
	long line;
	struct rpath path;
	char *name;		/* value name; "" is the default value */
	struct rvalue value;	/* ACT_SET_VALUE */
	char *text;		/* ACT_SET_VALUE: the data as written (UTF-8;
				 * multi-sz strings joined by '\n'), for
				 * messages */
	int create;		/* ACT_SET_VALUE, ACT_EDIT_LIST: create the key
				 * and value when missing (attribute
				 * create="true"); else a missing key or value
				 * makes the action a no-op */
	/* ACT_EDIT_LIST */
	char *separator;	/* default ";" */
	uint32_t create_type;	/* type of a value created by edit-list;
				 * default REG_EXPAND_SZ */
	struct list_op *ops;
	size_t nops;
	/* ACT_RENAME_FILE, ACT_DELETE_FILE */
	char *file;		/* as written: %SystemRoot%\System32\x.dll */
	char *to;		/* ACT_RENAME_FILE: new base name */
};

struct remedy {
	char *id;		/* "Q267971": the file's id attribute */
	char *file;		/* path it was loaded from */
	long line;		/* line of the root element */
	int draft;		/* draft="true": refused by apply */
	unsigned char sha256[32]; /* of the file's bytes (audit log) */

	/* <article number="" modified=""> */
	char *title;		/* <title> */
	char *article;		/* number attribute, e.g. "Q267971" */
	char *modified;		/* as written, may be NULL */
	char **products;	/* <product> elements */
	size_t nproducts;
	char *symptom;		/* <symptom>, whitespace kept */
	char *workaround;	/* <workaround>: the article's text it encodes;
				 * NULL for an advisory without one */
	char *summary;		/* <summary>: what the remedy does, one
				 * paragraph */
	char **warnings;	/* <warning> elements */
	size_t nwarnings;
	int restart;		/* <restart/> present: a restart is needed */
	char *unseen;		/* <unseen>: the article's symptom, which no
				 * hive shows (a client that hangs, a
				 * service pack kept in files); NULL when
				 * the conditions see it.  Run with the
				 * whole library, such a remedy is only
				 * "possible" and not planned (plan.h). */
	long unseen_line;	/* line of <unseen>, for messages */
	char *advisory;		/* <advisory>: text shown when the remedy
				 * applies; a remedy with an advisory and no
				 * actions never changes anything */

	/* <hive name="SYSTEM"/> <hive name="NTUSER" optional="true"/> */
	enum hive_kind *hives;
	int *hive_optional;
	size_t nhives;
	long hives_line;	/* line of the first <hive>, or 0 */

	struct cond when;	/* COND_ALL; no children: always applies */
	struct action *actions;
	size_t nactions;
};

/* Load and check the remedy in PATH against the schema at SCHEMA_PATH.
 * The parser reads only PATH and SCHEMA_PATH: no network, no DTD, no entity
 * expansion.  Every problem found is added to D as "PATH:LINE: error: ..."
 * (all of them, not just the first).  On success *OUT is a new remedy the
 * caller frees with remedy_free, and 0 is returned; on error -1 and *OUT is
 * NULL. */
int remedy_load(const char *path, const char *schema_path,
    struct remedy **out, struct diag *d);

/* The same for a document already in memory; NAME is used in messages. */
int remedy_load_memory(const char *buf, size_t len, const char *name,
    const char *schema_path, struct remedy **out, struct diag *d);

/* Semantic checks the schema cannot express: a path outside the hives the
 * remedy names, a value type that cannot hold its data, a pattern that
 * could match every subkey of a key (e.g. Services\*), an <append from="">
 * with no matching save, ...  Adds errors to D with file:line; returns the
 * number of errors added. */
int remedy_check(const struct remedy *r, struct diag *d);

/* Free R and everything it owns.  NULL is allowed. */
void remedy_free(struct remedy *r);

/* Parse a registry path as remedies write it.  Returns 0 and fills P (the
 * caller frees it with rpath_free), or -1 with a message in *ERR (static
 * storage) if the root is not one of HKLM\SYSTEM, HKLM\SOFTWARE, HKLM\SAM,
 * HKLM\SECURITY, HKCU, HKU\.DEFAULT and their long forms. */
int rpath_parse(const char *text, struct rpath *p, const char **err);
void rpath_free(struct rpath *p);

/* Nonzero if element E holds a wildcard. */
int rpath_elem_is_pattern(const char *e);

/* Encode TEXT as a value of TYPE: strings become UTF-16LE with a NUL,
 * "dword" takes decimal or 0x hex, "binary" and unknown types take hex
 * bytes ("01 02 ff" or "01,02,ff").  For REG_MULTI_SZ, TEXT holds the
 * strings separated by '\n'.  Returns 0 and fills V (caller frees V->data),
 * or -1 with a message in *ERR (static storage). */
int rvalue_encode(uint32_t type, const char *text, struct rvalue *v,
    const char **err);

/* Parse a type name as remedies write it: "sz", "expand-sz", "multi-sz",
 * "dword", "qword", "binary", "none", "dword-be", "link", or "0x" followed
 * by hex digits for any other type; or as the articles write it, "REG_SZ",
 * "REG_DWORD", ...  Names are taken in any case.  Returns 0 or -1. */
int rvalue_type_parse(const char *name, uint32_t *type);

#endif
