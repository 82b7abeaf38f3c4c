#include <chat/push/notifications.hpp>
#include <chat/push/push_rules_store.hpp>

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <chat/json/parse.hpp>
#include <chat/sync/sync_assembler.hpp>

#include "libchat/store/raw_sqlite.hpp"
#include "libchat/sync/sync_fixture.hpp"

namespace chat::push {
namespace {

using nlohmann::json;
using test::value;

// Unread counts per thread, GET /notifications' reads and the push badge,
// over a real store and RoomService (events persisted as chatd does).
class NotificationsTest : public test::SyncFixture {
protected:
    // A room of alice and bob: alice's messages notify bob (room_one_to_one).
    RoomId pair_room() {
        auto room = value(rooms_->create_room({.creator = alice_,
                                               .preset = rooms::Preset::public_chat,
                                               .name = std::string("Pair")}))
                        .room_id;
        value(rooms_->join(bob_, room));
        return room;
    }
    EventId say(const RoomId& room, const std::string& body, json extra = json::object()) {
        json content{{"msgtype", "m.text"}, {"body", body}};
        content.update(extra);
        return value(rooms_->send_message(alice_, room, "m.room.message", content))
            .event->event_id();
    }
    EventId reply_in_thread(const RoomId& room, const EventId& root, const std::string& body) {
        return say(room, body,
                   {{"m.relates_to", {{"rel_type", "m.thread"}, {"event_id", root.str()}}}});
    }
    ThreadedUnread threaded(const RoomId& room) {
        return read([&](store::ReadTxn& t) { return unread_thread_counts(t, bob_, room); });
    }
    json sync_room(const RoomId& room, std::string_view filter) {
        sync::SyncRequest req{.user = bob_,
                              .device_id = "DEV",
                              .filter = sync::Filter::from_json(json::parse(filter)).value(),
                              .now_ts = clock_.peek()};
        auto r = read([&](store::ReadTxn& t) { return sync::assemble_sync(t, req); });
        return r.body["rooms"]["join"][std::string(room.str())];
    }
};

TEST_F(NotificationsTest, ThreadedEventsCountPerThreadAndOutsideTheMainCounts) {
    const RoomId room = pair_room();
    const EventId root = say(room, "root");
    reply_in_thread(room, root, "r1");
    const EventId last_in_root = reply_in_thread(room, root, "r2");
    const EventId other = say(room, "other root");
    reply_in_thread(room, other, "o1");

    auto all = read([&](store::ReadTxn& t) { return unread_counts(t, bob_, room); });
    EXPECT_EQ(all.notifications, 5);

    auto split = threaded(room);
    EXPECT_EQ(split.main.notifications, 2);  // the two roots
    ASSERT_EQ(split.threads.size(), 2u);
    std::map<std::string, std::int64_t> per_thread;
    for (const auto& t : split.threads) per_thread[t.thread_id] = t.counts.notifications;
    EXPECT_EQ(per_thread[std::string(root.str())], 2);
    EXPECT_EQ(per_thread[std::string(other.str())], 1);

    // A receipt in one thread resets that thread only.
    value(rooms_->set_receipt(bob_, room, "m.read", last_in_root, std::string(root.str())));
    split = threaded(room);
    EXPECT_EQ(split.main.notifications, 2);
    ASSERT_EQ(split.threads.size(), 1u);
    EXPECT_EQ(split.threads[0].thread_id, other.str());

    // A main-timeline receipt resets the main counts, not the threads.
    value(rooms_->set_receipt(bob_, room, "m.read", other, std::string("main")));
    split = threaded(room);
    EXPECT_EQ(split.main.notifications, 0);
    EXPECT_EQ(split.threads.size(), 1u);
}

TEST_F(NotificationsTest, AnUnthreadedReceiptResetsEveryThread) {
    const RoomId room = pair_room();
    const EventId root = say(room, "root");
    const EventId reply = reply_in_thread(room, root, "r1");
    value(rooms_->set_receipt(bob_, room, "m.read.private", reply));
    auto split = threaded(room);
    EXPECT_EQ(split.main.notifications, 0);
    EXPECT_TRUE(split.threads.empty());
}

TEST_F(NotificationsTest, SyncSendsThreadCountsOnlyWhenTheFilterAsks) {
    const RoomId room = pair_room();
    const EventId root = say(room, "root");
    reply_in_thread(room, root, "in thread");

    json plain = sync_room(room, "{}");
    EXPECT_EQ(plain["unread_notifications"]["notification_count"], 2) << plain.dump();
    EXPECT_FALSE(plain.contains("unread_thread_notifications"));

    json split = sync_room(room, R"({"room":{"timeline":{"unread_thread_notifications":true}}})");
    EXPECT_EQ(split["unread_notifications"]["notification_count"], 1) << split.dump();
    EXPECT_EQ(split["unread_thread_notifications"][std::string(root.str())]["notification_count"],
              1)
        << split.dump();
}

TEST_F(NotificationsTest, NewestBeforePagesBackwardsAndFiltersHighlights) {
    const RoomId room = pair_room();
    std::vector<EventId> sent;
    for (int i = 0; i < 4; ++i) sent.push_back(say(room, "m" + std::to_string(i)));
    const EventId mention =
        say(room, "look", {{"m.mentions", {{"user_ids", json::array({bob_.str()})}}}});

    auto page = read([&](store::ReadTxn& t) {
        return t.push_actions().newest_before(bob_, store::kMaxPosition, 3, false);
    });
    ASSERT_EQ(page.size(), 3u);
    EXPECT_EQ(page[0].event_id, mention);
    EXPECT_TRUE(page[0].highlight);
    EXPECT_EQ(page[2].event_id, sent[2]);
    auto rest = read([&](store::ReadTxn& t) {
        return t.push_actions().newest_before(bob_, page.back().stream_ordering, 10, false);
    });
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[0].event_id, sent[1]);
    EXPECT_EQ(rest[1].event_id, sent[0]);

