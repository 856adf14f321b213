#!/bin/sh
# cli_safety.sh: apply never loses data.  Failures are injected at each
# step of the write path (tests/faultshim.so, an LD_PRELOAD library);
# after each: the exit code, a message, the original byte-identical and no
# stray file.  Also: dirty hives refused, the lock, two kbfix at once, and
# apply + undo on the real XP hive.
set -u
: "${top_builddir:?}" "${KBFIX:?}"
H="$top_builddir/tests/hives"
SHIM="$top_builddir/tests/faultshim.so"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
# A sanitizer build wants its runtime first; the shim then comes second.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

# fresh DIR: a folder holding only a copy of the fixture.
fresh() {
	rm -rf "$1"
	mkdir "$1"
	cp "$H/system/SYSTEM" "$1/SYSTEM"
}

# untouched DIR WHAT: the hive is the original's bytes and nothing else is
# in DIR but the files named in KEEP.
untouched() {
	cmp -s "$1/SYSTEM" "$H/system/SYSTEM" || bad "$2: the hive changed"
	extra=$(cd "$1" && ls | grep -v -x -e SYSTEM -e out.txt -e err.txt)
	[ -z "$extra" ] || bad "$2: stray files: $extra"
}

# --- a failure injected at each step ------------------------------------
for f in mkstemp enospc fsync corrupt:W32Time backup rename; do
	d="$tmp/f"
	fresh "$d"
	(cd "$d" && KBFIX_FAULT=$f LD_PRELOAD="$SHIM" "$KBFIX" apply -q \
	    --drop-moved SYSTEM > out.txt 2> err.txt); rc=$?
	[ $rc -eq 2 ] || bad "$f: exit $rc, want 2"
	grep -q 'nothing was changed' "$d/err.txt" ||
	    bad "$f: message: $(cat "$d/err.txt")"
	untouched "$d" "$f"
	ok
