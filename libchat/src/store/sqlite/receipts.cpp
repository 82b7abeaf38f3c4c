#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

constexpr std::int64_t kMaxLimit = 1 << 30;

// Columns: room_id, receipt_type, user_id, thread_id, event_id, event_ordering,
// ts, data, stream_position.
Result<ReceiptRow> read_receipt(const Query& q) {
    auto room_id = q.id<RoomId>(0);
    if (!room_id) return room_id.error();
    auto user_id = q.id<UserId>(2);
    if (!user_id) return user_id.error();
    auto event_id = q.id<EventId>(4);
    if (!event_id) return event_id.error();
    auto data = q.json(7);
    if (!data) return data.error();
    std::optional<std::string> thread_id;
    if (!q.text(3).empty()) thread_id = std::string(q.text(3));
    return ReceiptRow{.room_id = std::move(*room_id),
                      .user_id = std::move(*user_id),
                      .type = std::string(q.text(1)),
                      .thread_id = std::move(thread_id),
                      .event_id = std::move(*event_id),
                      .event_ordering = q.opt_int64(5),
                      .ts = q.int64(6),
                      .data = std::move(*data),
                      .stream_position = q.int64(8)};
}

// Unthreaded receipts are stored under '' (NULLs are distinct in a key).
std::string_view thread_key(const std::optional<std::string>& thread_id) {
    return thread_id ? std::string_view(*thread_id) : std::string_view();
}

}  // namespace

Result<std::optional<ReceiptRow>> SqliteReceipts::get(const RoomId& room_id,
                                                      const UserId& user_id,
                                                      std::string_view type,
                                                      const std::optional<std::string>& thread_id) {
    return optional_row(conn_.query("SELECT room_id, receipt_type, user_id, thread_id, event_id,"
                                    " event_ordering, ts, data, stream_position FROM receipts"
                                    " WHERE room_id = ?1 AND receipt_type = ?2 AND user_id = ?3"
                                    " AND thread_id = ?4",
                                    room_id, type, user_id, thread_key(thread_id)),
                        read_receipt);
}

Result<std::vector<ReceiptRow>> SqliteReceipts::for_room(const RoomId& room_id) {
    return all_rows(conn_.query("SELECT room_id, receipt_type, user_id, thread_id, event_id,"
                                " event_ordering, ts, data, stream_position FROM receipts"
                                " WHERE room_id = ?1 ORDER BY stream_position",
                                room_id),
                    read_receipt);
}

Result<std::vector<ReceiptRow>> SqliteReceipts::changes(Position from, Position to,
                                                        std::size_t limit) {
    const auto n = static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxLimit));
    return all_rows(conn_.query("SELECT room_id, receipt_type, user_id, thread_id, event_id,"
                                " event_ordering, ts, data, stream_position FROM receipts"
                                " WHERE stream_position > ?1 AND stream_position <= ?2"
                                " ORDER BY stream_position LIMIT ?3",
                                from, to, n),
                    read_receipt);
}

Result<std::vector<ReceiptRow>> SqliteReceipts::changes_in_room(const RoomId& room_id,
                                                                Position from, Position to) {
    return all_rows(conn_.query("SELECT room_id, receipt_type, user_id, thread_id, event_id,"
                                " event_ordering, ts, data, stream_position FROM receipts"
                                " WHERE room_id = ?1 AND stream_position > ?2"
                                " AND stream_position <= ?3 ORDER BY stream_position",
                                room_id, from, to),
                    read_receipt);
}

Result<std::optional<Position>> SqliteReceipts::read_up_to(const RoomId& room_id,
                                                          const UserId& user_id) {
    auto q = conn_.query("SELECT max(event_ordering) FROM receipts WHERE room_id = ?1"
                         " AND user_id = ?2 AND receipt_type IN ('m.read', 'm.read.private')"
                         " AND thread_id IN ('', 'main')",
                         room_id, user_id);
    if (!q) return q.error();
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) return std::optional<Position>();
    return q->opt_int64(0);
}

Result<void> SqliteReceipts::put(const ReceiptRow& row) {
    auto written = conn_.run(
        "INSERT INTO receipts(room_id, receipt_type, user_id, thread_id, event_id,"
        " event_ordering, ts, data, stream_position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        " ON CONFLICT(room_id, receipt_type, user_id, thread_id) DO UPDATE SET"
        " event_id = excluded.event_id, event_ordering = excluded.event_ordering,"
        " ts = excluded.ts, data = excluded.data, stream_position = excluded.stream_position",
        row.room_id, row.type, row.user_id, thread_key(row.thread_id), row.event_id,
        row.event_ordering, row.ts, row.data.dump(), row.stream_position);
    if (!written) return written.error();
    return ok();
}

}  // namespace chat::store::sqlite
