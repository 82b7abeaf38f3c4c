#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Registration, login and the account itself: api/client/accounts.cpp.

// POST /_matrix/client/v3/register
Task<Result<Reply>> post_register(Request& request);
// GET /_matrix/client/v3/register/available
Task<Result<Reply>> get_register_available(Request& request);
// GET /_synapse/admin/v1/register (a nonce) and POST (shared-secret registration)
Task<Result<Reply>> get_shared_secret_nonce(Request& request);
Task<Result<Reply>> post_shared_secret_register(Request& request);
// GET /_matrix/client/v3/login
Task<Result<Reply>> get_login(Request& request);
// POST /_matrix/client/v3/login
Task<Result<Reply>> post_login(Request& request);
// POST /_matrix/client/v3/logout
Task<Result<Reply>> post_logout(Request& request);
// POST /_matrix/client/v3/logout/all
Task<Result<Reply>> post_logout_all(Request& request);
// GET /_matrix/client/v3/account/whoami
Task<Result<Reply>> get_whoami(Request& request);
// POST /_matrix/client/v3/account/password
Task<Result<Reply>> post_account_password(Request& request);
// POST /_matrix/client/v3/account/deactivate
Task<Result<Reply>> post_account_deactivate(Request& request);
// GET /_matrix/client/v3/account/3pid: no third-party identifiers are supported.
Task<Result<Reply>> get_account_3pid(Request& request);
// POST /account/3pid/add, /bind, /delete, /unbind and the requestToken endpoints.
Task<Result<Reply>> post_account_3pid_refused(Request& request);

}  // namespace chat::daemon
