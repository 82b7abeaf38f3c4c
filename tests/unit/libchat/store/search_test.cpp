#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <chat/store/search.hpp>
#include <chat/store/sqlite.hpp>

#include "libchat/store/raw_sqlite.hpp"
#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::eid;
using test::value;

using store::ReadTxn;
using store::SearchHit;
using store::SearchOrder;
using store::SearchQuery;
using store::WriteTxn;

// --- the pure parts: words, the FTS5 expression, what is searchable ---

TEST(SearchTerms, SplitOnWhitespaceAndControlCharacters) {
    EXPECT_EQ(store::search_terms("  hello\tworld\n"),
              (std::vector<std::string>{"hello", "world"}));
    EXPECT_EQ(store::search_terms(std::string("a\0b", 3)), (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(store::search_terms("").empty());
    EXPECT_TRUE(store::search_terms(" \t\r\n").empty());
}

TEST(SearchTerms, KeepQuerySyntaxAsPlainWords) {
    EXPECT_EQ(store::search_terms("\"a OR b* NEAR( col:x"),
              (std::vector<std::string>{"\"a", "OR", "b*", "NEAR(", "col:x"}));
}

TEST(SearchTerms, AreBoundedInNumberAndLength) {
    std::string many;
    for (int i = 0; i < 100; ++i) many += "w" + std::to_string(i) + " ";
    auto terms = store::search_terms(many);
    ASSERT_EQ(terms.size(), store::kMaxSearchTerms);
    EXPECT_EQ(terms.front(), "w0");

    // A long word of two-byte characters is cut between characters.
    std::string long_word;
    for (int i = 0; i < 200; ++i) long_word += "\xC3\xA9";  // é
    auto cut = store::search_terms("x" + long_word);
    ASSERT_EQ(cut.size(), 1u);
    EXPECT_LE(cut[0].size(), store::kMaxSearchTermBytes);
    EXPECT_EQ(cut[0].size() % 2, 1u);  // "x" and whole characters only
    EXPECT_NE(static_cast<unsigned char>(cut[0].back()), 0xC3);
}

TEST(Fts5MatchQuery, QuotesEveryTermAsAPrefixPhrase) {
    std::vector<std::string> terms{"hello", "wor"};
    EXPECT_EQ(store::fts5_match_query(terms), "\"hello\"* \"wor\"*");
}

TEST(Fts5MatchQuery, DoublesQuotesAndBlanksControlCharacters) {
    std::vector<std::string> terms{"a\"b", "\"", std::string("x\0y", 3)};
    EXPECT_EQ(store::fts5_match_query(terms), "\"a\"\"b\"* \"\"\"\"* \"x y\"*");
}

TEST(SearchableText, MessageBodyNameAndTopic) {
    auto body = store::searchable_text("m.room.message", {{"msgtype", "m.text"}, {"body", "hi"}});
    ASSERT_TRUE(body);
    EXPECT_EQ(body->key, store::kSearchKeyBody);
    EXPECT_EQ(body->text, "hi");
    auto name = store::searchable_text("m.room.name", {{"name", "Lounge"}});
    ASSERT_TRUE(name);
    EXPECT_EQ(name->key, store::kSearchKeyName);
    auto topic = store::searchable_text("m.room.topic", {{"topic", "Rust"}});
    ASSERT_TRUE(topic);
    EXPECT_EQ(topic->key, store::kSearchKeyTopic);
    EXPECT_EQ(topic->text, "Rust");
}

TEST(SearchableText, TopicAddsADifferentPlainTextTopicBlock) {
    nlohmann::json content = {
        {"topic", "short"},
        {"m.topic",
         {{"m.text",
           {{{"mimetype", "text/html"}, {"body", "<b>html</b>"}}, {{"body", "longer plain"}}}}}}};
    auto topic = store::searchable_text("m.room.topic", content);
    ASSERT_TRUE(topic);
    EXPECT_EQ(topic->text, "short\nlonger plain");
}

TEST(SearchableText, IgnoresHostileContent) {
    for (const auto& content :
         {nlohmann::json(nullptr), nlohmann::json::array({"body"}), nlohmann::json(42),
          nlohmann::json{{"body", 42}}, nlohmann::json{{"body", nlohmann::json::object()}},
          nlohmann::json{{"body", ""}}, nlohmann::json{{"body", nullptr}}}) {
        EXPECT_FALSE(store::searchable_text("m.room.message", content)) << content.dump();
    }
    EXPECT_FALSE(store::searchable_text("m.room.topic", {{"m.topic", {{"m.text", 7}}}}));
    EXPECT_FALSE(store::searchable_text("m.room.topic", {{"m.topic", {{"m.text", {1, "x"}}}}}));
    EXPECT_FALSE(store::searchable_text("m.reaction", {{"body", "not searched"}}));
}

TEST(SearchHighlights, AreTheWordsOfTheTextThatTheTermsStart) {
    std::set<std::string> out;
    std::vector<std::string> terms{"MART", "\"land"};
    store::add_highlights("The Martians have landed, martial law.", terms, out);
    EXPECT_EQ(out, (std::set<std::string>{"Martians", "landed", "martial"}));
    std::set<std::string> none;
    std::vector<std::string> punctuation{"\"", "*"};
    store::add_highlights("anything at all", punctuation, none);
    EXPECT_TRUE(none.empty());
}

// --- the index in the store ---

class StoreSearch : public test::StoreTest {
protected:
    // Persists `pdu` after everything persisted so far in its room.
    test::Persisted add(const PduPtr& pdu) {
        auto& group = groups_[std::string(pdu->room_id().str())];
        auto p = write([&](WriteTxn& t) { return test::persist_timeline_event(t, pdu, group); });
        group = p.group_after;
        return p;
    }

    std::vector<SearchHit> search(SearchQuery query) {
        return read([&](ReadTxn& t) { return t.search().search(query); });
    }

    // The event ids found for `text` in `rooms` (all test rooms by default).
    std::vector<EventId> find(const std::string& text, SearchOrder order = SearchOrder::rank,
                              std::vector<RoomId> rooms = {}) {
        if (rooms.empty()) rooms = {room_.room_id(), other_.room_id()};
        std::vector<EventId> ids;
        for (const auto& hit : search({.rooms = rooms,
                                       .terms = store::search_terms(text),
                                       .order = order,
                                       .limit = 50}))
            ids.push_back(hit.event_id);
        return ids;
    }

    // The index itself holds no row with `word`, and passes FTS5's own check.
    void expect_index_lacks(const std::string& word) {
        test::RawSqlite raw(db_path());
        EXPECT_EQ(raw.rows("SELECT rowid FROM event_search WHERE event_search MATCH '" + word + "'")
                      .size(),
                  0u);
        raw.exec("INSERT INTO event_search(event_search) VALUES ('integrity-check')");
    }

    test::TestRoom room_;
    test::TestRoom other_{RoomVersion::v10, "!other:a.test"};
    std::map<std::string, std::optional<store::StateGroupId>> groups_;
};

TEST_F(StoreSearch, FindsMessagesByWordPrefixOnlyInTheRoomsAsked) {
    add(room_.create());
    add(other_.create());
    auto here = room_.message("The Martians have landed");
    auto there = other_.message("martians everywhere");
    add(here);
    add(there);
    add(room_.message("nothing to see"));

    EXPECT_EQ(find("martians", SearchOrder::recent), (std::vector<EventId>{eid(there), eid(here)}));
    EXPECT_EQ(find("MART land"), std::vector<EventId>{eid(here)});  // every word, as a prefix
    EXPECT_EQ(find("martians", SearchOrder::rank, {room_.room_id()}),
              std::vector<EventId>{eid(here)});
    EXPECT_TRUE(find("venus").empty());
    EXPECT_TRUE(find("martians", SearchOrder::rank, {test::rid("!nowhere:a.test")}).empty());
}

TEST_F(StoreSearch, FoldsCaseAndDiacritics) {
    add(room_.create());
    auto cafe = room_.message("Un CAFÉ noir");
    add(cafe);
    EXPECT_EQ(find("cafe"), std::vector<EventId>{eid(cafe)});
    EXPECT_EQ(find("café"), std::vector<EventId>{eid(cafe)});
}

TEST_F(StoreSearch, RankPutsTheBetterMatchFirstAndRecentTheNewest) {
    add(room_.create());
    auto weak = room_.message("rocket launch scheduled for tuesday with many other words around");
    auto strong = room_.message("rocket rocket rocket");
    auto newest = room_.message("a rocket and nothing else to say about it today");
    add(weak);
    add(strong);
    add(newest);

    auto ranked = search({.rooms = {room_.room_id()}, .terms = {"rocket"}, .limit = 10});
    ASSERT_EQ(ranked.size(), 3u);
    EXPECT_EQ(ranked[0].event_id, eid(strong));
    EXPECT_GT(ranked[0].rank, ranked[1].rank);
    EXPECT_GE(ranked[1].rank, ranked[2].rank);
    EXPECT_EQ(find("rocket", SearchOrder::recent),
              (std::vector<EventId>{eid(newest), eid(strong), eid(weak)}));
}

TEST_F(StoreSearch, PaginatesByOffsetForRankAndByOrderingForRecent) {
    add(room_.create());
    std::vector<PduPtr> pdus;
    for (int i = 0; i < 5; ++i) {
        pdus.push_back(room_.message("page item " + std::to_string(i)));
        add(pdus.back());
    }
    SearchQuery query{.rooms = {room_.room_id()}, .terms = {"page"}, .order = SearchOrder::recent,
                      .limit = 2};
    auto first = search(query);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].event_id, eid(pdus[4]));
    query.before = first.back().stream_ordering;
    auto second = search(query);
    ASSERT_EQ(second.size(), 2u);
    EXPECT_EQ(second[0].event_id, eid(pdus[2]));
    EXPECT_EQ(second[1].event_id, eid(pdus[1]));

    SearchQuery ranked{.rooms = {room_.room_id()}, .terms = {"page"}, .limit = 3};
    auto all = search({.rooms = {room_.room_id()}, .terms = {"page"}, .limit = 10});
    ASSERT_EQ(all.size(), 5u);
    ranked.offset = 3;
    auto rest = search(ranked);
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[0].event_id, all[3].event_id);
    EXPECT_EQ(rest[1].event_id, all[4].event_id);
}

