#!/usr/bin/env python3
"""Speed of `diagnose`, whole processes, each against a baseline in the same run.

1. The chiro example's two diagnose statements (`mtc run --only diagnose`) against
   `mtc check` of the same file: repeated runs (the JIT's object cache warm), the
   interpreter (--no-jit), and first runs (MTC_JIT_CACHE=off: the kernels compiled).
2. Dimension drift over 1,000,000 leaf slices (5 dimensions of 10 x 10 x 10 x 10 x
   100 values, two months, a 2-dimension root cause planted, +-2% noise; a 61 MB
   CSV, generated with a fixed seed) against `mtc run --dump-plan`, which reads
   and loads the same data and stops: the ratio is what the diagnosis adds.

Median of 5 (and the range) of wall time; peak memory from /usr/bin/time.

    bench/diagnose_bench.py MTC [ROOT]
"""
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, cwd, env=None, runs=5):
    secs, mem = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, capture_output=True, text=True,
                           env=dict(os.environ, **(env or {})))
        secs.append(time.perf_counter() - t0)
        if p.returncode not in (0,):
            sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
        mem = max(mem, int(p.stderr.strip().splitlines()[-1]))
    return statistics.median(secs), min(secs), max(secs), mem


def cube(folder):
    shape = [10, 10, 10, 10, 100]
    names = ["a", "b", "c", "d", "e"]
    rng = random.Random(5)
    keys = list(itertools.product(*[range(n) for n in shape]))
    base = [round(rng.uniform(50, 150), 2) for _ in keys]
    with open(os.path.join(folder, "data.csv"), "w") as f:
        f.write("month,%s,value\n" % ",".join(names))
        for month in ("2025-01", "2025-02"):
            lines = []
            for k, v in zip(keys, base):
                if month == "2025-02":
                    v = v * (1 + rng.uniform(-0.02, 0.02))
                    if k[1] == 3 and k[3] == 7:
                        v *= 0.5
                lines.append("%s,%s,%.2f\n" % (month, ",".join("%s%d" % (names[i], x) for i, x in enumerate(k)), v))
            f.write("".join(lines))
    with open(os.path.join(folder, "model.mtree"), "w") as f:
        f.write("model cube { grain: month }\n")
        for nm, n in zip(names, shape):
            f.write("dimension %s { %s }\n" % (nm, ", ".join("%s%d" % (nm, i) for i in range(n))))
        f.write('source c = csv("data.csv") { time: month  dimensions: %s }\n' % ", ".join(names))
        f.write("metric value: count by %s { data: c.value  role: north_star }\n" % ", ".join(names))
        f.write("diagnose value at 2025-02 vs 2025-01\n")


def main():
    mtc = os.path.abspath(sys.argv[1])
    root = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    chiro = os.path.join(root, "examples", "chiro")
    rows = []
    out = {}
    subprocess.run([mtc, "run", "chiro.mtree", "--only", "diagnose"], cwd=chiro, capture_output=True)  # warm the cache
    base = timed([mtc, "check", "chiro.mtree"], chiro)
    for label, cmd, env in (("repeated (JIT, cache warm)", ["run", "chiro.mtree", "--only", "diagnose"], None),
                            ("interpreter (--no-jit)", ["run", "chiro.mtree", "--only", "diagnose", "--no-jit"], None),
                            ("first (JIT, kernels compiled)", ["run", "chiro.mtree", "--only", "diagnose"], {"MTC_JIT_CACHE": "off"})):
        r = timed([mtc] + cmd, chiro, env)
        out["chiro " + label] = {"median": r[0], "min": r[1], "max": r[2], "peak_kb": r[3], "check": base[0]}
        rows.append("| chiro, 2 diagnose, %s | %.0f ms (%.0f-%.0f) | `mtc check` %.0f ms | %.1f | %d MB |" % (
            label, r[0] * 1e3, r[1] * 1e3, r[2] * 1e3, base[0] * 1e3, r[0] / base[0], r[3] // 1024))
    with tempfile.TemporaryDirectory() as folder:
        cube(folder)
        load = timed([mtc, "run", "model.mtree", "--dump-plan"], folder)
        r = timed([mtc, "run", "model.mtree"], folder)
        out["1M leaves"] = {"median": r[0], "min": r[1], "max": r[2], "peak_kb": r[3], "load_only": load[0]}
        rows.append("| 1,000,000 leaf slices, diagnose | %.2f s (%.2f-%.2f) | load only %.2f s | %.2f | %d MB |" % (
            r[0], r[1], r[2], load[0], r[0] / load[0], r[3] // 1024))
    print("| run | median (range) | baseline | ratio | peak memory |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
