// Persist throughput of the SQLite store with synchronous=FULL (every commit
// is an fsync): message events with their prev/auth edges, state group
// mapping, forward extremities and an events stream position, written the
// way a room service does. Compares one event per commit with group commit.
//
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_BENCH=ON
//         -DCHAT_BUILD_DAEMON=OFF -DCHAT_BUILD_TESTS=OFF
//   cmake --build build/bench --target store_bench
//   build/bench/tests/bench/store_bench
//
// BM_AuthChain: the auth chain of a room's whole state, as send_join and
// /state answer it, walked through auth_events in the stored JSON (migration
// 0170): a room of N members, each join citing create, power levels, join
// rules and nothing else.
//
// Arguments: writer threads, events per thread, max_batch (1 disables
// grouping). Each thread writes to its own room. The database lives in a
// fresh directory under $TMPDIR (put it on the disk you want to measure).

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include <chat/store/sqlite.hpp>
#include <chat/store/store.hpp>

#include "bench_support.hpp"
#include "support/event_builder.hpp"

namespace {

using namespace chat;

using bench::BenchDir;

// One room per writer: its create event and a chain of messages.
struct RoomEvents {
    PduPtr create;
    std::vector<PduPtr> messages;
    store::StateGroupId group = 0;
};

RoomEvents build_room(int index, int messages) {
    const auto& v = RoomVersion::v10;
    RoomEvents room;
    const std::string sender = "@user" + std::to_string(index) + ":bench.test";
    room.create = test::build_event(
        v, {.type = "m.room.create", .sender = sender, .state_key = "",
            .content = {{"room_version", "10"}, {"creator", sender}},
            .room_id = "!room" + std::to_string(index) + ":bench.test", .origin_server_ts = 1});
    PduPtr prev = room.create;
    for (int i = 0; i < messages; ++i) {
        prev = test::build_event(
            v, {.type = "m.room.message", .sender = sender,
                .content = {{"msgtype", "m.text"}, {"body", "message number " + std::to_string(i)}},
                .prev_events = {prev}, .auth_events = {room.create},
                .origin_server_ts = 2 + i});
        room.messages.push_back(prev);
    }
    return room;
}

// The write for one new message event (see tests/unit/libchat/store/store_test_support.hpp).
Result<store::Position> persist_message(store::WriteTxn& txn, const PduPtr& pdu,
                                        store::StateGroupId group) {
    auto persisted = txn.events().persist({.pdu = pdu,
                                           .received_ts = pdu->origin_server_ts(),
                                           .state_group_before = group,
                                           .state_group_after = group});
    if (!persisted) return persisted.error();
    auto ext = txn.extremities().add_event(pdu->room_id(), pdu->event_id(), pdu->prev_events());
    if (!ext) return ext.error();
    return persisted->stream_ordering;
}

std::unique_ptr<store::Store> open(const BenchDir& dir, std::size_t max_batch) {
    auto store = store::open_sqlite(dir.file("bench.db"), {.synchronous = store::Synchronous::full,
                                                 .max_batch = max_batch});
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
}

void set_up_rooms(store::Store& store, std::vector<RoomEvents>& rooms) {
    for (auto& room : rooms) {
        auto group = store.write("create", [&](store::WriteTxn& t) -> Result<store::StateGroupId> {
            std::vector<store::StateDeltaEntry> state = {
                {StateKey{"m.room.create", ""}, room.create->event_id()}};
            auto g = t.state().create_group(room.create->room_id(), std::nullopt, state);
            if (!g) return g.error();
            auto p = t.events().persist({.pdu = room.create, .state_group_after = *g});
            if (!p) return p.error();
            auto e = t.extremities().add_event(room.create->room_id(), room.create->event_id(), {});
            if (!e) return e.error();
            return *g;
        });
        if (!group) throw std::runtime_error(group.error().message);
        room.group = *group;
    }
}

void report(benchmark::State& state, const store::StoreStats& before,
            const store::StoreStats& after, std::int64_t events) {
    const auto commits = after.commits - before.commits;
    state.SetItemsProcessed(events);
    state.counters["commits"] = static_cast<double>(commits);
    state.counters["events_per_commit"] =
        commits == 0 ? 0.0 : static_cast<double>(events) / static_cast<double>(commits);
    state.counters["largest_batch"] = static_cast<double>(after.largest_batch);
}

// N threads, each calling Store::write once per event (leader/follower group commit).
void BM_PersistWrites(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    const int per_thread = static_cast<int>(state.range(1));
    const auto max_batch = static_cast<std::size_t>(state.range(2));
    std::vector<RoomEvents> rooms;
    for (int t = 0; t < threads; ++t) rooms.push_back(build_room(t, per_thread));
    BenchDir dir("chat-store-bench");
    auto store = open(dir, max_batch);
    set_up_rooms(*store, rooms);
    const auto before = store->stats();
    std::int64_t events = 0;
    for (auto _ : state) {
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                for (const auto& pdu : rooms[t].messages) {
                    auto r = store->write("persist_message", [&](store::WriteTxn& txn) {
                        return persist_message(txn, pdu, rooms[t].group);
                    });
                    if (!r) std::abort();
                }
            });
        }
        for (auto& w : workers) w.join();
        events += static_cast<std::int64_t>(threads) * per_thread;
    }
    report(state, before, store->stats(), events);
}

