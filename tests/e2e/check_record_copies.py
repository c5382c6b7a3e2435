#!/usr/bin/python3
"""Which copies a record was found in (METHOD.md §8.2): the report and `show` name every further file.

The bundled case is ingested with two more copies of its Security.evtx made here: one identical
(another path of the same content) and one that differs in a byte of the file header's unused
space (another file, as a shadow copy is, holding the same records). Every Security record linked
to a session is stored once and must be listed once per session, in `show` and in the report,
as "also in 2 other files" naming both copies' paths and the SHA-256 of each (computed here); no
record of another log may claim a copy.

    check_record_copies.py STFORGE SANDTRACE TESTDATA_CASE
"""
import hashlib
import html
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

from case_copies import forge_case_with_copies

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[0])
        return 2
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        case, original, same, shadow = forge_case_with_copies(stforge, source, tmp)
        sha = {p: hashlib.sha256(open(p, "rb").read()).hexdigest() for p in (original, same, shadow)}
        out = os.path.join(tmp, "out")
        run = subprocess.run([sandtrace, "analyze", case, "-o", out], capture_output=True, text=True)
        check(run.returncode in (0, 1) and "Sanitizer" not in run.stderr, "analyze: %s" % run.stderr[-1000:])
        db = sqlite3.connect(os.path.join(out, "case.db"))
        sessions = [r[0] for r in db.execute("SELECT id FROM sessions ORDER BY id")]
        check(len(sessions) == 2, "sessions: %s" % sessions)
        report = html.unescape(open(os.path.join(out, "report.html"), encoding="utf-8").read())
        total = 0
        for sid in sessions:
            linked = db.execute("SELECT DISTINCT e.record_id, e.channel FROM session_events se JOIN events e "
                                "ON e.id = se.row_id WHERE se.session_id = ? AND se.source_table = 'events'",
                                (sid,)).fetchall()
            security = sorted(r for r, c in linked if c == "Security")
            check(security, "session %d: no Security record linked" % sid)
            text = subprocess.run([sandtrace, "show", str(sid), "--case", os.path.join(out, "case.db")],
                                  capture_output=True, text=True).stdout
            lines = [l for l in text.splitlines() if "also in" in l]
            found = sorted(int(m.group(1)) for l in lines for m in [re.search(r"Security record (\d+) ", l)] if m)
            check(found == security and len(lines) == len(security),
                  "show %d: copies listed for %s, Security records linked %s" % (sid, found, security))
            for line in lines:
                check(": also in 2 other files: " in line and same in line and shadow in line and
                      sha[same] in line and sha[shadow] in line and "(sha256 %s)" % sha[original] not in line.split(": also in")[1].replace(sha[same], ""),
                      "show %d: %s" % (sid, line))
            for record in security:
                pattern = r"Security record %d \(event \d+\)[^<]*: also in 2 other files: [^<]*" % record
                hit = re.search(pattern, report)
                check(hit and same in hit.group(0) and shadow in hit.group(0) and sha[shadow] in hit.group(0),
                      "report: session %d record %d copies %s" % (sid, record, hit.group(0)[:300] if hit else None))
            total += len(security)
        print("%d Security records of %d sessions each listed with the 2 copies made here" % (total, len(sessions)))
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("ok: every copy of a record named in show and the report")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
