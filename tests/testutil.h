/* testutil.h: small helpers shared by the Check suites. */
#ifndef KBFIX_TESTUTIL_H
#define KBFIX_TESTUTIL_H

#include <stddef.h>

/* The project's ../shared folder ($KBFIX_SHARED, set by make check), or
 * NULL when it is not there (make distcheck builds away from it). */
const char *tu_shared(void);

/* For a suite's main(): exit 77 (automake's SKIP) when ../shared is
 * missing, unless $CI is set, where a missing ../shared is a failure. */
void tu_need_shared(void);

/* For the tests of a suite that need ../shared when the others do not:
 * 1 when it is there; else 0 after saying that WHAT is skipped (exit 1
 * under $CI, where a missing ../shared is a failure). */
int tu_have_shared(const char *what);

/* The source and build trees: $top_srcdir and $top_builddir (set by make
 * check), else the ones configure saw.  Static storage. */
const char *tu_srcdir(void);
const char *tu_builddir(void);

/* The fixture hive REL of the build tree ("system/SYSTEM",
 * "ntuser/NTUSER.DAT"), as a new string.  Caller frees. */
char *tu_fixture(const char *rel);

/* hive_open(PATH) read-only, failing the test with the message if it
 * fails.  Caller closes with hive_close. */
struct hive;
struct hive *tu_hive_open(const char *path);

/* The remedy ID of the library (remedies/ID.xml of the source tree),
 * loaded and checked against the schema; fails the test if it does not
 * load.  Caller frees with remedy_free. */
struct remedy;
struct remedy *tu_remedy(const char *id);

/* The names of the subkeys of CS\Services of HV that start with PREFIX in
 * any letter case, found with hivex's own calls (a witness independent of
 * kbfix's matching); *N gets their count.  The caller frees the names and
 * the array. */
char **tu_services_prefixed(const struct hive *hv, const char *cs,
    const char *prefix, size_t *n);

/* Run every test of suite S (which it frees) and return the exit status
 * of a suite's main(): EXIT_SUCCESS when none failed. */
struct Suite;
int tu_run_suite(struct Suite *s);

/* A new empty folder under $TMPDIR; caller frees the string and removes
 * the folder with tu_rmrf. Aborts the test on failure. */
char *tu_tmpdir(void);
void tu_rmrf(const char *path);

/* DIR/NAME as a new string. */
char *tu_path(const char *dir, const char *name);

/* Decompress the .xz file SRC to DST. Aborts the test on failure. */
void tu_unxz(const char *src, const char *dst);

/* The file DIR/REL holding TEXT, with the folders on its way made.
 * Aborts the test on failure. */
void tu_put(const char *dir, const char *rel, const char *text);

/* Copy SRC to DST. Aborts the test on failure. */
void tu_copy(const char *src, const char *dst);

/* The whole file, NUL-terminated; *LEN gets its size (may be NULL).
 * NULL if it cannot be read. Caller frees. */
char *tu_read(const char *path, size_t *len);

/* Run CMD with /bin/sh; *OUT (if not NULL) gets its standard output, which
 * the caller frees. Returns the exit status, or -1 if killed. */
int tu_run(const char *cmd, char **out);

/* Nonzero if the two files have the same bytes. */
int tu_same_file(const char *a, const char *b);

/* Build at PATH (must not exist) a hive whose root key is ROOT (NULL:
 * "$$$PROTO.HIV") from the .reg text REG, keys under PREFIX (NULL:
 * "HKEY_LOCAL_MACHINE\\SYSTEM"), as tests/mkhive does.  Aborts the test on
 * failure. */
void tu_mkhive(const char *path, const char *root, const char *prefix,
    const char *reg);

/* Merge the .reg text REG into the existing hive at PATH (keys under
 * PREFIX, NULL as above) in place, and finish it as apply does (big-data
 * records of the cells hivex wrote, sequence numbers one above the old
 * ones, checksum).  Aborts the test on failure. */
void tu_reg_merge(const char *path, const char *prefix, const char *reg);

#endif
