#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using store::AccountDataRow;
using store::Position;
using store::ReadTxn;
using store::ReceiptRow;
using store::Stream;
using store::WriteTxn;

class StoreReceipts : public test::StoreTest {
protected:
    // Stores a receipt at the next receipts position, as a receipts service would.
    Position put(const std::string& user, const std::string& type,
                 std::optional<std::string> thread, const std::string& event,
                 const RoomId& room) {
        return write([&](WriteTxn& t) -> Result<Position> {
            auto pos = t.next_position(Stream::receipts);
            if (!pos) return pos.error();
            auto r = t.receipts().put(ReceiptRow{.room_id = room,
                                                 .user_id = test::uid(user),
                                                 .type = type,
                                                 .thread_id = thread,
                                                 .event_id = EventId::parse(event).value(),
                                                 .event_ordering = 7,
                                                 .ts = 1234,
                                                 .data = {{"ts", 1234}},
                                                 .stream_position = *pos});
            if (!r) return r.error();
            return *pos;
        });
    }
    RoomId room_ = test::rid("!room:a.test");
};

TEST_F(StoreReceipts, PutGetAndReplace) {
    auto p1 = put("@a:a.test", "m.read", std::nullopt, "$e1:a.test", room_);
    auto got = read([&](ReadTxn& t) { return t.receipts().get(room_, test::uid("@a:a.test"), "m.read", std::nullopt); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->event_id.str(), "$e1:a.test");
    EXPECT_EQ(got->stream_position, p1);
    EXPECT_EQ(got->event_ordering, 7);
    EXPECT_EQ(got->data["ts"], 1234);
    EXPECT_FALSE(got->thread_id);

    auto p2 = put("@a:a.test", "m.read", std::nullopt, "$e2:a.test", room_);
    EXPECT_GT(p2, p1);
    got = read([&](ReadTxn& t) { return t.receipts().get(room_, test::uid("@a:a.test"), "m.read", std::nullopt); });
    EXPECT_EQ(got->event_id.str(), "$e2:a.test");
    EXPECT_EQ(read([&](ReadTxn& t) { return t.receipts().for_room(room_); }).size(), 1u);
}

TEST_F(StoreReceipts, TypesThreadsAndUsersAreSeparateKeys) {
    put("@a:a.test", "m.read", std::nullopt, "$e1:a.test", room_);
    put("@a:a.test", "m.read", std::string("$thread:a.test"), "$e2:a.test", room_);
    put("@a:a.test", "m.read.private", std::nullopt, "$e3:a.test", room_);
    put("@b:a.test", "m.read", std::nullopt, "$e4:a.test", room_);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.receipts().for_room(room_); }).size(), 4u);
    auto threaded = read([&](ReadTxn& t) {
        return t.receipts().get(room_, test::uid("@a:a.test"), "m.read", std::string("$thread:a.test"));
    });
    ASSERT_TRUE(threaded);
    EXPECT_EQ(threaded->event_id.str(), "$e2:a.test");
    EXPECT_EQ(threaded->thread_id, "$thread:a.test");
    EXPECT_FALSE(read([&](ReadTxn& t) {
        return t.receipts().get(room_, test::uid("@c:a.test"), "m.read", std::nullopt);
    }));
}

TEST_F(StoreReceipts, ChangesByPosition) {
    auto other = test::rid("!other:a.test");
    auto p1 = put("@a:a.test", "m.read", std::nullopt, "$e1:a.test", room_);
    auto p2 = put("@b:a.test", "m.read", std::nullopt, "$e2:a.test", other);
    auto p3 = put("@c:a.test", "m.read", std::nullopt, "$e3:a.test", room_);
    auto changes = read([&](ReadTxn& t) { return t.receipts().changes(p1, p3, 10); });
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].stream_position, p2);
    EXPECT_EQ(changes[1].stream_position, p3);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.receipts().changes(0, p3, 1); }).size(), 1u);
    auto in_room = read([&](ReadTxn& t) { return t.receipts().changes_in_room(room_, 0, p3); });
    ASSERT_EQ(in_room.size(), 2u);
    EXPECT_EQ(in_room[1].user_id, test::uid("@c:a.test"));
}

class StoreAccountData : public test::StoreTest {
protected:
    Position put(const std::optional<RoomId>& room, const std::string& type, nlohmann::json content) {
        return write([&](WriteTxn& t) -> Result<Position> {
            auto pos = t.next_position(Stream::account_data);
            if (!pos) return pos.error();
            auto r = t.account_data().put(AccountDataRow{.user_id = user_, .room_id = room,
                                                         .type = type, .content = content,
                                                         .stream_position = *pos});
            if (!r) return r.error();
            return *pos;
        });
    }
    UserId user_ = test::uid("@a:a.test");
    RoomId room_ = test::rid("!room:a.test");
};

TEST_F(StoreAccountData, GlobalAndPerRoomAreSeparate) {
    put(std::nullopt, "m.direct", {{"@b:a.test", {"!dm:a.test"}}});
    put(room_, "m.tag", {{"tags", {{"u.work", nlohmann::json::object()}}}});
    put(room_, "m.direct", {{"per", "room"}});
    auto global = read([&](ReadTxn& t) { return t.account_data().get(user_, std::nullopt, "m.direct"); });
    ASSERT_TRUE(global);
    EXPECT_FALSE(global->room_id);
    EXPECT_EQ(global->content["@b:a.test"][0], "!dm:a.test");
    auto per_room = read([&](ReadTxn& t) { return t.account_data().get(user_, room_, "m.direct"); });
    ASSERT_TRUE(per_room);
    EXPECT_EQ(per_room->room_id, room_);
    EXPECT_EQ(per_room->content["per"], "room");
    EXPECT_EQ(read([&](ReadTxn& t) { return t.account_data().all_for_user(user_); }).size(), 3u);
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.account_data().get(user_, std::nullopt, "m.none"); }));
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.account_data().all_for_user(test::uid("@z:a.test")); }).empty());
}

TEST_F(StoreAccountData, ChangesSinceAPositionGiveLatestValues) {
    auto p1 = put(std::nullopt, "m.direct", {{"v", 1}});
    auto p2 = put(std::nullopt, "m.push_rules", {{"v", 1}});
    auto p3 = put(std::nullopt, "m.direct", {{"v", 2}});
    auto since_p1 = read([&](ReadTxn& t) { return t.account_data().changes_for_user(user_, p1, p3); });
    ASSERT_EQ(since_p1.size(), 2u);
    EXPECT_EQ(since_p1[0].type, "m.push_rules");
    EXPECT_EQ(since_p1[0].stream_position, p2);
    EXPECT_EQ(since_p1[1].type, "m.direct");
    EXPECT_EQ(since_p1[1].content["v"], 2);
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.account_data().changes_for_user(user_, p3, p3); }).empty());
}

}  // namespace
}  // namespace chat
