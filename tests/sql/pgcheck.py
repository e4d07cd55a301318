"""PostgreSQL for the SQL agreement tests: one throw-away server
(tests/pg/pgserver.py) for the whole run, a model's sources loaded into it as
tables (as sqlcheck.SqliteEngine does for SQLite), the query's result read
back with COPY ... TO STDOUT (CSV: an unquoted empty field is NULL; float8
prints the shortest text that reads back as the same double).
"""
import csv
import os
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import pgserver  # noqa: E402

import sqlcheck  # noqa: E402

_server = None


def server():
    global _server
    if _server is None:
        _server = pgserver.PgServer().start()
    return _server


def stop():
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def engine_or_skip():
    """The engine class, or exit 77 (skipped in CTest) when no server can start."""
    try:
        server()
    except pgserver.Unavailable as e:
        print("SKIPPED: PostgreSQL cannot start here:", e)
        sys.exit(pgserver.SKIP)
    import atexit
    atexit.register(stop)
    return PgEngine


def q(name):
    return '"' + name.replace('"', '""') + '"'


class PgEngine:
    dialect = "postgres"

    def __init__(self):
        self.pg = server()
        self.tables = []

    def _table(self, name, header, numeric, rows):
        self.pg.psql("DROP TABLE IF EXISTS %s; CREATE TABLE %s (%s);" % (
            q(name), q(name), ", ".join("%s %s" % (q(c), "DOUBLE PRECISION" if n else "TEXT") for c, n in zip(header, numeric))))
        self.tables.append(name)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
            w = csv.writer(f)
            for r in rows:
                w.writerow(["" if v is None else (repr(v) if isinstance(v, float) else v) for v in r])
            path = f.name
        try:
            os.chmod(path, 0o644)
            self.pg.copy_in(q(name), path, options="format csv")
        finally:
            os.remove(path)

    def load(self, model_dir, sources):
        for s in sources:
            path = os.path.join(model_dir, s["path"])
            if s["kind"] == "csv":
                header, numeric, data = sqlcheck.read_csv_table(path, s["time"], s["dims"])
                self._table(s["name"], header, numeric, data)
            elif s["kind"] == "sqlite":
                con = sqlite3.connect("file:" + path + "?mode=ro", uri=True)
                cur = con.execute(s["query"])
                header = [d[0] for d in cur.description]
                rows = cur.fetchall()
                con.close()
                numeric = [all(isinstance(r[k], (int, float)) or r[k] is None for r in rows) and header[k] != s["time"]
                           and header[k] not in s["dims"] for k in range(len(header))]
                self._table(s["name"], header, numeric, [[float(v) if n and v is not None else v for v, n in zip(r, numeric)] for r in rows])

    def query(self, sql):
        body = sql.strip().rstrip(";")
        # jit off, as docs/sql.md advises: the planner's row estimates for the CTEs
        # compound, and its JIT compiles thousands of functions for a query that
        # takes milliseconds (the saas example: 16 s of JIT for 0.1 s of work)
        out = self.pg.psql("SET jit = off; COPY (%s) TO STDOUT WITH (FORMAT csv, HEADER true)" % body)
        # psql -A -t passes COPY's CSV through: an unquoted empty field is NULL, "" an empty string
        lines = out.splitlines()
        header = [v for v, _ in _fields(lines[0])]
        parsed = []
        for line in lines[1:]:
            fields = _fields(line)
            vals = []
            for k, (v, quoted) in enumerate(fields):
                if v == "" and not quoted:
                    vals.append(None)
                elif k == len(fields) - 1:
                    vals.append(float(v))
                else:
                    vals.append(v)
            parsed.append(vals)
        return parsed, header

    def close(self):
        if self.tables:
            self.pg.psql("".join("DROP TABLE IF EXISTS %s;" % q(t) for t in self.tables))
        self.tables = []


def _fields(line):
    """A CSV line's fields with whether each was quoted (COPY writes no newline inside these fields)."""
    out, k = [], 0
    while True:
        if k < len(line) and line[k] == '"':
            k += 1
            s = ""
            while True:
                j = line.index('"', k)
                s += line[k:j]
                if j + 1 < len(line) and line[j + 1] == '"':
                    s += '"'
                    k = j + 2
                    continue
                k = j + 1
                break
            out.append((s, True))
        else:
            j = line.find(",", k)
            j = len(line) if j < 0 else j
            out.append((line[k:j], False))
            k = j
        if k >= len(line):
            break
        k += 1  # the comma
        if k == len(line):
            out.append(("", False))
            break
    return out
