#!/bin/sh
# CLI tests: exit codes, golden `check --dump-ir` of the examples, malformed input.
# usage: run.sh path/to/mtc SOURCE_DIR
set -u
MTC=$1
SRC=$2
. "$SRC/tests/lib.sh"

# usage errors are exit 2
expect_rc "no subcommand" 2 "$MTC"
expect_rc "unknown option" 2 "$MTC" check --bogus x.mtree
expect_rc "--help" 0 "$MTC" --help
for sub in run check fmt graph diff lsp; do expect_rc "$sub --help" 0 "$MTC" "$sub" --help; done

# clean models exit 0; models with errors exit 1, with located diagnostics
for m in "$SRC"/examples/*/*.mtree; do expect_rc "check $(basename "$m")" 0 "$MTC" check --deny-warnings "$m"; done
printf 'model m { grain: month }\nmetric x: USD = y\n' >"$TMP/err.mtree"
expect_rc "model with errors" 1 "$MTC" check "$TMP/err.mtree"
grep -q "err.mtree:2:17: error: unknown name 'y' \[unknown-name\]" "$TMP/err" && ok "located message" || bad "located message"
expect_rc "json diagnostics" 1 "$MTC" check --format json "$TMP/err.mtree"
grep -q '"code": "unknown-name"' "$TMP/out" && grep -q '"line": 2' "$TMP/out" && ok "json has code and range" || bad "json has code and range"
printf 'model m { grain: month }\nmetric x: USD = 1\ndescribe x\n' >"$TMP/lint.mtree"
expect_rc "warnings alone exit 0" 0 "$MTC" check "$TMP/lint.mtree"
expect_rc "--deny-warnings" 1 "$MTC" check --deny-warnings "$TMP/lint.mtree"
if grep -q "error: .*\[no-north-star\]" "$TMP/err"; then ok "--deny-warnings reports the lint as an error"; else bad "--deny-warnings: the lint is not an error"; cat "$TMP/err"; fi
expect_rc "--allow a warning" 0 "$MTC" check --deny-warnings --allow no-north-star "$TMP/lint.mtree"
expect_rc "--allow an unknown code" 2 "$MTC" check --allow no-stag "$TMP/lint.mtree"
grep -q "unknown warning code 'no-stag'; did you mean 'no-stage'?" "$TMP/err" && ok "--allow did-you-mean" || bad "--allow did-you-mean"
expect_rc "--allow an error code" 2 "$MTC" run --allow syntax "$TMP/lint.mtree"
grep -q "'syntax' is an error; --allow silences warnings only" "$TMP/err" && ok "--allow error code message" || bad "--allow error code message"

# golden files of every example (reviewed by hand): the IR dump (units, dimensions,
# formulas, order) and the evaluation plan (the JIT's kernels and steps)
golden() {  # EXT MTC-ARGS...: compares `mtc ARGS example` with tests/golden/<example>.EXT
  ext=$1; shift
  for m in "$SRC"/examples/*/*.mtree; do
    name=$(basename "$(dirname "$m")")_$(basename "$m" .mtree)
    gold="$SRC/tests/golden/$name.$ext"
    "$MTC" "$@" "$m" >"$TMP/$name.$ext" 2>/dev/null
    if [ ! -f "$gold" ]; then bad "golden $name.$ext is missing (new: $TMP/$name.$ext)"; cp "$TMP/$name.$ext" "$gold.new"
    elif diff -u "$gold" "$TMP/$name.$ext" >"$TMP/diff"; then ok "golden $name.$ext"
    else bad "golden $name.$ext differs"; head -40 "$TMP/diff"; fi
  done
}
golden ir check --dump-ir
golden plan run --dump-plan

# malformed input: an error or a clean exit, never a crash (exit >= 128) or a hang
check_survives() {  # NAME FILE
  timeout 60 "$MTC" check "$2" >/dev/null 2>"$TMP/err"
  rc=$?
  if [ $rc -le 2 ]; then ok "$1 (exit $rc)"; else bad "$1: exit $rc"; tail -3 "$TMP/err"; fi
}
: >"$TMP/empty.mtree"; check_survives "empty file" "$TMP/empty.mtree"
head -c 100000 /dev/urandom >"$TMP/random.mtree"; check_survives "random bytes" "$TMP/random.mtree"
python3 -c "print('metric x: ratio = ' + '('*10000 + '1' + ')'*10000)" >"$TMP/deep.mtree" 2>/dev/null && check_survives "10,000-deep parentheses" "$TMP/deep.mtree"
python3 -c "import sys; sys.stdout.write('metric x: ratio = 1' + ' + 1'*10000 + '\n')" >"$TMP/chain.mtree" 2>/dev/null && check_survives "10,000-long chain" "$TMP/chain.mtree"
python3 -c "import sys; sys.stdout.write('// ' + 'x'*100_000_000 + '\n')" >"$TMP/hugeline.mtree" 2>/dev/null && check_survives "100 MB line" "$TMP/hugeline.mtree"
python3 -c "import sys; sys.stdout.write('metric x: ratio = ' + '1+'*3_000_000 + '1\n')" >"$TMP/hugeexpr.mtree" 2>/dev/null && check_survives "6 MB expression" "$TMP/hugeexpr.mtree"
head -c 3000 "$SRC/examples/chiro/chiro.mtree" >"$TMP/trunc.mtree"; check_survives "truncated file" "$TMP/trunc.mtree"
check_survives "a directory" "$TMP"
expect_rc "missing file" 1 "$MTC" check "$TMP/nope.mtree"

