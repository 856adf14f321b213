/* draft.c: turn a KB article's procedure into a remedy draft.
 *
 * The procedure is cut into items (a numbered step, a paragraph, an
 * indented block); registry paths are found in each item however the KB
 * wrote them (one line, wrapped, one element per line, slashes, stray
 * spaces, "From the HKEY_LOCAL_MACHINE subtree, go to \SYSTEM\...");
 * then each item is matched against the few sentence forms the KB uses for
 * a change.  An item that states a change the drafter cannot translate
 * exactly becomes an XML comment: the draft is then "partial".  Nothing is
 * ever inferred beyond the type of a bare number (dword) or of blank or
 * quoted data (sz), and those are marked for review.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft.h"

/* Longest item looked at; longer ones are kept as comments. */
#define ITEM_MAX	4000
#define PATHS_MAX	16
#define ACTIONS_MAX	64

/* ------------------------------------------------------------ buffers */

struct buf {
	char *s;
	size_t len, cap;
	int oom;
};

static void
buf_addn(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 256;
		char *ns;

		while (nc < b->len + n + 1)
			nc *= 2;
		if ((ns = realloc(b->s, nc)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_add(struct buf *b, const char *s)
{
	buf_addn(b, s, strlen(s));
}

static void
buf_addc(struct buf *b, char c)
{
	buf_addn(b, &c, 1);
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	buf_addn(b, s, (size_t)n);
	free(s);
}

/* Text escaped for element content or a double-quoted attribute. */
static void
buf_xml(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': buf_add(b, "&lt;"); break;
		case '>': buf_add(b, "&gt;"); break;
		case '&': buf_add(b, "&amp;"); break;
		case '"': buf_add(b, "&quot;"); break;
		default: buf_addc(b, *s); break;
		}
	}
}

/* Text inside an XML comment: "--" is not allowed there, nor a final
 * '-'. */
static void
buf_comment_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		buf_addc(b, *s);
		if (*s == '-' && (s[1] == '-' || s[1] == '\0'))
			buf_addc(b, ' ');
	}
}

/* ------------------------------------------------------------ strings */

static char *
xstrndup(const char *s, size_t n)
{
	char *r = malloc(n + 1);

	if (r == NULL)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static char *
trim_inplace(char *s)
{
	char *e;

	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		e--;
	*e = '\0';
	return s;
}

/* ------------------------------------------------------------ regexes */

/* Every sentence form, compiled once per draft_make (REG_ICASE ERE on the
 * flattened item, where each registry path is replaced by "@N@"). */
enum rx {
	RX_BOILER,
	RX_DELSUB,
	RX_DELKEYS,
	RX_DELKEY_INLINE,
	RX_BLANK,
	RX_SET_PATH,
	RX_SET_NAMED,
	RX_SET_NAMED_TYPEFIRST,
	RX_SET_IT,
	RX_ADD_NAMED,
	RX_TYPE_DATA,
	RX_DATA_TO,
	RX_DELVAL_IT,
	RX_DELVAL_NAMED,
	RX_EDIT_DELETE,
	RX_FILE,
	RX_FOLLOWING_VALUE,
	RX_VALUE_IN_KEY,
	RX_SELECT_VALUE,
	RX_SELECT_ENTRY,
	RX_EDIT_TYPE,
	RX_NEW_VALUE,
	RX_RENAME_NEW,
	RX_ADD_FOLLOWING,
	RX_NAV_START,
	RX_NAV_END,
	RX_RESTART,
	RX_SERVICE,
	RX_INTRO,
	RX_REGFILE,
	RX_NOTVALUE,
	RX_PATH_STEP,
	RX_OFFLINE_INI,
	RX_OFFLINE_SCRIPT,
	RX_OFFLINE_PROGRAM,
	RX_OFFLINE_CONSOLE,
	RX_OFFLINE_SERVICE,
	RX_IMPERATIVE,
	RX_WHERE,
	RX_WARNS,
	RX_CHANGE_VERB,
	RX_REFERENCE,
	RX_FOLLOWING_KEY,
	RX__COUNT
};

#define NAME_RE	"(\"([^\"]+)\"|([A-Za-z0-9_][A-Za-z0-9_. #-]*))"
#define TYPE_RE	"(reg_sz|reg_expand_sz|reg_multi_sz|reg_dword|reg_binary)"
/* A datum never ends with the sentence's full stop. */
#define DATA_RE	"(\"[^\"]*\"|[^ ,;\"]*[^ ,;\".])"

static const char *rx_src[RX__COUNT] = {
	[RX_BOILER] =
	    "registry editor incorrectly|incorrect use of registry editor|"
	    "about modifying the registry|back up the registry|"
	    "emergency repair disk|description of the microsoft windows "
	    "registry|how to edit the registry|how to back up, restore|"
	    "changing keys and values|edit registry data|"
	    "wrapped for readability|at your own risk|^problems resulting|"
	    "one path; it has been",
	[RX_DELSUB] =
	    "delete (all )?(of )?the subkeys (that|which) (start|begin) with "
	    "\"([^\"]+)\"( (from|under|in) the following (registry )?key|"
	    " (from|under|in) (the )?@([0-9]+)@)",
	[RX_DELKEYS] =
	    "(delete|remove) the following (registry )?(keys|key|subkeys|"
	    "subkey)",
	[RX_DELKEY_INLINE] =
	    "(delete|remove) the @([0-9]+)@ (registry )?(key|subkey)",
	[RX_BLANK] =
	    "(change|set) the (data )?value( data)? to (be )?(blank|empty)",
	[RX_SET_PATH] =
	    "(change|set) the (data |value of |data of )?@([0-9]+)@ "
	    "(value )?to " DATA_RE,
	[RX_SET_NAMED] =
	    "(change|set) the " NAME_RE " (registry )?(value|entry|parameter)"
	    "( \\(" TYPE_RE "\\))?( from " DATA_RE ")? to (a value of )?"
	    DATA_RE,
	[RX_SET_NAMED_TYPEFIRST] =
	    "(change|set) the " NAME_RE " \\(" TYPE_RE "\\) "
	    "(value|entry|parameter)( from " DATA_RE ")? to " DATA_RE,
	[RX_SET_IT] =
	    "(change|set) (the value|its value|the data|the value data|"
	    "this value) to " DATA_RE,
	[RX_ADD_NAMED] =
	    "add the following " TYPE_RE " value with the name "
	    "([A-Za-z0-9_]+)\\. set its value to ([0-9]+)",
	[RX_TYPE_DATA] =
	    "(click|select|choose) (dword|string)[,.]? (and )?(then )?type "
	    "\"([^\"]*)\"",
	[RX_DATA_TO] =
	    "^change the data to ([0-9]+)( \\(decimal\\))?",
	[RX_DELVAL_IT] =
	    "(delete|remove) (the|this) value( from the registry)?\\.?$",
	[RX_DELVAL_NAMED] =
	    "(delete|remove) the (string |dword |binary )?(value )?" NAME_RE
	    " (string |dword )?value( (from|under|in) the @([0-9]+)@"
	    "( (registry )?key)?)?",
	[RX_EDIT_DELETE] =
	    "edit menu,? (click|choose|select) delete|"
	    "^(click|choose) delete on the edit menu",
	[RX_FILE] =
	    "(rename|remove|delete)( or (rename|remove|delete))? (the )?"
	    "([A-Za-z0-9_$~-]+\\.[A-Za-z0-9]{1,4}) file (from|in) the "
	    "(%[A-Za-z]+%[^ ]*) (folder|directory)",
	[RX_FOLLOWING_VALUE] =
	    "the following (registry )?value",
	[RX_VALUE_IN_KEY] =
	    "(locate|find|select|click)( and (then )?click)? the " NAME_RE
	    " value (in|under) the following (registry )?key",
	[RX_SELECT_VALUE] =
	    "^(select|click|double-click) the " NAME_RE " value\\.?$",
	[RX_SELECT_ENTRY] =
	    "select the following (entry|value): ([A-Za-z0-9_ ]+)\\.?$",
	[RX_EDIT_TYPE] =
	    "^on the edit menu, (click|select|choose) (dword|string)\\.?$",
	[RX_NEW_VALUE] =
	    "click new,? and then point to (dword|string) value",
	[RX_RENAME_NEW] =
	    "^rename the new value to ([A-Za-z0-9_]+)\\.?$",
	[RX_ADD_FOLLOWING] =
	    "(add|create) the following (registry )?(value|values|entry|"
	    "entries|setting|settings)|(click|choose|select) add value|"
	    "^add the following:?$",
	[RX_NAV_START] =
	    "^(start|run|open|launch|use)( the)? (registry editor|regedt32|"
	    "regedit)",
	[RX_NAV_END] =
	    "^(quit|exit|close)( the)? (registry editor|regedt32|regedit)|"
	    "^click ok\\.?$|^choose ok|^on the registry menu, click exit|"
	    "^click ok and (then )?(quit|exit|close)|"
	    "^click ok to save",
	[RX_RESTART] =
	    "(restart|reboot|shut down and (then )?restart)( the)? "
	    "(computer|server|system|machine|windows nt|site server)",
	[RX_SERVICE] =
	    "^(carry out \"net (stop|start) [a-z0-9_]+\"|"
	    "(stop|start|restart|stop and (then )?restart|stop and start)"
	    "( all)?( of)?( the)? [^.]*services?)\\.?$",
	[RX_INTRO] =
	    "(work around|resolve|correct) (this|the) (problem|issue|behavior)|"
	    "(following|these) (steps|procedure)|do the following|"
	    "following registry change|(modify|edit) the registry|"
	    "registry entry needs to be added",
	[RX_REGFILE] =
	    "\\.reg\\b|reg extension|regedit <|(the|following) command",
	[RX_NOTVALUE] =
	    " or |either|depending|appropriate|greater|less than|at least|"
	    "same as|recorded|correct |proper|increase|reduce|<|>",
	[RX_PATH_STEP] =
	    "path environment variable|system path|\"path =\"|path statement",
	[RX_OFFLINE_INI] =
	    "\\.ini\\b",
	[RX_OFFLINE_SCRIPT] =
	    "logon script|login script",
	[RX_OFFLINE_PROGRAM] =
	    "^(run|install|reinstall|uninstall|apply|reapply|obtain|"
	    "download|copy|replace)\\b|service pack|hotfix|\\.exe\\b",
	[RX_OFFLINE_CONSOLE] =
	    "control panel|administrator (console|program|utility)|"
	    "site properties|key manager|service manager|user manager",
	[RX_OFFLINE_SERVICE] =
	    "\\bservices?\\b",
	[RX_IMPERATIVE] =
	    "^(add|change|set|delete|remove|rename|modify|edit|create|type|"
	    "enter|replace|copy|run|install|uninstall|reinstall|apply|use|"
	    "place|move|make|increase|reduce|check|verify|ensure|examine|"
	    "click|select|double-click|open|stop|start|restart|disable|"
	    "enable|turn|cancel|record|back up|reset|share|manually|go|"
	    "locate|find|navigate|expand|repeat|update|wait|put|specify|"
	    "look|test|remove|save|close|quit|exit|try|configure|get)\\b",
	[RX_FOLLOWING_KEY] =
	    "(go|navigate|locate|find|open|select|click|expand|browse|edit|"
	    "modify)( to)? (the )?following (registry )?(key|subkey|entry|"
	    "location)|following (key|subkey) in the registry|"
	    "subtree, (go to|find) the( following)? (key|subkey)",
	[RX_REFERENCE] =
	    "^Q[0-9]+ |^for (additional|more) information, (click|see|please)",
	[RX_CHANGE_VERB] =
	    "\\b(delete|remove|change|set|add|rename|modify|create|type|"
	    "enter|increase|reduce|replace|clear)\\b",
	[RX_WARNS] =
	    "may (not|prevent|cause|fail|stop|have|seriously)|impact|"
	    "security|caution",
	[RX_WHERE] =
	    "^ (under|in) the @([0-9]+)@",
};

struct rxset {
	regex_t re[RX__COUNT];
	int ok;
};

static int
rx_compile(struct rxset *r)
{
	int i, j;

	for (i = 0; i < RX__COUNT; i++) {
		if (regcomp(&r->re[i], rx_src[i], REG_EXTENDED | REG_ICASE)
		    != 0) {
			for (j = 0; j < i; j++)
				regfree(&r->re[j]);
			return -1;
		}
	}
	r->ok = 1;
	return 0;
}

static void
rx_free(struct rxset *r)
{
	int i;

	if (!r->ok)
		return;
	for (i = 0; i < RX__COUNT; i++)
		regfree(&r->re[i]);
	r->ok = 0;
}

#define NSUB 24

static int
rx_match(struct rxset *r, enum rx k, const char *s, regmatch_t *m)
{
	regmatch_t dummy[NSUB];

	return regexec(&r->re[k], s, NSUB, m ? m : dummy, 0) == 0;
}

/* Capture I of the last match, as a new string ("" if it did not take
 * part). */
static char *
cap(const char *s, const regmatch_t *m, int i)
{
	if (m[i].rm_so < 0)
		return strdup("");
	return xstrndup(s + m[i].rm_so, (size_t)(m[i].rm_eo - m[i].rm_so));
}

static int
has_cap(const regmatch_t *m, int i)
{
	return m[i].rm_so >= 0 && m[i].rm_eo > m[i].rm_so;
}

static void text_element(struct buf *, const char *, const char *, int);

/* ------------------------------------------------------------ paths */

struct path {
	char *text;		/* canonical: long root, elements as written */
	const char *hive;	/* "SYSTEM", ..., NULL if unusable */
	const char *why;	/* why unusable, static */
	size_t nelems;
	char *last;		/* last element */
	size_t start, end;	/* span in the item text */
	int colon;		/* written with a trailing ':' (value follows) */
};

static const struct {
	const char *tok;
	const char *root;
} roots[] = {
	{ "HKEY_LOCAL_MACHINE", "HKEY_LOCAL_MACHINE" },
	{ "HKEY_CURRENT_USER", "HKEY_CURRENT_USER" },
	{ "HKEY_CLASSES_ROOT", "HKEY_CLASSES_ROOT" },
	{ "HKEY_USERS", "HKEY_USERS" },
	{ "HKLM", "HKEY_LOCAL_MACHINE" },
	{ "HKCU", "HKEY_CURRENT_USER" },
	{ "HKCR", "HKEY_CLASSES_ROOT" },
	{ "HKU", "HKEY_USERS" },
};

/* The root token at S, or -1.  It must stand alone as a word: the KB's
 * "HKEY_LOCAL_MACHINESYSTEM" typo is not a path. */
static int
root_at(const char *text, const char *s)
{
	size_t i, l;

	if (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
		return -1;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		l = strlen(roots[i].tok);
		if (strncasecmp(s, roots[i].tok, l) == 0 &&
		    !isalnum((unsigned char)s[l]) && s[l] != '_')
			return (int)i;
	}
	return -1;
}

static int
at_line_start(const char *text, const char *s)
{
	while (s > text && (s[-1] == ' ' || s[-1] == '['))
		s--;
	return s == text || s[-1] == '\n';
}

/* Nonzero if the line at S can be the wrapped rest of a path written alone
 * on its line: KB text wraps long paths at a space ("...\Client
 * Services\n\Remote Control\Parameters", "...\Max\nMIF Size"). */
static int
wrap_continues(const char *s)
{
	const char *e = strchr(s, '\n');
	size_t n = e ? (size_t)(e - s) : strlen(s), i;
	int bs = 0;

	if (n == 0 || n > 48 || !isalnum((unsigned char)s[0]))
		return 0;
	if ((n == 3 && strncasecmp(s, "and", 3) == 0) ||
	    (n == 2 && strncasecmp(s, "or", 2) == 0))
		return 0;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strncasecmp(s, roots[i].tok, strlen(roots[i].tok)) == 0)
			return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == ':' || s[i] == '=' || s[i] == '"' || s[i] == '(')
			return 0;
		if (s[i] == '.' && i + 1 < n && s[i + 1] == ' ')
			return 0;
		if (s[i] == '\\')
			bs = 1;
	}
	/* A sentence ends with '.'; a wrapped path ends with a name (or
	 * with "\." in "...\Installation Properties\."). */
	if (s[n - 1] == '.' && !bs)
		return 0;
	/* "1. ..." is a step, not a name. */
	for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
		;
	if (i > 0 && i < n && (s[i] == '.' || s[i] == ')'))
		return 0;
	return 1;
}

