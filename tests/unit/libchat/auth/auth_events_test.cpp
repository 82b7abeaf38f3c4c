// AuthState, the auth events selection (§9) and the auth_events rule (v1-v11 rule 2,
// v12 rule 3).

#include <chat/auth/auth_rules.hpp>

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "auth_test_support.hpp"

namespace chat::auth {
namespace {

using test::allowed;
using test::AuthEvents;
using test::refused_by;
using test::RoomBuilder;
using test::RuleNo;
using test::versions;

const auto kAlice = "@alice:a.test";
const auto kBob = "@bob:b.test";
const auto kCarol = "@carol:c.test";

bool has_key(const std::vector<StateKey>& keys, std::string_view type, std::string_view key) {
    return std::find(keys.begin(), keys.end(), state_key(type, key)) != keys.end();
}

UserId user(const char* text) { return UserId::parse(text).value(); }

// --- AuthState ---

TEST(AuthState, PutReplacesTheEntryAtTheSameKeyAndIgnoresNonState) {
    RoomBuilder room(RoomVersion::v11);
    room.standard_room(kAlice, "public").join(kBob);
    auto first = room.last();
    AuthState state;
    state.put(first);
    EXPECT_EQ(membership_in(state, kBob), "join");
    room.leave(kBob);
    state.put(room.last());
    state.put(room.draft_message(kAlice));  // not state: ignored
    ASSERT_NE(state.member(user(kBob)), nullptr);
    EXPECT_EQ(state.member(user(kBob))->event_id(), room.last()->event_id());
    EXPECT_NE(state.member(user(kBob))->event_id(), first->event_id());
    EXPECT_EQ(state.get("m.room.message", ""), nullptr);
    EXPECT_EQ(state.create(), nullptr);
    EXPECT_EQ(membership_in(state, kBob), "leave");
    EXPECT_EQ(membership_in(state, kCarol), "leave");  // no event: leave
}

TEST(AuthState, JoinRuleDefaultsToInviteWithoutAnEvent) {
    AuthState empty;
    EXPECT_EQ(join_rule_in(empty), "invite");
    RoomBuilder room(RoomVersion::v10);
    room.standard_room(kAlice, "knock");
    EXPECT_EQ(join_rule_in(room.current_state()), "knock");
    EXPECT_EQ(membership_in(room.current_state(), kAlice), "join");
}

// --- §9 auth events selection ---

TEST(AuthEventsSelection, CreateEventHasNoAuthEvents) {
    for (const auto* v : versions(1)) {
        EXPECT_TRUE(auth_event_keys(*v, "m.room.create", user(kAlice), "", {}).empty());
    }
}

TEST(AuthEventsSelection, MessageSelectsCreatePowerLevelsAndSenderUntilV12) {
    for (const auto* v : versions(1)) {
        auto keys = auth_event_keys(*v, "m.room.message", user(kAlice), std::nullopt, {});
        EXPECT_EQ(has_key(keys, "m.room.create", ""), !v->room_id_is_create_event_hash)
            << v->id;
        EXPECT_TRUE(has_key(keys, "m.room.power_levels", ""));
        EXPECT_TRUE(has_key(keys, "m.room.member", kAlice));
        EXPECT_EQ(keys.size(), v->room_id_is_create_event_hash ? 2u : 3u);
    }
}

TEST(AuthEventsSelection, MembershipSelectsTargetAndJoinRulesForJoinInviteKnock) {
    for (const char* membership : {"join", "invite", "knock"}) {
        auto keys = auth_event_keys(RoomVersion::v10, "m.room.member", user(kAlice),
                                    std::string(kBob), {{"membership", membership}});
        EXPECT_TRUE(has_key(keys, "m.room.member", kBob)) << membership;
        EXPECT_TRUE(has_key(keys, "m.room.join_rules", "")) << membership;
    }
    for (const char* membership : {"leave", "ban"}) {
        auto keys = auth_event_keys(RoomVersion::v10, "m.room.member", user(kAlice),
                                    std::string(kBob), {{"membership", membership}});
        EXPECT_TRUE(has_key(keys, "m.room.member", kBob)) << membership;
        EXPECT_FALSE(has_key(keys, "m.room.join_rules", "")) << membership;
    }
    // A self-change lists the member event once.
    auto self = auth_event_keys(RoomVersion::v10, "m.room.member", user(kAlice),
                                std::string(kAlice), {{"membership", "join"}});
    EXPECT_EQ(std::count(self.begin(), self.end(), state_key("m.room.member", kAlice)), 1);
}

TEST(AuthEventsSelection, ThirdPartyInviteSelectsTheTokensEvent) {
    const nlohmann::json content = {
        {"membership", "invite"},
        {"third_party_invite", {{"signed", {{"mxid", kBob}, {"token", "tok"}}}}}};
    auto keys = auth_event_keys(RoomVersion::v1, "m.room.member", user(kAlice),
                                std::string(kBob), content);
    EXPECT_TRUE(has_key(keys, "m.room.third_party_invite", "tok"));
    auto no_token = auth_event_keys(RoomVersion::v1, "m.room.member", user(kAlice),
                                    std::string(kBob),
                                    {{"membership", "invite"}, {"third_party_invite", 5}});
    EXPECT_EQ(no_token.size(), 5u);  // create, PL, sender, target, join rules
}

TEST(AuthEventsSelection, AuthorisingUsersMemberEventFromV8Only) {
    const nlohmann::json content = {{"membership", "join"},
                                    {"join_authorised_via_users_server", kCarol}};
    auto v8 = auth_event_keys(RoomVersion::v8, "m.room.member", user(kBob), std::string(kBob),
                              content);
    EXPECT_TRUE(has_key(v8, "m.room.member", kCarol));
    auto v7 = auth_event_keys(RoomVersion::v7, "m.room.member", user(kBob), std::string(kBob),
                              content);
    EXPECT_FALSE(has_key(v7, "m.room.member", kCarol));
}

// --- The auth_events rule ---

// A room with alice (creator), bob joined, and a message draft by bob.
RoomBuilder bob_room(const RoomVersion& v) {
    RoomBuilder room(v);
    room.standard_room(kAlice, "public").join(kBob);
    return room;
}

Result<void> check_list(const Pdu& event, const std::vector<PduPtr>& list,
                        const std::function<bool(const EventId&)>& is_rejected = {}) {
    return check_auth_events(event, list, is_rejected);
}

TEST(AuthEventsRule, TheSelectedListIsAllowedInEveryVersion) {
    for (const auto* v : versions(1)) {
        auto room = bob_room(*v);
        auto msg = room.draft_message(kBob);
        EXPECT_TRUE(allowed(check_list(*msg, room.auth_events_of(*msg)))) << v->id;
        auto kick = room.draft_membership(kBob, "leave", kAlice);
        EXPECT_TRUE(allowed(check_list(*kick, room.auth_events_of(*kick)))) << v->id;
    }
}

TEST(AuthEventsRule, CreateEventIsDecidedByRuleOne) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.create(kAlice);
        EXPECT_TRUE(allowed(check_list(*room.create_event(), {}))) << v->id;
    }
}

