#!/bin/sh
# kbfix recover on copies of the real dirty hives of ../shared/hives-real:
# the figures of issue 9 counted by two independent parsers (reglookup and
# regfinfo), hivex opens the result, recovering it again changes nothing,
# the evidence is only read and nothing is written beside it.  Then logs
# damaged on purpose (truncated, a flipped byte, a wrong signature): the
# entries before the damage are kept, or nothing is written and the exit
# code is 2.
set -u
. "$top_srcdir/tests/clilib.sh"
# Every check here needs the real hives.
have_shared "every check" || finish
real="$KBFIX_SHARED/hives-real"

# unpack CASE DIR NAME...: the .xz files of a case into DIR, and a second
# copy into DIR.ref to compare with afterwards.
unpack() {
	c=$1 d=$2; shift 2
	rm -rf "$d" "$d.ref"; mkdir -p "$d" "$d.ref"
	for n in "$@"; do
		xz -dc "$real/$c/$n.xz" > "$d/$n" || exit 1
		cp "$d/$n" "$d.ref/$n"
	done
}

# untouched DIR: DIR holds exactly the files of DIR.ref, byte for byte.
untouched() {
	if [ "$(ls -A "$1")" != "$(ls -A "$1.ref")" ]; then
		bad "files beside the hive changed: $(ls -A "$1" | tr '\n' ' ')"
		return
	fi
	for f in "$1.ref"/*; do
		cmp -s "$f" "$1/${f##*/}" || { bad "${f##*/} changed"; return; }
	done
	ok
}

# counts FILE: "KEYS VALUES" by reglookup -i, then by regfinfo.
counts() {
	reglookup -i "$1" 2>/dev/null | awk -F, 'NR > 1 { if ($2 == "KEY") k++;
	    else v++ } END { printf "%d %d\n", k, v }'
	regfinfo "$1" 2>/dev/null | awk '/\(key:\)/ { k++ } /\(value: / { v++ }
	    END { printf "%d %d\n", k, v }'
}

# le32 FILE OFFSET
le32() {
	od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}

# seqs FILE: "SEQ1/SEQ2" of the base block.
seqs() {
	echo "$(le32 "$1" 4)/$(le32 "$1" 8)"
}

# entry LOG K: offset of the K-th (0-based) HvLE entry of LOG.
entry() {
	o=512 k=$2
	while [ "$k" -gt 0 ]; do
		o=$((o + $(le32 "$1" $((o + 4)))))
		k=$((k - 1))
	done
	echo $o
}

# poke FILE OFFSET: flip bit 5 of the byte at OFFSET.
poke() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "\\$(printf %03o $((b ^ 32)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# has FILE TEXT: FILE holds the line TEXT (fixed string).
has() {
	if grep -qxF -- "$2" "$1"; then ok; else
		bad "no line '$2' in ${1##*/}:"; sed 's/^/  | /' "$1"
	fi
}
# contains FILE TEXT: some line of FILE contains TEXT.
contains() {
	if grep -qF -- "$2" "$1"; then ok; else
		bad "no '$2' in ${1##*/}:"; sed 's/^/  | /' "$1"
	fi
}

