#!/bin/sh
# Evaluation benchmark: FORMULAS formula metrics over REGIONS x PRODUCTS slices x
# MONTHS periods, evaluated in one run by the JIT, the reference interpreter, the
# same formulas hand-written in C++ (g++ -O2) and in numpy. Prints JSON with the
# times and ratios; exits non-zero if the engines disagree.
#
# usage: bench/eval_bench.sh [BUILD_DIR] [FORMULAS REGIONS PRODUCTS MONTHS] [--no-interpreter]
#   full size (about 9 GB of RAM, several minutes): bench/eval_bench.sh build 3000 10 100 120
#   CI size: bench/eval_bench.sh build 300 5 20 120
set -e
BUILD=${1:-build}
N=${2:-3000}; R=${3:-10}; P=${4:-100}; T=${5:-120}
EXTRA=${6:-}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3  # Debian's, with python3-numpy
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
"$PY" "$HERE/gen_eval.py" "$N" "$R" "$P" "$T" "$DIR"
g++ -O2 -std=c++17 -ffp-contract=off -shared -fPIC -o "$DIR/hand.so" "$DIR/hand.cpp"
# cold compile: no object cache
MTC_JIT_CACHE=off "$BUILD/bench/mtc_eval_bench" "$DIR" $EXTRA >"$DIR/result.json"
# numpy, same inputs (input_value), best of 3
"$PY" - "$DIR" >"$DIR/numpy.json" <<'PY'
import json, sys, time
import numpy as np
d = sys.argv[1]
sys.path.insert(0, d)
import hand_np
meta = json.load(open(d + "/meta.json"))
S = meta["regions"] * meta["products"]; T = meta["months"]
s = np.arange(S, dtype=np.int64)[:, None]; t = np.arange(T, dtype=np.int64)[None, :]
m0 = {f"in{k}": ((k * 7919 + s * 104729 + t * 13) % 1000) / 10.0 - 5.0 for k in range(meta["inputs"])}
best = 1e300
for _ in range(3):
    m = dict(m0)
    t0 = time.perf_counter(); hand_np.evaluate(m); best = min(best, time.perf_counter() - t0)
last = m[meta["names"][-1]]
print(json.dumps({"numpy_s": best, "sum": float(np.nansum(last)), "missing": int(np.isnan(last).sum())}))
PY
"$PY" - "$DIR/result.json" "$DIR/numpy.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); n = json.load(open(sys.argv[2]))
r["numpy_s"] = n["numpy_s"]
r["jit_speedup_vs_numpy"] = n["numpy_s"] / r["jit_eval_s"]
ok = n["missing"] == r["checksum"]["missing"] and abs(n["sum"] - r["checksum"]["sum"]) <= 1e-9 * max(1.0, abs(n["sum"]))
r["numpy_agrees"] = ok
print(json.dumps(r, indent=2))
sys.exit(0 if ok and r["hand_vs_jit_differences"] == 0 and r.get("interpreter_vs_jit_differences", 0) == 0 else 1)
PY
