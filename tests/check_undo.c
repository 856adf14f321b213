/* check_undo.c: undo files read back and checked (undo.c): the header
 * and checksum that bind them, and the kbfix-move lines of files undo
 * files, which never lead out of the machine. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "testutil.h"
#include "undo.h"

static const char SHA[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* TEXT with its kbfix-end line, as kbfix writes it. */
static char *
ended(const char *text)
{
	char hex[65], *s;

	audit_sha256_buf(text, strlen(text), hex);
	ck_assert_int_ge(asprintf(&s, "%s; kbfix-end: sha256 %s\n", text,
	    hex), 0);
	return s;
}

/* The one message of a parse of TEXT (LEN bytes) that fails. */
static char *
refused(const char *text, size_t len)
{
	struct undo_file *u = NULL;
	struct diag d;
	char *s;

	diag_init(&d);
	ck_assert_int_eq(undo_parse(text, len, "u.reg", &u, &d), -1);
	ck_assert_ptr_null(u);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_int_ge(asprintf(&s, "%ld: %s", d.items[0].line,
	    d.items[0].msg), 0);
	diag_free(&d);
	return s;
}

static struct undo_file *
parsed(const char *text)
{
	struct undo_file *u = NULL;
	struct diag d;

	diag_init(&d);
	if (undo_parse(text, strlen(text), "u.reg", &u, &d) != 0)
		ck_abort_msg("refused: %s", d.n ? d.items[0].msg : "?");
	ck_assert_uint_eq(d.n, 0);
	diag_free(&d);
	return u;
}

static const char HIVE[] =
    "Windows Registry Editor Version 5.00\n\n"
    "; Undo file of kbfix, now.\n"
    "; kbfix-undo: hive 1\n"
    "; kbfix-hive: \"SYSTEM\"\n"
    "; kbfix-hive-kind: SYSTEM\n"
    "; kbfix-hive-sha256: 0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef\n"
    "; kbfix-hive-root-time: 132000000000000000\n\n"
    "; kbfix-left-key: \"HKEY_LOCAL_MACHINE\" \"SYSTEM\" \"A\"\n"
    "; kbfix-left-value: \"v\"=dword:00000002\n\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\A]\n"
    "\"v\"=dword:00000001\n\n";

START_TEST(test_binding)
{
	char *text = ended(HIVE), *s, *cut;
	struct undo_file *u = parsed(text);
	size_t i, n = strlen(text);

	ck_assert_int_eq(u->files, 0);
	ck_assert_str_eq(u->hive, "SYSTEM");
	ck_assert_int_eq(u->kind, HIVE_SYSTEM);
	ck_assert_str_eq(u->sha256, SHA);
	ck_assert_int_eq(u->root_time, 132000000000000000LL);
	ck_assert_uint_eq(u->rf->nkeys, 2);
	ck_assert_int_eq(u->rf->keys[0].left, 1);
	undo_file_free(u);

	/* Cut anywhere: refused, with one message. */
	for (i = strlen(HIVE) - 40; i < n; i += 7) {
		s = refused(text, i);
		ck_assert_msg(strstr(s, "cut short") != NULL ||
		    strstr(s, "altered") != NULL, "%zu: %s", i, s);
		free(s);
	}
	s = refused(text, n - 1);
	ck_assert_str_eq(s, "0: the undo file is cut short: it does not end "
	    "with its '; kbfix-end:' line");
	free(s);
	/* A byte changed anywhere: refused as altered; but in its
	 * kbfix-undo line, which makes it a .reg file, not an undo file. */
	cut = strdup(text);
	for (i = 0; i < n - 86; i += 5) {
		cut[i] ^= 0x01;
		if (strstr(cut, "; kbfix-undo: ") == NULL) {
			struct diag d;

			diag_init(&d);
			u = NULL;
			if (undo_parse(cut, n, "u.reg", &u, &d) == 0)
				ck_assert_int_eq(u->plain, 1);
			undo_file_free(u);
			diag_free(&d);
		} else {
			s = refused(cut, n);
			ck_assert_msg(strstr(s, "altered") != NULL ||
			    strstr(s, "kbfix-") != NULL, "%zu: %s", i, s);
			free(s);
		}
		cut[i] ^= 0x01;
	}
	free(cut);
	/* Text after the end line. */
	ck_assert_int_ge(asprintf(&cut, "%s[HKEY_LOCAL_MACHINE\\SYSTEM\\B]\n",
	    text), 0);
	s = refused(cut, strlen(cut));
	ck_assert_str_eq(s, "16: the undo file has been altered: its "
	    "'; kbfix-end:' line is not its last, or malformed");
	free(s);
	free(cut);
	free(text);

	/* A .reg file without the kbfix-undo line: its keys, no checks. */
	u = parsed("Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\A]\n\"v\"=dword:00000001\n");
	ck_assert_int_eq(u->plain, 1);
	ck_assert_uint_eq(u->rf->nkeys, 1);
	undo_file_free(u);
	/* Another version; a missing line. */
	cut = strdup(HIVE);
	memcpy(strstr(cut, "hive 1"), "hive 2", 6);
	text = ended(cut);
	s = refused(text, strlen(text));
	ck_assert_str_eq(s, "4: an undo file of another version of kbfix "
	    "('hive 2')");
	free(s);
	free(text);
	memcpy(strstr(cut, "hive 2"), "hive 1", 6);
	memcpy(strstr(cut, "; kbfix-hive-kind"), ";;", 2);
	text = ended(cut);
	s = refused(text, strlen(text));
	ck_assert_str_eq(s, "0: the undo file lacks its kbfix-hive, "
	    "kbfix-hive-kind, kbfix-hive-sha256 or kbfix-hive-root-time line");
	free(s);
	free(text);
	free(cut);
}
END_TEST

