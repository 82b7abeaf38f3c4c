// Issue 10 against real processes: two or three chatd workers sharing one
// SQLite database and a real redis-server on a loopback port.
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/redis_server.hpp"

namespace chat::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A long-poll that nothing wakes runs this long; a wake-up must come far sooner.
constexpr int kLongPollMs = 20'000;
constexpr auto kPrompt = 3s;

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::size_t count_of(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The room's timeline event ids in a sync answer, in order.
std::vector<std::string> timeline_ids(const Answer& sync, const std::string& room) {
    std::vector<std::string> out;
    const auto& rooms = sync.body["rooms"]["join"];
    if (!rooms.contains(room)) return out;
    for (const auto& e : rooms[room]["timeline"]["events"])
        if (e.value("type", "") == "m.room.message") out.push_back(e.value("event_id", ""));
    return out;
}

std::vector<json> ephemeral(const Answer& sync, const std::string& room, std::string_view type) {
    std::vector<json> out;
    const auto& rooms = sync.body["rooms"]["join"];
    if (!rooms.contains(room)) return out;
    for (const auto& e : rooms[room]["ephemeral"]["events"])
        if (e["type"] == type) out.push_back(e);
    return out;
}

class Workers : public testing::Test {
protected:
    void SetUp() override {
        if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not installed";
        redis_.emplace(dir_.path());
        redis_->start();
        std::filesystem::create_directories(shared_);
    }
    void TearDown() override {
        for (auto& worker : workers_) {
            if (worker) {
                EXPECT_EQ(worker->stop(), 0) << worker->log_tail();
            }
        }
    }

    std::string yaml(int index) const {
        return "workers:\n  enabled: true\n  name: w" + std::to_string(index) +
               "\nredis:\n  host: 127.0.0.1\n  port: " + std::to_string(redis_->port()) +
               "\n  channel_prefix: it" +
               "\nrate_limits:\n  register:\n    per_second: 1000\n    burst: 1000\n"
               "  message:\n    per_second: 0\n";
    }

    // Starts `count` workers one after the other (the first creates the
    // database and the signing key) and waits until each is subscribed.
    void start(int count) {
        for (int i = 0; i < count; ++i) {
            auto dir = dir_.path() / ("w" + std::to_string(i));
            std::filesystem::create_directories(dir);
            workers_.push_back(Daemon::start(dir, yaml(i), shared_));
            wait_subscribed(i, 1);
        }
    }

    // Waits until worker `i` logged its `times`-th subscription to Redis.
    void wait_subscribed(int i, std::size_t times) {
        auto deadline = Clock::now() + 15s;
        while (count_of(read_text(workers_[i]->dir() / "chatd.log"), "workers: subscribed") <
               times) {
            ASSERT_LT(Clock::now(), deadline) << "worker " << i << " never subscribed:\n"
                                              << workers_[i]->log_tail();
            std::this_thread::sleep_for(20ms);
        }
    }

    MatrixClient on(int worker, const MatrixClient& client) const {
        MatrixClient moved(workers_[worker]->port(), client.token());
        return moved;
    }

    // Alice (registered on worker 0) and Bob (on worker 1) share a room.
    std::string shared_room() {
        alice_.emplace(MatrixClient::registered(workers_[0]->port(), "alice"));
        bob_.emplace(MatrixClient::registered(workers_[1]->port(), "bob"));
        auto room = alice_->create_room({{"preset", "private_chat"}});
        alice_->invite(room, bob_->user_id());
        bob_->join(room);
        return room;
    }

    static std::string next_batch(const Answer& a) {
        EXPECT_EQ(a.status, 200) << a.text;
        return a.body.value("next_batch", "");
    }

    // Long-polls `client` from `since` until `found` holds for an answer
    // (following next_batch), or until `deadline`; the answer that matched.
    static std::optional<Answer> poll_until(const MatrixClient& client, std::string since,
                                            const std::function<bool(const Answer&)>& found,
                                            std::chrono::seconds deadline = 10s) {
        auto end = Clock::now() + deadline;
        while (Clock::now() < end) {
            auto a = client.sync(since, 2'000);
            if (a.status != 200) return std::nullopt;
            if (found(a)) return a;
            since = a.body.value("next_batch", since);
        }
        return std::nullopt;
    }

    TempDir dir_;
    std::filesystem::path shared_ = dir_.path() / "shared";
    std::optional<RedisServer> redis_;
    std::vector<std::unique_ptr<Daemon>> workers_;
    std::optional<MatrixClient> alice_, bob_;
};

// The message sent through A wakes the long-poll waiting on B: Redis told B.
void expect_prompt_delivery(const MatrixClient& sender, const MatrixClient& receiver,
                            const std::string& room, const std::string& text) {
    auto since = receiver.sync().body.value("next_batch", "");
    auto poll = std::async(std::launch::async,
                           [&receiver, since] { return receiver.sync(since, kLongPollMs); });
    std::this_thread::sleep_for(300ms);  // the long-poll is waiting now
    const auto sent_at = Clock::now();
    auto event_id = sender.send_text(room, text);
    ASSERT_EQ(poll.wait_for(kPrompt + 2s), std::future_status::ready) << "the long-poll slept on";
    auto woke = poll.get();
    const auto latency = Clock::now() - sent_at;
    ASSERT_EQ(woke.status, 200) << woke.text;
    EXPECT_EQ(timeline_ids(woke, room), std::vector<std::string>{event_id}) << woke.text;
    EXPECT_LT(latency, kPrompt);
}

TEST_F(Workers, AMessageSentOnOneWorkerWakesALongPollOnAnother) {
    start(2);
    auto room = shared_room();
    expect_prompt_delivery(*alice_, *bob_, room, "from A to B");
    expect_prompt_delivery(*bob_, *alice_, room, "from B to A");
}

TEST_F(Workers, TypingReceiptsAndPresenceCrossWorkers) {
    start(2);
    auto room = shared_room();
    auto event = alice_->send_text(room, "read me");

    // Bob types through B; Alice's long-poll on A sees it.
    auto alice_since = next_batch(alice_->sync());
    auto typed = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(300ms);
        return bob_->put("/_matrix/client/v3/rooms/" + escape(room) + "/typing/" +
                             escape(bob_->user_id()),
                         {{"typing", true}, {"timeout", 30000}});
    });
    auto typing = poll_until(*alice_, alice_since, [&](const Answer& a) {
        auto t = ephemeral(a, room, "m.typing");
        return !t.empty() && t[0]["content"]["user_ids"] == json::array({bob_->user_id()});
    });
    EXPECT_EQ(typed.get().status, 200);
    ASSERT_TRUE(typing) << "Alice on A never saw Bob typing on B";
    // Bob stops typing: the empty list reaches A too.
    alice_since = next_batch(*typing);
    ASSERT_EQ(bob_->put("/_matrix/client/v3/rooms/" + escape(room) + "/typing/" +
                            escape(bob_->user_id()),
                        {{"typing", false}})
                  .status,
              200);
    EXPECT_TRUE(poll_until(*alice_, alice_since, [&](const Answer& a) {
        auto t = ephemeral(a, room, "m.typing");
        return !t.empty() && t[0]["content"]["user_ids"].empty();
    })) << "Bob's typing never stopped on A";

    // Bob's read receipt, posted on B, reaches Alice on A.
    alice_since = next_batch(alice_->sync());
    ASSERT_EQ(bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/receipt/m.read/" +
                             escape(event),
                         json::object())
                  .status,
              200);
    EXPECT_TRUE(poll_until(*alice_, alice_since, [&](const Answer& a) {
        for (const auto& r : ephemeral(a, room, "m.receipt"))
            if (r["content"][event]["m.read"].contains(bob_->user_id())) return true;
        return false;
    })) << "Alice on A never saw Bob's receipt from B";

    // Alice's presence, set on A, reaches Bob on B.
    auto bob_since = next_batch(bob_->sync());
    ASSERT_EQ(alice_->put("/_matrix/client/v3/presence/" + escape(alice_->user_id()) + "/status",
                          {{"presence", "online"}, {"status_msg", "on worker A"}})
                  .status,
              200);
    EXPECT_TRUE(poll_until(*bob_, bob_since, [&](const Answer& a) {
        for (const auto& e : a.body["presence"]["events"])
            if (e["sender"] == alice_->user_id() && e["content"].value("status_msg", "") ==
                                                        "on worker A")
                return true;
        return false;
    })) << "Bob on B never saw Alice's presence from A";
}

