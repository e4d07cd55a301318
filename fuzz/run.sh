#!/bin/sh
# One fuzzing run (fuzz/README.md): fuzz/run.sh <target> [seconds]
# Runs afl-fuzz niced, one at a time, on build-fuzz/fuzz/fuzz_<target>, seeded from
# fuzz/corpus/<target> (or $SEEDS), findings in build-fuzz/out/<target>.
set -e
cd "$(dirname "$0")/.."
t=$1
secs=${2:-600}
seeds=${SEEDS:-fuzz/corpus/$t}
case $t in
  parse) dict="-x fuzz/mtree.dict" ;;
  lsp) dict="-x fuzz/lsp.dict -x fuzz/mtree.dict" ;;
  csv) dict="-x fuzz/csv.dict" ;;
  *) dict= ;;
esac
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
rm -rf "build-fuzz/out/$t"
exec nice -n 10 afl-fuzz -i "$seeds" -o "build-fuzz/out/$t" $dict -m 4096 -V "$secs" -- "build-fuzz/fuzz/fuzz_$t"
