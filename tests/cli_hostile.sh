#!/bin/sh
# Hostile and broken hives: "kbfix --dry-run" and "kbfix scan" on each must
# exit 2 with one line on standard error saying what is wrong, print
# nothing on standard output, write nothing (the folder's listing and the
# hive's bytes unchanged), not crash and not hang.
#
# The hives are made here from the fixtures by tests/mkhostile (whose
# comment documents each patch and the offsets it uses) or by cutting and
# copying; $KBFIX may be a wrapper (valgrind in CI).
set -u
MKHOSTILE="$top_builddir/tests/mkhostile"
MKHIVE="$top_builddir/tests/mkhive"
SYS="$top_builddir/tests/hives/system/SYSTEM"
NTUSER="$top_builddir/tests/hives/ntuser/NTUSER.DAT"
CS='ControlSet002\Services'
SMS="$CS"'\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL'
LIMIT=${HOSTILE_TIMEOUT:-120}
. "$top_srcdir/tests/clilib.sh"

# What a folder holds, to the nanosecond: its entries and its own times
# (a file made and removed again still changes the folder's).
listing() {
	ls -lA --time-style=+%s.%N "$1" && stat -c '%y %z' "$1"
}

# run CASE FILE WANT [ARG...]: FILE sits in $tmp/CASE/; WANT is text the
# one message must hold (a grep -F string).
run() {
	c=$1 f=$2 want=$3
	shift 3
	dir="$tmp/$c"
	for cmd in --dry-run scan; do
		listing "$dir" > "$tmp/before" \
		    2>&1
		[ -f "$dir/$f" ] && cp "$dir/$f" "$tmp/bytes"
		( cd "$dir" && exec timeout "$LIMIT" "$KBFIX" $cmd "$@" "$f" ) \
		    > "$tmp/out" 2> "$tmp/err"
		rc=$?
		listing "$dir" > "$tmp/after" 2>&1
		why=
		if [ $rc -eq 124 ]; then why="hung (killed after $LIMIT s)"
		elif [ $rc -ne 2 ]; then why="exit $rc, want 2"
		elif [ -s "$tmp/out" ]; then why="printed on stdout"
		elif [ "$(wc -l < "$tmp/err")" -ne 1 ]; then
			why="want one line on stderr"
		elif ! grep -qF -- "$want" "$tmp/err"; then
			why="message does not say '$want'"
		elif ! cmp -s "$tmp/before" "$tmp/after"; then
			why="the folder changed"
		elif [ -f "$dir/$f" ] && ! cmp -s "$dir/$f" "$tmp/bytes"; then
			why="the hive changed"
		fi
		if [ -n "$why" ]; then
			bad "$c: kbfix $cmd: $why"
			sed 's/^/  stderr: /' "$tmp/err" | head -n 5
		else
			echo "ok: $c: kbfix $cmd: $(cat "$tmp/err")"
			ok
		fi
	done
}

# mk CASE KIND [ARG...]: $tmp/CASE/SYSTEM made by mkhostile from $SYS.
mk() {
	c=$1
	shift
	mkdir -p "$tmp/$c"
	"$MKHOSTILE" "$SYS" "$tmp/$c/SYSTEM" "$@" || {
		bad "$c: mkhostile $*"
		return 1
	}
}

# Zero-length, and cut at the interesting offsets: inside the signature,
# after it, inside the base block (the checksum is at 508), at its end, in
# the first hive bin's header (32 bytes), at the second bin, one byte
# short of the end.
mkdir -p "$tmp/empty" && : > "$tmp/empty/SYSTEM"
run empty SYSTEM "empty file, not a registry hive"
size=$(wc -c < "$SYS")
for n in 1 3; do
	mkdir -p "$tmp/cut$n" && head -c $n "$SYS" > "$tmp/cut$n/SYSTEM"
	run "cut$n" SYSTEM "not a registry hive (no 'regf' signature)"
done
for n in 4 100 508 512 4095; do
	mkdir -p "$tmp/cut$n" && head -c $n "$SYS" > "$tmp/cut$n/SYSTEM"
	run "cut$n" SYSTEM "truncated base block"
done
for n in 4096 4100 4128 8192 $((size / 2)) $((size - 1)); do
	mkdir -p "$tmp/cut$n" && head -c $n "$SYS" > "$tmp/cut$n/SYSTEM"
	run "cut$n" SYSTEM "hive bins size past the end of the file"
done
# Cut at a bin boundary with the header made to agree: the cells then
# point past the end.
mk fixed truncate-fixed 8192 &&
    run fixed SYSTEM "corrupt hive: key '(root)': its subkey list is not a cell"

