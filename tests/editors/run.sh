#!/usr/bin/env bash
# Highlighting test of the VS Code grammar (editors/vscode) with vscode-textmate.
# Needs node and npm (the README's test command installs them); without them it
# exits 77, which CTest shows as skipped, never as passed.
# Installs tests/editors/node_modules from the npm registry on first use.
set -euo pipefail
here="${BASH_SOURCE[0]%/*}"
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
cd "$here"

if ! command -v node >/dev/null 2>&1; then
  echo "skipped: node not installed"
  exit 77
fi

if [ ! -d node_modules/vscode-textmate ] || [ ! -d node_modules/vscode-oniguruma ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "skipped: npm not installed (needed once to fetch vscode-textmate and vscode-oniguruma)"
    exit 77
  fi
  npm install --no-audit --no-fund || { echo "skipped: npm install failed (offline?)"; exit 77; }
fi

exec node highlight_test.js "$@"
