#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// The room admin API (Synapse's paths and JSON): api/admin/rooms.cpp. Admin
// access tokens only. Blocks: SQLite on the DB pool; deletions run in the
// background (services/room_deletions.hpp).

// GET /_synapse/admin/v1/rooms
Task<Result<Reply>> get_admin_rooms(Request& request);
// GET /_synapse/admin/v1/rooms/{roomId}
Task<Result<Reply>> get_admin_room(Request& request);
// GET /_synapse/admin/v1/rooms/{roomId}/members
Task<Result<Reply>> get_admin_room_members(Request& request);
// GET /_synapse/admin/v1/rooms/{roomId}/state
Task<Result<Reply>> get_admin_room_state(Request& request);
// DELETE /_synapse/admin/v2/rooms/{roomId}
Task<Result<Reply>> delete_admin_room(Request& request);
// GET /_synapse/admin/v2/rooms/{roomId}/delete_status
Task<Result<Reply>> get_admin_room_delete_status(Request& request);
// GET /_synapse/admin/v2/rooms/delete_status/{deleteId}
Task<Result<Reply>> get_admin_delete_status(Request& request);

}  // namespace chat::daemon
