#!/usr/bin/env bash
# tests/bench/ingest.sh - ingest throughput and memory benchmark (not a test; not in CTest).
#
#   bash tests/bench/ingest.sh [BUILD_DIR]      (from the repository root; default BUILD_DIR=build)
#
# Forges a 400,000-record Security log (realistic mix: logon/logoff/privileges/process start+exit,
# WFP connections, object access, ~3 % sandbox-relevant records) and a 100,000-record one (and, with
# BENCH_COPIES=N > 0, a collection = the forged bundled case + N large Security logs). Then times,
# side by side in one run, `evtxexport -f xml FILE >/dev/null` (libevtx-utils, the peer),
# `sandtrace ingest` (default profile) and `sandtrace ingest --all-events` on the same files,
# reporting wall, user and sys seconds, records/s, speed relative to evtxexport, CPU use
# ((user + sys) / wall: 200 % = both cores busy), peak RSS (/usr/bin/time %M) and store size / input size. A further row
# runs the default profile with `--jobs 1` (the log's chunks decoded on one thread) to show what
# decoding on every core gains. With BENCH_HUGE_RECORDS=N (e.g. 2000000) a third log of N records
# is forged and ingested (default and --all-events, no evtxexport: its run would take hours), for
# the peak memory of a log far larger than the others; the forging of that log (generator, then
# `stforge evtx`, which reads the XML one event at a time) is timed too. BENCH_ONLY=huge forges and
# measures the huge log alone (no 100k/400k logs, no collection), for a machine where the whole
# script would take too long; BENCH_KEEP_HUGE=PATH keeps the huge log (e.g. to time `analyze` on it).
# Every run starts from a fresh case store. The numbers depend on the machine and on what else runs on it:
# read the ratios, which are measured side by side. Build Release first:
#   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DSANDTRACE_WERROR=OFF
#   cmake --build build-release -j2 && bash tests/bench/ingest.sh build-release
set -euo pipefail

BUILD=${1:-build}
ROOT=$(pwd)
[[ -f "$ROOT/CMakeLists.txt" && -d "$ROOT/testdata/case" ]] || { echo "run from the repository root" >&2; exit 2; }
for tool in /usr/bin/time evtxexport python3 sqlite3; do
	command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install time libevtx-utils python3 sqlite3)" >&2; exit 2; }
done
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)

cmake --build "$BUILD" >/dev/null
SANDTRACE=$(cd "$BUILD" && pwd)/sandtrace
STFORGE=$(cd "$BUILD" && pwd)/stforge
NPROC=$(nproc)

BIG=${BENCH_RECORDS:-400000}
HUGE=${BENCH_HUGE_RECORDS:-0}
ONLY=${BENCH_ONLY:-}
[[ -z $ONLY || ($ONLY == huge && $HUGE -gt 0) ]] || { echo "BENCH_ONLY=huge needs BENCH_HUGE_RECORDS=N > 0" >&2; exit 2; }
SMALL=${BENCH_SMALL_RECORDS:-100000}
COPIES=${BENCH_COPIES:-0}
COLL=${BENCH_COLL_RECORDS:-$BIG}   # records in each large log of the collection

