#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <chat/core/result.hpp>
#include <chat/store/store.hpp>

namespace chat::store {

// PRAGMA synchronous. In WAL mode `full` syncs the log at every commit, so an
// acknowledged write survives power loss; `normal` may lose the last commits
// on power loss (not on a crash of the process); `off` is for tests.
enum class Synchronous { off, normal, full };

struct SqliteOptions {
    Synchronous synchronous = Synchronous::full;
    // How long a connection waits for a lock held by another process sharing
    // the file (workers) before failing with Errc::storage.
    std::chrono::milliseconds busy_timeout{10000};
    // Reader connections opened on demand; read() waits when all are busy.
    std::size_t max_readers = 8;
    // Most write functions in one transaction.
    std::size_t max_batch = 256;
    // Most deltas between two full state snapshots (StateGroupInfo).
    int state_max_delta_chain = 100;
    // Page cache per connection, in KiB.
    std::int64_t cache_kib = 16384;
};

// Opens (creating if missing) the SQLite database at `path`: WAL mode, the
// options above, and every schema migration this build knows applied in
// order, in one transaction, on open (opening an up-to-date database changes
// nothing). ":memory:" gives a private in-memory database for unit tests:
// one connection, so reads wait for the writer and a read transaction held
// open blocks writes; use a file for anything concurrent.
//
// Blocks: disk. Errors: Errc::storage, with a message for the operator: the
// file cannot be opened or switched to WAL, a migration failed (nothing of
// it is applied), or the database has a newer schema than this build knows.
Result<std::unique_ptr<Store>> open_sqlite(const std::string& path,
                                           const SqliteOptions& options = {});

// The schema version this build migrates databases to.
int sqlite_schema_version() noexcept;

}  // namespace chat::store
