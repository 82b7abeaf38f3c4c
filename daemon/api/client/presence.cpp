#include "api/client/presence.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/presence/presence.hpp>
#include <chat/store/txn.hpp>

#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "config/config.hpp"
#include "services/presence_tracker.hpp"
#include "services/presence_writer.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// A status message is shown to everyone who shares a room: bounded.
constexpr std::size_t kMaxStatusMsgBytes = 1024;

Result<UserId> user_param(const Request& request) {
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) return make_error(Errc::invalid_param, "Invalid user ID");
    return std::move(*user);
}

}  // namespace

// Only the user and those who share a room with them may look (presence
// is never sent to strangers, in sync or here).
Task<Result<Reply>> get_presence(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto user = user_param(request);
    if (!user) co_return user.error();
    const auto& services = request.services();
    const UserId& viewer = request.requester().user_id;
    auto stored = co_await services.db->read(
        "get_presence",
        [&](store::ReadTxn& txn) -> Result<std::optional<store::PresenceRow>> {
            auto known = txn.users().get(*user);
            if (!known) return known.error();
            if (!*known) return make_error(Errc::not_found, "Unknown user");
            auto shared = txn.presence().share_a_room(viewer, *user);
            if (!shared) return shared.error();
            if (!*shared)
                return make_error(Errc::forbidden, "You do not share a room with this user");
            return txn.presence().get(*user);
        });
    if (!stored) co_return stored.error();
    presence::Status status;
    if (auto tracked = services.presence->current(*user))
        status = *tracked;
    else if (*stored)
        status = presence::from_row(**stored);
    co_return Reply::json(presence::content(status, services.clock->now_ms()));
}

Task<Result<Reply>> put_presence(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto user = user_param(request);
    if (!user) co_return user.error();
    if (*user != request.requester().user_id)
        co_return make_error(Errc::forbidden, "Cannot set another user's presence");
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto state_text = required_string(*body, "presence");
    if (!state_text) co_return state_text.error();
    auto state = presence::parse_state(*state_text);
    if (!state)
        co_return make_error(Errc::invalid_param,
                             "'presence' must be online, unavailable or offline");
    auto status_msg = optional_string(*body, "status_msg");
    if (!status_msg) co_return status_msg.error();
    if (*status_msg && (*status_msg)->size() > kMaxStatusMsgBytes)
        co_return make_error(Errc::too_large, "'status_msg' is too long");

    const auto& services = request.services();
    // With presence off the request is accepted and ignored, as clients
    // set presence unconditionally.
    if (services.config->presence_enabled &&
        services.presence->set(*user, *state, std::move(*status_msg), services.clock->now_ms())) {
        std::vector<UserId> users{*user};
        auto written = co_await write_presence(services, std::move(users));
        if (!written) co_return written.error();
    }
    co_return Reply::json(nlohmann::json::object());
}

}  // namespace chat::daemon
