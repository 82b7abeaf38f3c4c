#include "store/sqlite/areas.hpp"

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<UnreadCounts> SqlitePushActions::counts(const UserId& user_id, const RoomId& room_id,
                                               Position after) {
    auto q = conn_.query("SELECT count(*), coalesce(sum(highlight), 0) FROM event_push_actions"
                         " WHERE user_id = ?1 AND room_id = ?2 AND stream_ordering > ?3"
                         " AND notify = 1",
                         user_id, room_id, after);
    if (!q) return q.error();
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) return UnreadCounts{};
    return UnreadCounts{.notifications = q->int64(0), .highlights = q->int64(1)};
}

Result<void> SqlitePushActions::put(const PushActionRow& row) {
    auto written = conn_.run(
        "INSERT OR REPLACE INTO event_push_actions(user_id, room_id, stream_ordering, event_id,"
        " thread_id, notify, highlight, actions, ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        row.user_id, row.room_id, row.stream_ordering, row.event_id,
        row.thread_id ? std::string_view(*row.thread_id) : std::string_view(), row.notify,
        row.highlight, row.actions.dump(), row.ts);
    if (!written) return written.error();
    return ok();
}

}  // namespace chat::store::sqlite