TEST(AuthEventsRule, DuplicateTypeAndStateKeyIsRefused) {
    for (const auto* v : versions(1)) {
        auto room = bob_room(*v);
        auto old_join = room.last();
        room.join(kBob, {{"displayname", "Bob"}});  // a second member event for bob
        auto msg = room.draft_message(kBob);
        auto list = room.auth_events_of(*msg);
        list.push_back(old_join);
        EXPECT_TRUE(refused_by(check_list(*msg, list), *v, RuleNo(*v).auth_events(1)));
    }
}

TEST(AuthEventsRule, KeyOutsideTheSelectionIsRefused) {
    for (const auto* v : versions(1)) {
        auto room = bob_room(*v);
        auto msg = room.draft_message(kBob);
        auto list = room.auth_events_of(*msg);
        list.push_back(room.find(room.state("m.room.join_rules", "")->event_id()));
        EXPECT_TRUE(refused_by(check_list(*msg, list), *v, RuleNo(*v).auth_events(2)));

        // A non-state event is never selectable.
        auto with_message = room.auth_events_of(*msg);
        with_message.push_back(room.draft_message(kAlice));
        EXPECT_TRUE(refused_by(check_list(*msg, with_message), *v, RuleNo(*v).auth_events(2)));
    }
}

TEST(AuthEventsRule, V12RefusesTheCreateEventInAuthEvents) {
    const auto& v = RoomVersion::v12;
    auto room = bob_room(v);
    auto msg = room.draft_message(kBob);
    auto list = room.auth_events_of(*msg);
    EXPECT_TRUE(allowed(check_list(*msg, list)));
    list.push_back(room.create_event());
    EXPECT_TRUE(refused_by(check_list(*msg, list), v, "3.2"));
}

TEST(AuthEventsRule, RejectedEntryIsRefused) {
    for (const auto* v : versions(1)) {
        auto room = bob_room(*v);
        auto msg = room.draft_message(kBob);
        const auto pl_id = room.state("m.room.power_levels", "")->event_id();
        auto is_rejected = [&](const EventId& id) { return id == pl_id; };
        EXPECT_TRUE(refused_by(check_list(*msg, room.auth_events_of(*msg), is_rejected), *v,
                               RuleNo(*v).auth_events(3)));
        auto none_rejected = [](const EventId&) { return false; };
        EXPECT_TRUE(allowed(check_list(*msg, room.auth_events_of(*msg), none_rejected)));
    }
}

TEST(AuthEventsRule, MissingCreateIsRefusedInV1ToV11) {
    for (const auto* v : versions(1, 11)) {
        auto room = bob_room(*v);
        auto msg = room.draft_message(kBob);
        std::vector<PduPtr> list;
        for (const auto& e : room.auth_events_of(*msg)) {
            if (e->type() != "m.room.create") list.push_back(e);
        }
        EXPECT_TRUE(refused_by(check_list(*msg, list), *v, RuleNo(*v).auth_events(4)));
    }
    // v12 deleted the rule: a list without the create event is the norm.
    auto room = bob_room(RoomVersion::v12);
    auto msg = room.draft_message(kBob);
    EXPECT_TRUE(allowed(check_list(*msg, room.auth_events_of(*msg))));
}

TEST(AuthEventsRule, EntryFromAnotherRoomIsRefused) {
    for (const auto* v : versions(1)) {
        auto room = bob_room(*v);
        RoomBuilder other(*v);
        other.create(kAlice, {{"other", true}}, "!other:a.test")
            .join(kAlice)
            .power_levels({{"users", test::users_with_creator(*v, kAlice)}});
        auto msg = room.draft_message(kBob);
        std::vector<PduPtr> list;
        for (const auto& e : room.auth_events_of(*msg)) {
            list.push_back(e->type() == "m.room.power_levels"
                               ? other.find(other.state("m.room.power_levels", "")->event_id())
                               : e);
        }
        // v1-v11 number it 2.5; v12 deleted 3.4, and the rendered spec numbers it 3.4.
        const std::string rule = v->room_id_is_create_event_hash ? "3.4" : "2.5";
        EXPECT_TRUE(refused_by(check_list(*msg, list), *v, rule));
    }
}

}  // namespace
}  // namespace chat::auth
