#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <exception>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chat/federation/runtime/task.hpp>
#include <chat/store/store.hpp>

namespace chat::federation {

// Threads for work that blocks (SQLite, argon2id, large state resolutions),
// so that network threads never do (STYLE 3.2). A coroutine awaits run(fn):
// `fn` runs on a pool thread and the coroutine resumes on its own executor
// (its strand), never on the pool.
//
// Thread-safe. The destructor waits for the functions already started.
class BlockingPool {
public:
    explicit BlockingPool(std::size_t threads) : pool_(threads) {}
    // Owns threads.
    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;
    ~BlockingPool() { join(); }

    // Runs `fn()` on a pool thread and returns its result. `fn` may reference
    // the awaiting frame: that frame stays suspended until `fn` has returned.
    // An exception from `fn` is rethrown in the coroutine.
    template <typename F>
    auto run(F fn) -> Task<std::invoke_result_t<F&>> {
        using R = std::invoke_result_t<F&>;
        std::optional<R> out;
        std::exception_ptr failure;
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
            [this, &fn, &out, &failure](auto handler) {
                boost::asio::post(pool_, [&fn, &out, &failure,
                                          handler = std::move(handler)]() mutable {
                    try {
                        out.emplace(fn());
                    } catch (...) {
                        failure = std::current_exception();
                    }
                    // Resume on the coroutine's own executor, not on this thread.
                    auto executor = boost::asio::get_associated_executor(handler);
                    boost::asio::post(executor, std::move(handler));
                });
            },
            boost::asio::use_awaitable);
        if (failure) std::rethrow_exception(failure);
        co_return std::move(*out);
    }

    // For a call that does not block until its result but hands it to a
    // callback later (RoomService::send_message_async): `start(done)` runs on
    // a pool thread, `done` (a copyable `void(R)`) may be called then or
    // later from any thread, and the coroutine resumes on its own executor
    // with what `done` was given. The pool thread is free once `start`
    // returns, not once the result is there. An exception from `start` before
    // it called `done` is rethrown in the coroutine.
    template <typename R, typename Start>
    Task<R> start(Start start) {
        std::optional<R> out;
        std::exception_ptr failure;
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
            [this, &start, &out, &failure](auto handler) {
                using Handler = decltype(handler);
                // `done` must be copyable, the handler is not; whichever of
                // `done` and a throwing `start` comes first resumes.
                struct Resume {
                    explicit Resume(Handler h) : handler(std::move(h)) {}
                    Handler handler;
                    std::atomic<bool> taken{false};
                    void operator()() {
                        if (taken.exchange(true)) return;
                        auto executor = boost::asio::get_associated_executor(handler);
                        boost::asio::post(executor, std::move(handler));
                    }
                };
                auto resume = std::make_shared<Resume>(std::move(handler));
                boost::asio::post(pool_, [&start, &out, &failure, resume] {
                    try {
                        start([&out, resume](R result) {
                            out.emplace(std::move(result));
                            (*resume)();
                        });
                    } catch (...) {
                        if (!resume->taken.load()) {
                            failure = std::current_exception();
                            (*resume)();
                        }
                    }
                });
            },
            boost::asio::use_awaitable);
        if (failure) std::rethrow_exception(failure);
        co_return std::move(*out);
    }

    // Waits for queued work to finish; run() must not be called afterwards.
    void join() { pool_.join(); }

private:
    boost::asio::thread_pool pool_;
};

// The only way coroutines reach the Store (STYLE 3.3): read() and write() run
// the function on a pool thread inside Store::read/write. Concurrent writes
// from many coroutines are group-committed by the Store, which is why the pool
// has more threads than cores: each blocked writer is one more function in
// the next batch.
class DbExecutor {
public:
    DbExecutor(store::Store& store, BlockingPool& pool) : store_(store), pool_(pool) {}

    // `fn` is `Result<T>(store::ReadTxn&)`; `name` must outlive the call (a literal).
    template <typename F>
    auto read(std::string_view name, F fn) -> Task<std::invoke_result_t<F&, store::ReadTxn&>> {
        return pool_.run([this, name, fn = std::move(fn)]() mutable {
            return store_.read(name, fn);
        });
    }

    // `fn` is `Result<T>(store::WriteTxn&)`; resumes once its transaction is durable.
    template <typename F>
    auto write(std::string_view name, F fn) -> Task<std::invoke_result_t<F&, store::WriteTxn&>> {
        return pool_.run([this, name, fn = std::move(fn)]() mutable {
            return store_.write(name, fn);
        });
    }

    // A call that hands its result to a callback (BlockingPool::start): a
    // RoomService *_async method, which queues its write and returns.
    template <typename R, typename Start>
    Task<R> start(Start start) {
        return pool_.template start<R>(std::move(start));
    }

    // Any other blocking call (a RoomService method, which writes through the
    // Store itself).
    template <typename F>
    auto run(F fn) -> Task<std::invoke_result_t<F&>> {
        return pool_.run(std::move(fn));
    }

    store::Store& store() noexcept { return store_; }

private:
    store::Store& store_;
    BlockingPool& pool_;
};

}  // namespace chat::federation
