// Rooms and messaging over HTTP against a real chatd, with two or three
// users: create, membership, send (txnId idempotency), state, redact,
// /messages, /event, /context, members, account data and tags.
#include <set>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

class Rooms : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(
            dir_.path(),
            "rate_limits:\n  register:\n    per_second: 1000\n    burst: 1000\n");
        alice_.emplace(MatrixClient::registered(daemon_->port(), "alice"));
        bob_.emplace(MatrixClient::registered(daemon_->port(), "bob"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }
    static std::string room_path(const std::string& room_id, std::string_view rest) {
        return "/_matrix/client/v3/rooms/" + escape(room_id) + std::string(rest);
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::optional<MatrixClient> alice_, bob_;
};

TEST_F(Rooms, CreateRoomWithNameTopicAndInvite) {
    auto room = alice_->create_room({{"name", "Lunch"},
                                     {"topic", "Where to eat"},
                                     {"invite", {bob_->user_id()}},
                                     {"is_direct", true}});
    auto name = alice_->get(room_path(room, "/state/m.room.name"));
    ASSERT_EQ(name.status, 200) << name.text;
    EXPECT_EQ(name.body["name"], "Lunch");
    auto topic = alice_->get(room_path(room, "/state/m.room.topic/"));
    EXPECT_EQ(topic.body["topic"], "Where to eat");
    auto invite = alice_->get(room_path(room, "/state/m.room.member/%40bob%3Alocalhost"));
    EXPECT_EQ(invite.body["membership"], "invite");
    EXPECT_EQ(invite.body["is_direct"], true);
    bob_->join(room);
    auto joined = bob_->get("/_matrix/client/v3/joined_rooms");
    EXPECT_EQ(joined.body["joined_rooms"], nlohmann::json::array({room}));
}

TEST_F(Rooms, CreateRoomRefusesBadInput) {
    auto bad_version = alice_->post("/_matrix/client/v3/createRoom", {{"room_version", "99"}});
    EXPECT_EQ(bad_version.status, 400);
    EXPECT_EQ(bad_version.errcode(), "M_UNSUPPORTED_ROOM_VERSION");
    auto bad_preset = alice_->post("/_matrix/client/v3/createRoom", {{"preset", "party"}});
    EXPECT_EQ(bad_preset.errcode(), "M_INVALID_PARAM");
    auto bad_invite = alice_->post("/_matrix/client/v3/createRoom", {{"invite", "bob"}});
    EXPECT_EQ(bad_invite.errcode(), "M_BAD_JSON");
    auto not_json = alice_->send_raw("POST", "/_matrix/client/v3/createRoom", "[");
    EXPECT_EQ(not_json.errcode(), "M_NOT_JSON");
    auto no_token = MatrixClient(daemon_->port()).post("/_matrix/client/v3/createRoom", nlohmann::json::object());
    EXPECT_EQ(no_token.status, 401);
    auto old_version = alice_->post("/_matrix/client/v3/createRoom", {{"room_version", "10"}});
    EXPECT_EQ(old_version.status, 200) << old_version.text;
}

TEST_F(Rooms, PrivateRoomNeedsAnInvite) {
    auto room = alice_->create_room();
    auto join = bob_->post("/_matrix/client/v3/join/" + escape(room), nlohmann::json::object());
    EXPECT_EQ(join.status, 403) << join.text;
    EXPECT_EQ(join.errcode(), "M_FORBIDDEN");
    alice_->invite(room, bob_->user_id());
    bob_->join(room);
    auto unknown = bob_->post("/_matrix/client/v3/join/%21nope%3Alocalhost", nlohmann::json::object());
    EXPECT_EQ(unknown.status, 404) << unknown.text;
    auto garbage = bob_->post("/_matrix/client/v3/join/garbage", nlohmann::json::object());
    EXPECT_EQ(garbage.status, 400);
}

TEST_F(Rooms, KickBanUnbanAndLeave) {
    auto room = alice_->create_room({{"preset", "public_chat"}});
    bob_->join(room);
    EXPECT_EQ(bob_->post(room_path(room, "/kick"), {{"user_id", alice_->user_id()}}).status, 403);
    EXPECT_EQ(alice_->post(room_path(room, "/kick"), {{"user_id", bob_->user_id()},
                                                      {"reason", "out"}})
                  .status,
              200);
    bob_->join(room);
    EXPECT_EQ(alice_->post(room_path(room, "/ban"), {{"user_id", bob_->user_id()}}).status, 200);
    auto rejoin = bob_->post("/_matrix/client/v3/join/" + escape(room), nlohmann::json::object());
    EXPECT_EQ(rejoin.status, 403);
    EXPECT_EQ(alice_->post(room_path(room, "/unban"), {{"user_id", bob_->user_id()}}).status,
              200);
    bob_->join(room);
    EXPECT_EQ(bob_->post(room_path(room, "/leave"), nlohmann::json::object()).status, 200);
    EXPECT_EQ(bob_->post(room_path(room, "/forget"), nlohmann::json::object()).status, 200);
    auto missing = alice_->post(room_path(room, "/ban"), nlohmann::json::object());
    EXPECT_EQ(missing.errcode(), "M_MISSING_PARAM");
}

TEST_F(Rooms, KnockOnAKnockRoom) {
    auto room = alice_->create_room({{"initial_state",
                                      {{{"type", "m.room.join_rules"},
                                        {"content", {{"join_rule", "knock"}}}}}}});
    auto knock = bob_->post("/_matrix/client/v3/knock/" + escape(room), {{"reason", "hi"}});
    ASSERT_EQ(knock.status, 200) << knock.text;
    auto member = alice_->get(room_path(room, "/state/m.room.member/%40bob%3Alocalhost"));
    EXPECT_EQ(member.body["membership"], "knock");
}

TEST_F(Rooms, SendIsIdempotentPerTxnIdAndDevice) {
    auto room = alice_->create_room();
    auto path = room_path(room, "/send/m.room.message/txn1");
    auto first = alice_->put(path, {{"msgtype", "m.text"}, {"body", "hello"}});
    ASSERT_EQ(first.status, 200) << first.text;
    auto retry = alice_->put(path, {{"msgtype", "m.text"}, {"body", "hello"}});
    EXPECT_EQ(retry.body["event_id"], first.body["event_id"]);
    // The spec keys idempotency on (device, txnId): another body with the same
    // txnId is still the first event.
    auto other_body = alice_->put(path, {{"msgtype", "m.text"}, {"body", "changed"}});
    EXPECT_EQ(other_body.body["event_id"], first.body["event_id"]);
    auto messages = alice_->get(room_path(room, "/messages?dir=b&limit=50"));
    int hellos = 0;
    for (const auto& event : messages.body["chunk"])
        if (event["type"] == "m.room.message") ++hellos;
    EXPECT_EQ(hellos, 1) << messages.text;
}

TEST_F(Rooms, SendRefusesNonMembersAndBadInput) {
    auto room = alice_->create_room();
    auto outsider = bob_->put(room_path(room, "/send/m.room.message/t1"), {{"body", "x"}});
    EXPECT_EQ(outsider.status, 403);
    auto unknown = alice_->put("/_matrix/client/v3/rooms/%21nope%3Alocalhost/send/m.room.message/t",
                               {{"body", "x"}});
    EXPECT_EQ(unknown.status, 404) << unknown.text;
    auto array = alice_->send_raw("PUT", room_path(room, "/send/m.room.message/t2"), "[]");
    EXPECT_EQ(array.errcode(), "M_BAD_JSON");
    auto bad_room = alice_->put("/_matrix/client/v3/rooms/notaroom/send/m.room.message/t",
                                {{"body", "x"}});
    EXPECT_EQ(bad_room.status, 400);
}

TEST_F(Rooms, StateEventsNeedPower) {
    auto room = alice_->create_room({{"preset", "public_chat"}});
    bob_->join(room);
    auto refused = bob_->put(room_path(room, "/state/m.room.name"), {{"name", "mine"}});
    EXPECT_EQ(refused.status, 403);
    auto ok = alice_->put(room_path(room, "/state/m.room.name"), {{"name", "ours"}});
    EXPECT_EQ(ok.status, 200);
    auto state = bob_->get(room_path(room, "/state"));
    ASSERT_EQ(state.status, 200);
    std::set<std::string> types;
    for (const auto& event : state.body) types.insert(event["type"].get<std::string>());
    EXPECT_TRUE(types.contains("m.room.create"));
    EXPECT_TRUE(types.contains("m.room.name"));
    auto absent = bob_->get(room_path(room, "/state/m.room.topic"));
    EXPECT_EQ(absent.status, 404);
    auto stranger = MatrixClient::registered(daemon_->port(), "carol");
    EXPECT_EQ(stranger.get(room_path(room, "/state")).status, 403);
}

TEST_F(Rooms, RedactionRemovesContent) {
    auto room = alice_->create_room({{"preset", "public_chat"}});
    bob_->join(room);
    auto event_id = bob_->send_text(room, "oops");
    auto refused =
        bob_->put(room_path(room, "/redact/" + escape(event_id) + "/r0"), nlohmann::json::object());
    EXPECT_EQ(refused.status, 200) << "a sender may redact their own event: " << refused.text;
    auto event = alice_->get(room_path(room, "/event/" + escape(event_id)));
    ASSERT_EQ(event.status, 200);
    EXPECT_EQ(event.body["content"], nlohmann::json::object()) << event.text;
    EXPECT_TRUE(event.body["unsigned"].contains("redacted_because")) << event.text;
}

TEST_F(Rooms, MessagesPaginateBothWaysWithStableTokens) {
    auto room = alice_->create_room();
    std::vector<std::string> sent;
    for (int i = 0; i < 7; ++i) sent.push_back(alice_->send_text(room, "m" + std::to_string(i)));

    std::vector<std::string> backwards;
    std::string from;
    for (int page = 0; page < 20; ++page) {
        auto path = room_path(room, "/messages?dir=b&limit=3&filter=" +
                                        escape(R"({"types":["m.room.message"]})"));
        if (!from.empty()) path += "&from=" + escape(from);
        auto answer = alice_->get(path);
        ASSERT_EQ(answer.status, 200) << answer.text;
        for (const auto& event : answer.body["chunk"])
            backwards.push_back(event["event_id"].get<std::string>());
        if (!answer.body.contains("end")) break;
        from = answer.body["end"].get<std::string>();
    }
    std::vector<std::string> expected(sent.rbegin(), sent.rend());
    EXPECT_EQ(backwards, expected);

    auto forward = alice_->get(room_path(room, "/messages?dir=f&limit=100"));
    std::vector<std::string> messages;
    for (const auto& event : forward.body["chunk"])
        if (event["type"] == "m.room.message") messages.push_back(event["event_id"]);
    EXPECT_EQ(messages, sent);
    EXPECT_EQ(alice_->get(room_path(room, "/messages?dir=x")).errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(alice_->get(room_path(room, "/messages")).errcode(), "M_MISSING_PARAM");
    EXPECT_EQ(alice_->get(room_path(room, "/messages?dir=b&from=zz")).status, 400);
    EXPECT_EQ(bob_->get(room_path(room, "/messages?dir=b")).status, 403);
}

TEST_F(Rooms, ContextAndEventAndMembers) {
    auto room = alice_->create_room({{"preset", "public_chat"}});
    bob_->join(room);
    auto a = alice_->send_text(room, "one");
    auto b = bob_->send_text(room, "two");
    auto c = alice_->send_text(room, "three");
    auto context = bob_->get(room_path(room, "/context/" + escape(b) + "?limit=4"));
    ASSERT_EQ(context.status, 200) << context.text;
    EXPECT_EQ(context.body["event"]["event_id"], b);
    EXPECT_EQ(context.body["events_before"][0]["event_id"], a);
    EXPECT_EQ(context.body["events_after"][0]["event_id"], c);
    EXPECT_TRUE(context.body["state"].is_array());
    auto members = bob_->get(room_path(room, "/members?membership=join"));
    EXPECT_EQ(members.body["chunk"].size(), 2u) << members.text;
    auto joined = bob_->get(room_path(room, "/joined_members"));
    EXPECT_TRUE(joined.body["joined"].contains("@alice:localhost"));
    EXPECT_EQ(joined.body["joined"]["@alice:localhost"]["display_name"], "alice");
    EXPECT_EQ(bob_->get(room_path(room, "/event/%24AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status, 404);
}

TEST_F(Rooms, MembersAtATokenShowTheRoomAsItWasThen) {
    auto room = alice_->create_room({{"preset", "public_chat"}});
    alice_->send_text(room, "before bob");
    auto page = alice_->get(room_path(room, "/messages?dir=b&limit=1"));
    ASSERT_EQ(page.status, 200) << page.text;
    auto before_bob = page.body["start"].get<std::string>();
    bob_->join(room);
    auto now = alice_->get(room_path(room, "/members"));
    EXPECT_EQ(now.body["chunk"].size(), 2u) << now.text;
    auto then = alice_->get(room_path(room, "/members?at=" + escape(before_bob)));
    ASSERT_EQ(then.status, 200) << then.text;
    ASSERT_EQ(then.body["chunk"].size(), 1u) << then.text;
    EXPECT_EQ(then.body["chunk"][0]["state_key"], alice_->user_id());
    EXPECT_EQ(alice_->get(room_path(room, "/members?at=nonsense")).status, 400);
}

TEST_F(Rooms, AccountDataAndTags) {
    auto room = alice_->create_room();
    auto path = "/_matrix/client/v3/user/%40alice%3Alocalhost/account_data/org.example.x";
    EXPECT_EQ(alice_->get(path).status, 404);
    EXPECT_EQ(alice_->put(path, {{"a", 1}}).status, 200);
    EXPECT_EQ(alice_->get(path).body, nlohmann::json({{"a", 1}}));
    EXPECT_EQ(bob_->get(path).status, 403);
    auto tag = "/_matrix/client/v3/user/%40alice%3Alocalhost/rooms/" + escape(room) + "/tags/";
    EXPECT_EQ(alice_->put(tag + "u.work", {{"order", 0.5}}).status, 200);
    EXPECT_EQ(alice_->put(tag + "u.bad", {{"order", "high"}}).errcode(), "M_BAD_JSON");
    auto tags = alice_->get("/_matrix/client/v3/user/%40alice%3Alocalhost/rooms/" + escape(room) +
                            "/tags");
    EXPECT_EQ(tags.body["tags"]["u.work"]["order"], 0.5) << tags.text;
    EXPECT_EQ(alice_->del(tag + "u.work").status, 200);
    tags = alice_->get("/_matrix/client/v3/user/%40alice%3Alocalhost/rooms/" + escape(room) +
                       "/tags");
    EXPECT_EQ(tags.body["tags"], nlohmann::json::object());
    EXPECT_EQ(alice_->put("/_matrix/client/v3/user/%40alice%3Alocalhost/account_data/m.fully_read",
                          {{"event_id", "$x"}})
                  .status,
              400);
}

TEST_F(Rooms, UnknownEndpointsAndMethods) {
    auto unknown = alice_->get("/_matrix/client/v3/no/such/thing");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.errcode(), "M_UNRECOGNIZED");
    auto method = alice_->del("/_matrix/client/v3/createRoom");
    EXPECT_EQ(method.status, 405);
    EXPECT_EQ(method.errcode(), "M_UNRECOGNIZED");
    auto caps = alice_->get("/_matrix/client/v3/capabilities");
    EXPECT_EQ(caps.body["capabilities"]["m.room_versions"]["default"], "12") << caps.text;
}

TEST(RoomsRateLimit, SendIsRateLimitedPerUser) {
    TempDir dir;
    auto daemon =
        Daemon::start(dir.path(), "rate_limits:\n  message:\n    per_second: 0.01\n    burst: 2\n");
    auto alice = MatrixClient::registered(daemon->port(), "alice");
    auto room = alice.create_room();
    Answer last;
    for (int i = 0; i < 3; ++i)
        last = alice.put("/_matrix/client/v3/rooms/" + escape(room) + "/send/m.room.message/r" +
                             std::to_string(i),
                         {{"body", "x"}});
    EXPECT_EQ(last.status, 429) << last.text;
    EXPECT_EQ(last.errcode(), "M_LIMIT_EXCEEDED");
    EXPECT_EQ(daemon->stop(), 0);
}

}  // namespace
}  // namespace chat::test
