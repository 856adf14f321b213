#!/bin/sh
# check_fixtures.sh: the fixture hives tests/mkhive built from
# tests/fixtures/*.reg hold what their sources say, as independent parsers
# read them (reglookup, libregf's regfexport, hivexregedit), and the
# committed sample hives/SYSTEM is logically the same as a fresh build.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
H="$top_builddir/tests/hives"
fail=0

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

# reglookup's lines without the key times (the last field).
listing() {
	reglookup "$1" 2>/dev/null | sed 's/,[^,]*$//'
}

# has HIVE LINE...: each LINE is exactly in the listing of HIVE.
has() {
	hive=$1
	shift
	l=$(listing "$hive")
	for want; do
		printf '%s\n' "$l" | grep -Fqx -- "$want" ||
		    bad "$hive: missing line: $want"
	done
}

# hasnt HIVE REGEX: no line of the listing matches (grep -Ei).
hasnt() {
	listing "$1" | grep -Eiq -- "$2" && bad "$1: unexpected: $2"
	return 0
}

root_is() {
	r=$(regfinfo "$1" 2>/dev/null | grep -m1 '(key:)' | sed 's/^(key:) //')
	[ "$r" = "$2" ] || bad "$1: root key '$r', want '$2'"
}

for f in system/SYSTEM system-clean/SYSTEM system-alpha/SYSTEM \
    system-sms12/SYSTEM ntuser/NTUSER.DAT ntuser-path/NTUSER.DAT \
    software/SOFTWARE; do
	[ -f "$H/$f" ] || { bad "$H/$f: not built"; continue; }
	# libregf is the strictest reader (big data records, checksum).
	regfexport "$H/$f" >/dev/null 2>&1 || bad "$f: regfexport fails"
	hivexregedit --export "$H/$f" '\' >/dev/null 2>&1 ||
	    bad "$f: hivexregedit fails"
	reglookup "$H/$f" 2>&1 | grep -q '^ERROR' && bad "$f: reglookup errors"
done

S=$H/system/SYSTEM
root_is "$S" '$$$PROTO.HIV'
has "$S" \
    '/Select/Current,DWORD,0x00000002' \
    '/Select/Default,DWORD,0x00000002' \
    '/Select/LastKnownGood,DWORD,0x00000001' \
    '/Select/Failed,DWORD,0x00000000' \
    '/MountedDevices/\DosDevices\C:,BINARY,<%8A%1FZ%00~%00%00%00%00%00%00' \
    '/MountedDevices/\DosDevices\D:,BINARY,<%8A%1FZ%00%C6%FD%02%01%00%00%00' \
    '/MountedDevices/\??\Volume{6e7a3b1c-1f2d-11d3-9a4b-806d6172696f},BINARY,<%8A%1FZ%00~%00%00%00%00%00%00'
for cs in ControlSet001 ControlSet002; do
	s=/$cs/Services
	e="/$cs/Control/Session Manager/Environment"
	has "$S" \
	    "/$cs/Control/ComputerName/ComputerName/ComputerName,SZ,KBFIX-SRV01" \
	    "$e/Path,EXPAND_SZ,%25SystemRoot%25\\system32;%25SystemRoot%25;\\\\server\\share\\bin;Z:\\apps;C:\\Tools" \
	    "$e/PROCESSOR_ARCHITECTURE,SZ,x86" \
	    "$s/EXIFS/Parameters/DriveLetter,SZ,M" \
	    "$s/EXIFS/Parameters/IoThreads,DWORD,0x00000004" \
	    "$s/Tcpip/ImagePath,EXPAND_SZ,System32\\DRIVERS\\tcpip.sys" \
	    "$s/Dhcp/DependOnService,MULTI_SZ,Tcpip|Afd|NetBT" \
	    "$s/W32Time/Config/LastSyncTime,QWORD,0x01BF5A3C12345678" \
	    "$s/W32Time/Config/Reserved,NONE,(null)" \
	    "$s/W32Time/Config/ClockRateBE,DWORD_BE,0x0002625A" \
	    "$s/W32Time/Config/DeviceProperty,0xFFFF0012,%01%00%00%00%02%00%00%00%FF" \
	    "$s/W32Time/Config/Odd,DWORD,%01%02%03" \
	    "$s/Caf%E9,KEY," \
	    "$s/SMSPerfCounters,KEY," \
	    "$s/OldSMSPerfCountersForX,KEY," \
	    "$s/SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL,KEY," \
	    "$s/SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL/Linkage,KEY," \
	    "$s/SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL/Performance/Library,SZ,C:\\SMS\\bin\\i386\\SMSPERF.dll" \
	    "$s/SMSPerfCountersforD:_SMSLOGON_I386_SMSPERF.DLL/Performance/First Counter,DWORD,0x00000834"
