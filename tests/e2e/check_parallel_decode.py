#!/usr/bin/python3
"""Chunks decoded on several threads (METHOD.md §1.11) give the store and outputs of one thread.

The bundled case is forged, and its Security log replaced by a log of many chunks: the bundled
Security records repeated with new record numbers (about 80 chunks). The case is ingested with
`--jobs 1` and with `--jobs 4` (and both again with `--all-events`); the timeline (JSONL and
body), `sessions --json` and an export of every row of events, event_counts and parse_errors
(without the run's own numbers) must be byte-identical.

The first pass over the log (whether sandtrace's decoder may read it whole; its blocks are checked
on several threads too) must reach the same verdict with 1 and 4 threads, and the right one, on
copies of the sound log with data after the last chunk, zeros after it, a cut in a chunk, a chunk
copied over the next and a damaged byte in the last chunk.

Then one record in a middle chunk is damaged so that sandtrace's decoder refuses it while the
chunk still passes its CRC checks (its first Binary XML token made unknown, both CRC32s
recomputed), and the log is ingested again with 1 and 4 threads: the same stores, a parse_errors
row naming the record, and every other record stored: exactly the records libevtx, read
independently through its Python binding (pyevtx), reads.
"""
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zlib

import pyevtx  # python3-libevtx, Debian

REPEAT = 40
CHUNK = 65536
HEADER = 4096


