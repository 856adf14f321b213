#!/bin/sh
# cli_disk.sh: disk images as TARGETs (issue 16).
#
# One image with a Windows folder (the sample SYSTEM, SOFTWARE, two users'
# NTUSER.DAT and, with ../shared, a dirty one with its logs) as qcow2 and
# raw (found raw from its partition table, and given with --image-format
# raw), and a vmdk disk with two Windows
# installations (an Alpha XP whose Nmperf.dll Q268499 renames, and a later
# one) and a FAT volume without Windows, all made by tests/mkimages.sh.  The same files in
# folders are the reference: the dry run on each image prints the plan of
# the dry run on its folder (with the image's names for the files);
# apply on the images then on the folders (SOURCE_DATE_EPOCH set) leaves
# in each image exactly the files of its folder, byte for byte (read back
# with ntfs-3g's tools); scan then says what it says on the folders (the
# remedies applied are "done"); undo from the undo manifest apply wrote in
# the image (given alone, as apply named it), and of undo files given with
# the image, restores what undo on the folder does.  Each kbfix run on an
# image is one appliance launch: the runs are over all the images at once,
# two at a time.
set -u
: "${top_builddir:?}" "${KBFIX:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
. "$top_srcdir/tests/disklib.sh"
H="$top_builddir/tests/hives"
cd "$tmp" || exit 1
cp "$IMAGES/win.img" "$IMAGES/win.qcow2" "$IMAGES/two.vmdk" . || exit 1
dirty=
[ -f "$IMAGES/dirty" ] && dirty=yes
if [ -z "$dirty" ] && [ -n "${CI-}" ]; then
	bad "no dirty hive in the images: ../shared is missing"
fi

# --- the same files in folders ----------------------------------------------
mk_win() {
	mkdir -p "$1/Windows/System32/config" "$1/Users/pat" "$1/Users/lee" \
	    "$1/Users/Public"
	cp "$H/system/SYSTEM" "$H/software-sms/SOFTWARE" \
	    "$1/Windows/System32/config/"
	cp "$H/ntuser/NTUSER.DAT" "$1/Users/pat/NTUSER.DAT"
	cp "$H/ntuser-path/NTUSER.DAT" "$1/Users/lee/NTUSER.DAT"
	if [ -n "$2" ]; then
		mkdir -p "$1/Users/kim"
		cp "$IMAGES/dirty-src/NTUSER.DAT" "$1/Users/kim/NTUSER.DAT"
		cp "$IMAGES/dirty-src/NTUSER.DAT.LOG1" \
		    "$1/Users/kim/ntuser.dat.LOG1"
		cp "$IMAGES/dirty-src/NTUSER.DAT.LOG2" \
		    "$1/Users/kim/ntuser.dat.LOG2"
	fi
}
mk_xp() {
	mkdir -p "$1/WINDOWS/system32/CONFIG" "$1/Documents and Settings/Pat" \
	    "$1/Documents and Settings/All Users"
	cp "$H/system-alpha/SYSTEM" "$1/WINDOWS/system32/CONFIG/system"
	cp "$H/software/SOFTWARE" "$1/WINDOWS/system32/CONFIG/Software"
	cp "$H/ntuser/NTUSER.DAT" "$1/Documents and Settings/Pat/NTUSER.DAT"
	echo "Network Monitor performance counters" \
	    > "$1/WINDOWS/system32/NMPERF.DLL"
}
mk_win win "$dirty"
mk_xp sda1
mk_win sda2 ""
cp -a win win-orig
cp -a sda1 sda1-orig
IMGS="win.qcow2 win.img two.vmdk"
# Each image's machines: NAME, its folder, its partition, a name for files.
machines() {
	echo "win.qcow2 win 1 win.qcow2"
	echo "win.img win 1 win.img"
	echo "two.vmdk:/dev/sda1 sda1 1 two-1"
	echo "two.vmdk:/dev/sda2 sda2 2 two-2"
}
export SOURCE_DATE_EPOCH=1700000000
S=20231114T221320Z
# The whole library holds Q256211 and Q268499 back (possible: their
# symptoms are not in a hive); the dry run and apply name the seeds whose
# changes these tests follow.  scan looks at the whole library.
SEEDS="Q256211 Q267971 Q268499 Q317061"