T=$(mktemp -d "${TMPDIR:-/tmp}/sandtrace-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

# ---------------------------------------------------------------- 1. forge the inputs
cat >"$T/gen.py" <<'PYEOF'
# gen.py N SEED FIRST_RECORD_ID OUT.xml : N Security records in `evtxexport -f xml` shape.
import random, sys
n, seed, rid, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
r = random.Random(seed)
COMP = "PC-K%02d" % (1 + seed % 90)
SYS_SID = "S-1-5-18"
USERS = [("k.tanaka", "S-1-5-21-2874913052-1405867236-3967512238-1001"),
         ("m.sato", "S-1-5-21-2874913052-1405867236-3967512238-1002"),
         ("y.suzuki", "S-1-5-21-2874913052-1405867236-3967512238-1003"),
         ("admin", "S-1-5-21-2874913052-1405867236-3967512238-500")]
EXES = ["C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\conhost.exe",
        "C:\\Windows\\System32\\RuntimeBroker.exe", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
        "C:\\Windows\\System32\\SearchProtocolHost.exe", "C:\\Windows\\System32\\taskhostw.exe",
        "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", "C:\\Windows\\explorer.exe",
        "C:\\Windows\\System32\\backgroundTaskHost.exe", "C:\\Windows\\System32\\dllhost.exe"]
PRIVS = ("SeSecurityPrivilege\n\t\t\tSeTakeOwnershipPrivilege\n\t\t\tSeLoadDriverPrivilege\n\t\t\tSeBackupPrivilege\n"
         "\t\t\tSeRestorePrivilege\n\t\t\tSeDebugPrivilege\n\t\t\tSeSystemEnvironmentPrivilege\n"
         "\t\t\tSeImpersonatePrivilege\n\t\t\tSeDelegateSessionUserImpersonatePrivilege")
NS = "http://schemas.microsoft.com/win/2004/08/events/event"
ft = 133807000000000000 + seed * 10**13          # FILETIME, ascending
EPOCH = 116444736000000000

def systime(f):
    import datetime
    s, frac = divmod(f - EPOCH, 10**7)
    return datetime.datetime.utcfromtimestamp(s).strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % frac

def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

def D(name, val, typ=None):
    t = ' forge:type="%s"' % typ if typ else ""
    return '      <Data Name="%s"%s>%s</Data>\n' % (name, t, esc(val))

def event(eid, ver, task, data, activity=False, tid=None):
    global ft, rid
    ft += r.randint(1000, 4000000)
    rid += 1
    corr = '<Correlation ActivityID="{1C7F3E52-60D4-%04X-A23E-7F1CD460DB01}"/>' % r.randint(0, 0xffff) if activity else "<Correlation/>"
    return ('  <Event xmlns="%s">\n    <System>\n'
            '      <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/>\n'
            '      <EventID>%d</EventID>\n      <Version>%d</Version>\n      <Level>0</Level>\n'
            '      <Task>%d</Task>\n      <Opcode>0</Opcode>\n      <Keywords>0x8020000000000000</Keywords>\n'
            '      <TimeCreated SystemTime="%s"/>\n      <EventRecordID>%d</EventRecordID>\n      %s\n'
            '      <Execution ProcessID="812" ThreadID="%d"/>\n      <Channel>Security</Channel>\n'
            '      <Computer>%s</Computer>\n      <Security/>\n    </System>\n    <EventData>\n%s    </EventData>\n  </Event>\n'
            ) % (NS, eid, ver, task, systime(ft), rid, corr, tid or r.randint(4, 20000), COMP, "".join(data))

def subj(u=None):
    name, sid = u or r.choice(USERS)
    return [D("SubjectUserSid", sid, "SID"), D("SubjectUserName", name), D("SubjectDomainName", COMP),
            D("SubjectLogonId", "0x%x" % r.randint(0x3e7, 0xfffff), "HexInt64")]

def e4624():
    name, sid = r.choice(USERS)
    return event(4624, 2, 12544, [D("SubjectUserSid", SYS_SID, "SID"), D("SubjectUserName", COMP + "$"),
        D("SubjectDomainName", "WORKGROUP"), D("SubjectLogonId", "0x3e7", "HexInt64"),
        D("TargetUserSid", sid, "SID"), D("TargetUserName", name), D("TargetDomainName", COMP),
        D("TargetLogonId", "0x%x" % r.randint(0x10000, 0xfffff), "HexInt64"),
        D("LogonType", str(r.choice([2, 3, 5, 7, 10, 11])), "UInt32"), D("LogonProcessName", "User32 "),
        D("AuthenticationPackageName", "Negotiate"), D("WorkstationName", COMP),
        D("LogonGuid", "{00000000-0000-0000-0000-000000000000}", "GUID"), D("TransmittedServices", "-"),
        D("LmPackageName", "-"), D("KeyLength", "0", "UInt32"),
        D("ProcessId", "0x%x" % r.randint(0x100, 0x3000), "HexInt64"),
        D("ProcessName", "C:\\Windows\\System32\\svchost.exe"), D("IpAddress", "127.0.0.1"), D("IpPort", "0"),
        D("ImpersonationLevel", "%%1833"), D("RestrictedAdminMode", "-"), D("TargetOutboundUserName", "-"),
        D("TargetOutboundDomainName", "-"), D("VirtualAccount", "%%1843"),
        D("TargetLinkedLogonId", "0x%x" % r.randint(0x10000, 0xfffff), "HexInt64"), D("ElevatedToken", "%%1842")],
        activity=True)

def e4634():
    name, sid = r.choice(USERS)
    return event(4634, 0, 12545, [D("TargetUserSid", sid, "SID"), D("TargetUserName", name),
        D("TargetDomainName", COMP), D("TargetLogonId", "0x%x" % r.randint(0x10000, 0xfffff), "HexInt64"),
        D("LogonType", str(r.choice([2, 3, 5])), "UInt32")])

def e4672():
    return event(4672, 0, 12548, subj() + [D("PrivilegeList", PRIVS)], activity=True)

def e4688(exe=None, cmd=None, parent=None):
    exe = exe or r.choice(EXES)
    return event(4688, 2, 13312, subj() + [D("NewProcessId", "0x%x" % r.randint(0x100, 0xfffc), "HexInt64"),
        D("NewProcessName", exe), D("TokenElevationType", "%%1938"),
        D("ProcessId", "0x%x" % r.randint(0x100, 0xfffc), "HexInt64"),
        D("CommandLine", cmd or '"%s" --type=%d' % (exe, r.randint(0, 99999))),
        D("TargetUserSid", "S-1-0-0", "SID"), D("TargetUserName", "-"), D("TargetDomainName", "-"),
        D("TargetLogonId", "0x0", "HexInt64"), D("ParentProcessName", parent or r.choice(EXES)),
        D("MandatoryLabel", "S-1-16-8192", "SID")])

def e4689():
    return event(4689, 0, 13313, subj() + [D("Status", "0x0", "HexInt32"),
        D("ProcessId", "0x%x" % r.randint(0x100, 0xfffc), "HexInt64"), D("ProcessName", r.choice(EXES))])

def e5156():
    return event(5156, 1, 12810, [D("ProcessID", str(r.randint(4, 65000)), "UInt64"),
        D("Application", "\\device\\harddiskvolume3\\" + r.choice(EXES)[3:].lower()),
        D("Direction", r.choice(["%%14592", "%%14593"])), D("SourceAddress", "192.168.1.%d" % r.randint(2, 254)),
        D("SourcePort", str(r.randint(49152, 65535))),
        D("DestAddress", "%d.%d.%d.%d" % (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))),
        D("DestPort", str(r.choice([443, 80, 53, 445, 8080]))), D("Protocol", r.choice(["6", "17"]), "UInt32"),
        D("FilterRTID", str(r.randint(60000, 90000)), "UInt64"), D("LayerName", "%%14611"),
        D("LayerRTID", "48", "UInt64"), D("RemoteUserID", "S-1-0-0", "SID"), D("RemoteMachineID", "S-1-0-0", "SID")])

