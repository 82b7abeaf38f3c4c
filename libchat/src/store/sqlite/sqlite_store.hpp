#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <chat/store/sqlite.hpp>
#include <chat/store/store.hpp>

#include "store/group_commit.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/txn.hpp"
#include "store/sqlite/wal_checkpointer.hpp"

namespace chat::store::sqlite {

// The SQLite Store: one writer connection fed by a GroupCommitter, and a pool
// of read-only reader connections opened on demand. WAL lets readers keep
// their snapshot while the writer commits, so neither waits for the other.
class SqliteStore final : public Store {
public:
    // See open_sqlite().
    static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                     const SqliteOptions& options);
    ~SqliteStore() override;

    std::vector<Result<void>> write_batch(std::span<WriteJob> jobs) override;
    StoreStats stats() const override;

protected:
    Result<void> write_erased(std::string_view name, detail::TxnFn<WriteTxn> fn) override;
    void write_async_erased(std::string_view name, std::function<Result<void>(WriteTxn&)> fn,
                            std::function<void(Result<void>)> done, AsyncLead lead) override;
    Result<void> read_erased(std::string_view name, detail::TxnFn<ReadTxn> fn) override;

private:
    struct Reader {
        std::unique_ptr<Connection> conn;
        std::unique_ptr<SqliteTxn> txn;
    };

    SqliteStore(std::string path, const SqliteOptions& options, bool in_memory,
                std::unique_ptr<Connection> writer);

    // Runs `batch` in one transaction on the writer, each write in its own
    // savepoint (none for a batch of one), and commits once. Sets every result.
    void run_batch(std::span<PendingWrite* const> batch);
    Result<void> run_read(Connection& conn, SqliteTxn& txn, std::string_view name,
                          detail::TxnFn<ReadTxn> fn);
    Result<std::unique_ptr<Reader>> acquire_reader();
    void release_reader(std::unique_ptr<Reader> reader);
    ConnectionSettings settings(bool read_only) const;

    const std::string path_;
    const SqliteOptions options_;
    const bool in_memory_;
    ParsedEventCache event_cache_;  // before the transactions that use it

    std::mutex writer_mutex_;  // held while the writer connection is in use
    std::unique_ptr<Connection> writer_;
    StreamCounters stream_counters_;  // the writer's, under writer_mutex_
    SearchQueue search_queue_;        // the writer's, under writer_mutex_
    std::unique_ptr<SqliteTxn> writer_txn_;
    GroupCommitter committer_;

    std::mutex readers_mutex_;
    std::condition_variable reader_free_;
    std::vector<std::unique_ptr<Reader>> idle_readers_;  // guarded by readers_mutex_
    std::size_t open_readers_ = 0;                       // guarded by readers_mutex_

    // Log frames (4 KiB pages) before a background checkpoint (16 MiB: a
    // page written many times between two checkpoints is copied once; 4,000
    // instead of SQLite's 1,000 took 7% off the CPU per message in the send
    // benchmark), and before the writer checkpoints inline (about 40 MiB).
    static constexpr int kCheckpointPages = 4000;
    static constexpr int kInlineCheckpointPages = 10000;
    std::unique_ptr<WalCheckpointer> checkpointer_;  // file stores only

    std::atomic<std::uint64_t> writes_{0};
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> rolled_back_{0};
    std::atomic<std::uint64_t> failed_commits_{0};
    std::atomic<std::uint64_t> largest_batch_{0};
    std::atomic<std::uint64_t> reads_{0};
};

}  // namespace chat::store::sqlite
