#!/bin/sh
# cli_undo.sh: an undo file is checked like a hive.  Each attack on one
# (cut short, altered, written for another hive, a value changed since,
# /dev/zero, a FIFO, an oversized file, a move path that is absolute, climbs
# out with "..", or passes a symbolic link) exits 2 with one message and
# leaves every byte as it was; --force restores a value changed since and
# says so.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
H=$top_builddir/tests/hives
A=$top_srcdir/tests/actions
MKHIVE=$top_builddir/tests/mkhive
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"

# sums DIR: every file below DIR (links as links) with its SHA-256.
sums() {
	(cd "$1" && find . \( -type f -o -type l \) -print | LC_ALL=C sort |
	    while IFS= read -r f; do
		if [ -L "$f" ]; then
			echo "link $f -> $(readlink "$f")"
		else
			echo "$(sha256sum < "$f" | cut -c1-64) $f"
		fi
	    done)
}

# refused LABEL DIR UNDOFILE TARGET [WANT [OPTION...]]: kbfix undo exits 2
# with one message (holding WANT) and nothing in DIR changes.
refused() {
	_label=$1 _dir=$2 _u=$3 _target=$4 _want=${5-}
	shift 4
	[ $# -gt 0 ] && shift
	sums "$_dir" > "$tmp/sums.before"
	(cd "$_dir" && "$KBFIX" undo "$@" "$_u" "$_target" > "$tmp/out" \
	    2> "$tmp/err"); rc=$?
	[ $rc -eq 2 ] || bad "$_label: exit $rc, want 2: $(cat "$tmp/err")"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] ||
	    bad "$_label: want one message: $(cat "$tmp/err")"
	[ -z "$_want" ] || grep -q -F -e "$_want" "$tmp/err" ||
	    bad "$_label: want '$_want' in: $(cat "$tmp/err")"
	sums "$_dir" > "$tmp/sums.after"
	cmp -s "$tmp/sums.before" "$tmp/sums.after" ||
	    bad "$_label: files changed: $(diff "$tmp/sums.before" \
	    "$tmp/sums.after")"
	ok
}

# --- a hive's undo file ---------------------------------------------------
d=$tmp/h
mkdir "$d"
cp "$H/system/SYSTEM" "$d/SYSTEM"
(cd "$d" && "$KBFIX" apply -q Q317061 Q256211 --drop-moved SYSTEM \
    > apply.out 2>&1) || bad "apply: $(cat "$d/apply.out")"
u=$(cd "$d" && ls SYSTEM.kbfix-*-undo.reg)
rm "$d/apply.out"
cp "$d/$u" "$tmp/good.reg"

# Cut short, at a line end and in the middle of a line.
head -n 20 "$tmp/good.reg" > "$d/cut.reg"
refused "cut at a line" "$d" cut.reg SYSTEM "cut short"
head -c 1500 "$tmp/good.reg" > "$d/cut.reg"
refused "cut in a line" "$d" cut.reg SYSTEM "cut short"
rm "$d/cut.reg"
# Altered: the value to restore, or the checksum.
sed 's/^"DriveLetter"="M"$/"DriveLetter"="X"/' "$tmp/good.reg" > "$d/alt.reg"
cmp -s "$d/alt.reg" "$tmp/good.reg" && bad "the alteration did nothing"
refused "altered" "$d" alt.reg SYSTEM "has been altered"
sed '$ s/sha256 0/sha256 1/; t; $ s/sha256 ./sha256 0/' "$tmp/good.reg" \
    > "$d/alt.reg"
cmp -s "$d/alt.reg" "$tmp/good.reg" && bad "the alteration did nothing"
refused "altered checksum" "$d" alt.reg SYSTEM "has been altered"
rm "$d/alt.reg"
# A .reg file that is not an undo file is bound to nothing: refused, and
# merged as such with --force, which is said.
printf 'Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"Current"=dword:00000007\n' \
    > "$tmp/plain.reg"
mkdir "$tmp/p"
cp "$H/system/SYSTEM" "$tmp/p/SYSTEM"
refused "a .reg file" "$tmp/p" ../plain.reg SYSTEM \
    "nothing binds it to 'SYSTEM'; give --force"
(cd "$tmp/p" && "$KBFIX" undo -q --force --no-backup ../plain.reg SYSTEM \
    > out 2> err)
rc=$?
[ $rc -eq 0 ] && grep -q "note: '../plain.reg' is not an undo file of kbfix" \
    "$tmp/p/err" || bad "a .reg file, --force: exit $rc: $(cat "$tmp/p/err")"
ok
# Not a regular file; larger than kbfix writes.
refused "/dev/zero" "$d" /dev/zero SYSTEM "is not a regular file"
mkfifo "$d/fifo.reg"
refused "a FIFO" "$d" fifo.reg SYSTEM "is not a regular file"
rm "$d/fifo.reg"
truncate -s 300M "$d/huge.reg" 2>/dev/null &&
    refused "oversized" "$d" huge.reg SYSTEM "larger than any undo file"
rm -f "$d/huge.reg"
# Written for a hive of another kind, or another name.
cp "$H/ntuser/NTUSER.DAT" "$d/NTUSER.DAT"
refused "another kind" "$d" "$u" NTUSER.DAT "written for a SYSTEM hive"
rm "$d/NTUSER.DAT"
cp "$d/SYSTEM" "$d/OTHER"
refused "another name" "$d" "$u" OTHER "written for the hive 'SYSTEM'"
rm "$d/OTHER"
# Another machine's hive (same fixture, built anew: another root key time)
# in the state the apply left: every entry holds, the hive is not the one.
o=$tmp/other
mkdir "$o"
"$MKHIVE" --root '$$$PROTO.HIV' --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' \
    "$o/SYSTEM" "$top_srcdir/tests/fixtures/system.reg" || bad "mkhive"
