#!/usr/bin/env python3
"""postgres sources against a real PostgreSQL 15 server (tests/pg/pgserver.py).

usage: run.py MTC ROOT

1. The examples' data (examples/*/data/history.csv, with two cells blanked so that
   missing values are exercised) is loaded into PostgreSQL (a date column, integer
   and numeric columns) and into SQLite. `mtc run --only describe --format json`
   must give the same numbers (relative 1e-12) from the CSV, from SQLite and from
   PostgreSQL read five ways: the table by name; a SELECT with the values cast to
   float8 and the month as text; the month as timestamptz with `grain: month`;
   as a timestamp at 13:00; and with a role whose default TimeZone is not UTC.
   Each with the JIT (--jit=always) and with --no-jit.
2. The rules of docs/runtime.md, by hand: NULL is missing (never 0), a
   timestamptz's day is taken in UTC, `grain:` maps a date to its period,
   statement_timeout (300 s, or --timeout) and the read-only transaction are set.
3. Failures: an unset variable (check: a warning; run: a located error, exit 3), a
   wrong password, no server, an unparsable connection string (the connection
   string and the password never printed), a column of the wrong type, a query
   error pointing at its column, a writing query refused (and the table intact),
   a literal connection string in the model (exit 1, not printed).

Exits 77 (CTest: skipped) when the server cannot be started here.
"""
import csv
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgserver import PASSWORD, SKIP, PgServer, Unavailable  # noqa: E402

MTC, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ENV = "MTC_PG_URL"
failures = []
stats = {"runs": 0, "numbers": 0, "max_rel": 0.0}


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)


