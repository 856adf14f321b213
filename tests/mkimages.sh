#!/bin/sh
# mkimages.sh DIR: the disk images of the tests (tests/mkimage.c), made
# once per test run, in one libguestfs launch, then the other formats from
# them with qemu-img (no launch):
#   DIR/win.img (raw), win.qcow2, two.vmdk, hib.qcow2
# DIR/status says "ok", or "skip: REASON" when libguestfs cannot launch
# (the tests then skip, or fail when $CI is set); DIR/env holds the
# LIBGUESTFS_BACKEND_SETTINGS that worked, for the tests to use.
# A dirty NTUSER.DAT with its logs (../shared/hives-real) is one more user
# of win.img when $KBFIX_SHARED has it: DIR/dirty says so.
set -u
: "${top_builddir:=.}" "${KBFIX_SHARED:=}"
dir=$1
rm -rf "$dir"
mkdir -p "$dir" || exit 1
real="$KBFIX_SHARED/hives-real/win10-ntuser-dirty"
dirty=
if [ -d "$real" ]; then
	mkdir -p "$dir/dirty-src"
	for n in NTUSER.DAT NTUSER.DAT.LOG1 NTUSER.DAT.LOG2; do
		xz -dc "$real/$n.xz" > "$dir/dirty-src/$n" || exit 1
	done
	dirty="$dir/dirty-src"
fi
if ! settings=$("$top_builddir/tests/mkimage" "$top_builddir/tests/hives" \
    "$dir" $dirty 2> "$dir/mkimage.err"); then
	echo "skip: libguestfs cannot make the test images: $(tail -n 1 "$dir/mkimage.err")" \
	    > "$dir/status"
	cat "$dir/status"
	# Older than anything: the next make check tries again.
	touch -d @0 "$dir/status"
	exit 0
fi
[ -n "$dirty" ] && : > "$dir/dirty"
printf 'LIBGUESTFS_BACKEND_SETTINGS=%s\n' "${LIBGUESTFS_BACKEND_SETTINGS-$settings}" > "$dir/env"
qemu-img convert -f raw -O qcow2 "$dir/win.img" "$dir/win.qcow2" &&
qemu-img convert -f raw -O vmdk "$dir/two.img" "$dir/two.vmdk" &&
qemu-img convert -f raw -O qcow2 "$dir/hib.img" "$dir/hib.qcow2" &&
rm -f "$dir/two.img" "$dir/hib.img" || exit 1
echo ok > "$dir/status"
