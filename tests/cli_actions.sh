#!/bin/sh
# cli_actions.sh: every action and every condition of the remedy language,
# through the command line, against golden files.
#
# tests/actions/Q90000NN.xml are test remedies, one per action
# (Q9000001-Q9000006) and one per condition (Q9000010-Q9000020).  For each
# action the dry run (diff, and .reg for the types and file actions) is
# compared with tests/actions/NAME.out; then apply runs on a copy, the dry
# run after it must be empty, and what reglookup (a parser that is not
# hivex) sees change in the hive is compared with tests/actions/NAME.out
# too (reglookup cannot print a string beyond Latin-1: it quotes its UTF-16
# bytes, "C%00a%00f%00%E9%00 %00%15&%00%00" for "Café ☕").  For the conditions, scan's reason for each, on hives where it holds
# and where it does not.
#
# The cases run in a scratch folder holding copies of the fixtures under
# short relative names, so that the outputs name no folder of this machine.
# After a deliberate change of the output, regenerate the files with
#     make regen-golden        (or: KBFIX_REGEN_GOLDEN=1 make check)
# then read the diff of tests/actions/ before committing it.
set -u
# The diff shows characters past ASCII as themselves only in a UTF-8
# locale (C.UTF-8 is in every Debian): the golden files are made in one.
LC_ALL=C.UTF-8
export LC_ALL
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
G=$top_srcdir/tests/actions
H=$top_builddir/tests/hives
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
need_witnesses

# The test remedies are the library; SOURCE_DATE_EPOCH fixes the names of
# backups and undo files.
KBFIX_REMEDY_DIR=$G
SOURCE_DATE_EPOCH=1000000000
export KBFIX_REMEDY_DIR SOURCE_DATE_EPOCH

w=$tmp/w
mkdir -p "$w/x86" "$w/clean" "$w/alpha" "$w/user" \
    "$w/vol/Windows/System32/config" "$w/bare/WINDOWS/system32/config"
cp "$H/system/SYSTEM" "$w/x86/SYSTEM" &&
cp "$H/system-clean/SYSTEM" "$w/clean/SYSTEM" &&
cp "$H/system-alpha/SYSTEM" "$w/alpha/SYSTEM" &&
cp "$H/ntuser/NTUSER.DAT" "$w/user/NTUSER.DAT" &&
cp "$H/system-alpha/SYSTEM" "$w/vol/Windows/System32/config/SYSTEM" &&
cp "$H/system/SYSTEM" "$w/bare/WINDOWS/system32/config/SYSTEM" || exit 2
# The volume "vol" holds the files of the file actions, in the letter case
# a copy from NTFS may have; "bare" holds none of them.
echo "Network Monitor performance counters" > "$w/vol/Windows/System32/NMPERF.DLL"
echo "obsolete" > "$w/vol/Windows/System32/obsolete.dll"
echo "kept" > "$w/vol/Windows/System32/kept.dll"
(cd "$w" && find . -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum) > "$tmp/sums"

# golden NAME: compare $tmp/NAME.out with tests/actions/NAME.out (or
# rewrite it under KBFIX_REGEN_GOLDEN).
golden() {
	if [ -n "${KBFIX_REGEN_GOLDEN-}" ]; then
		cp "$tmp/$1.out" "$G/$1.out"
	fi
	if diff -u "$G/$1.out" "$tmp/$1.out"; then
		ok
	else
		bad "$1: the output differs from tests/actions/$1.out"
	fi
}

# run NAME WANT ARGS...: kbfix ARGS in the scratch folder; its exit status
# must be WANT, and what it printed is compared with tests/actions/NAME.out.
run() {
	name=$1 want=$2
	shift 2
	(cd "$w" && "$KBFIX" "$@") > "$tmp/$name.out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name: kbfix $*: exit $rc, want $want"
		cat "$tmp/$name.out" >&2
	fi
	golden "$name"
}

# --- actions: the dry run ----------------------------------------------------
run delete-value 1 --dry-run Q9000001 x86/SYSTEM
run create-key 1 --dry-run Q9000002 x86/SYSTEM
run set-value 1 --dry-run Q9000003 x86/SYSTEM
run set-value-reg 1 --dry-run --format reg Q9000003 x86/SYSTEM
run delete-key 1 --dry-run Q9000004 x86/SYSTEM
run edit-list 1 --dry-run Q9000005 x86/SYSTEM user/NTUSER.DAT
run edit-list-no-user 2 --dry-run Q9000005 x86/SYSTEM
run files 1 --dry-run Q9000006 vol
run files-reg 1 --dry-run --format reg Q9000006 vol
run files-no-folder 0 --dry-run Q9000006 x86/SYSTEM
run files-none 0 --dry-run Q9000006 bare

# Nothing of the above wrote anything.
(cd "$w" && find . -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum) > "$tmp/sums.after"
if cmp -s "$tmp/sums" "$tmp/sums.after"; then
	ok