def e4663():
    return event(4663, 1, 12800, subj() + [D("ObjectServer", "Security"), D("ObjectType", "File"),
        D("ObjectName", "C:\\Users\\%s\\Documents\\report-%d.docx" % (r.choice(USERS)[0], r.randint(0, 9999))),
        D("HandleId", "0x%x" % r.randint(0x100, 0xffff), "HexInt64"), D("AccessList", "%%4416\n\t\t\t\t"),
        D("AccessMask", "0x1", "HexInt32"), D("ProcessId", "0x%x" % r.randint(0x100, 0xfffc), "HexInt64"),
        D("ProcessName", r.choice(EXES)), D("ResourceAttributes", "S:AI")])

def sandbox():   # the few records the examiner is after
    k = r.randrange(4)
    if k == 0:
        return e4688("C:\\Windows\\System32\\WindowsSandbox.exe",
                     "C:\\Windows\\System32\\WindowsSandbox.exe C:\\Windows\\System32\\MaintenanceSync.wsb",
                     "C:\\Windows\\System32\\svchost.exe")
    if k == 1:
        return e4688("C:\\Windows\\System32\\WindowsSandboxClient.exe", None, "C:\\Windows\\System32\\WindowsSandbox.exe")
    if k == 2:
        return e4688("C:\\Windows\\System32\\vmcompute.exe", None, "C:\\Windows\\System32\\services.exe")
    return event(4648, 0, 12544, subj() + [D("LogonGuid", "{00000000-0000-0000-0000-000000000000}", "GUID"),
        D("TargetUserName", "WDAGUtilityAccount"), D("TargetDomainName", COMP),
        D("TargetLogonGuid", "{00000000-0000-0000-0000-000000000000}", "GUID"), D("TargetServerName", "localhost"),
        D("TargetInfo", "localhost"), D("ProcessId", "0x%x" % r.randint(0x100, 0xfffc), "HexInt64"),
        D("ProcessName", "C:\\Windows\\System32\\vmcompute.exe"), D("IpAddress", "-"), D("IpPort", "-")])

