#include <chat/push/push_rules.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <chat/push/evaluator.hpp>

#include "libchat/push/push_test_support.hpp"

namespace chat::push {
namespace {

using test::j;
using V = std::vector<std::string>;

V user_ids(const PushRules& rules, RuleKind kind) {
    V out;
    for (const auto& rule : rules.rules(kind))
        if (!rule.is_default) out.push_back(rule.rule_id);
    return out;
}

class PushRulesEdit : public ::testing::Test {
protected:
    void put(RuleKind kind, const char* id, const char* body,
             std::optional<std::string_view> before = std::nullopt,
             std::optional<std::string_view> after = std::nullopt) {
        auto r = rules_.put_rule(kind, id, j(body), before, after);
        ASSERT_TRUE(r) << r.error().message;
    }
    Errc put_error(RuleKind kind, std::string_view id, const char* body,
                   std::optional<std::string_view> before = std::nullopt,
                   std::optional<std::string_view> after = std::nullopt) {
        auto r = rules_.put_rule(kind, id, j(body), before, after);
        EXPECT_FALSE(r);
        return r ? Errc::internal : r.error().code;
    }
    std::string decided_by(const nlohmann::json& event, std::int64_t members = 5) const {
        EventView view(event);
        auto d = evaluate(rules_, view, {.member_count = members}, MemberFacts());
        return d ? d->rule->rule_id : std::string();
    }

    PushRules rules_{test::user(test::kAlice)};
};

TEST_F(PushRulesEdit, NewRulesAreEnabledAndComeFirstAmongUserRules) {
    put(RuleKind::override, "one", R"({"actions":[]})");
    put(RuleKind::override, "two", R"({"actions":["notify"],"conditions":[]})");
    EXPECT_EQ(user_ids(rules_, RuleKind::override), (V{"two", "one"}));
    auto all = rules_.rules(RuleKind::override);
    ASSERT_GE(all.size(), 3u);
    // .m.rule.master stays above the user's override rules; the other defaults follow them.
    EXPECT_EQ(all[0].rule_id, ".m.rule.master");
    EXPECT_EQ(all[1].rule_id, "two");
    EXPECT_EQ(all[2].rule_id, "one");
    EXPECT_EQ(all[3].rule_id, ".m.rule.suppress_notices");
    const PushRule* two = rules_.find(RuleKind::override, "two");
    ASSERT_TRUE(two);
    EXPECT_TRUE(two->enabled);
    EXPECT_EQ(two->to_json(), j(R"({"rule_id":"two","default":false,"enabled":true,
                                   "conditions":[],"actions":["notify"]})"));
}

TEST_F(PushRulesEdit, BeforeAndAfterPlaceRelativeToAUserRule) {
    put(RuleKind::content, "a", R"({"pattern":"a","actions":[]})");
    put(RuleKind::content, "b", R"({"pattern":"b","actions":[]})", std::nullopt, "a");
    EXPECT_EQ(user_ids(rules_, RuleKind::content), (V{"a", "b"}));
    put(RuleKind::content, "c", R"({"pattern":"c","actions":[]})", "b");
    EXPECT_EQ(user_ids(rules_, RuleKind::content), (V{"a", "c", "b"}));
    // With both, before wins.
    put(RuleKind::content, "d", R"({"pattern":"d","actions":[]})", "a", "b");
    EXPECT_EQ(user_ids(rules_, RuleKind::content), (V{"d", "a", "c", "b"}));
    // Moving an existing rule.
    put(RuleKind::content, "d", R"({"pattern":"d2","actions":[]})", std::nullopt, "b");
    EXPECT_EQ(user_ids(rules_, RuleKind::content), (V{"a", "c", "b", "d"}));
    EXPECT_EQ(rules_.find(RuleKind::content, "d")->pattern, "d2");
    // The user's content rules come before the default one.
    EXPECT_EQ(rules_.rules(RuleKind::content).back().rule_id, ".m.rule.contains_user_name");
}

TEST_F(PushRulesEdit, UnknownAnchorsAreRefusedAndChangeNothing) {
    put(RuleKind::room, "!a:a.test", R"({"actions":[]})");
    EXPECT_EQ(put_error(RuleKind::room, "!b:a.test", R"({"actions":[]})", "!nope:a.test"),
              Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::override, "x", R"({"actions":[]})", std::nullopt,
                        ".m.rule.master"),
              Errc::unknown);  // relative to a default rule: not allowed
    EXPECT_EQ(put_error(RuleKind::room, "!a:a.test", R"({"actions":[]})", "!a:a.test"),
              Errc::unknown);  // relative to itself
    EXPECT_EQ(user_ids(rules_, RuleKind::room), (V{"!a:a.test"}));
    EXPECT_TRUE(user_ids(rules_, RuleKind::override).empty());
}

TEST_F(PushRulesEdit, ReplacingKeepsPlaceAndEnabled) {
    put(RuleKind::sender, "@x:a.test", R"({"actions":[]})");
    put(RuleKind::sender, "@y:a.test", R"({"actions":[]})");
    ASSERT_TRUE(rules_.set_enabled(RuleKind::sender, "@x:a.test", false));
    put(RuleKind::sender, "@x:a.test", R"({"actions":["notify"]})");
    EXPECT_EQ(user_ids(rules_, RuleKind::sender), (V{"@y:a.test", "@x:a.test"}));
    const PushRule* x = rules_.find(RuleKind::sender, "@x:a.test");
    EXPECT_FALSE(x->enabled);
    EXPECT_EQ(x->actions, j(R"(["notify"])"));
}

TEST_F(PushRulesEdit, RefusesBadRuleIdsAndBodies) {
    EXPECT_EQ(put_error(RuleKind::override, ".mine", R"({"actions":[]})"), Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::override, ".m.rule.master", R"({"actions":[]})"), Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::override, "a/b", R"({"actions":[]})"), Errc::invalid_param);
    EXPECT_EQ(put_error(RuleKind::override, "a\\b", R"({"actions":[]})"), Errc::invalid_param);
    EXPECT_EQ(put_error(RuleKind::override, "", R"({"actions":[]})"), Errc::invalid_param);
    EXPECT_EQ(put_error(RuleKind::override, std::string(kMaxRuleIdBytes + 1, 'x'),
                        R"({"actions":[]})"),
              Errc::invalid_param);
    EXPECT_EQ(put_error(RuleKind::override, "x", R"({})"), Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::override, "x", R"({"actions":"notify"})"), Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::override, "x", R"({"actions":["shout"]})"), Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::override, "x", R"({"actions":[{"value":1}]})"), Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::override, "x", R"({"actions":[],"conditions":{}})"),
              Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::override, "x", R"({"actions":[],"conditions":[{"key":"a"}]})"),
              Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::content, "x", R"({"actions":[]})"), Errc::unknown);
    EXPECT_EQ(put_error(RuleKind::content, "x", R"({"actions":[],"pattern":3})"), Errc::unknown);
    for (RuleKind kind : kRuleKinds) EXPECT_TRUE(user_ids(rules_, kind).empty());
}

