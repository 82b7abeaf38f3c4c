#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

constexpr std::string_view kSearch = "/_matrix/client/v3/search";
constexpr std::string_view kDirectory = "/_matrix/client/v3/user_directory/search";

// One chatd; users registered per test. Tests register more users than the
// default register limit allows from one address, and send quickly.
class Search : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path(),
                                "rate_limits:\n"
                                "  register:\n    per_second: 0\n"
                                "  message:\n    per_second: 0\n");
    }
    // A clean exit also shows that no sanitizer fired inside chatd.
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }

    MatrixClient user(std::string_view localpart) const {
        return MatrixClient::registered(daemon_->port(), localpart);
    }

    // POST /search with room_events `criteria` (search_term and the rest).
    static Answer search(const MatrixClient& client, const nlohmann::json& criteria,
                         const std::string& next_batch = {}) {
        std::string path(kSearch);
        if (!next_batch.empty()) path += "?next_batch=" + escape(next_batch);
        return client.post(path, {{"search_categories", {{"room_events", criteria}}}});
    }

    // The event ids of a successful search, in order.
    static std::vector<std::string> result_ids(const Answer& answer) {
        std::vector<std::string> ids;
        for (const auto& r : answer.body["search_categories"]["room_events"]["results"])
            ids.push_back(r["result"]["event_id"].get<std::string>());
        return ids;
    }

    static std::vector<std::string> directory_ids(const Answer& answer) {
        std::vector<std::string> ids;
        for (const auto& r : answer.body["results"]) ids.push_back(r["user_id"].get<std::string>());
        return ids;
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(Search, FindsMessagesInJoinedRoomsOnly) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto shared = alice.create_room();
    alice.invite(shared, bob.user_id());
    bob.join(shared);
    auto in_shared = alice.send_text(shared, "the quick brown fox");
    auto bobs_own = bob.create_room();
    auto in_bobs = bob.send_text(bobs_own, "a secret fox of bob");

    auto found = search(alice, {{"search_term", "fox"}});
    ASSERT_EQ(found.status, 200) << found.text;
    const auto& category = found.body["search_categories"]["room_events"];
    EXPECT_EQ(result_ids(found), std::vector<std::string>{in_shared}) << found.text;
    EXPECT_EQ(category["count"], 1);
    EXPECT_EQ(category["results"][0]["result"]["room_id"], shared);
    EXPECT_EQ(category["results"][0]["result"]["content"]["body"], "the quick brown fox");
    EXPECT_TRUE(category["results"][0]["rank"].is_number());
    EXPECT_EQ(category["highlights"], nlohmann::json::array({"fox"}));
    EXPECT_FALSE(category.contains("next_batch"));

    auto for_bob = search(bob, {{"search_term", "fox"}, {"order_by", "recent"}});
    ASSERT_EQ(for_bob.status, 200) << for_bob.text;
    EXPECT_EQ(result_ids(for_bob), (std::vector<std::string>{in_bobs, in_shared}));

    // A filter narrows the rooms.
    auto filtered = search(bob, {{"search_term", "fox"},
                                 {"filter", {{"rooms", nlohmann::json::array({bobs_own})}}}});
    ASSERT_EQ(filtered.status, 200) << filtered.text;
    EXPECT_EQ(result_ids(filtered), std::vector<std::string>{in_bobs});
}

TEST_F(Search, RankOrdersByRelevanceAndRecentByTime) {
    auto alice = user("alice");
    auto room = alice.create_room();
    auto weak = alice.send_text(room, "rocket launch is planned for next week, with plenty of words");
    auto strong = alice.send_text(room, "rocket rocket rocket");
    auto newest = alice.send_text(room, "one more rocket message, with more words than the second");

    auto ranked = search(alice, {{"search_term", "rocket"}, {"order_by", "rank"}});
    ASSERT_EQ(ranked.status, 200) << ranked.text;
    auto ids = result_ids(ranked);
    ASSERT_EQ(ids.size(), 3u) << ranked.text;
    EXPECT_EQ(ids[0], strong);
    const auto& results = ranked.body["search_categories"]["room_events"]["results"];
    EXPECT_GT(results[0]["rank"].get<double>(), results[1]["rank"].get<double>());

    auto recent = search(alice, {{"search_term", "ROCK"}, {"order_by", "recent"}});
    ASSERT_EQ(recent.status, 200) << recent.text;
    EXPECT_EQ(result_ids(recent), (std::vector<std::string>{newest, strong, weak}));
}

