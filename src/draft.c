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
#define VALUES_MAX	8

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
	RX_SHOULD,
	RX_VERIFY_IT,
	RX_VERIFY_NAMED,
	RX_ADD_VALUE,
	RX_LEAD,
	RX_DELKEY_NAMED,
	RX_CREATEKEYS,
	RX_IF_VALUES,
	RX_IF_KEY,
	RX_SELECT_VALUES,
	RX_DISPLAY,
	RX_TYPE_COLON,
	RX_ADDKEY_MENU,
	RX_KEYNAME_TYPE,
	RX_CLICK_KEY,
	RX_NOISE,
	RX_NAV_RUN,
	RX_ALTS,
	RX_ALT_FIX,
	RX_POINTER,
	RX_RESTART_ANY,
	RX_ENTER_VALUE,
	RX_CHECK,
	RX__COUNT
};

#define NAME_RE	"(\"([^\"]+)\"|([A-Za-z0-9_.][A-Za-z0-9_. #-]*))"
/* A name without spaces unless quoted: where a longest match of NAME_RE
 * would swallow the words after it ("X as a REG_DWORD"). */
#define NAME1_RE "(\"([^\"]+)\"|([A-Za-z0-9_.][A-Za-z0-9_.#-]*))"
/* Names joined by "and/or", "and", "or" or commas: 4 + 4 groups. */
#define NAMES_RE "(" NAME1_RE "((,? and/or |,? and |,? or |, )" NAME1_RE ")*)"
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
	    "( \\(" TYPE_RE "\\))?( from (" DATA_RE "|its current "
	    "(setting|value)|the default( value)?)( \\([^)]*\\))?)? to "
	    "(a value of )?" DATA_RE,
	[RX_SET_NAMED_TYPEFIRST] =
	    "(change|set) the " NAME_RE " \\(" TYPE_RE "\\) "
	    "(value|entry|parameter)( from " DATA_RE ")? to " DATA_RE,
	[RX_SET_IT] =
	    "(change|set) (it|the value|its value|the data|the value data|"
	    "the data value|this value) to " DATA_RE,
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
	    "^click ok to save|"
	    "^(when|after) [^,]*, (close|quit|exit) (the )?(registry editor|"
	    "regedt32|regedit)",
	[RX_RESTART] =
	    "(restart|reboot|shut down and (then )?restart)( the)? "
	    "(computer|server|system|machine|windows nt|site server)",
	[RX_SERVICE] =
	    "^(carry out \"net (stop|start) [a-z0-9_]+\"|"
	    "(stop|start|restart|stop and (then )?restart|stop and start)"
	    "( all)?( of)?( the)? [^.]*services?)\\.?$|"
	    "^use (control panel|the services (tool|applet)) to (stop and "
	    "(then )?restart|restart|stop and start) ",
	[RX_INTRO] =
	    "(work around|resolve|correct) (this|the) (problem|issue|behavior)|"
	    "(following|these) (steps|procedure)|do the following|"
	    "following registry change|(modify|edit) the registry|"
	    "registry entry needs to be added|"
	    "add (a|the following|these|this) (registry )?(value|entry|"
	    "setting)s? to the registry",
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
	    "subtree, (go to|find) the( following)? (key|subkey)|"
	    "(is|are) (located|stored) (at|in|under)",
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
	/* The "X" parameter should have a value of 1. */
	[RX_SHOULD] =
	    "^the " NAME_RE " (registry )?(value|parameter|entry|setting)"
	    "( \\(" TYPE_RE "\\))? (should|must) (have a value of|be set to|"
	    "be) " DATA_RE,
	/* Verify that the REG_DWORD value is set to 0x3. */
	[RX_VERIFY_IT] =
	    "^(verify|ensure|make sure) that the ((reg_sz|reg_expand_sz|"
	    "reg_multi_sz|reg_dword|reg_binary|dword|string) )?value is set "
	    "to " DATA_RE,
	[RX_VERIFY_NAMED] =
	    "^(verify|ensure|make sure) that the " NAME_RE " (registry )?"
	    "(value|entry|parameter) is set to " DATA_RE,
	/* add the following REG_DWORD value with the name X. Set its value
	 * to 1; place the value X as a REG_DWORD and give it a value of 0 */
	[RX_ADD_VALUE] =
	    "(add|create|place) (the following |a new |a |the )?((reg_sz|"
	    "reg_expand_sz|reg_multi_sz|reg_dword|reg_binary|dword|string) )?"
	    "(value|entry) (with the name |named |called )?" NAME1_RE
	    "( as an? " TYPE_RE "( value)?)?[,.]? (and )?(then )?(set its "
	    "value to|set it to|give it a value of|with a value of|set the "
	    "value to|set its data to) " DATA_RE,
	/* What may stand before RX_ADD_VALUE in its item. */
	[RX_LEAD] =
	    "^((in the registry|in registry editor|then|next|also|now|"
	    "to work around this (problem|issue|behavior)),? )?$|"
	    "^under (the )?@([0-9]+)@,? $|"
	    "^under (the )?([A-Za-z0-9_ ]+([/\\][A-Za-z0-9_ ]+)+),? $",
	/* remove the Software Inventory Agent key under the following
	 * location */
	[RX_DELKEY_NAMED] =
	    "(delete|remove) the " NAME_RE " (registry )?(key|subkey)"
	    "( (under|from|in) the following (registry )?(key|location|"
	    "subkey)| (under|from|in) (the )?@([0-9]+)@| from:?$|\\.?$)",
	[RX_CREATEKEYS] =
	    "(create|add) the following (registry )?(keys|key|subkeys|"
	    "subkey)",
	/* If values for .exe and/or .com exist in X, delete them */
	[RX_IF_VALUES] =
	    "^if (the )?(values? (for|named|called) )?" NAMES_RE
	    "( values?)? exists? (in|under) (the )?@([0-9]+)@( (registry )?"
	    "key)?,? (then )?(delete|remove) (it|them)",
	[RX_IF_KEY] =
	    "^if (the )?@([0-9]+)@ (registry )?(key|subkey) exists,? (then )?"
	    "(delete|remove) (it|the key|the subkey)",
	[RX_SELECT_VALUES] =
	    "^(select|click|locate) the values? (for|named|called) (the )?"
	    NAMES_RE "( [a-z]+)?\\.?$",
	/* Regedt32's display of a value: "Default0:REG_DWORD:0". */
	[RX_DISPLAY] =
	    "^(<no name>|" NAME_RE ") ?: ?" TYPE_RE " ?: ?(.+)$",
	[RX_TYPE_COLON] =
	    "^" TYPE_RE " ?: ?(.+)$",
	[RX_ADDKEY_MENU] =
	    "^on the edit menu, (click|choose|select) add key\\.?$",
	[RX_KEYNAME_TYPE] =
	    "^in the key name box, type " NAME_RE
	    "( \\(without the quotation marks\\))?\\.?$",
	[RX_CLICK_KEY] =
	    "^(in the left pane, )?(click|select|double-click) the " NAME_RE
	    " key( to select it)?\\.?$",
	/* What regedit does by itself. */
	[RX_NOISE] =
	    "^(in the right pane, )?a new value named \"new value #[0-9]+\" "
	    "appears\\.?$|^a dialog box appears\\.?$",
	[RX_NAV_RUN] =
	    "^on the start menu, click run\\.? (in the open box, )?type "
	    "\"?(regedit|regedt32)(\\.exe)?\"?( \\(without the quotation "
	    "marks\\))?\\.? (and then )?click ok\\.?$",
	[RX_ALTS] =
	    "(use|do|try|perform|follow|implement) (any |either |one )(one )?"
	    "of the following|(any|one|either) of the (following )?(methods|"
	    "workarounds)",
	/* The RESOLUTION repeated before the workaround: no step of it. */
	[RX_ALT_FIX] =
	    "^to (resolve|correct|fix) this (problem|issue|behavior), "
	    "(obtain|install|apply) the latest service pack",
	[RX_POINTER] =
	    "perform the steps in the \"[^\"]+\" section|see the \"[^\"]+\" "
	    "section|(is|are) described (in detail )?below",
	[RX_RESTART_ANY] =
	    "(restart|reboot)( the)? (computer|server|system|machine|"
	    "windows nt)|(stop and (then )?restart|restart) the [^.]*service",
	[RX_ENTER_VALUE] =
	    "^(enter|type) a value of " DATA_RE,
	[RX_CHECK] =
	    "^(verify|check|examine|ensure|make sure|view|look|record|note)\\b|"
	    "^(also )?(record|note) the value",
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
static int clean_name(char *, int, const char **);

/* ------------------------------------------------------------ paths */

