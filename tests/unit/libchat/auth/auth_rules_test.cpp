// The authorization rules other than the member and power levels rules: create (1),
// v12 room_id (2), m.federate (3), aliases (v1-v5 4), sender joined, third-party invite
// events, required level, '@' state keys, redaction (v1-v2 11) and the final allow.

#include <memory>

#include <chat/auth/auth_rules.hpp>

#include <gtest/gtest.h>

#include "auth_test_support.hpp"

namespace chat::auth {
namespace {

using test::allowed;
using test::check_draft;
using test::EventSpec;
using test::refused_by;
using test::RoomBuilder;
using test::RuleNo;
using test::versions;

const std::string kAlice = "@alice:a.test";
const std::string kBob = "@bob:b.test";
const std::string kCarol = "@carol:c.test";

// The create event of `v`, with `content` in place of the usual one.
PduPtr create_with(const RoomVersion& v, nlohmann::json content,
                   std::string sender = kAlice, std::string room_id = "!room:a.test") {
    EventSpec spec{.type = "m.room.create", .sender = std::move(sender), .state_key = "",
                   .content = std::move(content)};
    if (!v.room_id_is_create_event_hash) spec.room_id = std::move(room_id);
    return test::build_event(v, spec);
}

nlohmann::json usual_create_content(const RoomVersion& v) {
    nlohmann::json content = {{"room_version", std::string(v.id)}};
    if (v.creator_in_create) content["creator"] = kAlice;
    return content;
}

// --- Rule 1: m.room.create ---

TEST(AuthRulesCreate, UsualCreateEventIsAllowedInEveryVersion) {
    for (const auto* v : versions(1)) {
        EXPECT_TRUE(allowed(check(*create_with(*v, usual_create_content(*v)), AuthState{})))
            << v->id;
    }
}

TEST(AuthRulesCreate, PrevEventsAreRefused) {
    for (const auto* v : versions(1)) {
        auto first = create_with(*v, usual_create_content(*v));
        EventSpec spec{.type = "m.room.create", .sender = kAlice, .state_key = "",
                       .content = usual_create_content(*v), .prev_events = {first}};
        if (!v->room_id_is_create_event_hash) spec.room_id = "!room:a.test";
        auto second = test::build_event(*v, spec);
        EXPECT_TRUE(refused_by(check(*second, AuthState{}), *v, "1.1"));
    }
}

TEST(AuthRulesCreate, RoomIdDomainMustBeTheSendersInV1ToV11) {
    for (const auto* v : versions(1, 11)) {
        auto same = create_with(*v, usual_create_content(*v), kAlice, "!room:a.test");
        EXPECT_TRUE(allowed(check(*same, AuthState{}))) << v->id;
        auto other = create_with(*v, usual_create_content(*v), kAlice, "!room:elsewhere.test");
        EXPECT_TRUE(refused_by(check(*other, AuthState{}), *v, "1.2"));
    }
}

TEST(AuthRulesCreate, V12CreateMustHaveNoRoomId) {
    // A v12 create event at state_key "" cannot even be parsed with a room_id; one at
    // another state key is still "type m.room.create" for rule 1 and carries one.
    const auto& v = RoomVersion::v12;
    auto real = create_with(v, usual_create_content(v));
    EXPECT_FALSE(real->json().contains("room_id"));
    EXPECT_TRUE(allowed(check(*real, AuthState{})));
    auto with_room_id = test::build_event(
        v, {.type = "m.room.create", .sender = kAlice, .state_key = "x",
            .content = usual_create_content(v), .room_id = std::string(real->room_id().str())});
    EXPECT_TRUE(refused_by(check(*with_room_id, AuthState{}), v, "1.2"));
}

TEST(AuthRulesCreate, UnknownRoomVersionIsRefused) {
    for (const auto* v : versions(1)) {
        auto content = usual_create_content(*v);
        content["room_version"] = "org.example.unknown";
        EXPECT_TRUE(refused_by(check(*create_with(*v, content), AuthState{}), *v, "1.3"));
        content["room_version"] = 12;  // not a string: not a recognised version either
        EXPECT_TRUE(refused_by(check(*create_with(*v, content), AuthState{}), *v, "1.3"));
        content.erase("room_version");  // absent: allowed (the version is then "1")
        EXPECT_TRUE(allowed(check(*create_with(*v, content), AuthState{}))) << v->id;
    }
}

TEST(AuthRulesCreate, CreatorIsRequiredInV1ToV10Only) {
    for (const auto* v : versions(1)) {
        const nlohmann::json content = {{"room_version", std::string(v->id)}};
        auto verdict = check(*create_with(*v, content), AuthState{});
        if (v->creator_in_create) {
            EXPECT_TRUE(refused_by(verdict, *v, "1.4"));
        } else {
            EXPECT_TRUE(allowed(verdict)) << v->id;  // v11 removed 1.4
        }
    }
}

TEST(AuthRulesCreate, V12ValidatesAdditionalCreators) {
    const auto& v = RoomVersion::v12;
    auto with = [&](nlohmann::json extra) {
        auto content = usual_create_content(v);
        content["additional_creators"] = std::move(extra);
        return check(*create_with(v, content), AuthState{});
    };
    EXPECT_TRUE(allowed(with({kBob, kCarol})));
    EXPECT_TRUE(allowed(with(nlohmann::json::array())));
    EXPECT_TRUE(refused_by(with(kBob), v, "1.4"));               // not an array
    EXPECT_TRUE(refused_by(with({kBob, 5}), v, "1.4"));          // not strings
    EXPECT_TRUE(refused_by(with({"bob", kCarol}), v, "1.4"));    // not a user id
    EXPECT_TRUE(refused_by(with({"@bob"}), v, "1.4"));           // no server name

    // v11 does not validate the key (it has no meaning there).
    auto content = usual_create_content(RoomVersion::v11);
    content["additional_creators"] = 5;
    EXPECT_TRUE(allowed(check(*create_with(RoomVersion::v11, content), AuthState{})));
}

// --- v12 rule 2 (and the create event the other versions' rules need) ---

TEST(AuthRulesRoomId, V12RoomIdMustNameTheAcceptedCreateEvent) {
    const auto& v = RoomVersion::v12;
    RoomBuilder room(v);
    room.standard_room(kAlice, "public");
    auto msg = room.draft_message(kAlice);
    EXPECT_TRUE(allowed(check_draft(room, msg)));

    // A state without the create event (as auth_events alone give it): refused.
    AuthState without_create;
    for (const auto& e : room.auth_events_of(*msg)) without_create.put(e);
    EXPECT_TRUE(refused_by(check(*msg, without_create), v, "2"));

    // Another room's create event does not name this room.
    RoomBuilder other(v);
    other.create(kAlice, {{"other", true}});
    AuthState wrong_create = room.auth_state_for(*msg);
    wrong_create.put(other.create_event());
    EXPECT_TRUE(refused_by(check(*msg, wrong_create), v, "2"));
}

TEST(AuthRulesRoomId, V1ToV11NeedTheRoomsCreateEventInTheState) {
    for (const auto* v : versions(1, 11)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public");
        auto msg = room.draft_message(kAlice);
        AuthState state;
        for (const auto& e : room.auth_events_of(*msg)) {
            if (e->type() != "m.room.create") state.put(e);
        }
        EXPECT_TRUE(refused_by(check(*msg, state), *v, RuleNo(*v).auth_events(4)));

        RoomBuilder other(*v);
        other.create(kAlice, {}, "!other:a.test");
        state.put(other.create_event());
        EXPECT_TRUE(refused_by(check(*msg, state), *v, RuleNo(*v).auth_events(5)));
    }
}

// --- Rule 3 (v12: 4): m.federate ---

TEST(AuthRulesFederate, UnfederatedRoomRefusesOtherServers) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public", {}, {{"m.federate", false}});
        room.join("@alice2:a.test");
        // The same server is fine.
        EXPECT_TRUE(allowed(check_draft(room, room.draft_message("@alice2:a.test"))));
        // Another server cannot even join.
        auto join = room.draft_membership(kBob, "join");
        EXPECT_TRUE(refused_by(check_draft(room, join), *v, RuleNo(*v).top(3)));
    }
}