/* Placeholders the KB writes in place of a real name. */
static int
is_placeholder(const char *e)
{
	static const char *words[] = { "servername", "sitecode",
	    "computername", "site code", "xxx", "ccs" };
	size_t i;

	if (strpbrk(e, "<>*?%\"[]") != NULL)
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(e, words[i]) == 0)
			return 1;
	return 0;
}

/* Words the name slot of a sentence catches that are no value name:
 * "remove the registry value ...", "set the new value to ...". */
static int
not_a_name(const char *n)
{
	static const char *words[] = { "registry", "following", "string",
	    "dword", "data", "new", "default", "same", "key", "entry",
	    "this", "that", "its", "binary" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(n, words[i]) == 0)
			return 1;
	return 0;
}

static void
path_free(struct path *p)
{
	free(p->text);
	free(p->last);
	memset(p, 0, sizeof(*p));
}

/* Fill P's canonical text and hive from ROOT and the elements. */
static int
path_finish(struct path *p, const char *root, char **el, size_t n)
{
	struct buf b = { 0 };
	size_t i;

	p->nelems = n;
	p->hive = NULL;
	p->why = NULL;
	buf_add(&b, root);
	for (i = 0; i < n; i++) {
		buf_addc(&b, '\\');
		buf_add(&b, el[i]);
	}
	if (b.oom) {
		free(b.s);
		return -1;
	}
	p->text = b.s;
	p->last = n > 0 ? strdup(el[n - 1]) : strdup("");
	if (p->last == NULL)
		return -1;
	if (strcmp(root, "HKEY_LOCAL_MACHINE") == 0) {
		static const char *h[] = { "SYSTEM", "SOFTWARE", "SAM",
		    "SECURITY" };

		for (i = 0; n > 0 && i < 4; i++)
			if (strcasecmp(el[0], h[i]) == 0)
				p->hive = h[i];
		if (p->hive == NULL)
			p->why = "the path names no hive below "
			    "HKEY_LOCAL_MACHINE";
	} else if (strcmp(root, "HKEY_CURRENT_USER") == 0) {
		p->hive = "NTUSER";
	} else if (strcmp(root, "HKEY_USERS") == 0) {
		if (n > 0 && strcasecmp(el[0], ".DEFAULT") == 0)
			p->hive = "DEFAULT";
		else
			p->why = "HKEY_USERS path is not .DEFAULT";
	} else
		p->why = "HKEY_CLASSES_ROOT is not a hive file";
	for (i = 0; i < n && p->hive != NULL; i++) {
		if (is_placeholder(el[i]) || strlen(el[i]) > 255) {
			p->hive = NULL;
			p->why = "the path holds a placeholder";
		}
	}
	return 0;
}

