#include "store/sqlite/areas.hpp"
#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// Backfilled events count down from -1 in a sequence of their own.
constexpr std::string_view kBackfillSequence = "events_backfill";

// Positions are taken by the writer's transaction only (a reader's
// transaction is handed out as a ReadTxn, which cannot ask).
Error not_the_writer() {
    return make_error(Errc::internal, "Internal server error.",
                      "stream position taken outside the writer");
}

}  // namespace

Result<Position> stored_stream_position(Connection& conn, std::string_view name) {
    auto position = optional_row(
        conn.query("SELECT position FROM stream_positions WHERE stream = ?1", name), int64_at0);
    if (!position) return position.error();
    return position->value_or(0);
}

Result<Position> SqliteStreams::current(Stream stream) {
    if (counters_ != nullptr) return counters_->current(conn_, to_string(stream));
    return stored_stream_position(conn_, to_string(stream));
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
    if (counters_ == nullptr) return not_the_writer();
    return counters_->next(conn_, to_string(stream));
}

Result<Position> SqliteStreams::next_backfill() {
    if (counters_ == nullptr) return not_the_writer();
    auto count = counters_->next(conn_, kBackfillSequence);
    if (!count) return count.error();
    return -*count;
}

}  // namespace chat::store::sqlite
