#pragma once

namespace chat::daemon {

class Router;

// Adds the Server-Server API endpoints that chatd serves (under
// /_matrix/federation) to `router`: one line per endpoint in
// federation_routes.cpp.
void add_federation_routes(Router& router);

}  // namespace chat::daemon
