#pragma once

#include <filesystem>

#include <chat/core/result.hpp>

struct sqlite3;

namespace chat::daemon {

// The SQLite database file, opened (created if missing) in WAL mode and held
// open while chatd runs.
//
// A stand-in, kept deliberately minimal: it creates no tables. libchat's Store
// (libchat/src/store/sqlite, with migrations, the group-committing writer and
// WAL readers) replaces it, and then chatd no longer includes sqlite3.h.
class DatabaseBootstrap {
public:
    // Blocks: disk. Errors: Errc::storage, with the SQLite message in
    // `message` (start-up errors are for the operator).
    static Result<DatabaseBootstrap> open(const std::filesystem::path& path);

    DatabaseBootstrap(DatabaseBootstrap&& other) noexcept;
    DatabaseBootstrap& operator=(DatabaseBootstrap&& other) noexcept;
    // One owner closes the handle.
    DatabaseBootstrap(const DatabaseBootstrap&) = delete;
    DatabaseBootstrap& operator=(const DatabaseBootstrap&) = delete;
    ~DatabaseBootstrap();

private:
    explicit DatabaseBootstrap(sqlite3* db) noexcept : db_(db) {}
    sqlite3* db_;
};

}  // namespace chat::daemon
