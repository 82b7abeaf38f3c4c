#include <chat/sync/filter.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <chat/json/parse.hpp>

#include "libchat/sync/sync_fixture.hpp"

namespace chat::sync {
namespace {

nlohmann::json j(std::string_view text) {
    return json::parse(text).value();
}

Filter parse_ok(std::string_view text) {
    auto f = Filter::from_json(j(text));
    if (!f) throw std::runtime_error("refused: " + f.error().message);
    return *f;
}

TEST(Filter, EmptyFilterRestrictsNothing) {
    const Filter f = parse_ok("{}");
    EXPECT_EQ(f.event_format, EventFormat::client);
    EXPECT_FALSE(f.event_fields);
    EXPECT_FALSE(f.room.include_leave);
    EXPECT_EQ(f.timeline_limit(), kDefaultTimelineLimit);
    EXPECT_TRUE(f.room.matches_room("!r:a.test"));
    EXPECT_TRUE(f.room.timeline.matches("m.room.message", "@a:a.test", "!r:a.test", nullptr));
    EXPECT_TRUE(f.account_data.matches("m.direct", "@a:a.test"));
}

TEST(Filter, KeepsTheOriginalJsonUnchanged) {
    const char* text = R"({"room":{"timeline":{"limit":20,"unread_thread_notifications":true},)"
                       R"("state":{"lazy_load_members":true}},"presence":{"not_types":["*"]},)"
                       R"("org.example.unknown":[1,2],"event_fields":["content.body"]})";
    const Filter f = parse_ok(text);
    EXPECT_EQ(f.original, j(text));
    EXPECT_EQ(f.original.dump(), j(text).dump());
}

TEST(Filter, ReadsEveryField) {
    const Filter f = parse_ok(R"({
        "event_fields": ["type", "content.m\\.relates_to"],
        "event_format": "federation",
        "presence": {"limit": 3, "senders": ["@p:a.test"]},
        "account_data": {"types": ["m.*"]},
        "room": {
            "rooms": ["!a:x", "!b:x"], "not_rooms": ["!b:x"], "include_leave": true,
            "timeline": {"limit": 7, "not_types": ["m.room.member"], "contains_url": true,
                         "not_senders": ["@spam:x"]},
            "state": {"lazy_load_members": true, "include_redundant_members": true},
            "ephemeral": {"types": ["m.receipt"]},
            "account_data": {"not_rooms": ["!a:x"]}
        }
    })");
    ASSERT_TRUE(f.event_fields);
    EXPECT_EQ(f.event_fields->size(), 2u);
    EXPECT_EQ(f.event_format, EventFormat::federation);
    EXPECT_EQ(f.presence.limit, 3);
    EXPECT_FALSE(f.presence.matches_sender("@q:a.test"));
    EXPECT_TRUE(f.account_data.matches_type("m.direct"));
    EXPECT_FALSE(f.account_data.matches_type("im.vector.x"));
    EXPECT_TRUE(f.room.include_leave);
    EXPECT_TRUE(f.room.matches_room("!a:x"));
    EXPECT_FALSE(f.room.matches_room("!b:x"));  // not_rooms wins
    EXPECT_FALSE(f.room.matches_room("!c:x"));
    EXPECT_EQ(f.timeline_limit(), 7u);
    EXPECT_EQ(f.room.timeline.contains_url, true);
    EXPECT_TRUE(f.room.state.lazy_load_members);
    EXPECT_TRUE(f.room.state.include_redundant_members);
    EXPECT_FALSE(f.room.timeline.lazy_load_members);
    EXPECT_TRUE(f.room.ephemeral.matches_type("m.receipt"));
    EXPECT_FALSE(f.room.ephemeral.matches_type("m.typing"));
    EXPECT_FALSE(f.room.account_data.matches_room("!a:x"));
}

TEST(Filter, TimelineLimitIsCapped) {
    EXPECT_EQ(parse_ok(R"({"room":{"timeline":{"limit":100000}}})").timeline_limit(),
              kMaxTimelineLimit);
    EXPECT_EQ(parse_ok(R"({"room":{"timeline":{"limit":0}}})").timeline_limit(), 0u);
}

TEST(Filter, NullReadsAsAbsent) {
    const Filter f = parse_ok(R"({"room":{"rooms":null,"timeline":{"types":null}}})");
    EXPECT_TRUE(f.room.matches_room("!any:x"));
    EXPECT_TRUE(f.room.timeline.matches_type("m.anything"));
}

TEST(Filter, RefusesWrongTypes) {
    for (const char* bad : {
             R"([])",
             R"("x")",
             R"({"room":[]})",
             R"({"room":{"timeline":"all"}})",
             R"({"room":{"timeline":{"limit":"10"}}})",
             R"({"room":{"timeline":{"types":"m.room.message"}}})",
             R"({"room":{"timeline":{"types":[1]}}})",
             R"({"room":{"timeline":{"not_senders":[null]}}})",
             R"({"room":{"state":{"lazy_load_members":"true"}}})",
             R"({"room":{"include_leave":1}})",
             R"({"room":{"rooms":["not-a-room"]}})",
             R"({"room":{"timeline":{"not_rooms":["@user:x"]}}})",
             R"({"room":{"timeline":{"contains_url":"yes"}}})",
             R"({"event_format":"xml"})",
             R"({"event_fields":"content"})",
             R"({"presence":{"senders":{}}})",
             R"({"account_data":5})",
         }) {
        auto f = Filter::from_json(j(bad));
        ASSERT_FALSE(f) << "accepted: " << bad;
        EXPECT_EQ(f.error().code, Errc::bad_json) << bad;
    }
}

TEST(Filter, RefusesANegativeLimit) {
    auto f = Filter::from_json(j(R"({"room":{"timeline":{"limit":-1}}})"));
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, Errc::invalid_param);
}