struct path {
	char *text;		/* canonical: long root, elements as written */
	const char *hive;	/* "SYSTEM", ..., NULL if unusable */
	const char *why;	/* why unusable, static */
	size_t nelems;
	char *last;		/* last element */
	size_t start, end;	/* span in the item text */
	int colon;		/* written with a trailing ':' (value follows) */
	int block;		/* alone on its line(s), not in a sentence */
	int glued;		/* root and hive written as one word */
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
 * "HKEY_LOCAL_MACHINESYSTEM" typo is not a path here (see root_glued). */
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

/* Q183769 prints "HKEY_LOCAL_MACHINESYSTEM\currentcontrolset\...": the
 * long root run together with a hive name and followed by a separator is
 * read as the path it plainly is (and the action says so for review).
 * Returns the index of HKEY_LOCAL_MACHINE in roots[], or -1. */
static int
root_glued(const char *text, const char *s)
{
	static const char *hives[] = { "SYSTEM", "SOFTWARE" };
	size_t i, l = strlen(roots[0].tok);

	if (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
		return -1;
	if (strncasecmp(s, roots[0].tok, l) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		size_t h = strlen(hives[i]);

		if (strncasecmp(s + l, hives[i], h) == 0 &&
		    (s[l + h] == '\\' || s[l + h] == '/'))
			return 0;
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
	return strncasecmp(n, "reg_", 4) == 0;
}

/* Nonzero if a name caught by a sentence is a description rather than a
 * name: "Delete the incorrect domain name key", "the corresponding
 * package ID". */
static int
vague_name(const char *n)
{
	static const char *words[] = { "incorrect", "correct", "appropriate",
	    "corresponding", "proper", "your", "that", "which", "each",
	    "every", "all", "any", "following", "preceding", "above", "below",
	    "missing", "extraneous", "redundant", "specific", "relevant",
	    "old", "the", "a", "an", "this", "these", "those", "its", "their",
	    "registry", "value", "values", "key", "keys", "subkey", "entry" };
	const char *s = n;

	while (*s != '\0') {
		size_t l = strcspn(s, " "), i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i]) == l &&
			    strncasecmp(s, words[i], l) == 0)
				return 1;
		s += l;
		while (*s == ' ')
			s++;
	}
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
	p->block = block;
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
	p->block = 1;
	p->end = (size_t)(q - text);
	if (p->end > 0 && text[p->end - 1] == '\n')
		p->end--;
	rc = path_finish(p, roots[rootidx].root, el, nel);
	for (i = 0; i < nel; i++)
		free(el[i]);
	return rc == 0 ? 1 : -1;
}

/* Drop a word or two the KB printed twice: "set the set the
 * IsDomainMaster value to No" (Q318232), "the the".  Only words of
 * letters: "1 1" or "@0@ @0@" stay. */
static void
undouble(char *s)
{
	size_t k;

	for (k = 1; k <= 2; k++) {
		char *p = s;

		while (*p != '\0') {
			char *a = p, *b = p;
			size_t w, alpha = 1;

			/* the k words at a, then b at the word after them */
			for (w = 0; w < k && *b != '\0'; w++) {
				while (*b != '\0' && *b != ' ') {
					if (!isalpha((unsigned char)*b))
						alpha = 0;
					b++;
				}
				if (*b == ' ')
					b++;
				else
					w = k + 1;
			}
			if (w == k && alpha && b > a &&
			    strncasecmp(a, b, (size_t)(b - a)) == 0 &&
			    (b[b - a] == '\0' || b[b - a - 1] == ' ')) {
				memmove(b, b + (b - a), strlen(b + (b - a)) + 1);
				continue;
			}
			while (*p != '\0' && *p != ' ')
				p++;
			if (*p == ' ')
				p++;
		}
	}
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
		} else if (it->npaths < PATHS_MAX &&
		    (ri = root_glued(t, t + i)) >= 0) {
			if (path_scan(t, i, ri, NULL, p) == -1)
				goto oom;
			p->glued = 1;
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
		undouble(it->flat);
	}
	return 0;
oom:
	free(f.s);
	return -1;
}

/* A path inside a sentence ends at the first space: "exist in
 * HKEY_LOCAL_MACHINE/.../Parameters/Script Map delete them" gives
 * ".../Script".  When the same procedure writes the path alone on its
 * lines, where spaces are part of names, and that path continues the cut
 * one with the next words of the sentence, the words join the path.
 * Nothing is joined on a guess: the article writes the longer path. */
static int
paths_complete(struct item *items, size_t n)
{
	size_t i, j, k, q;

	for (i = 0; i < n; i++) {
		struct item *it = &items[i];

		for (k = 0; k < it->npaths; k++) {
			struct path *p = &it->paths[k];
			char tag[32], *at, *w, *best = NULL;
			size_t bestlen = 0;

			if (p->block || p->hive == NULL)
				continue;
			snprintf(tag, sizeof(tag), "@%zu@", k);
			if ((at = strstr(it->flat, tag)) == NULL)
				continue;
			w = at + strlen(tag);
			for (j = 0; j < n; j++) {
				for (q = 0; q < items[j].npaths; q++) {
					const struct path *b = &items[j].paths[q];
					size_t pl = strlen(p->text), e;

					if (!b->block || b->hive == NULL ||
					    strlen(b->text) <= pl + 1 ||
					    strncasecmp(b->text, p->text, pl) != 0 ||
					    b->text[pl] != ' ')
						continue;
					/* the rest of b's element */
					e = pl;
					while (b->text[e] != '\0' &&
					    b->text[e] != '\\')
						e++;
					if (strncasecmp(w, b->text + pl, e - pl) ==
					    0 && (w[e - pl] == ' ' ||
					    w[e - pl] == '\0' || w[e - pl] == ',' ||
					    w[e - pl] == '.') && e - pl > bestlen) {
						best = b->text;
						bestlen = e - pl;
					}
				}
			}
			if (best != NULL) {
				char *t = xstrndup(best, strlen(p->text) + bestlen);
				char *l = NULL;

				if (t == NULL || asprintf(&l, "%s%.*s", p->last,
				    (int)bestlen, w) < 0) {
					free(t);
					return -1;
				}
				free(p->text);
				free(p->last);
				p->text = t;
				p->last = l;
				memmove(w, w + bestlen, strlen(w + bestlen) + 1);
			}
		}
	}
	return 0;
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
	int cond;		/* stated under "if it exists" */
};

/* A condition the article states ("If values for .exe and/or .com
 * exist in ..."): a value (NAME non-NULL) or a key that exists. */
struct dcond {
	char *path;
	char *name;
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
	char *values[VALUES_MAX]; /* the value or values selected */
	size_t nvalues;
	int want_value;		/* "the following registry value:" */
	int want_delkeys;	/* "delete the following keys:" */
	char *want_delsub;	/* "delete the subkeys that start with X" */
	int want_set;		/* a set waiting for "the following key" */
	char *set_name, *set_data;
	const char *set_type;
	const char *set_note;
	int set_create;
	char *want_delkey;	/* "remove the X key under the following
				 * location" */
	int want_createkeys;	/* "create the following key:" */
	int want_newkey;	/* "On the Edit menu, click Add Key" */
	struct item *pending;	/* the item of a want_* still waiting */
	char *regkey;		/* the key of a .reg snippet's [section] */
	const char *reghive;
	char *glued[4];		/* paths written with a glued root */
	size_t nglued;
	struct dcond conds[ACTIONS_MAX];
	size_t nconds;
	int alts;		/* the article offers alternative methods */
	size_t nalts;		/* alternatives kept as comments */
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
	const char *why;	/* why the current item failed, static */
	const char *first_why;	/* why the first untranslated step did */
	int first_reg;		/* ... and whether it was a registry step */
	long first_reg_line;	/* the first untranslated registry step */
	const char *first_reg_why;
	long first_alt;		/* the first alternative not drafted */
	size_t span_so, span_eo; /* what the translated form matched */
};

