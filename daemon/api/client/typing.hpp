#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Typing notifications: api/client/typing.cpp, kept in memory by
// services/typing_tracker.hpp (never in the store).

// PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}
Task<Result<Reply>> put_typing(Request& request);

}  // namespace chat::daemon
