// Every server-default rule: its definition as the spec writes it, what it
// matches and what it lets through to later rules.

#include <chat/push/evaluator.hpp>
#include <chat/push/push_rules.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/push/push_test_support.hpp"

namespace chat::push {
namespace {

using test::j;

std::vector<std::string> ids(const PushRules& rules, RuleKind kind) {
    std::vector<std::string> out;
    for (const auto& rule : rules.rules(kind)) out.push_back(rule.rule_id);
    return out;
}

class DefaultPushRules : public ::testing::Test {
protected:
    // The rule that decides `event` for alice; "" when none does.
    std::string decided_by(const nlohmann::json& event, std::int64_t members = 3,
                           std::string_view display_name = "Alice Liddell") const {
        EventView view(event);
        auto decision = evaluate(rules_, view, {.member_count = members, .power_levels = &pl_},
                                 MemberFacts(display_name));
        return decision ? decision->rule->rule_id : std::string();
    }
    std::optional<Decision> decide(const nlohmann::json& event, std::int64_t members = 3) const {
        EventView view(event);
        return evaluate(rules_, view, {.member_count = members, .power_levels = &pl_},
                        MemberFacts("Alice Liddell"));
    }

    PushRules rules_{test::user(test::kAlice)};
    // bob may notify the room; carol may not.
    auth::PowerLevels pl_ =
        test::power_levels(j(R"({"users":{"@bob:a.test":50,"@carol:a.test":0}})"));
};

TEST_F(DefaultPushRules, AreTheSpecsRulesInTheSpecsOrder) {
    using V = std::vector<std::string>;
    EXPECT_EQ(ids(rules_, RuleKind::override),
              (V{".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me",
                 ".m.rule.member_event", ".m.rule.is_user_mention",
                 ".m.rule.contains_display_name", ".m.rule.is_room_mention", ".m.rule.roomnotif",
                 ".m.rule.tombstone", ".m.rule.reaction", ".m.rule.room.server_acl",
                 ".m.rule.suppress_edits"}));
    EXPECT_EQ(ids(rules_, RuleKind::content), (V{".m.rule.contains_user_name"}));
    EXPECT_TRUE(ids(rules_, RuleKind::room).empty());
    EXPECT_TRUE(ids(rules_, RuleKind::sender).empty());
    EXPECT_EQ(ids(rules_, RuleKind::underride),
              (V{".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one",
                 ".m.rule.message", ".m.rule.encrypted"}));
    for (RuleKind kind : kRuleKinds) {
        for (const auto& rule : rules_.rules(kind)) {
            EXPECT_TRUE(rule.is_default) << rule.rule_id;
            EXPECT_EQ(rule.enabled, rule.rule_id != ".m.rule.master") << rule.rule_id;
        }
    }
}

TEST_F(DefaultPushRules, SerialiseAsTheSpecDefinesThem) {
    // Definitions copied from push.md § Predefined Rules, placeholders filled in.
    auto global = rules_.ruleset_json();
    EXPECT_EQ(global["override"][0], j(R"({"rule_id":".m.rule.master","default":true,
        "enabled":false,"conditions":[],"actions":[]})"));
    EXPECT_EQ(global["override"][2], j(R"({"rule_id":".m.rule.invite_for_me","default":true,
        "enabled":true,"conditions":[
          {"key":"type","kind":"event_match","pattern":"m.room.member"},
          {"key":"content.membership","kind":"event_match","pattern":"invite"},
          {"key":"state_key","kind":"event_match","pattern":"@alice:a.test"}],
        "actions":["notify",{"set_tweak":"sound","value":"default"}]})"));
    EXPECT_EQ(global["override"][4], j(R"({"rule_id":".m.rule.is_user_mention","default":true,
        "enabled":true,"conditions":[{"kind":"event_property_contains",
          "key":"content.m\\.mentions.user_ids","value":"@alice:a.test"}],
        "actions":["notify",{"set_tweak":"sound","value":"default"},{"set_tweak":"highlight"}]})"));
    EXPECT_EQ(global["override"][6], j(R"({"rule_id":".m.rule.is_room_mention","default":true,
        "enabled":true,"conditions":[
          {"kind":"event_property_is","key":"content.m\\.mentions.room","value":true},
          {"kind":"sender_notification_permission","key":"room"}],
        "actions":["notify",{"set_tweak":"highlight"}]})"));
    EXPECT_EQ(global["override"][8], j(R"({"rule_id":".m.rule.tombstone","default":true,
        "enabled":true,"conditions":[
          {"kind":"event_match","key":"type","pattern":"m.room.tombstone"},
          {"kind":"event_match","key":"state_key","pattern":""}],
        "actions":["notify",{"set_tweak":"highlight"}]})"));
    EXPECT_EQ(global["override"][11], j(R"({"rule_id":".m.rule.suppress_edits","default":true,
        "enabled":true,"conditions":[{"kind":"event_property_is",
          "key":"content.m\\.relates_to.rel_type","value":"m.replace"}],"actions":[]})"));
    EXPECT_EQ(global["content"][0], j(R"({"rule_id":".m.rule.contains_user_name",
        "default":true,"enabled":true,"pattern":"alice",
        "actions":["notify",{"set_tweak":"sound","value":"default"},{"set_tweak":"highlight"}]})"));
    EXPECT_EQ(global["underride"][1], j(R"({"rule_id":".m.rule.encrypted_room_one_to_one",
        "default":true,"enabled":true,"conditions":[{"kind":"room_member_count","is":"2"},
          {"kind":"event_match","key":"type","pattern":"m.room.encrypted"}],
        "actions":["notify",{"set_tweak":"sound","value":"default"}]})"));
    EXPECT_EQ(global["underride"][3], j(R"({"rule_id":".m.rule.message","default":true,
        "enabled":true,"conditions":[{"kind":"event_match","key":"type",
          "pattern":"m.room.message"}],"actions":["notify"]})"));
    EXPECT_EQ(global["room"], nlohmann::json::array());
    EXPECT_EQ(global["sender"], nlohmann::json::array());
    EXPECT_EQ(rules_.to_json()["global"], global);
}

TEST_F(DefaultPushRules, MasterIsOffUntilEnabledThenSilencesEverything) {
    EXPECT_EQ(decided_by(test::text_message("hi")), ".m.rule.message");
    ASSERT_TRUE(rules_.set_enabled(RuleKind::override, ".m.rule.master", true));
    auto decision = decide(test::text_message("hi @room alice"));
    ASSERT_TRUE(decision);
    EXPECT_EQ(decision->rule->rule_id, ".m.rule.master");
    EXPECT_FALSE(decision->notify);
    EXPECT_FALSE(decision->highlight);
}

TEST_F(DefaultPushRules, SuppressNotices) {
    auto notice = test::event("m.room.message", {{"msgtype", "m.notice"}, {"body", "alice"}});
    auto d = decide(notice);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.suppress_notices");
    EXPECT_FALSE(d->notify);
    EXPECT_EQ(decided_by(test::text_message("plain")), ".m.rule.message");
}

TEST_F(DefaultPushRules, InviteForMe) {
    auto invite = test::event("m.room.member", {{"membership", "invite"}}, test::kAlice);
    auto d = decide(invite);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.invite_for_me");
    EXPECT_TRUE(d->notify);
    EXPECT_FALSE(d->highlight);
    EXPECT_EQ(d->actions()[1], j(R"({"set_tweak":"sound","value":"default"})"));
    // Someone else's invite is only a member event.
    EXPECT_EQ(decided_by(test::event("m.room.member", {{"membership", "invite"}}, "@carol:a.test")),
              ".m.rule.member_event");
}

TEST_F(DefaultPushRules, MemberEventsAreSilent) {
    auto join = test::event("m.room.member", {{"membership", "join"}, {"displayname", "alice"}},
                            test::kBob);
    auto d = decide(join);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.member_event");
    EXPECT_FALSE(d->notify);
}

TEST_F(DefaultPushRules, IsUserMention) {
    auto mention = test::event("m.room.message",
                               {{"msgtype", "m.text"},
                                {"body", "hey"},
                                {"m.mentions", {{"user_ids", {"@carol:a.test", test::kAlice}}}}});
    auto d = decide(mention);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.is_user_mention");
    EXPECT_TRUE(d->notify);
    EXPECT_TRUE(d->highlight);
    auto other = test::event("m.room.message", {{"msgtype", "m.text"},
                                                {"body", "hey"},
                                                {"m.mentions", {{"user_ids", {"@carol:a.test"}}}}});
    EXPECT_EQ(decided_by(other), ".m.rule.message");
}

TEST_F(DefaultPushRules, ContainsDisplayNameOnlyWithoutMentions) {
    EXPECT_EQ(decided_by(test::text_message("is Alice Liddell here?")),
              ".m.rule.contains_display_name");
    // Not the display name on word boundaries; the localpart rule still sees "Alice".
    EXPECT_EQ(decided_by(test::text_message("is Alice Liddellx here?")),
              ".m.rule.contains_user_name");
    EXPECT_EQ(decided_by(test::text_message("is Liddellx here?"), 3, "Liddell"),
              ".m.rule.message");
    // An event with m.mentions is an intentional-mentions event: the legacy rule is skipped.
    auto with_mentions = test::event("m.room.message", {{"msgtype", "m.text"},
                                                        {"body", "is Alice Liddell here?"},
                                                        {"m.mentions", nlohmann::json::object()}});
    EXPECT_EQ(decided_by(with_mentions), ".m.rule.message");
}

TEST_F(DefaultPushRules, IsRoomMentionNeedsPermission) {
    auto room_mention = [](const char* sender) {
        return test::event("m.room.message",
                           {{"msgtype", "m.text"}, {"body", "all"}, {"m.mentions", {{"room", true}}}},
                           std::nullopt, sender);
    };
    auto d = decide(room_mention(test::kBob));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.is_room_mention");
    EXPECT_TRUE(d->highlight);
    EXPECT_EQ(decided_by(room_mention("@carol:a.test")), ".m.rule.message");
    auto as_string = test::event("m.room.message", {{"msgtype", "m.text"},
                                                    {"body", "all"},
                                                    {"m.mentions", {{"room", "true"}}}});
    EXPECT_EQ(decided_by(as_string), ".m.rule.message");
}

TEST_F(DefaultPushRules, RoomNotifNeedsPermissionAndNoMentions) {
    EXPECT_EQ(decided_by(test::text_message("@room lunch!")), ".m.rule.roomnotif");
    EXPECT_EQ(decided_by(test::text_message("@room lunch!", "@carol:a.test")), ".m.rule.message");
    EXPECT_EQ(decided_by(test::text_message("@roomy")), ".m.rule.message");
    auto with_mentions = test::event("m.room.message", {{"msgtype", "m.text"},
                                                        {"body", "@room lunch!"},
                                                        {"m.mentions", nlohmann::json::object()}});
    EXPECT_EQ(decided_by(with_mentions), ".m.rule.message");
}

TEST_F(DefaultPushRules, TombstoneHighlightsOnlyAsState) {
    auto d = decide(test::event("m.room.tombstone", {{"replacement_room", "!new:a.test"}}, ""));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.tombstone");
    EXPECT_TRUE(d->highlight);
    EXPECT_EQ(decided_by(test::event("m.room.tombstone", {{"body", "x"}})), "");
}

TEST_F(DefaultPushRules, ReactionsAreSilent) {
    auto reaction = test::event(
        "m.reaction",
        {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", "$x"}, {"key", "alice"}}}});
    auto d = decide(reaction);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.reaction");
    EXPECT_FALSE(d->notify);
}

TEST_F(DefaultPushRules, ServerAclIsSilentOnlyAsState) {
    EXPECT_EQ(decided_by(test::event("m.room.server_acl", {{"allow", {"*"}}}, "")),
              ".m.rule.room.server_acl");
    EXPECT_EQ(decided_by(test::event("m.room.server_acl", {{"allow", {"*"}}})), "");
}

TEST_F(DefaultPushRules, SuppressEdits) {
    auto edit = test::event("m.room.message",
                            {{"msgtype", "m.text"},
                             {"body", "* fixed"},
                             {"m.new_content", {{"msgtype", "m.text"}, {"body", "fixed"}}},
                             {"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", "$x"}}}});
    auto d = decide(edit);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.suppress_edits");
    EXPECT_FALSE(d->notify);
    auto thread = test::event("m.room.message",
                              {{"msgtype", "m.text"},
                               {"body", "reply"},
                               {"m.relates_to", {{"rel_type", "m.thread"}, {"event_id", "$x"}}}});
    EXPECT_EQ(decided_by(thread), ".m.rule.message");
}

TEST_F(DefaultPushRules, ContainsUserNameOnWordBoundaries) {
    auto d = decide(test::text_message("ALICE: ping"));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.contains_user_name");
    EXPECT_EQ(d->kind, RuleKind::content);
    EXPECT_TRUE(d->highlight);
    EXPECT_EQ(decided_by(test::text_message("malice")), ".m.rule.message");
    auto with_mentions = test::event("m.room.message", {{"msgtype", "m.text"},
                                                        {"body", "alice: ping"},
                                                        {"m.mentions", nlohmann::json::object()}});
    EXPECT_EQ(decided_by(with_mentions), ".m.rule.message");
}

TEST_F(DefaultPushRules, CallRings) {
    auto d = decide(test::event("m.call.invite", {{"call_id", "c"}, {"version", 1}}));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule->rule_id, ".m.rule.call");
    EXPECT_TRUE(d->notify);
    EXPECT_EQ(d->actions()[1], j(R"({"set_tweak":"sound","value":"ring"})"));
}

TEST_F(DefaultPushRules, OneToOneRoomsPlayASound) {
    auto encrypted = test::event("m.room.encrypted", {{"algorithm", "m.megolm.v1.aes-sha2"}});
    EXPECT_EQ(decided_by(encrypted, 2), ".m.rule.encrypted_room_one_to_one");
    EXPECT_EQ(decided_by(encrypted, 3), ".m.rule.encrypted");
    EXPECT_EQ(decided_by(test::text_message("hi"), 2), ".m.rule.room_one_to_one");
    EXPECT_EQ(decided_by(test::text_message("hi"), 3), ".m.rule.message");
    auto d = decide(test::text_message("hi"), 2);
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->notify);
    EXPECT_FALSE(d->highlight);
}

TEST_F(DefaultPushRules, MessagesAndEncryptedNotifyWithoutSound) {
    for (const auto& e : {test::text_message("hi"), test::event("m.room.encrypted", {})}) {
        auto d = decide(e, 5);
        ASSERT_TRUE(d);
        EXPECT_TRUE(d->notify);
        EXPECT_FALSE(d->highlight);
        EXPECT_EQ(d->actions(), j(R"(["notify"])"));
    }
}

TEST_F(DefaultPushRules, OtherEventsMatchNothing) {
    EXPECT_EQ(decided_by(test::event("m.room.topic", {{"topic", "alice"}}, "")), "");
    EXPECT_EQ(decided_by(test::event("m.room.name", {{"name", "x"}}, "")), "");
    EXPECT_EQ(decided_by(test::event("org.example.custom", {{"body", "hi"}})), "");
}

TEST_F(DefaultPushRules, NeverForTheUsersOwnEvents) {
    EXPECT_EQ(decided_by(test::text_message("alice @room", test::kAlice), 2), "");
}

}  // namespace
}  // namespace chat::push
