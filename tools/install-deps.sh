#!/bin/sh
# Installs the Debian 12 packages mtc needs to build and test, if any is missing.
# Run as root (or with sudo). Does nothing when everything is installed.
set -e
PKGS="g++ cmake ninja-build antlr4 libantlr4-runtime-dev llvm-dev libfmt-dev libeigen3-dev \
libglpk-dev libsuitesparse-dev glpk-utils libnlopt-cxx-dev libboost-math-dev libfast-float-dev libtbb-dev catch2 libcli11-dev nlohmann-json3-dev libsqlite3-dev \
libpq-dev postgresql \
python3 python3-numpy python3-jsonschema python3-sqlglot graphviz neovim \
chromium python3-websocket"
# Node.js and npm run the editor-grammar and Mermaid tests (their npm packages
# install in the tests). A machine that brings its own node keeps it: Debian's
# npm would conflict with it.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
