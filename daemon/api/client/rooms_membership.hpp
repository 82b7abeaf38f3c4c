#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// POST /_matrix/client/v3/rooms/{roomId}/join
Task<Result<Reply>> post_room_join(Request& request);
// POST /_matrix/client/v3/join/{roomIdOrAlias}
Task<Result<Reply>> post_join(Request& request);
// POST /_matrix/client/v3/knock/{roomIdOrAlias}
Task<Result<Reply>> post_knock(Request& request);
// POST /_matrix/client/v3/rooms/{roomId}/invite
Task<Result<Reply>> post_room_invite(Request& request);
// POST /_matrix/client/v3/rooms/{roomId}/leave
Task<Result<Reply>> post_room_leave(Request& request);
// POST /_matrix/client/v3/rooms/{roomId}/forget
Task<Result<Reply>> post_room_forget(Request& request);
// POST /_matrix/client/v3/rooms/{roomId}/kick
Task<Result<Reply>> post_room_kick(Request& request);
// POST /_matrix/client/v3/rooms/{roomId}/ban
Task<Result<Reply>> post_room_ban(Request& request);
// POST /_matrix/client/v3/rooms/{roomId}/unban
Task<Result<Reply>> post_room_unban(Request& request);

}  // namespace chat::daemon
