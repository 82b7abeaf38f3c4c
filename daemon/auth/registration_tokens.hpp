#pragma once

#include <string>

#include <chat/core/result.hpp>

#include "http/task.hpp"

namespace chat::daemon {

struct Services;

// Registration tokens at registration (the m.login.registration_token stage):
// a use is reserved when the stage passes and ended once the account exists
// or failed, so that concurrent registrations never exceed uses_allowed.

// Reserves one use of `token` if it is valid now; false when it is unknown,
// used up or expired (untrusted input). Suspends: one store write.
Task<Result<bool>> reserve_registration_token(const Services& services, std::string token);

// Ends a reserved use: completed when `registered`, otherwise given back.
// Suspends: one store write.
Task<Result<void>> finish_registration_token(const Services& services, std::string token,
                                             bool registered);

}  // namespace chat::daemon
