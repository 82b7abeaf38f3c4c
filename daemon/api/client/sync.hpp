#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// GET /_matrix/client/v3/sync
Task<Result<Reply>> get_sync(Request& request);
// POST /_matrix/client/v3/user/{userId}/filter
Task<Result<Reply>> post_filter(Request& request);
// GET /_matrix/client/v3/user/{userId}/filter/{filterId}
Task<Result<Reply>> get_filter(Request& request);

}  // namespace chat::daemon