# check_case CASE HIVE SEQ "KEYS VALUES" LINE...: recover a real dirty
# hive, check the result with the witnesses, and what was reported.
check_case() {
	c=$1 h=$2 seq=$3 want=$4; shift 4
	ev="$tmp/$c" out="$tmp/out-$c"
	unpack "$c" "$ev" "$h" "$h.LOG1" "$h.LOG2"
	mkdir -p "$out"
	(cd "$ev" && "$KBFIX" recover "$h" -o "$out/$h") \
	    > "$tmp/stdout" 2> "$tmp/stderr"
	rc=$?
	[ $rc -eq 0 ] || bad "$c: exit $rc, want 0: $(cat "$tmp/stderr")"
	[ -s "$tmp/stderr" ] && bad "$c: messages: $(cat "$tmp/stderr")"
	untouched "$ev"
	for l in "$@"; do has "$tmp/stdout" "$l"; done
	has "$tmp/stdout" "wrote '$out/$h' ($(wc -c < "$out/$h") bytes)"
	[ "$(ls -A "$out")" = "$h" ] || bad "$c: other files: $(ls -A "$out")"
	[ "$(seqs "$out/$h")" = "$seq/$seq" ] ||
	    bad "$c: sequence numbers $(seqs "$out/$h"), want $seq/$seq"
	got=$(counts "$out/$h" | tr '\n' ' ')
	[ "$got" = "$want $want " ] ||
	    bad "$c: counts (reglookup, regfinfo) $got, want $want"
	hivexregedit --export "$out/$h" '\' > /dev/null 2>&1 ||
	    bad "$c: hivex cannot export the recovered hive"
	ok

	# Again, on the recovered hive with the old logs beside it: they are
	# stale now, and the copy is identical.
	cp "$ev/$h.LOG1" "$ev/$h.LOG2" "$out/"
	"$KBFIX" recover "$out/$h" -o "$out/again" > "$tmp/stdout" 2>&1 ||
	    bad "$c: second recover failed: $(cat "$tmp/stdout")"
	has "$tmp/stdout" "'$out/$h' is clean (sequence numbers $seq/$seq): nothing to replay"
	contains "$tmp/stdout" "'$h.LOG1': "
	contains "$tmp/stdout" ", older than the hive: not applied"
	cmp -s "$out/$h" "$out/again" || bad "$c: second recover changed it"

	# OUT exists: refused, untouched.
	cp "$out/again" "$out/keep"
	"$KBFIX" recover "$ev/$h" -o "$out/again" > "$tmp/stdout" 2>&1
	rc=$?
	[ $rc -eq 2 ] || bad "$c: over an existing OUT: exit $rc, want 2"
	has "$tmp/stdout" "kbfix: error: '$out/again' exists: not replaced"
	cmp -s "$out/keep" "$out/again" || bad "$c: existing OUT changed"
	rm -rf "$out"
}

check_case win10-1709-system-dirty SYSTEM 2130 "35595 78901" \
    "'SYSTEM' is dirty (sequence numbers 1622/1621)" \
    "  'SYSTEM.LOG1': entries 2107..2110, applied 4 (10 pages)" \
    "  'SYSTEM.LOG2': entries 2111..2130, applied 20 (305 pages)" \
    "replayed 4 entries (10 pages) from 'SYSTEM.LOG1' and 20 entries (305 pages) from 'SYSTEM.LOG2', sequence numbers 1622/1621 -> 2130/2130"
check_case win10-ntuser-dirty NTUSER.DAT 588 "3105 4695" \
    "  'NTUSER.DAT.LOG1': entries 566..588, applied 23 (132 pages)" \
    "  'NTUSER.DAT.LOG2': entry 562, older than the hive: not applied" \
    "replayed 23 entries (132 pages) from 'NTUSER.DAT.LOG1', sequence numbers 567/566 -> 588/588"
check_case server2022-amcache-dirty Amcache.hve 9 "270 6658" \
    "  'Amcache.hve.LOG1': entries 3..7, applied 5 (28 pages)" \
    "  'Amcache.hve.LOG2': entries 8..9, applied 2 (11 pages)"

# A clean hive: nothing to replay, OUT is a copy.
ev="$tmp/xp"
unpack xp-sp3 "$ev" SYSTEM
"$KBFIX" recover "$ev/SYSTEM" -o "$tmp/xp-out" > "$tmp/stdout" 2>&1
rc=$?
[ $rc -eq 0 ] || bad "clean hive: exit $rc, want 0"
has "$tmp/stdout" "'$ev/SYSTEM' is clean (sequence numbers 4613/4613): nothing to replay"
has "$tmp/stdout" "wrote a copy to '$tmp/xp-out' ($(wc -c < "$ev/SYSTEM") bytes)"
cmp -s "$ev/SYSTEM" "$tmp/xp-out" || bad "clean hive: OUT is not a copy"
untouched "$ev"

