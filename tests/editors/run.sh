#!/usr/bin/env bash
# Highlighting test of the VS Code grammar (editors/vscode) with vscode-textmate.
# Needs node and npm; exits 0 with "skipped: node not installed" when node is
# absent (CI machines may not have it: the project's build does not need node).
# Installs tests/editors/node_modules from the npm registry on first use.
set -euo pipefail
here="${BASH_SOURCE[0]%/*}"
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
cd "$here"

if ! command -v node >/dev/null 2>&1; then
  echo "skipped: node not installed"
  exit 0
fi

if [ ! -d node_modules/vscode-textmate ] || [ ! -d node_modules/vscode-oniguruma ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "skipped: npm not installed (needed once to fetch vscode-textmate and vscode-oniguruma)"
    exit 0
  fi
  npm install --no-audit --no-fund
fi

exec node highlight_test.js "$@"
