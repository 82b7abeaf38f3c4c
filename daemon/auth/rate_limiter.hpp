#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/config.hpp"
#include "http/reply.hpp"

namespace chat::daemon {

// Token buckets per key (a client address or a user ID) for one action.
// Thread-safe; a check costs a map lookup under a briefly held mutex.
class RateLimiter {
public:
    explicit RateLimiter(RateLimit limit) : limit_(limit) {}

    // Takes one token for `key`. Returns none when allowed, else the 429
    // M_LIMIT_EXCEEDED reply with `retry_after_ms` (spec client-server.md
    // "Rate limiting") that the handler sends instead of acting.
    std::optional<Reply> check(std::string_view key);

private:
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point updated;
    };

    RateLimit limit_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;  // guarded by mutex_
};

}  // namespace chat::daemon
