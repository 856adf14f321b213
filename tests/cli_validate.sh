#!/bin/sh
# kbfix validate on broken remedy files (tests/validate/): every problem of
# every file as FILE:LINE: error: MSG, in the order of the lines, and exit
# 2; the library itself validates, each remedy with its folder in
# tests/remedies.
# A remedy with three mistakes gets the same three messages and exit 2 from
# the dry run and from apply, which writes nothing.
set -u
. "$top_srcdir/tests/clilib.sh"
cd "$top_srcdir" || exit 1
hive="$top_builddir/tests/hives/system/SYSTEM"

"$KBFIX" validate tests/validate/*.xml > "$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "validate broken files: exit $rc, want 2"
if diff -u tests/validate/expected.txt "$tmp/out"; then ok
else bad "validate output differs from tests/validate/expected.txt"; fi

# Three mistakes, three messages, from validate and from the dry run.
three="tests/validate/Q1000001.xml:13: error: no <hive> names hive NTUSER, which line 15 reads: add <hive name=\"NTUSER\"/>
tests/validate/Q1000001.xml:18: error: bad data '4294967296' for type dword: number out of range
tests/validate/Q1000001.xml:20: error: Element 'delete-keys': This element is not expected."
"$KBFIX" validate -q tests/validate/Q1000001.xml > "$tmp/v" 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "validate Q1000001: exit $rc, want 2"
[ "$(grep -c ': error: ' "$tmp/v")" -eq 4 ] && ok || bad "validate Q1000001: $(cat "$tmp/v")"
cp "$hive" "$tmp/SYSTEM"
for cmd in "--dry-run" "apply --dry-run" "apply"; do
	# shellcheck disable=SC2086
	"$KBFIX" $cmd tests/validate/Q1000001.xml "$tmp/SYSTEM" > "$tmp/d" 2>&1; rc=$?
	[ $rc -eq 2 ] && ok || bad "$cmd: exit $rc, want 2"
	[ "$(sort "$tmp/d")" = "$three" ] && ok || bad "$cmd: $(cat "$tmp/d")"
done
cmp -s "$hive" "$tmp/SYSTEM" && [ "$(ls "$tmp" | grep -c kbfix)" -eq 0 ] &&
    ok || bad "apply of a broken remedy wrote something"

# The library validates, and has a test of each remedy.
"$KBFIX" validate -q --tests tests/remedies > "$tmp/lib" 2>&1; rc=$?
[ $rc -eq 0 ] && ok || bad "library: exit $rc: $(cat "$tmp/lib")"
[ -s "$tmp/lib" ] && bad "library: output with -q: $(cat "$tmp/lib")" || ok
"$KBFIX" validate Q256211 > "$tmp/one" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q '/Q256211.xml: valid$' "$tmp/one" && ok ||
    bad "validate Q256211: exit $rc: $(cat "$tmp/one")"
"$KBFIX" validate --tests tests/remedies tests/validate/Q1000004-path.xml \
    > "$tmp/t" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "no test of remedy 'Q1000004-path' in 'tests/remedies'" "$tmp/t" &&
    ok || bad "--tests: exit $rc: $(cat "$tmp/t")"
"$KBFIX" validate --bogus > "$tmp/u" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -qx "kbfix: error: unknown option '--bogus'; see 'kbfix validate --help'" "$tmp/u" && ok ||
    bad "usage: exit $rc: $(cat "$tmp/u")"
# The library's files must be named after their id (kbfix show ID finds
# them by it); the same file outside it validates as its author named it.
mkdir "$tmp/library"
cp tests/validate/wrong-name.xml "$tmp/library/"
KBFIX_REMEDY_DIR="$tmp/library" "$KBFIX" validate > "$tmp/l" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "wrong-name.xml:4: error: id 'Q1000002' is not the file's name 'wrong-name'" "$tmp/l" &&
    ok || bad "library file misnamed: exit $rc: $(cat "$tmp/l")"
grep -q "is not the file's name" "$tmp/out" &&
    bad "a file outside the library held to its name: $(cat "$tmp/out")" || ok

# Every type name the articles use validates, in any case, wherever a type
# is written; and gives the bytes kbfix's own name gives.
for t in REG_SZ:sz REG_EXPAND_SZ:expand-sz REG_MULTI_SZ:multi-sz \
    REG_BINARY:binary REG_DWORD:dword REG_QWORD:qword reg_dword:dword \
    Reg_Sz:sz REG_NONE:none REG_LINK:link REG_DWORD_BIG_ENDIAN:dword-be; do
	alias=${t%%:*} own=${t#*:}
	case $own in
	multi-sz) data= ; body='<string>a</string><string>b</string>' ;;
	binary|none) data=' data="01 02"' body= ;;
	dword|dword-be|qword) data=' data="2000"' body= ;;
	*) data=' data="x"' body= ;;
	esac
	for ty in "$alias" "$own"; do
		sed -e "s|<delete-value path=\"\([^\"]*\)\" name=\"Y\"/>|<set-value path=\"\1\" name=\"Y\" type=\"$ty\"$data>$body</set-value>|" \
		    -e 's/id="Q1000002"/id="Q1000009"/' \
		    -e 's/number="KB1000009"/number="Q1000009"/' \
		    tests/validate/wrong-name.xml > "$tmp/Q1000009.xml"
		"$KBFIX" validate "$tmp/Q1000009.xml" > "$tmp/a" 2>&1; rc=$?
		[ $rc -eq 0 ] && ok || bad "type '$ty': exit $rc: $(cat "$tmp/a")"
		"$KBFIX" show "$tmp/Q1000009.xml" | grep '^  set the value' \
		    > "$tmp/show-$ty"
	done
	cmp -s "$tmp/show-$alias" "$tmp/show-$own" && ok ||
	    bad "type '$alias' is not '$own': $(cat "$tmp/show-$alias")"
done
sed -e 's|<delete-value path="\([^"]*\)" name="Y"/>|<edit-list path="\1" name="P" create="true" create-type="REG_EXPAND_SZ"><append entry="x"/></edit-list>|' \
    -e 's/id="Q1000002"/id="Q1000009"/' -e 's/number="KB1000009"/number="Q1000009"/' \
    tests/validate/wrong-name.xml > "$tmp/Q1000009.xml"
"$KBFIX" validate "$tmp/Q1000009.xml" > "$tmp/a" 2>&1; rc=$?
[ $rc -eq 0 ] && ok || bad "create-type REG_EXPAND_SZ: exit $rc: $(cat "$tmp/a")"
sed -e 's|type="dword"|type="REG_WORD"|' tests/validate/Q1000001.xml \
    > "$tmp/bad-type.xml"
"$KBFIX" validate "$tmp/bad-type.xml" > "$tmp/a" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "error: unknown value type 'REG_WORD' (sz, expand-sz" "$tmp/a" &&
    ok || bad "unknown type: exit $rc: $(cat "$tmp/a")"

# A hive no <hive> names is one message, at the <hive> line, however many
# paths read it.
sed 's|<hive name="SYSTEM"/>|<hive name="SOFTWARE"/>|' remedies/Q317061.xml \
    > "$tmp/Q317061.xml"
"$KBFIX" validate "$tmp/Q317061.xml" > "$tmp/h" 2>&1; rc=$?
line=$(grep -n '<hive name="SOFTWARE"/>' "$tmp/Q317061.xml" | cut -d: -f1)
[ $rc -eq 2 ] && [ "$(grep -c 'xml:[0-9]*: error: ' "$tmp/h")" -eq 1 ] &&
    grep -q "Q317061.xml:$line: error: no <hive> names hive SYSTEM, which lines [0-9, ]* and [0-9]*\( more\)\? read: add <hive name=\"SYSTEM\"/>" "$tmp/h" &&
    ok || bad "hive mismatch: exit $rc: $(cat "$tmp/h")"

finish
