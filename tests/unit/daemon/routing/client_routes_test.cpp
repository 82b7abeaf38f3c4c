#include "routing/client_routes.hpp"

#include <gtest/gtest.h>

#include "api/client/versions.hpp"
#include "api/client/well_known.hpp"
#include "routing/router.hpp"

namespace chat::daemon {
namespace {

TEST(ClientRoutes, ServeTheDiscoveryEndpoints) {
    Router router;
    add_client_routes(router);
    EXPECT_EQ(router.match(Method::get, "/_matrix/client/versions").handler, &get_versions);
    EXPECT_EQ(router.match(Method::get, "/.well-known/matrix/client").handler,
              &get_well_known_client);
    EXPECT_EQ(router.match(Method::post, "/_matrix/client/versions").kind,
              RouteMatch::Kind::method_not_allowed);
    EXPECT_EQ(router.match(Method::get, "/_matrix/client/v3/no_such_endpoint").kind,
              RouteMatch::Kind::not_found);
}

}  // namespace
}  // namespace chat::daemon
