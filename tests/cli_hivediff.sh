#!/bin/sh
# The differential test of kbfix's structure check against hivex
# (src/hive/hivexwalk.h), over every hive the tests have: the fixtures, the
# sample hive, the real hives of ../shared/hives-real (and the replays of
# the dirty ones' logs), the damaged copies tests/cli_hostile.sh makes
# (tests/mkhostile), and the fuzz corpora (through tests/replay_hive,
# whose harness makes the same assertion).  A hive hivex reads whole
# (every key and value, no loop) that kbfix refuses for a reason outside
# the hostile shapes of src/format/regfcheck.h fails the test, with the hive's
# name and both verdicts.  The hostile copies must each be refused for
# the shape they were made with.
set -u
. "$top_srcdir/tests/clilib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
DIFF="$top_builddir/tests/hivediff"
MKHOSTILE="$top_builddir/tests/mkhostile"
SYS="$top_builddir/tests/hives/system/SYSTEM"
LI="$top_builddir/tests/hives/system-li/SYSTEM"

# compare FILE...: no disagreement; the verdicts go to $tmp/verdicts.
compare() {
	"$DIFF" "$@" > "$tmp/out" 2>&1
	rc=$?
	cat "$tmp/out" >> "$tmp/verdicts"
	if [ $rc -ne 0 ] || grep -q '^DISAGREE' "$tmp/out"; then
		bad "kbfix and hivex disagree:"
		grep '^DISAGREE' "$tmp/out" >&2
	fi
	ok
}

# verdict FILE TEXT: the line of FILE holds TEXT.
verdict() {
	if grep -F -- "$1: " "$tmp/verdicts" | grep -qF -- "$2"; then ok; else
		bad "${1##*/}: not '$2': $(grep -F -- "$1: " "$tmp/verdicts")"
	fi
}

# The fixtures and the sample hive: both read them whole.
compare "$top_builddir"/tests/hives/*/* "$top_srcdir/hives/SYSTEM"
for f in "$top_builddir"/tests/hives/*/* "$top_srcdir/hives/SYSTEM"; do
	verdict "$f" "kbfix accepts it; hivex reads it whole"
done

# The real hives, and the dirty ones replayed.
if [ -d "${KBFIX_SHARED-}/hives-real" ]; then
	mkdir "$tmp/real"
	for h in $(unpack_real "$tmp/real"); do
		d=$(dirname "$h")
		compare "$h"
		verdict "$h" "kbfix accepts it; hivex reads it whole"
		if ls "$d"/*.LOG* > /dev/null 2>&1; then
			"$KBFIX" recover "$h" -o "$h.replayed" > /dev/null 2>&1 ||
			    bad "cannot replay the logs of $h"
			compare "$h.replayed"
			verdict "$h.replayed" \
			    "kbfix accepts it; hivex reads it whole"
		fi
	done
elif [ -n "${CI-}" ]; then
	bad "../shared is missing"
fi

# mk NAME FIXTURE KIND [ARG...]: a damaged copy $tmp/h/NAME.
mkdir "$tmp/h"
mk() {
	name=$1 from=$2
	shift 2
	"$MKHOSTILE" "$from" "$tmp/h/$name" "$@" || bad "mkhostile $name $*"
}
CS='ControlSet002\Services'
SMS="$CS"'\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL'
PERF='ControlSet001\Services\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL\Performance'
mk checksum "$SYS" checksum
mk binspast "$SYS" bins-past-eof
mk nohbin "$SYS" no-hbin
mk cellpast "$SYS" cell-past-bin "$CS\\EXIFS"
mk fixed "$SYS" truncate-fixed 8192
mk loop "$SYS" loop "$SMS"
mk shared "$SYS" shared "$SMS" 'ControlSet001\Services\EXIFS'
mk deep "$SYS" deep 'ControlSet001\Services\Dhcp' 520
mk badkey "$SYS" bad-utf16-key "$CS\\Dhcp"
mk badval "$SYS" bad-utf16-value "$CS\\EXIFS\\Parameters" Mode
mk vpast "$SYS" value-past-end "$CS\\EXIFS\\Parameters" Mode
mk vhuge "$SYS" value-too-long "$CS\\EXIFS\\Parameters" Mode
mk vbig "$SYS" value-length "$PERF" 'Counter Layout' 9000000
mk vshort "$SYS" value-length "$PERF" 'Counter Layout' 50000
mk vinline "$SYS" inline-too-long "$CS\\EXIFS\\Parameters" IoThreads
mk riri "$LI" index-in-index "$CS"
mk litwice "$LI" li-twice 'ControlSet002\Control'
compare "$tmp"/h/*
# Those hivex reads whole are refused for their hostile shape.
for c in "binspast:base block" "shared:key twice" "deep:too deep" \
    "vshort:big data" "riri:index in index" "litwice:key twice"; do
	verdict "$tmp/h/${c%%:*}" "kbfix refuses it (${c#*:})"
	verdict "$tmp/h/${c%%:*}" "hivex reads it whole"
done
# The others hivex does not read either.
for c in checksum nohbin fixed loop badkey badval vpast vhuge vbig vinline; do
	verdict "$tmp/h/$c" "hivex does not read it whole"
done

# The fuzz corpora, and what "make fuzz" found, through the harness.
files=
for d in "$top_srcdir/fuzz/corpus/hive" "$top_srcdir/tests/fuzz/hive" \
    "$top_builddir/fuzz/run/hive"; do
	[ -d "$d" ] || continue
	for f in "$d"/*; do
		[ -f "$f" ] && files="$files $f"
	done
done
if [ -n "$files" ]; then
	# shellcheck disable=SC2086
	"$top_builddir/tests/replay_hive" $files > "$tmp/replay" 2>&1 ||
	    bad "the hive harness fails: $(grep -m1 'differential' \
	    "$tmp/replay")"
	ok
fi

echo "$(wc -l < "$tmp/verdicts") hives compared"
sed 's/^/  /' "$tmp/verdicts"
finish
