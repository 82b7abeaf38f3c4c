#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

#define CHAT_USERS_COLUMNS                                                                  \
    "SELECT user_id, password_hash, created_ts, admin, deactivated, guest, user_type,"      \
    " displayname, avatar_url FROM users"

// ?1 name, ?2 user_id (substrings), ?3 guests, ?4 deactivated (include them),
// ?5 admins (NULL: both).
#define CHAT_USERS_FILTER                                                                   \
    " WHERE (?1 IS NULL OR instr(lower(user_id), lower(?1)) > 0"                            \
    "        OR instr(lower(coalesce(displayname, '')), lower(?1)) > 0)"                    \
    " AND (?2 IS NULL OR instr(lower(user_id), lower(?2)) > 0)"                             \
    " AND (?3 = 1 OR guest = 0) AND (?4 = 1 OR deactivated = 0)"                            \
    " AND (?5 IS NULL OR admin = ?5)"

constexpr std::string_view kUsersAscending =
    CHAT_USERS_COLUMNS CHAT_USERS_FILTER " ORDER BY user_id LIMIT ?6 OFFSET ?7";
constexpr std::string_view kUsersDescending =
    CHAT_USERS_COLUMNS CHAT_USERS_FILTER " ORDER BY user_id DESC LIMIT ?6 OFFSET ?7";
constexpr std::string_view kUsersCount = "SELECT count(*) FROM users" CHAT_USERS_FILTER;

#undef CHAT_USERS_COLUMNS
#undef CHAT_USERS_FILTER

std::int64_t bounded(std::size_t n) {
    return static_cast<std::int64_t>(
        std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max()));
}

std::optional<std::int64_t> admin_filter(const UserListQuery& query) {
    if (!query.admins) return std::nullopt;
    return *query.admins ? 1 : 0;
}

// What purge_room() deletes, keyed by room id (?1). Event-keyed tables go
// first, while the events rows still say which ids belong to the room.
constexpr std::array<std::string_view, 20> kPurgeStatements = {
    "DELETE FROM event_children"
    " WHERE event_id IN (SELECT event_id FROM events WHERE room_id = ?1)",
    "DELETE FROM redactions WHERE redaction_id IN"
    " (SELECT event_id FROM events WHERE room_id = ?1)",
    "DELETE FROM redacted_originals WHERE event_id IN"
    " (SELECT event_id FROM events WHERE room_id = ?1)",
    "DELETE FROM client_txn_ids WHERE event_id IN"
    " (SELECT event_id FROM events WHERE room_id = ?1)",
    "DELETE FROM event_relations WHERE room_id = ?1",
    "DELETE FROM event_push_actions WHERE room_id = ?1",
    "DELETE FROM room_push_actions WHERE stream_ordering IN"
    " (SELECT stream_ordering FROM events WHERE room_id = ?1)",
    "DELETE FROM state_group_entries WHERE group_id IN"
    " (SELECT id FROM state_groups WHERE room_id = ?1)",
    "DELETE FROM state_groups WHERE room_id = ?1",
    "DELETE FROM current_state WHERE room_id = ?1",
    "DELETE FROM current_state_delta WHERE room_id = ?1",
    "DELETE FROM forward_extremities WHERE room_id = ?1",
    "DELETE FROM room_memberships WHERE room_id = ?1",
    "DELETE FROM membership_changes WHERE room_id = ?1",
    "DELETE FROM receipts WHERE room_id = ?1",
    "DELETE FROM account_data WHERE room_id = ?1",
    "DELETE FROM room_aliases WHERE room_id = ?1",
    "DELETE FROM forgotten_rooms WHERE room_id = ?1",
    "DELETE FROM events WHERE room_id = ?1",
    "DELETE FROM rooms WHERE room_id = ?1",
};

}  // namespace

Result<std::vector<UserRow>> SqliteAdmin::list_users(const UserListQuery& query) {
    return all_rows(conn_.query(query.descending ? kUsersDescending : kUsersAscending,
                                query.name, query.user_id, query.guests, query.deactivated,
                                admin_filter(query), bounded(query.limit),
                                std::max<std::int64_t>(query.from, 0)),
                    read_user_row);
}

Result<std::int64_t> SqliteAdmin::count_users(const UserListQuery& query) {
    auto n = optional_row(conn_.query(kUsersCount, query.name, query.user_id, query.guests,
                                      query.deactivated, admin_filter(query)),
                          int64_at0);
    if (!n) return n.error();
    return n->value_or(0);
}

Result<std::vector<RoomRow>> SqliteAdmin::all_rooms() {
    return all_rows(
        conn_.query("SELECT room_id, room_version, creator, created_ts, visibility FROM rooms"
                    " ORDER BY room_id"),
        read_room_row);
}

