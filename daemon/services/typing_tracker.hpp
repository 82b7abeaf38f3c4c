#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
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
    // changes nothing others see).
    bool set(const RoomId& room, const UserId& user, bool typing, std::int64_t expires_ms);

    // Removes the users whose timeout passed by `now_ms`; true when any did.
    bool expire(std::int64_t now_ms);

    // The position of the latest change (read before a sync, see SyncRequest).
    std::int64_t position() const;

    std::optional<std::vector<UserId>> typing_in(
        const RoomId& room, std::optional<std::int64_t> since) const override;

private:
    struct Room {
        std::map<UserId, std::int64_t> expires;  // user -> ms since the epoch
        std::int64_t changed_at = 0;             // position of the last change
    };

    mutable std::mutex mutex_;
    std::map<RoomId, Room> rooms_;  // guarded by mutex_
    std::int64_t position_;         // guarded by mutex_
};

}  // namespace chat::daemon
