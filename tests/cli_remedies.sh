#!/bin/sh
# cli_remedies.sh: one test of each remedy of the library, the same way for
# all, driven by the folders of tests/remedies/ (see its README.md).
#
# tests/remedies/ID/ holds the fixture machines of remedy ID, one folder
# each: SYSTEM.reg, SOFTWARE.reg and NTUSER.reg are merged over
# tests/remedies/base/ of the same name into the hives the machine has
# (tests/mkhive), and a Windows/ folder makes it a Windows volume (its
# hives in Windows/System32/config, the user's in Documents and
# Settings/user) with the files it holds.  A machine whose name starts
# with "symptom" has the article's problem; one whose name starts with
# "missing" lacks a hive that would tell (the remedy must say it needs
# it); any other ("healthy", a near miss) must not be touched.  For each
# remedy:
#   - scan on every machine: "applies" (or "advisory") on a symptom
#     machine, "missing hive" on a missing one, "not applicable" on the
#     others;
#   - the dry run on each symptom machine;
#     both compared with tests/remedies/ID/expected.out;
#   - on a copy of each symptom machine: apply; the hives written read by
#     reglookup and libregf; scan and the dry run find nothing left; the
#     undo files (hives, then files) give back what hivexregedit exported
#     before, byte for byte, and the files as they were.
# A remedy whose symptom no hive shows (<unseen>) is only "possible" when
# the whole library runs: its folder holds a file "status" that says
# "possible", and then scan and the dry run of its symptom machines run
# once more with that remedy as the whole library (KBFIX_REMEDY_DIR): scan
# says "possible" and exits 0, the dry run changes nothing and says why
# ("# ID: possible: REASON").
# Every remedy of remedies/ must have its folder, every folder its remedy:
# adding a remedy means adding a folder.  KBFIX_REMEDIES="ID..." runs only
# those.  Under valgrind ($TEST_WRAPPER set, as CI does), apply and undo
# run on the first symptom machine of each remedy only.  After a
# deliberate change of the output, regenerate the files with "make
# regen-golden" and read the diff of tests/remedies/.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
R=$top_srcdir/tests/remedies
MKHIVE=$top_builddir/tests/mkhive
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
need_witnesses
# The stamp in the names of backups and undo files.
SOURCE_DATE_EPOCH=1000000000
export SOURCE_DATE_EPOCH

# build SRC OUT: the machine of folder SRC, built in the new folder OUT.
build() {
	b_src=$1 b_out=$2
	mkdir -p "$b_out" || return 1
	b_cfg=$b_out b_users=$b_out
	if [ -d "$b_src/Windows" ]; then
		cp -R "$b_src/Windows" "$b_out/Windows" || return 1
		b_cfg=$b_out/Windows/System32/config
		b_users="$b_out/Documents and Settings/user"
		mkdir -p "$b_cfg" "$b_users" || return 1
	fi
	for b_reg in "$b_src"/*.reg; do
		[ -f "$b_reg" ] || continue
		b_kind=$(basename "$b_reg" .reg)
		case $b_kind in
		SYSTEM)
			b_root='$$$PROTO.HIV' b_prefix='HKEY_LOCAL_MACHINE\SYSTEM'
			b_f=$b_cfg/SYSTEM ;;
		SOFTWARE)
			b_root='CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}'
			b_prefix='HKEY_LOCAL_MACHINE\SOFTWARE' b_f=$b_cfg/SOFTWARE ;;
		NTUSER)
			b_root='CMI-CreateHive{D43B12B8-09B5-40DB-B4F6-F6DFEB78DAEC}'
			b_prefix='HKEY_CURRENT_USER' b_f=$b_users/NTUSER.DAT ;;
		*)
			bad "$b_reg: name a hive: SYSTEM.reg, SOFTWARE.reg or NTUSER.reg"
			continue ;;
		esac
		"$MKHIVE" --root "$b_root" --prefix "$b_prefix" "$b_f" \
		    "$R/base/$b_kind.reg" "$b_reg" ||
		    { bad "mkhive $b_reg"; return 1; }
	done
}

# The hive files of machine folder $1, one per line.
hives_of() {
	find "$1" -type f \( -name SYSTEM -o -name SOFTWARE -o \
	    -name NTUSER.DAT \) | LC_ALL=C sort
}

# What is in machine folder $1: every hive as hivexregedit exports it (the
# "export" undo must give back byte for byte), every other file's sum.
state() {
	(cd "$1" && find . -type f | LC_ALL=C sort | while read -r f; do
		case $f in
		*/SYSTEM) p='HKEY_LOCAL_MACHINE\SYSTEM' ;;
		*/SOFTWARE) p='HKEY_LOCAL_MACHINE\SOFTWARE' ;;
		*/NTUSER.DAT) p='HKEY_CURRENT_USER' ;;
		*) sha256sum "$f"; continue ;;
		esac
		echo "== $f"
		hivexregedit --export --prefix "$p" "$f" '\' 2>&1
	done)
}

