#!/usr/bin/python3
"""Reading one host of several (METHOD.md §8.9): --host NAME on facts, sessions (text and
--json), show, timeline (csv, jsonl, body) and report, and the report of a case of several hosts
split by host.

The two-host case is the one of check_hosts.py (its helpers write it): the bundled case as host
PC-K01, and the same story rewritten as WS-B02 (another computer name, time zone and VM GUIDs).
What is expected comes from what the test wrote, and from sandtrace's reading of host PC-K01's
collection alone (a case of one host, ingested on its own):

- every read command with --host X shows X's rows and none of the other host's (the VM GUIDs
  written into the other host's logs, its computer name, its time zone); the sessions of
  --host PC-K01 are those of PC-K01's collection read alone (same VM GUIDs, same verdicts), and
  each host has as many as the story has;
- the timelines with --host X hold exactly the whole case's rows of X's files and sessions, each
  with hostname X (CSV, JSONL, the body file's name);
- a host is found without regard to case and by the first label of a DNS name; a name the case
  does not hold is a usage error (exit 2) listing the hosts, on every read command;
- the report of the whole case names both hosts on page one (with their sessions count) and puts
  each session's section inside its own host's section; check_report.py passes on it; printed to
  PDF, every page has "page X of Y" and nothing overprints or runs past the page; the report of
  --host X holds X's sessions alone;
- a case of one host reads as before: the same output with --host as without, and a report
  without host sections.

usage: check_host_reading.py STFORGE SANDTRACE TESTDATA_CASE
"""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_hosts  # noqa: E402  (the two-host case's writer)
import check_report_pdf  # noqa: E402  (the print checks)

HOST_A, HOST_B = check_hosts.HOST_A, check_hosts.HOST_B
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def run(sandtrace, *args):
    r = subprocess.run([sandtrace] + list(args), capture_output=True, text=True)
    check("Sanitizer" not in r.stderr and "runtime error" not in r.stderr,
          "%s: sanitizer: %s" % (" ".join(args[:3]), r.stderr[-800:]))
    return r


def timeline_rows(sandtrace, db, fmt, host=None):
    """The timeline of DB in FMT (csv, jsonl, body) as a list of rows (dicts for csv/jsonl,
    name strings for body); HOST: --host."""
    args = ["timeline", "--case", db, "--format", fmt] + (["--host", host] if host else [])
    r = run(sandtrace, *args)
    check(r.returncode == 0, "timeline %s %s: exit %d %s" % (fmt, host, r.returncode, r.stderr[-300:]))
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(r.stdout)))
    if fmt == "jsonl":
        return [json.loads(line) for line in r.stdout.splitlines()]
    return [line.split("|")[1] for line in r.stdout.splitlines()]


def row_key(row):
    return (row.get("datetime"), row.get("message"), row.get("evidence_sha256"), row.get("location"),
            row.get("session_id"))


def other(host):
    return HOST_B if host == HOST_A else HOST_A


