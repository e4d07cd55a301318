#!/bin/sh
# fuzz_replay: every fuzz target over its committed corpus and regression inputs
# (fuzz/README.md). A crash, an abort, a sanitizer report or a hang fails it.
# usage: replay.sh <folder with the fuzz_* executables> <fuzz source folder>
set -e
bin=$1
src=$2
for t in parse csv calendar lsp engines; do
  dirs=
  for d in "$src/corpus/$t" "$src/regressions/$t"; do
    [ -d "$d" ] && dirs="$dirs $d"
  done
  [ -n "$dirs" ] || continue
  log=$(mktemp)
  if ! "$bin/fuzz_$t" $dirs >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz_replay: fuzz_$t failed on the last input named above" >&2
    rm -f "$log"
    exit 1
  fi
  tail -n 1 "$log" | sed "s/^/fuzz_$t: /"
  rm -f "$log"
done