TEST_F(StoreSearch, KeysSelectBodyNameOrTopic) {
    add(room_.create());
    auto name = room_.state("m.room.name", "", {{"name", "Gardening club"}});
    auto topic = room_.state("m.room.topic", "", {{"topic", "gardening tips"}});
    auto body = room_.message("my gardening diary");
    add(name);
    add(topic);
    add(body);
    auto with_keys = [&](std::vector<std::string> keys) {
        std::vector<EventId> ids;
        for (const auto& hit : search({.rooms = {room_.room_id()}, .terms = {"gardening"},
                                       .keys = std::move(keys), .order = SearchOrder::recent}))
            ids.push_back(hit.event_id);
        return ids;
    };
    EXPECT_EQ(with_keys({}), (std::vector<EventId>{eid(body), eid(topic), eid(name)}));
    EXPECT_EQ(with_keys({"content.name"}), std::vector<EventId>{eid(name)});
    EXPECT_EQ(with_keys({"content.topic", "content.body"}),
              (std::vector<EventId>{eid(body), eid(topic)}));
    EXPECT_TRUE(with_keys({"content.unknown"}).empty());
}

TEST_F(StoreSearch, RedactedEventsAreNoLongerFound) {
    add(room_.create());
    auto secret = room_.message("the secret password is swordfish");
    auto kept = room_.message("swordfish for dinner");
    add(secret);
    add(kept);
    // Any event id serves as the redaction here: the store does not check it.
    EXPECT_TRUE(write([&](WriteTxn& t) {
        return t.events().redact(eid(secret), {{"type", "m.room.message"}, {"content", {}}},
                                 eid(room_.create()), 5);
    }));
    EXPECT_EQ(find("swordfish"), std::vector<EventId>{eid(kept)});
    EXPECT_TRUE(find("password").empty());
    // The words are gone from the index itself, not only filtered out.
    test::RawSqlite raw(db_path());
    EXPECT_EQ(raw.rows("SELECT rowid FROM event_search WHERE event_search MATCH 'password'").size(),
              0u);
    EXPECT_EQ(raw.rows("SELECT rowid FROM event_search WHERE event_search MATCH 'swordfish'").size(),
              1u);
    raw.exec("INSERT INTO event_search(event_search) VALUES ('integrity-check')");
}

