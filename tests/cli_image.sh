#!/bin/sh
# cli_image.sh: whole Windows folders as TARGETs (issue 5).
#
# Builds copied volumes from the fixture hives: an Alpha machine with
# mixed-case names, two user profiles and Nmperf.dll, and an NT 4.0 machine
# with a WINNT folder whose profile is found only through ProfileList.
# scan, the dry run and apply each treat every hive and file of both in one
# command; --output leaves the targets byte-identical with the same times
# and writes exactly the changed files; the audit log's hashes are those of
# the files on disk; the JSON output parses (jq); symbolic links and ".."
# leading out of a target are refused; many targets, some broken, end with
# the worst exit code and a summary.
set -u
: "${top_builddir:?}" "${KBFIX:?}"
H="$top_builddir/tests/hives"
MKHIVE="$top_builddir/tests/mkhive"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"

if ! command -v jq > /dev/null; then
	echo "FAIL: jq is missing (./bootstrap installs it)" >&2
	exit 1
fi

# A string as .reg hex(2) data: UTF-16LE with its NUL.
hex2() {
	printf '%s' "$1" | od -An -tx1 -v | tr -s ' \n' '  ' |
	    sed 's/^ //; s/ $//; s/ /,00,/g; s/$/,00,00,00/'
}

# Every file below DIR with its size, time and SHA-256, sorted.
fingerprint() {
	(cd "$1" && find . -type f -printf '%p %s %T@\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# --- the machines -----------------------------------------------------------
# Both are SMS 2.0 site servers at SP2 (Full Version in their SOFTWARE,
# where Q267971 reads it).
cat > "$tmp/sms-setup.reg" <<'EOF'
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\SMS\Setup]
"Full Version"="2.00.1493.2000"
EOF
"$MKHIVE" --root 'CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}' \
    --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$tmp/xp-SOFTWARE" \
    "$top_srcdir/tests/fixtures/software.reg" "$tmp/sms-setup.reg" ||
    { echo "FAIL: mkhive" >&2; exit 1; }

# xp: an Alpha machine (system-alpha), mixed case as NTFS keeps it.
mk_xp() {
	_d="$1"
	mkdir -p "$_d/WINDOWS/system32/CONFIG" "$_d/Documents and Settings/Pat" \
	    "$_d/Documents and Settings/lee" "$_d/Documents and Settings/All Users"
	cp "$H/system-alpha/SYSTEM" "$_d/WINDOWS/system32/CONFIG/system"
	cp "$tmp/xp-SOFTWARE" "$_d/WINDOWS/system32/CONFIG/Software"
	cp "$H/ntuser/NTUSER.DAT" "$_d/Documents and Settings/Pat/NTUSER.DAT"
	cp "$H/ntuser-path/NTUSER.DAT" "$_d/Documents and Settings/lee/ntuser.dat"
	echo "Network Monitor performance counters" > "$_d/WINDOWS/system32/NMPERF.DLL"
}

# nt4: a WINNT folder; the one profile is in %SystemRoot%\Profiles, which
# only ProfileList names.  ProfileList also holds an entry on another
# volume and one that climbs out with "..".
cat > "$tmp/nt4-software.reg" <<EOF
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt]

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]
"CurrentVersion"="4.0"
"SystemRoot"="C:\\\\WINNT"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SMS\\Setup]
"Full Version"="2.00.1493.2000"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1-2-3-1001]
"ProfileImagePath"=hex(2):$(hex2 '%SystemRoot%\Profiles\Kim')

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1-2-3-1002]
"ProfileImagePath"=hex(2):$(hex2 'D:\Profiles\Far')

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1-2-3-1003]
"ProfileImagePath"=hex(2):$(hex2 '%SystemDrive%\..\..\outside')
EOF
"$MKHIVE" --root 'CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}' \
    --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$tmp/nt4-SOFTWARE" \
    "$tmp/nt4-software.reg" || { echo "FAIL: mkhive" >&2; exit 1; }
mk_nt4() {
	_d="$1"
	mkdir -p "$_d/WINNT/System32/config" "$_d/WINNT/Profiles/Kim"
	cp "$H/system/SYSTEM" "$_d/WINNT/System32/config/SYSTEM"
	cp "$tmp/nt4-SOFTWARE" "$_d/WINNT/System32/config/SOFTWARE"
	cp "$H/ntuser/NTUSER.DAT" "$_d/WINNT/Profiles/Kim/NTUSER.DAT"
	# Not an Alpha: Q268499 leaves this one alone.
	echo "x86 counters" > "$_d/WINNT/System32/nmperf.dll"
}