    auto highlights = read([&](store::ReadTxn& t) {
        return t.push_actions().newest_before(bob_, store::kMaxPosition, 10, true);
    });
    ASSERT_EQ(highlights.size(), 1u);
    EXPECT_EQ(highlights[0].event_id, mention);

    auto oldest = read([&](store::ReadTxn& t) {
        return t.push_actions().oldest_after(bob_, rest[1].stream_ordering, 2);
    });
    ASSERT_EQ(oldest.size(), 2u);
    EXPECT_EQ(oldest[0].event_id, sent[1]);
    EXPECT_EQ(oldest[1].event_id, sent[2]);
}

TEST_F(NotificationsTest, IsReadFollowsTheReadReceiptAndTheBadgeCountsUnreadAcrossRooms) {
    const RoomId room = pair_room();
    const RoomId second = pair_room();
    const EventId first = say(room, "one");
    say(room, "two");
    say(second, "three");
    const EventId root = say(second, "root");
    reply_in_thread(second, root, "threaded");
    EXPECT_EQ(read([&](store::ReadTxn& t) { return badge_count(t, bob_); }), 5);

    value(rooms_->set_receipt(bob_, room, "m.read", first));
    auto rows = read([&](store::ReadTxn& t) {
        return t.push_actions().newest_before(bob_, store::kMaxPosition, 10, false);
    });
    ASSERT_EQ(rows.size(), 5u);
    std::map<std::string, bool> read_by_body;
    for (const auto& row : rows) {
        const bool was_read = read([&](store::ReadTxn& t) { return is_read(t, row); });
        read_by_body[std::string(row.event_id.str())] = was_read;
    }
    EXPECT_TRUE(read_by_body[std::string(first.str())]);
    int read_count = 0;
    for (const auto& [id, r] : read_by_body) read_count += r ? 1 : 0;
    EXPECT_EQ(read_count, 1);
    EXPECT_EQ(read([&](store::ReadTxn& t) { return badge_count(t, bob_); }), 4);

    // A receipt in the thread marks the threaded event read, not the root.
    const auto threaded_row = rows[0];
    ASSERT_TRUE(threaded_row.thread_id);
    value(rooms_->set_receipt(bob_, second, "m.read", threaded_row.event_id,
                              std::string(root.str())));
    EXPECT_TRUE(read([&](store::ReadTxn& t) { return is_read(t, threaded_row); }));
    EXPECT_FALSE(read([&](store::ReadTxn& t) { return is_read(t, rows[1]); }));
}

TEST_F(NotificationsTest, AnInviteNotifiesTheInviteeWhoIsNotJoinedYet) {
    const RoomId room = pair_room();
    const EventId invite = value(rooms_->invite(alice_, room, carol_)).event->event_id();
    auto rows = read([&](store::ReadTxn& t) {
        return t.push_actions().newest_before(carol_, store::kMaxPosition, 10, false);
    });
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].event_id, invite);
    EXPECT_EQ(rows[0].actions, json::parse(R"(["notify",{"set_tweak":"sound","value":"default"}])"));
    // Bob, joined, is not notified of carol's invite (.m.rule.member_event).
    auto bobs = read([&](store::ReadTxn& t) {
        return t.push_actions().newest_before(bob_, store::kMaxPosition, 10, false);
    });
    EXPECT_TRUE(bobs.empty());
}

