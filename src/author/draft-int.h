/* draft-int.h: what the drafter's stages share; not for other modules.
 *
 * kbfix draft reads an article's procedure in stages, one file each:
 *   draft-items.c      the procedure cut into items (steps, paragraphs,
 *                      blocks), each item's paths found and replaced by
 *                      "@N@" in its flat text;
 *   draft-paths.c      a registry path, however the KB wrote it;
 *   draft-steps.c      one item: its paths, its sentences, its blocks, or
 *                      why it stays a comment;
 *   draft-sentences.c  the sentence forms that state a change;
 *   draft-blocks.c     .reg snippets, "Value Name:" fields, Regedt32's
 *                      display of values;
 *   draft-state.c      the context (the key located, the values selected)
 *                      and the actions drafted;
 *   draft-rx.c         the sentence forms as regular expressions;
 *   draft-xml.c        the remedy document;
 *   draft-text.c       buffers and strings;
 *   draft.c            draft_make: the stages in order, and the verdict.
 */
#ifndef KBFIX_DRAFT_INT_H
#define KBFIX_DRAFT_INT_H

#include <regex.h>
#include <stddef.h>

#include "article.h"
#include "draft.h"

/* Longest item looked at; longer ones are kept as comments. */
#define ITEM_MAX	4000
#define PATHS_MAX	16
#define ACTIONS_MAX	64
#define VALUES_MAX	8

/* ------------------------------------------------------------ text */

/* A growing string; after out-of-memory OOM is set and adding does
 * nothing. */
struct dbuf {
	char *s;
	size_t len, cap;
	int oom;
};

void dbuf_addn(struct dbuf *, const char *, size_t);
void dbuf_add(struct dbuf *, const char *);
void dbuf_addc(struct dbuf *, char);
void dbuf_printf(struct dbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* S without its leading and trailing spaces (S is cut in place). */
char *draft_trim(char *s);

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
	RX_FIELDS_SET,
	RX_FIELDS_DELETE,
	RX__COUNT
};

/* A named group of a form: NAME (LEN bytes, not NUL-terminated, in the
 * form's source) is group GROUP. */
struct rxname {
	const char *name;
	size_t len;
	int group;
};

/* Match groups asked for: more than any form has (draft_rx_compile
 * checks). */
#define NSUB 24

struct rxset {
	regex_t re[RX__COUNT];
	struct rxname names[RX__COUNT][NSUB];
	size_t nnames[RX__COUNT];
	const char *bad;	/* a group name asked for that the form has
				 * not: a mistake in the code (static) */
	int ok;
};

/* A match of form RX in S: G holds its groups, read by name. */
struct rxm {
	struct rxset *set;
	enum rx rx;
	const char *s;
	regmatch_t g[NSUB];
};

/* Compile every form; -1 on failure (nothing left to free). */
int draft_rx_compile(struct rxset *r);
void draft_rx_free(struct rxset *r);
/* Nonzero if form K matches S; M (or NULL) gets the match. */
int draft_rx_match(struct rxset *r, enum rx k, const char *s,
    struct rxm *m);
/* The group NAME of M as a new string ("" if it did not take part); NULL
 * on out-of-memory.  The caller frees. */
char *draft_cap(const struct rxm *m, const char *name);
/* Nonzero if the group NAME took part and is not empty. */
int draft_has(const struct rxm *m, const char *name);
/* Where the group NAME starts in the string matched; NULL if it did not
 * take part. */
const char *draft_at(const struct rxm *m, const char *name);
/* The N of the path "@N@" that the group NAME matched, or -1. */
long draft_cap_path(const struct rxm *m, const char *name);
/* NAME_RE's group NAME: the name without its quotes (*QUOTED set when it
 * was quoted), as draft_cap. */
char *draft_cap_name(const struct rxm *m, const char *name, int *quoted);

/* ------------------------------------------------------------ paths */

struct path {
	char *text;		/* canonical: long root, elements as written */
	const char *hive;	/* "SYSTEM", ..., NULL if unusable */
	const char *why;	/* why unusable, static */
	size_t nelems;
	char *last;		/* last element */
	size_t start, end;	/* span in the item text */
	int colon;		/* written with a trailing ':' (a value
				 * follows) */
	int block;		/* alone on its line(s), not in a sentence */
	int glued;		/* root and hive written as one word */
	int ccs;		/* SYSTEM's ControlSetNNN written, drafted as
				 * CurrentControlSet */
	int cut;		/* it goes on where it stopped, and how is
				 * not known (draft_paths_complete) */
};

/* The root token at S in TEXT as an index for draft_path_scan, or -1;
 * draft_root_glued: the same for "HKEY_LOCAL_MACHINESYSTEM\...". */
int draft_root_at(const char *text, const char *s);
int draft_root_glued(const char *text, const char *s);
/* Nonzero if S starts its line of TEXT (spaces and '[' aside). */
int draft_at_line_start(const char *text, const char *s);
/* Nonzero if E is a placeholder the KB writes for a real name. */
int draft_placeholder(const char *e);
void draft_path_free(struct path *p);
int draft_path_scan(const char *text, size_t start, int rootidx,
    const char *defroot, struct path *p);
/* The key of a .reg file's "[KEY]" line (KEY without the brackets), as
 * written: 0 and P filled (P->hive NULL if unusable), -1 on
 * out-of-memory. */
int draft_path_reg(const char *key, struct path *p);

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

