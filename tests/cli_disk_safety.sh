#!/bin/sh
# cli_disk_safety.sh: evidence and failures on disk images (issue 16).
#
# apply --output and --overlay leave the image's SHA-256 as it was, and
# write what apply on the same files in a folder writes (the hives read
# through the overlay with libguestfs); the audit log holds the image's
# SHA-256 and the overlay's.  With --backup-dir, the undo manifest on this
# machine alone puts the whole apply back into the image.  A fault injected while apply writes into
# the image (tests/guestfault.so: an upload, a rename, the appliance
# killed; and qemu-img failing to commit) leaves the image byte-identical,
# exit 2, with a message.  An image another process holds open for writing
# is still scanned (JSON output read by jq) but apply refuses it; a
# hibernated Windows is refused too, and one that ntfs-3g mounts only
# read-only (the progress line saying meanwhile which image is being
# opened).
set -u
: "${top_builddir:?}" "${KBFIX:?}"
tmp=$(mktemp -d)
nbd=
trap '[ -n "$nbd" ] && kill "$nbd" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
. "$top_srcdir/tests/disklib.sh"
H="$top_builddir/tests/hives"
SHIM="$top_builddir/tests/guestfault.so"
# In the sanitizer build the shim comes before ASan's runtime.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
cd "$tmp" || exit 1
export SOURCE_DATE_EPOCH=1700000000
S=20231114T221320Z
# The seeds whose changes these tests follow (the whole library holds
# Q256211 back: its symptom is not in a hive).
SEEDS="Q256211 Q267971 Q317061"
sha() { sha256sum "$1" | cut -d' ' -f1; }

# The reference: apply on the same files in a folder.
mkdir -p win/Windows/System32/config win/Users/pat win/Users/lee
cp "$H/system/SYSTEM" "$H/software-sms/SOFTWARE" win/Windows/System32/config/
cp "$H/ntuser/NTUSER.DAT" win/Users/pat/
cp "$H/ntuser-path/NTUSER.DAT" win/Users/lee/
if [ -f "$IMAGES/dirty" ]; then
	mkdir -p win/Users/kim
	cp "$IMAGES/dirty-src/NTUSER.DAT" win/Users/kim/NTUSER.DAT
	cp "$IMAGES/dirty-src/NTUSER.DAT.LOG1" win/Users/kim/ntuser.dat.LOG1
	cp "$IMAGES/dirty-src/NTUSER.DAT.LOG2" win/Users/kim/ntuser.dat.LOG2
fi
cp -a win ref
"$KBFIX" apply --output refout $SEEDS win > /dev/null 2>&1 ||
    bad "apply --output on the folder"
HIVES="Windows/System32/config/SYSTEM Users/pat/NTUSER.DAT Users/lee/NTUSER.DAT"
[ -f "$IMAGES/dirty" ] && HIVES="$HIVES Users/kim/NTUSER.DAT"

# --- --output: the image is only read --------------------------------------
cp "$IMAGES/win.qcow2" out.qcow2
before=$(sha out.qcow2)
"$KBFIX" apply --output out --audit out.jsonl $SEEDS out.qcow2 > out.out \
    2> out.err; rc=$?
[ $rc -eq 0 ] || bad "apply --output: exit $rc: $(cat out.err)"
[ "$(sha out.qcow2)" = "$before" ] || bad "apply --output changed the image"
for h in $HIVES; do
	cmp -s "out/$h" "refout/$h" || bad "--output: '$h' differs"
done
[ -z "$(find out -name '*.bak')" ] || bad "--output: a backup in the output"
jq -e -s --arg s "$before" '[.[] | select(.event == "image")] | length == 1
    and .[0].sha256_before == $s and .[0].sha256_after == $s and
    .[0].access == "read-only"' out.jsonl > /dev/null ||
    bad "--output: the image's record: $(grep '"image"' out.jsonl)"
# The undo files name the hives in the image.
grep -qF "'out.qcow2:/Windows/System32/config/SYSTEM'" \
    "out/Windows/System32/config/SYSTEM.kbfix-$S-undo.reg" ||
    bad "--output: the undo file does not name the hive in the image"
no_tmp "--output"
ok

# --- --overlay: a new qcow2 over the untouched image -------------------------
cp "$IMAGES/win.qcow2" ov.qcow2
before=$(sha ov.qcow2)
"$KBFIX" apply --overlay new.qcow2 --audit ov.jsonl $SEEDS ov.qcow2 > ov.out \
    2> ov.err; rc=$?