TEST_F(Search, NextBatchPagesThroughTheResults) {
    auto alice = user("alice");
    auto room = alice.create_room();
    std::vector<std::string> sent;
    for (int i = 0; i < 5; ++i) sent.push_back(alice.send_text(room, "page " + std::to_string(i)));

    for (const char* order : {"recent", "rank"}) {
        nlohmann::json criteria = {{"search_term", "page"},
                                   {"order_by", order},
                                   {"filter", {{"limit", 2}}}};
        std::vector<std::string> seen;
        std::string next;
        for (int page = 0; page < 10; ++page) {
            auto answer = search(alice, criteria, next);
            ASSERT_EQ(answer.status, 200) << answer.text;
            for (auto& id : result_ids(answer)) seen.push_back(id);
            const auto& category = answer.body["search_categories"]["room_events"];
            EXPECT_EQ(category["count"], 5);
            if (!category.contains("next_batch")) break;
            next = category["next_batch"].get<std::string>();
        }
        EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()),
                  std::set<std::string>(sent.begin(), sent.end()))
            << order;
        EXPECT_EQ(seen.size(), sent.size()) << order;  // none twice
        if (std::string(order) == "recent") {
            EXPECT_EQ(seen, (std::vector<std::string>{sent.rbegin(), sent.rend()}));
        }
    }
}

TEST_F(Search, HostileSearchTermsAreAnsweredNotFailed) {
    auto alice = user("alice");
    auto room = alice.create_room();
    auto plain = alice.send_text(room, "near the end AND \"quoted\" words");
    for (const std::string& hostile :
         std::vector<std::string>{"\"", "\"\"\"", "*", "NEAR(", "NEAR(a b, 3)", "a\" OR \"b",
                                  "body:near", "AND", "OR NOT", "(((", ")", "^", "-x", "{a b}: c",
                                  "\"unbalanced", "'; DROP TABLE events; --", "%", "\\",
                                  std::string("nul\0byte", 8), "\xF0\x9F\x98\x80",
                                  std::string(5000, 'x'), ""}) {
        auto answer = search(alice, {{"search_term", hostile}});
        EXPECT_EQ(answer.status, 200) << hostile.substr(0, 40) << ": " << answer.text;
    }
    // Operator-looking words are words.
    auto near = search(alice, {{"search_term", "NEAR("}});
    EXPECT_EQ(result_ids(near), std::vector<std::string>{plain});
    auto quoted = search(alice, {{"search_term", "\"quoted"}});
    EXPECT_EQ(result_ids(quoted), std::vector<std::string>{plain});
}

TEST_F(Search, ContextGroupsAndStateComeWhenAskedFor) {
    auto alice = user("alice");
    auto room = alice.create_room({{"name", "Context room"}});
    auto first = alice.send_text(room, "before the match");
    auto match = alice.send_text(room, "the needle is here");
    auto last = alice.send_text(room, "after the match");

    auto answer = search(alice, {{"search_term", "needle"},
                                 {"event_context", {{"before_limit", 1},
                                                    {"after_limit", 1},
                                                    {"include_profile", true}}},
                                 {"include_state", true},
                                 {"groupings", {{"group_by", {{{"key", "room_id"}},
                                                              {{"key", "sender"}}}}}}});
    ASSERT_EQ(answer.status, 200) << answer.text;
    const auto& category = answer.body["search_categories"]["room_events"];
    ASSERT_EQ(result_ids(answer), std::vector<std::string>{match});
    const auto& context = category["results"][0]["context"];
    ASSERT_EQ(context["events_before"].size(), 1u) << answer.text;
    EXPECT_EQ(context["events_before"][0]["event_id"], first);
    ASSERT_EQ(context["events_after"].size(), 1u) << answer.text;
    EXPECT_EQ(context["events_after"][0]["event_id"], last);
    EXPECT_TRUE(context["start"].is_string());
    EXPECT_TRUE(context["end"].is_string());
    EXPECT_TRUE(context["profile_info"].contains(alice.user_id())) << answer.text;

    EXPECT_EQ(category["groups"]["room_id"][room]["results"], nlohmann::json::array({match}));
    EXPECT_EQ(category["groups"]["sender"][alice.user_id()]["results"],
              nlohmann::json::array({match}));
    bool has_name = false;
    for (const auto& event : category["state"][room])
        if (event["type"] == "m.room.name") has_name = event["content"]["name"] == "Context room";
    EXPECT_TRUE(has_name) << answer.text;

    // Without event_context there is no context.
    auto bare = search(alice, {{"search_term", "needle"}});
    EXPECT_FALSE(bare.body["search_categories"]["room_events"]["results"][0].contains("context"));
}

