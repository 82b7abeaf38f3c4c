#include "api/client/well_known.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "daemon/support/run_task.hpp"
#include "services/services.hpp"

namespace chat::daemon {
namespace {

TEST(WellKnown, PublishesTheBaseUrl) {
    Services services{.server_name = "a.test", .public_baseurl = "https://matrix.a.test/"};
    Request request(Method::get, "/.well-known/matrix/client", {}, {}, services);
    auto reply = test::run_task(get_well_known_client(request));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200u);
    EXPECT_EQ(nlohmann::json::parse(reply->body),
              (nlohmann::json{{"m.homeserver", {{"base_url", "https://matrix.a.test/"}}}}));
}

}  // namespace
}  // namespace chat::daemon
