#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Relations and threads: api/client/relations.cpp. Only events the requester
// may see are returned (libchat rooms/visibility.hpp), each with its bundled
// aggregations (libchat sync/aggregations.hpp). Blocks: SQLite, on the DB pool.

// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}
Task<Result<Reply>> get_relations(Request& request);
// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}
Task<Result<Reply>> get_relations_by_rel_type(Request& request);
// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}
Task<Result<Reply>> get_relations_by_rel_and_event_type(Request& request);
// GET /_matrix/client/v1/rooms/{roomId}/threads
Task<Result<Reply>> get_threads(Request& request);

}  // namespace chat::daemon
