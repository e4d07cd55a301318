#!/bin/sh
# Hostile and broken input (issue 14, docs/reliability.md "Bad input tried"): each case gets a
# located error and a non-zero exit, or, where docs/runtime.md says a value becomes missing, a
# warning and exit 0; never a crash (exit >= 128), a hang (timeout) or a silently wrong number.
# The expected numbers are worked out by hand in the comments.
# usage: run.sh path/to/mtc SOURCE_DIR
set -u
MTC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
. "$SRC/tests/lib.sh"
export MTC_JIT_CACHE=off
cd "$TMP" || exit 1
mkdir .git  # the temporary folder is the project root

# run NAME WANT-EXIT ARGS...: like expect_rc, under a timeout (124 = a hang)
run() { n=$1; w=$2; shift 2; expect_rc "$n" "$w" timeout 60 "$MTC" "$@"; }
has() {  # NAME PATTERN [FILE]: the pattern is in stderr (or FILE)
  if grep -q -- "$2" "${3:-$TMP/err}"; then ok "$1"; else bad "$1: no '$2'"; sed 's/^/    /' "${3:-$TMP/err}" | head -8; fi
}
json_values() {  # METRIC [SLICE-KEY]: the describe's values of METRIC (or of one slice) from $TMP/out, as 1.0,null,...
  python3 - "$@" <<'EOF'
import json, sys
d = json.load(open("out"))
m = next(r["metrics"][sys.argv[1]] for r in d["results"] if r.get("kind") == "describe" and sys.argv[1] in r.get("metrics", {}))
v = m["values"] if len(sys.argv) < 3 else next(s["values"] for s in m["slices"] if list(s["slice"].values()) == [sys.argv[2]])
print(",".join("null" if x is None else repr(float(x)) for x in v))
EOF
}
same() {  # NAME GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got $2, want $3"; fi
}

# ---------------------------------------------------------------- division by zero (undefined-result)
# conversion = orders / visits by channel. web: 10/100, 12/0 (undefined), -/50 (orders missing:
# an input's gap, not counted), 0/0 (undefined); store: 5/50, 6/60, 7/0 (undefined), 8/80.
# So 3 undefined cells, the first at 2025-02 (web). Totals (recomputed from the totals):
# 15/150, 18/60, - (web's orders are missing, so their total is), 8/80.
cat >div.csv <<'EOF'
month,channel,orders,visits
2025-01,web,10,100
2025-01,store,5,50
2025-02,web,12,0
2025-02,store,6,60
2025-03,web,,50
2025-03,store,7,0
2025-04,web,0,0
2025-04,store,8,80
EOF
cat >div.mtree <<'EOF'
model m { grain: month }
dimension channel { web, store }
source s = csv("div.csv") { time: month  dimensions: channel }
metric orders: count by channel { data: s.orders }
metric visits: count by channel { data: s.visits }
metric conversion: ratio by channel = orders / visits { role: north_star }
metric rooted: ratio by channel = sqrt(orders / (1 count) - 6)
describe conversion
describe rooted
EOF
for jit in always never; do
  run "division by zero (--jit=$jit)" 0 run --jit=$jit --format json div.mtree
  [ "$(grep -c 'undefined-result' err)" = 2 ] && ok "one warning per metric ($jit)" || bad "one warning per metric ($jit)"
  has "the warning names the metric, the count and the first period and slice ($jit)" \
    "div.mtree:6:39: warning: 3 cells of 'conversion' are missing: a division by zero (the first at 2025-02, channel=web) \[undefined-result\]"
  # rooted = sqrt(orders - 6): web 10 12 - 0 -> 2, sqrt 6, - (input gap), - (sqrt of -6);
  # store 5 6 7 8 -> - (sqrt of -1), 0, 1, sqrt 2: 2 cells, the first at 2025-01, channel=store
  grep -q "2 cells of 'rooted' are missing: the square root of a negative number (the first at 2025-01, channel=store)" err && ok "sqrt warning exact ($jit)" || bad "sqrt warning exact ($jit)"
  same "the numbers are unchanged: web ($jit)" "$(json_values conversion web)" "0.1,null,null,null"
  same "the numbers are unchanged: store ($jit)" "$(json_values conversion store)" "0.1,0.1,null,0.1"
  same "the totals ($jit)" "$(json_values conversion)" "0.1,0.3,null,0.1"