static void
set_str(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

static void
values_clear(struct state *st)
{
	size_t i;

	for (i = 0; i < st->nvalues; i++)
		free(st->values[i]);
	st->nvalues = 0;
}

/* Select the one value NAME (owned; NULL selects none). */
static void
value_set1(struct state *st, char *name)
{
	values_clear(st);
	if (name != NULL)
		st->values[st->nvalues++] = name;
}

static void
value_add(struct state *st, char *name)
{
	if (name == NULL) {
		st->oom = 1;
		return;
	}
	if (st->nvalues < VALUES_MAX)
		st->values[st->nvalues++] = name;
	else
		free(name);
}

/* The one selected value, or NULL when none or several are selected. */
static const char *
value1(const struct state *st)
{
	return st->nvalues == 1 ? st->values[0] : NULL;
}

/* Why a step stays a comment: the reasons --stats counts. */
#define W_UNKNOWN	"no known sentence form"
#define W_INEXACT	"the data is not one exact value"
#define W_DATA		"the data is not written as a number, word or " \
			    "quoted string"
#define W_NOKEY		"no usable key is named for the step"
#define W_NOVALUE	"no value is named for the step"
#define W_CHOICE	"the step leaves a choice (either, or)"
#define W_NAME		"the name is not a plain name"
#define W_SHORT		"the key path is too short to delete"
#define W_FIELDS	"a Value Name/Data block the drafter cannot read"
#define W_REGFILE	"a .reg line the drafter cannot read"
#define W_PENDING	"the key the step speaks of never follows"
#define W_KEYNAME	"the key named is not the key located"

/* Note why the current item cannot be translated (the first reason
 * found wins) and return -1, the "untranslated" result. */
static int
fail(struct state *st, const char *why)
{
	if (st->why == NULL)
		st->why = why;
	return -1;
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
	for (i = 0; i < st->nglued; i++) {
		size_t l = strlen(st->glued[i]);

		if (strncasecmp(a->path, st->glued[i], l) == 0 &&
		    (a->path[l] == '\0' || a->path[l] == '\\')) {
			buf_add(b, "    <!-- review: the article runs the root "
			    "and the hive together (HKEY_LOCAL_MACHINESYSTEM) "
			    "-->\n");
			break;
		}
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

/* The item as a comment: WHAT FILE:LINE: WHY, then its text. */
static void
comment_item(struct state *st, const struct item *it, const char *what,
    const char *why)
{
	struct buf *b = &st->body;
	const char *s;

	const char *base = strrchr(st->a->name, '/');

	/* The base name only: drafts get committed, machine paths must
	 * not. */
	base = base ? base + 1 : st->a->name;
	buf_printf(b, "    <!-- %s %s:%ld:", what, base, it->line);
	if (why != NULL) {
		buf_addc(b, ' ');
		buf_comment_text(b, why);
	}
	buf_addc(b, '\n');
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
		value_set1(st, strdup(p->last));
	} else {
		set_str(&st->key, strdup(p->text));
		/* "Locate the Slow Net Threshold Speed value under the
		 * following key: ...\Slow Net Threshold Speed" */
		if (value1(st) != NULL && p->nelems >= 2 &&
		    strcasecmp(value1(st), p->last) == 0) {
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

/* A .reg snippet ("[HKEY_...]", "\"Name\"=dword:00000002").  1 if
 * translated, 2 for [sections] only (their values follow), -1 if a line
 * cannot be read, 0 if the item is no snippet. */
static int
do_regfile(struct state *st, struct item *it)
{
	char *copy = strdup(it->text), *line, *save = NULL;
	/* A snippet cut by blank lines keeps its [section] (Q166476). */
	char *key = st->regkey ? strdup(st->regkey) : NULL;
	const char *hive = st->reghive;
	int done = 0, bad = 0, any = 0, sections = 0;

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
			sections++;
			continue;
		}
		if (line[0] == '"' && strstr(line, "\"=") != NULL)
			any = 1;
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
	set_str(&st->regkey, key);
	st->reghive = hive;
	free(copy);
	if (done > 0)
		st->regfile = 1;
	if (any && bad)
		return fail(st, W_REGFILE);
	if (done == 0 && sections > 0)
		return 2;
	return done > 0;
}

/* "Value Name: X" / "Data Type: REG_DWORD" / "Data: 1" blocks. */
static int
do_fields(struct state *st, struct item *it)
{
	char *copy = strdup(it->text), *line, *save = NULL;
	char *name = NULL, *datatext = NULL, *keyname = NULL;
	const char *type = NULL, *note = NULL;
	int nf = 0, bad = 0, rc = 0, typed;
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
	/* A block that writes the type adds the value if it is missing;
	 * one that gives only name and data ("click Modify to change the
	 * following entry", Q164073) changes a value that is there. */
	typed = type != NULL;
	if (parse_data(datatext, type, &type, &data, &note) == -1)
		goto out;
	set_value_act(st, st->key, st->key_hive, name, type, data,
	    st->create || typed, note, it->line);
	rc = 1;
out:
	free(name);
	free(datatext);
	free(keyname);
	return rc;
}

/* Values as Regedt32 displays them, one a line: "Default0:REG_DWORD:0",
 * "DisableMemoryCache: REG_DWORD: 1", "<No Name>:REG_DWORD:0x7" (the
 * default value), or "REG_DWORD: 1" alone after a path that ends with the
 * value's name and a colon (Q160582).  The item must be only such lines.
 * 1 if translated, 0 if the item holds none, -1 if it cannot be. */
static int
do_display(struct state *st, struct item *it)
{
	char *copy, *line, *save = NULL;
	size_t nlines = 0, nok = 0, nv = 0, i;
	regmatch_t m[NSUB];
	int bad = 0;
	struct {
		char *name;
		const char *type;
		char *data;
		const char *note;
	} v[ACTIONS_MAX];

	if (strchr(it->text, ':') == NULL || strcasestr(it->text, "reg_") ==
	    NULL)
		return 0;
	if ((copy = strdup(it->text)) == NULL) {
		st->oom = 1;
		return 0;
	}
	/* Check every line first: nothing is drafted from a mixed item. */
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		nlines++;
		if (rx_match(&st->rx, RX_DISPLAY, line, m) ||
		    (it->nlines == 1 &&
		    rx_match(&st->rx, RX_TYPE_COLON, line, m)))
			nok++;
	}
	free(copy);
	if (nok == 0)
		return 0;
	if (nok != nlines)
		return fail(st, W_FIELDS);
	if (st->key == NULL)
		return fail(st, W_NOKEY);
	if ((copy = strdup(it->text)) == NULL) {
		st->oom = 1;
		return 0;
	}
	save = NULL;
	/* Read every line before drafting any: a block is taken whole. */
	for (line = strtok_r(copy, "\n", &save); line != NULL && !bad;
	    line = strtok_r(NULL, "\n", &save)) {
		char *name, *t, *w, *data = NULL;
		const char *type, *note, *dnote = NULL;

		if (rx_match(&st->rx, RX_DISPLAY, line, m)) {
			if (strncasecmp(line, "<no name>", 9) == 0) {
				name = strdup("");
				dnote = "<No Name> is how Regedt32 shows the "
				    "default value";
			} else
				name = has_cap(m, 3) ? cap(line, m, 3) :
				    cap(line, m, 4);
			t = cap(line, m, 5);
			w = cap(line, m, 6);
		} else {
			rx_match(&st->rx, RX_TYPE_COLON, line, m);
			name = value1(st) ? strdup(value1(st)) : NULL;
			if (name == NULL) {
				bad = fail(st, W_NOVALUE);
				break;
			}
			t = cap(line, m, 1);
			w = cap(line, m, 2);
		}
		type = type_name(t);
		free(t);
		/* "The value is .pl: REG_SZ: ..." is a sentence. */
		if (name != NULL && *name != '\0' &&
		    clean_name(name, 0, &type) == -1)
			bad = fail(st, W_NAME);
		else if (w == NULL || type == NULL ||
		    parse_data(trim_inplace(w), type, &type, &data, &note) == -1)
			bad = fail(st, W_DATA);
		else if (nv < ACTIONS_MAX) {
			v[nv].name = name;
			v[nv].type = type;
			v[nv].data = data;
			v[nv].note = dnote;
			nv++;
			name = NULL;
		} else {
			free(data);
			bad = fail(st, W_FIELDS);
		}
		free(w);
		free(name);
	}
	for (i = 0; i < nv; i++) {
		if (!bad)
			set_value_act(st, st->key, st->key_hive, v[i].name,
			    v[i].type, v[i].data, 1, v[i].note, it->line);
		else
			free(v[i].data);
		free(v[i].name);
	}
	free(copy);
	return bad ? -1 : 1;
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
			if (it->paths[k].hive == NULL)
				fail(st, it->paths[k].why);
			return it->paths[k].hive ? it->paths[k].text : NULL;
		}
		fail(st, W_NOKEY);
		return NULL;
	}
	*hive = st->key_hive;
	if (st->key == NULL)
		fail(st, W_NOKEY);
	return st->key;
}

/* Nonzero if S starts a purpose clause after a datum: "Set its value to
 * 1 to stop the Pragma: no-cache headers" (Q304637). */
static int
purpose(const char *s)
{
	static const char *verbs[] = { "stop", "prevent", "disable", "enable",
	    "turn", "force", "allow", "make", "hide", "show", "avoid", "keep" };
	size_t i, l;

	if (strncasecmp(s, " to ", 4) != 0)
		return 0;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		l = strlen(verbs[i]);
		if (strncasecmp(s + 4, verbs[i], l) == 0 && s[4 + l] == ' ')
			return 1;
	}
	return 0;
}