def check_sessions(sandtrace, db, guids, alone):
    """sessions --json / text and show with --host."""
    whole = json.loads(run(sandtrace, "sessions", "--case", db, "--json").stdout or "[]")
    for host in (HOST_A, HOST_B):
        r = run(sandtrace, "sessions", "--case", db, "--json", "--host", host.lower())
        check(r.returncode == 0, "sessions --json --host %s: exit %d" % (host, r.returncode))
        mine = json.loads(r.stdout or "[]")
        check(mine and all(s["host"] == host and s["vm_id"] in guids[host] for s in mine),
              "sessions --json --host %s: %s" % (host, [(s["host"], s["vm_id"]) for s in mine]))
        check([s["id"] for s in mine] == [s["id"] for s in whole if s["host"] == host],
              "sessions --json --host %s: ids %s" % (host, [s["id"] for s in mine]))
        # as many sessions as the story has: those of PC-K01's collection read alone
        check(len(mine) == len(alone), "host %s: %d sessions, the story has %d" % (host, len(mine), len(alone)))
        text = run(sandtrace, "sessions", "--case", db, "--host", host).stdout
        listed = set(re.findall(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", text))
        check(listed == {s["vm_id"] for s in mine}, "sessions --host %s lists %s" % (host, sorted(listed)))
        check(not (listed & guids[other(host)]), "sessions --host %s lists a VM of %s" % (host, other(host)))
        for s in whole:
            r = run(sandtrace, "show", str(s["id"]), "--case", db, "--host", host)
            if s["host"] == host:
                check(r.returncode == 0 and s["vm_id"] in r.stdout and ("host: %s" % host) in r.stdout,
                      "show %d --host %s: exit %d" % (s["id"], host, r.returncode))
            else:
                check(r.returncode == 1 and s["vm_id"] not in r.stdout and "no session" in r.stderr,
                      "show %d --host %s (a session of %s): exit %d %s" % (s["id"], host, s["host"],
                                                                       r.returncode, r.stdout[:200]))
    # PC-K01's sessions are those of its collection read alone
    mine = json.loads(run(sandtrace, "sessions", "--case", db, "--json", "--host", HOST_A).stdout or "[]")
    check([(s["vm_id"], s["verdict"], s["score"]) for s in mine] ==
          [(s["vm_id"], s["verdict"], s["score"]) for s in alone],
          "--host %s: %s; the collection alone: %s" % (HOST_A, [(s["vm_id"], s["verdict"]) for s in mine],
                                                      [(s["vm_id"], s["verdict"]) for s in alone]))
    # whole-case text: each host under its own line, its sessions below it
    text = run(sandtrace, "sessions", "--case", db).stdout
    parts = re.split(r"^== host (\S+) ==$", text, flags=re.M)
    check(parts[1::2] == [HOST_A, HOST_B], "sessions (whole case): host lines %s" % parts[1::2])
    for host, body in zip(parts[1::2], parts[2::2]):
        listed = set(re.findall(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", body))
        check(listed and listed <= guids.get(host, set()), "sessions (whole case): under %s %s" % (host, listed))
    return whole


def check_facts(sandtrace, db):
    for host in (HOST_A, HOST_B):
        r = run(sandtrace, "facts", "--case", db, "--host", host)
        check(r.returncode == 0, "facts --host %s: exit %d %s" % (host, r.returncode, r.stderr[-200:]))
        check(check_hosts.TIME_ZONE[host] in r.stdout and check_hosts.TIME_ZONE[other(host)] not in r.stdout,
              "facts --host %s: time zone of the wrong host" % host)
        check(re.search(r"ComputerName\s+%s\b" % host, r.stdout) and other(host) not in r.stdout,
              "facts --host %s: names %s or not itself" % (host, other(host)))
    text = run(sandtrace, "facts", "--case", db).stdout
    parts = re.split(r"^== host (\S+) ==$", text, flags=re.M)
    check(parts[1::2] == [HOST_A, HOST_B], "facts (whole case): host lines %s" % parts[1::2])
    for host, body in zip(parts[1::2], parts[2::2]):
        check(check_hosts.TIME_ZONE.get(host, "?") in body and
              check_hosts.TIME_ZONE.get(other(host), "?") not in body,
              "facts (whole case): the facts under %s are not its own" % host)


def check_timelines(sandtrace, db, guids):
    whole = timeline_rows(sandtrace, db, "jsonl")
    counts = {}
    for host in (HOST_A, HOST_B):
        mine = timeline_rows(sandtrace, db, "jsonl", host.lower())
        check(mine and all(r.get("hostname") == host for r in mine),
              "timeline jsonl --host %s: hostnames %s" % (host, sorted({r.get("hostname") for r in mine})))
        want = sorted(row_key(r) for r in whole if host in (r.get("hostname") or "").split(", "))
        check(sorted(row_key(r) for r in mine) == want,
              "timeline jsonl --host %s: %d rows, the whole case has %d of it" % (host, len(mine), len(want)))
        check(not any(g in json.dumps(r) for r in mine for g in guids[other(host)]),
              "timeline jsonl --host %s: a row names a VM of %s" % (host, other(host)))
        rows = timeline_rows(sandtrace, db, "csv", host)
        check(len(rows) == len(mine) and all(r["hostname"] == host for r in rows),
              "timeline csv --host %s: %d rows, hostnames %s" % (host, len(rows), sorted({r["hostname"] for r in rows})))
        names = timeline_rows(sandtrace, db, "body", host)
        check(len(names) == len(mine) and all("; host %s" % host in n for n in names),
              "timeline body --host %s: %d lines, without the host in %d" % (
                  host, len(names), sum("; host %s" % host not in n for n in names)))
        counts[host] = len(mine)
    # the whole body file names each row's host too
    names = timeline_rows(sandtrace, db, "body")
    check(len(names) == len(whole) and all("; host " in n for n in names), "timeline body: a line without its host")
    return counts


def check_unknown_host(sandtrace, db):
    for args in (["facts"], ["sessions"], ["sessions", "--json"], ["show", "1"],
                 ["timeline", "--format", "jsonl"], ["report", "-o", os.devnull]):
        r = run(sandtrace, *(args + ["--case", db, "--host", "PC-NONE"]))
        check(r.returncode == 2 and "PC-NONE" in r.stderr and "%s, %s" % (HOST_A, HOST_B) in r.stderr and
              not r.stdout.strip().strip("[]"),
              "%s --host PC-NONE: exit %d, %s" % (" ".join(args), r.returncode, r.stderr.strip()[:200]))
    # a bare name finds a DNS name and back; a prefix is not a name
    r = run(sandtrace, "sessions", "--case", db, "--json", "--host", HOST_B.lower() + ".corp.example")
    check(r.returncode == 0 and all(s["host"] == HOST_B for s in json.loads(r.stdout or "[]")) and r.stdout.strip() != "[]",
          "--host %s.corp.example: exit %d" % (HOST_B.lower(), r.returncode))
    r = run(sandtrace, "sessions", "--case", db, "--host", HOST_B[:2])
    check(r.returncode == 2, "--host %s (a prefix): exit %d" % (HOST_B[:2], r.returncode))


def section_spans(page):
    """{host name: (start, end)} of the host sections of a report."""
    starts = [(m.start(), m.group(1)) for m in re.finditer(
        r'<section class="host-part" id="host-\d+">\s*<h2>Host <span class="mono">([^<]+)</span>', page)]
    ends = starts[1:] + [(page.find('<section id="attack">'), None)]
    return {name: (start, end) for (start, name), (end, _) in zip(starts, ends)}


def check_report(sandtrace, db, whole, tmp):
    html_path = os.path.join(tmp, "two.html")
    r = run(sandtrace, "report", "--case", db, "-o", html_path, "--case-name", "Two hosts", "--examiner", "E",
            "--pdf")
    check(r.returncode in (0, 1), "report --pdf: exit %d %s" % (r.returncode, r.stderr[-300:]))
    page = open(html_path, encoding="utf-8").read()
    one = page[:page.find('<section id="run-metadata">')]
    hosts_table = re.search(r'<h2 id="hosts">Hosts</h2>.*?</table>', one, re.S)
    check(hosts_table, "page one has no host table")
    for host in (HOST_A, HOST_B):
        n = sum(s["host"] == host for s in whole)
        row = re.search(r'<tr><td class="mono"><a href="#host-\d+">%s</a></td><td>(.*?)</td><td class="num">(\d+)'
                        r'</td><td class="num">(\d+)</td>' % host, hosts_table.group(0) if hosts_table else "")
        check(row and int(row.group(3)) == n and "named by" in row.group(1),
              "page one: the host table's row of %s (want %d sessions): %s" % (host, n, row.group(0) if row else None))
    spans = section_spans(page)
    check(sorted(spans) == [HOST_A, HOST_B], "report: host sections %s" % sorted(spans))
    for s in whole:
        at = page.find('id="session-%d"' % s["id"])
        span = spans.get(s["host"], (0, 0))
        check(span[0] < at < span[1], "report: session %d of %s is not in its host's section" % (s["id"], s["host"]))
    for host, (start, end) in spans.items():
        part = page[start:end]
        check(check_hosts.TIME_ZONE[host] in part and check_hosts.TIME_ZONE[other(host)] not in part,
              "report: the host facts in %s's section are not its own" % host)
    r = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_report.py"),
                        html_path, db], capture_output=True, text=True)
    check(r.returncode in (0, 77), "check_report.py on the two-host report: %s" % r.stdout[-600:])
    pdf = html_path[:-5] + ".pdf"
    if os.path.exists(pdf):
        texts = check_report_pdf.page_texts(pdf)
        for n, text in enumerate(texts, 1):
            check("page %d of %d" % (n, len(texts)) in re.sub(r"\s+", " ", text), "pdf page %d: no page X of Y" % n)
        flat = re.sub(r"\s+", " ", " ".join(texts[:2]))
        check(HOST_A in flat and HOST_B in flat, "the printed page one does not name both hosts")
        problems = check_report_pdf.layout_problems(pdf)
        check(not problems, "pdf: %d overprint(s), first %s" % (len(problems), problems[:3]))
        wide = check_report_pdf.emulation_problems(html_path, tmp)
        check(not wide, "print emulation: %d element(s) too wide, first %s" % (len(wide), wide[:3]))
        print("two-host report.pdf: %d pages, %d overprints, %d too wide" % (len(texts), len(problems), len(wide)))
    else:
        print("SKIP part: no report.pdf (chromium not installed)")
    # --host: that host's sessions alone
    for host in (HOST_A, HOST_B):
        path = os.path.join(tmp, host + ".html")
        r = run(sandtrace, "report", "--case", db, "-o", path, "--host", host)
        check(r.returncode == 0, "report --host %s: exit %d %s" % (host, r.returncode, r.stderr[-300:]))
        page = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        shown = sorted(int(i) for i in re.findall(r'<section class="session" id="session-(\d+)"', page))
        check(shown == [s["id"] for s in whole if s["host"] == host], "report --host %s: sessions %s" % (host, shown))
        check(not any(s["vm_id"] in page for s in whole if s["host"] != host),
              "report --host %s names a VM of the other host" % host)
        check('class="host-part"' not in page and "<dt>Host</dt><dd><span class=\"mono\">%s</span>" % host in page,
              "report --host %s: host sections, or page one does not name the host" % host)


def check_one_host(sandtrace, db, tmp):
    """A case of one host reads as before: --host changes nothing, and the report has no host
    sections."""
    for args in (["facts"], ["sessions"], ["sessions", "--json"], ["show", "2"],
                 ["timeline", "--format", "csv"], ["timeline", "--format", "body"]):
        plain = run(sandtrace, *(args + ["--case", db]))
        scoped = run(sandtrace, *(args + ["--case", db, "--host", HOST_A.lower()]))
        check(plain.returncode == 0 and plain.stdout and plain.stdout == scoped.stdout,
              "one host: %s with --host differs from without" % " ".join(args))
    path = os.path.join(tmp, "one.html")
    run(sandtrace, "report", "--case", db, "-o", path)
    page = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    check('id="host-facts"' in page and 'id="summary"' in page and 'id="hosts"' not in page and
          'class="host-part"' not in page and "<dt>Host</dt>" not in page,
          "one host: the report is split by host")


def write_two_hosts(stforge, source, tmp):
    """The two host collections of check_hosts.py under TMP, and {host: its VM GUIDs}."""
    story = check_hosts.vm_guids(source)
    # another machine's VMs: the same GUIDs with their first byte changed, as check_hosts.py does
    renamed = dict((g, str(uuid.UUID(int=uuid.UUID(g).int ^ (0x5A << 120))).upper()) for g in story)
    check_hosts.second_host_sources(source, os.path.join(tmp, "source-b"), renamed)
    collections = [os.path.join(tmp, name) for name in ("hostA", "hostB")]
    subprocess.run([stforge, "case", source, collections[0]], check=True, capture_output=True)
    subprocess.run([stforge, "case", os.path.join(tmp, "source-b"), collections[1]], check=True,
                   capture_output=True)
    return collections[0], collections[1], {HOST_A: set(story), HOST_B: set(renamed.values())}


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        a, b, guids = write_two_hosts(stforge, source, tmp)
        one, two = os.path.join(tmp, "one.db"), os.path.join(tmp, "two.db")
        for db, roots in ((one, [a]), (two, [a, b])):
            run(sandtrace, *(["ingest"] + roots + ["--case", db]))
            r = run(sandtrace, "correlate", "--case", db)
            check(r.returncode == 0, "correlate: %s" % r.stderr[-300:])
        alone = json.loads(run(sandtrace, "sessions", "--case", one, "--json").stdout or "[]")
        check(len(alone) >= 2, "the bundled case alone has %d sessions" % len(alone))

        check_one_host(sandtrace, one, tmp)
        whole = check_sessions(sandtrace, two, guids, alone)
        check_facts(sandtrace, two)
        counts = check_timelines(sandtrace, two, guids)
        check_unknown_host(sandtrace, two)
        if shutil.which("chromium") and shutil.which("pdftotext"):
            check_report(sandtrace, two, whole, tmp)
        else:
            print("SKIP part: the report checks need chromium and poppler-utils")
        print("two hosts: %d sessions; timeline rows %s" % (len(whole), counts))
    for f in failures[:40]:
        print("FAIL: " + f)
    print("%d checks failed" % len(failures) if failures else "ok: every read command reads one host of two")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