done
# inputs missing, nothing divided by zero: no warning
printf 'month,channel,orders,visits\n2025-01,web,1,2\n2025-01,store,,4\n' >div2.csv
sed 's/div.csv/div2.csv/' div.mtree >div2.mtree
run "missing inputs alone" 0 run div2.mtree
# (rooted's web cell, sqrt(1 - 6), is undefined: that one is warned)
grep -q "undefined-result.*'conversion'\|'conversion'.*undefined-result" err && bad "missing inputs gave an undefined-result warning" || ok "missing inputs alone: no undefined-result warning"
grep -q "1 cell of 'rooted' is missing: the square root of a negative number (the first at 2025-01, channel=web)" err && ok "one cell: 'is'" || bad "one cell: 'is'"
run "--deny-warnings makes it an error" 1 run --deny-warnings div.mtree

# ---------------------------------------------------------------- empty series, one point, all zero
mkdir -p ser
printf 'month,sales\n' >ser/empty.csv                                    # a header, no rows
printf 'month,sales\n2025-01,\n2025-02,\n2025-03,\n' >ser/blank.csv        # rows, every cell empty
printf 'month,sales\n2025-01,7\n' >ser/one.csv                            # a single data point
printf 'month,sales\n2025-01,0\n2025-02,0\n2025-03,0\n' >ser/zero.csv     # all zero
model() {  # FILE CSV STATEMENT
  printf 'model m { grain: month }\nsource s = csv("%s") { time: month }\nmetric sales: count { data: s.sales  role: north_star }\nmetric half: count = sales / 2\n%s\n' "$2" "$3" >"ser/$1"
}
model e.mtree empty.csv 'describe sales'
run "a header without rows: describe" 3 run --format json ser/e.mtree
has "a header without rows is refused, located" "ser/empty.csv:2: error: the file has a header and no rows \[data-file\]"
model b.mtree blank.csv 'describe sales'
run "a series of empty cells: describe" 0 run --format json ser/b.mtree
same "a series of empty cells is missing" "$(json_values sales)" "null,null,null"
model bf.mtree blank.csv 'forecast sales for 3 months'
run "a series of empty cells: forecast" 3 run ser/bf.mtree
has "a series of empty cells: forecast says why" "bf.mtree:5:1: error: statement 1 (forecast): .*has no value to forecast from \[missing-value\]"
model of.mtree one.csv 'forecast sales for 3 months'
run "one data point: forecast" 3 run ser/of.mtree
has "one data point: too-short, located" "of.mtree:5:1: error: statement 1 (forecast): .*1 period.*\[too-short\]"
for meth in naive mean drift theta ets arima linear holt; do  # minimum history 2 to 15 (docs/predictive.md)
  model of_$meth.mtree one.csv "forecast sales for 3 months { method: $meth }"
  expect_rc "one data point: forecast method $meth" 3 timeout 60 "$MTC" run ser/of_$meth.mtree
  grep -q "\[too-short\]" err && ok "one data point, $meth: too-short" || { bad "one data point, $meth"; head -3 err; }
done
model z.mtree zero.csv 'diagnose half at 2025-03 vs 2025-02'
run "all zero: diagnose" 0 run --format json ser/z.mtree
strict_json() { python3 -c "import json,sys; json.load(open('out'), parse_constant=lambda c: sys.exit('a bare ' + c))"; }
strict_json && ok "all zero: diagnose's JSON has no NaN or infinity" || bad "all zero: diagnose's JSON has NaN or infinity"
model z2.mtree zero.csv 'diagnose half at 2025-03 vs previous'
run "all zero: diagnose (text)" 0 run ser/z2.mtree
model zf.mtree zero.csv 'forecast sales for 3 months'
run "all zero: forecast" 0 run --format json ser/zf.mtree
strict_json && ok "all zero: forecast's JSON has no NaN or infinity" || bad "all zero: forecast's JSON has NaN or infinity"

