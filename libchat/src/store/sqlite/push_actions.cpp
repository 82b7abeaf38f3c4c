#include "store/sqlite/areas.hpp"

#include <algorithm>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

// Counting merges the room's shared rows (room_push_actions) that apply to
// the user, i.e. after their join, not their own and not overridden by a row
// of theirs, with their own notifying rows (event_push_actions).

Result<UnreadCounts> SqlitePushActions::counts(const UserId& user_id, const RoomId& room_id,
                                               Position after) {
    return main_or_all_counts(user_id, room_id, after, false);
}

Result<UnreadCounts> SqlitePushActions::main_counts(const UserId& user_id, const RoomId& room_id,
                                                    Position after) {
    return main_or_all_counts(user_id, room_id, after, true);
}

Result<UnreadCounts> SqlitePushActions::main_or_all_counts(const UserId& user_id,
                                                           const RoomId& room_id, Position after,
                                                           bool main_only) {
    auto q = conn_.query(
        "SELECT count(*), coalesce(sum(highlight), 0) FROM ("
        " SELECT s.highlight AS highlight FROM room_memberships m"
        "  CROSS JOIN events e ON e.room_id = m.room_id"
        "   AND e.stream_ordering > max(?3, m.joined_since)"
        "  CROSS JOIN room_push_actions s ON s.stream_ordering = e.stream_ordering"
        "  WHERE m.user_id = ?1 AND m.room_id = ?2 AND m.membership = 'join'"
        "   AND s.sender != ?1 AND (?4 = 0 OR s.thread_id = '')"
        "   AND NOT EXISTS (SELECT 1 FROM event_push_actions p WHERE p.user_id = ?1"
        "    AND p.room_id = ?2 AND p.stream_ordering = s.stream_ordering)"
        " UNION ALL"
        " SELECT highlight FROM event_push_actions"
        "  WHERE user_id = ?1 AND room_id = ?2 AND stream_ordering > ?3 AND notify = 1"
        "   AND (?4 = 0 OR thread_id = ''))",
        user_id, room_id, after, main_only);
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
        "WITH mine(thread_id, stream_ordering, highlight) AS ("
        " SELECT s.thread_id, s.stream_ordering, s.highlight FROM room_memberships m"
        "  CROSS JOIN events e ON e.room_id = m.room_id AND e.stream_ordering > m.joined_since"
        "  CROSS JOIN room_push_actions s ON s.stream_ordering = e.stream_ordering"
        "  WHERE m.user_id = ?1 AND m.room_id = ?2 AND m.membership = 'join'"
        "   AND s.sender != ?1 AND s.thread_id != ''"
        "   AND NOT EXISTS (SELECT 1 FROM event_push_actions p WHERE p.user_id = ?1"
        "    AND p.room_id = ?2 AND p.stream_ordering = s.stream_ordering)"
        " UNION ALL"
        " SELECT thread_id, stream_ordering, highlight FROM event_push_actions"
        "  WHERE user_id = ?1 AND room_id = ?2 AND notify = 1 AND thread_id != '')"
        "SELECT p.thread_id, count(*), coalesce(sum(p.highlight), 0) FROM mine p"
        " WHERE p.stream_ordering > coalesce((SELECT max(r.event_ordering) FROM receipts r"
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

// The shared rows of one room for the user (?1), in read_push_action's
// columns: ?2 room, ?3 and ?4 the open range of stream orderings, ?5 the
// limit. A room's rows are found through the events' (room_id,
// stream_ordering) index (room_push_actions is keyed by the stream alone,
// migration 0220); its highlights through their own partial index, which
// SQLite picks only for a statement that says highlight = 1.
#define CHAT_ROOM_PUSH_COLUMNS                                                                 \
    "SELECT ?1, s.room_id, s.event_id, s.stream_ordering, s.thread_id, 1, s.highlight,"        \
    " s.actions, s.ts"
#define CHAT_ROOM_PUSH_ROWS                                                                    \
    CHAT_ROOM_PUSH_COLUMNS " FROM events e"                                                    \
    " CROSS JOIN room_push_actions s ON s.stream_ordering = e.stream_ordering"                 \
    " WHERE e.room_id = ?2 AND e.stream_ordering > ?3 AND e.stream_ordering < ?4"              \
    " AND s.sender != ?1"
#define CHAT_NOT_OVERRIDDEN                                                                    \
    " AND NOT EXISTS (SELECT 1 FROM event_push_actions p WHERE p.user_id = ?1"                 \
    "  AND p.room_id = ?2 AND p.stream_ordering = s.stream_ordering)"
constexpr const char* kRoomRowsNewest =
    CHAT_ROOM_PUSH_ROWS CHAT_NOT_OVERRIDDEN " ORDER BY e.stream_ordering DESC LIMIT ?5";
constexpr const char* kRoomHighlightsNewest =
    CHAT_ROOM_PUSH_COLUMNS " FROM room_push_actions s WHERE s.room_id = ?2"
    " AND s.highlight = 1 AND s.stream_ordering > ?3 AND s.stream_ordering < ?4"
    " AND s.sender != ?1" CHAT_NOT_OVERRIDDEN " ORDER BY s.stream_ordering DESC LIMIT ?5";
constexpr const char* kRoomRowsOldest =
    CHAT_ROOM_PUSH_ROWS CHAT_NOT_OVERRIDDEN " ORDER BY e.stream_ordering LIMIT ?5";
#undef CHAT_NOT_OVERRIDDEN
#undef CHAT_ROOM_PUSH_ROWS
#undef CHAT_ROOM_PUSH_COLUMNS

}  // namespace

