#!/bin/sh
# kbfix check: the structure check as a command of its own.
#  - on every real hive of ../shared/hives-real: exit 0, "no damage
#    found", key and value counts equal to those of reglookup -i (an
#    independent parser) on the same file; for the dirty ones, that their
#    logs hold newer entries, and the counts with the logs replayed equal
#    to reglookup's on the replay "kbfix recover" writes; the same in JSON;
#  - on the fixtures (every kind of subkey list): no damage;
#  - on damaged copies: exit 2, one line per problem on standard error,
#    subkeys out of Windows' order among the problems; a dirty hive whose
#    logs are gone;
#  - nothing is written: the folders' listings stay as they were.
set -u
. "$top_srcdir/tests/clilib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
MKHOSTILE="$top_builddir/tests/mkhostile"
SYS="$top_builddir/tests/hives/system/SYSTEM"

# The counts reglookup -i gives: "KEYS VALUES".
rcount() {
	reglookup -i "$1" 2>/dev/null | awk -F, 'NR > 1 {
	    if ($2 == "KEY") k++; else v++ } END { print k + 0, v + 0 }'
}

# check WANT FILE...: kbfix check exits WANT; the folders of the files are
# left as they were.  Output in $tmp/out, $tmp/err.
check() {
	want=$1; shift
	for f in "$@"; do ls -lA --time-style=+%s.%N "$(dirname "$f")"; done \
	    > "$tmp/before"
	"$KBFIX" check "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	for f in "$@"; do ls -lA --time-style=+%s.%N "$(dirname "$f")"; done \
	    > "$tmp/after"
	[ $rc -eq "$want" ] || {
		bad "kbfix check $*: exit $rc, want $want"
		sed 's/^/  | /' "$tmp/err" >&2
	}
	cmp -s "$tmp/before" "$tmp/after" || bad "kbfix check $*: wrote"
	ok
}

if [ -d "${KBFIX_SHARED-}/hives-real" ]; then
	for h in $(unpack_real "$tmp"); do
		d=$(dirname "$h")
		check 0 "$h"
		grep -qx '  no damage found' "$tmp/out" ||
		    bad "$h: $(cat "$tmp/out")"
		set -- $(rcount "$h")
		grep -q "^  $1 keys, $2 values " "$tmp/out" ||
		    bad "$h: not $1 keys and $2 values: $(cat "$tmp/out")"
		ok
		"$KBFIX" check --format json "$h" > "$tmp/json"
		[ "$(jq -r '"\(.keys) \(.values) \(.healthy)"' "$tmp/json")" = \
		    "$1 $2 true" ] || bad "$h: JSON $(cat "$tmp/json")"
		ok
		if ls "$d"/*.LOG* > /dev/null 2>&1; then
			grep -q 'they hold entries newer than the hive$' \
			    "$tmp/out" || bad "$h: logs not newer"
			"$KBFIX" recover "$h" -o "$tmp/replayed" > /dev/null ||
			    bad "cannot replay $h"
			set -- $(rcount "$tmp/replayed")
			grep -q "^  with its logs replayed (sequence numbers [0-9/]*): $1 keys, $2 values " \
			    "$tmp/out" || bad "$h: replayed, not $1 keys and $2 values: $(cat "$tmp/out")"
			[ "$(jq -r '"\(.logs_newer) \(.replayed.keys) \(.replayed.values)"' \
			    "$tmp/json")" = "true $1 $2" ] ||
			    bad "$h: JSON of the replay $(cat "$tmp/json")"
			rm -f "$tmp/replayed"
			ok
		fi
	done
	# The two hives whose keys Windows lists in li leaves.
	"$KBFIX" check "$tmp/many-subkeys/ManySubkeysHive" \
	    "$tmp/win8-usrclass/UsrClass.dat" > "$tmp/out"
	grep -qx '  subkey lists: 2 lf, 1 ri (of 9 li)' "$tmp/out" ||
	    bad "many-subkeys: $(cat "$tmp/out")"
	grep -qx '  subkey lists: 1106 lf, 1 li, 1 ri (of 4 li)' "$tmp/out" ||
	    bad "win8-usrclass: $(cat "$tmp/out")"
	ok
	# Scan and the dry run read them too: no remedy works on them,
	# which is what they say, with no structure error.
	for h in "$tmp/many-subkeys/ManySubkeysHive" \
	    "$tmp/win8-usrclass/UsrClass.dat"; do
		for c in scan --dry-run; do
			"$KBFIX" $c "$h" > /dev/null 2> "$tmp/err"
			rc=$?
			[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
			    grep -q "; the remedies work on " \
			    "$tmp/err" && ! grep -q corrupt "$tmp/err" ||
			    bad "$c $h: exit $rc: $(cat "$tmp/err")"
			ok
		done
	done
	# Dirty, its logs gone: nothing brings it up to date.
	mkdir "$tmp/nologs"
	cp "$tmp/win10-ntuser-dirty/NTUSER.DAT" "$tmp/nologs/"
	check 2 "$tmp/nologs/NTUSER.DAT"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || bad "no logs: $(cat "$tmp/err")"
	ok
elif [ -n "${CI-}" ]; then
	bad "../shared is missing"
fi

# The fixtures, of every kind of list, several at once.
check 0 "$top_builddir"/tests/hives/*/*
[ "$(grep -c '^  no damage found$' "$tmp/out")" -eq \
    "$(ls "$top_builddir"/tests/hives/*/* | wc -l)" ] || bad "fixtures"
