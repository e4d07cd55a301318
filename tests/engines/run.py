#!/usr/bin/env python3
"""Engine tests: tests/engines/<engine>/<case>/{model.mtree, data files, expected.json, NOTES.md}.

Every case runs with the JIT (`mtc run --format json --jit=always`) and with the interpreter (`--no-jit`).
Both outputs must validate against docs/json.schema.json, be equal to each other, and match
expected.json:
  - expected.json is a subset of the output: every key it has must be there, with the value
    it gives (objects compared key by key, arrays element by element, same length);
  - numbers agree to a relative 1e-9 (or expected.json's "$tolerance");
  - "$exit" gives the expected exit code (default 0).
NOTES.md says where the expected numbers come from (hand work, a published example, another
tool); a case without one fails.

The examples' JSON (examples/*/*.mtree) is validated against the schema too.

    run.py MTC ROOT [ENGINE]
"""
import json
import math
import os
import subprocess
import sys

import jsonschema


def run(mtc, model, extra):
    env = dict(os.environ, MTC_JIT_CACHE="off", NO_COLOR="1")
    p = subprocess.run([mtc, "run", os.path.basename(model), "--format", "json"] + extra, cwd=os.path.dirname(model),
                       capture_output=True, text=True, env=env, timeout=600)
    try:
        out = json.loads(p.stdout) if p.stdout.strip() else None
    except json.JSONDecodeError as e:
        out = None
        p = subprocess.CompletedProcess(p.args, p.returncode, p.stdout, p.stderr + "\nnot JSON: %s" % e)
    return p, out


def match(want, got, tol, path="$"):
    """Differences between an expected subset and the output."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return ["%s: expected an object, got %r" % (path, got)]
        out = []
        for k, v in want.items():
            if k not in got:
                out.append("%s.%s: missing" % (path, k))
            else:
                out += match(v, got[k], tol, "%s.%s" % (path, k))
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return ["%s: expected %d items, got %s" % (path, len(want), len(got) if isinstance(got, list) else repr(got))]
        out = []
        for i, (a, b) in enumerate(zip(want, got)):
            out += match(a, b, tol, "%s[%d]" % (path, i))
        return out
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return ["%s: expected %r, got %r" % (path, want, got)]
        if math.isclose(want, got, rel_tol=tol, abs_tol=tol * 1e-3):
            return []
        return ["%s: expected %r, got %r" % (path, want, got)]
    return [] if want == got else ["%s: expected %r, got %r" % (path, want, got)]


def invariants(out):
    """What every diagnose result must satisfy, whatever the model: component
    contributions add up to the change, and each level's children to their parent;
    mix + rate (+ volume) to the change of the slices."""
    bad = []

    def close(a, b):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * (1 + abs(b)))

    def walk(cs, total, where):
        if not cs:
            return
        s = sum(c["value"] for c in cs)
        if not close(s, total):
            bad.append("%s: contributions add up to %r, not %r" % (where, s, total))
        for c in cs:
            walk(c.get("children", []), c["value"], where + " > " + c["driver"])

    for i, r in enumerate(out.get("results", [])):
        if r.get("kind") != "diagnose" or r.get("status") != "ok":
            continue
        comp = r["factors"][0]
        walk(comp.get("contributions", []), r["change"], "results[%d] component" % i)
        dim = r["factors"][3]
        if dim.get("mix") is not None and dim.get("rate") is not None:
            parts = dim["mix"] + dim["rate"] + dim.get("volume", 0)
            if not close(parts, r["change"]):
                bad.append("results[%d] dimension: volume + mix + rate = %r, not the change %r" % (i, parts, r["change"]))
    return bad


def main():
    mtc, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    only = sys.argv[3] if len(sys.argv) > 3 else None
    schema = json.load(open(os.path.join(root, "docs", "json.schema.json")))
    validator = jsonschema.Draft7Validator(schema)
    fails, cases = [], 0

    def check_schema(name, out):
        for e in validator.iter_errors(out):
            fails.append("%s: the output breaks docs/json.schema.json at %s: %s" % (
                name, "/".join(str(x) for x in e.absolute_path), e.message))

    base = os.path.join(root, "tests", "engines")
    for engine in sorted(os.listdir(base)):
        if not os.path.isdir(os.path.join(base, engine)) or (only and engine != only):
            continue
        for case in sorted(os.listdir(os.path.join(base, engine))):
            folder = os.path.join(base, engine, case)
            if not os.path.isdir(folder):
                continue
            cases += 1
            name = "%s/%s" % (engine, case)
            notes = os.path.join(folder, "NOTES.md")
            if not os.path.exists(notes) or not open(notes).read().strip():
                fails.append(name + ": NOTES.md must say where the expected numbers come from")
            expected = json.load(open(os.path.join(folder, "expected.json")))
            tol = expected.pop("$tolerance", 1e-9)
            want_exit = expected.pop("$exit", 0)
            outs = []
            for extra, label in ((["--jit=always"], "jit"), (["--no-jit"], "interpreter")):
                p, out = run(mtc, os.path.join(folder, "model.mtree"), extra)
                if p.returncode != want_exit or out is None:
                    fails.append("%s (%s): exit %d (expected %d)\n%s" % (name, label, p.returncode, want_exit, p.stderr))
                    continue
                check_schema("%s (%s)" % (name, label), out)
                for d in invariants(out):
                    fails.append("%s (%s): %s" % (name, label, d))
                for d in match(expected, out, tol):
                    fails.append("%s (%s): %s" % (name, label, d))
                outs.append(out)
            if len(outs) == 2 and outs[0] != outs[1]:
                fails.append(name + ": the JIT and the interpreter give different JSON")
    if not only:
        for ex in sorted(os.listdir(os.path.join(root, "examples"))):
            d = os.path.join(root, "examples", ex)
            for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                if f.endswith(".mtree"):
                    p, out = run(mtc, os.path.join(d, f), [])
                    if out is None:
                        fails.append("examples/%s/%s: no JSON (exit %d)\n%s" % (ex, f, p.returncode, p.stderr))
                    else:
                        check_schema("examples/%s/%s" % (ex, f), out)
                        for d in invariants(out):
                            fails.append("examples/%s/%s: %s" % (ex, f, d))
    for f in fails:
        print("FAIL " + f)
    print("%d engine cases, %d failures" % (cases, len(fails)))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