/* Read the path whose root token is at TEXT+START (ROOTIDX into roots[];
 * -1 when DEFROOT supplies the root for a path written from a subtree).
 * Fills P; returns 0, or -1 on out-of-memory. */
static int
path_scan(const char *text, size_t start, int rootidx, const char *defroot,
    struct path *p)
{
	const char *s = text + start, *q;
	const char *root;
	char *el[64];
	size_t nel = 0, i;
	struct buf cur = { 0 };
	int block, bracket = 0, rc = -1;

	memset(p, 0, sizeof(*p));
	/* A path alone on its line may hold spaces ("Client Services");
	 * one that only happens to start a wrapped sentence line may not
	 * ("...\Parameters registry\nkey"). */
	block = at_line_start(text, s);
	if (block) {
		const char *l = s;

		while (l > text && l[-1] != '\n')
			l--;
		if (l > text && !(l - 1 > text && l[-2] == ':'))
			block = 0;
	}
	if (block && s > text && s[-1] == '[')
		bracket = 1;
	if (rootidx >= 0) {
		root = roots[rootidx].root;
		q = s + strlen(roots[rootidx].tok);
	} else {
		root = defroot;
		q = s;
	}
	for (;;) {
		char c = *q;

		if (c == '\\' || c == '/') {
			if (cur.len > 0 && nel < 64) {
				char *t = trim_inplace(cur.s);

				if (*t != '\0' && (el[nel] = strdup(t)) != NULL)
					nel++;
			}
			cur.len = 0;
			if (cur.s)
				cur.s[0] = '\0';
			q++;
			while (*q == ' ')
				q++;
			if (*q == '\n' && q[1] != '\0' && q[1] != '\n') {
				q++;
				while (*q == ' ')
					q++;
			}
			continue;
		}
		if (c == ' ') {
			const char *r = q;

			while (*r == ' ')
				r++;
			if (*r == '\\' || *r == '/') {
				q = r;
				continue;
			}
			if (*r == '\n' || *r == '\0') {
				q = r;
				continue;
			}
			if (block && !bracket && cur.len > 0) {
				buf_addc(&cur, ' ');
				q = r;
				continue;
			}
			break;
		}
		if (c == '\n') {
			const char *r = q + 1;

			while (*r == ' ')
				r++;
			if (*r == '\\' || *r == '/') {
				q = r;
				continue;
			}
			if (block && !bracket && cur.len > 0 &&
			    wrap_continues(r)) {
				buf_addc(&cur, ' ');
				q = r;
				continue;
			}
			break;
		}
		if (c == '\0' || c == '"' || c == ']' || c == '(' ||
		    c == ')' || c == ',' || c == ';')
			break;
		if ((c == '.' || c == ':') && (q[1] == ' ' || q[1] == '\n' ||
		    q[1] == '\0' || q[1] == ')')) {
			if (c == ':')
				p->colon = 1;
			q++;
			break;
		}
		buf_addc(&cur, c);
		q++;
	}
	if (cur.len > 0 && nel < 64) {
		char *t = trim_inplace(cur.s);

		if (*t != '\0' && (el[nel] = strdup(t)) != NULL)
			nel++;
	}
	if (bracket && *q == ']')
		q++;
	p->start = start;
	p->end = (size_t)(q - text);
	if (!cur.oom && path_finish(p, root, el, nel) == 0)
		rc = 0;
	for (i = 0; i < nel; i++)
		free(el[i]);
	free(cur.s);
	return rc;
}

/* ------------------------------------------------------------ items */

struct item {
	long line;		/* first line */
	char *text;		/* lines, trimmed, joined with '\n' */
	int *indent;		/* indent of each line */
	size_t nlines;
	int numbered;		/* "1.", "a.", "II.", "- " */
	int heading;		/* a sub-heading underlined with '-' */
	char *flat;		/* one line, paths as "@N@", step marker cut */
	struct path paths[PATHS_MAX];
	size_t npaths;
};

static void
item_free(struct item *it)
{
	size_t i;

	free(it->text);
	free(it->indent);
	free(it->flat);
	for (i = 0; i < it->npaths; i++)
		path_free(&it->paths[i]);
	memset(it, 0, sizeof(*it));
}

/* Length of a step marker at S ("12. ", "a. ", "IV. ", "- "), 0 if
 * none. */
static size_t
marker_len(const char *s)
{
	size_t i = 0;

	if (s[0] == '-' && s[1] == ' ')
		return 2;
	while (isdigit((unsigned char)s[i]) && i < 3)
		i++;
	if (i == 0 && islower((unsigned char)s[0]) && s[1] == '.')
		i = 1;
	if (i == 0)
		while (s[i] == 'I' || s[i] == 'V' || s[i] == 'X')
			i++;
	if (i > 0 && i <= 4 && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ')
		return i + 2;
	return 0;
}

static int
is_dash_rule(const char *s)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (*s == '-') {
		s++;
		n++;
	}
	return *s == '\0' && n >= 3;
}

static int
starts_item(const char *t)
{
	return marker_len(t) > 0 || strncasecmp(t, "NOTE:", 5) == 0 ||
	    strncasecmp(t, "WARNING:", 8) == 0 ||
	    strncasecmp(t, "IMPORTANT:", 10) == 0 ||
	    strncasecmp(t, "CAUTION:", 8) == 0 ||
	    strcasecmp(t, "-or-") == 0 || strcasecmp(t, "-and-") == 0;
}

/* Cut the procedure's lines into items. */
static int
items_split(const struct article *a, const struct article_section *sec,
    struct item **out, size_t *nout)
{
	struct item *v = NULL;
	size_t n = 0, i, end = sec->first + sec->n;

	*out = NULL;
	*nout = 0;
	for (i = sec->first; i < end; i++) {
		const char *raw = a->lines[i].text, *t = raw;
		int ind = 0, newitem;
		struct item *it;
		struct buf b = { 0 };

		while (*t == ' ') {
			t++;
			ind++;
		}
		if (*t == '\0' || is_dash_rule(t))
			continue;
		newitem = n == 0 || a->lines[i - 1].text[0] == '\0' ||
		    is_dash_rule(a->lines[i - 1].text) || starts_item(t) ||
		    v[n - 1].heading;
		/* A line underlined with dashes is a heading of its own. */
		if (i + 1 < end && is_dash_rule(a->lines[i + 1].text))
			newitem = 1;
		if (!newitem && strlen(v[n - 1].text) > ITEM_MAX)
			newitem = 1;
		if (newitem) {
			struct item *nv = realloc(v, (n + 1) * sizeof(*nv));

			if (nv == NULL)
				goto oom;
			v = nv;
			memset(&v[n], 0, sizeof(v[n]));
			v[n].line = a->lines[i].no;
			/* "- " bullets list notes as often as steps. */
			v[n].numbered = marker_len(t) > 0 && t[0] != '-';
			v[n].heading = i + 1 < end &&
			    is_dash_rule(a->lines[i + 1].text);
			n++;
		}
		it = &v[n - 1];
		{
			int *ni = realloc(it->indent,
			    (it->nlines + 1) * sizeof(*ni));

			if (ni == NULL)
				goto oom;
			it->indent = ni;
			ni[it->nlines++] = ind;
		}
		if (it->text != NULL) {
			buf_add(&b, it->text);
			buf_addc(&b, '\n');
		}
		buf_add(&b, t);
		if (b.oom) {
			free(b.s);
			goto oom;
		}
		free(it->text);
		it->text = b.s;
	}
	*out = v;
	*nout = n;
	return 0;
oom:
	for (i = 0; i < n; i++)
		item_free(&v[i]);
	free(v);
	return -1;
}

/* The tree form of Q191742: a root alone on its line, then one element
 * per line, each indented deeper than the one before. */
static int
scan_tree(struct item *it, size_t start, int rootidx, struct path *p)
{
	const char *text = it->text, *s = text + start;
	char *el[64];
	size_t nel = 0, li = 0, i;
	const char *q;
	int lastind, rc;

	for (q = text; q < s; q++)
		if (*q == '\n')
			li++;
	s += strlen(roots[rootidx].tok);
	if (*s != '\n' || !at_line_start(text, text + start))
		return 0;
	lastind = it->indent[li];
	q = s + 1;
	li++;
	while (li < it->nlines && nel < 64) {
		const char *e = strchr(q, '\n');
		size_t n = e ? (size_t)(e - q) : strlen(q);

		if (it->indent[li] <= lastind || n == 0 ||
		    memchr(q, ' ', n) != NULL || memchr(q, '.', n) != NULL ||
		    memchr(q, ':', n) != NULL)
			break;
		if ((el[nel] = xstrndup(q, n)) == NULL)
			break;
		nel++;
		lastind = it->indent[li];
		li++;
		q = e ? e + 1 : q + n;
	}
	if (nel < 2) {
		for (i = 0; i < nel; i++)
			free(el[i]);
		return 0;
	}
	memset(p, 0, sizeof(*p));
	p->start = start;
	p->end = (size_t)(q - text);
	if (p->end > 0 && text[p->end - 1] == '\n')
		p->end--;
	rc = path_finish(p, roots[rootidx].root, el, nel);
	for (i = 0; i < nel; i++)
		free(el[i]);
	return rc == 0 ? 1 : -1;
}

