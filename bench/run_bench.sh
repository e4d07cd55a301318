#!/bin/sh
# Whole-process benchmark of `mtc run` (bench/run_bench.py): the large model
# against its numpy/pandas twin and the interpreter, the CSV reader against
# pandas, the examples cold and warm. Results: docs/performance.md.
#   bench/run_bench.sh [BUILD_DIR] [FORMULAS REGIONS PRODUCTS MONTHS]
set -e
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3  # Debian's, with python3-numpy and python3-pandas
exec "$PY" "$(dirname "$0")/run_bench.py" "$@"