v="$tmp/v"
mkdir -p "$v"
mk_xp "$v/xp"
mk_nt4 "$v/nt4"
# Something outside the volumes that a planted link could reach.
mkdir -p "$tmp/outside"
cp "$H/ntuser/NTUSER.DAT" "$tmp/outside/NTUSER.DAT"
cd "$v" || exit 1
fingerprint "$v" > "$tmp/v.before"

# --- scan: every remedy on both machines, in one command -------------------
# The whole library holds Q256211 and Q268499 back (possible: their
# symptoms are not in a hive); the dry run and apply below name the seeds
# whose changes this test follows.
SEEDS="Q256211 Q267971 Q268499 Q317061"
"$KBFIX" scan xp nt4 > scan.out 2> scan.err; rc=$?
[ $rc -eq 1 ] || bad "scan: exit $rc, want 1: $(cat scan.err)"
sed -n '/^==> xp <==$/,/^$/p' scan.out > scan-xp.out
sed -n '/^==> nt4 <==$/,/^$/p' scan.out > scan-nt4.out
grep -q "^Q268499 *possible *.*'xp/WINDOWS/system32/NMPERF.DLL' exists" \
    scan-xp.out || bad "scan: xp: Q268499 is not possible: $(cat scan-xp.out)"
grep -q "^Q268499 *not applicable *PROCESSOR_ARCHITECTURE is 'x86'" \
    scan-nt4.out || bad "scan: nt4: Q268499: $(cat scan-nt4.out)"
for id in Q267971 Q317061; do
	grep -q "^$id *applies" scan-xp.out || bad "scan: xp: $id"
	grep -q "^$id *applies" scan-nt4.out || bad "scan: nt4: $id"
done
grep -q "^Q256211 *possible" scan-xp.out || bad "scan: xp: Q256211"
grep -q "^Q256211 *possible" scan-nt4.out || bad "scan: nt4: Q256211"
# The summary closes the run.
grep -q '^TARGET  *RESULT  *CHANGES$' scan.out || bad "scan: no summary"
# Changes count keys, values and files: Q267971's three keys deleted are
# 48 with everything below them, and Q317061's value 1; the seeds named,
# Q256211's values and Q268499's file too.
grep -q '^xp  *changes pending  *49$' scan.out ||
    bad "scan: summary xp: $(grep '^xp ' scan.out)"
grep -q '^nt4  *changes pending  *49$' scan.out ||
    bad "scan: summary nt4: $(grep '^nt4 ' scan.out)"
"$KBFIX" scan $SEEDS xp nt4 > scan-seeds.out 2> /dev/null
grep -q '^xp  *changes pending  *53$' scan-seeds.out ||
    bad "scan: seeds: $(grep '^xp ' scan-seeds.out)"
grep -q '^nt4  *changes pending  *51$' scan-seeds.out ||
    bad "scan: seeds: $(grep '^nt4 ' scan-seeds.out)"
# ProfileList: the other volume is a note, ".." is refused and named.
grep -q "ProfileList: the profile of S-1-5-21-1-2-3-1002 ('D:.Profiles.Far') is not in 'nt4'" \
    scan.err || bad "scan: no note of the profile on D: $(cat scan.err)"
grep -q "warning: ProfileList entry S-1-5-21-1-2-3-1003: '.*': '\.\.' is not allowed" \
    scan.err || bad "scan: '..' in ProfileList not refused: $(cat scan.err)"
ok

# --- the dry run: every hive and the file, in one command ------------------
"$KBFIX" --dry-run $SEEDS xp nt4 > dry.out 2> dry.err; rc=$?
[ $rc -eq 1 ] || bad "dry run: exit $rc, want 1"
for h in "xp/WINDOWS/system32/CONFIG/system" \
    "xp/Documents and Settings/Pat/NTUSER.DAT" \
    "xp/Documents and Settings/lee/ntuser.dat" \
    "nt4/WINNT/System32/config/SYSTEM" "nt4/WINNT/Profiles/Kim/NTUSER.DAT"; do
	grep -qF "# hive '$h'" dry.out || bad "dry run: hive '$h' missing"
done
grep -qF "+file 'xp/WINDOWS/system32/Nmperf.dll.disabled-by-kbfix-Q268499'" \
    dry.out || bad "dry run: no rename of Nmperf.dll"
grep -q "outside" dry.out && bad "dry run: a hive outside the volume was used"
grep -qi "^# hive '.*software'" dry.out && bad "dry run: SOFTWARE changed"
ok

