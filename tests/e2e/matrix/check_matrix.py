#!/usr/bin/python3
"""check_matrix.py - runs the variant matrix of gen_matrix.py end to end and compares every variant.

    check_matrix.py STFORGE SANDTRACE [--jobs N] [--only SUBSTRING] [--keep DIR] [--verbose]

For every variant: the text sources are rendered by gen_matrix.py; every distinct event log and hive is
forged ONCE (`stforge evtx` / `stforge hive`, cached by content hash) and hard-linked into the variant's
collection; then `sandtrace ingest` (must exit 0 with no parse_errors), `sandtrace correlate`,
`sandtrace sessions --json`, compared with the expected sessions the generator computed from the story
and its degradation rules (field comparison of tests/e2e/check_sessions.py: only fields present in the
expectation are compared), plus four invariants checked on every variant:

  I1 no session lost while any Hyper-V or Security record names its GUID (unless it is a known non-sandbox)
  I2 no role without a basis: every linked step (trigger, launcher, configuration, share, command, network,
     exit) has an evidence entry with a link strength and a record or location; every finding has a basis
  I3 no false session: every reported GUID is an expected session
  I4 verdict and confidence equal the computed ones (part of the field comparison)

KNOWN_GAPS lists variants waiting for a fix elsewhere: such a variant that fails is reported as a known
gap and does not fail the run; one that PASSES fails the run ("remove it from KNOWN_GAPS"), so the list
can only shrink. Any other failing variant fails the run. Last line: "matrix: N passed, M failed, K known gaps".
"""
import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import gen_matrix                                   # noqa: E402
from check_sessions import compare, norm_guid      # noqa: E402

COLLECTION_MTIME = 1736467200          # 2025-01-10T00:00:00Z, as stforge case (the moment of the triage)

# Variant name -> the findings it waits for (what sandtrace says differs from what the story and
# METHOD.md's rules give). Only ever remove entries from this table.
KNOWN_GAPS = {
}


def sha(data):
    return hashlib.sha256(data).hexdigest()


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


class Forge:
    """Forges each distinct evtx.xml / hive.reg once; other files are written once; all by content hash."""

    def __init__(self, stforge, root, env):
        self.stforge, self.root, self.env = stforge, root, env
        os.makedirs(root, exist_ok=True)
        self.done = {}

    def plan(self, rel, data):
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if rel.endswith(".evtx.xml"):
            kind, target = "evtx", rel[:-len(".xml")]
        elif rel.endswith(".hive.reg"):
            kind, target = "hive", rel[:-len(".hive.reg")]
        elif rel.endswith(".utf16"):
            kind, target = "file", rel[:-len(".utf16")]
            raw = b"\xff\xfe" + raw.decode("utf-8").encode("utf-16-le")
        else:
            kind, target = "file", rel
        return kind, target, raw, sha(kind.encode() + raw)

    def make(self, kind, raw, h):
        out = os.path.join(self.root, h)
        if os.path.exists(out):
            return None
        if kind == "file":
            with open(out, "wb") as fh:
                fh.write(raw)
            os.utime(out, (COLLECTION_MTIME, COLLECTION_MTIME))
            return None
        src = out + (".xml" if kind == "evtx" else ".reg")
        with open(src, "wb") as fh:
            fh.write(raw)
        rc, so, se = run([self.stforge, kind, src, out + ".tmp"], self.env)
        if rc != 0:
            return "stforge %s failed (%d): %s" % (kind, rc, (se or so).strip()[-500:])
        os.rename(out + ".tmp", out)
        os.utime(out, (COLLECTION_MTIME, COLLECTION_MTIME))
        os.unlink(src)
        return None


