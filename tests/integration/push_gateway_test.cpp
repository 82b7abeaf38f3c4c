// Push notifications end to end: pushers set through the client API, a real
// chatd, and a push gateway this test runs on a loopback port and inspects.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Short retries so that an outage test takes a second, not minutes.
constexpr std::string_view kPushYaml =
    "push:\n  allow_private_gateways: true\n  retry_base_ms: 50\n  retry_max_ms: 400\n"
    "  gateway_timeout_ms: 2000\n";

// A push gateway on 127.0.0.1: records every POST /_matrix/push/v1/notify
// and answers with the status (and `rejected` list) the test sets.
class FakeGateway {
public:
    explicit FakeGateway(int port = 0) { start(port); }
    ~FakeGateway() { stop(); }
    FakeGateway(const FakeGateway&) = delete;
    FakeGateway& operator=(const FakeGateway&) = delete;

    int port() const { return port_; }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/_matrix/push/v1/notify";
    }
    void answer(int status, std::vector<std::string> rejected = {}) {
        std::lock_guard lock(mutex_);
        status_ = status;
        rejected_ = std::move(rejected);
    }
    struct Hit {
        json body;
        int answered = 0;
    };
    std::vector<Hit> hits() const {
        std::lock_guard lock(mutex_);
        return hits_;
    }
    // Closes the port (connections are refused) until start() again.
    void stop() {
        if (!server_) return;
        server_->stop();
        thread_.join();
        server_.reset();
    }
    void start(int port) {
        server_ = std::make_unique<httplib::Server>();
        server_->Post("/_matrix/push/v1/notify",
                      [this](const httplib::Request& req, httplib::Response& res) {
                          std::lock_guard lock(mutex_);
                          hits_.push_back({json::parse(req.body, nullptr, false), status_});
                          res.status = status_;
                          res.set_content(json{{"rejected", rejected_}}.dump(),
                                          "application/json");
                      });
        if (port == 0) {
            port_ = server_->bind_to_any_port("127.0.0.1");
        } else {
            // The same port again (a gateway coming back): retry briefly in
            // case the old socket is still closing.
            for (int i = 0; i < 50 && !server_->bind_to_port("127.0.0.1", port); ++i)
                std::this_thread::sleep_for(50ms);
            port_ = port;
        }
        // Bound and listening already: connections wait in the backlog until
        // the thread accepts them.
        thread_ = std::thread([this] { server_->listen_after_bind(); });
    }

private:
    mutable std::mutex mutex_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
    int status_ = 200;
    std::vector<std::string> rejected_;
    std::vector<Hit> hits_;
};

// Polls `done` until it holds or `deadline` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds deadline = 10s) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
        if (done()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return done();
}

std::string body_of(const json& hit) {
    const auto& n = hit["notification"];
    if (!n.contains("content") || !n["content"].is_object()) return "";
    return n["content"].value("body", "");
}

