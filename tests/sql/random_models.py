#!/usr/bin/env python3
"""`mtc sql` against mtc on random models: the JIT agreement test's generator
(tests/unit/modelgen.h, printed by mtc_modelgen), with data.

Each input metric reads a CSV of its own with random values (zeros, negatives, NaN and infinity,
empty cells, missing rows); some sources have a dimension the metric lacks
(rows combined with its agg), some have periods finer than the model's grain
(rolled up), some inputs declare an agg. Half the models have a stock (a
delayed cycle: the stock and a flow reading its past), computed by a recursive
CTE one period a step: without data (a third), or with data whose total is the
sum of its slices (`agg: sum`) or is recomputed period by period. None may be
refused. Every value of the query, run by SQLite (or PostgreSQL with
--postgres), is compared with mtc's describe of every metric; every third model
also at a coarser grain (describe's grain:, mtc sql --grain).

usage: random_models.py MTC MODELGEN [--models N] [--first SEED] [--postgres]
"""
import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sqlcheck  # noqa: E402

PERIODS = 40
AGGS = ["sum", "mean", "min", "max", "last"]
GRAINS = ["day", "week", "month", "quarter", "year"]


def periods(grain, start, n):
    """n consecutive periods at `grain` from `start` (as written in the model)."""
    out = []
    if grain == "month":
        y, m = map(int, start.split("-"))
        for k in range(n):
            yy, mm = divmod(y * 12 + m - 1 + k, 12)
            out.append(f"{yy:04d}-{mm + 1:02d}")
    elif grain == "quarter":
        y, q = int(start[:4]), int(start[6])
        for k in range(n):
            yy, qq = divmod(y * 4 + q - 1 + k, 4)
            out.append(f"{yy:04d}-Q{qq + 1}")
    elif grain == "year":
        out = [f"{int(start[:4]) + k:04d}" for k in range(n)]
    elif grain == "week":
        d = datetime.date.fromisocalendar(int(start[:4]), int(start[6:8]), 1)
        for k in range(n):
            iy, iw, _ = (d + datetime.timedelta(weeks=k)).isocalendar()
            out.append(f"{iy:04d}-W{iw:02d}")
    else:
        d = datetime.date.fromisoformat(start)
        out = [(d + datetime.timedelta(days=k)).isoformat() for k in range(n)]
    return out


def finer(grain, label, rng):
    """Some periods finer than `label` (at `grain`) that lie within it."""
    if grain == "month":
        y, m = map(int, label.split("-"))
        days = sorted(rng.sample(range(1, 29), 3))
        return [f"{y:04d}-{m:02d}-{d:02d}" for d in days]
    if grain == "quarter":
        y, q = int(label[:4]), int(label[6])
        return [f"{y:04d}-{3 * (q - 1) + k:02d}" for k in range(1, 4)]
    if grain == "year":
        return [f"{label}-Q{q}" for q in range(1, 5)]
    return [label]


def value(rng):
    u = rng.random()
    if u < 0.01:
        return rng.choice(["NaN", "inf", "-inf"])  # missing, as mtc reads them (a data-non-finite warning)
    if u < 0.05:
        return ""
    if u < 0.1:
        return "0"
    if u < 0.2:
        return repr(-u * 10)
    return repr(u * 100)


