#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/raw_sqlite.hpp"
#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using store::CurrentStateChange;
using store::ReadTxn;
using store::StateDeltaEntry;
using store::StateGroupId;
using store::StateGroupInfo;
using store::WriteTxn;

EventId ev(int n) {
    // Domain-form ids stand in for events: state groups only name them.
    return EventId::parse("$e" + std::to_string(n) + ":a.test").value();
}

StateDeltaEntry set(const std::string& type, const std::string& key, int n) {
    return {state_key(type, key), ev(n)};
}
StateDeltaEntry removal(const std::string& type, const std::string& key) {
    return {state_key(type, key), std::nullopt};
}

class StoreStateGroups : public test::StoreTest {
protected:
    store::SqliteOptions options() const override { return {.state_max_delta_chain = 3}; }

    StateGroupId create(std::optional<StateGroupId> parent, std::vector<StateDeltaEntry> delta) {
        return write([&](WriteTxn& t) { return t.state().create_group(room_, parent, delta); });
    }
    StateMap state_at(StateGroupId g) {
        return read([&](ReadTxn& t) { return t.state().state_at(g); });
    }
    StateGroupInfo info(StateGroupId g) {
        return *read([&](ReadTxn& t) { return t.state().group(g); });
    }
    std::size_t rows_of(StateGroupId g) {
        return std::stoul(test::RawSqlite(db_path()).scalar(
            "SELECT COUNT(*) FROM state_group_entries WHERE group_id = " + std::to_string(g)));
    }

    RoomId room_ = test::rid("!room:a.test");
};

TEST_F(StoreStateGroups, AChainOfDeltasResolvesToTheFullState) {
    auto g0 = create(std::nullopt, {set("m.room.create", "", 1), set("m.room.member", "@a:a.test", 2)});
    auto g1 = create(g0, {set("m.room.member", "@b:a.test", 3)});
    auto g2 = create(g1, {set("m.room.member", "@a:a.test", 4), set("m.room.name", "", 5)});
    StateMap expected = {{state_key("m.room.create", ""), ev(1)},
                         {state_key("m.room.member", "@a:a.test"), ev(4)},
                         {state_key("m.room.member", "@b:a.test"), ev(3)},
                         {state_key("m.room.name", ""), ev(5)}};
    EXPECT_EQ(state_at(g2), expected);
    // Earlier groups are unchanged.
    EXPECT_EQ(state_at(g0).at(state_key("m.room.member", "@a:a.test")), ev(2));
    EXPECT_EQ(state_at(g1).size(), 3u);
    // Deltas store only their changes.
    EXPECT_EQ(rows_of(g1), 1u);
    EXPECT_EQ(rows_of(g2), 2u);
    EXPECT_EQ(info(g2).prev_group, g1);
    EXPECT_EQ(info(g2).chain_length, 2);
}

TEST_F(StoreStateGroups, AFullSnapshotIsWrittenEveryNDeltas) {
    auto g = create(std::nullopt, {set("m.room.create", "", 0)});
    std::vector<int> chain_lengths;
    for (int i = 1; i <= 5; ++i) {
        g = create(g, {set("m.room.member", "@u" + std::to_string(i) + ":a.test", i)});
        chain_lengths.push_back(info(g).chain_length);
    }
    // N = 3: three deltas, then a snapshot (length 0), then deltas again.
    EXPECT_EQ(chain_lengths, (std::vector<int>{1, 2, 3, 0, 1}));
    const StateMap full = state_at(g);
    EXPECT_EQ(full.size(), 6u);
    // The snapshot (the 4th group after the first) holds the whole state then.
    auto snapshot = info(g).prev_group.value();
    EXPECT_EQ(info(snapshot).chain_length, 0);
    EXPECT_EQ(rows_of(snapshot), 5u);
    EXPECT_EQ(state_at(snapshot).size(), 5u);
    EXPECT_EQ(full.at(state_key("m.room.member", "@u5:a.test")), ev(5));
}

