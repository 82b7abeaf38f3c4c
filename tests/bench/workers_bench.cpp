// Workers (issue 10): send on one chatd worker, sync on another. For each
// worker count N it starts a real redis-server (once) and N real chatd
// workers sharing one fresh SQLite database, then:
//  - S sender threads send M messages each (or for --duration seconds, at
//    --rate) as one user into one room, sender i through worker i mod N;
//  - one receiver long-polls /sync on worker N-1 (for N > 1, a worker that
//    takes at most half of the sends) and notes when each message arrives.
// It reports acknowledged sends/s over the sending phase, the PUT /send
// latency, the send->sync latency (from just before the PUT to the /sync
// answer that carried the event) as p50/p90/p99/max, and ack->sync over the
// messages that crossed workers (the Redis hop).
//
// It fails honestly: a send that is not acknowledged, an event that never
// reaches the receiver within --timeout, one that arrives twice or under
// another event id, or a worker that does not exit cleanly prints what went
// wrong and exits 1 without a table.
//
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_BENCH=ON
//         -DCHAT_BUILD_TESTS=ON -DCHAT_BUILD_DAEMON=ON
//   cmake --build build/bench -j2 --target chatd workers_bench
//   build/bench/tests/bench/workers_bench [--workers 1,2,3] [--senders 4] [--messages 200]
//
// The chatd binary is the one CMake built (CHATD_BINARY, as for the
// integration tests); redis-server must be installed (/usr/bin/redis-server).
// Everything listens on 127.0.0.1 only; data lives in a temporary directory.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/redis_server.hpp"

namespace {

using chat::test::Daemon;
using chat::test::MatrixClient;
using chat::test::RedisServer;
using chat::test::TempDir;
using chat::test::escape;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kUsage = R"(usage: workers_bench [options]

  --workers LIST      worker counts to measure, comma separated (default 1,2,3)
  --senders S         sender threads (default 4); sender i sends through worker i mod N
  --messages M        messages per sender (default 200)
  --duration SECONDS  send for this long instead of a fixed count per sender
  --rate R            target sends/s over all senders (default 0: each sender sends
                      its next message as soon as the last one is acknowledged)
  --timeout SECONDS   how long every acknowledged message may take to reach the
                      receiver after the sending phase ends (default 30)
  --long-poll MS      the receiver's /sync timeout (default 5000)
)";

// /sync returns at most this many timeline events per room (kMaxTimelineLimit);
// more make the timeline `limited` and the receiver pages back for the rest.
constexpr int kTimelineLimit = 100;
constexpr auto kSubscribeDeadline = 15s;

struct Options {
    std::vector<int> workers{1, 2, 3};
    int senders = 4;
    int messages = 200;
    std::optional<std::chrono::duration<double>> duration;
    double rate = 0;
    std::chrono::seconds timeout{30};
    int long_poll_ms = 5000;
};

bool parse_number(std::string_view text, double& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out >= 0;
}

bool parse_number(std::string_view text, int& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out >= 0;
}

std::optional<Options> parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") return std::nullopt;
        if (i + 1 >= argc) {
            std::fprintf(stderr, "%s needs a value\n", argv[i]);
            return std::nullopt;
        }
        std::string_view value = argv[++i];
        bool ok = true;
        int whole = 0;
        double real = 0;
        if (flag == "--workers") {
            o.workers.clear();
            std::size_t at = 0;
            while (ok && at <= value.size()) {
                auto comma = std::min(value.find(',', at), value.size());
                ok = parse_number(value.substr(at, comma - at), whole) && whole >= 1;
                o.workers.push_back(whole);
                at = comma + 1;
            }
        } else if (flag == "--senders") {
            ok = parse_number(value, o.senders) && o.senders >= 1;
        } else if (flag == "--messages") {
            ok = parse_number(value, o.messages) && o.messages >= 1;
        } else if (flag == "--duration") {
            ok = parse_number(value, real) && real > 0;
            o.duration = std::chrono::duration<double>(real);
        } else if (flag == "--rate") {
            ok = parse_number(value, o.rate);
        } else if (flag == "--timeout") {
            ok = parse_number(value, whole) && whole >= 1;
            o.timeout = std::chrono::seconds(whole);
        } else if (flag == "--long-poll") {
            ok = parse_number(value, o.long_poll_ms);
        } else {
            std::fprintf(stderr, "unknown option %s\n", argv[i - 1]);
            return std::nullopt;
        }
        if (!ok) {
            std::fprintf(stderr, "bad value for %s: %s\n", argv[i - 1], argv[i]);
            return std::nullopt;
        }
    }
    return o;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string load_average() {
    auto text = read_text("/proc/loadavg");
    auto end = text.find(' ', text.find(' ', text.find(' ') + 1) + 1);
    return text.substr(0, end);
}

