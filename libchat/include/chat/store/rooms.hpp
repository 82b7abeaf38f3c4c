#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// A room this server knows (created here or joined over federation).
struct RoomRow {
    RoomId room_id;
    std::string room_version;        // "1".."12"
    std::optional<UserId> creator;   // the create event's sender, when known
    std::int64_t created_ts = 0;     // when we learnt of it, ms since the epoch
    std::string visibility = "private";  // room directory: "public" or "private"
};

class RoomsReader {
public:
    virtual ~RoomsReader() = default;
    virtual Result<std::optional<RoomRow>> get(const RoomId& room_id) = 0;
    // Rooms with visibility "public", ordered by room id, strictly after
    // `after` when given (pagination).
    virtual Result<std::vector<RoomRow>> public_rooms(const std::optional<RoomId>& after,
                                                      std::size_t limit) = 0;
    // Public rooms strictly before `before`, nearest first (descending room
    // id): paging the directory backwards.
    virtual Result<std::vector<RoomRow>> public_rooms_before(const RoomId& before,
                                                             std::size_t limit) = 0;
    // How many rooms are public (the directory's total_room_count_estimate). Indexed.
    virtual Result<std::int64_t> count_public() = 0;
};

class Rooms : public RoomsReader {
public:
    // Returns false when the room exists already (it is left unchanged).
    virtual Result<bool> create(const RoomRow& room) = 0;
    // Errors: Errc::not_found for an unknown room.
    virtual Result<void> set_visibility(const RoomId& room_id, std::string visibility) = 0;
};

}  // namespace chat::store
