#include "store/sqlite/areas.hpp"
#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// Backfilled events count down from -1 in a sequence of their own.
constexpr std::string_view kBackfillSequence = "events_backfill";

}  // namespace

Result<Position> advance_stream(Connection& conn, std::string_view name) {
    // One writer, so the read-modify-write needs no more care than this; the
    // position rolls back with the savepoint of a write that fails.
    auto q = conn.query(
        "INSERT INTO stream_positions(stream, position) VALUES (?1, 1)"
        " ON CONFLICT(stream) DO UPDATE SET position = position + 1"
        " RETURNING position",
        name);
    auto position = optional_row(std::move(q), int64_at0);
    if (!position) return position.error();
    if (!*position) return make_error(Errc::internal, "stream position not returned");
    return **position;
}

Result<Position> SqliteStreams::current(Stream stream) {
    if (counters_ != nullptr) return counters_->current(conn_, to_string(stream));
    auto position = optional_row(
        conn_.query("SELECT position FROM stream_positions WHERE stream = ?1", to_string(stream)),
        int64_at0);
    if (!position) return position.error();
    return position->value_or(0);
}

Result<StreamPositions> SqliteStreams::current_all() {
    StreamPositions all;
    for (Stream s : kAllStreams) {
        auto position = current(s);
        if (!position) return position.error();
        all[s] = *position;
    }
    return all;
}

Result<Position> SqliteStreams::next(Stream stream) {
    if (counters_ != nullptr) return counters_->next(conn_, to_string(stream));
    return advance_stream(conn_, to_string(stream));
}

Result<Position> SqliteStreams::next_backfill() {
    auto count = counters_ != nullptr ? counters_->next(conn_, kBackfillSequence)
                                      : advance_stream(conn_, kBackfillSequence);
    if (!count) return count.error();
    return -*count;
}

}  // namespace chat::store::sqlite