TEST_F(Search, FindsRoomNamesAndTopicsByKey) {
    auto alice = user("alice");
    auto room = alice.create_room({{"name", "Astronomy club"}, {"topic", "telescopes and stars"}});
    alice.send_text(room, "astronomy is fun");
    auto names = search(alice, {{"search_term", "astronomy"}, {"keys", {"content.name"}}});
    ASSERT_EQ(names.status, 200) << names.text;
    const auto& results = names.body["search_categories"]["room_events"]["results"];
    ASSERT_EQ(results.size(), 1u) << names.text;
    EXPECT_EQ(results[0]["result"]["type"], "m.room.name");
    auto topics = search(alice, {{"search_term", "telescopes"}, {"keys", {"content.topic"}}});
    ASSERT_EQ(topics.body["search_categories"]["room_events"]["results"].size(), 1u);
    auto bodies = search(alice, {{"search_term", "telescopes"}, {"keys", {"content.body"}}});
    EXPECT_TRUE(bodies.body["search_categories"]["room_events"]["results"].empty());
}

TEST_F(Search, RedactedMessagesAreNotFound) {
    auto alice = user("alice");
    auto room = alice.create_room();
    auto secret = alice.send_text(room, "my password is hunter2");
    ASSERT_EQ(result_ids(search(alice, {{"search_term", "hunter2"}})),
              std::vector<std::string>{secret});
    auto redacted = alice.put("/_matrix/client/v3/rooms/" + escape(room) + "/redact/" +
                                  escape(secret) + "/r1",
                              {{"reason", "oops"}});
    ASSERT_EQ(redacted.status, 200) << redacted.text;
    auto after = search(alice, {{"search_term", "hunter2"}});
    ASSERT_EQ(after.status, 200) << after.text;
    EXPECT_TRUE(result_ids(after).empty()) << after.text;
}

TEST_F(Search, MessagesOfIgnoredUsersAreNotFound) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto room = alice.create_room();
    alice.invite(room, bob.user_id());
    bob.join(room);
    auto from_alice = alice.send_text(room, "pizza tonight?");
    auto from_bob = bob.send_text(room, "pizza sounds good");
    ASSERT_EQ(result_ids(search(bob, {{"search_term", "pizza"}, {"order_by", "recent"}})),
              (std::vector<std::string>{from_bob, from_alice}));
    auto ignored = bob.put("/_matrix/client/v3/user/" + escape(bob.user_id()) +
                               "/account_data/m.ignored_user_list",
                           {{"ignored_users", {{alice.user_id(), nlohmann::json::object()}}}});
    ASSERT_EQ(ignored.status, 200) << ignored.text;
    auto after = search(bob, {{"search_term", "pizza"},
                              {"event_context", {{"before_limit", 3}}}});
    ASSERT_EQ(after.status, 200) << after.text;
    EXPECT_EQ(result_ids(after), std::vector<std::string>{from_bob});
    // Nor do they appear as context.
    for (const auto& event :
         after.body["search_categories"]["room_events"]["results"][0]["context"]["events_before"])
        EXPECT_NE(event["sender"], alice.user_id()) << after.text;
}

