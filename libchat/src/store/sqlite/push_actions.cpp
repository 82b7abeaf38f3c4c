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

Result<UnreadCounts> SqlitePushActions::main_counts(const UserId& user_id, const RoomId& room_id,
                                                    Position after) {
    auto q = conn_.query("SELECT count(*), coalesce(sum(highlight), 0) FROM event_push_actions"
                         " WHERE user_id = ?1 AND room_id = ?2 AND stream_ordering > ?3"
                         " AND notify = 1 AND thread_id = ''",
                         user_id, room_id, after);
    if (!q) return q.error();
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) return UnreadCounts{};
    return UnreadCounts{.notifications = q->int64(0), .highlights = q->int64(1)};
}

Result<std::vector<ThreadCounts>> SqlitePushActions::thread_counts(const UserId& user_id,
                                                                  const RoomId& room_id) {
    // Each thread's rows after its own read position: the later of the
    // unthreaded receipt (which covers every thread, spec "Threaded read
    // receipts") and the receipt in that thread. One statement, so a room
    // with many threads costs one query; receipts are found by their
    // primary key (room_id, receipt_type, user_id, thread_id).
    auto q = conn_.query(
        "SELECT p.thread_id, count(*), coalesce(sum(p.highlight), 0)"
        " FROM event_push_actions p"
        " WHERE p.user_id = ?1 AND p.room_id = ?2 AND p.notify = 1 AND p.thread_id != ''"
        " AND p.stream_ordering > coalesce((SELECT max(r.event_ordering) FROM receipts r"
        "   WHERE r.room_id = ?2 AND r.user_id = ?1"
        "   AND r.receipt_type IN ('m.read', 'm.read.private')"
        "   AND r.thread_id IN ('', p.thread_id)), ?3)"
        " GROUP BY p.thread_id ORDER BY p.thread_id",
        user_id, room_id, kMinPosition);
    return all_rows(std::move(q), [](const Query& row) -> Result<ThreadCounts> {
        return ThreadCounts{
            .thread_id = std::string(row.text(0)),
            .counts = {.notifications = row.int64(1), .highlights = row.int64(2)}};
    });
}

namespace {

// Columns: user_id, room_id, event_id, stream_ordering, thread_id, notify,
// highlight, actions, ts.
Result<PushActionRow> read_push_action(const Query& q) {
    auto user_id = q.id<UserId>(0);
    if (!user_id) return user_id.error();
    auto room_id = q.id<RoomId>(1);
    if (!room_id) return room_id.error();
    auto event_id = q.id<EventId>(2);
    if (!event_id) return event_id.error();
    auto actions = q.json(7);
    if (!actions) return actions.error();
    std::optional<std::string> thread_id;
    if (!q.text(4).empty()) thread_id.emplace(q.text(4));
    return PushActionRow{.user_id = std::move(*user_id),
                         .room_id = std::move(*room_id),
                         .event_id = std::move(*event_id),
                         .stream_ordering = q.int64(3),
                         .thread_id = std::move(thread_id),
                         .notify = q.boolean(5),
                         .highlight = q.boolean(6),
                         .actions = std::move(*actions),
                         .ts = q.int64(8)};
}

}  // namespace

Result<std::vector<PushActionRow>> SqlitePushActions::newest_before(const UserId& user_id,
                                                                    Position before,
                                                                    std::size_t limit,
                                                                    bool only_highlight) {
    return all_rows(
        conn_.query("SELECT user_id, room_id, event_id, stream_ordering, thread_id, notify,"
                    " highlight, actions, ts FROM event_push_actions"
                    " WHERE user_id = ?1 AND stream_ordering < ?2 AND notify = 1"
                    " AND (?3 = 0 OR highlight = 1)"
                    " ORDER BY stream_ordering DESC LIMIT ?4",
                    user_id, before, only_highlight, static_cast<std::int64_t>(limit)),
        read_push_action);
}

Result<std::vector<PushActionRow>> SqlitePushActions::oldest_after(const UserId& user_id,
                                                                   Position after,
                                                                   std::size_t limit) {
    return all_rows(
        conn_.query("SELECT user_id, room_id, event_id, stream_ordering, thread_id, notify,"
                    " highlight, actions, ts FROM event_push_actions"
                    " WHERE user_id = ?1 AND stream_ordering > ?2 AND notify = 1"
                    " ORDER BY stream_ordering LIMIT ?3",
                    user_id, after, static_cast<std::int64_t>(limit)),
        read_push_action);
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
