#!/usr/bin/env python3
"""`mtc sql` on the command line: options, exit codes, messages (docs/sql.md).

usage: cli_test.py MTC SOURCE_DIR
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

MTC, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAAS = os.path.join(ROOT, "examples", "saas", "saas.mtree")
failures = []


def run(*args, cwd=None):
    return subprocess.run([MTC, "sql"] + list(args), capture_output=True, text=True, cwd=cwd, env=dict(os.environ, NO_COLOR="1"))


def expect(r, code, needles, label):
    if r.returncode != code:
        failures.append("%s: exit %d, %d expected\n%s" % (label, r.returncode, code, r.stderr))
    for n in needles:
        if n not in r.stderr + r.stdout:
            failures.append("%s: %r not in the output:\n%s" % (label, n, (r.stderr + r.stdout)[:2000]))


# usage errors: exit 2, with the reason
expect(run(SAAS, "--dialect", "oracle"), 2, ["--dialect"], "unknown dialect")
expect(run(SAAS, "--grain", "day"), 2, ["--grain day", "finer than the model's grain (month)"], "finer grain")
expect(run(SAAS, "--grain", "fortnight"), 2, ["a grain is day, week, month, quarter or year"], "unknown grain")
expect(run(SAAS, "--metric", "mrrr"), 2, ["no metric 'mrrr'", "did you mean 'mrr'?"], "unknown metric")
expect(run(SAAS, "--pushdown"), 2, ["the model has no postgres source"], "--pushdown without a postgres source")

# a model with errors: exit 1, its diagnostics
with tempfile.TemporaryDirectory() as tmp:
    bad = os.path.join(tmp, "bad.mtree")
    open(bad, "w").write("model b { grain: month }\nmetric x: count = y\n")
    expect(run(bad), 1, ["unknown name 'y'", "[unknown-name]"], "model errors")
    # a stock without data: a recursive CTE; Spark has none: refused at its formula, no query written
    stock = os.path.join(tmp, "stock.mtree")
    open(stock, "w").write("model s { grain: month  start: 2025-01 }\nmetric new: count = 1\n"
                           "metric active: count = lag(active, 1) + new { initial: 0 }\n")
    r = run(stock, "--dialect", "spark", "-o", os.path.join(tmp, "out.sql"))
    expect(r, 1, ["stock.mtree:3:24", "[sql-unsupported]", "Spark SQL has no recursive CTE"], "stock without data, spark")
    if os.path.exists(os.path.join(tmp, "out.sql")):
        failures.append("a refused model wrote its -o file")
    r = run(stock, "--dialect", "sqlite")
    rows = sqlite3.connect(":memory:").execute(r.stdout).fetchall() if r.returncode == 0 else r.stderr
    if rows != [("active", "2025-01", 1.0), ("new", "2025-01", 1.0)]:
        failures.append("the stock in SQLite: %r" % (rows,))
    # ... but the metrics that do not read it are written: --metric
    r = run(stock, "--metric", "new", "--dialect", "sqlite")
    expect(r, 0, ["'new' AS metric"], "--metric around the stock")
    if "active" in r.stdout.split("WITH", 1)[-1]:
        failures.append("--metric new still computes 'active'")
    rows = sqlite3.connect(":memory:").execute(r.stdout).fetchall()
    if rows != [("new", "2025-01", 1.0)]:
        failures.append("--metric new in SQLite: %r, [('new', '2025-01', 1.0)] expected" % rows)

    # -o writes the file; every metric of the model otherwise, and only the named ones with --metric
    out = os.path.join(tmp, "saas.sql")
    expect(run(SAAS, "--dialect", "sqlite", "-o", out), 0, [], "-o")
    text = open(out).read()
    if not text.startswith("-- mtc sql: model saas, dialect sqlite, grain month"):
        failures.append("-o: the file does not start with the header comment: %r" % text[:80])
    r = run(SAAS, "--metric", "arr", "--metric", "nrr")
    final = r.stdout[r.stdout.rindex("\n)\n"):]
    if set(l.split("'")[1] for l in final.splitlines() if l.startswith("SELECT '")) != {"arr", "nrr"}:
        failures.append("--metric arr --metric nrr: the final SELECT reports %s" % final[:500])

    # a dimension named like an output column is renamed, not duplicated
    clash = os.path.join(tmp, "clash.mtree")
    open(clash, "w").write('model c { grain: month }\ndimension period { a, b }\nsource s = csv("c.csv") { time: month  dimensions: period }\n'
                           "metric x: count by period { data: s.x }\n")
    open(os.path.join(tmp, "c.csv"), "w").write("month,period,x\n2025-01,a,1\n2025-01,b,2\n")
    r = run(clash, "--dialect", "sqlite")
    expect(r, 0, ['AS "dim_period"'], "a dimension named period")
    con = sqlite3.connect(":memory:")
    con.execute('create table s (month text, period text, x real)')
    con.executemany("insert into s values (?, ?, ?)", [("2025-01", "a", 1.0), ("2025-01", "b", 2.0)])
    got = con.execute(r.stdout).fetchall()
    if got != [("x", "2025-01", None, 3.0), ("x", "2025-01", "a", 1.0), ("x", "2025-01", "b", 2.0)]:
        failures.append("a dimension named period: %r" % got)

for f in failures:
    print("FAIL " + f)
print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
