#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/raw_sqlite.hpp"
#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using store::Direction;
using store::Position;
using store::ReadTxn;
using store::RelationRow;
using store::RelationsQuery;
using store::ReportKind;
using store::ReportRow;
using store::ThreadsQuery;
using store::ThreadSummary;
using store::WriteTxn;
using test::eid;
using test::uid;

constexpr const char* kBob = "@bob:b.test";
constexpr const char* kCarol = "@carol:a.test";

nlohmann::json relates(const PduPtr& parent, const std::string& rel_type) {
    return {{"rel_type", rel_type}, {"event_id", std::string(parent->event_id().str())}};
}

class StoreRelations : public test::StoreTest {
protected:
    // A message relating to `parent`.
    PduPtr child(const PduPtr& parent, const std::string& rel_type, const std::string& sender = {},
                 const std::string& type = "m.room.message") {
        return room_.event(type, std::nullopt,
                           {{"body", "child"}, {"m.relates_to", relates(parent, rel_type)}},
                           sender);
    }
    PduPtr edit(const PduPtr& original, const std::string& body, const std::string& sender = {}) {
        return room_.event("m.room.message", std::nullopt,
                           {{"body", "* " + body},
                            {"m.new_content", {{"body", body}}},
                            {"m.relates_to", relates(original, "m.replace")}},
                           sender);
    }

    Position persist(const PduPtr& pdu, bool outlier = false) {
        return write([&](WriteTxn& t) -> Result<Position> {
            auto p = t.events().persist({.pdu = pdu, .received_ts = 5, .outlier = outlier});
            if (!p) return p.error();
            return p->stream_ordering;
        });
    }
    void persist_all(const std::vector<PduPtr>& pdus) {
        for (const auto& pdu : pdus) persist(pdu);
    }

    std::vector<EventId> children(RelationsQuery query) {
        auto rows = read([&](ReadTxn& t) { return t.relations().children(query); });
        std::vector<EventId> ids;
        for (const auto& row : rows) ids.push_back(row.event_id);
        return ids;
    }
    RelationsQuery query_for(const PduPtr& parent) {
        return RelationsQuery{.room_id = room_.room_id(), .parent_id = eid(parent)};
    }

    test::TestRoom room_;
};

TEST_F(StoreRelations, PersistRecordsTheChildWithItsTypeSenderAndOrdering) {
    auto parent = room_.message("root");
    auto reply = child(parent, "m.thread", kBob);
    persist(room_.create());
    persist(parent);
    const auto at = persist(reply);

    auto rows = read([&](ReadTxn& t) { return t.relations().children(query_for(parent)); });
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].event_id, eid(reply));
    EXPECT_EQ(rows[0].rel_type, "m.thread");
    EXPECT_EQ(rows[0].type, "m.room.message");
    EXPECT_EQ(rows[0].sender, uid(kBob));
    EXPECT_EQ(rows[0].stream_ordering, at);
}

TEST_F(StoreRelations, ChildrenPageBackwardNewestFirstAndForwardOldestFirst) {
    auto parent = room_.message("root");
    auto a = child(parent, "m.reference");
    auto b = child(parent, "m.reference");
    auto c = child(parent, "m.reference");
    persist_all({room_.create(), parent, a, b, c});

    auto query = query_for(parent);
    query.limit = 2;
    auto first = read([&](ReadTxn& t) { return t.relations().children(query); });
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].event_id, eid(c));
    EXPECT_EQ(first[1].event_id, eid(b));
    // The next page: at or below the ordering just under the last one.
    query.to = first[1].stream_ordering - 1;
    EXPECT_EQ(children(query), std::vector<EventId>{eid(a)});

    auto forward = query_for(parent);
    forward.direction = Direction::forward;
    forward.limit = 2;
    EXPECT_EQ(children(forward), (std::vector<EventId>{eid(a), eid(b)}));
    forward.from = first[1].stream_ordering;  // just after b
    EXPECT_EQ(children(forward), std::vector<EventId>{eid(c)});
}

