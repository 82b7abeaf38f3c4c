#include "api/client/rooms_send.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/room_service.hpp>

#include "api/client/path_params.hpp"
#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "auth/rate_limiter.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Event types are client input that ends up in the store and in every
// member's sync; the spec bounds the whole event, we also bound the name.
constexpr std::size_t kMaxEventTypeBytes = 255;

Result<void> check_event_type(std::string_view type) {
    if (type.empty() || type.size() > kMaxEventTypeBytes)
        return make_error(Errc::invalid_param, "Invalid event type");
    return ok();
}

Reply event_id_reply(const rooms::SentEvent& sent) {
    return Reply::json({{"event_id", std::string(sent.event->event_id().str())}});
}

Task<Result<Reply>> send_state(Request& request, std::string state_key) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    std::string type(request.path_param("eventType"));
    if (auto checked = check_event_type(type); !checked) co_return checked.error();
    auto content = request.json_object();
    if (!content) co_return content.error();

    const auto& services = request.services();
    auto sent = co_await services.db->run([&] {
        return services.rooms->send_state(request.requester().user_id, *room_id, type, state_key,
                                          std::move(*content));
    });
    if (!sent) co_return sent.error();
    co_return event_id_reply(*sent);
}

}  // namespace

// A retry with the same txnId from the same device gets the first event's
// ID back (RoomService keeps that promise inside the write transaction).
Task<Result<Reply>> put_room_send(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    if (auto limited = services.limit_message->check(request.requester().user_id.str()))
        co_return std::move(*limited);
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    std::string type(request.path_param("eventType"));
    if (auto checked = check_event_type(type); !checked) co_return checked.error();
    auto content = request.json_object();
    if (!content) co_return content.error();

    rooms::TxnKey txn{.device_id = request.requester().device_id,
                      .txn_id = std::string(request.path_param("txnId"))};
    // Asynchronous: the pool thread queues the write and is free again (or
    // runs the group commit, taking other requests' writes with it); no
    // thread waits blocked for this one (issue 3).
    auto sent = co_await services.db->start<Result<rooms::SentEvent>>(
        [&](std::function<void(Result<rooms::SentEvent>)> done) {
            services.rooms->send_message_async(request.requester().user_id, *room_id, type,
                                               std::move(*content), txn, std::move(done));
        });
    if (!sent) co_return sent.error();
    co_return event_id_reply(*sent);
}

Task<Result<Reply>> put_room_state(Request& request) {
    co_return co_await send_state(request, std::string(request.path_param("stateKey")));
}

Task<Result<Reply>> put_room_state_empty_key(Request& request) {
    co_return co_await send_state(request, std::string());
}

Task<Result<Reply>> put_room_redact(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto target = EventId::parse(request.path_param("eventId"));
    if (!target) co_return make_error(Errc::invalid_param, "Invalid event ID");
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    auto reason = optional_string(*body, "reason");
    if (!reason) co_return reason.error();

    const auto& services = request.services();
    rooms::TxnKey txn{.device_id = request.requester().device_id,
                      .txn_id = std::string(request.path_param("txnId"))};
    auto sent = co_await services.db->run([&] {
        return services.rooms->redact(request.requester().user_id, *room_id, *target,
                                      std::move(*reason), txn);
    });
    if (!sent) co_return sent.error();
    co_return event_id_reply(*sent);
}

}  // namespace chat::daemon