// Text waits in the writer's memory until its transaction commits
// (store/sqlite/search_queue.hpp): a batch indexes what its successful writes
// persisted and nothing of a write that failed.
TEST_F(StoreSearch, AGroupCommitIndexesTheTextOfItsSucceededWritesOnly) {
    add(room_.create());
    const auto group = groups_[std::string(room_.room_id().str())];
    auto kept = room_.message("apples in the first write");
    auto lost = room_.message("bananas in the failing write");
    auto also = room_.message("cherries in the third write");
    std::vector<store::WriteJob> jobs;
    jobs.push_back({"a", [&](WriteTxn& t) -> Result<void> {
                        auto p = test::persist_timeline_event(t, kept, group);
                        if (!p) return p.error();
                        return ok();
                    }});
    jobs.push_back({"b", [&](WriteTxn& t) -> Result<void> {
                        auto p = test::persist_timeline_event(t, lost, group);
                        if (!p) return p.error();
                        return make_error(Errc::forbidden, "refused after persisting");
                    }});
    jobs.push_back({"c", [&](WriteTxn& t) -> Result<void> {
                        auto p = test::persist_timeline_event(t, also, group);
                        if (!p) return p.error();
                        return ok();
                    }});
    auto results = store_->write_batch(jobs);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_TRUE(results[0]);
    EXPECT_FALSE(results[1]);
    EXPECT_TRUE(results[2]);
    EXPECT_EQ(find("apples"), std::vector<EventId>{eid(kept)});
    EXPECT_TRUE(find("bananas").empty());
    EXPECT_EQ(find("cherries"), std::vector<EventId>{eid(also)});
    expect_index_lacks("bananas");
}

