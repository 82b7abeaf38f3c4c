#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/presence.hpp>
#include <chat/store/txn.hpp>

namespace chat::presence {

// The presence model (client-server API "Presence"): pure transitions from
// what a user does and from the passing of time. The daemon keeps one
// Status per active user in memory and writes only visible changes to the
// store, so that presence is coalesced: a user who keeps chatting is one
// write when they come online, not one per message.

enum class State { online, unavailable, offline };

std::string_view to_string(State state) noexcept;
// none for anything but the three spec values.
std::optional<State> parse_state(std::string_view text) noexcept;

struct Timeouts {
    // Online with no activity for this long: unavailable (idle).
    std::chrono::milliseconds idle_after{5 * 60 * 1000};
    // No request at all (no sync running) for this long: offline.
    std::chrono::milliseconds offline_after{30 * 1000};
    // `currently_active` while the last activity is this recent.
    std::chrono::milliseconds active_window{60 * 1000};
};

struct Status {
    State state = State::offline;
    std::optional<std::string> status_msg;
    std::int64_t last_active_ts = 0;  // ms since the epoch; 0 never
    bool currently_active = false;

    bool operator==(const Status&) const = default;
};

// PUT /presence/{userId}/status. Going online counts as activity.
Status set_state(Status status, State state, std::optional<std::string> status_msg,
                 std::int64_t now_ts);

// A /sync with `set_presence` (online when absent). "offline" leaves the
// status alone: the client does not want to be seen. "online" brings back
// an offline user but not one who chose unavailable.
Status on_sync(Status status, State set_presence, std::int64_t now_ts);

// The user did something (sent an event, a receipt, typing): online and
// currently active.
Status on_activity(Status status, std::int64_t now_ts);

// Time passed: idle users become unavailable, users with no request for
// `offline_after` (`last_seen_ts`) and no sync in progress go offline, and
// `currently_active` lapses.
Status on_tick(Status status, std::int64_t now_ts, std::int64_t last_seen_ts, bool syncing,
               const Timeouts& timeouts);

// Whether other users would see a difference (what gets written): the
// state, the message, or currently_active. last_active_ts alone does not.
bool visible_change(const Status& before, const Status& after) noexcept;

// The m.presence content clients get, with last_active_ago from `now_ts`.
nlohmann::json content(const Status& status, std::int64_t now_ts);

// The status a store row holds (offline for an unknown state).
Status from_row(const store::PresenceRow& row);

// Writes `status` for `user`; returns its position on the presence stream.
Result<store::Position> write(store::WriteTxn& txn, const UserId& user, const Status& status);

}  // namespace chat::presence
