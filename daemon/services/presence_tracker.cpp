#include "services/presence_tracker.hpp"

namespace chat::daemon {

void PresenceTracker::load(const std::vector<store::PresenceRow>& rows, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    for (const auto& row : rows) {
        Tracked& t = users_[row.user_id];
        t.status = presence::from_row(row);
        t.written = t.status;
        t.last_seen_ms = now_ms;
    }
}

PresenceTracker::Tracked& PresenceTracker::tracked(const UserId& user) {
    return users_[user];
}

bool PresenceTracker::dirty(const Tracked& t) {
    // Never written: only worth writing once it is more than "offline,
    // never active" (a request alone does not make a user present).
    if (!t.written) return !(t.status == presence::Status{});
    return presence::visible_change(*t.written, t.status);
}

void PresenceTracker::seen(const UserId& user, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Tracked& t = tracked(user);
    t.last_seen_ms = t.seen_here_ms = now_ms;
}

bool PresenceTracker::sync_started(const UserId& user, presence::State set_presence,
                                   std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Tracked& t = tracked(user);
    t.last_seen_ms = t.seen_here_ms = now_ms;
    ++t.syncing;
    t.status = presence::on_sync(t.status, set_presence, now_ms);
    return dirty(t);
}

void PresenceTracker::sync_ended(const UserId& user, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Tracked& t = tracked(user);
    t.last_seen_ms = t.seen_here_ms = now_ms;
    if (t.syncing > 0) --t.syncing;
}

bool PresenceTracker::activity(const UserId& user, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Tracked& t = tracked(user);
    t.last_seen_ms = t.seen_here_ms = t.active_here_ms = now_ms;
    t.status = presence::on_activity(t.status, now_ms);
    return dirty(t);
}

bool PresenceTracker::set(const UserId& user, presence::State state,
                          std::optional<std::string> status_msg, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Tracked& t = tracked(user);
    t.last_seen_ms = t.seen_here_ms = now_ms;
    if (state == presence::State::online) t.active_here_ms = now_ms;
    t.message_here = true;
    t.status = presence::set_state(t.status, state, std::move(status_msg), now_ms);
    return dirty(t);
}

std::vector<UserId> PresenceTracker::tick(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    std::vector<UserId> out;
    for (auto it = users_.begin(); it != users_.end();) {
        Tracked& t = it->second;
        t.status = presence::on_tick(t.status, now_ms, t.last_seen_ms, t.syncing > 0, timeouts_);
        if (dirty(t)) {
            out.push_back(it->first);
            ++it;
        } else if (t.status.state == presence::State::offline && t.syncing == 0) {
            // Offline and written: the store remembers it; memory need not.
            it = users_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::optional<presence::Status> PresenceTracker::take_for_write(const UserId& user) {
    std::lock_guard lock(mutex_);
    auto it = users_.find(user);
    if (it == users_.end() || !dirty(it->second)) return std::nullopt;
    it->second.written = it->second.status;
    it->second.message_here = false;
    return it->second.status;
}

std::vector<UserId> PresenceTracker::seen_after(std::int64_t since_ms) const {
    std::lock_guard lock(mutex_);
    std::vector<UserId> out;
    for (const auto& [user, t] : users_)
        if (t.syncing > 0 || t.seen_here_ms > since_ms) out.push_back(user);
    return out;
}

void PresenceTracker::seen_elsewhere(const UserId& user, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    auto it = users_.find(user);
    if (it != users_.end() && it->second.last_seen_ms < now_ms) it->second.last_seen_ms = now_ms;
}

std::vector<UserId> PresenceTracker::active_after(std::int64_t since_ms) const {
    std::lock_guard lock(mutex_);
    std::vector<UserId> out;
    for (const auto& [user, t] : users_)
        if (t.active_here_ms > since_ms) out.push_back(user);
    return out;
}

void PresenceTracker::active_elsewhere(const UserId& user, std::int64_t ts) {
    std::lock_guard lock(mutex_);
    auto it = users_.find(user);
    if (it == users_.end() || it->second.status.last_active_ts >= ts) return;
    Tracked& t = it->second;
    if (t.last_seen_ms < ts) t.last_seen_ms = ts;
    // As the other worker did: a visible change here is written by the next
    // tick, and skipped there if that worker wrote it already.
    t.status = presence::on_activity(t.status, ts);
}

void PresenceTracker::adopt_stored_message(const UserId& user,
                                           std::optional<std::string> stored) {
    std::lock_guard lock(mutex_);
    auto it = users_.find(user);
    if (it == users_.end() || it->second.message_here) return;
    it->second.status.status_msg = std::move(stored);
}

std::optional<presence::Status> PresenceTracker::current(const UserId& user) const {
    std::lock_guard lock(mutex_);
    auto it = users_.find(user);
    if (it == users_.end()) return std::nullopt;
    return it->second.status;
}

}  // namespace chat::daemon
