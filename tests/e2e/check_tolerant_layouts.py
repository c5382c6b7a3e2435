#!/usr/bin/python3
"""Layouts METHOD.md marks unknown are read tolerantly (§1.9 C/D, §1.10): a Hyper-V-Compute
2500 whose VM id and parameters sit in fields with other names, inside UserData with an unknown
wrapper, and a VSMB 301 that names its VM only through the record's VM SID, still make one session
with its command and its share.
"""
import json
import os
import subprocess
import sys
import tempfile

GUID = "1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9"
NS = 'xmlns="http://schemas.microsoft.com/win/2004/08/events/event"'


def sid_of(guid):
    import uuid
    b = uuid.UUID(guid).bytes_le
    parts = [int.from_bytes(b[i:i + 4], "little") for i in range(0, 16, 4)]
    return "S-1-5-83-1-" + "-".join(str(p) for p in parts)


def system(provider, guid_attr, event_id, record, time, channel, user=None):
    sec = '<Security UserID="%s"/>' % user if user else "<Security/>"
    return ('<System><Provider Name="%s" Guid="{%s}"/><EventID>%d</EventID><Version>0</Version>'
            '<Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>'
            '<TimeCreated SystemTime="%s"/><EventRecordID>%d</EventRecordID><Correlation/>'
            '<Execution ProcessID="3480" ThreadID="100"/><Channel>%s</Channel><Computer>PC-T</Computer>'
            '%s</System>' % (provider, guid_attr, event_id, time, record, channel, sec))


def main():
    stforge, sandtrace = sys.argv[1:3]
    compute = "Microsoft-Windows-Hyper-V-Compute-Operational"
    params = ('{ "CommandLine": "C:\\Users\\WDAGUtilityAccount\\Desktop\\go.cmd", '
              '"User": "WDAGUtilityAccount", "ConsoleSize": [0,0]}')
    events = [
        # 2000 in EventData, VM id in a field called "Id" (not SystemId)
        '<Event %s>%s<EventData><Data Name="Id">%s</Data><Data Name="Result">0x0</Data></EventData></Event>'
        % (NS, system("Microsoft-Windows-Hyper-V-Compute", "17103E3F-3C6E-4677-BB17-3B267EB5BE57", 2000, 1,
                      "2025-03-01T10:00:00.0000000Z", compute), GUID.lower()),
        # 2500 in UserData with an unknown wrapper; the JSON in "Parameters", the id as "[guid]" text
        '<Event %s>%s<UserData><HcsEvent xmlns="urn:x"><Message>[%s] Create process</Message>'
        '<Parameters>%s</Parameters></HcsEvent></UserData></Event>'
        % (NS, system("Microsoft-Windows-Hyper-V-Compute", "17103E3F-3C6E-4677-BB17-3B267EB5BE57", 2500, 2,
                      "2025-03-01T10:00:08.0000000Z", compute), GUID.lower(),
           params.replace("&", "&amp;").replace("<", "&lt;")),
        # 2002 end
        '<Event %s>%s<EventData><Data Name="Id">%s</Data></EventData></Event>'
        % (NS, system("Microsoft-Windows-Hyper-V-Compute", "17103E3F-3C6E-4677-BB17-3B267EB5BE57", 2002, 3,
                      "2025-03-01T10:30:00.0000000Z", compute), GUID.lower()),
    ]
    worker = ('<Event %s>%s<EventData><Data Name="ShareName">ab</Data><Data Name="SharePath">C:\\Work</Data>'
              '<Data Name="ShareFlags">0x1001020</Data></EventData></Event>'
              % (NS, system("Microsoft-Windows-Hyper-V-VSmb", "1A9D0F2B-0D0F-4F2E-9C3E-5B8B6F0E9E11", 301, 1,
                            "2025-03-01T10:00:02.0000000Z", "Microsoft-Windows-Hyper-V-Worker-Operational",
                            sid_of(GUID))))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        logs = os.path.join(tmp, "C", "Windows", "System32", "winevt", "Logs")
        os.makedirs(logs)
        for name, body in (("Microsoft-Windows-Hyper-V-Compute%4Operational", "".join(events)),
                           ("Microsoft-Windows-Hyper-V-Worker%4Operational", worker)):
            src = os.path.join(tmp, name + ".xml")
            open(src, "w", encoding="utf-8").write("<Events>%s</Events>" % body)
            subprocess.run([stforge, "evtx", src, os.path.join(logs, name + ".evtx")], check=True)
        db = os.path.join(tmp, "case.db")
        for cmd in ([sandtrace, "ingest", os.path.join(tmp, "C"), "--case", db],
                    [sandtrace, "correlate", "--case", db]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                failures.append("%s exited %d: %s" % (cmd[1], r.returncode, r.stderr[-800:]))
        out = subprocess.run([sandtrace, "sessions", "--case", db, "--json"], capture_output=True, text=True)
        sessions = json.loads(out.stdout or "[]")
        if len(sessions) != 1 or sessions[0]["vm_id"] != GUID:
            failures.append("expected one session %s, got %s" % (GUID, [s.get("vm_id") for s in sessions]))
        else:
            s = sessions[0]
            if [(c["command_line"], c["user"]) for c in s["commands"]] != [
                    ("C:\\Users\\WDAGUtilityAccount\\Desktop\\go.cmd", "WDAGUtilityAccount")]:
                failures.append("commands: %s" % s["commands"])
            if [x["host_path"] for x in s["shares"]] != ["C:\\Work"]:
                failures.append("shares: %s" % s["shares"])
            if (s["start"], s["end"], s["confidence"]) != ("2025-03-01T10:00:00.0000000Z",
                                                           "2025-03-01T10:30:00.0000000Z", "low"):
                failures.append("start/end/confidence: %s %s %s" % (s["start"], s["end"], s["confidence"]))
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("tolerant layouts: VM id, parameters and share found in unexpected fields")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