class PushGateway : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path(), kPushYaml);
        alice_ = std::make_unique<MatrixClient>(MatrixClient::registered(daemon_->port(), "alice"));
        bob_ = std::make_unique<MatrixClient>(MatrixClient::registered(daemon_->port(), "bob"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }

    json pusher_body(const std::string& pushkey, const std::string& url,
                     json extra_data = json::object()) const {
        json data{{"url", url}};
        data.update(extra_data);
        return {{"app_id", "org.example.app"}, {"pushkey", pushkey},
                {"kind", "http"},               {"app_display_name", "Example"},
                {"device_display_name", "Phone"}, {"lang", "en"},
                {"data", data}};
    }
    void set_pusher(const MatrixClient& who, const json& body) const {
        auto answer = who.post("/_matrix/client/v3/pushers/set", body);
        ASSERT_EQ(answer.status, 200) << answer.text << daemon_->log_tail();
    }
    // A room of alice and bob (is_direct, two members).
    std::string direct_room() const {
        auto room = alice_->create_room({{"preset", "trusted_private_chat"},
                                         {"is_direct", true},
                                         {"invite", json::array({bob_->user_id()})}});
        bob_->join(room);
        return room;
    }
    std::string send(const MatrixClient& who, const std::string& room, const json& content) const {
        static int txn = 0;
        auto answer = who.put("/_matrix/client/v3/rooms/" + escape(room) +
                                  "/send/m.room.message/t" + std::to_string(++txn),
                              content);
        EXPECT_EQ(answer.status, 200) << answer.text;
        return answer.body.value("event_id", "");
    }
    // The first notification the gateway accepted whose content body is `text`.
    std::optional<json> delivered(const FakeGateway& gw, const std::string& text,
                                  std::chrono::milliseconds deadline = 10s) const {
        std::optional<json> found;
        eventually(
            [&] {
                for (const auto& hit : gw.hits())
                    if (hit.answered == 200 && body_of(hit.body) == text) {
                        found = hit.body["notification"];
                        return true;
                    }
                return false;
            },
            deadline);
        return found;
    }
    std::size_t attempts(const FakeGateway& gw, const std::string& text) const {
        std::size_t n = 0;
        for (const auto& hit : gw.hits()) n += body_of(hit.body) == text ? 1 : 0;
        return n;
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::unique_ptr<MatrixClient> alice_;
    std::unique_ptr<MatrixClient> bob_;
};

TEST_F(PushGateway, ADirectMessageNotifiesWithTheEventCountsAndDevice) {
    FakeGateway gw;
    set_pusher(*bob_, pusher_body("bob-phone", gw.url(), {{"extra", "kept"}}));
    const auto room = direct_room();
    const auto event_id = send(*alice_, room, {{"msgtype", "m.text"}, {"body", "hello there"}});

    auto n = delivered(gw, "hello there");
    ASSERT_TRUE(n) << daemon_->log_tail();
    EXPECT_EQ((*n)["event_id"], event_id);
    EXPECT_EQ((*n)["room_id"], room);
    EXPECT_EQ((*n)["type"], "m.room.message");
    EXPECT_EQ((*n)["sender"], alice_->user_id());
    EXPECT_GE((*n)["counts"]["unread"].get<int>(), 1);
    EXPECT_EQ((*n)["prio"], "high");
    const auto& device = (*n)["devices"][0];
    EXPECT_EQ(device["app_id"], "org.example.app");
    EXPECT_EQ(device["pushkey"], "bob-phone");
    EXPECT_EQ(device["data"], (json{{"extra", "kept"}}));  // the url is not sent back
    // .m.rule.room_one_to_one: a sound, no highlight (the text names no one:
    // "bob" would highlight through .m.rule.contains_user_name).
    EXPECT_EQ(device["tweaks"]["sound"], "default");
    EXPECT_FALSE(device["tweaks"].contains("highlight"));
    // Alice has no pusher, and is never notified of her own message anyway.
    for (const auto& hit : gw.hits())
        EXPECT_EQ(hit.body["notification"]["devices"][0]["pushkey"], "bob-phone");
}

TEST_F(PushGateway, EventIdOnlyPushersGetNoContent) {
    FakeGateway gw;
    set_pusher(*bob_, pusher_body("bob-phone", gw.url(), {{"format", "event_id_only"}}));
    const auto room = direct_room();
    const auto event_id = send(*alice_, room, {{"msgtype", "m.text"}, {"body", "secret"}});
    std::optional<json> n;
    ASSERT_TRUE(eventually([&] {
        for (const auto& hit : gw.hits())
            if (hit.body["notification"].value("event_id", "") == event_id)
                n = hit.body["notification"];
        return n.has_value();
    })) << daemon_->log_tail();
    EXPECT_FALSE(n->contains("content"));
    EXPECT_FALSE(n->contains("sender"));
    EXPECT_EQ((*n)["room_id"], room);
}

TEST_F(PushGateway, MentionsDisplayNamesAndKeywordsHighlightInABiggerRoom) {
    FakeGateway gw;
    auto carol = MatrixClient::registered(daemon_->port(), "carol");
    auto named = bob_->put("/_matrix/client/v3/profile/" + escape(bob_->user_id()) + "/displayname",
                           {{"displayname", "Bobby"}});
    ASSERT_EQ(named.status, 200) << named.text;
    auto keyword = bob_->put("/_matrix/client/v3/pushrules/global/content/cake",
                             {{"pattern", "cake"},
                              {"actions", json::array({"notify", {{"set_tweak", "sound"},
                                                                  {"value", "bing"}}})}});
    ASSERT_EQ(keyword.status, 200) << keyword.text;
    set_pusher(*bob_, pusher_body("bob-phone", gw.url()));

    const auto room = alice_->create_room({{"preset", "public_chat"}});
    bob_->join(room);
    carol.join(room);

    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "plain words"}});
    send(*alice_, room,
         {{"msgtype", "m.text"},
          {"body", "look at this"},
          {"m.mentions", {{"user_ids", json::array({bob_->user_id()})}}}});
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "hey Bobby, there"}});
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "who wants cake"}});

    // Three members: .m.rule.message notifies, without sound or highlight,
    // at low priority (not .m.rule.room_one_to_one).
    auto plain = delivered(gw, "plain words");
    ASSERT_TRUE(plain) << daemon_->log_tail();
    EXPECT_EQ((*plain)["devices"][0]["tweaks"], json::object());
    EXPECT_EQ((*plain)["prio"], "low");

    auto mention = delivered(gw, "look at this");
    ASSERT_TRUE(mention) << daemon_->log_tail();
    EXPECT_EQ((*mention)["devices"][0]["tweaks"]["highlight"], true);
    EXPECT_EQ((*mention)["prio"], "high");

    auto by_name = delivered(gw, "hey Bobby, there");
    ASSERT_TRUE(by_name) << daemon_->log_tail();
    EXPECT_EQ((*by_name)["devices"][0]["tweaks"]["highlight"], true);
    EXPECT_EQ((*by_name)["sender_display_name"], "alice");

    auto cake = delivered(gw, "who wants cake");
    ASSERT_TRUE(cake) << daemon_->log_tail();
    EXPECT_EQ((*cake)["devices"][0]["tweaks"]["sound"], "bing");
    EXPECT_FALSE((*cake)["devices"][0]["tweaks"].contains("highlight"));
}

