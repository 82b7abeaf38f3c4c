#pragma once

#include <string>
#include <string_view>

#include <chat/core/result.hpp>

namespace chat::json {

// Unpadded base64 as the Matrix appendix defines it (RFC 4648 without '=').
// Binary values are carried in std::string: bytes in, bytes out.

// Standard alphabet (A-Z a-z 0-9 + /), no padding. Keys, signatures, hashes.
std::string base64_encode(std::string_view bytes);
// URL-safe alphabet ('-' and '_'), no padding. Event ids (v4+), v12 room ids.
std::string base64_url_encode(std::string_view bytes);

// Decoders accept input with or without '=' padding, as the spec asks, and
// ignore the unused low bits of the last character, as the reference
// implementations do (the spec's own published key seed sets them). They
// refuse characters outside their alphabet and impossible lengths.
// Untrusted input; errors are Errc::invalid_param.
Result<std::string> base64_decode(std::string_view text);
Result<std::string> base64_url_decode(std::string_view text);

}  // namespace chat::json
