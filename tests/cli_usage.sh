#!/bin/sh
# cli_usage.sh: what a new user meets first.  Help in every form people
# try, with exit 0; an option a command does not take is an error naming
# it, on one line with a hint; -n is --dry-run; every run states its
# outcome (a dry run or an apply with nothing to do says why for each
# remedy; -q is quiet); apply and undo count their changes alike; a
# read-only mount is refused once, before any plan; remedy IDs as people
# write them; an argument that is nothing kbfix knows says what it tried.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
H="$top_builddir/tests/hives"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
# Help is wrapped to the terminal, or to $COLUMNS, or to 80.
unset COLUMNS
cd "$tmp" || exit 2
cp "$H/system/SYSTEM" SYSTEM
cp "$H/system-clean/SYSTEM" CLEAN
# SYSTEM's machine's SOFTWARE hive, where Q267971 reads SMS's service pack.
cp "$H/software-sms/SOFTWARE" SOFTWARE

# run NAME ARGS...: kbfix ARGS, its output in NAME.out and NAME.err, its
# exit status in rc.
run() {
	_n=$1
	shift
	"$KBFIX" "$@" > "$_n.out" 2> "$_n.err"
	rc=$?
}

# one NAME WANT: NAME.err is exactly one line, WANT.
one() {
	if [ "$(wc -l < "$1.err")" -ne 1 ] || [ "$(cat "$1.err")" != "$2" ]; then
		bad "$1: want the one line '$2', got: $(cat "$1.err")"
	fi
	[ -s "$1.out" ] && bad "$1: printed on stdout: $(cat "$1.out")"
	ok
}

# --- help in every form ------------------------------------------------------
cmds="list show scan apply undo recover check draft validate help"
for c in $cmds --dry-run; do
	run h1 help "$c"
	[ $rc -eq 0 ] || bad "kbfix help $c: exit $rc: $(cat h1.err)"
	head -1 h1.out | grep -q "^usage: kbfix $c\\( \\|\$\\)" ||
	    bad "kbfix help $c: $(head -1 h1.out)"
	for form in --help -h; do
		run h2 "$c" $form
		[ $rc -eq 0 ] || bad "kbfix $c $form: exit $rc: $(cat h2.err)"
		cmp -s h1.out h2.out || bad "kbfix $c $form is not kbfix help $c"
		[ -s h2.err ] && bad "kbfix $c $form: stderr: $(cat h2.err)"
	done
	# Anywhere among the options, and past an option's argument.
	ok
done
run h2 apply --backup-dir x -q --help SYSTEM
[ $rc -eq 0 ] && grep -q '^usage: kbfix apply ' h2.out || bad "apply ... --help: exit $rc"
run h2 apply -n --help
cmp -s h2.out h1.out && ok || bad "apply -n --help is not the dry run's help"
for form in help --help -h; do
	run u "$form"
	[ $rc -eq 0 ] && head -1 u.out | grep -q '^usage: kbfix list\( \|$\)' ||
	    bad "kbfix $form: exit $rc: $(head -1 u.out)"
done
ok
# kbfix --help lists every option each command takes, and each command's
# help lists and explains its own.
run all --help
for o in --dry-run --format --ignore-logs -q --control-set --backup-dir \
    --no-backup --output --audit --each -j --progress --no-progress --color; do
	grep -q -- "\\[$o[] =[]" all.out || grep -q -- "| $o\\]" all.out ||
	    bad "kbfix --help lacks '$o'"
done
sed -n '/^       kbfix apply /,/^       kbfix undo /p' all.out > apply.usage
grep -q -- '--dry-run' apply.usage && grep -q -- '--color' apply.usage ||
    bad "apply's usage lacks --dry-run or --color: $(cat apply.usage)"
sed -n '/^       kbfix undo /,/^       kbfix recover /p' all.out > undo.usage
grep -q -- '\[-q\]' undo.usage && grep -q -- '--ignore-logs' undo.usage ||
    bad "undo's usage lacks -q or --ignore-logs: $(cat undo.usage)"
run h help undo
grep -q '^  -q, --quiet  ' h.out && grep -q '^  --ignore-logs  ' h.out &&
    grep -q '^  -n, --dry-run  ' h.out || bad "kbfix help undo: $(cat h.out)"
# Nothing wider than 80 columns.
awk 'length > 80' all.out h.out | grep . && bad "help wider than 80 columns"
ok

