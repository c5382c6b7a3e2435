#!/usr/bin/python3
"""gen_scenarios.py - writes the forged session scenarios of tests/e2e/scenarios/.

Each scenario is one small host collection (`<name>/case/C/...`, laid out like a KAPE triage, as
testdata/case) plus `<name>/expected.json`, the sessions `sandtrace sessions --json` must report.
The record shapes and the helper functions (Security 4624/4648/4672/4688/4689, TaskScheduler,
Hyper-V-Compute, Worker, VSmb 301, VmSwitch, TaskCache blobs, PolAdtEv, hive text) are those of
testdata/tools/gen_case.py, imported from there so that both collections share one spelling of
every record; this script only writes new stories with new GUIDs, times and PIDs.

Expected values are written here from the same constants the records are made of, following
METHOD.md §6 (sessions) and §7 (rules) - never from running sandtrace. The derivation of every
value is in README.md (written by this script as well).

Deterministic: no clock, no randomness.

    /usr/bin/python3 tests/e2e/scenarios/gen_scenarios.py          # rewrites every scenario
"""
import hashlib
import importlib.util
import json
import os
import re
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

_argv, sys.argv = sys.argv, [sys.argv[0]]
_spec = importlib.util.spec_from_file_location("gen_case", os.path.join(ROOT, "testdata", "tools", "gen_case.py"))
g = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(g)          # builds the bundled timeline in g.EVENTS; we clear it per scenario
sys.argv = _argv

D, T, iso, hx = g.D, g.T, g.iso, g.hx
SANDBOX_EXE, CLIENT_EXE = g.SANDBOX_EXE, g.CLIENT_EXE
EXPLORER_EXE = r"C:\Windows\explorer.exe"
USER_QUAL = g.USER_QUAL                       # PC-K01\k.tanaka
BOOT = "C"                                    # every scenario is its own host; boot C's PIDs are reused
BASE_SHARES = [r"C:\ProgramData\Microsoft\Windows\Containers\BaseImages\%s\BaseLayer\Files" % g.BASE_IMAGE,
               r"C:\ProgramData\Microsoft\Windows\Containers\BaseImages\%s\BaseLayer\UtilityVM\Files" % g.BASE_IMAGE]
FIRST_RID = {g.F_SEC: 20001, g.F_SYS: 8001, g.F_TS: 4001, g.F_HCS: 101, g.F_WADM: 51, g.F_WOPS: 31}
F_VMMS4 = g.LOGS + "Microsoft-Windows-Hyper-V-VMMS%4Admin.evtx.xml"     # %4 spelling here (bundled: dash)
FIRST_RID[F_VMMS4] = 11

SCENARIOS = {}          # name -> dict(story=..., derivation=..., expected=..., files=...)


# ---------------------------------------------------------------- small helpers
class Rec:
    """Remembers the time of each record we need for expected values and the README."""

    def __init__(self):
        self.t = {}

    def __call__(self, label, t):
        self.t[label] = t
        return t


def iso_of(t):
    return iso(T(t))


def wsb_cmd_json(cmd, user, existing=True):
    # raw backslashes as in the NPA sample (§1.10: never turn \r, \t inside a path into control characters)
    return '{ "CommandLine": "%s", "User": "%s", "ConsoleSize": [0,0], "UseExistingLogin": %s}' % (
        cmd, user, "true" if existing else "false")


def create_process(r, label, t, vm, guest_pid, cmd, user, existing=True, form="EventData"):
    """2500 + 2502 + 2503 (§1.4), 2502/2503 a few ms later."""
    base, frac = t.split(".")
    g.hcs(r(label, t), 2500, BOOT, vm, [("Parameter0", str(guest_pid)), ("Parameter1", wsb_cmd_json(cmd, user, existing)),
                                        ("Result", "0x00000000")], form=form)
    g.hcs(base + ".%07d" % (int(frac) + 512664), 2502, BOOT, vm, [("Parameter0", str(guest_pid)), ("Parameter1", "1"),
                                                                   ("Parameter2", "0"), ("Result", "0x00000000")], form=form)
    g.hcs(base + ".%07d" % (int(frac) + 518981), 2503, BOOT, vm, [("Parameter0", str(guest_pid)), ("Parameter1", "1"),
                                                                   ("Parameter2", "0")], form=form)


def kernel_power_41(t):
    g.sysev(t, "Microsoft-Windows-Kernel-Power", 41, BOOT, guid="{331C3B3A-2005-44C2-AC5E-77220C37D6B4}",
            task=63, keywords="0x8000400000000002", pid=4, tid=8, user=g.SYSTEM_SID, version=2, level=1,
            data=[D("BugcheckCode", "0", "UInt32"), D("BugcheckParameter1", "0x0", "HexInt64"),
                  D("BugcheckParameter2", "0x0", "HexInt64"), D("BugcheckParameter3", "0x0", "HexInt64"),
                  D("BugcheckParameter4", "0x0", "HexInt64"), D("SleepInProgress", "0", "UInt32"),
                  D("PowerButtonTimestamp", "0", "UInt64"), D("BootAppStatus", "0", "UInt32")])


def poladtev(process_creation, process_termination, other_object_access):
    """PolAdtEv, Windows 10 1607+/11 <= 23H2 layout (59 entries, counts at 0x84), §3.1."""
    audit = list(g.AUDIT)
    audit[20] = other_object_access       # Object Access index 4 -> offset 0x0C + 2*20 = 0x34
    audit[33] = process_creation          # Detailed Tracking index 0 -> 0x4E
    audit[34] = process_termination       # -> 0x50
    data = struct.pack("<HHII", 0x0100, 0, 9, 0x84) + struct.pack("<59H", *audit) + struct.pack("<H", 0) + \
        struct.pack("<9H", *g.COUNTS)
    assert len(data) == 0x96
    assert struct.unpack_from("<H", data, 0x4E)[0] == process_creation
    assert struct.unpack_from("<H", data, 0x50)[0] == process_termination
    assert struct.unpack_from("<H", data, 0x34)[0] == other_object_access
    return data


def session(vm, start, end, confidence, verdict, findings, trigger, launcher, wsb, shares, commands, network, missing):
    score = sum(s for _, s in findings)
    want = "malicious" if score >= 60 else "suspicious" if score >= 25 else "benign-looking"
    assert verdict == want, (vm, score, verdict)
    return {
        "vm_id": vm, "start": iso_of(start), "end": iso_of(end) if end else None, "confidence": confidence,
        "verdict": verdict, "score": score,
        "trigger": dict(zip(("kind", "task_name", "user"), trigger)),
        "launcher": dict(zip(("image", "pid", "command_line"), launcher)),
        "wsb": None if wsb is None else {
            "path": wsb[0], "networking": wsb[1], "logon_command": wsb[2],
            "mapped_folders": [dict(zip(("host", "sandbox", "read_only"), m)) for m in wsb[3]]},
        "shares": [{"time": iso_of(t), "host_path": p, "read_only": ro} for t, p, ro in shares],
        "commands": [{"time": iso_of(t), "command_line": c, "user": u} for t, c, u in commands],
        "network": [{"time": iso_of(t), "event": e} for t, e in network],
        "findings": [{"id": i, "score": s} for i, s in findings],
        "missing": missing,
    }


NO_TRIGGER = ("unknown", None, None)
NO_LAUNCHER = (None, None, None)


