#!/bin/sh
# The dry run on the fixture: lists the SMSPerfCounters keys of
# ControlSet002 whatever their case, the DriveLetter change, exits 1, and
# writes nothing.  The machine's SOFTWARE hive says that the SMS site
# server is at SP2, where those keys are stale (Q267971).
set -u
h="$top_builddir/tests/hives/system/SYSTEM"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$h" "$tmp/SYSTEM"
cp "$top_builddir/tests/hives/software-sms/SOFTWARE" "$tmp/SOFTWARE"
cd "$tmp"
"$KBFIX" --dry-run SYSTEM SOFTWARE > out.txt; rc=$?
[ $rc -eq 1 ] || { echo "exit $rc, want 1"; exit 1; }
cmp -s SYSTEM "$h" || { echo "hive changed"; exit 1; }
[ "$(ls)" = "SOFTWARE
SYSTEM
out.txt" ] || { echo "new files: $(ls)"; exit 1; }
n=$(grep -ci '^-\[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\SMSPerfCountersFor[^\\]*\]$' out.txt)
[ "$n" -eq 3 ] || { echo "want 3 deleted SMSPerfCounters keys, got $n"; exit 1; }
grep -q 'ControlSet001' out.txt && { echo "ControlSet001 touched"; exit 1; }
grep -q '^-\[.*\\SMSPerfCounters\]$' out.txt && { echo "decoy deleted"; exit 1; }
grep -q '^-"DriveLetter"="M"$' out.txt || { echo "no DriveLetter removal"; exit 1; }
grep -q '^+"DriveLetter"=""$' out.txt || { echo "no DriveLetter set"; exit 1; }
"$KBFIX" --dry-run "$top_builddir/tests/hives/system-clean/SYSTEM" > clean.txt; rc=$?
[ $rc -eq 0 ] || { echo "clean twin: exit $rc, want 0"; cat clean.txt; exit 1; }
echo "1 passed, 0 failed"
