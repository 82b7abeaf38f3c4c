#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <chat/core/user_id.hpp>

namespace chat::daemon {

// Decides when a device's "last seen" (GET /devices: last_seen_ts,
// last_seen_ip) is written: at its first request, then at most once per
// `interval`, so that a busy client costs one store write a minute, not one
// per request. Thread-safe.
class LastSeen {
public:
    explicit LastSeen(std::chrono::milliseconds interval) : interval_(interval) {}

    // True when the caller should write now; the time is then recorded.
    bool due(const UserId& user, const std::string& device_id, std::int64_t now_ms) {
        std::lock_guard lock(mutex_);
        auto [it, inserted] = written_.try_emplace({user, device_id}, now_ms);
        if (inserted) return true;
        if (now_ms - it->second < interval_.count()) return false;
        it->second = now_ms;
        return true;
    }

private:
    const std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::map<std::pair<UserId, std::string>, std::int64_t> written_;  // guarded by mutex_
};

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
    // Whether `position` is past the user's known acknowledgement.
    bool pending(const UserId& user, std::int64_t position) const {
        std::lock_guard lock(mutex_);
        auto it = acked_.find(user);
        return it == acked_.end() || position > it->second;
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
