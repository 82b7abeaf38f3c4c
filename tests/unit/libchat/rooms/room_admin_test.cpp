#include <chat/rooms/room_admin.hpp>

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "support/ticking_clock.hpp"

namespace chat::rooms {
namespace {

UserId user(const char* id) { return UserId::parse(id).value(); }

class RoomAdminTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("room_admin_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        store_ = store::open_sqlite((dir_ / "chat.db").string(),
                                    {.synchronous = store::Synchronous::off})
                     .value();
        rooms_ = std::make_unique<RoomService>(*store_, ServerName::parse("a.test").value(),
                                               crypto::SigningKey::generate("t"), notifier_,
                                               clock_);
    }
    void TearDown() override {
        rooms_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    RoomSummary summary(const RoomId& room) {
        return store_
            ->read("s",
                   [&](store::ReadTxn& t) -> Result<RoomSummary> {
                       auto row = t.rooms().get(room);
                       if (!row) return row.error();
                       return summarize_room(t, row->value(), "a.test");
                   })
            .value();
    }
    void block(const RoomId& room) {
        ASSERT_TRUE(store_->write("b", [&](store::WriteTxn& t) {
            return t.admin().block_room({room, alice_, 1});
        }));
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    sync::InProcessNotifier notifier_;
    test::TickingClock clock_;
    std::unique_ptr<RoomService> rooms_;
    UserId alice_ = user("@alice:a.test");
    UserId bob_ = user("@bob:a.test");
    UserId carol_ = user("@carol:a.test");
};

TEST_F(RoomAdminTest, SummaryReadsTheCurrentState) {
    auto room = rooms_->create_room(
        {.creator = alice_, .preset = Preset::public_chat, .name = "Hall", .topic = "talk"});
    ASSERT_TRUE(room);
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    auto s = summary(room->room_id);
    EXPECT_EQ(s.name, "Hall");
    EXPECT_EQ(s.topic, "talk");
    EXPECT_EQ(s.join_rules, "public");
    EXPECT_EQ(s.creator, alice_);
    EXPECT_EQ(s.joined_members, 2);
    EXPECT_EQ(s.joined_local_members, 2);
    EXPECT_TRUE(s.federatable);
    EXPECT_FALSE(s.blocked);
    EXPECT_GE(s.state_events, 6);
    auto json = room_summary_json(s);
    EXPECT_EQ(json["name"], "Hall");
    EXPECT_TRUE(json["canonical_alias"].is_null());
}

TEST_F(RoomAdminTest, ABlockedRoomRefusesJoinsInvitesAndKnocksButNotLeaves) {
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::public_chat});
    ASSERT_TRUE(room);
    ASSERT_TRUE(rooms_->join(carol_, room->room_id));
    block(room->room_id);
    auto join = rooms_->join(bob_, room->room_id);
    ASSERT_FALSE(join);
    EXPECT_EQ(join.error().code, Errc::forbidden);
    auto invite = rooms_->invite(alice_, room->room_id, bob_);
    ASSERT_FALSE(invite);
    EXPECT_EQ(invite.error().code, Errc::forbidden);
    EXPECT_FALSE(rooms_->knock(bob_, room->room_id));
    EXPECT_TRUE(rooms_->leave(carol_, room->room_id));
    EXPECT_TRUE(summary(room->room_id).blocked);
}

TEST_F(RoomAdminTest, PurgeRemovesOneRoomAndLeavesTheOthers) {
    auto doomed = rooms_->create_room({.creator = alice_, .name = "Doomed"});
    auto kept = rooms_->create_room({.creator = alice_, .name = "Kept"});
    ASSERT_TRUE(doomed && kept);
    auto sent = rooms_->send_message(alice_, doomed->room_id, "m.room.message",
                                     {{"msgtype", "m.text"}, {"body", "bye"}});
    ASSERT_TRUE(sent);
    const auto gone_event = sent->event->event_id();

    auto purged = store_->write("purge", [&](store::WriteTxn& t) {
        return t.admin().purge_room(doomed->room_id);
    });
    ASSERT_TRUE(purged) << purged.error().message;
    EXPECT_EQ(*purged, static_cast<std::int64_t>(doomed->events.size()) + 1);

    auto after = store_->read("after", [&](store::ReadTxn& t) -> Result<bool> {
        auto room = t.rooms().get(doomed->room_id);
        if (!room) return room.error();
        auto event = t.events().get(gone_event);
        if (!event) return event.error();
        auto state = t.current_state().get(doomed->room_id);
        if (!state) return state.error();
        auto member = t.members().get(alice_, doomed->room_id);
        if (!member) return member.error();
        return !*room && !*event && state->empty() && !*member;
    });
    ASSERT_TRUE(after);
    EXPECT_TRUE(*after);
    EXPECT_EQ(summary(kept->room_id).name, "Kept");
    EXPECT_TRUE(rooms_->send_message(alice_, kept->room_id, "m.room.message",
                                     {{"msgtype", "m.text"}, {"body", "still here"}}));
    // The purged room takes no more events.
    EXPECT_FALSE(rooms_->send_message(alice_, doomed->room_id, "m.room.message",
                                      {{"msgtype", "m.text"}, {"body", "again"}}));
}

}  // namespace
}  // namespace chat::rooms
