// AuthState, the auth events selection (§9) and the auth_events rule (v1 rule 2,
// v12 rule 3).

#include <chat/auth/auth_rules.hpp>

#include <algorithm>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "auth/rule_input.hpp"

namespace chat::auth {
namespace {

// Looks a StateKey up without building one (std::less<> makes the map transparent).
// Orders exactly as StateKey's defaulted <=>: type, then state_key, bytewise.
struct KeyView {
    std::string_view type;
    std::string_view state_key;

    friend bool operator<(const StateKey& a, const KeyView& b) {
        return std::pair<std::string_view, std::string_view>(a.type, a.state_key) <
               std::pair(b.type, b.state_key);
    }
    friend bool operator<(const KeyView& a, const StateKey& b) {
        return std::pair(a.type, a.state_key) <
               std::pair<std::string_view, std::string_view>(b.type, b.state_key);
    }
};

const nlohmann::json* find_member(const nlohmann::json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const std::string* find_string(const nlohmann::json& object, std::string_view key) {
    const auto* value = find_member(object, key);
    return value && value->is_string() ? &value->get_ref<const std::string&>() : nullptr;
}

}  // namespace

void AuthState::put(PduPtr event) {
    if (!event || !event->is_state()) return;
    StateKey key{event->type(), *event->state_key()};
    events_.insert_or_assign(std::move(key), std::move(event));
}

const Pdu* AuthState::get(std::string_view type, std::string_view state_key) const {
    auto it = events_.find(KeyView{type, state_key});
    return it == events_.end() ? nullptr : it->second.get();
}

std::string_view membership_in(const AuthState& state, std::string_view user_id) {
    const Pdu* member = state.get("m.room.member", user_id);
    if (!member) return "leave";
    const auto* membership = find_string(member->content(), "membership");
    return membership ? std::string_view(*membership) : std::string_view("leave");
}

std::string_view join_rule_in(const AuthState& state) {
    const Pdu* rules = state.join_rules();
    if (!rules) return "invite";
    const auto* rule = find_string(rules->content(), "join_rule");
    return rule ? std::string_view(*rule) : std::string_view();
}

std::vector<StateKey> auth_event_keys(const RoomVersion& version, std::string_view type,
                                      const UserId& sender,
                                      const std::optional<std::string>& state_key,
                                      const nlohmann::json& content) {
    std::vector<StateKey> keys;
    if (type == "m.room.create") return keys;  // the create event has no auth events
    auto add = [&](std::string_view t, std::string_view k) {
        StateKey key = chat::state_key(t, k);
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    };
    // §9.1: v12 never selects the create event; the room_id implies it.
    if (!version.room_id_is_create_event_hash) add("m.room.create", "");
    add("m.room.power_levels", "");
    add("m.room.member", sender.str());
    if (type != "m.room.member" || !state_key) return keys;

    add("m.room.member", *state_key);
    const auto* membership = find_string(content, "membership");
    if (!membership) return keys;
    if (*membership == "join" || *membership == "invite" || *membership == "knock")
        add("m.room.join_rules", "");
    if (*membership == "invite") {
        const auto* invite = find_member(content, "third_party_invite");
        const auto* signed_part = invite ? find_member(*invite, "signed") : nullptr;
        const auto* token = signed_part ? find_string(*signed_part, "token") : nullptr;
        if (token) add("m.room.third_party_invite", *token);
    }
    if (*membership == "join" && version.restricted_joins) {
        if (const auto* via = find_string(content, "join_authorised_via_users_server"))
            add("m.room.member", *via);
    }
    return keys;
}

Result<void> check_auth_events(const Pdu& event, std::span<const PduPtr> auth_events,
                               const std::function<bool(const EventId&)>& is_rejected) {
    const auto& version = event.version();
    // Rule 1 decides for the create event before the auth_events rule is reached.
    if (event.type() == "m.room.create") return ok();

    const detail::RuleNumbers n(version);
    const int rule = n.auth_events();
    for (const auto& entry : auth_events) {
        if (!entry) return make_error(Errc::internal, "check_auth_events: null entry");
    }

    // Rule 2.1: one entry per (type, state_key).
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const auto& entry : auth_events) {
        if (!entry->is_state()) continue;  // not selectable: refused by rule 2.2 below
        if (!seen.emplace(entry->type(), *entry->state_key()).second)
            return detail::deny(version, {rule, 1},
                                "auth_events has two entries for the same type and state_key");
    }

    // Rule 2.2: only the keys of the §9 selection. v12: never the create event.
    const auto keys = auth_event_keys(version, event.type(), event.sender(), event.state_key(),
                                      event.content());
    for (const auto& entry : auth_events) {
        const bool selectable =
            entry->is_state() &&
            std::any_of(keys.begin(), keys.end(), [&](const StateKey& key) {
                return key.type == entry->type() && key.state_key == *entry->state_key();
            });
        if (!selectable)
            return detail::deny(version, {rule, 2},
                                "auth_events has an entry the auth events selection does not "
                                "allow: " + entry->type());
    }

    // Rule 2.3: no rejected entry.
    for (const auto& entry : auth_events) {
        if (is_rejected && is_rejected(entry->event_id()))
            return detail::deny(version, {rule, 3}, "auth_events has a rejected entry");
    }

    // Rule 2.4 (v1-v11): the create event must be there.
    if (!version.room_id_is_create_event_hash) {
        const bool has_create = std::any_of(auth_events.begin(), auth_events.end(),
                                            [](const PduPtr& e) {
                                                return e->is_state_of("m.room.create", "");
                                            });
        if (!has_create)
            return detail::deny(version, {rule, n.auth_events_no_create()},
                                "auth_events has no m.room.create event");
    }

    // Rule 2.5 (v12 3.4): every entry from this room.
    for (const auto& entry : auth_events) {
        if (entry->room_id() != event.room_id())
            return detail::deny(version, {rule, n.auth_events_room()},
                                "auth_events has an entry from another room");
    }
    return ok();
}

}  // namespace chat::auth
