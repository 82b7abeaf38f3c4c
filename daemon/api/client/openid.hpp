#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// POST /_matrix/client/v3/user/{userId}/openid/request_token
// A token that a third party (a widget, an integration manager) trades for
// the user's id at GET /_matrix/federation/v1/openid/userinfo. Only for
// oneself (403 otherwise); valid for kOpenIdTokenLifetime. Blocks: SQLite.
Task<Result<Reply>> post_openid_request_token(Request& request);

}  // namespace chat::daemon
