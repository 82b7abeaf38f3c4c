#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::crypto {

inline constexpr std::size_t kSha256Bytes = 32;

// The SHA-256 digest of `bytes`: 32 raw bytes (base64-encode them for JSON). Any input is
// fine; never fails. Content and reference hashes of events use it (spec §6.3).
std::string sha256(std::string_view bytes);

}  // namespace chat::crypto
