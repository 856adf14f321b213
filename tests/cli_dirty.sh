#!/bin/sh
# The dry run and scan on a dirty hive (a copy of the real Windows 10
# SYSTEM of ../shared/hives-real with its two logs): they plan on the
# replayed content (the test remedy replayed.xml finds a service that only
# the logs hold), say so, and leave the hive, its logs and the folder as
# they were; the replay goes to $TMPDIR and is removed.  --ignore-logs
# plans on the stale file with a warning; damaged or missing logs are
# refused with exit 2.  The same in a folder TARGET, and apply there.
set -u
. "$top_srcdir/tests/clilib.sh"
# Every check here needs the real hives.
have_shared "every check" || finish
real="$KBFIX_SHARED/hives-real/win10-1709-system-dirty"
remedy="$top_srcdir/tests/fixtures/replayed.xml"
ev="$tmp/ev" ref="$tmp/ref"
mkdir "$ev" "$ref" "$tmp/t"
for n in SYSTEM SYSTEM.LOG1 SYSTEM.LOG2; do
	xz -dc "$real/$n.xz" > "$ref/$n" || exit 1
	cp "$ref/$n" "$ev/$n"
done
# Private temporary files go here, never beside the hive.
TMPDIR="$tmp/t"; export TMPDIR

# run WANT ARGS...: kbfix ARGS in $ev, exit code WANT; the hive, its logs
# and the folder unchanged, no temporary file left.
run() {
	want=$1; shift
	(cd "$ev" && "$KBFIX" "$@") > "$tmp/stdout" 2> "$tmp/stderr"
	rc=$?
	[ $rc -eq "$want" ] ||
	    bad "kbfix $*: exit $rc, want $want: $(cat "$tmp/stderr")"
	[ "$(ls -A "$ev")" = "$(ls -A "$ref")" ] ||
	    bad "kbfix $*: files beside the hive: $(ls -A "$ev" | tr '\n' ' ')"
	for f in "$ref"/*; do
		cmp -s "$f" "$ev/${f##*/}" || bad "kbfix $*: ${f##*/} changed"
	done
	[ -z "$(ls -A "$tmp/t")" ] ||
	    bad "kbfix $*: left in TMPDIR: $(ls -A "$tmp/t")"
	ok
}
has() {
	if grep -qxF -- "$2" "$1"; then ok; else
		bad "no line '$2' in ${1##*/}:"; sed 's/^/  | /' "$1"
	fi
}
hasnt() {
	if grep -qF -- "$2" "$1"; then
		bad "'$2' in ${1##*/}:"; sed 's/^/  | /' "$1"
	else ok; fi
}

note="kbfix: note: 'SYSTEM' is dirty: replayed 4 entries (10 pages) from 'SYSTEM.LOG1' and 20 entries (305 pages) from 'SYSTEM.LOG2', sequence numbers 1622/1621 -> 2130/2130; planning on the recovered hive"

# The primary alone has no ad_driver service; the replayed hive has it,
# with Start 3.
run 1 --dry-run "$remedy" SYSTEM
has "$tmp/stderr" "$note"
has "$tmp/stdout" "# hive 'SYSTEM' (SYSTEM), ControlSet001 (current)"
has "$tmp/stdout" " [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\ad_driver]"
has "$tmp/stdout" '-"Start"=dword:00000003'
has "$tmp/stdout" '+"Start"=dword:00000004'
hasnt "$tmp/stdout" "$TMPDIR"

run 1 scan "$remedy" SYSTEM
has "$tmp/stderr" "$note"
grep -q '^replayed  *applies ' "$tmp/stdout" ||
    bad "scan: the remedy does not apply: $(cat "$tmp/stdout")"

# The stale file: the service is not there.
run 0 --dry-run --ignore-logs "$remedy" SYSTEM
has "$tmp/stderr" "kbfix: warning: 'SYSTEM' is dirty (sequence numbers 1622/1621): --ignore-logs works on the file as it is, without the changes in its logs"
hasnt "$tmp/stderr" "replayed"
hasnt "$tmp/stdout" "Services\\ad_driver]"
has "$tmp/stdout" "# replayed: not applicable: 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\ad_driver' does not exist"

# The whole library on the replayed hive: Q268499 reads its processor
# (PROCESSOR_ARCHITECTURE), Q256211 finds no SMS client service.
run 0 scan SYSTEM
has "$tmp/stderr" "$note"
grep -q "^Q268499  *not applicable  *PROCESSOR_ARCHITECTURE is 'amd64', not 'alpha'" \
    "$tmp/stdout" || bad "scan: Q268499: $(cat "$tmp/stdout")"