def big_security_xml(source, out):
    text = open(source, encoding="utf-8").read()
    head = text[:text.index("<Event ")]
    events = re.findall(r"<Event .*?</Event>\s*", text, re.S)
    body = []
    number = 0
    for _ in range(REPEAT):
        for event in events:
            number += 1
            body.append(re.sub(r"<EventRecordID>\d+</EventRecordID>",
                               "<EventRecordID>%d</EventRecordID>" % number, event))
    with open(out, "w", encoding="utf-8") as f:
        f.write(head + "".join(body) + text[text.rindex("</Events>"):])
    return number


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in (0, 1) or "Sanitizer" in r.stderr or "runtime error" in r.stderr:
        raise SystemExit("FAIL: %s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr[-2000:]))
    return r.stdout


def export(sandtrace, case, db, outdir, all_events, jobs):
    """The outputs of one ingest, as a dict name -> bytes."""
    if os.path.exists(db):
        os.remove(db)
    cmd = [sandtrace, "ingest", case, "--case", db, "--jobs", str(jobs)]
    run(cmd + (["--all-events"] if all_events else []))
    run([sandtrace, "correlate", "--case", db])
    out = {"sessions": run([sandtrace, "sessions", "--json", "--case", db]).encode()}
    for fmt in ("jsonl", "body"):
        path = os.path.join(outdir, "timeline." + fmt)
        run([sandtrace, "timeline", "--case", db, "--format", fmt, "-o", path])
        out[fmt] = open(path, "rb").read()
    con = sqlite3.connect(db)
    for table, skip in (("events", ()), ("event_counts", ()), ("parse_errors", ("run_id", "id"))):
        cols = [c[1] for c in con.execute("PRAGMA table_info(%s)" % table) if c[1] not in skip]
        rows = con.execute("SELECT %s FROM %s ORDER BY %s" % (", ".join(cols), table, ", ".join(cols)))
        out[table] = repr(list(rows)).encode()
    out["events_in_id_order"] = repr(list(con.execute(
        "SELECT id, record_id, offset FROM events ORDER BY id"))).encode()
    con.close()
    return out


def damage_middle_record(path):
    """Makes the first record of the middle chunk unreadable to sandtrace's decoder (an unknown
    token where its Binary XML starts) and recomputes the chunk's CRC32s. Returns its record
    number."""
    data = bytearray(open(path, "rb").read())
    chunks = (len(data) - HEADER) // CHUNK
    base = HEADER + (chunks // 2) * CHUNK
    assert data[base:base + 8] == b"ElfChnk\0"
    record = base + 512
    assert data[record:record + 4] == b"**\0\0"
    number = struct.unpack_from("<Q", data, record + 8)[0]
    data[record + 24] = 0xFF
    free = struct.unpack_from("<I", data, base + 48)[0]
    struct.pack_into("<I", data, base + 52, zlib.crc32(bytes(data[base + 512:base + free])))
    struct.pack_into("<I", data, base + 124,
                     zlib.crc32(bytes(data[base:base + 120] + data[base + 128:base + 512])))
    open(path, "wb").write(bytes(data))
    return number, chunks


def first_pass_variants(sound, chunks):
    """Copies of the sound log's bytes, each with the verdict the first pass must reach."""
    cut = HEADER + (chunks // 2) * CHUNK + 1000
    copied = bytearray(sound)
    copied[HEADER + CHUNK:HEADER + 2 * CHUNK] = sound[HEADER:HEADER + CHUNK]
    flipped = bytearray(sound)
    flipped[HEADER + (chunks - 1) * CHUNK + 600] ^= 0xFF
    return [
        ("data after the last chunk", sound + b"X" * 100,
         "data after the %d chunk(s) the header counts" % chunks),
        ("zeros after the last chunk", sound + bytes(CHUNK + 1000), None),
        ("cut in a chunk", sound[:cut], "chunk %d is cut short (1000 of 65536 bytes)" % (chunks // 2)),
        ("cut after a chunk", sound[:HEADER + (chunks // 2) * CHUNK],
         "the header counts %d chunks, the file holds %d" % (chunks, chunks // 2)),
        ("chunk 0 copied over chunk 1", bytes(copied), "two chunks hold the same record numbers"),
        ("a byte of the last chunk changed", bytes(flipped), "chunk %d: " % (chunks - 1)),
    ]


def first_pass_verdicts(sandtrace, tmp, security, sound, chunks, failures):
    prefix = "read through libevtx: sandtrace's decoder does not read this file whole ("
    for label, data, want in first_pass_variants(sound, chunks):
        open(security, "wb").write(data)
        seen = {}
        for jobs in (1, 4):
            db = os.path.join(tmp, "v%d.db" % jobs)
            if os.path.exists(db):
                os.remove(db)
            run([sandtrace, "ingest", security, "--case", db, "--jobs", str(jobs)])
            con = sqlite3.connect(db)
            seen[jobs] = [r[0] for r in con.execute(
                "SELECT location || ': ' || reason FROM parse_errors ORDER BY id")]
            con.close()
            verdicts = [e for e in seen[jobs] if prefix in e]
            if want is None and verdicts:
                failures.append("%s, --jobs %d: decoder refused the log: %s" % (label, jobs, verdicts))
            if want is not None and (len(verdicts) != 1 or prefix + want not in verdicts[0]):
                failures.append("%s, --jobs %d: want the verdict '%s', got %s"
                                % (label, jobs, want, verdicts))
        if seen[1] != seen[4]:
            failures.append("%s: parse_errors differ between --jobs 1 and --jobs 4" % label)
    open(security, "wb").write(sound)


def libevtx_numbers(path):
    f = pyevtx.file()
    f.open(path)
    numbers = set()
    for i in range(f.number_of_records):
        try:
            r = f.get_record(i)
            r.get_xml_string()
            numbers.add(r.identifier)
        except (IOError, OSError):
            pass
    f.close()
    return numbers


def compare(label, one, four, failures):
    for name in one:
        if one[name] != four[name]:
            failures.append("%s: %s differs between --jobs 1 and --jobs 4" % (label, name))


def main():
    stforge, sandtrace, case_source = sys.argv[1:4]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "case")
        run([stforge, "case", case_source, case])
        logs = os.path.join(case, "C", "Windows", "System32", "winevt", "Logs")
        xml = os.path.join(tmp, "Security.xml")
        total = big_security_xml(os.path.join(case_source, "C", "Windows", "System32", "winevt",
                                              "Logs", "Security.evtx.xml"), xml)
        security = os.path.join(logs, "Security.evtx")
        run([stforge, "evtx", xml, security])
        chunks = (os.path.getsize(security) - HEADER) // CHUNK
        if chunks < 16:
            failures.append("the forged log has %d chunks, want at least 16" % chunks)
        for all_events in (0, 1):
            one = export(sandtrace, case, os.path.join(tmp, "a.db"), tmp, all_events, 1)
            four = export(sandtrace, case, os.path.join(tmp, "b.db"), tmp, all_events, 4)
            compare("sound log%s" % (" --all-events" if all_events else ""), one, four, failures)
            if all_events and one["events"].count(b"'Security'") < total:
                failures.append("--all-events stored fewer Security records than the %d forged" % total)

        first_pass_verdicts(sandtrace, tmp, security, open(security, "rb").read(), chunks, failures)
        number, _ = damage_middle_record(security)
        want = libevtx_numbers(security)
        results = {}
        for jobs in (1, 4):
            results[jobs] = export(sandtrace, case, os.path.join(tmp, "d%d.db" % jobs), tmp, 1, jobs)
            con = sqlite3.connect(os.path.join(tmp, "d%d.db" % jobs))
            got = {r[0] for r in con.execute(
                "SELECT e.header_record_id FROM events e JOIN evidence v ON v.id = e.evidence_id "
                "JOIN evidence_paths p ON p.evidence_id = v.id WHERE p.path LIKE '%Security.evtx'")}
            errors = [r[0] for r in con.execute(
                "SELECT location || ': ' || reason FROM parse_errors WHERE reason LIKE "
                "'read through libevtx: sandtrace''s decoder refused it%'")]
            con.close()
            if got != want:
                failures.append("damaged, --jobs %d: stored %d Security records, libevtx reads %d "
                                "(missing %s, extra %s)" % (jobs, len(got), len(want),
                                                            sorted(want - got)[:5], sorted(got - want)[:5]))
            if len(errors) != 1 or "unknown Binary XML token 0xff" not in errors[0]:
                failures.append("damaged, --jobs %d: want one parse_errors row for the refused record "
                                "%d, got %s" % (jobs, number, errors))
            if len(got) < total - 1:
                failures.append("damaged, --jobs %d: records lost beyond the damaged one" % jobs)
        compare("damaged log --all-events", results[1], results[4], failures)

    for f in failures:
        print("FAIL:", f)
    print("%d record(s) in %d chunk(s) compared between --jobs 1 and --jobs 4; %d failure(s)"
          % (total, chunks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