// j[key] that reads: null when j is no object or lacks the key (a const
// nlohmann operator[] on a missing key is undefined behaviour).
const json& member(const json& j, const std::string& key) {
    static const json null;
    if (!j.is_object()) return null;
    auto it = j.find(key);
    return it == j.end() ? null : *it;
}

std::string string_member(const json& j, const std::string& key) {
    const auto& v = member(j, key);
    return v.is_string() ? v.get<std::string>() : "";
}

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// Nearest-rank percentile of sorted values (NaN, printed "nan", when there are none).
double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return std::nan("");
    auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// One send as the sender saw it.
struct Sent {
    std::string body;
    Clock::time_point before;  // just before the PUT
    Clock::time_point acked;   // the 200 answer read
    std::string event_id;
    int worker = 0;  // the one it was sent through (set by measure())
};

// One message as the receiver saw it.
struct Seen {
    Clock::time_point at;  // the /sync answer (or the back-pagination) that carried it
    std::string event_id;
};

struct Outcome {
    int workers = 0;
    std::size_t sends = 0;
    double send_seconds = 0;
    std::vector<double> ack_ms;   // PUT /send round trips, sorted
    std::vector<double> sync_ms;  // send -> sync, sorted
    // Acknowledged -> synced, sorted: for N > 1 only messages sent through
    // another worker than the receiver's, so this is the cross-worker hop.
    std::vector<double> hop_ms;
    std::size_t paged = 0;        // found by paging back past a limited timeline
    std::string load_before, load_after;
};

// An HTTP/1.1 connection kept alive to one worker, as a Matrix client keeps one.
class Connection {
public:
    Connection(std::uint16_t port, const std::string& token, int read_timeout_s)
        : http_("127.0.0.1", port) {
        http_.set_keep_alive(true);
        // cpp-httplib writes a request's headers and body separately: with Nagle on,
        // the body waits for the server's delayed ACK (40 ms a request on Linux).
        http_.set_tcp_nodelay(true);
        http_.set_read_timeout(read_timeout_s, 0);
        headers_.emplace("Authorization", "Bearer " + token);
    }

    // Status and parsed body (null when not JSON); status 0 when no answer came.
    std::pair<int, json> get(const std::string& path) {
        return answer_of(http_.Get(path, headers_));
    }
    std::pair<int, json> put(const std::string& path, const json& body) {
        return answer_of(http_.Put(path, headers_, body.dump(), "application/json"));
    }

private:
    static std::pair<int, json> answer_of(const httplib::Result& result) {
        if (!result) return {0, nullptr};
        auto body = json::parse(result->body, nullptr, /*allow_exceptions=*/false);
        if (body.is_discarded()) body = nullptr;
        return {result->status, std::move(body)};
    }

    httplib::Client http_;
    httplib::Headers headers_;
};

// Long-polls /sync and records every bench message of one room with the
// time its answer arrived. Runs on its own thread until stop().
class Receiver {
public:
    Receiver(std::uint16_t port, const std::string& token, std::string room, std::string since,
             int long_poll_ms)
        : connection_(port, token, long_poll_ms / 1000 + 30),
          room_(std::move(room)),
          since_(std::move(since)),
          long_poll_ms_(long_poll_ms) {}

    void run() {
        try {
            poll();
        } catch (const std::exception& e) {  // nlohmann on a malformed answer: lost, not hidden
            note_error(std::string("receiver stopped: ") + e.what());
        }
    }

    void stop() {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }

