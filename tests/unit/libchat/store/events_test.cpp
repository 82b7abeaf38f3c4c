#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/raw_sqlite.hpp"
#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using store::Direction;
using store::EventToPersist;
using store::PersistOutcome;
using store::Position;
using store::ReadTxn;
using store::RoomEventsQuery;
using store::StoredEvent;
using store::WriteTxn;
using test::eid;

class StoreEvents : public test::StoreTest {
protected:
    // Persists plain events (no state groups) and returns their orderings.
    std::vector<Position> persist_all(const std::vector<PduPtr>& pdus, bool outlier = false) {
        std::vector<Position> orderings;
        for (const auto& pdu : pdus) {
            orderings.push_back(write([&](WriteTxn& t) -> Result<Position> {
                auto p = t.events().persist({.pdu = pdu, .received_ts = 5, .outlier = outlier});
                if (!p) return p.error();
                return p->stream_ordering;
            }));
        }
        return orderings;
    }

    std::vector<EventId> ids(const std::vector<StoredEvent>& events) {
        std::vector<EventId> out;
        for (const auto& e : events) out.push_back(e.event_id);
        return out;
    }

    test::TestRoom room_;
};

TEST_F(StoreEvents, PersistedEventReadsBackWithEveryField) {
    auto create = room_.create();
    auto topic = room_.state("m.room.topic", "", {{"topic", "hello"}});
    persist_all({create});
    auto ordering = write([&](WriteTxn& t) -> Result<Position> {
        auto p = t.events().persist({.pdu = topic,
                                     .received_ts = 77,
                                     .soft_failed = false,
                                     .state_group_before = 3,
                                     .state_group_after = 4});
        if (!p) return p.error();
        EXPECT_EQ(p->outcome, PersistOutcome::inserted);
        return p->stream_ordering;
    });
    auto stored = read([&](ReadTxn& t) { return t.events().get(topic->event_id()); });
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->event_id, topic->event_id());
    EXPECT_EQ(stored->room_id, room_.room_id());
    EXPECT_EQ(stored->room_version, "10");
    EXPECT_EQ(stored->type, "m.room.topic");
    EXPECT_EQ(stored->state_key, "");
    EXPECT_EQ(stored->sender, test::uid("@alice:a.test"));
    EXPECT_EQ(stored->depth, topic->depth());
    EXPECT_EQ(stored->origin_server_ts, topic->origin_server_ts());
    EXPECT_EQ(stored->received_ts, 77);
    EXPECT_EQ(stored->stream_ordering, ordering);
    EXPECT_FALSE(stored->outlier);
    EXPECT_FALSE(stored->rejected_reason);
    EXPECT_EQ(stored->state_group_before, 3);
    EXPECT_EQ(stored->state_group_after, 4);
    EXPECT_EQ(stored->json, topic->json());
    auto pdu = value(stored->to_pdu());
    EXPECT_EQ(pdu->event_id(), topic->event_id());
}

TEST_F(StoreEvents, UnknownIdsAreEmptyOrNotFound) {
    persist_all({room_.create()});
    auto unknown = room_.message("never stored");
    read([&](ReadTxn& t) -> Result<void> {
        auto got = t.events().get(unknown->event_id());
        EXPECT_TRUE(got && !*got);
        auto ordering = t.events().ordering_of(unknown->event_id());
        EXPECT_FALSE(ordering);
        if (!ordering) {
            EXPECT_EQ(ordering.error().code, Errc::not_found);
        }
        std::vector<EventId> asked = {unknown->event_id(), room_.create()->event_id()};
        auto many = t.events().get_many(asked);
        EXPECT_TRUE(many && many->size() == 1);
        auto known = t.events().filter_known(asked);
        EXPECT_TRUE(known && *known == std::vector<EventId>{room_.create()->event_id()});
        auto prev = t.events().prev_events(unknown->event_id());
        EXPECT_TRUE(prev && prev->empty());
        return ok();
    });
}

