#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// The admin API (Synapse's paths under /_synapse/admin, plus ours under
// /_chatd/admin): handlers in api/admin/*.cpp. Media admin routes are added
// by the media area.
void add_admin_routes(Router& router);

}  // namespace chat::daemon
