// The push rule API (pushrules.yaml) against a real chatd.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

const std::string kRules = "/_matrix/client/v3/pushrules/global/";

class PushRules : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path());
        alice_ = std::make_unique<MatrixClient>(MatrixClient::registered(daemon_->port(), "alice"));
    }
    // A clean exit also shows that no sanitizer fired inside chatd.
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }

    static std::vector<std::string> ids(const nlohmann::json& rules) {
        std::vector<std::string> out;
        for (const auto& rule : rules)
            if (!rule.value("default", true)) out.push_back(rule.value("rule_id", ""));
        return out;
    }
    nlohmann::json ruleset() const {
        auto answer = alice_->get(kRules);
        EXPECT_EQ(answer.status, 200) << answer.text;
        return answer.body;
    }
    void put_ok(const std::string& path, const nlohmann::json& body) const {
        auto answer = alice_->put(kRules + path, body);
        EXPECT_EQ(answer.status, 200) << path << ": " << answer.text << daemon_->log_tail();
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::unique_ptr<MatrixClient> alice_;
};

TEST_F(PushRules, GetAnswersTheDefaultRulesetWithOrWithoutTrailingSlash) {
    auto all = alice_->get("/_matrix/client/v3/pushrules/");
    ASSERT_EQ(all.status, 200) << all.text << daemon_->log_tail();
    const auto& global = all.body["global"];
    for (const char* kind : {"override", "content", "room", "sender", "underride"})
        EXPECT_TRUE(global[kind].is_array()) << kind;
    EXPECT_EQ(global["override"][0]["rule_id"], ".m.rule.master");
    EXPECT_EQ(global["override"][0]["enabled"], false);
    EXPECT_EQ(global["override"][2]["rule_id"], ".m.rule.invite_for_me");
    EXPECT_EQ(global["override"][2]["conditions"][2]["pattern"], alice_->user_id());
    EXPECT_EQ(global["content"][0]["pattern"], "alice");
    EXPECT_EQ(global["underride"].back()["rule_id"], ".m.rule.encrypted");

    EXPECT_EQ(alice_->get("/_matrix/client/v3/pushrules").body, all.body);
    EXPECT_EQ(alice_->get("/_matrix/client/r0/pushrules/").body, all.body);
    EXPECT_EQ(alice_->get(kRules).body, global);
    EXPECT_EQ(alice_->get("/_matrix/client/v3/pushrules/global").body, global);
}

TEST_F(PushRules, NeedAnAccessToken) {
    MatrixClient anonymous(daemon_->port());
    auto answer = anonymous.get("/_matrix/client/v3/pushrules/");
    EXPECT_EQ(answer.status, 401);
    EXPECT_EQ(answer.errcode(), "M_MISSING_TOKEN");
}

TEST_F(PushRules, GetOneRuleAndItsAttributes) {
    auto master = alice_->get(kRules + "override/.m.rule.master");
    ASSERT_EQ(master.status, 200) << master.text;
    EXPECT_EQ(master.body, nlohmann::json::parse(R"({"rule_id":".m.rule.master","default":true,
        "enabled":false,"conditions":[],"actions":[]})"));
    EXPECT_EQ(alice_->get(kRules + "override/.m.rule.master/enabled").body,
              nlohmann::json::parse(R"({"enabled":false})"));
    EXPECT_EQ(alice_->get(kRules + "underride/.m.rule.message/actions").body,
              nlohmann::json::parse(R"({"actions":["notify"]})"));

    auto missing = alice_->get(kRules + "override/nope");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.errcode(), "M_NOT_FOUND");
    EXPECT_EQ(alice_->get(kRules + "override/.m.rule.message").status, 404);  // an underride rule
    EXPECT_EQ(alice_->get(kRules + "room/nope/enabled").status, 404);
    auto bad_kind = alice_->get(kRules + "postcontent/x");
    EXPECT_EQ(bad_kind.status, 400);
    EXPECT_EQ(bad_kind.errcode(), "M_INVALID_PARAM");
}

