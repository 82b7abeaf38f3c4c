#include <chat/sync/notifier.hpp>

namespace chat::sync {
namespace {

bool any_past(const store::StreamPositions& now, const store::StreamPositions& since) {
    for (auto s : store::kAllStreams)
        if (now[s] > since[s]) return true;
    return false;
}

}  // namespace

void InProcessNotifier::advanced(store::Stream stream, store::Position position) {
    {
        std::lock_guard lock(mutex_);
        // Positions only move forward: a late notice for an older change
        // (another writer's) must not move a reader back.
        if (position <= positions_[stream]) return;
        positions_[stream] = position;
    }
    changed_.notify_all();
}

store::StreamPositions InProcessNotifier::positions() const {
    std::lock_guard lock(mutex_);
    return positions_;
}

store::StreamPositions InProcessNotifier::wait_past(const store::StreamPositions& since,
                                                    std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return any_past(positions_, since); });
    return positions_;
}

}  // namespace chat::sync
