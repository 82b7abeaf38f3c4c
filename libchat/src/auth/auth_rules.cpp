// The authorization rules (events-and-rooms.md §10): rule 1 (create), v12 rule 2, the
// m.federate rule, the v1-v5 aliases rule and the rules after the member rule. Comments
// give v1 numbers, with other versions' numbers where they differ.

#include <chat/auth/auth_rules.hpp>

#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include <chat/auth/power_levels.hpp>

#include "auth/rule_input.hpp"

namespace chat::auth {
namespace detail {

Error deny(const RoomVersion& version, std::initializer_list<int> rule, std::string_view why) {
    std::string message = "auth rule ";
    bool first = true;
    for (int part : rule) {
        if (!first) message += '.';
        message += std::to_string(part);
        first = false;
    }
    message += " (room version ";
    message += version.id;
    message += "): ";
    message += why;
    return make_error(Errc::forbidden, std::move(message));
}

Error levels_unusable(const RuleInput& in, std::initializer_list<int> rule) {
    return deny(in.version(), rule,
                "the room's m.room.power_levels event is not valid, so no power level is known");
}

}  // namespace detail

namespace {

using detail::deny;
using detail::RuleInput;

const nlohmann::json* find_member(const nlohmann::json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

// Rule 1: the create event.
Result<void> check_create(const Pdu& event) {
    const auto& version = event.version();
    const int rule = detail::RuleNumbers(version).create();
    const auto& content = event.content();

    // 1.1: the create event starts the room.
    if (!event.prev_events().empty())
        return deny(version, {rule, 1}, "create event has prev_events");

    // 1.2: v12 the room id is the create event's hash, so it carries none; v1-v11 the room
    // id's domain is the sender's.
    if (version.room_id_is_create_event_hash) {
        if (event.json().contains("room_id"))
            return deny(version, {rule, 2}, "create event must not have a room_id");
    } else {
        const auto room_server = event.room_id().server();
        if (!room_server || *room_server != event.sender().server())
            return deny(version, {rule, 2}, "room_id domain does not match the sender's domain");
    }

    // 1.3: a room_version we know, when present.
    if (const auto* room_version = find_member(content, "room_version")) {
        if (!room_version->is_string() ||
            !RoomVersion::find(room_version->get_ref<const std::string&>()))
            return deny(version, {rule, 3}, "content.room_version is not a known room version");
    }

    // 1.4: v1-v10 need content.creator; v12 checks additional_creators; v11 has no 1.4.
    if (version.creator_in_create && !find_member(content, "creator"))
        return deny(version, {rule, 4}, "create event has no content.creator");
    if (version.creators_have_infinite_power) {
        if (const auto* extra = find_member(content, "additional_creators")) {
            bool valid = extra->is_array();
            if (valid) {
                for (const auto& entry : *extra) {
                    if (!entry.is_string() || !UserId::parse(entry.get_ref<const std::string&>())) {
                        valid = false;
                        break;
                    }
                }
            }
            if (!valid)
                return deny(version, {rule, 4},
                            "content.additional_creators must be an array of user ids");
        }
    }
    return ok();  // 1.5 (v11: 1.4)
}

// v12 rule 2 and, for v1-v11, the create event the remaining rules need.
Result<void> check_room(const RuleInput& in) {
    const auto& version = in.version();
    if (version.room_id_is_create_event_hash) {
        // Rule 2: the room id names an accepted create event ("!" + its id's body). The
        // state holds accepted events only, so the one at (m.room.create, "") is it.
        const bool named = in.create && in.create->event_id().str().substr(1) ==
                                            in.event.room_id().str().substr(1);
        if (!named)
            return deny(version, {in.n.room_id()},
                        "room_id is not the id of an accepted m.room.create event");
        return ok();
    }
    // v1-v11: rules 2.4 and 2.5 ask this of the auth_events; the same is asked of any
    // state the event is checked against [not in spec], since the rules below need it.
    if (!in.create)
        return deny(version, {in.n.auth_events(), in.n.auth_events_no_create()},
                    "the auth state has no m.room.create event");
    if (in.create->room_id() != in.event.room_id())
        return deny(version, {in.n.auth_events(), in.n.auth_events_room()},
                    "the auth state's m.room.create event is from another room");
    return ok();
}

// Rule 3 (v12: 4): rooms with m.federate false stay on the create event's server.
Result<void> check_federate(const RuleInput& in) {
    const auto* federate = find_member(in.create->content(), "m.federate");
    if (federate && federate->is_boolean() && !federate->get<bool>() &&
        in.event.sender().server() != in.create->sender().server())
        return deny(in.version(), {in.n.federate()},
                    "the room does not federate and the sender is from another server");
    return ok();
}

// Rule 4 (v1-v5): m.room.aliases is checked against the sender's domain only.
Result<void> check_aliases(const RuleInput& in) {
    const auto& state_key = in.event.state_key();
    const int rule = in.n.aliases();
    if (!state_key) return deny(in.version(), {rule, 1}, "m.room.aliases event has no state_key");
    if (*state_key != in.event.sender().server())
        return deny(in.version(), {rule, 2},
                    "m.room.aliases state_key does not match the sender's domain");
    return ok();  // 4.3
}

// Rule 11 (v1-v2 only): redactions need the redact level or the same event id domain.
Result<void> check_redaction(const RuleInput& in, std::int64_t sender_level) {
    const int rule = in.n.redaction();
    if (sender_level >= in.levels->redact()) return ok();  // 11.1
    // 11.2: v1-v2 event ids carry a domain.
    const auto target = in.event.redacts();
    const auto target_server = target ? target->server() : std::nullopt;
    const auto own_server = in.event.event_id().server();
    if (target_server && own_server && *target_server == *own_server) return ok();
    return deny(in.version(), {rule, 3},
                "sender is below the redact level and the redacted event is from another domain");
}

}  // namespace

Result<void> check(const Pdu& event, const AuthState& state, const AuthContext& context) {
    const auto& version = event.version();

    // Rule 1.
    if (event.type() == "m.room.create") return check_create(event);

    const Pdu* create = state.create();
    std::optional<Result<PowerLevels>> computed;
    const PowerLevels* levels = context.levels.get();
    if (levels == nullptr) {
        computed.emplace(PowerLevels::from_events(version, create, state.power_levels()));
        if (*computed) levels = &**computed;
    }
    RuleInput in{event, state, context, detail::RuleNumbers(version), create, levels};

    // v12 rule 2; rule 2 itself (the auth_events list) is check_auth_events().
    if (auto room = check_room(in); !room) return room;
    // Rule 3 (v12: 4).
    if (auto federate = check_federate(in); !federate) return federate;
    // Rule 4 (v1-v5).
    if (version.special_aliases_auth && event.type() == "m.room.aliases")
        return check_aliases(in);
    // Rule 5 (v6-v11: 4).
    if (event.type() == "m.room.member") return detail::check_member_event(in);

    // Rule 6 (v6-v11: 5): everything else needs a joined sender.
    if (membership_in(state, event.sender().str()) != "join")
        return deny(version, {in.n.sender_joined()}, "sender is not joined to the room");

    if (!in.levels) return detail::levels_unusable(in, {in.n.required_level()});
    const std::int64_t sender_level = in.levels->user_level(event.sender().str());

    // Rule 7 (v6-v11: 6).
    if (event.type() == "m.room.third_party_invite") {
        if (sender_level >= in.levels->invite()) return ok();
        return deny(version, {in.n.third_party_invite(), 1},
                    "sender's power level is below the invite level");
    }

    // Rule 8 (v6-v11: 7).
    if (in.levels->required_level(event.type(), event.is_state()) > sender_level)
        return deny(version, {in.n.required_level()},
                    "sender's power level is below the level required for this event type");

    // Rule 9 (v6-v11: 8): a state_key naming a user belongs to that user.
    if (const auto& key = event.state_key(); key && !key->empty() && key->front() == '@' &&
                                             *key != event.sender().str())
        return deny(version, {in.n.state_key_sender()},
                    "state_key starts with '@' and is not the sender");

    // Rule 10 (v6-v11: 9).
    if (event.type() == "m.room.power_levels") return detail::check_power_levels_event(in);

    // Rule 11 (v1-v2 only; from v3 redactions are checked when applied, §7.3).
    if (version.redaction_auth_rule && event.type() == "m.room.redaction")
        return check_redaction(in, sender_level);

    return ok();  // rule 12 (v3-v5: 11, v6-v11: 10, v12: 11)
}

}  // namespace chat::auth
