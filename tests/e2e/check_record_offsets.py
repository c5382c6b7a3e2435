#!/usr/bin/python3
"""Every stored record cites a true place in its evidence file.

Ingests the bundled case (forged with stforge) and every .evtx of the real corpus, then for every
row of events and event_sources that has an offset:
  - the bytes at that offset of the evidence file are the record signature "**\\0\\0",
  - the u64 at offset + 16 is an events row's written_time,
  - the u64 at offset + 8 is the row's header_record_id (for an event_sources row from a log
    saved into a new file, which numbers its records anew: the EventRecordID python-evtx reads
    there is the row's record_id),
  - chunk = (offset - 4096) // 65536;
and for allocated records, python-evtx (an independent parser) places the record with the number
found there at the same offset. A row without an offset must have no chunk either; such rows are counted per
file and kind. An allocated record of an undamaged file (everything but corpus/evtx/damaged and
its manifest's corrupted or dirty files) without an offset fails the test.

The bundled case is also ingested with the default profile: a record that profile stores is a
catalogue record, and the --all-events store keeps its XML (the same text); any other record of the
--all-events store keeps its System fields, its EventData/UserData fields (the names and values
python-evtx reads at its offset) and its offset, but no XML (METHOD.md §8.8).

Exits 77 (skipped) when the corpus is absent, after checking the bundled case.
"""
import collections
import json
import os
import re
import sqlite3
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_store  # noqa: E402

SKIP = 77
HEADER, CHUNK = 4096, 65536

ROWS = """
SELECT p.path, e.header_record_id, e.record_id, e.written_time, e.offset, e.chunk, e.recovered,
       'events' AS tab
  FROM events e JOIN evidence_paths p ON p.evidence_id = e.evidence_id
UNION ALL
SELECT p.path, e.header_record_id, e.record_id, NULL, s.offset, s.chunk, s.recovered,
       'event_sources'
  FROM event_sources s JOIN events e ON e.id = s.event_id_ref
  JOIN evidence_paths p ON p.evidence_id = s.evidence_id
"""


def python_evtx_offsets(path):
    """record number -> offsets where python-evtx reads it; python-evtx may stop on damage."""
    import Evtx.Evtx as Evtx  # python3-evtx, Debian
    places = collections.defaultdict(list)
    try:
        with Evtx.Evtx(path) as log:
            for chunk in log.chunks():
                try:
                    for record in chunk.records():
                        places[record.record_num()].append(record.offset())
                except Exception:  # a damaged chunk: keep what was read before it
                    continue
    except Exception:
        pass
    return places


def event_record_id_at(path, offset):
    """EventRecordID of the record python-evtx reads at OFFSET of PATH (None if unreadable).

    An event_sources row links a further copy of an event: in a log saved into a new file the
    copy's header number differs from the first copy's (events.header_record_id) while its
    EventRecordID is the same."""
    text = record_xml_at(path, offset)
    m = re.search(r"<EventRecordID>(\d+)</EventRecordID>", text or "")
    return int(m.group(1)) if m else None