[ $rc -eq 0 ] || bad "apply --overlay: exit $rc: $(cat ov.err)"
[ "$(sha ov.qcow2)" = "$before" ] || bad "apply --overlay changed the image"
qemu-img info new.qcow2 | grep -q "^backing file: $tmp/ov.qcow2\$" ||
    bad "--overlay: backing file: $(qemu-img info new.qcow2)"
grep -q "changes written to the overlay 'new.qcow2'" ov.out ||
    bad "--overlay: not said: $(cat ov.out)"
# Read through the overlay with libguestfs.
mkdir back
{
	echo "add new.qcow2 readonly:true format:qcow2"
	echo run
	echo "mount-ro /dev/sda1 /"
	for h in $HIVES; do
		echo "download /$h back/$(echo "$h" | tr / _)"
	done
} > read.fish
guestfish -f read.fish 2> fish.err || bad "guestfish: $(cat fish.err)"
# Byte for byte what apply on the folder wrote.
for h in $HIVES; do
	cmp -s "back/$(echo "$h" | tr / _)" "refout/$h" ||
	    bad "--overlay: '$h' differs from the folder's"
done
jq -e -s --arg s "$before" --arg o "$(sha new.qcow2)" \
    '[.[] | select(.event == "image")][0] | .sha256_before == $s and
    .sha256_after == $s and .access == "overlay" and .overlay_sha256 == $o' \
    ov.jsonl > /dev/null ||
    bad "--overlay: the image's record: $(grep '"image"' ov.jsonl)"
# Each file changed in the overlay: its SHA-256 as read back.
jq -r 'select(.event == "file" and .role == "hive") | .written + " " +
    .sha256_after' ov.jsonl > files.list
grep -q "^new.qcow2:/Windows/System32/config/SYSTEM $(sha back/Windows_System32_config_SYSTEM)\$" \
    files.list || bad "--overlay: audit: $(cat files.list)"
no_tmp "--overlay"
ok

# --- --backup-dir: one undo of it all from the manifest on this machine ------
# The manifest's root names the image's volume by its absolute path, so
# that the manifest alone finds the image again.
cp "$IMAGES/win.qcow2" bd.qcow2
"$KBFIX" apply --backup-dir bk $SEEDS bd.qcow2 > bd.out 2> bd.err ||
    bad "apply --backup-dir: $(cat bd.err)"
grep -qF "; kbfix-root: \"$(pwd -P)/bd.qcow2:/\"" "bk/kbfix-$S-undo.reg" ||
    bad "--backup-dir: the manifest's root: $(grep kbfix-root "bk/kbfix-$S-undo.reg")"
"$KBFIX" undo "bk/kbfix-$S-undo.reg" > bdu.out 2> bdu.err; rc=$?
[ $rc -eq 0 ] || bad "undo of the manifest in --backup-dir: exit $rc: $(cat bdu.err)"
grep -qF "'$(pwd -P)/bd.qcow2:/Windows/System32/config/SYSTEM': 50 changes made" \
    bdu.out || bad "undo of the manifest in --backup-dir: $(cat bdu.out)"
if disk_part bd.qcow2 1 bd.part; then
	for h in Windows/System32/config/SYSTEM Users/pat/NTUSER.DAT \
	    Users/lee/NTUSER.DAT; do
		disk_cat bd.part "/$h" > bd.hive
		[ "$(listing bd.hive)" = "$(listing "ref/$h")" ] ||
		    bad "undo of the manifest in --backup-dir: '$h' is not as it was"
	done
else
	bad "cannot read bd.qcow2"
fi
rm -f bd.part
no_tmp "--backup-dir"
ok

# --- faults while apply writes: the image as it was ---------------------------
cp "$IMAGES/win.qcow2" f.qcow2
before=$(sha f.qcow2)
fault() {
	KBFIX_GUESTFS_FAULT=$1 LD_PRELOAD="$SHIM" "$KBFIX" apply -q $SEEDS "$2" \
	    > "$2.out" 2> "$2.err"
	echo $? > "$2.rc"
}
for f in upload rename die:rename; do
	cp f.qcow2 "f-$f.qcow2"
done
fault upload f-upload.qcow2 &
fault rename f-rename.qcow2
wait
fault die:rename f-die:rename.qcow2
# qemu-img cannot commit the overlay.
mkdir fakebin
cat > fakebin/qemu-img <<EOF
#!/bin/sh
[ "\$1" = commit ] && { echo "qemu-img: injected failure" >&2; exit 1; }
exec $(command -v qemu-img) "\$@"
EOF
chmod +x fakebin/qemu-img
cp f.qcow2 f-commit.qcow2
PATH="$tmp/fakebin:$PATH" "$KBFIX" apply -q $SEEDS f-commit.qcow2 > f-commit.qcow2.out \
    2> f-commit.qcow2.err
