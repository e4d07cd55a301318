#!/usr/bin/env python3
"""`mtc sql` in every dialect parses with sqlglot (Debian python3-sqlglot).

DuckDB, Trino, Spark and BigQuery cannot run here, so their SQL is
parse-checked only (docs/sql.md says so); PostgreSQL and SQLite are executed
by the other tests and parsed here too. For every model with data among the
examples and test models (and at a coarser grain for those by month), and for
every dialect, the query must parse in that dialect as one statement: a WITH
of as many CTEs as the text defines, whose final SELECT has metric, period, the dimensions
and value.

usage: dialects.py MTC SOURCE_DIR
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sqlcheck  # noqa: E402

try:
    import sqlglot
    from sqlglot import exp
except ImportError:
    print("sqlglot is not installed (Debian: apt-get install python3-sqlglot)")
    sys.exit(77)

DIALECTS = ["postgres", "sqlite", "duckdb", "trino", "spark", "bigquery"]
# Functions sqlglot does not know as such (it reads them as anonymous calls):
# those every dialect has, and those of one dialect only. Another one in a
# dialect's query is a function of the wrong dialect.
COMMON = {"LAG", "LEAD", "NULLIF", "SUBSTR", "ROW_NUMBER", "LN", "EXP", "SQRT", "POWER", "SIGN", "ABS", "FLOOR", "LEAST", "GREATEST"}
ONLY = {
    "postgres": {"GENERATE_SERIES"},
    "sqlite": set(),
    "duckdb": {"GENERATE_SERIES", "UNNEST"},
    "trino": {"SEQUENCE", "INFINITY"},
    "spark": {"SEQUENCE", "EXPLODE"},
    "bigquery": {"GENERATE_ARRAY", "MOD", "DIV"},
}


def outside_strings(sql):
    """The text without string literals and comments."""
    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"'(?:[^'\\]|\\.|'')*'", "''", sql)


def main():
    mtc, root = sys.argv[1], sys.argv[2]
    env = dict(os.environ, MTC_STDLIB=os.path.join(root, "stdlib"))
    checked, skipped, failures = 0, 0, []
    for model in sqlcheck.models(root):
        text = open(model).read()
        grains = [None] + (["quarter"] if re.search(r"grain:\s*month", text) else [])
        for grain in grains:
            for d in DIALECTS:
                cmd = [mtc, "sql", model, "--dialect", d] + (["--grain", grain] if grain else [])
                p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                if p.returncode == 1 and "[sql-unsupported]" in p.stderr:
                    skipped += 1  # a construct SQL has no form for (a stock without data): refused, as it must be
                    continue
                if p.returncode != 0:
                    failures.append(f"{model} {d}: mtc sql exited {p.returncode}:\n{p.stderr}")
                    continue
                sql = p.stdout
                ctes = len(re.findall(r"^\w+(?:\([^)]*\))? AS (?:MATERIALIZED )?\($", sql, flags=re.M))
                if d == "postgres":  # PostgreSQL 12's `AS MATERIALIZED (`, which sqlglot 10.6 does not know
                    sql = re.sub(r"^(\w+ AS )MATERIALIZED \($", r"\1(", sql, flags=re.M)
                try:
                    trees = sqlglot.parse(sql, read=d)
                except Exception as e:  # noqa: BLE001 - sqlglot's message
                    failures.append(f"{model} {d}{' ' + grain if grain else ''}: {str(e)[:800]}")
                    continue
                trees = [t for t in trees if t is not None]
                if len(trees) != 1:
                    failures.append(f"{model} {d}: {len(trees)} statements")
                    continue
                t = trees[0]
                with_ = t.args.get("with")
                n = len(with_.expressions) if with_ else 0
                if n != ctes or n == 0:
                    failures.append(f"{model} {d}: sqlglot read {n} CTEs, the text has {ctes}")
                    continue
                first = t
                while isinstance(first, exp.Union):
                    first = first.this
                if not isinstance(first, exp.Select) or len(first.expressions) < 3:
                    failures.append(f"{model} {d}: the final SELECT has {len(first.expressions) if isinstance(first, exp.Select) else '?'} columns")
                    continue
                anon = {a.name.upper() for a in t.find_all(exp.Anonymous)} - COMMON - ONLY[d]
                if anon:
                    failures.append(f"{model} {d}: functions of another dialect: {sorted(anon)}")
                    continue
                bare = outside_strings(sql)
                wrong_quote = '"' if d in ("spark", "bigquery") else "`"
                if wrong_quote in bare:
                    failures.append(f"{model} {d}: an identifier quoted with {wrong_quote}")
                    continue
                checked += 1
    print(f"{checked} queries parsed by sqlglot {sqlglot.__version__} in {len(DIALECTS)} dialects; {skipped} refused (sql-unsupported)")
    for f in failures[:10]:
        print(f)
    if failures:
        print(f"{len(failures)} failures")
        sys.exit(1)


if __name__ == "__main__":
    main()
