#!/usr/bin/python3
"""Damaged logs: sandtrace ingest keeps every record libevtx can still read, records a
parse_errors row that names the damage, never crashes (this runs under ASan/UBSan), and the
evidence status says the file was only partly read.

For each damage the forge can write, the reference is libevtx read independently through its
Python binding (pyevtx): records it reads one by one, allocated and recovered.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

import pyevtx  # python3-libevtx, Debian


def reference(path):
    f = pyevtx.file()
    f.open(path)
    readable = 0
    for i in range(f.number_of_records):
        try:
            f.get_record(i).get_xml_string()
            readable += 1
        except (IOError, OSError):
            pass
    recovered = 0
    for i in range(f.number_of_recovered_records):
        try:
            f.get_recovered_record(i).get_xml_string()
            recovered += 1
        except (IOError, OSError):
            pass
    f.close()
    return readable, recovered


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    failures = []
    cases = {
        "dirty": ("parsed", "dirty"),
        "crc": ("partly", "corruption"),
        "truncate": ("partly", None),
        "zero-record": ("partly", None),
        "crc,zero-record,truncate,dirty": ("partly", "corruption"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for damage, (status, reason_word) in cases.items():
            tag = damage.replace(",", "_")
            log = os.path.join(tmp, tag, "Security.evtx")
            os.makedirs(os.path.dirname(log))
            run = subprocess.run([stforge, "evtx", "--damage=" + damage, source, log],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                failures.append("%s: stforge failed: %s" % (damage, run.stderr))
                continue
            db = os.path.join(tmp, tag + ".db")
            run = subprocess.run([sandtrace, "ingest", os.path.dirname(log), "--case", db,
                                  "--all-events"], capture_output=True, text=True)
            if run.returncode != 0 or "runtime error" in run.stderr or "Sanitizer" in run.stderr:
                failures.append("%s: ingest exited %d: %s" % (damage, run.returncode, run.stderr[-1500:]))
                continue
            con = sqlite3.connect(db)
            got_status, read, recovered = con.execute(
                "SELECT status, records_read, records_recovered FROM evidence").fetchone()
            stored = con.execute("SELECT count(*) FROM events").fetchone()[0]
            reasons = [r[0] for r in con.execute("SELECT reason FROM parse_errors")]
            want_read, want_recovered = reference(log)
            if status == "partly" and damage == "truncate" and got_status == "parsed" and not reasons:
                # A cut inside the final chunk that libevtx does not notice is still data loss
                # the examiner must be told about.
                failures.append("%s: truncation not reported" % damage)
            if got_status != status:
                failures.append("%s: status %s, expected %s (errors: %s)" % (damage, got_status, status, reasons[:3]))
            if (read, recovered) != (want_read, want_recovered):
                failures.append("%s: read %d + %d recovered, libevtx reads %d + %d" % (
                    damage, read, recovered, want_read, want_recovered))
            if stored < want_read:
                failures.append("%s: stored %d events, fewer than the %d readable" % (damage, stored, want_read))
            if reason_word and not any(reason_word in r for r in reasons):
                failures.append("%s: no parse_errors row mentions %r: %s" % (damage, reason_word, reasons))
            if damage != "dirty" and not reasons:
                failures.append("%s: no parse_errors row" % damage)
            print("%s: status %s, %d read + %d recovered, %d stored, %d errors" % (
                damage, got_status, read, recovered, stored, len(reasons)))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
