#!/usr/bin/python3
"""check_session_selection.py - the correlator's selection of records changes no session (METHOD.md §6.10).

    check_session_selection.py STFORGE SANDTRACE SELECTION_TOOL [CORPUS]

The correlator keeps in memory only the session records one of its steps reads (select_events in
correlate/sessions.c). SELECTION_TOOL (tests/e2e/session_selection.c) correlates a store both ways,
from the selected records and from every session record (the load before the selection), and
compares every row the two write. Run here on: the bundled case; the bundled case without its Task
Scheduler log and with the 4688 of the task service's svchost.exe (the launcher's parent, looked
up by PID: what the selection's second walk keeps); the bundled case whose Security log holds only
records no step reads (the log is there all the same); the bundled case with its malicious
session repeated 30 times (tests/bench/many_vms.py: many VMs, launchers and task runs in one log);
every 4th variant of the variant matrix (tests/e2e/matrix/gen_matrix.py: logs removed, auditing
off, launchers without 4688, containers, classic VMs, overlapping runs...); and the real event logs
of CORPUS/evtx when present (skipped with a message when not).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "matrix"))
sys.path.insert(0, HERE)
import check_matrix                                   # noqa: E402
import gen_matrix                                     # noqa: E402

EVERY_NTH_VARIANT = 4
LOGS = os.path.join("C", "Windows", "System32", "winevt", "Logs")
# The process that started the bundled case's malicious launcher (its 4688's ProcessId, 0x5d8): the
# Task Scheduler service's svchost.exe, whose own 4688 the bundled case does not hold (written here
# after the host's last boot, 00:01:47, and before the launcher, 00:02:19).
SERVICE_4688 = """  <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
    <System>
      <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/>
      <EventID>4688</EventID>
      <Version>2</Version>
      <Level>0</Level>
      <Task>13312</Task>
      <Opcode>0</Opcode>
      <Keywords>0x8020000000000000</Keywords>
      <TimeCreated SystemTime="2025-01-07T00:02:05.0000000Z"/>
      <EventRecordID>99999</EventRecordID>
      <Correlation/>
      <Execution ProcessID="4" ThreadID="8"/>
      <Channel>Security</Channel>
      <Computer>PC-K01</Computer>
      <Security/>
    </System>
    <EventData>
      <Data Name="SubjectUserSid" forge:type="SID">S-1-5-18</Data>
      <Data Name="SubjectUserName">PC-K01$</Data>
      <Data Name="SubjectDomainName">WORKGROUP</Data>
      <Data Name="SubjectLogonId" forge:type="HexInt64">0x3e7</Data>
      <Data Name="NewProcessId" forge:type="HexInt64">0x5d8</Data>
      <Data Name="NewProcessName">C:\\Windows\\System32\\svchost.exe</Data>
      <Data Name="TokenElevationType">%%1936</Data>
      <Data Name="ProcessId" forge:type="HexInt64">0x2a0</Data>
      <Data Name="CommandLine">C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule</Data>
      <Data Name="TargetUserSid" forge:type="SID">S-1-0-0</Data>
      <Data Name="TargetUserName">-</Data>
      <Data Name="TargetDomainName">-</Data>
      <Data Name="TargetLogonId" forge:type="HexInt64">0x0</Data>
      <Data Name="ParentProcessName">C:\\Windows\\System32\\services.exe</Data>
      <Data Name="MandatoryLabel" forge:type="SID">S-1-16-16384</Data>
    </EventData>
  </Event>