TEST_F(StoreStateGroups, ARemovalInADeltaDropsTheKey) {
    auto g0 = create(std::nullopt, {set("m.room.create", "", 1), set("m.room.topic", "", 2)});
    auto g1 = create(g0, {removal("m.room.topic", "")});
    auto g2 = create(g1, {set("m.room.name", "", 3)});
    EXPECT_EQ(state_at(g2), (StateMap{{state_key("m.room.create", ""), ev(1)},
                                      {state_key("m.room.name", ""), ev(3)}}));
    auto topic = read([&](ReadTxn& t) { return t.state().state_entry_at(g2, "m.room.topic", ""); });
    EXPECT_FALSE(topic);
    auto topic_before = read([&](ReadTxn& t) { return t.state().state_entry_at(g0, "m.room.topic", ""); });
    EXPECT_EQ(topic_before, ev(2));
    // Removals also survive a snapshot: g3 is the 3rd delta, g4 a snapshot.
    auto g3 = create(g2, {set("m.room.name", "", 4)});
    auto g4 = create(g3, {removal("m.room.name", "")});
    EXPECT_EQ(info(g4).chain_length, 0);
    EXPECT_EQ(state_at(g4), (StateMap{{state_key("m.room.create", ""), ev(1)}}));
}

TEST_F(StoreStateGroups, EntryAndTypeLookupsReadTheChain) {
    auto g0 = create(std::nullopt, {set("m.room.create", "", 1), set("m.room.member", "@a:a.test", 2)});
    auto g1 = create(g0, {set("m.room.member", "@b:a.test", 3)});
    read([&](ReadTxn& t) -> Result<void> {
        EXPECT_EQ(value(t.state().state_entry_at(g1, "m.room.member", "@a:a.test")), ev(2));
        EXPECT_EQ(value(t.state().state_entry_at(g1, "m.room.member", "@b:a.test")), ev(3));
        EXPECT_FALSE(value(t.state().state_entry_at(g1, "m.room.member", "@c:a.test")));
        auto members = value(t.state().state_of_type_at(g1, "m.room.member"));
        EXPECT_EQ(members.size(), 2u);
        return ok();
    });
}

TEST_F(StoreStateGroups, UnknownGroupsAreNotFound) {
    auto missing = store_->read("state", [](ReadTxn& t) { return t.state().state_at(42); });
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    auto entry = store_->read("state", [](ReadTxn& t) { return t.state().state_entry_at(42, "a", ""); });
    ASSERT_FALSE(entry);
    EXPECT_EQ(entry.error().code, Errc::not_found);
    auto child = store_->write("state", [&](WriteTxn& t) {
        std::vector<StateDeltaEntry> d = {set("x", "", 1)};
        return t.state().create_group(room_, StateGroupId{42}, d);
    });
    ASSERT_FALSE(child);
    EXPECT_EQ(child.error().code, Errc::not_found);
    EXPECT_FALSE(read([](ReadTxn& t) { return t.state().group(42); }));
}

TEST_F(StoreStateGroups, AnEmptyDeltaReusesTheParent) {
    auto g0 = create(std::nullopt, {set("m.room.create", "", 1)});
    EXPECT_EQ(create(g0, {}), g0);
}

TEST_F(StoreStateGroups, AParentFromAnotherRoomIsRefused) {
    auto g0 = create(std::nullopt, {set("m.room.create", "", 1)});
    auto refused = store_->write("state", [&](WriteTxn& t) {
        std::vector<StateDeltaEntry> d = {set("x", "", 2)};
        return t.state().create_group(test::rid("!other:a.test"), g0, d);
    });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::invalid_param);
}

