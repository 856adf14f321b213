/* cmd-list.c: kbfix list  |  kbfix show ID...
 *
 * list: the remedies of the library, one line each: ID, hives, title;
 * those that match words, a product or a hive (catalog.h); --format md,
 * the catalogue of docs/remedies.md.
 * show: what a remedy does and why, from its file.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "term.h"

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

/* S as the catalogue writes a name or path: a Markdown code span (in
 * double backticks when S holds one); in text, as it is, or in single
 * quotes for a value's name (QUOTE). */
static void
put_code(FILE *out, const char *s, int md, int quote)
{
	int two = md && strchr(s, '`') != NULL;

	if (md)
		fprintf(out, "%s%s%s", two ? "`` " : "`", s, two ? " ``" : "`");
	else
		fprintf(out, quote ? "'%s'" : "%s", s);
}

/* One change of a remedy, for kbfix show (text) and the catalogue (MD:
 * names and paths as code). */
static void
show_action(FILE *out, const struct action *a, int md)
{
	size_t i;

	switch (a->kind) {
	case ACT_DELETE_KEY:
		fprintf(out, "delete the key ");
		put_code(out, a->path.text, md, 0);
		fprintf(out, " and all it holds\n");
		break;
	case ACT_DELETE_VALUE:
		fprintf(out, "delete the value ");
		put_code(out, a->name, md, 1);
		fprintf(out, " of ");
		put_code(out, a->path.text, md, 0);
		fprintf(out, "\n");
		break;
	case ACT_CREATE_KEY:
		fprintf(out, "create the key ");
		put_code(out, a->path.text, md, 0);
		fprintf(out, "\n");
		break;
	case ACT_SET_VALUE:
		fprintf(out, "set the value ");
		put_code(out, a->name, md, 1);
		fprintf(out, " of ");
		put_code(out, a->path.text, md, 0);
		fprintf(out, " to %s ", type_name(a->value.type));
		if (md)
			put_code(out, a->text ? a->text : "", md, 0);
		else
			fprintf(out, "\"%s\"", a->text ? a->text : "");
		fprintf(out, "%s\n", a->create ? "" : " (only if it exists)");
		break;
	case ACT_EDIT_LIST:
		fprintf(out, "edit the list in ");
		put_code(out, a->name, md, 1);
		fprintf(out, " of ");
		put_code(out, a->path.text, md, 0);
		fprintf(out, " (entries separated by ");
		put_code(out, a->separator ? a->separator : ";", md, 1);
		fprintf(out, ", or the strings of a REG_MULTI_SZ):\n");
		for (i = 0; i < a->nops; i++) {
			const struct list_op *o = &a->ops[i];

			fprintf(out, "    %s", md ? "- " : "");
			if (o->kind == LIST_REMOVE && o->match == MATCH_NETWORK)
				fprintf(out, "remove network entries (UNC paths "
				    "and drive letters that are not local "
				    "volumes)");
			else if (o->kind == LIST_REMOVE) {
				fprintf(out, "remove entries matching ");
				put_code(out, o->pattern, md, 0);
			} else if (o->from)
				fprintf(out, "append the entries removed as %s",
				    o->from);
			else {
				fprintf(out, "append ");
				put_code(out, o->entry, md, 0);
			}
			fprintf(out, "%s\n", o->kind == LIST_REMOVE && o->save ?
			    " (kept for later)" : "");
		}
		break;
	case ACT_RENAME_FILE:
		fprintf(out, "rename the file ");
		put_code(out, a->file, md, 0);
		fprintf(out, " to ");
		put_code(out, a->to, md, 0);
		fprintf(out, "\n");
		break;
	case ACT_DELETE_FILE:
		fprintf(out, "delete the file ");
		put_code(out, a->file, md, 0);
		fprintf(out, "\n");
		break;
	}
}

/* The width show wraps its text to: the terminal's (term.h). */
static size_t show_width = 80;

/* TEXT, one or several lines, each indented by two spaces, wrapped to the
 * terminal. */