# --- usage errors: one line, the option named, a hint ------------------------
run e1 scan --backup-dir X SYSTEM
[ $rc -eq 2 ] || bad "scan --backup-dir: exit $rc"
one e1 "kbfix: error: scan takes no option '--backup-dir' (apply and undo take it); see 'kbfix scan --help'"
run e2 undo --control-set 3 u.reg SYSTEM
[ $rc -eq 2 ] || bad "undo --control-set: exit $rc"
one e2 "kbfix: error: undo takes no option '--control-set' (scan, the dry run and apply take it); see 'kbfix undo --help'"
run e3 apply -n --output out SYSTEM
[ $rc -eq 2 ] || bad "apply -n --output: exit $rc"
one e3 "kbfix: error: the dry run takes no option '--output' (apply, undo and recover take it); see 'kbfix --dry-run --help'"
run e4 scan --frobnicate SYSTEM
one e4 "kbfix: error: unknown option '--frobnicate'; see 'kbfix scan --help'"
run e5 apply --format=json SYSTEM
one e5 "kbfix: error: apply takes no option '--format' (list, scan, the dry run, undo and check take it); see 'kbfix apply --help'"
run e6 scan --each=yes SYSTEM
one e6 "kbfix: error: option '--each' takes no argument ('--each=yes'); see 'kbfix scan --help'"
run e7 frob
one e7 "kbfix: error: unknown command 'frob'; 'kbfix help' lists the commands"
run e8
[ $rc -eq 2 ] || bad "kbfix alone: exit $rc"
one e8 "usage: kbfix COMMAND [ARGUMENT...]; 'kbfix help' lists the commands"
run e9 validate --each
one e9 "kbfix: error: validate takes no option '--each' (scan and the dry run take it); see 'kbfix validate --help'"
run e10 undo SYSTEM
one e10 "kbfix: error: 'SYSTEM' is neither an undo manifest nor a folder: undo takes an undo file and the hive or folder it undoes, or the undo manifest of an apply (or the folder it is in); see 'kbfix undo --help'"
# Nothing was written by any of them.
cmp -s SYSTEM "$H/system/SYSTEM" && [ ! -e out ] || bad "a usage error wrote"

# --- -n is --dry-run, and --name=VALUE gives an option its value -------------
run d1 --dry-run Q317061 SYSTEM
for form in "-n" "apply -n" "apply --dry-run"; do
	# shellcheck disable=SC2086
	run d2 $form Q317061 SYSTEM
	[ $rc -eq 1 ] && cmp -s d1.out d2.out || bad "kbfix $form: exit $rc"
done
run d3 -n --control-set=current -j1 Q317061 SYSTEM
[ $rc -eq 1 ] && cmp -s d1.out d3.out || bad "--control-set=current -j1: exit $rc"
ok

# --- outcomes ---------------------------------------------------------------
# A dry run with nothing to do says why for every remedy, as scan does.
run o1 -n CLEAN
[ $rc -eq 0 ] || bad "dry run, nothing to do: exit $rc"
run o2 scan CLEAN
n=$(wc -l < o2.out)
[ "$(grep -c '^# Q[0-9]*: [a-z ]*: ' o1.out)" -eq "$n" ] ||
    bad "dry run, nothing to do: not one line per remedy: $(cat o1.out)"
[ "$(tail -1 o1.out)" = "# nothing to do" ] || bad "no '# nothing to do': $(cat o1.out)"
# Each line is the scan's, as a comment of the diff (docs/diff-format.md).
# scan's columns: the ID in 10, the status in 15, the reason.
awk '{ id = substr($0, 1, 10); st = substr($0, 12, 15)
	sub(/ +$/, "", id); sub(/ +$/, "", st)
	print "# " id ": " st ": " substr($0, 28) }' o2.out > o2.diff
grep -v '^# nothing to do$' o1.out | cmp -s - o2.diff ||
    bad "dry run lines differ from scan's: $(diff o2.diff o1.out)"
ok
# apply with nothing to do gives the reasons too.
run o3 apply Q267971 Q317061 CLEAN
[ $rc -eq 0 ] || bad "apply, nothing to do: exit $rc"
grep -q "^# Q267971: not applicable: no key matches" o3.out &&
    grep -q "^# Q317061: not applicable: " o3.out &&
    [ "$(tail -1 o3.out)" = "kbfix: nothing to do" ] ||
    bad "apply, nothing to do: $(cat o3.out)"
cmp -s CLEAN "$H/system-clean/SYSTEM" && [ "$(ls | grep -c kbfix)" -eq 0 ] ||
    bad "apply with nothing to do wrote"
ok
# -q: scan and the dry run print nothing, the exit status tells.
for c in scan -n; do
	run q1 $c -q SYSTEM
	[ $rc -eq 1 ] && [ ! -s q1.out ] && [ ! -s q1.err ] ||
	    bad "$c -q: exit $rc: $(cat q1.out q1.err)"
	run q2 $c --quiet CLEAN
	[ $rc -eq 0 ] && [ ! -s q2.out ] || bad "$c --quiet: exit $rc: $(cat q2.out)"
	mkdir -p m1 m2 && cp SYSTEM m1/ && cp CLEAN m2/SYSTEM
	run q3 $c -q m1 m2
	[ $rc -eq 1 ] && [ ! -s q3.out ] || bad "$c -q, 2 targets: exit $rc: $(cat q3.out)"
done
ok

