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

# confinement (docs/reliability.md): a model reads only under its project root; what is refused
# is never printed. A secret outside the project, reached by an absolute path, by .. and by a link.
mkdir -p "$TMP/outside" "$TMP/proj/.git" "$TMP/proj/sub"
printf 'month,orders\nTOPSECRET-1,1\n' >"$TMP/outside/secret.csv"
printf 'TOPSECRET-2 not a model\n' >"$TMP/outside/secret.mtree"
ln -s "$TMP/outside/secret.csv" "$TMP/proj/link.csv"
printf 'model m { grain: month }\nimport "../../outside/secret.mtree"\nmetric x: count = 1 { role: north_star }\n' >"$TMP/proj/sub/imp.mtree"
expect_rc "import .. outside the root" 1 "$MTC" check "$TMP/proj/sub/imp.mtree"
grep -q "lies outside the project root $TMP/proj: refused \[outside-root\]" "$TMP/err" && ok "import refused, located" || bad "import refused, located"
printf 'model m { grain: month }\nimport "%s"\nmetric x: count = 1 { role: north_star }\n' "$TMP/outside/secret.mtree" >"$TMP/proj/abs.mtree"
expect_rc "import of an absolute path" 1 "$MTC" check "$TMP/proj/abs.mtree"
grep -q "is absolute \[outside-root\]" "$TMP/err" && ok "absolute import refused" || bad "absolute import refused"
for src in '../outside/secret.csv' 'link.csv'; do
  printf 'model m { grain: month }\nsource s = csv("%s") { time: month }\nmetric orders: count { data: s.orders  role: north_star }\ndescribe orders\n' "$src" >"$TMP/proj/src.mtree"
  expect_rc "source $src" 1 "$MTC" run "$TMP/proj/src.mtree"
  grep -q "outside-root" "$TMP/err" && ok "source $src refused" || bad "source $src refused"
done
printf 'model m { grain: month }\nsource s = sqlite("../outside/secret.csv", "select 1") { time: month }\nmetric orders: count { data: s.orders  role: north_star }\n' >"$TMP/proj/db.mtree"
expect_rc "sqlite source outside the root" 1 "$MTC" check "$TMP/proj/db.mtree"
if cat "$TMP"/out "$TMP"/err | grep -q TOPSECRET; then bad "a refused file's content was printed"; else ok "nothing of a refused file is printed"; fi
# --allow-path widens the root for a run
printf 'model m { grain: month }\nsource s = csv("../outside/secret.csv") { time: month }\nmetric orders: count { data: s.orders  role: north_star }\n' >"$TMP/proj/ok.mtree"
expect_rc "--allow-path" 0 "$MTC" check --allow-path "$TMP/outside" "$TMP/proj/ok.mtree"
# a FIFO is refused, never waited on
mkfifo "$TMP/proj/fifo.csv" 2>/dev/null && {
  printf 'model m { grain: month }\nsource s = csv("fifo.csv") { time: month }\nmetric orders: count { data: s.orders  role: north_star }\ndescribe orders\n' >"$TMP/proj/fifo.mtree"
  timeout 20 "$MTC" run "$TMP/proj/fifo.mtree" >/dev/null 2>"$TMP/err"; rc=$?
  [ $rc = 3 ] && grep -q "not a regular file" "$TMP/err" && ok "a FIFO source is refused (exit 3)" || bad "a FIFO source: exit $rc"
}

# the HTML report: a whole page, with revenue 2025-06 = 143,130 (tests/reference's
# independent Python computation of the chiro example)
expect_rc "run --format html" 0 "$MTC" run --format html -o "$TMP/r.html" "$SRC/examples/chiro/chiro.mtree"
if head -1 "$TMP/r.html" | grep -q '<!DOCTYPE html>' && grep -q '<h3 id="s1-revenue">revenue' "$TMP/r.html" &&
   grep -q '<tr><td>2025-06</td><td>143,130</td>' "$TMP/r.html" && tail -1 "$TMP/r.html" | grep -q '</html>'; then
  ok "html report content"
else
  bad "html report content"
