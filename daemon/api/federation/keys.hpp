#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Server keys (digest federation.md §2), unauthenticated by the spec.

// GET /_matrix/key/v2/server: our signed key response (KeyRing::own_keys).
Task<Result<Reply>> get_key_server(Request& request);

// GET /_matrix/key/v2/query/{serverName}?minimum_valid_until_ts=
// As a notary: the key responses we hold or fetch for that server, each
// signed by us too. {"server_keys": [...]}, empty when we have none.
Task<Result<Reply>> get_key_query(Request& request);

// POST /_matrix/key/v2/query {"server_keys": {server: {key_id: {minimum_valid_until_ts}}}}
// The same for several servers (at most kMaxNotaryServers per request).
Task<Result<Reply>> post_key_query(Request& request);

}  // namespace chat::daemon
