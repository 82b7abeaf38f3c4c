#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<RoomRow> read_room_row(const Query& q) {
    auto room_id = q.id<RoomId>(0);
    if (!room_id) return room_id.error();
    auto creator = q.opt_id<UserId>(2);
    if (!creator) return creator.error();
    return RoomRow{.room_id = std::move(*room_id),
                   .room_version = std::string(q.text(1)),
                   .creator = std::move(*creator),
                   .created_ts = q.int64(3),
                   .visibility = std::string(q.text(4))};
}

namespace {

constexpr std::int64_t kMaxLimit = 1 << 30;

}  // namespace

Result<std::optional<RoomRow>> SqliteRooms::get(const RoomId& room_id) {
    return optional_row(conn_.query("SELECT room_id, room_version, creator, created_ts,"
                                    " visibility FROM rooms WHERE room_id = ?1",
                                    room_id),
                        read_room_row);
}

Result<std::vector<RoomRow>> SqliteRooms::public_rooms(const std::optional<RoomId>& after,
                                                       std::size_t limit) {
    const auto n = static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxLimit));
    return all_rows(conn_.query("SELECT room_id, room_version, creator, created_ts, visibility"
                                " FROM rooms WHERE visibility = 'public' AND room_id > ?1"
                                " ORDER BY room_id LIMIT ?2",
                                after ? after->str() : std::string_view(), n),
                    read_room_row);
}

Result<std::vector<RoomRow>> SqliteRooms::public_rooms_before(const RoomId& before,
                                                              std::size_t limit) {
    const auto n = static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxLimit));
    return all_rows(conn_.query("SELECT room_id, room_version, creator, created_ts, visibility"
                                " FROM rooms WHERE visibility = 'public' AND room_id < ?1"
                                " ORDER BY room_id DESC LIMIT ?2",
                                before, n),
                    read_room_row);
}

Result<std::int64_t> SqliteRooms::count_public() {
    auto n = optional_row(conn_.query("SELECT count(*) FROM rooms WHERE visibility = 'public'"),
                          int64_at0);
    if (!n) return n.error();
    return n->value_or(0);
}

Result<bool> SqliteRooms::create(const RoomRow& room) {
    auto added = conn_.run("INSERT INTO rooms(room_id, room_version, creator, created_ts,"
                           " visibility) VALUES (?1, ?2, ?3, ?4, ?5)"
                           " ON CONFLICT(room_id) DO NOTHING",
                           room.room_id, room.room_version, room.creator, room.created_ts,
                           room.visibility);
    if (!added) return added.error();
    return *added > 0;
}

Result<void> SqliteRooms::set_visibility(const RoomId& room_id, std::string visibility) {
    auto changed = conn_.run("UPDATE rooms SET visibility = ?2 WHERE room_id = ?1", room_id,
                             visibility);
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("Unknown room.");
    return ok();
}

}  // namespace chat::store::sqlite
