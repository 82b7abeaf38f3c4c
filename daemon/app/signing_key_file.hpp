#pragma once

#include <filesystem>

#include <chat/core/result.hpp>
#include <chat/crypto/signing_key.hpp>

namespace chat::daemon {

struct LoadedSigningKey {
    chat::crypto::SigningKey key;
    bool generated = false;  // true on the first start: the file did not exist
};

// Loads this server's signing key from `path`, or generates one and saves it
// there (mode 0600) when the file does not exist. A file that exists but does
// not parse is an error, never overwritten: other servers trust that key.
// Blocks: disk. Errors carry the path in `message` (for the operator).
Result<LoadedSigningKey> load_or_generate_signing_key(const std::filesystem::path& path);

}  // namespace chat::daemon
