#!/usr/bin/env bash
# Installs what is missing, builds chatd (release) and runs it in the
# foreground with the zero-config default: http://127.0.0.1:8008, SQLite and
# the signing key under ./data. Extra arguments go to chatd
# (e.g. --config chatd.yaml). Run from anywhere; data lands in the repo root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_BUILD_TESTS=OFF
cmake --build build/release --target chatd -j"$(nproc)"
exec ./build/release/daemon/chatd "$@"
