#include <chat/presence/presence.hpp>

#include <algorithm>

namespace chat::presence {

std::string_view to_string(State state) noexcept {
    switch (state) {
        case State::online: return "online";
        case State::unavailable: return "unavailable";
        case State::offline: return "offline";
    }
    return "offline";
}

std::optional<State> parse_state(std::string_view text) noexcept {
    if (text == "online") return State::online;
    if (text == "unavailable") return State::unavailable;
    if (text == "offline") return State::offline;
    return std::nullopt;
}

Status set_state(Status status, State state, std::optional<std::string> status_msg,
                 std::int64_t now_ts) {
    status.state = state;
    status.status_msg = std::move(status_msg);
    if (state == State::online) {
        status.last_active_ts = now_ts;
        status.currently_active = true;
    } else {
        status.currently_active = false;
    }
    return status;
}

Status on_sync(Status status, State set_presence, std::int64_t now_ts) {
    switch (set_presence) {
        case State::offline: return status;
        case State::unavailable:
            status.state = State::unavailable;
            status.currently_active = false;
            return status;
        case State::online:
            if (status.state == State::offline) {
                status.state = State::online;
                status.last_active_ts = now_ts;
                status.currently_active = true;
            }
            return status;
    }
    return status;
}

Status on_activity(Status status, std::int64_t now_ts) {
    status.state = State::online;
    status.last_active_ts = now_ts;
    status.currently_active = true;
    return status;
}

Status on_tick(Status status, std::int64_t now_ts, std::int64_t last_seen_ts, bool syncing,
               const Timeouts& timeouts) {
    const auto idle = now_ts - status.last_active_ts;
    if (status.state == State::online && idle >= timeouts.idle_after.count())
        status.state = State::unavailable;
    if (status.state != State::offline && !syncing &&
        now_ts - last_seen_ts >= timeouts.offline_after.count())
        status.state = State::offline;
    status.currently_active =
        status.state == State::online && idle < timeouts.active_window.count();
    return status;
}

bool visible_change(const Status& before, const Status& after) noexcept {
    return before.state != after.state || before.status_msg != after.status_msg ||
           before.currently_active != after.currently_active;
}

nlohmann::json content(const Status& status, std::int64_t now_ts) {
    nlohmann::json out = {{"presence", to_string(status.state)}};
    if (status.last_active_ts > 0)
        out["last_active_ago"] = std::max<std::int64_t>(0, now_ts - status.last_active_ts);
    out["currently_active"] = status.currently_active;
    if (status.status_msg) out["status_msg"] = *status.status_msg;
    return out;
}

Status from_row(const store::PresenceRow& row) {
    return Status{.state = parse_state(row.state).value_or(State::offline),
                  .status_msg = row.status_msg,
                  .last_active_ts = row.last_active_ts,
                  .currently_active = row.currently_active};
}

Result<store::Position> write(store::WriteTxn& txn, const UserId& user, const Status& status) {
    auto pos = txn.next_position(store::Stream::presence);
    if (!pos) return pos.error();
    auto put = txn.presence().put({.user_id = user,
                                   .state = std::string(to_string(status.state)),
                                   .status_msg = status.status_msg,
                                   .last_active_ts = status.last_active_ts,
                                   .currently_active = status.currently_active,
                                   .stream_position = *pos});
    if (!put) return put.error();
    return *pos;
}

}  // namespace chat::presence
