#!/usr/bin/env python3
"""The HTML reports in a real browser: headless Chromium driven through the DevTools protocol
(tests/report/cdp.py; Debian chromium and python3-websocket, no npm).

For each example (examples/*/*.mtree) and for a generated model of 300 metrics, `mtc run --format
html` writes the report and one browser opens them all in turn. Per report:
  - no console error, uncaught exception or error log entry, and no request for anything but
    the file itself (the report opens without a network);
  - one tree node per metric: the names of the model's metrics, counted from `mtc check
    --dump-ir` (the compiler's listing, not the report), each exactly once;
  - the tree's latest values are the run's JSON numbers: every metric a describe in the JSON
    output shows up to the tree's latest period has that value in the tree (relative 1e-12);
  - every chart drawn has axes (tick labels), hover values (<title>s on its marks) and marks of
    non-zero size; a chart is there for every kind of statement the model runs (describe: line
    charts, diagnose: a waterfall, forecast: fan charts, simulate: a histogram and a tornado,
    optimize: bars, recommend: the gap chart and the effects);
  - a real mouse click on a closed tree node opens it and shows its chart (a model with one
    period: its formula), a click on a link to a metric drawn elsewhere in the tree shows it, and
    a click on a folded history table shows its rows;
  - the 300-metric model: folded by stage, the page shows a few dozen lines until opened.

Exit 0: all passed; 1: a failure; 77: Chromium is missing or does not start (CTest: skipped).

    browser_test.py MTC ROOT [--shots DIR]   (--shots: also save screenshots of each report)
"""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
from cdp import check  # noqa: E402