fi
# the metrics tree on top: revenue (the north star) with its latest value and its change against
# 2025-05 (153,660 in tests/reference: -10,530, -6.9%, bad for a higher_is_better metric), its inputs
# inside, new_patients (94 -> 82: -12.0, -12.8%), the vanity badge
if grep -q '<section class="tree"><h2>metrics tree</h2>' "$TMP/r.html" &&
   grep -q 'id="tree-revenue" data-metric="revenue" data-latest="143130" open>' "$TMP/r.html" &&
   grep -q '<span class="value">143,130</span> <span class="unit">USD</span><span class="change down">&#9660; -10,530 (-6.9%)</span>' "$TMP/r.html" &&
   grep -q '<span class="value">82.0</span> <span class="unit">patient</span><span class="change down">&#9660; -12.0 (-12.8%)</span>' "$TMP/r.html" &&
   grep -q 'id="tree-visits"' "$TMP/r.html" && grep -q '<span class="badge vanity"' "$TMP/r.html"; then
  ok "html metrics tree"
else
  bad "html metrics tree"
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

# the ETS fits one statement makes are reused by the next (engines/src/forecast/ets.cpp): each of
# chiro's forecasting statements run alone gives exactly the JSON it gives in the full run, where
# its fits come from the cache; both with the JIT and the interpreter
for jit in always never; do
  "$MTC" run --format json -q --jit=$jit "$SRC/examples/chiro/chiro.mtree" >"$TMP/full.json" 2>/dev/null
  for kind in forecast simulate seek recommend; do
    "$MTC" run --format json -q --jit=$jit --only $kind "$SRC/examples/chiro/chiro.mtree" >"$TMP/alone.json" 2>/dev/null
    if python3 -c '
import json, sys
full, alone, kind = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
a = [r for r in full["results"] if r["kind"] == kind]
b = alone["results"]
sys.exit(0 if a and json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) else 1)' "$TMP/full.json" "$TMP/alone.json" $kind; then
      ok "$kind alone = $kind in the full run (cached fits, --jit=$jit)"
    else
      bad "$kind alone differs from $kind in the full run (--jit=$jit)"
    fi
  done
done

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
# limits (docs/reliability.md): --timeout and --max-memory stop a run cleanly, exit 3, no output file
printf 'model m { grain: month  start: 2025-01 }\nparam p: count = 100 ~ normal(100, 10)\nmetric x: count = p * 2 { role: north_star }\nsimulate x for 120 months { runs: 1000000 }\n' >"$TMP/slow.mtree"
expect_rc "--timeout" 3 "$MTC" run --timeout 0.3 -o "$TMP/slow.out" "$TMP/slow.mtree"
grep -q "took longer than --timeout 0.3 s: stopped" "$TMP/err" && [ ! -e "$TMP/slow.out" ] && ! ls "$TMP"/.slow.out.tmp* >/dev/null 2>&1 &&
  ok "--timeout: message, no output file" || bad "--timeout: message, no output file"
expect_rc "--max-memory" 3 "$MTC" run --max-memory 1M -o "$TMP/mem.out" "$SRC/examples/chiro/chiro.mtree"
grep -q "more memory than --max-memory allows" "$TMP/err" && [ ! -e "$TMP/mem.out" ] && ok "--max-memory: message, no output file" || bad "--max-memory: message, no output file"
expect_rc "--max-memory with a bad size" 2 "$MTC" run --max-memory lots "$SRC/examples/chiro/chiro.mtree"
expect_rc "generous limits change nothing" 0 "$MTC" run --timeout 600 --max-memory 8G --format json -o "$TMP/lim.json" "$SRC/examples/chiro/chiro.mtree"
# a literal too large for a double is a located error, not infinity
printf 'model m { grain: month }\nparam p: ratio = 1e999\nmetric x: ratio = p { role: north_star }\n' >"$TMP/big.mtree"
expect_rc "1e999" 1 "$MTC" check "$TMP/big.mtree"
grep -q "big.mtree:2:18: error: the number 1e999 is out of range \[invalid-expression\]" "$TMP/err" && ok "1e999 located" || bad "1e999 located"
# NaN and infinity in data: missing, one warning per metric with the count and the first row
mkdir -p "$TMP/nan"
printf 'month,orders\n2025-01,10\n2025-02,NaN\n2025-03,inf\n2025-04,-Infinity\n2025-05,14\n' >"$TMP/nan/d.csv"
printf 'model m { grain: month }\nsource s = csv("d.csv") { time: month }\nmetric orders: count { data: s.orders  role: north_star }\ndescribe orders\n' >"$TMP/nan/m.mtree"
expect_rc "NaN and infinity in data" 0 "$MTC" run --format json "$TMP/nan/m.mtree"
if [ "$(grep -c 'data-non-finite' "$TMP/err")" = 1 ] && grep -q "d.csv:3: warning: 3 cells of 'orders' hold NaN or infinity: treated as missing (the first at row 3) (column 'orders') \[data-non-finite\]" "$TMP/err" &&
   tr -d ' \n' <"$TMP/out" | grep -q '"values":\[10.0,null,null,null,14.0\]'; then
  ok "NaN and infinity: one warning, missing values"
