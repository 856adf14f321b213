#!/bin/sh
# cli_names.sh: the names a hostile hive can hold (tests/fixtures/
# system-hostile.reg: line breaks, ']', '[', '\', '"', ';', '=', control
# characters, non-ASCII, names of maximal length, and a key named to inject
# lines into a .reg file) go through the dry run, --format reg, apply and
# undo of each action.  Either the round trip is exact, witnessed by other
# parsers (reglookup's listing before equals after undo; hivexregedit
# --merge of --format reg equals apply), or the refusal names the entry;
# and nothing is ever read as a line of its own.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
H=$top_builddir/tests/hives
A=$top_srcdir/tests/actions
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"

# The hive: system.reg, the hostile names, and names of Windows' maximal
# lengths (255 characters for a key, 16,383 for a value) below keys the
# remedies change.
lk=$(printf '%0255d' 0 | tr 0 k)
lv=$(printf '%016383d' 0 | tr 0 v)
{
	printf 'Windows Registry Editor Version 5.00\n\n'
	printf '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\%s\\%s]\n' \
	    'SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL' "$lk"
	printf '"%s"=dword:00000001\n\n' "$lv"
	printf '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\EXIFS\\%s]\n' \
	    'Parameters'
	printf '"%s"=dword:00000001\n\n' "$lv"
	printf '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\Dhcp\\%s]\n' \
	    "$lk"
} > "$tmp/long.reg"
"$top_builddir/tests/mkhive" --root '$$$PROTO.HIV' \
    --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$tmp/SYSTEM" \
    "$top_srcdir/tests/fixtures/system.reg" \
    "$top_srcdir/tests/fixtures/system-hostile.reg" "$tmp/long.reg" ||
    { echo "FAIL: mkhive cannot build the hostile hive" >&2; exit 1; }
cp "$H/ntuser/NTUSER.DAT" "$tmp/NTUSER.DAT" || exit 2
# The machine's SOFTWARE, where Q267971 reads the SMS service pack.
cp "$H/software-sms/SOFTWARE" "$tmp/SOFTWARE" || exit 2
listing "$tmp/SYSTEM" > "$tmp/orig.lst"
listing "$tmp/NTUSER.DAT" > "$tmp/orig-user.lst"
# The hive holds what the fixture says (reglookup quotes a line break as
# %0A and '"' as %22).
inj='x]%0A[-HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001]%0A[HKEY_LOCAL_MACHINE\SYSTEM\Select]%0A%22Current%22=dword:00000007%0A;'
grep -q -F "_SMSPERF.DLL/$inj,KEY" "$tmp/orig.lst" ||
    bad "the hive lacks the injecting key"
grep -q -F "/EXIFS/Parameters/Line1%0ALine2,DWORD" "$tmp/orig.lst" &&
    grep -q -F "/EXIFS/Parameters/$lv,DWORD" "$tmp/orig.lst" &&
    grep -q -F "_SMSPERF.DLL/$lk,KEY" "$tmp/orig.lst" ||
    bad "the hive lacks its hostile names"
ok

# ControlSet001 and Select\Current, which the injecting names target.
target_lines() {
	grep -e '^/ControlSet001[/,]' -e '^/Select/' "$1"
}
target_lines "$tmp/orig.lst" > "$tmp/targets.lst"
[ "$(wc -l < "$tmp/targets.lst")" -gt 100 ] || bad "no ControlSet001"

# plain_lines FILE WHAT: every line of FILE is one line of .reg text as
# kbfix writes it: nothing a name broke off, no control character.
plain_lines() {
	if LC_ALL=C grep -n '[[:cntrl:]]' "$1" | grep -v "$(printf '\t')" |
	    grep -q .; then
		bad "$2: a control character: $(LC_ALL=C grep -n \
		    '[[:cntrl:]]' "$1" | head -1)"
	fi
	if grep -n -e '^\[-HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\]' \
	    -e '^"Current"=dword:00000007' -e '^\[-HKEY_LOCAL_MACHINE\\SYSTEM\]' \
	    "$1"; then
		bad "$2: a name was read as a line of its own"
	fi
}

