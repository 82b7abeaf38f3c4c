#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/delivery.hpp>

#include "http/task.hpp"

namespace chat::daemon {

struct Services;

// Sends an EDU ({"edu_type", "content"}) about `room_id` to every other
// server with members in it (typing, read receipts); nothing when the room
// has none or federation is off. Best effort, as EDUs are.
Task<void> share_room_edu(const Services& services, const RoomId& room_id, nlohmann::json edu);

// MSC4089 delivery receipts of local users over federation: an m.receipt
// EDU whose receipt type is receipts::kDeliveryType. Only the sender of a
// receipted event sees its delivery receipts, so it goes only to the
// servers of those senders (joined to the room), never to the whole room.
Task<void> share_delivery_receipt(const Services& services, const RoomId& room_id,
                                  const UserId& user, const EventId& event_id, std::int64_t ts);
// The same for inferred moves (receipts::infer_delivery): each remote
// sender's server gets its senders' newest covered events, marked inferred.
Task<void> share_inferred_delivery(const Services& services,
                                   std::vector<store::InferredDeliveryRow> moves);

}  // namespace chat::daemon
