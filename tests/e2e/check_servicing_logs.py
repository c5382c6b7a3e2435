#!/usr/bin/python3
"""The feature changes CBS.log and dism.log record (METHOD.md §2.8), against the text this test reads itself.

1. The bundled case (forged with CBS.log and dism.log): every line naming Containers-DisposableClientVM is
   in servicing_log_lines with the line number, byte offset, time, level, component and message this
   script finds by its own reading of the files; the lines the case's story writes as enablings are
   'enable' and the others 'mention'; each enabling is a fact whose UTC time is the local time
   converted here with Python's zoneinfo (Asia/Tokyo, the zone the case's SYSTEM hive names); the
   "last enabling" fact is the latest one; ST-FEATURE-FRESH takes that time and says so; the timeline
   has one 'Servicing Log Line' row per enabling; the report's host facts cite the line.
2. A hostile collection this script writes (with the case's SYSTEM hive for the zone): a UTF-16LE
   dism.log with /Enable-Feature and /Disable-Feature command lines, a CbsPersist log with a 200 KB
   line (naming the feature only after the 8 KiB cut), NUL bytes and bytes that are not UTF-8, a CBS.log that is binary junk, and a 24 MiB log of
   noise with one enabling at its end: each line found where it was written, each problem recorded
   in parse_errors, nothing lost, no crash.
3. The same logs without a SYSTEM hive: no UTC time is invented; the facts say the time is not
   converted.

    check_servicing_logs.py STFORGE SANDTRACE TESTDATA_CASE
"""
import csv
import datetime
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zoneinfo

