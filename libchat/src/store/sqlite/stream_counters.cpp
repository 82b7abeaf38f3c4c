#include "store/sqlite/stream_counters.hpp"

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<void> StreamCounters::begin(Connection& conn) {
    undo_.clear();
    auto version = optional_row(conn.query("PRAGMA data_version"), int64_at0);
    if (!version) return version.error();
    if (!*version) return make_error(Errc::internal, "PRAGMA data_version returned no row");
    if (**version != data_version_) {
        // Another connection committed (or this is our first transaction):
        // it may have taken positions.
        counters_.clear();
        data_version_ = **version;
    }
    return ok();
}

Result<StreamCounters::Counter*> StreamCounters::load(Connection& conn, std::string_view stream) {
    if (auto it = counters_.find(stream); it != counters_.end()) return &it->second;
    auto stored = stored_stream_position(conn, stream);
    if (!stored) return stored.error();
    const Position position = *stored;
    auto [it, added] =
        counters_.emplace(std::string(stream), Counter{.committed = position, .now = position});
    return &it->second;
}

Result<Position> StreamCounters::next(Connection& conn, std::string_view stream) {
    auto counter = load(conn, stream);
    if (!counter) return counter.error();
    undo_.emplace_back(*counter, (*counter)->now);
    return ++(*counter)->now;
}

Result<Position> StreamCounters::current(Connection& conn, std::string_view stream) {
    auto counter = load(conn, stream);
    if (!counter) return counter.error();
    return (*counter)->now;
}

void StreamCounters::restore(Mark mark) {
    while (undo_.size() > mark) {
        auto [counter, before] = undo_.back();
        counter->now = before;
        undo_.pop_back();
    }
}

Result<void> StreamCounters::flush(Connection& conn) {
    for (auto& [stream, counter] : counters_) {
        if (counter.now == counter.committed) continue;
        auto written = conn.run(
            "INSERT INTO stream_positions(stream, position) VALUES (?1, ?2)"
            " ON CONFLICT(stream) DO UPDATE SET position = excluded.position",
            stream, counter.now);
        if (!written) return written.error();
    }
    return ok();
}

void StreamCounters::committed() {
    for (auto& [stream, counter] : counters_) counter.committed = counter.now;
    undo_.clear();
}

void StreamCounters::abandon() {
    counters_.clear();
    undo_.clear();
}

}  // namespace chat::store::sqlite
