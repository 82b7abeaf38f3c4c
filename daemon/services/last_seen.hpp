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

}  // namespace chat::daemon
