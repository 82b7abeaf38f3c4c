#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/rooms.hpp>
#include <chat/store/users.hpp>

namespace chat::store {

// GET /_synapse/admin/v2/users: which accounts, and which page of them.
struct UserListQuery {
    // Substring (ASCII case-insensitive) of the user ID or the displayname.
    std::optional<std::string> name;
    // Substring of the user ID only.
    std::optional<std::string> user_id;
    bool guests = true;        // include guest accounts
    bool deactivated = false;  // include deactivated accounts
    std::optional<bool> admins;  // only admins (true) or only non-admins (false)
    bool descending = false;   // by user ID
    std::int64_t from = 0;     // rows to skip
    std::size_t limit = 100;
};

// An admin's block on a room (DELETE /_synapse/admin/v2/rooms with block).
struct RoomBlock {
    RoomId room_id;
    UserId blocked_by;
    std::int64_t blocked_ts = 0;
};

// Totals for the statistics endpoint.
struct ServerCounts {
    std::int64_t users = 0;        // local accounts, deactivated ones included
    std::int64_t active_users = 0;
    std::int64_t rooms = 0;
    std::int64_t events = 0;
    std::int64_t local_media = 0;
};

// Queries and changes only the admin API needs. Each list or count is one
// statement; none are on a hot path.
class AdminReader {
public:
    virtual ~AdminReader() = default;
    virtual Result<std::vector<UserRow>> list_users(const UserListQuery& query) = 0;
    // How many accounts match `query` (its from, limit and order ignored).
    virtual Result<std::int64_t> count_users(const UserListQuery& query) = 0;
    // Every room we know, ordered by room id.
    virtual Result<std::vector<RoomRow>> all_rooms() = 0;
    // Members with `membership` whose user ID ends in ":<server>" (local ones).
    virtual Result<std::int64_t> count_members_on(const RoomId& room_id,
                                                 std::string_view membership,
                                                 std::string_view server) = 0;
    virtual Result<std::optional<RoomBlock>> room_block(const RoomId& room_id) = 0;
    virtual Result<bool> erased(const UserId& user_id) = 0;
    // `server` names our local media's origin.
    virtual Result<ServerCounts> counts(std::string_view server) = 0;
};

class Admin : public AdminReader {
public:
    // Blocking an already blocked room keeps the first block.
    virtual Result<void> block_room(const RoomBlock& block) = 0;
    virtual Result<bool> unblock_room(const RoomId& room_id) = 0;
    virtual Result<void> set_erased(const UserId& user_id, bool erased) = 0;
    // Removes everything stored about the room: its events and their edges,
    // relations, search entries and redactions, its state groups, current
    // state and its log, extremities, memberships and their log, receipts,
    // room account data, aliases, forgotten marks, transaction ids and the
    // room row. Its block, if any, stays. Returns how many events went.
    // Large rooms make this one long write transaction.
    virtual Result<std::int64_t> purge_room(const RoomId& room_id) = 0;
};

}  // namespace chat::store