    // Waits until every body in `expected` was seen, or until `deadline`.
    bool wait_for(const std::vector<Sent>& expected, Clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        return changed_.wait_until(lock, deadline, [&] {
            return std::all_of(expected.begin(), expected.end(),
                               [&](const Sent& s) { return seen_.contains(s.body); });
        });
    }

    // Read after the thread was joined.
    const std::map<std::string, Seen>& seen() const { return seen_; }
    const std::vector<std::string>& errors() const { return errors_; }
    const std::vector<std::string>& repeats() const { return repeats_; }
    std::size_t paged() const { return paged_; }

private:
    void poll() {
        const auto filter = escape(json{{"room",
                                         {{"rooms", json::array({room_})},
                                          {"timeline", {{"limit", kTimelineLimit}}}}}}
                                       .dump());
        while (!stopping()) {
            auto [status, body] = connection_.get("/_matrix/client/v3/sync?timeout=" +
                                                  std::to_string(long_poll_ms_) + "&since=" +
                                                  escape(since_) + "&filter=" + filter);
            const auto now = Clock::now();
            if (status != 200 || !body.is_object()) {
                note_error("sync answered " + std::to_string(status) + ": " + body.dump());
                std::this_thread::sleep_for(100ms);
                continue;
            }
            const auto& timeline = member(member(member(member(body, "rooms"), "join"), room_),
                                          "timeline");
            if (member(timeline, "limited") == true)
                page_back(string_member(timeline, "prev_batch"));
            record(member(timeline, "events"), now, false);
            auto next = string_member(body, "next_batch");
            if (!next.empty()) since_ = std::move(next);
        }
    }

    bool stopping() {
        std::lock_guard lock(mutex_);
        return stop_;
    }

    void note_error(std::string what) {
        std::lock_guard lock(mutex_);
        if (errors_.size() < 20) errors_.push_back(std::move(what));
    }

    // Bench messages (bodies "s<sender>-<index>") of `events`, first arrival kept.
    void record(const json& events, Clock::time_point at, bool paged) {
        if (!events.is_array()) return;
        std::lock_guard lock(mutex_);
        for (const auto& e : events) {
            if (string_member(e, "type") != "m.room.message") continue;
            auto body = string_member(member(e, "content"), "body");
            if (body.empty() || body[0] != 's') continue;
            auto event_id = string_member(e, "event_id");
            auto [it, fresh] = seen_.emplace(body, Seen{at, event_id});
            if (fresh) {
                if (paged) ++paged_;
            } else if (!paged || it->second.event_id != event_id) {
                // Paging back overlaps what a sync already gave; anything else is a repeat.
                if (repeats_.size() < 20)
                    repeats_.push_back("\"" + body + "\" arrived twice (" + it->second.event_id +
                                       ", " + event_id + ")");
            }
        }
        changed_.notify_all();
    }

    // A limited timeline skipped events: page back with /messages, as a
    // client would, until a page holds a message already seen.
    void page_back(std::string from) {
        for (int pages = 0; !from.empty() && pages < 100; ++pages) {
            auto [status, body] = connection_.get(
                "/_matrix/client/v3/rooms/" + escape(room_) + "/messages?dir=b&limit=100&from=" +
                escape(from));
            if (status != 200 || !body.is_object()) {
                note_error("messages answered " + std::to_string(status));
                return;
            }
            const auto& chunk = member(body, "chunk");
            if (!chunk.is_array() || chunk.empty()) return;
            bool reached_seen = false;
            {
                std::lock_guard lock(mutex_);
                for (const auto& e : chunk)
                    if (seen_.contains(string_member(member(e, "content"), "body")))
                        reached_seen = true;
            }
            record(chunk, Clock::now(), true);
            if (reached_seen) return;
            from = string_member(body, "end");
        }
    }

    Connection connection_;
    std::string room_;
    std::string since_;
    int long_poll_ms_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool stop_ = false;                  // guarded by mutex_
    std::map<std::string, Seen> seen_;   // guarded by mutex_ until joined
    std::vector<std::string> errors_;    // failed requests (retried); guarded by mutex_
    std::vector<std::string> repeats_;   // guarded by mutex_ until joined
    std::size_t paged_ = 0;              // guarded by mutex_ until joined
};

