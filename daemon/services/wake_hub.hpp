#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>

#include <chat/sync/notifier.hpp>

#include "http/task.hpp"

namespace chat::daemon {

// Wakes long-polling /sync requests when anything a client could see changes.
//
// libchat tells it of every committed stream advance (it is the Notifier the
// RoomService and friends are given); in-memory changes such as typing call
// poke(). Each change bumps a generation counter. A sync request notes the
// generation, reads the store, and when it found nothing new waits for the
// generation to move past the one it noted: a change that commits between
// its read and its wait is therefore never missed.
//
// Every waiter wakes on every change and re-reads; a waiter costs a timer,
// never a thread. Thread-safe.
class WakeHub final : public sync::Notifier {
public:
    void advanced(store::Stream stream, store::Position position) override;
    // A change outside the store's streams (typing).
    void poke();

    // Workers (daemon/bus/): told of every local change above, to publish
    // it; set before serving, never changed after. Must not block.
    class Listener {
    public:
        virtual ~Listener() = default;
        virtual void local_advanced(store::Stream stream, store::Position position) = 0;
        virtual void local_poke() = 0;
    };
    void set_listener(Listener* listener) noexcept { listener_ = listener; }
    // A change another worker made (or the store poll found): wakes the
    // waiters without telling the listener.
    void remote_change() { wake_all(); }

    std::uint64_t generation() const noexcept { return generation_.load(); }

    // Suspends until generation() > `seen` or `timeout` passes. Returns true
    // when a change woke it. Resumes on the caller's executor.
    Task<bool> wait_past(std::uint64_t seen, std::chrono::milliseconds timeout);

    // Waiting requests now (metrics, tests).
    std::size_t waiting() const;

private:
    struct Waiter;
    void wake_all();

    mutable std::mutex mutex_;
    std::atomic<std::uint64_t> generation_{0};
    std::list<std::shared_ptr<Waiter>> waiters_;  // guarded by mutex_
    Listener* listener_ = nullptr;
};

}  // namespace chat::daemon
