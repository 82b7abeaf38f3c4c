#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Registration tokens (Synapse's admin API): api/admin/registration_tokens.cpp.
// Admin access tokens only. Blocks: SQLite.

// GET /_synapse/admin/v1/registration_tokens[?valid=true|false]
Task<Result<Reply>> get_admin_registration_tokens(Request& request);
// POST /_synapse/admin/v1/registration_tokens/new
Task<Result<Reply>> post_admin_registration_token(Request& request);
// GET /_synapse/admin/v1/registration_tokens/{token}
Task<Result<Reply>> get_admin_registration_token(Request& request);
// PUT /_synapse/admin/v1/registration_tokens/{token}
Task<Result<Reply>> put_admin_registration_token(Request& request);
// DELETE /_synapse/admin/v1/registration_tokens/{token}
Task<Result<Reply>> delete_admin_registration_token(Request& request);

}  // namespace chat::daemon
