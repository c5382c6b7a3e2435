#!/usr/bin/python3
"""Forged session scenarios, end to end: for each scenario of tests/e2e/scenarios/

    stforge case <name>/case OUT
    sandtrace ingest OUT --case DB               (must run clean: exit 0, no parse_errors rows)
    sandtrace sessions --case DB --json          (a JSON array of sessions)

and compare the sessions with <name>/expected.json field by field (METHOD.md §6, §7).

    check_sessions.py STFORGE SANDTRACE SCENARIOS_DIR [NAME...]

Comparison rules (only fields present in expected.json are compared):
- sessions are matched by vm_id (upper case, braces stripped); an expected session that is absent,
  a reported session that is not expected, and any GUID of "not_sessions" that is reported are errors;
- times: ISO-8601 UTC, compared to 100 ns (so 7 or 9 fractional digits, 'Z' or '+00:00' all compare);
- lists are compared in order, element by element, except: "findings" = same set of (id, score),
  and "missing" = each keyword occurs (case-insensitively) in some sentence of the reported list;
- "user", paths ("image", "path", "host", "sandbox", "host_path", "task_name") compare case-insensitively,
  every other string exactly; "pid" must be an integer;
- an expected object whose values are all null/empty equals a reported null (and vice versa);
- `sandtrace show` of each session names the expected trigger.user on its "started by:" line.
Exit 0 when every scenario matches, 1 otherwise; the last line is "scenarios: N passed, M failed".
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

CASELESS = {"user", "image", "path", "host", "sandbox", "host_path", "task_name"}
TIME_KEYS = {"start", "end", "time"}


def ticks(text):
    """ISO-8601 UTC -> 100 ns ticks since 0001-01-01 (None when not a time)."""
    if not isinstance(text, str):
        return None
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|\+00:00|\+0000)?", text)
    if not m:
        return None
    import datetime as dt
    d = dt.datetime(*(int(m.group(i)) for i in range(1, 7)))
    frac = (m.group(7) or "0")
    return (d - dt.datetime(1, 1, 1)) // dt.timedelta(microseconds=1) * 10 + int(frac[:7].ljust(7, "0"))


def norm_guid(g):
    return str(g or "").strip().strip("{}").upper()


def empty(v):
    if v is None or v == [] or v == "":
        return True
    if isinstance(v, dict):
        return all(empty(x) for x in v.values())
    return False


def compare(path, want, got, diffs):
    key = path.rsplit(".", 1)[-1].split("[")[0]
    if isinstance(want, dict) or isinstance(got, dict):
        if want is None or got is None:
            if not (empty(want) and empty(got)):
                diffs.append("%s: expected %s, got %s" % (path, json.dumps(want), json.dumps(got)))
            return
        if not isinstance(want, dict) or not isinstance(got, dict):
            diffs.append("%s: expected %s, got %s" % (path, json.dumps(want), json.dumps(got)))
            return
        for k, v in want.items():
            if k not in got:
                if empty(v):
                    continue
                diffs.append("%s.%s: missing in output (expected %s)" % (path, k, json.dumps(v)))
                continue
            compare("%s.%s" % (path, k), v, got[k], diffs)
        return
    if key == "findings":
        w = sorted((f["id"], f["score"]) for f in want or [])
        try:
            gg = sorted((f["id"], f["score"]) for f in got or [])
        except (TypeError, KeyError):
            diffs.append("%s: not a list of {id, score}: %s" % (path, json.dumps(got)))
            return
        for item in w:
            if item not in gg:
                diffs.append("%s: expected finding %s %d not reported" % (path, item[0], item[1]))
        for item in gg:
            if item not in w:
                diffs.append("%s: unexpected finding %s %d" % (path, item[0], item[1]))
        return
    if key == "missing":
        sentences = [s if isinstance(s, str) else json.dumps(s) for s in (got or [])]
        for word in want or []:
            if not any(word.lower() in s.lower() for s in sentences):
                diffs.append("%s: no sentence mentions %r (got %s)" % (path, word, json.dumps(sentences)))
        return
    if isinstance(want, list):
        if not isinstance(got, list):
            diffs.append("%s: expected a list of %d, got %s" % (path, len(want), json.dumps(got)))
            return
        if len(want) != len(got):
            diffs.append("%s: expected %d entries, got %d: %s" % (path, len(want), len(got), json.dumps(got)))
        for i, (w, gv) in enumerate(zip(want, got)):
            compare("%s[%d]" % (path, i), w, gv, diffs)
        return
    if key in TIME_KEYS and want is not None:
        if ticks(want) is None or ticks(got) != ticks(want):
            diffs.append("%s: expected %s, got %s" % (path, want, json.dumps(got)))
        return
    if key == "pid" and want is not None:
        if type(got) is not int or got != want:
            diffs.append("%s: expected %d, got %s" % (path, want, json.dumps(got)))
        return
    if isinstance(want, str) and isinstance(got, str) and key in CASELESS:
        if want.lower() != got.lower():
            diffs.append("%s: expected %r, got %r" % (path, want, got))
        return
    if type(want) is not type(got) or want != got:
        diffs.append("%s: expected %s, got %s" % (path, json.dumps(want), json.dumps(got)))


def run(cmd, what, problems):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        problems.append("%s failed (exit %d): %s\n%s" % (what, p.returncode, " ".join(cmd),
                                                         (p.stderr or p.stdout).strip()[-2000:]))
        return None
    return p.stdout


def check_scenario(stforge, sandtrace, scen_dir, name, tmp):
    problems = []
    src = os.path.join(scen_dir, name, "case")
    with open(os.path.join(scen_dir, name, "expected.json"), encoding="utf-8") as fh:
        expected = json.load(fh)
    out, db = os.path.join(tmp, name, "case"), os.path.join(tmp, name, "case.db")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if run([stforge, "case", src, out], "stforge case", problems) is None:
        return problems
    if run([sandtrace, "ingest", out, "--case", db], "sandtrace ingest", problems) is None:
        return problems
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT path, location, reason FROM parse_errors").fetchall()
    except sqlite3.Error as e:
        rows, problems = [], problems + ["cannot read parse_errors: %s" % e]
    con.close()
    for r in rows:
        problems.append("parse_errors: %s" % " | ".join(str(x) for x in r))
    if run([sandtrace, "correlate", "--case", db], "sandtrace correlate", problems) is None:
        return problems
    text = run([sandtrace, "sessions", "--case", db, "--json"], "sandtrace sessions", problems)
    if text is None:
        return problems
    try:
        got = json.loads(text)
    except ValueError as e:
        return problems + ["sessions --json is not JSON (%s): %s" % (e, text[:300])]
    if isinstance(got, dict) and isinstance(got.get("sessions"), list):
        got = got["sessions"]
    if not isinstance(got, list):
        return problems + ["sessions --json: expected a JSON array, got %s" % type(got).__name__]
    by_id = {}
    for s in got:
        vid = norm_guid(s.get("vm_id") if isinstance(s, dict) else None)
        if vid in by_id:
            problems.append("session %s reported twice" % vid)
        by_id[vid] = s
    want_ids = [norm_guid(s["vm_id"]) for s in expected["sessions"]]
    for gid in expected.get("not_sessions", []):
        if norm_guid(gid) in by_id:
            problems.append("%s must not be a session (METHOD.md §6.6) but is reported" % norm_guid(gid))
    for vid in by_id:
        if vid not in want_ids and vid not in {norm_guid(x) for x in expected.get("not_sessions", [])}:
            problems.append("unexpected session %s" % vid)
    for want in expected["sessions"]:
        vid = norm_guid(want["vm_id"])
        if vid not in by_id:
            problems.append("session %s not reported" % vid)
            continue
        diffs = []
        compare("session[%s]" % vid, want, by_id[vid], diffs)
        problems.extend(diffs)
        # `show` names who started the session: the interactive user or the task's account
        who = (want.get("trigger") or {}).get("user")
        sid = by_id[vid].get("id")
        if who and isinstance(sid, int):
            text = run([sandtrace, "show", str(sid), "--case", db], "sandtrace show", problems) or ""
            line = next((x for x in text.splitlines() if x.strip().startswith("started by:")), "")
            if who.lower() not in line.lower():
                problems.append("show %d: the 'started by' line does not name %s: %r" % (sid, who, line.strip()))
            # the account's SID, read through the same view as sessions.json (v_session_account)
            user_sid = (by_id[vid].get("trigger") or {}).get("user_sid")
            if user_sid and "(SID %s)" % user_sid not in line:
                problems.append("show %d: the 'started by' line does not give the SID %s of "
                                "sessions.json: %r" % (sid, user_sid, line.strip()))
    return problems


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[0])
        print("usage: check_sessions.py STFORGE SANDTRACE SCENARIOS_DIR [NAME...]")
        return 2
    stforge, sandtrace, scen_dir = sys.argv[1:4]
    names = sys.argv[4:] or sorted(d for d in os.listdir(scen_dir)
                                   if os.path.isfile(os.path.join(scen_dir, d, "expected.json")))
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            problems = check_scenario(stforge, sandtrace, scen_dir, name, tmp)
            if problems:
                failed += 1
                print("FAIL %s" % name)
                for p in problems:
                    print("  " + p.replace("\n", "\n    "))
            else:
                passed += 1
                print("ok   %s" % name)
    print("scenarios: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
