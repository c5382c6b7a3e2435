#!/usr/bin/python3
"""events.xml is kept compressed in the SQLite Archive layout and read back unchanged (METHOD.md §8.12).

Forges the bundled case and ingests it with --all-events, then for every events row with XML:
  - the layout: `xml` is a blob, `xml_size` the length of the rendered text; the blob is a zlib
    stream shorter than the text, or the text itself when its length equals xml_size;
  - read back with Python's zlib (case_store.py, written from the layout, not from sandtrace), the
    text is libevtx's rendering of the same record (python3-libevtx: an independent reader),
    byte for byte;
  - the Debian sqlite3 shell's own sqlar_uncompress(xml, xml_size) gives the same bytes, so an
    examiner with the shell alone reads the XML;
  - the store keeps less than 60 % of the XML's bytes (the records compress to about 45 %).
Then a store of the previous schema version (8) is refused by a reading command and by ingest,
with both versions named, and is left unchanged.
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case_store import XML, connect, sqlar_uncompress  # noqa: E402
from check_record_command import libevtx_xml  # noqa: E402


def check_layout(db):
    errors = []
    con = connect(db)
    rows = con.execute(
        "SELECT e.id, typeof(e.xml), e.xml, e.xml_size, e.header_record_id, e.written_time, "
        "e.recovered, (SELECT path FROM evidence_paths p WHERE p.evidence_id = e.evidence_id "
        "ORDER BY p.id LIMIT 1) FROM events e WHERE e.xml IS NOT NULL ORDER BY e.id").fetchall()
    stored = text_bytes = compressed = 0
    for row_id, kind, data, size, number, written, recovered, path in rows:
        label = "events.id=%d" % row_id
        if kind != "blob" or size is None:
            errors.append("%s: xml is %s with xml_size %r, not a blob and its size" % (label, kind, size))
            continue
        if len(data) > size or (len(data) < size and not data.startswith(b"\x78")):
            errors.append("%s: %d stored bytes for %d: neither a zlib stream nor the text" % (
                label, len(data), size))
            continue
        compressed += len(data) < size
        stored += len(data)
        text_bytes += size
        try:
            text = sqlar_uncompress(data, size).decode("utf-8")
        except Exception as e:  # zlib.error, ValueError, UnicodeDecodeError
            errors.append("%s: does not read back: %s" % (label, e))
            continue
        want = libevtx_xml(path, number, written, recovered)
        if want is None or text != want:
            errors.append("%s: XML read back differs from libevtx's rendering" % label)
    if not rows:
        errors.append("no record with XML stored")
    elif stored >= 0.6 * text_bytes or compressed < len(rows) // 2:
        errors.append("the XML is not compressed: %d bytes stored for %d (%d of %d rows compressed)"
                      % (stored, text_bytes, compressed, len(rows)))
    print("%d records with XML: %d bytes stored for %d bytes of XML (%.1f %%), %d compressed" % (
        len(rows), stored, text_bytes, 100.0 * stored / max(text_bytes, 1), compressed))

    shell = shutil.which("sqlite3")
    if not shell:
        print("SKIP part: no sqlite3 shell (Debian package sqlite3) to read the XML with")
    else:
        ours = {r: t for r, t in con.execute("SELECT id, %s FROM events WHERE xml IS NOT NULL" % XML)}
        out = subprocess.run([shell, "-readonly", db, "SELECT id, hex(sqlar_uncompress(xml, xml_size)) "
                              "FROM events WHERE xml IS NOT NULL ORDER BY id"],
                             capture_output=True, text=True)
        seen = 0
        for line in out.stdout.splitlines():
            row_id, hexed = line.split("|", 1)
            seen += 1
            if bytes.fromhex(hexed).decode("utf-8") != ours.get(int(row_id)):
                errors.append("events.id=%s: the sqlite3 shell's sqlar_uncompress reads other bytes"
                              % row_id)
        if out.returncode != 0 or seen != len(ours):
            errors.append("sqlite3 shell: exit %d, %d of %d rows read: %s" % (
                out.returncode, seen, len(ours), out.stderr[-300:]))
    con.close()
    return errors


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def check_older_store(sandtrace, db, collection, tmp):
    """A store of schema version 8 is refused, named as such, and not written."""
    errors = []
    old = os.path.join(tmp, "old.db")
    shutil.copyfile(db, old)
    con = sqlite3.connect(old)
    con.execute("PRAGMA user_version = 8")
    con.commit()
    con.close()
    before = sha256(old)
    for cmd in ([sandtrace, "sessions", "--case", old],
                [sandtrace, "ingest", collection, "--case", old, "--all-events"]):
        got = subprocess.run(cmd, capture_output=True, text=True)
        if got.returncode == 0 or "schema version 8, this sandtrace uses version 10" not in got.stderr:
            errors.append("%s on a version-8 store: exit %d, %r" % (cmd[1], got.returncode,
                                                                   got.stderr[-300:]))
    if sha256(old) != before:
        errors.append("the version-8 store was written")
    return errors


def main():
    stforge, sandtrace, case_source = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="st-packed-")
    try:
        collection = os.path.join(tmp, "case")
        subprocess.run([stforge, "case", case_source, collection], check=True, capture_output=True)
        db = os.path.join(tmp, "all.db")
        subprocess.run([sandtrace, "ingest", collection, "--case", db, "--all-events"], check=True,
                       capture_output=True)
        errors = check_layout(db) + check_older_store(sandtrace, db, collection, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for e in errors[:40]:
        print("FAIL:", e)
    if errors:
        print("%d failure(s)" % len(errors))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
