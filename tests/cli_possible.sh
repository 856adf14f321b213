#!/bin/sh
# cli_possible.sh: a remedy whose symptom no hive shows (<unseen>) when the
# whole library runs, and when it is named.  On the fixture site server,
# Q256211 (an SMS 2.0 client with network folders in its system PATH;
# whether Smsapm32.exe hangs, and the client's service pack, are not in a
# hive):
#  - scan of the whole library says "possible", with why, and does not
#    make the exit 1 on its own (system-sms12, where nothing else applies:
#    exit 0); in JSON its status is "possible" and it has no change;
#  - the dry run and apply of the whole library plan nothing of it and say
#    so in one comment line (with nothing planned at all, the line of its
#    status and reason, as for every remedy); the system PATH is left as
#    it is;
#  - named, scan says "applies" (exit 1), and the dry run and apply make
#    its change; after that, scan of the whole library finds it done.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
H=$top_builddir/tests/hives
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
command -v jq > /dev/null || { echo "FAIL: jq is missing" >&2; exit 1; }
unset KBFIX_REMEDY_DIR
held="# not planned: Q256211 (possible: its symptom cannot be seen offline; 'kbfix scan' says why; name it to apply it)"

# The whole library: possible, the reason says what cannot be seen.
"$KBFIX" scan "$H/system-sms12/SYSTEM" > "$tmp/scan" 2>&1; rc=$?
[ $rc -eq 0 ] || bad "scan, only possible: exit $rc, want 0: $(cat "$tmp/scan")"
grep -q "^Q256211 *possible *'ImagePath' of .*; the symptom (Smsapm32.exe not stopping .*) cannot be seen offline: apply it by name if the machine shows it$" \
    "$tmp/scan" || bad "scan: $(grep Q256211 "$tmp/scan")"
ok
"$KBFIX" scan --format json "$H/system-sms12/SYSTEM" > "$tmp/scan.json" \
    2> /dev/null; rc=$?
[ $rc -eq 0 ] || bad "scan --format json: exit $rc"
jq -e '.entries[] | select(.id == "Q256211") | .status == "possible" and
    (.changes | length) == 0 and (.reason | test("cannot be seen offline"))' \
    "$tmp/scan.json" > /dev/null || bad "json: $(jq -c '.entries[] |
    select(.id == "Q256211")' "$tmp/scan.json")"
[ "$(jq '.changes' "$tmp/scan.json")" = 0 ] || bad "json: changes"
ok
# The dry run: nothing of it, one line that says so, in both formats.
"$KBFIX" --dry-run "$H/system-sms12/SYSTEM" > "$tmp/dry" 2>&1; rc=$?
[ $rc -eq 0 ] || bad "dry run, only possible: exit $rc, want 0"
[ "$(grep -c "^# Q256211: possible: .* cannot be seen offline: apply it by name if the machine shows it$" "$tmp/dry")" -eq 1 ] &&
    [ "$(grep -c Q256211 "$tmp/dry")" -eq 1 ] && tail -1 "$tmp/dry" |
    grep -qx '# nothing to do' || bad "dry run: $(cat "$tmp/dry")"
grep -q '"Path"=' "$tmp/dry" && bad "dry run: the Path is planned"
"$KBFIX" --dry-run --format reg "$H/system-sms12/SYSTEM" > "$tmp/dry.reg" \
    2>&1
grep -qx "; ${held#\# }" "$tmp/dry.reg" || bad "--format reg: $(cat "$tmp/dry.reg")"
ok

# Apply of the whole library on the site server: Q317061's change, not
# Q256211's.
d=$tmp/a
mkdir "$d"
cp "$H/system/SYSTEM" "$d/SYSTEM"
listing "$d/SYSTEM" > "$tmp/before"
(cd "$d" && "$KBFIX" apply --drop-moved SYSTEM > out.txt 2> err.txt); rc=$?
[ $rc -eq 0 ] || bad "apply: exit $rc: $(cat "$d/err.txt")"
grep -qxF "$held" "$d/out.txt" || bad "apply: $(cat "$d/out.txt")"
listing "$d/SYSTEM" > "$tmp/after"
LC_ALL=C comm -3 "$tmp/before" "$tmp/after" > "$tmp/diff"
grep -q 'Environment/Path' "$tmp/diff" && bad "apply: the Path changed"
grep -q 'EXIFS/Parameters/DriveLetter' "$tmp/diff" ||
    bad "apply: Q317061 not applied: $(cat "$tmp/diff")"
witness "$d/SYSTEM"
(cd "$d" && "$KBFIX" scan SYSTEM > scan.out 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q '^Q256211 *possible' "$d/scan.out" ||
    bad "scan after apply: exit $rc: $(grep Q256211 "$d/scan.out")"
ok

# Named: it applies, as any remedy.
(cd "$d" && "$KBFIX" scan Q256211 SYSTEM > scan.out 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q '^Q256211 *applies' "$d/scan.out" ||
    bad "scan Q256211: exit $rc: $(cat "$d/scan.out")"
(cd "$d" && "$KBFIX" --dry-run Q256211 SYSTEM > dry.out 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q '^-"Path"=' "$d/dry.out" && ! grep -q 'not planned' "$d/dry.out" ||
    bad "--dry-run Q256211: exit $rc: $(cat "$d/dry.out")"
(cd "$d" && "$KBFIX" apply -q --drop-moved Q256211 SYSTEM > out.txt 2>&1); rc=$?
[ $rc -eq 0 ] || bad "apply Q256211: exit $rc: $(cat "$d/out.txt")"
listing "$d/SYSTEM" | grep -q 'Environment/Path,EXPAND_SZ,%25SystemRoot%25\\system32;%25SystemRoot%25;C:\\Tools$' ||
    bad "apply Q256211: $(listing "$d/SYSTEM" | grep Environment/Path)"
(cd "$d" && "$KBFIX" scan SYSTEM > scan.out 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q '^Q256211 *done *applied by kbfix' "$d/scan.out" ||
    bad "scan after apply Q256211: exit $rc: $(grep Q256211 "$d/scan.out")"
ok

finish
