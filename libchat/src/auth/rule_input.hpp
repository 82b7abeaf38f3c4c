#pragma once

// Private to the auth module: what the rule functions share. The rules are split by
// section (auth_rules.cpp: rules 1-4 and 6-12; membership_rules.cpp: the member rule;
// power_levels_rules.cpp: the PL rule) and all refuse through deny(), so that every
// message names the rule, numbered as the event's room version numbers it.

#include <initializer_list>
#include <string>
#include <string_view>

#include <chat/auth/auth_rules.hpp>
#include <chat/auth/power_levels.hpp>
#include <chat/core/result.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>

namespace chat::auth::detail {

// The number a rule has in a room version (events-and-rooms.md §10.2-§10.4). v6 drops
// the aliases rule (rules 5-12 become 4-11), v3 drops the redaction rule, v8 inserts the
// join_authorised_via_users_server rule as 4.2, v10 inserts PL rules 9.1-9.2, v12 inserts
// rule 2 and PL rule 10.4.
class RuleNumbers {
public:
    explicit RuleNumbers(const RoomVersion& version) : v_(&version) {}

    // Top level.
    int create() const { return 1; }
    int room_id() const { return 2; }  // v12 only
    int auth_events() const { return v12() ? 3 : 2; }
    int federate() const { return v12() ? 4 : 3; }
    int aliases() const { return 4; }  // v1-v5 only
    int member() const { return v12() || v_->special_aliases_auth ? 5 : 4; }
    int sender_joined() const { return member() + 1; }
    int third_party_invite() const { return member() + 2; }
    int required_level() const { return member() + 3; }
    int state_key_sender() const { return member() + 4; }
    int power_levels() const { return member() + 5; }
    int redaction() const { return member() + 6; }  // v1-v2 only
    int allow() const { return member() + (v_->redaction_auth_rule ? 7 : 6); }

    // Under create (rule 1): 1.4 is the creator (v1-v10) or additional_creators (v12)
    // check; v11 has none, so its final allow is 1.4.
    int create_allow() const { return v_->creator_in_create || v12() ? 5 : 4; }

    // Under auth_events: v12 deleted 3.4 ("must contain a create event"); the rendered
    // spec then numbers the room_id check 3.4 (events-and-rooms.md §13 trap 5).
    int auth_events_no_create() const { return 4; }  // v1-v11 only
    int auth_events_room() const { return v12() ? 4 : 5; }

    // Under member.
    int join_authorised() const { return 2; }  // v8+ only
    int join() const { return v_->restricted_joins ? 3 : 2; }
    int invite() const { return join() + 1; }
    int leave() const { return join() + 2; }
    int ban() const { return join() + 3; }
    int knock() const { return join() + 4; }  // v7+ only
    int unknown_membership() const { return join() + (v_->knock ? 5 : 4); }
    // Under member.join: v8 inserts `restricted` as .5.
    int join_restricted() const { return 5; }  // v8+ only
    int join_public() const { return v_->restricted_joins ? 6 : 5; }
    int join_otherwise() const { return join_public() + 1; }

    // Under power_levels.
    int pl_scalars_integers() const { return 1; }  // v10+ only
    int pl_maps_integers() const { return 2; }     // v10+ only
    int pl_users() const { return v_->integer_only_power_levels ? 3 : 1; }
    int pl_creators() const { return 4; }  // v12 only
    int pl_no_previous() const { return pl_users() + (v_->creators_have_infinite_power ? 2 : 1); }
    int pl_scalars_changed() const { return pl_no_previous() + 1; }
    int pl_maps_removed() const { return pl_no_previous() + 2; }
    int pl_maps_added() const { return pl_no_previous() + 3; }
    int pl_users_removed() const { return pl_no_previous() + 4; }
    int pl_users_added() const { return pl_no_previous() + 5; }
    int pl_allow() const { return pl_no_previous() + 6; }

private:
    bool v12() const { return v_->room_id_is_create_event_hash; }
    const RoomVersion* v_;
};

// "auth rule 5.3.2 (room version 12): <why>", as Errc::forbidden.
Error deny(const RoomVersion& version, std::initializer_list<int> rule, std::string_view why);

// Everything one check() call works from.
struct RuleInput {
    const Pdu& event;
    const AuthState& state;
    const AuthContext& context;
    RuleNumbers n;
    const Pdu* create;           // the create event of `state`; never null past rule 2
    const PowerLevels* levels;   // null when the state's PL event does not parse

    const RoomVersion& version() const { return event.version(); }
};

// The refusal for a rule that needs power levels when the state's PL event is malformed
// (possible only for a state the rules did not build; [not in spec]).
Error levels_unusable(const RuleInput& in, std::initializer_list<int> rule);

// Rule 5 (v6-v11: 4): the event is an m.room.member event.
Result<void> check_member_event(const RuleInput& in);

// Rule 10 (v6-v11: 9): the event is an m.room.power_levels event.
Result<void> check_power_levels_event(const RuleInput& in);

}  // namespace chat::auth::detail
