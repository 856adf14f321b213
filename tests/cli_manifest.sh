#!/bin/sh
# cli_manifest.sh: an apply undone as a whole, and the record an examiner
# can hand in.  One apply over SYSTEM and NTUSER.DAT (or a Windows volume)
# leaves one undo manifest; kbfix undo MANIFEST (or the folder) puts every
# hive and file back together, and a fault in the second rename puts
# neither back; undo --output lays files out as apply --output does; an
# undo file's header names itself; scan says "done" after an apply, not
# "not applicable".  The audit log hashes every input (sha256sum agrees),
# gives each remedy's verdict, and its first record says where, who and on
# which library.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
H="$top_builddir/tests/hives"
SHIM="$top_builddir/tests/faultshim.so"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
# The fault shim is preloaded before ASan's runtime in a sanitizer build.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
command -v jq > /dev/null || { echo "FAIL: jq is missing" >&2; exit 1; }
cd "$tmp" || exit 2

# manifest OUT: the path of the undo manifest apply printed in OUT.
manifest() {
	sed -n "s/^kbfix: undo manifest '\([^']*\)' .*/\1/p" "$1"
}

# --- two hives, one manifest, one undo --------------------------------------
mkdir m m/cfg m/user
cp "$H/system/SYSTEM" m/cfg/SYSTEM
# The machine's SOFTWARE, where Q267971 reads SMS's service pack: read,
# never changed, so no part of the manifest.
cp "$H/software-sms/SOFTWARE" m/cfg/SOFTWARE
cp "$H/ntuser/NTUSER.DAT" m/user/NTUSER.DAT
listing m/cfg/SYSTEM > sys.before
listing m/user/NTUSER.DAT > user.before
(cd m && "$KBFIX" apply Q256211 Q267971 cfg/SYSTEM cfg/SOFTWARE \
    user/NTUSER.DAT) > a.out 2> a.err
rc=$?
[ $rc -eq 0 ] || bad "apply: exit $rc: $(cat a.err)"
M=$(manifest a.out)
[ "$M" = "cfg/$(cd m/cfg && ls kbfix-*-undo.reg)" ] ||
    bad "apply: one manifest beside the first hive, want it printed: $(cat a.out)"
[ "$(cd m && grep -c '^; kbfix-part: ' "$M")" -eq 2 ] ||
    bad "manifest: want 2 parts: $(cat "m/$M")"