# --- apply and undo count alike ------------------------------------------------
cp SYSTEM A
run a1 apply Q267971 Q317061 A SOFTWARE
[ $rc -eq 0 ] || bad "apply: exit $rc: $(cat a1.err)"
na=$(sed -n "s/^kbfix: 'A': \([0-9]*\) changes made$/\1/p" a1.out)
u=$(sed -n "s/^kbfix: 'A': undo file '\(.*\)'$/\1/p" a1.out)
run a2 undo "$u" A
[ $rc -eq 0 ] || bad "undo: exit $rc: $(cat a2.err)"
nu=$(sed -n "s/^kbfix: 'A': \([0-9]*\) changes made$/\1/p" a2.out)
# Three keys deleted with their 45 subkeys and values, and one value set.
[ "$na" = 49 ] && [ "$nu" = 49 ] || bad "apply made '$na' changes, undo '$nu'"
[ "$(listing A)" = "$(listing SYSTEM)" ] || bad "undo did not give A back"
ok

# --- a read-only mount: refused once, before any plan ---------------------------
if unshare -m true 2> /dev/null; then
	mkdir ro
	cp SYSTEM ro/SYSTEM
	cp SOFTWARE ro/SOFTWARE
	unshare -m sh -c "mount --bind -o ro ro ro &&
	    '$KBFIX' apply Q267971 Q317061 ro/SYSTEM ro/SOFTWARE > ro.out 2> ro.err;
	    echo \$? > ro.rc"
	[ "$(cat ro.rc 2>/dev/null)" = 2 ] || bad "read-only: exit $(cat ro.rc)"
	[ ! -s ro.out ] || bad "read-only: printed a plan: $(cat ro.out)"
	[ "$(wc -l < ro.err)" -eq 1 ] &&
	    grep -q "^kbfix: error: 'ro/SYSTEM' is on a read-only file system, and apply writes beside it: nothing was changed; to treat it as evidence, write remediated copies elsewhere with --output DIR$" ro.err ||
	    bad "read-only: want one line: $(cat ro.err)"
	cmp -s ro/SYSTEM SYSTEM || bad "read-only: changed"
	ok
else
	echo "note: cannot mount read-only here (unshare -m is refused): the read-only case is not run"
fi

# --- IDs as people write them ----------------------------------------------------
run i0 -n Q267971 SYSTEM SOFTWARE
for id in q267971 KB267971 kb267971 Kb267971 267971; do
	run i1 -n "$id" SYSTEM SOFTWARE
	[ $rc -eq 1 ] && cmp -s i0.out i1.out || bad "'$id' is not Q267971: exit $rc: $(cat i1.err)"
	run i2 show "$id"
	[ $rc -eq 0 ] && head -1 i2.out | grep -q '^Q267971: ' ||
	    bad "show '$id': exit $rc: $(cat i2.err)"
	run i3 validate "$id"
	[ $rc -eq 0 ] && grep -q '/Q267971.xml: valid$' i3.out ||
	    bad "validate '$id': exit $rc: $(cat i3.out i3.err)"
done
ok
# An argument that is no ID, no remedy file and no file at all.
run n1 -n KB-267971 SYSTEM
[ $rc -eq 2 ] || bad "KB-267971: exit $rc"
one n1 "kbfix: error: 'KB-267971' is neither a remedy ID (Q267971, KB267971, 267971), a remedy file (.xml) nor a TARGET (no file or folder has that name)"
run n2 show Q26797
one n2 "kbfix: error: no remedy 'Q26797' in the library '$top_srcdir/remedies'"
run n3 show KB-267971
one n3 "kbfix: error: 'KB-267971' is no remedy: not an ID (Q267971, KB267971 or 267971), nor a remedy file (a path, or a name ending in .xml)"
# A hive whose name looks like an ID is given as a path.
cp SYSTEM 267971
run n4 -n Q317061 ./267971
[ $rc -eq 1 ] || bad "./267971: exit $rc: $(cat n4.err)"
ok

# --- README: it opens with what the dry run of the sample hive prints -------
R="$top_srcdir/README.md"
sed -n '/^    \$ kbfix --dry-run hives\/SYSTEM$/,/^[^ ]/p' "$R" | sed '1d;$d' |
    sed 's/^    //' > readme.sample
[ "$(grep -c . readme.sample)" -ge 6 ] || bad "README: no sample dry run"
(cd "$top_srcdir" && "$KBFIX" --dry-run hives/SYSTEM) > sample.out
# Every line it shows is printed, in that order ("..." stands for the rest).
awk 'NR == FNR { if ($0 != "..." && $0 != "") want[++n] = $0; next }
	k < n && $0 == want[k + 1] { k++ }
	END { if (k != n) { print "README line not printed: " want[k + 1]; exit 1 } }' \
    readme.sample sample.out || bad "README's sample is not what kbfix prints"
# The quick start is two commands.
sed -n '/^## Quick start/,/^[^ #]/p' "$R" | grep -c '^    ' > qs.n
[ "$(cat qs.n)" -eq 2 ] || bad "README's quick start has $(cat qs.n) commands, not 2"
ok

finish