# --- JSON: one line per target, parsed by jq -------------------------------
"$KBFIX" --dry-run --format json $SEEDS xp nt4 > dry.json 2> dryj.err; rc=$?
[ $rc -eq 1 ] || bad "json dry run: exit $rc"
[ "$(jq -s length dry.json)" = 2 ] || bad "json: want 2 documents"
jq -e -s 'all(.format == "kbfix-plan" and .version == 1)' dry.json \
    > /dev/null || bad "json: format or version"
[ "$(jq -r 'select(.target == "xp") | .changes' dry.json)" = 8 ] ||
    bad "json: xp changes"
[ "$(jq -r 'select(.target == "nt4") | .hives | length' dry.json)" = 3 ] ||
    bad "json: nt4 hives (SYSTEM, SOFTWARE and Kim's NTUSER.DAT)"
jq -r 'select(.target == "xp") | .entries[] | select(.id == "Q268499") |
    .changes[0] | .kind + " " + .windows_path' dry.json |
    grep -qx 'rename-file %SystemRoot%\\System32\\Nmperf.dll' ||
    bad "json: Q268499's change"
# The text of a deleted key's values, and the old and new values.
jq -e -s '.[] | select(.target == "xp") | .entries[] | select(.id == "Q317061") |
    .changes[0] | .old.text == "M" and .new.text == "" and
    .new.type == "REG_SZ"' dry.json > /dev/null ||
    bad "json: DriveLetter: $(jq -c '.entries[] | select(.id == "Q317061")' dry.json)"
jq -e -s '[.[] | select(.target == "nt4") | .entries[] | select(.id == "Q267971") |
    .changes[].deleted[].values[] | select(.name == "Library")] | length == 3' \
    dry.json > /dev/null || bad "json: deleted keys' contents"
"$KBFIX" scan --format json xp nonexistent > scan.json 2> scanj.err; rc=$?
[ $rc -eq 2 ] || bad "json scan with a missing target: exit $rc, want 2"
# The hive files given (here one that is not there) are the first target.
jq -e -s 'length == 2 and .[0].exit == 2 and (.[0].errors | length) > 0
    and .[1].exit == 1' scan.json > /dev/null ||
    bad "json: failed target: $(cat scan.json)"
# The summary goes to stderr: stdout stays JSON.
grep -q '^TARGET' scanj.err || bad "json: summary not on stderr"
ok

# --- apply --output: the targets untouched, DIR holds the changed files ----
"$KBFIX" apply --output "$tmp/out" --audit "$tmp/audit.jsonl" $SEEDS xp nt4 \
    > apply.out 2> apply.err; rc=$?
[ $rc -eq 0 ] || bad "apply --output: exit $rc: $(cat apply.err)"
fingerprint "$v" | grep -v '/\(scan\|dry\|apply\)[^/]*$' > "$tmp/v.after"
grep -v '/\(scan\|dry\|apply\)[^/]*$' "$tmp/v.before" > "$tmp/v.before2"
cmp -s "$tmp/v.before2" "$tmp/v.after" ||
    bad "apply --output changed the targets: $(diff "$tmp/v.before2" "$tmp/v.after")"
(cd "$tmp/out" && find . -type f ! -name '*-undo.reg' | LC_ALL=C sort) \
    > "$tmp/out.list"
cat > "$tmp/out.want" <<'EOF'
./nt4/WINNT/Profiles/Kim/NTUSER.DAT
./nt4/WINNT/System32/config/SYSTEM
./xp/Documents and Settings/Pat/NTUSER.DAT
./xp/Documents and Settings/lee/ntuser.dat
./xp/WINDOWS/system32/CONFIG/system
./xp/WINDOWS/system32/Nmperf.dll.disabled-by-kbfix-Q268499
EOF
cmp -s "$tmp/out.list" "$tmp/out.want" ||
    bad "output folder: $(diff "$tmp/out.want" "$tmp/out.list")"
cmp -s "$tmp/out/xp/WINDOWS/system32/Nmperf.dll.disabled-by-kbfix-Q268499" \
    xp/WINDOWS/system32/NMPERF.DLL || bad "output: the renamed copy differs"
# The remediated copies need nothing more.
"$KBFIX" --dry-run Q267971 Q317061 "$tmp/out/xp" > /dev/null 2>&1; rc=$?
[ $rc -eq 0 ] || bad "dry run on the output copy: exit $rc, want 0"
if command -v reglookup > /dev/null; then
	for h in "$tmp/out/xp/WINDOWS/system32/CONFIG/system" \
	    "$tmp/out/nt4/WINNT/Profiles/Kim/NTUSER.DAT"; do
		reglookup -H "$h" > /dev/null 2>&1 || bad "reglookup: '$h'"
	done
