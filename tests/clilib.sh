# clilib.sh: what the shell tests of apply share.  Source it after setting
# tmp (a scratch folder).  Counts in n (passed) and fail (0 or 1).
n=0
fail=0

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

ok() {
	n=$((n + 1))
}

# The parsers that witness kbfix's hives must be there: exit 1 otherwise.
need_witnesses() {
	for t in reglookup regfexport hivexregedit; do
		if ! command -v $t > /dev/null; then
			echo "FAIL: $t is missing (./bootstrap installs it)" >&2
			exit 1
		fi
	done
}

# Every key and value (path, type, data) as reglookup reads it, sorted,
# without the key times (hivex does not update them).
listing() {
	reglookup -H "$1" 2>/dev/null | sed 's/,[^,]*$//' | LC_ALL=C sort
}

# The whole hive exported by libregf (a parser stricter than hivex) and read
# by reglookup, without an error.
witness() {
	if ! regfexport "$1" > "$tmp/regfexport.out" 2>&1 ||
	    grep -q '^Unable\|libregf_' "$tmp/regfexport.out"; then
		bad "regfexport cannot read $1: $(grep -m1 '^Unable\|libregf_' \
		    "$tmp/regfexport.out")"
	fi
	reglookup -H "$1" > /dev/null 2>"$tmp/reglookup.err" ||
	    bad "reglookup cannot read $1"
	ok
}

# Decompress every folder of ../shared/hives-real into $1/FOLDER/, hives and
# logs, and print the path of each hive (not its logs), a line each.
unpack_real() {
	for x in "$KBFIX_SHARED"/hives-real/*/*.xz; do
		case $x in *.LOG*) continue ;; esac
		d="$1/$(basename "$(dirname "$x")")"
		mkdir -p "$d"
		for y in "$(dirname "$x")"/*.xz; do
			xz -dc "$y" > "$d/$(basename "$y" .xz)"
		done
		echo "$d/$(basename "$x" .xz)"
	done
}