# Each undo file names itself in its "apply it with" line.
for u in m/cfg/SYSTEM.kbfix-*-undo.reg m/user/NTUSER.DAT.kbfix-*-undo.reg; do
	rel=${u#m/}
	grep -qF "; Apply it with: kbfix undo '$rel' '" "$u" ||
	    bad "$u does not name itself: $(grep 'Apply it' "$u")"
done
ok
# scan: done, not "not applicable", while the apply's changes hold.
(cd m && "$KBFIX" scan Q256211 Q267971 cfg/SYSTEM cfg/SOFTWARE \
    user/NTUSER.DAT) > s.out
grep -q "^Q267971 *done *applied by kbfix ('cfg/SYSTEM.kbfix-[0-9TZ]*-undo.reg' undoes it); no key matches" s.out &&
    grep -q "^Q256211 *done *applied by kbfix" s.out ||
    bad "scan after apply: $(cat s.out)"
cp "$H/system-clean/SYSTEM" clean
"$KBFIX" scan Q267971 clean > s2.out
grep -q "^Q267971 *not applicable" s2.out || bad "scan, never broken: $(cat s2.out)"
ok

# A fault in the second rename: neither hive is put back.
cp m/cfg/SYSTEM sys.applied
cp m/user/NTUSER.DAT user.applied
(cd m && KBFIX_FAULT=rename:2 LD_PRELOAD="$SHIM" "$KBFIX" undo "$M") \
    > f.out 2> f.err
rc=$?
[ $rc -eq 2 ] || bad "undo, second rename fails: exit $rc"
grep -q "nothing was changed" f.err || bad "undo, second rename: $(cat f.err)"
cmp -s m/cfg/SYSTEM sys.applied && cmp -s m/user/NTUSER.DAT user.applied ||
    bad "undo, second rename fails: a hive was left changed"
[ "$(cd m && ls cfg user | grep -c kbfix-tmp)" -eq 0 ] ||
    bad "undo, second rename fails: temporary files left"
ok
# Then both at once.
(cd m && "$KBFIX" undo -q "$M") > u.out 2> u.err
rc=$?
[ $rc -eq 0 ] || bad "undo MANIFEST: exit $rc: $(cat u.err)"
[ "$(listing m/cfg/SYSTEM)" = "$(cat sys.before)" ] &&
    [ "$(listing m/user/NTUSER.DAT)" = "$(cat user.before)" ] ||
    bad "undo MANIFEST: the hives are not what they were"
witness m/cfg/SYSTEM
witness m/user/NTUSER.DAT
(cd m && "$KBFIX" scan Q267971 cfg/SYSTEM cfg/SOFTWARE) |
    grep -q "^Q267971 *applies" ||
    bad "scan after undo: not 'applies'"
(cd m && "$KBFIX" undo "$M") > u2.out 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "^kbfix: nothing to do$" u2.out ||
    bad "undo MANIFEST again: exit $rc: $(cat u2.out)"
ok

# --- a Windows volume: hives, a user, a file, with --backup-dir --------------
mkvol() {
	rm -rf "$1"
	mkdir -p "$1/WINDOWS/system32/config" "$1/Documents and Settings/Kim"
	cp "$H/system-alpha/SYSTEM" "$1/WINDOWS/system32/config/SYSTEM"
	cp "$H/software-sms/SOFTWARE" "$1/WINDOWS/system32/config/SOFTWARE"
	cp "$H/ntuser/NTUSER.DAT" "$1/Documents and Settings/Kim/NTUSER.DAT"
	echo counters > "$1/WINDOWS/system32/nmperf.dll"
}
mkvol v
(cd v && find . -type f -exec sha256sum {} +) > v.before
"$KBFIX" apply --backup-dir bk Q256211 Q267971 Q268499 v > b.out 2> b.err
rc=$?
[ $rc -eq 0 ] || bad "apply --backup-dir: exit $rc: $(cat b.err)"
B=$(manifest b.out)
case $B in bk/kbfix-*-undo.reg) ;; *) bad "manifest not in --backup-dir: '$B'" ;; esac
[ "$(grep -c '^; kbfix-part: ' "$B")" -eq 3 ] &&
    grep -q '^; kbfix-part: "WINDOWS" "%BackupDir%\\\\kbfix-[0-9TZ]*-files-undo.reg"$' "$B" ||
    bad "manifest of a volume: $(grep kbfix- "$B")"
[ -e v/WINDOWS/system32/nmperf.dll ] && bad "apply: Nmperf.dll not renamed"
# The volume moved: the manifest's parts are found below FOLDER.
mv v w
"$KBFIX" undo -q "$B" w > c.out 2> c.err
rc=$?
[ $rc -eq 0 ] || bad "undo MANIFEST FOLDER: exit $rc: $(cat c.err)"
[ "$(cat w/WINDOWS/system32/nmperf.dll 2>/dev/null)" = counters ] ||
    bad "undo MANIFEST FOLDER: Nmperf.dll not back"
[ "$(listing w/WINDOWS/system32/config/SYSTEM)" = "$(listing "$H/system-alpha/SYSTEM")" ] ||
    bad "undo MANIFEST FOLDER: SYSTEM not back"
ok

# kbfix undo FOLDER: the newest manifest apply left in its Windows folder;
# --output lays the files out as apply --output does.
mkvol v
"$KBFIX" apply -q Q256211 Q267971 v > /dev/null 2>&1 || bad "apply v"
(cd v && find . \( -name SYSTEM -o -name NTUSER.DAT \) -exec sha256sum {} +) \
    > v.applied
mkvol v2
"$KBFIX" apply -q --output ao Q256211 Q267971 v2 > /dev/null 2>&1 ||
    bad "apply --output"
