#include <chat/rooms/visibility.hpp>

#include <nlohmann/json.hpp>

namespace chat::rooms {

namespace {

// A string field of an event's content; empty when absent or not a string.
std::string content_string(const store::StoredEvent& event, const char* field) {
    const auto& content = event.json.find("content");
    if (content == event.json.end() || !content->is_object()) return {};
    auto it = content->find(field);
    return it != content->end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The content string `field` of the state entry (type, key) in group `group`.
Result<std::string> state_string(store::ReadTxn& txn, store::StateGroupId group,
                                 std::string_view type, std::string_view key, const char* field) {
    auto entry = txn.state().state_entry_at(group, type, key);
    if (!entry) return entry.error();
    if (!*entry) return std::string();
    auto event = txn.events().get(**entry);
    if (!event) return event.error();
    if (!*event) return std::string();
    return content_string(**event, field);
}

}  // namespace

Result<std::optional<std::string>> current_membership(store::ReadTxn& txn, const UserId& user,
                                                      const RoomId& room_id) {
    auto row = txn.members().get(user, room_id);
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>((*row)->membership);
}

Result<bool> may_see_event(store::ReadTxn& txn, const UserId& user,
                           const store::StoredEvent& event) {
    if (!event.state_group_before) return false;  // an outlier: not part of the timeline
    auto visibility = state_string(txn, *event.state_group_before, "m.room.history_visibility",
                                   "", "history_visibility");
    if (!visibility) return visibility.error();
    // The spec's default when the room has no such event is "shared".
    if (visibility->empty()) *visibility = "shared";
    if (*visibility == "world_readable") return true;

    // The user's membership at the event; their own membership event counts
    // with its new value (one sees one's own join).
    std::string membership;
    if (event.type == "m.room.member" && event.state_key == std::string(user.str())) {
        membership = content_string(event, "membership");
    } else {
        auto at = state_string(txn, *event.state_group_before, "m.room.member", user.str(),
                               "membership");
        if (!at) return at.error();
        membership = std::move(*at);
    }
    if (membership == "join") return true;
    if (*visibility == "invited" && membership == "invite") return true;
    if (*visibility == "shared") {
        auto now = current_membership(txn, user, event.room_id);
        if (!now) return now.error();
        return *now && **now == "join";
    }
    return false;
}

Result<StateMap> readable_state(store::ReadTxn& txn, const UserId& user, const RoomId& room_id) {
    auto membership = txn.members().get(user, room_id);
    if (!membership) return membership.error();
    if (*membership && (*membership)->membership == "join") return txn.current_state().get(room_id);

    auto visibility = txn.current_state().entry(room_id, "m.room.history_visibility", "");
    if (!visibility) return visibility.error();
    if (*visibility) {
        auto event = txn.events().get(**visibility);
        if (!event) return event.error();
        if (*event && content_string(**event, "history_visibility") == "world_readable")
            return txn.current_state().get(room_id);
    }
    // A former member reads the room as it was when they left.
    if (*membership && ((*membership)->membership == "leave" ||
                        (*membership)->membership == "ban")) {
        auto group = txn.state().group_after((*membership)->event_id);
        if (!group) return group.error();
        if (*group) return txn.state().state_at(**group);
    }
    return make_error(Errc::forbidden, "You are not a member of this room.");
}

}  // namespace chat::rooms