// A user's rules for plain messages (.m.rule.room_one_to_one and .m.rule.message) on or off.
Result<store::Position> set_message_rules(store::Store& store, const UserId& user, bool on) {
    return store.write("test", [&](store::WriteTxn& txn) {
        return edit_push_rules(txn, user, [&](PushRules& rules) -> Result<void> {
            if (auto r = rules.set_enabled(RuleKind::underride, ".m.rule.room_one_to_one", on); !r)
                return r;
            return rules.set_enabled(RuleKind::underride, ".m.rule.message", on);
        });
    });
}

TEST_F(NotificationsTest, AChangeOfRulesCountsFromTheNextEventOn) {
    // The compiled rules are shared between events; a change must still be
    // seen by the very next one.
    const RoomId room = pair_room();
    say(room, "counted");
    auto disabled = set_message_rules(*store_, bob_, false);
    ASSERT_TRUE(disabled) << disabled.error().message;
    say(room, "not counted");
    EXPECT_EQ(read([&](store::ReadTxn& t) { return unread_counts(t, bob_, room); }).notifications,
              1);
    ASSERT_TRUE(set_message_rules(*store_, bob_, true));
    say(room, "counted again");
    EXPECT_EQ(read([&](store::ReadTxn& t) { return unread_counts(t, bob_, room); }).notifications,
              2);
}


// Rooms of more than two: the decision most members share is stored once per
// event (room_push_actions) and members who decided otherwise get their own
// row (migration 0200). Every reader must see each member's own decision.
class GroupNotificationsTest : public NotificationsTest {
protected:
    UserId dave_ = test::user("@dave:a.test");

    // alice, bob, carol and dave: alice's messages notify the other three
    // (.m.rule.message).
    RoomId group_room() {
        auto room = value(rooms_->create_room({.creator = alice_,
                                               .preset = rooms::Preset::public_chat,
                                               .name = std::string("Group")}))
                        .room_id;
        for (const auto& u : {bob_, carol_, dave_}) value(rooms_->join(u, room));
        return room;
    }
    store::UnreadCounts counts(const UserId& user, const RoomId& room) {
        return read([&](store::ReadTxn& t) { return unread_counts(t, user, room); });
    }
    std::vector<store::PushActionRow> newest(const UserId& user, std::size_t limit,
                                             store::Position before = store::kMaxPosition,
                                             bool highlights = false) {
        return read([&](store::ReadTxn& t) {
            return t.push_actions().newest_before(user, before, limit, highlights);
        });
    }
    std::int64_t scalar(const std::string& sql) {
        return std::stoll(test::RawSqlite(dir_.file("chat.db")).scalar(sql));
    }
};

