#!/usr/bin/env python3
"""simulate: 1,000,000 runs of a 100-metric model, whole process.

The model (generated here, deterministic): 10 params with normal
distributions, 100 metrics, each a product, sum or difference of two earlier
metrics or params times a constant; no dimensions, no data. The issue's figure
is one period (`simulate m99 for 1 month { runs: 1000000 }`); the 12-period
figure is the same model over 12 months (12,000,000 evaluations of the tree).

Baselines in the same run, on the same model:
- `runs: 1`: the fixed cost of a process (start, parse, check, JIT, one
  evaluation); the ratio says how much of a run is the runs themselves;
- the same Monte Carlo in pure Python (`random.gauss`, the formulas as Python
  expressions), timed on 20,000 runs and given per run: the ratio of runs per
  second, mtc / Python.

Every figure is the median of 3 whole processes after one warm-up process
(the first, cold, is printed too).

    bench/simulate_bench.py MTC
"""
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time


def model(periods, runs):
    rnd = random.Random(7)
    lines = ["model big { grain: month  start: 2026-01 }"]
    exprs = {}
    for i in range(10):
        mu = 1 + i % 3
        sd = 0.1 * (1 + i % 4)
        lines.append("param p%d: ratio = %d ~ normal(%d, %g)" % (i, mu, mu, sd))
    names = ["p%d" % i for i in range(10)]
    py = []
    for j in range(100):
        a, b = rnd.choice(names), rnd.choice(names)
        op = rnd.choice(["*", "+", "-"])
        k = rnd.choice([0.5, 1.5, 2])
        role = " { role: north_star }" if j == 99 else ""
        lines.append("metric m%d: ratio = (%s %s %s) * %g%s" % (j, a, op, b, k, role))
        py.append("m%d = (%s %s %s) * %g" % (j, a, op, b, k))
        names.append("m%d" % j)
    lines.append("simulate m99 for %d month%s { runs: %d  seed: 1 }" % (periods, "s" if periods > 1 else "", runs))
    return "\n".join(lines) + "\n", "\n".join(py)


def timed(mtc, folder, text, reps=3):
    path = os.path.join(folder, "model.mtree")
    with open(path, "w") as f:
        f.write(text)
    times = []
    for i in range(reps + 1):
        t0 = time.perf_counter()
        p = subprocess.run([mtc, "run", path, "--format", "json"], capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if p.returncode != 0:
            sys.exit("mtc failed:\n" + p.stderr)
    return times[0], statistics.median(times[1:])


def python_per_run(py, n=20000):
    code = compile(py, "<model>", "exec")
    rnd = random.Random(1)
    mus = [(1 + i % 3, 0.1 * (1 + i % 4)) for i in range(10)]
    t0 = time.perf_counter()
    for _ in range(n):
        env = {"p%d" % i: rnd.gauss(mu, sd) for i, (mu, sd) in enumerate(mus)}
        exec(code, env)
    return (time.perf_counter() - t0) / n


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    mtc = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as d:
        text1, py = model(1, 1)
        _, fixed = timed(mtc, d, text1)
        rows = []
        for periods in (1, 12):
            text, _ = model(periods, 1000000)
            cold, warm = timed(mtc, d, text)
            rows.append((periods, cold, warm))
        per_run = python_per_run(py)
    print("simulate, 100 metrics, 10 normal params, 1,000,000 runs (LHS), whole process, median of 3 warm")
    print("%-28s %10s %10s" % ("", "first", "warm"))
    print("%-28s %10s %9.3fs" % ("runs: 1 (fixed cost)", "", fixed))
    for periods, cold, warm in rows:
        print("%-28s %9.3fs %9.3fs" % ("%d period%s" % (periods, "s" if periods > 1 else ""), cold, warm))
    one = rows[0][2]
    print("runs' share of the 1-period time: %.0f%%" % (100 * (one - fixed) / one))
    mtc_rate = 1000000 / one
    py_rate = 1 / per_run
    print("runs per second: mtc %.3g (whole process), pure Python %.3g: %.0fx" % (mtc_rate, py_rate, mtc_rate / py_rate))


if __name__ == "__main__":
    main()