TEST_F(StoreEvents, GetManyAnswersInTheOrderAskedAndOnce) {
    auto a = room_.create();
    auto b = room_.message("b");
    auto c = room_.message("c");
    persist_all({a, b, c});
    std::vector<EventId> asked = {eid(c), eid(a), eid(c), eid(b)};
    auto many = read([&](ReadTxn& t) { return t.events().get_many(asked); });
    EXPECT_EQ(ids(many), (std::vector<EventId>{eid(c), eid(a), eid(b)}));
}

TEST_F(StoreEvents, PersistingTwiceChangesNothing) {
    auto create = room_.create();
    auto first = persist_all({create});
    auto again = write([&](WriteTxn& t) { return t.events().persist({.pdu = create}); });
    EXPECT_EQ(again.outcome, PersistOutcome::already_present);
    EXPECT_EQ(again.stream_ordering, first[0]);
    auto position = read([](ReadTxn& t) { return t.current_position(store::Stream::events); });
    EXPECT_EQ(position, first[0]);  // the duplicate took no position
}

TEST_F(StoreEvents, OrderingsStrictlyIncreaseAndBackfillGoesBelowZero) {
    auto orderings = persist_all({room_.create(), room_.message("1"), room_.message("2")});
    EXPECT_TRUE(std::is_sorted(orderings.begin(), orderings.end()));
    EXPECT_EQ(std::set<Position>(orderings.begin(), orderings.end()).size(), 3u);
    EXPECT_GT(orderings.front(), 0);
    test::TestRoom old_room(RoomVersion::v10, "!old:a.test");
    auto old1 = write([&](WriteTxn& t) {
        return t.events().persist({.pdu = old_room.create(), .backfilled = true});
    });
    auto old2 = write([&](WriteTxn& t) {
        return t.events().persist({.pdu = old_room.message("older"), .backfilled = true});
    });
    EXPECT_EQ(old1.stream_ordering, -1);
    EXPECT_EQ(old2.stream_ordering, -2);
}

TEST_F(StoreEvents, AnOutlierIsPromotedWhenItJoinsTheTimeline) {
    auto create = room_.create();
    auto msg = room_.message("was an outlier");
    persist_all({create});
    auto as_outlier = persist_all({msg}, /*outlier=*/true);
    auto timeline = read([&](ReadTxn& t) { return t.events().latest(room_.room_id(), 10); });
    EXPECT_EQ(ids(timeline), std::vector<EventId>{eid(create)});

    auto promoted = write([&](WriteTxn& t) { return t.events().persist({.pdu = msg}); });
    EXPECT_EQ(promoted.outcome, PersistOutcome::promoted);
    EXPECT_GT(promoted.stream_ordering, as_outlier[0]);
    timeline = read([&](ReadTxn& t) { return t.events().latest(room_.room_id(), 10); });
    EXPECT_EQ(ids(timeline), (std::vector<EventId>{eid(msg), eid(create)}));
}

TEST_F(StoreEvents, RoomEventsPagesBothWaysWithinTheRange) {
    std::vector<PduPtr> pdus = {room_.create()};
    for (int i = 0; i < 6; ++i) pdus.push_back(room_.message("m" + std::to_string(i)));
    auto o = persist_all(pdus);
    // Another room's events interleave in the stream and never show up.
    test::TestRoom other(RoomVersion::v10, "!other:a.test");
    persist_all({other.create()});

    auto forward = read([&](ReadTxn& t) {
        return t.events().room_events(
            {.room_id = room_.room_id(), .from = o[1], .to = o[5], .direction = Direction::forward,
             .limit = 3});
    });
    EXPECT_EQ(ids(forward), (std::vector<EventId>{eid(pdus[2]), eid(pdus[3]), eid(pdus[4])}));

    auto backward = read([&](ReadTxn& t) {
        return t.events().room_events({.room_id = room_.room_id(), .from = o[1], .to = o[5],
                                       .direction = Direction::backward, .limit = 10});
    });
    EXPECT_EQ(ids(backward), (std::vector<EventId>{eid(pdus[5]), eid(pdus[4]), eid(pdus[3]),
                                                   eid(pdus[2])}));

    auto latest = read([&](ReadTxn& t) { return t.events().latest(room_.room_id(), 2); });
    EXPECT_EQ(ids(latest), (std::vector<EventId>{eid(pdus[6]), eid(pdus[5])}));
}

