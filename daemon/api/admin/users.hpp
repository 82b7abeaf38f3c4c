#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// The user admin API (Synapse's paths and JSON): api/admin/users.cpp.
// Admin access tokens only (403 M_FORBIDDEN otherwise). Blocks: SQLite on
// the DB pool; argon2id on the CPU pool where a password is set.

// GET /_synapse/admin/v2/users
Task<Result<Reply>> get_admin_users(Request& request);
// GET /_synapse/admin/v2/users/{userId}
Task<Result<Reply>> get_admin_user(Request& request);
// PUT /_synapse/admin/v2/users/{userId}: creates (201) or modifies (200).
Task<Result<Reply>> put_admin_user(Request& request);
// POST /_synapse/admin/v1/deactivate/{userId}
Task<Result<Reply>> post_admin_deactivate(Request& request);
// POST /_synapse/admin/v1/reset_password/{userId}
Task<Result<Reply>> post_admin_reset_password(Request& request);
// GET /_synapse/admin/v1/users/{userId}/admin
Task<Result<Reply>> get_admin_user_admin(Request& request);
// PUT /_synapse/admin/v1/users/{userId}/admin
Task<Result<Reply>> put_admin_user_admin(Request& request);
// GET /_synapse/admin/v2/users/{userId}/devices
Task<Result<Reply>> get_admin_user_devices(Request& request);
// GET /_synapse/admin/v1/whois/{userId} (also allowed for the user themselves)
Task<Result<Reply>> get_admin_whois(Request& request);

}  // namespace chat::daemon
