#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
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
    // Parsed events kept for EventsReader::get_pdus(), shared by all
    // connections (0: none). An event is a few KiB once parsed.
    std::size_t parsed_event_cache = 8192;
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

// The FTS5 MATCH expression the SQLite backend runs for search terms
// (search_terms() in <chat/store/search.hpp>): every term becomes a quoted
// phrase with its quotes doubled and a prefix star ("ali"* "bo"*), so that
// no user text is ever read as FTS5 syntax (AND, NEAR(, column filters, a
// lone '"'); control characters become spaces. All terms must match.
// Public for its tests. Pure.
std::string fts5_match_query(std::span<const std::string> terms);

}  // namespace chat::store
