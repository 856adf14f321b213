#!/bin/sh
# debian-package.sh: build the Debian package, check it with lintian, and
# try it installed.  Not part of make check (the build runs make check
# itself); .ci/run runs it.  Needs Debian 12 and, to install what the build
# needs, root.
#
#   tests/debian-package.sh [WORKDIR]
#
# 1. The tracked files of the source tree are copied to a scratch folder
#    (WORKDIR, default a new one under $TMPDIR, removed at the end unless
#    given): the build never touches the tree it was started from.
# 2. dpkg-buildpackage -us -uc -b there: autoreconf, configure, make, make
#    check (every test), install into the package.
# 3. lintian on the result: no error and no warning.
# 4. The package as installed, without installing it on this machine: its
#    files laid over /usr in a private mount namespace (unshare, overlayfs),
#    where, from /, with no build tree around, kbfix --version, kbfix list,
#    kbfix validate, a dry run of the sample hive, the manual page and the
#    bash completion ("kbfix apply Q26<TAB>" gives the remedy IDs) must
#    work; and apt must be able to install it (its dependencies resolve).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fail=0
bad() {
	echo "FAIL: $*" >&2
	fail=1
}
step() {
	echo "== $*"
}

if [ $# -gt 0 ]; then
	work=$1
	mkdir -p "$work" || exit 2
else
	work=$(mktemp -d) || exit 2
	trap 'rm -rf "$work"' EXIT
fi
ver=$(sed -n '1s/^kbfix (\([^)]*\)).*/\1/p' "$top/debian/changelog")
[ -n "$ver" ] || { echo "no version in debian/changelog" >&2; exit 2; }
src=$work/kbfix-$ver
arch=$(dpkg --print-architecture)
deb=$work/kbfix_${ver}_$arch.deb

step "scratch copy of the source tree in $src"
rm -rf "$src"
mkdir -p "$src"
if ! (cd "$top" && git ls-files -z > "$work/files") || [ ! -s "$work/files" ]; then
	echo "not a git checkout: cannot tell the source files" >&2
	exit 2
fi
(cd "$top" && xargs -0 cp --parents -t "$src" < "$work/files") || exit 2

step "build dependencies"
if ! (cd "$src" && dpkg-checkbuilddeps) 2> "$work/deps"; then
	need=$(sed -n 's/.*Unmet build dependencies: //p' "$work/deps")
	if [ "$(id -u)" -eq 0 ]; then
		echo "installing: $need"
		DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq \
		    --no-install-recommends "$src" > "$work/apt.log" 2>&1 ||
		    { cat "$work/apt.log"; exit 2; }
	else
		echo "missing build dependencies: $need (run as root to install them)" >&2
		exit 2
	fi
fi

step "dpkg-buildpackage -us -uc -b"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
	tail -n 80 "$work/build.log"
	for f in "$src"/tests/*.log; do
		grep -q '^FAIL\|^ERROR' "${f%.log}.trs" 2>/dev/null &&
		    { echo "--- $f"; tail -n 40 "$f"; }
	done
	bad "dpkg-buildpackage failed (log: $work/build.log)"
	exit 1
fi
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$work/build.log"
grep -q '^# FAIL: *0$' "$work/build.log" && grep -q '^# ERROR: *0$' \
    "$work/build.log" || bad "the tests did not all pass in the build"
[ -f "$deb" ] || { bad "no $deb"; exit 1; }

step "lintian"
lintian --version
# Every tag, informational ones too, is shown; errors and warnings fail.
lintian --info --display-info --fail-on error,warning \
    "$work/kbfix_${ver}_$arch.changes" > "$work/lintian.log" 2>&1
rc=$?
cat "$work/lintian.log"
[ $rc -eq 0 ] || bad "lintian reports errors or warnings (exit $rc)"
grep -q '^[EW]: ' "$work/lintian.log" && bad "lintian: errors or warnings"

step "contents"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$work/contents"
for f in /usr/bin/kbfix /usr/share/kbfix/remedies/remedy.xsd \
    /usr/share/kbfix/remedies/Q267971.xml /usr/share/man/man1/kbfix.1.gz \
    /usr/share/bash-completion/completions/kbfix \
    /usr/share/doc/kbfix/README.md /usr/share/doc/kbfix/diff-format.md \
    /usr/share/doc/kbfix/copyright /usr/share/doc/kbfix/changelog; do
	# dh_compress compresses the larger documents.
	grep -qx -e "$f" -e "$f.gz" "$work/contents" ||
	    bad "the package lacks $f"
done

step "apt can install it"
apt-get install --simulate -qq "$deb" > "$work/simulate.log" 2>&1 ||
    { cat "$work/simulate.log"; bad "apt cannot install $deb"; }

step "installed: /usr with the package's files over it, from /"
rm -rf "$work/root"
dpkg-deb -x "$deb" "$work/root" || exit 1
cp "$top/hives/SYSTEM" "$work/SYSTEM"
cat > "$work/installed.sh" <<'EOF'
# Runs in the private mount namespace; $1 is the work folder.
set -u
w=$1
fail=0
bad() { echo "FAIL: installed: $*" >&2; fail=1; }
cd / || exit 2
PATH=/usr/bin:/bin
export PATH
unset KBFIX_DATADIR KBFIX_REMEDY_DIR
[ "$(command -v kbfix)" = /usr/bin/kbfix ] || bad "kbfix is not /usr/bin/kbfix"
v=$(kbfix --version) && echo "$v" | grep -qx 'kbfix [0-9].*' ||
    bad "kbfix --version: $v"
kbfix list > "$w/list.txt" 2>&1 && grep -q '^Q267971 ' "$w/list.txt" ||
    bad "kbfix list: $(cat "$w/list.txt")"
kbfix validate -q > "$w/validate.txt" 2>&1 ||
    bad "kbfix validate: $(cat "$w/validate.txt")"
kbfix --dry-run "$w/SYSTEM" > "$w/dry.txt" 2>&1
[ $? -eq 1 ] && grep -q '^-"DriveLetter"="M"$' "$w/dry.txt" ||
    bad "kbfix --dry-run: $(head -n 5 "$w/dry.txt")"
man -w kbfix > /dev/null 2>&1 || bad "man -w kbfix: no manual page"
got=$(bash -c '
	. /usr/share/bash-completion/bash_completion
	# bash-completion loads a command'"'"'s completion on first use.
	_completion_loader kbfix
	COMP_WORDS=(kbfix apply Q26) COMP_CWORD=2
	COMP_LINE="kbfix apply Q26" COMP_POINT=15
	_kbfix kbfix Q26 apply
	printf "%s " "${COMPREPLY[@]}"')
[ "$got" = "Q267971 Q268499 " ] ||
    bad "completing 'kbfix apply Q26': '$got'"
echo "installed: $v; $(grep -c '^Q' "$w/list.txt") remedies; completion: $got"
exit $fail
EOF
# The package's /usr over the system's: read-only, seen by this process
# alone, gone when it ends; nothing is installed.
unshare --mount --propagation private sh -c '
	mount -t overlay overlay -o "lowerdir=$1/root/usr:/usr" /usr &&
	    exec sh "$1/installed.sh" "$1"' sh "$work" || bad "installed checks"

if [ $fail -eq 0 ]; then
	echo "== debian-package: built, lintian clean, works installed: $deb"
fi
exit $fail
