#pragma once

namespace chat::daemon {

class Router;

// Adds every Client-Server API endpoint (and the discovery documents that
// clients fetch) to `router`: one line per endpoint in client_routes.cpp.
void add_client_routes(Router& router);

}  // namespace chat::daemon
