#pragma once

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/federation/runtime/task.hpp>

namespace chat::federation {

// Where the KeyRing gets key responses from the network: FederationClient
// over HTTP, an in-memory fake in tests. Results are untrusted bodies; the
// KeyRing checks them. Errors as FederationClient's (remote_unavailable when
// the server could not be reached).
class KeyFetcher {
public:
    virtual ~KeyFetcher() = default;
    // GET /_matrix/key/v2/server from `server` itself.
    virtual Task<Result<nlohmann::json>> fetch_server_keys(ServerName server) = 0;
    // POST /_matrix/key/v2/query to `notary` with `body`.
    virtual Task<Result<nlohmann::json>> query_notary(ServerName notary, nlohmann::json body) = 0;
};

}  // namespace chat::federation
