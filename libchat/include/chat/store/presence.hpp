#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// A user's latest presence (issue 5 point 5). The row is replaced on each
// change and takes a new position on Stream::presence.
struct PresenceRow {
    UserId user_id;
    std::string state;  // "online", "unavailable" or "offline"
    std::optional<std::string> status_msg;
    std::int64_t last_active_ts = 0;  // ms since the epoch
    bool currently_active = false;
    Position stream_position = 0;
};

class PresenceReader {
public:
    virtual ~PresenceReader() = default;
    virtual Result<std::optional<PresenceRow>> get(const UserId& user_id) = 0;
    // The presence of `viewer` and of every user who shares a joined room
    // with them, changed with from < stream_position <= to: the newest
    // `limit` rows, oldest first. Presence never goes to strangers.
    virtual Result<std::vector<PresenceRow>> visible_changes(const UserId& viewer, Position from,
                                                             Position to, std::size_t limit) = 0;
    // Every user whose stored state is not offline (a restarted daemon
    // times them out).
    virtual Result<std::vector<PresenceRow>> not_offline() = 0;
    // Whether `a` and `b` are both joined to some room (or are the same user).
    virtual Result<bool> share_a_room(const UserId& a, const UserId& b) = 0;
};

class Presence : public PresenceReader {
public:
    // Inserts or replaces the user's row; `row.stream_position` comes from
    // WriteTxn::next_position(Stream::presence).
    virtual Result<void> put(const PresenceRow& row) = 0;
};

}  // namespace chat::store
