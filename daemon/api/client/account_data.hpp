#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Account data and room tags: api/client/account_data.cpp.

// GET/PUT /_matrix/client/v3/user/{userId}/account_data/{type}
Task<Result<Reply>> get_account_data(Request& request);
Task<Result<Reply>> put_account_data(Request& request);
// GET/PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}
Task<Result<Reply>> get_room_account_data(Request& request);
Task<Result<Reply>> put_room_account_data(Request& request);
// GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags
Task<Result<Reply>> get_room_tags(Request& request);
// PUT/DELETE /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}
Task<Result<Reply>> put_room_tag(Request& request);
Task<Result<Reply>> delete_room_tag(Request& request);

}  // namespace chat::daemon