// A write alone runs without a savepoint, so its failure rolls back the whole
// transaction. Its text must go with it: the stream position it took is given
// back, and the next event, persisted under that same position, must not be
// found by the failed event's words.
TEST_F(StoreSearch, AFailedWriteAloneLeavesNoTextForTheNextTransaction) {
    add(room_.create());
    const auto group = groups_[std::string(room_.room_id().str())];
    auto lost = room_.message("bananas in the failing write");
    auto failed = store_->write("fails", [&](WriteTxn& t) -> Result<bool> {
        auto p = test::persist_timeline_event(t, lost, group);
        if (!p) return p.error();
        return make_error(Errc::forbidden, "refused after persisting");
    });
    EXPECT_FALSE(failed);
    auto next = room_.message("cherries in the next write");
    add(next);
    EXPECT_TRUE(find("bananas").empty());
    EXPECT_EQ(find("cherries"), std::vector<EventId>{eid(next)});
    expect_index_lacks("bananas");
}

// A write that redacts an event persisted by an earlier write of the same
// batch takes that event's text off the queue; when it then fails, its
// savepoint is rolled back and the redaction with it, so the text comes back
// and is indexed.
TEST_F(StoreSearch, AFailedRedactionInABatchGivesBackTheTextItDequeued) {
    add(room_.create());
    const auto group = groups_[std::string(room_.room_id().str())];
    auto message = room_.message("pineapples stay searchable");
    std::vector<store::WriteJob> jobs;
    jobs.push_back({"persist", [&](WriteTxn& t) -> Result<void> {
                        auto p = test::persist_timeline_event(t, message, group);
                        if (!p) return p.error();
                        return ok();
                    }});
    jobs.push_back({"redact then fail", [&](WriteTxn& t) -> Result<void> {
                        auto r = t.events().redact(eid(message),
                                                   {{"type", "m.room.message"}, {"content", {}}},
                                                   eid(room_.create()), 5);
                        if (!r) return r.error();
                        if (!*r) return make_error(Errc::internal, "nothing redacted");
                        return make_error(Errc::forbidden, "refused after redacting");
                    }});
    auto results = store_->write_batch(jobs);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0]);
    EXPECT_FALSE(results[1]);
    EXPECT_EQ(find("pineapples"), std::vector<EventId>{eid(message)});
}

// Migration 0240 dropped the table the text used to wait in.
TEST_F(StoreSearch, TheOldQueueTableIsGone) {
    add(room_.create());
    test::RawSqlite raw(db_path());
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'event_search_pending'"),
              "0");
}