/* Trim a value name a sentence caught.  A bare one loses a trailing
 * " registry" and a type word ("the Start DWORD value": Start, and *TYPE
 * becomes dword unless the sentence typed it otherwise) and a full stop.
 * Returns 0, or -1 if what is left is no plain name. */
static int
clean_name(char *name, int quoted, const char **type)
{
	static const struct {
		const char *w;
		const char *t;
	} tw[] = {
		{ " registry", NULL }, { " reg_dword", "dword" },
		{ " dword", "dword" }, { " reg_sz", "sz" }, { " string", "sz" },
		{ " reg_expand_sz", "expand-sz" },
		{ " reg_multi_sz", "multi-sz" }, { " reg_binary", "binary" },
		{ " binary", "binary" },
	};
	char *t = trim_inplace(name);
	size_t nl, i;
	int again = 1;

	memmove(name, t, strlen(t) + 1);
	if (quoted)
		return *name == '\0' || strlen(name) > 255 ||
		    is_placeholder(name) ? -1 : 0;
	while (again) {
		again = 0;
		nl = strlen(name);
		while (nl > 0 && (name[nl - 1] == '.' || name[nl - 1] == ','))
			name[--nl] = '\0';
		for (i = 0; i < sizeof(tw) / sizeof(tw[0]); i++) {
			size_t wl = strlen(tw[i].w);

			if (nl <= wl || strcasecmp(name + nl - wl, tw[i].w) != 0)
				continue;
			if (tw[i].t != NULL) {
				if (*type != NULL && strcmp(*type, tw[i].t) != 0)
					return -1;
				*type = tw[i].t;
			}
			name[nl - wl] = '\0';
			again = 1;
			break;
		}
	}
	if (*name == '\0' || strlen(name) > 64 || is_placeholder(name) ||
	    not_a_name(name) || strncasecmp(name, "value of", 8) == 0 ||
	    strncasecmp(name, "data", 4) == 0 ||
	    strcasestr(name, " the ") != NULL || vague_name(name))
		return -1;
	return 0;
}

/* Split "X and/or Y", "X, Y and Z" into at most MAX names (quotes
 * removed; each new, the caller frees).  Returns the count, 0 if a part is
 * no plain name. */
static size_t
split_names(const char *list, char **out, size_t max)
{
	static const char *seps[] = { ", and/or ", " and/or ", ", and ",
	    " and ", ", or ", " or ", ", " };
	const char *s = list;
	size_t n = 0, i;

	while (*s != '\0' && n < max) {
		const char *e = NULL;
		size_t sl = 0, l;

		for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
			const char *x = strcasestr(s, seps[i]);

			if (x != NULL && (e == NULL || x < e)) {
				e = x;
				sl = strlen(seps[i]);
			}
		}
		l = e ? (size_t)(e - s) : strlen(s);
		if (l >= 2 && s[0] == '"' && s[l - 1] == '"')
			out[n] = xstrndup(s + 1, l - 2);
		else
			out[n] = xstrndup(s, l);
		if (out[n] == NULL || *out[n] == '\0' ||
		    is_placeholder(out[n]) || not_a_name(out[n])) {
			free(out[n]);
			break;
		}
		n++;
		if (e == NULL) {
			s += l;
			break;
		}
		s = e + sl;
	}
	if (*s != '\0') {
		for (i = 0; i < n; i++)
			free(out[i]);
		return 0;
	}
	return n;
}

/* Nonzero if PARTIAL ("W3SVC/Parameters") names the last elements of KEY,
 * compared case-insensitively. */
static int
key_ends_with(const char *key, const char *partial)
{
	char *p = strdup(partial), *q;
	const char *k;
	size_t pl, kl;
	int ok;

	if (p == NULL || key == NULL) {
		free(p);
		return 0;
	}
	for (q = p; *q != '\0'; q++)
		if (*q == '/')
			*q = '\\';
	q = trim_inplace(p);
	pl = strlen(q);
	kl = strlen(key);
	k = key + (kl >= pl ? kl - pl : 0);
	ok = pl > 0 && kl > pl && k[-1] == '\\' && strcasecmp(k, q) == 0;
	free(p);
	return ok;
}

static void
add_cond(struct state *st, const char *path, const char *name)
{
	size_t i;

	for (i = 0; i < st->nconds; i++)
		if (strcasecmp(st->conds[i].path, path) == 0 &&
		    ((name == NULL && st->conds[i].name == NULL) ||
		    (name != NULL && st->conds[i].name != NULL &&
		    strcasecmp(st->conds[i].name, name) == 0)))
			return;
	if (st->nconds >= ACTIONS_MAX)
		return;
	st->conds[st->nconds].path = strdup(path);
	st->conds[st->nconds].name = name ? strdup(name) : NULL;
	if (st->conds[st->nconds].path == NULL ||
	    (name != NULL && st->conds[st->nconds].name == NULL))
		st->oom = 1;
	st->nconds++;
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
	    strncasecmp(s, " and ", 5) == 0 || purpose(s)))
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

/* rx_match for the form a step is translated by: the span it matched is
 * kept, to look for another change in the rest of the step. */
static int
rx_form(struct state *st, enum rx k, const char *f, regmatch_t *m)
{
	if (!rx_match(&st->rx, k, f, m))
		return 0;
	st->span_so = (size_t)m[0].rm_so;
	st->span_eo = (size_t)m[0].rm_eo;
	return 1;
}

/* Emit a key or value action (NAME NULL for a key) on PATH. */
static void
simple_act(struct state *st, enum akind kind, const char *path,
    const char *hive, const char *name, long line, int cond)
{
	struct act a = { 0 };

	a.kind = kind;
	a.path = strdup(path);
	a.name = name ? strdup(name) : NULL;
	a.line = line;
	a.cond = cond;
	add_hive(st, hive);
	emit_act(st, &a);
}

/* "add the following REG_DWORD value with the name X. Set its value to
 * 1", "place the value X as a REG_DWORD and give it a value of 0": the
 * key is the item's one path, a key named before ("Under the
 * W3SVC/Parameters, ..." when it ends the key located), the key located,
 * or the one that follows. */
static int
do_add_value(struct state *st, struct item *it, regmatch_t *m)
{
	const char *f = it->flat, *type = NULL, *t2 = NULL, *note;
	regmatch_t lm[NSUB];
	char *name, *t, *w, *lead, *data = NULL;
	int quoted = has_cap(m, 8), rc;

	t = cap(f, m, 4);
	type = type_name(t);
	free(t);
	t = cap(f, m, 11);
	t2 = type_name(t);
	free(t);
	if (type != NULL && t2 != NULL && strcmp(type, t2) != 0)
		return fail(st, W_DATA);
	if (type == NULL)
		type = t2;
	if ((name = cap(f, m, quoted ? 8 : 9)) == NULL) {
		st->oom = 1;
		return -1;
	}
	if (clean_name(name, quoted, &type) == -1) {
		free(name);
		return fail(st, W_NAME);
	}
	if (!tail_is_exact(st, f, m, 16)) {
		free(name);
		return fail(st, W_INEXACT);
	}
	w = cap(f, m, 16);
	if (w == NULL || parse_data(w, type, &type, &data, &note) == -1) {
		free(w);
		free(name);
		return fail(st, W_DATA);
	}
	free(w);
	lead = xstrndup(f, (size_t)m[0].rm_so);
	if (lead == NULL || !rx_match(&st->rx, RX_LEAD, lead, lm)) {
		rc = fail(st, W_UNKNOWN);
	} else if (has_cap(lm, 5) || it->npaths == 1) {
		const struct path *p = &it->paths[has_cap(lm, 5) ?
		    strtol(lead + lm[5].rm_so, NULL, 10) : 0];

		if ((size_t)(p - it->paths) >= it->npaths || p->hive == NULL)
			rc = fail(st, p->why ? p->why : W_NOKEY);
		else {
			set_key(st, p, 0);
			rc = set_value_act(st, p->text, p->hive, name, type,
			    data, 1, note, it->line);
			data = NULL;
		}
	} else if (it->npaths > 1) {
		rc = fail(st, W_NOKEY);
	} else if (has_cap(lm, 7)) {
		char *part = cap(lead, lm, 7);

		if (part != NULL && key_ends_with(st->key, part)) {
			rc = set_value_act(st, st->key, st->key_hive, name,
			    type, data, 1, note, it->line);
			data = NULL;
		} else
			rc = fail(st, W_KEYNAME);
		free(part);
	} else if (st->key != NULL) {
		rc = set_value_act(st, st->key, st->key_hive, name, type, data,
		    1, note, it->line);
		data = NULL;
	} else {
		/* The key follows. */
		st->want_set = 1;
		st->pending = it;
		set_str(&st->set_name, name);
		set_str(&st->set_data, data);
		st->set_type = type;
		st->set_note = note;
		st->set_create = 1;
		name = data = NULL;
		rc = 2;
	}
	free(lead);
	free(name);
	free(data);
	return rc;
}