fi
ok

# --- the audit log ----------------------------------------------------------
A="$tmp/audit.jsonl"
jq -e . "$A" > /dev/null || bad "audit: not JSON lines"
jq -e -s '.[0].event == "start" and .[0].tool == "kbfix" and
    (.[0].version | length) > 0 and .[-1].event == "end" and .[-1].exit == 0
    and all(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' "$A" \
    > /dev/null || bad "audit: start, end or times"
# Each remedy with the SHA-256 of its file (the four seeds named).
jq -r 'select(.event == "remedy") | .sha256 + "  " + .file' "$A" \
    > "$tmp/remedies.sum"
[ "$(wc -l < "$tmp/remedies.sum")" -eq 4 ] || bad "audit: remedies"
sha256sum -c --quiet "$tmp/remedies.sum" || bad "audit: remedy hashes"
# Every file touched: its hash before (the target, unchanged) and after
# (the copy) are those of the files on disk.
jq -r 'select(.event == "file") |
    (if .path then .sha256_before + "  " + .path else empty end),
    (if .written then .sha256_after + "  " + .written else empty end)' \
    "$A" > "$tmp/files.sum"
# 5 hives and Nmperf.dll, before and after, 6 undo files and 2 undo
# manifests.
[ "$(grep -c . "$tmp/files.sum")" -eq 20 ] ||
    bad "audit: want 20 files: $(cat "$tmp/files.sum")"
sha256sum -c --quiet "$tmp/files.sum" || bad "audit: file hashes"
nch=$(jq -s '[.[] | .changes] | add' dry.json)
[ "$(jq -s '[.[] | select(.event == "change")] | length' "$A")" = "$nch" ] ||
    bad "audit: want $nch change records"
jq -e -s '[.[] | select(.event == "result")] | length == 2 and
    all(.exit == 0)' "$A" > /dev/null || bad "audit: results"
# Applying again to the same output folder refuses to overwrite it.
"$KBFIX" apply -q --output "$tmp/out" $SEEDS xp nt4 > /dev/null 2> again.err; rc=$?
[ $rc -eq 2 ] || bad "second apply into the same output folder: exit $rc"
grep -q "exists: kbfix does not overwrite" again.err ||
    bad "second apply: $(cat again.err)"
# The output folder may not be inside the target.
"$KBFIX" apply -q --output xp/out xp > /dev/null 2> inside.err; rc=$?
[ $rc -eq 2 ] || bad "--output inside the target: exit $rc"
grep -q "is inside the target 'xp'" inside.err ||
    bad "--output inside: $(cat inside.err)"
[ -e xp/out ] && bad "--output inside: a folder was made"
"$KBFIX" apply -q --output "$tmp/out2" --audit xp/audit.jsonl xp \
    > /dev/null 2> inside2.err; rc=$?
[ $rc -eq 2 ] && grep -q "audit log 'xp/audit.jsonl' is inside the target" \
    inside2.err || bad "--audit inside the target: exit $rc"
[ -e xp/audit.jsonl ] || [ -e "$tmp/out2" ] && bad "--audit inside: written"
ok

# --- apply in place, on copies; then undo everything ------------------------
w="$tmp/w"
mkdir -p "$w"
mk_xp "$w/xp"
mk_nt4 "$w/nt4"
cd "$w" || exit 1
"$KBFIX" apply $SEEDS xp nt4 > apply.out 2> apply.err; rc=$?
[ $rc -eq 0 ] || bad "apply: exit $rc: $(cat apply.err)"
[ -f xp/WINDOWS/system32/Nmperf.dll.disabled-by-kbfix-Q268499 ] &&
    [ ! -e xp/WINDOWS/system32/NMPERF.DLL ] || bad "apply: Nmperf.dll"
[ -f nt4/WINNT/System32/nmperf.dll ] || bad "apply: the x86 nmperf.dll moved"
"$KBFIX" scan xp nt4 > rescan.out 2>&1; rc=$?
[ $rc -eq 0 ] || bad "scan after apply: exit $rc: $(cat rescan.out)"
fu=$(sed -n "s/^kbfix: undo file of the file changes '\(.*\)'$/\1/p" apply.out)
case "$fu" in xp/WINDOWS/kbfix-*-files-undo.reg) ;;
	*) bad "files undo file '$fu'" ;; esac
grep -q '^; kbfix-move: "%SystemRoot%\\\\system32\\\\Nmperf.dll.disabled-by-kbfix-Q268499" "%SystemRoot%\\\\system32\\\\NMPERF.DLL" sha256 [0-9a-f]\{64\}$' "$fu" ||
    bad "files undo: $(cat "$fu")"
