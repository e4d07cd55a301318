#!/bin/sh
# Benchmark: `mtc check` on generated models of 1,000 and 10,000 metrics.
# Prints the wall time of each (best of 3) and the ratio 10k / 1k (linear scaling
# gives 10). usage: bench/check_bench.sh [path/to/mtc]
set -e
MTC=${1:-build/cli/mtc}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
HERE=$(dirname "$0")
best() {  # best wall time of 3 runs, in seconds
  b=""
  for i in 1 2 3; do
    s=$(date +%s.%N); "$MTC" check --allow unused-leading "$1" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
python3 "$HERE/gen_model.py" 1000 "$DIR/m1k.mtree"
python3 "$HERE/gen_model.py" 10000 "$DIR/m10k.mtree"
"$MTC" check "$DIR/m10k.mtree" >/dev/null 2>&1 || { echo "the generated model does not check:"; "$MTC" check "$DIR/m10k.mtree" 2>&1 | head; exit 1; }
t1=$(best "$DIR/m1k.mtree")
t10=$(best "$DIR/m10k.mtree")
printf 'check 1,000 metrics:  %.3f s\n' "$t1"
printf 'check 10,000 metrics: %.3f s  (%s lines)\n' "$t10" "$(wc -l <"$DIR/m10k.mtree")"
printf 'ratio 10k / 1k: %.1f (linear = 10)\n' "$(echo "$t10 / $t1" | bc -l)"
