#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::crypto {

inline constexpr std::size_t kSha256Bytes = 32;

// The SHA-256 digest of `bytes`: 32 raw bytes (base64-encode them for JSON). Any input is
// fine; never fails. Content and reference hashes of events use it (spec §6.3).
std::string sha256(std::string_view bytes);

// SHA-256 over bytes that arrive in pieces (a file read in chunks), so that
// large content is hashed without being held whole. Not thread-safe; cheap
// to create. finish() once, then the object is spent.
class Sha256Stream {
public:
    Sha256Stream();
    void update(std::string_view bytes);
    // The 32 raw bytes of the digest of everything update() was given.
    std::string finish();

private:
    // libsodium's crypto_hash_sha256_state, kept opaque so that this header
    // does not include sodium.h (checked by a static_assert in sha256.cpp).
    alignas(8) unsigned char state_[104];
};

}  // namespace chat::crypto