TEST_F(GroupNotificationsTest, OneRowPerEventServesEveryMemberWhoDecidedAlike) {
    const RoomId room = group_room();
    const std::int64_t own_before = scalar("SELECT count(*) FROM event_push_actions");
    say(room, "one");
    say(room, "two");
    say(room, "three");
    for (const auto& u : {bob_, carol_, dave_}) {
        EXPECT_EQ(counts(u, room).notifications, 3) << u.str();
        EXPECT_EQ(counts(u, room).highlights, 0) << u.str();
        auto rows = newest(u, 10);
        ASSERT_EQ(rows.size(), 3u) << u.str();
        EXPECT_EQ(rows[0].user_id, u);
        EXPECT_TRUE(rows[0].notify);
        EXPECT_GT(rows[0].stream_ordering, rows[1].stream_ordering);
        EXPECT_EQ(rows[0].actions, json::parse(R"(["notify"])"));
    }
    EXPECT_EQ(counts(alice_, room).notifications, 0);  // never one's own events
    EXPECT_TRUE(newest(alice_, 10).empty());
    // Three events, three rows, however many members.
    EXPECT_EQ(scalar("SELECT count(*) FROM room_push_actions"), 3);
    EXPECT_EQ(scalar("SELECT count(*) FROM event_push_actions"), own_before);
}

TEST_F(GroupNotificationsTest, AMemberWhoDecidedOtherwiseIsCountedByTheirOwnRow) {
    const RoomId room = group_room();
    ASSERT_TRUE(set_message_rules(*store_, carol_, false));  // carol mutes messages
    say(room, "plain");
    say(room, "hello dave", {{"m.mentions", {{"user_ids", {std::string(dave_.str())}}}}});
    EXPECT_EQ(counts(bob_, room).notifications, 2);
    EXPECT_EQ(counts(bob_, room).highlights, 0);
    EXPECT_EQ(counts(carol_, room).notifications, 0);
    EXPECT_TRUE(newest(carol_, 10).empty());
    EXPECT_EQ(counts(dave_, room).notifications, 2);
    EXPECT_EQ(counts(dave_, room).highlights, 1);
    auto highlights = newest(dave_, 10, store::kMaxPosition, true);
    ASSERT_EQ(highlights.size(), 1u);
    EXPECT_TRUE(highlights[0].highlight);
    EXPECT_TRUE(newest(bob_, 10, store::kMaxPosition, true).empty());
    // After a receipt on the mention, dave has nothing unread.
    value(rooms_->set_receipt(dave_, room, "m.read", highlights[0].event_id));
    EXPECT_EQ(counts(dave_, room).notifications, 0);
    EXPECT_EQ(counts(bob_, room).notifications, 2);
}

TEST_F(GroupNotificationsTest, AnEventCountsForMembersJoinedBeforeItUntilTheyLeave) {
    const RoomId room = group_room();
    // (No message says "erin": her localpart would highlight her, and so
    // give her a row of her own.)
    const UserId erin = test::user("@erin:a.test");
    say(room, "before she came");
    value(rooms_->join(erin, room));
    say(room, "after she came");
    EXPECT_EQ(counts(erin, room).notifications, 1);
    EXPECT_EQ(counts(bob_, room).notifications, 2);
    // A display name change is a join after a join: the join goes on.
    value(rooms_->send_state(erin, room, "m.room.member", std::string(erin.str()),
                             {{"membership", "join"}, {"displayname", "Erin"}}));
    say(room, "after the name");
    EXPECT_EQ(counts(erin, room).notifications, 2);
    // Someone who left is counted for nothing; rejoining starts again.
    value(rooms_->leave(erin, room));
    say(room, "while away");
    EXPECT_TRUE(newest(erin, 10).empty());
    value(rooms_->join(erin, room));
    say(room, "back");
    EXPECT_EQ(counts(erin, room).notifications, 1);
    EXPECT_EQ(counts(bob_, room).notifications, 5);
}

