// Issue 5 against a real chatd: read receipts and read markers, MSC4089
// delivery receipts (explicit and inferred), typing, presence and last seen.
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kDelivery = "org.matrix.msc4089.delivery";

class Ephemeral : public testing::Test {
protected:
    void start(std::string_view yaml = {}) {
        daemon_ = Daemon::start(dir_.path(), yaml);
        alice_.emplace(MatrixClient::registered(daemon_->port(), "alice"));
        bob_.emplace(MatrixClient::registered(daemon_->port(), "bob"));
        carol_.emplace(MatrixClient::registered(daemon_->port(), "carol"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }

    // A private room of Alice's that `members` joined.
    std::string private_room(std::initializer_list<MatrixClient*> members) {
        auto room = alice_->create_room({{"preset", "private_chat"}});
        for (auto* m : members) {
            alice_->invite(room, m->user_id());
            m->join(room);
        }
        return room;
    }

    static std::string next_batch(const Answer& a) {
        EXPECT_EQ(a.status, 200) << a.text;
        return a.body.value("next_batch", "");
    }

    // The room's ephemeral events of `type` in a sync answer.
    static std::vector<json> ephemeral(const Answer& sync, const std::string& room,
                                       std::string_view type) {
        std::vector<json> out;
        const auto& rooms = sync.body["rooms"]["join"];
        if (!rooms.contains(room)) return out;
        for (const auto& e : rooms[room]["ephemeral"]["events"])
            if (e["type"] == type) out.push_back(e);
        return out;
    }

    // The delivery receipts for `event` in an m.receipt event (null: none).
    static json delivery_of(const json& receipt, const std::string& event) {
        const auto content = receipt.find("content");
        if (content == receipt.end()) return nullptr;
        const auto entry = content->find(event);
        if (entry == content->end()) return nullptr;
        const auto delivery = entry->find(kDelivery);
        return delivery == entry->end() ? json(nullptr) : *delivery;
    }

    // Long-polls `client` from `since` until `found` holds for an answer or
    // `deadline` passes; returns the answer that matched (status 0: none).
    template <typename F>
    static Answer sync_until(const MatrixClient& client, std::string since, F found,
                             std::chrono::seconds deadline = 15s) {
        const auto end = std::chrono::steady_clock::now() + deadline;
        while (std::chrono::steady_clock::now() < end) {
            auto a = client.sync(since, 2000);
            if (a.status != 200) return a;
            if (found(a)) return a;
            since = a.body["next_batch"];
        }
        return Answer{};
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::optional<MatrixClient> alice_, bob_, carol_;
};

TEST_F(Ephemeral, ReadReceiptReachesTheRoomAndWakesALongPoll) {
    start();
    auto room = private_room({&*bob_});
    auto event = alice_->send_text(room, "read me");
    auto since = next_batch(alice_->sync());
    auto poll = std::async(std::launch::async, [&] { return alice_->sync(since, 20000); });
    std::this_thread::sleep_for(200ms);
    auto posted = bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/receipt/m.read/" +
                                 escape(event),
                             json::object());
    ASSERT_EQ(posted.status, 200) << posted.text;
    auto woke = poll.get();
    auto receipts = ephemeral(woke, room, "m.receipt");
    ASSERT_EQ(receipts.size(), 1u) << woke.text;
    EXPECT_TRUE(receipts[0]["content"][event]["m.read"][bob_->user_id()].contains("ts"));
}

TEST_F(Ephemeral, PrivateReceiptsReachOnlyTheirOwnerAndThreadsAreKept) {
    start();
    auto room = private_room({&*bob_});
    auto event = alice_->send_text(room, "x");
    auto alice_since = next_batch(alice_->sync());
    auto bob_since = next_batch(bob_->sync());
    const auto path = "/_matrix/client/v3/rooms/" + escape(room) + "/receipt/";
    ASSERT_EQ(bob_->post(path + "m.read.private/" + escape(event), json::object()).status, 200);
    ASSERT_EQ(bob_->post(path + "m.read/" + escape(event), {{"thread_id", "main"}}).status, 200);

    auto bob_view = bob_->sync(bob_since);
    auto mine = ephemeral(bob_view, room, "m.receipt");
    ASSERT_EQ(mine.size(), 1u) << bob_view.text;
    EXPECT_TRUE(mine[0]["content"][event]["m.read.private"].contains(bob_->user_id()));
    EXPECT_EQ(mine[0]["content"][event]["m.read"][bob_->user_id()]["thread_id"], "main");

    auto alice_view = alice_->sync(alice_since);
    auto theirs = ephemeral(alice_view, room, "m.receipt");
    ASSERT_EQ(theirs.size(), 1u) << alice_view.text;
    EXPECT_FALSE(theirs[0]["content"][event].contains("m.read.private")) << alice_view.text;
    EXPECT_TRUE(theirs[0]["content"][event]["m.read"].contains(bob_->user_id()));
}

TEST_F(Ephemeral, ReadMarkersSetFullyReadAndTheReceipt) {
    start();
    auto room = private_room({&*bob_});
    auto event = alice_->send_text(room, "y");
    auto since = next_batch(bob_->sync());
    auto posted = bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/read_markers",
                             {{"m.fully_read", event}, {"m.read", event}});
    ASSERT_EQ(posted.status, 200) << posted.text;
    auto fully_read = bob_->get("/_matrix/client/v3/user/" + escape(bob_->user_id()) + "/rooms/" +
                                escape(room) + "/account_data/m.fully_read");
    ASSERT_EQ(fully_read.status, 200) << fully_read.text;
    EXPECT_EQ(fully_read.body["event_id"], event);
    auto view = bob_->sync(since);
    const auto& account = view.body["rooms"]["join"][room]["account_data"]["events"];
    bool found = false;
    for (const auto& e : account)
        if (e["type"] == "m.fully_read" && e["content"]["event_id"] == event) found = true;
    EXPECT_TRUE(found) << view.text;
    EXPECT_EQ(ephemeral(view, room, "m.receipt").size(), 1u) << view.text;
}

TEST_F(Ephemeral, BadReceiptsGetMatrixErrors) {
    start();
    auto room = private_room({&*bob_});
    auto event = alice_->send_text(room, "z");
    const auto path = "/_matrix/client/v3/rooms/" + escape(room) + "/receipt/";
    auto unknown_type = bob_->post(path + "m.nope/" + escape(event), json::object());
    EXPECT_EQ(unknown_type.status, 400);
    EXPECT_EQ(unknown_type.errcode(), "M_INVALID_PARAM");
    auto unknown_event = bob_->post(path + "m.read/" + escape("$missing:x.test"), json::object());
    EXPECT_EQ(unknown_event.status, 404) << unknown_event.text;
    auto bad_id = bob_->post(path + "m.read/not-an-id", json::object());
    EXPECT_EQ(bad_id.status, 400);
    auto stranger = carol_->post(path + "m.read/" + escape(event), json::object());
    EXPECT_EQ(stranger.status, 403) << stranger.text;
    auto bad_thread = bob_->post(path + "m.read/" + escape(event), {{"thread_id", 5}});
    EXPECT_EQ(bad_thread.status, 400);
    EXPECT_EQ(bad_thread.errcode(), "M_BAD_JSON");
    auto fully_read_thread = bob_->post(path + "m.fully_read/" + escape(event), {{"thread_id", "main"}});
    EXPECT_EQ(fully_read_thread.status, 400);
    auto markers = bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/read_markers",
                              {{"m.read", "nonsense"}});
    EXPECT_EQ(markers.status, 400);
}

