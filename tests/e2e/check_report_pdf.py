#!/usr/bin/python3
"""The report printed to PDF by headless Chromium reads as a court document (issue 12):

- page one holds the answer: the case name, the report id, "Result", every session's VM GUID
  and verdict, the starting task and the .wsb;
- every page has the header and footer: case name, report id, examiner, "page X of Y";
- nothing is wider than the page or runs past its box in print emulation (the print rules applied
  at the A4 content width in Chromium), and no two words print over each other in the PDF (word
  boxes from pdftotext -bbox, poppler: an independent reader of the PDF);
- the behaviour graph of the task-started session holds every step of the chain, whole and in
  order (the registering processes, worked out here from the stored 4698/4688 records, the task,
  the launcher, the VM, the commands), the host files beside it with the SHA-256 of the collected
  file (hashed here), and no graph text runs past its box in print emulation;
- report.html cites evidence (file, record, chunk and offset; hive key and value), never a
  database id such as events.id=12;
- without Chromium, --pdf says so and exits 1, and report.html is still written.

The layout checks are also run on a deliberately broken page (a table wider than the page, two
words printed on top of each other, graph text past its box; a chain without one process, a name
cut short) and must fail there: a check that cannot fail is a defect.

    check_report_pdf.py STFORGE SANDTRACE TESTDATA_CASE        (exit 77: no chromium/poppler)
"""
import hashlib
import html
import json
import os
import sqlite3
import re
import shutil
import subprocess
import sys
import tempfile

failures = []
GRAPH_NODES = []  # filled by emulation_problems: the behaviour graphs' nodes
CASE = "Case <PDF> & \"quotes\""
EXAMINER = "E. Xaminer"


def check(condition, message):
    if not condition:
        failures.append(message)


def pages_words(pdf):
    """[(width, height, [(xmin, ymin, xmax, ymax, word)])] per page, from pdftotext -bbox."""
    # -raw keeps words in content order (two words printed on one spot stay two words); the crop
    # area far larger than the page keeps words that run past its edge (clipped when printed).
    out = subprocess.run(["pdftotext", "-raw", "-x", "0", "-y", "0", "-W", "20000", "-H", "20000", "-bbox",
                          pdf, "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in
                 re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                            page.group(3))]
        pages.append((float(page.group(1)), float(page.group(2)), words))
    return pages


# Print emulation: the page's print rules applied on screen at the A4 content width (210 mm less
# 2 x 12 mm margins), then every element that is wider than the page or whose content runs past
# its own box is listed by a script Chromium runs before --dump-dom.
EMULATION = """<script>
addEventListener('load', function () {
  var limit = document.documentElement.getBoundingClientRect().right + 0.5, bad = [];
  document.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (r.width === 0 || e.closest('svg') && e.tagName.toLowerCase() !== 'svg') return;
    var name = e.tagName + (e.id ? '#' + e.id : '') + ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
    if (r.right > limit) bad.push('wider than the page: ' + name);
    else if (s.overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
             && s.display !== 'inline') bad.push('runs past its box: ' + name);
  });
  // The behaviour graphs: every node's text inside its box, every node listed with its text
  // (the wrapped lines joined back) and its place, for the chain checks.
  var nodes = [];
  document.querySelectorAll('figure.graph').forEach(function (f, gi) {
    f.querySelectorAll('g.node').forEach(function (g) {
      var box = g.querySelector('rect').getBoundingClientRect(), text = [];
      g.querySelectorAll('text').forEach(function (t) {
        var r = t.getBoundingClientRect();
        if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
            || r.bottom > box.bottom + 0.5)
          bad.push('graph text past its box: "' + t.textContent.slice(0, 60) + '"');
        var spans = t.querySelectorAll('tspan');
        text.push(spans.length ? Array.prototype.map.call(spans, function (s) { return s.textContent; }).join('')
                               : t.textContent);
      });
      nodes.push({graph: gi, x: box.left, y: box.top, text: text});
    });
  });
  var out = document.createElement('pre'); out.id = 'print-emulation';
  out.textContent = bad.length + '\\n' + bad.join('\\n'); document.body.appendChild(out);
  var graph = document.createElement('pre'); graph.id = 'graph-nodes';
  graph.textContent = JSON.stringify(nodes); document.body.appendChild(graph);
});
</script>"""


