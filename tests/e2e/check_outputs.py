#!/usr/bin/python3
"""analyze's outputs against what their readers accept (DESIGN.md, output contracts):

- Timesketch: both timeline formats carry message, datetime, timestamp_desc on every row;
  datetime parses with an explicit +00:00 offset and equals timestamp (microseconds); every
  JSONL line is one JSON object; plaso names on event rows.
- CSV quoting: a hostile value (commas, quotes, newlines, '|', '%', non-ASCII) read back by
  Python's csv module equals the store's value byte for byte; JSONL likewise.
- mactime (The Sleuth Kit) reads every body line, and its output lists the malicious session's
  steps in time order.
- Determinism: a second analyze gives byte-identical timelines, sessions.json and ATT&CK layer
  (and report.html outside its run-metadata block, when the report exists).
- verify: all unchanged after analyze; a one-byte change in an evidence file, and in an output,
  is reported as changed with a non-zero exit.
"""
import csv
import io
import json
import xml.etree.ElementTree as ET
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_store  # noqa: E402

failures = []
HOSTILE = 'cmd.exe /c "echo a,b" & type C:\\x|y 100% \u65e5\u672c\u8a9e\nsecond line'


def check(condition, message):
    if not condition:
        failures.append(message)


def hostile_log(path):
    ns = 'xmlns="http://schemas.microsoft.com/win/2004/08/events/event"'
    value = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    xml = ('<Events><Event %s><System><Provider Name="Microsoft-Windows-Security-Auditing" '
           'Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>4688</EventID><Version>2</Version>'
           '<Level>0</Level><Task>13312</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>'
           '<TimeCreated SystemTime="2025-01-08T01:02:03.4567890Z"/><EventRecordID>7</EventRecordID>'
           '<Correlation/><Execution ProcessID="4" ThreadID="8"/><Channel>Security</Channel>'
           '<Computer>PC-HOSTILE</Computer><Security/></System><EventData>'
           '<Data Name="NewProcessName">C:\\Windows\\System32\\cmd.exe</Data>'
           '<Data Name="CommandLine">%s</Data></EventData></Event>'
           '<Event %s><System><Provider Name="Microsoft-Windows-Security-Auditing" '
           'Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>4688</EventID><Version>2</Version>'
           '<Level>0</Level><Task>13312</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>'
           '<TimeCreated SystemTime="2025-01-08T01:02:04.0000000Z"/><EventRecordID>8</EventRecordID>'
           '<Correlation/><Execution ProcessID="4" ThreadID="8"/><Channel>Security</Channel>'
           '<Computer>PC-HUGE</Computer><Security/></System><EventData>'
           '<Data Name="CommandLine">%s</Data></EventData></Event></Events>'
           % (ns, value, ns, "\u00e9" * 20000))
    open(path, "w", encoding="utf-8").write(xml)


def xml_strings(xml):
    """The string values of an event record's EventData (Data elements) or UserData (the leaf
    elements under its one child), in document order."""
    root = ET.fromstring(xml)
    ns = "{http://schemas.microsoft.com/win/2004/08/events/event}"
    data = root.find(ns + "EventData")
    if data is not None:
        return [d.text or "" for d in data if d.tag == ns + "Data"]
    user = root.find(ns + "UserData")
    if user is not None and len(user):
        return [d.text or "" for d in user[0].iter() if len(d) == 0 and d is not user[0]]
    return []