"$KBFIX" undo --output uo v > o.out 2> o.err
rc=$?
[ $rc -eq 0 ] || bad "undo --output FOLDER: exit $rc: $(cat o.err)"
grep -q "^kbfix: note: undoing the apply of 'v/WINDOWS/kbfix-[0-9TZ]*-undo.reg'$" o.err ||
    bad "undo FOLDER: which manifest: $(cat o.err)"
(cd ao && find . -name SYSTEM -o -name NTUSER.DAT | LC_ALL=C sort) > ao.list
(cd uo && find . -name SYSTEM -o -name NTUSER.DAT | LC_ALL=C sort) > uo.list
[ -s uo.list ] && cmp -s ao.list uo.list ||
    bad "undo --output: not laid out as apply --output: $(cat uo.list)"
(cd v && sha256sum -c --quiet ../v.applied) || bad "undo --output wrote the volume"
[ "$(listing uo/WINDOWS/system32/config/SYSTEM)" = "$(listing "$H/system-alpha/SYSTEM")" ] ||
    bad "undo --output: the copy is not the original"
ok

# A manifest is checked as an undo file is: altered, or naming a place out
# of its root, it is refused and nothing is written.
M2=$(ls v/WINDOWS/kbfix-*-undo.reg | head -1)
sed 's/^; kbfix-part: "WINDOWS/; kbfix-part: "..\\\\WINDOWS/' "$M2" > evil.reg
"$KBFIX" undo evil.reg v > e.out 2> e.err
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < e.err)" -eq 1 ] && grep -q "altered" e.err ||
    bad "altered manifest: exit $rc: $(cat e.err)"
(cd v && sha256sum -c --quiet ../v.applied) || bad "altered manifest: written"
# The same with its checksum made again: the part is out of the root.
head -n -1 evil.reg > evil2.reg
printf '; kbfix-end: sha256 %s\n' "$(sha256sum < evil2.reg | cut -d' ' -f1)" \
    >> evil2.reg
"$KBFIX" undo evil2.reg v > e.out 2> e.err
rc=$?
[ $rc -eq 2 ] && grep -q "is not a path below the manifest's root" e.err ||
    bad "manifest out of its root: exit $rc: $(cat e.err)"
(cd v && sha256sum -c --quiet ../v.applied) || bad "manifest out of its root: written"
ok

# --- the audit log --------------------------------------------------------------
mkvol x
A=$tmp/audit.jsonl
"$KBFIX" scan --audit "$A" x > /dev/null
"$KBFIX" apply -q --audit "$A" Q256211 Q267971 x > x.out 2>&1 || bad "apply --audit"
XM=$(manifest x.out)
"$KBFIX" undo -q --audit "$A" "$XM" > /dev/null 2>&1 || bad "undo --audit"
jq -e . "$A" > /dev/null || bad "audit: not JSON lines"
# The first record of each run: where, who, which library.
jq -r 'select(.event == "start") | [.cwd, .host, .user, (.uid|tostring),
    .library.path, .library.sha256, (.targets|length|tostring)] | @tsv' "$A" |
    sort -u > starts
[ "$(wc -l < starts)" -eq 1 ] || bad "audit: the runs' contexts differ: $(cat starts)"
IFS='	' read -r cwd host user uid lib libsum ntargets < starts
[ "$cwd" = "$(pwd -P)" ] && [ "$host" = "$(hostname)" ] &&
    [ "$uid" = "$(id -u)" ] && [ "$user" = "$(id -un)" ] ||
    bad "audit: cwd, host or user: $(cat starts)"
want=$(cd "$lib" && LC_ALL=C sha256sum *.xml | sha256sum | cut -d' ' -f1)
[ "$libsum" = "$want" ] || bad "audit: library checksum $libsum, want $want"
jq -e -s '[.[] | select(.event == "start") | .targets[0] | startswith("/")] | all' \
    "$A" > /dev/null || bad "audit: targets not absolute"
# Every hive read, changed or not, with its SHA-256 when read: the scan's
# and the apply's are the volume's hives before the apply.  SOFTWARE,
# which the apply only reads, the undo does not read.
jq -r 'select(.event == "input" and .role == "hive") | .abs_path' "$A" |
    grep -v '/SOFTWARE$' | sort | uniq -c | awk '{ print $1 }' | sort -u \
    > inputs.n