grep -q "^Q256211  *not applicable  *'.*\\\\Services\\\\CLISVC' does not exist" \
    "$tmp/stdout" || bad "scan: Q256211: $(cat "$tmp/stdout")"

# LOG2 cut in the middle of its second entry: refused, nothing planned.
o=$(($(od -An -tu4 -j 516 -N4 "$ev/SYSTEM.LOG2" | tr -d ' ') + 512))
s=$(od -An -tu4 -j $((o + 4)) -N4 "$ev/SYSTEM.LOG2" | tr -d ' ')
truncate -s $((o + s / 2)) "$ev/SYSTEM.LOG2"
cp "$ev/SYSTEM.LOG2" "$ref/SYSTEM.LOG2"
run 2 --dry-run "$remedy" SYSTEM
has "$tmp/stderr" "kbfix: error: 'SYSTEM.LOG2' is damaged: entry 2112 at offset $(printf 0x%x $o): truncated ($(printf 0x%x "$s") bytes, the file ends $(printf 0x%x $((s / 2))) bytes after it): the changes of 'SYSTEM' from there on cannot be replayed"
has "$tmp/stderr" "kbfix: note: 'kbfix recover SYSTEM -o FILE' keeps the changes before the damage; --ignore-logs works on 'SYSTEM' as it is"
[ -s "$tmp/stdout" ] && bad "damaged: a plan was printed: $(cat "$tmp/stdout")"
run 0 --dry-run --ignore-logs "$remedy" SYSTEM

# No logs beside the dirty hive: refused.
rm "$ev/SYSTEM.LOG1" "$ev/SYSTEM.LOG2" "$ref/SYSTEM.LOG1" "$ref/SYSTEM.LOG2"
run 2 --dry-run "$remedy" SYSTEM
has "$tmp/stderr" "kbfix: error: 'SYSTEM' is dirty (sequence numbers 1622/1621) and no transaction log (.LOG1, .LOG2, .LOG) is beside it: its latest changes are missing"
has "$tmp/stderr" "kbfix: note: --ignore-logs works on 'SYSTEM' as it is, without the changes Windows last made"
run 0 --dry-run --ignore-logs "$remedy" SYSTEM

# --- a folder TARGET (a Windows volume) whose SYSTEM and a user's
# NTUSER.DAT are dirty: both are planned on their logs' replay; apply with
# --output writes a clean replayed copy and leaves the volume as it was;
# apply in place moves the logs away with the backup, as for a hive file,
# and the audit log records them.
vol="$tmp/vol" cfg="$tmp/vol/Windows/System32/config" pat="$tmp/vol/Users/pat"
mkdir -p "$cfg" "$pat"
for n in SYSTEM SYSTEM.LOG1 SYSTEM.LOG2; do
	xz -dc "$real/$n.xz" > "$cfg/$n" || exit 1
done
for n in NTUSER.DAT NTUSER.DAT.LOG1 NTUSER.DAT.LOG2; do
	xz -dc "$KBFIX_SHARED/hives-real/win10-ntuser-dirty/$n.xz" > "$pat/$n" ||
	    exit 1
done
(cd "$vol" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
    > "$tmp/vol.before"
vol_same() {
	(cd "$vol" && find . -type f -print0 | LC_ALL=C sort -z |
	    xargs -0 sha256sum) > "$tmp/vol.now"
	cmp -s "$tmp/vol.before" "$tmp/vol.now" ||
	    bad "$1: the volume changed: $(diff "$tmp/vol.before" "$tmp/vol.now")"
	[ -z "$(ls -A "$tmp/t")" ] || bad "$1: left in TMPDIR: $(ls -A "$tmp/t")"
}
sysnote="kbfix: note: 'vol/Windows/System32/config/SYSTEM' is dirty: replayed 4 entries (10 pages) from 'SYSTEM.LOG1' and 20 entries (305 pages) from 'SYSTEM.LOG2', sequence numbers 1622/1621 -> 2130/2130; planning on the recovered hive"
usernote="kbfix: note: 'vol/Users/pat/NTUSER.DAT' is dirty: replayed 23 entries (132 pages) from 'NTUSER.DAT.LOG1', sequence numbers 567/566 -> 588/588; planning on the recovered hive"

(cd "$tmp" && "$KBFIX" scan vol) > "$tmp/stdout" 2> "$tmp/stderr"; rc=$?
[ $rc -eq 0 ] || bad "folder scan: exit $rc: $(cat "$tmp/stderr")"
has "$tmp/stderr" "$sysnote"
has "$tmp/stderr" "$usernote"
vol_same "folder scan"

(cd "$tmp" && "$KBFIX" --dry-run "$remedy" vol) > "$tmp/stdout" \
    2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] || bad "folder dry run: exit $rc: $(cat "$tmp/stderr")"