def mactime_order_problems(listed, body_lines):
    """LISTED (mactime's lines) must show the body's times, to the 100 ns, in sorted order."""
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z")
    shown = []
    for l in listed:
        name = l.split(",", 7)[-1]
        found = stamp.search(name)
        shown.append(found.group(0) if found else "?")
    want = sorted(stamp.search(l.split("|")[1]).group(0) for l in body_lines)
    return [] if shown == want else ["line %d: %s, want %s" % (i, a, b) for i, (a, b) in
                                     enumerate(zip(shown, want)) if a != b][:5] or ["lengths differ"]


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        col = os.path.join(tmp, "collection")
        subprocess.run([stforge, "case", source, col], check=True)
        extra = os.path.join(col, "extra")
        os.makedirs(extra)
        hostile_log(os.path.join(tmp, "hostile.xml"))
        subprocess.run([stforge, "evtx", os.path.join(tmp, "hostile.xml"),
                        os.path.join(extra, "Security-archive.evtx")], check=True)
        outs = []
        for name in ("a", "b"):
            out = os.path.join(tmp, name)
            run = subprocess.run([sandtrace, "analyze", col, "-o", out, "--case-name", "Demo",
                                  "--examiner", "Test Examiner"], capture_output=True, text=True)
            check(run.returncode == 0, "analyze exited %d: %s" % (run.returncode, run.stderr[-800:]))
            outs.append(out)
        a, b = outs
        for name in ("timeline.csv", "timeline.jsonl", "timeline.body", "sessions.json", "attack-layer.json"):
            check(open(os.path.join(a, name), "rb").read() == open(os.path.join(b, name), "rb").read(),
                  "%s differs between two runs" % name)
        if os.path.exists(os.path.join(a, "report.html")):
            strip = lambda t: re.sub(rb'<section id="run-metadata".*?</section>', b"", t, flags=re.S)
            check(strip(open(os.path.join(a, "report.html"), "rb").read()) ==
                  strip(open(os.path.join(b, "report.html"), "rb").read()),
                  "report.html differs outside its run-metadata block")

        con = case_store.connect(os.path.join(a, "case.db"))
        want_xml = con.execute("SELECT %s FROM events WHERE computer = 'PC-HOSTILE'"
                               % case_store.XML).fetchone()[0]
        check(con.execute("SELECT json_extract(data, '$.CommandLine') FROM events WHERE computer = "
                          "'PC-HOSTILE'").fetchone()[0] == HOSTILE, "hostile value stored as written")

        # Timesketch CSV
        with open(os.path.join(a, "timeline.csv"), newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        check(len(rows) > 100, "CSV rows: %d" % len(rows))
        for r in rows:
            for field in ("message", "datetime", "timestamp_desc"):
                check(r.get(field), "CSV row without %s: %s" % (field, r))
            when = datetime.fromisoformat(r["datetime"])
            check(when.utcoffset() is not None and when.utcoffset().total_seconds() == 0,
                  "datetime without +00:00: %s" % r["datetime"])
            check(int(r["timestamp"]) == int((when - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds() * 1e6 + 0.5)
                  or abs(int(r["timestamp"]) - (when - datetime(1970, 1, 1, tzinfo=timezone.utc)) // __import__("datetime").timedelta(microseconds=1)) == 0,
                  "timestamp %s does not equal datetime %s" % (r["timestamp"], r["datetime"]))
            check(when.year >= 1700, "row before 1700: %s" % r["datetime"])
        hostile_rows = [r for r in rows if r["computer_name"] == "PC-HOSTILE"]
        check(len(hostile_rows) == 1 and hostile_rows[0]["xml_string"] == want_xml,
              "hostile xml_string did not survive CSV quoting")
        check(all(r["data_type"] == "windows:evtx:record" and r["event_identifier"] and r["record_number"]
                  for r in rows if r["sandtrace_source"] == "event"), "plaso fields on event rows")
        # Timesketch JSONL
        lines = open(os.path.join(a, "timeline.jsonl"), encoding="utf-8").read().splitlines()
        check(len(lines) == len(rows), "JSONL %d lines, CSV %d rows" % (len(lines), len(rows)))
        for line in lines:
            obj = json.loads(line)
            check(all(obj.get(k) for k in ("message", "datetime", "timestamp_desc")),
                  "JSONL line without a required field: %s" % line[:200])
            check(obj["datetime"].endswith("+00:00") and isinstance(obj["timestamp"], int),
                  "JSONL datetime/timestamp: %s %s" % (obj["datetime"], obj["timestamp"]))
        hostile_json = [o for o in map(json.loads, lines) if o.get("computer_name") == "PC-HOSTILE"]
        check(len(hostile_json) == 1 and hostile_json[0]["xml_string"] == want_xml,
              "hostile xml_string did not survive JSONL")
        check(len({k for l in lines for k in json.loads(l)}) < 450, "too many distinct fields")
        # plaso's strings: the EventData / UserData values in document order, read here from
        # xml_string with ElementTree; hostname on every row: the host of the row's file (METHOD.md
        # §2.7; the hostile log is a host of its own, PC-HOSTILE, the name most of its records
        # carry, so its PC-HUGE record is PC-HOSTILE's too), else the host of its session, else
        # the record's computer
        host = con.execute("SELECT value FROM facts WHERE kind = 'host' AND subject = 'ComputerName'").fetchone()[0]
        file_host = dict(con.execute("SELECT v.sha256, h.name FROM evidence_hosts e JOIN hosts h ON "
                                     "h.id = e.host_id JOIN evidence v ON v.id = e.evidence_id"))
        session_host = dict(con.execute("SELECT s.id, h.name FROM sessions s JOIN hosts h ON h.id = s.host_id"))
        check(sorted(set(file_host.values())) == ["PC-HOSTILE", host], "hosts %s" % sorted(set(file_host.values())))
        with_strings = 0
        for line in lines:
            obj = json.loads(line)
            want = file_host.get(obj.get("evidence_sha256")) if obj.get("evidence_sha256") else \
                session_host.get(obj.get("session_id"))
            check(obj.get("hostname") == (want or obj.get("computer_name")),
                  "hostname %r for computer %r, file host %r" % (obj.get("hostname"),
                                                                  obj.get("computer_name"), want))
            if obj.get("data_type") != "windows:evtx:record" or "[cut by sandtrace:" in obj["xml_string"]:
                continue
            want = xml_strings(obj["xml_string"])
            check(obj.get("strings", []) == want, "strings %r, the XML holds %r" % (obj.get("strings"), want))
            with_strings += bool(want)
        check(with_strings > 100, "only %d rows with strings" % with_strings)
        # Values over 32 KiB are cut, at a UTF-8 boundary, with a marker (OpenSearch keyword limit).
        huge = [r for r in rows if r["computer_name"] == "PC-HUGE"]
        check(len(huge) == 1 and len(huge[0]["xml_string"].encode()) <= 32768 and
              "[cut by sandtrace:" in huge[0]["xml_string"], "32 KiB cut in CSV")
        huge_json = [json.loads(l) for l in lines if "PC-HUGE" in l]
        check(len(huge_json) == 1 and "[cut by sandtrace:" in huge_json[0]["xml_string"], "32 KiB cut in JSONL")

        # mactime
        body = os.path.join(a, "timeline.body")
        body_lines = open(body, encoding="utf-8").read().splitlines()
        check(all(len(l.split("|")) == 11 for l in body_lines), "a body line without 11 fields")
        mactime = shutil.which("mactime")
        if mactime:
            run = subprocess.run([mactime, "-b", body, "-d", "-z", "UTC"], capture_output=True, text=True)
            check(run.returncode == 0, "mactime exited %d: %s" % (run.returncode, run.stderr[-500:]))
            listed = [l for l in run.stdout.splitlines() if "sandtrace:" in l]
            check(len(listed) == len(body_lines), "mactime lists %d lines for %d body lines" % (len(listed), len(body_lines)))
            check(not any(l.startswith("Xxx") for l in run.stdout.splitlines()),
                  "mactime prints undated lines (a time column of 0)")
            # True order, to the 100 ns, kept within each second: mactime's order of the
            # names' times is the sorted order of the times the body holds.
            check(mactime_order_problems(listed, body_lines) == [],
                  "mactime order: %s" % mactime_order_problems(listed, body_lines)[:3])
            seconds = {}
            for l in body_lines:
                seconds.setdefault(l.split("|")[8], set()).add(l.split("|")[1][:28])
            check(any(len(v) > 1 for v in seconds.values()), "no second with two rows: the order check is empty")
            # ... and it fails when the names do not carry the time (mactime then sorts a second
            # by message)
            bare = os.path.join(tmp, "bare.body")
            with open(bare, "w", encoding="utf-8") as f:
                for l in body_lines:
                    fields = l.split("|")
                    fields[1] = fields[1][29:] + " " + fields[1][:28]  # the time moved to the end
                    f.write("|".join(fields) + "\n")
            spoiled = subprocess.run([mactime, "-b", bare, "-d", "-z", "UTC"], capture_output=True, text=True).stdout
            spoiled_listed = [l for l in spoiled.splitlines() if "sandtrace:" in l]
            check(mactime_order_problems(spoiled_listed, body_lines),
                  "the mactime order check passed names without the time first")
            steps = [l for l in listed if "Sandbox E7A13C52" in l]
            order = ["launcher", "scheduled task run", "vm_start", "host folder C:%5CUsers", "host ran", "exit"]
            positions = []
            for word in ("launcher", "host ran", "network adapter disconnected"):
                hits = [i for i, l in enumerate(steps) if word in l]
                check(hits, "mactime output lacks the session step '%s'" % word)
                positions.append(hits[0] if hits else -1)
            check(positions == sorted(positions), "session steps out of order in mactime: %s" % positions)
        else:
            print("SKIP part: mactime (sleuthkit) not installed")

        # verify
        run = subprocess.run([sandtrace, "verify", "--case", os.path.join(a, "case.db"), "--outputs", a],
                             capture_output=True, text=True)
        check(run.returncode == 0 and "changed" not in run.stdout.replace("unchanged", ""),
              "verify after analyze: %d %s" % (run.returncode, run.stdout[-500:]))
        target = os.path.join(a, "timeline.csv")
        data = bytearray(open(target, "rb").read())
        data[10] ^= 1
        open(target, "wb").write(data)
        evidence = os.path.join(col, "extra", "Security-archive.evtx")
        ev = bytearray(open(evidence, "rb").read())
        ev[5000] ^= 1
        open(evidence, "wb").write(ev)
        run = subprocess.run([sandtrace, "verify", "--case", os.path.join(a, "case.db"), "--outputs", a],
                             capture_output=True, text=True)
        changed = [l for l in run.stdout.splitlines() if l.startswith("changed")]
        check(run.returncode == 1, "verify exit after changes: %d" % run.returncode)
        check(any(l.endswith("timeline.csv") for l in changed), "verify missed the output change: %s" % changed)
        check(any(l.endswith("Security-archive.evtx") for l in changed), "verify missed the evidence change: %s" % changed)
    for f in failures[:40]:
        print("FAIL: " + f)
    if not failures:
        print("outputs: Timesketch CSV/JSONL, mactime body, determinism and verify all hold")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
