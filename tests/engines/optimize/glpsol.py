#!/usr/bin/env python3
"""optimize against glpsol: every case of tests/engines/optimize/<case>/ with a model.mod (the
same problem in GNU MathProg) is solved by `mtc run --format json` and by `glpsol --math`
(glpk-utils); both must agree on the status, the objective, every variable's value, every
constraint's activity and (for an LP) its dual (the shadow price), and GLPK's sensitivity
ranges (`glpsol --ranges`): each variable's objective-coefficient range and each binding
row's activity range (mtc's `limit_range`). For a MIP, the LP relaxation's bound is glpsol's
objective with --nomip.

    glpsol.py MTC ROOT
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile


def num(tok):
    tok = tok.strip()
    if tok in ("", ".", "< eps"):
        return 0.0
    return float(tok)  # handles +Inf, -Inf, .225, -.153


def status_of(log):
    if "OPTIMAL LP SOLUTION FOUND" in log or "INTEGER OPTIMAL SOLUTION FOUND" in log:
        return "optimal"
    if "NO PRIMAL FEASIBLE" in log or "NO INTEGER FEASIBLE" in log:
        return "infeasible"
    if "NO DUAL FEASIBLE" in log or "UNBOUNDED" in log:
        return "unbounded"
    return "error"


def parse_solution(text, mip):
    """glpsol -o: the objective, and per row and column (activity, marginal)."""
    obj = float(re.search(r"^Objective:\s+\S+ = (\S+)", text, re.M).group(1))
    rows, cols, table = {}, {}, None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^\s+No\.\s+Row name", line):
            table = rows
        elif re.match(r"^\s+No\.\s+Column name", line):
            table = cols
        elif not line.strip() or line.startswith("Karush") or line.startswith("Integer feasibility"):
            if line.startswith("Karush") or line.startswith("Integer feasibility"):
                table = None
        elif table is not None and re.match(r"^\s*\d+ ", line):
            m = re.match(r"^\s*\d+ (\S+)", line)
            name = m.group(1)
            if len(name) > 12:
                i += 1
                line = lines[i]
            body = line[20:]
            if mip:
                toks = [t for t in body.split() if t != "*"]
                table[name] = (num(toks[0]), 0.0)
            else:
                table[name] = (num(body[3:16]), num(body[45:]) if len(body) > 45 else 0.0)
        i += 1
    return obj, rows, cols


def parse_ranges(text):
    """glpsol --ranges: rows -> (status, activity range), columns -> (status, cost range)."""
    rows, cols, table = {}, {}, None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^\s+No\.\s+Row name", line):
            table = rows
        elif re.match(r"^\s+No\.\s+Column name", line):
            table = cols
        elif table is not None and re.match(r"^\s*\d+ \S", line):
            toks = line.split()[1:]
            name, rest = toks[0], toks[1:]
            if not rest:
                i += 1
                rest = lines[i].split()
            second = lines[i + 1].split()
            i += 1
            st = rest[0]
            if table is rows:
                rows[name] = (st, (num(rest[4]), num(second[2])))
            else:
                cols[name] = (st, (num(rest[5]), num(second[3])))
        i += 1
    return rows, cols


def close(a, b, tol=1e-6):
    if a is None or b is None:
        return a is None and b is None
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def end(v):
    return v if v is not None else None


def main():
    mtc, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    base = os.path.join(root, "tests", "engines", "optimize")
    fails, cases = [], 0
    for case in sorted(os.listdir(base)):
        folder = os.path.join(base, case)
        mod = os.path.join(folder, "model.mod")
        if not os.path.exists(mod):
            continue
        cases += 1
        env = dict(os.environ, MTC_JIT_CACHE="off", NO_COLOR="1")
        p = subprocess.run([mtc, "run", "model.mtree", "--format", "json", "--no-jit"], cwd=folder, capture_output=True, text=True, env=env)
        try:
            res = [r for r in json.loads(p.stdout)["results"] if r["kind"] == "optimize"][0]
        except Exception as e:  # noqa: BLE001
            fails.append("%s: no optimize result from mtc (exit %d): %s\n%s" % (case, p.returncode, e, p.stderr))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            sol, rng = os.path.join(tmp, "sol.txt"), os.path.join(tmp, "rng.txt")
            g = subprocess.run(["glpsol", "--math", mod, "-o", sol, "--ranges", rng], capture_output=True, text=True)
            status = status_of(g.stdout)
            if res["status"] != status:
                fails.append("%s: status %s, glpsol %s" % (case, res["status"], status))
                continue
            if status != "optimal":
                print("%s: %s, as glpsol" % (case, status))
                continue
            mip = "mip" in res
            obj, rows, cols = parse_solution(open(sol).read(), mip)
            checks = 0

            def check(what, got, want, tol=1e-6):
                nonlocal checks
                checks += 1
                if not close(got, want, tol):
                    fails.append("%s: %s is %r, glpsol %r" % (case, what, got, want))

            check("the objective", res["objective"], obj)
            # A dual-degenerate LP (the case folder has a file DUAL_DEGENERATE) has more than
            # one set of optimal duals, and which one a solver returns depends on its basis:
            # compare the primal with glpsol's, and check mtc's duals by the optimality
            # conditions instead (strong duality, reduced costs' signs), with x >= 0 bounds.
            degenerate = os.path.exists(os.path.join(folder, "DUAL_DEGENERATE"))
            if degenerate:
                dual_obj = sum(c["shadow_price"] * c["limit"] for c in res["constraints"].values() if c.get("shadow_price") is not None)
                check("the dual objective (sum of shadow price x limit)", dual_obj, res["objective"])
                sign = 1 if res["sense"] == "minimize" else -1
                for name, lv in res["levers"].items():
                    rc, val = lv["reduced_cost"], res["variables"][name]
                    checks += 1
                    if val > 1e-9 and abs(rc) > 1e-7:
                        fails.append("%s: %s is basic (%r) but its reduced cost is %r" % (case, name, val, rc))
                    if val <= 1e-9 and sign * rc < -1e-7:
                        fails.append("%s: %s is at its bound 0 with a reduced cost %r of the wrong sign" % (case, name, rc))
            for name, (value, marginal) in cols.items():
                if name not in res["variables"]:
                    fails.append("%s: glpsol's variable %s is not in mtc's" % (case, name))
                    continue
                check("variable %s" % name, res["variables"][name], value)
                if not mip and not degenerate:
                    check("reduced cost of %s" % name, res["levers"][name]["reduced_cost"], marginal, 1e-5)
            if len(cols) != len(res["variables"]):
                fails.append("%s: %d variables, glpsol %d" % (case, len(res["variables"]), len(cols)))
            for name, (activity, marginal) in rows.items():
                if name not in res["constraints"]:
                    continue  # glpsol's objective row
                c = res["constraints"][name]
                check("activity of %s" % name, c["value"], activity)
                if not mip and not degenerate:
                    check("shadow price of %s" % name, c["shadow_price"], marginal, 1e-5)
            if mip:
                g2 = subprocess.run(["glpsol", "--math", mod, "--nomip", "-o", sol], capture_output=True, text=True)
                relaxed, _, _ = parse_solution(open(sol).read(), False)
                check("the LP relaxation's bound", res["mip"]["bound"], relaxed)
            elif not degenerate:
                # sensitivity: printed with 5 decimals
                rr, rc = parse_ranges(open(rng).read())
                for name, (st, (lo, hi)) in rc.items():
                    cr = res["levers"][name]["cost_range"]
                    check("cost range of %s (low)" % name, -math.inf if cr[0] is None else cr[0], lo, 1e-5)
                    check("cost range of %s (high)" % name, math.inf if cr[1] is None else cr[1], hi, 1e-5)
                for name, (st, (lo, hi)) in rr.items():
                    if name not in res["constraints"] or st == "BS":
                        continue
                    lr = res["constraints"][name]["limit_range"]
                    if lr is None:
                        fails.append("%s: %s is binding in glpsol (%s) but has no limit_range" % (case, name, st))
                        continue
                    check("limit range of %s (low)" % name, -math.inf if lr[0] is None else lr[0], lo, 1e-5)
                    check("limit range of %s (high)" % name, math.inf if lr[1] is None else lr[1], hi, 1e-5)
            print("%s: %s, objective %s, %d figures checked against glpsol" % (case, status, res["objective"], checks))
    for f in fails:
        print("FAIL " + f)
    print("%d cases against glpsol, %d failures" % (cases, len(fails)))
    sys.exit(1 if fails or cases == 0 else 0)


if __name__ == "__main__":
    main()
