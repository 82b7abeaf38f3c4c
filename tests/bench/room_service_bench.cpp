// End-to-end send throughput: message events built, signed, authorized and
// persisted by RoomService::send_message into an SQLite file store with its
// defaults (WAL, synchronous=FULL: each commit is an fsync, so an acknowledged
// event survives a process kill; group commit of concurrent writers).
// Target (issue 3): at least 20,000 message events/s on one core; run it
// under `taskset -c 0` for that.
//
//   build/bench/tests/bench/room_service_bench
//   taskset -c 0 build/bench/tests/bench/room_service_bench
//
// Arguments: sender threads, rooms (1: every thread sends into one room, N:
// thread t into room t % N), events per run, and synchronous: 2 (FULL, the
// store's default: a commit is on disk before it is acknowledged, so it
// survives a power cut) or 1 (NORMAL: in WAL mode a commit is in the
// operating system's hands before it is acknowledged, so it survives a kill
// of the process, which is the bar issue 3 sets; a power cut may lose the
// last commits, never the database's consistency). Each sender is a member of its
// room. The database lives in a fresh directory under $TMPDIR. Besides
// events/s (items_per_second) it reports events per commit and the CPU time
// of all threads per event (cpu_us_per_event), which a busy machine inflates
// less than wall time.

#include <time.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <chat/core/clock.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "bench_support.hpp"

namespace {

using namespace chat;

using bench::BenchDir;
using bench::process_cpu_seconds;

UserId sender(int t) { return UserId::parse("@sender" + std::to_string(t) + ":bench.test").value(); }

void BM_SendMessages(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    const int room_count = static_cast<int>(state.range(1));
    const int events = static_cast<int>(state.range(2));
    const auto synchronous =
        state.range(3) == 1 ? store::Synchronous::normal : store::Synchronous::full;
    BenchDir dir("chat-room-service-bench");
    auto opened = store::open_sqlite(dir.file("bench.db"), {.synchronous = synchronous});
    if (!opened) throw std::runtime_error(opened.error().message);
    std::unique_ptr<store::Store> store = std::move(*opened);
    sync::InProcessNotifier notifier;
    SystemClock clock;
    rooms::RoomService service(*store, ServerName::parse("bench.test").value(),
                               crypto::SigningKey::generate("bench"), notifier, clock);

    const UserId creator = UserId::parse("@creator:bench.test").value();
    std::vector<RoomId> rooms;
    for (int r = 0; r < room_count; ++r) {
        auto room = service.create_room({.creator = creator, .preset = rooms::Preset::public_chat});
        if (!room) throw std::runtime_error(room.error().message);
        rooms.push_back(room->room_id);
    }
    for (int t = 0; t < threads; ++t)
        if (!service.join(sender(t), rooms[static_cast<std::size_t>(t % room_count)]))
            throw std::runtime_error("join failed");

    const auto before = store->stats();
    const double cpu_before = process_cpu_seconds();
    std::int64_t sent = 0;
    for (auto _ : state) {
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                const UserId me = sender(t);
                const RoomId& room = rooms[static_cast<std::size_t>(t % room_count)];
                // Thread t sends events/threads messages, the first few one more.
                const int mine = events / threads + (t < events % threads ? 1 : 0);
                for (int i = 0; i < mine; ++i) {
                    auto r = service.send_message(
                        me, room, "m.room.message",
                        {{"msgtype", "m.text"}, {"body", "message " + std::to_string(i)}});
                    if (!r) std::abort();
                }
            });
        }
        for (auto& w : workers) w.join();
        sent += events;
    }
    const double cpu = process_cpu_seconds() - cpu_before;
    const auto after = store->stats();
    const auto commits = after.commits - before.commits;
    state.SetItemsProcessed(sent);
    state.counters["events_per_commit"] =
        commits == 0 ? 0.0 : static_cast<double>(sent) / static_cast<double>(commits);
    state.counters["largest_batch"] = static_cast<double>(after.largest_batch);
    state.counters["cpu_us_per_event"] = sent == 0 ? 0.0 : cpu * 1e6 / static_cast<double>(sent);
}

// One iteration per run: the rooms grow with every event, so repeating
// iterations would measure ever larger rooms; use --benchmark_repetitions.
BENCHMARK(BM_SendMessages)
    ->ArgNames({"threads", "rooms", "events", "synchronous"})
    ->Args({1, 1, 500, 2})       // one sender: one event per fsync
    ->Args({16, 1, 10000, 2})    // one busy room
    ->Args({64, 1, 20000, 2})
    ->Args({256, 1, 40000, 2})
    ->Args({64, 64, 20000, 2})   // many rooms
    ->Args({256, 64, 40000, 2})
    ->Args({1, 1, 500, 1})       // durable against a process kill only
    ->Args({64, 64, 20000, 1})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