"$KBFIX" undo "$fu" xp > undo.out 2>&1; rc=$?
[ $rc -eq 0 ] || bad "undo of the files: exit $rc: $(cat undo.out)"
cmp -s xp/WINDOWS/system32/NMPERF.DLL "$v/xp/WINDOWS/system32/NMPERF.DLL" ||
    bad "undo: NMPERF.DLL not back"
"$KBFIX" undo "$fu" xp > undo2.out 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "nothing to do" undo2.out ||
    bad "second undo of the files: exit $rc: $(cat undo2.out)"
"$KBFIX" undo "$fu" xp/WINDOWS/system32/CONFIG/system > undo3.out 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "puts back files: give the Windows folder" undo3.out ||
    bad "files undo given a hive: exit $rc"
for h in xp/WINDOWS/system32/CONFIG/system "xp/Documents and Settings/lee/ntuser.dat" \
    "xp/Documents and Settings/Pat/NTUSER.DAT"; do
	u=$(sed -n "s|^kbfix: '$h': undo file '\(.*\)'$|\1|p" apply.out)
	"$KBFIX" undo -q "$u" "$h" > /dev/null 2>&1 || bad "undo '$h'"
done
"$KBFIX" --dry-run $SEEDS xp > redry.out 2>&1; rc=$?
[ $rc -eq 1 ] || bad "after undo, xp has nothing pending: exit $rc"
cmp -s redry.out "$v/dry.out" 2>/dev/null
sed -n '/^==> xp <==$/,/^==> nt4 <==$/p' "$v/dry.out" | sed '1d;$d' |
    sed '$d' > dry-xp.want
cmp -s redry.out dry-xp.want ||
    bad "after undo, the dry run differs: $(diff dry-xp.want redry.out | head)"
ok

# --- delete-file: the file is kept in the backup place ----------------------
cat > "$tmp/Q999001.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<remedy xmlns="urn:kbfix:remedy:1" id="Q999001">
  <title>Test: delete a file</title>
  <article number="Q999001">
    <product>kbfix tests</product>
    <symptom>A stray file.</symptom>
    <workaround>Delete %SystemRoot%\System32\Stray.dll.</workaround>
  </article>
  <summary>Deletes Stray.dll.</summary>
  <hive name="SYSTEM"/>
  <when>
    <file-exists path="%SystemRoot%\System32\Stray.dll"/>
  </when>
  <actions>
    <delete-file path="%SystemRoot%\System32\Stray.dll"/>
  </actions>
</remedy>
EOF
echo stray > xp/WINDOWS/system32/STRAY.DLL
mkdir -p "$tmp/bk"
"$KBFIX" apply --no-backup --backup-dir "$tmp/bk" "$tmp/Q999001.xml" xp \
    > del.out 2>&1; rc=$?
[ $rc -eq 2 ] || bad "--no-backup with --backup-dir: exit $rc"
"$KBFIX" apply --backup-dir "$tmp/bk" "$tmp/Q999001.xml" xp > del.out 2>&1
rc=$?
[ $rc -eq 0 ] || bad "delete-file: exit $rc: $(cat del.out)"
[ ! -e xp/WINDOWS/system32/STRAY.DLL ] || bad "delete-file: still there"
kept=$(sed -n "s/^kbfix: '.*STRAY.DLL': deleted, kept as '\(.*\)'$/\1/p" del.out)
[ -n "$kept" ] && [ "$(cat "$kept")" = stray ] || bad "delete-file: kept '$kept'"
fu=$(sed -n "s/^kbfix: undo file of the file changes '\(.*\)'$/\1/p" del.out)
case "$fu" in "$tmp/bk/"*) ;; *) bad "delete-file: undo file '$fu'" ;; esac
# The backup is named inside the backup folder the file records, never
# by an absolute path.
grep -q "^; kbfix-move: \"%BackupDir%\\\\\\\\STRAY.DLL.kbfix-[0-9TZ]*.bak\" \"%SystemRoot%\\\\\\\\system32\\\\\\\\STRAY.DLL\" sha256 " "$fu" &&
    grep -q "^; kbfix-backup-dir: \"$(cd "$tmp/bk" && pwd -P)\"$" "$fu" ||
    bad "delete-file: backup not in %BackupDir%: $(cat "$fu")"
"$KBFIX" undo "$fu" xp > undel.out 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(cat xp/WINDOWS/system32/STRAY.DLL)" = stray ] ||
    bad "undo of delete-file: exit $rc: $(cat undel.out)"