TEST(AuthRulesFederate, FederatingRoomsAcceptOtherServers) {
    for (const auto* v : versions(1)) {
        for (const auto& federate : {nlohmann::json(true), nlohmann::json("false")}) {
            RoomBuilder room(*v);
            room.standard_room(kAlice, "public", {}, {{"m.federate", federate}});
            EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "join"))))
                << v->id << " " << federate;
        }
    }
}

// --- Rule 4 (v1-v5): m.room.aliases ---

TEST(AuthRulesAliases, V1ToV5AllowAliasesForTheSendersDomainEvenWhenNotJoined) {
    for (const auto* v : versions(1, 5)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public");
        auto aliases = room.draft_state("m.room.aliases", "b.test",
                                        {{"aliases", {"#x:b.test"}}}, kBob);
        EXPECT_TRUE(allowed(check_draft(room, aliases))) << v->id;  // 4.3
    }
}

TEST(AuthRulesAliases, V1ToV5RefuseAnotherDomainsStateKey) {
    for (const auto* v : versions(1, 5)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public");
        // Even the room's creator cannot write b.test's aliases.
        auto aliases = room.draft_state("m.room.aliases", "b.test",
                                        {{"aliases", {"#x:b.test"}}}, kAlice);
        EXPECT_TRUE(refused_by(check_draft(room, aliases), *v, "4.2"));
    }
}

