#!/usr/bin/python3
"""The commands a 2500 names are decoded once, at ingest, into vm_commands (METHOD.md §1.4, §1.10).

    check_vm_commands.py STFORGE SANDTRACE

The collection holds one sandbox run in Hyper-V-Compute: 2000 (start), three 2500 and 2002 (end).
The 2500 parameters texts (Parameter1) are: valid JSON written by Python's json module (escaped
backslashes), the NPA's kind of text that is not valid JSON (unescaped backslashes), and valid JSON
whose CommandLine decodes to a tab. After ingest alone (no correlate run), vm_commands must hold for
each record the command line and user as §1.10 reads them (decoded, verbatim, verbatim), the VM id
and guest PID as written, and how it was read; the session steps of `sessions --json` must then be
those rows. The expected values are the forged strings, never sandtrace's output.
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

GUID = "5E55104E-7A3B-4C2D-8E1F-0A9B8C7D6E5F"
NS = 'xmlns="http://schemas.microsoft.com/win/2004/08/events/event"'
CHANNEL = "Microsoft-Windows-Hyper-V-Compute-Operational"
PROVIDER_GUID = "17103E3F-3C6E-4677-BB17-3B267EB5BE57"

JSON_COMMAND = "C:\\Users\\WDAGUtilityAccount\\Desktop\\tools\\7za.exe x -y C:\\drop\\a.7z"
JSON_USER = "NT AUTHORITY\\SYSTEM"
JSON_TEXT = json.dumps({"CommandLine": JSON_COMMAND, "User": JSON_USER, "ConsoleSize": [0, 0],
                        "UseExistingLogin": True})
# Not valid JSON: "\H", "\P" and "\r" are written as they are (the NPA's sample).
RAW_COMMAND = "C:\\HostUsers\\Public\\run.bat /q"
RAW_USER = "WDAGUtilityAccount"
RAW_TEXT = '{ "CommandLine": "%s", "User": "%s", "ConsoleSize": [0,0]}' % (RAW_COMMAND, RAW_USER)
# Valid JSON, but "\t" would decode to a tab: read verbatim.
TAB_COMMAND = "C:\\temp\\tool.exe"
TAB_TEXT = '{"CommandLine": "%s", "User": "%s"}' % (TAB_COMMAND, RAW_USER)

# (record, guest PID, parameters text) -> expected (command_line, user, read_as, note)
COMMANDS = [
    (2, "4100", JSON_TEXT, (JSON_COMMAND, JSON_USER, "json", None)),
    (3, "4200", RAW_TEXT, (RAW_COMMAND, RAW_USER, "verbatim",
                           "not valid JSON: values taken verbatim between the quotes")),
    (4, "4300", TAB_TEXT, (TAB_COMMAND, RAW_USER, "verbatim",
                           "valid JSON, but a value read verbatim: decoded, it would hold a control "
                           "character")),
]


def system(event_id, record, time):
    return ('<System><Provider Name="Microsoft-Windows-Hyper-V-Compute" Guid="{%s}"/>'
            '<EventID>%d</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode>'
            '<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="%s"/>'
            '<EventRecordID>%d</EventRecordID><Correlation/><Execution ProcessID="3480" ThreadID="100"/>'
            '<Channel>%s</Channel><Computer>PC-T</Computer><Security/></System>'
            % (PROVIDER_GUID, event_id, time, record, CHANNEL))


def forge(stforge, tmp):
    logs = os.path.join(tmp, "C", "Windows", "System32", "winevt", "Logs")
    os.makedirs(logs, exist_ok=True)
    events = ['<Event %s>%s<EventData><Data Name="SystemId">%s</Data></EventData></Event>'
              % (NS, system(2000, 1, "2025-04-02T08:00:00.0000000Z"), GUID)]
    for record, pid, text, _ in COMMANDS:
        events.append('<Event %s>%s<EventData><Data Name="SystemId">%s</Data><Data Name="Parameter0">%s'
                      '</Data><Data Name="Parameter1">%s</Data><Data Name="Result">0</Data></EventData>'
                      '</Event>' % (NS, system(2500, record, "2025-04-02T08:00:0%d.0000000Z" % record),
                                    GUID, pid, text))
    events.append('<Event %s>%s<EventData><Data Name="SystemId">%s</Data></EventData></Event>'
                  % (NS, system(2002, 9, "2025-04-02T08:20:00.0000000Z"), GUID))
    src = os.path.join(tmp, "compute.xml")
    with open(src, "w", encoding="utf-8") as f:
        f.write("<Events>%s</Events>" % "".join(events))
    subprocess.run([stforge, "evtx", src, os.path.join(logs, "Microsoft-Windows-Hyper-V-Compute%4Operational.evtx")],
                   check=True, capture_output=True)
    return os.path.join(tmp, "C")


def main():
    stforge, sandtrace = sys.argv[1:3]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "case.db")
        r = subprocess.run([sandtrace, "ingest", forge(stforge, tmp), "--case", db],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL: ingest exited %d: %s" % (r.returncode, r.stderr[-800:]))
            return 1
        con = sqlite3.connect(db)
        try:
            rows = con.execute("SELECT e.record_id, c.vm_id, c.guest_pid, c.command_line, c.user, "
                               "c.read_as, c.note FROM vm_commands c JOIN events e ON e.id = c.event_ref "
                               "ORDER BY e.record_id").fetchall()
        except sqlite3.Error as e:
            print("FAIL: vm_commands cannot be read after ingest: %s" % e)
            return 1
        finally:
            con.close()
        expected = [(record, GUID, pid) + want for record, pid, _, want in COMMANDS]
        if rows != expected:
            failures.append("vm_commands after ingest:\n  got      %s\n  expected %s" % (rows, expected))
        for cmd in (["correlate", "--case", db], ["sessions", "--case", db, "--json"]):
            r = subprocess.run([sandtrace] + cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print("FAIL: %s exited %d: %s" % (cmd[0], r.returncode, r.stderr[-800:]))
                return 1
        sessions = json.loads(r.stdout or "[]")
        got = [[(c.get("command_line"), c.get("user")) for c in s.get("commands", [])] for s in sessions]
        if got != [[want[:2] for _, _, _, want in COMMANDS]]:
            failures.append("sessions --json commands %s" % got)
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("vm_commands: %d 2500 records decoded at ingest (json, verbatim, verbatim), as the "
              "session shows them" % len(COMMANDS))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