TEST(Filter, RefusesOverlongLists) {
    nlohmann::json types = nlohmann::json::array();
    for (std::size_t i = 0; i <= kMaxFilterListEntries; ++i) types.push_back("t");
    auto f = Filter::from_json({{"room", {{"timeline", {{"types", types}}}}}});
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, Errc::bad_json);
}

TEST(Filter, TypesMatchWithWildcardsAndNotTypesWin) {
    const Filter f = parse_ok(
        R"({"room":{"timeline":{"types":["m.room.*","org.*.x"],"not_types":["m.room.member"]}}})");
    const auto& t = f.room.timeline;
    EXPECT_TRUE(t.matches_type("m.room.message"));
    EXPECT_TRUE(t.matches_type("m.room."));
    EXPECT_FALSE(t.matches_type("m.room.member"));
    EXPECT_TRUE(t.matches_type("org.example.x"));
    EXPECT_TRUE(t.matches_type("org..x"));
    EXPECT_FALSE(t.matches_type("org.example.y"));
    EXPECT_FALSE(t.matches_type("m.reaction"));
}

TEST(Filter, SendersRoomsAndContainsUrl) {
    const Filter f = parse_ok(R"({"room":{"timeline":{"senders":["@a:x","@b:x"],
        "not_senders":["@b:x"],"not_rooms":["!no:x"],"contains_url":false}}})");
    const auto& t = f.room.timeline;
    const nlohmann::json plain = {{"body", "hi"}};
    const nlohmann::json file = {{"body", "f"}, {"url", "mxc://x/y"}};
    EXPECT_TRUE(t.matches("m.room.message", "@a:x", "!r:x", &plain));
    EXPECT_FALSE(t.matches("m.room.message", "@a:x", "!r:x", &file));
    EXPECT_FALSE(t.matches("m.room.message", "@b:x", "!r:x", &plain));
    EXPECT_FALSE(t.matches("m.room.message", "@c:x", "!r:x", &plain));
    EXPECT_FALSE(t.matches("m.room.message", "@a:x", "!no:x", &plain));

    const Filter with_url = parse_ok(R"({"room":{"timeline":{"contains_url":true}}})");
    EXPECT_TRUE(with_url.room.timeline.matches("m.room.message", "@a:x", "!r:x", &file));
    EXPECT_FALSE(with_url.room.timeline.matches("m.room.message", "@a:x", "!r:x", &plain));
    EXPECT_FALSE(with_url.room.timeline.matches("m.room.message", "@a:x", "!r:x", nullptr));
}

