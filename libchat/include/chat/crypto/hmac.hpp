#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::crypto {

inline constexpr std::size_t kHmacSha1Bytes = 20;

// HMAC-SHA1 (RFC 2104) of `message` under `key`: 20 raw bytes. Only for protocols that
// define it, such as Synapse's shared-secret registration; new designs use SHA-256 or
// better. Any message length and any key up to 2 GiB is fine; never fails. Thread-safe.
std::string hmac_sha1(std::string_view key, std::string_view message);

// True when `a` and `b` are equal. The time taken depends on their lengths, never on
// their contents, so comparing a secret-derived value with one an attacker sent leaks
// nothing but its length.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace chat::crypto