# --- the dry run: the plan of the folder ------------------------------------
for f in win sda1 sda2; do
	"$KBFIX" --dry-run $SEEDS "$f" > "$f.dry" 2> "$f.dry.err"
done
"$KBFIX" --dry-run -j 2 $SEEDS $IMGS > dry.out 2> dry.err; rc=$?
[ $rc -eq 1 ] || bad "dry run: exit $rc, want 1: $(cat dry.err)"
machines > machines.list
while read -r m f p x; do
	section dry.out "$m" | sed "s|$m:/|$f/|g" > "$x.dry"
	cmp -s "$f.dry" "$x.dry" ||
	    bad "dry run of '$m' is not that of '$f': $(diff "$f.dry" "$x.dry")"
done < machines.list
# The FAT volume holds no Windows: not a machine.
grep -q '^==> two.vmdk:/dev/sda3 <==' dry.out && bad "dry run: sda3"
if [ -n "$dirty" ]; then
	for i in win.qcow2 win.img; do
		grep -qF "kbfix: note: '$i:/Users/kim/NTUSER.DAT' is dirty: replayed" \
		    dry.err || bad "dry run: $i: no replay of kim's logs"
	done
fi
no_tmp "dry run"
ok

# --- apply: the files of the folder, byte for byte ---------------------------
for f in win sda1 sda2; do
	"$KBFIX" apply $SEEDS "$f" > "$f.apply" 2> "$f.apply.err" ||
	    bad "apply on the folder '$f': $(cat "$f.apply.err")"
done
"$KBFIX" apply -j 2 $SEEDS $IMGS > apply.out 2> apply.err; rc=$?
[ $rc -eq 0 ] || bad "apply: exit $rc, want 0: $(cat apply.err)"
while read -r m f p x; do
	section apply.out "$m" | sed "s|$m:/|$f/|g" > "$x.apply"
	cmp -s "$f.apply" "$x.apply" ||
	    bad "apply on '$m' is not that on '$f': $(diff "$f.apply" "$x.apply")"
done < machines.list
grep -q "^win.qcow2  *changed  *" apply.out || bad "apply: no summary"
no_tmp "apply"
ok
# The images hold what the folders hold.
while read -r m f p x; do
	if disk_part "${m%%:*}" "$p" "$x.part"; then
		same_tree "$x.part" "$f" "$m"
	else
		bad "cannot read $m"
	fi
done < machines.list
# An independent reader: reglookup on a hive read back.
disk_cat win.qcow2.part /Windows/System32/config/SYSTEM > sys.back
witness sys.back
# The renamed file, and the undo file of the file change.
disk_cat two-1.part \
    /WINDOWS/system32/Nmperf.dll.disabled-by-kbfix-Q268499 > nm.back &&
    cmp -s nm.back sda1-orig/WINDOWS/system32/NMPERF.DLL ||
    bad "two.vmdk: Nmperf.dll was not renamed"
disk_cat two-1.part "/WINDOWS/kbfix-$S-files-undo.reg" |
    grep -q "kbfix-move:" || bad "two.vmdk: no undo file of the file change"

# --- scan: nothing left ------------------------------------------------------
{ "$KBFIX" scan -j 2 win.qcow2 two.vmdk > scan.out 2> scan.err; echo $? > scan.rc; } &
"$KBFIX" scan --image-format raw win.img > scanraw.out 2> scanraw.err
echo $? > scanraw.rc
wait
[ "$(cat scan.rc)" = 0 ] || bad "scan after apply: exit $(cat scan.rc): $(cat scan.out scan.err)"
[ "$(cat scanraw.rc)" = 0 ] ||
    bad "scan --image-format raw after apply: exit $(cat scanraw.rc): $(cat scanraw.out scanraw.err)"
