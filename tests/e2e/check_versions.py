#!/usr/bin/python3
"""`sandtrace --version`, the run row and the report name every library the program is linked
with, each with the version an independent source gives (METHOD.md §8.5).

1. The libraries the binary itself needs (readelf -d: its DT_NEEDED entries, not what they pull in
   in turn) are, one for one, the libraries --version lists (ICU's two libraries are one entry, the
   C library is glibc, the sanitizers' runtimes are the build's tooling, not sandtrace's): a library
   linked and not listed, or listed and not linked, fails.
2. Each version equals pkg-config's for the same library (glibc: os.confstr; nettle reports only
   major.minor; libdeflate, which cannot be asked at run time, is marked "(header)"; mimalloc:
   dpkg's version of its package).
3. An ingest writes the same list into its run row ("name version; ..."), and the report's run
   metadata shows it ("name version, ...", sandtrace first).

    check_versions.py SANDTRACE
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL: " + message)


# DT_NEEDED soname prefix -> the --version entry naming it (None: not a library of sandtrace's).
SONAMES = {
    "libevtx.so.": "libevtx", "libbfio.so.": "libbfio", "libregf.so.": "libregf",
    "libxml2.so.": "libxml2", "libsqlite3.so.": "SQLite", "libnettle.so.": "nettle",
    "libz.so.": "zlib", "libdeflate.so.": "libdeflate", "libarchive.so.": "libarchive",
    "libicui18n.so.": "ICU", "libicuuc.so.": "ICU", "libicudata.so.": "ICU",
    "libmimalloc.so.": "mimalloc", "libc.so.": "glibc", "libm.so.": "glibc",
    "libpthread.so.": "glibc", "libasan.so.": None, "libubsan.so.": None,
}

PKG_CONFIG = {
    "libevtx": "libevtx", "libbfio": "libbfio", "libregf": "libregf", "libxml2": "libxml-2.0",
    "SQLite": "sqlite3", "nettle": "nettle", "zlib": "zlib", "libdeflate": "libdeflate",
    "libarchive": "libarchive", "ICU": "icu-uc",
}


def run(args):
    return subprocess.run(args, capture_output=True, text=True)


def independent_version(name):
    if name == "glibc":
        return os.confstr("CS_GNU_LIBC_VERSION").split()[-1]
    if name == "mimalloc":
        version = run(["dpkg-query", "-W", "-f", "${Version}", "libmimalloc2.0"]).stdout
        return re.sub(r"[+~-].*", "", version)
    got = run(["pkg-config", "--modversion", PKG_CONFIG[name]])
    return got.stdout.strip() if got.returncode == 0 else None


def main():
    sandtrace = sys.argv[1]
    shown = run([sandtrace, "--version"])
    check(shown.returncode == 0, "--version exits %d" % shown.returncode)
    entries = [tuple(line.split(" ", 1)) for line in shown.stdout.splitlines()]
    names = [name for name, _ in entries]
    check(names[:1] == ["sandtrace"] and len(set(names)) == len(names),
          "--version: sandtrace first, each name once: %s" % names)

    # 1. linked = listed
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                        run(["readelf", "-d", sandtrace]).stdout)
    check(needed != [], "readelf found no NEEDED entry in %s" % sandtrace)
    linked = set()
    for soname in needed:
        prefixes = [p for p in SONAMES if soname.startswith(p)]
        check(prefixes != [], "%s is linked but no --version entry is known for it" % soname)
        if prefixes and SONAMES[prefixes[0]]:
            linked.add(SONAMES[prefixes[0]])
    libraries = set(names) - {"sandtrace", "allocator"}
    check(libraries == linked, "--version lists %s, the binary is linked with %s (missing %s, "
          "extra %s)" % (sorted(libraries), sorted(linked), sorted(linked - libraries),
                         sorted(libraries - linked)))
    check(("mimalloc" in names) != ("allocator" in names),
          "--version names the allocator once: %s" % names)

    # 2. each version from an independent source
    for name, version in entries:
        if name in ("sandtrace", "allocator"):
            continue
        expected = independent_version(name)
        check(expected is not None, "%s: no independent version to compare with" % name)
        if expected is None:
            continue
        if name == "nettle":
            ok = expected == version or expected.startswith(version + ".")
        elif name == "libdeflate":
            ok = version == expected + " (header)"
        else:
            ok = version == expected
        check(ok, "%s: --version says %r, %s says %r" % (
            name, version, "pkg-config" if name in PKG_CONFIG else "the system", expected))

    # 3. the run row and the report
    with tempfile.TemporaryDirectory(prefix="sandtrace-versions-") as tmp:
        folder = os.path.join(tmp, "in")
        os.makedirs(folder)
        with open(os.path.join(folder, "note.txt"), "w") as f:
            f.write("not evidence\n")
        db = os.path.join(tmp, "case.db")
        ingest = run([sandtrace, "ingest", folder, "--case", db])
        check(ingest.returncode == 0, "ingest exits %d: %s" % (ingest.returncode, ingest.stderr[-500:]))
        con = sqlite3.connect(db)
        rows = con.execute("SELECT libraries FROM run").fetchall()
        con.close()
        listed = "; ".join("%s %s" % e for e in entries[1:])
        check(rows == [(listed,)], "run row libraries %s, --version %r" % (rows, listed))
        html = os.path.join(tmp, "report.html")
        report = run([sandtrace, "report", "--case", db, "-o", html])
        check(report.returncode == 0, "report exits %d: %s" % (report.returncode, report.stderr[-500:]))
        text = open(html, encoding="utf-8").read() if os.path.exists(html) else ""
        shown_in_report = re.search(r"<dt>Versions</dt><dd>([^<]*)</dd>", text)
        check(shown_in_report is not None and
              shown_in_report.group(1) == ", ".join("%s %s" % e for e in entries),
              "report versions %r, --version %r" % (
                  shown_in_report.group(1) if shown_in_report else None, entries))

    if FAILURES:
        sys.exit(1)
    print("versions: %d libraries, each as linked and as pkg-config/the system says" % len(libraries))


if __name__ == "__main__":
    main()