def emulation_problems(html_path, tmp):
    page = open(html_path, encoding="utf-8").read()
    page = page.replace("@media print{", "@media all{")
    page = page.replace("</head>", "<style>html{width:186mm;margin:0}body{margin:0;padding:0}</style>" +
                        EMULATION + "</head>", 1)
    copy = os.path.join(tmp, "emulated.html")
    open(copy, "w", encoding="utf-8").write(page)
    r = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--user-data-dir=" + os.path.join(tmp, "prof-e"), "--virtual-time-budget=5000",
                        "--dump-dom", "file://" + copy], capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="print-emulation">(\d+)\n?(.*?)</pre>', r.stdout, re.S)
    if not found:
        return ["print emulation did not run"]
    nodes = re.search(r'<pre id="graph-nodes">(.*?)</pre>', r.stdout, re.S)
    GRAPH_NODES[:] = json.loads(html.unescape(nodes.group(1))) if nodes else []
    return [html.unescape(l) for l in found.group(2).splitlines() if l.strip()]


def layout_problems(pdf):
    problems = []
    for n, (width, height, words) in enumerate(pages_words(pdf), 1):
        # Words printed over each other: boxes on the same line that intersect by more than a
        # third of the smaller one.
        words = sorted(words)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b[0] >= a[2]:
                    break
                ix = min(a[2], b[2]) - max(a[0], b[0])
                iy = min(a[3], b[3]) - max(a[1], b[1])
                if ix > 0 and iy > 0:
                    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
                    if smaller > 0 and ix * iy > smaller / 3:
                        problems.append("page %d: '%s' and '%s' overprint" % (n, a[4], b[4]))
    return problems


def page_texts(pdf):
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True,
                                                             text=True).stdout).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), pdf, "-"],
                           capture_output=True, text=True).stdout for i in range(1, count + 1)]


