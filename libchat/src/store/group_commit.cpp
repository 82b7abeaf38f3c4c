#include "store/group_commit.hpp"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace chat::store {
namespace {

// The committer this thread is leading, if any: a blocking write from an
// on_done callback would wait for a leader that is this very thread.
thread_local const GroupCommitter* leading_here = nullptr;

}  // namespace

GroupCommitter::GroupCommitter(std::size_t max_batch, RunBatch run_batch)
    : max_batch_(std::max<std::size_t>(max_batch, 1)), run_batch_(std::move(run_batch)) {}

Result<void> GroupCommitter::submit(PendingWrite& write) {
    if (leading_here == this)
        return make_error(Errc::internal, "Internal server error.",
                          "a blocking write from a write's completion, on the thread leading");
    std::unique_lock lock(mutex_);
    write.wake = next_wake_++ % kWakeSlots;
    std::condition_variable& wake = wakes_[write.wake];
    queue_.push_back(&write);
    queued_.store(queue_.size(), std::memory_order_relaxed);
    wake.wait(lock, [&] { return write.done || !leading_; });
    if (write.done) return std::move(*write.result);
    // Leader. Lead until our own write is done: with more than max_batch
    // queued ahead of it, that takes several batches.
    lead(lock, &write);
    return std::move(*write.result);
}

void GroupCommitter::submit_async(PendingWrite& write, Lead lead_now) {
    std::unique_lock lock(mutex_);
    write.wake = next_wake_++ % kWakeSlots;
    queue_.push_back(&write);
    queued_.store(queue_.size(), std::memory_order_relaxed);
    // A running batch's leader takes it (on_done calls land here while their
    // thread leads); so does the next submit() or Lead::now call.
    if (leading_ || lead_now == Lead::later) return;
    lead(lock, nullptr);
}

void GroupCommitter::lead(std::unique_lock<std::mutex>& lock, PendingWrite* own) {
    leading_ = true;
    leading_here = this;
    std::vector<PendingWrite*> batch;
    std::vector<PendingWrite*> finished_async;
    std::bitset<kWakeSlots> to_wake;
    for (;;) {
        // Lead on while our own write waits, or while the oldest queued write
        // is one that nobody waits for (nobody else would run it).
        if ((own == nullptr || own->done) && (queue_.empty() || !queue_.front()->on_done)) break;
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
        finished_async.clear();
        for (PendingWrite* w : batch) {
            if (!w->result) w->result = make_error(Errc::internal, "write was not run");
            if (w->on_done) {
                finished_async.push_back(w);
                continue;
            }
            w->done = true;
            if (w != own) to_wake.set(w->wake);
        }
        lock.unlock();
        for (std::size_t i = 0; i < kWakeSlots; ++i)
            if (to_wake.test(i)) wakes_[i].notify_all();
        // Without the mutex: a completion may queue the next write.
        // (It may free the write: it is called from a copy.)
        for (PendingWrite* w : finished_async) {
            auto finish = std::move(w->on_done);
            finish(*w);
        }
        lock.lock();
    }
    leading_ = false;
    leading_here = nullptr;
    // Writes queued during our batches: the oldest one's caller leads next
    // (or whoever calls submit() first; the others wait for a result).
    std::optional<std::size_t> next;
    if (!queue_.empty()) next = queue_.front()->wake;
    lock.unlock();
    if (next) wakes_[*next].notify_all();
    lock.lock();
}

}  // namespace chat::store
