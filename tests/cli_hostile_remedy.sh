#!/bin/sh
# Hostile remedy files on the command line ("kbfix --dry-run BAD.xml
# SYSTEM"): external entities and DTDs, an entity-expansion bomb, an
# enormous attribute and file, encodings other than UTF-8, invalid UTF-8,
# NUL bytes.  Each must exit 2 with one "FILE:LINE: error: ..." line, print
# nothing on standard output, leak nothing of a file it was pointed at,
# and write nothing.  tests/check_remedy.c checks the same loader from the
# inside; this checks what a user sees.
set -u
SYS="$top_builddir/tests/hives/system/SYSTEM"
SEED="$top_srcdir/remedies/Q267971.xml"
. "$top_srcdir/tests/clilib.sh"

# What a folder holds, to the nanosecond: its entries and its own times
# (a file made and removed again still changes the folder's).
listing() {
	ls -lA --time-style=+%s.%N "$1" && stat -c '%y %z' "$1"
}
mkdir "$tmp/w"
cp "$SYS" "$tmp/w/SYSTEM"
# The machine's SOFTWARE, where the seed reads the SMS service pack.
cp "$top_builddir/tests/hives/software-sms/SOFTWARE" "$tmp/w/SOFTWARE"
secret="$tmp/secret.txt"
echo "KBFIX-SECRET-5d1c" > "$secret"

# check FILE WANT: FILE (in $tmp/w) refused with a message holding WANT.
check() {
	f=$1 want=$2
	listing "$tmp/w" > "$tmp/before"
	( cd "$tmp/w" && exec timeout 120 "$KBFIX" --dry-run "./$f" SYSTEM ) \
	    > "$tmp/out" 2> "$tmp/err"
	rc=$?
	listing "$tmp/w" > "$tmp/after"
	why=
	if [ $rc -ne 2 ]; then why="exit $rc, want 2"
	elif [ -s "$tmp/out" ]; then why="printed on stdout"
	elif [ "$(wc -l < "$tmp/err")" -ne 1 ]; then
		why="want one line on stderr"
	elif ! grep -q "^\./$f:[0-9]*: error: " "$tmp/err" &&
	    ! grep -q "^\./$f: error: " "$tmp/err"; then
		why="not a FILE:LINE: error: message"
	elif ! grep -qF -- "$want" "$tmp/err"; then
		why="message does not say '$want'"
	elif grep -q KBFIX-SECRET "$tmp/err"; then
		why="the secret file's content came out"
	elif ! cmp -s "$tmp/before" "$tmp/after"; then
		why="the folder changed"
	elif ! cmp -s "$tmp/w/SYSTEM" "$SYS"; then
		why="the hive changed"
	fi
	if [ -n "$why" ]; then
		bad "$f: $why"
		sed 's/^/  stderr: /' "$tmp/err" | head -n 5
	else
		echo "ok: $f: $(cat "$tmp/err")"
		ok
	fi
}

# The seed's lines after its XML declaration.
body() {
	sed 1d "$SEED"
}

# The seed itself must pass, or the rest proves nothing.
cp "$SEED" "$tmp/w/good.xml"
( cd "$tmp/w" && "$KBFIX" --dry-run ./good.xml SYSTEM SOFTWARE \
    > /dev/null 2>&1 )
rc=$?
if [ $rc -eq 1 ]; then ok; else
	bad "the unchanged seed: exit $rc, want 1"
fi

# An external entity pointing at a local file, used in the title.
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo "<!DOCTYPE remedy [<!ENTITY x SYSTEM \"file://$secret\">]>"
	body | sed 's|<title>|<title>\&x;|'
} > "$tmp/w/xxe.xml"
check xxe.xml "xxe.xml:2: error: DTD not allowed"

# An external DTD with a parameter entity, and one on the network.
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo "<!DOCTYPE remedy SYSTEM \"file://$secret\" [<!ENTITY % p SYSTEM \"file://$secret\"> %p;]>"
	body
} > "$tmp/w/dtd.xml"
check dtd.xml "DTD not allowed"
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<!DOCTYPE remedy SYSTEM "http://127.0.0.1:9/remedy.dtd">'
	body
} > "$tmp/w/netdtd.xml"
check netdtd.xml "DTD not allowed"

# An entity-expansion bomb (a billion laughs).
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<!DOCTYPE remedy ['
	echo '<!ENTITY l0 "lol">'
	i=1
	while [ $i -le 9 ]; do
		p=$((i - 1))
		echo "<!ENTITY l$i \"&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;\">"
		i=$((i + 1))
	done
	echo ']>'
	body | sed 's|<title>|<title>\&l9;|'
} > "$tmp/w/bomb.xml"
check bomb.xml "bomb.xml:2: error: DTD not allowed"

# An enormous attribute (100,000 bytes), and a file past the 1 MiB cap.
big=$(head -c 100000 /dev/zero | tr '\0' 'a')
sed "s|<title>|<title>x|; s|id=\"Q267971\"|id=\"Q267971\" junk=\"$big\"|" \
    "$SEED" > "$tmp/w/bigattr.xml"
check bigattr.xml "is too long (100000 bytes, limit 65536)"
{
	cat "$SEED"
	head -c 1100000 /dev/zero | tr '\0' ' '
} > "$tmp/w/huge.xml"
check huge.xml "huge.xml: error: file too large ("

# Encodings: declared Latin-1 (with Latin-1 bytes, and without), declared
# UTF-16 over UTF-8 bytes, real UTF-16 with its byte-order mark.
{ echo '<?xml version="1.0" encoding="ISO-8859-1"?>'; body; } \
    > "$tmp/w/latin1.xml"
check latin1.xml "latin1.xml:1: error: declared encoding 'ISO-8859-1': remedy files must be UTF-8"
{ echo '<?xml version="1.0" encoding="ISO-8859-1"?>'; body; } |
    sed 's|<title>|<title>caf\xe9 |' > "$tmp/w/latin1bytes.xml"
check latin1bytes.xml "declared encoding 'ISO-8859-1'"
{ echo "<?xml version='1.0' encoding='UTF-16'?>"; body; } > "$tmp/w/u16decl.xml"
check u16decl.xml "declared encoding 'UTF-16'"
iconv -f UTF-8 -t UTF-16 "$SEED" > "$tmp/w/utf16.xml"
check utf16.xml "utf16.xml:1: error: UTF-16 text (it starts with a byte-order mark)"

# Mixed: UTF-8 with one Latin-1 byte on line 3; an overlong encoding; a
# UTF-16 surrogate encoded in UTF-8.
sed '3s|<title>|<title>caf\xc3\xa9 and caf\xe9 |' "$SEED" > "$tmp/w/mixed.xml"
check mixed.xml "mixed.xml:3: error: invalid UTF-8 (byte 0xe9)"
sed '3s|<title>|<title>\xc0\xaf|' "$SEED" > "$tmp/w/overlong.xml"
check overlong.xml "overlong.xml:3: error: invalid UTF-8 (byte 0xc0)"
sed '3s|<title>|<title>\xed\xa0\x80|' "$SEED" > "$tmp/w/surrogate.xml"
check surrogate.xml "surrogate.xml:3: error: invalid UTF-8 (byte 0xed)"

# A NUL byte on line 4.
sed '4s|<article|<\x00article|' "$SEED" > "$tmp/w/nul.xml"
check nul.xml "nul.xml:4: error: NUL byte in file"

finish
