#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

using nlohmann::json;

std::string alias_path(std::string_view alias) {
    return "/_matrix/client/v3/directory/room/" + escape(alias);
}
std::string list_path(const std::string& room_id) {
    return "/_matrix/client/v3/directory/list/room/" + escape(room_id);
}
std::string aliases_path(const std::string& room_id) {
    return "/_matrix/client/v3/rooms/" + escape(room_id) + "/aliases";
}

// Room aliases and the published room directory, with three users of one
// chatd (server name "localhost").
class Directory : public testing::Test {
protected:
    void SetUp() override {
        // Three registrations per test are over the default register limit.
        daemon_ = Daemon::start(dir_.path(), "rate_limits:\n  register:\n    per_second: 0\n");
        alice_ = std::make_unique<MatrixClient>(MatrixClient::registered(daemon_->port(), "alice"));
        bob_ = std::make_unique<MatrixClient>(MatrixClient::registered(daemon_->port(), "bob"));
        carol_ = std::make_unique<MatrixClient>(MatrixClient::registered(daemon_->port(), "carol"));
    }
    // A clean exit also shows that no sanitizer fired inside chatd.
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }

    MatrixClient anonymous() const { return MatrixClient(daemon_->port()); }
    std::string public_room(json body = json::object()) const {
        body["visibility"] = "public";
        return alice_->create_room(body);
    }
    std::vector<std::string> room_aliases(const MatrixClient& who, const std::string& room) const {
        auto answer = who.get(aliases_path(room));
        EXPECT_EQ(answer.status, 200) << answer.text;
        return answer.body.value("aliases", std::vector<std::string>());
    }
    std::string log() const { return daemon_->log_tail(); }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::unique_ptr<MatrixClient> alice_, bob_, carol_;
};

TEST_F(Directory, AnAliasResolvesWithoutATokenAndJoinsTheRoom) {
    auto room = public_room();
    auto put = alice_->put(alias_path("#lobby:localhost"), {{"room_id", room}});
    ASSERT_EQ(put.status, 200) << put.text << log();
    EXPECT_EQ(put.body, json::object());

    auto got = anonymous().get(alias_path("#lobby:localhost"));
    ASSERT_EQ(got.status, 200) << got.text;
    EXPECT_EQ(got.body["room_id"], room);
    EXPECT_EQ(got.body["servers"], json::array({"localhost"}));

    auto joined =
        bob_->post("/_matrix/client/v3/join/" + escape("#lobby:localhost"), json::object());
    ASSERT_EQ(joined.status, 200) << joined.text;
    EXPECT_EQ(joined.body["room_id"], room);
    auto rooms = bob_->get("/_matrix/client/v3/joined_rooms");
    EXPECT_EQ(rooms.body["joined_rooms"], json::array({room})) << rooms.text;
    EXPECT_EQ(room_aliases(*bob_, room), std::vector<std::string>{"#lobby:localhost"});
}

TEST_F(Directory, ATakenAliasIs409RoomInUseAndKeepsItsRoom) {
    auto first = public_room();
    auto second = public_room();
    ASSERT_EQ(alice_->put(alias_path("#taken:localhost"), {{"room_id", first}}).status, 200);
    for (const auto& room : {second, first}) {
        auto again = alice_->put(alias_path("#taken:localhost"), {{"room_id", room}});
        EXPECT_EQ(again.status, 409) << again.text;
        EXPECT_EQ(again.errcode(), "M_ROOM_IN_USE");
    }
    EXPECT_EQ(anonymous().get(alias_path("#taken:localhost")).body["room_id"], first);
}

TEST_F(Directory, OnlyAMemberMayPointAnAliasAtARoom) {
    auto room = public_room();
    auto outsider = bob_->put(alias_path("#squat:localhost"), {{"room_id", room}});
    EXPECT_EQ(outsider.status, 403) << outsider.text;
    EXPECT_EQ(outsider.errcode(), "M_FORBIDDEN");
    EXPECT_EQ(anonymous().get(alias_path("#squat:localhost")).status, 404);

    bob_->join(room);
    EXPECT_EQ(bob_->put(alias_path("#squat:localhost"), {{"room_id", room}}).status, 200);
}

