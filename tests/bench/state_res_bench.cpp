// State resolution on a large room: 10,000 state entries, two branches that conflict on
// 100 of them (target: under 50 ms). Run:
//   build/state-bench/tests/bench/state_res_bench --benchmark_filter=StateRes
//
// The room: alice creates it, sets power levels and public join rules, and 9,996 users
// join. Then it forks. Branch A (alice): a power levels change, 10 bans, and 89 member
// updates; branch B: the same 10 users and the same 89 users update their membership
// (a join with a new display name). Both states keep the other 9,900 entries.
// BM_StateRes: branch A changes the power levels twice, so that the auth difference
// holds an event of no state and every unconflicted event must be read (the slow path).
// BM_StateResOnePowerChange: once, so the auth difference is settled early.
// BM_CopyState: copying and freeing one 10,000-entry state, the floor of any resolution
// (its result is such a map).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <chat/events/room_version.hpp>
#include <chat/state/state_res.hpp>

#include "support/event_builder.hpp"

namespace {

using namespace chat;

constexpr int kMembers = 9996;     // + create, alice, power levels, join rules = 10,000
constexpr int kBans = 10;          // power events among the 100 conflicts
constexpr int kUpdates = 89;       // plain member conflicts; + 1 power levels change

class MapSource : public state::EventSource {
public:
    void add(const PduPtr& e) { events_.emplace(std::string(e->event_id().str()), e); }
    PduPtr get(const EventId& id) const override {
        auto it = events_.find(id.str());
        return it == events_.end() ? nullptr : it->second;
    }
    bool is_rejected(const EventId&) const override { return false; }

private:
    // Looked up by string_view, as a store's event cache would be, without copying ids.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, PduPtr, Hash, std::equal_to<>> events_;
};

std::string user(int i) { return "@user" + std::to_string(i) + ":example.com"; }

struct Room {
    MapSource source;
    std::vector<StateMap> states;
};

// A linear branch of events, tracking its state and auth events as it grows.
class Branch {
public:
    Branch(const RoomVersion& version, MapSource& source) : version_(&version), source_(&source) {}

    PduPtr add(test::EventSpec spec) {
        if (!version_->room_id_is_create_event_hash && spec.type != "m.room.create")
            spec.auth_events.insert(spec.auth_events.begin(), at("m.room.create", ""));
        if (last_) spec.prev_events = {last_};
        if (!version_->room_id_is_create_event_hash) spec.room_id = "!bench:example.com";
        spec.origin_server_ts = ++ts_;
        PduPtr e = test::build_event(*version_, spec);
        source_->add(e);
        by_id_.emplace(std::string(e->event_id().str()), e);
        state_.insert_or_assign(state_key(e->type(), *e->state_key()), e->event_id());
        last_ = e;
        return e;
    }

    // The event at a key of the branch's state, or null.
    PduPtr at(const std::string& type, const std::string& key) const {
        auto it = state_.find(state_key(type, key));
        if (it == state_.end()) return nullptr;
        return by_id_.at(std::string(it->second.str()));
    }

    // A member event with its auth events (§9): power levels, sender's and target's
    // membership, join rules for joins.
    PduPtr member(const std::string& sender, const std::string& target,
                  const nlohmann::json& content) {
        test::EventSpec spec{.type = "m.room.member", .sender = sender, .state_key = target,
                             .content = content};
        for (auto e : {at("m.room.power_levels", ""), at("m.room.member", sender),
                       sender == target ? nullptr : at("m.room.member", target),
                       content.value("membership", "") == "join" ? at("m.room.join_rules", "")
                                                                  : nullptr}) {
            if (e) spec.auth_events.push_back(e);
        }
        return add(std::move(spec));
    }

