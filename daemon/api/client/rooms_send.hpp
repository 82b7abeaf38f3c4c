#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}
Task<Result<Reply>> put_room_send(Request& request);
// PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
Task<Result<Reply>> put_room_state(Request& request);
// PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType} (empty state key)
Task<Result<Reply>> put_room_state_empty_key(Request& request);
// PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}
Task<Result<Reply>> put_room_redact(Request& request);

}  // namespace chat::daemon
