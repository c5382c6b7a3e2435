#!/usr/bin/python3
"""A damaged hive inside a collection container is read as the same file on disk is (METHOD.md §2.5, §8.6).

Two damaged hives, each ingested twice: loose in a KAPE-like folder, and as a member of a zip (and
of a tar.gz) of that folder. The facts read from the hive (kind, subject, value, detail, time) and
the registry rows (key, value name, data) must be the same both ways, and there must be some (a
hive read as nothing both ways is a failure, not agreement); the repair must be recorded for the
member as for the file.
  forged     the bundled case's SYSTEM hive with its base block checksum and signature broken
             (libregf refuses it; sandtrace reads it through a repaired copy of the base block)
  corpus     regipy_corrupted_system_hive: 583 broken hive bin pages (read through a copy with
             them emptied); skipped with a message without the corpus

    check_container_hive_repair.py STFORGE SANDTRACE TESTDATA_CASE [CORPUS]
"""
import lzma
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zipfile

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def ingest(sandtrace, collection, db):
    run = subprocess.run([sandtrace, "ingest", collection, "--case", db], capture_output=True, text=True)
    check(run.returncode in (0, 1) and "Sanitizer" not in run.stderr,
          "ingest %s: %d %s" % (collection, run.returncode, run.stderr[-2000:]))


def read_hive(db_path):
    """(facts, reg_values, problems) of the one hive in the store (ingest derives the facts)."""
    db = sqlite3.connect(db_path)
    hive = db.execute("SELECT id FROM evidence WHERE kind = 'hive'").fetchall()
    check(len(hive) == 1, "%s: %d hive evidence rows" % (db_path, len(hive)))
    if len(hive) != 1:
        return set(), set(), []
    hive = hive[0][0]
    # an evidence_host fact's subject is the path as found: compared from the Windows folder on
    facts = set((k, s[s.rfind("C/Windows"):] if k == "evidence_host" else s, v, d, t)
                for k, s, v, d, t in db.execute("SELECT kind, subject, value, detail, coalesce(time, 0) "
                                                "FROM facts WHERE evidence_id = ?", (hive,)))
    values = set(db.execute("SELECT key_path, coalesce(value_name, '<key>'), coalesce(raw_hex, ''), "
                            "key_last_write FROM reg_values WHERE evidence_id = ?", (hive,)))
    problems = [r[0] for r in db.execute("SELECT reason FROM parse_errors WHERE evidence_id = ?", (hive,))]
    return facts, values, problems


def compare(label, folder, sandtrace, tmp, repair_words):
    loose_db = os.path.join(tmp, label + "-loose.db")
    ingest(sandtrace, folder, loose_db)
    loose = read_hive(loose_db)
    check(any(f[1] == "ComputerName" for f in loose[0]),
          "%s loose: no ComputerName fact (facts: %d)" % (label, len(loose[0])))
    check(any(repair_words in p for p in loose[2]), "%s loose: repair not recorded: %s" % (label, loose[2]))
    zip_path = os.path.join(tmp, label + ".zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for root, _, files in os.walk(folder):
            for name in files:
                full = os.path.join(root, name)
                z.write(full, os.path.relpath(full, folder))
    tar_path = os.path.join(tmp, label + ".tar.gz")
    with tarfile.open(tar_path, "w:gz") as t:
        t.add(folder, arcname=".")
    for container in (zip_path, tar_path):
        db = container + ".db"
        ingest(sandtrace, container, db)
        got = read_hive(db)
        kind = os.path.basename(container)
        check(got[0] == loose[0], "%s: facts differ from the loose file: only loose %s; only in "
              "the container %s" % (kind, sorted(loose[0] - got[0])[:5], sorted(got[0] - loose[0])[:5]))
        check(got[1] == loose[1], "%s: %d registry rows, loose %d (%d differ)"
              % (kind, len(got[1]), len(loose[1]), len(got[1] ^ loose[1])))
        check(any(repair_words in p for p in got[2]), "%s: repair not recorded: %s" % (kind, got[2]))
        print("%s: %d facts, %d registry rows equal to the loose file's" % (kind, len(got[0]), len(got[1])))


def break_base_block(path):
    data = bytearray(open(path, "rb").read())
    data[0:4] = b"rexf"           # signature
    data[0x1FC] ^= 0x5A           # checksum
    os.chmod(path, 0o644)
    open(path, "wb").write(bytes(data))


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[0])
        return 2
    stforge, sandtrace, source = sys.argv[1:4]
    corpus = sys.argv[4] if len(sys.argv) > 4 else ""
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "case")
        subprocess.run([stforge, "case", source, case], check=True, capture_output=True)
        forged = os.path.join(tmp, "forged")
        config = os.path.join(forged, "C", "Windows", "System32", "config")
        os.makedirs(config)
        shutil.copy(os.path.join(case, "C", "Windows", "System32", "config", "SYSTEM"), config)
        break_base_block(os.path.join(config, "SYSTEM"))
        compare("forged", forged, sandtrace, tmp, "read through a repaired copy in memory")
        source_xz = os.path.join(corpus, "hives", "damaged", "regipy_corrupted_system_hive.xz")
        if not corpus or not os.path.isfile(source_xz):
            print("corpus not found: its damaged SYSTEM hive not zipped")
        else:
            damaged = os.path.join(tmp, "damaged")
            config = os.path.join(damaged, "C", "Windows", "System32", "config")
            os.makedirs(config)
            with lzma.open(source_xz) as f, open(os.path.join(config, "SYSTEM"), "wb") as out:
                out.write(f.read())
            compare("corpus", damaged, sandtrace, tmp, "hive bins damaged")
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("ok: damaged hives in containers read as the loose files")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
