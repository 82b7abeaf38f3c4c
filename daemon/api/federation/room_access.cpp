#include "api/federation/room_access.hpp"

#include <algorithm>

#include <chat/events/server_acl.hpp>
#include <chat/store/txn.hpp>

namespace chat::daemon {

Result<bool> acl_allows(store::ReadTxn& txn, const RoomId& room_id, const ServerName& origin) {
    auto acl = txn.current_state().entry(room_id, "m.room.server_acl", "");
    if (!acl) return acl.error();
    if (!*acl) return true;
    auto event = txn.events().get(**acl);
    if (!event) return event.error();
    if (!*event) return true;
    auto content = (*event)->json.find("content");
    if (content == (*event)->json.end()) return true;
    return events::server_allowed_by_acl(*content, origin);
}

Result<void> check_server_in_room(store::ReadTxn& txn, const RoomId& room_id,
                                  const ServerName& origin) {
    auto room = txn.rooms().get(room_id);
    if (!room) return room.error();
    if (!*room) return make_error(Errc::not_found, "Unknown room");
    auto allowed = acl_allows(txn, room_id, origin);
    if (!allowed) return allowed.error();
    if (!*allowed) return make_error(Errc::forbidden, "Server is banned by the room's ACL");
    for (std::string_view membership : {"join", "invite", "leave", "knock", "ban"}) {
        auto members = txn.members().members_of(room_id, membership);
        if (!members) return members.error();
        for (const auto& row : *members)
            if (row.user_id.server() == origin.str()) return ok();
    }
    return make_error(Errc::forbidden, "Server is not in the room");
}

Result<nlohmann::json> pdus_json(store::ReadTxn& txn, const std::vector<EventId>& ids) {
    auto rows = txn.events().get_many(ids);
    if (!rows) return rows.error();
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : *rows) out.push_back(row.json);
    return out;
}

Result<StateAndChain> state_before(store::ReadTxn& txn, const EventId& event_id,
                                   bool include_event_in_chain) {
    auto group = txn.state().group_before(event_id);
    if (!group) return group.error();
    if (!*group) return make_error(Errc::not_found, "Unknown event");
    auto state = txn.state().state_at(**group);
    if (!state) return state.error();
    StateAndChain out;
    for (const auto& [key, id] : *state) out.state.push_back(id);
    std::vector<EventId> roots = out.state;
    if (include_event_in_chain) roots.push_back(event_id);
    auto chain = txn.events().auth_chain(roots);
    if (!chain) return chain.error();
    out.auth_chain = std::move(*chain);
    return out;
}

}  // namespace chat::daemon