grep -q '^  subkey lists: .*li.*ri (of .*lf.*lh.*li)' "$tmp/out" ||
    bad "system-li: $(cat "$tmp/out")"
ok

# Damage: one line per problem, the healthy hive beside them still
# reported healthy.
mkdir "$tmp/bad"
"$MKHOSTILE" "$SYS" "$tmp/bad/swap" swap-subkeys 'ControlSet001\Services'
"$MKHOSTILE" "$SYS" "$tmp/bad/loop" loop \
    'ControlSet002\Services\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL'
"$MKHOSTILE" "$SYS" "$tmp/bad/sum" checksum
cp "$SYS" "$tmp/bad/good"
check 2 "$tmp/bad/swap" "$tmp/bad/good" "$tmp/bad/loop" "$tmp/bad/sum"
[ "$(wc -l < "$tmp/err")" -eq 3 ] || bad "want 3 lines: $(cat "$tmp/err")"
grep -q "'$tmp/bad/swap': 1 key whose subkeys are out of the order Windows finds them in (first 'ControlSet001\\\\Services': 'CLISVC' listed before 'Caf" \
    "$tmp/err" || bad "swap: $(cat "$tmp/err")"
grep -q "lists its own ancestor" "$tmp/err" || bad "loop: $(cat "$tmp/err")"
grep -q "bad base block checksum" "$tmp/err" || bad "sum: $(cat "$tmp/err")"
[ "$(grep -c '^  no damage found$' "$tmp/out")" -eq 1 ] || bad "good"
ok
"$KBFIX" check --format json "$tmp/bad/swap" "$tmp/bad/good" \
    > "$tmp/json" 2> /dev/null
[ "$(jq -s -c '[.[] | [.healthy, .unsorted, (.problems | length)]]' \
    "$tmp/json")" = '[[false,1,1],[true,0,0]]' ] ||
    bad "JSON of the damaged: $(cat "$tmp/json")"
ok
# Out of order is no reason to refuse planning: Windows reads such a
# hive, finding fewer keys.
"$KBFIX" scan "$tmp/bad/swap" > /dev/null 2>&1
[ $? -eq 1 ] || bad "scan refuses a hive out of order"
ok

# Usage.
mkdir "$tmp/empty"
check 2 "$tmp/empty/none-such"
"$KBFIX" check > /dev/null 2>&1; [ $? -eq 2 ] || bad "no HIVE: exit $?"
"$KBFIX" check --format xml "$SYS" > /dev/null 2>&1
[ $? -eq 2 ] || bad "--format xml accepted"
ok

finish
