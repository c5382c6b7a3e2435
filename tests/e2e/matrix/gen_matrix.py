#!/usr/bin/python3
"""gen_matrix.py - the variant matrix over the bundled story (issue 10, "A variant matrix that proves it").

Every variant is the bundled case (testdata/tools/gen_case.py: the malicious run MAL, VM E7A13C52-...,
the benign run BEN, VM 2B9D6F14-..., the classic VM UBU) changed along one or more axes:

  removal   a log removed, Security cleared (only a 1102 left), Hyper-V channels rolled over, process-
            creation auditing off (no 4688/4689), command-line auditing off (4688 without CommandLine)
  layout    2500 in EventData / UserData, its Parameter1 as the NPA's invalid JSON, valid JSON, valid JSON
            with extra keys; 301 in EventData / UserData VmlEventLog; the VM logon 4624 as v0..v3
  launcher  23H2 WindowsSandbox.exe file.wsb (the story), 24H2 wsb.exe start --config "<Configuration>..."
            through the App Execution Alias path or the package path, with `wsb exec --run-as System` and
            `wsb share` (--allow-write, -w, --allow-write=false)
  story     two and three overlapping sessions, power loss, still running at collection, a container

Each variant carries its expected sessions, computed HERE from the variant's own records and from the
degradation rules below (one comment per rule, citing METHOD.md), never from running sandtrace.
Times, shares, commands and network are computed from the records left in the variant; trigger,
launcher, configuration, confidence and findings from explicit rules over which evidence is left.

Imported by check_matrix.py (which forges, ingests and compares); run alone it prints the variant list:

    /usr/bin/python3 tests/e2e/matrix/gen_matrix.py [--json]

Deterministic: no clock, no randomness.
"""
import copy
import datetime
import hashlib
import importlib.util
import json
import os
import re
import struct
import sys
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

_argv, sys.argv = sys.argv, [sys.argv[0]]
_spec = importlib.util.spec_from_file_location("gen_case", os.path.join(ROOT, "testdata", "tools", "gen_case.py"))
g = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(g)          # builds the bundled timeline in g.EVENTS (not written anywhere)
sys.argv = _argv

D = g.D
BASE_EVENTS = list(g.EVENTS)
MAL, BEN, UBU = g.VM_MAL, g.VM_BEN, g.VM_UBU
F_SEC, F_SYS, F_TS, F_HCS, F_WADM, F_WOPS, F_VMMS = g.F_SEC, g.F_SYS, g.F_TS, g.F_HCS, g.F_WADM, g.F_WOPS, g.F_VMMS
HYPERV_FILES = (F_HCS, F_WADM, F_WOPS)
INTERNAL_SHARE = r"C:\ProgramData\Microsoft\Windows\Containers" + "\\"
WSB_REL = "C/Windows/System32/MaintenanceSync.wsb"
TASK_REL = "C/Windows/System32/Tasks/Microsoft/Windows/Maintenance/MaintenanceSync.utf16"
SOFTWARE_REL = "C/Windows/System32/config/SOFTWARE.hive.reg"
SECURITY_REL = "C/Windows/System32/config/SECURITY.hive.reg"
SYSTEM_REL = "C/Windows/System32/config/SYSTEM.hive.reg"
PKG_DIR = r"C:\Program Files\WindowsApps\MicrosoftWindows.WindowsSandbox_0.8.107.0_x64__cw5n1h2txyewy"
WSB_PKG = PKG_DIR + r"\wsb.exe"
WSB_ALIAS = r"C:\Users\k.tanaka\AppData\Local\Microsoft\WindowsApps\wsb.exe"
INLINE = ("<Configuration><Networking>Enable</Networking><MappedFolders><MappedFolder><HostFolder>C:\\Users"
          "</HostFolder><SandboxFolder>%s</SandboxFolder><ReadOnly>false</ReadOnly></MappedFolder></MappedFolders>"
          "<LogonCommand><Command>%s</Command></LogonCommand></Configuration>" % (g.SANDBOX_SHARE_ROOT, g.LOGON_COMMAND))
MAL_FINDINGS = [("ST-TRIG-TASK", 30), ("ST-TRIG-SYSTEM", 20), ("ST-TRIG-BOOT", 10), ("ST-WSB-WRITE-PROFILE", 30),
                ("ST-WSB-LOGON-SCRIPT", 20), ("ST-WSB-LOGON-FROM-SHARE", 15), ("ST-NET-ON", 5),
                ("ST-TASK-HIDDEN", 20), ("ST-WSB-ODD-PLACE", 10)]