def record_xml_at(path, offset):
    """The XML python-evtx renders for the record at OFFSET of PATH (None if unreadable)."""
    import Evtx.Evtx as Evtx  # python3-evtx, Debian
    try:
        with Evtx.Evtx(path) as log:
            chunk = Evtx.ChunkHeader(log._buf, HEADER + (offset - HEADER) // CHUNK * CHUNK)
            return Evtx.Record(log._buf, offset, chunk).xml()
    except Exception:
        return None


def ingest(sandtrace, folder, db, profile=("--all-events",)):
    run = subprocess.run([sandtrace, "ingest", folder, "--case", db, *profile, "--jobs", "2"],
                         capture_output=True, text=True)
    if run.returncode != 0 or "runtime error" in run.stderr or "Sanitizer" in run.stderr:
        print("FAIL: ingest of %s exited %d: %s" % (folder, run.returncode, run.stderr[-2000:]))
        sys.exit(1)


def check_store(db, damaged, label):
    """Checks every row of DB; returns (errors, rows checked, rows python-evtx also placed,
    rows without an offset per (file, kind))."""
    errors, checked, checked_recovered, compared, unknown = [], 0, 0, 0, collections.Counter()
    con = sqlite3.connect(db)
    by_file = collections.defaultdict(list)
    for row in con.execute(ROWS):
        by_file[row[0]].append(row[1:])
    for path, rows in sorted(by_file.items()):
        with open(path, "rb") as f:
            data = f.read()
        reference = python_evtx_offsets(path)
        for number, record_id, written_time, offset, chunk, recovered, table in rows:
            kind = "recovered" if recovered else "allocated"
            where = "%s %s record %d (%s)" % (label, os.path.basename(path), number, table)
            if offset is None:
                unknown[(os.path.basename(path), kind)] += 1
                if chunk is not None:
                    errors.append("%s: chunk %d without an offset" % (where, chunk))
                if not recovered and not damaged(path):
                    errors.append("%s: allocated record of an undamaged file has no offset" % where)
                continue
            checked += 1
            checked_recovered += recovered
            if offset < HEADER or offset + 16 > len(data):
                errors.append("%s: offset %d outside the file's records" % (where, offset))
                continue
            if data[offset:offset + 4] != b"**\0\0":
                errors.append("%s: bytes at offset %d are %r, not the record signature" % (
                    where, offset, data[offset:offset + 4]))
            found = struct.unpack_from("<Q", data, offset + 8)[0]
            if found != number and (table == "events" or
                                    event_record_id_at(path, offset) != record_id):
                errors.append("%s: record number at offset %d is %d" % (where, offset, found))
            if written_time is not None and offset + 24 <= len(data) and \
                    struct.unpack_from("<Q", data, offset + 16)[0] != written_time:
                errors.append("%s: written time at offset %d is not the row's" % (where, offset))
            if chunk != (offset - HEADER) // CHUNK:
                errors.append("%s: chunk %r, offset %d is in chunk %d" % (
                    where, chunk, offset, (offset - HEADER) // CHUNK))
            if not recovered and len(reference.get(found, [])) == 1 and \
                    reference[found][0] != offset:
                errors.append("%s: offset %d, python-evtx reads it at %d" % (
                    where, offset, reference[found][0]))
            if not recovered and reference.get(found):
                compared += 1
    con.close()
    print("%s: %d of the records checked are recovered ones" % (label, checked_recovered))
    return errors, checked, compared, unknown


def python_evtx_fields(path, offset):
    """(EventID, [(Data name, text)]) of the record python-evtx reads at OFFSET, or None."""
    import xml.etree.ElementTree as ET
    ns = "{http://schemas.microsoft.com/win/2004/08/events/event}"
    text = record_xml_at(path, offset)
    if text is None:
        return None
    root = ET.fromstring(text)
    event_id = int(root.find(ns + "System").find(ns + "EventID").text)
    data = root.find(ns + "EventData")
    pairs = [(d.get("Name"), d.text or "") for d in data] if data is not None else None
    return event_id, pairs


def check_remainder_xml(sandtrace, collection, all_db, tmp):
    """Catalogue records keep their XML with --all-events; the remainder keeps fields, not XML."""
    default_db = os.path.join(tmp, "default.db")
    ingest(sandtrace, collection, default_db, ())
    key = "channel, computer, record_id, content_hash"
    catalogue = {tuple(r[:4]): r[4] for r in case_store.connect(default_db).execute(
        "SELECT %s, %s FROM events" % (key, case_store.XML))}
    errors, kept, remainder, compared = [], 0, 0, 0
    con = case_store.connect(all_db)
    for row in con.execute("SELECT %s, %s, data, offset, chunk, event_id, recovered, "
                           "(SELECT path FROM evidence_paths p WHERE p.evidence_id = e.evidence_id "
                           "ORDER BY p.id LIMIT 1) FROM events e" % (key, case_store.E_XML)):
        channel, computer, record_id, _, xml, data, offset, chunk, event_id, recovered, path = row
        where = "%s record %d (%s)" % (os.path.basename(path), record_id, channel)
        if tuple(row[:4]) in catalogue:
            kept += 1
            if xml is None or xml != catalogue[tuple(row[:4])]:
                errors.append("%s: catalogue record without its XML under --all-events" % where)
            continue
        remainder += 1
        if xml is not None:
            errors.append("%s: record outside the catalogue stored with its XML" % where)
        if offset is None or chunk is None:
            errors.append("%s: record outside the catalogue has no offset" % where)
            continue
        fields = json.loads(data)
        if not isinstance(fields, dict):
            errors.append("%s: data is not a JSON object" % where)
            continue
        theirs = None if recovered else python_evtx_fields(path, offset)
        if theirs is None:
            continue
        if theirs[0] != event_id:
            errors.append("%s: event id %d, python-evtx %d" % (where, event_id, theirs[0]))
        if theirs[1] is not None and \
                [(n, str(v)) for n, v in fields.items()] != theirs[1]:
            errors.append("%s: fields %r, python-evtx %r" % (where, fields, theirs[1]))
        compared += 1
    con.close()
    print("bundled case --all-events: %d catalogue records with XML, %d others without "
          "(%d of them compared with python-evtx at their offset)" % (kept, remainder, compared))
    if kept == 0 or remainder == 0 or compared == 0:
        errors.append("expected both catalogue and other records (%d, %d, %d compared)" % (
            kept, remainder, compared))
    for e in errors[:40]:
        print("FAIL: " + e)
    return not errors


def damaged_in_manifest(corpus):
    """Corpus paths the manifest marks corrupted or dirty, and everything under damaged/."""
    marked = set()
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    with open(manifest, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            flags = re.search(r"flags=([a-z,]+)", row.get("notes", ""))
            if row.get("kind") == "evtx" and flags and \
                    ("corrupted" in flags.group(1) or "dirty" in flags.group(1)):
                marked.add(os.path.realpath(os.path.join(corpus, row["path"])))
    damaged_dir = os.path.realpath(os.path.join(corpus, "evtx", "damaged")) + os.sep
    return lambda path: os.path.realpath(path) in marked or \
        os.path.realpath(path).startswith(damaged_dir)


def report(label, errors, checked, compared, unknown):
    print("%s: %d records checked at their offsets (%d allocated ones also placed by python-evtx), "
          "%d without an offset" % (label, checked, compared, sum(unknown.values())))
    for (name, kind), n in sorted(unknown.items()):
        print("  %s: %d %s record(s) without an offset" % (name, n, kind))
    for e in errors[:40]:
        print("FAIL: " + e)
    if len(errors) > 40:
        print("... %d failures in all" % len(errors))
    return not errors


def main():
    stforge, sandtrace, case_source, corpus = sys.argv[1:5]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        collection = os.path.join(tmp, "case")
        run = subprocess.run([stforge, "case", case_source, collection], capture_output=True, text=True)
        if run.returncode != 0:
            print("FAIL: stforge case: " + run.stderr)
            return 1
        db = os.path.join(tmp, "case.db")
        ingest(sandtrace, collection, db)
        errors, checked, compared, unknown = check_store(db, lambda path: False, "bundled case")
        ok = report("bundled case", errors, checked, compared, unknown) and ok
        ok = check_remainder_xml(sandtrace, collection, db, tmp) and ok
        if checked == 0:
            print("FAIL: bundled case: no record had an offset")
            ok = False
        if not os.path.isdir(corpus):
            print("SKIP: corpus folder %s not present (the bundled case %s)" % (
                corpus, "passed" if ok else "FAILED"))
            return SKIP if ok else 1
        db = os.path.join(tmp, "corpus.db")
        ingest(sandtrace, os.path.join(corpus, "evtx"), db)
        errors, checked, compared, unknown = check_store(db, damaged_in_manifest(corpus), "corpus")
        ok = report("corpus", errors, checked, compared, unknown) and ok
        if checked < 1000:
            print("FAIL: only %d corpus records checked; expected thousands" % checked)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
