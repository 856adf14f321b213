#!/bin/sh
# kbfix validate on broken remedy files (tests/validate/): every problem of
# every file as FILE:LINE: error: MSG, in the order of the lines, and exit
# 2; the library itself validates, each remedy with its folder in
# tests/remedies.
# A remedy with three mistakes gets the same three messages and exit 2 from
# the dry run and from apply, which writes nothing.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$top_srcdir" || exit 1
hive="$top_builddir/tests/hives/system/SYSTEM"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }

"$KBFIX" validate tests/validate/*.xml > "$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] && ok || ko "validate broken files: exit $rc, want 2"
if diff -u tests/validate/expected.txt "$tmp/out"; then ok
else ko "validate output differs from tests/validate/expected.txt"; fi

# Three mistakes, three messages, from validate and from the dry run.
three="tests/validate/Q1000001.xml:15: error: path 'HKEY_CURRENT_USER\\Software\\X' is in hive NTUSER, which no <hive> element names
tests/validate/Q1000001.xml:18: error: bad data '4294967296' for type dword: number out of range
tests/validate/Q1000001.xml:20: error: Element 'delete-keys': This element is not expected."
"$KBFIX" validate -q tests/validate/Q1000001.xml > "$tmp/v" 2>&1; rc=$?
[ $rc -eq 2 ] && ok || ko "validate Q1000001: exit $rc, want 2"
[ "$(grep -c ': error: ' "$tmp/v")" -eq 4 ] && ok || ko "validate Q1000001: $(cat "$tmp/v")"
cp "$hive" "$tmp/SYSTEM"
for cmd in "--dry-run" "apply --dry-run" "apply"; do
	# shellcheck disable=SC2086
	"$KBFIX" $cmd tests/validate/Q1000001.xml "$tmp/SYSTEM" > "$tmp/d" 2>&1; rc=$?
	[ $rc -eq 2 ] && ok || ko "$cmd: exit $rc, want 2"
	[ "$(sort "$tmp/d")" = "$three" ] && ok || ko "$cmd: $(cat "$tmp/d")"
done
cmp -s "$hive" "$tmp/SYSTEM" && [ "$(ls "$tmp" | grep -c kbfix)" -eq 0 ] &&
    ok || ko "apply of a broken remedy wrote something"

# The library validates, and has a test of each remedy.
"$KBFIX" validate -q --tests tests/remedies > "$tmp/lib" 2>&1; rc=$?
[ $rc -eq 0 ] && ok || ko "library: exit $rc: $(cat "$tmp/lib")"
[ -s "$tmp/lib" ] && ko "library: output with -q: $(cat "$tmp/lib")" || ok
"$KBFIX" validate Q256211 > "$tmp/one" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q '/Q256211.xml: valid$' "$tmp/one" && ok ||
    ko "validate Q256211: exit $rc: $(cat "$tmp/one")"
"$KBFIX" validate --tests tests/remedies tests/validate/Q1000004-path.xml \
    > "$tmp/t" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "no test of remedy 'Q1000004-path' in 'tests/remedies'" "$tmp/t" &&
    ok || ko "--tests: exit $rc: $(cat "$tmp/t")"
"$KBFIX" validate --bogus > "$tmp/u" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q '^usage: kbfix validate' "$tmp/u" && ok ||
    ko "usage: exit $rc: $(cat "$tmp/u")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
