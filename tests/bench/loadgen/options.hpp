#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

// What to run: the command line, with a scenario's defaults under it.
struct Options {
    std::string url = "http://127.0.0.1:8008";
    std::string scenario = "throughput";
    int users = 100;
    int rooms = 50;
    int room_size = 2;     // members per room, taken round-robin from the users
    int senders = 64;
    int syncers = 100;     // long-polling /sync loops; syncer j belongs to user j % users
    double rate = 0;       // messages/s over all senders; 0: flat out
    std::chrono::seconds duration{20};
    std::chrono::seconds drain{5};  // after sending: time for deliveries to arrive
    std::chrono::milliseconds long_poll{30'000};
    int threads = 1;       // threads running the load generator's event loop
    int setup_concurrency = 16;  // registrations and joins in flight during setup
    int message_bytes = 0;       // padding added to each message body
    int server_pid = 0;          // read /proc/<pid> for RSS and fds when set
    std::string tokens_file;     // "user_id access_token" lines instead of registering
    std::string save_tokens;     // write the registered users' tokens here
    std::string user_prefix;     // usernames: <prefix><index>; default: a random prefix
};

// Parses argv (after the program name). Errors are one line for stderr.
// `--help` gives std::nullopt and `error` empty.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error);

extern const char* const kUsage;

}  // namespace loadgen