TEST_F(StoreStateGroups, AGroupFromAFullStateStoresOnlyItsDifference) {
    auto g0 = create(std::nullopt, {set("m.room.create", "", 1), set("m.room.topic", "", 2),
                                    set("m.room.name", "", 3)});
    StateMap resolved = {{state_key("m.room.create", ""), ev(1)},
                         {state_key("m.room.name", ""), ev(9)},
                         {state_key("m.room.avatar", ""), ev(10)}};
    auto g1 = write([&](WriteTxn& t) {
        return t.state().create_group_from_state(room_, resolved, g0);
    });
    EXPECT_EQ(state_at(g1), resolved);
    EXPECT_EQ(rows_of(g1), 3u);  // name changed, avatar added, topic removed
    auto same = write([&](WriteTxn& t) { return t.state().create_group_from_state(room_, resolved, g1); });
    EXPECT_EQ(same, g1);
    auto fresh = write([&](WriteTxn& t) {
        return t.state().create_group_from_state(room_, resolved, std::nullopt);
    });
    EXPECT_EQ(info(fresh).chain_length, 0);
    EXPECT_EQ(state_at(fresh), resolved);
}

TEST_F(StoreStateGroups, EventsMapToTheirGroupsBeforeAndAfter) {
    test::TestRoom room;
    auto create_pdu = room.create();
    auto topic = room.state("m.room.topic", "", {{"topic", "t"}});
    auto msg = room.message("hi");
    auto after_create = write([&](WriteTxn& t) { return test::persist_timeline_event(t, create_pdu, std::nullopt); });
    auto after_topic = write([&](WriteTxn& t) { return test::persist_timeline_event(t, topic, after_create.group_after); });
    auto after_msg = write([&](WriteTxn& t) { return test::persist_timeline_event(t, msg, after_topic.group_after); });
    EXPECT_EQ(after_msg.group_after, after_topic.group_after);  // a message makes no group
    read([&](ReadTxn& t) -> Result<void> {
        EXPECT_EQ(value(t.state().group_before(topic->event_id())), after_create.group_after);
        EXPECT_EQ(value(t.state().group_after(topic->event_id())), after_topic.group_after);
        EXPECT_EQ(value(t.state().group_before(msg->event_id())), after_topic.group_after);
        EXPECT_FALSE(value(t.state().group_before(room.message("x")->event_id())));
        auto state = value(t.state().state_at(after_msg.group_after));
        EXPECT_EQ(state.at(state_key("m.room.topic", "")), topic->event_id());
        return ok();
    });
    write([&](WriteTxn& t) { return t.state().set_event_groups(msg->event_id(), 1, 1); });
    EXPECT_EQ(read([&](ReadTxn& t) { return t.state().group_after(msg->event_id()); }), 1);
}

class StoreCurrentState : public test::StoreTest {
protected:
    test::TestRoom room_;
    // Persists every event as a timeline event with its state.
    std::vector<test::Persisted> persist(const std::vector<PduPtr>& pdus) {
        std::vector<test::Persisted> out;
        for (const auto& pdu : pdus) {
            std::optional<StateGroupId> before;
            if (!out.empty()) before = out.back().group_after;
            else if (!last_.empty()) before = last_.back().group_after;
            out.push_back(write([&](WriteTxn& t) { return test::persist_timeline_event(t, pdu, before); }));
        }
        last_.insert(last_.end(), out.begin(), out.end());
        return out;
    }
    std::vector<test::Persisted> last_;
};