# the HTML report: a whole page, with revenue 2025-06 = 143,130 (tests/reference's
# independent Python computation of the chiro example)
expect_rc "run --format html" 0 "$MTC" run --format html -o "$TMP/r.html" "$SRC/examples/chiro/chiro.mtree"
if head -1 "$TMP/r.html" | grep -q '<!DOCTYPE html>' && grep -q '<h3>revenue' "$TMP/r.html" &&
   grep -q '<tr><td>2025-06</td><td>143,130</td>' "$TMP/r.html" && tail -1 "$TMP/r.html" | grep -q '</html>'; then
  ok "html report content"
else
  bad "html report content"
fi
# its recommend: the gap chart, then the ranked list
if grep -q '<h2>recommend for profit_target' "$TMP/r.html" && grep -q 'the gap to goal profit_target' "$TMP/r.html" &&
   grep -q '<li><strong>decision, programmed: focus</strong>' "$TMP/r.html"; then
  ok "html recommend"
else
  bad "html recommend"
fi
# an LP in two variables: the HTML report draws its feasible region and the optimum
expect_rc "run --format html (two variables)" 0 "$MTC" run --format html -o "$TMP/region.html" "$SRC/tests/engines/optimize/two_products/model.mtree"
if grep -q 'class="chart region-chart"' "$TMP/region.html" && grep -q '<title>the feasible region</title>' "$TMP/region.html" &&
   grep -q 'optimum: x_trains = 40, x_soldiers = 30' "$TMP/region.html"; then
  ok "html feasible region"
else
  bad "html feasible region"
fi

# --only takes a list: the describes and the diagnose of profit (3 + 1 of chiro's 5 statements)
n=$("$MTC" run --format json --only describe,diagnose:profit "$SRC/examples/chiro/chiro.mtree" 2>/dev/null | grep -o '"kind": *"d[a-z]*"' | wc -l)
[ "$n" = 4 ] && ok "--only list" || bad "--only list: $n results"

# a report written with -o gets the umask's mode (0644 under umask 022), not mkstemp's 0600
( umask 022 && "$MTC" run --format json -o "$TMP/mode.json" "$SRC/examples/chiro/chiro.mtree" >/dev/null 2>&1 )
[ "$(stat -c %a "$TMP/mode.json")" = 644 ] && ok "-o file mode 0644" || bad "-o file mode $(stat -c %a "$TMP/mode.json")"

# percent changes in reports: none from a base <= 0 or a tiny one (n/m), as variance reports do.
# profit: -100 -> 50 (from a loss: n/m), 50 -> 100 (+100.0%), 100 -> 2 -> 150 (2 is under 5%
# of the typical size, 100: n/m)
mkdir -p "$TMP/pct"
printf 'month,profit\n2025-01,-100\n2025-02,50\n2025-03,100\n2025-04,2\n2025-05,150\n' >"$TMP/pct/p.csv"
printf 'model p { grain: month }\nsource s = csv("p.csv") { time: month }\nmetric profit: USD { data: s.profit  role: north_star }\ndescribe profit\n' >"$TMP/pct/p.mtree"
"$MTC" run "$TMP/pct/p.mtree" >"$TMP/pct/out" 2>&1
if grep -q '2025-02 .* n/m' "$TMP/pct/out" && grep -q '2025-03 .*+100.0%' "$TMP/pct/out" && grep -q '2025-05 .* n/m' "$TMP/pct/out" &&
   grep -q '2025-04 .*-98.0%' "$TMP/pct/out"; then ok "percent changes: n/m from a loss or a tiny base"
else bad "percent changes"; cat "$TMP/pct/out"; fi

echo
if [ $fails -gt 0 ]; then echo "$fails CLI test(s) failed"; exit 1; fi
echo "all CLI tests passed"
