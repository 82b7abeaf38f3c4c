#include <chat/federation/runtime/blocking_pool.hpp>

#include <functional>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

namespace chat::federation {
namespace {

TEST(BlockingPool, RunsOnAPoolThreadAndResumesOnTheCaller) {
    BlockingPool pool(2);
    boost::asio::io_context io;
    std::thread::id io_thread, pool_thread, resumed_thread;
    auto task = [&]() -> Task<int> {
        io_thread = std::this_thread::get_id();
        int value = co_await pool.run([&] {
            pool_thread = std::this_thread::get_id();
            return 41;
        });
        resumed_thread = std::this_thread::get_id();
        co_return value + 1;
    };
    auto result = boost::asio::co_spawn(io, task(), boost::asio::use_future);
    io.run();
    EXPECT_EQ(result.get(), 42);
    EXPECT_NE(pool_thread, io_thread);
    EXPECT_EQ(resumed_thread, io_thread);
}

TEST(BlockingPool, RethrowsInTheCoroutine) {
    BlockingPool pool(1);
    boost::asio::io_context io;
    auto task = [&]() -> Task<int> {
        co_return co_await pool.run([]() -> int { throw std::runtime_error("boom"); });
    };
    auto result = boost::asio::co_spawn(io, task(), boost::asio::use_future);
    io.run();
    EXPECT_THROW(result.get(), std::runtime_error);
}

// start(): the pool thread is free as soon as `start` returns. With one pool
// thread, the first call's result only comes from the second call's `start`,
// which could never run if the first held the thread until its result.
TEST(BlockingPool, StartFreesThePoolThreadBeforeTheResult) {
    BlockingPool pool(1);
    boost::asio::io_context io;
    std::function<void(int)> first_done;
    std::thread::id io_thread, resumed_thread;
    auto first = [&]() -> Task<int> {
        io_thread = std::this_thread::get_id();
        int value = co_await pool.start<int>([&](std::function<void(int)> done) {
            first_done = std::move(done);
        });
        resumed_thread = std::this_thread::get_id();
        co_return value;
    };
    auto second = [&]() -> Task<int> {
        co_return co_await pool.start<int>([&](std::function<void(int)> done) {
            // From another thread, later: as the store's batch leader would.
            std::thread([&first_done] { first_done(7); }).join();
            done(8);
        });
    };
    auto a = boost::asio::co_spawn(io, first(), boost::asio::use_future);
    auto b = boost::asio::co_spawn(io, second(), boost::asio::use_future);
    io.run();
    EXPECT_EQ(a.get(), 7);
    EXPECT_EQ(b.get(), 8);
    EXPECT_EQ(resumed_thread, io_thread);
}

TEST(BlockingPool, StartRethrowsWhatStartThrewBeforeItsResult) {
    BlockingPool pool(1);
    boost::asio::io_context io;
    auto task = [&]() -> Task<int> {
        co_return co_await pool.start<int>(
            [](std::function<void(int)>) { throw std::runtime_error("no start"); });
    };
    auto result = boost::asio::co_spawn(io, task(), boost::asio::use_future);
    io.run();
    EXPECT_THROW(result.get(), std::runtime_error);
}

}  // namespace
}  // namespace chat::federation
