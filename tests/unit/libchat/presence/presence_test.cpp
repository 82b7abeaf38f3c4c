#include <chat/presence/presence.hpp>

#include <gtest/gtest.h>

namespace chat::presence {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;
const Timeouts kTimeouts{.idle_after = std::chrono::minutes(5),
                         .offline_after = std::chrono::seconds(30),
                         .active_window = std::chrono::seconds(60)};

TEST(PresenceStateTest, ParsesOnlyTheSpecStates) {
    for (auto state : {State::online, State::unavailable, State::offline})
        EXPECT_EQ(parse_state(to_string(state)), state);
    EXPECT_FALSE(parse_state("busy"));
    EXPECT_FALSE(parse_state("Online"));
    EXPECT_FALSE(parse_state(""));
}

TEST(PresenceModelTest, SyncBringsAnOfflineUserOnlineAndActive) {
    Status s = on_sync(Status{}, State::online, kNow);
    EXPECT_EQ(s.state, State::online);
    EXPECT_TRUE(s.currently_active);
    EXPECT_EQ(s.last_active_ts, kNow);
}

TEST(PresenceModelTest, SyncWithSetPresenceOfflineChangesNothing) {
    Status before{.state = State::offline, .last_active_ts = 5};
    EXPECT_EQ(on_sync(before, State::offline, kNow), before);
    Status online = on_sync(Status{}, State::online, kNow);
    EXPECT_EQ(on_sync(online, State::offline, kNow + 1), online);
}

TEST(PresenceModelTest, SyncOnlineDoesNotOverrideAChosenUnavailable) {
    Status s = set_state(Status{}, State::unavailable, "away", kNow);
    EXPECT_EQ(on_sync(s, State::online, kNow + 10).state, State::unavailable);
    // Doing something does bring them back.
    EXPECT_EQ(on_activity(s, kNow + 10).state, State::online);
}

TEST(PresenceModelTest, IdleUserBecomesUnavailableThenOfflineWhenNoLongerSeen) {
    Status s = on_sync(Status{}, State::online, kNow);
    // Still syncing, 4 minutes idle: online, but no longer currently active.
    Status t = on_tick(s, kNow + 4 * 60'000, kNow + 4 * 60'000, true, kTimeouts);
    EXPECT_EQ(t.state, State::online);
    EXPECT_FALSE(t.currently_active);
    // 5 minutes idle: unavailable even though the client keeps syncing.
    t = on_tick(s, kNow + 5 * 60'000, kNow + 5 * 60'000, true, kTimeouts);
    EXPECT_EQ(t.state, State::unavailable);
    // Not seen for 30 s and no sync running: offline.
    t = on_tick(t, kNow + 5 * 60'000 + 30'000, kNow + 5 * 60'000, false, kTimeouts);
    EXPECT_EQ(t.state, State::offline);
}

TEST(PresenceModelTest, ARunningSyncKeepsTheUserFromGoingOffline) {
    Status s = on_sync(Status{}, State::online, kNow);
    Status t = on_tick(s, kNow + 60'000, kNow, /*syncing=*/true, kTimeouts);
    EXPECT_EQ(t.state, State::online);
    t = on_tick(s, kNow + 60'000, kNow, /*syncing=*/false, kTimeouts);
    EXPECT_EQ(t.state, State::offline);
}

TEST(PresenceModelTest, OnlyVisibleChangesAreWritten) {
    Status s = on_activity(Status{}, kNow);
    // More activity moves last_active_ts only: coalesced, nothing to write.
    EXPECT_FALSE(visible_change(s, on_activity(s, kNow + 1000)));
    EXPECT_TRUE(visible_change(s, set_state(s, State::online, "lunch", kNow)));
    EXPECT_TRUE(visible_change(s, set_state(s, State::unavailable, std::nullopt, kNow)));
    Status lapsed = on_tick(s, kNow + 61'000, kNow + 61'000, true, kTimeouts);
    EXPECT_TRUE(visible_change(s, lapsed));  // currently_active went false
}

TEST(PresenceModelTest, ContentHasLastActiveAgoAndTheMessage) {
    Status s = set_state(Status{}, State::online, "here", kNow);
    auto c = content(s, kNow + 1500);
    EXPECT_EQ(c["presence"], "online");
    EXPECT_EQ(c["last_active_ago"], 1500);
    EXPECT_EQ(c["currently_active"], true);
    EXPECT_EQ(c["status_msg"], "here");
    auto never = content(Status{}, kNow);
    EXPECT_EQ(never["presence"], "offline");
    EXPECT_FALSE(never.contains("last_active_ago"));
    EXPECT_FALSE(never.contains("status_msg"));
}

}  // namespace
}  // namespace chat::presence