def sandbox_start(r, tag, day, t0, vm, vmwp, nic, port, logon_id, shares, *, form="EventData", net=True,
                  vmwp_4688=True, s301_form="EventData", net_before_2001=False, logon=True):
    """A sandbox VM comes up (§0.1 rows 4-6, 9): 2000, 4648/4624/4672, vmwp 4688, 301s, 18500, 2001, 232.
    t0 = 'HH:MM:SS' of the 2000; the rest follows at fixed offsets (NPA: logon -> 301 within 0-2 s)."""
    g.VMLOGON[vm] = logon_id
    h, m, s = (int(x) for x in t0.split(":"))

    def at(ds, frac):
        tot = h * 3600 + m * 60 + s + ds
        return day + "%02d:%02d:%02d.%s" % (tot // 3600, tot // 60 % 60, tot % 60, frac)

    g.hcs(r(tag + "2000", at(0, "1150339")), 2000, BOOT, vm, [("Result", "0x00000000")], form=form)
    logon_day_t = at(3, "0")[:-2]
    if logon:
        g.vm_logon(logon_day_t, BOOT, vm, activity=None)
        r(tag + "4624", logon_day_t + ".2113861")
    if vmwp_4688:
        g.vmwp_start(at(3, "4410226"), BOOT, vm, vmwp)
    fr = ["6104418", "7120936", "9031557", "9512004"]
    for i, (path, flags) in enumerate(shares):
        g.vsmb301(r(tag + "301:" + path, at(3 + (2 if i >= 2 else 0), fr[i])), vm, vmwp, path, flags, form=s301_form)
    g.worker_admin(r(tag + "18500", at(6, "5520771")), 18500, vm, vm.lower(), vmwp)
    if net and net_before_2001:
        g.vmswitch(r(tag + "232", at(6, "5990112")), 232, vm, nic, port)
    g.hcs(r(tag + "2001", at(6, "6012284")), 2001, BOOT, vm, [("Result", "0x00000000")], form=form)
    if net and not net_before_2001:
        g.vmswitch(r(tag + "232", at(7, "2201945")), 232, vm, nic, port)


def sandbox_stop(r, tag, day, t0, vm, vmwp, nic, port, *, kind="shutdown", form="EventData", net=True, vmwp_4689=True):
    """The VM goes away (§0.1 row 11): 18504 (host shutdown) or 18502 (window closed), 2002/2003, 234."""
    h, m, s = (int(x) for x in t0.split(":"))
    pre = day + "%02d:%02d:%02d." % (h, m, s)
    if kind == "shutdown":
        g.worker_admin(r(tag + "18504", pre + "3320177"), 18504, vm, vm.lower(), vmwp,
                       extra=(("Force", "False"), ("Reason", "")))
        g.hcs(r(tag + "2002", pre + "4102256"), 2002, BOOT, vm, [("Result", "0x00000000")], form=form)
    else:
        g.worker_admin(r(tag + "18502", pre + "2104471"), 18502, vm, vm.lower(), vmwp)
        g.hcs(r(tag + "2003", pre + "3019926"), 2003, BOOT, vm, [("Result", "0x00000000")], form=form)
    if net:
        g.vmswitch(r(tag + "234", pre + "6031448"), 234, vm, nic, port)
    if vmwp_4689:
        g.vmwp_exit(pre + "8120339", BOOT, vmwp)


def user_proc(t, pid, name, creator, cmd, parent):
    g.proc_user(t, BOOT, pid, name, creator, cmd, parent)


def user_exit(t, pid, name):
    g.exit_user(t, BOOT, pid, name)


# ================================================================ 1. mirrorface_chain
def mirrorface_chain():
    r = Rec()
    VM = "5C8E2A71-4B3D-4F19-9E6A-0D7C3B1F8A42"
    NIC, PORT = "8E1A3C5B-7D9F-4B2E-A4C6-E8F0B2D4A6C8", "2F4B6D8E-0A1C-4E3F-B5D7-9F1B3D5E7A9C"
    LAUNCHER, CLIENT, VMWP = 0x1B48, 0x1C2C, 0x1D90
    INSTANCE = "{9C1E3A5B-7D2F-4E6A-B8C0-D2E4F6A8B0C1}"
    GUEST = 5184
    d6, d = "2025-01-06 ", "2025-01-14 "
    # boot B and the user's logon on the day of the registration (METHOD.md §6.8: the chain is
    # followed within the boot that holds the registration)
    # the day before, in boot A, a process got the id that boot B's userinit has: the chain must not
    # climb into another boot (its userinit has no record in boot B)
    g.kg12("2025-01-05 08:00:03.1250112", "2025-01-05 08:00:03.0000000", "A")
    g.proc_user("2025-01-05 08:01:10.2290114", "A", g.USERINIT["B"], r"C:\Windows\System32\userinit.exe", 0x2A4,
                r"C:\Windows\system32\userinit.exe", r"C:\Windows\System32\winlogon.exe")
    g.kg12(d6 + "02:17:05.3360459", d6 + "02:17:05.2000000", "B")
    g.user_logon(d6, "B", "02:18:30")
    chain = [  # (label, pid, image, creator, command line), the registering process last
        ("explorer", g.EXPLORER["B"], EXPLORER_EXE, g.USERINIT["B"], r"C:\Windows\Explorer.EXE"),
        ("fodhelper", g.FODHELPER, r"C:\Windows\System32\fodhelper.exe", g.EXPLORER["B"],
         r"C:\Windows\System32\fodhelper.exe"),
        ("cmd", g.ATK_CMD, r"C:\Windows\System32\cmd.exe", g.FODHELPER,
         r'"C:\Windows\System32\cmd.exe" /c start /min cmd.exe'),
        ("schtasks", g.SCHTASKS, r"C:\Windows\System32\schtasks.exe", g.ATK_CMD, g.SCHTASKS_CMD)]
    chain_times = ["02:18:31.5573402", "06:10:58.1180449", "06:11:02.6641230", "06:12:33.2047781"]
    parent_image = {g.USERINIT["B"]: r"C:\Windows\System32\userinit.exe"}
    for (label, pid, image, creator, cmd), t in zip(chain, chain_times):
        elevated = label != "explorer"
        g.proc_user(r("P:" + label, d6 + t), "B", pid, image, creator, cmd,
                    parent_image.get(creator, r"C:\Windows\System32\userinit.exe"), elevated=elevated)
        parent_image[pid] = image
    # registration (a week earlier, as in the bundled case): 4698 v1 + TaskScheduler 106
    g.sec(r("4698", d6 + "06:12:33.5510027"), 4698, "B", 6044, g.subj_user(g.ULOGON["B"][0]) + [
        D("TaskName", g.MAL_TASK), D("TaskContent", g.MAL_TASK_XML.replace("\r\n", "\n")),
        D("ClientProcessStartKey", "4222124650660162", "UInt64"), D("ClientProcessId", str(g.SCHTASKS), "UInt32"),
        D("ParentProcessId", str(g.ATK_CMD), "UInt32"), D("RpcCallClientLocality", "0", "UInt32"), D("FQDN", g.HOST)],
        version=1, activity="{83E0AFC9-D7EB-000A-19AF-E083EBD7DB01}")
    g.ts(r("106", d6 + "06:12:33.5522318"), 106, "B", "TaskRegisteredEvent", [D("TaskName", g.MAL_TASK), D("UserContext", USER_QUAL)])
    # then the PowerShell log is cleared (System 104): before the session, after the registration
    g.eventlog_104(r("104", d6 + "06:20:14.3302118"), "Windows PowerShell")
    # boot, boot trigger, launcher
    g.kg12(r("kg12", d + "00:01:47.2041188"), d + "00:01:47.1000000", BOOT)
    g.task_run(BOOT, g.MAL_TASK, 118, "BootTrigger", INSTANCE, SANDBOX_EXE, LAUNCHER, "NT AUTHORITY\\System",
               r("118", d + "00:02:19.4120338"), r("129", d + "00:02:19.9051124"), d + "00:02:19.9056630",
               d + "00:02:19.9057012")
    g.s4688(r("L4688", d + "00:02:19.9012274"), BOOT, 2216, g.SUBJ_SYSTEM, LAUNCHER, SANDBOX_EXE, "%%1936",
            g.SCHED_SVCHOST[BOOT], g.MAL_CMDLINE, r"C:\Windows\System32\svchost.exe", g.SYS_LABEL)
    g.s4688(d + "00:02:21.3340981", BOOT, 2216, g.SUBJ_SYSTEM, CLIENT, CLIENT_EXE, "%%1936", LAUNCHER,
            '"%s"' % CLIENT_EXE, SANDBOX_EXE, g.SYS_LABEL)
    shares = [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021"), (r"C:\Users", "0x1001020")]
    sandbox_start(r, "", d, "00:02:24", VM, VMWP, NIC, PORT, 0x71B3E, shares)
    create_process(r, "2500", d + "00:02:38.4021136", VM, GUEST, g.LOGON_COMMAND, "WDAGUtilityAccount")
    sandbox_stop(r, "", d, "09:28:05", VM, VMWP, NIC, PORT, kind="shutdown")
    g.s4689(d + "09:28:06.1020447", BOOT, 2216, g.SUBJ_SYSTEM, CLIENT, CLIENT_EXE)
    g.s4689(r("L4689", d + "09:28:06.3011872"), BOOT, 2216, g.SUBJ_SYSTEM, LAUNCHER, SANDBOX_EXE)
    g.task_end(BOOT, g.MAL_TASK, INSTANCE, SANDBOX_EXE, LAUNCHER, "NT AUTHORITY\\System",
               d + "09:28:06.3502213", d + "09:28:06.3604471")
    g.kg13(r("kg13", d + "09:28:15.1123380"), BOOT)

    # registry: command-line auditing, the task's TaskCache entry (Tree without SD), audit policy
    dyn = g.dynamic_info(g.filetime(T(d6 + "06:12:33.5498811")), g.filetime(T(d + "00:02:19.9050012")), 0, 0,
                         g.filetime(T(d + "09:28:06.3601187")))
    software = [
        ("2024-10-01T01:00:12.3412871Z", r"Microsoft\Windows\CurrentVersion\Policies\System\Audit",
         [g.reg_dword("ProcessCreationIncludeCmdLine_Enabled", 1)]),
        ("2024-11-12T05:20:55.0000000Z", g.TC + r"\Tree\Microsoft", [g.reg_hex("SD", g.SD)]),
        ("2024-11-12T05:20:55.0000000Z", g.TC + r"\Tree\Microsoft\Windows", [g.reg_hex("SD", g.SD)]),
        ("2024-11-12T05:21:02.0000000Z", g.TC + r"\Tree\Microsoft\Windows\Maintenance", [g.reg_hex("SD", g.SD)]),
        ("2025-01-06T06:14:10.7730126Z", g.TC + r"\Tree\Microsoft\Windows\Maintenance\MaintenanceSync",
         [g.reg_sz("Id", g.MAL_TASK_GUID), g.reg_dword("Index", 3)]),
        ("2025-01-14T09:28:06.3612004Z", g.TC + r"\Tasks\%s" % g.MAL_TASK_GUID,
         [g.reg_sz("Path", g.MAL_TASK), g.reg_sz("URI", g.MAL_TASK), g.reg_sz("Author", "Microsoft Corporation"),
          g.reg_sz("Description", "Synchronizes maintenance settings with the servicing stack."),
          g.reg_sz("Date", "2025-01-06T15:12:33"), g.reg_hex("Hash", g.hashlib.sha256(g.MAL_XML_BYTES).digest()),
          g.reg_dword("Schema", 0x10002), g.reg_hex("Actions", g.MAL_ACTIONS), g.reg_hex("Triggers", g.MAL_TRIGGERS),
          g.reg_hex("DynamicInfo", dyn)]),
        ("2025-01-06T06:12:33.5531187Z", g.TC + r"\Boot\%s" % g.MAL_TASK_GUID, []),
    ]
    files = {
        "C/Windows/System32/config/SOFTWARE.hive.reg": g.hive(r"HKEY_LOCAL_MACHINE\SOFTWARE", software),
        "C/Windows/System32/config/SECURITY.hive.reg": g.hive(r"HKEY_LOCAL_MACHINE\SECURITY", g.security),
        "C/Windows/System32/Tasks/Microsoft/Windows/Maintenance/MaintenanceSync.utf16": g.MAL_TASK_XML,
        "C/Windows/System32/MaintenanceSync.wsb": g.WSB,
        "C/Users/Public/Downloads/run.bat": g.RUN_BAT,
    }
    findings = [("ST-TRIG-TASK", 30), ("ST-TRIG-SYSTEM", 20), ("ST-TRIG-BOOT", 10), ("ST-WSB-WRITE-PROFILE", 30),
                ("ST-WSB-LOGON-SCRIPT", 20), ("ST-WSB-LOGON-FROM-SHARE", 15), ("ST-NET-ON", 5),
                ("ST-TASK-HIDDEN", 20), ("ST-WSB-ODD-PLACE", 10)]
    s = session(VM, r.t["2000"], r.t["234"], "high", "malicious", findings,
                ("task", g.MAL_TASK, "NT AUTHORITY\\System"), (SANDBOX_EXE, LAUNCHER, g.MAL_CMDLINE),
                (g.WSB_PATH, True, g.LOGON_COMMAND, [(r"C:\Users", g.SANDBOX_SHARE_ROOT, False)]),
                [(r.t[r"301:C:\Users"], r"C:\Users", False)],
                [(r.t["2500"], g.LOGON_COMMAND, "WDAGUtilityAccount")],
                [(r.t["232"], "nic-connected"), (r.t["234"], "nic-disconnected")], [])
    # METHOD.md §6.8, computed from the records above: the registration records of the task (up to
    # the start), the chain from the 4698's ClientProcessId (schtasks) up to explorer (userinit has
    # no record), the host records (the log clear after the registration; the boot of the session;
    # its shutdown within 24 h), and the files the session names (the .wsb, run.bat via C:\Users)
    s["trigger"]["user_sid"] = None
    author = re.search(r"<Author>(.*?)</Author>", g.MAL_TASK_XML).group(1)
    date = re.search(r"<Date>(.*?)</Date>", g.MAL_TASK_XML).group(1)
    s["origin"] = {
        "registrations": [
            {"time": iso_of(r.t["4698"]), "source": "Security 4698", "user": USER_QUAL, "sid": g.USER_SID,
             "link": "strong"},
            {"time": iso_of(r.t["106"]), "source": "Task Scheduler 106", "user": USER_QUAL, "sid": None,
             "link": "strong"},
            {"time": "2025-01-06T06:14:10.7730126Z", "source": "TaskCache Tree key", "link": "strong"},
            {"time": None, "source": "RegistrationInfo", "definition": "task_file", "author": author, "date": date},
            {"time": None, "source": "RegistrationInfo", "definition": "event_4698", "author": author, "date": date}],
        "process_chain": [
            {"time": iso_of(r.t["P:" + label]), "image": image, "pid": pid, "parent_pid": creator,
             "command_line": cmd, "user": USER_QUAL, "sid": g.USER_SID,
             "link": "strong" if label == "schtasks" else "medium"}
            for label, pid, image, creator, cmd in reversed(chain)]}
    s["host_context"] = [{"time": iso_of(r.t["104"]), "event": "log-cleared"},
                         {"time": iso_of(r.t["kg12"]), "event": "boot"},
                         {"time": iso_of(r.t["kg13"]), "event": "shutdown"}]
    s["files"] = [{"path": g.WSB_PATH, "kind": "wsb", "sha256": hashlib.sha256(g.WSB.encode()).hexdigest()},
                  {"path": r"C:\Users\Public\Downloads\run.bat", "kind": "script",
                   "sha256": hashlib.sha256(g.RUN_BAT.encode()).hexdigest()}]
    return dict(files=files, expected={"sessions": [s], "not_sessions": []}, rec=r, vm=VM, launcher=LAUNCHER)


# ================================================================ 2. benign_user
def benign_user():
    r = Rec()
    VM = "A4F2C9E7-1D3B-4A85-B6E0-7F19C2D48E53"
    NIC, PORT = "4C6E8A0B-2D4F-4A6C-8E0A-2C4E6A8C0E2A", "6A8C0E2B-4D6F-4C8E-A0C2-4E6A8C0E2B4D"
    LAUNCHER, CLIENT, VMWP = 0x2318, 0x2390, 0x24A4
    d = "2025-02-04 "
    g.user_logon(d, BOOT, "01:10:05")
    user_proc(d + "01:10:06.3921447", g.EXPLORER[BOOT], EXPLORER_EXE, g.USERINIT[BOOT], r"C:\Windows\Explorer.EXE",
              r"C:\Windows\System32\userinit.exe")
    user_proc(r("L4688", d + "01:32:40.4120556"), LAUNCHER, SANDBOX_EXE, g.EXPLORER[BOOT], '"%s"' % SANDBOX_EXE,
              EXPLORER_EXE)
    user_proc(d + "01:32:41.0203347", CLIENT, CLIENT_EXE, LAUNCHER, '"%s"' % CLIENT_EXE, SANDBOX_EXE)
    sandbox_start(r, "", d, "01:32:43", VM, VMWP, NIC, PORT, 0x8C2D41,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021")], form="UserData", s301_form="UserData")
    sandbox_stop(r, "", d, "01:51:17", VM, VMWP, NIC, PORT, kind="closed", form="UserData")
    user_exit(d + "01:51:17.9021733", CLIENT, CLIENT_EXE)
    user_exit(r("L4689", d + "01:51:18.2310256"), LAUNCHER, SANDBOX_EXE)
    s = session(VM, r.t["2000"], r.t["234"], "medium", "benign-looking", [("ST-NET-ON", 5)],
                ("user", None, USER_QUAL), (SANDBOX_EXE, LAUNCHER, '"%s"' % SANDBOX_EXE), None, [], [],
                [(r.t["232"], "nic-connected"), (r.t["234"], "nic-disconnected")], [])
    s["trigger"]["user_sid"] = g.USER_SID   # the launcher's 4688 SubjectUserSid (§6.8)
    return dict(files={}, expected={"sessions": [s], "not_sessions": []}, rec=r, vm=VM, launcher=LAUNCHER)


# ================================================================ 3. overlapping
REVIEW_WSB_PATH = r"C:\Users\k.tanaka\Desktop\Review.wsb"
BUILD_WSB_PATH = r"C:\Users\k.tanaka\Desktop\Build.wsb"
REVIEW_WSB = g.crlf([
    "<Configuration>",
    "  <Networking>Disable</Networking>",
    "  <MappedFolders>",
    "    <MappedFolder>",
    "      <HostFolder>C:\\Users\\k.tanaka\\Downloads</HostFolder>",
    "      <SandboxFolder>C:\\Users\\WDAGUtilityAccount\\Desktop\\Downloads</SandboxFolder>",
    "      <ReadOnly>true</ReadOnly>",
    "    </MappedFolder>",
    "  </MappedFolders>",
    "  <LogonCommand>",
    "    <Command>explorer.exe</Command>",
    "  </LogonCommand>",
    "</Configuration>"]) + "\r\n"
BUILD_WSB = g.crlf([
    "<Configuration>",
    "  <Networking>Enable</Networking>",
    "  <MappedFolders>",
    "    <MappedFolder>",
    "      <HostFolder>C:\\Users\\k.tanaka\\Projects\\build</HostFolder>",
    "      <SandboxFolder>C:\\build</SandboxFolder>",
    "      <ReadOnly>false</ReadOnly>",
    "    </MappedFolder>",
    "  </MappedFolders>",
    "  <LogonCommand>",
    "    <Command>C:\\build\\setup.cmd</Command>",
    "  </LogonCommand>",
    "</Configuration>"]) + "\r\n"
SETUP_CMD = g.crlf(["@echo off", "cd /d C:\\build", "call build.cmd > C:\\build\\build.log 2>&1"]) + "\r\n"


def overlapping():
    r = Rec()
    VA, VB = "3E7B1D95-C4A2-4F86-8D30-B5E9172A6C0F", "D06A8F3C-72E1-4B59-A4C7-19E5B3F8206D"
    NIC_A, PORT_A = "1B3D5F7A-9C1E-4A3B-8D5F-7A9C1E3B5D7F", "3D5F7A9C-1E3B-4D5F-A7C9-E1B3D5F7A9C1"   # unused (no NIC)
    NIC_B, PORT_B = "5F7A9C1E-3B5D-4F7A-9C1E-3B5D7F9A1C3E", "7A9C1E3B-5D7F-4A9C-B1E3-5D7F9A1C3E5B"
    LA, CA, WA = 0x2A10, 0x2A8C, 0x2B34
    LB, CB, WB = 0x2C40, 0x2CB8, 0x2D5C
    d = "2025-02-05 "
    g.user_logon(d, BOOT, "09:55:05")
    user_proc(d + "09:55:06.3921447", g.EXPLORER[BOOT], EXPLORER_EXE, g.USERINIT[BOOT], r"C:\Windows\Explorer.EXE",
              r"C:\Windows\System32\userinit.exe")
    cmd_a = '"%s" "%s"' % (SANDBOX_EXE, REVIEW_WSB_PATH)
    cmd_b = '"%s" "%s"' % (SANDBOX_EXE, BUILD_WSB_PATH)
    # A: Review.wsb (read-only Downloads, no network)
    user_proc(r("A:L4688", d + "10:00:00.2120556"), LA, SANDBOX_EXE, g.EXPLORER[BOOT], cmd_a, EXPLORER_EXE)
    user_proc(d + "10:00:01.0203347", CA, CLIENT_EXE, LA, '"%s"' % CLIENT_EXE, SANDBOX_EXE)
    sandbox_start(r, "A:", d, "10:00:03", VA, WA, NIC_A, PORT_A, 0x91A2B3,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021"),
                   (r"C:\Users\k.tanaka\Downloads", "0x1001021")], net=False)
    create_process(r, "A:2500", d + "10:00:17.4021136", VA, 3020, "explorer.exe", "WDAGUtilityAccount")
    # B: Build.wsb (writable project folder, network on, .cmd logon command), started while A runs,
    # more than 120 s after A's VM start so that the two launcher time windows (§0.4) do not overlap
    user_proc(r("B:L4688", d + "10:03:30.6610223"), LB, SANDBOX_EXE, g.EXPLORER[BOOT], cmd_b, EXPLORER_EXE)
    user_proc(d + "10:03:31.4047782", CB, CLIENT_EXE, LB, '"%s"' % CLIENT_EXE, SANDBOX_EXE)
    sandbox_start(r, "B:", d, "10:03:33", VB, WB, NIC_B, PORT_B, 0x93C4D5,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021"),
                   (r"C:\Users\k.tanaka\Projects\build", "0x1001020")])
    create_process(r, "B:2500", d + "10:03:47.1120334", VB, 2876, r"C:\build\setup.cmd", "WDAGUtilityAccount")
    # A is closed at 10:20, B at 10:45
    sandbox_stop(r, "A:", d, "10:20:41", VA, WA, NIC_A, PORT_A, kind="closed", net=False)
    user_exit(d + "10:20:41.9021733", CA, CLIENT_EXE)
    user_exit(r("A:L4689", d + "10:20:42.2310256"), LA, SANDBOX_EXE)
    sandbox_stop(r, "B:", d, "10:45:09", VB, WB, NIC_B, PORT_B, kind="closed")
    user_exit(d + "10:45:09.9021733", CB, CLIENT_EXE)
    user_exit(r("B:L4689", d + "10:45:10.2310256"), LB, SANDBOX_EXE)
    files = {"C/Users/k.tanaka/Desktop/Review.wsb": REVIEW_WSB, "C/Users/k.tanaka/Desktop/Build.wsb": BUILD_WSB,
             "C/Users/k.tanaka/Projects/build/setup.cmd": SETUP_CMD}
    sa = session(VA, r.t["A:2000"], r.t["A:2003"], "medium", "benign-looking", [],
                 ("user", None, USER_QUAL), (SANDBOX_EXE, LA, cmd_a),
                 (REVIEW_WSB_PATH, False, "explorer.exe",
                  [(r"C:\Users\k.tanaka\Downloads", r"C:\Users\WDAGUtilityAccount\Desktop\Downloads", True)]),
                 [(r.t[r"A:301:C:\Users\k.tanaka\Downloads"], r"C:\Users\k.tanaka\Downloads", True)],
                 [(r.t["A:2500"], "explorer.exe", "WDAGUtilityAccount")], [], [])
    sb = session(VB, r.t["B:2000"], r.t["B:234"], "medium", "suspicious",
                 [("ST-NET-ON", 5), ("ST-WSB-WRITE-OTHER", 10), ("ST-WSB-LOGON-SCRIPT", 20),
                  ("ST-WSB-LOGON-FROM-SHARE", 15)],
                 ("user", None, USER_QUAL), (SANDBOX_EXE, LB, cmd_b),
                 (BUILD_WSB_PATH, True, r"C:\build\setup.cmd", [(r"C:\Users\k.tanaka\Projects\build", r"C:\build", False)]),
                 [(r.t[r"B:301:C:\Users\k.tanaka\Projects\build"], r"C:\Users\k.tanaka\Projects\build", False)],
                 [(r.t["B:2500"], r"C:\build\setup.cmd", "WDAGUtilityAccount")],
                 [(r.t["B:232"], "nic-connected"), (r.t["B:234"], "nic-disconnected")], [])
    return dict(files=files, expected={"sessions": [sa, sb], "not_sessions": []}, rec=r, vm=(VA, VB), launcher=(LA, LB),
                cmd=(cmd_a, cmd_b))


# ================================================================ 4. no_security_log
def no_security_log():
    r = Rec()
    VM = "8B3F6D20-E5C1-4A97-B2D8-4C0E7A9F1B35"
    NIC, PORT = "9C1E3B5D-7F9A-4C1E-B3D5-F7A9C1E3B5D7", "B5D7F9A1-C3E5-4B7D-9F1A-3C5E7B9D1F3A"
    VMWP = 0x1F44
    d = "2025-02-06 "
    sandbox_start(r, "", d, "13:40:21", VM, VMWP, NIC, PORT, 0xA1B2C3,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021")], vmwp_4688=False, logon=False)
    create_process(r, "2500", d + "13:40:35.2230118", VM, 4020, r"explorer.exe C:\Users\WDAGUtilityAccount\Desktop",
                   "WDAGUtilityAccount", form="UserData")
    sandbox_stop(r, "", d, "14:02:55", VM, VMWP, NIC, PORT, kind="closed", vmwp_4689=False)
    s = session(VM, r.t["2000"], r.t["234"], "low", "benign-looking", [("ST-NET-ON", 5)], NO_TRIGGER, NO_LAUNCHER,
                None, [], [(r.t["2500"], r"explorer.exe C:\Users\WDAGUtilityAccount\Desktop", "WDAGUtilityAccount")],
                [(r.t["232"], "nic-connected"), (r.t["234"], "nic-disconnected")], ["launcher", "security"])
    return dict(files={}, expected={"sessions": [s], "not_sessions": []}, rec=r, vm=VM)


# ================================================================ 5. auditing_off
def auditing_off():
    r = Rec()
    VM = "F19C4E7A-3B62-4D05-8EA1-6C2D9B7F0E48"
    NIC, PORT = "D1F3A5C7-E9B1-4D3F-A5C7-E9B1D3F5A7C9", "E3A5C7E9-B1D3-4F5A-C7E9-B1D3F5A7C9E1"
    VMWP = 0x2E18
    d = "2025-02-07 "
    g.user_logon(d, BOOT, "08:12:40")          # logon auditing is on: the user's 4624/4672 are there
    sandbox_start(r, "", d, "08:31:09", VM, VMWP, NIC, PORT, 0xB4C5D6,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021")], vmwp_4688=False)
    create_process(r, "2500", d + "08:31:24.7781205", VM, 3388, "explorer.exe", "WDAGUtilityAccount")
    sandbox_stop(r, "", d, "08:58:30", VM, VMWP, NIC, PORT, kind="closed", vmwp_4689=False)
    security = [("2024-06-21T02:15:20.0000000Z", "Policy", []),
                ("2025-01-20T03:44:09.1180223Z", r"Policy\PolAdtEv", [g.reg_hex("@", poladtev(0, 0, 0), 0)])]
    files = {"C/Windows/System32/config/SECURITY.hive.reg": g.hive(r"HKEY_LOCAL_MACHINE\SECURITY", security)}
    s = session(VM, r.t["2000"], r.t["234"], "low", "benign-looking", [("ST-NET-ON", 5)], NO_TRIGGER, NO_LAUNCHER,
                None, [], [(r.t["2500"], "explorer.exe", "WDAGUtilityAccount")],
                [(r.t["232"], "nic-connected"), (r.t["234"], "nic-disconnected")], ["launcher", "auditing"])
    return dict(files=files, expected={"sessions": [s], "not_sessions": []}, rec=r, vm=VM)


# ================================================================ 6. wsb_cli_24h2
WSB_EXE = r"C:\Program Files\WindowsApps\MicrosoftWindows.WindowsSandbox_0.8.107.0_x64__cw5n1h2txyewy\wsb.exe"
INLINE = (r"<Configuration><Networking>Enable</Networking><MappedFolders><MappedFolder>"
          r"<HostFolder>C:\Users\k.tanaka\Downloads</HostFolder><SandboxFolder>C:\Downloads</SandboxFolder>"
          r"<ReadOnly>true</ReadOnly></MappedFolder></MappedFolders></Configuration>")


def wsb_cli_24h2():
    r = Rec()
    VM = "6D2A9E4B-0F73-4C18-A5B6-E8D1C3F70A29"
    NIC, PORT = "F5A7C9E1-B3D5-4F7A-9C1E-3B5D7F9A1C3E", "A7C9E1B3-D5F7-4A9C-8E1B-3D5F7A9C1E3B"
    P_START, P_EXEC, P_SHARE, VMWP = 0x3318, 0x33F0, 0x34A8, 0x3520
    d = "2025-02-08 "
    cmd_start = 'wsb.exe start --config "%s"' % INLINE
    cmd_exec = "wsb.exe exec --id %s -c cmd.exe -r System" % VM
    cmd_share = r"wsb.exe share --id %s -f C:\Users\Public -s C:\Share --allow-write" % VM
    g.user_logon(d, BOOT, "02:03:11")
    user_proc(d + "02:03:12.3921447", g.EXPLORER[BOOT], EXPLORER_EXE, g.USERINIT[BOOT], r"C:\Windows\Explorer.EXE",
              r"C:\Windows\System32\userinit.exe")
    # the user types the commands into Run (Win+R): parent explorer.exe
    user_proc(r("L4688", d + "02:20:00.5120334"), P_START, WSB_EXE, g.EXPLORER[BOOT], cmd_start, EXPLORER_EXE)
    sandbox_start(r, "", d, "02:20:04", VM, VMWP, NIC, PORT, 0xC7D8E9,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021"),
                   (r"C:\Users\k.tanaka\Downloads", "0x1001021")])
    user_exit(r("L4689", d + "02:20:12.0021194"), P_START, WSB_EXE)
    user_proc(r("X4688", d + "02:22:41.1047782"), P_EXEC, WSB_EXE, g.EXPLORER[BOOT], cmd_exec, EXPLORER_EXE)
    create_process(r, "2500", d + "02:22:41.4913360", VM, 6120, "cmd.exe", "System", existing=False)
    user_exit(d + "02:22:42.4452276", P_EXEC, WSB_EXE)
    user_proc(r("S4688", d + "02:24:05.6610223"), P_SHARE, WSB_EXE, g.EXPLORER[BOOT], cmd_share, EXPLORER_EXE)
    g.vsmb301(r(r"301:C:\Users\Public", d + "02:24:06.3104418"), VM, VMWP, r"C:\Users\Public", "0x1001020")
    user_exit(d + "02:24:06.9452276", P_SHARE, WSB_EXE)
    sandbox_stop(r, "", d, "07:15:40", VM, VMWP, NIC, PORT, kind="shutdown")
    g.kg13(d + "07:15:52.1123380", BOOT)
    findings = [("ST-NET-ON", 5), ("ST-CLI-EXEC-SYSTEM", 20), ("ST-CLI-SHARE-WRITE", 15), ("ST-WSB-WRITE-PROFILE", 30)]
    s = session(VM, r.t["2000"], r.t["234"], "medium", "malicious", findings,
                ("user", None, USER_QUAL), (WSB_EXE, P_START, cmd_start),
                (None, True, None, [(r"C:\Users\k.tanaka\Downloads", r"C:\Downloads", True)]),
                [(r.t[r"301:C:\Users\k.tanaka\Downloads"], r"C:\Users\k.tanaka\Downloads", True),
                 (r.t[r"301:C:\Users\Public"], r"C:\Users\Public", False)],
                [(r.t["2500"], "cmd.exe", "System")],
                [(r.t["232"], "nic-connected"), (r.t["234"], "nic-disconnected")], [])
    return dict(files={}, expected={"sessions": [s], "not_sessions": []}, rec=r, vm=VM, launcher=P_START,
                cmds=(cmd_start, cmd_exec, cmd_share))


# ================================================================ 7. classic_vm
def classic_vm():
    r = Rec()
    VM = "0A7E3C5D-9B14-4E62-8F2A-C6D1B7E3F904"
    NAME = "Windows Server 2022 Lab"
    NIC, PORT = "C9E1B3D5-F7A9-4C1E-B3D5-F7A9C1E3B5D7", "E1B3D5F7-A9C1-4E3B-95D7-F9A1C3E5B7D9"
    d1, d2 = "2025-02-09 ", "2025-02-10 "
    ud = ['<VmlEventLog xmlns="%s">' % g.VML_NS, "  <VmName>%s</VmName>" % NAME, "  <VmId>%s</VmId>" % VM,
          "</VmlEventLog>"]
    g.add(F_VMMS4, T(r("13002", d1 + "05:10:44.3310047")), "Microsoft-Windows-Hyper-V-VMMS", 13002,
          guid="{6066F867-7CA1-4418-85FD-36E3F9C0600C}", level=4, keywords="0x8000000000000000",
          pid=g.VMMS_PID[BOOT], tid=4480, channel="Microsoft-Windows-Hyper-V-VMMS-Admin", user=g.USER_SID, userdata=ud)
    for day, t0, t1, lid, vmwp in ((d1, "05:12:02", "06:40:31", 0x5E6F70, 0x2F60), (d2, "01:30:15", "03:02:48", 0x3A4B5C, 0x27BC)):
        if day == d2:
            g.kg12(d2 + "01:20:07.2041188", d2 + "01:20:07.1000000", BOOT)
        g.VMLOGON[VM] = lid
        g.vm_logon(day + t0, BOOT, VM)
        g.vmwp_start(day + t0 + ".4402271", BOOT, VM, vmwp)
        g.worker_admin(day + t0[:-2] + "%02d.7730015" % (int(t0[-2:]) + 2), 18500, VM, NAME, vmwp)
        g.vmswitch(day + t0[:-2] + "%02d.1022846" % (int(t0[-2:]) + 3), 232, VM, NIC, PORT)
        g.worker_admin(day + t1 + ".6613302", 18504, VM, NAME, vmwp, extra=(("Force", "False"), ("Reason", "")))
        g.vmswitch(day + t1 + ".7045512", 234, VM, NIC, PORT)
        g.vmwp_exit(day + t1 + ".9420187", BOOT, vmwp)
        if day == d1:
            g.kg13(d1 + "07:00:21.0032277", BOOT)
    return dict(files={}, expected={"sessions": [], "not_sessions": [VM]}, rec=r, vm=VM, name=NAME)


# ================================================================ 8. end_missing
def end_missing():
    r = Rec()
    VM = "C3B58E12-6F4A-4D07-91E8-2A5F0D7C6B3E"
    NIC, PORT = "B3D5F7A9-C1E3-4B5D-A7F9-C1E3B5D7F9A1", "D5F7A9C1-E3B5-4D7F-89C1-E3B5D7F9A1C3"
    LAUNCHER, CLIENT, VMWP = 0x1E90, 0x1F0C, 0x1FA8
    d, d2 = "2025-02-11 ", "2025-02-11 "
    g.user_logon(d, BOOT, "06:00:12")
    user_proc(d + "06:00:13.3921447", g.EXPLORER[BOOT], EXPLORER_EXE, g.USERINIT[BOOT], r"C:\Windows\Explorer.EXE",
              r"C:\Windows\System32\userinit.exe")
    user_proc(r("L4688", d + "06:41:50.4120556"), LAUNCHER, SANDBOX_EXE, g.EXPLORER[BOOT], '"%s"' % SANDBOX_EXE,
              EXPLORER_EXE)
    user_proc(d + "06:41:51.0203347", CLIENT, CLIENT_EXE, LAUNCHER, '"%s"' % CLIENT_EXE, SANDBOX_EXE)
    # NIC attached before 2001 here, so the session's last record of any kind is Compute 2001
    sandbox_start(r, "", d, "06:41:53", VM, VMWP, NIC, PORT, 0xD1E2F3,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021")], net_before_2001=True)
    # power loss: nothing more from this boot; the next boot logs Kernel-General 12 and Kernel-Power 41
    g.kg12(d2 + "08:15:31.2041188", d2 + "08:15:31.1000000", BOOT)
    kernel_power_41(r("41", d2 + "08:15:33.0102255"))
    s = session(VM, r.t["2000"], r.t["2001"], "medium", "benign-looking", [("ST-NET-ON", 5)],
                ("user", None, USER_QUAL), (SANDBOX_EXE, LAUNCHER, '"%s"' % SANDBOX_EXE), None, [], [],
                [(r.t["232"], "nic-connected")], ["end"])
    return dict(files={}, expected={"sessions": [s], "not_sessions": []}, rec=r, vm=VM, launcher=LAUNCHER)


# ================================================================ task definitions (§4.1)
def task_xml(uri, trigger, principal, hidden, command, arguments):
    """A task file as the Task Scheduler writes it (UTF-16 declaration; stforge writes UTF-16LE + BOM)."""
    return g.crlf([
        '<?xml version="1.0" encoding="UTF-16"?>',
        '<Task version="1.4" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
        '  <RegistrationInfo>',
        '    <Date>2025-02-10T16:41:09</Date>',
        '    <Author>%s</Author>' % USER_QUAL,
        '    <URI>%s</URI>' % g.escape(uri),
        '  </RegistrationInfo>',
        '  <Triggers>', '    ' + trigger, '  </Triggers>',
        '  <Principals>', '    <Principal id="Author">', '      <UserId>%s</UserId>' % principal,
        '      <LogonType>InteractiveToken</LogonType>', '      <RunLevel>LeastPrivilege</RunLevel>',
        '    </Principal>', '  </Principals>',
        '  <Settings>', '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
        '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
        '    <AllowStartOnDemand>true</AllowStartOnDemand>', '    <Enabled>true</Enabled>',
        '    <Hidden>%s</Hidden>' % ("true" if hidden else "false"),
        '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>', '  </Settings>',
        '  <Actions Context="Author">', '    <Exec>', '      <Command>%s</Command>' % g.escape(command),
        '      <Arguments>%s</Arguments>' % g.escape(arguments), '    </Exec>', '  </Actions>',
        '</Task>'])


def logon_trigger():
    return "<LogonTrigger><Enabled>true</Enabled><UserId>%s</UserId></LogonTrigger>" % USER_QUAL


def log_cleared_1102(t, logon_id):
    """Security 1102 (provider Eventlog, UserData LogFileCleared), shaped as the corpus sample (§1.1)."""
    ud = ['<LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">',
          "  <SubjectUserSid>%s</SubjectUserSid>" % g.USER_SID, "  <SubjectUserName>%s</SubjectUserName>" % g.USER,
          "  <SubjectDomainName>%s</SubjectDomainName>" % g.HOST,
          "  <SubjectLogonId>0x%016x</SubjectLogonId>" % logon_id, "</LogFileCleared>"]
    g.add(g.F_SEC, T(t), "Microsoft-Windows-Eventlog", 1102, guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}",
          level=4, task=104, keywords="0x4020000000000000", pid=g.LSASS[BOOT] + 380, tid=6576, channel="Security",
          userdata=ud)


def quoted_command(command, arguments):
    """The launcher's command line as the task definition gives it: "Command" Arguments (§6.3)."""
    return '"%s" %s' % (command, arguments)


# ================================================================ 9. task_security_cleared
TASK_CLEARED = r"\Microsoft\Windows\PLA\SystemCacheSync"
CLEARED_WSB_PATH = r"C:\ProgramData\Microsoft\PLA\Cache\sync.wsb"
CLEARED_LOGON = r"C:\Sync\Public\Libraries\sync.bat"
CLEARED_WSB = g.crlf([
    "<Configuration>",
    "  <Networking>Enable</Networking>",
    "  <MappedFolders>",
    "    <MappedFolder>",
    "      <HostFolder>C:\\Users</HostFolder>",
    "      <SandboxFolder>C:\\Sync</SandboxFolder>",
    "      <ReadOnly>false</ReadOnly>",
    "    </MappedFolder>",
    "  </MappedFolders>",
    "  <LogonCommand>",
    "    <Command>%s</Command>" % CLEARED_LOGON,
    "  </LogonCommand>",
    "</Configuration>"]) + "\r\n"
CLEARED_BAT = g.crlf(["@echo off", "cd /d C:\\Sync\\Public\\Libraries", "start /b svc.exe"]) + "\r\n"


def task_security_cleared():
    """Issue 10 class 2: the Security log holds only its 1102; Task Scheduler names the task and the
    process it created (129 Path / ProcessID = 200 EnginePID); the task file names the .wsb."""
    r = Rec()
    VM = "4E9A2C71-B8D3-4F05-A6E2-91C7D3B5F048"
    NIC, PORT = "2A4C6E8F-0B1D-4F3A-9C5E-7A9B1D3F5C7E", "4C6E8A0D-2F4B-4D6E-8A0C-2E4F6A8C0D2F"
    LAUNCHER, VMWP = 0x1A94, 0x1B20
    INSTANCE = "{6B8D0F2A-4C6E-4A8B-9D1F-3A5C7E9B1D3F}"
    d0, d = "2025-02-10 ", "2025-02-12 "
    g.ts(d0 + "07:41:09.5522318", 106, BOOT, "TaskRegisteredEvent", [D("TaskName", TASK_CLEARED), D("UserContext", USER_QUAL)])
    # the user logs on (no Security record survives); the LogonTrigger fires (119 -> 129 -> 100 -> 200, §1.3);
    # as in the corpus run, the 129 carries no ActivityID and precedes the 100
    g.ts(r("119", d + "08:05:41.2201338"), 119, BOOT, "TaskTriggeredOnLogon",
         [D("TaskName", TASK_CLEARED), D("UserName", USER_QUAL), D("InstanceId", INSTANCE, "GUID")], activity=INSTANCE)
    g.ts(r("129", d + "08:05:41.7130556"), 129, BOOT, "CreatedTaskProcess",
         [D("TaskName", TASK_CLEARED), D("Path", SANDBOX_EXE), D("ProcessID", str(LAUNCHER), "UInt32"),
          D("Priority", "16384", "UInt32")])
    g.ts(r("100", d + "08:05:41.7135012"), 100, BOOT, "TaskStartEvent",
         [D("TaskName", TASK_CLEARED), D("UserContext", USER_QUAL), D("InstanceId", INSTANCE, "GUID")],
         opcode=1, keywords="0x8000000000000001", activity=INSTANCE)
    g.ts(r("200", d + "08:05:41.7135390"), 200, BOOT, "ActionStart",
         [D("TaskName", TASK_CLEARED), D("ActionName", SANDBOX_EXE), D("TaskInstanceId", INSTANCE, "GUID"),
          D("EnginePID", str(LAUNCHER), "UInt32")], version=1, opcode=1, activity=INSTANCE)
    sandbox_start(r, "", d, "08:05:45", VM, VMWP, NIC, PORT, 0xA4B5C6,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021"), (r"C:\Users", "0x1001020")],
                  vmwp_4688=False, logon=False)
    create_process(r, "2500", d + "08:05:58.3310021", VM, 3916, CLEARED_LOGON, "WDAGUtilityAccount")
    sandbox_stop(r, "", d, "09:12:30", VM, VMWP, NIC, PORT, kind="closed", vmwp_4689=False)
    g.task_end(BOOT, TASK_CLEARED, INSTANCE, SANDBOX_EXE, LAUNCHER, USER_QUAL, d + "09:12:31.0402217",
               d + "09:12:31.0519930")
    # then the user clears the Security log: its only record
    log_cleared_1102(r("1102", d + "09:20:04.5521880"), g.ULOGON[BOOT][0])
    task_file = task_xml(TASK_CLEARED, logon_trigger(), g.USER_SID, False, SANDBOX_EXE, CLEARED_WSB_PATH)
    files = {"C/Windows/System32/Tasks/Microsoft/Windows/PLA/SystemCacheSync.utf16": task_file,
             "C/ProgramData/Microsoft/PLA/Cache/sync.wsb": CLEARED_WSB,
             "C/Users/Public/Libraries/sync.bat": CLEARED_BAT}
    findings = [("ST-TRIG-TASK", 30), ("ST-TRIG-BOOT", 10), ("ST-WSB-WRITE-PROFILE", 30), ("ST-WSB-LOGON-SCRIPT", 20),
                ("ST-WSB-LOGON-FROM-SHARE", 15), ("ST-NET-ON", 5), ("ST-WSB-ODD-PLACE", 10), ("ST-LOG-CLEARED", 20)]
    s = session(VM, r.t["2000"], r.t["234"], "high", "malicious", findings,
                ("task", TASK_CLEARED, USER_QUAL),
                (SANDBOX_EXE, LAUNCHER, quoted_command(SANDBOX_EXE, CLEARED_WSB_PATH)),
                (CLEARED_WSB_PATH, True, CLEARED_LOGON, [(r"C:\Users", r"C:\Sync", False)]),
                [(r.t[r"301:C:\Users"], r"C:\Users", False)],
                [(r.t["2500"], CLEARED_LOGON, "WDAGUtilityAccount")],
                [(r.t["232"], "nic-connected"), (r.t["234"], "nic-disconnected")], ["cleared", "4688"])
    return dict(files=files, expected={"sessions": [s], "not_sessions": []}, rec=r, vm=VM, launcher=LAUNCHER)


# ================================================================ 10. wsb_alias_task
TASK_ALIAS = r"\OneDrive Sync Helper"
WSB_ALIAS = r"C:\Users\k.tanaka\AppData\Local\Microsoft\WindowsApps\wsb.exe"
SERVER_EXE = WSB_EXE.replace("wsb.exe", "WindowsSandboxServer.exe")
ALIAS_LOGON = r"C:\h\AppData\Roaming\Microsoft\Sync\update.cmd"
ALIAS_INLINE = (r"<Configuration><Networking>Enable</Networking><MappedFolders><MappedFolder>"
                r"<HostFolder>C:\Users\k.tanaka</HostFolder><SandboxFolder>C:\h</SandboxFolder>"
                r"<ReadOnly>false</ReadOnly></MappedFolder></MappedFolders>"
                r"<LogonCommand><Command>%s</Command></LogonCommand></Configuration>" % ALIAS_LOGON)
ALIAS_ARGUMENTS = 'start --config "%s"' % ALIAS_INLINE
DCOMLAUNCH_SVCHOST = 0x378


def wsb_alias_task():
    """Issue 10 class 3: a logon task runs the wsb.exe App Execution Alias with an inline --config;
    Process Creation auditing on, command lines off; no Task Scheduler log (channel off by default)."""
    r = Rec()
    VM = "9D4B7E20-1C6A-4F83-B5D9-E2A8C4F60B17"
    NIC, PORT = "6E8A0C2E-4B6D-4F8A-A0C2-E4B6D8F0A2C4", "8A0C2E4B-6D8F-4A0C-92E4-B6D8F0A2C4E6"
    P_WSB, P_SERVER, VMWP = 0x2F14, 0x2F5C, 0x3044
    d = "2025-02-13 "
    g.user_logon(d, BOOT, "07:58:20")
    # command-line auditing off: every 4688 has an empty CommandLine
    user_proc(d + "07:58:21.3921447", g.EXPLORER[BOOT], EXPLORER_EXE, g.USERINIT[BOOT], "",
              r"C:\Windows\System32\userinit.exe")
    # the LogonTrigger fires: the Schedule service starts the alias, which runs the package's wsb.exe
    user_proc(r("W4688", d + "07:58:52.1140227"), P_WSB, WSB_EXE, g.SCHED_SVCHOST[BOOT], "",
              r"C:\Windows\System32\svchost.exe")
    # wsb.exe asks the per-user broker (a COM server: parent the DcomLaunch svchost) to start the VM
    user_proc(r("S4688", d + "07:58:52.6620118"), P_SERVER, SERVER_EXE, DCOMLAUNCH_SVCHOST, "",
              r"C:\Windows\System32\svchost.exe")
    sandbox_start(r, "", d, "07:58:55", VM, VMWP, NIC, PORT, 0xE5F607,
                  [(BASE_SHARES[0], "0x1001021"), (BASE_SHARES[1], "0x1001021"), (r"C:\Users\k.tanaka", "0x1001020")],
                  vmwp_4688=False)
    g.s4688(d + "07:58:58.4410226", BOOT, 3012, g.SUBJ_SYSTEM, VMWP, r"C:\Windows\System32\vmwp.exe", "%%1936",
            g.VMCOMPUTE[BOOT], "", r"C:\Windows\System32\vmcompute.exe", g.SYS_LABEL,
            target=(g.vm_sid(VM), VM, "NT VIRTUAL MACHINE", 0xE5F607))
    user_exit(d + "07:59:03.0021194", P_WSB, WSB_EXE)
    create_process(r, "2500", d + "07:59:09.4410227", VM, 5012, ALIAS_LOGON, "WDAGUtilityAccount")
    sandbox_stop(r, "", d, "11:40:12", VM, VMWP, NIC, PORT, kind="shutdown")
    user_exit(d + "11:40:12.9452276", P_SERVER, SERVER_EXE)
    g.kg13(d + "11:40:21.1123380", BOOT)
    security = [("2024-06-21T02:15:20.0000000Z", "Policy", []),
                ("2025-01-20T03:44:09.1180223Z", r"Policy\PolAdtEv", [g.reg_hex("@", poladtev(1, 1, 0), 0)])]
    # the CurrentVersion key makes it a SOFTWARE hive (no build value: the PolAdtEv layout goes by size)
    software = [("2024-06-21T02:15:20.0000000Z", r"Microsoft\Windows NT\CurrentVersion", []),
                ("2024-10-01T01:00:12.3412871Z", r"Microsoft\Windows\CurrentVersion\Policies\System\Audit",
                 [g.reg_dword("ProcessCreationIncludeCmdLine_Enabled", 0)])]
    task_file = task_xml(TASK_ALIAS, logon_trigger(), USER_QUAL, True, WSB_ALIAS, ALIAS_ARGUMENTS)
    files = {"C/Windows/System32/Tasks/OneDrive Sync Helper.utf16": task_file,
             "C/Windows/System32/config/SECURITY.hive.reg": g.hive(r"HKEY_LOCAL_MACHINE\SECURITY", security),
             "C/Windows/System32/config/SOFTWARE.hive.reg": g.hive(r"HKEY_LOCAL_MACHINE\SOFTWARE", software)}
    findings = [("ST-TRIG-TASK", 30), ("ST-TRIG-BOOT", 10), ("ST-WSB-WRITE-PROFILE", 30), ("ST-WSB-LOGON-SCRIPT", 20),
                ("ST-WSB-LOGON-FROM-SHARE", 15), ("ST-NET-ON", 5), ("ST-TASK-HIDDEN", 20)]
    s = session(VM, r.t["2000"], r.t["234"], "medium", "malicious", findings,
                ("task", TASK_ALIAS, USER_QUAL), (WSB_EXE, P_WSB, quoted_command(WSB_ALIAS, ALIAS_ARGUMENTS)),
                (None, True, ALIAS_LOGON, [(r"C:\Users\k.tanaka", r"C:\h", False)]),
                [(r.t[r"301:C:\Users\k.tanaka"], r"C:\Users\k.tanaka", False)],
                [(r.t["2500"], ALIAS_LOGON, "WDAGUtilityAccount")],
                [(r.t["232"], "nic-connected"), (r.t["234"], "nic-disconnected")], ["command line"])
    return dict(files=files, expected={"sessions": [s], "not_sessions": []}, rec=r, vm=VM, launcher=P_WSB)


# ================================================================ writing
def write_scenario(name, build):
    g.EVENTS.clear()
    res = build()
    out = os.path.join(HERE, name, "case")
    if os.path.isdir(out):
        shutil.rmtree(out)
    groups = {}
    for ev in g.EVENTS:
        groups.setdefault(ev.file, []).append(ev)
    counts = {}
    for fname, evs in sorted(groups.items()):
        evs.sort(key=lambda e: g.key(e.t))
        ks = [g.key(e.t) for e in evs]
        assert all(a < b for a, b in zip(ks, ks[1:])), "%s/%s: times must increase" % (name, fname)
        rid = FIRST_RID[fname]
        body = []
        for e in evs:
            body.append(g.render(e, rid))
            rid += 1
        counts[os.path.basename(fname).replace(".evtx.xml", ".evtx")] = (FIRST_RID[fname], rid - 1)
        text = '<?xml version="1.0" encoding="utf-8"?>\n<Events xmlns:forge="urn:sandtrace:forge">\n' + \
            "\n".join(body) + "\n</Events>\n"
        res["files"][fname] = text
    for rel, data in sorted(res["files"].items()):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    with open(os.path.join(HERE, name, "expected.json"), "w", encoding="utf-8", newline="\n") as fh:
        json.dump(res["expected"], fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    res["counts"] = counts
    res["events"] = sorted(g.EVENTS, key=lambda e: (e.file, g.key(e.t)))
    return res


BUILDERS = [("mirrorface_chain", mirrorface_chain), ("benign_user", benign_user), ("overlapping", overlapping),
            ("no_security_log", no_security_log), ("auditing_off", auditing_off), ("wsb_cli_24h2", wsb_cli_24h2),
            ("classic_vm", classic_vm), ("end_missing", end_missing),
            ("task_security_cleared", task_security_cleared), ("wsb_alias_task", wsb_alias_task)]


def main():
    results = {}
    for name, build in BUILDERS:
        results[name] = write_scenario(name, build)
    # the file list of each scenario, for README.md (the prose itself is maintained in README.md)
    with open(os.path.join(HERE, "FILES.md"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("# Scenario files (written by gen_scenarios.py)\n\n")
        for name, res in results.items():
            fh.write("## %s\n\n| file | records (ids) |\n| --- | --- |\n" % name)
            for rel in sorted(res["files"]):
                c = res["counts"].get(os.path.basename(rel).replace(".evtx.xml", ".evtx"))
                fh.write("| `case/%s` | %s |\n" % (rel, "%d (%d-%d)" % (c[1] - c[0] + 1, c[0], c[1]) if c else "-"))
            fh.write("\n")


if __name__ == "__main__":
    main()
