#include "push/pusher_request.hpp"

#include <gtest/gtest.h>

#include "push/pusher_sender.hpp"

namespace chat::daemon::push {
namespace {

using nlohmann::json;

const UserId kAlice = UserId::parse("@alice:a.test").value();

json valid_body() {
    return {{"app_id", "org.example.app"},
            {"pushkey", "key1"},
            {"kind", "http"},
            {"app_display_name", "Example"},
            {"device_display_name", "Phone"},
            {"lang", "en"},
            {"data", {{"url", "https://push.example.org/_matrix/push/v1/notify"}}}};
}

TEST(PusherChange, AValidHttpPusherIsAcceptedWithItsFields) {
    auto body = valid_body();
    body["append"] = true;
    body["profile_tag"] = "tag";
    auto change = parse_pusher_change(body, kAlice, 1234, false);
    ASSERT_TRUE(change) << change.error().message;
    ASSERT_TRUE(change->pusher);
    EXPECT_TRUE(change->append);
    EXPECT_EQ(change->pusher->user_id, kAlice);
    EXPECT_EQ(change->pusher->pushkey, "key1");
    EXPECT_EQ(change->pusher->pushkey_ts, 1234);
    EXPECT_EQ(change->pusher->profile_tag, "tag");
    EXPECT_EQ(change->pusher->data["url"], "https://push.example.org/_matrix/push/v1/notify");
}

TEST(PusherChange, KindNullIsARemovalThatNeedsOnlyAppIdAndPushkey) {
    json body{{"app_id", "org.example.app"}, {"pushkey", "key1"}, {"kind", nullptr}};
    auto change = parse_pusher_change(body, kAlice, 1, false);
    ASSERT_TRUE(change) << change.error().message;
    EXPECT_FALSE(change->pusher);
    EXPECT_EQ(change->app_id, "org.example.app");
}

TEST(PusherChange, BadInputGetsTheSpecErrcodes) {
    struct Case {
        const char* what;
        json body;
        Errc expected;
    };
    std::vector<Case> cases;
    auto without = [](const char* field) {
        auto b = valid_body();
        b.erase(field);
        return b;
    };
    for (const char* field : {"app_id", "pushkey", "kind", "app_display_name",
                              "device_display_name", "lang", "data"})
        cases.push_back({field, without(field), Errc::missing_param});
    auto no_url = valid_body();
    no_url["data"] = json::object();
    cases.push_back({"no url", no_url, Errc::missing_param});
    auto bad_scheme = valid_body();
    bad_scheme["data"]["url"] = "ftp://push.example.org/_matrix/push/v1/notify";
    cases.push_back({"scheme", bad_scheme, Errc::invalid_param});
    auto bad_path = valid_body();
    bad_path["data"]["url"] = "https://push.example.org/notify";
    cases.push_back({"path", bad_path, Errc::invalid_param});
    auto loopback = valid_body();
    loopback["data"]["url"] = "http://127.0.0.1:9/_matrix/push/v1/notify";
    cases.push_back({"loopback", loopback, Errc::invalid_param});
    auto format = valid_body();
    format["data"]["format"] = "full_please";
    cases.push_back({"format", format, Errc::invalid_param});
    auto email = valid_body();
    email["kind"] = "email";
    cases.push_back({"kind email", email, Errc::invalid_param});
    auto long_key = valid_body();
    long_key["pushkey"] = std::string(513, 'k');
    cases.push_back({"long pushkey", long_key, Errc::invalid_param});
    auto long_app = valid_body();
    long_app["app_id"] = std::string(65, 'a');
    cases.push_back({"long app_id", long_app, Errc::invalid_param});
    auto wrong_type = valid_body();
    wrong_type["data"] = "x";
    cases.push_back({"data string", wrong_type, Errc::bad_json});
    auto append_type = valid_body();
    append_type["append"] = "yes";
    cases.push_back({"append string", append_type, Errc::bad_json});

    for (const auto& c : cases) {
        auto change = parse_pusher_change(c.body, kAlice, 1, false);
        ASSERT_FALSE(change) << c.what;
        EXPECT_EQ(change.error().code, c.expected) << c.what << ": " << change.error().message;
    }
}

TEST(GatewayUrl, PrivateAddressesNeedTheSetting) {
    for (const char* url : {"http://127.0.0.1:8/_matrix/push/v1/notify",
                            "http://localhost/_matrix/push/v1/notify",
                            "http://10.1.2.3/_matrix/push/v1/notify",
                            "http://192.168.0.1/_matrix/push/v1/notify",
                            "http://172.20.0.1/_matrix/push/v1/notify",
                            "http://[::1]:80/_matrix/push/v1/notify",
                            "http://[fd00::1]/_matrix/push/v1/notify",
                            "http://0.0.0.0/_matrix/push/v1/notify"}) {
        EXPECT_FALSE(gateway_url_allowed(url, false)) << url;
        EXPECT_TRUE(gateway_url_allowed(url, true)) << url;
    }
    EXPECT_TRUE(gateway_url_allowed("https://push.example.org/_matrix/push/v1/notify", false));
    EXPECT_TRUE(gateway_url_allowed("http://8.8.8.8:8080/_matrix/push/v1/notify", false));
    EXPECT_FALSE(gateway_url_allowed("https://push.example.org/_matrix/push/v1/notify?x=1", true));
    EXPECT_FALSE(gateway_url_allowed("https:///_matrix/push/v1/notify", true));
}

store::PushActionRow action(bool highlight) {
    json actions = json::array({"notify", {{"set_tweak", "sound"}, {"value", "default"}}});
    if (highlight) actions.push_back({{"set_tweak", "highlight"}});
    return {.user_id = kAlice,
            .room_id = RoomId::parse("!room:a.test").value(),
            .event_id = EventId::parse("$ev:a.test").value(),
            .stream_ordering = 7,
            .notify = true,
            .highlight = highlight,
            .actions = actions};
}

store::PusherRow pusher(json data) {
    return {.user_id = kAlice, .app_id = "org.example.app", .pushkey = "key1",
            .data = std::move(data), .pushkey_ts = 99};
}

NotificationFacts facts() {
    return {.event = {{"type", "m.room.message"},
                      {"sender", "@bob:a.test"},
                      {"content", {{"msgtype", "m.text"}, {"body", "hi"}}}},
            .sender_display_name = "Bob",
            .room_name = "Lounge",
            .unread = 3};
}

TEST(NotifyBody, FullFormatCarriesTheEventCountsAndDevice) {
    auto body = notify_body(
        pusher({{"url", "https://gw/_matrix/push/v1/notify"}, {"extra", 1}}), action(true),
        facts());
    const json& n = body["notification"];
    EXPECT_EQ(n["event_id"], "$ev:a.test");
    EXPECT_EQ(n["room_id"], "!room:a.test");
    EXPECT_EQ(n["type"], "m.room.message");
    EXPECT_EQ(n["sender"], "@bob:a.test");
    EXPECT_EQ(n["sender_display_name"], "Bob");
    EXPECT_EQ(n["room_name"], "Lounge");
    EXPECT_EQ(n["content"]["body"], "hi");
    EXPECT_EQ(n["counts"]["unread"], 3);
    EXPECT_EQ(n["prio"], "high");
    ASSERT_EQ(n["devices"].size(), 1u);
    const json& d = n["devices"][0];
    EXPECT_EQ(d["app_id"], "org.example.app");
    EXPECT_EQ(d["pushkey"], "key1");
    EXPECT_EQ(d["pushkey_ts"], 99);
    EXPECT_EQ(d["data"], (json{{"extra", 1}}));  // url removed
    EXPECT_EQ(d["tweaks"], (json{{"sound", "default"}, {"highlight", true}}));
}

TEST(NotifyBody, EventIdOnlyLeavesTheEventOut) {
    auto p = pusher({{"url", "https://gw/_matrix/push/v1/notify"}, {"format", "event_id_only"}});
    auto a = action(false);
    a.actions = json::array({"notify"});
    auto body = notify_body(p, a, facts());
    const json& n = body["notification"];
    EXPECT_EQ(n["event_id"], "$ev:a.test");
    EXPECT_EQ(n["counts"]["unread"], 3);
    EXPECT_EQ(n["prio"], "low");
    for (const char* field : {"content", "sender", "type", "room_name", "sender_display_name"})
        EXPECT_FALSE(n.contains(field)) << field;
    EXPECT_EQ(n["devices"][0]["data"], (json{{"format", "event_id_only"}}));
}

TEST(PusherSenderBackoff, DoublesFromTheBaseUpToTheMax) {
    PusherSender::Options o{.retry_base = std::chrono::milliseconds(100),
                            .retry_max = std::chrono::milliseconds(1000)};
    EXPECT_EQ(PusherSender::backoff_delay(o, 1).count(), 100);
    EXPECT_EQ(PusherSender::backoff_delay(o, 2).count(), 200);
    EXPECT_EQ(PusherSender::backoff_delay(o, 4).count(), 800);
    EXPECT_EQ(PusherSender::backoff_delay(o, 5).count(), 1000);
    EXPECT_EQ(PusherSender::backoff_delay(o, 60).count(), 1000);
}

}  // namespace
}  // namespace chat::daemon::push
