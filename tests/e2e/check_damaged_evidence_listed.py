#!/usr/bin/python3
"""Damaged evidence is never dropped as "not evidence" (issue 11, item 1).

The bundled case is forged twice. In the second copy the magic of each kind of evidence is
damaged: Security.evtx "ElfFile" -> "XlfFile", the SYSTEM and SOFTWARE hives "regf" -> "xegf", a
task file's byte-order mark, a .wsb's first byte; and a zero-byte Security.evtx is added in a
second folder. After one ingest:

- each damaged file is in evidence with its SHA-256 (checked with hashlib), has a parse_errors row
  and a warning on stderr naming it, and its status is failed or partly;
- the damaged hives are read through a repaired base block: status partly, and their reg_values
  rows equal those of the undamaged hives;
- every regular file of the collection (os.walk) has an evidence_paths row, run.bat included, and
  files that are not evidence say so (status not_evidence, with a reason).

- the flipped Security.evtx is read through a repaired header (status partly): the same records
  as from the intact log, at the same offsets; and the malicious session, which the lost log once
  turned into a suspicious one, keeps its verdict, score and trigger after correlate.
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def ingest(sandtrace, collection, db):
    run = subprocess.run([sandtrace, "ingest", collection, "--case", db, "--jobs", "2"],
                         capture_output=True, text=True)
    check(run.returncode in (0, 1), "ingest of %s exited %d: %s" % (collection, run.returncode, run.stderr[-1500:]))
    check("runtime error" not in run.stderr and "Sanitizer" not in run.stderr, run.stderr[-3000:])
    return run


def reg_values(con, hive_path):
    return sorted(con.execute(
        "SELECT r.hive_kind, r.key_path, r.key_last_write, r.value_name, r.value_type, r.raw_hex, "
        "r.decoded, r.section FROM reg_values r JOIN evidence_paths p ON p.evidence_id = r.evidence_id "
        "WHERE p.path = ?", (hive_path,)), key=repr)


def flip(path, offset, value):
    data = bytearray(open(path, "rb").read())
    check(len(data) > offset, "%s: too short to damage" % path)
    data[offset] = value
    open(path, "wb").write(bytes(data))


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        good, bad = os.path.join(tmp, "good"), os.path.join(tmp, "bad")
        subprocess.run([stforge, "case", source, good], check=True, capture_output=True)
        # The base-block repair is compared with the primary as it is: the SOFTWARE hive's
        # transaction logs (replayed only onto an intact primary) are left out of both.
        for log in ("SOFTWARE.LOG1", "SOFTWARE.LOG2"):
            os.remove(os.path.join(good, "C", "Windows", "System32", "config", log))
        shutil.copytree(good, bad)
        system32 = os.path.join(bad, "C", "Windows", "System32")
        task = os.path.join(system32, "Tasks", "Microsoft", "Windows", "Maintenance", "MaintenanceSync")
        damaged = {
            os.path.join(system32, "winevt", "Logs", "Security.evtx"): (0, ord("E"), ord("X")),
            os.path.join(system32, "config", "SYSTEM"): (0, ord("r"), ord("x")),
            os.path.join(system32, "config", "SOFTWARE"): (0, ord("r"), ord("x")),
            task: (0, 0xFF, 0xFE),  # UTF-16LE BOM FF FE -> FE FE
            os.path.join(system32, "MaintenanceSync.wsb"): (0, ord("<"), ord("x")),
        }
        for path, (offset, before, after) in damaged.items():
            check(open(path, "rb").read()[offset] == before,
                  "%s: byte %d is not %#x in the forged case" % (path, offset, before))
            flip(path, offset, after)
        empty = os.path.join(bad, "D", "Windows", "System32", "winevt", "Logs", "Security.evtx")
        os.makedirs(os.path.dirname(empty))
        open(empty, "wb").close()
        damaged[empty] = None

        good_db, bad_db = os.path.join(tmp, "good.db"), os.path.join(tmp, "bad.db")
        ingest(sandtrace, good, good_db)
        run = ingest(sandtrace, bad, bad_db)
        con = sqlite3.connect(bad_db)
        rows = {}
        for path, sha256, kind, status, reason in con.execute(
                "SELECT p.path, e.sha256, e.kind, e.status, e.status_reason FROM evidence e "
                "JOIN evidence_paths p ON p.evidence_id = e.id"):
            rows[path] = (sha256, kind, status, reason)
        errors = {}
        for path, reason in con.execute("SELECT path, reason FROM parse_errors"):
            errors.setdefault(path, []).append(reason)

        for path in damaged:
            rel = os.path.relpath(path, bad)
            row = rows.get(path)
            check(row is not None, "%s: no evidence row" % rel)
            if not row:
                continue
            sha256, kind, status, reason = row
            check(sha256 == hashlib.sha256(open(path, "rb").read()).hexdigest(), "%s: sha256 %s" % (rel, sha256))
            check(status in ("failed", "partly"), "%s: status %s" % (rel, status))
            check(kind != "unknown", "%s: kind %s" % (rel, kind))
            check(reason, "%s: no status_reason" % rel)
            check(errors.get(path), "%s: no parse_errors row" % rel)
            check(path in run.stderr and "warning" in run.stderr, "%s: no warning on stderr" % rel)
            print("%s: %s %s; %s" % (rel, kind, status, (errors.get(path) or ["-"])[0][:100]))
        check(any("empty file (0 bytes)" in e for e in errors.get(empty, [])), "empty Security.evtx: %s" % errors.get(empty))

        good_con = sqlite3.connect(good_db)
        for name in ("SYSTEM", "SOFTWARE"):
            damaged_hive = os.path.join(system32, "config", name)
            intact = os.path.join(good, "C", "Windows", "System32", "config", name)
            check(rows.get(damaged_hive, (None, None, None))[2] == "partly",
                  "%s hive: status %s" % (name, rows.get(damaged_hive)))
            check(any("read through a repaired copy in memory" in e for e in errors.get(damaged_hive, [])),
                  "%s hive: no repair recorded: %s" % (name, errors.get(damaged_hive)))
            want, got = reg_values(good_con, intact), reg_values(con, damaged_hive)
            check(len(want) > 10 and got == want, "%s hive: %d reg_values rows through the repair, %d in the "
                  "undamaged hive" % (name, len(got), len(want)))

        security = os.path.join(system32, "winevt", "Logs", "Security.evtx")
        intact_security = os.path.join(good, "C", "Windows", "System32", "winevt", "Logs", "Security.evtx")
        check(rows.get(security, (None,) * 4)[2] == "partly", "Security.evtx: status %s" % (rows.get(security),))
        check(any("records read through a repaired copy of the header" in e for e in errors.get(security, [])),
              "Security.evtx: no header repair recorded: %s" % errors.get(security))
        records = "SELECT v.record_id, v.offset FROM events v JOIN evidence_paths p ON p.evidence_id = " \
                  "v.evidence_id WHERE p.path = ? ORDER BY 1"
        want, got = good_con.execute(records, (intact_security,)).fetchall(), con.execute(records, (security,)).fetchall()
        check(len(want) > 50 and got == want, "Security.evtx: %d records through the repaired header, %d in "
              "the intact log" % (len(got), len(want)))
        verdicts = []
        for db in (good_db, bad_db):
            r = subprocess.run([sandtrace, "correlate", "--case", db], capture_output=True, text=True)
            check(r.returncode == 0, "correlate %s: %s" % (db, r.stderr[-300:]))
            c = sqlite3.connect(db)
            verdicts.append(c.execute("SELECT verdict, score, trigger_kind FROM sessions WHERE vm_guid = "
                                      "'E7A13C52-98D4-4F0B-B6C1-3D5F2A8E9047'").fetchone())
            c.close()
        check(verdicts[0] is not None and verdicts[0][0] == "malicious", "intact case: %s" % (verdicts[0],))
        check(verdicts[1] is not None and verdicts[1][0] == "malicious" and verdicts[1][2] == "task",
              "damaged case: the malicious session became %s (intact: %s)" % (verdicts[1], verdicts[0]))

        walked = 0
        for root, _, files in os.walk(bad):
            for name in files:
                path = os.path.join(root, name)
                walked += 1
                check(path in rows, "%s: no evidence_paths row" % os.path.relpath(path, bad))
        run_bat = os.path.join(bad, "C", "Users", "Public", "Downloads", "run.bat")
        row = rows.get(run_bat, (None,) * 4)
        check(row[2] == "not_evidence" and row[1] == "unknown" and "not a kind of evidence" in (row[3] or ""),
              "run.bat: %s" % (row,))
        check(row[0] == hashlib.sha256(open(run_bat, "rb").read()).hexdigest(), "run.bat: sha256 %s" % row[0])
        check(len(rows) == walked, "%d paths in the store, %d files walked" % (len(rows), walked))
        check("not evidence (listed" in run.stdout, "summary: %s" % run.stdout)
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("damaged evidence: listed, hashed, reported; hives read through a repaired base block; "
              "every file listed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
