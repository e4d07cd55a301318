#!/bin/sh
# Fuzzing set-up (not needed by CI or by tools/install-deps.sh): installs AFL++
# and GCC's plugin headers, rebuilds AFL++'s GCC plugin against the installed
# GCC, and configures build-fuzz with afl-gcc-fast/afl-g++-fast. See README.md:
# Debian 12's afl++ 4.04c-4 ships an afl-gcc-pass.so built against an earlier
# GCC 12.2.0 package, and refuses to load ("GCC and plugin have incompatible
# versions, expected GCC 12.2.0, is 12.2.0"); clang++ 14 (afl-clang-fast) cannot
# compile the ANTLR 4.9 runtime's headers (docs: ENGINEERING.md).
# usage: sh fuzz/setup-afl.sh   (as root, or with the packages already installed)
set -e
cd "$(dirname "$0")/.."
root=$(pwd)
afl=$root/build-fuzz/afl          # AFL_PATH: the rebuilt plugin + Debian's runtime objects
if ! command -v afl-fuzz >/dev/null || [ ! -d "$(gcc -print-file-name=plugin)/include" ]; then
  apt-get install -y afl++ gcc-12-plugin-dev
fi
mkdir -p "$afl"
if [ ! -f "$afl/afl-gcc-pass.so" ]; then
  src=$root/build-fuzz/aflplusplus-4.04c
  if [ ! -d "$src" ]; then
    git clone --quiet --depth 1 --branch 4.04c https://github.com/AFLplusplus/AFLplusplus "$src"
  fi
  plugin=$(gcc -print-file-name=plugin)
  g++ -O2 -std=c++11 -fPIC -fno-rtti -I"$plugin/include" -I"$plugin" -I"$src/include" -shared \
    "$src/instrumentation/afl-gcc-pass.so.cc" -o "$afl/afl-gcc-pass.so"
fi
for f in /usr/lib/afl/*; do
  [ -e "$afl/$(basename "$f")" ] || ln -s "$f" "$afl/$(basename "$f")"
done
AFL_PATH=$afl CC=afl-gcc-fast CXX=afl-g++-fast cmake -S . -B build-fuzz -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTC_BUILD_TESTS=OFF -DMTC_BUILD_BENCH=OFF
echo "now: AFL_PATH=$afl flock /tmp/mtc-build.lock cmake --build build-fuzz --target fuzz_parse fuzz_csv fuzz_calendar fuzz_lsp"
