#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "config/config.hpp"

namespace chat::daemon {
namespace {

TEST(PushConfig, KeysAreReadAndChecked) {
    auto config = parse_config("push:\n  enabled: false\n  retry_base_ms: 50\n"
                               "  retry_max_ms: 400\n  gateway_timeout_ms: 2000\n"
                               "  allow_private_gateways: true\n");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_FALSE(config->push.enabled);
    EXPECT_EQ(config->push.retry_base, std::chrono::milliseconds(50));
    EXPECT_EQ(config->push.retry_max, std::chrono::milliseconds(400));
    EXPECT_EQ(config->push.gateway_timeout, std::chrono::milliseconds(2000));
    EXPECT_TRUE(config->push.allow_private_gateways);
    EXPECT_TRUE(Config{}.push.enabled);
    EXPECT_FALSE(Config{}.push.allow_private_gateways);

    auto zero = parse_config("push:\n  retry_base_ms: 0\n");
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.error().message.find("push.retry_base_ms"), std::string::npos)
        << zero.error().message;
    EXPECT_FALSE(parse_config("push:\n  allow_private_gateways: sometimes\n"));
    EXPECT_FALSE(parse_config("push:\n  gateway: x\n"));
}

}  // namespace
}  // namespace chat::daemon
