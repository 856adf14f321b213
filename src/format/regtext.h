/* regtext.h: .reg files ("Windows Registry Editor Version 5.00"), text:
 * not to be confused with regf.h, the binary hive format.  The functions
 * keep the prefix regfile_ (a .reg file).
 *
 * kbfix reads them (test fixtures, undo files) and writes them (dry run
 * --format reg, undo files).  The text form of a value is the one regedit
 * writes: "name"="text", dword:0000abcd, hex:.., hex(2):.., hex(7):..,
 * hex(b):.., hex(0):.., hex(ffff0012):.., "name"=- for a deletion.
 *
 * Names in .reg text.  A hive is attacker-controlled, and .reg text has
 * no way to write most of the names Windows allows: a key name may hold
 * any character but '\' (']', '[', '"', line breaks, control
 * characters), a value name any UTF-16 code unit but NUL.  regedit,
 * hivexregedit and kbfix each read a line break as the end of a line, so
 * such a name written as it is becomes lines of its own: another key, a
 * deletion ("[-HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001]").  kbfix writes
 * a name in a plain .reg line only when every reader takes it back as the
 * same name: a "plain" name (regfile_name_plain), printable ASCII.  What
 * the readers do with the rest, learned by reading them:
 *  - hivexregedit --merge (Win::Hivex::Regedit) reads lines split at LF,
 *    joins any line ending in '\' and blanks with the next one, skips any
 *    line (a key's included) holding "Windows Registry Editor Version",
 *    takes a key path up to the last ']' of its line, and passes name
 *    bytes to hivex as UTF-8; its --export writes names as Latin-1.
 *  - regedit reads a file without a byte order mark in the ANSI code
 *    page: a UTF-8 name beyond ASCII becomes another name.
 *  - in a value name, '\' and '"' are written "\\" and "\"" by all.
 * Anything else is written, where kbfix needs it, in lines every other
 * reader takes for comments and kbfix reads exactly:
 *
 *     ; kbfix-key: "HKEY_LOCAL_MACHINE" "SYSTEM" "x]\u000a[-HKEY..."
 *     ; kbfix-key: -"HKEY_LOCAL_MACHINE" "SYSTEM" "Gone"      (a deletion)
 *     ; kbfix-value: "Line1\u000aLine2"=dword:00000001
 *     ; kbfix-value: "Line1\u000aLine2"=-                   (a deletion)
 *
 * A kbfix-key line names the key by its elements, from the root, each
 * quoted; a kbfix-value line is a value line of the last key.  In these
 * quoted names "\\" is '\', "\"" is '"' and "\uXXXX" (four hex
 * digits) is one UTF-16 code unit, so that every name Windows allows has
 * a spelling (a surrogate pair is two escapes or the character itself;
 * "\u0000" and an unpaired surrogate are refused: kbfix holds names as
 * UTF-8 strings, and refuses a hive whose names are not valid UTF-16 when
 * it opens it).  Writers escape '\', '"', the C0 and C1 control
 * characters, DEL, and the characters that break or reorder a line on a
 * screen (U+2028, U+2029, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069,
 * U+FEFF); other characters beyond ASCII stay as UTF-8.  Undo files
 * (undo.h) also carry lines of what the hive held after the apply:
 *
 *     ; kbfix-left-key: "HKEY_LOCAL_MACHINE" "SYSTEM" "Foo"   (it exists)
 *     ; kbfix-left-key: -"HKEY_LOCAL_MACHINE" "SYSTEM" "Gone" (it does not)
 *     ; kbfix-left-value: "Path"=hex(2):...                   (its value)
 *     ; kbfix-left-value: "Path"=-                            (none)
 *
 * Windows' own limits hold for every name kbfix reads in .reg text: a key
 * name of at most 255 UTF-16 code units, a value name of at most 16,383.
 */
#ifndef KBFIX_REGTEXT_H
#define KBFIX_REGTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

#include <hivex.h>

struct regfile_value {
	char *name;		/* UTF-8; "" is the default value (@) */
	uint32_t type;
	unsigned char *data;	/* as stored in a hive */
	size_t len;
	int delete;		/* "name"=- */
	long line;
};

struct regfile_key {
	char *path;		/* for messages: as written between the
				 * brackets, or a kbfix-key line's elements
				 * as regfile_key_show writes them */
	char **elems;		/* the path's elements, the root's included
				 * ("HKEY_LOCAL_MACHINE", "SYSTEM", ...),
				 * exactly as read */
	size_t nelems;
	int delete;		/* [-path] */
	int left;		/* a kbfix-left-key line: what the hive holds,
				 * not a change (undo.h) */
	struct regfile_value *values;
	size_t nvalues;
	long line;
};

struct regfile {
	struct regfile_key *keys;
	size_t nkeys;
};

/* Parse TEXT (UTF-8, or UTF-16LE with a BOM as regedit writes it).  NAME is
 * used in messages.  All errors are added to D as NAME:LINE: error: ...
 * Returns 0 and *OUT (caller frees with regfile_free), or -1. */
int regfile_parse(const char *text, size_t len, const char *name,
    struct regfile **out, struct diag *d);
int regfile_parse_file(const char *path, struct regfile **out,
    struct diag *d);
void regfile_free(struct regfile *rf);

