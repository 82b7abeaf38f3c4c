#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test through
# ctest. Two builds:
#   build/ci    g++, ASan+UBSan, warnings as errors: unit and integration tests
#   build/fuzz  clang with libFuzzer: each fuzz target runs for a bounded time
# Exits non-zero if any build or test fails. CHAT_FUZZ_SECONDS overrides the
# per-target fuzzing time (default 30).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
# Let ccache share hits between clones at different paths (CI uses a fresh clone).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

bash scripts/setup.sh

echo "== build/ci: g++ with ASan+UBSan, -Werror"
cmake -S . -B build/ci -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCHAT_SANITIZE=ON -DCHAT_WERROR=ON -DCHAT_BUILD_TESTS=ON
cmake --build build/ci -j"$jobs"

echo "== build/fuzz: clang with libFuzzer"
CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DCHAT_FUZZ=ON -DCHAT_BUILD_TESTS=OFF -DCHAT_BUILD_DAEMON=OFF \
    -DCHAT_WERROR=ON -DCHAT_FUZZ_SECONDS="${CHAT_FUZZ_SECONDS:-30}"
cmake --build build/fuzz -j"$jobs"

# UBSan findings must fail the run, not scroll by.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1

status=0
echo "== unit and integration tests"
ctest --test-dir build/ci --output-on-failure -j"$jobs" || status=1
echo "== fuzz targets"
ctest --test-dir build/fuzz --output-on-failure -L fuzz || status=1
exit $status
