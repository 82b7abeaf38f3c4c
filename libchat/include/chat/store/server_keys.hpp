#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/result.hpp>

namespace chat::store {

// One Ed25519 key of a remote server, as its key response (or a notary's)
// gave it: the federation KeyRing's persistent cache (digest federation.md
// §2). Keys of old_verify_keys carry expired_ts.
struct ServerKeyRow {
    std::string server_name;
    std::string key_id;          // "ed25519:abc"
    std::string public_key;      // unpadded base64 of 32 bytes
    std::int64_t valid_until_ts = 0;
    std::optional<std::int64_t> expired_ts;
    std::int64_t fetched_ts = 0;
    // The signed response the key came in, serialized, as notaries pass it on.
    std::string key_json;
    friend bool operator==(const ServerKeyRow&, const ServerKeyRow&) = default;
};

class ServerKeysReader {
public:
    virtual ~ServerKeysReader() = default;
    virtual Result<std::optional<ServerKeyRow>> get(std::string_view server_name,
                                                    std::string_view key_id) = 0;
    // Every key stored for the server, in key id order.
    virtual Result<std::vector<ServerKeyRow>> for_server(std::string_view server_name) = 0;
};

class ServerKeys : public ServerKeysReader {
public:
    // Inserts or replaces the row of (server_name, key_id).
    virtual Result<void> put(const ServerKeyRow& row) = 0;
};

}  // namespace chat::store