TEST_F(Search, BadRequestsGetTheRightErrors) {
    auto alice = user("alice");
    struct Case {
        nlohmann::json body;
        int status;
        std::string errcode;
    };
    const std::vector<Case> cases = {
        {nlohmann::json::object(), 400, "M_MISSING_PARAM"},
        {{{"search_categories", "all"}}, 400, "M_BAD_JSON"},
        {{{"search_categories", {{"room_events", "x"}}}}, 400, "M_BAD_JSON"},
        {{{"search_categories", {{"room_events", nlohmann::json::object()}}}}, 400,
         "M_MISSING_PARAM"},
        {{{"search_categories", {{"room_events", {{"search_term", 5}}}}}}, 400, "M_BAD_JSON"},
        {{{"search_categories", {{"room_events", {{"search_term", "x"}, {"keys", "content.body"}}}}}},
         400, "M_BAD_JSON"},
        {{{"search_categories",
           {{"room_events", {{"search_term", "x"}, {"keys", {"content.secret"}}}}}}},
         400, "M_INVALID_PARAM"},
        {{{"search_categories", {{"room_events", {{"search_term", "x"}, {"order_by", "size"}}}}}},
         400, "M_INVALID_PARAM"},
        {{{"search_categories", {{"room_events", {{"search_term", "x"}, {"filter", 3}}}}}}, 400,
         "M_BAD_JSON"},
        {{{"search_categories",
           {{"room_events", {{"search_term", "x"}, {"event_context", {{"before_limit", "5"}}}}}}}},
         400, "M_BAD_JSON"},
        {{{"search_categories",
           {{"room_events",
             {{"search_term", "x"}, {"groupings", {{"group_by", {{{"key", "type"}}}}}}}}}}},
         400, "M_INVALID_PARAM"},
    };
    for (const auto& c : cases) {
        auto answer = alice.post(kSearch, c.body);
        EXPECT_EQ(answer.status, c.status) << c.body.dump() << " -> " << answer.text;
        EXPECT_EQ(answer.errcode(), c.errcode) << c.body.dump() << " -> " << answer.text;
    }
    auto not_json = alice.send_raw("POST", kSearch, "{\"search_categories\":");
    EXPECT_EQ(not_json.status, 400);
    EXPECT_EQ(not_json.errcode(), "M_NOT_JSON");
    auto bad_batch = search(alice, {{"search_term", "x"}}, "zzz");
    EXPECT_EQ(bad_batch.status, 400);
    EXPECT_EQ(bad_batch.errcode(), "M_INVALID_PARAM");
    auto wrong_order_batch = search(alice, {{"search_term", "x"}, {"order_by", "recent"}}, "r10");
    EXPECT_EQ(wrong_order_batch.status, 400);
    EXPECT_EQ(wrong_order_batch.errcode(), "M_INVALID_PARAM");
    auto anonymous = MatrixClient(daemon_->port()).post(kSearch, {{"search_categories", {}}});
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.errcode(), "M_MISSING_TOKEN");
    // No room_events: nothing asked, nothing found.
    auto other_category = alice.post(kSearch, {{"search_categories", {{"files", {}}}}});
    EXPECT_EQ(other_category.status, 200) << other_category.text;
}

// --- user directory ---

TEST_F(Search, UserDirectoryFindsRoomMatesNotStrangers) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto stranger = user("bobstranger");
    ASSERT_EQ(bob.put("/_matrix/client/v3/profile/" + escape(bob.user_id()) + "/displayname",
                      {{"displayname", "Robert Tables"}})
                  .status,
              200);
    auto room = alice.create_room();
    alice.invite(room, bob.user_id());
    bob.join(room);
    stranger.create_room();  // private, alone

    auto found = alice.post(kDirectory, {{"search_term", "bob"}});
    ASSERT_EQ(found.status, 200) << found.text;
    EXPECT_EQ(directory_ids(found), std::vector<std::string>{bob.user_id()}) << found.text;
    EXPECT_EQ(found.body["limited"], false);
    EXPECT_EQ(found.body["results"][0]["display_name"], "Robert Tables");
    auto by_name = alice.post(kDirectory, {{"search_term", "tables"}});
    EXPECT_EQ(directory_ids(by_name), std::vector<std::string>{bob.user_id()}) << by_name.text;
    EXPECT_TRUE(directory_ids(alice.post(kDirectory, {{"search_term", "bobstranger"}})).empty());
}

TEST_F(Search, UserDirectoryFindsMembersOfPublicRooms) {
    auto alice = user("alice");
    auto carol = user("carol");
    alice.create_room();
    EXPECT_TRUE(directory_ids(alice.post(kDirectory, {{"search_term", "carol"}})).empty());
    carol.create_room({{"preset", "public_chat"}});
    auto found = alice.post(kDirectory, {{"search_term", "carol"}});
    ASSERT_EQ(found.status, 200) << found.text;
    EXPECT_EQ(directory_ids(found), std::vector<std::string>{carol.user_id()}) << found.text;
}

