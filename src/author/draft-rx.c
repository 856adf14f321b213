/* draft-rx.c: the sentence forms of the KB, as regular expressions. */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draft-int.h"

/* The forms are POSIX EREs, with one addition: a group that the code
 * reads is named, "(?<name>...)", and read by its name (draft_cap);
 * draft_rx_compile strips the names and numbers the groups.  The pieces
 * below take the name of their group, N. */

/* A value name: N when written bare, N_q when quoted. */
#define NAME_RE(n) \
	"(\"(?<" n "_q>[^\"]+)\"|(?<" n ">[A-Za-z0-9_.][A-Za-z0-9_. #-]*))"
/* A name without spaces unless quoted: where a longest match of NAME_RE
 * would swallow the words after it ("X as a REG_DWORD"). */
#define NAME1_RE(n) \
	"(\"(?<" n "_q>[^\"]+)\"|(?<" n ">[A-Za-z0-9_.][A-Za-z0-9_.#-]*))"
#define NAME1_ANY "(\"[^\"]+\"|[A-Za-z0-9_.][A-Za-z0-9_.#-]*)"
/* Names joined by "and/or", "and", "or" or commas, N as written (see
 * draft_split_names). */
#define NAMES_RE(n) \
	"(?<" n ">" NAME1_ANY "((,? and/or |,? and |,? or |, )" NAME1_ANY ")*)"
#define TYPE_RE(n) \
	"(?<" n ">reg_sz|reg_expand_sz|reg_multi_sz|reg_dword|reg_binary)"