TEST_F(StoreSearch, TextRedactedInTheTransactionThatPersistedItIsNeverIndexed) {
    add(room_.create());
    auto& group = groups_[std::string(room_.room_id().str())];
    auto secret = room_.message("the launch code is zebra");
    EXPECT_TRUE(write([&](WriteTxn& t) -> Result<bool> {
        auto p = test::persist_timeline_event(t, secret, group);
        if (!p) return p.error();
        return t.events().redact(eid(secret), {{"type", "m.room.message"}, {"content", {}}},
                                 eid(room_.create()), 5);
    }));
    EXPECT_TRUE(find("zebra").empty());
    test::RawSqlite raw(db_path());
    EXPECT_EQ(raw.rows("SELECT rowid FROM event_search WHERE event_search MATCH 'zebra'").size(),
              0u);
    raw.exec("INSERT INTO event_search(event_search) VALUES ('integrity-check')");
}

TEST_F(StoreSearch, OutliersAreFoundOnceInTheTimeline) {
    add(room_.create());
    auto late = room_.message("arrived as an outlier");
    write([&](WriteTxn& t) -> Result<bool> {
        auto p = t.events().persist({.pdu = late, .received_ts = 1, .outlier = true});
        if (!p) return p.error();
        return true;
    });
    EXPECT_TRUE(find("outlier").empty());
    add(late);  // promoted
    EXPECT_EQ(find("outlier"), std::vector<EventId>{eid(late)});
}

TEST_F(StoreSearch, SoftFailedAndRejectedEventsAreNotFound) {
    add(room_.create());
    auto soft = room_.message("hidden words one");
    auto rejected = room_.message("hidden words two");
    add(soft);
    add(rejected);
    write([&](WriteTxn& t) -> Result<bool> {
        if (auto r = t.events().set_soft_failed(eid(soft), true); !r) return r.error();
        if (auto r = t.events().set_rejected(eid(rejected), "test"); !r) return r.error();
        return true;
    });
    EXPECT_TRUE(find("hidden").empty());
}

TEST_F(StoreSearch, HostileTermsMatchLiterallyAndNeverFail) {
    add(room_.create());
    auto plain = room_.message("near the end AND more text, with \"quotes\"");
    add(plain);
    for (const std::string& hostile : std::vector<std::string>{"\"", "\"\"", "*", "NEAR(", "NEAR(a b", "a\" OR \"b", "text:near", "AND", "OR NOT",
          "(", ")", "^near", "-near", "+", "{text}: x", "\"unbalanced", "'", "\\", "%", "_",
          std::string("\0", 1), "\xF0\x9F\x98\x80", "near*\"*"}) {
        auto hits = read([&](ReadTxn& t) {
            return t.search().search(
                {.rooms = {room_.room_id()}, .terms = store::search_terms(hostile), .limit = 5});
        });
        auto n = read([&](ReadTxn& t) {
            return t.search().count(
                {.rooms = {room_.room_id()}, .terms = store::search_terms(hostile)}, 100);
        });
        EXPECT_EQ(static_cast<std::int64_t>(hits.size()), n) << hostile;
    }
    // Words that look like operators are just words.
    EXPECT_EQ(find("AND"), std::vector<EventId>{eid(plain)});
    EXPECT_EQ(find("NEAR("), std::vector<EventId>{eid(plain)});
    EXPECT_EQ(find("\"quotes"), std::vector<EventId>{eid(plain)});
    EXPECT_EQ(find("end:and"), std::vector<EventId>{eid(plain)});  // no column filter: "end and"
    EXPECT_TRUE(find("OR").empty());
}

TEST_F(StoreSearch, CountStopsAtTheCap) {
    add(room_.create());
    for (int i = 0; i < 7; ++i) add(room_.message("counted " + std::to_string(i)));
    SearchQuery query{.rooms = {room_.room_id()}, .terms = {"counted"}};
    EXPECT_EQ(read([&](ReadTxn& t) { return t.search().count(query, 100); }), 7);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.search().count(query, 3); }), 3);
    query.terms.clear();
    EXPECT_EQ(read([&](ReadTxn& t) { return t.search().count(query, 100); }), 0);
}

TEST_F(StoreSearch, MigrationIndexesHistoryStoredBeforeIt) {
    add(room_.create());
    auto old_message = room_.message("history before the index");
    auto old_name = room_.state("m.room.name", "", {{"name", "Historic"}});
    add(old_message);
    add(old_name);
    store_.reset();
    {
        // The database as an older build left it: no index, migration not applied.
        test::RawSqlite raw(db_path());
        raw.exec("DROP TABLE event_search");
        raw.exec("DELETE FROM schema_version WHERE version = 70");
    }
    store_ = test::open_store(db_path());
    EXPECT_EQ(find("history"), std::vector<EventId>{eid(old_message)});
    EXPECT_EQ(find("historic"), std::vector<EventId>{eid(old_name)});
}

