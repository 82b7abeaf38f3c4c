#include <chat/crypto/sha256.hpp>

#include <sodium.h>

namespace chat::crypto {

static_assert(crypto_hash_sha256_BYTES == kSha256Bytes);
// Sha256Stream keeps the state in an opaque buffer of this size.
static_assert(sizeof(crypto_hash_sha256_state) <= 104);
static_assert(alignof(crypto_hash_sha256_state) <= 8);

std::string sha256(std::string_view bytes) {
    // crypto_hash_sha256 needs no sodium_init(): it has a single portable implementation.
    static const unsigned char kEmpty = 0;
    const auto* in = bytes.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(bytes.data());
    std::string digest(kSha256Bytes, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()), in, bytes.size());
    return digest;
}

namespace {

crypto_hash_sha256_state* state_of(unsigned char* buffer) {
    return reinterpret_cast<crypto_hash_sha256_state*>(buffer);
}

}  // namespace

Sha256Stream::Sha256Stream() : state_{} { crypto_hash_sha256_init(state_of(state_)); }

void Sha256Stream::update(std::string_view bytes) {
    if (bytes.empty()) return;
    crypto_hash_sha256_update(state_of(state_),
                              reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string Sha256Stream::finish() {
    std::string digest(kSha256Bytes, '\0');
    crypto_hash_sha256_final(state_of(state_), reinterpret_cast<unsigned char*>(digest.data()));
    return digest;
}

}  // namespace chat::crypto
