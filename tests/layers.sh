#!/bin/sh
# layers.sh: src/ is in layers, a folder each, and a file includes only
# headers of its own layer and of the layers it stands on (HACKING.md):
#
#   base     the helpers every layer uses: diagnostics, names, paths
#   format   the registry's file formats, read and written as bytes
#   hive     hives opened through hivex, walked, found on a machine
#   remedy   remedy files loaded and checked; the library
#   place    files inside a disk image, through libguestfs: never a hive
#   engine   plan, render, verify, apply, undo
#   author   KB articles read and remedies drafted: never a hive
#   cli      the subcommands: the only code that prints and exits
#
# Fails on a source file outside a layer's folder, on a header name two
# layers both hold (headers are included by name alone), on an include of
# a header that no layer holds, and on an include of a layer not below;
# and, so that each file stays a room one can read, on a file over 1,500
# lines or a function over 150 (from its "{" to its "}" at column 0).
set -u
: "${top_srcdir:?}"
. "$top_srcdir/tests/clilib.sh"

# LAYER: the layers its files may include, itself first.
may_include() {
	case $1 in
	base) echo base ;;
	format) echo format base ;;
	hive) echo hive format base ;;
	remedy) echo remedy hive format base ;;
	place) echo place base ;;
	engine) echo engine remedy place hive format base ;;
	author) echo author base ;;
	cli) echo cli author engine remedy place hive format base ;;
	*) return 1 ;;
	esac
}

src="$top_srcdir/src"
cd "$src" || exit 2

for f in *.c *.h; do
	[ -e "$f" ] || continue
	bad "src/$f is in no layer: move it into the folder of its layer"
done

# Every header, as "NAME LAYER" lines.
for d in */; do
	d=${d%/}
	may_include "$d" > /dev/null ||
	    { bad "src/$d/ is not a layer (tests/layers.sh lists them)"; continue; }
	for h in "$d"/*.h; do
		[ -e "$h" ] && echo "${h#*/} $d"
	done
done > "$tmp/headers"
dups=$(awk '{ n[$1]++ } END { for (h in n) if (n[h] > 1) print h }' \
    "$tmp/headers")
for h in $dups; do
	bad "the header name $h is in several layers: $(grep "^$h " \
	    "$tmp/headers" | cut -d' ' -f2 | tr '\n' ' ')"
done
ok

for d in */; do
	d=${d%/}
	allowed=$(may_include "$d") || continue
	for f in "$d"/*.c "$d"/*.h; do
		[ -e "$f" ] || continue
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' \
		    "$f" > "$tmp/inc"
		while read -r h; do
			[ "$h" = config.h ] && continue
			l=$(awk -v h="$h" '$1 == h { print $2; exit }' \
			    "$tmp/headers")
			if [ -z "$l" ]; then
				bad "src/$f includes \"$h\", which no layer holds"
				continue
			fi
			case " $allowed " in
			*" $l "*) ;;
			*) bad "src/$f includes $h of $l, a layer above" \
			    "$d (which includes only: $allowed)" ;;
			esac
		done < "$tmp/inc"
		ok
	done
done

for f in */*.c */*.h; do
	[ -e "$f" ] || continue
	l=$(wc -l < "$f")
	if [ "$l" -gt 1500 ]; then
		bad "src/$f has $l lines, over 1,500: split it along its stages"
	else
		ok
	fi
done
awk '/^\{/ { start = FNR; name = prev }
/^\}/ && start { if (FNR - start + 1 > 150) printf "%s:%d: %s: %d lines\n",
    FILENAME, start - 1, name, FNR - start + 1; start = 0 }
$0 !~ /^[ \t]/ && $0 != "{" && $0 != "" { prev = $0 }' */*.c > "$tmp/long"
while read -r line; do
	bad "src/$line, over 150: cut it into functions"
done < "$tmp/long"
[ -s "$tmp/long" ] || ok

finish
