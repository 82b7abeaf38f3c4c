#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include <spdlog/fwd.h>

#include <chat/core/clock.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/pushers.hpp>

#include "http/task.hpp"

namespace chat::daemon {
class WakeHub;
}

namespace chat::daemon::push {

// Sends each pusher's notifications to its push gateway (spec Push Gateway
// API), in stream order, one request in flight per sender.
//
// Reliability: a pusher's row keeps the stream ordering of the last push
// action its gateway answered 2xx to; the sender reads what follows it, so a
// restart resumes there and nothing is lost (at-least-once: a crash between
// the 2xx and the store write sends one notification twice). A gateway that
// does not answer, or answers 5xx or 429, is retried after retry_base,
// doubling up to retry_max; its pusher waits meanwhile, others go on. A 2xx
// whose `rejected` lists the pushkey removes the pusher. Another 4xx drops
// that one notification (a retry would get the same answer).
//
// Woken by the WakeHub (every committed stream advance: new push actions
// come with new events) rather than by polling; a slow timer is the safety
// net. HTTP runs on the sender's own small blocking pool, never on network
// threads. run() is one coroutine; stop() is thread-safe.
class PusherSender {
public:
    struct Options {
        std::chrono::milliseconds retry_base{1000};
        std::chrono::milliseconds retry_max{600'000};
        std::chrono::milliseconds gateway_timeout{10'000};
        bool allow_private_gateways = false;
        std::chrono::milliseconds safety_interval{30'000};
    };

    PusherSender(federation::DbExecutor& db, WakeHub& wake, Options options,
                 spdlog::logger& log);
    // Owns a thread pool.
    PusherSender(const PusherSender&) = delete;
    PusherSender& operator=(const PusherSender&) = delete;

    // Delivers until stop(); spawn it once.
    Task<void> run();
    // Ends run() after the request in flight, if any.
    void stop();

    // The delay before retry number `failures` (1 = after the first failure).
    static std::chrono::milliseconds backoff_delay(const Options& options, int failures);

private:
    using Clock = std::chrono::steady_clock;
    using PusherKey = std::tuple<std::string, std::string, std::string>;  // user, app, pushkey
    struct Backoff {
        int failures = 0;
        Clock::time_point next_try;
    };

    // One pass over every pusher; returns when the earliest backing-off
    // pusher is due again, if any.
    Task<std::optional<Clock::time_point>> deliver_all();
    // Sends the pusher's pending notifications until none is left, its
    // gateway fails, or stop().
    Task<void> deliver(const store::PusherRow& pusher);

    federation::DbExecutor& db_;
    WakeHub& wake_;
    Options options_;
    spdlog::logger& log_;
    federation::BlockingPool http_pool_{2};
    std::atomic<bool> stopping_{false};
    std::map<PusherKey, Backoff> backoff_;  // only run() touches it
};

}  // namespace chat::daemon::push
