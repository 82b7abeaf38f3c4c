// /sync against a real chatd: initial and incremental, long-poll wake-up,
// limited timelines, invites and leaves, filters, transaction_id.
#include <chrono>
#include <future>
#include <set>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

using namespace std::chrono_literals;

class Sync : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path());
        alice_.emplace(MatrixClient::registered(daemon_->port(), "alice"));
        bob_.emplace(MatrixClient::registered(daemon_->port(), "bob"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }

    static std::vector<std::string> texts(const nlohmann::json& sync, const std::string& room) {
        std::vector<std::string> out;
        const auto& events = sync["rooms"]["join"][room]["timeline"]["events"];
        if (!events.is_array()) return out;
        for (const auto& event : events)
            if (event["type"] == "m.room.message") out.push_back(event["content"]["body"]);
        return out;
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::optional<MatrixClient> alice_, bob_;
};

TEST_F(Sync, InitialSyncShowsJoinedRoomsWithStateAndTimeline) {
    auto room = alice_->create_room({{"name", "Hall"}});
    alice_->send_text(room, "first");
    auto sync = alice_->sync();
    ASSERT_EQ(sync.status, 200) << sync.text;
    EXPECT_TRUE(sync.body["next_batch"].is_string());
    ASSERT_TRUE(sync.body["rooms"]["join"].contains(room)) << sync.text;
    EXPECT_EQ(texts(sync.body, room), std::vector<std::string>{"first"});
    const auto& joined = sync.body["rooms"]["join"][room];
    EXPECT_TRUE(joined["state"]["events"].is_array());
    EXPECT_EQ(joined["summary"]["m.joined_member_count"], 1);
}

TEST_F(Sync, ALongPollWakesWhenAMessageArrives) {
    auto room = alice_->create_room({{"preset", "public_chat"}});
    bob_->join(room);
    auto since = bob_->sync().body["next_batch"].get<std::string>();
    auto poll = std::async(std::launch::async, [&] { return bob_->sync(since, 30000); });
    // The long-poll must be parked before the send; poll its state by time
    // only through the answer: it may not have returned yet.
    EXPECT_EQ(poll.wait_for(300ms), std::future_status::timeout);
    auto start = std::chrono::steady_clock::now();
    alice_->send_text(room, "wake up");
    auto answer = poll.get();
    ASSERT_EQ(answer.status, 200) << answer.text;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    EXPECT_EQ(texts(answer.body, room), std::vector<std::string>{"wake up"});
}

TEST_F(Sync, AnIdleLongPollTimesOutWithTheSameToken) {
    alice_->create_room();
    auto since = alice_->sync().body["next_batch"].get<std::string>();
    auto answer = alice_->sync(since, 500);
    ASSERT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body["next_batch"], since);
    EXPECT_FALSE(answer.body["rooms"]["join"].is_object() &&
                 !answer.body["rooms"]["join"].empty())
        << answer.text;
}

TEST_F(Sync, IncrementalSyncsNeverRepeatOrMissAMessage) {
    auto room = alice_->create_room({{"preset", "public_chat"}});
    bob_->join(room);
    auto since = bob_->sync().body["next_batch"].get<std::string>();
    auto sender = std::async(std::launch::async, [&] {
        for (int i = 0; i < 30; ++i) alice_->send_text(room, std::to_string(i));
    });
    std::vector<std::string> seen;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (seen.size() < 30 && std::chrono::steady_clock::now() < deadline) {
        auto answer = bob_->sync(since, 5000, "&filter=" + escape(R"({"room":{"timeline":{"limit":100}}})"));
        ASSERT_EQ(answer.status, 200) << answer.text;
        for (auto& text : texts(answer.body, room)) seen.push_back(text);
        since = answer.body["next_batch"].get<std::string>();
    }
    sender.get();
    std::vector<std::string> expected;
    for (int i = 0; i < 30; ++i) expected.push_back(std::to_string(i));
    EXPECT_EQ(seen, expected);
}

