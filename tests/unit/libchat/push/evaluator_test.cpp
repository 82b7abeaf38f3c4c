// Rule order: kinds in the spec's order, user rules before default ones.

#include <chat/push/evaluator.hpp>

#include <string>

#include <gtest/gtest.h>

#include "libchat/push/push_test_support.hpp"

namespace chat::push {
namespace {

using test::j;

class PushRuleOrder : public ::testing::Test {
protected:
    void put(RuleKind kind, const char* id, const char* body) {
        auto r = rules_.put_rule(kind, id, j(body));
        ASSERT_TRUE(r) << r.error().message;
    }
    std::optional<Decision> decide(const nlohmann::json& event, std::int64_t members = 5) const {
        EventView view(event);
        return evaluate(rules_, view, {.member_count = members, .power_levels = &pl_},
                        MemberFacts("Alice"));
    }
    std::string decided_by(const nlohmann::json& event, std::int64_t members = 5) const {
        auto d = decide(event, members);
        return d ? d->rule->rule_id : std::string();
    }

    PushRules rules_{test::user(test::kAlice)};
    auth::PowerLevels pl_ = test::power_levels(j(R"({"users":{"@bob:a.test":100}})"));
};

TEST_F(PushRuleOrder, MutedRoomStillHighlightsMentions) {
    put(RuleKind::room, test::kRoom, R"({"actions":[]})");
    auto d = decide(test::text_message("lunch?"));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->kind, RuleKind::room);
    EXPECT_FALSE(d->notify);
    // Override rules come before room rules.
    auto mention = test::event("m.room.message", {{"msgtype", "m.text"},
                                                  {"body", "hi"},
                                                  {"m.mentions", {{"user_ids", {test::kAlice}}}}});
    EXPECT_EQ(decided_by(mention), ".m.rule.is_user_mention");
    // A room rule for another room does not apply.
    auto elsewhere = test::text_message("lunch?");
    elsewhere["room_id"] = "!other:a.test";
    EXPECT_EQ(decided_by(elsewhere), ".m.rule.message");
}

TEST_F(PushRuleOrder, ContentBeatsRoomBeatsSenderBeatsUnderride) {
    put(RuleKind::underride, "u", R"({"actions":["notify",{"set_tweak":"sound","value":"u"}]})");
    EXPECT_EQ(decided_by(test::text_message("hi")), "u");  // user underride before defaults
    put(RuleKind::sender, test::kBob, R"({"actions":["notify",{"set_tweak":"sound","value":"s"}]})");
    EXPECT_EQ(decided_by(test::text_message("hi")), test::kBob);
    put(RuleKind::room, test::kRoom, R"({"actions":[]})");
    EXPECT_EQ(decided_by(test::text_message("hi")), test::kRoom);
    put(RuleKind::content, "tea", R"({"pattern":"tea","actions":["notify"]})");
    EXPECT_EQ(decided_by(test::text_message("time for TEA")), "tea");
    EXPECT_EQ(decided_by(test::text_message("hi")), test::kRoom);
    put(RuleKind::override, "all", R"({"actions":[],"conditions":[]})");
    EXPECT_EQ(decided_by(test::text_message("time for tea")), "all");
}

TEST_F(PushRuleOrder, WithinAKindTheFirstRuleWins) {
    put(RuleKind::content, "time", R"({"pattern":"time","actions":["notify"]})");
    put(RuleKind::content, "tea", R"({"pattern":"tea","actions":[]})");  // now first
    EXPECT_EQ(decided_by(test::text_message("It's time for tea")), "tea");
    ASSERT_TRUE(rules_.put_rule(RuleKind::content, "time", j(R"({"pattern":"time","actions":[]})"),
                                "tea"));
    EXPECT_EQ(decided_by(test::text_message("It's time for tea")), "time");
}

TEST_F(PushRuleOrder, DisabledRulesAreSkipped) {
    put(RuleKind::sender, test::kBob, R"({"actions":[]})");
    ASSERT_TRUE(rules_.set_enabled(RuleKind::sender, test::kBob, false));
    EXPECT_EQ(decided_by(test::text_message("hi")), ".m.rule.message");
}

TEST_F(PushRuleOrder, SpecBeerExample) {
    // push.md § Examples: a sound for "beer" in rooms of 10 members or fewer.
    put(RuleKind::override, "beer", R"({"conditions":[
        {"kind":"event_match","key":"content.body","pattern":"beer"},
        {"kind":"room_member_count","is":"<=10"}],
        "actions":["notify",{"set_tweak":"sound","value":"beeroclock.wav"}]})");
    EXPECT_EQ(decided_by(test::text_message("Beer o'clock"), 10), "beer");
    EXPECT_EQ(decided_by(test::text_message("Beer o'clock"), 11), ".m.rule.message");
    EXPECT_EQ(decided_by(test::text_message("beers"), 3), ".m.rule.message");
}

TEST_F(PushRuleOrder, SenderRulesNeedTheExactSender) {
    put(RuleKind::sender, "@BOB:a.test", R"({"actions":[]})");
    EXPECT_EQ(decided_by(test::text_message("hi")), ".m.rule.message");
}

TEST_F(PushRuleOrder, DecisionCarriesTheRulesActions) {
    put(RuleKind::content, "x", R"({"pattern":"x","actions":["notify",
        {"set_tweak":"highlight","value":false},{"set_tweak":"sound","value":"s"}]})");
    auto d = decide(test::text_message("x"));
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->notify);
    EXPECT_FALSE(d->highlight);
    EXPECT_EQ(d->actions().size(), 3u);
}

}  // namespace
}  // namespace chat::push
