/* cmd-list.c: kbfix list  |  kbfix show ID...
 *
 * list: the remedies of the library, one line each: ID, hives, title.
 * show: what a remedy does and why, from its file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int
cmd_list(int argc, char **argv)
{
	struct remedy **rs;
	size_t n, i, j;
	struct diag d;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: kbfix list\n");
		return EXIT_TROUBLE;
	}
	diag_init(&d);
	if (cmd_remedies_load(NULL, 0, &rs, &n, &d) < 0) {
		diag_print(&d, stderr);
		diag_free(&d);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < n; i++) {
		char hives[64] = "";

		for (j = 0; j < rs[i]->nhives; j++) {
			if (j)
				strncat(hives, ",", sizeof hives - strlen(hives)
				    - 1);
			strncat(hives, hive_kind_name(rs[i]->hives[j]),
			    sizeof hives - strlen(hives) - 1);
		}
		printf("%-10s %-16s %s%s\n", rs[i]->id, hives,
		    rs[i]->title ? rs[i]->title : "",
		    rs[i]->draft ? " (draft)" : "");
	}
	cmd_remedies_free(rs, n);
	diag_free(&d);
	return EXIT_NOTHING;
}

static const char *
type_name(uint32_t t)
{
	static char buf[16];

	switch (t) {
	case REG_NONE:
		return "REG_NONE";
	case REG_SZ:
		return "REG_SZ";
	case REG_EXPAND_SZ:
		return "REG_EXPAND_SZ";
	case REG_BINARY:
		return "REG_BINARY";
	case REG_DWORD:
		return "REG_DWORD";
	case REG_DWORD_BIG_ENDIAN:
		return "REG_DWORD_BIG_ENDIAN";
	case REG_LINK:
		return "REG_LINK";
	case REG_MULTI_SZ:
		return "REG_MULTI_SZ";
	case REG_QWORD:
		return "REG_QWORD";
	}
	snprintf(buf, sizeof buf, "0x%x", (unsigned)t);
	return buf;
}

static void
show_action(const struct action *a)
{
	size_t i;

	switch (a->kind) {
	case ACT_DELETE_KEY:
		printf("  delete the key %s and all it holds\n", a->path.text);
		break;
	case ACT_DELETE_VALUE:
		printf("  delete the value '%s' of %s\n", a->name,
		    a->path.text);
		break;
	case ACT_CREATE_KEY:
		printf("  create the key %s\n", a->path.text);
		break;
	case ACT_SET_VALUE:
		printf("  set the value '%s' of %s to %s \"%s\"%s\n", a->name,
		    a->path.text, type_name(a->value.type),
		    a->text ? a->text : "", a->create ? "" :
		    " (only if it exists)");
		break;
	case ACT_EDIT_LIST:
		printf("  edit the '%s'-separated list in '%s' of %s:\n",
		    a->separator ? a->separator : ";", a->name, a->path.text);
		for (i = 0; i < a->nops; i++) {
			const struct list_op *o = &a->ops[i];

			if (o->kind == LIST_REMOVE)
				printf("    remove %s%s%s\n",
				    o->match == MATCH_NETWORK ?
				    "network entries (UNC paths and drive"
				    " letters that are not local volumes)" :
				    "entries matching ", o->match ==
				    MATCH_NETWORK ? "" : o->pattern,
				    o->save ? " (kept for later)" : "");
			else
				printf("    append %s%s\n", o->from ?
				    "the entries removed as " : "",
				    o->from ? o->from : o->entry);
		}
		break;
	case ACT_RENAME_FILE:
		printf("  rename the file %s to %s\n", a->file, a->to);
		break;
	case ACT_DELETE_FILE:
		printf("  delete the file %s\n", a->file);
		break;
	}
}

/* TEXT, one or several lines, each indented by two spaces. */
static void
indented(const char *text)
{
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		printf("%s%.*s\n", nl > p ? "  " : "", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

static void
show_cond(const struct cond *k, int depth)
{
	size_t i;

	printf("%*s", 2 * depth, "");
	switch (k->kind) {
	case COND_ALL:
	case COND_ANY:
		printf("%s of:\n", k->kind == COND_ALL ? "all" : "any");
		for (i = 0; i < k->nchildren; i++)
			show_cond(&k->children[i], depth + 1);
		return;
	case COND_NOT:
		printf("not:\n");
		for (i = 0; i < k->nchildren; i++)
			show_cond(&k->children[i], depth + 1);
		return;
	case COND_KEY_EXISTS:
		printf("the key %s exists\n", k->path.text);
		break;
	case COND_KEY_EMPTY:
		printf("the key %s exists and is empty\n", k->path.text);
		break;
	case COND_VALUE_EXISTS:
		printf("the value '%s' of %s exists\n", k->name, k->path.text);
		break;
	case COND_VALUE_EQUALS:
		printf("the value '%s' of %s is \"%s\"\n", k->name,
		    k->path.text, k->text ? k->text : "");
		break;
	case COND_VALUE_MATCHES:
		printf("the value '%s' of %s matches '%s'\n", k->name,
		    k->path.text, k->pattern);
		break;
	case COND_LIST_CONTAINS:
		if (k->match == MATCH_NETWORK)
			printf("the '%s'-separated list in '%s' of %s holds a "
			    "network entry\n", k->separator, k->name,
			    k->path.text);
		else
			printf("the '%s'-separated list in '%s' of %s holds an "
			    "entry matching '%s'\n", k->separator, k->name,
			    k->path.text, k->pattern);
		break;
	case COND_FILE_EXISTS:
		printf("the file %s exists\n", k->file);
		break;
	case COND_ARCHITECTURE:
		printf("the processor is %s\n", k->arch);
		break;
	}
}

static void
show_one(const struct remedy *r)
{
	size_t i;

	printf("%s: %s\n", r->id, r->title ? r->title : "");
	if (r->draft)
		printf("  DRAFT: apply refuses it until reviewed\n");
	if (r->nproducts) {
		printf("Products:\n");
		for (i = 0; i < r->nproducts; i++)
			printf("  %s\n", r->products[i]);
	}
	printf("Hives:");
	for (i = 0; i < r->nhives; i++)
		printf(" %s%s", hive_kind_name(r->hives[i]),
		    r->hive_optional[i] ? " (optional)" : "");
	printf("\n");
	if (r->symptom)
		printf("Symptom, as the article states it:\n%s\n", r->symptom);
	if (r->summary)
		printf("What it does:\n  %s\n", r->summary);
	if (r->when.nchildren) {
		printf("Applies when%s:\n", r->when.nchildren > 1 ?
		    " all of these hold" : "");
		for (i = 0; i < r->when.nchildren; i++)
			show_cond(&r->when.children[i], 1);
	}
	if (r->nactions) {
		printf("Changes:\n");
		for (i = 0; i < r->nactions; i++)
			show_action(&r->actions[i]);
	} else
		printf("Changes: none (an advisory: kbfix changes nothing)\n");
	if (r->advisory) {
		printf("Advisory:\n");
		indented(r->advisory);
	}
	for (i = 0; i < r->nwarnings; i++)
		printf("Warning: %s\n", r->warnings[i]);
	printf("Restart needed: %s\n", r->restart ? "yes" : "no");
	if (r->workaround)
		printf("WORKAROUND, as the article states it:\n%s\n",
		    r->workaround);
	printf("File: %s\n", r->file);
}

int
cmd_show(int argc, char **argv)
{
	struct remedy **rs;
	size_t n, i;
	struct diag d;

	if (argc < 2) {
		fprintf(stderr, "usage: kbfix show ID...\n");
		return EXIT_TROUBLE;
	}
	diag_init(&d);
	if (cmd_remedies_load(argv + 1, (size_t)argc - 1, &rs, &n, &d) < 0) {
		diag_print(&d, stderr);
		diag_free(&d);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < n; i++) {
		if (i)
			printf("\n");
		show_one(rs[i]);
	}
	cmd_remedies_free(rs, n);
	diag_free(&d);
	return EXIT_NOTHING;
}
