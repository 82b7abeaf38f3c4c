#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/fwd.h>

#include <chat/core/clock.hpp>
#include <chat/store/stream.hpp>

#include "bus/bus_message.hpp"
#include "config/config.hpp"
#include "services/wake_hub.hpp"

namespace chat::store {
class Store;
}

namespace chat::daemon {

class TypingTracker;
class PresenceTracker;

// The workers' bus (docs/architecture.md, "Workers"): the only code that
// speaks to Redis (hiredis). One thread of its own with two connections:
// one subscribed to <channel_prefix>:bus, one that publishes.
//
// Out: every local stream advance and poke (it is the WakeHub's listener),
// every local typing change, and once a tick the users this worker saw.
// In: another worker's messages wake this worker's long-polls, update its
// typing view and restart its presence timeouts.
//
// Redis down: publishing drops messages (they carry positions, the rows are
// in the shared store), the thread reconnects with exponential backoff and,
// until it is subscribed again, compares the store's stream positions every
// kStorePoll and wakes the long-polls when they moved. Every (re)connection
// and every disconnection wakes all long-polls once, so that a change whose
// message was lost in between is read. Thread-safe.
class RedisBus final : public WakeHub::Listener {
public:
    static constexpr std::chrono::milliseconds kStorePoll{300};
    static constexpr std::chrono::milliseconds kMinBackoff{100};
    static constexpr std::chrono::milliseconds kMaxBackoff{5000};
    static constexpr std::size_t kMaxQueued = 10000;  // beyond it, new messages are dropped

    RedisBus(const WorkersConfig& config, store::Store& store, WakeHub& wake,
             TypingTracker& typing, PresenceTracker& presence, const Clock& clock,
             spdlog::logger& log);
    ~RedisBus() override;  // stop()
    // Owns a thread that refers to this object.
    RedisBus(const RedisBus&) = delete;
    RedisBus& operator=(const RedisBus&) = delete;

    // Starts the thread (connecting is its job: start() never blocks on Redis).
    void start();
    // Ends the thread; queued messages are dropped, later ones never sent.
    // Idempotent.
    void stop();

    // Subscribed now (metrics, tests).
    bool connected() const noexcept { return connected_.load(); }

    // Queues a message for every other worker. Never blocks.
    void publish(bus::BusBody body);

    // Once a housekeeping tick: tells the others who was seen here.
    void tick(std::int64_t now_ms);

    void local_advanced(store::Stream stream, store::Position position) override;
    void local_poke() override;

private:
    struct Connections;
    void run();
    bool connect();
    void disconnect(std::string_view why);
    void publish_queued();
    bool read_messages(std::chrono::milliseconds wait);
    void wait_idle(std::chrono::milliseconds wait);
    void poll_store();
    void handle(const bus::BusMessage& message);

    const WorkersConfig config_;
    const std::string channel_;
    store::Store& store_;
    WakeHub& wake_;
    TypingTracker& typing_;
    PresenceTracker& presence_;
    const Clock& clock_;
    spdlog::logger& log_;

    std::mutex mutex_;
    std::deque<std::string> queue_;  // guarded by mutex_: encoded, to publish
    std::int64_t last_tick_ms_ = 0;  // tick() only (the housekeeping strand)

    int wake_pipe_[2] = {-1, -1};  // a byte in it wakes the thread (a message, stop)
    std::atomic<bool> stopping_{false};
    std::atomic<bool> connected_{false};
    std::thread thread_;

    // The thread's own state.
    std::unique_ptr<Connections> redis_;
    std::optional<store::StreamPositions> polled_;
    std::uint64_t dropped_ = 0;
};

}  // namespace chat::daemon
