#!/usr/bin/python3
"""gen_case.py - writes the text sources of the bundled demo case (testdata/case/).

One host (PC-K01, Windows 11 Pro 23H2 build 22631.4602, time zone Tokyo), three boots between
2025-01-06 and 2025-01-07 UTC, one malicious and one benign Windows Sandbox run, one classic
Hyper-V VM, one ordinary scheduled task. Every join key (VM GUIDs, VM SIDs, logon ids, PIDs,
task instance ids) is defined once below and used everywhere, so the files cannot disagree.

Deterministic: no clock, no randomness; running it twice gives identical bytes. The committed
files under testdata/case/ are its output; testdata/README.md documents the story and values.

    /usr/bin/python3 testdata/tools/gen_case.py [OUTDIR]      (default: testdata/case)

Facts used (field names, layouts) are cited to docs/METHOD.md sections; values
that METHOD.md marks unconfirmed are listed in testdata/README.md ("Assumptions").
"""
import datetime as dt
import hashlib
import os
import struct
import sys
import uuid
import zlib
from xml.sax.saxutils import escape, quoteattr

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "case")

# ---------------------------------------------------------------- host and accounts
HOST = "PC-K01"
WORKGROUP = "WORKGROUP"
MACHINE_SID = "S-1-5-21-2874913052-1405867236-3967512238"
USER = "k.tanaka"
USER_SID = MACHINE_SID + "-1001"
USER_QUAL = HOST + "\\" + USER
SYSTEM_SID = "S-1-5-18"
BUILD, QFE = 22631, 4602

# ---------------------------------------------------------------- VMs (METHOD.md §0.2, §0.3)
VM_MAL = "E7A13C52-98D4-4F0B-B6C1-3D5F2A8E9047"      # malicious sandbox run (task, boot C)
VM_BEN = "2B9D6F14-C3E8-47A5-8F02-B41C7E6D35A9"      # benign sandbox run (Start menu, boot B)
VM_UBU = "71C4E0A8-2F6B-4D39-9A15-E8B07C3D24F6"      # classic Hyper-V VM "Ubuntu 22.04"
NIC_MAL = "3F8A2B61-0C4D-4E5F-9A7B-6C1D2E3F4A5B"
NIC_BEN = "9D2C4E6A-8B1F-4A3C-B5D7-E9F1A3C5B7D9"
NIC_UBU = "5A7C9E1B-3D5F-4B7D-9F1B-3D5F7A9C1E3B"
PORT_MAL = "B1D3F5A7-C9E1-4B3D-8F5A-7C9E1B3D5F7A"
PORT_BEN = "C4E6A8B0-D2F4-4C6E-A0B2-D4F6A8C0E2B4"
PORT_UBU = "D7F9B1C3-E5A7-4D9F-B1C3-E5A7D9F1B3C5"
DEFAULT_SWITCH = "C08CB7B8-9B3C-408E-8E30-5E16A3AEB444"
BASE_IMAGE = "0949cec7-8165-4167-8c7d-41dcd2ae7b43"  # sandbox base-image folder name (invented)


def vm_sid(guid):
    """METHOD.md §0.3: bytes_le of the GUID read as four little-endian u32."""
    r = struct.unpack("<4I", uuid.UUID(guid).bytes_le)
    return "S-1-5-83-1-%d-%d-%d-%d" % r


# ---------------------------------------------------------------- per-boot process ids
# boot A: 2025-01-06 00:04 UTC, boot B: 2025-01-06 02:17 UTC, boot C: 2025-01-07 00:01 UTC
LSASS = {"A": 812, "B": 808, "C": 820}
SERVICES = {"A": 720, "B": 716, "C": 724}
SCHED_SVCHOST = {"A": 1520, "B": 1508, "C": 1496}   # svchost.exe -k netsvcs -p -s Schedule
LOGON_SVCHOST = {"A": 1096, "B": 1088, "C": 1104}
SCM_PID = SERVICES
VMMS_PID = {"A": 3368, "B": 3356, "C": 3320}

EXPLORER = {"A": 0x16F4, "B": 0x1954, "C": 0x1E28}
USERINIT = {"A": 0x16AC, "B": 0x190C, "C": 0x1DE4}
# interactive logon ids of k.tanaka: (elevated, limited), linked to each other
ULOGON = {"A": (0x3A5C1, 0x3A5F0), "B": (0x4B7E2, 0x4B81D), "C": (0x52C44, 0x52C79)}

VMCOMPUTE = {"B": 0x2374, "C": 0xD9C}
# sandbox launchers
BEN_LAUNCHER, BEN_CLIENT, BEN_VMWP = 0x2210, 0x2284, 0x23C8
MAL_LAUNCHER, MAL_CLIENT, MAL_VMWP = 0x1A3C, 0x1B94, 0x1C70
UBU_VMWP = {"B": 0x2F60, "C": 0x27BC}
# VM account logon ids
VMLOGON = {VM_BEN: 0x7D3E15, VM_MAL: 0x6F2A4, (VM_UBU, "B"): 0x8A1F03, (VM_UBU, "C"): 0x1C3B7E0}
GUEST_PID = 4312                      # Hyper-V-Compute 2500 Parameter0 (a PID inside the VM)

# the attacker's process chain in boot B (context; UAC bypass via fodhelper)
ACROTRAY, FODHELPER, ATK_CMD, SCHTASKS = 0x2C1C, 0x2CE8, 0x2D30, 0x2D64
ACROTRAY_PATH = r"C:\Users\k.tanaka\AppData\Roaming\Adobe\AcroTray.exe"
ONEDRIVE_PIDS = {"B": 0x3A10, "C": 0x2A58}
OPTFEAT = 0x20C4

# ---------------------------------------------------------------- tasks
MAL_TASK = r"\Microsoft\Windows\Maintenance\MaintenanceSync"
MAL_TASK_GUID = "{6E1F3B7A-2C49-4D8E-A5B1-90C3D7E2F468}"
WSB_PATH = r"C:\Windows\System32\MaintenanceSync.wsb"
SANDBOX_EXE = r"C:\Windows\System32\WindowsSandbox.exe"
CLIENT_EXE = r"C:\Windows\System32\WindowsSandboxClient.exe"
MAL_CMDLINE = '"%s" %s' % (SANDBOX_EXE, WSB_PATH)
SANDBOX_SHARE_ROOT = r"C:\HostUsers"
LOGON_COMMAND = SANDBOX_SHARE_ROOT + r"\Public\Downloads\run.bat"
MAL_INSTANCE = "{A3C5E7F9-1B2D-4F6A-8C0E-2B4D6F8A0C1E}"

OD_TASK = "\\OneDrive Standalone Update Task-" + USER_SID
OD_TASK_GUID = "{0D4B8F2E-6A1C-4E93-B7D5-28F4C6A0E1B3}"
OD_EXE = r"C:\Users\k.tanaka\AppData\Local\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe"
OD_INSTANCE = {"B": "{5E7A9C1B-3D5F-4A7C-9E1B-3D5F7A9C1E3A}", "C": "{7B9D1F3A-5C7E-4B9D-A1F3-5C7E9B1D3F5A}"}

# ---------------------------------------------------------------- time helpers
EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)
JST = dt.timezone(dt.timedelta(hours=9))


def T(s):
    """'2025-01-07 00:02:19.9012345' -> aware datetime (UTC), 100 ns precision kept as ticks."""
    date, _, frac = s.partition(".")
    d = dt.datetime.strptime(date, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)
    frac = (frac + "0000000")[:7]
    return (d, int(frac))


def iso(t):
    d, ticks = t
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % ticks


def filetime(t):
    d, ticks = t
    return int((d - EPOCH).total_seconds()) * 10_000_000 + ticks


def key(t):
    return filetime(t)


# ---------------------------------------------------------------- event model
class Ev:
    def __init__(self, file, t, provider, eid, *, guid=None, version=0, level=4, task=0, opcode=0,
                 keywords="0x8000000000000000", pid=0, tid=0, channel=None, user=None, activity=None,
                 data=None, edname=None, userdata=None, qualifiers=None, binary=None, srcname=None):
        self.__dict__.update(locals())
        del self.__dict__["self"]


EVENTS = []


def add(*a, **k):
    EVENTS.append(Ev(*a, **k))


def D(name, value, typ=None):
    return (name, value, typ)


def render(ev, rid):
    o = ['  <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">', "    <System>"]
    prov = '      <Provider Name=%s' % quoteattr(ev.provider)
    if ev.guid:
        prov += " Guid=%s" % quoteattr(ev.guid)
    if ev.srcname:
        prov += " EventSourceName=%s" % quoteattr(ev.srcname)
    o.append(prov + "/>")
    q = ' Qualifiers="%d"' % ev.qualifiers if ev.qualifiers is not None else ""
    o.append("      <EventID%s>%d</EventID>" % (q, ev.eid))
    o.append("      <Version>%d</Version>" % ev.version)
    o.append("      <Level>%d</Level>" % ev.level)
    o.append("      <Task>%d</Task>" % ev.task)
    o.append("      <Opcode>%d</Opcode>" % ev.opcode)
    o.append("      <Keywords>%s</Keywords>" % ev.keywords)
    o.append('      <TimeCreated SystemTime="%s"/>' % iso(ev.t))
    o.append("      <EventRecordID>%d</EventRecordID>" % rid)
    o.append('      <Correlation ActivityID="%s"/>' % ev.activity if ev.activity else "      <Correlation/>")
    o.append('      <Execution ProcessID="%d" ThreadID="%d"/>' % (ev.pid, ev.tid))
    o.append("      <Channel>%s</Channel>" % escape(ev.channel))
    o.append("      <Computer>%s</Computer>" % HOST)
    o.append('      <Security UserID="%s"/>' % ev.user if ev.user else "      <Security/>")
    o.append("    </System>")
    if ev.userdata is not None:
        o.append("    <UserData>")
        o.extend("      " + line for line in ev.userdata)
        o.append("    </UserData>")
    else:
        o.append("    <EventData%s>" % (' Name="%s"' % ev.edname if ev.edname else ""))
        for name, value, typ in ev.data or []:
            ta = ' forge:type="%s"' % typ if typ else ""
            if value == "":
                o.append('      <Data Name="%s"%s/>' % (name, ta))
            else:
                o.append('      <Data Name="%s"%s>%s</Data>' % (name, ta, escape(value)))
        if ev.binary:
            o.append("      <Binary>%s</Binary>" % ev.binary)
        o.append("    </EventData>")
    o.append("  </Event>")
    return "\n".join(o)


LOGS = "C/Windows/System32/winevt/Logs/"
F_SEC = LOGS + "Security.evtx.xml"
F_SYS = LOGS + "System.evtx.xml"
F_TS = LOGS + "Microsoft-Windows-TaskScheduler%4Operational.evtx.xml"
F_HCS = LOGS + "Microsoft-Windows-Hyper-V-Compute%4Operational.evtx.xml"
F_WADM = LOGS + "Microsoft-Windows-Hyper-V-Worker%4Admin.evtx.xml"
F_WOPS = LOGS + "Microsoft-Windows-Hyper-V-Worker%4Operational.evtx.xml"
# deliberately the dash spelling Windows also uses on disk: parsers must accept both (§1.10)
F_VMMS = LOGS + "Microsoft-Windows-Hyper-V-VMMS-Admin.evtx.xml"
FIRST_RID = {F_SEC: 48211, F_SYS: 17302, F_TS: 3118, F_HCS: 1, F_WADM: 27, F_WOPS: 1, F_VMMS: 12}

# ---------------------------------------------------------------- Security (§1.1)
SEC = dict(provider="Microsoft-Windows-Security-Auditing", guid="{54849625-5478-4994-A5BA-3E3B0328C30D}",
           level=0, keywords="0x8020000000000000", channel="Security")
TASKCAT = {4608: 12288, 4624: 12544, 4634: 12545, 4647: 12545, 4648: 12544, 4672: 12548,
           4688: 13312, 4689: 13313, 4698: 12804}


def hx(n):
    return "0x%x" % n


def sec(t, eid, boot, tid, data, version=0, activity=None):
    add(F_SEC, T(t), SEC["provider"], eid, guid=SEC["guid"], version=version, level=0,
        task=TASKCAT[eid], keywords=SEC["keywords"], pid=LSASS[boot], tid=tid, channel="Security",
        data=data, activity=activity)


SUBJ_SYSTEM = [D("SubjectUserSid", SYSTEM_SID, "SID"), D("SubjectUserName", HOST + "$"),
               D("SubjectDomainName", WORKGROUP), D("SubjectLogonId", "0x3e7", "HexInt64")]


def subj_user(lid):
    return [D("SubjectUserSid", USER_SID, "SID"), D("SubjectUserName", USER),
            D("SubjectDomainName", HOST), D("SubjectLogonId", hx(lid), "HexInt64")]


def s4608(t, boot):
    sec(t, 4608, boot, 20, [])


