// Authorization of one event (chat::auth::check) against a realistic auth
// state: create, power levels naming 20 users at various levels, public join
// rules and 200 joined members. Three cases: a message, a join by a newcomer,
// and a kick of a member by a moderator (the power levels comparison path).
// The AuthState is built once; each iteration runs the rules alone.
//
//   build/bench/tests/bench/auth_bench

#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <chat/auth/auth_rules.hpp>
#include <chat/events/room_version.hpp>

#include "support/room_builder.hpp"

namespace {

using namespace chat;

constexpr int kMembers = 200;
constexpr int kPowerUsers = 20;

std::string user(int i) { return "@user" + std::to_string(i) + ":example.com"; }
const std::string kAlice = "@alice:example.com";

// Room versions by benchmark argument: 10 (integer power levels, creator in
// the power levels) and 12 (creators have infinite power).
const RoomVersion& version_of(std::int64_t arg) {
    return arg == 12 ? RoomVersion::v12 : RoomVersion::v10;
}

test::RoomBuilder build_room(const RoomVersion& version) {
    nlohmann::json users = nlohmann::json::object();
    for (int i = 0; i < kPowerUsers; ++i) users[user(i)] = i < 5 ? 50 : 10 + i;
    // v12 creators have infinite power and are not listed.
    if (!version.creators_have_infinite_power) users[kAlice] = 100;
    test::RoomBuilder room(version);
    room.standard_room(kAlice, "public",
                       {{"users", users}, {"events", {{"m.room.name", 50}, {"m.room.topic", 50}}},
                        {"kick", 50}, {"ban", 50}, {"redact", 50}, {"state_default", 50}});
    for (int i = 0; i < kMembers; ++i) room.join(user(i));
    return room;
}

void run(benchmark::State& state, const test::RoomBuilder& room, const PduPtr& event) {
    const auth::AuthState auth_state = room.current_state();
    // Refused events would measure the wrong path: make sure this one passes.
    if (auto verdict = auth::check(*event, auth_state); !verdict) {
        state.SkipWithError(verdict.error().message.c_str());
        return;
    }
    for (auto _ : state) {
        auto verdict = auth::check(*event, auth_state);
        benchmark::DoNotOptimize(verdict);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_AuthMessage(benchmark::State& state) {
    auto room = build_room(version_of(state.range(0)));
    run(state, room, room.draft_message(user(kMembers - 1)));
}

void BM_AuthJoin(benchmark::State& state) {
    auto room = build_room(version_of(state.range(0)));
    run(state, room, room.draft_membership("@newcomer:other.example", "join"));
}

void BM_AuthKick(benchmark::State& state) {
    auto room = build_room(version_of(state.range(0)));
    // user1 (level 50) kicks user150 (level 0).
    run(state, room, room.draft_membership(user(150), "leave", user(1)));
}

BENCHMARK(BM_AuthMessage)->ArgName("room_version")->Arg(10)->Arg(12);
BENCHMARK(BM_AuthJoin)->ArgName("room_version")->Arg(10)->Arg(12);
BENCHMARK(BM_AuthKick)->ArgName("room_version")->Arg(10)->Arg(12);

}  // namespace

BENCHMARK_MAIN();
