#!/usr/bin/env python3
"""optimize against glpsol: one LP of 10,000 variables and 5,001 constraints, written
as an mtree model and as a GNU MathProg model by the same generator and seed, solved by
`mtc run` and by `glpsol --math` as whole processes (median of 5 after a warm-up), with
the same objective checked; wall time and CPU time (user + system, which a busy machine
disturbs least) are printed. mtc's report holds the sensitivity ranges of every variable
and row, which glpsol computes only with --ranges: both glpsol runs are timed.

The LP: 5,000 groups g of 2 products k; x[g,k] >= 0 the amounts (10,000 variables);
maximize sum(profit[g,k] x[g,k]) subject to one capacity row per group,
sum_k use[g,k] x[g,k] <= cap[g] (5,000 rows), and one budget row over everything,
sum cost[g,k] x[g,k] <= budget. Deterministic data (random.Random(SEED)).

    bench/lp_bench.py MTC [GROUPS]
"""
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

SEED = 7


def generate(d, groups):
    rnd = random.Random(SEED)
    G = ["g%d" % i for i in range(groups)]
    K = ["a", "b"]
    profit = {(g, k): rnd.randint(1, 100) for g in G for k in K}
    use = {(g, k): rnd.randint(1, 10) for g in G for k in K}
    cost = {(g, k): rnd.randint(1, 20) for g in G for k in K}
    cap = {g: rnd.randint(10, 100) for g in G}
    budget = sum(cap.values()) * 3
    with open(os.path.join(d, "model.mtree"), "w") as f:
        f.write("model lp { grain: year  start: 2025 }\nunit item\nunit hour\nunit money\n")
        f.write("dimension group { %s }\ndimension product { a, b }\n" % ", ".join(G))

        def table(name, unit, vals):
            f.write("param %s: %s by group, product = {\n" % (name, unit))
            for g in G:
                f.write("  %s: { a: %d, b: %d },\n" % (g, vals[(g, "a")], vals[(g, "b")]))
            f.write("}\n")
        table("profit", "money/item", profit)
        table("use", "hour/item", use)
        table("cost", "money/item", cost)
        f.write("param cap: hour by group = { %s }\n" % ", ".join("%s: %d" % (g, cap[g]) for g in G))
        f.write("param budget: money = %d\n" % budget)
        f.write("param x: item by group, product = 0\n")
        f.write("metric total_profit: money = sum(profit * x over group, product) { role: north_star }\n")
        f.write("metric hours: hour by group = sum(use * x over product)\n")
        f.write("metric spend: money = sum(cost * x over group, product)\n")
        f.write("optimize plan {\n  maximize total_profit\n  vary x >= 0\n  subject to {\n"
                "    capacity: hours <= cap\n    money: spend <= budget\n  }\n}\n")
    with open(os.path.join(d, "model.mod"), "w") as f:
        f.write("set G; set K;\nparam profit{G,K}; param use{G,K}; param cost{G,K}; param cap{G}; param budget;\n"
                "var x{G,K} >= 0;\nmaximize total_profit: sum{g in G, k in K} profit[g,k] * x[g,k];\n"
                "s.t. capacity{g in G}: sum{k in K} use[g,k] * x[g,k] <= cap[g];\n"
                "s.t. money: sum{g in G, k in K} cost[g,k] * x[g,k] <= budget;\n"
                "solve;\nprintf \"objective %.10g\\n\", total_profit;\ndata;\n")
        f.write("set G := %s;\nset K := a b;\n" % " ".join(G))
        for name, vals in (("profit", profit), ("use", use), ("cost", cost)):
            f.write("param %s : a b :=\n" % name)
            for g in G:
                f.write("  %s %d %d\n" % (g, vals[(g, "a")], vals[(g, "b")]))
            f.write(";\n")
        f.write("param cap := %s;\n" % " ".join("%s %d" % (g, cap[g]) for g in G))
        f.write("param budget := %d;\nend;\n" % budget)


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, cwd, reps=5):
    """Wall time (median, min, max), stdout, and the median CPU time (user + system) of
    reps runs after a warm-up. CPU time is what a busy machine disturbs least."""
    times, cpus, out = [], [], ""
    for i in range(reps + 1):
        t0, c0 = time.perf_counter(), cpu()
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
        if p.returncode != 0:
            sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
        out = p.stdout
    rest = times[1:]
    return statistics.median(rest), min(rest), max(rest), out, statistics.median(cpus[1:])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    mtc = os.path.abspath(sys.argv[1])
    groups = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    with tempfile.TemporaryDirectory() as d:
        generate(d, groups)
        g = timed(["glpsol", "--math", "model.mod"], d)
        # mtc reports the sensitivity ranges of every variable and row; glpsol
        # computes them only when asked
        gr = timed(["glpsol", "--math", "model.mod", "--ranges", "ranges.txt"], d)
        m = timed([mtc, "run", "model.mtree", "--format", "json"], d)
        want = float([l for l in g[3].splitlines() if l.startswith("objective")][0].split()[1])
        got = json.loads(m[3])["results"][0]["objective"]
        if abs(got - want) > 1e-6 * max(1.0, abs(want)):
            sys.exit("objectives differ: mtc %r, glpsol %r" % (got, want))
        print("LP of %d variables and %d constraints, objective %.10g (mtc = glpsol)" % (2 * groups, groups + 1, got))
        print("wall, median of 5 (min-max):")
        print("  glpsol --math: %.3f s (%.3f-%.3f); mtc run: %.3f s (%.3f-%.3f); mtc / glpsol = %.2f" % (
            g[0], g[1], g[2], m[0], m[1], m[2], m[0] / g[0]))
        print("  glpsol --math --ranges: %.3f s (%.3f-%.3f); mtc / glpsol --ranges = %.2f" % (gr[0], gr[1], gr[2], m[0] / gr[0]))
        print("CPU time (user + system), median of 5:")
        print("  glpsol --math: %.3f s; glpsol --ranges: %.3f s; mtc run: %.3f s; mtc / glpsol = %.2f; mtc / glpsol --ranges = %.2f" % (
            g[4], gr[4], m[4], m[4] / g[4], m[4] / gr[4]))


if __name__ == "__main__":
    main()
