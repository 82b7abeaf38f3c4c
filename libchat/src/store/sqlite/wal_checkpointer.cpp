#include "store/sqlite/wal_checkpointer.hpp"

#include <sqlite3.h>

#include <chrono>
#include <utility>

namespace chat::store::sqlite {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(
    const std::string& path, const ConnectionSettings& settings, Connection& writer,
    int soft_pages, int hard_pages) {
    ConnectionSettings own_settings = settings;
    own_settings.read_only = false;  // a checkpoint writes the database file
    own_settings.cache_kib = 256;    // it reads frames, it caches nothing worth keeping
    auto own = Connection::open(path, own_settings);
    if (!own) return own.error();
    return std::unique_ptr<WalCheckpointer>(
        new WalCheckpointer(std::move(*own), writer, soft_pages, hard_pages));
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<Connection> own, Connection& writer,
                                 int soft_pages, int hard_pages)
    : own_(std::move(own)), writer_(writer), soft_pages_(soft_pages), hard_pages_(hard_pages),
      thread_([this] { run(); }) {
    // Replaces the automatic checkpoint, which is itself a WAL hook.
    sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
    sqlite3_wal_autocheckpoint(writer_.handle(), 1000);  // SQLite's default hook again
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

// On the writer's thread, after each commit, with the frames now in the log.
int WalCheckpointer::on_commit(void* self_ptr, sqlite3* db, const char* schema, int pages) {
    auto* self = static_cast<WalCheckpointer*>(self_ptr);
    if (pages >= self->hard_pages_) {
        // Between two commits of this writer: everything gets backfilled (but
        // what a reader still needs), so the next commit restarts the log.
        int log = 0, done = 0;
        if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
            SQLITE_OK)
            ++self->inline_;
    } else if (pages >= self->soft_pages_) {
        {
            std::lock_guard lock(self->mutex_);
            self->wanted_ = true;
        }
        self->wake_.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return wanted_ || stopping_; });
        if (stopping_) return;
        wanted_ = false;
        lock.unlock();
        int log = 0, done = 0;
        // PASSIVE: copies what no reader still needs, never waits for a lock.
        // SQLITE_BUSY (another process is checkpointing) is simply retried on
        // a later commit.
        if (sqlite3_wal_checkpoint_v2(own_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                      &done) == SQLITE_OK)
            ++background_;
        lock.lock();
    }
}

}  // namespace chat::store::sqlite