def s4624(t, boot, tid, subj, tsid, tname, tdom, tlid, ltype, lproc, auth, ws, pid, pname, ip, port,
          virt, linked, elevated, activity=None):
    sec(t, 4624, boot, tid, subj + [
        D("TargetUserSid", tsid, "SID"), D("TargetUserName", tname), D("TargetDomainName", tdom),
        D("TargetLogonId", hx(tlid), "HexInt64"), D("LogonType", str(ltype), "UInt32"),
        D("LogonProcessName", lproc), D("AuthenticationPackageName", auth), D("WorkstationName", ws),
        D("LogonGuid", "{00000000-0000-0000-0000-000000000000}", "GUID"), D("TransmittedServices", "-"),
        D("LmPackageName", "-"), D("KeyLength", "0", "UInt32"), D("ProcessId", hx(pid), "HexInt64"),
        D("ProcessName", pname), D("IpAddress", ip), D("IpPort", port), D("ImpersonationLevel", "%%1833"),
        D("RestrictedAdminMode", "-"), D("TargetOutboundUserName", "-"), D("TargetOutboundDomainName", "-"),
        D("VirtualAccount", virt), D("TargetLinkedLogonId", hx(linked), "HexInt64"),
        D("ElevatedToken", elevated)], version=2, activity=activity)


def s4672(t, boot, tid, sid, name, dom, lid, privs, activity=None):
    sec(t, 4672, boot, tid, [D("SubjectUserSid", sid, "SID"), D("SubjectUserName", name),
                             D("SubjectDomainName", dom), D("SubjectLogonId", hx(lid), "HexInt64"),
                             D("PrivilegeList", "\n\t\t\t".join(privs))], activity=activity)


def s4648(t, boot, tid, tname, tdom, pid, pname, activity=None):
    sec(t, 4648, boot, tid, SUBJ_SYSTEM + [
        D("LogonGuid", "{00000000-0000-0000-0000-000000000000}", "GUID"), D("TargetUserName", tname),
        D("TargetDomainName", tdom), D("TargetLogonGuid", "{00000000-0000-0000-0000-000000000000}", "GUID"),
        D("TargetServerName", "localhost"), D("TargetInfo", "localhost"), D("ProcessId", hx(pid), "HexInt64"),
        D("ProcessName", pname), D("IpAddress", "-"), D("IpPort", "-")], activity=activity)


def s4688(t, boot, tid, subj, newpid, newname, elev, creator, cmdline, parent, label,
          target=("S-1-0-0", "-", "-", 0)):
    sec(t, 4688, boot, tid, subj + [
        D("NewProcessId", hx(newpid), "HexInt64"), D("NewProcessName", newname), D("TokenElevationType", elev),
        D("ProcessId", hx(creator), "HexInt64"), D("CommandLine", cmdline),
        D("TargetUserSid", target[0], "SID"), D("TargetUserName", target[1]), D("TargetDomainName", target[2]),
        D("TargetLogonId", hx(target[3]), "HexInt64"), D("ParentProcessName", parent),
        D("MandatoryLabel", label, "SID")], version=2)


def s4689(t, boot, tid, subj, pid, name, status="0x0"):
    sec(t, 4689, boot, tid, subj + [D("Status", status, "HexInt32"), D("ProcessId", hx(pid), "HexInt64"),
                                    D("ProcessName", name)])


def s4634(t, boot, tid, sid, name, dom, lid, ltype):
    sec(t, 4634, boot, tid, [D("TargetUserSid", sid, "SID"), D("TargetUserName", name),
                             D("TargetDomainName", dom), D("TargetLogonId", hx(lid), "HexInt64"),
                             D("LogonType", str(ltype), "UInt32")])


def s4647(t, boot, tid, lid):
    sec(t, 4647, boot, tid, [D("TargetUserSid", USER_SID, "SID"), D("TargetUserName", USER),
                             D("TargetDomainName", HOST), D("TargetLogonId", hx(lid), "HexInt64")])


ADMIN_PRIVS = ["SeSecurityPrivilege", "SeTakeOwnershipPrivilege", "SeLoadDriverPrivilege",
               "SeBackupPrivilege", "SeRestorePrivilege", "SeDebugPrivilege",
               "SeSystemEnvironmentPrivilege", "SeImpersonatePrivilege",
               "SeDelegateSessionUserImpersonatePrivilege"]
SYSTEM_PRIVS = ["SeAssignPrimaryTokenPrivilege", "SeTcbPrivilege", "SeSecurityPrivilege",
                "SeTakeOwnershipPrivilege", "SeLoadDriverPrivilege", "SeBackupPrivilege",
                "SeRestorePrivilege", "SeDebugPrivilege", "SeAuditPrivilege",
                "SeSystemEnvironmentPrivilege", "SeImpersonatePrivilege",
                "SeDelegateSessionUserImpersonatePrivilege"]
VM_PRIVS = ["SeImpersonatePrivilege"]          # unconfirmed (§1.9 A)

MED, HIGH, SYS_LABEL = "S-1-16-8192", "S-1-16-12288", "S-1-16-16384"


def user_logon(day, boot, t_logon):
    """Interactive logon of k.tanaka: two linked 4624 (elevated + limited) and 4672, then
    userinit.exe and explorer.exe."""
    e, l = ULOGON[boot]
    act = {"A": "{1C7F3E52-60D4-0003-A23E-7F1CD460DB01}", "B": "{2D8A4F63-71E5-0004-B34F-8A2DE571DB01}",
           "C": "{3E9B5A74-82F6-0005-C45A-9B3EF682DB01}"}[boot]
    base = day + " " + t_logon
    s4624(base + ".1104321", boot, 2212, SUBJ_SYSTEM, USER_SID, USER, HOST, e, 2, "User32 ", "Negotiate",
          HOST, LOGON_SVCHOST[boot], r"C:\Windows\System32\svchost.exe", "127.0.0.1", "0", "%%1843", l,
          "%%1842", activity=act)
    s4624(base + ".1104988", boot, 2212, SUBJ_SYSTEM, USER_SID, USER, HOST, l, 2, "User32 ", "Negotiate",
          HOST, LOGON_SVCHOST[boot], r"C:\Windows\System32\svchost.exe", "127.0.0.1", "0", "%%1843", e,
          "%%1843", activity=act)
    s4672(base + ".1105210", boot, 2212, USER_SID, USER, HOST, e, ADMIN_PRIVS, activity=act)


def proc_user(t, boot, pid, name, creator, cmd, parent, elevated=False, tid=7408):
    e, l = ULOGON[boot]
    if elevated:
        s4688(t, boot, tid, subj_user(e), pid, name, "%%1937", creator, cmd, parent, HIGH)
    else:
        s4688(t, boot, tid, subj_user(l), pid, name, "%%1938", creator, cmd, parent, MED)


def exit_user(t, boot, pid, name, elevated=False, tid=7408):
    e, l = ULOGON[boot]
    s4689(t, boot, tid, subj_user(e if elevated else l), pid, name)


# ---------------------------------------------------------------- System (§1.2)
def sysev(t, provider, eid, boot, *, guid=None, qualifiers=None, task=0, opcode=0, keywords,
          pid=0, tid=0, user=None, data=None, binary=None, srcname=None, version=0, level=4):
    add(F_SYS, T(t), provider, eid, guid=guid, qualifiers=qualifiers, task=task, opcode=opcode,
        keywords=keywords, pid=pid, tid=tid, channel="System", user=user, data=data, binary=binary,
        srcname=srcname, version=version, level=level)


def kg12(t, start, boot):
    sysev(t, "Microsoft-Windows-Kernel-General", 12, boot, guid="{A68CA8B7-004F-D7B6-A698-07E2DE0F1F5D}",
          task=1, keywords="0x8000000000000080", pid=4, tid=8, user=SYSTEM_SID,
          data=[D("MajorVersion", "10", "UInt32"), D("MinorVersion", "0", "UInt32"),
                D("BuildVersion", str(BUILD), "UInt32"), D("QfeVersion", str(QFE), "UInt32"),
                D("ServiceVersion", "0", "UInt32"), D("BootMode", "0", "UInt32"),
                D("StartTime", iso(T(start)), "FILETIME")])


def kg13(t, boot):
    sysev(t, "Microsoft-Windows-Kernel-General", 13, boot, guid="{A68CA8B7-004F-D7B6-A698-07E2DE0F1F5D}",
          task=2, keywords="0x8000000000000080", pid=4, tid=4412,
          data=[D("StopTime", iso(T(t)), "FILETIME")])


def evlog(t, eid, binary):
    sysev(t, "EventLog", eid, None, qualifiers=32768, keywords="0x0080000000000000", binary=binary)


def eventlog_104(t, channel):
    """System 104: the user cleared CHANNEL (provider Eventlog, UserData LogFileCleared, §1.2)."""
    add(F_SYS, T(t), "Microsoft-Windows-Eventlog", 104, guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}",
        task=104, keywords="0x8000000000000000", pid=1376, tid=6576, channel="System", user=USER_SID,
        userdata=['<LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">',
                  "  <SubjectUserName>%s</SubjectUserName>" % USER,
                  "  <SubjectDomainName>%s</SubjectDomainName>" % HOST,
                  "  <Channel>%s</Channel>" % channel, "  <BackupPath></BackupPath>", "</LogFileCleared>"])


def utf16hex(s):
    return s.encode("utf-16-le").hex().upper()


def scm7036(t, boot, display, svc, running):
    state = 4 if running else 1
    sysev(t, "Service Control Manager", 7036, boot, guid="{555908d1-a6d7-4695-8e1e-26931d2012f4}",
          srcname="Service Control Manager", qualifiers=16384, keywords="0x8080000000000000",
          pid=SCM_PID[boot], tid=1764,
          data=[D("param1", display), D("param2", "running" if running else "stopped")],
          binary=utf16hex("%s/%d" % (svc, state)) + "0000")


def user32_1074(t, boot, proc, reason, code, kind, user):
    sysev(t, "User32", 1074, boot, guid="{b0aa8734-56f7-41cc-b2f4-de228e98b946}", srcname="User32",
          qualifiers=32768, keywords="0x8080000000000000", pid=1232, tid=3310, user=USER_SID,
          data=[D("param1", proc), D("param2", HOST), D("param3", reason), D("param4", code),
                D("param5", kind), D("param6", ""), D("param7", user)])


def nicname(vm, nic):
    return "%s--%s" % (vm, nic)


def vmswitch(t, eid, vm, nic, port, nicf="Network Adapter"):
    # field names per the VmSwitch template (§1.2); *Len = character counts; unconfirmed layout
    n, p = nicname(vm, nic), port
    data = [D("NicNameLen", str(len(n))), D("NicName", n), D("NicFNameLen", str(len(nicf))), D("NicFName", nicf),
            D("PortNameLen", str(len(p))), D("PortName", p), D("PortFNameLen", str(len(p))), D("PortFName", p)]
    if eid == 232:
        data += [D("SwitchNameLen", str(len(DEFAULT_SWITCH))), D("SwitchName", DEFAULT_SWITCH),
                 D("SwitchFNameLen", "14"), D("SwitchFName", "Default Switch")]
    sysev(t, "Microsoft-Windows-Hyper-V-VmSwitch", eid, None, guid="{67DC0D66-3695-47C0-9642-33F76F7BD7AD}",
          keywords="0x8000000000000000", pid=4, tid=6120, data=data)


# ---------------------------------------------------------------- TaskScheduler (§1.3, §1.9 F)
def ts(t, eid, boot, edname, data, version=0, opcode=0, keywords="0x8000000000000000", activity=None, tid=2216):
    add(F_TS, T(t), "Microsoft-Windows-TaskScheduler", eid, guid="{DE7B24EA-73C8-4A09-985D-5BDADCFA9017}",
        version=version, level=4, task=eid, opcode=opcode, keywords=keywords, pid=SCHED_SVCHOST[boot],
        tid=tid, channel="Microsoft-Windows-TaskScheduler/Operational", user=SYSTEM_SID, activity=activity,
        data=data, edname=edname)


def task_run(boot, name, trig_eid, trig_name, inst, path, pid, ctx, t_trig, t_129, t_100, t_200):
    ts(t_trig, trig_eid, boot, trig_name, [D("TaskName", name), D("InstanceId", inst, "GUID")], activity=inst)
    ts(t_129, 129, boot, "CreatedTaskProcess", [D("TaskName", name), D("Path", path),
                                                D("ProcessID", str(pid), "UInt32"),
                                                D("Priority", "16384", "UInt32")])
    ts(t_100, 100, boot, "TaskStartEvent", [D("TaskName", name), D("UserContext", ctx), D("InstanceId", inst, "GUID")],
       opcode=1, keywords="0x8000000000000001", activity=inst)
    ts(t_200, 200, boot, "ActionStart", [D("TaskName", name), D("ActionName", path),
                                         D("TaskInstanceId", inst, "GUID"), D("EnginePID", str(pid), "UInt32")],
       version=1, opcode=1, activity=inst)


def task_end(boot, name, inst, path, pid, ctx, t_201, t_102, result="0"):
    ts(t_201, 201, boot, "ActionSuccess", [D("TaskName", name), D("TaskInstanceId", inst, "GUID"),
                                           D("ActionName", path), D("ResultCode", result, "UInt32"),
                                           D("EnginePID", str(pid), "UInt32")], version=2, opcode=2, activity=inst)
    ts(t_102, 102, boot, "TaskSuccessEvent", [D("TaskName", name), D("UserContext", ctx), D("InstanceId", inst, "GUID")],
       opcode=2, keywords="0x8000000000000001", activity=inst)


