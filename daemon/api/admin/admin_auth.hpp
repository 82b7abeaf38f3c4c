#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

// What every admin API handler (api/admin/*.cpp) shares.

// authenticate(), then refuses a requester who is not a server admin: 403
// M_FORBIDDEN "You are not a server admin", as Synapse answers. Suspends:
// one store read.
Task<Result<void>> authenticate_admin(Request& request);

// The route's {userId}. Errors: Errc::invalid_param when malformed.
Result<UserId> user_param(const Request& request);
// The route's {userId}, which must be a user of this server. Errors:
// Errc::invalid_param (malformed, or "Can only look up local users", as
// Synapse says).
Result<UserId> local_user_param(const Request& request);

// A non-negative integer query parameter (`from`, `limit`); `fallback` when
// absent. Errors: Errc::invalid_param naming it.
Result<std::int64_t> query_count(const Request& request, std::string_view name,
                                 std::int64_t fallback);
// A boolean query parameter ("true"/"false"); none when absent. Errors:
// Errc::invalid_param naming it.
Result<std::optional<bool>> query_bool(const Request& request, std::string_view name);

// nlohmann's null for none, the string otherwise: the admin API shows unset
// fields as null, as Synapse does.
nlohmann::json json_or_null(const std::optional<std::string>& value);

}  // namespace chat::daemon
