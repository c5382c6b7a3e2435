#!/usr/bin/python3
"""The report printed to PDF by headless Chromium reads as a court document (issue 12):

- page one holds the answer: the case name, the report id, "Result", every session's VM GUID
  and verdict, the starting task and the .wsb;
- every page has the header and footer: case name, report id, examiner, "page X of Y";
- nothing is wider than the page or runs past its box in print emulation (the print rules applied
  at the A4 content width in Chromium), and no two words print over each other in the PDF (word
  boxes from pdftotext -bbox, poppler: an independent reader of the PDF);
- report.html cites evidence (file, record, chunk and offset; hive key and value), never a
  database id such as events.id=12;
- without Chromium, --pdf says so and exits 1, and report.html is still written.

The layout checks are also run on a deliberately broken page (a table wider than the page, two
words printed on top of each other) and must fail there: a check that cannot fail is a defect.

    check_report_pdf.py STFORGE SANDTRACE TESTDATA_CASE        (exit 77: no chromium/poppler)
"""
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []
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
  var out = document.createElement('pre'); out.id = 'print-emulation';
  out.textContent = bad.length + '\\n' + bad.join('\\n'); document.body.appendChild(out);
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

        # The layout checks can fail: a page wider than A4 and two words on one spot.
        broken = os.path.join(tmp, "broken.html")
        open(broken, "w").write('<html><head></head><body><table><tr><td style="white-space:nowrap">%s</td></tr>'
                                '</table><p style="position:relative">overprinted<span style="position:absolute;'
                                'left:0;top:0">overprinted</span></p></body></html>' % ("WIDE " * 80))
        check(any("wider than the page" in p for p in emulation_problems(broken, tmp)),
              "the print emulation passed a table wider than A4")
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
