#include "services/typing_tracker.hpp"

#include <algorithm>

namespace chat::daemon {

std::int64_t TypingTracker::next_position(std::int64_t stamp) {
    position_ = std::max(position_ + 1, stamp);
    return position_;
}

std::pair<bool, std::int64_t> TypingTracker::change(const RoomId& room, const UserId& user,
                                                    bool typing, std::int64_t expires_ms,
                                                    std::int64_t stamp) {
    std::lock_guard lock(mutex_);
    Room& r = rooms_[room];
    bool changed = false;
    if (typing) {
        changed = r.expires.insert_or_assign(user, expires_ms).second;
    } else {
        changed = r.expires.erase(user) > 0;
    }
    if (changed) {
        r.changed_at = next_position(stamp);
        return {true, r.changed_at};
    }
    return {false, std::max(position_, stamp)};
}

bool TypingTracker::set(const RoomId& room, const UserId& user, bool typing,
                        std::int64_t expires_ms, std::int64_t now_ms) {
    auto [changed, stamp] = change(room, user, typing, expires_ms, now_ms);
    if (observer_) observer_(room, user, typing, expires_ms, stamp);
    return changed;
}

bool TypingTracker::apply_remote(const RoomId& room, const UserId& user, bool typing,
                                 std::int64_t expires_ms, std::int64_t stamp) {
    // The receiving side of a hybrid clock: our next position, but never
    // below the sender's, so positions on every worker track the wall clock
    // while each worker's own stay strictly increasing (its clients' tokens).
    return change(room, user, typing, expires_ms, stamp).first;
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
            r.changed_at = next_position(now_ms);
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
