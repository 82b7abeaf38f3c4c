#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<std::optional<AliasRow>> SqliteAliases::get(const RoomAlias& alias) {
    return optional_row(
        conn_.query("SELECT alias, room_id, creator FROM room_aliases WHERE alias = ?1", alias),
        [](const Query& q) -> Result<AliasRow> {
            auto stored = q.id<RoomAlias>(0);
            if (!stored) return stored.error();
            auto room_id = q.id<RoomId>(1);
            if (!room_id) return room_id.error();
            auto creator = q.id<UserId>(2);
            if (!creator) return creator.error();
            return AliasRow{.alias = std::move(*stored),
                            .room_id = std::move(*room_id),
                            .creator = std::move(*creator)};
        });
}

Result<std::vector<RoomAlias>> SqliteAliases::for_room(const RoomId& room_id) {
    return all_rows(
        conn_.query("SELECT alias FROM room_aliases WHERE room_id = ?1 ORDER BY alias", room_id),
        [](const Query& q) { return q.id<RoomAlias>(0); });
}

Result<void> SqliteAliases::put(const RoomAlias& alias, const RoomId& room_id,
                                const UserId& creator) {
    auto added = conn_.run(
        "INSERT INTO room_aliases(alias, room_id, creator) VALUES (?1, ?2, ?3)"
        " ON CONFLICT(alias) DO NOTHING",
        alias, room_id, creator);
    if (!added) return added.error();
    if (*added == 0) return make_error(Errc::room_in_use, "Room alias already taken");
    return ok();
}

Result<bool> SqliteAliases::remove(const RoomAlias& alias) {
    auto removed = conn_.run("DELETE FROM room_aliases WHERE alias = ?1", alias);
    if (!removed) return removed.error();
    return *removed > 0;
}

}  // namespace chat::store::sqlite
