#include <chat/crypto/password.hpp>

#include <cstring>

#include <sodium.h>

#include "crypto/sodium_init.hpp"

namespace chat::crypto {
namespace {

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr std::size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
constexpr std::string_view kArgon2idPrefix = crypto_pwhash_argon2id_STRPREFIX;

const char* chars_of(std::string_view s) {
    static const char kEmpty = 0;
    return s.empty() ? &kEmpty : s.data();
}

// libsodium wants a NUL-terminated hash string in a crypto_pwhash_STRBYTES buffer. Copies
// `stored` there; false when it cannot be a hash libsodium made (too long, embedded NUL).
bool to_c_hash(std::string_view stored, char (&out)[crypto_pwhash_STRBYTES]) {
    if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
    if (stored.find('\0') != std::string_view::npos) return false;
    std::memset(out, 0, sizeof out);
    std::memcpy(out, stored.data(), stored.size());
    return true;
}

}  // namespace

Result<std::string> hash_password(std::string_view password) {
    if (password.size() > kMaxPasswordBytes)
        return make_error(Errc::invalid_param, "Password too long.");
    detail::ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, chars_of(password), password.size(), kOpsLimit, kMemLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return make_error(Errc::internal, "Internal server error.",
                          "crypto_pwhash_str_alg failed (out of memory?)");
    return std::string(out);  // NUL-terminated by libsodium
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
    if (password.size() > kMaxPasswordBytes) return false;
    char hash[crypto_pwhash_STRBYTES];
    if (!to_c_hash(stored_hash, hash)) return false;
    detail::ensure_sodium();
    // Returns -1 both for a wrong password and for a hash it cannot parse.
    return crypto_pwhash_str_verify(hash, chars_of(password), password.size()) == 0;
}

bool password_needs_rehash(std::string_view stored_hash) {
    // crypto_pwhash_str_needs_rehash also accepts Argon2i strings with matching
    // parameters; we want every stored hash to become Argon2id.
    if (!stored_hash.starts_with(kArgon2idPrefix)) return true;
    char hash[crypto_pwhash_STRBYTES];
    if (!to_c_hash(stored_hash, hash)) return true;
    detail::ensure_sodium();
    return crypto_pwhash_str_needs_rehash(hash, kOpsLimit, kMemLimit) != 0;
}

}  // namespace chat::crypto
