#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Server information for admins: api/admin/server.cpp.

// GET /_synapse/admin/v1/server_version (no access token needed, as in Synapse)
Task<Result<Reply>> get_admin_server_version(Request& request);
// GET /_chatd/admin/v1/statistics: counts of users, rooms, events and local
// media. Ours: Synapse's statistics endpoints are per-user media only.
// Admin access tokens only. Blocks: SQLite (counts over whole tables).
Task<Result<Reply>> get_admin_statistics(Request& request);

}  // namespace chat::daemon
