#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/sync/sync_assembler.hpp>

namespace chat::daemon {

// Who is typing where (PUT /rooms/{roomId}/typing/{userId}). Typing is
// ephemeral: it lives in this process's memory, never in the store, and has
// its own position in the sync token. Every change takes the next position;
// positions start at the wall clock in ms so that they keep increasing
// across restarts and a client's old token never hides a new change.
// Thread-safe; the sync assembler reads it as its TypingSource.
class TypingTracker final : public sync::TypingSource {
public:
    explicit TypingTracker(std::int64_t start_position) : position_(start_position) {}

    // Starts (until `expires_ms`) or stops `user` typing in `room`. Returns
    // true when the room's list of typing users changed (a renewed timeout
    // changes nothing others see). With workers, `now_ms` keeps positions
    // near the wall clock on every worker, so that a sync token taken on
    // one worker means about the same moment on another (0: next position).
    bool set(const RoomId& room, const UserId& user, bool typing, std::int64_t expires_ms,
             std::int64_t now_ms = 0);

    // The same change made on another worker at its position `stamp`: not
    // reported to the local-change observer. Returns whether the list changed.
    bool apply_remote(const RoomId& room, const UserId& user, bool typing,
                      std::int64_t expires_ms, std::int64_t stamp);

    // Told of every local set() (renewals too: other workers must not expire
    // the user early), after the change, with its stamp. Set before serving.
    using Observer = std::function<void(const RoomId& room, const UserId& user, bool typing,
                                        std::int64_t expires_ms, std::int64_t stamp)>;
    void observe_local(Observer observer) { observer_ = std::move(observer); }

    // Removes the users whose timeout passed by `now_ms`; true when any did.
    bool expire(std::int64_t now_ms);

    // The position of the latest change (read before a sync, see SyncRequest).
    std::int64_t position() const;

    std::optional<std::vector<UserId>> typing_in(
        const RoomId& room, std::optional<std::int64_t> since) const override;

private:
    // Applies one change under the lock; returns (list changed, stamp used).
    std::pair<bool, std::int64_t> change(const RoomId& room, const UserId& user, bool typing,
                                         std::int64_t expires_ms, std::int64_t stamp);
    // The next position, at least `stamp` (a hybrid of counter and clock).
    std::int64_t next_position(std::int64_t stamp);  // mutex_ held

    struct Room {
        std::map<UserId, std::int64_t> expires;  // user -> ms since the epoch
        std::int64_t changed_at = 0;             // position of the last change
    };

    mutable std::mutex mutex_;
    std::map<RoomId, Room> rooms_;  // guarded by mutex_
    std::int64_t position_;         // guarded by mutex_
    Observer observer_;
};

}  // namespace chat::daemon
