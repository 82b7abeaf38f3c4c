#pragma once

// Helpers shared by the area implementations: reading rows into row types,
// and the errors they return.

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/store/rooms.hpp>
#include <chat/store/stream.hpp>
#include <chat/store/users.hpp>

#include "store/sqlite/connection.hpp"

namespace chat::store::sqlite {

template <typename F>
using RowType = typename std::invoke_result_t<F&, const Query&>::value_type;

// At most one row, read with `read` (`Result<T>(const Query&)`).
template <typename F>
Result<std::optional<RowType<F>>> optional_row(Result<Query> q, F&& read) {
    if (!q) return q.error();
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) return std::optional<RowType<F>>();
    auto value = read(*q);
    if (!value) return value.error();
    return std::optional<RowType<F>>(std::move(*value));
}

// Every row, read with `read`.
template <typename F>
Result<std::vector<RowType<F>>> all_rows(Result<Query> q, F&& read) {
    if (!q) return q.error();
    std::vector<RowType<F>> rows;
    for (;;) {
        auto row = q->step();
        if (!row) return row.error();
        if (!*row) return rows;
        auto value = read(*q);
        if (!value) return value.error();
        rows.push_back(std::move(*value));
    }
}

inline Result<EventId> event_id_at0(const Query& q) { return q.id<EventId>(0); }

// Row readers shared by several areas (users.cpp, rooms.cpp define them).
// Columns: user_id, password_hash, created_ts, admin, deactivated, guest,
// user_type, displayname, avatar_url.
Result<UserRow> read_user_row(const Query& q);
// Columns: room_id, room_version, creator, created_ts, visibility.
Result<RoomRow> read_room_row(const Query& q);
inline Result<std::int64_t> int64_at0(const Query& q) { return q.int64(0); }

inline Error not_found(std::string what) {
    return make_error(Errc::not_found, std::move(what));
}

// The ids as a JSON array, bound as one parameter and read back in SQL with
// json_each(): a list of any length in a prepared statement.
template <typename Ids>
std::string json_id_list(const Ids& ids) {
    auto list = nlohmann::json::array();
    for (const auto& id : ids) list.push_back(std::string(id.str()));
    return list.dump();
}

// The position of the stream called `name` as stored (0: none yet), without
// the writer's positions not yet committed (streams.cpp).
Result<Position> stored_stream_position(Connection& conn, std::string_view name);

}  // namespace chat::store::sqlite
