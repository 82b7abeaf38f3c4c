#pragma once

#include <chat/core/result.hpp>

#include "http/reply.hpp"
#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

// GET /_matrix/client/versions (spec client-server.md 1.2). No auth needed.
Task<Result<Reply>> get_versions(Request& request);

}  // namespace chat::daemon
