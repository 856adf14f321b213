#!/bin/sh
# cli_golden.sh: the exact output of the command line, compared byte for
# byte with tests/golden/NAME.out (standard output, standard error and exit
# status of each case).
#
# Every case runs in a temporary folder holding copies of the fixture hives
# under relative names (SYSTEM and its machine's SOFTWARE, clean/SYSTEM,
# user/NTUSER.DAT) and the
# remedy library as ./remedies (KBFIX_DATADIR=.), so that the output names
# no folder of this machine and nothing needs rewriting.
#
# After a deliberate change of the output, regenerate the files with
#     make regen-golden        (or: KBFIX_REGEN_GOLDEN=1 make check)
# then read the diff of tests/golden/ before committing it.
set -u
# The diff shows characters past ASCII as themselves only in a UTF-8
# locale (C.UTF-8 is in every Debian): the golden files are made in one.
LC_ALL=C.UTF-8
export LC_ALL
# Help and show are wrapped to the terminal, else to $COLUMNS, else to 80.
unset COLUMNS
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
G=$top_srcdir/tests/golden
H=$top_builddir/tests/hives
regen=${KBFIX_REGEN_GOLDEN:-}
ran=

. "$top_srcdir/tests/clilib.sh"
mkdir "$tmp/w" "$tmp/w/clean" "$tmp/w/user" "$tmp/w/empty" "$tmp/out"
cp "$H/system/SYSTEM" "$tmp/w/SYSTEM" &&
cp "$H/software-sms/SOFTWARE" "$tmp/w/SOFTWARE" &&
cp "$H/system-clean/SYSTEM" "$tmp/w/clean/SYSTEM" &&
cp "$H/ntuser/NTUSER.DAT" "$tmp/w/user/NTUSER.DAT" || exit 2
printf 'not a hive\n' > "$tmp/w/notahive"
ln -s "$top_srcdir/remedies" "$tmp/w/remedies"
ln -s "$top_srcdir/remedies" "$tmp/w/empty/remedies"
cp "$tmp/w/SYSTEM" "$tmp/SYSTEM.orig"
KBFIX_DATADIR=.
export KBFIX_DATADIR
unset KBFIX_REMEDY_DIR

# A file's text, then a line saying so if it does not end with a newline.
section() {
	cat "$1"
	if [ -s "$1" ] && [ "$(tail -c 1 "$1" | wc -l)" -eq 0 ]; then
		printf '\n[no newline at end]\n'
	fi
}

# check NAME DIR ARGS...: run kbfix ARGS in DIR (relative to the work
# folder), and compare what it printed with tests/golden/NAME.out.
check() {
	name=$1
	dir=$2
	shift 2
	ran="$ran $name.out"
	(cd "$tmp/w/$dir" && "$KBFIX" "$@" > "$tmp/out/stdout" \
	    2> "$tmp/out/stderr")
	rc=$?
	{
		pre=
		[ "$dir" = . ] || pre="cd $dir && "
		printf '$ %skbfix %s\n' "$pre" "$*"
		printf '[stdout]\n'
		section "$tmp/out/stdout"
		printf '[stderr]\n'
		section "$tmp/out/stderr"
		printf '[exit %d]\n' "$rc"
	} > "$tmp/out/$name.out"
	if [ -n "$regen" ]; then
		cp "$tmp/out/$name.out" "$G/$name.out" && ok ||
		    bad "$name: cannot write tests/golden/$name.out"
	elif [ ! -f "$G/$name.out" ]; then
		bad "$name: no tests/golden/$name.out" "(make regen-golden)"
	elif ! cmp -s "$G/$name.out" "$tmp/out/$name.out"; then
		bad "$name: output differs from tests/golden/$name.out:"
		diff -u "$G/$name.out" "$tmp/out/$name.out"
	else
		ok
	fi
}

[ -n "$regen" ] && mkdir -p "$G"

# The usage, and one command's help.
check usage . --help
check help-apply . help apply

# The library.
check list . list
check show-Q267971 . show Q267971
check show-Q317061 . show Q317061

