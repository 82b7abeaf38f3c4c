#include <chat/crypto/hmac.hpp>

#include <cstdlib>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace chat::crypto {

std::string hmac_sha1(std::string_view key, std::string_view message) {
    // libsodium has no HMAC-SHA1, hence OpenSSL's one-shot HMAC() (not deprecated in 3.0).
    // HMAC() rejects a null key pointer even for an empty key.
    static const unsigned char kEmpty = 0;
    const void* key_data = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
    const auto* msg =
        message.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(message.data());
    std::string mac(kHmacSha1Bytes, '\0');
    unsigned int length = 0;
    const unsigned char* done =
        HMAC(EVP_sha1(), key_data, static_cast<int>(key.size()), msg, message.size(),
             reinterpret_cast<unsigned char*>(mac.data()), &length);
    // HMAC fails only when OpenSSL cannot allocate or has no SHA-1 at all; neither can be
    // handled by a caller, and a wrong MAC would silently refuse every admin registration.
    if (done == nullptr || length != kHmacSha1Bytes) std::abort();
    return mac;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace chat::crypto