FEATURE = "containers-disposableclientvm"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def filetime_of_local(text, zone):
    local = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zoneinfo.ZoneInfo(zone))
    utc = local.astimezone(datetime.timezone.utc)
    return int((utc - datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()) * 10_000_000


def lines_naming_feature(path):
    """[(line_number, byte_offset, local_time, level, component, message)] read here: the file's bytes
    split at LF, UTF-16LE decoded when it starts so; the record prefix read by position."""
    data = open(path, "rb").read()
    utf16 = data[:2] == b"\xff\xfe" or (len(data) > 1 and data[1:2] == b"\0" and data[:1].isdigit())
    unit = 2 if utf16 else 1
    start = 2 if data[:2] == b"\xff\xfe" else 0
    out, number, last_time = [], 0, None
    while start < len(data):
        end = data.find(b"\n\0" if utf16 else b"\n", start)
        while utf16 and end != -1 and (end - start) % 2:
            end = data.find(b"\n\0", end + 1)
        stop = len(data) if end == -1 else end
        raw = data[start:stop]
        text = raw.decode("utf-16-le" if utf16 else "utf-8", "replace").rstrip("\r")
        number += 1
        dated = len(text) >= 21 and text[4] == "-" and text[10] == " " and text[19:21] == ", " \
            and text[:4].isdigit()
        level = component = None
        message = text
        if dated:
            last_time = text[:19]
            parts = text[21:].split(None, 2)
            level, component = parts[0], parts[1]
            message = parts[2] if len(parts) > 2 else ""
        if FEATURE in message.lower():
            out.append((number, start, last_time, level, component, message))
        start = stop + unit
    return out


def analyze(sandtrace, collection, out):
    run = subprocess.run([sandtrace, "analyze", collection, "-o", out], capture_output=True, text=True)
    check(run.returncode in (0, 1) and "Sanitizer" not in run.stderr and "runtime error" not in run.stderr,
          "analyze %s: %d %s" % (collection, run.returncode, run.stderr[-3000:]))
    return sqlite3.connect(os.path.join(out, "case.db"))


def stored_lines(db, name):
    return db.execute("SELECT l.line_number, l.byte_offset, l.local_time, l.level, l.component, l.message, "
                      "l.action, l.id FROM servicing_log_lines l JOIN evidence_paths p ON "
                      "p.evidence_id = l.evidence_id WHERE p.path LIKE ? ORDER BY l.line_number",
                      ("%" + name,)).fetchall()


def compare_file(db, path, name, label, cut=None):
    want = lines_naming_feature(path)
    got = stored_lines(db, name)
    check(len(want) > 0, "%s: the test's own reading finds no line in %s" % (label, name))
    check(len(got) == len(want), "%s %s: %d lines stored, %d name the feature" % (label, name, len(got), len(want)))
    for w, g in zip(want, got):
        message = w[5][:cut] if cut else w[5]
        check(tuple(g[:5]) == w[:5] and (g[5] == message or (cut and w[5].startswith(g[5]))),
              "%s %s line %d: stored %r, written %r" % (label, name, w[0], g[:6], w[:5] + (message[:80],)))
    return got


def bundled(stforge, sandtrace, source, tmp):
    case = os.path.join(tmp, "case")
    subprocess.run([stforge, "case", source, case], check=True, capture_output=True)
    out = os.path.join(tmp, "case-out")
    db = analyze(sandtrace, case, out)
    cbs = compare_file(db, os.path.join(case, "C/Windows/Logs/CBS/CBS.log"), "CBS/CBS.log", "case")
    dism = compare_file(db, os.path.join(case, "C/Windows/Logs/DISM/dism.log"), "DISM/dism.log", "case")
    # The story (testdata/tools/gen_case.py): the Plan line and the "turned on" line enable; the
    # applicability line and dism's /get-featureinfo only mention the feature.
    actions = [(g[5].split(":")[0], g[6]) for g in cbs + dism]
    check(actions == [("Appl", "mention"), ("Plan", "enable"), ("Exec", "enable"), ("DISM.EXE", "mention")],
          "case: actions %s" % actions)
    enables = [g for g in cbs if g[6] == "enable"]
    for g in enables:
        fact = db.execute("SELECT time, value, section FROM facts WHERE kind = 'feature_change' AND basis = ?",
                          ("servicing_log_lines:%d" % g[7],)).fetchone()
        check(fact == (filetime_of_local(g[2], "Asia/Tokyo"), "enable", "§2.8"),
              "case: fact of line %d: %s, expected %d" % (g[0], fact, filetime_of_local(g[2], "Asia/Tokyo")))
    last = db.execute("SELECT time, basis FROM facts WHERE kind = 'feature_change' AND subject = "
                      "'last enabling (servicing logs)'").fetchone()
    latest = max(enables, key=lambda g: filetime_of_local(g[2], "Asia/Tokyo"))
    check(last == (filetime_of_local(latest[2], "Asia/Tokyo"), "servicing_log_lines:%d" % latest[7]),
          "case: last enabling %s, expected line %d" % (last, latest[0]))
    reason = db.execute("SELECT reason FROM findings WHERE rule_id = 'ST-FEATURE-FRESH'").fetchall()
    check(len(reason) == 1 and "2025-01-06T02:13:58.0000000Z" in reason[0][0] and "servicing logs" in reason[0][0],
          "case: ST-FEATURE-FRESH %s" % reason)
    with open(os.path.join(out, "timeline.csv"), newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["timestamp_desc"] == "Servicing Log Line"]
    check(len(rows) == len(enables) and all(r["datetime"].startswith("2025-01-06T02:13:") for r in rows),
          "case: timeline servicing rows %s" % [(r["datetime"], r["message"]) for r in rows])
    report = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    for g in enables:
        check("CBS.log line %d (byte offset %d)" % (g[0], g[1]) in report, "case: report does not cite line %d" % g[0])
    print("case: %d CBS.log and %d dism.log lines naming the feature, %d enablings, last at %s"
          % (len(cbs), len(dism), len(enables), latest[2]))
    return os.path.join(case, "C/Windows/System32/config/SYSTEM")


def hostile(sandtrace, system_hive, tmp, with_zone):
    label = "hostile" if with_zone else "no zone"
    root = os.path.join(tmp, label.replace(" ", "_"))
    logs = os.path.join(root, "C", "Windows", "Logs")
    os.makedirs(os.path.join(logs, "CBS"))
    os.makedirs(os.path.join(logs, "DISM"))
    if with_zone:
        os.makedirs(os.path.join(root, "C", "Windows", "System32", "config"))
        shutil.copy(system_hive, os.path.join(root, "C", "Windows", "System32", "config", "SYSTEM"))
    head = "%s, Info                  DISM   "
    dism = "\r\n".join([
        head % "2025-02-03 08:00:01" + "PID=100 TID=200 Scratch directory set to 'C:\\Temp\\'.",
        head % "2025-02-03 08:00:02" + "DISM.EXE: Executing command line: dism.exe /Online /Enable-Feature "
                                       "/FeatureName:Containers-DisposableClientVM /All",
        "  a continuation line that names Containers-DisposableClientVM again (東京)",
        head % "2025-02-04 19:30:00" + "DISM.EXE: Executing command line: dism.exe /Online /Disable-Feature "
                                       "/FeatureName:Containers-DisposableClientVM",
    ]) + "\r\n"
    open(os.path.join(logs, "DISM", "dism.log"), "wb").write(b"\xff\xfe" + dism.encode("utf-16-le"))
    persist = (b"2025-01-20 10:00:00, Info                  CBS    " + b"x" * 200_000 +
               b" Containers-DisposableClientVM after the cut\r\n"
               b"2025-01-20 10:00:01, Info                  CBS    Containers-DisposableClientVM enabling, "
               b"bytes \xff\xfe not UTF-8\r\n"
               b"2025-01-20 10:00:02, Info                  CBS    junk \0\0\0 here\r\n"
               b"2025-01-20 10:00:03, Info                  CBS    Plan: Update: Containers-DisposableClientVM, "
               b"current: Installed, targeted: Installed\r\n")
    open(os.path.join(logs, "CBS", "CbsPersist_20250120100000.log"), "wb").write(persist)
    rng = random.Random(13)
    open(os.path.join(logs, "CBS", "CBS.log"), "wb").write(bytes(rng.getrandbits(8) for _ in range(65536)))
    noise = b"2025-03-01 09:00:00, Info                  CSI    00000001 noise line of servicing\r\n"
    with open(os.path.join(logs, "CBS", "CbsPersist_20250301090000.log"), "wb") as f:
        for _ in range((24 << 20) // len(noise)):
            f.write(noise)
        f.write(b"2025-03-01 09:30:00, Info                  CBS    Enabling Containers-DisposableClientVM\r\n")
    out = os.path.join(tmp, label.replace(" ", "_") + "-out")
    db = analyze(sandtrace, root, out)
    zone = "Asia/Tokyo"
    got = compare_file(db, os.path.join(logs, "DISM", "dism.log"), "DISM/dism.log", label)
    check([g[6] for g in got] == ["enable", "mention", "disable"], "%s dism actions %s" % (label, [g[6] for g in got]))
    got = stored_lines(db, "CbsPersist_20250120100000.log")
    # line 1 names the feature only after its cut; line 4's plan changes nothing (current = target)
    starts = [0] + [i + 1 for i, b in enumerate(persist) if b == 10]
    check([(g[0], g[1], g[6]) for g in got] == [(2, starts[1], "enable"), (4, starts[3], "mention")],
          "%s persist lines %s" % (label, [(g[0], g[1], g[6], g[5][:40]) for g in got]))
    check(got and "bytes ?? not UTF-8" in got[0][5], "%s: bytes that are not UTF-8 not replaced: %r" % (label, got[:1]))
    got = stored_lines(db, "CbsPersist_20250301090000.log")
    check(len(got) == 1 and got[0][0] == (24 << 20) // len(noise) + 1 and got[0][6] == "enable",
          "%s: the enabling after 24 MiB of noise %s" % (label, got))
    problems = dict(db.execute("SELECT p.path, group_concat(e.reason, ' | ') FROM parse_errors e JOIN evidence_paths p "
                               "ON p.evidence_id = e.evidence_id GROUP BY p.path").fetchall())
    statuses = dict(db.execute("SELECT p.path, v.status FROM evidence v JOIN evidence_paths p ON p.evidence_id = v.id"))
    def about(name):
        return [(problems.get(p, ""), statuses.get(p)) for p in statuses if p.endswith(name)]
    check(any("longer than 8192 bytes" in r and "NUL" in r and s == "partly"
              for r, s in about("CbsPersist_20250120100000.log")),
          "%s: persist problems %s" % (label, about("CbsPersist_20250120100000.log")))
    check(any("no line in the servicing-log form" in r and s == "failed" for r, s in about("CBS/CBS.log")),
          "%s: junk CBS.log %s" % (label, about("CBS/CBS.log")))
    facts = db.execute("SELECT subject, value, time, detail FROM facts WHERE kind = 'feature_change' "
                       "ORDER BY id").fetchall()
    changes = [f for f in facts if f[1] in ("enable", "disable")]
    check(len(changes) == 4, "%s: %d change facts %s" % (label, len(changes), [f[:2] for f in facts]))
    last = [f for f in facts if f[0] == "last enabling (servicing logs)"]
    if with_zone:
        want = {"dism.log": filetime_of_local("2025-02-03 08:00:02", zone)}
        check(all(f[2] > 0 for f in changes), "%s: a change without UTC time %s" % (label, changes))
        check(last and last[0][2] == filetime_of_local("2025-03-01 09:30:00", zone), "%s: last %s" % (label, last))
        dism_enable = [f for f in changes if f[0].startswith("dism.log") and f[1] == "enable"]
        check(dism_enable and dism_enable[0][2] == want["dism.log"], "%s: dism enabling %s" % (label, dism_enable))
    else:
        check(all(f[2] in (0, None) and "not converted" in f[3] for f in changes),
              "%s: times invented without the host's zone %s" % (label, changes))
        check(last and last[0][1] == "not converted" and last[0][2] in (0, None), "%s: last %s" % (label, last))
    print("%s: %d changes, problems recorded: %s" % (label, len(changes), sorted(problems.values())[:3]))


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[0])
        return 2
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        system_hive = bundled(stforge, sandtrace, source, tmp)
        hostile(sandtrace, system_hive, tmp, True)
        hostile(sandtrace, system_hive, tmp, False)
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("ok: servicing-log lines, facts, rule time, timeline and report as written")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
