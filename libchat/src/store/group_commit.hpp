#pragma once

#include <array>
#include <atomic>
#include <bitset>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>

#include <chat/core/result.hpp>
#include <chat/store/store.hpp>

namespace chat::store {

// One write function waiting for, or running in, a group commit.
struct PendingWrite {
    std::string_view name;
    detail::TxnFn<WriteTxn> fn;
    std::optional<Result<void>> result;  // set by the batch runner
    bool done = false;                   // set under the committer's mutex
    std::size_t wake = 0;                // its caller's wake slot, set by submit()
    // Set for a write given to submit_async(): called with the write (its
    // result set) once its batch has committed, on the thread that ran the
    // batch, without the committer's mutex. It may free the write.
    std::function<void(PendingWrite&)> on_done;
};

// Leader/follower group commit for a library without threads of its own.
//
// Each caller of submit() queues its write and waits. When no batch is
// running, one waiting caller becomes the leader: it takes the queue (up to
// max_batch writes, its own among them, oldest first) and runs them with
// `run_batch` (one transaction, one commit) on its own thread, while the
// others wait; then it wakes them with their results. Writes queued while a
// batch runs form the next batch, so the fsync of one commit is shared by
// everything that arrived during the previous one, and a caller alone
// commits at once: batching adds no waiting.
//
// Callers wait on the committer's condition variables (one of kWakeSlots,
// taken in turn), so a finished batch wakes its own callers and the next
// leader, not every waiting thread (only a caller that shares a slot with
// one of them, who finds nothing done and waits again). They belong to the committer, not to the
// callers, so the leader can wake them after releasing its mutex: a caller
// woken while the leader still held it (on one core, a woken thread often
// preempts the waker) would at once block on the mutex again.
//
// submit_async() queues a write that nobody waits for: its on_done gets the
// result. Waking a blocked caller and switching back to it costs about as
// much CPU as a small write itself (issue 3's benchmark), and a caller with
// an event loop need not block at all. A leader runs asynchronous writes
// with the others, and does not stop leading while the oldest queued write is
// an asynchronous one (nobody else would run it), so every write is run.
//
// Thread-safe. submit() blocks until the write is done; `run_batch` must set
// every write's result and must not throw; on_done must not throw, and must
// not call submit() (a blocking write from the thread that is leading could
// never run: submit() refuses it).
class GroupCommitter {
public:
    using RunBatch = std::function<void(std::span<PendingWrite* const> batch)>;

    GroupCommitter(std::size_t max_batch, RunBatch run_batch);
    // Callers wait on its state.
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    Result<void> submit(PendingWrite& write);

    // Whether submit_async() may run batches on the calling thread.
    using Lead = AsyncLead;
    // Queues `write` (its on_done set; it must live until on_done is called)
    // and returns. With Lead::now and no batch running, this thread leads
    // first, until no asynchronous write is left at the head of the queue,
    // including those that on_done calls queue meanwhile.
    void submit_async(PendingWrite& write, Lead lead = Lead::now);

    // Writes waiting for a batch now (not those of the running batch).
    std::size_t queued() const noexcept { return queued_.load(std::memory_order_relaxed); }

private:
    // With `lock` held and no batch running: runs batches until `own` (when
    // given) is done and the oldest queued write, if any, is a blocking
    // caller's, who is then woken to lead.
    void lead(std::unique_lock<std::mutex>& lock, PendingWrite* own);

    const std::size_t max_batch_;
    const RunBatch run_batch_;
    std::mutex mutex_;
    std::deque<PendingWrite*> queue_;  // guarded by mutex_
    static constexpr std::size_t kWakeSlots = 64;
    std::array<std::condition_variable, kWakeSlots> wakes_;
    std::size_t next_wake_ = 0;        // guarded by mutex_
    bool leading_ = false;             // guarded by mutex_: a batch is being run
    std::size_t last_batch_ = 0;       // guarded by mutex_: writes in the last batch
    std::atomic<std::size_t> queued_{0};  // queue_.size(), readable without the mutex
};

}  // namespace chat::store