def mtc(binary, *args, cwd=None):
    env = dict(os.environ, MTC_JIT_CACHE="off", NO_COLOR="1")
    p = subprocess.run([binary, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("mtc %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr[-2000:]))
    return p.stdout


def metric_names(binary, model):
    """The model's metrics, from the compiler's IR dump (one `metric NAME: ...` line each)."""
    ir = mtc(binary, "check", "--dump-ir", model)
    return [line.split()[1].rstrip(":") for line in ir.splitlines() if line.startswith("metric ")]


def described_latest(doc):
    """metric -> (last period, value) of the describes in the JSON output (the latest-ending one wins)."""
    out = {}
    for r in doc["results"]:
        if r["kind"] == "describe" and r.get("status") == "ok":
            for name, m in r["metrics"].items():
                if m["periods"] and (name not in out or m["periods"][-1] >= out[name][0]):
                    out[name] = (m["periods"][-1], m["values"][-1])
    return out


# What the page says of itself, gathered in one evaluation.
SURVEY = r"""
(() => {
  // shown: laid out, and not inside a closed <details> (whose content Chromium skips but still measures)
  const vis = (e) => { const r = e.getBoundingClientRect(); return e.checkVisibility() && r.width > 0 && r.height > 0; };
  const marks = (svg) => [...svg.querySelectorAll('path.line, path.band, rect:not(.hit), circle, line[stroke]')];
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => ({
    cls: svg.getAttribute('class'),
    visible: vis(svg),
    ticks: svg.querySelectorAll('text.tick').length,
    titled: [...svg.querySelectorAll('circle > title, rect > title, line > title, path > title')].length,
    drawn: marks(svg).filter((e) => { const b = e.getBBox(); return (b.width > 0.4 && b.height > 0.4) || (e.matches('path.line') && (b.width > 0.4 || b.height > 0.4)); }).length,
  }));
  return JSON.stringify({
    nodes: [...document.querySelectorAll('.tree details.node')].map((d) => [d.dataset.metric, d.dataset.latest]),
    charts,
    latest: (document.querySelector('.tree .lede strong') || {}).textContent || '',
    height: document.documentElement.scrollHeight,
    visibleSummaries: [...document.querySelectorAll('.tree summary')].filter(vis).length,
  });
})()
"""


def center(page, selector):
    """Scrolls an element into view; its centre in viewport coordinates."""
    r = page.eval("(() => { const e = document.querySelector(%s); if (!e) return null; e.scrollIntoView({block: 'center'}); "
                  "const b = e.getBoundingClientRect(); return [b.x + Math.min(b.width / 2, 60), b.y + b.height / 2]; })()" % json.dumps(selector))
    return r


def click_open(page, details_selector):
    """Clicks a <details>' summary with the mouse; whether it is open afterwards."""
    at = center(page, details_selector + " > summary")
    if not at:
        return False
    page.click(*at)
    return page.eval("document.querySelector(%s).open" % json.dumps(details_selector))


def check_report(b, page, name, html, doc, names, kinds, shots):
    page.goto("file://" + html)
    b.drain(0.3)
    problems = page.problems()
    check(not problems, "%s: no console error, exception or request off the file%s" % (name, ": " + "; ".join(problems[:5]) if problems else ""))
    s = json.loads(page.eval(SURVEY))
    got = [n for n, _ in s["nodes"]]
    check(sorted(got) == sorted(names),
          "%s: one tree node per metric (%d nodes, %d metrics in the IR dump)%s" % (
              name, len(got), len(names), "" if sorted(got) == sorted(names) else ": extra %s, missing %s" % (
                  sorted(set(got) - set(names)) or [n for n in set(got) if got.count(n) > 1], sorted(set(names) - set(got)))))
    # the tree's numbers are the JSON's
    tree = dict(s["nodes"])
    latest = s["latest"]
    compared, wrong = 0, []
    for metric, (period, value) in described_latest(doc).items() if doc else []:
        if period != latest or value is None:
            continue
        compared += 1
        shown = float(tree[metric]) if tree.get(metric) else None
        if shown is None or abs(shown - value) > 1e-12 * max(1.0, abs(value)):
            wrong.append("%s: tree %s, JSON %r" % (metric, tree.get(metric), value))
    if compared or wrong:
        check(compared > 0 and not wrong, "%s: the tree's latest values at %s equal the JSON's describes (%d metrics)%s" % (
            name, latest, compared, ": " + "; ".join(wrong[:5]) if wrong else ""))
    # charts
    visible = [c for c in s["charts"] if c["visible"]]
    bad = [c for c in visible if c["ticks"] == 0 or c["titled"] == 0 or c["drawn"] == 0]
    check(visible and not bad, "%s: %d charts drawn, each with tick labels, hover titles and marks of non-zero size%s" % (
        name, len(visible), ": %r" % bad[:3] if bad else ""))
    have = {c["cls"].split()[1] for c in visible}
    want = set()
    for k in kinds:
        want |= {"describe": {"line-chart"}, "diagnose": {"waterfall", "bar-chart"}, "forecast": {"line-chart"},
                 "simulate": {"histogram", "tornado"}, "optimize": {"bar-chart"}, "recommend": {"bar-chart"}}.get(k, set())
    check(want <= have, "%s: charts for %s: %s" % (name, ", ".join(sorted(set(kinds))), ", ".join(sorted(have))))
    if shots:
        page.screenshot(os.path.join(shots, name + ".png"), full=True)
    # a click on a closed node of the tree shows its chart (when every node is in a closed folder
    # of inputs or of a stage, a click opens the folder first)
    find = """(() => { const d = [...document.querySelectorAll('.tree details.node:not([open])')]
        .find((d) => d.checkVisibility() && d.getBoundingClientRect().height > 0 && d.querySelector(':scope > .kids > svg.chart, :scope > .kids > .formula'));
      return d ? '#' + CSS.escape(d.id) : null; })()"""
    target = page.eval(find)
    if target is None:
        folder = page.eval("""(() => { const d = [...document.querySelectorAll('.tree details.group:not([open]), .tree details.stage:not([open])')]
            .find((d) => d.checkVisibility()); if (!d) return null; d.id = d.id || 'folder-under-test'; return '#' + CSS.escape(d.id); })()""")
        if folder and check(click_open(page, folder), "%s: a click opens the folder %s" % (name, folder)):
            target = page.eval(find)
    if check(target is not None, "%s: a closed tree node to click" % name):
        opened = click_open(page, target)
        r = json.loads(page.eval("""(() => { const d = document.querySelector(%s);
            const c = d.querySelector(':scope > .kids > svg.chart'), f = d.querySelector(':scope > .kids > .formula');
            const size = (e) => e && e.checkVisibility() ? e.getBoundingClientRect().width * e.getBoundingClientRect().height : 0;
            return JSON.stringify({chart: !!c, chartArea: size(c), formulaArea: size(f)}); })()""" % json.dumps(target)))
        check(opened and (r["chartArea"] > 1000 if r["chart"] else r["formulaArea"] > 0),
              "%s: a mouse click on %s opens it and shows its %s (%r)" % (name, target, "chart" if r["chart"] else "formula", r))
    # a stage folder, then a node inside it
    stage = page.eval("(() => { const d = document.querySelector('.tree details.stage:not([open])'); return d ? '#' + CSS.escape(d.id) : null; })()")
    if stage:
        check(click_open(page, stage), "%s: a click opens the stage %s" % (name, stage))
    # a link to a metric drawn elsewhere in the tree opens the folders around it (fragment navigation)
    ref = page.eval("(() => { const a = [...document.querySelectorAll('.tree .ref a')].find((a) => a.checkVisibility()); return a ? a.getAttribute('href') : null; })()")
    if ref:
        at = center(page, ".tree .ref a[href=%s]" % json.dumps(ref))
        page.click(*at)
        b.drain(0.2)
        check(page.eval("document.querySelector(%s).checkVisibility()" % json.dumps(ref)), "%s: a click on the link to %s shows it" % (name, ref))
    more = page.eval("(() => { const d = document.querySelector('details.more:not([open])'); if (!d) return null; d.id = d.id || 'more-under-test'; return '#' + d.id; })()")
    if more:
        opened = click_open(page, more)
        rows = page.eval("document.querySelector(%s).querySelectorAll('tr').length" % json.dumps(more))
        check(opened and rows > 1, "%s: a click unfolds a long history (%d rows)" % (name, rows))
    page.eval("window.scrollTo(0, 0)")
    problems = page.problems()
    check(not problems, "%s: still no error after the clicks" % name)
    return s


def big_model(folder, n=300, months=24):
    """A model of n metrics on one chain of 6 stages: 60 read from a CSV, the rest formulas on
    earlier ones, a north star reading a dozen of them."""
    rnd = random.Random(7)
    stages = ["reach", "engage", "convert", "deliver", "retain", "earn"]
    os.makedirs(folder, exist_ok=True)
    data = ["d%d" % i for i in range(60)]
    with open(os.path.join(folder, "data.csv"), "w") as f:
        f.write("month," + ",".join(data) + "\n")
        for t in range(months):
            f.write("%d-%02d," % (2023 + t // 12, t % 12 + 1) + ",".join("%d" % (100 + 10 * i + rnd.randint(0, 50) + t) for i in range(60)) + "\n")
    lines = ['model big "A tree of 300 metrics" {\n  grain: month\n}\n', 'source s = csv("data.csv") {\n  time: month\n}\n',
             "chain flow {\n" + "".join("  stage %s\n" % s for s in stages) + "}\n"]
    names = []
    for i in range(n - 1):
        name = "m%03d" % i
        st = stages[min(5, i * 6 // (n - 1))]
        props = "  stage: %s\n  direction: %s\n" % (st, rnd.choice(["higher_is_better", "lower_is_better", "neutral"]))
        if i % 17 == 3:
            props += "  class: vanity\n"
        if i < 60:
            lines.append("metric %s: count {\n  data: s.%s\n%s}\n" % (name, data[i], props))
        else:
            a, b = rnd.sample(names[max(0, i - 80):], 2)
            lines.append("metric %s: count = %s + %s {\n%s}\n" % (name, a, b, props))
        names.append(name)
    top = rnd.sample(names[200:], 12)
    lines.append("metric north: count = %s {\n  stage: earn\n  role: north_star\n}\n" % " + ".join(top))
    lines.append("describe north\n")
    with open(os.path.join(folder, "big.mtree"), "w") as f:
        f.write("\n".join(lines))
    return os.path.join(folder, "big.mtree")


def main():
    args = sys.argv[1:]
    shots = cdp.shots_option(args)
    binary, root = os.path.abspath(args[0]), os.path.abspath(args[1])

    def body(b, page, tmp):
        models = cdp.examples(root)
        check(len(models) >= 3, "%d examples found" % len(models))
        for name, model in models:
            html = os.path.join(tmp, name + ".html")
            mtc(binary, "run", model, "--format", "html", "-o", html)
            doc = json.loads(mtc(binary, "run", model, "--format", "json"))
            kinds = [r["kind"] for r in doc["results"] if r.get("status") != "error"]
            check_report(b, page, name, html, doc, metric_names(binary, model), kinds, shots)
        # hundreds of metrics fold by stage
        big = big_model(os.path.join(tmp, "big"))
        html = os.path.join(tmp, "big.html")
        mtc(binary, "run", big, "--format", "html", "-o", html)
        doc = json.loads(mtc(binary, "run", big, "--format", "json"))
        s = check_report(b, page, "big", html, doc, metric_names(binary, big), ["describe"], shots)
        check(s["visibleSummaries"] <= 40, "big: 300 metrics folded by stage show %d lines of the tree until opened" % s["visibleSummaries"])

    return cdp.run_pages("mtc-browser-", 1100, 900, body)


if __name__ == "__main__":
    sys.exit(main())
