#pragma once

#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

#include "http/task.hpp"

namespace chat::daemon {

struct Services;

// Writes the tracked presence of `users` that differs from what was last
// written (PresenceTracker::take_for_write), in one store transaction, and
// wakes the long-polls. Suspends: one store write.
Task<Result<void>> write_presence(const Services& services, std::vector<UserId> users);

// Presence bookkeeping for a user who did something visible (sent an event,
// a receipt, typing): the activity, and the write when it changed what
// others see. A no-op when presence is off.
Task<void> note_activity(const Services& services, const UserId& user);

}  // namespace chat::daemon