# ---------------------------------------------------------------- the variant model
class Variant:
    """One collection: its records (gen_case.Ev), its other files (text), the facts the expected
    values depend on, and the expected sessions once `expect()` has run."""

    def __init__(self):
        self.name_parts = []
        self.events = [copy.deepcopy(e) for e in BASE_EVENTS]
        # the bundled case keeps the MAL task's TaskCache keys in SOFTWARE's transaction logs; the
        # variants write one clean hive holding them (the replay is tested on the case itself)
        self.software = copy.deepcopy(g.software + g.software_log1 + g.software_log2)
        self.security = copy.deepcopy(g.security)
        self.task_xml = g.MAL_TASK_XML
        self.wsb_file = g.WSB                      # None = no .wsb on disk
        self.first_rid = dict(g.FIRST_RID)
        self.removed_files = set()
        # facts the expected values depend on (set by the axes)
        self.mal_launcher = dict(kind="23h2", image=g.SANDBOX_EXE, cmd=g.MAL_CMDLINE)
        self.cleared_at = None          # time of the Security 1102
        self.rolled_after = None        # Hyper-V channels keep only records after this time
        self.proc_audit = True
        self.cmdline_audit = True
        self.extra_sessions = []        # (vm, expected dict builder)
        self.not_sessions = [UBU]
        self.cli = []                   # extra expected effects of wsb exec/share on MAL
        self.mal_ended = True
        self.expected = None

    @property
    def name(self):
        return "/".join(self.name_parts) or "bundled"

    def evs(self, file=None, eid=None, pred=None):
        return [e for e in self.events if (file is None or e.file == file) and (eid is None or e.eid == eid)
                and (pred is None or pred(e))]

    # ------------------------------------------------------------ rendering
    def files(self):
        """rel path -> str/bytes of every source file (evtx.xml, hive.reg, .utf16, others)."""
        out = {}
        by_file = {}
        for e in self.events:
            by_file.setdefault(e.file, []).append(e)
        for fname, evs in sorted(by_file.items()):
            if fname in self.removed_files:
                continue
            evs.sort(key=lambda e: g.key(e.t))
            rid = self.first_rid.get(fname, 1)
            body = []
            for e in evs:
                body.append(g.render(e, rid))
                rid += 1
            out[fname] = ('<?xml version="1.0" encoding="utf-8"?>\n<Events xmlns:forge="urn:sandtrace:forge">\n' +
                          "\n".join(body) + ("\n" if body else "") + "</Events>\n")
        out[SOFTWARE_REL] = g.hive(r"HKEY_LOCAL_MACHINE\SOFTWARE", self.software)
        out[SYSTEM_REL] = g.hive(r"HKEY_LOCAL_MACHINE\SYSTEM", g.system)
        out[SECURITY_REL] = g.hive(r"HKEY_LOCAL_MACHINE\SECURITY", self.security)
        out[TASK_REL] = self.task_xml
        out["C/Windows/System32/Tasks" + g.OD_TASK.replace("\\", "/") + ".utf16"] = g.OD_TASK_XML
        if self.wsb_file is not None:
            out[WSB_REL] = self.wsb_file
        out["C/Users/Public/Downloads/run.bat"] = g.RUN_BAT
        out["C/Users/k.tanaka/Documents/Sandbox/DownloadsReadOnly.wsb"] = g.USER_WSB
        out["C/Users/k.tanaka/Documents/meeting-notes-2025-01-06.txt"] = g.NOTES
        return out


def field(e, name):
    for n, v, _ in e.data or []:
        if n == name:
            return v
    for line in e.userdata or []:
        m = re.search(r"<%s>(.*)</%s>" % (name, name), line)
        if m:
            return m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return None


def set_field(e, name, value):
    if e.data is not None and e.userdata is None:
        e.data = [(n, value if n == name else v, t) for n, v, t in e.data]
    else:
        e.userdata = [re.sub(r"<%s>.*</%s>" % (name, name), lambda m: "<%s>%s</%s>" % (name, g.escape(value), name), l)
                      for l in e.userdata]


def ft(t):
    return g.filetime(t)


def T(s):
    return g.T(s)


def names_vm(e, vm):
    """Does record e name VM `vm` by a strong key (§0.2, §6.1 step 1)?"""
    blob = " ".join(str(v) for _, v, _ in (e.data or [])) + " ".join(e.userdata or [])
    return vm.lower() in blob.lower() or (e.user or "") == g.vm_sid(vm)


# ---------------------------------------------------------------- VM-side values computed from records
def vm_records(v, vm):
    return [e for e in v.events if e.file not in v.removed_files and names_vm(e, vm)]


def decode_param1(text):
    """§1.10: valid JSON is decoded; invalid JSON (the NPA's raw backslashes) is read verbatim."""
    try:
        obj = json.loads(text)
        return obj.get("CommandLine"), obj.get("User")
    except ValueError:
        cl = re.search(r'"CommandLine"\s*:\s*"(.*?)"\s*,\s*"', text).group(1)
        us = re.search(r'"User"\s*:\s*"(.*?)"', text).group(1)
        return cl, us


def vm_side(v, vm, wsb_folders):
    """start, end, shares, commands, network and the end's provenance, from the records left (§6.1 step 2,
    scenarios README conventions). wsb_folders: host path -> read_only from the known configuration."""
    recs = vm_records(v, vm)
    starts, ends = [], []
    shares, commands, network = [], [], []
    logon_ids = set()
    for e in recs:
        if e.file == F_SEC and e.eid == 4624 and field(e, "TargetUserName") == vm:
            starts.append(e.t)
            logon_ids.add(int(field(e, "TargetLogonId"), 16))
        elif e.file == F_HCS and e.eid in (2000, 2001):
            starts.append(e.t)
        elif e.file == F_WADM and e.eid == 18500:
            starts.append(e.t)
        elif e.file == F_WOPS and e.eid == 301:
            starts.append(e.t)
            path = field(e, "SharePath")
            if not path.startswith(INTERNAL_SHARE):        # §7: base-image shares are context only
                shares.append((e.t, path, wsb_folders.get(path.lower())))
        if e.file == F_HCS and e.eid in (2002, 2003):
            ends.append(e.t)
        elif e.file == F_WADM and e.eid in (18502, 18504, 18508):
            ends.append(e.t)
        elif e.file == F_SYS and e.eid in (232, 234):
            network.append((e.t, "nic-connected" if e.eid == 232 else "nic-disconnected"))
            if e.eid == 234:
                ends.append(e.t)
        elif e.file == F_HCS and e.eid == 2500:
            cl, us = decode_param1(field(e, "Parameter1"))
            commands.append((e.t, cl, us))
    for e in v.evs(F_SEC, 4634):
        if e.file not in v.removed_files and int(field(e, "TargetLogonId"), 16) in logon_ids:
            ends.append(e.t)
    # §6.1 step 2 counts the last 2500-family record as an end; §7 (last bullet) and §6.4: with no exit
    # record the end is the session's own last linked record, flagged under `missing`.
    fam = [e.t for e in recs if e.file == F_HCS and e.eid in (2500, 2501, 2502, 2503)]
    exit_found = bool(ends)
    if fam:
        ends.append(max(fam, key=ft))
    if not ends:
        ends = [max((e.t for e in recs), key=ft)]
    key = lambda t: ft(t)
    return dict(start=min(starts, key=key) if starts else None, end=max(ends, key=key), exit_found=exit_found,
                shares=sorted(shares, key=lambda s: ft(s[0])), commands=sorted(commands, key=lambda c: ft(c[0])),
                network=sorted(network, key=lambda n: ft(n[0])))


