#!/usr/bin/env bash
# Installs every Debian 12 package chatd needs to build, run and test.
# Idempotent: packages already installed are skipped, and apt-get is not
# called at all when nothing is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
    # toolchain
    build-essential cmake ninja-build ccache pkg-config git
    clang libclang-rt-14-dev          # libFuzzer and sanitizer runtimes
    # libraries (docs/building.md says why each is here)
    libboost1.81-dev                  # Asio + Beast, C++20 coroutines with as_tuple
    nlohmann-json3-dev libsodium-dev libsqlite3-dev libyaml-cpp-dev
    libhiredis-dev libcpp-httplib-dev libssl-dev
    libcli11-dev                      # chatctl's command line (cli/CMakeLists.txt says why)
    libfmt-dev libspdlog-dev
    libjemalloc-dev                   # chatd's allocator (cmake/ChatDependencies.cmake says why)
    libvips-dev                       # thumbnails (docs/architecture.md)
    # tests and benchmarks
    libgtest-dev libgmock-dev libbenchmark-dev
    redis-server                      # the workers' tests (tests/integration/workers_test.cpp)
    python3-matrix-nio python3-olm    # E2EE interop (tests/interop/e2ee_nio.py)
    curl
    python3-matrix-nio python3-olm    # tests/interop (run with /usr/bin/python3)
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "setup: all ${#packages[@]} packages already installed"
    exit 0
fi

sudo_cmd=()
if ((EUID != 0)); then sudo_cmd=(sudo); fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
