#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// GET /_matrix/federation/v1/openid/userinfo?access_token=
// Trades an OpenID token (never an access token) for {"sub": user_id}.
// Unauthenticated by design: the token is the credential, and the caller
// may be any service, not a homeserver. 401 M_UNKNOWN_TOKEN when the token
// is unknown or expired. Blocks: SQLite.
Task<Result<Reply>> get_openid_userinfo(Request& request);

}  // namespace chat::daemon
