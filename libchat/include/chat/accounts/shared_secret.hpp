#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat::accounts {

// Shared-secret registration as Synapse defines it (POST /_synapse/admin/v1/register), which
// creates the first admin before anyone can log in. The client proves it knows the server's
// registration secret with
//   hex(HMAC-SHA1(secret, nonce NUL username NUL password NUL ("admin" | "notadmin")
//                         [NUL user_type]))
// in lower case, where `username` is the localpart exactly as sent in the request (before any
// lower-casing) and the nonce is one the server handed out (single use, the caller's job).

// The MAC for these fields. Pure; for clients (chatctl, tests).
std::string shared_secret_mac(std::string_view secret, std::string_view nonce,
                              std::string_view username, std::string_view password, bool admin,
                              std::optional<std::string_view> user_type = {});

// True when `mac_hex` (untrusted) is the MAC of these fields under `secret`, compared in
// constant time. Always false for an empty secret, so an unset secret never matches.
bool check_shared_secret_mac(std::string_view secret, std::string_view nonce,
                             std::string_view username, std::string_view password, bool admin,
                             std::string_view mac_hex,
                             std::optional<std::string_view> user_type = {});

}  // namespace chat::accounts
