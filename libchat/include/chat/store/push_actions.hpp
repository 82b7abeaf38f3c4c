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

// One member's push rule outcome for one event, stored when the event is
// persisted and only when it notifies (the rows are what unread counts and
// GET /notifications read).
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
    virtual Result<void> put(const PushActionRow& row) = 0;
};

}  // namespace chat::store
