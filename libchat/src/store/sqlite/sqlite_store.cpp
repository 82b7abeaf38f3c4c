#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <sqlite3.h>

#include "store/sqlite/areas.hpp"
#include "store/sqlite/migrations.hpp"

namespace chat::store::sqlite {

namespace {

constexpr std::string_view kMemoryPath = ":memory:";

std::string_view synchronous_keyword(Synchronous s) {
    switch (s) {
    case Synchronous::off: return "OFF";
    case Synchronous::normal: return "NORMAL";
    case Synchronous::full: return "FULL";
    }
    return "FULL";  // unreachable
}

// Runs a store function; an exception (a bug, or an allocation failure)
// becomes that function's error instead of escaping into the group commit.
template <typename Txn>
Result<void> call(std::string_view name, detail::TxnFn<Txn> fn, Txn& txn) {
    try {
        return fn(txn);
    } catch (const std::exception& e) {
        return make_error(Errc::internal, "Internal error.",
                          "store function " + std::string(name) + " threw: " + e.what());
    } catch (...) {
        return make_error(Errc::internal, "Internal error.",
                          "store function " + std::string(name) + " threw");
    }
}

Error in_txn(Error e, std::string_view name) {
    e.detail = "txn " + std::string(name) + ": " + e.detail;
    return e;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const SqliteOptions& options) {
    if (options.max_readers == 0 || options.max_batch == 0 || options.state_max_delta_chain < 1)
        return make_error(Errc::invalid_param,
                          "store options: max_readers, max_batch and state_max_delta_chain must "
                          "be at least 1");
    const bool in_memory = path == kMemoryPath;
    ConnectionSettings writer_settings{
        .read_only = false,
        .wal = !in_memory,
        .synchronous = synchronous_keyword(options.synchronous),
        .busy_timeout = options.busy_timeout,
        .cache_kib = options.cache_kib,
    };
    auto writer = Connection::open(path, writer_settings);
    if (!writer) return writer.error();
    if (auto migrated = migrate(**writer); !migrated) return migrated.error();
    auto store = std::unique_ptr<SqliteStore>(
        new SqliteStore(path, options, in_memory, std::move(*writer)));
    if (!in_memory) {
        auto checkpointer =
            WalCheckpointer::start(path, writer_settings, *store->writer_, kCheckpointPages,
                                   kInlineCheckpointPages);
        if (!checkpointer) return checkpointer.error();
        store->checkpointer_ = std::move(*checkpointer);
    }
    return store;
}

SqliteStore::SqliteStore(std::string path, const SqliteOptions& options, bool in_memory,
                         std::unique_ptr<Connection> writer)
    : path_(std::move(path)), options_(options), in_memory_(in_memory),
      event_cache_(options.parsed_event_cache), writer_(std::move(writer)),
      writer_txn_(
          std::make_unique<SqliteTxn>(*writer_, options.state_max_delta_chain, event_cache_,
                                      &stream_counters_, &search_queue_)),
      committer_(options.max_batch,
                 [this](std::span<PendingWrite* const> batch) { run_batch(batch); }) {}

SqliteStore::~SqliteStore() {
    checkpointer_.reset();  // it hooks the writer
    // Readers first: the writer's close then checkpoints the log.
    idle_readers_.clear();
    writer_txn_.reset();
    writer_.reset();
}

ConnectionSettings SqliteStore::settings(bool read_only) const {
    return ConnectionSettings{
        .read_only = read_only,
        .wal = !in_memory_,
        .synchronous = synchronous_keyword(options_.synchronous),
        .busy_timeout = options_.busy_timeout,
        .cache_kib = options_.cache_kib,
    };
}

Result<void> SqliteStore::write_erased(std::string_view name, detail::TxnFn<WriteTxn> fn) {
    PendingWrite write{.name = name, .fn = fn, .result = std::nullopt, .done = false};
    return committer_.submit(write);
}

void SqliteStore::write_async_erased(std::string_view name,
                                     std::function<Result<void>(WriteTxn&)> fn,
                                     std::function<void(Result<void>)> done, AsyncLead lead) {
    // Lives until its completion runs, which frees it.
    struct Async {
        Async(std::string_view n, std::function<Result<void>(WriteTxn&)> f,
              std::function<void(Result<void>)> d)
            : name(n), fn(std::move(f)), done(std::move(d)),
              pending{.name = name, .fn = detail::TxnFn<WriteTxn>(fn), .result = std::nullopt,
                      .done = false, .wake = 0, .on_done = {}} {}
        std::string name;
        std::function<Result<void>(WriteTxn&)> fn;
        std::function<void(Result<void>)> done;
        PendingWrite pending;
    };
    auto* async = new Async(name, std::move(fn), std::move(done));
    async->pending.on_done = [async](PendingWrite& write) {
        std::unique_ptr<Async> owned(async);
        owned->done(std::move(*write.result));
    };
    committer_.submit_async(async->pending, lead);
}

std::vector<Result<void>> SqliteStore::write_batch(std::span<WriteJob> jobs) {
    std::vector<PendingWrite> pending;
    pending.reserve(jobs.size());
    for (WriteJob& job : jobs)
        pending.push_back({.name = job.name,
                           .fn = detail::TxnFn<WriteTxn>(job.fn),
                           .result = std::nullopt,
                           .done = false});
    std::vector<PendingWrite*> batch;
    batch.reserve(pending.size());
    for (PendingWrite& p : pending) batch.push_back(&p);
    if (!batch.empty()) run_batch(batch);
    std::vector<Result<void>> results;
    results.reserve(pending.size());
    for (PendingWrite& p : pending) results.push_back(std::move(*p.result));
    return results;
}

void SqliteStore::run_batch(std::span<PendingWrite* const> batch) {
    std::lock_guard lock(writer_mutex_);
    Connection& conn = *writer_;
    writes_ += batch.size();
    for (std::uint64_t seen = largest_batch_.load();
         batch.size() > seen && !largest_batch_.compare_exchange_weak(seen, batch.size());) {
    }
    auto fail_all = [&](const Error& e) {
        for (PendingWrite* w : batch)
            if (!w->result || *w->result) w->result = in_txn(e, w->name);
        ++failed_commits_;
        stream_counters_.abandon();
        search_queue_.clear();
    };

    // IMMEDIATE takes the write lock now: another process sharing the file
    // makes us wait (busy_timeout) here rather than fail halfway through.
    if (auto begun = conn.run("BEGIN IMMEDIATE"); !begun) {
        fail_all(begun.error());
        return;
    }
    if (auto counted = stream_counters_.begin(conn); !counted) {
        fail_all(counted.error());
        (void)conn.run("ROLLBACK");
        return;
    }
    // A batch of one needs no savepoint: its failure rolls back the transaction.
    const bool savepoints = batch.size() > 1;
    std::size_t succeeded = 0;
    for (PendingWrite* w : batch) {
        if (savepoints) {
            if (auto sp = conn.run("SAVEPOINT write"); !sp) {
                w->result = in_txn(sp.error(), w->name);
                continue;
            }
        }
        const StreamCounters::Mark positions = stream_counters_.mark();
        const SearchQueue::Mark search_text = search_queue_.mark();
        Result<void> result = call<WriteTxn>(w->name, w->fn, *writer_txn_);
        if (sqlite3_get_autocommit(conn.handle()) != 0) {
            // SQLite rolled the whole transaction back (disk full, I/O error):
            // every write of the batch is lost.
            w->result = std::move(result);
            fail_all(make_error(Errc::storage, "Database error.",
                                "the transaction was rolled back by SQLite"));
            return;
        }
        if (result) {
            ++succeeded;
            if (savepoints) {
                if (auto released = conn.run("RELEASE write"); !released) {
                    fail_all(released.error());
                    (void)conn.run("ROLLBACK");
                    return;
                }
            }
        } else {
            ++rolled_back_;
            stream_counters_.restore(positions);
            search_queue_.restore(search_text);
            if (savepoints) {
                auto undone = conn.run("ROLLBACK TO write");
                if (undone) undone = conn.run("RELEASE write");
                if (!undone) {
                    w->result = std::move(result);
                    fail_all(undone.error());
                    (void)conn.run("ROLLBACK");
                    return;
                }
            }
        }
        w->result = std::move(result);
    }
    if (succeeded == 0) {
        // Nothing to keep: no commit, no fsync.
        (void)conn.run("ROLLBACK");
        stream_counters_.abandon();
        search_queue_.clear();
        return;
    }
    // What the writes queued for the search index goes in now
    // (search_queue.hpp); its failure fails the batch.
    if (auto flushed = search_queue_.flush(conn); !flushed) {
        fail_all(flushed.error());
        (void)conn.run("ROLLBACK");
        return;
    }
    // The stream positions taken go to stream_positions once (stream_counters.hpp).
    if (auto flushed = stream_counters_.flush(conn); !flushed) {
        fail_all(flushed.error());
        (void)conn.run("ROLLBACK");
        return;
    }
    if (auto committed = conn.run("COMMIT"); !committed) {
        fail_all(committed.error());
        (void)conn.run("ROLLBACK");
        return;
    }
    stream_counters_.committed();
    ++commits_;
}

Result<void> SqliteStore::read_erased(std::string_view name, detail::TxnFn<ReadTxn> fn) {
    ++reads_;
    if (in_memory_) {
        // One connection: reads take turns with the writer.
        std::lock_guard lock(writer_mutex_);
        return run_read(*writer_, *writer_txn_, name, fn);
    }
    auto reader = acquire_reader();
    if (!reader) return reader.error();
    auto result = run_read(*(*reader)->conn, *(*reader)->txn, name, fn);
    release_reader(std::move(*reader));
    return result;
}

Result<void> SqliteStore::run_read(Connection& conn, SqliteTxn& txn, std::string_view name,
                                   detail::TxnFn<ReadTxn> fn) {
    if (auto begun = conn.run("BEGIN"); !begun) return in_txn(begun.error(), name);
    // A deferred transaction takes its snapshot at its first read: take it
    // now, so that the function sees one state from its first call on.
    if (auto snapshot = conn.run("SELECT 1 FROM schema_version LIMIT 1"); !snapshot) {
        (void)conn.run("ROLLBACK");
        return in_txn(snapshot.error(), name);
    }
    ReadTxn& read_txn = txn;
    Result<void> result = call<ReadTxn>(name, fn, read_txn);
    // Ending a read transaction writes nothing; ROLLBACK cannot fail for want of disk.
    (void)conn.run("ROLLBACK");
    return result;
}

Result<std::unique_ptr<SqliteStore::Reader>> SqliteStore::acquire_reader() {
    std::unique_lock lock(readers_mutex_);
    for (;;) {
        if (!idle_readers_.empty()) {
            auto reader = std::move(idle_readers_.back());
            idle_readers_.pop_back();
            return reader;
        }
        if (open_readers_ < options_.max_readers) break;
        reader_free_.wait(lock);
    }
    ++open_readers_;
    lock.unlock();
    auto conn = Connection::open(path_, settings(/*read_only=*/true));
    if (!conn) {
        lock.lock();
        --open_readers_;
        reader_free_.notify_one();
        return conn.error();
    }
    auto reader = std::make_unique<Reader>();
    reader->conn = std::move(*conn);
    reader->txn =
        std::make_unique<SqliteTxn>(*reader->conn, options_.state_max_delta_chain, event_cache_);
    return reader;
}

void SqliteStore::release_reader(std::unique_ptr<Reader> reader) {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(std::move(reader));
    reader_free_.notify_one();
}

StoreStats SqliteStore::stats() const {
    return StoreStats{
        .writes = writes_.load(),
        .commits = commits_.load(),
        .rolled_back_writes = rolled_back_.load(),
        .failed_commits = failed_commits_.load(),
        .largest_batch = largest_batch_.load(),
        .reads = reads_.load(),
        .queued_writes = committer_.queued(),
        .background_checkpoints = checkpointer_ ? checkpointer_->background_checkpoints() : 0,
        .inline_checkpoints = checkpointer_ ? checkpointer_->inline_checkpoints() : 0,
    };
}

}  // namespace chat::store::sqlite

namespace chat::store {

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path, const SqliteOptions& options) {
    auto store = sqlite::SqliteStore::open(path, options);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
}

int sqlite_schema_version() noexcept { return sqlite::latest_schema_version(); }

}  // namespace chat::store
