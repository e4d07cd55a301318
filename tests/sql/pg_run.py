#!/usr/bin/env python3
"""`mtc sql --dialect postgres` run by a real PostgreSQL 15 server (tests/pg/pgserver.py,
started in a temporary folder): every example and test model, as tests/sql/sqlite_run.py does
for SQLite, then random models as tests/sql/random_models.py does. Every value compared
with mtc's describe. Exits 77 (skipped in CTest, never passed) when no server can start.

usage: pg_run.py MTC SOURCE_DIR MODELGEN [--models N]
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pgcheck  # noqa: E402
import sqlite_run  # noqa: E402


def main():
    mtc, root, modelgen = sys.argv[1], sys.argv[2], sys.argv[3]
    models = sys.argv[sys.argv.index("--models") + 1] if "--models" in sys.argv else "60"
    engine = pgcheck.engine_or_skip()
    sys.argv = [sys.argv[0], mtc, root]
    failed = False
    try:
        sqlite_run.main(engine, "PostgreSQL")
    except SystemExit as e:
        failed = bool(e.code)
    finally:
        pgcheck.stop()
    # the random models in a process of their own, with a server of their own
    r = subprocess.run([sys.executable, os.path.join(HERE, "random_models.py"), mtc, modelgen, "--models", models, "--postgres"])
    if r.returncode == 77:
        sys.exit(77)
    sys.exit(1 if failed or r.returncode else 0)


if __name__ == "__main__":
    main()
