#pragma once

#include <chat/core/result.hpp>

#include "http/reply.hpp"
#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

// GET /.well-known/matrix/client (spec client-server.md 1.1). No auth needed.
Task<Result<Reply>> get_well_known_client(Request& request);

}  // namespace chat::daemon
