#include "api/client/reports.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/store/txn.hpp>

#include "api/client/path_params.hpp"
#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// A reason is free text kept for admins; this bounds what one report stores.
constexpr std::size_t kMaxReasonBytes = 8192;
// The spec's range for `score` (event reports, removed in v1.18).
constexpr std::int64_t kMinScore = -100;
constexpr std::int64_t kMaxScore = 0;

Result<std::optional<std::string>> reason_field(const nlohmann::json& body, bool required) {
    std::optional<std::string> reason;
    if (required) {
        auto value = required_string(body, "reason");
        if (!value) return value.error();
        reason = std::move(*value);
    } else {
        auto value = optional_string(body, "reason");
        if (!value) return value.error();
        reason = std::move(*value);
    }
    if (reason && reason->size() > kMaxReasonBytes)
        return make_error(Errc::too_large, "'reason' is too long");
    return reason;
}

Reply empty_object() { return Reply::json(nlohmann::json::object()); }

Task<Result<Reply>> store_report(Request& request, store::ReportRow row) {
    const auto& services = request.services();
    row.reporter = request.requester().user_id;
    row.received_ts = services.clock->now_ms();
    auto stored = co_await services.db->write(
        "report_content", [&](store::WriteTxn& txn) -> Result<std::int64_t> {
            // Checked in the same transaction as the insert, so the answer
            // matches what was stored.
            if (row.kind == store::ReportKind::event) {
                auto event = txn.events().get(*row.event_id);
                if (!event) return event.error();
                const auto not_found = make_error(
                    Errc::not_found, "The event was not found or you are not joined to the room.");
                if (!*event || (*event)->room_id != *row.room_id || (*event)->rejected_reason)
                    return not_found;
                // The spec (v1.8) requires the reporter to be joined, and one
                // cannot report what one may not see.
                auto membership = rooms::current_membership(txn, row.reporter, *row.room_id);
                if (!membership) return membership.error();
                if (!*membership || **membership != "join") return not_found;
                auto visible = rooms::may_see_event(txn, row.reporter, **event);
                if (!visible) return visible.error();
                if (!*visible) return not_found;
            } else if (row.kind == store::ReportKind::room) {
                auto room = txn.rooms().get(*row.room_id);
                if (!room) return room.error();
                if (!*room) return make_error(Errc::not_found, "The room was not found.");
            }
            return txn.reports().add(row);
        });
    if (!stored) co_return stored.error();
    co_return empty_object();
}

}  // namespace

Task<Result<Reply>> post_report_event(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto event_id = EventId::parse(request.path_param("eventId"));
    if (!event_id) co_return make_error(Errc::invalid_param, "Invalid event ID");
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    auto reason = reason_field(*body, /*required=*/false);
    if (!reason) co_return reason.error();
    auto score = optional_integer(*body, "score");
    if (!score) co_return score.error();
    if (*score && (**score < kMinScore || **score > kMaxScore))
        co_return make_error(Errc::bad_json, "'score' must be an integer from -100 to 0");

    // Built before the co_await: GCC 12 mishandles aggregate temporaries
    // inside a co_await expression (a double free under ASan).
    store::ReportRow row{.kind = store::ReportKind::event,
                         .reporter = request.requester().user_id,
                         .room_id = std::move(*room_id),
                         .event_id = std::move(*event_id),
                         .reason = std::move(*reason),
                         .score = *score};
    co_return co_await store_report(request, std::move(row));
}

// The reporter need not be in the room (spec). An unknown room is 404; the
// spec allows answering 200 instead to hide which rooms exist, which we do
// not do yet.
Task<Result<Reply>> post_report_room(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto reason = reason_field(*body, /*required=*/true);
    if (!reason) co_return reason.error();
    store::ReportRow row{.kind = store::ReportKind::room,
                         .reporter = request.requester().user_id,
                         .room_id = std::move(*room_id),
                         .reason = std::move(*reason)};
    co_return co_await store_report(request, std::move(row));
}

// Users of other servers cannot be checked here and are accepted; a local
// user we do not know is 404.
Task<Result<Reply>> post_report_user(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto user_id = UserId::parse(request.path_param("userId"));
    if (!user_id) co_return make_error(Errc::invalid_param, "Invalid user ID");
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto reason = reason_field(*body, /*required=*/true);
    if (!reason) co_return reason.error();
    const auto& services = request.services();
    if (user_id->server() == services.server_name) {
        auto known = co_await services.db->read(
            "report_user_exists", [&](store::ReadTxn& txn) -> Result<bool> {
                auto row = txn.users().get(*user_id);
                if (!row) return row.error();
                return row->has_value();
            });
        if (!known) co_return known.error();
        if (!*known) co_return make_error(Errc::not_found, "The user was not found.");
    }
    store::ReportRow row{.kind = store::ReportKind::user,
                         .reporter = request.requester().user_id,
                         .target_user_id = std::move(*user_id),
                         .reason = std::move(*reason)};
    co_return co_await store_report(request, std::move(row));
}

}  // namespace chat::daemon
