#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Server-side key backups: api/client/room_keys.cpp, over libchat
// e2ee/key_backup.hpp. Blocks: SQLite, on the DB pool.

// POST /_matrix/client/v3/room_keys/version
Task<Result<Reply>> post_room_keys_version(Request& request);
// GET /_matrix/client/v3/room_keys/version (the current one)
Task<Result<Reply>> get_room_keys_current_version(Request& request);
// GET, PUT, DELETE /_matrix/client/v3/room_keys/version/{version}
Task<Result<Reply>> get_room_keys_version(Request& request);
Task<Result<Reply>> put_room_keys_version(Request& request);
Task<Result<Reply>> delete_room_keys_version(Request& request);

// GET, PUT, DELETE /_matrix/client/v3/room_keys/keys?version=
Task<Result<Reply>> get_room_keys_all(Request& request);
Task<Result<Reply>> put_room_keys_all(Request& request);
Task<Result<Reply>> delete_room_keys_all(Request& request);
// ... /room_keys/keys/{roomId}?version=
Task<Result<Reply>> get_room_keys_room(Request& request);
Task<Result<Reply>> put_room_keys_room(Request& request);
Task<Result<Reply>> delete_room_keys_room(Request& request);
// ... /room_keys/keys/{roomId}/{sessionId}?version=
Task<Result<Reply>> get_room_keys_session(Request& request);
Task<Result<Reply>> put_room_keys_session(Request& request);
Task<Result<Reply>> delete_room_keys_session(Request& request);

}  // namespace chat::daemon