TEST_F(Sync, ALimitedTimelineHasPrevBatchThatPaginates) {
    auto room = alice_->create_room();
    for (int i = 0; i < 6; ++i) alice_->send_text(room, "m" + std::to_string(i));
    auto answer = alice_->sync({}, 0, "&filter=" + escape(R"({"room":{"timeline":{"limit":2}}})"));
    ASSERT_EQ(answer.status, 200);
    const auto& timeline = answer.body["rooms"]["join"][room]["timeline"];
    EXPECT_EQ(timeline["limited"], true);
    EXPECT_EQ(texts(answer.body, room), (std::vector<std::string>{"m4", "m5"}));
    auto earlier = alice_->get("/_matrix/client/v3/rooms/" + escape(room) + "/messages?dir=b&limit=2&from=" +
                               escape(timeline["prev_batch"].get<std::string>()));
    ASSERT_EQ(earlier.status, 200) << earlier.text;
    ASSERT_EQ(earlier.body["chunk"].size(), 2u);
    EXPECT_EQ(earlier.body["chunk"][0]["content"]["body"], "m3");
}

TEST_F(Sync, InvitesAndLeavesHaveTheirSections) {
    auto room = alice_->create_room({{"name", "Secret"}});
    auto since = bob_->sync().body["next_batch"].get<std::string>();
    alice_->invite(room, bob_->user_id());
    auto invited = bob_->sync(since, 5000);
    ASSERT_TRUE(invited.body["rooms"]["invite"].contains(room)) << invited.text;
    std::set<std::string> types;
    for (const auto& event : invited.body["rooms"]["invite"][room]["invite_state"]["events"])
        types.insert(event["type"].get<std::string>());
    EXPECT_TRUE(types.contains("m.room.name"));
    since = invited.body["next_batch"].get<std::string>();
    bob_->join(room);
    ASSERT_EQ(bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/leave", nlohmann::json::object()).status, 200);
    auto left = bob_->sync(since, 5000);
    EXPECT_TRUE(left.body["rooms"]["leave"].contains(room)) << left.text;
}

TEST_F(Sync, AForgottenRoomLeavesTheLeaveSection) {
    auto room = alice_->create_room({{"preset", "public_chat"}});
    bob_->join(room);
    const auto room_path = "/_matrix/client/v3/rooms/" + escape(room);
    EXPECT_EQ(bob_->post(room_path + "/forget", nlohmann::json::object()).errcode(),
              "M_INVALID_PARAM");  // still joined
    ASSERT_EQ(bob_->post(room_path + "/leave", nlohmann::json::object()).status, 200);
    const auto include_leave = "&filter=" + escape(R"({"room":{"include_leave":true}})");
    EXPECT_TRUE(bob_->sync({}, 0, include_leave).body["rooms"]["leave"].contains(room));
    ASSERT_EQ(bob_->post(room_path + "/forget", nlohmann::json::object()).status, 200);
    auto after = bob_->sync({}, 0, include_leave);
    EXPECT_FALSE(after.body["rooms"]["leave"].contains(room)) << after.text;
    // Joining and leaving again is a new membership: the room shows again.
    bob_->join(room);
    ASSERT_EQ(bob_->post(room_path + "/leave", nlohmann::json::object()).status, 200);
    EXPECT_TRUE(bob_->sync({}, 0, include_leave).body["rooms"]["leave"].contains(room));
    auto stranger = MatrixClient::registered(daemon_->port(), "carol");
    EXPECT_EQ(stranger.post(room_path + "/forget", nlohmann::json::object()).status, 404);
}

TEST_F(Sync, TransactionIdOnlyForTheSendingDevice) {
    auto room = alice_->create_room();
    auto since = alice_->sync().body["next_batch"].get<std::string>();
    ASSERT_EQ(alice_->put("/_matrix/client/v3/rooms/" + escape(room) + "/send/m.room.message/abc",
                          {{"msgtype", "m.text"}, {"body", "echo"}})
                  .status,
              200);
    auto mine = alice_->sync(since, 5000);
    const auto& events = mine.body["rooms"]["join"][room]["timeline"]["events"];
    ASSERT_FALSE(events.empty()) << mine.text;
    EXPECT_EQ(events.back()["unsigned"]["transaction_id"], "abc");
    auto login = MatrixClient(daemon_->port())
                     .post("/_matrix/client/v3/login", {{"type", "m.login.password"},
                                                        {"user", "alice"},
                                                        {"password", "correct horse battery"}});
    MatrixClient other_device(daemon_->port(), login.body["access_token"].get<std::string>());
    auto theirs = other_device.sync(since, 5000);
    const auto& other_events = theirs.body["rooms"]["join"][room]["timeline"]["events"];
    ASSERT_FALSE(other_events.empty());
    EXPECT_FALSE(other_events.back()["unsigned"].contains("transaction_id"));
}

TEST_F(Sync, FiltersRoundTripAndApply) {
    nlohmann::json filter = {{"room", {{"timeline", {{"not_types", {"m.room.message"}}}}}},
                             {"event_fields", {"type", "content.body"}},
                             {"x_unknown", 1}};
    auto made = alice_->post("/_matrix/client/v3/user/%40alice%3Alocalhost/filter", filter);
    ASSERT_EQ(made.status, 200) << made.text;
    auto id = made.body["filter_id"].get<std::string>();
    auto back = alice_->get("/_matrix/client/v3/user/%40alice%3Alocalhost/filter/" + id);
    EXPECT_EQ(back.body, filter);
    auto room = alice_->create_room();
    alice_->send_text(room, "hidden");
    auto answer = alice_->sync({}, 0, "&filter=" + id);
    EXPECT_TRUE(texts(answer.body, room).empty()) << answer.text;
    EXPECT_EQ(alice_->get("/_matrix/client/v3/user/%40alice%3Alocalhost/filter/999").status, 404);
    EXPECT_EQ(bob_->get("/_matrix/client/v3/user/%40alice%3Alocalhost/filter/" + id).status, 403);
    EXPECT_EQ(alice_->post("/_matrix/client/v3/user/%40alice%3Alocalhost/filter",
                           {{"room", {{"timeline", {{"limit", "ten"}}}}}})
                  .errcode(),
              "M_BAD_JSON");
}

TEST_F(Sync, FullStateResendsTheRoomState) {
    auto room = alice_->create_room({{"name", "Stateful"}});
    auto since = alice_->sync().body["next_batch"].get<std::string>();
    alice_->send_text(room, "later");
    auto names = [&](const nlohmann::json& body) {
        std::set<std::string> types;
        for (const auto& event : body["rooms"]["join"][room]["state"]["events"])
            types.insert(event["type"].get<std::string>());
        return types;
    };
    auto plain = alice_->sync(since, 5000);
    EXPECT_FALSE(names(plain.body).contains("m.room.name")) << plain.text;
    auto full = alice_->sync(since, 0, "&full_state=true");
    ASSERT_EQ(full.status, 200);
    EXPECT_TRUE(names(full.body).contains("m.room.name")) << full.text;
    EXPECT_TRUE(names(full.body).contains("m.room.create")) << full.text;
}

TEST_F(Sync, BadTokensAndUnknownParameters) {
    auto bad = alice_->sync(std::string("garbage"));
    EXPECT_EQ(bad.status, 400);
    auto extra = alice_->sync({}, 0, "&set_presence=online&org.example.unknown=1");
    EXPECT_EQ(extra.status, 200) << extra.text;
    auto negative = alice_->get("/_matrix/client/v3/sync?timeout=-5");
    EXPECT_EQ(negative.status, 400);
}

TEST_F(Sync, AccountDataAppearsInSync) {
    auto since = alice_->sync().body["next_batch"].get<std::string>();
    ASSERT_EQ(alice_->put("/_matrix/client/v3/user/%40alice%3Alocalhost/account_data/m.direct",
                          {{"@bob:localhost", {"!r:localhost"}}})
                  .status,
              200);
    auto answer = alice_->sync(since, 5000);
    bool found = false;
    for (const auto& event : answer.body["account_data"]["events"])
        if (event["type"] == "m.direct") found = true;
    EXPECT_TRUE(found) << answer.text;
}

}  // namespace
}  // namespace chat::test
