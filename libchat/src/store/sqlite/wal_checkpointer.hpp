#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <chat/core/result.hpp>

#include "store/sqlite/connection.hpp"

namespace chat::store::sqlite {

// Checkpoints the write-ahead log on a thread of its own, so that copying
// committed pages back into the database file (and its fsync) no longer runs
// on the one writer thread, between two commits, while every writer waits.
//
// It replaces SQLite's automatic checkpoint on the writer connection with a
// WAL hook: past `soft_pages` frames in the log the hook wakes this thread,
// which runs a PASSIVE checkpoint (it never blocks the writer or readers) on
// its own connection. Under a write load the background checkpoint may never
// quite catch up, and the log only restarts from its beginning once every
// frame is back in the database; so past `hard_pages` the writer checkpoints
// inline, as SQLite would have, and the log stays bounded. Durability is the
// WAL's, unchanged: a commit is on disk when it returns (synchronous=FULL).
class WalCheckpointer {
public:
    // Hooks `writer` (which must outlive this object) and opens a connection
    // of its own to `path`. Errors: Errc::storage.
    static Result<std::unique_ptr<WalCheckpointer>> start(const std::string& path,
                                                          const ConnectionSettings& settings,
                                                          Connection& writer, int soft_pages,
                                                          int hard_pages);
    // Stops the thread; unhooks the writer (automatic checkpoints again).
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    std::uint64_t background_checkpoints() const noexcept { return background_.load(); }
    std::uint64_t inline_checkpoints() const noexcept { return inline_.load(); }

private:
    WalCheckpointer(std::unique_ptr<Connection> own, Connection& writer, int soft_pages,
                    int hard_pages);
    static int on_commit(void* self, struct sqlite3* db, const char* schema, int pages);
    void run();

    std::unique_ptr<Connection> own_;
    Connection& writer_;
    const int soft_pages_;
    const int hard_pages_;
    std::atomic<std::uint64_t> background_{0};
    std::atomic<std::uint64_t> inline_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    bool wanted_ = false;    // guarded by mutex_
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;     // last: started once everything above exists
};

}  // namespace chat::store::sqlite