done
# The message says what failed.
for pair in "mkstemp:cannot create a temporary file" \
    "enospc:No space left on device" "fsync:cannot sync" \
    "corrupt:W32Time:differs from the original outside the plan" \
    "backup:cannot keep a backup" "rename:cannot rename"; do
	f=${pair%:*}
	want=${pair##*:}
	d="$tmp/m"
	fresh "$d"
	(cd "$d" && KBFIX_FAULT=$f LD_PRELOAD="$SHIM" "$KBFIX" apply -q \
	    --drop-moved SYSTEM > out.txt 2> err.txt)
	grep -q "$want" "$d/err.txt" || bad "$f: want '$want' in: $(cat "$d/err.txt")"
	ok
done

# --- interrupted: SIGTERM is cleaned up at once, SIGKILL at the next run -
for f in term:fsync term:rename; do
	d="$tmp/t"
	fresh "$d"
	(cd "$d" && KBFIX_FAULT=$f LD_PRELOAD="$SHIM" exec "$KBFIX" apply -q \
	    --drop-moved SYSTEM > out.txt 2> err.txt); rc=$?
	[ $rc -eq 143 ] || bad "$f: exit $rc, want 143 (SIGTERM)"
	untouched "$d" "$f"
	ok
done
for f in kill:fsync kill:rename; do
	d="$tmp/k"
	fresh "$d"
	(cd "$d" && KBFIX_FAULT=$f LD_PRELOAD="$SHIM" exec "$KBFIX" apply -q \
	    --drop-moved SYSTEM > out.txt 2> err.txt); rc=$?
	[ $rc -eq 137 ] || bad "$f: exit $rc, want 137 (SIGKILL)"
	cmp -s "$d/SYSTEM" "$H/system/SYSTEM" || bad "$f: the hive changed"
	# The next run removes what the killed one left, and applies.
	(cd "$d" && "$KBFIX" apply -q --drop-moved SYSTEM > out.txt 2> err.txt); rc=$?
	[ $rc -eq 0 ] || bad "$f: next run: exit $rc: $(cat "$d/err.txt")"
	grep -q "removed 'SYSTEM.kbfix-tmp-" "$d/err.txt" ||
	    bad "$f: next run did not remove the temporary file"
	# Its backup, undo file and manifest: the killed run wrote no
	# manifest (the last thing apply writes).
	left=$(cd "$d" && ls | grep -c 'kbfix-')
	[ "$left" -eq 3 ] || bad "$f: after the next run: $(ls "$d")"
	ok
done

# --- dirty hives are refused --------------------------------------------
# The fixture with its secondary sequence number (offset 8) made to differ,
# and the base block checksum (offset 508) fixed so the file stays valid.
d="$tmp/dirty"
fresh "$d"
"$top_builddir/tests/regfset" "$d/SYSTEM" 8 2 || bad "regfset"
cp "$d/SYSTEM" "$tmp/dirty.orig"
(cd "$d" && "$KBFIX" apply --drop-moved SYSTEM > out.txt 2> err.txt); rc=$?
[ $rc -eq 2 ] || bad "dirty: exit $rc, want 2: $(cat "$d/err.txt")"
grep -q "'SYSTEM' is dirty (sequence numbers 1/2) and no transaction log" "$d/err.txt" ||
    bad "dirty: message: $(cat "$d/err.txt")"
grep -q -- "--ignore-logs" "$d/err.txt" || bad "dirty: no way out named"
cmp -s "$d/SYSTEM" "$tmp/dirty.orig" || bad "dirty: the hive changed"
[ "$(ls "$d" | wc -l)" -eq 3 ] || bad "dirty: files written: $(ls "$d")"
ok
(cd "$d" && "$KBFIX" apply -q --drop-moved --ignore-logs SYSTEM > out.txt 2> err.txt); rc=$?
[ $rc -eq 0 ] || bad "dirty --ignore-logs: exit $rc: $(cat "$d/err.txt")"
grep -q "warning: 'SYSTEM' is dirty" "$d/err.txt" ||
    bad "dirty --ignore-logs: no warning"
od -An -tu4 -j4 -N8 "$d/SYSTEM" | awk '$1 != $2 || $1 < 3 { exit 1 }' ||
    bad "dirty --ignore-logs: sequence numbers $(od -An -tu4 -j4 -N8 "$d/SYSTEM")"
ok

# --- the lock: a hive another kbfix holds is refused ----------------------
d="$tmp/lock"
fresh "$d"
(cd "$d" && flock SYSTEM "$KBFIX" apply -q --drop-moved SYSTEM > out.txt 2> err.txt); rc=$?
[ $rc -eq 2 ] || bad "locked: exit $rc, want 2"
grep -q "'SYSTEM' is being changed by another kbfix" "$d/err.txt" ||
    bad "locked: message: $(cat "$d/err.txt")"
untouched "$d" "locked"
ok

# --- two kbfix at once: the first waits inside its write; the second is
# refused; the first finishes and the result is right ----------------------
d="$tmp/two"
fresh "$d"
listing "$H/system/SYSTEM" > "$tmp/orig.lst"
(cd "$d" && KBFIX_FAULT="wait:$tmp/sync" LD_PRELOAD="$SHIM" "$KBFIX" apply \
    -q --drop-moved SYSTEM > out1.txt 2> err1.txt; echo $? > rc1) &
i=0
while [ ! -e "$tmp/sync.ready" ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -e "$tmp/sync.ready" ] || bad "two: the first kbfix never reached its write"
(cd "$d" && "$KBFIX" apply -q --drop-moved SYSTEM > out2.txt 2> err2.txt); rc=$?
touch "$tmp/sync.go"
wait
[ $rc -eq 2 ] || bad "two: second: exit $rc, want 2"
grep -q "being changed by another kbfix" "$d/err2.txt" ||
    bad "two: second: $(cat "$d/err2.txt")"
[ "$(cat "$d/rc1")" = 0 ] || bad "two: first: exit $(cat "$d/rc1"): $(cat "$d/err1.txt")"
(cd "$d" && "$KBFIX" --dry-run SYSTEM > /dev/null); rc=$?
[ $rc -eq 0 ] || bad "two: the result still has changes pending"
ok

# --- a path that is not a regular file ------------------------------------
# A folder named SYSTEM is a folder TARGET (a machine) holding no hive; a
# FIFO named SYSTEM is no hive file.
d="$tmp/notreg"
mkdir -p "$d/SYSTEM"
(cd "$d" && "$KBFIX" apply -q Q267971 SYSTEM > out.txt 2> err.txt); rc=$?
[ $rc -eq 2 ] || bad "folder: exit $rc"
grep -q "'SYSTEM' holds no Windows folder" "$d/err.txt" ||
    bad "folder: $(cat "$d/err.txt")"
rmdir "$d/SYSTEM" && mkfifo "$d/SYSTEM"
(cd "$d" && "$KBFIX" apply -q Q267971 SYSTEM > out.txt 2> err.txt); rc=$?
[ $rc -eq 2 ] || bad "fifo: exit $rc"
grep -q "'SYSTEM' is not a regular file" "$d/err.txt" ||
    bad "fifo: $(cat "$d/err.txt")"
# Reading a FIFO must not hang the dry run or scan (opened non-blocking).
for cmd in --dry-run scan; do
	(cd "$d" && timeout 20 "$KBFIX" $cmd SYSTEM > out.txt 2> err.txt); rc=$?
	[ $rc -eq 2 ] || bad "fifo $cmd: exit $rc, want 2"
	grep -q "not a regular file" "$d/err.txt" ||
	    bad "fifo $cmd: $(cat "$d/err.txt")"
done
ok

# --- the audit log: its records are written, whole, before any hive is
# replaced; one that cannot be stops the apply --------------------------
d="$tmp/audit"
fresh "$d"
(cd "$d" && "$KBFIX" apply -q --drop-moved --audit /dev/full SYSTEM > out.txt 2> err.txt)
rc=$?
[ $rc -eq 2 ] || bad "--audit /dev/full: exit $rc, want 2"
grep -q "cannot write the audit log '/dev/full': No space left on device" \
    "$d/err.txt" && grep -q "nothing was changed" "$d/err.txt" ||
    bad "--audit /dev/full: $(cat "$d/err.txt")"
untouched "$d" "--audit /dev/full"
ok
# whole_lines LOG: every line of LOG is a JSON object, the last one ended.
whole_lines() {
	[ ! -s "$1" ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] ||
	    bad "$2: the log ends in a cut line"
	jq -c . "$1" > /dev/null 2>&1 || bad "$2: a line is not JSON"
}
# A disk that fills up in the first record: taken back, nothing changed.
d="$tmp/full"
fresh "$d"
(cd "$d" && KBFIX_FAULT=full:audit.jsonl:100 LD_PRELOAD="$SHIM" \
    "$KBFIX" apply -q --drop-moved --audit ../audit.jsonl SYSTEM > out.txt 2> err.txt)
rc=$?
[ $rc -eq 2 ] || bad "full log at 100: exit $rc, want 2"
grep -q "cannot write the audit log" "$d/err.txt" ||
    bad "full log at 100: $(cat "$d/err.txt")"
untouched "$d" "full log at 100"
whole_lines "$tmp/audit.jsonl" "full log at 100"
[ -s "$tmp/audit.jsonl" ] && bad "full log at 100: a cut record was kept"
rm -f "$tmp/audit.jsonl"
ok
# A disk that fills up after the records written before the renames: the
# hive is changed, the log lacks its last records (whole lines still), and
# the exit status says the changes were made.
d="$tmp/late"
fresh "$d"
(cd "$d" && "$KBFIX" apply -q --drop-moved --audit ../whole.jsonl SYSTEM > out.txt \
    2> err.txt) || bad "apply with a log: $(cat "$d/err.txt")"
at=$(grep -b '"event":"result"' "$tmp/whole.jsonl" | cut -d: -f1)
fresh "$d"
(cd "$d" && KBFIX_FAULT=full:audit.jsonl:$((at + 20)) LD_PRELOAD="$SHIM" \
    "$KBFIX" apply -q --drop-moved --audit ../audit.jsonl SYSTEM > out.txt 2> err.txt)
rc=$?
[ $rc -eq 0 ] || bad "full log after the renames: exit $rc, want 0"
grep -q "warning: cannot write the audit log .* it lacks the last records" \
    "$d/err.txt" || bad "full log after the renames: $(cat "$d/err.txt")"
cmp -s "$d/SYSTEM" "$H/system/SYSTEM" &&
    bad "full log after the renames: the hive was not changed"
whole_lines "$tmp/audit.jsonl" "full log after the renames"
[ "$(wc -c < "$tmp/audit.jsonl")" -eq "$at" ] ||
    bad "full log after the renames: $(wc -c < "$tmp/audit.jsonl") bytes, want $at"
grep -q '"event":"file"' "$tmp/audit.jsonl" &&
    grep -q '"event":"change"' "$tmp/audit.jsonl" ||
    bad "full log after the renames: the records of the changes are missing"
rm -f "$tmp/audit.jsonl" "$tmp/whole.jsonl"
ok

# --- a file moved onto the hive's path, or written to, between the backup
# and the rename: refused, nothing replaced --------------------------------
for how in swap write; do
	d="$tmp/swap"
	fresh "$d"
	rm -f "$tmp/sync.ready" "$tmp/sync.go"
	(cd "$d" && KBFIX_FAULT="wait-backup:$tmp/sync" LD_PRELOAD="$SHIM" \
	    "$KBFIX" apply -q --drop-moved SYSTEM > out.txt 2> err.txt; echo $? > rc) &
	i=0
	while [ ! -e "$tmp/sync.ready" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$tmp/sync.ready" ] || bad "$how: kbfix never made its backup"
	if [ $how = swap ]; then
		mv "$d/SYSTEM" "$tmp/SYSTEM.planned"
		cp "$H/system-clean/SYSTEM" "$d/SYSTEM"
	else
		printf 'x' >> "$d/SYSTEM"
	fi
	touch "$tmp/sync.go"
	wait
	[ "$(cat "$d/rc")" = 2 ] || bad "$how: exit $(cat "$d/rc"), want 2"
	rm "$d/rc"
	if [ $how = swap ]; then
		grep -q "'SYSTEM' is another file than the one kbfix planned on" \
		    "$d/err.txt" || bad "$how: $(cat "$d/err.txt")"
		cmp -s "$d/SYSTEM" "$H/system-clean/SYSTEM" ||
		    bad "$how: the file moved there was replaced"
		cmp -s "$tmp/SYSTEM.planned" "$H/system/SYSTEM" ||
		    bad "$how: the hive planned on changed"
		cp "$tmp/SYSTEM.planned" "$d/SYSTEM"
		rm "$tmp/SYSTEM.planned"
	else
		grep -q "'SYSTEM' has been written to since kbfix planned on" \
		    "$d/err.txt" || bad "$how: $(cat "$d/err.txt")"
		head -c -1 "$d/SYSTEM" > "$d/SYSTEM.cut" &&
		    mv "$d/SYSTEM.cut" "$d/SYSTEM"
	fi
	untouched "$d" "$how"
	ok
done

# --- the second, third and fourth of several renames fail: every hive and
# file is put back (SYSTEM, a user's NTUSER.DAT, a renamed file, a deleted
# file's move to its backup) -------------------------------------------------
v="$tmp/vol"
mkdir -p "$v/Windows/System32/config" "$v/Documents and Settings/Pat"
cp "$H/system/SYSTEM" "$v/Windows/System32/config/SYSTEM"
cp "$H/ntuser/NTUSER.DAT" "$v/Documents and Settings/Pat/NTUSER.DAT"
echo "Network Monitor performance counters" > "$v/Windows/System32/NMPERF.DLL"
echo "obsolete" > "$v/Windows/System32/obsolete.dll"
(cd "$v" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
    > "$tmp/vol.sums"
for k in 2 3 4; do
	(cd "$tmp" && KBFIX_FAULT=rename:$k LD_PRELOAD="$SHIM" "$KBFIX" apply \
	    -q Q256211 "$top_srcdir/tests/actions/Q9000006.xml" vol \
	    > out.txt 2> err.txt); rc=$?
	[ $rc -eq 2 ] || bad "rename $k: exit $rc, want 2: $(cat "$tmp/err.txt")"
	grep -q "cannot \(rename\|move\) .*Input/output error" "$tmp/err.txt" ||
	    bad "rename $k: $(cat "$tmp/err.txt")"
	(cd "$v" && find . -type f -print0 | LC_ALL=C sort -z |
	    xargs -0 sha256sum) | cmp -s - "$tmp/vol.sums" ||
	    bad "rename $k: not as it was: $(cd "$v" && find . -type f)"
	ok
done
# And without a fault, the same run makes all four.
(cd "$tmp" && "$KBFIX" apply -q Q256211 \
    "$top_srcdir/tests/actions/Q9000006.xml" vol > out.txt 2> err.txt) ||
    bad "the run of several renames: $(cat "$tmp/err.txt")"
[ -f "$v/Windows/System32/Nmperf.dll.disabled" ] &&
    ! cmp -s "$v/Documents and Settings/Pat/NTUSER.DAT" "$H/ntuser/NTUSER.DAT" ||
    bad "the run of several renames did not make them"
ok

# --- Q256211 without any user's hive would move the network folders out of
# the system PATH to nowhere: refused unless --drop-moved ------------------
d="$tmp/drop"
fresh "$d"
(cd "$d" && "$KBFIX" scan SYSTEM > out.txt 2> err.txt)
grep -q "^Q256211 .*reach no NTUSER hive: apply drops them only with --drop-moved" \
    "$d/out.txt" || bad "drop: scan does not say so: $(cat "$d/out.txt")"
rm "$d/out.txt" "$d/err.txt"
(cd "$d" && "$KBFIX" apply -q Q256211 SYSTEM > out.txt 2> err.txt); rc=$?
[ $rc -eq 2 ] || bad "drop: exit $rc, want 2"
grep -q "Q256211: the entries it moves '\\\\\\\\server\\\\share\\\\bin', 'Z:\\\\apps' reach no NTUSER hive: give the users' hives (or the Windows volume), or --drop-moved" \
    "$d/err.txt" || bad "drop: $(cat "$d/err.txt")"
untouched "$d" "drop"
cp "$H/ntuser/NTUSER.DAT" "$d/NTUSER.DAT"
(cd "$d" && "$KBFIX" apply -q Q256211 SYSTEM NTUSER.DAT > out.txt 2> err.txt) ||
    bad "drop: with a user's hive: $(cat "$d/err.txt")"
fresh "$d"
(cd "$d" && "$KBFIX" apply -q --drop-moved Q256211 SYSTEM > out.txt \
    2> err.txt) || bad "drop: --drop-moved: $(cat "$d/err.txt")"
grep -q "^\"Path\"=hex(2):.*5c,00,5c,00,73,00,65,00,72,00,76,00" \
    "$d"/SYSTEM.kbfix-*-undo.reg || bad "drop: the undo file lacks the entries"
ok

# --- kbfix draft -o never overwrites a file, unless --force -----------------
art="${KBFIX_SHARED:-}/seeds/Q267971.txt"
if [ -f "$art" ]; then
	d="$tmp/draft"
	mkdir "$d"
	"$KBFIX" draft -o "$d" "$art" 2> "$tmp/err" ||
	    bad "draft -o: $(cat "$tmp/err")"
	[ -f "$d/Q267971.xml" ] || bad "draft -o wrote no Q267971.xml"
	echo "reviewed by hand" > "$d/Q267971.xml"
	"$KBFIX" draft -o "$d" "$art" 2> "$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "Q267971.xml' exists: kbfix draft does not \
overwrite it (--force does)" "$tmp/err" ||
	    bad "draft -o over a file: exit $rc: $(cat "$tmp/err")"
	[ "$(cat "$d/Q267971.xml")" = "reviewed by hand" ] ||
	    bad "draft -o overwrote a file"
	ln -s "$tmp/elsewhere" "$d/Q268499.xml"
	"$KBFIX" draft -o "$d" "${KBFIX_SHARED}/seeds/Q268499.txt" \
	    2> "$tmp/err"; rc=$?
	[ $rc -eq 2 ] && [ ! -e "$tmp/elsewhere" ] ||
	    bad "draft -o through a symbolic link: exit $rc"
	"$KBFIX" draft -o "$d" --force "$art" 2> "$tmp/err" ||
	    bad "draft -o --force: $(cat "$tmp/err")"
	grep -q "<remedy" "$d/Q267971.xml" || bad "draft --force did not write"
	[ "$(ls "$d" | wc -l)" -eq 2 ] || bad "draft: stray files: $(ls "$d")"
	ok
elif [ -n "${CI:-}" ]; then
	bad "the shared seeds are missing: $art"
fi

# --- the real XP hive, with the keys added by the test ---------------------
# (and the site server's SOFTWARE hive, where Q267971 reads its service
# pack: the machine came without its own).
xp="${KBFIX_SHARED:-}/hives-real/xp-sp3/SYSTEM.xz"
if [ -f "$xp" ]; then
	d="$tmp/xp"
	mkdir "$d"
	xz -dc "$xp" > "$d/SYSTEM"
	cp "$H/software-sms/SOFTWARE" "$d/SOFTWARE"
	cat > "$d/add.reg" <<'EOF'
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL]
"Type"=dword:00000010

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL\Performance]
"Library"="C:\\SMS\\bin\\i386\\SMSPERF.dll"
"First Counter"=dword:000007d0

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\SMSPerfCountersforD:_SMSLOGON_I386_SMSPERF.DLL]
"Type"=dword:00000010

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\SMSPerfCounters]
"Type"=dword:00000010

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\EXIFS]
"Type"=dword:00000002

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\EXIFS\Parameters]
"DriveLetter"="M"

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\SMS_EXECUTIVE]
"ImagePath"="C:\\SMS\\bin\\i386\\smsexec.exe"
EOF
	hivexregedit --merge "$d/SYSTEM" --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' \
	    "$d/add.reg" || bad "xp: cannot add the keys"
	listing "$d/SYSTEM" > "$tmp/xp-before.lst"
	(cd "$d" && "$KBFIX" apply -q Q267971 Q317061 SYSTEM SOFTWARE \
	    > out.txt 2> err.txt); rc=$?
	[ $rc -eq 0 ] || bad "xp: apply: exit $rc: $(cat "$d/err.txt")"
	regfexport "$d/SYSTEM" > "$tmp/xp.exp" 2>&1 &&
	    ! grep -q '^Unable\|libregf_' "$tmp/xp.exp" ||
	    bad "xp: regfexport cannot read the result"
	listing "$d/SYSTEM" > "$tmp/xp-after.lst"
	LC_ALL=C comm -23 "$tmp/xp-before.lst" "$tmp/xp-after.lst" |
	    grep -v -i '^/ControlSet001/Services/SMSPerfCountersFor' |
	    grep -v '^/ControlSet001/Services/EXIFS/Parameters/DriveLetter,SZ,M$' |
	    grep . && bad "xp: removed outside the plan"
	[ "$(LC_ALL=C comm -13 "$tmp/xp-before.lst" "$tmp/xp-after.lst")" = \
	    "/ControlSet001/Services/EXIFS/Parameters/DriveLetter,SZ," ] ||
	    bad "xp: added: $(LC_ALL=C comm -13 "$tmp/xp-before.lst" "$tmp/xp-after.lst")"
	grep -q '^/ControlSet001/Services/SMSPerfCounters,' "$tmp/xp-after.lst" ||
	    bad "xp: decoy deleted"
	u=$(sed -n "s/^kbfix: 'SYSTEM': undo file '\(.*\)'$/\1/p" "$d/out.txt")
	(cd "$d" && "$KBFIX" undo -q "$u" SYSTEM > undo.txt 2>&1); rc=$?
	[ $rc -eq 0 ] || bad "xp: undo: exit $rc: $(cat "$d/undo.txt")"
	listing "$d/SYSTEM" > "$tmp/xp-undone.lst"
	cmp -s "$tmp/xp-before.lst" "$tmp/xp-undone.lst" ||
	    bad "xp: after undo the hive differs"
	ok
