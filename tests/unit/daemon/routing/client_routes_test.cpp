#include "routing/client_routes.hpp"

#include <gtest/gtest.h>

#include "api/client/push_rules.hpp"
#include "api/client/openid.hpp"
#include "api/client/search.hpp"
#include "api/client/versions.hpp"
#include "api/client/well_known.hpp"
#include "api/federation/openid.hpp"
#include "routing/federation_routes.hpp"
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

TEST(ClientRoutes, ServePushRulesWithOrWithoutTheSpecsTrailingSlash) {
    Router router;
    add_client_routes(router);
    for (const char* path : {"/_matrix/client/v3/pushrules/", "/_matrix/client/v3/pushrules",
                             "/_matrix/client/r0/pushrules/"})
        EXPECT_EQ(router.match(Method::get, path).handler, &get_push_rules) << path;
    EXPECT_EQ(router.match(Method::get, "/_matrix/client/v3/pushrules/global/").handler,
              &get_push_rules_global);
    auto rule = router.match(Method::put, "/_matrix/client/v3/pushrules/global/room/%21r%3Aa.test");
    EXPECT_EQ(rule.handler, &put_push_rule);
    ASSERT_EQ(rule.params.size(), 2u);
    EXPECT_EQ(rule.params[1].second, "!r:a.test");
    EXPECT_EQ(router.match(Method::put, "/_matrix/client/v3/pushrules/global/override/x/enabled")
                  .handler,
              &put_push_rule_enabled);
    EXPECT_EQ(router.match(Method::post, "/_matrix/client/v3/pushrules/global/override/x").kind,
              RouteMatch::Kind::method_not_allowed);
}

TEST(ClientRoutes, ServeSearchDirectoryAndOpenId) {
    Router router;
    add_client_routes(router);
    EXPECT_EQ(router.match(Method::post, "/_matrix/client/v3/search").handler, &post_search);
    EXPECT_EQ(router.match(Method::post, "/_matrix/client/r0/user_directory/search").handler,
              &post_user_directory_search);
    EXPECT_EQ(
        router.match(Method::post, "/_matrix/client/v3/user/%40a%3Ab.test/openid/request_token")
            .handler,
        &post_openid_request_token);
}

TEST(FederationRoutes, ServeOpenIdUserinfo) {
    Router router;
    add_federation_routes(router);
    EXPECT_EQ(router.match(Method::get, "/_matrix/federation/v1/openid/userinfo").handler,
              &get_openid_userinfo);
}

}  // namespace
}  // namespace chat::daemon