// N workers on one database, started one after the other (the first creates
// the database and the signing key), each waited for until it subscribed.
class Cluster {
public:
    Cluster(const std::filesystem::path& dir, const RedisServer& redis, int count) {
        auto shared = dir / "shared";
        std::filesystem::create_directories(shared);
        for (int i = 0; i < count; ++i) {
            auto worker_dir = dir / ("w" + std::to_string(i));
            std::filesystem::create_directories(worker_dir);
            auto yaml = "workers:\n  enabled: true\n  name: w" + std::to_string(i) +
                        "\nredis:\n  host: 127.0.0.1\n  port: " + std::to_string(redis.port()) +
                        "\n  channel_prefix: bench" + std::to_string(count) +
                        "\nrate_limits:\n  register:\n    per_second: 1000\n    burst: 1000\n"
                        "  message:\n    per_second: 0\n";
            workers_.push_back(Daemon::start(worker_dir, yaml, shared));
            wait_subscribed(*workers_.back());
        }
    }

    std::uint16_t port(int i) const { return workers_[static_cast<std::size_t>(i)]->port(); }

    // Stops every worker; false (with their logs printed) if one did not exit with 0.
    bool stop() {
        bool clean = true;
        for (auto& worker : workers_) {
            int code = worker->stop();
            if (code != 0) {
                std::fprintf(stderr, "worker in %s exited with %d:\n%s\n",
                             worker->dir().string().c_str(), code, worker->log_tail().c_str());
                clean = false;
            }
        }
        workers_.clear();
        return clean;
    }

private:
    static void wait_subscribed(const Daemon& worker) {
        auto deadline = Clock::now() + kSubscribeDeadline;
        while (read_text(worker.dir() / "chatd.log").find("workers: subscribed") ==
               std::string::npos) {
            if (Clock::now() > deadline)
                throw std::runtime_error("worker never subscribed to Redis:\n" +
                                         worker.log_tail());
            std::this_thread::sleep_for(20ms);
        }
    }

    std::vector<std::unique_ptr<Daemon>> workers_;
};

std::string send_path(const std::string& room, const std::string& txn_id) {
    return "/_matrix/client/v3/rooms/" + escape(room) + "/send/m.room.message/" + txn_id;
}

// One sender thread: its messages, paced by `interval` when rate-limited.
// Stops at the first send that is not acknowledged and says why in `error`.
void send_messages(std::uint16_t port, const std::string& token, const std::string& room,
                   int sender, const Options& o, Clock::time_point start,
                   std::vector<Sent>& out, std::string& error) {
    Connection connection(port, token, 60);
    const auto interval = o.rate > 0 ? std::chrono::duration<double>(o.senders / o.rate)
                                     : std::chrono::duration<double>(0);
    const auto end = o.duration ? start + std::chrono::duration_cast<Clock::duration>(*o.duration)
                                : Clock::time_point::max();
    // Paced senders take turns instead of all sending at the same instant.
    const auto first = start + std::chrono::duration_cast<Clock::duration>(
                                   interval * (static_cast<double>(sender) / o.senders));
    for (int i = 0; o.duration ? Clock::now() < end : i < o.messages; ++i) {
        std::this_thread::sleep_until(
            first + std::chrono::duration_cast<Clock::duration>(interval * i));
        if (o.duration && Clock::now() >= end) break;
        Sent sent;
        // Appended, not "s" + std::to_string(...): that form trips GCC 12's
        // false -Wrestrict at -O2 (GCC bug 105651).
        sent.body = 's';
        sent.body += std::to_string(sender);
        sent.body += '-';
        sent.body += std::to_string(i);
        sent.before = Clock::now();
        auto [status, body] = connection.put(send_path(room, "bench-" + sent.body),
                                             {{"msgtype", "m.text"}, {"body", sent.body}});
        sent.acked = Clock::now();
        if (status != 200 || !body.is_object() || body.value("event_id", "").empty()) {
            error = "sender " + std::to_string(sender) + ": \"" + sent.body + "\" answered " +
                    std::to_string(status) + " " + body.dump();
            return;
        }
        sent.event_id = body.value("event_id", "");
        out.push_back(std::move(sent));
    }
}

