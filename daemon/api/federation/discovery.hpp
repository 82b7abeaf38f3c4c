#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// GET /.well-known/matrix/server: {"m.server": federation.well_known_server},
// or 404 M_NOT_FOUND when that is not configured (then other servers use
// our server name itself, port 8448 unless it names one).
Task<Result<Reply>> get_well_known_server(Request& request);

// GET /_matrix/federation/v1/version (no auth): {"server": {name, version}}.
Task<Result<Reply>> get_federation_version(Request& request);

}  // namespace chat::daemon
