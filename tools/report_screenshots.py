#!/usr/bin/env python3
"""The screenshots of docs/reports.md: parts of the examples' HTML reports, taken in headless
Chromium (tests/report/cdp.py) and shrunk with pngquant and optipng when they are installed.

    tools/report_screenshots.py path/to/mtc [OUTDIR]     (OUTDIR: docs/img by default)
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "report"))
import cdp  # noqa: E402

WIDTH = 1000

# (file, example, JavaScript run first, the first element, the last element): the picture spans
# from the top of the first to the bottom of the last.
SHOTS = [
    ("report-tree.png", "chiro/chiro", "", ".tree h2", "#tree-visits > summary"),
    ("report-stages.png", "saas/saas", "document.querySelector('#stage-retention').open = true; document.querySelector('#tree-logo_churn').open = true",
     "#stage-retention", "#stage-retention"),
    ("report-waterfall.png", "chiro/chiro", "", "#stmt-4 + section h3", "#stmt-4 + section svg.waterfall"),
    ("report-forecast.png", "chiro/chiro", "", "#stmt-6 + section + section h2", "#stmt-6 + section + section svg.line-chart"),
    ("report-simulate.png", "chiro/chiro", "", "#stmt-7 + section svg.histogram", "#stmt-7 + section svg.tornado"),
]


def main():
    mtc = os.path.abspath(sys.argv[1])
    out = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(ROOT, "docs", "img")
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="mtc-shots-")
    b = cdp.Browser()
    try:
        page = b.new_page(width=WIDTH, height=900)
        for name, example, js, first, last in SHOTS:
            html = os.path.join(tmp, example.replace("/", "_") + ".html")
            if not os.path.exists(html):
                subprocess.run([mtc, "run", os.path.join(ROOT, "examples", example + ".mtree"), "--format", "html", "-o", html], check=True)
            page.goto("file://" + html)
            if js:
                page.eval(js)
            box = page.eval("""(() => {
              const a = document.querySelector(%r), z = document.querySelector(%r);
              const main = document.querySelector('main').getBoundingClientRect();
              const top = a.getBoundingClientRect().top + scrollY, bottom = z.getBoundingClientRect().bottom + scrollY;
              return {x: main.left + 16, y: top - 8, width: main.width - 32, height: bottom - top + 20};
            })()""" % (first, last))
            path = os.path.join(out, name)
            page.screenshot(path, clip=box)
            if shutil.which("pngquant"):
                subprocess.run(["pngquant", "--force", "--skip-if-larger", "--quality=70-95", "--output", path, path])
            if shutil.which("optipng"):
                subprocess.run(["optipng", "-quiet", "-o2", path])
            print("%s: %dx%d, %d bytes" % (path, box["width"], box["height"], os.path.getsize(path)))
    finally:
        b.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
