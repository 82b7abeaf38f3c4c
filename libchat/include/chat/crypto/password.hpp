#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <chat/core/result.hpp>

namespace chat::crypto {

// Passwords longer than this are refused by hash_password and never match in
// verify_password. Argon2 accepts any length, but hashing cost grows with it, and no
// human-chosen password comes near this.
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Hashes `password` with Argon2id (libsodium crypto_pwhash_str_alg, ALG_ARGON2ID13, with
// OPSLIMIT_INTERACTIVE and MEMLIMIT_INTERACTIVE: 2 passes over 64 MiB) and a fresh random
// salt. The result is a self-describing PHC string ("$argon2id$v=19$m=65536,t=2,p=1$...")
// to store as is.
//
// Blocks: about 0.1 s of CPU and 64 MiB of memory. Run it on the blocking pool, never on a
// network thread. Thread-safe. Errors: invalid_param for a password over
// kMaxPasswordBytes; internal when the memory cannot be allocated.
Result<std::string> hash_password(std::string_view password);

// True when `password` matches `stored_hash` (a string from hash_password, or any Argon2
// PHC string libsodium understands). The comparison is constant-time. A malformed or empty
// stored hash is simply false. Blocks like hash_password, for the parameters in the stored
// hash; an attacker who can write stored hashes can make this slow.
bool verify_password(std::string_view stored_hash, std::string_view password);

// True when `stored_hash` is not an Argon2id hash with our current parameters (or is not a
// valid hash at all), so that the caller should re-hash the password after the next
// successful login. Cheap: parses the string only.
bool password_needs_rehash(std::string_view stored_hash);

}  // namespace chat::crypto
