#!/usr/bin/env python3
"""`mtc sql` executed by SQLite on every model among the examples and the test
models (most read data; those that do not run over their start: period), every value compared with mtc's describe of every metric
(interpreter and JIT): at the model's grain, and by quarter for the models by
month. A model with a construct SQL has no form for (a stock without data)
must be refused with sql-unsupported, and is listed.

usage: sqlite_run.py MTC SOURCE_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sqlcheck  # noqa: E402


def main(engine_factory=sqlcheck.SqliteEngine, label="SQLite"):
    mtc, root = sys.argv[1], sys.argv[2]
    os.environ["MTC_STDLIB"] = os.path.join(root, "stdlib")
    failures, refused, bad_data, values, compared = [], [], [], 0, 0
    for model in sqlcheck.models(root):
        text = open(model).read()

        grains = [None] + (["quarter"] if re.search(r"grain:\s*month", text) else [])
        for grain in grains:
            rc, _, err = sqlcheck.run([mtc, "sql", model] + (["--grain", grain] if grain else []))
            if rc == 1 and "[sql-unsupported]" in err:
                refused.append(os.path.relpath(model, root))
                continue
            engine = engine_factory()
            try:
                values += sqlcheck.check_model(mtc, model, engine, grain=grain)
                compared += 1
            except sqlcheck.DataRefused:
                bad_data.append(os.path.relpath(model, root))  # a fixture of data errors: mtc reads no numbers to compare
            except sqlcheck.Mismatch as e:
                failures.append(str(e))
            finally:
                engine.close()
    print(f"{label}: {compared} queries compared with mtc ({values} values, interpreter and JIT)")
    if bad_data:
        print("data mtc refuses (fixtures of data errors): " + ", ".join(sorted(set(bad_data))))
    if refused:
        print("refused (sql-unsupported): " + ", ".join(sorted(set(refused))))
    for f in failures:
        print(f)
    if failures or compared < 10:
        sys.exit(1)


if __name__ == "__main__":
    main()
