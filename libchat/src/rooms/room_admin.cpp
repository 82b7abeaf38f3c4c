#include <chat/rooms/room_admin.hpp>

#include <vector>

#include <chat/events/state_key.hpp>

namespace chat::rooms {

namespace {

// A string field of a state event's content, none when absent or not a string.
std::optional<std::string> content_string(const nlohmann::json& event, const char* field) {
    auto content = event.find("content");
    if (content == event.end() || !content->is_object()) return std::nullopt;
    auto value = content->find(field);
    if (value == content->end() || !value->is_string()) return std::nullopt;
    return value->get<std::string>();
}

}  // namespace

Result<RoomSummary> summarize_room(store::ReadTxn& txn, const store::RoomRow& room,
                                   std::string_view local_server) {
    RoomSummary out{.room_id = room.room_id,
                    .version = room.room_version,
                    .creator = room.creator,
                    .is_public = room.visibility == "public"};
    auto state = txn.current_state().get(room.room_id);
    if (!state) return state.error();
    out.state_events = static_cast<std::int64_t>(state->size());

    // Only the state with an empty key that the summary shows is loaded.
    std::vector<EventId> wanted;
    for (const char* type : {"m.room.create", "m.room.name", "m.room.topic", "m.room.avatar",
                             "m.room.canonical_alias", "m.room.join_rules",
                             "m.room.guest_access", "m.room.history_visibility",
                             "m.room.encryption"}) {
        if (auto it = state->find(StateKey{type, ""}); it != state->end())
            wanted.push_back(it->second);
    }
    auto events = txn.events().get_many(wanted);
    if (!events) return events.error();
    for (const auto& ev : *events) {
        const auto& j = ev.json;
        if (ev.type == "m.room.create") {
            out.room_type = content_string(j, "type");
            if (auto content = j.find("content"); content != j.end() && content->is_object()) {
                if (auto federate = content->find("m.federate");
                    federate != content->end() && federate->is_boolean())
                    out.federatable = federate->get<bool>();
            }
        } else if (ev.type == "m.room.name") {
            out.name = content_string(j, "name");
        } else if (ev.type == "m.room.topic") {
            out.topic = content_string(j, "topic");
        } else if (ev.type == "m.room.avatar") {
            out.avatar = content_string(j, "url");
        } else if (ev.type == "m.room.canonical_alias") {
            out.canonical_alias = content_string(j, "alias");
        } else if (ev.type == "m.room.join_rules") {
            out.join_rules = content_string(j, "join_rule");
        } else if (ev.type == "m.room.guest_access") {
            out.guest_access = content_string(j, "guest_access");
        } else if (ev.type == "m.room.history_visibility") {
            out.history_visibility = content_string(j, "history_visibility");
        } else if (ev.type == "m.room.encryption") {
            out.encryption = content_string(j, "algorithm");
        }
    }

    auto joined = txn.members().count(room.room_id, "join");
    if (!joined) return joined.error();
    out.joined_members = *joined;
    auto local = txn.admin().count_members_on(room.room_id, "join", local_server);
    if (!local) return local.error();
    out.joined_local_members = *local;
    auto block = txn.admin().room_block(room.room_id);
    if (!block) return block.error();
    out.blocked = block->has_value();
    return out;
}

nlohmann::json room_summary_json(const RoomSummary& s) {
    auto opt = [](const std::optional<std::string>& v) -> nlohmann::json {
        return v ? nlohmann::json(*v) : nlohmann::json();
    };
    return {
        {"room_id", std::string(s.room_id.str())},
        {"name", opt(s.name)},
        {"topic", opt(s.topic)},
        {"avatar", opt(s.avatar)},
        {"canonical_alias", opt(s.canonical_alias)},
        {"joined_members", s.joined_members},
        {"joined_local_members", s.joined_local_members},
        {"version", s.version},
        {"creator", s.creator ? nlohmann::json(std::string(s.creator->str())) : nlohmann::json()},
        {"encryption", opt(s.encryption)},
        {"federatable", s.federatable},
        {"public", s.is_public},
        {"join_rules", opt(s.join_rules)},
        {"guest_access", opt(s.guest_access)},
        {"history_visibility", opt(s.history_visibility)},
        {"state_events", s.state_events},
        {"room_type", opt(s.room_type)},
        {"blocked", s.blocked},
    };
}

Result<void> check_room_not_blocked(store::ReadTxn& txn, const RoomId& room_id,
                                    std::string_view type, const nlohmann::json& content) {
    if (type != "m.room.member" || !content.is_object()) return ok();
    auto membership = content.find("membership");
    if (membership == content.end() || !membership->is_string()) return ok();
    const auto& value = membership->get_ref<const std::string&>();
    if (value != "join" && value != "invite" && value != "knock") return ok();
    auto block = txn.admin().room_block(room_id);
    if (!block) return block.error();
    if (*block) return make_error(Errc::forbidden, "This room has been blocked on this server");
    return ok();
}

}  // namespace chat::rooms
