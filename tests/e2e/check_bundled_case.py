#!/usr/bin/python3
"""The bundled case, end to end: forge testdata/case, ingest it, and compare the store with the
sources, record by record and field by field.

- Forging twice gives byte-identical files (the demo and every golden output depend on it).
- Every source event is stored once, with its EventRecordID, event id, TimeCreated to 100 ns,
  provider, channel, computer, user SID, process/thread id, activity id, and every EventData /
  UserData value as parsers/evtx.h documents the flattening; nothing else is stored.
- One worker thread and two store identical rows.
- Every input is an evidence row with the SHA-256 of the forged file; hives, task XML and .wsb
  are recognised by content; ingesting again adds nothing.
"""
import filecmp
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evtx_reference import NS, flatten_payload, local  # noqa: E402
errors = []


def check(condition, message):
    if not condition:
        errors.append(message)


def filetime(text):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", text)
    when = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    delta = when - datetime(1601, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 10**7 + int((m.group(2) or "0")[:7].ljust(7, "0"))


def same_value(ours, theirs):
    """The forge writes some typed values (HexInt64, FILETIME) that libevtx renders in its own
    spelling: zero-padded hex, 9 fractional digits. Equal if the typed content is equal."""
    if ours == theirs:
        return True
    if re.fullmatch(r"0x[0-9a-fA-F]+", ours) and re.fullmatch(r"0x[0-9a-fA-F]+", theirs):
        return int(ours, 16) == int(theirs, 16)
    try:
        return filetime(ours) == filetime(theirs)
    except (AttributeError, ValueError):
        return ours.lower() == theirs.lower()


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        for out in (a, b):
            run = subprocess.run([stforge, "case", source, out], capture_output=True, text=True)
            if run.returncode != 0:
                print("FAIL: stforge case: " + run.stderr)
                return 1
        compared = filecmp.dircmp(a, b)

        def identical(d):
            ok = not (d.left_only or d.right_only or d.diff_files or d.funny_files)
            for sub in d.subdirs.values():
                ok = identical(sub) and ok
            return ok
        # dircmp compares shallowly by stat; compare bytes explicitly as well.
        for root, _, files in os.walk(a):
            for name in files:
                p = os.path.join(root, name)
                q = os.path.join(b, os.path.relpath(p, a))
                check(os.path.exists(q) and open(p, "rb").read() == open(q, "rb").read(),
                      "forging twice differs: %s" % os.path.relpath(p, a))
        check(identical(compared), "forged trees differ")

        db = os.path.join(tmp, "case.db")
        cmd = [sandtrace, "ingest", a, "--case", db, "--all-events", "--jobs", "2"]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            print("FAIL: ingest exited %d: %s" % (run.returncode, run.stderr))
            return 1
        con = sqlite3.connect(db)
        con.row_factory = sqlite3.Row

        # Evidence: every forged file of a known kind, with its SHA-256.
        kinds = {}
        for r in con.execute("SELECT e.sha256, e.kind, e.status, p.path FROM evidence e "
                             "JOIN evidence_paths p ON p.evidence_id = e.id"):
            rel = os.path.relpath(r["path"], a)
            kinds[rel] = r["kind"]
            digest = hashlib.sha256(open(r["path"], "rb").read()).hexdigest()
            check(digest == r["sha256"], "%s: stored sha256 %s, file %s" % (rel, r["sha256"], digest))
            if r["kind"] == "evtx":
                check(r["status"] == "parsed", "%s: status %s" % (rel, r["status"]))
        for root, _, files in os.walk(a):
            for name in files:
                rel = os.path.relpath(os.path.join(root, name), a)
                if name.endswith(".evtx"):
                    check(kinds.get(rel) == "evtx", "%s: not ingested as evtx" % rel)
                elif os.path.basename(root) == "config" and ".LOG" in name:
                    check(kinds.get(rel) == "hive_log", "%s: not recognised as a transaction log" % rel)
                elif os.path.basename(root) == "config":
                    check(kinds.get(rel) == "hive", "%s: not recognised as a hive" % rel)
                elif name.lower().endswith(".wsb"):
                    check(kinds.get(rel) == "wsb", "%s: not recognised as .wsb" % rel)
                elif "/Tasks/" in "/" + rel:
                    check(kinds.get(rel) == "task_xml", "%s: not recognised as task XML" % rel)

        # Events: each source event once, every field.
        stored = {}
        for r in con.execute("SELECT * FROM events"):
            stored[(r["channel"], r["record_id"])] = r
        expected_count = 0
        for root, _, files in os.walk(source):
            for name in sorted(files):
                if not name.endswith(".evtx.xml"):
                    continue
                tree = ET.parse(os.path.join(root, name)).getroot()
                events = [tree] if local(tree.tag) == "Event" else list(tree)
                for ev in events:
                    expected_count += 1
                    system = ev.find(NS + "System")
                    channel = system.find(NS + "Channel").text
                    rid = int(system.find(NS + "EventRecordID").text)
                    row = stored.get((channel, rid))
                    where = "%s record %d" % (name, rid)
                    if row is None:
                        errors.append(where + ": not stored")
                        continue
                    check(row["event_id"] == int(system.find(NS + "EventID").text), where + ": event id")
                    check(row["time"] == filetime(system.find(NS + "TimeCreated").get("SystemTime")),
                          where + ": time %s" % row["time"])
                    prov = system.find(NS + "Provider")
                    check(row["provider"] == prov.get("Name"), where + ": provider")
                    check((row["provider_guid"] or "").lower() == (prov.get("Guid") or "").lower(),
                          where + ": provider guid")
                    check(row["computer"] == system.find(NS + "Computer").text, where + ": computer")
                    sec = system.find(NS + "Security")
                    check((row["user_sid"] or None) == (sec.get("UserID") if sec is not None else None),
                          where + ": user sid %r" % row["user_sid"])
                    exe = system.find(NS + "Execution")
                    if exe is not None:
                        check(row["process_id"] == int(exe.get("ProcessID")), where + ": process id")
                        check(row["thread_id"] == int(exe.get("ThreadID")), where + ": thread id")
                    corr = system.find(NS + "Correlation")
                    if corr is not None and corr.get("ActivityID"):
                        check((row["activity_id"] or "").lower() == corr.get("ActivityID").lower(),
                              where + ": activity id")
                    want = flatten_payload(ev)
                    got = json.loads(row["data"])
                    check(list(got) == list(want), where + ": data names %s, expected %s" % (list(got), list(want)))
                    for k in want:
                        if k in got:
                            check(same_value(got[k], want[k]), where + ": %s = %r, expected %r" % (k, got[k], want[k]))
        check(len(stored) == expected_count,
              "%d events stored, the sources hold %d" % (len(stored), expected_count))
        check(con.execute("SELECT count(*) FROM parse_errors").fetchone()[0] == 0,
              "the bundled case produced parse errors")

        # Host artifacts read from files and from the 4698 (METHOD.md §4.1, §5.1): the launcher
        # task, found both as a file and inside the Security log, and its configuration.
        launcher = [tuple(r) for r in con.execute(
            "SELECT source, uri, hidden, enabled, sandbox_launcher, wsb_path, principal_user FROM tasks "
            "WHERE sandbox_launcher = 1 ORDER BY source")]
        want = ("\\Microsoft\\Windows\\Maintenance\\MaintenanceSync", 1, 1, 1,
                "C:\\Windows\\System32\\MaintenanceSync.wsb", "S-1-5-18")
        check([r[0] for r in launcher] == ["event_4698", "task_file", "taskcache"],
              "sandbox launcher tasks: %s" % launcher)
        for r in launcher:
            check(r[1:] == want, "launcher task %s: %s, expected %s" % (r[0], r[1:], want))
        check(con.execute("SELECT count(*) FROM tasks WHERE sandbox_launcher = 0 AND uri LIKE "
                          "'%OneDrive%'").fetchone()[0] == 2, "the ordinary OneDrive task (file, TaskCache)")
        cfg = con.execute("SELECT id, logon_command, memory_mb FROM wsb_configs WHERE location LIKE "
                          "'%MaintenanceSync.wsb'").fetchone()
        check(cfg is not None and cfg[1] == "C:\\HostUsers\\Public\\Downloads\\run.bat" and cfg[2] == 2048,
              "MaintenanceSync.wsb config: %s" % (tuple(cfg) if cfg else None,))
        if cfg:
            folder = con.execute("SELECT host_folder, sandbox_folder, read_only, read_only_is_default "
                                 "FROM wsb_folders WHERE config_id = ?", (cfg[0],)).fetchall()
            check([tuple(f) for f in folder] == [("C:\\Users", "C:\\HostUsers", 0, 0)],
                  "mapped folders: %s" % [tuple(f) for f in folder])
            net = con.execute("SELECT raw, effective, origin FROM wsb_settings WHERE config_id = ? AND "
                              "name = 'Networking'", (cfg[0],)).fetchone()
            check(tuple(net) == ("Enable", 1, "explicit"), "Networking: %s" % (tuple(net),))
            risks = sorted(r[0] for r in con.execute("SELECT risk_id FROM wsb_risks WHERE config_id = ?",
                                                     (cfg[0],)))
            check(risks == ["WSB-LOGON-IN-MAPPED-FOLDER", "WSB-LOGON-SCRIPT", "WSB-NETWORKING-ON",
                            "WSB-WRITABLE-ROOT-MAPPING"], "risks: %s" % risks)

        # The TaskCache (§4.2): both tasks, decoded, and the hidden one named as such.
        cached = {r[0]: tuple(r[1:]) for r in con.execute(
            "SELECT uri, hidden, enabled, sandbox_launcher, wsb_path, principal_user, "
            "last_run_time IS NOT NULL FROM tasks WHERE source = 'taskcache'")}
        check(cached.get("\\Microsoft\\Windows\\Maintenance\\MaintenanceSync") ==
              (1, 1, 1, "C:\\Windows\\System32\\MaintenanceSync.wsb", "S-1-5-18", 1),
              "TaskCache MaintenanceSync: %s" % (cached,))
        check(len(cached) == 2, "TaskCache tasks: %s" % list(cached))
        hidden = [tuple(r) for r in con.execute(
            "SELECT subject, value FROM facts WHERE kind = 'task_cache'")]
        check(hidden == [("\\Microsoft\\Windows\\Maintenance\\MaintenanceSync", "tree-without-sd")],
              "TaskCache findings: %s" % hidden)

        # Host facts from the forged hives (METHOD.md §2, §3), and the facts command.
        facts = {(r[0], r[1]): r[2] for r in con.execute("SELECT kind, subject, value FROM facts")}
        for key, value in {
                ("feature_state", "Windows Sandbox (Containers-DisposableClientVM)"): "enabled",
                ("sandbox_policy", "AllowClipboardRedirection"): "disabled",
                ("sandbox_policy", "AllowNetworking"): "not configured",
                ("audit_policy", "PolAdtEv layout"): "established",
                ("audit_policy", "Process Creation"): "success and failure",
                ("audit_policy", "Other Object Access Events"): "success and failure",
                ("cmdline_audit", "4688 CommandLine"): "included",
                ("audit_coverage", "event 4688"): "recorded",
                ("audit_coverage", "event 4698"): "recorded",
                ("service", "CmService"): "On demand",
                ("host", "ComputerName"): "PC-K01"}.items():
            check(facts.get(key) == value, "fact %s = %r, expected %r" % (key, facts.get(key), value))
        for basis in con.execute("SELECT basis FROM facts WHERE basis != ''"):
            table, refs = basis[0].replace("events.id=", "events:").split(":", 1)
            check(table in ("reg_values", "events", "servicing_log_lines"), "fact basis names another table: %s" % basis[0])
            for ref in refs.split(","):
                check(con.execute("SELECT count(*) FROM %s WHERE id = ?" % table, (int(ref),)).fetchone()[0] == 1,
                      "fact basis names a missing row: %s" % basis[0])
        shown = subprocess.run([sandtrace, "facts", "--case", db], capture_output=True, text=True)
        check(shown.returncode == 0 and "feature_state" in shown.stdout and "PC-K01" in shown.stdout,
              "sandtrace facts output: %s" % shown.stdout[:300])

        # Sessions (METHOD.md §6, §7): the two sandbox runs the case was built to show, judged
        # as testdata/README.md says; the Ubuntu VM is not a session.
        run = subprocess.run([sandtrace, "correlate", "--case", db], capture_output=True, text=True)
        check(run.returncode == 0, "correlate exited %d: %s" % (run.returncode, run.stderr[-500:]))
        shown = subprocess.run([sandtrace, "sessions", "--case", db, "--json"], capture_output=True, text=True)
        sessions = {s["vm_id"]: s for s in json.loads(shown.stdout or "[]")}
        mal = sessions.get("E7A13C52-98D4-4F0B-B6C1-3D5F2A8E9047", {})
        ben = sessions.get("2B9D6F14-C3E8-47A5-8F02-B41C7E6D35A9", {})
        check(len(sessions) == 2, "sessions: %s" % list(sessions))
        check((mal.get("verdict"), mal.get("score"), mal.get("confidence")) == ("malicious", 160, "high"),
              "malicious session: %s" % ({k: mal.get(k) for k in ("verdict", "score", "confidence")},))
        check(sorted(f["id"] for f in mal.get("findings", [])) == sorted([
            "ST-TRIG-TASK", "ST-TRIG-SYSTEM", "ST-TRIG-BOOT", "ST-WSB-WRITE-PROFILE", "ST-WSB-LOGON-SCRIPT",
            "ST-WSB-LOGON-FROM-SHARE", "ST-NET-ON", "ST-TASK-HIDDEN", "ST-WSB-ODD-PLACE"]),
            "malicious findings: %s" % [f["id"] for f in mal.get("findings", [])])
        check(mal.get("trigger", {}).get("task_name") == "\\Microsoft\\Windows\\Maintenance\\MaintenanceSync",
              "malicious trigger: %s" % mal.get("trigger"))
        check(mal.get("launcher", {}).get("pid") == 6716, "launcher pid: %s" % mal.get("launcher"))
        check([c["command_line"] for c in mal.get("commands", [])] == ["C:\\HostUsers\\Public\\Downloads\\run.bat"],
              "commands: %s" % mal.get("commands"))
        check([(s["host_path"], s["read_only"]) for s in mal.get("shares", [])] == [("C:\\Users", False)],
              "shares: %s" % mal.get("shares"))
        check((ben.get("verdict"), ben.get("score"), ben.get("confidence"), ben.get("trigger", {}).get("kind")) ==
              ("benign-looking", 15, "medium", "user"), "benign session: %s" % (
                  {k: ben.get(k) for k in ("verdict", "score", "confidence", "trigger")},))
        check(tuple(con.execute("SELECT kind FROM other_vms WHERE vm_guid = "
                                "'71C4E0A8-2F6B-4D39-9A15-E8B07C3D24F6'").fetchone() or ()) == ("classic-vm",),
              "the Ubuntu VM is a classic VM, not a session")
        for s in sessions.values():
            for e in s.get("evidence", []):
                check(con.execute("SELECT count(*) FROM evidence WHERE sha256 = ?", (e["sha256"],)).fetchone()[0] == 1,
                      "session evidence names an unknown file: %s" % e)

        # One worker stores exactly what two store (workers parse, one writer writes in order).
        single = os.path.join(tmp, "single.db")
        run = subprocess.run([sandtrace, "ingest", a, "--case", single, "--all-events", "--jobs", "1"],
                             capture_output=True, text=True)
        check(run.returncode == 0, "--jobs 1 ingest exited %d" % run.returncode)
        other = sqlite3.connect(single)
        for query in ("SELECT * FROM events ORDER BY id", "SELECT * FROM event_counts ORDER BY 1, 2, 3, 4",
                      "SELECT * FROM tasks ORDER BY id", "SELECT * FROM wsb_configs ORDER BY id",
                      "SELECT * FROM wsb_risks ORDER BY config_id, risk_id",
                      "SELECT * FROM reg_values ORDER BY id", "SELECT * FROM facts ORDER BY id",
                      "SELECT id, sha256, kind, status, records_read FROM evidence ORDER BY id",
                      "SELECT evidence_id, path FROM evidence_paths ORDER BY id"):
            check([tuple(r) for r in con.execute(query)] == [tuple(r) for r in other.execute(query)],
                  "--jobs 1 and --jobs 2 differ in: " + query)
        other.close()

        # Again: nothing added twice.
        before = [con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                  for t in ("evidence", "evidence_paths", "events", "event_sources", "tasks",
                            "task_actions", "wsb_configs", "wsb_folders", "wsb_risks", "reg_values", "facts")]
        counts_before = con.execute("SELECT sum(seen), sum(stored) FROM event_counts").fetchone()
        con.close()
        run = subprocess.run(cmd, capture_output=True, text=True)
        check(run.returncode == 0, "second ingest exited %d" % run.returncode)
        con = sqlite3.connect(db)
        after = [con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                 for t in ("evidence", "evidence_paths", "events", "event_sources", "tasks",
                           "task_actions", "wsb_configs", "wsb_folders", "wsb_risks", "reg_values", "facts")]
        check(before == after, "re-ingest changed counts %s -> %s" % (before, after))
        check(tuple(counts_before) == tuple(con.execute("SELECT sum(seen), sum(stored) FROM event_counts").fetchone()),
              "re-ingest changed event_counts")
        check(con.execute("SELECT count(*) FROM run WHERE command_line LIKE 'sandtrace ingest %'"
                          ).fetchone()[0] == 2, "two ingest runs recorded")
        check(con.execute("SELECT count(*) FROM run WHERE finished IS NULL").fetchone()[0] == 0,
              "every run finished")

    if errors:
        for e in errors[:60]:
            print("FAIL: " + e)
        print("%d differences" % len(errors))
        return 1
    print("bundled case: %d events equal their sources field by field; forge deterministic; "
          "re-ingest adds nothing; --jobs 1 and 2 store the same" % expected_count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
