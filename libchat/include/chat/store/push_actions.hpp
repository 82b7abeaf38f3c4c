#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// What one event means to one member's push rules, decided once when the
// event is persisted (the rows are what unread counts, GET /notifications and
// the push sender read). Stored two ways (migration 0200): one
// RoomPushActionRow per event for the decision most of the room's local
// members share, and a PushActionRow only for each member whose decision
// differs from it (or who is not joined, the invitee of an invite). A
// member's own row overrides the room's for that member, and may say
// notify = false. The readers below merge both; they answer PushActionRows
// that notify.
struct PushActionRow {
    UserId user_id;
    RoomId room_id;
    EventId event_id;
    Position stream_ordering = 0;
    std::optional<std::string> thread_id;  // none: the main timeline
    bool notify = false;
    bool highlight = false;
    nlohmann::json actions = nlohmann::json::array();
    std::int64_t ts = 0;
};

// The room's shared decision for an event, stored only when it notifies. It
// applies to every local member joined without a break since before the
// event, but the sender and members with a PushActionRow of their own for it.
struct RoomPushActionRow {
    RoomId room_id;
    EventId event_id;
    UserId sender;
    Position stream_ordering = 0;
    std::optional<std::string> thread_id;  // none: the main timeline
    bool highlight = false;
    nlohmann::json actions = nlohmann::json::array();
    std::int64_t ts = 0;
};

struct UnreadCounts {
    std::int64_t notifications = 0;
    std::int64_t highlights = 0;
};

struct ThreadCounts {
    std::string thread_id;  // the thread root's event id
    UnreadCounts counts;
};

class PushActionsReader {
public:
    virtual ~PushActionsReader() = default;
    // Counts of the user's rows in the room with stream_ordering > `after`.
    virtual Result<UnreadCounts> counts(const UserId& user_id, const RoomId& room_id,
                                        Position after) = 0;
    // The same over main-timeline rows only (no thread id): the room's
    // counts when a sync filter asks for unread_thread_notifications.
    virtual Result<UnreadCounts> main_counts(const UserId& user_id, const RoomId& room_id,
                                             Position after) = 0;
    // Counts per thread root of the user's threaded rows in the room, each
    // after the later of the user's unthreaded read receipt and their read
    // receipt in that thread (m.read or m.read.private). Threads with
    // nothing unread are left out.
    virtual Result<std::vector<ThreadCounts>> thread_counts(const UserId& user_id,
                                                            const RoomId& room_id) = 0;
    // The user's notifying rows with stream_ordering < `before`, newest
    // first, at most `limit`; only highlights when `only_highlight`
    // (GET /notifications).
    virtual Result<std::vector<PushActionRow>> newest_before(const UserId& user_id,
                                                             Position before, std::size_t limit,
                                                             bool only_highlight) = 0;
    // The user's notifying rows with stream_ordering > `after`, oldest
    // first, at most `limit` (the push sender).
    virtual Result<std::vector<PushActionRow>> oldest_after(const UserId& user_id,
                                                            Position after,
                                                            std::size_t limit) = 0;
};

class PushActions : public PushActionsReader {
public:
    // One member's decision where it differs from the room's (see above).
    virtual Result<void> put(const PushActionRow& row) = 0;
    virtual Result<void> put_for_room(const RoomPushActionRow& row) = 0;
};

}  // namespace chat::store
