#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/store/txn.hpp>

namespace chat::store {

namespace detail {

template <typename R>
struct IsResult : std::false_type {};
template <typename T>
struct IsResult<Result<T>> : std::true_type {};

// A non-owning reference to a callable `Result<void>(Txn&)`: the type-erased
// form of write()/read() functions, valid while the referenced callable is.
template <typename Txn>
class TxnFn {
public:
    template <typename F>
    explicit TxnFn(F& fn) noexcept
        : object_(static_cast<void*>(std::addressof(fn))),
          call_([](void* object, Txn& txn) -> Result<void> {
              return (*static_cast<F*>(object))(txn);
          }) {}

    Result<void> operator()(Txn& txn) const { return call_(object_, txn); }

private:
    void* object_;
    Result<void> (*call_)(void*, Txn&);
};

}  // namespace detail

// Whether Store::write_async() may run the group commit on the calling thread.
enum class AsyncLead {
    now,    // when no batch is running, this thread runs batches before returning
    later,  // only queue: a later write(), or write_async() with `now`, runs it
};

// One function of an explicit batch (Store::write_batch).
struct WriteJob {
    std::string name;  // for logs and metrics
    std::function<Result<void>(WriteTxn&)> fn;
};

// Counters since the store was opened, for tests, benchmarks and metrics.
struct StoreStats {
    std::uint64_t writes = 0;              // write functions run
    std::uint64_t commits = 0;             // COMMITs: one fsync each with synchronous=FULL
    std::uint64_t rolled_back_writes = 0;  // functions that failed; only their changes undone
    std::uint64_t failed_commits = 0;      // batches that could not begin or commit
    std::uint64_t largest_batch = 0;       // most functions in one transaction
    std::uint64_t reads = 0;               // read transactions
    std::uint64_t queued_writes = 0;       // now: write() calls waiting for the next batch
    // Write-ahead log checkpoints: on the store's own thread, and those the
    // writer had to run itself because the log grew too long meanwhile.
    std::uint64_t background_checkpoints = 0;
    std::uint64_t inline_checkpoints = 0;
};

// The persistent store: rooms, events, state, streams and accounts behind
// one interface that names no database (SQLite today: open_sqlite() in
// <chat/store/sqlite.hpp>; PostgreSQL must fit behind it later).
//
// Thread-safe: any number of threads may call read() and write() at once.
// Every call blocks (disk I/O): coroutines reach it through a DB executor,
// never from a network thread (write_async() may run batches too). There is one writer: concurrent write()
// calls are group-committed, each function in its own savepoint of one
// transaction, so one fsync covers many writes. Readers run on pooled
// connections in snapshot transactions and never block the writer.
//
// Functions given to read()/write() must not call back into the Store (that
// can deadlock) and must not do network I/O. A write function may run on
// another caller's thread (the group's leader) while its own caller waits,
// so it must not rely on thread-local state.
class Store {
public:
    Store() = default;
    // Owns connections and a writer queue.
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    virtual ~Store() = default;

    // Runs `fn` (`Result<T>(WriteTxn&)`) in a write transaction and returns
    // its result once that transaction is durable. If `fn` fails, its own
    // changes are rolled back (and only those) and its error is returned. If
    // the transaction cannot commit, the error is Errc::storage and nothing
    // of it was written. `name` labels the function in logs and errors.
    template <typename F>
    auto write(std::string_view name, F&& fn) -> std::invoke_result_t<F&, WriteTxn&> {
        return run<WriteTxn>(name, fn, [this](std::string_view n, detail::TxnFn<WriteTxn> f) {
            return write_erased(n, f);
        });
    }

    // Like write(), without waiting: queues `fn` for the next group commit
    // and returns. `done` (`void(Result<T>)`) is called with what write()
    // would have returned, once the transaction is durable (or has failed),
    // on the thread that ran the batch.
    //
    // No thread of the store's own runs batches. With AsyncLead::now and no
    // batch running, this thread runs them before returning, until no
    // asynchronous write is left queued first, including those that `done`
    // calls queue meanwhile; so the first of a burst of calls may return only
    // after many batches. With AsyncLead::later the write only waits in the
    // queue: queue a burst with `later` and its last one with `now`, so that
    // the burst shares commits. `fn` and `done` must be copyable; `done` must
    // not throw and must not call write() (which then fails: the thread is
    // busy leading), but may call write_async().
    template <typename F, typename Done>
    void write_async(std::string_view name, F fn, Done done, AsyncLead lead = AsyncLead::now) {
        using R = std::invoke_result_t<F&, WriteTxn&>;
        static_assert(detail::IsResult<R>::value, "a store function returns chat::Result<T>");
        auto out = std::make_shared<std::optional<R>>();
        write_async_erased(
            name,
            [fn = std::move(fn), out](WriteTxn& txn) mutable -> Result<void> {
                out->emplace(fn(txn));
                if (!**out) return (*out)->error();
                return ok();
            },
            [out, done = std::move(done)](Result<void> status) mutable {
                if (!status)
                    done(R(std::move(status).error()));
                else
                    done(std::move(**out));
            },
            lead);
    }

    // Runs `fn` (`Result<T>(ReadTxn&)`) on a consistent snapshot and returns
    // its result. Waits only for a free reader connection.
    template <typename F>
    auto read(std::string_view name, F&& fn) -> std::invoke_result_t<F&, ReadTxn&> {
        return run<ReadTxn>(name, fn, [this](std::string_view n, detail::TxnFn<ReadTxn> f) {
            return read_erased(n, f);
        });
    }

    // For a caller that batches itself (a daemon's DB thread draining its
    // queue): runs every job in one transaction, each in its own savepoint,
    // and commits once. Returns one result per job, in order: a job that
    // fails has only its own changes rolled back. If the transaction cannot
    // begin or commit, every job gets that error and nothing was written.
    // Serialised with write() callers.
    virtual std::vector<Result<void>> write_batch(std::span<WriteJob> jobs) = 0;

    virtual StoreStats stats() const = 0;

protected:
    virtual Result<void> write_erased(std::string_view name, detail::TxnFn<WriteTxn> fn) = 0;
    virtual void write_async_erased(std::string_view name,
                                    std::function<Result<void>(WriteTxn&)> fn,
                                    std::function<void(Result<void>)> done, AsyncLead lead) = 0;
    virtual Result<void> read_erased(std::string_view name, detail::TxnFn<ReadTxn> fn) = 0;

private:
    template <typename Txn, typename F, typename Erased>
    static auto run(std::string_view name, F& fn, Erased&& erased)
        -> std::invoke_result_t<F&, Txn&> {
        using R = std::invoke_result_t<F&, Txn&>;
        static_assert(detail::IsResult<R>::value, "a store function returns chat::Result<T>");
        std::optional<R> out;
        auto adapter = [&](Txn& txn) -> Result<void> {
            out.emplace(fn(txn));
            if (!*out) return out->error();
            return ok();
        };
        auto status = erased(name, detail::TxnFn<Txn>(adapter));
        if (!status) return R(std::move(status).error());
        return std::move(*out);
    }
};

}  // namespace chat::store