/* Free the N strings of V and V (a key's elements).  NULL is allowed. */
void regfile_elems_free(char **v, size_t n);

/* Windows' limits on names, in UTF-16 code units. */
#define REGFILE_MAX_KEY_NAME	255
#define REGFILE_MAX_VALUE_NAME	16383

/* The length of UTF-8 NAME in UTF-16 code units. */
size_t regfile_name_units(const char *name);

/* Nonzero if NAME, a key name when KEY is nonzero, can be written in a
 * plain .reg line that regedit, hivexregedit and kbfix all read back as
 * NAME: printable ASCII (U+0020..U+007E), and for a key a non-empty name
 * without '\' that does not hold "Windows Registry Editor Version"
 * (hivexregedit skips such a line). */
int regfile_name_plain(const char *name, int key);

/* NAME escaped as in a kbfix line ('\', '"' and the characters listed
 * above), without quotes; with QUOTE zero, '\' and '"' stay as they are
 * (for messages: "value 'Line1\u000aLine2'").  Returns a new string the
 * caller frees, NULL on out-of-memory. */
char *regfile_escape(const char *name, int quote);

/* Write NAME to F quoted with the escapes of kbfix lines. */
void regfile_put_quoted(FILE *f, const char *name);

/* Parse the quoted name at S (N bytes; S[0] must be '"') with the
 * escapes of kbfix lines.  Returns the bytes consumed and *OUT (a new
 * string the caller frees), or 0 with a message in ERR (ERRSIZE
 * bytes). */
size_t regfile_unquote(const char *s, size_t n, char **out, char *err,
    size_t errsize);

/* The key ELEMS[0..N) (the root's elements included) as one line of text
 * for people, joined by '\': an element holding '\' or a character
 * regfile_escape escapes, or starting with '"', is written quoted and
 * escaped (HKEY_LOCAL_MACHINE\SYSTEM\"x]\u000a[-..."), the others
 * as they are.  ROOT, when not NULL, is written first instead of the
 * first elements it spells (HKEY_LOCAL_MACHINE\SYSTEM).  Returns a new
 * string the caller frees, NULL on out-of-memory. */
char *regfile_key_show(const char *root, char *const *elems, size_t n);

/* Write to F the comment line "; TEXT" (or "PREFIX; TEXT" ...): TEXT
 * escaped as regfile_escape with QUOTE zero, so that a remedy's title or
 * a path holding a line break stays one comment line, and a final '\'
 * written "\u005c" (hivexregedit joins a line ending in '\' with the
 * next). */
void regfile_put_comment(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write RF to F as .reg text (the header excluded), each key followed
 * by a blank line: a key whose elements are all plain as "[path]" or
 * "[-path]", its values, while their names are plain, as value lines;
 * the rest in kbfix-key and kbfix-value lines (once a value of a key
 * needs one, the values after it do too, so that the order is kept and
 * hivexregedit, which ends a key at a comment, never reads a value in
 * the wrong key).  Keys with LEFT set are written as kbfix-left lines.
 * Strings beyond ASCII are written as hex(1) (REGFILE_ASCII_SZ).  A name
 * longer than Windows allows is refused.  Returns 0, or -1 with D. */
int regfile_write(FILE *f, const struct regfile *rf, struct diag *d);

/* Nonzero if A and B hold the same keys and values, names compared
 * exactly; *WHERE is then 0, else the index of the first key that
 * differs (A's), for a message. */
int regfile_equal(const struct regfile *a, const struct regfile *b,
    size_t *where);

/* regfile_format_value's FLAGS. */
#define REGFILE_ASCII_SZ 1	/* a REG_SZ beyond ASCII as hex(1) */
#define REGFILE_DELETE	2	/* "Name"=- (TYPE and DATA unused) */

/* The .reg text of one value, without newline: "Name"="data" or
 * "Name"=hex(2):... ; with REGFILE_DELETE, "Name"=- .  The name is
 * escaped as regfile_escape does: a plain name is written as every reader
 * reads it, any other on one line that only kbfix reads back (the caller
 * decides where such a line may go: regfile_name_plain).  A string type
 * is written as text only if its data is exactly valid UTF-16 text plus
 * one NUL, so that parsing the line back
 * gives the same bytes; otherwise hex(N).  The text is UTF-8, which kbfix
 * reads back but other readers may not: hivexregedit --merge takes the
 * bytes of a .reg string as Latin-1, and regedit takes a file without BOM
 * in the ANSI code page.  With REGFILE_ASCII_SZ, a string holding anything
 * but printable ASCII is written as hex(1), which every reader takes as
 * UTF-16LE bytes.  Never wraps lines.  Returns a new string the caller
 * frees, NULL on out-of-memory. */
char *regfile_format_value(const char *name, uint32_t type,
    const void *data, size_t len, unsigned flags);

/* Merge RF into the hive open for writing in H, as regedit would: keys
 * created as needed, [-key] deletes a subtree, "v"=- deletes a value, a
 * value set keeps the spelling of an existing value's name.  PREFIX is the
 * root the .reg paths start with (e.g. "HKEY_LOCAL_MACHINE\\SYSTEM"), which
 * is stripped; a key outside it is an error.  Returns 0 or -1 with D. */
int regfile_apply(hive_h *h, const struct regfile *rf, const char *prefix,
    const char *name, struct diag *d);

#endif