TEST(AuthRulesAliases, V1ToV5RefuseAliasesWithoutStateKey) {
    for (const auto* v : versions(1, 5)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public");
        auto aliases = room.draft({.type = "m.room.aliases", .sender = kAlice,
                                   .content = {{"aliases", {"#x:a.test"}}}});
        EXPECT_TRUE(refused_by(check_draft(room, aliases), *v, "4.1"));
    }
}

TEST(AuthRulesAliases, V6TreatsAliasesAsOrdinaryState) {
    for (const auto* v : versions(6)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public");
        // Not joined: refused by "sender must be joined", no longer allowed by rule 4.
        auto outsider = room.draft_state("m.room.aliases", "b.test", {{"aliases", {}}}, kBob);
        EXPECT_TRUE(refused_by(check_draft(room, outsider), *v, RuleNo(*v).top(6)));
        // Another domain's state key is fine for a sender with the power.
        auto creator = room.draft_state("m.room.aliases", "b.test", {{"aliases", {}}}, kAlice);
        EXPECT_TRUE(allowed(check_draft(room, creator))) << v->id;
        // No state key: an ordinary message event.
        auto message = room.draft({.type = "m.room.aliases", .sender = kAlice});
        EXPECT_TRUE(allowed(check_draft(room, message))) << v->id;
    }
}

// --- Rule 6 (v6-v11: 5): the sender must be joined ---

TEST(AuthRulesSenderJoined, JoinedSenderMayPostOthersMayNot) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "invite").invite(kBob, kAlice);
        EXPECT_TRUE(allowed(check_draft(room, room.draft_message(kAlice)))) << v->id;
        // Invited is not joined; nor is a stranger.
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_message(kBob)), *v,
                               RuleNo(*v).top(6)));
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_message(kCarol)), *v,
                               RuleNo(*v).top(6)));
    }
}

// --- Rule 7 (v6-v11: 6): m.room.third_party_invite ---

TEST(AuthRulesThirdPartyInviteEvent, InviteLevelDecidesAndRequiredLevelIsNotConsulted) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        // The events map asks 100 for the type, but rule 7 ends the checks first.
        room.standard_room(kAlice, "public",
                           {{"invite", 10},
                            {"users", test::users_with_creator(*v, kAlice, {{kBob, 10}})},
                            {"events", {{"m.room.third_party_invite", 100}}}});
        room.join(kBob).join(kCarol);
        auto by_bob = room.draft_state("m.room.third_party_invite", "tok",
                                       {{"display_name", "x"}}, kBob);
        EXPECT_TRUE(allowed(check_draft(room, by_bob))) << v->id;
        auto by_carol = room.draft_state("m.room.third_party_invite", "tok",
                                         {{"display_name", "x"}}, kCarol);
        EXPECT_TRUE(refused_by(check_draft(room, by_carol), *v, RuleNo(*v).top(7) + ".1"));
    }
}