# case NAME WANT-REG HIVES -- REMEDIES: the dry run, --format reg (WANT-REG
# "merge": hivexregedit --merge of it equals apply; "-": it is plain
# .reg text, of two hives; any other text: the refusal's message holds
# it), apply, and undo of REMEDIES on copies of HIVES (SYSTEM, SYSTEM
# SOFTWARE, or SYSTEM NTUSER.DAT).
case_() {
	name=$1 want=$2
	shift 2
	hives=
	while [ "$1" != -- ]; do
		hives="$hives $1"
		shift
	done
	shift
	d=$tmp/$name
	mkdir "$d"
	for h in $hives; do
		cp "$tmp/$h" "$d/$h"
	done
	# The dry run.
	(cd "$d" && "$KBFIX" --dry-run "$@" $hives > dry.out 2> dry.err); rc=$?
	[ $rc -eq 1 ] || bad "$name: dry run: exit $rc: $(cat "$d/dry.err")"
	plain_lines "$d/dry.out" "$name: dry run"
	if grep -v '^[-+# ]' "$d/dry.out" | grep -q .; then
		bad "$name: dry run: a line that is no change: $(grep -v \
		    '^[-+# ]' "$d/dry.out" | grep . | head -1)"
	fi
	# --format reg.
	(cd "$d" && "$KBFIX" --dry-run --format reg "$@" $hives > reg.out \
	    2> reg.err); rc=$?
	if [ "$want" = merge ] || [ "$want" = - ]; then
		[ $rc -eq 1 ] || bad "$name: --format reg: exit $rc: $(cat \
		    "$d/reg.err")"
		plain_lines "$d/reg.out" "$name: --format reg"
		LC_ALL=C grep -q '[^ -~]' "$d/reg.out" &&
		    bad "$name: --format reg: beyond printable ASCII"
	fi
	if [ "$want" = merge ]; then
		cp "$tmp/SYSTEM" "$d/MERGED"
		hivexregedit --merge "$d/MERGED" \
		    --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$d/reg.out" ||
		    bad "$name: hivexregedit cannot merge --format reg"
		listing "$d/MERGED" > "$d/merged.lst"
	elif [ "$want" != - ]; then
		[ $rc -eq 2 ] || bad "$name: --format reg: exit $rc, want 2"
		[ -s "$d/reg.out" ] && bad "$name: --format reg wrote before \
refusing"
		grep -q -F -e "$want" "$d/reg.err" ||
		    bad "$name: --format reg: want '$want' in: $(cat \
		    "$d/reg.err")"
	fi
	# Apply: nothing but the plan.
	(cd "$d" && "$KBFIX" apply -q "$@" $hives > apply.out 2> apply.err)
	rc=$?
	[ $rc -eq 0 ] || bad "$name: apply: exit $rc: $(cat "$d/apply.err")"
	listing "$d/SYSTEM" > "$d/after.lst"
	target_lines "$d/after.lst" | cmp -s - "$tmp/targets.lst" ||
	    bad "$name: apply changed ControlSet001 or Select"
	if [ "$want" = merge ]; then
		cmp -s "$d/after.lst" "$d/merged.lst" ||
		    bad "$name: apply and hivexregedit --merge of --format reg \
differ: $(diff "$d/after.lst" "$d/merged.lst" | head -5)"
	fi
	(cd "$d" && "$KBFIX" --dry-run "$@" $hives > /dev/null 2>&1); rc=$?
	[ $rc -eq 0 ] || bad "$name: planning again after apply: exit $rc"
	for h in $hives; do
		u=$(cd "$d" && ls "$h".kbfix-*-undo.reg 2>/dev/null)
		[ -n "$u" ] || continue
		plain_lines "$d/$u" "$name: the undo file of $h"
		# Another reader skips what it cannot read back: merging the
		# undo file with hivexregedit never touches the targets.
		cp "$d/$h" "$d/$h.other"
		hivexregedit --merge "$d/$h.other" --prefix "$(case $h in \
		    SYSTEM) echo 'HKEY_LOCAL_MACHINE\SYSTEM' ;; \
		    *) echo HKEY_CURRENT_USER ;; esac)" "$d/$u" ||
		    bad "$name: hivexregedit cannot merge the undo file of $h"
		if [ "$h" = SYSTEM ]; then
			listing "$d/SYSTEM.other" | target_lines /dev/stdin |
			    cmp -s - "$tmp/targets.lst" ||
			    bad "$name: hivexregedit, merging the undo file, \
changed ControlSet001 or Select"
		fi
		# Undo gives back exactly the original.
		(cd "$d" && "$KBFIX" undo -q "$u" "$h" > undo.out 2>&1); rc=$?
		[ $rc -eq 0 ] || bad "$name: undo $h: exit $rc: $(cat \
		    "$d/undo.out")"
		listing "$d/$h" > "$d/undone.lst"
		want_lst=$tmp/orig.lst
		[ "$h" = SYSTEM ] || want_lst=$tmp/orig-user.lst
		cmp -s "$d/undone.lst" "$want_lst" ||
		    bad "$name: after undo, $h differs: $(diff "$want_lst" \
		    "$d/undone.lst" | head -5)"
		witness "$d/$h"
	done
	ok
}

# scan: one line per remedy, whatever the hive holds.
(cd "$tmp" && "$KBFIX" scan SYSTEM > scan.out 2>&1)
plain_lines "$tmp/scan.out" "scan"
[ "$(grep -c -v '^Q[0-9]* ' "$tmp/scan.out")" -eq 0 ] ||
    bad "scan: a line that is no remedy's: $(grep -v '^Q[0-9]* ' "$tmp/scan.out")"
ok

# delete-key, with the injecting names below the keys deleted, one of them
# matched by the remedy's pattern itself.
case_ delete-key-hostile \
    'the key '"'"'HKEY_LOCAL_MACHINE\SYSTEM\ControlSet002\Services\"SMSPerfCountersforZ]\u000a[-HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001]"'"'"' has a name .reg text cannot hold' \
    SYSTEM SOFTWARE -- Q267971
# set-value beside them (the key's values are written again), delete-value,
# delete-key, create-key and set-value of every type, edit-list.
case_ set-value merge SYSTEM -- Q317061
case_ delete-value merge SYSTEM -- "$A/Q9000001.xml"
case_ create-key merge SYSTEM -- "$A/Q9000002.xml"
case_ set-types merge SYSTEM -- "$A/Q9000003.xml"
case_ delete-key merge SYSTEM -- "$A/Q9000004.xml"
case_ edit-list - SYSTEM NTUSER.DAT -- "$A/Q9000005.xml" Q256211

finish
