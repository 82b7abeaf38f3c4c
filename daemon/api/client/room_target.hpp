#pragma once

#include <string_view>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>

#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

// A {roomIdOrAlias} path parameter as a room ID: "!id:server" is parsed,
// "#alias:server" is looked up in the local alias directory. Suspends: one
// store read for an alias. Errors: Errc::invalid_param (neither form),
// Errc::not_found (unknown alias).
Task<Result<RoomId>> resolve_room_target(const Request& request, std::string_view target);

}  // namespace chat::daemon