void draft_item_free(struct item *it);
/* Cut the procedure SEC of A into items: *OUT, *NOUT; -1 on
 * out-of-memory. */
int draft_items_split(const struct article *a,
    const struct article_section *sec, struct item **out, size_t *nout);
/* Find IT's paths (SUBTREE: the root of the "\SOFTWARE\..." written
 * after "From the HKEY_LOCAL_MACHINE subtree") and build its flat text;
 * -1 on out-of-memory. */
int draft_item_scan(struct item *it, const char *subtree);
/* Regedit's tree form of a path at START of IT (see draft-paths.c): 1 and
 * P filled, 0 if it is not one, -1 on out-of-memory. */
int draft_path_tree(struct item *it, size_t start, int rootidx,
    struct path *p);
/* Complete the paths a sentence cut at a space from the same path
 * written alone; -1 on out-of-memory. */
int draft_paths_complete(struct item *items, size_t n);

/* ------------------------------------------------------------ state */

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

/* What the items read so far wait for in the ones that follow. */
enum want {
	WANT_NOTHING,
	WANT_VALUE,		/* "the following registry value:": the next
				 * path ends with the value's name */
	WANT_DELKEYS,		/* "delete the following keys:" */
	WANT_DELSUB,		/* "delete the subkeys that start with X"
				 * (X: want_name) */
	WANT_SET,		/* a set (set_*) waiting for "the following
				 * key" */
	WANT_DELKEY,		/* "remove the X key under the following
				 * location" (X: want_name) */
	WANT_CREATEKEYS,	/* "create the following key:" */
	WANT_NEWKEY,		/* "On the Edit menu, click Add Key" */
};

struct state {
	const struct article *a;
	struct rxset rx;
	struct act acts[ACTIONS_MAX];
	size_t nacts;
	const char *hives[8];
	size_t nhives;
	int restart;
	int in_notes;		/* the items after "Notes:" are notes */
	int oom;
	/* context */
	char *key;		/* current key */
	const char *key_hive;
	char *values[VALUES_MAX]; /* the value or values selected */
	size_t nvalues;
	enum want want;
	char *want_name;	/* the name WANT_DELSUB, WANT_DELKEY wait
				 * with */
	char *set_name, *set_data;
	const char *set_type;
	const char *set_note;
	int set_create;
	struct item *pending;	/* the item whose want still waits */
	struct item *lead;	/* the last item that may introduce a block
				 * (not paths alone, not a block) */
	char *regkey;		/* the key of a .reg snippet's [section] */
	const char *reghive;
	struct {
		char *path;	/* a path the drafter read with a note */
		const char *note; /* for the actions on it or below */
	} reviews[8];
	size_t nreviews;
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
	struct dbuf body;	/* actions and comments, in order */
	struct dbuf warnings;	/* <warning> elements */
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
#define W_FIELDS_OP	"the step does not say what to do with the value"
#define W_CUT		"the key path goes on past a space or a line " \
			    "break, and how is not known"

void draft_set_str(char **dst, char *src);
void draft_values_clear(struct state *st);
void draft_value_set1(struct state *st, char *name);
void draft_value_add(struct state *st, char *name);
const char *draft_value1(const struct state *st);
int draft_fail(struct state *st, const char *why);
void draft_add_hive(struct state *st, const char *h);
void draft_emit_act(struct state *st, struct act *a);
int draft_parse_data(const char *w, const char *typed, const char **type,
    char **data, const char **note);
const char *draft_type_name(const char *reg);
void draft_set_key(struct state *st, const struct path *p, int value_last);
int draft_set_value_act(struct state *st, const char *path,
    const char *hive, const char *name, const char *type, char *data,
    int create, const char *note, long line);
void draft_simple_act(struct state *st, enum akind kind, const char *path,
    const char *hive, const char *name, long line, int cond);
void draft_add_cond(struct state *st, const char *path, const char *name);
/* Remember what the author must review about the path P (its root run
 * into the hive, its control set), for the actions on it. */
void draft_review_path(struct state *st, const struct path *p);
int draft_not_a_name(const char *n);
int draft_clean_name(char *name, int quoted, const char **type);
size_t draft_split_names(const char *list, char **out, size_t max);
int draft_key_ends_with(const char *key, const char *partial);
/* Wait for W (NAME: want_name, owned, or NULL) from the item IT (NULL
 * when the wait is no step of its own).  A wait already pending is given
 * up first: its step stays a comment (draft_drop_pending). */
void draft_want(struct state *st, enum want w, char *name, struct item *it);
void draft_state_free(struct state *st);

/* ------------------------------------------------------------ steps */

int draft_do_regfile(struct state *st, struct item *it);
int draft_do_fields(struct state *st, struct item *it);
/* Nonzero if IT holds a "Value Name:" or "Key Name:" line. */
int draft_is_fields(const struct item *it);
int draft_do_display(struct state *st, struct item *it);
int draft_do_sentences(struct state *st, struct item *it);
void draft_do_item(struct state *st, struct item *it);
void draft_drop_pending(struct state *st);

/* ------------------------------------------------------------ output */

void draft_write_act(struct state *st, const struct act *a);
void draft_comment_item(struct state *st, const struct item *it,
    const char *what, const char *why);
void draft_text_element(struct dbuf *b, const char *el, const char *text,
    int indent);
int draft_blank(const char *s);
char *draft_write_remedy(struct state *st, struct draft *dr,
    const char *procedure, const char *advisory);

#endif
