#pragma once

#include <chat/core/server_name.hpp>

#include "routing/router.hpp"

namespace chat::daemon {

// Reading a room's events and state over federation (digest federation.md
// §7), for servers in the room: /event, /state, /state_ids, /event_auth,
// /get_missing_events, /backfill. Registered behind with_server_auth.
Task<Result<Reply>> get_federation_event(Request& request, const ServerName& origin);
Task<Result<Reply>> get_federation_state(Request& request, const ServerName& origin);
Task<Result<Reply>> get_federation_state_ids(Request& request, const ServerName& origin);
Task<Result<Reply>> get_federation_event_auth(Request& request, const ServerName& origin);
Task<Result<Reply>> post_get_missing_events(Request& request, const ServerName& origin);
Task<Result<Reply>> get_federation_backfill(Request& request, const ServerName& origin);

}  // namespace chat::daemon
