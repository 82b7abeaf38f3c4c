#pragma once

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>

#include "http/request.hpp"

namespace chat::daemon {

// The route's {roomId} as a RoomId. Errors: Errc::invalid_param (400
// M_INVALID_PARAM) when it is not a well-formed room ID.
Result<RoomId> room_param(const Request& request);

}  // namespace chat::daemon