# weights (%): logon 12, logoff 10, privileges 8, process start 15 / exit 15, WFP 30, object access 7, sandbox 3
MIX = [(e4624, 12), (e4634, 10), (e4672, 8), (e4688, 15), (e4689, 15), (e5156, 30), (e4663, 7), (sandbox, 3)]
fns = [f for f, w in MIX for _ in range(w)]
with open(out, "w") as fp:
    fp.write('<?xml version="1.0" encoding="utf-8"?>\n<Events xmlns:forge="urn:sandtrace:forge">\n')
    for i in range(n):
        fp.write(r.choice(fns)())
    fp.write("</Events>\n")
PYEOF

echo "forging inputs in $T ..." >&2
mkdir -p "$T/coll/logs" "$T/single" "$T/small" "$T/huge"
gen() { # N SEED FIRST_ID OUT.evtx
	$PY "$T/gen.py" "$1" "$2" "$3" "$4.xml" 2>/dev/null
	"$STFORGE" evtx "$4.xml" "$4" >/dev/null
	rm -f "$4.xml"
}
# The huge log's forging, timed in its two steps ("wall rss user sys" in $T/forge-gen, $T/forge-evtx).
gen_huge() {
	local out=$T/huge/Security.evtx
	/usr/bin/time -f '%e %M %U %S' -o "$T/forge-gen" $PY "$T/gen.py" "$HUGE" 131 20000000 "$out.xml" 2>/dev/null
	XML_BYTES=$(stat -c %s "$out.xml")
	/usr/bin/time -f '%e %M %U %S' -o "$T/forge-evtx" "$STFORGE" evtx "$out.xml" "$out" >/dev/null
	rm -f "$out.xml"
}
if [[ $ONLY == huge ]]; then
	gen_huge
else
	# the huge log first and alone, so that its forging is timed on a machine otherwise idle
	if ((HUGE > 0)); then gen_huge; fi
	"$STFORGE" case testdata/case "$T/coll/case" >/dev/null
	for ((i = 1; i <= COPIES; i++)); do
		gen "$COLL" "$i" $((1000000 * i)) "$T/coll/logs/Security-$i.evtx" &
		if ((i % NPROC == 0)); then wait; fi
	done
	gen "$SMALL" 77 5000000 "$T/small/Security.evtx" &
	if ((COPIES > 0 && COLL == BIG)); then
		wait
		ln "$T/coll/logs/Security-1.evtx" "$T/single/Security.evtx"
	else
		gen "$BIG" 101 9000000 "$T/single/Security.evtx" &
		wait
	fi
fi

bytes() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
# Records seen by the last run (event_counts counts every record, stored or not).
seen() { sqlite3 "$T/case.db" "SELECT sum(seen) FROM event_counts"; }

# ---------------------------------------------------------------- 2. measure
ROWS=()
# run LABEL INPUT_DIR RECORDS COMMAND... : time one run; appends "label|wall|rss|recs|bytes|user|sys|store"
run() {
	local label=$1 in=$2 recs=$3 store=0
	shift 3
	rm -f "$T/case.db"*
	/usr/bin/time -f '%e %M %U %S' -o "$T/time" "$@" >/dev/null 2>"$T/err" || { echo "FAILED: $label" >&2; cat "$T/err" >&2; exit 1; }
	read -r wall rss user sys <"$T/time"
	[[ -f $T/case.db ]] && store=$(stat -c %s "$T/case.db")
	ROWS+=("$label|$wall|$rss|$recs|$(bytes "$in")|$user|$sys|$store")
	echo "  $label: ${wall}s ${rss}KiB" >&2
}
evtxexport_all() { # every .evtx under $1, one evtxexport each (as a script would)
	local f
	while IFS= read -r -d '' f; do evtxexport -f xml "$f" >/dev/null; done < <(find "$1" -name '*.evtx' -print0 | sort -z)
}
export -f evtxexport_all

R_SINGLE=$BIG R_SMALL=$SMALL
echo "measuring (jobs default = $NPROC) ..." >&2
SIZES=(small single)
[[ $ONLY == huge ]] && SIZES=()
for size in "${SIZES[@]}"; do
	if [[ $size == small ]]; then n=$SMALL; else n=$BIG; fi
	run "Security ${n}: evtxexport -f xml" "$T/$size" "$n" bash -c 'evtxexport_all "$1"' _ "$T/$size"
	run "Security ${n}: ingest default" "$T/$size" "$n" "$SANDTRACE" ingest "$T/$size" --case "$T/case.db"
	[[ $(seen) == "$n" ]] || echo "warning: sandtrace saw $(seen) records, forged $n" >&2
	[[ $size == single ]] && STORED_SINGLE=$(sqlite3 "$T/case.db" "SELECT count(*) FROM events")
	run "Security ${n}: ingest --jobs 1" "$T/$size" "$n" "$SANDTRACE" ingest "$T/$size" --case "$T/case.db" --jobs 1
	run "Security ${n}: ingest --all-events" "$T/$size" "$n" "$SANDTRACE" ingest "$T/$size" --case "$T/case.db" --all-events
	sqlite3 "$T/case.db" "SELECT count(*) FROM parse_errors WHERE reason LIKE 'read through libevtx%'" |
		grep -qx 0 || echo "warning: some records were read through libevtx, not the decoder" >&2