TEST_F(Ephemeral, DeliveryReceiptIsAdvertisedAndRoutedOnlyToTheSender) {
    start();
    auto versions = alice_->get("/_matrix/client/versions");
    EXPECT_EQ(versions.body["unstable_features"]["org.matrix.msc4089"], true) << versions.text;
    auto room = private_room({&*bob_, &*carol_});
    auto event = alice_->send_text(room, "delivered?");
    auto alice_since = next_batch(alice_->sync());
    auto carol_since = next_batch(carol_->sync());
    const auto path = "/_matrix/client/v3/rooms/" + escape(room) + "/receipt/" + kDelivery + "/" +
                      escape(event);
    ASSERT_EQ(bob_->post(path, json::object()).status, 200);
    ASSERT_EQ(bob_->post(path, json::object()).status, 200);  // duplicates are fine

    auto alice_view = sync_until(*alice_, alice_since, [&](const Answer& a) {
        for (const auto& r : ephemeral(a, room, "m.receipt"))
            if (!delivery_of(r, event).is_null()) return true;
        return false;
    });
    ASSERT_EQ(alice_view.status, 200) << "Alice never saw the delivery receipt";
    for (const auto& r : ephemeral(alice_view, room, "m.receipt")) {
        const json delivery = delivery_of(r, event);
        if (delivery.is_null()) continue;
        const json by_bob = delivery.value(bob_->user_id(), json::object());
        EXPECT_TRUE(by_bob["ts"].is_number()) << alice_view.text;
        EXPECT_FALSE(by_bob.contains("inferred"));
    }
    // Carol is in the room but did not send the event.
    auto carol_view = carol_->sync(carol_since);
    for (const auto& r : ephemeral(carol_view, room, "m.receipt"))
        EXPECT_TRUE(delivery_of(r, event).is_null()) << carol_view.text;
}

