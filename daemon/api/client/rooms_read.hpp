#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Reading rooms: api/client/rooms_read.cpp. Each one checks what the
// requester may see (libchat rooms/visibility.hpp).

// GET /_matrix/client/v3/joined_rooms
Task<Result<Reply>> get_joined_rooms(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/state
Task<Result<Reply>> get_room_state(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
Task<Result<Reply>> get_room_state_event(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/state/{eventType} (empty state key)
Task<Result<Reply>> get_room_state_event_empty_key(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/members
Task<Result<Reply>> get_room_members(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/joined_members
Task<Result<Reply>> get_room_joined_members(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}
Task<Result<Reply>> get_room_event(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/messages
Task<Result<Reply>> get_room_messages(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/context/{eventId}
Task<Result<Reply>> get_room_context(Request& request);

}  // namespace chat::daemon
