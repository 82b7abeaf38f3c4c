#include "services/typing_tracker.hpp"

namespace chat::daemon {

bool TypingTracker::set(const RoomId& room, const UserId& user, bool typing,
                        std::int64_t expires_ms) {
    std::lock_guard lock(mutex_);
    Room& r = rooms_[room];
    bool changed = false;
    if (typing) {
        changed = r.expires.insert_or_assign(user, expires_ms).second;
    } else {
        changed = r.expires.erase(user) > 0;
    }
    if (changed) r.changed_at = ++position_;
    return changed;
}

bool TypingTracker::expire(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    bool any = false;
    for (auto& [room, r] : rooms_) {
        bool changed = false;
        for (auto it = r.expires.begin(); it != r.expires.end();) {
            if (it->second <= now_ms) {
                it = r.expires.erase(it);
                changed = true;
            } else {
                ++it;
            }
        }
        if (changed) {
            r.changed_at = ++position_;
            any = true;
        }
    }
    return any;
}

std::int64_t TypingTracker::position() const {
    std::lock_guard lock(mutex_);
    return position_;
}

std::optional<std::vector<UserId>> TypingTracker::typing_in(
    const RoomId& room, std::optional<std::int64_t> since) const {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return std::nullopt;
    const Room& r = it->second;
    // An initial sync needs no empty list; an incremental one needs the
    // list whenever it changed, empty or not, so that the typing stops.
    if (!since && r.expires.empty()) return std::nullopt;
    if (since && r.changed_at <= *since) return std::nullopt;
    std::vector<UserId> users;
    users.reserve(r.expires.size());
    for (const auto& [user, expires] : r.expires) users.push_back(user);
    return users;
}

}  // namespace chat::daemon