Result<std::vector<PushActionRow>> SqlitePushActions::merged(const UserId& user_id,
                                                             Position bound, bool newest,
                                                             std::size_t limit,
                                                             bool only_highlight) {
    const auto n = static_cast<std::int64_t>(limit);
    auto rows =
        newest ? all_rows(conn_.query("SELECT user_id, room_id, event_id, stream_ordering,"
                                      " thread_id, notify, highlight, actions, ts"
                                      " FROM event_push_actions"
                                      " WHERE user_id = ?1 AND stream_ordering < ?2 AND notify = 1"
                                      " AND (?3 = 0 OR highlight = 1)"
                                      " ORDER BY stream_ordering DESC LIMIT ?4",
                                      user_id, bound, only_highlight, n),
                          read_push_action)
               : all_rows(conn_.query("SELECT user_id, room_id, event_id, stream_ordering,"
                                      " thread_id, notify, highlight, actions, ts"
                                      " FROM event_push_actions"
                                      " WHERE user_id = ?1 AND stream_ordering > ?2 AND notify = 1"
                                      " ORDER BY stream_ordering LIMIT ?3",
                                      user_id, bound, n),
                          read_push_action);
    if (!rows) return rows.error();
    // Each joined room gives at most `limit` rows, newest (or oldest) first
    // from its own index: the cost follows the rooms and the limit, not the
    // history.
    struct Joined {
        std::string room_id;
        Position since;
    };
    auto joined = all_rows(conn_.query("SELECT room_id, joined_since FROM room_memberships"
                                       " WHERE user_id = ?1 AND membership = 'join'"
                                       " AND joined_since IS NOT NULL",
                                       user_id),
                           [](const Query& q) -> Result<Joined> {
                               return Joined{std::string(q.text(0)), q.int64(1)};
                           });
    if (!joined) return joined.error();
    const char* sql = !newest ? kRoomRowsOldest
                      : only_highlight ? kRoomHighlightsNewest
                                       : kRoomRowsNewest;
    for (const auto& room : *joined) {
        const Position low = newest ? room.since : std::max(room.since, bound);
        const Position high = newest ? bound : kMaxPosition;
        auto shared =
            all_rows(conn_.query(sql, user_id, room.room_id, low, high, n), read_push_action);
        if (!shared) return shared.error();
        for (auto& r : *shared) rows->push_back(std::move(r));
    }
    std::sort(rows->begin(), rows->end(), [&](const PushActionRow& a, const PushActionRow& b) {
        return newest ? a.stream_ordering > b.stream_ordering
                      : a.stream_ordering < b.stream_ordering;
    });
    if (rows->size() > limit) rows->erase(rows->begin() + n, rows->end());
    return rows;
}

Result<std::vector<PushActionRow>> SqlitePushActions::newest_before(const UserId& user_id,
                                                                    Position before,
                                                                    std::size_t limit,
                                                                    bool only_highlight) {
    return merged(user_id, before, true, limit, only_highlight);
}

Result<std::vector<PushActionRow>> SqlitePushActions::oldest_after(const UserId& user_id,
                                                                   Position after,
                                                                   std::size_t limit) {
    return merged(user_id, after, false, limit, false);
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

Result<void> SqlitePushActions::put_for_room(const RoomPushActionRow& row) {
    auto written = conn_.run(
        "INSERT OR REPLACE INTO room_push_actions(room_id, stream_ordering, event_id, sender,"
        " thread_id, highlight, actions, ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        row.room_id, row.stream_ordering, row.event_id, row.sender,
        row.thread_id ? std::string_view(*row.thread_id) : std::string_view(), row.highlight,
        row.actions.dump(), row.ts);
    if (!written) return written.error();
    return ok();
}

}  // namespace chat::store::sqlite