TEST_F(PushGateway, AMutedRoomSendsNothing) {
    FakeGateway gw;
    set_pusher(*bob_, pusher_body("bob-phone", gw.url()));
    const auto muted = direct_room();
    const auto other = direct_room();
    auto mute = bob_->put("/_matrix/client/v3/pushrules/global/room/" + escape(muted),
                          {{"actions", json::array({"dont_notify"})}});
    ASSERT_EQ(mute.status, 200) << mute.text;

    send(*alice_, muted, {{"msgtype", "m.text"}, {"body", "muted words"}});
    send(*alice_, other, {{"msgtype", "m.text"}, {"body", "marker"}});
    // Notifications go out in stream order, so once the later marker is
    // there, the muted message would have been too.
    ASSERT_TRUE(delivered(gw, "marker")) << daemon_->log_tail();
    EXPECT_EQ(attempts(gw, "muted words"), 0u);
}

TEST_F(PushGateway, AGatewayAnswering500GetsTheNotificationOnceItRecovers) {
    FakeGateway gw;
    gw.answer(500);
    const auto room = direct_room();
    // Set after the invite, whose notification would otherwise be first in line.
    set_pusher(*bob_, pusher_body("bob-phone", gw.url()));
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "during the outage"}});
    // Retried with backoff while it fails.
    ASSERT_TRUE(eventually([&] { return attempts(gw, "during the outage") >= 3; }))
        << daemon_->log_tail();
    EXPECT_FALSE(delivered(gw, "during the outage", 0ms));

    gw.answer(200);
    ASSERT_TRUE(delivered(gw, "during the outage")) << daemon_->log_tail();
    // Once accepted it is not sent again.
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "after"}});
    ASSERT_TRUE(delivered(gw, "after"));
    std::size_t accepted = 0;
    for (const auto& hit : gw.hits())
        accepted += hit.answered == 200 && body_of(hit.body) == "during the outage" ? 1 : 0;
    EXPECT_EQ(accepted, 1u);
}