TEST_F(Ephemeral, DeliveryIsInferredWhenTheRecipientSyncsPastTheEvent) {
    start();
    auto room = private_room({&*bob_});
    auto bob_since = next_batch(bob_->sync());
    auto event = alice_->send_text(room, "did it arrive?");
    auto alice_since = next_batch(alice_->sync());
    // Bob's client receives the event, then syncs again from past it.
    auto bob_next = next_batch(bob_->sync(bob_since));
    ASSERT_EQ(bob_->sync(bob_next).status, 200);

    auto alice_view = sync_until(*alice_, alice_since, [&](const Answer& a) {
        for (const auto& r : ephemeral(a, room, "m.receipt"))
            if (!delivery_of(r, event).is_null()) return true;
        return false;
    });
    ASSERT_EQ(alice_view.status, 200) << "no inferred delivery reached Alice";
    for (const auto& r : ephemeral(alice_view, room, "m.receipt")) {
        const json delivery = delivery_of(r, event);
        if (delivery.is_null()) continue;
        const json by_bob = delivery.value(bob_->user_id(), json::object());
        EXPECT_EQ(by_bob["inferred"], true) << alice_view.text;
        EXPECT_EQ(by_bob["up_to"], event);
    }
}

TEST_F(Ephemeral, DeliveryReceiptsCanBeTurnedOff) {
    start("receipts:\n  delivery:\n    explicit: false\n    inferred: false\n");
    auto versions = alice_->get("/_matrix/client/versions");
    EXPECT_FALSE(versions.body["unstable_features"].contains("org.matrix.msc4089"));
    auto room = private_room({&*bob_});
    auto bob_since = next_batch(bob_->sync());
    auto event = alice_->send_text(room, "quiet");
    auto alice_since = next_batch(alice_->sync());
    ASSERT_EQ(bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/receipt/" + kDelivery +
                             "/" + escape(event),
                         json::object())
                  .status,
              200);
    ASSERT_EQ(bob_->sync(next_batch(bob_->sync(bob_since))).status, 200);
    auto alice_view = alice_->sync(alice_since);
    for (const auto& r : ephemeral(alice_view, room, "m.receipt"))
        EXPECT_TRUE(delivery_of(r, event).is_null()) << alice_view.text;
}

