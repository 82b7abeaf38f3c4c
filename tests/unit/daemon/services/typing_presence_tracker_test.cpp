// The daemon's in-memory typing and presence state (issue 5).
#include <gtest/gtest.h>

#include "services/delivery_acks.hpp"
#include "services/last_seen.hpp"
#include "services/presence_tracker.hpp"
#include "services/typing_tracker.hpp"

namespace chat::daemon {
namespace {

const RoomId kRoom = RoomId::parse("!r:a.test").value();
const RoomId kOther = RoomId::parse("!o:a.test").value();
const UserId kAlice = UserId::parse("@alice:a.test").value();
const UserId kBob = UserId::parse("@bob:a.test").value();
constexpr std::int64_t kNow = 1'700'000'000'000;

TEST(TypingTracker, ReportsARoomOnlyWhenItsListChanged) {
    TypingTracker typing(kNow);
    const auto start = typing.position();
    EXPECT_FALSE(typing.typing_in(kRoom, std::nullopt));  // nothing ever typed
    ASSERT_TRUE(typing.set(kRoom, kAlice, true, kNow + 30'000));
    EXPECT_GT(typing.position(), start);
    auto users = typing.typing_in(kRoom, start);
    ASSERT_TRUE(users);
    EXPECT_EQ(*users, std::vector<UserId>{kAlice});
    // Renewing the timeout changes nothing others see.
    const auto after = typing.position();
    EXPECT_FALSE(typing.set(kRoom, kAlice, true, kNow + 60'000));
    EXPECT_FALSE(typing.typing_in(kRoom, after));
    EXPECT_FALSE(typing.typing_in(kOther, start));
    // Stopping gives an empty list to incremental readers.
    ASSERT_TRUE(typing.set(kRoom, kAlice, false, 0));
    auto stopped = typing.typing_in(kRoom, after);
    ASSERT_TRUE(stopped);
    EXPECT_TRUE(stopped->empty());
    EXPECT_FALSE(typing.typing_in(kRoom, std::nullopt));  // initial syncs skip empty rooms
}

TEST(TypingTracker, ExpiryRemovesOnlyTimedOutUsers) {
    TypingTracker typing(kNow);
    typing.set(kRoom, kAlice, true, kNow + 1'000);
    typing.set(kRoom, kBob, true, kNow + 5'000);
    const auto before = typing.position();
    EXPECT_FALSE(typing.expire(kNow + 999));
    EXPECT_TRUE(typing.expire(kNow + 1'000));
    auto users = typing.typing_in(kRoom, before);
    ASSERT_TRUE(users);
    EXPECT_EQ(*users, std::vector<UserId>{kBob});
}

TEST(PresenceTracker, OnlyVisibleChangesNeedAWriteAndEachIsTakenOnce) {
    PresenceTracker tracker(presence::Timeouts{});
    tracker.seen(kAlice, kNow);  // a request alone: nothing to write
    EXPECT_TRUE(tracker.tick(kNow).empty());
    EXPECT_TRUE(tracker.sync_started(kAlice, presence::State::online, kNow));
    auto status = tracker.take_for_write(kAlice);
    ASSERT_TRUE(status);
    EXPECT_EQ(status->state, presence::State::online);
    EXPECT_FALSE(tracker.take_for_write(kAlice));  // already written
    EXPECT_FALSE(tracker.activity(kAlice, kNow + 1'000));  // coalesced
    EXPECT_TRUE(tracker.set(kAlice, presence::State::online, "lunch", kNow + 2'000));
}

TEST(PresenceTracker, TimeoutsTakeAUserOfflineOnceTheirSyncsEnd) {
    PresenceTracker tracker(presence::Timeouts{.idle_after = std::chrono::seconds(10),
                                               .offline_after = std::chrono::seconds(5)});
    tracker.sync_started(kAlice, presence::State::online, kNow);
    tracker.take_for_write(kAlice);
    // Syncing keeps her online while she is not idle.
    EXPECT_TRUE(tracker.tick(kNow + 6'000).empty());
    EXPECT_EQ(tracker.current(kAlice)->state, presence::State::online);
    tracker.sync_ended(kAlice, kNow + 6'000);
    auto due = tracker.tick(kNow + 12'000);
    ASSERT_EQ(due, std::vector<UserId>{kAlice});
    EXPECT_EQ(tracker.take_for_write(kAlice)->state, presence::State::offline);
    // Written offline and not syncing: forgotten by memory.
    EXPECT_TRUE(tracker.tick(kNow + 13'000).empty());
    EXPECT_FALSE(tracker.current(kAlice));
}

TEST(LastSeen, WritesAtMostOncePerInterval) {
    LastSeen last_seen(std::chrono::minutes(1));
    EXPECT_TRUE(last_seen.due(kAlice, "DEV", kNow));
    EXPECT_FALSE(last_seen.due(kAlice, "DEV", kNow + 59'999));
    EXPECT_TRUE(last_seen.due(kAlice, "OTHER", kNow + 1));
    EXPECT_TRUE(last_seen.due(kAlice, "DEV", kNow + 60'000));
}

TEST(DeliveryAcks, NotesAreTakenOnceAndOnlyPastTheKnownPosition) {
    DeliveryAcks acks;
    acks.note(kAlice, 3);
    acks.note(kAlice, 5);
    acks.note(kBob, 2);
    auto noted = acks.take();
    ASSERT_EQ(noted.size(), 2u);
    EXPECT_EQ(noted[0], std::make_pair(kAlice, std::int64_t{5}));
    EXPECT_TRUE(acks.take().empty());
    acks.acked(kAlice, 5);
    acks.note(kAlice, 4);  // behind what was inferred: nothing to do
    acks.note(kAlice, 5);
    EXPECT_TRUE(acks.take().empty());
    acks.acked(kAlice, 3);  // never backwards
    acks.note(kAlice, 4);
    EXPECT_TRUE(acks.take().empty());
    acks.note(kAlice, 6);
    EXPECT_EQ(acks.take(), (std::vector<std::pair<UserId, std::int64_t>>{{kAlice, 6}}));
}

}  // namespace
}  // namespace chat::daemon
