#!/usr/bin/python3
"""report.html renders in headless Chromium and says what the case store says (issue 6).

usage: check_report.py REPORT.html CASE.db [SCREENSHOT.png]

Renders REPORT.html in Debian's chromium (--dump-dom and --screenshot) and checks:
  console    Chromium logs no console message for the page (the report has no script, so any
             message is a browser complaint: a failed load, a blocked resource, a parse problem);
             name resolution is mapped to NOTFOUND so a network fetch could only fail, loudly
  network    the file holds no http:// or https:// (evidence text writes "http&#58;" so it reads
             the same), and the rendered DOM has no <script>, <link>, <img>, <iframe>, <object>,
             <embed>, no CSS url()/@import, and no href/src attribute that is not "#..."
  anchors    every href="#x" (and SVG url(#x) reference) has an element with id="x"; ids unique
  sessions   every session of the store has its section (id="session-N") holding its VM GUID
             and verdict, and the summary lists the same number of sessions
  evidence   every evidence row of the store has its row id="ev-<sha256[:16]>" holding its full
             SHA-256, MD5 and SHA-1, and there is no evidence row the store does not have
  metadata   exactly one <section id="run-metadata">
  screenshot a PNG of the right size that is not blank (saved to SCREENSHOT.png if given)

Every check is also run on a spoiled copy of its input (a removed anchor target, an external
link, a changed GUID, a changed hash, a second metadata block, a page that logs to the console,
a blank PNG) and must fail there: a check that cannot fail is a defect (STYLE.md).

Exit: 0 pass, 1 fail, 2 usage, 77 skip (no /usr/bin/chromium).
"""
import html.parser
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zlib

CHROMIUM = "/usr/bin/chromium"
WINDOW = (1280, 2400)
TIMEOUT = 120


def chromium(url, profile, extra):
    """Runs headless Chromium on URL; returns (stdout, stderr, seconds)."""
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=%d,%d" % WINDOW] + extra + [url]
    started = time.monotonic()
    proc = subprocess.run(args, capture_output=True, timeout=TIMEOUT)
    return (proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
            time.monotonic() - started)


# ---- the checks: each returns a list of problems (empty = pass) ------------------------------

def check_console(log):
    """Console messages in Chromium's log: '[...:INFO:CONSOLE(12)] "msg", source: ...' or
    '[...:INFO:CONSOLE:12] ...' depending on the version."""
    return ["console: " + line.strip() for line in log.splitlines()
            if re.search(r":CONSOLE[(:]", line)]