TEST_F(StoreEvents, TimelinesHideOutliersRejectedAndSoftFailedEvents) {
    auto create = room_.create();
    auto rejected = room_.message("rejected");
    auto soft = room_.message("soft failed");
    auto outlier = room_.message("outlier");
    auto fine = room_.message("fine");
    persist_all({create});
    write([&](WriteTxn& t) -> Result<bool> {
        if (auto r = t.events().persist({.pdu = rejected, .rejected_reason = "auth"}); !r)
            return r.error();
        if (auto r = t.events().persist({.pdu = soft, .soft_failed = true}); !r) return r.error();
        if (auto r = t.events().persist({.pdu = outlier, .outlier = true}); !r) return r.error();
        if (auto r = t.events().persist({.pdu = fine}); !r) return r.error();
        return true;
    });
    auto timeline = read([&](ReadTxn& t) { return t.events().latest(room_.room_id(), 10); });
    EXPECT_EQ(ids(timeline), (std::vector<EventId>{eid(fine), eid(create)}));
    auto everything = read([&](ReadTxn& t) {
        return t.events().room_events({.room_id = room_.room_id(), .timeline_only = false});
    });
    EXPECT_EQ(everything.size(), 5u);
    auto stored = read([&](ReadTxn& t) { return t.events().get(rejected->event_id()); });
    EXPECT_EQ(stored->rejected_reason, "auth");
}

TEST_F(StoreEvents, RoomsChangedListsRoomsWithTimelineEventsInTheRange) {
    test::TestRoom other(RoomVersion::v10, "!other:a.test");
    auto o = persist_all({room_.create(), other.create(), room_.message("x")});
    auto changed = read([&](ReadTxn& t) { return t.events().rooms_changed(o[0], o[2]); });
    ASSERT_EQ(changed.size(), 2u);
    EXPECT_EQ(changed[0].room_id, other.room_id());
    EXPECT_EQ(changed[0].max_stream_ordering, o[1]);
    EXPECT_EQ(changed[1].room_id, room_.room_id());
    EXPECT_EQ(changed[1].max_stream_ordering, o[2]);
    auto none = read([&](ReadTxn& t) { return t.events().rooms_changed(o[2], o[2]); });
    EXPECT_TRUE(none.empty());
}

TEST_F(StoreEvents, EdgesAndAuthChainFollowTheDag) {
    auto create = room_.create();
    auto join = room_.member("@alice:a.test", "join");
    auto a = room_.message("a");
    auto b = room_.message("b", {}, {join});  // a fork: b also follows join
    auto merge = room_.message("merge", {}, {a, b});
    persist_all({create, join, a, b, merge});
    read([&](ReadTxn& t) -> Result<void> {
        auto prev = value(t.events().prev_events(merge->event_id()));
        std::sort(prev.begin(), prev.end());
        auto expected = std::vector<EventId>{eid(a), eid(b)};
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(prev, expected);
        EXPECT_EQ(value(t.events().auth_events(merge->event_id())),
                  std::vector<EventId>{eid(create)});
        std::vector<EventId> from = {eid(merge), eid(a)};
        EXPECT_EQ(value(t.events().auth_chain(from)), std::vector<EventId>{eid(create)});
        return ok();
    });
}

