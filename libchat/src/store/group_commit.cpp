#include "store/group_commit.hpp"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace chat::store {

GroupCommitter::GroupCommitter(std::size_t max_batch, RunBatch run_batch)
    : max_batch_(std::max<std::size_t>(max_batch, 1)), run_batch_(std::move(run_batch)) {}

Result<void> GroupCommitter::submit(PendingWrite& write) {
    std::unique_lock lock(mutex_);
    write.wake = next_wake_++ % kWakeSlots;
    std::condition_variable& wake = wakes_[write.wake];
    queue_.push_back(&write);
    queued_.store(queue_.size(), std::memory_order_relaxed);
    wake.wait(lock, [&] { return write.done || !leading_; });
    if (write.done) return std::move(*write.result);

    // Leader. Lead until our own write is done: with more than max_batch
    // queued ahead of it, that takes several batches.
    leading_ = true;
    std::vector<PendingWrite*> batch;
    std::bitset<kWakeSlots> to_wake;
    while (!write.done) {
        if (queue_.size() < last_batch_) {
            // Fewer writes wait than the last batch had: its callers, just
            // woken, may be about to queue their next ones. Give them the
            // processor once before taking the batch (on a busy core they
            // would otherwise make many small commits). A caller alone (last
            // batch of one) never yields.
            lock.unlock();
            std::this_thread::yield();
            lock.lock();
        }
        const std::size_t n = std::min(queue_.size(), max_batch_);
        batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        queued_.store(queue_.size(), std::memory_order_relaxed);
        last_batch_ = n;
        lock.unlock();
        run_batch_(batch);
        lock.lock();
        // A follower's PendingWrite lives on its stack: once `done` is set
        // under the lock, it may return and destroy it, so only its wake slot
        // (the committer's) is used after that.
        to_wake.reset();
        for (PendingWrite* w : batch) {
            if (!w->result) w->result = make_error(Errc::internal, "write was not run");
            w->done = true;
            if (w != &write) to_wake.set(w->wake);
        }
        lock.unlock();
        for (std::size_t i = 0; i < kWakeSlots; ++i)
            if (to_wake.test(i)) wakes_[i].notify_all();
        lock.lock();
    }
    leading_ = false;
    // Writes queued during our batches: the oldest one's caller leads next
    // (or whoever calls submit() first; the others wait for a result).
    std::optional<std::size_t> next;
    if (!queue_.empty()) next = queue_.front()->wake;
    Result<void> result = std::move(*write.result);
    lock.unlock();
    if (next) wakes_[*next].notify_all();
    return result;
}

}  // namespace chat::store