Result<std::int64_t> SqliteAdmin::count_members_on(const RoomId& room_id,
                                                   std::string_view membership,
                                                   std::string_view server) {
    // A user ID's server is everything after its first ':'; comparing the
    // suffix is exact because localparts cannot contain ':'.
    auto n = optional_row(
        conn_.query("SELECT count(*) FROM room_memberships WHERE room_id = ?1"
                    " AND membership = ?2 AND substr(user_id, instr(user_id, ':') + 1) = ?3",
                    room_id, membership, server),
        int64_at0);
    if (!n) return n.error();
    return n->value_or(0);
}

Result<std::optional<RoomBlock>> SqliteAdmin::room_block(const RoomId& room_id) {
    return optional_row(
        conn_.query("SELECT room_id, blocked_by, blocked_ts FROM blocked_rooms WHERE room_id = ?1",
                    room_id),
        [](const Query& q) -> Result<RoomBlock> {
            auto room = q.id<RoomId>(0);
            if (!room) return room.error();
            auto by = q.id<UserId>(1);
            if (!by) return by.error();
            return RoomBlock{std::move(*room), std::move(*by), q.int64(2)};
        });
}

Result<bool> SqliteAdmin::erased(const UserId& user_id) {
    auto row = optional_row(conn_.query("SELECT 1 FROM erased_users WHERE user_id = ?1", user_id),
                            int64_at0);
    if (!row) return row.error();
    return row->has_value();
}

Result<ServerCounts> SqliteAdmin::counts(std::string_view server) {
    auto row = optional_row(
        conn_.query("SELECT (SELECT count(*) FROM users),"
                    " (SELECT count(*) FROM users WHERE deactivated = 0),"
                    " (SELECT count(*) FROM rooms), (SELECT count(*) FROM events),"
                    " (SELECT count(*) FROM media WHERE origin = ?1)",
                    server),
        [](const Query& q) -> Result<ServerCounts> {
            return ServerCounts{.users = q.int64(0),
                                .active_users = q.int64(1),
                                .rooms = q.int64(2),
                                .events = q.int64(3),
                                .local_media = q.int64(4)};
        });
    if (!row) return row.error();
    return row->value_or(ServerCounts{});
}

Result<void> SqliteAdmin::block_room(const RoomBlock& block) {
    auto added = conn_.run(
        "INSERT OR IGNORE INTO blocked_rooms(room_id, blocked_by, blocked_ts) VALUES (?1, ?2, ?3)",
        block.room_id, block.blocked_by, block.blocked_ts);
    if (!added) return added.error();
    return ok();
}

Result<bool> SqliteAdmin::unblock_room(const RoomId& room_id) {
    auto removed = conn_.run("DELETE FROM blocked_rooms WHERE room_id = ?1", room_id);
    if (!removed) return removed.error();
    return *removed > 0;
}

Result<void> SqliteAdmin::set_erased(const UserId& user_id, bool erased) {
    auto changed = erased ? conn_.run("INSERT OR IGNORE INTO erased_users(user_id) VALUES (?1)",
                                      user_id)
                          : conn_.run("DELETE FROM erased_users WHERE user_id = ?1", user_id);
    if (!changed) return changed.error();
    return ok();
}

Result<std::int64_t> SqliteAdmin::purge_room(const RoomId& room_id) {
    // The search index is contentless: a row is forgotten by giving back the
    // text it indexed, which is the stored JSON of events in the timeline
    // that were never redacted (what SqliteEvents indexed).
    struct Indexed {
        Position ordering;
        nlohmann::json json;
    };
    auto indexed = all_rows(
        conn_.query("SELECT stream_ordering, json FROM events"
                    " WHERE room_id = ?1 AND outlier = 0 AND redacted_by IS NULL",
                    room_id),
        [](const Query& q) -> Result<Indexed> {
            auto json = q.json(1);
            if (!json) return json.error();
            return Indexed{q.int64(0), std::move(*json)};
        });
    if (!indexed) return indexed.error();
    for (const auto& row : *indexed) {
        if (auto removed = unindex_event_text(conn_, search_queue_, row.ordering, row.json); !removed)
            return removed.error();
    }

    auto events = optional_row(conn_.query("SELECT count(*) FROM events WHERE room_id = ?1",
                                           room_id),
                               int64_at0);
    if (!events) return events.error();
    for (auto sql : kPurgeStatements) {
        if (auto done = conn_.run(sql, room_id); !done) return done.error();
    }
    return events->value_or(0);
}

}  // namespace chat::store::sqlite
