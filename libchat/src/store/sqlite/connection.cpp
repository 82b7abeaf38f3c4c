#include "store/sqlite/connection.hpp"

#include "store/sqlite/wal_write_buffer.hpp"

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include <sqlite3.h>

namespace chat::store::sqlite {

Query::Query(Query&& other) noexcept
    : conn_(other.conn_), stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)), bind_rc_(other.bind_rc_) {}

Query::~Query() {
    if (stmt_ == nullptr) return;
    if (in_use_ == nullptr) {
        sqlite3_finalize(stmt_);
        return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
}

void Query::bind_int64(int index, std::int64_t value) {
    note_bind(sqlite3_bind_int64(stmt_, index, value));
}

void Query::bind_text(int index, std::string_view value, bool lent) {
    // An empty view may have a null data pointer, which SQLite binds as NULL:
    // '' is not NULL.
    static const char kEmpty = 0;
    note_bind(sqlite3_bind_text64(stmt_, index, value.empty() ? &kEmpty : value.data(),
                                  value.size(), lent ? SQLITE_STATIC : SQLITE_TRANSIENT,
                                  SQLITE_UTF8));
}

void Query::bind_blob(int index, std::string_view value, bool lent) {
    // A zero-length blob must still be a BLOB, not NULL: give SQLite a non-null pointer.
    static const char kEmpty = 0;
    note_bind(sqlite3_bind_blob64(stmt_, index, value.empty() ? &kEmpty : value.data(),
                                  value.size(), lent ? SQLITE_STATIC : SQLITE_TRANSIENT));
}

void Query::bind_null(int index) { note_bind(sqlite3_bind_null(stmt_, index)); }

Result<bool> Query::step() {
    if (bind_rc_ != SQLITE_OK) return conn_->error(sqlite3_sql(stmt_), bind_rc_);
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return conn_->error(sqlite3_sql(stmt_), rc);
}

Result<void> Query::run() {
    for (;;) {
        auto row = step();
        if (!row) return row.error();
        if (!*row) return ok();
    }
}

std::int64_t Query::changes() const { return sqlite3_changes64(conn_->handle()); }

bool Query::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::int64_t Query::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

double Query::real(int col) const { return sqlite3_column_double(stmt_, col); }

std::optional<std::int64_t> Query::opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
}

std::string_view Query::text(int col) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (data == nullptr) return {};
    return {data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::optional<std::string> Query::opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return std::string(text(col));
}

std::string_view Query::blob(int col) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    if (data == nullptr) return {};
    return {data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

Result<nlohmann::json> Query::json(int col) const {
    auto value = nlohmann::json::parse(text(col), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return corrupt(col, "stored JSON does not parse");
    return value;
}

Error Query::corrupt(int col, std::string_view why) const {
    const char* name = sqlite3_column_name(stmt_, col);
    return make_error(Errc::storage, "Stored data cannot be read.",
                      "column " + std::string(name != nullptr ? name : "?") + ": " +
                          std::string(why) + " in: " + sqlite3_sql(stmt_));
}

namespace {

// SQLite's busy handler: retries about every millisecond (jittered, so two
// waiters do not wake in step) until the timeout, passed as the context.
int wait_for_lock(void* timeout_ms, int attempts) {
    const auto limit = reinterpret_cast<std::intptr_t>(timeout_ms);
    // Each attempt sleeps at least 1 ms: `attempts` bounds the time waited.
    if (attempts >= limit) return 0;
    thread_local std::minstd_rand jitter(std::random_device{}());
    std::this_thread::sleep_for(std::chrono::microseconds(1000 + jitter() % 1000));
    return 1;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path,
                                                     const ConnectionSettings& settings) {
    const int flags = (settings.read_only ? SQLITE_OPEN_READONLY
                                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    sqlite3* db = nullptr;
    // Our VFS gathers each commit's WAL frames into one write (wal_write_buffer.hpp).
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, wal_write_buffer_vfs());
    // Owned from here, whatever happens below.
    std::unique_ptr<Connection> conn(new Connection(db, path));
    auto fail = [&](std::string what) -> Error {
        std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        return make_error(Errc::storage, "database " + path + ": " + what + ": " + reason);
    };
    if (rc != SQLITE_OK) return fail("cannot open");
    sqlite3_extended_result_codes(db, 1);
    // Several processes (workers) may share the file: wait for their locks.
    // Not sqlite3_busy_timeout(): its sleeps grow to 100 ms, and a process
    // that commits back to back takes the lock again before a waiter on
    // such a schedule looks, so waits of seconds were seen (docs/benchmarks.md).
    sqlite3_busy_handler(db, wait_for_lock,
                         reinterpret_cast<void*>(
                             static_cast<std::intptr_t>(settings.busy_timeout.count())));

    if (!settings.read_only && settings.wal) {
        // journal_mode answers with the mode now in force: anything but "wal"
        // means the file cannot use WAL (a network file system, say).
        auto q = conn->query("PRAGMA journal_mode=WAL");
        if (!q) return fail("cannot set WAL mode");
        auto row = q->step();
        if (!row || !*row) return fail("cannot set WAL mode");
        if (q->text(0) != "wal")
            return make_error(Errc::storage, "database " + path +
                                                 ": cannot switch to WAL mode (got '" +
                                                 std::string(q->text(0)) + "')");
    }
    // PRAGMAs take no bound parameters; these values are our own keywords and
    // integers, never input.
    std::string pragmas = "PRAGMA synchronous=" + std::string(settings.synchronous) +
                          ";PRAGMA cache_size=-" + std::to_string(settings.cache_kib) +
                          ";PRAGMA temp_store=MEMORY";
    if (!settings.read_only) {
        // Integrity between devices, access tokens and users (cascading deletes).
        pragmas += ";PRAGMA foreign_keys=ON";
        // After a checkpoint, truncate the log back to 64 MiB at most.
        pragmas += ";PRAGMA journal_size_limit=67108864";
    }
    if (auto done = conn->exec("connection settings", pragmas); !done)
        return fail("cannot apply settings");
    return conn;
}

Connection::~Connection() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<void> Connection::exec(std::string_view what, const std::string& sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return ok();
    std::string reason = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return make_error(Errc::storage, "Database error.",
                      std::string(what) + ": " + reason + " (" + path_ + ")");
}

Result<Query> Connection::prepare(std::string_view sql) {
    auto [it, inserted] = cache_.try_emplace(sql);
    Cached& slot = it->second;
    if (inserted) {
        int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &slot.stmt, nullptr);
        if (rc != SQLITE_OK) {
            Error e = error(sql, rc);
            cache_.erase(it);
            return e;
        }
    }
    if (!slot.in_use) {
        slot.in_use = true;
        return Query(*this, slot.stmt, &slot.in_use);
    }
    // Nested use of the same statement (a row loop calling code that runs it
    // again): a one-off statement, so the outer one keeps its row.
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return error(sql, rc);
    return Query(*this, stmt, nullptr);
}

Error Connection::error(std::string_view what) const {
    return error(what, sqlite3_extended_errcode(db_));
}

Error Connection::error(std::string_view what, int rc) const {
    std::string reason = sqlite3_errmsg(db_);
    if (reason == "not an error" || reason.empty()) reason = sqlite3_errstr(rc);
    return make_error(Errc::storage, "Database error.",
                      reason + " (code " + std::to_string(rc) + ") in: " + std::string(what));
}

}  // namespace chat::store::sqlite