TEST_F(StoreRelations, FiltersByRelTypeAndEventType) {
    auto parent = room_.message("root");
    auto reaction = child(parent, "m.annotation", kBob, "m.reaction");
    auto reference = child(parent, "m.reference");
    auto poll_answer = child(parent, "m.reference", kBob, "org.example.vote");
    persist_all({room_.create(), parent, reaction, reference, poll_answer});

    auto query = query_for(parent);
    query.rel_type = "m.reference";
    EXPECT_EQ(children(query), (std::vector<EventId>{eid(poll_answer), eid(reference)}));
    query.event_type = "org.example.vote";
    EXPECT_EQ(children(query), std::vector<EventId>{eid(poll_answer)});
    query.rel_type = "m.annotation";
    EXPECT_TRUE(children(query).empty());

    auto types = read([&](ReadTxn& t) {
        return t.relations().rel_types(room_.room_id(), eid(parent), {});
    });
    std::sort(types.begin(), types.end());
    EXPECT_EQ(types, (std::vector<std::string>{"m.annotation", "m.reference"}));
}

TEST_F(StoreRelations, UnusableRelatesToAndRepliesAreNotIndexed) {
    auto parent = room_.message("root");
    const std::string parent_id(eid(parent).str());
    std::vector<PduPtr> odd;
    for (const auto& relates_to : std::vector<nlohmann::json>{
             "not an object",
             {{"rel_type", 5}, {"event_id", parent_id}},
             {{"rel_type", ""}, {"event_id", parent_id}},
             {{"rel_type", std::string(256, 'x')}, {"event_id", parent_id}},
             {{"rel_type", "m.thread"}, {"event_id", "not-an-event-id"}},
             {{"rel_type", "m.thread"}, {"event_id", nlohmann::json::array()}},
             {{"rel_type", "m.thread"}},
             {{"m.in_reply_to", {{"event_id", parent_id}}}},
         })
        odd.push_back(room_.event("m.room.message", std::nullopt,
                                  {{"body", "x"}, {"m.relates_to", relates_to}}));
    persist_all({room_.create(), parent});
    persist_all(odd);  // stored without error

    EXPECT_TRUE(children(query_for(parent)).empty());
    auto stored = read([&](ReadTxn& t) { return t.events().filter_known(std::vector{eid(odd[7])}); });
    EXPECT_EQ(stored.size(), 1u);
}

TEST_F(StoreRelations, AChildInAnotherRoomIsNotAChild) {
    auto parent = room_.message("root");
    persist_all({room_.create(), parent});
    test::TestRoom other(RoomVersion::v10, "!other:a.test");
    auto stranger = other.event("m.room.message", std::nullopt,
                                {{"body", "x"}, {"m.relates_to", relates(parent, "m.thread")}});
    persist_all({other.create(), stranger});

    EXPECT_TRUE(children(query_for(parent)).empty());
    auto thread = read([&](ReadTxn& t) {
        return t.relations().thread(room_.room_id(), eid(parent), std::nullopt, {});
    });
    EXPECT_FALSE(thread);
}

TEST_F(StoreRelations, RedactedRejectedAndOutlierChildrenAreLeftOut) {
    auto parent = room_.message("root");
    auto redacted = child(parent, "m.reference");
    auto rejected = child(parent, "m.reference");
    auto outlier = child(parent, "m.reference");
    auto kept = child(parent, "m.reference");
    persist_all({room_.create(), parent, redacted, rejected, kept});
    persist(outlier, /*outlier=*/true);
    write([&](WriteTxn& t) -> Result<void> {
        if (auto r = t.events().set_rejected(eid(rejected), "test"); !r) return r;
        auto done = t.events().redact(eid(redacted), nlohmann::json::object(), eid(kept), 9);
        if (!done) return done.error();
        return ok();
    });
    EXPECT_EQ(children(query_for(parent)), std::vector<EventId>{eid(kept)});

    // Promoted to the timeline, the outlier counts, at its new ordering.
    const auto promoted = persist(outlier);
    auto rows = read([&](ReadTxn& t) { return t.relations().children(query_for(parent)); });
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].event_id, eid(outlier));
    EXPECT_EQ(rows[0].stream_ordering, promoted);
}

TEST_F(StoreRelations, RecursionReachesChildrenOfChildrenAndFiltersWhatItReturns) {
    auto root = room_.message("root");
    auto reply = child(root, "m.thread", kBob);
    auto reply_edit = edit(reply, "better", kBob);
    auto edit_reaction = child(reply_edit, "m.annotation", kCarol, "m.reaction");
    persist_all({room_.create(), root, reply, reply_edit, edit_reaction});

    auto query = query_for(root);
    EXPECT_EQ(children(query), std::vector<EventId>{eid(reply)});
    query.max_depth = 2;
    EXPECT_EQ(children(query), (std::vector<EventId>{eid(reply_edit), eid(reply)}));
    query.max_depth = 3;
    EXPECT_EQ(children(query),
              (std::vector<EventId>{eid(edit_reaction), eid(reply_edit), eid(reply)}));
    // The filter applies to what is returned, not to the path: the edit is
    // reached through a thread relation.
    query.rel_type = "m.replace";
    EXPECT_EQ(children(query), std::vector<EventId>{eid(reply_edit)});
}

