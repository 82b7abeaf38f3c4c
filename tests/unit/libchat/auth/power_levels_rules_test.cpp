// The m.room.power_levels rule (v1-v5 rule 10, v6-v11 rule 9, v12 rule 10), each
// sub-rule in every version, with the v6 (notifications), v10 (integers only) and v12
// (creators) deltas.

#include <chat/auth/auth_rules.hpp>

#include <gtest/gtest.h>

#include <chat/auth/power_levels.hpp>

#include "auth_test_support.hpp"

namespace chat::auth {
namespace {

using test::allowed;
using test::check_draft;
using test::refused_by;
using test::RoomBuilder;
using test::RuleNo;
using test::versions;

const std::string kAlice = "@alice:a.test";  // creator
const std::string kBob = "@bob:b.test";      // 10
const std::string kCarol = "@carol:c.test";  // 50, sends the changes
const std::string kDave = "@dave:d.test";    // 50

nlohmann::json base_levels(const RoomVersion& v) {
    return {{"users", test::users_with_creator(v, kAlice, {{kCarol, 50}, {kDave, 50}, {kBob, 10}})},
            {"users_default", 0},
            {"events_default", 0},
            {"state_default", 50},
            {"ban", 50},
            {"kick", 50},
            {"redact", 50},
            {"invite", 0},
            {"events", {{"m.room.power_levels", 50}, {"m.room.tombstone", 100}}},
            {"notifications", {{"room", 50}, {"m.custom", 100}}}};
}

RoomBuilder pl_room(const RoomVersion& v) {
    RoomBuilder room(v);
    room.standard_room(kAlice, "public", base_levels(v));
    room.join(kCarol).join(kDave).join(kBob);
    return room;
}

// carol's PL event: the base content changed by `edit`.
template <typename Edit>
Result<void> carol_sets(const RoomVersion& v, Edit edit, const std::string& sender = kCarol) {
    auto room = pl_room(v);
    auto content = base_levels(v);
    edit(content);
    return check_draft(room, room.draft_state("m.room.power_levels", "", content, sender));
}

TEST(AuthPowerLevels, UnchangedContentIsAllowed) {
    for (const auto* v : versions(1)) {
        EXPECT_TRUE(allowed(carol_sets(*v, [](nlohmann::json&) {}))) << v->id;  // final allow
    }
}

// --- v10: integers only (10.1, 10.2), and the string/float forms before it ---

TEST(AuthPowerLevels, V10RefusesNonIntegerScalars) {
    for (const auto* v : versions(1)) {
        auto verdict = carol_sets(*v, [](nlohmann::json& c) { c["ban"] = "50"; });
        if (v->integer_only_power_levels) {
            EXPECT_TRUE(refused_by(verdict, *v, RuleNo(*v).pl_new(1)));
        } else {  // v1-v9: "50" is 50, so nothing changed
            EXPECT_TRUE(allowed(verdict)) << v->id;
        }
    }
    for (const auto* v : versions(10)) {
        EXPECT_TRUE(refused_by(carol_sets(*v, [](nlohmann::json& c) { c["kick"] = true; }), *v,
                               RuleNo(*v).pl_new(1)));
    }
}

TEST(AuthPowerLevels, V10RefusesNonIntegerEventsAndNotifications) {
    for (const auto* v : versions(1)) {
        auto events = carol_sets(
            *v, [](nlohmann::json& c) { c["events"]["m.room.power_levels"] = " 50 "; });
        auto notifications =
            carol_sets(*v, [](nlohmann::json& c) { c["notifications"]["room"] = "+50"; });
        if (v->integer_only_power_levels) {
            EXPECT_TRUE(refused_by(events, *v, RuleNo(*v).pl_new(2)));
            EXPECT_TRUE(refused_by(notifications, *v, RuleNo(*v).pl_new(2)));
        } else {
            EXPECT_TRUE(allowed(events)) << v->id;
            EXPECT_TRUE(allowed(notifications)) << v->id;
        }
    }
    for (const auto* v : versions(10)) {
        EXPECT_TRUE(refused_by(carol_sets(*v, [](nlohmann::json& c) { c["events"] = {1, 2}; }),
                               *v, RuleNo(*v).pl_new(2)));
    }
}

TEST(AuthPowerLevels, UsersMustMapUserIdsToLevels) {
    for (const auto* v : versions(1)) {
        EXPECT_TRUE(refused_by(
            carol_sets(*v, [](nlohmann::json& c) { c["users"]["not a user"] = 0; }), *v,
            RuleNo(*v).pl(1)));
        EXPECT_TRUE(refused_by(carol_sets(*v, [](nlohmann::json& c) { c["users"] = {1, 2}; }),
                               *v, RuleNo(*v).pl(1)));
        auto as_string = carol_sets(*v, [](nlohmann::json& c) { c["users"][kBob] = "10"; });
        if (v->integer_only_power_levels) {
            EXPECT_TRUE(refused_by(as_string, *v, RuleNo(*v).pl(1)));
        } else {
            EXPECT_TRUE(allowed(as_string)) << v->id;
        }
    }
}

TEST(AuthPowerLevels, V1ToV5AcceptFloatLevelsTruncated) {
    for (const auto* v : versions(1, 5)) {
        // 10.9 truncates to bob's current 10: no change.
        EXPECT_TRUE(allowed(carol_sets(*v, [](nlohmann::json& c) { c["users"][kBob] = 10.9; })))
            << v->id;
        // 50.5 truncates to 50, which carol may give.
        EXPECT_TRUE(allowed(carol_sets(*v, [](nlohmann::json& c) { c["users"][kBob] = 50.5; })))
            << v->id;
        EXPECT_TRUE(refused_by(
            carol_sets(*v, [](nlohmann::json& c) { c["users"][kBob] = 51.0; }), *v,
            RuleNo(*v).pl(7)));
    }
}

TEST(AuthPowerLevels, V1ToV9RefuseScalarsThatAreNoNumberAtAll) {
    for (const auto* v : versions(1, 9)) {
        EXPECT_TRUE(refused_by(carol_sets(*v, [](nlohmann::json& c) { c["ban"] = "fifty"; }), *v,
                               RuleNo(*v).top(10)));
    }
}

// --- v12 10.4: creators are never listed ---

TEST(AuthPowerLevels, V12RefusesCreatorsInUsers) {
    const auto& v = RoomVersion::v12;
    RoomBuilder room(v);
    room.standard_room(kAlice, "public", base_levels(v), {{"additional_creators", {kDave}}});
    room.join(kCarol).join(kDave);
    auto content = base_levels(v);
    content["users"].erase(kDave);
    EXPECT_TRUE(allowed(check_draft(room, room.draft_state("m.room.power_levels", "", content,
                                                           kAlice))));
    content["users"][kAlice] = 100;
    EXPECT_TRUE(refused_by(check_draft(room, room.draft_state("m.room.power_levels", "",
                                                              content, kAlice)),
                           v, "10.4"));
    content["users"].erase(kAlice);
    content["users"][kDave] = 100;  // an additional creator
    EXPECT_TRUE(refused_by(check_draft(room, room.draft_state("m.room.power_levels", "",
                                                              content, kAlice)),
                           v, "10.4"));
}

TEST(AuthPowerLevels, V11ListsTheCreatorLikeAnyone) {
    EXPECT_TRUE(allowed(carol_sets(RoomVersion::v11, [](nlohmann::json&) {}, kAlice)));
}

// --- 10.2 (v10: 9.4, v12: 10.5): the first PL event ---

TEST(AuthPowerLevels, FirstPowerLevelsEventIsAllowedWhateverItSays) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.create(kAlice).join(kAlice);
        const nlohmann::json content = {
            {"ban", 1000},
            {"users", test::users_with_creator(*v, kAlice, {{kBob, 5000}})}};
        auto first = room.draft_state("m.room.power_levels", "", content, kAlice);
        EXPECT_TRUE(allowed(check_draft(room, first))) << v->id;
        // The same content over an existing PL event goes through the change rules.
        if (v->creators_have_infinite_power) continue;  // a v12 creator may set anything
        room.power_levels({{"users", {{kAlice, 100}}}});
        auto second = room.draft_state("m.room.power_levels", "", content, kAlice);
        EXPECT_TRUE(refused_by(check_draft(room, second), *v, RuleNo(*v).pl(3)));
    }
}