echo $? > f-commit.qcow2.rc
for f in upload rename die:rename commit; do
	i="f-$f.qcow2"
	[ "$(cat "$i.rc")" = 2 ] || bad "fault $f: exit $(cat "$i.rc"): $(cat "$i.err")"
	[ "$(sha "$i")" = "$before" ] || bad "fault $f: the image changed"
	grep -q "error: nothing was changed in '$i'" "$i.err" ||
	    bad "fault $f: no message: $(cat "$i.err")"
	grep -q "changes made" "$i.out" && bad "fault $f: reports changes"
done
grep -q "cannot write '.*kbfix-tmp-" f-upload.qcow2.err ||
    bad "fault upload: $(cat f-upload.qcow2.err)"
grep -q "cannot rename '/.*\.kbfix-tmp-[A-Za-z0-9]*' to '/" \
    f-rename.qcow2.err || bad "fault rename: $(cat f-rename.qcow2.err)"
grep -q "injected failure" f-commit.qcow2.err ||
    bad "fault commit: $(cat f-commit.qcow2.err)"
no_tmp "faults"
ok

# --- an image open for writing elsewhere: read, never written -----------------
cp "$IMAGES/win.qcow2" lock.qcow2
qemu-nbd -f qcow2 -k "$tmp/nbd.sock" lock.qcow2 &
nbd=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -S "$tmp/nbd.sock" ] && break
	sleep 1
done
before=$(sha lock.qcow2)
"$KBFIX" apply lock.qcow2 > lock.out 2> lock.err; rc=$?
[ $rc -eq 2 ] || bad "apply on a locked image: exit $rc"
grep -q "error: 'lock.qcow2' is open for writing in another process" \
    lock.err || bad "apply on a locked image: $(cat lock.err)"
# One file system of it, IMAGE:DEVICE.
"$KBFIX" scan --format json lock.qcow2:/dev/sda1 > lock.json 2> lockscan.err
rc=$?
[ $rc -eq 1 ] || bad "scan of a locked image: exit $rc: $(cat lockscan.err)"
grep -q "warning: 'lock.qcow2' is open for writing in another process" \
    lockscan.err || bad "scan of a locked image: $(cat lockscan.err)"
jq -e -s 'length == 1 and .[0].target == "lock.qcow2:/dev/sda1" and
    .[0].exit == 1 and .[0].windir == "lock.qcow2:/dev/sda1:/Windows" and
    (.[0].hives | map(.path) |
    index("lock.qcow2:/dev/sda1:/Windows/System32/config/SYSTEM")) != null' \
    lock.json > /dev/null || bad "scan --format json: $(cat lock.json)"
kill "$nbd"
wait "$nbd" 2>/dev/null
nbd=
[ "$(sha lock.qcow2)" = "$before" ] || bad "the locked image changed"
no_tmp "locked"
ok

# --- a hibernated Windows: refused ----------------------------------------------
cp "$IMAGES/hib.qcow2" hib.qcow2
before=$(sha hib.qcow2)
# With a progress line: it says which image is being opened.  Q267971
# alone: these Windows have no users, to whom Q256211 would move entries
# of the system PATH (apply refuses that before it comes to writing).
"$KBFIX" apply --progress Q267971 hib.qcow2 > hib.out 2> hib.err; rc=$?
[ $rc -eq 2 ] || bad "apply on a hibernated Windows: exit $rc"
tr '\r' '\n' < hib.err | grep -q "^kbfix: 0 of 1 target done, 1 running (.*): opening 'hib.qcow2'" ||
    bad "progress: no 'opening': $(tr '\r' '\n' < hib.err)"
grep -q "error: 'hib.qcow2:/dev/sda1' is hibernated: .*shut it down fully" \
    hib.err || bad "apply on a hibernated Windows: $(cat hib.err)"
# A hiberfil.sys that says nothing: ntfs-3g mounts it only read-only.
grep -q "error: 'hib.qcow2': '/dev/sda2' could be mounted only read-only" \
    hib.err && grep -q "error: cannot write to 'hib.qcow2:/dev/sda2'; if Windows" \
    hib.err || bad "apply on a Windows mounted read-only: $(cat hib.err)"
[ "$(sha hib.qcow2)" = "$before" ] || bad "the hibernated image changed"
no_tmp "hibernated"
ok

finish