// The DAG is read from the stored JSON (migration 0170): room versions 1 and 2
// cite [id, hashes] pairs, later ones bare ids; a redacted event keeps its
// edges; an id we do not hold is listed but not followed.
TEST_F(StoreEvents, AuthChainsWalkTheStoredJsonInEveryIdFormat) {
    for (const RoomVersion* version : {&RoomVersion::v1, &RoomVersion::v10}) {
        SCOPED_TRACE(version->id);
        test::TestRoom room(*version, "!deep" + std::string(version->id) + ":a.test");
        const std::string alice = "@alice:a.test";
        auto create = room.create();
        auto join = test::build_event(*version, {.type = "m.room.member", .sender = alice,
                                                 .state_key = alice,
                                                 .content = {{"membership", "join"}},
                                                 .prev_events = {create},
                                                 .auth_events = {create},
                                                 .origin_server_ts = 2});
        auto pl = test::build_event(*version, {.type = "m.room.power_levels", .sender = alice,
                                               .state_key = "",
                                               .content = {{"users", {{alice, 100}}}},
                                               .prev_events = {join},
                                               .auth_events = {create, join},
                                               .origin_server_ts = 3});
        // Never stored: cited, listed, not followed.
        auto ghost = test::build_event(*version, {.type = "m.room.topic", .sender = alice,
                                                  .state_key = "", .prev_events = {pl},
                                                  .auth_events = {pl},
                                                  .origin_server_ts = 4});
        auto msg = test::build_event(*version, {.type = "m.room.message", .sender = alice,
                                                .content = {{"body", "hi"}},
                                                .prev_events = {pl},
                                                .auth_events = {pl, join, ghost},
                                                .origin_server_ts = 5});
        persist_all({create, join, pl, msg});
        nlohmann::json pruned = pl->json();
        pruned["content"] = nlohmann::json::object();
        EXPECT_TRUE(write([&](WriteTxn& t) {
            return t.events().redact(pl->event_id(), pruned, msg->event_id(), 1000);
        }));
        read([&](ReadTxn& t) -> Result<void> {
            auto chain = value(t.events().auth_chain(std::vector<EventId>{eid(msg)}));
            std::sort(chain.begin(), chain.end());
            std::vector<EventId> expected = {eid(create), eid(join), eid(pl), eid(ghost)};
            std::sort(expected.begin(), expected.end());
            EXPECT_EQ(chain, expected);
            // pl is redacted now and still cites create and join.
            auto of_pl = value(t.events().auth_chain(std::vector<EventId>{eid(pl)}));
            std::sort(of_pl.begin(), of_pl.end());
            expected = {eid(create), eid(join)};
            std::sort(expected.begin(), expected.end());
            EXPECT_EQ(of_pl, expected);
            EXPECT_EQ(value(t.events().auth_events(msg->event_id())),
                      (std::vector<EventId>{eid(pl), eid(join), eid(ghost)}));
            EXPECT_EQ(value(t.events().prev_events(pl->event_id())), std::vector<EventId>{eid(join)});
            EXPECT_TRUE(value(t.events().auth_chain(std::vector<EventId>{eid(ghost)})).empty());
            EXPECT_TRUE(value(t.events().auth_chain(std::vector<EventId>{eid(create)})).empty());
            return ok();
        });
    }
}

// Migrations 0170 and 0230: the old edge tables become event_children, which
// keeps only the citations of events not in the timeline (`late`, not held
// yet), the only ones forward extremities still need.
TEST_F(StoreEvents, TheEdgesMigrationsKeepTheCitationsOfEventsNotYetHeld) {
    auto create = room_.create();
    auto late = room_.message("late");
    auto a = room_.message("a");
    auto b = room_.message("b", {}, {late});  // a fork: a and b both follow late
    persist_all({create, a, b});
    // Back to the schema before 0170: the two edge tables, filled as persist
    // used to fill them, and no event_children.
    store_.reset();
    {
        test::RawSqlite raw(db_path());
        raw.exec("DROP TABLE event_children");
        raw.exec("CREATE TABLE event_edges (event_id TEXT NOT NULL, prev_event_id TEXT NOT NULL,"
                 " PRIMARY KEY (event_id, prev_event_id)) WITHOUT ROWID");
        raw.exec("CREATE INDEX event_edges_prev ON event_edges(prev_event_id)");
        raw.exec("CREATE TABLE event_auth_edges (event_id TEXT NOT NULL,"
                 " auth_event_id TEXT NOT NULL, PRIMARY KEY (event_id, auth_event_id))"
                 " WITHOUT ROWID");
        auto edge = [&](const PduPtr& child, const PduPtr& prev) {
            raw.exec("INSERT INTO event_edges VALUES ('" + std::string(child->event_id().str()) +
                     "', '" + std::string(prev->event_id().str()) + "')");
        };
        edge(late, create);
        edge(a, late);
        edge(b, late);
        raw.exec("DELETE FROM schema_version WHERE version IN (170, 230)");
    }
    store_ = test::open_store(db_path());
    test::RawSqlite raw(db_path());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name IN"
                         " ('event_edges', 'event_auth_edges', 'event_edges_prev')"),
              "0");
    // create is in the timeline: its citation is gone; late's two are kept.
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM event_children"), "2");
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM event_children WHERE prev_event_id = '" +
                         std::string(late->event_id().str()) + "'"),
              "2");
    // So late, arriving now, is known to be cited: not a forward extremity.
    write([&](WriteTxn& t) -> Result<bool> {
        if (auto p = t.events().persist({.pdu = late}); !p) return p.error();
        if (auto r = t.extremities().add_event(late->room_id(), late->event_id(),
                                               late->prev_events());
            !r)
            return r.error();
        return true;
    });
    auto ends = read([&](ReadTxn& t) { return t.extremities().get(room_.room_id()); });
    EXPECT_TRUE(std::find(ends.begin(), ends.end(), late->event_id()) == ends.end());
}