// --- the user directory ---

class StoreUserDirectory : public StoreSearch {
protected:
    void create_user(const std::string& id, std::optional<std::string> name = {},
                     std::optional<std::string> avatar = {}) {
        write([&](WriteTxn& t) -> Result<bool> {
            auto made = t.users().create({.user_id = test::uid(id),
                                          .created_ts = 1,
                                          .displayname = name,
                                          .avatar_url = avatar});
            if (!made) return made.error();
            return true;
        });
    }
    PduPtr join(test::TestRoom& room, const std::string& user, nlohmann::json extra = {}) {
        nlohmann::json content = {{"membership", "join"}};
        if (extra.is_object()) content.update(extra);
        auto pdu = room.event("m.room.member", user, content, user);
        add(pdu);
        return pdu;
    }
    store::UserDirectoryResults search_as(const std::string& requester, const std::string& text,
                                          std::size_t limit = 10) {
        return read([&](ReadTxn& t) {
            return t.user_directory().search({.requester = test::uid(requester),
                                              .terms = store::search_terms(text),
                                              .limit = limit});
        });
    }
    static std::vector<std::string> ids(const store::UserDirectoryResults& r) {
        std::vector<std::string> out;
        for (const auto& u : r.results) out.emplace_back(u.user_id.str());
        return out;
    }
};

TEST_F(StoreUserDirectory, FindsRoomMatesButNotStrangers) {
    create_user("@alice:a.test", "Alice");
    create_user("@bob:a.test", "Bobby Tables", "mxc://a.test/bob");
    create_user("@bobcat:a.test", "Bobcat");  // in no room with alice
    add(room_.create());
    join(room_, "@alice:a.test");
    join(room_, "@bob:a.test");
    add(other_.create());
    join(other_, "@bobcat:a.test");

    auto found = search_as("@alice:a.test", "bob");
    EXPECT_EQ(ids(found), std::vector<std::string>{"@bob:a.test"});
    EXPECT_FALSE(found.limited);
    ASSERT_EQ(found.results.size(), 1u);
    EXPECT_EQ(found.results[0].display_name, "Bobby Tables");
    EXPECT_EQ(found.results[0].avatar_url, "mxc://a.test/bob");
    EXPECT_EQ(ids(search_as("@alice:a.test", "tables")), std::vector<std::string>{"@bob:a.test"});
    EXPECT_TRUE(search_as("@alice:a.test", "bobcat").results.empty());
}

TEST_F(StoreUserDirectory, FindsMembersOfPublicAndWorldReadableRooms) {
    create_user("@alice:a.test", "Alice");
    create_user("@carol:a.test", "Carol");
    add(room_.create());
    join(room_, "@alice:a.test");
    add(other_.create());
    join(other_, "@carol:a.test");
    EXPECT_TRUE(search_as("@alice:a.test", "carol").results.empty());

    add(other_.state("m.room.join_rules", "", {{"join_rule", "public"}}));
    EXPECT_EQ(ids(search_as("@alice:a.test", "carol")), std::vector<std::string>{"@carol:a.test"});

    add(other_.state("m.room.join_rules", "", {{"join_rule", "invite"}}));
    EXPECT_TRUE(search_as("@alice:a.test", "carol").results.empty());
    add(other_.state("m.room.history_visibility", "", {{"history_visibility", "world_readable"}}));
    EXPECT_EQ(ids(search_as("@alice:a.test", "carol")), std::vector<std::string>{"@carol:a.test"});
}

TEST_F(StoreUserDirectory, RemoteUsersAreNamedByTheirJoinEvent) {
    create_user("@alice:a.test", "Alice");
    add(room_.create());
    join(room_, "@alice:a.test", {{"displayname", "Ally in this room"}});
    join(room_, "@dave:b.test", {{"displayname", "Dave Remote"}, {"avatar_url", 7}});
    auto dave = search_as("@alice:a.test", "remote");
    ASSERT_EQ(ids(dave), std::vector<std::string>{"@dave:b.test"});
    EXPECT_EQ(dave.results[0].display_name, "Dave Remote");
    EXPECT_FALSE(dave.results[0].avatar_url);  // not a string: ignored
    // A local user keeps the account's name, not a per-room one.
    EXPECT_TRUE(search_as("@alice:a.test", "ally").results.empty());
    EXPECT_EQ(ids(search_as("@alice:a.test", "alice")), std::vector<std::string>{"@alice:a.test"});
}