def check_invariants(v, got, problems):
    exp = v.expected
    want = {norm_guid(s["vm_id"]) for s in exp["sessions"]}
    not_sessions = {norm_guid(x) for x in exp["not_sessions"]}
    by_id = {norm_guid(s.get("vm_id")): s for s in got if isinstance(s, dict)}
    # I1: every GUID a Hyper-V or Security record names, other than known non-sandboxes, is a session
    named = set()
    for e in v.events:
        if e.file in v.removed_files or e.file not in (gen_matrix.F_SEC,) + gen_matrix.HYPERV_FILES:
            continue
        blob = " ".join(str(x) for _, x, _ in (e.data or [])) + " ".join(e.userdata or [])
        for m in re.finditer(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}", blob):
            gu = m.group(0).upper()
            if gu in want or gu in not_sessions:
                named.add(gu)
    for gu in sorted(named - not_sessions):
        if gu not in by_id:
            problems.append("I1 session lost: %s is named by Hyper-V/Security records but not reported" % gu)
    # I3: no false session
    for gu in sorted(by_id):
        if gu not in want:
            problems.append("I3 false session: %s reported (%s)" % (gu, "known non-sandbox" if gu in not_sessions
                                                                     else "not expected"))
    # I2: every attributed role has evidence with a link and a location; every finding has a basis
    for gu, s in sorted(by_id.items()):
        ev = s.get("evidence") or []
        roles = {}
        for e in ev:
            if not isinstance(e, dict) or e.get("link") not in ("strong", "medium", "weak") or \
                    not (e.get("record") is not None or e.get("location")) or not e.get("sha256"):
                problems.append("I2 %s: evidence entry without link/location/sha256: %s" % (gu, json.dumps(e)))
                continue
            roles.setdefault(e.get("role"), []).append(e)
        trig = s.get("trigger") or {}
        need = []
        if trig.get("kind") == "user":
            # §6.3 "user -> launcher": the basis of an interactive start is the launcher's own 4688
            # (subject, parent explorer.exe), so a launch entry is its evidence
            if "trigger" not in roles and "launch" not in roles:
                problems.append("I2 %s: trigger user attributed without a trigger or launch evidence entry" % gu)
        elif trig.get("kind") not in (None, "unknown"):
            need.append(("trigger", "trigger %s" % trig.get("kind")))
        if (s.get("launcher") or {}).get("image"):
            need.append(("launch", "launcher"))
        w = s.get("wsb") or {}
        if w.get("path") or w.get("logon_command") or w.get("mapped_folders"):
            need.append(("config", "configuration"))
        for key, role in (("shares", "share"), ("commands", "command"), ("network", "network")):
            if s.get(key):
                need.append((role, key))
        for role, what in need:
            if role not in roles:
                problems.append("I2 %s: %s attributed without an evidence entry of role %r" % (gu, what, role))
        # an end that is not inferred rests on an exit record or the VM account's logoff (§6.1 step 2)
        if s.get("end") and not s.get("end_inferred") and "exit" not in roles and "logoff" not in roles:
            problems.append("I2 %s: end attributed without an evidence entry of role 'exit' or 'logoff'" % gu)
        for f in s.get("findings") or []:
            if not f.get("basis"):
                problems.append("I2 %s: finding %s has no basis" % (gu, f.get("id")))