TEST_F(Ephemeral, TypingWakesOthersAndExpires) {
    start();
    auto room = private_room({&*bob_});
    auto since = next_batch(bob_->sync());
    auto poll = std::async(std::launch::async, [&] { return bob_->sync(since, 20000); });
    std::this_thread::sleep_for(200ms);
    const auto path = "/_matrix/client/v3/rooms/" + escape(room) + "/typing/" +
                      escape(alice_->user_id());
    auto typed = alice_->put(path, {{"typing", true}, {"timeout", 1000}});
    ASSERT_EQ(typed.status, 200) << typed.text;
    auto woke = poll.get();
    auto typing = ephemeral(woke, room, "m.typing");
    ASSERT_EQ(typing.size(), 1u) << woke.text;
    EXPECT_EQ(typing[0]["content"]["user_ids"], json::array({alice_->user_id()}));

    // The timeout passes: the list empties without Alice saying so.
    auto expired = sync_until(*bob_, woke.body["next_batch"], [&](const Answer& a) {
        auto t = ephemeral(a, room, "m.typing");
        return !t.empty() && t[0]["content"]["user_ids"].empty();
    });
    EXPECT_EQ(expired.status, 200) << "typing never expired";

    // Stopping explicitly also reaches Bob.
    ASSERT_EQ(alice_->put(path, {{"typing", true}, {"timeout", 30000}}).status, 200);
    auto started = sync_until(*bob_, expired.body["next_batch"], [&](const Answer& a) {
        auto t = ephemeral(a, room, "m.typing");
        return !t.empty() && t[0]["content"]["user_ids"].size() == 1;
    });
    ASSERT_EQ(started.status, 200);
    ASSERT_EQ(alice_->put(path, {{"typing", false}}).status, 200);
    auto stopped = sync_until(*bob_, started.body["next_batch"], [&](const Answer& a) {
        auto t = ephemeral(a, room, "m.typing");
        return !t.empty() && t[0]["content"]["user_ids"].empty();
    });
    EXPECT_EQ(stopped.status, 200);
}

TEST_F(Ephemeral, BadTypingRequestsGetMatrixErrors) {
    start();
    auto room = private_room({&*bob_});
    const auto base = "/_matrix/client/v3/rooms/" + escape(room) + "/typing/";
    auto other = alice_->put(base + escape(bob_->user_id()), {{"typing", true}});
    EXPECT_EQ(other.status, 403);
    auto stranger = carol_->put(base + escape(carol_->user_id()), {{"typing", true}});
    EXPECT_EQ(stranger.status, 403);
    auto missing = alice_->put(base + escape(alice_->user_id()), json::object());
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.errcode(), "M_MISSING_PARAM");
    auto wrong = alice_->put(base + escape(alice_->user_id()), {{"typing", "yes"}});
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(wrong.errcode(), "M_BAD_JSON");
}

TEST_F(Ephemeral, PresenceIsSharedWithRoomMatesOnly) {
    start();
    private_room({&*bob_});
    const auto path = "/_matrix/client/v3/presence/" + escape(alice_->user_id()) + "/status";
    auto bob_since = next_batch(bob_->sync());
    auto carol_since = next_batch(carol_->sync());
    auto set = alice_->put(path, {{"presence", "online"}, {"status_msg", "around"}});
    ASSERT_EQ(set.status, 200) << set.text;

    auto got = bob_->get(path);
    ASSERT_EQ(got.status, 200) << got.text;
    EXPECT_EQ(got.body["presence"], "online");
    EXPECT_EQ(got.body["status_msg"], "around");
    EXPECT_EQ(got.body["currently_active"], true);
    EXPECT_TRUE(got.body["last_active_ago"].is_number());
    EXPECT_EQ(carol_->get(path).status, 403);

    auto seen = sync_until(*bob_, bob_since, [&](const Answer& a) {
        for (const auto& e : a.body["presence"]["events"])
            if (e["sender"] == alice_->user_id() && e["content"]["status_msg"] == "around")
                return true;
        return false;
    });
    EXPECT_EQ(seen.status, 200) << "Bob never saw Alice's presence";
    auto carol_view = carol_->sync(carol_since);
    for (const auto& e : carol_view.body["presence"]["events"])
        EXPECT_NE(e["sender"], alice_->user_id()) << carol_view.text;

    auto bad = alice_->put(path, {{"presence", "busy"}});
    EXPECT_EQ(bad.status, 400);
    auto others = bob_->put(path, {{"presence", "offline"}});
    EXPECT_EQ(others.status, 403);
    auto bad_sync = alice_->sync(std::nullopt, 0, "&set_presence=asleep");
    EXPECT_EQ(bad_sync.status, 400);
}

