#!/usr/bin/python3
"""Host artifacts end to end, on a collection made here: disguised archives (a zip named .dat,
an encrypted 7z named .db with and without encrypted headers, an honest .zip), a damaged hive, a
hostile and an oversized .wsb, a malformed task file. Each lands in the store as rows that say
what was found, damaged input leaves a parse_errors row and a status, nothing crashes, and the
rest of the collection is still read.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    seven_zip = shutil.which("7z")
    with tempfile.TemporaryDirectory() as tmp:
        col = os.path.join(tmp, "C")
        users = os.path.join(col, "Users", "Public", "Downloads")
        config = os.path.join(col, "Windows", "System32", "config")
        tasks = os.path.join(col, "Windows", "System32", "Tasks")
        for d in (users, config, tasks):
            os.makedirs(d)
        with zipfile.ZipFile(os.path.join(users, "data.dat"), "w") as z:
            z.writestr("payload.exe", b"MZ" + b"\0" * 64)
            z.writestr("readme.txt", "hello")
        with zipfile.ZipFile(os.path.join(users, "tools.zip"), "w") as z:
            z.writestr("a.txt", "a")
        if seven_zip:
            payload = os.path.join(tmp, "payload.bin")
            open(payload, "wb").write(os.urandom(1000))
            for name, extra in (("cache.db", []), ("index.db", ["-mhe=on"])):
                out = os.path.join(tmp, name + ".7z")
                subprocess.run([seven_zip, "a", "-pinfected", *extra, out, payload],
                               check=True, capture_output=True)
                shutil.move(out, os.path.join(users, name))
        else:
            print("SKIP part: 7z (p7zip-full) not installed, encrypted 7z cases not built")
        # A forged SOFTWARE hive, and the same hive cut in the middle of a hive bin.
        hive = os.path.join(config, "SOFTWARE")
        subprocess.run([stforge, "hive", os.path.join(source, "C/Windows/System32/config/SOFTWARE.hive.reg"),
                        hive], check=True)
        data = open(hive, "rb").read()
        os.makedirs(os.path.join(col, "copy"))
        open(os.path.join(col, "copy", "SOFTWARE.cut"), "wb").write(data[:4096 + 2000])
        # Hostile and oversized configurations, a malformed task.
        open(os.path.join(users, "laughs.wsb"), "w").write(
            '<?xml version="1.0"?><!DOCTYPE Configuration [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Configuration><LogonCommand>'
            '<Command>&b;</Command></LogonCommand></Configuration>')
        open(os.path.join(users, "huge.wsb"), "w").write(
            "<Configuration><Networking>Enable</Networking>" + " " * (2 * 1024 * 1024) + "</Configuration>")
        open(os.path.join(users, "good.wsb"), "w").write(
            "<Configuration><Networking>Disable</Networking></Configuration>")
        open(os.path.join(tasks, "Broken"), "w").write(
            '<?xml version="1.0"?><Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">'
            "<Actions><Exec><Command>C:\\Windows\\System32\\WindowsSandbox.exe</Command>"
            "<Arguments>C:\\x.wsb</Arguments></Exec>")

        db = os.path.join(tmp, "case.db")
        run = subprocess.run([sandtrace, "ingest", col, "--case", db], capture_output=True, text=True)
        check("runtime error" not in run.stderr and "Sanitizer" not in run.stderr, run.stderr[-1500:])
        con = sqlite3.connect(db)
        # The damaged hive, the oversized and hostile .wsb and the malformed task fail to parse:
        # a problem the user must see, so the ingest exits 1 (METHOD.md §8.4), having read the rest.
        failed = con.execute("SELECT count(*) FROM evidence WHERE status = 'failed'").fetchone()[0]
        check(failed > 0 and run.returncode == 1,
              "ingest with %d failed file(s) exited %d: %s" % (failed, run.returncode, run.stderr[-1500:]))

        archives = {os.path.basename(r[0]): r[1:] for r in con.execute(
            "SELECT path, family, name_mismatch, encrypted, headers_encrypted, entry_count, complete "
            "FROM archives")}
        check(archives.get("data.dat") == ("zip", 1, 0, 0, 2, 1), "data.dat: %s" % (archives.get("data.dat"),))
        check(archives.get("tools.zip") == ("zip", 0, 0, 0, 1, 1), "tools.zip: %s" % (archives.get("tools.zip"),))
        if seven_zip:
            check(archives.get("cache.db", ())[:4] == ("7z", 1, 1, 0), "cache.db: %s" % (archives.get("cache.db"),))
            check(archives.get("index.db", ())[:4] == ("7z", 1, 1, 1), "index.db: %s" % (archives.get("index.db"),))

        status = {os.path.basename(r[0]): (r[1], r[2]) for r in con.execute(
            "SELECT p.path, e.kind, e.status FROM evidence e JOIN evidence_paths p ON p.evidence_id = e.id")}
        errors = {}
        for path, reason in con.execute("SELECT path, reason FROM parse_errors"):
            errors.setdefault(os.path.basename(path), []).append(reason)
        check(status.get("SOFTWARE") == ("hive", "parsed"), "SOFTWARE: %s" % (status.get("SOFTWARE"),))
        check(status.get("SOFTWARE.cut") == ("hive", "failed") and errors.get("SOFTWARE.cut"),
              "cut hive: %s %s" % (status.get("SOFTWARE.cut"), errors.get("SOFTWARE.cut")))
        check(status.get("laughs.wsb", ("",))[1] == "failed" and errors.get("laughs.wsb"),
              "entity .wsb: %s %s" % (status.get("laughs.wsb"), errors.get("laughs.wsb")))
        check(status.get("huge.wsb", ("",))[1] == "failed" and any("1 MiB" in e for e in errors.get("huge.wsb", [])),
              "huge .wsb: %s %s" % (status.get("huge.wsb"), errors.get("huge.wsb")))
        check(status.get("good.wsb") == ("wsb", "parsed"), "good.wsb: %s" % (status.get("good.wsb"),))
        check(status.get("Broken") == ("task_xml", "partly") and errors.get("Broken"),
              "malformed task: %s %s" % (status.get("Broken"), errors.get("Broken")))
        broken = con.execute("SELECT well_formed, sandbox_launcher, wsb_path FROM tasks WHERE location LIKE '%Broken'").fetchone()
        check(broken == (0, 1, "C:\\x.wsb"), "malformed task still read: %s" % (broken,))
        check(con.execute("SELECT count(*) FROM reg_values").fetchone()[0] > 10, "the good hive's rows")
        check(con.execute("SELECT value FROM facts WHERE kind = 'feature_state'").fetchone() == ("enabled",),
              "feature state from the good hive")
        check(con.execute("SELECT count(*) FROM wsb_configs").fetchone()[0] == 1, "only good.wsb stored")
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("host artifacts: archives, damaged hive, hostile/oversized .wsb, malformed task all recorded")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
