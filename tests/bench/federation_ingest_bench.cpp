// Inbound federation throughput (issue 9 point 9): PDUs from another server
// taken through every check a /send transaction runs on them (parse and
// format for the room version, event id hash, Ed25519 signature of the
// sending server, content hash, the authorization rules against the auth
// events, the state before and the current state) and persisted with their
// state groups, extremities and push actions, into an SQLite file store with
// its defaults (WAL, synchronous=FULL, group commit).
//
//   build/bench/tests/bench/federation_ingest_bench
//
// Arguments: receiving threads, rooms, PDUs per room, PDUs per write
// transaction (1: EventIngest::accept per PDU; 50: accept_many per /send). Server A (its own
// store) creates the rooms and the messages beforehand; server B has joined
// each room through the send_join path. Thread t takes rooms t, t+T, ... and
// feeds each room's PDUs in order, as one /send per origin does. The HTTP
// hop and the key fetch (cached after the first PDU) are not included.
// Target: at least 5,000 PDUs/s on 2 cores.

#include <time.h>

#include <atomic>
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
#include <chat/ingest/event_ingest.hpp>
#include <chat/ingest/pdu_checks.hpp>
#include <chat/rooms/event_builder.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/notifier.hpp>

#include "bench_support.hpp"

namespace {

using namespace chat;
using nlohmann::json;

using bench::BenchDir;
using bench::process_cpu_seconds;

template <typename T>
T must(Result<T> r, const char* what) {
    if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message);
    return std::move(*r);
}

struct Server {
    Server(const std::string& file, const char* server_name)
        : name(ServerName::parse(server_name).value()), key(crypto::SigningKey::generate("b1")) {
        store = must(store::open_sqlite(file), "open");
        rooms = std::make_unique<rooms::RoomService>(*store, name, key, notifier, clock);
        ingest = std::make_unique<ingest::EventIngest>(*store, name, notifier, clock);
    }
    ServerName name;
    crypto::SigningKey key;
    sync::InProcessNotifier notifier;
    SystemClock clock;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<rooms::RoomService> rooms;
    std::unique_ptr<ingest::EventIngest> ingest;
};

// B joins A's room `room` as `user`, through the make_join / send_join path.
void join(Server& a, Server& b, const RoomId& room, const UserId& user) {
    auto tmpl = must(a.store->read("t",
                                   [&](store::ReadTxn& t) {
                                       return rooms::build_template(
                                           t,
                                           {.sender = user,
                                            .room_id = room,
                                            .type = "m.room.member",
                                            .state_key = std::string(user.str()),
                                            .content = {{"membership", "join"}}},
                                           a.name, a.clock.now_ms());
                                   }),
                     "template");
    auto pdu = must(rooms::sign_template(tmpl.event, *tmpl.version, b.name, b.key), "sign");
    must(a.ingest->accept(pdu), "accept join");
    std::vector<PduPtr> state, chain;
    auto read = a.store->read("sj", [&](store::ReadTxn& t) -> Result<void> {
        auto group = t.state().group_before(pdu->event_id());
        if (!group || !*group) return make_error(Errc::internal, "no group");
        auto map = t.state().state_at(**group);
        if (!map) return map.error();
        std::vector<EventId> ids;
        for (const auto& [k, id] : *map) ids.push_back(id);
        auto rows = t.events().get_many(ids);
        if (!rows) return rows.error();
        for (const auto& r : *rows) state.push_back(r.to_pdu().value());
        ids.push_back(pdu->event_id());
        auto chain_ids = t.events().auth_chain(ids);
        if (!chain_ids) return chain_ids.error();
        auto chain_rows = t.events().get_many(*chain_ids);
        if (!chain_rows) return chain_rows.error();
        for (const auto& r : *chain_rows) chain.push_back(r.to_pdu().value());
        return ok();
    });
    if (!read) throw std::runtime_error(read.error().message);
    must(b.ingest->accept_join(pdu, state, chain), "accept_join");
}