def log_cleared(v, side):
    """ST-LOG-CLEARED (§7): a Security 1102 within the session or 24 h after it."""
    if v.cleared_at and ft(side["start"]) <= ft(v.cleared_at) <= ft(side["end"]) + 24 * 3600 * 10 ** 7:
        return [("ST-LOG-CLEARED", 20)]
    return []


def session_json(vm, side, confidence, findings, trigger, launcher, wsb, missing):
    score = sum(s for _, s in findings)
    verdict = "malicious" if score >= 60 else "suspicious" if score >= 25 else "benign-looking"   # §7
    s = {"vm_id": vm, "start": g.iso(side["start"]), "end": g.iso(side["end"]), "confidence": confidence,
         "verdict": verdict, "score": score, "trigger": trigger, "launcher": launcher}
    if wsb != "skip":
        s["wsb"] = wsb
    s.update({
        "shares": [{"time": g.iso(t), "host_path": p, "read_only": ro} for t, p, ro in side["shares"]],
        "commands": [{"time": g.iso(t), "command_line": c, "user": u} for t, c, u in side["commands"]],
        "network": [{"time": g.iso(t), "event": n} for t, n in side["network"]],
        "findings": [{"id": i, "score": sc} for i, sc in findings],
        "missing": missing})
    return s


# ---------------------------------------------------------------- expected: MAL
def has(v, file, eid, pred=None):
    return file not in v.removed_files and bool(v.evs(file, eid, pred))


def expect_mal(v):
    L = v.mal_launcher
    pid = g.MAL_LAUNCHER
    is_launcher_4688 = lambda e: int(field(e, "NewProcessId"), 16) == pid
    has_4688 = has(v, F_SEC, 4688, is_launcher_4688)
    has_129 = has(v, F_TS, 129, lambda e: field(e, "TaskName") == g.MAL_TASK)
    has_100 = has(v, F_TS, 100, lambda e: field(e, "TaskName") == g.MAL_TASK)
    has_client = has(v, F_SEC, 4688, lambda e: int(field(e, "ProcessId"), 16) == pid)
    cfg = dict(networking=True, logon=g.LOGON_COMMAND, folders=[(r"C:\Users", g.SANDBOX_SHARE_ROOT, False)])
    side = vm_side(v, MAL, {r"c:\users": False})
    rw = share_write(v)
    side["shares"] = [(t, p, (not rw if rw is not None else None) if p == r"C:\Users\Public" else ro)
                      for t, p, ro in side["shares"]]
    missing = []

    # Trigger (§6.3 "trigger -> launcher"): (1) 129/200/201 PID = launcher PID: strong, needs the
    # TaskScheduler channel; (3) launcher 4688 parent svchost.exe (Schedule) + a task definition (task XML,
    # 4698, TaskCache) whose action runs the launcher: medium.  The task definition is always on disk here.
    # trigger.user is the 100 UserContext (scenarios README convention); without the channel it is not
    # compared (a principal could be shown instead: METHOD.md does not say).
    if has_129:
        trig_strength = "strong"
    elif has_4688:
        trig_strength = "medium"
    else:
        trig_strength = None
    trigger = {"kind": "task", "task_name": g.MAL_TASK}
    if has_100:
        trigger["user"] = "NT AUTHORITY\\System"
    if trig_strength is None:
        # §6.3 row (4): only a task definition, no run record, no launcher process: weak "possible
        # trigger". Whether the session then shows the task is not fixed by METHOD.md: not compared.
        trigger = {k: trigger[k] for k in ()}

    # Launcher (§6.3): the 4688 of the launcher; without it (process auditing off, Security cleared or
    # absent) the TaskScheduler 129 image + ProcessID ("launcher evidence in their own right", last rows
    # of §6.3). Never WindowsSandboxServer/RemoteSession/Client (§5.2). The command line is compared
    # only where a 4688 with CommandLine carries it (§6.3 composes it from the task action otherwise).
    if has_4688:
        launcher = {"image": L["image"], "pid": pid}
        if v.cmdline_audit:
            launcher["command_line"] = L["cmd"]
    elif has_129:
        launcher = {"image": L["image"], "pid": pid}
    else:
        launcher = {}
        missing.append("launcher")
        if not v.proc_audit:
            missing.append("auditing")

    # Configuration (§6.3 row 1 and last rows): the .wsb the launcher names, or the inline --config
    # (path null); from the 4688 command line, or from the task action's Arguments when the 4688 has no
    # command line or is absent. Known as long as either a launcher record or the task run exists.
    if launcher or trig_strength:
        path = g.WSB_PATH if L["kind"] == "23h2" else None
        wsb = {"path": path, "networking": cfg["networking"], "logon_command": cfg["logon"],
               "mapped_folders": [{"host": h, "sandbox": s, "read_only": ro} for h, s, ro in cfg["folders"]]}
    else:
        wsb = "skip"

    # Launcher -> VM (§6.3 row 1, §6.5): strong when the configuration's MappedFolders equal the VM's 301
    # SharePath set AND its LogonCommand equals the 2500 CommandLine (row 1 says "and": with one side of the
    # comparison lost - a log removed or rolled over - the content is not shown equal); medium through the
    # client child (row 2); weak by time only.
    # "Equal" (§6.3 row 1) is exact: every user share must be a mapped folder of the configuration, or
    # one a recorded `wsb share` call added at run time (a 4688 of it, share_write(v) is not None); a
    # run-time share whose call was not recorded breaks the equality.
    explained = {r"C:\Users"} | ({r"C:\Users\Public"} if share_write(v) is not None else set())
    content_match = any(p == r"C:\Users" for _, p, _ in side["shares"]) and \
        all(p in explained for _, p, _ in side["shares"]) and \
        any(c == g.LOGON_COMMAND for _, c, _ in side["commands"])
    if not launcher:
        launch_strength = None
    elif content_match:
        launch_strength = "strong"
    elif has_client:
        launch_strength = "medium"
    else:
        launch_strength = "weak"

    # §6.4: a Hyper-V channel whose oldest record is newer than the session start says why shares and
    # commands are missing ("channel rolled over").
    if v.rolled_after and ft(v.rolled_after) > ft(T("2025-01-07 00:02:24.1150339")):
        missing.append("rolled over")
    # §7 last bullet / §6.4: no exit record -> end = own last linked record, flagged.
    if not side["exit_found"]:
        missing.append("end")

    # Session confidence (§6.5 last row, §7): high = trigger, launch, start and exit all strong; medium =
    # one of them missing or weaker; low = only VM-side records.
    strengths = [trig_strength, launch_strength, "strong" if side["start"] else None,
                 "strong" if side["exit_found"] else None]
    if trig_strength is None and launch_strength is None:
        confidence = "low"
    elif all(s == "strong" for s in strengths):
        confidence = "high"
    else:
        confidence = "medium"

    # Findings (§7). Task rules need the task as trigger (a run record or the launcher's Schedule parent);
    # configuration rules need the configuration; ST-WSB-ODD-PLACE needs a .wsb path under C:\Windows.
    findings = []
    for rid, sc in MAL_FINDINGS:
        if rid in ("ST-TRIG-TASK", "ST-TRIG-BOOT", "ST-TASK-HIDDEN", "ST-TRIG-SYSTEM") and trig_strength is None:
            continue
        if rid in ("ST-WSB-WRITE-PROFILE", "ST-WSB-LOGON-SCRIPT", "ST-WSB-LOGON-FROM-SHARE") and wsb == "skip" \
                and not side["commands"]:
            continue
        if rid == "ST-WSB-ODD-PLACE" and (wsb == "skip" or wsb["path"] is None):
            continue
        findings.append((rid, sc))
    # ST-LOG-CLEARED: Security 1102 within the session or 24 h after it (§7).
    findings += log_cleared(v, side)
    findings += cli_findings(v)
    return session_json(MAL, side, confidence, findings, trigger, launcher, wsb, missing)


