#include <chat/rooms/room_service.hpp>

#include <unistd.h>

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "support/ticking_clock.hpp"

namespace chat::rooms {
namespace {

using nlohmann::json;

UserId user(const char* id) { return UserId::parse(id).value(); }

class MemberProfileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("member_profile_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        store_ = store::open_sqlite((dir_ / "chat.db").string(),
                                    {.synchronous = store::Synchronous::off})
                     .value();
        rooms_ =
            std::make_unique<RoomService>(*store_, ServerName::parse("a.test").value(),
                                          crypto::SigningKey::generate("t"), notifier_, clock_);
        for (const auto& u : {alice_, bob_})
            ASSERT_TRUE(store_->write("user", [&](store::WriteTxn& t) {
                return t.users().create({.user_id = u, .created_ts = 1});
            }));
    }
    void TearDown() override {
        rooms_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    void set_profile(const UserId& u, std::optional<std::string> name,
                     std::optional<std::string> avatar) {
        ASSERT_TRUE(store_->write("profile", [&](store::WriteTxn& t) -> Result<void> {
            if (auto r = t.users().set_displayname(u, name); !r) return r.error();
            return t.users().set_avatar_url(u, avatar);
        }));
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    sync::InProcessNotifier notifier_;
    test::TickingClock clock_;
    std::unique_ptr<RoomService> rooms_;
    UserId alice_ = user("@alice:a.test");
    UserId bob_ = user("@bob:a.test");
};

// Dropping join_authorised_via_users_server is not tested here: RoomService cannot send a
// local join carrying it yet (the auth context it builds has no is_signed_by).
TEST_F(MemberProfileTest, UpdateReplacesTheProfileAndKeepsOtherContent) {
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::public_chat});
    ASSERT_TRUE(room);
    auto joined = rooms_->send_state(
        bob_, room->room_id, "m.room.member", std::string(bob_.str()),
        {{"membership", "join"}, {"displayname", "per-room"}, {"custom", "kept"}});
    ASSERT_TRUE(joined) << joined.error().message << " " << joined.error().detail;
    set_profile(bob_, "Bob", "mxc://a.test/bob");

    auto sent = rooms_->update_member_profile(bob_, room->room_id);
    ASSERT_TRUE(sent) << sent.error().message;
    ASSERT_TRUE(*sent);
    const json& content = (*sent)->event->content();
    EXPECT_EQ(content.value("membership", ""), "join");
    EXPECT_EQ(content.value("displayname", ""), "Bob");
    EXPECT_EQ(content.value("avatar_url", ""), "mxc://a.test/bob");
    EXPECT_EQ(content.value("custom", ""), "kept");

    // Already current: nothing more to send.
    auto again = rooms_->update_member_profile(bob_, room->room_id);
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);

    // A cleared field disappears from the next member event.
    set_profile(bob_, "Bob", std::nullopt);
    auto cleared = rooms_->update_member_profile(bob_, room->room_id);
    ASSERT_TRUE(cleared && *cleared);
    EXPECT_FALSE((*cleared)->event->content().contains("avatar_url"));
    EXPECT_EQ((*cleared)->event->content().value("displayname", ""), "Bob");
}

TEST_F(MemberProfileTest, UpdateSendsNothingOutsideJoinedRooms) {
    auto room = rooms_->create_room({.creator = alice_, .invite = {bob_}});
    ASSERT_TRUE(room);
    set_profile(bob_, "Bob", std::nullopt);
    auto invited = rooms_->update_member_profile(bob_, room->room_id);
    ASSERT_TRUE(invited);
    EXPECT_FALSE(*invited);
    auto stranger = rooms_->update_member_profile(user("@carol:a.test"), room->room_id);
    ASSERT_TRUE(stranger);
    EXPECT_FALSE(*stranger);
    auto remote = rooms_->update_member_profile(user("@bob:b.test"), room->room_id);
    ASSERT_FALSE(remote);
    EXPECT_EQ(remote.error().code, Errc::forbidden);
}

TEST_F(MemberProfileTest, RemoteTargetsAndUsersWithoutProfileGetNoFields) {
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::public_chat});
    ASSERT_TRUE(room);
    auto invite = rooms_->invite(alice_, room->room_id, user("@dave:b.test"));
    ASSERT_TRUE(invite) << invite.error().message;
    EXPECT_FALSE(invite->event->content().contains("displayname"));
    auto join = rooms_->join(bob_, room->room_id);  // bob has no profile fields set
    ASSERT_TRUE(join);
    EXPECT_FALSE(join->event->content().contains("displayname"));
    EXPECT_FALSE(join->event->content().contains("avatar_url"));
}

}  // namespace
}  // namespace chat::rooms