/* A datum never ends with the sentence's full stop. */
#define DATA_RE(n) "(?<" n ">\"[^\"]*\"|[^ ,;\"]*[^ ,;\".])"
/* A path of the item, as "@N@" in its flat text: N. */
#define PATH_RE(n) "@(?<" n ">[0-9]+)@"

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
	    "\"(?<prefix>[^\"]+)\"( (from|under|in) the following "
	    "(registry )?key| (from|under|in) (the )?" PATH_RE("path") ")",
	[RX_DELKEYS] =
	    "(delete|remove) the following (registry )?(keys|key|subkeys|"
	    "subkey)",
	[RX_DELKEY_INLINE] =
	    "(delete|remove) the " PATH_RE("path") " (registry )?(key|subkey)",
	[RX_BLANK] =
	    "(change|set) the (data )?value( data)? to (be )?(blank|empty)",
	[RX_SET_PATH] =
	    "(change|set) the (data |value of |data of )?" PATH_RE("path")
	    " (value )?to " DATA_RE("data"),
	[RX_SET_NAMED] =
	    "(change|set) the " NAME_RE("name") " (registry )?"
	    "(value|entry|parameter)( \\(" TYPE_RE("type") "\\))?( from ("
	    DATA_RE("from") "|its current (setting|value)|the default"
	    "( value)?)( \\([^)]*\\))?)? to (a value of )?" DATA_RE("data"),
	[RX_SET_NAMED_TYPEFIRST] =
	    "(change|set) the " NAME_RE("name") " \\(" TYPE_RE("type") "\\) "
	    "(value|entry|parameter)( from " DATA_RE("from") ")? to "
	    DATA_RE("data"),
	[RX_SET_IT] =
	    "(change|set) (it|the value|its value|the data|the value data|"
	    "the data value|this value) to " DATA_RE("data"),
	[RX_TYPE_DATA] =
	    "(click|select|choose) (?<type>dword|string)[,.]? (and )?(then )?"
	    "type \"(?<data>[^\"]*)\"",
	[RX_DATA_TO] =
	    "^change the data to (?<data>[0-9]+)( \\(decimal\\))?",
	[RX_DELVAL_IT] =
	    "(delete|remove) (the|this) value( from the registry)?\\.?$",
	[RX_DELVAL_NAMED] =
	    "(delete|remove) the (string |dword |binary )?(value )?"
	    NAME_RE("name") " (string |dword )?value( (from|under|in) the "
	    PATH_RE("path") "( (registry )?key)?)?",
	[RX_EDIT_DELETE] =
	    "edit menu,? (click|choose|select) delete|"
	    "^(click|choose) delete on the edit menu",
	[RX_FILE] =
	    "(rename|remove|delete)( or (rename|remove|delete))? (the )?"
	    "(?<file>[A-Za-z0-9_$~-]+\\.[A-Za-z0-9]{1,4}) file (from|in) the "
	    "(?<dir>%[A-Za-z]+%[^ ]*) (folder|directory)",
	[RX_FOLLOWING_VALUE] =
	    "the following (registry )?value",
	[RX_VALUE_IN_KEY] =
	    "(locate|find|select|click)( and (then )?click)? the "
	    NAME_RE("name") " value (in|under) the following (registry )?key",
	[RX_SELECT_VALUE] =
	    "^(select|click|double-click) the " NAME_RE("name") " value\\.?$",
	[RX_SELECT_ENTRY] =
	    "select the following (entry|value): (?<name>[A-Za-z0-9_ ]+)\\.?$",
	[RX_EDIT_TYPE] =
	    "^on the edit menu, (click|select|choose) (?<type>dword|string)"
	    "\\.?$",
	[RX_NEW_VALUE] =
	    "click new,? and then point to (?<type>dword|string) value",
	[RX_RENAME_NEW] =
	    "^rename the new value to (?<name>[A-Za-z0-9_]+)\\.?$",
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
	    "^ (under|in) the " PATH_RE("path"),
	/* The "X" parameter should have a value of 1. */
	[RX_SHOULD] =
	    "^the " NAME_RE("name") " (registry )?(value|parameter|entry|"
	    "setting)( \\(" TYPE_RE("type") "\\))? (should|must) (have a value "
	    "of|be set to|be) " DATA_RE("data"),
	/* Verify that the REG_DWORD value is set to 0x3. */
	[RX_VERIFY_IT] =
	    "^(verify|ensure|make sure) that the ((?<type>reg_sz|reg_expand_sz|"
	    "reg_multi_sz|reg_dword|reg_binary|dword|string) )?value is set "
	    "to " DATA_RE("data"),
	[RX_VERIFY_NAMED] =
	    "^(verify|ensure|make sure) that the " NAME_RE("name")
	    " (registry )?(value|entry|parameter) is set to " DATA_RE("data"),
	/* add the following REG_DWORD value with the name X. Set its value
	 * to 1; place the value X as a REG_DWORD and give it a value of 0 */
	[RX_ADD_VALUE] =
	    "(add|create|place) (the following |a new |a |the )?"
	    "((?<type>reg_sz|reg_expand_sz|reg_multi_sz|reg_dword|reg_binary|"
	    "dword|string) )?(value|entry) (with the name |named |called )?"
	    NAME1_RE("name") "( as an? " TYPE_RE("type_as") "( value)?)?[,.]? "
	    "(and )?(then )?(set its value to|set it to|give it a value of|"
	    "with a value of|set the value to|set its data to) "
	    DATA_RE("data"),
	/* What may stand before RX_ADD_VALUE in its item. */
	[RX_LEAD] =
	    "^((in the registry|in registry editor|then|next|also|now|"
	    "to work around this (problem|issue|behavior)),? )?$|"
	    "^under (the )?" PATH_RE("path") ",? $|"
	    "^under (the )?(?<partial>[A-Za-z0-9_ ]+([/\\][A-Za-z0-9_ ]+)+)"
	    ",? $",
	/* remove the Software Inventory Agent key under the following
	 * location */
	[RX_DELKEY_NAMED] =
	    "(delete|remove) the " NAME_RE("name") " (registry )?(key|subkey)"
	    "(?<tail> (under|from|in) the following (registry )?"
	    "(?<following>key|location|subkey)| (under|from|in) (the )?"
	    PATH_RE("path") "| from:?$|\\.?$)",
	[RX_CREATEKEYS] =
	    "(create|add) the following (registry )?(keys|key|subkeys|"
	    "subkey)",
	/* If values for .exe and/or .com exist in X, delete them */
	[RX_IF_VALUES] =
	    "^if (the )?(values? (for|named|called) )?" NAMES_RE("names")
	    "( values?)? exists? (in|under) (the )?" PATH_RE("path")
	    "( (registry )?key)?,? (then )?(delete|remove) (it|them)",
	[RX_IF_KEY] =
	    "^if (the )?" PATH_RE("path") " (registry )?(key|subkey) exists,? "
	    "(then )?(delete|remove) (it|the key|the subkey)",
	[RX_SELECT_VALUES] =
	    "^(select|click|locate) the values? (for|named|called) (the )?"
	    NAMES_RE("names") "( (?<word>[a-z]+))?\\.?$",
	/* Regedt32's display of a value: "Default0:REG_DWORD:0". */
	[RX_DISPLAY] =
	    "^(<no name>|" NAME_RE("name") ") ?: ?" TYPE_RE("type")
	    " ?: ?(?<data>.+)$",
	[RX_TYPE_COLON] =
	    "^" TYPE_RE("type") " ?: ?(?<data>.+)$",
	[RX_ADDKEY_MENU] =
	    "^on the edit menu, (click|choose|select) add key\\.?$",
	[RX_KEYNAME_TYPE] =
	    "^in the key name box, type " NAME_RE("name")
	    "( \\(without the quotation marks\\))?\\.?$",
	[RX_CLICK_KEY] =
	    "^(in the left pane, )?(click|select|double-click) the "
	    NAME_RE("name") " key( to select it)?\\.?$",
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
	    "^(enter|type) a value of " DATA_RE("data"),
	[RX_CHECK] =
	    "^(verify|check|examine|ensure|make sure|view|look|record|note)\\b|"
	    "^(also )?(record|note) the value",
	/* What the step before a "Value Name:" block says to do with it:
	 * a verb that starts a clause or follows "to", "then", "click"...
	 * ("The cache is set by the following value:" says nothing). */
	[RX_FIELDS_SET] =
	    "(^|[.,:;] |\\b(to|then|and|or|by|click|choose|select) )"
	    "(add|adding|create|modify|change|set|edit|enter|type)\\b",
	[RX_FIELDS_DELETE] =
	    "(^|[.,:;] |\\b(to|then|and|or|by|click|choose|select) )"
	    "(delete|deleting|remove|removing)\\b",
};

