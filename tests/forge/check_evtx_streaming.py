#!/usr/bin/python3
"""check_evtx_streaming.py - `stforge evtx` reads its XML one event at a time: its peak memory does
not grow with the number of events, the whole log is written, and a source that breaks off half way
leaves no output.

    check_evtx_streaming.py STFORGE OUT_DIR [--small N] [--large N] [--max-growth-mib M]

Forges a log of --small events and one of --large events (check_evtx.generate: four shapes, several
per chunk) and measures each run's peak RSS (wait4). The large run may use at most --max-growth-mib
more than the small one; a forge that holds the whole document (about 15 KiB per generated event in
libxml2's tree) exceeds that many times over. The large log is read back by libevtx (pyevtx) and
compared with its source record by record (check_evtx.compare_records). Then the first half of the
large source, cut mid-element, must be refused (exit 1, "not well-formed XML") with the file already
at the output path left as it was and no OUT.part left behind.

Under AddressSanitizer freed memory sits in a quarantine (256 MiB by default) that would hide the
difference; the runs set quarantine_size_mb=0 in ASAN_OPTIONS (ignored by other builds).
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_evtx  # noqa: E402  (same folder)


def forge(stforge, source, out):
    """Runs `stforge evtx SOURCE OUT`; returns (exit code, stderr, peak RSS in KiB)."""
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(o for o in (env.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0") if o)
    err_path = out + ".stderr"
    with open(err_path, "w") as err:
        proc = subprocess.Popen([stforge, "evtx", source, out], stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(err_path) as err:
        message = err.read().strip()
    os.unlink(err_path)
    return proc.returncode, message, usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stforge")
    ap.add_argument("out_dir")
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--large", type=int, default=20000)
    ap.add_argument("--max-growth-mib", type=float, default=16.0)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    failures = []

    rss = {}
    for name, count in (("small", args.small), ("large", args.large)):
        source = os.path.join(args.out_dir, "stream_%s.xml" % name)
        out = os.path.join(args.out_dir, "stream_%s.evtx" % name)
        # generated in a process of its own: this one forks stforge, and the child's peak RSS
        # counts the pages it shares with this process before exec (the generator's heap)
        subprocess.run([sys.executable, "-c", "import sys, check_evtx; check_evtx.generate(sys.argv[1], int(sys.argv[2]))",
                        source, str(count)], cwd=os.path.dirname(os.path.abspath(__file__)), check=True)
        code, message, rss[name] = forge(args.stforge, source, out)
        if code != 0:
            print("FAIL: stforge exited %d on %d events: %s" % (code, count, message))
            return 1
    growth = (rss["large"] - rss["small"]) / 1024.0
    print("peak RSS: %d events %.1f MiB, %d events %.1f MiB (growth %.1f MiB, limit %.1f)" % (
        args.small, rss["small"] / 1024.0, args.large, rss["large"] / 1024.0, growth, args.max_growth_mib))
    if growth > args.max_growth_mib:
        failures.append("peak RSS grows by %.1f MiB from %d to %d events (limit %.1f MiB): the source is not streamed"
                        % (growth, args.small, args.large, args.max_growth_mib))

    large_source = os.path.join(args.out_dir, "stream_large.xml")
    large_out = os.path.join(args.out_dir, "stream_large.evtx")
    checker = check_evtx.Checker()
    events = check_evtx.source_events(large_source)
    records, corrupted, _ = check_evtx.read_libevtx(large_out, checker)
    if len(records) != len(events) or corrupted:
        checker.fail("libevtx reads %d records (%d corrupted), source has %d events"
                     % (len(records), corrupted, len(events)))
    check_evtx.compare_records(checker, events, "libevtx", records)
    failures += checker.errors[:20]

    cut_source = os.path.join(args.out_dir, "stream_cut.xml")
    cut_out = os.path.join(args.out_dir, "stream_cut.evtx")
    with open(large_source, "rb") as f:
        data = f.read()
    with open(cut_source, "wb") as f:
        f.write(data[:len(data) // 2])
    with open(cut_out, "wb") as f:
        f.write(b"left as it was")
    code, message, _ = forge(args.stforge, cut_source, cut_out)
    if code != 1 or "not well-formed XML" not in message:
        failures.append("a source cut in half: exit %d, message %r (want 1, 'not well-formed XML')" % (code, message))
    with open(cut_out, "rb") as f:
        if f.read() != b"left as it was":
            failures.append("a failed forge changed the file at the output path")
    if os.path.exists(cut_out + ".part"):
        failures.append("a failed forge left %s.part behind" % cut_out)

    for failure in failures:
        print("FAIL: " + failure)
    if failures:
        return 1
    print("ok: %d events read back by libevtx field by field; a source cut in half refused (%s), output left as it was"
          % (len(events), message))
    return 0


if __name__ == "__main__":
    sys.exit(main())
