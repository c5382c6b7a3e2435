#!/usr/bin/python3
"""`sandtrace record ID` renders a stored record again from its evidence file (METHOD.md §8.10).

Forges the bundled case into a scratch folder, ingests it with --all-events, then for every
events row:
  - a record whose XML is stored (catalogue): `record ID --xml` prints exactly the stored XML;
  - a record stored for its fields only (the remainder, METHOD.md §8.8): `record ID --xml` prints
    exactly the XML libevtx (python3-libevtx, an independent reader) gives for the record with
    the same number and written time, and its event id and EventData/UserData fields are those
    the stored row holds (flattened by the reference rules of evtx_reference.py);
  - the remainder's dedup key (content_hash) is the FNV-1a 64 of its fields as parsers/evtx.h
    documents it, recomputed here from the stored row: it is not derived from rendered XML.
The same logs are then put in a ZIP and ingested from it: `record` reads each record's member from
the container (its SHA-256 checked) and must print the stored XML, or libevtx's XML of the loose
file's record for one stored without it. Then the evidence is changed (one byte) and removed, in the folder and in the ZIP: `record`
must exit 1 and say so. With the real corpus present, the same comparisons run on a sample of every
log's records, loose and in a ZIP (the corpus holds logs sandtrace reads through libevtx, so both
ways of rendering are exercised, from a file and from memory).
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evtx_reference import flatten_payload, NS  # noqa: E402
from case_store import E_XML, connect  # noqa: E402

SKIP = 77
SAMPLE = 8   # records per corpus log


def fnv_fields(row):
    """The C evtx_event_fields_hash over a stored events row (dict), as a signed 64-bit int."""
    h = 14695981039346656037

    def more(data):
        nonlocal h
        for b in data:
            h ^= b
            h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF

    def text(value):
        more(b"\x00" if value is None else value.encode("utf-8"))
        more(b"\x1f")

    def number(value, absent):
        text(str(absent if value is None else value))

    number(row["record_id"], 0)
    number(row["time"], 0)
    number(row["event_id"], 0)
    for name in ("qualifiers", "version", "level", "task", "opcode", "process_id", "thread_id"):
        number(row[name], -1)
    for name in ("provider", "provider_guid", "keywords", "channel", "computer", "user_sid",
                 "activity_id", "related_activity_id", "data"):
        text(row[name])
    return h - (1 << 64) if h >= 1 << 63 else h


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


_LIBEVTX = {}


def libevtx_xml(path, number, written, recovered):
    """libevtx's XML of the record with that header number and written time (python3-libevtx),
    from an index of the file built once."""
    import pyevtx  # python3-libevtx, Debian
    if path not in _LIBEVTX:
        f = pyevtx.file()
        f.open(path)
        places = {}
        for kind, count, get in ((0, f.number_of_records, f.get_record),
                                 (1, f.number_of_recovered_records, f.get_recovered_record)):
            for i in range(count):
                try:
                    record = get(i)
                except OSError:   # a record libevtx cannot read: not one it could render
                    continue
                places.setdefault((kind, record.identifier,
                                   record.get_written_time_as_integer()), (get, i))
        _LIBEVTX[path] = (f, places)
    f, places = _LIBEVTX[path]
    for (kind, ident, when), (get, i) in places.items():
        if kind == int(bool(recovered)) and ident == number and (written is None or when == written):
            return get(i).xml_string
    return None


def check_rows(sandtrace, db, where, limit=None):
    con = connect(db)
    con.row_factory = sqlite3.Row
    rows = con.execute("SELECT e.*, %s AS xml_text, (SELECT path FROM evidence_paths p WHERE "
                       "p.evidence_id = e.evidence_id ORDER BY p.id LIMIT 1) AS path FROM events e "
                       "ORDER BY e.evidence_id, e.id" % E_XML).fetchall()
    con.close()
    errors, stored, remainder, per_file = [], 0, 0, {}
    for row in rows:
        n = per_file.get(row["evidence_id"], 0)
        if limit is not None and n >= limit:
            continue
        per_file[row["evidence_id"]] = n + 1
        label = "%s events.id=%d (record %d)" % (where, row["id"], row["record_id"])
        # bytes, not text: the XML's own line ends (\r\n in some values) must survive
        got = subprocess.run([sandtrace, "record", str(row["id"]), "--case", db, "--xml"],
                             capture_output=True)
        xml = got.stdout.decode("utf-8", "surrogateescape")
        if row["xml_text"] is not None:
            stored += 1
            if got.returncode != 0 or xml != row["xml_text"]:
                errors.append("%s: rendered again (exit %d, %s) differs from the stored XML" % (
                    label, got.returncode, got.stderr[-200:]))
            continue
        if row["channel"] is None:
            continue   # libevtx could not render it at ingest either (§8.4)
        remainder += 1
        if fnv_fields(dict(row)) != row["content_hash"]:
            errors.append("%s: content_hash is not the hash of its fields" % label)
        want = libevtx_xml(row["path"], row["header_record_id"], row["written_time"],
                           row["recovered"])
        if got.returncode != 0:
            errors.append("%s: exit %d: %s" % (label, got.returncode, got.stderr[-300:]))
            continue
        if want is None or xml != want:
            errors.append("%s: XML differs from libevtx's" % label)
            continue
        event = ET.fromstring(xml)
        event_id = int(event.find(NS + "System").find(NS + "EventID").text)
        import json
        if event_id != row["event_id"] or flatten_payload(event) != json.loads(row["data"]):
            errors.append("%s: the rendered record's event id / fields differ from the stored "
                          "row" % label)
    print("%s: %d records with stored XML rendered again identically, %d without XML equal to "
          "libevtx's" % (where, stored, remainder))
    if stored == 0 or remainder == 0:
        errors.append("%s: expected records of both kinds (%d, %d)" % (where, stored, remainder))
    return errors


def refused(sandtrace, db, row_id, words, label):
    """`record ROW_ID` must exit 1, print nothing and say WORDS on stderr; [] or [the error]."""
    got = run([sandtrace, "record", str(row_id), "--case", db])
    if got.returncode != 1 or words not in got.stderr or got.stdout:
        return ["%s: exit %d, stderr %r" % (label, got.returncode, got.stderr)]
    return []


def check_evidence_changes(sandtrace, db, collection):
    """A changed or missing file: exit 1 and the reason, never XML of other bytes."""
    con = sqlite3.connect(db)
    row_id, path = con.execute(
        "SELECT e.id, p.path FROM events e JOIN evidence_paths p ON p.evidence_id = e.evidence_id "
        "WHERE e.xml IS NULL AND e.channel IS NOT NULL ORDER BY e.id LIMIT 1").fetchone()
    con.close()
    errors = []
    keep = path + ".orig"
    shutil.copy2(path, keep)
    with open(path, "r+b") as f:
        f.seek(os.path.getsize(path) - 1)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xFF]))
    errors += refused(sandtrace, db, row_id, "changed since it was ingested", "changed evidence")
    os.remove(path)
    errors += refused(sandtrace, db, row_id, "cannot be read", "missing evidence")
    os.rename(keep, path)
    got = run([sandtrace, "record", str(row_id), "--case", db])
    if got.returncode != 0 or "not stored, METHOD.md" not in got.stdout:
        errors.append("restored evidence: exit %d, stderr %r" % (got.returncode, got.stderr))
    errors += refused(sandtrace, db, 999999999, "no record events.id=999999999", "no such record")
    print("evidence changed / removed / restored, record absent: %s" % (
        "as expected" if not errors else "FAILED"))
    return errors


def zip_folder(folder, zip_path):
    """FOLDER's files into a new ZIP (deflated), named by their path below FOLDER's parent."""
    import zipfile
    base = os.path.dirname(folder)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                z.write(path, os.path.relpath(path, base))


def check_container(sandtrace, folder, tmp, where, limit):
    """The same logs read from a ZIP: `record` reads the member from the container (hash checked)
    and prints the stored XML, or for a record stored without it libevtx's XML of the loose file's
    record (as check_rows). Then the member is changed, and the container removed."""
    zip_path = os.path.join(tmp, os.path.basename(folder) + ".zip")
    zip_folder(folder, zip_path)
    zdb = os.path.join(tmp, os.path.basename(folder) + "-zip.db")
    ingested = run([sandtrace, "ingest", zip_path, "--case", zdb, "--all-events"])
    if ingested.returncode != 0:
        return ["%s in a ZIP: ingest: %s" % (where, ingested.stderr[-2000:])]
    con = connect(zdb)
    con.row_factory = sqlite3.Row
    rows = con.execute("SELECT e.*, %s AS xml_text, (SELECT path FROM evidence_paths p WHERE "
                       "p.evidence_id = e.evidence_id ORDER BY p.id LIMIT 1) AS path FROM events e "
                       "ORDER BY e.evidence_id, e.id" % E_XML).fetchall()
    con.close()
    errors, compared, per_file, kinds = [], 0, {}, set()
    for row in rows:
        if per_file.get(row["evidence_id"], 0) >= limit or row["channel"] is None:
            continue
        per_file[row["evidence_id"]] = per_file.get(row["evidence_id"], 0) + 1
        label = "%s in a ZIP: events.id=%d (%s)" % (where, row["id"], row["path"])
        if "!" not in row["path"]:
            errors.append("%s: not a member path" % label)
            continue
        want = row["xml_text"]
        if want is None:
            loose = os.path.join(os.path.dirname(folder), row["path"].split("!", 1)[1])
            want = libevtx_xml(loose, row["header_record_id"], row["written_time"],
                               row["recovered"])
        got = subprocess.run([sandtrace, "record", str(row["id"]), "--case", zdb, "--xml"],
                             capture_output=True)
        if got.returncode != 0 or want is None or got.stdout.decode("utf-8", "surrogateescape") != want:
            errors.append("%s: exit %d, XML differs from the %s (%s)" % (
                label, got.returncode, "stored XML" if row["xml_text"] else "libevtx's",
                got.stderr.decode("utf-8", "replace")[-300:]))
            continue
        compared += 1
        kinds.add(row["xml_text"] is None)
    print("%s in a ZIP: %d records rendered again from the container's members, each equal to "
          "the stored XML or libevtx's" % (where, compared))
    if compared == 0 or (where == "bundled case" and kinds != {False, True}):
        errors.append("%s in a ZIP: expected records with and without stored XML (%d compared)" %
                      (where, compared))
    if where != "bundled case":
        return errors
    # the member changed (its last byte), then the container gone: exit 1 and the reason
    con = sqlite3.connect(zdb)
    row_id, path = con.execute(
        "SELECT e.id, p.path FROM events e JOIN evidence_paths p ON p.evidence_id = e.evidence_id "
        "WHERE e.xml IS NULL AND e.channel IS NOT NULL ORDER BY e.id LIMIT 1").fetchone()
    con.close()
    member = path.split("!", 1)[1]
    import zipfile
    with zipfile.ZipFile(zip_path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    os.remove(zip_path)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == member:
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            z.writestr(info, data)
    errors += refused(sandtrace, zdb, row_id, "changed since it was ingested", "changed member")
    os.remove(zip_path)
    errors += refused(sandtrace, zdb, row_id, "cannot be read", "missing container")
    print("member changed / container removed: %s" % ("as expected" if not errors else "FAILED"))
    return errors


def main():
    stforge, sandtrace, case_source, corpus = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as tmp:
        collection = os.path.join(tmp, "case")
        forged = run([stforge, "case", case_source, collection])
        if forged.returncode != 0:
            print("FAIL: stforge case: " + forged.stderr)
            return 1
        db = os.path.join(tmp, "case.db")
        ingested = run([sandtrace, "ingest", collection, "--case", db, "--all-events"])
        if ingested.returncode != 0:
            print("FAIL: ingest: " + ingested.stderr[-2000:])
            return 1
        errors = check_rows(sandtrace, db, "bundled case")
        errors += check_container(sandtrace, collection, tmp, "bundled case", 12)
        errors += check_evidence_changes(sandtrace, db, collection)
        corpus_present = os.path.isdir(corpus)
        if corpus_present:
            cdb = os.path.join(tmp, "corpus.db")
            ingested = run([sandtrace, "ingest", os.path.join(corpus, "evtx"), "--case", cdb,
                            "--all-events"])
            if ingested.returncode != 0:
                errors.append("corpus ingest: " + ingested.stderr[-2000:])
            else:
                errors += check_rows(sandtrace, cdb, "corpus", limit=SAMPLE)
                errors += check_container(sandtrace, os.path.join(corpus, "evtx"), tmp,
                                          "corpus", 3)
        for e in errors[:40]:
            print("FAIL: " + e)
        if errors:
            return 1
        if not corpus_present:
            print("SKIP: corpus folder %s not present (the bundled case passed)" % corpus)
            return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main())