TEST_F(Ephemeral, IdleUsersBecomeUnavailableThenOffline) {
    start("presence:\n  idle_after_seconds: 1\n  offline_after_seconds: 2\n");
    private_room({&*bob_});
    auto bob_since = next_batch(bob_->sync());
    ASSERT_EQ(alice_->sync(std::nullopt, 0, "&set_presence=online").status, 200);
    std::set<std::string> states;
    auto offline = sync_until(*bob_, bob_since, [&](const Answer& a) {
        for (const auto& e : a.body["presence"]["events"])
            if (e["sender"] == alice_->user_id()) states.insert(e["content"]["presence"]);
        return states.contains("offline");
    }, 20s);
    ASSERT_EQ(offline.status, 200) << "Alice never went offline";
    EXPECT_TRUE(states.contains("online") || states.contains("unavailable"));
}

TEST_F(Ephemeral, PresenceCanBeTurnedOff) {
    start("presence:\n  enabled: false\n");
    private_room({&*bob_});
    ASSERT_EQ(alice_->put("/_matrix/client/v3/presence/" + escape(alice_->user_id()) + "/status",
                          {{"presence", "online"}})
                  .status,
              200);
    auto view = bob_->sync();
    EXPECT_TRUE(view.body["presence"]["events"].empty()) << view.text;
}

TEST_F(Ephemeral, UnreadCountsComeFromPushRulesAndAReadReceiptResetsThem) {
    start();
    auto room = private_room({&*bob_});  // two members: the one-to-one rule notifies
    alice_->send_text(room, "hello");
    auto sent = alice_->put("/_matrix/client/v3/rooms/" + escape(room) + "/send/m.room.message/m2",
                            {{"msgtype", "m.text"},
                             {"body", "hey bob"},
                             {"m.mentions", {{"user_ids", json::array({bob_->user_id()})}}}});
    ASSERT_EQ(sent.status, 200) << sent.text;
    const std::string last = sent.body["event_id"];

    auto view = bob_->sync();
    const auto& counts = view.body["rooms"]["join"][room]["unread_notifications"];
    // Bob's invite (.m.rule.invite_for_me notifies the invitee) and both messages.
    EXPECT_EQ(counts["notification_count"], 3) << view.text;
    EXPECT_EQ(counts["highlight_count"], 1) << view.text;
    // Alice sent them: nothing unread for her.
    auto alice_view = alice_->sync();
    EXPECT_EQ(alice_view.body["rooms"]["join"][room]["unread_notifications"]["notification_count"], 0);

    auto since = next_batch(view);
    ASSERT_EQ(bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/receipt/m.read/" +
                             escape(last),
                         json::object())
                  .status,
              200);
    auto after = bob_->sync(since);
    const auto& reset = after.body["rooms"]["join"][room]["unread_notifications"];
    EXPECT_EQ(reset["notification_count"], 0) << after.text;
    EXPECT_EQ(reset["highlight_count"], 0) << after.text;
}

TEST_F(Ephemeral, DevicesShowWhenAndWhereTheyWereLastSeen) {
    start();
    auto devices = alice_->get("/_matrix/client/v3/devices");
    ASSERT_EQ(devices.status, 200) << devices.text;
    ASSERT_EQ(devices.body["devices"].size(), 1u);
    const auto& device = devices.body["devices"][0];
    EXPECT_TRUE(device["last_seen_ts"].is_number()) << devices.text;
    EXPECT_EQ(device["last_seen_ip"], "127.0.0.1") << devices.text;
}

}  // namespace
}  // namespace chat::test