# ---------------------------------------------------------------- imports
mkdir -p imp/dir.mtree
printf 'model m { grain: month }\nimport "b.mtree"\nmetric x: count = y { role: north_star }\n' >imp/a.mtree
printf 'import "a.mtree"\nmetric y: count = 2\n' >imp/b.mtree
run "an import cycle (docs/language.md: harmless)" 0 check --deny-warnings imp/a.mtree
printf 'model m { grain: month }\nimport "self.mtree"\nmetric x: count = 1 { role: north_star }\n' >imp/self.mtree
run "a file importing itself" 0 check --deny-warnings imp/self.mtree
printf 'model m { grain: month }\nimport "nope.mtree"\nmetric x: count = 1 { role: north_star }\n' >imp/missing.mtree
run "an import of a missing file" 1 check imp/missing.mtree
has "a missing import, located" "missing.mtree:2:8: error: cannot find 'nope.mtree' to import \[io\]"
printf 'model m { grain: month }\nimport "dir.mtree"\nmetric x: count = 1 { role: north_star }\n' >imp/dir.mtree.mtree
cp imp/dir.mtree.mtree imp/d.mtree
run "an import of a folder" 1 check imp/d.mtree
has "an imported folder, located" "d.mtree:2:8: error: cannot import 'dir.mtree': .*dir.mtree is a folder, not a file \[io\]"
run "a folder as the model" 1 check imp/dir.mtree
mkdir -p imp/data.csv
printf 'model m { grain: month }\nsource s = csv("data.csv") { time: month }\nmetric x: count { data: s.x  role: north_star }\ndescribe x\n' >imp/src.mtree
run "a folder as a data file" 3 run imp/src.mtree
has "a data folder, named" "data.csv: error: cannot read the file: is a directory \[data-file\]"
if [ "$(id -u)" = 0 ]; then
  # root reads a file whatever its mode: chmod 000 stops nothing, so there is nothing to test
  echo "skip unreadable files: running as root (chmod 000 does not stop root reading)"
else
  printf 'metric y: count = 2\n' >imp/secret.mtree; chmod 000 imp/secret.mtree
  printf 'model m { grain: month }\nimport "secret.mtree"\nmetric x: count = y { role: north_star }\n' >imp/ur.mtree
  run "an unreadable import" 1 check imp/ur.mtree
  has "an unreadable import, located" "ur.mtree:2:8: error: cannot read .*\[io\]"
  cp imp/ur.mtree imp/unread.mtree; chmod 000 imp/unread.mtree
  run "an unreadable model" 1 check imp/unread.mtree
  printf 'month,x\n2025-01,1\n' >imp/u.csv; chmod 000 imp/u.csv
  sed 's/data.csv/u.csv/' imp/src.mtree >imp/usrc.mtree
  run "an unreadable data file" 3 run imp/usrc.mtree
  has "an unreadable data file, named" "u.csv: error: cannot read the file: .*\[data-file\]"
fi

# ---------------------------------------------------------------- encodings and line ends
printf 'model m { grain: month }\nmetric x: count = 1 { role: north_star }\n// caf\351 \377\n' >enc.mtree
run "non-UTF-8 bytes in a model" 1 check enc.mtree
has "non-UTF-8, located at the byte" "enc.mtree:3:7: error: the file is not UTF-8 text (byte 0xE9 at offset 72) \[encoding\]"
run "non-UTF-8 bytes: fmt refuses" 1 fmt --check enc.mtree
printf '\357\273\277model m { grain: month }\nmetric x: count = 2 * 3 { role: north_star }\n' >bom.mtree
printf 'model m { grain: month }\r\nmetric x: count = 2 * 3 { role: north_star }\r\n' >crlf.mtree
printf 'model m { grain: month }\nmetric x: count = 2 * 3 { role: north_star }\n' >plain.mtree
"$MTC" check --dump-ir plain.mtree >plain.ir 2>/dev/null
for f in bom crlf; do
  run "$f model: check" 0 check --deny-warnings $f.mtree
  "$MTC" check --dump-ir $f.mtree >$f.ir 2>/dev/null
  cmp -s $f.ir plain.ir && ok "$f model: the same IR as the plain file" || bad "$f model: a different IR"
  run "$f model: fmt" 0 fmt $f.mtree
  cmp -s $f.mtree plain.mtree && ok "$f model: fmt writes the canonical file" || { bad "$f model: fmt output"; od -c $f.mtree | head -3; }
