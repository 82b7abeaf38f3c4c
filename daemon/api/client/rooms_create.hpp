#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// POST /_matrix/client/v3/createRoom
Task<Result<Reply>> post_create_room(Request& request);

}  // namespace chat::daemon
