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

class PushActionsReader {
public:
    virtual ~PushActionsReader() = default;
    // Counts of the user's rows in the room with stream_ordering > `after`.
    virtual Result<UnreadCounts> counts(const UserId& user_id, const RoomId& room_id,
                                        Position after) = 0;
};

class PushActions : public PushActionsReader {
public:
    virtual Result<void> put(const PushActionRow& row) = 0;
};

}  // namespace chat::store