done
has "$S" \
    '/ControlSet001/Services/smsperfcountersfore:_sms_bin_i386_smsperf.dll,KEY,' \
    '/ControlSet002/Services/SMSPERFCOUNTERSFORE:_SMS_BIN_I386_SMSPERF.DLL,KEY,'
n=$(listing "$S" | grep -ci '^/ControlSet00[12]/Services/SMSPerfCountersFor[^/]*,KEY')
[ "$n" = 6 ] || bad "$S: $n SMSPerfCountersFor keys, want 6"
# The 40,000-byte value, read whole by hivex through its big-data record.
n=$(hivexget "$S" 'ControlSet001\Services\SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL\Performance' \
    'Counter Layout' | wc -c)
[ "$n" = 40000 ] || bad "$S: 'Counter Layout' is $n bytes, want 40000"

C=$H/system-clean/SYSTEM
hasnt "$C" '^/ControlSet00[12]/Services/SMSPerfCountersFor'
hasnt "$C" 'server.share|Z:.apps'
has "$C" \
    '/ControlSet001/Services/SMSPerfCounters,KEY,' \
    '/ControlSet002/Services/OldSMSPerfCountersForX,KEY,' \
    '/ControlSet001/Services/EXIFS/Parameters/DriveLetter,SZ,' \
    '/ControlSet001/Control/Session Manager/Environment/Path,EXPAND_SZ,%25SystemRoot%25\system32;%25SystemRoot%25;C:\Tools'

A=$H/system-alpha/SYSTEM
has "$A" \
    '/ControlSet001/Control/Session Manager/Environment/PROCESSOR_ARCHITECTURE,SZ,ALPHA' \
    '/ControlSet002/Control/Session Manager/Environment/PROCESSOR_ARCHITECTURE,SZ,ALPHA'
# Only the overlay's values differ from system.
n=$( (listing "$S"; listing "$A") | sort | uniq -u | grep -vc '/PROCESSOR_\(ARCHITECTURE\|LEVEL\),')
[ "$n" = 0 ] || bad "$A: $n lines differ from system beyond the overlay"

M=$H/system-sms12/SYSTEM
for cs in ControlSet001 ControlSet002; do
	has "$M" \
	    "/$cs/Services/SMS_EXECUTIVE/ImagePath,EXPAND_SZ,C:\\SMS\\site.srv\\x86.bin\\smsexec.exe" \
	    "/$cs/Services/SMS_SITE_CONFIG_MANAGER,KEY," \
	    "/$cs/Services/SMS_HIERARCHY_MANAGER,KEY,"
done

U=$H/ntuser/NTUSER.DAT
root_is "$U" 'CMI-CreateHive{D43B12B8-09B5-40DB-B4F6-F6DFEB78DAEC}'
has "$U" \
    '/Environment/TEMP,EXPAND_SZ,%25USERPROFILE%25\Local Settings\Temp' \
    '/Environment/TMP,EXPAND_SZ,%25USERPROFILE%25\Local Settings\Temp' \
    '/Control Panel/Desktop/ScreenSaveTimeOut,SZ,600' \
    '/Software/Microsoft/Windows/CurrentVersion/Run,KEY,'
hasnt "$U" '^/Environment/Path,'
has "$H/ntuser-path/NTUSER.DAT" '/Environment/Path,EXPAND_SZ,C:\bin' \
    '/Environment/TEMP,EXPAND_SZ,%25USERPROFILE%25\Local Settings\Temp'

W=$H/software/SOFTWARE
has "$W" \
    '/Microsoft/Windows NT/CurrentVersion/ProductName,SZ,Microsoft Windows XP' \
    '/Microsoft/Windows NT/CurrentVersion/ProfileList/S-1-5-18/ProfileImagePath,EXPAND_SZ,%25systemroot%25\system32\config\systemprofile'

# The committed sample against a fresh build of the same source.  Their
# bytes differ (timestamps), their contents must not.
P=$top_srcdir/hives/SYSTEM
if [ ! -f "$P" ]; then
	bad "$P: missing"
else
	[ "$(listing "$P")" = "$(listing "$S")" ] ||
	    bad "$P: reglookup differs from a fresh build: make regen-sample"
	[ "$(hivexregedit --export "$P" '\' 2>&1)" = \
	    "$(hivexregedit --export "$S" '\' 2>&1)" ] ||
	    bad "$P: hivexregedit differs from a fresh build: make regen-sample"
fi

exit $fail