def mtc(args, cwd, env_url=None, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k != ENV}
    env.update(NO_COLOR="1", MTC_JIT_CACHE="off")
    if env_url is not None:
        env[ENV] = env_url
    env.update(extra_env or {})
    stats["runs"] += 1
    return subprocess.run([MTC] + args, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


# ---------------------------------------------------------------- the examples


def source_block(model_text):
    m = re.search(r'source history = csv\("data/history.csv"\) \{\n  time: (\w+)\n  dimensions: ([\w, ]+)\n\}', model_text)
    assert m, "the example's source block changed"
    return m, m.group(1), [d.strip() for d in m.group(2).split(",")]


def with_source(model_text, call, grain=None):
    m, time_col, dims = source_block(model_text)
    block = 'source history = %s {\n  time: %s\n  dimensions: %s\n%s}' % (
        call, time_col, ", ".join(dims), "  grain: %s\n" % grain if grain else "")
    return model_text[:m.start()] + block + model_text[m.end():]


def is_int(s):
    return re.fullmatch(r"-?\d+", s) is not None


def numbers_close(a, b, where):
    """Same JSON shape; numbers within 1e-12 relative (exactly equal when zero); the rest equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return fail("%s: keys %s != %s" % (where, sorted(a), sorted(b)))
        for k in a:
            numbers_close(a[k], b[k], where + "." + k)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return fail("%s: %d items != %d" % (where, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            numbers_close(x, y, "%s[%d]" % (where, i))
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        stats["numbers"] += 1
        scale = max(abs(a), abs(b))
        rel = 0.0 if a == b else abs(a - b) / scale
        stats["max_rel"] = max(stats["max_rel"], rel)
        if rel > 1e-12:
            fail("%s: %r != %r (relative %.3g)" % (where, a, b, rel))
    elif a != b:
        fail("%s: %r != %r" % (where, a, b))


def count_nulls(x):
    if isinstance(x, dict):
        return sum(count_nulls(v) for k, v in x.items() if k == "values" or isinstance(v, (dict, list)))
    if isinstance(x, list):
        return sum(1 for v in x if v is None) + sum(count_nulls(v) for v in x if isinstance(v, (dict, list)))
    return 0


def example(pg, name, work):
    src_model = os.path.join(ROOT, "examples", name, name + ".mtree")
    text = open(src_model, encoding="utf-8").read()
    _, time_col, dims = source_block(text)
    rows = list(csv.reader(open(os.path.join(ROOT, "examples", name, "data", "history.csv"), encoding="utf-8")))
    header, body = rows[0], rows[1:]
    values = [c for c in header if c != time_col and c not in dims]
    # two blanked cells, inside the described years: missing values, never zero
    blanks = [(len(body) // 2, values[0]), (len(body) * 3 // 4, values[1])]
    for r, col in blanks:
        body[r][header.index(col)] = ""
    proj = os.path.join(work, name)
    os.makedirs(os.path.join(proj, "data"))
    data_csv = os.path.join(proj, "data", "history.csv")
    with open(data_csv, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([header] + body)

    # SQLite: text periods and dimensions, REAL values (NULL when blank)
    db = sqlite3.connect(os.path.join(proj, "data", "history.db"))
    db.execute("create table history (%s)" % ", ".join('"%s" %s' % (c, "real" if c in values else "text") for c in header))
    db.executemany("insert into history values (%s)" % ",".join("?" * len(header)),
                   [[(float(v) if v != "" else None) if c in values else v for c, v in zip(header, row)] for row in body])
    db.commit()
    db.close()

    # PostgreSQL: the CSV into a text table (rn keeps the file's order), then typed:
    # the period a date (its first day), whole-number columns integer, the others numeric
    table = name + "_history"
    typed = {c: ("integer" if all(is_int(r[header.index(c)]) for r in body if r[header.index(c)] != "") else "numeric")
             for c in values}
    pg.psql("create table %s_raw (rn bigserial, %s);" % (name, ", ".join('"%s" text' % c for c in header)))
    pg.copy_in("%s_raw(%s)" % (name, ", ".join('"%s"' % c for c in header)), data_csv)
    cols = ['rn', "to_date(\"%s\" || '-01', 'YYYY-MM-DD') as \"%s\"" % (time_col, time_col)]
    cols += ['"%s"' % d for d in dims]
    cols += ["nullif(\"%s\", '')::%s as \"%s\"" % (c, typed[c], c) for c in values]
    pg.psql("create table %s as select %s from %s_raw order by rn;" % (table, ", ".join(cols), name))
    nulls = int(pg.psql('select count(*) from %s where %s' % (table, " or ".join('"%s" is null' % c for c, _ in [(b[1], 0) for b in blanks]))))
    if nulls != 2:
        fail("%s: %d NULL rows in PostgreSQL, 2 expected" % (name, nulls))

    def select(time_expr, value_cast=""):
        return "select %s as %s, %s, %s from %s order by rn" % (
            time_expr, time_col, ", ".join(dims), ", ".join("%s%s as %s" % (c, value_cast, c) for c in values), table)

    variants = {
        "csv": with_source(text, 'csv("data/history.csv")'),
        "sqlite": with_source(text, 'sqlite("data/history.db", "select * from history")'),
        "pg table": with_source(text, 'postgres(env("%s"), "%s")' % (ENV, table)),
        "pg float8, text month": with_source(text, 'postgres(env("%s"), "%s")' % (ENV, select("to_char(%s, 'YYYY-MM')" % time_col, "::float8"))),
        "pg timestamptz, grain month": with_source(text, 'postgres(env("%s"), "%s")' % (ENV, select("%s::timestamptz" % time_col)), "month"),
        "pg timestamp 13:00": with_source(text, 'postgres(env("%s"), "%s")' % (ENV, select("%s + time '13:00'" % time_col))),
    }
    outputs = {}
    for label, model in variants.items():
        path = os.path.join(proj, label.replace(" ", "_").replace(",", "").replace(":", "") + ".mtree")
        with open(path, "w", encoding="utf-8") as f:
            f.write(model)
        for jit in ("--jit=always", "--no-jit"):
            url = pg.url()
            extra = {}
            if label == "pg timestamptz, grain month" and jit == "--no-jit":
                # a role whose sessions default to Tokyo time: mtc's UTC must win
                url = pg.url(user="tokyo", password="tokyo-pw-1")
            r = mtc(["run", os.path.basename(path), "--only", "describe", "--format", "json", jit], proj, url, extra)
            if r.returncode != 0:
                fail("%s %s %s: exit %d\n%s" % (name, label, jit, r.returncode, r.stderr))
                continue
            if r.stderr.strip():
                fail("%s %s %s: unexpected diagnostics\n%s" % (name, label, jit, r.stderr))
            outputs[(label, jit)] = json.loads(r.stdout)
    ref = outputs.get(("csv", "--jit=always"))
    if ref is None:
        return fail("%s: no CSV result to compare with" % name)
    # the blanked cells show as gaps (null), not as zeros: more nulls than the original data gives
    r = mtc(["run", name + ".mtree", "--only", "describe", "--format", "json", "--no-jit"], os.path.join(ROOT, "examples", name))
    if r.returncode == 0 and count_nulls(ref) <= count_nulls(json.loads(r.stdout)):
        fail("%s: the blanked cells do not show as missing values" % name)
    for key, out in outputs.items():
        if key != ("csv", "--jit=always"):
            numbers_close(out, ref, "%s %s %s" % (name, key[0], key[1]))
    print("%s: %d variants x 2 engines agree with the CSV" % (name, len(variants)))


# ---------------------------------------------------------------- the rules, by hand

HEAD = 'model shop { grain: month }\ndimension channel { web, store }\n'


def write(folder, text, name="model.mtree"):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        f.write(text)
    return name


def describe_values(r, metric):
    out = json.loads(r.stdout)
    m = out["results"][0]["metrics"][metric]
    return dict(zip(m["periods"], m["values"]))


def rules(pg, work):
    folder = os.path.join(work, "rules")
    os.makedirs(folder)
    pg.psql("""
create table sales (day timestamptz, channel varchar(10), orders bigint, amount real);
insert into sales values
  ('2025-01-10 12:00+00', 'web', 10, 1.5), ('2025-01-10 12:00+00', 'store', 4, 0.25),
  ('2025-02-01 00:30+02', 'web', 7, null),          -- 2025-01-31 22:30 UTC: January
  ('2025-02-14 09:00+00', 'web', 20, 2), ('2025-02-14 09:00+00', 'store', null, 4),
  ('2025-03-03 00:00+00', 'web', 5, 8), ('2025-03-03 00:00+00', 'store', 6, 16);
""")
    model = HEAD + (
        'source dw = postgres(env("%s"), "select day, channel, orders, amount from sales") { time: day  dimensions: channel }\n'
        'metric orders: count by channel { data: dw.orders  role: north_star }\n'
        'metric amount: count by channel { data: dw.amount }\n'
        'describe orders, amount\n') % ENV
    write(folder, model)
    for jit in ("--jit=always", "--no-jit"):
        r = mtc(["run", "model.mtree", "--format", "json", jit], folder, pg.url())
        if r.returncode != 0:
            fail("rules %s: exit %d\n%s" % (jit, r.returncode, r.stderr))
            continue
        orders, amount = describe_values(r, "orders"), json.loads(r.stdout)["results"][0]["metrics"]["amount"]
        # January: 10 + 4 + 7 (the +02 row is in January in UTC); February: store's NULL -> missing total
        want = {"2025-01": 21.0, "2025-02": None, "2025-03": 11.0}
        if orders != want:
            fail("rules %s: orders %s, expected %s" % (jit, orders, want))
        # amount (real): January web 1.5 + NULL -> missing; store 0.25; the total is missing
        a = dict(zip(amount["periods"], amount["values"]))
        if a != {"2025-01": None, "2025-02": 6.0, "2025-03": 24.0}:
            fail("rules %s: amount %s" % (jit, a))

    # grain: week maps each day to its ISO week (model at month: weeks roll up by their Thursday)
    pg.psql("create table weekly (d date, v numeric);"
            "insert into weekly values ('2025-01-27', 1), ('2025-01-29', 2), ('2025-02-03', 4);")
    write(folder, 'model w { grain: week }\nsource dw = postgres(env("%s"), "weekly") { time: d  grain: week }\n'
          'metric v: count { data: dw.v  role: north_star  agg: sum }\ndescribe v\n' % ENV, "weekly.mtree")
    r = mtc(["run", "weekly.mtree", "--format", "json", "--no-jit"], folder, pg.url())
    if r.returncode != 3 or "duplicate row for 2025-W05" not in r.stderr or "weekly.mtree:2:" not in r.stderr:
        fail("grain week: two dates of one week must be a duplicate row, located in the model\n" + r.stderr)

    # a LATIN1 database: text arrives as UTF-8 (client_encoding), a dimension's values from the data
    pg.psql("create database latin template template0 encoding 'LATIN1' lc_collate 'C' lc_ctype 'C';")
    pg.psql("set client_encoding = 'UTF8'; create table t (month text, region text, v int);"
            "insert into t values ('2025-01', 'zürich', 1), ('2025-01', 'genève', 2);", dbname="latin")
    write(folder, 'model l { grain: month }\ndimension region from dw.region\n'
          'source dw = postgres(env("%s"), "select * from t order by v") { time: month  dimensions: region }\n'
          'metric v: count by region { data: dw.v  role: north_star }\ndescribe v\n' % ENV, "latin.mtree")
    r = mtc(["run", "latin.mtree", "--format", "json", "--no-jit"], folder, pg.url(dbname="latin"))
    slices = [x["slice"]["region"] for x in json.loads(r.stdout)["results"][0]["metrics"]["v"]["slices"]] if r.returncode == 0 else r.stderr
    if slices != ["zürich", "genève"]:
        fail("LATIN1 database: slices %r" % (slices,))

    # statement_timeout, read-only and TimeZone as the query sees them
    probe = ("select date '2025-01-01' as month, "
             "extract(epoch from current_setting('statement_timeout')::interval) as timeout, "
             "(current_setting('transaction_read_only') = 'on')::int as readonly, "
             "(current_setting('TimeZone') = 'UTC')::int as utc")
    write(folder, 'model p { grain: month }\nsource s = postgres(env("%s"), "%s") { time: month }\n'
          'metric timeout: count { data: s.timeout  role: north_star }\nmetric readonly: count { data: s.readonly }\n'
          'metric utc: count { data: s.utc }\ndescribe timeout, readonly, utc\n' % (ENV, probe), "probe.mtree")
    for extra, want in (([], 300.0), (["--timeout", "45"], 45.0)):
        r = mtc(["run", "probe.mtree", "--format", "json", "--no-jit"] + extra, folder, pg.url(user="tokyo", password="tokyo-pw-1"))
        if r.returncode != 0:
            fail("probe %s: exit %d\n%s" % (extra, r.returncode, r.stderr))
            continue
        got = {k: describe_values(r, k)["2025-01"] for k in ("timeout", "readonly", "utc")}
        if got != {"timeout": want, "readonly": 1.0, "utc": 1.0}:
            fail("probe %s: %s" % (extra, got))
    print("rules: NULL, UTC, grain, encoding, timeout, read-only checked")


# ---------------------------------------------------------------- failures


def expect(r, code, needles, label, secrets=()):
    stats["cases"] = stats.get("cases", 0) + 1
    out = r.stdout + r.stderr
    if r.returncode != code:
        fail("%s: exit %d, expected %d\n%s" % (label, r.returncode, code, out))
    for n in needles:
        if n not in out:
            fail("%s: %r not in the output\n%s" % (label, n, out))
    for s in secrets:
        if s in out:
            fail("%s: a secret is printed: %r\n%s" % (label, s, out))


def failures_(pg, work):
    folder = os.path.join(work, "failures")
    os.makedirs(folder)
    model = HEAD + (
        'source dw = postgres(env("%s"), "%s") { time: month  dimensions: channel }\n'
        'metric orders: count by channel { data: dw.orders  role: north_star }\n'
        'describe orders\n')
    pg.psql("create table shop (month date, channel text, orders numeric, note text);"
            "insert into shop values ('2025-01-01', 'web', 1, 'x'), ('2025-01-01', 'store', 2, 'y');")
    ok_query = "shop"
    write(folder, model % (ENV, ok_query))
    # the variable: check warns (exit 0), run fails at the env(...) (exit 3)
    r = mtc(["check", "model.mtree"], folder)
    expect(r, 0, ["model.mtree:3:22: warning: environment variable %s is not set" % ENV, "[env-unset]"], "check, unset")
    r = mtc(["check", "model.mtree"], folder, pg.url())
    expect(r, 0, [], "check, set")
    if "env-unset" in r.stderr:
        fail("check, set: still warns\n" + r.stderr)
    r = mtc(["run", "model.mtree"], folder)
    expect(r, 3, ["model.mtree:3:22: error: source 'dw': environment variable %s is not set" % ENV, "[data-file]"], "run, unset")
    if "env-unset" in r.stderr:
        fail("run, unset: the check's warning repeats the error\n" + r.stderr)
    r = mtc(["run", "model.mtree"], folder, "")
    expect(r, 3, ["environment variable %s is empty" % ENV], "run, empty")

    # connections that fail, with the password in the string: never printed
    bad_pw = "Wr0ng-pass-77xq"
    url = pg.url(password=bad_pw)
    r = mtc(["run", "model.mtree"], folder, url)
    expect(r, 3, ["model.mtree:3:22: error: source 'dw': cannot connect to PostgreSQL with %s" % ENV,
                  "password authentication failed"], "wrong password", [bad_pw, url])
    url = pg.url(port=1)
    r = mtc(["run", "model.mtree"], folder, url)
    expect(r, 3, ["cannot connect to PostgreSQL", "Connection refused"], "no server", [PASSWORD, url])
    url = "host=127.0.0.1 port=%d user=mtc password=%s sslmode=bogus" % (pg.port, PASSWORD)
    r = mtc(["run", "model.mtree"], folder, url)
    expect(r, 3, ["cannot connect to PostgreSQL"], "bad option", [PASSWORD, url])
    url = "host=127.0.0.1 password=%s dbname" % PASSWORD
    r = mtc(["run", "model.mtree"], folder, url)
    expect(r, 3, ["the connection string in %s is not valid" % ENV], "unparsable", [PASSWORD, url])
    url = "postgresql://mtc:%s@127.0.0.1:%d/nosuchdb" % (PASSWORD.replace("-", "%2D"), pg.port)
    r = mtc(["run", "model.mtree"], folder, url)
    expect(r, 3, ['database "nosuchdb" does not exist'], "no database, percent-encoded password",
           [PASSWORD, PASSWORD.replace("-", "%2D"), url])

    # a column of the wrong type, located at the query
    write(folder, model % (ENV, "select month, channel, note as orders from shop"))
    r = mtc(["run", "model.mtree"], folder, pg.url())
    # the whole message, as docs/diagnostics.md shows it (data-type)
    expect(r, 3, ["model.mtree:3:41: error: source 'dw': the column is text, but data of metric 'orders' needs numbers "
                  "(smallint, integer, bigint, real, double precision or numeric); cast it in the query, e.g. orders::numeric "
                  "(column 'orders') [data-type]\n"], "bad type")
    write(folder, model % (ENV, "select 42 as month, channel, orders from shop"))
    r = mtc(["run", "model.mtree"], folder, pg.url())
    expect(r, 3, ["the column is integer, but the source's time column needs a date", "[data-type]"], "bad time type")
    # a query error, at its column
    write(folder, model % (ENV, "select month, channel, nosuch from shop"))
    r = mtc(["run", "model.mtree"], folder, pg.url())
    expect(r, 3, ["model.mtree:3:65: error: source 'dw': the query fails: column \"nosuch\" does not exist", "[data-file]"],
           "query error")
    # an error after some rows were streamed
    write(folder, model % (ENV, "select month, channel, orders / (orders - 2) as orders from shop"))  # rows in insertion order
    r = mtc(["run", "model.mtree"], folder, pg.url())
    expect(r, 3, ["model.mtree:3:41: error: source 'dw': reading the query's rows failed after 1 row: division by zero"],
           "error mid-stream")
    # a writing query: refused by the checker when it says so, by the server when it hides it
    write(folder, model % (ENV, "delete from shop"))
    r = mtc(["run", "model.mtree"], folder, pg.url())
    expect(r, 1, ["a postgres source's query is a table name or a SELECT", "[invalid-call]"], "delete")
    write(folder, model % (ENV, "with d as (delete from shop returning *) select * from d"))
    r = mtc(["run", "model.mtree"], folder, pg.url())
    expect(r, 3, ["read-only transaction"], "delete in a CTE")
    write(folder, model % (ENV, "select month, channel, nextval('shop_seq')::int as orders from shop"))
    pg.psql("create sequence shop_seq;")
    r = mtc(["run", "model.mtree"], folder, pg.url())
    expect(r, 3, ["cannot execute nextval() in a read-only transaction"], "nextval")
    left = pg.psql("select count(*) || ' ' || (select last_value from shop_seq) || ' ' || (select is_called from shop_seq) from shop").strip()
    if left != "2 1 false":
        fail("the writing queries changed the database: %s" % left)
    # a literal connection string: refused, and neither it nor its line is printed
    secret = "postgresql://mtc:%s@127.0.0.1/postgres" % PASSWORD
    write(folder, HEAD + 'source dw = postgres("%s", "shop") { time: month }\n' % secret)
    r = mtc(["check", "model.mtree"], folder)
    expect(r, 1, ["model.mtree:3:22: error: a postgres source's connection string comes from the environment"], "literal",
           [PASSWORD, secret])
    print("failures: %d cases checked" % stats["cases"])


def main():
    t0 = time.time()
    try:
        pg = PgServer().start()
    except Unavailable as e:
        print("SKIPPED: cannot start a PostgreSQL server: %s" % e)
        return SKIP
    work = tempfile.mkdtemp(prefix="mtc-pgtest-")
    try:
        started = time.time() - t0
        pg.psql("create role tokyo login password 'tokyo-pw-1'; alter role tokyo set timezone = 'Asia/Tokyo';"
                "grant pg_read_all_data to tokyo;")
        for name in ("chiro", "saas"):
            example(pg, name, work)
        loaded = time.time() - t0
        rules(pg, work)
        failures_(pg, work)
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("server start %.2f s; examples loaded and compared by %.2f s; all %.2f s; %d mtc runs; "
          "%d numbers compared, largest relative difference %.3g" % (
              started, loaded, time.time() - t0, stats["runs"], stats["numbers"], stats["max_rel"]))
    if failures:
        print("%d failures" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
