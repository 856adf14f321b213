#!/bin/sh
# The five seed remedies through the command line, at the plan level: what
# scan says of each and why, and what the dry run shows, compared with the
# golden files in tests/seeds/ (KBFIX_REGEN_GOLDEN=1, or make regen-golden, rewrites them).  The
# hives are named relative to the build tree, as the golden files show them,
# and must come out of every run byte-identical.
set -u
# The diff shows characters past ASCII as themselves only in a UTF-8
# locale (C.UTF-8 is in every Debian): the golden files are made in one.
LC_ALL=C.UTF-8
export LC_ALL
golden="$top_srcdir/tests/seeds"
. "$top_srcdir/tests/clilib.sh"
cd "$top_builddir" || exit 1
h=tests/hives
for f in system/SYSTEM system-clean/SYSTEM system-alpha/SYSTEM \
    system-sms12/SYSTEM ntuser/NTUSER.DAT ntuser-path/NTUSER.DAT \
    software-sms/SOFTWARE; do
	mkdir -p "$tmp/before/$(dirname "$f")"
	cp "$h/$f" "$tmp/before/$f" || exit 1
done

# run NAME WANT-EXIT ARGS...: stdout and stderr against tests/seeds/NAME.out
run() {
	name=$1 want=$2
	shift 2
	"$KBFIX" "$@" > "$tmp/$name.out" 2>&1
	rc=$?
	if [ -n "${KBFIX_REGEN_GOLDEN-}" ]; then
		cp "$tmp/$name.out" "$golden/$name.out"
	fi
	if [ "$rc" -ne "$want" ]; then
		bad "$name: exit $rc, want $want"
		cat "$tmp/$name.out"
	elif ! diff -u "$golden/$name.out" "$tmp/$name.out"; then
		bad "$name: output differs from tests/seeds/$name.out"
	else
		ok
	fi
}

# Q267971: every SMSPerfCountersFor* key of the current control set, in
# .reg form (the diff shows their 40,000-byte values in full), on the site
# server whose SOFTWARE hive says SP2; without it, the remedy cannot tell.
run Q267971-reg 1 --dry-run --format reg Q267971 $h/system/SYSTEM \
    $h/software-sms/SOFTWARE
run Q267971-no-software 2 --dry-run Q267971 $h/system/SYSTEM
# Q317061: DriveLetter blank, an empty REG_SZ.
run Q317061-system 1 --dry-run Q317061 $h/system/SYSTEM
run Q317061-clean 0 --dry-run Q317061 $h/system-clean/SYSTEM
# scan: one line per remedy, with the reason.
run scan-system 1 scan $h/system/SYSTEM $h/software-sms/SOFTWARE \
    $h/ntuser/NTUSER.DAT
run scan-clean 0 scan $h/system-clean/SYSTEM $h/ntuser/NTUSER.DAT
run scan-alpha 1 scan $h/system-alpha/SYSTEM
# SMS 1.2: Q195936's advisory, and Q256211 only possible (the whole
# library holds it back): exit 0.
run scan-sms12 0 scan $h/system-sms12/SYSTEM
# Q256211: network entries out of the system PATH, into the user's.
run Q256211-system 1 --dry-run Q256211 $h/system/SYSTEM
run Q256211-ntuser 1 --dry-run Q256211 $h/system/SYSTEM $h/ntuser/NTUSER.DAT
run Q256211-ntuser-path 1 apply --dry-run Q256211 $h/ntuser-path/NTUSER.DAT \
    $h/system/SYSTEM
run Q256211-clean 0 --dry-run Q256211 $h/system-clean/SYSTEM \
    $h/ntuser/NTUSER.DAT
# Q268499: a hive alone cannot tell whether Nmperf.dll is there.
run Q268499-alpha 0 --dry-run Q268499 $h/system-alpha/SYSTEM
run Q268499-x86 0 --dry-run Q268499 $h/system/SYSTEM
# Q195936: an advisory; it says so and changes nothing.
run Q195936-sms12 0 --dry-run Q195936 $h/system-sms12/SYSTEM
run Q195936-reg 0 --dry-run --format reg Q195936 $h/system-sms12/SYSTEM

# show: the article's symptom, what the remedy does, its warnings and the
# WORKAROUND it encodes; an advisory says that it changes nothing.
# has ID TEXT: the output of "kbfix show ID" holds the line TEXT (on a
# line wide enough for it: show wraps its text to the terminal).
has() {
	if COLUMNS=1000 "$KBFIX" show "$1" | grep -qxF -- "$2"; then
		ok
	else
		bad "kbfix show $1 has no line '$2'"
	fi
}
has Q317061 'Symptom, as the article states it:'
has Q317061 'Warning: Microsoft Outlook Web Access (OWA) may not function properly while the Exchange 2000 IFS drive is hidden.'
has Q317061 '3. Change the data value to be blank (remove the "M" and do not leave a space).'
has Q317061 'Restart needed: yes'
has Q268499 '  the processor is alpha'
has Q268499 '  rename the file %SystemRoot%\System32\Nmperf.dll to Nmperf.dll.disabled-by-kbfix-Q268499'
has Q256211 '    remove network entries (UNC paths and drive letters that are not local volumes) (kept for later)'
has Q195936 'Changes: none (an advisory: kbfix changes nothing)'
has Q195936 '  Executive service runs from SITE.SRV).  If its package distribution'

for f in system/SYSTEM system-clean/SYSTEM system-alpha/SYSTEM \
    system-sms12/SYSTEM ntuser/NTUSER.DAT ntuser-path/NTUSER.DAT \
    software-sms/SOFTWARE; do
	if ! cmp -s "$h/$f" "$tmp/before/$f"; then
		bad "$h/$f changed"
	fi
done
finish
