// The floor under issue 3's send target: what the parts that no design of a
// Matrix homeserver on our mandated dependencies can skip cost per message
// event on this machine, each measured alone, with none of our store's or
// room service's own work around them.
//
//   build/bench/tests/bench/floor_bench
//   taskset -c 0 build/bench/tests/bench/floor_bench
//
// Every sent event must be (§6.4 of the spec digest) hashed, signed with
// Ed25519 and given its id from a hash of the redacted canonical form; it
// must be put into canonical JSON for that, and stored so that it can be
// found by id and read in stream order. So the floor is:
//
//   BM_CanonicalJson   nlohmann::json -> canonical JSON of a typical message
//                      event (it is needed twice: content hash, signed bytes)
//   BM_Sha256          chat::crypto::sha256 (OpenSSL's, with the CPU's SHA
//                      extensions) of those bytes, once (it is needed twice:
//                      content hash, reference hash = event id)
//   BM_Sha256Sodium    libsodium's portable SHA-256 of the same bytes, which
//                      crypto::sha256 used until session 10
//   BM_Ed25519Sign     libsodium crypto_sign_detached of those bytes
//   BM_SignEvent       ours: all of the above as RoomService pays it
//   BM_SqliteAppend    raw sqlite3: one row per event into a table with the
//                      stream position as rowid and a UNIQUE event id, the
//                      least any store can keep, in WAL mode, batches of
//                      `batch` events per commit, synchronous FULL (2) or
//                      NORMAL (1), on one thread (no group-commit hand-off)
//
// BM_SqliteAppend reports cpu_us_per_event: the process's CPU time (user and
// system: the WAL writes and fsyncs are system time) per event, which is what
// "on one core" spends. The database lives in a fresh directory under $TMPDIR.
// 20,000 events/s on one core is a budget of 50 us of CPU per event.

#include <sodium.h>
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <chat/crypto/sha256.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/events/event_hashes.hpp>
#include <chat/events/room_version.hpp>
#include <chat/json/canonical.hpp>

#include "bench_support.hpp"

namespace {

using namespace chat;
using Json = nlohmann::json;

// A message event as RoomService builds it in a v12 room: three auth events
// (power levels, sender's membership, create is implied in v12), one prev
// event, hashes and our signature to come.
Json message_event() {
    return {
        {"room_id", "!6b9PVpeKQ2Mq5YqCyJHf0h8fqjBtVq4uEZq2T1d1nJw"},
        {"sender", "@sender12:bench.test"},
        {"type", "m.room.message"},
        {"content", {{"msgtype", "m.text"}, {"body", "message 1234"}}},
        {"origin_server_ts", 1795000000000},
        {"depth", 1234},
        {"prev_events", {"$Xw0yYlYkN5rVJ8ZB8s3Q1tq9Gg2vE2cN7Jt4mJ5d3aE"}},
        {"auth_events",
         {"$pQ3nEw1JY7cR0fH2m9bXkq8Z4sV6tT1uL5oD8aG2yWc",
          "$Jd4kL8pS2vN6qR0tX3zB7cF1hM5wY9eA4gI8uO2sK6m"}},
        {"hashes", Json::object()},
        {"signatures", Json::object()},
    };
}

void BM_CanonicalJson(benchmark::State& state) {
    const Json event = message_event();
    for (auto _ : state) {
        auto bytes = chat::json::canonical_json(event);
        if (!bytes) throw std::runtime_error("canonical_json");
        benchmark::DoNotOptimize(bytes->data());
    }
}

void BM_Sha256(benchmark::State& state) {
    const std::string bytes = chat::json::canonical_json(message_event()).value();
    for (auto _ : state) {
        std::string digest = chat::crypto::sha256(bytes);
        benchmark::DoNotOptimize(digest);
    }
    state.counters["bytes"] = static_cast<double>(bytes.size());
}

void BM_Sha256Sodium(benchmark::State& state) {
    const std::string bytes = chat::json::canonical_json(message_event()).value();
    unsigned char digest[crypto_hash_sha256_BYTES];
    for (auto _ : state) {
        crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()),
                           bytes.size());
        benchmark::DoNotOptimize(digest);
    }
    state.counters["bytes"] = static_cast<double>(bytes.size());
}

