#include "loadgen/load_run.hpp"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "loadgen/matrix_api.hpp"
#include "loadgen/stats.hpp"

namespace loadgen {

namespace asio = boost::asio;
using asio::awaitable;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kMarker = "org.chatd.loadgen";  // our key in message content
constexpr std::chrono::milliseconds kPoll{20};
constexpr std::chrono::milliseconds kRetryWait{500};
// Syncers doing their first (full) sync at once; more only add queueing.
constexpr int kInitialSyncsInFlight = 64;
// A token bucket lets senders catch up this much time after a stall, no more.
constexpr std::chrono::milliseconds kBurstWindow{50};

std::int64_t steady_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               SteadyClock::now().time_since_epoch())
        .count();
}

// Hands out send times `1/rate` apart to all senders together.
class TokenBucket {
public:
    explicit TokenBucket(double rate)
        : interval_(std::chrono::duration_cast<SteadyClock::duration>(
              std::chrono::duration<double>(rate > 0 ? 1.0 / rate : 0.0))) {}

    SteadyClock::time_point take() {
        std::lock_guard lock(mutex_);
        auto earliest = SteadyClock::now() - kBurstWindow;
        if (next_ < earliest) next_ = earliest;
        auto slot = next_;
        next_ += interval_;
        return slot;
    }

private:
    SteadyClock::duration interval_;
    std::mutex mutex_;
    SteadyClock::time_point next_{};
};

struct Run {
    explicit Run(Options options) : o(std::move(options)), bucket(o.rate) {}

    Options o;
    asio::any_io_executor executor;
    asio::ip::tcp::endpoint server;
    std::string host_header;
    std::string run_id;
    std::vector<Client> clients;
    std::vector<std::string> room_ids;
    std::vector<std::vector<int>> members;  // room -> user indexes; members[r][0] created it
    std::vector<int> syncers_in_room;
    std::vector<std::string> filter_ids;  // per user; empty: no filter
    Stats stats;
    TokenBucket bucket;
    SteadyClock::time_point send_end;
    std::atomic<int> ready_syncers{0};
    std::atomic<int> senders_running{0};
    std::atomic<std::uint64_t> expected_deliveries{0};
    std::atomic<std::uint64_t> setup_errors{0};
    std::mutex first_error_mutex;
    std::string first_setup_error;  // guarded by first_error_mutex

    void setup_error(const std::string& what) {
        ++setup_errors;
        std::lock_guard lock(first_error_mutex);
        if (first_setup_error.empty()) first_setup_error = what;
    }
};

using RunPtr = std::shared_ptr<Run>;