"""


def unrelated_security_case(work):
    """The bundled case's sources whose Security log keeps only records that name no VM and start no
    launcher or sandbox client: none is kept by the selection, yet the log is there (the missing
    4688 is then explained by the audit policy, not by "no Security log", METHOD.md §6.4)."""
    out = os.path.join(work, "unrelated-security-src")
    shutil.copytree(os.path.join(ROOT, "testdata", "case"), out)
    security = os.path.join(out, LOGS, "Security.evtx.xml")
    text = open(security, encoding="utf-8").read()
    first, last = text.index("  <Event "), text.rindex("</Events>")
    events = re.findall(r"  <Event .*?</Event>\n", text[first:last], re.S)
    named = re.compile(r"WindowsSandbox|wsb\.exe|S-1-5-83-1-|NT VIRTUAL MACHINE|"
                       r"(?<!\{)[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
    kept = [e for e in events if not named.search(e)]  # (a provider's {GUID} names no VM)
    open(security, "w", encoding="utf-8").write(text[:first] + "".join(kept) + text[last:])
    return out


def task_service_case(work):
    """The bundled case's sources without the Task Scheduler log and with the 4688 of the task
    service's svchost.exe: the launcher's trigger then rests on that record (§6.3 (3)), which only
    the second walk of the selection (the process records of the PIDs the launchers name) keeps."""
    out = os.path.join(work, "task-service-src")
    shutil.copytree(os.path.join(ROOT, "testdata", "case"), out)
    os.unlink(os.path.join(out, LOGS, "Microsoft-Windows-TaskScheduler%4Operational.evtx.xml"))
    security = os.path.join(out, LOGS, "Security.evtx.xml")
    text = open(security, encoding="utf-8").read()
    last = text.rindex("</Events>")
    open(security, "w", encoding="utf-8").write(text[:last] + SERVICE_4688 + text[last:])
    return out


def run(cmd, env):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout + p.stderr


def compare(name, collection, sandtrace, tool, work, env, failures):
    db = os.path.join(work, "case.db")
    rc, out = run([sandtrace, "ingest", collection, "--case", db, "--jobs", "1"], env)
    if rc != 0:
        failures.append("%s: sandtrace ingest failed (%d): %s" % (name, rc, out.strip()[-500:]))
        return 0
    rc, out = run([tool, db], env)
    print(out.strip().replace(db, name))
    if rc != 0:
        failures.append("%s: the selected records give other rows than every record (%d)" % (name, rc))
    os.unlink(db)
    # the number of sessions the comparison covered, from "...: N session(s), ..."
    return int(out.split(": ")[1].split()[0]) if rc in (0, 1) else 0


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__)
        return 2
    stforge, sandtrace, tool = sys.argv[1:4]
    corpus = sys.argv[4] if len(sys.argv) == 5 else None
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    work = tempfile.mkdtemp(prefix="sandtrace-selection-")
    failures, sessions, stores = [], 0, 0
    try:
        many_src = os.path.join(work, "many-src")
        rc, out = run([sys.executable, os.path.join(ROOT, "tests", "bench", "many_vms.py"), "30", many_src], env)
        if rc != 0:
            failures.append("many-VM sources not written: " + out.strip()[-500:])
        for name, sources in (("bundled-case", os.path.join(ROOT, "testdata", "case")),
                              ("task-service-4688", task_service_case(work)),
                              ("unrelated-security", unrelated_security_case(work)),
                              ("many-vms-30", many_src if rc == 0 else None)):
            collection = os.path.join(work, name)
            rc, out = run([stforge, "case", sources, collection], env) if sources else (1, "no sources")
            if rc != 0:
                failures.append("%s: not forged: %s" % (name, out.strip()[-500:]))
                continue
            sessions += compare(name, collection, sandtrace, tool, work, env, failures)
            stores += 1

        forge = check_matrix.Forge(stforge, os.path.join(work, "forged"), env)
        variants = gen_matrix.variants()[::EVERY_NTH_VARIANT]
        for index, v in enumerate(variants):
            collection = os.path.join(work, "v%04d" % index)
            for rel, data in sorted(v.files().items()):
                kind, target, raw, h = forge.plan(rel, data)
                error = forge.make(kind, raw, h)
                if error:
                    failures.append("%s: %s" % (v.name, error))
                    continue
                dst = os.path.join(collection, target)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                os.link(os.path.join(forge.root, h), dst)
            sessions += compare("matrix:" + v.name, collection, sandtrace, tool, work, env, failures)
            stores += 1
            shutil.rmtree(collection, ignore_errors=True)

        logs = os.path.join(corpus, "evtx") if corpus else None
        if logs and os.path.isdir(logs):
            sessions += compare("corpus-evtx", logs, sandtrace, tool, work, env, failures)
            stores += 1
        else:
            print("corpus event logs not found (%s): skipped" % (logs or "no CORPUS given"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    print("session selection: %d store(s), %d session(s) compared, %d failure(s)" % (stores, sessions, len(failures)))
    # a run that compared no session at all proves nothing
    return 1 if failures or sessions == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