TEST_F(Directory, DeleteIsForTheCreatorOrARoomAdmin) {
    auto room = public_room();
    bob_->join(room);
    carol_->join(room);
    ASSERT_EQ(alice_->put(alias_path("#alices:localhost"), {{"room_id", room}}).status, 200);
    ASSERT_EQ(bob_->put(alias_path("#bobs1:localhost"), {{"room_id", room}}).status, 200);
    ASSERT_EQ(bob_->put(alias_path("#bobs2:localhost"), {{"room_id", room}}).status, 200);

    // carol is a member at power 0 and created none of them.
    auto refused = carol_->del(alias_path("#bobs1:localhost"));
    EXPECT_EQ(refused.status, 403) << refused.text;
    EXPECT_EQ(refused.errcode(), "M_FORBIDDEN");
    EXPECT_EQ(bob_->del(alias_path("#alices:localhost")).status, 403);

    EXPECT_EQ(bob_->del(alias_path("#bobs1:localhost")).status, 200);    // creator
    EXPECT_EQ(alice_->del(alias_path("#bobs2:localhost")).status, 200);  // room admin (PL 100)
    EXPECT_EQ(room_aliases(*alice_, room), std::vector<std::string>{"#alices:localhost"});

    auto gone = anonymous().get(alias_path("#bobs1:localhost"));
    EXPECT_EQ(gone.status, 404);
    EXPECT_EQ(gone.errcode(), "M_NOT_FOUND");
    auto twice = bob_->del(alias_path("#bobs1:localhost"));
    EXPECT_EQ(twice.status, 404);
    EXPECT_EQ(twice.errcode(), "M_NOT_FOUND");
    // A deleted alias is free again.
    EXPECT_EQ(carol_->put(alias_path("#bobs1:localhost"), {{"room_id", room}}).status, 200);
}

TEST_F(Directory, DeletingTheCanonicalAliasTakesItOutOfTheRoomState) {
    auto room = alice_->create_room({{"room_alias_name", "canon"}});
    ASSERT_EQ(alice_->del(alias_path("#canon:localhost")).status, 200);
    auto state =
        alice_->get("/_matrix/client/v3/rooms/" + escape(room) + "/state/m.room.canonical_alias");
    ASSERT_EQ(state.status, 200) << state.text;
    EXPECT_FALSE(state.body.contains("alias")) << state.text;
}