# The status scan gives remedy $1 on machine $2 in the output $3 of a scan
# of several machines ("==> M <==" before each).
status_of() {
	sed -n "/^==> $2 <==\$/,/^\$/s/^$1 *\(applies\|not applicable\|missing hive\|needs folder\|advisory\|done\|draft\|possible\)  *.*/\1/p" "$3"
}

# kbfix ARGS in $w: its standard output, standard error (if any) and exit
# status appended to $out.  $kenv: VAR=VALUE words for its environment.
k() {
	echo "\$ kbfix $*" >> "$out"
	# shellcheck disable=SC2086
	(cd "$w" && env ${kenv-} "$KBFIX" "$@") > "$tmp/k.out" 2> "$tmp/k.err"
	rc=$?
	cat "$tmp/k.out" >> "$out"
	if [ -s "$tmp/k.err" ]; then
		echo "[stderr]" >> "$out"
		cat "$tmp/k.err" >> "$out"
	fi
	echo "(exit $rc)" >> "$out"
	return $rc
}

# apply_undo ID M: apply, rescan, undo on a copy of machine M.
apply_undo() {
	id=$1 m=$2 a=$2.applied
	cp -R "$w/$m" "$w/$a"
	mkdir -p "$w/bak-$m" "$w/bak-undo-$m"
	state "$w/$a" > "$tmp/before"
	if ! (cd "$w" && "$KBFIX" apply -q --backup-dir "bak-$m" "$id" "$a") \
	    > "$tmp/apply.out" 2>&1; then
		bad "$id: apply on $m failed: $(cat "$tmp/apply.out")"
		return
	fi
	hives_of "$w/$a" > "$tmp/hives"
	while read -r h; do
		witness "$h"
	done < "$tmp/hives"
	[ "$(state "$w/$a")" != "$(cat "$tmp/before")" ] ||
	    bad "$id: apply on $m changed nothing"
	# Scan finds nothing left to do: exit 0, the remedy no longer applies.
	(cd "$w" && "$KBFIX" scan "$id" "$a") > "$tmp/again" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || grep -q "^$id *applies" "$tmp/again"; then
		bad "$id: scan after apply on $m: exit $rc: $(cat "$tmp/again")"
	fi
	# Undo: each hive from its own undo file, then the files; the undo
	# files of the undo go to a folder of their own.
	while read -r h; do
		u=$(ls "$w/bak-$m/$(basename "$h")".kbfix-*-undo.reg 2>/dev/null)
		[ -n "$u" ] || continue
		"$KBFIX" undo --backup-dir "$w/bak-undo-$m" "$u" "$h" \
		    > "$tmp/undo.out" 2>&1 ||
		    bad "$id: undo $u on $m: $(cat "$tmp/undo.out")"
	done < "$tmp/hives"
	for u in "$w/bak-$m"/kbfix-*-files-undo.reg; do
		[ -f "$u" ] || continue
		"$KBFIX" undo --backup-dir "$w/bak-undo-$m" "$u" "$w/$a" \
		    > "$tmp/undo.out" 2>&1 ||
		    bad "$id: undo $u on $m: $(cat "$tmp/undo.out")"
	done
	state "$w/$a" > "$tmp/after"
	if cmp -s "$tmp/before" "$tmp/after"; then
		ok
	else
		bad "$id: undo on $m does not give back the machine"
		diff "$tmp/before" "$tmp/after" | head -20 >&2
	fi
}

