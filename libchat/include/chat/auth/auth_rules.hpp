#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/result.hpp>
#include <chat/auth/power_levels.hpp>
#include <chat/core/user_id.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/events/state_key.hpp>

namespace chat::auth {

// The state the authorization rules run against (events-and-rooms.md §10.1):
// the events at the keys the rules consult. The same event is checked
// against the state made from its own auth_events, the state before it and
// the current state; callers build an AuthState for each.
class AuthState {
public:
    // Adds `event` at its (type, state_key), replacing what was there.
    // Non-state events are ignored.
    void put(PduPtr event);
    const Pdu* get(std::string_view type, std::string_view state_key) const;
    const Pdu* create() const { return get("m.room.create", ""); }
    const Pdu* power_levels() const { return get("m.room.power_levels", ""); }
    const Pdu* join_rules() const { return get("m.room.join_rules", ""); }
    const Pdu* member(const UserId& user) const { return get("m.room.member", user.str()); }

private:
    std::map<StateKey, PduPtr, std::less<>> events_;
};

// The membership of `user_id` in `state` (§10.1): `content.membership` of their
// m.room.member event, or "leave" when there is none or it is not a string (standard
// practice; the spec gives no meaning to a missing membership). The view points into
// the event held by `state`.
std::string_view membership_in(const AuthState& state, std::string_view user_id);

// The join rule of `state` (§10.1): `content.join_rule` of m.room.join_rules, "invite"
// when there is no such event (common practice), "" when it is not a string (a rule no
// version knows). The view points into the event held by `state`.
std::string_view join_rule_in(const AuthState& state);

// The (type, state_key) keys whose current events become the auth_events of
// a new event (§9), from the fields of the event being built. v1-v11 include
// the create event; v12 never does. Pure.
std::vector<StateKey> auth_event_keys(const RoomVersion& version, std::string_view type,
                                      const UserId& sender,
                                      const std::optional<std::string>& state_key,
                                      const nlohmann::json& content);

// What the rules need from outside the room state. Signature checks need
// keys, which only the caller (federation) has.
struct AuthContext {
    // True when `event` carries a valid signature from `server_name`. Used by
    // the join_authorised_via_users_server rule (v8+) and third-party
    // invites. Unset: such events are refused.
    std::function<bool(const Pdu& event, std::string_view server_name)> is_signed_by;
    // The power levels of the `state` being checked against, when the caller
    // has them already (RoomService keeps them between the messages of a
    // room, which share one PL event): PowerLevels::from_events(version,
    // state.create(), state.power_levels()), and nothing else. Null: check()
    // computes them from `state`.
    std::shared_ptr<const PowerLevels> levels;
};

// The authorization rules of the event's room version (§10.2-§10.4) against
// `state`, excluding the checks on the event's own auth_events list (see
// check_auth_events). Pure and deterministic. Errors: Errc::forbidden, with
// a message that names the rule that refused the event.
//
// `state` holds accepted events only. In v12 it must also hold the room's create event
// when it is built from the event's auth_events, which never list it (the room_id names
// it): rule 2 refuses the event otherwise. In v1-v11 a state without a create event, or
// with one from another room, is refused under rule 2.4/2.5 [not in spec for states
// other than the auth_events one]. Messages read "auth rule 5.3.2 (room version 12):
// ...", numbered as the event's version numbers its rules.
Result<void> check(const Pdu& event, const AuthState& state, const AuthContext& context = {});

// The auth_events rule (v1 rule 2, v12 rule 3): `auth_events` are the events
// the event cites, already fetched. Refuses duplicates, keys outside the §9
// selection, rejected entries (by `is_rejected`), a missing create event
// (v1-v11), a create event at all (v12) and entries from another room. A create event
// passes: rule 1 decides it before this rule is reached. Entries must not be null
// (Errc::internal). Pure.
Result<void> check_auth_events(const Pdu& event, std::span<const PduPtr> auth_events,
                               const std::function<bool(const EventId&)>& is_rejected);

}  // namespace chat::auth