TEST_F(PushRulesEdit, HistoricalActionsAreDropped) {
    put(RuleKind::override, "x", R"({"actions":["dont_notify","coalesce"],"conditions":[]})");
    EXPECT_EQ(rules_.find(RuleKind::override, "x")->actions, nlohmann::json::array());
    ASSERT_TRUE(rules_.set_actions(RuleKind::override, "x", j(R"(["notify","dont_notify"])")));
    EXPECT_EQ(rules_.find(RuleKind::override, "x")->actions, j(R"(["notify"])"));
}

TEST_F(PushRulesEdit, UnknownConditionKindsAreKeptButNeverMatch) {
    put(RuleKind::override, "future", R"({"actions":[],"conditions":[{"kind":"org.example"}]})");
    EXPECT_EQ(rules_.find(RuleKind::override, "future")->conditions,
              j(R"([{"kind":"org.example"}])"));
    EXPECT_EQ(decided_by(test::text_message("hi")), ".m.rule.message");
}

TEST_F(PushRulesEdit, DefaultRulesCanBeDisabledAndGivenActionsButNotDeleted) {
    ASSERT_TRUE(rules_.set_enabled(RuleKind::underride, ".m.rule.message", false));
    EXPECT_EQ(decided_by(test::text_message("hi")), "");
    ASSERT_TRUE(rules_.set_enabled(RuleKind::underride, ".m.rule.message", true));
    ASSERT_TRUE(rules_.set_actions(RuleKind::underride, ".m.rule.message",
                                   j(R"(["notify",{"set_tweak":"highlight"}])")));
    const PushRule* message = rules_.find(RuleKind::underride, ".m.rule.message");
    EXPECT_TRUE(message->is_default);
    EXPECT_TRUE(message->highlight);
    EXPECT_EQ(rules_.delete_rule(RuleKind::underride, ".m.rule.message").error().code,
              Errc::not_found);
    EXPECT_TRUE(rules_.find(RuleKind::underride, ".m.rule.message"));
}

