#include "loadgen/options.hpp"

#include <charconv>
#include <functional>
#include <map>

namespace loadgen {

const char* const kUsage = R"(usage: loadgen [--scenario NAME] [options]

Speaks only the Matrix Client-Server API (v3), so it runs against any homeserver.

Scenarios (each sets defaults; later flags override them):
  throughput   flat out: 100 users, 50 rooms of 2, 64 senders, 100 syncers, 20 s
  rate         1,736 messages/s: 200 users, 100 rooms of 2, 128 senders, 200 syncers, 30 s
  idle         10,000 idle long-polling syncs: 1,000 users, no rooms, no senders, 30 s
  small-rooms  500 rooms of 2 members: 1,000 users, 32 senders at 100/s, 100 syncers, 20 s
  large-room   1 room of 1,000 members: 1,000 users, 32 senders at 100/s, 100 syncers, 20 s

Options:
  --url URL              homeserver, plain http (default http://127.0.0.1:8008)
  --users N --rooms R --room-size M --senders S --syncers K
  --rate MSGS_PER_S      target rate over all senders (token bucket); 0 = flat out
  --duration S           seconds of sending  --drain S  seconds to wait for deliveries
  --long-poll MS         /sync timeout (default 30000)
  --threads T            event-loop threads of the load generator (default 1)
  --setup-concurrency C  registrations/joins in flight during setup (default 16)
  --message-bytes B      padding per message
  --server-pid PID       report the server's RSS and open fds from /proc
  --tokens FILE          use "user_id access_token" lines instead of registering
  --save-tokens FILE     write the registered users' tokens
  --user-prefix P        usernames P0, P1, ... (default: random)
)";

namespace {

void apply_scenario(Options& o) {
    if (o.scenario == "throughput") {
        o.users = 100, o.rooms = 50, o.room_size = 2, o.senders = 64, o.syncers = 100;
        o.rate = 0, o.duration = std::chrono::seconds(20);
    } else if (o.scenario == "rate") {
        o.users = 200, o.rooms = 100, o.room_size = 2, o.senders = 128, o.syncers = 200;
        o.rate = 1736, o.duration = std::chrono::seconds(30);
    } else if (o.scenario == "idle") {
        o.users = 1000, o.rooms = 0, o.room_size = 0, o.senders = 0, o.syncers = 10'000;
        o.rate = 0, o.duration = std::chrono::seconds(30);
    } else if (o.scenario == "small-rooms") {
        o.users = 1000, o.rooms = 500, o.room_size = 2, o.senders = 32, o.syncers = 100;
        o.rate = 100, o.duration = std::chrono::seconds(20);
    } else if (o.scenario == "large-room") {
        o.users = 1000, o.rooms = 1, o.room_size = 1000, o.senders = 32, o.syncers = 100;
        o.rate = 100, o.duration = std::chrono::seconds(20);
    }
}

bool to_int(const std::string& text, int& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out >= 0;
}

bool to_double(const std::string& text, double& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out >= 0;
}

}  // namespace

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error) {
    Options o;
    // The scenario goes first whatever its place, so that other flags override it.
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--scenario") o.scenario = args[i + 1];
    if (o.scenario != "throughput" && o.scenario != "rate" && o.scenario != "idle" &&
        o.scenario != "small-rooms" && o.scenario != "large-room") {
        error = "unknown scenario '" + o.scenario + "'";
        return std::nullopt;
    }
    apply_scenario(o);

    auto seconds = [](std::chrono::seconds& field) {
        return [&field](const std::string& v) {
            int n = 0;
            if (!to_int(v, n)) return false;
            field = std::chrono::seconds(n);
            return true;
        };
    };
    auto integer = [](int& field) {
        return [&field](const std::string& v) { return to_int(v, field); };
    };
    auto text = [](std::string& field) {
        return [&field](const std::string& v) {
            field = v;
            return true;
        };
    };
    std::map<std::string, std::function<bool(const std::string&)>> flags = {
        {"--url", text(o.url)},
        {"--scenario", [](const std::string&) { return true; }},
        {"--users", integer(o.users)},
        {"--rooms", integer(o.rooms)},
        {"--room-size", integer(o.room_size)},
        {"--senders", integer(o.senders)},
        {"--syncers", integer(o.syncers)},
        {"--rate", [&o](const std::string& v) { return to_double(v, o.rate); }},
        {"--duration", seconds(o.duration)},
        {"--drain", seconds(o.drain)},
        {"--long-poll",
         [&o](const std::string& v) {
             int n = 0;
             if (!to_int(v, n)) return false;
             o.long_poll = std::chrono::milliseconds(n);
             return true;
         }},
        {"--threads", integer(o.threads)},
        {"--setup-concurrency", integer(o.setup_concurrency)},
        {"--message-bytes", integer(o.message_bytes)},
        {"--server-pid", integer(o.server_pid)},
        {"--tokens", text(o.tokens_file)},
        {"--save-tokens", text(o.save_tokens)},
        {"--user-prefix", text(o.user_prefix)},
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") return std::nullopt;
        auto flag = flags.find(args[i]);
        if (flag == flags.end()) {
            error = "unknown option '" + args[i] + "'";
            return std::nullopt;
        }
        if (i + 1 >= args.size() || !flag->second(args[i + 1])) {
            error = "option " + args[i] + " needs a valid value";
            return std::nullopt;
        }
        ++i;
    }
    if (o.threads < 1 || o.setup_concurrency < 1) {
        error = "--threads and --setup-concurrency must be at least 1";
        return std::nullopt;
    }
    if (o.rooms > 0 && (o.room_size < 1 || o.room_size > o.users)) {
        error = "--room-size must be from 1 to --users";
        return std::nullopt;
    }
    if (o.senders > 0 && o.rooms == 0) {
        error = "senders need at least one room";
        return std::nullopt;
    }
    return o;
}

}  // namespace loadgen