elif [ -n "${CI:-}" ]; then
	bad "the shared hives are missing: $xp"
fi

# --- the real dirty Windows 10 hive: its logs are replayed first, the
# change is made on the replayed content, the logs go with the backup, and
# the new hive is numbered above every log entry -------------------------
w10="${KBFIX_SHARED:-}/hives-real/win10-1709-system-dirty"
if [ -f "$w10/SYSTEM.xz" ]; then
	d="$tmp/w10"
	mkdir "$d"
	for f in SYSTEM SYSTEM.LOG1 SYSTEM.LOG2; do
		xz -dc "$w10/$f.xz" > "$d/$f"
	done
	cp "$d/SYSTEM" "$tmp/w10.orig"
	cp "$d/SYSTEM.LOG1" "$tmp/w10.log1"
	# Services\ad_driver is only in the logs (tests/fixtures/replayed.xml).
	(cd "$d" && SOURCE_DATE_EPOCH=1700000000 "$KBFIX" apply -q \
	    "$top_srcdir/tests/fixtures/replayed.xml" SYSTEM > out.txt \
	    2> err.txt); rc=$?
	[ $rc -eq 0 ] || bad "win10 dirty: exit $rc: $(cat "$d/err.txt")"
	grep -q "note: 'SYSTEM' is dirty: replayed 4 entries (10 pages) from 'SYSTEM.LOG1' and 20 entries (305 pages) from 'SYSTEM.LOG2'" \
	    "$d/err.txt" || bad "win10 dirty: no replay note: $(cat "$d/err.txt")"
	cmp -s "$d/SYSTEM.kbfix-20231114T221320Z.bak" "$tmp/w10.orig" ||
	    bad "win10 dirty: the backup is not the original"
	cmp -s "$d/SYSTEM.LOG1.kbfix-20231114T221320Z" "$tmp/w10.log1" ||
	    bad "win10 dirty: LOG1 not kept with the backup"
	[ ! -e "$d/SYSTEM.LOG1" ] && [ ! -e "$d/SYSTEM.LOG2" ] ||
	    bad "win10 dirty: the old logs are still beside the new hive"
	od -An -tu4 -j4 -N8 "$d/SYSTEM" | awk '$1 != 2131 || $2 != 2131 { exit 1 }' ||
	    bad "win10 dirty: sequence numbers $(od -An -tu4 -j4 -N8 "$d/SYSTEM")"
	reglookup -H "$d/SYSTEM" 2>/dev/null > "$tmp/w10.lst"
	keys=$(grep -c '^[^,]*,KEY,' "$tmp/w10.lst")
	[ "$keys" -eq 35595 ] || bad "win10 dirty: $keys keys, want 35,595"
	grep -q '^/ControlSet001/Services/ad_driver/Start,DWORD,0x00000004,' \
	    "$tmp/w10.lst" || bad "win10 dirty: the change is missing"
	regfexport "$d/SYSTEM" > "$tmp/w10.exp" 2>&1 &&
	    ! grep -q '^Unable\|libregf_' "$tmp/w10.exp" ||
	    bad "win10 dirty: regfexport cannot read the result"
	(cd "$d" && "$KBFIX" --dry-run "$top_srcdir/tests/fixtures/replayed.xml" \
	    SYSTEM > /dev/null 2>&1); rc=$?
	[ $rc -eq 0 ] || bad "win10 dirty: dry run after apply: exit $rc"
	ok
elif [ -n "${CI:-}" ]; then
	bad "the shared hives are missing: $w10"
fi

finish