# ---------------------------------------------------------------- expected: BEN and its clones
def cli_findings(v):
    """§7 ST-CLI-EXEC-SYSTEM: `wsb exec ... --run-as System` in a 4688 command line, or a 2500 of the session
    with a System user (any spelling, §7 "How the rules read"). ST-CLI-SHARE-WRITE: `wsb share ...
    --allow-write` (or -w) in a 4688 command line; `--allow-write=false` is read-only (§5.2)."""
    out = []
    sys_users = {"system", "nt authority\\system", "s-1-5-18"}
    execs = [e for e in v.evs(F_SEC, 4688) if F_SEC not in v.removed_files and
             " exec " in (field(e, "CommandLine") or "") and "--run-as system" in field(e, "CommandLine").lower()]
    users = [decode_param1(field(e, "Parameter1"))[1] for e in v.evs(F_HCS, 2500, is_mal) if F_HCS not in v.removed_files]
    if execs or any((u or "").lower() in sys_users for u in users):
        out.append(("ST-CLI-EXEC-SYSTEM", 20))
    if share_write(v) is True:
        out.append(("ST-CLI-SHARE-WRITE", 15))
    return out


def share_write(v):
    """True/False from the `wsb share` command line in a 4688, None when no such command is recorded."""
    for e in v.evs(F_SEC, 4688):
        cl = field(e, "CommandLine") or ""
        if F_SEC in v.removed_files or " share " not in cl:
            continue
        if "--allow-write=false" in cl:
            return False
        return bool(re.search(r"(^|\s)(--allow-write|-w)(\s|$)", cl))
    return None


def expect_user_session(v, vm, launcher_pid, client_pid, first_after_feature):
    """A Start-menu sandbox (BEN and its clones): no .wsb, default configuration (§5.1)."""
    has_4688 = has(v, F_SEC, 4688, lambda e: int(field(e, "NewProcessId"), 16) == launcher_pid)
    side = vm_side(v, vm, {})
    missing = []
    if has_4688:
        # §6.3 "user -> launcher": parent explorer.exe -> interactive start (medium); launcher -> VM
        # through the client child inside the window (medium). No configuration: wsb null.
        trigger = {"kind": "user", "task_name": None, "user": g.USER_QUAL}
        launcher = {"image": g.SANDBOX_EXE, "pid": launcher_pid}
        if v.cmdline_audit:
            launcher["command_line"] = '"%s"' % g.SANDBOX_EXE
        wsb = None
        confidence = "medium"
    else:
        # §6.4 "auditing off" / Security gone: launcher unknown, never "no launcher"; §6.5: only VM-side
        # records -> low. The kind is sandbox-likely (§6.6: VmName = GUID), still a session.
        trigger = {"kind": "unknown", "task_name": None, "user": None}
        launcher = {"image": None, "pid": None, "command_line": None}
        wsb = None
        confidence = "low"
        missing.append("launcher")
        if not v.proc_audit:
            missing.append("auditing")      # §6.4 "auditing off": the audit policy is the basis
    if v.rolled_after and ft(v.rolled_after) > ft(side["start"]) and \
            not any(e.file in HYPERV_FILES for e in vm_records(v, vm)):
        missing.append("rolled over")
    if not side["exit_found"]:
        missing.append("end")
    # ST-NET-ON: default networking when the launcher started without a configuration (§5.1 Default =
    # enabled), or a VmSwitch NIC connect linked by GUID (§7). With neither, nothing says networking was on.
    findings = []
    if has_4688 or any(n == "nic-connected" for _, n in side["network"]):
        findings.append(("ST-NET-ON", 5))
    # ST-FEATURE-FRESH: OptionalFeatures LastWrite within 7 days before the first session only (§7).
    if first_after_feature:
        findings.append(("ST-FEATURE-FRESH", 10))
    findings += log_cleared(v, side)
    # ST-REPEATED (§7, "the same configuration ran the sandbox repeatedly"): Start-menu launches carry no
    # configuration (no .wsb, no --config), so several of them are not a repeated configuration: never here.
    return session_json(vm, side, confidence, findings, trigger, launcher, wsb, missing)


