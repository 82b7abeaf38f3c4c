// Profiles in member events (spec client-server.md §4, "Events on change of profile
// information"): joins, invites and knocks of our users carry their displayname and
// avatar_url, and a profile change is carried into every joined room by a new join event.

#include <chat/rooms/room_service.hpp>

#include <utility>

namespace chat::rooms {
namespace {

using nlohmann::json;

constexpr std::string_view kDisplayname = "displayname";
constexpr std::string_view kAvatarUrl = "avatar_url";

// The profile value a member event shows: a string, or nothing when the key is absent or not
// a string (a null or a number set by some other server shows no name either).
std::optional<std::string> shown(const json& content, std::string_view key) {
    auto it = content.find(key);
    if (it == content.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

}  // namespace

Result<void> RoomService::add_member_profile(store::ReadTxn& txn, std::string_view type,
                                             const std::optional<std::string>& state_key,
                                             json& content) const {
    if (type != "m.room.member" || !state_key || !content.is_object()) return ok();
    const auto membership = content.find("membership");
    if (membership == content.end() || !membership->is_string()) return ok();
    const auto& m = membership->get_ref<const std::string&>();
    // Leaves and bans say nothing about the target's name (as in Synapse).
    if (m != "join" && m != "invite" && m != "knock") return ok();
    if (content.contains(kDisplayname) && content.contains(kAvatarUrl)) return ok();

    auto target = UserId::parse(*state_key);
    // A malformed state key is the auth rules' business; a remote user's profile is not ours.
    if (!target || target->server() != server_name_.str()) return ok();
    auto user = txn.users().get(*target);
    if (!user) return user.error();
    if (!*user) return ok();
    if ((*user)->displayname && !content.contains(kDisplayname))
        content[std::string(kDisplayname)] = *(*user)->displayname;
    if ((*user)->avatar_url && !content.contains(kAvatarUrl))
        content[std::string(kAvatarUrl)] = *(*user)->avatar_url;
    return ok();
}

Result<std::optional<SentEvent>> RoomService::update_member_profile(const UserId& user,
                                                                    const RoomId& room_id) {
    if (user.server() != server_name_.str())
        return make_error(Errc::forbidden, "Only local users' profiles can be updated here.");
    // What the member event shows now, and whether it differs from the profile. Reading
    // first and sending after is not atomic, but harmless: the send fills the profile in
    // inside its own write transaction (add_member_profile), so it always carries the
    // latest values, and a profile change racing with this one sends its own update.
    auto current =
        store_.read("member_profile", [&](store::ReadTxn& txn) -> Result<std::optional<json>> {
            auto member = txn.members().get(user, room_id);
            if (!member) return member.error();
            if (!*member || (*member)->membership != "join") return std::optional<json>{};
            auto event = txn.events().get((*member)->event_id);
            if (!event) return event.error();
            if (!*event)
                return make_error(
                    Errc::internal, "Internal server error.",
                    "member event " + std::string((*member)->event_id.str()) + " is not stored");
            auto content = (*event)->json.find("content");
            json copy =
                content != (*event)->json.end() && content->is_object() ? *content : json::object();
            auto profile = txn.users().get(user);
            if (!profile) return profile.error();
            const std::optional<std::string> name =
                *profile ? (*profile)->displayname : std::nullopt;
            const std::optional<std::string> avatar =
                *profile ? (*profile)->avatar_url : std::nullopt;
            if (shown(copy, kDisplayname) == name && shown(copy, kAvatarUrl) == avatar)
                return std::optional<json>{};
            return std::optional<json>{std::move(copy)};
        });
    if (!current) return current.error();
    if (!*current) return std::optional<SentEvent>{};

    json content = std::move(**current);
    content.erase(std::string(kDisplayname));
    content.erase(std::string(kAvatarUrl));
    // A restricted room's authorising server vouched for the original join only (spec §4).
    content.erase("join_authorised_via_users_server");
    content["membership"] = "join";
    auto sent =
        send_state(user, room_id, "m.room.member", std::string(user.str()), std::move(content));
    if (!sent) return sent.error();
    return std::optional<SentEvent>{std::move(*sent)};
}

}  // namespace chat::rooms
