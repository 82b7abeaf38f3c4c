#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/server_name.hpp>
#include <chat/core/user_id.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/store/store.hpp>

namespace chat::rooms {

// An event built on a room's current forward extremities and current state
// but not persisted: the template of make_join / make_leave / make_knock,
// which the remote user's server completes and signs, and our invite of a
// remote user, which their server countersigns before we persist it.
struct EventTemplate {
    const RoomVersion* version = nullptr;
    nlohmann::json event;  // no hashes, signatures or (v3+) event id
};

struct TemplateFields {
    UserId sender;
    RoomId room_id;
    std::string type;
    std::optional<std::string> state_key;
    nlohmann::json content = nlohmann::json::object();
};

// Builds the template (prev_events: at most 20 forward extremities; depth;
// auth_events from the current state; origin and origin_server_ts) and
// checks that the event would pass the authorization rules against the
// current state. Errors: not_found (unknown room), forbidden (the rules
// refuse it; the message names the rule).
Result<EventTemplate> build_template(store::ReadTxn& txn, const TemplateFields& fields,
                                     const ServerName& origin, std::int64_t now_ms);

// Completes a template as `server` would (v1-v2 event id, content hash,
// signature) and parses it. Errors: bad_json.
Result<PduPtr> sign_template(nlohmann::json event, const RoomVersion& version,
                             const ServerName& server, const crypto::SigningKey& key);

}  // namespace chat::rooms