def expect(v):
    sessions = []
    # BEN is the first session after the feature was enabled (2025-01-06T02:13:58Z); a clone in boot C
    # is not (§7 ST-FEATURE-FRESH "first session after the change only").
    sessions.append(expect_user_session(v, BEN, g.BEN_LAUNCHER, g.BEN_CLIENT, True))
    sessions.append(expect_mal(v))
    for vm, lpid, cpid in v.extra_sessions:
        sessions.append(expect_user_session(v, vm, lpid, cpid, False))
    sessions.sort(key=lambda s: s["start"])
    v.expected = {"sessions": sessions, "not_sessions": list(v.not_sessions)}
    return v


# ---------------------------------------------------------------- axis: removals (§6.4)
def is_mal(e):
    return names_vm(e, MAL)


def rm_file(fname, tag):
    def f(v):
        v.removed_files.add(fname)
        v.name_parts.append(tag)
    return f


def security_cleared(v):
    """Security cleared at the end of boot C (METHOD.md §1.1 1102, §6.4): every earlier Security record is
    gone, only the 1102 is left. §6.4: 'a VM GUID seen only in Hyper-V logs is still a session'; the task
    run records (129 Path/ProcessID = 200 EnginePID) still name the launcher (§6.3, last rows)."""
    v.events = [e for e in v.events if e.file != F_SEC]
    t = "2025-01-07 09:28:08.0100228"
    g.add(F_SEC, T(t), "Microsoft-Windows-Eventlog", 1102, guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}",
          level=4, task=104, keywords="0x4020000000000000", pid=1204, tid=4460, channel="Security",
          userdata=['<LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">',
                    "  <SubjectUserSid>%s</SubjectUserSid>" % g.USER_SID, "  <SubjectUserName>k.tanaka</SubjectUserName>",
                    "  <SubjectDomainName>PC-K01</SubjectDomainName>", "  <SubjectLogonId>0x52c44</SubjectLogonId>",
                    "</LogFileCleared>"])
    v.events.append(g.EVENTS.pop())
    v.first_rid[F_SEC] = 48288
    v.cleared_at = T(t)
    v.name_parts.append("security-cleared")


def hyperv_rolled(v):
    """The three Hyper-V channels rolled over: each keeps only records newer than 2025-01-07T01:00:00Z,
    one hour after MAL started (§6.4 first row). BEN (2025-01-06) keeps no Hyper-V record at all."""
    cut = T("2025-01-07 01:00:00.0000000")
    kept = []
    for e in v.events:
        if e.file in HYPERV_FILES and ft(e.t) < ft(cut):
            continue
        kept.append(e)
    for f in HYPERV_FILES:
        v.first_rid[f] = v.first_rid.get(f, 1) + 500
    # Worker/Operational would keep nothing: a later trace record of the classic VM (§1.5 1820-1850,
    # `[Virtual machine {VmId}] {TraceData}`) is its oldest record, newer than the session start.
    t = "2025-01-07 03:10:07.1204433"
    g.add(F_WOPS, T(t), "Microsoft-Windows-Hyper-V-Worker", 1840, guid="{51ddfa29-d5c8-4803-be4b-2ecb715570fe}",
          level=4, keywords="0x4000000000000000", pid=g.UBU_VMWP["C"], tid=g.UBU_VMWP["C"] + 44,
          channel="Microsoft-Windows-Hyper-V-Worker-Operational", user=g.vm_sid(UBU),
          data=[D("VmId", UBU), D("TraceData", "Worker process heartbeat")])
    kept.append(g.EVENTS.pop())
    v.events = kept
    v.rolled_after = cut
    v.name_parts.append("hyperv-rolled")


def proc_audit_off(v):
    """Process Creation / Termination auditing off (§3.1, §3.3): no 4688/4689 at all; PolAdtEv says so."""
    v.events = [e for e in v.events if not (e.file == F_SEC and e.eid in (4688, 4689))]
    audit = list(g.AUDIT)
    audit[33] = audit[34] = 0
    pol = struct.pack("<HHII", 0x0100, 0, 9, 0x84) + struct.pack("<59H", *audit) + struct.pack("<H", 0) + \
        struct.pack("<9H", *g.COUNTS)
    v.security = [("2024-06-21T02:15:20.0000000Z", "Policy", []),
                  ("2024-10-01T01:00:12.3601177Z", r"Policy\PolAdtEv", [g.reg_hex("@", pol, 0)])]
    v.proc_audit = False
    v.name_parts.append("no-4688")


def cmdline_off(v):
    """Command-line auditing off (§3.2): 4688 keeps its CommandLine field, empty; the policy value is 0."""
    for e in v.evs(F_SEC, 4688):
        set_field(e, "CommandLine", "")
    v.software = [(lw, k, [g.reg_dword("ProcessCreationIncludeCmdLine_Enabled", 0)] if k.endswith(r"System\Audit") else vals)
                  for lw, k, vals in v.software]
    v.cmdline_audit = False
    v.name_parts.append("no-cmdline")


REMOVALS = [
    ("none", lambda v: None),
    ("no-security", rm_file(F_SEC, "no-security")),
    ("no-system", rm_file(F_SYS, "no-system")),
    ("no-taskscheduler", rm_file(F_TS, "no-taskscheduler")),
    ("no-compute", rm_file(F_HCS, "no-compute")),
    ("no-worker-admin", rm_file(F_WADM, "no-worker-admin")),
    ("no-worker-operational", rm_file(F_WOPS, "no-worker-operational")),
    ("no-vmms", rm_file(F_VMMS, "no-vmms")),
    ("security-cleared", security_cleared),
    ("hyperv-rolled", hyperv_rolled),
    ("no-4688", proc_audit_off),
    ("no-cmdline", cmdline_off),
]


# ---------------------------------------------------------------- axis: layouts (§1.9, §1.10)
def mal_2500(v):
    return [e for e in v.evs(F_HCS) if e.eid in (2500, 2502, 2503) and is_mal(e)]


