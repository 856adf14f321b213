#!/bin/sh
# cli_diff.sh: the dry run's diff as people read it (docs/diff-format.md).
#
# Every form of the value notation, and what changed inside a list and a
# long string, on a hive holding tests/fixtures/diff-values.reg, in a
# UTF-8 locale and in the C locale, against tests/diff/*.out.  Colour as
# git does it: on a terminal (script(1) makes one) with --color=auto, never
# in a pipe, with NO_COLOR or TERM=dumb or no TERM; --color=always and
# --color=never; and the coloured text without its escape sequences is the
# plain text, byte for byte.
#
# After a deliberate change of the output, regenerate the files with
#     make regen-golden        (or: KBFIX_REGEN_GOLDEN=1 make check)
# then read the diff of tests/diff/ before committing it.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
G=$top_srcdir/tests/diff
regen=${KBFIX_REGEN_GOLDEN:-}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
command -v script > /dev/null ||
    { echo "FAIL: script(1) is missing (util-linux)" >&2; exit 1; }

"$top_builddir/tests/mkhive" --root '$$$PROTO.HIV' \
    --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$tmp/SYSTEM" \
    "$top_srcdir/tests/fixtures/system.reg" \
    "$top_srcdir/tests/fixtures/diff-values.reg" || exit 2
cp "$tmp/SYSTEM" "$tmp/SYSTEM.orig"
KBFIX_REMEDY_DIR=$G
SOURCE_DATE_EPOCH=1000000000
SHELL=/bin/sh
export KBFIX KBFIX_REMEDY_DIR SOURCE_DATE_EPOCH SHELL
unset NO_COLOR
cd "$tmp" || exit 2
esc=$(printf '\033')

# golden NAME LOCALE: the dry run in LOCALE, to a file, against $G/NAME.out.
golden() {
	LC_ALL=$2 "$KBFIX" --dry-run Q9000100 SYSTEM > "$1.out" 2>&1
	echo "[exit $?]" >> "$1.out"
	if grep -q "$esc" "$1.out"; then
		bad "$1: an escape character in the plain output"
	fi
	if [ -n "$regen" ]; then
		cp "$1.out" "$G/$1.out"
	elif ! cmp -s "$G/$1.out" "$1.out"; then
		bad "$1: the output differs from tests/diff/$1.out"
		diff -u "$G/$1.out" "$1.out" | head -n 60 >&2
	fi
	ok
}
golden values-utf8 C.UTF-8
golden values-ascii C
cmp -s SYSTEM SYSTEM.orig || bad "the dry run changed the hive"

LC_ALL=C.UTF-8
export LC_ALL
"$KBFIX" --dry-run Q9000100 SYSTEM > plain.txt 2>&1

# on_tty OUT COMMAND: run COMMAND (sh syntax) with a terminal as its
# standard output and error; OUT gets what it printed, without the
# carriage returns the terminal adds.
on_tty() {
	script -qec "$2" /dev/null < /dev/null | tr -d '\r' > "$1"
}

# colored NAME FILE: FILE holds the diff in colour, and is the plain
# text once its escape sequences are taken out.
colored() {
	for code in '31m-' '32m+' '2m#'; do
		grep -q "^$esc\\[$code" "$2" ||
		    bad "$1: no line coloured ESC[${code%?}"
	done
	sed "s/$esc\\[[0-9;]*m//g" "$2" > "$2.stripped"
	cmp -s plain.txt "$2.stripped" ||
	    bad "$1: the coloured text without colour is not the plain text"
	ok
}

# plain NAME FILE: FILE is the plain text, byte for byte.
plain() {
	cmp -s plain.txt "$2" || bad "$1: not the plain text"
	ok
}

run='"$KBFIX" --dry-run Q9000100 SYSTEM'
TERM=xterm on_tty tty-auto.txt "$run"
colored "a terminal, --color=auto (the default)" tty-auto.txt
TERM=xterm on_tty tty-auto2.txt "$run --color=auto"
colored "a terminal, --color=auto" tty-auto2.txt
TERM=xterm NO_COLOR= on_tty tty-empty-nocolor.txt "$run"
colored "a terminal, NO_COLOR empty" tty-empty-nocolor.txt
TERM=xterm NO_COLOR=1 on_tty tty-nocolor.txt "$run"
plain "a terminal, NO_COLOR=1" tty-nocolor.txt
TERM=dumb on_tty tty-dumb.txt "$run"
plain "a terminal, TERM=dumb" tty-dumb.txt
(unset TERM; on_tty tty-noterm.txt "$run")
plain "a terminal, no TERM" tty-noterm.txt
TERM=xterm on_tty tty-never.txt "$run --color=never"
plain "a terminal, --color=never" tty-never.txt
TERM=xterm "$KBFIX" --dry-run Q9000100 SYSTEM 2>&1 | cat > pipe.txt
plain "a pipe" pipe.txt
TERM=xterm "$KBFIX" --dry-run Q9000100 SYSTEM > file.txt 2>&1
plain "a file" file.txt
TERM=dumb NO_COLOR=1 "$KBFIX" --dry-run --color=always Q9000100 SYSTEM \
    > always.txt 2>&1
colored "a file, --color=always" always.txt
cmp -s always.txt tty-auto.txt ||
    bad "--color=always and a terminal's colours differ"
"$KBFIX" --dry-run --color Q9000100 SYSTEM > color.txt 2>&1
colored "--color alone" color.txt

# Several targets, worked on by two worker processes: the same colours.
cp SYSTEM.orig SYSTEM2
"$KBFIX" --dry-run --color=always --each -j 2 Q9000100 SYSTEM SYSTEM2 \
    > jobs.txt 2>&1
[ "$(grep -c "^$esc\\[31m-\"Escape\"=" jobs.txt)" -eq 2 ] ||
    bad "-j 2 --color=always: not both targets in colour"
ok

# Never in the other formats.
"$KBFIX" --dry-run --format reg Q9000100 SYSTEM > reg.txt 2>&1
"$KBFIX" --dry-run --format reg --color=always Q9000100 SYSTEM \
    > reg-color.txt 2>&1
cmp -s reg.txt reg-color.txt || bad "--color=always changed --format reg"
"$KBFIX" --dry-run --format json --color=always Q9000100 SYSTEM \
    > json-color.txt 2>&1
grep -q "$esc" json-color.txt && bad "--color=always coloured --format json"
ok

"$KBFIX" --dry-run --color=sometimes Q9000100 SYSTEM > bad.txt 2>&1
rc=$?
[ $rc -eq 2 ] && grep -qx "kbfix: error: bad --color 'sometimes' (auto, always or never)" \
    bad.txt || bad "--color=sometimes: exit $rc, $(cat bad.txt)"
ok

# apply prints the same diff, in colour on request, then does it.
"$KBFIX" apply --color=always --no-backup Q9000100 SYSTEM2 > apply.txt 2>&1 ||
    bad "apply: $(cat apply.txt)"
grep -q "^$esc\\[31m-\"Escape\"=\"\\\\u{1b}\\[31m\"$esc\\[m\$" apply.txt ||
    bad "apply --color=always: no coloured diff"
"$KBFIX" --dry-run Q9000100 SYSTEM2 > after.txt 2>&1
[ $? -eq 0 ] || bad "the dry run after apply is not empty: $(cat after.txt)"
ok

finish
