#!/bin/sh
# cli_growth.sh: changes to one key's values are one write of its value
# list, so a remedy or an undo touching n values of a key grows the hive by
# O(n) (hivex writes every value of a key anew at each write and never
# reuses a cell it frees: one write per value grew a hive by 298 MB for
# 4,000 values).  Checked on the file's size, never on time (bench/run
# records the time).
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
H=$top_builddir/tests/hives
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
LIMIT=2000000

# remedy ID ACTIONS...: a test remedy of the SYSTEM hive in $tmp/ID.xml.
remedy() {
	_id=$1
	shift
	{
		cat <<EOF2
<?xml version="1.0" encoding="UTF-8"?>
<remedy xmlns="urn:kbfix:remedy:1" id="$_id">
  <title>Test: many values of one key</title>
  <article number="$_id">
    <product>kbfix test suite</product>
    <symptom>None: made by tests/cli_growth.sh.</symptom>
  </article>
  <summary>Many values of one key.</summary>
  <hive name="SYSTEM"/>
  <actions>
EOF2
		cat
		printf '  </actions>\n</remedy>\n'
	} > "$tmp/$_id.xml"
}

size() { stat -c %s "$1"; }

# --- 4,000 values set in one key, then undone -----------------------------
awk 'BEGIN { for (i = 0; i < 4000; i++)
	printf "    <set-value path=\"HKLM\\SYSTEM\\CurrentControlSet\\Services\\KbfixMany\" name=\"Value%05d\" type=\"sz\" data=\"data of value %d\" create=\"true\"/>\n", i, i }' |
    remedy Q9100001
d=$tmp/set
mkdir "$d"
cp "$H/system/SYSTEM" "$d/SYSTEM"
s0=$(size "$d/SYSTEM")
(cd "$d" && "$KBFIX" apply -q --no-backup "$tmp/Q9100001.xml" SYSTEM \
    > out 2>&1) || bad "4,000 values: apply: $(cat "$d/out")"
s1=$(size "$d/SYSTEM")
[ $((s1 - s0)) -lt $LIMIT ] ||
    bad "4,000 values set in one key grew the hive by $((s1 - s0)) bytes"
[ "$(reglookup -H -p /ControlSet002/Services/KbfixMany "$d/SYSTEM" |
    grep -c ',SZ,data of value')" -eq 4000 ] || bad "4,000 values: not all set"
u=$(cd "$d" && ls SYSTEM.kbfix-*-undo.reg)
(cd "$d" && "$KBFIX" undo -q --no-backup "$u" SYSTEM > out 2>&1) ||
    bad "4,000 values: undo: $(cat "$d/out")"
s2=$(size "$d/SYSTEM")
[ $((s2 - s1)) -lt $LIMIT ] ||
    bad "undoing 4,000 values grew the hive by $((s2 - s1)) bytes"
witness "$d/SYSTEM"

# --- a key of 1,500 values deleted, then undone ----------------------------
{
	printf 'Windows Registry Editor Version 5.00\n\n'
	printf '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\KbfixMany]\n'
	awk 'BEGIN { for (i = 0; i < 1500; i++)
		printf "\"Value%05d\"=\"data of value %d\"\n", i, i }'
} > "$tmp/many.reg"
d=$tmp/del
mkdir "$d"
"$top_builddir/tests/mkhive" --root '$$$PROTO.HIV' \
    --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$d/SYSTEM" \
    "$top_srcdir/tests/fixtures/system.reg" "$tmp/many.reg" || bad "mkhive"
listing "$d/SYSTEM" > "$tmp/before.lst"
echo '    <delete-key path="HKLM\SYSTEM\CurrentControlSet\Services\KbfixMany"/>' |
    remedy Q9100002
(cd "$d" && "$KBFIX" apply -q --no-backup "$tmp/Q9100002.xml" SYSTEM \
    > out 2>&1) || bad "1,500 values: apply: $(cat "$d/out")"
s1=$(size "$d/SYSTEM")
u=$(cd "$d" && ls SYSTEM.kbfix-*-undo.reg)
(cd "$d" && "$KBFIX" undo -q --no-backup "$u" SYSTEM > out 2>&1) ||
    bad "1,500 values: undo: $(cat "$d/out")"
s2=$(size "$d/SYSTEM")
[ $((s2 - s1)) -lt $LIMIT ] ||
    bad "undoing the deletion of a key of 1,500 values grew the hive by $((s2 - s1)) bytes"
listing "$d/SYSTEM" | cmp -s - "$tmp/before.lst" ||
    bad "1,500 values: after undo the hive differs"
witness "$d/SYSTEM"

finish