TEST_F(PushRules, PutCreatesUserRulesInTheOrderAsked) {
    const std::string room = "!muted:localhost";
    put_ok("room/" + escape(room), {{"actions", nlohmann::json::array()}});
    auto rule = alice_->get(kRules + "room/" + escape(room));
    ASSERT_EQ(rule.status, 200) << rule.text;
    EXPECT_EQ(rule.body, (nlohmann::json{{"rule_id", room},
                                         {"default", false},
                                         {"enabled", true},
                                         {"actions", nlohmann::json::array()}}));

    put_ok("content/cake", {{"pattern", "cake"}, {"actions", {"notify"}}});
    put_ok("content/lie?after=cake", {{"pattern", "cake*lie"}, {"actions", {"notify"}}});
    put_ok("content/first?before=cake", {{"pattern", "first"}, {"actions", nlohmann::json::array()}});
    auto content = ruleset()["content"];
    EXPECT_EQ(ids(content), (std::vector<std::string>{"first", "cake", "lie"}));
    EXPECT_EQ(content.back()["rule_id"], ".m.rule.contains_user_name");

    put_ok("override/beer", {{"conditions",
                              {{{"kind", "event_match"}, {"key", "content.body"}, {"pattern", "beer"}},
                               {{"kind", "room_member_count"}, {"is", "<=10"}}}},
                             {"actions", {"notify", {{"set_tweak", "sound"}, {"value", "beer"}}}}});
    auto overrides = ruleset()["override"];
    EXPECT_EQ(overrides[0]["rule_id"], ".m.rule.master");
    EXPECT_EQ(overrides[1]["rule_id"], "beer");
    EXPECT_EQ(overrides[1]["conditions"].size(), 2u);
}

TEST_F(PushRules, PutRefusesBadRules) {
    auto expect = [&](const std::string& path, const nlohmann::json& body, int status,
                      const char* errcode) {
        auto answer = alice_->put(kRules + path, body);
        EXPECT_EQ(answer.status, status) << path << ": " << answer.text;
        EXPECT_EQ(answer.errcode(), errcode) << path << ": " << answer.text;
    };
    put_ok("content/cake", {{"pattern", "cake"}, {"actions", {"notify"}}});
    expect("content/x?before=nope", {{"pattern", "x"}, {"actions", {"notify"}}}, 400, "M_UNKNOWN");
    expect("content/x?after=.m.rule.contains_user_name",
           {{"pattern", "x"}, {"actions", {"notify"}}}, 400, "M_UNKNOWN");
    expect("override/.m.rule.master", {{"actions", nlohmann::json::array()}}, 400, "M_UNKNOWN");
    expect("override/.mine", {{"actions", nlohmann::json::array()}}, 400, "M_UNKNOWN");
    expect("override/x", nlohmann::json::object(), 400, "M_UNKNOWN");
    expect("override/x", {{"actions", {"explode"}}}, 400, "M_UNKNOWN");
    expect("override/x", nlohmann::json::parse(R"({"actions":[],"conditions":[{"key":"type"}]})"),
           400, "M_UNKNOWN");
    expect("content/x", {{"actions", {"notify"}}}, 400, "M_UNKNOWN");
    expect("sideways/x", {{"actions", {"notify"}}}, 400, "M_INVALID_PARAM");
    expect("room/a%2Fb", {{"actions", {"notify"}}}, 400, "M_INVALID_PARAM");
    auto not_json = alice_->send_raw("PUT", kRules + "room/x", "{nope");
    EXPECT_EQ(not_json.status, 400);
    EXPECT_EQ(not_json.errcode(), "M_NOT_JSON");
    auto not_object = alice_->send_raw("PUT", kRules + "room/x", "[]");
    EXPECT_EQ(not_object.status, 400);
    EXPECT_EQ(not_object.errcode(), "M_BAD_JSON");
    // Nothing but the first rule was stored.
    auto rules = ruleset();
    EXPECT_EQ(ids(rules["content"]), (std::vector<std::string>{"cake"}));
    EXPECT_TRUE(ids(rules["override"]).empty());
    EXPECT_TRUE(rules["room"].empty());
}