def build(gen, seed, folder):
    """Writes the model with data into folder; returns (path, expect_refusal)."""
    rng = random.Random(seed)
    text = gen["text"]
    grain, start = re.match(r"model r \{ grain: (\w+)  start: (\S+) \}", text).groups()
    dims = [[v.strip() for v in vals.split(",")] for vals in re.findall(r"dimension d\d+ \{([^}]*)\}", text)]
    labels = periods(grain, start, PERIODS)
    sources, refuse = [], False

    def write_source(name, mdims):
        # sometimes a dimension the metric lacks (combined over), sometimes finer periods
        sdims = list(mdims)
        extra = [d for d in range(len(dims)) if d not in mdims]
        if extra and rng.random() < 0.3:
            sdims = sorted(sdims + [rng.choice(extra)])
        fine = grain in ("month", "quarter", "year") and rng.random() < 0.25
        combos = [[]]
        for d in sdims:
            combos = [c + [v] for c in combos for v in dims[d]]
        with open(os.path.join(folder, name + ".csv"), "w") as f:
            f.write(",".join(["period"] + [f"d{d}" for d in sdims] + ["v"]) + "\n")
            for lab in labels:
                for p in finer(grain, lab, rng) if fine else [lab]:
                    for c in combos:
                        if rng.random() < 0.05:
                            continue  # a missing row
                        f.write(",".join([p] + c + [value(rng)]) + "\n")
        dl = ", ".join(f"d{d}" for d in sdims)
        sources.append(f'source s_{name} = csv("{name}.csv") {{ time: period{"  dimensions: " + dl if dl else ""} }}')

    for inp in gen["inputs"]:
        write_source(inp["name"], inp["dims"])
        agg = f"  agg: {rng.choice(AGGS)}" if rng.random() < 0.4 else ""
        text = re.sub(r"(metric %s: ratio[^{\n]*)\{ role: input \}" % inp["name"],
                      lambda m: m.group(1) + "{ role: input  data: s_%s.v%s }" % (inp["name"], agg), text)
    m = re.search(r"metric stock: ratio(?: by ([d0-9, ]+))? = .*\{ initial: ([^}]*) \}", text)
    if m:
        sdims = [int(x.strip()[1:]) for x in m.group(1).split(",")] if m.group(1) else []
        if rng.random() >= 0.35:  # else no data: the stock and its flow computed one period a step
            write_source("stock", sdims)
            # with data, its total is the sum of its slices, or (without agg:) recomputed period by period
            agg = "  agg: sum" if sdims and rng.random() < 0.7 else ""
            text = text.replace("{ initial: %s }" % m.group(2), "{ initial: %s  data: s_stock.v%s }" % (m.group(2), agg))
    lines = text.split("\n")
    text = "\n".join(lines[:1] + sources + lines[1:])
    path = os.path.join(folder, "random.mtree")
    with open(path, "w") as f:
        f.write(text)
    return path, refuse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mtc")
    ap.add_argument("modelgen")
    ap.add_argument("--models", type=int, default=200)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--postgres", action="store_true")
    args = ap.parse_args()
    # the sanitizer run (CMakePresets.json) shortens the random tests: MTC_RANDOM_MODELS
    # (the JIT test's 150 of 1,000) makes this one a fifth of that
    if os.environ.get("MTC_RANDOM_MODELS", "").isdigit():
        args.models = min(args.models, max(10, int(os.environ["MTC_RANDOM_MODELS"]) // 5))
    engine_factory = sqlcheck.SqliteEngine
    if args.postgres:
        import pgcheck  # noqa: E402
        engine_factory = pgcheck.engine_or_skip()
    failures, compared, refused, values, coarse = [], 0, 0, 0, 0
    for seed in range(args.first, args.first + args.models):
        gen = json.loads(subprocess.run([args.modelgen, str(seed)], stdout=subprocess.PIPE, text=True, check=True).stdout)
        with tempfile.TemporaryDirectory() as tmp:
            path, refuse = build(gen, seed, tmp)
            rc, _, err = sqlcheck.run([args.mtc, "check", path])
            if rc != 0:
                continue  # the generator writes a few models the checker refuses (jit_test counts them)
            rc, _, err = sqlcheck.run([args.mtc, "sql", path])
            if rc == 1 and "[sql-unsupported]" in err:
                if not refuse:
                    failures.append(f"seed {seed}: refused:\n{err}")
                refused += 1
                continue
            engine = engine_factory()
            try:
                # the interpreter and the JIT on alternate seeds (they agree bit for bit: jit_test)
                values += sqlcheck.check_model(args.mtc, path, engine, jits=("never" if seed % 2 else "always",))
                compared += 1
                # and at a coarser grain (describe's grain:, mtc sql --grain), every third model
                grain = re.match(r"model r \{ grain: (\w+)", open(path).read()).group(1)
                coarser = GRAINS[GRAINS.index(grain) + 1:]
                if coarser and seed % 3 == 0:
                    engine.close()
                    engine = engine_factory()
                    values += sqlcheck.check_model(args.mtc, path, engine, grain=coarser[seed % len(coarser)],
                                                   jits=("never" if seed % 2 else "always",))
                    coarse += 1
            except sqlcheck.Mismatch as e:
                failures.append(f"seed {seed}: {e}\n--- model\n{open(path).read()}")
            finally:
                engine.close()
    print(f"{compared} random models compared ({coarse} also at a coarser grain; {values} values), {refused} refused, {len(failures)} failed")
    for f in failures[:5]:
        print(f)
    sys.exit(1 if failures or compared < args.models * 0.8 else 0)


if __name__ == "__main__":
    main()