TEST(GlobMatch, MatchesLikeShellStarOnly) {
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("*", "anything"));
    EXPECT_TRUE(glob_match("a*b*c", "aXbYc"));
    EXPECT_TRUE(glob_match("a*b*c", "abc"));
    EXPECT_FALSE(glob_match("a*b*c", "acb"));
    EXPECT_TRUE(glob_match("*.member", "m.room.member"));
    EXPECT_FALSE(glob_match("m.room.member", "m.room.members"));
    EXPECT_FALSE(glob_match("m.room?", "m.room1"));  // '?' is literal
    EXPECT_TRUE(glob_match("m.room?", "m.room?"));
    EXPECT_FALSE(glob_match("", "x"));
    // A pathological pattern stays fast (greedy with one resume point).
    EXPECT_FALSE(glob_match(std::string(200, '*') + "b", std::string(5000, 'a')));
}

TEST(EventFields, KeepsOnlyTheNamedPathsWithEscapes) {
    const nlohmann::json ev = j(R"({"type":"m.room.message","sender":"@a:x",
        "content":{"body":"hi","m.relates_to":{"rel_type":"m.thread"},"m\\foo":1,"msgtype":"m.text"},
        "unsigned":{"age":5}})");
    auto out = apply_event_fields(
        ev, std::vector<std::string>{"type", "content.body", "content.m\\.relates_to.rel_type",
                                     "content.m\\\\foo", "content.missing", "nope.x"});
    EXPECT_EQ(out, j(R"({"type":"m.room.message","content":{"body":"hi",
        "m.relates_to":{"rel_type":"m.thread"},"m\\foo":1}})"));
}

class LoadFilterTest : public test::SyncFixture {};

TEST_F(LoadFilterTest, ReadsInlineJsonAndStoredIds) {
    const nlohmann::json stored = j(R"({"room":{"timeline":{"limit":4}}})");
    auto id = test::value(
        store_->write("add", [&](store::WriteTxn& t) { return t.filters().add(alice_, stored); }));

    auto load = [&](const UserId& u, std::string param) {
        return store_->read("f", [&](store::ReadTxn& t) { return load_filter(t, u, param); });
    };
    auto by_id = load(alice_, std::to_string(id));
    ASSERT_TRUE(by_id) << by_id.error().message;
    EXPECT_EQ(by_id->timeline_limit(), 4u);
    EXPECT_EQ(by_id->original, stored);

    auto inline_json = load(alice_, R"({"room":{"timeline":{"limit":2}}})");
    ASSERT_TRUE(inline_json);
    EXPECT_EQ(inline_json->timeline_limit(), 2u);

    auto other_user = load(bob_, std::to_string(id));
    ASSERT_FALSE(other_user);
    EXPECT_EQ(other_user.error().code, Errc::not_found);

    for (const char* bad_id : {"", "abc", "-1", "+1", "1x", "99999999999999999999999"}) {
        auto r = load(alice_, bad_id);
        ASSERT_FALSE(r) << bad_id;
        EXPECT_EQ(r.error().code, Errc::invalid_param) << bad_id;
    }
    auto not_json = load(alice_, "{nope");
    ASSERT_FALSE(not_json);
    EXPECT_EQ(not_json.error().code, Errc::not_json);
    auto bad_shape = load(alice_, R"({"room":{"rooms":"x"}})");
    ASSERT_FALSE(bad_shape);
    EXPECT_EQ(bad_shape.error().code, Errc::bad_json);
}

}  // namespace
}  // namespace chat::sync
