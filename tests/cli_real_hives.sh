#!/bin/sh
# cli_real_hives.sh: no false alarm.  kbfix scan, with the whole library,
# over every real hive of ../shared/hives-real: none of those machines runs
# the products of the library's articles, so no remedy may apply to them
# (nor be an advisory, nor possible, nor wait only for the Windows folder).  Each
# remedy may only be "not applicable", or "missing hive" when the hive
# that would tell was not given.  A remedy added later is covered without
# editing this test: it scans the library as it is.
#
# Each folder of hives-real is one machine (its hives together: the XP
# SYSTEM with its NTUSER.DAT), scanned after replaying its logs and again
# with --ignore-logs when it is dirty.  A hive no remedy works on (Amcache,
# UsrClass, a test hive) is refused with exit 2 and says so: that is
# accepted, any other trouble is not.
#
# None of these machines came with its SOFTWARE hive, where most remedies
# read the Windows version that tells their product apart: they may only
# say "missing hive" there.  So the XP and Windows 10 SYSTEM hives are
# scanned once more with a small SOFTWARE hive that says what Windows they
# are (the version, build and service pack hives-real's README gives), and
# then every remedy must be "not applicable".
#
# The real hives do not hold every near miss the library tells apart, nor
# the symptoms that would make a near miss fire: tests/near-miss/ holds
# made-up machines (Windows 10 with its SmsRouter, SMSvcHost and ClipSVC
# and network folders in its PATH; Windows XP with IIS 5.1 and the
# Indexing Service; a Configuration Manager 2012 site server, whose
# services and keys keep SMS's names), merged over tests/remedies/base as
# the fixture machines are.  Given SYSTEM and SOFTWARE, every remedy must
# be "not applicable" there; given SYSTEM alone, "missing hive" too.
#
# The check is shown to fail: a remedy that sets NtfsDisable8dot3Name-
# Creation on any machine where it is 0 (the issue's example of a setting
# millions of machines hold) is added to a copy of the library, and the
# same check must find it applying; so must a copy of Q256211 that tells
# the SMS client by a service named SMS*, on the Windows 10 near miss, and
# a copy of Q318232 that tells SMS 2.0 by any SMS\bin\*\smsexec.exe, on
# the Configuration Manager one.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${KBFIX:?}"
real=${KBFIX_SHARED:-$top_srcdir/../shared}/hives-real
if [ ! -d "$real" ]; then
	[ -n "${CI-}" ] && { echo "FAIL: no $real" >&2; exit 1; }
	echo "SKIP: no $real"
	exit 77
