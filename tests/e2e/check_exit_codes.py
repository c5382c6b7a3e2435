#!/usr/bin/python3
"""Exit codes of `ingest` and `analyze` on evidence that could not be read (METHOD.md §8.4):
0 ok; 1 ran, with a problem the user must see (a file that could not be read, or whose content
failed to parse: status `failed`), after every output is written; 2 usage error. A file read only
partly (status `partly`: a damaged log whose readable records are read) is reported on stderr, in
the summary and in the report, and does not change the exit code.

Each case is a small collection built here; the expected status of each file comes from the damage
done to it (garbage bytes under an evidence name cannot parse; a chunk with a bad CRC is read
partly), and the store is checked to hold that status, so that the exit code is compared with the
evidence, not with itself:

1. the bundled case (README's first command): analyze exits 0, no file failed or partly;
2. a forged log with a bad chunk CRC: partly, ingest and analyze exit 0;
3. garbage named Security.evtx and config/SYSTEM: failed, ingest exits 1, a second ingest of the
   same folder (the content already in the store) exits 1 again, analyze exits 1 with every output
   written and the run finished;
4. an input path that cannot be read (missing; and a file without read permission when not root):
   ingest and analyze exit 1;
5. ingest without --case: 2.

    check_exit_codes.py STFORGE SANDTRACE TESTDATA_CASE FORGE_SAMPLE.evtx.xml
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

FAILURES = []
OUTPUTS = ("case.db", "timeline.csv", "timeline.jsonl", "timeline.body", "sessions.json",
           "report.html", "attack-layer.json", "manifest.txt")


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL: " + message)


def run(args):
    r = subprocess.run(args, capture_output=True, text=True)
    check("Sanitizer" not in r.stderr and "runtime error" not in r.stderr,
          "%s: sanitizer report: %s" % (" ".join(args[:2]), r.stderr[-1500:]))
    return r


def statuses(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT status, count(*) FROM evidence GROUP BY status").fetchall()
    con.close()
    return dict(rows)


def check_analyze(sandtrace, roots, out, expected, label):
    r = run([sandtrace, "analyze", *roots, "-o", out])
    check(r.returncode == expected, "%s: analyze exited %d, expected %d: %s" % (
        label, r.returncode, expected, r.stderr[-800:]))
    missing = [name for name in OUTPUTS if not os.path.exists(os.path.join(out, name))]
    check(missing == [], "%s: analyze left out %s" % (label, missing))
    if os.path.exists(os.path.join(out, "case.db")):
        con = sqlite3.connect(os.path.join(out, "case.db"))
        unfinished = con.execute("SELECT count(*) FROM run WHERE finished IS NULL").fetchone()[0]
        con.close()
        check(unfinished == 0, "%s: the analyze run is not marked finished" % label)
    return r


def main():
    stforge, sandtrace, case_source, sample = sys.argv[1:5]
    with tempfile.TemporaryDirectory(prefix="sandtrace-exit-") as tmp:
        # 1. the bundled case
        case = os.path.join(tmp, "case")
        subprocess.run([stforge, "case", case_source, case], check=True, capture_output=True)
        check_analyze(sandtrace, [case], os.path.join(tmp, "out-case"), 0, "bundled case")
        got = statuses(os.path.join(tmp, "out-case", "case.db"))
        check("failed" not in got and "partly" not in got and got.get("parsed", 0) > 0,
              "bundled case statuses %s: README's analyze must meet no failed or partly file" % got)

        # 2. partly: a chunk whose CRC is wrong, its records read through libevtx
        partly = os.path.join(tmp, "partly", "C", "Windows", "System32", "winevt", "Logs")
        os.makedirs(partly)
        subprocess.run([stforge, "evtx", "--damage=crc", sample, os.path.join(partly, "Damaged.evtx")],
                       check=True, capture_output=True)
        db = os.path.join(tmp, "partly.db")
        r = run([sandtrace, "ingest", os.path.join(tmp, "partly"), "--case", db])
        got = statuses(db)
        check(got == {"partly": 1}, "bad-CRC log: statuses %s, expected one partly" % got)
        check(r.returncode == 0, "partly: ingest exited %d, expected 0" % r.returncode)
        check("1 read partly" in r.stdout, "partly: the summary does not say it: %s" % r.stdout)
        check_analyze(sandtrace, [os.path.join(tmp, "partly")], os.path.join(tmp, "out-partly"), 0,
                      "partly")

        # 3. failed: content under an evidence name that is not that evidence
        failed = os.path.join(tmp, "failed", "C", "Windows", "System32")
        os.makedirs(os.path.join(failed, "winevt", "Logs"))
        os.makedirs(os.path.join(failed, "config"))
        with open(os.path.join(failed, "winevt", "Logs", "Security.evtx"), "wb") as f:
            f.write(b"not an event log " * 300)
        with open(os.path.join(failed, "config", "SYSTEM"), "wb") as f:
            f.write(b"not a registry hive " * 500)
        db = os.path.join(tmp, "failed.db")
        for attempt in ("first", "second"):
            r = run([sandtrace, "ingest", os.path.join(tmp, "failed"), "--case", db])
            got = statuses(db)
            check(got == {"failed": 2}, "%s ingest of garbage: statuses %s, expected two failed"
                  % (attempt, got))
            check(r.returncode == 1, "failed (%s ingest): exited %d, expected 1" % (attempt, r.returncode))
            check("2 failed to parse" in r.stdout, "failed: the summary does not say it: %s" % r.stdout)
        check_analyze(sandtrace, [os.path.join(tmp, "failed")], os.path.join(tmp, "out-failed"), 1,
                      "failed")
        # with the bundled case beside it: still 1, and the case's sessions still reported
        r = check_analyze(sandtrace, [case, os.path.join(tmp, "failed")],
                          os.path.join(tmp, "out-both"), 1, "bundled case + failed")
        check("sessions: 0" not in r.stdout, "bundled case + failed: no session reported: %s" % r.stdout)

        # 4. unreadable input
        missing = os.path.join(tmp, "no-such-folder")
        r = run([sandtrace, "ingest", case, missing, "--case", os.path.join(tmp, "missing.db")])
        check(r.returncode == 1 and "1 unreadable" in r.stdout,
              "missing input: ingest exited %d, expected 1: %s" % (r.returncode, r.stdout))
        check_analyze(sandtrace, [case, missing], os.path.join(tmp, "out-missing"), 1, "missing input")
        if os.geteuid() != 0:
            locked = os.path.join(tmp, "locked")
            os.makedirs(locked)
            path = os.path.join(locked, "System.evtx")
            with open(path, "wb") as f:
                f.write(b"x")
            os.chmod(path, 0)
            r = run([sandtrace, "ingest", locked, "--case", os.path.join(tmp, "locked.db")])
            check(r.returncode == 1, "file without read permission: ingest exited %d" % r.returncode)
        else:
            print("running as root: a file without read permission is readable; the missing input "
                  "path stands for unreadable evidence")

        # 5. usage error
        r = run([sandtrace, "ingest", case])
        check(r.returncode == 2, "ingest without --case exited %d, expected 2" % r.returncode)

    if FAILURES:
        sys.exit(1)
    print("exit codes: 0 parsed and partly, 1 failed and unreadable (after every output), 2 usage")


if __name__ == "__main__":
    main()