# ---------------------------------------------------------------- Hyper-V (§1.4, §1.5, §1.6, §1.9 C/D/E)
HCS = dict(provider="Microsoft-Windows-Hyper-V-Compute", guid="{17103E3F-3C6E-4677-BB17-3B267EB5BE57}")
VML_NS = "http://www.microsoft.com/Windows/Virtualization/Events"


def hcs(t, eid, boot, vm, fields, form="EventData", tid=5120):
    """Hyper-V-Compute/Operational. form EventData = §1.9 C1, UserData = C2 (wrapper invented)."""
    kw = dict(guid=HCS["guid"], level=4, keywords="0x4000000000000000", pid=VMCOMPUTE[boot], tid=tid,
              channel="Microsoft-Windows-Hyper-V-Compute-Operational", user=SYSTEM_SID)
    all_fields = [("SystemId", vm.lower())] + fields
    if form == "EventData":
        add(F_HCS, T(t), HCS["provider"], eid, data=[D(n, v) for n, v in all_fields], **kw)
    else:
        ud = ['<ComputeEvent xmlns="%s">' % VML_NS] + ["  <%s>%s</%s>" % (n, escape(v), n) for n, v in all_fields] + \
             ["</ComputeEvent>"]
        add(F_HCS, T(t), HCS["provider"], eid, userdata=ud, **kw)


def worker_admin(t, eid, vm, name, vmwp, extra=(), level=4):
    ud = ['<VmlEventLog xmlns="%s">' % VML_NS, "  <VmName>%s</VmName>" % escape(name),
          "  <VmId>%s</VmId>" % vm] + ["  <%s>%s</%s>" % (n, escape(v), n) if v else "  <%s/>" % n for n, v in extra] + \
         ["</VmlEventLog>"]
    add(F_WADM, T(t), "Microsoft-Windows-Hyper-V-Worker", eid, guid="{51ddfa29-d5c8-4803-be4b-2ecb715570fe}",
        level=level, keywords="0x8000000000000000", pid=vmwp, tid=vmwp + 44,
        channel="Microsoft-Windows-Hyper-V-Worker-Admin", user=vm_sid(vm), userdata=ud)


def share_name(vm, path):
    # 64 hex digits; how Windows derives it is unconfirmed (§1.5) - here SHA-256 of GUID|path
    return hashlib.sha256(("%s|%s" % (vm.lower(), path)).encode()).hexdigest()


def vsmb301(t, vm, vmwp, path, flags, form="EventData"):
    fields = [("VMName", vm.lower()), ("ShareName", share_name(vm, path)), ("SharePath", path),
              ("ShareFlags", flags), ("VMId", vm)]
    kw = dict(guid="{7B0EA079-E3BC-424A-B2F0-E3D8478D204B}", level=4, keywords="0x4000000000000010",
              pid=vmwp, tid=vmwp + 60, channel="Microsoft-Windows-Hyper-V-Worker-Operational", user=vm_sid(vm))
    if form == "EventData":
        add(F_WOPS, T(t), "Microsoft-Windows-Hyper-V-VSmb", 301, data=[D(n, v) for n, v in fields], **kw)
    else:
        ud = ['<VmlEventLog xmlns="%s">' % VML_NS] + ["  <%s>%s</%s>" % (n, escape(v), n) for n, v in fields] + \
             ["</VmlEventLog>"]
        add(F_WOPS, T(t), "Microsoft-Windows-Hyper-V-VSmb", 301, userdata=ud, **kw)


def vmms13002(t, boot, vm, name):
    ud = ['<VmlEventLog xmlns="%s">' % VML_NS, "  <VmName>%s</VmName>" % escape(name),
          "  <VmId>%s</VmId>" % vm, "</VmlEventLog>"]
    add(F_VMMS, T(t), "Microsoft-Windows-Hyper-V-VMMS", 13002, guid="{6066F867-7CA1-4418-85FD-36E3F9C0600C}",
        level=4, keywords="0x8000000000000000", pid=VMMS_PID[boot], tid=4480,
        channel="Microsoft-Windows-Hyper-V-VMMS-Admin", user=USER_SID, userdata=ud)


def vm_logon(day_t, boot, vm, tid=3012, activity=None):
    """§1.9 A/B: 4648, 4624, 4672 of NT VIRTUAL MACHINE\\<GUID> by vmcompute.exe, same second."""
    key_ = vm if vm != VM_UBU else (vm, boot)
    lid = VMLOGON[key_]
    s4648(day_t + ".2110457", boot, tid, vm, "NT VIRTUAL MACHINE", VMCOMPUTE[boot], r"C:\Windows\System32\vmcompute.exe",
          activity=activity)
    s4624(day_t + ".2113861", boot, tid, SUBJ_SYSTEM, vm_sid(vm), vm, "NT VIRTUAL MACHINE", lid, 5, "Advapi  ",
          "Negotiate", "-", VMCOMPUTE[boot], r"C:\Windows\System32\vmcompute.exe", "-", "-", "%%1842", 0,
          "%%1842", activity=activity)
    s4672(day_t + ".2115204", boot, tid, vm_sid(vm), vm, "NT VIRTUAL MACHINE", lid, VM_PRIVS, activity=activity)
    return lid


def vmwp_start(t, boot, vm, vmwp):
    key_ = vm if vm != VM_UBU else (vm, boot)
    s4688(t, boot, 3012, SUBJ_SYSTEM, vmwp, r"C:\Windows\System32\vmwp.exe", "%%1936", VMCOMPUTE[boot],
          '"C:\\Windows\\System32\\vmwp.exe" %s' % vm, r"C:\Windows\System32\vmcompute.exe", SYS_LABEL,
          target=(vm_sid(vm), vm, "NT VIRTUAL MACHINE", VMLOGON[key_]))


def vmwp_exit(t, boot, vmwp):
    s4689(t, boot, 3012, SUBJ_SYSTEM, vmwp, r"C:\Windows\System32\vmwp.exe")


def vmcompute_start(t, boot):
    s4688(t, boot, 1764, SUBJ_SYSTEM, VMCOMPUTE[boot], r"C:\Windows\System32\vmcompute.exe", "%%1936",
          SERVICES[boot], r"C:\Windows\system32\vmcompute.exe", r"C:\Windows\System32\services.exe", SYS_LABEL)


# ================================================================== the timeline
# ---- boot A: 2025-01-06 00:04 UTC (09:04 JST) -----------------------------------------------
d6 = "2025-01-06 "
kg12(d6 + "00:04:11.6250112", d6 + "00:04:11.5000000", "A")
s4608(d6 + "00:04:17.4010232", "A")
evlog(d6 + "00:04:23.0012455", 6005, "E9070100010006000000040017000000000000000000000000")
scm7036(d6 + "00:04:19.8810234", "A", "Task Scheduler", "Schedule", True)
user_logon(d6, "A", "00:05:20")
proc_user(d6 + "00:05:21.3301182", "A", USERINIT["A"], r"C:\Windows\System32\userinit.exe", 0x2A4,
          r"C:\Windows\system32\userinit.exe", r"C:\Windows\System32\winlogon.exe")
proc_user(d6 + "00:05:21.6620411", "A", EXPLORER["A"], r"C:\Windows\explorer.exe", USERINIT["A"],
          r"C:\Windows\Explorer.EXE", r"C:\Windows\System32\userinit.exe")
proc_user(d6 + "00:41:07.2514408", "A", 0x1C08, r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE",
          EXPLORER["A"], '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" ', r"C:\Windows\explorer.exe")
# the user clears the Windows PowerShell log: host context of both sandbox runs (METHOD.md §6.8),
# before either, so ST-LOG-CLEARED (§7.16) fires for neither
eventlog_104(d6 + "01:30:42.7730114", "Windows PowerShell")
# the user turns the Windows Sandbox feature on ("Turn Windows features on or off")
proc_user(d6 + "02:12:40.5520817", "A", OPTFEAT, r"C:\Windows\System32\OptionalFeatures.exe", EXPLORER["A"],
          r'"C:\Windows\System32\OptionalFeatures.exe" ', r"C:\Windows\explorer.exe", elevated=True)
scm7036(d6 + "02:13:21.0417730", "A", "Windows Modules Installer", "TrustedInstaller", True)
exit_user(d6 + "02:15:44.9032115", "A", OPTFEAT, r"C:\Windows\System32\OptionalFeatures.exe", elevated=True)
user32_1074(d6 + "02:15:58.7701264", "A", r"C:\Windows\System32\OptionalFeatures.exe (%s)" % HOST,
            "Operating System: Reconfiguration (Planned)", "0x80020004", "restart", USER_QUAL)