def to_userdata(e, wrapper):
    fields = [(n, val) for n, val, _ in e.data]
    e.userdata = ['<%s xmlns="%s">' % (wrapper, g.VML_NS)] + \
        ["  <%s>%s</%s>" % (n, g.escape(val), n) for n, val in fields] + ["</%s>" % wrapper]
    e.data = None


def layout_2500(form):
    def f(v):
        if form == "UserData":      # §1.9 C2: UserData with a wrapper element
            for e in mal_2500(v):
                to_userdata(e, "ComputeEvent")
        v.name_parts.append("2500-" + form.lower())
    return f


def layout_json(kind):
    """Parameter1 of MAL's 2500 (§1.10): the NPA's invalid JSON (raw backslashes, the story), valid JSON
    (backslashes doubled) and valid JSON with the extra keys §1.4 lists. The command read is the same."""
    def f(v):
        if kind != "npa":
            obj = {"CommandLine": g.LOGON_COMMAND, "User": "WDAGUtilityAccount", "ConsoleSize": [0, 0],
                   "UseExistingLogin": True}
            if kind == "extra":
                obj.update({"WorkingDirectory": "C:\\Users\\WDAGUtilityAccount", "Environment": {"PATH": "C:\\Windows"},
                            "EmulateConsole": False})
            text = json.dumps(obj)
            for e in mal_2500(v):
                if e.eid == 2500:
                    set_field(e, "Parameter1", text)
        v.name_parts.append("json-" + kind)
    return f


def layout_301(form):
    def f(v):
        if form == "UserData":      # §1.9 D: UserData/VmlEventLog
            for e in v.evs(F_WOPS, 301, is_mal):
                to_userdata(e, "VmlEventLog")
        v.name_parts.append("301-" + form.lower())
    return f


def layout_4624(ver):
    """MAL's VM logon 4624 as v0..v3 (§1.1): v1 adds ImpersonationLevel, v2 the outbound/virtual/linked/
    elevated fields, v3 RemoteCredentialGuard before TargetOutboundUserName. Fields read by name."""
    v2_only = {"RestrictedAdminMode", "TargetOutboundUserName", "TargetOutboundDomainName", "VirtualAccount",
               "TargetLinkedLogonId", "ElevatedToken"}

    def f(v):
        for e in v.evs(F_SEC, 4624, lambda e: field(e, "TargetUserName") == MAL):
            data = list(e.data)
            if ver < 2:
                data = [d for d in data if d[0] not in v2_only]
            if ver < 1:
                data = [d for d in data if d[0] != "ImpersonationLevel"]
            if ver == 3:
                i = [d[0] for d in data].index("TargetOutboundUserName")
                data.insert(i, D("RemoteCredentialGuard", "-"))
            e.data, e.version = data, ver
        v.name_parts.append("4624-v%d" % ver)
    return f


LAYOUTS = [(a, b, c, d) for a in ("EventData", "UserData") for b in ("npa", "valid", "extra")
           for c in ("EventData", "UserData") for d in (0, 1, 2, 3)]


def apply_layout(v, lay):
    a, b, c, d = lay
    layout_2500(a)(v)
    layout_json(b)(v)
    layout_301(c)(v)
    layout_4624(d)(v)


# ---------------------------------------------------------------- axis: launcher (§5.2, §6.3)
def launcher_24h2(alias):
    """MAL's task runs 24H2 `wsb.exe start --config "<Configuration>..."` (the same configuration inline,
    §5.2: there may be no .wsb file). The task action names the App Execution Alias path or the package
    path; the 4688 and the 129 show the package path (§6.3 last row, inferred); task actions are matched
    by file name. No .wsb on disk: ST-WSB-ODD-PLACE cannot fire."""
    def f(v):
        command = WSB_ALIAS if alias else WSB_PKG
        args = 'start --config "%s"' % INLINE
        cmd = '"%s" %s' % (WSB_PKG, args)
        xml = g.MAL_TASK_XML.replace("<Command>%s</Command>" % g.SANDBOX_EXE, "<Command>%s</Command>" % command) \
            .replace("<Arguments>%s</Arguments>" % g.WSB_PATH, "<Arguments>%s</Arguments>" % g.escape(args))
        v.task_xml = xml
        for e in v.evs(F_SEC, 4698):
            set_field(e, "TaskContent", xml.replace("\r\n", "\n"))
        for e in v.evs(F_SEC, 4688, lambda e: int(field(e, "NewProcessId"), 16) == g.MAL_LAUNCHER):
            set_field(e, "NewProcessName", WSB_PKG)
            set_field(e, "CommandLine", cmd)
        for e in v.evs(F_SEC, 4689, lambda e: int(field(e, "ProcessId"), 16) == g.MAL_LAUNCHER):
            set_field(e, "ProcessName", WSB_PKG)
        # 24H2: `wsb start` has no WindowsSandboxClient child (§5.2: the remote-session window is not
        # spawned by `wsb start` alone): drop the client's 4688/4689.
        v.events = [e for e in v.events if not (e.file == F_SEC and e.eid in (4688, 4689) and
                                                  (field(e, "NewProcessName") or field(e, "ProcessName")) == g.CLIENT_EXE
                                                  and ft(e.t) > ft(T("2025-01-07 00:00:00")))]
        for e in v.evs(F_TS, None, lambda e: field(e, "TaskName") == g.MAL_TASK):
            if e.eid == 129:
                set_field(e, "Path", WSB_PKG)
            if e.eid in (200, 201):
                set_field(e, "ActionName", command)
        xml_bytes = g.le16(xml)
        actions = g.actions_blob("LocalSystem", command, args)
        triggers = g.triggers_blob("2025-01-06T15:10:00", g.MAL_FLAGS, zlib.crc32(xml_bytes), "LocalSystem",
                                   g.user_info(g.SYSTEM_SID, 5, "SYSTEM"), g.optional_settings(600, 3600, 0, 7),
                                   g.boot_trigger("2025-01-06T15:10:00"))
        sw = []
        for lw, k, vals in v.software:
            if k.endswith(g.MAL_TASK_GUID) and r"\Tasks" in k:
                vals = [g.reg_hex("Hash", hashlib.sha256(xml_bytes).digest()) if x.startswith('"Hash"') else
                        g.reg_hex("Actions", actions) if x.startswith('"Actions"') else
                        g.reg_hex("Triggers", triggers) if x.startswith('"Triggers"') else x for x in vals]
            sw.append((lw, k, vals))
        v.software = sw
        v.wsb_file = None
        v.mal_launcher = dict(kind="24h2", image=WSB_PKG, cmd=cmd)
        v.name_parts.append("wsb-start-" + ("alias" if alias else "package"))
    return f