// --- 10.3 (v10: 9.5, v12: 10.6): the seven scalars ---

TEST(AuthPowerLevels, ScalarsChangeOnlyWithinTheSendersLevel) {
    for (const auto* v : versions(1)) {
        const auto rule = RuleNo(*v).pl(3);
        EXPECT_TRUE(allowed(carol_sets(*v, [](nlohmann::json& c) { c["kick"] = 40; }))) << v->id;
        EXPECT_TRUE(allowed(carol_sets(*v, [](nlohmann::json& c) { c["ban"] = 50; }))) << v->id;
        // A new value above the sender's level.
        EXPECT_TRUE(
            refused_by(carol_sets(*v, [](nlohmann::json& c) { c["ban"] = 51; }), *v, rule));
        // Removal is a change: fine for a value within reach (state_default 50)...
        EXPECT_TRUE(allowed(carol_sets(*v, [](nlohmann::json& c) { c.erase("state_default"); })))
            << v->id;
    }
}

TEST(AuthPowerLevels, AddedScalarIsJudgedByItsNewValue) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        auto levels = base_levels(*v);
        levels.erase("invite");
        room.standard_room(kAlice, "public", levels);
        room.join(kCarol);
        auto added = levels;
        added["invite"] = 60;
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_state("m.room.power_levels", "",
                                                                  added, kCarol)),
                               *v, RuleNo(*v).pl(3)));
        added["invite"] = 50;
        EXPECT_TRUE(allowed(check_draft(room, room.draft_state("m.room.power_levels", "", added,
                                                               kCarol))))
            << v->id;
    }
}

