#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// GET /_matrix/client/v1/register/m.login.registration_token/validity?token=
// (spec v1.2): whether a registration token could be used now. It reserves
// nothing. 403 M_FORBIDDEN unless registration.enabled is `token`.
// Rate-limited like /register. Blocks: SQLite.
Task<Result<Reply>> get_registration_token_validity(Request& request);

}  // namespace chat::daemon