def wsb_cli(kind):
    """The attacker drives MAL's sandbox with the 24H2 CLI from an elevated cmd.exe (§5.2): these wsb.exe
    processes are not launchers (§6.3: only `start` launches). exec --run-as System leaves a 2500 whose User
    is System (§7: any spelling of SYSTEM; valid JSON `NT AUTHORITY\\\\SYSTEM` decodes to one backslash,
    §1.10); share leaves a 301 of the shared host folder, writable per --allow-write / -w, read-only per
    --allow-write=false (§5.2, scenarios README: read_only from the command, never from ShareFlags)."""
    def f(v):
        d7 = "2025-01-07 "
        creator = 0x2D30
        if kind.startswith("exec"):
            user_json = {"exec-system": '"User": "System"', "exec-ntsystem": '"User": "NT AUTHORITY\\\\SYSTEM"'}[kind]
            cmd = "%s exec --id %s -c \"cmd.exe /c whoami\" --run-as System" % (WSB_PKG, MAL)
            g.proc_user(d7 + "01:40:10.1104432", "C", 0x3A2C, WSB_PKG, creator, cmd, r"C:\Windows\System32\cmd.exe",
                        elevated=True)
            p1 = '{"CommandLine": "cmd.exe /c whoami", %s, "ConsoleSize": [0, 0], "UseExistingLogin": false}' % user_json
            g.hcs(d7 + "01:40:10.6021443", 2500, "C", MAL, [("Parameter0", "5120"), ("Parameter1", p1),
                                                            ("Result", "0x00000000")])
        else:
            flag = {"share-allow-write": "--allow-write", "share-w": "-w", "share-allow-write-false": "--allow-write=false"}[kind]
            cmd = r"%s share --id %s -f C:\Users\Public -s C:\Share %s" % (WSB_PKG, MAL, flag)
            g.proc_user(d7 + "01:41:20.2207781", "C", 0x3A80, WSB_PKG, creator, cmd, r"C:\Windows\System32\cmd.exe",
                        elevated=True)
            g.vsmb301(d7 + "01:41:20.8104418", MAL, g.MAL_VMWP, r"C:\Users\Public", "0x1001020")
        while g.EVENTS:
            v.events.append(g.EVENTS.pop(0))
        v.name_parts.append(kind)
    return f


