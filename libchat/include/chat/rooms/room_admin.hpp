#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/rooms.hpp>
#include <chat/store/txn.hpp>

namespace chat::rooms {

// A room as the admin API lists it (Synapse's room list and room details),
// read from the current state. Fields a room's state does not set are none.
struct RoomSummary {
    RoomId room_id;
    std::string version;
    std::optional<UserId> creator;
    std::optional<std::string> name;
    std::optional<std::string> topic;
    std::optional<std::string> avatar;
    std::optional<std::string> canonical_alias;
    std::optional<std::string> join_rules;
    std::optional<std::string> guest_access;
    std::optional<std::string> history_visibility;
    std::optional<std::string> encryption;  // the algorithm of m.room.encryption
    std::optional<std::string> room_type;   // m.room.create content `type`
    bool federatable = true;                // m.room.create content `m.federate`
    bool is_public = false;                 // published in the room directory
    std::int64_t joined_members = 0;
    std::int64_t joined_local_members = 0;
    std::int64_t state_events = 0;
    bool blocked = false;
};

// Reads the summary of `room` in the snapshot `txn`; `local_server` decides
// which members are local. A few indexed reads. Errors: Errc::storage.
Result<RoomSummary> summarize_room(store::ReadTxn& txn, const store::RoomRow& room,
                                   std::string_view local_server);

// The summary as Synapse's admin API shapes it (GET /_synapse/admin/v1/rooms
// and /rooms/{roomId}).
nlohmann::json room_summary_json(const RoomSummary& summary);

// Refuses a join, invite or knock into a room an admin blocked (admin API,
// DELETE /_synapse/admin/v2/rooms with block): Errc::forbidden. Other
// events pass. `content` is the event's content (trusted: ours to send).
Result<void> check_room_not_blocked(store::ReadTxn& txn, const RoomId& room_id,
                                    std::string_view type, const nlohmann::json& content);

}  // namespace chat::rooms
