#include "api/client/versions.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "daemon/support/run_task.hpp"
#include "services/services.hpp"

namespace chat::daemon {
namespace {

TEST(Versions, PromiseNothingNotYetImplemented) {
    Services services{.server_name = "a.test", .public_baseurl = "https://matrix.a.test/"};
    Request request(Method::get, "/_matrix/client/versions", {}, {}, services);
    auto reply = test::run_task(get_versions(request));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200u);
    EXPECT_EQ(reply->header("Content-Type"), "application/json");
    auto body = nlohmann::json::parse(reply->body);
    ASSERT_TRUE(body["versions"].is_array());
    EXPECT_TRUE(body["versions"].empty());
    EXPECT_EQ(body["unstable_features"], nlohmann::json::object());
}

}  // namespace
}  // namespace chat::daemon
