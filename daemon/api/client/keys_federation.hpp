#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/txn.hpp>

#include "http/task.hpp"

namespace chat::daemon {

struct Services;

// End-to-end encryption across servers (issue 11 point 4), the client side:
// the parts of /keys/query, /keys/claim and sendToDevice that concern users
// of other servers, and the EDUs that tell other servers of our users'
// device changes. Remote device lists are not cached: every /keys/query for
// a remote user asks its server, which is always current and needs no
// invalidation (m.device_list_update only tells our clients to ask again).

// Splits a /keys/query or /keys/claim request map (user id -> anything) by
// server: `local` keeps our users (and unparsable ids, which the local code
// skips), `remote` gets server -> {user -> value}.
void split_by_server(const nlohmann::json& wanted, std::string_view local_server,
                     nlohmann::json& local, nlohmann::json& remote);

// Asks each server of `remote` (from split_by_server) with POST
// /_matrix/federation/v1/user/keys/query or /claim and merges the answers
// into `answer` (a /keys/query or /keys/claim body); an unreachable server
// goes into answer["failures"][server]. Only entries for users of the
// answering server are taken.
Task<void> query_remote_keys(const Services& services, const nlohmann::json& remote,
                             nlohmann::json& answer);
Task<void> claim_remote_keys(const Services& services, const nlohmann::json& remote,
                             nlohmann::json& answer);

// Queues to-device messages of `sender` for the local `user`: `devices` is
// device id ("*": all) -> content. Unknown devices are skipped. Returns
// whether any row was written.
Result<bool> deliver_local_to_device(store::WriteTxn& txn, const UserId& sender,
                                     std::string_view type, const UserId& user,
                                     const nlohmann::json& devices);

// Sends the remote part of a sendToDevice request as one m.direct_to_device
// EDU per server; `message_id` lets the receiver drop a repeat.
void send_remote_to_device(const Services& services, const UserId& sender, std::string_view type,
                           const std::string& message_id, const nlohmann::json& messages);

// Tells every server sharing a room with `user` that its device list
// changed (m.device_list_update; `device_id` empty for a cross-signing-only
// change, then m.signing_key_update goes too). Best effort, as EDUs are.
Task<void> announce_device_change(const Services& services, const UserId& user,
                                  std::string device_id, bool signing_keys_changed);

}  // namespace chat::daemon
