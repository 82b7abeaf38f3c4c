#pragma once

#include <string>

#include <chat/core/result.hpp>

#include "http/request.hpp"

namespace chat::daemon {

// The route's {serverName}/{mediaId} when they name local media we could
// hold: Errc::not_found (404 M_NOT_FOUND) for another server's media (no
// federation yet) and for ids outside the media-id grammar, which are thus
// never turned into a path.
Result<std::string> local_media_id(const Request& request);

}  // namespace chat::daemon
