# clilib.sh: the harness every shell test sources first:
#
#   . "$top_srcdir/tests/clilib.sh"
#   ...; ok                      a check passed
#   ...|| bad "what went wrong"  a check failed (the message goes to stderr)
#   if have_shared "what"; then ...; fi   the checks that need ../shared
#   finish                       the counts; exit 0, 1, or 77 (skipped)
#
# It makes $tmp, a scratch folder removed at exit (a script that set tmp
# before keeps its own).  npass counts the checks passed, nbad those failed,
# fail is 1 once one has failed.
npass=0
nbad=0
fail=0
nskip=0
if [ -z "${tmp-}" ]; then
	tmp=$(mktemp -d) || exit 2
	trap 'rm -rf "$tmp"' EXIT
fi

bad() {
	echo "FAIL: $*" >&2
	nbad=$((nbad + 1))
	fail=1
}

ok() {
	npass=$((npass + 1))
}

# True when ../shared ($KBFIX_SHARED) is there.  Without it the checks it
# guards are skipped and said so (WHAT names them), except under CI
# ($CI set), where a missing ../shared is a failure.
have_shared() {
	[ -d "${KBFIX_SHARED-}/hives-real" ] && return 0
	if [ -n "${CI-}" ]; then
		bad "../shared is missing (KBFIX_SHARED), needed for $1"
	else
		echo "skipped: $1: ../shared is missing (KBFIX_SHARED)"
		nskip=$((nskip + 1))
	fi
	return 1
}

# The end of a test: the counts, then exit 1 if a check failed, 77
# (automake's SKIP) if every check was skipped, else 0.
finish() {
	if [ "$nskip" -gt 0 ]; then
		echo "${0##*/}: $npass passed, $nbad failed, $nskip skipped"
	else
		echo "${0##*/}: $npass passed, $nbad failed"
	fi
	[ "$fail" -eq 0 ] || exit 1
	[ "$npass" -eq 0 ] && [ "$nskip" -gt 0 ] && exit 77
	exit 0
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
