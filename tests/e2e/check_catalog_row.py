#!/usr/bin/python3
"""A new event layout is added by one catalogue row (METHOD.md §1.10, issue 10).

    check_catalog_row.py STFORGE SANDTRACE SANDTRACE_WITH_ROW

The collection holds one sandbox run in Hyper-V-Compute: 2000 (start), a 2500 of an invented
version 9 that writes the command, its user and the guest PID as plain fields ProcessCommandLine /
ProcessUser / ProcessId inside a UserData wrapper (no JSON parameters text), and 2002 (end).

SANDTRACE (the catalogue as shipped) does not know that layout: its 2500 row reads a parameters
JSON text, so nothing of the command is read, no command ran as WDAGUtilityAccount, and the VM stays
an unknown VM (other_vms, §6.6), not a session. SANDTRACE_WITH_ROW is the same program built from
the catalogue with tests/e2e/catalog_row/compute_2500_v9.def added above it (no other source
differs, tests/e2e/catalog_row.cmake): it reads the command, the user and the guest PID, and the run
is a sandbox session. The expected values are the forged ones.
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

GUID = "6C0FFEE5-1D2B-4A3C-9E8F-7A6B5C4D3E2F"
NS = 'xmlns="http://schemas.microsoft.com/win/2004/08/events/event"'
CHANNEL = "Microsoft-Windows-Hyper-V-Compute-Operational"
PROVIDER_GUID = "17103E3F-3C6E-4677-BB17-3B267EB5BE57"
COMMAND = "C:\\Users\\WDAGUtilityAccount\\Desktop\\tools\\7za.exe x -y C:\\drop\\a.7z"
USER = "WDAGUtilityAccount"


def system(event_id, version, record, time):
    return ('<System><Provider Name="Microsoft-Windows-Hyper-V-Compute" Guid="{%s}"/>'
            '<EventID>%d</EventID><Version>%d</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode>'
            '<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="%s"/>'
            '<EventRecordID>%d</EventRecordID><Correlation/><Execution ProcessID="3480" ThreadID="100"/>'
            '<Channel>%s</Channel><Computer>PC-T</Computer><Security/></System>'
            % (PROVIDER_GUID, event_id, version, time, record, CHANNEL))


def sessions_of(stforge, sandtrace, tmp):
    logs = os.path.join(tmp, "C", "Windows", "System32", "winevt", "Logs")
    os.makedirs(logs, exist_ok=True)
    events = [
        '<Event %s>%s<EventData><Data Name="SystemId">%s</Data></EventData></Event>'
        % (NS, system(2000, 0, 1, "2025-04-02T08:00:00.0000000Z"), GUID),
        '<Event %s>%s<UserData><ProcessCreateV9 xmlns="urn:example:v9"><SystemId>%s</SystemId>'
        '<ProcessCommandLine>%s</ProcessCommandLine><ProcessUser>%s</ProcessUser>'
        '<ProcessId>4242</ProcessId></ProcessCreateV9></UserData></Event>'
        % (NS, system(2500, 9, 2, "2025-04-02T08:00:09.0000000Z"), GUID, COMMAND, USER),
        '<Event %s>%s<EventData><Data Name="SystemId">%s</Data></EventData></Event>'
        % (NS, system(2002, 0, 3, "2025-04-02T08:20:00.0000000Z"), GUID),
    ]
    src = os.path.join(tmp, "compute.xml")
    with open(src, "w", encoding="utf-8") as f:
        f.write("<Events>%s</Events>" % "".join(events))
    subprocess.run([stforge, "evtx", src, os.path.join(logs, "Microsoft-Windows-Hyper-V-Compute%4Operational.evtx")],
                   check=True, capture_output=True)
    db = os.path.join(tmp, "case.db")
    for cmd in ([sandtrace, "ingest", os.path.join(tmp, "C"), "--case", db],
                [sandtrace, "correlate", "--case", db]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("FAIL: %s %s exited %d: %s" % (sandtrace, cmd[1], r.returncode, r.stderr[-800:]))
    out = subprocess.run([sandtrace, "sessions", "--case", db, "--json"], capture_output=True, text=True,
                         check=True)
    con = sqlite3.connect(db)
    others = [r[0].upper() for r in con.execute("SELECT vm_guid FROM other_vms ORDER BY vm_guid")]
    # sessions --json leaves the guest PID out; the session step in the store keeps it
    pids = [json.loads(r[0]).get("guest_pid") for r in
            con.execute("SELECT detail FROM session_events WHERE role = 'command' ORDER BY time, row_id")]
    con.close()
    sessions = json.loads(out.stdout or "[]")
    for session in sessions:
        for command, pid in zip(session.get("commands", []), pids):
            command["guest_pid"] = pid
    return sessions, others


def main():
    stforge, plain, with_row = sys.argv[1:4]
    failures = []
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        (before, before_others), (after, after_others) = (sessions_of(stforge, plain, a),
                                                          sessions_of(stforge, with_row, b))
    # Without the row: the VM is seen (its 2000/2002 name it) but no command of it is read, so it
    # is not told to be a sandbox.
    if before or before_others != [GUID]:
        failures.append("without the row: expected no session and %s among other VMs, got sessions %s, "
                        "other VMs %s" % (GUID, [s.get("vm_id") for s in before], before_others))
    if [s.get("vm_id") for s in after] != [GUID] or after_others:
        failures.append("with the row: expected one session %s, got %s (other VMs %s)"
                        % (GUID, [s.get("vm_id") for s in after], after_others))
    else:
        s = after[0]
        got = [(c.get("command_line"), c.get("user"), c.get("guest_pid")) for c in s["commands"]]
        if got != [(COMMAND, USER, "4242")]:
            failures.append("with the row: commands %s" % got)
        if (s.get("start"), s.get("end")) != ("2025-04-02T08:00:00.0000000Z", "2025-04-02T08:20:00.0000000Z"):
            failures.append("with the row: start/end %s %s" % (s.get("start"), s.get("end")))
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("catalogue row: the version 9 layout is read only once its row is in the table")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