else
  bad "NaN and infinity: one warning, missing values"; cat "$TMP/err"
fi
# a cell that is not a number is quoted short and escaped, never a whole line
printf 'month,orders\n2025-01,%s\n' "$(head -c 300 /dev/zero | tr '\0' 'A')" >"$TMP/nan/long.csv"
printf 'model m { grain: month }\nsource s = csv("long.csv") { time: month }\nmetric orders: count { data: s.orders  role: north_star }\ndescribe orders\n' >"$TMP/nan/long.mtree"
expect_rc "a long bad cell" 3 "$MTC" run "$TMP/nan/long.mtree"
grep -q "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...' is not a number" "$TMP/err" && ! grep -q "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$TMP/err" &&
  ok "a bad cell is cut to 40 characters" || bad "a bad cell is cut to 40 characters"

# output escaping: a model whose titles, docs and owners carry <script>, quotes, backticks, |,
# brackets and comment ends reaches every format escaped (docs/reliability.md)
H="$SRC/tests/cli/hostile.mtree"
for f in html md json text; do "$MTC" run --format $f -o "$TMP/h.$f" "$H" 2>/dev/null || bad "hostile run --format $f"; done
for g in dot mermaid svg; do "$MTC" graph --format $g -o "$TMP/h.$g" "$H" 2>/dev/null || bad "hostile graph --format $g"; done
if grep -qiE '(^|[^\\])<(script|img)' "$TMP/h.html" "$TMP/h.svg" "$TMP/h.md" "$TMP/h.mermaid"; then bad "a hostile string reached HTML, SVG, Markdown or Mermaid unescaped"
else ok "hostile strings escaped in HTML, SVG, Markdown and Mermaid"; fi
grep -q '^# Evil \\<script\\>' "$TMP/h.md" && ok "Markdown escapes a title" || bad "Markdown escapes a title"
if command -v dot >/dev/null 2>&1; then
  dot -Tsvg "$TMP/h.dot" -o "$TMP/h.dot.svg" 2>/dev/null && ! grep -qi '<script\|<img' "$TMP/h.dot.svg" && ok "DOT with hostile strings renders, escaped" || bad "DOT with hostile strings"
fi
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/h.json" && ok "JSON with hostile strings parses" || bad "JSON with hostile strings"

# the JIT's object cache is code mtc loads: a private folder (0700, ours), objects sealed by a digest
CACHE="$TMP/jitcache"; mkdir -p "$CACHE"; chmod 0777 "$CACHE"
MTC_JIT_CACHE= MTC_CACHE_DIR="$CACHE" "$MTC" run --jit=always --format json "$SRC/examples/chiro/chiro.mtree" >"$TMP/c1.json" 2>/dev/null
[ "$(stat -c %a "$CACHE")" = 700 ] && ok "the cache folder is closed to 0700" || bad "cache folder mode $(stat -c %a "$CACHE")"
ls "$CACHE"/*.o >/dev/null 2>&1 && ok "objects cached" || bad "no object cached"
for o in "$CACHE"/*.o; do printf 'garbage' | dd of="$o" bs=1 seek=100 conv=notrunc 2>/dev/null; done  # every object altered
MTC_JIT_CACHE= MTC_CACHE_DIR="$CACHE" "$MTC" run --jit=always --format json "$SRC/examples/chiro/chiro.mtree" >"$TMP/c2.json" 2>/dev/null
cmp -s "$TMP/c1.json" "$TMP/c2.json" && ok "altered objects are compiled again (same report)" || bad "altered cache objects changed the report"
mkdir -p "$TMP/elsewhere"; ln -s "$TMP/elsewhere" "$TMP/linkcache"
MTC_JIT_CACHE= MTC_CACHE_DIR="$TMP/linkcache" "$MTC" run --jit=always --format json "$SRC/examples/chiro/chiro.mtree" >"$TMP/c3.json" 2>"$TMP/err"
if grep -q "not a private folder" "$TMP/err" && ! ls "$TMP/elsewhere"/*.o >/dev/null 2>&1 && cmp -s "$TMP/c1.json" "$TMP/c3.json"; then
  ok "a linked cache folder is refused (warning, no objects, same report)"
else
  bad "a linked cache folder"
fi

if [ $fails -gt 0 ]; then echo "$fails CLI test(s) failed"; exit 1; fi
echo "all CLI tests passed"