def expected_origin_chain(sandtrace, db, session_id):
    """The images of the processes that led to the registration of the session's task, oldest
    first, as `sessions --json` tells the story (origin.process_chain, METHOD.md §6.8; the
    scenarios check that story against the records the forge wrote). The graph must draw the same
    chain, not one worked out by a rule of its own."""
    r = subprocess.run([sandtrace, "sessions", "--case", db, "--json"], capture_output=True, text=True)
    check(r.returncode == 0, "sessions --json exited %d: %s" % (r.returncode, r.stderr[-300:]))
    sessions = json.loads(r.stdout) if r.returncode == 0 else []
    story = next((s for s in sessions if s.get("id") == session_id), {})
    return [p["image"] for p in reversed((story.get("origin") or {}).get("process_chain") or [])]


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def graph_problems(nodes, graph, chain, beside):
    """CHAIN: texts that must each be whole in one node of the main lane, in this order top to
    bottom; BESIDE: texts that must each be whole in one node of the side lane. Returns the
    problems."""
    problems = []
    mine = [n for n in nodes if n["graph"] == graph]
    if not mine:
        return ["no behaviour graph %d" % graph]
    lane = min(n["x"] for n in mine)
    main = sorted((n for n in mine if n["x"] == lane), key=lambda n: n["y"])
    side = [n for n in mine if n["x"] != lane]
    at = -1
    for want in chain:
        found = [i for i, n in enumerate(main) if any(want in t for t in n["text"])]
        if not found:
            problems.append("graph %d: no chain node holds %r whole" % (graph, want))
        elif max(found) <= at:
            problems.append("graph %d: %r is not below the step before it" % (graph, want))
        else:
            at = min(i for i in found if i > at)
    for want in beside:
        if not any(want in t for n in side for t in n["text"]):
            problems.append("graph %d: no host-file node holds %r whole" % (graph, want))
    return problems


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    if not shutil.which("chromium") or not shutil.which("pdftotext"):
        print("SKIP: chromium and poppler-utils (pdftotext) are needed")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        col, out = os.path.join(tmp, "col"), os.path.join(tmp, "out")
        subprocess.run([stforge, "case", source, col], check=True, capture_output=True)
        r = subprocess.run([sandtrace, "analyze", col, "-o", out, "--case-name", CASE, "--examiner", EXAMINER,
                            "--pdf"], capture_output=True, text=True)
        check(r.returncode == 0, "analyze --pdf exited %d: %s" % (r.returncode, r.stderr[-400:]))
        pdf = os.path.join(out, "report.pdf")
        check(os.path.exists(pdf), "no report.pdf")
        if not os.path.exists(pdf):
            return finish()
        check("report.pdf" in open(os.path.join(out, "manifest.txt")).read(), "report.pdf not in the manifest")
        report_id = re.search(r'Report id</dt><dd><span class="mono">(ST-[0-9a-f]{16})',
                              open(os.path.join(out, "report.html"), encoding="utf-8").read())
        check(report_id, "no report id on the HTML page one")
        report_id = report_id.group(1) if report_id else "?"

        page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
        ids = re.findall(r"\b(?:events|tasks|wsb_configs|facts|archives|reg_values)(?:\.id=|:)\d+", page)
        check(not ids, "report.html cites database ids, not evidence: %s" % ids[:5])
        unlinked = page.find("Configurations with risky settings that no session links")
        check(unlinked > 0 and "DownloadsReadOnly.wsb" in page[unlinked:unlinked + 3000]
              and unlinked < page.find('id="appendix"'),
              "the unlinked risky configuration is not among the findings (before the appendix)")
        texts = page_texts(pdf)
        first = re.sub(r"\s+", " ", texts[0])
        for want in ("Result", "Session 1", "Session 2", "E7A13C52-98D4-4F0B-B6C1-3D5F2A8E9047", "malicious",
                     "MaintenanceSync", "MaintenanceSync.wsb", "benign-looking", report_id, CASE):
            check(want in first, "page 1 lacks %r" % want)
        for n, text in enumerate(texts, 1):
            flat = re.sub(r"\s+", " ", text)
            check("page %d of %d" % (n, len(texts)) in flat, "page %d: no 'page %d of %d'" % (n, n, len(texts)))
            check(CASE in flat and report_id in flat and EXAMINER in flat,
                  "page %d: header/footer without case name, report id or examiner" % n)
        problems = layout_problems(pdf)
        check(not problems, "layout: %d problem(s), first: %s" % (len(problems), problems[:5]))
        wide = emulation_problems(os.path.join(out, "report.html"), tmp)
        check(not wide, "print emulation: %d element(s) too wide, first: %s" % (len(wide), wide[:5]))
        print("report.pdf: %d pages, %d overprints, %d elements too wide" % (len(texts), len(problems), len(wide)))

        # The behaviour graph of the task-started session: the whole chain, every name whole, in
        # order; the host files beside it with the SHA-256 of the collected file (hashed here).
        db = os.path.join(out, "case.db")
        con = sqlite3.connect(db)
        session, task, guid, image, command_line = con.execute(
            "SELECT id, trigger_task, vm_guid, launcher_image, launcher_command_line FROM sessions "
            "WHERE trigger_kind = 'task' ORDER BY id LIMIT 1").fetchone()
        ran = con.execute("SELECT json_extract(detail, '$.command_line') FROM session_events WHERE "
                          "session_id = ? AND role = 'command' ORDER BY time", (session,)).fetchall()
        con.close()
        origin = expected_origin_chain(sandtrace, db, session)
        # the story of testdata/case (Security.evtx.xml): the user's tray program ran fodhelper,
        # a shell, and schtasks registered the task
        check([o.rsplit("\\", 1)[-1] for o in origin] ==
              ["userinit.exe", "explorer.exe", "AcroTray.exe", "fodhelper.exe", "cmd.exe", "schtasks.exe"],
              "the registering chain of sessions --json is not the story's: %s" % origin)
        chain = origin + [task, command_line, guid] + [c for (c,) in ran]  # the command line names the image
        beside = [sha256_of(os.path.join(col, "C", "Windows", "System32", "MaintenanceSync.wsb")),
                  sha256_of(os.path.join(col, "C", "Windows", "System32", "Tasks", "Microsoft", "Windows",
                                         "Maintenance", "MaintenanceSync")),
                  "C:\\Windows\\System32\\MaintenanceSync.wsb", "C:\\Users\\Public\\Downloads\\run.bat",
                  sha256_of(os.path.join(col, "C", "Users", "Public", "Downloads", "run.bat")), "C:\\Users"]
        graph = session - 1
        nodes = list(GRAPH_NODES)
        bad_graph = graph_problems(nodes, graph, chain, beside)
        check(not bad_graph, "behaviour graph: %s" % bad_graph[:5])
        print("behaviour graph of session %d: %d nodes, %d chain steps checked, %d host files" %
              (session, len([n for n in nodes if n["graph"] == graph]), len(chain), len(beside)))
        # ... and the check can fail: a chain node taken out, a name cut in the middle.
        spoiled = [n for n in nodes if not (n["graph"] == graph and any("fodhelper" in t for t in n["text"]))]
        check(graph_problems(spoiled, graph, chain, beside), "the graph check passed a chain without fodhelper")
        cut = [dict(n, text=[t.replace("MaintenanceSync.wsb", "Maint…") for t in n["text"]]) for n in nodes]
        check(graph_problems(cut, graph, chain, beside), "the graph check passed a name cut short")

        # The layout checks can fail: a page wider than A4 and two words on one spot.
        broken = os.path.join(tmp, "broken.html")
        open(broken, "w").write('<html><head></head><body><table><tr><td style="white-space:nowrap">%s</td></tr>'
                                '</table><p style="position:relative">overprinted<span style="position:absolute;'
                                'left:0;top:0">overprinted</span></p><figure class="graph"><svg width="300" height="60">'
                                '<g class="node"><rect x="0" y="0" width="100" height="40"/><text x="5" y="20">'
                                'a name far too long for its box</text></g></svg></figure></body></html>'
                                % ("WIDE " * 80))
        broken_problems = emulation_problems(broken, tmp)
        check(any("wider than the page" in p for p in broken_problems),
              "the print emulation passed a table wider than A4")
        check(any("graph text past its box" in p for p in broken_problems),
              "the print emulation passed graph text running past its box")
        r = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--user-data-dir=" + os.path.join(tmp, "prof"), "--no-pdf-header-footer",
                            "--print-to-pdf=" + os.path.join(tmp, "broken.pdf"), "file://" + broken],
                           capture_output=True)
        spoiled = layout_problems(os.path.join(tmp, "broken.pdf"))
        check(any("overprint" in p for p in spoiled), "the overprint check passed two words on one spot")

        # Without Chromium: said, exit 1, the HTML still written.
        env = dict(os.environ, SANDTRACE_CHROMIUM=os.path.join(tmp, "no-chromium"))
        r = subprocess.run([sandtrace, "report", "--case", os.path.join(out, "case.db"), "-o",
                            os.path.join(tmp, "again.html"), "--pdf"], capture_output=True, text=True, env=env)
        check(r.returncode == 1 and "no Chromium found" in r.stderr, "no Chromium: %d %s" % (r.returncode, r.stderr))
        check(os.path.exists(os.path.join(tmp, "again.html")), "no Chromium: the HTML was not written")
    return finish()


def finish():
    for f in failures[:30]:
        print("FAIL: " + f)
    if not failures:
        print("report.pdf: page one answers, header and footer on every page, nothing past the edge")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
