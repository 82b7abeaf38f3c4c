#include <chat/push/condition.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/push/push_test_support.hpp"

namespace chat::push {
namespace {

using test::j;

bool holds(const nlohmann::json& condition, const nlohmann::json& event, RoomFacts room = {},
           const MemberFacts& member = MemberFacts()) {
    EventView view(event);
    return Condition::compile(condition).matches(view, room, member);
}

TEST(PushKeyPath, SplitsOnUnescapedDots) {
    using V = std::vector<std::string>;
    EXPECT_EQ(split_key_path("content.body"), (V{"content", "body"}));
    EXPECT_EQ(split_key_path(R"(content.m\.relates_to.rel_type)"),
              (V{"content", "m.relates_to", "rel_type"}));
    EXPECT_EQ(split_key_path(R"(content.m\\foo)"), (V{"content", R"(m\foo)"}));
    EXPECT_EQ(split_key_path(R"(content.a\xb)"), (V{"content", R"(a\xb)"}));
    EXPECT_EQ(split_key_path(R"(trailing\)"), (V{R"(trailing\)"}));
    EXPECT_EQ(split_key_path(""), (V{""}));
}

TEST(PushKeyPath, JoinIsCanonical) {
    EXPECT_EQ(join_key_path(split_key_path(R"(content.m\.mentions)")), R"(content.m\.mentions)");
    EXPECT_EQ(join_key_path(split_key_path(R"(a.b\x)")), R"(a.b\\x)");  // same property
}

TEST(PushCondition, EventMatchWholeValueIgnoresCase) {
    auto topic = test::event("m.room.topic", {{"topic", "Lunch plans"}}, "");
    auto c = j(R"({"kind":"event_match","key":"content.topic","pattern":"lunc?*"})");
    EXPECT_TRUE(holds(c, topic));
    EXPECT_FALSE(holds(c, test::event("m.room.topic", {{"topic", " lunch"}}, "")));
    EXPECT_FALSE(holds(c, test::event("m.room.topic", {{"topic", "lunc"}}, "")));
    EXPECT_FALSE(holds(c, test::event("m.room.topic", {{"topic", nullptr}}, "")));
    EXPECT_TRUE(holds(j(R"({"kind":"event_match","key":"type","pattern":"M.ROOM.TOPIC"})"), topic));
}

TEST(PushCondition, EventMatchNeedsAStringEvenForStar) {
    auto c = j(R"({"kind":"event_match","key":"content.n","pattern":"*"})");
    EXPECT_FALSE(holds(c, test::event("x", {{"n", 1}})));
    EXPECT_FALSE(holds(c, test::event("x", {{"n", {{"a", "b"}}}})));
    EXPECT_FALSE(holds(c, test::event("x", nlohmann::json::object())));
    EXPECT_TRUE(holds(c, test::event("x", {{"n", ""}})));
}

TEST(PushCondition, EventMatchOnBodyUsesWordBoundaries) {
    auto c = j(R"({"kind":"event_match","key":"content.body","pattern":"ex*ple"})");
    EXPECT_TRUE(holds(c, test::text_message("An example event.")));
    EXPECT_TRUE(holds(c, test::text_message("An exciting triple-whammy")));
    EXPECT_FALSE(holds(c, test::text_message("Anexample")));
    // Other keys match the whole value.
    auto topic = j(R"({"kind":"event_match","key":"content.topic","pattern":"ex*ple"})");
    EXPECT_FALSE(holds(topic, test::event("m.room.topic", {{"topic", "An example event."}})));
}

TEST(PushCondition, EventMatchFollowsEscapedKeys) {
    auto e = test::event("x", {{"m.relates_to", {{"rel_type", "m.thread"}}}});
    EXPECT_TRUE(holds(
        j(R"({"kind":"event_match","key":"content.m\\.relates_to.rel_type","pattern":"m.thread"})"),
        e));
    // Unescaped, the dot is a path separator: content.m.relates_to does not exist.
    EXPECT_FALSE(holds(
        j(R"({"kind":"event_match","key":"content.m.relates_to.rel_type","pattern":"m.thread"})"),
        e));
}

// A view folds a property when a rule first asks for it: asked again, from
// many threads at once, it gives the same answer, deep properties included.
TEST(PushCondition, OneViewAnswersEveryThreadAndEveryKeyAlike) {
    nlohmann::json deep = "needle";
    for (int i = 0; i < 50; ++i) deep = {{"d", deep}};
    auto e = test::event("x", {{"body", "Lunch at noon"}, {"m.x", "y"}, {"deep", deep}});
    const EventView view(e);
    const auto lunch = Condition::compile(
        j(R"({"kind":"event_match","key":"content.body","pattern":"lunch"})"));
    const auto escaped =
        Condition::compile(j(R"({"kind":"event_match","key":"content.m\\.x","pattern":"y"})"));
    const auto missing =
        Condition::compile(j(R"({"kind":"event_match","key":"content.nope","pattern":"*"})"));
    std::string deep_key = "content.deep";
    for (int i = 0; i < 50; ++i) deep_key += ".d";
    const auto deep_match = Condition::compile(
        {{"kind", "event_match"}, {"key", deep_key}, {"pattern", "needle"}});
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                if (!lunch.matches(view, {}, MemberFacts())) ++wrong;
                if (!escaped.matches(view, {}, MemberFacts())) ++wrong;
                if (missing.matches(view, {}, MemberFacts())) ++wrong;
                if (!deep_match.matches(view, {}, MemberFacts())) ++wrong;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
    ASSERT_NE(view.body(), nullptr);
    EXPECT_EQ(view.body(), view.folded("content.body"));  // folded once, kept
}

TEST(PushCondition, EventPropertyIsMatchesExactlyWithoutCoercion) {
    auto create = test::event("m.room.create", {{"m.federate", true}, {"room_version", "1"}}, "");
    auto c = j(R"({"kind":"event_property_is","key":"content.m\\.federate","value":true})");
    EXPECT_TRUE(holds(c, create));
    EXPECT_FALSE(holds(c, test::event("m.room.create", {{"m.federate", "true"}}, "")));
    EXPECT_FALSE(holds(c, test::event("m.room.create", {{"m.federate", 1}}, "")));
    EXPECT_FALSE(holds(c, test::event("m.room.create", nlohmann::json::object(), "")));

    auto one = j(R"({"kind":"event_property_is","key":"content.n","value":1})");
    EXPECT_TRUE(holds(one, test::event("x", {{"n", 1}})));
    EXPECT_FALSE(holds(one, test::event("x", {{"n", true}})));
    EXPECT_FALSE(holds(one, test::event("x", {{"n", "1"}})));
    EXPECT_FALSE(holds(one, test::event("x", {{"n", 1.5}})));
    EXPECT_FALSE(holds(one, test::event("x", {{"n", {1}}})));

    auto null = j(R"({"kind":"event_property_is","key":"content.n","value":null})");
    EXPECT_TRUE(holds(null, test::event("x", {{"n", nullptr}})));
    EXPECT_FALSE(holds(null, test::event("x", nlohmann::json::object())));

    auto text = j(R"({"kind":"event_property_is","key":"content.s","value":"Abc"})");
    EXPECT_TRUE(holds(text, test::event("x", {{"s", "Abc"}})));
    EXPECT_FALSE(holds(text, test::event("x", {{"s", "abc"}})));  // exact, not case-folded
}

TEST(PushCondition, EventPropertyContainsLooksForAnExactElement) {
    auto aliases = test::event(
        "m.room.canonical_alias",
        {{"alias", "#somewhere:localhost"},
         {"alt_aliases", {"#somewhere:example.org", "#myroom:example.com"}}},
        "");
    auto c = j(R"({"kind":"event_property_contains","key":"content.alt_aliases",)"
               R"("value":"#myroom:example.com"})");
    EXPECT_TRUE(holds(c, aliases));
    auto partial = j(R"({"kind":"event_property_contains","key":"content.alt_aliases",)"
                     R"("value":":example.com"})");
    EXPECT_FALSE(holds(partial, aliases));
    // Not an array: no match, even when equal.
    auto scalar = j(R"({"kind":"event_property_contains","key":"content.alias",)"
                    R"("value":"#somewhere:localhost"})");
    EXPECT_FALSE(holds(scalar, aliases));
    auto ints = j(R"({"kind":"event_property_contains","key":"content.v","value":2})");
    EXPECT_TRUE(holds(ints, test::event("x", {{"v", {1, 2, {{"x", 2}}}}})));
    EXPECT_FALSE(holds(ints, test::event("x", {{"v", {"2", true}}})));
}

TEST(PushCondition, ContainsDisplayNameUsesTheMemberName) {
    auto c = j(R"({"kind":"contains_display_name"})");
    auto e = test::text_message("Hello Alice Smith, lunch?");
    EXPECT_TRUE(holds(c, e, {}, MemberFacts("alice smith")));
    EXPECT_FALSE(holds(c, e, {}, MemberFacts("Alice Smithers")));
    EXPECT_FALSE(holds(c, test::text_message("Hello AliceSmith"), {}, MemberFacts("Alice")));
    EXPECT_FALSE(holds(c, e, {}, MemberFacts("")));  // an empty name never matches
    EXPECT_FALSE(holds(c, e, {}, MemberFacts()));
    // The name is matched literally, not as a glob.
    EXPECT_FALSE(holds(c, test::text_message("hi bob"), {}, MemberFacts("b*")));
    EXPECT_TRUE(holds(c, test::text_message("hi b* there"), {}, MemberFacts("b*")));
}

TEST(PushCondition, RoomMemberCountComparesJoinedMembers) {
    auto is = [](const char* op) {
        return nlohmann::json{{"kind", "room_member_count"}, {"is", op}};
    };
    auto e = test::text_message("hi");
    auto with = [](std::int64_t n) { return RoomFacts{.member_count = n}; };
    EXPECT_TRUE(holds(is("2"), e, with(2)));
    EXPECT_FALSE(holds(is("2"), e, with(3)));
    EXPECT_TRUE(holds(is("==2"), e, with(2)));
    EXPECT_TRUE(holds(is("<10"), e, with(9)));
    EXPECT_FALSE(holds(is("<10"), e, with(10)));
    EXPECT_TRUE(holds(is(">1"), e, with(2)));
    EXPECT_FALSE(holds(is(">1"), e, with(1)));
    EXPECT_TRUE(holds(is(">=2"), e, with(2)));
    EXPECT_FALSE(holds(is(">=2"), e, with(1)));
    EXPECT_TRUE(holds(is("<=10"), e, with(10)));
    EXPECT_FALSE(holds(is("<=10"), e, with(11)));
    for (const char* bad : {"", "=2", "!=2", "2x", "-1", " 2", "<", "1e3", "9999999999999999"})
        EXPECT_FALSE(holds(is(bad), e, with(2))) << bad;
}

TEST(PushCondition, SenderNotificationPermissionReadsPowerLevels) {
    auto pl = test::power_levels(j(R"({"users":{"@bob:a.test":50,"@carol:a.test":10},)"
                                   R"("notifications":{"room":20}})"));
    auto c = j(R"({"kind":"sender_notification_permission","key":"room"})");
    RoomFacts room{.member_count = 3, .power_levels = &pl};
    EXPECT_TRUE(holds(c, test::text_message("@room"), room));
    EXPECT_FALSE(holds(c, test::text_message("@room", "@carol:a.test"), room));
    EXPECT_FALSE(holds(c, test::text_message("@room"), RoomFacts{}));  // no power levels known

    // Without a notifications entry, "room" needs 50.
    auto defaults = test::power_levels(j(R"({"users":{"@bob:a.test":49}})"));
    EXPECT_FALSE(holds(c, test::text_message("@room"), {.power_levels = &defaults}));
    auto fifty = test::power_levels(j(R"({"users":{"@bob:a.test":50}})"));
    EXPECT_TRUE(holds(c, test::text_message("@room"), {.power_levels = &fifty}));
}

TEST(PushCondition, UnknownOrMalformedConditionsNeverMatch) {
    auto e = test::text_message("hello");
    EXPECT_FALSE(holds(j(R"({"kind":"org.example.always"})"), e));
    EXPECT_FALSE(holds(j(R"({"key":"type","pattern":"*"})"), e));
    EXPECT_FALSE(holds(j(R"({"kind":"event_match","key":"type"})"), e));
    EXPECT_FALSE(holds(j(R"({"kind":"event_match","pattern":"*"})"), e));
    EXPECT_FALSE(holds(j(R"({"kind":"event_match","key":"type","pattern":5})"), e));
    EXPECT_FALSE(holds(j(R"({"kind":"event_property_is","key":"type"})"), e));
    EXPECT_FALSE(holds(j(R"({"kind":"event_property_is","key":"content","value":{}})"), e));
    EXPECT_FALSE(holds(j(R"({"kind":"room_member_count"})"), e, {.member_count = 2}));
    EXPECT_FALSE(holds(j(R"({"kind":"sender_notification_permission"})"), e));
    EXPECT_FALSE(holds(j(R"("event_match")"), e));
    EXPECT_EQ(Condition::compile(j(R"({"kind":"nope"})")).kind(), Condition::Kind::never);
}

TEST(PushCondition, PlainValuesAreCanonicalJsonScalars) {
    EXPECT_TRUE(is_plain_value(nlohmann::json("x")));
    EXPECT_TRUE(is_plain_value(nlohmann::json(9007199254740991)));
    EXPECT_TRUE(is_plain_value(nlohmann::json(-9007199254740991)));
    EXPECT_FALSE(is_plain_value(nlohmann::json(9007199254740992)));
    EXPECT_FALSE(is_plain_value(nlohmann::json(1.5)));
    EXPECT_TRUE(is_plain_value(nlohmann::json(nullptr)));
    EXPECT_TRUE(is_plain_value(nlohmann::json(false)));
    EXPECT_FALSE(is_plain_value(nlohmann::json::array()));
}

}  // namespace
}  // namespace chat::push
