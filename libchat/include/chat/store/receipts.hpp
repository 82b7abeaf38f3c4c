#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// A user's latest receipt of one type in one room (and thread).
struct ReceiptRow {
    RoomId room_id;
    UserId user_id;
    std::string type;                      // "m.read", "m.read.private", "m.delivery", ...
    std::optional<std::string> thread_id;  // none: unthreaded
    EventId event_id;
    std::optional<Position> event_ordering;  // the receipted event's ordering, if we have it
    std::int64_t ts = 0;
    nlohmann::json data = nlohmann::json::object();  // the receipt's data, `ts` included
    Position stream_position = 0;  // Stream::receipts
};

class ReceiptsReader {
public:
    virtual ~ReceiptsReader() = default;
    virtual Result<std::optional<ReceiptRow>> get(const RoomId& room_id, const UserId& user_id,
                                                  std::string_view type,
                                                  const std::optional<std::string>& thread_id) = 0;
    virtual Result<std::vector<ReceiptRow>> for_room(const RoomId& room_id) = 0;
    // Receipts with from < stream_position <= to, oldest first, at most `limit`.
    virtual Result<std::vector<ReceiptRow>> changes(Position from, Position to,
                                                    std::size_t limit) = 0;
    virtual Result<std::vector<ReceiptRow>> changes_in_room(const RoomId& room_id, Position from,
                                                            Position to) = 0;
    // The ordering of the latest event the user has read in the room: the
    // later of their m.read and m.read.private receipts, unthreaded or on
    // the main timeline; none without such a receipt (unread counts).
    virtual Result<std::optional<Position>> read_up_to(const RoomId& room_id,
                                                       const UserId& user_id) = 0;
};

class Receipts : public ReceiptsReader {
public:
    // Inserts or replaces the receipt for (room, user, type, thread). Whether
    // it moves forward is the caller's rule; `row.stream_position` comes from
    // WriteTxn::next_position(Stream::receipts).
    virtual Result<void> put(const ReceiptRow& row) = 0;
};

}  // namespace chat::store