// --- Rule 8 (v6-v11: 7): the required level ---

TEST(AuthRulesRequiredLevel, EventsMapThenStateOrEventsDefault) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public",
                           {{"users", test::users_with_creator(*v, kAlice, {{kBob, 10}})},
                            {"events", {{"m.room.topic", 10}, {"m.sticker", 20}}}});
        room.join(kBob);
        // state_default 50 > 10.
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_state("m.room.name", "",
                                                                  {{"name", "n"}}, kBob)),
                               *v, RuleNo(*v).top(8)));
        // events lowers one state type to 10.
        EXPECT_TRUE(allowed(check_draft(
            room, room.draft_state("m.room.topic", "", {{"topic", "t"}}, kBob))))
            << v->id;
        // events raises one message type to 20.
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_message(kBob, "m.sticker")), *v,
                               RuleNo(*v).top(8)));
        // events_default 0 for the rest.
        EXPECT_TRUE(allowed(check_draft(room, room.draft_message(kBob)))) << v->id;
    }
}

// Levels the caller passes (AuthContext::levels, what RoomService keeps
// between messages) are the ones the rules read, in place of parsing the
// state's PL event again.
TEST(AuthRulesRequiredLevel, LevelsGivenByTheCallerAreTheOnesRead) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public");
        room.join(kBob);
        auto message = room.draft_message(kBob);
        const AuthState state = room.current_state();
        EXPECT_TRUE(allowed(check(*message, state))) << v->id;
        // The same state's levels, parsed once: the same verdict.
        auto same = PowerLevels::from_events(*v, state.create(), state.power_levels());
        ASSERT_TRUE(same);
        EXPECT_TRUE(allowed(check(*message, state,
                                  {.levels = std::make_shared<const PowerLevels>(*same)})))
            << v->id;
        // Levels that say otherwise (events_default 100) decide.
        auto pl_content = state.power_levels()->content();
        pl_content["events_default"] = 100;
        auto strict = PowerLevelsContent::parse(pl_content, *v);
        ASSERT_TRUE(strict);
        auto given = std::make_shared<const PowerLevels>(
            *v, std::move(*strict), PowerLevels::creators_of(*state.create()));
        EXPECT_TRUE(refused_by(check(*message, state, {.levels = given}), *v,
                               RuleNo(*v).top(8)));
    }
}

// --- Rule 9 (v6-v11: 8): state keys starting with '@' ---

TEST(AuthRulesUserStateKey, OnlyTheNamedUserMaySetIt) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public", {{"state_default", 0}});
        room.join(kBob);
        auto own = room.draft_state("org.example.status", kBob, {{"s", 1}}, kBob);
        EXPECT_TRUE(allowed(check_draft(room, own))) << v->id;
        auto others = room.draft_state("org.example.status", kAlice, {{"s", 1}}, kBob);
        EXPECT_TRUE(refused_by(check_draft(room, others), *v, RuleNo(*v).top(9)));
        // Power does not help: the creator cannot set bob's entry either.
        auto creator = room.draft_state("org.example.status", kBob, {{"s", 1}}, kAlice);
        EXPECT_TRUE(refused_by(check_draft(room, creator), *v, RuleNo(*v).top(9)));
    }
}

// --- Rule 11 (v1-v2 only): redactions ---

PduPtr redaction(const RoomBuilder& room, const std::string& sender, const PduPtr& target) {
    const std::string id(target->event_id().str());
    EventSpec spec{.type = "m.room.redaction", .sender = sender};
    if (room.version().redacts_in_content)
        spec.content = {{"redacts", id}};
    else
        spec.extra = {{"redacts", id}};
    return room.draft(spec);
}