done
printf 'model m { grain: month }\n// a comment\r\nmetric x: count = 1 { role: north_star }\nmetric y: count = 2\r\n' >mixed.mtree
run "mixed line ends: check" 0 check mixed.mtree
printf 'model m { grain: month }\nmetric x: count = 1 { role: north_star }\n\r\r\r\n' >cr.mtree
check_nocrash() {  # NAME ARGS: exit 0..2, never a crash or a hang
  timeout 60 "$MTC" "$@" >/dev/null 2>err; rc=$?
  if [ $rc -le 2 ]; then ok "$1 (exit $rc)"; else bad "$1: exit $rc"; tail -3 err; fi
}
check_nocrash "bare CRs" check cr.mtree
printf 'model m { grain: month }\nmetric x: count = 1 { role: north_star }\n\000\000 x\n' >nul.mtree
check_nocrash "NUL bytes in a model" check nul.mtree
printf 'model m { grain: month }\nmetric x "\355\240\200": count = 1 { role: north_star }\n' >surrogate.mtree
run "an encoded surrogate (invalid UTF-8)" 1 check surrogate.mtree
printf 'model m { grain: month }\nmetric x "\300\257": count = 1 { role: north_star }\n' >overlong.mtree
run "an overlong encoding (invalid UTF-8)" 1 check overlong.mtree