# With --output, a deleted file is only left out of the copy.
"$KBFIX" apply --output "$tmp/out-del" "$tmp/Q999001.xml" xp > del2.out 2>&1
rc=$?
[ $rc -eq 0 ] && [ -f xp/WINDOWS/system32/STRAY.DLL ] &&
    grep -q "left out of the output folder" del2.out ||
    bad "delete-file --output: exit $rc: $(cat del2.out)"
ok

# --- never leave the target -------------------------------------------------
s="$tmp/s"
# A hive that is a link to a file outside.
mkdir -p "$s/link-hive/Windows/System32/config"
ln -s "$H/system-alpha/SYSTEM" "$s/link-hive/Windows/System32/config/SYSTEM"
"$KBFIX" scan "$s/link-hive" > /dev/null 2> lh.err; rc=$?
[ $rc -eq 2 ] || bad "linked hive: exit $rc, want 2"
grep -qF "'$s/link-hive/Windows/System32/config/SYSTEM' is a symbolic link: not followed" \
    lh.err || bad "linked hive: $(cat lh.err)"
# A folder on the way that is a link out.
mkdir -p "$s/link-dir/Windows"
ln -s "$(dirname "$H/system-alpha/SYSTEM")" "$s/link-dir/Windows/System32"
"$KBFIX" scan "$s/link-dir" > /dev/null 2> ld.err; rc=$?
[ $rc -eq 2 ] || bad "linked System32: exit $rc, want 2"
# Nmperf.dll a link to a file outside: apply refuses, the file is intact.
mk_xp "$s/link-dll"
echo precious > "$tmp/outside/precious.dll"
rm "$s/link-dll/WINDOWS/system32/NMPERF.DLL"
ln -s "$tmp/outside/precious.dll" "$s/link-dll/WINDOWS/system32/Nmperf.dll"
"$KBFIX" apply Q268499 "$s/link-dll" > /dev/null 2> ldll.err; rc=$?
[ $rc -eq 2 ] || bad "linked Nmperf.dll: exit $rc, want 2"
grep -qF "'$s/link-dll/WINDOWS/system32/Nmperf.dll' is a symbolic link: not followed" \
    ldll.err || bad "linked Nmperf.dll: $(cat ldll.err)"
[ -L "$s/link-dll/WINDOWS/system32/Nmperf.dll" ] &&
    [ "$(cat "$tmp/outside/precious.dll")" = precious ] ||
    bad "linked Nmperf.dll: touched"
# A profile that is a link out: a warning naming it, and not used.
mk_xp "$s/link-profile"
ln -s "$tmp/outside" "$s/link-profile/Documents and Settings/Evil"
"$KBFIX" --dry-run "$s/link-profile" > lp.out 2> lp.err; rc=$?
[ $rc -eq 1 ] || bad "linked profile: exit $rc, want 1"
grep -qF "warning: '$s/link-profile/Documents and Settings/Evil' is a symbolic link leading out of" \
    lp.err || bad "linked profile: $(cat lp.err)"
grep -q "outside" lp.out && bad "linked profile: followed"
ok

# --- a read-only target: apply stops and says how -----------------------------
if unshare -m true 2> /dev/null; then
	r="$tmp/ro"
	mk_xp "$r/xp"
	fingerprint "$r" > "$tmp/ro.before"
	unshare -m sh -c "mount --bind -o ro '$r' '$r' &&
	    '$KBFIX' apply '$r/xp' > '$tmp/ro.out' 2> '$tmp/ro.err';
	    echo \$? > '$tmp/ro.rc';
	    '$KBFIX' apply -q --output '$tmp/ro-out' '$r/xp' > /dev/null 2>&1;
	    echo \$? > '$tmp/ro2.rc'"
	[ "$(cat "$tmp/ro.rc" 2>/dev/null)" = 2 ] ||
	    bad "read-only: exit $(cat "$tmp/ro.rc" 2>/dev/null), want 2"
	grep -q "is on a read-only file system.*--output DIR" "$tmp/ro.err" ||
	    bad "read-only: $(cat "$tmp/ro.err")"
	[ "$(cat "$tmp/ro2.rc" 2>/dev/null)" = 0 ] ||
	    bad "read-only with --output: exit $(cat "$tmp/ro2.rc" 2>/dev/null)"
	[ -f "$tmp/ro-out/WINDOWS/system32/CONFIG/system" ] ||
	    bad "read-only with --output: no copy"
	fingerprint "$r" | cmp -s - "$tmp/ro.before" || bad "read-only: changed"
	ok
