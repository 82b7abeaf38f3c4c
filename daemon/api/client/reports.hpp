#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Reporting content: api/client/reports.cpp. Reports are stored (libchat
// store/reports.hpp) for the admin API; nobody is notified yet. Blocks:
// SQLite, on the DB pool.

// POST /_matrix/client/v3/rooms/{roomId}/report/{eventId}
Task<Result<Reply>> post_report_event(Request& request);
// POST /_matrix/client/v3/rooms/{roomId}/report (v1.13)
Task<Result<Reply>> post_report_room(Request& request);
// POST /_matrix/client/v3/users/{userId}/report (v1.14)
Task<Result<Reply>> post_report_user(Request& request);

}  // namespace chat::daemon
