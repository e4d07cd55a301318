#!/usr/bin/env python3
"""Compares `mtc run --format json` on each example with the independent
reference numbers of describe_ref.py (relative tolerance 1e-9).

usage: compare.py MTC SOURCE_DIR [--jit=always | --no-jit]
"""
import json, math, subprocess, sys, os

mtc, src = sys.argv[1], sys.argv[2]
extra = sys.argv[3:]
examples = {"chiro": "examples/chiro/chiro.mtree", "saas": "examples/saas/saas.mtree"}
fails = checked = 0

def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)

for name, model in examples.items():
    ref = json.load(open(os.path.join(src, "tests/reference", name + "_describe.json")))
    out = subprocess.run([mtc, "run", "--format", "json", *extra, os.path.join(src, model)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print(f"FAIL {name}: exit {out.returncode}\n{out.stderr}")
        fails += 1
        continue
    got = json.loads(out.stdout)
    for i, (r, g) in enumerate(zip(ref["results"], got["results"])):
        for k in ("from", "to"):
            if r.get(k) is not None and r[k] != g.get(k):
                print(f"FAIL {name} statement {i+1}: {k} {g.get(k)} != {r[k]}"); fails += 1
        for metric, rm in r["metrics"].items():
            gm = g["metrics"].get(metric)
            if gm is None:
                print(f"FAIL {name}: {metric} missing"); fails += 1; continue
            if gm["periods"] != rm["periods"]:
                print(f"FAIL {name} {metric}: periods differ"); fails += 1; continue
            if gm["unit"] != rm["unit"]:
                print(f"FAIL {name} {metric}: unit {gm['unit']} != {rm['unit']}"); fails += 1
            for key in ("values", "change"):
                for p, a, b in zip(rm["periods"], gm[key], rm.get(key, gm[key])):
                    checked += 1
                    if not close(a, b):
                        print(f"FAIL {name} {metric} {key} {p}: mtc {a} != reference {b}"); fails += 1
            for rs in rm.get("slices", []):
                gs = next((s for s in gm.get("slices", []) if s["slice"] == rs["slice"]), None)
                if gs is None:
                    print(f"FAIL {name} {metric}: slice {rs['slice']} missing"); fails += 1; continue
                for p, a, b in zip(rm["periods"], gs["values"], rs["values"]):
                    checked += 1
                    if not close(a, b):
                        print(f"FAIL {name} {metric}{rs['slice']} {p}: mtc {a} != reference {b}"); fails += 1
if fails:
    print(f"{fails} mismatches ({checked} numbers checked)")
    sys.exit(1)
print(f"describe matches the reference: {checked} numbers checked")
