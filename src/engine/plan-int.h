/* plan-int.h: what the files of the planner share (plan.c: helpers, the
 * overlay, path expansion, planning a remedy; plan-cond.c: conditions;
 * plan-act.c: actions).  Not for use outside them: plan.h is the API. */
#ifndef KBFIX_PLAN_INT_H
#define KBFIX_PLAN_INT_H

#include "plan.h"
#include "overlay.h"

/* Deepest key path kbfix follows: Windows allows 512 levels. */
#define MAX_DEPTH 512

/* A list of strings, for saved list entries. */
struct strlist {
	char **v;
	size_t n;
};

struct saved {
	char *name;
	struct strlist entries;
};

/* One key found by a path: its node (0 for a key that only the plan
 * creates) and the spelling of each element. */
struct match {
	hive_node_h node;
	char **elems;
	size_t n;
};

struct matches {
	struct match *v;
	size_t n;
};

/* State of planning one remedy. */
struct ctx {
	struct plan *plan;
	struct plan_entry *entry;
	const struct target *t;
	const struct remedy *r;
	const struct control_set *cs;	/* NULL when not a SYSTEM remedy */
	struct saved *saved;
	size_t nsaved;
	struct diag *d;
	int failed;			/* a hive read failed */
	char *why;			/* reason of the last condition */
	int in_not;			/* evaluating the child of a <not>:
					 * phrase the reason for it */
	int needs_folder;
	struct overlay *ov;		/* the plan so far, indexed */
	unsigned missing;		/* HIVE_BIT of each hive the remedy
					 * needs that was not given: its
					 * conditions are undecided (-1) */
};

#define HIVE_BIT(k)	(1u << (unsigned)(k))

/* The hives of the target that hold paths of kind K: SYSTEM has one, a
 * machine may have several users' NTUSER.DAT. */
#define FOR_EACH_HIVE(c, k, hv, ...)					\
	do {								\
		size_t i_;						\
		for (i_ = 0; i_ < (c)->t->nhives; i_++) {		\
			struct hive *hv = (c)->t->hives[i_];		\
			if (hv->kind != (k))				\
				continue;				\
			__VA_ARGS__					\
		}							\
	} while (0)


/* What a condition is, evaluated (eval): it holds, it does not, it cannot
 * be told here (it needs the Windows folder, or a hive not given), or
 * reading failed. */
enum truth {
	T_ERROR = -2,
	T_UNKNOWN = -1,
	T_FALSE = 0,
	T_TRUE = 1
};

#define set_why(c, ...)		set_text(&(c)->why, __VA_ARGS__)
#define set_reason(e, ...)	set_text(&(e)->reason, __VA_ARGS__)

#define same_prefix names_prefix

/* Walk every change planned so far, in order, including the entry being
 * built. */
#define FOR_EACH_CHANGE(c, ch, ...)					\
	do {								\
		size_t e_, k_;						\
		for (e_ = 0; e_ < (c)->plan->nentries; e_++) {		\
			struct plan_entry *pe_ = &(c)->plan->entries[e_]; \
			for (k_ = 0; k_ < pe_->nchanges; k_++) {	\
				const struct change *ch = &pe_->changes[k_]; \
				__VA_ARGS__				\
			}						\
		}							\
	} while (0)

/* plan.c: small helpers, the plan as an overlay, path expansion */
char *xstrdup(const char *s);
int strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);
int strlist_has(const struct strlist *l, const char *s);
/* Replace the string in *SLOT with a formatted one (NULL on
 * out-of-memory: a missing reason is better than a failed plan). */
void set_text(char **slot, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void entry_note(struct plan_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void free_elems(char **v, size_t n);
char **dup_elems(char *const *v, size_t n);
void matches_free(struct matches *m);
int rvalue_copy(struct rvalue *dst, uint32_t type, const void *data,
    size_t len);
int overlay_key(struct ctx *c, const struct hive *hv, char *const *elems,
    size_t n);
int overlay_value(struct ctx *c, const struct hive *hv, char *const *elems,
    size_t n, const char *name, const struct rvalue **v);
int read_value(struct ctx *c, struct hive *hv, const struct match *m,
    const char *name, struct hive_value *out);
struct hive *find_hive(const struct target *t, enum hive_kind k,
    size_t from);
int is_ccs(const struct rpath *p);
int expand(struct ctx *c, struct hive *hv, const struct rpath *p,
    struct matches *out);

/* plan-cond.c: conditions */
int network_drives(struct ctx *c, int drives[26]);
char *list_text(const struct hive_value *v, const char **sep);
enum truth eval(struct ctx *c, const struct cond *k);

/* plan-act.c: actions */
int local_drives(struct ctx *c, int drives[26]);
int is_network_entry(const char *e, const int drives[26], int have_drives);
int split_list(const char *text, const char *sep, struct strlist *out);
char *join_list(const struct strlist *l, const char *sep);
int run_actions(struct ctx *c);

#endif