TEST_F(PushGateway, ANotificationPendingAtARestartIsDeliveredAfterIt) {
    FakeGateway gw;
    set_pusher(*bob_, pusher_body("bob-phone", gw.url()));
    const auto room = direct_room();
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "before"}});
    ASSERT_TRUE(delivered(gw, "before")) << daemon_->log_tail();

    const int port = gw.port();
    gw.stop();  // connections refused from now on
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "while closed"}});
    ASSERT_TRUE(eventually([&] {
        return daemon_->log_tail(200).find("push: gateway") != std::string::npos;
    })) << daemon_->log_tail();
    ASSERT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
    daemon_.reset();

    gw.start(port);
    daemon_ = Daemon::start(dir_.path(), kPushYaml);
    auto n = delivered(gw, "while closed");
    ASSERT_TRUE(n) << daemon_->log_tail();
    EXPECT_EQ((*n)["room_id"], room);
    EXPECT_EQ(attempts(gw, "before"), 1u);  // what was delivered is not sent again
}

TEST_F(PushGateway, ARejectedPushkeyRemovesThePusher) {
    FakeGateway gw;
    gw.answer(200, {"bob-phone"});
    set_pusher(*bob_, pusher_body("bob-phone", gw.url()));
    ASSERT_EQ(bob_->get("/_matrix/client/v3/pushers").body["pushers"].size(), 1u);
    const auto room = direct_room();
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "to a dead phone"}});
    ASSERT_TRUE(eventually([&] {
        auto listed = bob_->get("/_matrix/client/v3/pushers");
        return listed.status == 200 && listed.body["pushers"].empty();
    })) << daemon_->log_tail();
    // A second pusher is the marker: once it has the next message, the
    // removed one would have had it too.
    gw.answer(200);
    set_pusher(*bob_, pusher_body("bob-tablet", gw.url()));
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "after removal"}});
    ASSERT_TRUE(delivered(gw, "after removal")) << daemon_->log_tail();
    for (const auto& hit : gw.hits()) {
        if (body_of(hit.body) == "after removal") {
            EXPECT_EQ(hit.body["notification"]["devices"][0]["pushkey"], "bob-tablet");
        }
    }
}

TEST_F(PushGateway, PushersAreListedReplacedAndRemoved) {
    FakeGateway gw;
    auto body = pusher_body("shared-key", gw.url());
    body["profile_tag"] = "tag1";
    set_pusher(*bob_, body);
    auto listed = bob_->get("/_matrix/client/v3/pushers");
    ASSERT_EQ(listed.status, 200) << listed.text;
    ASSERT_EQ(listed.body["pushers"].size(), 1u);
    const auto& p = listed.body["pushers"][0];
    EXPECT_EQ(p["app_id"], "org.example.app");
    EXPECT_EQ(p["pushkey"], "shared-key");
    EXPECT_EQ(p["kind"], "http");
    EXPECT_EQ(p["app_display_name"], "Example");
    EXPECT_EQ(p["device_display_name"], "Phone");
    EXPECT_EQ(p["lang"], "en");
    EXPECT_EQ(p["profile_tag"], "tag1");
    EXPECT_EQ(p["data"]["url"], gw.url());

    // The same app_id and pushkey for alice without append takes it from bob.
    set_pusher(*alice_, pusher_body("shared-key", gw.url()));
    EXPECT_TRUE(bob_->get("/_matrix/client/v3/pushers").body["pushers"].empty());
    // With append, both keep it.
    auto appended = pusher_body("shared-key", gw.url());
    appended["append"] = true;
    set_pusher(*bob_, appended);
    EXPECT_EQ(alice_->get("/_matrix/client/v3/pushers").body["pushers"].size(), 1u);
    EXPECT_EQ(bob_->get("/_matrix/client/v3/pushers").body["pushers"].size(), 1u);

    set_pusher(*bob_, {{"app_id", "org.example.app"}, {"pushkey", "shared-key"}, {"kind", nullptr}});
    EXPECT_TRUE(bob_->get("/_matrix/client/v3/pushers").body["pushers"].empty());
    EXPECT_EQ(alice_->get("/_matrix/client/v3/pushers").body["pushers"].size(), 1u);
}

