#!/usr/bin/python3
"""Hive transaction logs end to end, on the corpus' dirty hives (hives/dirty, answers from its
SOURCES.tsv): `sandtrace ingest` replays the logs beside each hive and says in hive_log_replays and
in each log's evidence row what it applied or why not; a hive whose logs applied is no longer
reported dirty, one whose logs are all refused still is, and is still read. `sandtrace hive recover`
writes a file equal to Windows 10's own recovery from offset 4096 on. Skipped (77) without the
corpus. The corpus is never written (hashes before and after).
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


def tree_hashes(root):
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            out[path] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return out


def ingest(sandtrace, roots, case):
    run = subprocess.run([sandtrace, "ingest", *roots, "--case", case], capture_output=True, text=True)
    check(run.returncode in (0, 1), "ingest exit %d: %s" % (run.returncode, run.stderr[-500:]))
    db = sqlite3.connect(case)
    db.row_factory = sqlite3.Row
    return db


def replays(db):
    """{log path relative to its folder's parent: row} of hive_log_replays."""
    rows = {}
    for r in db.execute("SELECT * FROM hive_log_replays"):
        rows[os.path.join(*r["log_path"].split("/")[-2:])] = r
    return rows


def evidence(db, tail):
    return db.execute("SELECT e.* FROM evidence e JOIN evidence_paths p ON p.evidence_id = e.id "
                      "WHERE p.path LIKE ?", ("%/" + tail,)).fetchone()


def dirty_notes(db, evidence_id):
    return db.execute("SELECT count(*) FROM parse_errors WHERE evidence_id = ? AND reason LIKE "
                      "'transaction logs not applied%'", (evidence_id,)).fetchone()[0]


def main():
    sandtrace, corpus = sys.argv[1:3]
    dirty = os.path.join(corpus, "hives", "dirty")
    if not os.path.isdir(dirty):
        print("skipped: shared/corpus not found (%s)" % dirty)
        return 77
    before = tree_hashes(dirty)
    with tempfile.TemporaryDirectory() as tmp:
        # The whole folder: every hive with the logs beside it, one copy with its logs' names in
        # lower case (Windows names are case-insensitive).
        col = os.path.join(tmp, "col")
        shutil.copytree(dirty, col)
        lower = os.path.join(col, "lower")
        os.makedirs(lower)
        shutil.copy(os.path.join(dirty, "yarp_NewDirtyHive2", "NewDirtyHive"), os.path.join(lower, "NewDirtyHive"))
        shutil.copy(os.path.join(dirty, "yarp_NewDirtyHive2", "NewDirtyHive.LOG2"),
                    os.path.join(lower, "newdirtyhive.log2"))
        db = ingest(sandtrace, [col], os.path.join(tmp, "all.db"))
        r = replays(db)
        new1_log1, new1_log2 = r.get("yarp_NewDirtyHive1/NewDirtyHive.LOG1"), r.get("yarp_NewDirtyHive1/NewDirtyHive.LOG2")
        check(new1_log1 is not None and new1_log1["applied"] == 1 and new1_log1["format"] == "new"
              and new1_log1["first_sequence"] == 2 and new1_log1["last_sequence"] == 2,
              "NewDirtyHive1 LOG1: %s" % (dict(new1_log1) if new1_log1 else None))
        check(new1_log2 is not None and new1_log2["applied"] == 1 and new1_log2["first_sequence"] == 3
              and new1_log2["last_sequence"] == 5 and new1_log2["entries"] == 3,
              "NewDirtyHive1 LOG2: %s" % (dict(new1_log2) if new1_log2 else None))
        new2_log1, new2_log2 = r.get("yarp_NewDirtyHive2/NewDirtyHive.LOG1"), r.get("yarp_NewDirtyHive2/NewDirtyHive.LOG2")
        check(new2_log1 is not None and new2_log1["applied"] == 0 and new2_log1["refused"] == 0
              and "older" in (new2_log1["reason"] or ""), "NewDirtyHive2 LOG1: only LOG2 applies")
        check(new2_log2 is not None and new2_log2["applied"] == 1 and new2_log2["last_sequence"] == 5,
              "NewDirtyHive2 LOG2: applied up to sequence 5")
        low = r.get("lower/newdirtyhive.log2")
        check(low is not None and low["applied"] == 1, "a log named in lower case is found and applied")
        old = r.get("yarp_OldDirtyHive/OldDirtyHive.LOG1")
        check(old is not None and old["applied"] == 1 and old["format"] == "old", "OldDirtyHive LOG1 applied")
        for folder, why in (("yarp_BadLogHive1", "checksum"), ("yarp_BadLogHive2", "DIRT"),
                            ("yarp_BadLogHive3", "checksum")):
            row = r.get(folder + "/BadLogHive.LOG1")
            check(row is not None and row["applied"] == 0 and row["refused"] == 1 and why in (row["reason"] or ""),
                  "%s LOG1 refused with a reason naming %s: %s" % (folder, why, dict(row) if row else None))
            log = evidence(db, folder + "/BadLogHive.LOG1")
            check(log is not None and log["kind"] == "hive_log" and log["status"] == "failed"
                  and why in (log["status_reason"] or ""), "%s LOG1 evidence failed with the reason" % folder)
        for tail in ("yarp_NewDirtyHive1/NewDirtyHive.LOG2", "yarp_OldDirtyHive/OldDirtyHive.LOG1"):
            log = evidence(db, tail)
            check(log is not None and log["status"] == "parsed" and (log["status_reason"] or "").startswith("applied to "),
                  "%s evidence parsed, applied to its hive: %s" % (tail, dict(log) if log else None))
        for tail in ("yarp_NewDirtyHive1/NewDirtyHive", "yarp_OldDirtyHive/OldDirtyHive"):
            hive = evidence(db, tail)
            check(hive is not None and hive["status"] == "parsed"
                  and "transaction logs" in (hive["status_reason"] or "") and "replayed" in hive["status_reason"],
                  "%s read with its logs replayed: %s" % (tail, dict(hive) if hive else None))
            check(hive is not None and dirty_notes(db, hive["id"]) == 0, "%s no longer reported dirty" % tail)
        db.close()

        # Only the hives whose logs are all refused: still read, still dirty (their bytes equal
        # OldDirtyHive's and NewDirtyHive1's, so above those replays were read).
        bad = [os.path.join(dirty, f) for f in ("yarp_BadLogHive1", "yarp_BadLogHive2", "yarp_BadLogHive3")]
        db = ingest(sandtrace, bad, os.path.join(tmp, "bad.db"))
        for folder in ("yarp_BadLogHive1", "yarp_BadLogHive3"):
            hive = evidence(db, folder + "/BadLogHive")
            check(hive is not None and hive["status"] in ("parsed", "partly"), "%s primary still read" % folder)
            check(hive is not None and dirty_notes(db, hive["id"]) == 1, "%s still reported dirty" % folder)
        check(db.execute("SELECT count(*) FROM hive_log_replays WHERE applied = 1").fetchone()[0] == 0,
              "no refused log applied")
        db.close()

        # hive recover: equal to Windows 10's recovered file from 4096 on; never without -o.
        out = os.path.join(tmp, "recovered")
        primary = os.path.join(dirty, "yarp_NewDirtyHive1", "NewDirtyHive")
        run = subprocess.run([sandtrace, "hive", "recover", primary], capture_output=True, text=True)
        check(run.returncode == 0 and "not written" in run.stdout, "recover without -o writes nothing")
        run = subprocess.run([sandtrace, "hive", "recover", primary, "-o", out], capture_output=True, text=True)
        check(run.returncode == 0 and "applied" in run.stdout, "recover -o: %s %s" % (run.stdout, run.stderr))
        windows = open(os.path.join(dirty, "yarp_NewDirtyHive1", "RecoveredHive_Windows10"), "rb").read()
        check(os.path.exists(out) and open(out, "rb").read()[4096:] == windows[4096:],
              "recovered NewDirtyHive1 equals RecoveredHive_Windows10 from offset 4096")
        run = subprocess.run([sandtrace, "hive", "recover", primary, "-o", out], capture_output=True, text=True)
        check(run.returncode == 1 and "exists" in run.stderr, "recover never overwrites a file")
        run = subprocess.run([sandtrace, "hive", "recover", os.path.join(dirty, "yarp_BadLogHive2", "BadLogHive"),
                              "-o", os.path.join(tmp, "bad")], capture_output=True, text=True)
        check(run.returncode == 1 and "refused" in run.stdout and not os.path.exists(os.path.join(tmp, "bad")),
              "a hive whose logs are refused stays dirty: exit 1, nothing written")
    check(tree_hashes(dirty) == before, "the corpus is unchanged")
    for f in failures:
        print("FAIL:", f)
    print("check_hive_logs: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