# library_run ID: with the remedy alone as the whole library, scan and
# the dry run of the symptom machines ($sym), when tests/remedies/ID/status
# says "possible"; the file and the remedy's <unseen> go together.
library_run() {
	lst=
	[ -f "$R/$1/status" ] && lst=$(cat "$R/$1/status")
	case $lst in
	""|possible) ;;
	*) bad "tests/remedies/$1/status: '$lst': only 'possible' is known" ;;
	esac
	if grep -q '<unseen>' "$top_srcdir/remedies/$1.xml"; then
		[ "$lst" = possible ] ||
		    bad "$1 has <unseen>: tests/remedies/$1/status must say possible"
	else
		[ -z "$lst" ] ||
		    bad "$1 has no <unseen>: tests/remedies/$1/status says $lst"
	fi
	[ "$lst" = possible ] && [ -n "$sym" ] || return 0
	mkdir -p "$tmp/lib-$1"
	cp "$top_srcdir/remedies/$1.xml" "$tmp/lib-$1/"
	echo "# $1 as the whole library" >> "$out"
	kenv="KBFIX_REMEDY_DIR=$tmp/lib-$1"
	# shellcheck disable=SC2086
	k scan --no-progress $sym
	[ $rc -eq 0 ] || bad "$1: scan of the whole library: exit $rc, want 0"
	set -- "$1" $sym
	for m in $sym; do
		if [ $# -eq 2 ]; then
			# One machine: no "==> M <==" heading.
			st=$(sed -n "s/^$1  *\([a-z ]*[a-z]\)  .*/\1/p" \
			    "$tmp/k.out")
		else
			st=$(status_of "$1" "$m" "$tmp/k.out")
		fi
		[ "$st" = possible ] ||
		    bad "$1 on $m, whole library: $st, want possible"
	done
	# shellcheck disable=SC2086
	k --dry-run --no-progress $sym
	[ $rc -eq 0 ] || bad "$1: dry run of the whole library: exit $rc, want 0"
	# With nothing planned at all, each remedy's status and reason.
	grep -q "^# not planned: $1 (possible: \|^# $1: possible: " \
	    "$tmp/k.out" ||
	    bad "$1: the dry run of the whole library does not say it held it"
	kenv=
}

# test_remedy ID: every step above for remedy ID.  Scan and the dry run
# each run once over all the machines concerned (-j 1: one after the
# other), so that valgrind in CI pays one start per step.
test_remedy() {
	id=$1 w=$tmp/$1 out=$tmp/$1.out
	nsym=0 nok=0 all= sym= pending=0
	mkdir -p "$w"
	: > "$out"
	for d in "$R/$id"/*/; do
		m=$(basename "$d")
		build "$R/$id/$m" "$w/$m" || continue
		all="$all $m"
		case $m in symptom*) sym="$sym $m" ;; esac
	done
	# shellcheck disable=SC2086
	k scan --no-progress "$id" $all
	rc=$?
	cp "$tmp/k.out" "$tmp/scan.out"
	for m in $all; do
		st=$(status_of "$id" "$m" "$tmp/scan.out")
		case $m in
		symptom*)
			nsym=$((nsym + 1))
			case $st in
			applies) pending=1; ok ;;
			advisory) ok ;;
			*) bad "$id on $m: $st, want applies" ;;
			esac ;;
		missing*)
			[ "$st" = "missing hive" ] && ok ||
			    bad "$id on $m: $st, want missing hive" ;;
		*)
			nok=$((nok + 1))
			[ "$st" = "not applicable" ] && ok ||
			    bad "$id on $m: $st, want not applicable" ;;
		esac
	done
	[ $rc -eq $pending ] || bad "$id: scan exit $rc, want $pending"
	[ $nsym -gt 0 ] || bad "tests/remedies/$id: no symptom machine"
	[ $nok -gt 0 ] || bad "tests/remedies/$id: no healthy machine"
	# shellcheck disable=SC2086
	[ -n "$sym" ] && k --dry-run --no-progress "$id" $sym
	library_run "$id"
	for m in $sym; do
		[ "$(status_of "$id" "$m" "$tmp/scan.out")" = applies ] ||
		    continue
		apply_undo "$id" "$m"
		# Under valgrind (CI's $TEST_WRAPPER), the first symptom
		# machine is enough: the others take the same paths.
		[ -z "${TEST_WRAPPER-}" ] || break
	done
	if [ -n "${KBFIX_REGEN_GOLDEN-}" ]; then
		cp "$out" "$R/$id/expected.out"
	fi
	if diff -u "$R/$id/expected.out" "$out" >&2; then
		ok
	else
		bad "$id: the output differs from tests/remedies/$id/expected.out"
	fi
}

if [ -n "${KBFIX_REMEDIES-}" ]; then
	ids=$KBFIX_REMEDIES
else
	ids=$(cd "$top_srcdir/remedies" && ls ./*.xml | sed 's|^\./||; s|\.xml$||')
	# Every folder has its remedy.
	for d in "$R"/*/; do
		id=$(basename "$d")
		[ "$id" = base ] || [ -f "$top_srcdir/remedies/$id.xml" ] ||
		    bad "tests/remedies/$id: there is no remedy $id"
	done
fi
for id in $ids; do
	if [ ! -d "$R/$id" ]; then
		bad "$id: no tests/remedies/$id folder"
		continue
	fi
	test_remedy "$id"
done
finish
