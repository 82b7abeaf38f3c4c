#include "auth/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace chat::daemon {

namespace {

// Buckets of keys not seen for a while are full again, so forgetting them
// changes nothing; the sweep bounds memory against many distinct addresses.
constexpr std::size_t kSweepAbove = 10000;

}  // namespace

std::optional<Reply> RateLimiter::check(std::string_view key) {
    if (limit_.per_second <= 0) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    const double burst = std::max(1u, limit_.burst);
    std::lock_guard lock(mutex_);
    if (buckets_.size() > kSweepAbove) {
        std::erase_if(buckets_, [&](const auto& entry) {
            std::chrono::duration<double> idle = now - entry.second.updated;
            return entry.second.tokens + idle.count() * limit_.per_second >= burst;
        });
    }
    auto [it, fresh] = buckets_.try_emplace(std::string(key), Bucket{burst, now});
    auto& bucket = it->second;
    if (!fresh) {
        std::chrono::duration<double> elapsed = now - bucket.updated;
        bucket.tokens = std::min(burst, bucket.tokens + elapsed.count() * limit_.per_second);
        bucket.updated = now;
    }
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return std::nullopt;
    }
    auto wait_ms = static_cast<std::int64_t>(
        std::ceil((1 - bucket.tokens) / limit_.per_second * 1000.0));
    return Reply::json({{"errcode", "M_LIMIT_EXCEEDED"},
                        {"error", "Too many requests"},
                        {"retry_after_ms", wait_ms}},
                       429);
}

}  // namespace chat::daemon