/* Find the item's paths and build its flat text. */
static int
item_scan(struct item *it, const char *subtree)
{
	const char *t = it->text;
	size_t i = 0, len = strlen(t);
	struct buf f = { 0 };
	int r;

	while (i < len) {
		struct path *p = &it->paths[it->npaths];
		int ri = root_at(t, t + i);
		int got = 0;

		if (it->npaths < PATHS_MAX && ri >= 0) {
			if ((r = scan_tree(it, i, ri, p)) < 0)
				goto oom;
			if (r == 0 && path_scan(t, i, ri, NULL, p) == -1)
				goto oom;
			got = 1;
		} else if (it->npaths < PATHS_MAX && subtree != NULL &&
		    at_line_start(t, t + i) && (t[i] == '\\' ||
		    strncasecmp(t + i, "SYSTEM\\", 7) == 0 ||
		    strncasecmp(t + i, "SOFTWARE\\", 9) == 0 ||
		    strncasecmp(t + i, "System/", 7) == 0) &&
		    (i == 0 || t[i - 1] == '\n')) {
			/* "From the HKEY_LOCAL_MACHINE subtree, go to the
			 * following key:" then "\SOFTWARE\..." alone. */
			if (path_scan(t, i, -1, subtree, p) == -1)
				goto oom;
			got = 1;
		}
		if (got) {
			if (p->end <= i)
				p->end = i + 1;
			buf_printf(&f, "@%zu@", it->npaths);
			i = p->end;
			it->npaths++;
			continue;
		}
		if (t[i] == '\n' || t[i] == ' ') {
			if (f.len > 0 && f.s[f.len - 1] != ' ')
				buf_addc(&f, ' ');
		} else
			buf_addc(&f, t[i]);
		i++;
	}
	if (f.oom)
		goto oom;
	if (f.s == NULL && (f.s = strdup("")) == NULL)
		goto oom;
	{
		char *s = trim_inplace(f.s);
		size_t m = marker_len(s);

		it->flat = strdup(s + m);
		free(f.s);
		if (it->flat == NULL)
			return -1;
	}
	return 0;
oom:
	free(f.s);
	return -1;
}

/* ------------------------------------------------------------ actions */

enum akind { A_DELETE_KEY, A_DELETE_VALUE, A_CREATE_KEY, A_SET_VALUE,
    A_RENAME_FILE };

struct act {
	enum akind kind;
	char *path;
	char *name;
	const char *type;
	char *data;
	int create;
	char *to;
	long line;
	const char *note;	/* review note, static, or NULL */
};

struct state {
	const struct article *a;
	struct rxset rx;
	struct act acts[ACTIONS_MAX];
	size_t nacts;
	const char *hives[8];
	size_t nhives;
	int restart;
	int oom;
	/* context */
	char *key;		/* current key */
	const char *key_hive;
	char *value;		/* current value name */
	int want_value;		/* "the following registry value:" */
	int want_delkeys;	/* "delete the following keys:" */
	char *want_delsub;	/* "delete the subkeys that start with X" */
	int want_set;		/* a set waiting for "the following key" */
	char *set_name, *set_data;
	const char *set_type;
	const char *set_note;
	const char *edit_type;	/* "On the Edit menu, click DWORD" */
	int create;		/* "Add Value", "add the following" */
	char *subtree;
	int regfile;		/* a .reg snippet was translated */
	int path_step;		/* a step about the PATH variable */
	int saw_path;		/* a usable registry path was named */
	const char *offline;	/* why a step cannot be done offline */
	/* out */
	struct buf body;	/* actions and comments, in order */
	struct buf warnings;	/* <warning> elements */
	size_t nuntranslated;
	size_t nregsteps;	/* untranslated steps about the registry */
	long first_untranslated;
};

static void
set_str(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

static void
add_hive(struct state *st, const char *h)
{
	size_t i;

	for (i = 0; i < st->nhives; i++)
		if (strcmp(st->hives[i], h) == 0)
			return;
	if (st->nhives < 8)
		st->hives[st->nhives++] = h;
}

static int
act_same(const struct act *x, const struct act *y)
{
	return x->kind == y->kind &&
	    strcasecmp(x->path, y->path) == 0 &&
	    ((x->name == NULL && y->name == NULL) ||
	    (x->name && y->name && strcasecmp(x->name, y->name) == 0)) &&
	    ((x->data == NULL && y->data == NULL) ||
	    (x->data && y->data && (strcmp(x->data, y->data) == 0 ||
	    (x->type && y->type && strcmp(x->type, "dword") == 0 &&
	    strcmp(y->type, "dword") == 0 &&
	    strtoul(x->data, NULL, 0) == strtoul(y->data, NULL, 0)))));
}

static void
emit_act(struct state *st, struct act *a)
{
	struct buf *b = &st->body;
	size_t i;

	for (i = 0; i < st->nacts; i++) {
		if (act_same(&st->acts[i], a)) {
			free(a->path);
			free(a->name);
			free(a->data);
			free(a->to);
			return;
		}
	}
	if (st->nacts >= ACTIONS_MAX) {
		free(a->path);
		free(a->name);
		free(a->data);
		free(a->to);
		return;
	}
	if (a->path == NULL || (a->kind != A_RENAME_FILE &&
	    a->kind != A_DELETE_KEY && a->kind != A_CREATE_KEY &&
	    a->name == NULL)) {
		st->oom = 1;
		free(a->path);
		free(a->name);
		free(a->data);
		free(a->to);
		return;
	}
	st->acts[st->nacts++] = *a;
	if (a->note != NULL) {
		buf_add(b, "    <!-- review: ");
		buf_comment_text(b, a->note);
		buf_add(b, " -->\n");
	}
	switch (a->kind) {
	case A_DELETE_KEY:
		buf_add(b, "    <delete-key path=\"");
		buf_xml(b, a->path);
		buf_add(b, "\"/>\n");
		break;
	case A_CREATE_KEY:
		buf_add(b, "    <create-key path=\"");
		buf_xml(b, a->path);
		buf_add(b, "\"/>\n");
		break;
	case A_DELETE_VALUE:
		buf_add(b, "    <delete-value path=\"");
		buf_xml(b, a->path);
		buf_add(b, "\" name=\"");
		buf_xml(b, a->name);
		buf_add(b, "\"/>\n");
		break;
	case A_SET_VALUE:
		buf_add(b, "    <set-value path=\"");
		buf_xml(b, a->path);
		buf_add(b, "\" name=\"");
		buf_xml(b, a->name);
		buf_printf(b, "\" type=\"%s\" data=\"", a->type);
		buf_xml(b, a->data ? a->data : "");
		buf_printf(b, "\"%s/>\n", a->create ? " create=\"true\"" : "");
		break;
	case A_RENAME_FILE:
		buf_add(b, "    <rename-file path=\"");
		buf_xml(b, a->path);
		buf_add(b, "\" to=\"");
		buf_xml(b, a->to ? a->to : "");
		buf_add(b, "\"/>\n");
		break;
	}
}

static void
comment_item(struct state *st, const struct item *it, const char *what)
{
	struct buf *b = &st->body;
	const char *s;

	const char *base = strrchr(st->a->name, '/');

	/* The base name only: drafts get committed, machine paths must
	 * not. */
	base = base ? base + 1 : st->a->name;
	buf_printf(b, "    <!-- %s %s:%ld:\n", what, base, it->line);
	buf_add(b, "         ");
	for (s = it->text; *s != '\0'; s++) {
		if (*s == '\n')
			buf_add(b, "\n         ");
		else {
			buf_addc(b, *s);
			if (*s == '-' && (s[1] == '-' || s[1] == '\0' ||
			    s[1] == '\n'))
				buf_addc(b, ' ');
		}
	}
	buf_add(b, " -->\n");
}

/* Registry data as written -> type and data, or -1 if it is not one
 * exact datum.  *NOTE gets a review note when the type is inferred. */
static int
parse_data(const char *w, const char *typed, const char **type, char **data,
    const char **note)
{
	size_t n = strlen(w);
	char *e;

	*note = NULL;
	if (n >= 2 && w[0] == '"' && w[n - 1] == '"') {
		if (typed != NULL && strcmp(typed, "dword") == 0) {
			unsigned long v;

			errno = 0;
			v = strtoul(w + 1, &e, 0);
			if (e == w + 1 || *e != '"' || v > 0xffffffffUL)
				return -1;
		}
		*data = xstrndup(w + 1, n - 2);
		*type = typed ? typed : "sz";
		if (typed == NULL)
			*note = "type sz inferred from quoted data";
		return *data ? 0 : -1;
	}
	if (n > 0 && (w[n - 1] == '.' || w[n - 1] == ':'))
		n--;
	if (n == 0)
		return -1;
	if (isdigit((unsigned char)w[0])) {
		char *num = xstrndup(w, n);
		unsigned long long v;

		if (num == NULL)
			return -1;
		errno = 0;
		v = strtoull(num, &e, 0);
		if (*e != '\0' || v > 0xffffffffULL || (typed != NULL &&
		    strcmp(typed, "dword") != 0 && strcmp(typed, "sz") != 0)) {
			free(num);
			return -1;
		}
		*data = num;
		*type = typed ? typed : "dword";
		if (typed == NULL)
			*note = "type dword inferred from numeric data";
		return 0;
	}
	/* A bare word ("No", "IP") is data only for a string type. */
	{
		size_t i;

		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)w[i]) && w[i] != '_' &&
			    w[i] != '-')
				return -1;
		if (typed != NULL && strcmp(typed, "sz") != 0 &&
		    strcmp(typed, "expand-sz") != 0)
			return -1;
		*data = xstrndup(w, n);
		*type = typed ? typed : "sz";
		if (typed == NULL)
			*note = "type sz inferred from a word as data";
		return *data ? 0 : -1;
	}
}