void BM_Ed25519Sign(benchmark::State& state) {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init");
    const std::string bytes = chat::json::canonical_json(message_event()).value();
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    unsigned char sig[crypto_sign_BYTES];
    for (auto _ : state) {
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(bytes.data()),
                             bytes.size(), sk);
        benchmark::DoNotOptimize(sig);
    }
}

void BM_SignEvent(benchmark::State& state) {
    const auto key = crypto::SigningKey::generate("bench");
    const Json event = message_event();
    std::string id;
    for (auto _ : state) {
        Json copy = event;
        if (!sign_event(copy, "bench.test", key, RoomVersion::v12, &id))
            throw std::runtime_error("sign_event");
        benchmark::DoNotOptimize(id.data());
    }
}

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

void BM_SqliteAppend(benchmark::State& state) {
    const int batch = static_cast<int>(state.range(0));
    const bool full = state.range(1) == 2;
    const int events = static_cast<int>(state.range(2));
    bench::BenchDir dir("chat-floor-bench");
    sqlite3* db = nullptr;
    check(sqlite3_open(dir.file("floor.db").c_str(), &db), db, "open");
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    exec(db,
         "CREATE TABLE events (stream_ordering INTEGER PRIMARY KEY, "
         "event_id TEXT NOT NULL UNIQUE, json TEXT NOT NULL)");
    sqlite3_stmt* insert = nullptr;
    check(sqlite3_prepare_v3(db, "INSERT INTO events(stream_ordering, event_id, json) VALUES (?,?,?)",
                             -1, SQLITE_PREPARE_PERSISTENT, &insert, nullptr),
          db, "prepare");

    // A signed event's JSON, as stored (about 700 bytes), and ids as random
    // as real ones (base64 of a hash): the UNIQUE index takes them at random places.
    Json event = message_event();
    event["hashes"] = {{"sha256", "kNq4aVv8bJ3pL0sX6fW2dZ9rT1yC5mH7eG0uB4iK8oA"}};
    event["signatures"] = {{"bench.test",
                            {{"ed25519:bench", std::string(86, 's')}}}};
    const std::string body = event.dump();
    std::int64_t next = 1;
    auto random_id = [] {
        unsigned char raw[32];
        randombytes_buf(raw, sizeof raw);
        char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
        sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        std::string id = "$";
        id += b64;
        return id;
    };

    const double cpu_before = bench::process_cpu_seconds();
    std::int64_t written = 0;
    for (auto _ : state) {
        for (int done = 0; done < events; done += batch) {
            exec(db, "BEGIN IMMEDIATE");
            for (int i = 0; i < batch; ++i) {
                const std::string id = random_id();
                sqlite3_bind_int64(insert, 1, next++);
                sqlite3_bind_text(insert, 2, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
                sqlite3_bind_text(insert, 3, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
                check(sqlite3_step(insert), db, "insert");
                sqlite3_reset(insert);
            }
            exec(db, "COMMIT");
        }
        written += events;
    }
    const double cpu = bench::process_cpu_seconds() - cpu_before;
    sqlite3_finalize(insert);
    sqlite3_close(db);
    state.SetItemsProcessed(written);
    state.counters["cpu_us_per_event"] = cpu * 1e6 / static_cast<double>(written);
}

BENCHMARK(BM_CanonicalJson);
BENCHMARK(BM_Sha256);
BENCHMARK(BM_Sha256Sodium);
BENCHMARK(BM_Ed25519Sign);
BENCHMARK(BM_SignEvent);
// One run of 20,000 events each, as room_service_bench's 64-room row; the
// table grows during the run, so iterations are not repeated.
BENCHMARK(BM_SqliteAppend)
    ->ArgNames({"batch", "synchronous", "events"})
    ->Args({32, 2, 20000})
    ->Args({256, 2, 20000})
    ->Args({32, 1, 20000})
    ->Args({256, 1, 20000})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