else
	echo "note: cannot mount read-only here (unshare -m): that part is not run"
fi

# --- many targets, some broken ----------------------------------------------
m="$tmp/many"
mkdir -p "$m"
i=1
while [ $i -le 50 ]; do
	t="$m/t$i"
	case $i in
	*3) mkdir -p "$t/empty" ;;			# no Windows folder
	*7) mkdir -p "$t/Windows/System32/config"	# not a hive
	    echo "not a hive" > "$t/Windows/System32/config/SYSTEM" ;;
	*)  mkdir -p "$t/Windows/System32/config"
	    cp "$H/system/SYSTEM" "$t/Windows/System32/config/SYSTEM"
	    cp "$H/software-sms/SOFTWARE" \
		"$t/Windows/System32/config/SOFTWARE" ;;
	esac
	i=$((i + 1))
done
(cd "$m" && "$KBFIX" scan Q267971 t* > "$tmp/many.out" 2> "$tmp/many.err")
rc=$?
[ $rc -eq 2 ] || bad "50 targets: exit $rc, want 2"
[ "$(grep -c '^t[0-9]*  *error  *-$' "$tmp/many.out")" = 10 ] ||
    bad "50 targets: want 10 errors in the summary"
[ "$(grep -c '^t[0-9]*  *changes pending  *48$' "$tmp/many.out")" = 40 ] ||
    bad "50 targets: want 40 pending"
grep -q '^kbfix: 50 targets, exit 2$' "$tmp/many.out" ||
    bad "50 targets: last line"
# The same with -j 2: two workers, the same report, byte for byte.
(cd "$m" && "$KBFIX" scan -j 2 Q267971 t* > "$tmp/many2.out" \
    2> "$tmp/many2.err")
rc=$?
[ $rc -eq 2 ] || bad "50 targets, -j 2: exit $rc, want 2"
cmp -s "$tmp/many.out" "$tmp/many2.out" ||
    bad "50 targets: the report of -j 2 differs from -j 1"
cmp -s "$tmp/many.err" "$tmp/many2.err" ||
    bad "50 targets: the messages of -j 2 differ from -j 1"
[ "$(grep -c "^kbfix: error: " "$tmp/many2.err")" = 10 ] ||
    bad "50 targets, -j 2: want 10 error messages"
(cd "$m" && "$KBFIX" --dry-run -j 2 Q267971 t* > "$tmp/many3.out" \
    2> /dev/null)
rc=$?
[ $rc -eq 2 ] || bad "50 targets, dry run -j 2: exit $rc, want 2"
[ "$(grep -c '^t[0-9]*  *changes pending  *48$' "$tmp/many3.out")" = 40 ] ||
    bad "50 targets, dry run -j 2: want 40 pending"

# On a terminal, a progress line on standard error, erased before anything
# else is printed: without it, what the terminal shows is the report of a
# run without a terminal.  script(1) gives the run a terminal; the delay
# before the line appears (KBFIX_PROGRESS_DELAY, 1 s by default) is 0 here
# so that even a short run shows it.
if command -v script > /dev/null; then
	for j in 1 2; do
		(cd "$m" && KBFIX_PROGRESS_DELAY=0 script -qec \
		    "'$KBFIX' scan -j $j Q267971 t*" /dev/null \
		    > "$tmp/tty$j.out" 2>&1 < /dev/null)
		grep -q "kbfix: 0 of 50 targets done, $j running (0:00)" \
		    "$tmp/tty$j.out" || bad "-j $j: no progress line"
		grep -q "kbfix: [0-9]* of 50 targets done.*, [0-9]* with trouble" \
		    "$tmp/tty$j.out" || bad "-j $j: no count of trouble"
		# Erase the lines as the terminal does, and drop its CRs.
		tr -d '\r' < "$tmp/tty$j.out" |
		    sed 's/kbfix: [0-9]* of 50 targets done[^\x1b]*\x1b\[K//g; s/\x1b\[K//g' \
		    > "$tmp/tty$j.txt"
		cat "$tmp/many.err" "$tmp/many.out" | LC_ALL=C sort > "$tmp/plain"
		LC_ALL=C sort "$tmp/tty$j.txt" > "$tmp/shown"
		cmp -s "$tmp/plain" "$tmp/shown" ||
		    bad "-j $j: the terminal shows more than the report: $(diff "$tmp/plain" "$tmp/shown" | head -5)"
	done
	(cd "$m" && KBFIX_PROGRESS_DELAY=0 script -qec \
	    "'$KBFIX' scan --no-progress -j 2 Q267971 t*" /dev/null \
	    > "$tmp/tty.out" 2>&1 < /dev/null)
	grep -q "targets done" "$tmp/tty.out" && bad "--no-progress: a progress line"
	(cd "$m" && KBFIX_PROGRESS_DELAY=3599 script -qec \
	    "'$KBFIX' scan -j 2 Q267971 t*" /dev/null > "$tmp/tty.out" 2>&1 < /dev/null)
	grep -q "targets done" "$tmp/tty.out" && bad "a short run shows a progress line"
	grep -q "^kbfix: 50 targets, exit 2" "$tmp/tty.out" || bad "tty: no summary"
