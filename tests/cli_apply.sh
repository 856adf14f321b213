#!/bin/sh
# cli_apply.sh: kbfix apply and kbfix undo on the fixtures, witnessed by
# parsers that are not hivex (reglookup, libregf's regfexport) and
# compared with hivexregedit --merge of the dry run's .reg output.
set -u
: "${top_builddir:?}" "${KBFIX:?}"
H="$top_builddir/tests/hives"
MKHIVE="$top_builddir/tests/mkhive"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"

# --- apply Q267971 then Q317061 on the fixture (Current = 2) ------------
# The machine's SOFTWARE hive, which Q267971 reads (the site server's
# service pack), is given with SYSTEM and never changed.
d="$tmp/a"
mkdir "$d"
cp "$H/system/SYSTEM" "$d/SYSTEM"
cp "$H/software-sms/SOFTWARE" "$d/SOFTWARE"
cd "$d"
listing SYSTEM > before.lst
"$KBFIX" --dry-run Q267971 Q317061 SYSTEM SOFTWARE > plan.diff
"$KBFIX" --dry-run --format reg Q267971 Q317061 SYSTEM SOFTWARE > plan.reg
"$KBFIX" apply Q267971 SYSTEM SOFTWARE > out1.txt 2> err1.txt; rc=$?
[ $rc -eq 0 ] || bad "apply Q267971: exit $rc: $(cat err1.txt)"
"$KBFIX" apply Q317061 SYSTEM > out2.txt 2> err2.txt; rc=$?
[ $rc -eq 0 ] || bad "apply Q317061: exit $rc: $(cat err2.txt)"
ok
witness SYSTEM

# The backups hold the original's bytes; their names are printed.
b1=$(sed -n "s/^kbfix: 'SYSTEM': backup '\(.*\)'$/\1/p" out1.txt)
u1=$(sed -n "s/^kbfix: 'SYSTEM': undo file '\(.*\)'$/\1/p" out1.txt)
b2=$(sed -n "s/^kbfix: 'SYSTEM': backup '\(.*\)'$/\1/p" out2.txt)
u2=$(sed -n "s/^kbfix: 'SYSTEM': undo file '\(.*\)'$/\1/p" out2.txt)
[ -n "$b1" ] && cmp -s "$b1" "$H/system/SYSTEM" ||
    bad "first backup '$b1' is not the original"
[ -n "$b2" ] && [ "$b2" != "$b1" ] || bad "second backup overwrote the first"
case "$u1" in *undo*) ;; *) bad "undo file name '$u1'" ;; esac
ok

# A second apply has nothing to do, and so has the dry run.
"$KBFIX" apply Q267971 Q317061 SYSTEM SOFTWARE > out3.txt 2>&1; rc=$?
[ $rc -eq 0 ] || bad "second apply: exit $rc"
grep -q 'nothing to do' out3.txt || bad "second apply: $(cat out3.txt)"
cmp -s SOFTWARE "$H/software-sms/SOFTWARE" || bad "SOFTWARE was written"
"$KBFIX" --dry-run Q267971 Q317061 SYSTEM SOFTWARE > /dev/null; rc=$?
[ $rc -eq 0 ] || bad "dry run after apply: exit $rc, want 0"
ok

# The independent export differs from the original's exactly by the plan:
# every line removed is in a deleted SMSPerfCountersFor* key of
# ControlSet002 or is the old DriveLetter; the one line added is
# DriveLetter as an empty REG_SZ.
listing SYSTEM > after.lst
LC_ALL=C comm -23 before.lst after.lst > removed.lst
LC_ALL=C comm -13 before.lst after.lst > added.lst
grep -v -i '^/ControlSet002/Services/SMSPerfCountersFor[^/]*[/,]' removed.lst |
    grep -v '^/ControlSet002/Services/EXIFS/Parameters/DriveLetter,SZ,M$' \
    > unexpected.lst