/* The forms that name keys or values to delete or create. */
static int
do_keys(struct state *st, struct item *it)
{
	const char *f = it->flat, *hive, *key;
	regmatch_t m[NSUB];

	/* If values for .exe and/or .com exist in X, delete them.  The
	 * condition goes into <when> (see write_remedy). */
	if (rx_form(st, RX_IF_VALUES, f, m)) {
		char *list = cap(f, m, 4), *names[VALUES_MAX];
		size_t n, k;

		key = key_for(st, it, f, m, 16, &hive);
		if (list == NULL || key == NULL) {
			free(list);
			return -1;
		}
		n = split_names(list, names, VALUES_MAX);
		free(list);
		if (n == 0)
			return fail(st, W_NAME);
		for (k = 0; k < n; k++) {
			simple_act(st, A_DELETE_VALUE, key, hive, names[k],
			    it->line, 1);
			add_cond(st, key, names[k]);
			free(names[k]);
		}
		return 1;
	}
	/* If the X key exists, delete it. */
	if (rx_form(st, RX_IF_KEY, f, m)) {
		if ((key = key_for(st, it, f, m, 2, &hive)) == NULL)
			return -1;
		if (strchr(key, '\\') == strrchr(key, '\\'))
			return fail(st, W_SHORT);
		simple_act(st, A_DELETE_KEY, key, hive, NULL, it->line, 1);
		add_cond(st, key, NULL);
		return 1;
	}
	/* remove the Software Inventory Agent key under the following
	 * location; Open X and remove the Y key; delete the Y key */
	if (rx_form(st, RX_DELKEY_NAMED, f, m)) {
		int quoted = has_cap(m, 3);
		char *name = cap(f, m, quoted ? 3 : 4), *path = NULL;
		const char *type = NULL;
		int rc = 1;

		if (name == NULL) {
			st->oom = 1;
			return -1;
		}
		if (clean_name(name, quoted, &type) == -1 || type != NULL ||
		    strpbrk(name, "\\/*?") != NULL) {
			free(name);
			return fail(st, W_NAME);
		}
		if (strstr(f, " or ") != NULL || strcasestr(f, "either")) {
			free(name);
			return fail(st, W_CHOICE);
		}
		if (has_cap(m, 13)) {
			if ((key = key_for(st, it, f, m, 13, &hive)) == NULL)
				rc = -1;
			else if (asprintf(&path, "%s\\%s", key, name) < 0)
				path = NULL;
		} else if (has_cap(m, 10) || strncasecmp(f + m[7].rm_so,
		    " from", 5) == 0) {
			/* The key follows. */
			set_str(&st->want_delkey, name);
			st->pending = it;
			return 2;
		} else if (it->npaths == 1 && it->paths[0].hive != NULL &&
		    strstr(f, "@0@") < f + m[0].rm_so) {
			/* "Open X and remove the Y registry key." */
			hive = it->paths[0].hive;
			if (asprintf(&path, "%s\\%s", it->paths[0].text,
			    name) < 0)
				path = NULL;
		} else if (it->npaths == 1) {
			rc = fail(st, it->paths[0].why ? it->paths[0].why :
			    W_NOKEY);
		} else if (it->npaths == 0 && st->key != NULL &&
		    strrchr(st->key, '\\') != NULL &&
		    strcasecmp(strrchr(st->key, '\\') + 1, name) == 0) {
			/* The key just located, by its last name. */
			hive = st->key_hive;
			path = strdup(st->key);
		} else
			rc = fail(st, W_KEYNAME);
		if (rc == 1) {
			if (path == NULL)
				st->oom = 1;
			else
				simple_act(st, A_DELETE_KEY, path, hive, NULL,
				    it->line, 0);
		}
		free(path);
		free(name);
		return rc;
	}
	if (rx_form(st, RX_CREATEKEYS, f, m)) {
		st->want_createkeys = 1;
		st->pending = it;
		return 2;
	}
	/* "On the Edit menu, click Add Key." then "In the Key Name box, type
	 * "Lana" (without the quotation marks)." */
	if (rx_form(st, RX_KEYNAME_TYPE, f, m)) {
		char *name = has_cap(m, 2) ? cap(f, m, 2) : cap(f, m, 3);
		char *path = NULL;
		const char *type = NULL;

		if (name == NULL) {
			st->oom = 1;
			return -1;
		}
		if (!st->want_newkey || st->key == NULL) {
			free(name);
			return fail(st, W_NOKEY);
		}
		if (clean_name(name, has_cap(m, 2), &type) == -1 ||
		    type != NULL || strpbrk(name, "\\/*?") != NULL) {
			free(name);
			return fail(st, W_NAME);
		}
		st->want_newkey = 0;
		if (asprintf(&path, "%s\\%s", st->key, name) < 0) {
			free(name);
			st->oom = 1;
			return -1;
		}
		free(name);
		simple_act(st, A_CREATE_KEY, path, st->key_hive, NULL,
		    it->line, 0);
		/* Values added next go under the new key. */
		set_str(&st->key, path);
		return 1;
	}
	return 0;
}

/* The forms that state a value's data without a verb of change, or
 * with "enter": "The "Use Forced Disconnect" parameter should have a
 * value of 1", "Verify that the REG_DWORD value is set to 0x3", "Enter a
 * value of 1". */
