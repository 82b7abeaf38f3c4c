#include "api/client/typing.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/store/txn.hpp>

#include "api/client/body_fields.hpp"
#include "api/client/path_params.hpp"
#include "auth/authenticate.hpp"
#include "services/presence_writer.hpp"
#include "services/services.hpp"
#include "services/typing_tracker.hpp"
#include "api/client/federation_edus.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

namespace {

// Clients renew typing every few seconds with timeout 30000 (Element); a
// client that asks for hours must not leave a stuck indicator behind.
constexpr std::int64_t kDefaultTimeoutMs = 30'000;
constexpr std::int64_t kMaxTimeoutMs = 120'000;

}  // namespace

Task<Result<Reply>> put_typing(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user ID");
    const auto& services = request.services();
    if (*user != request.requester().user_id)
        co_return make_error(Errc::forbidden, "Cannot set another user's typing state");
    auto body = request.json_object();
    if (!body) co_return body.error();
    const auto typing_field = body->find("typing");
    if (typing_field == body->end()) co_return make_error(Errc::missing_param, "Missing 'typing'");
    if (!typing_field->is_boolean()) co_return make_error(Errc::bad_json, "'typing' must be a boolean");
    const bool typing = typing_field->get<bool>();
    auto timeout = optional_integer(*body, "timeout");
    if (!timeout) co_return timeout.error();
    if (*timeout && **timeout < 0)
        co_return make_error(Errc::invalid_param, "'timeout' must not be negative");
    const std::int64_t timeout_ms = std::min(timeout->value_or(kDefaultTimeoutMs), kMaxTimeoutMs);

    auto membership = co_await services.db->read("typing_membership", [&](store::ReadTxn& txn) {
        return rooms::current_membership(txn, *user, *room_id);
    });
    if (!membership) co_return membership.error();
    if (*membership != "join")
        co_return make_error(Errc::forbidden, "You are not joined to this room.");

    const auto now = services.clock->now_ms();
    if (services.typing->set(*room_id, *user, typing, now + timeout_ms, now)) {
        services.wake->poke();
        nlohmann::json edu = {{"edu_type", "m.typing"},
                              {"content",
                               {{"room_id", std::string(room_id->str())},
                                {"user_id", std::string(user->str())},
                                {"typing", typing}}}};
        co_await share_room_edu(services, *room_id, std::move(edu));
    }
    if (typing) co_await note_activity(services, *user);
    co_return Reply::json(nlohmann::json::object());
}

}  // namespace chat::daemon
