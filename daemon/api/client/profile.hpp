#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// GET /_matrix/client/v3/profile/{userId}
Task<Result<Reply>> get_profile(Request& request);
// GET /_matrix/client/v3/profile/{userId}/displayname and /avatar_url
Task<Result<Reply>> get_profile_displayname(Request& request);
Task<Result<Reply>> get_profile_avatar_url(Request& request);
// PUT /_matrix/client/v3/profile/{userId}/displayname and /avatar_url
Task<Result<Reply>> put_profile_displayname(Request& request);
Task<Result<Reply>> put_profile_avatar_url(Request& request);

}  // namespace chat::daemon
