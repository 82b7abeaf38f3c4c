#pragma once

#include <optional>
#include <string_view>

#include <chat/core/result.hpp>

#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

// The access token of a request: "Authorization: Bearer <token>", else the
// `access_token` query parameter (deprecated in v1.11, but matrix-nio and
// older clients still send it, and we advertise versions that allow it).
std::optional<std::string> access_token_of(const Request& request);

// Checks the request's access token and records who sent it
// (Request::requester()). Suspends: one indexed store read. Errors:
// Errc::missing_token (no token), Errc::unknown_token (unknown, expired, or
// the user is deactivated), both 401.
Task<Result<void>> authenticate(Request& request);

}  // namespace chat::daemon
