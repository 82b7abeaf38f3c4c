#include <chat/store/tokens.hpp>

#include <chat/crypto/sha256.hpp>

namespace chat::store {

std::string hash_access_token(std::string_view token) {
    // Tokens are long random strings, so a plain hash is enough: nothing to
    // brute-force, unlike passwords (which use argon2id).
    return crypto::sha256(token);
}

}  // namespace chat::store