void BM_IngestPdus(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    const int room_count = static_cast<int>(state.range(1));
    const int per_room = static_cast<int>(state.range(2));
    // PDUs per write transaction: 1 is accept() per PDU; 50 is a full /send
    // taken by accept_many(), as the daemon's /send handler does.
    const int batch_size = static_cast<int>(state.range(3));
    BenchDir dir("chat-federation-ingest-bench");
    Server a(dir.file("a.db"), "a.bench");
    Server b(dir.file("b.db"), "b.bench");
    const UserId alice = UserId::parse("@alice:a.bench").value();
    const UserId bob = UserId::parse("@bob:b.bench").value();

    // What A sends: each room's messages, as JSON, in order.
    std::vector<RoomId> room_ids;
    std::vector<std::vector<json>> pdus(static_cast<std::size_t>(room_count));
    for (int r = 0; r < room_count; ++r) {
        auto created = must(a.rooms->create_room({.creator = alice, .preset = rooms::Preset::public_chat}),
                            "create");
        join(a, b, created.room_id, bob);
        room_ids.push_back(created.room_id);
        for (int i = 0; i < per_room; ++i) {
            auto sent = must(a.rooms->send_message(alice, created.room_id, "m.room.message",
                                                   {{"msgtype", "m.text"},
                                                    {"body", "message " + std::to_string(i)}}),
                             "send");
            pdus[static_cast<std::size_t>(r)].push_back(sent.event->json());
        }
    }
    const crypto::VerifyKey a_key = a.key.verify_key();
    const ingest::KeyLookup keys = [&](const ServerName& server,
                                       std::string_view key_id) -> std::optional<crypto::VerifyKey> {
        if (server == a.name && key_id == a_key.key_id()) return a_key;
        return std::nullopt;
    };
    const RoomVersion& version = RoomVersion::default_version();

    for (auto _ : state) {
        const double cpu_before = process_cpu_seconds();
        std::vector<std::thread> workers;
        std::atomic<int> failures = 0;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                std::vector<PduPtr> batch;
                const auto flush = [&] {
                    if (batch.empty()) return;
                    if (batch_size == 1) {
                        auto accepted = b.ingest->accept(batch.front());
                        if (!accepted || accepted->status != ingest::IngestStatus::persisted)
                            ++failures;
                    } else {
                        for (const auto& accepted : b.ingest->accept_many(batch))
                            if (!accepted || accepted->status != ingest::IngestStatus::persisted)
                                ++failures;
                    }
                    batch.clear();
                };
                for (int r = t; r < room_count; r += threads) {
                    for (const auto& event : pdus[static_cast<std::size_t>(r)]) {
                        auto parsed = Pdu::from_json(event, version);
                        if (!parsed) { ++failures; continue; }
                        auto pdu = std::make_shared<const Pdu>(std::move(*parsed));
                        if (!ingest::check_signatures(*pdu, keys)) { ++failures; continue; }
                        auto kept = ingest::with_checked_hash(pdu);
                        if (!kept) { ++failures; continue; }
                        batch.push_back(std::move(*kept));
                        if (static_cast<int>(batch.size()) >= batch_size) flush();
                    }
                    flush();
                }
            });
        }
        for (auto& w : workers) w.join();
        const double cpu = process_cpu_seconds() - cpu_before;
        if (failures > 0) state.SkipWithError("some PDUs were not persisted");
        const double total = static_cast<double>(room_count) * per_room;
        state.counters["cpu_us_per_pdu"] = cpu / total * 1e6;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(room_count) * per_room);
}

// Each run builds its own two stores; one iteration is one full ingest.
BENCHMARK(BM_IngestPdus)
    ->ArgNames({"threads", "rooms", "per_room", "batch"})
    ->Args({1, 1, 2000, 1})
    ->Args({2, 8, 500, 1})
    ->Args({8, 64, 100, 1})
    ->Args({1, 1, 2000, 50})
    ->Args({2, 2, 2000, 50})
    ->Args({2, 8, 500, 50})
    ->Args({8, 64, 100, 50})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