class Dom(html.parser.HTMLParser):
    """Collects ids, link targets, loader elements, style text and the text of every element
    that has an id (for the session and evidence checks)."""

    LOADERS = {"script", "link", "img", "iframe", "object", "embed", "audio", "video", "source",
               "frame", "frameset", "base", "image"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.loaders, self.attribute_urls = [], [], [], []
        self.style, self.in_style = [], False
        self.stack = []          # [tag, id or None, text parts]
        self.text_of = {}        # id -> text content

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.LOADERS:
            self.loaders.append(tag)
        for name, value in attrs.items():
            value = value or ""
            if name in ("href", "xlink:href", "src", "action", "srcset", "poster", "data",
                        "formaction", "background"):
                self.hrefs.append(value) if name in ("href", "xlink:href") else None
                if not value.startswith("#"):
                    self.attribute_urls.append("%s=%r on <%s>" % (name, value, tag))
            elif re.search(r"(?i)\b(?:https?|ftp|file):|url\((?!#)", value):
                self.attribute_urls.append("%s=%r on <%s>" % (name, value, tag))
            # SVG paint references (marker-end="url(#arrow-1)") are links inside the page
            self.hrefs += ["#" + m for m in re.findall(r"url\(#([^)]*)\)", value)]
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "style":
            self.in_style = True
        if tag not in self.VOID:
            self.stack.append([tag, attrs.get("id"), []])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        while self.stack:
            open_tag, element_id, parts = self.stack.pop()
            text = "".join(parts)
            if element_id is not None:
                self.text_of[element_id] = text
            if self.stack:
                self.stack[-1][2].append(text)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.in_style:
            self.style.append(data)
        if self.stack:
            self.stack[-1][2].append(data)


def parse_dom(text):
    dom = Dom()
    dom.feed(text)
    dom.close()
    return dom


def check_network(raw, dom):
    problems = []
    for m in re.finditer(rb"(?i)(?:https?|ftp)://", raw):
        problems.append("network: URL in the file at byte %d: %r" % (
            m.start(), raw[m.start():m.start() + 60]))
    problems += ["network: <%s> element" % t for t in dom.loaders]
    problems += ["network: attribute " + a for a in dom.attribute_urls]
    css = "".join(dom.style)
    for m in re.finditer(r"(?i)url\((?!#)|@import", css):
        problems.append("network: CSS %r" % css[m.start():m.start() + 60])
    return problems


def check_anchors(dom):
    ids = set(dom.ids)
    problems = ["anchors: duplicate id %r" % i for i in sorted({i for i in dom.ids
                                                               if dom.ids.count(i) > 1})]
    for href in dom.hrefs:
        if href.startswith("#") and href[1:] not in ids:
            problems.append("anchors: href=%r has no target" % href)
    if not any(h.startswith("#") for h in dom.hrefs):
        problems.append("anchors: no internal link at all")
    return problems


def check_sessions(dom, sessions):
    problems = []
    if not sessions:
        problems.append("sessions: the store has no session; the bundled case must have some")
    for sid, guid, verdict in sessions:
        text = dom.text_of.get("session-%d" % sid)
        if text is None:
            problems.append("sessions: no section id=session-%d" % sid)
            continue
        if guid not in text:
            problems.append("sessions: session %d section lacks VM GUID %s" % (sid, guid))
        if verdict not in text:
            problems.append("sessions: session %d section lacks verdict %s" % (sid, verdict))
    # one summary, or in a case of several hosts one per host (id="summary-host-N")
    summary = "".join(text for key, text in sorted(dom.text_of.items())
                      if key == "summary" or re.fullmatch(r"summary-host-(\d+|none)", key))
    for sid, guid, verdict in sessions:
        if guid not in summary:
            problems.append("sessions: summary lacks VM GUID %s" % guid)
    shown = sorted(int(i.split("-", 1)[1]) for i in dom.ids if re.fullmatch(r"session-\d+", i))
    if shown != sorted(s[0] for s in sessions):
        problems.append("sessions: report has sections %s, store has %s" % (
            shown, sorted(s[0] for s in sessions)))
    return problems


def check_evidence(dom, evidence):
    problems = []
    if not evidence:
        problems.append("evidence: the store has no evidence row")
    for sha256, md5, sha1 in evidence:
        text = dom.text_of.get("ev-" + sha256[:16])
        if text is None:
            problems.append("evidence: no row id=ev-%s" % sha256[:16])
            continue
        for name, value in (("SHA-256", sha256), ("MD5", md5), ("SHA-1", sha1)):
            if value not in text:
                problems.append("evidence: row ev-%s lacks its %s %s" % (sha256[:16], name, value))
    shown = {i for i in dom.ids if i.startswith("ev-")}
    extra = shown - {"ev-" + e[0][:16] for e in evidence}
    problems += ["evidence: row %s is not in the store" % e for e in sorted(extra)]
    return problems


def check_metadata(dom):
    n = dom.ids.count("run-metadata")
    return [] if n == 1 else ["metadata: %d run-metadata blocks, want 1" % n]


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def check_screenshot(data):
    size = png_size(data)
    if size is None:
        return ["screenshot: not a PNG"]
    if size != WINDOW:
        return ["screenshot: %dx%d, want %dx%d" % (size + WINDOW)]
    idat, pos = b"", 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    try:
        pixels = zlib.decompress(idat)
    except zlib.error as e:
        return ["screenshot: pixel data unreadable: %s" % e]
    # A blank page compresses to a few distinct (filtered) byte values; a rendered report uses
    # text, borders, badges and the graph's colours.
    if len(set(pixels)) < 64:
        return ["screenshot: looks blank (%d distinct byte values)" % len(set(pixels))]
    return []


def blank_png(width, height):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xff" * (width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                                              0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# ---- the run ---------------------------------------------------------------------------------

def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    report, case = argv[1], argv[2]
    shot_path = argv[3] if len(argv) == 4 else None
    if not os.path.exists(CHROMIUM):
        print("SKIP: %s is absent (apt-get install chromium)" % CHROMIUM)
        return 77

    db = sqlite3.connect("file:%s?mode=ro" % case, uri=True)
    sessions = db.execute("SELECT id, vm_guid, verdict FROM sessions ORDER BY id").fetchall()
    evidence = db.execute("SELECT sha256, md5, sha1 FROM evidence ORDER BY sha256").fetchall()
    db.close()
    with open(report, "rb") as f:
        raw = f.read()

    work = tempfile.mkdtemp(prefix="check_report.")
    problems, timings = [], []
    try:
        url = "file://" + os.path.abspath(report)
        dom_text, log, seconds = chromium(url, os.path.join(work, "p1"), ["--dump-dom"])
        timings.append(("dump-dom", seconds))
        shot = shot_path or os.path.join(work, "report.png")
        _, shot_log, seconds = chromium(url, os.path.join(work, "p2"), ["--screenshot=" + shot])
        timings.append(("screenshot", seconds))
        png = open(shot, "rb").read() if os.path.exists(shot) else b""

        dom = parse_dom(dom_text)
        if "run-metadata" not in dom_text:
            problems.append("render: Chromium returned no report DOM")
        problems += check_console(log) + check_console(shot_log)
        problems += check_network(raw, dom)
        problems += check_anchors(dom)
        problems += check_sessions(dom, sessions)
        problems += check_evidence(dom, evidence)
        problems += check_metadata(dom)
        problems += check_screenshot(png)

        # Each check must fail on a spoiled input.
        must_fail = []
        first_target = next((h[1:] for h in dom.hrefs if h.startswith("#")), None)
        if first_target:
            spoiled = re.sub(r'\bid="%s"' % re.escape(first_target), 'id="gone"', dom_text)
            must_fail.append(("anchors", check_anchors(parse_dom(spoiled))))
        spoiled = dom_text.replace("</body>", '<a href="https://example.org/x">x</a></body>')
        must_fail.append(("network/attribute", check_network(b"", parse_dom(spoiled))))
        must_fail.append(("network/raw", check_network(raw + b"<!-- http://x -->", dom)))
        if sessions:
            spoiled = dom_text.replace(sessions[-1][1], "0" * 8 + sessions[-1][1][8:])
            must_fail.append(("sessions/guid", check_sessions(parse_dom(spoiled), sessions)))
            sid, guid, verdict = sessions[-1]
            must_fail.append(("sessions/verdict", check_sessions(
                dom, sessions[:-1] + [(sid, guid, verdict + "-not-in-report")])))
            must_fail.append(("sessions/section", check_sessions(
                parse_dom(dom_text.replace('id="session-%d"' % sid, 'id="s"')), sessions)))
        if evidence:
            sha = evidence[0][0]
            spoiled = dom_text.replace(sha[16:], "f" * (len(sha) - 16))
            must_fail.append(("evidence", check_evidence(parse_dom(spoiled), evidence)))
        spoiled = dom_text.replace("</body>", '<section id="run-metadata"></section></body>')
        must_fail.append(("metadata", check_metadata(parse_dom(spoiled))))
        must_fail.append(("screenshot/blank", check_screenshot(blank_png(*WINDOW))))
        canary = os.path.join(work, "canary.html")
        with open(canary, "w") as f:
            f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><title>c</title></head>'
                    '<body><script>console.error("check_report canary")</script></body></html>')
        _, canary_log, seconds = chromium("file://" + canary, os.path.join(work, "p3"),
                                          ["--dump-dom"])
        timings.append(("canary", seconds))
        must_fail.append(("console", check_console(canary_log)))
        for name, result in must_fail:
            if not result:
                problems.append("self-test: the %s check passed a spoiled input" % name)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("chromium: " + ", ".join("%s %.2f s" % t for t in timings))
    print("checked %d session(s), %d evidence row(s), %d link(s), %d id(s); screenshot %s" % (
        len(sessions), len(evidence), len(dom.hrefs), len(dom.ids),
        shot_path or "(not kept)"))
    if problems:
        for p in problems:
            print("FAIL " + p)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