# Usage: no OUT, two hives.
"$KBFIX" recover "$ev/SYSTEM" > "$tmp/stdout" 2>&1
[ $? -eq 2 ] || bad "recover without -o: want exit 2"
contains "$tmp/stdout" "recover takes a HIVE and -o OUT (OUT a new file: the hive itself is never written); see 'kbfix recover --help'"

# ---------------------------------------------------------------- damage
# Amcache.hve: LOG1 holds entries 3..7, LOG2 8..9; the hive is at 4/3.
am=server2022-amcache-dirty
ev="$tmp/am"

# damaged NAME RC: recover $ev/Amcache.hve (already damaged) into
# $tmp/dmg-NAME; check the exit code and that nothing else was written.
damaged() {
	(cd "$ev" && "$KBFIX" recover Amcache.hve -o "$tmp/dmg-$1") \
	    > "$tmp/stdout" 2> "$tmp/stderr"
	rc=$?
	[ $rc -eq "$2" ] || bad "$1: exit $rc, want $2: $(cat "$tmp/stderr")"
	if [ "$2" -eq 2 ]; then
		[ -e "$tmp/dmg-$1" ] && bad "$1: OUT written on a refusal"
	else
		[ "$(seqs "$tmp/dmg-$1")" = "$3/$3" ] ||
		    bad "$1: sequence numbers $(seqs "$tmp/dmg-$1")"
		regfinfo "$tmp/dmg-$1" > /dev/null 2>&1 ||
		    bad "$1: regfinfo cannot read OUT"
		hivexregedit --export "$tmp/dmg-$1" '\' > /dev/null 2>&1 ||
		    bad "$1: hivex cannot read OUT"
	fi
	ls -a "$tmp" | grep -q '\.kbfix-' && bad "$1: temporary file left"
	untouched_but "$1"
}
# untouched_but NAME: every file beside the hive is as unpacked, except
# the log that was damaged on purpose (compared with its damaged copy).
untouched_but() {
	for f in "$ev.ref"/*; do
		n=${f##*/}
		if [ -e "$tmp/damaged-copy/$n" ]; then
			cmp -s "$tmp/damaged-copy/$n" "$ev/$n" ||
			    bad "$1: $n changed"
		else
			cmp -s "$f" "$ev/$n" || bad "$1: $n changed"
		fi
	done
	[ "$(ls -A "$ev")" = "$(ls -A "$ev.ref")" ] ||
	    bad "$1: new files beside the hive: $(ls -A "$ev" | tr '\n' ' ')"
}
fresh() {
	unpack $am "$ev" Amcache.hve Amcache.hve.LOG1 Amcache.hve.LOG2
	rm -rf "$tmp/damaged-copy"; mkdir "$tmp/damaged-copy"
}
keep() { cp "$ev/$1" "$tmp/damaged-copy/$1"; }

# Truncated in the middle of entry 7: 3..6 are kept, a warning says
# where the replay stopped.
fresh
l="$ev/Amcache.hve.LOG1"
o=$(entry "$l" 4) s=$(le32 "$l" $(($(entry "$l" 4) + 4)))
truncate -s $((o + s / 2)) "$l"; keep Amcache.hve.LOG1
stop="entry 7 at offset $(printf 0x%x "$o"): truncated ($(printf 0x%x "$s") bytes, the file ends $(printf 0x%x $((s / 2))) bytes after it)"
damaged truncated 0 6
has "$tmp/stdout" "  'Amcache.hve.LOG1': entries 3..6, applied 4 (24 pages)"
has "$tmp/stdout" "    stopped: $stop"
has "$tmp/stdout" "    stopped: not applied: 'Amcache.hve.LOG1' is damaged before it"
has "$tmp/stderr" "kbfix: warning: 'Amcache.hve.LOG1' is damaged: $stop: the replay stopped there, at sequence number 6; later changes are lost"

