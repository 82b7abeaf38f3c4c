#include "api/client/versions.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "daemon/support/run_task.hpp"
#include "services/services.hpp"

namespace chat::daemon {
namespace {

nlohmann::json versions_with(const Config& config) {
    Services services{.server_name = "a.test", .public_baseurl = "https://matrix.a.test/",
                      .config = &config};
    Request request(Method::get, "/_matrix/client/versions", {}, {}, services);
    auto reply = test::run_task(get_versions(request));
    EXPECT_TRUE(reply);
    return reply ? nlohmann::json::parse(reply->body) : nlohmann::json();
}

TEST(Versions, PromiseNothingNotYetImplemented) {
    Config config;
    Services services{.server_name = "a.test", .public_baseurl = "https://matrix.a.test/",
                      .config = &config};
    Request request(Method::get, "/_matrix/client/versions", {}, {}, services);
    auto reply = test::run_task(get_versions(request));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200u);
    EXPECT_EQ(reply->header("Content-Type"), "application/json");
    auto body = nlohmann::json::parse(reply->body);
    ASSERT_TRUE(body["versions"].is_array());
    // The versions whose first-contact endpoints are built, r0 kept for
    // matrix-nio; none past v1.6 until async and authenticated media exist.
    auto versions = body["versions"];
    EXPECT_NE(std::find(versions.begin(), versions.end(), "v1.1"), versions.end()) << versions;
    EXPECT_NE(std::find(versions.begin(), versions.end(), "r0.6.1"), versions.end()) << versions;
    EXPECT_EQ(std::find(versions.begin(), versions.end(), "v1.11"), versions.end()) << versions;
    // MSC4089 delivery receipts work (issue 5) and are on by default;
    // authenticated media (issue 6) is served.
    EXPECT_EQ(body["unstable_features"],
              nlohmann::json({{"org.matrix.msc4089", true}, {"org.matrix.msc3916.stable", true}}));
}

TEST(Versions, DeliveryReceiptsAreNotAdvertisedWhenTurnedOff) {
    Config config;
    config.delivery_explicit = false;
    config.delivery_inferred = false;
    EXPECT_FALSE(versions_with(config)["unstable_features"].contains("org.matrix.msc4089"));
    config.delivery_inferred = true;
    EXPECT_EQ(versions_with(config)["unstable_features"]["org.matrix.msc4089"], true);
}

}  // namespace
}  // namespace chat::daemon
