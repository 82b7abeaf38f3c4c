#include "routing/client_routes.hpp"

#include "api/client/versions.hpp"
#include "api/client/well_known.hpp"
#include "routing/router.hpp"

namespace chat::daemon {

void add_client_routes(Router& router) {
    using enum Method;
    router.add(get, "/.well-known/matrix/client", get_well_known_client);
    router.add(get, "/_matrix/client/versions", get_versions);
}

}  // namespace chat::daemon
