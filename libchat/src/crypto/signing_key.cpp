#include <chat/crypto/signing_key.hpp>

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chat/json/base64.hpp>

#include "crypto/sodium_init.hpp"

namespace chat::crypto {
namespace {

static_assert(crypto_sign_SEEDBYTES == 32);
static_assert(crypto_sign_PUBLICKEYBYTES == 32);
static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_BYTES == 64);

constexpr std::string_view kAlgorithm = "ed25519";
constexpr std::string_view kKeyIdPrefix = "ed25519:";
// Key versions are short in practice ("a_AbCd", "auto"); a bound keeps hostile key ids from
// costing more than a line in a cache.
constexpr std::size_t kMaxKeyVersionLength = 128;
// A key file is one short line; anything much longer is not a key file.
constexpr std::size_t kMaxKeyFileBytes = 4096;

// §2.7: a key version matches [a-zA-Z0-9_]+.
bool valid_key_version(std::string_view version) {
    if (version.empty() || version.size() > kMaxKeyVersionLength) return false;
    for (char c : version) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_';
        if (!ok) return false;
    }
    return true;
}

// libsodium reads `len` bytes from the pointer; an empty string_view may hold nullptr.
const unsigned char* bytes_of(std::string_view s) {
    static const unsigned char kEmpty = 0;
    return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

// Wipes a string that held secret material before it is freed.
void wipe(std::string& s) {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

Error key_file_error(std::string detail) {
    return make_error(Errc::invalid_param, "Invalid signing key file.", std::move(detail));
}

std::string errno_text(int err) { return std::strerror(err); }

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

// VerifyKey

Result<VerifyKey> VerifyKey::from_base64(std::string_view key_id, std::string_view key) {
    auto raw = json::base64_decode(key);
    if (!raw) return make_error(Errc::invalid_param, "Invalid verify key.", "not base64");
    return from_bytes(key_id, *raw);
}

Result<VerifyKey> VerifyKey::from_bytes(std::string_view key_id, std::string_view key) {
    if (!key_id.starts_with(kKeyIdPrefix) ||
        !valid_key_version(key_id.substr(kKeyIdPrefix.size())))
        return make_error(Errc::invalid_param, "Invalid key id.");
    if (key.size() != crypto_sign_PUBLICKEYBYTES)
        return make_error(Errc::invalid_param, "Invalid verify key.",
                          "length " + std::to_string(key.size()));
    return VerifyKey(std::string(key_id), std::string(key));
}

std::string VerifyKey::public_key_base64() const { return json::base64_encode(public_key_); }

bool VerifyKey::verify(std::string_view message, std::string_view signature) const {
    if (signature.size() != crypto_sign_BYTES || public_key_.size() != crypto_sign_PUBLICKEYBYTES)
        return false;
    detail::ensure_sodium();
    return crypto_sign_verify_detached(bytes_of(signature), bytes_of(message), message.size(),
                                       bytes_of(public_key_)) == 0;
}

// SigningKey

SigningKey::SigningKey(std::string version, std::string_view seed) : version_(std::move(version)) {
    detail::ensure_sodium();
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_seed_keypair(public_key, secret_, bytes_of(seed));
}

SigningKey SigningKey::generate(std::string version) {
    assert(valid_key_version(version));  // our own configuration, not wire input
    detail::ensure_sodium();
    unsigned char seed[crypto_sign_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    SigningKey key(std::move(version),
                   std::string_view(reinterpret_cast<const char*>(seed), sizeof seed));
    sodium_memzero(seed, sizeof seed);
    return key;
}

Result<SigningKey> SigningKey::from_seed(std::string version, std::string_view seed) {
    if (!valid_key_version(version))
        return make_error(Errc::invalid_param, "Invalid signing key version.");
    if (seed.size() != crypto_sign_SEEDBYTES)
        return make_error(Errc::invalid_param, "Invalid signing key seed.",
                          "seed length " + std::to_string(seed.size()));
    return SigningKey(std::move(version), seed);
}

Result<SigningKey> SigningKey::parse(std::string_view file_text) {
    std::string_view line = file_text;
    if (line.ends_with('\n')) line.remove_suffix(1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find_first_of("\r\n") != std::string_view::npos)
        return key_file_error("more than one line");

    auto first = line.find(' ');
    auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos || line.find(' ', second + 1) != std::string_view::npos)
        return key_file_error("expected 'ed25519 <version> <seed>'");
    auto algorithm = line.substr(0, first);
    auto version = line.substr(first + 1, second - first - 1);
    auto seed_b64 = line.substr(second + 1);
    if (algorithm != kAlgorithm) return key_file_error("unsupported algorithm");
    if (!valid_key_version(version)) return key_file_error("invalid key version");

    auto seed = json::base64_decode(seed_b64);
    if (!seed) return key_file_error("seed is not base64");  // the seed itself is never logged
    auto key = from_seed(std::string(version), *seed);
    wipe(*seed);
    if (!key) return key_file_error("seed is not 32 bytes");
    return key;
}

Result<SigningKey> SigningKey::load(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT)
            return make_error(Errc::not_found, "Signing key file not found.", path.string());
        return make_error(Errc::storage, "Cannot read the signing key file.",
                          path.string() + ": " + errno_text(err));
    }
    std::string text;
    char buf[512];
    bool failed = false;
    int read_errno = 0;
    while (text.size() <= kMaxKeyFileBytes) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            failed = true;
            read_errno = errno;
            break;
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    sodium_memzero(buf, sizeof buf);
    ::close(fd);
    if (failed) {
        wipe(text);
        return make_error(Errc::storage, "Cannot read the signing key file.",
                          path.string() + ": " + errno_text(read_errno));
    }
    if (text.size() > kMaxKeyFileBytes) {
        wipe(text);
        return key_file_error(path.string() + ": file too large");
    }
    auto key = parse(text);
    wipe(text);
    if (!key) {
        auto e = std::move(key).error();
        e.detail = path.string() + ": " + e.detail;
        return e;
    }
    return key;
}

