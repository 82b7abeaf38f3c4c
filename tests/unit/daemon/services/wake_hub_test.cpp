#include "services/wake_hub.hpp"

#include <chrono>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

using namespace std::chrono_literals;

TEST(WakeHub, TimesOutWithoutAChange) {
    WakeHub hub;
    boost::asio::io_context io;
    auto start = std::chrono::steady_clock::now();
    auto woke = boost::asio::co_spawn(boost::asio::make_strand(io),
                                      hub.wait_past(hub.generation(), 50ms),
                                      boost::asio::use_future);
    io.run();
    EXPECT_FALSE(woke.get());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
    EXPECT_EQ(hub.waiting(), 0u);
}

TEST(WakeHub, AChangeFromAnotherThreadWakesTheWaiter) {
    WakeHub hub;
    boost::asio::io_context io;
    auto woke = boost::asio::co_spawn(boost::asio::make_strand(io),
                                      hub.wait_past(hub.generation(), 60s),
                                      boost::asio::use_future);
    std::thread io_thread([&] { io.run(); });
    // Advance only once the waiter is registered, polling with a deadline.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (hub.waiting() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    ASSERT_EQ(hub.waiting(), 1u);
    hub.advanced(store::Stream::events, 7);
    io_thread.join();  // io.run() returns only once the waiter finished
    EXPECT_TRUE(woke.get());
}

TEST(WakeHub, AChangeBeforeTheWaitIsNotMissed) {
    WakeHub hub;
    auto seen = hub.generation();
    hub.poke();  // e.g. committed between the sync's read and its wait
    boost::asio::io_context io;
    auto woke = boost::asio::co_spawn(boost::asio::make_strand(io), hub.wait_past(seen, 60s),
                                      boost::asio::use_future);
    io.run();
    EXPECT_TRUE(woke.get());
}

}  // namespace
}  // namespace chat::daemon