TEST(AuthRulesRedaction, V1V2AllowTheRedactLevel) {
    for (const auto* v : versions(1, 2)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public").join(kBob);
        room.add({.type = "m.room.message", .sender = kBob, .content = {{"body", "x"}}});
        EXPECT_TRUE(allowed(check_draft(room, redaction(room, kAlice, room.last())))) << v->id;
    }
}

TEST(AuthRulesRedaction, V1V2AllowTheSameEventIdDomain) {
    for (const auto* v : versions(1, 2)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public").join(kBob).join("@bob2:b.test");
        room.add({.type = "m.room.message", .sender = "@bob2:b.test", .content = {{"b", 1}}});
        // bob is below the redact level (0 < 50), but both ids end in ":b.test".
        EXPECT_TRUE(allowed(check_draft(room, redaction(room, kBob, room.last())))) << v->id;
    }
}

TEST(AuthRulesRedaction, V1V2RefuseOtherDomainsBelowTheRedactLevel) {
    for (const auto* v : versions(1, 2)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public").join(kBob);
        room.add({.type = "m.room.message", .sender = kAlice, .content = {{"body", "x"}}});
        EXPECT_TRUE(refused_by(check_draft(room, redaction(room, kBob, room.last())), *v,
                               "11.3"));
    }
}

TEST(AuthRulesRedaction, V3AndLaterLeaveRedactionsToTheGenericRules) {
    for (const auto* v : versions(3)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public").join(kBob);
        room.add({.type = "m.room.message", .sender = kAlice, .content = {{"body", "x"}}});
        // The same redaction rule 11.3 refuses in v1-v2 is allowed: events_default 0.
        EXPECT_TRUE(allowed(check_draft(room, redaction(room, kBob, room.last())))) << v->id;
    }
    // ...unless the events map asks more for m.room.redaction (rule 8).
    RoomBuilder room(RoomVersion::v11);
    room.standard_room(kAlice, "public", {{"events", {{"m.room.redaction", 50}}}}).join(kBob);
    room.add({.type = "m.room.message", .sender = kAlice, .content = {{"body", "x"}}});
    EXPECT_TRUE(refused_by(check_draft(room, redaction(room, kBob, room.last())),
                           RoomVersion::v11, "7"));
}

// --- The final rule: allow ---

TEST(AuthRulesFinal, OrdinaryEventsOfJoinedSendersAreAllowed) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public").join(kBob);
        EXPECT_TRUE(allowed(check_draft(room, room.draft_message(kBob)))) << v->id;
        EXPECT_TRUE(allowed(check_draft(
            room, room.draft_state("m.room.name", "", {{"name", "n"}}, kAlice))))
            << v->id;
    }
}

// --- Pure: nothing escapes on hostile content ---

TEST(AuthRulesRobustness, MalformedContentIsRefusedNotThrown) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.standard_room(kAlice, "public");
        for (const auto& content :
             {nlohmann::json{{"membership", 5}}, nlohmann::json{{"membership", nullptr}},
              nlohmann::json{{"membership", "invite"}, {"third_party_invite", {1, 2}}},
              nlohmann::json{{"membership", "invite"},
                             {"third_party_invite", {{"signed", {{"mxid", 1}}}}}}}) {
            auto event = room.draft({.type = "m.room.member", .sender = kBob,
                                     .state_key = kBob, .content = content});
            EXPECT_FALSE(check(*event, room.current_state())) << content;
        }
        // v8+: an authorising user that is no user id names no server to have signed.
        auto join = room.draft_membership(kBob, "join", kBob,
                                          {{"join_authorised_via_users_server", {{"x", 1}}}});
        EXPECT_EQ(check(*join, room.current_state(), test::test_auth_context()).has_value(),
                  !v->restricted_joins);
        auto pl = room.draft_state("m.room.power_levels", "",
                                   {{"users", "x"}, {"events", {1, 2}}}, kAlice);
        EXPECT_FALSE(check(*pl, room.current_state()));
    }
}

}  // namespace
}  // namespace chat::auth
