#!/usr/bin/python3
"""ST-FEATURE-FRESH takes the feature's enabling time from the LastWrite of
Notifications\\OptionalFeatures\\Containers-DisposableClientVM (where Selection is written), never
from the CBS package keys that every cumulative update rewrites (issue 10, class 4).

Two variants of the bundled case without its servicing logs (CBS.log, dism.log), so that the
registry alone decides: as it is (the feature selected 11 minutes before the first session: the
rule fires on that session), and with the OptionalFeatures key written months earlier while the
package keys keep their recent servicing time (the rule must not fire). A third variant keeps the
servicing logs with that old key: a log line recording the enabling is the better evidence
(METHOD.md §2.8), so the rule fires again, citing the log.

    check_feature_time.py STFORGE SANDTRACE TESTDATA_CASE
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

KEY = "Notifications\\OptionalFeatures\\Containers-DisposableClientVM]"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def without_logs(source, tmp, name):
    """A copy of the case sources without C/Windows/Logs."""
    copy = os.path.join(tmp, name + "-src")
    shutil.copytree(source, copy)
    shutil.rmtree(os.path.join(copy, "C", "Windows", "Logs"), ignore_errors=True)
    return copy


def analyze(stforge, sandtrace, source, tmp, name):
    col = os.path.join(tmp, name + "-col")
    out = os.path.join(tmp, name + "-out")
    subprocess.run([stforge, "case", source, col], check=True, capture_output=True)
    r = subprocess.run([sandtrace, "analyze", col, "-o", out], capture_output=True, text=True)
    check(r.returncode == 0, "%s: analyze exited %d: %s" % (name, r.returncode, r.stderr[-300:]))
    con = sqlite3.connect(os.path.join(out, "case.db"))
    fresh = con.execute("SELECT session_id, reason FROM findings WHERE rule_id = 'ST-FEATURE-FRESH'").fetchall()
    time = con.execute("SELECT strftime('%Y-%m-%d', (time - 116444736000000000) / 10000000, 'unixepoch') "
                       "FROM facts WHERE kind = 'feature_state'").fetchone()
    con.close()
    return fresh, time[0] if time else None


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        fresh, when = analyze(stforge, sandtrace, without_logs(source, tmp, "as-is"), tmp, "as-is")
        check(when == "2025-01-06", "feature_state time is %s, not the OptionalFeatures key's 2025-01-06" % when)
        check(len(fresh) == 1 and "OptionalFeatures" in fresh[0][1],
              "as is: ST-FEATURE-FRESH should fire once, citing the OptionalFeatures key: %s" % fresh)

        serviced = without_logs(source, tmp, "serviced-case")
        reg = os.path.join(serviced, "C", "Windows", "System32", "config", "SOFTWARE.hive.reg")
        text = open(reg, encoding="utf-8").read()
        lines = text.split("\n")
        hits = [i for i, l in enumerate(lines) if l.endswith(KEY)]
        check(len(hits) == 1 and lines[hits[0] - 1].startswith(";@lastwrite "), "the key in the .reg source")
        lines[hits[0] - 1] = ";@lastwrite 2024-08-20T09:00:00.0000000Z"
        open(reg, "w", encoding="utf-8").write("\n".join(lines))
        fresh, when = analyze(stforge, sandtrace, serviced, tmp, "serviced")
        check(when == "2024-08-20", "serviced: feature_state time is %s, not 2024-08-20" % when)
        check(not fresh, "serviced: ST-FEATURE-FRESH fired from the package keys' servicing write: %s" % fresh)

        shutil.copytree(os.path.join(source, "C", "Windows", "Logs"), os.path.join(serviced, "C", "Windows", "Logs"))
        fresh, when = analyze(stforge, sandtrace, serviced, tmp, "serviced-with-logs")
        check(len(fresh) == 1 and "servicing logs" in fresh[0][1] and "2025-01-06T02:13:58" in fresh[0][1],
              "serviced with logs: ST-FEATURE-FRESH should fire once, citing CBS.log's enabling: %s" % fresh)
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("feature time: the OptionalFeatures key's LastWrite, not the servicing writes; a log line "
              "recording the enabling before both")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