TEST_F(PushRules, EnabledAndActionsWorkOnDefaultRules) {
    put_ok("override/.m.rule.master/enabled", {{"enabled", true}});
    EXPECT_EQ(alice_->get(kRules + "override/.m.rule.master/enabled").body["enabled"], true);
    EXPECT_EQ(ruleset()["override"][0]["enabled"], true);

    put_ok("underride/.m.rule.message/actions",
           {{"actions", {"notify", {{"set_tweak", "sound"}, {"value", "bing"}}, "dont_notify"}}});
    EXPECT_EQ(alice_->get(kRules + "underride/.m.rule.message/actions").body,
              nlohmann::json::parse(R"({"actions":["notify",{"set_tweak":"sound","value":"bing"}]})"));
    auto message = alice_->get(kRules + "underride/.m.rule.message");
    EXPECT_EQ(message.body["default"], true);

    auto bad = alice_->put(kRules + "override/.m.rule.master/enabled", {{"enabled", "yes"}});
    EXPECT_EQ(bad.status, 400);
    auto missing = alice_->put(kRules + "override/nope/enabled", {{"enabled", false}});
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.errcode(), "M_NOT_FOUND");
    auto bad_actions = alice_->put(kRules + "override/.m.rule.master/actions", {{"actions", 1}});
    EXPECT_EQ(bad_actions.status, 400);
    EXPECT_EQ(alice_->put(kRules + "room/nope/actions", {{"actions", nlohmann::json::array()}}).status,
              404);
}

TEST_F(PushRules, DeleteRemovesUserRulesButNotDefaultOnes) {
    put_ok("sender/" + escape("@spam:localhost"), {{"actions", nlohmann::json::array()}});
    auto deleted = alice_->del(kRules + "sender/" + escape("@spam:localhost"));
    EXPECT_EQ(deleted.status, 200) << deleted.text;
    EXPECT_EQ(deleted.body, nlohmann::json::object());
    EXPECT_EQ(alice_->get(kRules + "sender/" + escape("@spam:localhost")).status, 404);
    EXPECT_EQ(alice_->del(kRules + "sender/" + escape("@spam:localhost")).status, 404);

    auto refused = alice_->del(kRules + "override/.m.rule.master");
    EXPECT_EQ(refused.status, 404);
    EXPECT_EQ(alice_->get(kRules + "override/.m.rule.master").status, 200);
}

TEST_F(PushRules, AreEachUsersOwn) {
    auto bob = MatrixClient::registered(daemon_->port(), "bob");
    put_ok("override/.m.rule.master/enabled", {{"enabled", true}});
    put_ok("room/" + escape("!r:localhost"), {{"actions", nlohmann::json::array()}});
    auto bobs = bob.get(kRules);
    ASSERT_EQ(bobs.status, 200);
    EXPECT_EQ(bobs.body["override"][0]["enabled"], false);
    EXPECT_TRUE(bobs.body["room"].empty());
    EXPECT_EQ(bobs.body["content"][0]["pattern"], "bob");
}

TEST_F(PushRules, AccountDataServesTheRulesetAndRefusesWrites) {
    put_ok("room/" + escape("!r:localhost"), {{"actions", nlohmann::json::array()}});
    auto path = "/_matrix/client/v3/user/" + escape(alice_->user_id()) + "/account_data/m.push_rules";
    auto read = alice_->get(path);
    ASSERT_EQ(read.status, 200) << read.text;
    EXPECT_EQ(read.body["global"], ruleset());
    auto write = alice_->put(path, {{"global", nlohmann::json::object()}});
    EXPECT_EQ(write.status, 400);
    EXPECT_EQ(write.errcode(), "M_BAD_JSON");
}

TEST_F(PushRules, SurviveARestart) {
    put_ok("content/cake", {{"pattern", "cake"}, {"actions", {"notify"}}});
    put_ok("override/.m.rule.master/enabled", {{"enabled", true}});
    ASSERT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
    daemon_ = Daemon::start(dir_.path());
    MatrixClient again(daemon_->port(), alice_->token());
    auto rules = again.get(kRules);
    ASSERT_EQ(rules.status, 200) << rules.text << daemon_->log_tail();
    EXPECT_EQ(ids(rules.body["content"]), (std::vector<std::string>{"cake"}));
    EXPECT_EQ(rules.body["override"][0]["enabled"], true);
}

}  // namespace
}  // namespace chat::test
