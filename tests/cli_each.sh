#!/bin/sh
# Several machines: two SYSTEM hives without --each are refused; with
# --each every TARGET is planned on its own, reported in the order given
# whatever -j, and the exit code is the worst one.  apply takes one
# machine only.
set -u
B="$top_builddir/tests/hives"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# Without --each: one machine cannot have two SYSTEM hives.
"$KBFIX" scan "$B/system/SYSTEM" "$B/system-clean/SYSTEM" > "$tmp/o" 2> "$tmp/e"
rc=$?
[ $rc -eq 2 ] || bad "two SYSTEM hives, one machine: exit $rc, want 2"
grep -q "take --each" "$tmp/e" || bad "no hint at --each: $(cat "$tmp/e")"
[ -s "$tmp/o" ] && bad "output for a refused machine"

# SYSTEM and NTUSER.DAT stay one machine.
"$KBFIX" scan "$B/system/SYSTEM" "$B/ntuser-path/NTUSER.DAT" > "$tmp/o" 2>&1
[ $? -eq 1 ] || bad "SYSTEM + NTUSER.DAT: want exit 1"
grep -q '^Q256211 ' "$tmp/o" || bad "SYSTEM + NTUSER.DAT: not one machine"

# --each: one block per TARGET, in order; -j 1 and -j 3 print the same.
set -- "$B/system-clean/SYSTEM" "$B/system/SYSTEM" "$B/system-alpha/SYSTEM" \
    "$B/system-clean/SYSTEM" "$B/system-sms12/SYSTEM"
"$KBFIX" scan --each -j 1 "$@" > "$tmp/j1"; rc1=$?
"$KBFIX" scan --each -j 3 "$@" > "$tmp/j3"; rc3=$?
[ $rc1 -eq 1 ] && [ $rc3 -eq 1 ] || bad "exit $rc1/$rc3, want 1 (the worst)"
cmp -s "$tmp/j1" "$tmp/j3" || bad "-j 3 output differs from -j 1"
nl=$(wc -l < "$tmp/j1"); nr=$(ls "$top_srcdir"/remedies/Q*.xml | wc -l)
[ "$nl" -eq $((5 * nr)) ] || bad "$nl lines, want $((5 * nr))"
cut -d: -f1 "$tmp/j1" | uniq > "$tmp/order"
printf '%s\n' "$@" > "$tmp/want"
cmp -s "$tmp/order" "$tmp/want" || bad "machines out of order: $(cat "$tmp/order")"
for h in "$@"; do
	"$KBFIX" scan "$h" | sed "s|^|$h: |" >> "$tmp/alone"
done
cmp -s "$tmp/j1" "$tmp/alone" || bad "--each differs from one run per hive"

# Only clean machines: exit 0.  A missing file: exit 2, the others still
# reported.
"$KBFIX" scan --each -j 2 "$B/system-clean/SYSTEM" "$B/system-clean/SYSTEM" \
    > /dev/null 2>&1
[ $? -eq 0 ] || bad "two clean machines: want exit 0"
"$KBFIX" scan --each -j 2 "$B/system/SYSTEM" "$tmp/nosuch" \
    "$B/system-clean/SYSTEM" > "$tmp/o" 2> "$tmp/e"
[ $? -eq 2 ] || bad "missing file: want exit 2"
grep -q "nosuch" "$tmp/e" || bad "missing file not named"
grep -q "^$B/system-clean/SYSTEM: " "$tmp/o" || bad "machine after the missing one not reported"

# Dry run: a heading per machine; no .reg for several machines.
"$KBFIX" --dry-run --each -j 2 "$B/system-clean/SYSTEM" "$B/system/SYSTEM" > "$tmp/o"
[ $? -eq 1 ] || bad "dry run --each: want exit 1"
[ "$(grep -c "^# machine '" "$tmp/o")" -eq 2 ] || bad "want 2 machine headings"
"$KBFIX" --dry-run --each --format reg "$B/system/SYSTEM" "$B/system-clean/SYSTEM" \
    > /dev/null 2>&1
[ $? -eq 2 ] || bad "--format reg with two machines: want exit 2"

# apply works on one machine: two SYSTEM hives, --each and -j are refused
# and nothing is written.
cp "$B/system/SYSTEM" "$tmp/S1"; cp "$B/system-sms12/SYSTEM" "$tmp/S2"
"$KBFIX" apply --no-backup "$tmp/S1" "$tmp/S2" > /dev/null 2>&1
[ $? -eq 2 ] || bad "apply on two SYSTEM hives: want exit 2"
"$KBFIX" apply --no-backup --each "$tmp/S1" > /dev/null 2>&1
[ $? -eq 2 ] || bad "apply --each: want exit 2"
"$KBFIX" apply --no-backup -j 2 "$tmp/S1" > /dev/null 2>&1
[ $? -eq 2 ] || bad "apply -j 2: want exit 2"
cmp -s "$tmp/S1" "$B/system/SYSTEM" && cmp -s "$tmp/S2" "$B/system-sms12/SYSTEM" ||
    bad "a refused apply changed a hive"

[ $fail -eq 0 ] && echo "1 passed, 0 failed"
exit $fail
