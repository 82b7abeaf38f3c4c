#include "store/sqlite/areas.hpp"

#include <algorithm>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

constexpr std::int64_t kMaxLimit = 1 << 30;

// Columns: user_id, state, status_msg, last_active_ts, currently_active, stream_position.
Result<PresenceRow> read_presence(const Query& q) {
    auto user_id = q.id<UserId>(0);
    if (!user_id) return user_id.error();
    return PresenceRow{.user_id = std::move(*user_id),
                       .state = std::string(q.text(1)),
                       .status_msg = q.opt_text(2),
                       .last_active_ts = q.int64(3),
                       .currently_active = q.boolean(4),
                       .stream_position = q.int64(5)};
}

}  // namespace

Result<std::optional<PresenceRow>> SqlitePresence::get(const UserId& user_id) {
    return optional_row(conn_.query("SELECT user_id, state, status_msg, last_active_ts,"
                                    " currently_active, stream_position FROM presence"
                                    " WHERE user_id = ?1",
                                    user_id),
                        read_presence);
}

Result<std::vector<PresenceRow>> SqlitePresence::visible_changes(const UserId& viewer,
                                                                 Position from, Position to,
                                                                 std::size_t limit) {
    const auto n = static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxLimit));
    auto rows = all_rows(
        conn_.query("SELECT p.user_id, p.state, p.status_msg, p.last_active_ts,"
                    " p.currently_active, p.stream_position FROM presence p"
                    " WHERE p.stream_position > ?2 AND p.stream_position <= ?3"
                    " AND (p.user_id = ?1 OR EXISTS (SELECT 1 FROM room_memberships mine"
                    "  JOIN room_memberships theirs ON theirs.room_id = mine.room_id"
                    "  WHERE mine.user_id = ?1 AND mine.membership = 'join'"
                    "  AND theirs.user_id = p.user_id AND theirs.membership = 'join'))"
                    " ORDER BY p.stream_position DESC LIMIT ?4",
                    viewer, from, to, n),
        read_presence);
    if (!rows) return rows.error();
    std::reverse(rows->begin(), rows->end());
    return rows;
}

Result<std::vector<PresenceRow>> SqlitePresence::not_offline() {
    return all_rows(conn_.query("SELECT user_id, state, status_msg, last_active_ts,"
                                " currently_active, stream_position FROM presence"
                                " WHERE state != 'offline' ORDER BY user_id"),
                    read_presence);
}

Result<bool> SqlitePresence::share_a_room(const UserId& a, const UserId& b) {
    if (a == b) return true;
    auto q = conn_.query(
        "SELECT 1 FROM room_memberships x JOIN room_memberships y ON y.room_id = x.room_id"
        " WHERE x.user_id = ?1 AND x.membership = 'join' AND y.user_id = ?2"
        " AND y.membership = 'join' LIMIT 1",
        a, b);
    if (!q) return q.error();
    return q->step();
}

Result<void> SqlitePresence::put(const PresenceRow& row) {
    auto written = conn_.run(
        "INSERT INTO presence(user_id, state, status_msg, last_active_ts, currently_active,"
        " stream_position) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(user_id) DO UPDATE SET"
        " state = excluded.state, status_msg = excluded.status_msg,"
        " last_active_ts = excluded.last_active_ts, currently_active = excluded.currently_active,"
        " stream_position = excluded.stream_position",
        row.user_id, row.state, row.status_msg, row.last_active_ts, row.currently_active,
        row.stream_position);
    if (!written) return written.error();
    return ok();
}

}  // namespace chat::store::sqlite
