#pragma once

#include <cstdlib>

#include <sodium.h>

namespace chat::crypto::detail {

// Initialises libsodium once per process (thread-safe: a function-local static), before
// anything that needs its random generator or its CPU-specific implementations.
// sodium_init() fails only when the system has no usable entropy source; signing keys and
// password salts made without one would be predictable, so we stop rather than go on.
inline void ensure_sodium() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) std::abort();
}

}  // namespace chat::crypto::detail
