#!/bin/sh
# Keys whose subkeys Windows lists in li leaves, directly or inside ri
# lists, changed through the command line:
#  - Q267971 on the SYSTEM fixture whose ControlSet002\Services is an ri of
#    li leaves (tests/hives/system-li, mkhive --list) plans and applies as
#    on the same fixture with plain lh lists: the same dry run, the same
#    change in reglookup's view, regfexport reads the result, and undo
#    brings the view back;
#  - on the real Windows 8 UsrClass.dat of ../shared/hives-real, a key
#    deleted from the ri of li leaves of ActivatableClasses\CLSID, one
#    created there and one created under a key whose subkeys are one li
#    leaf (a .reg given to kbfix undo --force, which merges it as a plan):
#    reglookup's view changes by exactly those keys, undo restores it.
set -u
. "$top_srcdir/tests/clilib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
SYS="$top_builddir/tests/hives/system/SYSTEM"
LI="$top_builddir/tests/hives/system-li/SYSTEM"
export SOURCE_DATE_EPOCH=1700000000

# kbfix ARGS... must exit WANT.
run() {
	want=$1; shift
	"$KBFIX" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		bad "kbfix $*: exit $rc, want $want"
		sed 's/^/  | /' "$tmp/err" >&2
	fi
	ok
}

# The dry run of Q267971 is the same on both fixtures, but for the name
# of the file.  Each is given with the machine's SOFTWARE hive, where
# Q267971 reads the SMS service pack.
mkdir "$tmp/lh" "$tmp/li"
cp "$SYS" "$tmp/lh/SYSTEM"
cp "$LI" "$tmp/li/SYSTEM"
for k in lh li; do
	cp "$top_builddir/tests/hives/software-sms/SOFTWARE" "$tmp/$k/SOFTWARE"
done
(cd "$tmp/lh" && "$KBFIX" --dry-run Q267971 SYSTEM SOFTWARE) > "$tmp/dry-lh"
(cd "$tmp/li" && "$KBFIX" --dry-run Q267971 SYSTEM SOFTWARE) > "$tmp/dry-li"
cmp -s "$tmp/dry-lh" "$tmp/dry-li" || bad "the dry runs differ: $(diff \
    "$tmp/dry-lh" "$tmp/dry-li")"
grep -q '^-\[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\SMSPerfCountersForC' \
    "$tmp/dry-li" || bad "the dry run deletes no SMSPerfCountersFor key"
ok

# Apply on both; the views change alike.
for k in lh li; do
	listing "$tmp/$k/SYSTEM" > "$tmp/$k.before"
	run 0 apply Q267971 "$tmp/$k/SYSTEM" "$tmp/$k/SOFTWARE"
	listing "$tmp/$k/SYSTEM" > "$tmp/$k.after"
	witness "$tmp/$k/SYSTEM"
	diff "$tmp/$k.before" "$tmp/$k.after" > "$tmp/$k.diff"
done
cmp -s "$tmp/lh.diff" "$tmp/li.diff" ||
    bad "apply changed the two hives differently"
# Still an ri of li leaves, in Windows' order, with the right counts.
"$KBFIX" check "$tmp/li/SYSTEM" > "$tmp/check" 2>&1 ||
    bad "kbfix check after apply: $(cat "$tmp/check")"
grep -q '^  subkey lists: .* li, .*ri (of .*li)$' "$tmp/check" ||
    bad "the lists changed kind: $(cat "$tmp/check")"
[ "$(grep -ci '^< .*/SMSPerfCountersFor[^/]*,KEY,$' "$tmp/li.diff")" -eq 3 ] ||
    bad "apply did not delete the 3 keys: $(cat "$tmp/li.diff")"
[ "$(grep -c '^>' "$tmp/li.diff")" -eq 0 ] || bad "apply added something"
ok
run 0 --dry-run Q267971 "$tmp/li/SYSTEM" "$tmp/li/SOFTWARE"
run 0 undo "$tmp"/li/SYSTEM.kbfix-*-undo.reg "$tmp/li/SYSTEM"
listing "$tmp/li/SYSTEM" > "$tmp/li.undone"
"$KBFIX" check "$tmp/li/SYSTEM" > "$tmp/check" 2>&1 ||
    bad "kbfix check after undo: $(cat "$tmp/check")"
cmp -s "$tmp/li.before" "$tmp/li.undone" ||
    bad "undo did not restore the view: $(diff "$tmp/li.before" \
    "$tmp/li.undone")"
witness "$tmp/li/SYSTEM"

# The real UsrClass.dat.
if [ -d "${KBFIX_SHARED-}/hives-real" ]; then
	mkdir "$tmp/uc"
	uc="$tmp/uc/UsrClass.dat"
	xz -dc "$KBFIX_SHARED/hives-real/win8-usrclass/UsrClass.dat.xz" > "$uc"
	R='HKEY_CURRENT_USER\Software\Classes\ActivatableClasses'
	C='{0913B267-D1C0-5166-AE10-7B16B34DD6E5}'
	P='Package\Microsoft.BingSports_3.0.2.233_x64__8wekyb3d8bbwe\ActivatableClassId'
	printf 'Windows Registry Editor Version 5.00\r\n\r\n[-%s\\CLSID\\%s]\r\n\r\n[%s\\CLSID\\{0913B267-D1C0-5166-AE10-7B16B34DD6_}]\r\n"New"=dword:00000001\r\n\r\n[%s\\%s\\Kbfix.Test]\r\n\r\n' \
	    "$R" "$C" "$R" "$R" "$P" > "$tmp/uc.reg"
	listing "$uc" > "$tmp/uc.before"
	run 0 undo --force "$tmp/uc.reg" "$uc"
	listing "$uc" > "$tmp/uc.after"
	witness "$uc"
	diff "$tmp/uc.before" "$tmp/uc.after" | grep '^[<>]' |
	    sed 's/BingSports_3.0.2.233_x64__8wekyb3d8bbwe/BS/' > "$tmp/uc.diff"
	cat > "$tmp/uc.want" <<EOF
< /ActivatableClasses/CLSID/$C,KEY,
< /ActivatableClasses/CLSID/$C/ActivatableClassId,SZ,Microsoft.AppEx.Sports.Schemas.Match.Soccer.MatchTeamsStatisticsSchema
< /ActivatableClasses/CLSID/$C/PackageMoniker,SZ,Microsoft.BS
> /ActivatableClasses/CLSID/{0913B267-D1C0-5166-AE10-7B16B34DD6_},KEY,
> /ActivatableClasses/CLSID/{0913B267-D1C0-5166-AE10-7B16B34DD6_}/New,DWORD,0x00000001
> /ActivatableClasses/Package/Microsoft.BS/ActivatableClassId/Kbfix.Test,KEY,
EOF
	cmp -s "$tmp/uc.want" "$tmp/uc.diff" ||
	    bad "UsrClass.dat changed otherwise: $(diff "$tmp/uc.want" \
	    "$tmp/uc.diff")"
	ok
	"$KBFIX" check "$uc" > "$tmp/check" 2>&1 ||
	    bad "kbfix check of UsrClass.dat: $(cat "$tmp/check")"
	run 0 undo "$tmp"/uc/UsrClass.dat.kbfix-*-undo.reg "$uc"
	listing "$uc" > "$tmp/uc.undone"
	cmp -s "$tmp/uc.before" "$tmp/uc.undone" ||
	    bad "undo did not restore UsrClass.dat: $(diff \
	    "$tmp/uc.before" "$tmp/uc.undone")"
	witness "$uc"
elif [ -n "${CI-}" ]; then
	bad "../shared is missing"
fi

finish
