// RedisBus against a real redis-server on a loopback port (issue 10): two
// buses stand for two workers sharing one store.
#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <chat/store/sqlite.hpp>

#include "bus/redis_bus.hpp"
#include "services/presence_tracker.hpp"
#include "services/typing_tracker.hpp"
#include "support/redis_server.hpp"

namespace chat::daemon {
namespace {

using namespace std::chrono_literals;

const RoomId kRoom = RoomId::parse("!r:a.test").value();
const UserId kAlice = UserId::parse("@alice:a.test").value();

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within) {
    auto end = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < end) {
        if (condition()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return condition();
}

// One worker's share of the state the bus touches.
struct Worker {
    Worker(std::string name, std::uint16_t port, store::Store& store, spdlog::logger& log)
        : typing(clock.now_ms()), presence(presence::Timeouts{}),
          bus(WorkersConfig{.enabled = true,
                            .name = std::move(name),
                            .redis_port = port,
                            .channel_prefix = "unit"},
              store, wake, typing, presence, clock, log) {
        wake.set_listener(&bus);
        typing.observe_local([this](const RoomId& room, const UserId& user, bool on,
                                    std::int64_t expires, std::int64_t stamp) {
            bus.publish(bus::TypingChanged{.room_id = room, .user_id = user, .typing = on,
                                           .expires_ms = expires, .stamp = stamp});
        });
        bus.start();
    }
    SystemClock clock;
    WakeHub wake;
    TypingTracker typing;
    PresenceTracker presence;
    RedisBus bus;
};

class RedisBusTest : public testing::Test {
protected:
    void SetUp() override {
        if (!test::RedisServer::available()) GTEST_SKIP() << "redis-server is not installed";
        std::random_device random;
        dir_ = std::filesystem::path(testing::TempDir()) /
               ("redis-bus-" + std::to_string(random()));
        std::filesystem::create_directories(dir_);
        redis_.emplace(dir_);
        redis_->start();
        auto opened = store::open_sqlite((dir_ / "chat.db").string(),
                                         {.synchronous = store::Synchronous::off});
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        a_ = std::make_unique<Worker>("a", redis_->port(), *store_, log_);
        b_ = std::make_unique<Worker>("b", redis_->port(), *store_, log_);
        ASSERT_TRUE(eventually([&] { return a_->bus.connected() && b_->bus.connected(); }, 5s));
    }
    void TearDown() override {
        a_.reset();
        b_.reset();
        store_.reset();
        redis_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    // A committed change nobody published (another process wrote it).
    void commit_silently() {
        auto moved = store_->write("test", [](store::WriteTxn& txn) {
            return txn.streams().next(store::Stream::account_data);
        });
        ASSERT_TRUE(moved);
    }

    std::filesystem::path dir_;
    std::optional<test::RedisServer> redis_;
    std::unique_ptr<store::Store> store_;
    spdlog::logger log_{"test", std::make_shared<spdlog::sinks::null_sink_mt>()};
    std::unique_ptr<Worker> a_, b_;
};

TEST_F(RedisBusTest, AStreamAdvanceOnOneWorkerWakesTheOther) {
    const auto before = b_->wake.generation();
    a_->wake.advanced(store::Stream::events, 1);  // what RoomService does after a commit
    EXPECT_TRUE(eventually([&] { return b_->wake.generation() > before; }, 2s));
}

TEST_F(RedisBusTest, TypingReachesTheOtherWorkersView) {
    const auto now = a_->clock.now_ms();
    ASSERT_TRUE(a_->typing.set(kRoom, kAlice, true, now + 30'000, now));
    EXPECT_TRUE(eventually([&] { return b_->typing.typing_in(kRoom, std::nullopt).has_value(); },
                           2s));
    const auto token = b_->typing.position();
    ASSERT_TRUE(a_->typing.set(kRoom, kAlice, false, 0, a_->clock.now_ms()));
    EXPECT_TRUE(eventually([&] { return b_->typing.typing_in(kRoom, token).has_value(); }, 2s));
    auto stopped = b_->typing.typing_in(kRoom, token);
    ASSERT_TRUE(stopped);
    EXPECT_TRUE(stopped->empty());
}

TEST_F(RedisBusTest, WithoutRedisTheStoreIsPolledAndPubSubReturnsAfterARestart) {
    redis_->kill();
    ASSERT_TRUE(eventually([&] { return !b_->bus.connected(); }, 3s));
    std::this_thread::sleep_for(2 * RedisBus::kStorePoll);  // the poll has its baseline
    auto before = b_->wake.generation();
    commit_silently();
    EXPECT_TRUE(eventually([&] { return b_->wake.generation() > before; },
                           4 * RedisBus::kStorePoll));

    redis_->start();
    ASSERT_TRUE(eventually([&] { return a_->bus.connected() && b_->bus.connected(); },
                           2 * RedisBus::kMaxBackoff));
    // Typing exists only on the bus: it crosses again.
    const auto now = a_->clock.now_ms();
    ASSERT_TRUE(a_->typing.set(kRoom, kAlice, true, now + 30'000, now));
    EXPECT_TRUE(eventually([&] { return b_->typing.typing_in(kRoom, std::nullopt).has_value(); },
                           2s));
}

TEST_F(RedisBusTest, AWorkerIgnoresItsOwnMessages) {
    // Our own typing change comes back from Redis: applying it again would
    // move our position for nothing.
    // (Applied, the echo of "typing" would make Alice type again for a moment.)
    // B's position before A publishes: read after, it may already count the
    // first of the two changes, and the second alone never passes token + 1.
    const auto token = b_->typing.position();
    const auto now = a_->clock.now_ms();
    ASSERT_TRUE(a_->typing.set(kRoom, kAlice, true, now + 30'000, now));
    ASSERT_TRUE(a_->typing.set(kRoom, kAlice, false, 0, now));
    const auto position = a_->typing.position();
    ASSERT_TRUE(eventually(
        [&] {
            auto list = b_->typing.typing_in(kRoom, token);
            return list && list->empty() && b_->typing.position() > token + 1;
        },
        2s));
    std::this_thread::sleep_for(100ms);  // our echoes arrived by now as well
    EXPECT_EQ(a_->typing.position(), position);
    EXPECT_FALSE(a_->typing.typing_in(kRoom, std::nullopt));
}

}  // namespace
}  // namespace chat::daemon