TEST_F(Workers, SyncTokensMoveBetweenWorkersWithoutMissOrRepeat) {
    start(3);
    auto room = shared_room();
    const auto filter = "&filter=" + escape(R"({"room":{"timeline":{"limit":500}}})");
    std::vector<MatrixClient> alices = {on(0, *alice_), on(1, *alice_), on(2, *alice_)};
    std::vector<MatrixClient> bobs = {on(0, *bob_), on(1, *bob_), on(2, *bob_)};

    constexpr int kMessages = 45;
    std::vector<std::string> sent;
    std::mutex sent_mutex;
    auto since = next_batch(bobs[0].sync(std::nullopt, 0, filter));
    auto sender = std::async(std::launch::async, [&] {
        for (int i = 0; i < kMessages; ++i) {  // round robin over the workers
            auto id = alices[i % 3].send_text(room, "m" + std::to_string(i));
            std::lock_guard lock(sent_mutex);
            sent.push_back(id);
        }
    });
    // Bob's client is behind a load balancer: every sync goes to the next worker.
    std::vector<std::string> seen;
    auto deadline = Clock::now() + 60s;
    for (int call = 0; Clock::now() < deadline; ++call) {
        auto a = bobs[call % 3].sync(since, 1'000, filter);
        ASSERT_EQ(a.status, 200) << a.text;
        for (auto& id : timeline_ids(a, room)) seen.push_back(id);
        since = a.body.value("next_batch", since);
        if (seen.size() >= kMessages) break;
    }
    sender.get();
    // One more round on every worker: nothing is repeated later.
    for (int i = 0; i < 3; ++i) {
        auto a = bobs[i].sync(since, 0, filter);
        for (auto& id : timeline_ids(a, room)) seen.push_back(id);
        since = a.body.value("next_batch", since);
    }
    EXPECT_EQ(seen, sent);  // each once, in the order they were acknowledged
}

TEST_F(Workers, RedisKilledAndRestarted) {
    start(2);
    auto room = shared_room();
    expect_prompt_delivery(*alice_, *bob_, room, "before");

    redis_->kill();
    // Still served: the waiting long-poll on B is woken by the store poll.
    expect_prompt_delivery(*alice_, *bob_, room, "while Redis is down");

    redis_->start();
    wait_subscribed(0, 2);
    wait_subscribed(1, 2);
    expect_prompt_delivery(*alice_, *bob_, room, "after the restart");
    // Typing travels only over Pub/Sub (it is in no store): it works again.
    auto alice_since = next_batch(alice_->sync());
    ASSERT_EQ(bob_->put("/_matrix/client/v3/rooms/" + escape(room) + "/typing/" +
                            escape(bob_->user_id()),
                        {{"typing", true}, {"timeout", 30000}})
                  .status,
              200);
    EXPECT_TRUE(poll_until(*alice_, alice_since, [&](const Answer& a) {
        auto t = ephemeral(a, room, "m.typing");
        return !t.empty() && t[0]["content"]["user_ids"] == json::array({bob_->user_id()});
    })) << "typing did not cross workers after Redis came back";
}

TEST_F(Workers, AKilledWorkerLosesNoAcknowledgedEvent) {
    start(3);
    auto room = shared_room();
    std::vector<MatrixClient> alices = {on(0, *alice_), on(1, *alice_), on(2, *alice_)};
    // Every worker writes to the same room at once; worker 2 dies mid-way.
    std::vector<std::vector<std::string>> acked(3);
    std::atomic<bool> stop = false;
    std::vector<std::future<void>> senders;
    for (int w = 0; w < 3; ++w) {
        senders.push_back(std::async(std::launch::async, [&, w] {
            for (int i = 0; !stop && i < 200; ++i) {
                auto a = alices[w].put("/_matrix/client/v3/rooms/" + escape(room) +
                                           "/send/m.room.message/k" + std::to_string(i),
                                       {{"msgtype", "m.text"}, {"body", std::to_string(i)}});
                if (a.status != 200) {
                    if (w == 2) return;  // the killed worker stops answering
                    ADD_FAILURE() << "worker " << w << ": " << a.text;
                    return;
                }
                acked[w].push_back(a.body.value("event_id", ""));
                if (w != 2 && acked[w].size() >= 30) return;
            }
        }));
    }
    std::this_thread::sleep_for(1500ms);
    workers_[2]->kill_now();
    workers_[2].reset();
    for (auto& s : senders) s.get();
    stop = true;
    EXPECT_GT(acked[2].size(), 0u) << "worker 2 acknowledged nothing before it died";
    EXPECT_EQ(acked[0].size(), 30u);
    EXPECT_EQ(acked[1].size(), 30u);

    // The survivors still talk to each other...
    expect_prompt_delivery(*alice_, *bob_, room, "after the crash");
    // ...and every acknowledged event is there, each sender's in its order.
    auto page = alice_->get("/_matrix/client/v3/rooms/" + escape(room) +
                            "/messages?dir=f&limit=1000");
    ASSERT_EQ(page.status, 200) << page.text;
    std::map<std::string, std::size_t> order;
    for (const auto& e : page.body["chunk"]) {
        auto id = e.value("event_id", "");
        EXPECT_TRUE(order.emplace(id, order.size()).second) << "repeated " << id;
    }
    for (int w = 0; w < 3; ++w) {
        std::size_t last = 0;
        for (const auto& id : acked[w]) {
            auto it = order.find(id);
            ASSERT_NE(it, order.end()) << "acknowledged by worker " << w << " but lost: " << id;
            EXPECT_GE(it->second, last) << "out of order";
            last = it->second;
        }
    }
}

}  // namespace
}  // namespace chat::test
