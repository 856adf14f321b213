# disklib.sh: what the tests of disk images share.  Source it after
# clilib.sh, with tmp set.
#
# The images are made once per test run by tests/mkimages.sh (make check
# builds tests/images/status first).  When libguestfs cannot launch, the
# tests skip, or fail when $CI is set.  Their files are read back with
# ntfs-3g's own tools (ntfsls, ntfscat) from the partition copied out of
# the image by qemu-img and dd: a reader that is neither kbfix nor
# libguestfs, and no appliance launch.
IMAGES="$top_builddir/tests/images"
if [ ! -f "$IMAGES/status" ]; then
	echo "FAIL: no $IMAGES/status (make check makes it)"
	exit 1
fi
case $(cat "$IMAGES/status") in
ok) ;;
*)
	_why=$(sed 's/^skip: //' "$IMAGES/status")
	if [ -n "${CI-}" ]; then
		echo "FAIL: $_why"
		exit 1
	fi
	echo "skipped: $_why"
	exit 77
	;;
esac
# What made the appliance start (force_tcg where /dev/kvm cannot run it).
. "$IMAGES/env"
export LIBGUESTFS_BACKEND_SETTINGS
[ -n "$LIBGUESTFS_BACKEND_SETTINGS" ] || unset LIBGUESTFS_BACKEND_SETTINGS
# The private folders of kbfix, to check that none is left behind.  The
# appliance libguestfs builds stays where it is kept between runs (it
# would be built again under a new TMPDIR, which takes a minute).
: "${LIBGUESTFS_CACHEDIR:=${TMPDIR:-/var/tmp}}"
export LIBGUESTFS_CACHEDIR
mkdir -p "$tmp/tmpdir"
TMPDIR="$tmp/tmpdir"
export TMPDIR

# disk_part IMAGE N OUT: partition N of IMAGE as a raw file OUT.
disk_part() {
	qemu-img convert -O raw "$1" "$tmp/disk.raw" || return 1
	_l=$(sfdisk -d "$tmp/disk.raw" | grep "^$tmp/disk.raw$2 :")
	_s=$(echo "$_l" | sed 's/.*start= *\([0-9]*\).*/\1/')
	_n=$(echo "$_l" | sed 's/.*size= *\([0-9]*\).*/\1/')
	[ -n "$_s" ] && [ -n "$_n" ] || return 1
	dd if="$tmp/disk.raw" of="$3" bs=512 skip="$_s" count="$_n" \
	    status=none
	_r=$?
	rm -f "$tmp/disk.raw"
	return $_r
}

# disk_files PART: every file of the NTFS partition PART, one path a line
# ("/Windows/System32/config/SYSTEM"), sorted.
disk_files() {
	ntfsls -R -F "$1" 2>/dev/null | awk '
	    /^\/.*:$/ { dir = substr($0, 1, length($0) - 1); next }
	    /^$/ || /\/$/ { next }
	    { print dir $0 }' | LC_ALL=C sort
}

# folder_files DIR: every file below DIR the same way.
folder_files() {
	(cd "$1" && find . -type f | sed 's/^\.//') | LC_ALL=C sort
}

# disk_cat PART PATH: the file PATH of the NTFS partition PART.
disk_cat() {
	ntfscat "$1" "$2"
}

# same_tree PART DIR PREFIX: the partition holds exactly the files of the
# folder DIR (in the current folder), byte for byte; but undo files name
# the hives PREFIX:/path where the folder's name them DIR/path (or by
# their absolute path), and so their checksums (the kbfix-end line)
# differ: each must match what its own file holds.  An undo manifest's
# root is absolute: the image's volume, "/abs/IMAGE:/" (or a folder below
# it), where the folder's is "/abs/DIR".
same_tree() {
	disk_files "$1" > "$tmp/disk.list"
	folder_files "$2" > "$tmp/folder.list"
	if ! cmp -s "$tmp/disk.list" "$tmp/folder.list"; then
		bad "$3: files differ from '$2': $(diff "$tmp/folder.list" \
		    "$tmp/disk.list" | tr '\n' ' ')"
		return
	fi
	_P=$(pwd -P)
	while IFS= read -r _f; do
		disk_cat "$1" "$_f" > "$tmp/disk.file" 2>/dev/null ||
		    bad "$3: cannot read '$_f'"
		cp "$2$_f" "$tmp/folder.file"
		case $_f in
		*-undo.reg)
			_h=$(sed -n 's/^; kbfix-end: sha256 //p' "$tmp/disk.file")
			[ "$(sed '$d' "$tmp/disk.file" | sha256sum |
			    cut -d' ' -f1)" = "$_h" ] ||
			    bad "$3: '$_f': its kbfix-end line does not match"
			_r=$(sed -n 's/^; kbfix-root: //p' "$tmp/folder.file" |
			    sed -e "s|^\"$_P/$2\"\$|\"$_P/$3:/\"|" \
			    -e "s|^\"$_P/$2/|\"$_P/$3:/|")
			[ "$(sed -n 's/^; kbfix-root: //p' "$tmp/disk.file")" = \
			    "$_r" ] || bad "$3: '$_f': its root: $(grep \
			    '^; kbfix-root: ' "$tmp/disk.file")"
			sed -e '/^; kbfix-root: /d' -e '/^; kbfix-end: /d' \
			    -e "s|$_P/$3:/|$2/|g" -e "s|$3:/|$2/|g" \
			    "$tmp/disk.file" > "$tmp/disk.file2"
			sed -e '/^; kbfix-root: /d' -e '/^; kbfix-end: /d' \
			    -e "s|'$_P/$2'|'$2/'|g" -e "s|$_P/$2/|$2/|g" \
			    "$2$_f" > "$tmp/folder.file"
			mv "$tmp/disk.file2" "$tmp/disk.file"
			;;
		esac
		cmp -s "$tmp/disk.file" "$tmp/folder.file" ||
		    bad "$3: '$_f' differs from '$2$_f': $(diff \
		    "$tmp/folder.file" "$tmp/disk.file" | head -n 6)"
	done < "$tmp/folder.list"
	ok
}

# section FILE NAME: the output of target NAME in the output FILE of a run
# over several, without its heading and the blank line after it.
section() {
	awk -v h="==> $2 <==" '
	    $0 == h { on = 1; next }
	    on && (/^==> / || /^TARGET  /) { exit }
	    on { print }' "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# no_tmp: kbfix left nothing in its temporary folder.
no_tmp() {
	[ -z "$(ls -A "$TMPDIR")" ] ||
	    bad "$1: left in TMPDIR: $(ls -A "$TMPDIR" | tr '\n' ' ')"
}
