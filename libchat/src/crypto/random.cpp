#include <chat/crypto/random.hpp>

#include <sodium.h>

#include "crypto/sodium_init.hpp"

namespace chat::crypto {

std::string random_alphanumeric(std::size_t length) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    detail::ensure_sodium();
    std::string out(length, '\0');
    // uniform() avoids the modulo bias of reducing a random byte.
    for (auto& c : out) c = kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)];
    return out;
}

}  // namespace chat::crypto