# ---------------------------------------------------------------- CSV edge cases (docs/runtime.md: RFC 4180)
mkdir -p csv
cm() {  # NAME CSV: a model over csv/NAME.csv, by channel {web, store}, describing orders
  printf '%s' "$2" >"csv/$1.csv"
  printf 'model m { grain: month }\ndimension channel { web, store }\nsource s = csv("%s.csv") { time: month  dimensions: channel }\nmetric orders: count by channel { data: s.orders  role: north_star }\ndescribe orders\n' "$1" >"csv/$1.mtree"
}
# quoted fields, separators and newlines inside quotes, "" for a quote, in a column nobody reads
# and in the ones read: web = 1, 3; store = 2, 4
cm quoted 'month,channel,note,orders
2025-01,"web","a, b",1
"2025-01",store,"two
lines, and a ""quote""","2"
2025-02,web,",,,",3
2025-02,"store","
",4
'
run "quoted fields, separators and newlines in quotes" 0 run --format json csv/quoted.mtree
same "quoted fields: web" "$(json_values orders web)" "1.0,3.0"
same "quoted fields: store" "$(json_values orders store)" "2.0,4.0"
# the same file with CRLF line ends and a BOM: the same numbers
printf '\357\273\277' >csv/bomcrlf.csv; sed 's/$/\r/' csv/quoted.csv >>csv/bomcrlf.csv
sed 's/quoted.csv/bomcrlf.csv/' csv/quoted.mtree >csv/bomcrlf.mtree
run "a BOM and CRLF line ends in a CSV" 0 run --format json csv/bomcrlf.mtree
same "BOM and CRLF: web" "$(json_values orders web)" "1.0,3.0"
same "BOM and CRLF: store" "$(json_values orders store)" "2.0,4.0"
cm semi 'month;channel;orders
2025-01;web;"1"
2025-01;store;2
'
sed -i 's/dimensions: channel }/dimensions: channel  delimiter: ";" }/' csv/semi.mtree
run "another delimiter" 0 run --format json csv/semi.mtree
same "another delimiter: web" "$(json_values orders web)" "1.0"
cm unclosed 'month,channel,orders
2025-01,web,1
2025-02,"web,2
2025-03,web,3
'
run "an unclosed quote" 3 run csv/unclosed.mtree
has "an unclosed quote, located at its row" "unclosed.csv:3: error: a quoted field is not closed \[data-file\]"
cm dup 'month,channel,orders
2025-01,web,1
2025-01,store,2
2025-02,web,3
2025-01,web,4
'
run "a duplicate row" 3 run csv/dup.mtree
has "a duplicate row names both rows" "dup.csv:5: error: duplicate row for 2025-01, channel=web (first at row 2) \[data-row\]"
cm month13 'month,channel,orders
2025-01,web,1
2025-13,web,2
'
run "2025-13" 3 run csv/month13.mtree
has "2025-13, located" "month13.csv:3: error: invalid period '2025-13': months are 01 to 12 (column 'month') \[data-row\]"
cm quarter 'month,channel,orders
2025-Q1,web,1
'
run "a quarter at month grain" 3 run csv/quarter.mtree
has "a quarter at month grain, located" "quarter.csv:2: error: the period '2025-Q1' is coarser than the model's grain (month); data cannot be split (column 'month') \[data-row\]"
cm feb30 'month,channel,orders
2025-02-30,web,1
'
run "a date that does not exist" 3 run csv/feb30.mtree
has "2025-02-30, located" "feb30.csv:2: error: invalid period '2025-02-30': 2025-02 has 28 days (column 'month') \[data-row\]"
# a date at month grain is a finer period (docs/runtime.md): it rolls up with the agg (sum):
# web 2025-01 = 1 + 2, 2025-02 = 5; store 2025-01 = 4 (a week's Thursday, 2025-01-02), 2025-02 = 6
cm dates 'month,channel,orders
2025-01-15,web,1
2025-01-31,web,2
2025-02-01,web,5
2025-W01,store,4
2025-02,store,6
'
run "dates at month grain roll up" 0 run --format json csv/dates.mtree
same "dates roll up: web" "$(json_values orders web)" "3.0,5.0"
same "dates roll up: store" "$(json_values orders store)" "4.0,6.0"
cm wrongfields 'month,channel,orders
2025-01,web,1,9
2025-01,store
'
run "rows with the wrong number of fields" 3 run csv/wrongfields.mtree
has "too many fields, located" "wrongfields.csv:2: error: .*\[data-row\]"
has "too few fields, located" "wrongfields.csv:3: error: .*\[data-row\]"
cm baddim "$(printf 'month,channel,orders\n2025-01,"we\nb\001\377",1\n')"
run "a bad dimension value with a newline and bytes" 3 run csv/baddim.mtree
has "the bad value is escaped" "baddim.csv:2: error: 'we\\\\x0ab\\\\x01\\\\xff' is not a value of dimension 'channel'"
cm badtime "$(printf 'month,channel,orders\n%s,web,1\n' "$(head -c 300 /dev/zero | tr '\0' 9)")"
run "a 300-character time cell" 3 run csv/badtime.mtree
grep -q "9999999999999999999999999999999999999999999" err && bad "a long time cell is printed whole" || ok "a long time cell is cut"
cm nulbytes "$(printf 'month,channel,orders\n2025-01,web,1\n')"; printf '2025-02,web,\000\n' >>csv/nulbytes.csv
run "NUL bytes in a CSV" 3 run csv/nulbytes.mtree
has "NUL bytes: not a text file" "nulbytes.csv: error: this is not a text file (it contains NUL bytes) \[data-file\]"
cm nonutf8 "$(printf 'month,channel,orders\n2025-01,web,1\377\n')"
run "non-UTF-8 bytes in a number cell" 3 run csv/nonutf8.mtree
has "non-UTF-8 bytes quoted escaped" "nonutf8.csv:2: error: '1\\\\xff' is not a number (column 'orders') \[data-value\]"

# ---------------------------------------------------------------- deep nesting (through check and fmt)
# (10,000 parentheses and a 10,000-long chain through check are in tests/cli/run.sh, and the
# parser's depth limit in tests/unit/parse_test.cpp; here the other nestings, and fmt on each)
nest() {  # NAME PYTHON-EXPRESSION (the formula)
  python3 -c "import sys; sys.stdout.write('model m { grain: month }\nmetric x: ratio = ' + $2 + ' { role: north_star }\n')" >"$1.mtree"
  for cmd in check fmt; do
    cp "$1.mtree" "$1.$cmd.mtree"
    timeout 60 "$MTC" $cmd "$1.$cmd.mtree" >/dev/null 2>err; rc=$?
    if [ $rc = 1 ] && grep -q "\[too-deep\]" err; then ok "$1 through $cmd: too-deep (exit 1)"
    elif [ $rc = 0 ]; then ok "$1 through $cmd: accepted (exit 0)"
    else bad "$1 through $cmd: exit $rc"; tail -3 err; fi
  done
  cmp -s "$1.mtree" "$1.fmt.mtree" || [ $rc = 0 ] && ok "$1: fmt refusing leaves the file as it was" || bad "$1: fmt changed a file it refused"
}
nest parens "'(' * 100000 + '1' + ')' * 100000"
nest calls "'abs(' * 20000 + '1' + ')' * 20000"
nest unary "'-' * 100000 + '1'"
nest nots "'not ' * 50000 + 'true'"
nest ifs "'if(1 > 0, ' * 20000 + '1' + ', 2)' * 20000"
nest lags "'lag(' * 5000 + '1' + ', 1)' * 5000"
nest powers "'2^' * 50000 + '1'"
python3 -c "import sys; sys.stdout.write('model m { grain: month }\nmetric x: ratio = 1 { role: north_star ' + 'a: { ' * 50000 + '}' * 50000 + ' }\n')" >blocks.mtree
for cmd in check fmt; do
  cp blocks.mtree blocks.$cmd.mtree
  timeout 60 "$MTC" $cmd blocks.$cmd.mtree >/dev/null 2>err; rc=$?
  [ $rc -le 2 ] && ok "50,000 nested blocks through $cmd (exit $rc)" || { bad "50,000 nested blocks through $cmd: exit $rc"; tail -3 err; }
done
printf 'model m { grain: month }\nmetric x: ratio = %s1 { role: north_star }\n' "$(head -c 100000 /dev/zero | tr '\0' '[')" >brackets.mtree
timeout 60 "$MTC" check brackets.mtree >/dev/null 2>err; rc=$?
[ $rc -le 2 ] && ok "100,000 unclosed brackets (exit $rc)" || bad "100,000 unclosed brackets: exit $rc"

# ---------------------------------------------------------------- huge files
# 100 MB in one comment line: check (also in tests/cli/run.sh) and fmt, each timed; fmt keeps every byte
python3 -c "import sys; sys.stdout.write('model m { grain: month }\n// ' + 'x' * 100_000_000 + '\nmetric x: count = 1 { role: north_star }\n')" >hugeline.mtree
# the sanitizer build (ASAN_OPTIONS set by the asan test preset) runs several times slower:
# the CPU bound and the timeout grow with it
slow=1; [ -n "${ASAN_OPTIONS:-}" ] && slow=6
sum=$(cksum <hugeline.mtree)
for cmd in check fmt; do
  # CPU seconds (user + system), not wall time: a loaded machine must not fail the test; a hang
  # is caught by the 120 s timeout
  secs=$(python3 -c "
import resource, subprocess, sys
rc = subprocess.run(['timeout', str(120 * int(sys.argv[3])), sys.argv[1], sys.argv[2], 'hugeline.mtree'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print('%d %.1f' % (rc, u.ru_utime + u.ru_stime))" "$MTC" $cmd $slow)
  rc=${secs% *}; secs=${secs#* }
  [ "$rc" = 0 ] && ok "a 100 MB comment through $cmd: exit 0, $secs s of CPU" || bad "a 100 MB comment through $cmd: exit $rc"
  python3 -c "import sys; sys.exit(0 if $secs < 20 * $slow else 1)" && ok "a 100 MB comment through $cmd: under $((20 * slow)) s of CPU" || bad "a 100 MB comment through $cmd: $secs s of CPU"
done
# the file was already in the canonical layout: fmt leaves it byte for byte
[ "$(cksum <hugeline.mtree)" = "$sum" ] && ok "fmt kept the 100 MB comment byte for byte" || bad "fmt changed the 100 MB comment"
rm -f hugeline.mtree
# 20,000 declarations (about 1 MB), badly laid out: check, fmt, then fmt --check finds nothing to change
python3 -c "
import sys
w = sys.stdout.write
w('model   big {grain:month}\n')
for i in range(20000): w('metric  m%d  \"M %d\":count=%d+2 // c%d\n' % (i, i, i, i))
" >many.mtree
s=$(date +%s.%N)
run "20,000 declarations: check" 0 check many.mtree
run "20,000 declarations: fmt" 0 fmt many.mtree
run "20,000 declarations: formatted once is formatted" 0 fmt --check many.mtree
e=$(date +%s.%N); echo "     (20,000 declarations: check, fmt and fmt --check in $(python3 -c "print('%.1f' % ($e - $s))") s)"
[ "$(grep -c '// c' many.mtree)" = 20000 ] && grep -q '"M 19999"' many.mtree && ok "20,000 declarations: every comment and string kept" || bad "20,000 declarations: a comment or a string lost"

if [ $fails -gt 0 ]; then echo "$fails hostile-input test(s) failed"; exit 1; fi
echo "all hostile-input tests passed"
