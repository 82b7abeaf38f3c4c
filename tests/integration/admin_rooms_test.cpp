// The room admin API against a real chatd: list with ordering and search,
// details, members, state, and deletion in the background (members leave,
// purge removes the room, block refuses joins).
#include <gtest/gtest.h>

#include "support/admin.hpp"
#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

class AdminRooms : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path(), kAdminYaml);
        admin_ = std::make_unique<MatrixClient>(registered_admin(daemon_->port(), "root"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }
    MatrixClient user(std::string_view name) const {
        return MatrixClient::registered(daemon_->port(), name);
    }
    static std::string room_path(const std::string& room_id, std::string_view version = "v1") {
        return "/_synapse/admin/" + std::string(version) + "/rooms/" + escape(room_id);
    }
    static bool joined(const MatrixClient& client, const std::string& room_id) {
        auto rooms = client.get("/_matrix/client/v3/joined_rooms").body["joined_rooms"];
        return std::find(rooms.begin(), rooms.end(), room_id) != rooms.end();
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::unique_ptr<MatrixClient> admin_;
};

TEST_F(AdminRooms, ListOrdersSearchesAndPages) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto zoo = alice.create_room({{"name", "Zoo"}, {"preset", "public_chat"}});
    auto apple = alice.create_room({{"name", "Apple"}, {"preset", "public_chat"}});
    bob.join(zoo);

    auto by_name = admin_->get("/_synapse/admin/v1/rooms");
    ASSERT_EQ(by_name.status, 200) << by_name.text;
    EXPECT_EQ(by_name.body["total_rooms"], 2);
    ASSERT_EQ(by_name.body["rooms"].size(), 2u);
    EXPECT_EQ(by_name.body["rooms"][0]["name"], "Apple");
    EXPECT_EQ(by_name.body["rooms"][1]["name"], "Zoo");
    EXPECT_EQ(by_name.body["rooms"][1]["joined_members"], 2);
    EXPECT_EQ(by_name.body["rooms"][1]["joined_local_members"], 2);
    EXPECT_EQ(by_name.body["rooms"][1]["join_rules"], "public");

    auto by_size = admin_->get("/_synapse/admin/v1/rooms?order_by=joined_members&dir=b&limit=1");
    ASSERT_EQ(by_size.status, 200) << by_size.text;
    ASSERT_EQ(by_size.body["rooms"].size(), 1u);
    EXPECT_EQ(by_size.body["rooms"][0]["room_id"], zoo);
    EXPECT_EQ(by_size.body["next_batch"], 1);

    auto searched = admin_->get("/_synapse/admin/v1/rooms?search_term=app");
    ASSERT_EQ(searched.body["rooms"].size(), 1u);
    EXPECT_EQ(searched.body["rooms"][0]["room_id"], apple);
    EXPECT_EQ(searched.body["total_rooms"], 1);

    auto bad = admin_->get("/_synapse/admin/v1/rooms?order_by=colour");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.errcode(), "M_INVALID_PARAM");
}

TEST_F(AdminRooms, DetailsMembersAndState) {
    auto alice = user("alice");
    auto room = alice.create_room({{"name", "Garden"}, {"topic", "plants"}});
    auto details = admin_->get(room_path(room));
    ASSERT_EQ(details.status, 200) << details.text;
    EXPECT_EQ(details.body["room_id"], room);
    EXPECT_EQ(details.body["name"], "Garden");
    EXPECT_EQ(details.body["topic"], "plants");
    EXPECT_EQ(details.body["creator"], "@alice:localhost");
    EXPECT_GT(details.body["state_events"].get<int>(), 3);

    auto members = admin_->get(room_path(room) + "/members");
    ASSERT_EQ(members.status, 200) << members.text;
    EXPECT_EQ(members.body["members"], nlohmann::json::array({"@alice:localhost"}));
    EXPECT_EQ(members.body["total"], 1);

    auto state = admin_->get(room_path(room) + "/state");
    ASSERT_EQ(state.status, 200) << state.text;
    bool has_create = false;
    for (const auto& ev : state.body["state"]) has_create |= ev["type"] == "m.room.create";
    EXPECT_TRUE(has_create) << state.text;
    EXPECT_EQ(state.body["state"].size(), details.body["state_events"].get<std::size_t>());

    EXPECT_EQ(admin_->get(room_path("!unknown:localhost")).status, 404);
    EXPECT_EQ(admin_->get("/_synapse/admin/v1/rooms/not-a-room").status, 400);
}

