#!/usr/bin/env python3
"""Whole-process speed of `mtc run`, against numpy/pandas and the interpreter, in one run.

    bench/run_bench.sh [BUILD_DIR] [FORMULAS REGIONS PRODUCTS MONTHS]   (default build 3000 10 100 120)

1. The large model (bench/gen_run.py): FORMULAS formula metrics x REGIONS x PRODUCTS
   slices x MONTHS months read from a CSV, and its numpy/pandas twin, which reads the
   same CSV and computes every formula for every month. Each figure is the median of
   5 whole processes (after one warm-up, so the JIT's object cache is warm; the
   first, cold run is shown too), with the range and the peak memory:
   - `describe total from <last 12 months>` and `describe total` (every month);
   - mtc with the default tiering (--jit=auto), --jit=always and --no-jit;
   - the twin printing the last 12 months, or all.
2. The CSV reader: `mtc run --stats`'s load time (in process) against pandas.read_csv
   (in process), MB/s on the same file.
3. The examples: `mtc run` cold (a fresh JIT cache) and warm, with the default and
   --no-jit, and `mtc check` of the same file as the floor.

Prints a Markdown table (docs/performance.md shows it).
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def timed(cmd, cwd, env=None, reps=5, warm=True):
    """(first, median, lo, hi, peak MB, stdout of the last run) of whole processes."""
    times, peaks, out = [], [], ""
    for i in range(reps + (1 if warm else 0)):
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, capture_output=True, text=True,
                           env=dict(os.environ, **(env or {})))
        dt = time.perf_counter() - t0
        if p.returncode not in (0,):
            sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
        peaks.append(int(p.stderr.strip().splitlines()[-1]) / 1024)
        times.append(dt)
        out = p.stdout
    first = times[0]
    rest = times[1:] if warm else times
    return first, statistics.median(rest), min(rest), max(rest), max(peaks), out


def row(name, r, base=None, note=""):
    first, med, lo, hi, peak, _ = r
    ratio = "%.1f×" % (base / med) if base else ""
    return "| %s | %.3f s | %.3f s (%.3f–%.3f) | %s | %.0f MB | %s |" % (name, first, med, lo, hi, ratio, peak, note)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    size = sys.argv[2:6] if len(sys.argv) >= 6 else ["3000", "10", "100", "120"]
    mtc = os.path.abspath(os.path.join(build, "cli", "mtc"))
    d = tempfile.mkdtemp()
    cache = os.path.join(d, "cache")
    env = {"MTC_CACHE_DIR": cache}
    try:
        subprocess.run([PY, os.path.join(HERE, "gen_run.py")] + size + [d], check=True)
        base = open(os.path.join(d, "model.mtree")).read()
        months = int(size[3])
        y, mo = 2016 + (months - 12) // 12, (months - 12) % 12 + 1
        with open(os.path.join(d, "m12.mtree"), "w") as f:
            f.write(base + "describe total from %d-%02d\n" % (y, mo))
        with open(os.path.join(d, "mall.mtree"), "w") as f:
            f.write(base + "describe total\n")
        csv_mb = os.path.getsize(os.path.join(d, "data.csv")) / 1e6
        lines = ["Large model: %s formulas x %s x %s slices x %s months, data.csv %.1f MB. Median of 5 warm runs "
                 "(range); *first* is the first process, with a cold JIT cache." % (size[0], size[1], size[2], size[3], csv_mb), "",
                 "| run | first | median (range) | vs numpy | peak memory | |", "|---|---|---|---|---|---|"]
        np12 = timed([PY, "twin.py", "data.csv"], d)
        npall = timed([PY, "twin.py", "data.csv", "all"], d)
        results = {}
        for label, model, npr in (("last 12 months", "m12.mtree", np12), ("all months", "mall.mtree", npall)):
            lines.append(row("numpy/pandas twin, %s" % label, npr, None, "baseline"))
            for mode, extra in (("auto", []), ("always", ["--jit=always"]), ("never", ["--no-jit"])):
                r = timed([mtc, "run", model, "--format", "json"] + extra, d, env)
                results[(label, mode)] = r
                lines.append(row("mtc run --jit=%s, %s" % (mode, label), r, npr[1]))
        # the same numbers: mtc's total against the twin's (summation order differs: 1e-9 relative)
        import json
        for label, npr in (("last 12 months", np12), ("all months", npall)):
            got = json.loads(results[(label, "auto")][5])["results"][0]["metrics"]["total"]["values"]
            want = [float(l.split()[1]) for l in npr[5].split("\n") if l.strip()]
            bad = [(g, w) for g, w in zip(got[-len(want):], want)
                   if not (g is None and w != w) and not (g is not None and abs(g - w) <= 1e-9 * max(1.0, abs(w)))]
            if len(got) != len(want) or bad:
                sys.exit("mtc and the numpy twin disagree (%s): %r" % (label, bad[:3]))
        a, n = results[("last 12 months", "auto")][1], results[("last 12 months", "never")][1]
        lines.append("")
        lines.append("Default vs --no-jit on the 12-month describe: %.1f×." % (n / a))
        # stats of one run
        p = subprocess.run([mtc, "run", "m12.mtree", "--stats", "--format", "json"], cwd=d, capture_output=True, text=True,
                           env=dict(os.environ, **env))
        stats = [l for l in p.stderr.splitlines() if l.startswith("stats:")]
        lines.append("`--stats` of the 12-month run: `%s`." % (stats[-1] if stats else "?"))
        # the CSV reader
        loads = []
        for _ in range(5):
            p = subprocess.run([mtc, "run", "m12.mtree", "--stats", "--format", "json"], cwd=d, capture_output=True, text=True,
                               env=dict(os.environ, **env))
            m = re.search(r"load ([0-9.]+) ms", p.stderr)
            loads.append(float(m.group(1)) / 1e3)
        pd_code = ("import time, pandas as pd\nbest = 1e9\nfor _ in range(5):\n    t = time.perf_counter(); "
                   "pd.read_csv('data.csv'); best = min(best, time.perf_counter() - t)\nprint(best)\n")
        pd_t = float(subprocess.run([PY, "-c", pd_code], cwd=d, capture_output=True, text=True, check=True).stdout)
        lines.append("")
        lines.append("CSV reader (in process, best of 5): mtc %.3f s = %.0f MB/s (reading, checking, aggregating to the grain); "
                     "pandas.read_csv %.3f s = %.0f MB/s; ratio %.1f×." % (min(loads), csv_mb / min(loads), pd_t, csv_mb / pd_t,
                                                                         pd_t / min(loads)))
        # the examples
        lines += ["", "| example | `mtc check` | run --no-jit | run default, cold cache | run default, warm (3rd run on) | default / --no-jit (cold) | warm − check |",
                  "|---|---|---|---|---|---|---|"]
        for ex, only in (("chiro/chiro.mtree", ["--only", "describe"]), ("chiro/chiro.mtree", []), ("saas/saas.mtree", [])):
            path = os.path.join(ROOT, "examples", ex)
            wd = os.path.dirname(path)
            chk = timed([mtc, "check", path], wd, env, reps=11)
            nj = timed([mtc, "run", path, "--no-jit"] + only, wd, env, reps=11)
            colds = []
            for _ in range(11):
                shutil.rmtree(cache, ignore_errors=True)
                colds.append(timed([mtc, "run", path] + only, wd, env, reps=1, warm=False)[1])
            warm = timed([mtc, "run", path] + only, wd, env, reps=11)
            ex = ex + (" " + " ".join(only) if only else "")
            cold = statistics.median(colds)
            lines.append("| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f | %.1f ms |" % (
                ex, chk[1] * 1e3, nj[1] * 1e3, cold * 1e3, warm[1] * 1e3, cold / nj[1], (warm[1] - chk[1]) * 1e3))
        print("\n".join(lines))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