else
	bad "script (util-linux) is missing: the progress line is not tested"
fi
# Not a terminal: no progress line, unless --progress.
grep -q "targets done" "$tmp/many2.err" && bad "a progress line without a terminal"
(cd "$m" && "$KBFIX" scan --progress Q267971 t* 2>&1 > /dev/null) |
    grep -q "kbfix: 4[0-9] of 50 targets done, 1 running, 10 with trouble" ||
    bad "--progress: no progress line"
ok

(cd "$m" && SOURCE_DATE_EPOCH=1000000000 "$KBFIX" apply -q \
    --output "$tmp/many-out" Q267971 t* \
    > "$tmp/manya.out" 2> "$tmp/manya.err"); rc=$?
[ $rc -eq 2 ] || bad "50 targets apply: exit $rc, want 2"
[ "$(cd "$tmp/many-out" && find . -name SYSTEM | wc -l)" = 40 ] ||
    bad "50 targets apply: want 40 copies"
[ "$(grep -c '^t[0-9]*  *changed  *48$' "$tmp/manya.out")" = 40 ] ||
    bad "50 targets apply: summary"
# apply -j 2: the same report and messages, the same 40 copies (as
# reglookup reads them: hivex stamps the times of the keys it writes).
(cd "$m" && SOURCE_DATE_EPOCH=1000000000 "$KBFIX" apply -q -j 2 \
    --audit "$tmp/many2.audit" --output "$tmp/many-out2" Q267971 t* \
    > "$tmp/manya2.out" 2> "$tmp/manya2.err"); rc=$?
[ $rc -eq 2 ] || bad "50 targets apply -j 2: exit $rc, want 2"
sed "s|$tmp/many-out/|OUT/|g" "$tmp/manya.out" > "$tmp/manya.1"
sed "s|$tmp/many-out2/|OUT/|g" "$tmp/manya2.out" > "$tmp/manya.2"
cmp -s "$tmp/manya.1" "$tmp/manya.2" || {
	bad "50 targets apply -j 2: the report differs from -j 1"
	diff "$tmp/manya.1" "$tmp/manya.2" | head -n 20 >&2
}
cmp -s "$tmp/manya.err" "$tmp/manya2.err" || {
	bad "50 targets apply -j 2: the messages differ from -j 1"
	diff "$tmp/manya.err" "$tmp/manya2.err" | head -n 20 >&2
}
(cd "$tmp/many-out" && find . -type f | LC_ALL=C sort) > "$tmp/copies1"
(cd "$tmp/many-out2" && find . -type f | LC_ALL=C sort) > "$tmp/copies2"
cmp -s "$tmp/copies1" "$tmp/copies2" ||
    bad "50 targets apply -j 2: other files than -j 1"
# The workers' audit records: whole lines, 120 changes, 40 hives, their
# 40 undo files and 40 manifests written, with the hashes of the copies,
# the 80 hives read (SYSTEM and SOFTWARE) and the remedy's verdict on
# each, 50 results.
jq -r .event "$tmp/many2.audit" | LC_ALL=C sort | uniq -c |
    awk '{ printf "%s=%s ", $2, $1 }' > "$tmp/events"
[ "$(cat "$tmp/events")" = "change=120 end=1 file=120 input=80 remedy=1 result=50 start=1 verdict=40 " ] ||
    bad "50 targets apply -j 2: audit records $(cat "$tmp/events")"
jq -r 'select(.event == "file") | "\(.sha256_after)  \(.written)"' \
    "$tmp/many2.audit" > "$tmp/sums2"
(cd "$m" && sha256sum -c --quiet "$tmp/sums2") ||
    bad "50 targets apply -j 2: audit hashes"
for f in $(grep '/SYSTEM$' "$tmp/copies1"); do
	[ "$(listing "$tmp/many-out/$f")" = "$(listing "$tmp/many-out2/$f")" ] ||
	    bad "50 targets apply -j 2: $f differs from -j 1"
done
ok

finish
