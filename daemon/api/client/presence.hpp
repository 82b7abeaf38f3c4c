#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Presence: api/client/presence.cpp. The model is libchat presence/; the
// daemon's in-memory state is services/presence_tracker.hpp.

// GET /_matrix/client/v3/presence/{userId}/status
Task<Result<Reply>> get_presence(Request& request);
// PUT /_matrix/client/v3/presence/{userId}/status
Task<Result<Reply>> put_presence(Request& request);

}  // namespace chat::daemon
