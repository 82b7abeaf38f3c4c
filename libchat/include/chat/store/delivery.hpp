#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// An explicit MSC4089 delivery receipt: `user_id`'s client confirmed that it
// received `event_id`. Routed to `event_sender` only.
struct DeliveryReceiptRow {
    RoomId room_id;
    EventId event_id;
    UserId user_id;
    UserId event_sender;
    std::int64_t ts = 0;
    Position stream_position = 0;  // Stream::receipts
};

// Delivery inferred from /sync: some device of `user_id` received the room
// up to `event_id`. One row per (room, user), moved forward in place.
struct InferredDeliveryRow {
    RoomId room_id;
    UserId user_id;
    EventId event_id;
    Position event_ordering = 0;
    std::int64_t ts = 0;
    // The senders this move concerns, each with the newest of their own
    // events it covers: {"@alice:x": "$event"}.
    nlohmann::json sender_events = nlohmann::json::object();
    Position stream_position = 0;  // Stream::receipts
};

class DeliveryReader {
public:
    virtual ~DeliveryReader() = default;
    virtual Result<bool> has_receipt(const RoomId& room_id, const EventId& event_id,
                                     const UserId& user_id) = 0;
    virtual Result<std::optional<InferredDeliveryRow>> inferred(const RoomId& room_id,
                                                               const UserId& user_id) = 0;
    // Explicit receipts for events `sender` sent, from < position <= to,
    // oldest first, at most `limit`.
    virtual Result<std::vector<DeliveryReceiptRow>> receipts_for_sender(const UserId& sender,
                                                                        Position from,
                                                                        Position to,
                                                                        std::size_t limit) = 0;
    // Inferred moves in the rooms `viewer` is joined to, from < position <=
    // to, oldest first, at most `limit`. The caller keeps the rows whose
    // sender_events name the viewer.
    virtual Result<std::vector<InferredDeliveryRow>> inferred_in_joined_rooms(
        const UserId& viewer, Position from, Position to, std::size_t limit) = 0;
    // The events position up to which the user's syncs were acknowledged (0).
    virtual Result<Position> acked_position(const UserId& user_id) = 0;
};

class Delivery : public DeliveryReader {
public:
    // False, changing nothing, when the receipt exists (duplicates are fine).
    virtual Result<bool> put_receipt(const DeliveryReceiptRow& row) = 0;
    virtual Result<void> put_inferred(const InferredDeliveryRow& row) = 0;
    virtual Result<void> set_acked_position(const UserId& user_id, Position position) = 0;
};

}  // namespace chat::store
