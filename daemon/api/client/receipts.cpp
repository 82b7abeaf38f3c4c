#include "api/client/receipts.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/receipts/delivery.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/store/txn.hpp>

#include "api/client/body_fields.hpp"
#include "api/client/path_params.hpp"
#include "auth/authenticate.hpp"
#include "config/config.hpp"
#include "services/presence_writer.hpp"
#include "services/services.hpp"
#include "api/client/federation_edus.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

namespace {

constexpr std::string_view kRead = "m.read";
constexpr std::string_view kReadPrivate = "m.read.private";
constexpr std::string_view kFullyRead = "m.fully_read";

receipts::DeliveryPolicy delivery_policy(const Config& config) {
    return {.explicit_receipts = config.delivery_explicit,
            .inferred = config.delivery_inferred,
            .public_rooms = config.delivery_public_rooms};
}

Result<EventId> event_param(std::string_view text) {
    auto id = EventId::parse(text);
    if (!id) return make_error(Errc::invalid_param, "Invalid event ID");
    return std::move(*id);
}

// m.fully_read is the user's room account data {"event_id": ...}; the event
// must be one of the room's and the user joined, as for a receipt.
Task<Result<void>> set_fully_read(Request& request, const RoomId& room_id,
                                  const EventId& event_id) {
    const auto& services = request.services();
    const UserId& user = request.requester().user_id;
    auto checked = co_await services.db->read("fully_read_check", [&](store::ReadTxn& txn)
                                                                      -> Result<void> {
        auto membership = rooms::current_membership(txn, user, room_id);
        if (!membership) return membership.error();
        if (*membership != "join") return make_error(Errc::forbidden, "You are not joined to this room.");
        auto event = txn.events().get(event_id);
        if (!event) return event.error();
        if (!*event || (*event)->room_id != room_id)
            return make_error(Errc::not_found, "Unknown event in this room.");
        return ok();
    });
    if (!checked) co_return checked.error();
    auto content = nlohmann::json{{"event_id", event_id.str()}};
    auto set = co_await services.db->run([&] {
        return services.rooms->set_account_data(user, room_id, std::string(kFullyRead),
                                                std::move(content));
    });
    if (!set) co_return set.error();
    co_return ok();
}

Task<Result<void>> set_read_receipt(Request& request, const RoomId& room_id, std::string type,
                                    const EventId& event_id,
                                    std::optional<std::string> thread_id) {
    const auto& services = request.services();
    auto moved = co_await services.db->run([&] {
        return services.rooms->set_receipt(request.requester().user_id, room_id, type, event_id,
                                           thread_id);
    });
    if (!moved) co_return moved.error();
    // Public read receipts reach the room's other servers (m.receipt EDU);
    // m.read.private never leaves this server.
    if (*moved && type == kRead) {
        nlohmann::json data = {{"ts", services.clock->now_ms()}};
        if (thread_id) data["thread_id"] = *thread_id;
        nlohmann::json content = {
            {std::string(room_id.str()),
             {{"m.read",
               {{std::string(request.requester().user_id.str()),
                 {{"event_ids", nlohmann::json::array({std::string(event_id.str())})},
                  {"data", std::move(data)}}}}}}}};
        nlohmann::json edu = {{"edu_type", "m.receipt"}, {"content", std::move(content)}};
        co_await share_room_edu(services, room_id, std::move(edu));
    }
    co_return ok();
}

Task<Result<void>> set_delivery_receipt(Request& request, const RoomId& room_id,
                                        const EventId& event_id) {
    const auto& services = request.services();
    const auto policy = delivery_policy(*services.config);
    const auto now = services.clock->now_ms();
    auto moved = co_await services.db->write("delivery_receipt", [&](store::WriteTxn& txn) {
        return receipts::record_delivery_receipt(txn, request.requester().user_id, room_id,
                                                 event_id, now, policy);
    });
    if (!moved) co_return moved.error();
    if (!*moved) co_return ok();
    services.wake->advanced(store::Stream::receipts, **moved);
    co_await share_delivery_receipt(services, room_id, request.requester().user_id, event_id, now);
    co_return ok();
}

}  // namespace

// The spec's thread_id: "main" or the thread root's event ID; absent for an
// unthreaded receipt. m.fully_read takes no thread.
Task<Result<Reply>> post_receipt(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto event_id = event_param(request.path_param("eventId"));
    if (!event_id) co_return event_id.error();
    std::string type(request.path_param("receiptType"));
    auto body = request.json_object(/*empty_is_object=*/true);
    if (!body) co_return body.error();
    auto thread_id = optional_string(*body, "thread_id");
    if (!thread_id) co_return thread_id.error();
    if (*thread_id && (*thread_id)->empty())
        co_return make_error(Errc::invalid_param, "thread_id must not be empty");

    Result<void> done = ok();
    if (type == kRead || type == kReadPrivate) {
        done = co_await set_read_receipt(request, *room_id, type, *event_id,
                                         std::move(*thread_id));
    } else if (type == kFullyRead) {
        if (*thread_id)
            co_return make_error(Errc::invalid_param, "m.fully_read does not take a thread_id");
        done = co_await set_fully_read(request, *room_id, *event_id);
    } else if (type == receipts::kDeliveryType) {
        done = co_await set_delivery_receipt(request, *room_id, *event_id);
    } else {
        co_return make_error(Errc::invalid_param, "Unknown receipt type");
    }
    if (!done) co_return done.error();
    co_await note_activity(request.services(), request.requester().user_id);
    co_return Reply::json(nlohmann::json::object());
}

// Each of m.fully_read, m.read and m.read.private is optional; every one
// given is checked before any is applied, so a bad ID changes nothing.
Task<Result<Reply>> post_read_markers(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto body = request.json_object(/*empty_is_object=*/true);
    if (!body) co_return body.error();
    std::optional<EventId> fully_read, read, read_private;
    for (auto [field, target] : {std::pair{kFullyRead, &fully_read}, std::pair{kRead, &read},
                                 std::pair{kReadPrivate, &read_private}}) {
        auto text = optional_string(*body, field);
        if (!text) co_return text.error();
        if (!*text) continue;
        auto id = EventId::parse(**text);
        if (!id)
            co_return make_error(Errc::invalid_param, std::string(field) + " is not an event ID");
        *target = std::move(*id);
    }
    if (fully_read) {
        auto done = co_await set_fully_read(request, *room_id, *fully_read);
        if (!done) co_return done.error();
    }
    for (auto [type, id] : {std::pair{kRead, &read}, std::pair{kReadPrivate, &read_private}}) {
        if (!*id) continue;
        auto done = co_await set_read_receipt(request, *room_id, std::string(type), **id,
                                              std::nullopt);
        if (!done) co_return done.error();
    }
    co_await note_activity(request.services(), request.requester().user_id);
    co_return Reply::json(nlohmann::json::object());
}

}  // namespace chat::daemon
