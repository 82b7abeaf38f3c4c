#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// GET /_matrix/client/v3/capabilities
Task<Result<Reply>> get_capabilities(Request& request);

}  // namespace chat::daemon