static void
indented(const char *text)
{
	term_wrap(stdout, text, 0, 2, show_width);
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
	if (r->symptom) {
		printf("Symptom, as the article states it:\n");
		term_wrap(stdout, r->symptom, 0, 0, show_width);
	}
	if (r->summary) {
		printf("What it does:\n");
		indented(r->summary);
	}
	if (r->when.nchildren) {
		printf("Applies when%s:\n", r->when.nchildren > 1 ?
		    " all of these hold" : "");
		for (i = 0; i < r->when.nchildren; i++)
			show_cond(&r->when.children[i], 1);
	}
	if (r->nactions) {
		printf("Changes:\n");
		for (i = 0; i < r->nactions; i++) {
			printf("  ");
			show_action(stdout, &r->actions[i], 0);
		}
	} else
		printf("Changes: none (an advisory: kbfix changes nothing)\n");
	if (r->advisory) {
		printf("Advisory:\n");
		indented(r->advisory);
	}
	for (i = 0; i < r->nwarnings; i++) {
		printf("Warning: ");
		term_wrap(stdout, r->warnings[i], 9, 2, show_width);
	}
	if (r->unseen) {
		char *t = NULL;

		printf("Not seen offline: ");
		if (asprintf(&t, "%s (with the whole library it is only "
		    "possible; name it to apply it)", r->unseen) < 0)
			t = NULL;
		term_wrap(stdout, t ? t : r->unseen, 18, 2, show_width);
		free(t);
	}
	printf("Restart needed: %s\n", r->restart ? "yes" : "no");
	if (r->workaround) {
		printf("WORKAROUND, as the article states it:\n");
		term_wrap(stdout, r->workaround, 0, 0, show_width);
	}
	printf("File: %s\n", r->file);
}

