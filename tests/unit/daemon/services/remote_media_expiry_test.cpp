#include "services/remote_media_expiry.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "config/config.hpp"

namespace chat::daemon {
namespace {

constexpr std::int64_t kDayMs = 24 * 3600 * 1000;

TEST(RemoteMediaExpiry, LifetimeComesFromDaysUnlessSecondsAreSet) {
    auto defaults = parse_config("");
    ASSERT_TRUE(defaults) << defaults.error().message;
    EXPECT_EQ(remote_media_lifetime_ms(defaults->media), 90 * kDayMs);
    EXPECT_EQ(defaults->media.remote_retention_check, std::chrono::seconds(3600));

    auto forever = parse_config("media:\n  remote_retention_days: 0\n");
    ASSERT_TRUE(forever) << forever.error().message;
    EXPECT_EQ(remote_media_lifetime_ms(forever->media), 0);

    auto seconds = parse_config("media:\n  remote_retention_days: 0\n"
                                "  remote_retention_seconds: 5\n"
                                "  remote_retention_check_seconds: 2\n");
    ASSERT_TRUE(seconds) << seconds.error().message;
    EXPECT_EQ(remote_media_lifetime_ms(seconds->media), 5000);
    EXPECT_EQ(seconds->media.remote_retention_check, std::chrono::seconds(2));

    auto bad = parse_config("media:\n  remote_retention_check_seconds: 0\n");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("media.remote_retention_check_seconds"), std::string::npos);
    EXPECT_FALSE(parse_config("media:\n  remote_retention_seconds: -1\n"));
}

TEST(RemoteMediaExpiry, DownloadsRewriteTheAccessTimeAtMostHourly) {
    EXPECT_EQ(remote_media_touch_interval_ms(90 * kDayMs), 3600 * 1000);
    // Short lifetimes (tests) still see every use well before expiry.
    EXPECT_EQ(remote_media_touch_interval_ms(4000), 1000);
    EXPECT_EQ(remote_media_touch_interval_ms(0), 3600 * 1000);
}

}  // namespace
}  // namespace chat::daemon
