#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// End-to-end encryption keys: api/client/keys.cpp, over libchat
// e2ee/keys.hpp. Local users only until federation (issue 9): remote users
// are reported under `failures`. Blocks: SQLite, on the DB pool.

// POST /_matrix/client/v3/keys/upload
Task<Result<Reply>> post_keys_upload(Request& request);
// POST /_matrix/client/v3/keys/query
Task<Result<Reply>> post_keys_query(Request& request);
// POST /_matrix/client/v3/keys/claim
Task<Result<Reply>> post_keys_claim(Request& request);
// GET /_matrix/client/v3/keys/changes?from=&to=
Task<Result<Reply>> get_keys_changes(Request& request);
// POST /_matrix/client/v3/keys/device_signing/upload (UIA: m.login.password)
Task<Result<Reply>> post_keys_device_signing_upload(Request& request);
// POST /_matrix/client/v3/keys/signatures/upload
Task<Result<Reply>> post_keys_signatures_upload(Request& request);

// PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}
Task<Result<Reply>> put_send_to_device(Request& request);

}  // namespace chat::daemon