// A message citing events in the timeline (every event this server builds)
// writes no event_children row: the one kept per citation of an event not
// held was a random write into a B-tree keyed by event id.
TEST_F(StoreEvents, CitationsOfEventsInTheTimelineAreNotStored) {
    auto create = room_.create();
    auto late = room_.message("late");
    auto a = room_.message("a", {}, {create});
    auto b = room_.message("b", {}, {a, late});
    persist_all({create, a, b});
    test::RawSqlite raw(db_path());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM event_children"), "1");
    EXPECT_EQ(raw.scalar("SELECT prev_event_id FROM event_children"),
              std::string(late->event_id().str()));
}

// An event built here looks for no stored copy and writes no citation row,
// even of an event not held; a second copy is still refused by its id.
TEST_F(StoreEvents, AnEventBuiltHereWritesNoCitationAndCannotBeStoredTwice) {
    auto create = room_.create();
    auto late = room_.message("late");
    auto a = room_.message("a", {}, {create, late});
    persist_all({create});
    auto first = write([&](WriteTxn& t) {
        return t.events().persist({.pdu = a, .built_here = true});
    });
    EXPECT_EQ(first.outcome, store::PersistOutcome::inserted);
    test::RawSqlite raw(db_path());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM event_children"), "0");
    auto again = store_->write("again", [&](WriteTxn& t) {
        return t.events().persist({.pdu = a, .built_here = true});
    });
    EXPECT_FALSE(again);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM events WHERE event_id = '" +
                         std::string(a->event_id().str()) + "'"),
              "1");
    // Without the flag, the copy is found and nothing is written.
    auto found = write([&](WriteTxn& t) { return t.events().persist({.pdu = a}); });
    EXPECT_EQ(found.outcome, store::PersistOutcome::already_present);
    EXPECT_EQ(found.stream_ordering, first.stream_ordering);
}