else
	bad "a dry run changed the scratch folder"
	diff "$tmp/sums" "$tmp/sums.after" >&2
fi

# --- actions: apply, witnessed by reglookup -----------------------------------
# applied NAME ID HIVE...: apply ID on copies of the hives; the dry run
# after it must find nothing; reglookup's view of every hive before and
# after goes to tests/actions/NAME.out.
applied() {
	name=$1 id=$2
	shift 2
	rm -rf "$tmp/a"
	mkdir "$tmp/a"
	args=
	for h in "$@"; do
		mkdir -p "$tmp/a/$(dirname "$h")"
		cp "$w/$h" "$tmp/a/$h"
		args="$args $h"
	done
	# shellcheck disable=SC2086
	if ! (cd "$tmp/a" && "$KBFIX" apply -q --no-backup "$id" $args) \
	    > "$tmp/apply.out" 2>&1; then
		bad "$name: kbfix apply $id$args failed"
		cat "$tmp/apply.out" >&2
	fi
	# shellcheck disable=SC2086
	(cd "$tmp/a" && "$KBFIX" --dry-run "$id" $args) > "$tmp/again.out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] || grep -q '^[-+]' "$tmp/again.out"; then
		bad "$name: the dry run after apply is not empty (exit $rc)"
		cat "$tmp/again.out" >&2
	fi
	: > "$tmp/$name.out"
	for h in "$@"; do
		witness "$tmp/a/$h"
		listing "$w/$h" > "$tmp/before"
		listing "$tmp/a/$h" > "$tmp/after"
		{
			echo "# reglookup, $h: lines gone (-) and new (+)"
			diff "$tmp/before" "$tmp/after" | grep '^[<>]' |
			    sed 's/^</-/; s/^>/+/'
		} >> "$tmp/$name.out"
	done
	golden "$name"
	[ $# -eq 1 ] || return 0
	# One SYSTEM hive: the dry run's .reg merged by hivexregedit gives
	# what apply gave, and the undo file gives the original back.
	(cd "$w" && "$KBFIX" --dry-run --format reg "$id" "$1") > "$tmp/plan.reg"
	cp "$w/$1" "$tmp/merged"
	if hivexregedit --merge "$tmp/merged" \
	    --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$tmp/plan.reg" \
	    2> "$tmp/merge.err"; then
		listing "$tmp/merged" > "$tmp/merged.lst"
		listing "$tmp/a/$1" > "$tmp/after"
		if cmp -s "$tmp/merged.lst" "$tmp/after"; then
			ok
		else
			bad "$name: --format reg merged differs from apply"
			diff "$tmp/merged.lst" "$tmp/after" >&2
		fi
	else
		bad "$name: hivexregedit --merge: $(cat "$tmp/merge.err")"
	fi
	if (cd "$tmp/a" && "$KBFIX" undo --no-backup \
	    "$1".kbfix-*-undo.reg "$1") > "$tmp/undo.out" 2>&1 &&
	    cmp -s "$tmp/before" "$(listing "$tmp/a/$1" > "$tmp/undone"; \
	    echo "$tmp/undone")"; then
		ok
	else
		bad "$name: undo does not give the original back"
		cat "$tmp/undo.out" >&2
	fi
}

applied delete-value-apply Q9000001 x86/SYSTEM
applied create-key-apply Q9000002 x86/SYSTEM
applied set-value-apply Q9000003 x86/SYSTEM
applied delete-key-apply Q9000004 x86/SYSTEM
applied edit-list-apply Q9000005 x86/SYSTEM user/NTUSER.DAT

# The file actions on a copy of the volume: the files after apply, and the
# undo file that records them.
rm -rf "$tmp/v"
cp -a "$w/vol" "$tmp/v"
if (cd "$tmp" && "$KBFIX" apply -q Q9000006 v) > "$tmp/apply.out" 2>&1; then
	ok
else
	bad "files: kbfix apply Q9000006 failed"
	cat "$tmp/apply.out" >&2
fi
(cd "$tmp" && find v -type f | LC_ALL=C sort) > "$tmp/files-apply.out"
golden files-apply
if (cd "$tmp" && "$KBFIX" --dry-run Q9000006 v) > "$tmp/again.out" 2>&1; then
	ok
else
	bad "files: the dry run after apply is not empty"
	cat "$tmp/again.out" >&2
fi

# --- conditions: scan's reasons -----------------------------------------------
C="Q9000010 Q9000011 Q9000012 Q9000013 Q9000014 Q9000015 Q9000016 \
Q9000017 Q9000018 Q9000019 Q9000020"
# shellcheck disable=SC2086
{
	run scan-x86 1 scan $C x86/SYSTEM
	run scan-clean 1 scan $C clean/SYSTEM
	run scan-alpha 1 scan $C alpha/SYSTEM
	run scan-vol 1 scan $C vol
	run scan-bare 1 scan $C bare
	# The dry run names the remedies that do not apply, and why.
	run conditions-clean 1 --dry-run $C clean/SYSTEM
}

finish