TEST_F(StoreUserDirectory, FollowsProfileChangesAndHidesDeactivatedAccounts) {
    create_user("@alice:a.test", "Alice");
    create_user("@erin:a.test", "Erin");
    add(room_.create());
    join(room_, "@alice:a.test");
    join(room_, "@erin:a.test");
    write([&](WriteTxn& t) {
        return t.users().set_displayname(test::uid("@erin:a.test"), std::string("Zebra"));
    });
    EXPECT_FALSE(search_as("@alice:a.test", "erin a.test").results.empty());  // by id
    EXPECT_EQ(ids(search_as("@alice:a.test", "zebra")), std::vector<std::string>{"@erin:a.test"});
    EXPECT_EQ(search_as("@alice:a.test", "Erin").results.size(), 1u);  // the id still matches
    write([&](WriteTxn& t) {
        return t.users().set_deactivated(test::uid("@erin:a.test"), true);
    });
    EXPECT_TRUE(search_as("@alice:a.test", "zebra").results.empty());
}

TEST_F(StoreUserDirectory, LimitsTheResultsAndSaysSo) {
    create_user("@alice:a.test", "Alice");
    add(room_.create());
    join(room_, "@alice:a.test");
    for (int i = 0; i < 4; ++i) {
        create_user("@fan" + std::to_string(i) + ":a.test", "Fan number " + std::to_string(i));
        join(room_, "@fan" + std::to_string(i) + ":a.test");
    }
    auto two = search_as("@alice:a.test", "fan", 2);
    EXPECT_EQ(two.results.size(), 2u);
    EXPECT_TRUE(two.limited);
    auto all = search_as("@alice:a.test", "fan", 10);
    EXPECT_EQ(all.results.size(), 4u);
    EXPECT_FALSE(all.limited);
}

TEST_F(StoreUserDirectory, HostileTermsNeverFail) {
    create_user("@alice:a.test", "Alice");
    add(room_.create());
    join(room_, "@alice:a.test");
    for (const std::string& hostile : std::vector<std::string>{"\"", "*", "NEAR(", "\"unbalanced", "user_id:alice", "@", ":",
                                "AND OR NOT", "(((("}) {
        EXPECT_NO_THROW(search_as("@alice:a.test", hostile)) << hostile;
    }
    EXPECT_EQ(ids(search_as("@alice:a.test", "@alice:a")), std::vector<std::string>{"@alice:a.test"});
}

// --- OpenID tokens ---

using StoreOpenIdTokens = test::StoreTest;

TEST_F(StoreOpenIdTokens, LookupUntilExpiryThenPurged) {
    const auto alice = test::uid("@alice:a.test");
    write([&](WriteTxn& t) { return t.openid_tokens().add("tok-1", alice, 1000); });
    EXPECT_EQ(read([&](ReadTxn& t) { return t.openid_tokens().lookup("tok-1", 999); }), alice);
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.openid_tokens().lookup("tok-1", 1000); }));
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.openid_tokens().lookup("tok-2", 0); }));
    // Not an access token.
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.tokens().lookup("tok-1"); }));

    auto again = store_->write("test", [&](WriteTxn& t) {
        return t.openid_tokens().add("tok-1", alice, 5000);
    });
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::invalid_param);

    EXPECT_EQ(write([&](WriteTxn& t) { return t.openid_tokens().purge_expired(1000); }), 1);
    test::RawSqlite raw(db_path());
    EXPECT_EQ(raw.rows("SELECT 1 FROM openid_tokens").size(), 0u);
}

TEST_F(StoreOpenIdTokens, StoresOnlyTheHash) {
    write([&](WriteTxn& t) {
        return t.openid_tokens().add("plain-secret", test::uid("@alice:a.test"), 1000);
    });
    test::RawSqlite raw(db_path());
    auto rows = raw.rows("SELECT token_hash FROM openid_tokens");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], store::hash_access_token("plain-secret"));
}

}  // namespace
}  // namespace chat