awaitable<void> sleep_for(SteadyClock::duration d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

// Runs fn(0..count-1) with at most `concurrency` calls in flight.
struct ForEach {
    int count = 0;
    std::atomic<int> next{0};
    std::atomic<int> running{0};
    std::function<awaitable<void>(int)> fn;
};

awaitable<void> for_each_worker(std::shared_ptr<ForEach> state) {
    for (int i = state->next++; i < state->count; i = state->next++)
        co_await state->fn(i);
    --state->running;
}

awaitable<void> for_each_concurrently(int count, int concurrency,
                                      std::function<awaitable<void>(int)> fn) {
    auto state = std::make_shared<ForEach>();
    state->count = count;
    state->fn = std::move(fn);
    const int workers = std::min(count, concurrency);
    state->running = workers;
    auto executor = co_await asio::this_coro::executor;
    for (int w = 0; w < workers; ++w)
        asio::co_spawn(executor, for_each_worker(state), asio::detached);
    while (state->running > 0)
        co_await sleep_for(kPoll);
}

awaitable<void> register_one(RunPtr run, int i) {
    std::string username = run->o.user_prefix + std::to_string(i);
    std::string password = "loadgen-password-" + run->run_id;
    auto answer = co_await register_user(run->clients[i], std::move(username), std::move(password));
    if (!answer.ok()) run->setup_error("register " + std::to_string(i) + ": " + answer.error);
}

awaitable<void> create_one(RunPtr run, int r) {
    auto& creator = run->clients[run->members[r][0]];
    std::string name = "loadgen " + run->run_id + " " + std::to_string(r);
    auto answer = co_await create_room(creator, std::move(name));
    if (!answer.ok() || !answer.body["room_id"].is_string()) {
        run->setup_error("createRoom " + std::to_string(r) + ": " + answer.error);
        co_return;
    }
    run->room_ids[r] = answer.body["room_id"].get<std::string>();
}

// Join number `j` over all rooms: room j / (M-1), its member 1 + j % (M-1).
awaitable<void> join_one(RunPtr run, int j) {
    const int per_room = run->o.room_size - 1;
    const int r = j / per_room;
    const int user = run->members[r][1 + j % per_room];
    if (run->room_ids[r].empty()) co_return;  // its creation failed, already counted
    std::string room_id = run->room_ids[r];
    auto answer = co_await join_room(run->clients[user], std::move(room_id));
    if (!answer.ok()) run->setup_error("join room " + std::to_string(r) + ": " + answer.error);
}

// Only the events that syncers measure, in small responses.
json sync_filter() {
    json none = {{"types", json::array()}};
    json timeline = {{"limit", 100}, {"types", {"m.room.message"}}};
    json room = {{"timeline", timeline}, {"state", none}, {"ephemeral", none},
                 {"account_data", none}};
    return json{{"room", room}, {"presence", none}, {"account_data", none}};
}

awaitable<void> filter_one(RunPtr run, int user) {
    json filter = sync_filter();
    auto answer = co_await upload_filter(run->clients[user], std::move(filter));
    if (answer.ok() && answer.body["filter_id"].is_string())
        run->filter_ids[user] = answer.body["filter_id"].get<std::string>();
    else
        run->stats.error("filter upload: " + answer.error);  // syncs go unfiltered
}

// Counts our messages in one sync response: latency from the send timestamp
// in the content, duplicates by the per-sender sequence number.
void count_deliveries(Run& run, const json& response, std::vector<std::int64_t>& last_seq) {
    const auto now = steady_us();
    if (!response.contains("rooms") || !response["rooms"].contains("join")) return;
    for (const auto& [room_id, room] : response["rooms"]["join"].items()) {
        if (!room.contains("timeline")) continue;
        const auto& timeline = room["timeline"];
        if (timeline.value("limited", false)) run.stats.limited_sync();
        if (!timeline.contains("events") || !timeline["events"].is_array()) continue;
        for (const auto& event : timeline["events"]) {
            if (!event.contains("content") || !event["content"].contains(kMarker)) continue;
            const auto& mark = event["content"][kMarker];
            if (!mark.is_object() || mark.value("run", "") != run.run_id) continue;
            const auto sender = mark.value("s", -1);
            const auto seq = mark.value("q", std::int64_t{-1});
            if (sender < 0 || sender >= static_cast<int>(last_seq.size())) continue;
            if (seq <= last_seq[sender]) {
                run.stats.duplicate();
                continue;
            }
            last_seq[sender] = seq;
            run.stats.delivered(std::chrono::microseconds(now - mark.value("t", now)));
        }
    }
}

awaitable<void> syncer(RunPtr run, int j) {
    const int user = j % run->o.users;
    auto& client = run->clients[user];
    const std::string filter = run->filter_ids[user];
    std::string since;
    for (;;) {
        std::string no_token;
        auto first = co_await sync(client, std::move(no_token), filter, std::chrono::milliseconds(0));
        if (first.ok() && first.body["next_batch"].is_string()) {
            since = first.body["next_batch"].get<std::string>();
            break;
        }
        run->stats.error("initial sync: " + first.error);
        co_await sleep_for(kRetryWait);
    }
    ++run->ready_syncers;
    std::vector<std::int64_t> last_seq(static_cast<std::size_t>(run->o.senders), -1);
    for (;;) {
        auto answer = co_await sync(client, since, filter, run->o.long_poll);
        if (!answer.ok() || !answer.body["next_batch"].is_string()) {
            run->stats.error("sync: " + answer.error);
            co_await sleep_for(kRetryWait);
            continue;
        }
        since = answer.body["next_batch"].get<std::string>();
        count_deliveries(*run, answer.body, last_seq);
    }
}

awaitable<void> sender(RunPtr run, int i) {
    const int r = i % run->o.rooms;
    const int user = run->members[r][(i / run->o.rooms) % run->o.room_size];
    auto& client = run->clients[user];
    const std::string room_id = run->room_ids[r];
    const std::string padding(static_cast<std::size_t>(run->o.message_bytes), 'x');
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (std::int64_t seq = 0;; ++seq) {
        if (run->o.rate > 0) {
            auto slot = run->bucket.take();
            if (slot >= run->send_end) break;
            timer.expires_at(slot);
            co_await timer.async_wait(asio::use_awaitable);
        } else if (SteadyClock::now() >= run->send_end) {
            break;
        }
        json mark = {{"run", run->run_id}, {"s", i}, {"q", seq}, {"t", steady_us()}};
        json content = {{"msgtype", "m.text"}, {"body", "loadgen " + padding}};
        content[std::string(kMarker)] = std::move(mark);
        std::string txn = run->run_id + "." + std::to_string(i) + "." + std::to_string(seq);
        auto answer = co_await send_message(client, room_id, std::move(txn), std::move(content));
        if (answer.ok()) {
            run->stats.sent();
            run->expected_deliveries += static_cast<std::uint64_t>(run->syncers_in_room[r]);
        } else {
            run->stats.error("send: " + answer.error);
        }
    }
    --run->senders_running;
}

std::string describe(const ProcessSample& s) {
    if (!s.ok) return "unreadable";
    char text[160];
    std::snprintf(text, sizeof text, "VmRSS %.1f MiB, VmHWM %.1f MiB, %lld fds, %lld threads",
                  static_cast<double>(s.rss_kib) / 1024, static_cast<double>(s.peak_kib) / 1024,
                  static_cast<long long>(s.fds), static_cast<long long>(s.threads));
    return text;
}

void print_server(const Run& run, const char* when) {
    if (run.o.server_pid <= 0) return;
    std::printf("server %-22s %s\n", when, describe(sample_process(run.o.server_pid)).c_str());
    std::fflush(stdout);
}

double seconds_since(SteadyClock::time_point start) {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

bool read_tokens(Run& run) {
    std::ifstream in(run.o.tokens_file);
    std::string user_id, token;
    for (auto& client : run.clients) {
        if (!(in >> user_id >> token)) return false;
        client.user_id = user_id;
        client.access_token = token;
    }
    return true;
}

}  // namespace

awaitable<int> run_load(Options options) {
    auto run = std::make_shared<Run>(std::move(options));
    const Options& o = run->o;
    run->executor = co_await asio::this_coro::executor;

    auto url = Url::parse(o.url);
    if (!url) {
        std::fprintf(stderr, "loadgen: --url must look like http://host:port\n");
        co_return 1;
    }
    asio::ip::tcp::resolver resolver(run->executor);
    boost::system::error_code resolve_ec;
    auto endpoints = resolver.resolve(url->host, url->port, resolve_ec);
    if (resolve_ec || endpoints.empty()) {
        std::fprintf(stderr, "loadgen: cannot resolve %s\n", o.url.c_str());
        co_return 1;
    }
    run->server = endpoints.begin()->endpoint();
    run->host_header = url->host + ":" + url->port;
    std::random_device random;
    run->run_id = std::to_string(random() % 1'000'000'000);
    if (run->o.user_prefix.empty()) run->o.user_prefix = "lg" + run->run_id + "u";

    std::printf("loadgen: scenario %s against %s: %d users, %d rooms of %d, %d senders at %s, "
                "%d syncers, %lld s\n",
                o.scenario.c_str(), o.url.c_str(), o.users, o.rooms, o.room_size, o.senders,
                o.rate > 0 ? (std::to_string(static_cast<long long>(o.rate)) + " msg/s").c_str()
                           : "full speed",
                o.syncers, static_cast<long long>(o.duration.count()));
    print_server(*run, "before setup:");

    run->clients.resize(static_cast<std::size_t>(o.users));
    for (auto& client : run->clients)
        client.pool = std::make_unique<HttpPool>(run->executor, run->server, run->host_header);

    auto phase = SteadyClock::now();
    if (!o.tokens_file.empty()) {
        if (!read_tokens(*run)) {
            std::fprintf(stderr, "loadgen: %s has fewer than %d tokens\n", o.tokens_file.c_str(),
                         o.users);
            co_return 1;
        }
        std::printf("setup: %d users from %s\n", o.users, o.tokens_file.c_str());
    } else {
        std::function<awaitable<void>(int)> each = [run](int i) { return register_one(run, i); };
        co_await for_each_concurrently(o.users, o.setup_concurrency, std::move(each));
        std::printf("setup: registered %d users in %.1f s\n", o.users, seconds_since(phase));
        if (!o.save_tokens.empty()) {
            std::ofstream out(o.save_tokens);
            for (const auto& client : run->clients)
                out << client.user_id << ' ' << client.access_token << '\n';
        }
    }
    if (run->setup_errors > 0) {
        std::fprintf(stderr, "loadgen: setup failed (%llu errors), first: %s\n",
                     static_cast<unsigned long long>(run->setup_errors.load()),
                     run->first_setup_error.c_str());
        co_return 1;
    }

    run->members.resize(static_cast<std::size_t>(o.rooms));
    std::vector<std::vector<int>> rooms_of_user(static_cast<std::size_t>(o.users));
    for (int r = 0; r < o.rooms; ++r)
        for (int k = 0; k < o.room_size; ++k) {
            const int user = (r * o.room_size + k) % o.users;
            run->members[r].push_back(user);
            rooms_of_user[user].push_back(r);
        }
    run->syncers_in_room.assign(static_cast<std::size_t>(o.rooms), 0);
    for (int j = 0; j < o.syncers; ++j)
        for (int r : rooms_of_user[j % o.users])
            ++run->syncers_in_room[r];

    phase = SteadyClock::now();
    run->room_ids.resize(static_cast<std::size_t>(o.rooms));
    std::function<awaitable<void>(int)> create = [run](int r) { return create_one(run, r); };
    co_await for_each_concurrently(o.rooms, o.setup_concurrency, std::move(create));
    const int joins = o.rooms * std::max(0, o.room_size - 1);
    std::function<awaitable<void>(int)> join = [run](int j) { return join_one(run, j); };
    co_await for_each_concurrently(joins, o.setup_concurrency, std::move(join));
    std::printf("setup: created %d rooms and made %d joins in %.1f s\n", o.rooms, joins,
                seconds_since(phase));
    if (run->setup_errors > 0) {
        std::fprintf(stderr, "loadgen: setup failed (%llu errors), first: %s\n",
                     static_cast<unsigned long long>(run->setup_errors.load()),
                     run->first_setup_error.c_str());
        co_return 1;
    }

    phase = SteadyClock::now();
    run->filter_ids.resize(static_cast<std::size_t>(o.users));
    std::function<awaitable<void>(int)> filter = [run](int u) { return filter_one(run, u); };
    co_await for_each_concurrently(std::min(o.syncers, o.users), o.setup_concurrency,
                                   std::move(filter));
    for (int j = 0; j < o.syncers; ++j) {
        while (j - run->ready_syncers >= kInitialSyncsInFlight)
            co_await sleep_for(kPoll);
        asio::co_spawn(run->executor, syncer(run, j), asio::detached);
    }
    while (run->ready_syncers < o.syncers)
        co_await sleep_for(kPoll);
    std::printf("setup: %d syncers long-polling after %.1f s\n", o.syncers, seconds_since(phase));
    print_server(*run, "with syncers polling:");

    const auto start = SteadyClock::now();
    const double server_cpu_start =
        o.server_pid > 0 ? sample_process(o.server_pid).cpu_seconds : 0.0;
    const double own_cpu_start = own_cpu_seconds();
    run->send_end = start + o.duration;
    run->senders_running = o.senders;
    for (int i = 0; i < o.senders; ++i)
        asio::co_spawn(run->executor, sender(run, i), asio::detached);
    if (o.senders == 0) co_await sleep_for(o.duration);
    while (run->senders_running > 0)
        co_await sleep_for(kPoll);
    const double send_seconds = seconds_since(start);
    const double own_cpu = own_cpu_seconds() - own_cpu_start;
    const double server_cpu =
        o.server_pid > 0 ? sample_process(o.server_pid).cpu_seconds - server_cpu_start : 0.0;
    print_server(*run, "at the end of sending:");

    const auto drain_end = SteadyClock::now() + o.drain;
    while (run->stats.delivered_count() < run->expected_deliveries &&
           SteadyClock::now() < drain_end)
        co_await sleep_for(kPoll);

    const auto sent = run->stats.sent_count();
    std::printf("sent: %llu messages in %.1f s = %.0f messages/s%s\n",
                static_cast<unsigned long long>(sent), send_seconds,
                static_cast<double>(sent) / send_seconds,
                o.rate > 0 ? (" (target " + std::to_string(static_cast<long long>(o.rate)) +
                              ")").c_str()
                           : " (full speed)");
    std::printf("delivered: %llu of %llu expected (%llu duplicates, %llu limited timelines)\n",
                static_cast<unsigned long long>(run->stats.delivered_count()),
                static_cast<unsigned long long>(run->expected_deliveries.load()),
                static_cast<unsigned long long>(run->stats.duplicates()),
                static_cast<unsigned long long>(run->stats.limited_syncs()));
    const auto latency = run->stats.latency();
    std::printf("latency send->sync ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (n=%zu)\n",
                static_cast<double>(latency.p50) / 1000, static_cast<double>(latency.p90) / 1000,
                static_cast<double>(latency.p99) / 1000, static_cast<double>(latency.max) / 1000,
                latency.count);
    std::printf("cpu while sending: loadgen %.1f s", own_cpu);
    if (o.server_pid > 0) std::printf(", server %.1f s", server_cpu);
    std::printf(" in %.1f s of wall time\n", send_seconds);
    auto errors = run->stats.errors();
    if (errors.empty()) std::printf("errors: none\n");
    for (const auto& [kind, count] : errors)
        std::printf("errors: %-40s %llu\n", kind.c_str(), static_cast<unsigned long long>(count));
    print_server(*run, "after the drain:");
    std::fflush(stdout);
    co_return 0;
}

}  // namespace loadgen