TEST(AuthPowerLevels, ScalarsAboveTheSenderCannotBeTouched) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        auto levels = base_levels(*v);
        levels["redact"] = 75;
        room.standard_room(kAlice, "public", levels);
        room.join(kCarol);
        auto lowered = levels;
        lowered["redact"] = 50;
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_state("m.room.power_levels", "",
                                                                  lowered, kCarol)),
                               *v, RuleNo(*v).pl(3)));
        auto removed = levels;
        removed.erase("redact");  // the default 50 would apply, but the old 75 decides
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_state("m.room.power_levels", "",
                                                                  removed, kCarol)),
                               *v, RuleNo(*v).pl(3)));
    }
}

// --- 10.4 / 10.5 (v10: 9.6 / 9.7, v12: 10.7 / 10.8): events ---

TEST(AuthPowerLevels, EventLevelsAboveTheSenderCannotBeChangedOrRemoved) {
    for (const auto* v : versions(1)) {
        const auto rule = RuleNo(*v).pl(4);
        EXPECT_TRUE(refused_by(
            carol_sets(*v, [](nlohmann::json& c) { c["events"]["m.room.tombstone"] = 50; }), *v,
            rule));
        EXPECT_TRUE(refused_by(
            carol_sets(*v, [](nlohmann::json& c) { c["events"].erase("m.room.tombstone"); }), *v,
            rule));
        // Within reach: changed freely.
        EXPECT_TRUE(allowed(carol_sets(
            *v, [](nlohmann::json& c) { c["events"]["m.room.power_levels"] = 40; })))
            << v->id;
    }
}

TEST(AuthPowerLevels, EventLevelsCannotBeSetAboveTheSender) {
    for (const auto* v : versions(1)) {
        const auto rule = RuleNo(*v).pl(5);
        EXPECT_TRUE(refused_by(
            carol_sets(*v, [](nlohmann::json& c) { c["events"]["m.custom"] = 75; }), *v, rule));
        EXPECT_TRUE(refused_by(
            carol_sets(*v, [](nlohmann::json& c) { c["events"]["m.room.power_levels"] = 51; }),
            *v, rule));
        EXPECT_TRUE(
            allowed(carol_sets(*v, [](nlohmann::json& c) { c["events"]["m.custom"] = 50; })))
            << v->id;
    }
}

