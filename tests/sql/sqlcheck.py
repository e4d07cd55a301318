"""Runs `mtc sql` on a model and compares every value of the query's result,
executed by a real database, with mtc's own evaluation (`mtc run --format json`,
a describe of every metric, with the interpreter and with the JIT).

The model's folder is copied to a temporary folder, where a statement
`describe <every metric>` is appended to the model (with `{ grain: G }` for
--grain); its CSV sources are loaded into tables named after the sources, as
docs/sql.md says: one column per CSV column, an empty cell NULL, a column
whose cells are all numbers REAL (the time and dimension columns stay text).
A sqlite source becomes a table holding its query's result.

Used by tests/sql/sqlite_run.py (examples and test models) and tests/sql/random_models.py
(random models) for SQLite, and by the PostgreSQL test through `Engine`.
"""
import csv
import glob
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile

REL = 1e-9     # relative to the larger of the two values ...
CANCEL = 1e-12  # ... or, where a sum over slices cancels to near zero, to the period's largest value of that metric


# The models the SQL tests run: every example and test model.
def models(root):
    pats = ["examples/*/*.mtree", "tests/data/*.mtree", "tests/stdlib/*_test.mtree", "tests/engines/*/*/model.mtree"]
    out = []
    for p in pats:
        out += sorted(glob.glob(os.path.join(root, p)))
    return out


class Mismatch(Exception):
    pass


class DataRefused(Exception):
    """mtc refuses the model's data (a fixture of data errors): nothing to compare."""


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    return p.returncode, p.stdout, p.stderr


def dump_ir(mtc, model):
    rc, out, err = run([mtc, "check", model, "--dump-ir"])
    if rc != 0:
        raise Mismatch(f"mtc check failed:\n{err}")
    return out


def model_info(mtc, model):
    """Metric names, and sources: (name, kind, path, time column, dimension columns)."""
    ir = dump_ir(mtc, model)
    metrics, sources = [], []
    for line in ir.splitlines():
        m = re.match(r"metric (\w+)", line)
        if m:
            metrics.append(m.group(1))
        m = re.match(r'source (\w+) (\w+) "([^"]*)"(.*)', line)
        if m:
            rest = m.group(4)
            t = re.search(r"time=(\S+)", rest)
            d = re.search(r"dimensions=\[([^\]]*)\]", rest)
            q = re.search(r'query="((?:[^"\\]|\\.)*)"', rest)
            sources.append({
                "name": m.group(1), "kind": m.group(2), "path": m.group(3),
                "time": t.group(1) if t else None,
                "dims": [x.strip() for x in d.group(1).split(",")] if d and d.group(1).strip() else [],
                "query": q.group(1) if q else None,
            })
    return metrics, sources


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def read_csv_table(path, time_col, dim_cols):
    """Header, rows and, per column, whether it holds numbers (REAL)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    numeric = []
    for k, col in enumerate(header):
        cells = [r[k] for r in body if k < len(r) and r[k] != ""]
        numeric.append(col != time_col and col not in dim_cols and bool(cells) and all(is_number(c) for c in cells))
    def cell(k, v):
        if v == "":
            return None
        return float(v) if numeric[k] else v
    data = [[cell(k, r[k] if k < len(r) else "") for k in range(len(header))] for r in body]
    return header, numeric, data


def prepare(mtc, model, tmp, grain=None, only=None):
    """Copies the model's folder into tmp and appends a describe of every metric."""
    src_dir = os.path.dirname(os.path.abspath(model))
    dst_dir = os.path.join(tmp, "m")
    shutil.copytree(src_dir, dst_dir, ignore=shutil.ignore_patterns("*.json", "*.html", "*.out"))
    copy = os.path.join(dst_dir, os.path.basename(model))
    metrics, sources = model_info(mtc, copy)
    names = only or metrics
    with open(copy, "a", encoding="utf-8") as f:
        f.write("\n\ndescribe " + ", ".join(names) + (f" {{ grain: {grain} }}" if grain else "") + "\n")
    return copy, names, sources


def expected_values(mtc, model, jit):
    rc, out, err = run([mtc, "run", model, "--format", "json", "--jit=" + jit])
    if rc == 3 and not out and re.search(r"\[data-(row|value|dimension|file|type)\]", err):
        raise DataRefused(err)
    if rc not in (0, 3) or not out:
        raise Mismatch(f"mtc run failed ({rc}):\n{err}")
    res = json.loads(out)["results"][-1]
    if res.get("kind") != "describe" or "metrics" not in res:
        raise Mismatch(f"the last result is not the describe: {json.dumps(res)[:500]}")
    vals = {}
    for name, m in res["metrics"].items():
        for p, v in zip(m["periods"], m["values"]):
            vals[(name, p, ())] = v
        for s in m.get("slices", []):
            key = tuple(sorted(s["slice"].items()))
            for p, v in zip(m["periods"], s["values"]):
                vals[(name, p, key)] = v
    return vals