grep -q ' applies ' scan.out scanraw.out &&
    bad "scan after apply: $(grep applies scan.out scanraw.out)"
# What scan on the folders says: "done" for the remedies applied, the undo
# file beside the hive in the image naming them.
grep -q "^Q267971  *done  *applied by kbfix ('win.img:/Windows/System32/config/SYSTEM.kbfix-$S-undo.reg' undoes it)" \
    scanraw.out || bad "scan raw: $(cat scanraw.out)"
for f in win sda1 sda2; do
	"$KBFIX" scan "$f" > "$f.scan" 2>&1
done
grep -v '^win.img ' machines.list > scan.list
while read -r m f p x; do
	section scan.out "$m" | sed "s|$m:/|$f/|g" > "$x.scan"
	cmp -s "$f.scan" "$x.scan" ||
	    bad "scan of '$m' is not that of '$f': $(diff "$f.scan" "$x.scan")"
done < scan.list
no_tmp "scan"
ok

# --- undo: the whole apply from its undo manifest in the image, given alone
# as apply named it (win.qcow2); the undo files given with the image, each
# undoing the hive beside it or the file changes (two.vmdk) ---------------
export SOURCE_DATE_EPOCH=1700000100
"$KBFIX" undo "win/Windows/kbfix-$S-undo.reg" > win.undo 2> undo.err ||
    bad "undo on the folder: $(cat undo.err)"
"$KBFIX" undo "sda1/WINDOWS/system32/CONFIG/system.kbfix-$S-undo.reg" \
    sda1/WINDOWS/system32/CONFIG/system > /dev/null 2> undo.err &&
"$KBFIX" undo "sda1/WINDOWS/kbfix-$S-files-undo.reg" sda1/WINDOWS \
    > /dev/null 2>> undo.err || bad "undo on sda1: $(cat undo.err)"
grep -qF "kbfix undo 'win.qcow2:/Windows/kbfix-$S-undo.reg' puts it all back" \
    apply.out || bad "apply on win.qcow2 names no undo manifest: $(cat apply.out)"
"$KBFIX" undo "win.qcow2:/Windows/kbfix-$S-undo.reg" > undo.out 2> undo.err
rc=$?
[ $rc -eq 0 ] || bad "undo on win.qcow2: exit $rc: $(cat undo.err)"
# What undo printed: that of the folder (which names it by the root its
# manifest records).
sed "s|$(pwd -P)/win/|win.qcow2:/|g" win.undo | cmp -s - undo.out ||
    bad "undo on win.qcow2 is not that on 'win': $(sed "s|$(pwd -P)/win/|win.qcow2:/|g" win.undo | diff - undo.out)"
"$KBFIX" undo \
    "two.vmdk:/dev/sda1:/WINDOWS/system32/CONFIG/system.kbfix-$S-undo.reg" \
    "two.vmdk:/dev/sda1:/WINDOWS/kbfix-$S-files-undo.reg" two.vmdk \
    > undo2.out 2> undo2.err; rc=$?
[ $rc -eq 0 ] || bad "undo on two.vmdk: exit $rc: $(cat undo2.err)"
disk_part win.qcow2 1 win.u.part && same_tree win.u.part win win.qcow2
disk_part two.vmdk 1 sda1.u.part &&
    same_tree sda1.u.part sda1 two.vmdk:/dev/sda1
# What undo restored is what was there before apply.
for h in /Windows/System32/config/SYSTEM /Users/pat/NTUSER.DAT \
    /Users/lee/NTUSER.DAT; do
	disk_cat win.u.part "$h" > undone.hive
	[ "$(listing undone.hive)" = "$(listing "win-orig$h")" ] ||
	    bad "undo: '$h' is not as it was"
done
disk_cat sda1.u.part /WINDOWS/system32/NMPERF.DLL > nm.back &&
    cmp -s nm.back sda1-orig/WINDOWS/system32/NMPERF.DLL ||
    bad "undo: Nmperf.dll is not back"
no_tmp "undo"
ok

finish