static int
do_states(struct state *st, struct item *it)
{
	const char *f = it->flat, *type = NULL, *note, *name;
	regmatch_t m[NSUB];
	char *t, *w, *data = NULL, *own = NULL;
	int datacap, create = 0;

	if (rx_form(st, RX_SHOULD, f, m)) {
		t = cap(f, m, 7);
		type = type_name(t);
		free(t);
		own = has_cap(m, 2) ? cap(f, m, 2) : cap(f, m, 3);
		if (own == NULL || clean_name(own, has_cap(m, 2), &type) ==
		    -1) {
			free(own);
			return fail(st, W_NAME);
		}
		name = own;
		datacap = 10;
	} else if (rx_form(st, RX_VERIFY_IT, f, m)) {
		t = cap(f, m, 3);
		type = type_name(t);
		free(t);
		if ((name = value1(st)) == NULL)
			return fail(st, W_NOVALUE);
		datacap = 4;
	} else if (rx_form(st, RX_VERIFY_NAMED, f, m)) {
		own = has_cap(m, 3) ? cap(f, m, 3) : cap(f, m, 4);
		if (own == NULL || clean_name(own, has_cap(m, 3), &type) ==
		    -1) {
			free(own);
			return fail(st, W_NAME);
		}
		name = own;
		datacap = 7;
	} else if (rx_form(st, RX_ENTER_VALUE, f, m)) {
		if ((name = value1(st)) == NULL)
			return fail(st, W_NOVALUE);
		type = st->edit_type;
		create = st->create;
		datacap = 2;
	} else
		return 0;
	if (st->key == NULL) {
		free(own);
		return fail(st, W_NOKEY);
	}
	if (!tail_is_exact(st, f, m, datacap)) {
		free(own);
		return fail(st, W_INEXACT);
	}
	w = cap(f, m, datacap);
	if (w == NULL || parse_data(w, type, &type, &data, &note) == -1) {
		free(w);
		free(own);
		return fail(st, W_DATA);
	}
	free(w);
	set_value_act(st, st->key, st->key_hive, name, type, data, create,
	    note, it->line);
	free(own);
	return 1;
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
	int r;

	/* If ... exist, delete them: before the plain verbs. */
	if (rx_match(&st->rx, RX_IF_VALUES, f, NULL) ||
	    rx_match(&st->rx, RX_IF_KEY, f, NULL))
		return do_keys(st, it);
	/* delete the subkeys that start with "X" from the following key */
	if (rx_form(st, RX_DELSUB, f, m)) {
		char *prefix = cap(f, m, 5);

		if (prefix == NULL || *prefix == '\0' ||
		    strpbrk(prefix, "\\/*?<>") != NULL) {
			free(prefix);
			return fail(st, W_NAME);
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
	if (rx_form(st, RX_DELKEY_INLINE, f, m)) {
		struct act a = { 0 };

		key = key_for(st, it, f, m, 2, &hive);
		if (key == NULL)
			return -1;
		if (strstr(f, " or ") != NULL || strcasestr(f, "either"))
			return fail(st, W_CHOICE);
		a.kind = A_DELETE_KEY;
		a.path = strdup(key);
		a.line = it->line;
		add_hive(st, hive);
		emit_act(st, &a);
		return 1;
	}
	if (rx_form(st, RX_DELKEYS, f, m)) {
		st->want_delkeys = 1;
		st->pending = it;
		return 2;
	}
	if ((r = do_keys(st, it)) != 0)
		return r;
	if (rx_form(st, RX_BLANK, f, m)) {
		if (st->key == NULL || value1(st) == NULL)
			return fail(st, W_NOVALUE);
		return set_value_act(st, st->key, st->key_hive, value1(st),
		    "sz", strdup(""), 0, NULL, it->line);
	}
	if (rx_form(st, RX_ADD_VALUE, f, m))
		return do_add_value(st, it, m);
	/* change the value of HKEY_...\Name to 1 */
	if (rx_form(st, RX_SET_PATH, f, m)) {
		long k = strtol(f + m[3].rm_so, NULL, 10);
		const struct path *p;
		char *w, *data = NULL, *kp, *bs;
		const char *type, *note;

		if (k < 0 || (size_t)k >= it->npaths)
			return fail(st, W_NOKEY);
		p = &it->paths[k];
		if (p->hive == NULL)
			return fail(st, p->why);
		if (p->nelems < 2)
			return fail(st, W_NOVALUE);
		if (!tail_is_exact(st, f, m, 5))
			return fail(st, W_INEXACT);
		w = cap(f, m, 5);
		if (w == NULL || parse_data(w, NULL, &type, &data, &note) ==
		    -1) {
			free(w);
			return fail(st, W_DATA);
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

		if (rx_form(st, RX_SET_NAMED, f, m) ||
		    (tf = rx_form(st, RX_SET_NAMED_TYPEFIRST, f, m))) {
			int namecap = 2;
			int typecap = tf ? 5 : 8;
			int datacap = tf ? 9 : 16;
			char *name, *w, *t, *data = NULL;
			const char *type, *note;
			const char *rest = f + m[0].rm_eo;
			int pathidx = -1;

			t = cap(f, m, typecap);
			type = type_name(t);
			free(t);
			name = has_cap(m, namecap + 1) ? cap(f, m, namecap + 1)
			    : cap(f, m, namecap + 2);
			if (name == NULL)
				return -1;
			/* The name part must be a name, not a clause.  ERE
			 * matches are longest: "Max MIF Size registry value"
			 * gives "... registry". */
			if (clean_name(name, has_cap(m, namecap + 1), &type) ==
			    -1) {
				free(name);
				return fail(st, W_NAME);
			}
			if (!tail_is_exact(st, f, m, datacap)) {
				free(name);
				return fail(st, W_INEXACT);
			}
			w = cap(f, m, datacap);
			if (w == NULL || parse_data(w, type, &type, &data,
			    &note) == -1) {
				free(w);
				free(name);
				return fail(st, W_DATA);
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
					return fail(st, p->why);
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
				st->pending = it;
				set_str(&st->set_name, name);
				set_str(&st->set_data, data);
				st->set_type = type;
				st->set_note = note;
				st->set_create = 0;
				return 2;
			}
			if (st->key == NULL) {
				free(name);
				free(data);
				return fail(st, W_NOKEY);
			}
			set_value_act(st, st->key, st->key_hive, name, type,
			    data, 0, note, it->line);
			free(name);
			return 1;
		}
	}
	if ((r = do_states(st, it)) != 0)
		return r;
	/* On the Edit menu, click DWORD, type "3", and then click OK. */
	if (rx_form(st, RX_TYPE_DATA, f, m)) {
		char *w = cap(f, m, 5), *data = NULL, *t = cap(f, m, 2);
		const char *type = type_name(t), *note;

		free(t);
		if (st->key == NULL || value1(st) == NULL || w == NULL) {
			free(w);
			return fail(st, W_NOVALUE);
		}
		if (parse_data(w, type, &type, &data, &note) == -1) {
			free(w);
			return fail(st, W_DATA);
		}
		free(w);
		return set_value_act(st, st->key, st->key_hive, value1(st),
		    type, data, st->create, NULL, it->line);
	}
	if (rx_form(st, RX_DATA_TO, f, m) ||
	    rx_form(st, RX_SET_IT, f, m)) {
		int dc = m[3].rm_so >= 0 && rx_form(st, RX_SET_IT, f, m)
		    ? 3 : 1;
		char *w, *data = NULL;
		const char *type = st->edit_type, *note;

		rx_match(&st->rx, dc == 3 ? RX_SET_IT : RX_DATA_TO, f, m);
		if (st->key == NULL || value1(st) == NULL)
			return fail(st, W_NOVALUE);
		if (!tail_is_exact(st, f, m, dc))
			return fail(st, W_INEXACT);
		w = cap(f, m, dc);
		if (w == NULL || parse_data(w, type, &type, &data, &note) ==
		    -1) {
			free(w);
			return fail(st, W_DATA);
		}
		free(w);
		return set_value_act(st, st->key, st->key_hive, value1(st),
		    type, data, st->create, note, it->line);
	}
	if (rx_form(st, RX_DELVAL_NAMED, f, m)) {
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
			return fail(st, key == NULL ? W_NOKEY : W_NAME);
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
	if (rx_form(st, RX_DELVAL_IT, f, m) ||
	    rx_form(st, RX_EDIT_DELETE, f, m)) {
		size_t k;

		/* "Select the value for the .exe and/or .com interpreter",
		 * then "Click Delete": each selected value goes. */
		if (st->key == NULL || st->nvalues == 0)
			return fail(st, W_NOVALUE);
		for (k = 0; k < st->nvalues; k++) {
			struct act a = { 0 };

			a.kind = A_DELETE_VALUE;
			a.path = strdup(st->key);
			a.name = strdup(st->values[k]);
			a.line = it->line;
			add_hive(st, st->key_hive);
			emit_act(st, &a);
		}
		return 1;
	}
	/* rename or remove the Nmperf.dll file from the %SystemRoot%\System32
	 * folder */
	if (rx_form(st, RX_FILE, f, m)) {
		char *file = cap(f, m, 5), *dir = cap(f, m, 7);
		struct act a = { 0 };
		size_t dl;

		if (file == NULL || dir == NULL || strpbrk(dir, "<>*?\"") ||
		    strpbrk(file, "<>*?\"\\/")) {
			free(file);
			free(dir);
			return fail(st, W_NAME);
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

/* Items that only set the context for the next ones: 1, or 3 when the
 * whole item is one such sentence (it may then hold a verb of change:
 * "Rename the new value to X"), -1 when it names a key that is not the
 * one located. */
static int
do_context(struct state *st, struct item *it)
{
	const char *f = it->flat;
	regmatch_t m[NSUB];
	int r = 0;

	if (rx_match(&st->rx, RX_VALUE_IN_KEY, f, m)) {
		char *n = has_cap(m, 5) ? cap(f, m, 5) : cap(f, m, 6);

		value_set1(st, n ? strdup(trim_inplace(n)) : NULL);
		free(n);
		r = 1;
	} else if (rx_match(&st->rx, RX_FOLLOWING_VALUE, f, m)) {
		st->want_value = 1;
		r = 1;
	} else if (rx_match(&st->rx, RX_SELECT_VALUE, f, m)) {
		char *n = has_cap(m, 3) ? cap(f, m, 3) : cap(f, m, 4);

		value_set1(st, n ? strdup(trim_inplace(n)) : NULL);
		free(n);
		r = 3;
	} else if (rx_match(&st->rx, RX_SELECT_ENTRY, f, m)) {
		char *n = cap(f, m, 2);

		value_set1(st, n ? strdup(trim_inplace(n)) : NULL);
		free(n);
		r = 3;
	} else if (rx_match(&st->rx, RX_EDIT_TYPE, f, m)) {
		char *t = cap(f, m, 2);

		st->edit_type = type_name(t);
		free(t);
		r = 3;
	} else if (rx_match(&st->rx, RX_NEW_VALUE, f, m)) {
		char *t = cap(f, m, 1);

		st->edit_type = type_name(t);
		st->create = 1;
		free(t);
		r = 1;
	} else if (rx_match(&st->rx, RX_RENAME_NEW, f, m)) {
		value_set1(st, cap(f, m, 1));
		r = 3;
	} else if (rx_match(&st->rx, RX_SELECT_VALUES, f, m)) {
		char *list = cap(f, m, 4), *names[VALUES_MAX];
		size_t n = list ? split_names(list, names, VALUES_MAX) : 0, k;

		free(list);
		values_clear(st);
		for (k = 0; k < n; k++) {
			/* "the value for the .exe and/or .com interpreter":
			 * a word after the names only after extensions. */
			if (has_cap(m, 13) && names[k][0] != '.')
				r = fail(st, W_NAME);
			value_add(st, names[k]);
		}
		if (n == 0)
			r = fail(st, W_NAME);
		if (r == 0)
			r = 3;
		else
			values_clear(st);
	} else if (rx_match(&st->rx, RX_ADDKEY_MENU, f, m)) {
		st->want_newkey = 1;
		r = 3;
	} else if (rx_match(&st->rx, RX_CLICK_KEY, f, m)) {
		/* "In the left pane, click the Parameters key to select
		 * it": the key just located, or a step not understood. */
		char *n = has_cap(m, 4) ? cap(f, m, 4) : cap(f, m, 5);
		const char *last = st->key ? strrchr(st->key, '\\') : NULL;

		if (n != NULL && last != NULL &&
		    strcasecmp(trim_inplace(n), last + 1) == 0)
			r = 3;
		else
			r = fail(st, W_KEYNAME);
		free(n);
	} else if (rx_match(&st->rx, RX_NOISE, f, m)) {
		r = 3;
	}
	if (r < 0)
		return r;
	if (rx_match(&st->rx, RX_FOLLOWING_KEY, f, NULL))
		r = 1;
	if (rx_match(&st->rx, RX_ADD_FOLLOWING, f, NULL)) {
		st->create = 1;
		r = r ? r : 1;
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

			if (p->hive == NULL)
				return fail(st, p->why);
			if (p->nelems < 2)
				return fail(st, W_SHORT);
			a.kind = A_DELETE_KEY;
			a.path = strdup(p->text);
			a.line = it->line;
			add_hive(st, p->hive);
			emit_act(st, &a);
			st->pending = NULL;
			used = 1;
			continue;
		}
		if (st->want_delkey != NULL || st->want_createkeys) {
			struct act a = { 0 };

			if (p->hive == NULL)
				return fail(st, p->why);
			if (st->want_delkey != NULL) {
				a.kind = A_DELETE_KEY;
				if (asprintf(&a.path, "%s\\%s", p->text,
				    st->want_delkey) < 0)
					a.path = NULL;
				set_str(&st->want_delkey, NULL);
			} else {
				a.kind = A_CREATE_KEY;
				a.path = strdup(p->text);
				set_key(st, p, 0);
			}
			a.line = it->line;
			add_hive(st, p->hive);
			emit_act(st, &a);
			st->pending = NULL;
			used = 1;
			continue;
		}
		if (st->want_delsub != NULL) {
			struct act a = { 0 };

			if (p->hive == NULL)
				return fail(st, p->why);
			st->pending = NULL;
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
			return fail(st, p->why);
		}
		set_key(st, p, st->want_value || p->colon);
		st->want_value = 0;
		if (st->want_set) {
			st->want_set = 0;
			st->pending = NULL;
			set_value_act(st, st->key, st->key_hive, st->set_name,
			    st->set_type, st->set_data, st->set_create,
			    st->set_note, it->line);
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

/* Why a registry step matched no sentence form, as far as its words
 * tell: for the author and for the counts of --stats. */
static const char *
why_unknown(struct state *st, const struct item *it)
{
	const char *f = it->flat;

	if (strpbrk(it->text, "<>") != NULL || strcasestr(f, "xxx") != NULL)
		return "the step holds a placeholder";
	if (rx_match(&st->rx, RX_CHECK, f, NULL))
		return "a check, not a change";
	if (strcasestr(f, "permission") != NULL)
		return "a permission, not a value";
	if (strcasestr(f, " or ") != NULL || strcasestr(f, "either") != NULL)
		return W_CHOICE;
	if (rx_match(&st->rx, RX_NOTVALUE, f, NULL))
		return W_INEXACT;
	if (!rx_match(&st->rx, RX_CHANGE_VERB, f, NULL))
		return "text about the registry that states no change";
	return W_UNKNOWN;
}

static void
untranslated(struct state *st, struct item *it, int regstep)
{
	const char *why = regstep ? (st->why ? st->why :
	    why_unknown(st, it)) : offline_reason(st, it->flat);

	st->nuntranslated++;
	if (st->first_untranslated == 0) {
		st->first_untranslated = it->line;
		st->first_reg = regstep;
		st->first_why = why;
	}
	if (regstep) {
		st->nregsteps++;
		if (st->first_reg_line == 0) {
			st->first_reg_line = it->line;
			st->first_reg_why = why;
		}
	}
	comment_item(st, it, "untranslated", why);
}

/* Nonzero if the sentences of F around the span the form matched state
 * another change: one form is drafted per step. */
static int
other_change(struct state *st, const char *f)
{
	size_t so = st->span_so, eo = st->span_eo, len = strlen(f), i;
	const char *e;
	char *rest;
	int found = 0;

	/* The sentence the span starts in, and the one it ends in. */
	for (i = so; i > 0; i--)
		if (f[i - 1] == ' ' && i >= 2 && f[i - 2] == '.')
			break;
	so = i;
	e = strstr(f + eo, ". ");
	eo = e ? (size_t)(e - f) + 2 : len;
	if ((rest = malloc(len + 2)) == NULL) {
		st->oom = 1;
		return 0;
	}
	/* The other sentences, one by one. */
	memcpy(rest, f, so);
	rest[so] = '\0';
	for (i = 0; i < 2 && !found; i++) {
		char *sent, *save = NULL, *t;

		if (i == 1) {
			memcpy(rest, f + eo, len - eo);
			rest[len - eo] = '\0';
		}
		for (t = rest; (t = strstr(t, ". ")) != NULL; t++)
			t[1] = '\n';
		for (sent = strtok_r(rest, "\n", &save); sent != NULL &&
		    !found; sent = strtok_r(NULL, "\n", &save))
			found = rx_match(&st->rx, RX_CHANGE_VERB, sent, NULL) &&
			    !rx_match(&st->rx, RX_RESTART_ANY, sent, NULL) &&
			    !rx_match(&st->rx, RX_SERVICE, sent, NULL) &&
			    !rx_match(&st->rx, RX_NAV_END, sent, NULL);
	}
	free(rest);
	return found;
}

/* A want_* whose key or keys never came: its item stays a comment. */
static void
drop_pending(struct state *st)
{
	if (st->pending != NULL) {
		st->why = W_PENDING;
		untranslated(st, st->pending, 1);
	}
	st->pending = NULL;
	st->want_delkeys = 0;
	st->want_createkeys = 0;
	st->want_set = 0;
	set_str(&st->want_delsub, NULL);
	set_str(&st->want_delkey, NULL);
}

static void
do_item(struct state *st, struct item *it)
{
	const char *f = it->flat;
	int r, rf, rc, rp, mentions_reg, isstep;

	st->why = NULL;
	if (strcasecmp(f, "-or-") == 0) {
		st->alts = 1;
		return;
	}
	/* "Delete the following keys: A and B", each on its own lines. */
	if (*f == '\0' || it->heading || strcasecmp(f, "-and-") == 0 ||
	    strcasecmp(f, "and") == 0)
		return;
	if (rx_match(&st->rx, RX_BOILER, f, NULL))
		return;
	/* "Use one of the following methods:" */
	if (rx_match(&st->rx, RX_ALTS, f, NULL))
		st->alts = 1;
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
			comment_item(st, it, "note from", NULL);
		return;
	}
	/* "To resolve this problem, obtain the latest service pack" before
	 * the workaround: the fix it works around, not a step of it. */
	if (!it->numbered && rx_match(&st->rx, RX_ALT_FIX, f, NULL)) {
		comment_item(st, it, "note from", NULL);
		return;
	}
	mentions_reg = it->npaths > 0 || strcasestr(f, "registry") != NULL ||
	    strcasestr(f, "reg_") != NULL || strcasestr(f, "regedt") != NULL;
	isstep = it->numbered ||
	    rx_match(&st->rx, RX_IMPERATIVE, f, NULL) || it->npaths > 0;

	if (rx_match(&st->rx, RX_PATH_STEP, f, NULL)) {
		st->path_step = 1;
		st->nuntranslated++;
		if (st->first_untranslated == 0) {
			st->first_untranslated = it->line;
			st->first_why = "the PATH step needs review";
		}
		comment_item(st, it, "REVIEW (a PATH step: an <edit-list> of "
		    "the Path value may express it)", NULL);
		return;
	}
	if (strcasecmp(f, "REGEDIT4") == 0 || strcasecmp(f, "REGEDIT") == 0)
		return;
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
		return;
	}
	/* "Delete the following keys:" takes the paths that follow it, up
	 * to the first item that is no path. */
	if (st->want_delkeys || st->want_createkeys)
		drop_pending(st);

	st->span_so = 0;
	st->span_eo = strlen(f);
	r = do_sentences(st, it);
	if (r == 1 && other_change(st, f)) {
		/* "Change X to "-L0". To permanently override ..., set Y
		 * to "1" as well.": the first is drafted, the step stays. */
		st->why = "the step states more changes than the one drafted";
		untranslated(st, it, 1);
		return;
	}
	if (r == 2) {
		/* the key or keys follow in this item or the next ones */
		rp = do_paths(st, it, 0);
		if (rp < 0)
			untranslated(st, it, 1);
		else if (rp > 0)
			st->want_delkeys = st->want_createkeys = 0;
		return;
	}
	if (r == 1) {
		/* "..., and then restart the Computer Browser service." */
		if (rx_match(&st->rx, RX_RESTART_ANY, f, NULL))
			st->restart = 1;
		return;
	}
	if (r == -1) {
		untranslated(st, it, 1);
		return;
	}
	rc = do_context(st, it);
	if (rc < 0) {
		untranslated(st, it, 1);
		return;
	}
	if (rc == 3 && it->npaths == 0)
		return;
	rp = do_paths(st, it, 0);
	if (rp < 0) {
		untranslated(st, it, 1);
		return;
	}
	rf = do_display(st, it);
	if (rf == 0)
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
	if (rx_match(&st->rx, RX_NAV_RUN, f, NULL))
		return;
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
	if (rx_match(&st->rx, RX_SERVICE, f, NULL) && strlen(f) < 250) {
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
	/* "To do this, perform the steps in the "Adding Lana Registry Key"
	 * section of this article": the steps are drafted there. */
	if (it->npaths == 0 && rx_match(&st->rx, RX_POINTER, f, NULL)) {
		comment_item(st, it, "note from", NULL);
		return;
	}
	if (!isstep && !mentions_reg && offline_reason(st, f) == NULL) {
		comment_item(st, it, "note from", NULL);
		return;
	}
	/* Where the article offers methods to choose from, a method that
	 * changes no registry ("- Reinstall the ... tool") is one the
	 * draft does not take: kept for the author, and the draft is
	 * complete only if it took another method whole. */
	if (st->alts && it->text[0] == '-' && !mentions_reg) {
		if (st->offline == NULL)
			st->offline = offline_reason(st, f);
		st->nalts++;
		if (st->first_alt == 0)
			st->first_alt = it->line;
		comment_item(st, it, "alternative not drafted from",
		    offline_reason(st, f));
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

/* The conditions the article states ("If values for .exe and/or .com
 * exist ..."), as <when>: only when every action is one the condition
 * governs, since <when> decides for the whole remedy; else a note for
 * the author. */
static void
write_when(struct state *st, struct buf *b)
{
	size_t i, all = st->nacts > 0;
	const char *ind = st->nconds > 1 ? "      " : "    ";

	if (st->nconds == 0)
		return;
	for (i = 0; i < st->nacts; i++)
		if (!st->acts[i].cond)
			all = 0;
	if (!all) {
		buf_add(b, "  <!-- review: the article makes some steps "
		    "conditional (\"if ... exists\"); no <when> is drafted "
		    "-->\n");
		return;
	}
	buf_add(b, "  <when>\n");
	if (st->nconds > 1)
		buf_add(b, "    <any>\n");
	for (i = 0; i < st->nconds; i++) {
		buf_printf(b, "%s<%s path=\"", ind, st->conds[i].name ?
		    "value-exists" : "key-exists");
		buf_xml(b, st->conds[i].path);
		if (st->conds[i].name != NULL) {
			buf_add(b, "\" name=\"");
			buf_xml(b, st->conds[i].name);
		}
		buf_add(b, "\"/>\n");
	}
	if (st->nconds > 1)
		buf_add(b, "    </any>\n");
	buf_add(b, "  </when>\n");
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
	write_when(st, &b);
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
	free(dr->category);
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
	values_clear(st);
	free(st->want_delsub);
	free(st->set_name);
	free(st->set_data);
	free(st->subtree);
	free(st->want_delkey);
	free(st->regkey);
	for (i = 0; i < st->nglued; i++)
		free(st->glued[i]);
	for (i = 0; i < st->nconds; i++) {
		free(st->conds[i].path);
		free(st->conds[i].name);
	}
	free(st->body.s);
	free(st->warnings.s);
}

int
draft_make(const struct article *a, struct draft **out, struct diag *d)
{
	struct state st;
	struct draft *dr;
	struct item *items = NULL;
	size_t nitems = 0, i, k;
	int rc;
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
	/* Scan every item first: a path cut short in a sentence is
	 * completed from the same path written alone further on. */
	for (i = 0; i < nitems; i++) {
		struct item *it = &items[i];

		if (item_scan(it, st.subtree) == -1)
			goto oom;
		for (k = 0; k < it->npaths; k++)
			if (it->paths[k].glued && it->paths[k].hive != NULL &&
			    st.nglued < 4 && (st.glued[st.nglued++] =
			    strdup(it->paths[k].text)) == NULL)
				goto oom;
		/* "From the HKEY_LOCAL_MACHINE subtree, go to ..." */
		if (it->npaths > 0 && it->paths[0].nelems == 0 &&
		    strncasecmp(it->text + it->paths[0].end, " subtree", 8) ==
		    0)
			set_str(&st.subtree, strdup(it->paths[0].text));
	}
	if (paths_complete(items, nitems) == -1)
		goto oom;
	for (i = 0; i < nitems && !st.oom; i++)
		do_item(&st, &items[i]);
	/* A "the following key" that never came. */
	if (st.pending != NULL)
		drop_pending(&st);
	if (st.oom || st.body.oom || st.warnings.oom)
		goto oom;
	/* Alternatives left aside count only when no method was taken. */
	if (st.nacts == 0 && st.nalts > 0) {
		st.nuntranslated += st.nalts;
		if (st.first_untranslated == 0) {
			st.first_untranslated = st.first_alt;
			st.first_why = "an alternative that is no registry "
			    "change";
		}
	}
	dr->nactions = st.nacts;
	dr->nuntranslated = st.nuntranslated;
	dr->restart = st.restart;

	if (st.nacts > 0 && st.nuntranslated == 0) {
		dr->status = DRAFT_COMPLETE;
	} else if (st.nacts > 0) {
		dr->status = DRAFT_PARTIAL;
		if (st.first_reg)
			rc = asprintf(&dr->category, "registry step not "
			    "understood: %s", st.first_why);
		else if (st.path_step && st.first_why != NULL &&
		    strncmp(st.first_why, "the PATH", 8) == 0)
			rc = asprintf(&dr->category, "%s", st.first_why);
		else if (st.first_why != NULL)
			rc = asprintf(&dr->category, "step not doable "
			    "offline: %s", st.first_why);
		else
			rc = asprintf(&dr->category, "step that is no "
			    "registry or file change");
		if (rc < 0 || asprintf(&dr->reason, "%zu step%s left as "
		    "comments (first at line %ld: %s)", st.nuntranslated,
		    st.nuntranslated == 1 ? "" : "s", st.first_untranslated,
		    dr->category) < 0)
			goto oom;
	} else if (st.path_step) {
		dr->status = DRAFT_PARTIAL;
		if ((dr->reason = strdup("the PATH step needs review; "
		    "no action drafted")) == NULL ||
		    (dr->category = strdup("the PATH step needs review")) ==
		    NULL)
			goto oom;
		if ((advisory = strdup(proc)) == NULL)
			goto oom;
	} else if (!a->has_workaround && st.nregsteps == 0) {
		const struct article_section *s;

		dr->status = DRAFT_ADVISORY;
		if ((dr->reason = strdup("the article has no workaround")) ==
		    NULL || (dr->category = strdup(dr->reason)) == NULL)
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
			    "understood (first at line %ld: %s)", st.nregsteps,
			    st.nregsteps == 1 ? "" : "s",
			    st.first_reg_line, st.first_reg_why) < 0 ||
			    asprintf(&dr->category, "registry step not "
			    "understood: %s", st.first_reg_why) < 0)
				goto oom;
		} else {
			if (st.saw_path) {
				dr->reason = strdup("a registry key is named "
				    "but no change to it is stated as a step");
			} else if (st.offline != NULL) {
				if (asprintf(&dr->reason, "not doable offline: "
				    "%s", st.offline) < 0)
					dr->reason = NULL;
			} else
				dr->reason = strdup(a->procedure == NULL ?
				    "no workaround" : "no registry or file step");
			if (dr->reason == NULL ||
			    (dr->category = strdup(dr->reason)) == NULL)
				goto oom;
		}
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
