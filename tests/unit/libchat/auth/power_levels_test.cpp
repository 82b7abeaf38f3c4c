#include <chat/auth/power_levels.hpp>

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include <chat/json/parse.hpp>

#include "auth_test_support.hpp"
#include "support/spec_vectors.hpp"

namespace chat::auth {
namespace {

using test::versions;

// --- §8.3 value types: the spec's vectors, table-driven ---

TEST(PowerLevelValues, SpecStringVectorsParseInV1ToV9) {
    const auto& vectors = test::spec_vectors()["power_level_string_values"]["vectors"];
    ASSERT_FALSE(vectors.empty());
    for (const auto& vec : vectors) {
        const nlohmann::json input = vec["input"].get<std::string>();
        for (const auto* v : versions(1, 9)) {
            auto level = parse_power_level(input, *v);
            ASSERT_TRUE(level) << input << " v" << v->id;
            EXPECT_EQ(*level, vec["value"].get<std::int64_t>()) << input << " v" << v->id;
        }
        // v10+: integers only (§8.3).
        for (const auto* v : versions(10)) EXPECT_FALSE(parse_power_level(input, *v)) << input;
    }
}

TEST(PowerLevelValues, SpecFloatVectorsTruncateInV1ToV5) {
    const auto& vectors = test::spec_vectors()["power_level_float_values"]["vectors"];
    ASSERT_FALSE(vectors.empty());
    for (const auto& vec : vectors) {
        const auto text = vec["input_json_number"].get<std::string>();
        auto input = json::parse(text, {.numbers = json::Numbers::lenient});
        ASSERT_TRUE(input) << text;
        for (const auto* v : versions(1, 5)) {
            auto level = parse_power_level(*input, *v);
            ASSERT_TRUE(level) << text << " v" << v->id;
            EXPECT_EQ(*level, vec["value"].get<std::int64_t>()) << text;
        }
        // v6+: no floats. An integral literal ("50") is still an integer.
        for (const auto* v : versions(6)) {
            EXPECT_EQ(parse_power_level(*input, *v).has_value(), input->is_number_integer())
                << text << " v" << v->id;
        }
    }
}

TEST(PowerLevelValues, SpecFloatRejectListIsRefused) {
    const auto& reject = test::spec_vectors()["power_level_float_values"]["reject"];
    ASSERT_FALSE(reject.empty());
    for (const auto& entry : reject) {
        const auto name = entry.get<std::string>();
        if (name == "Infinity" || name == "-Infinity" || name == "NaN") {
            // Not JSON literals: the values as an in-memory document could carry them.
            const double value = name == "NaN" ? std::numeric_limits<double>::quiet_NaN()
                                 : name == "Infinity" ? std::numeric_limits<double>::infinity()
                                                      : -std::numeric_limits<double>::infinity();
            for (const auto* v : versions(1)) {
                EXPECT_FALSE(parse_power_level(nlohmann::json(value), *v)) << name;
            }
        } else {
            // Beyond binary64: refused when the JSON is read, so no such event is built;
            // the largest finite doubles are beyond the PL range and refused here.
            EXPECT_FALSE(json::parse("1e400", {.numbers = json::Numbers::lenient})) << name;
            for (const auto* v : versions(1, 5)) {
                EXPECT_FALSE(parse_power_level(nlohmann::json(1e308), *v)) << name;
                EXPECT_FALSE(parse_power_level(nlohmann::json(-1e308), *v)) << name;
            }
        }
    }
}

TEST(PowerLevelValues, RangeIsPlusMinus2To53Minus1InEveryVersion) {
    for (const auto* v : versions(1)) {
        EXPECT_EQ(parse_power_level(nlohmann::json(kMaxPowerLevel), *v), kMaxPowerLevel);
        EXPECT_EQ(parse_power_level(nlohmann::json(kMinPowerLevel), *v), kMinPowerLevel);
        EXPECT_FALSE(parse_power_level(nlohmann::json(kMaxPowerLevel + 1), *v));
        EXPECT_FALSE(parse_power_level(nlohmann::json(kMinPowerLevel - 1), *v));
        EXPECT_FALSE(parse_power_level(nlohmann::json(std::uint64_t{1} << 63), *v));
    }
    for (const auto* v : versions(1, 9)) {
        EXPECT_EQ(parse_power_level("9007199254740991", *v), kMaxPowerLevel);
        EXPECT_FALSE(parse_power_level("9007199254740992", *v));
        EXPECT_FALSE(parse_power_level("-9007199254740992", *v));
        EXPECT_EQ(parse_power_level("0000000000000000000000000000000000000042", *v), 42);
    }
}

TEST(PowerLevelValues, MalformedStringsAndOtherTypesAreRefused) {
    for (const char* text : {"", " ", "+", "-", "+-1", "1.5", "1e3", "0x10", "1 2", "ten", "١"}) {
        for (const auto* v : versions(1)) EXPECT_FALSE(parse_power_level(text, *v)) << text;
    }
    for (const auto& value : {nlohmann::json(nullptr), nlohmann::json(true),
                              nlohmann::json::array(), nlohmann::json::object()}) {
        for (const auto* v : versions(1)) EXPECT_FALSE(parse_power_level(value, *v)) << value;
    }
    // Floats truncate toward zero, negative ones too.
    EXPECT_EQ(parse_power_level(nlohmann::json(-50.9), RoomVersion::v5), -50);
    EXPECT_FALSE(parse_power_level(nlohmann::json(50.5), RoomVersion::v6));
}

// --- PowerLevelsContent ---

TEST(PowerLevelsContent, ParsesPresentFieldsOnly) {
    auto content = PowerLevelsContent::parse(
        {{"ban", 60}, {"users", {{"@a:x.test", 100}}}, {"events", {{"m.room.name", 40}}},
         {"notifications", {{"room", 20}}}, {"unknown_key", "ignored"}},
        RoomVersion::v12);
    ASSERT_TRUE(content) << content.error().message;
    EXPECT_EQ(content->ban, 60);
    EXPECT_FALSE(content->kick);
    EXPECT_EQ(content->users.at("@a:x.test"), 100);
    EXPECT_EQ(content->events.at("m.room.name"), 40);
    EXPECT_EQ(content->notifications.at("room"), 20);
    EXPECT_EQ(field_value(*content, PowerLevelField::ban), 60);
    EXPECT_FALSE(field_value(*content, PowerLevelField::invite));
}

TEST(PowerLevelsContent, NormalisesStringsInV1ToV9) {
    auto content = PowerLevelsContent::parse(
        {{"ban", " +50 "}, {"users", {{"@a:x.test", "0100"}}}, {"events", {{"m.x", "-1"}}}},
        RoomVersion::v9);
    ASSERT_TRUE(content) << content.error().message;
    EXPECT_EQ(content->ban, 50);
    EXPECT_EQ(content->users.at("@a:x.test"), 100);
    EXPECT_EQ(content->events.at("m.x"), -1);
    EXPECT_FALSE(PowerLevelsContent::parse({{"ban", "50"}}, RoomVersion::v10));
}

TEST(PowerLevelsContent, RefusesMalformedFieldsNamingThem) {
    struct Case {
        nlohmann::json content;
        const char* field;
    };
    const Case cases[] = {
        {{{"users", {{"not-a-user", 1}}}}, "'users'"},
        {{{"users", {{"@a:x.test", "high"}}}}, "'users'"},
        {{{"users", nlohmann::json::array()}}, "'users'"},
        {{{"events", 5}}, "'events'"},
        {{{"notifications", {{"room", nullptr}}}}, "'notifications'"},
        {{{"kick", "fifty"}}, "'kick'"},
    };
    for (const auto& c : cases) {
        auto parsed = PowerLevelsContent::parse(c.content, RoomVersion::v1);
        ASSERT_FALSE(parsed) << c.content;
        EXPECT_EQ(parsed.error().code, Errc::bad_json);
        EXPECT_NE(parsed.error().message.find(c.field), std::string::npos)
            << parsed.error().message;
    }
    EXPECT_FALSE(PowerLevelsContent::parse(nlohmann::json::array(), RoomVersion::v1));
}

TEST(PowerLevelsContent, ToJsonRoundTripsAsIntegers) {
    PowerLevelsContent content;
    content.ban = 50;
    content.state_default = 50;
    content.users["@alice:a.test"] = 100;
    content.events["m.room.tombstone"] = 150;
    const auto json = content.to_json();
    EXPECT_EQ(json["ban"], 50);
    EXPECT_FALSE(json.contains("kick"));
    EXPECT_TRUE(json["notifications"].is_object());
    auto again = PowerLevelsContent::parse(json, RoomVersion::v12);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, content);
}

// --- PowerLevels: defaults, user levels, required levels (§8.1, §8.2) ---

TEST(PowerLevels, DefaultsApplyWithoutAPowerLevelsEvent) {
    PowerLevels levels(RoomVersion::v11, std::nullopt, {});
    EXPECT_EQ(levels.users_default(), 0);
    EXPECT_EQ(levels.events_default(), 0);
    EXPECT_EQ(levels.state_default(), 50);
    EXPECT_EQ(levels.ban(), 50);
    EXPECT_EQ(levels.kick(), 50);
    EXPECT_EQ(levels.redact(), 50);
    EXPECT_EQ(levels.invite(), 0);
    EXPECT_EQ(levels.notification_level("room"), 50);
    EXPECT_FALSE(levels.notification_level("other"));
    EXPECT_EQ(levels.required_level("m.room.message", false), 0);
    EXPECT_EQ(levels.required_level("m.room.name", true), 50);
    EXPECT_EQ(levels.content(), nullptr);
}

TEST(PowerLevels, AbsentKeysOfAPowerLevelsEventTakeDefaults) {
    auto content = PowerLevelsContent::parse({{"users_default", 5}}, RoomVersion::v10);
    ASSERT_TRUE(content);
    PowerLevels levels(RoomVersion::v10, *content, {});
    EXPECT_EQ(levels.users_default(), 5);
    EXPECT_EQ(levels.user_level("@nobody:x.test"), 5);
    EXPECT_EQ(levels.state_default(), 50);
    EXPECT_EQ(levels.invite(), 0);
}

TEST(PowerLevels, CreatorHas100WithoutAPowerLevelsEventInV1ToV11) {
    const auto alice = UserId::parse("@alice:a.test").value();
    for (const auto* v : versions(1, 11)) {
        PowerLevels none(*v, std::nullopt, {alice});
        EXPECT_EQ(none.user_level("@alice:a.test"), 100) << v->id;
        EXPECT_EQ(none.user_level("@bob:b.test"), 0) << v->id;
        EXPECT_FALSE(none.has_infinite_power("@alice:a.test"));
        // Once a PL event exists, only its users map counts.
        PowerLevels some(*v, PowerLevelsContent{}, {alice});
        EXPECT_EQ(some.user_level("@alice:a.test"), 0) << v->id;
    }
}

TEST(PowerLevels, V12CreatorsHaveInfinitePowerAboveEveryInteger) {
    const auto alice = UserId::parse("@alice:a.test").value();
    const auto carol = UserId::parse("@carol:c.test").value();
    PowerLevelsContent content;
    content.users["@bob:b.test"] = kMaxPowerLevel;
    PowerLevels levels(RoomVersion::v12, content, {alice, carol});
    EXPECT_EQ(levels.user_level("@alice:a.test"), kInfinitePowerLevel);
    EXPECT_EQ(levels.user_level("@carol:c.test"), kInfinitePowerLevel);
    EXPECT_TRUE(levels.has_infinite_power("@carol:c.test"));
    EXPECT_GT(levels.user_level("@alice:a.test"), levels.user_level("@bob:b.test"));
    EXPECT_EQ(levels.user_level("@dave:d.test"), 0);
    PowerLevels none(RoomVersion::v12, std::nullopt, {alice});
    EXPECT_EQ(none.user_level("@alice:a.test"), kInfinitePowerLevel);
    EXPECT_EQ(none.user_level("@bob:b.test"), 0);
}

TEST(PowerLevels, RequiredLevelPrefersEventsThenStateOrEventsDefault) {
    auto content = PowerLevelsContent::parse(
        {{"events", {{"m.room.name", 10}}}, {"events_default", 1}, {"state_default", 60}},
        RoomVersion::v12);
    ASSERT_TRUE(content);
    PowerLevels levels(RoomVersion::v12, *content, {});
    EXPECT_EQ(levels.required_level("m.room.name", true), 10);
    EXPECT_EQ(levels.required_level("m.room.name", false), 10);
    EXPECT_EQ(levels.required_level("m.room.topic", true), 60);
    EXPECT_EQ(levels.required_level("m.room.message", false), 1);
}

TEST(PowerLevels, CreatorsOfFollowTheVersion) {
    test::RoomBuilder v10(RoomVersion::v10);
    v10.create("@alice:a.test", {{"creator", "@carol:a.test"}});
    auto c10 = PowerLevels::creators_of(*v10.create_event());
    ASSERT_EQ(c10.size(), 1u);
    EXPECT_EQ(c10[0].str(), "@carol:a.test");  // v1-v10: content.creator

    test::RoomBuilder v11(RoomVersion::v11);
    v11.create("@alice:a.test", {{"creator", "@carol:a.test"}});
    auto c11 = PowerLevels::creators_of(*v11.create_event());
    ASSERT_EQ(c11.size(), 1u);
    EXPECT_EQ(c11[0].str(), "@alice:a.test");  // v11: the sender

    test::RoomBuilder v12(RoomVersion::v12);
    v12.create("@alice:a.test", {{"additional_creators", {"@bob:b.test", "@carol:c.test"}}});
    auto c12 = PowerLevels::creators_of(*v12.create_event());
    ASSERT_EQ(c12.size(), 3u);
    EXPECT_EQ(c12[0].str(), "@alice:a.test");
    EXPECT_EQ(c12[2].str(), "@carol:c.test");
}

TEST(PowerLevels, FromEventsReadsTheRoomsEvents) {
    test::RoomBuilder room(RoomVersion::v9);
    room.standard_room("@alice:a.test", "public", {{"ban", "75"}});
    auto levels = PowerLevels::from_events(RoomVersion::v9, room.state("m.room.create", ""),
                                           room.state("m.room.power_levels", ""));
    ASSERT_TRUE(levels);
    EXPECT_EQ(levels->ban(), 75);
    EXPECT_EQ(levels->user_level("@alice:a.test"), 100);
    ASSERT_NE(levels->content(), nullptr);
}

}  // namespace
}  // namespace chat::auth
