#include "api/federation/send_join_state.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

using nlohmann::json;

EventId id(const std::string& name) { return *EventId::parse("$" + name + ":a.test"); }
UserId user(const std::string& text) { return *UserId::parse(text); }

store::StoredEvent state_event(const std::string& name, const std::string& type,
                               const std::string& state_key, json content,
                               store::Position ordering) {
    store::StoredEvent ev{.event_id = id(name),
                          .room_id = *RoomId::parse("!room:a.test"),
                          .room_version = "10",
                          .type = type,
                          .state_key = state_key,
                          .sender = user("@alice:a.test")};
    ev.stream_ordering = ordering;
    ev.json = {{"type", type}, {"state_key", state_key}, {"content", std::move(content)}};
    return ev;
}

store::StoredEvent member(const std::string& name, const std::string& who,
                          const std::string& membership, store::Position ordering) {
    return state_event(name, "m.room.member", who, {{"membership", membership}}, ordering);
}

// The room's non-member state, which every answer keeps.
std::vector<store::StoredEvent> base_state() {
    return {state_event("create", "m.room.create", "", {{"creator", "@alice:a.test"}}, 1),
            state_event("pl", "m.room.power_levels", "", json::object(), 3),
            state_event("rules", "m.room.join_rules", "", {{"join_rule", "public"}}, 4)};
}

std::vector<std::string> names(const std::vector<EventId>& ids) {
    // "$name:a.test" -> "$name", to keep the expectations short.
    std::vector<std::string> out;
    for (const auto& i : ids) out.emplace_back(i.str().substr(0, i.str().find(':')));
    return out;
}

const UserId kJoiner = *UserId::parse("@new:d.test");

TEST(SendJoinState, WithoutOmitMembersEverythingStays) {
    auto state = base_state();
    state.push_back(member("m1", "@alice:a.test", "join", 2));
    state.push_back(member("m2", "@bob:b.test", "join", 5));
    state.push_back(member("m3", "@carol:c.test", "leave", 6));
    const auto got = select_join_state(state, kJoiner, /*omit_members=*/false);
    EXPECT_EQ(names(got.state),
              (std::vector<std::string>{"$create", "$pl", "$rules", "$m1", "$m2", "$m3"}));
    EXPECT_FALSE(got.members_omitted);
    // Servers with joined members only: c.test left.
    EXPECT_EQ(got.servers_in_room, (std::vector<std::string>{"a.test", "b.test"}));
}

TEST(SendJoinState, ANamedRoomLosesEveryMemberEvent) {
    auto state = base_state();
    state.push_back(state_event("name", "m.room.name", "", {{"name", "Lobby"}}, 7));
    state.push_back(member("m1", "@alice:a.test", "join", 2));
    state.push_back(member("m2", "@bob:b.test", "join", 5));
    const auto got = select_join_state(state, kJoiner, /*omit_members=*/true);
    EXPECT_EQ(names(got.state), (std::vector<std::string>{"$create", "$pl", "$rules", "$name"}));
    EXPECT_TRUE(got.members_omitted);
    EXPECT_EQ(got.servers_in_room, (std::vector<std::string>{"a.test", "b.test"}));
}

TEST(SendJoinState, AnAliasNamesTheRoomButAnEmptyNameDoesNot) {
    auto with_alias = base_state();
    with_alias.push_back(
        state_event("alias", "m.room.canonical_alias", "", {{"alias", "#l:a.test"}}, 7));
    with_alias.push_back(member("m1", "@alice:a.test", "join", 2));
    EXPECT_EQ(names(select_join_state(with_alias, kJoiner, true).state),
              (std::vector<std::string>{"$create", "$pl", "$rules", "$alias"}));

    auto empty_name = base_state();
    empty_name.push_back(state_event("name", "m.room.name", "", {{"name", ""}}, 7));
    empty_name.push_back(member("m1", "@alice:a.test", "join", 2));
    const auto got = select_join_state(empty_name, kJoiner, true);
    EXPECT_TRUE(std::count(got.state.begin(), got.state.end(), id("m1")));
}

// Unnamed: the first five joined or invited members other than the joiner,
// in stream order, stay; the rest go.
TEST(SendJoinState, AnUnnamedRoomKeepsItsHeroes) {
    auto state = base_state();
    state.push_back(member("late", "@late:b.test", "join", 90));
    state.push_back(member("m1", "@alice:a.test", "join", 2));
    state.push_back(member("gone", "@gone:c.test", "leave", 5));
    state.push_back(member("inv", "@inv:e.test", "invite", 8));
    state.push_back(member("own", kJoiner.str().data(), "invite", 6));
    for (int i = 0; i < 3; ++i)
        state.push_back(member("j" + std::to_string(i), "@u" + std::to_string(i) + ":b.test",
                               "join", 10 + i));
    const auto got = select_join_state(state, kJoiner, true);
    EXPECT_EQ(names(got.state), (std::vector<std::string>{"$create", "$pl", "$rules", "$m1",
                                                          "$inv", "$j0", "$j1", "$j2"}));
    EXPECT_TRUE(got.members_omitted);
    EXPECT_EQ(got.servers_in_room, (std::vector<std::string>{"a.test", "b.test"}));
}

TEST(SendJoinState, WhenEveryoneElseLeftThoseWhoLeftAreTheHeroes) {
    auto state = base_state();
    state.push_back(member("m1", "@alice:a.test", "leave", 2));
    state.push_back(member("m2", "@bob:b.test", "ban", 5));
    const auto got = select_join_state(state, kJoiner, true);
    EXPECT_EQ(names(got.state),
              (std::vector<std::string>{"$create", "$pl", "$rules", "$m1", "$m2"}));
    // Nothing was left out: the joiner has the full state.
    EXPECT_FALSE(got.members_omitted);
    EXPECT_TRUE(got.servers_in_room.empty());
}

TEST(SendJoinState, TheAuthChainLosesWhatTheStateHolds) {
    const auto chain = without_state_events({id("create"), id("m1"), id("pl"), id("m9")},
                                            {id("pl"), id("create"), id("rules")});
    EXPECT_EQ(names(chain), (std::vector<std::string>{"$m1", "$m9"}));
}

}  // namespace
}  // namespace chat::daemon
