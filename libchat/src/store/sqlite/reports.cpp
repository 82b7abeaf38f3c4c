#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <limits>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

Result<ReportRow> read_report(const Query& q) {
    ReportKind kind = ReportKind::event;
    if (const auto text = q.text(1); text == "room")
        kind = ReportKind::room;
    else if (text == "user")
        kind = ReportKind::user;
    else if (text != "event")
        return q.corrupt(1, "unknown report kind");
    auto reporter = q.id<UserId>(2);
    if (!reporter) return reporter.error();
    auto room_id = q.opt_id<RoomId>(3);
    if (!room_id) return room_id.error();
    auto event_id = q.opt_id<EventId>(4);
    if (!event_id) return event_id.error();
    auto target = q.opt_id<UserId>(5);
    if (!target) return target.error();
    return ReportRow{.report_id = q.int64(0),
                     .kind = kind,
                     .reporter = std::move(*reporter),
                     .room_id = std::move(*room_id),
                     .event_id = std::move(*event_id),
                     .target_user_id = std::move(*target),
                     .reason = q.opt_text(6),
                     .score = q.opt_int64(7),
                     .received_ts = q.int64(8)};
}

}  // namespace

Result<std::optional<ReportRow>> SqliteReports::get(std::int64_t report_id) {
    return optional_row(
        conn_.query("SELECT report_id, kind, reporter, room_id, event_id, target_user_id, reason,"
                    " score, received_ts FROM reports WHERE report_id = ?1",
                    report_id),
        read_report);
}

Result<std::vector<ReportRow>> SqliteReports::list(std::int64_t after, std::size_t limit) {
    const auto bounded = static_cast<std::int64_t>(
        std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
    return all_rows(
        conn_.query("SELECT report_id, kind, reporter, room_id, event_id, target_user_id, reason,"
                    " score, received_ts FROM reports WHERE report_id > ?1"
                    " ORDER BY report_id LIMIT ?2",
                    after, bounded),
        read_report);
}

Result<std::int64_t> SqliteReports::add(const ReportRow& row) {
    auto id = optional_row(
        conn_.query("INSERT INTO reports(kind, reporter, room_id, event_id, target_user_id,"
                    " reason, score, received_ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                    " RETURNING report_id",
                    to_string(row.kind), row.reporter, row.room_id, row.event_id,
                    row.target_user_id, row.reason, row.score, row.received_ts),
        int64_at0);
    if (!id) return id.error();
    if (!*id) return make_error(Errc::internal, "report insert returned no id");
    return **id;
}

}  // namespace chat::store::sqlite
