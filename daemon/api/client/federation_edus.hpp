#pragma once

#include <nlohmann/json.hpp>

#include <chat/core/room_id.hpp>

#include "http/task.hpp"

namespace chat::daemon {

struct Services;

// Sends an EDU ({"edu_type", "content"}) about `room_id` to every other
// server with members in it (typing, read receipts); nothing when the room
// has none or federation is off. Best effort, as EDUs are.
Task<void> share_room_edu(const Services& services, const RoomId& room_id, nlohmann::json edu);

}  // namespace chat::daemon
