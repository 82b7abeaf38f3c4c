#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Pushers and notifications (issue 7): api/client/pushers.cpp.

// GET /_matrix/client/v3/pushers
Task<Result<Reply>> get_pushers(Request& request);
// POST /_matrix/client/v3/pushers/set
Task<Result<Reply>> post_pushers_set(Request& request);
// GET /_matrix/client/v3/notifications?from=&limit=&only=highlight
Task<Result<Reply>> get_notifications(Request& request);

}  // namespace chat::daemon
