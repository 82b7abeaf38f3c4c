#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <chat/core/result.hpp>

namespace chat::crypto {

// An Ed25519 public key with its Matrix key id ("ed25519:abc").
// Binary values (the 32-byte key, 64-byte signatures) are raw bytes in std::string.
class VerifyKey {
public:
    // `key_id` is "ed25519:<version>" with version in [a-zA-Z0-9_]+; `key` is
    // unpadded base64 of 32 bytes. Untrusted input: errors are invalid_param.
    static Result<VerifyKey> from_base64(std::string_view key_id, std::string_view key);
    static Result<VerifyKey> from_bytes(std::string_view key_id, std::string_view key);

    const std::string& key_id() const noexcept { return key_id_; }
    const std::string& public_key() const noexcept { return public_key_; }
    std::string public_key_base64() const;

    // True when `signature` (64 raw bytes) is this key's signature of `message`.
    bool verify(std::string_view message, std::string_view signature) const;

private:
    VerifyKey(std::string key_id, std::string public_key)
        : key_id_(std::move(key_id)), public_key_(std::move(public_key)) {}
    std::string key_id_;
    std::string public_key_;
};

// A server's Ed25519 signing key.
//
// Kept on disk in the format Synapse and Dendrite share, one line:
//   ed25519 <version> <unpadded base64 of the 32-byte seed>
// The seed is the RFC 8032 private key; libsodium's 64-byte secret key is
// derived from it and wiped when the object dies.
class SigningKey {
public:
    // A fresh random key. `version` must match [a-zA-Z0-9_]+ (asserted).
    static SigningKey generate(std::string version);
    // From a 32-byte seed. Errors: invalid_param for a bad seed or version.
    static Result<SigningKey> from_seed(std::string version, std::string_view seed);
    // Parses the one-line file format above (a trailing newline is fine).
    static Result<SigningKey> parse(std::string_view file_text);
    // Reads a key file. Blocks: disk. Errors: not_found (no such file), invalid_param
    // (not a key file, or larger than 4 KiB), storage (other I/O errors).
    static Result<SigningKey> load(const std::filesystem::path& path);

    SigningKey(const SigningKey& other);
    SigningKey& operator=(const SigningKey& other);
    ~SigningKey();

    // Writes the key file with mode 0600, through a temporary file and a
    // rename so that a crash never leaves half a key. Blocks: disk (fsync).
    // Errors: storage, with the path and the OS error in `detail`.
    Result<void> save(const std::filesystem::path& path) const;
    std::string to_file_text() const;  // "ed25519 <version> <seed b64>\n"

    const std::string& version() const noexcept { return version_; }
    std::string key_id() const { return "ed25519:" + version_; }
    VerifyKey verify_key() const;

    // The 64-byte Ed25519 signature of `message`.
    std::string sign(std::string_view message) const;

private:
    SigningKey(std::string version, std::string_view seed);
    std::string version_;
    unsigned char secret_[64];  // libsodium form: seed || public key
};

}  // namespace chat::crypto
