#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// Columns: user_id, room_id, membership, event_id, stream_ordering.
Result<MembershipRow> read_membership(const Query& q) {
    auto user_id = q.id<UserId>(0);
    if (!user_id) return user_id.error();
    auto room_id = q.id<RoomId>(1);
    if (!room_id) return room_id.error();
    auto event_id = q.id<EventId>(3);
    if (!event_id) return event_id.error();
    return MembershipRow{.user_id = std::move(*user_id),
                         .room_id = std::move(*room_id),
                         .membership = std::string(q.text(2)),
                         .event_id = std::move(*event_id),
                         .stream_ordering = q.int64(4)};
}

}  // namespace

Result<void> write_membership(Connection& conn, const MembershipRow& row) {
    auto current = conn.run(
        "INSERT INTO room_memberships(user_id, room_id, membership, event_id, stream_ordering,"
        " joined_since) VALUES (?1, ?2, ?3, ?4, ?5, CASE ?3 WHEN 'join' THEN ?5 END)"
        " ON CONFLICT(user_id, room_id) DO UPDATE SET"
        // A join after a join (a profile change) keeps when the join began.
        " joined_since = CASE WHEN excluded.membership != 'join' THEN NULL"
        "   WHEN room_memberships.membership = 'join' THEN room_memberships.joined_since"
        "   ELSE excluded.stream_ordering END,"
        " membership = excluded.membership, event_id = excluded.event_id,"
        " stream_ordering = excluded.stream_ordering",
        row.user_id, row.room_id, row.membership, row.event_id, row.stream_ordering);
    if (!current) return current.error();
    auto logged = conn.run(
        "INSERT INTO membership_changes(stream_ordering, user_id, room_id, membership, event_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
        row.stream_ordering, row.user_id, row.room_id, row.membership, row.event_id);
    if (!logged) return logged.error();
    return ok();
}

Result<std::optional<MembershipRow>> SqliteMembers::get(const UserId& user_id,
                                                        const RoomId& room_id) {
    return optional_row(conn_.query("SELECT user_id, room_id, membership, event_id,"
                                    " stream_ordering FROM room_memberships"
                                    " WHERE user_id = ?1 AND room_id = ?2",
                                    user_id, room_id),
                        read_membership);
}

Result<std::vector<MembershipRow>> SqliteMembers::rooms_for_user(const UserId& user_id,
                                                                 std::string_view membership) {
    return all_rows(conn_.query("SELECT user_id, room_id, membership, event_id,"
                                " stream_ordering FROM room_memberships"
                                " WHERE user_id = ?1 AND membership = ?2 ORDER BY room_id",
                                user_id, membership),
                    read_membership);
}

Result<std::vector<MembershipRow>> SqliteMembers::members_of(const RoomId& room_id,
                                                             std::string_view membership) {
    return all_rows(conn_.query("SELECT user_id, room_id, membership, event_id,"
                                " stream_ordering FROM room_memberships"
                                " WHERE room_id = ?1 AND membership = ?2 ORDER BY user_id",
                                room_id, membership),
                    read_membership);
}

Result<std::int64_t> SqliteMembers::count(const RoomId& room_id, std::string_view membership) {
    auto n = optional_row(conn_.query("SELECT COUNT(*) FROM room_memberships"
                                      " WHERE room_id = ?1 AND membership = ?2",
                                      room_id, membership),
                          int64_at0);
    if (!n) return n.error();
    return n->value_or(0);
}

Result<std::vector<MembershipRow>> SqliteMembers::changes_for_user(const UserId& user_id,
                                                                   Position from, Position to) {
    return all_rows(conn_.query("SELECT user_id, room_id, membership, event_id,"
                                " stream_ordering FROM membership_changes"
                                " WHERE user_id = ?1 AND stream_ordering > ?2"
                                " AND stream_ordering <= ?3 ORDER BY stream_ordering, id",
                                user_id, from, to),
                    read_membership);
}

Result<void> SqliteMembers::set_out_of_band(const MembershipRow& row) {
    return write_membership(conn_, row);
}

Result<std::optional<EventId>> SqliteMembers::forgotten_at(const UserId& user_id,
                                                          const RoomId& room_id) {
    return optional_row(conn_.query("SELECT event_id FROM forgotten_rooms"
                                    " WHERE user_id = ?1 AND room_id = ?2",
                                    user_id, room_id),
                        event_id_at0);
}

Result<void> SqliteMembers::forget(const UserId& user_id, const RoomId& room_id,
                                   const EventId& event_id) {
    auto written =
        conn_.run("INSERT INTO forgotten_rooms (user_id, room_id, event_id) VALUES (?1, ?2, ?3)"
                  " ON CONFLICT (user_id, room_id) DO UPDATE SET event_id = excluded.event_id",
                  user_id, room_id, event_id);
    if (!written) return written.error();
    return ok();
}

}  // namespace chat::store::sqlite