TEST_F(PushGateway, BadPushersGetMatrixErrors) {
    FakeGateway gw;
    auto no_url = pusher_body("k", gw.url());
    no_url["data"] = json::object();
    auto answer = bob_->post("/_matrix/client/v3/pushers/set", no_url);
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.errcode(), "M_MISSING_PARAM") << answer.text;

    answer = bob_->post("/_matrix/client/v3/pushers/set",
                        pusher_body("k", "http://127.0.0.1:1/somewhere/else"));
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.errcode(), "M_INVALID_PARAM") << answer.text;

    auto no_kind = pusher_body("k", gw.url());
    no_kind.erase("kind");
    answer = bob_->post("/_matrix/client/v3/pushers/set", no_kind);
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.errcode(), "M_MISSING_PARAM") << answer.text;

    answer = bob_->send_raw("POST", "/_matrix/client/v3/pushers/set", "{not json");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.errcode(), "M_NOT_JSON") << answer.text;

    EXPECT_EQ(MatrixClient(daemon_->port()).get("/_matrix/client/v3/pushers").status, 401);
    EXPECT_TRUE(bob_->get("/_matrix/client/v3/pushers").body["pushers"].empty());
}

TEST(PushGatewayDefaults, LoopbackGatewaysAreRefusedUnlessAllowed) {
    TempDir dir;
    auto daemon = Daemon::start(dir.path());
    auto bob = MatrixClient::registered(daemon->port(), "bob");
    auto answer = bob.post("/_matrix/client/v3/pushers/set",
                           {{"app_id", "a"},
                            {"pushkey", "k"},
                            {"kind", "http"},
                            {"app_display_name", "A"},
                            {"device_display_name", "D"},
                            {"lang", "en"},
                            {"data", {{"url", "http://127.0.0.1:9/_matrix/push/v1/notify"}}}});
    EXPECT_EQ(answer.status, 400) << answer.text;
    EXPECT_EQ(answer.errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(daemon->stop(), 0) << daemon->log_tail();
}

TEST_F(PushGateway, NotificationsPageBackAndKnowWhatWasRead) {
    const auto room = direct_room();
    const auto first = send(*alice_, room, {{"msgtype", "m.text"}, {"body", "one"}});
    send(*alice_, room, {{"msgtype", "m.text"}, {"body", "two"}});
    const auto mention = send(*alice_, room,
                              {{"msgtype", "m.text"},
                               {"body", "three"},
                               {"m.mentions", {{"user_ids", json::array({bob_->user_id()})}}}});
    auto receipt = bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/receipt/m.read/" +
                                  escape(first),
                              json::object());
    ASSERT_EQ(receipt.status, 200) << receipt.text;

    auto page = bob_->get("/_matrix/client/v3/notifications?limit=2");
    ASSERT_EQ(page.status, 200) << page.text;
    const auto& list = page.body["notifications"];
    ASSERT_EQ(list.size(), 2u) << page.text;
    EXPECT_EQ(list[0]["event"]["event_id"], mention);
    EXPECT_EQ(list[0]["room_id"], room);
    EXPECT_EQ(list[0]["read"], false);
    EXPECT_TRUE(list[0]["actions"].is_array());
    EXPECT_TRUE(list[0]["ts"].is_number_integer());
    EXPECT_TRUE(list[0].contains("profile_tag"));
    ASSERT_TRUE(page.body["next_token"].is_string()) << page.text;

    auto rest = bob_->get("/_matrix/client/v3/notifications?limit=2&from=" +
                          page.body["next_token"].get<std::string>());
    ASSERT_EQ(rest.status, 200) << rest.text;
    // The invite to the room notified bob too (.m.rule.invite_for_me).
    ASSERT_GE(rest.body["notifications"].size(), 1u) << rest.text;
    EXPECT_EQ(rest.body["notifications"][0]["event"]["event_id"], first);
    EXPECT_EQ(rest.body["notifications"][0]["read"], true);

    auto highlights = bob_->get("/_matrix/client/v3/notifications?only=highlight");
    ASSERT_EQ(highlights.status, 200);
    ASSERT_EQ(highlights.body["notifications"].size(), 1u) << highlights.text;
    EXPECT_EQ(highlights.body["notifications"][0]["event"]["event_id"], mention);
    EXPECT_FALSE(highlights.body.contains("next_token"));

    auto bad = bob_->get("/_matrix/client/v3/notifications?limit=lots");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.errcode(), "M_INVALID_PARAM");
    bad = bob_->get("/_matrix/client/v3/notifications?from=nope");
    EXPECT_EQ(bad.status, 400);
}

}  // namespace
}  // namespace chat::test
