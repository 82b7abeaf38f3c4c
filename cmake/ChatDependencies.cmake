# Debian 12 packages only; scripts/setup.sh installs all of them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# libcrypto: HMAC-SHA1 (shared-secret registration), which libsodium lacks, and SHA-256
# with the CPU's SHA extensions (docs/architecture.md).
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)

if(CHAT_BUILD_DAEMON)
    # 1.81 rather than Debian's default 1.74: as_tuple and per-operation cancellation
    # make Beast coroutine code much simpler (docs/architecture.md).
    find_package(Boost 1.81 EXACT REQUIRED)
    find_package(yaml-cpp REQUIRED)
    find_package(fmt REQUIRED)
    # chatctl (cli/): argument parsing and its HTTP client.
    find_package(CLI11 REQUIRED)
    pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()

if(CHAT_BUILD_TESTS)
    find_package(GTest REQUIRED)
    if(NOT TARGET PkgConfig::HTTPLIB)
        pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
    endif()
endif()

if(CHAT_BENCH)
    find_package(benchmark REQUIRED)
endif()

# The allocator of chatd and of the benchmarks that measure its paths:
# jemalloc (libjemalloc-dev) in place of glibc's malloc. The send path builds
# and frees many small JSON nodes and SQLite buffers per event; with jemalloc
# it takes about 10% less CPU per message (docs/benchmarks.md, session 8), and
# a long-running server fragments less. libchat itself never picks an
# allocator: that is its embedder's choice. Sanitizer and fuzz builds keep
# their own allocator.
add_library(chat_allocator INTERFACE)
if(CHAT_JEMALLOC AND NOT CHAT_SANITIZE AND NOT CHAT_FUZZ)
    pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
    target_link_libraries(chat_allocator INTERFACE PkgConfig::JEMALLOC)
endif()
