#include "app/database_bootstrap.hpp"

#include <string>
#include <utility>

#include <sqlite3.h>

namespace chat::daemon {

namespace {

Error storage_error(const std::filesystem::path& path, std::string what) {
    return make_error(Errc::storage, "database " + path.string() + ": " + what);
}

}  // namespace

Result<DatabaseBootstrap> DatabaseBootstrap::open(const std::filesystem::path& path) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    DatabaseBootstrap owner(db);  // closes `db` on every return below
    if (rc != SQLITE_OK)
        return storage_error(path, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));

    // journal_mode answers with the mode now in force; "wal" or the file is
    // not usable for WAL (a network file system, a read-only directory).
    sqlite3_stmt* statement = nullptr;
    rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &statement, nullptr);
    if (rc != SQLITE_OK) return storage_error(path, sqlite3_errmsg(db));
    rc = sqlite3_step(statement);
    std::string mode;
    if (rc == SQLITE_ROW) {
        auto text = sqlite3_column_text(statement, 0);
        if (text != nullptr) mode = reinterpret_cast<const char*>(text);
    }
    std::string step_error = rc == SQLITE_ROW ? "" : sqlite3_errmsg(db);
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW) return storage_error(path, step_error);
    if (mode != "wal") return storage_error(path, "cannot switch to WAL mode (got '" + mode + "')");
    return owner;
}

DatabaseBootstrap::DatabaseBootstrap(DatabaseBootstrap&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

DatabaseBootstrap& DatabaseBootstrap::operator=(DatabaseBootstrap&& other) noexcept {
    if (this != &other) {
        if (db_ != nullptr) sqlite3_close_v2(db_);
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

DatabaseBootstrap::~DatabaseBootstrap() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
}

}  // namespace chat::daemon
