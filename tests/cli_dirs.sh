#!/bin/sh
# cli_dirs.sh: the folders kbfix is told to write to are made when they
# are missing: apply --backup-dir DIR (and removed again when the apply
# fails, which leaves the hive as it was), kbfix draft -o DIR; a path
# through a file is refused.  And a user's hive given alone says that its
# remedies need the machine's SYSTEM hive too, and how to give both.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
H="$top_builddir/tests/hives"
SHIM="$top_builddir/tests/faultshim.so"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
cd "$tmp" || exit 2

# --- apply --backup-dir: made, with its parents -------------------------
cp "$H/system/SYSTEM" SYSTEM
"$KBFIX" apply -q --backup-dir keep/2024/run Q317061 SYSTEM > out.txt 2>&1
rc=$?
[ $rc -eq 0 ] || bad "--backup-dir missing: exit $rc: $(cat out.txt)"
[ "$(ls keep/2024/run | grep -c '^SYSTEM\.kbfix-.*\.bak$')" -eq 1 ] &&
    [ "$(ls keep/2024/run | grep -c '^SYSTEM\.kbfix-.*-undo\.reg$')" -eq 1 ] ||
    bad "--backup-dir missing: holds: $(ls keep/2024/run 2>&1)"
ok

# A failed apply removes the folders it made, and nothing else changes.
rm -rf f && mkdir f && cp "$H/system/SYSTEM" f/SYSTEM
(cd f && KBFIX_FAULT=backup LD_PRELOAD="$SHIM" "$KBFIX" apply -q \
    --backup-dir bk/new Q317061 SYSTEM > ../out.txt 2>&1)
rc=$?
[ $rc -eq 2 ] || bad "--backup-dir, failed apply: exit $rc: $(cat out.txt)"
cmp -s f/SYSTEM "$H/system/SYSTEM" || bad "failed apply: the hive changed"
[ "$(ls -A f)" = SYSTEM ] || bad "failed apply: left behind: $(ls -A f)"
ok

# A path through a file: refused before anything is written.
: > plain-file
cp "$H/system/SYSTEM" SYSTEM
cp SYSTEM SYSTEM.before
"$KBFIX" apply -q --backup-dir plain-file/bk Q317061 SYSTEM > out.txt 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "'plain-file' is not a folder" out.txt ||
    bad "--backup-dir through a file: exit $rc: $(cat out.txt)"
cmp -s SYSTEM SYSTEM.before || bad "--backup-dir through a file: hive changed"
ok

# --- draft -o: made ------------------------------------------------------
cat > Q900017.txt <<'EOF'
DOCUMENT:Q900017  01-JAN-2001  [test]
TITLE   :Test: A Thing Fails
PRODUCT :Test Product

SYMPTOMS
========

A thing fails.

WORKAROUND
==========

Use Registry Editor to delete the following key:

  HKEY_LOCAL_MACHINE\System\CurrentControlSet\Services\FooBar

STATUS
======

Confirmed.
EOF
"$KBFIX" draft -o drafts/new Q900017.txt > out.txt 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '<delete-key path=' drafts/new/Q900017.xml ||
    bad "draft -o missing folder: exit $rc: $(cat out.txt)"
"$KBFIX" draft -o plain-file/x Q900017.txt > out.txt 2>&1
rc=$?
[ $rc -eq 2 ] && grep -qx "kbfix: error: 'plain-file' is not a folder" \
    out.txt || bad "draft -o through a file: exit $rc: $(cat out.txt)"
ok

# --- a user's hive alone --------------------------------------------------
mkdir u && cp "$H/ntuser/NTUSER.DAT" u/NTUSER.DAT
for verb in scan --dry-run apply; do
	"$KBFIX" $verb u/NTUSER.DAT > out.txt 2>&1
	rc=$?
	[ $rc -eq 2 ] || bad "$verb NTUSER.DAT alone: exit $rc"
	want="kbfix: error: 'u/NTUSER.DAT' is a user's hive (NTUSER): Q256211 changes it, but needs the SYSTEM hive, which was not given; give the machine's SYSTEM hive with it, as one machine ('kbfix $verb SYSTEM u/NTUSER.DAT', SYSTEM being Windows\\System32\\config\\SYSTEM of the same Windows), or the Windows volume that holds both"
	[ "$(cat out.txt)" = "$want" ] ||
	    bad "$verb NTUSER.DAT alone: $(cat out.txt)"
	ok
done
# Named: the same explanation.
"$KBFIX" --dry-run Q256211 u/NTUSER.DAT > out.txt 2>&1
grep -q "^kbfix: error: 'u/NTUSER.DAT' is a user's hive (NTUSER): Q256211 changes it" \
    out.txt || bad "--dry-run Q256211 NTUSER.DAT: $(cat out.txt)"
# And as it says, both together work.
cp "$H/system/SYSTEM" SYSTEM
"$KBFIX" scan SYSTEM u/NTUSER.DAT > out.txt 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q '^Q256211 *possible' out.txt ||
    bad "scan SYSTEM NTUSER.DAT: exit $rc: $(cat out.txt)"
# A remedy that does not change a user's hive keeps its own message.
"$KBFIX" --dry-run Q267971 u/NTUSER.DAT > out.txt 2>&1
grep -qx "kbfix: error: Q267971 needs the SYSTEM and SOFTWARE hives, which were not given" \
    out.txt || bad "--dry-run Q267971 NTUSER.DAT: $(cat out.txt)"
ok

finish
