/* plan.h: remedies + hives -> the ordered list of concrete changes.
 *
 * The plan is the single source of truth: the dry run prints it, apply
 * executes it, and after apply a new plan is empty.  It is computed on hives
 * opened read-only.  Later actions see the effect of earlier ones (a value
 * set then edited, a key created then filled) through the plan itself, so
 * planning twice on the applied hive yields nothing.
 */
#ifndef KBFIX_PLAN_H
#define KBFIX_PLAN_H

#include <stddef.h>

#include "diag.h"
#include "hive.h"
#include "remedy.h"

enum change_kind {
	CHANGE_DELETE_KEY,	/* the key and everything below it */
	CHANGE_CREATE_KEY,	/* one key, its parent exists or is created
				 * by an earlier change */
	CHANGE_SET_VALUE,	/* create or replace one value */
	CHANGE_DELETE_VALUE,
	CHANGE_RENAME_FILE,
	CHANGE_DELETE_FILE,
};

struct change {
	enum change_kind kind;
	struct hive *hive;	/* borrowed; NULL for file changes */
	char **key;		/* elements below the root, as spelled in the
				 * hive (as the remedy wrote them for keys
				 * being created) */
	size_t nkey;
	hive_node_h node;	/* CHANGE_DELETE_KEY: the key in HIVE */
	char *name;		/* value changes: the name as stored, or as
				 * the remedy wrote it for a new value */
	int had_old;		/* value changes: the value existed */
	struct rvalue old;	/* ... with this type and data */
	struct rvalue new;	/* CHANGE_SET_VALUE */
	char *file;		/* file changes: path on this machine */
	char *to;		/* CHANGE_RENAME_FILE: new path */
	char *winfile;		/* file changes: the path as the remedy wrote
				 * it, for display */
	long line;		/* the action's line in the remedy file */
	const char *list_sep;	/* CHANGE_SET_VALUE of an edit-list: its
				 * separator (borrowed from the remedy), for
				 * the diff to show the entries it moves */
};

enum entry_status {
	ENTRY_APPLIES,		/* conditions hold, changes pending */
	ENTRY_DONE,		/* conditions hold, nothing left to change */
	ENTRY_NOT_APPLICABLE,	/* a condition does not hold */
	ENTRY_MISSING_HIVE,	/* a hive it needs was not given */
	ENTRY_NEEDS_FOLDER,	/* needs the Windows folder (file actions) */
	ENTRY_ADVISORY,		/* detected; nothing to change offline */
	ENTRY_DRAFT,		/* a draft: refused */
	ENTRY_POSSIBLE,		/* conditions hold, but the remedy's symptom
				 * is <unseen>: with the whole library
				 * (plan_options.hold_unseen) nothing is
				 * planned; named, it applies */
};

struct plan_entry {
	const struct remedy *remedy;	/* borrowed */
	enum entry_status status;
	char *reason;		/* one line: why it applies or not */
	char **notes;		/* things the user must know */
	size_t nnotes;
	char *control_sets;	/* "ControlSet002 (current)", or NULL */
	struct change *changes;
	size_t nchanges;
	char *drops;		/* list entries the remedy moves out of a value
				 * that reach no hive ("'\\s\x', 'Z:\y'
				 * reach no NTUSER hive"): apply refuses them
				 * without --drop-moved; NULL if none */
};

/* What one run works on: the hives of one machine and, in image mode, its
 * Windows folder. */
struct target {
	struct hive **hives;	/* borrowed */
	size_t nhives;
	char *windir;		/* the Windows folder on this machine, or NULL */
};

struct plan_options {
	const char *control_set;	/* --control-set; NULL: "current" */
	int hold_unseen;	/* the whole library runs (no remedy named):
				 * a remedy whose symptom no hive shows
				 * (remedy.unseen) that would apply is
				 * ENTRY_POSSIBLE, with no change, and the
				 * remedies after it do not see its changes */
};

struct plan {
	struct plan_entry *entries;	/* one per remedy, in the given order */
	size_t nentries;
};

/* Compute the plan of NREMEDIES remedies on target T.  Nothing is written.
 * Returns 0 and *OUT (caller frees with plan_free; it borrows the remedies
 * and hives, which must outlive it), or -1 with D on an error that makes
 * the plan unreliable (a corrupt hive, a SYSTEM hive without a usable
 * control set when a remedy needs one). */
int plan_compute(struct remedy *const *remedies, size_t nremedies,
    const struct target *t, const struct plan_options *o, struct plan **out,
    struct diag *d);

/* Number of changes over all entries. */
size_t plan_nchanges(const struct plan *p);

/* Nonzero if some change of P is on hive HV. */
int plan_touches(const struct plan *p, const struct hive *hv);

void plan_free(struct plan *p);

/* "HKEY_LOCAL_MACHINE\SYSTEM\ControlSet002\Services" for a change's key.
 * Caller frees. */
char *plan_key_text(const struct hive *hv, char *const *key, size_t nkey);

/* Short human name of a status: "applies", "not applicable", ... */
const char *plan_status_name(enum entry_status s);

#endif
