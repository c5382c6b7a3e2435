#!/usr/bin/python3
"""Mutants: no damaged log or hive is lost silently, and none crashes the ingest.

From the bundled case's forged event logs and hives, 200 EVTX and 100 hive mutants are made with a
seeded random generator (the same mutants on every run): bytes flipped in the file header (base
block), a chunk header (hive bin header), a record header, the BinXML (cell) area, and truncations.
They go into ONE collection with evidence-like names (numbered folders holding winevt/Logs/*.evtx
and config/SYSTEM-like hives) and are ingested once, under the sanitizers of the test build.

Asserted: sandtrace exits 0 or 1 with no sanitizer report; every file of the collection is in
evidence_paths; every mutant is evidence (kind evtx or hive, never not_evidence) and either has
status parsed or at least one parse_errors row, with a status that says how far it was read.
"""
import hashlib
import os
import random
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

EVTX_MUTANTS = 200
HIVE_MUTANTS = 100
SEED = 20250106

FILE_HEADER = 4096     # EVTX file header block (METHOD.md §1.9); the hive base block likewise
CHUNK_HEADER = 512     # EVTX chunk header; records follow it
RECORD_HEADER = 24     # "**\0\0", size, record id, written time
HBIN_HEADER = 32


def flip_bytes(rng, data, start, end, count):
    """Flips COUNT bytes (XOR with a non-zero byte) at random offsets in [start, end)."""
    end = min(end, len(data))
    if end <= start:
        start, end = 0, len(data)
    for _ in range(count):
        data[rng.randrange(start, end)] ^= rng.randrange(1, 256)


def evtx_regions(data):
    """Where an EVTX mutant is damaged: (name, (start, end, flips)) with flips 0 = 1 to 4 bytes,
    or (name, None) for a truncation. A name listed twice is chosen twice as often."""
    free_space = struct.unpack_from("<I", data, FILE_HEADER + 48)[0] if len(data) > FILE_HEADER + 52 else 0
    chunk_end = FILE_HEADER + max(free_space, CHUNK_HEADER + RECORD_HEADER + 1)
    binxml = FILE_HEADER + CHUNK_HEADER + RECORD_HEADER
    return [("file header", (0, 128, 0)), ("file magic", (0, 8, 1)),
            ("chunk header", (FILE_HEADER, FILE_HEADER + CHUNK_HEADER, 0)),
            ("chunk magic", (FILE_HEADER, FILE_HEADER + 8, 1)),
            ("record header", (FILE_HEADER + CHUNK_HEADER, binxml, 0)),
            ("binxml", (binxml, chunk_end, 0)), ("binxml", (binxml, chunk_end, 0)),
            ("truncate", None)]


def hive_regions(data):
    """Where a hive mutant is damaged (as evtx_regions)."""
    return [("base block", (0, 512, 0)), ("signature", (0, 4, 1)), ("checksum", (508, 512, 1)),
            ("hbin header", (FILE_HEADER, FILE_HEADER + HBIN_HEADER, 0)),
            ("cells", (FILE_HEADER + HBIN_HEADER, len(data), 0)),
            ("cells", (FILE_HEADER + HBIN_HEADER, len(data), 0)), ("truncate", None)]


def mutant(rng, source, regions):
    """A copy of SOURCE damaged in one of REGIONS(SOURCE), chosen at random: (name, bytes)."""
    data = bytearray(source)
    kind, region = rng.choice(regions(source))
    if region is None:
        del data[rng.randrange(1, len(data)):]
    else:
        start, end, flips = region
        flip_bytes(rng, data, start, end, flips or rng.randrange(1, 5))
    return kind, bytes(data)


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    failures = []
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        forged = os.path.join(tmp, "forged")
        subprocess.run([stforge, "case", source, forged], check=True, capture_output=True)
        system32 = os.path.join(forged, "C", "Windows", "System32")
        logs = sorted(os.path.join(system32, "winevt", "Logs", n)
                      for n in os.listdir(os.path.join(system32, "winevt", "Logs")))
        # the primary hives only: a transaction log (NAME.LOGn) is not a hive
        hives = sorted(os.path.join(system32, "config", n) for n in os.listdir(os.path.join(system32, "config"))
                       if ".LOG" not in n)
        sources = {p: open(p, "rb").read() for p in logs + hives}

        collection = os.path.join(tmp, "collection")
        mutants = {}   # path -> mutation kind
        seen = set(hashlib.sha256(d).digest() for d in sources.values())
        for count, sources_of_kind, regions, place in (
                (EVTX_MUTANTS, logs, evtx_regions, ("winevt", "Logs")),
                (HIVE_MUTANTS, hives, hive_regions, ("config",))):
            made = 0
            while made < count:
                original = rng.choice(sources_of_kind)
                kind, data = mutant(rng, sources[original], regions)
                digest = hashlib.sha256(data).digest()
                if digest in seen:   # one evidence row per content: keep every mutant distinct
                    continue
                seen.add(digest)
                folder = os.path.join(collection, "%s%03d" % (place[-1][0].lower(), made), *place)
                os.makedirs(folder)
                path = os.path.join(folder, os.path.basename(original))
                open(path, "wb").write(data)
                mutants[path] = kind
                made += 1

        db = os.path.join(tmp, "case.db")
        started = time.monotonic()
        # libevtx and libregf leak on some of their own error paths (reproduced with the libraries
        # alone); tests/fuzz/lsan.supp lists those, and only those, as known library leaks.
        env = dict(os.environ)
        env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "lsan.supp")
        run = subprocess.run([sandtrace, "ingest", collection, "--case", db, "--jobs", "2"],
                             capture_output=True, text=True, env=env)
        seconds = time.monotonic() - started
        if run.returncode not in (0, 1):
            failures.append("ingest exited %d: %s" % (run.returncode, run.stderr[-3000:]))
        if "runtime error" in run.stderr or "Sanitizer" in run.stderr:
            failures.append("sanitizer report: " + run.stderr[-3000:])
        con = sqlite3.connect(db)
        listed = {}
        for path, evidence_id, kind, status in con.execute(
                "SELECT p.path, e.id, e.kind, e.status FROM evidence_paths p "
                "JOIN evidence e ON e.id = p.evidence_id"):
            listed[path] = (evidence_id, kind, status)
        with_errors = set(r[0] for r in con.execute("SELECT DISTINCT evidence_id FROM parse_errors"))

        for root, _, files in os.walk(collection):
            for name in files:
                path = os.path.join(root, name)
                if path not in listed:
                    failures.append("%s: not in evidence_paths" % os.path.relpath(path, collection))
        statuses = {}
        for path, mutation in sorted(mutants.items()):
            if path not in listed:
                continue
            evidence_id, kind, status = listed[path]
            statuses[status] = statuses.get(status, 0) + 1
            rel = os.path.relpath(path, collection)
            if kind not in ("evtx", "hive"):
                failures.append("%s (%s): kind %s" % (rel, mutation, kind))
            if status not in ("parsed", "partly", "failed"):
                failures.append("%s (%s): status %s" % (rel, mutation, status))
            elif status != "parsed" and evidence_id not in with_errors:
                failures.append("%s (%s): status %s without a parse_errors row" % (rel, mutation, status))
        print("%d EVTX + %d hive mutants ingested in %.1f s (exit %d); statuses %s" % (
            EVTX_MUTANTS, HIVE_MUTANTS, seconds, run.returncode, statuses))
    for f in failures[:50]:
        print("FAIL: " + f)
    if len(failures) > 50:
        print("FAIL: ... and %d more" % (len(failures) - 50))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
