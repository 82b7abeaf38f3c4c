#include "routing/admin_routes.hpp"

#include <gtest/gtest.h>

#include "api/admin/registration_tokens.hpp"
#include "api/admin/rooms.hpp"
#include "api/admin/users.hpp"
#include "routing/client_routes.hpp"
#include "routing/router.hpp"

namespace chat::daemon {
namespace {

TEST(AdminRoutes, DeleteStatusByIdIsNotTakenForARoomId) {
    Router router;
    add_admin_routes(router);
    auto by_id = router.match(Method::get, "/_synapse/admin/v2/rooms/delete_status/abc");
    EXPECT_EQ(by_id.handler, &get_admin_delete_status);
    ASSERT_EQ(by_id.params.size(), 1u);
    EXPECT_EQ(by_id.params[0].second, "abc");
    auto by_room = router.match(Method::get, "/_synapse/admin/v2/rooms/%21r%3Aa.test/delete_status");
    EXPECT_EQ(by_room.handler, &get_admin_room_delete_status);
    EXPECT_EQ(router.match(Method::delete_, "/_synapse/admin/v2/rooms/%21r%3Aa.test").handler,
              &delete_admin_room);
}

TEST(AdminRoutes, UsersAndTokensResolveToTheirHandlers) {
    Router router;
    add_admin_routes(router);
    EXPECT_EQ(router.match(Method::get, "/_synapse/admin/v2/users").handler, &get_admin_users);
    EXPECT_EQ(router.match(Method::put, "/_synapse/admin/v2/users/%40a%3Ab").handler,
              &put_admin_user);
    EXPECT_EQ(router.match(Method::put, "/_synapse/admin/v1/users/%40a%3Ab/admin").handler,
              &put_admin_user_admin);
    EXPECT_EQ(router.match(Method::post, "/_synapse/admin/v1/registration_tokens/new").handler,
              &post_admin_registration_token);
    EXPECT_EQ(router.match(Method::get, "/_synapse/admin/v1/registration_tokens/abc").handler,
              &get_admin_registration_token);
}

TEST(AdminRoutes, DoNotCollideWithTheClientRoutes) {
    // Router::add asserts on a duplicate (method, pattern): both tables in one router.
    Router router;
    add_client_routes(router);
    add_admin_routes(router);
    EXPECT_EQ(router.match(Method::get, "/_synapse/admin/v2/users").handler, &get_admin_users);
}

}  // namespace
}  // namespace chat::daemon
