#include <chat/crypto/sha256.hpp>

#include <sodium.h>

namespace chat::crypto {

static_assert(crypto_hash_sha256_BYTES == kSha256Bytes);

std::string sha256(std::string_view bytes) {
    // crypto_hash_sha256 needs no sodium_init(): it has a single portable implementation.
    static const unsigned char kEmpty = 0;
    const auto* in = bytes.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(bytes.data());
    std::string digest(kSha256Bytes, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()), in, bytes.size());
    return digest;
}

}  // namespace chat::crypto
