#!/bin/sh
# cli_fleet.sh: the scan recipe of docs/fleet.md, run as written with GNU
# parallel on this host (":" in the hosts file) over two copies of the
# test image and a file that is not one: one JSON line per machine with
# its exit code, the job log with kbfix's exit codes, the summary's worst
# exit code, and a second run with --resume that runs nothing again.
set -u
: "${top_builddir:?}" "${KBFIX:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"
. "$top_srcdir/tests/disklib.sh"
for t in parallel jq; do
	command -v "$t" > /dev/null ||
	    { echo "FAIL: $t is missing (./bootstrap installs it)"; exit 1; }
done
cd "$tmp" || exit 1
# The recipe calls kbfix: this one (a valgrind wrapper in CI).
mkdir bin
printf '#!/bin/sh\nexec %s "$@"\n' "$KBFIX" > bin/kbfix
chmod +x bin/kbfix
PATH="$tmp/bin:$PATH"
# No citation notice from parallel.
mkdir parallel-home
: > parallel-home/will-cite
PARALLEL_HOME="$tmp/parallel-home"
export PARALLEL_HOME
awk '/^<!-- tests\/cli_fleet.sh runs the next block/ { on = 1; next }
    on && /^```sh$/ { copy = 1; next }
    copy && /^```$/ { exit }
    copy { print }' "$top_srcdir/docs/fleet.md" > recipe.sh
grep -q '^parallel ' recipe.sh || bad "no recipe in docs/fleet.md"

for i in a b; do
	cp "$IMAGES/win.qcow2" "vm-$i.qcow2"
done
echo "not a disk image" > broken.img
printf '%s\n' vm-a.qcow2 broken.img vm-b.qcow2 > images.txt
echo "2/:" > hosts.txt

sh recipe.sh 2> recipe.err
[ "$(wc -l < scan.jsonl)" -eq 3 ] ||
    bad "want 3 JSON lines: $(cat scan.jsonl recipe.err)"
for i in a b; do
	jq -e -s --arg t "vm-$i.qcow2" 'map(select(.target == $t)) | length == 1
	    and .[0].exit == 1 and .[0].changes > 0' scan.jsonl > /dev/null ||
	    bad "vm-$i.qcow2: $(grep "vm-$i" scan.jsonl)"
done
jq -e -s 'map(select(.target == "broken.img")) | length == 1 and
    .[0].exit == 2' scan.jsonl > /dev/null || bad "broken.img: $(cat scan.jsonl)"
jq -e '.machines == 3 and .pending == 2 and .trouble == 1 and .exit == 2' \
    summary.json > /dev/null || bad "summary: $(cat summary.json)"
# The job log holds kbfix's exit code of each image.
awk -F'\t' 'NR > 1 { n = split($NF, w, " "); print w[n], $7 }' scan.joblog |
    LC_ALL=C sort > exits
printf '%s\n' "broken.img 2" "vm-a.qcow2 1" "vm-b.qcow2 1" > exits.want
cmp -s exits exits.want || bad "job log: $(cat scan.joblog)"
ok

# --resume: nothing is run again.
cp scan.jsonl scan.first
sh recipe.sh 2> recipe2.err
cmp -s scan.jsonl scan.first || bad "--resume ran jobs again: $(cat scan.jsonl)"
[ "$(awk 'NR > 1' scan.joblog | wc -l)" -eq 3 ] ||
    bad "--resume: job log: $(cat scan.joblog)"
no_tmp "fleet"
ok

finish
