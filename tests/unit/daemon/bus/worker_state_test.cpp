// What each worker keeps of the others' typing and presence (issue 10).
#include <gtest/gtest.h>

#include "services/presence_tracker.hpp"
#include "services/typing_tracker.hpp"

namespace chat::daemon {
namespace {

const RoomId kRoom = RoomId::parse("!r:a.test").value();
const UserId kAlice = UserId::parse("@alice:a.test").value();
const UserId kBob = UserId::parse("@bob:a.test").value();
constexpr std::int64_t kNow = 1'700'000'000'000;

TEST(TypingAcrossWorkers, LocalChangesAreStampedWithTheClockAndObserved) {
    TypingTracker typing(kNow - 5'000);
    std::vector<std::int64_t> stamps;
    typing.observe_local([&](const RoomId&, const UserId&, bool, std::int64_t, std::int64_t at) {
        stamps.push_back(at);
    });
    ASSERT_TRUE(typing.set(kRoom, kAlice, true, kNow + 30'000, kNow));
    EXPECT_EQ(typing.position(), kNow);
    // A renewal changes no list but is still told to the others (expiry).
    EXPECT_FALSE(typing.set(kRoom, kAlice, true, kNow + 60'000, kNow));
    ASSERT_EQ(stamps.size(), 2u);
    EXPECT_EQ(stamps[0], kNow);
    // Two changes in one millisecond still take distinct positions.
    ASSERT_TRUE(typing.set(kRoom, kBob, true, kNow + 30'000, kNow));
    EXPECT_EQ(typing.position(), kNow + 1);
}

TEST(TypingAcrossWorkers, RemoteChangesAreNotObservedAndKeepPositionsIncreasing) {
    TypingTracker typing(kNow);
    int observed = 0;
    typing.observe_local([&](const RoomId&, const UserId&, bool, std::int64_t, std::int64_t) {
        ++observed;
    });
    const auto before = typing.position();
    // A stamp from the future (the other worker's clock ran ahead): adopted.
    ASSERT_TRUE(typing.apply_remote(kRoom, kAlice, true, kNow + 30'000, kNow + 500));
    EXPECT_EQ(typing.position(), kNow + 500);
    auto users = typing.typing_in(kRoom, before);
    ASSERT_TRUE(users);
    EXPECT_EQ(*users, std::vector<UserId>{kAlice});
    // A stamp from the past (it arrived late): still after what we handed out,
    // so a client holding a token from this worker is shown it.
    const auto token = typing.position();
    ASSERT_TRUE(typing.apply_remote(kRoom, kBob, true, kNow + 30'000, kNow - 100));
    EXPECT_GT(typing.position(), token);
    EXPECT_TRUE(typing.typing_in(kRoom, token));
    // The same change again (a repeated message) changes nothing.
    EXPECT_FALSE(typing.apply_remote(kRoom, kBob, true, kNow + 30'000, kNow - 100));
    EXPECT_EQ(observed, 0);
    // The remote expiry time is kept: this worker expires the user itself.
    EXPECT_TRUE(typing.expire(kNow + 30'000));
    EXPECT_FALSE(typing.typing_in(kRoom, std::nullopt));
}

TEST(PresenceAcrossWorkers, SeenElsewhereKeepsAUserOnlineHere) {
    const presence::Timeouts timeouts{.idle_after = std::chrono::seconds(300),
                                      .offline_after = std::chrono::seconds(30)};
    PresenceTracker here(timeouts);
    ASSERT_TRUE(here.sync_started(kAlice, presence::State::online, kNow));
    here.sync_ended(kAlice, kNow);
    ASSERT_TRUE(here.take_for_write(kAlice));
    EXPECT_EQ(here.seen_after(kNow - 1), std::vector<UserId>{kAlice});
    EXPECT_TRUE(here.seen_after(kNow).empty());
    // Alice's client moved to another worker, which reports her every tick.
    here.seen_elsewhere(kAlice, kNow + 25'000);
    EXPECT_TRUE(here.tick(kNow + 40'000).empty());  // would be offline at kNow + 30 s
    EXPECT_EQ(here.current(kAlice)->state, presence::State::online);
    // Once the reports stop, the timeout applies again.
    auto due = here.tick(kNow + 56'000);
    EXPECT_EQ(due, std::vector<UserId>{kAlice});
    // A user never seen here is not tracked because another worker saw them.
    here.seen_elsewhere(kBob, kNow);
    EXPECT_FALSE(here.current(kBob));
}

TEST(PresenceAcrossWorkers, WhatOthersReportIsNeverReportedBack) {
    // Otherwise two workers would keep a user alive by telling each other.
    PresenceTracker here(presence::Timeouts{});
    ASSERT_TRUE(here.sync_started(kAlice, presence::State::online, kNow));
    here.sync_ended(kAlice, kNow);
    (void)here.activity(kAlice, kNow);
    here.seen_elsewhere(kAlice, kNow + 5'000);
    here.active_elsewhere(kAlice, kNow + 5'000);
    EXPECT_TRUE(here.seen_after(kNow).empty());
    EXPECT_TRUE(here.active_after(kNow).empty());
    here.activity(kAlice, kNow + 6'000);
    EXPECT_EQ(here.active_after(kNow), std::vector<UserId>{kAlice});
}

TEST(PresenceAcrossWorkers, ActivityElsewhereKeepsAUserFromIdlingHere) {
    const presence::Timeouts timeouts{.idle_after = std::chrono::seconds(300),
                                      .offline_after = std::chrono::seconds(30)};
    PresenceTracker here(timeouts);
    ASSERT_TRUE(here.activity(kAlice, kNow));
    ASSERT_TRUE(here.take_for_write(kAlice));
    // Alice keeps talking through another worker, which reports her each tick.
    for (std::int64_t t = kNow + 10'000; t <= kNow + 400'000; t += 10'000) {
        here.seen_elsewhere(kAlice, t);
        here.active_elsewhere(kAlice, t);
        EXPECT_TRUE(here.tick(t).empty()) << "at +" << (t - kNow) / 1000 << " s";
    }
    EXPECT_EQ(here.current(kAlice)->state, presence::State::online);
    // Without the activity reports, the idle timeout applies.
    for (std::int64_t t = kNow + 410'000; t <= kNow + 800'000; t += 10'000)
        here.seen_elsewhere(kAlice, t);
    EXPECT_EQ(here.tick(kNow + 800'000), std::vector<UserId>{kAlice});
    EXPECT_EQ(here.current(kAlice)->state, presence::State::unavailable);
}

TEST(PresenceAcrossWorkers, AMessageSetElsewhereIsNotOverwrittenByATimeoutHere) {
    PresenceTracker here(presence::Timeouts{});
    ASSERT_TRUE(here.set(kAlice, presence::State::online, "here", kNow));
    // Not yet written: what this worker set is newer than the store.
    here.adopt_stored_message(kAlice, "older");
    EXPECT_EQ(here.current(kAlice)->status_msg, "here");
    ASSERT_TRUE(here.take_for_write(kAlice));
    // Later another worker stored a new message: a write from here keeps it.
    here.adopt_stored_message(kAlice, "set elsewhere");
    EXPECT_EQ(here.current(kAlice)->status_msg, "set elsewhere");
}

}  // namespace
}  // namespace chat::daemon
