#!/bin/sh
# cli_completion.sh: the bash completion, completion/kbfix.
#
# It reads the commands and options from "kbfix --help": the usage must
# name every command of src/cli/kbfix.c's table and every option the program
# parses (a "-x" or "--xyz" compared in src/cli/kbfix.c or src/cli/cmd-*.c, as
# tests/man_commands.sh finds them), as the completion parses it.  Then
# what it completes, with bash-completion loaded (as installed) and
# without it: commands, options, option values, remedy IDs from the
# library ("kbfix apply Q26"), files and folders.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
COMP=$top_srcdir/completion/kbfix
BC=/usr/share/bash-completion/bash_completion
for t in bash awk; do
	command -v $t > /dev/null || { echo "FAIL: $t is missing" >&2; exit 1; }
done
[ -r "$BC" ] || { echo "FAIL: $BC is missing (./bootstrap installs bash-completion)" >&2; exit 1; }
# The completion runs the kbfix it completes; the build tree's (under a
# test wrapper such as valgrind, $KBFIX would take seconds a keystroke).
K=$top_builddir/src/kbfix
cd "$tmp" || exit 2
# The IDs it offers come from "kbfix list": a library of the five seed
# remedies keeps the expected lists short and independent of the library's
# growth.
mkdir lib && cp "$top_srcdir"/remedies/Q195936.xml \
    "$top_srcdir"/remedies/Q256211.xml "$top_srcdir"/remedies/Q267971.xml \
    "$top_srcdir"/remedies/Q268499.xml "$top_srcdir"/remedies/Q317061.xml lib ||
    exit 2
KBFIX_REMEDY_DIR=$tmp/lib
export KBFIX_REMEDY_DIR

# --- the usage names everything ------------------------------------------
"$KBFIX" --help > usage.txt || bad "kbfix --help failed"
bash -c '. "$1"; awk "$_kbfix_awk" "$2"' sh "$COMP" usage.txt > spec.txt
cmds=$(sed -n 's/^[[:space:]]*{ "\([a-z][a-z-]*\)", cmd_[a-z_]* },.*/\1/p' \
    "$top_srcdir/src/cli/kbfix.c")
[ -n "$cmds" ] || bad "no command table in src/cli/kbfix.c"
for c in $cmds apply help --dry-run --help --version; do
	grep -qx "c $c" spec.txt || bad "the usage (kbfix --help) lacks the command '$c'"
done
# The options of the table (src/cli/cmd-options.c) and those a command parses
# itself.
opts=$( (cat "$top_srcdir/src/cli/kbfix.c" "$top_srcdir"/src/cli/cmd-*.c |
    grep -o 'strcmp([^,]*, *"-[-a-z]*")' | sed 's/.*"\(-[-a-z]*\)")/\1/'
    sed -n 's/^	{ "\(-[-a-z]*\)", \(NULL\|"\(-[-a-z]*\)"\),.*/\1 \3/p' \
    "$top_srcdir/src/cli/cmd-options.c" | tr ' ' '\n') | grep . | sort -u)
[ -n "$(sed -n '/^	{ "--format"/p' "$top_srcdir/src/cli/cmd-options.c")" ] ||
    bad "no option table in src/cli/cmd-options.c"
for o in $opts; do
	case $o in
	--|-h|--quiet|--help|--version) continue ;;	# the end, aliases
	esac
	grep -q "^o [^ ]* $o " spec.txt ||
	    bad "the usage (kbfix --help) lacks the option '$o'"
done
ok

# --- what it completes ------------------------------------------------------
cat > comp.sh <<'EOF'
# comp WORD...: what completing the last WORD offers, sorted, on one line.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_kbfix kbfix "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
EOF

# expect BC|plain WANT WORD...: completing WORD... offers WANT.
expect() {
	mode=$1 want=$2
	shift 2
	if [ "$mode" = BC ]; then pre=". '$BC';"; else pre=; fi
	got=$(bash -c "$pre . '$COMP'; . '$tmp/comp.sh'; comp \"\$@\"" sh "$@")
	[ "$got" = "$want" ] ||
	    bad "$mode: completing '$*': got '$got', want '$want'"
	ok
}

# In a folder holding a file and a folder.
mkdir w w/folder && : > w/afile && cd w || exit 2
for m in BC plain; do
	expect $m "--dry-run --help --version apply check draft help list recover scan show undo validate " "$K" ""
	expect $m "scan show " "$K" s
	expect $m "Q267971 Q268499 " "$K" apply Q26
	expect $m "Q317061 " "$K" apply q31
	expect $m "Q195936 Q256211 Q267971 Q268499 Q317061 " "$K" show ""
	expect $m "Q195936 Q256211 Q267971 Q268499 Q317061 afile folder " "$K" apply ""
	expect $m "Q256211 " "$K" --dry-run --each -j 2 Q25
	expect $m "json " "$K" scan --format ""
	expect $m "diff json reg " "$K" --dry-run --format ""
	expect $m "--color=always --color=auto --color=never " "$K" --dry-run --color=
	expect $m "--color=always --color=auto " "$K" undo --color=a
	expect $m "--control-set " "$K" apply --con
	expect $m "all current default failed lkg " "$K" apply --control-set ""
	expect $m "--format " "$K" apply --dry-run --for
	# The dry run takes none of apply's options that write.
	expect $m " " "$K" apply --dry-run --back
	expect $m " " "$K" apply -n --out
	expect $m "--backup-dir " "$K" apply --back
	expect $m "--each " "$K" -n --ea
	expect $m "apply " "$K" help ap
	expect $m "--dry-run " "$K" help --d
	expect $m "--no-backup --no-progress " "$K" apply --no-
	expect $m "folder " "$K" apply --backup-dir ""
	expect $m "afile folder " "$K" undo ""
	expect $m "--stats " "$K" draft --st
	expect $m "--version " "$K" --ver
done

finish
