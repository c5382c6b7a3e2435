#!/usr/bin/python3
"""The host facts of METHOD.md §2.5 against two registry readers we did not write.

Every fact sandtrace states (kind host: os_product, os_build, os_display_version, install_date,
time_zone, last_shutdown, current_control_set, ComputerName; kind execution: the BAM entries of
the sandbox executables) is recomputed here from the values as Parse::Win32Registry
(tests/e2e/hive_values.pl) and libregf (pyregf) read them, field by field, and the set of facts
must be the same both ways (no fact missing, none extra). Hives:
  the bundled case     SOFTWARE read after `sandtrace hive recover` (its logs replayed), SYSTEM
  the corpus           Windows 10 1709 and Windows 7 SYSTEM hives (skipped without the corpus)
  damaged (corpus)     regipy_corrupted_system_hive: libregf opens no part of it; sandtrace reads it
                       through a copy with its broken hive bins emptied, and must agree with
                       Parse::Win32Registry on every fact it states. The figures are printed.

    check_host_facts.py STFORGE SANDTRACE TESTDATA_CASE [CORPUS]
"""
import datetime
import json
import lzma
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CV = "Microsoft\\Windows NT\\CurrentVersion"
SANDBOX_EXES = ("windowssandbox.exe", "windowssandboxclient.exe", "windowssandboxserver.exe",
                "windowssandboxremotesession.exe", "wsb.exe")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def iso(filetime):
    seconds, rest = divmod(filetime - 116444736000000000, 10_000_000)
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % rest


def plausible(filetime):
    return 121670208000000000 <= filetime < 157766880000000000


class Perl:
    """Keys of one hive through Parse::Win32Registry: {key: {value name lower: (name, type, bytes)}}."""
    name = "Parse::Win32Registry"

    def __init__(self, hive):
        self.hive = hive

    def keys(self, paths):
        out = subprocess.run(["perl", os.path.join(HERE, "hive_values.pl"), self.hive, *paths],
                             capture_output=True, text=True, check=True).stdout
        result = {}
        for line in out.splitlines():
            rec = json.loads(line)
            if rec.get("missing"):
                continue
            result[rec["key"]] = ({v["name"].lower(): (v["name"], v["type"], bytes.fromhex(v["data"]))
                                  for v in rec["values"]}, rec["subkeys"])
        return result

    def subkey_names(self, path):
        return None


class Libregf:
    name = "libregf"

    def __init__(self, hive):
        import pyregf
        self.file = pyregf.file()
        self.file.open(hive)

    def keys(self, paths):
        result = {}
        for path in paths:
            key = self.file.get_key_by_path(path)
            if key is None:
                continue
            values = {}
            for i in range(key.get_number_of_values()):
                v = key.get_value(i)
                values[(v.name or "").lower()] = (v.name or "", v.type, v.data or b"")
            result[path] = (values, key.get_number_of_sub_keys())
        return result


def dword(values, name):
    v = values.get(name.lower())
    return struct.unpack_from("<I", v[2])[0] if v and len(v[2]) >= 4 else None


def text(values, name):
    v = values.get(name.lower())
    return v[2].decode("utf-16-le", "replace").split("\0")[0] if v and v[1] in (1, 2) else None


