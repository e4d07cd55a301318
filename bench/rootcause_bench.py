#!/usr/bin/env python3
"""Root-cause accuracy of `diagnose` (dimension drift), whole process.

Cubes with planted root causes, generated in the manner of RiskLoc's
generate_dataset.py (Kalander 2022) with Squeeze's exact-match scoring (Li et al.
2019), are written as a model and a CSV; `mtc run --format json` diagnoses the
cube's total from "predicted" (base period) to "real" (the period diagnosed), and
the slices it reports are scored against the planted ones.

Generator (fixed; every random choice from one seeded random.Random):
  - cubes of 4 dimensions [10, 12, 10, 8] (9,600 leaves) and 5 dimensions
    [10, 12, 10, 8, 5] (RiskLoc's set S: 48,000 leaves), alternately;
  - leaf values: 100 x Weibull(alpha), alpha ~ U[0.5, 1]; no zero leaves;
  - noise sigma fixed per setting (0, 5%, 10%): predicted = real x (1 + N(0, sigma)),
    real and predicted swapped for a random half of the leaves (symmetric noise),
    clipped at 0;
  - 1 to 3 root causes, each 1 to 3 dimensions deep (a cause's dimension set is not
    reused, nor a value already used in a dimension by another cause); one element
    per cause;
  - severity U[0.2, 1] + sigma, deviation U[0, 0.1]: under a cause, real =
    max(predicted x (1 - r), 0), r ~ N(severity, deviation) per leaf (a drop; the
    direction alternates from cube to cube, a rise being the mirror: predicted =
    max(real x (1 - r), 0)).
Scoring: TP = planted elements reported exactly (same dimensions, same values), FP
= other reported elements, FN = planted ones missed; micro F1 = 2TP / (2TP + FP +
FN) over the setting's cubes; top-1 = the first reported element is a planted one.

    bench/rootcause_bench.py MTC [CUBES_PER_SETTING] [SEED]   (default 40 cubes, seed 20261201)
Prints a table (Markdown) and a JSON line.
"""
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

SHAPES = [[10, 12, 10, 8], [10, 12, 10, 8, 5]]
NOISES = [0.0, 0.05, 0.10]


def cube(rng, shape, sigma, rise):
    dims = ["d%d" % i for i in range(len(shape))]
    n = math.prod(shape)
    alpha = rng.uniform(0.5, 1.0)
    real = [100 * rng.weibullvariate(1.0, alpha) for _ in range(n)]
    pred = []
    for i in range(n):
        p = real[i] * (1 + rng.gauss(0, sigma)) if sigma > 0 else real[i]
        if rng.random() < 0.5:
            real[i], p = p, real[i]
        pred.append(max(p, 0.0))
        real[i] = max(real[i], 0.0)
    # causes
    causes, used_sets, used_vals = [], set(), {}
    for _ in range(rng.randint(1, 3)):
        for _attempt in range(100):
            depth = rng.randint(1, 3)
            ds = tuple(sorted(rng.sample(range(len(shape)), depth)))
            if ds in used_sets:
                continue
            el = []
            for d in ds:
                choices = [v for v in range(shape[d]) if v not in used_vals.get(d, set())]
                if not choices:
                    break
                el.append((d, rng.choice(choices)))
            if len(el) != depth:
                continue
            used_sets.add(ds)
            for d, v in el:
                used_vals.setdefault(d, set()).add(v)
            causes.append(el)
            break
    severity = rng.uniform(0.2, 1.0) + sigma
    deviation = rng.uniform(0, 0.1)
    strides = [math.prod(shape[k + 1:]) for k in range(len(shape))]
    for i in range(n):
        key = [(i // strides[k]) % shape[k] for k in range(len(shape))]
        if any(all(key[d] == v for d, v in el) for el in causes):
            r = rng.gauss(severity, deviation)
            if rise:
                pred[i] = max(real[i] * (1 - r), 0.0)
            else:
                real[i] = max(pred[i] * (1 - r), 0.0)
    return dims, shape, pred, real, causes


def write(folder, dims, shape, before, after):
    strides = [math.prod(shape[k + 1:]) for k in range(len(shape))]
    with open(os.path.join(folder, "data.csv"), "w") as f:
        f.write("month,%s,value\n" % ",".join(dims))
        for month, vals in (("2025-01", before), ("2025-02", after)):
            for i, v in enumerate(vals):
                key = ",".join("v%d" % ((i // strides[k]) % shape[k]) for k in range(len(shape)))
                f.write("%s,%s,%.6f\n" % (month, key, v))
    with open(os.path.join(folder, "model.mtree"), "w") as f:
        f.write("model cube { grain: month }\n")
        for d, n in zip(dims, shape):
            f.write("dimension %s { %s }\n" % (d, ", ".join("v%d" % k for k in range(n))))
        f.write('source c = csv("data.csv") { time: month  dimensions: %s }\n' % ", ".join(dims))
        f.write("metric value: count by %s { data: c.value }\n" % ", ".join(dims))
        f.write("diagnose value at 2025-02 vs 2025-01\n")


def main():
    mtc = os.path.abspath(sys.argv[1])
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261201
    rows, out = [], {}
    for sigma in NOISES:
        rng = random.Random("%d-%s" % (seed, sigma))
        tp = fp = fn = top1 = 0
        seconds = []
        for k in range(per):
            dims, shape, before, after, causes = cube(rng, SHAPES[k % 2], sigma, rise=k % 4 >= 2)
            with tempfile.TemporaryDirectory() as folder:
                write(folder, dims, shape, before, after)
                t0 = time.perf_counter()
                p = subprocess.run([mtc, "run", "model.mtree", "--format", "json"], cwd=folder, capture_output=True, text=True,
                                   env=dict(os.environ, MTC_JIT_CACHE="off"))
                seconds.append(time.perf_counter() - t0)
            if p.returncode != 0:
                sys.exit("mtc failed:\n" + p.stderr)
            res = json.loads(p.stdout)["results"][0]
            dim = [f for f in res["factors"] if f["factor"] == "dimension"][0]
            found = [frozenset((int(d[1:]), int(v[1:])) for d, v in s["slice"].items()) for s in dim["slices"]]
            planted = {frozenset(el) for el in causes}
            hits = len(planted & set(found))
            tp += hits
            fp += len(set(found)) - hits
            fn += len(planted) - hits
            if found and found[0] in planted:
                top1 += 1
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        seconds.sort()
        out["%g" % sigma] = {"cubes": per, "tp": tp, "fp": fp, "fn": fn, "f1": f1, "top1": top1 / per,
                             "median_seconds": seconds[len(seconds) // 2]}
        rows.append("| %d%% | %d | %.3f | %.3f | %d / %d / %d | %.2f s |" % (
            round(sigma * 100), per, top1 / per, f1, tp, fp, fn, seconds[len(seconds) // 2]))
    print("| noise | cubes | top-1 | F1 | TP / FP / FN | median run |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
