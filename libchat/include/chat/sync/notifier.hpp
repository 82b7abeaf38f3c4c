#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include <chat/store/stream.hpp>

namespace chat::sync {

// Told when a stream advances, after the change is committed. The daemon
// supplies one that also publishes on Redis for other workers; embedders
// use InProcessNotifier or their own.
class Notifier {
public:
    virtual ~Notifier() = default;
    // `position` is committed and readable on `stream`. Must not block.
    virtual void advanced(store::Stream stream, store::Position position) = 0;
};

// An in-process notifier with blocking waiters, for programs that embed
// libchat with threads of their own. Thread-safe.
class InProcessNotifier final : public Notifier {
public:
    void advanced(store::Stream stream, store::Position position) override;

    // The latest positions it has been told of.
    store::StreamPositions positions() const;

    // Blocks until some stream is past `since`, or until `timeout`. Returns
    // the positions then (equal to `since` on a timeout with no change).
    store::StreamPositions wait_past(const store::StreamPositions& since,
                                     std::chrono::milliseconds timeout) const;

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    store::StreamPositions positions_;  // guarded by mutex_
};

}  // namespace chat::sync
