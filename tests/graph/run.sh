#!/bin/sh
# `mtc graph` from the command line: every example in every format, exit codes,
# --metric/--depth pruning, mermaid syntax, svg through Graphviz (skipped without dot).
# usage: run.sh path/to/mtc SOURCE_DIR
set -u
MTC=$1
SRC=$2
. "$SRC/tests/lib.sh"
HAVE_DOT=0
command -v dot >/dev/null 2>&1 && HAVE_DOT=1

CHIRO="$SRC/examples/chiro/chiro.mtree"
for m in "$SRC"/examples/*/*.mtree; do
  n=$(basename "$m" .mtree)
  expect_rc "dot $n" 0 "$MTC" graph "$m"
  grep -q '^digraph ' "$TMP/out" && ok "dot $n is a digraph" || bad "dot $n is a digraph"
  if [ $HAVE_DOT = 1 ]; then
    dot -Tsvg "$TMP/out" >/dev/null 2>"$TMP/doterr" && ! grep -q . "$TMP/doterr" && ok "graphviz reads $n without a warning" \
      || { bad "graphviz reads $n"; head -5 "$TMP/doterr"; }
  fi
  expect_rc "mermaid $n" 0 "$MTC" graph "$m" --format mermaid -o "$TMP/$n.mmd"
  python3 "$SRC/tests/graph/check_mermaid.py" "$TMP/$n.mmd" && ok "mermaid $n syntax" || bad "mermaid $n syntax"
done

# --metric profit --depth 1 (chiro): profit = sum(marketing_contribution ...) - fixed_costs,
# and the relation marketing_contribution -> profit (compositional): three nodes, two edges.
expect_rc "--metric profit --depth 1" 0 "$MTC" graph "$CHIRO" --metric profit --depth 1
nodes=$(grep -oE '^ *[mp]_[a-z_]+ \[' "$TMP/out" | tr -d ' [' | sort | tr '\n' ' ')
[ "$nodes" = "m_marketing_contribution m_profit p_fixed_costs " ] && ok "depth 1 nodes" || bad "depth 1 nodes: $nodes"
edges=$(grep -oE '^  [mp]_[a-z_]+ -> [mp]_[a-z_]+ \[[^,]*(, arrowhead=[a-z]+)?' "$TMP/out" | sort | tr '\n' '|')
want='  m_marketing_contribution -> m_profit [color="#2e7d32", arrowhead=diamond|  p_fixed_costs -> m_profit [color="#555555"|'
[ "$edges" = "$want" ] && ok "depth 1 edges and styles" || bad "depth 1 edges: $edges"
grep -q 'subgraph cluster_s_margin' "$TMP/out" && ! grep -q 'subgraph cluster_s_awareness' "$TMP/out" \
  && ok "depth 1 clusters: only margin" || bad "depth 1 clusters"
# depth 2 adds the inputs of marketing_contribution: gross_margin, spend, commission_cost
expect_rc "--metric profit --depth 2" 0 "$MTC" graph "$CHIRO" --metric profit --depth 2
n=$(grep -cE '^ *[mp]_[a-z_]+ \[' "$TMP/out")
[ "$n" = 6 ] && ok "depth 2 has 6 nodes" || bad "depth 2 has $n nodes, want 6"
# the whole tree below profit is every metric it can reach, never a metric downstream of it
expect_rc "--metric profit" 0 "$MTC" graph "$CHIRO" --metric profit
grep -q 'm_profit_ytd \[' "$TMP/out" && bad "profit_ytd (downstream) drawn" || ok "downstream metric left out"
grep -q 'm_leads \[' "$TMP/out" && ok "leads (4 levels down, through causal relations) drawn" || bad "leads missing"

# usage errors: exit 2, located, with a did-you-mean
expect_rc "unknown --metric" 2 "$MTC" graph "$CHIRO" --metric proft
grep -q "chiro.mtree: error: --metric proft: no metric 'proft' in the model" "$TMP/err" && grep -q "did you mean 'profit'" "$TMP/err" \
  && ok "unknown --metric message" || bad "unknown --metric message"
expect_rc "--metric naming a param" 2 "$MTC" graph "$CHIRO" --metric price
grep -q "'price' is a param, not a metric" "$TMP/err" && ok "param message" || bad "param message"
expect_rc "--depth without --metric" 2 "$MTC" graph "$CHIRO" --depth 2
expect_rc "negative --depth" 2 "$MTC" graph "$CHIRO" --metric profit --depth -1
expect_rc "unknown --format" 2 "$MTC" graph "$CHIRO" --format png

# model errors: diagnostics and exit 1; a missing file too
printf 'model m { grain: month }\nmetric x: USD = y\n' >"$TMP/err.mtree"
expect_rc "model with errors" 1 "$MTC" graph "$TMP/err.mtree"
grep -q "err.mtree:2:17: error: unknown name 'y'" "$TMP/err" && ok "located diagnostic" || bad "located diagnostic"
expect_rc "missing file" 1 "$MTC" graph "$TMP/nope.mtree"
expect_rc "unwritable -o" 3 "$MTC" graph "$CHIRO" -o "$TMP/no/such/dir/x.dot"

# svg: through dot when it is installed; a clear error (exit 3) when it is not
mkdir "$TMP/nodot"
expect_rc "svg without dot" 3 env PATH="$TMP/nodot" "$MTC" graph "$CHIRO" --format svg
grep -q "needs Graphviz's \`dot\`" "$TMP/err" && ok "svg without dot message" || bad "svg without dot message"
if [ $HAVE_DOT = 1 ]; then
  expect_rc "svg" 0 "$MTC" graph "$CHIRO" --format svg -o "$TMP/chiro.svg"
  grep -q '<svg' "$TMP/chiro.svg" && grep -q 'Marketing contribution' "$TMP/chiro.svg" && ok "svg has the tree" || bad "svg has the tree"
else
  echo "skip svg: Graphviz's dot is not installed"
fi

# docs/graph.md shows the mermaid of --metric profit --depth 1: it must be the current output
"$MTC" graph "$CHIRO" --format mermaid --metric profit --depth 1 >"$TMP/doc.mmd"
sed -n '/^```mermaid$/,/^```$/p' "$SRC/docs/graph.md" | sed '1d;$d' >"$TMP/doc_block.mmd"
cmp -s "$TMP/doc.mmd" "$TMP/doc_block.mmd" && ok "docs/graph.md example is current" || bad "docs/graph.md example differs from the output"

echo
if [ $fails -gt 0 ]; then echo "$fails graph test(s) failed"; exit 1; fi
echo "all graph tests passed"