# Not a hive: text; and a folder named like a hive, which as a TARGET is
# a machine's folder (holding nothing here), not a hive file.
mkdir -p "$tmp/text" && cp "$top_srcdir/README.md" "$tmp/text/SYSTEM"
run text SYSTEM "not a registry hive (no 'regf' signature)"
mkdir -p "$tmp/folder/SYSTEM"
run folder SYSTEM "'SYSTEM' holds no Windows folder and none of the hives"

# The base block and the hive bins.
mk checksum checksum && run checksum SYSTEM "bad base block checksum"
mk binspast bins-past-eof &&
    run binspast SYSTEM "hive bins size past the end of the file"
mk nohbin no-hbin && run nohbin SYSTEM "corrupt hive: no hive bin at offset"
mk cellpast cell-past-bin "$CS\\EXIFS" &&
    run cellpast SYSTEM "runs past the end of its hive bin"

# The key tree: a subkey list that loops back to a parent, a key listed
# under two parents, nesting past Windows' 512 levels.  The key tree is
# checked when the hive is opened, so the damage need not lie on a path a
# remedy reads.
mk loop loop "$SMS" &&
    run loop SYSTEM "lists its own ancestor 'Services' as a subkey"
mk shared shared "$SMS" 'ControlSet001\Services\EXIFS' &&
    run shared SYSTEM "lists 'EXIFS', a subkey of another key"
mk deep deep 'ControlSet001\Services\Dhcp' 520 &&
    run deep SYSTEM "keys nested deeper than 512 levels"

# Names and values.
mk badkey bad-utf16-key "$CS\\Dhcp" &&
    run badkey SYSTEM "its name is not valid UTF-16"
mk badval bad-utf16-value "$CS\\EXIFS\\Parameters" Mode &&
    run badval SYSTEM "is not valid UTF-16"
mk vpast value-past-end "$CS\\EXIFS\\Parameters" Mode &&
    run vpast SYSTEM "the data of value 'Mode' (18 bytes) is not in a cell"
mk vhuge value-too-long "$CS\\EXIFS\\Parameters" Mode &&
    run vhuge SYSTEM "value 'Mode' claims 2147483632 bytes of data"
# A big-data value (the fixture's 40,000-byte "Counter Layout") claiming
# 9,000,000 bytes over the same segments.
mk vbig value-length 'ControlSet001\Services\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL\Performance' \
    'Counter Layout' 9000000 &&
    run vbig SYSTEM "value 'Counter Layout' claims 9000000 bytes of data, its big-data segments hold"
mk vinline inline-too-long "$CS\\EXIFS\\Parameters" IoThreads &&
    run vinline SYSTEM "value 'IoThreads' holds 200 bytes inline"

# Select\Current naming a control set that is not there, or 0.
mk sel9 dword Select Current 9 &&
    run sel9 SYSTEM "ControlSet009 does not exist"
mk sel0 dword Select Current 0 &&
    run sel0 SYSTEM 'Select\Current is missing or 0'

# The wrong kind of hive where the remedies need SYSTEM or SOFTWARE: a SAM
# hive, an NTUSER.DAT, a hive of no kind kbfix knows.
mkdir -p "$tmp/sam" "$tmp/ntuser" "$tmp/unknown"
printf 'Windows Registry Editor Version 5.00\n\n%s\n"C"=hex:00\n' \
    '[HKEY_LOCAL_MACHINE\SAM\SAM\Domains\Account]' > "$tmp/sam.reg"
"$MKHIVE" --prefix 'HKEY_LOCAL_MACHINE\SAM' "$tmp/sam/SAM" "$tmp/sam.reg" &&
    run sam SAM "'SAM' is a hive of kind SAM; the remedies work on SYSTEM"
cp "$NTUSER" "$tmp/ntuser/NTUSER.DAT"
run ntuser NTUSER.DAT "'NTUSER.DAT' is a user's hive (NTUSER): Q256211 changes it, but needs the SYSTEM hive"
printf 'Windows Registry Editor Version 5.00\n\n%s\n"x"=dword:00000001\n' \
    '[HKEY_LOCAL_MACHINE\SYSTEM\Nothing]' > "$tmp/unknown.reg"
"$MKHIVE" "$tmp/unknown/SYSTEM" "$tmp/unknown.reg" &&
    run unknown SYSTEM "'SYSTEM' is no hive kbfix knows"

# Not refused for being deep: 508 levels under a key at depth 3 stay
# within Windows' limit, and the plan still comes out (exit 1).
if "$MKHOSTILE" "$SYS" "$tmp/ok-deep" deep 'ControlSet001\Services\Dhcp' 508
then
	timeout "$LIMIT" "$KBFIX" scan "$tmp/ok-deep" > /dev/null 2> "$tmp/err"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$tmp/err" ]; then
		echo "ok: 511 levels deep is accepted"
		ok
	else
		bad "511 levels deep: exit $rc, want 1"
		cat "$tmp/err"
	fi
fi

finish