TEST_F(AdminRooms, DeleteWithPurgeAndBlockEmptiesRemovesAndBlocksTheRoom) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto room = alice.create_room({{"preset", "public_chat"}, {"room_alias_name", "doomed"}});
    bob.join(room);
    alice.send_text(room, "hello");

    auto started = admin_->del(room_path(room, "v2"), {{"purge", true}, {"block", true}});
    ASSERT_EQ(started.status, 200) << started.text;
    auto delete_id = started.body["delete_id"].get<std::string>();
    auto status = wait_for_deletion(*admin_, delete_id);
    ASSERT_EQ(status["status"], "complete") << status.dump() << daemon_->log_tail();
    auto kicked = status["shutdown_room"]["kicked_users"];
    EXPECT_EQ(kicked.size(), 2u) << status.dump();
    EXPECT_EQ(status["shutdown_room"]["local_aliases"],
              nlohmann::json::array({"#doomed:localhost"}));

    EXPECT_FALSE(joined(alice, room));
    EXPECT_FALSE(joined(bob, room));
    EXPECT_EQ(admin_->get(room_path(room)).status, 404);  // purged
    auto by_room = admin_->get(room_path(room, "v2") + "/delete_status");
    ASSERT_EQ(by_room.status, 200) << by_room.text;
    EXPECT_EQ(by_room.body["results"][0]["delete_id"], delete_id);
    auto rejoin = bob.post("/_matrix/client/v3/join/" + escape(room), nlohmann::json::object());
    EXPECT_EQ(rejoin.status, 403) << rejoin.text;
    EXPECT_EQ(rejoin.errcode(), "M_FORBIDDEN");
    auto alias = alice.get("/_matrix/client/v3/directory/room/%23doomed%3Alocalhost");
    EXPECT_EQ(alias.status, 404);
}

TEST_F(AdminRooms, DeleteWithoutPurgeKeepsTheRoomAndCanMoveMembers) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto room = alice.create_room({{"preset", "public_chat"}});
    bob.join(room);
    auto started = admin_->del(room_path(room, "v2"),
                               {{"purge", false}, {"new_room_user_id", "@root:localhost"},
                                {"message", "Moved"}});
    ASSERT_EQ(started.status, 200) << started.text;
    auto status = wait_for_deletion(*admin_, started.body["delete_id"].get<std::string>());
    ASSERT_EQ(status["status"], "complete") << status.dump() << daemon_->log_tail();
    ASSERT_TRUE(status["shutdown_room"]["new_room_id"].is_string()) << status.dump();
    auto new_room = status["shutdown_room"]["new_room_id"].get<std::string>();

    EXPECT_FALSE(joined(bob, room));
    EXPECT_TRUE(joined(bob, new_room));
    auto details = admin_->get(room_path(room));
    ASSERT_EQ(details.status, 200) << details.text;  // not purged
    EXPECT_EQ(details.body["joined_local_members"], 0);
    // Not blocked: a member may come back.
    EXPECT_EQ(bob.post("/_matrix/client/v3/join/" + escape(room), nlohmann::json::object()).status, 200);
}

TEST_F(AdminRooms, DeleteRefusalsAndUnknownIds) {
    auto alice = user("alice");
    auto room = alice.create_room();
    EXPECT_EQ(alice.del(room_path(room, "v2"), nlohmann::json::object()).status, 403);
    EXPECT_EQ(admin_->del(room_path("!nope:localhost", "v2"), nlohmann::json::object()).status, 404);
    auto bad = admin_->del(room_path(room, "v2"), {{"purge", "yes"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(admin_->get("/_synapse/admin/v2/rooms/delete_status/nothing").status, 404);
    EXPECT_EQ(admin_->get(room_path(room, "v2") + "/delete_status").status, 404);

    // Blocking a room we do not know yet is allowed: it keeps it out.
    auto blocked = admin_->del(room_path("!future:localhost", "v2"), {{"block", true}});
    ASSERT_EQ(blocked.status, 200) << blocked.text;
    auto status = wait_for_deletion(*admin_, blocked.body["delete_id"].get<std::string>());
    EXPECT_EQ(status["status"], "complete") << status.dump();
}

}  // namespace
}  // namespace chat::test