# ... in the middle of entry 5: this primary file already holds pages
# written after entry 5, so the hive replayed up to 4 mixes two
# generations of cells: refused.
fresh
o=$(entry "$l" 2) s=$(le32 "$l" $(($(entry "$l" 2) + 4)))
truncate -s $((o + s / 2)) "$l"; keep Amcache.hve.LOG1
damaged truncated-early 2
contains "$tmp/stderr" "kbfix: warning: 'Amcache.hve.LOG1' is damaged: entry 5 at offset $(printf 0x%x "$o"): truncated"
contains "$tmp/stderr" "kbfix: error: the hive replayed from 'Amcache.hve' and its logs does not hold together ("
contains "$tmp/stderr" "': corrupt hive: key '"

# Truncated inside its base block: unreadable, refused.
fresh
truncate -s 300 "$ev/Amcache.hve.LOG1"; keep Amcache.hve.LOG1
damaged truncated-base 2
has "$tmp/stderr" "kbfix: error: 'Amcache.hve.LOG1': truncated base block: cannot tell whether it holds changes newer than the hive"

# A flipped byte in the page data of entry 9 (LOG2): 3..8 are kept.
fresh
l="$ev/Amcache.hve.LOG2"
o=$(entry "$l" 1)
poke "$l" $((o + 40 + 8 * $(le32 "$l" $((o + 20))) + 100)); keep Amcache.hve.LOG2
damaged bad-hash 0 8
has "$tmp/stdout" "  'Amcache.hve.LOG2': entry 8, applied 1 (6 pages)"
has "$tmp/stdout" "    stopped: entry 9 at offset $(printf 0x%x "$o"): bad hash"
has "$tmp/stderr" "kbfix: warning: 'Amcache.hve.LOG2' is damaged: entry 9 at offset $(printf 0x%x "$o"): bad hash: the replay stopped there, at sequence number 8; later changes are lost"

# ... in entry 3 (LOG1), the first one needed: nothing usable, refused.
fresh
l="$ev/Amcache.hve.LOG1"
poke "$l" $((512 + 40 + 8 * $(le32 "$l" $((512 + 20))) + 100)); keep Amcache.hve.LOG1
damaged bad-hash-first 2
has "$tmp/stderr" "kbfix: error: 'Amcache.hve.LOG1' is damaged: entry 3 at offset 0x200: bad hash"
has "$tmp/stderr" "kbfix: error: 'Amcache.hve' is dirty (sequence numbers 4/3) but no log beside it holds its newer changes"
[ -s "$tmp/stdout" ] && bad "bad-hash-first: output on a refusal: $(cat "$tmp/stdout")"

# A wrong signature on entry 3: LOG2 cannot be applied over the hole.
fresh
poke "$l" 515; keep Amcache.hve.LOG1
damaged bad-signature 2
has "$tmp/stderr" "kbfix: error: 'Amcache.hve.LOG2' is damaged: entry 8 at offset 0x200: sequence gap (expected 3)"
contains "$tmp/stderr" "but no log beside it holds its newer changes"

# A wrong signature on a log's base block: refused.
fresh
poke "$ev/Amcache.hve.LOG2" 1; keep Amcache.hve.LOG2
damaged bad-base 2
has "$tmp/stderr" "kbfix: error: 'Amcache.hve.LOG2': no 'regf' signature: cannot tell whether it holds changes newer than the hive"

# No log at all beside a dirty hive: refused.
fresh
rm "$ev/Amcache.hve.LOG1" "$ev/Amcache.hve.LOG2" "$ev.ref/Amcache.hve.LOG1" \
    "$ev.ref/Amcache.hve.LOG2"
damaged no-logs 2
has "$tmp/stderr" "kbfix: error: 'Amcache.hve' is dirty (sequence numbers 4/3) and no transaction log (.LOG1, .LOG2, .LOG) is beside it: its latest changes are missing"

finish