def check_variant(v, case_dir, sandtrace, env):
    problems = []
    db = case_dir + ".db"
    rc, so, se = run([sandtrace, "ingest", case_dir, "--case", db, "--jobs", "1"], env)
    if rc != 0:
        return ["sandtrace ingest failed (%d): %s" % (rc, (se or so).strip()[-800:])], None
    con = sqlite3.connect(db)
    for r in con.execute("SELECT path, location, reason FROM parse_errors").fetchall():
        problems.append("parse_errors: %s" % " | ".join(str(x) for x in r))
    con.close()
    rc, so, se = run([sandtrace, "correlate", "--case", db], env)
    if rc != 0:
        return problems + ["sandtrace correlate failed (%d): %s" % (rc, (se or so).strip()[-800:])], None
    rc, text, se = run([sandtrace, "sessions", "--case", db, "--json"], env)
    if rc != 0:
        return problems + ["sandtrace sessions failed (%d): %s" % (rc, se.strip()[-800:])], None
    try:
        got = json.loads(text)
    except ValueError as e:
        return problems + ["sessions --json is not JSON: %s" % e], None
    if isinstance(got, dict):
        got = got.get("sessions", [])
    by_id = {norm_guid(s.get("vm_id")): s for s in got}
    for want in v.expected["sessions"]:
        vid = norm_guid(want["vm_id"])
        if vid not in by_id:
            problems.append("session %s not reported" % vid)
            continue
        compare("session[%s]" % vid[:8], want, by_id[vid], problems)
    check_invariants(v, got, problems)
    return problems, got


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    stforge, sandtrace = os.path.abspath(args[0]), os.path.abspath(args[1])
    jobs, only, keep, verbose = 2, None, None, False
    i = 2
    while i < len(args):
        if args[i] == "--jobs":
            jobs = int(args[i + 1]); i += 2
        elif args[i] == "--only":
            only = args[i + 1]; i += 2
        elif args[i] == "--keep":
            keep = args[i + 1]; i += 2
        elif args[i] == "--verbose":
            verbose = True; i += 1
        else:
            print("unknown argument %s" % args[i]); return 2
    t0 = time.monotonic()
    variants = gen_matrix.variants()
    if only:
        variants = [v for v in variants if only in v.name]
    stale = sorted(set(KNOWN_GAPS) - {v.name for v in gen_matrix.variants()})
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    tmp = keep or tempfile.mkdtemp(prefix="sandtrace-matrix-", dir=shm)
    # LeakSanitizer off for the matrix only: ASan and UBSan stay on (every memory error still fails a
    # variant), leaks are the business of the rest of the suite; the leak scan at each exit would cost a
    # third of the matrix's time budget (4 minutes, 2 cores).
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    forge = Forge(stforge, os.path.join(tmp, "forged"), env)
    # 1. plan every file of every variant; forge each distinct content once
    plans, todo = [], {}
    for v in variants:
        p = [forge.plan(rel, data) for rel, data in sorted(v.files().items())]
        plans.append(p)
        for kind, target, raw, h in p:
            todo.setdefault(h, (kind, raw))
    with cf.ThreadPoolExecutor(jobs) as pool:
        errors = [e for e in pool.map(lambda kv: forge.make(kv[1][0], kv[1][1], kv[0]), todo.items()) if e]
    t_forge = time.monotonic() - t0
    if errors:
        for e in errors[:10]:
            print("FORGE " + e)
        print("matrix: 0 passed, %d failed, 0 known gaps" % len(variants))
        return 1

    # 2. one collection per variant (hard links into the forge cache), ingest + correlate + sessions
    def one(idx):
        v, p = variants[idx], plans[idx]
        case_dir = os.path.join(tmp, "v%04d" % idx, "collection")
        for kind, target, raw, h in p:
            dst = os.path.join(case_dir, target)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.link(os.path.join(forge.root, h), dst)
        try:
            problems, got = check_variant(v, case_dir, sandtrace, env)
        except Exception as e:          # a crash of the checker is a failure of the variant, never silent
            problems, got = ["checker error: %r" % e], None
        if not keep:
            shutil.rmtree(os.path.dirname(case_dir), ignore_errors=True)
        return idx, problems, got
    passed = failed = gaps = 0
    failures = []
    with cf.ThreadPoolExecutor(jobs) as pool:
        results = sorted(pool.map(one, range(len(variants))))
    for idx, problems, got in results:
        v = variants[idx]
        gap = KNOWN_GAPS.get(v.name)
        if problems and gap:
            gaps += 1
            print("GAP  %s  (%s)" % (v.name, gap))
            if verbose:
                for p in problems:
                    print("       " + p)
        elif problems:
            failed += 1
            failures.append(v.name)
            print("FAIL %s" % v.name)
            for p in problems:
                print("       " + p)
        elif gap:
            failed += 1
            print("FAIL %s passes but is listed in KNOWN_GAPS: remove it from KNOWN_GAPS (%s)" % (v.name, gap))
        else:
            passed += 1
            if verbose:
                print("ok   %s" % v.name)
    for name in stale:
        print("note: KNOWN_GAPS names %s, which is no variant of the matrix" % name)
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - t0
    print("matrix: %d variants, %d distinct files forged in %.1f s, total %.1f s (jobs %d)"
          % (len(variants), len(todo), t_forge, elapsed, jobs))
    print("matrix: %d passed, %d failed, %d known gaps" % (passed, failed, gaps))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
