#!/usr/bin/python3
"""Several hosts in one case (METHOD.md §2.7). The bundled case is forged twice: once as it is
(host PC-K01), once from its sources rewritten into a second machine, WS-B02: another computer name
in the SYSTEM hive and in every record's Computer, other VM GUIDs (and the VM SIDs that follow from
them, §0.3, computed here), another time zone, the feature only pending a reboot, and a scheduled
task of the same name (\\Microsoft\\Windows\\Maintenance\\MaintenanceSync) that starts the sandbox
with another configuration file (NightlySync.wsb) at the same times as on PC-K01.

Both are read into one case twice: as `ingest HOSTA HOSTB`, and as one folder holding HOSTA as a
folder and HOSTB as a zip. Everything expected is what this test wrote: each evidence file's host
is the folder it was written to; each host's ComputerName, time zone and feature state are the
values written into its hives; each session's VM GUID is one written into its host's logs, and
every row linked to a session (trigger, launcher, configuration, the story steps) is read from a
file of that session's host; the same-named task of WS-B02 never starts a session of PC-K01; every
timeline row of a host's file carries that host's name.
"""
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import uuid
import zipfile

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


HOST_A, HOST_B = "PC-K01", "WS-B02"
TIME_ZONE = {HOST_A: "Tokyo Standard Time (UTC+09:00, bias -540 min)",
             HOST_B: "W. Europe Standard Time (UTC+01:00, bias -60 min)"}
FEATURE = {HOST_A: "enabled", HOST_B: "enabled, pending reboot"}  # Updates code 0x70 / 0x60 (§2.1)
WSB = {HOST_A: "MaintenanceSync.wsb", HOST_B: "NightlySync.wsb"}
TASK = "\\Microsoft\\Windows\\Maintenance\\MaintenanceSync"


def guid_of_sid(sid):
    """§0.3: the VM's SID S-1-5-83-1-A-B-C-D holds the GUID's 16 bytes as four little-endian
    32-bit numbers."""
    parts = [int(p) for p in sid.split("-")[5:9]]
    return str(uuid.UUID(bytes_le=struct.pack("<IIII", *parts))).upper()


def sid_of_guid(guid):
    return "S-1-5-83-1-" + "-".join(str(n) for n in struct.unpack("<IIII", uuid.UUID(guid).bytes_le))


def vm_guids(source):
    """The VM GUIDs of the bundled case's sources: those of every VM SID the logs carry."""
    found = set()
    for folder, _, names in os.walk(source):
        for name in names:
            text = open(os.path.join(folder, name), "rb").read().decode("utf-8", "replace")
            found.update(guid_of_sid(s) for s in re.findall(r"S-1-5-83-1-\d+-\d+-\d+-\d+", text))
    return sorted(found)


def second_host_sources(source, out, renamed):
    """Copies the bundled case's sources to OUT rewritten as the machine HOST_B (see the module
    text). RENAMED: {old GUID: new GUID}."""
    shutil.copytree(source, out)
    for folder, _, names in os.walk(out):
        for name in names:
            path = os.path.join(folder, name)
            data = open(path, "rb").read()
            text = data.decode("utf-8")
            text = text.replace(HOST_A, HOST_B).replace(WSB[HOST_A], WSB[HOST_B])
            for old, new in renamed.items():
                text = text.replace(sid_of_guid(old), sid_of_guid(new))
                text = re.sub(re.escape(old), lambda m: new if m.group(0).isupper() else new.lower(),
                              text, flags=re.IGNORECASE)
            if name == "SYSTEM.hive.reg":
                text = text.replace('"TimeZoneKeyName"="Tokyo Standard Time"',
                                    '"TimeZoneKeyName"="W. Europe Standard Time"')
                text = text.replace('"Bias"=dword:fffffde4', '"Bias"=dword:ffffffc4')
                text = text.replace('"ActiveTimeBias"=dword:fffffde4', '"ActiveTimeBias"=dword:ffffffc4')
            if name == "SOFTWARE.hive.reg":
                text = text.replace('"Containers-DisposableClientVM"=dword:00000070',
                                    '"Containers-DisposableClientVM"=dword:00000060')
            open(path, "wb").write(text.encode("utf-8"))
            if WSB[HOST_A] in name:
                os.rename(path, os.path.join(folder, name.replace(WSB[HOST_A], WSB[HOST_B])))


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    check(r.returncode in (0, 1) and "Sanitizer" not in r.stderr,
          "%s: exit %d: %s" % (" ".join(cmd[1:3]), r.returncode, r.stderr[-600:]))
    return r


def host_of_path(path, roots):
    """The host a path was written for: the root it lies under."""
    for root, host in roots.items():
        if path == root or path.startswith(root + "/") or path.startswith(root + "!"):
            return host
    return None