TEST_F(StoreEvents, RedactionKeepsTheOriginalUntilPurged) {
    auto create = room_.create();
    auto msg = room_.message("secret");
    // v10 names the target at the top level.
    auto redaction = test::build_event(RoomVersion::v10,
                                  {.type = "m.room.redaction", .sender = "@alice:a.test",
                                   .prev_events = {msg}, .auth_events = {create},
                                   .origin_server_ts = 9999,
                                   .extra = {{"redacts", std::string(msg->event_id().str())}}});
    persist_all({create, msg, redaction});
    EXPECT_EQ(read([&](ReadTxn& t) { return t.events().redactions_of(msg->event_id()); }),
              std::vector<EventId>{eid(redaction)});

    nlohmann::json pruned = msg->json();
    pruned["content"] = nlohmann::json::object();
    EXPECT_TRUE(write([&](WriteTxn& t) {
        return t.events().redact(msg->event_id(), pruned, redaction->event_id(), 1000);
    }));
    EXPECT_FALSE(write([&](WriteTxn& t) {  // the first redaction stays
        return t.events().redact(msg->event_id(), msg->json(), create->event_id(), 1001);
    }));
    auto stored = read([&](ReadTxn& t) { return t.events().get(msg->event_id()); });
    EXPECT_EQ(stored->json["content"], nlohmann::json::object());
    EXPECT_EQ(stored->redacted_by, redaction->event_id());
    auto original = read([&](ReadTxn& t) { return t.events().original_json(msg->event_id()); });
    ASSERT_TRUE(original);
    EXPECT_EQ((*original)["content"]["body"], "secret");

    EXPECT_EQ(write([](WriteTxn& t) { return t.events().purge_redacted_originals(1000); }), 0);
    EXPECT_EQ(write([](WriteTxn& t) { return t.events().purge_redacted_originals(1001); }), 1);
    original = read([&](ReadTxn& t) { return t.events().original_json(msg->event_id()); });
    EXPECT_FALSE(original);

    auto missing = store_->write("redact", [&](WriteTxn& t) {
        return t.events().redact(room_.message("x")->event_id(), pruned, redaction->event_id(), 1);
    });
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(StoreEvents, GetPdusAnswersLikeGetManyAndSeesRedactionsThroughItsCache) {
    auto create = room_.create();
    auto msg = room_.message("secret");
    persist_all({create, msg});
    const std::vector<EventId> asked = {eid(msg), eid(create), eid(msg), eid(room_.message("no"))};
    // Twice: the second answer comes from the parsed-event cache.
    for (int round = 0; round < 2; ++round) {
        auto loaded = read([&](ReadTxn& t) { return t.events().get_pdus(asked); });
        ASSERT_EQ(loaded.size(), 2u) << "round " << round;
        EXPECT_EQ(loaded[0].pdu->event_id(), eid(msg));
        EXPECT_EQ(loaded[1].pdu->event_id(), eid(create));
        EXPECT_EQ(loaded[0].pdu->content()["body"], "secret");
        EXPECT_EQ(loaded[0].pdu->json(), msg->json());
        EXPECT_FALSE(loaded[0].redacted);
    }
    nlohmann::json pruned = msg->json();
    pruned["content"] = nlohmann::json::object();
    EXPECT_TRUE(write([&](WriteTxn& t) {
        return t.events().redact(msg->event_id(), pruned, create->event_id(), 1000);
    }));
    const EventId one[] = {eid(msg)};
    auto after = read([&](ReadTxn& t) { return t.events().get_pdus(one); });
    ASSERT_EQ(after.size(), 1u);
    EXPECT_TRUE(after[0].redacted);
    EXPECT_EQ(after[0].pdu->content(), nlohmann::json::object());

    // More than a few ids take the batched query: same answers, same order.
    std::vector<PduPtr> many;
    std::vector<EventId> many_ids;
    for (int i = 0; i < 12; ++i) many.push_back(room_.message("m" + std::to_string(i)));
    persist_all(many);
    for (auto it = many.rbegin(); it != many.rend(); ++it) many_ids.push_back(eid(*it));
    auto batch = read([&](ReadTxn& t) { return t.events().get_pdus(many_ids); });
    ASSERT_EQ(batch.size(), many_ids.size());
    for (std::size_t i = 0; i < batch.size(); ++i) EXPECT_EQ(batch[i].pdu->event_id(), many_ids[i]);
}

TEST_F(StoreEvents, FlagsCanBeSetLater) {
    auto create = room_.create();
    persist_all({create});
    write([&](WriteTxn& t) -> Result<bool> {
        if (auto r = t.events().set_soft_failed(create->event_id(), true); !r) return r.error();
        if (auto r = t.events().set_rejected(create->event_id(), "late"); !r) return r.error();
        return true;
    });
    auto stored = read([&](ReadTxn& t) { return t.events().get(create->event_id()); });
    EXPECT_TRUE(stored->soft_failed);
    EXPECT_EQ(stored->rejected_reason, "late");
    auto unknown = store_->write("flag", [&](WriteTxn& t) {
        return t.events().set_rejected(room_.message("x")->event_id(), "no");
    });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
}

TEST_F(StoreEvents, HashFormRoomIdsOfV12Work) {
    test::TestRoom v12(RoomVersion::v12);
    auto msg = v12.message("hi");
    persist_all({v12.create(), msg});
    auto latest = read([&](ReadTxn& t) { return t.events().latest(v12.room_id(), 5); });
    ASSERT_EQ(latest.size(), 2u);
    EXPECT_TRUE(latest[0].room_id.is_hash_form());
    EXPECT_EQ(value(latest[0].to_pdu())->event_id(), msg->event_id());
}

class StoreExtremities : public test::StoreTest {
protected:
    void add(const PduPtr& pdu) {
        write([&](WriteTxn& t) -> Result<bool> {
            if (auto p = t.events().persist({.pdu = pdu}); !p) return p.error();
            auto r = t.extremities().add_event(pdu->room_id(), pdu->event_id(),
                                               pdu->prev_events());
            if (!r) return r.error();
            return true;
        });
    }
    std::set<EventId> extremities() {
        auto list = read([&](ReadTxn& t) { return t.extremities().get(room_.room_id()); });
        return {list.begin(), list.end()};
    }
    test::TestRoom room_;
};

TEST_F(StoreExtremities, ALinearChainHasOneExtremity) {
    add(room_.create());
    auto a = room_.message("a");
    add(a);
    auto b = room_.message("b");
    add(b);
    EXPECT_EQ(extremities(), std::set<EventId>{eid(b)});
}

TEST_F(StoreExtremities, AForkHasTwoAndAMergeOne) {
    add(room_.create());
    auto a = room_.message("a");
    add(a);
    auto b1 = room_.message("b1", {}, {a});
    auto b2 = room_.message("b2", {}, {a});
    add(b1);
    add(b2);
    EXPECT_EQ(extremities(), (std::set<EventId>{eid(b1), eid(b2)}));
    auto merge = room_.message("merge", {}, {b1, b2});
    add(merge);
    EXPECT_EQ(extremities(), std::set<EventId>{eid(merge)});
}

TEST_F(StoreExtremities, AnEventArrivingAfterItsChildIsNotAnExtremity) {
    add(room_.create());
    auto late = room_.message("late");
    auto child = room_.message("child");
    add(child);  // cites `late`, which we do not have yet
    add(late);
    EXPECT_EQ(extremities(), std::set<EventId>{eid(child)});
}

// An outlier (say, fetched as another event's auth event) that a timeline
// event cites, promoted into the timeline later, is not at the edge either.
TEST_F(StoreExtremities, AnOutlierPromotedAfterItsChildIsNotAnExtremity) {
    add(room_.create());
    auto early = room_.message("early");
    auto child = room_.message("child");  // cites early
    write([&](WriteTxn& t) -> Result<bool> {
        if (auto p = t.events().persist({.pdu = early, .outlier = true}); !p) return p.error();
        return true;
    });
    add(child);
    add(early);  // promoted
    EXPECT_EQ(extremities(), std::set<EventId>{eid(child)});
}

// An event built here on the room's one extremity takes its place in one
// write; naming an event that is not an extremity changes nothing.
TEST_F(StoreExtremities, AdvanceReplacesTheExtremityItNames) {
    auto create = room_.create();
    add(create);
    auto a = room_.message("a");
    add(a);
    auto b = room_.message("b");
    auto advance = [&](const PduPtr& from, const PduPtr& to) {
        return write([&](WriteTxn& t) {
            return t.extremities().advance(room_.room_id(), from->event_id(), to->event_id());
        });
    };
    EXPECT_TRUE(advance(a, b));
    EXPECT_EQ(extremities(), std::set<EventId>{eid(b)});
    auto c = room_.message("c");
    EXPECT_FALSE(advance(a, c));  // a is no longer an extremity
    EXPECT_FALSE(advance(create, c));
    EXPECT_EQ(extremities(), std::set<EventId>{eid(b)});
}

TEST_F(StoreExtremities, ReplaceSetsExactlyTheGivenEvents) {
    add(room_.create());
    auto a = room_.message("a");
    auto b = room_.message("b");
    std::vector<EventId> both = {eid(a), eid(b)};
    write([&](WriteTxn& t) -> Result<bool> {
        if (auto r = t.extremities().replace(room_.room_id(), both); !r) return r.error();
        return true;
    });
    EXPECT_EQ(extremities(), (std::set<EventId>{eid(a), eid(b)}));
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.extremities().get(test::rid("!none:a.test")); })
                    .empty());
}

}  // namespace
}  // namespace chat