/* Copy the form SRC to OUT without its group names, recording in NM (at
 * most NSUB) each name and the number of its group.  Groups are counted
 * as regcomp counts them: every '(' that is not escaped and not inside a
 * bracket expression.  Returns the number of groups, -1 for a name
 * written twice or too many names. */
static int
strip_names(const char *src, char *out, struct rxname *nm, size_t *nnm)
{
	const char *s = src;
	int groups = 0;

	*nnm = 0;
	while (*s != '\0') {
		if (*s == '\\' && s[1] != '\0') {
			*out++ = *s++;
			*out++ = *s++;
			continue;
		}
		if (*s == '[') {
			/* "[]...]" and "[^]...]" hold a ']' */
			*out++ = *s++;
			if (*s == '^')
				*out++ = *s++;
			if (*s == ']')
				*out++ = *s++;
			while (*s != '\0' && *s != ']')
				*out++ = *s++;
			continue;
		}
		if (*s == '(') {
			groups++;
			*out++ = *s++;
			if (s[0] == '?' && s[1] == '<') {
				const char *e = strchr(s + 2, '>');
				size_t k;

				if (e == NULL || e == s + 2 || *nnm >= NSUB)
					return -1;
				for (k = 0; k < *nnm; k++)
					if (nm[k].len == (size_t)(e - s - 2) &&
					    strncmp(nm[k].name, s + 2,
					    nm[k].len) == 0)
						return -1;
				nm[*nnm].name = s + 2;
				nm[*nnm].len = (size_t)(e - s - 2);
				nm[*nnm].group = groups;
				(*nnm)++;
				s = e + 1;
			}
			continue;
		}
		*out++ = *s++;
	}
	*out = '\0';
	return groups;
}