has "$tmp/stderr" "$sysnote"
has "$tmp/stdout" '+"Start"=dword:00000004'
vol_same "folder dry run"

(cd "$tmp" && "$KBFIX" --dry-run --ignore-logs "$remedy" vol) \
    > "$tmp/stdout" 2> "$tmp/stderr"; rc=$?
[ $rc -eq 0 ] || bad "folder --ignore-logs: exit $rc: $(cat "$tmp/stderr")"
hasnt "$tmp/stderr" "replayed"
vol_same "folder --ignore-logs"

(cd "$tmp" && SOURCE_DATE_EPOCH=1700000000 "$KBFIX" apply -q --output out \
    "$remedy" vol) > "$tmp/stdout" 2> "$tmp/stderr"; rc=$?
[ $rc -eq 0 ] || bad "folder --output: exit $rc: $(cat "$tmp/stderr")"
has "$tmp/stderr" "$sysnote"
vol_same "folder --output"
o="$tmp/out/Windows/System32/config"
[ "$(ls "$o")" = "SYSTEM
SYSTEM.kbfix-20231114T221320Z-undo.reg" ] ||
    bad "folder --output: the output folder holds: $(ls "$o" | tr '\n' ' ')"
od -An -tu4 -j4 -N8 "$o/SYSTEM" | awk '$1 != 2131 || $2 != 2131 { exit 1 }' ||
    bad "folder --output: sequence numbers $(od -An -tu4 -j4 -N8 "$o/SYSTEM")"
reglookup -H "$o/SYSTEM" 2>/dev/null > "$tmp/out.lst"
[ "$(grep -c '^[^,]*,KEY,' "$tmp/out.lst")" -eq 35595 ] ||
    bad "folder --output: not the replayed hive"
grep -q '^/ControlSet001/Services/ad_driver/Start,DWORD,0x00000004,' \
    "$tmp/out.lst" || bad "folder --output: the change is missing"
ok

(cd "$tmp" && SOURCE_DATE_EPOCH=1700000000 "$KBFIX" apply -q \
    --audit audit.jsonl "$remedy" vol) > "$tmp/stdout" 2> "$tmp/stderr"; rc=$?
[ $rc -eq 0 ] || bad "folder apply: exit $rc: $(cat "$tmp/stderr")"
has "$tmp/stdout" "kbfix: 'vol/Windows/System32/config/SYSTEM': log 'vol/Windows/System32/config/SYSTEM.LOG1' moved to 'vol/Windows/System32/config/SYSTEM.LOG1.kbfix-20231114T221320Z'"
[ ! -e "$cfg/SYSTEM.LOG1" ] && [ ! -e "$cfg/SYSTEM.LOG2" ] ||
    bad "folder apply: the old logs are still beside the new hive"
[ -e "$pat/NTUSER.DAT.LOG1" ] || bad "folder apply: the user's log moved"
od -An -tu4 -j4 -N8 "$cfg/SYSTEM" | awk '$1 != 2131 || $2 != 2131 { exit 1 }' ||
    bad "folder apply: sequence numbers $(od -An -tu4 -j4 -N8 "$cfg/SYSTEM")"
for n in LOG1 LOG2; do
	want=$(xz -dc "$real/SYSTEM.$n.xz" | sha256sum | cut -d' ' -f1)
	got=$(jq -r "select(.event == \"file\" and .role == \"log\" and
	    .path == \"vol/Windows/System32/config/SYSTEM.$n\") |
	    .sha256_before + \" \" + .backup_sha256 + \" \" + .backup" \
	    "$tmp/audit.jsonl")
	[ "$got" = "$want $want vol/Windows/System32/config/SYSTEM.$n.kbfix-20231114T221320Z" ] ||
	    bad "folder apply: audit record of SYSTEM.$n: '$got'"
done
(cd "$tmp" && "$KBFIX" --dry-run "$remedy" vol) > /dev/null 2>&1; rc=$?
[ $rc -eq 0 ] || bad "folder apply: dry run after apply: exit $rc"
ok

finish