[ -s unexpected.lst ] && bad "removed outside the plan: $(head -3 unexpected.lst)"
want=$(grep -c '^-' plan.diff)
got=$(wc -l < removed.lst)
[ "$got" -eq "$want" ] || bad "removed $got lines, the plan shows $want"
[ "$(cat added.lst)" = "/ControlSet002/Services/EXIFS/Parameters/DriveLetter,SZ," ] ||
    bad "added: $(cat added.lst)"
grep -q '^/ControlSet001/Services/SMSPerfCountersFor' after.lst ||
    bad "ControlSet001 was touched"
grep -q '^/ControlSet002/Services/SMSPerfCounters,' after.lst ||
    bad "decoy SMSPerfCounters deleted"
ok

# The .reg of the dry run merged by hivexregedit gives the same export.
cp "$H/system/SYSTEM" merged
hivexregedit --merge merged --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' plan.reg \
    2> merge.err || bad "hivexregedit --merge: $(cat merge.err)"
listing merged > merged.lst
cmp -s merged.lst after.lst || bad "--format reg merged differs from apply:
$(diff merged.lst after.lst | head -5)"
ok

# Undo, last apply first: the export is the original's again.
"$KBFIX" undo "$u2" SYSTEM > undo2.txt 2>&1; rc=$?
[ $rc -eq 0 ] || bad "undo 2: exit $rc: $(cat undo2.txt)"
"$KBFIX" undo "$u1" SYSTEM > undo1.txt 2>&1; rc=$?
[ $rc -eq 0 ] || bad "undo 1: exit $rc: $(cat undo1.txt)"
witness SYSTEM
listing SYSTEM > undone.lst
cmp -s undone.lst before.lst || bad "after undo the hive differs:
$(diff before.lst undone.lst | head -5)"
"$KBFIX" undo --dry-run "$u1" SYSTEM > /dev/null; rc=$?
[ $rc -eq 0 ] || bad "undo twice: exit $rc, want 0 (nothing to do)"
ok
cd "$tmp"

# --- a deleted key holding a 40,000-byte binary value: big-data records --
d="$tmp/big"
mkdir "$d"
{
	printf 'Windows Registry Editor Version 5.00\n\n'
	printf '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\SMSPerfCountersForBig\\Data]\n'
	printf '"Blob"=hex:'
	i=0
	while [ $i -lt 40000 ]; do
		printf '%02x' $((i % 251))
		i=$((i + 1))
		[ $i -lt 40000 ] && printf ','
	done | fold -w 76 | sed '$!s/$/\\/'
	printf '\n'
} > "$d/big.reg"
"$MKHIVE" --root '$$$PROTO.HIV' --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' \
    "$d/SYSTEM" "$top_srcdir/tests/fixtures/system.reg" "$d/big.reg" ||
    bad "mkhive with a big value"
cp "$H/software-sms/SOFTWARE" "$d/SOFTWARE"
cd "$d"
listing SYSTEM > before.lst
grep -q 'SMSPerfCountersForBig/Data/Blob,BINARY,' before.lst ||
    bad "the big value is not in the test hive"
"$KBFIX" apply -q --backup-dir "$d" Q267971 SYSTEM SOFTWARE > out.txt 2>&1; rc=$?
[ $rc -eq 0 ] || bad "apply with a big value: exit $rc: $(cat out.txt)"
witness SYSTEM
u=$(sed -n "s/^kbfix: 'SYSTEM': undo file '\(.*\)'$/\1/p" out.txt)
grep -q '"Blob"=hex:' "$u" || bad "the undo file lacks the big value"
"$KBFIX" undo -q "$u" SYSTEM > undo.txt 2>&1; rc=$?
[ $rc -eq 0 ] || bad "undo with a big value: exit $rc: $(cat undo.txt)"
witness SYSTEM
listing SYSTEM > undone.lst
cmp -s undone.lst before.lst || bad "big value: after undo the hive differs"
ok
cd "$tmp"

