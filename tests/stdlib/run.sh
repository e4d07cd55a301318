#!/bin/sh
# stdlib/: every module checks on its own; every test model imports its module,
# calls every function of it and checks clean with --deny-warnings; the numbers
# match hand-worked values (expected.py); an installed mtc and $MTC_STDLIB find
# the modules.
# usage: run.sh path/to/mtc SOURCE_DIR BUILD_DIR
set -u
MTC=$1
SRC=$2
BUILD=$3
. "$SRC/tests/lib.sh"

for m in "$SRC"/stdlib/*.mtree; do
  n=$(basename "$m" .mtree)
  expect_rc "module $n checks" 0 "$MTC" check --deny-warnings "$m"
  [ "$n" = units ] && continue
  t="$SRC/tests/stdlib/${n}_test.mtree"
  if [ ! -f "$t" ]; then bad "module $n has no test model $t"; continue; fi
  expect_rc "test model of $n checks" 0 "$MTC" check --deny-warnings "$t"
  # A function body is typed where it is called: the test must call every one.
  for f in $(sed -n 's/^function \([A-Za-z_0-9]*\)(.*/\1/p' "$m"); do
    grep -q "= $f(" "$t" || bad "$n: the test model never calls $f"
  done
done
# units.mtree: its scaled currencies convert (2 kUSD + 500 USD = 2500 USD)
printf 'import "stdlib/units.mtree"\nmodel u { grain: month  start: 2025-01 }\nparam a: kUSD = 2\nparam b: USD = 500\nmetric x: USD = a + b { role: north_star }\nmetric y: MUSD = x\ndescribe x, y from 2025-01 to 2025-01\n' >"$TMP/u.mtree"
expect_rc "units" 0 "$MTC" run --format json "$TMP/u.mtree"
python3 -c "import json,sys; m=json.load(open('$TMP/out'))['results'][0]['metrics']; sys.exit(0 if m['x']['values']==[2500.0] and abs(m['y']['values'][0]-0.0025)<1e-15 else 1)" \
  && ok "2 kUSD + 500 USD is 2500 USD = 0.0025 MUSD" || bad "units values: $(cat "$TMP/out" | tr -d '\n' | cut -c1-300)"
# a model declaring a unit the module declares too: a located duplicate
printf 'import "stdlib/units.mtree"\nunit customer\n' >"$TMP/dup.mtree"
expect_rc "unit declared twice" 1 "$MTC" check "$TMP/dup.mtree"
grep -q "units.mtree:[0-9]*:6: error: unit 'customer' is declared twice \[duplicate\]" "$TMP/err" && grep -q "dup.mtree:2:6: note: first declared here" "$TMP/err" \
  && ok "duplicate is located in both files" || bad "duplicate is located: $(head -5 "$TMP/err")"

python3 "$SRC/tests/stdlib/expected.py" "$MTC" "$SRC" && ok "hand-worked values" || bad "hand-worked values"

# $MTC_STDLIB comes first, and a leading stdlib/ is stripped there
mkdir "$TMP/lib"
printf '/// only in $MTC_STDLIB\nfunction probe(x) = x * 2\n' >"$TMP/lib/probe.mtree"
printf 'import "stdlib/probe.mtree"\nmodel p { grain: month }\nparam a: USD = 1\nmetric x: USD = probe(a) { role: north_star }\n' >"$TMP/p.mtree"
expect_rc "import through \$MTC_STDLIB" 0 env MTC_STDLIB="$TMP/lib" "$MTC" check --deny-warnings "$TMP/p.mtree"
expect_rc "not found without it" 1 env MTC_STDLIB= "$MTC" check "$TMP/p.mtree"
grep -q "cannot find 'stdlib/probe.mtree' to import" "$TMP/err" && ok "io error names the import" || bad "io error names the import"

# an installed mtc finds the installed stdlib (<prefix>/share/mtc/stdlib)
if cmake --install "$BUILD" --prefix "$TMP/inst" >"$TMP/install.log" 2>&1; then
  [ -f "$TMP/inst/share/mtc/stdlib/saas.mtree" ] && ok "stdlib installed" || bad "stdlib not installed"
  mkdir -p "$TMP/elsewhere/data"
  cp "$SRC/tests/stdlib/saas_test.mtree" "$TMP/elsewhere/"
  cp "$SRC/tests/stdlib/data/saas.csv" "$TMP/elsewhere/data/"
  expect_rc "installed mtc imports stdlib/saas.mtree" 0 env MTC_STDLIB= "$TMP/inst/bin/mtc" check --deny-warnings "$TMP/elsewhere/saas_test.mtree"
else
  bad "cmake --install"; tail -5 "$TMP/install.log"
fi

echo
if [ $fails -gt 0 ]; then echo "$fails stdlib test(s) failed"; exit 1; fi
echo "all stdlib tests passed"