// One thread submitting explicit batches (a daemon's DB thread).
void BM_PersistWriteBatch(benchmark::State& state) {
    const int total = static_cast<int>(state.range(0));
    const int batch_size = static_cast<int>(state.range(1));
    std::vector<RoomEvents> rooms = {build_room(0, total)};
    BenchDir dir("chat-store-bench");
    auto store = open(dir, 1);
    set_up_rooms(*store, rooms);
    const auto before = store->stats();
    std::int64_t events = 0;
    for (auto _ : state) {
        for (int start = 0; start < total; start += batch_size) {
            std::vector<store::WriteJob> jobs;
            for (int i = start; i < std::min(total, start + batch_size); ++i) {
                const PduPtr& pdu = rooms[0].messages[static_cast<std::size_t>(i)];
                jobs.push_back({"persist_message", [&, pdu](store::WriteTxn& txn) -> Result<void> {
                                    auto r = persist_message(txn, pdu, rooms[0].group);
                                    if (!r) return r.error();
                                    return ok();
                                }});
            }
            for (const auto& r : store->write_batch(jobs))
                if (!r) std::abort();
        }
        events += total;
    }
    report(state, before, store->stats(), events);
}

void BM_AuthChain(benchmark::State& state) {
    const int members = static_cast<int>(state.range(0));
    const auto& v = RoomVersion::v10;
    const std::string creator = "@creator:bench.test";
    std::vector<PduPtr> events;
    auto create = test::build_event(
        v, {.type = "m.room.create", .sender = creator, .state_key = "",
            .content = {{"room_version", "10"}, {"creator", creator}},
            .room_id = "!big:bench.test", .origin_server_ts = 1});
    auto join = test::build_event(v, {.type = "m.room.member", .sender = creator,
                                      .state_key = creator, .content = {{"membership", "join"}},
                                      .prev_events = {create}, .auth_events = {create},
                                      .origin_server_ts = 2});
    auto pl = test::build_event(v, {.type = "m.room.power_levels", .sender = creator,
                                    .state_key = "", .content = {{"users", {{creator, 100}}}},
                                    .prev_events = {join}, .auth_events = {create, join},
                                    .origin_server_ts = 3});
    auto rules = test::build_event(v, {.type = "m.room.join_rules", .sender = creator,
                                       .state_key = "", .content = {{"join_rule", "public"}},
                                       .prev_events = {pl}, .auth_events = {create, join, pl},
                                       .origin_server_ts = 4});
    events = {create, join, pl, rules};
    for (int i = 0; i < members; ++i) {
        const std::string user = "@member" + std::to_string(i) + ":bench.test";
        events.push_back(test::build_event(
            v, {.type = "m.room.member", .sender = user, .state_key = user,
                .content = {{"membership", "join"}}, .prev_events = {events.back()},
                .auth_events = {create, pl, rules}, .origin_server_ts = 5 + i}));
    }
    BenchDir dir("chat-store-bench");
    auto store = open(dir, 256);
    auto stored = store->write("persist_room", [&](store::WriteTxn& t) -> Result<void> {
        for (const auto& pdu : events)
            if (auto p = t.events().persist({.pdu = pdu}); !p) return p.error();
        return ok();
    });
    if (!stored) throw std::runtime_error(stored.error().message);
    std::vector<EventId> state_ids;
    for (const auto& pdu : events)
        if (pdu->is_state()) state_ids.push_back(pdu->event_id());

    std::size_t chain_size = 0;
    for (auto _ : state) {
        auto chain = store->read("auth_chain", [&](store::ReadTxn& t) {
            return t.events().auth_chain(state_ids);
        });
        if (!chain) throw std::runtime_error(chain.error().message);
        chain_size = chain->size();
    }
    // create, join, pl, rules: everything the state cites.
    if (chain_size != 4) throw std::runtime_error("unexpected auth chain size");
    state.counters["state_events"] = static_cast<double>(state_ids.size());
}

// Each iteration persists a fixed set of pre-built events once (persisting
// twice would be a no-op), so one iteration per run.
BENCHMARK(BM_PersistWrites)
    ->ArgNames({"threads", "events_per_thread", "max_batch"})
    ->Args({1, 1000, 256})   // alone: one event per commit
    ->Args({8, 250, 1})      // 8 writers, grouping off: one event per commit
    ->Args({8, 250, 256})    // 8 writers, group commit
    ->Args({32, 100, 256})   // 32 writers, group commit
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_AuthChain)
    ->ArgNames({"members"})
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_PersistWriteBatch)
    ->ArgNames({"events", "batch"})
    ->Args({4000, 100})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
