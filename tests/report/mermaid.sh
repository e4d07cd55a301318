#!/bin/sh
# The Markdown reports' charts through Mermaid's own parser: every ```mermaid block of
# `mtc run --format md` on each example (and on the hostile model) must parse; each example's
# report has the tree (one flowchart) and charts (xychart), chiro's the slices' shares (pie).
# Then mermaid_render.py draws every block of the examples in Chromium with the same Mermaid.
# Needs node and the Mermaid that tests/graph installs from npm; without them it exits 77,
# which CTest shows as skipped, never as passed.
# usage: mermaid.sh path/to/mtc SOURCE_DIR
set -u
MTC=$1
SRC=$2
graph="$SRC/tests/graph"
if ! command -v node >/dev/null 2>&1; then echo "skipped: node not installed"; exit 77; fi
if [ ! -d "$graph/node_modules/mermaid" ] || [ ! -d "$graph/node_modules/jsdom" ]; then
  if ! command -v npm >/dev/null 2>&1; then echo "skipped: npm not installed (needed once to fetch mermaid)"; exit 77; fi
  (cd "$graph" && npm install --no-audit --no-fund >/dev/null) || { echo "skipped: npm install failed (offline?)"; exit 77; }
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
for f in "$SRC"/examples/*/*.mtree "$SRC/tests/cli/hostile.mtree"; do
  name=$(basename "$(dirname "$f")")_$(basename "$f" .mtree)
  "$MTC" run "$f" --format md -o "$TMP/$name.md" 2>/dev/null || { echo "FAIL mtc run --format md $f"; fails=$((fails + 1)); }
done
node "$SRC/tests/report/mermaid_check.mjs" "$graph/node_modules" "$TMP"/*.md >"$TMP/out" 2>&1 || fails=$((fails + 1))
cat "$TMP/out"
for f in "$SRC"/examples/*/*.mtree; do
  name=$(basename "$(dirname "$f")")_$(basename "$f" .mtree)
  line=$(grep "/$name.md:" "$TMP/out")
  case "$line" in
    *'"flowchart-v2":1,'*'"xychart":'*) echo "ok   $name: the tree and charts" ;;
    *) echo "FAIL $name: want one flowchart (the tree) and xycharts: $line"; fails=$((fails + 1)) ;;
  esac
done
grep "/chiro_chiro.md:" "$TMP/out" | grep -q '"pie":' && echo "ok   chiro_chiro: pies of the slices' shares" || { echo "FAIL chiro_chiro: no pie"; fails=$((fails + 1)); }
# drawn as GitHub draws them: Mermaid rendering each block to SVG in a browser (Chromium)
/usr/bin/python3 "$SRC/tests/report/mermaid_render.py" "$MTC" "$SRC" "$graph/node_modules" >"$TMP/render" 2>&1
rc=$?
grep -v "^ok" "$TMP/render"
echo "ok   $(grep -c '^ok' "$TMP/render") rendering checks passed"
case $rc in
  0) ;;
  77) echo "skipped: rendering (no browser); the blocks were parsed" ;;
  *) fails=$((fails + 1)) ;;
esac
[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
[ "$fails" -eq 0 ]
