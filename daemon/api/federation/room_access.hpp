#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/server_name.hpp>
#include <chat/events/pdu.hpp>
#include <chat/store/store.hpp>

namespace chat::daemon {

// Shared by the federation room endpoints (api/federation/*.cpp): who may
// read a room, and the events they are given.

// Whether `origin` may read `room_id` from us: some user of that server has
// (or had) a membership in the room, and the room's server ACL allows it.
// Errors: not_found (we do not have the room), forbidden.
Result<void> check_server_in_room(store::ReadTxn& txn, const RoomId& room_id,
                                  const ServerName& origin);

// Whether the room's current m.room.server_acl lets `origin` in (no ACL: yes).
Result<bool> acl_allows(store::ReadTxn& txn, const RoomId& room_id, const ServerName& origin);

// The events, in federation format, in the order of `ids` (unknown ids skipped).
Result<nlohmann::json> pdus_json(store::ReadTxn& txn, const std::vector<EventId>& ids);

// The state before `event_id` (its state group) and the auth chain of that
// state, as /state, /state_ids and send_join give them. Errors: not_found
// (unknown event, or one without state).
struct StateAndChain {
    std::vector<EventId> state;
    std::vector<EventId> auth_chain;
};
Result<StateAndChain> state_before(store::ReadTxn& txn, const EventId& event_id,
                                   bool include_event_in_chain);

}  // namespace chat::daemon
