#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using store::MembershipRow;
using store::ReadTxn;
using store::StateGroupId;
using store::WriteTxn;

class StoreMembers : public test::StoreTest {
protected:
    // Persists `pdu` after everything persisted so far, with its state.
    test::Persisted add(const PduPtr& pdu) {
        auto p = write([&](WriteTxn& t) { return test::persist_timeline_event(t, pdu, group_); });
        group_ = p.group_after;
        return p;
    }
    std::vector<RoomId> rooms(const UserId& user, const std::string& membership) {
        auto rows = read([&](ReadTxn& t) { return t.members().rooms_for_user(user, membership); });
        std::vector<RoomId> out;
        for (const auto& r : rows) out.push_back(r.room_id);
        return out;
    }

    test::TestRoom room_;
    std::optional<StateGroupId> group_;
    UserId alice_ = test::uid("@alice:a.test");
    UserId bob_ = test::uid("@bob:b.test");
};

TEST_F(StoreMembers, MembershipsFollowTheCurrentState) {
    add(room_.create());
    auto alice_join = add(room_.member("@alice:a.test", "join"));
    add(room_.event("m.room.member", "@bob:b.test", {{"membership", "invite"}}));
    EXPECT_EQ(rooms(alice_, "join"), std::vector<RoomId>{room_.room_id()});
    EXPECT_EQ(rooms(bob_, "invite"), std::vector<RoomId>{room_.room_id()});
    EXPECT_TRUE(rooms(bob_, "join").empty());

    auto row = read([&](ReadTxn& t) { return t.members().get(alice_, room_.room_id()); });
    ASSERT_TRUE(row);
    EXPECT_EQ(row->membership, "join");
    EXPECT_EQ(row->stream_ordering, alice_join.ordering);

    auto bob_join = room_.member("@bob:b.test", "join");
    add(bob_join);
    EXPECT_EQ(rooms(bob_, "join"), std::vector<RoomId>{room_.room_id()});
    EXPECT_TRUE(rooms(bob_, "invite").empty());
    auto joined = read([&](ReadTxn& t) { return t.members().members_of(room_.room_id(), "join"); });
    ASSERT_EQ(joined.size(), 2u);
    EXPECT_EQ(joined[0].user_id, alice_);
    EXPECT_EQ(joined[1].event_id, bob_join->event_id());
    EXPECT_EQ(read([&](ReadTxn& t) { return t.members().count(room_.room_id(), "join"); }), 2);
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.members().get(test::uid("@carol:c.test"), room_.room_id()); }));
}

TEST_F(StoreMembers, CurrentMembersCarryTheirMembershipAndDisplayName) {
    add(room_.create());
    add(room_.event("m.room.member", "@alice:a.test",
                    {{"membership", "join"}, {"displayname", "Alice"}}));
    auto bob = room_.event("m.room.member", "@bob:b.test",
                           {{"membership", "join"}, {"displayname", "Bob"}});
    add(bob);
    add(room_.event("m.room.member", "@carol:a.test",
                    {{"membership", "leave"}, {"displayname", 7}}));  // not a string
    // A redacted member event keeps its membership, not its name.
    nlohmann::json pruned = bob->json();
    pruned["content"] = {{"membership", "join"}};
    auto redaction = room_.message("stands in for the redaction");
    EXPECT_TRUE(write([&](WriteTxn& t) {
        return t.events().redact(bob->event_id(), pruned, redaction->event_id(), 1);
    }));

    auto members = read([&](ReadTxn& t) { return t.current_state().members(room_.room_id()); });
    std::map<std::string, store::CurrentMember> by_user;
    for (auto& m : members) by_user.emplace(m.user_id, m);
    ASSERT_EQ(by_user.size(), 3u);
    EXPECT_EQ(by_user["@alice:a.test"].membership, "join");
    EXPECT_EQ(by_user["@alice:a.test"].displayname, "Alice");
    EXPECT_EQ(by_user["@bob:b.test"].membership, "join");
    EXPECT_FALSE(by_user["@bob:b.test"].displayname);
    EXPECT_EQ(by_user["@carol:a.test"].membership, "leave");
    EXPECT_FALSE(by_user["@carol:a.test"].displayname);
    EXPECT_TRUE(read([&](ReadTxn& t) {
                    return t.current_state().members(test::rid("!unknown:a.test"));
                }).empty());
}

TEST_F(StoreMembers, ChangesForAUserBetweenPositionsIncludeEachStep) {
    auto start = add(room_.create());
    auto join = add(room_.member("@bob:b.test", "join"));
    add(room_.message("hello"));
    auto leave = add(room_.member("@bob:b.test", "leave"));
    test::TestRoom other(RoomVersion::v10, "!other:a.test");
    std::optional<StateGroupId> other_group;
    auto other_create = write([&](WriteTxn& t) { return test::persist_timeline_event(t, other.create(), other_group); });
    auto other_join = write([&](WriteTxn& t) {
        return test::persist_timeline_event(t, other.member("@bob:b.test", "join"), other_create.group_after);
    });

    auto all = read([&](ReadTxn& t) { return t.members().changes_for_user(bob_, start.ordering, other_join.ordering); });
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].membership, "join");
    EXPECT_EQ(all[0].stream_ordering, join.ordering);
    EXPECT_EQ(all[1].membership, "leave");
    EXPECT_EQ(all[1].stream_ordering, leave.ordering);
    EXPECT_EQ(all[2].room_id, other.room_id());

    auto window = read([&](ReadTxn& t) { return t.members().changes_for_user(bob_, join.ordering, leave.ordering); });
    ASSERT_EQ(window.size(), 1u);
    EXPECT_EQ(window[0].membership, "leave");
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.members().changes_for_user(alice_, start.ordering, leave.ordering); }).empty());
    EXPECT_EQ(rooms(bob_, "leave"), std::vector<RoomId>{room_.room_id()});
    EXPECT_EQ(rooms(bob_, "join"), std::vector<RoomId>{other.room_id()});
}

TEST_F(StoreMembers, OutOfBandMembershipsForRoomsWeAreNotIn) {
    auto invite = EventId::parse("$invite:remote.test").value();
    auto remote_room = test::rid("!far:remote.test");
    write([&](WriteTxn& t) -> Result<bool> {
        auto pos = t.next_position(store::Stream::events);
        if (!pos) return pos.error();
        auto r = t.members().set_out_of_band(MembershipRow{.user_id = alice_,
                                                           .room_id = remote_room,
                                                           .membership = "invite",
                                                           .event_id = invite,
                                                           .stream_ordering = *pos});
        if (!r) return r.error();
        return true;
    });
    EXPECT_EQ(rooms(alice_, "invite"), std::vector<RoomId>{remote_room});
    auto changes = read([&](ReadTxn& t) { return t.members().changes_for_user(alice_, 0, store::kMaxPosition); });
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].event_id, invite);
}

}  // namespace
}  // namespace chat
