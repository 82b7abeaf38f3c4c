#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/crypto/signing_key.hpp>

namespace chat::federation {

// Server key responses, GET /_matrix/key/v2/server (digest federation.md §2):
// building ours, and checking one a remote server (or a notary) sent.

// A key we no longer sign with, still published so that events signed with
// it can be checked (config federation.old_signing_keys).
struct OldVerifyKey {
    std::string key_id;              // "ed25519:abc"
    std::string public_key_base64;   // unpadded base64 of 32 bytes
    std::int64_t expired_ts = 0;     // ms; the key signed nothing after this
    friend bool operator==(const OldVerifyKey&, const OldVerifyKey&) = default;
};

// Our signed key response: server_name, verify_keys {key.key_id(): {key}},
// old_verify_keys, valid_until_ts, signatures. Errors: internal (signing).
Result<nlohmann::json> make_server_keys(const ServerName& server, const crypto::SigningKey& key,
                                        const std::vector<OldVerifyKey>& old_keys,
                                        std::int64_t valid_until_ts);

// One key out of a checked response.
struct PublishedKey {
    crypto::VerifyKey key;
    std::int64_t valid_until_ts = 0;          // the response's
    std::optional<std::int64_t> expired_ts;  // set for old_verify_keys
};

// A key response that passed parse_server_keys.
struct ServerKeyResponse {
    ServerName server;
    std::int64_t valid_until_ts = 0;
    std::vector<PublishedKey> keys;  // verify_keys, then old_verify_keys
    nlohmann::json response;         // as received, for notary answers
};

// Checks an untrusted key response said to come from `expected`: it is an
// object whose server_name is `expected`, valid_until_ts an integer,
// verify_keys a non-empty map of valid Ed25519 keys, old_verify_keys (if
// any) keys with an integer expired_ts; and it is signed by `expected` with
// at least one of its verify_keys, every such signature verifying.
// Signatures by other servers (notaries) are left to the caller. Errors:
// Errc::forbidden for a bad signature or a server_name mismatch,
// Errc::bad_json for a wrong shape.
Result<ServerKeyResponse> parse_server_keys(const nlohmann::json& response,
                                            const ServerName& expected);

}  // namespace chat::federation
