#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

enum class ReportKind { event, room, user };

// "event", "room", "user": the name stored and shown to admins.
inline std::string_view to_string(ReportKind kind) noexcept {
    switch (kind) {
    case ReportKind::event: return "event";
    case ReportKind::room: return "room";
    case ReportKind::user: return "user";
    }
    return "event";  // unreachable
}

// One content report (spec client-server "Reporting content"). Which ids are
// set depends on the kind: event reports have room and event, room reports
// the room, user reports the target user.
struct ReportRow {
    std::int64_t report_id = 0;  // assigned by Reports::add
    ReportKind kind = ReportKind::event;
    UserId reporter;
    std::optional<RoomId> room_id;
    std::optional<EventId> event_id;
    std::optional<UserId> target_user_id;
    std::optional<std::string> reason;  // as the reporter wrote it
    std::optional<std::int64_t> score;  // -100 (most offensive) to 0; event reports before v1.18
    std::int64_t received_ts = 0;
};

// Read by the admin API.
class ReportsReader {
public:
    virtual ~ReportsReader() = default;
    virtual Result<std::optional<ReportRow>> get(std::int64_t report_id) = 0;
    // Reports with report_id > `after`, oldest first, at most `limit`.
    virtual Result<std::vector<ReportRow>> list(std::int64_t after, std::size_t limit) = 0;
};

class Reports : public ReportsReader {
public:
    // Stores `row` (its report_id is ignored) and returns the new id.
    virtual Result<std::int64_t> add(const ReportRow& row) = 0;
};

}  // namespace chat::store