TEST_F(StoreCurrentState, FollowsStateEventsAndLogsChangesByPosition) {
    auto create = room_.create();
    auto join = room_.member("@alice:a.test", "join");
    auto topic1 = room_.state("m.room.topic", "", {{"topic", "one"}});
    auto msg = room_.message("hi");
    auto topic2 = room_.state("m.room.topic", "", {{"topic", "two"}});
    auto p = persist({create, join, topic1, msg, topic2});

    auto current = read([&](ReadTxn& t) { return t.current_state().get(room_.room_id()); });
    EXPECT_EQ(current, (StateMap{{state_key("m.room.create", ""), create->event_id()},
                                 {state_key("m.room.member", "@alice:a.test"), join->event_id()},
                                 {state_key("m.room.topic", ""), topic2->event_id()}}));
    // Current state agrees with the state group after the last event.
    EXPECT_EQ(current, read([&](ReadTxn& t) { return t.state().state_at(p.back().group_after); }));

    auto changes = read([&](ReadTxn& t) {
        return t.current_state().changes(room_.room_id(), p[1].ordering, p[4].ordering);
    });
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].stream_ordering, p[2].ordering);
    EXPECT_EQ(changes[0].key, state_key("m.room.topic", ""));
    EXPECT_EQ(changes[0].event_id, topic1->event_id());
    EXPECT_FALSE(changes[0].prev_event_id);
    EXPECT_EQ(changes[1].event_id, topic2->event_id());
    EXPECT_EQ(changes[1].prev_event_id, topic1->event_id());

    auto none = read([&](ReadTxn& t) {
        return t.current_state().changes(room_.room_id(), p[2].ordering, p[3].ordering);
    });
    EXPECT_TRUE(none.empty());  // the message changed no state

    auto rooms = read([&](ReadTxn& t) { return t.current_state().rooms_changed(p[3].ordering, p[4].ordering); });
    EXPECT_EQ(rooms, std::vector<RoomId>{room_.room_id()});
    auto entry = read([&](ReadTxn& t) { return t.current_state().entry(room_.room_id(), "m.room.topic", ""); });
    EXPECT_EQ(entry, topic2->event_id());
    auto members = read([&](ReadTxn& t) { return t.current_state().of_type(room_.room_id(), "m.room.member"); });
    EXPECT_EQ(members.size(), 1u);
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.current_state().get(test::rid("!no:a.test")); }).empty());
}

TEST_F(StoreCurrentState, ReplaceAppliesTheDifferenceAndReturnsIt) {
    auto create = room_.create();
    auto topic = room_.state("m.room.topic", "", {{"topic", "one"}});
    auto name = room_.state("m.room.name", "", {{"name", "n"}});
    auto p = persist({create, topic});
    write([&](WriteTxn& t) -> Result<bool> {
        if (auto e = t.events().persist({.pdu = name}); !e) return e.error();
        return true;
    });
    StateMap resolved = {{state_key("m.room.create", ""), create->event_id()},
                         {state_key("m.room.name", ""), name->event_id()}};
    auto delta = write([&](WriteTxn& t) { return t.current_state().replace(room_.room_id(), resolved, 99); });
    EXPECT_EQ(delta.size(), 2u);  // name added, topic removed
    EXPECT_EQ(read([&](ReadTxn& t) { return t.current_state().get(room_.room_id()); }), resolved);
    auto changes = read([&](ReadTxn& t) { return t.current_state().changes(room_.room_id(), 98, 99); });
    ASSERT_EQ(changes.size(), 2u);
    bool removed_topic = false;
    for (const auto& c : changes)
        if (c.key == state_key("m.room.topic", "") && !c.event_id && c.prev_event_id == topic->event_id())
            removed_topic = true;
    EXPECT_TRUE(removed_topic);
}

TEST_F(StoreCurrentState, AMemberEventThatIsNotStoredIsNotFound) {
    persist({room_.create()});
    auto ghost = room_.member("@ghost:a.test", "join");
    auto refused = store_->write("apply", [&](WriteTxn& t) {
        std::vector<StateDeltaEntry> d = {{state_key("m.room.member", "@ghost:a.test"), ghost->event_id()}};
        return t.current_state().apply_delta(room_.room_id(), d, 5);
    });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::not_found);
    // The failed write left nothing behind.
    EXPECT_FALSE(read([&](ReadTxn& t) {
        return t.current_state().entry(room_.room_id(), "m.room.member", "@ghost:a.test");
    }));
}

}  // namespace
}  // namespace chat