// --- v6: notifications join events in 10.4 / 10.5 ---

TEST(AuthPowerLevels, NotificationsAreCoveredFromV6) {
    for (const auto* v : versions(1)) {
        auto raised = carol_sets(*v, [](nlohmann::json& c) { c["notifications"]["room"] = 75; });
        auto lowered =
            carol_sets(*v, [](nlohmann::json& c) { c["notifications"]["m.custom"] = 0; });
        auto within = carol_sets(*v, [](nlohmann::json& c) { c["notifications"]["room"] = 10; });
        EXPECT_TRUE(allowed(within)) << v->id;
        if (v->notifications_in_power_levels_auth) {
            EXPECT_TRUE(refused_by(raised, *v, RuleNo(*v).pl(5)));
            EXPECT_TRUE(refused_by(lowered, *v, RuleNo(*v).pl(4)));
        } else {
            EXPECT_TRUE(allowed(raised)) << v->id;
            EXPECT_TRUE(allowed(lowered)) << v->id;
        }
    }
}

// --- 10.6 / 10.7 (v10: 9.8 / 9.9, v12: 10.9 / 10.10): users ---

TEST(AuthPowerLevels, PeersAndSuperiorsCannotBeDemoted) {
    for (const auto* v : versions(1)) {
        const auto rule = RuleNo(*v).pl(6);
        EXPECT_TRUE(
            refused_by(carol_sets(*v, [](nlohmann::json& c) { c["users"][kDave] = 0; }), *v, rule));
        EXPECT_TRUE(refused_by(carol_sets(*v, [](nlohmann::json& c) { c["users"].erase(kDave); }),
                               *v, rule));
        if (!v->creators_have_infinite_power) {
            EXPECT_TRUE(refused_by(
                carol_sets(*v, [](nlohmann::json& c) { c["users"][kAlice] = 0; }), *v, rule));
        }
        // Users below the sender may be changed, and the sender may lower themself.
        EXPECT_TRUE(allowed(carol_sets(*v, [](nlohmann::json& c) { c["users"][kBob] = 20; })))
            << v->id;
        EXPECT_TRUE(allowed(carol_sets(*v, [](nlohmann::json& c) { c["users"][kCarol] = 0; })))
            << v->id;
    }
}

TEST(AuthPowerLevels, NobodyIsRaisedAboveTheSender) {
    for (const auto* v : versions(1)) {
        const auto rule = RuleNo(*v).pl(7);
        EXPECT_TRUE(refused_by(
            carol_sets(*v, [](nlohmann::json& c) { c["users"]["@eve:e.test"] = 75; }), *v, rule));
        EXPECT_TRUE(
            refused_by(carol_sets(*v, [](nlohmann::json& c) { c["users"][kBob] = 51; }), *v, rule));
        // Up to the sender's own level is fine, the sender's own entry included.
        EXPECT_TRUE(allowed(
            carol_sets(*v, [](nlohmann::json& c) { c["users"]["@eve:e.test"] = 50; })))
            << v->id;
        EXPECT_TRUE(
            refused_by(carol_sets(*v, [](nlohmann::json& c) { c["users"][kCarol] = 51; }), *v,
                       rule));
    }
}

// --- v12: a creator's infinite level passes every comparison ---

TEST(AuthPowerLevels, V12CreatorSetsAnyLevel) {
    const auto& v = RoomVersion::v12;
    auto verdict = carol_sets(
        v,
        [](nlohmann::json& c) {
            c["users"][kBob] = kMaxPowerLevel;
            c["users"][kCarol] = 0;
            c["ban"] = kMaxPowerLevel;
            c["events"]["m.room.tombstone"] = kMaxPowerLevel;
        },
        kAlice);
    EXPECT_TRUE(allowed(verdict));
    // The same change from the v11 creator at 100 is refused.
    auto v11 = carol_sets(
        RoomVersion::v11, [](nlohmann::json& c) { c["ban"] = kMaxPowerLevel; }, kAlice);
    EXPECT_TRUE(refused_by(v11, RoomVersion::v11, "9.5"));
}

}  // namespace
}  // namespace chat::auth
