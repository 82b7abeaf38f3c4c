#include "store/sqlite/migrations.hpp"

#include <chrono>
#include <set>
#include <string>

namespace chat::store::sqlite {

namespace {

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Result<void> apply_missing(Connection& conn) {
    if (auto made = conn.exec("schema_version table",
                              "CREATE TABLE IF NOT EXISTS schema_version ("
                              " version INTEGER PRIMARY KEY,"
                              " name TEXT NOT NULL,"
                              " applied_ts INTEGER NOT NULL)");
        !made)
        return made.error();

    // Applied versions as a set, not just the highest: numbers may have gaps
    // (branches take their own ranges), so a lower number merged later must
    // still run on a database that already has a higher one.
    std::set<std::int64_t> applied;
    {  // the statement is reset before the migrations change the schema
        auto q = conn.query("SELECT version FROM schema_version");
        if (!q) return q.error();
        for (;;) {
            auto row = q->step();
            if (!row) return row.error();
            if (!*row) break;
            applied.insert(q->int64(0));
        }
    }
    const std::int64_t current = applied.empty() ? 0 : *applied.rbegin();
    const int latest = latest_schema_version();
    if (current > latest) {
        return make_error(Errc::storage,
                          "database " + conn.path() + " has schema version " +
                              std::to_string(current) + ", newer than this build knows (" +
                              std::to_string(latest) +
                              "): run a newer chatd or restore a matching backup");
    }
    for (const Migration& m : migrations()) {
        if (applied.contains(m.version)) continue;
        if (auto done = conn.exec("migration", std::string(m.sql)); !done) {
            Error e = done.error();
            e.message = "database " + conn.path() + ": migration " + std::to_string(m.version) +
                        "_" + std::string(m.name) + " failed: " + e.detail;
            return e;
        }
        auto recorded = conn.run(
            "INSERT INTO schema_version(version, name, applied_ts) VALUES (?1, ?2, ?3)",
            m.version, m.name, now_ms());
        if (!recorded) return recorded.error();
    }
    return ok();
}

}  // namespace

int latest_schema_version() noexcept {
    auto all = migrations();
    return all.empty() ? 0 : all.back().version;
}

Result<void> migrate(Connection& conn) {
    // IMMEDIATE: take the write lock first, so that two processes opening the
    // same file at once migrate one after the other.
    if (auto begun = conn.exec("begin migrations", "BEGIN IMMEDIATE"); !begun)
        return begun.error();
    auto applied = apply_missing(conn);
    if (!applied) {
        (void)conn.exec("rollback migrations", "ROLLBACK");
        return applied.error();
    }
    if (auto committed = conn.exec("commit migrations", "COMMIT"); !committed) {
        (void)conn.exec("rollback migrations", "ROLLBACK");
        return committed.error();
    }
    return ok();
}

}  // namespace chat::store::sqlite