TEST_F(StoreRelations, ThreadSummaryCountsRepliesAndKnowsTheNewest) {
    auto root = room_.message("root");
    auto r1 = child(root, "m.thread", kBob);
    auto r2 = child(root, "m.thread", kCarol);
    auto r3 = child(root, "m.thread", kBob);
    auto not_thread = child(root, "m.reference", kCarol);
    persist_all({room_.create(), root, r1, r2, r3});
    const auto r3_at = read([&](ReadTxn& t) { return t.events().ordering_of(eid(r3)); });
    persist(not_thread);

    auto summary = read([&](ReadTxn& t) {
        return t.relations().thread(room_.room_id(), eid(root), uid(kCarol), {});
    });
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->root_id, eid(root));
    EXPECT_EQ(summary->count, 3);
    EXPECT_EQ(summary->latest_event_id, eid(r3));
    EXPECT_EQ(summary->latest_ordering, r3_at);
    EXPECT_TRUE(summary->participant_replied);

    auto for_alice = read([&](ReadTxn& t) {
        return t.relations().thread(room_.room_id(), eid(root), uid("@alice:a.test"), {});
    });
    ASSERT_TRUE(for_alice);
    EXPECT_FALSE(for_alice->participant_replied);  // she sent the root, not a reply

    // Bob ignored: his replies neither count nor are the newest.
    const std::vector<std::string> ignored{kBob};
    auto without_bob = read([&](ReadTxn& t) {
        return t.relations().thread(room_.room_id(), eid(root), std::nullopt, ignored);
    });
    ASSERT_TRUE(without_bob);
    EXPECT_EQ(without_bob->count, 1);
    EXPECT_EQ(without_bob->latest_event_id, eid(r2));

    auto no_thread = read([&](ReadTxn& t) {
        return t.relations().thread(room_.room_id(), eid(r1), std::nullopt, {});
    });
    EXPECT_FALSE(no_thread);
}

TEST_F(StoreRelations, ThreadsAreListedByNewestReplyAndPaged) {
    auto first = room_.message("first root");
    auto second = room_.message("second root", kBob);
    auto third = room_.message("third root");
    auto in_first = child(first, "m.thread", kCarol);
    auto in_second = child(second, "m.thread");
    auto in_third = child(third, "m.thread");
    auto again_first = child(first, "m.thread", kCarol);
    persist_all({room_.create(), first, second, third, in_first, in_second, in_third,
                 again_first});

    ThreadsQuery query{.room_id = room_.room_id(), .limit = 2};
    auto page = read([&](ReadTxn& t) { return t.relations().threads(query); });
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page[0].root_id, eid(first));
    EXPECT_EQ(page[0].count, 2);
    EXPECT_EQ(page[0].latest_event_id, eid(again_first));
    EXPECT_EQ(page[1].root_id, eid(third));
    query.to = page[1].latest_ordering - 1;
    auto rest = read([&](ReadTxn& t) { return t.relations().threads(query); });
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].root_id, eid(second));

    // Bob sent the second root; Carol replied in the first.
    auto ids = [](const std::vector<ThreadSummary>& threads) {
        std::vector<EventId> out;
        for (const auto& t : threads) out.push_back(t.root_id);
        return out;
    };
    ThreadsQuery bobs{.room_id = room_.room_id(), .participant = uid(kBob)};
    EXPECT_EQ(ids(read([&](ReadTxn& t) { return t.relations().threads(bobs); })),
              std::vector<EventId>{eid(second)});
    ThreadsQuery carols{.room_id = room_.room_id(), .participant = uid(kCarol)};
    EXPECT_EQ(ids(read([&](ReadTxn& t) { return t.relations().threads(carols); })),
              std::vector<EventId>{eid(first)});
}

TEST_F(StoreRelations, ReplacementsAreTheSendersOwnNewestFirst) {
    auto original = room_.message("hello");
    auto e1 = edit(original, "one");
    auto by_bob = edit(original, "bob's", kBob);
    auto e2 = edit(original, "two");
    auto other_type = room_.event("m.sticker", std::nullopt,
                                  {{"m.new_content", {{"body", "x"}}},
                                   {"m.relates_to", relates(original, "m.replace")}});
    persist_all({room_.create(), original, e1, by_bob, e2, other_type});

    auto found = read([&](ReadTxn& t) {
        return t.relations().replacements(room_.room_id(), eid(original), uid("@alice:a.test"),
                                          "m.room.message", 10);
    });
    EXPECT_EQ(found, (std::vector<EventId>{eid(e2), eid(e1)}));
}