[ "$(cat inputs.n)" = 3 ] || bad "audit: each hive read thrice (scan, apply, undo): $(cat inputs.n)"
jq -r 'select(.event == "input" and .role == "hive") | .abs_path' "$A" |
    grep -c '/SOFTWARE$' > inputs.sw
[ "$(cat inputs.sw)" = 2 ] || bad "audit: SOFTWARE read $(cat inputs.sw) times, want 2"
jq -r 'select(.event == "input") | .sha256 + "  " + .abs_path' "$A" |
    head -3 > scan.sum
mkvol y
(cd y && find . \( -name SYSTEM -o -name SOFTWARE -o -name NTUSER.DAT \) \
    -exec sha256sum {} +) > y.sum
[ "$(cut -d' ' -f1 scan.sum | sort)" = "$(cut -d' ' -f1 y.sum | sort)" ] ||
    bad "audit: the hashes of the hives read are not those of the files"
# What the undo read was what the apply left: its input hashes are the
# apply's sha256_after.
jq -r 'select(.event == "file" and .role == "hive") | .sha256_after' "$A" |
    head -2 | sort > after.sum
jq -r 'select(.event == "input" and .role == "hive") | .sha256' "$A" |
    tail -2 | sort > undo-read.sum
cmp -s after.sum undo-read.sum || bad "audit: undo's inputs are not the apply's outputs"
# The files written and the undo files read: sha256sum agrees, now.
jq -r 'select(.event == "undo-file") | .sha256 + "  " + .path' "$A" > undo.sum
[ "$(wc -l < undo.sum)" -eq 3 ] || bad "audit: want the manifest and 2 undo files read"
sha256sum -c --quiet undo.sum || bad "audit: undo files' hashes"
jq -r 'select(.event == "file" and .role == "undo-manifest") | .written' "$A" |
    head -1 > mf
[ "$(cat mf)" = "$XM" ] || bad "audit: the manifest written: $(cat mf)"
# Each remedy's verdict on each target, with its reason: scan's 35 and
# apply's 2 (named).
nrem=$(jq -s '[.[] | select(.event == "remedy")] | length' "$A")
v=$(jq -s '[.[] | select(.event == "verdict" and (.reason | length) > 0)] | length' "$A")
[ "$v" -eq "$nrem" ] || bad "audit: $v verdicts with a reason for $nrem remedies"
jq -e -s '[.[] | select(.event == "verdict" and .remedy == "Q267971")] |
    (.[0].status == "applies" and .[0].changes > 0)' "$A" > /dev/null ||
    bad "audit: Q267971's verdict"
ok

# Real hives read: each with its SHA-256, and the transaction logs of a
# dirty one too (the real Windows 10 SYSTEM and its two logs).
if [ -d "${KBFIX_SHARED-}/hives-real" ]; then
	mkdir real
	unpack_real real > real.list
	R=$tmp/real.jsonl
	while read -r h; do
		"$KBFIX" scan --audit "$R" "$h" > /dev/null 2>&1
	done < real.list
	jq -r 'select(.event == "input") | .sha256 + "  " + .abs_path' "$R" \
	    > real.sum
	[ "$(jq -r 'select(.event == "input" and .role == "hive") | .path' \
	    "$R" | wc -l)" -eq "$(wc -l < real.list)" ] ||
	    bad "audit: not every real hive read is recorded"
	grep -q '/win10-1709-system-dirty/SYSTEM.LOG1$' real.sum &&
	    grep -q '/win10-1709-system-dirty/SYSTEM.LOG2$' real.sum ||
	    bad "audit: the logs of the dirty hive: $(cat real.sum)"
	sha256sum -c --quiet real.sum || bad "audit: the real hives' hashes"
	ok
elif [ -n "${CI-}" ]; then
	bad "../shared is missing"
else
	echo "note: ../shared is missing (KBFIX_SHARED): the real hives are not read"
fi

finish