TEST_F(GroupNotificationsTest, ListsMergeSharedAndOwnRowsAcrossRoomsInStreamOrder) {
    const RoomId first = group_room();
    const RoomId second = group_room();
    const json to_bob = {{"m.mentions", {{"user_ids", {std::string(bob_.str())}}}}};
    std::vector<EventId> sent = {say(first, "a"), say(second, "b", to_bob), say(first, "c"),
                                 say(second, "d"), say(first, "e", to_bob)};
    auto all = newest(bob_, 10);
    ASSERT_EQ(all.size(), 5u);
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].event_id, sent[4 - i]) << i;
    EXPECT_TRUE(all[0].highlight);
    EXPECT_FALSE(all[1].highlight);
    // Pages of two, backwards.
    auto page = newest(bob_, 2);
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page[1].event_id, sent[3]);
    auto next = newest(bob_, 2, page.back().stream_ordering);
    ASSERT_EQ(next.size(), 2u);
    EXPECT_EQ(next[0].event_id, sent[2]);
    EXPECT_EQ(next[1].event_id, sent[1]);
    // The push sender's direction: oldest first after a position.
    auto after = read([&](store::ReadTxn& t) {
        return t.push_actions().oldest_after(bob_, all[4].stream_ordering, 3);
    });
    ASSERT_EQ(after.size(), 3u);
    EXPECT_EQ(after[0].event_id, sent[1]);
    EXPECT_EQ(after[1].event_id, sent[2]);
    EXPECT_EQ(after[2].event_id, sent[3]);
    EXPECT_EQ(read([&](store::ReadTxn& t) { return badge_count(t, bob_); }), 5);
}

TEST_F(GroupNotificationsTest, ThreadCountsIncludeSharedRows) {
    const RoomId room = group_room();
    const EventId root = say(room, "root");
    reply_in_thread(room, root, "r1");
    reply_in_thread(room, root, "r2");
    auto unread = read([&](store::ReadTxn& t) { return unread_thread_counts(t, carol_, room); });
    EXPECT_EQ(unread.main.notifications, 1);
    ASSERT_EQ(unread.threads.size(), 1u);
    EXPECT_EQ(unread.threads[0].thread_id, root.str());
    EXPECT_EQ(unread.threads[0].counts.notifications, 2);
}

TEST_F(GroupNotificationsTest, TheMigrationDatesEachJoinFromItsUnbrokenStart) {
    const RoomId room = group_room();
    value(rooms_->send_state(bob_, room, "m.room.member", std::string(bob_.str()),
                             {{"membership", "join"}, {"displayname", "Bob"}}));
    value(rooms_->leave(carol_, room));
    value(rooms_->join(carol_, room));
    const std::string since =
        "SELECT joined_since FROM room_memberships WHERE room_id = '" +
        std::string(room.str()) + "' AND user_id = ";
    const auto bob_since = scalar(since + "'@bob:a.test'");
    const auto carol_since = scalar(since + "'@carol:a.test'");
    EXPECT_LT(bob_since, carol_since);
    // Back to the schema before 0200, then reopen.
    rooms_.reset();
    store_.reset();
    {
        test::RawSqlite raw(dir_.file("chat.db"));
        raw.exec("DROP TABLE room_push_actions");
        raw.exec("ALTER TABLE room_memberships DROP COLUMN joined_since");
        raw.exec("DELETE FROM schema_version WHERE version IN (200, 220)");
    }
    store_ = test::open_store(dir_.file("chat.db"));
    EXPECT_EQ(scalar(since + "'@bob:a.test'"), bob_since);
    EXPECT_EQ(scalar(since + "'@carol:a.test'"), carol_since);
    EXPECT_EQ(test::RawSqlite(dir_.file("chat.db"))
                  .scalar("SELECT count(*) FROM room_memberships WHERE membership != 'join'"
                          " AND joined_since IS NOT NULL"),
              "0");
}