SigningKey::SigningKey(const SigningKey& other) : version_(other.version_) {
    std::memcpy(secret_, other.secret_, sizeof secret_);
}

SigningKey& SigningKey::operator=(const SigningKey& other) {
    if (this != &other) {
        version_ = other.version_;
        std::memcpy(secret_, other.secret_, sizeof secret_);
    }
    return *this;
}

SigningKey::~SigningKey() { sodium_memzero(secret_, sizeof secret_); }

Result<void> SigningKey::save(const std::filesystem::path& path) const {
    // mkostemp creates the file with O_EXCL and mode 0600 in the target's directory, so
    // the rename below is atomic and the key is never readable by others, even briefly.
    std::string tmp_name = path.string() + ".tmp.XXXXXX";
    int fd = ::mkostemp(tmp_name.data(), O_CLOEXEC);
    if (fd < 0)
        return make_error(Errc::storage, "Cannot write the signing key file.",
                          tmp_name + ": " + errno_text(errno));

    auto fail = [&](const char* step, int err) -> Error {
        ::unlink(tmp_name.c_str());
        return make_error(Errc::storage, "Cannot write the signing key file.",
                          tmp_name + ": " + step + ": " + errno_text(err));
    };
    std::string text = to_file_text();
    bool written = write_all(fd, text) && ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;
    int err = errno;
    wipe(text);
    if (!written) {
        ::close(fd);
        return fail("write", err);
    }
    if (::fsync(fd) != 0) {
        err = errno;
        ::close(fd);
        return fail("fsync", err);
    }
    if (::close(fd) != 0) return fail("close", errno);
    if (::rename(tmp_name.c_str(), path.c_str()) != 0) return fail("rename", errno);

    // Make the rename itself durable. A failure here leaves a complete key in place.
    auto dir = path.parent_path();
    int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
    return ok();
}

std::string SigningKey::to_file_text() const {
    std::string_view seed(reinterpret_cast<const char*>(secret_), crypto_sign_SEEDBYTES);
    return std::string(kAlgorithm) + " " + version_ + " " + json::base64_encode(seed) + "\n";
}

VerifyKey SigningKey::verify_key() const {
    std::string_view public_key(reinterpret_cast<const char*>(secret_) + crypto_sign_SEEDBYTES,
                                crypto_sign_PUBLICKEYBYTES);
    // Cannot fail: the version was validated when this key was made and the length is fixed.
    return *VerifyKey::from_bytes(key_id(), public_key);
}

std::string SigningKey::sign(std::string_view message) const {
    detail::ensure_sodium();
    std::string signature(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         bytes_of(message), message.size(), secret_);
    return signature;
}

}  // namespace chat::crypto