// Sends one message through every worker and waits until the receiver's
// worker shows them all: the cross-worker path works before it is timed, and
// the answer's next_batch is where the timed receiver starts.
std::string warm_up(const Cluster& cluster, int count, const MatrixClient& alice,
                    const MatrixClient& bob, const std::string& room) {
    auto since = bob.sync(std::nullopt, 0).body.value("next_batch", "");
    // Own txn ids: MatrixClient's are unique per client object only, and the
    // same txn id from the same device is (rightly) one event.
    for (int w = 0; w < count; ++w) {
        std::string body = "warm-up ";
        body += std::to_string(w);
        auto a = MatrixClient(cluster.port(w), alice.token())
                     .put(send_path(room, "warm-" + std::to_string(w)),
                          {{"msgtype", "m.text"}, {"body", body}});
        if (a.status != 200) throw std::runtime_error("warm-up send: " + a.text);
    }
    int found = 0;
    auto deadline = Clock::now() + 15s;
    while (found < count) {
        if (Clock::now() > deadline)
            throw std::runtime_error("the warm-up messages did not reach the receiver");
        auto a = bob.sync(since, 1000);
        if (a.status != 200) throw std::runtime_error("warm-up sync: " + a.text);
        const auto& events =
            member(member(member(member(member(a.body, "rooms"), "join"), room), "timeline"),
                   "events");
        if (events.is_array())
            for (const auto& e : events)
                if (string_member(member(e, "content"), "body").starts_with("warm-up")) ++found;
        since = a.body.value("next_batch", since);
    }
    return since;
}

// One measurement with `count` workers; nullopt (after printing why) if
// anything was lost, repeated or refused.
std::optional<Outcome> measure(const Options& o, const RedisServer& redis, int count) {
    TempDir dir;
    Outcome outcome;
    outcome.workers = count;
    outcome.load_before = load_average();
    Cluster cluster(dir.path(), redis, count);

    const int receiver_worker = count - 1;
    auto alice = MatrixClient::registered(cluster.port(0), "alice");
    auto bob = MatrixClient::registered(cluster.port(receiver_worker), "bob");
    auto room = alice.create_room({{"preset", "private_chat"}});
    alice.invite(room, bob.user_id());
    bob.join(room);
    auto since = warm_up(cluster, count, alice, bob, room);

    Receiver receiver(cluster.port(receiver_worker), bob.token(), room, since, o.long_poll_ms);
    std::jthread receiving([&receiver] { receiver.run(); });
    // Stops the receiver before `receiving` joins it, also when this throws.
    struct StopReceiver {
        Receiver& r;
        ~StopReceiver() { r.stop(); }
    } stop_receiver{receiver};

    std::vector<std::vector<Sent>> sent(static_cast<std::size_t>(o.senders));
    std::vector<std::string> errors(static_cast<std::size_t>(o.senders));
    const auto start = Clock::now() + 50ms;  // every sender is waiting by then
    {
        std::vector<std::jthread> senders;
        for (int s = 0; s < o.senders; ++s)
            senders.emplace_back([&, s] {
                auto i = static_cast<std::size_t>(s);
                send_messages(cluster.port(s % count), alice.token(), room, s, o, start, sent[i],
                              errors[i]);
            });
    }
    std::vector<Sent> all;
    for (int s = 0; s < o.senders; ++s)
        for (auto& one : sent[static_cast<std::size_t>(s)]) {
            one.worker = s % count;
            all.push_back(std::move(one));
        }
    Clock::time_point last_ack = start;
    for (const auto& s : all) last_ack = std::max(last_ack, s.acked);

    const bool arrived = receiver.wait_for(all, Clock::now() + o.timeout);
    receiver.stop();
    receiving.join();
    outcome.load_after = load_average();
    bool clean = cluster.stop();

    bool failed = !clean;
    for (const auto& e : errors)
        if (!e.empty()) {
            std::fprintf(stderr, "FAILED send: %s\n", e.c_str());
            failed = true;
        }
    for (const auto& e : receiver.errors())
        std::fprintf(stderr, "receiver (retried): %s\n", e.c_str());
    for (const auto& r : receiver.repeats()) {
        std::fprintf(stderr, "FAILED: %s\n", r.c_str());
        failed = true;
    }
    std::size_t missing = 0;
    for (const auto& s : all) {
        auto it = receiver.seen().find(s.body);
        if (it == receiver.seen().end()) {
            if (++missing <= 20)
                std::fprintf(stderr,
                             "FAILED: \"%s\" (%s) acknowledged but never synced on worker %d\n",
                             s.body.c_str(), s.event_id.c_str(), receiver_worker);
            continue;
        }
        if (it->second.event_id != s.event_id) {
            std::fprintf(stderr, "FAILED: \"%s\" acknowledged as %s but synced as %s\n",
                         s.body.c_str(), s.event_id.c_str(), it->second.event_id.c_str());
            failed = true;
        }
        outcome.ack_ms.push_back(ms_between(s.before, s.acked));
        outcome.sync_ms.push_back(ms_between(s.before, it->second.at));
        // Negative when the /sync answer beat the sender's own 200 back.
        if (count == 1 || s.worker != receiver_worker)
            outcome.hop_ms.push_back(ms_between(s.acked, it->second.at));
    }
    if (missing > 0 || !arrived) {
        std::fprintf(stderr,
                     "FAILED: %zu of %zu acknowledged messages did not arrive within %lld s\n",
                     missing, all.size(), static_cast<long long>(o.timeout.count()));
        failed = true;
    }
    if (all.empty()) {
        std::fprintf(stderr, "FAILED: nothing was sent\n");
        failed = true;
    }
    if (failed) return std::nullopt;

    outcome.sends = all.size();
    outcome.send_seconds = std::chrono::duration<double>(last_ack - start).count();
    outcome.paged = receiver.paged();
    std::sort(outcome.ack_ms.begin(), outcome.ack_ms.end());
    std::sort(outcome.sync_ms.begin(), outcome.sync_ms.end());
    std::sort(outcome.hop_ms.begin(), outcome.hop_ms.end());
    return outcome;
}

