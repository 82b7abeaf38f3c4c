#pragma once

#include <nlohmann/json.hpp>

#include <chat/core/server_name.hpp>

#include "routing/router.hpp"

namespace chat::daemon {

struct Services;

// End-to-end encryption keys for other servers (issue 11 point 4), X-Matrix
// authenticated (register with with_server_auth). Each answers for our own
// users only; users of other servers are left out.

// GET /_matrix/federation/v1/user/devices/{userId}: {user_id, stream_id,
// devices[{device_id, keys, device_display_name}], master_key,
// self_signing_key}. 404 for an unknown user, 400 for one of another server.
Task<Result<Reply>> get_federation_user_devices(Request& request, const ServerName& origin);

// POST /_matrix/federation/v1/user/keys/query {device_keys} and
// POST /_matrix/federation/v1/user/keys/claim {one_time_keys}.
Task<Result<Reply>> post_federation_user_keys_query(Request& request, const ServerName& origin);
Task<Result<Reply>> post_federation_user_keys_claim(Request& request, const ServerName& origin);

// EDUs from PUT /send (api/federation/transactions.cpp): the sender must
// be a user of `origin`. m.device_list_update and m.signing_key_update mark
// the user's device list changed, so local users sharing a room see them
// in sync device_lists.changed and ask again; m.direct_to_device queues the
// messages for local devices once per (origin, message_id).
Task<void> device_list_update_edu(const Services& services, const ServerName& origin,
                                  const nlohmann::json& content);
Task<void> direct_to_device_edu(const Services& services, const ServerName& origin,
                                const nlohmann::json& content);

}  // namespace chat::daemon