    const StateMap& state() const { return state_; }

private:
    const RoomVersion* version_;
    MapSource* source_;
    StateMap state_;
    std::map<std::string, PduPtr> by_id_;
    PduPtr last_;
    std::int64_t ts_ = 1000;
};

std::unique_ptr<Room> build_room(const RoomVersion& version, int power_changes) {
    auto room = std::make_unique<Room>();
    Branch base(version, room->source);
    const std::string alice = "@alice:example.com";
    nlohmann::json create = {{"room_version", std::string(version.id)}};
    if (version.creator_in_create) create["creator"] = alice;
    base.add({.type = "m.room.create", .sender = alice, .state_key = "", .content = create});
    base.member(alice, alice, {{"membership", "join"}});
    nlohmann::json users = nlohmann::json::object();
    if (!version.creators_have_infinite_power) users[alice] = 100;
    base.add({.type = "m.room.power_levels", .sender = alice, .state_key = "",
              .content = {{"users", users}},
              .auth_events = {base.at("m.room.member", alice)}});
    base.add({.type = "m.room.join_rules", .sender = alice, .state_key = "",
              .content = {{"join_rule", "public"}},
              .auth_events = {base.at("m.room.power_levels", ""),
                              base.at("m.room.member", alice)}});
    for (int i = 1; i <= kMembers; ++i) base.member(user(i), user(i), {{"membership", "join"}});

    Branch a = base;
    Branch b = base;
    // With two power levels changes, the first is in branch A's auth chains only and in
    // no state, so deciding the auth difference reads every unconflicted event.
    for (int change = 0; change < power_changes; ++change) {
        users[user(1)] = 50 + change;
        a.add({.type = "m.room.power_levels", .sender = alice, .state_key = "",
               .content = {{"users", users}},
               .auth_events = {a.at("m.room.power_levels", ""), a.at("m.room.member", alice)}});
    }
    for (int i = 2; i < 2 + kBans; ++i) {
        a.member(alice, user(i), {{"membership", "ban"}});
        b.member(user(i), user(i), {{"membership", "join"}, {"displayname", "b"}});
    }
    for (int i = 2 + kBans; i < 2 + kBans + kUpdates; ++i) {
        a.member(user(i), user(i), {{"membership", "join"}, {"displayname", "a"}});
        b.member(user(i), user(i), {{"membership", "join"}, {"displayname", "b"}});
    }
    room->states = {a.state(), b.state()};
    return room;
}

const Room& room_for(const RoomVersion& version, int power_changes) {
    static std::map<std::pair<std::string, int>, std::unique_ptr<Room>> rooms;
    auto& room = rooms[{std::string(version.id), power_changes}];
    if (!room) room = build_room(version, power_changes);
    return *room;
}

void run(benchmark::State& bench, const RoomVersion& version, const Room& room) {
    std::size_t conflicts = 0;
    for (const auto& [key, id] : room.states[0]) {
        auto it = room.states[1].find(key);
        if (it == room.states[1].end() || it->second != id) ++conflicts;
    }
    for (auto _ : bench) {
        auto resolved = state::resolve(version, room.states, room.source);
        if (!resolved) {
            bench.SkipWithError(resolved.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(resolved->size());
    }
    bench.counters["state_entries"] = static_cast<double>(room.states[0].size());
    bench.counters["conflicts"] = static_cast<double>(conflicts);
}

void BM_StateRes(benchmark::State& bench, const RoomVersion* version) {
    run(bench, *version, room_for(*version, 2));
}

void BM_StateResOnePowerChange(benchmark::State& bench, const RoomVersion* version) {
    run(bench, *version, room_for(*version, 1));
}

void BM_CopyState(benchmark::State& bench) {
    const Room& room = room_for(RoomVersion::v11, 2);
    for (auto _ : bench) {
        StateMap copy = room.states[0];
        benchmark::DoNotOptimize(copy.size());
    }
}

BENCHMARK_CAPTURE(BM_StateRes, v1, &RoomVersion::v1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StateRes, v2_room11, &RoomVersion::v11)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StateRes, v2_1_room12, &RoomVersion::v12)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StateResOnePowerChange, v2_room11, &RoomVersion::v11)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StateResOnePowerChange, v2_1_room12, &RoomVersion::v12)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CopyState)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
