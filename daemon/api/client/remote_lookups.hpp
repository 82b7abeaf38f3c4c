#pragma once

#include <chat/accounts/account_service.hpp>
#include <chat/core/room_alias.hpp>
#include <chat/core/user_id.hpp>

#include "routing/router.hpp"

namespace chat::daemon {

// Client API lookups answered by another homeserver over federation
// (FederationClient): the user's or alias's own server is the only one
// that knows. Remote errors reach the client only through the client's
// allowlist (404 M_NOT_FOUND, 403 M_FORBIDDEN, ...); an unreachable server
// is 502 M_UNKNOWN.

// GET /_matrix/federation/v1/query/profile?user_id= on the user's server.
Task<Result<accounts::Profile>> get_remote_profile(const Request& request, UserId user);

// GET /_matrix/client/v3/directory/room/{roomAlias} for another server's
// alias: GET /_matrix/federation/v1/query/directory?room_alias= on it.
Task<Result<Reply>> get_remote_directory_room(Request& request, RoomAlias alias);

}  // namespace chat::daemon