static const char *
type_name(const char *reg)
{
	if (reg == NULL || *reg == '\0')
		return NULL;
	if (strcasecmp(reg, "reg_sz") == 0 || strcasecmp(reg, "string") == 0)
		return "sz";
	if (strcasecmp(reg, "reg_expand_sz") == 0)
		return "expand-sz";
	if (strcasecmp(reg, "reg_multi_sz") == 0)
		return "multi-sz";
	if (strcasecmp(reg, "reg_dword") == 0 || strcasecmp(reg, "dword") == 0)
		return "dword";
	if (strcasecmp(reg, "reg_binary") == 0)
		return "binary";
	return NULL;
}

/* Set the current key from a usable path; VALUE_LAST: its last element is
 * a value name. */
static void
set_key(struct state *st, const struct path *p, int value_last)
{
	if (p->hive == NULL || p->nelems < 1) {
		set_str(&st->key, NULL);
		st->key_hive = NULL;
		return;
	}
	if (value_last && p->nelems >= 2) {
		char *k = strdup(p->text), *bs;

		if (k != NULL && (bs = strrchr(k, '\\')) != NULL)
			*bs = '\0';
		set_str(&st->key, k);
		set_str(&st->value, strdup(p->last));
	} else {
		set_str(&st->key, strdup(p->text));
		/* "Locate the Slow Net Threshold Speed value under the
		 * following key: ...\Slow Net Threshold Speed" */
		if (st->value != NULL && p->nelems >= 2 &&
		    strcasecmp(st->value, p->last) == 0) {
			char *bs = strrchr(st->key, '\\');

			if (bs != NULL)
				*bs = '\0';
		}
	}
	st->key_hive = p->hive;
	st->saw_path = 1;
	if (st->key == NULL)
		st->oom = 1;
}

static int
set_value_act(struct state *st, const char *path, const char *hive,
    const char *name, const char *type, char *data, int create,
    const char *note, long line)
{
	struct act a = { 0 };

	a.kind = A_SET_VALUE;
	a.path = strdup(path);
	a.name = strdup(name);
	a.type = type;
	a.data = data;
	a.create = create;
	a.note = note;
	a.line = line;
	add_hive(st, hive);
	emit_act(st, &a);
	return 1;
}

/* A .reg snippet ("[HKEY_...]", "\"Name\"=dword:00000002"). */
static int
do_regfile(struct state *st, struct item *it)
{
	char *copy = strdup(it->text), *line, *save = NULL;
	char *key = NULL;
	const char *hive = NULL;
	int done = 0, bad = 0, any = 0;

	if (copy == NULL) {
		st->oom = 1;
		return 0;
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *eq, *name, *v;

		if (strcasecmp(line, "REGEDIT") == 0 ||
		    strcasecmp(line, "REGEDIT4") == 0 ||
		    strncasecmp(line, "Windows Registry Editor", 23) == 0)
			continue;
		if (line[0] == '[') {
			struct path p;
			int ri = root_at(line, line + 1);

			free(key);
			key = NULL;
			if (ri < 0 || path_scan(line, 1, ri, NULL, &p) == -1) {
				bad = 1;
				continue;
			}
			if (p.hive != NULL && p.nelems > 0) {
				key = strdup(p.text);
				hive = p.hive;
			} else
				bad = 1;
			path_free(&p);
			any = 1;
			continue;
		}
		if (line[0] != '"' || key == NULL ||
		    (eq = strstr(line, "\"=")) == NULL || eq == line) {
			bad = 1;
			continue;
		}
		name = xstrndup(line + 1, (size_t)(eq - line - 1));
		v = eq + 2;
		if (name == NULL || strchr(name, '\\') != NULL) {
			free(name);
			bad = 1;
			continue;
		}
		if (strncasecmp(v, "dword:", 6) == 0 && strlen(v + 6) == 8 &&
		    strspn(v + 6, "0123456789abcdefABCDEF") == 8) {
			char *d = NULL;

			if (asprintf(&d, "0x%s", v + 6) < 0)
				d = NULL;
			done += set_value_act(st, key, hive, name, "dword", d,
			    1, NULL, it->line);
		} else if (v[0] == '"' && strlen(v) >= 2 &&
		    v[strlen(v) - 1] == '"' &&
		    strchr(v + 1, '\\') == NULL) {
			done += set_value_act(st, key, hive, name, "sz",
			    xstrndup(v + 1, strlen(v) - 2), 1, NULL,
			    it->line);
		} else
			bad = 1;
		free(name);
	}
	free(key);
	free(copy);
	if (done > 0)
		st->regfile = 1;
	if (any && bad)
		return done > 0 ? -1 : 0;
	return done > 0;
}

/* "Value Name: X" / "Data Type: REG_DWORD" / "Data: 1" blocks. */
static int
do_fields(struct state *st, struct item *it)
{
	char *copy = strdup(it->text), *line, *save = NULL;
	char *name = NULL, *datatext = NULL, *keyname = NULL;
	const char *type = NULL, *note = NULL;
	int nf = 0, bad = 0, rc = 0;
	char *data = NULL;

	if (copy == NULL) {
		st->oom = 1;
		return 0;
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *v;

		if (strncasecmp(line, "Value Name:", 11) == 0) {
			v = trim_inplace(line + 11);
			set_str(&name, strdup(v));
			nf++;
		} else if (strncasecmp(line, "Data Type:", 10) == 0 ||
		    strncasecmp(line, "Data Type =", 11) == 0) {
			v = trim_inplace(line + 11);
			type = type_name(v);
			if (type == NULL)
				bad = 1;
			nf++;
		} else if (strncasecmp(line, "Data:", 5) == 0 ||
		    strncasecmp(line, "Value:", 6) == 0) {
			char *par;

			v = trim_inplace(line + (line[0] == 'D' ||
			    line[0] == 'd' ? 5 : 6));
			/* "1000 (Default = 100)", "150 (decimal)" */
			if ((par = strchr(v, '(')) != NULL)
				*par = '\0';
			set_str(&datatext, strdup(trim_inplace(v)));
			nf++;
		} else if (strncasecmp(line, "Key Name:", 9) == 0) {
			set_str(&keyname, strdup(trim_inplace(line + 9)));
			nf++;
		} else if (strncasecmp(line, "Class:", 6) == 0) {
			nf++;
		}
	}
	free(copy);
	if (nf == 0)
		goto out;
	rc = -1;
	if (bad || st->key == NULL)
		goto out;
	if (keyname != NULL && name == NULL && datatext == NULL) {
		struct act a = { 0 };

		if (*keyname == '\0' || is_placeholder(keyname))
			goto out;
		a.kind = A_CREATE_KEY;
		if (asprintf(&a.path, "%s\\%s", st->key, keyname) < 0)
			a.path = NULL;
		a.line = it->line;
		add_hive(st, st->key_hive);
		emit_act(st, &a);
		/* Values added next go under the new key. */
		set_str(&st->key, a.path ? strdup(st->acts[st->nacts - 1].path)
		    : NULL);
		rc = 1;
		goto out;
	}
	if (name == NULL || datatext == NULL || *name == '\0' ||
	    is_placeholder(name) || *datatext == '\0' ||
	    rx_match(&st->rx, RX_NOTVALUE, datatext, NULL))
		goto out;
	if (parse_data(datatext, type, &type, &data, &note) == -1)
		goto out;
	set_value_act(st, st->key, st->key_hive, name, type, data,
	    st->create || type != NULL, note, it->line);
	rc = 1;
out:
	free(name);
	free(datatext);
	free(keyname);
	return rc;
}

/* The key a sentence means: the path written in it at index I (the last
 * path of the item when I < 0), else the current key. */
static const char *
key_for(struct state *st, struct item *it, const char *flat,
    const regmatch_t *m, int pathcap, const char **hive)
{
	if (pathcap > 0 && has_cap(m, pathcap)) {
		long k = strtol(flat + m[pathcap].rm_so, NULL, 10);

		if (k >= 0 && (size_t)k < it->npaths) {
			*hive = it->paths[k].hive;
			return it->paths[k].hive ? it->paths[k].text : NULL;
		}
		return NULL;
	}
	*hive = st->key_hive;
	return st->key;
}

/* The sentence from the match's end to the next ". " (for the words that
 * make data inexact: "or", "depending", ...). */
static int
tail_is_exact(struct state *st, const char *flat, const regmatch_t *m,
    int datacap)
{
	const char *s = flat + m[0].rm_eo, *e = strstr(s, ". ");
	char *t;
	int ok;

	/* The datum ends the clause: "to 4.", "to 2 (the default is 1)",
	 * "to No under the ...", not "to 10 MB". */
	if (!(*s == '\0' || *s == '.' || *s == ',' || *s == ';' ||
	    strncmp(s, " (", 2) == 0 || strncasecmp(s, " under ", 7) == 0 ||
	    strncasecmp(s, " in the ", 8) == 0 ||
	    strncasecmp(s, " and ", 5) == 0))
		return 0;
	/* "For example, if you want to change ..." is no step. */
	if (strncasecmp(flat, "for example", 11) == 0 ||
	    strcasestr(flat, "if you want to") != NULL)
		return 0;

	/* "(the default is 1)" and "(decimal)" say nothing of the data. */
	t = xstrndup(s, e ? (size_t)(e - s) : strlen(s));
	if (t == NULL)
		return 0;
	{
		char *p = strchr(t, '(');

		if (p != NULL)
			*p = '\0';
	}
	ok = !rx_match(&st->rx, RX_NOTVALUE, t, NULL);
	free(t);
	if (ok && datacap > 0) {
		char *d = cap(flat, m, datacap);

		ok = d != NULL && !rx_match(&st->rx, RX_NOTVALUE, d, NULL);
		free(d);
	}
	return ok;
}