# --- --no-backup still writes the undo file (and the manifest naming it),
# and nothing else ------------------------------------------------------
d="$tmp/nb"
mkdir "$d"
cp "$H/system/SYSTEM" "$d/SYSTEM"
(cd "$d" && "$KBFIX" apply -q --no-backup Q317061 SYSTEM > out.txt 2>&1); rc=$?
[ $rc -eq 0 ] || bad "--no-backup: exit $rc"
[ "$(cd "$d" && ls | grep -c kbfix-)" -eq 2 ] ||
    bad "--no-backup: files: $(ls "$d")"
grep -q "undo file" "$d/out.txt" || bad "--no-backup: no undo file"
grep -q "backup '" "$d/out.txt" && bad "--no-backup printed a backup"
ok

# --- nothing applies: exit 0, no file written ----------------------------
d="$tmp/clean"
mkdir "$d"
cp "$H/system-clean/SYSTEM" "$d/SYSTEM"
(cd "$d" && "$KBFIX" apply SYSTEM > out.txt 2>&1); rc=$?
[ $rc -eq 0 ] || bad "clean hive: exit $rc"
[ "$(ls "$d")" = "SYSTEM
out.txt" ] || bad "clean hive: files written: $(ls "$d")"
cmp -s "$d/SYSTEM" "$H/system-clean/SYSTEM" || bad "clean hive changed"
ok

# --- without TARGET, the hives are found in the current directory ----------
d="$tmp/cwd"
mkdir "$d"
cp "$H/system/SYSTEM" "$d/system"
(cd "$d" && "$KBFIX" apply -q Q317061 > out.txt 2>&1); rc=$?
[ $rc -eq 0 ] || bad "apply without TARGET: exit $rc: $(cat "$d/out.txt")"
reglookup -H "$d/system" 2>/dev/null | grep -q '/EXIFS/Parameters/DriveLetter,SZ,,' ||
    bad "apply without TARGET did not change 'system'"
ok

# --- Q256211 on SYSTEM and the user's NTUSER.DAT in one run ---------------
# The network entries leave the system Path (order and REG_EXPAND_SZ kept)
# and end the user's Path; a user without Path gets one; a second run adds
# nothing twice; both hives read by an independent parser.
for user in ntuser-path ntuser; do
	d="$tmp/q2-$user"
	mkdir "$d"
	cp "$H/system/SYSTEM" "$d/SYSTEM"
	cp "$H/$user/NTUSER.DAT" "$d/NTUSER.DAT"
	(cd "$d" && "$KBFIX" apply -q Q256211 SYSTEM NTUSER.DAT > out.txt \
	    2>&1); rc=$?
	[ $rc -eq 0 ] || bad "Q256211 $user: exit $rc: $(cat "$d/out.txt")"
	witness "$d/SYSTEM"
	witness "$d/NTUSER.DAT"
	sp=$(reglookup -H -p "/ControlSet002/Control/Session Manager/Environment/Path" \
	    "$d/SYSTEM" 2>/dev/null | sed 's/,[^,]*$//')
	[ "$sp" = '/ControlSet002/Control/Session Manager/Environment/Path,EXPAND_SZ,%25SystemRoot%25\system32;%25SystemRoot%25;C:\Tools' ] ||
	    bad "Q256211 $user: system Path: $sp"
	up=$(reglookup -H -p /Environment/Path "$d/NTUSER.DAT" 2>/dev/null |
	    sed 's/,[^,]*$//')
	case $user in
	ntuser-path) want='/Environment/Path,EXPAND_SZ,C:\bin;\\server\share\bin;Z:\apps' ;;
	*) want='/Environment/Path,EXPAND_SZ,\\server\share\bin;Z:\apps' ;;
	esac
	[ "$up" = "$want" ] || bad "Q256211 $user: user Path: $up, want $want"
	(cd "$d" && "$KBFIX" apply Q256211 SYSTEM NTUSER.DAT > again.txt 2>&1); rc=$?
	[ $rc -eq 0 ] && grep -q 'nothing to do' "$d/again.txt" ||
	    bad "Q256211 $user: second run: $(cat "$d/again.txt")"
	ok
done

finish
