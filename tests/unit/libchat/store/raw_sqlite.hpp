#pragma once

// Reads a store's database file directly, bypassing the Store, to check what
// is really on disk (hashed tokens, delta rows, schema versions). Tests of
// the SQLite backend only.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sqlite3.h>

namespace chat::test {

class RawSqlite {
public:
    explicit RawSqlite(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            throw std::runtime_error("raw open failed: " + path);
        sqlite3_busy_timeout(db_, 5000);
    }
    RawSqlite(const RawSqlite&) = delete;
    RawSqlite& operator=(const RawSqlite&) = delete;
    ~RawSqlite() { sqlite3_close_v2(db_); }

    // Every row of `sql`, each column as text (NULL as none, blobs as bytes).
    std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("raw prepare: ") + sqlite3_errmsg(db_));
        std::vector<std::vector<std::optional<std::string>>> out;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            std::vector<std::optional<std::string>> row;
            for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
                if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
                    row.emplace_back();
                    continue;
                }
                const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, i));
                row.emplace_back(std::string(data == nullptr ? "" : data,
                                             static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))));
            }
            out.push_back(std::move(row));
        }
        std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
        sqlite3_finalize(stmt);
        if (!error.empty()) throw std::runtime_error("raw step: " + error);
        return out;
    }

    std::string scalar(const std::string& sql) {
        auto r = rows(sql);
        if (r.empty() || r[0].empty() || !r[0][0]) throw std::runtime_error("no value: " + sql);
        return *r[0][0];
    }

    void exec(const std::string& sql) {
        char* message = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
            std::string text = message != nullptr ? message : "?";
            sqlite3_free(message);
            throw std::runtime_error("raw exec: " + text);
        }
    }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace chat::test
