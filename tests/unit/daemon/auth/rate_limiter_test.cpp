#include "auth/rate_limiter.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

TEST(RateLimiter, AllowsTheBurstThenRefusesWithRetryAfter) {
    RateLimiter limiter(RateLimit{.per_second = 0.5, .burst = 3});
    EXPECT_FALSE(limiter.check("1.2.3.4"));
    EXPECT_FALSE(limiter.check("1.2.3.4"));
    EXPECT_FALSE(limiter.check("1.2.3.4"));
    auto refused = limiter.check("1.2.3.4");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 429u);
    auto body = nlohmann::json::parse(refused->body);
    EXPECT_EQ(body["errcode"], "M_LIMIT_EXCEEDED");
    // One token refills in 2 s at 0.5/s.
    EXPECT_GT(body["retry_after_ms"].get<std::int64_t>(), 1000);
    EXPECT_LE(body["retry_after_ms"].get<std::int64_t>(), 2000);
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets) {
    RateLimiter limiter(RateLimit{.per_second = 0.001, .burst = 1});
    EXPECT_FALSE(limiter.check("@a:x"));
    EXPECT_TRUE(limiter.check("@a:x"));
    EXPECT_FALSE(limiter.check("@b:x"));
}

TEST(RateLimiter, ZeroRateIsOff) {
    RateLimiter limiter(RateLimit{.per_second = 0, .burst = 1});
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.check("k"));
}

}  // namespace
}  // namespace chat::daemon