void print_row(const Outcome& r) {
    const auto& a = r.ack_ms;
    const auto& l = r.sync_ms;
    const auto& h = r.hop_ms;
    std::printf("| %d | %zu | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %zu "
                "| %s / %s |\n",
                r.workers, r.sends, static_cast<double>(r.sends) / r.send_seconds,
                percentile(a, 0.5), percentile(a, 0.99), percentile(l, 0.5), percentile(l, 0.9),
                percentile(l, 0.99), l.back(), percentile(h, 0.5), percentile(h, 0.99), r.paged,
                r.load_before.c_str(), r.load_after.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    auto options = parse_options(argc, argv);
    if (!options) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    if (!RedisServer::available()) {
        std::fprintf(stderr, "redis-server is not installed (/usr/bin/redis-server)\n");
        return 2;
    }
    try {
        TempDir redis_dir;
        RedisServer redis(redis_dir.path());
        redis.start();
        std::vector<Outcome> outcomes;
        for (int count : options->workers) {
            std::fprintf(stderr, "measuring %d worker(s)...\n", count);
            auto outcome = measure(*options, redis, count);
            if (!outcome) {
                std::fprintf(stderr, "workers_bench: %d worker(s) lost or refused messages\n",
                             count);
                return 1;
            }
            outcomes.push_back(std::move(*outcome));
        }
        if (options->duration)
            std::printf("%d senders for %g s", options->senders, options->duration->count());
        else
            std::printf("%d senders x %d messages", options->senders, options->messages);
        if (options->rate > 0) std::printf(" at %g/s in all", options->rate);
        std::printf("; receiver on worker N-1; times in ms; ack->sync over the messages sent "
                    "through another worker than the receiver's when N > 1\n\n");
        std::printf("| workers | messages | sends/s | PUT p50 | PUT p99 | sync p50 | sync p90 | "
                    "sync p99 | sync max | ack->sync p50 | ack->sync p99 | paged | "
                    "load before / after |\n");
        std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (const auto& o : outcomes) print_row(o);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "workers_bench: %s\n", e.what());
        return 1;
    }
}
