#!/bin/sh
# `mtc graph --format mermaid` through Mermaid's own parser. Needs node and npm
# (the README's test command installs them); without them it exits 77, which
# CTest shows as skipped, never as passed.
# Installs tests/graph/node_modules (mermaid, jsdom) from npm on first use.
# usage: mermaid.sh path/to/mtc SOURCE_DIR
set -u
MTC=$1
SRC=$2
here="$SRC/tests/graph"
if ! command -v node >/dev/null 2>&1; then echo "skipped: node not installed"; exit 77; fi
if [ ! -d "$here/node_modules/mermaid" ] || [ ! -d "$here/node_modules/jsdom" ]; then
  if ! command -v npm >/dev/null 2>&1; then echo "skipped: npm not installed (needed once to fetch mermaid)"; exit 77; fi
  (cd "$here" && npm install --no-audit --no-fund >/dev/null) || { echo "skipped: npm install failed (offline?)"; exit 77; }
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MTC" graph "$SRC/examples/chiro/chiro.mtree" --format mermaid -o "$TMP/chiro.mmd" || exit 1
"$MTC" graph "$SRC/examples/chiro/marketing_mix.mtree" --format mermaid -o "$TMP/mix.mmd" || exit 1
"$MTC" graph "$SRC/examples/saas/saas.mtree" --format mermaid -o "$TMP/saas.mmd" || exit 1
"$MTC" graph "$SRC/examples/chiro/chiro.mtree" --format mermaid --metric profit --depth 1 -o "$TMP/profit.mmd" || exit 1
# Counts worked out from the models:
#  chiro: 25 metrics + 4 params; 29 formula reads + 5 relations that are not formula
#         links (2 of the 7 are: revenue -> gross_margin, marketing_contribution -> profit);
#         2 chains + 6 stages.
#  marketing_mix: 4 metrics + 3 params + the placeholder of the empty stage `allocation`;
#         6 formula reads (the 3 compositional relations are formula links); 1 chain + 2 stages.
#  profit --depth 1: profit, marketing_contribution, fixed_costs; 2 edges; 1 chain + 1 stage.
cd "$here" && node mermaid_check.mjs "$TMP/chiro.mmd" 29 34 8 "$TMP/mix.mmd" 8 6 3 "$TMP/profit.mmd" 3 2 2 "$TMP/saas.mmd"
