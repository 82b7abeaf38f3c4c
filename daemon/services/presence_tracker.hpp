#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <chat/core/user_id.hpp>
#include <chat/presence/presence.hpp>
#include <chat/store/presence.hpp>

namespace chat::daemon {

// The presence of the users this process has seen recently, in memory, with
// what was last written to the store. Every call that can change a status
// returns whether the visible status now differs from the written one: the
// caller then writes it (write_presence in services/presence_writer.hpp).
// Coalescing is that comparison: activity that moves only last_active_ts
// writes nothing. Thread-safe.
class PresenceTracker {
public:
    explicit PresenceTracker(presence::Timeouts timeouts) : timeouts_(timeouts) {}

    // At start-up: users the store still shows online or unavailable, as
    // if just seen, so that the timeouts take them offline if they do not
    // come back.
    void load(const std::vector<store::PresenceRow>& rows, std::int64_t now_ms);

    // Any authenticated request: the user is still around (the offline
    // timeout restarts). Never a visible change by itself.
    void seen(const UserId& user, std::int64_t now_ms);
    // A /sync begins or ends (a running long-poll keeps the user online).
    bool sync_started(const UserId& user, presence::State set_presence, std::int64_t now_ms);
    void sync_ended(const UserId& user, std::int64_t now_ms);
    // Sending events, receipts, typing.
    bool activity(const UserId& user, std::int64_t now_ms);
    // PUT /presence/{userId}/status.
    bool set(const UserId& user, presence::State state, std::optional<std::string> status_msg,
             std::int64_t now_ms);
    // Applies the timeouts; returns the users whose status must be written.
    std::vector<UserId> tick(std::int64_t now_ms);

    // The status to write for `user`, recorded as written; none when it
    // equals what was written already (another writer was first).
    std::optional<presence::Status> take_for_write(const UserId& user);

    // Workers: the users seen here (a request, or a /sync running) after
    // `since_ms`, to tell the other workers; and a user another worker saw,
    // whose offline timeout restarts here too (if tracked here at all).
    std::vector<UserId> seen_after(std::int64_t since_ms) const;
    void seen_elsewhere(const UserId& user, std::int64_t now_ms);
    // The same for activity (what keeps a user from turning unavailable):
    // users active here after `since_ms`, and one active elsewhere at `ts`.
    std::vector<UserId> active_after(std::int64_t since_ms) const;
    void active_elsewhere(const UserId& user, std::int64_t ts);

    // Workers: takes the stored status message unless this worker set the
    // user's message itself since it last wrote the user's status.
    void adopt_stored_message(const UserId& user, std::optional<std::string> stored);

    // The in-memory status, if the user is tracked.
    std::optional<presence::Status> current(const UserId& user) const;

private:
    struct Tracked {
        presence::Status status;
        std::optional<presence::Status> written;  // none: nothing written yet
        std::int64_t last_seen_ms = 0;
        int syncing = 0;  // /sync requests running now
        // Workers: what happened on this worker only. What others report
        // is never reported back, or two workers would keep a user alive
        // by telling each other forever.
        std::int64_t seen_here_ms = 0;
        std::int64_t active_here_ms = 0;
        bool message_here = false;  // set() since the last take_for_write()
    };
    Tracked& tracked(const UserId& user);  // mutex_ held
    static bool dirty(const Tracked& t);

    const presence::Timeouts timeouts_;
    mutable std::mutex mutex_;
    std::map<UserId, Tracked> users_;  // guarded by mutex_
};

}  // namespace chat::daemon