def sql_values(cursor_rows, columns):
    """The query's rows as {(metric, period, slice): value}."""
    dims = columns[2:-1]
    vals = {}
    for row in cursor_rows:
        metric, period, value = row[0], row[1], row[-1]
        key = tuple(sorted((d, v) for d, v in zip(dims, row[2:-1]) if v is not None))
        if value is not None and not math.isfinite(value):
            value = None  # mtc's JSON shows infinity as null too
        k = (metric, period, key)
        if k in vals:
            raise Mismatch(f"the query returns {k} twice")
        vals[k] = value
    return vals


def compare(want, got, label):
    # the scale of a metric's values at a period (its slices and total): sums over
    # slices added in another order cancel to other multiples of its rounding error
    scale = {}
    for (metric, period, _), v in want.items():
        if v is not None:
            scale[(metric, period)] = max(scale.get((metric, period), 0.0), abs(v))
    errors = []
    for k in sorted(set(want) | set(got), key=str):
        if k not in got:
            errors.append(f"{k}: mtc {want[k]!r}, no row in SQL")
            continue
        if k not in want:
            errors.append(f"{k}: SQL {got[k]!r}, not in mtc's describe")
            continue
        a, b = want[k], got[k]
        if a is None or b is None:
            if a is not b:
                errors.append(f"{k}: mtc {a!r}, SQL {b!r}")
            continue
        d = abs(a - b)
        if d > REL * max(abs(a), abs(b)) and d > CANCEL * scale.get(k[:2], 0.0) and d > 1e-300:
            errors.append(f"{k}: mtc {a!r}, SQL {b!r} (relative {abs(a - b) / max(abs(a), abs(b)):.3g})")
    if errors:
        raise Mismatch(f"{label}: {len(errors)} of {len(want)} values differ:\n  " + "\n  ".join(errors[:20]))
    return len(want)


class SqliteEngine:
    dialect = "sqlite"

    def __init__(self):
        self.conn = sqlite3.connect(":memory:")

    def load(self, model_dir, sources):
        for s in sources:
            path = os.path.join(model_dir, s["path"])
            if s["kind"] == "csv":
                header, numeric, data = read_csv_table(path, s["time"], s["dims"])
                cols = ", ".join('"%s" %s' % (c.replace('"', '""'), "REAL" if n else "TEXT") for c, n in zip(header, numeric))
                self.conn.execute('CREATE TABLE "%s" (%s)' % (s["name"], cols))
                self.conn.executemany('INSERT INTO "%s" VALUES (%s)' % (s["name"], ", ".join("?" * len(header))), data)
            elif s["kind"] == "sqlite":
                self.conn.execute("ATTACH DATABASE ? AS src", ("file:" + path + "?mode=ro",))
                self.conn.execute('CREATE TABLE "%s" AS %s' % (s["name"], s["query"]))
                self.conn.execute("DETACH DATABASE src")

    def query(self, sql):
        cur = self.conn.execute(sql)
        return cur.fetchall(), [d[0] for d in cur.description]

    def close(self):
        self.conn.close()


def check_model(mtc, model, engine, grain=None, jits=("never", "always")):
    """Compares; returns the number of values compared. Raises Mismatch."""
    with tempfile.TemporaryDirectory() as tmp:
        copy, names, sources = prepare(mtc, model, tmp, grain)
        args = [mtc, "sql", copy, "--dialect", engine.dialect] + (["--grain", grain] if grain else [])
        rc, sql, err = run(args)
        if rc != 0:
            raise Mismatch(f"mtc sql failed ({rc}):\n{err}")
        wants = [(jit, expected_values(mtc, copy, jit)) for jit in jits]  # first: mtc may refuse the data
        engine.load(os.path.dirname(copy), sources)
        try:
            rows, cols = engine.query(sql)
        except Exception as e:  # noqa: BLE001 - the database's own message
            raise Mismatch(f"the query fails in {engine.dialect}: {e}")
        got = sql_values(rows, cols)
        n = 0
        for jit, want in wants:
            n = compare(want, got, f"{os.path.relpath(model)} (--jit={jit}{', grain ' + grain if grain else ''})")
        return n