TEST_F(Search, UserDirectoryLimitsAndRejectsBadInput) {
    auto alice = user("alice");
    auto room = alice.create_room({{"preset", "public_chat"}});
    for (const char* name : {"fan1", "fan2", "fan3"}) user(name).join(room);
    auto limited = alice.post(kDirectory, {{"search_term", "fan"}, {"limit", 2}});
    ASSERT_EQ(limited.status, 200) << limited.text;
    EXPECT_EQ(limited.body["results"].size(), 2u);
    EXPECT_EQ(limited.body["limited"], true);
    auto all = alice.post(kDirectory, {{"search_term", "fan"}});
    EXPECT_EQ(all.body["results"].size(), 3u) << all.text;
    EXPECT_EQ(all.body["limited"], false);

    for (std::string_view hostile : {"\"", "*", "NEAR(", "@:", "\"unbalanced"}) {
        auto answer = alice.post(kDirectory, {{"search_term", hostile}});
        EXPECT_EQ(answer.status, 200) << hostile << ": " << answer.text;
    }
    struct Case {
        nlohmann::json body;
        std::string errcode;
    };
    for (const auto& c : std::vector<Case>{{nlohmann::json::object(), "M_MISSING_PARAM"},
                                           {{{"search_term", 5}}, "M_BAD_JSON"},
                                           {{{"search_term", "x"}, {"limit", "ten"}}, "M_BAD_JSON"},
                                           {{{"search_term", "x"}, {"limit", -1}}, "M_INVALID_PARAM"}}) {
        auto answer = alice.post(kDirectory, c.body);
        EXPECT_EQ(answer.status, 400) << c.body.dump() << " -> " << answer.text;
        EXPECT_EQ(answer.errcode(), c.errcode) << c.body.dump() << " -> " << answer.text;
    }
    auto anonymous = MatrixClient(daemon_->port()).post(kDirectory, {{"search_term", "x"}});
    EXPECT_EQ(anonymous.status, 401);
}

// --- OpenID ---

TEST_F(Search, OpenIdTokenRoundTripsThroughUserinfo) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto issued = alice.post("/_matrix/client/v3/user/" + escape(alice.user_id()) +
                                 "/openid/request_token",
                             nlohmann::json::object());
    ASSERT_EQ(issued.status, 200) << issued.text;
    EXPECT_EQ(issued.body["token_type"], "Bearer");
    EXPECT_EQ(issued.body["expires_in"], 3600);
    ASSERT_TRUE(issued.body["access_token"].is_string());
    const auto token = issued.body["access_token"].get<std::string>();
    const auto server = alice.user_id().substr(alice.user_id().find(':') + 1);
    EXPECT_EQ(issued.body["matrix_server_name"], server);

    MatrixClient integration(daemon_->port());  // no access token: a third party
    auto info = integration.get("/_matrix/federation/v1/openid/userinfo?access_token=" +
                                escape(token));
    ASSERT_EQ(info.status, 200) << info.text;
    EXPECT_EQ(info.body, (nlohmann::json{{"sub", alice.user_id()}}));

    auto unknown = integration.get("/_matrix/federation/v1/openid/userinfo?access_token=nope");
    EXPECT_EQ(unknown.status, 401);
    EXPECT_EQ(unknown.errcode(), "M_UNKNOWN_TOKEN");
    auto missing = integration.get("/_matrix/federation/v1/openid/userinfo");
    EXPECT_EQ(missing.status, 401);

    // Neither kind of token works as the other.
    MatrixClient with_openid(daemon_->port(), token);
    auto whoami = with_openid.get("/_matrix/client/v3/account/whoami");
    EXPECT_EQ(whoami.status, 401);
    EXPECT_EQ(whoami.errcode(), "M_UNKNOWN_TOKEN");
    auto access_as_openid = integration.get(
        "/_matrix/federation/v1/openid/userinfo?access_token=" + escape(alice.token()));
    EXPECT_EQ(access_as_openid.status, 401);

    // Only for oneself.
    auto for_other = bob.post("/_matrix/client/v3/user/" + escape(alice.user_id()) +
                                  "/openid/request_token",
                              nlohmann::json::object());
    EXPECT_EQ(for_other.status, 403);
    EXPECT_EQ(for_other.errcode(), "M_FORBIDDEN");
    auto bad_user = alice.post("/_matrix/client/v3/user/not-a-user/openid/request_token",
                               nlohmann::json::object());
    EXPECT_EQ(bad_user.status, 400);
    auto anonymous = integration.post("/_matrix/client/v3/user/" + escape(alice.user_id()) +
                                          "/openid/request_token",
                                      nlohmann::json::object());
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.errcode(), "M_MISSING_TOKEN");
}

}  // namespace
}  // namespace chat::test