// Migration 0220 keys the room rows by the stream alone (they were keyed by
// room first): every decision is kept, and read back through the events'
// room index.
TEST_F(GroupNotificationsTest, TheRoomRowsKeyedByTheStreamKeepEveryDecision) {
    const RoomId room = group_room();
    say(room, "one");
    say(room, "hello dave", {{"m.mentions", {{"user_ids", {std::string(dave_.str())}}}}});
    say(room, "three");
    const auto bob_before = counts(bob_, room);
    const auto dave_before = counts(dave_, room);
    const auto bob_rows = newest(bob_, 10);
    ASSERT_EQ(bob_before.notifications, 3);
    ASSERT_EQ(dave_before.highlights, 1);
    // Back to the table of migration 0200, with the same rows, then reopen.
    rooms_.reset();
    store_.reset();
    {
        test::RawSqlite raw(dir_.file("chat.db"));
        raw.exec("CREATE TABLE by_room (room_id TEXT NOT NULL,"
                 " stream_ordering INTEGER NOT NULL, event_id TEXT NOT NULL,"
                 " sender TEXT NOT NULL, thread_id TEXT NOT NULL, highlight INTEGER NOT NULL,"
                 " actions TEXT NOT NULL, ts INTEGER NOT NULL,"
                 " PRIMARY KEY (room_id, stream_ordering)) WITHOUT ROWID");
        raw.exec("INSERT INTO by_room SELECT room_id, stream_ordering, event_id, sender,"
                 " thread_id, highlight, actions, ts FROM room_push_actions");
        raw.exec("DROP TABLE room_push_actions");
        raw.exec("ALTER TABLE by_room RENAME TO room_push_actions");
        raw.exec("CREATE INDEX room_push_actions_highlights ON"
                 " room_push_actions(room_id, stream_ordering) WHERE highlight = 1");
        raw.exec("DELETE FROM schema_version WHERE version = 220");
    }
    store_ = test::open_store(dir_.file("chat.db"));
    EXPECT_EQ(scalar("SELECT count(*) FROM pragma_table_info('room_push_actions')"
                     " WHERE pk > 0 AND name = 'stream_ordering'"),
              1);
    EXPECT_EQ(scalar("SELECT count(*) FROM pragma_table_info('room_push_actions')"
                     " WHERE pk > 0"),
              1);
    EXPECT_EQ(scalar("SELECT count(*) FROM room_push_actions"), 3);
    EXPECT_EQ(counts(bob_, room).notifications, bob_before.notifications);
    EXPECT_EQ(counts(dave_, room).notifications, dave_before.notifications);
    EXPECT_EQ(counts(dave_, room).highlights, 1);
    auto rows = newest(bob_, 10);
    ASSERT_EQ(rows.size(), bob_rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].event_id, bob_rows[i].event_id);
        EXPECT_EQ(rows[i].actions, bob_rows[i].actions);
    }
    EXPECT_EQ(newest(dave_, 10, store::kMaxPosition, true).size(), 1u);
}

// RoomService keeps a room's push facts (members, names, power levels)
// between messages: a state event must make the next message read them again.
TEST_F(GroupNotificationsTest, ANewNameOrPowerLevelCountsFromTheNextMessageOn) {
    const RoomId room = group_room();
    say(room, "hello Robert");  // facts read and kept; bob is not Robert yet
    EXPECT_EQ(counts(bob_, room).highlights, 0);
    value(rooms_->send_state(bob_, room, "m.room.member", std::string(bob_.str()),
                             {{"membership", "join"}, {"displayname", "Robert"}}));
    say(room, "hello Robert");  // .m.rule.contains_display_name
    EXPECT_EQ(counts(bob_, room).highlights, 1);

    // @room highlights only from a sender with the notifications.room level (50).
    auto from_carol = [&] {
        value(rooms_->send_message(carol_, room, "m.room.message",
                                   {{"msgtype", "m.text"}, {"body", "everyone!"},
                                    {"m.mentions", {{"room", true}}}}));
    };
    from_carol();
    EXPECT_EQ(counts(dave_, room).highlights, 0);
    auto pl = read([&](store::ReadTxn& t) -> Result<json> {
        auto id = t.current_state().entry(room, "m.room.power_levels", "");
        if (!id) return id.error();
        auto row = t.events().get(**id);
        if (!row) return row.error();
        return (**row).json["content"];
    });
    pl["users"][std::string(carol_.str())] = 50;
    value(rooms_->send_state(alice_, room, "m.room.power_levels", "", pl));
    from_carol();
    EXPECT_EQ(counts(dave_, room).highlights, 1);
}

}  // namespace
}  // namespace chat::push