done
if ((HUGE > 0)); then
	run "Security ${HUGE}: ingest default" "$T/huge" "$HUGE" "$SANDTRACE" ingest "$T/huge" --case "$T/case.db"
	[[ $(seen) == "$HUGE" ]] || echo "warning: sandtrace saw $(seen) records, forged $HUGE" >&2
	run "Security ${HUGE}: ingest --all-events" "$T/huge" "$HUGE" "$SANDTRACE" ingest "$T/huge" --case "$T/case.db" --all-events
fi
if ((COPIES > 0)) && [[ $ONLY != huge ]]; then
	R_COLL=$((COPIES * COLL + $("$STFORGE" case testdata/case "$T/x" >/dev/null && find testdata/case -name '*.evtx.xml' -exec grep -c '<Event ' {} + | awk -F: '{s += $NF} END {print s}')))
	rm -rf "$T/x"
	run "collection: evtxexport -f xml (sequential)" "$T/coll" "$R_COLL" bash -c 'evtxexport_all "$1"' _ "$T/coll"
	run "collection: ingest default" "$T/coll" "$R_COLL" "$SANDTRACE" ingest "$T/coll" --case "$T/case.db"
	run "collection: ingest --all-events" "$T/coll" "$R_COLL" "$SANDTRACE" ingest "$T/coll" --case "$T/case.db" --all-events
fi

# ---------------------------------------------------------------- 3. report
echo
echo "sandtrace ingest vs evtxexport -f xml   ($(uname -m), $NPROC CPUs, build: $BUILD, load average: $(cut -d' ' -f1-3 /proc/loadavg))"
if [[ $ONLY != huge ]]; then
	echo "inputs: Security ${BIG} = $(bytes "$T/single") B, $R_SINGLE records ($STORED_SINGLE stored by the default profile);"
	echo "        Security ${SMALL} = $(bytes "$T/small") B, $R_SMALL records"
fi
if ((HUGE > 0)); then
	echo "        Security ${HUGE} = $(bytes "$T/huge") B, forged from $XML_BYTES B of XML:"
	read -r wall rss user sys <"$T/forge-gen"
	echo "          generator (gen.py)  ${wall} s wall, ${user} s user, ${sys} s sys, peak RSS $((rss / 1024)) MiB"
	read -r wall rss user sys <"$T/forge-evtx"
	echo "          stforge evtx        ${wall} s wall, ${user} s user, ${sys} s sys, peak RSS $((rss / 1024)) MiB"
fi
echo
printf '%-44s %8s %8s %7s %10s %8s %6s %9s %8s\n' run wall_s user_s sys_s records/s speed CPU% RSS_MiB store/in
EX=""
printf '%s\n' "${ROWS[@]}" | awk -F'|' '{
	w = ($2 > 0 ? $2 : 0.01)
	if ($1 ~ /evtxexport/) ex = w
	speed = (ex > 0 ? sprintf("%.2fx", ex / w) : "-")
	store = ($8 > 0 ? sprintf("%.2f", $8 / $5) : "-")
	printf "%-44s %8.2f %8.2f %7.2f %10.0f %8s %5.0f%% %9.1f %8s\n", $1, $2, $6, $7, $4 / w, speed, ($6 + $7) * 100 / w, $3 / 1024, store
}'
echo
echo "speed = evtxexport's wall time / this run's wall time, evtxexport measured just before on the same file"
echo "(the ${HUGE}-record rows have no evtxexport run: their speed is against the last one measured)."
if [[ -n ${BENCH_KEEP_HUGE:-} ]] && ((HUGE > 0)); then
	cp "$T/huge/Security.evtx" "$BENCH_KEEP_HUGE"
	echo "kept the ${HUGE}-record Security log as $BENCH_KEEP_HUGE"
fi
if [[ -n ${BENCH_KEEP:-} && $ONLY != huge ]]; then
	cp "$T/single/Security.evtx" "$BENCH_KEEP"
	echo "kept the ${BIG}-record Security log as $BENCH_KEEP"
fi