def check_case(sandtrace, db_path, roots, guids, label):
    run([sandtrace, "correlate", "--case", db_path])
    db = sqlite3.connect(db_path)
    hosts = dict(db.execute("SELECT id, name FROM hosts"))
    check(sorted(hosts.values()) == [HOST_A, HOST_B], "%s: hosts %s" % (label, hosts))
    by_name = {n: i for i, n in hosts.items()}

    # every file (evidence or not) has the host of the folder the test wrote it to; the same bytes
    # written for both hosts (a hive or a .wsb left unchanged) are one evidence row of both
    paths = db.execute("SELECT p.evidence_id, p.path FROM evidence_paths p").fetchall()
    check(len(paths) > 30, "%s: only %d paths" % (label, len(paths)))
    evidence_host = {}
    for evidence_id, path in paths:
        # (hostB.zip itself: the host its members name)
        evidence_host.setdefault(evidence_id, set()).add(host_of_path(path, roots))
    shared = 0
    for evidence_id, want in evidence_host.items():
        got = {hosts.get(h) for (h,) in db.execute(
            "SELECT host_id FROM evidence_hosts WHERE evidence_id = ?", (evidence_id,))}
        check(got == want, "%s: evidence %s belongs to %s, want %s" % (label, db.execute(
            "SELECT group_concat(path, ' ') FROM evidence_paths WHERE evidence_id = ?",
            (evidence_id,)).fetchone()[0], got, want))
        shared += len(want) > 1
    check(shared > 0 and shared < len(evidence_host) / 2, "%s: %d of %d files shared"
          % (label, shared, len(evidence_host)))

    # each host's facts come from its own hives
    for name in (HOST_A, HOST_B):
        facts = {(k, s): v for k, s, v in db.execute(
            "SELECT kind, subject, value FROM facts WHERE host_id = ?", (by_name.get(name),))}
        check(facts.get(("host", "ComputerName")) == name, "%s: %s ComputerName %s"
              % (label, name, facts.get(("host", "ComputerName"))))
        check(facts.get(("host", "time_zone")) == TIME_ZONE[name], "%s: %s time zone %s"
              % (label, name, facts.get(("host", "time_zone"))))
        check(facts.get(("feature_state", "Windows Sandbox (Containers-DisposableClientVM)"))
              == FEATURE[name], "%s: %s feature state %s" % (label, name, facts.get(
                  ("feature_state", "Windows Sandbox (Containers-DisposableClientVM)"))))
        check(facts.get(("host", "hostname")) == name, "%s: %s hostname fact %s"
              % (label, name, facts.get(("host", "hostname"))))
        # a fact's hive is a file of its host
        for evidence_id, kind in db.execute("SELECT evidence_id, kind FROM facts WHERE host_id = ? "
                                            "AND evidence_id IS NOT NULL", (by_name.get(name),)):
            check(name in evidence_host.get(evidence_id, ()), "%s: a %s fact of %s rests on a file "
                  "of %s" % (label, kind, name, evidence_host.get(evidence_id)))

    # sessions: host by host in name order, each with a VM GUID of its own host's logs
    sessions = json.loads(subprocess.run([sandtrace, "sessions", "--case", db_path, "--json"],
                                         capture_output=True, text=True).stdout or "[]")
    got = [(s["id"], s["host"], s["vm_id"]) for s in sessions]
    check([h for _, h, _ in got] == [HOST_A, HOST_A, HOST_B, HOST_B] and
          [i for i, _, _ in got] == [1, 2, 3, 4] and
          all(g in guids.get(h, ()) for _, h, g in got),
          "%s: sessions %s, want two of %s then two of %s" % (label, got, guids[HOST_A], guids[HOST_B]))
    for s in sessions:
        if s["trigger"]["kind"] == "task":
            check(s["trigger"]["task_name"] == TASK and s["wsb"]["path"] and
                  s["wsb"]["path"].endswith("\\" + WSB.get(s["host"], "?")),
                  "%s: session %s of %s started by %s with %s" % (label, s["id"], s["host"],
                                                                   s["trigger"]["task_name"],
                                                                   s["wsb"]["path"]))
    check(sum(s["trigger"]["kind"] == "task" for s in sessions) == 2,
          "%s: %d task-started sessions, want one per host" % (label, sum(
              s["trigger"]["kind"] == "task" for s in sessions)))
    vms = db.execute("SELECT vm_guid, host_id FROM other_vms").fetchall()
    check(all(g in guids.get(hosts.get(h), ()) for g, h in vms) and
          sorted(hosts.get(h) for _, h in vms) == sorted([HOST_A, HOST_B] * (len(vms) // 2)),
          "%s: other VMs %s" % (label, vms))

    # no cross-host link: every row linked to a session is read from a file of its host
    session_host = {i: hosts.get(h) for i, h in db.execute("SELECT id, host_id FROM sessions")}
    links = db.execute(
        "SELECT se.session_id, se.role, se.source_table, CASE se.source_table "
        "WHEN 'events' THEN (SELECT evidence_id FROM events WHERE id = se.row_id) "
        "WHEN 'tasks' THEN (SELECT evidence_id FROM tasks WHERE id = se.row_id) "
        "WHEN 'wsb_configs' THEN (SELECT evidence_id FROM wsb_configs WHERE id = se.row_id) "
        "WHEN 'reg_values' THEN (SELECT evidence_id FROM reg_values WHERE id = se.row_id) "
        "WHEN 'evidence' THEN se.row_id END FROM session_events se").fetchall()
    roles = set()
    for session, role, table, evidence_id in links:
        roles.add(role)
        check(session_host.get(session) in evidence_host.get(evidence_id, ()),
              "%s: session %s (%s) links a %s row (%s) of %s" % (label, session, session_host.get(session),
                                                               role, table, evidence_host.get(evidence_id)))
    check({"trigger", "launch", "vm_start", "registration", "host_context", "file"} <= roles,
          "%s: roles linked %s" % (label, sorted(roles)))

    # the timeline's hostname is the host of the row's file or session
    out = os.path.join(os.path.dirname(db_path), label.replace(" ", "_") + ".jsonl")
    run([sandtrace, "timeline", "--case", db_path, "--format", "jsonl", "-o", out])
    rows = [json.loads(line) for line in open(out)] if os.path.exists(out) else []
    check(len(rows) > 100, "%s: %d timeline rows" % (label, len(rows)))
    seen = set()
    path_host = {}
    for evidence_id, path in paths:
        path_host[path] = evidence_host.get(evidence_id)
    for row in rows:
        if row.get("evidence_path"):
            want = path_host.get(row["evidence_path"]) or set()
            # a row of a file of both hosts: both names; a fact read from it: its own host's
            want = {", ".join(sorted(want))} if row.get("sandtrace_source") != "fact" else want
        else:
            want = {session_host.get(row.get("session_id"))}
        seen.add(row.get("hostname"))
        check(row.get("hostname") in want, "%s: timeline row %s hostname %s, want %s"
              % (label, row.get("message", "")[:80], row.get("hostname"), want))
    check(seen == {HOST_A, HOST_B}, "%s: timeline hosts %s" % (label, seen))


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        guids_a = vm_guids(source)
        renamed = {g: str(uuid.UUID(int=uuid.UUID(g).int ^ (0x5A << 120))).upper() for g in guids_a}
        guids = {HOST_A: set(guids_a), HOST_B: set(renamed.values())}
        source_b = os.path.join(tmp, "source-b")
        second_host_sources(source, source_b, renamed)
        check(len(guids_a) >= 2, "the bundled case's VM GUIDs: %s" % guids_a)

        # ingest A B
        a, b = os.path.join(tmp, "hostA"), os.path.join(tmp, "hostB")
        for src, out in ((source, a), (source_b, b)):
            r = subprocess.run([stforge, "case", src, out], capture_output=True, text=True)
            if r.returncode != 0:
                print("FAIL: stforge case: " + r.stderr)
                return 1
        db = os.path.join(tmp, "two.db")
        run([sandtrace, "ingest", a, b, "--case", db])
        check_case(sandtrace, db, {a: HOST_A, b: HOST_B}, guids, "ingest A B")

        # one folder of host folders and zips: CASE/hostA/... and CASE/hostB.zip
        case = os.path.join(tmp, "case")
        os.makedirs(case)
        shutil.copytree(a, os.path.join(case, "hostA"))
        with zipfile.ZipFile(os.path.join(case, "hostB.zip"), "w") as z:
            for folder, _, names in os.walk(b):
                for name in sorted(names):
                    full = os.path.join(folder, name)
                    z.write(full, os.path.relpath(full, b))
        # a configuration beside the host folders belongs to neither: unassigned, with the reason
        loose = os.path.join(case, "loose.wsb")
        with open(loose, "w") as f:
            f.write("<Configuration><Networking>Enable</Networking><LogonCommand><Command>"
                    "C:\\Users\\WDAGUtilityAccount\\Desktop\\loose.cmd</Command></LogonCommand>"
                    "</Configuration>\n")
        db = os.path.join(tmp, "folder.db")
        run([sandtrace, "ingest", case, "--case", db])
        check_case(sandtrace, db, {os.path.join(case, "hostA"): HOST_A,
                                   os.path.join(case, "hostB.zip"): HOST_B}, guids, "one folder")
        row = sqlite3.connect(db).execute(
            "SELECT h.host_id, h.how, h.basis FROM evidence_hosts h JOIN evidence_paths p ON "
            "p.evidence_id = h.evidence_id WHERE p.path = ?", (loose,)).fetchall()
        check(len(row) == 1 and row[0][:2] == (None, "unassigned") and HOST_A in row[0][2] and
              HOST_B in row[0][2], "loose.wsb: %s" % row)
        fact = sqlite3.connect(db).execute(
            "SELECT value, detail FROM facts WHERE kind = 'host' AND subject = 'unassigned files' "
            "AND host_id IS NULL").fetchall()
        check(len(fact) == 1 and fact[0][0] == "1 file" and loose in fact[0][1],
              "loose.wsb: the unassigned-files fact %s" % fact)

    for f in failures:
        print("FAIL: " + f)
    print("%d checks failed" % len(failures) if failures else "ok: two hosts, each its own")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
