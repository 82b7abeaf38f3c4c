#pragma once

#include <chat/accounts/account_service.hpp>
#include <chat/core/room_alias.hpp>
#include <chat/core/server_name.hpp>
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

// GET and POST /_matrix/client/v3/publicRooms?server=<another server>: that
// server's directory, from /_matrix/federation/v1/publicRooms. GET passes
// limit, since, include_all_networks and third_party_instance_id on; POST
// passes the body (a JSON object) on.
Task<Result<Reply>> get_remote_public_rooms(Request& request, ServerName server);
Task<Result<Reply>> post_remote_public_rooms(Request& request, ServerName server);

}  // namespace chat::daemon