TEST_F(StoreRelations, ReplacementsWithEqualTimestampsPreferTheLargestEventId) {
    auto original = room_.message("hello");
    persist_all({room_.create(), original});
    std::vector<EventId> edits;
    for (const char* body : {"a", "b", "c"}) {
        auto pdu = test::build_event(
            room_.version(),
            test::EventSpec{.type = "m.room.message",
                            .sender = "@alice:a.test",
                            .content = {{"body", body},
                                        {"m.new_content", {{"body", body}}},
                                        {"m.relates_to", relates(original, "m.replace")}},
                            .prev_events = {original},
                            .auth_events = {room_.create()},
                            .origin_server_ts = 5000});
        persist(pdu);
        edits.push_back(eid(pdu));
    }
    std::sort(edits.begin(), edits.end(), [](const EventId& a, const EventId& b) {
        return a.str() > b.str();
    });
    auto found = read([&](ReadTxn& t) {
        return t.relations().replacements(room_.room_id(), eid(original), uid("@alice:a.test"),
                                          "m.room.message", 10);
    });
    EXPECT_EQ(found, edits);
}

TEST_F(StoreRelations, TheMigrationIndexesEventsStoredBeforeIt) {
    auto parent = room_.message("root");
    auto reply = child(parent, "m.thread", kBob);
    auto reaction = room_.event("m.reaction", std::nullopt,
                                {{"m.relates_to", {{"rel_type", "m.annotation"},
                                                   {"event_id", std::string(eid(parent).str())},
                                                   {"key", "+1"}}}});
    auto bad = room_.event("m.room.message", std::nullopt,
                           {{"m.relates_to", {{"rel_type", 3}, {"event_id", "$x:y"}}}});
    persist_all({room_.create(), parent, reply, reaction, bad});
    // Back to the schema before 0060, events kept.
    store_.reset();
    {
        test::RawSqlite raw(db_path());
        raw.exec("DROP TABLE event_relations");
        raw.exec("DROP TABLE reports");
        // Only 0060 and 0061: later migrations stay applied.
        raw.exec("DELETE FROM schema_version WHERE version IN (60, 61)");
    }
    store_ = test::open_store(db_path());

    auto query = query_for(parent);
    EXPECT_EQ(children(query), (std::vector<EventId>{eid(reaction), eid(reply)}));
    auto keys = test::RawSqlite(db_path()).rows(
        "SELECT aggregation_key FROM event_relations WHERE rel_type = 'm.annotation'");
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0][0], "+1");
}

using StoreReports = test::StoreTest;

TEST_F(StoreReports, ReportsAreStoredAndListedInOrder) {
    const auto room = test::rid("!room:a.test");
    const auto event = EventId::parse("$abc:a.test").value();
    auto first = write([&](WriteTxn& t) {
        return t.reports().add(ReportRow{.kind = ReportKind::event,
                                         .reporter = uid("@alice:a.test"),
                                         .room_id = room,
                                         .event_id = event,
                                         .reason = "spam",
                                         .score = -100,
                                         .received_ts = 42});
    });
    auto second = write([&](WriteTxn& t) {
        return t.reports().add(ReportRow{.kind = ReportKind::user,
                                         .reporter = uid("@alice:a.test"),
                                         .target_user_id = uid(kBob),
                                         .received_ts = 43});
    });
    EXPECT_LT(first, second);

    auto got = read([&](ReadTxn& t) { return t.reports().get(first); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->kind, ReportKind::event);
    EXPECT_EQ(got->reporter, uid("@alice:a.test"));
    EXPECT_EQ(got->room_id, room);
    EXPECT_EQ(got->event_id, event);
    EXPECT_FALSE(got->target_user_id);
    EXPECT_EQ(got->reason, "spam");
    EXPECT_EQ(got->score, -100);
    EXPECT_EQ(got->received_ts, 42);

    auto all = read([&](ReadTxn& t) { return t.reports().list(0, 10); });
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].kind, ReportKind::user);
    EXPECT_EQ(all[1].target_user_id, uid(kBob));
    EXPECT_FALSE(all[1].reason);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.reports().list(first, 10); }).size(), 1u);
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.reports().get(second + 1); }));
}

}  // namespace
}  // namespace chat
