#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

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

// The events position up to which each user's syncs have been acknowledged
// for delivery inference, so that only a sync that moved past it costs a
// store write. Thread-safe.
class DeliveryAcks {
public:
    // True when `position` is past the user's known acknowledgement; the
    // caller then runs the inference and calls acked().
    bool pending(const UserId& user, std::int64_t position) const {
        std::lock_guard lock(mutex_);
        auto it = acked_.find(user);
        return it == acked_.end() || position > it->second;
    }
    void acked(const UserId& user, std::int64_t position) {
        std::lock_guard lock(mutex_);
        auto& known = acked_[user];
        if (position > known) known = position;
    }

private:
    mutable std::mutex mutex_;
    std::map<UserId, std::int64_t> acked_;  // guarded by mutex_
};

}  // namespace chat::daemon