int
cmd_show(int argc, char **argv)
{
	struct remedy **rs;
	size_t n, i;
	struct diag d;

	if (argc < 2) {
		cmd_usage_fail(CMDB_SHOW, "show takes the remedies to show (IDs "
		    "or files)");
		return EXIT_TROUBLE;
	}
	show_width = term_width(STDOUT_FILENO);
	diag_init(&d);
	for (i = 1; i < (size_t)argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			cmd_opt_refuse(CMDB_SHOW, argv[i], &d);
	if (d.nerrors) {
		diag_print(&d, stderr);
		diag_free(&d);
		return EXIT_TROUBLE;
	}
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

/* TEXT as Markdown text: the characters Markdown would read as markup
 * escaped with a backslash, runs of white space as one space. */
static void
md_text(FILE *out, const char *text)
{
	const char *p;
	int space = 0;

	for (p = text; *p; p++) {
		if (isspace((unsigned char)*p)) {
			space = 1;
			continue;
		}
		if (space)
			fputc(' ', out);
		space = 0;
		if (strchr("\\`*_[]<>|#", *p) != NULL)
			fputc('\\', out);
		fputc(*p, out);
	}
}

static void
md_hives(FILE *out, const struct remedy *r)
{
	size_t i;

	for (i = 0; i < r->nhives; i++)
		fprintf(out, "%s%s%s", i ? ", " : "", hive_kind_name(r->hives[i]),
		    r->hive_optional[i] ? " (optional)" : "");
}

/* The catalogue of the remedies RS, as docs/remedies.md shows it. */
static void
md_catalogue(FILE *out, struct remedy *const *rs, size_t n)
{
	size_t i, j;

	fprintf(out, "# The remedy library\n\n"
	    "Generated from `remedies/*.xml` by `make docs` (`kbfix list "
	    "--format md`);\n`make check` fails while it is not current. "
	    "%zu remedies.\n\n"
	    "| ID | Title | Products | Hives | Changes | Restart |\n"
	    "|---|---|---|---|---|---|\n", n);
	for (i = 0; i < n; i++) {
		const struct remedy *r = rs[i];

		const char *p;

		/* The anchor of the "## ID" heading: lowercase, letters,
		 * digits, - and _ kept. */
		fprintf(out, "| [%s](#", r->id);
		for (p = r->id; *p; p++)
			if (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
				fputc(tolower((unsigned char)*p), out);
		fprintf(out, ") | ");
		md_text(out, r->title ? r->title : "");
		fprintf(out, " | ");
		for (j = 0; j < r->nproducts; j++) {
			fprintf(out, "%s", j ? "; " : "");
			md_text(out, r->products[j]);
		}
		fprintf(out, " | ");
		md_hives(out, r);
		fprintf(out, " | %zu%s | %s |\n", r->nactions, r->nactions ? "" :
		    " (advisory)", r->restart ? "yes" : "no");
	}
	for (i = 0; i < n; i++) {
		const struct remedy *r = rs[i];

		fprintf(out, "\n## %s\n\n**", r->id);
		md_text(out, r->title ? r->title : "");
		fprintf(out, "**%s\n\n- Products: ", r->draft ? " (draft)" : "");
		for (j = 0; j < r->nproducts; j++) {
			fprintf(out, "%s", j ? "; " : "");
			md_text(out, r->products[j]);
		}
		fprintf(out, "\n- Hives: ");
		md_hives(out, r);
		fprintf(out, "\n- Restart needed: %s\n- What it does: ",
		    r->restart ? "yes" : "no");
		md_text(out, r->summary ? r->summary : "");
		if (r->nactions == 0)
			fprintf(out, "\n- Changes: none (an advisory: kbfix "
			    "changes nothing)\n");
		else {
			fprintf(out, "\n- Changes:\n");
			for (j = 0; j < r->nactions; j++) {
				fprintf(out, "  - ");
				show_action(out, &r->actions[j], 1);
			}
		}
		for (j = 0; j < r->nwarnings; j++) {
			fprintf(out, "- Warning: ");
			md_text(out, r->warnings[j]);
			fprintf(out, "\n");
		}
		if (r->unseen) {
			fprintf(out, "- Not seen offline: ");
			md_text(out, r->unseen);
			fprintf(out, " (scanned with the whole library, it is "
			    "only *possible*; apply it by name)\n");
		}
		if (r->advisory) {
			fprintf(out, "- Advisory: ");
			md_text(out, r->advisory);
			fprintf(out, "\n");
		}
	}
}

/* The usage error of option S of list, NEXT the word after it or NULL. */
static int
list_usage(const char *s, const char *next)
{
	if (strcmp(s, "--format") == 0 && next != NULL)
		cmd_usage_fail(CMDB_LIST, "unknown format '%s' for list (text or "
		    "md)", next);
	else if (strcmp(s, "--hive") == 0 || strcmp(s, "--product") == 0 ||
	    strcmp(s, "--format") == 0)
		cmd_usage_fail(CMDB_LIST, "option '%s' needs an argument", s);
	else
		cmd_opt_fail(CMDB_LIST, s);
	return EXIT_TROUBLE;
}

int
cmd_list(int argc, char **argv)
{
	struct catalog_filter f = { HIVE_UNKNOWN, NULL, NULL, 0 };
	struct remedy **rs;
	char **words;
	size_t n, i, j, shown = 0;
	struct diag d;
	int md = 0, c;

	words = calloc((size_t)argc, sizeof *words);
	if (words == NULL)
		return EXIT_TROUBLE;
	for (c = 1; c < argc; c++) {
		if (strcmp(argv[c], "--hive") == 0 && c + 1 < argc) {
			f.hive = hive_kind_parse(argv[++c]);
			if (f.hive == HIVE_UNKNOWN) {
				fprintf(stderr, "kbfix: error: unknown hive '%s' "
				    "(use SYSTEM, SOFTWARE, SAM, SECURITY, NTUSER "
				    "or DEFAULT)\n", argv[c]);
				free(words);
				return EXIT_TROUBLE;
			}
		} else if (strcmp(argv[c], "--product") == 0 && c + 1 < argc)
			f.product = argv[++c];
		else if (strcmp(argv[c], "--format") == 0 && c + 1 < argc &&
		    (strcmp(argv[c + 1], "md") == 0 ||
		    strcmp(argv[c + 1], "text") == 0))
			md = strcmp(argv[++c], "md") == 0;
		else if (argv[c][0] == '-') {
			free(words);
			return list_usage(argv[c], c + 1 < argc ? argv[c + 1] :
			    NULL);
		} else
			words[f.nwords++] = argv[c];
	}
	f.words = words;
	diag_init(&d);
	if (cmd_remedies_load(NULL, 0, &rs, &n, &d) < 0) {
		diag_print(&d, stderr);
		diag_free(&d);
		free(words);
		return EXIT_TROUBLE;
	}
	/* Keep the matching remedies, in the library's order. */
	for (i = j = 0; i < n; i++) {
		if (catalog_match(rs[i], &f))
			rs[j++] = rs[i];
		else
			remedy_free(rs[i]);
	}
	n = j;
	if (md)
		md_catalogue(stdout, rs, n);
	for (i = 0; !md && i < n; i++) {
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
		shown++;
	}
	if (!md && shown == 0 && (f.nwords || f.product || f.hive))
		fprintf(stderr, "kbfix: no remedy matches\n");
	cmd_remedies_free(rs, n);
	diag_free(&d);
	free(words);
	return !md && shown == 0 && (f.nwords || f.product || f.hive) ?
	    EXIT_PENDING : EXIT_NOTHING;
}
