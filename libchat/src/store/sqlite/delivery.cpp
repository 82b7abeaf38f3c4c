#include "store/sqlite/areas.hpp"

#include <algorithm>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

constexpr std::int64_t kMaxLimit = 1 << 30;

std::int64_t bounded(std::size_t limit) {
    return static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxLimit));
}

// Columns: room_id, event_id, user_id, event_sender, ts, stream_position.
Result<DeliveryReceiptRow> read_receipt(const Query& q) {
    auto room_id = q.id<RoomId>(0);
    if (!room_id) return room_id.error();
    auto event_id = q.id<EventId>(1);
    if (!event_id) return event_id.error();
    auto user_id = q.id<UserId>(2);
    if (!user_id) return user_id.error();
    auto sender = q.id<UserId>(3);
    if (!sender) return sender.error();
    return DeliveryReceiptRow{.room_id = std::move(*room_id),
                              .event_id = std::move(*event_id),
                              .user_id = std::move(*user_id),
                              .event_sender = std::move(*sender),
                              .ts = q.int64(4),
                              .stream_position = q.int64(5)};
}

// Columns: room_id, user_id, event_id, event_ordering, ts, sender_events, stream_position.
Result<InferredDeliveryRow> read_inferred(const Query& q) {
    auto room_id = q.id<RoomId>(0);
    if (!room_id) return room_id.error();
    auto user_id = q.id<UserId>(1);
    if (!user_id) return user_id.error();
    auto event_id = q.id<EventId>(2);
    if (!event_id) return event_id.error();
    auto senders = q.json(5);
    if (!senders) return senders.error();
    return InferredDeliveryRow{.room_id = std::move(*room_id),
                               .user_id = std::move(*user_id),
                               .event_id = std::move(*event_id),
                               .event_ordering = q.int64(3),
                               .ts = q.int64(4),
                               .sender_events = std::move(*senders),
                               .stream_position = q.int64(6)};
}

}  // namespace

Result<bool> SqliteDelivery::has_receipt(const RoomId& room_id, const EventId& event_id,
                                         const UserId& user_id) {
    auto q = conn_.query("SELECT 1 FROM delivery_receipts WHERE room_id = ?1 AND event_id = ?2"
                         " AND user_id = ?3",
                         room_id, event_id, user_id);
    if (!q) return q.error();
    return q->step();
}

Result<std::optional<InferredDeliveryRow>> SqliteDelivery::inferred(const RoomId& room_id,
                                                                   const UserId& user_id) {
    return optional_row(conn_.query("SELECT room_id, user_id, event_id, event_ordering, ts,"
                                    " sender_events, stream_position FROM inferred_delivery"
                                    " WHERE room_id = ?1 AND user_id = ?2",
                                    room_id, user_id),
                        read_inferred);
}

Result<std::vector<DeliveryReceiptRow>> SqliteDelivery::receipts_for_sender(const UserId& sender,
                                                                            Position from,
                                                                            Position to,
                                                                            std::size_t limit) {
    return all_rows(conn_.query("SELECT room_id, event_id, user_id, event_sender, ts,"
                                " stream_position FROM delivery_receipts WHERE event_sender = ?1"
                                " AND stream_position > ?2 AND stream_position <= ?3"
                                " ORDER BY stream_position LIMIT ?4",
                                sender, from, to, bounded(limit)),
                    read_receipt);
}

Result<std::vector<InferredDeliveryRow>> SqliteDelivery::inferred_in_joined_rooms(
    const UserId& viewer, Position from, Position to, std::size_t limit) {
    return all_rows(conn_.query("SELECT d.room_id, d.user_id, d.event_id, d.event_ordering,"
                                " d.ts, d.sender_events, d.stream_position"
                                " FROM room_memberships m JOIN inferred_delivery d"
                                " ON d.room_id = m.room_id"
                                " WHERE m.user_id = ?1 AND m.membership = 'join'"
                                " AND d.stream_position > ?2 AND d.stream_position <= ?3"
                                " ORDER BY d.stream_position LIMIT ?4",
                                viewer, from, to, bounded(limit)),
                    read_inferred);
}

Result<Position> SqliteDelivery::acked_position(const UserId& user_id) {
    auto row = optional_row(
        conn_.query("SELECT position FROM delivery_acks WHERE user_id = ?1", user_id), int64_at0);
    if (!row) return row.error();
    return row->value_or(0);
}

Result<bool> SqliteDelivery::put_receipt(const DeliveryReceiptRow& row) {
    auto inserted = conn_.run(
        "INSERT INTO delivery_receipts(room_id, event_id, user_id, event_sender, ts,"
        " stream_position) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        row.room_id, row.event_id, row.user_id, row.event_sender, row.ts, row.stream_position);
    if (!inserted) return inserted.error();
    return *inserted > 0;
}

Result<void> SqliteDelivery::put_inferred(const InferredDeliveryRow& row) {
    auto written = conn_.run(
        "INSERT INTO inferred_delivery(room_id, user_id, event_id, event_ordering, ts,"
        " sender_events, stream_position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(room_id, user_id) DO UPDATE SET event_id = excluded.event_id,"
        " event_ordering = excluded.event_ordering, ts = excluded.ts,"
        " sender_events = excluded.sender_events, stream_position = excluded.stream_position",
        row.room_id, row.user_id, row.event_id, row.event_ordering, row.ts,
        row.sender_events.dump(), row.stream_position);
    if (!written) return written.error();
    return ok();
}

Result<void> SqliteDelivery::set_acked_position(const UserId& user_id, Position position) {
    auto written = conn_.run(
        "INSERT INTO delivery_acks(user_id, position) VALUES (?1, ?2)"
        " ON CONFLICT(user_id) DO UPDATE SET position = max(position, excluded.position)",
        user_id, position);
    if (!written) return written.error();
    return ok();
}

}  // namespace chat::store::sqlite