# ---------------------------------------------------------------- axis: stories (§6.2, §6.4, §6.6)
def clone_ben(v, n, start):
    """A Start-menu sandbox like BEN, in boot C (user logon ids, explorer, vmcompute of boot C), with a new
    GUID, NIC, port, PIDs and logon id, shifted to begin at `start`. Launchers are more than 120 s apart,
    so no §6.2 launcher ambiguity; each runs beside MAL (overlapping sessions, §6.2)."""
    vm = str(uuid.UUID(int=(0x1D5A0000_0000_4000_8000_000000000000 + n * 0x1111))).upper()
    nic = str(uuid.UUID(int=(0x2E6B0000_0000_4000_8000_000000000000 + n))).upper()
    port = str(uuid.UUID(int=(0x3F7C0000_0000_4000_8000_000000000000 + n))).upper()
    lpid, cpid, vmwp, lid = 0x2410 + n * 0x40, 0x2418 + n * 0x40, 0x2420 + n * 0x40, 0x7E0000 + n
    base = ft(T("2025-01-06 02:25:10.4120556"))
    shift = ft(T(start)) - base
    subs = [(BEN, vm), (BEN.lower(), vm.lower()), (g.vm_sid(BEN), g.vm_sid(vm)), (g.NIC_BEN, nic), (g.PORT_BEN, port),
            (g.hx(g.BEN_LAUNCHER), g.hx(lpid)), (g.hx(g.BEN_CLIENT), g.hx(cpid)), (g.hx(g.BEN_VMWP), g.hx(vmwp)),
            (g.hx(g.VMLOGON[BEN]), g.hx(lid)), (g.hx(g.ULOGON["B"][1]), g.hx(g.ULOGON["C"][1])),
            (g.hx(g.EXPLORER["B"]), g.hx(g.EXPLORER["C"])), (g.hx(g.VMCOMPUTE["B"]), g.hx(g.VMCOMPUTE["C"]))]

    def sub(s):
        if not isinstance(s, str):
            return s
        for a, b in subs:
            s = s.replace(a, b)
        return s
    lo, hi = ft(T("2025-01-06 02:25:10.0")), ft(T("2025-01-06 02:37:46.0"))
    new = []
    for e in BASE_EVENTS:
        if not (lo <= ft(e.t) <= hi) or not (names_vm(e, BEN) or (e.file == F_SEC and e.eid in (4688, 4689) and
                                                                   ("WindowsSandbox" in (field(e, "NewProcessName") or field(e, "ProcessName") or "")))):
            continue
        c = copy.deepcopy(e)
        t = ft(c.t) + shift
        c.t = (g.EPOCH + datetime.timedelta(seconds=t // 10 ** 7), t % 10 ** 7)
        c.data = [(n_, sub(val), ty) for n_, val, ty in c.data] if c.data else c.data
        c.userdata = [sub(l) for l in c.userdata] if c.userdata else c.userdata
        c.user = sub(c.user)
        if c.file == F_SEC:
            c.pid = g.LSASS["C"]
        if c.pid in (g.BEN_VMWP,):
            c.pid, c.tid = vmwp, vmwp + 44
        if c.file == F_HCS:
            c.pid = g.VMCOMPUTE["C"]
        new.append(c)
    v.events.extend(new)
    v.extra_sessions.append((vm, lpid, cpid))


def overlap(count):
    def f(v):
        for i, start in enumerate(["2025-01-07 00:12:10.4120556", "2025-01-07 00:20:40.4120556"][:count - 1]):
            clone_ben(v, i + 1, start)
        v.name_parts.append("overlap-%d" % count)
    return f


def drop_mal_end(v, power_loss):
    """MAL never ends in the logs: every record of boot C from 09:28:00 on is gone (no 18504/2002/234, no
    launcher/client 4689, no 201/102, no Kernel-General 13). Power loss adds the next boot's Kernel-
    General 12 and Kernel-Power 41 (§1.2, §6.4); still running = the collection was taken before the end.
    Expected (§7 last bullet, §6.4): end = MAL's own last linked record (its 2503), `missing` names the
    end; a later 41 explains the gap but is not the end."""
    cut = ft(T("2025-01-07 09:28:00.0"))
    v.events = [e for e in v.events if ft(e.t) < cut]
    if power_loss:
        g.kg12("2025-01-07 10:15:31.2041188", "2025-01-07 10:15:31.1000000", "C")
        g.sysev("2025-01-07 10:15:33.0102255", "Microsoft-Windows-Kernel-Power", 41, "C",
                guid="{331C3B3A-2005-44C2-AC5E-77220C37D6B4}", task=63, keywords="0x8000400000000002", pid=4, tid=8,
                user=g.SYSTEM_SID, version=2, level=1,
                data=[D("BugcheckCode", "0", "UInt32"), D("BugcheckParameter1", "0x0", "HexInt64"),
                      D("BugcheckParameter2", "0x0", "HexInt64"), D("BugcheckParameter3", "0x0", "HexInt64"),
                      D("BugcheckParameter4", "0x0", "HexInt64"), D("SleepInProgress", "0", "UInt32"),
                      D("PowerButtonTimestamp", "0", "UInt64"), D("BootAppStatus", "0", "UInt32")])
        while g.EVENTS:
            v.events.append(g.EVENTS.pop(0))
    v.name_parts.append("power-loss" if power_loss else "still-running")


def container(v):
    """A Hyper-V-isolated container in boot C (§6.6): Compute 2010 Create Container + 2011 utility VM, the
    per-VM account logon by vmcompute.exe, a 2500 as ContainerAdministrator. Classified other-hcs: never a
    session, even though it logs on as NT VIRTUAL MACHINE\\<GUID> like a sandbox."""
    vm = "4C1D8E2F-6A3B-4F57-9E08-C2B5D7A1F3E6"
    d7 = "2025-01-07 "
    g.VMLOGON[vm] = 0x1D2E3F
    g.hcs(d7 + "02:40:01.1150339", 2010, "C", vm, [("Parameter0", "HvIsolated"),
                                                     ("Parameter1", '{"SystemType":"Container","Owner":"docker"}')])
    g.hcs(d7 + "02:40:01.5150339", 2011, "C", vm, [("Parameter0", vm.lower()), ("Result", "0x00000000")])
    g.vm_logon(d7 + "02:40:03", "C", vm)
    g.hcs(d7 + "02:40:09.1150339", 2500, "C", vm, [("Parameter0", "1220"), ("Parameter1",
          '{"CommandLine": "cmd /c ping -n 1 localhost", "User": "ContainerAdministrator"}'), ("Result", "0x00000000")])
    g.hcs(d7 + "02:41:30.1150339", 2003, "C", vm, [("Result", "0x00000000")])
    while g.EVENTS:
        v.events.append(g.EVENTS.pop(0))
    v.not_sessions.append(vm)
    v.name_parts.append("container")


# ---------------------------------------------------------------- the matrix
def build(steps):
    v = Variant()
    g.EVENTS.clear()
    for s in steps:
        s(v)
    return expect(v)


REMOVAL_LAYOUT_STRIDE = 4          # every removal is crossed with every 4th layout (12 of 48)


def variants():
    out = []

    def add(steps):
        v = build(steps)
        out.append(v)
    lay = lambda l: (lambda v: apply_layout(v, l))
    # 1. every layout with every removal (a stride over layouts keeps the run inside CI time; every
    #    layout value still meets every removal: the stride is coprime with no axis length)
    for i, l in enumerate(LAYOUTS):
        add([lay(l)])
    for rname, rfun in REMOVALS[1:]:
        for i, l in enumerate(LAYOUTS):
            if i % REMOVAL_LAYOUT_STRIDE == REMOVALS.index((rname, rfun)) % REMOVAL_LAYOUT_STRIDE:
                add([rfun, lay(l)])
    # 2. launchers x removals
    for alias in (True, False):
        for rname, rfun in REMOVALS:
            add([launcher_24h2(alias), rfun])
    # 3. the 24H2 CLI beside MAL, in both 2500 JSON forms and layouts
    for kind in ("exec-system", "exec-ntsystem", "share-allow-write", "share-w", "share-allow-write-false"):
        for launch in (None, True):
            for rname, rfun in (REMOVALS[0], REMOVALS[3], REMOVALS[10]):
                steps = [rfun, wsb_cli(kind)] if rname != "no-4688" else [wsb_cli(kind), rfun]
                if launch:
                    steps = [launcher_24h2(True)] + steps
                add(steps)
    # 4. stories
    for story in (overlap(2), overlap(3), lambda v: drop_mal_end(v, True), lambda v: drop_mal_end(v, False), container):
        for rname, rfun in REMOVALS:
            if rname == "security-cleared" and story.__name__ == "<lambda>":
                continue            # a clear after the power loss / before collection is another story
            add([story, rfun])
    seen = set()
    for v in out:
        assert v.name not in seen, v.name
        seen.add(v.name)
    return out


if __name__ == "__main__":
    vs = variants()
    if "--json" in sys.argv:
        print(json.dumps({v.name: v.expected for v in vs}, indent=1))
    else:
        for v in vs:
            print(v.name)
        print("%d variants" % len(vs), file=sys.stderr)
