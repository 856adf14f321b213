#!/bin/sh
# The dry run on the fixture: lists the SMSPerfCounters keys of
# ControlSet002 whatever their case, the DriveLetter change, exits 1, and
# writes nothing.  The machine's SOFTWARE hive says that the SMS site
# server is at SP2, where those keys are stale (Q267971).
set -u
. "$top_srcdir/tests/clilib.sh"
h="$top_builddir/tests/hives/system/SYSTEM"
cp "$h" "$tmp/SYSTEM"
cp "$top_builddir/tests/hives/software-sms/SOFTWARE" "$tmp/SOFTWARE"
cd "$tmp"
"$KBFIX" --dry-run SYSTEM SOFTWARE > out.txt; rc=$?
[ $rc -eq 1 ] && ok || bad "exit $rc, want 1"
cmp -s SYSTEM "$h" && ok || bad "hive changed"
[ "$(ls)" = "SOFTWARE
SYSTEM
out.txt" ] && ok || bad "new files: $(ls)"
nkeys=$(grep -ci '^-\[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\SMSPerfCountersFor[^\\]*\]$' out.txt)
[ "$nkeys" -eq 3 ] && ok ||
    bad "want 3 deleted SMSPerfCounters keys, got $nkeys"
grep -q 'ControlSet001' out.txt && bad "ControlSet001 touched" || ok
grep -q '^-\[.*\\SMSPerfCounters\]$' out.txt && bad "decoy deleted" || ok
grep -q '^-"DriveLetter"="M"$' out.txt && ok || bad "no DriveLetter removal"
grep -q '^+"DriveLetter"=""$' out.txt && ok || bad "no DriveLetter set"
"$KBFIX" --dry-run "$top_builddir/tests/hives/system-clean/SYSTEM" > clean.txt; rc=$?
[ $rc -eq 0 ] && ok || { bad "clean twin: exit $rc, want 0"; cat clean.txt; }
finish