def utc_offset(bias):
    offset = -bias
    return "UTC%s%02d:%02d" % ("-" if offset < 0 else "+", abs(offset) // 60, abs(offset) % 60)


def expected_software(reader):
    values = reader.keys([CV]).get(CV, ({}, 0))[0]
    facts = {}
    product, build = text(values, "ProductName"), text(values, "CurrentBuild") or text(values, "CurrentBuildNumber")
    if product:
        facts[("host", "os_product")] = product
    if build:
        ubr = dword(values, "UBR")
        facts[("host", "os_build")] = build if ubr is None else "%s.%d" % (build, ubr)
    if text(values, "DisplayVersion"):
        facts[("host", "os_display_version")] = text(values, "DisplayVersion")
    if dword(values, "InstallDate") is not None:
        ft = dword(values, "InstallDate") * 10_000_000 + 116444736000000000
        facts[("host", "install_date")] = iso(ft) if plausible(ft) else "unreadable"
    return facts


def expected_system(reader):
    select = reader.keys(["Select"]).get("Select", ({}, 0))[0]
    current = dword(select, "Current")
    facts = {}
    if current is not None:
        facts[("host", "current_control_set")] = "ControlSet%03d" % current
    cs = "ControlSet%03d" % (current if current else 1)
    tz_key, name_key, win_key = cs + "\\Control\\TimeZoneInformation", cs + "\\Control\\ComputerName\\ComputerName", \
        cs + "\\Control\\Windows"
    bam_roots = [cs + "\\Services\\bam\\State\\UserSettings", cs + "\\Services\\bam\\UserSettings"]
    got = reader.keys([tz_key, name_key, win_key])
    tz = got.get(tz_key, ({}, 0))[0]
    zone = text(tz, "TimeZoneKeyName") or text(tz, "StandardName")
    bias, active = dword(tz, "Bias"), dword(tz, "ActiveTimeBias")
    if bias is not None or active is not None:
        signed = lambda v: v - (1 << 32) if v is not None and v >= 1 << 31 else v
        bias, active = signed(bias), signed(active)
        in_force = active if active is not None else bias
        facts[("host", "time_zone")] = "%s (%s, bias %d min)" % (zone or "unnamed", utc_offset(in_force), in_force)
    name = text(got.get(name_key, ({}, 0))[0], "ComputerName")
    if name:
        facts[("host", "ComputerName")] = name
    shutdown = got.get(win_key, ({}, 0))[0].get("shutdowntime")
    if shutdown:
        ft = struct.unpack_from("<Q", shutdown[2])[0] if len(shutdown[2]) >= 8 else 0
        facts[("host", "last_shutdown")] = iso(ft) if plausible(ft) else "unreadable"
    # BAM: the SID subkeys are listed through libregf or Parse::Win32Registry's own key list
    for root in bam_roots:
        for sid in subkeys_of(reader, root):
            values = reader.keys([root + "\\" + sid]).get(root + "\\" + sid, ({}, 0))[0]
            for lower, (vname, _, data) in values.items():
                last = lower.rsplit("\\", 1)[-1]
                if last in SANDBOX_EXES or last.startswith("microsoftwindows.windowssandbox_"):
                    ft = struct.unpack_from("<Q", data)[0] if len(data) >= 8 else 0
                    facts[("execution", vname)] = iso(ft) if plausible(ft) else "unreadable"
    return facts


def subkeys_of(reader, path):
    if isinstance(reader, Libregf):
        key = reader.file.get_key_by_path(path)
        names = []
        for i in range(key.get_number_of_sub_keys() if key else 0):
            try:
                names.append(key.get_sub_key(i).name)
            except IOError:  # a subkey in an emptied page of a damaged hive: not readable
                pass
        return names
    out = subprocess.run(["perl", "-MParse::Win32Registry", "-e",
                          'my $k = Parse::Win32Registry->new($ARGV[0])->get_root_key->get_subkey($ARGV[1]); '
                          'print join("\\n", map { $_->get_name } $k ? $k->get_list_of_subkeys : ())',
                          reader.hive, path], capture_output=True, text=True, check=True).stdout
    return [s for s in out.split("\n") if s]


def stated(db, evidence_path):
    """{(kind, subject): value} of the §2.5 facts (and the computer name) read from one hive."""
    rows = db.execute("SELECT f.kind, f.subject, f.value FROM facts f JOIN evidence_paths p ON "
                      "p.evidence_id = f.evidence_id WHERE p.path = ? AND (f.section = '§2.5' OR "
                      "f.subject = 'ComputerName')", (evidence_path,))
    return {(k, s): v for k, s, v in rows}


def compare(label, got, want, reader):
    missing = {k: v for k, v in want.items() if k not in got}
    extra = {k: v for k, v in got.items() if k not in want}
    differ = {k: (got[k], want[k]) for k in want if k in got and got[k] != want[k]}
    check(not missing and not extra and not differ,
          "%s vs %s: missing %s, extra %s, different (sandtrace, %s) %s"
          % (label, reader, missing, extra, reader, differ))
    return len(want)


def analyze(sandtrace, collection, out):
    run = subprocess.run([sandtrace, "analyze", collection, "-o", out], capture_output=True, text=True)
    check(run.returncode in (0, 1) and "Sanitizer" not in run.stderr, "analyze %s: %d %s"
          % (collection, run.returncode, run.stderr[-400:]))
    return sqlite3.connect(os.path.join(out, "case.db"))


def computers_by_python_evtx(path):
    """{Computer: records} of an event log as python-evtx reads it (all records)."""
    import re
    import Evtx.Evtx as evtx
    counts = {}
    with evtx.Evtx(path) as log:
        for record in log.records():
            m = re.search(r"<Computer>([^<]*)</Computer>", record.xml())
            if m:
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def check_evidence_hosts(db, collection, label):
    """§2.6: every event log's evidence_host is the Computer most of its records carry (python-evtx),
    every SYSTEM hive's is its ComputerName fact. Returns {path: host}."""
    got = {p: v for p, v in db.execute("SELECT subject, value FROM facts WHERE kind = 'evidence_host'")}
    hosts = {}
    for folder, _, files in os.walk(collection):
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".evtx"):
                counts = computers_by_python_evtx(path)
                if counts:
                    hosts[path] = max(sorted(counts), key=lambda c: counts[c])
            elif name == "SYSTEM":
                row = db.execute("SELECT f.value FROM facts f JOIN evidence_paths p ON p.evidence_id = "
                                 "f.evidence_id WHERE p.path = ? AND f.subject = 'ComputerName'", (path,)).fetchone()
                if row:
                    hosts[path] = row[0]
    check(got == hosts, "%s: evidence_host facts %s, want %s" % (label, got, hosts))
    return hosts


