#!/usr/bin/env python3
"""Draws every Mermaid block of the examples' Markdown reports the way GitHub does: Mermaid
(the npm package tests/graph installs, 11.x like GitHub's) rendering each block to SVG in a
browser (headless Chromium over the DevTools protocol, tests/report/cdp.py). Parsing alone
(mermaid_check.mjs) does not catch a chart that parses and then fails to lay out, or draws
nothing. Asserts, per block: an SVG without Mermaid's error drawing, of non-zero size, with
marks of its kind (the tree's nodes, one per metric drawn; a line chart's paths; a pie's
slices; bars' rectangles); and no console error on the page.

usage: mermaid_render.py path/to/mtc SOURCE_DIR NODE_MODULES [--shots DIR]
Exit 77 (skipped in CTest) without a browser."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
from cdp import SKIP, check  # noqa: E402


# Per diagram kind, the elements that are its marks (the SVG Mermaid 11 draws).
MARKS = {
    "flowchart": "g.node",
    "xychart": "g.plot path, g.plot rect",
    "pie": "path.pieCircle",
}

RENDER_JS = r"""
(async () => {
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
  const out = [];
  for (const [i, text] of BLOCKS.entries()) {
    const holder = document.createElement('div');
    holder.className = 'block';
    document.body.appendChild(holder);
    try {
      const { svg } = await mermaid.render('m' + i, text);
      holder.innerHTML = svg;
      const el = holder.querySelector('svg');
      const box = el.getBoundingClientRect();
      const kind = el.getAttribute('aria-roledescription') || '';
      const sel = MARKS[kind.startsWith('flowchart') ? 'flowchart' : kind] || '*';
      const marks = [...el.querySelectorAll(sel)].filter((m) => {
        const b = m.getBoundingClientRect();
        return b.width > 0 || b.height > 0;
      });
      out.push({ kind, width: box.width, height: box.height, marks: marks.length,
                 error: !!el.querySelector('.error-icon, .error-text'),
                 labels: [...el.querySelectorAll('g.node')].map((n) => n.textContent.trim()).slice(0, 200) });
    } catch (e) {
      out.push({ kind: '', error: true, message: String(e && e.message || e).slice(0, 300) });
    }
  }
  return out;
})()
"""


def main():
    args = sys.argv[1:]
    shots = cdp.shots_option(args)
    binary, root, modules = (os.path.abspath(a) for a in args[:3])
    script = os.path.join(modules, "mermaid", "dist", "mermaid.min.js")
    if not os.path.exists(script):
        print("skipped: %s is missing (tests/graph's npm install)" % script)
        return SKIP

    def body(b, page, tmp):
        models = cdp.examples(root)
        check(len(models) >= 3, "%d examples found" % len(models))
        for name, model in models:
            md = subprocess.run([binary, "run", model, "--format", "md"], capture_output=True, text=True).stdout
            blocks = re.findall(r"^```mermaid\n(.*?)^```$", md, re.S | re.M)
            check(len(blocks) >= 2, "%s: %d Mermaid blocks" % (name, len(blocks)))
            html = os.path.join(tmp, name + ".html")
            with open(html, "w", encoding="utf-8") as f:
                f.write("<!DOCTYPE html><html><head><meta charset='utf-8'><script src='%s'></script></head><body>"
                        "<script>const BLOCKS = %s; const MARKS = %s;</script></body></html>"
                        % ("file://" + script, json.dumps(blocks).replace("</", "<\\/"), json.dumps(MARKS)))
            page.goto("file://" + html)
            results = page.eval(RENDER_JS)
            kinds = {}
            for i, r in enumerate(results):
                kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
                what = "%s block %d (%s)" % (name, i + 1, r["kind"] or "?")
                if r["error"]:
                    check(False, "%s: Mermaid drew an error: %s\n%s" % (what, r.get("message", ""), blocks[i][:300]))
                    continue
                ok = r["width"] > 50 and r["height"] > 50 and r["marks"] > 0
                check(ok, "%s: drawn, %.0f x %.0f px, %d marks" % (what, r["width"], r["height"], r["marks"]))
                if r["kind"].startswith("flowchart"):
                    # one node per metric drawn: the tree's nodes are "name<br/>value ..."
                    drawn = re.findall(r"^\s+(\w+)\[", blocks[i], re.M)
                    check(r["marks"] == len(drawn), "%s: %d nodes drawn for the %d metrics of the block" % (what, r["marks"], len(drawn)))
            check(any(k.startswith("flowchart") for k in kinds) and "xychart" in kinds,
                  "%s: the tree and the charts drawn %s" % (name, json.dumps(kinds, sort_keys=True)))
            problems = page.problems()
            check(not problems, "%s: no console error or request off the file%s" % (name, ("; " + "; ".join(problems[:3])) if problems else ""))
            if shots:
                page.screenshot(os.path.join(shots, "mermaid_" + name + ".png"), full=True)

    return cdp.run_pages("mtc-mermaid-", 1000, 800, body)


if __name__ == "__main__":
    sys.exit(main())