# Which remedies apply, and why.
check scan . scan SYSTEM
check scan-all . scan --control-set all SYSTEM
check scan-clean . scan clean/SYSTEM

# The dry run: the whole library (SYSTEM alone: Q267971 needs SOFTWARE),
# then the two remedies of issue 2 with the hives found in the current
# folder.
check dry-run . --dry-run SYSTEM
check dry-run-ids . --dry-run Q267971 Q317061
check dry-run-apply . apply --dry-run Q267971 SYSTEM SOFTWARE
check dry-run-reg . --dry-run --format reg Q267971 Q317061 SYSTEM SOFTWARE
check dry-run-cs-all . --dry-run --control-set all Q267971 Q317061 SYSTEM \
    SOFTWARE
check dry-run-cs-1 . --dry-run --control-set 1 Q267971 Q317061 SYSTEM \
    SOFTWARE
check dry-run-cs-lkg . --dry-run --control-set lkg Q317061 SYSTEM
check dry-run-clean . --dry-run clean/SYSTEM
check dry-run-clean-reg . --dry-run --format reg clean/SYSTEM

# Trouble: exit 2 and one clear line each.
check err-missing-hive . --dry-run NOPE
check err-not-a-hive . --dry-run notahive
check err-not-a-hive-scan . scan SYSTEM notahive NOPE
check err-control-set-bad . --dry-run --control-set bogus SYSTEM
check err-control-set-0 . --dry-run --control-set 0 SYSTEM
check err-control-set-missing . --dry-run --control-set 3 SYSTEM
check err-control-set-failed . --dry-run --control-set failed SYSTEM
check err-control-set-no-arg . --dry-run SYSTEM --control-set
check err-unknown-id . --dry-run Q999999 SYSTEM
check err-unknown-id-show . show Q999999
check err-no-hive-here empty --dry-run Q267971
check err-unknown-option . --dry-run --frobnicate SYSTEM
check err-option-of-another . scan --backup-dir keep SYSTEM
check err-unknown-format . --dry-run --format yaml SYSTEM
check err-hive-not-given . --dry-run Q267971 user/NTUSER.DAT

# Apply and undo, in a folder of their own; SOURCE_DATE_EPOCH fixes the
# time in the names of backups and undo files.
mkdir "$tmp/a"
cp "$tmp/w/SYSTEM" "$tmp/a/SYSTEM"
cp "$tmp/w/SOFTWARE" "$tmp/a/SOFTWARE"
ln -s "$top_srcdir/remedies" "$tmp/a/remedies"
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
check apply ../a apply Q267971 Q317061 SYSTEM SOFTWARE
check apply-again ../a apply Q267971 Q317061 SYSTEM SOFTWARE
check scan-after-apply ../a scan Q267971 Q317061 Q268499 SYSTEM SOFTWARE
check undo-dry-run ../a undo --dry-run SYSTEM.kbfix-20231114T221320Z-undo.reg SYSTEM
check undo ../a undo -q SYSTEM.kbfix-20231114T221320Z-undo.reg SYSTEM
check undo-again ../a undo SYSTEM.kbfix-20231114T221320Z-undo.reg SYSTEM
check err-apply-hive-not-given ../a apply Q317061 NOPE
unset SOURCE_DATE_EPOCH

# Nothing may have been written.
cmp -s "$tmp/w/SYSTEM" "$tmp/SYSTEM.orig" && ok ||
    bad "the dry runs changed SYSTEM"
extra=$(cd "$tmp/w" && find . -newer "$tmp/SYSTEM.orig" ! -name . \
    ! -name empty ! -type l -print)
[ -z "$extra" ] && ok || bad "new files: $extra"

# Every golden file belongs to a case.
for f in "$G"/*.out; do
	[ -f "$f" ] || continue
	b=${f##*/}
	case " $ran " in
	*" $b "*) ;;
	*)
		if [ -n "$regen" ]; then
			rm -f "$f"
		else
			bad "tests/golden/$b belongs to no case"
		fi
		;;
	esac
done

[ -n "$regen" ] && echo "regenerated tests/golden/ (read the diff)"
finish