/* The sentence forms that change something.  Returns 1 if the item was
 * translated, -1 if it states a change that could not be translated, 0 if
 * it is no change. */
static int
do_sentences(struct state *st, struct item *it)
{
	const char *f = it->flat;
	regmatch_t m[NSUB];
	const char *hive;
	const char *key;

	/* delete the subkeys that start with "X" from the following key */
	if (rx_match(&st->rx, RX_DELSUB, f, m)) {
		char *prefix = cap(f, m, 5);

		if (prefix == NULL || *prefix == '\0' ||
		    strpbrk(prefix, "\\/*?<>") != NULL) {
			free(prefix);
			return -1;
		}
		if (has_cap(m, 12)) {
			key = key_for(st, it, f, m, 12, &hive);
			if (key == NULL) {
				free(prefix);
				return -1;
			}
			{
				struct act a = { 0 };

				a.kind = A_DELETE_KEY;
				if (asprintf(&a.path, "%s\\%s*", key,
				    prefix) < 0)
					a.path = NULL;
				a.line = it->line;
				add_hive(st, hive);
				emit_act(st, &a);
			}
			free(prefix);
			return 1;
		}
		set_str(&st->want_delsub, prefix);
		/* The key may follow in the same item. */
		return 2;
	}
	if (rx_match(&st->rx, RX_DELKEY_INLINE, f, m)) {
		struct act a = { 0 };

		key = key_for(st, it, f, m, 2, &hive);
		if (key == NULL)
			return -1;
		if (strstr(f, " or ") != NULL || strcasestr(f, "either"))
			return -1;
		a.kind = A_DELETE_KEY;
		a.path = strdup(key);
		a.line = it->line;
		add_hive(st, hive);
		emit_act(st, &a);
		return 1;
	}
	if (rx_match(&st->rx, RX_DELKEYS, f, m)) {
		st->want_delkeys = 1;
		return 2;
	}
	if (rx_match(&st->rx, RX_BLANK, f, m)) {
		if (st->key == NULL || st->value == NULL)
			return -1;
		return set_value_act(st, st->key, st->key_hive, st->value,
		    "sz", strdup(""), 0, NULL, it->line);
	}
	if (rx_match(&st->rx, RX_ADD_NAMED, f, m)) {
		char *name = cap(f, m, 2), *d = cap(f, m, 3);
		const char *type;
		size_t k;

		{
			char *t = cap(f, m, 1);

			type = type_name(t);
			free(t);
		}
		for (k = 0; k < it->npaths && it->paths[k].hive == NULL; k++)
			;
		if (type == NULL || k == it->npaths || it->npaths != 1 ||
		    name == NULL) {
			free(name);
			free(d);
			return -1;
		}
		set_value_act(st, it->paths[k].text, it->paths[k].hive, name,
		    type, d, 1, NULL, it->line);
		free(name);
		return 1;
	}
	/* change the value of HKEY_...\Name to 1 */
	if (rx_match(&st->rx, RX_SET_PATH, f, m)) {
		long k = strtol(f + m[3].rm_so, NULL, 10);
		const struct path *p;
		char *w, *data = NULL, *kp, *bs;
		const char *type, *note;

		if (k < 0 || (size_t)k >= it->npaths)
			return -1;
		p = &it->paths[k];
		if (p->hive == NULL || p->nelems < 2 ||
		    !tail_is_exact(st, f, m, 5))
			return -1;
		w = cap(f, m, 5);
		if (w == NULL || parse_data(w, NULL, &type, &data, &note) ==
		    -1) {
			free(w);
			return -1;
		}
		free(w);
		kp = strdup(p->text);
		if (kp == NULL || (bs = strrchr(kp, '\\')) == NULL) {
			free(kp);
			free(data);
			return -1;
		}
		*bs = '\0';
		set_value_act(st, kp, p->hive, p->last, type, data, 0, note,
		    it->line);
		free(kp);
		return 1;
	}
	/* change the Start value to 4; set the "X" (REG_SZ) value to "IP" */
	{
		int tf = 0;

		if (rx_match(&st->rx, RX_SET_NAMED, f, m) ||
		    (tf = rx_match(&st->rx, RX_SET_NAMED_TYPEFIRST, f, m))) {
			int namecap = 2;
			int typecap = tf ? 5 : 8;
			int datacap = tf ? 9 : 12;
			char *name, *w, *t, *data = NULL;
			const char *type, *note;
			const char *rest = f + m[0].rm_eo;
			int pathidx = -1;

			name = has_cap(m, namecap + 1) ? cap(f, m, namecap + 1)
			    : cap(f, m, namecap + 2);
			if (name == NULL)
				return -1;
			{
				char *tn = trim_inplace(name);
				size_t nl;

				memmove(name, tn, strlen(tn) + 1);
				/* ERE matches are longest: "Max MIF Size
				 * registry value" gives "... registry". */
				nl = strlen(name);
				if (nl > 9 && strcasecmp(name + nl - 9,
				    " registry") == 0)
					name[nl - 9] = '\0';
			}
			/* The name part must be a name, not a clause. */
			if (*name == '\0' || strlen(name) > 64 ||
			    is_placeholder(name) || not_a_name(name) ||
			    strncasecmp(name, "value of", 8) == 0 ||
			    strncasecmp(name, "data", 4) == 0 ||
			    strcasestr(name, " the ") != NULL) {
				free(name);
				return -1;
			}
			if (!tail_is_exact(st, f, m, datacap)) {
				free(name);
				return -1;
			}
			t = cap(f, m, typecap);
			type = type_name(t);
			free(t);
			w = cap(f, m, datacap);
			if (w == NULL || parse_data(w, type, &type, &data,
			    &note) == -1) {
				free(w);
				free(name);
				return -1;
			}
			free(w);
			/* Where: "under the @0@", "in the following key". */
			{
				regmatch_t wm[NSUB];

				if (rx_match(&st->rx, RX_WHERE, rest, wm))
					pathidx = (int)strtol(rest +
					    wm[2].rm_so, NULL, 10);
			}
			if (pathidx >= 0 && (size_t)pathidx < it->npaths) {
				const struct path *p = &it->paths[pathidx];

				if (p->hive == NULL) {
					free(name);
					free(data);
					return -1;
				}
				set_value_act(st, p->text, p->hive, name, type,
				    data, 0, note, it->line);
				free(name);
				return 1;
			}
			if (strcasestr(rest, "the following") != NULL ||
			    (it->npaths > 0 && strstr(rest, "@") != NULL)) {
				/* The key comes next. */
				st->want_set = 1;
				set_str(&st->set_name, name);
				set_str(&st->set_data, data);
				st->set_type = type;
				st->set_note = note;
				return 2;
			}
			if (st->key == NULL) {
				free(name);
				free(data);
				return -1;
			}
			set_value_act(st, st->key, st->key_hive, name, type,
			    data, 0, note, it->line);
			free(name);
			return 1;
		}
	}
	/* On the Edit menu, click DWORD, type "3", and then click OK. */
	if (rx_match(&st->rx, RX_TYPE_DATA, f, m)) {
		char *w = cap(f, m, 5), *data = NULL, *t = cap(f, m, 2);
		const char *type = type_name(t), *note;

		free(t);
		if (st->key == NULL || st->value == NULL || w == NULL ||
		    parse_data(w, type, &type, &data, &note) == -1) {
			free(w);
			return -1;
		}
		free(w);
		return set_value_act(st, st->key, st->key_hive, st->value,
		    type, data, st->create, NULL, it->line);
	}
	if (rx_match(&st->rx, RX_DATA_TO, f, m) ||
	    rx_match(&st->rx, RX_SET_IT, f, m)) {
		int dc = m[3].rm_so >= 0 && rx_match(&st->rx, RX_SET_IT, f, m)
		    ? 3 : 1;
		char *w, *data = NULL;
		const char *type = st->edit_type, *note;

		rx_match(&st->rx, dc == 3 ? RX_SET_IT : RX_DATA_TO, f, m);
		if (st->key == NULL || st->value == NULL ||
		    !tail_is_exact(st, f, m, dc))
			return -1;
		w = cap(f, m, dc);
		if (w == NULL || parse_data(w, type, &type, &data, &note) ==
		    -1) {
			free(w);
			return -1;
		}
		free(w);
		return set_value_act(st, st->key, st->key_hive, st->value,
		    type, data, st->create, note, it->line);
	}
	if (rx_match(&st->rx, RX_DELVAL_NAMED, f, m)) {
		char *name = has_cap(m, 5) ? cap(f, m, 5) : cap(f, m, 6);
		struct act a = { 0 };

		if (name == NULL)
			return -1;
		key = key_for(st, it, f, m, 10, &hive);
		if (key == NULL || strstr(f, " or ") != NULL ||
		    strcasestr(f, "either") != NULL ||
		    strcasestr(f, "value from") != NULL ||
		    is_placeholder(name) || not_a_name(trim_inplace(name))) {
			free(name);
			return -1;
		}
		a.kind = A_DELETE_VALUE;
		a.path = strdup(key);
		a.name = strdup(trim_inplace(name));
		a.line = it->line;
		free(name);
		add_hive(st, hive);
		emit_act(st, &a);
		return 1;
	}
	if (rx_match(&st->rx, RX_DELVAL_IT, f, m) ||
	    rx_match(&st->rx, RX_EDIT_DELETE, f, m)) {
		struct act a = { 0 };

		if (st->key == NULL || st->value == NULL)
			return -1;
		a.kind = A_DELETE_VALUE;
		a.path = strdup(st->key);
		a.name = strdup(st->value);
		a.line = it->line;
		add_hive(st, st->key_hive);
		emit_act(st, &a);
		return 1;
	}
	/* rename or remove the Nmperf.dll file from the %SystemRoot%\System32
	 * folder */
	if (rx_match(&st->rx, RX_FILE, f, m)) {
		char *file = cap(f, m, 5), *dir = cap(f, m, 7);
		struct act a = { 0 };
		size_t dl;

		if (file == NULL || dir == NULL || strpbrk(dir, "<>*?\"") ||
		    strpbrk(file, "<>*?\"\\/")) {
			free(file);
			free(dir);
			return -1;
		}
		dl = strlen(dir);
		while (dl > 0 && dir[dl - 1] == '\\')
			dir[--dl] = '\0';
		a.kind = A_RENAME_FILE;
		if (asprintf(&a.path, "%s\\%s", dir, file) < 0)
			a.path = NULL;
		/* The article leaves the new name open ("rename or
		 * remove"): renaming keeps the file for an undo. */
		if (asprintf(&a.to, "%s.disabled-by-kbfix-%s", file,
		    st->a->number) < 0)
			a.to = NULL;
		a.line = it->line;
		a.note = "the article does not name the new file name";
		free(file);
		free(dir);
		emit_act(st, &a);
		return 1;
	}
	return 0;
}

