#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Room aliases and the published room directory: api/client/directory.cpp
// (spec client-server-api "Room aliases", "Published room directory").

// PUT /_matrix/client/v3/directory/room/{roomAlias}
Task<Result<Reply>> put_directory_room(Request& request);
// GET /_matrix/client/v3/directory/room/{roomAlias} (no access token needed)
Task<Result<Reply>> get_directory_room(Request& request);
// DELETE /_matrix/client/v3/directory/room/{roomAlias}
Task<Result<Reply>> delete_directory_room(Request& request);
// GET /_matrix/client/v3/rooms/{roomId}/aliases
Task<Result<Reply>> get_room_aliases(Request& request);
// GET /_matrix/client/v3/directory/list/room/{roomId} (no access token needed)
Task<Result<Reply>> get_directory_list_room(Request& request);
// PUT /_matrix/client/v3/directory/list/room/{roomId}
Task<Result<Reply>> put_directory_list_room(Request& request);
// GET /_matrix/client/v3/publicRooms (no access token needed)
Task<Result<Reply>> get_public_rooms(Request& request);
// POST /_matrix/client/v3/publicRooms
Task<Result<Reply>> post_public_rooms(Request& request);

// The directory listing of GET (query parameters) and POST (body) without
// authentication or the `server` check: shared with the federation API's
// /publicRooms (api/federation/query.cpp).
Task<Result<Reply>> public_rooms_from_query(Request& request);
Task<Result<Reply>> public_rooms_from_body(Request& request);

}  // namespace chat::daemon
