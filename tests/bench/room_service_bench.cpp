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
//
// BM_SendMessagesAsync sends the same messages through send_message_async on
// one thread, `in_flight` of them on their way at a time (first argument),
// with no thread blocked per message.

#include <time.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
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

// A store with `room_count` public rooms and `senders` members, sender t in
// room t % room_count.
struct SendSetup {
    SendSetup(int senders, int room_count, store::Synchronous synchronous)
        : dir("chat-room-service-bench") {
        auto opened = store::open_sqlite(dir.file("bench.db"), {.synchronous = synchronous});
        if (!opened) throw std::runtime_error(opened.error().message);
        store = std::move(*opened);
        service = std::make_unique<rooms::RoomService>(
            *store, ServerName::parse("bench.test").value(), crypto::SigningKey::generate("bench"),
            notifier, clock);
        const UserId creator = UserId::parse("@creator:bench.test").value();
        for (int r = 0; r < room_count; ++r) {
            auto room =
                service->create_room({.creator = creator, .preset = rooms::Preset::public_chat});
            if (!room) throw std::runtime_error(room.error().message);
            rooms.push_back(room->room_id);
        }
        for (int t = 0; t < senders; ++t)
            if (!service->join(sender(t), room_of(t))) throw std::runtime_error("join failed");
    }
    const RoomId& room_of(int t) const { return rooms[static_cast<std::size_t>(t) % rooms.size()]; }

    BenchDir dir;
    std::unique_ptr<store::Store> store;
    sync::InProcessNotifier notifier;
    SystemClock clock;
    std::unique_ptr<rooms::RoomService> service;
    std::vector<RoomId> rooms;
};

nlohmann::json message_content(int i) {
    return {{"msgtype", "m.text"}, {"body", "message " + std::to_string(i)}};
}

store::Synchronous synchronous_arg(std::int64_t arg) {
    return arg == 1 ? store::Synchronous::normal : store::Synchronous::full;
}

// Events/s, events per commit and CPU per event of a run that sent `sent`
// events since `before` and `cpu_before`.
void report(benchmark::State& state, const SendSetup& setup, const store::StoreStats& before,
            double cpu_before, std::int64_t sent) {
    const double cpu = process_cpu_seconds() - cpu_before;
    const auto after = setup.store->stats();
    const auto commits = after.commits - before.commits;
    state.SetItemsProcessed(sent);
    state.counters["events_per_commit"] =
        commits == 0 ? 0.0 : static_cast<double>(sent) / static_cast<double>(commits);
    state.counters["largest_batch"] = static_cast<double>(after.largest_batch);
    state.counters["cpu_us_per_event"] = sent == 0 ? 0.0 : cpu * 1e6 / static_cast<double>(sent);
}

void BM_SendMessages(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    const int events = static_cast<int>(state.range(2));
    SendSetup setup(threads, static_cast<int>(state.range(1)), synchronous_arg(state.range(3)));

    const auto before = setup.store->stats();
    const double cpu_before = process_cpu_seconds();
    std::int64_t sent = 0;
    for (auto _ : state) {
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                const UserId me = sender(t);
                const RoomId& room = setup.room_of(t);
                // Thread t sends events/threads messages, the first few one more.
                const int mine = events / threads + (t < events % threads ? 1 : 0);
                for (int i = 0; i < mine; ++i) {
                    auto r = setup.service->send_message(me, room, "m.room.message",
                                                         message_content(i));
                    if (!r) std::abort();
                }
            });
        }
        for (auto& w : workers) w.join();
        sent += events;
    }
    report(state, setup, before, cpu_before, sent);
}

// The same sends through RoomService::send_message_async on this one thread:
// `in_flight` senders each have one message on its way at a time, and each
// completion sends that sender's next. No thread blocks, so nothing is handed
// between threads (an embedder with an event loop, or chatd's DB pool).
void BM_SendMessagesAsync(benchmark::State& state) {
    const int in_flight = static_cast<int>(state.range(0));
    const int events = static_cast<int>(state.range(2));
    SendSetup setup(in_flight, static_cast<int>(state.range(1)), synchronous_arg(state.range(3)));

    const auto before = setup.store->stats();
    const double cpu_before = process_cpu_seconds();
    std::int64_t sent = 0;
    for (auto _ : state) {
        int started = 0;
        int finished = 0;
        std::function<void(int, store::AsyncLead)> send_next = [&](int slot,
                                                                   store::AsyncLead lead) {
            if (started == events) return;
            const int i = started++;
            setup.service->send_message_async(
                sender(slot), setup.room_of(slot), "m.room.message", message_content(i),
                std::nullopt,
                [&, slot](Result<rooms::SentEvent> r) {
                    if (!r) std::abort();
                    ++finished;
                    send_next(slot, store::AsyncLead::now);
                },
                lead);
        };
        // The first messages of every sender queue up; the last one's call
        // runs the batches, and returns once every message is sent.
        for (int slot = 0; slot < in_flight; ++slot)
            send_next(slot, slot + 1 < in_flight ? store::AsyncLead::later : store::AsyncLead::now);
        if (finished != events) std::abort();
        sent += events;
    }
    report(state, setup, before, cpu_before, sent);
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

BENCHMARK(BM_SendMessagesAsync)
    ->ArgNames({"in_flight", "rooms", "events", "synchronous"})
    ->Args({64, 64, 20000, 2})
    ->Args({64, 64, 20000, 1})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
