#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/crypto/signing_key.hpp>

namespace chat::federation {

// Request authentication between servers: the `Authorization: X-Matrix`
// header (spec server-server-api "Request Authentication"; digest
// federation.md §3). Pure functions over libchat: no sockets, no Asio, so
// that the header parser can be fuzzed on its own (tests/fuzz).

// Header values longer than this are refused unparsed: a real one is about
// 200 bytes (two server names, a key id and an 86-character signature).
inline constexpr std::size_t kMaxXMatrixHeaderBytes = 4096;

// The parameters of one X-Matrix header, as sent (not yet verified).
struct XMatrixAuth {
    std::string origin;
    std::optional<std::string> destination;  // old servers leave it out
    std::string key;                         // "ed25519:abc"
    std::string sig;                         // unpadded base64
};

// The JSON object a request signature covers (§3.1): method, uri (path and
// query exactly as sent), origin, destination and, only when the request has
// a body, content.
nlohmann::json x_matrix_signed_object(std::string_view method, std::string_view uri,
                                      std::string_view origin, std::string_view destination,
                                      const nlohmann::json* content);

// The Authorization header value for a request from `origin` to
// `destination`, signed with `key`:
//   X-Matrix origin="o",destination="d",key="ed25519:k",sig="..."
// Errors: bad_json when `content` has no canonical form (a float).
Result<std::string> x_matrix_authorization(const ServerName& origin,
                                           const ServerName& destination,
                                           const crypto::SigningKey& key, std::string_view method,
                                           std::string_view uri, const nlohmann::json* content);

// Parses one Authorization header value. The scheme is matched without
// regard to case; parameters are comma-separated auth-params (RFC 9110
// §11.4) in any order, names case-insensitive, values tokens or quoted
// strings (backslash escapes one character), unknown names ignored; an
// unquoted value may contain ':' (for older senders). `signature` is taken
// as a synonym of `sig` (the spec's text names it so). Errors:
// Errc::unknown_token with a client-safe message for anything malformed:
// another scheme, a missing origin, key or sig, a repeated parameter, an
// origin that is no server name, or more than kMaxXMatrixHeaderBytes.
Result<XMatrixAuth> parse_x_matrix(std::string_view header_value);

}  // namespace chat::federation