/* Items that only set the context for the next ones. */
static int
do_context(struct state *st, struct item *it)
{
	const char *f = it->flat;
	regmatch_t m[NSUB];
	int r = 0;

	if (rx_match(&st->rx, RX_VALUE_IN_KEY, f, m)) {
		char *n = has_cap(m, 5) ? cap(f, m, 5) : cap(f, m, 6);

		set_str(&st->value, n ? strdup(trim_inplace(n)) : NULL);
		free(n);
		r = 1;
	} else if (rx_match(&st->rx, RX_FOLLOWING_VALUE, f, m)) {
		st->want_value = 1;
		r = 1;
	} else if (rx_match(&st->rx, RX_SELECT_VALUE, f, m)) {
		char *n = has_cap(m, 3) ? cap(f, m, 3) : cap(f, m, 4);

		set_str(&st->value, n ? strdup(trim_inplace(n)) : NULL);
		free(n);
		r = 1;
	} else if (rx_match(&st->rx, RX_SELECT_ENTRY, f, m)) {
		char *n = cap(f, m, 2);

		set_str(&st->value, n ? strdup(trim_inplace(n)) : NULL);
		free(n);
		r = 1;
	} else if (rx_match(&st->rx, RX_EDIT_TYPE, f, m)) {
		char *t = cap(f, m, 2);

		st->edit_type = type_name(t);
		free(t);
		r = 1;
	} else if (rx_match(&st->rx, RX_NEW_VALUE, f, m)) {
		char *t = cap(f, m, 1);

		st->edit_type = type_name(t);
		st->create = 1;
		free(t);
		r = 1;
	} else if (rx_match(&st->rx, RX_RENAME_NEW, f, m)) {
		set_str(&st->value, cap(f, m, 1));
		r = 1;
	}
	if (rx_match(&st->rx, RX_FOLLOWING_KEY, f, NULL))
		r = 1;
	if (rx_match(&st->rx, RX_ADD_FOLLOWING, f, NULL)) {
		st->create = 1;
		r = 1;
	}
	return r;
}

/* The item's paths, for an item made of paths only, or for paths that
 * follow "the following key" in the same item. */