START_TEST(test_moves)
{
	struct undo_move m[3] = {
		{ "%SystemRoot%\\System32\\x.dll.off",
		    "%SystemRoot%\\System32\\x.dll", "", 0 },
		{ "%BackupDir%\\a \"b\".kbfix-20261123T101500Z.bak",
		    "%SystemRoot%\\a \"b\"", "", 0 },
		{ NULL, "%SystemRoot%\\gone.dll", "", 0 },
	};
	static char id[] = "Q1", title[] = "t\nwith a line break";
	struct remedy r = { .id = id, .title = title };
	struct change c = { .kind = CHANGE_RENAME_FILE };
	struct plan_entry e = { .remedy = &r, .changes = &c, .nchanges = 1 };
	struct plan p = { &e, 1 };
	struct undo_file *u;
	char *buf = NULL, *s;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	struct diag d;
	static const char *const bad[] = {
		/* absolute; not in the Windows folder; a backup that is
		 * not one of kbfix's, or not in the backup folder itself;
		 * the Windows folder itself */
		"\"/etc/passwd\" \"%SystemRoot%\\\\x\"",
		"\"%SystemRoot%\\\\x\" \"/etc/passwd\"",
		"\"%BackupDir%\\\\passwd\" \"%SystemRoot%\\\\x\"",
		"\"%BackupDir%\\\\sub\\\\x.kbfix-1.bak\" \"%SystemRoot%\\\\x\"",
		"\"%SystemRoot%\\\\x\" \"%BackupDir%\\\\x.kbfix-1.bak\"",
		"\"C:\\\\Windows\\\\x\" \"%SystemRoot%\\\\x\"",
		"\"%SystemRoot%\" \"%SystemRoot%\\\\x\"",
		"\"%BackupDir%\\\\..\" \"%SystemRoot%\\\\x\"",
	};

	for (i = 0; i < 3; i++)
		memcpy(m[i].sha256, SHA, 65);
	m[2].sha256[0] = '\0';
	diag_init(&d);
	ck_assert_int_eq(undo_write_files(f, "u.reg", &p, m, 3, "vol/WINDOWS",
	    "/backups", "kbfix", "20261123T101500Z", &d), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "; kbfix-move: \"%SystemRoot%\\\\"
	    "System32\\\\x.dll.off\" \"%SystemRoot%\\\\System32\\\\x.dll\" "
	    "sha256 0123"));
	ck_assert_ptr_nonnull(strstr(buf, ";   Q1 t\\u000awith a line "
	    "break\n"));
	u = parsed(buf);
	ck_assert_int_eq(u->files, 1);
	ck_assert_str_eq(u->backup_dir, "/backups");
	ck_assert_uint_eq(u->nmoves, 2);
	/* Last change first. */
	ck_assert_str_eq(u->moves[0].from, m[1].from);
	ck_assert_str_eq(u->moves[0].to, m[1].to);
	ck_assert_str_eq(u->moves[1].from, m[0].from);
	ck_assert_str_eq(u->moves[1].to, m[0].to);
	ck_assert_str_eq(u->moves[1].sha256, SHA);
	undo_file_free(u);
	free(buf);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *t;

		ck_assert_int_ge(asprintf(&t, "Windows Registry Editor Version "
		    "5.00\n\n; kbfix-undo: files 1\n; kbfix-move: %s sha256 %s"
		    "\n", bad[i], SHA), 0);
		buf = ended(t);
		s = refused(buf, strlen(buf));
		ck_assert_msg(strncmp(s, "4: '", 4) == 0 && (strstr(s,
		    "is not a path in the Windows folder") ||
		    strstr(s, "is neither a path in the Windows folder")),
		    "%s", s);
		free(s);
		free(buf);
		free(t);
	}
	buf = ended("Windows Registry Editor Version 5.00\n\n"
	    "; kbfix-undo: files 1\n; kbfix-move: \"%BackupDir%\\\\x.kbfix-1."
	    "bak\" \"%SystemRoot%\\\\x\" sha256 0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\n");
	s = refused(buf, strlen(buf));
	ck_assert_str_eq(s, "4: %BackupDir% without a kbfix-backup-dir line");
	free(s);
	free(buf);
	buf = ended("Windows Registry Editor Version 5.00\n\n"
	    "; kbfix-undo: files 1\n; kbfix-move: \"a\"\n");
	s = refused(buf, strlen(buf));
	ck_assert_str_eq(s, "4: bad kbfix-move line: expected a quoted name "
	    "at ''");
	free(s);
	free(buf);
	diag_free(&d);
}
END_TEST

static Suite *
undo_suite(void)
{
	Suite *s = suite_create("undo");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_binding);
	tcase_add_test(tc, test_moves);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(undo_suite());
}