TEST_F(Directory, BadAliasesAndRoomsAreRefusedWithTheRightErrcode) {
    auto room = public_room();
    struct Case {
        std::string alias;
        int status;
        const char* errcode;
    };
    for (const auto& c :
         {Case{"lobby", 400, "M_INVALID_PARAM"}, Case{"#nocolon", 400, "M_INVALID_PARAM"},
          Case{"#lobby:bad_server!", 400, "M_INVALID_PARAM"}}) {
        auto put = alice_->put(alias_path(c.alias), {{"room_id", room}});
        EXPECT_EQ(put.status, c.status) << c.alias << ": " << put.text;
        EXPECT_EQ(put.errcode(), c.errcode) << c.alias;
        auto get = alice_->get(alias_path(c.alias));
        EXPECT_EQ(get.status, c.status) << c.alias << ": " << get.text;
        EXPECT_EQ(get.errcode(), c.errcode) << c.alias;
        EXPECT_EQ(alice_->del(alias_path(c.alias)).errcode(), c.errcode) << c.alias;
    }

    // Another server's alias: ours to neither set nor delete; reading asks
    // that server over federation (here a closed loopback port: 502).
    const std::string remote = "#lobby:127.0.0.1:1";
    auto put_remote = alice_->put(alias_path(remote), {{"room_id", room}});
    EXPECT_EQ(put_remote.status, 400) << put_remote.text;
    EXPECT_EQ(put_remote.errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(alice_->del(alias_path(remote)).errcode(), "M_INVALID_PARAM");
    auto get_remote = alice_->get(alias_path(remote));
    EXPECT_EQ(get_remote.status, 502) << get_remote.text;

    auto unknown = alice_->put(alias_path("#x:localhost"), {{"room_id", "!nope:localhost"}});
    EXPECT_EQ(unknown.status, 404) << unknown.text;
    EXPECT_EQ(unknown.errcode(), "M_NOT_FOUND");
    auto missing = alice_->put(alias_path("#x:localhost"), json::object());
    EXPECT_EQ(missing.status, 400) << missing.text;
    EXPECT_EQ(missing.errcode(), "M_MISSING_PARAM");
    auto not_an_id = alice_->put(alias_path("#x:localhost"), {{"room_id", "lobby"}});
    EXPECT_EQ(not_an_id.errcode(), "M_INVALID_PARAM") << not_an_id.text;
    auto wrong_type = alice_->put(alias_path("#x:localhost"), {{"room_id", 7}});
    EXPECT_EQ(wrong_type.errcode(), "M_BAD_JSON") << wrong_type.text;
    auto not_json = alice_->send_raw("PUT", alias_path("#x:localhost"), "{room_id");
    EXPECT_EQ(not_json.errcode(), "M_NOT_JSON") << not_json.text;
    auto no_token = anonymous().put(alias_path("#x:localhost"), {{"room_id", room}});
    EXPECT_EQ(no_token.status, 401);
    EXPECT_EQ(no_token.errcode(), "M_MISSING_TOKEN");
    EXPECT_EQ(anonymous().del(alias_path("#x:localhost")).status, 401);

    auto join_unknown =
        bob_->post("/_matrix/client/v3/join/" + escape("#none:localhost"), json::object());
    EXPECT_EQ(join_unknown.status, 404) << join_unknown.text;
    EXPECT_EQ(join_unknown.errcode(), "M_NOT_FOUND");
}

TEST_F(Directory, CreateRoomWithRoomAliasNameSetsAliasAndCanonicalAlias) {
    auto room = alice_->create_room({{"room_alias_name", "general"}});
    auto got = anonymous().get(alias_path("#general:localhost"));
    ASSERT_EQ(got.status, 200) << got.text << log();
    EXPECT_EQ(got.body["room_id"], room);
    auto canonical =
        alice_->get("/_matrix/client/v3/rooms/" + escape(room) + "/state/m.room.canonical_alias");
    EXPECT_EQ(canonical.body.value("alias", ""), "#general:localhost") << canonical.text;

    // A taken name is refused before a room is made.
    auto joined_before = bob_->get("/_matrix/client/v3/joined_rooms").body["joined_rooms"].size();
    auto taken = bob_->post("/_matrix/client/v3/createRoom", {{"room_alias_name", "general"}});
    EXPECT_EQ(taken.status, 400) << taken.text;
    EXPECT_EQ(taken.errcode(), "M_ROOM_IN_USE");
    EXPECT_EQ(bob_->get("/_matrix/client/v3/joined_rooms").body["joined_rooms"].size(),
              joined_before);

    for (const char* bad : {"a:b", "", "two words"}) {
        auto refused = bob_->post("/_matrix/client/v3/createRoom", {{"room_alias_name", bad}});
        EXPECT_EQ(refused.status, 400) << bad << ": " << refused.text;
        EXPECT_EQ(refused.errcode(), "M_INVALID_PARAM") << bad;
    }
    auto wrong_type = bob_->post("/_matrix/client/v3/createRoom", {{"room_alias_name", 5}});
    EXPECT_EQ(wrong_type.errcode(), "M_BAD_JSON") << wrong_type.text;
}

TEST_F(Directory, RoomAliasesAreForMembersUnlessWorldReadable) {
    auto room = alice_->create_room({{"room_alias_name", "private"}});
    auto outsider = bob_->get(aliases_path(room));
    EXPECT_EQ(outsider.status, 403) << outsider.text;
    EXPECT_EQ(outsider.errcode(), "M_FORBIDDEN");
    EXPECT_EQ(room_aliases(*alice_, room), std::vector<std::string>{"#private:localhost"});

    auto readable =
        alice_->put("/_matrix/client/v3/rooms/" + escape(room) + "/state/m.room.history_visibility",
                    {{"history_visibility", "world_readable"}});
    ASSERT_EQ(readable.status, 200) << readable.text;
    EXPECT_EQ(room_aliases(*bob_, room), std::vector<std::string>{"#private:localhost"});

    EXPECT_EQ(bob_->get(aliases_path("not-a-room")).errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(anonymous().get(aliases_path(room)).status, 401);
}

// The room ids of a /publicRooms chunk, in order.
std::vector<std::string> ids(const json& chunk) {
    std::vector<std::string> out;
    for (const auto& entry : chunk) out.push_back(entry.value("room_id", ""));
    return out;
}

TEST_F(Directory, VisibilityIsReadByAnyoneAndSetByRoomAdmins) {
    auto room = alice_->create_room();
    alice_->invite(room, bob_->user_id());
    bob_->join(room);
    auto got = anonymous().get(list_path(room));
    ASSERT_EQ(got.status, 200) << got.text << log();
    EXPECT_EQ(got.body, (json{{"visibility", "private"}}));

    auto member = bob_->put(list_path(room), {{"visibility", "public"}});
    EXPECT_EQ(member.status, 403) << member.text;
    EXPECT_EQ(member.errcode(), "M_FORBIDDEN");
    EXPECT_EQ(carol_->put(list_path(room), {{"visibility", "public"}}).status, 403);

    ASSERT_EQ(alice_->put(list_path(room), {{"visibility", "public"}}).status, 200);
    EXPECT_EQ(anonymous().get(list_path(room)).body["visibility"], "public");
    EXPECT_EQ(ids(anonymous().get("/_matrix/client/v3/publicRooms").body["chunk"]),
              std::vector<std::string>{room});
    ASSERT_EQ(alice_->put(list_path(room), {{"visibility", "private"}}).status, 200);
    EXPECT_TRUE(anonymous().get("/_matrix/client/v3/publicRooms").body["chunk"].empty());
    // The body's visibility defaults to public.
    ASSERT_EQ(alice_->put(list_path(room), json::object()).status, 200);
    EXPECT_EQ(anonymous().get(list_path(room)).body["visibility"], "public");

    auto bad = alice_->put(list_path(room), {{"visibility", "hidden"}});
    EXPECT_EQ(bad.status, 400) << bad.text;
    EXPECT_EQ(bad.errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(alice_->put(list_path(room), {{"visibility", true}}).errcode(), "M_BAD_JSON");
    for (const auto& unknown :
         {anonymous().get(list_path("!nope:localhost")),
          alice_->put(list_path("!nope:localhost"), {{"visibility", "public"}})}) {
        EXPECT_EQ(unknown.status, 404) << unknown.text;
        EXPECT_EQ(unknown.errcode(), "M_NOT_FOUND");
    }
    EXPECT_EQ(anonymous().get(list_path("nope")).errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(anonymous().put(list_path(room), {{"visibility", "public"}}).status, 401);

    // createRoom's visibility publishes the room at once.
    EXPECT_EQ(anonymous().get(list_path(public_room())).body["visibility"], "public");
}

TEST_F(Directory, PublicRoomsPageForwardAndBackThroughEveryPublishedRoom) {
    std::set<std::string> published;
    for (int i = 0; i < 5; ++i)
        published.insert(public_room({{"name", "Room " + std::to_string(i)}}));
    alice_->create_room({{"name", "Hidden"}});

    std::vector<std::string> seen;
    std::vector<json> pages;
    std::string path = "/_matrix/client/v3/publicRooms?limit=2";
    for (int guard = 0; guard < 10; ++guard) {
        auto page = anonymous().get(path);
        ASSERT_EQ(page.status, 200) << page.text << log();
        EXPECT_EQ(page.body["total_room_count_estimate"], 5);
        EXPECT_LE(page.body["chunk"].size(), 2u);
        EXPECT_EQ(page.body.contains("prev_batch"), !pages.empty()) << page.text;
        for (const auto& id : ids(page.body["chunk"])) seen.push_back(id);
        pages.push_back(page.body);
        if (!page.body.contains("next_batch")) break;
        path = "/_matrix/client/v3/publicRooms?limit=2&since=" +
               escape(page.body["next_batch"].get<std::string>());
    }
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), published);
    EXPECT_EQ(seen.size(), 5u);  // no room twice

    // prev_batch of the second page gives the first page back.
    auto back = anonymous().get("/_matrix/client/v3/publicRooms?limit=2&since=" +
                                escape(pages[1]["prev_batch"].get<std::string>()));
    ASSERT_EQ(back.status, 200) << back.text;
    EXPECT_EQ(ids(back.body["chunk"]), ids(pages[0]["chunk"]));
    EXPECT_FALSE(back.body.contains("prev_batch")) << back.text;
    EXPECT_TRUE(back.body.contains("next_batch")) << back.text;

    // POST pages the same way.
    auto posted = alice_->post("/_matrix/client/v3/publicRooms", {{"limit", 2}});
    ASSERT_EQ(posted.status, 200) << posted.text;
    EXPECT_EQ(ids(posted.body["chunk"]), ids(pages[0]["chunk"]));
    auto next = alice_->post("/_matrix/client/v3/publicRooms",
                             {{"limit", 2}, {"since", posted.body["next_batch"]}});
    EXPECT_EQ(ids(next.body["chunk"]), ids(pages[1]["chunk"]));

    // Without a limit, everything fits one page.
    auto all = anonymous().get("/_matrix/client/v3/publicRooms");
    EXPECT_EQ(all.body["chunk"].size(), 5u);
    EXPECT_FALSE(all.body.contains("next_batch"));
}

TEST_F(Directory, PublicRoomEntriesDescribeTheRoom) {
    auto room = public_room(
        {{"name", "Cheese"}, {"topic", "Tasty tasty cheese"}, {"room_alias_name", "cheese"}});
    bob_->join(room);
    auto page = anonymous().get("/_matrix/client/v3/publicRooms");
    ASSERT_EQ(page.status, 200) << page.text;
    ASSERT_EQ(page.body["chunk"].size(), 1u) << page.text;
    const auto& entry = page.body["chunk"][0];
    EXPECT_EQ(entry["room_id"], room);
    EXPECT_EQ(entry["name"], "Cheese");
    EXPECT_EQ(entry["topic"], "Tasty tasty cheese");
    EXPECT_EQ(entry["canonical_alias"], "#cheese:localhost");
    EXPECT_EQ(entry["num_joined_members"], 2);
    EXPECT_EQ(entry["world_readable"], false);
    EXPECT_EQ(entry["guest_can_join"], false);
    EXPECT_EQ(entry["join_rule"], "public");
    EXPECT_FALSE(entry.contains("room_type"));
    EXPECT_FALSE(entry.contains("avatar_url"));
}

TEST_F(Directory, PublicRoomsSearchNameTopicAndAliasAndFilterRoomTypes) {
    auto by_name = public_room({{"name", "Elephant Club"}});
    auto by_topic = public_room({{"name", "Zoo"}, {"topic", "all about ELEPHANTS"}});
    auto by_alias = public_room({{"room_alias_name", "elephant-fans"}});
    auto other = public_room({{"name", "Giraffes"}});
    auto space =
        public_room({{"name", "Elephant space"}, {"creation_content", {{"type", "m.space"}}}});

    auto search = [&](json filter) {
        auto answer = bob_->post("/_matrix/client/v3/publicRooms", {{"filter", filter}});
        EXPECT_EQ(answer.status, 200) << answer.text;
        auto found = ids(answer.body["chunk"]);
        return std::set<std::string>(found.begin(), found.end());
    };
    EXPECT_EQ(search({{"generic_search_term", "elePHANT"}}),
              (std::set<std::string>{by_name, by_topic, by_alias, space}));
    EXPECT_EQ(search({{"generic_search_term", "giraffe"}}), (std::set<std::string>{other}));
    EXPECT_TRUE(search({{"generic_search_term", "walrus"}}).empty());
    EXPECT_EQ(search({{"room_types", {"m.space"}}}), (std::set<std::string>{space}));
    EXPECT_EQ(search({{"generic_search_term", "elephant"}, {"room_types", {nullptr}}}),
              (std::set<std::string>{by_name, by_topic, by_alias}));

    // A search fills its page with matches, skipping the rooms that do not match.
    auto first = bob_->post("/_matrix/client/v3/publicRooms",
                            {{"limit", 1}, {"filter", {{"generic_search_term", "giraffe"}}}});
    EXPECT_EQ(ids(first.body["chunk"]), std::vector<std::string>{other}) << first.text;
    EXPECT_FALSE(first.body.contains("next_batch")) << first.text;

    auto space_entry =
        bob_->post("/_matrix/client/v3/publicRooms", {{"filter", {{"room_types", {"m.space"}}}}});
    EXPECT_EQ(space_entry.body["chunk"][0].value("room_type", ""), "m.space");
}

TEST_F(Directory, PublicRoomsRefusesBadInput) {
    public_room();
    auto expect = [&](const Answer& answer, int status, const char* errcode) {
        EXPECT_EQ(answer.status, status) << answer.text;
        EXPECT_EQ(answer.errcode(), errcode) << answer.text;
    };
    const std::string get = "/_matrix/client/v3/publicRooms";
    expect(anonymous().get(get + "?since=garbage"), 400, "M_INVALID_PARAM");
    expect(anonymous().get(get + "?since=n" + escape("!not base64")), 400, "M_INVALID_PARAM");
    expect(anonymous().get(get + "?limit=-1"), 400, "M_INVALID_PARAM");
    expect(anonymous().get(get + "?limit=ten"), 400, "M_INVALID_PARAM");
    expect(anonymous().get(get + "?server=bad_server!"), 400, "M_INVALID_PARAM");
    // Another server's directory is asked for over federation: a closed
    // loopback port does not answer.
    EXPECT_EQ(anonymous().get(get + "?server=127.0.0.1:1").status, 502);
    EXPECT_EQ(anonymous().get(get + "?server=localhost").status, 200);

    expect(anonymous().post(get, json::object()), 401, "M_MISSING_TOKEN");
    expect(bob_->post(get, {{"filter", "elephant"}}), 400, "M_BAD_JSON");
    expect(bob_->post(get, {{"filter", {{"generic_search_term", 3}}}}), 400, "M_BAD_JSON");
    expect(bob_->post(get, {{"filter", {{"room_types", {3}}}}}), 400, "M_BAD_JSON");
    expect(bob_->post(get, {{"limit", "2"}}), 400, "M_BAD_JSON");
    expect(bob_->post(get, {{"since", "garbage"}}), 400, "M_INVALID_PARAM");
    expect(bob_->post(get, {{"include_all_networks", true}, {"third_party_instance_id", "irc"}}),
           400, "M_INVALID_PARAM");
    expect(bob_->send_raw("POST", get, "[1,"), 400, "M_NOT_JSON");

    // No bridged networks here: a named one has no rooms; all networks are ours.
    auto irc = bob_->post(get, {{"third_party_instance_id", "irc"}});
    ASSERT_EQ(irc.status, 200) << irc.text;
    EXPECT_TRUE(irc.body["chunk"].empty());
    EXPECT_EQ(bob_->post(get, {{"include_all_networks", true}}).body["chunk"].size(), 1u);
}

}  // namespace
}  // namespace chat::test