/* Compile every form.  The count of groups is checked against regcomp's,
 * and against NSUB: a form that does not compile as written fails here,
 * for every article, rather than in the one step that uses it. */
int
draft_rx_compile(struct rxset *r)
{
	int i, j, n;
	char *buf;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < RX__COUNT; i++) {
		if ((buf = malloc(strlen(rx_src[i]) + 1)) == NULL)
			goto fail;
		n = strip_names(rx_src[i], buf, r->names[i], &r->nnames[i]);
		if (n < 0 || n >= NSUB || regcomp(&r->re[i], buf,
		    REG_EXTENDED | REG_ICASE) != 0) {
			free(buf);
			goto fail;
		}
		free(buf);
		if (r->re[i].re_nsub != (size_t)n) {
			regfree(&r->re[i]);
			goto fail;
		}
	}
	r->ok = 1;
	return 0;
fail:
	for (j = 0; j < i; j++)
		regfree(&r->re[j]);
	return -1;
}

void
draft_rx_free(struct rxset *r)
{
	int i;

	if (!r->ok)
		return;
	for (i = 0; i < RX__COUNT; i++)
		regfree(&r->re[i]);
	r->ok = 0;
}

int
draft_rx_match(struct rxset *r, enum rx k, const char *s, struct rxm *m)
{
	struct rxm dummy;

	if (m == NULL)
		m = &dummy;
	m->set = r;
	m->rx = k;
	m->s = s;
	return regexec(&r->re[k], s, NSUB, m->g, 0) == 0;
}

/* The group of M's form called NAME, or NULL.  A name the form does not
 * have is a mistake in the code, not in the article: it is remembered
 * (draft_make fails with it), so that it cannot go unnoticed as a group
 * that never matched. */
static const regmatch_t *
group(const struct rxm *m, const char *name)
{
	const struct rxset *r = m->set;
	size_t k, l = strlen(name);

	for (k = 0; k < r->nnames[m->rx]; k++)
		if (r->names[m->rx][k].len == l &&
		    strncmp(r->names[m->rx][k].name, name, l) == 0)
			return &m->g[r->names[m->rx][k].group];
	if (m->set->bad == NULL)
		m->set->bad = name;
	return NULL;
}

char *
draft_cap(const struct rxm *m, const char *name)
{
	const regmatch_t *g = group(m, name);

	if (g == NULL || g->rm_so < 0)
		return strdup("");
	return strndup(m->s + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
}

int
draft_has(const struct rxm *m, const char *name)
{
	const regmatch_t *g = group(m, name);

	return g != NULL && g->rm_so >= 0 && g->rm_eo > g->rm_so;
}

const char *
draft_at(const struct rxm *m, const char *name)
{
	const regmatch_t *g = group(m, name);

	return g != NULL && g->rm_so >= 0 ? m->s + g->rm_so : NULL;
}

long
draft_cap_path(const struct rxm *m, const char *name)
{
	const char *s = draft_at(m, name);

	return s != NULL ? strtol(s, NULL, 10) : -1;
}

char *
draft_cap_name(const struct rxm *m, const char *name, int *quoted)
{
	char q[32];

	if (snprintf(q, sizeof(q), "%s_q", name) >= (int)sizeof(q))
		q[0] = '\0';
	*quoted = draft_has(m, q);
	return draft_cap(m, *quoted ? q : name);
}
