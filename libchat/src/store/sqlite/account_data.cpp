#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// Columns: user_id, room_id ('' for global), type, content, stream_position.
Result<AccountDataRow> read_account_data(const Query& q) {
    auto user_id = q.id<UserId>(0);
    if (!user_id) return user_id.error();
    std::optional<RoomId> room_id;
    if (!q.text(1).empty()) {
        auto room = q.id<RoomId>(1);
        if (!room) return room.error();
        room_id = std::move(*room);
    }
    auto content = q.json(3);
    if (!content) return content.error();
    return AccountDataRow{.user_id = std::move(*user_id),
                          .room_id = std::move(room_id),
                          .type = std::string(q.text(2)),
                          .content = std::move(*content),
                          .stream_position = q.int64(4)};
}

std::string_view room_key(const std::optional<RoomId>& room_id) {
    return room_id ? room_id->str() : std::string_view();
}

}  // namespace

Result<std::optional<AccountDataRow>> SqliteAccountData::get(const UserId& user_id,
                                                             const std::optional<RoomId>& room_id,
                                                             std::string_view type) {
    return optional_row(conn_.query("SELECT user_id, room_id, type, content, stream_position"
                                    " FROM account_data"
                                    " WHERE user_id = ?1 AND room_id = ?2 AND type = ?3",
                                    user_id, room_key(room_id), type),
                        read_account_data);
}

Result<std::vector<AccountDataRow>> SqliteAccountData::all_for_user(const UserId& user_id) {
    return all_rows(conn_.query("SELECT user_id, room_id, type, content, stream_position"
                                " FROM account_data WHERE user_id = ?1"
                                " ORDER BY room_id, type",
                                user_id),
                    read_account_data);
}

Result<std::vector<AccountDataRow>> SqliteAccountData::changes_for_user(const UserId& user_id,
                                                                        Position from,
                                                                        Position to) {
    return all_rows(conn_.query("SELECT user_id, room_id, type, content, stream_position"
                                " FROM account_data WHERE user_id = ?1"
                                " AND stream_position > ?2 AND stream_position <= ?3"
                                " ORDER BY stream_position",
                                user_id, from, to),
                    read_account_data);
}

Result<void> SqliteAccountData::put(const AccountDataRow& row) {
    auto written = conn_.run(
        "INSERT INTO account_data(user_id, room_id, type, content, stream_position)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(user_id, room_id, type) DO UPDATE SET"
        " content = excluded.content, stream_position = excluded.stream_position",
        row.user_id, room_key(row.room_id), row.type, row.content.dump(), row.stream_position);
    if (!written) return written.error();
    return ok();
}

}  // namespace chat::store::sqlite
