#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include <chat/core/user_id.hpp>

namespace chat::daemon {

// Delivery inference (libchat receipts/delivery.hpp) is batched: a /sync
// only notes how far the user's `since` reached; the once-a-second
// housekeeping tick runs the inference for every noted user in one store
// write. Inferring inline cost a write per sync, and each write woke every
// waiting sync, which woke more syncs: at a few hundred messages a second
// that loop dominated the server's CPU. An inferred receipt therefore
// arrives up to a second late. Thread-safe.
class DeliveryAcks {
public:
    // A sync of `user` carried a `since` token at `position` on the events
    // stream.
    void note(const UserId& user, std::int64_t position) {
        std::lock_guard lock(mutex_);
        auto known = acked_.find(user);
        if (known != acked_.end() && position <= known->second) return;
        auto& pending = pending_[user];
        if (position > pending) pending = position;
    }
    // The noted positions, emptied; each is then acked() once inferred.
    std::vector<std::pair<UserId, std::int64_t>> take() {
        std::lock_guard lock(mutex_);
        std::vector<std::pair<UserId, std::int64_t>> out(pending_.begin(), pending_.end());
        pending_.clear();
        return out;
    }
    void acked(const UserId& user, std::int64_t position) {
        std::lock_guard lock(mutex_);
        auto& known = acked_[user];
        if (position > known) known = position;
    }

private:
    mutable std::mutex mutex_;
    std::map<UserId, std::int64_t> acked_;    // guarded by mutex_
    std::map<UserId, std::int64_t> pending_;  // guarded by mutex_
};

}  // namespace chat::daemon
