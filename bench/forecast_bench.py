#!/usr/bin/env python3
"""Forecast accuracy and speed against R's forecast::ets, side by side.

The classic series of R's datasets (and three of the forecast package) in
tests/fixtures/r/series/: the last 12 months (8 quarters) are held out, the
rest is the training data. For each series mtc runs `forecast ... { method: ets }`
and `{ method: auto }` as whole processes on a model of the training data; the
MASE on the held-out periods (scaled by the in-sample seasonal naive MAE, as
forecast::accuracy) is compared with R's ets on the same split.

R's figures come from tests/fixtures/r/series/r_ets_holdout.csv, made on this
machine by R 4.2.2 / forecast 8.20 (`ets(train)`, `forecast(fit, h)`,
`accuracy(fc, test)`; the seconds are `system.time` of the fit inside R, after a
warm-up call), and r_all_holdout.csv (auto.arima, thetaf).

    bench/forecast_bench.py MTC [ROOT]
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

CORE = ["AirPassengers", "nottem", "co2", "UKgas", "USAccDeaths", "ldeaths", "mdeaths", "fdeaths", "UKDriverDeaths",
        "JohnsonJohnson", "austres"]
EXTRA = ["wineind", "woolyrnq", "gas"]


def mase(train, m, forecast, actual):
    scale = sum(abs(train[t] - train[t - m]) for t in range(m, len(train))) / (len(train) - m)
    return sum(abs(a - f) / scale for a, f in zip(actual, forecast)) / len(actual)


def run(mtc, folder, name, freq, train, h, method):
    grain = "month" if freq == 12 else "quarter"
    with open(os.path.join(folder, "model.mtree"), "w") as f:
        f.write("model %s { grain: %s }\nsource s = csv(\"data.csv\") { time: period }\n" % (name.lower(), grain))
        f.write("metric y: count { data: s.value  role: north_star }\n")
        f.write("forecast y for %d %ss { method: %s }\n" % (h, grain, method))
    t0 = time.perf_counter()
    p = subprocess.run([mtc, "run", "model.mtree", "--format", "json"], cwd=folder, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("mtc failed on %s (%s):\n%s" % (name, method, p.stderr))
    res = json.loads(p.stdout)["results"][0]
    return res["mean"], res["method"], secs


def main():
    mtc = os.path.abspath(sys.argv[1])
    root = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    base = os.path.join(root, "tests", "fixtures", "r", "series")
    info = {r["series"]: r for r in csv.DictReader(open(os.path.join(base, "series_info.csv")))}
    r_ets = {r["series"]: r for r in csv.DictReader(open(os.path.join(base, "r_ets_holdout.csv")))}
    r_all = {r["series"]: r for r in csv.DictReader(open(os.path.join(base, "r_all_holdout.csv")))}
    rows, tot = [], {"r": 0.0, "ets": 0.0, "auto": 0.0}
    out = {}
    for name in CORE + EXTRA:
        freq = int(info[name]["frequency"])
        data = list(csv.DictReader(open(os.path.join(base, name + ".csv"))))
        h = 12 if freq == 12 else 8
        train, test = data[:-h], data[-h:]
        y = [float(r["value"]) for r in train]
        actual = [float(r["value"]) for r in test]
        res = {}
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "data.csv"), "w") as f:
                f.write("period,value\n")
                for r in train:
                    f.write("%s,%s\n" % (r["period"], r["value"]))
            for method in ("ets", "auto"):
                mean, label, secs = run(mtc, folder, name, freq, train, h, method)
                res[method] = (mase(y, freq, mean, actual), label, secs)
        r_mase, r_secs = float(r_ets[name]["MASE"]), float(r_ets[name]["seconds"])
        out[name] = {"r_ets": {"model": r_ets[name]["model"], "mase": r_mase, "seconds": r_secs},
                     "mtc_ets": {"model": res["ets"][1], "mase": res["ets"][0], "seconds": res["ets"][2]},
                     "mtc_auto": {"method": res["auto"][1], "mase": res["auto"][0], "seconds": res["auto"][2]},
                     "r_arima_mase": float(r_all[name]["arima_MASE"]) if "arima_MASE" in r_all[name] else None}
        rows.append((name, r_ets[name]["model"], r_mase, res["ets"][1], res["ets"][0], res["auto"][1], res["auto"][0], r_secs,
                     res["ets"][2], res["auto"][2]))
    print("| series | R ets | MASE | mtc ets | MASE | mtc auto | MASE | R s | mtc ets s | mtc auto s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %.4f | %s | %.4f | %s | %.4f | %.3f | %.3f | %.3f |" % r)
    for label, names in (("11 core", CORE), ("all 14", CORE + EXTRA)):
        sel = [r for r in rows if r[0] in names]
        n = len(sel)
        print("| **mean / total, %s** | | %.4f | | %.4f | | %.4f | %.2f | %.2f | %.2f |" % (
            label, sum(r[2] for r in sel) / n, sum(r[4] for r in sel) / n, sum(r[6] for r in sel) / n,
            sum(r[7] for r in sel), sum(r[8] for r in sel), sum(r[9] for r in sel)))
    sel = [r for r in rows if r[0] in CORE]
    print("speed, 11 core: R ets %.2f s in R; mtc ets %.2f s as whole processes (%.1fx); mtc auto %.2f s (%.1fx)" % (
        sum(r[7] for r in sel), sum(r[8] for r in sel), sum(r[7] for r in sel) / sum(r[8] for r in sel),
        sum(r[9] for r in sel), sum(r[7] for r in sel) / sum(r[9] for r in sel)))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