def system_collection(tmp, name, source_xz):
    folder = os.path.join(tmp, name, "C", "Windows", "System32", "config")
    os.makedirs(folder)
    hive = os.path.join(folder, "SYSTEM")
    with lzma.open(source_xz) as f, open(hive, "wb") as out:
        out.write(f.read())
    return os.path.join(tmp, name), hive


def emptied_copy(hive, out):
    """The damaged hive with every page that is not part of a valid hive bin replaced by an empty
    bin (METHOD.md §2.5's rule, written again here), for counting what libregf can then read."""
    data = bytearray(open(hive, "rb").read())
    end = min(4096 + struct.unpack_from("<I", data, 40)[0], len(data))
    offset, emptied = 4096, 0
    while offset < end:
        size = struct.unpack_from("<I", data, offset + 8)[0]
        if data[offset:offset + 4] == b"hbin" and struct.unpack_from("<I", data, offset + 4)[0] == offset - 4096 \
                and size and size % 4096 == 0 and size <= end - offset:
            offset += size
            continue
        data[offset:offset + 4096] = b"hbin" + struct.pack("<II", offset - 4096, 4096) + bytes(20) + \
            struct.pack("<I", 4064) + bytes(4060)
        offset += 4096
        emptied += 1
    checksum = 0
    for i in range(0, 508, 4):
        checksum ^= struct.unpack_from("<I", data, i)[0]
    struct.pack_into("<I", data, 508, checksum)
    open(out, "wb").write(bytes(data))
    return emptied


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    corpus = sys.argv[4] if len(sys.argv) > 4 else ""
    compared = 0
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "case")
        subprocess.run([stforge, "case", source, case], check=True, capture_output=True)
        db = analyze(sandtrace, case, os.path.join(tmp, "case-out"))
        config = os.path.join(case, "C", "Windows", "System32", "config")
        recovered = os.path.join(tmp, "SOFTWARE.recovered")
        subprocess.run([sandtrace, "hive", "recover", os.path.join(config, "SOFTWARE"), "-o", recovered],
                       check=True, capture_output=True)
        software = stated(db, os.path.join(config, "SOFTWARE"))
        case_db = db
        system = stated(db, os.path.join(config, "SYSTEM"))
        check(("host", "time_zone") in system and ("execution", "\\Device\\HarddiskVolume3\\Windows\\System32\\"
                                                   "WindowsSandbox.exe") in system,
              "bundled case: the time zone or the WindowsSandbox.exe BAM fact is missing: %s" % system)
        check(system.get(("host", "time_zone")) == "Tokyo Standard Time (UTC+09:00, bias -540 min)",
              "bundled case time_zone: %s" % system.get(("host", "time_zone")))
        for reader in (Perl(recovered), Libregf(recovered)):
            compared += compare("bundled SOFTWARE", software, expected_software(reader), reader.name)
        for reader in (Perl(os.path.join(config, "SYSTEM")), Libregf(os.path.join(config, "SYSTEM"))):
            compared += compare("bundled SYSTEM", system, expected_system(reader), reader.name)

        hosts = check_evidence_hosts(db, case, "bundled case")
        hostname = db.execute("SELECT value, confidence FROM facts WHERE kind = 'host' AND subject = 'hostname'"
                              ).fetchall()
        check(len(hosts) == 8 and hostname == [("PC-K01", "high")], "bundled case hostname %s" % hostname)
        compared += len(hosts)

        if corpus and os.path.isdir(os.path.join(corpus, "evtx", "other_hosts")):
            # Another machine's event log in the same collection: its host is its own (§2.7): the
            # case holds two hosts, each with its own hostname fact, and the foreign files are the
            # other host's.
            other = os.path.join(case, "D", "other")
            os.makedirs(other)
            for name in os.listdir(os.path.join(corpus, "evtx", "other_hosts")):
                with open(os.path.join(corpus, "evtx", "other_hosts", name), "rb") as f, \
                        open(os.path.join(other, name), "wb") as out:
                    out.write(f.read())
            # (--all-events: the other log's records are not in the event catalogue, and a file
            # names its host only through records stored from it, METHOD.md §2.6)
            two = os.path.join(tmp, "two-hosts.db")
            run = subprocess.run([sandtrace, "ingest", case, "--case", two, "--all-events"],
                                 capture_output=True, text=True)
            check(run.returncode in (0, 1) and "Sanitizer" not in run.stderr, "two hosts: ingest %s"
                  % run.stderr[-300:])
            db = sqlite3.connect(two)
            hosts = check_evidence_hosts(db, case, "two hosts")
            foreign = {p: h for p, h in hosts.items() if p.startswith(other)}
            names = sorted({"PC-K01"} | set(foreign.values()), key=str.lower)
            table = [n for (n,) in db.execute("SELECT name FROM hosts ORDER BY id")]
            hostname = db.execute("SELECT h.name, f.value, f.confidence, f.detail FROM facts f JOIN hosts h "
                                  "ON h.id = f.host_id WHERE f.kind = 'host' AND f.subject = 'hostname' "
                                  "ORDER BY h.id").fetchall()
            placed = {p: n for p, n in db.execute("SELECT p.path, h.name FROM evidence_hosts e JOIN hosts h "
                                                  "ON h.id = e.host_id JOIN evidence_paths p ON "
                                                  "p.evidence_id = e.evidence_id")}
            check(foreign and all(h.split(".")[0].upper() != "PC-K01" for h in foreign.values()) and
                  table == names and [(n, v, c) for n, v, c, _ in hostname] == [(n, n, "high") for n in names]
                  and all(placed.get(p) == h for p, h in foreign.items()),
                  "two hosts: foreign %s, hosts %s, hostname facts %s" % (foreign, table, hostname))
            hostname = hostname[-1][1:]
            print("two hosts: %s" % hostname[2][:300])

        if not corpus or not os.path.isdir(os.path.join(corpus, "hives")):
            print("corpus not found: its SYSTEM hives not compared")
        else:
            hives = os.path.join(corpus, "hives")
            for name, xz in (("win10", "regipy_SYSTEM_WIN_10_1709.xz"), ("win7", "regipy_SYSTEM_win7_32bit.xz")):
                collection, hive = system_collection(tmp, name, os.path.join(hives, xz))
                got = stated(analyze(sandtrace, collection, os.path.join(tmp, name + "-out")), hive)
                check(len(got) >= 4, "%s: only %s" % (name, got))
                for reader in (Perl(hive), Libregf(hive)):
                    compared += compare(name, got, expected_system(reader), reader.name)
            collection, hive = system_collection(tmp, "damaged", os.path.join(hives, "damaged",
                                                                               "regipy_corrupted_system_hive.xz"))
            db = analyze(sandtrace, collection, os.path.join(tmp, "damaged-out"))
            got = stated(db, hive)
            want = expected_system(Perl(hive))
            # What libregf allows: sandtrace states a subset of what Parse::Win32Registry reads, each
            # equal; the figures say how much.
            check(got and all(want.get(k) == v for k, v in got.items()),
                  "damaged: sandtrace %s, Parse::Win32Registry %s" % (got, want))
            for k in (("host", "ComputerName"), ("host", "time_zone"), ("host", "last_shutdown")):
                check(k in got, "damaged: %s not read" % (k,))
            copy = os.path.join(tmp, "damaged-emptied")
            emptied = emptied_copy(hive, copy)
            services_perl = Perl(hive).keys(["ControlSet001\\Services"])["ControlSet001\\Services"][1]
            services_regf = len(subkeys_of(Libregf(copy), "ControlSet001\\Services"))
            rows = db.execute("SELECT count(*) FROM reg_values").fetchone()[0]
            print("damaged SYSTEM: %d of %d facts of Parse::Win32Registry stated, all equal; %d hive bin pages "
                  "emptied; ControlSet001\\Services subkeys: Parse::Win32Registry %d, libregf reads %d of them on the emptied copy; "
                  "%d reg_values rows" % (len(got), len(want), emptied, services_perl, services_regf, rows))
            compared += len(got)
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("ok: %d host facts equal to Parse::Win32Registry and libregf" % compared)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