TEST_F(PushRulesEdit, UnknownRulesAreNotFound) {
    EXPECT_EQ(rules_.delete_rule(RuleKind::room, "!x:a.test").error().code, Errc::not_found);
    EXPECT_EQ(rules_.set_enabled(RuleKind::room, "!x:a.test", true).error().code, Errc::not_found);
    EXPECT_EQ(rules_.set_actions(RuleKind::room, "!x:a.test", j("[]")).error().code,
              Errc::not_found);
    // Rule IDs are per kind: .m.rule.message is an underride rule.
    EXPECT_EQ(rules_.set_enabled(RuleKind::override, ".m.rule.message", true).error().code,
              Errc::not_found);
    EXPECT_EQ(rules_.set_actions(RuleKind::underride, ".m.rule.message", j(R"(["x"])"))
                  .error()
                  .code,
              Errc::unknown);
}

TEST_F(PushRulesEdit, DeleteRemovesAUserRule) {
    put(RuleKind::room, "!r:a.test", R"({"actions":[]})");
    ASSERT_TRUE(rules_.delete_rule(RuleKind::room, "!r:a.test"));
    EXPECT_FALSE(rules_.find(RuleKind::room, "!r:a.test"));
}

TEST_F(PushRulesEdit, ChangesRoundTripThroughTheStoredDocument) {
    put(RuleKind::override, "o", R"({"actions":["notify"],"conditions":[
        {"kind":"event_match","key":"content.body","pattern":"beer"},
        {"kind":"room_member_count","is":"<=10"}]})");
    put(RuleKind::content, "cake", R"({"pattern":"cake*lie","actions":["notify"]})");
    put(RuleKind::room, "!r:a.test", R"({"actions":[]})");
    put(RuleKind::sender, "@spam:a.test", R"({"actions":[]})");
    put(RuleKind::underride, "u", R"({"actions":["notify"]})");
    ASSERT_TRUE(rules_.set_enabled(RuleKind::room, "!r:a.test", false));
    ASSERT_TRUE(rules_.set_enabled(RuleKind::override, ".m.rule.master", true));
    ASSERT_TRUE(rules_.set_actions(RuleKind::content, ".m.rule.contains_user_name",
                                   j(R"(["notify"])")));

    auto stored = rules_.changes();
    auto reloaded = PushRules::from_changes(test::user(test::kAlice), stored);
    ASSERT_TRUE(reloaded);
    EXPECT_EQ(reloaded->ruleset_json(), rules_.ruleset_json());
    EXPECT_EQ(reloaded->changes(), stored);
    EXPECT_FALSE(reloaded->find(RuleKind::room, "!r:a.test")->enabled);
    EXPECT_TRUE(reloaded->find(RuleKind::override, ".m.rule.master")->enabled);
}

TEST_F(PushRulesEdit, FromChangesSkipsWhatDoesNotParse) {
    auto reloaded = PushRules::from_changes(
        test::user(test::kAlice),
        j(R"({"rules":{"override":[{"rule_id":"ok","actions":[]},{"actions":[]},
                                    {"rule_id":"bad","actions":"x"},5],
                       "nonsense":[{"rule_id":"z","actions":[]}]},
              "defaults":{"override":{".m.rule.master":{"enabled":"yes"}},"room":7}})"));
    ASSERT_TRUE(reloaded);
    EXPECT_EQ(user_ids(*reloaded, RuleKind::override), (V{"ok"}));
    EXPECT_FALSE(reloaded->find(RuleKind::override, ".m.rule.master")->enabled);
    auto empty = PushRules::from_changes(test::user(test::kAlice), j("null"));
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->ruleset_json(), PushRules(test::user(test::kAlice)).ruleset_json());
}

TEST_F(PushRulesEdit, KindNamesRoundTrip) {
    for (RuleKind kind : kRuleKinds) EXPECT_EQ(rule_kind_from_string(to_string(kind)), kind);
    EXPECT_FALSE(rule_kind_from_string("postcontent"));
    EXPECT_FALSE(rule_kind_from_string("Override"));
}

}  // namespace
}  // namespace chat::push