(cd "$o" && "$KBFIX" apply -q --no-backup Q317061 Q256211 --drop-moved \
    SYSTEM > /dev/null 2>&1) || bad "apply on the other hive"
rm -f "$o"/SYSTEM.kbfix-*-undo.reg
cp "$d/$u" "$o/$u"
refused "another machine's hive" "$o" "$u" SYSTEM \
    "is not the hive '$u' was written for"

# A value changed since the apply: refused, then restored with --force.
cat > "$tmp/later.reg" <<'EOF'
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet002\Services\EXIFS\Parameters]
"DriveLetter"="Q"
EOF
hivexregedit --merge "$d/SYSTEM" --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' \
    "$tmp/later.reg" || bad "hivexregedit"
refused "a value changed since" "$d" "$u" SYSTEM \
    "the value 'DriveLetter' of 'HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\EXIFS\\Parameters' is no longer what the apply left there: not undone (--force undoes it anyway)"
(cd "$d" && "$KBFIX" undo -q --force "$u" SYSTEM > out 2> err); rc=$?
[ $rc -eq 0 ] || bad "--force: exit $rc: $(cat "$d/err")"
grep -q "warning: the value 'DriveLetter' .* undone anyway (--force)" \
    "$d/err" || bad "--force does not say so: $(cat "$d/err")"
listing "$d/SYSTEM" > "$tmp/undone.lst"
listing "$H/system/SYSTEM" > "$tmp/orig.lst"
cmp -s "$tmp/undone.lst" "$tmp/orig.lst" ||
    bad "--force: not the original: $(diff "$tmp/orig.lst" "$tmp/undone.lst")"
ok
# Undone: a second undo finds nothing to do.
(cd "$d" && "$KBFIX" undo "$u" SYSTEM > out 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q "nothing to do" "$d/out" ||
    bad "undo again: exit $rc: $(cat "$d/out")"
ok

# --- the undo file of file changes ----------------------------------------
v=$tmp/vol
mkdir -p "$v/Windows/System32/config"
cp "$H/system-alpha/SYSTEM" "$v/Windows/System32/config/SYSTEM"
echo "Network Monitor performance counters" > "$v/Windows/System32/NMPERF.DLL"
echo "obsolete" > "$v/Windows/System32/obsolete.dll"
echo "host file" > "$tmp/outside"
(cd "$tmp" && "$KBFIX" apply -q "$A/Q9000006.xml" vol > apply.out 2>&1) ||
    bad "apply Q9000006: $(cat "$tmp/apply.out")"
fu=$(cd "$v/Windows" && ls kbfix-*-files-undo.reg)
[ -n "$fu" ] || bad "no files undo file"

# crafted NAME LINE...: an undo file of file changes with these kbfix-move
# lines and the right checksum, as an attacker would write it.
crafted() {
	_f=$v/Windows/$1
	shift
	printf 'Windows Registry Editor Version 5.00\n\n; kbfix-undo: files 1\n' \
	    > "$_f"
	for _l in "$@"; do
		printf '; kbfix-move: %s sha256 %s\n' "$_l" \
		    "$(sha256sum < "$tmp/outside" | cut -c1-64)" >> "$_f"
	done
	printf '; kbfix-end: sha256 %s\n' "$(sha256sum < "$_f" | cut -c1-64)" \
	    >> "$_f"
}
crafted abs.reg '"/'"${tmp#/}"'/outside" "%SystemRoot%\\System32\\in.dll"'
refused "an absolute move path" "$v" Windows/abs.reg . \
    "is neither a path in the Windows folder"
crafted abs2.reg '"%SystemRoot%\\System32\\config\\SYSTEM" "/'"${tmp#/}"'/moved-out"'
refused "a move out of the machine" "$v" Windows/abs2.reg . \
    "is not a path in the Windows folder"
crafted dotdot.reg '"%SystemRoot%\\..\\..\\outside" "%SystemRoot%\\System32\\in.dll"'
refused "a '..' move path" "$v" Windows/dotdot.reg . \
    "'..' is not allowed in a file path"
ln -s "$tmp/outside" "$v/Windows/System32/link.dll"
crafted link.reg '"%SystemRoot%\\System32\\link.dll" "%SystemRoot%\\System32\\in.dll"'
refused "a symbolic link" "$v" Windows/link.reg . \
    "is a symbolic link: not followed"
ln -s "$tmp" "$v/Windows/linkdir"
crafted linkdir.reg '"%SystemRoot%\\linkdir\\outside" "%SystemRoot%\\System32\\in.dll"'
refused "a linked folder" "$v" Windows/linkdir.reg . \
    "is a symbolic link: not followed"
rm -f "$v/Windows/abs.reg" "$v/Windows/abs2.reg" "$v/Windows/dotdot.reg" \
    "$v/Windows/link.reg" "$v/Windows/linkdir.reg" \
    "$v/Windows/System32/link.dll" "$v/Windows/linkdir"
# A file changed since it was moved: refused, then put back with --force.
echo "changed" >> "$v/Windows/System32/Nmperf.dll.disabled"
refused "a moved file changed since" "$v" "Windows/$fu" . \
    "is no longer what the apply left there: not put back"
(cd "$v" && "$KBFIX" undo -q --force "Windows/$fu" . > "$tmp/out" \
    2> "$tmp/err"); rc=$?
[ $rc -eq 0 ] && grep -q "put back anyway (--force)" "$tmp/err" &&
    [ -f "$v/Windows/System32/NMPERF.DLL" ] ||
    bad "files --force: exit $rc: $(cat "$tmp/err")"
[ "$(cat "$tmp/outside")" = "host file" ] || bad "the host file changed"
ok

finish
