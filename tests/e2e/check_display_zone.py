#!/usr/bin/python3
"""--display-zone shows every time of `show`, `sessions` and the report as local time with its
offset, UTC beside it, and leaves the timeline files in UTC (issue 12).

    check_display_zone.py STFORGE SANDTRACE TESTDATA_CASE

Expected local times come from Python's zoneinfo over the same IANA database (an implementation
independent of the C library's), for every time `show` prints; plus the known instant of the
bundled case (session 2 starts 2025-01-07T00:02:24.1150339Z: 09:02:24+09:00 in Tokyo,
19:02:24-05:00 the day before in New York, winter time). `host` uses the host.time_zone fact
(added to a copy of the store the way the host-facts module writes it) and says so when the
store has none. Each check is also run on a spoiled text and must fail there.
"""
import datetime
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zoneinfo

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


ISO = r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7})"


def pair_problems(text, zone):
    """Every "LOCAL+hh:mm (UTCZ)" pair in TEXT: LOCAL must be UTC in ZONE. Returns (pairs, problems)."""
    pairs, problems = 0, []
    for local, sign, hh, mm, utc in re.findall(ISO + r"([+-])(\d\d):(\d\d) \(" + ISO + r"Z\)", text):
        pairs += 1
        when = datetime.datetime.strptime(utc[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        want = when.astimezone(zoneinfo.ZoneInfo(zone))
        offset = int(hh) * 60 + int(mm)
        offset = -offset if sign == "-" else offset
        if (local[:19] != want.strftime("%Y-%m-%dT%H:%M:%S") or local[19:] != utc[19:]
                or offset != want.utcoffset().total_seconds() / 60):
            problems.append("%s%s%s:%s is not %sZ in %s (%s)" % (local, sign, hh, mm, utc, zone, want.isoformat()))
    return pairs, problems


def run(args):
    return subprocess.run(args, capture_output=True, text=True)


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        col, out, plain = (os.path.join(tmp, n) for n in ("col", "out", "plain"))
        subprocess.run([stforge, "case", source, col], check=True, capture_output=True)
        r = run([sandtrace, "analyze", col, "-o", out, "--display-zone", "Asia/Tokyo"])
        check(r.returncode == 0, "analyze --display-zone: %d %s" % (r.returncode, r.stderr[-300:]))
        subprocess.run([sandtrace, "analyze", col, "-o", plain], check=True, capture_output=True)
        db = os.path.join(out, "case.db")

        # the files stay UTC: the timelines are byte-identical with and without a display zone
        for name in ("timeline.csv", "timeline.jsonl", "timeline.body", "sessions.json"):
            check(open(os.path.join(out, name), "rb").read() == open(os.path.join(plain, name), "rb").read(),
                  "%s differs with --display-zone" % name)
        page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
        check("2025-01-07T<wbr>09:02:24.1150339+09:00 <span class=\"muted\">(UTC 2025-01-07T<wbr>"
              "00:02:24.1150339Z)</span>" in page, "the report does not show session 2's start in Tokyo time")
        pairs, problems = pair_problems(page.replace("<wbr>", "").replace('<span class="muted">(UTC ', "(")
                                        .replace(")</span>", ")"), "Asia/Tokyo")
        check(pairs > 20 and not problems, "report: %d pairs, %s" % (pairs, problems[:3]))

        for zone, start in (("Asia/Tokyo", "2025-01-07T09:02:24.1150339+09:00"),
                            ("America/New_York", "2025-01-06T19:02:24.1150339-05:00")):
            r = run([sandtrace, "show", "2", "--case", db, "--display-zone", zone])
            check(r.returncode == 0, "show --display-zone %s: %d %s" % (zone, r.returncode, r.stderr))
            check(("from %s (2025-01-07T00:02:24.1150339Z)" % start) in r.stdout,
                  "show in %s: the start is not %s" % (zone, start))
            pairs, problems = pair_problems(r.stdout, zone)
            check(pairs >= 20 and not problems, "show in %s: %d pairs, %s" % (zone, pairs, problems[:3]))
            # and the check can fail: one hour off
            spoiled = r.stdout.replace(start, start.replace("T09:", "T10:").replace("T19:", "T20:"))
            check(pair_problems(spoiled, zone)[1], "the zone check passed a time an hour off")
            r = run([sandtrace, "sessions", "--case", db, "--display-zone", zone])
            check(start in r.stdout and not pair_problems(r.stdout, zone)[1], "sessions in %s" % zone)
        # without the option: UTC as before
        r = run([sandtrace, "show", "2", "--case", db])
        check("from 2025-01-07T00:02:24.1150339Z to" in r.stdout and "+09:00" not in r.stdout, "show without a zone")

        # host: the bundled case's SYSTEM hive states Tokyo Standard Time (METHOD.md §2.5)
        r = run([sandtrace, "show", "2", "--case", db, "--display-zone", "host"])
        check(r.returncode == 0 and "Asia/Tokyo, the host's configured zone (Tokyo Standard Time" in r.stdout
              and "from 2025-01-07T09:02:24.1150339+09:00" in r.stdout, "host zone of the case: %s" % r.stdout[:300])
        # said when the collection does not state it (the fact removed from a copy)
        without = os.path.join(tmp, "nozone.db")
        shutil.copy(db, without)
        con = sqlite3.connect(without)
        removed = con.execute("DELETE FROM facts WHERE kind = 'host' AND subject = 'time_zone'").rowcount
        con.commit()
        con.close()
        check(removed == 1, "the bundled case has %d time zone facts, not 1" % removed)
        r = run([sandtrace, "show", "2", "--case", without, "--display-zone", "host"])
        check(r.returncode == 0 and "does not state the host's time zone" in r.stderr
              and "does not state the host's time zone" in r.stdout and "+09:00" not in r.stdout,
              "host without a time zone fact: %s %s" % (r.stdout[:200], r.stderr))
        # another zone stated: used
        with_zone = os.path.join(tmp, "zone.db")
        shutil.copy(db, with_zone)
        con = sqlite3.connect(with_zone)
        changed = con.execute("UPDATE facts SET value = 'Eastern Standard Time (-05:00, bias 300 min)' "
                              "WHERE kind = 'host' AND subject = 'time_zone'").rowcount
        con.commit()
        con.close()
        check(changed == 1, "no time zone fact to change")
        r = run([sandtrace, "show", "2", "--case", with_zone, "--display-zone", "host"])
        check("America/New_York, the host's configured zone (Eastern Standard Time" in r.stdout
              and "from 2025-01-06T19:02:24.1150339-05:00" in r.stdout, "host zone: %s" % r.stdout[:300])
        # task XML local times: read in the host's zone, labelled
        r = run([sandtrace, "report", "--case", with_zone, "-o", os.path.join(tmp, "zone.html")])
        page = open(os.path.join(tmp, "zone.html"), encoding="utf-8").read()
        check("registration 2025-01-06T15:12:33 <span class=\"muted\">(task local time; in the host's zone "
              "America/New_York that is 2025-01-06T<wbr>20:12:33.0000000Z)</span>" in page,
              "the task's registration date is not converted with the host's zone")

        r = run([sandtrace, "show", "2", "--case", db, "--display-zone", "Mars/Olympus_Mons"])
        check(r.returncode == 2 and "not a time zone" in r.stderr, "an unknown zone: %d %s" % (r.returncode, r.stderr))
        # analyze refuses an unknown zone before it reads anything
        r = run([sandtrace, "analyze", col, "-o", os.path.join(tmp, "never"), "--display-zone", "Mars/Olympus_Mons"])
        check(r.returncode == 2 and "not a time zone" in r.stderr and not os.path.exists(os.path.join(tmp, "never")),
              "analyze with an unknown zone: %d %s" % (r.returncode, r.stderr))
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("--display-zone: show, sessions and the report in local time with UTC beside; files UTC")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