fi
command -v jq > /dev/null || { echo "FAIL: jq is missing" >&2; exit 1; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"

for d in "$real"/*/; do
	name=$(basename "$d")
	mkdir -p "$tmp/h/$name"
	for f in "$d"*.xz; do
		xz -dc "$f" > "$tmp/h/$name/$(basename "$f" .xz)" ||
		    bad "cannot decompress $f"
	done
done

# scan_all LIBRARY: every machine scanned with the remedies of LIBRARY
# (a folder); prints one line per remedy that fires and per unexpected
# trouble, nothing when there is no false alarm.
scan_all() {
	for d in "$tmp/h"/*/; do
		name=$(basename "$d")
		hives=
		dirty=
		for f in "$d"*; do
			case $f in
			*.LOG|*.LOG1|*.LOG2|*.log|*.log1|*.log2) dirty=1 ;;
			*) hives="$hives $(basename "$f")" ;;
			esac
		done
		for mode in "" ${dirty:+--ignore-logs}; do
			# shellcheck disable=SC2086
			(cd "$d" && KBFIX_REMEDY_DIR=$1 "$KBFIX" scan --format json \
			    $mode $hives) > "$tmp/scan.json" 2> "$tmp/scan.err"
			rc=$?
			if [ $rc -eq 2 ]; then
				# No hive the library works on: told, not planned.
				# Windows wrote these hives: a structure error
				# is a failure like any other trouble.
				if grep -q "is a hive of kind [A-Z]*; the remedies work on\|is no hive kbfix knows\|no remedy can run on the hives given\|is a user's hive (NTUSER): .* needs the SYSTEM hive" \
				    "$tmp/scan.err"; then
					continue
				fi
				echo "$name$mode: exit 2: $(cat "$tmp/scan.err")"
				continue
			fi
			jq -r --arg m "$name${mode:+ $mode}" '.entries[] |
			    select(.status != "not-applicable" and
			    .status != "missing-hive") |
			    "\($m): \(.id) \(.status): \(.reason)"' \
			    "$tmp/scan.json" || echo "$name$mode: bad JSON"
			# Every remedy of the library was planned.
			want=$(ls "$1"/*.xml | wc -l)
			got=$(jq '.entries | length' "$tmp/scan.json")
			[ "$want" -eq "$got" ] ||
			    echo "$name$mode: $got remedies planned, want $want"
		done
	done
}

# with_software LIBRARY: the XP and Windows 10 machines with a SOFTWARE
# hive of their Windows version; one line per remedy that is not "not
# applicable".
with_software() {
	for m in xp win10; do
		case $m in
		xp)	d=xp-sp3 hives="SYSTEM NTUSER.DAT" ver=5.1 build=2600
			extra='"CSDVersion"="Service Pack 3"
"ProductName"="Microsoft Windows XP"' ;;
		win10)	d=win10-1709-system-dirty hives=SYSTEM ver=6.3 build=16299
			extra='"CurrentMajorVersionNumber"=dword:0000000a
"ProductName"="Windows 10 Pro"' ;;
		esac
		[ -d "$tmp/h/$d" ] || continue
		if [ ! -f "$tmp/h/$d/SOFTWARE" ]; then
			printf '%s\n\n%s\n\n%s\n"CurrentVersion"="%s"\n"CurrentBuildNumber"="%s"\n%s\n' \
			    'Windows Registry Editor Version 5.00' \
			    '[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\.txt]' \
			    '[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion]' \
			    "$ver" "$build" "$extra" > "$tmp/$m-software.reg"
			"$top_builddir/tests/mkhive" --root \
			    'CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}' \
			    --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' \
			    "$tmp/h/$d/SOFTWARE" "$tmp/$m-software.reg" ||
			    echo "$m: mkhive failed"
		fi
		# shellcheck disable=SC2086
		(cd "$tmp/h/$d" && KBFIX_REMEDY_DIR=$1 "$KBFIX" scan \
		    --format json $hives SOFTWARE) > "$tmp/scan.json" \
		    2> "$tmp/scan.err"
		[ $? -ne 2 ] || echo "$m with SOFTWARE: exit 2: $(cat "$tmp/scan.err")"
		jq -r --arg m "$m with SOFTWARE" '.entries[] |
		    select(.status != "not-applicable") |
		    "\($m): \(.id) \(.status): \(.reason)"' "$tmp/scan.json" ||
		    echo "$m with SOFTWARE: bad JSON"
		# The SOFTWARE hive goes again: the scans above take the
		# folders' hives as they came.
		rm -f "$tmp/h/$d/SOFTWARE"
	done
}

# The near misses of tests/near-miss, built once.
for d in "$top_srcdir"/tests/near-miss/*/; do
	m=$(basename "$d")
	mkdir -p "$tmp/nm/$m"
	"$top_builddir/tests/mkhive" --root '$$$PROTO.HIV' \
	    --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$tmp/nm/$m/SYSTEM" \
	    "$top_srcdir/tests/remedies/base/SYSTEM.reg" "$d/SYSTEM.reg" &&
	"$top_builddir/tests/mkhive" \
	    --root 'CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}' \
	    --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$tmp/nm/$m/SOFTWARE" \
	    "$top_srcdir/tests/remedies/base/SOFTWARE.reg" "$d/SOFTWARE.reg" ||
	    bad "cannot build the near miss $m"
done

# near_misses LIBRARY: each near miss with SYSTEM and SOFTWARE (every
# remedy not applicable), then with SYSTEM alone (not applicable or
# missing hive); one line per remedy that is anything else.
near_misses() {
	for d in "$tmp/nm"/*/; do
		m=$(basename "$d")
		for hives in "SYSTEM SOFTWARE" SYSTEM; do
			# shellcheck disable=SC2086
			(cd "$d" && KBFIX_REMEDY_DIR=$1 "$KBFIX" scan \
			    --format json $hives) > "$tmp/scan.json" \
			    2> "$tmp/scan.err"
			[ $? -ne 2 ] ||
			    echo "$m ($hives): exit 2: $(cat "$tmp/scan.err")"
			ok_st='"not-applicable"'
			[ "$hives" = SYSTEM ] && ok_st='"not-applicable", "missing-hive"'
			jq -r --arg m "$m ($hives)" --argjson ok "[$ok_st]" \
			    '.entries[] | select(.status as $s |
			    $ok | index($s) | not) |
			    "\($m): \(.id) \(.status): \(.reason)"' \
			    "$tmp/scan.json" || echo "$m ($hives): bad JSON"
		done
	done
}

lib=${KBFIX_REMEDY_DIR:-$top_srcdir/remedies}
{ scan_all "$lib"; with_software "$lib"; near_misses "$lib"; } \
    > "$tmp/alarms"
if [ -s "$tmp/alarms" ]; then
	bad "remedies fire on real machines they are not about:"
	cat "$tmp/alarms" >&2
else
	ok
fi

# The check can fail: an over-broad remedy is caught.
mkdir "$tmp/broad"
cp "$lib"/*.xml "$tmp/broad/"
cat > "$tmp/broad/Q9999999.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<remedy xmlns="urn:kbfix:remedy:1" id="Q9999999">
  <title>Over-broad on purpose: 8.3 names off wherever they are on</title>
  <article number="Q9999999">
    <product>Any product</product>
    <symptom>None: a test of cli_real_hives.sh.</symptom>
    <workaround>Set NtfsDisable8dot3NameCreation to 1.</workaround>
  </article>
  <summary>Fires on every machine that creates short names.</summary>
  <hive name="SYSTEM"/>
  <when>
    <value-equals path="HKLM\SYSTEM\CurrentControlSet\Control\FileSystem"
                  name="NtfsDisable8dot3NameCreation" type="dword" data="0"/>
  </when>
  <actions>
    <set-value path="HKLM\SYSTEM\CurrentControlSet\Control\FileSystem"
               name="NtfsDisable8dot3NameCreation" type="dword" data="1"/>
  </actions>
</remedy>
EOF
scan_all "$tmp/broad" > "$tmp/broad.out" 2> /dev/null
if grep -q "Q9999999 applies" "$tmp/broad.out"; then
	ok
else
	bad "an over-broad remedy was not caught: $(cat "$tmp/broad.out")"
fi
# And one that reads its product in SOFTWARE: a copy of Q183769 that no
# longer asks for Windows NT 4.0 fires on Windows XP's Indexing Service.
sed 's|data="4.0"|data="5.1"|; s|id="Q183769"|id="Q9999998"|; s|number="Q183769"|number="Q9999998"|' \
    "$lib/Q183769.xml" > "$tmp/broad/Q9999998.xml"
with_software "$tmp/broad" > "$tmp/broad.out" 2> /dev/null
if grep -q "xp with SOFTWARE: Q9999998 \(applies\|possible\)" "$tmp/broad.out"; then
	ok
else
	bad "an over-broad remedy on SOFTWARE was not caught: $(cat "$tmp/broad.out")"
fi

# Near misses: the SMS client told by a service whose name starts with
# SMS (Windows 10's SmsRouter), SMS 2.0 told by any bin folder of its
# SMS Executive (Configuration Manager 2012's bin\x64).
sed '/Services\\CLISVC"$/{N;s|.*|    <key-exists path="HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SMS*"/>|;}
    s|id="Q256211"|id="Q9999997"|; s|number="Q256211"|number="Q9999997"|' \
    "$lib/Q256211.xml" > "$tmp/broad/Q9999997.xml"
sed 's|pattern="\*\\bin\\i386\\smsexec.exe"|pattern="*\\bin\\*\\smsexec.exe"|
    s|id="Q318232"|id="Q9999996"|; s|number="Q318232"|number="Q9999996"|' \
    "$lib/Q318232.xml" > "$tmp/broad/Q9999996.xml"
near_misses "$tmp/broad" > "$tmp/broad.out" 2> /dev/null
# (Both copies keep their <unseen>: "possible" is firing too, as a fleet
# scan reports it.)
for want in "win10-sms-names (SYSTEM SOFTWARE): Q9999997" \
    "cm2012 (SYSTEM SOFTWARE): Q9999996" "cm2012 (SYSTEM): Q9999996"; do
	if grep -q "^$want \(applies\|possible\): " "$tmp/broad.out"; then
		ok
	else
		bad "a near miss was not caught ($want): $(cat "$tmp/broad.out")"
	fi
done

finish