s4647(d6 + "02:16:01.2210556", "A", 5120, ULOGON["A"][1])
exit_user(d6 + "02:16:03.4410093", "A", 0x1C08, r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE")
s4634(d6 + "02:16:05.0120771", "A", 5120, USER_SID, USER, HOST, ULOGON["A"][1], 2)
s4634(d6 + "02:16:05.0122014", "A", 5120, USER_SID, USER, HOST, ULOGON["A"][0], 2)
scm7036(d6 + "02:16:12.3301998", "A", "Task Scheduler", "Schedule", False)
evlog(d6 + "02:16:19.9970143", 6006, "0100000000000000")
kg13(d6 + "02:16:21.0032277", "A")

# ---- boot B: 2025-01-06 02:17 UTC ------------------------------------------------------------
kg12(d6 + "02:17:05.3360459", d6 + "02:17:05.2000000", "B")
s4608(d6 + "02:17:11.1180033", "B")
scm7036(d6 + "02:17:14.4420981", "B", "Task Scheduler", "Schedule", True)
evlog(d6 + "02:17:16.7701183", 6005, "E9070100010006000200110010000000000000000000000000")
scm7036(d6 + "02:17:31.5511202", "B", "Windows Modules Installer", "TrustedInstaller", True)
user_logon(d6, "B", "02:18:30")
proc_user(d6 + "02:18:31.2290114", "B", USERINIT["B"], r"C:\Windows\System32\userinit.exe", 0x29C,
          r"C:\Windows\system32\userinit.exe", r"C:\Windows\System32\winlogon.exe")
proc_user(d6 + "02:18:31.5573402", "B", EXPLORER["B"], r"C:\Windows\explorer.exe", USERINIT["B"],
          r"C:\Windows\Explorer.EXE", r"C:\Windows\System32\userinit.exe")
# LODEINFO stand-in, autostarted from the user's Run key (context only)
proc_user(d6 + "02:18:52.0094411", "B", ACROTRAY, ACROTRAY_PATH, EXPLORER["B"],
          '"%s" -startup' % ACROTRAY_PATH, r"C:\Windows\explorer.exe")
scm7036(d6 + "02:19:40.6650021", "B", "Windows Modules Installer", "TrustedInstaller", False)

# benign Windows Sandbox run: Start menu, no .wsb, default configuration ---------------------
proc_user(d6 + "02:25:10.4120556", "B", BEN_LAUNCHER, SANDBOX_EXE, EXPLORER["B"],
          '"%s"' % SANDBOX_EXE, r"C:\Windows\explorer.exe")
proc_user(d6 + "02:25:11.0203347", "B", BEN_CLIENT, CLIENT_EXE, BEN_LAUNCHER,
          '"%s"' % CLIENT_EXE, SANDBOX_EXE)
vmcompute_start(d6 + "02:25:11.3318820", "B")
scm7036(d6 + "02:25:11.5502217", "B", "Hyper-V Host Compute Service", "vmcompute", True)
scm7036(d6 + "02:25:11.9011873", "B", "Container Manager Service", "CmService", True)
scm7036(d6 + "02:25:12.2240918", "B", "Host Network Service", "hns", True)
hcs(d6 + "02:25:13.6601452", 2000, "B", VM_BEN, [("Result", "0x00000000")], form="UserData")
vm_logon(d6 + "02:25:17", "B", VM_BEN, activity="{4FAC6B85-93A7-0006-D56B-AC4FA793DB01}")
vmwp_start(d6 + "02:25:17.3306671", "B", VM_BEN, BEN_VMWP)
BEN_SHARES = [r"C:\ProgramData\Microsoft\Windows\Containers\BaseImages\%s\BaseLayer\Files" % BASE_IMAGE,
              r"C:\ProgramData\Microsoft\Windows\Containers\BaseImages\%s\BaseLayer\UtilityVM\Files" % BASE_IMAGE]
vsmb301(d6 + "02:25:17.6123390", VM_BEN, BEN_VMWP, BEN_SHARES[0], "0x1001021", form="UserData")
vsmb301(d6 + "02:25:17.7004981", VM_BEN, BEN_VMWP, BEN_SHARES[1], "0x1001021", form="UserData")
worker_admin(d6 + "02:25:19.8812650", 18500, VM_BEN, VM_BEN.lower(), BEN_VMWP)
hcs(d6 + "02:25:19.9220114", 2001, "B", VM_BEN, [("Result", "0x00000000")], form="UserData")
vmswitch(d6 + "02:25:20.4471208", 232, VM_BEN, NIC_BEN, PORT_BEN)
# the user closes the sandbox window after ~12 minutes
worker_admin(d6 + "02:37:44.2104471", 18502, VM_BEN, VM_BEN.lower(), BEN_VMWP)
hcs(d6 + "02:37:44.3019926", 2003, "B", VM_BEN, [("Result", "0x00000000")], form="UserData")
vmswitch(d6 + "02:37:44.5120387", 234, VM_BEN, NIC_BEN, PORT_BEN)
s4634(d6 + "02:37:45.0031178", "B", 3012, vm_sid(VM_BEN), VM_BEN, "NT VIRTUAL MACHINE", VMLOGON[VM_BEN], 5)
vmwp_exit(d6 + "02:37:45.1150094", "B", BEN_VMWP)
exit_user(d6 + "02:37:45.6021733", "B", BEN_CLIENT, CLIENT_EXE)
exit_user(d6 + "02:37:45.9310256", "B", BEN_LAUNCHER, SANDBOX_EXE)

# OneDrive updater task (ordinary scheduled task, noise) ----------------------------------------
task_run("B", OD_TASK, 107, "TimeTrigger", OD_INSTANCE["B"], OD_EXE, ONEDRIVE_PIDS["B"], USER_QUAL,
         d6 + "03:02:11.0040112", d6 + "03:02:11.0301876", d6 + "03:02:11.0304410", d6 + "03:02:11.0304455")
proc_user(d6 + "03:02:11.0299654", "B", ONEDRIVE_PIDS["B"], OD_EXE, SCHED_SVCHOST["B"], '"%s"' % OD_EXE,
          r"C:\Windows\System32\svchost.exe")
exit_user(d6 + "03:02:29.7781205", "B", ONEDRIVE_PIDS["B"], OD_EXE)
task_end("B", OD_TASK, OD_INSTANCE["B"], OD_EXE, ONEDRIVE_PIDS["B"], USER_QUAL,
         d6 + "03:02:29.7790051", d6 + "03:02:29.7795372")

# classic Hyper-V VM (not a sandbox): created and run by the user --------------------------------
vmms13002(d6 + "03:35:02.3310047", "B", VM_UBU, "Ubuntu 22.04")
vm_logon(d6 + "03:36:10", "B", VM_UBU, activity="{50BD7C96-A4B8-0007-E67C-BD50B8A4DB01}")
vmwp_start(d6 + "03:36:10.4402271", "B", VM_UBU, UBU_VMWP["B"])
worker_admin(d6 + "03:36:12.7730015", 18500, VM_UBU, "Ubuntu 22.04", UBU_VMWP["B"])
vmswitch(d6 + "03:36:13.1022846", 232, VM_UBU, NIC_UBU, PORT_UBU)
worker_admin(d6 + "04:52:30.6613302", 18504, VM_UBU, "Ubuntu 22.04", UBU_VMWP["B"],
             extra=(("Force", "False"), ("Reason", "")))
vmswitch(d6 + "04:52:31.0045512", 234, VM_UBU, NIC_UBU, PORT_UBU)
vmwp_exit(d6 + "04:52:31.4420187", "B", UBU_VMWP["B"])

# the attacker registers the task (UAC bypass via fodhelper, then schtasks /xml) ------------------
proc_user(d6 + "06:10:58.1180449", "B", FODHELPER, r"C:\Windows\System32\fodhelper.exe", ACROTRAY,
          r"C:\Windows\System32\fodhelper.exe", ACROTRAY_PATH, elevated=True)
proc_user(d6 + "06:11:02.6641230", "B", ATK_CMD, r"C:\Windows\System32\cmd.exe", FODHELPER,
          r'"C:\Windows\System32\cmd.exe" /c start /min cmd.exe', r"C:\Windows\System32\fodhelper.exe", elevated=True)
SCHTASKS_CMD = r'schtasks  /create /tn "%s" /xml "C:\Users\Public\Downloads\ms.xml" /f' % MAL_TASK
proc_user(d6 + "06:12:33.2047781", "B", SCHTASKS, r"C:\Windows\System32\schtasks.exe", ATK_CMD,
          SCHTASKS_CMD, r"C:\Windows\System32\cmd.exe", elevated=True)
# (4698 and 106 are added below, once the task XML text exists)
exit_user(d6 + "06:12:33.7120448", "B", SCHTASKS, r"C:\Windows\System32\schtasks.exe", elevated=True)
exit_user(d6 + "06:14:12.0510933", "B", ATK_CMD, r"C:\Windows\System32\cmd.exe", elevated=True)
exit_user(d6 + "06:14:12.2203345", "B", FODHELPER, r"C:\Windows\System32\fodhelper.exe", elevated=True)

# end of the day: user shuts the PC down -------------------------------------------------------
user32_1074(d6 + "09:40:02.4410387", "B", r"C:\Windows\System32\RuntimeBroker.exe (%s)" % HOST,
            "Other (Unplanned)", "0x0", "power off", USER_QUAL)
s4647(d6 + "09:40:04.0021456", "B", 5120, ULOGON["B"][1])
s4634(d6 + "09:40:06.1120337", "B", 5120, USER_SID, USER, HOST, ULOGON["B"][1], 2)
s4634(d6 + "09:40:06.1121904", "B", 5120, USER_SID, USER, HOST, ULOGON["B"][0], 2)
scm7036(d6 + "09:40:10.3302231", "B", "Hyper-V Host Compute Service", "vmcompute", False)
scm7036(d6 + "09:40:12.5520981", "B", "Task Scheduler", "Schedule", False)
evlog(d6 + "09:40:18.9981120", 6006, "0100000000000000")
kg13(d6 + "09:40:20.1101458", "B")

# ---- boot C: 2025-01-07 00:01 UTC (09:01 JST) -- the malicious run ---------------------------
d7 = "2025-01-07 "
kg12(d7 + "00:01:47.2041188", d7 + "00:01:47.1000000", "C")
s4608(d7 + "00:01:52.6620144", "C")
scm7036(d7 + "00:01:58.1130472", "C", "Task Scheduler", "Schedule", True)
evlog(d7 + "00:02:01.3340057", 6005, "E9070100020007000000020001000000000000000000000000")
task_run("C", MAL_TASK, 118, "BootTrigger", MAL_INSTANCE, SANDBOX_EXE, MAL_LAUNCHER, "NT AUTHORITY\\System",
         d7 + "00:02:19.4120338", d7 + "00:02:19.9051124", d7 + "00:02:19.9056630", d7 + "00:02:19.9057012")
s4688(d7 + "00:02:19.9012274", "C", 2216, SUBJ_SYSTEM, MAL_LAUNCHER, SANDBOX_EXE, "%%1936", SCHED_SVCHOST["C"],
      MAL_CMDLINE, r"C:\Windows\System32\svchost.exe", SYS_LABEL)
s4688(d7 + "00:02:21.3340981", "C", 2216, SUBJ_SYSTEM, MAL_CLIENT, CLIENT_EXE, "%%1936", MAL_LAUNCHER,
      '"%s"' % CLIENT_EXE, SANDBOX_EXE, SYS_LABEL)
vmcompute_start(d7 + "00:02:21.8120456", "C")
scm7036(d7 + "00:02:22.0031237", "C", "Hyper-V Host Compute Service", "vmcompute", True)
scm7036(d7 + "00:02:22.4410982", "C", "Container Manager Service", "CmService", True)
scm7036(d7 + "00:02:22.6620117", "C", "Host Network Service", "hns", True)
hcs(d7 + "00:02:24.1150339", 2000, "C", VM_MAL, [("Result", "0x00000000")])
vm_logon(d7 + "00:02:27", "C", VM_MAL, activity="{61CE8DA7-B5C9-0008-F78D-CE61C9B5DB01}")
vmwp_start(d7 + "00:02:27.4410226", "C", VM_MAL, MAL_VMWP)
MAL_SHARES = [r"C:\ProgramData\Microsoft\Windows\Containers\BaseImages\%s\BaseLayer\Files" % BASE_IMAGE,
              r"C:\ProgramData\Microsoft\Windows\Containers\BaseImages\%s\BaseLayer\UtilityVM\Files" % BASE_IMAGE,
              r"C:\Users"]
vsmb301(d7 + "00:02:27.6104418", VM_MAL, MAL_VMWP, MAL_SHARES[0], "0x1001021")
vsmb301(d7 + "00:02:27.7120936", VM_MAL, MAL_VMWP, MAL_SHARES[1], "0x1001021")
vsmb301(d7 + "00:02:29.9031557", VM_MAL, MAL_VMWP, MAL_SHARES[2], "0x1001020")
worker_admin(d7 + "00:02:30.5520771", 18500, VM_MAL, VM_MAL.lower(), MAL_VMWP)
hcs(d7 + "00:02:30.6012284", 2001, "C", VM_MAL, [("Result", "0x00000000")])
vmswitch(d7 + "00:02:31.2201945", 232, VM_MAL, NIC_MAL, PORT_MAL)
# LogonCommand: raw backslashes in the JSON exactly as the NPA sample shows (\r of \run.bat!)
PARAM1 = '{ "CommandLine": "%s", "User": "WDAGUtilityAccount", "ConsoleSize": [0,0], "UseExistingLogin": true}' % LOGON_COMMAND
hcs(d7 + "00:02:38.4021136", 2500, "C", VM_MAL, [("Parameter0", str(GUEST_PID)), ("Parameter1", PARAM1),
                                                 ("Result", "0x00000000")])
hcs(d7 + "00:02:38.4533802", 2502, "C", VM_MAL, [("Parameter0", str(GUEST_PID)), ("Parameter1", "1"),
                                                 ("Parameter2", "0"), ("Result", "0x00000000")])
hcs(d7 + "00:02:38.4540117", 2503, "C", VM_MAL, [("Parameter0", str(GUEST_PID)), ("Parameter1", "1"),
                                                 ("Parameter2", "0")])
user_logon(d7, "C", "00:04:05")
proc_user(d7 + "00:04:06.0440128", "C", USERINIT["C"], r"C:\Windows\System32\userinit.exe", 0x2B0,
          r"C:\Windows\system32\userinit.exe", r"C:\Windows\System32\winlogon.exe")
proc_user(d7 + "00:04:06.3921447", "C", EXPLORER["C"], r"C:\Windows\explorer.exe", USERINIT["C"],
          r"C:\Windows\Explorer.EXE", r"C:\Windows\System32\userinit.exe")
proc_user(d7 + "00:04:28.6610223", "C", 0x2210 + 0x400, ACROTRAY_PATH, EXPLORER["C"],
          '"%s" -startup' % ACROTRAY_PATH, r"C:\Windows\explorer.exe")
proc_user(d7 + "00:12:44.1047782", "C", 0x1F7C, r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE",
          EXPLORER["C"], '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" ', r"C:\Windows\explorer.exe")

task_run("C", OD_TASK, 107, "TimeTrigger", OD_INSTANCE["C"], OD_EXE, ONEDRIVE_PIDS["C"], USER_QUAL,
         d7 + "01:15:40.0031147", d7 + "01:15:40.0290342", d7 + "01:15:40.0293117", d7 + "01:15:40.0293160")
proc_user(d7 + "01:15:40.0287109", "C", ONEDRIVE_PIDS["C"], OD_EXE, SCHED_SVCHOST["C"], '"%s"' % OD_EXE,
          r"C:\Windows\System32\svchost.exe")
exit_user(d7 + "01:16:01.4452276", "C", ONEDRIVE_PIDS["C"], OD_EXE)
task_end("C", OD_TASK, OD_INSTANCE["C"], OD_EXE, ONEDRIVE_PIDS["C"], USER_QUAL,
         d7 + "01:16:01.4460032", d7 + "01:16:01.4463398")

# the classic VM runs again (same GUID on another boot)
vm_logon(d7 + "03:10:05", "C", VM_UBU, activity="{72DF9EB8-C6DA-0009-089E-DF72DAC6DB01}")
vmwp_start(d7 + "03:10:05.4120093", "C", VM_UBU, UBU_VMWP["C"])
worker_admin(d7 + "03:10:07.9910452", 18500, VM_UBU, "Ubuntu 22.04", UBU_VMWP["C"])
vmswitch(d7 + "03:10:08.3320761", 232, VM_UBU, NIC_UBU, PORT_UBU)
worker_admin(d7 + "05:22:40.1120334", 18504, VM_UBU, "Ubuntu 22.04", UBU_VMWP["C"],
             extra=(("Force", "False"), ("Reason", "")))
vmswitch(d7 + "05:22:40.4520983", 234, VM_UBU, NIC_UBU, PORT_UBU)
vmwp_exit(d7 + "05:22:40.9031127", "C", UBU_VMWP["C"])

# end of the day: shutdown ends the malicious sandbox (its disk is discarded) --------------------
user32_1074(d7 + "09:28:00.9120448", "C", r"C:\Windows\System32\RuntimeBroker.exe (%s)" % HOST,
            "Other (Unplanned)", "0x0", "power off", USER_QUAL)
s4647(d7 + "09:28:02.1103376", "C", 5120, ULOGON["C"][1])
exit_user(d7 + "09:28:03.0021194", "C", 0x1F7C, r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE")
worker_admin(d7 + "09:28:05.3320177", 18504, VM_MAL, VM_MAL.lower(), MAL_VMWP,
             extra=(("Force", "False"), ("Reason", "")))
hcs(d7 + "09:28:05.4102256", 2002, "C", VM_MAL, [("Result", "0x00000000")])
vmswitch(d7 + "09:28:05.6031448", 234, VM_MAL, NIC_MAL, PORT_MAL)
vmwp_exit(d7 + "09:28:05.8120339", "C", MAL_VMWP)
s4689(d7 + "09:28:06.1020447", "C", 2216, SUBJ_SYSTEM, MAL_CLIENT, CLIENT_EXE)
s4689(d7 + "09:28:06.3011872", "C", 2216, SUBJ_SYSTEM, MAL_LAUNCHER, SANDBOX_EXE)
task_end("C", MAL_TASK, MAL_INSTANCE, SANDBOX_EXE, MAL_LAUNCHER, "NT AUTHORITY\\System",
         d7 + "09:28:06.3502213", d7 + "09:28:06.3604471")
s4634(d7 + "09:28:07.0120334", "C", 5120, USER_SID, USER, HOST, ULOGON["C"][1], 2)
s4634(d7 + "09:28:07.0121876", "C", 5120, USER_SID, USER, HOST, ULOGON["C"][0], 2)
scm7036(d7 + "09:28:09.2210045", "C", "Hyper-V Host Compute Service", "vmcompute", False)
scm7036(d7 + "09:28:11.0043318", "C", "Task Scheduler", "Schedule", False)
evlog(d7 + "09:28:13.7740119", 6006, "0100000000000000")
kg13(d7 + "09:28:15.1123380", "C")


# ================================================================== task XML (§4.1)
def crlf(lines):
    return "\r\n".join(lines)


MAL_TASK_XML = crlf([
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    '    <Date>2025-01-06T15:12:33</Date>',
    '    <Author>Microsoft Corporation</Author>',
    '    <Description>Synchronizes maintenance settings with the servicing stack.</Description>',
    '    <URI>%s</URI>' % MAL_TASK,
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <BootTrigger>',
    '      <StartBoundary>2025-01-06T15:10:00</StartBoundary>',
    '      <Enabled>true</Enabled>',
    '    </BootTrigger>',
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="LocalSystem">',
    '      <UserId>S-1-5-18</UserId>',
    '      <RunLevel>HighestAvailable</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <AllowHardTerminate>true</AllowHardTerminate>',
    '    <StartWhenAvailable>false</StartWhenAvailable>',
    '    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>',
    '    <IdleSettings>',
    '      <StopOnIdleEnd>false</StopOnIdleEnd>',
    '      <RestartOnIdle>false</RestartOnIdle>',
    '    </IdleSettings>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    '    <Hidden>true</Hidden>',
    '    <RunOnlyIfIdle>false</RunOnlyIfIdle>',
    '    <WakeToRun>false</WakeToRun>',
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <Priority>7</Priority>',
    '  </Settings>',
    '  <Actions Context="LocalSystem">',
    '    <Exec>',
    '      <Command>%s</Command>' % SANDBOX_EXE,
    '      <Arguments>%s</Arguments>' % WSB_PATH,
    '    </Exec>',
    '  </Actions>',
    '</Task>'])

OD_TASK_XML = crlf([
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    '    <Author>Microsoft Corporation</Author>',
    '    <URI>%s</URI>' % OD_TASK,
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <TimeTrigger>',
    '      <StartBoundary>1992-05-01T11:00:00</StartBoundary>',
    '      <Enabled>true</Enabled>',
    '      <Repetition>',
    '        <Interval>P1D</Interval>',
    '        <StopAtDurationEnd>false</StopAtDurationEnd>',
    '      </Repetition>',
    '      <RandomDelay>PT4H</RandomDelay>',
    '    </TimeTrigger>',
    '  </Triggers>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>true</StopIfGoingOnBatteries>',
    '    <AllowHardTerminate>true</AllowHardTerminate>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    '    <Hidden>false</Hidden>',
    '    <RunOnlyIfIdle>false</RunOnlyIfIdle>',
    '    <WakeToRun>false</WakeToRun>',
    '    <ExecutionTimeLimit>P1D</ExecutionTimeLimit>',
    '    <Priority>7</Priority>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    '      <Command>%localappdata%\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe</Command>',
    '      <Arguments />',
    '    </Exec>',
    '  </Actions>',
    '  <Principals>',
    '    <Principal id="Author">',
    '      <UserId>%s</UserId>' % USER_QUAL,
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '</Task>'])

# 4698 v1 + 106 for the malicious registration (TaskContent = the XML with LF line ends)
s4698_data = subj_user(ULOGON["B"][0]) + [
    D("TaskName", MAL_TASK), D("TaskContent", MAL_TASK_XML.replace("\r\n", "\n")),
    D("ClientProcessStartKey", "4222124650660162", "UInt64"), D("ClientProcessId", str(SCHTASKS), "UInt32"),
    D("ParentProcessId", str(ATK_CMD), "UInt32"), D("RpcCallClientLocality", "0", "UInt32"), D("FQDN", HOST)]
sec(d6 + "06:12:33.5510027", 4698, "B", 6044, s4698_data, version=1,
    activity="{83E0AFC9-D7EB-000A-19AF-E083EBD7DB01}")
ts(d6 + "06:12:33.5522318", 106, "B", "TaskRegisteredEvent", [D("TaskName", MAL_TASK), D("UserContext", USER_QUAL)])


# ================================================================== registry (§2, §3, §4.2)
def le16(s):
    return s.encode("utf-16-le")


def bstr(s):
    b = le16(s)
    return struct.pack("<I", len(b)) + b


def aligned_u1(v):
    return struct.pack("<B", v) + b"\x00" * 7


def aligned_u4(v):
    return struct.pack("<I", v) + b"\x00" * 4


def aligned_bstr(s):
    b = le16(s)
    return aligned_u4(len(b)) + b + b"\x00" * ((8 - len(b) % 8) % 8)


def aligned_buffer(b):
    return aligned_u4(len(b)) + b + b"\x00" * ((8 - len(b) % 8) % 8)


def tstime(localized, ft):
    return struct.pack("<B", localized) + b"\x00" * 7 + struct.pack("<Q", ft)


def local_ft(s):
    """wall-clock local time 'YYYY-mm-ddTHH:MM:SS' as a FILETIME (is_localized = 1)."""
    d = dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    return int((d - EPOCH).total_seconds()) * 10_000_000


def sid_bytes(sid):
    p = sid.split("-")
    rev, auth, subs = int(p[1]), int(p[2]), [int(x) for x in p[3:]]
    return struct.pack("<BB", rev, len(subs)) + auth.to_bytes(6, "big") + b"".join(struct.pack("<I", s) for s in subs)


def actions_blob(context, command, args, workdir=""):
    # §4.2 Actions: version 3, context bstr, Exec magic 0x6666, id bstr, 3 bstr, u16 flags
    return struct.pack("<H", 3) + bstr(context) + struct.pack("<H", 0x6666) + bstr("") + \
        bstr(command) + bstr(args) + bstr(workdir) + struct.pack("<H", 0)


def user_info(sid, sid_type, name):
    return aligned_u1(0) + aligned_u1(0) + aligned_u4(sid_type) + aligned_buffer(sid_bytes(sid)) + aligned_bstr(name)


def optional_settings(idle_dur, idle_wait, exec_limit, priority):
    body = struct.pack("<7I", idle_dur, idle_wait, exec_limit, 0xFFFFFFFF, priority, 0, 0) + b"\x00" * 16 + b"\x00" * 4
    return aligned_u4(len(body)) + body


def trigger_id_bstr(tid):
    b = bstr(tid)
    return b + b"\x00" * ((8 - len(b) % 8) % 8)


def triggers_blob(start_local, flags, crc, principal, user, opt, trigger):
    hdr = aligned_u1(0x17) + tstime(1, local_ft(start_local)) + tstime(0, 0)
    bucket = aligned_u4(flags) + aligned_u4(crc) + aligned_bstr(principal) + aligned_bstr("") + user + opt
    return hdr + bucket + trigger


def boot_trigger(start_local):
    g = tstime(1, local_ft(start_local)) + tstime(0, 0) + struct.pack("<5I", 0, 0, 0, 0, 0) + \
        b"\x00" + b"\x00" * 3 + aligned_u1(1) + b"\x00" * 8 + trigger_id_bstr("")
    return aligned_u4(0xFFFF) + g


def time_trigger(start_local, interval, random_delay):
    js = tstime(1, local_ft(start_local)) + tstime(0, 0) + tstime(0, 0) + \
        struct.pack("<4I", interval, 0, 0, 0) + struct.pack("<4H", 0, 0, 0, 0) + \
        struct.pack("<BBH", 0, 1, 0) + struct.pack("<3I", 0, random_delay, 0)
    return aligned_u4(0xDDDD) + js + trigger_id_bstr("")


def dynamic_info(created, last_run, state, err, last_ok):
    return struct.pack("<I", 3) + struct.pack("<QQII", created, last_run, state, err) + struct.pack("<Q", last_ok)


F = dict(start_when_available=0x40, run_only_if_network=0x80, allow_on_demand=0x100, ignore_new=0x2000,
         stop_on_batteries=0x20, interactive=0x10000, enabled=0x400000, hidden=0x800000, highest=0x1000000,
         task=0x2000000, hard_terminate=0x40000000)

MAL_XML_BYTES = le16(MAL_TASK_XML)
OD_XML_BYTES = le16(OD_TASK_XML)
MAL_FLAGS = F["allow_on_demand"] | F["ignore_new"] | F["enabled"] | F["hidden"] | F["highest"] | F["task"] | F["hard_terminate"]
OD_FLAGS = (F["start_when_available"] | F["run_only_if_network"] | F["allow_on_demand"] | F["ignore_new"] |
            F["stop_on_batteries"] | F["interactive"] | F["enabled"] | F["task"] | F["hard_terminate"])

MAL_ACTIONS = actions_blob("LocalSystem", SANDBOX_EXE, WSB_PATH)
MAL_TRIGGERS = triggers_blob("2025-01-06T15:10:00", MAL_FLAGS, zlib.crc32(MAL_XML_BYTES), "LocalSystem",
                             user_info(SYSTEM_SID, 5, "SYSTEM"), optional_settings(600, 3600, 0, 7),
                             boot_trigger("2025-01-06T15:10:00"))
MAL_DYN = dynamic_info(filetime(T(d6 + "06:12:33.5498811")), filetime(T(d7 + "00:02:19.9050012")), 0, 0,
                       filetime(T(d7 + "09:28:06.3601187")))
OD_ACTIONS = actions_blob("Author", r"%localappdata%\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe", "")
OD_TRIGGERS = triggers_blob("1992-05-01T11:00:00", OD_FLAGS, zlib.crc32(OD_XML_BYTES), "Author",
                            user_info(USER_SID, 1, USER_QUAL), optional_settings(600, 3600, 86400, 7),
                            time_trigger("1992-05-01T11:00:00", 86400, 14400))
OD_DYN = dynamic_info(filetime(T("2024-11-20 04:03:11.2208841")), filetime(T(d7 + "01:15:40.0289013")), 0, 0,
                      filetime(T(d7 + "01:16:01.4458120")))


def sd_bytes():
    """Self-relative SD: owner BA, group SY, DACL (A;;FA;;;BA)(A;;FA;;;SY)(A;;FR;;;AU)."""
    def ace(mask, sid):
        sb = sid_bytes(sid)
        return struct.pack("<BBHI", 0, 0, 8 + len(sb), mask) + sb
    aces = ace(0x1F01FF, "S-1-5-32-544") + ace(0x1F01FF, "S-1-5-18") + ace(0x120089, "S-1-5-11")
    dacl = struct.pack("<BBHHH", 2, 0, 8 + len(aces), 3, 0) + aces
    owner, group = sid_bytes("S-1-5-32-544"), sid_bytes("S-1-5-18")
    off_owner = 20
    off_group = off_owner + len(owner)
    off_dacl = off_group + len(group)
    return struct.pack("<BBHIIII", 1, 0, 0x8004, off_owner, off_group, 0, off_dacl) + owner + group + dacl


def reg_hex(name, data, kind=None):
    """regedit-style hex value with 80-column wrapping."""
    prefix = ('"%s"=' % regname(name) if name != "@" else "@=") + ("hex:" if kind is None else "hex(%x):" % kind)
    parts = ["%02x" % b for b in data]
    lines, cur = [], prefix
    for i, p in enumerate(parts):
        tok = p + ("," if i < len(parts) - 1 else "")
        if len(cur) + len(tok) > 77 and i < len(parts):
            lines.append(cur + "\\")
            cur = "  "
        cur += tok
    lines.append(cur)
    return "\r\n".join(lines)


def regname(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def reg_sz(name, s):
    v = regname(s)
    return ('"%s"="%s"' % (regname(name), v)) if name != "@" else '@="%s"' % v


def reg_dword(name, v):
    return '"%s"=dword:%08x' % (regname(name), v)


def reg_expand(name, s):
    return reg_hex(name, le16(s) + b"\x00\x00", 2)


def reg_multi(name, items):
    return reg_hex(name, b"".join(le16(i) + b"\x00\x00" for i in items) + b"\x00\x00", 7)


def hive(root, keys):
    out = ["Windows Registry Editor Version 5.00", ""]
    for lw, path, values in keys:
        if lw:
            out.append(";@lastwrite " + lw)
        out.append("[%s\\%s]" % (root, path) if path else "[%s]" % root)
        out.extend(values)
        out.append("")
    return "\r\n".join(out) + "\r\n"


CBS = r"Microsoft\Windows\CurrentVersion\Component Based Servicing"
PKG_OPT = "Containers-OptionalFeature-DisposableClientVM-Package~31bf3856ad364e35~amd64~~10.0.22621.4602"
PKG_PAY = "Containers-DisposableClientVM-Package~31bf3856ad364e35~amd64~~10.0.22621.4602"
FEAT_SELECT_LW = "2025-01-06T02:13:58.4471093Z"
FEAT_DONE_LW = "2025-01-06T02:16:19.1203377Z"
FEAT_DONE_FT = filetime(T(d6 + "02:16:19.1203377"))
TC = r"Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache"
SD = sd_bytes()

software = [
    ("2024-11-12T05:20:41.0000000Z", r"Microsoft\Windows NT\CurrentVersion",
     [reg_sz("ProductName", "Windows 10 Pro"), reg_sz("EditionID", "Professional"), reg_sz("DisplayVersion", "23H2"),
      reg_sz("CurrentBuild", str(BUILD)), reg_sz("CurrentBuildNumber", str(BUILD)), reg_dword("UBR", QFE),
      reg_sz("RegisteredOwner", USER), reg_dword("InstallDate", 1718936127)]),
    (FEAT_DONE_LW, CBS + r"\Packages\%s" % PKG_OPT,
     [reg_dword("CurrentState", 0x70), reg_dword("Visibility", 1), reg_sz("InstallClient", "DISM Package Manager Provider"),
      reg_sz("InstallUser", SYSTEM_SID), reg_dword("InstallTimeHigh", FEAT_DONE_FT >> 32),
      reg_dword("InstallTimeLow", FEAT_DONE_FT & 0xFFFFFFFF)]),
    (FEAT_DONE_LW, CBS + r"\Packages\%s\Updates" % PKG_OPT, [reg_dword("Containers-DisposableClientVM", 0x70)]),
    (FEAT_DONE_LW, CBS + r"\Packages\%s" % PKG_PAY, [reg_dword("CurrentState", 0x70), reg_dword("Visibility", 2)]),
    (FEAT_DONE_LW, CBS + r"\ApplicabilityEvaluationCache\%s" % PKG_OPT,
     [reg_dword("ApplicableState", 0x70), reg_dword("CurrentState", 0x70)]),
    (FEAT_SELECT_LW, CBS + r"\Notifications\OptionalFeatures\Containers-DisposableClientVM", [reg_dword("Selection", 1)]),
    ("2024-11-12T06:02:17.5519034Z", CBS + r"\Notifications\OptionalFeatures\Microsoft-Hyper-V-All", [reg_dword("Selection", 1)]),
    ("2024-11-12T06:02:17.5523311Z", CBS + r"\Notifications\OptionalFeatures\Microsoft-Hyper-V", [reg_dword("Selection", 1)]),
    ("2024-10-01T01:00:12.3310021Z", r"Policies\Microsoft\Windows\Sandbox",
     [reg_dword("AllowClipboardRedirection", 0), reg_dword("AllowPrinterRedirection", 0)]),
    ("2024-10-01T01:00:12.3412871Z", r"Microsoft\Windows\CurrentVersion\Policies\System\Audit",
     [reg_dword("ProcessCreationIncludeCmdLine_Enabled", 1)]),
    # TaskCache (§4.2): folders
    ("2024-11-12T05:20:55.0000000Z", TC + r"\Tree\Microsoft", [reg_hex("SD", SD)]),
    ("2024-11-12T05:20:55.0000000Z", TC + r"\Tree\Microsoft\Windows", [reg_hex("SD", SD)]),
    ("2024-11-12T05:21:02.0000000Z", TC + r"\Tree\Microsoft\Windows\Maintenance", [reg_hex("SD", SD)]),
    ("2024-11-20T04:03:11.2310044Z", TC + r"\Tree" + OD_TASK,
     [reg_hex("SD", SD), reg_sz("Id", OD_TASK_GUID), reg_dword("Index", 3)]),
    ("2025-01-07T01:16:01.4470019Z", TC + r"\Tasks\%s" % OD_TASK_GUID,
     [reg_sz("Path", OD_TASK), reg_sz("URI", OD_TASK), reg_sz("Author", "Microsoft Corporation"),
      reg_hex("Hash", hashlib.sha256(OD_XML_BYTES).digest()), reg_dword("Schema", 0x10002),
      reg_hex("Actions", OD_ACTIONS), reg_hex("Triggers", OD_TRIGGERS), reg_hex("DynamicInfo", OD_DYN)]),
    ("2024-11-20T04:03:11.2320987Z", TC + r"\Plain\%s" % OD_TASK_GUID, []),
]

# The malicious task's TaskCache keys are only in the SOFTWARE hive's transaction logs: Windows had
# not flushed them to the primary file when the triage copied it (a dirty hive, METHOD.md §8.3).
# LOG1's one entry (sequence 2) registers the task (Tree and Boot keys, 01-06); LOG2's (sequence 3)
# adds its Tasks\{GUID} key as last written at its run on 01-07. stforge writes SOFTWARE from
# `software` alone and the logs from these, in this order.
software_log1 = [
    ("2025-01-06T06:12:33.5531187Z", TC + r"\Boot\%s" % MAL_TASK_GUID, []),
    # the malicious task: Id and Index, but its SD value was deleted (Tarrask-style) at 06:14:10
    ("2025-01-06T06:14:10.7730126Z", TC + r"\Tree\Microsoft\Windows\Maintenance\MaintenanceSync",
     [reg_sz("Id", MAL_TASK_GUID), reg_dword("Index", 3)]),
]
software_log2 = [
    ("2025-01-07T09:28:06.3612004Z", TC + r"\Tasks\%s" % MAL_TASK_GUID,
     [reg_sz("Path", MAL_TASK), reg_sz("URI", MAL_TASK), reg_sz("Author", "Microsoft Corporation"),
      reg_sz("Description", "Synchronizes maintenance settings with the servicing stack."),
      reg_sz("Date", "2025-01-06T15:12:33"), reg_hex("Hash", hashlib.sha256(MAL_XML_BYTES).digest()),
      reg_dword("Schema", 0x10002), reg_hex("Actions", MAL_ACTIONS), reg_hex("Triggers", MAL_TRIGGERS),
      reg_hex("DynamicInfo", MAL_DYN)]),
]

SHUTDOWN_T = "2025-01-07 09:28:14.9821164"
SHUTDOWN_LW = "2025-01-07T09:28:14.9821164Z"

BAM = r"ControlSet001\Services\bam\State\UserSettings\%s" % USER_SID


def bam_value(path, t):
    return reg_hex(path, struct.pack("<Q", filetime(T(t))) + b"\x00" * 8 + struct.pack("<II", 0, 2))


def service(name, display, start, typ, image, obj="LocalSystem", expand=True, dll=None, lw="2024-11-12T06:05:40.0000000Z"):
    vals = [reg_sz("DisplayName", display), reg_dword("ErrorControl", 1),
            reg_expand("ImagePath", image) if expand else reg_sz("ImagePath", image),
            reg_dword("Start", start), reg_dword("Type", typ)]
    if obj:
        vals.append(reg_sz("ObjectName", obj))
    keys = [(lw, r"ControlSet001\Services\%s" % name, vals)]
    if dll:
        keys.append((lw, r"ControlSet001\Services\%s\Parameters" % name, [reg_expand("ServiceDll", dll)]))
    return keys


system = [
    ("2024-11-12T05:20:40.0000000Z", "Select", [reg_dword("Current", 1), reg_dword("Default", 1),
                                                reg_dword("Failed", 0), reg_dword("LastKnownGood", 1)]),
    ("2024-06-21T02:15:27.0000000Z", r"ControlSet001\Control\ComputerName\ComputerName", [reg_sz("ComputerName", HOST)]),
    ("2024-06-21T02:15:31.0000000Z", r"ControlSet001\Control\TimeZoneInformation",
     [reg_dword("Bias", 0xFFFFFDE4), reg_sz("TimeZoneKeyName", "Tokyo Standard Time"),
      reg_sz("StandardName", "@tzres.dll,-632"), reg_dword("ActiveTimeBias", 0xFFFFFDE4),
      reg_dword("DynamicDaylightTimeDisabled", 0)]),
    ("2024-10-01T01:00:12.3520114Z", r"ControlSet001\Control\Lsa", [reg_dword("SCENoApplyLegacyAuditPolicy", 1)]),
    # the last shutdown (01-07, boot C), just before Kernel-General 13's StopTime (METHOD.md §2.5)
    (SHUTDOWN_LW, r"ControlSet001\Control\Windows",
     [reg_hex("ShutdownTime", struct.pack("<Q", filetime(T(SHUTDOWN_T))))]),
]
system += service("vmcompute", "Hyper-V Host Compute Service", 3, 0x10, r"%SystemRoot%\system32\vmcompute.exe")
system += service("vmms", "Hyper-V Virtual Machine Management", 2, 0x10, r"%SystemRoot%\system32\vmms.exe")
system += service("hvhost", "HV Host Service", 3, 0x20, r"%SystemRoot%\system32\svchost.exe -k LocalSystemNetworkRestricted -p",
                  dll=r"%SystemRoot%\System32\hvhostsvc.dll")
system += service("hns", "Host Network Service", 3, 0x20, r"%SystemRoot%\system32\svchost.exe -k NetSvcs -p",
                  dll=r"%SystemRoot%\System32\HostNetSvc.dll")
system += service("vmsmp", "Hyper-V Virtual Switch", 3, 1, r"\SystemRoot\System32\drivers\vmswitch.sys", obj=None, expand=False)
system += service("CmService", "Container Manager Service", 3, 0x20, r"%SystemRoot%\system32\svchost.exe -k netsvcs -p",
                  dll=r"%SystemRoot%\System32\CmService.dll", lw=FEAT_DONE_LW)
system += service("Schedule", "Task Scheduler", 2, 0x20, r"%systemroot%\system32\svchost.exe -k netsvcs -p",
                  dll=r"%systemroot%\system32\schedsvc.dll", lw="2024-06-21T02:15:40.0000000Z")
system += [
    ("2025-01-07T09:28:03.0130022Z", BAM,
     [reg_dword("SequenceNumber", 37), reg_dword("Version", 1),
      bam_value(r"\Device\HarddiskVolume3\Windows\explorer.exe", d7 + "09:28:03.0020112"),
      bam_value(r"\Device\HarddiskVolume3\Windows\System32\WindowsSandbox.exe", d6 + "02:37:45.9301188"),
      bam_value(r"\Device\HarddiskVolume3\Windows\System32\WindowsSandboxClient.exe", d6 + "02:37:45.6011904"),
      bam_value(r"\Device\HarddiskVolume3\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE", d7 + "09:28:03.0011847")]),
]

# PolAdtEv (§3.1), Windows 10 1607+ / 11 <= 23H2 layout: 59 u16 settings, counts at 0x84, 150 bytes
AUDIT = [1, 1, 3, 0, 3,                          # System: SSC, SSE, System Integrity, IPsec Driver, Other System
         3, 1, 1, 0, 1, 0, 0, 0, 3, 0, 0,         # Logon/Logoff: Logon=3, Logoff=1, Lockout, MM, Special Logon=1, ...
         0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0,  # Object Access: Other Object Access Events=3 (index 4)
         0, 0, 0,                                # Privilege Use
         3, 1, 0, 0, 0, 0,                       # Detailed Tracking: Process Creation=3, Process Termination=1
         1, 1, 0, 0, 0, 0,                       # Policy Change: Audit Policy Change=1, Authentication=1
         1, 0, 1, 0, 0, 0,                       # Account Management
         0, 0, 0, 0,                             # DS Access
         1, 0, 0, 0]                             # Account Logon: Credential Validation=1
COUNTS = [5, 11, 14, 3, 6, 6, 6, 4, 4]
assert len(AUDIT) == sum(COUNTS) == 59
POLADTEV = struct.pack("<HHII", 0x0100, 0, 9, 0x84) + struct.pack("<59H", *AUDIT) + struct.pack("<H", 0) + \
    struct.pack("<9H", *COUNTS)
assert len(POLADTEV) == 0x96
for off, want in ((0x16, 3), (0x18, 1), (0x1E, 1), (0x34, 3), (0x4E, 3), (0x50, 1), (0x5A, 1)):
    assert struct.unpack_from("<H", POLADTEV, off)[0] == want, hex(off)

security = [
    ("2024-06-21T02:15:20.0000000Z", "Policy", []),
    ("2024-10-01T01:00:12.3601177Z", r"Policy\PolAdtEv", [reg_hex("@", POLADTEV, 0)]),
]

# ================================================================== files
WSB = crlf([
    "<Configuration>",
    "  <VGpu>Disable</VGpu>",
    "  <Networking>Enable</Networking>",
    "  <MappedFolders>",
    "    <MappedFolder>",
    "      <HostFolder>C:\\Users</HostFolder>",
    "      <SandboxFolder>%s</SandboxFolder>" % SANDBOX_SHARE_ROOT,
    "      <ReadOnly>false</ReadOnly>",
    "    </MappedFolder>",
    "  </MappedFolders>",
    "  <LogonCommand>",
    "    <Command>%s</Command>" % LOGON_COMMAND,
    "  </LogonCommand>",
    "  <MemoryInMB>2048</MemoryInMB>",
    "</Configuration>",
]) + "\r\n"

RUN_BAT = crlf([
    "@echo off",
    "set W=%s\\Public\\Downloads" % SANDBOX_SHARE_ROOT,
    "set D=C:\\ProgramData\\Microsoft\\DeviceSync",
    'mkdir "%D%" 2>nul',
    '"%W%\\7za.exe" x -y -pK0b3!Syn#2024 -o"%D%" "%W%\\data.dat" >nul',
    'del /f /q "%W%\\data.dat" "%W%\\7za.exe"',
    'schtasks /create /tn "DeviceSync" /tr "%D%\\DeviceSync.exe" /sc onstart /ru SYSTEM /f >nul',
    'schtasks /run /tn "DeviceSync" >nul',
]) + "\r\n"

# a configuration the user kept for later; never used in this collection (decoy, read-only, no network)
USER_WSB = crlf([
    "<Configuration>",
    "  <VGpu>Disable</VGpu>",
    "  <Networking>Disable</Networking>",
    "  <MappedFolders>",
    "    <MappedFolder>",
    "      <HostFolder>C:\\Users\\k.tanaka\\Downloads</HostFolder>",
    "      <SandboxFolder>C:\\Users\\WDAGUtilityAccount\\Downloads</SandboxFolder>",
    "      <ReadOnly>true</ReadOnly>",
    "    </MappedFolder>",
    "  </MappedFolders>",
    "  <LogonCommand>",
    "    <Command>explorer.exe C:\\Users\\WDAGUtilityAccount\\Downloads</Command>",
    "  </LogonCommand>",
    "</Configuration>",
]) + "\r\n"

NOTES = crlf([
    "2025-01-06 meeting notes",
    "- quarterly report draft due Friday",
    "- IT: Windows Sandbox enabled on PC-K01 for opening untrusted attachments",
    "- try it once before using it for real",
]) + "\r\n"

# Servicing text logs (METHOD.md §2.8): one record per line, "YYYY-MM-DD HH:MM:SS, Level Component
# message", in the host's LOCAL time (Tokyo, UTC+9) without an offset. The message wordings are
# modelled on public samples; which exact lines Windows 11 writes for this feature is unconfirmed.
# CBS.log: the enabling through OptionalFeatures.exe (4688 at 02:12:40Z; the OptionalFeatures key
# is written at 02:13:58.4471093Z), two lines recording the enabling, the last at 11:13:58 local
# (02:13:58Z). dism.log: an administrator's look at the feature on 2024-11-12 (no change), the day
# Microsoft-Hyper-V-All was enabled (a DISM session that does not name the sandbox feature).
CBS_PKG = "Containers-OptionalFeature-DisposableClientVM-Package~31bf3856ad364e35~amd64~~10.0.22621.4602"
CBS_LOG = crlf([
    "2025-01-06 11:13:21, Info                  CBS    TI: --- Initializing Trusted Installer ---",
    "2025-01-06 11:13:21, Info                  CBS    TI: Last boot time: 2025-01-06 09:04:18.500",
    "2025-01-06 11:13:24, Info                  CBS    Session: 31158042_2291847710 initialized by client "
    "Windows Optional Component Manager, external staging directory: (null), external registry directory: (null)",
    "2025-01-06 11:13:24, Info                  CBS    Appl: Selectable update, Package: " + CBS_PKG +
    ", Update: Containers-DisposableClientVM, Applicable: true, Disposition: Staged",
    "2025-01-06 11:13:25, Info                  CBS    Plan: Package: " + CBS_PKG + ", Update: "
    "Containers-DisposableClientVM, current: Staged, pending: Default, start: Staged, applicable: Installed, "
    "targeted: Installed, limit: Installed, selected: Installed",
    "2025-01-06 11:13:41, Info                  CSI    00000012 Begin executing advanced installer phase 38 index 104",
    "2025-01-06 11:13:58, Info                  CBS    Exec: Selectable update Containers-DisposableClientVM of "
    "package " + CBS_PKG + " was turned on; a reboot is required to complete it.",
    "2025-01-06 11:13:58, Info                  CBS    Reboot mark set",
    "2025-01-06 11:15:44, Info                  CBS    Session: 31158042_2291847710 finalized. Reboot required: yes",
]) + "\r\n"
DISM_LOG = crlf([
    "2024-11-12 15:00:41, Info                  DISM   PID=7716 TID=4400 Scratch directory set to "
    "'C:\\Users\\k.tanaka\\AppData\\Local\\Temp\\'. - CDISMManager::put_ScratchDir",
    "2024-11-12 15:00:41, Info                  DISM   PID=7716 TID=4400 Successfully loaded the ImageSession at "
    "\"C:\\WINDOWS\\System32\\Dism\" - CDISMManager::LoadLocalImageSession",
    "2024-11-12 15:00:41, Info                  DISM   DISM.EXE: Executing command line: dism  /online "
    "/get-featureinfo /featurename:Containers-DisposableClientVM",
    "2024-11-12 15:00:43, Info                  DISM   DISM.EXE: Image session has been closed. Reboot required=no.",
    "2024-11-12 15:01:55, Info                  DISM   DISM.EXE: Executing command line: dism  /online "
    "/enable-feature /featurename:Microsoft-Hyper-V-All /all /norestart",
    "2024-11-12 15:02:19, Info                  DISM   DISM.EXE: Image session has been closed. Reboot required=yes.",
]) + "\r\n"

def write(rel, data, mode="w"):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def session_of(ev):
    """Which story thread a record belongs to (for the README table)."""
    blob = " ".join(str(v) for _, v, _ in (ev.data or [])) + " ".join(ev.userdata or []) + (ev.user or "")
    blob_l = blob.lower()
    for vm, tag in ((VM_MAL, "MAL"), (VM_BEN, "BEN"), (VM_UBU, "UBU")):
        if vm.lower() in blob_l or vm_sid(vm) in blob:
            return tag
    if ev.file == F_TS:
        return "MAL" if MAL_TASK in blob else "OD"
    if ev.eid in (4688, 4689):
        pid = [v for n, v, _ in ev.data if n in ("NewProcessId", "ProcessId")][0]
        pid = int(pid, 16)
        if pid in (MAL_LAUNCHER, MAL_CLIENT) and ev.t[0].day == 7:
            return "MAL"
        if pid in (BEN_LAUNCHER, BEN_CLIENT) and ev.t[0].day == 6:
            return "BEN"
        if pid == MAL_VMWP and ev.t[0].day == 7:
            return "MAL"
        if pid == BEN_VMWP and ev.t[0].day == 6:
            return "BEN"
        if pid in UBU_VMWP.values():
            return "UBU"
        if pid in (FODHELPER, ATK_CMD, SCHTASKS):
            return "ATK"
        if pid in ONEDRIVE_PIDS.values():
            return "OD"
    if ev.eid == 4698:
        return "ATK"
    return ""


def describe(ev):
    d = {n: v for n, v, _ in (ev.data or [])}
    u = {}
    for line in ev.userdata or []:
        line = line.strip()
        if line.startswith("<") and not line.startswith("</") and ">" in line and "</" in line:
            tag = line[1:line.index(">")]
            u[tag] = line[line.index(">") + 1:line.rindex("</")]
    f = {**d, **u}
    e = ev.eid
    if ev.file == F_SEC:
        if e == 4608:
            return "Windows is starting up"
        if e == 4624:
            return "logon type %s of %s\\%s, logon id %s, by %s (pid %s)" % (
                f["LogonType"], f["TargetDomainName"], f["TargetUserName"], f["TargetLogonId"],
                f["ProcessName"].split("\\")[-1], f["ProcessId"])
        if e == 4648:
            return "explicit credentials for %s\\%s by %s (pid %s)" % (
                f["TargetDomainName"], f["TargetUserName"], f["ProcessName"].split("\\")[-1], f["ProcessId"])
        if e == 4672:
            return "special privileges for logon id %s (%s)" % (f["SubjectLogonId"], f["SubjectUserName"])
        if e == 4688:
            return "process %s pid %s, parent %s pid %s, subject %s %s; cmd `%s`" % (
                f["NewProcessName"], f["NewProcessId"], f["ParentProcessName"] or "-", f["ProcessId"],
                f["SubjectUserName"], f["SubjectLogonId"], f["CommandLine"].replace("|", "\\|"))
        if e == 4689:
            return "process exit %s pid %s" % (f["ProcessName"], f["ProcessId"])
        if e == 4634:
            return "logoff %s\\%s logon id %s" % (f["TargetDomainName"], f["TargetUserName"], f["TargetLogonId"])
        if e == 4647:
            return "user-initiated logoff %s logon id %s" % (f["TargetUserName"], f["TargetLogonId"])
        if e == 4698:
            return "task %s registered by %s (logon id %s), ClientProcessId %s, ParentProcessId %s" % (
                f["TaskName"], f["SubjectUserName"], f["SubjectLogonId"], f["ClientProcessId"], f["ParentProcessId"])
    if ev.file == F_SYS:
        if e == 12:
            return "Kernel-General: OS started (StartTime %s)" % f["StartTime"]
        if e == 13:
            return "Kernel-General: OS shutting down"
        if e in (6005, 6006):
            return "EventLog service %s" % ("started" if e == 6005 else "stopped")
        if e == 104:
            return "Eventlog: the %s log was cleared by %s\\%s" % (f["Channel"], f["SubjectDomainName"],
                                                                 f["SubjectUserName"])
        if e == 7036:
            return "SCM: %s entered the %s state" % (f["param1"], f["param2"])
        if e == 1074:
            return "User32: %s initiated by %s (%s)" % (f["param5"], f["param7"], f["param1"])
        if e == 232:
            return "VmSwitch: NIC %s connected to port %s on Default Switch" % (f["NicName"], f["PortName"])
        if e == 234:
            return "VmSwitch: NIC %s disconnected from port %s" % (f["NicName"], f["PortName"])
    if ev.file == F_TS:
        names = {106: "registered by %s" % f.get("UserContext"), 107: "time trigger", 118: "boot trigger",
                 129: "process created: %s pid %s" % (f.get("Path"), f.get("ProcessID")),
                 100: "task started, user %s" % f.get("UserContext"),
                 200: "action started, EnginePID %s" % f.get("EnginePID"),
                 201: "action completed, ResultCode %s, EnginePID %s" % (f.get("ResultCode"), f.get("EnginePID")),
                 102: "task completed"}
        inst = f.get("InstanceId") or f.get("TaskInstanceId")
        return "%s: %s%s" % (f["TaskName"], names[e], (", instance " + inst) if inst else "")
    if ev.file == F_HCS:
        names = {2000: "create compute system", 2001: "start compute system", 2002: "shut down compute system",
                 2003: "terminate compute system", 2500: "create process", 2502: "query process notification",
                 2503: "queue process notification"}
        form = "UserData" if ev.userdata else "EventData"
        extra = ""
        if e == 2500:
            extra = ", guest pid %s, parameters `%s`" % (f["Parameter0"], f["Parameter1"])
        return "[%s] %s%s (%s)" % (f["SystemId"], names[e], extra, form)
    if ev.file == F_WADM:
        names = {18500: "started successfully", 18502: "was turned off", 18504: "was shut down (Shutdown IC)"}
        return "'%s' %s (VmId %s)" % (f["VmName"], names[e], f["VmId"])
    if ev.file == F_WOPS:
        form = "UserData" if ev.userdata else "EventData"
        return "VSMB share for '%s': SharePath `%s`, ShareFlags %s (%s)" % (f["VMName"], f["SharePath"], f["ShareFlags"], form)
    if ev.file == F_VMMS:
        return "VMMS: a new virtual machine '%s' was created (VmId %s)" % (f["VmName"], f["VmId"])
    return ""


def timeline_table(sorted_files):
    rows = []
    for name, evs in sorted_files.items():
        rid = FIRST_RID[name]
        for e in evs:
            rows.append((key(e.t), iso(e.t), os.path.basename(name).replace(".evtx.xml", ".evtx"), rid, e.eid,
                         session_of(e), describe(e)))
            rid += 1
    rows.sort()
    out = ["| # | time (UTC) | file | record | id | thread | what it shows |", "| ---: | --- | --- | ---: | ---: | --- | --- |"]
    for i, (_, t, f, rid, eid, tag, what) in enumerate(rows, 1):
        out.append("| %d | %s | %s | %d | %d | %s | %s |" % (i, t, f, rid, eid, tag, what))
    return "\n".join(out)


def find(file, eid, pred=lambda e: True):
    return [e for e in EVENTS if e.file == file and e.eid == eid and pred(e)]


def has(e, text):
    blob = " ".join(str(v) for _, v, _ in (e.data or [])) + " ".join(e.userdata or [])
    return text.lower() in blob.lower()


def write_readme(files):
    rid_of = {}
    for name, evs in files.items():
        for i, e in enumerate(evs):
            rid_of[id(e)] = FIRST_RID[name] + i
    threads = {}
    for name, evs in files.items():
        for e in evs:
            tag = session_of(e)
            if tag:
                threads.setdefault(tag, {}).setdefault(os.path.basename(name).replace(".evtx.xml", ".evtx"), []).append(rid_of[id(e)])
    tnames = {"MAL": "MAL (malicious sandbox run)", "BEN": "BEN (benign sandbox run)", "UBU": "UBU (classic VM)",
              "ATK": "ATK (task registration)", "OD": "OD (OneDrive task)"}
    thread_rids = "\n".join("* **%s**: %s" % (tnames[t], "; ".join("`%s` %s" % (f, ", ".join(map(str, sorted(r))))
                                                                  for f, r in sorted(threads[t].items())))
                            for t in ("MAL", "BEN", "UBU", "ATK", "OD"))
    src_files = []
    for root, _, fs in os.walk(OUT):
        for f in fs:
            src_files.append(os.path.relpath(os.path.join(root, f), OUT).replace(os.sep, "/"))
    what = {"Security.evtx.xml": "Security log", "System.evtx.xml": "System log"}
    rows = []
    for f in sorted(src_files):
        out = f
        for suf in (".evtx.xml", ".hive.reg", ".utf16", ".reg"):
            if f.endswith(suf):
                out = f[: -len(suf)] + (".evtx" if suf == ".evtx.xml" else "")
                break
        base = os.path.basename(f)
        if f.endswith(".evtx.xml"):
            n = len(files[f])
            desc = "%d records, ids %d-%d" % (n, FIRST_RID[f], FIRST_RID[f] + n - 1)
        elif f.endswith(".hive.reg"):
            desc = "registry hive (%s)" % base.split(".")[0] + \
                (", dirty: its base block says the logs beside it are not applied" if base == "SOFTWARE.hive.reg" else "")
        elif f.endswith(".reg"):
            desc = "transaction log (new format) of the %s hive: one entry, sequence %d; its keys exist only " \
                "after replay" % (base.split(".")[0], 1 + int(base.split(".")[1][3:]))
        elif f.endswith(".utf16"):
            desc = "task XML (UTF-16LE + BOM, CRLF)"
        elif f.endswith(".wsb"):
            desc = "sandbox configuration"
        elif f.endswith(".bat"):
            desc = "batch file run inside the sandbox"
        elif f.lower().endswith(".log"):
            desc = "servicing text log (host local time, CRLF; METHOD.md §2.8)"
        else:
            desc = "user file"
        rows.append("| `case/%s` | `%s` | %s |" % (f, out, desc))
    share_lines = []
    for vm, shares in ((VM_MAL, MAL_SHARES), (VM_BEN, BEN_SHARES)):
        for sp in shares:
            share_lines.append("* `%s` `%s`: `%s`" % (vm.lower(), sp, share_name(vm, sp)))

    def t_of(file, eid, pred):
        return iso(find(file, eid, pred)[0].t)

    def dyn(b):
        v, c, r, st, er, ok = struct.unpack("<IQQIIQ", b)
        f = lambda ft: (EPOCH + dt.timedelta(microseconds=ft // 10)).strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % (ft % 10_000_000)
        return "created %s, last run %s, state %d, error %d, last success %s" % (f(c), f(r), st, er, f(ok))

    tok = {
        "FILES": "\n".join(rows), "HOST": HOST, "WORKGROUP": WORKGROUP, "BUILD": str(BUILD), "QFE": str(QFE),
        "MACHINE_SID": MACHINE_SID, "USER": USER, "USER_QUAL": USER_QUAL, "USER_SID": USER_SID,
        "FEAT_SELECT_LW": FEAT_SELECT_LW, "FEAT_DONE_LW": FEAT_DONE_LW, "PKG_OPT": PKG_OPT,
        "POL_LW": "2024-10-01T01:00:12.3601177Z", "BAM_WSB": iso(T(d6 + "02:37:45.9301188")),
        "MAL_TASK": MAL_TASK, "WSB_PATH": WSB_PATH, "LOGON_COMMAND": LOGON_COMMAND,
        "VM_MAL": VM_MAL, "VM_BEN": VM_BEN, "VM_UBU": VM_UBU, "VM_MAL_L": VM_MAL.lower(), "VM_BEN_L": VM_BEN.lower(),
        "SID_MAL": vm_sid(VM_MAL), "SID_BEN": vm_sid(VM_BEN), "SID_UBU": vm_sid(VM_UBU),
        "LID_MAL": hx(VMLOGON[VM_MAL]), "LID_BEN": hx(VMLOGON[VM_BEN]), "LID_UBU_B": hx(VMLOGON[(VM_UBU, "B")]),
        "LID_UBU_C": hx(VMLOGON[(VM_UBU, "C")]),
        "VMC_B": hx(VMCOMPUTE["B"]), "VMC_B_D": str(VMCOMPUTE["B"]), "VMC_C": hx(VMCOMPUTE["C"]), "VMC_C_D": str(VMCOMPUTE["C"]),
        "VMWP_MAL": hx(MAL_VMWP), "VMWP_MAL_D": str(MAL_VMWP), "VMWP_BEN": hx(BEN_VMWP), "VMWP_BEN_D": str(BEN_VMWP),
        "VMWP_UBU_B": hx(UBU_VMWP["B"]), "VMWP_UBU_C": hx(UBU_VMWP["C"]),
        "NIC_MAL": nicname(VM_MAL, NIC_MAL), "NIC_BEN": nicname(VM_BEN, NIC_BEN), "NIC_UBU": nicname(VM_UBU, NIC_UBU),
        "PORT_MAL": PORT_MAL, "PORT_BEN": PORT_BEN, "PORT_UBU": PORT_UBU, "SWITCH": DEFAULT_SWITCH,
        "GUEST_PID": str(GUEST_PID), "SHARENAMES": "\n".join(share_lines),
        "UL_A": "%s / %s" % tuple(hx(x) for x in ULOGON["A"]), "UL_B": "%s / %s" % tuple(hx(x) for x in ULOGON["B"]),
        "UL_C": "%s / %s" % tuple(hx(x) for x in ULOGON["C"]), "UL_B_EL": hx(ULOGON["B"][0]), "UL_B_LIM": hx(ULOGON["B"][1]),
        "EXP_A": hx(EXPLORER["A"]), "EXP_B": hx(EXPLORER["B"]), "EXP_C": hx(EXPLORER["C"]),
        "SCH_A": str(SCHED_SVCHOST["A"]), "SCH_B": str(SCHED_SVCHOST["B"]), "SCH_C": str(SCHED_SVCHOST["C"]),
        "SCH_B_H": hx(SCHED_SVCHOST["B"]), "SCH_C_H": hx(SCHED_SVCHOST["C"]),
        "MAL_L": hx(MAL_LAUNCHER), "MAL_L_D": str(MAL_LAUNCHER), "MAL_C": hx(MAL_CLIENT),
        "BEN_L": hx(BEN_LAUNCHER), "BEN_L_D": str(BEN_LAUNCHER), "BEN_C": hx(BEN_CLIENT),
        "MAL_CMDLINE": MAL_CMDLINE, "SANDBOX_EXE": SANDBOX_EXE, "SANDBOX_SHARE_ROOT": SANDBOX_SHARE_ROOT,
        "MAL_L_START": t_of(F_SEC, 4688, lambda e: has(e, SANDBOX_EXE) and e.t[0].day == 7 and has(e, WSB_PATH)),
        "MAL_L_END": t_of(F_SEC, 4689, lambda e: has(e, hx(MAL_LAUNCHER)) and has(e, SANDBOX_EXE)),
        "BEN_L_START": t_of(F_SEC, 4688, lambda e: has(e, hx(BEN_LAUNCHER)) and has(e, SANDBOX_EXE) and e.t[0].day == 6),
        "BEN_L_END": t_of(F_SEC, 4689, lambda e: has(e, hx(BEN_LAUNCHER)) and has(e, SANDBOX_EXE)),
        "MAL_START": t_of(F_HCS, 2000, lambda e: has(e, VM_MAL)), "MAL_END": t_of(F_SYS, 234, lambda e: has(e, VM_MAL)),
        "BEN_START": t_of(F_HCS, 2000, lambda e: has(e, VM_BEN)),
        "BEN_END": t_of(F_SEC, 4634, lambda e: has(e, VM_BEN)),
        "MAL_TASK_GUID": MAL_TASK_GUID, "MAL_INSTANCE": MAL_INSTANCE, "SCHTASKS": hx(SCHTASKS), "SCHTASKS_D": str(SCHTASKS),
        "ATK_CMD": hx(ATK_CMD), "ATK_CMD_D": str(ATK_CMD),
        "MAL_HASH": hashlib.sha256(MAL_XML_BYTES).hexdigest(), "MAL_CRC": "0x%08x" % zlib.crc32(MAL_XML_BYTES),
        "OD_HASH": hashlib.sha256(OD_XML_BYTES).hexdigest(), "OD_CRC": "0x%08x" % zlib.crc32(OD_XML_BYTES),
        "OD_TASK": OD_TASK, "OD_TASK_GUID": OD_TASK_GUID, "OD_INST_B": OD_INSTANCE["B"], "OD_INST_C": OD_INSTANCE["C"],
        "OD_PID_B": str(ONEDRIVE_PIDS["B"]), "OD_PID_C": str(ONEDRIVE_PIDS["C"]),
        "MAL_ACT_LEN": str(len(MAL_ACTIONS)), "OD_ACT_LEN": str(len(OD_ACTIONS)),
        "MAL_TRG_LEN": str(len(MAL_TRIGGERS)), "OD_TRG_LEN": str(len(OD_TRIGGERS)),
        "MAL_FLAGS": "0x%08x" % MAL_FLAGS, "OD_FLAGS": "0x%08x" % OD_FLAGS,
        "MAL_DYN": dyn(MAL_DYN), "OD_DYN": dyn(OD_DYN), "BASE_IMAGE": BASE_IMAGE,
        "FIRST_RIDS": ", ".join("`%s` %d" % (os.path.basename(f).replace(".evtx.xml", ".evtx"), FIRST_RID[f]) for f in sorted(FIRST_RID)),
        "THREAD_RIDS": thread_rids,
    }
    tpl = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.template.md"), encoding="utf-8").read()
    for k, v in tok.items():
        tpl = tpl.replace("@@%s@@" % k, v)
    assert "@@" not in tpl, tpl[tpl.index("@@"):tpl.index("@@") + 40]
    with open(os.path.join(OUT, "..", "README.md"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(tpl)


def main():
    files = {}
    for ev in EVENTS:
        files.setdefault(ev.file, []).append(ev)
    for name, evs in sorted(files.items()):
        evs.sort(key=lambda e: key(e.t))
        ts_ = [key(e.t) for e in evs]
        assert all(a < b for a, b in zip(ts_, ts_[1:])), name + ": times must increase"
        rid = FIRST_RID[name]
        body = []
        for e in evs:
            body.append(render(e, rid))
            rid += 1
        text = '<?xml version="1.0" encoding="utf-8"?>\n<Events xmlns:forge="urn:sandtrace:forge">\n' + \
            "\n".join(body) + "\n</Events>\n"
        write(name, text)
    write("C/Windows/System32/config/SOFTWARE.hive.reg", hive(r"HKEY_LOCAL_MACHINE\SOFTWARE", software))
    write("C/Windows/System32/config/SOFTWARE.LOG1.reg", hive(r"HKEY_LOCAL_MACHINE\SOFTWARE", software_log1))
    write("C/Windows/System32/config/SOFTWARE.LOG2.reg", hive(r"HKEY_LOCAL_MACHINE\SOFTWARE", software_log2))
    write("C/Windows/System32/config/SYSTEM.hive.reg", hive(r"HKEY_LOCAL_MACHINE\SYSTEM", system))
    write("C/Windows/System32/config/SECURITY.hive.reg", hive(r"HKEY_LOCAL_MACHINE\SECURITY", security))
    write("C/Windows/System32/Tasks/Microsoft/Windows/Maintenance/MaintenanceSync.utf16", MAL_TASK_XML)
    write("C/Windows/System32/Tasks" + OD_TASK.replace("\\", "/") + ".utf16", OD_TASK_XML)
    write("C/Windows/System32/MaintenanceSync.wsb", WSB)
    write("C/Users/Public/Downloads/run.bat", RUN_BAT)
    write("C/Users/k.tanaka/Documents/Sandbox/DownloadsReadOnly.wsb", USER_WSB)
    write("C/Users/k.tanaka/Documents/meeting-notes-2025-01-06.txt", NOTES)
    write("C/Windows/Logs/CBS/CBS.log", CBS_LOG)
    write("C/Windows/Logs/DISM/dism.log", DISM_LOG)
    write_readme(files)
    table = timeline_table(files)
    with open(os.path.join(OUT, "..", "TIMELINE.md"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("# Demo case - every record in event-log order\n\n"
                 "Generated by `tools/gen_case.py` together with the sources in `case/`; see `README.md` for the "
                 "story and the key values. `thread`: MAL malicious sandbox run, BEN benign sandbox run, UBU classic "
                 "Hyper-V VM, ATK the attacker registering the task, OD the OneDrive updater task, empty = host noise.\n\n")
        fh.write(table + "\n")


if __name__ == "__main__":
    main()
