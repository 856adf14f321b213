#!/bin/sh
# The manual page documents every subcommand of src/cli/kbfix.c's table (and
# apply, which main() dispatches itself) as ".It Cm NAME", and every option
# the command line parses (a "-x" or "--xyz" string literal compared in
# src/cli/kbfix.c or src/cli/cmd-*.c) as "Fl ...".  groff, when present, reads it
# without a warning.
set -u
man="$top_srcdir/doc/kbfix.1"
src="$top_srcdir/src"
fail=0 n=0
[ -r "$man" ] || { echo "no $man"; exit 1; }

cmds=$(sed -n 's/^[[:space:]]*{ "\([a-z][a-z-]*\)", cmd_[a-z_]* },.*/\1/p' "$src/cli/kbfix.c")
[ -n "$cmds" ] || { echo "no command table in src/cli/kbfix.c"; exit 1; }
for c in $cmds apply; do
	n=$((n + 1))
	grep -q "^\.It Cm $c\( \|$\)" "$man" || {
		echo "FAIL: command '$c' is not described (.It Cm $c) in doc/kbfix.1"
		fail=$((fail + 1))
	}
	grep -q "^\.Cm $c\$" "$man" || {
		echo "FAIL: command '$c' is not in the SYNOPSIS (.Cm $c) of doc/kbfix.1"
		fail=$((fail + 1))
	}
done

# The options of the table (src/cli/cmd-options.c), names and aliases, and
# those a command parses itself.
opts=$( (cat "$src/cli/kbfix.c" "$src"/cli/cmd-*.c |
    grep -o 'strcmp([^,]*, *"-[-a-z]*")' | sed 's/.*"\(-[-a-z]*\)")/\1/'
    sed -n 's/^	{ "\(-[-a-z]*\)", \(NULL\|"\(-[-a-z]*\)"\),.*/\1 \3/p' \
    "$src/cli/cmd-options.c" | tr ' ' '\n') | grep . | sort -u)
echo "$opts" | grep -qx -- --backup-dir || {
	echo "FAIL: no option table in src/cli/cmd-options.c"
	fail=$((fail + 1))
}
for o in $opts; do
	[ "$o" = "--" ] && continue	# the end of the options
	n=$((n + 1))
	# In mdoc, "--x" is written "Fl \-x" and "-x" is "Fl x".
	case $o in
	--*) pat="Fl \\\\-${o#--}" ;;
	*) pat="Fl ${o#-}" ;;
	esac
	grep -q -- "$pat\\( \\|\$\\)" "$man" || {
		echo "FAIL: option '$o' is not documented in doc/kbfix.1"
		fail=$((fail + 1))
	}
done

if command -v groff > /dev/null 2>&1; then
	n=$((n + 1))
	w=$(groff -mdoc -ww -z -Tutf8 "$man" 2>&1)
	[ -z "$w" ] || { echo "FAIL: groff warns: $w"; fail=$((fail + 1)); }
fi
# The page renders as written: a word after "Fl" on a line is a flag too,
# so "Pq with Fl \-output , the undo file" made every word a flag.
if command -v man > /dev/null 2>&1; then
	n=$((n + 1))
	stray=$(MANWIDTH=80 man -l "$man" 2>/dev/null | grep -c ' -the ')
	[ "$stray" -eq 0 ] || {
		echo "FAIL: $stray rendered lines hold a stray flag (' -the ')"
		fail=$((fail + 1))
	}
fi
# mandoc's lint: no error, no warning (its style notes are left).
if command -v mandoc > /dev/null 2>&1; then
	n=$((n + 1))
	w=$(mandoc -T lint -W warning "$man" 2>&1 | grep -v 'mandoc\.db')
	[ -z "$w" ] || { echo "FAIL: mandoc -T lint: $w"; fail=$((fail + 1)); }
elif [ -n "${CI:-}" ]; then
	echo "FAIL: mandoc is missing (./bootstrap installs it)"
	fail=$((fail + 1))
fi
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
