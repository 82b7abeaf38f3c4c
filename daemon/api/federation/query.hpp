#pragma once

#include <chat/core/server_name.hpp>

#include "routing/router.hpp"

namespace chat::daemon {

// Queries from other servers (digest federation.md §13), X-Matrix
// authenticated (register with with_server_auth).

// GET /_matrix/federation/v1/query/profile?user_id=&field=
// A local user's public profile, or just `field` (displayname, avatar_url).
// 404 M_NOT_FOUND for an unknown user, or a field that is not set; 400 for
// a user of another server or an unknown field.
Task<Result<Reply>> get_query_profile(Request& request, const ServerName& origin);

// GET /_matrix/federation/v1/query/directory?room_alias=
// {"room_id", "servers"} for one of our aliases; 404 M_NOT_FOUND otherwise.
Task<Result<Reply>> get_query_directory(Request& request, const ServerName& origin);

// GET and POST /_matrix/federation/v1/publicRooms: our published rooms, with
// the client API's paging and filter (api/client/directory.cpp).
Task<Result<Reply>> get_federation_public_rooms(Request& request, const ServerName& origin);
Task<Result<Reply>> post_federation_public_rooms(Request& request, const ServerName& origin);

}  // namespace chat::daemon
