#include <chat/push/actions.hpp>

#include <gtest/gtest.h>

#include "libchat/push/push_test_support.hpp"

namespace chat::push {
namespace {

using test::j;

TEST(PushActions, SummaryReadsNotifyAndTweaks) {
    auto s = summarise_actions(j(R"(["notify",{"set_tweak":"sound","value":"default"},
                                     {"set_tweak":"highlight"},{"set_tweak":"x-led","value":"red"}])"));
    EXPECT_TRUE(s.notify);
    EXPECT_TRUE(s.highlight);
    EXPECT_EQ(s.tweaks, j(R"({"sound":"default","highlight":true,"x-led":"red"})"));
}

TEST(PushActions, HighlightIsFalseWhenAbsentOrFalse) {
    EXPECT_FALSE(summarise_actions(j(R"(["notify"])")).highlight);
    EXPECT_FALSE(summarise_actions(j(R"([{"set_tweak":"highlight","value":false}])")).highlight);
    EXPECT_FALSE(summarise_actions(j(R"([{"set_tweak":"highlight","value":"yes"}])")).highlight);
    EXPECT_FALSE(summarise_actions(j(R"([])")).notify);
    EXPECT_FALSE(summarise_actions(j(R"(["dont_notify"])")).notify);
}

TEST(PushActions, NormaliseDropsHistoricalActionsAndRefusesUnknownOnes) {
    EXPECT_EQ(*normalise_actions(j(R"(["dont_notify"])")), nlohmann::json::array());
    EXPECT_EQ(*normalise_actions(j(R"(["coalesce","notify"])")), j(R"(["notify"])"));
    EXPECT_EQ(*normalise_actions(j(R"([{"set_tweak":"custom"}])")), j(R"([{"set_tweak":"custom"}])"));
    EXPECT_EQ(normalise_actions(j(R"(["beep"])")).error().code, Errc::unknown);
    EXPECT_EQ(normalise_actions(j(R"([{"set_tweak":1}])")).error().code, Errc::unknown);
    EXPECT_EQ(normalise_actions(j(R"([null])")).error().code, Errc::unknown);
    EXPECT_EQ(normalise_actions(j(R"({})")).error().code, Errc::unknown);
}

}  // namespace
}  // namespace chat::push