static int
do_paths(struct state *st, struct item *it, int only)
{
	size_t k;
	int used = 0;

	for (k = 0; k < it->npaths; k++) {
		const struct path *p = &it->paths[k];

		if (p->nelems == 0)
			continue;
		if (st->want_delkeys) {
			struct act a = { 0 };

			if (p->hive == NULL || p->nelems < 2)
				return -1;
			a.kind = A_DELETE_KEY;
			a.path = strdup(p->text);
			a.line = it->line;
			add_hive(st, p->hive);
			emit_act(st, &a);
			used = 1;
			continue;
		}
		if (st->want_delsub != NULL) {
			struct act a = { 0 };

			if (p->hive == NULL)
				return -1;
			a.kind = A_DELETE_KEY;
			if (asprintf(&a.path, "%s\\%s*", p->text,
			    st->want_delsub) < 0)
				a.path = NULL;
			a.line = it->line;
			add_hive(st, p->hive);
			emit_act(st, &a);
			set_str(&st->want_delsub, NULL);
			used = 1;
			continue;
		}
		if (p->hive == NULL) {
			set_key(st, p, 0);
			return -1;
		}
		set_key(st, p, st->want_value || p->colon);
		st->want_value = 0;
		if (st->want_set) {
			st->want_set = 0;
			set_value_act(st, st->key, st->key_hive, st->set_name,
			    st->set_type, st->set_data, 0, st->set_note,
			    it->line);
			st->set_data = NULL;
			set_str(&st->set_name, NULL);
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
	if (rx_match(&st->rx, RX_OFFLINE_INI, f, NULL))
		return "it edits an .ini file";
	if (rx_match(&st->rx, RX_OFFLINE_SCRIPT, f, NULL))
		return "it edits a logon script";
	if (rx_match(&st->rx, RX_OFFLINE_CONSOLE, f, NULL))
		return "it uses a management console or Control Panel";
	if (rx_match(&st->rx, RX_OFFLINE_PROGRAM, f, NULL))
		return "it runs or installs a program";
	if (rx_match(&st->rx, RX_OFFLINE_SERVICE, f, NULL))
		return "it restarts a service";
	return NULL;
}

static void
untranslated(struct state *st, struct item *it, int regstep)
{
	st->nuntranslated++;
	if (st->first_untranslated == 0)
		st->first_untranslated = it->line;
	if (regstep)
		st->nregsteps++;
	comment_item(st, it, "untranslated");
}

static void
do_item(struct state *st, struct item *it)
{
	const char *f = it->flat;
	int r, rf, rc, rp, mentions_reg, isstep;

	if (*f == '\0' || it->heading || strcasecmp(f, "-or-") == 0 ||
	    strcasecmp(f, "-and-") == 0)
		return;
	if (rx_match(&st->rx, RX_BOILER, f, NULL))
		return;
	/* "From the HKEY_LOCAL_MACHINE subtree, go to ..." */
	if (it->npaths > 0 && it->paths[0].nelems == 0 &&
	    strncasecmp(it->text + it->paths[0].end, " subtree", 8) == 0) {
		set_str(&st->subtree, strdup(it->paths[0].text));
	}
	/* "NOTE: ... OWA may not function properly" is a warning for the
	 * user, not a step. */
	if (strncasecmp(f, "NOTE:", 5) == 0 ||
	    strncasecmp(f, "CAUTION:", 8) == 0 ||
	    strncasecmp(f, "WARNING:", 8) == 0 ||
	    strncasecmp(f, "IMPORTANT:", 10) == 0) {
		if (rx_match(&st->rx, RX_WARNS, f, NULL)) {
			const char *t = strchr(it->text, ':') + 1;

			while (*t == ' ' || *t == '\n')
				t++;
			text_element(&st->warnings, "warning", t, 2);
		} else
			comment_item(st, it, "note from");
		return;
	}
	mentions_reg = it->npaths > 0 || strcasestr(f, "registry") != NULL ||
	    strcasestr(f, "reg_") != NULL || strcasestr(f, "regedt") != NULL;
	isstep = it->numbered ||
	    rx_match(&st->rx, RX_IMPERATIVE, f, NULL) || it->npaths > 0;

	if (rx_match(&st->rx, RX_PATH_STEP, f, NULL)) {
		st->path_step = 1;
		st->nuntranslated++;
		if (st->first_untranslated == 0)
			st->first_untranslated = it->line;
		comment_item(st, it, "REVIEW (a PATH step: an <edit-list> of "
		    "the Path value may express it)");
		return;
	}
	if (strchr(it->text, '[') != NULL || strstr(it->text, "\"=") != NULL) {
		rf = do_regfile(st, it);
		if (rf > 0)
			return;
		if (rf < 0) {
			untranslated(st, it, 1);
			return;
		}
	}
	if (st->regfile && rx_match(&st->rx, RX_REGFILE, f, NULL))
		return;

	/* Paths first: they set the key the sentences speak of. */
	if (paths_only(it)) {
		rp = do_paths(st, it, 1);
		if (rp < 0)
			untranslated(st, it, 1);
		st->want_delkeys = st->want_delkeys && rp > 0;
		return;
	}
	st->want_delkeys = 0;

	r = do_sentences(st, it);
	if (r == 2) {
		/* the key or keys follow in this item or the next ones */
		rp = do_paths(st, it, 0);
		if (rp < 0)
			untranslated(st, it, 1);
		else if (rp > 0)
			st->want_delkeys = 0;
		return;
	}
	if (r == 1) {
		return;
	}
	if (r == -1) {
		untranslated(st, it, 1);
		return;
	}
	rc = do_context(st, it);
	rp = do_paths(st, it, 0);
	if (rp < 0) {
		untranslated(st, it, 1);
		return;
	}
	rf = do_fields(st, it);
	if (rf == 1)
		return;
	if (rf == -1) {
		untranslated(st, it, 1);
		return;
	}
	/* A key named in a sentence that also asks for a change the forms
	 * above did not take ("Delete either A or B under the ... key") is
	 * no mere context. */
	if ((rc || rp > 0) && (f[strlen(f) - 1] == ':' ||
	    !rx_match(&st->rx, RX_CHANGE_VERB, f, NULL)))
		return;
	if (rc || rp > 0) {
		untranslated(st, it, 1);
		return;
	}
	if (rx_match(&st->rx, RX_NAV_START, f, NULL) &&
	    strlen(f) < 100 && !rx_match(&st->rx, RX_IMPERATIVE, f + 5, NULL))
		return;
	if (rx_match(&st->rx, RX_NAV_START, f, NULL) && strlen(f) < 60)
		return;
	if (rx_match(&st->rx, RX_NAV_END, f, NULL) && strlen(f) < 120)
		return;
	if (rx_match(&st->rx, RX_RESTART, f, NULL) && strlen(f) < 80) {
		st->restart = 1;
		return;
	}
	if (rx_match(&st->rx, RX_SERVICE, f, NULL) && strlen(f) < 120) {
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
	    rx_match(&st->rx, RX_INTRO, f, NULL) &&
	    offline_reason(st, f) == NULL)
		return;
	/* "Q288239 SMS: How to Obtain ...": a reference. */
	if (!it->numbered && rx_match(&st->rx, RX_REFERENCE, f, NULL))
		return;
	if (!it->numbered && rx_match(&st->rx, RX_INTRO, f, NULL) &&
	    !mentions_reg && strlen(f) < 200 && !isstep &&
	    offline_reason(st, f) == NULL)
		return;
	if (!isstep && !mentions_reg && offline_reason(st, f) == NULL) {
		comment_item(st, it, "note from");
		return;
	}
	if (!mentions_reg && st->offline == NULL)
		st->offline = offline_reason(st, f);
	untranslated(st, it, mentions_reg);
}

/* ------------------------------------------------------------ output */

static void
text_element(struct buf *b, const char *el, const char *text, int indent)
{
	const char *s;

	buf_printf(b, "%*s<%s>\n%*s", indent, "", el, indent + 2, "");
	for (s = text; *s != '\0'; s++) {
		if (*s == '\n')
			buf_printf(b, "\n%*s", s[1] == '\n' ? 0 : indent + 2,
			    "");
		else if (*s == '<')
			buf_add(b, "&lt;");
		else if (*s == '>')
			buf_add(b, "&gt;");
		else if (*s == '&')
			buf_add(b, "&amp;");
		else
			buf_addc(b, *s);
	}
	buf_printf(b, "\n%*s</%s>\n", indent, "", el);
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

static int
blank(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static char *
write_remedy(struct state *st, struct draft *dr, const char *procedure,
    const char *advisory)
{
	const struct article *a = st->a;
	struct buf b = { 0 };
	size_t i;

	buf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(&b, "<!-- Draft of a remedy from %s (kbfix draft, status "
	    "%s", a->number, draft_status_name(dr->status));
	if (dr->reason != NULL) {
		buf_add(&b, ": ");
		buf_comment_text(&b, dr->reason);
	}
	buf_add(&b, ").\n     Review every action against the article, then "
	    "remove draft=\"true\". -->\n");
	buf_add(&b, "<remedy xmlns=\"urn:kbfix:remedy:1\" id=\"");
	buf_xml(&b, a->number);
	buf_add(&b, "\" draft=\"true\">\n");
	buf_add(&b, "  <title>");
	buf_xml(&b, blank(a->title) ? a->number : a->title);
	buf_add(&b, "</title>\n");
	buf_add(&b, "  <article number=\"");
	buf_xml(&b, a->number);
	buf_add(&b, "\"");
	if (valid_modified(a->modified)) {
		buf_add(&b, " modified=\"");
		buf_xml(&b, a->modified);
		buf_add(&b, "\"");
	}
	buf_add(&b, ">\n");
	for (i = 0; i < a->nproducts; i++) {
		buf_add(&b, "    <product>");
		buf_xml(&b, a->products[i]);
		buf_add(&b, "</product>\n");
	}
	if (a->nproducts == 0)
		buf_add(&b, "    <!-- the article names no product -->\n"
		    "    <product>unknown</product>\n");
	text_element(&b, "symptom", blank(a->symptom) ? "(none given)" :
	    a->symptom, 4);
	if (!blank(procedure))
		text_element(&b, "workaround", procedure, 4);
	buf_add(&b, "  </article>\n");
	{
		struct buf s = { 0 };

		if (st->nacts == 0)
			buf_printf(&s, "Tells what %s says; changes nothing.",
			    a->number);
		else
			buf_printf(&s, "Draft: the %zu change%s that %s's "
			    "%s states.", st->nacts, st->nacts == 1 ? "" : "s",
			    a->number, a->procedure ? a->procedure->name :
			    "article");
		text_element(&b, "summary", s.s ? s.s : "draft", 2);
		free(s.s);
	}
	if (st->warnings.s != NULL)
		buf_add(&b, st->warnings.s);
	if (st->restart)
		buf_add(&b, "  <restart/>\n");
	if (st->nhives == 0) {
		/* A file change or an advisory names no hive, but the schema
		 * wants one: SYSTEM, as the curated remedies do (the
		 * conditions usually look for a service there). */
		buf_add(&b, "  <!-- review: no hive is named by the article "
		    "-->\n  <hive name=\"SYSTEM\"/>\n");
	}
	for (i = 0; i < st->nhives; i++)
		buf_printf(&b, "  <hive name=\"%s\"/>\n", st->hives[i]);
	if (st->nacts > 0) {
		buf_add(&b, "  <actions>\n");
		if (st->body.s != NULL)
			buf_add(&b, st->body.s);
		buf_add(&b, "  </actions>\n");
	} else if (st->body.s != NULL) {
		buf_add(&b, st->body.s);
	}
	if (advisory != NULL)
		text_element(&b, "advisory", advisory, 2);
	buf_add(&b, "</remedy>\n");
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* ------------------------------------------------------------ driver */

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
	free(dr->xml);
	free(dr);
}

static void
state_free(struct state *st)
{
	size_t i;

	rx_free(&st->rx);
	for (i = 0; i < st->nacts; i++) {
		free(st->acts[i].path);
		free(st->acts[i].name);
		free(st->acts[i].data);
		free(st->acts[i].to);
	}
	free(st->key);
	free(st->value);
	free(st->want_delsub);
	free(st->set_name);
	free(st->set_data);
	free(st->subtree);
	free(st->body.s);
	free(st->warnings.s);
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
	if (dr == NULL || rx_compile(&st.rx) == -1)
		goto oom;
	if (a->procedure != NULL) {
		if ((proc = article_section_text(a, a->procedure)) == NULL)
			goto oom;
		if (items_split(a, a->procedure, &items, &nitems) == -1)
			goto oom;
	}
	for (i = 0; i < nitems && !st.oom; i++) {
		if (item_scan(&items[i], st.subtree) == -1)
			goto oom;
		do_item(&st, &items[i]);
	}
	if (st.oom || st.body.oom || st.warnings.oom)
		goto oom;
	dr->nactions = st.nacts;
	dr->nuntranslated = st.nuntranslated;
	dr->restart = st.restart;

	if (st.nacts > 0 && st.nuntranslated == 0) {
		dr->status = DRAFT_COMPLETE;
	} else if (st.nacts > 0) {
		dr->status = DRAFT_PARTIAL;
		if (asprintf(&dr->reason, "%zu step%s left as comments "
		    "(first at line %ld)", st.nuntranslated,
		    st.nuntranslated == 1 ? "" : "s",
		    st.first_untranslated) < 0)
			goto oom;
	} else if (st.path_step) {
		dr->status = DRAFT_PARTIAL;
		if ((dr->reason = strdup("the PATH step needs review; "
		    "no action drafted")) == NULL)
			goto oom;
		if ((advisory = strdup(proc)) == NULL)
			goto oom;
	} else if (!a->has_workaround && st.nregsteps == 0) {
		const struct article_section *s;

		dr->status = DRAFT_ADVISORY;
		if ((dr->reason = strdup("the article has no workaround")) ==
		    NULL)
			goto oom;
		s = article_section(a, "RESOLUTION");
		if (s == NULL)
			s = a->procedure;
		advisory = s ? article_section_text(a, s) :
		    strdup(blank(a->title) ? a->number : a->title);
		if (advisory == NULL)
			goto oom;
		/* The advisory repeats the resolution: no need for the
		 * untranslated comments of a procedure it is not. */
		free(st.body.s);
		memset(&st.body, 0, sizeof(st.body));
		free(proc);
		proc = NULL;
	} else {
		dr->status = DRAFT_NONE;
		if (st.nregsteps > 0) {
			if (asprintf(&dr->reason, "%zu registry step%s not "
			    "understood (first at line %ld)", st.nregsteps,
			    st.nregsteps == 1 ? "" : "s",
			    st.first_untranslated) < 0)
				dr->reason = NULL;
		} else if (st.saw_path) {
			dr->reason = strdup("a registry key is named but no "
			    "change to it is stated as a step");
		} else if (st.offline != NULL) {
			if (asprintf(&dr->reason, "not doable offline: %s",
			    st.offline) < 0)
				dr->reason = NULL;
		} else
			dr->reason = strdup(a->procedure == NULL ?
			    "no workaround" : "no registry or file step");
		if (dr->reason == NULL)
			goto oom;
	}
	if (dr->status != DRAFT_NONE &&
	    (dr->xml = write_remedy(&st, dr, proc, advisory)) == NULL)
		goto oom;
	for (i = 0; i < nitems; i++)
		item_free(&items[i]);
	free(items);
	free(proc);
	free(advisory);
	state_free(&st);
	*out = dr;
	return 0;
oom:
	diag_error(d, a->name, 0, "out of memory");
	for (i = 0; i < nitems; i++)
		item_free(&items[i]);
	free(items);
	free(proc);
	free(advisory);
	state_free(&st);
	draft_free(dr);
	return -1;
}
