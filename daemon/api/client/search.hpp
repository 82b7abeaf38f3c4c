#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Searching: api/client/search.cpp. Both read one store snapshot.

// POST /_matrix/client/v3/search
// The room_events category over the rooms the requester is joined to, only
// events they may see; order_by rank or recent, filter, event_context,
// include_state, groupings by room_id and sender, next_batch paging (not per
// group). Blocks: SQLite (FTS5).
Task<Result<Reply>> post_search(Request& request);

// POST /_matrix/client/v3/user_directory/search
// Users who share a room with the requester or are in a public or
// world-readable room (libchat store/user_directory.hpp). Blocks: SQLite.
Task<Result<Reply>> post_user_directory_search(Request& request);

}  // namespace chat::daemon
